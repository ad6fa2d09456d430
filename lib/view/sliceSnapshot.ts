// A snapshot cut to one namespace (contract §3 `?namespace=`): its namespace entry, workloads and
// services, the edges in and out of it, the certificates it owns or holds, and the findings about
// any of those. Pure; the input is not modified.
import type { MeshSnapshot } from "../core/snapshot/schema";

export function namespaceExists(s: MeshSnapshot, ns: string): boolean {
  return s.namespaces.some((n) => n.name === ns);
}

export function sliceSnapshot(s: MeshSnapshot, ns: string): MeshSnapshot {
  const edges = s.edges.filter((e) => e.source.namespace === ns || e.destination.namespace === ns);
  const certificates = s.certificates.filter(
    (c) => c.owner?.namespace === ns || c.sources.some((src) => src.namespace === ns),
  );
  const edgeIds = new Set(edges.map((e) => e.id));
  const certIds = new Set(certificates.map((c) => c.id));
  const findings = s.findings.filter(
    (f) =>
      (f.edge !== undefined && edgeIds.has(f.edge)) ||
      (f.certificate !== undefined && certIds.has(f.certificate)) ||
      f.resources.some((r) => r.namespace === ns || (r.kind === "Namespace" && r.name === ns)),
  );
  return {
    ...s,
    completeness: s.completeness.filter((c) => c.namespace === undefined || c.namespace === ns),
    namespaces: s.namespaces.filter((n) => n.name === ns),
    workloads: s.workloads.filter((w) => w.namespace === ns),
    services: s.services.filter((x) => x.namespace === ns),
    edges,
    certificates,
    findings,
  };
}
