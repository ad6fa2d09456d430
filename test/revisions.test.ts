// Revision tags (lib/core/model/revisions.ts). A tag is a MutatingWebhookConfiguration labelled
// istio.io/tag=<tag> and istio.io/rev=<revision> (pkg/revisions/tag_watcher.go); the tag "default"
// (webhook istio-revision-tag-default) serves istio-injection=enabled namespaces
// (pkg/revisions/default_watcher.go). istiod reads config labelled with its revision only, the raw
// label (crdclient `inRevision`: LabelsInRevision, pkg/config/model.go): tags resolve for namespaces
// and pods, not for config objects (the last describe). Helm revision installs have no `istio`
// ConfigMap, only `istio-<rev>`: the settings come from the revision a tag names.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  expectNoWarnings,
  findingsOf,
  host,
  injected,
  meshConfig,
  namespace,
  peerAuth,
  run,
  service,
  tls,
  workloadOf,
} from "./kit";
import { stableTagMesh, tagWebhook } from "./support/revisionKit";

const labelled = <T extends KubeObject>(o: T, rev: string): T => ({
  ...o,
  metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), "istio.io/rev": rev } },
});

// Two revisions whose mesh config puts the root namespace in istio-config, where the mesh-wide STRICT policy lives.
const REVS = [
  namespace("istio-system"),
  namespace("istio-config"),
  meshConfig("rootNamespace: istio-config\n", "istio-system", "istio-1-29-4"),
  meshConfig("rootNamespace: istio-config\n", "istio-system", "istio-1-30-3"),
  deploy("istio-system", "istiod-1-29-4", { labels: { app: "istiod", "sidecar.istio.io/inject": "false" } }),
  peerAuth("istio-config", "default", "STRICT"),
];
const apps = (nsLabels: Record<string, string>) => [
  namespace("orders", nsLabels),
  deploy("orders", "api", { ports: [8080] }),
  service("orders", "api", [{ port: 80, targetPort: 8080 }]),
  injected("shop"),
  deploy("shop", "web"),
];

