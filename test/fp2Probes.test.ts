// The review probes of reviews/fp2.md (#1 inbound passthrough, #2 egress gateway TLS origination beside a
// Gateway API ingress, #3 hostNetwork node agents), as the CLI reads them: correct meshes, no warning.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../lib/core/load/parseManifests";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { parseTraffic } from "../lib/core/traffic/parseTraffic";
import { expectNoWarnings, NOW } from "./kit";

const FIX = join(import.meta.dirname, "fixtures");

function probe(name: string, traffic = "traffic.prom"): MeshSnapshot {
  const inputs = parseManifestText(readFileSync(join(FIX, name, "mesh.yaml"), "utf8"), "mesh.yaml");
  expect(inputs.problems).toEqual([]);
  const t = parseTraffic(readFileSync(join(FIX, name, traffic), "utf8"), traffic);
  expect(t.problems).toEqual([]);
  const snap = analyze(inputs, { now: NOW, source: { type: "manifests" }, traffic: t });
  expect(MeshSnapshotSchema.safeParse(snap).success).toBe(true);
  return snap;
}

const row = (s: MeshSnapshot, id: string) => {
  const e = s.edges.find((x) => x.id === id);
  return e && { verdict: e.predicted.verdict, status: e.status, mtls: e.observed?.mtls };
};

describe("reviews/fp2.md probes", () => {
  it.each(["traffic.prom", "traffic-destsvc-passthrough.prom"])(
    "3b stateful pod names (%s): inbound passthrough series are the destination workload's edges (verdict unknown), no warning",
    (traffic) => {
      const s = probe("fp2-stateful-podnames", traffic);
      expectNoWarnings(s);
      // reviews/fp2rev.md #2: the caller's proxy passes an undeclared port through as the application
      // wrote it, so its mTLS is not predicted: unknown, the observed counts kept.
      expect(row(s, "data/kafka->kafka.data.svc.cluster.local:0")).toEqual({
        verdict: "unknown",
        status: "unknown",
        mtls: 7,
      });
      expect(s.edges.filter((e) => e.destination.workloads.length === 0)).toEqual([]);
      expect(s.findings.map((f) => f.code)).not.toContain("edge.passthrough");
    },
  );

  it("5 jobs and monitoring: Prometheus scraping with Istio certificates is api's edge, mTLS observed; no namespace.not-injected for node-exporter", () => {
    const s = probe("fp2-jobs-monitoring");
    expectNoWarnings(s);
    // Istio's Prometheus "Option 2": the application itself does TLS with the sidecar's certificates,
    // which nothing in the inputs says (reviews/fp2rev.md #2): unknown, the observed mTLS kept.
    expect(row(s, "monitoring/prometheus-k8s->api.shop.svc.cluster.local:0")).toEqual({
      verdict: "unknown",
      status: "unknown",
      mtls: 2880,
    });
    expect(s.findings.filter((f) => f.code === "namespace.not-injected")).toEqual([]);
  });

  it("4 Gateway API ingress + egress gateway TLS origination: the egress gateway's edge is edition.cnn.com:443, tls", () => {
    const s = probe("fp2-gateway-api-egress");
    expectNoWarnings(s);
    const gw = s.edges.filter((e) => e.source.workload === "istio-egressgateway");
    expect(gw.map((e) => [e.destination.host, e.destination.port, e.predicted.verdict])).toEqual([
      ["edition.cnn.com", 443, "tls"],
    ]);
  });
});
