// findings.md "Istio PeerAuthentication" (incl. mesh.no-strict): each code fires on the case it
// describes, with its severity, the objects it names (in the documented order), a specific message
// and a fix; and stays silent on the nearly identical, correct configuration next to it.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { Completeness, Ref } from "../lib/core/snapshot/schema";
import { analyze } from "../lib/core/snapshot/analyze";
import {
  NOW,
  call,
  deploy,
  depRef,
  findingsOf,
  host,
  injected,
  loaded,
  meshConfig,
  namespace,
  nsRef,
  only,
  peerAuth,
  run,
  service,
  sidecarResource,
  workloadOf,
} from "./kit";

const ambientNs = (name: string) => namespace(name, { "istio.io/dataplane-mode": "ambient" });
const paRef = (ns: string, name: string): Ref => ({ kind: "PeerAuthentication", namespace: ns, name });
const workloadEntry = (ns: string, name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "WorkloadEntry",
  metadata: { name, namespace: ns },
  spec: { address: "10.0.0.9", labels, serviceAccount: "vm" },
});
const T1 = "2026-01-01T00:00:00Z";
const T2 = "2026-02-01T00:00:00Z";
const T3 = "2026-03-01T00:00:00Z";

// A correct sidecar namespace: one workload on 8080 behind Service port 80.
const foo = [
  injected("foo"),
  deploy("foo", "web", { ports: [8080] }),
  service("foo", "web", [{ port: 80, targetPort: 8080 }]),
];

describe("pa.conflict (warning): only the oldest applies; ignored ones first, then the winner", () => {
  it.each([
    {
      scope: "two mesh-wide PAs",
      objs: [
        peerAuth("istio-system", "late", "STRICT", { created: T2 }),
        peerAuth("istio-system", "early", "PERMISSIVE", { created: T1 }),
      ],
      resources: [paRef("istio-system", "late"), paRef("istio-system", "early")],
      mentions: ["istio-system", "istio-system/early", "istio-system/late"],
    },
    {
      scope: "two namespace-wide PAs",
      objs: [
        peerAuth("foo", "late", "STRICT", { created: T2 }),
        peerAuth("foo", "early", "DISABLE", { created: T1 }),
      ],
      resources: [paRef("foo", "late"), paRef("foo", "early")],
      mentions: ["Namespace foo", "foo/early", "foo/late"],
    },
    {
      scope: "two workload PAs selecting the same workload",
      objs: [
        peerAuth("foo", "late", "STRICT", { selector: { app: "web" }, created: T2 }),
        peerAuth("foo", "early", "PERMISSIVE", { selector: { app: "web" }, created: T1 }),
      ],
      resources: [paRef("foo", "late"), paRef("foo", "early")],
      mentions: ["foo/web", "foo/early", "foo/late"],
    },
    {
      scope: "identical timestamps: the name decides (a before b)",
      objs: [
        peerAuth("foo", "b", "STRICT", { created: T1 }),
        peerAuth("foo", "a", "DISABLE", { created: T1 }),
      ],
      resources: [paRef("foo", "b"), paRef("foo", "a")],
      mentions: ["foo/a", "foo/b"],
    },
    {
      scope: "three namespace-wide PAs: both newer ones are ignored, oldest first",
      objs: [
        peerAuth("foo", "c", "STRICT", { created: T3 }),
        peerAuth("foo", "a", "PERMISSIVE", { created: T2 }),
        peerAuth("foo", "z", "DISABLE", { created: T1 }),
      ],
      resources: [paRef("foo", "a"), paRef("foo", "c"), paRef("foo", "z")],
      mentions: ["foo/z", "foo/a", "foo/c", "3 PeerAuthentications"],
    },
  ])("fires for $scope", ({ objs, resources, mentions }) => {
    const f = only(run([...foo, ...objs]), "pa.conflict");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual(resources);
    for (const m of mentions) expect(f.message).toContain(m);
    // The message says which one applies.
    expect(f.message).toMatch(
      new RegExp(
        `applies only the oldest, ${resources[resources.length - 1]!.namespace}/${resources[resources.length - 1]!.name}\\b`,
      ),
    );
  });

  it("the ignored policy really is ignored: the oldest decides the mode", () => {
    const s = run([
      ...foo,
      peerAuth("foo", "late", "STRICT", { created: T2 }),
      peerAuth("foo", "early", "DISABLE", { created: T1 }),
    ]);
    expect(workloadOf(s, "foo", "web").mtls).toMatchObject({
      mode: "DISABLE",
      policy: paRef("foo", "early"),
    });
  });

  it.each([
    {
      miss: "one PA per scope (mesh, namespace, workload) is layering, not a conflict",
      objs: [
        peerAuth("istio-system", "default", "STRICT"),
        peerAuth("foo", "default", "PERMISSIVE"),
        peerAuth("foo", "web", "STRICT", { selector: { app: "web" } }),
      ],
    },
    {
      miss: "two workload PAs selecting different workloads",
      objs: [
        deploy("foo", "api"),
        peerAuth("foo", "web", "STRICT", { selector: { app: "web" } }),
        peerAuth("foo", "api", "PERMISSIVE", { selector: { app: "api" } }),
      ],
    },
    {
      miss: "namespace-wide PAs with the same name in two namespaces",
      objs: [
        injected("bar"),
        deploy("bar", "x"),
        peerAuth("foo", "default", "STRICT"),
        peerAuth("bar", "default", "STRICT"),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run([...foo, ...objs]), "pa.conflict")).toEqual([]);
  });
});

