// Client side: which DestinationRule a client proxy uses for a host, and the TLS it sets for a port
// (istio.md §2.3, §2.4). Tiers: client namespace, then the service's namespace, then the root
// namespace; the first tier with any matching host wins, however specific a later one is.
import type { ClientTlsSettings, DestinationRule, Labels, Subset, TrafficPolicy } from "../model/mesh";
import { selectorMatches } from "../model/read";
import { compareByAge } from "./peerAuthentication";
import { perRun } from "../model/perRun";

export type DrTier = "client-namespace" | "service-namespace" | "root-namespace";

export interface DrLookup {
  /** The DR whose top-level policy applies (the oldest of a merged set, or the matching selector DR). */
  rule: DestinationRule;
  /** Every DR merged into the answer, the applying one first. */
  merged: DestinationRule[];
  trafficPolicy: TrafficPolicy | null;
  subsets: Subset[];
  tier: DrTier;
}

export interface DrIndex {
  /** Every DR per namespace in Istio's order (selector DRs first, then oldest first). */
  byNamespace: Map<string, DestinationRule[]>;
  /** Exact host → namespace → DRs, in Istio's order. */
  exactByHost: Map<string, Map<string, DestinationRule[]>>;
  /** Wildcard suffix ("*.ns.svc.cluster.local" → ".ns.svc.cluster.local"; "*" → "") → namespace → DRs. */
  wildcardBySuffix: Map<string, Map<string, DestinationRule[]>>;
  /**
   * Per host looked up (memo): the namespace → DRs maps that can match it, most specific first (the
   * exact host, then its wildcard suffixes from longest to ""). A lookup is then one read here and
   * one per tier and candidate group, and a host no DR matches answers at once.
   */
  hostGroups: Map<string, Map<string, DestinationRule[]>[]>;
  rootNamespace: string;
  defaultExportTo: string[];
}

export function buildDrIndex(rules: DestinationRule[], rootNamespace: string, defaultExportTo: string[]): DrIndex {
  const byNamespace = new Map<string, DestinationRule[]>();
  // Istio sorts workloadSelector DRs first, then by age (sortConfigBySelectorAndCreationTime).
  const sorted = [...rules].sort((a, b) => Number(!!b.workloadSelector) - Number(!!a.workloadSelector) || compareByAge(a, b));
  const exactByHost = new Map<string, Map<string, DestinationRule[]>>();
  const wildcardBySuffix = new Map<string, Map<string, DestinationRule[]>>();
  const push = <K>(m: Map<K, DestinationRule[]>, k: K, dr: DestinationRule) => {
    const list = m.get(k);
    if (list) list.push(dr);
    else m.set(k, [dr]);
  };
  const pushIn = (m: Map<string, Map<string, DestinationRule[]>>, k: string, dr: DestinationRule) => {
    let byNs = m.get(k);
    if (!byNs) m.set(k, (byNs = new Map()));
    push(byNs, dr.namespace, dr);
  };
  for (const dr of sorted) {
    push(byNamespace, dr.namespace, dr);
    if (dr.fqdn.startsWith("*")) pushIn(wildcardBySuffix, dr.fqdn.slice(1), dr);
    else pushIn(exactByHost, dr.fqdn, dr);
  }
  return perRun<DrIndex>({ byNamespace, exactByHost, wildcardBySuffix, hostGroups: new Map(), rootNamespace, defaultExportTo });
}

/** How well a DR host matches a service host: exact beats the longest wildcard suffix; -1 = no match. */
export function hostMatchScore(drHost: string, host: string): number {
  if (drHost === host) return Number.MAX_SAFE_INTEGER;
  if (drHost === "*") return 0;
  // "*.suffix" matches hosts ending in ".suffix"; compare in place rather than slicing (hot path).
  if (drHost.charCodeAt(0) === 42 /* * */ && drHost.charCodeAt(1) === 46 /* . */)
    return host.length >= drHost.length && host.endsWith(drHost.substring(1)) ? drHost.length : -1;
  return -1;
}

const exportToOf = (dr: DestinationRule, defaultExportTo: string[]) => (dr.exportTo.length ? dr.exportTo : defaultExportTo);

/**
 * An exported tier's check (getExportedDestinationRuleFromNamespace): in Istio's index of exported DRs
 * (not private-only), and exported to "*" or the client's namespace by name ("." is not that name).
 */
function exportedTo(dr: DestinationRule, clientNs: string, defaultExportTo: string[]): boolean {
  if (privateOnly(dr, defaultExportTo)) return false;
  return exportToOf(dr, defaultExportTo).some((e) => e === "*" || e === clientNs);
}

/** setDestinationRules' isPrivateOnly: exported to "." or its own namespace alone; selector DRs always are. */
function privateOnly(dr: DestinationRule, defaultExportTo: string[]): boolean {
  if (dr.workloadSelector) return true;
  const exportTo = exportToOf(dr, defaultExportTo);
  return exportTo.length === 1 && (exportTo[0] === "." || exportTo[0] === dr.namespace);
}

