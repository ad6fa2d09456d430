import { describe, expect, it } from "vitest";
import { perRun } from "./perRun";

describe("perRun", () => {
  it("copies every field, in order, by reference, onto a new plain object", () => {
    const model = new Map([["a", 1]]);
    const fields = { model, list: [1, 2], name: "x", flag: false, nothing: null, count: 3 };
    const out = perRun(fields);
    expect(out).not.toBe(fields);
    expect(Object.keys(out)).toEqual(["model", "list", "name", "flag", "nothing", "count"]);
    expect(out.model).toBe(model);
    expect(out.list).toBe(fields.list);
    expect(out).toStrictEqual(fields);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
