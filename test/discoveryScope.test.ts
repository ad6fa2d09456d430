// discoverySelectors and Istio's own config (docs/DECISIONS.md, "Discovery selectors: config objects
// per caller's istiod"): since Istio 1.22 istiod's config store drops every namespaced Istio object of
// a namespace its meshConfig.discoverySelectors do not select (istio/istio
// pilot/pkg/config/kube/crdclient/client.go `addCRD`: `namespaceFilter = cl.client.ObjectFilter()` for
// every kind that is not cluster-scoped, the filter of pkg/kube/namespace/filter.go). So a caller's
// routes, Sidecar scope, a gateway's Gateways and the auto-mTLS namespace mode are those of the objects
// its own istiod reads. Every case beside its near miss: the namespace selected, or no selectors.
import { describe, expect, it } from "vitest";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  findingsOf,
  host,
  meshConfig,
  namespace,
  peerAuth,
  predict,
  run,
  service,
  sidecarResource,
} from "./kit";

type Labels = Record<string, string>;
const API = "networking.istio.io/v1";
const net = (kind: string, ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: API,
  kind,
  metadata: { name, namespace: ns },
  spec,
});

const SELECT = "discoverySelectors:\n- matchLabels:\n    istio-discovery: enabled\n";
const DISC = { "istio-discovery": "enabled" };
const INJ = { "istio-injection": "enabled" };
/** Seen by istiod (and injected). */
const seen = (name: string) => namespace(name, { ...DISC, ...INJ });

// ---------------------------------------------------------------------------------------------
// 1. Mesh VirtualServices: a route (or a rival VirtualService) in a namespace the caller's istiod
//    does not see is not in its proxy.

const SRV = host("srv", "b");
/** a/client → b/srv (80 http, 443 https); the DR in a: top-level DISABLE, subset v1 ISTIO_MUTUAL on 443, subset v2 nothing. */
const routed = (routesLabels: Labels | null, mesh = SELECT): KubeObject[] => [
  seen("istio-system"),
  seen("a"),
  seen("b"),
  ...(routesLabels === null ? [] : [namespace("routes", routesLabels)]),
  deploy("a", "client"),
  deploy("b", "srv", { ports: [8080, 8443] }),
  service("b", "srv", [
    { port: 80, targetPort: 8080, name: "http" },
    { port: 443, targetPort: 8443, name: "https" },
  ]),
  destRule("a", "srv", SRV, {
    trafficPolicy: { tls: { mode: "DISABLE" } },
    subsets: [
      {
        name: "v1",
        labels: { app: "srv" },
        trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "ISTIO_MUTUAL" } }] },
      },
      { name: "v2", labels: { app: "srv" } },
    ],
  }),
  meshConfig(mesh),
];
const toSubset = (ns: string, name: string, subset: string) =>
  net("VirtualService", ns, name, {
    hosts: [SRV],
    http: [{ route: [{ destination: { host: SRV, subset, port: { number: 443 } } }] }],
  });
const sample = [call("a/client", SRV, "mutual_tls", 5)];

