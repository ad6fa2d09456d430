// Fixes from the second review of Linkerd, cert-manager and SPIRE support (reviews/meshes2.md;
// docs/DECISIONS.md, "Review of Linkerd, cert-manager and SPIRE support", items 12-18). Certificates
// come from a real PKI made here (test/pki.ts: WebCrypto keys, @peculiar/x509 signatures, dates
// relative to NOW); every case goes through the real loader and analysis, with its near misses.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot, type SnapshotSource } from "../lib/core/snapshot/schema";
import { call, deploy, edgeOf, host, loaded, namespace, predict, run, service, workloadOf } from "./kit";
import { makeCustomCa, makeCustomLeaf, PKI_NOW } from "./pki";
import { internalErrors } from "./support/mutation";
import { L5D, l5dNs, l5dPolicy } from "./support/linkerdScenario";

const POLICY = "config.linkerd.io/default-inbound-policy";
const REQUIRE = "config.linkerd.io/proxy-require-identity-inbound-ports";
const POLICY_ENV = "LINKERD2_PROXY_INBOUND_DEFAULT_POLICY";
const REQUIRE_ENV = "LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY";
/** What the chart's proxy env always holds since Linkerd 2.11: the proxy asks the policy controller. */
const DISCOVERY = { LINKERD2_PROXY_POLICY_SVC_ADDR: "linkerd-policy.linkerd.svc.cluster.local.:8090" };

const linkerdConfig = (values: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "linkerd-config", namespace: "linkerd" },
  data: { values },
});

/** web (port 8080 behind Service web:80, plus 9090) in the Linkerd namespace, an unmeshed caller in `legacy`, a meshed one beside web. */
function linkerdMesh(
  nsAnnotations: Record<string, string>,
  extra: KubeObject[] = [],
  webAnnotations: Record<string, string> = {},
): KubeObject[] {
  return [
    l5dNs(nsAnnotations),
    namespace("legacy"),
    deploy(L5D, "web", { ports: [8080, 9090], annotations: webAnnotations }),
    deploy(L5D, "caller"),
    deploy("legacy", "client"),
    service(L5D, "web", [{ port: 80, targetPort: 8080, name: "http" }]),
    ...extra,
  ];
}

/** A running pod of Deployment emojivoto/web: its proxy env as the injector wrote it, and its current annotations. */
function webPod(
  suffix: string,
  env: Record<string, string>,
  annotations: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `web-5b7f5657f6-${suffix}`,
      namespace: L5D,
      labels: { app: "web", "pod-template-hash": "5b7f5657f6" },
      annotations,
      ownerReferences: [{ kind: "ReplicaSet", name: "web-5b7f5657f6", controller: true }],
    },
    spec: {
      serviceAccountName: "web",
      containers: [
        { name: "web", ports: [{ containerPort: 8080 }, { containerPort: 9090 }] },
        { name: "linkerd-proxy", env: Object.entries(env).map(([name, value]) => ({ name, value })) },
      ],
    },
  };
}

/** `linkerd inject` output: web's template already carries linkerd-proxy with this env, so the webhook leaves its pods as they are. */
function preInjectedWeb(env: Record<string, string>, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: L5D },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" }, annotations: { "linkerd.io/inject": "enabled", ...annotations } },
        spec: {
          serviceAccountName: "web",
          containers: [
            { name: "web", ports: [{ containerPort: 8080 }] },
            { name: "linkerd-proxy", env: Object.entries(env).map(([name, value]) => ({ name, value })) },
          ],
        },
      },
    },
  };
}

/** The mesh with web's Deployment replaced by `web` (a pre-injected one). */
const withWeb = (nsAnn: Record<string, string>, web: KubeObject, extra: KubeObject[] = []) => [
  ...linkerdMesh(nsAnn, extra).filter((o) => !(o.kind === "Deployment" && o.metadata.name === "web")),
  web,
];
const plaintextVerdict = (objs: KubeObject[]) => predict(objs, "legacy/client", host("web", L5D)).predicted;
const meshedVerdict = (objs: KubeObject[]) =>
  predict(objs, `${L5D}/caller`, host("web", L5D)).predicted.verdict;
const codes = (s: MeshSnapshot, code: string) => s.findings.filter((f) => f.code === code);

// ---------------------------------------------------------------------------------------------------
// 12. config.linkerd.io/proxy-require-identity-inbound-ports (other-meshes.md §1.7): the policy
// controller reads it from the pod (index inbound/pod.rs Settings::from_metadata) and makes an Allow
// default authenticated-only on those ports (`default_inbound_server`); audit and deny are left alone.

