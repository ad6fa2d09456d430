// parseDuration is Go's time.ParseDuration (src/time/format.go), which cert-manager's metav1.Duration
// and SPIRE's HCL durations go through: the vectors of Go's own time_test.go (parseDurationTests,
// parseDurationErrorTests) where they fit a float of seconds, and the review's cases.
import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration";

const S = 1;
const MS = 1e-3;
const US = 1e-6;
const NS = 1e-9;
const M = 60;
const H = 3600;

describe("parseDuration follows Go's time.ParseDuration", () => {
  it.each([
    // simple
    ["0", 0],
    ["5s", 5 * S],
    ["30s", 30 * S],
    ["1478s", 1478 * S],
    // sign
    ["-5s", -5 * S],
    ["+5s", 5 * S],
    ["-0", 0],
    ["+0", 0],
    // decimal
    ["5.0s", 5 * S],
    ["5.6s", 5.6 * S],
    ["5.s", 5 * S],
    [".5s", 0.5 * S],
    ["1.0s", 1 * S],
    ["1.00s", 1 * S],
    ["1.004s", 1.004 * S],
    ["100.00100s", 100.001 * S],
    // units
    ["10ns", 10 * NS],
    ["11us", 11 * US],
    ["12µs", 12 * US],
    ["12μs", 12 * US],
    ["13ms", 13 * MS],
    ["14s", 14 * S],
    ["15m", 15 * M],
    ["16h", 16 * H],
    // composite
    ["3h30m", 3 * H + 30 * M],
    ["10.5s4m", 4 * M + 10.5 * S],
    ["-2m3.4s", -(2 * M + 3.4 * S)],
    ["1h2m3s4ms5us6ns", H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS],
    ["39h9m14.425s", 39 * H + 9 * M + 14.425 * S],
    ["0.3333333333333333333h", 20 * M],
    ["9223372036854775807ns", Number(9223372036854775807n) / 1e9],
    // cert-manager's and SPIRE's own spellings, and the review's
    ["2160h0m0s", 2160 * H],
    ["720h", 720 * H],
    ["1h30m", 1.5 * H],
    ["90m", 90 * M],
    ["1.5h", 1.5 * H],
    [".5h", 0.5 * H],
    ["+1h", H],
    ["+720h", 720 * H],
    ["5μs", 5 * US],
  ])("%s", (text, seconds) => {
    const got = parseDuration(text);
    expect(got).not.toBeNull();
    expect(got!).toBeCloseTo(seconds, 9);
  });

  it.each([
    "",
    "3",
    "3600", // a bare number: "missing unit" (only "0" may go without)
    "86400",
    "-",
    "s",
    ".",
    "-.",
    ".s",
    "+.s",
    "1d",
    "1h 30m",
    " 1h",
    "1e3s",
    "9223372036854775808ns", // past the largest Duration
    "9223372036854775.808us",
    "3000000h",
    "-9223372036854775809ns",
  ])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
