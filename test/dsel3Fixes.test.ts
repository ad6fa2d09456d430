// reviews/dsel3.md: pa.conflict per istiod and data plane, its fix advice, mesh.no-strict's tail and
// pa.root-selector-ignored; each probe beside its near miss (docs/DECISIONS.md, "pa.conflict: readers and
// fix advice that never weakens mTLS").
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { deploy, findingsOf, meshConfig, namespace, peerAuth, run } from "./kit";
import { AMB, emptySel, INJ, REV, T, withRev, type Labels } from "./support/revisionKit";

const apps = (nss: Record<string, Labels>) =>
  Object.entries(nss).flatMap(([ns, l]) => [namespace(ns, l), deploy(ns, "srv"), deploy(ns, "cli")]);
const conflicts = (o: KubeObject[]) =>
  findingsOf(run(o), "pa.conflict").map((f) => ({ message: f.message, fix: f.fix }));
const messages = (o: KubeObject[], code: string) => findingsOf(run(o), code).map((f) => f.message);
const canaryCp = [
  namespace("istio-system"),
  meshConfig("{}\n"),
  meshConfig("{}\n", "istio-system", "istio-canary"),
];

// #1: the mesh and namespace scopes, several revisions: only where a workload's istiod composes the set.
describe("pa.conflict (#1): a revision-labelled policy in the set", () => {
  const rootPols = [
    withRev(peerAuth("istio-system", "old", "PERMISSIVE", { created: T(2020) }), "default"),
    peerAuth("istio-system", "default", "STRICT", { created: T(2021) }),
  ];
  it("M1: every workload on the canary, which reads only the STRICT one: silent", () => {
    expect(conflicts([...canaryCp, ...apps({ a: REV("canary"), b: REV("canary") }), ...rootPols])).toEqual(
      [],
    );
  });
  it("M1b: a on the default revision: the default istiod named; the fix deletes neither, and relabels the canary's policy", () => {
    expect(conflicts([...canaryCp, ...apps({ a: INJ, b: REV("canary") }), ...rootPols])).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; the default istiod reads them all and applies only the oldest, istio-system/old, and ignores istio-system/default.",
        fix: "Now the default istiod applies istio-system/old (PERMISSIVE) to a/cli and a/srv; the istiod of revision canary applies istio-system/default (STRICT) to b/cli and b/srv. Each of istio-system/old and istio-system/default decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it. To have each istiod read only one of them, label istio-system/default with istio.io/rev=canary: no workload's mode changes.",
      },
    ]);
  });
  it("M1c near miss: one revision, both unlabelled: reported as before", () => {
    const o = [
      namespace("istio-system"),
      meshConfig("{}\n"),
      ...apps({ a: INJ }),
      peerAuth("istio-system", "old", "PERMISSIVE", { created: T(2020) }),
      peerAuth("istio-system", "default", "STRICT", { created: T(2021) }),
    ];
    expect(conflicts(o)).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; Istio applies only the oldest, istio-system/old, and ignores istio-system/default.",
        fix: "Now sidecars apply istio-system/old (PERMISSIVE) to a/cli and a/srv. Delete istio-system/default: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit istio-system/old, the policy that applies.",
      },
    ]);
  });

  const m3 = (canary: boolean): KubeObject[] => [
    ...canaryCp,
    namespace("b"),
    deploy("b", "v1", { labels: { "sidecar.istio.io/inject": "true" } }),
    ...(canary
      ? [deploy("b", "v2", { labels: { "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" } })]
      : []),
    peerAuth("istio-system", "default", "PERMISSIVE"),
    withRev(peerAuth("b", "old", "PERMISSIVE", { created: T(2020) }), "default"),
    peerAuth("b", "new", "STRICT", { created: T(2021) }),
  ];
  it("M3: namespace b on both revisions: the fix deletes neither (v2 applies b/new) and relabels b/new for the canary", () => {
    expect(conflicts(m3(true))).toEqual([
      {
        message:
          "Namespace b has 2 PeerAuthentications; the default istiod reads them all and applies only the oldest, b/old, and ignores b/new.",
        fix: "Now the default istiod applies b/old (PERMISSIVE) to b/v1; the istiod of revision canary applies b/new (STRICT) to b/v2. Each of b/old and b/new decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it. To have each istiod read only one of them, label b/new with istio.io/rev=canary: no workload's mode changes.",
      },
    ]);
  });
  it("M3 near miss: no workload on the canary: as for one istiod", () => {
    expect(conflicts(m3(false))).toEqual([
      {
        message:
          "Namespace b has 2 PeerAuthentications; Istio applies only the oldest, b/old, and ignores b/new.",
        fix: "Now sidecars apply b/old (PERMISSIVE) to b/v1. Delete b/new: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit b/old, the policy that applies.",
      },
    ]);
  });
});

