// Refs for the objects findings name.
import type { DestinationRule, PeerAuthentication, Workload } from "../model/mesh";
import type { Ref } from "../snapshot/schema";

export const paRefOf = (pa: PeerAuthentication): Ref => ({
  kind: "PeerAuthentication",
  namespace: pa.namespace,
  name: pa.name,
});
export const drRefOf = (dr: DestinationRule): Ref => ({
  kind: "DestinationRule",
  namespace: dr.namespace,
  name: dr.name,
});
export const workloadRef = (w: Pick<Workload, "kind" | "namespace" | "name">): Ref => ({
  kind: w.kind,
  namespace: w.namespace,
  name: w.name,
});
export const namespaceRef = (name: string): Ref => ({ kind: "Namespace", name });
export const nsName = (x: { namespace: string; name: string }) => `${x.namespace}/${x.name}`;
/** A phrase made the start of a sentence. */
export const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `kubectl rollout restart` knows only these kinds; other workloads get their pods recreated. */
const ROLLOUT_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** How to make a workload's pods start again (e.g. through the sidecar injector), as a command where one exists. */
export function restartHow(w: Pick<Workload, "kind" | "namespace" | "name">): string {
  if (ROLLOUT_KINDS.has(w.kind))
    return `kubectl rollout restart ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace}`;
  if (w.kind === "Pod")
    return `kubectl delete pod ${w.name} -n ${w.namespace}, then apply its manifest again`;
  return `delete its pods in ${w.namespace} so ${w.kind} ${w.name} recreates them`;
}

/**
 * listNames of the names in sorted order (`.sort()`'s), without sorting them all: only the first `max`
 * are shown, so a set of 10k callers costs one pass, not a sort.
 */
export function listSortedNames(names: Iterable<string>, max = 5): string {
  const first: string[] = [];
  let count = 0;
  for (const n of names) {
    count++;
    if (first.length === max && !(n < first[max - 1]!)) continue;
    let i = first.length === max ? max - 1 : first.length;
    while (i > 0 && n < first[i - 1]!) {
      first[i] = first[i - 1]!;
      i--;
    }
    first[i] = n;
  }
  if (count <= max) return listNames(first, max);
  return `${first.join(", ")} and ${count - max} more`;
}

/** "a, b and 3 more" — messages stay readable when a rule covers hundreds of workloads. */
export function listNames(names: string[], max = 5): string {
  if (names.length <= max)
    return names.length > 1
      ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`
      : (names[0] ?? "");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}
