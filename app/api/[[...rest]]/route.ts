// Any /api path that is not a route (contract §3 lists them all), /api and /api/v1 themselves included
// (an optional catch-all): a JSON 404 in the API's error shape, not the HTML not-found page, for every
// method.
import { errorResponse } from "../../../lib/server/apiRoute";

export const dynamic = "force-dynamic";

function unknownRoute(request: Request): Response {
  const path = new URL(request.url).pathname.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
  return errorResponse({
    status: 404,
    code: "not-found",
    message: `no API route ${path}; see GET /api/v1/snapshot, /api/v1/findings, /api/v1/certificates, /api/v1/clusters, /api/v1/expiry.svg`,
  });
}

export const GET = unknownRoute;
export const HEAD = unknownRoute;
export const POST = unknownRoute;
export const PUT = unknownRoute;
export const PATCH = unknownRoute;
export const DELETE = unknownRoute;
export const OPTIONS = unknownRoute;
