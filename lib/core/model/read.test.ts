import { describe, expect, it } from "vitest";
import { shown } from "./read";

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
