// Server side: which PeerAuthentication decides what a workload's proxy accepts, per port
// (istio.md §1). Mirrors ComposePeerAuthentication: oldest policy per scope wins, workload >
// namespace > mesh > PERMISSIVE, port-level entries keyed by the workload (target) port.
import type { MeshModel, PeerAuthentication, Workload } from "../model/mesh";
import { perRun } from "../model/perRun";
import { selectorMatches } from "../model/read";
import type { Origin } from "../snapshot/schema";

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

/** Istio's config order: creationTimestamp, then name, then namespace (configCompareByCreationTime). */
export function compareByAge(a: PeerAuthentication | { creationTimestamp: string; name: string; namespace: string }, b: typeof a): number {
  const ta = a.creationTimestamp ? Date.parse(a.creationTimestamp) : 0;
  const tb = b.creationTimestamp ? Date.parse(b.creationTimestamp) : 0;
  if (ta !== tb) return (Number.isNaN(ta) ? 0 : ta) - (Number.isNaN(tb) ? 0 : tb);
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}

export interface PaIndex {
  rootNamespace: string;
  /** Mesh-wide policies (root namespace, no selector), oldest first: [0] applies. */
  mesh: PeerAuthentication[];
  /** Namespace-wide policies per namespace (not root), oldest first. */
  namespaceWide: Map<string, PeerAuthentication[]>;
  /** Workload policies per namespace (not root), oldest first. */
  workloadLevel: Map<string, PeerAuthentication[]>;
  /** Root-namespace policies with a selector: Istio ignores them (§1.2). */
  rootWithSelector: PeerAuthentication[];
}

export function buildPaIndex(pas: PeerAuthentication[], rootNamespace: string): PaIndex {
  const index: PaIndex = { rootNamespace, mesh: [], namespaceWide: new Map(), workloadLevel: new Map(), rootWithSelector: [] };
  const push = (m: Map<string, PeerAuthentication[]>, k: string, pa: PeerAuthentication) => {
    const list = m.get(k);
    if (list) list.push(pa);
    else m.set(k, [pa]);
  };
  for (const pa of [...pas].sort(compareByAge)) {
    if (pa.namespace === rootNamespace) {
      if (pa.selector) index.rootWithSelector.push(pa);
      else index.mesh.push(pa);
    } else if (pa.selector) push(index.workloadLevel, pa.namespace, pa);
    else push(index.namespaceWide, pa.namespace, pa);
  }
  return index;
}

/** Ambient ignores DISABLE (istio.md §9.10): such a policy resolves as if it were absent. */
export function withoutDisable(pas: PeerAuthentication[]): PeerAuthentication[] {
  return pas
    .filter((pa) => pa.mode !== "DISABLE")
    .map((pa) => {
      if (!pa.portLevelMtls || ![...pa.portLevelMtls.values()].includes("DISABLE")) return pa;
      return { ...pa, portLevelMtls: new Map([...pa.portLevelMtls].filter(([, m]) => m !== "DISABLE")) };
    });
}

const DEFAULT_DECISION: ModeDecision = { mode: "PERMISSIVE", policy: null, origin: "default" };

function applyLevel(cur: ModeDecision, pa: PeerAuthentication | null, origin: ModeDecision["origin"]): ModeDecision {
  if (!pa || pa.mode === "UNSET") return cur;
  return { mode: pa.mode, policy: pa, origin };
}

/** The namespace-level mode (namespace policy, else mesh, else PERMISSIVE): what auto mTLS infers for a service (§3.2). */
export function namespaceDecision(index: PaIndex, namespace: string): ModeDecision {
  const meshPa = index.mesh[0] ?? null;
  const nsPa = namespace === index.rootNamespace ? null : (index.namespaceWide.get(namespace)?.[0] ?? null);
  return applyLevel(applyLevel(DEFAULT_DECISION, meshPa, "mesh"), nsPa, "namespace");
}

/**
 * Compositions per index, namespace and applying workload policy: everything a WorkloadPolicy depends
 * on. Thousands of workloads share a few hundred compositions, so they share the objects too (and the
 * resolver's per-decision caches then hit instead of growing per workload). Read-only once built.
 */
const compositions = new WeakMap<PaIndex, Map<string, Map<PeerAuthentication | null, WorkloadPolicy>>>();
const NO_PORTS: Map<number, ModeDecision> = new Map();

export function workloadPolicyFor(index: PaIndex, w: Pick<Workload, "namespace" | "labels">): WorkloadPolicy {
  let workloadPolicy: PeerAuthentication | null = null;
  const candidates = index.workloadLevel.get(w.namespace);
  if (candidates)
    for (const pa of candidates)
      if (pa.selector !== null && selectorMatches(pa.selector, w.labels)) {
        workloadPolicy = pa;
        break;
      }
  let byNs = compositions.get(index);
  if (!byNs) compositions.set(index, (byNs = new Map()));
  let byPolicy = byNs.get(w.namespace);
  if (!byPolicy) byNs.set(w.namespace, (byPolicy = new Map()));
  let out = byPolicy.get(workloadPolicy);
  if (out) return out;
  const meshPolicy = index.mesh[0] ?? null;
  const namespacePolicy = w.namespace === index.rootNamespace ? null : (index.namespaceWide.get(w.namespace)?.[0] ?? null);
  let base = applyLevel(DEFAULT_DECISION, meshPolicy, "mesh");
  base = applyLevel(base, namespacePolicy, "namespace");
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
 * namespace, and ambient workloads resolve with DISABLE policies removed. A plain cache object and
 * a module-level lookup rather than a closure per analysis (see the resolver).
 */
export interface PaIndexCache {
  model: MeshModel;
  ambientPas: PeerAuthentication[];
  byKey: Map<string, PaIndex>;
}

export function paIndexCache(model: MeshModel): PaIndexCache {
  // Made once per analysis: see model/perRun.ts.
  return perRun<PaIndexCache>({ model, ambientPas: withoutDisable(model.peerAuthentications), byKey: new Map() });
}

export function paIndexFor(cache: PaIndexCache, rootNamespace: string, ambient: boolean): PaIndex {
  const key = `${ambient ? "a" : "s"}:${rootNamespace}`;
  let idx = cache.byKey.get(key);
  if (!idx) {
    idx = buildPaIndex(ambient ? cache.ambientPas : cache.model.peerAuthentications, rootNamespace);
    cache.byKey.set(key, idx);
  }
  return idx;
}
