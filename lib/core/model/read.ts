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

/**
 * Linkerd's port-list annotations (config.linkerd.io/skip-inbound-ports): comma-separated ports and
 * `lo-hi` ranges, expanded, as linkerd2 reads them (pkg/util/parsing.go `ParsePorts`, `GetPortRanges`;
 * pkg/util/portrange.go `ParsePortRange`: one value is both bounds, upper ≥ lower, an invalid part is
 * skipped). Each port once, in the order written.
 */
export function linkerdPortList(v: string | undefined): number[] {
  if (!v) return [];
  const out = new Set<number>();
  for (const part of v.split(",")) {
    const t = part.trim();
    const dash = t.indexOf("-");
    const lo = portNumber(dash < 0 ? t : t.slice(0, dash));
    const hi = dash < 0 ? lo : portNumber(t.slice(dash + 1));
    if (lo === undefined || hi === undefined) continue;
    for (let p = lo; p <= hi; p++) out.add(p);
  }
  return [...out];
}

/** Ports as written for a reader: runs of consecutive ports as `lo-hi` ("4567, 9090-9091"). */
export function portRuns(ports: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ports.length; ) {
    let j = i;
    while (j + 1 < ports.length && ports[j + 1] === ports[j]! + 1) j++;
    parts.push(j > i ? `${ports[i]}-${ports[j]}` : `${ports[i]}`);
    i = j + 1;
  }
  return parts.join(", ");
}

/** Every selector label is present with an equal value (Istio's labels.Instance.SubsetOf). */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}
