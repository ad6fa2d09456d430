// Liveness (contract §3): answers as long as the server process serves requests.
import { otherMethods } from "../../lib/server/apiRoute";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}

// Any other method: the API's 405 with Allow (apiRoute.otherMethods).
const other = otherMethods(["GET"]);
export const POST = other.notAllowed;
export const PUT = other.notAllowed;
export const PATCH = other.notAllowed;
export const DELETE = other.notAllowed;
export const OPTIONS = other.options;
