// Linkerd: the ingress injection mode, and linkerd.unauthenticated-default read against the Servers
// and authorizations that take ports out of the default inbound policy (other-meshes.md §1.6-§1.7,
// lib/core/model/linkerdPolicy.ts).
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { UnreadKind } from "../lib/core/model/linkerdPolicy";
import { analyze } from "../lib/core/snapshot/analyze";
import type { Completeness } from "../lib/core/snapshot/schema";
import { deploy, findingsOf, host, loaded, namespace, NOW, predict, run, service, workloadOf } from "./kit";

const l5d = (name: string, annotations: Record<string, string> = { "linkerd.io/inject": "enabled" }) =>
  namespace(name, {}, annotations);
const policy = (
  kind: string,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  version = kind === "Server" ? "v1beta3" : "v1alpha1",
): KubeObject => ({
  apiVersion: `policy.linkerd.io/${version}`,
  kind,
  metadata: { name, namespace: ns, labels: { policy: name } },
  spec,
});
const server = (name: string, app: string, port: number | string, extra: Record<string, unknown> = {}) =>
  policy("Server", "emoji", name, { podSelector: { matchLabels: { app } }, port, ...extra });
const meshAuthz = (name: string, target: string) =>
  policy("AuthorizationPolicy", "emoji", name, {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: target },
    requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "web" }],
  });

const meshAuthn = (name: string, ns = "emoji") =>
  policy("MeshTLSAuthentication", ns, name, { identities: ["*"] });
const netAuthn = (name: string, ns = "emoji") =>
  policy("NetworkAuthentication", ns, name, { networks: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }] });
const netAuthz = (name: string, target: string, authn: string, namespace?: string) =>
  policy("AuthorizationPolicy", "emoji", name, {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: target },
    requiredAuthenticationRefs: [
      {
        group: "policy.linkerd.io",
        kind: "NetworkAuthentication",
        name: authn,
        ...(namespace ? { namespace } : {}),
      },
    ],
  });

// emoji/api: grpc 8080 and a prom port 8801 behind a Service.
const BASE = [
  l5d("emoji"),
  deploy("emoji", "api", {
    ports: [
      { port: 8080, name: "grpc" },
      { port: 8801, name: "prom" },
    ],
  }),
  service("emoji", "api", [{ port: 8080, name: "grpc" }]),
];
const unauthenticated = (objs: KubeObject[]) =>
  findingsOf(run([...BASE, ...objs]), "linkerd.unauthenticated-default");