function visibleInOwnNamespace(dr: DestinationRule): boolean {
  // Istio forces a selector DR's exportTo to "." whatever it says.
  return !!dr.workloadSelector || dr.exportTo.length === 0 || dr.exportTo.some((e) => e === "*" || e === "." || e === dr.namespace);
}

type Visibility = "own" | "root-private" | "exported";

function visible(dr: DestinationRule, v: Visibility, clientNs: string, defaultExportTo: string[]): boolean {
  if (v === "own") return visibleInOwnNamespace(dr);
  // The root namespace's local index holds its private-only DRs, selector DRs included.
  if (v === "root-private") return privateOnly(dr, defaultExportTo);
  return exportedTo(dr, clientNs, defaultExportTo);
}

/** The candidate groups for a host, most specific first: exact, then "a.b.svc" → ".b.svc", ".svc", "". */
function hostGroupsOf(index: DrIndex, host: string): Map<string, DestinationRule[]>[] {
  let groups = index.hostGroups.get(host);
  if (groups) return groups;
  groups = [];
  const exact = index.exactByHost.get(host);
  if (exact) groups.push(exact);
  if (index.wildcardBySuffix.size > 0) {
    for (let i = host.indexOf("."); i >= 0; i = host.indexOf(".", i + 1)) {
      const wild = index.wildcardBySuffix.get(host.slice(i));
      if (wild) groups.push(wild);
    }
    const any = index.wildcardBySuffix.get("");
    if (any) groups.push(any);
  }
  index.hostGroups.set(host, groups);
  return groups;
}

/**
 * The DRs of one namespace (tier) visible to the client that match the host best: exact host first,
 * else the longest wildcard. Workload selectors are not looked at here: Istio picks the most specific
 * host first (MostSpecificHostMatch) and only then the DR for the client (`pick`).
 */
function bestInTier(groups: Map<string, DestinationRule[]>[], ns: string, v: Visibility, clientNs: string, index: DrIndex): DestinationRule[] | null {
  for (const group of groups) {
    const list = group.get(ns);
    if (!list) continue;
    // Most lists are wholly visible (usually one DR): answer with the list itself, read-only, rather than a copy.
    let all = true;
    for (const dr of list)
      if (!visible(dr, v, clientNs, index.defaultExportTo)) {
        all = false;
        break;
      }
    if (all) return list;
    // An exported tier picks the most specific host among the DRs exported at all, and only then asks
    // whether they reach the client; if not, the lookup moves to the next tier, not to a less specific
    // host (getExportedDestinationRuleFromNamespace). The client's own tier indexes only what it sees.
    if (v === "exported" && list.every((dr) => privateOnly(dr, index.defaultExportTo))) continue;
    const matches = list.filter((dr) => visible(dr, v, clientNs, index.defaultExportTo));
    if (matches.length > 0) return matches;
    if (v === "exported") return null;
  }
  return null;
}

const singleCache = new WeakMap<DestinationRule, Partial<Record<DrTier, DrLookup>>>();

/** The answer for a single DR, shared between lookups (most lookups match exactly one DR). */
function single(dr: DestinationRule, tier: DrTier): DrLookup {
  let byTier = singleCache.get(dr);
  if (!byTier) singleCache.set(dr, (byTier = {}));
  return (byTier[tier] ??= { rule: dr, merged: [dr], trafficPolicy: dr.trafficPolicy, subsets: dr.subsets, tier });
}

/**
 * SidecarScope.DestinationRule: the first selector DR matching the client (selector DRs sort first),
 * else the catch-all DRs merged, else none at all, although the tier matched and ends the lookup: a
 * selector DR for a more specific host than the catch-all hides it from the clients it does not select.
 */
function pick(matches: DestinationRule[], tier: DrTier, clientLabels: Labels): DrLookup | null {
  let catchAll = 0;
  for (const d of matches) {
    if (!d.workloadSelector) catchAll++;
    else if (selectorMatches(d.workloadSelector, clientLabels)) return single(d, tier);
  }
  if (catchAll === 0) return null;
  const catchAlls = catchAll === matches.length ? matches : matches.filter((d) => !d.workloadSelector);
  return merge(catchAlls.length > 1 ? lastExportGroup(catchAlls) : catchAlls, tier);
}

const exportKey = (dr: DestinationRule) => [...new Set(dr.exportTo)].sort().join(",");

/**
 * ENABLE_ENHANCED_DESTINATIONRULE_MERGE (on by default, istio.md §2.4): catch-all DRs for one host
 * merge only with the same exportTo; the others stay separate entries, in the order of their oldest
 * DR, and SidecarScope.DestinationRule keeps the last one it meets.
 */
function lastExportGroup(catchAlls: DestinationRule[]): DestinationRule[] {
  const keys = catchAlls.map(exportKey);
  const order = [...new Set(keys)];
  if (order.length === 1) return catchAlls;
  const last = order[order.length - 1];
  return catchAlls.filter((_, i) => keys[i] === last);
}

