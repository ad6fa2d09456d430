// findings.md "Edges": each code fires on the client × server case it describes (severity, the
// deciding DestinationRule and PeerAuthentication then the client and server workloads, `edge` set,
// a message naming the edge, objects and port, a fix), a broken edge gets exactly one edge.* error,
// and the nearly identical correct configuration stays silent. Edges exist only for observed
// traffic, so every scenario carries samples.
import { describe, expect, it } from "vitest";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import type { Finding, MeshSnapshot, Ref } from "../lib/core/snapshot/schema";
import {
  call,
  deploy,
  depRef,
  destRule,
  edgeOf,
  findingsOf,
  host,
  injected,
  meshConfig,
  namespace,
  peerAuth,
  run,
  service,
  serviceEntry,
  sidecarResource,
  tls,
} from "./kit";

const ambientNs = (name: string) => namespace(name, { "istio.io/dataplane-mode": "ambient" });
const paRef = (ns: string, name: string): Ref => ({ kind: "PeerAuthentication", namespace: ns, name });
const drRef = (ns: string, name: string): Ref => ({ kind: "DestinationRule", namespace: ns, name });
const sidecarRef = (ns: string, name: string): Ref => ({ kind: "Sidecar", namespace: ns, name });

const SRV = host("srv", "b");
const DB = host("db", "plain");
const EXT = "api.example.com";
const edgeId = (src: string | null, h: string, port: number) => `${src ?? "unknown"}->${h}:${port}`;

/** A call the client made, known only from the client side (a broken edge has no destination-side series). */
const attempt = (src: string | null, h: string): TrafficSample =>
  call(src, h, "unknown", 1, { reporter: "source" });

// a/client: sidecar. legacy/app: no proxy. b/srv: sidecar on 8080 behind port 80. plain/db: no proxy.
const base: KubeObject[] = [
  injected("a"),
  injected("b"),
  namespace("legacy"),
  namespace("plain"),
  deploy("a", "client"),
  deploy("legacy", "app"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080 }]),
  deploy("plain", "db", { ports: [5432] }),
  service("plain", "db", [{ port: 5432, name: "tcp-pg" }]),
];
const nsStrict = peerAuth("b", "default", "STRICT");
const withoutDeployment = (objs: KubeObject[], name: string) =>
  objs.filter((o) => !(o.kind === "Deployment" && o.metadata.name === name));

const edgeFindings = (s: MeshSnapshot, id: string) =>
  s.findings.filter((f) => f.edge === id && f.code.startsWith("edge."));

/** "A broken edge gets exactly one edge.* error": returns it after checking its code, `edge` and fix. */
function theEdgeError(s: MeshSnapshot, id: string, code: string): Finding {
  const errors = edgeFindings(s, id).filter((f) => f.severity === "error");
  expect(
    errors.map((f) => f.code),
    `edge.* errors on ${id}`,
  ).toEqual([code]);
  const edge = s.edges.find((e) => e.id === id);
  expect(edge?.predicted.verdict).toBe("broken");
  expect(edge?.status).toBe("broken");
  const f = errors[0]!;
  expect(f.edge).toBe(id);
  expect(f.message).toContain(id);
  expect(f.fix).toBeTruthy();
  return f;
}

const noEdgeErrors = (s: MeshSnapshot) =>
  expect(
    s.findings
      .filter((f) => f.code.startsWith("edge.") && f.severity === "error")
      .map((f) => `${f.code}: ${f.message}`),
  ).toEqual([]);