describe("pa.selector-matches-nothing (warning)", () => {
  it.each<{ case: string; selector: Record<string, string>; sel: string }>([
    { case: "a typo in the label value", selector: { app: "wbe" }, sel: "app=wbe" },
    {
      case: "one label of several missing on the workload",
      selector: { app: "web", version: "v1" },
      sel: "app=web,version=v1",
    },
  ])("fires for $case", ({ selector, sel }) => {
    const f = only(
      run([...foo, peerAuth("foo", "web-strict", "STRICT", { selector })]),
      "pa.selector-matches-nothing",
    );
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([paRef("foo", "web-strict")]);
    expect(f.message).toContain("foo/web-strict");
    expect(f.message).toContain(sel);
    expect(f.message).toContain("namespace foo");
  });

  it.each([
    {
      miss: "the selector matches the workload",
      objs: [peerAuth("foo", "web-strict", "STRICT", { selector: { app: "web" } })],
    },
    {
      miss: "every selector label is on the workload (extra workload labels do not matter)",
      objs: [
        deploy("foo", "api", { labels: { version: "v1", tier: "back" } }),
        peerAuth("foo", "api-strict", "STRICT", { selector: { app: "api", version: "v1" } }),
      ],
    },
    {
      // A root-namespace selector PA is reported by pa.root-selector-ignored, not as matching nothing.
      miss: "a selector PA in the root namespace",
      objs: [
        deploy("istio-system", "tool"),
        peerAuth("istio-system", "x", "STRICT", { selector: { app: "nothing" } }),
      ],
    },
    {
      // A VM's WorkloadEntry is a workload the PA applies to.
      miss: "the selector matches a WorkloadEntry (a VM)",
      objs: [
        workloadEntry("foo", "vm1", { app: "legacy-vm" }),
        peerAuth("foo", "vm-strict", "STRICT", { selector: { app: "legacy-vm" } }),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run([...foo, ...objs]), "pa.selector-matches-nothing")).toEqual([]);
  });

  // The workloads a selector could match are not all among the inputs when the reader could not list
  // a kind of them (a 403 on WorkloadEntries, e.g. a ClusterRole older than the reader): say nothing.
  it.each<{ gap: string; c: Omit<Completeness, "message">; fires: boolean }>([
    {
      gap: "WorkloadEntries forbidden in the policy's namespace",
      c: { kind: "WorkloadEntry", namespace: "foo", reason: "forbidden" },
      fires: false,
    },
    {
      gap: "WorkloadEntries forbidden cluster-wide",
      c: { kind: "WorkloadEntry", reason: "forbidden" },
      fires: false,
    },
    {
      gap: "Deployments unreadable in the policy's namespace",
      c: { kind: "Deployment", namespace: "foo", reason: "error" },
      fires: false,
    },
    {
      gap: "WorkloadEntries forbidden in another namespace",
      c: { kind: "WorkloadEntry", namespace: "bar", reason: "forbidden" },
      fires: true,
    },
    {
      gap: "a kind that holds no workloads forbidden",
      c: { kind: "Secret", reason: "forbidden" },
      fires: true,
    },
  ])("with $gap: fires=$fires", ({ c, fires }) => {
    const snap = analyze(
      {
        objects: loaded([...foo, peerAuth("foo", "vm-strict", "STRICT", { selector: { app: "legacy-vm" } })]),
        configDumps: [],
        problems: [],
      },
      { now: NOW, source: { type: "manifests" }, completeness: [{ ...c, message: "403" }] },
    );
    expect(findingsOf(snap, "pa.selector-matches-nothing")).toHaveLength(fires ? 1 : 0);
  });

  it("a WorkloadEntry in another namespace, or with other labels, does not count", () => {
    const objs = [
      workloadEntry("bar", "vm1", { app: "legacy-vm" }),
      workloadEntry("foo", "vm2", { app: "other" }),
      peerAuth("foo", "vm-strict", "STRICT", { selector: { app: "legacy-vm" } }),
    ];
    expect(only(run([...foo, ...objs]), "pa.selector-matches-nothing").resources).toEqual([
      paRef("foo", "vm-strict"),
    ]);
  });
});

