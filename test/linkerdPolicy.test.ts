// Linkerd: the ingress injection mode, and linkerd.unauthenticated-default read against the Servers
// and authorizations that take ports out of the default inbound policy (other-meshes.md §1.6-§1.7,
// lib/core/model/linkerdPolicy.ts).
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { deploy, findingsOf, host, namespace, predict, run, service, workloadOf } from "./kit";

const l5d = (name: string, annotations: Record<string, string> = { "linkerd.io/inject": "enabled" }) => namespace(name, {}, annotations);
const policy = (kind: string, ns: string, name: string, spec: Record<string, unknown>, version = kind === "Server" ? "v1beta3" : "v1alpha1"): KubeObject => ({
  apiVersion: `policy.linkerd.io/${version}`,
  kind,
  metadata: { name, namespace: ns, labels: { policy: name } },
  spec,
});
const server = (name: string, app: string, port: number | string, extra: Record<string, unknown> = {}) => policy("Server", "emoji", name, { podSelector: { matchLabels: { app } }, port, ...extra });
const meshAuthz = (name: string, target: string) =>
  policy("AuthorizationPolicy", "emoji", name, { targetRef: { group: "policy.linkerd.io", kind: "Server", name: target }, requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "web" }] });

const meshAuthn = (name: string, ns = "emoji") => policy("MeshTLSAuthentication", ns, name, { identities: ["*"] });
const netAuthn = (name: string, ns = "emoji") => policy("NetworkAuthentication", ns, name, { networks: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }] });
const netAuthz = (name: string, target: string, authn: string, namespace?: string) =>
  policy("AuthorizationPolicy", "emoji", name, {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: target },
    requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: authn, ...(namespace ? { namespace } : {}) }],
  });

// emoji/api: grpc 8080 and a prom port 8801 behind a Service.
const BASE = [l5d("emoji"), deploy("emoji", "api", { ports: [{ port: 8080, name: "grpc" }, { port: 8801, name: "prom" }] }), service("emoji", "api", [{ port: 8080, name: "grpc" }])];
const unauthenticated = (objs: KubeObject[]) => findingsOf(run([...BASE, ...objs]), "linkerd.unauthenticated-default");

