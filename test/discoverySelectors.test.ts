// meshConfig.discoverySelectors (lib/core/model/discovery.ts, docs/DECISIONS.md "Discovery selectors"):
// istio/istio pkg/kube/namespace/filter.go reads each selector as a Kubernetes LabelSelector, ORs the
// list, and lets every namespace in without one; a revision's istiod does not see the Services,
// ServiceEntries, PeerAuthentications or DestinationRules of the namespaces it leaves out.
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import { namespaceSelected } from "../lib/core/model/discovery";
import type { KubeObject } from "../lib/core/model/input";
import { parseMeshConfig } from "../lib/core/model/meshConfig";
import type { InputProblem } from "../lib/core/model/input";
import type { TrafficSample } from "../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  findingsOf,
  host,
  injected,
  loaded,
  meshConfig,
  namespace,
  only,
  peerAuth,
  run,
  service,
  serviceEntry,
  tls,
  workloadOf,
} from "./kit";

type Labels = Record<string, string>;

function selectorsOf(mesh: string) {
  const problems: InputProblem[] = [];
  const settings = parseMeshConfig(loaded([meshConfig(mesh)])[0]!, problems);
  return { selectors: settings.discoverySelectors, problems };
}

const sees = (mesh: string, name: string, labels: Labels = {}) => {
  const { selectors, problems } = selectorsOf(mesh);
  expect(problems).toEqual([]);
  return selectors === null
    ? true
    : namespaceSelected(selectors, { name, labels, annotations: {}, declared: true });
};

