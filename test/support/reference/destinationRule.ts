// istio.md §2.1, §2.3 and §2.4: which DestinationRule a client namespace uses for a host, and what TLS
// it sets for one Service port. Every call scans every DR.
import type { KubeObject } from "../../../lib/core/model/input";
import { rec_ as rec, type RInventory } from "./inventory";
import { olderFirst } from "./peerAuthentication";

export type TlsSetting = Record<string, unknown>;

/** §2.4 ResolveShortnameToFQDN: no dot → relative to the DR's own namespace; anything with a dot is literal. */
export function normalisedHost(dr: KubeObject): string {
  const host = String(rec(dr.spec).host ?? "");
  if (host === "*" || host.includes(".")) return host;
  return `${host}.${dr.metadata.namespace ?? "default"}.svc.cluster.local`;
}

/** How well `pattern` matches `host`: null for no match, larger is more specific, exact beats any wildcard. */
function specificity(pattern: string, host: string): number | null {
  if (pattern === host) return Number.MAX_SAFE_INTEGER;
  if (pattern.startsWith("*") && host.endsWith(pattern.slice(1))) return pattern.length;
  return null;
}

function exportTo(dr: KubeObject): string[] {
  const e = rec(dr.spec).exportTo;
  const list = Array.isArray(e) ? e.filter((x): x is string => typeof x === "string") : [];
  // Empty exportTo takes the mesh default defaultDestinationRuleExportTo, itself ["*"] (§2.1).
  return list.length === 0 ? ["*"] : list;
}

/** Whether namespace `to` sees `dr`: "*", its own name, or "." when it is the DR's own namespace. */
export function visibleTo(dr: KubeObject, to: string): boolean {
  const drNs = dr.metadata.namespace ?? "default";
  for (const e of exportTo(dr)) {
    if (e === "*" || e === to) return true;
    if (e === "." && drNs === to) return true;
  }
  return false;
}

/** Among `drs` (one namespace, all visible), the one for `host`: most specific host, then the oldest of those with that host (§2.4 merge: the oldest's top-level policy wins). */
function bestIn(drs: KubeObject[], host: string): KubeObject | null {
  let bestScore = -1;
  for (const dr of drs) {
    const s = specificity(normalisedHost(dr), host);
    if (s !== null && s > bestScore) bestScore = s;
  }
  if (bestScore < 0) return null;
  let best: KubeObject | null = null;
  for (const dr of drs) {
    if (specificity(normalisedHost(dr), host) !== bestScore) continue;
    if (best === null || olderFirst(dr, best) < 0) best = dr;
  }
  return best;
}

/** §2.4 tiers: the client's namespace, then the service's, then the root namespace; the first tier with a match wins. */
export function lookupDestinationRule(inv: RInventory, clientNs: string, serviceNs: string, host: string): KubeObject | null {
  const tiers: [string, (dr: KubeObject) => boolean][] = [
    [clientNs, (dr) => visibleTo(dr, clientNs)],
    [serviceNs, (dr) => visibleTo(dr, clientNs)],
    [inv.rootNamespace, (dr) => visibleTo(dr, clientNs)],
  ];
  for (const [ns, visible] of tiers) {
    const inTier = inv.destinationRules.filter((dr) => (dr.metadata.namespace ?? "default") === ns && visible(dr));
    const found = bestIn(inTier, host);
    if (found) return found;
  }
  return null;
}

function firstPortEntry(dr: KubeObject, port: number): Record<string, unknown> | null {
  const settings = rec(rec(dr.spec).trafficPolicy).portLevelSettings;
  if (!Array.isArray(settings)) return null;
  for (const s of settings) if (rec(rec(s).port).number === port) return rec(s);
  return null;
}

/** §2.3 step 1: a matching portLevelSettings entry replaces the whole policy, tls included. undefined = no TLS (auto mTLS). */
export function clusterTls(dr: KubeObject | null, port: number): TlsSetting | undefined {
  if (!dr) return undefined;
  const entry = firstPortEntry(dr, port);
  const policy = entry ?? rec(rec(dr.spec).trafficPolicy);
  return policy.tls === undefined ? undefined : rec(policy.tls);
}

/** §2.3 ⚠ / §3.3: the EDS-side rule that tags endpoints: a port entry overrides only when it has tls. */
export function endpointTaggingTls(dr: KubeObject | null, port: number): TlsSetting | undefined {
  if (!dr) return undefined;
  const entry = firstPortEntry(dr, port);
  if (entry && entry.tls !== undefined) return rec(entry.tls);
  const top = rec(rec(dr.spec).trafficPolicy).tls;
  return top === undefined ? undefined : rec(top);
}

export type SentTls = "ISTIO_MUTUAL" | "MUTUAL" | "SIMPLE" | "DISABLE";

/** §2.1 zero value DISABLE; §2.2 ⚠ credentialName on a sidecar without workloadSelector → plaintext. */
export function sentBy(tls: TlsSetting, dr: KubeObject): SentTls {
  const mode = tls.mode;
  const m: SentTls = mode === "ISTIO_MUTUAL" || mode === "MUTUAL" || mode === "SIMPLE" ? mode : "DISABLE";
  const cred = tls.credentialName;
  const hasSelector = rec(dr.spec).workloadSelector !== undefined;
  if ((m === "SIMPLE" || m === "MUTUAL") && typeof cred === "string" && cred !== "" && !cred.startsWith("configmap://") && !hasSelector) return "DISABLE";
  return m;
}