describe("proxy-require-identity-inbound-ports makes its ports refuse unmeshed callers", () => {
  it.each([
    ["on the pod template, under Linkerd's default all-unauthenticated", {}, { [REQUIRE]: "8080" }],
    ["on the namespace (the injector copies it onto the pod)", { [REQUIRE]: "8080" }, {}],
    ["as a range", {}, { [REQUIRE]: "8000-8100" }],
    ["under cluster-unauthenticated", { [POLICY]: "cluster-unauthenticated" }, { [REQUIRE]: "8080" }],
  ] as [string, Record<string, string>, Record<string, string>][])(
    "%s: the port is STRICT, the call broken",
    (_what, nsAnn, podAnn) => {
      const objs = linkerdMesh(nsAnn, [], podAnn);
      const p = plaintextVerdict(objs);
      expect([p.verdict, p.server.mode]).toEqual(["broken", "STRICT"]);
      expect(p.reason).toContain("its port 8080 requires a mesh identity");
      expect(meshedVerdict(objs)).toBe("mtls");
      const w = workloadOf(run(objs), L5D, "web");
      // Port 9090 is not listed: it keeps the admitting default, as does the workload-wide mode.
      expect([w.mtls.mode, w.ports.map((x) => `${x.port} ${x.mode}`)]).toEqual([
        "PERMISSIVE",
        ["8080 STRICT", "9090 PERMISSIVE"],
      ]);
    },
  );

  it("the reason names the annotation and the default it tightens", () => {
    expect(plaintextVerdict(linkerdMesh({}, [], { [REQUIRE]: "8080" })).reason).toBe(
      "legacy/client has no proxy and sends plaintext; emojivoto/web is meshed by Linkerd, and its port 8080 requires a mesh identity (its pods' config.linkerd.io/proxy-require-identity-inbound-ports) over the default inbound policy all-unauthenticated (Linkerd's default), so it admits only meshed clients: the Linkerd proxy refuses unauthenticated traffic (HTTP 403, or the connection is closed).",
    );
  });

  it("an Istio sidecar's auto-mTLS plaintext is edge.plaintext-to-strict with the Linkerd fix (the review's p1)", () => {
    const objs = [
      ...linkerdMesh({}, [], { [REQUIRE]: "8080" }),
      namespace("mesh", { "istio-injection": "enabled" }),
      deploy("mesh", "client"),
    ];
    const s = run(objs, [call("mesh/client", host("web", L5D), "unknown", 10, { reporter: "source" })]);
    expect(edgeOf(s, "mesh/client", host("web", L5D))!.predicted.verdict).toBe("broken");
    const f = s.findings.filter((x) => x.code.startsWith("edge."));
    expect(f.map((x) => [x.code, x.severity])).toEqual([["edge.plaintext-to-strict", "error"]]);
    expect(f[0]!.fix).toContain("Mesh mesh/client with Linkerd");
  });

  it("linkerd.unauthenticated-default lists only the ports the annotation leaves open, and is silent when it lists them all", () => {
    const listed = (podAnn: Record<string, string>) =>
      codes(
        run(linkerdMesh({}, [], podAnn).filter((o) => o.kind !== "Deployment" || o.metadata.name === "web")),
        "linkerd.unauthenticated-default",
      ).map((f) => f.message);
    expect(listed({ [REQUIRE]: "8080" })).toEqual([
      "Namespace emojivoto: emojivoto/web (port 9090, which config.linkerd.io/proxy-require-identity-inbound-ports does not list) uses Linkerd's default inbound policy all-unauthenticated: plaintext from unmeshed clients is accepted (Linkerd's PERMISSIVE).",
    ]);
    expect(listed({ [REQUIRE]: "8080,9090" })).toEqual([]);
    // Near miss: without the annotation the workload is listed as a whole, as before.
    expect(listed({})).toEqual([
      "Namespace emojivoto: emojivoto/web uses Linkerd's default inbound policy all-unauthenticated: plaintext from unmeshed clients is accepted (Linkerd's PERMISSIVE).",
    ]);
  });

  it.each([
    ["under audit (the controller leaves it alone)", { [POLICY]: "audit" }, { [REQUIRE]: "8080" }, []],
    ["listing another port", {}, { [REQUIRE]: "9090" }, []],
    [
      "a list with a part the controller cannot parse (parse_portset empties the whole list)",
      {},
      { [REQUIRE]: "8080,http" },
      [],
    ],
    [
      "a Server on the port that admits unauthenticated clients (the Server decides, not the default)",
      {},
      { [REQUIRE]: "8080" },
      [
        l5dPolicy("Server", "web-http", {
          podSelector: { matchLabels: { app: "web" } },
          port: 8080,
          accessPolicy: "all-unauthenticated",
        }),
      ],
    ],
    [
      "on the pod template where its own empty value overrides the namespace's (GetConfigOverride: pod first)",
      { [REQUIRE]: "8080" },
      { [REQUIRE]: "" },
      [],
    ],
  ] as [string, Record<string, string>, Record<string, string>, KubeObject[]][])(
    "near miss: plaintext accepted %s",
    (_what, nsAnn, podAnn, extra) => {
      const p = plaintextVerdict(linkerdMesh(nsAnn, extra, podAnn));
      expect([p.verdict, p.server.mode]).toEqual(["plaintext", "PERMISSIVE"]);
    },
  );

  it("live pods: the pod's current annotation decides, not the namespace's (added after the pod was created)", () => {
    expect(
      plaintextVerdict(linkerdMesh({}, [webPod("a", { ...DISCOVERY }, { [REQUIRE]: "8080" })])).verdict,
    ).toBe("broken");
    expect(
      plaintextVerdict(linkerdMesh({ [REQUIRE]: "8080" }, [webPod("a", { ...DISCOVERY })])).verdict,
    ).toBe("plaintext");
  });

  it("a template already injected (linkerd inject): the namespace's annotation never reaches its pods", () => {
    const env = { ...DISCOVERY, [POLICY_ENV]: "all-unauthenticated" };
    expect(plaintextVerdict(withWeb({ [REQUIRE]: "8080" }, preInjectedWeb(env))).verdict).toBe("plaintext");
    expect(plaintextVerdict(withWeb({}, preInjectedWeb(env, { [REQUIRE]: "8080" }))).verdict).toBe("broken");
  });

  it("the env alone lists the port: unknown unless the env shows the proxy asks the policy controller (which reads only the annotation)", () => {
    const p = plaintextVerdict(linkerdMesh({}, [webPod("a", { [REQUIRE_ENV]: "8080" })]));
    expect([p.verdict, p.server.mode]).toEqual(["unknown", "PERMISSIVE"]);
    expect(p.reason).toContain("LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY");
    expect(
      plaintextVerdict(linkerdMesh({}, [webPod("a", { ...DISCOVERY, [REQUIRE_ENV]: "8080" })])).verdict,
    ).toBe("plaintext");
    // Near miss: env and annotation agree.
    expect(
      plaintextVerdict(linkerdMesh({}, [webPod("a", { [REQUIRE_ENV]: "8080" }, { [REQUIRE]: "8080" })]))
        .verdict,
    ).toBe("broken");
  });
});

