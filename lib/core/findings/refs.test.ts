import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../bench/generate";
import { listNames, listSortedNames } from "./refs";

describe("listSortedNames", () => {
  it("says what listNames says of the names sorted, for every size around the cut", () => {
    const rand = mulberry32(11);
    for (let n = 0; n <= 12; n++)
      for (let trial = 0; trial < 20; trial++) {
        // Duplicates and shared prefixes included: `.sort()` order is UTF-16 code unit order.
        const names = Array.from(
          { length: n },
          () => `ns${Math.floor(rand() * 4)}/w${Math.floor(rand() * 30)}${rand() < 0.2 ? "Z" : ""}`,
        );
        expect(listSortedNames(names), names.join(" ")).toBe(listNames([...names].sort()));
        expect(listSortedNames(new Set(names), 3)).toBe(listNames([...new Set(names)].sort(), 3));
      }
  });

  it("reads any iterable once", () => {
    function* gen() {
      yield* ["c", "a", "b"];
    }
    expect(listSortedNames(gen())).toBe("a, b and c");
  });
});
