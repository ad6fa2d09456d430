// reviews/dsel2.md: the discoverySelectors / revisions follow-ups, each defect's probe beside its near
// miss (docs/DECISIONS.md, "Discovery selectors and revisions: per-workload conflicts, data planes").
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { call, deploy, edgeOf, findingsOf, host, meshConfig, namespace, peerAuth, run, service } from "./kit";
import { stableTagMesh } from "./support/revisionKit";

type Labels = Record<string, string>;
const labelled = (o: KubeObject, labels: Labels): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), ...labels } },
});
const withRev = (o: KubeObject, rev: string) => labelled(o, { "istio.io/rev": rev });
const messages = (o: KubeObject[], code: string) => findingsOf(run(o), code).map((f) => f.message);

// #1 and #8: pa.conflict names only the workloads (and namespaces) whose istiod reads every policy of the set.
describe("pa.conflict: only proxies whose istiod reads the whole set", () => {
  const canaryMesh = [
    meshConfig("{}\n"),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    peerAuth("istio-system", "default", "STRICT"),
  ];
  const p1 = peerAuth("b", "p1", "STRICT", { selector: { tier: "x" }, created: "2020-01-01T00:00:00Z" });
  const p2 = peerAuth("b", "p2", "PERMISSIVE", { selector: { tier: "x" }, created: "2021-01-01T00:00:00Z" });
  const objs = (pas: KubeObject[], defaultOn: "default" | "canary"): KubeObject[] => [
    namespace("istio-system"),
    namespace("b"),
    deploy("b", "w-default", {
      labels:
        defaultOn === "default"
          ? { tier: "x", "sidecar.istio.io/inject": "true" }
          : { tier: "x", "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" },
    }),
    deploy("b", "w-canary", {
      labels: { tier: "x", "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" },
    }),
    ...canaryMesh,
    ...pas,
  ];

  it.each([
    {
      case: "#1: a canary-labelled policy and an unlabelled one: the canary's workload only",
      o: objs([withRev(p1, "canary"), p2], "default"),
      want: [
        "Workload b/w-canary has 2 PeerAuthentications; the istiod of revision canary reads them all and applies only the oldest, b/p1, and ignores b/p2.",
      ],
    },
    {
      case: "near miss: both workloads on the canary: both named",
      o: objs([withRev(p1, "canary"), p2], "canary"),
      want: [
        "Workloads b/w-canary and b/w-default have 2 PeerAuthentications; the istiod of revision canary reads them all and applies only the oldest, b/p1, and ignores b/p2.",
      ],
    },
    {
      case: "near miss: both unlabelled: every istiod reads both, both workloads named as for one istiod",
      o: objs([p1, p2], "default"),
      want: [
        "Workloads b/w-canary and b/w-default have 2 PeerAuthentications; Istio applies only the oldest, b/p1, and ignores b/p2.",
      ],
    },
    {
      case: "the default view: a default-labelled policy and an unlabelled one: the default's workload only",
      o: objs([p1, withRev(p2, "default")], "default"),
      // reviews/dsel3.md #1: a revision-labelled policy in the set: its reader is named, not "Istio".
      want: [
        "Workload b/w-default has 2 PeerAuthentications; the default istiod reads them all and applies only the oldest, b/p1, and ignores b/p2.",
      ],
    },
  ])("$case", ({ o, want }) => {
    expect(messages(o, "pa.conflict")).toEqual(want);
  });

  const nsObjs = (bRev: "default" | "canary"): KubeObject[] => [
    namespace("istio-system"),
    namespace("a", { "istio-injection": "enabled" }),
    namespace("b", bRev === "default" ? { "istio-injection": "enabled" } : { "istio.io/rev": bRev }),
    deploy("a", "x"),
    deploy("b", "srv"),
    ...canaryMesh,
    peerAuth("b", "p1", "STRICT", { created: "2020-01-01T00:00:00Z" }),
    withRev(peerAuth("b", "p2", "PERMISSIVE", { created: "2021-01-01T00:00:00Z" }), "default"),
  ];
  it("#8: a namespace conflict only the default istiod reads, b on the canary: silent", () => {
    expect(messages(nsObjs("canary"), "pa.conflict")).toEqual([]);
  });
  it("near miss: b on the default revision: reported", () => {
    expect(messages(nsObjs("default"), "pa.conflict")).toEqual([
      "Namespace b has 2 PeerAuthentications; Istio applies only the oldest, b/p1, and ignores b/p2.",
    ]);
  });
});