describe("edge.plaintext-to-strict (error) [4 A/B]", () => {
  it.each([
    {
      client: "a client without proxy",
      objs: [nsStrict],
      src: "legacy/app",
      resources: [paRef("b", "default"), depRef("legacy", "app"), depRef("b", "srv")],
      mentions: ["legacy/app has no proxy", "b/default", "port 8080"],
    },
    {
      client: "a caller outside the mesh",
      objs: [nsStrict],
      src: null,
      resources: [paRef("b", "default"), depRef("b", "srv")],
      mentions: ["outside the mesh", "b/default", "port 8080"],
    },
    {
      client: "a sidecar with DR DISABLE",
      objs: [nsStrict, destRule("b", "srv", SRV, tls("DISABLE"))],
      src: "a/client",
      resources: [drRef("b", "srv"), paRef("b", "default"), depRef("a", "client"), depRef("b", "srv")],
      mentions: ["a/client", "DestinationRule b/srv", "DISABLE", "b/default", "port 8080"],
    },
    {
      client: "a sidecar with a DR tls block without mode",
      objs: [nsStrict, destRule("b", "srv", SRV, tls(null, { sni: "srv" }))],
      src: "a/client",
      resources: [drRef("b", "srv"), paRef("b", "default"), depRef("a", "client"), depRef("b", "srv")],
      mentions: ["a/client", "without mode", "b/default"],
    },
    {
      client: "a sidecar whose DR credentialName is ignored (no workloadSelector)",
      objs: [nsStrict, destRule("b", "srv", SRV, tls("SIMPLE", { credentialName: "srv-ca" }))],
      src: "a/client",
      resources: [drRef("b", "srv"), paRef("b", "default"), depRef("a", "client"), depRef("b", "srv")],
      mentions: ["a/client", "credentialName", "b/default"],
    },
    {
      client: "a sidecar with auto mTLS off",
      objs: [meshConfig("enableAutoMtls: false\n"), peerAuth("istio-system", "default", "STRICT")],
      src: "a/client",
      resources: [paRef("istio-system", "default"), depRef("a", "client"), depRef("b", "srv")],
      mentions: ["a/client", "enableAutoMtls: false", "istio-system/default"],
    },
    {
      // The DR that applies to the host sets no TLS: it, not a missing DR, is where ISTIO_MUTUAL goes.
      // The wildcard's ISTIO_MUTUAL would have applied without it (Kiali's KIA0204 with auto mTLS off).
      client: "a sidecar with auto mTLS off whose DR for the host (over a *.local ISTIO_MUTUAL) sets no TLS",
      objs: [
        meshConfig("enableAutoMtls: false\n"),
        peerAuth("istio-system", "default", "STRICT"),
        destRule("istio-system", "default", "*.local", tls("ISTIO_MUTUAL")),
        destRule("b", "srv", SRV, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }),
      ],
      src: "a/client",
      resources: [
        drRef("b", "srv"),
        paRef("istio-system", "default"),
        depRef("a", "client"),
        depRef("b", "srv"),
      ],
      mentions: [
        "DestinationRule b/srv",
        "sets no TLS for port 80",
        "enableAutoMtls: false",
        "istio-system/default",
      ],
    },
    {
      client: "a sidecar whose Sidecar resource does not import the host (PassthroughCluster)",
      objs: [nsStrict, sidecarResource("a", "default", ["./*", "istio-system/*"])],
      src: "a/client",
      resources: [paRef("b", "default"), depRef("a", "client"), depRef("b", "srv")],
      mentions: ["Sidecar a/default", "PassthroughCluster", "b/default"],
    },
    {
      client: "an ambient pod (ztunnel sends plaintext TCP to a sidecar without HBONE)",
      objs: [nsStrict, ambientNs("amb"), deploy("amb", "app")],
      src: "amb/app",
      resources: [paRef("b", "default"), depRef("amb", "app"), depRef("b", "srv")],
      mentions: ["ztunnel", "amb/app", "b/default"],
    },
  ])("fires for $client → STRICT sidecar", ({ objs, src, resources, mentions }) => {
    const s = run([...base, ...objs], [attempt(src, SRV)]);
    const f = theEdgeError(s, edgeId(src, SRV, 80), "edge.plaintext-to-strict");
    expect(f.resources).toEqual(resources);
    for (const m of mentions) expect(f.message).toContain(m);
  });

  // With auto mTLS off, a DR that applies to the host but sets no TLS is what the fix must change: a
  // second DR for the same host in its namespace would be merged into it (the oldest top-level policy
  // wins, mergeDestinationRule). Without any DR, adding one is the fix.
  it.each([
    {
      dr: [destRule("b", "srv", SRV, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } })],
      fix: "Set tls.mode ISTIO_MUTUAL in DestinationRule b/srv, the one that applies to srv.b.svc.cluster.local: it sets no TLS for port 80, and auto mTLS is off (enableAutoMtls: false); or set enableAutoMtls: true in the mesh config.",
    },
    {
      dr: [] as KubeObject[],
      fix: "Set enableAutoMtls: true in the mesh config, or add a DestinationRule with ISTIO_MUTUAL for srv.b.svc.cluster.local.",
    },
  ])("auto mTLS off → STRICT: the fix with $dr.length DR(s) for the host", ({ dr, fix }) => {
    const s = run(
      [...base, meshConfig("enableAutoMtls: false\n"), nsStrict, ...dr],
      [attempt("a/client", SRV)],
    );
    expect(theEdgeError(s, edgeId("a/client", SRV, 80), "edge.plaintext-to-strict").fix).toBe(fix);
  });

  // Auto mTLS sends plaintext to pods without tlsMode=istio: the fix is ISTIO_MUTUAL in a DR, and where
  // one applies to the host without TLS for the port, in that one (a second DR for the host in its
  // namespace would be merged into it). Without a DR: unchanged.
  it.each([
    {
      dr: "no DR (near miss)",
      objs: [] as KubeObject[],
      drRefs: [] as Ref[],
      fix: "Make the client send Istio mTLS to srv.b.svc.cluster.local (a DestinationRule with ISTIO_MUTUAL), or relax the destination port to PERMISSIVE.",
    },
    {
      dr: "a DR without TLS",
      objs: [destRule("b", "srv", SRV, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } })],
      drRefs: [drRef("b", "srv")],
      fix: "Make the client send Istio mTLS to srv.b.svc.cluster.local (set tls.mode ISTIO_MUTUAL in DestinationRule b/srv, the one that applies to srv.b.svc.cluster.local: it sets no TLS for port 80), or relax the destination port to PERMISSIVE.",
    },
  ])(
    "auto mTLS → a STRICT pod labelled tlsMode=disabled, $dr: the fix and the objects named",
    ({ objs, drRefs, fix }) => {
      const unlabelled = [
        ...withoutDeployment(base, "srv"),
        deploy("b", "srv", { ports: [8080], labels: { "security.istio.io/tlsMode": "disabled" } }),
      ];
      const s = run([...unlabelled, nsStrict, ...objs], [attempt("a/client", SRV)]);
      const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.plaintext-to-strict");
      expect(f.fix).toBe(fix);
      expect(f.resources).toEqual([
        ...drRefs,
        paRef("b", "default"),
        depRef("a", "client"),
        depRef("b", "srv"),
      ]);
    },
  );

  it("fires for a client without proxy → STRICT ambient workload", () => {
    const s = run(
      [
        ...base,
        ambientNs("amb"),
        deploy("amb", "api"),
        service("amb", "api", [80]),
        peerAuth("amb", "default", "STRICT"),
      ],
      [attempt("legacy/app", host("api", "amb"))],
    );
    const f = theEdgeError(s, edgeId("legacy/app", host("api", "amb"), 80), "edge.plaintext-to-strict");
    expect(f.resources).toEqual([paRef("amb", "default"), depRef("legacy", "app"), depRef("amb", "api")]);
    expect(f.message).toContain("ambient");
  });

  it.each([
    {
      miss: "a client without proxy → PERMISSIVE server",
      objs: [peerAuth("b", "default", "PERMISSIVE")],
      src: "legacy/app",
    },
    {
      miss: "DR ISTIO_MUTUAL → STRICT",
      objs: [nsStrict, destRule("b", "srv", SRV, tls("ISTIO_MUTUAL"))],
      src: "a/client",
    },
    { miss: "auto mTLS → STRICT", objs: [nsStrict], src: "a/client" },
    {
      miss: "a Sidecar resource that imports the host → STRICT",
      objs: [nsStrict, sidecarResource("a", "default", ["./*", "b/*"])],
      src: "a/client",
    },
  ])("silent: $miss", ({ objs, src }) => {
    const s = run([...base, ...objs], [attempt(src, SRV)]);
    expect(findingsOf(s, "edge.plaintext-to-strict")).toEqual([]);
    noEdgeErrors(s);
  });

  it("silent: an ambient pod → STRICT sidecar reachable over HBONE (networking.istio.io/tunnel=http)", () => {
    const objs = [
      ...withoutDeployment(base, "srv"),
      deploy("b", "srv", { ports: [8080], labels: { "networking.istio.io/tunnel": "http" } }),
    ];
    const s = run([...objs, nsStrict, ambientNs("amb"), deploy("amb", "app")], [attempt("amb/app", SRV)]);
    expect(edgeOf(s, "amb/app", SRV)!.predicted.verdict).toBe("mtls");
    expect(findingsOf(s, "edge.plaintext-to-strict")).toEqual([]);
    noEdgeErrors(s);
  });
});

