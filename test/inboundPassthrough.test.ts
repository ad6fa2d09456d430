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
  ])(
    "$form: the destination workload's edge, port unknown, verdict unknown (the caller's proxy passes it through), no warning",
    ({ dest }) => {
      const s = run(mesh(), [inbound("apps/orders", dest)]);
      expect(warnings(s)).toEqual([]);
      expect(s.edges.map((e) => e.id)).toEqual([`apps/orders->${KAFKA}:0`]);
      const e = s.edges[0]!;
      expect(e.destination.workloads).toEqual(["data/kafka"]);
      // reviews/fp2rev.md #2: the caller's proxy has no listener for the port (PassthroughCluster), so
      // what it sends is the application's own bytes: not predicted.
      expect(e.predicted.verdict).toBe("unknown");
      expect(e.status).toBe("unknown");
      expect(e.observed?.mtls).toBe(7);
      expect(e.predicted.reason).toContain("port no Service of it declares");
      expect(
        s.edges.some(
          (x) => x.destination.service === "kafka" && x.predicted.client.origin === "mesh-external",
        ),
      ).toBe(false);
    },
  );

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

// reviews/fp2rev.md #1, #2, #9: Istio's metrics carry no port, so the server's port-level
// PeerAuthentication on an undeclared port (its own passthrough chain, istio.md §1.5) and what a
// caller's proxy sends through PassthroughCluster (istio.md §9.3) are not known: unknown, never an error.
describe("inbound passthrough edges: verdict only when the inputs decide it (reviews/fp2rev.md)", () => {
  const base = (extra: KubeObject[] = []): KubeObject[] => [
    ...mesh(extra),
    namespace("monitoring"),
    deploy("monitoring", "prometheus"),
  ];
  const plain = (src: string | null) =>
    call(src, "kafka", "none", 7, {
      destination_workload: "kafka",
      destination_workload_namespace: "data",
      destination_service_name: "InboundPassthroughClusterIpv4",
      destination_service_namespace: "data",
    });
  const metricsPa = (mode: string, port = "9999") =>
    peerAuth("data", "kafka-metrics", null, { selector: { app: "kafka" }, ports: { [port]: mode } });
  const codes = (s: ReturnType<typeof run>) =>
    s.findings.filter((f) => f.severity !== "info").map((f) => f.code);

  it.each([
    { label: "DISABLE on the undeclared 9999, caller outside the mesh", mode: "DISABLE", src: null },
    {
      label: "DISABLE on the undeclared 9999, named caller without proxy",
      mode: "DISABLE",
      src: "monitoring/prometheus",
    },
    { label: "PERMISSIVE on the undeclared 9999", mode: "PERMISSIVE", src: "monitoring/prometheus" },
  ])("$label: STRICT mesh, plaintext reported: verdict unknown, no edge error", ({ mode, src }) => {
    const s = run(base([metricsPa(mode)]), [plain(src)]);
    expect(codes(s).filter((c) => c.startsWith("edge."))).toEqual([]);
    const e = s.edges[0]!;
    expect(e.destination.port).toBe(0);
    expect(e.predicted.verdict).toBe("unknown");
    expect(e.status).toBe("unknown");
    expect(e.observed?.plaintext).toBe(7);
    expect(e.predicted.reason).toContain(
      `data/kafka port 9999 is ${mode} by PeerAuthentication data/kafka-metrics`,
    );
  });

  it("a sidecar caller's plaintext in a PERMISSIVE mesh: no mismatch, no auto-mTLS story, no DestinationRule of the carrier Service", () => {
    const objs = mesh().map((o) =>
      o.kind === "PeerAuthentication" ? peerAuth("istio-system", "default", "PERMISSIVE") : o,
    );
    const dr: KubeObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { namespace: "data", name: "kafka" },
      spec: { host: KAFKA, trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } },
    };
    const s = run([...objs, dr], [plain("apps/orders")]);
    expect(codes(s).filter((c) => c.startsWith("edge."))).toEqual([]);
    const e = s.edges[0]!;
    expect(e.predicted.verdict).toBe("unknown");
    expect(e.predicted.client.destinationRule).toBeNull();
    expect(e.predicted.reason).toContain("PassthroughCluster");
    expect(e.predicted.reason).not.toContain("auto mTLS");
  });

  it("near miss: plaintext from a caller without proxy, STRICT, no port-level exception: still edge.plaintext-to-strict", () => {
    const s = run(base(), [plain("monitoring/prometheus")]);
    expect(codes(s)).toContain("edge.plaintext-to-strict");
    expect(s.edges[0]!.predicted.verdict).toBe("broken");
  });

  it.each([
    { label: "the exception is on a declared port (9092)", pa: metricsPa("DISABLE", "9092") },
    { label: "the exception on 9999 is STRICT too", pa: metricsPa("STRICT") },
  ])("near miss: $label: the undeclared ports are all STRICT, still broken", ({ pa }) => {
    const s = run(base([pa]), [plain("monitoring/prometheus")]);
    expect(s.edges[0]!.predicted.verdict).toBe("broken");
    expect(codes(s)).toContain("edge.plaintext-to-strict");
  });

  it("#9 wording: no text shows port 0 as a port", () => {
    const s = run(base(), [plain("monitoring/prometheus")]);
    const texts = [
      ...s.edges.map((e) => e.predicted.reason),
      ...s.findings.map((f) => `${f.message} ${f.fix ?? ""}`),
    ];
    for (const t of texts) {
      // The edge id keeps the snapshot's port (contract.md §1.1); prose does not.
      const prose = t.replaceAll(`->${KAFKA}:0`, "");
      expect(prose).not.toMatch(/port 0\b|:0\b/);
    }
    expect(s.edges[0]!.predicted.reason).toContain("data/kafka on a port no Service declares is STRICT");
  });
});

