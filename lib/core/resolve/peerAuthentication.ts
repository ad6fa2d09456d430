// Server side: which PeerAuthentication decides what a workload's proxy accepts, per port
// (istio.md §1). Mirrors ComposePeerAuthentication: oldest policy per scope wins, workload >
// namespace > mesh > PERMISSIVE, port-level entries keyed by the workload (target) port.
import { inRevision, type MeshModel, type PeerAuthentication, type Workload } from "../model/mesh";
import { perRun } from "../model/perRun";
import { labelNamesTag, type Revisions } from "../model/revisions";
import { selectorMatches } from "../model/read";
import { workloadsMatching } from "../model/labelIndex";
import type { Origin } from "../snapshot/schema";
import { discoveryViewFor, type DiscoveryView } from "../model/discovery";

export type EnforcedMode = "STRICT" | "PERMISSIVE" | "DISABLE";

export interface ModeDecision {
  mode: EnforcedMode;
  /** The PeerAuthentication that decided it; null for Istio's default (PERMISSIVE). */
  policy: PeerAuthentication | null;
  origin: Extract<Origin, "workload-port" | "workload" | "namespace" | "mesh" | "default">;
}

export interface WorkloadPolicy {
  base: ModeDecision;
  /** Port-level decisions from the applying workload policy's portLevelMtls. */
  perPort: Map<number, ModeDecision>;
  workloadPolicy: PeerAuthentication | null;
  namespacePolicy: PeerAuthentication | null;
  meshPolicy: PeerAuthentication | null;
}

/**
 * A creationTimestamp as a time to order by: absent (or, defensively, unparsable: the readers refuse a
 * malformed one as input.invalid) is the oldest, as Go's zero time sorts before every real one.
 */
const ageOf = (t: string) => {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
};

/**
 * Istio's config order: creationTimestamp, then name, then namespace (configCompareByCreationTime). A
 * total order whatever the input, so a sort's winner never depends on the objects' input order.
 */
export function compareByAge(
  a: PeerAuthentication | { creationTimestamp: string; name: string; namespace: string },
  b: typeof a,
): number {
  const ta = ageOf(a.creationTimestamp);
  const tb = ageOf(b.creationTimestamp);
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}

export interface PaIndex {
  rootNamespace: string;
  /** Mesh-wide policies (root namespace, no selector), oldest first: [0] applies. */
  mesh: PeerAuthentication[];
  /**
   * Ambient only: root-namespace policies with `selector: {}`. istiod hands ztunnel a root policy as
   * mesh-wide only when its selector is nil (`fetchPeerAuthentications`, ambient/workloads.go); one
   * with an empty selector reaches only the root namespace's own workloads, where it then counts as the
   * mesh policy. (Sidecars take it as mesh-wide: ComposePeerAuthentication tests the labels.)
   */
  rootNamespaceOnly: PeerAuthentication[];
  /** Namespace-wide policies per namespace (not root), oldest first. */
  namespaceWide: Map<string, PeerAuthentication[]>;
  /** Workload policies per namespace (not root), oldest first. */
  workloadLevel: Map<string, PeerAuthentication[]>;
  /** Root-namespace policies with a selector: Istio ignores them (§1.2). */
  rootWithSelector: PeerAuthentication[];
  /** Composes as istiod does for ztunnel (ambientComposition) rather than for sidecars. */
  ambient: boolean;
}

export function buildPaIndex(pas: PeerAuthentication[], rootNamespace: string, ambient = false): PaIndex {
  const index: PaIndex = {
    rootNamespace,
    mesh: [],
    rootNamespaceOnly: [],
    namespaceWide: new Map(),
    workloadLevel: new Map(),
    rootWithSelector: [],
    ambient,
  };
  const push = (m: Map<string, PeerAuthentication[]>, k: string, pa: PeerAuthentication) => {
    const list = m.get(k);
    if (list) list.push(pa);
    else m.set(k, [pa]);
  };
  for (const pa of [...pas].sort(compareByAge)) {
    if (pa.namespace === rootNamespace) {
      if (pa.selector) index.rootWithSelector.push(pa);
      else if (ambient && pa.emptySelector) index.rootNamespaceOnly.push(pa);
      else index.mesh.push(pa);
    } else if (pa.selector) push(index.workloadLevel, pa.namespace, pa);
    else push(index.namespaceWide, pa.namespace, pa);
  }
  return index;
}