describe("linkerd.unauthenticated-default and Servers", () => {
  it.each([
    ["every port has a deny Server with a mesh-identity AuthorizationPolicy", [server("grpc", "api", "grpc"), server("prom", "api", 8801), meshAuthz("a1", "grpc"), meshAuthz("a2", "prom")]],
    ["a Server selecting by matchExpressions, ports by number", [policy("Server", "emoji", "all", { podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["api", "web"] }] }, port: 8080 }), server("prom", "api", "prom", { accessPolicy: "all-authenticated" })]],
    [
      "a probe HTTPRoute on a locked Server authorised for every network (Linkerd's per-route policy): the route is open, the Server stays locked",
      [
        server("grpc", "api", "grpc"),
        server("prom", "api", 8801),
        meshAuthz("a1", "grpc"),
        meshAuthz("a2", "prom"),
        policy("HTTPRoute", "emoji", "probe", { parentRefs: [{ group: "policy.linkerd.io", kind: "Server", name: "grpc" }], rules: [{ matches: [{ path: { value: "/ready" } }] }] }, "v1beta3"),
        policy("NetworkAuthentication", "emoji", "all-networks", { networks: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }] }),
        policy("AuthorizationPolicy", "emoji", "probe-open", { targetRef: { group: "policy.linkerd.io", kind: "HTTPRoute", name: "probe" }, requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "all-networks" }] }),
      ],
    ],
    ["older Server versions (no accessPolicy: deny)", [server("grpc", "api", "grpc", {}), server("prom", "api", "prom")].map((s) => ({ ...s, apiVersion: "policy.linkerd.io/v1beta1" }))],
  ] as [string, KubeObject[]][])("silent: %s", (_name, objs) => {
    expect(unauthenticated(objs)).toEqual([]);
  });

  it.each([
    ["no Server", [], "emoji/api uses"],
    ["a port no Server covers", [server("grpc", "api", "grpc")], "emoji/api (port 8801, which no Server locks) uses"],
    ["a Server whose accessPolicy admits unauthenticated clients", [server("grpc", "api", "grpc"), server("prom", "api", "prom", { accessPolicy: "all-unauthenticated" })], "port 8801"],
    ["an AuthorizationPolicy with only a NetworkAuthentication", [server("grpc", "api", "grpc"), server("prom", "api", "prom"), netAuthn("cluster"), netAuthz("net", "prom", "cluster")], "port 8801"],
    ["a namespace-wide AuthorizationPolicy with no authentication", [server("grpc", "api", "grpc"), server("prom", "api", "prom"), policy("AuthorizationPolicy", "emoji", "open", { targetRef: { kind: "Namespace", name: "emoji" }, requiredAuthenticationRefs: [] })], "ports 8080, 8801"],
    ["a ServerAuthorization for unauthenticated clients, by Server selector", [server("grpc", "api", "grpc"), server("prom", "api", "prom"), policy("ServerAuthorization", "emoji", "sa", { server: { selector: { matchLabels: { policy: "prom" } } }, client: { unauthenticated: true } }, "v1beta1")], "port 8801"],
    ["a Server in another namespace", [{ ...server("grpc", "api", "grpc"), metadata: { name: "grpc", namespace: "other" } }, server("prom", "api", "prom")], "port 8080"],
  ] as [string, KubeObject[], string][])("near miss: fires for %s", (_name, objs, mention) => {
    const fs = unauthenticated(objs);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toContain(mention);
    expect(fs[0]!.resources).toEqual([{ kind: "Namespace", name: "emoji" }]);
  });

  it("silent for Linkerd's own control plane and extensions, and for an ingress-mode proxy", () => {
    const objs = [
      l5d("linkerd"),
      deploy("linkerd", "linkerd-identity", { labels: { "linkerd.io/control-plane-component": "identity" }, ports: [8080] }),
      l5d("linkerd-viz"),
      deploy("linkerd-viz", "metrics-api", { labels: { "linkerd.io/extension": "viz" }, ports: [8085] }),
      l5d("ingress-nginx", { "linkerd.io/inject": "ingress" }),
      deploy("ingress-nginx", "controller", { ports: [80, 443] }),
    ];
    expect(findingsOf(run(objs), "linkerd.unauthenticated-default")).toEqual([]);
  });
});

describe("linkerd.io/inject: ingress meshes the pod (the proxy in ingress mode)", () => {
  it.each([
    ["on the namespace", l5d("ingress-nginx", { "linkerd.io/inject": "ingress" }), {}],
    ["on the pod template", namespace("ingress-nginx"), { "linkerd.io/inject": "ingress" }],
  ])("%s → dataplane linkerd, no namespace.not-injected", (_name, ns, annotations) => {
    const s = run([l5d("emoji"), deploy("emoji", "web"), ns, deploy("ingress-nginx", "controller", { annotations })]);
    expect(workloadOf(s, "ingress-nginx", "controller").dataplane).toBe("linkerd");
    expect(findingsOf(s, "namespace.not-injected")).toEqual([]);
  });

  it("near miss: linkerd.io/inject: disabled on the pod keeps it out", () => {
    const s = run([l5d("ingress-nginx", { "linkerd.io/inject": "ingress" }), deploy("ingress-nginx", "controller", { annotations: { "linkerd.io/inject": "disabled" } })]);
    expect(workloadOf(s, "ingress-nginx", "controller").dataplane).toBe("none");
  });
});