describe("pa.root-selector-ignored (warning) [1.2]", () => {
  it.each([
    { case: "default root namespace istio-system", extra: [] as KubeObject[], root: "istio-system" },
    {
      case: "a configured root namespace mesh-root",
      extra: [meshConfig("rootNamespace: mesh-root\n")],
      root: "mesh-root",
    },
  ])("fires for a selector PA in the $case", ({ extra, root }) => {
    const s = run([...foo, ...extra, peerAuth(root, "web-strict", "STRICT", { selector: { app: "web" } })]);
    const f = only(s, "pa.root-selector-ignored");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([paRef(root, "web-strict")]);
    expect(f.message).toContain(`${root}/web-strict`);
    expect(f.message).toContain(`root namespace ${root}`);
    // ...and it is indeed ignored: the workload it targets stays at Istio's default.
    expect(workloadOf(s, "foo", "web").mtls).toMatchObject({ mode: "PERMISSIVE", origin: "default" });
  });

  it.each([
    {
      miss: "the same PA in the workload's namespace",
      objs: [peerAuth("foo", "web-strict", "STRICT", { selector: { app: "web" } })],
    },
    {
      miss: "a root-namespace PA without selector (mesh-wide)",
      objs: [peerAuth("istio-system", "default", "STRICT")],
    },
    {
      miss: "a selector PA in istio-system when the root namespace is mesh-root",
      objs: [
        meshConfig("rootNamespace: mesh-root\n"),
        deploy("istio-system", "tool"),
        peerAuth("istio-system", "tool", "STRICT", { selector: { app: "tool" } }),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run([...foo, ...objs]), "pa.root-selector-ignored")).toEqual([]);
  });
});

describe("pa.port-level-without-selector (error) [1.1]", () => {
  it.each([
    { scope: "namespace-wide", ns: "foo", origin: "namespace" },
    { scope: "mesh-wide", ns: "istio-system", origin: "mesh" },
  ])("fires for a $scope PA with portLevelMtls; the rest of the PA still applies", ({ ns, origin }) => {
    const s = run([...foo, peerAuth(ns, "default", "STRICT", { ports: { "8080": "DISABLE" } })]);
    const f = only(s, "pa.port-level-without-selector");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([paRef(ns, "default")]);
    expect(f.message).toContain(`${ns}/default`);
    expect(f.message).toContain("8080");
    // The port map is ignored, the mode is not: 8080 is STRICT, not DISABLE.
    const web = workloadOf(s, "foo", "web");
    expect(web.mtls).toMatchObject({ mode: "STRICT", origin });
    expect(web.ports).toEqual([{ port: 8080, mode: "STRICT", origin, policy: paRef(ns, "default") }]);
  });

  it("silent: the same portLevelMtls on a PA with a selector", () => {
    const s = run([
      ...foo,
      peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "8080": "PERMISSIVE" } }),
    ]);
    expect(findingsOf(s, "pa.port-level-without-selector")).toEqual([]);
  });
});

