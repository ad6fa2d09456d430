// GET /api/v1/findings?cluster=&namespace=&severity= (contract §3): `{ findings }`, optionally cut to one
// namespace and to the given severities (one comma separated list; a repeated parameter is a 400).
import {
  errorResponse,
  json,
  getOnlyRoute,
  resolveSnapshot,
  viewHeaders,
} from "../../../../lib/server/apiRoute";
import { readSeverities } from "../../../../lib/view/apiParams";
import { filterBySeverity } from "../../../../lib/view/findings/group";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const q = new URL(request.url).searchParams;
  // Parameters are checked before the snapshot is read, so a bad one is a 400 even for a slow cluster.
  const severities = readSeverities(q);
  if (!severities.ok) return errorResponse(severities.error);
  const r = await resolveSnapshot(q);
  if (!r.ok) return r.response;
  return json(
    { findings: filterBySeverity(r.snapshot.findings, severities.value) },
    { headers: viewHeaders(r.view) },
  );
}

// Any other method: the API's 405 with Allow (apiRoute.getOnlyRoute).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = getOnlyRoute();