describe("revision tags", () => {
  it("a namespace on a tag takes the mesh settings of the revision the tag names: STRICT from its root namespace, no finding", () => {
    const s = run(
      [
        ...REVS,
        tagWebhook("prod-stable", "1-29-4"),
        tagWebhook("default", "1-29-4"),
        ...apps({ "istio.io/rev": "prod-stable" }),
      ],
      [call("shop/web", host("api", "orders"), "mutual_tls", 5)],
    );
    expect(workloadOf(s, "orders", "api").mtls).toMatchObject({ mode: "STRICT", origin: "mesh" });
    expect(workloadOf(s, "shop", "web").mtls).toMatchObject({ mode: "STRICT", origin: "mesh" });
    expect(s.mesh.rootNamespace).toBe("istio-config");
    expect(s.findings).toEqual([]);
  });

  it("near miss: without the tag webhooks the tag names no ConfigMap, Istio's defaults apply (root istio-system)", () => {
    const s = run([...REVS, ...apps({ "istio.io/rev": "prod-stable" })]);
    expect(workloadOf(s, "orders", "api").mtls).toMatchObject({ mode: "PERMISSIVE", origin: "default" });
    expect(findingsOf(s, "mesh.no-strict")).toHaveLength(1);
  });

  it("the default tag's revision serves istio-injection=enabled namespaces: its enableAutoMtls: false applies (no DR → plaintext to STRICT)", () => {
    const objs = [
      meshConfig("enableAutoMtls: false\n", "istio-system", "istio-1-30-3"),
      tagWebhook("default", "1-30-3"),
      peerAuth("istio-system", "default", "STRICT"),
      ...apps({ "istio-injection": "enabled" }),
    ];
    const s = run(objs, [call("shop/web", host("api", "orders"), "none", 5)]);
    expect(s.mesh.autoMtls).toBe(false);
    expect(edgeOf(s, "shop/web", host("api", "orders"))!.predicted).toMatchObject({
      client: { tls: "DISABLE", origin: "auto" },
      verdict: "broken",
    });
    // Near miss: another tag's revision does not become the default.
    const other = run(
      [...objs.filter((o) => o.kind !== "MutatingWebhookConfiguration"), tagWebhook("prod", "1-30-3")],
      [call("shop/web", host("api", "orders"), "mutual_tls", 5)],
    );
    expect(other.mesh.autoMtls).toBe(true);
    expect(edgeOf(other, "shop/web", host("api", "orders"))!.predicted.verdict).toBe("mtls");
  });

  it("a config object labelled with a revision is read by that revision's istiod, not by others", () => {
    const base = [
      tagWebhook("prod-stable", "1-29-4"),
      tagWebhook("prod-canary", "1-30-3"),
      namespace("a", { "istio.io/rev": "prod-stable" }),
      deploy("a", "app"),
    ];
    expect(
      workloadOf(run([...base, labelled(peerAuth("a", "default", "STRICT"), "1-29-4")]), "a", "app").mtls
        .mode,
    ).toBe("STRICT");
    expect(
      workloadOf(run([...base, labelled(peerAuth("a", "default", "STRICT"), "1-30-3")]), "a", "app").mtls
        .mode,
    ).toBe("PERMISSIVE");
  });

  it("a live injected pod's istio.io/rev annotation (the injecting revision) decides, whatever the namespace label says", () => {
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "api-1",
        namespace: "orders",
        labels: { app: "api", "security.istio.io/tlsMode": "istio" },
        annotations: { "istio.io/rev": "1-30-3" },
      },
      spec: { containers: [{ name: "app" }, { name: "istio-proxy" }] },
    };
    const objs = [
      meshConfig("rootNamespace: istio-config\n", "istio-system", "istio-1-30-3"),
      peerAuth("istio-config", "default", "STRICT"),
      namespace("orders", { "istio.io/rev": "old" }),
      pod,
    ];
    expect(workloadOf(run(objs), "orders", "api-1").mtls).toMatchObject({ mode: "STRICT", origin: "mesh" });
  });

  it.each([
    ["revisions only, a default tag", [...REVS, tagWebhook("default", "1-29-4")]],
    ["the istio ConfigMap", [meshConfig("rootNamespace: istio-config\n"), ...REVS.slice(4)]],
  ])(
    "istiod's namespace is a control-plane namespace even when the root namespace is elsewhere (%s): no namespace.not-injected",
    (_name, objs) => {
      const s = run([...objs, ...apps({ "istio-injection": "enabled" })]);
      expect(findingsOf(s, "namespace.not-injected")).toEqual([]);
      expectNoWarnings(s);
      // Near miss: a namespace that only runs an unmeshed workload is still reported.
      const other = run([
        ...objs,
        ...apps({ "istio-injection": "enabled" }),
        namespace("tools"),
        deploy("tools", "jumpbox"),
      ]);
      expect(findingsOf(other, "namespace.not-injected").map((f) => f.resources)).toEqual([
        [{ kind: "Namespace", name: "tools" }],
      ]);
    },
  );
  it("pa.disable reads a namespace DISABLE through the namespace's tag: the policy labelled with the revision behind the tag decides", () => {
    const objs = (paRev: string) => [
      ...REVS,
      tagWebhook("prod", "1-29-4"),
      namespace("legacy", { "istio.io/rev": "prod" }),
      labelled(peerAuth("legacy", "default", "DISABLE"), paRev),
    ];
    expect(findingsOf(run(objs("1-29-4")), "pa.disable").map((f) => f.message)).toEqual([
      expect.stringContaining("PeerAuthentication legacy/default disables mTLS for namespace legacy"),
    ]);
    // Near misses: a policy for another revision is not read by the istiod serving the namespace, nor
    // one labelled with the tag itself (crdclient compares the raw label: no istiod's revision is "prod").
    expect(findingsOf(run(objs("1-30-3")), "pa.disable")).toEqual([]);
    expect(findingsOf(run(objs("prod")), "pa.disable")).toEqual([]);
  });
});