describe("pa.port-not-on-workload (warning / info) [1.1, 1.5]", () => {
  it("warning: the key is the Service port 80, which maps to target port 8080", () => {
    const s = run([
      ...foo,
      peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "80": "DISABLE" } }),
    ]);
    const f = only(s, "pa.port-not-on-workload");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([paRef("foo", "web"), depRef("foo", "web")]);
    expect(f.message).toContain("foo/web");
    expect(f.message).toContain("port 80");
    expect(f.message).toContain("did you mean 8080?");
    expect(f.fix).toContain("8080");
  });

  it("warning: a named targetPort is resolved through the container port name", () => {
    const s = run([
      injected("foo"),
      deploy("foo", "web", { ports: [{ port: 8080, name: "web-http" }] }),
      service("foo", "web", [{ port: 80, targetPort: "web-http" }]),
      peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "80": "DISABLE" } }),
    ]);
    const f = only(s, "pa.port-not-on-workload");
    expect(f.severity).toBe("warning");
    expect(f.message).toContain("did you mean 8080?");
  });

  it("info: a key that is none of the declared container ports (and no Service port)", () => {
    const s = run([
      ...foo,
      peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "9090": "PERMISSIVE" } }),
    ]);
    const f = only(s, "pa.port-not-on-workload");
    expect(f.severity).toBe("info");
    expect(f.resources).toEqual([paRef("foo", "web"), depRef("foo", "web")]);
    expect(f.message).toContain("port 9090");
    expect(f.message).toContain("foo/web");
    expect(f.message).toContain("8080"); // what it does declare
  });

  it.each([
    {
      miss: "the key is the right target port",
      objs: [
        ...foo,
        peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "8080": "DISABLE" } }),
      ],
    },
    {
      miss: "the workload declares no ports (the key may well be real)",
      objs: [
        injected("foo"),
        deploy("foo", "web"),
        peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "9090": "DISABLE" } }),
      ],
    },
    {
      miss: "an undeclared container port that a Service targets",
      objs: [
        ...foo,
        service("foo", "web-admin", [{ port: 90, targetPort: 9090, name: "http-admin" }], {
          selector: { app: "web" },
        }),
        peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "9090": "PERMISSIVE" } }),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "pa.port-not-on-workload")).toEqual([]);
  });
});

describe("pa.no-proxy (warning)", () => {
  const plain = [namespace("plain"), deploy("plain", "app"), deploy("plain", "batch")];

  it.each([
    {
      scope: "a workload PA selecting a workload without proxy",
      pa: peerAuth("plain", "app-strict", "STRICT", { selector: { app: "app" } }),
      resources: [paRef("plain", "app-strict"), depRef("plain", "app")],
      mentions: ["plain/app-strict", "plain/app"],
    },
    {
      scope: "a namespace-wide PA over a namespace without proxies",
      pa: peerAuth("plain", "default", "STRICT"),
      resources: [paRef("plain", "default"), depRef("plain", "app"), depRef("plain", "batch")],
      mentions: ["plain/default", "plain/app", "plain/batch"],
    },
  ])("fires for $scope", ({ pa, resources, mentions }) => {
    const s = run([...plain, pa]);
    const f = only(s, "pa.no-proxy");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual(resources);
    for (const m of mentions) expect(f.message).toContain(m);
    // Their modes do not pretend the policy is enforced (contract §1.1).
    expect(workloadOf(s, "plain", "app").mtls).toMatchObject({ mode: "NONE", origin: "no-proxy" });
  });

  it.each([
    {
      miss: "the same workload PA in an injected namespace",
      objs: [...foo, peerAuth("foo", "web-strict", "STRICT", { selector: { app: "web" } })],
    },
    {
      miss: "a namespace-wide PA over a namespace where one workload has a proxy",
      objs: [
        namespace("mixed"),
        deploy("mixed", "app"),
        deploy("mixed", "meshed", { labels: { "sidecar.istio.io/inject": "true" } }),
        peerAuth("mixed", "default", "STRICT"),
      ],
    },
    {
      // Istio's install steps: the mesh-wide default comes before any application is injected.
      miss: "the mesh-wide PA of a fresh mesh, where it covers only istiod and proxy-less workloads",
      objs: [
        namespace("istio-system"),
        deploy("istio-system", "istiod", { labels: { app: "istiod" }, containers: ["discovery"] }),
        ...plain,
        peerAuth("istio-system", "default", "STRICT"),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "pa.no-proxy")).toEqual([]);
  });
});