describe("linkerd.unauthenticated-default and Servers", () => {
  it.each([
    [
      "every port has a deny Server with a mesh-identity AuthorizationPolicy",
      [
        server("grpc", "api", "grpc"),
        server("prom", "api", 8801),
        meshAuthz("a1", "grpc"),
        meshAuthz("a2", "prom"),
      ],
    ],
    [
      "a Server selecting by matchExpressions, ports by number",
      [
        policy("Server", "emoji", "all", {
          podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["api", "web"] }] },
          port: 8080,
        }),
        server("prom", "api", "prom", { accessPolicy: "all-authenticated" }),
      ],
    ],
    [
      "a probe HTTPRoute on a locked Server authorised for every network (Linkerd's per-route policy): the route is open, the Server stays locked",
      [
        server("grpc", "api", "grpc"),
        server("prom", "api", 8801),
        meshAuthz("a1", "grpc"),
        meshAuthz("a2", "prom"),
        policy(
          "HTTPRoute",
          "emoji",
          "probe",
          {
            parentRefs: [{ group: "policy.linkerd.io", kind: "Server", name: "grpc" }],
            rules: [{ matches: [{ path: { value: "/ready" } }] }],
          },
          "v1beta3",
        ),
        policy("NetworkAuthentication", "emoji", "all-networks", {
          networks: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }],
        }),
        policy("AuthorizationPolicy", "emoji", "probe-open", {
          targetRef: { group: "policy.linkerd.io", kind: "HTTPRoute", name: "probe" },
          requiredAuthenticationRefs: [
            { group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "all-networks" },
          ],
        }),
      ],
    ],
    [
      "older Server versions (no accessPolicy: deny)",
      [server("grpc", "api", "grpc", {}), server("prom", "api", "prom")].map((s) => ({
        ...s,
        apiVersion: "policy.linkerd.io/v1beta1",
      })),
    ],
  ] as [string, KubeObject[]][])("silent: %s", (_name, objs) => {
    expect(unauthenticated(objs)).toEqual([]);
  });

  it.each([
    ["no Server", [], "emoji/api uses"],
    [
      "a port no Server covers",
      [server("grpc", "api", "grpc")],
      "emoji/api (port 8801, which no Server locks) uses",
    ],
    [
      "a Server whose accessPolicy admits unauthenticated clients",
      [server("grpc", "api", "grpc"), server("prom", "api", "prom", { accessPolicy: "all-unauthenticated" })],
      "port 8801",
    ],
    [
      "an AuthorizationPolicy with only a NetworkAuthentication",
      [
        server("grpc", "api", "grpc"),
        server("prom", "api", "prom"),
        netAuthn("cluster"),
        netAuthz("net", "prom", "cluster"),
      ],
      "port 8801",
    ],
    [
      "a namespace-wide AuthorizationPolicy with no authentication",
      [
        server("grpc", "api", "grpc"),
        server("prom", "api", "prom"),
        policy("AuthorizationPolicy", "emoji", "open", {
          targetRef: { kind: "Namespace", name: "emoji" },
          requiredAuthenticationRefs: [],
        }),
      ],
      "ports 8080, 8801",
    ],
    [
      "a ServerAuthorization for unauthenticated clients, by Server selector",
      [
        server("grpc", "api", "grpc"),
        server("prom", "api", "prom"),
        policy(
          "ServerAuthorization",
          "emoji",
          "sa",
          { server: { selector: { matchLabels: { policy: "prom" } } }, client: { unauthenticated: true } },
          "v1beta1",
        ),
      ],
      "port 8801",
    ],
    [
      "a Server in another namespace",
      [
        { ...server("grpc", "api", "grpc"), metadata: { name: "grpc", namespace: "other" } },
        server("prom", "api", "prom"),
      ],
      "port 8080",
    ],
  ] as [string, KubeObject[], string][])("near miss: fires for %s", (_name, objs, mention) => {
    const fs = unauthenticated(objs);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toContain(mention);
    expect(fs[0]!.resources).toEqual([{ kind: "Namespace", name: "emoji" }]);
  });

  it("silent for Linkerd's own control plane and extensions, and for an ingress-mode proxy", () => {
    const objs = [
      l5d("linkerd"),
      deploy("linkerd", "linkerd-identity", {
        labels: { "linkerd.io/control-plane-component": "identity" },
        ports: [8080],
      }),
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
    const s = run([
      l5d("emoji"),
      deploy("emoji", "web"),
      ns,
      deploy("ingress-nginx", "controller", { annotations }),
    ]);
    expect(workloadOf(s, "ingress-nginx", "controller").dataplane).toBe("linkerd");
    expect(findingsOf(s, "namespace.not-injected")).toEqual([]);
  });

  it("near miss: linkerd.io/inject: disabled on the pod keeps it out", () => {
    const s = run([
      l5d("ingress-nginx", { "linkerd.io/inject": "ingress" }),
      deploy("ingress-nginx", "controller", { annotations: { "linkerd.io/inject": "disabled" } }),
    ]);
    expect(workloadOf(s, "ingress-nginx", "controller").dataplane).toBe("none");
  });
});