describe("edge.mtls-to-no-proxy (error) [4 C, 9.1]", () => {
  it("fires when a DR forces ISTIO_MUTUAL towards endpoints without proxy", () => {
    const s = run([...base, destRule("plain", "db", DB, tls("ISTIO_MUTUAL"))], [attempt("a/client", DB)]);
    const f = theEdgeError(s, edgeId("a/client", DB, 5432), "edge.mtls-to-no-proxy");
    expect(f.resources).toEqual([drRef("plain", "db"), depRef("a", "client"), depRef("plain", "db")]);
    expect(f.message).toContain("DestinationRule plain/db");
    expect(f.message).toContain("ISTIO_MUTUAL");
    expect(f.message).toContain("plain/db has no proxy");
    expect(f.fix).toContain("db");
  });

  it("fires when auto mTLS sees tlsMode=istio on a pod without proxy", () => {
    const objs = [
      ...withoutDeployment(base, "db"),
      deploy("plain", "db", { ports: [5432], labels: { "security.istio.io/tlsMode": "istio" } }),
    ];
    const s = run(objs, [attempt("a/client", DB)]);
    const f = theEdgeError(s, edgeId("a/client", DB, 5432), "edge.mtls-to-no-proxy");
    expect(f.resources).toEqual([depRef("a", "client"), depRef("plain", "db")]);
    expect(f.message).toContain("auto mTLS");
    expect(f.message).toContain("security.istio.io/tlsMode=istio");
    expect(f.fix).toContain("tlsMode");
  });

  it.each([
    {
      miss: "auto mTLS, no tlsMode label on the pod without proxy (plaintext, which works)",
      objs: [] as KubeObject[],
    },
    {
      miss: "a DR with DISABLE for the host without proxy",
      objs: [destRule("plain", "db", DB, tls("DISABLE"))],
    },
  ])("silent: $miss", ({ objs }) => {
    const s = run([...base, ...objs], [attempt("a/client", DB)]);
    expect(edgeOf(s, "a/client", DB)!.predicted.verdict).toBe("plaintext");
    expect(findingsOf(s, "edge.mtls-to-no-proxy")).toEqual([]);
    noEdgeErrors(s);
  });
});

describe("edge.mtls-to-disable (error) [4 C]", () => {
  it.each([
    {
      case: "the workload is DISABLE",
      pa: peerAuth("b", "srv", "DISABLE", { selector: { app: "srv" } }),
    },
    {
      case: "the target port is DISABLE by portLevelMtls",
      pa: peerAuth("b", "srv", "STRICT", { selector: { app: "srv" }, ports: { "8080": "DISABLE" } }),
    },
  ])("fires for a DR forcing ISTIO_MUTUAL when $case", ({ pa }) => {
    const s = run([...base, pa, destRule("a", "srv", SRV, tls("ISTIO_MUTUAL"))], [attempt("a/client", SRV)]);
    const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.mtls-to-disable");
    expect(f.resources).toEqual([
      drRef("a", "srv"),
      paRef("b", "srv"),
      depRef("a", "client"),
      depRef("b", "srv"),
    ]);
    expect(f.message).toContain("DestinationRule a/srv");
    expect(f.message).toContain("port 8080 is DISABLE");
    expect(f.message).toContain("b/srv");
  });

  it.each([
    {
      miss: "auto mTLS (no DR) adapts to the DISABLE workload",
      objs: [peerAuth("b", "srv", "DISABLE", { selector: { app: "srv" } })],
      verdict: "plaintext",
    },
    {
      miss: "DR ISTIO_MUTUAL with DISABLE on another port",
      objs: [
        peerAuth("b", "srv", "STRICT", { selector: { app: "srv" }, ports: { "9090": "DISABLE" } }),
        destRule("a", "srv", SRV, tls("ISTIO_MUTUAL")),
      ],
      verdict: "mtls",
    },
  ])("silent: $miss", ({ objs, verdict }) => {
    const s = run([...base, ...objs], [attempt("a/client", SRV)]);
    expect(edgeOf(s, "a/client", SRV)!.predicted.verdict).toBe(verdict);
    expect(findingsOf(s, "edge.mtls-to-disable")).toEqual([]);
    noEdgeErrors(s);
  });
});