describe("pa.disable (warning)", () => {
  it.each([
    {
      scope: "namespace-wide DISABLE",
      objs: [peerAuth("foo", "default", "DISABLE")],
      pa: paRef("foo", "default"),
      what: "foo/web",
    },
    {
      scope: "mesh-wide DISABLE",
      objs: [peerAuth("istio-system", "default", "DISABLE")],
      pa: paRef("istio-system", "default"),
      what: "foo/web",
    },
    {
      scope: "workload DISABLE",
      objs: [peerAuth("foo", "web", "DISABLE", { selector: { app: "web" } })],
      pa: paRef("foo", "web"),
      what: "foo/web",
    },
    {
      scope: "port-level DISABLE on a declared container port",
      objs: [peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "8080": "DISABLE" } })],
      pa: paRef("foo", "web"),
      what: "foo/web port 8080",
    },
    {
      // Every workload has its own STRICT policy, but auto mTLS still reads the namespace's DISABLE.
      scope: "namespace-wide DISABLE that no workload inherits",
      objs: [
        peerAuth("foo", "default", "DISABLE"),
        peerAuth("foo", "web", "STRICT", { selector: { app: "web" } }),
      ],
      pa: paRef("foo", "default"),
      what: "namespace foo: auto mTLS makes sidecar clients send plaintext",
    },
  ])("fires for $scope", ({ objs, pa, what }) => {
    const f = only(run([...foo, ...objs]), "pa.disable");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([pa]);
    expect(f.message).toContain(`${pa.namespace}/${pa.name}`);
    expect(f.message).toContain(what);
  });

  it("fires for port-level DISABLE on a port only a Service targets (not declared)", () => {
    const s = run([
      injected("foo"),
      deploy("foo", "web"),
      service("foo", "web", [{ port: 80, targetPort: 8080 }]),
      peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "8080": "DISABLE" } }),
    ]);
    const f = only(s, "pa.disable");
    expect(f.resources).toEqual([paRef("foo", "web")]);
    expect(f.message).toContain("foo/web port 8080");
  });

  it.each([
    {
      miss: "port-level DISABLE on a port the workload does not have",
      objs: [
        ...foo,
        peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "9999": "DISABLE" } }),
      ],
    },
    {
      miss: "DISABLE on an ambient namespace (ztunnel counts it as PERMISSIVE: pa.ambient-disable-ignored)",
      objs: [ambientNs("amb"), deploy("amb", "app"), peerAuth("amb", "default", "DISABLE")],
    },
    { miss: "PERMISSIVE instead of DISABLE", objs: [...foo, peerAuth("foo", "default", "PERMISSIVE")] },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "pa.disable")).toEqual([]);
  });
});