// #2: pa.permissive splits a namespace by data plane, as the edge reads ztunnel's view.
describe("pa.permissive: ambient workloads beside sidecars under a root `selector: {}` STRICT policy", () => {
  const SRV = host("srv", "b");
  const objs = (side: boolean, rootSelector: boolean): KubeObject[] => [
    namespace("istio-system"),
    namespace("a", { "istio.io/dataplane-mode": "ambient" }),
    namespace("b", { "istio.io/dataplane-mode": "ambient" }),
    meshConfig("{}\n"),
    deploy("a", "client"),
    deploy("b", "srv", { ports: [8080] }),
    ...(side ? [deploy("b", "side", { ports: [8080], labels: { "sidecar.istio.io/inject": "true" } })] : []),
    service("b", "srv", [{ port: 80, targetPort: 8080 }]),
    peerAuth("istio-system", "default", "STRICT", rootSelector ? { selector: {} } : {}),
  ];
  const ROOT_ONLY =
    "istiod gives ztunnel a root-namespace PeerAuthentication as mesh-wide only without a selector, and istio-system/default has selector: {}, so it covers only istio-system's own workloads";
  const of = (o: KubeObject[]) => {
    const s = run(o, [call("a/client", SRV, "mutual_tls", 5)]);
    return {
      reason: edgeOf(s, "a/client", SRV)!.predicted.reason,
      b: findingsOf(s, "pa.permissive")
        .filter((f) => f.message.startsWith("Namespace b"))
        .map((f) => f.message),
    };
  };

  it("#2: a sidecar beside: the ambient workloads reported, as the edge names the policy", () => {
    const r = of(objs(true, true));
    expect(r.reason).toContain(`PERMISSIVE by Istio's default (${ROOT_ONLY})`);
    expect(r.b).toEqual([
      expect.stringContaining(
        `Namespace b, for its ambient workloads (Istio's default: ${ROOT_ONLY}) accepts plaintext`,
      ),
    ]);
  });
  it("near miss: no sidecar: the namespace, worded as before", () => {
    expect(of(objs(false, true)).b).toEqual([
      expect.stringContaining(`Namespace b (Istio's default: ${ROOT_ONLY}) accepts plaintext`),
    ]);
  });
  it("near miss: a nil selector: STRICT for both data planes, silent", () => {
    expect(of(objs(true, false)).b).toEqual([]);
  });
});

// #3: pa.conflict's mesh scope as each data plane composes it.
describe("pa.conflict at mesh scope: ztunnel takes only nil-selector root policies", () => {
  const objs = (sidecar: boolean): KubeObject[] => [
    namespace("istio-system"),
    namespace("a", { "istio.io/dataplane-mode": "ambient" }),
    namespace("b", { "istio.io/dataplane-mode": "ambient" }),
    ...(sidecar ? [namespace("s", { "istio-injection": "enabled" }), deploy("s", "app")] : []),
    meshConfig("{}\n"),
    deploy("a", "client"),
    deploy("b", "srv"),
    peerAuth("istio-system", "root-only", "PERMISSIVE", { selector: {}, created: "2020-01-01T00:00:00Z" }),
    peerAuth("istio-system", "mesh", "STRICT", { created: "2021-01-01T00:00:00Z" }),
  ];
  const of = (o: KubeObject[]) =>
    findingsOf(run(o), "pa.conflict").map((f) => ({ message: f.message, fix: f.fix }));

  it("#3: ambient workloads only: no conflict (ztunnel reads one mesh policy)", () => {
    expect(of(objs(false))).toEqual([]);
  });
  it("mixed mesh: a conflict for sidecars, both policies named with their workloads, neither deleted", () => {
    expect(of(objs(true))).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; for sidecars Istio applies only the oldest, istio-system/root-only, and ignores istio-system/mesh, while ztunnel takes a root-namespace policy as mesh-wide only without a selector and applies istio-system/mesh outside istio-system.",
        // reviews/dsel3.md #4: the sidecars' PERMISSIVE policy goes; the mode kept is said.
        fix: "Now sidecars apply istio-system/root-only (PERMISSIVE) to s/app; ztunnel applies istio-system/mesh (STRICT) to a/client and b/srv. Each of istio-system/root-only and istio-system/mesh decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it.",
      },
    ]);
  });
  it("ambient workloads on the default revision, sidecars on the canary: the canary's conflict relabels each policy for its istiod", () => {
    const o: KubeObject[] = [
      ...objs(false),
      meshConfig("{}\n", "istio-system", "istio-canary"),
      namespace("s", { "istio.io/rev": "canary" }),
      deploy("s", "app"),
    ];
    expect(of(o)).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; for sidecars the istiod of revision canary reads them all and applies only the oldest, istio-system/root-only, and ignores istio-system/mesh, while ztunnel takes a root-namespace policy as mesh-wide only without a selector and applies istio-system/mesh outside istio-system.",
        // reviews/dsel3.md #4: the sidecars' PERMISSIVE policy goes; the mode kept is said.
        fix: "Now the istiod of revision canary applies istio-system/root-only (PERMISSIVE) to s/app; ztunnel (from the default istiod) applies istio-system/mesh (STRICT) to a/client and b/srv. Each of istio-system/root-only and istio-system/mesh decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it. To have each istiod read only one of them, label istio-system/root-only with istio.io/rev=canary and istio-system/mesh with istio.io/rev=default: no workload's mode changes.",
      },
    ]);
  });
  it("near miss: two nil-selector policies, ambient only: ztunnel meets the conflict, worded as before", () => {
    const o = objs(false).map((x) =>
      x.metadata.name === "root-only"
        ? peerAuth("istio-system", "root-only", "PERMISSIVE", { created: "2020-01-01T00:00:00Z" })
        : x,
    );
    expect(of(o)).toEqual([
      {
        message:
          "The mesh (root namespace istio-system) has 2 PeerAuthentications; Istio applies only the oldest, istio-system/root-only, and ignores istio-system/mesh.",
        fix: "Now ztunnel applies istio-system/root-only (PERMISSIVE) to a/client and b/srv. Delete istio-system/mesh: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit istio-system/root-only, the policy that applies.",
      },
    ]);
  });
});

