// A gateway caller's port and subset come from the VirtualServices bound to the Gateways that select it
// (docs/DECISIONS.md, "Gateway callers take their Gateways' routes"), through the real analysis: the
// gateway's own (source-side) telemetry names the destination service but no port or subset.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { TrafficSample } from "../lib/core/model/input";
import { call, deploy, destRule, edgeOf, host, injected, namespace, peerAuth, run, service } from "./kit";

const net = (kind: string, name: string, spec: object, ns = "default"): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind,
  metadata: { name, namespace: ns },
  spec,
});

/** An Istio gateway Deployment (`proxy router`) in istio-system with its Service (80 → 8080, 443 → 8443). */
function gatewayDeployment(name: string, istio: string): KubeObject[] {
  const labels = { app: name, istio, "sidecar.istio.io/inject": "false" };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "istio-system" },
      spec: {
        selector: { matchLabels: { app: name, istio } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [
              { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.24.0", args: ["proxy", "router"] },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: "istio-system" },
      spec: {
        selector: { app: name, istio },
        ports: [
          { name: "http2", port: 80, targetPort: 8080 },
          { name: "https", port: 443, targetPort: 8443 },
        ],
      },
    },
  ];
}

/** What a caller's own proxy reports (no TLS information on that side). */
const fromSource = (src: string, dest: string): TrafficSample =>
  call(src, dest, "unknown", 40, { reporter: "source" });

// ---------------------------------------------------------------------------------------------
// Egress: istio.io egress-gateway-tls-origination (snip_perform_tls_origination_with_an_egress_gateway_1/_3/_4)

const CNN = "edition.cnn.com";
const EGRESS = host("istio-egressgateway", "istio-system");
const cnnEgress = (gateways: string[]): KubeObject[] => [
  namespace("istio-system"),
  injected("default"),
  ...gatewayDeployment("istio-egressgateway", "egressgateway"),
  net("ServiceEntry", "cnn", {
    hosts: [CNN],
    ports: [
      { number: 80, name: "http", protocol: "HTTP" },
      { number: 443, name: "https", protocol: "HTTPS" },
    ],
    resolution: "DNS",
  }),
  net("Gateway", "istio-egressgateway", {
    selector: { istio: "egressgateway" },
    servers: [
      {
        port: { number: 80, name: "https-port-for-tls-origination", protocol: "HTTPS" },
        hosts: [CNN],
        tls: { mode: "ISTIO_MUTUAL" },
      },
    ],
  }),
  net("VirtualService", "direct-cnn-through-egress-gateway", {
    hosts: [CNN],
    gateways,
    http: [
      {
        match: [{ gateways: ["mesh"], port: 80 }],
        route: [{ destination: { host: EGRESS, subset: "cnn", port: { number: 80 } }, weight: 100 }],
      },
      {
        match: [{ gateways: ["istio-egressgateway"], port: 80 }],
        route: [{ destination: { host: CNN, port: { number: 443 } }, weight: 100 }],
      },
    ],
  }),
  net("DestinationRule", "originate-tls-for-edition-cnn-com", {
    host: CNN,
    trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }] },
  }),
];

// ---------------------------------------------------------------------------------------------
// Ingress: httpbin behind the ingress gateway, a VirtualService routing to subset v1, whose DR subset sends plaintext

const HTTPBIN = host("httpbin", "default");
const INGRESS = "istio-system/istio-ingressgateway";

interface IngressOpts {
  /** The VirtualService's `gateways`. */
  gateways: string[];
  /** The Gateway's namespace and selector. */
  gatewayNs?: string;
  selector?: Record<string, string>;
  /** The route's match (none by default). */
  match?: object[];
}

