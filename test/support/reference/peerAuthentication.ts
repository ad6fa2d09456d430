// istio.md §1.2–§1.4 (ComposePeerAuthentication), and for ambient workloads istiod's conversion for
// ztunnel (authorization.go: convertedSelectorPeerAuthentications + convertPeerAuthentication, where
// DISABLE counts as not STRICT), computed from scratch for one workload on every call.
import type { KubeObject } from "../../../lib/core/model/input";
import { rec_ as rec, strings_ as strings, type RInventory, type RWorkload } from "./inventory";

export type PaMode = "STRICT" | "PERMISSIVE" | "DISABLE";
export type Mode = PaMode | "NONE";
export type Origin = "workload-port" | "workload" | "namespace" | "mesh" | "default" | "no-proxy";

export interface PolicyRef {
  kind: "PeerAuthentication";
  namespace: string;
  name: string;
}

export interface Decision {
  mode: Mode;
  policy: PolicyRef | null;
  origin: Origin;
}

export interface WorkloadPolicy {
  workload: Decision;
  /** Only the entries of the applied workload policy's portLevelMtls (§1.4 step 6). */
  perPort: Map<number, Decision>;
}

const refOf = (pa: KubeObject): PolicyRef => ({
  kind: "PeerAuthentication",
  namespace: pa.metadata.namespace ?? "default",
  name: pa.metadata.name,
});

/** `mtls.mode`, with absent `mtls`, absent mode and UNSET all meaning "inherit" (§1.4). */
function modeOf(v: unknown): PaMode | null {
  const m = rec(v).mode;
  return m === "STRICT" || m === "PERMISSIVE" || m === "DISABLE" ? m : null;
}

/**
 * §1.3: oldest creationTimestamp first, then name, then namespace. A missing timestamp is the oldest
 * possible (docs/DECISIONS.md "Missing creationTimestamp"); the generator writes one fixed format, so
 * string order is time order.
 */
export function olderFirst(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.metadata.name !== b.metadata.name) return a.metadata.name < b.metadata.name ? -1 : 1;
  const na = a.metadata.namespace ?? "";
  const nb = b.metadata.namespace ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function oldest(xs: KubeObject[]): KubeObject | null {
  let best: KubeObject | null = null;
  for (const x of xs) if (best === null || olderFirst(x, best) < 0) best = x;
  return best;
}

const selectorOf = (pa: KubeObject) => strings(rec(rec(pa.spec).selector).matchLabels);

export type Scope = "mesh" | "namespace" | "workload" | "ignored";

/** §1.2 classification. */
export function scopeOf(pa: KubeObject, rootNamespace: string): Scope {
  const sel = selectorOf(pa);
  const ns = pa.metadata.namespace ?? "default";
  if (Object.keys(sel).length === 0) return ns === rootNamespace ? "mesh" : "namespace";
  return ns === rootNamespace ? "ignored" : "workload";
}

function matches(pa: KubeObject, labels: Record<string, string>): boolean {
  const sel = selectorOf(pa);
  for (const k of Object.keys(sel)) if (labels[k] !== sel[k]) return false;
  return true;
}

/** The PAs of each scope that count for the workload. */
function candidates(inv: RInventory, w: RWorkload, scope: "mesh" | "namespace" | "workload"): KubeObject[] {
  const out: KubeObject[] = [];
  for (const pa of inv.peerAuthentications) {
    const ns = pa.metadata.namespace ?? "default";
    if (ns !== w.namespace && ns !== inv.rootNamespace) continue;
    if (scopeOf(pa, inv.rootNamespace) !== scope) continue;
    if (scope === "namespace" && ns !== w.namespace) continue;
    if (scope === "workload" && !matches(pa, w.labels)) continue;
    // ztunnel's copy (fetchPeerAuthentications): a root policy is mesh-wide only with a nil selector;
    // one with `selector: {}` reaches the root namespace's own workloads only.
    if (scope === "mesh" && w.dataplane === "ambient" && rec(pa.spec).selector != null && ns !== w.namespace)
      continue;
    out.push(pa);
  }
  return out;
}

