// discoverySelectors and istio.io/rev, continued (docs/DECISIONS.md, "Discovery selectors and
// revisions: delegates, tag-labelled namespace policies, mesh.no-strict per revision, one reader").
// istiod's config store keeps a namespaced Istio object only when its raw istio.io/rev label is the
// istiod's REVISION (or absent) and its namespace is one the istiod's discoverySelectors select
// (istio/istio pilot/pkg/config/kube/crdclient/client.go `addCRD`: `ComposeFilters(namespaceFilter,
// cl.inRevision, extraFilter)`). Every case beside its near miss.
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import { discoveryViewFor, ignoredByEveryIstiod, readingRevision } from "../lib/core/model/discovery";
import type { KubeObject } from "../lib/core/model/input";
import { inRevision, type DestinationRule, type MeshModel } from "../lib/core/model/mesh";
import { labelNamesTag } from "../lib/core/model/revisions";
import { drRevision } from "../lib/core/resolve/predictEdge";
import { loaded, meshConfig, namespace } from "./kit";

const SELECT = "discoverySelectors:\n- matchLabels:\n    istio-discovery: enabled\n";
const DISC = { "istio-discovery": "enabled" };
const tagWebhook = (tag: string, rev: string): KubeObject => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: { name: `istio-revision-tag-${tag}`, labels: { "istio.io/rev": rev, "istio.io/tag": tag } },
});
const modelOf = (objects: KubeObject[]): MeshModel => buildModel({ objects: loaded(objects), configDumps: [], problems: [] });

// ---------------------------------------------------------------------------------------------
// 4. One reader: which istiod revision reads a namespaced config object (readingRevision), shared by
//    ignoredByEveryIstiod (the findings silenced for an object no istiod reads) and drRevision (whose
//    settings word a DestinationRule's findings). Their answers before they shared it are kept below
//    as the reference, and compared on every case of a grid.

/** ignoredByEveryIstiod as it was before readingRevision. */
function ignoredBefore(model: MeshModel, namespace: string, revision: string | undefined): boolean {
  if (labelNamesTag(model.revisions, revision) && !model.meshByRevision.has(revision)) return true;
  if (model.discoveryViews.size === 0) return false;
  let readers = 0;
  for (const [rev, mesh] of model.meshByRevision) {
    if (!inRevision(revision, rev)) continue;
    readers++;
    if (model.discoveryViews.get(mesh)?.hidden.has(namespace) !== true) return false;
  }
  return readers > 0 || model.discoveryViews.get(model.mesh)?.hidden.has(namespace) === true;
}

/** predictEdge's readerRevision (drRevision's work) as it was before readingRevision. */
function readerBefore(model: MeshModel, dr: Pick<DestinationRule, "namespace" | "revision">): string {
  const reads = (rev: string) => inRevision(dr.revision, rev) && discoveryViewFor(model, rev)?.hidden.has(dr.namespace) !== true;
  const first = model.revisions.defaultRevision ?? "";
  if (reads(first)) return first;
  for (const rev of [...model.meshByRevision.keys()].sort()) if (reads(rev)) return rev;
  return dr.revision === undefined || dr.revision === "default" ? "" : dr.revision;
}