describe("inbound passthrough edges: the reporting workload, Sidecar ingress, ztunnel (reviews/fp2rev2.md)", () => {
  const plain = (workload = "kafka"): TrafficSample =>
    call("monitoring/prometheus", workload, "none", 7, {
      destination_workload: workload,
      destination_workload_namespace: "data",
      destination_service_name: "InboundPassthroughClusterIpv4",
      destination_service_namespace: "data",
    });
  const edgeCodes = (s: ReturnType<typeof run>) =>
    s.findings.filter((f) => f.severity !== "info" && f.code.startsWith("edge.")).map((f) => f.code);
  const common = [
    namespace("istio-system"),
    peerAuth("istio-system", "default", "STRICT"),
    namespace("monitoring"),
    deploy("monitoring", "prometheus"),
  ];

  describe("#1: predicted from the workload that reported the calls, not every endpoint of the carrier Service", () => {
    // One Service (aaa-brokers) selects kafka and legacy; only the reporter's own policy decides.
    const brokers = (extra: KubeObject[] = []): KubeObject[] => [
      ...common,
      injected("data"),
      deploy("data", "kafka", { ...sidecar, ports: [9092, 9999], labels: { app: "kafka", tier: "kafka" } }),
      deploy("data", "legacy", { ...sidecar, ports: [9092, 9999], labels: { app: "legacy", tier: "kafka" } }),
      service("data", "aaa-brokers", [{ port: 9092, name: "tcp-kafka" }], { selector: { tier: "kafka" } }),
      ...extra,
    ];
    const legacyPermissive = peerAuth("data", "legacy-permissive", "PERMISSIVE", {
      selector: { app: "legacy" },
    });

    it("plaintext into legacy (PERMISSIVE) while its sibling kafka is STRICT: plaintext, no edge error, names legacy", () => {
      const s = run(brokers([legacyPermissive]), [plain("legacy")]);
      expect(edgeCodes(s)).not.toContain("edge.plaintext-to-strict");
      expect(edgeCodes(s)).not.toContain("edge.observed-mismatch");
      const e = s.edges[0]!;
      expect(e.predicted.verdict).toBe("plaintext");
      expect(e.predicted.server.mode).toBe("PERMISSIVE");
      expect(e.predicted.reason).toContain("data/legacy on a port no Service declares is PERMISSIVE");
      expect(e.predicted.reason).not.toContain("data/kafka");
    });

    it("near miss: plaintext into kafka (STRICT) while its sibling legacy is PERMISSIVE: still edge.plaintext-to-strict", () => {
      const s = run(brokers([legacyPermissive]), [plain("kafka")]);
      expect(edgeCodes(s)).toContain("edge.plaintext-to-strict");
      expect(s.edges[0]!.predicted.verdict).toBe("broken");
    });

    it("a sibling's port-level DISABLE on an undeclared port is not the reporter's: still broken", () => {
      const siblingPa = peerAuth("data", "legacy-metrics", null, {
        selector: { app: "legacy" },
        ports: { "9999": "DISABLE" },
      });
      const s = run(brokers([siblingPa]), [plain("kafka")]);
      expect(s.edges[0]!.predicted.verdict).toBe("broken");
      expect(edgeCodes(s)).toContain("edge.plaintext-to-strict");
    });

    it("the reporter's own Service carries the edge when it has one", () => {
      const s = run(
        brokers([legacyPermissive, service("data", "legacy", [{ port: 9092, name: "tcp-kafka" }])]),
        [plain("legacy")],
      );
      expect(s.edges.map((e) => e.id)).toEqual([`monitoring/prometheus->${host("legacy", "data")}:0`]);
      expect(s.edges[0]!.predicted.verdict).toBe("plaintext");
    });

    it("two reporters on one edge, STRICT and PERMISSIVE: the worst of them (broken), as for endpoints of one Service", () => {
      const s = run(brokers([legacyPermissive]), [plain("kafka"), plain("legacy")]);
      expect(s.edges).toHaveLength(1);
      expect(s.edges[0]!.predicted.verdict).toBe("broken");
    });
  });

  describe("#2: a Sidecar with ingress listeners declares its ingress ports, not the Service ports", () => {
    const ingressSidecar: KubeObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "Sidecar",
      metadata: { name: "kafka-in", namespace: "data" },
      spec: {
        workloadSelector: { labels: { app: "kafka" } },
        ingress: [
          { port: { number: 9999, protocol: "TCP", name: "tcp-metrics" }, defaultEndpoint: "127.0.0.1:9999" },
        ],
      },
    };
    const pa = (port: string) =>
      peerAuth("data", "kafka-plain", null, { selector: { app: "kafka" }, ports: { [port]: "DISABLE" } });

    it("DISABLE on the Service port 9092, which the ingress Sidecar leaves to a passthrough chain: unknown, no edge error", () => {
      const s = run([...common, ...mesh([pa("9092"), ingressSidecar])], [plain()]);
      expect(edgeCodes(s)).toEqual([]);
      expect(s.edges[0]!.predicted.verdict).toBe("unknown");
      expect(s.edges[0]!.predicted.reason).toContain(
        "data/kafka port 9092 is DISABLE by PeerAuthentication data/kafka-plain",
      );
    });

    it("near miss: DISABLE on the ingress port 9999 (declared, no passthrough chain): every passthrough chain is STRICT, still broken", () => {
      const s = run([...common, ...mesh([pa("9999"), ingressSidecar])], [plain()]);
      expect(s.edges[0]!.predicted.verdict).toBe("broken");
      expect(edgeCodes(s)).toContain("edge.plaintext-to-strict");
    });

    it("near miss: a Sidecar without ingress listeners keeps the Service ports declared", () => {
      const egressOnly: KubeObject = {
        ...ingressSidecar,
        spec: { workloadSelector: { labels: { app: "kafka" } } },
      };
      const s = run([...common, ...mesh([pa("9092"), egressOnly])], [plain()]);
      expect(s.edges[0]!.predicted.verdict).toBe("broken");
    });
  });

  describe("#3: ztunnel (ambient) applies port-level entries on any port", () => {
    const ambient = (extra: KubeObject[] = []): KubeObject[] => [
      ...common,
      namespace("data", { "istio.io/dataplane-mode": "ambient" }),
      deploy("data", "kafka", { ports: [9092, 9999] }),
      service("data", "kafka", [{ port: 9092, name: "tcp-kafka" }]),
      ...extra,
    ];
    const pa = (port: string) =>
      peerAuth("data", "kafka-metrics", null, {
        selector: { app: "kafka" },
        ports: { [port]: "PERMISSIVE" },
      });

    it.each([
      { label: "on an undeclared port (9999)", port: "9999" },
      { label: "even on a Service port (9092): ztunnel has no per-port chains to subtract", port: "9092" },
    ])("PERMISSIVE $label: unknown, no edge error, no passthrough chain in the reason", ({ port }) => {
      const s = run(ambient([pa(port)]), [plain()]);
      expect(edgeCodes(s)).toEqual([]);
      const e = s.edges[0]!;
      expect(e.predicted.verdict).toBe("unknown");
      expect(e.predicted.reason).toContain(
        `data/kafka port ${port} is PERMISSIVE by PeerAuthentication data/kafka-metrics`,
      );
      expect(e.predicted.reason).not.toContain("passthrough chain");
    });

    it("near miss: no port-level entry: still broken", () => {
      const s = run(ambient(), [plain()]);
      expect(s.edges[0]!.predicted.verdict).toBe("broken");
      expect(edgeCodes(s)).toContain("edge.plaintext-to-strict");
    });
  });
});

