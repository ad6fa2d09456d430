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
  /**
   * The merged set's first DR: the merged config is a copy of it, so its workloadSelector is the set's
   * (opts.isDrWithSelector, which decides whether sidecars use a credentialName).
   */
  head: DestinationRule;
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

export function buildDrIndex(
  rules: DestinationRule[],
  rootNamespace: string,
  defaultExportTo: string[],
): DrIndex {
  const byNamespace = new Map<string, DestinationRule[]>();
  // Istio sorts workloadSelector DRs first, then by age (sortConfigBySelectorAndCreationTime).
  const sorted = [...rules].sort(
    (a, b) => Number(!!b.workloadSelector) - Number(!!a.workloadSelector) || compareByAge(a, b),
  );
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
  return perRun<DrIndex>({
    byNamespace,
    exactByHost,
    wildcardBySuffix,
    hostGroups: new Map(),
    rootNamespace,
    defaultExportTo,
  });
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

/**
 * One entry of Istio's per-namespace DR index for a host (`ConsolidatedDestRule`): the DR that
 * opened it, the DRs merged into it (`from`), and the merged spec. Built by `consolidate`.
 */
export interface DrEntry {
  /** The DR that opened the entry: its workloadSelector and exportTo are the entry's. */
  head: DestinationRule;
  /** Every DR merged into the entry, the head first, in Istio's order. */
  from: DestinationRule[];
  /** The exportTo set as Istio keeps it: spec.exportTo as written (empty when unset), "." for selector DRs. */
  exportTo: ReadonlySet<string>;
  /** The top-level policy: the head's, else the first merged DR's that has one. */
  trafficPolicy: TrafficPolicy | null;
  /** The DR that policy came from (the head when none has one). */
  policyFrom: DestinationRule;
  subsets: Subset[];
}

/** Istio's three DR indexes per namespace (SetDestinationRules). */
export type IndexKind = "local" | "root-private" | "exported";

const PRIVATE_ONLY: ReadonlySet<string> = new Set(["."]);
const exportSets = new WeakMap<DestinationRule, ReadonlySet<string>>();
/** SetDestinationRules' exportToSet: a selector DR's is "." whatever it says; else spec.exportTo as a set (not defaulted). */
function exportSetOf(dr: DestinationRule): ReadonlySet<string> {
  let set = exportSets.get(dr);
  if (!set) exportSets.set(dr, (set = dr.workloadSelector ? PRIVATE_ONLY : new Set(dr.exportTo)));
  return set;
}

/** SetDestinationRules' isPrivateOnly; selector DRs always are. */
function privateOnly(dr: DestinationRule, defaultExportTo: string[]): boolean {
  const e = exportSetOf(dr);
  if (e.size === 0) return defaultExportTo.includes(".");
  return e.size === 1 && (e.has(".") || e.has(dr.namespace));
}

/** Which of its namespace's indexes a DR goes into (SetDestinationRules). */
function inIndex(dr: DestinationRule, kind: IndexKind, defaultExportTo: string[]): boolean {
  if (kind === "exported") return !privateOnly(dr, defaultExportTo);
  if (kind === "root-private") return privateOnly(dr, defaultExportTo);
  const e = exportSetOf(dr);
  return e.size === 0 || e.has("*") || e.has(".") || e.has(dr.namespace);
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((x) => b.has(x));
const superset = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...b].every((x) => a.has(x));
const sameLabels = (a: Labels, b: Labels) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

function openEntry(dr: DestinationRule): DrEntry {
  return {
    head: dr,
    from: [dr],
    exportTo: exportSetOf(dr),
    trafficPolicy: dr.trafficPolicy,
    policyFrom: dr,
    subsets: dr.subsets,
  };
}

/**
 * mergeDestinationRule with ENABLE_ENHANCED_DESTINATIONRULE_MERGE on (the default), over the DRs of
 * one namespace index and host in Istio's order (selector DRs first, then oldest first). An incoming
 * DR is compared with each entry already there:
 * - an exportTo set that differs and is not a superset of the entry's: kept apart from it;
 * - two selector DRs with different selectors: kept apart;
 * - otherwise it is merged into the entry (its new subsets added, its top-level policy taken when the
 *   entry has none).
 * It opens an entry of its own only if the last comparison said so, and an equal exportTo, two
 * catch-alls or two equal selectors say not. So a catch-all DR with the same exportTo as a selector DR
 * (exportTo ".") is swallowed by it and reaches only the workloads it selects (istio/istio#58322),
 * and a catch-all exported to a superset of an older one's namespaces is merged into that one.
 */
export function consolidate(drs: readonly DestinationRule[]): DrEntry[] {
  const entries: DrEntry[] = [];
  for (const dr of drs) {
    const e = exportSetOf(dr);
    let appendSeparately = true;
    const existing = entries.length;
    for (let i = 0; i < existing; i++) {
      const entry = entries[i]!;
      if (sameSet(e, entry.exportTo)) appendSeparately = false;
      else if (entry.exportTo.size > 0 && superset(e, entry.exportTo)) appendSeparately = true;
      else {
        appendSeparately = true;
        continue;
      }
      const sel = dr.workloadSelector;
      const headSel = entry.head.workloadSelector;
      if (sel && headSel && !sameLabels(sel, headSel)) {
        appendSeparately = true;
        continue;
      }
      if (!sel === !headSel) appendSeparately = false;
      entry.from = [...entry.from, dr];
      const names = new Set(entry.subsets.map((s) => s.name));
      const added = dr.subsets.filter((s) => !names.has(s.name)); // a duplicate subset name: the first one stays
      if (added.length > 0) entry.subsets = [...entry.subsets, ...added];
      if (!entry.trafficPolicy && dr.trafficPolicy) {
        entry.trafficPolicy = dr.trafficPolicy;
        entry.policyFrom = dr;
      }
    }
    if (existing === 0 || appendSeparately) entries.push(openEntry(dr));
  }
  return entries;
}

type EntriesByKind = Partial<Record<IndexKind, DrEntry[]>>;
const NO_ENTRIES: DrEntry[] = [];
const entryCache = new WeakMap<readonly DestinationRule[], EntriesByKind>();

/** The index entries of one namespace's DRs for one host (a list of the DrIndex), memoised per list and index. */
export function entriesOf(
  list: readonly DestinationRule[],
  kind: IndexKind,
  defaultExportTo: string[],
): DrEntry[] {
  let byKind = entryCache.get(list);
  if (!byKind) entryCache.set(list, (byKind = {}));
  const hit = byKind[kind];
  if (hit) return hit;
  const members = list.filter((dr) => inIndex(dr, kind, defaultExportTo));
  return (byKind[kind] = members.length > 0 ? consolidate(members) : NO_ENTRIES);
}

/** getExportedDestinationRuleFromNamespace's check: the entry's exportTo unset, "*", or the client's namespace by name ("." names none). */
const reaches = (entry: DrEntry, clientNs: string) =>
  entry.exportTo.size === 0 || entry.exportTo.has("*") || entry.exportTo.has(clientNs);

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
 * One tier's answer (PushContext.destinationRule): the entries of the most specific host in that
 * namespace's index (MostSpecificHostMatch, selector DRs included). An exported tier then keeps the
 * entries that reach the client; if none does, the lookup moves to the next tier, not to a less
 * specific host (getExportedDestinationRuleFromNamespace). Null: no match in this tier.
 */
function tierEntries(
  groups: Map<string, DestinationRule[]>[],
  ns: string,
  kind: IndexKind,
  clientNs: string,
  index: DrIndex,
): DrEntry[] | null {
  for (const group of groups) {
    const list = group.get(ns);
    if (!list) continue;
    const entries = entriesOf(list, kind, index.defaultExportTo);
    if (entries.length === 0) continue;
    if (kind !== "exported") return entries;
    // Most entries reach every client: answer with the memoised array itself rather than a copy.
    let all = true;
    for (const e of entries)
      if (!reaches(e, clientNs)) {
        all = false;
        break;
      }
    if (all) return entries;
    const visible = entries.filter((e) => reaches(e, clientNs));
    return visible.length > 0 ? visible : null;
  }
  return null;
}

const lookupCache = new WeakMap<DrEntry, Partial<Record<DrTier, DrLookup>>>();

/** The answer for one entry, shared between lookups. */
function lookupOf(entry: DrEntry, tier: DrTier): DrLookup {
  let byTier = lookupCache.get(entry);
  if (!byTier) lookupCache.set(entry, (byTier = {}));
  const hit = byTier[tier];
  if (hit) return hit;
  const rule = entry.policyFrom;
  const merged = rule === entry.head ? entry.from : [rule, ...entry.from.filter((d) => d !== rule)];
  return (byTier[tier] = {
    rule,
    head: entry.head,
    merged,
    trafficPolicy: entry.trafficPolicy,
    subsets: entry.subsets,
    tier,
  });
}

/**
 * SidecarScope.DestinationRule: the first selector entry of the client's namespace that selects the
 * client (selector DRs sort first), else the last catch-all entry, else none at all, although the tier
 * matched and ends the lookup: a selector DR for a more specific host than the catch-all hides it
 * from the clients it does not select.
 */
function pick(entries: DrEntry[], tier: DrTier, clientNs: string, clientLabels: Labels): DrLookup | null {
  let catchAll: DrEntry | null = null;
  for (const e of entries) {
    const sel = e.head.workloadSelector;
    if (!sel) catchAll = e;
    else if (e.head.namespace === clientNs && selectorMatches(sel, clientLabels)) return lookupOf(e, tier);
  }
  return catchAll ? lookupOf(catchAll, tier) : null;
}

const headsCache = new WeakMap<DrEntry[], DestinationRule[]>();
/** The DRs that opened some entries (for a tier that applies nothing to a client: its selector DRs). */
function headsOf(entries: DrEntry[]): DestinationRule[] {
  let heads = headsCache.get(entries);
  if (!heads) headsCache.set(entries, (heads = entries.map((e) => e.head)));
  return heads;
}

const drsCache = new WeakMap<DrEntry[], DestinationRule[]>();
/** Every DR of some entries, in order (read-only, shared). */
function drsOf(entries: DrEntry[]): DestinationRule[] {
  let drs = drsCache.get(entries);
  if (!drs)
    drsCache.set(entries, (drs = entries.length === 1 ? entries[0]!.from : entries.flatMap((e) => e.from)));
  return drs;
}

/** The shadowed DRs with a later tier's added: its shared list when it is the first (so edges share it too). */
const laterTier = (shadowed: DestinationRule[], entries: DrEntry[]) =>
  shadowed.length === 0 ? drsOf(entries) : [...shadowed, ...drsOf(entries)];

export interface LookupResult {
  applied: DrLookup | null;
  /** DRs in later tiers that match the host and are visible to the client, but lose to an earlier tier. */
  shadowed: DestinationRule[];
  /** When the first matching tier applies nothing to this client: the DRs heading its entries (selector DRs for others). */
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
  let firstEntries: DrEntry[] | null = null;
  let shadowed: DestinationRule[] = NONE;
  // The tiers in order, unrolled: this runs once per edge. From the root namespace, only its private
  // DRs count as "own" (istio.md §2.4). Selector DRs are never exported, so later tiers hold none.
  const own = tierEntries(groups, clientNs, fromRoot ? "root-private" : "local", clientNs, index);
  if (own) {
    applied = pick(own, "client-namespace", clientNs, clientLabels);
    matched = true;
    firstEntries = own;
  }
  if (serviceNs !== null && (serviceNs !== clientNs || fromRoot)) {
    const entries = tierEntries(groups, serviceNs, "exported", clientNs, index);
    if (entries) {
      if (!matched) {
        applied = pick(entries, "service-namespace", clientNs, clientLabels);
        matched = true;
        firstEntries = entries;
      } else shadowed = laterTier(shadowed, entries);
    }
  }
  if (index.rootNamespace !== serviceNs) {
    const entries = tierEntries(groups, index.rootNamespace, "exported", clientNs, index);
    if (entries) {
      if (!matched) {
        applied = pick(entries, "root-namespace", clientNs, clientLabels);
        matched = true;
        firstEntries = entries;
      } else shadowed = laterTier(shadowed, entries);
    }
  }
  if (applied) return { applied, shadowed, hiddenBy: NONE };
  return shadowed.length > 0 || firstEntries
    ? { applied, shadowed, hiddenBy: firstEntries ? headsOf(firstEntries) : NONE }
    : NOTHING;
}

export interface PortTls {
  tls: ClientTlsSettings | null;
  /**
   * Where the TLS came from: top-level policy or a port-level entry (which replaces the whole policy);
   * for a subset cluster, the subset's policy or its port-level entry when they decide it.
   */
  from: "top-level" | "port-level" | "subset" | "subset-port-level" | "none";
  /** loadBalancer.simple of the same policy, which decides whether the cluster is ORIGINAL_DST. */
  loadBalancerSimple: string | null;
}

const NO_POLICY: PortTls = Object.freeze({ tls: null, from: "none", loadBalancerSimple: null });

/** GetPortLevelTrafficPolicy: a matching portLevelSettings entry replaces the whole policy (§2.3). */
export function tlsForPort(policy: TrafficPolicy | null, servicePort: number): PortTls {
  if (!policy) return NO_POLICY;
  const entry = policy.portLevelSettings.find((p) => p.port === servicePort);
  if (entry) return { tls: entry.tls, from: "port-level", loadBalancerSimple: entry.loadBalancerSimple };
  return {
    tls: policy.tls,
    from: policy.tls ? "top-level" : "none",
    loadBalancerSimple: policy.loadBalancerSimple,
  };
}

/**
 * A subset cluster's policy for a port (MergeTrafficPolicy, pilot/pkg/networking/util; istio.md §2.3):
 * the DR's policy for the port (a port-level entry replacing the top level), then each field the
 * subset's trafficPolicy sets replaces the parent's (`tls` replaces `tls`), then a port-level entry of
 * the subset for the port replaces them all, an entry without `tls` included (⇒ auto mTLS).
 */
export function subsetTlsForPort(
  policy: TrafficPolicy | null,
  subsetPolicy: TrafficPolicy | null,
  servicePort: number,
): PortTls {
  const parent = tlsForPort(policy, servicePort);
  if (!subsetPolicy) return parent;
  const entry = subsetPolicy.portLevelSettings.find((p) => p.port === servicePort);
  if (entry)
    return { tls: entry.tls, from: "subset-port-level", loadBalancerSimple: entry.loadBalancerSimple };
  return {
    tls: subsetPolicy.tls ?? parent.tls,
    from: subsetPolicy.tls ? "subset" : parent.from,
    loadBalancerSimple: subsetPolicy.loadBalancerSimple ?? parent.loadBalancerSimple,
  };
}

/**
 * The TLS that tags endpoints for an auto-mTLS cluster (trafficPolicyTLSModeForPort, mtls_checker.go):
 * the first port entry for the port that has tls, else the top level; null when neither has any.
 */
export function taggingTls(
  policy: TrafficPolicy | null,
  servicePort: number,
): { tls: ClientTlsSettings; fromPortEntry: boolean } | null {
  if (!policy) return null;
  for (const p of policy.portLevelSettings)
    if (p.port === servicePort && p.tls) return { tls: p.tls, fromPortEntry: true };
  return policy.tls ? { tls: policy.tls, fromPortEntry: false } : null;
}
