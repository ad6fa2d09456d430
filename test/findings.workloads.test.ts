// findings.md "Workloads and namespaces" and input.invalid: each code fires on the case it describes
// (severity, the objects named, a specific message, a fix) and stays silent on the nearly identical
// correct configuration. input.invalid names the object and field, and the rest is still analysed.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type Ref } from "../lib/core/snapshot/schema";
import {
  call,
  deploy,
  depRef,
  destRule,
  findingsOf,
  host,
  injected,
  loaded,
  meshConfig,
  namespace,
  NOW,
  nsRef,
  only,
  peerAuth,
  run,
  service,
  tls,
  workloadOf,
} from "./kit";

const paRef = (ns: string, name: string): Ref => ({ kind: "PeerAuthentication", namespace: ns, name });

/** A live pod (no owner in the inputs): its data plane is what runs, not what injection would do. */
const livePod = (
  ns: string,
  name: string,
  o: { labels?: Record<string, string>; annotations?: Record<string, string>; containers?: string[] } = {},
) => deploy(ns, name, { ...o, kind: "Pod" });

/** The object with spec.template.spec.hostNetwork set, as a node agent's DaemonSet has it. */
const hostNet = (o: KubeObject): KubeObject => {
  const spec = (o as unknown as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
  spec.hostNetwork = true;
  return o;
};

// Some mesh elsewhere, so that "in a cluster that has a mesh" holds.
const meshed = [injected("shop"), deploy("shop", "web"), service("shop", "web", [80])];

describe("workload.no-proxy (warning)", () => {
  it.each([
    { label: "istio-injection=enabled", ns: injected("a") },
    { label: "istio.io/rev=canary", ns: namespace("a", { "istio.io/rev": "canary" }) },
    {
      label: "linkerd.io/inject: enabled (annotation)",
      ns: namespace("a", {}, { "linkerd.io/inject": "enabled" }),
    },
  ])("fires for a live pod without proxy in a namespace with $label", ({ ns }) => {
    const s = run([ns, livePod("a", "legacy")]);
    const f = only(s, "workload.no-proxy");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([{ kind: "Pod", namespace: "a", name: "legacy" }, nsRef("a")]);
    expect(f.message).toContain("Pod a/legacy");
    expect(f.message).toContain("namespace a");
    expect(f.fix).toContain("legacy");
  });

  it.each([
    {
      miss: "the pod opts out by label",
      objs: [injected("a"), livePod("a", "legacy", { labels: { "sidecar.istio.io/inject": "false" } })],
    },
    {
      miss: "the pod opts out by annotation",
      objs: [injected("a"), livePod("a", "legacy", { annotations: { "sidecar.istio.io/inject": "false" } })],
    },
    {
      miss: "the live pod runs istio-proxy",
      objs: [injected("a"), livePod("a", "legacy", { containers: ["app", "istio-proxy"] })],
    },
    {
      miss: "a template (no live pods) in an injected namespace gets the sidecar",
      objs: [injected("a"), deploy("a", "legacy")],
    },
    {
      miss: "the namespace is not labelled for the mesh",
      objs: [...meshed, namespace("a"), livePod("a", "legacy")],
    },
    {
      miss: "an ambient namespace (no sidecar needed)",
      objs: [namespace("a", { "istio.io/dataplane-mode": "ambient" }), livePod("a", "legacy")],
    },
    // The revision webhooks select istio.io/rev only where istio-injection does not exist.
    {
      miss: "istio.io/rev next to istio-injection=disabled",
      objs: [
        namespace("a", { "istio.io/rev": "canary", "istio-injection": "disabled" }),
        livePod("a", "legacy"),
      ],
    },
    // The injector never injects hostNetwork pods (injectRequired), and ambient does not capture them.
    { miss: "a hostNetwork pod", objs: [injected("a"), hostNetwork(livePod("a", "node-agent"))] },
    {
      miss: "a hostNetwork DaemonSet template",
      objs: [injected("a"), hostNetwork(deploy("a", "node-agent", { kind: "DaemonSet" }))],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "workload.no-proxy")).toEqual([]);
  });

  it("a hostNetwork workload has no data plane, even in an injected namespace", () => {
    expect(
      workloadOf(
        run([injected("a"), hostNetwork(deploy("a", "node-agent", { kind: "DaemonSet" }))]),
        "a",
        "node-agent",
      ).dataplane,
    ).toBe("none");
  });

  it.each([
    { kind: "Pod", how: "kubectl delete pod legacy -n a" },
    { kind: "ReplicaSet", how: "delete its pods in a so ReplicaSet legacy recreates them" },
  ])(
    "the fix says how to restart a $kind (rollout restart knows only Deployments, StatefulSets, DaemonSets)",
    ({ kind, how }) => {
      const pod = deploy("a", "legacy-x", { kind: "Pod" });
      if (kind !== "Pod") pod.metadata.ownerReferences = [{ kind, name: "legacy", controller: true }];
      else pod.metadata.name = "legacy";
      const f = only(run([injected("a"), pod]), "workload.no-proxy");
      expect(f.fix).toContain(how);
      expect(f.fix).not.toContain("rollout restart");
    },
  );
});

