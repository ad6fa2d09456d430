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

const selectorOf = (dr: KubeObject): Record<string, string> | null => {
  const ws = rec(dr.spec).workloadSelector;
  return ws === undefined ? null : (rec(rec(ws).matchLabels) as Record<string, string>);
};

/** The most specific host among `drs` that matches `host`, or -1. */
function bestScore(drs: KubeObject[], host: string): number {
  let best = -1;
  for (const dr of drs) {
    const s = specificity(normalisedHost(dr), host);
    if (s !== null && s > best) best = s;
  }
  return best;
}

function oldestOf(drs: KubeObject[]): KubeObject | null {
  let best: KubeObject | null = null;
  for (const dr of drs) if (best === null || olderFirst(dr, best) < 0) best = dr;
  return best;
}

/**
 * Among `drs` (one namespace, all visible), the one for `host` as seen by a client with `labels`:
 * the most specific host decides the list (§2.4 MostSpecificHostMatch, selector DRs included), then
 * SidecarScope.DestinationRule takes the first workloadSelector DR matching the client, else the
 * catch-all (no selector) DR, whose top-level policy is the oldest's (§2.4 merge). Selector DRs
 * only apply in their own namespace, which is the client's (`selectorsApply`). A list with neither
 * gives no DR at all: the tier still "had a match". Returns [found, tierMatched].
 */
function bestIn(
  drs: KubeObject[],
  host: string,
  labels: Record<string, string>,
  selectorsApply: boolean,
): [KubeObject | null, boolean] {
  const score = bestScore(drs, host);
  if (score < 0) return [null, false];
  const atBest = drs.filter((dr) => specificity(normalisedHost(dr), host) === score);
  if (selectorsApply) {
    const matching = atBest.filter((dr) => {
      const sel = selectorOf(dr);
      return sel !== null && Object.keys(sel).every((k) => labels[k] === sel[k]);
    });
    // Sorted selector DRs first, then by age: the oldest matching one.
    const found = oldestOf(matching);
    if (found) return [found, true];
  }
  return [oldestOf(atBest.filter((dr) => selectorOf(dr) === null)), true];
}

/** A DR only its own namespace sees (SetDestinationRules' isPrivateOnly): exportTo exactly "." or its namespace. */
function privateOnly(dr: KubeObject): boolean {
  const e = rec(dr.spec).exportTo;
  const list = Array.isArray(e) ? e.filter((x): x is string => typeof x === "string") : [];
  return list.length === 1 && (list[0] === "." || list[0] === (dr.metadata.namespace ?? "default"));
}

/**
 * §2.4 tiers: the client's namespace, then the service's, then the root namespace; the first tier
 * with a match wins. A client in the root namespace sees only the root namespace's private DRs in
 * its first tier (§2.4 "Special case"). workloadSelector DRs are never exported (§2.1), so they only
 * count in the client's own namespace.
 */
export function lookupDestinationRule(
  inv: RInventory,
  client: { namespace: string; labels: Record<string, string> },
  serviceNs: string,
  host: string,
): KubeObject | null {
  const clientNs = client.namespace;
  const root = inv.rootNamespace;
  // The root namespace's local index holds its private-only DRs; selector DRs are always private
  // (SetDestinationRules), and SidecarScope applies selectors of DRs in the client's own namespace.
  const first = (dr: KubeObject) =>
    clientNs !== root ? visibleTo(dr, clientNs) : privateOnly(dr) || selectorOf(dr) !== null;
  const inNs = (ns: string) =>
    inv.destinationRules.filter((dr) => (dr.metadata.namespace ?? "default") === ns);
  const [found, matched] = bestIn(inNs(clientNs).filter(first), host, client.labels, true);
  if (matched) return found;
  // Exported tiers (getExportedDestinationRuleFromNamespace): the most specific host among the DRs
  // exported at all, then whether they reach the client; if not, the next tier.
  for (const ns of [serviceNs, root]) {
    const exported = inNs(ns).filter((dr) => selectorOf(dr) === null && !privateOnly(dr));
    const score = bestScore(exported, host);
    if (score < 0) continue;
    // Exported to "*" or the client's namespace by name: "." names no namespace here.
    const reach = exported.filter(
      (dr) =>
        specificity(normalisedHost(dr), host) === score &&
        exportTo(dr).some((e) => e === "*" || e === clientNs),
    );
    if (reach.length === 0) continue;
    return bestIn(reach, host, client.labels, false)[0];
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
  if (
    (m === "SIMPLE" || m === "MUTUAL") &&
    typeof cred === "string" &&
    cred !== "" &&
    !cred.startsWith("configmap://") &&
    !hasSelector
  )
    return "DISABLE";
  return m;
}
