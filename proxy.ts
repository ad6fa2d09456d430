// Next 16 proxy (formerly middleware): the runtime half of contract §4's framing rule. next.config.js
// headers() are fixed at build time, but the origins allowed to frame /embed/* are an operator setting
// (HANDSHAKE_EMBED_ORIGINS, space or comma separated) read when the server runs, so the /embed CSP is
// set here per request. Every other page keeps next.config.js's `frame-ancestors 'none'`.
import { NextResponse } from "next/server";
import { embedFrameAncestors, parseEmbedOrigins } from "./lib/view/expiry/frameAncestors";

let memo: { raw: string | undefined; csp: string } | undefined;

/** Parsed once per distinct setting; invalid entries are dropped with one log line each. */
function frameAncestors(raw: string | undefined): string {
  if (memo && memo.raw === raw) return memo.csp;
  const parsed = parseEmbedOrigins(raw);
  for (const bad of parsed.invalid)
    console.warn(`handshake: HANDSHAKE_EMBED_ORIGINS: ignoring "${bad.entry}": ${bad.reason}`);
  memo = { raw, csp: embedFrameAncestors(parsed.origins) };
  return memo.csp;
}

export function proxy(): NextResponse {
  const res = NextResponse.next();
  res.headers.set("Content-Security-Policy", frameAncestors(process.env.HANDSHAKE_EMBED_ORIGINS));
  return res;
}

export const config = {
  matcher: ["/embed", "/embed/:path*"],
};
