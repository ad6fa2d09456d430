import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../bench/generate";
import type { Edge } from "./schema";
import { compareEdges, sortEdges } from "./sort";

// sortEdges ranks shared source/destination objects; it must give exactly the stable order of
// sort(compareEdges), also when equal sources or destinations are distinct objects.
function randomEdges(n: number, seed: number): Edge[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const sources = [null, "a", "b", "ns-1"].flatMap((ns) =>
    ["x", "y", "z-1"].map((w) => ({ namespace: ns, workload: ns ? w : null })),
  );
  const dests = ["a", "b"].flatMap((ns) =>
    ["s", "t"].flatMap((svc) =>
      [80, 9090, 443].map((port) => ({
        namespace: ns,
        service: svc,
        host: `${svc}.${ns}.svc.cluster.local`,
        port,
        workloads: [],
      })),
    ),
  );
  return Array.from({ length: n }, (_, i) => {
    const source = pick(sources);
    const destination = pick(dests);
    return {
      id: `e${i}`,
      // Half the edges get a copy: equal content in a distinct object must rank the same.
      source: rnd() < 0.5 ? source : { ...source },
      destination: rnd() < 0.5 ? destination : { ...destination },
    } as unknown as Edge;
  });
}

describe("sortEdges", () => {
  it.each([0, 1, 2, 50, 500])("orders %i edges exactly as a stable sort by compareEdges", (n) => {
    const edges = randomEdges(n, n + 7);
    const expected = [...edges].sort(compareEdges).map((e) => e.id);
    expect(sortEdges(edges).map((e) => e.id)).toEqual(expected);
  });
});
