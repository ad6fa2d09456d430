// GET /api/v1/expiry.svg?cluster=&namespace=&window=30d&theme=light|dark (contract §3): the expiry panel
// as an image for wikis that take only images. Same model as the /embed/expiry panel; errors are
// answered as JSON like every API route.
import { errorResponse, getOnlyRoute, resolveSnapshot } from "../../../../lib/server/apiRoute";
import { readDuration, readTheme } from "../../../../lib/view/apiParams";
import { renderExpirySvg } from "../../../../lib/view/expiry/svg";
import { ALL_WINDOW, DEFAULT_WINDOW } from "../../../../lib/view/window";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const q = new URL(request.url).searchParams;
  const window = readDuration(q, "window", { fallback: DEFAULT_WINDOW, allowAll: true });
  if (!window.ok) return errorResponse(window.error);
  const theme = readTheme(q);
  if (!theme.ok) return errorResponse(theme.error);
  const r = await resolveSnapshot(q);
  if (!r.ok) return r.response;
  const svg = renderExpirySvg(r.snapshot.certificates, {
    title: `Certificate expiry · ${r.view.cluster}${r.namespace ? ` / ${r.namespace}` : ""}${r.view.demo ? " · demo data" : ""}`,
    now: r.snapshot.now,
    window: window.value?.text ?? ALL_WINDOW,
    findings: r.snapshot.findings,
    theme: theme.value,
  });
  return new Response(svg, {
    headers: {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Cache-Control": "no-store",
      // An SVG opened directly must not run anything, whatever a certificate's subject holds.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
  });
}

// Any other method: the API's 405 with Allow (apiRoute.getOnlyRoute).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = getOnlyRoute();