// An AuthorizationPolicy whose required MeshTLSAuthentication or NetworkAuthentication does not exist
// authorises nothing: Linkerd's policy controller fails policy_client_authz ("could not find
// NetworkAuthentication …") and skips the policy (PolicyIndex::client_authzs, "Illegal
// AuthorizationPolicy; ignoring"; linkerd2 policy-controller/k8s/index/src/inbound/index.rs).
describe("an AuthorizationPolicy naming an authentication that does not exist authorises nothing", () => {
  const locked = [
    server("grpc", "api", "grpc"),
    meshAuthn("web"),
    meshAuthz("a1", "grpc"),
    server("prom", "api", "prom"),
  ];

  it.each([
    ["the NetworkAuthentication is missing", [netAuthz("net", "prom", "cluster")]],
    [
      "the NetworkAuthentication is in another namespace (a ref without namespace names the policy's)",
      [netAuthn("cluster", "other"), netAuthz("net", "prom", "cluster")],
    ],
    [
      "the NetworkAuthentication is there but a MeshTLSAuthentication it also requires is not",
      [
        netAuthn("cluster"),
        policy("AuthorizationPolicy", "emoji", "both", {
          targetRef: { group: "policy.linkerd.io", kind: "Server", name: "prom" },
          requiredAuthenticationRefs: [
            { group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "cluster" },
            { group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "gone" },
          ],
        }),
      ],
    ],
    [
      "a namespace-wide policy's NetworkAuthentication is missing",
      [
        policy("AuthorizationPolicy", "emoji", "ns-open", {
          targetRef: { kind: "Namespace", name: "emoji" },
          requiredAuthenticationRefs: [
            { group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "cluster" },
          ],
        }),
      ],
    ],
  ] as [string, KubeObject[]][])("the Server stays locked, silent: %s", (_name, objs) => {
    expect(unauthenticated([...locked, ...objs])).toEqual([]);
  });

  it.each([
    ["the NetworkAuthentication exists", [netAuthn("cluster"), netAuthz("net", "prom", "cluster")]],
    [
      "the ref names the NetworkAuthentication's namespace",
      [netAuthn("cluster", "other"), netAuthz("net", "prom", "cluster", "other")],
    ],
  ] as [string, KubeObject[]][])("near miss: fires as before when %s", (name, objs) => {
    const fs = unauthenticated([...locked, ...objs]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message, name).toContain("port 8801");
  });
});

describe("the edge's reason names the AuthorizationPolicy Linkerd ignores, and the missing authentication", () => {
  const client = deploy("emoji", "web");
  const edge = (objs: KubeObject[]) =>
    predict(
      [...BASE, client, server("grpc", "api", "grpc"), ...objs],
      "emoji/web",
      host("api", "emoji"),
      8080,
    ).predicted;

  it.each([
    [
      "MeshTLSAuthentication",
      [meshAuthz("a1", "grpc")],
      "AuthorizationPolicy emoji/a1 on its Server emoji/grpc (port 8080): it requires MeshTLSAuthentication emoji/web, which is not among the inputs, so it authorises no client",
    ],
    [
      "NetworkAuthentication",
      [netAuthz("net", "grpc", "cluster")],
      "AuthorizationPolicy emoji/net on its Server emoji/grpc (port 8080): it requires NetworkAuthentication emoji/cluster, which is not among the inputs",
    ],
  ] as [string, KubeObject[], string][])("missing %s", (_kind, objs, says) => {
    const p = edge(objs);
    expect(p.client.tls).toBe("LINKERD");
    expect(p.reason).toContain(`emoji/api is meshed by Linkerd, but Linkerd ignores ${says}`);
  });

  it.each([
    ["the MeshTLSAuthentication exists", [meshAuthn("web"), meshAuthz("a1", "grpc")]],
    ["the NetworkAuthentication exists", [netAuthn("cluster"), netAuthz("net", "grpc", "cluster")]],
    [
      "a ServiceAccount ref (Linkerd derives the identity, looks nothing up)",
      [
        policy("AuthorizationPolicy", "emoji", "sa", {
          targetRef: { group: "policy.linkerd.io", kind: "Server", name: "grpc" },
          requiredAuthenticationRefs: [{ kind: "ServiceAccount", name: "web" }],
        }),
      ],
    ],
    ["the broken policy targets another Server", [server("prom", "api", "prom"), meshAuthz("a2", "prom")]],
    [
      "the broken policy targets an HTTPRoute",
      [
        policy("AuthorizationPolicy", "emoji", "route", {
          targetRef: { group: "policy.linkerd.io", kind: "HTTPRoute", name: "probe" },
          requiredAuthenticationRefs: [
            { group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "gone" },
          ],
        }),
      ],
    ],
  ] as [string, KubeObject[]][])("near miss: %s → the reason names no policy", (_name, objs) => {
    const p = edge(objs);
    expect(p.reason).toContain("emoji/api is meshed by Linkerd: Linkerd mTLS.");
    expect(p.reason).not.toContain("AuthorizationPolicy");
  });
});

