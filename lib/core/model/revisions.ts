// Istio revision tags (istio.md §9.12): which istiod revision a workload or config object belongs to.
//
// A revision tag is a MutatingWebhookConfiguration labelled `istio.io/tag=<tag>` and
// `istio.io/rev=<revision>` (`istioctl tag set`, or the istiod chart's revisionTags): namespaces and
// pods labelled `istio.io/rev=<tag>` are injected by that revision's istiod, which then serves them.
// The tag named `default` (webhook `istio-revision-tag-default`) is where `istio-injection=enabled`
// namespaces and unlabelled pods go (pkg/revisions/default_watcher.go reads the revision from that
// webhook's istio.io/rev label). So the `istio.io/rev` value of a namespace, pod or WorkloadEntry is
// resolved through the tags to the revision it names. Not that of an Istio config object: istiod's
// config store compares the raw label with its own revision (crdclient `inRevision` →
// `LabelsInRevision`; `LabelsInRevisionOrTags` and the tag watcher's `IsMine` serve the Gateway API
// controllers only), so istioMetadata.ts keeps it as written.
import type { LoadedObject } from "./input";
import { strMap } from "./read";

export interface Revisions {
  /** tag → revision, from the tag webhooks. */
  tags: Map<string, string>;
  /** The revision the `default` tag points to, or null when there is no such tag. */
  defaultRevision: string | null;
}

export const NO_REVISIONS: Revisions = Object.freeze({
  tags: new Map<string, string>(),
  defaultRevision: null,
});

const TAG_LABEL = "istio.io/tag";
const REV_LABEL = "istio.io/rev";

export function readRevisions(objects: LoadedObject[]): Revisions {
  let tags: Map<string, string> | null = null;
  let defaultRevision: string | null = null;
  for (const o of objects) {
    if (o.object.kind !== "MutatingWebhookConfiguration") continue;
    const labels = strMap(o.object.metadata.labels);
    const tag = labels[TAG_LABEL];
    const rev = labels[REV_LABEL];
    if (!tag || !rev) continue;
    (tags ??= new Map()).set(tag, rev);
    if (tag === "default") defaultRevision = rev;
  }
  return tags ? { tags, defaultRevision } : NO_REVISIONS;
}

/**
 * Whether a config object's raw istio.io/rev label names a revision tag rather than a revision: no
 * istiod reads such an object, as each compares the raw label with its own REVISION (crdclient
 * `inRevision`; istio/istio#51582). A tag whose name is its own revision's is no such label.
 */
export const labelNamesTag = (r: Revisions, label: string | undefined): label is string =>
  label !== undefined && r.tags.size > 0 && (r.tags.get(label) ?? label) !== label;

/**
 * The revision an `istio.io/rev` value names (a tag resolves to its revision); with no value, the
 * revision the default tag points to, else "" (the default istiod).
 */
export function resolveRevision(r: Revisions, label: string | undefined): string {
  if (label === undefined) return r.defaultRevision ?? "";
  return r.tags.get(label) ?? label;
}

/**
 * The revision that injects a pod, by the injection webhooks' selectors (istiod chart,
 * mutatingwebhook.yaml): a namespace labelled istio-injection=enabled goes to the default tag's
 * webhook whatever else is set; a namespace istio.io/rev label comes next (the per-object webhook
 * fires only when the namespace has neither label); the pod's own istio.io/rev label last.
 */
export function injectingRevision(
  r: Revisions,
  nsLabels: Record<string, string>,
  podLabels: Record<string, string>,
): string {
  if (nsLabels["istio-injection"] === "enabled") return resolveRevision(r, undefined);
  return resolveRevision(r, nsLabels["istio.io/rev"] ?? podLabels["istio.io/rev"]);
}
