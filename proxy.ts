// Next 16 proxy (formerly middleware): the runtime half of contract §4's framing rule. next.config.js
// headers() are fixed at build time, but the origins allowed to frame /embed/* are an operator setting
// (HANDSHAKE_EMBED_ORIGINS, space or comma separated) read when the server runs, so the CSP is set
// here per request. The proxy runs for every page (not only a case-sensitive /embed matcher, which
// let /EMBED/expiry through with no CSP at all) and decides by the exact path: /embed and /embed/*
// get the operator's origins, everything else `frame-ancestors 'none'` — the same value
// next.config.js sends as a build-time backstop.
import { NextResponse, type NextRequest } from "next/server";
import { embedFrameAncestors, isEmbedPath, NO_FRAMING, parseEmbedOrigins } from "./lib/view/expiry/frameAncestors";

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

export function proxy(request: NextRequest): NextResponse {
  const res = NextResponse.next();
  const csp = isEmbedPath(request.nextUrl.pathname) ? frameAncestors(process.env.HANDSHAKE_EMBED_ORIGINS) : NO_FRAMING;
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

export const config = {
  // Every path but Next's static assets (hashed JS/CSS/images, never framed as pages).
  matcher: ["/((?!_next/static|_next/image).*)"],
};
