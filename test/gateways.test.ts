// Gateways and waypoints are Istio proxies whose listeners PeerAuthentication does not reach
// (istio.md §1.5, §9.9; BuildListeners switches on the proxy type), and the mesh proxy's own
// container ports are not workload ports (contract §1.1). Each case next to its near miss: a plain
// sidecar workload in the same place, which PeerAuthentication does govern.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { Ref } from "../lib/core/snapshot/schema";
import {
  call,
  deploy,
  destRule,
  findingsOf,
  host,
  injected,
  namespace,
  only,
  peerAuth,
  predict,
  run,
  service,
  tls,
  workloadOf,
} from "./kit";

type Labels = Record<string, string>;
const paRef = (ns: string, name: string): Ref => ({ kind: "PeerAuthentication", namespace: ns, name });
const TLS_MODE = "security.istio.io/tlsMode";

// Every level of PeerAuthentication says STRICT: a workload it governs is STRICT by the workload policy.
const strictEverywhere = [
  namespace("istio-system"),
  injected("edge"),
  injected("a"),
  peerAuth("istio-system", "default", "STRICT"),
  peerAuth("edge", "ns-strict", "STRICT"),
  peerAuth("edge", "gw-strict", "STRICT", { selector: { role: "front" }, ports: { "8443": "DISABLE" } }),
  deploy("a", "web", { ports: [9080] }),
];

/** A proxy Deployment in `edge` as Istio's charts and templates render them (labels, annotations, istio-proxy ports). */
function proxyDeploy(labels: Labels, annotations: Labels = {}): KubeObject {
  return deploy("edge", "front", {
    labels: { role: "front", ...labels },
    annotations,
    containers: ["istio-proxy"],
    ports: [{ port: 15090, name: "http-envoy-prom" }],
  });
}
const frontService = service("edge", "front", [{ port: 80, targetPort: 8080, name: "http2" }], {
  selector: { role: "front" },
});
const FRONT = host("front", "edge");

const NONE_DEFAULT = { mode: "NONE", origin: "default", policy: null } as const;
const STRICT_DEFAULT = { mode: "STRICT", origin: "default", policy: null } as const;

interface Flavour {
  flavour: string;
  labels: Labels;
  annotations: Labels;
  decision: typeof NONE_DEFAULT | typeof STRICT_DEFAULT;
  reason: string;
}

