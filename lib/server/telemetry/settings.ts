// Where a cluster's Prometheus is and over which window traffic is counted, from the environment
// (documented in the README, "Point it at your cluster"):
//   HANDSHAKE_PROMETHEUS_URLS     per-context direct URLs, "context=url" pairs separated by commas or
//                                 whitespace; wins over the two below for the contexts it names
//   HANDSHAKE_PROMETHEUS_URL      a direct URL for every other cluster
//   HANDSHAKE_PROMETHEUS_SERVICE  "namespace/name:port" reached through the API server's service proxy
//                                 (default istio-system/prometheus:9090, Istio's Prometheus addon)
//   HANDSHAKE_TRAFFIC_WINDOW      the range of increase(), a Prometheus duration (default 1h)
//   HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS  per query (default 10)
//   HANDSHAKE_PROMETHEUS_MATCHERS per-context label matchers added to every query, for a Prometheus or
//                                 Thanos that holds several clusters' series: `prod={cluster="eu-1"}
//                                 staging={cluster="us-2"}` (entries separated by white space)
// They are parsed once per environment (parseTelemetryEnv, at server start); each read then takes its
// cluster's part (telemetrySettings).
import "server-only";
import { positiveEnv } from "../settings";

export const DEFAULT_WINDOW = "1h";
const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_TIMEOUT_MS = DEFAULT_TIMEOUT_SECONDS * 1000;
export const DEFAULT_SERVICE: ServiceRef = { namespace: "istio-system", name: "prometheus", port: "9090" };

export interface ServiceRef {
  namespace: string;
  name: string;
  /** Port number or port name, as the service proxy path takes it. */
  port: string;
}

export type PrometheusTarget = { kind: "url"; url: string } | { kind: "service"; service: ServiceRef };

export interface TelemetrySettings {
  target: PrometheusTarget;
  window: string;
  timeoutMs: number;
  /** Label matchers (PromQL, without braces) that select this cluster's series; absent: all series. */
  matchers?: string;
  /** A setting that could not be used: telemetry is skipped and this becomes a completeness entry. */
  invalid?: string;
}