/** The pod spec (a Pod's, or a controller's template's) with hostNetwork: true. */
function hostNetwork(o: KubeObject): KubeObject {
  const spec = o.spec as { hostNetwork?: boolean; template?: { spec: { hostNetwork?: boolean } } };
  if (spec.template) spec.template.spec.hostNetwork = true;
  else spec.hostNetwork = true;
  return o;
}

describe("workload.tlsmode-without-proxy (error) [9.1]", () => {
  const tlsModeIstio = { "security.istio.io/tlsMode": "istio" };

  it.each([
    {
      case: "a template in a namespace without injection",
      objs: [...meshed, namespace("plain"), deploy("plain", "db", { labels: tlsModeIstio })],
      ref: depRef("plain", "db"),
    },
    {
      case: "a live pod without istio-proxy",
      objs: [injected("a"), livePod("a", "db", { labels: tlsModeIstio })],
      ref: { kind: "Pod", namespace: "a", name: "db" },
    },
  ])("fires for $case", ({ objs, ref }) => {
    const f = only(run(objs), "workload.tlsmode-without-proxy");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([ref]);
    expect(f.message).toContain(`${ref.namespace}/${ref.name}`);
    expect(f.message).toContain("security.istio.io/tlsMode=istio");
    expect(f.fix).toContain("security.istio.io/tlsMode");
  });

  it.each([
    {
      miss: "the same label on an injected workload",
      objs: [injected("a"), deploy("a", "db", { labels: tlsModeIstio })],
    },
    {
      miss: "the same label on a live pod that runs istio-proxy",
      objs: [injected("a"), livePod("a", "db", { labels: tlsModeIstio, containers: ["app", "istio-proxy"] })],
    },
    {
      miss: "tlsMode=disabled on a pod without proxy",
      objs: [
        ...meshed,
        namespace("plain"),
        deploy("plain", "db", { labels: { "security.istio.io/tlsMode": "disabled" } }),
      ],
    },
    {
      miss: "no tlsMode label on a pod without proxy",
      objs: [...meshed, namespace("plain"), deploy("plain", "db")],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "workload.tlsmode-without-proxy")).toEqual([]);
  });
});

