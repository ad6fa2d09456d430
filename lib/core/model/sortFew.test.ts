import { describe, expect, it } from "vitest";
import { sortFew } from "./sortFew";

describe("sortFew", () => {
  it("sorts in place like Array#sort, stably", () => {
    const items = [5, 3, 9, 1, 3, 7, 0].map((n, i) => ({ n, i }));
    const expected = [...items].sort((a, b) => a.n - b.n);
    const out = sortFew(items, (a, b) => a.n > b.n);
    expect(out).toBe(items);
    expect(out).toEqual(expected);
    // Stable: the two 3s keep their input order.
    expect(out.filter((x) => x.n === 3).map((x) => x.i)).toEqual([1, 4]);
  });

  it("leaves empty and one-item lists alone", () => {
    expect(sortFew([], (a: number, b: number) => a > b)).toEqual([]);
    expect(sortFew(["x"], (a, b) => a > b)).toEqual(["x"]);
  });
});