describe("mesh VirtualServices the caller's istiod does not read", () => {
  it.each([
    {
      case: "the route's VirtualService in a namespace not selected: no route, the protocol's port 80 and the DR's top-level DISABLE",
      labels: {},
      mesh: SELECT,
      port: 80,
      tls: "DISABLE",
    },
    {
      case: "near miss: that namespace selected, the route sends the calls to 443 subset v1 (ISTIO_MUTUAL)",
      labels: DISC,
      mesh: SELECT,
      port: 443,
      tls: "ISTIO_MUTUAL",
    },
    {
      case: "near miss: no discoverySelectors, the route as before",
      labels: {},
      mesh: "{}\n",
      port: 443,
      tls: "ISTIO_MUTUAL",
    },
  ])("$case", ({ labels, mesh, port, tls }) => {
    const s = run([...routed(labels, mesh), toSubset("routes", "to-v1", "v1")], sample);
    expect(s.edges).toHaveLength(1);
    expect(s.edges[0]!.destination.port).toBe(port);
    expect(s.edges[0]!.predicted.client.tls).toBe(tls);
  });

  // Two VirtualServices for the same host: istiod keeps the first it sees (same tier, then age and
  // name: "first" before "second"), so the one in a hidden namespace neither routes nor hides.
  it.each([
    {
      case: "the older rival in a namespace not selected does not hide the visible one: subset v1 (ISTIO_MUTUAL)",
      labels: {},
      tls: "ISTIO_MUTUAL",
    },
    {
      case: "near miss: the rival's namespace selected, it takes the host first: subset v2, the DR's top-level DISABLE",
      labels: DISC,
      tls: "DISABLE",
    },
  ])("$case", ({ labels, tls }) => {
    const s = run(
      [...routed(labels), toSubset("routes", "first", "v2"), toSubset("a", "second", "v1")],
      sample,
    );
    expect(s.edges[0]!.destination.port).toBe(443);
    expect(s.edges[0]!.predicted.client.tls).toBe(tls);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Sidecar resources: the root namespace's default Sidecar, when istiod does not see the root namespace.

/** The root namespace with `rootLabels`; a/client and b/srv (80 → 8080), seen; `extra` (config, istiods) last. */
const underRoot = (rootLabels: Labels, extra: KubeObject[]): KubeObject[] => [
  namespace("istio-system", rootLabels),
  seen("a"),
  seen("b"),
  deploy("a", "client"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080 }]),
  ...extra,
];

describe("Sidecar resources the caller's istiod does not read", () => {
  /** The root namespace's default Sidecar imports only the caller's own namespace, under REGISTRY_ONLY. */
  const objs = (rootLabels: Labels, mesh = SELECT): KubeObject[] =>
    underRoot(rootLabels, [
      sidecarResource("istio-system", "default", ["./*"], "REGISTRY_ONLY"),
      meshConfig(mesh),
    ]);
  it.each([
    {
      case: "the root namespace not selected: its default Sidecar is ignored, srv is imported, auto mTLS",
      labels: {},
      mesh: SELECT,
      verdict: "mtls",
    },
    {
      case: "near miss: the root namespace selected, the Sidecar leaves srv out and REGISTRY_ONLY drops the calls",
      labels: DISC,
      mesh: SELECT,
      verdict: "broken",
    },
    {
      case: "near miss: no discoverySelectors, the Sidecar applies",
      labels: {},
      mesh: "{}\n",
      verdict: "broken",
    },
  ])("$case", ({ labels, mesh, verdict }) => {
    expect(predict(objs(labels, mesh), "a/client", SRV).predicted.verdict).toBe(verdict);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Gateways: a gateway's Gateways and their VirtualServices are those its istiod reads.

/** An Istio ingress gateway (`proxy router`) in istio-system with its Service 80 → 8080. */
const ingressGateway = (): KubeObject[] => [
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "istio-ingressgateway", namespace: "istio-system" },
    spec: {
      selector: { matchLabels: { app: "istio-ingressgateway", istio: "ingressgateway" } },
      template: {
        metadata: {
          labels: {
            app: "istio-ingressgateway",
            istio: "ingressgateway",
            "sidecar.istio.io/inject": "false",
          },
        },
        spec: {
          serviceAccountName: "istio-ingressgateway",
          containers: [
            { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.24.0", args: ["proxy", "router"] },
          ],
        },
      },
    },
  },
  service("istio-system", "istio-ingressgateway", [{ port: 80, targetPort: 8080, name: "http2" }], {
    selector: { app: "istio-ingressgateway" },
  }),
];

describe("a gateway's Gateways and bound VirtualServices its istiod does not read", () => {
  const HTTPBIN = host("httpbin", "default");
  const INGRESS = "istio-system/istio-ingressgateway";
  /** The Gateway in `gw`, the VirtualService in `web`; httpbin (STRICT) and its DR (subset v1 DISABLE) in default. */
  const objs = (gwLabels: Labels, webLabels: Labels, mesh = SELECT): KubeObject[] => [
    seen("istio-system"),
    seen("default"),
    namespace("gw", gwLabels),
    namespace("web", webLabels),
    ...ingressGateway(),
    service("default", "httpbin", [{ port: 8000, targetPort: 80, name: "http" }]),
    deploy("default", "httpbin", { labels: { version: "v1" }, ports: [80] }),
    peerAuth("default", "default", "STRICT"),
    destRule("default", "httpbin", "httpbin", {
      subsets: [{ name: "v1", labels: { version: "v1" }, trafficPolicy: { tls: { mode: "DISABLE" } } }],
    }),
    net("Gateway", "gw", "httpbin-gateway", {
      selector: { istio: "ingressgateway" },
      servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["httpbin.example.com"] }],
    }),
    net("VirtualService", "web", "httpbin", {
      hosts: ["httpbin.example.com"],
      gateways: ["gw/httpbin-gateway"],
      http: [{ route: [{ destination: { host: HTTPBIN, subset: "v1", port: { number: 8000 } } }] }],
    }),
    meshConfig(mesh),
  ];
  const fromGateway: TrafficSample[] = [call(INGRESS, HTTPBIN, "unknown", 40, { reporter: "source" })];
  it.each([
    {
      case: "both selected: the route to subset v1 sends plaintext to the STRICT server (broken)",
      gw: DISC,
      web: DISC,
      mesh: SELECT,
      verdict: "broken",
    },
    {
      case: "the VirtualService's namespace not selected: no route, the default cluster (mtls)",
      gw: DISC,
      web: {},
      mesh: SELECT,
      verdict: "mtls",
    },
    {
      case: "the Gateway's namespace not selected: the VirtualService binds no Gateway of the gateway's, the default cluster (mtls)",
      gw: {},
      web: DISC,
      mesh: SELECT,
      verdict: "mtls",
    },
    {
      case: "near miss: no discoverySelectors, the route as before (broken)",
      gw: {},
      web: {},
      mesh: "{}\n",
      verdict: "broken",
    },
  ])("$case", ({ gw, web, mesh, verdict }) => {
    const s = run(objs(gw, web, mesh), fromGateway);
    expect(edgeOf(s, INGRESS, HTTPBIN)!.predicted.verdict).toBe(verdict);
  });

  // The gateway's own listeners (server side) are built from the Gateways its istiod reads (mergeGateways over its push context).
  const INGRESS_SVC = host("istio-ingressgateway", "istio-system");
  const listener = (gwLabels: Labels, mesh = SELECT): KubeObject[] => [
    seen("istio-system"),
    seen("a"),
    namespace("gw", gwLabels),
    ...ingressGateway(),
    deploy("a", "web"),
    net("Gateway", "gw", "mtls-in", {
      selector: { istio: "ingressgateway" },
      servers: [
        {
          port: { number: 80, name: "https", protocol: "HTTPS" },
          hosts: ["*"],
          tls: { mode: "ISTIO_MUTUAL" },
        },
      ],
    }),
    destRule("a", "to-gateway", INGRESS_SVC, {
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL", sni: "api.example.com" } },
    }),
    meshConfig(mesh),
  ];
  it.each([
    {
      case: "near miss: the Gateway's namespace selected, its ISTIO_MUTUAL server terminates the caller's Istio mTLS",
      labels: DISC,
      mesh: SELECT,
      verdict: "mtls",
      policy: { kind: "Gateway", namespace: "gw", name: "mtls-in" },
    },
    {
      case: "near miss: no discoverySelectors, the same",
      labels: {},
      mesh: "{}\n",
      verdict: "mtls",
      policy: { kind: "Gateway", namespace: "gw", name: "mtls-in" },
    },
    {
      case: "the Gateway's namespace not selected: no listener from it, no Gateway named on the server side, as for a port no Gateway server lands on (unknown)",
      labels: {},
      mesh: SELECT,
      verdict: "unknown",
      policy: null,
    },
  ])("$case", ({ labels, mesh, verdict, policy }) => {
    const p = predict(listener(labels, mesh), "a/web", INGRESS_SVC, 80).predicted;
    expect(p.server.policy).toEqual(policy);
    expect(p.verdict).toBe(verdict);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Auto mTLS's namespace mode is the caller's istiod's (BestEffortInferServiceMTLSMode on the
//    caller's push context), not the default istiod's.

describe("the namespace mode auto mTLS reads is the caller's istiod's", () => {
  // a (default revision) and c (canary) call b/srv, which has its own STRICT policy; the mesh-wide
  // policy in istio-system is DISABLE, so auto mTLS is off for b's services wherever it is read.
  const objs = (
    canaryMesh: string,
    extra: KubeObject[] = [peerAuth("istio-system", "default", "DISABLE")],
  ): KubeObject[] => [
    namespace("istio-system"),
    namespace("a", INJ),
    namespace("b", { ...INJ, ...DISC }),
    namespace("c", { "istio.io/rev": "canary", ...DISC }),
    deploy("a", "client"),
    deploy("c", "client"),
    deploy("b", "srv", { ports: [8080] }),
    service("b", "srv", [{ port: 80, targetPort: 8080 }]),
    peerAuth("b", "srv-strict", "STRICT", { selector: { app: "srv" } }),
    meshConfig("{}\n"),
    meshConfig(canaryMesh, "istio-system", "istio-canary"),
    ...extra,
  ];
  it.each([
    {
      case: "the canary's istiod does not see istio-system: no DISABLE mesh for its caller, auto mTLS per endpoint (Istio mTLS)",
      canary: SELECT,
      who: "c/client",
      tls: "ISTIO_MUTUAL",
    },
    {
      case: "near miss: the default istiod sees istio-system: its caller's auto mTLS is off for b (plaintext)",
      canary: SELECT,
      who: "a/client",
      tls: "DISABLE",
    },
    {
      case: "near miss: the canary without selectors sees the mesh DISABLE too",
      canary: "{}\n",
      who: "c/client",
      tls: "DISABLE",
    },
  ])("$case", ({ canary, who, tls }) => {
    expect(predict(objs(canary), who, SRV).predicted.client.tls).toBe(tls);
  });

  it("the edges and auto-mtls-namespace-disable follow: the default istiod's caller is broken against STRICT, the canary's is not", () => {
    const s = run(objs(SELECT), [call("a/client", SRV, "none", 3), call("c/client", SRV, "mutual_tls", 3)]);
    expect(edgeOf(s, "a/client", SRV)!.predicted.reason).toContain(
      "namespace b is DISABLE (PeerAuthentication istio-system/default)",
    );
    expect(edgeOf(s, "c/client", SRV)!.predicted.verdict).toBe("mtls");
    expect(findingsOf(s, "edge.auto-mtls-namespace-disable").map((f) => f.edge)).toEqual([
      edgeOf(s, "a/client", SRV)!.id,
    ]);
  });

  // The same rule without selectors: a PeerAuthentication labelled istio.io/rev is read by that revision's istiod only (crdclient inRevision).
  it.each([
    {
      case: "a mesh-wide DISABLE labelled for the canary: the canary's caller turns auto mTLS off for b",
      who: "c/client",
      tls: "DISABLE",
    },
    {
      case: "near miss: the default istiod's caller does not read it (Istio mTLS)",
      who: "a/client",
      tls: "ISTIO_MUTUAL",
    },
  ])("$case", ({ who, tls }) => {
    const canaryPa: KubeObject = {
      ...peerAuth("istio-system", "canary-default", "DISABLE"),
      metadata: { name: "canary-default", namespace: "istio-system", labels: { "istio.io/rev": "canary" } },
    };
    expect(predict(objs("{}\n", [canaryPa]), who, SRV).predicted.client.tls).toBe(tls);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Findings about PeerAuthentications and DestinationRules no istiod reads (docs/DECISIONS.md,
//    "Discovery selectors: config objects per caller's istiod"). A finding that claims an effect
//    (clients send plaintext, certificates go unchecked…) is not made for an object without any; one
//    about the object itself (admission rejects it, its host names nothing) stands.

/** a/client and b/srv (meshed), seen; `cfg` seen only when labelled; `extra` (config, more istiods) last. */
const meshed = (cfgLabels: Labels, extra: KubeObject[], mesh = SELECT): KubeObject[] => [
  seen("istio-system"),
  seen("a"),
  seen("b"),
  namespace("cfg", cfgLabels),
  deploy("a", "client"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080 }]),
  meshConfig(mesh),
  ...extra,
];

describe("findings about DestinationRules and PeerAuthentications no istiod reads", () => {
  const subsetTls = {
    subsets: [{ name: "v1", labels: { app: "srv" }, trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }],
  };
  const dropsTls = {
    trafficPolicy: {
      tls: { mode: "SIMPLE" },
      portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: "ROUND_ROBIN" } }],
    },
  };
  const portsNoSelector: KubeObject = {
    ...peerAuth("cfg", "ports", "STRICT"),
    spec: { mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "DISABLE" } } },
  };
  const rows: { code: string; obj: KubeObject; effect: boolean }[] = [
    {
      code: "dr.tls-without-mode",
      obj: destRule("cfg", "x", SRV, { trafficPolicy: { tls: {} } }),
      effect: true,
    },
    {
      code: "dr.insecure-skip-verify",
      obj: destRule("cfg", "x", SRV, {
        trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } },
      }),
      effect: true,
    },
    {
      code: "dr.non-istio-tls-to-mesh",
      obj: destRule("cfg", "x", SRV, { trafficPolicy: { tls: { mode: "SIMPLE" } } }),
      effect: true,
    },
    { code: "dr.subset-only-tls", obj: destRule("cfg", "x", SRV, subsetTls), effect: true },
    { code: "dr.port-settings-drop-tls", obj: destRule("cfg", "x", SRV, dropsTls), effect: true },
    // About the object itself: true whether or not an istiod reads it.
    {
      code: "dr.mutual-missing-certs",
      obj: destRule("cfg", "x", SRV, { trafficPolicy: { tls: { mode: "MUTUAL" } } }),
      effect: false,
    },
    { code: "dr.host-not-found", obj: destRule("cfg", "x", host("nothere", "b")), effect: false },
    { code: "pa.port-level-without-selector", obj: portsNoSelector, effect: false },
  ];
  it.each(
    rows.flatMap((r) => [
      {
        ...r,
        case: `${r.code}: the object's namespace not selected by any istiod: ${r.effect ? "silent (it has no effect)" : "still reported (about the object itself)"}`,
        labels: {},
        mesh: SELECT,
        want: r.effect ? 0 : 1,
      },
      {
        ...r,
        case: `${r.code}, near miss: its namespace selected, reported`,
        labels: DISC,
        mesh: SELECT,
        want: 1,
      },
      {
        ...r,
        case: `${r.code}, near miss: no discoverySelectors, reported`,
        labels: {},
        mesh: "{}\n",
        want: 1,
      },
    ]),
  )("$case", ({ code, obj, labels, mesh, want }) => {
    expect(findingsOf(run(meshed(labels, [obj], mesh)), code)).toHaveLength(want);
  });

  it.each([
    {
      case: "an object read by the canary's istiod (no selectors) though the default one's hides it: reported",
      canary: "{}\n",
      want: 1,
    },
    { case: "near miss: the canary's istiod hides it too: silent", canary: SELECT, want: 0 },
  ])("$case", ({ canary, want }) => {
    const objs = [
      ...meshed({}, [destRule("cfg", "x", SRV, { trafficPolicy: { tls: {} } })]),
      meshConfig(canary, "istio-system", "istio-canary"),
    ];
    expect(findingsOf(run(objs), "dr.tls-without-mode")).toHaveLength(want);
  });

  // Istio applies the oldest of several namespace-wide policies: ignored ones are not among them.
  it.each([
    {
      case: "two namespace-wide PeerAuthentications in a namespace no istiod sees: no conflict",
      labels: {},
      want: 0,
    },
    { case: "near miss: the namespace selected, pa.conflict", labels: DISC, want: 1 },
  ])("$case", ({ labels, want }) => {
    const objs = meshed(labels, [
      peerAuth("cfg", "one", "STRICT", { created: "2024-01-01T00:00:00Z" }),
      peerAuth("cfg", "two", "PERMISSIVE", { created: "2024-02-01T00:00:00Z" }),
    ]);
    expect(findingsOf(run(objs), "pa.conflict")).toHaveLength(want);
  });

  // The root namespace unselected: its mesh-wide STRICT policy is ignored (Istio 1.22+), so the mesh
  // has no STRICT default. The findings say which policy is ignored rather than that there is none.
  const rootHidden = (rootLabels: Labels, withPa = true): KubeObject[] =>
    underRoot(rootLabels, [
      meshConfig(SELECT),
      ...(withPa ? [peerAuth("istio-system", "default", "STRICT")] : []),
    ]);
  it("mesh.no-strict names the mesh-wide STRICT policy istiod ignores, and the fix is to select the root namespace", () => {
    const [f, ...rest] = findingsOf(run(rootHidden({})), "mesh.no-strict");
    expect(rest).toEqual([]);
    expect(f!.message).toContain(
      "PeerAuthentication istio-system/default is STRICT, but the default istiod ignores it",
    );
    expect(f!.message).toContain("do not select the root namespace istio-system");
    expect(f!.resources).toEqual([
      { kind: "PeerAuthentication", namespace: "istio-system", name: "default" },
      { kind: "Namespace", name: "istio-system" },
    ]);
    expect(f!.fix).toContain("discoverySelectors");
  });
  it.each([
    {
      case: "near miss: the root namespace selected, STRICT applies: no mesh.no-strict",
      labels: DISC,
      withPa: true,
      says: null,
    },
    {
      case: "near miss: the root namespace unselected and no policy there: the message as before",
      labels: {},
      withPa: false,
      says: "There is no mesh-wide PeerAuthentication in the root namespace istio-system",
    },
  ])("$case", ({ labels, withPa, says }) => {
    const fs = findingsOf(run(rootHidden(labels, withPa)), "mesh.no-strict");
    if (says === null) expect(fs).toEqual([]);
    else expect(fs.map((f) => f.message)).toEqual([expect.stringContaining(says)]);
  });

  it.each([
    {
      case: "pa.permissive for a namespace left PERMISSIVE by the ignored mesh-wide policy names it, and the fix selects the root namespace",
      withPa: true,
      says: "its istiod ignores mesh-wide PeerAuthentication istio-system/default",
      fix: "discoverySelectors select istio-system",
    },
    {
      case: "near miss: no policy in the unselected root namespace: Istio's default, as before",
      withPa: false,
      says: "(no PeerAuthentication: Istio's default)",
      fix: "Set mtls.mode STRICT in a PeerAuthentication for namespace b.",
    },
  ])("$case", ({ withPa, says, fix }) => {
    const f = findingsOf(run(rootHidden({}, withPa)), "pa.permissive").find((x) =>
      x.message.startsWith("Namespace b "),
    );
    expect(f!.message).toContain(says);
    expect(f!.fix).toContain(fix);
  });
});

// ---------------------------------------------------------------------------------------------
// 6. The ignored mesh-wide policy named by mesh.no-strict, pa.permissive and the edge reason is the
//    one the asking istiod would apply if it saw the root namespace: of its revision (crdclient
//    `inRevision`: a labelled object is read only by the istiod of that revision, whatever the
//    selectors say), and the oldest of several (creationTimestamp, then name: buildPaIndex, as for
//    the mesh policy everywhere else).

describe("the ignored mesh-wide policy is the one the asking istiod would read", () => {
  const withRev = (o: KubeObject, rev: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), "istio.io/rev": rev } },
  });
  /** The default istiod does not see istio-system; a canary istiod (no selectors) does. a and b are the default revision's. */
  const objs = (pas: KubeObject[]): KubeObject[] =>
    underRoot({}, [meshConfig(SELECT), meshConfig("{}\n", "istio-system", "istio-canary"), ...pas]);
  const strict = peerAuth("istio-system", "default", "STRICT");
  // Not "there is none": the policy is there, labelled for another revision (docs/DECISIONS.md,
  // "discovery selectors and revisions follow-ups": unreadMeshPolicy).
  const NONE =
    "The default istiod reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/default is labelled istio.io/rev=canary, for another revision.";
  const IGNORED =
    "The mesh-wide PeerAuthentication istio-system/default is STRICT, but the default istiod ignores it";

  it.each([
    {
      case: "labelled for the canary: the default istiod would not read it even if it saw istio-system, so none is its (named with its label)",
      pa: withRev(strict, "canary"),
      says: NONE,
      permissive: "(no PeerAuthentication: Istio's default)",
    },
    {
      case: "near miss: labelled istio.io/rev=default, the default istiod's own: named as ignored",
      pa: withRev(strict, "default"),
      says: IGNORED,
      permissive: "its istiod ignores mesh-wide PeerAuthentication istio-system/default",
    },
    {
      case: "near miss: unlabelled (every istiod's): named as ignored",
      pa: strict,
      says: IGNORED,
      permissive: "its istiod ignores mesh-wide PeerAuthentication istio-system/default",
    },
  ])("$case", ({ pa, says, permissive }) => {
    const s = run(objs([pa]), [call("a/client", SRV, "mutual_tls", 5)]);
    expect(findingsOf(s, "mesh.no-strict").map((f) => f.message)).toEqual([expect.stringContaining(says)]);
    expect(
      findingsOf(s, "pa.permissive").find((f) => f.message.startsWith("Namespace b "))!.message,
    ).toContain(permissive);
    const reason = edgeOf(s, "a/client", SRV)!.predicted.reason;
    if (says === NONE) expect(reason).not.toContain("ignores mesh-wide PeerAuthentication");
    else expect(reason).toContain("its istiod ignores mesh-wide PeerAuthentication istio-system/default");
  });

  // Input order must not decide: the oldest applies (ComposePeerAuthentication / GetNamespaceMutualTLSMode).
  const at = (name: string, mode: string, created: string) =>
    peerAuth("istio-system", name, mode, { created });
  it.each([
    {
      case: "the older of two listed second is the one named",
      pas: [at("a-new", "STRICT", "2024-02-01T00:00:00Z"), at("z-old", "PERMISSIVE", "2024-01-01T00:00:00Z")],
      named: "istio-system/z-old is PERMISSIVE",
    },
    {
      case: "near miss: the older listed first is named",
      pas: [at("a-old", "STRICT", "2024-01-01T00:00:00Z"), at("z-new", "PERMISSIVE", "2024-02-01T00:00:00Z")],
      named: "istio-system/a-old is STRICT",
    },
    {
      case: "the same age: the first by name, whatever the input order",
      pas: [at("z", "PERMISSIVE", "2024-01-01T00:00:00Z"), at("a", "STRICT", "2024-01-01T00:00:00Z")],
      named: "istio-system/a is STRICT",
    },
  ])("$case", ({ pas, named }) => {
    expect(findingsOf(run(objs(pas)), "mesh.no-strict").map((f) => f.message)).toEqual([
      expect.stringContaining(`The mesh-wide PeerAuthentication ${named}, but the default istiod ignores it`),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Auto mTLS's per-endpoint check is the caller's istiod's too: the EDS endpoint builder tags each
//    endpoint by NewMtlsPolicy(push, …) on the push context of the istiod serving the caller
//    (pilot/pkg/xds/endpoints/mtls_checker.go `checkMtlsEnabled`), so with its PeerAuthentications
//    (istio.io/rev), not those of the endpoint's own istiod.

describe("auto mTLS's per-endpoint PeerAuthentication check is the caller's istiod's", () => {
  const withRev = (o: KubeObject, rev: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), "istio.io/rev": rev } },
  });
  const D_SRV = host("srv", "d");
  /** a/client on the default revision, c/client and d/srv on the canary; no selectors anywhere. */
  const objs = (pa: KubeObject): KubeObject[] => [
    namespace("istio-system"),
    namespace("a", INJ),
    namespace("c", { "istio.io/rev": "canary" }),
    namespace("d", { "istio.io/rev": "canary" }),
    deploy("a", "client"),
    deploy("c", "client"),
    deploy("d", "srv", { ports: [8080] }),
    service("d", "srv", [{ port: 80, targetPort: 8080 }]),
    meshConfig("{}\n"),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    pa,
  ];
  // d's namespace DISABLE for the canary only: its own istiod (and canary callers) read it; the default istiod does not.
  const canaryNsDisable = withRev(peerAuth("d", "default", "DISABLE"), "canary");
  // A workload DISABLE on d/srv read by the default istiod only: d/srv's own istiod (canary) leaves it PERMISSIVE.
  const defaultWlDisable = withRev(
    peerAuth("d", "srv-off", "DISABLE", { selector: { app: "srv" } }),
    "default",
  );
  it.each([
    {
      case: "a namespace DISABLE the caller's istiod does not read: Istio mTLS (to a DISABLE server: broken)",
      pa: canaryNsDisable,
      who: "a/client",
      tls: "ISTIO_MUTUAL",
      verdict: "broken",
    },
    {
      case: "near miss: a caller of the canary reads it: auto mTLS off for the namespace, plaintext",
      pa: canaryNsDisable,
      who: "c/client",
      tls: "DISABLE",
      verdict: "plaintext",
    },
    {
      case: "a workload DISABLE only the caller's istiod reads: plaintext (the server, PERMISSIVE for its own istiod, takes it)",
      pa: defaultWlDisable,
      who: "a/client",
      tls: "DISABLE",
      verdict: "plaintext",
    },
    {
      case: "near miss: a caller of the server's revision does not read it: Istio mTLS",
      pa: defaultWlDisable,
      who: "c/client",
      tls: "ISTIO_MUTUAL",
      verdict: "mtls",
    },
  ])("$case", ({ pa, who, tls, verdict }) => {
    const p = predict(objs(pa), who, D_SRV).predicted;
    expect(p.client.tls).toBe(tls);
    expect(p.verdict).toBe(verdict);
  });

  it("the reason says whose PeerAuthentications made the endpoint DISABLE when the caller's istiod is not the endpoint's", () => {
    expect(predict(objs(defaultWlDisable), "a/client", D_SRV).predicted.reason).toContain(
      "because d/srv port 8080 is DISABLE in the PeerAuthentications the caller's istiod (revision default) reads",
    );
    // Near misses: caller and endpoint on one revision, or on two whose istiods both read the
    // (unlabelled) policy: as before.
    const unlabelled = objs(peerAuth("d", "srv-off", "DISABLE", { selector: { app: "srv" } }));
    for (const who of ["c/client", "a/client"]) {
      const reason = predict(unlabelled, who, D_SRV).predicted.reason;
      expect(reason).toContain("because d/srv port 8080 is DISABLE");
      expect(reason).not.toContain("the caller's istiod");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Wording from an istiod that reads the object: dr.port-settings-drop-tls says what a sidecar of
//    an istiod that reads the DestinationRule sends; pa.permissive names the revision whose view it
//    speaks for when a namespace's workloads are on several.

describe("findings worded with the settings of an istiod that reads the object", () => {
  // ISTIO_MUTUAL at the top level: with auto mTLS on, the entry's fallback sends Istio mTLS all the same (the DR's tagging), so nothing changes.
  const dropsTls = {
    trafficPolicy: {
      tls: { mode: "ISTIO_MUTUAL" },
      portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: "ROUND_ROBIN" } }],
    },
  };
  /** The default istiod sees cfg only when labelled; the canary's (no selectors, auto mTLS off) sees everything. */
  const objs = (cfgLabels: Labels): KubeObject[] =>
    meshed(cfgLabels, [
      meshConfig("enableAutoMtls: false\n", "istio-system", "istio-canary"),
      destRule("cfg", "x", SRV, dropsTls),
    ]);
  it.each([
    {
      case: "a DR only the canary reads: worded with the canary's settings (auto mTLS off: plaintext instead of Istio mTLS)",
      labels: {},
      says: [
        "plaintext instead of Istio mTLS to b/srv of srv.b.svc.cluster.local (auto mTLS is off (enableAutoMtls: false))",
      ],
    },
    {
      case: "near miss: the default istiod reads it: its settings (auto mTLS on: Istio mTLS either way, nothing to say)",
      labels: DISC,
      says: [],
    },
  ])("$case", ({ labels, says }) => {
    expect(findingsOf(run(objs(labels)), "dr.port-settings-drop-tls").map((f) => f.message)).toEqual(
      says.map((x) => expect.stringContaining(x)),
    );
  });
});

describe("pa.permissive in a namespace whose workloads are on several revisions", () => {
  // Mid-migration: m is relabelled for the canary, a-new restarted onto it, b-old still on the default
  // istiod (a live pod's istio.io/rev annotation). The namespace's STRICT policy is labelled for the
  // canary: b-old's istiod does not read it, so b-old is PERMISSIVE by Istio's default.
  const pod = (name: string, rev: string): KubeObject =>
    deploy("m", name, {
      kind: "Pod",
      containers: ["app", "istio-proxy"],
      annotations: { "istio.io/rev": rev },
    });
  const canaryStrict: KubeObject = {
    ...peerAuth("m", "strict", "STRICT"),
    metadata: { name: "strict", namespace: "m", labels: { "istio.io/rev": "canary" } },
  };
  const objs = (revs: [string, string], pas: KubeObject[]): KubeObject[] => [
    namespace("istio-system"),
    namespace("m", { "istio.io/rev": "canary" }),
    pod("a-new", revs[0]),
    pod("b-old", revs[1]),
    meshConfig("{}\n"),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    ...pas,
  ];
  const permissive = (o: KubeObject[]) => findingsOf(run(o), "pa.permissive").map((f) => f.message);
  it.each([
    {
      case: "the default revision's workload inherits PERMISSIVE: reported, naming the revision whose view it is",
      revs: ["canary", "default"] as [string, string],
      pas: [canaryStrict],
      want: [
        "Namespace m, for its workloads on revision default (no PeerAuthentication: Istio's default) accepts plaintext",
      ],
    },
    {
      case: "near miss: both on the canary, which reads the STRICT policy: nothing",
      revs: ["canary", "canary"] as [string, string],
      pas: [canaryStrict],
      want: [],
    },
    {
      case: "near miss: one revision, no policy: the subject as before, no revision named",
      revs: ["canary", "canary"] as [string, string],
      pas: [],
      want: ["Namespace m (no PeerAuthentication: Istio's default) accepts plaintext"],
    },
    {
      case: "the revisions decide differently, both PERMISSIVE: one finding per decision, each naming its revision",
      revs: ["canary", "default"] as [string, string],
      pas: [
        {
          ...peerAuth("m", "perm", "PERMISSIVE"),
          metadata: { name: "perm", namespace: "m", labels: { "istio.io/rev": "canary" } },
        },
      ],
      want: [
        "Namespace m, for its workloads on revision default (no PeerAuthentication: Istio's default) accepts plaintext",
        "Namespace m, for its workloads on revision canary (PeerAuthentication m/perm, namespace) accepts plaintext",
      ],
    },
  ])("$case", ({ revs, pas, want }) => {
    expect(permissive(objs(revs, pas))).toEqual(want.map((w) => expect.stringContaining(w)));
  });

  // An ordinary canary upgrade: the policies are unlabelled (or absent), so every istiod reads the same
  // and decides the namespace alike: one finding, worded as on a one-revision namespace (findings.md:
  // one per namespace), whatever revisions the workloads are on.
  const tagWebhook = (tag: string, rev: string): KubeObject => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name: `istio-revision-tag-${tag}`, labels: { "istio.io/tag": tag, "istio.io/rev": rev } },
  });
  const appPod = (name: string, app: string, rev: string): KubeObject =>
    deploy("m", name, {
      kind: "Pod",
      containers: ["app", "istio-proxy"],
      ports: [8080],
      labels: { app },
      annotations: { "istio.io/rev": rev },
    });
  const four = (revs: [string, string], extra: KubeObject[]): KubeObject[] => [
    namespace("istio-system"),
    namespace("m", { "istio.io/rev": "canary" }),
    appPod("web-new", "web", revs[0]),
    appPod("api-new", "api", revs[0]),
    appPod("web-old", "web", revs[1]),
    appPod("api-old", "api", revs[1]),
    service("m", "web", [{ port: 80, targetPort: 8080 }]),
    ...extra,
  ];
  const CONFIGS = [meshConfig("{}\n"), meshConfig("{}\n", "istio-system", "istio-canary")];
  const tagged = (revs: [string, string]): KubeObject[] => [
    ...four(revs, [
      tagWebhook("prod-stable", "1-22"),
      tagWebhook("default", "1-21"),
      meshConfig("{}\n", "istio-system", "istio-1-21"),
      meshConfig("{}\n", "istio-system", "istio-1-22"),
    ]).map((o) =>
      o.kind === "Namespace" && o.metadata.name === "m"
        ? namespace("m", { "istio.io/rev": "prod-stable" })
        : o,
    ),
  ];
  const full = (o: KubeObject[], samples: TrafficSample[] = []) =>
    findingsOf(run(o, samples), "pa.permissive").map((f) => ({
      severity: f.severity,
      message: f.message,
      resources: f.resources,
    }));
  const legacy = [namespace("e"), deploy("e", "legacy")];
  const plain = [call("e/legacy", host("web", "m"), "none", 5)];
  it.each([
    {
      case: "no PeerAuthentication at all",
      mixed: four(["canary", "default"], CONFIGS),
      single: four(["canary", "canary"], CONFIGS),
      samples: [],
      severity: "info",
    },
    {
      case: "an unlabelled namespace PERMISSIVE policy",
      mixed: four(["canary", "default"], [...CONFIGS, peerAuth("m", "default", "PERMISSIVE")]),
      single: four(["canary", "canary"], [...CONFIGS, peerAuth("m", "default", "PERMISSIVE")]),
      samples: [],
      severity: "info",
    },
    {
      case: "no policy, plaintext observed from an unmeshed client",
      mixed: four(["canary", "default"], [...CONFIGS, ...legacy]),
      single: four(["canary", "canary"], [...CONFIGS, ...legacy]),
      samples: plain,
      severity: "warning",
    },
    {
      case: "revisions by tag (m on prod-stable → 1-22, the old pods on 1-21)",
      mixed: tagged(["1-22", "1-21"]),
      single: tagged(["1-22", "1-22"]),
      samples: [],
      severity: "info",
    },
  ])(
    "canary upgrade, $case: one finding, the same as with every workload on one revision",
    ({ mixed, single, samples, severity }) => {
      const got = full(mixed, samples);
      expect(got).toHaveLength(1);
      expect(got[0]!.severity).toBe(severity);
      expect(got[0]!.message).not.toContain("revision");
      expect(got).toEqual(full(single, samples));
    },
  );
});
