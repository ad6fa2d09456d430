// GET /api/v1/snapshot?cluster=&namespace= (contract §3): the snapshot, optionally cut to one namespace.
// Freshness (fetched at, age, stale, last error) is in X-Handshake-* headers.
import { resolveSnapshot, snapshotJson, viewHeaders } from "../../../../lib/server/apiRoute";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const r = await resolveSnapshot(new URL(request.url).searchParams);
  if (!r.ok) return r.response;
  return snapshotJson(r.snapshot, viewHeaders(r.view));
}