// With auto mTLS off, a sidecar's cluster for a port whose DR policy has no tls sends plaintext
// (buildUpstreamTLSSettings, cluster_tls.go: nil TLS, !autoMTLSEnabled), and that DR hides every other
// DR for the host (PushContext.destinationRule: the first tier that matches; mergeDestinationRule
// within a namespace). The edge names the DR that applies, the reason says it sets no TLS for the port,
// and the fix edits it. With auto mTLS on the same DR decides nothing and is not named.
describe("auto mTLS off: the edge names the DestinationRule that applies but sets no TLS for the port", () => {
  const autoOff = [meshConfig("enableAutoMtls: false\n"), peerAuth("istio-system", "default", "STRICT")];
  const lb = { loadBalancer: { simple: "ROUND_ROBIN" } };
  const OLDER = "2026-01-01T00:00:00Z";
  const NEWER = "2026-02-01T00:00:00Z";
  const v1 = (trafficPolicy?: Record<string, unknown>) => ({
    name: "v1",
    labels: { app: "srv" },
    ...(trafficPolicy ? { trafficPolicy } : {}),
  });
  // A mesh VirtualService in the client's namespace that sends every call for srv to subset v1.
  const toV1: KubeObject = {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "to-v1", namespace: "a" },
    spec: { hosts: [SRV], http: [{ route: [{ destination: { host: SRV, subset: "v1" } }] }] },
  };
  const appliesNoTls = (dr: string, rest = "") =>
    `a/client sends plaintext: DestinationRule ${dr}, the one that applies to srv.b.svc.cluster.local, sets no TLS for port 80${rest}, and auto mTLS is off (enableAutoMtls: false)`;

  it.each([
    {
      case: "a client-namespace DR without TLS hides the service namespace's ISTIO_MUTUAL",
      objs: [
        destRule("a", "srv", SRV, { trafficPolicy: lb }),
        destRule("b", "srv", SRV, tls("ISTIO_MUTUAL")),
      ],
      tls: "DISABLE",
      dr: drRef("a", "srv"),
      says: appliesNoTls("a/srv"),
    },
    {
      case: "near miss: the client namespace's ISTIO_MUTUAL hides the service namespace's DR without TLS",
      objs: [
        destRule("a", "srv", SRV, tls("ISTIO_MUTUAL")),
        destRule("b", "srv", SRV, { trafficPolicy: lb }),
      ],
      tls: "ISTIO_MUTUAL",
      dr: drRef("a", "srv"),
      says: "a/client sends ISTIO_MUTUAL because DestinationRule a/srv sets tls.mode ISTIO_MUTUAL in its trafficPolicy",
    },
    {
      case: "two DRs in one namespace: the older one's top-level policy (no TLS) wins over the newer one's ISTIO_MUTUAL",
      objs: [
        destRule("b", "old", SRV, { trafficPolicy: lb }, OLDER),
        destRule("b", "new", SRV, tls("ISTIO_MUTUAL"), NEWER),
      ],
      tls: "DISABLE",
      dr: drRef("b", "old"),
      says: appliesNoTls("b/old"),
    },
    {
      case: "two DRs in one namespace, the older one without trafficPolicy: the newer one's policy (no TLS) applies",
      objs: [
        destRule("b", "old", SRV, { subsets: [v1()] }, OLDER),
        destRule("b", "new", SRV, { trafficPolicy: lb }, NEWER),
      ],
      tls: "DISABLE",
      dr: drRef("b", "new"),
      says: appliesNoTls("b/new"),
    },
    {
      case: "near miss: the same pair, the newer one's policy sets ISTIO_MUTUAL",
      objs: [
        destRule("b", "old", SRV, { subsets: [v1()] }, OLDER),
        destRule("b", "new", SRV, tls("ISTIO_MUTUAL"), NEWER),
      ],
      tls: "ISTIO_MUTUAL",
      dr: drRef("b", "new"),
      says: "a/client sends ISTIO_MUTUAL because DestinationRule b/new sets tls.mode ISTIO_MUTUAL in its trafficPolicy",
    },
    {
      case: "a route to subset v1, which sets no TLS: the DR whose top level the subset inherits",
      objs: [destRule("b", "srv", SRV, { trafficPolicy: lb, subsets: [v1()] }), toV1],
      tls: "DISABLE",
      dr: drRef("b", "srv"),
      says: `${appliesNoTls("b/srv")} (routed by VirtualService a/to-v1 to subset v1)`,
    },
    {
      case: "a route to subset v1 of a newer merged DR whose subset port entry has no tls (the older top level is ISTIO_MUTUAL)",
      objs: [
        destRule("b", "old", SRV, tls("ISTIO_MUTUAL"), OLDER),
        destRule(
          "b",
          "new",
          SRV,
          { subsets: [v1({ portLevelSettings: [{ port: { number: 80 }, ...lb }] })] },
          NEWER,
        ),
        toV1,
      ],
      tls: "DISABLE",
      dr: drRef("b", "new"),
      says: appliesNoTls("b/new", " (its subset v1's portLevelSettings for port 80 has no tls)"),
    },
    {
      // The port entry replaces the whole policy (GetPortLevelTrafficPolicy): the top-level tls is not read.
      case: "a top-level ISTIO_MUTUAL and a portLevelSettings entry for port 80 without tls",
      objs: [
        destRule("b", "srv", SRV, {
          trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL" },
            portLevelSettings: [{ port: { number: 80 }, ...lb }],
          },
        }),
      ],
      tls: "DISABLE",
      dr: drRef("b", "srv"),
      says: appliesNoTls("b/srv", " (its portLevelSettings for port 80 has no tls)"),
    },
    {
      case: "TLS set only on port 81: none for port 80",
      objs: [
        destRule("b", "srv", SRV, {
          trafficPolicy: { portLevelSettings: [{ port: { number: 81 }, tls: { mode: "ISTIO_MUTUAL" } }] },
        }),
      ],
      tls: "DISABLE",
      dr: drRef("b", "srv"),
      says: appliesNoTls("b/srv"),
    },
  ])("$case", ({ objs, tls: sent, dr, says }) => {
    const s = run([...base, ...autoOff, ...objs], [attempt("a/client", SRV)]);
    const e = edgeOf(s, "a/client", SRV)!;
    expect(e.predicted.client).toEqual({
      tls: sent,
      origin: sent === "DISABLE" ? "auto" : "destinationrule",
      destinationRule: dr,
    });
    expect(e.predicted.reason.startsWith(says), e.predicted.reason).toBe(true);
    if (sent === "ISTIO_MUTUAL") return noEdgeErrors(s);
    const f = theEdgeError(s, e.id, "edge.plaintext-to-strict");
    expect(f.resources[0]).toEqual(dr);
    expect(f.fix).toContain(`Set tls.mode ISTIO_MUTUAL in DestinationRule ${dr.namespace}/${dr.name}`);
    expect(f.fix).toContain("it sets no TLS for port 80");
  });

  it("near miss: with auto mTLS on, the same DR without TLS decides nothing and is not named", () => {
    const s = run(
      [
        ...base,
        peerAuth("istio-system", "default", "STRICT"),
        destRule("b", "srv", SRV, { trafficPolicy: lb }),
      ],
      [call("a/client", SRV, "mutual_tls")],
    );
    const e = edgeOf(s, "a/client", SRV)!;
    expect(e.predicted.client).toEqual({ tls: "ISTIO_MUTUAL", origin: "auto", destinationRule: null });
    expect(e.predicted.verdict).toBe("mtls");
    noEdgeErrors(s);
  });
});

