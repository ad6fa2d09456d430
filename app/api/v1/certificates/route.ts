// GET /api/v1/certificates?cluster=&namespace=&expiringWithin=30d (contract §3): `{ certificates }`,
// optionally cut to one namespace and to those whose notAfter is within the duration (expired ones
// included). Without expiringWithin, every certificate.
import {
  errorResponse,
  json,
  getOnlyRoute,
  resolveSnapshot,
  viewHeaders,
} from "../../../../lib/server/apiRoute";
import { readDuration } from "../../../../lib/view/apiParams";
import { expiringWithin } from "../../../../lib/view/expiry/timeline";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const q = new URL(request.url).searchParams;
  const within = readDuration(q, "expiringWithin", { fallback: null });
  if (!within.ok) return errorResponse(within.error);
  const r = await resolveSnapshot(q);
  if (!r.ok) return r.response;
  const certs = r.snapshot.certificates;
  const certificates = within.value ? expiringWithin(certs, r.snapshot.now, within.value.seconds) : certs;
  return json({ certificates }, { headers: viewHeaders(r.view) });
}

// Any other method: the API's 405 with Allow (apiRoute.getOnlyRoute).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = getOnlyRoute();
