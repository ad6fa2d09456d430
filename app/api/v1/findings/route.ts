// GET /api/v1/findings?cluster=&namespace=&severity= (contract §3): `{ findings }`, optionally cut to one
// namespace and to the given severities (comma separated or repeated).
import { errorResponse, json, resolveSnapshot, viewHeaders } from "../../../../lib/server/apiRoute";
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