// The cluster reader could not list an authentication kind (a 403: completeness entries): a policy
// naming one there is unknown, read as before Handshake read authentication objects, not as ignored.
describe("an authentication kind that could not be listed: the policy naming it is unknown, not ignored", () => {
  const locked = [
    server("grpc", "api", "grpc"),
    meshAuthn("web"),
    meshAuthz("a1", "grpc"),
    server("prom", "api", "prom"),
  ];
  const forbidden = (
    kind: string,
    namespace?: string,
    reason: Completeness["reason"] = "forbidden",
  ): Completeness => ({ kind, reason, message: "403", ...(namespace ? { namespace } : {}) });
  const unauthenticatedWith = (objs: KubeObject[], completeness: Completeness[]) =>
    findingsOf(
      analyze(
        { objects: loaded([...BASE, ...locked, ...objs]), configDumps: [], problems: [] },
        { now: NOW, source: { type: "manifests" }, completeness },
      ),
      "linkerd.unauthenticated-default",
    );

  it.each([
    ["NetworkAuthentications forbidden cluster-wide", [forbidden("NetworkAuthentication")]],
    [
      "NetworkAuthentications forbidden in the ref's namespace",
      [forbidden("NetworkAuthentication", "emoji")],
    ],
  ])("a NetworkAuthentication-only policy opens its Server as before: %s", (_name, completeness) => {
    const fs = unauthenticatedWith([netAuthz("net", "prom", "cluster")], completeness);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toContain("port 8801");
  });

  it.each([
    ["NetworkAuthentications forbidden in another namespace", [forbidden("NetworkAuthentication", "other")]],
    ["MeshTLSAuthentications forbidden (another kind)", [forbidden("MeshTLSAuthentication")]],
    [
      "an invalid NetworkAuthentication file (read, not unread)",
      [forbidden("NetworkAuthentication", undefined, "invalid")],
    ],
  ])("near miss: still ignored, the Server stays locked: %s", (_name, completeness) => {
    expect(unauthenticatedWith([netAuthz("net", "prom", "cluster")], completeness)).toEqual([]);
  });

  const client = deploy("emoji", "web");
  const edge = (objs: KubeObject[], unread: UnreadKind[]) =>
    predict(
      [...BASE, client, server("grpc", "api", "grpc"), ...objs],
      "emoji/web",
      host("api", "emoji"),
      8080,
      unread,
    ).predicted;

  it("a mesh-identity policy whose MeshTLSAuthentication could not be listed locks the Server, and the reason names no policy", () => {
    const p = edge([meshAuthz("a1", "grpc")], [forbidden("MeshTLSAuthentication", "emoji")]);
    expect(p.reason).toContain("emoji/api is meshed by Linkerd: Linkerd mTLS.");
    expect(p.reason).not.toContain("ignores");
  });

  it("near miss: listed in another namespace only → the reason still names the ignored policy", () => {
    expect(edge([meshAuthz("a1", "grpc")], [forbidden("MeshTLSAuthentication", "other")]).reason).toContain(
      "Linkerd ignores AuthorizationPolicy emoji/a1",
    );
  });
});

