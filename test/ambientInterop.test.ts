// A sidecar calling an endpoint that takes HBONE (ambient-captured, or a sidecar pod labelled
// networking.istio.io/tunnel=http). With ambient on, istiod enables sending HBONE for every proxy
// and puts an "hbone" transport-socket match first in each cluster, whatever the DestinationRule
// or auto mTLS put behind it (`applyHBONETransportSocketMatches`, pilot/pkg/networking/core/
// cluster_tls.go). istio.md §9.10 says this of waypoints only; Istio's code does it for sidecars
// too (docs/DECISIONS.md, "Sidecars send HBONE first").
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  expectNoWarnings,
  host,
  injected,
  meshConfig,
  namespace,
  only,
  peerAuth,
  run,
  service,
  sidecarResource,
  tls,
} from "./kit";

const AMB = namespace("amb", { "istio.io/dataplane-mode": "ambient" });
const base: KubeObject[] = [
  injected("a"),
  deploy("a", "client"),
  AMB,
  deploy("amb", "srv", { ports: [8080] }),
  peerAuth("istio-system", "default", "STRICT"),
];
const svc = (o: { headless?: boolean } = {}) =>
  service("amb", "srv", [{ port: 80, targetPort: 8080, name: "http" }], o);
const SRV = host("srv", "amb");

function edge(extra: KubeObject[], o: { headless?: boolean } = {}) {
  const s = run([...base, svc(o), ...extra], [call("a/client", SRV, "mutual_tls", 5)]);
  return { s, e: edgeOf(s, "a/client", SRV)! };
}

const edgeErrors = (s: ReturnType<typeof run>) =>
  s.findings.filter((f) => f.code.startsWith("edge.") && f.severity === "error").map((f) => f.code);