// #4: pa.root-selector-ignored speaks per istiod when revisions' root namespaces differ.
describe("pa.root-selector-ignored: a policy in one istiod's root namespace that another applies", () => {
  const objs = (canaryInConfig: boolean): KubeObject[] => [
    namespace("istio-system"),
    namespace("istio-config"),
    namespace("c", { "istio.io/rev": "canary" }),
    deploy("istio-config", "cfg", { labels: { "sidecar.istio.io/inject": "true" } }),
    // reviews/dsel3.md #8: the canary's workload there is one the selector matches (app=cfg).
    ...(canaryInConfig
      ? [
          deploy("istio-config", "cfg2", {
            labels: { app: "cfg", "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" },
          }),
        ]
      : []),
    deploy("c", "app"),
    meshConfig("{}\n"),
    meshConfig("rootNamespace: istio-config\n", "istio-system", "istio-canary"),
    peerAuth("istio-system", "default", "STRICT"),
    peerAuth("istio-config", "cfg-permissive", "PERMISSIVE", { selector: { app: "cfg" } }),
  ];

  it("#4: the canary has no workload in istio-config: silent (the default istiod applies it)", () => {
    expect(messages(objs(false), "pa.root-selector-ignored")).toEqual([]);
  });
  it("the canary has workloads there: named per istiod, not 'ignores it entirely'", () => {
    expect(messages(objs(true), "pa.root-selector-ignored")).toEqual([
      "PeerAuthentication istio-config/cfg-permissive has a selector but lives in istio-config, the root namespace of the istiod of revision canary, which ignores it for its proxies there; the default istiod applies it as a workload policy.",
    ]);
  });
  it("near miss: one revision: ignored entirely, as before", () => {
    const o = objs(false).filter((x) => x.metadata.name !== "istio-canary" && x.metadata.name !== "app");
    const withRoot = o.map((x) => (x.kind === "ConfigMap" ? meshConfig("rootNamespace: istio-config\n") : x));
    expect(messages(withRoot, "pa.root-selector-ignored")).toEqual([
      "PeerAuthentication istio-config/cfg-permissive has a selector but lives in the root namespace istio-config: Istio ignores it entirely.",
    ]);
  });
});

// #5 and #6: mesh.no-strict for a root `selector: {}` policy.
describe("mesh.no-strict: a root `selector: {}` policy in a mixed mesh", () => {
  const objs = (mode: string | null, o: { ambientNs?: string } = {}): KubeObject[] => [
    namespace("istio-system", o.ambientNs === "istio-system" ? { "istio.io/dataplane-mode": "ambient" } : {}),
    ...(o.ambientNs === "istio-system"
      ? [deploy("istio-system", "tool")]
      : [namespace("a", { "istio.io/dataplane-mode": "ambient" }), deploy("a", "amb")]),
    namespace("b", { "istio-injection": "enabled" }),
    deploy("b", "srv"),
    meshConfig("{}\n"),
    peerAuth("istio-system", "default", mode, { selector: {} }),
  ];
  it.each(["PERMISSIVE", null, "DISABLE"])(
    "#5: a %s one: one finding, the fix the mode and the selector",
    (mode) => {
      const fs = findingsOf(run(objs(mode)), "mesh.no-strict");
      expect(fs.map((f) => f.message)).toEqual([
        `The mesh-wide PeerAuthentication istio-system/default is ${mode ?? "UNSET"}, not STRICT: workloads without their own STRICT policy accept plaintext.`,
      ]);
      expect(fs[0]!.fix).toContain("remove its spec.selector (selector: {})");
    },
  );
  it("#6: every ambient workload in the root namespace, the policy STRICT: silent", () => {
    expect(messages(objs("STRICT", { ambientNs: "istio-system" }), "mesh.no-strict")).toEqual([]);
  });
  it("near miss: an ambient workload elsewhere, STRICT: the selector reported for them", () => {
    expect(messages(objs("STRICT"), "mesh.no-strict")).toEqual([
      expect.stringContaining(
        "For the ambient workloads on revision default, the root-namespace PeerAuthentication istio-system/default is STRICT but has an empty selector",
      ),
    ]);
  });
  it("near miss: ambient only in the root namespace, PERMISSIVE: its mode, no selector advice", () => {
    const fs = findingsOf(run(objs("PERMISSIVE", { ambientNs: "istio-system" })), "mesh.no-strict");
    expect(fs.map((f) => f.fix)).toEqual([
      "Once every client has a proxy, set istio-system/default's mtls.mode to STRICT.",
    ]);
  });
});