function merge(matches: DestinationRule[], tier: DrTier): DrLookup {
  if (matches.length === 1) return single(matches[0]!, tier);
  // mergeDestinationRule: the oldest top-level trafficPolicy, taken from a later DR when the older
  // ones have none (a DR for subsets and another for TLS is a common pair).
  const rule = matches.find((d) => d.trafficPolicy) ?? matches[0]!;
  const subsets: Subset[] = [];
  const names = new Set<string>();
  for (const dr of matches)
    for (const s of dr.subsets) {
      if (names.has(s.name)) continue; // duplicate subset names: the first one stays
      names.add(s.name);
      subsets.push(s);
    }
  const merged = rule === matches[0] ? matches : [rule, ...matches.filter((d) => d !== rule)];
  return { rule, merged, trafficPolicy: rule.trafficPolicy, subsets, tier };
}

export interface LookupResult {
  applied: DrLookup | null;
  /** DRs in later tiers that match the host and are visible to the client, but lose to an earlier tier. */
  shadowed: DestinationRule[];
  /** When the first matching tier applies nothing to this client: its DRs (selector DRs for others). */
  hiddenBy: DestinationRule[];
}

const NONE: DestinationRule[] = [];
/** The answer when no DR matches: shared, since most (client, host) pairs have none. */
const NOTHING: LookupResult = Object.freeze({ applied: null, shadowed: NONE, hiddenBy: NONE });

export function lookupDestinationRule(
  index: DrIndex,
  clientNs: string,
  clientLabels: Labels,
  host: string,
  serviceNs: string | null,
): LookupResult {
  const groups = hostGroupsOf(index, host);
  if (groups.length === 0) return NOTHING;
  const fromRoot = clientNs === index.rootNamespace;
  let applied: DrLookup | null = null;
  // The first tier with a match ends the lookup, even when it applies no DR to this client (`pick`).
  let matched = false;
  let firstMatch: DestinationRule[] = NONE;
  let shadowed: DestinationRule[] = NONE;
  // The tiers in order, unrolled: this runs once per edge. From the root namespace, only its private
  // DRs count as "own" (istio.md §2.4). Selector DRs are never exported, so later tiers hold none.
  const own = bestInTier(groups, clientNs, fromRoot ? "root-private" : "own", clientNs, index);
  if (own) {
    applied = pick(own, "client-namespace", clientLabels);
    matched = true;
    firstMatch = own;
  }
  if (serviceNs !== null && (serviceNs !== clientNs || fromRoot)) {
    const matches = bestInTier(groups, serviceNs, "exported", clientNs, index);
    if (matches) {
      if (!matched) {
        applied = pick(matches, "service-namespace", clientLabels);
        matched = true;
        firstMatch = matches;
      } else shadowed = [...shadowed, ...matches];
    }
  }
  if (index.rootNamespace !== serviceNs) {
    const matches = bestInTier(groups, index.rootNamespace, "exported", clientNs, index);
    if (matches) {
      if (!matched) {
        applied = pick(matches, "root-namespace", clientLabels);
        matched = true;
        firstMatch = matches;
      } else shadowed = [...shadowed, ...matches];
    }
  }
  if (applied) return { applied, shadowed, hiddenBy: NONE };
  return shadowed.length > 0 || firstMatch.length > 0 ? { applied, shadowed, hiddenBy: firstMatch } : NOTHING;
}

export interface PortTls {
  tls: ClientTlsSettings | null;
  /** Where the TLS came from: top-level policy or a port-level entry (which replaces the whole policy). */
  from: "top-level" | "port-level" | "none";
  /** loadBalancer.simple of the same policy, which decides whether the cluster is ORIGINAL_DST. */
  loadBalancerSimple: string | null;
}

const NO_POLICY: PortTls = Object.freeze({ tls: null, from: "none", loadBalancerSimple: null });

/** GetPortLevelTrafficPolicy: a matching portLevelSettings entry replaces the whole policy (§2.3). */
export function tlsForPort(policy: TrafficPolicy | null, servicePort: number): PortTls {
  if (!policy) return NO_POLICY;
  const entry = policy.portLevelSettings.find((p) => p.port === servicePort);
  if (entry) return { tls: entry.tls, from: "port-level", loadBalancerSimple: entry.loadBalancerSimple };
  return { tls: policy.tls, from: policy.tls ? "top-level" : "none", loadBalancerSimple: policy.loadBalancerSimple };
}

/**
 * The TLS that tags endpoints for an auto-mTLS cluster (trafficPolicyTLSModeForPort, mtls_checker.go):
 * the first port entry for the port that has tls, else the top level; null when neither has any.
 */
export function taggingTls(policy: TrafficPolicy | null, servicePort: number): { tls: ClientTlsSettings; fromPortEntry: boolean } | null {
  if (!policy) return null;
  for (const p of policy.portLevelSettings) if (p.port === servicePort && p.tls) return { tls: p.tls, fromPortEntry: true };
  return policy.tls ? { tls: policy.tls, fromPortEntry: false } : null;
}
