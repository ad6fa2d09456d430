// meshConfig.discoverySelectors: the namespaces a revision's istiod sees (docs/DECISIONS.md,
// "Discovery selectors"). istio/istio pkg/kube/namespace/filter.go: each selector is a Kubernetes
// LabelSelector (`LabelSelectorAsSelector`: matchLabels and matchExpressions ANDed, `{}` selects every
// namespace), the list is ORed (`isSelectedLocked`), and no selector at all (absent or empty list) lets
// every namespace in (`Filter`). No namespace is kept apart: not the system namespace either (the
// Kubernetes controller's comment on `c.namespaces`: "alter the discoveryNamespacesFilter to have an
// exception for the system namespace" if ever needed). Objects in other namespaces are dropped by the
// informers: Services, pods, endpoints, and since Istio 1.22 (ENABLE_ENHANCED_RESOURCE_SCOPING on by
// default; manifests/helm-profiles/compatibility-version-1.21.yaml turns it off) Istio's own config too.
import type { LabelSelector } from "./linkerdPolicy";
import { selects } from "./linkerdPolicy";
import { inRevision, type MeshModel, type MeshSettings, type Namespace, type Service } from "./mesh";
import { isObj } from "./read";
import { labelNamesTag } from "./revisions";
import { indexServices } from "./services";

/** What one revision's istiod sees of the Services and ServiceEntries. */
export interface DiscoveryView {
  /** Namespaces read (declared) whose labels no selector matches. */
  hidden: Set<string>;
  /** As MeshModel.serviceByHost, without the hidden namespaces' Services and ServiceEntries. */
  serviceByHost: Map<string, Service>;
  /** As MeshModel.wildcardServiceBySuffix, from `serviceByHost`. */
  wildcardServiceBySuffix: Map<string, Service>;
}

const OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

// k8s.io/apimachinery pkg/util/validation/validation.go, which labels.NewRequirement calls for every
// key (validateLabelKey → IsQualifiedName) and value (validateLabelValue → IsValidLabelValue), for
// matchLabels too (LabelSelectorAsSelector makes each an Equals requirement).
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** IsQualifiedName: a name of at most 63 characters, optionally after a DNS-1123 subdomain prefix (≤253) and one "/". */
function isLabelKey(k: string): boolean {
  const parts = k.split("/");
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1]!;
  if (parts.length === 2 && (parts[0]!.length > 253 || !DNS1123_SUBDOMAIN.test(parts[0]!))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** IsValidLabelValue: empty, or at most 63 characters of the qualified-name form. */
const isLabelValue = (v: string) => v === "" || (v.length <= 63 && QUALIFIED_NAME.test(v));

/**
 * discoverySelectors as istiod reads them; null when every namespace is seen (absent, an empty list, or
 * a list that does not convert: `selectorsChanged` logs the error and returns before storing any
 * selector, so the filter keeps letting every namespace in). `wrong` names the field at fault.
 */
export function parseDiscoverySelectors(
  v: unknown,
  wrong: (field: string, value: unknown, expected: string) => void,
): LabelSelector[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) {
    wrong("discoverySelectors", v, "a list of label selectors");
    return null;
  }
  const out: LabelSelector[] = [];
  for (let i = 0; i < v.length; i++) {
    const sel = selectorAt(v[i], `discoverySelectors[${i}]`, wrong);
    if (sel === null) return null;
    out.push(sel);
  }
  return out.length > 0 ? out : null;
}

/** One selector, checked as labels.NewRequirement checks it (key and value syntax; In/NotIn need values, Exists/DoesNotExist take none). */
function selectorAt(
  v: unknown,
  field: string,
  wrong: (field: string, value: unknown, expected: string) => void,
): LabelSelector | null {
  if (!isObj(v)) return (wrong(field, v, "a label selector (matchLabels, matchExpressions)"), null);
  const matchLabels: Record<string, string> = {};
  const labels = v.matchLabels ?? {};
  if (!isObj(labels)) return (wrong(`${field}.matchLabels`, labels, "a mapping of strings"), null);
  for (const k in labels) {
    if (!isLabelKey(k))
      return (wrong(`${field}.matchLabels`, k, "keys that are qualified label names ([prefix/]name)"), null);
    if (typeof labels[k] !== "string")
      return (wrong(`${field}.matchLabels.${k}`, labels[k], "a string"), null);
    if (!isLabelValue(labels[k]))
      return (
        wrong(
          `${field}.matchLabels.${k}`,
          labels[k],
          "a label value (at most 63 alphanumerics, '-', '_', '.')",
        ),
        null
      );
    matchLabels[k] = labels[k];
  }
  const exprs = v.matchExpressions ?? [];
  if (!Array.isArray(exprs)) return (wrong(`${field}.matchExpressions`, exprs, "a list"), null);
  const matchExpressions: LabelSelector["matchExpressions"] = [];
  for (let j = 0; j < exprs.length; j++) {
    const at = `${field}.matchExpressions[${j}]`;
    const e: unknown = exprs[j];
    if (!isObj(e)) return (wrong(at, e, "a mapping with key, operator, values"), null);
    if (typeof e.key !== "string" || !isLabelKey(e.key))
      return (wrong(`${at}.key`, e.key, "a label key (a qualified name, [prefix/]name)"), null);
    if (typeof e.operator !== "string" || !OPERATORS.has(e.operator))
      return (wrong(`${at}.operator`, e.operator, "In, NotIn, Exists or DoesNotExist"), null);
    const values = e.values ?? [];
    if (!Array.isArray(values) || !values.every((x) => typeof x === "string" && isLabelValue(x)))
      return (wrong(`${at}.values`, values, "a list of label values"), null);
    const takesValues = e.operator === "In" || e.operator === "NotIn";
    if (takesValues && values.length === 0)
      return (wrong(`${at}.values`, values, `a non-empty list for ${e.operator}`), null);
    if (!takesValues && values.length > 0)
      return (wrong(`${at}.values`, values, `empty for ${e.operator}`), null);
    matchExpressions.push({ key: e.key, operator: e.operator, values: values as string[] });
  }
  return { matchLabels, matchExpressions };
}