describe("sidecar → HBONE-capable endpoint: HBONE first, whatever the cluster's TLS", () => {
  const cases: [string, KubeObject[], RegExp][] = [
    [
      "DR ISTIO_MUTUAL (replaced by HBONE)",
      [destRule("a", "srv", SRV, tls("ISTIO_MUTUAL"))],
      /DestinationRule a\/srv sets tls.mode ISTIO_MUTUAL in its trafficPolicy, which HBONE replaces/,
    ],
    [
      "DR DISABLE (HBONE, else plaintext)",
      [destRule("a", "srv", SRV, tls("DISABLE"))],
      /tls.mode DISABLE in its trafficPolicy, which HBONE replaces/,
    ],
    [
      "DR tls without mode",
      [destRule("a", "srv", SRV, tls(null))],
      /tls.mode DISABLE \(a tls block without mode\)/,
    ],
    [
      "DR SIMPLE (TLS inside HBONE)",
      [destRule("a", "srv", SRV, tls("SIMPLE"))],
      /SIMPLE in its trafficPolicy, which travels inside HBONE: the application must terminate it/,
    ],
    [
      "DR port-level DISABLE",
      [
        destRule("a", "srv", SRV, {
          trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] },
        }),
      ],
      /portLevelSettings for port 80/,
    ],
    [
      "auto mTLS off (enableAutoMtls: false)",
      [meshConfig("enableAutoMtls: false\n")],
      /Istio's proxies try first when ambient is on \(before plaintext\)/,
    ],
    [
      "auto mTLS off and a DR that sets no TLS (HBONE, else plaintext)",
      [
        meshConfig("enableAutoMtls: false\n"),
        destRule("a", "srv", SRV, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }),
      ],
      /when ambient is on \(DestinationRule a\/srv, the one that applies to srv\.amb\.svc\.cluster\.local, sets no TLS for port 80 and auto mTLS is off: plaintext, which HBONE replaces\)/,
    ],
    ["the service namespace is DISABLE", [peerAuth("amb", "default", "DISABLE")], /before plaintext/],
  ];
  it.each(cases)("%s → client HBONE, verdict mtls, no edge error", (_name, extra, reason) => {
    const { s, e } = edge(extra);
    expect(e.predicted.client.tls).toBe("HBONE");
    expect(e.predicted.verdict).toBe("mtls");
    expect(e.status).toBe("mtls");
    expect(e.predicted.reason).toMatch(/^a\/client sends HBONE because amb\/srv takes HBONE/);
    expect(e.predicted.reason).toMatch(reason);
    expect(edgeErrors(s)).toEqual([]);
  });

  it("the DestinationRule that was replaced is still named on the edge", () => {
    const { e } = edge([destRule("a", "srv", SRV, tls("ISTIO_MUTUAL"))]);
    expect(e.predicted.client).toEqual({
      tls: "HBONE",
      origin: "destinationrule",
      destinationRule: { kind: "DestinationRule", namespace: "a", name: "srv" },
    });
  });

  // With auto mTLS off, a DR without TLS for the port decides the cluster's plaintext that HBONE comes
  // before (applyHBONETransportSocketMatches, tls == nil: hboneOrPlaintextSocket), as a DR DISABLE does:
  // it is named, and the reason says so. With auto mTLS on it decides nothing: not named.
  it.each([
    {
      auto: "off",
      mesh: [meshConfig("enableAutoMtls: false\n")],
      dr: { kind: "DestinationRule", namespace: "a", name: "srv" },
    },
    { auto: "on (near miss)", mesh: [] as KubeObject[], dr: null },
  ])("auto mTLS $auto, a DR that sets no TLS: the edge names $dr.name", ({ mesh, dr }) => {
    const { s, e } = edge([
      ...mesh,
      destRule("a", "srv", SRV, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }),
    ]);
    expect(e.predicted.client).toEqual({ tls: "HBONE", origin: "auto", destinationRule: dr });
    expect(e.predicted.reason.includes("DestinationRule a/srv")).toBe(dr !== null);
    expect(edgeErrors(s)).toEqual([]);
  });

  it("a sidecar pod labelled networking.istio.io/tunnel=http keeps legacy mTLS while it carries tlsMode=istio (PILOT_PREFER_SENDING_HBONE is off)", () => {
    const tun = (labels: Record<string, string>) => [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "tun", { labels: { "networking.istio.io/tunnel": "http", ...labels }, ports: [8080] }),
      service("a", "tun", [{ port: 80, targetPort: 8080 }]),
      peerAuth("istio-system", "default", "STRICT"),
      destRule("a", "tun", host("tun", "a"), tls("DISABLE")),
    ];
    const edgeTo = (objs: KubeObject[]) =>
      edgeOf(run(objs, [call("a/client", host("tun", "a"), "mutual_tls", 5)]), "a/client", host("tun", "a"))!;
    // buildEnvoyLbEndpoint drops the tunnel metadata of an endpoint that supports Istio mTLS: the DR's DISABLE applies.
    expect(edgeTo(tun({})).predicted).toMatchObject({ client: { tls: "DISABLE" }, verdict: "broken" });
    // Without tlsMode=istio the tunnel stays, and HBONE comes first.
    expect(edgeTo(tun({ "security.istio.io/tlsMode": "disabled" })).predicted).toMatchObject({
      client: { tls: "HBONE" },
      verdict: "mtls",
    });
  });

  it("a gateway calling a headless ambient service keeps an EDS cluster, so HBONE comes first even with DR DISABLE", () => {
    const gw = deploy("istio-system", "istio-ingressgateway", {
      labels: { istio: "ingressgateway" },
      containers: ["istio-proxy"],
    });
    const objs = [...base, gw, svc({ headless: true }), destRule("amb", "srv", SRV, tls("DISABLE"))];
    const e = edgeOf(
      run(objs, [call("istio-system/istio-ingressgateway", SRV, "mutual_tls", 5)]),
      "istio-system/istio-ingressgateway",
      SRV,
    )!;
    expect(e.predicted).toMatchObject({ client: { tls: "HBONE" }, verdict: "mtls" });
  });

  it("a sidecar calling a headless ambient service: ORIGINAL_DST never sends HBONE, and unlabelled ambient pods turn auto mTLS off → plaintext, broken against STRICT", () => {
    const { s, e } = edge([], { headless: true });
    expect(e.predicted).toMatchObject({ client: { tls: "DISABLE" }, verdict: "broken" });
    expect(e.predicted.reason).toMatch(/plaintext to every endpoint of headless srv.amb/);
    expect(edgeErrors(s)).toEqual(["edge.plaintext-to-strict"]);
  });

  it("a gateway with a credentialName DR originates the TLS (only sidecars drop it)", () => {
    const gw = deploy("istio-system", "istio-ingressgateway", {
      labels: { istio: "ingressgateway" },
      containers: ["istio-proxy"],
    });
    const objs = [
      injected("a"),
      gw,
      deploy("a", "plain", { annotations: { "sidecar.istio.io/inject": "false" }, ports: [8443] }),
      service("a", "plain", [{ port: 443, targetPort: 8443, name: "tls" }]),
      destRule(
        "istio-system",
        "plain-tls",
        host("plain", "a"),
        tls("SIMPLE", { credentialName: "plain-ca" }),
      ),
    ];
    const e = edgeOf(
      run(objs, [
        call("istio-system/istio-ingressgateway", host("plain", "a"), "unknown", 5, {
          reporter: "source",
          request_protocol: "tcp",
        }),
      ]),
      "istio-system/istio-ingressgateway",
      host("plain", "a"),
    )!;
    expect(e.predicted.client).toMatchObject({ tls: "SIMPLE", origin: "destinationrule" });
  });

  // Near misses: where Istio's code keeps the cluster's own socket.
  it("near miss: a headless service (ORIGINAL_DST) with DR DISABLE keeps plaintext for all → broken against STRICT", () => {
    const { s, e } = edge([destRule("a", "srv", SRV, tls("DISABLE"))], { headless: true });
    expect(e.predicted).toMatchObject({ client: { tls: "DISABLE" }, verdict: "broken" });
    expect(edgeErrors(s)).toEqual(["edge.plaintext-to-strict"]);
  });

  it("near miss: a plain sidecar endpoint (no tunnel label) with DR DISABLE stays plaintext → broken", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "plain", { ports: [8080] }),
      service("a", "plain", [{ port: 80, targetPort: 8080 }]),
      peerAuth("istio-system", "default", "STRICT"),
      destRule("a", "plain", host("plain", "a"), tls("DISABLE")),
    ];
    const e = edgeOf(
      run(objs, [call("a/client", host("plain", "a"), "none", 5)]),
      "a/client",
      host("plain", "a"),
    )!;
    expect(e.predicted).toMatchObject({ client: { tls: "DISABLE" }, verdict: "broken" });
  });

  it("near miss: not imported by the client's Sidecar → PassthroughCluster, no HBONE", () => {
    const { e } = edge([sidecarResource("a", "default", ["./*"])]);
    expect(e.predicted.client.tls).toBe("DISABLE");
    expect(e.predicted.reason).toMatch(/PassthroughCluster/);
  });

  it("mixed endpoints: the ambient one gets HBONE, the plain sidecar one the DR's plaintext; the edge takes the worst", () => {
    // Services select in their own namespace: one pod opts out of injection and into ambient there.
    const ambientPod = { "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "ambient" };
    const objs = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "srv-v1", { labels: { app: "srv", ...ambientPod }, ports: [8080] }),
      deploy("a", "srv-v2", { labels: { app: "srv" }, ports: [8080] }),
      service("a", "srv", [{ port: 80, targetPort: 8080 }], { selector: { app: "srv" } }),
      peerAuth("istio-system", "default", "STRICT"),
      destRule("a", "srv", host("srv", "a"), tls("DISABLE")),
    ];
    const s = run(objs, [call("a/client", host("srv", "a"), "none", 5)]);
    expect(s.workloads.find((w) => w.name === "srv-v1")!.dataplane).toBe("ambient");
    const e = edgeOf(s, "a/client", host("srv", "a"))!;
    expect(e.predicted).toMatchObject({ client: { tls: "DISABLE" }, verdict: "broken" });
    expect(e.predicted.reason).toMatch(/a\/srv-v2 port 8080 is STRICT/);
  });
});

