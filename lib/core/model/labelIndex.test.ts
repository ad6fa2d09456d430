import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../bench/generate";
import { workloadsMatching } from "./labelIndex";
import type { Workload } from "./mesh";
import { selectorMatches } from "./read";

// Only the fields workloadsMatching reads; the rest of a Workload does not matter to it.
const workload = (name: string, labels: Record<string, string>) =>
  ({ namespace: "ns", name, labels }) as unknown as Workload;

/** The scan the index replaces: the reference answer. */
const scan = (list: Workload[], selector: Record<string, string>) =>
  list.filter((w) => selectorMatches(selector, w.labels));

function randomList(rand: () => number, n: number): Workload[] {
  const pick = (k: number) => String(Math.floor(rand() * k));
  return Array.from({ length: n }, (_, i) => {
    const labels: Record<string, string> = { app: `a${pick(40)}` };
    if (rand() < 0.7) labels.version = `v${pick(3)}`;
    if (rand() < 0.3) labels.tier = pick(2) === "0" ? "web" : "db";
    return workload(`w${i}`, labels);
  });
}

describe("workloadsMatching", () => {
  it("answers as the scan does, in list order, on small and indexed lists", () => {
    const rand = mulberry32(7);
    for (const size of [0, 5, 63, 64, 500, 3000]) {
      const list = randomList(rand, size);
      const selectors: Record<string, string>[] = [
        {},
        { app: "a3" },
        { app: "a3", version: "v1" },
        { version: "v2", tier: "db" },
        { app: "nope" },
        { app: "a1", missing: "x" },
        { tier: "web" },
      ];
      for (const sel of selectors)
        expect(
          workloadsMatching(list, sel).map((w) => w.name),
          `${size} ${JSON.stringify(sel)}`,
        ).toEqual(scan(list, sel).map((w) => w.name));
    }
  });

  it("an empty selector meets every workload; a label must be present with an equal value", () => {
    const list = Array.from({ length: 100 }, (_, i) =>
      workload(`w${i}`, i % 2 ? { app: "x" } : { app: "x", role: "" }),
    );
    expect(workloadsMatching(list, {})).toHaveLength(100);
    expect(workloadsMatching(list, { role: "" })).toHaveLength(50);
    expect(workloadsMatching(list, { app: "X" })).toHaveLength(0);
  });

  it("sees workloads appended to a list it already indexed", () => {
    const list = randomList(mulberry32(3), 200);
    const before = workloadsMatching(list, { app: "a5" }).length;
    list.push(workload("late", { app: "a5" }));
    const after = workloadsMatching(list, { app: "a5" });
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)?.name).toBe("late");
  });

  it("returns a new array each time (callers filter or keep it)", () => {
    const list = randomList(mulberry32(5), 100);
    const a = workloadsMatching(list, {});
    expect(a).not.toBe(list);
    expect(a).not.toBe(workloadsMatching(list, {}));
  });
});