describe("inbound passthrough: several reporting workloads, in either order (reviews/port0rev.md #1)", () => {
  const objs: KubeObject[] = [
    namespace("istio-system"),
    peerAuth("istio-system", "default", "STRICT"),
    injected("data"),
    namespace("monitoring"),
    deploy("monitoring", "prometheus"),
    deploy("data", "kafka", { ...sidecar, ports: [9092, 9999], labels: { tier: "kafka" } }),
    deploy("data", "legacy", { ...sidecar, ports: [9092, 8888], labels: { tier: "kafka" } }),
    service("data", "brokers", [{ port: 9092, name: "tcp-kafka" }], { selector: { tier: "kafka" } }),
    peerAuth("data", "kafka-metrics", null, { selector: { app: "kafka" }, ports: { "9999": "PERMISSIVE" } }),
    peerAuth("data", "legacy-metrics", null, { selector: { app: "legacy" }, ports: { "8888": "DISABLE" } }),
  ];
  const sample = (wl: string): TrafficSample =>
    call("monitoring/prometheus", "kafka", "none", 7, {
      destination_workload: wl,
      destination_workload_namespace: "data",
      destination_service_name: "InboundPassthroughClusterIpv4",
      destination_service_namespace: "data",
    });

  it("gives the same bytes whichever workload's series comes first", () => {
    const a = run(objs, [sample("kafka"), sample("legacy")]);
    const b = run(objs, [sample("legacy"), sample("kafka")]);
    expect(JSON.stringify(b.edges)).toBe(JSON.stringify(a.edges));
    expect(JSON.stringify(b.findings)).toBe(JSON.stringify(a.findings));
    expect(a.edges[0]!.predicted.reason).toMatch(/data\/kafka port 9999 .*, data\/legacy port 8888/);
  });
});