const DEFAULT_DECISION: ModeDecision = { mode: "PERMISSIVE", policy: null, origin: "default" };

function applyLevel(
  cur: ModeDecision,
  pa: PeerAuthentication | null,
  origin: ModeDecision["origin"],
): ModeDecision {
  if (!pa || pa.mode === "UNSET") return cur;
  return { mode: pa.mode, policy: pa, origin };
}

/** The mesh policy that reaches a namespace: in the root namespace, ambient's `selector: {}` ones compete too (oldest wins). */
function meshPolicyOf(index: PaIndex, namespace: string): PeerAuthentication | null {
  const mesh = index.mesh[0] ?? null;
  const only = namespace === index.rootNamespace ? (index.rootNamespaceOnly[0] ?? null) : null;
  if (!only) return mesh;
  return !mesh || compareByAge(only, mesh) < 0 ? only : mesh;
}

/** The namespace-level mode (namespace policy, else mesh, else PERMISSIVE): what auto mTLS infers for a service (§3.2). */
export function namespaceDecision(index: PaIndex, namespace: string): ModeDecision {
  const meshPa = meshPolicyOf(index, namespace);
  const nsPa = namespace === index.rootNamespace ? null : (index.namespaceWide.get(namespace)?.[0] ?? null);
  const d = applyLevel(applyLevel(DEFAULT_DECISION, meshPa, "mesh"), nsPa, "namespace");
  return index.ambient ? relaxed(d) : d;
}

/** ztunnel knows STRICT or not: a DISABLE decides like PERMISSIVE (authorization.go, isMtlsModeDisable next to isMtlsModePermissive). */
const relaxed = (d: ModeDecision): ModeDecision => (d.mode === "DISABLE" ? { ...d, mode: "PERMISSIVE" } : d);

const nonStrict = (m: PeerAuthentication["mode"]) => m === "PERMISSIVE" || m === "DISABLE";

/**
 * What istiod's ambient conversion makes of the winning mesh, namespace and workload policies
 * (pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go): the static STRICT policy, or
 * the workload policy converted to a DENY rule with port exceptions, or neither. DISABLE is not
 * ignored there (istio.md §9.10 follows the docs): it counts as not STRICT. The quirks are Istio's:
 * a workload policy with UNSET mode under a STRICT parent takes its port exceptions only when one of
 * them is PERMISSIVE, and then DISABLE ports are exempt too.
 */
