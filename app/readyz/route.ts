// Readiness (contract §3): ready once the default cluster has a first snapshot.
import { defaultClusterName, getSnapshotView } from "@/lib/server/snapshots";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const headers = { "Cache-Control": "no-store" };
  try {
    const view = await getSnapshotView(await defaultClusterName());
    return Response.json({ status: "ready", cluster: view.cluster, fetchedAt: view.fetchedAt }, { headers });
  } catch (e) {
    return Response.json({ status: "not-ready", error: (e as Error).message }, { status: 503, headers });
  }
}