function ingress(o: IngressOpts): KubeObject[] {
  return [
    namespace("istio-system"),
    injected("default"),
    ...gatewayDeployment("istio-ingressgateway", "ingressgateway"),
    service("default", "httpbin", [{ port: 8000, targetPort: 80, name: "http" }]),
    deploy("default", "httpbin", {
      labels: { version: "v1" },
      ports: [80],
      containers: ["httpbin", "istio-proxy"],
      annotations: { "sidecar.istio.io/status": "{}" },
    }),
    deploy("default", "sleep", {
      containers: ["sleep", "istio-proxy"],
      annotations: { "sidecar.istio.io/status": "{}" },
    }),
    peerAuth("default", "default", "STRICT"),
    net(
      "Gateway",
      "httpbin-gateway",
      {
        selector: o.selector ?? { istio: "ingressgateway" },
        servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["httpbin.example.com"] }],
      },
      o.gatewayNs ?? "default",
    ),
    net("VirtualService", "httpbin", {
      hosts: ["httpbin.example.com"],
      gateways: o.gateways,
      http: [
        {
          ...(o.match ? { match: o.match } : {}),
          route: [{ destination: { host: "httpbin", subset: "v1", port: { number: 8000 } } }],
        },
      ],
    }),
    destRule("default", "httpbin", "httpbin", {
      subsets: [{ name: "v1", labels: { version: "v1" }, trafficPolicy: { tls: { mode: "DISABLE" } } }],
    }),
  ];
}

interface Case {
  name: string;
  objects: KubeObject[];
  traffic: TrafficSample[];
  src: string;
  host: string;
  /** The edge's port, verdict, and its warning/error codes. */
  port: number;
  verdict: string;
  codes: string[];
}

/** A call from the ingress gateway to httpbin:8000, reported by the gateway. */
const ingressCase = (name: string, objects: KubeObject[], verdict: string, codes: string[]): Case => ({
  name,
  objects,
  traffic: [fromSource(INGRESS, HTTPBIN)],
  src: INGRESS,
  host: HTTPBIN,
  port: 8000,
  verdict,
  codes,
});

const cases: Case[] = [
  {
    name: "egress gateway: the route bound to its Gateway sends edition.cnn.com's HTTP to port 443, where the DR originates TLS",
    objects: cnnEgress(["istio-egressgateway", "mesh"]),
    traffic: [fromSource("istio-system/istio-egressgateway", CNN)],
    src: "istio-system/istio-egressgateway",
    host: CNN,
    port: 443,
    verdict: "tls",
    codes: [],
  },
  {
    name: "near miss: the same VirtualService bound only to mesh does not route the gateway's calls (the protocol's port 80)",
    objects: cnnEgress(["mesh"]),
    traffic: [fromSource("istio-system/istio-egressgateway", CNN)],
    src: "istio-system/istio-egressgateway",
    host: CNN,
    port: 80,
    verdict: "unknown",
    codes: [],
  },
  ingressCase(
    "ingress gateway: the route to subset v1 takes the subset's DISABLE towards the STRICT server",
    ingress({ gateways: ["httpbin-gateway"] }),
    "broken",
    ["edge.plaintext-to-strict"],
  ),
  ingressCase(
    "ingress gateway: a Gateway in another namespace named ns/name, and a match naming it with port 80",
    ingress({
      gateways: ["istio-system/httpbin-gateway"],
      gatewayNs: "istio-system",
      match: [{ gateways: ["istio-system/httpbin-gateway"], port: 80 }],
    }),
    "broken",
    ["edge.plaintext-to-strict"],
  ),
  ingressCase(
    "near miss: a bare Gateway name is the VirtualService's namespace's, not istio-system's: the default cluster",
    ingress({ gateways: ["httpbin-gateway"], gatewayNs: "istio-system" }),
    "mtls",
    [],
  ),
  ingressCase(
    "near miss: bound only to mesh, the VirtualService does not route the gateway's calls",
    ingress({ gateways: ["mesh"] }),
    "mtls",
    [],
  ),
  ingressCase(
    "near miss: bound to a Gateway that selects another gateway workload",
    ingress({ gateways: ["httpbin-gateway"], selector: { istio: "other-gateway" } }),
    "mtls",
    [],
  ),
  ingressCase(
    "near miss: a route the gateway's requests may not take (a path match) leaves the default cluster",
    ingress({ gateways: ["httpbin-gateway"], match: [{ uri: { prefix: "/status" } }] }),
    "mtls",
    [],
  ),
  ingressCase(
    "near miss: a match naming only mesh is not the gateway's, although the VirtualService binds its Gateway",
    ingress({ gateways: ["httpbin-gateway", "mesh"], match: [{ gateways: ["mesh"] }] }),
    "mtls",
    [],
  ),
  {
    name: "near miss: a sidecar caller does not take a route bound to a Gateway",
    objects: ingress({ gateways: ["httpbin-gateway"] }),
    traffic: [fromSource("default/sleep", HTTPBIN)],
    src: "default/sleep",
    host: HTTPBIN,
    port: 8000,
    verdict: "mtls",
    codes: [],
  },
];

