// What decided one edge: the client side (TLS, origin, DestinationRule), the server side (mode,
// origin, PeerAuthentication), the verdict and its reason, what telemetry saw, and the findings on it.
import { FindingFix } from "@/components/findings/FindingFix";
import type { Edge, Finding } from "@/lib/core/snapshot/schema";
import { withPort } from "@/lib/core/snapshot/port";
import { modeNote } from "@/lib/view/namespace/modeNote";
import { RefLink } from "./RefLink";
import { SidePanel } from "./SidePanel";
import { StatusBadge } from "./StatusBadge";

export interface EdgePanelProps {
  cluster: string;
  edge: Edge;
  findings: Finding[];
  onClose: () => void;
}

export function EdgePanel({ cluster, edge, findings, onClose }: EdgePanelProps) {
  const { client, server } = edge.predicted;
  const serverNote = modeNote(server);
  const src =
    edge.source.workload === null
      ? "unknown / outside mesh"
      : `${edge.source.namespace}/${edge.source.workload}`;
  return (
    <SidePanel name="edge" title="Edge" onClose={onClose} status={edge.status}>
      <p className="edge-title">
        <code>{src}</code> → <code>{withPort(edge.destination.host, edge.destination.port)}</code>
      </p>
      <p>
        <StatusBadge status={edge.status} /> <span className="muted">verdict {edge.predicted.verdict}</span>
      </p>
      <p data-testid="edge-reason">{edge.predicted.reason}</p>
      <dl className="facts">
        <dt>Client TLS</dt>
        <dd>
          <code>{client.tls}</code> <span className="muted">from {client.origin}</span>
        </dd>
        <dt>DestinationRule</dt>
        <dd>
          <RefLink cluster={cluster} r={client.destinationRule} />
        </dd>
        <dt>Server mode</dt>
        <dd>
          <code>{server.mode}</code> <span className="muted">from {server.origin}</span>
          {serverNote ? (
            <div className="muted" data-testid="edge-server-note">
              {serverNote}
            </div>
          ) : null}
        </dd>
        <dt>Policy</dt>
        <dd>
          <RefLink cluster={cluster} r={server.policy} />
        </dd>
        <dt>Observed</dt>
        <dd data-testid="edge-observed">
          {edge.observed === null ? (
            <span className="muted">no telemetry</span>
          ) : (
            <>
              mTLS {edge.observed.mtls} · plaintext {edge.observed.plaintext} · unknown{" "}
              {edge.observed.unknown}
              {edge.observed.window ? <span className="muted"> over {edge.observed.window}</span> : null}
              {edge.observed.portAmbiguous ? (
                <div className="muted">
                  Port ambiguous: the metrics carry no port, so every candidate port shows the same counts.
                </div>
              ) : null}
            </>
          )}
        </dd>
        <dt>Backends</dt>
        <dd>
          {edge.destination.workloads.length ? (
            edge.destination.workloads.join(", ")
          ) : (
            <span className="muted">none known</span>
          )}
        </dd>
      </dl>
      <h3>Findings ({findings.length})</h3>
      {findings.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="finding-list">
          {findings.map((f, i) => (
            <li key={`${f.code}-${i}`} data-severity={f.severity}>
              <strong className={`sev sev-${f.severity}`}>{f.severity}</strong> <code>{f.code}</code>{" "}
              {f.message}
              <FindingFix fix={f.fix} className="fix" />
            </li>
          ))}
        </ul>
      )}
    </SidePanel>
  );
}
