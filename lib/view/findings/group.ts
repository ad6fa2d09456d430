// Findings grouped by code for the findings panel: worst severity first, then code; inside a group
// the snapshot's order is kept (it is already deterministic). Links are built here so the panel only
// renders: an edge finding links to its edge on the namespace graph, a workload to its panel, any
// other namespaced object to the findings view filtered to it (`ref=`). Every link is written by the
// serializer of the one parser map (urlState.ts).
import type { Finding, Ref, Severity } from "../../core/snapshot/schema";
import { namespacePath, refParam, serializeNamespaceView, type SeverityFilter } from "../urlState";

export interface FindingGroup {
  code: string;
  title: string;
  severity: Severity;
  count: number;
  findings: Finding[];
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function filterBySeverity(findings: Finding[], severities: readonly SeverityFilter[]): Finding[] {
  return severities.length === 0 ? findings : findings.filter((f) => severities.includes(f.severity));
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

export function groupFindings(findings: Finding[]): FindingGroup[] {
  const byCode = new Map<string, FindingGroup>();
  for (const f of findings) {
    let g = byCode.get(f.code);
    if (!g) {
      g = { code: f.code, title: f.title, severity: f.severity, count: 0, findings: [] };
      byCode.set(f.code, g);
    }
    g.count++;
    g.findings.push(f);
    // A code can carry two severities (cert.expiring, pa.permissive): the group shows the worst.
    if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[g.severity]) g.severity = f.severity;
  }
  return [...byCode.values()].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.code.localeCompare(b.code),
  );
}

export const WORKLOAD_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
  "Pod",
]);

/** The edge on the namespace graph (`?edge=<id>`; the graph is the default view). */
export function edgeHref(cluster: string, namespace: string, edgeId: string): string {
  return serializeNamespaceView(namespacePath(cluster, namespace), { view: "graph", edge: edgeId });
}

/**
 * Where a ref links: a Namespace to its view, a workload to its panel in its own namespace, any other
 * namespaced object (DestinationRule, PeerAuthentication, Service, …) to the findings of its namespace
 * filtered to the findings that name it. Cluster-scoped objects other than Namespaces have no page.
 */
export function refHref(cluster: string, ref: Ref): string | null {
  if (ref.kind === "Namespace") return namespacePath(cluster, ref.name);
  if (!ref.namespace) return null;
  const path = namespacePath(cluster, ref.namespace);
  if (WORKLOAD_KINDS.has(ref.kind))
    return serializeNamespaceView(path, { view: "graph", workload: ref.name });
  return serializeNamespaceView(path, { view: "findings", ref: refParam(ref) });
}

/** The findings that name the object `ref` (a `ref=` value, urlState.refParam) among their resources. */
export function filterByRef(findings: Finding[], ref: string | null): Finding[] {
  if (ref === null) return findings;
  return findings.filter((f) => f.resources.some((r) => refParam(r) === ref));
}

/** A `ref=` value back to its parts, for the heading and the kubectl hint; null when malformed. */
export function parseRefParam(ref: string): Ref | null {
  const parts = ref.split("/");
  if (parts.some((p) => p === "")) return null;
  if (parts.length === 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  if (parts.length === 2) return { kind: parts[0]!, name: parts[1]! };
  return null;
}

/**
 * The kubectl resource for a Ref's kind. "Gateway" refs are networking.istio.io Gateways (the only
 * Gateways Handshake reads); `kubectl get gateway` may resolve to the Gateway API's
 * gateways.gateway.networking.k8s.io where both CRDs are installed, so the group is spelled out.
 */
const resourceName = (kind: string) =>
  kind === "Gateway" ? "gateways.networking.istio.io" : kind.toLowerCase();

/** The command that shows an object, since the dashboard does not display raw manifests. */
export function kubectlGet(r: Ref): string {
  return `kubectl get ${resourceName(r.kind)} ${r.name}${r.namespace ? ` -n ${r.namespace}` : ""} -o yaml`;
}

export function refLabel(ref: Ref): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