describe("gateway and waypoint workloads: what their mtls, ports and the edge's server say", () => {
  it.each<Flavour>([
    {
      flavour: "legacy gateway chart (istio: ingressgateway, sidecar.istio.io/inject: false)",
      labels: { istio: "ingressgateway", "sidecar.istio.io/inject": "false" },
      annotations: {},
      decision: NONE_DEFAULT,
      reason:
        "edge/front port 8080 is a gateway listener, whose TLS comes from its Gateway resource, not PeerAuthentication",
    },
    {
      flavour: "gateway helm chart (istio: ingress, inject.istio.io/templates: gateway)",
      labels: { istio: "ingress", "sidecar.istio.io/inject": "true" },
      annotations: { "inject.istio.io/templates": "gateway" },
      decision: NONE_DEFAULT,
      reason:
        "edge/front port 8080 is a gateway listener, whose TLS comes from its Gateway resource, not PeerAuthentication",
    },
    {
      flavour: "Gateway API gateway (kube-gateway.yaml)",
      labels: {
        "gateway.networking.k8s.io/gateway-name": "front",
        "gateway.networking.k8s.io/gateway-class-name": "istio",
        "gateway.istio.io/managed": "istio.io-gateway-controller",
        "sidecar.istio.io/inject": "false",
      },
      annotations: {},
      decision: NONE_DEFAULT,
      reason:
        "edge/front port 8080 is a gateway listener, whose TLS comes from its Gateway resource, not PeerAuthentication",
    },
    {
      flavour: "waypoint (waypoint.yaml, istio.io-mesh-controller)",
      labels: {
        "gateway.networking.k8s.io/gateway-name": "front",
        "gateway.networking.k8s.io/gateway-class-name": "istio-waypoint",
        "gateway.istio.io/managed": "istio.io-mesh-controller",
        "istio.io/dataplane-mode": "none",
      },
      annotations: {},
      decision: STRICT_DEFAULT,
      reason:
        "edge/front is a waypoint, which takes only HBONE (mTLS on port 15008) whatever PeerAuthentication says",
    },
    {
      flavour: "ambient east-west gateway (waypoint template, istio.io-eastwest-controller)",
      labels: {
        "gateway.networking.k8s.io/gateway-name": "front",
        "gateway.networking.k8s.io/gateway-class-name": "istio-east-west",
        "gateway.istio.io/managed": "istio.io-eastwest-controller",
        "istio.io/dataplane-mode": "none",
      },
      annotations: {},
      decision: STRICT_DEFAULT,
      reason:
        "edge/front is a waypoint, which takes only HBONE (mTLS on port 15008) whatever PeerAuthentication says",
    },
  ])(
    "$flavour: no PeerAuthentication is named, whatever selects it",
    ({ labels, annotations, decision, reason }) => {
      const s = run(
        [...strictEverywhere, proxyDeploy(labels, annotations), frontService],
        [call("a/web", FRONT, "unknown", 5, { reporter: "source" })],
      );
      const w = workloadOf(s, "edge", "front");
      expect(w.dataplane).toBe("sidecar");
      expect(w.mtls).toEqual(decision);
      // The Service's target port; neither the proxy's own 15090 nor the workload policy's portLevelMtls key.
      expect(w.ports).toEqual([{ port: 8080, ...decision }]);
      // The templates that render gateways and waypoints add no tlsMode label.
      expect(w.labels[TLS_MODE]).toBeUndefined();
      const e = s.edges.find((x) => x.destination.host === FRONT)!;
      expect(e.predicted.server).toEqual(decision);
      expect(e.predicted.reason).toContain(reason);
      expect(e.predicted.reason).not.toMatch(/PeerAuthentication edge\/|PeerAuthentication istio-system\//);
    },
  );

  it("near miss: a sidecar workload labelled istio: ingress without the gateway template is governed by PeerAuthentication", () => {
    const s = run(
      [
        ...strictEverywhere,
        deploy("edge", "front", { labels: { role: "front", istio: "ingress" }, ports: [8080] }),
        frontService,
      ],
      [call("a/web", FRONT, "mutual_tls", 5)],
    );
    const w = workloadOf(s, "edge", "front");
    expect(w.mtls).toEqual({ mode: "STRICT", origin: "workload", policy: paRef("edge", "gw-strict") });
    expect(w.ports).toEqual([
      { port: 8080, mode: "STRICT", origin: "workload", policy: paRef("edge", "gw-strict") },
      { port: 8443, mode: "DISABLE", origin: "workload-port", policy: paRef("edge", "gw-strict") },
    ]);
    expect(w.labels[TLS_MODE]).toBe("istio");
    const e = s.edges.find((x) => x.destination.host === FRONT)!;
    expect(e.predicted.server).toEqual({
      mode: "STRICT",
      origin: "workload",
      policy: paRef("edge", "gw-strict"),
    });
    expect(e.predicted.reason).toContain(
      "edge/front port 8080 is STRICT by PeerAuthentication edge/gw-strict (workload)",
    );
  });
});

// Which pods are gateways: istiod builds listeners by the proxy type, i.e. pilot-agent's role argument
// (`proxy router|waypoint|sidecar`), which the injector takes from the template the pod names in
// inject.istio.io/templates (selectTemplates) and nothing else. A label is not a proxy type.
describe("which pods are gateways or waypoints (the proxy's role, not a label)", () => {
  const istioProxy = (role: string | null) => ({
    name: "istio-proxy",
    image: "docker.io/istio/proxyv2:1.27.1",
    ...(role ? { args: ["proxy", role, "--domain", "$(POD_NAMESPACE).svc.cluster.local"] } : {}),
    ports: [{ containerPort: 15090, name: "http-envoy-prom" }],
  });
  const app = { name: "app", image: "example/app:1", ports: [{ containerPort: 8080, name: "http" }] };
  const livePod = (labels: Labels, containers: unknown[]): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "front", namespace: "edge", labels: { role: "front", ...labels } },
    spec: { serviceAccountName: "front", containers },
  });
  const template = (labels: Labels, containers: unknown[]): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "front", namespace: "edge" },
    spec: {
      selector: { matchLabels: { role: "front" } },
      template: {
        metadata: { labels: { role: "front", ...labels } },
        spec: { serviceAccountName: "front", containers },
      },
    },
  });
  const GOVERNED = { mode: "STRICT", origin: "workload", policy: paRef("edge", "gw-strict") } as const;

  it.each([
    {
      name: "an injected application labelled istio: ingressgateway gets the sidecar template: governed by PeerAuthentication",
      obj: deploy("edge", "front", { labels: { role: "front", istio: "ingressgateway" }, ports: [8080] }),
      mtls: GOVERNED,
      tlsMode: "istio",
    },
    {
      name: "another implementation's Gateway API proxy (gateway-name label, no gateway.istio.io/managed), injected: a sidecar",
      obj: deploy("edge", "front", {
        labels: {
          role: "front",
          "gateway.networking.k8s.io/gateway-name": "front",
          "gateway.networking.k8s.io/gateway-class-name": "other",
        },
        ports: [8080],
      }),
      mtls: GOVERNED,
      tlsMode: "istio",
    },
    {
      name: "a live pod labelled istio: ingressgateway whose proxy runs `proxy sidecar`: a sidecar",
      obj: livePod({ istio: "ingressgateway", [TLS_MODE]: "istio" }, [app, istioProxy("sidecar")]),
      mtls: GOVERNED,
      tlsMode: "istio",
    },
    {
      name: "a template whose istio-proxy runs `proxy router`, with no gateway label: a gateway",
      obj: template({ "sidecar.istio.io/inject": "false" }, [istioProxy("router")]),
      mtls: NONE_DEFAULT,
      tlsMode: undefined,
    },
    {
      name: "a live pod whose istio-proxy runs `proxy waypoint`: a waypoint",
      obj: livePod({}, [istioProxy("waypoint")]),
      mtls: STRICT_DEFAULT,
      tlsMode: undefined,
    },
    {
      name: "near miss: the legacy chart's own istio-proxy under istio: ingressgateway (no args written): a gateway",
      obj: template({ istio: "ingressgateway", "sidecar.istio.io/inject": "false" }, [istioProxy(null)]),
      mtls: NONE_DEFAULT,
      tlsMode: undefined,
    },
  ])("$name", ({ obj, mtls, tlsMode }) => {
    const s = run([...strictEverywhere, obj, frontService]);
    const w = workloadOf(s, "edge", "front");
    expect(w.dataplane).toBe("sidecar");
    expect(w.mtls).toEqual(mtls);
    expect(w.labels[TLS_MODE]).toBe(tlsMode);
  });

  it("a gateway-labelled workload without any proxy is no gateway: its edge says it has no proxy", () => {
    const objs = [
      ...strictEverywhere,
      deploy("edge", "front", {
        labels: { role: "front", istio: "ingressgateway", "sidecar.istio.io/inject": "false" },
        ports: [8080],
      }),
      frontService,
    ];
    const p = predict(objs, "a/web", FRONT).predicted;
    expect(p.server).toEqual({ mode: "NONE", origin: "no-proxy", policy: null });
    expect(p.reason).toContain("edge/front has no proxy");
    expect(p.reason).not.toContain("gateway listener");
  });
});

