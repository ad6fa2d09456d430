// Overview `/` (contract §4): every configured cluster and its namespaces: posture, observed mTLS share,
// findings by severity, soonest expiries; each namespace one click from its page.
import { ClusterSection, type ClusterSectionProps } from "@/components/overview/ClusterSection";
import "@/components/overview/overview.css";
import { PageHeader } from "@/components/PageHeader";
import { AutoRefresh } from "@/components/AutoRefresh";
import { kubeconfigErrors, listClusters, peekSnapshotView } from "@/lib/server/snapshots";
import { summarizeCluster } from "@/lib/view/overview/summary";

export const dynamic = "force-dynamic";

/**
 * How long the overview waits for a cluster's first read before showing it as "reading…": a context
 * that hangs must not hold the page (every cluster is waited for in parallel, so this bounds the page).
 */
const FIRST_READ_WAIT_MS = 2_500;

async function loadCluster(
  info: Awaited<ReturnType<typeof listClusters>>[number],
): Promise<ClusterSectionProps> {
  try {
    const p = await peekSnapshotView(info.name, { waitMs: FIRST_READ_WAIT_MS });
    if (p.state === "reading") return { info, view: null, error: null, reading: true, summary: null };
    if (p.state === "unreachable") return { info, view: null, error: p.error, summary: null };
    return { info, view: p.view, error: null, summary: summarizeCluster(p.view.snapshot) };
  } catch (e) {
    // Known errors (unknown cluster, no snapshot yet) carry a message meant for people.
    return { info, view: null, error: e instanceof Error ? e.message : String(e), summary: null };
  }
}

export default async function OverviewPage() {
  let clusters: ClusterSectionProps[];
  try {
    clusters = await Promise.all((await listClusters()).map(loadCluster));
  } catch (e) {
    return (
      <>
        <PageHeader title="Overview" />
        <p className="ov-error" role="alert">
          The configured clusters could not be listed: {e instanceof Error ? e.message : String(e)}
        </p>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle="Every cluster and namespace: effective mTLS, observed traffic, findings and the certificates that expire next."
      />
      {kubeconfigErrors().map((e) => (
        <p key={e} className="ov-error" role="alert" data-testid="overview-kubeconfig-error">
          Not used: {e}
        </p>
      ))}
      {clusters.length === 0 ? <p>No cluster is configured.</p> : null}
      {/* A cluster still in its first read: re-render from the server until it has an answer. */}
      {clusters.some((c) => c.reading) ? <AutoRefresh seconds={3} /> : null}
      {clusters.map((c) => (
        <ClusterSection key={c.info.name} {...c} />
      ))}
    </>
  );
}