// #2: the default view names a workload only when its own istiod's set is the same.
describe("pa.conflict (#2): the default view's set must be the workload's own", () => {
  const objs = (p0Rev: string | null): KubeObject[] => [
    ...canaryCp,
    namespace("b"),
    deploy("b", "w-default", { labels: { tier: "x", "sidecar.istio.io/inject": "true" } }),
    deploy("b", "w-canary", {
      labels: { tier: "x", "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" },
    }),
    peerAuth("istio-system", "default", "STRICT"),
    ...[peerAuth("b", "p0", "PERMISSIVE", { selector: { tier: "x" }, created: T(2019) })].map((p) =>
      p0Rev ? withRev(p, p0Rev) : p,
    ),
    peerAuth("b", "p1", "STRICT", { selector: { tier: "x" }, created: T(2020) }),
    peerAuth("b", "p3", "STRICT", { selector: { tier: "x" }, created: T(2021) }),
  ];
  it("C1: w-canary's istiod also reads the canary-labelled p0: the default view names w-default only", () => {
    expect(messages(objs("canary"), "pa.conflict")).toEqual([
      "Workload b/w-canary has 3 PeerAuthentications; the istiod of revision canary reads them all and applies only the oldest, b/p0, and ignores b/p1 and b/p3.",
      "Workload b/w-default has 2 PeerAuthentications; Istio applies only the oldest, b/p1, and ignores b/p3.",
    ]);
  });
  it("near miss: p0 unlabelled: one set, both workloads", () => {
    expect(messages(objs(null), "pa.conflict")).toEqual([
      "Workloads b/w-canary and b/w-default have 3 PeerAuthentications; Istio applies only the oldest, b/p0, and ignores b/p1 and b/p3.",
    ]);
  });
});

// #3 and #4: ztunnel's mesh policy only for ambient workloads outside the root namespace; the mode kept.
describe("pa.conflict and mesh.no-strict (#3, #4): a root `selector: {}` STRICT policy beside a newer nil PERMISSIVE one", () => {
  const pols = [
    emptySel("istio-system", "strict-all", "STRICT", T(2020)),
    peerAuth("istio-system", "mesh", "PERMISSIVE", { created: T(2021) }),
  ];
  const zk2 = [
    namespace("istio-system", AMB),
    meshConfig("{}\n"),
    deploy("istio-system", "tool"),
    ...apps({ b: INJ }),
    ...pols,
  ];
  it("ZK2: ambient workloads only in the root namespace: the sidecars' wording, strict-all kept; mesh.no-strict silent", () => {
    const o = zk2;
    expect(conflicts(o)).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; Istio applies only the oldest, istio-system/strict-all, and ignores istio-system/mesh.",
        fix: "Now sidecars and ztunnel apply istio-system/strict-all (STRICT) to b/cli, b/srv and istio-system/tool. Delete istio-system/mesh: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit istio-system/strict-all, the policy that applies.",
      },
    ]);
    expect(messages(o, "mesh.no-strict")).toEqual([]);
  });
  it("A1: ambient workloads outside the root namespace: both named with their workloads; neutral advice, no mode set", () => {
    const o = [namespace("istio-system"), meshConfig("{}\n"), ...apps({ a: AMB, b: INJ }), ...pols];
    expect(conflicts(o)).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; for sidecars Istio applies only the oldest, istio-system/strict-all, and ignores istio-system/mesh, while ztunnel takes a root-namespace policy as mesh-wide only without a selector and applies istio-system/mesh outside istio-system.",
        fix: "Now sidecars apply istio-system/strict-all (STRICT) to b/cli and b/srv; ztunnel applies istio-system/mesh (PERMISSIVE) to a/cli and a/srv. Each of istio-system/strict-all and istio-system/mesh decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it.",
      },
    ]);
    expect(messages(o, "mesh.no-strict")).toEqual([
      expect.stringContaining(
        "For the ambient workloads on revision default, the mesh-wide PeerAuthentication istio-system/mesh is PERMISSIVE",
      ),
    ]);
  });
  it("near miss: sidecars only: as before", () => {
    expect(conflicts([namespace("istio-system"), meshConfig("{}\n"), ...apps({ b: INJ }), ...pols])).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; Istio applies only the oldest, istio-system/strict-all, and ignores istio-system/mesh.",
        fix: "Now sidecars apply istio-system/strict-all (STRICT) to b/cli and b/srv. Delete istio-system/mesh: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit istio-system/strict-all, the policy that applies.",
      },
    ]);
  });
});