describe("client → gateway / waypoint Service: what is sent and the verdict", () => {
  const ingress = (extra: Labels = {}) =>
    proxyDeploy({ istio: "ingressgateway", "sidecar.istio.io/inject": "false", ...extra });
  const waypoint = proxyDeploy({
    "gateway.istio.io/managed": "istio.io-mesh-controller",
    "gateway.networking.k8s.io/gateway-name": "front",
    "istio.io/dataplane-mode": "none",
  });
  const sidecarServer = deploy("edge", "front", { labels: { role: "front" }, ports: [8080] });
  const drFront = (mode: string) => destRule("a", "to-front", FRONT, tls(mode));

  it.each([
    {
      name: "gateway, auto mTLS: its pods carry no tlsMode=istio, so plaintext",
      server: ingress(),
      extra: [],
      tlsSent: "DISABLE",
      verdict: "plaintext",
      says: "edge/front pods do not carry security.istio.io/tlsMode=istio",
    },
    {
      name: "gateway labelled tlsMode=istio by hand: auto sends Istio mTLS, which only an ISTIO_MUTUAL Gateway server takes",
      server: ingress({ [TLS_MODE]: "istio" }),
      extra: [],
      tlsSent: "ISTIO_MUTUAL",
      verdict: "unknown",
      says: "only by a Gateway server with tls.mode ISTIO_MUTUAL",
    },
    {
      name: "gateway, DR ISTIO_MUTUAL",
      server: ingress(),
      extra: [drFront("ISTIO_MUTUAL")],
      tlsSent: "ISTIO_MUTUAL",
      verdict: "unknown",
      says: "only by a Gateway server with tls.mode ISTIO_MUTUAL",
    },
    {
      name: "gateway, DR SIMPLE: the client proxy originates TLS for a Gateway server to terminate",
      server: ingress(),
      extra: [drFront("SIMPLE")],
      tlsSent: "SIMPLE",
      verdict: "tls",
      says: "the gateway terminates it where that Gateway server sets TLS",
    },
    {
      name: "waypoint, auto mTLS: plaintext meets the HBONE-only waypoint",
      server: waypoint,
      extra: [],
      tlsSent: "DISABLE",
      verdict: "broken",
      says: "it has no listener for plaintext",
    },
    {
      name: "near miss: a STRICT sidecar server, auto mTLS",
      server: sidecarServer,
      extra: [],
      tlsSent: "ISTIO_MUTUAL",
      verdict: "mtls",
      says: "edge/front port 8080 is STRICT by PeerAuthentication edge/gw-strict (workload)",
    },
    {
      name: "near miss: a STRICT sidecar server, DR DISABLE",
      server: sidecarServer,
      extra: [drFront("DISABLE")],
      tlsSent: "DISABLE",
      verdict: "broken",
      says: "edge/front port 8080 is STRICT by PeerAuthentication edge/gw-strict (workload)",
    },
  ])("$name", ({ server, extra, tlsSent, verdict, says }) => {
    const p = predict([...strictEverywhere, server, ...extra, frontService], "a/web", FRONT).predicted;
    expect(p.client.tls).toBe(tlsSent);
    expect(p.verdict).toBe(verdict);
    expect(p.reason).toContain(says);
  });
});

