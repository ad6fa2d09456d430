// Go durations as cert-manager (metav1.Duration) and SPIRE (HCL) read them: time.ParseDuration
// (golang/go src/time/format.go). A possibly signed sequence of decimal numbers, each with an optional
// fraction and a unit (ns, us, µs, μs, ms, s, m, h): "2160h0m0s", "1h30m", ".5h", "+720h", "-1.5h".
// Only "0" may go without a unit; a bare number is an error ("missing unit"), as are spaces, other
// units ("1d") and a total beyond Go's Duration (about 292 years). Returns seconds, or null.
const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const LIMIT = 1n << 63n;
const NUMBER = /^(\d*)(?:\.(\d*))?/;
const UNIT = /^[^.0-9]*/;

export function parseDuration(text: string): number | null {
  const ns = parseDurationNs(text);
  return ns === null ? null : Number(ns) / 1e9;
}

/** time.ParseDuration, step by step: the nanoseconds, or null where Go returns an error. */
function parseDurationNs(text: string): bigint | null {
  let s = text;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return null;
  let total = 0n;
  while (s !== "") {
    const number = NUMBER.exec(s)!;
    const whole = number[1]!;
    const fraction = number[2] ?? "";
    if (whole === "" && fraction === "") return null; // no digits (".s", a unit first)
    s = s.slice(number[0].length);
    const unitText = UNIT.exec(s)![0];
    if (unitText === "") return null; // missing unit
    s = s.slice(unitText.length);
    const unit = UNIT_NS[unitText];
    if (unit === undefined) return null;
    let v = BigInt(whole === "" ? "0" : whole);
    if (v > LIMIT / unit) return null;
    v *= unit;
    if (fraction !== "") {
      // As Go: the fraction's digits while they fit in an int64, scaled in float64, truncated.
      const { f, scale } = leadingFraction(fraction);
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) return null;
    }
    total += v;
    if (total > LIMIT) return null;
  }
  if (!neg && total > LIMIT - 1n) return null;
  return neg ? -total : total;
}

/** Go's leadingFraction: the digits' value and 10^digits, ignoring digits past int64's precision. */
function leadingFraction(digits: string): { f: bigint; scale: number } {
  let f = 0n;
  let scale = 1;
  for (const c of digits) {
    const next = f * 10n + BigInt(c);
    if (f > (LIMIT - 1n) / 10n || next > LIMIT) break;
    f = next;
    scale *= 10;
  }
  return { f, scale };
}