// ---------------------------------------------------------------------------------------------------
// 13. The default inbound policy, as Linkerd's policy controller gives it: the pod's current annotation,
// else its --default-policy (linkerd-config's proxy.defaultInboundPolicy); the proxy asks it for every
// port (linkerd2-proxy inbound/src/policy/store.rs) and its env default is only the initial value.

describe("the default inbound policy follows the policy controller, not the proxy's start-up env", () => {
  const config = (policy: string) => linkerdConfig(`proxy:\n  defaultInboundPolicy: ${policy}\n`);

  it.each([
    [
      "linkerd-config all-authenticated over an env all-unauthenticated (the review's p5, a cluster default changed since)",
      [webPod("a", { ...DISCOVERY, [POLICY_ENV]: "all-unauthenticated" }), config("all-authenticated")],
      "broken",
      "STRICT",
    ],
    [
      "the reverse: no false edge.plaintext-to-strict",
      [webPod("a", { ...DISCOVERY, [POLICY_ENV]: "all-authenticated" }), config("all-unauthenticated")],
      "plaintext",
      "PERMISSIVE",
    ],
  ] as [string, KubeObject[], string, string][])("%s", (_what, extra, verdict, mode) => {
    const objs = linkerdMesh({}, extra);
    const p = plaintextVerdict(objs);
    expect([p.verdict, p.server.mode]).toEqual([verdict, mode]);
    // The namespace's mode and its only workload's agree (both from the policy controller's sources).
    const s = run(objs.filter((o) => o.kind !== "Deployment" || o.metadata.name === "web"));
    expect([
      s.namespaces.find((n) => n.name === L5D)!.mtls.mode,
      workloadOf(s, L5D, "web").mtls.mode,
    ]).toEqual([mode, mode]);
  });

  it("the pod's own annotation over its env", () => {
    expect(
      plaintextVerdict(
        linkerdMesh({}, [
          webPod("a", { ...DISCOVERY, [POLICY_ENV]: "all-unauthenticated" }, { [POLICY]: "deny" }),
        ]),
      ).verdict,
    ).toBe("broken");
    expect(
      plaintextVerdict(
        linkerdMesh({}, [
          webPod("a", { ...DISCOVERY, [POLICY_ENV]: "deny" }, { [POLICY]: "all-unauthenticated" }),
        ]),
      ).verdict,
    ).toBe("plaintext");
  });

  it("env and controller disagree and the env does not show policy discovery: unknown, not a certain verdict", () => {
    const p = plaintextVerdict(
      linkerdMesh({}, [webPod("a", { [POLICY_ENV]: "all-unauthenticated" }), config("all-authenticated")]),
    );
    expect([p.verdict, p.server.mode]).toEqual(["unknown", "PERMISSIVE"]);
    expect(p.reason).toContain("whether they ask the controller cannot be told");
    expect(
      codes(
        run(
          linkerdMesh({}, [
            webPod("a", { [POLICY_ENV]: "all-unauthenticated" }),
            config("all-authenticated"),
          ]),
        ),
        "linkerd.unauthenticated-default",
      ),
    ).toEqual([]);
  });

  it("near miss: env and controller agree: certain even without LINKERD2_PROXY_POLICY_SVC_ADDR", () => {
    expect(
      plaintextVerdict(
        linkerdMesh({}, [webPod("a", { [POLICY_ENV]: "all-authenticated" }), config("all-authenticated")]),
      ).verdict,
    ).toBe("broken");
  });

  it("near miss: pods whose annotations differ are unknown", () => {
    const p = plaintextVerdict(
      linkerdMesh({}, [
        webPod("a", { ...DISCOVERY }, { [POLICY]: "deny" }),
        webPod("b", { ...DISCOVERY }, { [POLICY]: "all-unauthenticated" }),
      ]),
    );
    expect(p.verdict).toBe("unknown");
    expect(p.reason).toContain(
      "its pods take different default inbound policies (all-unauthenticated, deny)",
    );
  });

  it("a template already injected takes its own annotation, else the cluster default, else its env: never the namespace's annotation", () => {
    const ns = { [POLICY]: "all-authenticated" };
    const env = { ...DISCOVERY, [POLICY_ENV]: "all-unauthenticated" };
    expect(plaintextVerdict(withWeb(ns, preInjectedWeb(env))).verdict).toBe("plaintext");
    expect(
      plaintextVerdict(withWeb({}, preInjectedWeb(env, { [POLICY]: "all-authenticated" }))).verdict,
    ).toBe("broken");
    expect(plaintextVerdict(withWeb(ns, preInjectedWeb(env), [config("deny")])).verdict).toBe("broken");
    // Near miss: a template yet to be injected takes the namespace's annotation, as the injector copies it.
    expect(plaintextVerdict(linkerdMesh(ns)).verdict).toBe("broken");
  });

  it("a namespace without annotation or linkerd-config takes the default its running pods were started with, as they do", () => {
    const s = run(
      linkerdMesh({}, [webPod("a", { [POLICY_ENV]: "all-authenticated" })]).filter(
        (o) => o.kind !== "Deployment" || o.metadata.name === "web",
      ),
    );
    expect([
      s.namespaces.find((n) => n.name === L5D)!.mtls.mode,
      workloadOf(s, L5D, "web").mtls.mode,
    ]).toEqual(["STRICT", "STRICT"]);
    // Near miss: a pod with its own annotation says nothing of the cluster default.
    const t = run(
      linkerdMesh({}, [
        webPod("a", { [POLICY_ENV]: "all-authenticated" }, { [POLICY]: "all-authenticated" }),
      ]).filter((o) => o.kind !== "Deployment" || o.metadata.name === "web"),
    );
    expect(t.namespaces.find((n) => n.name === L5D)!.mtls.mode).toBe("PERMISSIVE");
  });
});

