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
function pod(
  ns: string,
  name: string,
  ips: string[],
  spec: Record<string, unknown> = {},
  suffix = "a",
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${name}-7d4b9c8f6-${suffix}`,
      namespace: ns,
      labels: { app: name, "pod-template-hash": "7d4b9c8f6" },
      ownerReferences: [{ kind: "ReplicaSet", name: `${name}-7d4b9c8f6`, controller: true }],
    },
    spec: {
      serviceAccountName: name,
      containers: [{ name: "app", image: "x:1", ports: [{ containerPort: 8080 }] }],
      ...spec,
    },
    status: { phase: "Running", podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
  };
}
const config = (values: string, ns = "linkerd"): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "linkerd-config", namespace: ns },
  data: { values },
});
const CN = "clusterNetworks: 10.42.0.0/16\n";
const CFG = config(`${CN}proxyInit:\n  ignoreInboundPorts: "4567,4568"\n  skipSubnets: ""\n`);
const l5dPolicy = (
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  version = kind === "Server" ? "v1beta3" : "v1alpha1",
): KubeObject => ({
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
    namespace(
      L5D,
      {},
      {
        "linkerd.io/inject": "enabled",
        ...(s.clusterDefault ? {} : { [POLICY]: "cluster-unauthenticated" }),
        ...s.nsAnn,
      },
    ),
    namespace("legacy"),
    deploy(L5D, "web", { ports: [port], annotations: s.webAnn ?? {} } as never),
    deploy("legacy", "client"),
    service(L5D, "web", [{ port: 80, targetPort: port, name: "http" }]),
    ...(s.callerIps ?? [["10.99.0.5"]]).map((ips, i) =>
      pod("legacy", "client", ips, {}, String.fromCharCode(97 + i)),
    ),
    ...(s.configs ?? [CFG]),
    ...(s.extra ?? []),
  ];
}
const verdict = (o: KubeObject[], unread: { kind: string; namespace?: string; reason: string }[] = []) =>
  predict(o, "legacy/client", H, undefined, unread, true).predicted;

/** A live web pod whose linkerd-init carries these args (the injector copied the namespace's default-inbound-policy onto it). */
const webPod = (initArgs: string[]) => {
  const p = pod(L5D, "web", ["10.42.1.1"], {
    initContainers: [
      {
        name: "linkerd-init",
        image: "cr.l5d.io/linkerd/proxy-init:v2.4.1",
        args: ["--incoming-proxy-port", "4143", "--proxy-uid", "2102", ...initArgs],
      },
    ],
    containers: [
      { name: "app", image: "x:1", ports: [{ containerPort: 8080 }] },
      {
        name: "linkerd-proxy",
        image: "cr.l5d.io/linkerd/proxy:edge",
        env: [
          { name: "LINKERD2_PROXY_POLICY_SVC_ADDR", value: "linkerd-policy.linkerd.svc.cluster.local.:8090" },
        ],
      },
    ],
  });
  return { ...p, metadata: { ...p.metadata, annotations: { [POLICY]: "cluster-unauthenticated" } } };
};

const NA = (cidr: string) => [
  l5dPolicy("Server", "web-http", {
    podSelector: { matchLabels: { app: "web" } },
    port: 8080,
    proxyProtocol: "HTTP/1",
  }),
  l5dPolicy("NetworkAuthentication", "nets", { networks: [{ cidr }] }),
  l5dPolicy("AuthorizationPolicy", "web-from-nets", {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: "web-http" },
    requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "nets" }],
  }),
];
const clusterServer = l5dPolicy("Server", "web-http", {
  podSelector: { matchLabels: { app: "web" } },
  port: 8080,
  proxyProtocol: "HTTP/1",
  accessPolicy: "cluster-unauthenticated",
});

describe("#1 a caller in a subnet linkerd-init skips bypasses the proxy: plaintext, never broken", () => {
  it.each([
    ["namespace annotation skip-subnets", { nsAnn: { [SUBNETS]: "10.99.0.0/16" } }],
    ["workload template annotation skip-subnets", { webAnn: { [SUBNETS]: "10.99.0.0/16" } }],
    [
      "linkerd-config proxyInit.skipSubnets",
      { configs: [config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`)] },
    ],
    [
      "a live pod's linkerd-init --subnets-to-ignore",
      { extra: [webPod(["--inbound-ports-to-ignore", "4190,4191", "--subnets-to-ignore", "10.99.0.0/16"])] },
    ],
    [
      "a live pod's linkerd-init --subnets-to-ignore=…",
      { extra: [webPod(["--subnets-to-ignore=10.1.0.0/16,10.99.0.0/16"])] },
    ],
    [
      "a Server with accessPolicy cluster-unauthenticated",
      { nsAnn: { [SUBNETS]: "10.99.0.0/16" }, extra: [clusterServer] },
    ],
    [
      "a Server opened by a NetworkAuthentication the caller is outside",
      { nsAnn: { [SUBNETS]: "10.99.0.0/16" }, extra: NA("192.0.2.0/24") },
    ],
  ] as [string, Setup][])("%s", (_what, s) => {
    const p = verdict(objs(s));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain("the caller's pods (10.99.0.5) are in the subnets linkerd-init skips, ");
    expect(p.reason).toContain("bypass the Linkerd proxy");
  });

  it("with traffic: a warning, not the error edge.plaintext-to-strict", () => {
    const s = run(objs({ nsAnn: { [SUBNETS]: "10.99.0.0/16" } }), [
      call("legacy/client", H, "unknown", 10, { reporter: "destination" }),
    ]);
    expect(s.findings.map((f) => f.code)).not.toContain("edge.plaintext-to-strict");
    expect(s.findings.map((f) => f.code)).toContain("edge.plaintext");
  });

  it.each([
    ["skip-subnets that do not parse", { nsAnn: { [SUBNETS]: "10.99.0.0" } }],
    ["skip-subnets with a word", { webAnn: { [SUBNETS]: "10.98.0.0/16,bogus" } }],
    [
      "proxyInit.skipSubnets not a string",
      { configs: [config(`${CN}proxyInit:\n  skipSubnets: [10.99.0.0/16]\n`)] },
    ],
    [
      "two linkerd-configs whose skipSubnets differ",
      { configs: [CFG, config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`, "aaa")] },
    ],
    [
      "the caller's pods partly inside the skipped subnet",
      { nsAnn: { [SUBNETS]: "10.99.0.0/24" }, callerIps: [["10.99.0.5"], ["10.99.1.5"]] },
    ],
    [
      "two live pods whose linkerd-init args differ",
      {
        extra: [
          webPod(["--subnets-to-ignore", "10.98.0.0/16"]),
          { ...webPod([]), metadata: { ...webPod([]).metadata, name: "web-7d4b9c8f6-b" } },
        ],
      },
    ],
  ] as [string, Setup][])("unknown, never broken: %s", (_what, s) => {
    expect(verdict(objs(s)).verdict).not.toBe("broken");
  });

  it.each([
    ["a skipped subnet that leaves the caller out", { nsAnn: { [SUBNETS]: "10.98.0.0/16" } }],
    ["linkerd-config skipSubnets empty", {}],
    ["linkerd-config without proxyInit (chart default: none)", { configs: [config(CN)] }],
    [
      "the pod annotation (empty) replaces linkerd-config's skipSubnets",
      { webAnn: { [SUBNETS]: "" }, configs: [config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`)] },
    ],
    [
      "a live pod's linkerd-init without --subnets-to-ignore (over linkerd-config's)",
      {
        configs: [config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`)],
        extra: [webPod(["--inbound-ports-to-ignore", "4190,4191"])],
      },
    ],
    [
      "a Server with accessPolicy cluster-unauthenticated, subnet elsewhere",
      { nsAnn: { [SUBNETS]: "10.98.0.0/16" }, extra: [clusterServer] },
    ],
    // No linkerd-config among the inputs (an application repository): the chart's defaults, no subnets.
    [
      "no linkerd-config and no annotation (the chart's defaults: no skipped subnet)",
      { configs: [], extra: NA("192.0.2.0/24") },
    ],
  ] as [string, Setup][])("near miss, still broken: %s", (_what, s) => {
    const p = verdict(objs(s));
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain("which leave out the caller's pods (10.99.0.5)");
  });
});

describe("#2 a port linkerd-init skips bypasses the proxy: plaintext, never broken", () => {
  it.each([
    [
      "the chart default ignoreInboundPorts 4567 (linkerd-config without proxyInit)",
      { targetPort: 4567, configs: [config(CN)] },
    ],
    ["linkerd-config ignoreInboundPorts 4568", { targetPort: 4568 }],
    [
      "linkerd-config ignoreInboundPorts, a range",
      { targetPort: 9001, configs: [config(`${CN}proxyInit:\n  ignoreInboundPorts: "9000-9002"\n`)] },
    ],
    [
      "a live pod's linkerd-init --inbound-ports-to-ignore",
      { extra: [webPod(["--inbound-ports-to-ignore", "4190,4191,4567,4568,8080"])] },
    ],
  ] as [string, Setup][])("%s", (_what, s) => {
    const p = verdict(objs(s));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toMatch(
      /its port \d+ is one linkerd-init skips \(.*\), so connections to it bypass the Linkerd proxy/,
    );
  });

  it.each([
    ["port 8080, not among linkerd-config's ignoreInboundPorts", {}],
    [
      "a skip-inbound-ports annotation replaces the chart's 4567,4568 (GetOverriddenValues)",
      { targetPort: 4567, nsAnn: { "config.linkerd.io/skip-inbound-ports": "9090" } },
    ],
    [
      "a live pod's linkerd-init without 8080 (over linkerd-config's)",
      {
        configs: [config(`${CN}proxyInit:\n  ignoreInboundPorts: "8080"\n`)],
        extra: [webPod(["--inbound-ports-to-ignore", "4190,4191,4567,4568"])],
      },
    ],
  ] as [string, Setup][])("near miss, still broken: %s", (_what, s) => {
    expect(verdict(objs(s)).verdict).toBe("broken");
  });

  it("linkerd-configs that disagree on ignoreInboundPorts: unknown, never broken", () => {
    expect(
      verdict(objs({ configs: [CFG, config(`${CN}proxyInit:\n  ignoreInboundPorts: "8080"\n`, "aaa")] }))
        .verdict,
    ).not.toBe("broken");
  });
});

describe("#3 several linkerd-configs: the default policy decides a caller only when they agree, whatever the input order", () => {
  const a = (ns = "linkerd") => config(`${CN}proxy:\n  defaultInboundPolicy: cluster-unauthenticated\n`, ns);
  const b = (ns = "linkerd") => config(`${CN}proxy:\n  defaultInboundPolicy: all-unauthenticated\n`, ns);
  // No skipped subnet or port (the empty annotations), so only the default policy is in question.
  const base = (configs: KubeObject[]) =>
    objs({
      clusterDefault: true,
      nsAnn: { [SUBNETS]: "", "config.linkerd.io/skip-inbound-ports": "" },
      configs,
    });
  const traffic = [call("legacy/client", H, "unknown", 10, { reporter: "destination" })];

  it.each([
    ["one namespace", [a(), b()]],
    ["two namespaces", [a("linkerd"), b("aaa-linkerd")]],
    ["two namespaces, swapped", [a("aaa-linkerd"), b("linkerd")]],
  ] as [string, KubeObject[]][])(
    "%s: never broken, and reversed input gives the same bytes",
    (_what, configs) => {
      const forward = base(configs);
      const reversed = [...forward].reverse();
      expect(verdict(forward).verdict).not.toBe("broken");
      expect(JSON.stringify(predict(forward, "legacy/client", H).predicted)).toBe(
        JSON.stringify(predict(reversed, "legacy/client", H).predicted),
      );
      const one = run(forward, traffic);
      const two = run(reversed, traffic);
      expect(JSON.stringify({ e: one.edges, f: one.findings })).toBe(
        JSON.stringify({ e: two.edges, f: two.findings }),
      );
      expect(one.findings.map((f) => f.code)).not.toContain("edge.plaintext-to-strict");
    },
  );

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

// reviews/round5.md: the policy first, linkerd-init's skips only for a refusal, on every refusing path.
const SKIP_PORTS = "config.linkerd.io/skip-inbound-ports";
const NO_SKIPS = { [SUBNETS]: "", [SKIP_PORTS]: "" };
/** objs() with the default inbound policy `policy` on the namespace (over nsAnn). */
const under = (policy: string, s: Setup = {}) => objs({ ...s, nsAnn: { [POLICY]: policy, ...s.nsAnn } });
/** A Server on `port` with no authorization: it admits nobody unauthenticated. */
const lockedServer = (port: number) =>
  l5dPolicy("Server", "web-http", {
    podSelector: { matchLabels: { app: "web" } },
    port,
    proxyProtocol: "HTTP/1",
  });
/** A live CNI-mode web pod: linkerd-proxy and linkerd-network-validator, no linkerd-init. */
const cniPod = (port: number) =>
  pod(L5D, "web", ["10.42.1.1"], {
    initContainers: [{ name: "linkerd-network-validator", image: "cr.l5d.io/linkerd/proxy:edge" }],
    containers: [
      { name: "app", image: "x:1", ports: [{ containerPort: port }] },
      {
        name: "linkerd-proxy",
        image: "cr.l5d.io/linkerd/proxy:edge",
        env: [
          { name: "LINKERD2_PROXY_POLICY_SVC_ADDR", value: "linkerd-policy.linkerd.svc.cluster.local.:8090" },
        ],
      },
    ],
  });

describe("round5 #1 an admission by the policy stands whatever linkerd-init skips (regression)", () => {
  it("A: a NetworkAuthentication admits the caller, no linkerd-config, no skip annotations: plaintext with edge.plaintext", () => {
    const o = objs({ configs: [], extra: NA("10.99.0.0/16") });
    expect(verdict(o).verdict).toBe("plaintext");
    expect(
      run(o, [call("legacy/client", H, "unknown", 10, { reporter: "destination" })]).findings.map(
        (f) => f.code,
      ),
    ).toContain("edge.plaintext");
  });
  it("B: the same opening, caller pods partly in a skipped subnet: plaintext", () => {
    expect(
      verdict(
        objs({
          nsAnn: { [SUBNETS]: "10.99.0.0/24" },
          callerIps: [["10.99.0.5"], ["10.99.1.5"]],
          extra: NA("10.99.0.0/16"),
        }),
      ).verdict,
    ).toBe("plaintext");
  });
  it("near miss: the opening refuses the caller, no linkerd-config: the chart's defaults skip nothing on 8080, the refusal stands (broken)", () => {
    expect(verdict(objs({ configs: [], extra: NA("10.98.0.0/16") })).verdict).toBe("broken");
  });
  it("near miss: the opening refuses the caller, linkerd-configs disagree on skipSubnets: unknown, never broken", () => {
    expect(
      verdict(
        objs({
          configs: [CFG, config(`${CN}proxyInit:\n  skipSubnets: "10.99.0.0/16"\n`, "aaa")],
          extra: NA("10.98.0.0/16"),
        }),
      ).verdict,
    ).toBe("unknown");
  });
  it("near miss: the opening refuses, caller pods partly in a skipped subnet: unknown", () => {
    expect(
      verdict(
        objs({
          nsAnn: { [SUBNETS]: "10.99.0.0/24" },
          callerIps: [["10.99.0.5"], ["10.99.1.5"]],
          extra: NA("10.98.0.0/16"),
        }),
      ).verdict,
    ).toBe("unknown");
  });
  it("near miss: the opening refuses, skips known and leave the caller out: broken", () => {
    expect(verdict(objs({ extra: NA("10.98.0.0/16") })).verdict).toBe("broken");
  });
});

describe("round5 #2 every refusal of an unauthenticated caller yields to what linkerd-init skips", () => {
  it.each([
    [
      "deny, port 4567 (chart proxyInit.ignoreInboundPorts)",
      "plaintext",
      under("deny", { targetPort: 4567 }),
    ],
    ["near miss: deny, port 8080 not skipped", "broken", under("deny")],
    [
      "all-authenticated, caller in the namespace's skip-subnets",
      "plaintext",
      under("all-authenticated", { nsAnn: { [SUBNETS]: "10.99.0.0/16" } }),
    ],
    [
      "deny, caller in the namespace's skip-subnets",
      "plaintext",
      under("deny", { nsAnn: { [SUBNETS]: "10.99.0.0/16" } }),
    ],
    [
      "near miss: deny, a skipped subnet that leaves the caller out",
      "broken",
      under("deny", { nsAnn: { [SUBNETS]: "10.98.0.0/16" } }),
    ],
    [
      "deny, caller pods partly in the skipped subnet",
      "unknown",
      under("deny", { nsAnn: { [SUBNETS]: "10.99.0.0/24" }, callerIps: [["10.99.0.5"], ["10.99.1.5"]] }),
    ],
    [
      "deny, no linkerd-config, no annotations: the chart's defaults skip nothing on 8080",
      "broken",
      under("deny", { configs: [] }),
    ],
    [
      "deny, no linkerd-config: port 4567 is the chart's default skipped port",
      "plaintext",
      under("deny", { configs: [], targetPort: 4567 }),
    ],
    [
      "deny, linkerd-configs disagree on ignoreInboundPorts: unknown",
      "unknown",
      under("deny", { configs: [CFG, config(`${CN}proxyInit:\n  ignoreInboundPorts: "8080"\n`, "aaa")] }),
    ],
    [
      "near miss: deny, no linkerd-config but empty skip annotations",
      "broken",
      under("deny", { configs: [], nsAnn: NO_SKIPS }),
    ],
    [
      "a Server admitting nobody, port 4567 skipped",
      "plaintext",
      objs({ targetPort: 4567, extra: [lockedServer(4567)] }),
    ],
    ["near miss: a Server admitting nobody, port 8080", "broken", objs({ extra: [lockedServer(8080)] })],
    [
      "a Server admitting nobody, caller in a skipped subnet",
      "plaintext",
      objs({ nsAnn: { [SUBNETS]: "10.99.0.0/16" }, extra: [lockedServer(8080)] }),
    ],
    [
      "require-identity port 8080 in linkerd-config-skipped ports",
      "plaintext",
      under("all-unauthenticated", {
        configs: [config(`${CN}proxyInit:\n  ignoreInboundPorts: "8080"\n`)],
        nsAnn: { "config.linkerd.io/proxy-require-identity-inbound-ports": "8080" },
      }),
    ],
    [
      "near miss: require-identity port 8080, nothing skipped",
      "broken",
      under("all-unauthenticated", {
        nsAnn: { "config.linkerd.io/proxy-require-identity-inbound-ports": "8080" },
      }),
    ],
  ] as [string, string, KubeObject[]][])("%s → %s", (_what, expected, o) => {
    expect(verdict(o).verdict).toBe(expected);
  });

  it("a live pod whose linkerd-init args skip 8080, under deny: plaintext; near miss without it: broken", () => {
    const live = (ports: string) => {
      const p = webPod(["--inbound-ports-to-ignore", ports]);
      return { ...p, metadata: { ...p.metadata, annotations: { [POLICY]: "deny" } } };
    };
    expect(verdict(under("deny", { extra: [live("4190,4191,8080")] })).verdict).toBe("plaintext");
    expect(verdict(under("deny", { extra: [live("4190,4191")] })).verdict).toBe("broken");
  });

  it("the reason names the skipped port and where it comes from, and no error is raised", () => {
    const o = under("deny", { targetPort: 4567 });
    expect(verdict(o).reason).toContain(
      "port 4567 is one linkerd-init skips (proxyInit.ignoreInboundPorts in linkerd-config)",
    );
    const codes = run(o, [call("legacy/client", H, "unknown", 10, { reporter: "destination" })]).findings.map(
      (f) => f.code,
    );
    expect(codes).not.toContain("edge.plaintext-to-strict");
  });
});

describe("round5 #3 disagreeing linkerd-configs: the pod's own control plane's default, else none", () => {
  const cfg = (policy: string, ns: string) => config(`${CN}proxy:\n  defaultInboundPolicy: ${policy}\n`, ns);
  const base = (configs: KubeObject[], extra: KubeObject[] = []) =>
    objs({ clusterDefault: true, nsAnn: NO_SKIPS, configs, extra });
  it.each([
    ["I1 linkerd all-unauthenticated, aaa deny", [cfg("all-unauthenticated", "linkerd"), cfg("deny", "aaa")]],
    ["I2 linkerd deny, zzz all-unauthenticated", [cfg("deny", "linkerd"), cfg("all-unauthenticated", "zzz")]],
    ["I3 linkerd all-unauthenticated, zzz deny", [cfg("all-unauthenticated", "linkerd"), cfg("deny", "zzz")]],
  ] as [string, KubeObject[]][])("%s: unknown, whatever the namespaces' names", (_what, configs) => {
    expect(verdict(base(configs)).verdict).toBe("unknown");
  });
  /** A live web pod whose proxy names control plane `cp` (_l5d_ns), with no policy annotation of its own. */
  const ofPlane = (cp: string) => {
    const p = webPod(["--inbound-ports-to-ignore", "4190,4191"]);
    const proxy = {
      name: "linkerd-proxy",
      image: "cr.l5d.io/linkerd/proxy:edge",
      env: [
        { name: "LINKERD2_PROXY_POLICY_SVC_ADDR", value: "x:8090" },
        { name: "_l5d_ns", value: cp },
      ],
    };
    return {
      ...p,
      metadata: { ...p.metadata, annotations: {} },
      spec: {
        ...(p as { spec?: object }).spec,
        containers: [{ name: "app", image: "x:1", ports: [{ containerPort: 8080 }] }, proxy],
      },
    } as KubeObject;
  };
  it("the pod's own control plane aaa (deny): broken", () => {
    expect(
      verdict(base([cfg("all-unauthenticated", "linkerd"), cfg("deny", "aaa")], [ofPlane("aaa")])).verdict,
    ).toBe("broken");
  });
  it("near miss: the pod's own control plane linkerd (all-unauthenticated): plaintext", () => {
    expect(
      verdict(base([cfg("all-unauthenticated", "linkerd"), cfg("deny", "aaa")], [ofPlane("linkerd")]))
        .verdict,
    ).toBe("plaintext");
  });
  it("near miss: a control plane no config among the inputs belongs to: unknown", () => {
    expect(
      verdict(base([cfg("all-unauthenticated", "linkerd"), cfg("deny", "aaa")], [ofPlane("other")])).verdict,
    ).toBe("unknown");
  });
  it("near miss: configs that agree on deny decide (broken)", () => {
    expect(verdict(base([cfg("deny", "linkerd"), cfg("deny", "zzz")])).verdict).toBe("broken");
  });
});

describe("round5 #4 CNI mode: linkerd-config's proxyInit values are not linkerd-cni's", () => {
  const F = (nsAnn: Record<string, string> = {}, extra: KubeObject[] = [cniPod(4567)]) => {
    const server = l5dPolicy("Server", "web-http", {
      podSelector: { matchLabels: { app: "web" } },
      port: 4567,
      proxyProtocol: "HTTP/1",
    });
    return under("deny", { targetPort: 4567, nsAnn, extra: [server, ...extra] });
  };
  it("F: a live pod without linkerd-init (CNI), port 4567: linkerd-cni skips nothing by default, not the chart's proxyInit 4567, so the Server's refusal stands", () => {
    expect(verdict(F()).verdict).toBe("broken");
  });
  it("near miss: the namespace's skip-inbound-ports lists 4567: plaintext", () => {
    expect(verdict(F({ [SKIP_PORTS]: "4567", [SUBNETS]: "" })).verdict).toBe("plaintext");
  });
  it("near miss: empty skip annotations: the Server's refusal stands (broken)", () => {
    expect(verdict(F(NO_SKIPS)).verdict).toBe("broken");
  });
  it("a template under linkerd-config cniEnabled: true takes linkerd-cni's default (nothing skipped: broken); near miss without it: plaintext (chart default 4567)", () => {
    expect(verdict(F({}, [config(`${CN}cniEnabled: true\n`)]).filter((o) => o !== CFG)).verdict).toBe(
      "broken",
    );
    expect(verdict(F({}, [])).verdict).toBe("plaintext");
  });
});

// reviews/round6.md: an IPv6 caller on a refusal Linkerd may not see, and linkerd-configs that cannot be
// read or disagree on CNI mode.
describe("round6 #1 an IPv6 caller's connections bypass the proxy unless Linkerd intercepts IPv6", () => {
  const V6 = [["fd00:10:99::5"]];
  const IPV6_ON = config(
    `${CN}disableIPv6: false\nproxyInit:\n  ignoreInboundPorts: "4567,4568"\n  skipSubnets: ""\n`,
  );
  it.each([
    [
      "deny, an IPv6 caller, IPv6 interception not known (chart default disableIPv6: true)",
      "unknown",
      under("deny", { callerIps: V6 }),
    ],
    [
      "a Server admitting nobody, an IPv6 caller",
      "unknown",
      objs({ callerIps: V6, extra: [lockedServer(8080)] }),
    ],
    [
      "require-identity port, an IPv6 caller",
      "unknown",
      under("all-unauthenticated", {
        callerIps: V6,
        nsAnn: { "config.linkerd.io/proxy-require-identity-inbound-ports": "8080" },
      }),
    ],
    [
      "near miss: deny, an IPv6 caller, linkerd-config says disableIPv6: false",
      "broken",
      under("deny", { callerIps: V6, configs: [IPV6_ON] }),
    ],
    ["near miss: deny, an IPv4 caller", "broken", under("deny")],
  ] as [string, string, KubeObject[]][])("%s → %s", (_what, expected, o) => {
    expect(verdict(o).verdict).toBe(expected);
  });
});

describe("round6 #2 linkerd-configs that cannot be read, or disagree on CNI mode, leave linkerd-init's skips untold", () => {
  const SKIPS_CALLER = config(
    `${CN}proxyInit:\n  ignoreInboundPorts: "4567,4568"\n  skipSubnets: "10.99.0.0/16"\n`,
  );
  const unparsable = (ns: string) => config("clusterNetworks: [unclosed\n", ns);
  it.each([
    [
      "an unparsable linkerd-config sorting first, beside one skipping the caller's subnet",
      under("deny", { configs: [unparsable("aaa"), SKIPS_CALLER] }),
    ],
    ["the same sorting last", under("deny", { configs: [SKIPS_CALLER, unparsable("zzz")] })],
    [
      "one control plane in CNI mode, another skipping the caller's subnet",
      under("deny", { configs: [config(`${CN}cniEnabled: true\n`, "aaa"), SKIPS_CALLER] }),
    ],
  ] as [string, KubeObject[]][])("%s: unknown, never broken", (_what, o) => {
    expect(verdict(o).verdict).toBe("unknown");
    expect(verdict([...o].reverse()).verdict).toBe("unknown");
  });
  it("near miss: every control plane in CNI mode (linkerd-cni skips nothing by default): the refusal stands", () => {
    expect(
      verdict(
        under("deny", {
          configs: [config(`${CN}cniEnabled: true\n`, "aaa"), config(`${CN}cniEnabled: true\n`)],
        }),
      ).verdict,
    ).toBe("broken");
  });
});
