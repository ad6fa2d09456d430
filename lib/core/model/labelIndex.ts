// The workloads of one namespace a label selector picks (Service, ServiceEntry, PeerAuthentication).
// A plain scan costs (selectors × workloads) per namespace: a namespace of 5,000 workloads and 1,000
// Services is five million selector checks. Large lists are indexed once by label (key=value), and a
// selector then checks only the workloads that carry its rarest pair. Same answer, same order, as the
// scan (`selectorMatches` over the list).
import type { Workload } from "./mesh";
import { selectorMatches } from "./read";

/** Below this, a scan is cheaper than building the index. */
const INDEX_FROM = 64;
const NONE: readonly Workload[] = Object.freeze([]);

interface LabelIndex {
  /** The list's length when indexed: a list that grew since (an append) is indexed again. */
  size: number;
  byPair: Map<string, Workload[]>;
}

/** Per list (a namespace's workloads); the lists live as long as their model. */
const indexes = new WeakMap<readonly Workload[], LabelIndex>();

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

function indexOf(list: readonly Workload[]): LabelIndex {
  let idx = indexes.get(list);
  if (idx && idx.size === list.length) return idx;
  const byPair = new Map<string, Workload[]>();
  for (const w of list)
    for (const k in w.labels) {
      const key = pairKey(k, w.labels[k]!);
      const hit = byPair.get(key);
      if (hit) hit.push(w);
      else byPair.set(key, [w]);
    }
  indexes.set(list, (idx = { size: list.length, byPair }));
  return idx;
}

/**
 * The workloads of `list` whose labels meet every pair of `selector`, in list order (an empty selector
 * meets every workload, as `selectorMatches` says; callers that give it another meaning check first).
 * A new array: callers may keep or filter it.
 */
export function workloadsMatching(list: readonly Workload[], selector: Record<string, string>): Workload[] {
  if (list.length < INDEX_FROM) return list.filter((w) => selectorMatches(selector, w.labels));
  const { byPair } = indexOf(list);
  let fewest: readonly Workload[] | undefined;
  for (const k in selector) {
    const carriers = byPair.get(pairKey(k, selector[k]!)) ?? NONE;
    if (fewest === undefined || carriers.length < fewest.length) fewest = carriers;
    if (fewest.length === 0) return [];
  }
  if (fewest === undefined) return list.slice();
  // The carriers of one pair are in list order (indexOf walks the list), so the filter keeps it.
  return fewest.filter((w) => selectorMatches(selector, w.labels));
}