/** §1.4 for one workload, as if it had a proxy. */
export function composeForWorkload(inv: RInventory, w: RWorkload): WorkloadPolicy {
  let decision: Decision = { mode: "PERMISSIVE", policy: null, origin: "default" };
  const layers: ["mesh" | "namespace" | "workload", KubeObject | null][] = [
    ["mesh", oldest(candidates(inv, w, "mesh"))],
    ["namespace", oldest(candidates(inv, w, "namespace"))],
    ["workload", oldest(candidates(inv, w, "workload"))],
  ];
  for (const [origin, pa] of layers) {
    if (!pa) continue;
    const m = modeOf(rec(pa.spec).mtls);
    if (m !== null) decision = { mode: m, policy: refOf(pa), origin };
  }
  const perPort = new Map<number, Decision>();
  const wpa = layers[2]![1];
  if (w.dataplane === "ambient") {
    const nilSelector = candidates(inv, w, "namespace").filter((pa) => rec(pa.spec).selector == null);
    return ambient(layers[0]![1], layers[1]![1], oldest(nilSelector), wpa, decision);
  }
  if (wpa) {
    for (const [key, entry] of Object.entries(rec(rec(wpa.spec).portLevelMtls))) {
      const port = Number(key);
      const m = modeOf(entry);
      perPort.set(
        port,
        m !== null ? { mode: m, policy: refOf(wpa), origin: "workload-port" } : { ...decision },
      );
    }
  }
  return { workload: decision, perPort };
}

/**
 * Ambient: which ports ztunnel denies plaintext on. The static STRICT policy covers every port; a
 * converted workload policy is a DENY whose groups are OR'd: one per STRICT port of its own, and one
 * "no principal and not an exempt port" group. Written from the Go, branch by branch.
 */
function ambient(
  mesh: KubeObject | null,
  ns: KubeObject | null,
  nsConv: KubeObject | null,
  wpa: KubeObject | null,
  chain: Decision,
): WorkloadPolicy {
  const M = mesh ? modeOf(rec(mesh.spec).mtls) : null;
  const N = ns ? modeOf(rec(ns.spec).mtls) : null;
  const W = wpa ? modeOf(rec(wpa.spec).mtls) : null;
  let strict = M === "STRICT";
  if (ns && N !== null) strict = N === "STRICT";
  const notStrict = (m: PaMode | null) => m === "PERMISSIVE" || m === "DISABLE";
  const entries: [number, PaMode | null][] = wpa
    ? Object.entries(rec(rec(wpa.spec).portLevelMtls)).map(([k, v]) => [Number(k), modeOf(v)])
    : [];
  let referenced = false;
  if (wpa) {
    if (W === "STRICT") strict = true;
    if (notStrict(W)) strict = false;
    if (entries.length > 0) {
      if (W === "STRICT") {
        if (entries.some(([, m]) => notStrict(m))) [referenced, strict] = [true, false];
      } else if (notStrict(W)) {
        if (entries.some(([, m]) => m === "STRICT")) referenced = true;
      } else if (strict) {
        if (entries.some(([, m]) => m === "PERMISSIVE")) [referenced, strict] = [true, false];
      } else if (entries.some(([, m]) => m === "STRICT")) referenced = true;
    }
  }
  const strictPorts = new Set<number>();
  const exempt = new Set<number>();
  let rulesWithPrincipal = false;
  if (referenced) {
    // The conversion is handed the namespace policy from PeerAuthByNamespace, which indexes only
    // policies with a nil selector: a `selector: {}` one chosen above is not it.
    const ns = nsConv;
    const N = ns ? modeOf(rec(ns.spec).mtls) : null;
    let found = false;
    let rules = W === "STRICT" ? 1 : 0;
    for (const [port, m] of entries) {
      if (m === "STRICT") {
        if (
          W === "STRICT" ||
          (W === null && ns !== null && N === "STRICT") ||
          ((ns === null || N === null) && mesh !== null && M === "STRICT")
        )
          continue;
        strictPorts.add(port);
      } else if (notStrict(m)) {
        if (notStrict(W)) continue;
        if (
          W === null &&
          ((ns !== null && N !== "STRICT") ||
            (ns === null && mesh !== null && M !== "STRICT") ||
            (ns === null && mesh === null))
        )
          continue;
        found = true;
        exempt.add(port);
        rules++;
      }
    }
    const merge =
      (mesh !== null && M === "STRICT" && (ns === null || N === null || N === "STRICT")) ||
      (ns !== null && N === "STRICT");
    if (W === "STRICT" && !found)
      strictPorts.clear(); // returns nil: the static policy was not sent either
    else rulesWithPrincipal = rules > 0 && (W === "STRICT" || (merge && found));
  }
  const denies = (port: number | null) =>
    strict ||
    (port !== null && strictPorts.has(port)) ||
    (rulesWithPrincipal && (port === null || !exempt.has(port)));
  const modeFor = (port: number | null): PaMode => (denies(port) ? "STRICT" : "PERMISSIVE");
  // Which object decides is the last level with a mode, unless the conversion turned it around.
  const chainMode = chain.mode === "STRICT" ? "STRICT" : "PERMISSIVE";
  const workload: Decision =
    modeFor(null) === chainMode
      ? { ...chain, mode: chainMode }
      : { mode: modeFor(null), policy: refOf(wpa!), origin: "workload" };
  const perPort = new Map<number, Decision>();
  for (const [port, m] of entries) {
    const mode = modeFor(port);
    perPort.set(
      port,
      mode === workload.mode && m !== mode
        ? { ...workload }
        : { mode, policy: refOf(wpa!), origin: "workload-port" },
    );
  }
  return { workload, perPort };
}