// ---------------------------------------------------------------------------------------------------
// 17. A Server opened to unauthenticated clients from some networks only (an AuthorizationPolicy's
// NetworkAuthentication, a ServerAuthorization's client.networks): whether a caller gets through
// depends on its address, which the inputs do not give.

describe("a Server opened by a NetworkAuthentication for a narrow network is unknown, not a certain accept", () => {
  const webServer = l5dPolicy("Server", "web-http", {
    podSelector: { matchLabels: { app: "web" } },
    port: 8080,
    proxyProtocol: "HTTP/1",
  });
  const byNetwork = (
    networks: unknown[],
    target: Record<string, string> = { group: "policy.linkerd.io", kind: "Server", name: "web-http" },
  ) => [
    l5dPolicy("NetworkAuthentication", "nets", { networks }),
    l5dPolicy("AuthorizationPolicy", "web-from-nets", {
      targetRef: target,
      requiredAuthenticationRefs: [
        { group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "nets" },
      ],
    }),
  ];
  const serverAuthz = (client: Record<string, unknown>) =>
    l5dPolicy(
      "ServerAuthorization",
      "web-sa",
      { server: { name: "web-http" }, client: { unauthenticated: true, ...client } },
      "v1beta1",
    );

  it("the review's p6: one ingress node's /32 under a deny default", () => {
    const p = plaintextVerdict(
      linkerdMesh({ [POLICY]: "deny" }, [webServer, ...byNetwork([{ cidr: "192.0.2.10/32" }])]),
    );
    expect([p.verdict, p.server.mode]).toEqual(["unknown", "PERMISSIVE"]);
    expect(p.reason).toContain(
      "Server emojivoto/web-http takes its port 8080 and admits unauthenticated clients only from some networks (AuthorizationPolicy emojivoto/web-from-nets requires NetworkAuthentication emojivoto/nets, whose networks are 192.0.2.10/32)",
    );
  });

  it.each([
    [
      "every address but the pod network",
      [{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }, { cidr: "::/0" }],
      [],
    ],
    [
      "a namespace-wide AuthorizationPolicy",
      [{ cidr: "192.0.2.0/24" }],
      [],
      { kind: "Namespace", name: L5D },
    ],
    [
      "the cluster's networks from linkerd-config, but only one of them",
      [{ cidr: "10.42.0.0/16" }],
      [linkerdConfig("clusterNetworks: 10.42.0.0/16,10.43.0.0/16\n")],
    ],
  ] as [string, unknown[], KubeObject[], Record<string, string>?][])(
    "unknown: %s",
    (_what, networks, extra, target) => {
      expect(
        plaintextVerdict(linkerdMesh({}, [webServer, ...byNetwork(networks, target), ...extra])).verdict,
      ).toBe("unknown");
    },
  );

  it("a ServerAuthorization limited to client.networks is unknown too", () => {
    expect(
      plaintextVerdict(linkerdMesh({}, [webServer, serverAuthz({ networks: [{ cidr: "192.0.2.10/32" }] })]))
        .verdict,
    ).toBe("unknown");
  });

  it.each([
    ["0.0.0.0/0 and ::/0", [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }], []],
    [
      "the chart's default clusterNetworks (linkerd-config not among the inputs)",
      [
        { cidr: "10.0.0.0/8" },
        { cidr: "100.64.0.0/10" },
        { cidr: "172.16.0.0/12" },
        { cidr: "192.168.0.0/16" },
      ],
      [],
    ],
    [
      "linkerd-config's clusterNetworks",
      [{ cidr: "10.0.0.0/8" }],
      [linkerdConfig("clusterNetworks: 10.42.0.0/16,10.43.0.0/16\n")],
    ],
    ["an exception outside the cluster's networks", [{ cidr: "0.0.0.0/0", except: ["192.0.2.0/24"] }], []],
  ] as [string, unknown[], KubeObject[]][])(
    "near miss: networks covering every caller (%s) accept plaintext as before",
    (_what, networks, extra) => {
      const p = plaintextVerdict(linkerdMesh({}, [webServer, ...byNetwork(networks), ...extra]));
      expect([p.verdict, p.server.mode]).toEqual(["plaintext", "PERMISSIVE"]);
    },
  );

  it("near miss: a ServerAuthorization without client.networks admits every network", () => {
    expect(plaintextVerdict(linkerdMesh({}, [webServer, serverAuthz({})])).verdict).toBe("plaintext");
  });

  it("near miss: a meshed caller stays mtls", () => {
    expect(meshedVerdict(linkerdMesh({}, [webServer, ...byNetwork([{ cidr: "192.0.2.10/32" }])]))).toBe(
      "mtls",
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// 18. The Linkerd fix says a namespace annotation needs the pods recreated: the policy controller reads
// the pod's own annotations, and the injector copies the namespace's only onto pods it creates.

describe("the Linkerd fix says how the annotation reaches the pods", () => {
  const fixOf = (objs: KubeObject[]) => {
    const s = run(
      [...objs, namespace("mesh", { "istio-injection": "enabled" }), deploy("mesh", "client")],
      [call("mesh/client", host("web", L5D), "unknown", 10, { reporter: "source" })],
    );
    const f = s.findings.filter((x) => x.code === "edge.plaintext-to-strict");
    expect(f).toHaveLength(1);
    return f[0]!.fix!;
  };

  it("a refusing default policy (the review's p9): the pod template rolls out by itself, the namespace needs a restart", () => {
    expect(fixOf(linkerdMesh({ [POLICY]: "all-authenticated" }))).toContain(
      "set config.linkerd.io/default-inbound-policy to all-unauthenticated (or audit) on its pod template (which rolls its pods out), or on its namespace and then restart emojivoto/web (kubectl rollout restart deployment/web -n emojivoto): the injector copies a namespace's annotation onto pods only when it creates them.",
    );
  });

  it("a port refused by proxy-require-identity-inbound-ports: remove it from the list, not a default policy change", () => {
    const fix = fixOf(linkerdMesh({}, [], { [REQUIRE]: "8080" }));
    expect(fix).toContain(
      "remove port 8080 from config.linkerd.io/proxy-require-identity-inbound-ports on its pod template (which rolls its pods out), or on its namespace and then restart emojivoto/web",
    );
    expect(fix).not.toContain("default-inbound-policy");
  });

  it("near miss: a locked Server's fix names the Server, with no restart", () => {
    const fix = fixOf(
      linkerdMesh({}, [
        l5dPolicy("Server", "web-http", { podSelector: { matchLabels: { app: "web" } }, port: 8080 }),
      ]),
    );
    expect(fix).toContain("add an AuthorizationPolicy for Server emojivoto/web-http");
    expect(fix).not.toContain("restart");
  });
});

// ---------------------------------------------------------------------------------------------------
// Certificates: a real PKI, dates relative to NOW.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = PKI_NOW;
const at = (ms: number) => new Date(NOW.getTime() + ms);
const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
const b64 = (x: string) => Buffer.from(x).toString("base64");
const CLUSTER: SnapshotSource = { type: "kubeconfig", context: "prod" };

function analyse(
  objects: KubeObject[],
  now = NOW,
  source: SnapshotSource = { type: "manifests" },
): MeshSnapshot {
  const snap = MeshSnapshotSchema.parse(
    analyze({ objects: loaded(objects), configDumps: [], problems: [] }, { now, source }),
  );
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}
type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
};
const READY: Condition = {
  type: "Ready",
  status: "True",
  reason: "Ready",
  message: "Certificate is up to date and has not expired",
};
function cmCertificate(
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown> | null,
): KubeObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { namespace: ns, name },
    spec: { secretName: name, ...spec },
    ...(status ? { status } : {}),
  };
}
function tlsSecret(
  ns: string,
  name: string,
  crt: string,
  ca: string | undefined,
  certificateName?: string,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: {
      namespace: ns,
      name,
      ...(certificateName
        ? {
            annotations: {
              "cert-manager.io/certificate-name": certificateName,
              "cert-manager.io/issuer-name": "ca",
              "cert-manager.io/issuer-kind": "Issuer",
            },
          }
        : {}),
    },
    data: { "tls.crt": b64(crt), ...(ca ? { "ca.crt": b64(ca) } : {}), "tls.key": b64("redacted") },
  };
}
const trustRoots = (bundle: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
  data: { "ca-bundle.crt": bundle },
});
const certFindings = (s: MeshSnapshot) =>
  s.findings
    .filter((f) => f.code.startsWith("cert."))
    .map((f) => `${f.code} ${f.severity}${f.certificate ? " certificate" : ""}`)
    .sort();