describe("workload.capture-excluded-port (warning) [9.5]", () => {
  const web = (
    annotations: Record<string, string> = { "traffic.sidecar.istio.io/excludeInboundPorts": "9090" },
  ) => deploy("a", "web", { ports: [8080, 9090], annotations });

  it.each([
    { scope: "namespace STRICT", pa: peerAuth("a", "default", "STRICT"), ref: paRef("a", "default") },
    {
      scope: "mesh STRICT",
      pa: peerAuth("istio-system", "default", "STRICT"),
      ref: paRef("istio-system", "default"),
    },
    {
      scope: "workload STRICT",
      pa: peerAuth("a", "web", "STRICT", { selector: { app: "web" } }),
      ref: paRef("a", "web"),
    },
  ])("fires for an excluded port on a sidecar workload under $scope", ({ pa, ref }) => {
    const f = only(run([injected("a"), web(), pa]), "workload.capture-excluded-port");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([depRef("a", "web"), ref]);
    expect(f.message).toContain("a/web");
    expect(f.message).toContain("port 9090");
    expect(f.message).not.toContain("8080");
    expect(f.message).toContain("STRICT");
    expect(f.fix).toContain("9090");
  });

  it("names every excluded STRICT port", () => {
    const f = only(
      run([
        injected("a"),
        web({ "traffic.sidecar.istio.io/excludeInboundPorts": "8080, 9090" }),
        peerAuth("a", "default", "STRICT"),
      ]),
      "workload.capture-excluded-port",
    );
    expect(f.message).toContain("ports 8080, 9090");
  });

  it("the excluded port makes an auto-mTLS call to it break (the edge sees no proxy there)", () => {
    const h = host("web", "a");
    const s = run(
      [
        injected("a"),
        web(),
        service("a", "web", [{ port: 90, targetPort: 9090 }]),
        deploy("a", "client"),
        peerAuth("a", "default", "STRICT"),
      ],
      [call("a/client", h, "unknown", 1, { reporter: "source" })],
    );
    expect(only(s, "workload.capture-excluded-port").message).toContain(
      "mesh clients calling Service a/web port 90 → 9090 send mTLS the application cannot terminate",
    );
    const id = `a/client->${h}:90`;
    expect(s.edges.find((e) => e.id === id)!.predicted.verdict).toBe("broken");
    expect(
      s.findings
        .filter((f) => f.edge === id && f.code.startsWith("edge.") && f.severity === "error")
        .map((f) => f.code),
    ).toEqual(["edge.mtls-to-no-proxy"]);
  });

  // A metrics port excluded for a scraper outside the mesh: no Service targets it, so no mesh client
  // sends it mTLS (they reach it by pod IP, in plaintext); only the plaintext door is real.
  it("a port no Service targets: says it accepts plaintext, claims no failing mTLS clients", () => {
    const s = run([
      injected("a"),
      web(),
      service("a", "web", [{ port: 80, targetPort: 8080 }]),
      peerAuth("a", "default", "STRICT"),
    ]);
    const f = only(s, "workload.capture-excluded-port");
    expect(f.message).toBe(
      "Deployment a/web excludes port 9090 from inbound capture (traffic.sidecar.istio.io/excludeInboundPorts) although its policy is STRICT: that port accepts plaintext from anyone, bypassing the sidecar.",
    );
  });

  it("fires for a Linkerd skip port on a meshed workload (Linkerd skip ports bypass the proxy)", () => {
    const s = run([
      namespace("l", {}, { "linkerd.io/inject": "enabled" }),
      deploy("l", "api", {
        ports: [8080, 4567],
        annotations: { "config.linkerd.io/skip-inbound-ports": "4567" },
      }),
    ]);
    expect(workloadOf(s, "l", "api").dataplane).toBe("linkerd");
    const f = only(s, "workload.capture-excluded-port");
    expect(f.severity).toBe("warning");
    expect(f.resources[0]).toEqual(depRef("l", "api"));
    expect(f.message).toContain("l/api");
    expect(f.message).toContain("4567");
  });

  it.each([
    { miss: "PERMISSIVE policy (plaintext is accepted anyway)", objs: [injected("a"), web()] },
    {
      miss: "the excluded port is DISABLE by portLevelMtls",
      objs: [
        injected("a"),
        web(),
        peerAuth("a", "web", "STRICT", { selector: { app: "web" }, ports: { "9090": "DISABLE" } }),
      ],
    },
    {
      miss: "STRICT without any excluded port",
      objs: [injected("a"), web({}), peerAuth("a", "default", "STRICT")],
    },
    {
      miss: "the annotation on a workload without proxy",
      objs: [
        ...meshed,
        namespace("plain"),
        deploy("plain", "web", { annotations: { "traffic.sidecar.istio.io/excludeInboundPorts": "9090" } }),
        peerAuth("istio-system", "default", "STRICT"),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "workload.capture-excluded-port")).toEqual([]);
  });
});

