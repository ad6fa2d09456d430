// GET /metrics (contract §3): Prometheus text exposition over every configured cluster's current
// snapshot: certificate not-after gauges, findings by code and severity, edges by status. A cluster
// without a snapshot is reported down (handshake_cluster_up 0), never a failed scrape: the scrape never
// waits on a cluster read (a hung context would outlast Prometheus' scrape timeout), it starts one.
import { getOnlyRoute } from "../../lib/server/apiRoute";
import { listClusters, peekSnapshotView } from "../../lib/server/snapshots";
import { buildMetrics, type ClusterMetricsInput } from "../../lib/view/metrics";
import { oneLine } from "../../lib/server/oneLine";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  let clusters: ClusterMetricsInput[];
  try {
    const names = (await listClusters()).map((c) => c.name);
    clusters = await Promise.all(
      names.map(async (cluster): Promise<ClusterMetricsInput> => {
        try {
          const p = await peekSnapshotView(cluster);
          if (p.state !== "ready") return { cluster, snapshot: null, ageSeconds: null, stale: false };
          return { cluster, snapshot: p.view.snapshot, ageSeconds: p.view.ageSeconds, stale: p.view.stale };
        } catch {
          return { cluster, snapshot: null, ageSeconds: null, stale: false };
        }
      }),
    );
  } catch (e) {
    console.error("handshake: /metrics: listing clusters failed:", oneLine(e));
    return new Response("# cluster list unavailable\n", {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  return new Response(buildMetrics(clusters), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
}

// Any other method: the API's 405 with Allow (apiRoute.getOnlyRoute).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = getOnlyRoute();
