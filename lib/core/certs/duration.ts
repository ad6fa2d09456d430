// Go-style durations as cert-manager and SPIRE write them ("2160h", "1h30m", "90m", "720h0m0s",
// "45s", Go's "ms"/"us"/"µs"/"ns" too); also a bare number of seconds. Returns seconds, or null when it does not parse.
const UNIT: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, "µs": 1e-6, ns: 1e-9 };

export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === t.length && matched > 0 ? total : null;
}