// authorization_policy.rs Spec::try_from checks targetRef and refs with targets_kind (group, absent =
// core, and kind, case-insensitive); a failure drops the policy ("Invalid authorization policy").
describe("targetRef and refs are read with Linkerd's group and kind check", () => {
  const locked = [
    server("grpc", "api", "grpc"),
    meshAuthn("web"),
    meshAuthz("a1", "grpc"),
    server("prom", "api", "prom"),
    netAuthn("cluster"),
  ];
  const ap = (spec: Record<string, unknown>) => policy("AuthorizationPolicy", "emoji", "bad", spec);
  const toProm = { group: "policy.linkerd.io", kind: "Server", name: "prom" };
  const netRef = { group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "cluster" };

  it.each([
    [
      "a ref without group (core NetworkAuthentication)",
      ap({
        targetRef: toProm,
        requiredAuthenticationRefs: [{ kind: "NetworkAuthentication", name: "cluster" }],
      }),
      "spec.requiredAuthenticationRefs[0]",
      "unsupported authentication target: NetworkAuthentication",
    ],
    [
      "a ref of another kind",
      ap({
        targetRef: toProm,
        requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "Server", name: "grpc" }],
      }),
      "spec.requiredAuthenticationRefs[0]",
      "unsupported authentication target: Server.policy.linkerd.io",
    ],
    [
      "a ServiceAccount ref in Linkerd's group",
      ap({
        targetRef: toProm,
        requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "ServiceAccount", name: "web" }],
      }),
      "spec.requiredAuthenticationRefs[0]",
      "unsupported authentication target",
    ],
    [
      "a Service target",
      ap({ targetRef: { kind: "Service", name: "api" }, requiredAuthenticationRefs: [] }),
      "spec.targetRef",
      "unsupported authorization target type: Service",
    ],
    [
      "a Server target without group",
      ap({ targetRef: { kind: "Server", name: "prom" }, requiredAuthenticationRefs: [netRef] }),
      "spec.targetRef",
      "unsupported authorization target type: Server",
    ],
  ] as [string, KubeObject, string, string][])(
    "%s: the policy is input.invalid and left out, the Server stays locked",
    (_name, bad, field, says) => {
      const s = run([...BASE, ...locked, bad]);
      expect(findingsOf(s, "linkerd.unauthenticated-default")).toEqual([]);
      const inv = findingsOf(s, "input.invalid");
      expect(inv).toHaveLength(1);
      expect(inv[0]!.resources).toEqual([{ kind: "AuthorizationPolicy", namespace: "emoji", name: "bad" }]);
      expect(inv[0]!.message).toContain(`AuthorizationPolicy emoji/bad: ${field}: ${says}`);
    },
  );

  it.each([
    [
      "kinds and groups in another case",
      ap({
        targetRef: { group: "Policy.Linkerd.IO", kind: "server", name: "prom" },
        requiredAuthenticationRefs: [
          { group: "POLICY.LINKERD.IO", kind: "networkauthentication", name: "cluster" },
        ],
      }),
      "port 8801",
    ],
    [
      "a Namespace target with group core",
      ap({
        targetRef: { group: "core", kind: "Namespace", name: "emoji" },
        requiredAuthenticationRefs: [netRef],
      }),
      "ports 8080, 8801",
    ],
  ] as [string, KubeObject, string][])(
    "near miss: %s opens as before, no input.invalid",
    (_name, objs, mention) => {
      const s = run([...BASE, ...locked, objs]);
      expect(findingsOf(s, "input.invalid")).toEqual([]);
      const fs = findingsOf(s, "linkerd.unauthenticated-default");
      expect(fs).toHaveLength(1);
      expect(fs[0]!.message).toContain(`(${mention},`);
    },
  );

  it.each([
    ["group core", { group: "core", kind: "ServiceAccount", name: "web" }],
    ["an empty group", { group: "", kind: "serviceaccount", name: "web" }],
  ])("near miss: a ServiceAccount ref with %s is a mesh identity (locks), no input.invalid", (_name, ref) => {
    const s = run([...BASE, ...locked, ap({ targetRef: toProm, requiredAuthenticationRefs: [ref] })]);
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(findingsOf(s, "linkerd.unauthenticated-default")).toEqual([]);
  });
});