/** One case: the gateway's edge to the host has the expected port, verdict and edge warnings/errors. */
function checkCase(c: Case): void {
  const snap = run(c.objects, c.traffic);
  const e = edgeOf(snap, c.src, c.host);
  expect(e, `edge ${c.src} → ${c.host}`).toBeTruthy();
  const codes = snap.findings
    .filter((f) => f.severity !== "info" && f.edge === e!.id)
    .map((f) => f.code)
    .sort();
  expect({ port: e!.destination.port, verdict: e!.predicted.verdict, codes }).toEqual({
    port: c.port,
    verdict: c.verdict,
    codes: c.codes,
  });
}

describe("gateway callers take the routes bound to their Gateways", () => {
  it.each(cases)("$name", checkCase);
});

// ---------------------------------------------------------------------------------------------
// Review fixes (docs/DECISIONS.md, "Gateway callers take their Gateways' routes"): routes the gateway
// takes that the candidates missed: a delegate's, a mirror's, and those istiod makes from an Ingress or
// the Gateway API. Each leaves the protocol's guess (never a more certain wrong answer).

/** httpbin with two HTTP ports (8000 http, 9000 http-alt), STRICT, behind a Gateway `gw` for every host. */
function twoPorts(extra: KubeObject[]): KubeObject[] {
  return [
    namespace("istio-system"),
    injected("default"),
    ...gatewayDeployment("istio-ingressgateway", "ingressgateway"),
    service("default", "httpbin", [
      { port: 8000, targetPort: 80, name: "http" },
      { port: 9000, targetPort: 90, name: "http-alt" },
    ]),
    deploy("default", "httpbin", {
      ports: [80, 90],
      containers: ["httpbin", "istio-proxy"],
      annotations: { "sidecar.istio.io/status": "{}" },
    }),
    service("default", "other", [{ port: 8080, name: "http" }]),
    peerAuth("default", "default", "STRICT"),
    net("Gateway", "gw", {
      selector: { istio: "ingressgateway" },
      servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
    }),
    net("VirtualService", "b", {
      hosts: ["b.example.com"],
      gateways: ["gw"],
      http: [{ route: [{ destination: { host: "httpbin", port: { number: 8000 } } }] }],
    }),
    ...extra,
  ];
}

const ROUTED_BY_B = "routed by VirtualService default/b to port 8000";
/** The protocol's guess for an HTTP sample to httpbin: both HTTP ports are candidates, neither routed. */
const GUESS = [
  { port: 8000, verdict: "mtls", routed: false },
  { port: 9000, verdict: "mtls", routed: false },
];
const B_DECIDES = [{ port: 8000, verdict: "mtls", routed: true }];

const aRoot = net("VirtualService", "a-root", {
  hosts: ["a.example.com"],
  gateways: ["gw"],
  http: [{ delegate: { name: "a-del" } }],
});
const aDel = (host: string, port: number) =>
  net("VirtualService", "a-del", { http: [{ route: [{ destination: { host, port: { number: port } } }] }] });
const mirroring = (mirror: object) =>
  net("VirtualService", "m", {
    hosts: ["m.example.com"],
    gateways: ["gw"],
    http: [{ route: [{ destination: { host: "other" } }], ...mirror }],
  });

const anIngress = (o: { className?: string; annotations?: Record<string, string> } = {}): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "other", namespace: "default", ...(o.annotations ? { annotations: o.annotations } : {}) },
  spec: {
    ...(o.className ? { ingressClassName: o.className } : {}),
    rules: [
      {
        host: "other.example.com",
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "httpbin", port: { number: 8000 } } },
            },
          ],
        },
      },
    ],
  },
});
/** Istio's "manual deployment": a Gateway API Gateway on the ingress gateway's Service, with an HTTPRoute to httpbin:8000. */
const gatewayApi: KubeObject[] = [
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "manual", namespace: "istio-system" },
    spec: {
      gatewayClassName: "istio",
      addresses: [{ type: "Hostname", value: "istio-ingressgateway.istio-system.svc.cluster.local" }],
      listeners: [
        {
          name: "http",
          hostname: "other.example.com",
          port: 80,
          protocol: "HTTP",
          allowedRoutes: { namespaces: { from: "All" } },
        },
      ],
    },
  },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "other", namespace: "default" },
    spec: {
      parentRefs: [{ name: "manual", namespace: "istio-system" }],
      hostnames: ["other.example.com"],
      rules: [{ backendRefs: [{ name: "httpbin", port: 8000 }] }],
    },
  },
];
/** Linkerd's own HTTPRoute kind (policy.linkerd.io) attaches to Linkerd Servers, never to an Istio gateway. */
const linkerdRoute: KubeObject = {
  apiVersion: "policy.linkerd.io/v1beta3",
  kind: "HTTPRoute",
  metadata: { name: "other", namespace: "default" },
  spec: {
    parentRefs: [{ group: "policy.linkerd.io", kind: "Server", name: "httpbin" }],
    rules: [{ backendRefs: [{ name: "httpbin", port: 8000 }] }],
  },
};

