import { describe, expect, it } from "vitest";
import { readCluster, readDuration, readNamespace, readSeverities, readTheme } from "./apiParams";

const q = (s: string) => new URLSearchParams(s);

describe("apiParams", () => {
  it("reads cluster and namespace, absent = undefined", () => {
    expect(readCluster(q(""))).toEqual({ ok: true, value: undefined });
    expect(readCluster(q("cluster=kind-prod"))).toEqual({ ok: true, value: "kind-prod" });
    expect(readCluster(q("cluster=arn:aws:eks:eu-west-1:1:cluster/x"))).toMatchObject({ ok: true });
    expect(readNamespace(q("namespace=shop"))).toEqual({ ok: true, value: "shop" });
    const bad = readNamespace(q("namespace=Shop_1"));
    expect(bad).toEqual({
      ok: false,
      error: {
        status: 400,
        code: "invalid-namespace",
        message: 'parameter "namespace": "Shop_1" is not a valid namespace name',
      },
    });
    // Any printable name is well-formed (kubeconfig context names are free strings): an unknown one
    // is the route's 404. Text is escaped wherever a name is shown.
    expect(readCluster(q("cluster=%3Cscript%3E"))).toEqual({ ok: true, value: "<script>" });
    expect(readCluster(q("cluster=a%0Ab"))).toMatchObject({
      ok: false,
      error: { code: "invalid-cluster" },
    });
  });

  it("reads severities as one comma separated list, refuses a repeated one, and names a bad one", () => {
    expect(readSeverities(q("severity=error,warning,error"))).toEqual({
      ok: true,
      value: ["error", "warning"],
    });
    expect(readSeverities(q("severity=error&severity=warning"))).toMatchObject({
      ok: false,
      error: { status: 400, code: "invalid-severity", message: expect.stringContaining("given 2 times") },
    });
    expect(readSeverities(q(""))).toEqual({ ok: true, value: [] });
    expect(readSeverities(q("severity=error,fatal"))).toMatchObject({
      ok: false,
      error: {
        status: 400,
        code: "invalid-severity",
        message: 'parameter "severity": "fatal" is not one of error, warning, info',
      },
    });
  });

  it("reads durations with a fallback, and all where allowed", () => {
    expect(readDuration(q("expiringWithin=12h"), "expiringWithin", { fallback: null })).toEqual({
      ok: true,
      value: { text: "12h", seconds: 43_200 },
    });
    expect(readDuration(q(""), "expiringWithin", { fallback: null })).toEqual({ ok: true, value: null });
    expect(readDuration(q(""), "window", { fallback: "30d" })).toMatchObject({
      ok: true,
      value: { seconds: 2_592_000 },
    });
    expect(readDuration(q("window=all"), "window", { fallback: "30d", allowAll: true })).toEqual({
      ok: true,
      value: null,
    });
    expect(readDuration(q("expiringWithin=all"), "expiringWithin", { fallback: null })).toMatchObject({
      ok: false,
      error: { code: "invalid-expiring-within" },
    });
    expect(readDuration(q("window=-3d"), "window", { fallback: "30d" })).toMatchObject({
      ok: false,
      error: {
        status: 400,
        code: "invalid-window",
        message: expect.stringContaining('parameter "window": "-3d"'),
      },
    });
  });

  it("refuses every repeated parameter the same way, naming it and the count (never half-read)", () => {
    const cases: [string, (p: URLSearchParams) => { ok: boolean }, string][] = [
      ["cluster=demo&cluster=nope", readCluster, "invalid-cluster"],
      ["namespace=shop&namespace=billing", readNamespace, "invalid-namespace"],
      ["severity=error&severity=warning", readSeverities, "invalid-severity"],
      [
        "expiringWithin=30d&expiringWithin=zz",
        (p) => readDuration(p, "expiringWithin", { fallback: null }),
        "invalid-expiring-within",
      ],
      [
        "window=7d&window=7d",
        (p) => readDuration(p, "window", { fallback: "30d", allowAll: true }),
        "invalid-window",
      ],
      ["theme=dark&theme=x&theme=light", readTheme, "invalid-theme"],
      // An empty repetition is still a repetition: which one was meant is not known.
      ["cluster=&cluster=demo", readCluster, "invalid-cluster"],
    ];
    for (const [query, read, code] of cases) {
      const name = query.split("=")[0]!;
      const n = query.split("&").length;
      expect(read(q(query)), query).toEqual({
        ok: false,
        error: {
          status: 400,
          code,
          message: `parameter "${name}": given ${n} times; give it once${name === "severity" ? " (one comma separated list: severity=error,warning)" : ""}`,
        },
      });
    }
  });

  it("near miss: one of each, or other parameters repeated, are read as before", () => {
    const p = q("cluster=demo&namespace=shop&severity=error,warning&window=7d&theme=dark&x=1&x=2");
    expect(readCluster(p)).toEqual({ ok: true, value: "demo" });
    expect(readNamespace(p)).toEqual({ ok: true, value: "shop" });
    expect(readSeverities(p)).toEqual({ ok: true, value: ["error", "warning"] });
    expect(readDuration(p, "window", { fallback: "30d" })).toEqual({
      ok: true,
      value: { text: "7d", seconds: 604_800 },
    });
    expect(readTheme(p)).toEqual({ ok: true, value: "dark" });
  });

  it("reads a duration exactly as given: white space around it is refused, not trimmed", () => {
    for (const [query, name, value] of [
      ["window=%2030d", "window", " 30d"],
      ["window=30d%20", "window", "30d "],
      ["window=%09all", "window", "\tall"],
      ["expiringWithin=+7d", "expiringWithin", " 7d"],
    ] as const)
      expect(readDuration(q(query), name, { fallback: null, allowAll: true }), query).toMatchObject({
        ok: false,
        error: {
          status: 400,
          message: expect.stringContaining(`parameter "${name}": "${value.replace("\t", "?")}"`),
        },
      });
    // Near miss: the same durations without the white space.
    expect(readDuration(q("window=30d"), "window", { fallback: null })).toEqual({
      ok: true,
      value: { text: "30d", seconds: 2_592_000 },
    });
  });

  it("clips long echoed values", () => {
    const r = readSeverities(q(`severity=${"x".repeat(500)}`));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message.length).toBeLessThan(140);
  });

  it("reads the theme", () => {
    expect(readTheme(q("theme=dark"))).toEqual({ ok: true, value: "dark" });
    expect(readTheme(q(""))).toEqual({ ok: true, value: "light" });
    expect(readTheme(q("theme=blue"))).toMatchObject({ ok: false, error: { code: "invalid-theme" } });
  });
});
