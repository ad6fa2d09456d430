// Readiness (contract §3): ready once the default cluster has a first snapshot. A failure is answered
// by the API's guarded failure(): known causes keep their message, anything else is logged and
// answered without details.
import { failure, getOnlyRoute } from "../../lib/server/apiRoute";
import { defaultClusterName, getSnapshotView } from "../../lib/server/snapshots";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const headers = { "Cache-Control": "no-store" };
  try {
    const view = await getSnapshotView(await defaultClusterName());
    return Response.json({ status: "ready", cluster: view.cluster, fetchedAt: view.fetchedAt }, { headers });
  } catch (e) {
    const { error } = (await failure(e).json()) as { error: { code: string; message: string } };
    // Readiness is binary: not ready is always 503, whatever the cause.
    return Response.json({ status: "not-ready", error }, { status: 503, headers });
  }
}

// Any other method: the API's 405 with Allow (apiRoute.getOnlyRoute).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = getOnlyRoute();