describe("pa.permissive (info / warning)", () => {
  const legacy = [namespace("legacy"), deploy("legacy", "app")];
  const web = host("web", "foo");

  it.each([
    {
      case: "Istio's default (no PA): names the Namespace",
      objs: [] as KubeObject[],
      resources: [nsRef("foo")],
      mentions: ["Namespace foo", "default"],
    },
    {
      case: "an explicit namespace PERMISSIVE PA: names the PA",
      objs: [peerAuth("foo", "default", "PERMISSIVE")],
      resources: [paRef("foo", "default")],
      mentions: ["Namespace foo", "foo/default"],
    },
    {
      case: "a mesh-wide PERMISSIVE PA inherited by the namespace: names that PA",
      objs: [peerAuth("istio-system", "default", "PERMISSIVE")],
      resources: [paRef("istio-system", "default")],
      mentions: ["Namespace foo", "istio-system/default"],
    },
  ])("info without observed plaintext: $case", ({ objs, resources, mentions }) => {
    const f = only(run([...foo, ...objs]), "pa.permissive");
    expect(f.severity).toBe("info");
    expect(f.resources).toEqual(resources);
    for (const m of mentions) expect(f.message).toContain(m);
    expect(f.message).toContain("ready for STRICT");
    expect(f.message).not.toContain("not ready");
  });

  it("info, still, when the only observed traffic is mTLS", () => {
    const s = run([...foo, deploy("foo", "client")], [call("foo/client", web, "mutual_tls")]);
    const f = only(s, "pa.permissive");
    expect(f.severity).toBe("info");
    expect(f.message).toContain("ready for STRICT");
  });

  it("info, not ready for STRICT: plaintext is predicted (a client without proxy), though none is observed", () => {
    const s = run([...foo, ...legacy], [call("legacy/app", web, "unknown", 1, { reporter: "source" })]);
    const f = only(s, "pa.permissive");
    expect(f.severity).toBe("info");
    expect(f.message).toContain("not ready for STRICT");
  });

  it.each([
    { case: "a client without proxy", src: "legacy/app", who: "legacy/app" },
    { case: "a caller outside the mesh", src: null, who: "callers outside the mesh" },
  ])("warning with observed plaintext from $case: names the client", ({ src, who }) => {
    const s = run([...foo, ...legacy], [call(src, web, "none", 7)]);
    const f = only(s, "pa.permissive");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([nsRef("foo")]);
    expect(f.message).toContain("Namespace foo");
    expect(f.message).toContain(who);
    expect(f.message).toContain("break under STRICT");
    expect(f.fix).toContain(who);
  });

  it("a workload whose own policy is PERMISSIVE in a STRICT namespace: one finding for it, naming its PA and the workload", () => {
    const objs = [
      ...foo,
      deploy("foo", "api"),
      peerAuth("foo", "default", "STRICT"),
      peerAuth("foo", "web", "PERMISSIVE", { selector: { app: "web" } }),
    ];
    const quiet = only(run(objs), "pa.permissive");
    expect(quiet.severity).toBe("info");
    expect(quiet.resources).toEqual([paRef("foo", "web"), depRef("foo", "web")]);
    expect(quiet.message).toContain("Workload foo/web");
    expect(quiet.message).toContain("foo/web");

    const loud = only(run([...objs, ...legacy], [call("legacy/app", web, "none")]), "pa.permissive");
    expect(loud.severity).toBe("warning");
    expect(loud.resources).toEqual([paRef("foo", "web"), depRef("foo", "web")]);
    expect(loud.message).toContain("legacy/app");
  });

  it("a workload whose own PA is PERMISSIVE in a namespace that is PERMISSIVE too is still reported, naming its PA and its plaintext clients", () => {
    const s = run(
      [...foo, ...legacy, peerAuth("foo", "web", "PERMISSIVE", { selector: { app: "web" } })],
      [call("legacy/app", web, "none", 5)],
    );
    const f = only(s, "pa.permissive");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([paRef("foo", "web"), depRef("foo", "web")]);
    expect(f.message).toContain("foo/web");
    expect(f.message).toContain("legacy/app");
  });

  it.each([
    { miss: "namespace STRICT", objs: [...foo, peerAuth("foo", "default", "STRICT")] },
    { miss: "mesh STRICT", objs: [...foo, peerAuth("istio-system", "default", "STRICT")] },
    {
      miss: "a namespace without any Istio proxy (nothing accepts anything: pa.no-proxy territory)",
      objs: [...legacy, peerAuth("istio-system", "default", "STRICT")],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "pa.permissive")).toEqual([]);
  });
});