// Authentication objects Linkerd does not index, and ref combinations policy_client_authz refuses.
describe("authentications Linkerd refuses, and refs it will not combine", () => {
  const client = deploy("emoji", "web");
  const edge = (objs: KubeObject[]) =>
    predict(
      [...BASE, client, server("grpc", "api", "grpc"), ...objs],
      "emoji/web",
      host("api", "emoji"),
      8080,
    ).predicted;
  const ap = (refs: Record<string, unknown>[]) =>
    policy("AuthorizationPolicy", "emoji", "ap", {
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "grpc" },
      requiredAuthenticationRefs: refs,
    });
  const ref = (kind: string, name: string) => ({
    group: kind === "ServiceAccount" ? undefined : "policy.linkerd.io",
    kind,
    name,
  });

  it.each([
    [
      "a NetworkAuthentication without networks",
      [
        policy("NetworkAuthentication", "emoji", "cluster", { networks: [] }),
        ap([ref("NetworkAuthentication", "cluster")]),
      ],
      "requires NetworkAuthentication emoji/cluster, which Linkerd does not index (no networks configured)",
    ],
    [
      "a MeshTLSAuthentication without identities",
      [
        policy("MeshTLSAuthentication", "emoji", "web", { identities: [] }),
        ap([ref("MeshTLSAuthentication", "web")]),
      ],
      "requires MeshTLSAuthentication emoji/web, which Linkerd does not index (no identities configured)",
    ],
    [
      "a MeshTLSAuthentication with an identityRef to a Deployment",
      [
        policy("MeshTLSAuthentication", "emoji", "web", {
          identityRefs: [{ kind: "Deployment", name: "web" }],
        }),
        ap([ref("MeshTLSAuthentication", "web")]),
      ],
      "requires MeshTLSAuthentication emoji/web, which Linkerd does not index (identityRef kind Deployment is not supported)",
    ],
    [
      "two MeshTLSAuthentications",
      [
        meshAuthn("web"),
        meshAuthn("web2"),
        ap([ref("MeshTLSAuthentication", "web"), ref("MeshTLSAuthentication", "web2")]),
      ],
      "requires more than one MeshTLSAuthentication, which Linkerd refuses",
    ],
    [
      "a MeshTLSAuthentication and a ServiceAccount",
      [meshAuthn("web"), ap([ref("MeshTLSAuthentication", "web"), ref("ServiceAccount", "web")])],
      "requires ServiceAccount emoji/web besides another mesh identity, which Linkerd refuses",
    ],
    [
      "two NetworkAuthentications",
      [
        netAuthn("cluster"),
        netAuthn("cluster2"),
        ap([ref("NetworkAuthentication", "cluster"), ref("NetworkAuthentication", "cluster2")]),
      ],
      "requires more than one NetworkAuthentication, which Linkerd refuses",
    ],
  ] as [string, KubeObject[], string][])("%s: the reason names the ignored policy", (_name, objs, says) => {
    expect(edge(objs).reason).toContain(
      `Linkerd ignores AuthorizationPolicy emoji/ap on its Server emoji/grpc (port 8080): it ${says}`,
    );
  });

  it.each([
    [
      "a MeshTLSAuthentication and a NetworkAuthentication",
      [
        meshAuthn("web"),
        netAuthn("cluster"),
        ap([ref("MeshTLSAuthentication", "web"), ref("NetworkAuthentication", "cluster")]),
      ],
    ],
    [
      "a MeshTLSAuthentication by ServiceAccount and Namespace identityRefs",
      [
        policy("MeshTLSAuthentication", "emoji", "web", {
          identityRefs: [
            { kind: "ServiceAccount", name: "web" },
            { kind: "Namespace", name: "emoji" },
          ],
        }),
        ap([ref("MeshTLSAuthentication", "web")]),
      ],
    ],
  ] as [string, KubeObject[]][])("near miss: %s → the reason names no policy", (_name, objs) => {
    expect(edge(objs).reason).toContain("emoji/api is meshed by Linkerd: Linkerd mTLS.");
  });

  const locked = [
    server("grpc", "api", "grpc"),
    meshAuthn("web"),
    meshAuthz("a1", "grpc"),
    server("prom", "api", "prom"),
  ];
  const toProm = (refs: Record<string, unknown>[]) =>
    policy("AuthorizationPolicy", "emoji", "net", {
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "prom" },
      requiredAuthenticationRefs: refs,
    });
  it.each([
    [
      "its NetworkAuthentication has no networks",
      [
        policy("NetworkAuthentication", "emoji", "cluster", { networks: [] }),
        toProm([ref("NetworkAuthentication", "cluster")]),
      ],
    ],
    [
      "it names two NetworkAuthentications",
      [
        netAuthn("cluster"),
        netAuthn("cluster2"),
        toProm([ref("NetworkAuthentication", "cluster"), ref("NetworkAuthentication", "cluster2")]),
      ],
    ],
  ] as [string, KubeObject[]][])(
    "a NetworkAuthentication policy opens nothing when %s: silent",
    (_name, objs) => {
      expect(unauthenticated([...locked, ...objs])).toEqual([]);
    },
  );
});