describe("the default tag names the default revision everywhere", () => {
  // A Helm revision install: istio-1-29 ConfigMap, the default tag on 1-29, policies labelled with its revision.
  const canary = [
    namespace("istio-system"),
    meshConfig("", "istio-system", "istio-1-29"),
    tagWebhook("default", "1-29"),
    injected("shop"),
    deploy("shop", "web"),
  ];

  it("a mesh-wide STRICT labelled with the default tag's revision is the mesh policy: STRICT, no mesh.no-strict", () => {
    const s = run([...canary, labelled(peerAuth("istio-system", "default", "STRICT"), "1-29")]);
    expect(workloadOf(s, "shop", "web").mtls).toMatchObject({ mode: "STRICT", origin: "mesh" });
    expect(findingsOf(s, "mesh.no-strict")).toEqual([]);
    // Near miss: labelled for a revision no tag names, it is no policy of the default revision.
    expect(
      findingsOf(
        run([...canary, labelled(peerAuth("istio-system", "default", "STRICT"), "1-30")]),
        "mesh.no-strict",
      ),
    ).toHaveLength(1);
  });

  it("two namespace-wide policies labelled with the default tag's revision conflict (pa.conflict)", () => {
    const s = run([
      ...canary,
      labelled(peerAuth("shop", "a", "STRICT"), "1-29"),
      labelled(peerAuth("shop", "b", "PERMISSIVE"), "1-29"),
    ]);
    expect(findingsOf(s, "pa.conflict")).toHaveLength(1);
    // Near miss: labelled with the tag "default", read by no istiod, so nothing conflicts.
    expect(
      findingsOf(
        run([
          ...canary,
          labelled(peerAuth("shop", "a", "STRICT"), "default"),
          labelled(peerAuth("shop", "b", "PERMISSIVE"), "default"),
        ]),
        "pa.conflict",
      ),
    ).toEqual([]);
  });

  it("a caller telemetry names but the inventory lacks reads its namespace's revision: the DR labelled with that revision applies to it as to a listed pod", () => {
    const objs = [
      ...canary,
      namespace("c", { "istio-injection": "enabled" }),
      deploy("c", "app"),
      deploy("c", "srv", { ports: [8080] }),
      service("c", "srv", [{ port: 80, targetPort: 8080 }]),
      labelled(destRule("c", "srv", host("srv", "c"), tls("DISABLE")), "1-29"),
    ];
    const s = run(objs, [
      call("c/app", host("srv", "c"), "none", 5),
      call("c/ghost", host("srv", "c"), "none", 5),
    ]);
    const listed = edgeOf(s, "c/app", host("srv", "c"))!;
    const ghost = edgeOf(s, "c/ghost", host("srv", "c"))!;
    expect(ghost.predicted.client).toEqual(listed.predicted.client);
    expect(ghost.predicted.verdict).toBe("plaintext");
    // The fix knows auto mTLS is on for the unlisted caller too.
    const fixes = findingsOf(s, "edge.plaintext").map((f) => f.fix);
    expect(fixes).toHaveLength(2);
    for (const fix of fixes) expect(fix).toContain("(or remove its tls block so auto mTLS decides)");
  });

  it("the namespace's label decides the injecting revision before the pod's (the object webhook fires only for unlabelled namespaces)", () => {
    const objs = (nsLabels: Record<string, string>) => [
      ...REVS,
      tagWebhook("default", "1-30-3"),
      namespace("orders", nsLabels),
      deploy("orders", "api", { labels: { "istio.io/rev": "1-30-3" }, ports: [8080] }),
    ];
    // istio-config holds the STRICT root policy of both revisions; an unlabelled policy every istiod reads.
    expect(workloadOf(run(objs({ "istio.io/rev": "1-29-4" })), "orders", "api")).toMatchObject({
      dataplane: "sidecar",
    });
    // Namespace on 1-29-4, pod label 1-30-3: 1-29-4 injects; a PA only 1-29-4 reads decides.
    const only129 = labelled(peerAuth("orders", "ns", "PERMISSIVE"), "1-29-4");
    expect(
      workloadOf(run([...objs({ "istio.io/rev": "1-29-4" }), only129]), "orders", "api").mtls,
    ).toMatchObject({ mode: "PERMISSIVE", origin: "namespace" });
    // istio-injection=enabled beats both: the default tag's 1-30-3 injects, and the 1-29-4 policy is not read.
    expect(
      workloadOf(
        run([...objs({ "istio-injection": "enabled", "istio.io/rev": "1-29-4" }), only129]),
        "orders",
        "api",
      ).mtls,
    ).toMatchObject({ mode: "STRICT" });
  });
});

