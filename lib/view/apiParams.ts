// Query-parameter validation shared by the API route handlers (contract §3). Each reader returns a
// typed value or an ApiError naming the parameter, so a handler answers 400 `{error:{code,message}}`
// without ever echoing a stack trace. Pure: no Next, no server layer.
import { clusterNameProblem } from "./clusterName";
import { readSeverityList, SEVERITIES, THEMES, type SeverityFilter, type Theme } from "./urlState";
import { ALL_WINDOW, parseWindow } from "./window";

export interface ApiError {
  status: 400 | 404 | 503;
  code: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (code: string, message: string): Parsed<never> => ({
  ok: false,
  error: { status: 400, code, message },
});

/**
 * The one value of a parameter: null when absent, an error when given more than once. One rule for
 * every parameter the API reads (docs/DECISIONS.md, "Repeated parameters"): which of two values was
 * meant is not known, and silently taking the first half-reads a script that asked for two.
 */
function single(q: URLSearchParams, name: string, hint = ""): Parsed<string | null> {
  const all = q.getAll(name);
  if (all.length > 1)
    return bad(
      `invalid-${kebab(name)}`,
      `parameter "${name}": given ${all.length} times; give it once${hint}`,
    );
  return ok(all[0] ?? null);
}

/**
 * `cluster=`: absent → undefined (the caller uses the default cluster). The same rule as the cluster
 * list (clusterName.ts), so every listed cluster is addressable; a well-formed name that is not
 * configured is the server's 404, not a 400.
 */
export function readCluster(q: URLSearchParams): Parsed<string | undefined> {
  const one = single(q, "cluster");
  if (!one.ok) return one;
  const v = one.value;
  if (v === null || v === "") return ok(undefined);
  const problem = clusterNameProblem(v);
  if (problem !== null)
    return bad(
      "invalid-cluster",
      `parameter "cluster": "${clip(v)}" is not a valid cluster name (${problem})`,
    );
  return ok(v);
}

/** `namespace=`: absent → undefined (the whole cluster). */
export function readNamespace(q: URLSearchParams): Parsed<string | undefined> {
  const one = single(q, "namespace");
  if (!one.ok) return one;
  const v = one.value;
  if (v === null || v === "") return ok(undefined);
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v))
    return bad("invalid-namespace", `parameter "namespace": "${clip(v)}" is not a valid namespace name`);
  return ok(v);
}

/**
 * `severity=`: one or more of error, warning, info as a comma separated list (`severity=error,warning`),
 * read by the same reader as the pages' parser map (urlState.readSeverityList). A repeated
 * `severity=` is refused like any repeated parameter. Empty/absent = every severity.
 */
export function readSeverities(q: URLSearchParams): Parsed<SeverityFilter[]> {
  const one = single(q, "severity", " (one comma separated list: severity=error,warning)");
  if (!one.ok) return one;
  const { valid, invalid } = readSeverityList(one.value ?? "");
  if (invalid.length > 0)
    return bad(
      "invalid-severity",
      `parameter "severity": "${clip(invalid[0]!)}" is not one of ${SEVERITIES.join(", ")}`,
    );
  return ok(valid);
}

/**
 * A duration parameter (`expiringWithin=30d`, `window=12h`): number + unit m/h/d/w/y, exactly as given
 * (no white space around it, like every other parameter). With `allowAll`, the word `all` is accepted
 * too and read as null (no limit). Absent → `fallback`.
 */
export function readDuration(
  q: URLSearchParams,
  name: string,
  opts: { fallback: string | null; allowAll?: boolean },
): Parsed<{ text: string; seconds: number } | null> {
  const one = single(q, name);
  if (!one.ok) return one;
  const v = one.value;
  const text = v === null || v === "" ? opts.fallback : v;
  if (text === null) return ok(null);
  if (opts.allowAll && text === ALL_WINDOW) return ok(null);
  const seconds = parseWindow(text);
  if (seconds === null)
    return bad(
      `invalid-${kebab(name)}`,
      `parameter "${name}": "${clip(text)}" is not a duration like 24h, 7d, 30d or 1y${opts.allowAll ? " (or all)" : ""}`,
    );
  return ok({ text, seconds });
}

/** `theme=light|dark` (embed and SVG, the values of urlState.THEMES); absent → light. */
export function readTheme(q: URLSearchParams): Parsed<Theme> {
  const one = single(q, "theme");
  if (!one.ok) return one;
  const v = one.value;
  if (v === null || v === "") return ok("light");
  if ((THEMES as readonly string[]).includes(v)) return ok(v as Theme);
  return bad("invalid-theme", `parameter "theme": "${clip(v)}" is not ${THEMES.join(" or ")}`);
}

export const notFound = (code: string, message: string): ApiError => ({ status: 404, code, message });
export const unavailable = (message: string): ApiError => ({
  status: 503,
  code: "snapshot-unavailable",
  message,
});

/** Echoed values are cut short so an error message never carries a large or odd payload back. */
function clip(v: string): string {
  const printable = v.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
