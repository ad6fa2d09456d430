// Defensive readers for untyped YAML/JSON: inputs come from users and clusters, so every field is
// checked before use and a wrong type reads as "absent" rather than throwing.
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

/**
 * The value at a path of object keys, undefined as soon as a step is not an object. Fixed optional
 * parameters rather than a rest array: it runs tens of thousands of times per analysis, and a rest
 * parameter allocates an array per call.
 */
export function at(v: unknown, k1: string, k2?: string, k3?: string, k4?: string, k5?: string): unknown {
  if (!isObj(v)) return undefined;
  let cur = v[k1];
  if (k2 === undefined) return cur;
  if (!isObj(cur)) return undefined;
  cur = cur[k2];
  if (k3 === undefined) return cur;
  if (!isObj(cur)) return undefined;
  cur = cur[k3];
  if (k4 === undefined) return cur;
  if (!isObj(cur)) return undefined;
  cur = cur[k4];
  if (k5 === undefined) return cur;
  if (!isObj(cur)) return undefined;
  return cur[k5];
}

/** An error (or its message) on one line, for problem messages, completeness entries and logs. */
export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
}

/**
 * A wrong value as a problem message shows it: numbers, booleans and null as written, strings quoted,
 * lists and mappings as JSON, cut at 60 characters (NaN stays NaN, where JSON would say null).
 */
export function shown(v: unknown): string {
  if (typeof v !== "string" && typeof v !== "object") return String(v);
  if (v === null) return "null";
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = Array.isArray(v) ? "a list" : "a mapping";
  }
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

/** A map of string values (labels, annotations); non-string values are stringified as Kubernetes would reject them anyway. */
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  // for…in over own keys rather than Object.entries: no [key, value] array per label.
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const val = v[k];
    if (typeof val === "string") out[k] = val;
    else if (typeof val === "number" || typeof val === "boolean") out[k] = String(val);
  }
  return out;
}

/** An optional field that is not set: absent or null (as a YAML/JSON reader gives it). */
export const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

/** A port number 1..65535 from a number or a numeric string; undefined otherwise. */
export function portNumber(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** Comma-separated port list as used by capture annotations ("8080, 9090"); "*" and ranges are ignored. */
export function portList(v: string | undefined): number[] {
  if (!v) return [];
  const out: number[] = [];
  for (const part of v.split(",")) {
    const p = portNumber(part.trim());
    if (p !== undefined) out.push(p);
  }
  return out;
}

/** Inclusive port runs `[lo, hi]`, sorted and merged: a port list that may hold ranges ("1024-65535"). */
export type PortRuns = readonly (readonly [number, number])[];

const NO_RUNS: PortRuns = [];
/**
 * Parsed values by annotation string. Module-level so the dashboard's re-analyses reuse it; bounded, as
 * a long-running server sees annotation values come and go (cleared when full: values are few per mesh).
 */
const runsCache = new Map<string, PortRuns>();
/** linkerdPolicyPortRuns' parsed values, the same way (its own map: the two read a value differently). */
const policyRunsCache = new Map<string, PortRuns>();
const RUNS_CACHE_MAX = 1024;
const DIGITS = /^\d+$/;

/**
 * A Linkerd port list with ranges, as linkerd2 util.ParsePorts reads it (pkg/util/parsing.go,
 * portrange.go ParsePortRange): comma-separated parts, each trimmed, a port or "lo-hi" whose bounds are
 * bare digits (strconv.Atoi: " 9091" fails), 1..65535, lo <= hi; a part that does not parse is skipped.
 * Kept as runs, never expanded ("1024-65535" is one run), and parsed once per annotation value: a
 * namespace's value is shared by all of its workloads.
 */
export function linkerdPortRuns(v: string | undefined): PortRuns {
  if (!v) return NO_RUNS;
  let hit = runsCache.get(v);
  if (hit) return hit;
  const runs: [number, number][] = [];
  for (const part of v.split(",")) {
    const t = part.trim();
    const dash = t.indexOf("-");
    const a = dash < 0 ? t : t.slice(0, dash);
    const b = dash < 0 ? t : t.slice(dash + 1);
    if (!DIGITS.test(a) || !DIGITS.test(b)) continue;
    const lo = Number(a);
    const hi = Number(b);
    if (lo < 1 || hi > 65535 || lo > hi) continue;
    runs.push([lo, hi]);
  }
  runs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const r of runs) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  hit = merged.length === 0 ? NO_RUNS : merged;
  if (runsCache.size >= RUNS_CACHE_MAX) runsCache.clear();
  runsCache.set(v, hit);
  return hit;
}

/** Rust's `str::parse::<NonZeroU16>()` of a trimmed part: digits after an optional "+", 1..65535. */
function nonZeroU16(s: string): number | null {
  const t = s.trim();
  if (!/^\+?\d+$/.test(t)) return null;
  const n = Number(t.replace(/^\+/, ""));
  return n >= 1 && n <= 65535 ? n : null;
}

/**
 * A port list as Linkerd's policy controller reads an annotation (policy-controller k8s/index
 * ports.rs `parse_portset`, through `ports_annotation`): comma-separated ports or "lo-hi" ranges,
 * empty parts skipped; one part that does not parse (or a decreasing range) makes the whole list
 * empty ("Invalid ports list"), unlike the injector's util.ParsePorts (linkerdPortRuns), which skips it.
 */
export function linkerdPolicyPortRuns(v: string | undefined): PortRuns {
  if (!v) return NO_RUNS;
  let hit = policyRunsCache.get(v);
  if (!hit) {
    hit = parsePolicyPortRuns(v);
    if (policyRunsCache.size >= RUNS_CACHE_MAX) policyRunsCache.clear();
    policyRunsCache.set(v, hit);
  }
  return hit;
}

function parsePolicyPortRuns(v: string): PortRuns {
  const runs: [number, number][] = [];
  for (const part of v.split(",")) {
    const dash = part.indexOf("-");
    if (dash < 0) {
      if (part.trim() === "") continue;
      const p = nonZeroU16(part);
      if (p === null) return NO_RUNS;
      runs.push([p, p]);
      continue;
    }
    const lo = nonZeroU16(part.slice(0, dash));
    const hi = nonZeroU16(part.slice(dash + 1));
    if (lo === null || hi === null || lo > hi) return NO_RUNS;
    runs.push([lo, hi]);
  }
  return runs;
}

export function inPortRuns(runs: PortRuns, port: number): boolean {
  for (const [lo, hi] of runs) if (port >= lo && port <= hi) return true;
  return false;
}

/** Port runs as written for a reader: "4567, 9090-9091". */
export function portRuns(runs: PortRuns): string {
  return runs.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(", ");
}

/** The items of `list` by key, each group in list order. */
export function groupBy<T, K>(list: Iterable<T>, keyOf: (x: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const x of list) {
    const k = keyOf(x);
    const l = out.get(k);
    if (l) l.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/** Every selector label is present with an equal value (Istio's labels.Instance.SubsetOf). */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}
