// The overview's numbers for one cluster's snapshot: per namespace its data plane and mode, the share
// of observed traffic into it that is mTLS, its findings by severity and its soonest expiry; for the
// cluster the soonest expiries, findings by severity and the worst findings. One pass over each list,
// so a 10k-workload snapshot stays cheap to summarise on every request.
import type { Certificate, MeshSnapshot, Severity, SnapshotNamespace } from "../../core/snapshot/schema";
import { displayName } from "../expiry/layer";
import { expiringVerdicts, urgencyOf, type Urgency } from "../expiry/urgency";
import { certificateNamespaces } from "../sliceSnapshot";
import { namespacePath, serializeNamespaceView } from "../urlState";

export interface TrafficShare {
  mtls: number;
  total: number;
  /** mtls / total, or null when nothing was observed. */
  share: number | null;
}

export interface NamespaceSummary {
  name: string;
  dataplane: SnapshotNamespace["dataplane"];
  mode: SnapshotNamespace["mtls"]["mode"];
  workloads: number;
  traffic: TrafficShare;
  findings: Record<Severity, number>;
  brokenEdges: number;
  soonestExpiry: { notAfter: string; name: string; urgency: Urgency } | null;
}

export interface ExpiryItem {
  id: string;
  name: string;
  role: Certificate["role"];
  namespace: string | null;
  notAfter: string;
  urgency: Urgency;
}

/**
 * One row of the overview's worst findings (contract §4): a finding code at one severity, how many
 * findings of the cluster carry it, and one of them as the example (its message, and the namespace
 * whose findings view lists it; null for a finding that names no namespace).
 */
export interface WorstFinding {
  severity: Severity;
  code: string;
  title: string;
  count: number;
  message: string;
  namespace: string | null;
}

export interface ClusterSummary {
  namespaces: NamespaceSummary[];
  findings: Record<Severity, number>;
  /** Most severe first, then the most frequent code; one row per code and severity. */
  worst: WorstFinding[];
  traffic: TrafficShare;
  soonest: ExpiryItem[];
  certificates: number;
}

const zero = (): Record<Severity, number> => ({ error: 0, warning: 0, info: 0 });
const share = (mtls: number, total: number): TrafficShare => ({
  mtls,
  total,
  share: total > 0 ? mtls / total : null,
});

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The overview's link for a worst-findings row: that namespace's findings of that severity. */
export function findingsHref(cluster: string, namespace: string, severity: Severity): string {
  return serializeNamespaceView(namespacePath(cluster, namespace), {
    view: "findings",
    severity: [severity],
  });
}

/** Whether example `a` comes before `b`: the first namespace by name (none last), then the message. */
function exampleBefore(
  a: { namespace: string | null; message: string },
  b: { namespace: string | null; message: string },
): boolean {
  if (a.namespace !== b.namespace)
    return b.namespace === null || (a.namespace !== null && a.namespace < b.namespace);
  return a.message < b.message;
}

export function summarizeCluster(
  s: MeshSnapshot,
  opts: { soonest?: number; worst?: number } = {},
): ClusterSummary {
  const nowMs = Date.parse(s.now);
  const byNs = new Map<string, NamespaceSummary & { _mtls: number; _total: number }>();
  for (const n of s.namespaces)
    byNs.set(n.name, {
      name: n.name,
      dataplane: n.dataplane,
      mode: n.mtls.mode,
      workloads: 0,
      traffic: share(0, 0),
      findings: zero(),
      brokenEdges: 0,
      soonestExpiry: null,
      _mtls: 0,
      _total: 0,
    });
  for (const w of s.workloads) {
    const ns = byNs.get(w.namespace);
    if (ns) ns.workloads++;
  }
  // Observed traffic is counted where it arrives (destination-side telemetry is the evidence).
  let mtls = 0;
  let total = 0;
  const edgeNs = new Map<string, string[]>();
  for (const e of s.edges) {
    edgeNs.set(
      e.id,
      [e.source.namespace, e.destination.namespace].filter((x): x is string => !!x),
    );
    const ns = byNs.get(e.destination.namespace);
    if (ns && e.status === "broken") ns.brokenEdges++;
    if (!e.observed) continue;
    const t = e.observed.mtls + e.observed.plaintext + e.observed.unknown;
    mtls += e.observed.mtls;
    total += t;
    if (ns) {
      ns._mtls += e.observed.mtls;
      ns._total += t;
    }
  }
  const findings = zero();
  const byCode = new Map<string, WorstFinding>();
  for (const f of s.findings) {
    findings[f.severity]++;
    const names = new Set<string>();
    for (const r of f.resources) {
      if (r.kind === "Namespace") names.add(r.name);
      else if (r.namespace) names.add(r.namespace);
    }
    if (f.edge) for (const n of edgeNs.get(f.edge) ?? []) names.add(n);
    let home: string | null = null;
    for (const n of names) {
      const ns = byNs.get(n);
      if (!ns) continue;
      ns.findings[f.severity]++;
      if (home === null || n < home) home = n;
    }
    const key = `${f.severity} ${f.code}`;
    const row = byCode.get(key);
    const example = { namespace: home, message: f.message };
    if (!row) byCode.set(key, { severity: f.severity, code: f.code, title: f.title, count: 1, ...example });
    else {
      row.count++;
      if (exampleBefore(example, row)) Object.assign(row, example);
    }
  }
  const worst = [...byCode.values()]
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        b.count - a.count ||
        (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    )
    .slice(0, opts.worst ?? 5);
  const expiring = expiringVerdicts(s.findings);
  const certs = [...s.certificates].sort(
    (a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter) || (a.id < b.id ? -1 : 1),
  );
  // The same membership as the namespace page's certificate list (sliceSnapshot), so the overview's
  // soonest expiry is the first row there.
  for (const c of certs)
    for (const nsName of certificateNamespaces(c)) {
      const ns = byNs.get(nsName);
      if (ns && !ns.soonestExpiry)
        ns.soonestExpiry = {
          notAfter: c.notAfter,
          name: displayName(c),
          urgency: urgencyOf(c, nowMs, expiring),
        };
    }
  return {
    namespaces: [...byNs.values()].map(({ _mtls, _total, ...n }) => ({
      ...n,
      traffic: share(_mtls, _total),
    })),
    findings,
    worst,
    traffic: share(mtls, total),
    soonest: certs.slice(0, opts.soonest ?? 5).map((c) => ({
      id: c.id,
      name: displayName(c),
      role: c.role,
      namespace: c.owner?.namespace ?? c.source.namespace ?? null,
      notAfter: c.notAfter,
      urgency: urgencyOf(c, nowMs, expiring),
    })),
    certificates: s.certificates.length,
  };
}