// An AuthorizationPolicy whose required MeshTLSAuthentication or NetworkAuthentication does not exist
// authorises nothing: Linkerd's policy controller fails policy_client_authz ("could not find
// NetworkAuthentication …") and skips the policy (PolicyIndex::client_authzs, "Illegal
// AuthorizationPolicy; ignoring"; linkerd2 policy-controller/k8s/index/src/inbound/index.rs).
describe("an AuthorizationPolicy naming an authentication that does not exist authorises nothing", () => {
  const locked = [server("grpc", "api", "grpc"), meshAuthn("web"), meshAuthz("a1", "grpc"), server("prom", "api", "prom")];

  it.each([
    ["the NetworkAuthentication is missing", [netAuthz("net", "prom", "cluster")]],
    ["the NetworkAuthentication is in another namespace (a ref without namespace names the policy's)", [netAuthn("cluster", "other"), netAuthz("net", "prom", "cluster")]],
    ["the NetworkAuthentication is there but a MeshTLSAuthentication it also requires is not", [netAuthn("cluster"), policy("AuthorizationPolicy", "emoji", "both", { targetRef: { kind: "Server", name: "prom" }, requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "cluster" }, { group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "gone" }] })]],
    ["a namespace-wide policy's NetworkAuthentication is missing", [policy("AuthorizationPolicy", "emoji", "ns-open", { targetRef: { kind: "Namespace", name: "emoji" }, requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "cluster" }] })]],
  ] as [string, KubeObject[]][])("the Server stays locked, silent: %s", (_name, objs) => {
    expect(unauthenticated([...locked, ...objs])).toEqual([]);
  });

  it.each([
    ["the NetworkAuthentication exists", [netAuthn("cluster"), netAuthz("net", "prom", "cluster")]],
    ["the ref names the NetworkAuthentication's namespace", [netAuthn("cluster", "other"), netAuthz("net", "prom", "cluster", "other")]],
  ] as [string, KubeObject[]][])("near miss: fires as before when %s", (name, objs) => {
    const fs = unauthenticated([...locked, ...objs]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message, name).toContain("port 8801");
  });
});

describe("the edge's reason names the AuthorizationPolicy Linkerd ignores, and the missing authentication", () => {
  const client = deploy("emoji", "web");
  const edge = (objs: KubeObject[]) => predict([...BASE, client, server("grpc", "api", "grpc"), ...objs], "emoji/web", host("api", "emoji"), 8080).predicted;

  it.each([
    ["MeshTLSAuthentication", [meshAuthz("a1", "grpc")], "AuthorizationPolicy emoji/a1 on its Server emoji/grpc (port 8080): it requires MeshTLSAuthentication emoji/web, which is not among the inputs, so it authorises no client"],
    ["NetworkAuthentication", [netAuthz("net", "grpc", "cluster")], "AuthorizationPolicy emoji/net on its Server emoji/grpc (port 8080): it requires NetworkAuthentication emoji/cluster, which is not among the inputs"],
  ] as [string, KubeObject[], string][])("missing %s", (_kind, objs, says) => {
    const p = edge(objs);
    expect(p.client.tls).toBe("LINKERD");
    expect(p.reason).toContain(`emoji/api is meshed by Linkerd, but Linkerd ignores ${says}`);
  });

  it.each([
    ["the MeshTLSAuthentication exists", [meshAuthn("web"), meshAuthz("a1", "grpc")]],
    ["the NetworkAuthentication exists", [netAuthn("cluster"), netAuthz("net", "grpc", "cluster")]],
    ["a ServiceAccount ref (Linkerd derives the identity, looks nothing up)", [policy("AuthorizationPolicy", "emoji", "sa", { targetRef: { group: "policy.linkerd.io", kind: "Server", name: "grpc" }, requiredAuthenticationRefs: [{ kind: "ServiceAccount", name: "web" }] })]],
    ["the broken policy targets another Server", [server("prom", "api", "prom"), meshAuthz("a2", "prom")]],
    ["the broken policy targets an HTTPRoute", [policy("AuthorizationPolicy", "emoji", "route", { targetRef: { group: "policy.linkerd.io", kind: "HTTPRoute", name: "probe" }, requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "gone" }] })]],
  ] as [string, KubeObject[]][])("near miss: %s → the reason names no policy", (_name, objs) => {
    const p = edge(objs);
    expect(p.reason).toContain("emoji/api is meshed by Linkerd: Linkerd mTLS.");
    expect(p.reason).not.toContain("AuthorizationPolicy");
  });
});