function ambientComposition(
  meshPolicy: PeerAuthentication | null,
  namespacePolicy: PeerAuthentication | null,
  wl: PeerAuthentication,
  chain: ModeDecision,
): { base: ModeDecision; perPort: Map<number, ModeDecision> } {
  const parentStrict = chain.mode === "STRICT";
  const composed = relaxed(applyLevel(chain, wl, "workload"));
  const ports = wl.portLevelMtls;
  if (!ports?.size) return { base: composed, perPort: NO_PORTS };
  const modes = [...ports.values()];
  // convertedSelectorPeerAuthentications: is the static STRICT policy sent, is the converted one referenced?
  let staticStrict = composed.mode === "STRICT";
  let referenced = false;
  if (wl.mode === "STRICT") {
    if (modes.some(nonStrict)) [referenced, staticStrict] = [true, false];
  } else if (nonStrict(wl.mode)) referenced = modes.includes("STRICT");
  else if (parentStrict) {
    if (modes.includes("PERMISSIVE")) [referenced, staticStrict] = [true, false];
  } else [referenced, staticStrict] = [modes.includes("STRICT"), false];
  // convertPeerAuthentication: STRICT ports of their own, exempt ports, and whether the rest is denied plaintext.
  const strictPorts = new Set<number>();
  const exempt = new Set<number>();
  let denyRest = false;
  if (referenced) {
    const nsStrict = namespacePolicy?.mode === "STRICT";
    const meshStrict = meshPolicy?.mode === "STRICT";
    for (const [port, m] of ports) {
      if (m === "STRICT") {
        const parentEnforces =
          wl.mode === "STRICT" ||
          (wl.mode === "UNSET" && nsStrict) ||
          ((!namespacePolicy || namespacePolicy.mode === "UNSET") && meshStrict);
        if (!parentEnforces) strictPorts.add(port);
      } else if (nonStrict(m)) {
        if (nonStrict(wl.mode)) continue;
        if (
          wl.mode === "UNSET" &&
          ((namespacePolicy && !nsStrict) ||
            (!namespacePolicy && meshPolicy && !meshStrict) ||
            (!namespacePolicy && !meshPolicy))
        )
          continue;
        exempt.add(port);
      }
    }
    const shouldMerge =
      (meshStrict && (!namespacePolicy || namespacePolicy.mode === "UNSET" || nsStrict)) || nsStrict;
    const dropped = wl.mode === "STRICT" && exempt.size === 0;
    denyRest = !dropped && (wl.mode === "STRICT" || (shouldMerge && exempt.size > 0));
    if (dropped) strictPorts.clear();
  }
  const strictOn = (port: number) => staticStrict || strictPorts.has(port) || (denyRest && !exempt.has(port));
  const restStrict = staticStrict || denyRest;
  const base: ModeDecision =
    (composed.mode === "STRICT") === restStrict
      ? composed
      : { mode: restStrict ? "STRICT" : "PERMISSIVE", policy: wl, origin: "workload" };
  const perPort = new Map<number, ModeDecision>();
  for (const [port, m] of ports) {
    const mode = strictOn(port) ? "STRICT" : "PERMISSIVE";
    // An entry that changed nothing (UNSET, or one the conversion skips) leaves the port on the base decision.
    perPort.set(
      port,
      mode === base.mode && m !== mode ? base : { mode, policy: wl, origin: "workload-port" },
    );
  }
  return { base, perPort };
}

/**
 * Compositions per index, namespace and applying workload policy: everything a WorkloadPolicy depends
 * on. Thousands of workloads share a few hundred compositions, so they share the objects too (and the
 * resolver's per-decision caches then hit instead of growing per workload). Read-only once built.
 */
const compositions = new WeakMap<PaIndex, Map<string, Map<PeerAuthentication | null, WorkloadPolicy>>>();
const NO_PORTS: Map<number, ModeDecision> = new Map();

/** Namespaces with fewer workload-level policies than this scan them per workload; more, and each policy's workloads come from the label index. */
const SELECT_BY_INDEX_FROM = 16;

/**
 * The workload-level policy of each workload of `peers` (its namespace's list), per index: the first of
 * the candidates (oldest first) whose selector its labels meet, null for none. One label-index lookup per
 * policy instead of every policy tried on every workload (500 policies × 5,000 workloads in one namespace).
 */
const selections = new WeakMap<PaIndex, Map<readonly Workload[], Map<Workload, PeerAuthentication | null>>>();
function selectionOf(
  index: PaIndex,
  candidates: readonly PeerAuthentication[],
  peers: readonly Workload[],
): Map<Workload, PeerAuthentication | null> {
  let byList = selections.get(index);
  if (!byList) selections.set(index, (byList = new Map()));
  let out = byList.get(peers);
  if (out) return out;
  out = new Map();
  for (const w of peers) out.set(w, null);
  for (const pa of candidates) {
    if (pa.selector === null) continue;
    for (const w of workloadsMatching(peers, pa.selector)) if (out.get(w) === null) out.set(w, pa);
  }
  byList.set(peers, out);
  return out;
}