interface EdgesCase {
  name: string;
  objects: KubeObject[];
  /** Every edge from the ingress gateway to httpbin: port, verdict, and whether a route decided it. */
  edges: { port: number; verdict: string; routed: boolean }[];
}

const reviewCases: EdgesCase[] = [
  {
    name: "a delegate of a VirtualService bound to the Gateway leads to port 9000, another VirtualService to 8000: the guess",
    objects: twoPorts([aRoot, aDel("httpbin", 9000)]),
    edges: GUESS,
  },
  {
    name: "near miss: the delegate leads to another service: b's route decides port 8000",
    objects: twoPorts([aRoot, aDel("other", 8080)]),
    edges: B_DECIDES,
  },
  {
    name: "near miss: no delegate: b's route decides port 8000",
    objects: twoPorts([]),
    edges: B_DECIDES,
  },
  {
    name: "a route bound to the Gateway mirrors to httpbin:9000 while b routes to 8000: the guess",
    objects: twoPorts([mirroring({ mirror: { host: "httpbin", port: { number: 9000 } } })]),
    edges: GUESS,
  },
  {
    name: "a route bound to the Gateway mirrors (mirrors[]) to httpbin: the guess",
    objects: twoPorts([
      mirroring({ mirrors: [{ destination: { host: "httpbin", port: { number: 9000 } } }] }),
    ]),
    edges: GUESS,
  },
  {
    name: "near miss: a mirror at 0% mirrors nothing: b's route decides port 8000",
    objects: twoPorts([
      mirroring({ mirror: { host: "httpbin", port: { number: 9000 } }, mirrorPercentage: { value: 0 } }),
    ]),
    edges: B_DECIDES,
  },
  {
    name: "near miss: a route bound only to mesh that mirrors to httpbin is not the gateway's: b's route decides port 8000",
    objects: twoPorts([
      net("VirtualService", "m", {
        hosts: ["m.example.com"],
        gateways: ["mesh"],
        http: [
          {
            route: [{ destination: { host: "other" } }],
            mirror: { host: "httpbin", port: { number: 9000 } },
          },
        ],
      }),
    ]),
    edges: B_DECIDES,
  },
  {
    name: "an Ingress routes to httpbin through istiod's own Gateway: b's route is not the gateway's only one, the guess",
    objects: twoPorts([anIngress({ className: "istio" })]),
    edges: GUESS,
  },
  {
    name: "a Gateway API Gateway and HTTPRoute (manual deployment on the ingress gateway's Service): the guess",
    objects: twoPorts(gatewayApi),
    edges: GUESS,
  },
  {
    name: "near miss: Linkerd's policy.linkerd.io HTTPRoute is not a gateway route: b's route decides port 8000",
    objects: twoPorts([linkerdRoute]),
    edges: B_DECIDES,
  },
];

describe("gateway callers: routes beside the candidates leave the protocol's guess", () => {
  it.each(reviewCases)("$name", (c) => {
    const snap = run(c.objects, [fromSource(INGRESS, HTTPBIN)]);
    const edges = snap.edges
      .filter(
        (e) => `${e.source.namespace}/${e.source.workload}` === INGRESS && e.destination.host === HTTPBIN,
      )
      .map((e) => ({
        port: e.destination.port,
        verdict: e.predicted.verdict,
        routed: e.predicted.reason.includes("routed by"),
      }))
      .sort((a, b) => a.port - b.port);
    expect(edges).toEqual(c.edges);
    if (c.edges === B_DECIDES)
      expect(snap.edges.some((e) => e.predicted.reason.includes(ROUTED_BY_B))).toBe(true);
  });
});