// Fields of the wrong type: deserialisation rejects the policy, so Linkerd never indexes it.
describe("an AuthorizationPolicy with ill-typed refs is input.invalid and left out", () => {
  const locked = [
    server("grpc", "api", "grpc"),
    meshAuthn("web"),
    meshAuthz("a1", "grpc"),
    server("prom", "api", "prom"),
  ];
  const ap = (refs: unknown) =>
    policy("AuthorizationPolicy", "emoji", "bad", {
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "prom" },
      requiredAuthenticationRefs: refs,
    });

  it.each([
    ["refs a string", ap("x"), "spec.requiredAuthenticationRefs", 'must be a list, not "x"'],
    ["a null ref", ap([null]), "spec.requiredAuthenticationRefs[0]", "must be a mapping, not null"],
    [
      "a ref without name",
      ap([{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication" }]),
      "spec.requiredAuthenticationRefs[0].name",
      "is required",
    ],
    [
      "a numeric name",
      ap([{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: 5 }]),
      "spec.requiredAuthenticationRefs[0].name",
      "must be a string, not 5",
    ],
    [
      "a ref without kind",
      ap([{ group: "policy.linkerd.io", name: "web" }]),
      "spec.requiredAuthenticationRefs[0].kind",
      "is required",
    ],
    [
      "a list namespace",
      ap([{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "web", namespace: ["a"] }]),
      "spec.requiredAuthenticationRefs[0].namespace",
      'must be a string, not ["a"]',
    ],
    [
      "no targetRef",
      policy("AuthorizationPolicy", "emoji", "bad", { requiredAuthenticationRefs: [] }),
      "spec.targetRef",
      "is required",
    ],
  ] as [string, KubeObject, string, string][])("%s", (_name, bad, field, says) => {
    const s = run([...BASE, ...locked, bad]);
    expect(findingsOf(s, "linkerd.unauthenticated-default")).toEqual([]);
    const inv = findingsOf(s, "input.invalid");
    expect(inv.map((f) => f.message)).toEqual([
      `test.yaml:${BASE.length + locked.length + 1}: AuthorizationPolicy emoji/bad: ${field}: ${says}`,
    ]);
    expect(inv[0]!.resources).toEqual([{ kind: "AuthorizationPolicy", namespace: "emoji", name: "bad" }]);
  });

  it("the edge's reason names no policy for a ref without name (it used to say 'requires MeshTLSAuthentication emoji/')", () => {
    const bad = policy("AuthorizationPolicy", "emoji", "bad", {
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "grpc" },
      requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication" }],
    });
    const p = predict(
      [...BASE, deploy("emoji", "web"), server("grpc", "api", "grpc"), bad],
      "emoji/web",
      host("api", "emoji"),
      8080,
    ).predicted;
    expect(p.reason).toContain("emoji/api is meshed by Linkerd: Linkerd mTLS.");
  });

  it("near miss: null refs read as none (the API server prunes null): the policy opens its Server, no input.invalid", () => {
    const s = run([...BASE, ...locked, ap(null)]);
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(findingsOf(s, "linkerd.unauthenticated-default")[0]!.message).toContain("port 8801");
  });
});

// Server.spec.port is `#[serde(untagged)] enum Port { Number(NonZeroU16), Name(String) }`
// (linkerd2 policy-controller/k8s/api/src/policy/server.rs): a quoted "8801" is a port NAME, which no
// container port carries (Kubernetes port names need a letter), so the Server selects no port.
describe("a Server port given as a string is a port name, as Linkerd reads it", () => {
  it('port: "8801" locks nothing: port 8801 stays on the default policy, no input.invalid', () => {
    const s = run([...BASE, server("grpc", "api", "grpc"), server("prom", "api", "8801")]);
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(findingsOf(s, "linkerd.unauthenticated-default").map((f) => f.message)).toEqual([
      expect.stringContaining("emoji/api (port 8801, which no Server locks)"),
    ]);
  });

  it.each([
    ["the number 8801", 8801],
    ["the name prom", "prom"],
  ])("near miss: port %s locks port 8801", (_name, port) => {
    expect(unauthenticated([server("grpc", "api", "grpc"), server("prom", "api", port)])).toEqual([]);
  });

  it("the edge's reason follows the Server the port really has (a quoted number selects nothing)", () => {
    const ignored = policy("AuthorizationPolicy", "emoji", "ap", {
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "grpc" },
      requiredAuthenticationRefs: [
        { group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "gone" },
      ],
    });
    const reason = (port: number | string) =>
      predict(
        [...BASE, deploy("emoji", "web"), server("grpc", "api", port), ignored],
        "emoji/web",
        host("api", "emoji"),
        8080,
      ).predicted.reason;
    expect(reason(8080)).toContain(
      "Linkerd ignores AuthorizationPolicy emoji/ap on its Server emoji/grpc (port 8080)",
    );
    expect(reason("8080")).not.toContain("Linkerd ignores");
  });
});