/** The first candidate whose selector the labels meet. */
function firstSelecting(
  candidates: readonly PeerAuthentication[],
  labels: Record<string, string>,
): PeerAuthentication | null {
  for (const pa of candidates) if (pa.selector !== null && selectorMatches(pa.selector, labels)) return pa;
  return null;
}

/**
 * `peers`: the model's workloads of w's namespace, when w is one of them (the resolver passes them), so
 * that a namespace with many workload-level policies is matched through the label index; a workload
 * not in the list (an inline endpoint, a stand-in) is matched by scanning.
 */
export function workloadPolicyFor(
  index: PaIndex,
  w: Pick<Workload, "namespace" | "labels">,
  peers?: readonly Workload[],
): WorkloadPolicy {
  let workloadPolicy: PeerAuthentication | null = null;
  const candidates = index.workloadLevel.get(w.namespace);
  if (candidates) {
    const indexed =
      peers !== undefined && candidates.length >= SELECT_BY_INDEX_FROM
        ? selectionOf(index, candidates, peers).get(w as Workload)
        : undefined;
    workloadPolicy = indexed !== undefined ? indexed : firstSelecting(candidates, w.labels);
  }
  let byNs = compositions.get(index);
  if (!byNs) compositions.set(index, (byNs = new Map()));
  let byPolicy = byNs.get(w.namespace);
  if (!byPolicy) byNs.set(w.namespace, (byPolicy = new Map()));
  let out = byPolicy.get(workloadPolicy);
  if (out) return out;
  const meshPolicy = meshPolicyOf(index, w.namespace);
  const namespacePolicy =
    w.namespace === index.rootNamespace ? null : (index.namespaceWide.get(w.namespace)?.[0] ?? null);
  let base = applyLevel(DEFAULT_DECISION, meshPolicy, "mesh");
  base = applyLevel(base, namespacePolicy, "namespace");
  if (index.ambient) {
    // The conversion step reads the namespace policy from PeerAuthByNamespace, which indexes only nil
    // selectors: a `selector: {}` policy decides the selection step above but is not the conversion's.
    const conversionNs = namespacePolicy?.emptySelector
      ? (index.namespaceWide.get(w.namespace)?.find((pa) => !pa.emptySelector) ?? null)
      : namespacePolicy;
    const amb = workloadPolicy
      ? ambientComposition(meshPolicy, conversionNs, workloadPolicy, base)
      : { base: relaxed(base), perPort: NO_PORTS };
    out = { base: amb.base, perPort: amb.perPort, workloadPolicy, namespacePolicy, meshPolicy };
    byPolicy.set(workloadPolicy, out);
    return out;
  }
  base = applyLevel(base, workloadPolicy, "workload");
  let perPort = NO_PORTS;
  if (workloadPolicy?.portLevelMtls?.size) {
    perPort = new Map<number, ModeDecision>();
    for (const [port, mode] of workloadPolicy.portLevelMtls) {
      // An UNSET port entry (or `{}`) takes the workload's composed mode (§1.4 step 6).
      perPort.set(port, mode === "UNSET" ? base : { mode, policy: workloadPolicy, origin: "workload-port" });
    }
  }
  out = { base, perPort, workloadPolicy, namespacePolicy, meshPolicy };
  byPolicy.set(workloadPolicy, out);
  return out;
}

export function modeForPort(p: WorkloadPolicy, port: number): ModeDecision {
  return p.perPort.get(port) ?? p.base;
}

/**
 * PA indexes per (root namespace, ambient) with memoisation: revisions may set a different root
 * namespace, and ambient workloads compose as istiod does for ztunnel. A plain cache object and
 * a module-level lookup rather than a closure per analysis (see the resolver).
 */
export interface PaIndexCache {
  model: MeshModel;
  byKey: Map<string, PaIndex>;
}