describe("namespace.not-injected (info)", () => {
  it.each([
    {
      case: "a declared namespace without labels",
      objs: [namespace("legacy"), deploy("legacy", "app"), deploy("legacy", "cron")],
      names: ["legacy/app", "legacy/cron"],
    },
    {
      case: "a namespace only implied by its workloads",
      objs: [deploy("legacy", "app")],
      names: ["legacy/app"],
    },
    {
      case: "a namespace where one workload of two is injected by its pod label",
      objs: [
        namespace("legacy"),
        deploy("legacy", "app"),
        deploy("legacy", "meshed", { labels: { "sidecar.istio.io/inject": "true" } }),
      ],
      names: ["legacy/app"],
    },
  ])("fires for $case, in a cluster that has a mesh", ({ objs, names }) => {
    const f = only(run([...meshed, ...objs]), "namespace.not-injected");
    expect(f.severity).toBe("info");
    expect(f.resources).toEqual([nsRef("legacy")]);
    expect(f.message).toContain("Namespace legacy");
    for (const n of names) expect(f.message).toContain(n);
    expect(f.message).not.toContain("legacy/meshed");
    expect(f.fix).toContain("legacy");
    // Nothing in the inputs shows them calling the mesh: the failure is conditional (reviews/fp.md N1).
    expect(f.message).toContain("would be plaintext, refused by STRICT servers, if they call into the mesh");
    expect(f.fix).toContain("istio-injection=enabled");
  });

  const strictShop = [
    ...meshed,
    peerAuth("shop", "default", "STRICT"),
    namespace("legacy"),
    deploy("legacy", "app"),
  ];
  it("names the STRICT servers the namespace's workloads are seen calling, which refuse them", () => {
    const f = only(
      run(strictShop, [call("legacy/app", host("web", "shop"), "none")]),
      "namespace.not-injected",
    );
    expect(f.severity).toBe("info");
    expect(f.message).toContain(
      "their traffic is plaintext, and STRICT servers refuse it: calls to Service shop/web:80 fail",
    );
    expect(f.message).not.toContain("if they call");
  });

  it("says a PERMISSIVE server it is seen calling accepts its plaintext only while PERMISSIVE", () => {
    const objs = [...meshed, namespace("legacy"), deploy("legacy", "app")];
    const f = only(run(objs, [call("legacy/app", host("web", "shop"), "none")]), "namespace.not-injected");
    expect(f.message).toContain(
      "their traffic is plaintext, which Service shop/web:80 accepts only while PERMISSIVE and STRICT servers refuse.",
    );
  });

  it("near miss: a STRICT server called from another namespace's workload leaves the wording conditional", () => {
    const s = run([...strictShop, deploy("other", "x")], [call("other/x", host("web", "shop"), "none")]);
    const f = findingsOf(s, "namespace.not-injected").find((x) => x.resources[0]?.name === "legacy")!;
    expect(f.message).toContain("if they call into the mesh");
    expect(f.message).not.toContain("refuse it");
    const other = findingsOf(s, "namespace.not-injected").find((x) => x.resources[0]?.name === "other")!;
    expect(other.message).toContain("calls to Service shop/web:80 fail");
  });

  it.each<{ case: string; labels: Record<string, string>; name: string }>([
    {
      case: "cert-manager (by its chart's app.kubernetes.io/name)",
      labels: { "app.kubernetes.io/name": "cert-manager" },
      name: "controller",
    },
    {
      case: "cert-manager's webhook (by its release, app.kubernetes.io/instance)",
      labels: { "app.kubernetes.io/instance": "cert-manager" },
      name: "webhook",
    },
    { case: "istio-csr (by its name)", labels: {}, name: "cert-manager-istio-csr" },
  ])(
    "advises istio-injection=disabled, not injection, for a namespace running $case, the mesh's CA",
    ({ labels, name }) => {
      const f = only(
        run([...meshed, namespace("certs"), deploy("certs", name, { labels })]),
        "namespace.not-injected",
      );
      expect(f.fix).toContain("kubectl label namespace certs istio-injection=disabled");
      expect(f.fix).not.toContain("istio-injection=enabled");
      expect(f.fix).toContain(`certs/${name}`);
    },
  );

  it.each<{ case: string; name: string; labels: Record<string, string>; kind?: string }>([
    { case: "the SPIRE server (by its name)", name: "spire-server", labels: {}, kind: "StatefulSet" },
    {
      case: "the SPIRE server (by its release, app.kubernetes.io/name)",
      name: "server",
      labels: { "app.kubernetes.io/name": "spire-server" },
      kind: "StatefulSet",
    },
    { case: "a SPIRE agent that is not hostNetwork", name: "spire-agent", labels: {}, kind: "DaemonSet" },
  ])(
    "advises istio-injection=disabled for a namespace running $case, the mesh's CA (reviews/fp2.md #3)",
    ({ name, labels, kind }) => {
      const f = only(
        run([...meshed, namespace("spire"), deploy("spire", name, { labels, kind })]),
        "namespace.not-injected",
      );
      expect(f.fix).toContain("kubectl label namespace spire istio-injection=disabled");
      expect(f.fix).toContain(`spire/${name}`);
    },
  );

  // reviews/fp2rev.md #8: the agent's namespace is the CA's even when the agent runs on the host network,
  // and the SPIFFE CSI driver that mounts its socket into every sidecar is a CA piece too.
  it.each([
    {
      case: "the SPIFFE CSI driver beside a hostNetwork spire-agent",
      objs: [
        hostNet(deploy("spire", "spire-agent", { kind: "DaemonSet" })),
        deploy("spire", "spiffe-csi-driver", { kind: "DaemonSet" }),
      ],
      named: ["spire/spiffe-csi-driver", "spire/spire-agent"],
    },
    {
      case: "an app beside a hostNetwork spire-agent",
      objs: [hostNet(deploy("spire", "spire-agent", { kind: "DaemonSet" })), deploy("spire", "helper")],
      named: ["spire/spire-agent"],
    },
    {
      case: "the SPIFFE CSI driver alone",
      objs: [deploy("spire", "spiffe-csi-driver", { kind: "DaemonSet" })],
      named: ["spire/spiffe-csi-driver"],
    },
    {
      case: "SPIRE's OIDC discovery provider",
      objs: [deploy("spire", "spiffe-oidc-discovery-provider")],
      named: ["spire/spiffe-oidc-discovery-provider"],
    },
  ])("advises istio-injection=disabled for $case (reviews/fp2rev.md #8)", ({ objs, named }) => {
    const f = only(run([...meshed, namespace("spire"), ...objs]), "namespace.not-injected");
    expect(f.fix).toContain("kubectl label namespace spire istio-injection=disabled");
    for (const n of named) expect(f.fix).toContain(n);
    // hostNetwork workloads stay out of the list of those running without a data plane.
    expect(f.message).not.toContain("spire/spire-agent");
  });

  it("near miss: a hostNetwork spire-agent alone still gives no finding (nothing to label for)", () => {
    const objs = [
      ...meshed,
      namespace("spire"),
      hostNet(deploy("spire", "spire-agent", { kind: "DaemonSet" })),
    ];
    expect(findingsOf(run(objs), "namespace.not-injected")).toEqual([]);
  });

  it("near miss: a workload merely named like SPIRE's ('spire-serverless') keeps the injection advice", () => {
    const f = only(
      run([...meshed, namespace("ops"), deploy("ops", "spireserverless")]),
      "namespace.not-injected",
    );
    expect(f.fix).toContain("istio-injection=enabled");
  });

  it("ignores hostNetwork workloads, which Istio never injects (reviews/fp2.md #3)", () => {
    const objs = [
      ...meshed,
      namespace("monitoring"),
      hostNet(deploy("monitoring", "node-exporter", { kind: "DaemonSet" })),
    ];
    expect(findingsOf(run(objs), "namespace.not-injected")).toEqual([]);
  });

  it("near miss: a hostNetwork DaemonSet next to an ordinary workload leaves the finding, naming only the latter", () => {
    const objs = [
      ...meshed,
      namespace("monitoring"),
      hostNet(deploy("monitoring", "node-exporter", { kind: "DaemonSet" })),
      deploy("monitoring", "grafana"),
    ];
    const f = only(run(objs), "namespace.not-injected");
    expect(f.message).toContain("monitoring/grafana runs without a data plane");
    expect(f.message).not.toContain("node-exporter");
  });

  it("near miss: an app whose name merely contains 'manager' keeps the injection advice", () => {
    const f = only(
      run([...meshed, namespace("ops"), deploy("ops", "release-manager")]),
      "namespace.not-injected",
    );
    expect(f.fix).toContain("istio-injection=enabled");
  });

  it.each([
    { miss: "istio-injection=enabled", ns: namespace("legacy", { "istio-injection": "enabled" }) },
    { miss: "istio.io/rev=canary", ns: namespace("legacy", { "istio.io/rev": "canary" }) },
    {
      miss: "istio.io/dataplane-mode=ambient",
      ns: namespace("legacy", { "istio.io/dataplane-mode": "ambient" }),
    },
    {
      miss: "istio-injection=disabled (a deliberate opt-out)",
      ns: namespace("legacy", { "istio-injection": "disabled" }),
    },
    { miss: "linkerd.io/inject: enabled", ns: namespace("legacy", {}, { "linkerd.io/inject": "enabled" }) },
  ])("silent for a namespace labelled $miss", ({ ns }) => {
    expect(findingsOf(run([...meshed, ns, deploy("legacy", "app")]), "namespace.not-injected")).toEqual([]);
  });

  it.each([
    {
      miss: "no mesh in the cluster at all",
      objs: [namespace("legacy"), deploy("legacy", "app"), service("legacy", "app", [80])],
    },
    {
      miss: "every workload of the unlabelled namespace is injected by its pod label",
      objs: [
        ...meshed,
        namespace("legacy"),
        deploy("legacy", "app", { labels: { "sidecar.istio.io/inject": "true" } }),
      ],
    },
    {
      miss: "the control-plane namespace",
      objs: [...meshed, namespace("istio-system"), deploy("istio-system", "istiod")],
    },
    { miss: "kube-system", objs: [...meshed, namespace("kube-system"), deploy("kube-system", "coredns")] },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "namespace.not-injected")).toEqual([]);
  });
});