// Prometheus' duration grammar (units in descending order are not enforced here; Prometheus does).
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseService(text: string): ServiceRef | null {
  const m = /^([^/\s]+)\/([^:\s]+):([^:\s]+)$/.exec(text.trim());
  if (!m) return null;
  const [, namespace, name, port] = m as unknown as [string, string, string, string];
  if (
    !DNS_LABEL.test(namespace) ||
    !DNS_LABEL.test(name) ||
    !/^(\d{1,5}|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.test(port)
  )
    return null;
  return { namespace, name, port };
}

/**
 * "prod=https://a:9090, staging=http://b" → Map. `bad` lists the contexts whose URL is not http(s);
 * `malformed`: some entry has no "=", which names no context and so makes the setting unusable for all.
 */
function perContext(text: string | undefined): {
  urls: Map<string, string>;
  bad: Set<string>;
  malformed: boolean;
} {
  const urls = new Map<string, string>();
  const bad = new Set<string>();
  let malformed = false;
  for (const item of (text ?? "").split(/[\s,]+/).filter(Boolean)) {
    const eq = item.indexOf("=");
    if (eq <= 0) malformed = true;
    else if (!isHttpUrl(item.slice(eq + 1))) bad.add(item.slice(0, eq));
    else urls.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return { urls, bad, malformed };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

// One PromQL label matcher: a label name, an operator, a quoted string (double or single quotes, escapes allowed).
const MATCHER = /^[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')$/;

/**
 * Splits `a="x", b=~"y,z"` into matchers at the commas outside quotes (a trailing comma is allowed, as in
 * PromQL); null when one is not a matcher.
 */
function matcherList(text: string): string[] | null {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote && ch === "\\") {
      cur += ch + (text[++i] ?? "");
      continue;
    }
    if (quote === null && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = null;
    if (ch === "," && quote === null) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "" || out.length === 0) out.push(cur.trim());
  return out.every(isMatcher) ? out : null;
}

// The escapes of a PromQL string (Go's): \a \b \f \n \r \t \v \\ \' \" \xHH \uHHHH \UHHHHHHHH \ooo.
const ESCAPE = /^(?:[abfnrtv\\'"]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})/;

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** The string's text with its escapes undone (a close reading of Go's strconv.Unquote), or null when one is not an escape. */
function unquoted(body: string): string | null {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== "\\") {
      out += body[i];
      continue;
    }
    const m = ESCAPE.exec(body.slice(i + 1));
    if (!m) return null;
    const e = m[0];
    i += e.length;
    if (e.length === 1) {
      out += SIMPLE_ESCAPES[e] ?? e;
      continue;
    }
    const code = /^[0-7]/.test(e) ? parseInt(e, 8) : parseInt(e.slice(1), 16);
    // Go refuses a code point past Unicode's last or a surrogate.
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    out += String.fromCodePoint(code);
  }
  return out;
}

/**
 * One matcher Prometheus will take: the shape (MATCHER), no raw control character (a newline ends the
 * string in PromQL), only Go's string escapes, and for =~ / !~ a pattern that compiles (RE2 takes less
 * than JavaScript, but an unbalanced parenthesis fails both). A bad one would make Prometheus refuse
 * every query, reported as a query error rather than as this setting.
 */
function isMatcher(m: string): boolean {
  if (!MATCHER.test(m) || /\p{Cc}/u.test(m)) return false;
  const value = unquoted(m.slice(m.search(/["']/) + 1, -1));
  if (value === null) return false;
  if (/^[a-zA-Z_][a-zA-Z0-9_]*\s*[=!]~/.test(m)) {
    try {
      new RegExp(value, "u");
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * "prod={cluster=\"eu-1\"} staging={cluster=\"us-2\", env!=\"test\"}" → Map context → matchers (joined by
 * ", "). `bad`: contexts whose braces hold something that is not a list of label matchers; `malformed`:
 * text outside any `context={…}` entry, which names no context.
 */
function perContextMatchers(text: string | undefined): {
  matchers: Map<string, string>;
  bad: Set<string>;
  malformed: boolean;
} {
  const matchers = new Map<string, string>();
  const bad = new Set<string>();
  const entry = /\s*([^\s={}]+)=\{((?:[^"'}]|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')*)\}\s*/y;
  const src = text ?? "";
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    entry.lastIndex = at;
    const m = entry.exec(src);
    if (!m) return { matchers, bad, malformed: true };
    const list = matcherList(m[2]!);
    if (list) matchers.set(m[1]!, list.join(", "));
    else bad.add(m[1]!);
    at = entry.lastIndex;
  }
  return { matchers, bad, malformed: false };
}

/** The variables above, parsed once. What makes a setting unusable is kept to be reported per cluster. */
export interface TelemetryEnv {
  window: string;
  timeoutMs: number;
  /** HANDSHAKE_PROMETHEUS_URLS: the usable per-context URLs, and the contexts whose URL is not http(s). */
  urls: Map<string, string>;
  badUrls: Set<string>;
  /** Where a cluster without its own URL goes: HANDSHAKE_PROMETHEUS_URL, else _SERVICE, else the default. */
  fallback: PrometheusTarget;
  windowProblem?: string;
  /** Entries of HANDSHAKE_PROMETHEUS_URLS without "=": they name no context, so they count against every cluster. */
  malformedProblem?: string;
  /** Why HANDSHAKE_PROMETHEUS_URL or _SERVICE cannot be used (`fallback` is then the default). */
  fallbackProblem?: string;
  /** Logged once at start: an unusable timeout, which falls back to the default rather than disabling telemetry. */
  problems: string[];
  /** HANDSHAKE_PROMETHEUS_MATCHERS: the usable per-context matchers, and the contexts whose entry is not. */
  matchers: Map<string, string>;
  badMatchers: Set<string>;
  /** Text of HANDSHAKE_PROMETHEUS_MATCHERS outside any `context={…}` entry: it counts against every cluster. */
  malformedMatchersProblem?: string;
}

export function parseTelemetryEnv(env: Record<string, string | undefined>): TelemetryEnv {
  const windowRaw = env.HANDSHAKE_TRAFFIC_WINDOW?.trim();
  const windowOk = !windowRaw || DURATION.test(windowRaw);
  const timeout = positiveEnv(env, "HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS);
  const { urls, bad, malformed } = perContext(env.HANDSHAKE_PROMETHEUS_URLS);
  const m = perContextMatchers(env.HANDSHAKE_PROMETHEUS_MATCHERS);
  let fallback: PrometheusTarget = { kind: "service", service: DEFAULT_SERVICE };
  let fallbackProblem: string | undefined;
  const url = env.HANDSHAKE_PROMETHEUS_URL?.trim();
  if (url) {
    if (isHttpUrl(url)) fallback = { kind: "url", url };
    // Only the variable is named, since the URL may carry credentials.
    else fallbackProblem = `HANDSHAKE_PROMETHEUS_URL is not an http(s) URL`;
  } else if (env.HANDSHAKE_PROMETHEUS_SERVICE?.trim()) {
    const svc = parseService(env.HANDSHAKE_PROMETHEUS_SERVICE);
    if (svc) fallback = { kind: "service", service: svc };
    else
      fallbackProblem = `HANDSHAKE_PROMETHEUS_SERVICE=${JSON.stringify(env.HANDSHAKE_PROMETHEUS_SERVICE)} is not namespace/name:port`;
  }
  return {
    window: windowRaw && windowOk ? windowRaw : DEFAULT_WINDOW,
    timeoutMs: timeout.value * 1000,
    urls,
    badUrls: bad,
    fallback,
    ...(windowOk
      ? {}
      : {
          windowProblem: `HANDSHAKE_TRAFFIC_WINDOW=${JSON.stringify(windowRaw)} is not a Prometheus duration (e.g. 5m, 1h, 1d)`,
        }),
    ...(malformed
      ? {
          malformedProblem: `HANDSHAKE_PROMETHEUS_URLS: an entry without "=": expected context=http(s)://url`,
        }
      : {}),
    ...(fallbackProblem ? { fallbackProblem } : {}),
    problems: timeout.problem ? [timeout.problem] : [],
    matchers: m.matchers,
    badMatchers: m.bad,
    ...(m.malformed
      ? {
          malformedMatchersProblem: `HANDSHAKE_PROMETHEUS_MATCHERS: expected context={label="value", …} entries separated by white space`,
        }
      : {}),
  };
}

/**
 * Contexts that HANDSHAKE_PROMETHEUS_URLS or HANDSHAKE_PROMETHEUS_MATCHERS name but no cluster here has.
 * A typo there fails silently otherwise: the cluster it meant keeps the shared Prometheus's other
 * clusters' series (no matchers) or the fallback URL. One line per variable, names sorted.
 */
export function unknownContextProblems(env: TelemetryEnv, clusters: readonly string[]): string[] {
  const known = new Set(clusters);
  const listed = [...known].sort().map((c) => JSON.stringify(c));
  const shown = listed.length > 10 ? [...listed.slice(0, 10), `and ${listed.length - 10} more`] : listed;
  const line = (variable: string, names: Iterable<string>) => {
    const unknown = [...new Set(names)].filter((n) => !known.has(n)).sort();
    if (!unknown.length) return [];
    const which = unknown.map((n) => JSON.stringify(n)).join(", ");
    return [
      `${variable} names ${unknown.length === 1 ? "context" : "contexts"} ${which}, which no cluster here has (clusters: ${shown.join(", ")}): ${unknown.length === 1 ? "its entry applies" : "their entries apply"} to nothing`,
    ];
  };
  return [
    ...line("HANDSHAKE_PROMETHEUS_URLS", [...env.urls.keys(), ...env.badUrls]),
    ...line("HANDSHAKE_PROMETHEUS_MATCHERS", [...env.matchers.keys(), ...env.badMatchers]),
  ];
}

/** The settings for one cluster (its kubeconfig context name, "in-cluster" or "demo"). */
export function telemetrySettings(env: TelemetryEnv, cluster: string): TelemetrySettings {
  const own = env.urls.get(cluster);
  // Only this cluster's own entry (or one naming no context) can make its setting unusable; only the
  // context is echoed, since the URL may carry credentials.
  const problems = [
    env.windowProblem,
    env.badUrls.has(cluster)
      ? `HANDSHAKE_PROMETHEUS_URLS: ${cluster}: expected context=http(s)://url`
      : undefined,
    env.malformedProblem,
    own === undefined ? env.fallbackProblem : undefined,
    env.badMatchers.has(cluster)
      ? `HANDSHAKE_PROMETHEUS_MATCHERS: ${cluster}: expected PromQL label matchers such as {cluster="eu-1"}`
      : undefined,
    env.malformedMatchersProblem,
  ].filter((p) => p !== undefined);
  const matchers = env.matchers.get(cluster);
  return {
    target: own === undefined ? env.fallback : { kind: "url", url: own },
    window: env.window,
    timeoutMs: env.timeoutMs,
    ...(matchers !== undefined ? { matchers } : {}),
    ...(problems.length ? { invalid: problems.join("; ") } : {}),
  };
}