// #5: another view's fix never deletes a policy another istiod applies to its own workloads.
describe("pa.conflict (#5): a canary view's set holding the default istiod's only policy", () => {
  const objs = (defaultSelected: boolean, p1Ports?: Record<string, string>): KubeObject[] => [
    ...canaryCp,
    namespace("b"),
    deploy("b", "w-default", {
      labels: { ...(defaultSelected ? { tier: "x" } : {}), "sidecar.istio.io/inject": "true" },
    }),
    deploy("b", "w-canary", {
      labels: { tier: "x", "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" },
    }),
    peerAuth("istio-system", "default", "PERMISSIVE"),
    withRev(peerAuth("b", "p0", "STRICT", { selector: { tier: "x" }, created: T(2019) }), "canary"),
    peerAuth("b", "p1", "STRICT", {
      selector: { tier: "x" },
      created: T(2020),
      ...(p1Ports ? { ports: p1Ports } : {}),
    }),
  ];
  const MSG =
    "Workload b/w-canary has 2 PeerAuthentications; the istiod of revision canary reads them all and applies only the oldest, b/p0, and ignores b/p1.";
  it("C2: w-default applies b/p1: neither deleted (each istiod applies one); b/p1 relabelled for the default istiod", () => {
    expect(conflicts(objs(true))).toEqual([
      {
        message: MSG,
        fix: "Now the istiod of revision canary applies b/p0 (STRICT) to b/w-canary; the default istiod applies b/p1 (STRICT) to b/w-default. Each of b/p0 and b/p1 decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it. To have each istiod read only one of them, label b/p1 with istio.io/rev=default: no workload's mode changes.",
      },
    ]);
  });
  it("near miss: b/p1 selects no default workload: the unapplied b/p1 is deleted, nothing merged", () => {
    expect(conflicts(objs(false))).toEqual([
      {
        message: MSG,
        fix: "Now the istiod of revision canary applies b/p0 (STRICT) to b/w-canary. Delete b/p1: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit b/p0, the policy that applies.",
      },
    ]);
  });
  it("b/p1 with port-level modes: its port map named in the advice", () => {
    expect(conflicts(objs(true, { "8080": "PERMISSIVE" }))).toEqual([
      {
        message: MSG,
        fix: "Now the istiod of revision canary applies b/p0 (STRICT) to b/w-canary; the default istiod applies b/p1 (STRICT, port 8080 PERMISSIVE) to b/w-default. Each of b/p0 and b/p1 decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it. To have each istiod read only one of them, label b/p1 with istio.io/rev=default: no workload's mode changes.",
      },
    ]);
  });
});

// #6: a conflict several non-default istiods read is credited to each.
describe("pa.conflict (#6): every istiod that reads the set", () => {
  const objs = (both: boolean): KubeObject[] => [
    namespace("istio-system"),
    meshConfig("{}\n"),
    meshConfig("{}\n", "istio-system", "istio-ca"),
    meshConfig("{}\n", "istio-system", "istio-cb"),
    ...apps({ a: AMB, c: REV("ca"), ...(both ? { d: REV("cb") } : {}) }),
    emptySel("istio-system", "all", "STRICT", T(2020)),
    peerAuth("istio-system", "mesh", "STRICT", { created: T(2021) }),
  ];
  const tail =
    "the oldest, istio-system/all, and ignore%s istio-system/mesh, while ztunnel takes a root-namespace policy as mesh-wide only without a selector and applies istio-system/mesh outside istio-system.";
  it("N1: revisions ca and cb both named", () => {
    expect(messages(objs(true), "pa.conflict")).toEqual([
      `The mesh (root namespace istio-system) has 2 PeerAuthentications; for sidecars the istiods of revisions ca and cb read them all and apply only ${tail.replace("%s", "")}`,
    ]);
  });
  it("near miss: only ca has sidecars", () => {
    expect(messages(objs(false), "pa.conflict")).toEqual([
      `The mesh (root namespace istio-system) has 2 PeerAuthentications; for sidecars the istiod of revision ca reads them all and applies only ${tail.replace("%s", "s")}`,
    ]);
  });
});