// The ingress subset case (subset v1 DISABLE towards STRICT), with an Ingress or the Gateway API feeding
// the same gateway: their share goes to the default cluster with mTLS, so the subset is not certain.
const subsetCases: Case[] = [
  { name: "Ingress (ingressClassName istio)", objects: [anIngress({ className: "istio" })] },
  {
    name: "Ingress (kubernetes.io/ingress.class annotation)",
    objects: [anIngress({ annotations: { "kubernetes.io/ingress.class": "istio" } })],
  },
  { name: "Gateway API Gateway with addresses and an HTTPRoute", objects: gatewayApi },
].map((x) => ({
  name: `${x.name} beside the route to subset v1: the default cluster`,
  objects: [...ingress({ gateways: ["httpbin-gateway"] }), ...x.objects],
  traffic: [fromSource(INGRESS, HTTPBIN)],
  src: INGRESS,
  host: HTTPBIN,
  port: 8000,
  verdict: "mtls",
  codes: [],
}));
subsetCases.push({
  ...cases[2]!,
  name: "near miss: a Linkerd HTTPRoute beside the route to subset v1: still the subset's DISABLE",
  objects: [...ingress({ gateways: ["httpbin-gateway"] }), linkerdRoute],
});

describe("gateway callers: an Ingress or the Gateway API beside the VirtualServices", () => {
  it.each(subsetCases)("$name", checkCase);
});

// A live cluster: the reader lists neither Ingresses nor the Gateway API kinds, so their absence is not
// known there and the gateway keeps the protocol's guess (buildModel's fromCluster); the same objects
// as manifests take the route (the subset's DISABLE towards STRICT).
describe("gateway callers on a live cluster: the protocol's guess", () => {
  it.each([
    { source: { type: "kubeconfig" as const, context: "prod" }, verdict: "mtls" },
    { source: { type: "demo" as const }, verdict: "mtls" },
    { source: { type: "manifests" as const }, verdict: "broken" },
  ])("$source.type → $verdict", ({ source, verdict }) => {
    const snap = run(ingress({ gateways: ["httpbin-gateway"] }), [fromSource(INGRESS, HTTPBIN)], source);
    const e = edgeOf(snap, INGRESS, HTTPBIN);
    expect(e, `edge ${INGRESS} → ${HTTPBIN}`).toBeTruthy();
    expect({ port: e!.destination.port, verdict: e!.predicted.verdict }).toEqual({ port: 8000, verdict });
  });
});

// ---------------------------------------------------------------------------------------------
// reviews/fp2.md #2: a Gateway API Gateway that istiod deploys itself (no spec.addresses) configures only
// its own pods (labelled gateway.networking.k8s.io/gateway-name), so the VirtualService routes of other
// gateways stay theirs: the egress-gateway TLS origination task beside a Gateway API ingress.

/** An auto-deployed Gateway API Gateway `public` (class istio) in istio-ingress, its pods, and an HTTPRoute to httpbin:8000. */
function autoGatewayApi(
  o: { addresses?: boolean | Array<Record<string, string>>; gatewayInInputs?: boolean } = {},
): KubeObject[] {
  const gw: KubeObject = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "public", namespace: "istio-ingress" },
    spec: {
      gatewayClassName: "istio",
      ...(Array.isArray(o.addresses)
        ? { addresses: o.addresses }
        : o.addresses
          ? {
              addresses: [{ type: "Hostname", value: "istio-ingressgateway.istio-system.svc.cluster.local" }],
            }
          : {}),
      listeners: [
        { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } },
      ],
    },
  };
  const label = { "gateway.networking.k8s.io/gateway-name": "public" };
  return [
    namespace("istio-ingress"),
    ...(o.gatewayInInputs === false ? [] : [gw]),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "public-istio", namespace: "istio-ingress", labels: label },
      spec: {
        selector: { matchLabels: label },
        template: {
          metadata: { labels: label, annotations: { "inject.istio.io/templates": "gateway" } },
          spec: {
            serviceAccountName: "public-istio",
            containers: [{ name: "istio-proxy", image: "auto", args: ["proxy", "router"] }],
          },
        },
      },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "other", namespace: "default" },
      spec: {
        parentRefs: [{ name: "public", namespace: "istio-ingress" }],
        rules: [{ backendRefs: [{ name: "httpbin", port: 8000 }] }],
      },
    },
  ];
}