describe("findings never say a PeerAuthentication governs a gateway", () => {
  const gw = proxyDeploy({ istio: "ingressgateway", "sidecar.istio.io/inject": "false" });
  const wp = proxyDeploy({
    "gateway.istio.io/managed": "istio.io-mesh-controller",
    "gateway.networking.k8s.io/gateway-name": "front",
    "istio.io/dataplane-mode": "none",
  });
  const sidecarServer = deploy("edge", "front", { labels: { role: "front" }, ports: [8080] });
  const plainDr = destRule("a", "to-front", FRONT, tls("DISABLE"));
  const traffic = [call("a/web", FRONT, "unknown", 5, { reporter: "source" })];

  it("STRICT mesh + plaintext to a gateway: no edge.plaintext-to-strict; edge.plaintext with a gateway fix, naming no PeerAuthentication", () => {
    const s = run([...strictEverywhere, gw, frontService, plainDr], traffic);
    expect(findingsOf(s, "edge.plaintext-to-strict")).toEqual([]);
    const f = only(s, "edge.plaintext");
    expect(f.resources.filter((r) => r.kind === "PeerAuthentication")).toEqual([]);
    expect(f.fix).toContain(
      "edge/front is a gateway: its listener on port 8080 takes what its Gateway server's tls sets",
    );
    expect(findingsOf(s, "mesh.no-strict")).toEqual([]);
  });

  it("a port the Service declares TLS (https) carries the caller's own TLS: unknown, no edge.plaintext; its http2 port stays plaintext", () => {
    // The istio/gateway chart's Service: status-port 15021, http2 80, https 443; an in-mesh prober calls 443.
    const gwService = service(
      "edge",
      "front",
      [
        { port: 80, targetPort: 8080, name: "http2" },
        { port: 443, targetPort: 8443, name: "https" },
      ],
      { selector: { role: "front" } },
    );
    const tcp = (port: number) =>
      call("a/web", FRONT, "unknown", 5, {
        reporter: "source",
        request_protocol: port === 443 ? "tcp" : "http",
      });
    const s = run([...strictEverywhere, gw, gwService], [tcp(443), tcp(80)]);
    const e443 = s.edges.find((e) => e.destination.port === 443)!;
    expect(e443.predicted).toMatchObject({ client: { tls: "DISABLE" }, verdict: "unknown" });
    expect(e443.predicted.reason).toContain(
      "the port is declared TLS, so the caller's application originates TLS",
    );
    expect(findingsOf(s, "edge.plaintext").map((f) => f.edge)).toEqual([
      "a/web->front.edge.svc.cluster.local:80",
    ]);
  });

  it("near miss: the same plaintext to a STRICT sidecar is edge.plaintext-to-strict, naming the policy", () => {
    const s = run([...strictEverywhere, sidecarServer, frontService, plainDr], traffic);
    expect(only(s, "edge.plaintext-to-strict").resources).toContainEqual(paRef("edge", "gw-strict"));
    expect(findingsOf(s, "edge.plaintext")).toEqual([]);
  });

  it("plaintext to a waypoint is edge.plaintext-to-strict by design, naming no PeerAuthentication, with a waypoint fix", () => {
    const s = run([...strictEverywhere, wp, frontService, plainDr], traffic);
    const f = only(s, "edge.plaintext-to-strict");
    expect(f.resources.filter((r) => r.kind === "PeerAuthentication")).toEqual([]);
    expect(f.fix).toContain("A waypoint takes only HBONE");
    expect(findingsOf(s, "edge.auto-mtls-namespace-disable")).toEqual([]);
  });

  it("mesh.no-strict still fires without a STRICT mesh policy, gateways or not", () => {
    const s = run([namespace("istio-system"), injected("edge"), gw, frontService]);
    expect(only(s, "mesh.no-strict").severity).toBe("info");
  });

  it("pa.no-proxy: a workload policy selecting only the gateway enforces nothing; silent namespace-wide, and when it also selects a sidecar", () => {
    const base = [
      namespace("istio-system"),
      injected("edge"),
      peerAuth("istio-system", "default", "STRICT"),
      frontService,
    ];
    const gwOnly = run([
      ...base,
      gw,
      peerAuth("edge", "gw-strict", "STRICT", { selector: { role: "front" } }),
    ]);
    const f = only(gwOnly, "pa.no-proxy");
    expect(f.resources).toEqual([
      paRef("edge", "gw-strict"),
      { kind: "Deployment", namespace: "edge", name: "front" },
    ]);
    expect(f.message).toContain(
      "selects only gateways or waypoints (edge/front), whose listeners PeerAuthentication does not configure",
    );
    expect(f.fix).toContain("servers[].tls.mode");
    expect(
      only(
        run([...base, wp, peerAuth("edge", "wp-strict", "STRICT", { selector: { role: "front" } })]),
        "pa.no-proxy",
      ).resources[0],
    ).toEqual(paRef("edge", "wp-strict"));
    // Near misses: namespace-wide over the gateway's namespace; a selector that also picks a sidecar workload.
    expect(findingsOf(run([...base, gw, peerAuth("edge", "default", "STRICT")]), "pa.no-proxy")).toEqual([]);
    const app = deploy("edge", "app", { labels: { role: "front", app: "x" }, ports: [8080] });
    expect(
      findingsOf(
        run([...base, gw, app, peerAuth("edge", "gw-strict", "STRICT", { selector: { role: "front" } })]),
        "pa.no-proxy",
      ),
    ).toEqual([]);
  });

  it.each([
    {
      code: "pa.port-not-on-workload",
      objs: [
        peerAuth("edge", "ports", "STRICT", { selector: { role: "front" }, ports: { "9999": "DISABLE" } }),
      ],
    },
    {
      code: "workload.capture-excluded-port",
      objs: [] as KubeObject[],
      annotations: { "traffic.sidecar.istio.io/excludeInboundPorts": "8080" },
    },
    { code: "pa.permissive", objs: [peerAuth("edge", "ns-strict", "PERMISSIVE")] },
    { code: "pa.disable", objs: [peerAuth("edge", "off", "DISABLE", { selector: { role: "front" } })] },
  ])("$code: silent for a gateway, fires for the sidecar next to it", ({ code, objs, annotations }) => {
    const base = [
      namespace("istio-system"),
      injected("edge"),
      peerAuth("istio-system", "default", "STRICT"),
      frontService,
      ...objs,
    ];
    const gateway = proxyDeploy(
      { istio: "ingressgateway", "sidecar.istio.io/inject": "false" },
      annotations ?? {},
    );
    expect(findingsOf(run([...base, gateway]), code)).toEqual([]);
    const sidecar = deploy("edge", "front", {
      labels: { role: "front" },
      ports: [8080],
      annotations: annotations ?? {},
    });
    expect(findingsOf(run([...base, sidecar]), code).length).toBeGreaterThan(0);
  });
});

