// Time windows in URLs and API parameters (`window=30d`, `expiringWithin=12h`): a positive whole
// number and one unit — m (minutes), h, d, w, y (365 d), exactly: no white space around it (a trimmed
// " 30d" was accepted but kept untrimmed, a second "30d" preset). Returns seconds, or null when it does
// not parse, so callers can answer 400 naming the parameter.
const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

export const DEFAULT_WINDOW = "30d";

export function parseWindow(text: string): number | null {
  const m = /^([1-9]\d{0,5})([mhdwy])$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}

/** The expiry window that shows every certificate (the timeline's preset; the URL, embed and SVG take it). */
export const ALL_WINDOW = "all";

/** A `window=` value the expiry views take: a duration, or all. One test for every parser of it. */
export function isExpiryWindow(v: string): boolean {
  return v === ALL_WINDOW || parseWindow(v) !== null;
}