describe("edge.auto-mtls-namespace-disable (error) [3.4]", () => {
  const srvStrict = peerAuth("b", "srv-strict", "STRICT", { selector: { app: "srv" } });

  it.each([
    { scope: "namespace", off: peerAuth("b", "ns-off", "DISABLE"), offRef: paRef("b", "ns-off") },
    {
      scope: "mesh",
      off: peerAuth("istio-system", "default", "DISABLE"),
      offRef: paRef("istio-system", "default"),
    },
  ])(
    "fires when the $scope is DISABLE and the workload STRICT; names the DISABLE policy, then the STRICT one",
    ({ off, offRef }) => {
      const s = run([...base, off, srvStrict], [attempt("a/client", SRV)]);
      // The most specific code: not also edge.plaintext-to-strict.
      const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.auto-mtls-namespace-disable");
      expect(f.resources).toEqual([
        offRef,
        paRef("b", "srv-strict"),
        depRef("a", "client"),
        depRef("b", "srv"),
      ]);
      expect(f.message).toContain("namespace b is DISABLE");
      expect(f.message).toContain(`${offRef.namespace}/${offRef.name}`);
      expect(f.message).toContain("b/srv-strict");
      expect(f.message).toContain("STRICT");
    },
  );

  // A DR that applies to the host but sets no TLS for the port is where ISTIO_MUTUAL must go: a second
  // DR for the host in its namespace would be merged into it, the older top-level policy winning
  // (mergeDestinationRule). The finding names it, after the DISABLE policy. Without a DR: unchanged.
  const dropNs =
    "Remove DISABLE from the namespace policy of b (use PERMISSIVE or STRICT there and DISABLE only on the workloads or ports that need it), or ";
  const lb = { loadBalancer: { simple: "ROUND_ROBIN" } };
  it.each([
    {
      dr: "no DR for the host (near miss)",
      objs: [] as KubeObject[],
      drRefs: [] as Ref[],
      fix: `${dropNs}add a DestinationRule with ISTIO_MUTUAL for srv.b.svc.cluster.local.`,
    },
    {
      dr: "a DR in the service's namespace without TLS",
      objs: [destRule("b", "srv", SRV, { trafficPolicy: lb })],
      drRefs: [drRef("b", "srv")],
      fix: `${dropNs}set tls.mode ISTIO_MUTUAL in DestinationRule b/srv, the one that applies to srv.b.svc.cluster.local: it sets no TLS for port 80.`,
    },
    {
      dr: "a DR in the client's namespace whose portLevelSettings entry for the port has no tls",
      objs: [
        destRule("a", "srv", SRV, {
          trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL" },
            portLevelSettings: [{ port: { number: 80 }, ...lb }],
          },
        }),
      ],
      drRefs: [drRef("a", "srv")],
      fix: `${dropNs}set tls.mode ISTIO_MUTUAL in DestinationRule a/srv (its portLevelSettings for port 80), the one that applies to srv.b.svc.cluster.local: it sets no TLS for port 80.`,
    },
  ])("the fix and the objects named with $dr", ({ objs, drRefs, fix }) => {
    const s = run(
      [...base, peerAuth("b", "ns-off", "DISABLE"), srvStrict, ...objs],
      [attempt("a/client", SRV)],
    );
    const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.auto-mtls-namespace-disable");
    expect(f.fix).toBe(fix);
    expect(f.resources).toEqual([
      paRef("b", "ns-off"),
      ...drRefs,
      paRef("b", "srv-strict"),
      depRef("a", "client"),
      depRef("b", "srv"),
    ]);
    // The edge itself names no DR: auto mTLS decided, not the DR.
    expect(edgeOf(s, "a/client", SRV)!.predicted.client.destinationRule).toBeNull();
  });

  it.each([
    {
      miss: "a DR with ISTIO_MUTUAL overrides auto mTLS",
      objs: [peerAuth("b", "ns-off", "DISABLE"), srvStrict, destRule("a", "srv", SRV, tls("ISTIO_MUTUAL"))],
      verdict: "mtls",
    },
    {
      miss: "namespace PERMISSIVE, workload STRICT",
      objs: [peerAuth("b", "ns", "PERMISSIVE"), srvStrict],
      verdict: "mtls",
    },
    {
      miss: "namespace DISABLE, workload PERMISSIVE",
      objs: [
        peerAuth("b", "ns-off", "DISABLE"),
        peerAuth("b", "srv", "PERMISSIVE", { selector: { app: "srv" } }),
      ],
      verdict: "plaintext",
    },
  ])("silent: $miss", ({ objs, verdict }) => {
    const s = run([...base, ...objs], [attempt("a/client", SRV)]);
    expect(edgeOf(s, "a/client", SRV)!.predicted.verdict).toBe(verdict);
    expect(findingsOf(s, "edge.auto-mtls-namespace-disable")).toEqual([]);
    noEdgeErrors(s);
  });
});