describe("the mesh proxy's own container ports are not workload ports (contract §1.1)", () => {
  const app = { name: "app", image: "example/app:1", ports: [{ containerPort: 8080, name: "http" }] };
  const istioProxy = {
    name: "istio-proxy",
    image: "istio/proxyv2:1.30.3",
    ports: [
      { containerPort: 15090, name: "http-envoy-prom" },
      { containerPort: 15021, name: "status-port" },
    ],
  };
  const pod = (spec: Record<string, unknown>, labels: Labels = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "shop", labels: { app: "web", ...labels } },
    spec: { serviceAccountName: "web", ...spec },
  });
  const template = (containers: unknown[]): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web-1", namespace: "shop" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers } },
    },
  });
  const ns = injected("shop");

  it.each([
    {
      name: "classic sidecar (istio-proxy among containers, live pod)",
      objs: [pod({ containers: [app, istioProxy] })],
      ports: [8080],
    },
    {
      name: "native sidecar (istio-proxy among initContainers, restartPolicy Always, live pod)",
      objs: [pod({ initContainers: [{ ...istioProxy, restartPolicy: "Always" }], containers: [app] })],
      ports: [8080],
    },
    {
      name: "istio-proxy written into a template (istioctl kube-inject output)",
      objs: [template([app, istioProxy])],
      ports: [8080],
    },
    {
      name: "Linkerd's proxy ports",
      objs: [
        pod({
          containers: [
            app,
            {
              name: "linkerd-proxy",
              image: "cr.l5d.io/linkerd/proxy:stable",
              ports: [
                { containerPort: 4143, name: "linkerd-proxy" },
                { containerPort: 4191, name: "linkerd-admin" },
              ],
            },
          ],
        }),
      ],
      ports: [8080],
    },
    {
      name: "near miss: an application's own native sidecar keeps its ports",
      objs: [
        pod({
          initContainers: [
            {
              name: "agent",
              image: "example/agent:1",
              restartPolicy: "Always",
              ports: [{ containerPort: 9901 }],
            },
          ],
          containers: [app, istioProxy],
        }),
      ],
      ports: [8080, 9901],
    },
    {
      name: "a Service targeting http-envoy-prom by name lists it (Service rule)",
      objs: [
        pod({ initContainers: [{ ...istioProxy, restartPolicy: "Always" }], containers: [app] }),
        service(
          "shop",
          "web-metrics",
          [{ port: 15090, targetPort: "http-envoy-prom", name: "http-monitoring" }],
          { selector: { app: "web" } },
        ),
      ],
      ports: [8080, 15090],
    },
    {
      name: "a portLevelMtls naming 15090 lists it (portLevelMtls rule)",
      objs: [
        pod({ containers: [app, istioProxy] }),
        peerAuth("shop", "web", "STRICT", { selector: { app: "web" }, ports: { "15090": "DISABLE" } }),
      ],
      ports: [8080, 15090],
    },
  ])("$name", ({ objs, ports }) => {
    const s = run([ns, ...objs]);
    expect(workloadOf(s, "shop", "web-1").ports.map((p) => p.port)).toEqual(ports);
  });

  it("a named targetPort on the proxy container still resolves (FindPort reads every container)", () => {
    const objs = [
      ns,
      pod({ containers: [app, istioProxy] }),
      service(
        "shop",
        "web-metrics",
        [{ port: 9000, targetPort: "http-envoy-prom", name: "http-monitoring" }],
        { selector: { app: "web" } },
      ),
    ];
    const s = run(objs);
    expect(predict(objs, null, host("web-metrics", "shop")).endpoints.map((e) => e.targetPort)).toEqual([
      15090,
    ]);
    expect(workloadOf(s, "shop", "web-1").ports.map((x) => x.port)).toEqual([8080, 15090]);
  });
});