// Two Servers selecting one pod port: the index keeps the first in its order, Servers sorted by
// creationTimestamp, then name (linkerd2 #13676, "order Server resources deterministically";
// Pod::reindex_servers skips a port already matched: "Port already matched by another server;
// skipping"). The older admission webhook refused the newer of two overlapping Servers, which keeps
// the same one.
describe("two Servers on one port: the oldest (then the first by name) is the one Linkerd uses", () => {
  const at = (o: KubeObject, creationTimestamp?: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, ...(creationTimestamp ? { creationTimestamp } : {}) },
  });
  const open = (t?: string) => at(server("open", "api", 8801, { accessPolicy: "all-unauthenticated" }), t);
  const deny = (t?: string) => at(server("prom", "api", "prom"), t);
  const grpc = [server("grpc", "api", "grpc"), meshAuthn("web"), meshAuthz("a1", "grpc")];
  const OLD = "2024-01-01T00:00:00Z";
  const NEW = "2025-06-01T00:00:00Z";

  it.each([
    ["the open Server is older", [open(OLD), deny(NEW)], ["port 8801"]],
    ["the open Server is older, listed second", [deny(NEW), open(OLD)], ["port 8801"]],
    ["the deny Server is older", [open(NEW), deny(OLD)], []],
    ["the deny Server is older, listed second", [deny(OLD), open(NEW)], []],
    ["no creationTimestamps: open comes first by name", [deny(), open()], ["port 8801"]],
    [
      "a Server without creationTimestamp sorts first (Option::None), even named later",
      [open(OLD), deny()],
      [],
    ],
  ] as [string, KubeObject[], string[]][])("%s", (_name, servers, opens) => {
    expect(unauthenticated([...grpc, ...servers]).map((f) => f.message)).toEqual(
      opens.map((p) => expect.stringContaining(p)),
    );
  });

  it("the edge's reason names the ignored policy only when its Server is the one Linkerd keeps", () => {
    const ignored = policy("AuthorizationPolicy", "emoji", "ap", {
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "grpc" },
      requiredAuthenticationRefs: [
        { group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "gone" },
      ],
    });
    const reason = (servers: KubeObject[]) =>
      predict([...BASE, deploy("emoji", "web"), ...servers, ignored], "emoji/web", host("api", "emoji"), 8080)
        .predicted.reason;
    const mine = (t?: string) => at(server("grpc", "api", "grpc"), t);
    const other = (t?: string) => at(server("agrpc", "api", 8080), t);
    expect(reason([mine(OLD), other(NEW)])).toContain(
      "Linkerd ignores AuthorizationPolicy emoji/ap on its Server emoji/grpc",
    );
    expect(reason([mine(NEW), other(OLD)])).not.toContain("Linkerd ignores");
    expect(reason([mine(), other()])).not.toContain("Linkerd ignores");
  });
});
