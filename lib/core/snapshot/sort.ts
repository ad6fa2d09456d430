// Canonical order for every array of the snapshot (contract.md §1: namespace, then name, then
// port), so two runs on the same input are byte-identical whatever order the inputs came in.
import type { Finding, MeshSnapshot, Ref } from "./schema";

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const chain = (...cs: number[]) => cs.find((c) => c !== 0) ?? 0;
const refKey = (r: Ref | undefined) => (r ? `${r.namespace ?? ""}\u0000${r.name}\u0000${r.kind}` : "");
const SEVERITY = { error: 0, warning: 1, info: 2 } as const;

export function compareFindings(a: Finding, b: Finding): number {
  return chain(
    SEVERITY[a.severity] - SEVERITY[b.severity],
    cmp(a.code, b.code),
    cmp(refKey(a.resources[0]), refKey(b.resources[0])),
    cmp(a.edge ?? "", b.edge ?? ""),
    cmp(a.certificate ?? "", b.certificate ?? ""),
    cmp(a.message, b.message),
  );
}

export function sortSnapshot(s: MeshSnapshot): MeshSnapshot {
  s.mesh.dataplanes.sort(cmp);
  s.completeness.sort((a, b) => chain(cmp(a.kind, b.kind), cmp(a.namespace ?? "", b.namespace ?? ""), cmp(a.message, b.message)));
  s.namespaces.sort((a, b) => cmp(a.name, b.name));
  s.workloads.sort((a, b) => chain(cmp(a.namespace, b.namespace), cmp(a.name, b.name), cmp(a.kind, b.kind)));
  s.services.sort((a, b) => chain(cmp(a.namespace, b.namespace), cmp(a.name, b.name), cmp(a.host, b.host)));
  s.edges.sort((a, b) =>
    chain(
      cmp(a.source.namespace ?? "", b.source.namespace ?? ""),
      cmp(a.source.workload ?? "", b.source.workload ?? ""),
      cmp(a.destination.namespace, b.destination.namespace),
      cmp(a.destination.service, b.destination.service),
      cmp(a.destination.host, b.destination.host),
      a.destination.port - b.destination.port,
    ),
  );
  s.certificates.sort((a, b) => chain(cmp(a.source.namespace ?? "", b.source.namespace ?? ""), cmp(a.source.name ?? "", b.source.name ?? ""), cmp(a.id, b.id)));
  s.findings.sort(compareFindings);
  return s;
}
