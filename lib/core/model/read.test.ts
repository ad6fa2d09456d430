import { describe, expect, it } from "vitest";
import { groupBy, inPortRuns, linkerdPolicyPortRuns, linkerdPortRuns, shown } from "./read";

describe("shown: a wrong value in a problem message", () => {
  it.each([
    [42, "42"],
    [NaN, "NaN"],
    [-Infinity, "-Infinity"],
    [true, "true"],
    [null, "null"],
    [undefined, "undefined"],
    ["yes", '"yes"'],
    [[1, "a"], '[1,"a"]'],
    [{ mode: "registry_only" }, '{"mode":"registry_only"}'],
    [{ toString: 1, valueOf: 1 }, '{"toString":1,"valueOf":1}'],
    ["x".repeat(100), `"${"x".repeat(56)}...`],
  ])("%j → %s", (v, text) => {
    expect(shown(v)).toBe(text);
  });
});

describe("linkerdPortRuns (linkerd2 util.ParsePorts)", () => {
  it.each([
    { v: "4567", runs: [[4567, 4567]] },
    { v: "9090-9091", runs: [[9090, 9091]] },
    {
      v: " 4567, 9090-9091 ,",
      runs: [
        [4567, 4567],
        [9090, 9091],
      ],
    },
    // One wide range stays one run (never expanded into 64k ports per workload).
    { v: "1024-65535", runs: [[1024, 65535]] },
    // Overlapping and adjacent parts merge; order does not matter.
    { v: "9092,9090-9091,9091-9095", runs: [[9090, 9095]] },
    // ParsePortRange: bounds are bare digits (strconv.Atoi(" 9091") fails), lo <= hi, at most 65535.
    { v: "9090 - 9091", runs: [] },
    { v: "9091-9090", runs: [] },
    { v: "70000", runs: [] },
    { v: "http", runs: [] },
    { v: "", runs: [] },
  ])("$v", ({ v, runs }) => {
    expect(linkerdPortRuns(v)).toEqual(runs);
  });

  it("tells whether a port is in the runs", () => {
    const runs = linkerdPortRuns("25,1024-65535");
    expect([24, 25, 26, 1023, 1024, 8080, 65535].map((p) => inPortRuns(runs, p))).toEqual([
      false,
      true,
      false,
      false,
      true,
      true,
      true,
    ]);
  });
});

describe("linkerdPolicyPortRuns (policy controller ports.rs parse_portset, through ports_annotation)", () => {
  it.each([
    // ports.rs's own test vectors.
    { v: "", runs: [] },
    { v: "0", runs: [] },
    { v: "1", runs: [[1, 1]] },
    { v: "1-3", runs: [[1, 3]] },
    {
      v: "4,1-2",
      runs: [
        [4, 4],
        [1, 2],
      ],
    },
    { v: "2-1", runs: [] },
    { v: "2-", runs: [] },
    { v: "65537", runs: [] },
    // Parts are trimmed (bounds too, unlike util.ParsePorts), empty parts skipped, "+" allowed as Rust's parse does.
    {
      v: " 8080 , 9090 - 9091 ,",
      runs: [
        [8080, 8080],
        [9090, 9091],
      ],
    },
    { v: "+8080", runs: [[8080, 8080]] },
    // Near miss: one bad part empties the whole list ("Invalid ports list"), where util.ParsePorts skips it.
    { v: "8080,http", runs: [] },
  ])("$v", ({ v, runs }) => {
    expect(linkerdPolicyPortRuns(v)).toEqual(runs);
  });

  it("parses a value once: the same runs for the same string, apart from linkerdPortRuns' (which reads it differently)", () => {
    expect(linkerdPolicyPortRuns("8080, 9090-9091")).toBe(linkerdPolicyPortRuns("8080, 9090-9091"));
    // Near miss: the injector's reading of the same string is its own (bounds not trimmed: " 9090" fails there).
    expect(linkerdPortRuns("8080, 9090-9091")).not.toBe(linkerdPolicyPortRuns("8080, 9090-9091"));
    expect(linkerdPortRuns("8080, 9090-9091")).toEqual([
      [8080, 8080],
      [9090, 9091],
    ]);
  });
});

describe("groupBy", () => {
  it("groups by key, keys in first-seen order and each group in list order", () => {
    const list = [
      { ns: "b", n: 1 },
      { ns: "a", n: 2 },
      { ns: "b", n: 3 },
    ];
    const g = groupBy(list, (x) => x.ns);
    expect([...g.keys()]).toEqual(["b", "a"]);
    expect(g.get("b")!.map((x) => x.n)).toEqual([1, 3]);
    // Near miss: a key no item has is absent, not an empty group.
    expect(g.has("c")).toBe(false);
    expect(groupBy([], (x) => x).size).toBe(0);
  });
});