/** GetMutualTLSModeForPort: the port entry if present, else the workload mode. */
export function modeForPort(p: WorkloadPolicy, port: number): Decision {
  return p.perPort.get(port) ?? p.workload;
}

/**
 * The namespace-level mode of a service's namespace as auto mTLS infers it (§3.2,
 * GetNamespaceMutualTLSMode): the oldest namespace-wide PA if it sets a mode, else the oldest mesh-wide
 * PA if it does, else PERMISSIVE. Workload and port-level policies are deliberately not consulted.
 *
 * Upstream reads it (and the per-endpoint check, composeForWorkload in edges.ts) with the CALLER's
 * istiod: its istio.io/rev-labelled PeerAuthentications, its root namespace, its discoverySelectors
 * (docs/DECISIONS.md, "Discovery selectors: config objects per caller's istiod"). Not taken as a
 * parameter here on purpose: the generators (randomMesh.ts, correctMesh.ts) label namespaces with a
 * revision but never a PeerAuthentication, give every revision the same root namespace and set no
 * discoverySelectors, so every istiod reads the same policies and the caller's answer is this one. A
 * generator that labels policies, or varies the root or the selectors per revision, must add the
 * revision here first (the production model's revision-aware cases are in test/discoveryScope.test.ts).
 */
export function namespaceMode(inv: RInventory, namespace: string): PaMode {
  const nsPas = inv.peerAuthentications.filter(
    (pa) =>
      (pa.metadata.namespace ?? "default") === namespace && scopeOf(pa, inv.rootNamespace) === "namespace",
  );
  const meshPas = inv.peerAuthentications.filter((pa) => scopeOf(pa, inv.rootNamespace) === "mesh");
  const nsPa = oldest(nsPas);
  const nsMode = nsPa ? modeOf(rec(nsPa.spec).mtls) : null;
  if (nsMode) return nsMode;
  const meshPa = oldest(meshPas);
  return (meshPa ? modeOf(rec(meshPa.spec).mtls) : null) ?? "PERMISSIVE";
}