describe("input.invalid (error)", () => {
  const good: KubeObject[] = [
    injected("foo"),
    deploy("foo", "web", { ports: [8080] }),
    service("foo", "web", [{ port: 80, targetPort: 8080 }]),
  ];
  const raw = (kind: string, apiVersion: string, ns: string, name: string, spec: unknown): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace: ns },
    spec,
  });
  const PA_API = "security.istio.io/v1";
  const DR_API = "networking.istio.io/v1";

  it.each([
    {
      case: "a PeerAuthentication with mtls.mode STRICTT",
      bad: peerAuth("foo", "bad", "STRICTT"),
      ref: paRef("foo", "bad"),
      field: "spec.mtls.mode",
      reason: "STRICTT",
    },
    {
      case: "a PeerAuthentication with a portLevelMtls key that is not a port",
      bad: raw("PeerAuthentication", PA_API, "foo", "bad", {
        selector: { matchLabels: { app: "web" } },
        portLevelMtls: { http: { mode: "DISABLE" } },
      }),
      ref: paRef("foo", "bad"),
      field: "spec.portLevelMtls.http",
      reason: "1..65535",
    },
    {
      case: "a PeerAuthentication with an unknown port-level mode",
      bad: peerAuth("foo", "bad", "STRICT", { selector: { app: "web" }, ports: { "8080": "OFF" } }),
      ref: paRef("foo", "bad"),
      field: "spec.portLevelMtls.8080.mode",
      reason: "OFF",
    },
    {
      case: "a DestinationRule without host",
      bad: raw("DestinationRule", DR_API, "foo", "bad", { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }),
      ref: { kind: "DestinationRule", namespace: "foo", name: "bad" },
      field: "spec.host",
      reason: "required",
    },
    {
      case: "a DestinationRule with tls.mode ISTIO_MUTUALL",
      bad: destRule("foo", "bad", host("web", "foo"), tls("ISTIO_MUTUALL")),
      ref: { kind: "DestinationRule", namespace: "foo", name: "bad" },
      field: "spec.trafficPolicy.tls.mode",
      reason: "ISTIO_MUTUALL",
    },
    {
      case: "a DestinationRule with port-level port.number 0",
      bad: destRule("foo", "bad", host("web", "foo"), {
        trafficPolicy: { portLevelSettings: [{ port: { number: 0 }, tls: { mode: "ISTIO_MUTUAL" } }] },
      }),
      ref: { kind: "DestinationRule", namespace: "foo", name: "bad" },
      field: "spec.trafficPolicy.portLevelSettings[0].port.number",
      reason: "1..65535",
    },
    {
      case: "a Service whose port is not a number",
      bad: raw("Service", "v1", "foo", "bad", {
        selector: { app: "web" },
        ports: [{ name: "http", port: "eighty" }],
      }),
      ref: { kind: "Service", namespace: "foo", name: "bad" },
      field: "spec.ports[0].port",
      reason: "not a port number",
    },
    {
      case: "a mesh ConfigMap whose mesh text does not parse",
      bad: meshConfig("rootNamespace: [unclosed\n"),
      ref: { kind: "ConfigMap", namespace: "istio-system", name: "istio" },
      field: "data.mesh",
      reason: "does not parse",
    },
  ])("fires for $case: names the object, the field, the file and line", ({ bad, ref, field, reason }) => {
    const objs = [...good, bad];
    const s = run(objs);
    const f = only(s, "input.invalid");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([ref]);
    expect(f.message).toContain(`test.yaml:${objs.length}`); // the kit numbers documents 1..n
    expect(f.message).toContain(field);
    expect(f.message).toContain(reason);
    expect(f.message).toContain(`${ref.kind} ${ref.namespace}/${ref.name}`);
    expect(f.fix).toContain(field);
    // The rest is still analysed.
    expect(workloadOf(s, "foo", "web").dataplane).toBe("sidecar");
    expect(s.services.map((x) => x.name)).toContain("web");
    expect(findingsOf(s, "mesh.no-strict")).toHaveLength(1);
  });

  it("the invalid PeerAuthentication is left out, the valid one next to it applies", () => {
    const s = run([
      ...good,
      peerAuth("foo", "default", "STRICT"),
      peerAuth("foo", "web", "STRICTT", { selector: { app: "web" } }),
    ]);
    expect(only(s, "input.invalid").resources).toEqual([paRef("foo", "web")]);
    expect(workloadOf(s, "foo", "web").mtls).toMatchObject({
      mode: "STRICT",
      origin: "namespace",
      policy: paRef("foo", "default"),
    });
    // Not also reported as if it were a real policy (e.g. a conflict or a selector issue).
    expect(
      s.findings.filter(
        (f) =>
          f.code.startsWith("pa.") &&
          f.resources.some((r) => r.name === "web" && r.kind === "PeerAuthentication"),
      ),
    ).toEqual([]);
  });

  it("the invalid DestinationRule is left out, the valid one for the same host applies", () => {
    const objs = [
      ...good,
      deploy("foo", "client"),
      destRule("foo", "bad", host("web", "foo"), tls("DISABLED")),
      destRule("foo", "good", host("web", "foo"), tls("ISTIO_MUTUAL")),
    ];
    const s = run(objs);
    expect(only(s, "input.invalid").resources).toEqual([
      { kind: "DestinationRule", namespace: "foo", name: "bad" },
    ]);
    expect(findingsOf(s, "dr.duplicate-host")).toEqual([]);
  });

  it("a file that does not parse is named with its line, as a File; the other inputs are analysed", () => {
    const snap = analyze(
      {
        objects: loaded(good),
        configDumps: [],
        problems: [{ file: "broken.yaml", line: 7, message: "bad indentation of a mapping entry" }],
      },
      { now: NOW, source: { type: "manifests" } },
    );
    expect(MeshSnapshotSchema.safeParse(snap).success).toBe(true);
    const f = only(snap, "input.invalid");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([{ kind: "File", name: "broken.yaml" }]);
    expect(f.message).toBe("broken.yaml:7: bad indentation of a mapping entry");
    expect(f.fix).toContain("broken.yaml:7");
    expect(snap.workloads.map((w) => `${w.namespace}/${w.name}`)).toEqual(["foo/web"]);
  });

  it.each([
    { miss: "mtls: {} (UNSET inherits)", obj: raw("PeerAuthentication", PA_API, "foo", "ok", { mtls: {} }) },
    {
      miss: "a PeerAuthentication without spec",
      obj: raw("PeerAuthentication", PA_API, "foo", "ok", undefined),
    },
    {
      miss: "a portLevelMtls entry {} (UNSET)",
      obj: peerAuth("foo", "ok", "STRICT", { selector: { app: "web" }, ports: { "8080": null } }),
    },
    {
      miss: "a DestinationRule tls block without mode (valid: it means DISABLE)",
      obj: destRule("foo", "ok", host("web", "foo"), tls(null, { sni: "web" })),
    },
    {
      miss: "a Service with a named targetPort",
      obj: service("foo", "named", [{ port: 80, targetPort: "http" }], { selector: { app: "web" } }),
    },
    { miss: "a valid mesh ConfigMap", obj: meshConfig("enableAutoMtls: true\ntrustDomain: example.org\n") },
  ])("silent: $miss", ({ obj }) => {
    expect(findingsOf(run([...good, obj]), "input.invalid")).toEqual([]);
  });
});

describe("ztunnel is the node proxy, not a sidecar workload", () => {
  it("its istio-proxy container does not make it (or istio-system) a sidecar data plane", () => {
    const ztunnel = deploy("istio-system", "ztunnel", {
      kind: "DaemonSet",
      containers: ["istio-proxy"],
      labels: { "sidecar.istio.io/inject": "false" },
    });
    const s = run([
      ...meshed,
      namespace("istio-system"),
      meshConfig("{}"),
      ztunnel,
      peerAuth("istio-system", "default", "PERMISSIVE"),
    ]);
    const w = workloadOf(s, "istio-system", "ztunnel");
    expect(w.dataplane).toBe("none");
    expect(w.mtls.mode).toBe("NONE");
    expect(s.namespaces.find((n) => n.name === "istio-system")!.dataplane).toBe("none");
    // The same DaemonSet under another name is a sidecar workload: the rule is about ztunnel only.
    const other = run([
      ...meshed,
      namespace("istio-system"),
      deploy("istio-system", "agent", { kind: "DaemonSet", containers: ["istio-proxy"] }),
    ]);
    expect(workloadOf(other, "istio-system", "agent").dataplane).toBe("sidecar");
  });
});