/**
 * Whether the selectors pick a namespace. The API server labels every namespace
 * `kubernetes.io/metadata.name: <name>` (the configuration-scoping page selects kube-system by it).
 */
export function namespaceSelected(selectors: readonly LabelSelector[], ns: Namespace): boolean {
  const labels = { ...ns.labels, "kubernetes.io/metadata.name": ns.name };
  return selectors.some((s) => selects(s, labels));
}

/**
 * One view per mesh config with selectors, keyed by the settings object (revisions sharing the
 * default's settings share its view). A namespace with no Namespace object read has unknown labels: it
 * is taken as seen, not hidden on a guess. Built once per model.
 */
export function discoveryViews(
  meshes: Iterable<MeshSettings>,
  namespaces: ReadonlyMap<string, Namespace>,
  services: readonly Service[],
): Map<MeshSettings, DiscoveryView> {
  const out = new Map<MeshSettings, DiscoveryView>();
  for (const mesh of meshes) {
    const selectors = mesh.discoverySelectors;
    if (selectors === null || out.has(mesh)) continue;
    const hidden = new Set<string>();
    for (const ns of namespaces.values())
      if (ns.declared && !namespaceSelected(selectors, ns)) hidden.add(ns.name);
    const { serviceByHost, wildcardServiceBySuffix } = indexServices(services, hidden);
    out.set(mesh, { hidden, serviceByHost, wildcardServiceBySuffix });
  }
  return out;
}

/**
 * The view of the istiod of a revision (its mesh settings, as buildModel's meshFor picks them), or undefined
 * when that istiod sees every namespace; a map lookup only when some mesh config has selectors.
 */
export function discoveryViewFor(model: MeshModel, revision: string): DiscoveryView | undefined {
  if (model.discoveryViews.size === 0) return undefined;
  return model.discoveryViews.get(model.meshByRevision.get(revision) ?? model.mesh);
}

/** meshByRevision's revisions in name order, once per model: which reader comes first must not follow the input's order. */
const sortedRevisions = new WeakMap<MeshModel, string[]>();
function revisionsByName(model: MeshModel): string[] {
  let out = sortedRevisions.get(model);
  if (!out) sortedRevisions.set(model, (out = [...model.meshByRevision.keys()].sort()));
  return out;
}

/**
 * The revision of an istiod that reads a namespaced Istio object (its namespace and raw istio.io/rev
 * label), or null when none does. An istiod reads it when crdclient's filters let it through (istio/istio
 * pilot/pkg/config/kube/crdclient/client.go `addCRD`: `inRevision`, the raw label compared with its
 * REVISION, composed with the namespace filter of its discoverySelectors). Which one, when several do:
 * the default revision's (the default tag's, else the default istiod), else the first in name order of
 * the revisions with a mesh config read. None when:
 * - the label names a revision tag (labelNamesTag) and no mesh config of that name is read: istiod
 *   compares the raw label (istio/istio#51582);
 * - every revision with a mesh config read whose istiod would read it hides its namespace;
 * - no mesh config read is of the labelled revision, and the default settings' view (which such a
 *   revision runs on, as buildModel's meshFor) hides its namespace.
 * A label naming a revision with no mesh config read, not hidden so, is that revision's. The shared
 * answer of `ignoredByEveryIstiod` (null) and predictEdge's `drRevision` (which revision's settings word a
 * DestinationRule's findings). Without selectors and tags, the default revision for an unlabelled object.
 */
export function readingRevision(
  model: MeshModel,
  namespace: string,
  label: string | undefined,
): string | null {
  if (labelNamesTag(model.revisions, label) && !model.meshByRevision.has(label)) return null;
  const hides = (rev: string) => discoveryViewFor(model, rev)?.hidden.has(namespace) === true;
  const first = model.revisions.defaultRevision ?? "";
  if (inRevision(label, first) && !hides(first)) return first;
  let configured = false;
  for (const rev of revisionsByName(model)) {
    if (!inRevision(label, rev)) continue;
    configured = true;
    if (!hides(rev)) return rev;
  }
  return !configured && label !== undefined && !hides(label) ? label : null;
}

/**
 * Whether no istiod reads a namespaced Istio object (readingRevision: its namespace hidden by every
 * istiod that would read it, or its istio.io/rev label naming a revision tag). Such an object has no
 * effect at all (findings that claim one are not made for it). Without selectors, false unless
 * tag-labelled.
 */
export function ignoredByEveryIstiod(
  model: MeshModel,
  namespace: string,
  revision: string | undefined,
): boolean {
  return readingRevision(model, namespace, revision) === null;
}