// #7: mesh.no-strict's tail keeps "for sidecar workloads" when the STRICT side merges revisions.
describe("mesh.no-strict (#7): a mixed namespace under a root `selector: {}` STRICT policy", () => {
  const objs = (canary: boolean): KubeObject[] => [
    namespace("istio-system"),
    meshConfig("{}\n"),
    ...(canary ? [meshConfig("{}\n", "istio-system", "istio-canary")] : []),
    namespace("b", AMB),
    deploy("b", "amb"),
    deploy("b", "side", { labels: { "sidecar.istio.io/inject": "true" } }),
    ...(canary
      ? [deploy("b", "can", { labels: { "sidecar.istio.io/inject": "true", "istio.io/rev": "canary" } })]
      : []),
    peerAuth("istio-system", "default", "STRICT", { selector: {} }),
  ];
  it("P2: default and canary sidecars: the tail says 'for sidecar workloads'", () => {
    expect(messages(objs(true), "mesh.no-strict")).toEqual([
      expect.stringMatching(
        /^For the ambient workloads on revision default, .* The istiods of revisions canary and default read a STRICT one for sidecar workloads\.$/,
      ),
    ]);
  });
  it("near miss: one revision: as before", () => {
    expect(messages(objs(false), "mesh.no-strict")).toEqual([
      expect.stringMatching(
        /^For the ambient workloads on revision default, .* The default istiod reads a STRICT one for sidecar workloads\.$/,
      ),
    ]);
  });
});

// #8: pa.root-selector-ignored only when the ignoring istiod has a workload the selector matches.
describe("pa.root-selector-ignored (#8): the ignoring istiod's workloads there must be selected", () => {
  const objs = (cwLabels: Labels): KubeObject[] => [
    namespace("istio-system"),
    meshConfig("{}\n"),
    meshConfig("rootNamespace: istio-config\n", "istio-system", "istio-canary"),
    namespace("istio-config"),
    deploy("istio-config", "cfg", { labels: { "sidecar.istio.io/inject": "true" } }),
    deploy("istio-config", "cw", {
      labels: { ...cwLabels, "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" },
    }),
    ...apps({ c: REV("canary") }),
    peerAuth("istio-system", "default", "STRICT"),
    peerAuth("istio-config", "default", "STRICT"),
    peerAuth("istio-config", "cfg-permissive", "PERMISSIVE", { selector: { app: "cfg" } }),
  ];
  it("R1: the canary's workload there is not selected: silent", () => {
    expect(messages(objs({}), "pa.root-selector-ignored")).toEqual([]);
  });
  it("near miss: it is selected (app=cfg): reported", () => {
    expect(messages(objs({ app: "cfg" }), "pa.root-selector-ignored")).toEqual([
      "PeerAuthentication istio-config/cfg-permissive has a selector but lives in istio-config, the root namespace of the istiod of revision canary, which ignores it for its proxies there; the default istiod applies it as a workload policy.",
    ]);
  });
});

// Review minor note: ztunnel's own conflict when every ambient workload is in the root namespace.
describe("pa.conflict: ambient workloads only in the root namespace, a `selector: {}` and a nil root policy", () => {
  const pols = [
    emptySel("istio-system", "strict-all", "STRICT", T(2020)),
    peerAuth("istio-system", "mesh", "PERMISSIVE", { created: T(2021) }),
  ];
  it("both reach them (the same-namespace fetch): the conflict, as for sidecars", () => {
    expect(
      conflicts([
        namespace("istio-system", AMB),
        meshConfig("{}\n"),
        deploy("istio-system", "tool"),
        ...pols,
      ]),
    ).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; Istio applies only the oldest, istio-system/strict-all, and ignores istio-system/mesh.",
        fix: "Now ztunnel applies istio-system/strict-all (STRICT) to istio-system/tool. Delete istio-system/mesh: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit istio-system/strict-all, the policy that applies.",
      },
    ]);
  });
  it("near miss: ambient workloads outside the root namespace: ztunnel reads one mesh policy, silent", () => {
    expect(conflicts([namespace("istio-system"), meshConfig("{}\n"), ...apps({ a: AMB }), ...pols])).toEqual(
      [],
    );
  });
});