describe("edge.tls-mismatch (error) [4 D/E]", () => {
  it.each([
    { mode: "SIMPLE", extra: {} },
    { mode: "MUTUAL", extra: { clientCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" } },
  ])("fires for $mode (own certificates) towards a STRICT sidecar", ({ mode, extra }) => {
    const s = run(
      [...base, nsStrict, destRule("a", "srv", SRV, tls(mode, extra))],
      [attempt("a/client", SRV)],
    );
    const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.tls-mismatch");
    expect(f.resources).toEqual([
      drRef("a", "srv"),
      paRef("b", "default"),
      depRef("a", "client"),
      depRef("b", "srv"),
    ]);
    expect(f.message).toContain(`tls.mode ${mode}`);
    expect(f.message).toContain("DestinationRule a/srv");
    expect(f.message).toContain("b/default");
    expect(f.message).toContain("port 8080 is STRICT");
    expect(f.fix).toContain("cannot pass a STRICT sidecar");
  });

  it("fires for SIMPLE towards a PERMISSIVE sidecar on an HTTP-declared port (no chain for TLS without Istio ALPN)", () => {
    const s = run([...base, destRule("a", "srv", SRV, tls("SIMPLE"))], [attempt("a/client", SRV)]);
    const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.tls-mismatch");
    expect(f.resources).toEqual([drRef("a", "srv"), depRef("a", "client"), depRef("b", "srv")]);
    // The fix names what really happens there, not a STRICT sidecar.
    expect(f.fix).not.toContain("STRICT");
    expect(f.fix).toContain("PERMISSIVE on port 8080");
  });

  it.each([
    {
      miss: "SIMPLE towards a PERMISSIVE sidecar on a TCP port (passed through to the app)",
      objs: [
        deploy("b", "pg", { ports: [5432] }),
        service("b", "pg", [{ port: 5432, name: "tcp-pg" }]),
        destRule("a", "pg", host("pg", "b"), tls("SIMPLE")),
      ],
      h: host("pg", "b"),
      verdict: "tls",
    },
    {
      miss: "SIMPLE towards a MESH_EXTERNAL host",
      objs: [serviceEntry("a", "ext", [EXT]), destRule("a", "ext", EXT, tls("SIMPLE"))],
      h: EXT,
      verdict: "tls",
    },
    {
      miss: "ISTIO_MUTUAL towards the STRICT sidecar",
      objs: [nsStrict, destRule("a", "srv", SRV, tls("ISTIO_MUTUAL"))],
      h: SRV,
      verdict: "mtls",
    },
  ])("silent: $miss", ({ objs, h, verdict }) => {
    const s = run([...base, ...objs], [attempt("a/client", h)]);
    expect(edgeOf(s, "a/client", h)!.predicted.verdict).toBe(verdict);
    expect(findingsOf(s, "edge.tls-mismatch")).toEqual([]);
    noEdgeErrors(s);
  });

  // A proxy whose node metadata names file-mounted certificates (ISTIO_META_TLS_CLIENT_CERT_CHAIN in its
  // ProxyConfig) gets a MUTUAL DR's TLS replaced by a MUTUAL from those files (cluster_tls.go
  // buildUpstreamTLSSettings: `hasMetadataCerts()` → buildMutualTLS), which a STRICT sidecar's chains
  // take (filterchain_options.go: no ALPN match under STRICT). Upstream's
  // tests/integration/security/file_mounted_certs TestClientToServiceTls: 200 with the client's XFCC.
  // It carries no Istio ALPN (the DR's MUTUAL keeps the istio.alpn filter off: AddALPNOverrideToMetadata),
  // so elsewhere it is met as any MUTUAL (test/fileMountedCerts.test.ts has the whole table).
  const FILE_CERTS = {
    ISTIO_META_TLS_CLIENT_CERT_CHAIN: "/client-certs/cert-chain.pem",
    ISTIO_META_TLS_CLIENT_KEY: "/client-certs/key.pem",
    ISTIO_META_TLS_CLIENT_ROOT_CERT: "/client-certs/root-cert.pem",
  };
  const fileCertsMesh = meshConfig(`defaultConfig:\n  proxyMetadata: ${JSON.stringify(FILE_CERTS)}\n`);
  // subjectAltNames as upstream's DR sets them (the server secret carries that DNS SAN): without them or an
  // sni, istiod turns on auto SAN validation against the request's host (setAutoSniAndAutoSanValidation).
  const FILE_DR = {
    clientCertificate: "/client-certs/cert-chain.pem",
    privateKey: "/client-certs/key.pem",
    caCertificates: "/client-certs/root-cert.pem",
  };
  const mutualFiles = destRule(
    "a",
    "srv",
    SRV,
    tls("MUTUAL", { ...FILE_DR, subjectAltNames: ["srv.b.svc"] }),
  );
  it.each([
    { via: "the mesh's defaultConfig", objs: [fileCertsMesh] },
    {
      via: "the client pod's proxy.istio.io/config",
      objs: [
        deploy("a", "client", {
          annotations: { "proxy.istio.io/config": JSON.stringify({ proxyMetadata: FILE_CERTS }) },
        }),
      ],
      without: "client",
    },
  ])(
    "silent: MUTUAL from a proxy with file-mounted certificates ($via) towards the STRICT sidecar is mTLS",
    ({ objs, without }) => {
      const s = run(
        [...(without ? withoutDeployment(base, without) : base), nsStrict, mutualFiles, ...objs],
        [attempt("a/client", SRV)],
      );
      // The wire is MUTUAL (contract.md client.tls): the reason says the files make it the mesh's mTLS.
      expect(edgeOf(s, "a/client", SRV)!.predicted).toMatchObject({
        client: { tls: "MUTUAL", origin: "destinationrule" },
        verdict: "mtls",
      });
      expect(edgeOf(s, "a/client", SRV)!.predicted.reason).toContain("ISTIO_META_TLS_CLIENT_CERT_CHAIN");
      expect(edgeOf(s, "a/client", SRV)!.predicted.reason).toContain("issued by the mesh CA");
      noEdgeErrors(s);
    },
  );

  it.each([
    { dr: "neither subjectAltNames nor sni", extra: {}, verdict: "unknown" },
    {
      dr: "an sni alone (no auto SNI, so no auto SAN validation)",
      extra: { sni: "srv.b.svc" },
      verdict: "mtls",
    },
  ])(
    "the same DR with $dr towards the STRICT sidecar is $verdict, with no edge error",
    ({ extra, verdict }) => {
      const s = run(
        [
          ...base,
          nsStrict,
          destRule("a", "srv", SRV, tls("MUTUAL", { ...FILE_DR, ...extra })),
          fileCertsMesh,
        ],
        [attempt("a/client", SRV)],
      );
      const p = edgeOf(s, "a/client", SRV)!.predicted;
      expect(p).toMatchObject({ client: { tls: "MUTUAL", origin: "destinationrule" }, verdict });
      if (verdict === "unknown") expect(p.reason).toContain("auto SAN validation");
      else expect(p.reason).not.toContain("auto SAN validation");
      noEdgeErrors(s);
    },
  );

  it("the same towards a DISABLE HTTP port is MUTUAL meeting its plaintext chain: edge.tls-mismatch, whose fix names the file-mounted certificates", () => {
    const s = run(
      [...base, peerAuth("b", "default", "DISABLE"), mutualFiles, fileCertsMesh],
      [attempt("a/client", SRV)],
    );
    const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.tls-mismatch");
    expect(f.fix).toContain("ISTIO_META_TLS_CLIENT_CERT_CHAIN");
    expect(f.fix).toContain("tls.mode DISABLE");
  });

  it("near miss: the same towards a PERMISSIVE TCP port is passed through to the application (tls, no edge error), as any MUTUAL, and dr.non-istio-tls-to-mesh says so", () => {
    const PG = host("pg", "b");
    const pg = [deploy("b", "pg", { ports: [5432] }), service("b", "pg", [{ port: 5432, name: "tcp-pg" }])];
    const dr = destRule(
      "a",
      "pg",
      PG,
      tls("MUTUAL", {
        clientCertificate: "/client-certs/cert-chain.pem",
        privateKey: "/client-certs/key.pem",
      }),
    );
    for (const files of [[fileCertsMesh], []]) {
      const s = run([...base, ...pg, dr, ...files], [attempt("a/client", PG)]);
      expect(edgeOf(s, "a/client", PG)!.predicted).toMatchObject({
        client: { tls: "MUTUAL", origin: "destinationrule" },
        verdict: "tls",
      });
      noEdgeErrors(s);
      expect(findingsOf(s, "dr.non-istio-tls-to-mesh").map((f) => f.resources)).toEqual([[drRef("a", "pg")]]);
    }
  });

  it("near miss: the same DR from a proxy without file-mounted certificates still fails against STRICT, and towards a MESH_EXTERNAL host the DR's own TLS stays", () => {
    const s = run([...base, nsStrict, mutualFiles], [attempt("a/client", SRV)]);
    theEdgeError(s, edgeId("a/client", SRV, 80), "edge.tls-mismatch");
    // PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES (default true) keeps a MESH_EXTERNAL host's DR TLS as written.
    const ext = run(
      [
        ...base,
        serviceEntry("a", "ext", [EXT]),
        destRule("a", "ext", EXT, tls("MUTUAL", { clientCertificate: "/c.pem", privateKey: "/k.pem" })),
        fileCertsMesh,
      ],
      [attempt("a/client", EXT)],
    );
    expect(edgeOf(ext, "a/client", EXT)!.predicted).toMatchObject({
      client: { tls: "MUTUAL" },
      verdict: "tls",
    });
    expect(edgeOf(ext, "a/client", EXT)!.predicted.reason).not.toContain("file-mounted");
  });
});

describe("edge.plaintext (warning)", () => {
  it.each([
    {
      case: "a client without proxy → PERMISSIVE sidecar",
      objs: [peerAuth("b", "default", "PERMISSIVE")],
      src: "legacy/app",
      h: SRV,
      port: 80,
      resources: [paRef("b", "default"), depRef("legacy", "app"), depRef("b", "srv")],
      mentions: ["legacy/app has no proxy", "PERMISSIVE", "b/default"],
    },
    {
      case: "a caller outside the mesh → sidecar (Istio's default PERMISSIVE)",
      objs: [],
      src: null,
      h: SRV,
      port: 80,
      resources: [depRef("b", "srv")],
      mentions: ["outside the mesh", "b/srv port 8080 is PERMISSIVE"],
    },
    {
      case: "a sidecar → a pod without proxy (auto mTLS chose plaintext)",
      objs: [],
      src: "a/client",
      h: DB,
      port: 5432,
      resources: [depRef("a", "client"), depRef("plain", "db")],
      mentions: ["a/client", "plain/db"],
    },
    {
      case: "a sidecar with DR DISABLE → PERMISSIVE sidecar",
      objs: [destRule("a", "srv", SRV, tls("DISABLE"))],
      src: "a/client",
      h: SRV,
      port: 80,
      resources: [drRef("a", "srv"), depRef("a", "client"), depRef("b", "srv")],
      mentions: ["DestinationRule a/srv", "DISABLE"],
    },
  ] as {
    case: string;
    objs: KubeObject[];
    src: string | null;
    h: string;
    port: number;
    resources: Ref[];
    mentions: string[];
  }[])("fires for $case", ({ objs, src, h, port, resources, mentions }) => {
    const s = run([...base, ...objs], [call(src, h, "none")]);
    const id = edgeId(src, h, port);
    const fs = edgeFindings(s, id);
    expect(fs.map((f) => f.code)).toEqual(["edge.plaintext"]);
    const f = fs[0]!;
    expect(f.severity).toBe("warning");
    expect(f.edge).toBe(id);
    expect(f.resources).toEqual(resources);
    expect(f.message).toContain(id);
    for (const m of mentions) expect(f.message).toContain(m);
    expect(f.fix).toBeTruthy();
  });

  it.each([
    { miss: "neither side has a proxy", src: "legacy/app", h: DB, objs: [] as KubeObject[] },
    { miss: "a caller outside the mesh → a pod without proxy", src: null, h: DB, objs: [] as KubeObject[] },
    { miss: "a MESH_EXTERNAL destination", src: "a/client", h: EXT, objs: [serviceEntry("a", "ext", [EXT])] },
    {
      miss: "a host unknown to the inventory",
      src: "a/client",
      h: "unknown.example.org",
      objs: [] as KubeObject[],
    },
    { miss: "sidecar → sidecar with auto mTLS", src: "a/client", h: SRV, objs: [] as KubeObject[] },
    // Istio never meshes kube-system (IgnoredNamespaces, pkg/kube/inject): nothing to fix there.
    {
      miss: "a sidecar → kube-dns in kube-system (DNS over TCP)",
      src: "a/client",
      h: host("kube-dns", "kube-system"),
      objs: [
        namespace("kube-system"),
        deploy("kube-system", "coredns", { labels: { app: "kube-dns" }, ports: [53] }),
        service("kube-system", "kube-dns", [{ port: 53, name: "dns-tcp" }]),
      ],
    },
    {
      miss: "a kube-system workload → a PERMISSIVE sidecar",
      src: "kube-system/metrics-agent",
      h: SRV,
      objs: [namespace("kube-system"), deploy("kube-system", "metrics-agent")],
    },
    // A portLevelMtls entry that relaxes one port under STRICT exists to let proxy-less callers in.
    {
      miss: "a caller outside the mesh → a port a portLevelMtls entry makes PERMISSIVE under STRICT",
      src: null,
      h: SRV,
      objs: [
        nsStrict,
        peerAuth("b", "srv-health", "STRICT", { selector: { app: "srv" }, ports: { "8080": "PERMISSIVE" } }),
      ],
    },
  ])("silent: $miss", ({ src, h, objs }) => {
    const s = run([...base, ...objs], [attempt(src, h)]);
    expect(s.edges).toHaveLength(1);
    expect(findingsOf(s, "edge.plaintext")).toEqual([]);
  });

  it.each([
    [
      "a workload-wide PERMISSIVE policy (not a port entry)",
      [nsStrict, peerAuth("b", "srv-open", "PERMISSIVE", { selector: { app: "srv" } })],
      null,
    ],
    [
      "a port entry, but a caller with a proxy whose DR sends plaintext",
      [
        nsStrict,
        peerAuth("b", "srv-health", "STRICT", { selector: { app: "srv" }, ports: { "8080": "PERMISSIVE" } }),
        destRule("a", "srv", SRV, tls("DISABLE")),
      ],
      "a/client",
    ],
    ["a workload in an ordinary unmeshed namespace", [], "legacy/app"],
    // An entry that repeats a workload-wide PERMISSIVE relaxes nothing: the workload's base is not STRICT.
    [
      "a port entry that only repeats a workload-wide PERMISSIVE",
      [
        nsStrict,
        peerAuth("b", "srv-open", "PERMISSIVE", {
          selector: { app: "srv" },
          ports: { "8080": "PERMISSIVE" },
        }),
      ],
      null,
    ],
  ] as [string, KubeObject[], string | null][])("near miss: still fires for %s", (_name, objs, src) => {
    const s = run([...base, ...objs], [call(src, SRV, "none")]);
    expect(findingsOf(s, "edge.plaintext").map((f) => f.edge)).toEqual([edgeId(src, SRV, 80)]);
  });

  // The fix changes what makes the client proxy send plaintext.
  it.each([
    [
      "a DR DISABLE to a PERMISSIVE sidecar",
      [destRule("a", "srv", SRV, tls("DISABLE"))],
      SRV,
      "Set tls.mode ISTIO_MUTUAL for srv.b.svc.cluster.local in DestinationRule a/srv (or remove its tls block so auto mTLS decides).",
    ],
    [
      "a DR DISABLE to a pod without proxy, auto mTLS off",
      [meshConfig("enableAutoMtls: false\n"), destRule("a", "db", DB, tls("DISABLE"))],
      DB,
      "Mesh plain/db (a sidecar or ambient), then set tls.mode ISTIO_MUTUAL for db.plain.svc.cluster.local in DestinationRule a/db (auto mTLS is off in this mesh).",
    ],
    [
      "auto mTLS off, no DR, to a PERMISSIVE sidecar",
      [meshConfig("enableAutoMtls: false\n")],
      SRV,
      "Add a DestinationRule with tls.mode ISTIO_MUTUAL for srv.b.svc.cluster.local: auto mTLS is off in this mesh (enableAutoMtls: false).",
    ],
    [
      "auto mTLS off, a DR without TLS for the host, to a PERMISSIVE sidecar",
      [
        meshConfig("enableAutoMtls: false\n"),
        destRule("b", "srv", SRV, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }),
      ],
      SRV,
      "Set tls.mode ISTIO_MUTUAL in DestinationRule b/srv, the one that applies to srv.b.svc.cluster.local: it sets no TLS for port 80, and auto mTLS is off in this mesh (enableAutoMtls: false).",
    ],
    [
      "auto mTLS off, a DR whose portLevelSettings entry for the port has no tls",
      [
        meshConfig("enableAutoMtls: false\n"),
        destRule("b", "srv", SRV, {
          trafficPolicy: {
            portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: "ROUND_ROBIN" } }],
          },
        }),
      ],
      SRV,
      "Set tls.mode ISTIO_MUTUAL in DestinationRule b/srv (its portLevelSettings for port 80), the one that applies to srv.b.svc.cluster.local: it sets no TLS for port 80, and auto mTLS is off in this mesh (enableAutoMtls: false).",
    ],
    [
      "auto mTLS to a pod without proxy",
      [],
      DB,
      "Make both sides meshed and let auto mTLS (or ISTIO_MUTUAL) encrypt db.plain.svc.cluster.local.",
    ],
  ] as [string, KubeObject[], string, string][])("fix for %s", (_name, objs, h, fix) => {
    const s = run([...base, ...objs], [call("a/client", h, "none")]);
    expect(findingsOf(s, "edge.plaintext").map((f) => f.fix)).toEqual([fix]);
  });
});

