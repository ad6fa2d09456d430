import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../../bench/generate";
import type { EdgeAnalysis } from "../../edges/buildEdges";
import type { DestinationRule } from "../../model/mesh";
import { hostMatchScore } from "../../resolve/destinationRule";
import { shadowings, type Shadowing } from "./drShadowing";

// The per-edge noting that shadowings() replaces (dr.shadowed before it grouped edges): the reference.
function reference(edges: EdgeAnalysis[]) {
  const shadowed = new Map<DestinationRule, { clients: Set<string>; by: Set<DestinationRule> }>();
  const hidden = new Map<DestinationRule, { clients: Set<string>; by: Set<DestinationRule> }>();
  const note = (m: typeof shadowed, dr: DestinationRule, client: string, by: readonly DestinationRule[]) => {
    const s = m.get(dr) ?? { clients: new Set(), by: new Set() };
    s.clients.add(client);
    for (const b of by) s.by.add(b);
    m.set(dr, s);
  };
  for (const ea of edges) {
    if (ea.prediction.shadowed.length === 0) continue;
    const applied = ea.prediction.dr;
    const client = ea.client.name ? `${ea.client.namespace}/${ea.client.name}` : "unknown";
    if (!applied) {
      for (const dr of ea.prediction.shadowed) note(hidden, dr, client, ea.prediction.hiddenBy);
      continue;
    }
    const appliedScore = hostMatchScore(applied.rule.fqdn, ea.service.host);
    for (const dr of ea.prediction.shadowed) {
      if (hostMatchScore(dr.fqdn, ea.service.host) < appliedScore) continue;
      note(shadowed, dr, client, [applied.rule]);
    }
  }
  return { shadowed, hidden };
}

/** Names in the order they come, as comparable plain data (Map order and `by` order are what the messages show). */
const plain = (
  m: Map<DestinationRule, Shadowing | { clients: Set<string>; by: Iterable<DestinationRule> }>,
) =>
  [...m].map(([dr, s]) => ({
    dr: dr.name,
    clients: [...s.clients].sort(),
    by: [...s.by].map((b) => b.name),
  }));

const dr = (name: string, fqdn: string) =>
  ({ name, namespace: "ns", fqdn, host: fqdn }) as unknown as DestinationRule;

function randomEdges(seed: number, n: number): EdgeAnalysis[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const hosts = [
    "a.x.svc.cluster.local",
    "b.x.svc.cluster.local",
    "c.y.svc.cluster.local",
    "d.y.svc.cluster.local",
  ];
  const drs = [
    ...hosts.map((h, i) => dr(`exact${i}`, h)),
    dr("wildX", "*.x.svc.cluster.local"),
    dr("wildY", "*.y.svc.cluster.local"),
    dr("local", "*.cluster.local"),
    dr("all", "*"),
  ];
  // Shared lists (as the resolver shares them) and fresh ones with the same content.
  const lists: DestinationRule[][] = [
    [],
    [drs[4]!, drs[6]!],
    [drs[6]!],
    [drs[0]!, drs[4]!, drs[7]!],
    [drs[5]!, drs[1]!],
  ];
  const clients = Array.from({ length: 12 }, (_, i) => ({
    namespace: `c${i % 3}`,
    name: i === 11 ? null : `w${i % 7}`,
  }));
  return Array.from({ length: n }, () => {
    const shared = pick(lists);
    const shadowed = rand() < 0.3 ? [...shared] : shared;
    const hiddenBy = rand() < 0.5 ? [pick(drs)] : [pick(drs), pick(drs)];
    const applied = rand() < 0.25 ? null : { rule: pick(drs) };
    return {
      client: pick(clients),
      service: { host: pick(hosts) },
      prediction: { shadowed, dr: applied, hiddenBy },
    } as unknown as EdgeAnalysis;
  });
}

describe("shadowings (dr.shadowed's callers per DR)", () => {
  it("gives what noting every DR on every edge gives: same DRs in the same order, same callers, same `by` order", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const edges = randomEdges(seed, 400);
      const got = shadowings(edges);
      const want = reference(edges);
      expect(plain(got.shadowed), `seed ${seed}`).toEqual(plain(want.shadowed));
      expect(plain(got.hidden), `seed ${seed}`).toEqual(plain(want.hidden));
    }
  });

  it("keeps out a later-tier DR that matches the host less specifically than the one applied", () => {
    const exact = dr("exact", "a.x.svc.cluster.local");
    const wild = dr("wild", "*.x.svc.cluster.local");
    const local = dr("local", "*.cluster.local");
    const edge = {
      client: { namespace: "c", name: "w" },
      service: { host: "a.x.svc.cluster.local" },
      prediction: { shadowed: [local, exact], dr: { rule: wild }, hiddenBy: [] },
    } as unknown as EdgeAnalysis;
    const got = shadowings([edge]);
    expect([...got.shadowed.keys()].map((d) => d.name)).toEqual(["exact"]);
    expect(got.hidden.size).toBe(0);
  });
});
