// The readable `--format table` view of a snapshot: namespaces, workloads, edges, findings.
import type { MeshSnapshot } from "./schema";
import { withPort } from "./port";

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

const refText = (r: { kind: string; namespace?: string; name: string } | null) =>
  r ? `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}` : "-";

export function renderTable(s: MeshSnapshot): string {
  const parts: string[] = [];
  parts.push(
    `Mesh: root ${s.mesh.rootNamespace}, trust domain ${s.mesh.trustDomain}, auto mTLS ${s.mesh.autoMtls ? "on" : "off"}, data planes ${s.mesh.dataplanes.join(", ") || "none"} (now ${s.now})`,
  );
  parts.push(
    "NAMESPACES\n" +
      table(
        ["NAMESPACE", "DATAPLANE", "MODE", "POLICY"],
        s.namespaces.map((n) => [
          n.name,
          n.dataplane,
          n.mtls.mode,
          n.mtls.policy ? refText(n.mtls.policy) : `(${n.mtls.inheritedFrom ?? "-"})`,
        ]),
      ),
  );
  parts.push(
    "WORKLOADS\n" +
      table(
        ["NAMESPACE", "WORKLOAD", "KIND", "DATAPLANE", "MODE", "ORIGIN", "PORTS"],
        s.workloads.map((w) => [
          w.namespace,
          w.name,
          w.kind,
          w.dataplane,
          w.mtls.mode,
          w.mtls.origin,
          w.ports
            .filter((p) => p.mode !== w.mtls.mode)
            .map((p) => `${p.port}:${p.mode}`)
            .join(",") || "-",
        ]),
      ),
  );
  if (s.edges.length > 0)
    parts.push(
      "EDGES\n" +
        table(
          ["SOURCE", "DESTINATION", "CLIENT", "SERVER", "VERDICT", "OBSERVED", "STATUS"],
          s.edges.map((e) => [
            e.source.workload ? `${e.source.namespace}/${e.source.workload}` : "unknown",
            withPort(e.destination.host, e.destination.port),
            `${e.predicted.client.tls} (${e.predicted.client.origin})`,
            `${e.predicted.server.mode} (${e.predicted.server.origin})`,
            e.predicted.verdict,
            e.observed
              ? `mtls=${e.observed.mtls} plain=${e.observed.plaintext} unk=${e.observed.unknown}`
              : "-",
            e.status,
          ]),
        ),
    );
  parts.push(
    `FINDINGS (${s.findings.length})\n` +
      (s.findings.length === 0
        ? "none"
        : s.findings
            .map(
              (f) =>
                `${f.severity.toUpperCase().padEnd(7)} ${f.code}  ${f.message}${f.fix ? `\n        fix: ${f.fix}` : ""}`,
            )
            .join("\n")),
  );
  return parts.join("\n\n") + "\n";
}
