// Linkerd: the ingress injection mode, and linkerd.unauthenticated-default read against the Servers
// and authorizations that take ports out of the default inbound policy (other-meshes.md §1.6-§1.7,
// lib/core/model/linkerdPolicy.ts).
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { deploy, findingsOf, namespace, run, service, workloadOf } from "./kit";

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
    ["an AuthorizationPolicy with only a NetworkAuthentication", [server("grpc", "api", "grpc"), server("prom", "api", "prom"), policy("AuthorizationPolicy", "emoji", "net", { targetRef: { group: "policy.linkerd.io", kind: "Server", name: "prom" }, requiredAuthenticationRefs: [{ kind: "NetworkAuthentication", name: "cluster" }] })], "port 8801"],
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