// pilot-agent's status port (15020, or status.sidecar.istio.io/port), its health port 15021 and
// Envoy's stats port 15090 are served in plaintext outside every mesh listener: istio-iptables
// `-d 15090,15021,<status port>` (injection-template.yaml) keeps them from a sidecar's capture, and
// on a gateway they are no Gateway listener.
describe("the Istio proxy's own health/metrics ports take plaintext, whatever the policy", () => {
  it("TCP to the gateway chart's Service also lands on its status-port (port ambiguity): that edge is the proxy's own port and no warning", () => {
    const gw = proxyDeploy({ istio: "ingressgateway", "sidecar.istio.io/inject": "false" });
    const chartService = service(
      "edge",
      "front",
      [
        { port: 15021, targetPort: 15021, name: "status-port" },
        { port: 443, targetPort: 8443, name: "https" },
      ],
      { selector: { role: "front" } },
    );
    const s = run(
      [...strictEverywhere, gw, chartService],
      [call("a/web", FRONT, "unknown", 5, { reporter: "source", request_protocol: "tcp" })],
    );
    const status = s.edges.find((e) => e.destination.port === 15021)!;
    expect(status.observed?.portAmbiguous).toBe(true);
    expect(status.predicted.verdict).toBe("plaintext");
    expect(status.predicted.reason).toContain(
      "edge/front port 15021 is the Istio proxy's own health/metrics port, served in plaintext outside its mesh listeners",
    );
    // The one warning is about gw-strict, which selects only the gateway (pa.no-proxy): none about the port.
    expect(s.findings.filter((f) => f.severity !== "info").map((f) => [f.code, f.resources[0]])).toEqual([
      ["pa.no-proxy", paRef("edge", "gw-strict")],
    ]);
  });

  const strictApp = (annotations: Labels = {}) =>
    deploy("edge", "front", { labels: { role: "front" }, annotations, ports: [8080] });
  const metricsService = service(
    "edge",
    "front",
    [
      { port: 15020, targetPort: 15020, name: "http-monitoring" },
      { port: 15030, targetPort: 15030, name: "http-other" },
      { port: 8080, targetPort: 8080, name: "http" },
    ],
    { selector: { role: "front" } },
  );
  const verdictOn = (port: number, annotations?: Labels) =>
    predict([...strictEverywhere, strictApp(annotations), metricsService], null, FRONT, port).predicted
      .verdict;

  it.each([
    {
      name: "a STRICT sidecar's status port 15020, from a client without proxy: plaintext, not broken",
      port: 15020,
      annotations: undefined,
      verdict: "plaintext",
    },
    {
      name: "near miss: its application port 8080 is STRICT: broken",
      port: 8080,
      annotations: undefined,
      verdict: "broken",
    },
    {
      name: "status.sidecar.istio.io/port moves the status port to 15030: plaintext there",
      port: 15030,
      annotations: { "status.sidecar.istio.io/port": "15030" },
      verdict: "plaintext",
    },
    {
      name: "near miss: without that annotation 15030 is captured: broken",
      port: 15030,
      annotations: undefined,
      verdict: "broken",
    },
  ])("$name", ({ port, annotations, verdict }) => {
    expect(verdictOn(port, annotations)).toBe(verdict);
  });
});
