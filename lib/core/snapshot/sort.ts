// Canonical order for every array of the snapshot (contract.md §1: namespace, then name, then
// port), so two runs on the same input are byte-identical whatever order the inputs came in.
// Comparators are hand-unrolled: sorting 20k edges and findings is on the benchmark's hot path.
import type { Edge, Finding, MeshSnapshot, Ref } from "./schema";

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const SEVERITY = { error: 0, warning: 1, info: 2 } as const;

function compareRefs(a: Ref | undefined, b: Ref | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return cmp(a.namespace ?? "", b.namespace ?? "") || cmp(a.name, b.name) || cmp(a.kind, b.kind);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY[a.severity] - SEVERITY[b.severity] ||
    cmp(a.code, b.code) ||
    compareRefs(a.resources[0], b.resources[0]) ||
    cmp(a.edge ?? "", b.edge ?? "") ||
    cmp(a.certificate ?? "", b.certificate ?? "") ||
    cmp(a.message, b.message)
  );
}

export function compareEdges(a: Edge, b: Edge): number {
  return (
    cmp(a.source.namespace ?? "", b.source.namespace ?? "") ||
    cmp(a.source.workload ?? "", b.source.workload ?? "") ||
    cmp(a.destination.namespace, b.destination.namespace) ||
    cmp(a.destination.service, b.destination.service) ||
    cmp(a.destination.host, b.destination.host) ||
    a.destination.port - b.destination.port
  );
}

/** Dense ranks of `items` under `compare` (equal items share a rank), keyed by object identity. */
function ranks<T extends object>(items: Iterable<T>, compare: (a: T, b: T) => number): Map<T, number> {
  const distinct = [...new Set(items)].sort(compare);
  const out = new Map<T, number>();
  let rank = 0;
  for (let i = 0; i < distinct.length; i++) {
    if (i > 0 && compare(distinct[i - 1]!, distinct[i]!) !== 0) rank++;
    out.set(distinct[i]!, rank);
  }
  return out;
}

const compareSources = (a: Edge["source"], b: Edge["source"]) =>
  cmp(a.namespace ?? "", b.namespace ?? "") || cmp(a.workload ?? "", b.workload ?? "");
const compareDestinations = (a: Edge["destination"], b: Edge["destination"]) =>
  cmp(a.namespace, b.namespace) || cmp(a.service, b.service) || cmp(a.host, b.host) || a.port - b.port;

const sourceOf = (e: Edge) => e.source;
const destinationOf = (e: Edge) => e.destination;

/**
 * The same order as `edges.sort(compareEdges)` (stable), but cheaper: edges share their source and
 * destination objects (one per client, one per service port), so those few thousand objects are
 * ranked once and the 20k edges are sorted by two integers instead of up to six string compares.
 */
export function sortEdges(edges: Edge[]): Edge[] {
  const n = edges.length;
  const src = ranks(edges.map(sourceOf), compareSources);
  const dst = ranks(edges.map(destinationOf), compareDestinations);
  // One number per edge: (source rank, destination rank, original index) — exact while below 2^53.
  if ((src.size + 1) * (dst.size + 1) * (n + 1) >= Number.MAX_SAFE_INTEGER) return edges.sort(compareEdges);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++)
    keys[i] = (src.get(edges[i]!.source)! * dst.size + dst.get(edges[i]!.destination)!) * n + i;
  keys.sort();
  const sorted = edges.slice();
  for (let i = 0; i < n; i++) edges[i] = sorted[keys[i]! % n]!;
  return edges;
}

// Module-level comparators: see docs/DECISIONS.md, "Analysis performance, round 7".
type S = MeshSnapshot;
const compareCompleteness = (a: S["completeness"][number], b: S["completeness"][number]) =>
  cmp(a.kind, b.kind) || cmp(a.namespace ?? "", b.namespace ?? "") || cmp(a.message, b.message);
const compareNamespaces = (a: S["namespaces"][number], b: S["namespaces"][number]) => cmp(a.name, b.name);
const compareWorkloads = (a: S["workloads"][number], b: S["workloads"][number]) =>
  cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind);
const compareServices = (a: S["services"][number], b: S["services"][number]) =>
  cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.host, b.host);
const compareCertificates = (a: S["certificates"][number], b: S["certificates"][number]) =>
  cmp(a.source.namespace ?? "", b.source.namespace ?? "") ||
  cmp(a.source.name ?? "", b.source.name ?? "") ||
  cmp(a.id, b.id);

export function sortSnapshot(s: MeshSnapshot): MeshSnapshot {
  s.mesh.dataplanes.sort(cmp);
  s.completeness.sort(compareCompleteness);
  s.namespaces.sort(compareNamespaces);
  s.workloads.sort(compareWorkloads);
  s.services.sort(compareServices);
  sortEdges(s.edges);
  s.certificates.sort(compareCertificates);
  s.findings.sort(compareFindings);
  return s;
}
