// What linkerd-init lets past the proxy (reviews/round4.md #1-#4): a caller in a skipped subnet, or a
// port linkerd-init skips, reaches the application without the proxy, so a decision by the caller's
// address never refuses it; where those settings, the Servers, or the default policy cannot be told,
// the caller-address decision is left out (never broken). docs/DECISIONS.md, "Linkerd: linkerd-init's
// skipped subnets and ports come before a caller-address decision".
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { call, deploy, namespace, predict, run, service } from "./kit";

const L5D = "emojivoto";
const POLICY = "config.linkerd.io/default-inbound-policy";
const SUBNETS = "config.linkerd.io/skip-subnets";
const H = `web.${L5D}.svc.cluster.local`;

/** A running pod of Deployment `ns/name` with these addresses; `spec` merged into its spec. */
function pod(ns: string, name: string, ips: string[], spec: Record<string, unknown> = {}, suffix = "a"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `${name}-7d4b9c8f6-${suffix}`, namespace: ns, labels: { app: name, "pod-template-hash": "7d4b9c8f6" }, ownerReferences: [{ kind: "ReplicaSet", name: `${name}-7d4b9c8f6`, controller: true }] },
    spec: { serviceAccountName: name, containers: [{ name: "app", image: "x:1", ports: [{ containerPort: 8080 }] }], ...spec },
    status: { phase: "Running", podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
  };
}
const config = (values: string, ns = "linkerd"): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "linkerd-config", namespace: ns }, data: { values } });
const CN = "clusterNetworks: 10.42.0.0/16\n";
const CFG = config(`${CN}proxyInit:\n  ignoreInboundPorts: "4567,4568"\n  skipSubnets: ""\n`);
const l5dPolicy = (kind: string, name: string, spec: Record<string, unknown>, version = kind === "Server" ? "v1beta3" : "v1alpha1"): KubeObject => ({
  apiVersion: `policy.linkerd.io/${version}`,
  kind,
  metadata: { name, namespace: L5D },
  spec,
});

interface Setup {
  nsAnn?: Record<string, string>;
  webAnn?: Record<string, string>;
  targetPort?: number;
  configs?: KubeObject[];
  callerIps?: string[][];
  extra?: KubeObject[];
  /** No default-inbound-policy on the namespace: the cluster default (linkerd-config) decides. */
  clusterDefault?: true;
}
/** web meshed by Linkerd under cluster-unauthenticated (namespace annotation unless nsAnn says otherwise), an unmeshed caller legacy/client at 10.99.0.5, clusterNetworks 10.42.0.0/16. */
function objs(s: Setup = {}): KubeObject[] {
  const port = s.targetPort ?? 8080;
  return [
    namespace(L5D, {}, { "linkerd.io/inject": "enabled", ...(s.clusterDefault ? {} : { [POLICY]: "cluster-unauthenticated" }), ...s.nsAnn }),
    namespace("legacy"),
    deploy(L5D, "web", { ports: [port], annotations: s.webAnn ?? {} } as never),
    deploy("legacy", "client"),
    service(L5D, "web", [{ port: 80, targetPort: port, name: "http" }]),
    ...(s.callerIps ?? [["10.99.0.5"]]).map((ips, i) => pod("legacy", "client", ips, {}, String.fromCharCode(97 + i))),
    ...(s.configs ?? [CFG]),
    ...(s.extra ?? []),
  ];
}
const verdict = (o: KubeObject[], unread: { kind: string; namespace?: string; reason: string }[] = []) => predict(o, "legacy/client", H, undefined, unread, true).predicted;

/** A live web pod whose linkerd-init carries these args (the injector copied the namespace's default-inbound-policy onto it). */
const webPod = (initArgs: string[]) => {
  const p = pod(L5D, "web", ["10.42.1.1"], {
    initContainers: [{ name: "linkerd-init", image: "cr.l5d.io/linkerd/proxy-init:v2.4.1", args: ["--incoming-proxy-port", "4143", "--proxy-uid", "2102", ...initArgs] }],
    containers: [
      { name: "app", image: "x:1", ports: [{ containerPort: 8080 }] },
      { name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:edge", env: [{ name: "LINKERD2_PROXY_POLICY_SVC_ADDR", value: "linkerd-policy.linkerd.svc.cluster.local.:8090" }] },
    ],
  });
  return { ...p, metadata: { ...p.metadata, annotations: { [POLICY]: "cluster-unauthenticated" } } };
};

const NA = (cidr: string) => [
  l5dPolicy("Server", "web-http", { podSelector: { matchLabels: { app: "web" } }, port: 8080, proxyProtocol: "HTTP/1" }),
  l5dPolicy("NetworkAuthentication", "nets", { networks: [{ cidr }] }),
  l5dPolicy("AuthorizationPolicy", "web-from-nets", {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: "web-http" },
    requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "nets" }],
  }),
];
const clusterServer = l5dPolicy("Server", "web-http", { podSelector: { matchLabels: { app: "web" } }, port: 8080, proxyProtocol: "HTTP/1", accessPolicy: "cluster-unauthenticated" });

