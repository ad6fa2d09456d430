import { describe, expect, it } from "vitest";
import { parseManifestText } from "../lib/core/load/parseManifests";
import { analyze } from "../lib/core/snapshot/analyze";
import { parseTraffic } from "../lib/core/traffic/parseTraffic";
import { generateMesh, scaledSizes, type MeshSizes } from "./generate";

const TINY: MeshSizes = {
  namespaces: 5,
  workloads: 20,
  services: 8,
  peerAuthentications: 4,
  destinationRules: 4,
  edges: 30,
};
const NOW = new Date("2026-11-27T12:00:00Z");

function kindCounts(yaml: string): Record<string, number> {
  const parsed = parseManifestText(yaml, "bench.yaml");
  const out: Record<string, number> = {};
  for (const o of parsed.objects) out[o.object.kind] = (out[o.object.kind] ?? 0) + 1;
  return out;
}

describe("bench mesh generator", () => {
  const mesh = generateMesh(TINY);

  it("produces YAML that parses without problems, with exactly the requested counts", () => {
    const parsed = parseManifestText(mesh.yaml, "bench.yaml");
    expect(parsed.problems).toEqual([]);
    const counts = kindCounts(mesh.yaml);
    expect(counts.Namespace).toBe(TINY.namespaces);
    expect(counts.Deployment).toBe(TINY.workloads);
    expect(counts.Service).toBe(TINY.services);
    expect(counts.PeerAuthentication).toBe(TINY.peerAuthentications);
    expect(counts.DestinationRule).toBe(TINY.destinationRules);
  });

  it("produces traffic with exactly the requested number of distinct (source, destination) pairs", () => {
    const traffic = parseTraffic(mesh.traffic, "bench.prom");
    expect(traffic.problems).toEqual([]);
    const pairs = new Set<string>();
    for (const s of traffic.samples) {
      expect(s.labels.reporter).toBe("destination");
      expect(["mutual_tls", "none", "unknown"]).toContain(s.labels.connection_security_policy);
      pairs.add(
        `${s.labels.source_workload_namespace}/${s.labels.source_workload}->${s.labels.destination_service}`,
      );
    }
    expect(pairs.size).toBe(TINY.edges);
  });

  it("is deterministic", () => {
    expect(generateMesh(TINY)).toEqual(mesh);
    expect(generateMesh(TINY, 7)).not.toEqual(mesh);
  });

  it("analyses into one edge per requested pair", () => {
    const inputs = parseManifestText(mesh.yaml, "bench.yaml");
    const traffic = parseTraffic(mesh.traffic, "bench.prom");
    const snap = analyze(inputs, { now: NOW, source: { type: "manifests" }, traffic });
    expect(snap.edges).toHaveLength(TINY.edges);
    expect(snap.workloads).toHaveLength(TINY.workloads);
    expect(snap.edges.every((e) => e.source.workload !== null && e.observed !== null)).toBe(true);
    expect(snap.edges.some((e) => e.observed?.portAmbiguous)).toBe(false);
  });

  it("keeps the counts exact at a larger scale, with every namespace flavour present", () => {
    const sizes = scaledSizes(0.02); // 10 namespaces, 200 workloads, 40 services, 20 PAs, 20 DRs, 400 edges
    const m = generateMesh(sizes);
    const counts = kindCounts(m.yaml);
    expect([
      counts.Namespace,
      counts.Deployment,
      counts.Service,
      counts.PeerAuthentication,
      counts.DestinationRule,
    ]).toEqual([
      sizes.namespaces,
      sizes.workloads,
      sizes.services,
      sizes.peerAuthentications,
      sizes.destinationRules,
    ]);
    const snap = analyze(parseManifestText(m.yaml, "bench.yaml"), {
      now: NOW,
      source: { type: "manifests" },
      traffic: parseTraffic(m.traffic, "bench.prom"),
    });
    expect(snap.edges).toHaveLength(sizes.edges);
    expect(new Set(snap.namespaces.map((n) => n.dataplane))).toEqual(new Set(["none", "sidecar", "ambient"]));
    expect(
      snap.edges.some(
        (e) => e.destination.workloads.length > 0 && e.destination.namespace !== e.source.namespace,
      ),
    ).toBe(true);
  });

  it("rejects impossible sizes", () => {
    expect(() => generateMesh({ ...TINY, namespaces: 1 })).toThrow(/namespaces/);
    expect(() => generateMesh({ ...TINY, edges: 100_000 })).toThrow(/distinct edges/);
  });
});
