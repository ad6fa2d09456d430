// POST /api/v1/snapshot/refresh?cluster=: read the cluster now (the namespace page's "Refresh now").
// Single-flight and rate-limited per cluster by the snapshot service; answers the new freshness as JSON
// (no-store). 404 for an unknown cluster, 503 when no snapshot could be read yet.
import { otherMethods, refreshSnapshot } from "../../../../../lib/server/apiRoute";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return refreshSnapshot(new URL(request.url).searchParams);
}

// Any other method: the API's 405 with Allow (apiRoute.otherMethods); GET and HEAD included, this
// route only acts.
const other = otherMethods(["POST"]);
export const GET = other.notAllowed;
export const HEAD = other.notAllowed;
export const PUT = other.notAllowed;
export const PATCH = other.notAllowed;
export const DELETE = other.notAllowed;
export const OPTIONS = other.options;