export function paIndexCache(model: MeshModel): PaIndexCache {
  // Made once per analysis: see model/perRun.ts.
  return perRun<PaIndexCache>({ model, byKey: new Map() });
}

export function paIndexFor(
  cache: PaIndexCache,
  rootNamespace: string,
  ambient: boolean,
  revision = "",
): PaIndex {
  const key = `${ambient ? "a" : "s"}:${revision}:${rootNamespace}`;
  let idx = cache.byKey.get(key);
  if (!idx) {
    const model = cache.model;
    const pas = model.peerAuthentications;
    let read = pas.some((pa) => pa.revision !== undefined)
      ? pas.filter((pa) => inRevision(pa.revision, revision))
      : pas;
    // The revision's istiod ignores PeerAuthentications its discoverySelectors hide (discovery.ts), the root namespace's too.
    const view = discoveryViewFor(model, revision);
    if (view) read = read.filter((pa) => !view.hidden.has(pa.namespace));
    idx = buildPaIndex(read, rootNamespace, ambient);
    cache.byKey.set(key, idx);
  }
  return idx;
}

/**
 * The root namespace's mesh-wide policies an istiod drops with the root namespace (its
 * discoverySelectors leave it out: Istio >=1.22 scoping, discovery.ts), oldest first as buildPaIndex
 * orders the mesh policies: per discovery view, whose mesh settings give the root namespace. Not yet
 * filtered by revision: revisions sharing settings share the view.
 */
const hiddenRootPolicies = new WeakMap<DiscoveryView, PeerAuthentication[]>();

/**
 * The mesh-wide PeerAuthentication the istiod of `revision` would apply but ignores, or null. Either
 * its discoverySelectors leave the root namespace out: the oldest selector-less root policy of its
 * revision (crdclient `inRevision`, whatever the selectors say: one labelled for another revision is no
 * policy of this istiod's either way), as paIndexFor would pick it without the discovery filter. Or,
 * the root namespace seen, the oldest one labelled with a revision tag pointing to its revision
 * (taggedMeshPolicy): no istiod reads that. Reasons that rest on there being no mesh policy name it
 * instead (mesh.no-strict, pa.permissive, the edge's server phrase; ignoredMeshPolicyClause words
 * which). Once per view or root, a short loop per call.
 */
export function ignoredMeshPolicy(
  model: MeshModel,
  revision: string,
  ambient = false,
): PeerAuthentication | null {
  const view = discoveryViewFor(model, revision);
  const root = (model.meshByRevision.get(revision) ?? model.mesh).rootNamespace;
  if (!view?.hidden.has(root)) return taggedMeshPolicy(model, root, revision, ambient);
  let candidates = hiddenRootPolicies.get(view);
  if (!candidates) {
    candidates = buildPaIndex(
      model.peerAuthentications.filter((pa) => pa.namespace === root),
      root,
    ).mesh;
    hiddenRootPolicies.set(view, candidates);
  }
  // ztunnel takes a root `selector: {}` policy as the root namespace's own, not mesh-wide (buildPaIndex's rootNamespaceOnly).
  for (const pa of candidates)
    if (inRevision(pa.revision, revision) && !(ambient && pa.emptySelector)) return pa;
  return null;
}

/** Per model, per root namespace: its selector-less policies labelled with a revision tag, oldest first. */
const taggedRootPolicies = new WeakMap<MeshModel, Map<string, PeerAuthentication[]>>();

/**
 * The oldest mesh-wide policy in `root` whose istio.io/rev label names a tag pointing to `revision`, or
 * null. No istiod reads it (labelNamesTag), though the tag's users may think theirs does. Nothing to do
 * when the mesh has no tags. (One whose tag points to another revision is not this revision's to
 * relabel: unreadMeshPolicy names it.)
 */
