// Overview `/` (contract §4): every configured cluster and its namespaces: posture, observed mTLS share,
// findings by severity, soonest expiries; each namespace one click from its page.
import { ClusterSection, type ClusterSectionProps } from "@/components/overview/ClusterSection";
import "@/components/overview/overview.css";
import { PageHeader } from "@/components/PageHeader";
import { getSnapshotView, listClusters } from "@/lib/server/snapshots";
import { summarizeCluster } from "@/lib/view/overview/summary";

export const dynamic = "force-dynamic";

async function loadCluster(
  info: Awaited<ReturnType<typeof listClusters>>[number],
): Promise<ClusterSectionProps> {
  try {
    const view = await getSnapshotView(info.name);
    return { info, view, error: null, summary: summarizeCluster(view.snapshot) };
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
      {clusters.length === 0 ? <p>No cluster is configured.</p> : null}
      {clusters.map((c) => (
        <ClusterSection key={c.info.name} {...c} />
      ))}
    </>
  );
}