// An ambient client reaches a sidecar pod over HBONE only when the pod carries
// networking.istio.io/tunnel=http (setTunnelProtocol, pilot/pkg/serviceregistry/ambient/workloads.go).
// The injection template adds that label when the pod's ProxyConfig has ISTIO_META_ENABLE_HBONE
// "true" (injection-template.yaml), which the ambient profile sets in the mesh defaultConfig
// (manifests/helm-profiles/ambient.yaml): from manifests, injected templates get it the same way.
describe("ambient client → injected sidecar pod: HBONE when the injector labels it tunnel=http", () => {
  const HBONE_MESH = 'defaultConfig:\n  proxyMetadata:\n    ISTIO_META_ENABLE_HBONE: "true"\n';
  const objs = (mesh: string | null, podAnnotations: Record<string, string> = {}) => [
    ...(mesh === null ? [] : [meshConfig(mesh)]),
    AMB,
    deploy("amb", "client"),
    injected("legacy"),
    deploy("legacy", "billing", { ports: [8080], annotations: podAnnotations }),
    service("legacy", "billing", [{ port: 80, targetPort: 8080 }]),
    peerAuth("istio-system", "default", "STRICT"),
  ];
  const BILLING = host("billing", "legacy");
  const edgeFrom = (o: KubeObject[]) => {
    const s = run(o, [call("amb/client", BILLING, "mutual_tls", 5)]);
    return { s, e: edgeOf(s, "amb/client", BILLING)! };
  };

  it.each([
    ["the mesh defaultConfig sets ISTIO_META_ENABLE_HBONE (ambient profile)", objs(HBONE_MESH)],
    [
      "the pod's proxy.istio.io/config sets it",
      objs(null, { "proxy.istio.io/config": 'proxyMetadata:\n  ISTIO_META_ENABLE_HBONE: "true"\n' }),
    ],
  ])("%s → HBONE, mtls, no finding above info", (_name, o) => {
    const { s, e } = edgeFrom(o);
    expect(e.predicted).toMatchObject({ client: { tls: "HBONE" }, verdict: "mtls" });
    expect(e.status).toBe("mtls");
    expectNoWarnings(s);
  });

  it.each([
    ["no ISTIO_META_ENABLE_HBONE anywhere", objs(null)],
    [
      "the pod's proxy.istio.io/config turns it off (JSON)",
      objs(HBONE_MESH, {
        "proxy.istio.io/config": '{"proxyMetadata": {"ISTIO_META_ENABLE_HBONE": "false"}}',
      }),
    ],
    [
      "the template sets another tunnel label value",
      [
        ...objs(HBONE_MESH).filter((x) => x.metadata.name !== "billing" || x.kind !== "Deployment"),
        deploy("legacy", "billing", { ports: [8080], labels: { "networking.istio.io/tunnel": "none" } }),
      ],
    ],
  ])(
    "near miss: %s → ztunnel sends plaintext, broken against STRICT, and the fix is HBONE on the sidecar (not a DestinationRule)",
    (_name, o) => {
      const { s, e } = edgeFrom(o);
      expect(e.predicted).toMatchObject({ client: { tls: "DISABLE" }, verdict: "broken" });
      const f = only(s, "edge.plaintext-to-strict");
      expect(f.fix).toMatch(/^Let legacy\/billing's sidecar take HBONE: set ISTIO_META_ENABLE_HBONE "true"/);
      expect(f.fix).toMatch(/or relax port 8080 to PERMISSIVE/);
      expect(f.fix).not.toMatch(/DestinationRule/);
    },
  );

  it("a sidecar client still sends legacy Istio mTLS to such a pod (it carries tlsMode=istio)", () => {
    const o = [...objs(HBONE_MESH), injected("b"), deploy("b", "caller")];
    const e = edgeOf(run(o, [call("b/caller", BILLING, "mutual_tls", 5)]), "b/caller", BILLING)!;
    expect(e.predicted).toMatchObject({ client: { tls: "ISTIO_MUTUAL" }, verdict: "mtls" });
  });
});
