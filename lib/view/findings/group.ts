// Findings grouped by code for the findings panel: worst severity first, then code; inside a group
// the snapshot's order is kept (it is already deterministic). Links are built here so the panel only
// renders: an edge finding links to its edge on the namespace graph, a workload to its panel.
import type { Finding, Ref, Severity } from "../../core/snapshot/schema";
import type { SeverityFilter } from "../urlState";

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

const nsPath = (cluster: string, ns: string) =>
  `/c/${encodeURIComponent(cluster)}/ns/${encodeURIComponent(ns)}`;

/** The edge on the namespace graph: `?view=graph&edge=<id>`. */
export function edgeHref(cluster: string, namespace: string, edgeId: string): string {
  return `${nsPath(cluster, namespace)}?${new URLSearchParams({ view: "graph", edge: edgeId }).toString()}`;
}

/** A workload ref opens its panel in its own namespace; other objects have no page (null). */
export function refHref(cluster: string, ref: Ref): string | null {
  if (ref.kind === "Namespace") return nsPath(cluster, ref.name);
  if (!ref.namespace) return null;
  if (WORKLOAD_KINDS.has(ref.kind))
    return `${nsPath(cluster, ref.namespace)}?${new URLSearchParams({ view: "graph", workload: ref.name }).toString()}`;
  return null;
}

export function refLabel(ref: Ref): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