// ---------------------------------------------------------------------------------------------------
// 14. A Certificate whose Secret is not among the inputs, but whose certificate is (linkerd-identity-
// trust-roots, a chain's ca.crt): one finding per certificate, the fingerprinted one, with the
// Certificate among its resources and its renewal time applied.

describe("a cert-manager certificate read by another route than its Secret is judged once", () => {
  const ANCHOR = "CN=root.linkerd.cluster.local";
  /** The review's p3: trust-manager published the anchor; Secrets are not readable. */
  async function anchorOnly(
    status: (nb: Date, na: Date) => Record<string, unknown>,
    spec: Record<string, unknown> = {},
  ) {
    const nb = at(-356 * DAY);
    const na = at(9 * DAY);
    const anchor = await makeCustomCa(ANCHOR, nb, na, null);
    const certificate = cmCertificate(
      "cert-manager",
      "linkerd-trust-anchor",
      {
        isCA: true,
        commonName: "root.linkerd.cluster.local",
        duration: "8760h",
        renewBefore: "720h",
        issuerRef: { name: "linkerd-trust-root-issuer", kind: "Issuer" },
        ...spec,
      },
      status(nb, na),
    );
    return analyse([namespace("linkerd"), namespace("cert-manager"), trustRoots(anchor.pem), certificate]);
  }
  const overdueStatus = (nb: Date, na: Date) => ({
    conditions: [READY],
    notBefore: iso(nb),
    notAfter: iso(na),
    renewalTime: iso(at(-20 * DAY)),
    revision: 1,
  });

  it("renewal overdue: one cert.expiring error and one cert.rotation-overdue, both on the anchor, naming the Certificate", async () => {
    const s = await anchorOnly(overdueStatus);
    expect(certFindings(s)).toEqual([
      "cert.expiring error certificate",
      "cert.rotation-overdue warning certificate",
    ]);
    const f = s.findings.find((x) => x.code === "cert.expiring")!;
    expect(f.resources).toContainEqual({
      kind: "Certificate",
      namespace: "cert-manager",
      name: "linkerd-trust-anchor",
    });
    expect(f.resources).toContainEqual({
      kind: "ConfigMap",
      namespace: "linkerd",
      name: "linkerd-identity-trust-roots",
    });
    expect(s.certificates.map((c) => [c.role, c.renewalTime])).toEqual([
      ["trust-anchor", iso(at(-20 * DAY))],
    ]);
  });

  it("renewal ahead (the review's p3b): one warning, the severity the Certificate's schedule gives", async () => {
    const s = await anchorOnly((nb, na) => ({
      conditions: [READY],
      notBefore: iso(nb),
      notAfter: iso(na),
      renewalTime: iso(at(DAY)),
    }));
    expect(certFindings(s)).toEqual(["cert.expiring warning certificate"]);
  });

  it("an intermediate read only from a leaf Secret's ca.crt is linked to its own Certificate too", async () => {
    const root = await makeCustomCa("CN=corp-root", at(-400 * DAY), at(3000 * DAY), null);
    const nb = at(-80 * DAY);
    const na = at(10 * DAY);
    const team = await makeCustomCa("CN=team-ca", nb, na, root);
    const leaf = await makeCustomLeaf("CN=api.example", at(-DAY), at(5 * DAY), team, {
      dns: ["api.example"],
    });
    const s = analyse([
      namespace("app"),
      tlsSecret("app", "api", leaf.pem, team.pem),
      cmCertificate(
        "cert-manager",
        "team-ca",
        { isCA: true, commonName: "team-ca", issuerRef: { name: "root", kind: "ClusterIssuer" } },
        { conditions: [READY], notBefore: iso(nb), notAfter: iso(na), renewalTime: iso(at(-20 * DAY)) },
      ),
    ]);
    const onTeamCa = s.findings
      .filter((f) => f.resources.some((r) => r.kind === "Certificate" && r.name === "team-ca"))
      .map((f) => `${f.code} ${f.certificate ? "certificate" : "status"}`);
    expect(onTeamCa.sort()).toEqual(["cert.expiring certificate", "cert.rotation-overdue certificate"]);
  });

  it.each([
    [
      "the status describes a newer certificate (renewed, not yet published)",
      (_nb: Date, _na: Date) => ({
        conditions: [READY],
        notBefore: iso(at(-DAY)),
        notAfter: iso(at(364 * DAY)),
        renewalTime: iso(at(240 * DAY)),
      }),
      {},
    ],
    [
      "the same validity, but the Certificate asks for another name",
      overdueStatus,
      { commonName: "root.other.cluster.local" },
    ],
  ] as [string, (nb: Date, na: Date) => Record<string, unknown>, Record<string, unknown>][])(
    "near miss: not linked when %s: the anchor is judged as an unmanaged CA",
    async (_what, status, spec) => {
      const s = await anchorOnly(status, spec);
      const onAnchor = s.findings
        .filter((f) => f.certificate !== undefined)
        .map((f) => `${f.code} ${f.severity}`);
      expect(onAnchor).toEqual(["cert.expiring error"]);
      expect(s.certificates.map((c) => c.renewalTime)).toEqual([null]);
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// 15. The renewal time derived for a spec-only Certificate honours spec.renewal (cert-manager
// pkg/util/pki/renewaltime.go RenewalTime: policy Disabled gives none; windows move it into a cron
// window, not computed here) and is derived only from manifests: a Certificate without status in a
// cluster is one cert-manager has not reconciled.

describe("the derived renewal time honours spec.renewal and the source", () => {
  /** The review's p4: a 90-day leaf ending in 36 h, renewBefore 24 h, in a Secret; the Certificate has no status. */
  async function api(spec: Record<string, unknown>, source: SnapshotSource = { type: "manifests" }) {
    const ca = await makeCustomCa("CN=app-ca", at(-400 * DAY), at(3000 * DAY), null);
    const leaf = await makeCustomLeaf("CN=api.example", at(-88 * DAY - 12 * HOUR), at(36 * HOUR), ca, {
      dns: ["api.example"],
    });
    const s = analyse(
      [
        namespace("app"),
        tlsSecret("app", "api-tls", leaf.pem, ca.pem, "api"),
        cmCertificate(
          "app",
          "api",
          {
            secretName: "api-tls",
            dnsNames: ["api.example"],
            duration: "2160h",
            renewBefore: "24h",
            issuerRef: { name: "ca", kind: "Issuer" },
            ...spec,
          },
          null,
        ),
      ],
      NOW,
      source,
    );
    const c = s.certificates.find((x) => x.subject === "CN=api.example")!;
    return {
      renewalTime: c.renewalTime,
      expiring: s.findings.filter((f) => f.code === "cert.expiring").map((f) => f.severity),
    };
  }

  it.each([
    ["renewal.policy Disabled", { renewal: { policy: "Disabled" } }],
    [
      "maintenance windows",
      { renewal: { policy: "RenewBefore", windows: [{ cron: "0 2 * * 6", windowDuration: "4h" }] } },
    ],
    ["a policy cert-manager does not know", { renewal: { policy: "Sometimes" } }],
  ])(
    "%s: no renewal derived, the leaf thresholds apply in full (error under 3 days)",
    async (_what, spec) => {
      expect(await api(spec)).toEqual({ renewalTime: null, expiring: ["error"] });
    },
  );

  it("read from a cluster, a Certificate without status has no renewal scheduled", async () => {
    expect(await api({}, CLUSTER)).toEqual({ renewalTime: null, expiring: ["error"] });
  });

  it.each([
    ["no renewal block", {}],
    ["renewal.policy RenewBefore without windows", { renewal: { policy: "RenewBefore" } }],
    ["an empty windows list", { renewal: { policy: "RenewBefore", windows: [] } }],
  ])("near miss: %s: renewal derived at notAfter − 24h, a warning while it is ahead", async (_what, spec) => {
    expect(await api(spec)).toEqual({ renewalTime: iso(at(12 * HOUR)), expiring: ["warning"] });
  });

  it("the status rules take no renewal where the status has none (Disabled), and the one it has otherwise", async () => {
    const status = (renewalTime?: Date) => ({
      conditions: [READY],
      notBefore: iso(at(-88 * DAY - 12 * HOUR)),
      notAfter: iso(at(36 * HOUR)),
      ...(renewalTime ? { renewalTime: iso(renewalTime) } : {}),
    });
    const judged = (spec: Record<string, unknown>, st: Record<string, unknown>) =>
      analyse([
        namespace("app"),
        cmCertificate(
          "app",
          "api",
          {
            secretName: "api-tls",
            dnsNames: ["api.example"],
            renewBefore: "24h",
            issuerRef: { name: "ca", kind: "Issuer" },
            ...spec,
          },
          st,
        ),
      ]).findings.map((f) => `${f.code} ${f.severity}`);
    expect(judged({ renewal: { policy: "Disabled" } }, status())).toEqual(["cert.expiring error"]);
    expect(judged({}, status(at(12 * HOUR)))).toEqual(["cert.expiring warning"]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 16. certmanager.not-ready trusts the status's validity where no certificate of the Certificate is
// among the inputs, as the status rules do: the same severity with and without the Secret.

describe("certmanager.not-ready: the same severity with and without the Secret when the status shows a valid certificate", () => {
  const requestChanged: Condition = {
    type: "Ready",
    status: "False",
    reason: "RequestChanged",
    message: "Fields on existing CertificateRequest resource not up to date: [spec.dnsNames]",
  };
  const issuing: Condition = {
    type: "Issuing",
    status: "True",
    reason: "RequestChanged",
    lastTransitionTime: iso(at(-10_000)),
  };
  /** The review's p7: a routine reissue after a spec edit; the current certificate (90 days) ends in `left`. */
  async function notReady(o: { secret: boolean; left: number; failed?: boolean }) {
    const ca = await makeCustomCa("CN=app-ca", at(-400 * DAY), at(3000 * DAY), null);
    const nb = at(o.left - 90 * DAY);
    const na = at(o.left);
    const leaf = await makeCustomLeaf("CN=api.example", nb, na, ca, { dns: ["api.example"] });
    const status = {
      conditions: [requestChanged, issuing],
      notBefore: iso(nb),
      notAfter: iso(na),
      renewalTime: iso(at(o.left - 30 * DAY)),
      revision: 3,
      ...(o.failed ? { lastFailureTime: iso(at(-1000)) } : {}),
    };
    const objs = [
      namespace("app"),
      cmCertificate(
        "app",
        "api",
        { secretName: "api-tls", dnsNames: ["api.example"], issuerRef: { name: "ca", kind: "Issuer" } },
        status,
      ),
    ];
    if (o.secret) objs.push(tlsSecret("app", "api-tls", leaf.pem, ca.pem, "api"));
    const fs = analyse(objs).findings.filter((f) => f.code === "certmanager.not-ready");
    expect(fs).toHaveLength(1);
    return fs[0]!;
  }

  it.each([true, false])("valid for 60 more days, Secret among the inputs: %s → warning", async (secret) => {
    const f = await notReady({ secret, left: 60 * DAY });
    expect(f.severity).toBe("warning");
    expect(f.message).toContain(
      secret
        ? "its Secret api-tls still holds a valid certificate"
        : `its status says its certificate is valid until ${iso(at(60 * DAY))}`,
    );
  });

  it.each([true, false])(
    "near miss: expired a day ago (Secret among the inputs: %s) → error",
    async (secret) => {
      expect((await notReady({ secret, left: -DAY })).severity).toBe("error");
    },
  );

  it.each([true, false])(
    "near miss: the reissue failed (Secret among the inputs: %s) → error",
    async (secret) => {
      expect((await notReady({ secret, left: 60 * DAY, failed: true })).severity).toBe("error");
    },
  );
});
