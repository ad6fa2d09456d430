// istio.md §1.2–§1.4 (ComposePeerAuthentication) and §9.10 (ambient ignores DISABLE), computed from
// scratch for one workload on every call.
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

/**
 * The PAs of each scope that count for the workload. For ambient workloads a DISABLE policy is
 * dropped before the oldest is chosen (docs/DECISIONS.md "Ambient and DISABLE", istio.md §9.10).
 */
function candidates(inv: RInventory, w: RWorkload, scope: "mesh" | "namespace" | "workload"): KubeObject[] {
  const out: KubeObject[] = [];
  for (const pa of inv.peerAuthentications) {
    const ns = pa.metadata.namespace ?? "default";
    if (ns !== w.namespace && ns !== inv.rootNamespace) continue;
    if (scopeOf(pa, inv.rootNamespace) !== scope) continue;
    if (scope === "namespace" && ns !== w.namespace) continue;
    if (scope === "workload" && !matches(pa, w.labels)) continue;
    if (w.dataplane === "ambient" && modeOf(rec(pa.spec).mtls) === "DISABLE") continue;
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
  if (wpa) {
    for (const [key, entry] of Object.entries(rec(rec(wpa.spec).portLevelMtls))) {
      const port = Number(key);
      const m = modeOf(entry);
      if (w.dataplane === "ambient" && m === "DISABLE") continue;
      perPort.set(
        port,
        m !== null ? { mode: m, policy: refOf(wpa), origin: "workload-port" } : { ...decision },
      );
    }
  }
  return { workload: decision, perPort };
}

/** GetMutualTLSModeForPort: the port entry if present, else the workload mode. */
export function modeForPort(p: WorkloadPolicy, port: number): Decision {
  return p.perPort.get(port) ?? p.workload;
}

/**
 * The namespace-level mode of a service's namespace as auto mTLS infers it (§3.2,
 * GetNamespaceMutualTLSMode): the oldest namespace-wide PA if it sets a mode, else the oldest mesh-wide
 * PA if it does, else PERMISSIVE. Workload and port-level policies are deliberately not consulted.
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
