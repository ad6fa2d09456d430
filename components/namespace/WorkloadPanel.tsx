// One workload: its effective mTLS mode per port (and what set it) and the certificates it holds.
import type { Certificate, SnapshotWorkload } from "@/lib/core/snapshot/schema";
import { formatTimeLeft } from "@/lib/view/expiry/format";
import { modeNote } from "@/lib/view/namespace/modeNote";
import { RefLink } from "./RefLink";
import { SidePanel } from "./SidePanel";

export interface WorkloadPanelProps {
  cluster: string;
  workload: SnapshotWorkload;
  certificates: Certificate[];
  /** snapshot.now: time left is measured from the snapshot's clock. */
  now: string;
  onClose: () => void;
}

export function WorkloadPanel({ cluster, workload: w, certificates, now, onClose }: WorkloadPanelProps) {
  const note = modeNote(w.mtls);
  return (
    <SidePanel name="workload" title={`${w.kind} ${w.name}`} onClose={onClose}>
      <dl className="facts">
        <dt>Data plane</dt>
        <dd>{w.dataplane}</dd>
        <dt>Identity</dt>
        <dd>{w.identity ? <code>{w.identity}</code> : <span className="muted">none</span>}</dd>
        <dt>Workload mode</dt>
        <dd>
          <code>{w.mtls.mode}</code> <span className="muted">from {w.mtls.origin}</span>{" "}
          <RefLink cluster={cluster} r={w.mtls.policy} />
          {note ? (
            <div className="muted" data-testid="workload-mode-note">
              {note}
            </div>
          ) : null}
        </dd>
      </dl>
      <h3>Effective mode per port</h3>
      {w.ports.length === 0 ? (
        <p className="muted">No ports declared or selected.</p>
      ) : (
        <table data-testid="workload-ports">
          <thead>
            <tr>
              <th scope="col">Port</th>
              <th scope="col">Mode</th>
              <th scope="col">Origin</th>
              <th scope="col">Policy</th>
            </tr>
          </thead>
          <tbody>
            {w.ports.map((p) => (
              <tr key={p.port}>
                <td>{p.port}</td>
                <td>
                  <code>{p.mode}</code>
                </td>
                <td>{p.origin}</td>
                <td>
                  <RefLink cluster={cluster} r={p.policy} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Certificates ({certificates.length})</h3>
      {certificates.length === 0 ? (
        <p className="muted">None read for this workload.</p>
      ) : (
        <table data-testid="workload-certs">
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Subject / SPIFFE ID</th>
              <th scope="col">Not after</th>
              <th scope="col">Time left</th>
            </tr>
          </thead>
          <tbody>
            {certificates.map((c) => (
              <tr key={c.id}>
                <td>{c.role}</td>
                <td>
                  <code>{c.spiffeId ?? c.subject}</code>
                </td>
                <td>
                  <time dateTime={c.notAfter}>{c.notAfter}</time>
                </td>
                <td>{formatTimeLeft((Date.parse(c.notAfter) - Date.parse(now)) / 1000)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </SidePanel>
  );
}
