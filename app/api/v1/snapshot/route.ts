// GET /api/v1/snapshot?cluster=&namespace= (contract §3): the snapshot, optionally cut to one namespace.
// Freshness (fetched at, age, stale, last error) is in X-Handshake-* headers.
import { getOnlyRoute, resolveSnapshot, snapshotJson, viewHeaders } from "../../../../lib/server/apiRoute";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const r = await resolveSnapshot(new URL(request.url).searchParams);
  if (!r.ok) return r.response;
  return snapshotJson(r.snapshot, viewHeaders(r.view));
}

// Any other method: the API's 405 with Allow (apiRoute.getOnlyRoute).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = getOnlyRoute();