// #7: a tag-labelled namespace policy newer than the namespace policy read would not decide if relabelled.
describe("the tag-labelled namespace policy is named only when, relabelled, it would decide", () => {
  const SRV = host("srv", "b");
  const objs = (unsetCreated: string): KubeObject[] => [
    ...stableTagMesh(),
    peerAuth("istio-system", "default", "PERMISSIVE"),
    peerAuth("b", "old-unset", null, { created: unsetCreated }),
    withRev(peerAuth("b", "tagged", "STRICT", { created: "2021-01-01T00:00:00Z" }), "prod-stable"),
  ];
  const of = (o: KubeObject[]) => {
    const s = run(o, [call("a/client", SRV, "mutual_tls", 5)]);
    return {
      reason: edgeOf(s, "a/client", SRV)!.predicted.reason,
      b: findingsOf(s, "pa.permissive").filter((f) => f.message.startsWith("Namespace b")),
    };
  };
  it("#7: an older UNSET namespace policy is read: b/tagged not named", () => {
    const r = of(objs("2020-01-01T00:00:00Z"));
    expect(r.reason).toContain(
      "b/srv port 8080 is PERMISSIVE by PeerAuthentication istio-system/default (mesh): ",
    );
    expect(r.b.map((f) => f.fix)).toEqual(["Set mtls.mode STRICT in a PeerAuthentication for namespace b."]);
  });
  it("near miss: the UNSET one is newer: relabelled, b/tagged would decide, so it is named", () => {
    const r = of(objs("2022-01-01T00:00:00Z"));
    expect(r.reason).toContain("no istiod reads namespace-wide PeerAuthentication b/tagged");
    expect(r.b.map((f) => f.fix)).toEqual([expect.stringContaining("Label b/tagged istio.io/rev=1-29")]);
  });
});

// Minor note: pa.selector-matches-nothing for a policy labelled istio.io/rev that selects only workloads
// of other revisions (no istiod that reads it serves them).
describe("pa.selector-matches-nothing: a revision-labelled policy selecting only other revisions' workloads", () => {
  const objs = (pa: KubeObject, canaryToo: boolean): KubeObject[] => [
    namespace("istio-system"),
    namespace("b"),
    namespace("c", { "istio.io/rev": "canary" }),
    deploy("b", "w-default", { labels: { tier: "x", "sidecar.istio.io/inject": "true" } }),
    ...(canaryToo
      ? [
          deploy("b", "w-canary", {
            labels: { tier: "x", "istio.io/rev": "canary", "sidecar.istio.io/inject": "true" },
          }),
        ]
      : []),
    deploy("c", "app"),
    meshConfig("{}\n"),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    peerAuth("istio-system", "default", "STRICT"),
    pa,
  ];
  const pa = withRev(peerAuth("b", "p", "STRICT", { selector: { tier: "x" } }), "canary");
  it("labelled canary, selecting only a default-revision workload: reported, naming it", () => {
    expect(messages(objs(pa, false), "pa.selector-matches-nothing")).toEqual([
      "PeerAuthentication b/p is labelled istio.io/rev=canary and selects tier=x, which matches only workloads of other revisions (b/w-default), whose istiods do not read it: it enforces nothing.",
    ]);
  });
  it.each([
    { case: "near miss: a canary workload matches too: silent", o: objs(pa, true) },
    {
      case: "near miss: unlabelled: every istiod reads it, silent",
      o: objs(peerAuth("b", "p", "STRICT", { selector: { tier: "x" } }), false),
    },
  ])("$case", ({ o }) => {
    expect(messages(o, "pa.selector-matches-nothing")).toEqual([]);
  });
});
