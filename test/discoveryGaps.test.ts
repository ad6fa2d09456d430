// discoverySelectors and revisions, the gaps left by "Discovery selectors and revisions: delegates,
// tag-labelled namespace policies, mesh.no-strict per revision, one reader" (docs/DECISIONS.md, "Discovery
// selectors and revisions: the edge's ignored namespace policy, ambient mesh.no-strict"). Every case
// beside its near miss.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { call, deploy, edgeOf, findingsOf, host, meshConfig, namespace, peerAuth, run, service } from "./kit";
import { stableTagMesh } from "./support/revisionKit";

type Labels = Record<string, string>;
const labelled = (o: KubeObject, labels: Labels): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), ...labels } },
});

// ---------------------------------------------------------------------------------------------
// 1. The edge's server phrase names the policy its istiod ignores exactly where pa.permissive does
//    (resolve/peerAuthentication.ts ignoredPolicyFor): the namespace's own tag-labelled policy when the
//    mesh-wide policy or Istio's default decides, else at Istio's default the ignored mesh-wide one.

describe("the edge's server phrase names the namespace's tag-labelled policy, as pa.permissive does", () => {
  const SRV = host("srv", "b");
  const objs = (meshMode: string | null, nsPa: KubeObject | null, extra: KubeObject[] = []): KubeObject[] => [
    ...stableTagMesh(),
    ...(meshMode === null ? [] : [peerAuth("istio-system", "default", meshMode)]),
    ...(nsPa === null ? [] : [nsPa]),
    ...extra,
  ];
  const TAG =
    "no istiod reads namespace-wide PeerAuthentication b/default, whose istio.io/rev label names the revision tag prod-stable, not a revision: istiod compares the raw label (istio/istio#51582)";
  const tagged = (mode: string) =>
    labelled(peerAuth("b", "default", mode), { "istio.io/rev": "prod-stable" });
  const reasonOf = (o: KubeObject[]) =>
    edgeOf(run(o, [call("a/client", SRV, "mutual_tls", 5)]), "a/client", SRV)!.predicted.reason;
  const permissiveB = (o: KubeObject[]) =>
    findingsOf(run(o), "pa.permissive")
      .filter((f) => f.message.startsWith("Namespace b"))
      .map((f) => f.message);

  it.each([
    {
      case: "a PERMISSIVE mesh policy decides: named inside its parentheses",
      meshMode: "PERMISSIVE",
      nsPa: tagged("STRICT"),
      says: `b/srv port 8080 is PERMISSIVE by PeerAuthentication istio-system/default (mesh; ${TAG}): `,
    },
    {
      case: "Istio's default decides (no mesh policy): named after it",
      meshMode: null,
      nsPa: tagged("STRICT"),
      says: `b/srv port 8080 is PERMISSIVE by Istio's default (${TAG}): `,
    },
    {
      case: "a STRICT mesh policy decides: the PERMISSIVE one it ignores is named too",
      meshMode: "STRICT",
      nsPa: tagged("PERMISSIVE"),
      says: `b/srv port 8080 is STRICT by PeerAuthentication istio-system/default (mesh; ${TAG}): `,
    },
    {
      case: "near miss: no policy of its own: the mesh policy alone",
      meshMode: "PERMISSIVE",
      nsPa: null,
      says: "b/srv port 8080 is PERMISSIVE by PeerAuthentication istio-system/default (mesh): ",
    },
    {
      case: "near miss: labelled with the revision itself, read: it decides",
      meshMode: "PERMISSIVE",
      nsPa: labelled(peerAuth("b", "default", "STRICT"), { "istio.io/rev": "1-29" }),
      says: "b/srv port 8080 is STRICT by PeerAuthentication b/default (namespace): ",
    },
    {
      case: "near miss: labelled with a revision no tag names: the mesh policy alone",
      meshMode: "PERMISSIVE",
      nsPa: labelled(peerAuth("b", "default", "STRICT"), { "istio.io/rev": "1-30" }),
      says: "b/srv port 8080 is PERMISSIVE by PeerAuthentication istio-system/default (mesh): ",
    },
  ])("$case", ({ meshMode, nsPa, says }) => {
    expect(reasonOf(objs(meshMode, nsPa))).toContain(says);
  });

  it("near miss: a workload policy decides: nothing ignored is named", () => {
    const own = peerAuth("b", "srv-only", "PERMISSIVE", { selector: { app: "srv" } });
    expect(reasonOf(objs("STRICT", tagged("STRICT"), [own]))).toContain(
      "b/srv port 8080 is PERMISSIVE by PeerAuthentication b/srv-only (workload): ",
    );
  });

  it.each([
    { meshMode: "PERMISSIVE", nsPa: tagged("STRICT") },
    { meshMode: null, nsPa: tagged("STRICT") },
    { meshMode: "PERMISSIVE", nsPa: null },
  ])("the edge and pa.permissive name the same policy (mesh $meshMode)", ({ meshMode, nsPa }) => {
    const o = objs(meshMode, nsPa);
    const named = nsPa !== null;
    expect(reasonOf(o).includes(TAG)).toBe(named);
    expect(permissiveB(o).map((m) => m.includes(TAG))).toEqual([named]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. mesh.no-strict for ambient workloads reads what istiod hands ztunnel: a root-namespace policy
//    reaches other namespaces only when its selector is nil (ambient/workloads.go
//    `fetchPeerAuthentications`); `selector: {}` is mesh-wide for sidecars only (buildPaIndex's
//    rootNamespaceOnly).

describe("mesh.no-strict for ambient workloads: a root `selector: {}` policy is not mesh-wide for ztunnel", () => {
  const SRV = host("srv", "b");
  const emptySel = (name: string, mode: string) => peerAuth("istio-system", name, mode, { selector: {} });
  const objs = (pas: KubeObject[], o: { ambient?: boolean; sidecar?: boolean } = {}): KubeObject[] => [
    namespace("istio-system"),
    ...(o.ambient === false
      ? []
      : [
          namespace("b", { "istio.io/dataplane-mode": "ambient" }),
          deploy("b", "srv", { ports: [8080] }),
          service("b", "srv", [{ port: 80, targetPort: 8080 }]),
        ]),
    ...(o.sidecar ? [namespace("s", { "istio-injection": "enabled" }), deploy("s", "app")] : []),
    meshConfig("{}\n"),
    ...pas,
  ];
  const noStrict = (o: KubeObject[]) =>
    findingsOf(run(o), "mesh.no-strict").map((f) => ({
      message: f.message,
      resources: f.resources,
      fix: f.fix,
    }));
  const PA = { kind: "PeerAuthentication", namespace: "istio-system", name: "default" };
  const ROOT = { kind: "Namespace", name: "istio-system" };
  const ONLY_ROOT =
    "istiod gives ztunnel a root-namespace policy as mesh-wide only when it has no selector at all, so it covers only istio-system's own workloads, and ambient workloads elsewhere without their own policy accept plaintext (PERMISSIVE).";

  it("ambient workloads alone under a STRICT `selector: {}` root policy: reported, the fix its selector", () => {
    expect(noStrict(objs([emptySel("default", "STRICT")]))).toEqual([
      {
        message: `The root-namespace PeerAuthentication istio-system/default is STRICT but has an empty selector (selector: {}): ${ONLY_ROOT}`,
        resources: [PA, ROOT],
        fix: "Remove spec.selector from istio-system/default (without one it is mesh-wide for sidecars and ztunnel alike).",
      },
    ]);
  });

  it("ambient and sidecar workloads on one revision: the ambient ones named, the sidecars' STRICT view after", () => {
    expect(noStrict(objs([emptySel("default", "STRICT")], { sidecar: true }))).toEqual([
      {
        message: `For the ambient workloads on revision default, the root-namespace PeerAuthentication istio-system/default is STRICT but has an empty selector (selector: {}): ${ONLY_ROOT} The default istiod reads a STRICT one for sidecar workloads.`,
        resources: [PA, ROOT],
        fix: "Remove spec.selector from istio-system/default (without one it is mesh-wide for sidecars and ztunnel alike).",
      },
    ]);
  });

  it("a PERMISSIVE `selector: {}` root policy: judged by its mode, the fix the mode and the selector (reviews/dsel2.md #5)", () => {
    expect(noStrict(objs([emptySel("default", "PERMISSIVE")])).map((f) => f.fix)).toEqual([
      "Once every client has a proxy, set istio-system/default's mtls.mode to STRICT, and remove its spec.selector (selector: {}): istiod gives ztunnel a root-namespace policy as mesh-wide only without a selector.",
    ]);
  });

  it("beside a nil-selector PERMISSIVE policy: ztunnel reads that one (the sidecars the older `selector: {}` one)", () => {
    expect(
      noStrict(objs([emptySel("default", "STRICT"), peerAuth("istio-system", "nil", "PERMISSIVE")])).map(
        (f) => f.message,
      ),
    ).toEqual([
      "The mesh-wide PeerAuthentication istio-system/nil is PERMISSIVE, not STRICT: workloads without their own STRICT policy accept plaintext.",
    ]);
  });

  it.each([
    {
      case: "near miss: a nil selector: STRICT for ztunnel too, silent",
      objs: objs([peerAuth("istio-system", "default", "STRICT")], { sidecar: true }),
    },
    {
      case: "near miss: sidecar workloads only: `selector: {}` is mesh-wide for them, silent",
      objs: objs([emptySel("default", "STRICT")], { ambient: false, sidecar: true }),
    },
    {
      case: "near miss: a nil-selector STRICT policy beside the `selector: {}` one: silent",
      objs: objs(
        [
          peerAuth("istio-system", "default", "PERMISSIVE", {
            selector: {},
            created: "2021-01-01T00:00:00Z",
          }),
          peerAuth("istio-system", "mesh", "STRICT", { created: "2020-01-01T00:00:00Z" }),
        ],
        { sidecar: true },
      ),
    },
  ])("$case", ({ objs: o }) => {
    expect(noStrict(o)).toEqual([]);
  });

  it("the edge to an ambient server agrees: PERMISSIVE under the `selector: {}` policy, STRICT under a nil one", () => {
    const reason = (o: KubeObject[]) =>
      edgeOf(
        run(
          [...o, namespace("a", { "istio.io/dataplane-mode": "ambient" }), deploy("a", "client")],
          [call("a/client", SRV, "mutual_tls", 5)],
        ),
        "a/client",
        SRV,
      )!.predicted.reason;
    expect(reason(objs([emptySel("default", "STRICT")]))).toContain(
      "b/srv (ambient) port 8080 is PERMISSIVE by Istio's default",
    );
    expect(reason(objs([peerAuth("istio-system", "default", "STRICT")]))).toContain(
      "b/srv (ambient) port 8080 is STRICT by PeerAuthentication istio-system/default (mesh)",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. pa.conflict per istiod: each composes only the policies it reads (crdclient `inRevision`, its
//    discoverySelectors), so a pair one istiod reads may be a single policy for another. The default view
//    as before; another revision's conflicts in the namespaces its workloads are in, naming its istiod.

describe("pa.conflict per istiod revision", () => {
  const withRev = (o: KubeObject, rev: string) => labelled(o, { "istio.io/rev": rev });
  const objs = (pas: KubeObject[], bOn: "default" | "canary"): KubeObject[] => [
    namespace("istio-system"),
    namespace("b", bOn === "canary" ? { "istio.io/rev": "canary" } : { "istio-injection": "enabled" }),
    namespace("c", { "istio.io/rev": "canary" }),
    deploy("b", "srv"),
    deploy("c", "app"),
    meshConfig("{}\n"),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    peerAuth("istio-system", "default", "STRICT"),
    ...pas,
  ];
  const conflicts = (o: KubeObject[]) => findingsOf(run(o), "pa.conflict").map((f) => f.message);
  const p1 = peerAuth("b", "p1", "STRICT", { created: "2020-01-01T00:00:00Z" });
  const p2 = peerAuth("b", "p2", "PERMISSIVE", { created: "2021-01-01T00:00:00Z" });

  it("one labelled canary, one unlabelled, b on the canary: the canary's istiod reads both", () => {
    expect(conflicts(objs([withRev(p1, "canary"), p2], "canary"))).toEqual([
      "Namespace b has 2 PeerAuthentications; the istiod of revision canary reads them all and applies only the oldest, b/p1, and ignores b/p2.",
    ]);
  });

  it("both labelled canary, b on the canary: the default istiod reads neither, the canary's both", () => {
    expect(conflicts(objs([withRev(p1, "canary"), withRev(p2, "canary")], "canary"))).toEqual([
      "Namespace b has 2 PeerAuthentications; the istiod of revision canary reads them all and applies only the oldest, b/p1, and ignores b/p2.",
    ]);
  });

  it.each([
    {
      case: "near miss: b on the default revision (the canary's workloads elsewhere): no proxy of the canary's meets it",
      pas: [withRev(p1, "canary"), p2],
      bOn: "default" as const,
      want: [],
    },
    {
      case: "near miss: both unlabelled: one finding, worded as for one istiod",
      pas: [p1, p2],
      bOn: "canary" as const,
      want: ["Namespace b has 2 PeerAuthentications; Istio applies only the oldest, b/p1, and ignores b/p2."],
    },
    {
      case: "near miss: one labelled canary, one labelled default, b on the canary: each istiod reads one",
      pas: [withRev(p1, "canary"), withRev(p2, "default")],
      bOn: "canary" as const,
      want: [],
    },
  ])("$case", ({ pas, bOn, want }) => {
    expect(conflicts(objs(pas, bOn))).toEqual(want);
  });
});

// 3b. The rules that judge a policy on its own speak for every policy an istiod with workloads reads,
//     not only the default istiod's: a policy labelled for the canary is read (and judged) by the canary's.

describe("pa.selector-matches-nothing and pa.root-selector-ignored for policies only another istiod reads", () => {
  const objs = (pas: KubeObject[], canary: { workloads?: boolean; mesh?: string } = {}): KubeObject[] => [
    namespace("istio-system"),
    namespace("istio-config"),
    namespace("b", { "istio-injection": "enabled" }),
    namespace("c", { "istio.io/rev": "canary" }),
    deploy("b", "srv"),
    ...(canary.workloads === false ? [] : [deploy("c", "app")]),
    meshConfig("{}\n"),
    meshConfig(canary.mesh ?? "{}\n", "istio-system", "istio-canary"),
    peerAuth("istio-system", "default", "STRICT"),
    ...pas,
  ];
  const codes = (o: KubeObject[], code: string) =>
    findingsOf(run(o), code).map((f) => f.resources.map((r) => `${r.namespace}/${r.name}`).join(","));
  const canaryOnly = (o: KubeObject) => labelled(o, { "istio.io/rev": "canary" });
  const nothing = canaryOnly(peerAuth("b", "nothing", "STRICT", { selector: { app: "nope" } }));
  const rootSel = canaryOnly(peerAuth("istio-system", "rootsel", "STRICT", { selector: { app: "srv" } }));

  it.each([
    {
      case: "a policy labelled canary selecting nothing, the canary with workloads: reported",
      pas: [nothing],
      canary: {},
      code: "pa.selector-matches-nothing",
      want: ["b/nothing"],
    },
    {
      case: "near miss: no workload on the canary: no istiod with workloads reads it",
      pas: [nothing],
      canary: { workloads: false },
      code: "pa.selector-matches-nothing",
      want: [],
    },
    {
      case: "near miss: unlabelled: reported once, from the default view",
      pas: [peerAuth("b", "nothing", "STRICT", { selector: { app: "nope" } })],
      canary: {},
      code: "pa.selector-matches-nothing",
      want: ["b/nothing"],
    },
    {
      case: "a root policy with a selector labelled canary: the canary's istiod ignores it",
      pas: [rootSel],
      canary: {},
      code: "pa.root-selector-ignored",
      want: ["istio-system/rootsel"],
    },
    {
      case: "near miss: the canary's root namespace is another: not a root policy for it",
      pas: [rootSel],
      canary: { mesh: "rootNamespace: istio-config\n" },
      code: "pa.root-selector-ignored",
      want: [],
    },
    {
      case: "near miss: unlabelled: reported once",
      pas: [peerAuth("istio-system", "rootsel", "STRICT", { selector: { app: "srv" } })],
      canary: {},
      code: "pa.root-selector-ignored",
      want: ["istio-system/rootsel"],
    },
  ])("$case", ({ pas, canary, code, want }) => {
    expect(codes(objs(pas, canary), code)).toEqual(want);
  });

  // The revisions and their indexes are computed once per analysis and shared by the rules
  // (reviews/readthrough2.md #13): one analysis's never answer for the next.
  it("analyses in turn, with and without the canary's workloads, each answer for their own", () => {
    for (const workloads of [true, false, true, false]) {
      const o = objs([nothing, rootSel], { workloads });
      expect(codes(o, "pa.selector-matches-nothing"), `${workloads}`).toEqual(workloads ? ["b/nothing"] : []);
      expect(codes(o, "pa.root-selector-ignored"), `${workloads}`).toEqual(
        workloads ? ["istio-system/rootsel"] : [],
      );
    }
  });
});

// 2b. The edge to an ambient server and pa.permissive name the root `selector: {}` policy ztunnel does
//     not take as mesh-wide (ignoredPolicyFor's third answer), with the selector fix.

describe("the edge and pa.permissive name a root `selector: {}` policy an ambient server falls past", () => {
  const SRV = host("srv", "b");
  const objs = (pa: KubeObject, bLabels: Labels = { "istio.io/dataplane-mode": "ambient" }): KubeObject[] => [
    namespace("istio-system"),
    namespace("a", { "istio.io/dataplane-mode": "ambient" }),
    namespace("b", bLabels),
    meshConfig("{}\n"),
    deploy("a", "client"),
    deploy("b", "srv", { ports: [8080] }),
    service("b", "srv", [{ port: 80, targetPort: 8080 }]),
    pa,
  ];
  const ROOT_ONLY =
    "istiod gives ztunnel a root-namespace PeerAuthentication as mesh-wide only without a selector, and istio-system/default has selector: {}, so it covers only istio-system's own workloads";
  const of = (o: KubeObject[]) => {
    const s = run(o, [call("a/client", SRV, "mutual_tls", 5)]);
    const b = findingsOf(s, "pa.permissive").filter((f) => f.message.startsWith("Namespace b"));
    return {
      reason: edgeOf(s, "a/client", SRV)!.predicted.reason,
      permissive: b.map((f) => f.message),
      fixes: b.map((f) => f.fix),
      resources: b.map((f) => f.resources),
    };
  };

  it("a STRICT `selector: {}` root policy: both name it, the fix is its selector", () => {
    const r = of(objs(peerAuth("istio-system", "default", "STRICT", { selector: {} })));
    expect(r.reason).toContain(`b/srv (ambient) port 8080 is PERMISSIVE by Istio's default (${ROOT_ONLY}): `);
    expect(r.permissive).toEqual([
      expect.stringContaining(`Namespace b (Istio's default: ${ROOT_ONLY}) accepts plaintext`),
    ]);
    expect(r.fixes).toEqual([
      "Remove spec.selector from istio-system/default, so that istiod gives ztunnel the STRICT istio-system/default as mesh-wide, or set mtls.mode STRICT in a PeerAuthentication for namespace b.",
    ]);
    expect(r.resources).toEqual([
      [
        { kind: "Namespace", name: "b" },
        { kind: "PeerAuthentication", namespace: "istio-system", name: "default" },
      ],
    ]);
  });

  it("near miss: a nil selector: STRICT by it, nothing named", () => {
    const r = of(objs(peerAuth("istio-system", "default", "STRICT")));
    expect(r.reason).toContain(
      "b/srv (ambient) port 8080 is STRICT by PeerAuthentication istio-system/default (mesh): ",
    );
    expect(r.permissive).toEqual([]);
  });

  it("near miss: a sidecar server: `selector: {}` is its mesh-wide policy, nothing named", () => {
    const r = of(
      objs(peerAuth("istio-system", "default", "STRICT", { selector: {} }), { "istio-injection": "enabled" }),
    );
    expect(r.reason).toContain(
      "b/srv port 8080 is STRICT by PeerAuthentication istio-system/default (mesh): ",
    );
    expect(r.permissive).toEqual([]);
  });
});
