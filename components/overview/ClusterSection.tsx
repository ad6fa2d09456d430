// One cluster on the overview: reachability, freshness (stale / error), the demo mark, the share of
// observed traffic that is mTLS, findings by severity, the soonest expiries, the worst findings, and
// its namespaces, each one click from its page. Server-rendered; numbers and rows come from
// lib/view/overview/summary.ts.
import type { ClusterInfo, SnapshotView } from "@/lib/server/types";
import { formatTimeLeft } from "@/lib/view/expiry/format";
import { URGENCY_GLYPHS } from "@/lib/view/expiry/urgency";
import { findingsHref, type ClusterSummary, type TrafficShare } from "@/lib/view/overview/summary";

export interface ClusterSectionProps {
  info: ClusterInfo;
  view: SnapshotView | null;
  /** Why no snapshot could be shown (view is null). */
  error: string | null;
  /** The first read of this cluster is still running (view is null); the page does not wait for it. */
  reading?: boolean;
  summary: ClusterSummary | null;
}

const nsHref = (cluster: string, ns: string) =>
  `/c/${encodeURIComponent(cluster)}/ns/${encodeURIComponent(ns)}`;

function pct(t: TrafficShare): string {
  return t.share === null ? "no traffic observed" : `${(Math.floor(t.share * 1000) / 10).toString()} %`;
}

const SEVERITY_GLYPH = { error: "✕", warning: "▲", info: "ℹ" } as const;

function Findings({ f }: { f: ClusterSummary["findings"] }) {
  return (
    <span className="ov-num">
      <span title="errors">✕ {f.error}</span> · <span title="warnings">▲ {f.warning}</span> ·{" "}
      <span title="info">ℹ {f.info}</span>
    </span>
  );
}

export function ClusterSection({ info, view, error, reading = false, summary }: ClusterSectionProps) {
  const nowMs = view ? Date.parse(view.snapshot.now) : 0;
  // A cluster name may hold spaces ("prod (eu-west)"); aria-labelledby is a space separated id list.
  const headingId = `cl-${encodeURIComponent(info.name)}`;
  return (
    <section
      className="ov-cluster"
      data-testid="overview-cluster"
      data-cluster={info.name}
      aria-labelledby={headingId}
    >
      <h2 id={headingId}>
        {info.name}
        {info.source !== "demo" ? <span className="ov-tag">{info.source}</span> : null}
        {view?.demo ? (
          <span className="ov-tag" data-testid="overview-demo">
            demo data
          </span>
        ) : null}
        {reading && !view ? (
          <span className="ov-tag" data-testid="overview-reading">
            reading…
          </span>
        ) : info.reachable === false || (!view && error) ? (
          <span className="ov-tag ov-tag-bad">unreachable</span>
        ) : null}
        {view?.stale ? <span className="ov-tag ov-tag-bad">stale</span> : null}
      </h2>
      {view ? (
        <p className="ov-meta">
          Read {view.fetchedAt.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")} ({view.ageSeconds} s ago)
          {view.stale && view.error ? ` · last refresh failed: ${view.error}` : ""}
          {view.snapshot.completeness.length > 0
            ? ` · incomplete: ${view.snapshot.completeness.length} kinds or namespaces could not be read`
            : ""}
        </p>
      ) : null}
      {(!view || !summary) && reading ? (
        <p className="ov-meta" role="status">
          Reading the cluster… (first read still running; this page updates itself when it is done)
        </p>
      ) : !view || !summary ? (
        <p className="ov-error" role="alert" data-testid="overview-unreachable">
          unreachable: {error ?? info.error ?? "not read yet"}
        </p>
      ) : (
        <>
          <dl className="ov-stats">
            <div>
              <dt>Observed traffic over mTLS</dt>
              <dd>{pct(summary.traffic)}</dd>
            </div>
            <div>
              <dt>Findings (error · warning · info)</dt>
              <dd>
                <Findings f={summary.findings} />
              </dd>
            </div>
            <div>
              <dt>Certificates</dt>
              <dd className="ov-num">{summary.certificates}</dd>
            </div>
          </dl>
          {summary.soonest.length > 0 ? (
            <>
              <h3 style={{ fontSize: "1rem", margin: "0 0 0.25rem" }}>Soonest expiries</h3>
              <ol className="ov-soonest" data-testid="overview-soonest">
                {summary.soonest.map((c) => (
                  <li key={c.id}>
                    <span aria-hidden>{URGENCY_GLYPHS[c.urgency]} </span>
                    <strong>{formatTimeLeft((Date.parse(c.notAfter) - nowMs) / 1000)}</strong> · {c.name} (
                    {c.role}
                    {c.namespace ? (
                      <>
                        , <a href={`${nsHref(info.name, c.namespace)}?view=certificates`}>{c.namespace}</a>
                      </>
                    ) : null}
                    )
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          {summary.worst.length > 0 ? (
            <>
              <h3 style={{ fontSize: "1rem", margin: "0.75rem 0 0.25rem" }}>Worst findings</h3>
              <ol className="ov-soonest" data-testid="overview-worst">
                {summary.worst.map((w) => (
                  <li key={`${w.severity} ${w.code}`} data-severity={w.severity}>
                    <span aria-hidden>{SEVERITY_GLYPH[w.severity]} </span>
                    <strong>{w.severity}</strong> · {w.title} <code>{w.code}</code>
                    {w.count > 1 ? ` ×${w.count}` : ""}
                    {w.namespace ? (
                      <>
                        {" "}
                        · <a href={findingsHref(info.name, w.namespace, w.severity)}>{w.namespace}</a>
                      </>
                    ) : null}
                    : {w.message}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          <div className="ov-table-wrap">
            <table className="ov-table" data-testid="overview-namespaces">
              <caption style={{ textAlign: "left", fontWeight: 600, padding: "0.25rem 0" }}>
                Namespaces
              </caption>
              <thead>
                <tr>
                  <th scope="col">Namespace</th>
                  <th scope="col">Data plane</th>
                  <th scope="col">mTLS mode</th>
                  <th scope="col">Workloads</th>
                  <th scope="col">Observed mTLS</th>
                  <th scope="col">Broken edges</th>
                  <th scope="col">Findings</th>
                  <th scope="col">Soonest expiry</th>
                </tr>
              </thead>
              <tbody>
                {summary.namespaces.map((n) => (
                  <tr key={n.name}>
                    <td>
                      <a href={nsHref(info.name, n.name)} data-testid="overview-ns-link">
                        {n.name}
                      </a>
                    </td>
                    <td>{n.dataplane}</td>
                    <td>{n.mode}</td>
                    <td className="ov-num">{n.workloads}</td>
                    <td className="ov-num">{n.traffic.share === null ? "—" : pct(n.traffic)}</td>
                    <td className="ov-num">{n.brokenEdges > 0 ? `✕ ${n.brokenEdges}` : "0"}</td>
                    <td>
                      <Findings f={n.findings} />
                    </td>
                    <td>
                      {n.soonestExpiry ? (
                        <>
                          <span aria-hidden>{URGENCY_GLYPHS[n.soonestExpiry.urgency]} </span>
                          {formatTimeLeft((Date.parse(n.soonestExpiry.notAfter) - nowMs) / 1000)}
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
