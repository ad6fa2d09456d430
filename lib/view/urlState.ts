// The one parser map for URL state (contract §4). Pages (server) and components (client, through
// nuqs hooks) read the query with these parsers only, and every link is written by the serializers
// below, so a link always means the same view. The API's validators (apiParams.ts) are built from the
// same value lists and readers (SEVERITIES, THEMES, readSeverityList, isExpiryWindow), so a page and
// the API accept exactly the same values.
import {
  createLoader,
  createParser,
  createSerializer,
  type inferParserType,
  parseAsBoolean,
  parseAsString,
  parseAsStringLiteral,
} from "nuqs/server";
import { DEFAULT_WINDOW, isExpiryWindow } from "./window";

export const VIEWS = ["graph", "certificates", "findings"] as const;
export type View = (typeof VIEWS)[number];
export const SEVERITIES = ["error", "warning", "info"] as const;
export type SeverityFilter = (typeof SEVERITIES)[number];
export const THEMES = ["light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

/**
 * A `severity=` value: a comma separated list (`error,warning`), the only form both the pages and the
 * API accept (a repeated `severity=` is refused by the API and reported by the pages). Duplicates
 * collapse; anything not in SEVERITIES is returned in `invalid`.
 */
export function readSeverityList(raw: string): { valid: SeverityFilter[]; invalid: string[] } {
  const valid: SeverityFilter[] = [];
  const invalid: string[] = [];
  for (const part of raw.split(",")) {
    if (part === "") continue;
    if ((SEVERITIES as readonly string[]).includes(part)) {
      if (!valid.includes(part as SeverityFilter)) valid.push(part as SeverityFilter);
    } else invalid.push(part);
  }
  return { valid, invalid };
}

const parseAsSeverities = createParser<SeverityFilter[]>({
  parse: (v) => {
    const { valid } = readSeverityList(v);
    return valid.length > 0 ? valid : null;
  },
  serialize: (v) => v.join(","),
  eq: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
});

/**
 * A duration such as 30d (lib/view/window.ts), or `all` (every certificate, as the timeline's preset
 * and the API take it); anything else parses to null, i.e. the default.
 */
const parseAsWindow = createParser<string>({
  parse: (v) => (isExpiryWindow(v) ? v : null),
  serialize: (v) => v,
});

/**
 * Back and Forward (docs/DECISIONS.md, "History entries"): what the page shows — the view (tab) and the
 * open edge or workload panel, opened or closed — is a step in the browser's history; filter tweaks
 * (severity, ref, window, problems first) replace the current entry, so Back leaves the view instead of
 * undoing one click of a filter. Set here, on the parsers, so every setter of a key follows one rule.
 */
const STEP = { history: "push" } as const;

export const namespaceViewParsers = {
  view: parseAsStringLiteral(VIEWS).withDefault("graph").withOptions(STEP),
  /** Selected edge id (opens the edge panel). */
  edge: parseAsString.withOptions(STEP),
  /** Selected workload name in this namespace (opens the workload panel). */
  workload: parseAsString.withOptions(STEP),
  /** Severities shown; empty = all. */
  severity: parseAsSeverities.withDefault([]),
  /** Findings naming one object: `Kind/namespace/name` (or `Kind/name` for cluster-scoped ones). */
  ref: parseAsString,
  /** Expiry window for the certificate view, e.g. 30d. */
  window: parseAsWindow.withDefault(DEFAULT_WINDOW),
  /** "Problems first": dim healthy mTLS edges. */
  problems: parseAsBoolean.withDefault(false),
};

export const embedParsers = {
  cluster: parseAsString,
  namespace: parseAsString,
  window: parseAsWindow.withDefault(DEFAULT_WINDOW),
  theme: parseAsStringLiteral(THEMES).withDefault("light"),
};

/** `serializeNamespaceView("/c/x/ns/y", { view: "findings" })` → the link; defaults are left out. */
export const serializeNamespaceView = createSerializer(namespaceViewParsers);

export type NamespaceViewState = inferParserType<typeof namespaceViewParsers>;
/** What a setter of the namespace view is given: `null` drops the key (its default). */
export type NamespaceViewPatch = { [K in keyof NamespaceViewState]?: NamespaceViewState[K] | null };

/** How the serializer writes `key` set to `value` (nothing for the default): the values in the query. */
function written<K extends keyof NamespaceViewState>(key: K, value: NamespaceViewState[K] | null): string[] {
  return new URLSearchParams(serializeNamespaceView({ [key]: value })).getAll(key);
}

const sameValues = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const readView = createLoader(namespaceViewParsers);

/**
 * The query the view stands on: the address bar's `search`, except for the keys whose update nuqs has
 * not written yet (it writes the URL on a later tick, throttled), where the view's `state` is newer.
 * A key whose URL value the view ignores (`view=bogus`) and reads as its state is kept as the URL has it.
 */
export function currentQuery(search: URLSearchParams, state: NamespaceViewState): URLSearchParams {
  const fromUrl = readView(search);
  const out = new URLSearchParams(search);
  for (const key of Object.keys(namespaceViewParsers) as (keyof NamespaceViewState)[]) {
    const now = written(key, state[key]);
    if (sameValues(written(key, fromUrl[key]), now)) continue;
    out.delete(key);
    for (const v of now) out.append(key, v);
  }
  return out;
}

/**
 * Whether setting `patch` would change the query `search` (from `currentQuery`). nuqs pushes a history
 * entry for a pushing key (STEP) even when the URL stays the same, so re-selecting the shown tab, edge
 * or workload would add an entry Back then spends doing nothing; the view's setters skip such a patch.
 * Compared as the serializer writes each key (defaults dropped) against the values in the query, so a
 * link value the view ignores (`view=bogus`, a repeated key) still counts as a change when written over.
 */
export function changesUrl(search: URLSearchParams, patch: NamespaceViewPatch): boolean {
  return (Object.keys(patch) as (keyof NamespaceViewPatch)[]).some(
    (key) => !sameValues(written(key, patch[key] ?? null), search.getAll(key)),
  );
}

/** The modifier keys and button of a click (a MouseEvent's fields). */
export interface ClickKind {
  button: number;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * Whether a click on an in-page link (a tab) is the page's to handle: only a plain left click. With
 * Ctrl/Cmd (new tab), Shift (new window), Alt (download) or another button, the browser follows the
 * link's href as it does for any link.
 */
export function handledInPage(e: ClickKind): boolean {
  return e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey;
}

/** The path of a namespace view. */
export function namespacePath(cluster: string, namespace: string): string {
  return `/c/${encodeURIComponent(cluster)}/ns/${encodeURIComponent(namespace)}`;
}

/** An object reference as the `ref=` value: `Kind/namespace/name`, or `Kind/name` without a namespace. */
export function refParam(r: { kind: string; namespace?: string | null | undefined; name: string }): string {
  return r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}

export interface IgnoredParam {
  name: string;
  value: string;
  reason: string;
}

type RawParams = Record<string, string | string[] | undefined> | URLSearchParams;

function values(raw: RawParams, name: string): string[] {
  if (raw instanceof URLSearchParams) return raw.getAll(name);
  const v = raw[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * The namespace-view parameters present in the query but not used, each with why, so the page can
 * say so instead of silently showing the default view (`?view=bogus&severity=fatal&window=zzz`).
 */
/** Why a `window` value was not used: what the parsers accept. */
const WINDOW_HINT = "not a duration like 24h, 7d, 30d or 1y, nor all";

export function ignoredNamespaceParams(raw: RawParams): IgnoredParam[] {
  const out: IgnoredParam[] = [];
  for (const name of Object.keys(namespaceViewParsers) as (keyof typeof namespaceViewParsers)[]) {
    const all = values(raw, name);
    if (all.length === 0) continue;
    const first = all[0]!;
    if (all.length > 1)
      out.push({
        name,
        value: all.slice(1).join(", "),
        reason: "given more than once; the first value is used",
      });
    if (name === "severity") {
      const { invalid } = readSeverityList(first);
      if (invalid.length > 0)
        out.push({ name, value: invalid.join(","), reason: `not one of ${SEVERITIES.join(", ")}` });
    } else if (
      name === "problems"
        ? !/^(true|false)$/i.test(first)
        : first !== "" && namespaceViewParsers[name].parse(first) === null
    ) {
      const reason =
        name === "view"
          ? `not one of ${VIEWS.join(", ")}`
          : name === "window"
            ? WINDOW_HINT
            : name === "problems"
              ? "not true or false"
              : "not understood";
      out.push({ name, value: first, reason });
    }
  }
  return out;
}

/**
 * The embed parameters present but not used (`?window=bad`, `?theme=purple`), each with why: the API
 * answers these with 400; a framed panel cannot, so it shows the default and says what it ignored.
 */
export function ignoredEmbedParams(raw: RawParams): IgnoredParam[] {
  const out: IgnoredParam[] = [];
  for (const name of ["window", "theme"] as const) {
    const all = values(raw, name);
    if (all.length === 0) continue;
    const first = all[0]!;
    if (all.length > 1)
      out.push({
        name,
        value: all.slice(1).join(", "),
        reason: "given more than once; the first value is used",
      });
    if (embedParsers[name].parse(first) === null)
      out.push({
        name,
        value: first,
        reason: name === "window" ? WINDOW_HINT : `not one of ${THEMES.join(", ")}`,
      });
  }
  return out;
}