export function taggedMeshPolicy(
  model: MeshModel,
  root: string,
  revision: string,
  ambient = false,
): PeerAuthentication | null {
  const r = model.revisions;
  if (r.tags.size === 0) return null;
  let byRoot = taggedRootPolicies.get(model);
  if (!byRoot) taggedRootPolicies.set(model, (byRoot = new Map()));
  let candidates = byRoot.get(root);
  if (!candidates)
    byRoot.set(
      root,
      (candidates = buildPaIndex(
        model.peerAuthentications.filter((pa) => pa.namespace === root && labelNamesTag(r, pa.revision)),
        root,
      ).mesh),
    );
  for (const pa of candidates)
    if (inRevision(r.tags.get(pa.revision!), revision) && !(ambient && pa.emptySelector)) return pa;
  return null;
}

/** Per model, per root namespace: its selector-less policies, whatever their label, oldest first. */
const rootPolicies = new WeakMap<MeshModel, Map<string, PeerAuthentication[]>>();

/**
 * The oldest selector-less policy in `root` that the istiod of `revision` does not read for its
 * istio.io/rev label (crdclient `inRevision`: labelled for another revision, or with a revision tag),
 * or null: the mesh-wide policy its users may take for this istiod's when it reads none.
 */
export function unreadMeshPolicy(
  model: MeshModel,
  root: string,
  revision: string,
  ambient = false,
): PeerAuthentication | null {
  let byRoot = rootPolicies.get(model);
  if (!byRoot) rootPolicies.set(model, (byRoot = new Map()));
  let candidates = byRoot.get(root);
  if (!candidates)
    byRoot.set(
      root,
      (candidates = buildPaIndex(
        model.peerAuthentications.filter((pa) => pa.namespace === root),
        root,
      ).mesh),
    );
  // ztunnel takes a root `selector: {}` policy as the root namespace's own, not mesh-wide (buildPaIndex's rootNamespaceOnly).
  for (const pa of candidates)
    if (!inRevision(pa.revision, revision) && !(ambient && pa.emptySelector)) return pa;
  return null;
}

/** Per model: the namespace-wide (selector-less) policies labelled with a revision tag, per namespace, oldest first. */
const taggedNamespacePolicies = new WeakMap<MeshModel, Map<string, PeerAuthentication[]>>();

/**
 * The oldest namespace-wide policy of `ns` (not the root namespace: taggedMeshPolicy) whose istio.io/rev
 * label names a tag pointing to `revision`, or null: the namespace's own policy as its users meant it,
 * which no istiod reads (labelNamesTag). An UNSET one would change nothing if read, so it is not named.
 * Built once per model (nothing when the mesh has no tags), a map read per call.
 */
function taggedNamespacePolicy(
  model: MeshModel,
  ns: string,
  root: string,
  revision: string,
): PeerAuthentication | null {
  const r = model.revisions;
  if (r.tags.size === 0 || ns === root) return null;
  let byNs = taggedNamespacePolicies.get(model);
  if (!byNs) {
    byNs = new Map();
    for (const pa of [...model.peerAuthentications].sort(compareByAge)) {
      if (pa.selector || pa.mode === "UNSET" || !labelNamesTag(r, pa.revision)) continue;
      const list = byNs.get(pa.namespace);
      if (list) list.push(pa);
      else byNs.set(pa.namespace, [pa]);
    }
    taggedNamespacePolicies.set(model, byNs);
  }
  for (const pa of byNs.get(ns) ?? []) if (inRevision(r.tags.get(pa.revision!), revision)) return pa;
  return null;
}

/**
 * A policy an istiod does not apply where it would otherwise decide: the namespace's own (tag-labelled),
 * the mesh-wide one (tag-labelled, or in a root namespace its discoverySelectors hide), or, for ztunnel,
 * a root-namespace `selector: {}` policy, which reaches only the root namespace's own workloads.
 */
export interface IgnoredPolicy {
  pa: PeerAuthentication;
  why: "namespace-tag" | "mesh" | "root-only";
}

