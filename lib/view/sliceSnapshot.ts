// A snapshot cut to one namespace (contract §3 `?namespace=`): its namespace entry, workloads and
// services, the edges in and out of it, the certificates it owns or holds, and the findings about
// any of those. Pure; the input is not modified.
import type { Certificate, MeshSnapshot } from "../core/snapshot/schema";

export function namespaceExists(s: MeshSnapshot, ns: string): boolean {
  return s.namespaces.some((n) => n.name === ns);
}

/** The namespaces a certificate belongs to: its owner's, and every one it is held in. */
export function certificateNamespaces(c: Certificate): Set<string> {
  const out = new Set<string>();
  if (c.owner?.namespace) out.add(c.owner.namespace);
  for (const src of c.sources) if (src.namespace) out.add(src.namespace);
  return out;
}

export function sliceSnapshot(s: MeshSnapshot, ns: string): MeshSnapshot {
  const edges = s.edges.filter((e) => e.source.namespace === ns || e.destination.namespace === ns);
  const certificates = s.certificates.filter((c) => certificateNamespaces(c).has(ns));
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