/** `seen` selected by every selector, `hid` by none; `undeclared` has no Namespace object. */
const NAMESPACES = [namespace("istio-system", DISC), namespace("seen", DISC), namespace("hid")];
const MODELS: Record<string, KubeObject[]> = {
  "default with selectors, canary without, a tag on the canary": [...NAMESPACES, meshConfig(SELECT), meshConfig("{}\n", "istio-system", "istio-canary"), tagWebhook("prod-stable", "canary")],
  "default and canary both with selectors": [...NAMESPACES, meshConfig(SELECT), meshConfig(SELECT, "istio-system", "istio-canary")],
  "a revisioned default (1-29, selectors) and 1-30 (none), tags default and prod": [
    ...NAMESPACES,
    meshConfig(SELECT, "istio-system", "istio-1-29"),
    meshConfig("{}\n", "istio-system", "istio-1-30"),
    tagWebhook("default", "1-29"),
    tagWebhook("prod", "1-30"),
  ],
  "no selectors, tags": [...NAMESPACES, meshConfig("{}\n"), meshConfig("{}\n", "istio-system", "istio-canary"), tagWebhook("prod-stable", "canary")],
  "default with selectors, zeta then alpha without (input order)": [...NAMESPACES, meshConfig(SELECT), meshConfig("{}\n", "istio-system", "istio-zeta"), meshConfig("{}\n", "istio-system", "istio-alpha")],
  "only revision configs, no default tag": [...NAMESPACES, meshConfig(SELECT, "istio-system", "istio-canary")],
};
const LABELS = [undefined, "default", "canary", "1-29", "1-30", "prod-stable", "prod", "ghost", "alpha", "zeta"];

describe("readingRevision: the one answer to which istiod reads a config object", () => {
  const grid = Object.entries(MODELS).flatMap(([name, objs]) => {
    const model = modelOf(objs);
    return ["seen", "hid", "undeclared"].flatMap((ns) => LABELS.map((label) => ({ name, model, ns, label })));
  });
  it.each(grid)("$name, namespace $ns, istio.io/rev $label: ignoredByEveryIstiod and drRevision as before", ({ model, ns, label }) => {
    expect(ignoredByEveryIstiod(model, ns, label)).toBe(ignoredBefore(model, ns, label));
    expect(readingRevision(model, ns, label) === null).toBe(ignoredBefore(model, ns, label));
    // A fresh object per case: drRevision memoises per DestinationRule.
    const dr = { namespace: ns, revision: label } as DestinationRule;
    expect(drRevision(model, dr)).toBe(readerBefore(model, dr));
  });

  it.each([
    { case: "unlabelled, seen by the default istiod: the default revision", model: "default with selectors, canary without, a tag on the canary", ns: "seen", label: undefined, want: "" },
    { case: "unlabelled, hidden from the default istiod: the canary, which sees every namespace", model: "default with selectors, canary without, a tag on the canary", ns: "hid", label: undefined, want: "canary" },
    { case: "unlabelled, hidden from both: none", model: "default and canary both with selectors", ns: "hid", label: undefined, want: null },
    { case: "labelled with a tag: none (the raw label is compared)", model: "default with selectors, canary without, a tag on the canary", ns: "seen", label: "prod-stable", want: null },
    { case: "near miss: labelled with the tag's revision: that revision", model: "default with selectors, canary without, a tag on the canary", ns: "seen", label: "canary", want: "canary" },
    { case: "labelled for a revision with no mesh config read, its namespace hidden by the default settings: none", model: "default with selectors, canary without, a tag on the canary", ns: "hid", label: "ghost", want: null },
    { case: "near miss: the same in a seen namespace: that revision (on the default settings)", model: "default with selectors, canary without, a tag on the canary", ns: "seen", label: "ghost", want: "ghost" },
    { case: "two readers: the first by name, whatever the input order", model: "default with selectors, zeta then alpha without (input order)", ns: "hid", label: undefined, want: "alpha" },
    { case: "a revisioned default reads first", model: "a revisioned default (1-29, selectors) and 1-30 (none), tags default and prod", ns: "seen", label: undefined, want: "1-29" },
    { case: "istio.io/rev=default under a revisioned default names the tag: none", model: "a revisioned default (1-29, selectors) and 1-30 (none), tags default and prod", ns: "seen", label: "default", want: null },
    { case: "an undeclared namespace (labels unknown) is taken as seen", model: "default and canary both with selectors", ns: "undeclared", label: undefined, want: "" },
  ])("$case", ({ model, ns, label, want }) => {
    expect(readingRevision(modelOf(MODELS[model]!), ns, label)).toBe(want);
  });
});