describe("#1 a caller in a subnet linkerd-init skips bypasses the proxy: plaintext, never broken", () => {
  it.each([
    ["namespace annotation skip-subnets", { nsAnn: { [SUBNETS]: "10.99.0.0/16" } }],
    ["workload template annotation skip-subnets", { webAnn: { [SUBNETS]: "10.99.0.0/16" } }],
    ["linkerd-config proxyInit.skipSubnets", { configs: [config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`)] }],
    ["a live pod's linkerd-init --subnets-to-ignore", { extra: [webPod(["--inbound-ports-to-ignore", "4190,4191", "--subnets-to-ignore", "10.99.0.0/16"])] }],
    ["a live pod's linkerd-init --subnets-to-ignore=…", { extra: [webPod(["--subnets-to-ignore=10.1.0.0/16,10.99.0.0/16"])] }],
    ["a Server with accessPolicy cluster-unauthenticated", { nsAnn: { [SUBNETS]: "10.99.0.0/16" }, extra: [clusterServer] }],
    ["a Server opened by a NetworkAuthentication the caller is outside", { nsAnn: { [SUBNETS]: "10.99.0.0/16" }, extra: NA("192.0.2.0/24") }],
  ] as [string, Setup][])("%s", (_what, s) => {
    const p = verdict(objs(s));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain("the caller's pods (10.99.0.5) are in the subnets linkerd-init skips, ");
    expect(p.reason).toContain("bypass the Linkerd proxy");
  });

  it("with traffic: a warning, not the error edge.plaintext-to-strict", () => {
    const s = run(objs({ nsAnn: { [SUBNETS]: "10.99.0.0/16" } }), [call("legacy/client", H, "unknown", 10, { reporter: "destination" })]);
    expect(s.findings.map((f) => f.code)).not.toContain("edge.plaintext-to-strict");
    expect(s.findings.map((f) => f.code)).toContain("edge.plaintext");
  });

  it.each([
    ["skip-subnets that do not parse", { nsAnn: { [SUBNETS]: "10.99.0.0" } }],
    ["skip-subnets with a word", { webAnn: { [SUBNETS]: "10.98.0.0/16,bogus" } }],
    ["proxyInit.skipSubnets not a string", { configs: [config(`${CN}proxyInit:\n  skipSubnets: [10.99.0.0/16]\n`)] }],
    ["two linkerd-configs whose skipSubnets differ", { configs: [CFG, config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`, "aaa")] }],
    ["no linkerd-config and no annotation (linkerd-init's settings unknown), a NetworkAuthentication leaving the caller out", { configs: [], extra: NA("192.0.2.0/24") }],
    ["the caller's pods partly inside the skipped subnet", { nsAnn: { [SUBNETS]: "10.99.0.0/24" }, callerIps: [["10.99.0.5"], ["10.99.1.5"]] }],
    ["two live pods whose linkerd-init args differ", { extra: [webPod(["--subnets-to-ignore", "10.98.0.0/16"]), { ...webPod([]), metadata: { ...webPod([]).metadata, name: "web-7d4b9c8f6-b" } }] }],
  ] as [string, Setup][])("unknown, never broken: %s", (_what, s) => {
    expect(verdict(objs(s)).verdict).not.toBe("broken");
  });

  it.each([
    ["a skipped subnet that leaves the caller out", { nsAnn: { [SUBNETS]: "10.98.0.0/16" } }],
    ["linkerd-config skipSubnets empty", {}],
    ["linkerd-config without proxyInit (chart default: none)", { configs: [config(CN)] }],
    ["the pod annotation (empty) replaces linkerd-config's skipSubnets", { webAnn: { [SUBNETS]: "" }, configs: [config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`)] }],
    ["a live pod's linkerd-init without --subnets-to-ignore (over linkerd-config's)", { configs: [config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`)], extra: [webPod(["--inbound-ports-to-ignore", "4190,4191"])] }],
    ["a Server with accessPolicy cluster-unauthenticated, subnet elsewhere", { nsAnn: { [SUBNETS]: "10.98.0.0/16" }, extra: [clusterServer] }],
  ] as [string, Setup][])("near miss, still broken: %s", (_what, s) => {
    const p = verdict(objs(s));
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain("which leave out the caller's pods (10.99.0.5)");
  });
});