describe("discoverySelectors: which namespaces a selector list picks", () => {
  const ML = "discoverySelectors:\n- matchLabels:\n    env: prod\n";
  const expr = (op: string, values?: string[]) =>
    `discoverySelectors:\n- matchExpressions:\n  - key: tier\n    operator: ${op}\n${values ? `    values: [${values.join(", ")}]\n` : ""}`;
  it.each([
    ["matchLabels: equal value", ML, { env: "prod" }, true],
    ["matchLabels: other value", ML, { env: "dev" }, false],
    ["matchLabels: label absent", ML, {}, false],
    [
      "matchLabels AND matchExpressions: both hold",
      "discoverySelectors:\n- matchLabels: {env: prod}\n  matchExpressions: [{key: tier, operator: Exists}]\n",
      { env: "prod", tier: "x" },
      true,
    ],
    [
      "matchLabels AND matchExpressions: one fails",
      "discoverySelectors:\n- matchLabels: {env: prod}\n  matchExpressions: [{key: tier, operator: Exists}]\n",
      { env: "prod" },
      false,
    ],
    ["In: value listed", expr("In", ["a", "b"]), { tier: "b" }, true],
    ["In: value not listed", expr("In", ["a", "b"]), { tier: "c" }, false],
    ["In: label absent", expr("In", ["a"]), {}, false],
    ["NotIn: value listed", expr("NotIn", ["a"]), { tier: "a" }, false],
    ["NotIn: other value", expr("NotIn", ["a"]), { tier: "b" }, true],
    ["NotIn: label absent (selected, as labels.Requirement.Matches)", expr("NotIn", ["a"]), {}, true],
    ["Exists: present", expr("Exists"), { tier: "" }, true],
    ["Exists: absent", expr("Exists"), {}, false],
    ["DoesNotExist: absent", expr("DoesNotExist"), {}, true],
    ["DoesNotExist: present", expr("DoesNotExist"), { tier: "a" }, false],
    [
      "several selectors are ORed: the second matches",
      "discoverySelectors:\n- matchLabels: {env: prod}\n- matchLabels: {team: x}\n",
      { team: "x" },
      true,
    ],
    [
      "several selectors are ORed: none matches",
      "discoverySelectors:\n- matchLabels: {env: prod}\n- matchLabels: {team: x}\n",
      { team: "y" },
      false,
    ],
    ["an empty list selects every namespace", "discoverySelectors: []\n", {}, true],
    [
      "an empty selector {} selects every namespace (LabelSelectorAsSelector: Everything)",
      "discoverySelectors:\n- {}\n",
      {},
      true,
    ],
    [
      "kubernetes.io/metadata.name, set on every namespace by the API server",
      "discoverySelectors:\n- matchLabels: {kubernetes.io/metadata.name: kube-system}\n",
      {},
      true,
    ],
    [
      "the root namespace has no exception (filter.go): istio-system unlabelled is not selected",
      ML,
      {},
      false,
    ],
  ] as [string, string, Labels, boolean][])("%s", (name, mesh, labels, want) => {
    const ns = name.startsWith("kubernetes.io")
      ? "kube-system"
      : name.startsWith("the root")
        ? "istio-system"
        : "apps";
    expect(sees(mesh, ns, labels)).toBe(want);
  });

  it("near miss: valid keys and values (a DNS prefix, '_' and '.', an empty value, 63 characters) are kept, without a problem", () => {
    const mesh =
      "discoverySelectors:\n- matchLabels: {example.com/team: a-b_c.d, env: '', Tier_1.x: " +
      "v".repeat(63) +
      "}\n" +
      "  matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [a1, ''] }]\n";
    const { selectors, problems } = selectorsOf(mesh);
    expect(problems).toEqual([]);
    expect(selectors).toEqual([
      {
        matchLabels: { "example.com/team": "a-b_c.d", env: "", "Tier_1.x": "v".repeat(63) },
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["a1", ""] }],
      },
    ]);
  });

  it("an invalid label key leaves every namespace seen (not every namespace hidden): the Service and the root STRICT policy still apply", () => {
    const objs: KubeObject[] = [
      namespace("istio-system"),
      injected("a"),
      injected("b"),
      deploy("a", "client"),
      deploy("b", "srv", { ports: [8080] }),
      service("b", "srv", [{ port: 80, targetPort: 8080 }]),
      peerAuth("istio-system", "default", "STRICT"),
    ];
    const model = buildModel({
      objects: loaded([...objs, meshConfig("discoverySelectors:\n- matchLabels: {'bad key!': x}\n")]),
      configDumps: [],
      problems: [],
    });
    expect(model.discoveryViews.size).toBe(0);
    const s = run(
      [...objs, meshConfig("discoverySelectors:\n- matchLabels: {'bad key!': x}\n")],
      [call("a/client", host("srv", "b"), "mutual_tls", 5)],
    );
    expect(edgeOf(s, "a/client", host("srv", "b"))!.destination).toMatchObject({
      namespace: "b",
      service: "srv",
    });
    expect(workloadOf(s, "b", "srv").mtls).toMatchObject({ mode: "STRICT", origin: "mesh" });
  });

  it("no discoverySelectors and an empty list both read as null (every namespace)", () => {
    expect(selectorsOf("{}\n").selectors).toBeNull();
    expect(selectorsOf("discoverySelectors: []\n").selectors).toBeNull();
  });

  it.each([
    ["not a list", "discoverySelectors: {matchLabels: {a: b}}\n", "discoverySelectors is"],
    [
      "an unknown operator",
      "discoverySelectors:\n- matchExpressions: [{key: a, operator: Equals, values: [b]}]\n",
      'discoverySelectors[0].matchExpressions[0].operator is "Equals"',
    ],
    [
      "In without values",
      "discoverySelectors:\n- matchExpressions: [{key: a, operator: In}]\n",
      "discoverySelectors[0].matchExpressions[0].values is []",
    ],
    [
      "Exists with values",
      "discoverySelectors:\n- matchExpressions: [{key: a, operator: Exists, values: [b]}]\n",
      'discoverySelectors[0].matchExpressions[0].values is ["b"]',
    ],
    [
      "a matchLabels value not a string",
      "discoverySelectors:\n- {}\n- matchLabels: {a: [b]}\n",
      "discoverySelectors[1].matchLabels.a is",
    ],
    // labels.NewRequirement checks key and value syntax (validation.IsQualifiedName, IsValidLabelValue).
    [
      "an empty matchLabels key",
      "discoverySelectors:\n- matchLabels: {'': x}\n",
      'discoverySelectors[0].matchLabels is ""',
    ],
    [
      "a matchLabels value with a space",
      "discoverySelectors:\n- matchLabels: {env: 'prod env'}\n",
      'discoverySelectors[0].matchLabels.env is "prod env"',
    ],
    [
      "a matchLabels key with '!' and a space",
      "discoverySelectors:\n- matchLabels: {'bad key!': x}\n",
      'discoverySelectors[0].matchLabels is "bad key!"',
    ],
    [
      "a matchLabels value of 64 characters",
      `discoverySelectors:\n- matchLabels: {env: ${"a".repeat(64)}}\n`,
      "discoverySelectors[0].matchLabels.env is",
    ],
    [
      "a key with an empty prefix",
      "discoverySelectors:\n- matchLabels: {'/env': prod}\n",
      'discoverySelectors[0].matchLabels is "/env"',
    ],
    [
      "a key with an upper-case prefix",
      "discoverySelectors:\n- matchLabels: {'Example.com/env': prod}\n",
      'discoverySelectors[0].matchLabels is "Example.com/env"',
    ],
    [
      "a key with two slashes",
      "discoverySelectors:\n- matchLabels: {'a/b/c': prod}\n",
      'discoverySelectors[0].matchLabels is "a/b/c"',
    ],
    [
      "a matchExpressions key with a space",
      "discoverySelectors:\n- matchExpressions: [{key: 'bad key', operator: Exists}]\n",
      'discoverySelectors[0].matchExpressions[0].key is "bad key"',
    ],
    [
      "a matchExpressions value ending in '-'",
      "discoverySelectors:\n- matchExpressions: [{key: env, operator: In, values: [prod, 'dev-']}]\n",
      "discoverySelectors[0].matchExpressions[0].values is",
    ],
  ])(
    "invalid (%s): input.invalid naming the ConfigMap and field, and istiod keeps every namespace",
    (_n, mesh, field) => {
      const { selectors, problems } = selectorsOf(mesh);
      expect(selectors).toBeNull();
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toContain("ConfigMap istio-system/istio: data.mesh: ");
      expect(problems[0]!.message).toContain(field);
      const s = run([meshConfig(mesh)]);
      expect(
        findingsOf(s, "input.invalid")
          .map((f) => f.message)
          .join("\n"),
      ).toContain(field);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Through the analysis

const SELECT_INJECTED = "discoverySelectors:\n- matchLabels:\n    istio-injection: enabled\n";
const ECHO = host("echo", "ext");
/** An unmeshed echo server in `ext` (its namespace not selected unless labelled), a meshed client in `app`. */
const base = (extLabels: Labels = {}): KubeObject[] => [
  namespace("istio-system"),
  injected("app"),
  deploy("app", "client"),
  namespace("ext", extLabels),
  deploy("ext", "echo", { ports: [9000], annotations: { "sidecar.istio.io/inject": "false" } }),
  service("ext", "echo", [{ port: 9000, name: "tcp" }]),
];
/** The client's own report of a TCP call (the unmeshed server reports nothing). */
const tcpFromClient = (dest: string, name: string, ns: string): TrafficSample => ({
  metric: "istio_tcp_sent_bytes_total",
  labels: {
    reporter: "source",
    source_workload: "client",
    source_workload_namespace: "app",
    destination_service: dest,
    destination_service_name: name,
    destination_service_namespace: ns,
    connection_security_policy: "unknown",
  },
  value: 4,
});
const echoSe = serviceEntry("app", "echo-se", [ECHO], { ports: [9000] });

describe("discoverySelectors: the hosts a caller's istiod sees", () => {
  it("a Service hidden from istiod, named by a MESH_EXTERNAL ServiceEntry: the caller reaches the ServiceEntry (external, unknown), no finding", () => {
    const s = run([...base(), meshConfig(SELECT_INJECTED), echoSe], [tcpFromClient(ECHO, ECHO, "app")]);
    const e = edgeOf(s, "app/client", ECHO)!;
    expect(e.destination).toMatchObject({ namespace: "app", service: "echo-se" });
    expect(e.predicted.verdict).toBe("unknown");
    expect(e.status).toBe("unknown");
    expect(s.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("near miss: the Service's namespace is selected, so the Kubernetes Service wins over the ServiceEntry and the plaintext call warns as before", () => {
    const s = run(
      [...base({ "istio-injection": "enabled" }), meshConfig(SELECT_INJECTED), echoSe],
      [tcpFromClient(ECHO, "echo", "ext")],
    );
    const e = edgeOf(s, "app/client", ECHO)!;
    expect(e.destination).toMatchObject({ namespace: "ext", service: "echo" });
    expect(e.predicted.verdict).toBe("plaintext");
    expect(findingsOf(s, "edge.plaintext")).toHaveLength(1);
  });

  it("a hidden Service no ServiceEntry names: no route or cluster in the caller's proxy, so PassthroughCluster carries plaintext to the Service's endpoints (edge.passthrough, not edge.plaintext)", () => {
    const s = run([...base(), meshConfig(SELECT_INJECTED)], [tcpFromClient(ECHO, "echo", "ext")]);
    const e = edgeOf(s, "app/client", ECHO)!;
    expect(e.destination).toMatchObject({ namespace: "ext", service: "echo", workloads: ["ext/echo"] });
    expect(e.predicted.verdict).toBe("plaintext");
    expect(e.predicted.reason).toContain("discoverySelectors do not select namespace ext");
    expect(findingsOf(s, "edge.plaintext")).toEqual([]);
    expect(findingsOf(s, "edge.passthrough")).toHaveLength(1);
  });

  it("near miss: no discoverySelectors, an empty list and a `{}` selector give byte-identical snapshots", () => {
    const objs = [...base(), echoSe, peerAuth("istio-system", "default", "STRICT")];
    const samples = [tcpFromClient(ECHO, "echo", "ext")];
    const plain = JSON.stringify(run([...objs, meshConfig("{}\n")], samples));
    expect(JSON.stringify(run([...objs, meshConfig("discoverySelectors: []\n")], samples))).toBe(plain);
    expect(JSON.stringify(run([...objs, meshConfig("discoverySelectors:\n- {}\n")], samples))).toBe(plain);
    // The model keeps no view at all then: the hot paths read the model's own indexes.
    expect(
      buildModel({
        objects: loaded([...objs, meshConfig("discoverySelectors: []\n")]),
        configDumps: [],
        problems: [],
      }).discoveryViews.size,
    ).toBe(0);
  });
});

describe("discoverySelectors: Istio config in unselected namespaces (ENABLE_ENHANCED_RESOURCE_SCOPING, on since 1.22)", () => {
  const SRV = host("srv", "b");
  const meshedPair = (rootLabels: Labels) => [
    namespace("istio-system", rootLabels),
    injected("a"),
    injected("b"),
    deploy("a", "client"),
    deploy("b", "srv", { ports: [8080] }),
    service("b", "srv", [{ port: 80, targetPort: 8080 }]),
  ];

  // Istio looks DestinationRules up in the client's, the service's and the root namespace: the root one here.
  it.each([
    [
      "the root namespace not selected: its DestinationRule (DISABLE to srv) is ignored, auto mTLS stands",
      {},
      "mtls",
    ],
    [
      "near miss: the root namespace selected, the DestinationRule applies and the client sends plaintext",
      { "istio-injection": "enabled" },
      "plaintext",
    ],
  ] as [string, Labels, string][])("%s", (_n, rootLabels, verdict) => {
    const s = run(
      [
        ...meshedPair(rootLabels),
        meshConfig(SELECT_INJECTED),
        destRule("istio-system", "srv-off", SRV, tls("DISABLE")),
      ],
      [call("a/client", SRV, verdict === "mtls" ? "mutual_tls" : "none", 5)],
    );
    expect(edgeOf(s, "a/client", SRV)!.predicted.verdict).toBe(verdict);
  });

  it.each([
    [
      "the root namespace unlabelled: istiod ignores its mesh-wide STRICT PeerAuthentication",
      {},
      { mode: "PERMISSIVE", origin: "default" },
    ],
    [
      "near miss: the root namespace selected, mesh-wide STRICT",
      { "istio-injection": "enabled" },
      { mode: "STRICT", origin: "mesh" },
    ],
  ] as [string, Labels, object][])("%s", (_n, rootLabels, mtls) => {
    const s = run([
      ...meshedPair(rootLabels),
      meshConfig(SELECT_INJECTED),
      peerAuth("istio-system", "default", "STRICT"),
    ]);
    expect(workloadOf(s, "b", "srv").mtls).toMatchObject(mtls);
  });

  // The review's point 4: right for istiod >=1.22 only, so the edge's reason says what was taken as ignored.
  it.each([
    [
      "the root namespace unlabelled: the reason names the ignored mesh-wide policy and the 1.22 assumption",
      {},
      true,
      true,
    ],
    [
      "near miss: the root namespace selected, STRICT applies and nothing is said",
      { "istio-injection": "enabled" },
      true,
      false,
    ],
    [
      "near miss: the root namespace unlabelled but holding no PeerAuthentication: nothing to say",
      {},
      false,
      false,
    ],
  ] as [string, Labels, boolean, boolean][])("%s", (_n, rootLabels, withPa, noted) => {
    const objs = [
      ...meshedPair(rootLabels),
      meshConfig(SELECT_INJECTED),
      ...(withPa ? [peerAuth("istio-system", "default", "STRICT")] : []),
    ];
    const reason = edgeOf(run(objs, [call("a/client", SRV, "mutual_tls", 5)]), "a/client", SRV)!.predicted
      .reason;
    if (noted)
      expect(reason).toContain(
        "its istiod ignores mesh-wide PeerAuthentication istio-system/default: its discoverySelectors do not select istio-system, which Istio 1.22+",
      );
    else expect(reason).not.toContain("ignores mesh-wide PeerAuthentication");
  });
});

describe("discoverySelectors per revision", () => {
  it("the canary revision's mesh config hides ext, the default one does not: each caller resolves the host through its own istiod", () => {
    const objs: KubeObject[] = [
      ...base(),
      namespace("canary-app", { "istio.io/rev": "canary" }),
      deploy("canary-app", "client"),
      meshConfig("{}\n"),
      meshConfig(SELECT_INJECTED, "istio-system", "istio-canary"),
      echoSe,
    ];
    const fromCanary: TrafficSample = {
      ...tcpFromClient(ECHO, "echo", "ext"),
      labels: { ...tcpFromClient(ECHO, "echo", "ext").labels, source_workload_namespace: "canary-app" },
    };
    const s = run(objs, [tcpFromClient(ECHO, "echo", "ext"), fromCanary]);
    expect(workloadOf(s, "canary-app", "client").dataplane).toBe("sidecar");
    expect(edgeOf(s, "app/client", ECHO)!.destination).toMatchObject({ namespace: "ext", service: "echo" });
    expect(edgeOf(s, "canary-app/client", ECHO)!.destination).toMatchObject({
      namespace: "app",
      service: "echo-se",
    });
    expect(findingsOf(s, "edge.plaintext").map((f) => f.message.split(" ")[0])).toEqual([
      expect.stringContaining("app/client"),
    ]);
  });
});

// A Service the caller's istiod does not see is no route and no cluster in the caller's proxy: its
// outbound catch-all sends the call to PassthroughCluster (ALLOW_ANY) or BlackHoleCluster
// (REGISTRY_ONLY), istio/istio pilot/pkg/networking/core listener_builder.go
// buildOutboundCatchAllNetworkFiltersOnly and httproute.go buildCatchAllVirtualHost. The server's own
// sidecar (its own revision's istiod) still enforces its PeerAuthentication.
describe("discoverySelectors: a Service hidden from the caller's istiod (client side passthrough, server side known)", () => {
  const SRV = host("srv", "b");
  const SELECT_DISCOVERY = "discoverySelectors:\n- matchLabels:\n    istio-discovery: enabled\n";
  const DISC = { "istio-discovery": "enabled" };
  /** The review's input: istio-system and a selected, b (the server's) only injected. */
  const hiddenSrv = (
    bLabels: Labels = { "istio-injection": "enabled" },
    mesh = SELECT_DISCOVERY,
  ): KubeObject[] => [
    namespace("istio-system", DISC),
    namespace("a", { ...DISC, "istio-injection": "enabled" }),
    namespace("b", bLabels),
    deploy("a", "client"),
    deploy("b", "srv", { ports: [8080] }),
    service("b", "srv", [{ port: 80, targetPort: 8080 }]),
    meshConfig(mesh),
  ];
  const plain = call("a/client", SRV, "none", 10);

  it("PERMISSIVE server: the edge ends at the Service's endpoints, predicted plaintext (passthrough), observed plaintext agrees; edge.passthrough", () => {
    const s = run(hiddenSrv(), [plain]);
    const e = edgeOf(s, "a/client", SRV)!;
    expect(e.destination).toMatchObject({ namespace: "b", service: "srv", workloads: ["b/srv"] });
    expect(e.predicted).toMatchObject({
      verdict: "plaintext",
      client: { tls: "DISABLE", destinationRule: null },
      server: { mode: "PERMISSIVE" },
    });
    expect(e.predicted.reason).toContain("is not seen by the istiod of a/client");
    expect(e.predicted.reason).toContain("PassthroughCluster");
    expect(e.status).toBe("plaintext");
    const f = only(s, "edge.passthrough");
    expect(f.severity).toBe("warning");
    expect(f.fix).toContain("discoverySelectors");
    // The plaintext the server observed is counted against its namespace again.
    expect(
      findingsOf(s, "pa.permissive").find((x) => x.message.startsWith("Namespace b "))!.message,
    ).toContain("plaintext traffic from a/client was observed");
  });

  it("STRICT mesh-wide PeerAuthentication in the selected istio-system: the server's sidecar rejects the passthrough plaintext (broken, plaintext-to-strict)", () => {
    const s = run([...hiddenSrv(), peerAuth("istio-system", "default", "STRICT")], [plain]);
    const e = edgeOf(s, "a/client", SRV)!;
    expect(e.predicted).toMatchObject({ verdict: "broken", server: { mode: "STRICT", origin: "mesh" } });
    expect(e.status).toBe("broken");
    const f = only(s, "edge.plaintext-to-strict");
    expect(f.fix).toContain("discoverySelectors");
    expect(f.fix).not.toContain("Sidecar egress");
  });

  it("REGISTRY_ONLY: BlackHoleCluster, the calls are dropped (broken, edge.passthrough), not MESH_EXTERNAL", () => {
    const s = run(hiddenSrv(undefined, SELECT_DISCOVERY + "outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n"), [
      plain,
    ]);
    const e = edgeOf(s, "a/client", SRV)!;
    expect(e.predicted.verdict).toBe("broken");
    expect(e.predicted.reason).not.toContain("MESH_EXTERNAL");
    expect(e.predicted.reason).toContain("is not seen by the istiod of a/client");
    expect(e.predicted.reason).toContain("REGISTRY_ONLY");
    expect(only(s, "edge.passthrough").severity).toBe("error");
  });

  it("near miss: b selected too, the caller's proxy knows the Service: auto mTLS as usual", () => {
    const s = run(hiddenSrv({ ...DISC, "istio-injection": "enabled" }), [
      call("a/client", SRV, "mutual_tls", 10),
    ]);
    const e = edgeOf(s, "a/client", SRV)!;
    expect(e.predicted).toMatchObject({ verdict: "mtls", client: { tls: "ISTIO_MUTUAL" } });
    expect(findingsOf(s, "edge.passthrough")).toEqual([]);
  });

  it("near miss: an unmeshed caller reaches the hidden Service's endpoints as before (no proxy, no istiod view)", () => {
    const objs = [
      ...hiddenSrv(),
      namespace("c", DISC),
      deploy("c", "plain", { annotations: { "sidecar.istio.io/inject": "false" } }),
    ];
    const s = run(objs, [call("c/plain", SRV, "none", 3)]);
    const e = edgeOf(s, "c/plain", SRV)!;
    expect(e.predicted).toMatchObject({ verdict: "plaintext", client: { tls: "NONE" } });
    expect(e.predicted.reason).not.toContain("istiod");
  });
});