/**
 * The policy the istiod of `revision` ignores where a workload of `ns` falls to the mesh-wide policy or
 * Istio's default (`d`): the namespace's own tag-labelled policy (taggedNamespacePolicy), which would
 * decide instead of either if read; else, at Istio's default only, the mesh-wide one it ignores
 * (ignoredMeshPolicy). Null for a namespace or workload decision, which no ignored policy overrides.
 * The one answer pa.permissive's subject and the edge's server phrase both name.
 */
export function ignoredPolicyFor(
  model: MeshModel,
  d: { origin: string; policy: object | null },
  ns: string,
  idx: PaIndex,
  revision: string,
): IgnoredPolicy | null {
  if (d.origin !== "mesh" && d.origin !== "default") return null;
  // Relabelled, it would decide only if older than the namespace policy read (an UNSET one leaves the
  // origin at mesh): ComposePeerAuthentication takes the oldest namespace-level policy whatever its mode.
  const own = taggedNamespacePolicy(model, ns, idx.rootNamespace, revision);
  const read = idx.namespaceWide.get(ns)?.[0];
  if (own && (!read || compareByAge(own, read) < 0)) return { pa: own, why: "namespace-tag" };
  if (d.policy) return null;
  const mesh = ignoredMeshPolicy(model, revision, idx.ambient);
  if (mesh) return { pa: mesh, why: "mesh" };
  // ztunnel: the root's `selector: {}` policy is read but not mesh-wide (buildPaIndex's rootNamespaceOnly).
  const rootOnly = ns === idx.rootNamespace ? undefined : idx.rootNamespaceOnly[0];
  return rootOnly ? { pa: rootOnly, why: "root-only" } : null;
}

/**
 * Why the policy ignoredPolicyFor names does not decide, as a clause inside the deciding policy's
 * parentheses (after "; ") or after "Istio's default: ". `meshHidden` words the discoverySelectors case.
 */
export function ignoredPolicyClause(
  r: Revisions,
  ignored: IgnoredPolicy,
  meshHidden?: (pa: PeerAuthentication) => string,
): string {
  const pa = ignored.pa;
  if (ignored.why === "root-only")
    return `istiod gives ztunnel a root-namespace PeerAuthentication as mesh-wide only without a selector, and ${pa.namespace}/${pa.name} has selector: {}, so it covers only ${pa.namespace}'s own workloads`;
  if (ignored.why === "mesh" && meshHidden && !labelNamesTag(r, pa.revision)) return meshHidden(pa);
  return ignoredMeshPolicyClause(r, pa, ignored.why === "namespace-tag" ? "namespace-wide" : "mesh-wide");
}

/**
 * Why an istiod ignores the mesh-wide policy ignoredMeshPolicy names, as a clause after "Istio's
 * default: ": its istio.io/rev label names a tag, or its discoverySelectors hide the root namespace.
 * `scope` is "namespace-wide" for the policy taggedNamespacePolicy names (always tag-labelled).
 */
function ignoredMeshPolicyClause(r: Revisions, pa: PeerAuthentication, scope = "mesh-wide"): string {
  return labelNamesTag(r, pa.revision)
    ? `no istiod reads ${scope} PeerAuthentication ${pa.namespace}/${pa.name}, whose istio.io/rev label names the revision tag ${pa.revision}, not a revision: istiod compares the raw label (istio/istio#51582)`
    : `its istiod ignores mesh-wide PeerAuthentication ${pa.namespace}/${pa.name}, as its discoverySelectors do not select ${pa.namespace}`;
}

/** The fix for a tag-labelled policy: the revision its tag points to, or no label. */
export const tagLabelFix = (r: Revisions, pa: PeerAuthentication): string =>
  `label ${pa.namespace}/${pa.name} istio.io/rev=${r.tags.get(pa.revision!)} (the revision the tag ${pa.revision} points to) or remove its istio.io/rev label`;