describe("edge.observed-mismatch (warning)", () => {
  it.each([
    {
      case: "predicted mTLS, observed plaintext",
      objs: [] as KubeObject[],
      src: "a/client",
      sample: call("a/client", SRV, "none", 5),
      predicted: "mtls",
      seen: "5 plaintext",
      resources: [depRef("a", "client"), depRef("b", "srv")],
    },
    {
      case: "predicted plaintext, observed mTLS",
      objs: [] as KubeObject[],
      src: "legacy/app",
      sample: call("legacy/app", SRV, "mutual_tls", 3),
      predicted: "plaintext",
      seen: "3 mTLS",
      resources: [depRef("legacy", "app"), depRef("b", "srv")],
    },
  ])("fires for $case; names both", ({ objs, src, sample, predicted, seen, resources }) => {
    const s = run([...base, ...objs], [sample]);
    const id = edgeId(src, SRV, 80);
    const f = findingsOf(s, "edge.observed-mismatch")[0]!;
    expect(findingsOf(s, "edge.observed-mismatch")).toHaveLength(1);
    expect(f.severity).toBe("warning");
    expect(f.edge).toBe(id);
    expect(f.resources).toEqual(resources);
    expect(f.message).toContain(id);
    expect(f.message).toContain(`predicted ${predicted}`);
    expect(f.message).toContain(seen);
    expect(f.fix).toBeTruthy();
    expect(s.edges.find((e) => e.id === id)!.status).toBe("mismatch");
  });

  it("fires on a broken edge too, which keeps exactly one edge.* error", () => {
    const s = run([...base, nsStrict], [call("legacy/app", SRV, "none", 4)]);
    const id = edgeId("legacy/app", SRV, 80);
    theEdgeError(s, id, "edge.plaintext-to-strict");
    const f = findingsOf(s, "edge.observed-mismatch");
    expect(f).toHaveLength(1);
    expect(f[0]!).toMatchObject({ severity: "warning", edge: id });
    expect(f[0]!.message).toContain("predicted broken");
    expect(f[0]!.message).toContain("4 plaintext");
  });

  it.each([
    { miss: "predicted mTLS, observed mTLS", src: "a/client", policy: "mutual_tls" as const },
    { miss: "predicted plaintext, observed plaintext", src: "legacy/app", policy: "none" as const },
    { miss: "only client-side (unknown) telemetry", src: "a/client", policy: "unknown" as const },
  ])("silent: $miss", ({ src, policy }) => {
    const s = run(base, [call(src, SRV, policy, 5, policy === "unknown" ? { reporter: "source" } : {})]);
    expect(findingsOf(s, "edge.observed-mismatch")).toEqual([]);
    expect(s.edges[0]!.status).not.toBe("mismatch");
  });
});