describe("pa.ambient-disable-ignored (warning) [9.10]", () => {
  it.each([
    {
      scope: "namespace-wide DISABLE",
      pa: peerAuth("amb", "default", "DISABLE"),
      ref: paRef("amb", "default"),
    },
    {
      scope: "workload DISABLE",
      pa: peerAuth("amb", "app", "DISABLE", { selector: { app: "app" } }),
      ref: paRef("amb", "app"),
    },
    {
      scope: "port-level DISABLE",
      pa: peerAuth("amb", "app", "STRICT", { selector: { app: "app" }, ports: { "8080": "DISABLE" } }),
      ref: paRef("amb", "app"),
    },
  ])("fires for $scope on an ambient workload", ({ pa, ref }) => {
    const s = run([ambientNs("amb"), deploy("amb", "app", { ports: [8080] }), pa]);
    const f = only(s, "pa.ambient-disable-ignored");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([ref]);
    expect(f.message).toContain(`${ref.namespace}/${ref.name}`);
    expect(f.message).toContain("amb/app");
    expect(f.message).toContain("ambient");
    // Not also pa.disable: the DISABLE has no effect.
    expect(findingsOf(s, "pa.disable")).toEqual([]);
    // The mode resolves as if the DISABLE were absent.
    for (const p of workloadOf(s, "amb", "app").ports) expect(p.mode).not.toBe("DISABLE");
  });

  it("counts as PERMISSIVE, as istiod converts it for ztunnel: a namespace DISABLE under a mesh STRICT leaves the workload PERMISSIVE", () => {
    const s = run([
      ambientNs("amb"),
      deploy("amb", "app"),
      peerAuth("istio-system", "default", "STRICT"),
      peerAuth("amb", "default", "DISABLE"),
    ]);
    const f = only(s, "pa.ambient-disable-ignored");
    expect(f.message).toContain("counts it as PERMISSIVE");
    expect(workloadOf(s, "amb", "app").mtls).toMatchObject({
      mode: "PERMISSIVE",
      origin: "namespace",
      policy: paRef("amb", "default"),
    });
    // And it is what pa.permissive then reports for the namespace.
    expect(findingsOf(s, "pa.permissive").map((x) => x.resources[0])).toEqual([paRef("amb", "default")]);
  });

  it("a port entry names the port and what it resolves to; a namespace-wide port map is not counted", () => {
    const s = run([
      ambientNs("amb"),
      deploy("amb", "app", { ports: [8080, 9090] }),
      peerAuth("amb", "app", "STRICT", { selector: { app: "app" }, ports: { "9090": "DISABLE" } }),
    ]);
    const f = only(s, "pa.ambient-disable-ignored");
    expect(f.message).toContain("sets DISABLE for port 9090");
    expect(f.message).toContain("port 9090 is PERMISSIVE");
    const ports = workloadOf(s, "amb", "app").ports;
    expect(ports.find((p) => p.port === 9090)?.mode).toBe("PERMISSIVE");
    expect(ports.find((p) => p.port === 8080)?.mode).toBe("STRICT");
    const nsWide = run([
      ambientNs("amb"),
      deploy("amb", "app", { ports: [8080] }),
      peerAuth("amb", "default", "STRICT", { ports: { "8080": "DISABLE" } }),
    ]);
    expect(findingsOf(nsWide, "pa.ambient-disable-ignored")).toEqual([]);
    expect(findingsOf(nsWide, "pa.port-level-without-selector")).toHaveLength(1);
  });

  it.each([
    {
      miss: "the same DISABLE in a sidecar namespace (pa.disable instead)",
      objs: [...foo, peerAuth("foo", "default", "DISABLE")],
    },
    {
      miss: "STRICT on an ambient namespace",
      objs: [ambientNs("amb"), deploy("amb", "app"), peerAuth("amb", "default", "STRICT")],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "pa.ambient-disable-ignored")).toEqual([]);
  });
});

