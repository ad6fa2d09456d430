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

export function sortSnapshot(s: MeshSnapshot): MeshSnapshot {
  s.mesh.dataplanes.sort(cmp);
  s.completeness.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.namespace ?? "", b.namespace ?? "") || cmp(a.message, b.message));
  s.namespaces.sort((a, b) => cmp(a.name, b.name));
  s.workloads.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind));
  s.services.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.host, b.host));
  s.edges.sort(compareEdges);
  s.certificates.sort(
    (a, b) => cmp(a.source.namespace ?? "", b.source.namespace ?? "") || cmp(a.source.name ?? "", b.source.name ?? "") || cmp(a.id, b.id),
  );
  s.findings.sort(compareFindings);
  return s;
}
