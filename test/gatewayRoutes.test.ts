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
        template: { metadata: { labels }, spec: { serviceAccountName: name, containers: [{ name: "istio-proxy", image: "docker.io/istio/proxyv2:1.24.0", args: ["proxy", "router"] }] } },
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
const fromSource = (src: string, dest: string): TrafficSample => call(src, dest, "unknown", 40, { reporter: "source" });

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
  net("Gateway", "istio-egressgateway", { selector: { istio: "egressgateway" }, servers: [{ port: { number: 80, name: "https-port-for-tls-origination", protocol: "HTTPS" }, hosts: [CNN], tls: { mode: "ISTIO_MUTUAL" } }] }),
  net("VirtualService", "direct-cnn-through-egress-gateway", {
    hosts: [CNN],
    gateways,
    http: [
      { match: [{ gateways: ["mesh"], port: 80 }], route: [{ destination: { host: EGRESS, subset: "cnn", port: { number: 80 } }, weight: 100 }] },
      { match: [{ gateways: ["istio-egressgateway"], port: 80 }], route: [{ destination: { host: CNN, port: { number: 443 } }, weight: 100 }] },
    ],
  }),
  net("DestinationRule", "originate-tls-for-edition-cnn-com", { host: CNN, trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }] } }),
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
    deploy("default", "httpbin", { labels: { version: "v1" }, ports: [80], containers: ["httpbin", "istio-proxy"], annotations: { "sidecar.istio.io/status": "{}" } }),
    deploy("default", "sleep", { containers: ["sleep", "istio-proxy"], annotations: { "sidecar.istio.io/status": "{}" } }),
    peerAuth("default", "default", "STRICT"),
    net("Gateway", "httpbin-gateway", { selector: o.selector ?? { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["httpbin.example.com"] }] }, o.gatewayNs ?? "default"),
    net("VirtualService", "httpbin", {
      hosts: ["httpbin.example.com"],
      gateways: o.gateways,
      http: [{ ...(o.match ? { match: o.match } : {}), route: [{ destination: { host: "httpbin", subset: "v1", port: { number: 8000 } } }] }],
    }),
    destRule("default", "httpbin", "httpbin", { subsets: [{ name: "v1", labels: { version: "v1" }, trafficPolicy: { tls: { mode: "DISABLE" } } }] }),
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
  {
    name: "ingress gateway: the route to subset v1 takes the subset's DISABLE towards the STRICT server",
    objects: ingress({ gateways: ["httpbin-gateway"] }),
    traffic: [fromSource(INGRESS, HTTPBIN)],
    src: INGRESS,
    host: HTTPBIN,
    port: 8000,
    verdict: "broken",
    codes: ["edge.plaintext-to-strict"],
  },
  {
    name: "ingress gateway: a Gateway in another namespace named ns/name, and a match naming it with port 80",
    objects: ingress({ gateways: ["istio-system/httpbin-gateway"], gatewayNs: "istio-system", match: [{ gateways: ["istio-system/httpbin-gateway"], port: 80 }] }),
    traffic: [fromSource(INGRESS, HTTPBIN)],
    src: INGRESS,
    host: HTTPBIN,
    port: 8000,
    verdict: "broken",
    codes: ["edge.plaintext-to-strict"],
  },
  {
    name: "near miss: a bare Gateway name is the VirtualService's namespace's, not istio-system's: the default cluster",
    objects: ingress({ gateways: ["httpbin-gateway"], gatewayNs: "istio-system" }),
    traffic: [fromSource(INGRESS, HTTPBIN)],
    src: INGRESS,
    host: HTTPBIN,
    port: 8000,
    verdict: "mtls",
    codes: [],
  },
  {
    name: "near miss: bound only to mesh, the VirtualService does not route the gateway's calls",
    objects: ingress({ gateways: ["mesh"] }),
    traffic: [fromSource(INGRESS, HTTPBIN)],
    src: INGRESS,
    host: HTTPBIN,
    port: 8000,
    verdict: "mtls",
    codes: [],
  },
  {
    name: "near miss: bound to a Gateway that selects another gateway workload",
    objects: ingress({ gateways: ["httpbin-gateway"], selector: { istio: "other-gateway" } }),
    traffic: [fromSource(INGRESS, HTTPBIN)],
    src: INGRESS,
    host: HTTPBIN,
    port: 8000,
    verdict: "mtls",
    codes: [],
  },
  {
    name: "near miss: a route the gateway's requests may not take (a path match) leaves the default cluster",
    objects: ingress({ gateways: ["httpbin-gateway"], match: [{ uri: { prefix: "/status" } }] }),
    traffic: [fromSource(INGRESS, HTTPBIN)],
    src: INGRESS,
    host: HTTPBIN,
    port: 8000,
    verdict: "mtls",
    codes: [],
  },
  {
    name: "near miss: a match naming only mesh is not the gateway's, although the VirtualService binds its Gateway",
    objects: ingress({ gateways: ["httpbin-gateway", "mesh"], match: [{ gateways: ["mesh"] }] }),
    traffic: [fromSource(INGRESS, HTTPBIN)],
    src: INGRESS,
    host: HTTPBIN,
    port: 8000,
    verdict: "mtls",
    codes: [],
  },
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

describe("gateway callers take the routes bound to their Gateways", () => {
  it.each(cases)("$name", (c) => {
    const snap = run(c.objects, c.traffic);
    const e = edgeOf(snap, c.src, c.host);
    expect(e, `edge ${c.src} → ${c.host}`).toBeTruthy();
    const codes = snap.findings
      .filter((f) => f.severity !== "info" && f.edge === e!.id)
      .map((f) => f.code)
      .sort();
    expect({ port: e!.destination.port, verdict: e!.predicted.verdict, codes }).toEqual({ port: c.port, verdict: c.verdict, codes: c.codes });
  });
});