describe("mesh.no-strict (info)", () => {
  it.each([
    {
      case: "no mesh-wide PA: names the root Namespace",
      objs: [] as KubeObject[],
      resources: [nsRef("istio-system")],
      mentions: ["no mesh-wide PeerAuthentication", "istio-system"],
    },
    {
      case: "a mesh-wide PERMISSIVE PA",
      objs: [peerAuth("istio-system", "default", "PERMISSIVE")],
      resources: [paRef("istio-system", "default")],
      mentions: ["istio-system/default", "PERMISSIVE"],
    },
    {
      case: "two mesh-wide PAs: the older PERMISSIVE one applies, the newer STRICT one is ignored",
      objs: [
        peerAuth("istio-system", "strict", "STRICT", { created: T2 }),
        peerAuth("istio-system", "old", "PERMISSIVE", { created: T1 }),
      ],
      resources: [paRef("istio-system", "old")],
      mentions: ["istio-system/old", "PERMISSIVE"],
    },
    {
      case: "STRICT in istio-system while the root namespace is mesh-root",
      objs: [meshConfig("rootNamespace: mesh-root\n"), peerAuth("istio-system", "default", "STRICT")],
      resources: [nsRef("mesh-root")],
      mentions: ["mesh-root"],
    },
  ])("fires: $case", ({ objs, resources, mentions }) => {
    const f = only(run([...foo, ...objs]), "mesh.no-strict");
    expect(f.severity).toBe("info");
    expect(f.resources).toEqual(resources);
    for (const m of mentions) expect(f.message).toContain(m);
  });

  it.each([
    { miss: "a mesh-wide STRICT PA", objs: [...foo, peerAuth("istio-system", "default", "STRICT")] },
    {
      miss: "a mesh-wide STRICT PA in a configured root namespace",
      objs: [...foo, meshConfig("rootNamespace: mesh-root\n"), peerAuth("mesh-root", "default", "STRICT")],
    },
    {
      miss: "no Istio in the inputs at all",
      objs: [namespace("plain"), deploy("plain", "app"), service("plain", "app", [80])],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "mesh.no-strict")).toEqual([]);
  });
});

// crdclient objectInRevision: a config object labelled istio.io/rev is read only by that revision's
// istiod; one without the label by every istiod. Proxies of no revision belong to istiod "default".
describe("istio.io/rev on PeerAuthentications and DestinationRules", () => {
  const labelled = <T extends KubeObject>(o: T, rev: string): T => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), "istio.io/rev": rev } },
  });
  const canaryNs = namespace("can", { "istio.io/rev": "canary" });
  const objs = [
    ...foo,
    canaryNs,
    deploy("can", "api"),
    labelled(peerAuth("foo", "default", "STRICT"), "canary"),
    labelled(peerAuth("can", "default", "STRICT"), "canary"),
  ];

  it("a PA labelled for another revision does not apply; one labelled for the workload's revision does", () => {
    const s = run(objs);
    expect(workloadOf(s, "foo", "web").mtls).toMatchObject({ mode: "PERMISSIVE", origin: "default" });
    expect(workloadOf(s, "can", "api").mtls).toMatchObject({
      mode: "STRICT",
      origin: "namespace",
      policy: paRef("can", "default"),
    });
  });

  it("istio.io/rev=default is the default istiod's", () => {
    const s = run([...foo, labelled(peerAuth("foo", "default", "STRICT"), "default")]);
    expect(workloadOf(s, "foo", "web").mtls.mode).toBe("STRICT");
  });

  it("a DR labelled for another revision is not what the client's istiod applies", () => {
    const dr = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "web", namespace: "foo", labels: { "istio.io/rev": "canary" } },
      spec: { host: "web", trafficPolicy: { tls: { mode: "DISABLE" } } },
    };
    const s = run(
      [...foo, injected("a"), deploy("a", "client"), dr],
      [call("a/client", host("web", "foo"), "mutual_tls", 1)],
    );
    expect(s.edges[0]!.predicted.client).toMatchObject({ tls: "ISTIO_MUTUAL", destinationRule: null });
  });

  it("a Sidecar labelled for another revision does not scope the client's egress", () => {
    const sc = labelled(sidecarResource("a", "default", ["./*"], "REGISTRY_ONLY"), "canary");
    const s = run(
      [...foo, injected("a"), deploy("a", "client"), sc],
      [call("a/client", host("web", "foo"), "mutual_tls", 1)],
    );
    expect(s.edges[0]!.predicted.verdict).toBe("mtls");
    const own = run(
      [...foo, injected("a"), deploy("a", "client"), labelled(sc, "default")],
      [call("a/client", host("web", "foo"), "mutual_tls", 1)],
    );
    expect(own.edges[0]!.predicted.verdict).toBe("broken");
  });
});