describe("edge.passthrough (warning; error when it alone explains a broken edge) [9.3]", () => {
  it("fires when the client's Sidecar does not import the host: plaintext through PassthroughCluster", () => {
    const s = run(
      [...base, sidecarResource("a", "default", ["./*", "istio-system/*"])],
      [attempt("a/client", SRV)],
    );
    const id = edgeId("a/client", SRV, 80);
    const fs = edgeFindings(s, id);
    // Not also edge.plaintext: passthrough is the more specific explanation.
    expect(fs.map((f) => f.code)).toEqual(["edge.passthrough"]);
    const f = fs[0]!;
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([sidecarRef("a", "default"), depRef("a", "client"), depRef("b", "srv")]);
    expect(f.message).toContain("Sidecar a/default");
    expect(f.message).toContain("PassthroughCluster");
    expect(f.message).toContain(SRV);
    expect(f.fix).toContain("a/default");
    expect(s.edges[0]!.predicted.verdict).toBe("plaintext");
  });

  it("fires when the client's own telemetry shows PassthroughCluster", () => {
    const s = run(base, [call("a/client", "PassthroughCluster", "unknown", 2, { reporter: "source" })]);
    const id = edgeId("a/client", "PassthroughCluster", 0);
    const f = findingsOf(s, "edge.passthrough");
    expect(f).toHaveLength(1);
    expect(f[0]!).toMatchObject({ severity: "warning", edge: id, resources: [depRef("a", "client")] });
    expect(f[0]!.message).toContain("a/client");
    expect(f[0]!.message).toContain("PassthroughCluster");
    expect(f[0]!.fix).toBeTruthy();
    expect(findingsOf(s, "edge.plaintext")).toEqual([]);
  });

  it("is the one edge error when REGISTRY_ONLY drops the call (BlackHoleCluster)", () => {
    const s = run(
      [...base, sidecarResource("a", "default", ["./*"], "REGISTRY_ONLY")],
      [attempt("a/client", SRV)],
    );
    const f = theEdgeError(s, edgeId("a/client", SRV, 80), "edge.passthrough");
    expect(f.resources).toEqual([sidecarRef("a", "default"), depRef("a", "client"), depRef("b", "srv")]);
    expect(f.message).toContain("REGISTRY_ONLY");
    expect(f.message).toContain("Sidecar a/default");
  });

  it("stays a warning next to edge.plaintext-to-strict when passthrough meets a STRICT server", () => {
    const s = run([...base, nsStrict, sidecarResource("a", "default", ["./*"])], [attempt("a/client", SRV)]);
    const id = edgeId("a/client", SRV, 80);
    theEdgeError(s, id, "edge.plaintext-to-strict");
    expect(findingsOf(s, "edge.passthrough").map((f) => [f.severity, f.edge])).toEqual([["warning", id]]);
  });

  it.each([
    {
      miss: "the Sidecar imports the service's namespace",
      sc: sidecarResource("a", "default", ["./*", "b/*"]),
    },
    { miss: "the Sidecar imports everything", sc: sidecarResource("a", "default", ["*/*"]) },
    { miss: "a Sidecar for another namespace", sc: sidecarResource("b", "default", ["./*"]) },
  ])("silent: $miss", ({ sc }) => {
    const s = run([...base, sc], [attempt("a/client", SRV)]);
    expect(findingsOf(s, "edge.passthrough")).toEqual([]);
    expect(s.edges[0]!.predicted.verdict).toBe("mtls");
  });
});
