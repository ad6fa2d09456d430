// Prometheus text exposition (format 0.0.4) for `/metrics` (contract §3): certificate not-after
// gauges, findings by code and severity, edges by status, per configured cluster. Pure: the route
// handler hands in what the snapshot service returned. Each family is written once (HELP, TYPE, then
// its samples), label values are escaped, and the order is deterministic.
import type { MeshSnapshot } from "../core/snapshot/schema";
import { EdgeStatusSchema } from "../core/snapshot/schema";
import { layerOf } from "./expiry/layer";

export interface ClusterMetricsInput {
  cluster: string;
  /** null when no snapshot could be produced for this cluster. */
  snapshot: MeshSnapshot | null;
  ageSeconds: number | null;
  stale: boolean;
}

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: "gauge";
  samples: { labels: Labels; value: number }[];
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function sample(name: string, labels: Labels, value: number): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
    .join(",");
  return `${name}${l ? `{${l}}` : ""} ${formatValue(value)}`;
}

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function buildMetrics(clusters: ClusterMetricsInput[]): string {
  const up: Family = {
    name: "handshake_cluster_up",
    help: "1 when a snapshot of the cluster is available.",
    type: "gauge",
    samples: [],
  };
  const stale: Family = {
    name: "handshake_snapshot_stale",
    help: "1 when the last refresh failed and the snapshot shown is the last good one.",
    type: "gauge",
    samples: [],
  };
  const age: Family = {
    name: "handshake_snapshot_age_seconds",
    help: "Seconds since the snapshot was read.",
    type: "gauge",
    samples: [],
  };
  const notAfter: Family = {
    name: "handshake_certificate_not_after_seconds",
    help: "Certificate notAfter as a Unix timestamp in seconds.",
    type: "gauge",
    samples: [],
  };
  const chain: Family = {
    name: "handshake_certificate_chain_verified",
    help: "1 when the certificate's chain verifies to the trust bundle in use.",
    type: "gauge",
    samples: [],
  };
  const findings: Family = {
    name: "handshake_findings",
    help: "Number of findings by code and severity.",
    type: "gauge",
    samples: [],
  };
  const edges: Family = {
    name: "handshake_edges",
    help: "Number of service edges by status.",
    type: "gauge",
    samples: [],
  };

  const sorted = [...clusters].sort((a, b) => a.cluster.localeCompare(b.cluster));
  for (const c of sorted) {
    const cl = { cluster: c.cluster };
    up.samples.push({ labels: cl, value: c.snapshot ? 1 : 0 });
    if (!c.snapshot) continue;
    stale.samples.push({ labels: cl, value: c.stale ? 1 : 0 });
    if (c.ageSeconds !== null) age.samples.push({ labels: cl, value: c.ageSeconds });
    const s = c.snapshot;
    for (const cert of s.certificates) {
      const labels: Labels = {
        cluster: c.cluster,
        id: cert.id,
        role: cert.role,
        layer: layerOf(cert),
        subject: cert.subject,
        spiffe_id: cert.spiffeId ?? "",
        namespace: cert.owner?.namespace ?? cert.source.namespace ?? "",
        source_kind: cert.source.kind,
        source_name: cert.source.name ?? cert.source.pod ?? "",
      };
      notAfter.samples.push({ labels, value: unix(cert.notAfter) });
      chain.samples.push({ labels: { cluster: c.cluster, id: cert.id }, value: cert.chain.verified ? 1 : 0 });
    }
    const byCode = new Map<string, number>();
    for (const f of s.findings) {
      const k = `${f.code}\u0000${f.severity}`;
      byCode.set(k, (byCode.get(k) ?? 0) + 1);
    }
    for (const k of [...byCode.keys()].sort()) {
      const [code, severity] = k.split("\u0000") as [string, string];
      findings.samples.push({ labels: { cluster: c.cluster, code, severity }, value: byCode.get(k)! });
    }
    // Every status, zero included, so a series disappearing never reads as "fixed".
    for (const status of EdgeStatusSchema.options)
      edges.samples.push({
        labels: { cluster: c.cluster, status },
        value: s.edges.filter((e) => e.status === status).length,
      });
  }

  const lines: string[] = [];
  for (const f of [up, stale, age, notAfter, chain, findings, edges]) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const smp of f.samples) lines.push(sample(f.name, smp.labels, smp.value));
  }
  return `${lines.join("\n")}\n`;
}