// istiod's config store reads an Istio object labelled istio.io/rev only when the label IS its
// revision: crdclient's filter is `config.LabelsInRevision(labels, cl.revision)` (istio/istio
// pilot/pkg/config/kube/crdclient/client.go `addCRD` → `inRevision`), with no tag set.
// `LabelsInRevisionOrTags` and the tag watcher's `IsMine` serve only the Gateway API controllers
// ("all other types are filtered by revision, but for gateways we need to select tags as well",
// pilot/pkg/config/kube/gateway/controller.go); istio/istio#51582 reports exactly this. So a
// PeerAuthentication, DestinationRule… labelled with a tag, or with `default` while the default tag
// names a revision, is read by no istiod, whatever the tags say.
describe("config objects labelled with a revision tag are read by no istiod (crdclient compares the raw label)", () => {
  const tagged = [
    tagWebhook("prod-stable", "1-29-4"),
    tagWebhook("prod-canary", "1-30-3"),
    namespace("a", { "istio.io/rev": "prod-stable" }),
    deploy("a", "app"),
  ];
  it.each([
    {
      case: "a namespace policy labelled with the tag of the workload's revision: not read (PERMISSIVE)",
      rev: "prod-stable",
      mtls: { mode: "PERMISSIVE", origin: "default" },
    },
    {
      case: "near miss: labelled with the revision itself, read (STRICT)",
      rev: "1-29-4",
      mtls: { mode: "STRICT", origin: "namespace" },
    },
    {
      case: "near miss: unlabelled, every istiod's (STRICT)",
      rev: null,
      mtls: { mode: "STRICT", origin: "namespace" },
    },
  ])("$case", ({ rev, mtls }) => {
    const pa = peerAuth("a", "default", "STRICT");
    expect(
      workloadOf(run([...tagged, rev === null ? pa : labelled(pa, rev)]), "a", "app").mtls,
    ).toMatchObject(mtls);
  });

  // A Helm revision install with the default tag on 1-29: its istiod's REVISION is 1-29, not "default".
  const revisioned = [
    namespace("istio-system"),
    meshConfig("", "istio-system", "istio-1-29"),
    tagWebhook("default", "1-29"),
    injected("shop"),
    deploy("shop", "web"),
  ];
  it.each([
    {
      case: "a mesh-wide STRICT labelled istio.io/rev=default under a revisioned default: not read, mesh.no-strict naming it",
      rev: "default",
      mtls: { mode: "PERMISSIVE", origin: "default" },
      noStrict: [
        "but no istiod reads it: its istio.io/rev label names the revision tag default, not a revision",
      ],
    },
    {
      case: "near miss: labelled with the default tag's revision 1-29, the mesh policy",
      rev: "1-29",
      mtls: { mode: "STRICT", origin: "mesh" },
      noStrict: [],
    },
  ])("$case", ({ rev, mtls, noStrict }) => {
    const s = run([...revisioned, labelled(peerAuth("istio-system", "default", "STRICT"), rev)]);
    expect(workloadOf(s, "shop", "web").mtls).toMatchObject(mtls);
    expect(findingsOf(s, "mesh.no-strict").map((f) => f.message)).toEqual(
      noStrict.map((m) => expect.stringContaining(m)),
    );
  });

  it.each([
    {
      case: "a DestinationRule labelled with the caller's tag is not the caller's: auto mTLS",
      rev: "prod-stable",
      tls: "ISTIO_MUTUAL",
    },
    {
      case: "near miss: labelled with the caller's revision, its DISABLE applies",
      rev: "1-29-4",
      tls: "DISABLE",
    },
  ])("$case", ({ rev, tls: want }) => {
    const objs = [
      ...tagged,
      deploy("a", "srv", { ports: [8080] }),
      service("a", "srv", [{ port: 80, targetPort: 8080 }]),
      labelled(destRule("a", "srv", host("srv", "a"), tls("DISABLE")), rev),
    ];
    const s = run(objs, [call("a/app", host("srv", "a"), want === "DISABLE" ? "none" : "mutual_tls", 5)]);
    expect(edgeOf(s, "a/app", host("srv", "a"))!.predicted.client.tls).toBe(want);
  });

  // The tag user's intent (istio/istio#51582): the mesh-wide STRICT labelled with the tag its namespaces
  // use. The mesh runs PERMISSIVE, but the findings name the object no istiod reads and say to fix its
  // label, not that there is none to apply (applying it again, label and all, changes nothing).
  const stable = [...stableTagMesh()];
  const tagSays = "istio.io/rev label names the revision tag prod-stable, not a revision";
  it.each([
    {
      case: "a mesh-wide STRICT labelled with a tag: mesh.no-strict and pa.permissive name it, say why, and fix the label",
      pas: [labelled(peerAuth("istio-system", "default", "STRICT"), "prod-stable")],
      noStrict: [
        `The mesh-wide PeerAuthentication istio-system/default is STRICT, but no istiod reads it: its ${tagSays}`,
      ],
      noStrictFix: [
        "Label istio-system/default istio.io/rev=1-29 (the revision the tag prod-stable points to) or remove its istio.io/rev label",
      ],
      permissive: [
        `Namespace a (Istio's default: no istiod reads mesh-wide PeerAuthentication istio-system/default, whose ${tagSays}`,
        `Namespace b (Istio's default: no istiod reads mesh-wide PeerAuthentication istio-system/default, whose ${tagSays}`,
      ],
      reason: tagSays,
    },
    {
      case: "near miss: no mesh-wide policy at all: there is none, apply one",
      pas: [],
      noStrict: ["There is no mesh-wide PeerAuthentication in the root namespace istio-system"],
      noStrictFix: ["apply a PeerAuthentication named default in istio-system with mtls.mode STRICT"],
      permissive: [
        "Namespace a (no PeerAuthentication: Istio's default)",
        "Namespace b (no PeerAuthentication: Istio's default)",
      ],
      reason: null,
    },
    {
      case: "near miss: unlabelled, read by every istiod: STRICT, nothing to say",
      pas: [peerAuth("istio-system", "default", "STRICT")],
      noStrict: [],
      noStrictFix: [],
      permissive: [],
      reason: null,
    },
  ])("$case", ({ pas, noStrict, noStrictFix, permissive, reason }) => {
    const s = run([...stable, ...pas], [call("a/client", host("srv", "b"), "mutual_tls", 5)]);
    expect(findingsOf(s, "mesh.no-strict").map((f) => f.message)).toEqual(
      noStrict.map((m) => expect.stringContaining(m)),
    );
    expect(findingsOf(s, "mesh.no-strict").map((f) => f.fix)).toEqual(
      noStrictFix.map((m) => expect.stringContaining(m)),
    );
    expect(findingsOf(s, "pa.permissive").map((f) => f.message)).toEqual(
      permissive.map((m) => expect.stringContaining(m)),
    );
    const why = edgeOf(s, "a/client", host("srv", "b"))!.predicted.reason;
    if (reason) expect(why).toContain(reason);
    else expect(why).not.toContain("revision tag");
  });

  // The same for a namespace-level policy: pa.permissive names it (its label names a tag), not "no PeerAuthentication".
  it.each([
    {
      case: "a namespace-wide STRICT labelled with a tag: pa.permissive names it, says why, and fixes the label",
      rev: "prod-stable",
      mode: "STRICT",
      permissive: [
        `Namespace b (Istio's default: no istiod reads namespace-wide PeerAuthentication b/default, whose ${tagSays}`,
      ],
      fix: [
        "Label b/default istio.io/rev=1-29 (the revision the tag prod-stable points to) or remove its istio.io/rev label, so that istiod applies the STRICT b/default",
      ],
    },
    {
      case: "a namespace-wide PERMISSIVE labelled with a tag: named too, the fix its label and its mode",
      rev: "prod-stable",
      mode: "PERMISSIVE",
      permissive: [
        `Namespace b (Istio's default: no istiod reads namespace-wide PeerAuthentication b/default, whose ${tagSays}`,
      ],
      fix: [
        "Label b/default istio.io/rev=1-29 (the revision the tag prod-stable points to) or remove its istio.io/rev label, so that istiod applies it, and set its mtls.mode STRICT",
      ],
    },
    {
      case: "near miss: labelled with the revision itself, read: STRICT, no finding for b",
      rev: "1-29",
      mode: "STRICT",
      permissive: [],
      fix: [],
    },
    {
      case: "near miss: unlabelled, read: STRICT, no finding for b",
      rev: null,
      mode: "STRICT",
      permissive: [],
      fix: [],
    },
    {
      case: "near miss: unlabelled PERMISSIVE, read: named as the namespace's policy",
      rev: null,
      mode: "PERMISSIVE",
      permissive: ["Namespace b (PeerAuthentication b/default, namespace)"],
      fix: ["Set mtls.mode STRICT in a PeerAuthentication for namespace b"],
    },
  ])("$case", ({ rev, mode, permissive, fix }) => {
    const pa = peerAuth("b", "default", mode);
    const s = run([...stable, rev === null ? pa : labelled(pa, rev)]);
    const forB = findingsOf(s, "pa.permissive").filter((f) => f.message.startsWith("Namespace b"));
    expect(forB.map((f) => f.message)).toEqual(permissive.map((m) => expect.stringContaining(m)));
    expect(forB.map((f) => f.fix)).toEqual(fix.map((m) => expect.stringContaining(m)));
    // Namespace a has no policy of its own: still "no PeerAuthentication".
    expect(
      findingsOf(s, "pa.permissive")
        .filter((f) => f.message.startsWith("Namespace a"))
        .map((f) => f.message),
    ).toEqual([expect.stringContaining("Namespace a (no PeerAuthentication: Istio's default)")]);
  });

  // A DestinationRule labelled with a tag does nothing (above): the findings that say what it makes
  // clients do are not made for it, as for one every istiod's discoverySelectors hide.
  it.each([
    {
      case: "a DestinationRule labelled with a tag: dr.tls-without-mode silent (no istiod reads it)",
      rev: "prod-stable",
      want: 0,
    },
    { case: "near miss: labelled with the revision the tag names: reported", rev: "1-29-4", want: 1 },
    { case: "near miss: unlabelled: reported", rev: null, want: 1 },
  ])("$case", ({ rev, want }) => {
    const dr = destRule("a", "x", host("srv", "a"), { trafficPolicy: { tls: {} } });
    const objs = [
      ...tagged,
      deploy("a", "srv", { ports: [8080] }),
      service("a", "srv", [{ port: 80, targetPort: 8080 }]),
      rev === null ? dr : labelled(dr, rev),
    ];
    expect(findingsOf(run(objs), "dr.tls-without-mode")).toHaveLength(want);
  });
});