describe("gateway callers: a Gateway API Gateway istiod deploys feeds only its own pods (reviews/fp2.md #2)", () => {
  it.each<EdgesCase>([
    {
      name: "auto-deployed Gateway API Gateway and its HTTPRoute beside b: b's route decides port 8000",
      objects: twoPorts(autoGatewayApi()),
      edges: B_DECIDES,
    },
    {
      name: "near miss: the same Gateway with spec.addresses (manual deployment on any Service): the guess",
      objects: twoPorts(autoGatewayApi({ addresses: true })),
      edges: GUESS,
    },
    // reviews/fp2rev.md #7: istio IsManaged; one IPAddress (or untyped) address is a requested LB IP.
    {
      name: "one IPAddress address: still istiod-managed, b's route decides",
      objects: twoPorts(autoGatewayApi({ addresses: [{ type: "IPAddress", value: "203.0.113.10" }] })),
      edges: B_DECIDES,
    },
    {
      name: "one address without a type: still istiod-managed, b's route decides",
      objects: twoPorts(autoGatewayApi({ addresses: [{ value: "203.0.113.10" }] })),
      edges: B_DECIDES,
    },
    {
      name: "near miss: two IPAddress addresses (manual deployment): the guess",
      objects: twoPorts(
        autoGatewayApi({
          addresses: [
            { type: "IPAddress", value: "203.0.113.10" },
            { type: "IPAddress", value: "203.0.113.11" },
          ],
        }),
      ),
      edges: GUESS,
    },
    {
      name: "near miss: one NamedAddress (manual deployment): the guess",
      objects: twoPorts(autoGatewayApi({ addresses: [{ type: "NamedAddress", value: "my-lb" }] })),
      edges: GUESS,
    },
    {
      name: "near miss: an HTTPRoute whose parent Gateway is not in the inputs: the guess",
      objects: twoPorts(autoGatewayApi({ gatewayInInputs: false })),
      edges: GUESS,
    },
  ])("$name", (c) => {
    const snap = run(c.objects, [fromSource(INGRESS, HTTPBIN)]);
    const edges = snap.edges
      .filter(
        (e) => `${e.source.namespace}/${e.source.workload}` === INGRESS && e.destination.host === HTTPBIN,
      )
      .map((e) => ({
        port: e.destination.port,
        verdict: e.predicted.verdict,
        routed: e.predicted.reason.includes("routed by"),
      }))
      .sort((a, b) => a.port - b.port);
    expect(edges).toEqual(c.edges);
  });

  const EGRESS_GW = "istio-system/istio-egressgateway";
  const egressEdges = (objects: KubeObject[], src = EGRESS_GW) =>
    run(objects, [fromSource(src, CNN)])
      .edges.filter((e) => `${e.source.namespace}/${e.source.workload}` === src && e.destination.host === CNN)
      .map((e) => ({ port: e.destination.port, verdict: e.predicted.verdict }));

  it("the egress gateway's route 80 → 443 with the DR's SIMPLE TLS: edition.cnn.com:443, tls, beside a Gateway API ingress", () => {
    const objs = [...cnnEgress(["istio-egressgateway", "mesh"]), ...autoGatewayApi()];
    expect(egressEdges(objs)).toEqual([{ port: 443, verdict: "tls" }]);
  });

  it("near miss: the gateway-bound route does not apply to a sidecar (its mesh route goes to the egress gateway)", () => {
    const objs = [
      ...cnnEgress(["istio-egressgateway", "mesh"]),
      ...autoGatewayApi(),
      deploy("default", "sleep", {
        containers: ["sleep", "istio-proxy"],
        annotations: { "sidecar.istio.io/status": "{}" },
      }),
    ];
    // A sidecar sample naming edition.cnn.com directly takes no gateway-bound route: the HTTP guess, port 80.
    expect(egressEdges(objs, "default/sleep")).toEqual([{ port: 80, verdict: "unknown" }]);
  });

  it("near miss: a VirtualService bound only to mesh does not route the egress gateway: port 80, no TLS", () => {
    const objs = [...cnnEgress(["mesh"]), ...autoGatewayApi()];
    expect(egressEdges(objs)).toEqual([{ port: 80, verdict: "unknown" }]);
  });
});
