// reviews/fp2.md #1: series a meshed server reports for traffic it received on a port no Service
// declares (or by pod IP / per-pod DNS name) go through its inbound passthrough chain: istio/proxy's
// stats filter (istio_stats.cc) sets destination_service_name to the cluster, InboundPassthroughClusterIpv4,
// and destination_service to the Host header or the server's canonical name. They are evidence of
// inbound traffic to destination_workload, never of an external host nor of the caller's outbound
// PassthroughCluster (istio.md §7.1 keeps that reading to source-side PassthroughCluster / BlackHoleCluster).
import { describe, expect, it } from "vitest";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import { call, deploy, host, injected, namespace, peerAuth, run, service } from "./kit";

const sidecar = { containers: ["app", "istio-proxy"], annotations: { "sidecar.istio.io/status": "{}" } };

const mesh = (extra: KubeObject[] = []): KubeObject[] => [
  namespace("istio-system"),
  peerAuth("istio-system", "default", "STRICT"),
  injected("data"),
  injected("apps"),
  deploy("data", "kafka", { ...sidecar, ports: [9092, 9999] }),
  service("data", "kafka", [{ port: 9092, name: "tcp-kafka" }]),
  deploy("apps", "orders", sidecar),
  ...extra,
];

/** A destination-side series through the server's inbound passthrough cluster. */
const inbound = (
  src: string | null,
  destinationService: string,
  extra: Record<string, string> = {},
): TrafficSample =>
  call(src, destinationService, "mutual_tls", 7, {
    destination_workload: "kafka",
    destination_workload_namespace: "data",
    destination_service_name: "InboundPassthroughClusterIpv4",
    destination_service_namespace: "data",
    ...extra,
  });

const KAFKA = host("kafka", "data");
const warnings = (s: ReturnType<typeof run>) =>
  s.findings.filter((f) => f.severity !== "info").map((f) => `${f.code} ${f.message}`);

describe("inbound passthrough series (reviews/fp2.md #1)", () => {
  it.each([
    { form: "current Istio: destination_service is the server's canonical name", dest: "kafka" },
    {
      form: "older stats plugins: destination_service is the cluster name",
      dest: "InboundPassthroughClusterIpv4",
    },
    {
      form: "HTTP: destination_service is a per-pod DNS name from the Host header",
      dest: "kafka-0.kafka.data.svc.cluster.local:9999",
    },
    { form: "HTTP: destination_service is a pod IP and port", dest: "10.244.1.20:9999" },
  ])("$form: the destination workload's edge, port unknown, mTLS as observed, no warning", ({ dest }) => {
    const s = run(mesh(), [inbound("apps/orders", dest)]);
    expect(warnings(s)).toEqual([]);
    expect(s.edges.map((e) => e.id)).toEqual([`apps/orders->${KAFKA}:0`]);
    const e = s.edges[0]!;
    expect(e.destination.workloads).toEqual(["data/kafka"]);
    expect(e.predicted.verdict).toBe("mtls");
    expect(e.status).toBe("mtls");
    expect(e.observed?.mtls).toBe(7);
    expect(e.predicted.reason).toContain("port no Service declares");
    expect(
      s.edges.some((x) => x.destination.service === "kafka" && x.predicted.client.origin === "mesh-external"),
    ).toBe(false);
  });

  it("an unknown caller named by its source_principal is attributed as for any other mTLS series", () => {
    const s = run(mesh(), [
      inbound(null, "kafka", { source_principal: "spiffe://cluster.local/ns/apps/sa/orders" }),
    ]);
    expect(s.edges.map((e) => e.id)).toEqual([`apps/orders->${KAFKA}:0`]);
    expect(warnings(s)).toEqual([]);
  });

  it("a destination workload no Service selects (or absent from the inputs): no edge and no invented host", () => {
    const s = run(mesh([deploy("data", "jmx", sidecar)]), [
      inbound("apps/orders", "jmx", { destination_workload: "jmx" }),
      inbound("apps/orders", "ghost", { destination_workload: "ghost" }),
    ]);
    expect(s.edges).toEqual([]);
    expect(warnings(s)).toEqual([]);
  });

  it("near miss: a source-side PassthroughCluster series keeps its edge.passthrough warning", () => {
    const s = run(mesh(), [
      call("apps/orders", "PassthroughCluster", "unknown", 5, {
        reporter: "source",
        destination_service_name: "PassthroughCluster",
      }),
    ]);
    expect(s.findings.map((f) => f.code)).toContain("edge.passthrough");
  });

  it("near miss: an ordinary series to the Service keeps its declared port", () => {
    const s = run(mesh(), [
      call("apps/orders", KAFKA, "mutual_tls", 3, {
        destination_service_name: "kafka",
        destination_service_namespace: "data",
        request_protocol: "tcp",
      }),
    ]);
    expect(s.edges.map((e) => e.id)).toEqual([`apps/orders->${KAFKA}:9092`]);
  });
});