describe("#2 a port linkerd-init skips bypasses the proxy: plaintext, never broken", () => {
  it.each([
    ["the chart default ignoreInboundPorts 4567 (linkerd-config without proxyInit)", { targetPort: 4567, configs: [config(CN)] }],
    ["linkerd-config ignoreInboundPorts 4568", { targetPort: 4568 }],
    ["linkerd-config ignoreInboundPorts, a range", { targetPort: 9001, configs: [config(`${CN}proxyInit:\n  ignoreInboundPorts: "9000-9002"\n`)] }],
    ["a live pod's linkerd-init --inbound-ports-to-ignore", { extra: [webPod(["--inbound-ports-to-ignore", "4190,4191,4567,4568,8080"])] }],
  ] as [string, Setup][])("%s", (_what, s) => {
    const p = verdict(objs(s));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toMatch(/its port \d+ is one linkerd-init skips \(.*\), so connections to it bypass the Linkerd proxy/);
  });

  it.each([
    ["port 8080, not among linkerd-config's ignoreInboundPorts", {}],
    ["a skip-inbound-ports annotation replaces the chart's 4567,4568 (GetOverriddenValues)", { targetPort: 4567, nsAnn: { "config.linkerd.io/skip-inbound-ports": "9090" } }],
    ["a live pod's linkerd-init without 8080 (over linkerd-config's)", { configs: [config(`${CN}proxyInit:\n  ignoreInboundPorts: "8080"\n`)], extra: [webPod(["--inbound-ports-to-ignore", "4190,4191,4567,4568"])] }],
  ] as [string, Setup][])("near miss, still broken: %s", (_what, s) => {
    expect(verdict(objs(s)).verdict).toBe("broken");
  });

  it("linkerd-configs that disagree on ignoreInboundPorts: unknown, never broken", () => {
    expect(verdict(objs({ configs: [CFG, config(`${CN}proxyInit:\n  ignoreInboundPorts: "8080"\n`, "aaa")] })).verdict).not.toBe("broken");
  });
});

describe("#3 several linkerd-configs: the default policy decides a caller only when they agree, whatever the input order", () => {
  const a = (ns = "linkerd") => config(`${CN}proxy:\n  defaultInboundPolicy: cluster-unauthenticated\n`, ns);
  const b = (ns = "linkerd") => config(`${CN}proxy:\n  defaultInboundPolicy: all-unauthenticated\n`, ns);
  // No skipped subnet or port (the empty annotations), so only the default policy is in question.
  const base = (configs: KubeObject[]) => objs({ clusterDefault: true, nsAnn: { [SUBNETS]: "", "config.linkerd.io/skip-inbound-ports": "" }, configs });
  const traffic = [call("legacy/client", H, "unknown", 10, { reporter: "destination" })];

  it.each([
    ["one namespace", [a(), b()]],
    ["two namespaces", [a("linkerd"), b("aaa-linkerd")]],
    ["two namespaces, swapped", [a("aaa-linkerd"), b("linkerd")]],
  ] as [string, KubeObject[]][])("%s: never broken, and reversed input gives the same bytes", (_what, configs) => {
    const forward = base(configs);
    const reversed = [...forward].reverse();
    expect(verdict(forward).verdict).not.toBe("broken");
    expect(JSON.stringify(predict(forward, "legacy/client", H).predicted)).toBe(JSON.stringify(predict(reversed, "legacy/client", H).predicted));
    const one = run(forward, traffic);
    const two = run(reversed, traffic);
    expect(JSON.stringify({ e: one.edges, f: one.findings })).toBe(JSON.stringify({ e: two.edges, f: two.findings }));
    expect(one.findings.map((f) => f.code)).not.toContain("edge.plaintext-to-strict");
  });

  it("near miss: configs that agree on cluster-unauthenticated still decide (broken)", () => {
    expect(verdict(base([a(), a("aaa-linkerd")])).verdict).toBe("broken");
  });
  it("near miss: the namespace's own annotation decides over disagreeing configs (broken)", () => {
    expect(verdict(objs({ configs: [a(), b("aaa-linkerd")] })).verdict).toBe("broken");
  });
});

describe("#4 Servers unread: no caller-address decision under the default policy", () => {
  it.each([
    ["cluster-wide 403", [{ kind: "Server", reason: "forbidden" }]],
    ["403 in the target's namespace", [{ kind: "Server", namespace: L5D, reason: "forbidden" }]],
  ])("%s: not broken", (_what, unread) => {
    expect(verdict(objs(), unread).verdict).not.toBe("broken");
  });
  it.each([
    ["Servers unread in another namespace", [{ kind: "Server", namespace: "other", reason: "forbidden" }]],
    ["AuthorizationPolicies unread (Servers read)", [{ kind: "AuthorizationPolicy", reason: "forbidden" }]],
    ["nothing unread", []],
  ])("near miss, still broken: %s", (_what, unread) => {
    expect(verdict(objs(), unread).verdict).toBe("broken");
  });
});
