// Next 16 proxy (formerly middleware): the runtime half of contract §4's framing rule. next.config.js
// headers() are fixed at build time, but the origins allowed to frame /embed/* are an operator setting
// (HANDSHAKE_EMBED_ORIGINS, space or comma separated) read when the server runs, so the CSP is set
// here per request. The proxy runs for every page (not only a case-sensitive /embed matcher, which
// let /EMBED/expiry through with no CSP at all) and decides by the exact path: /embed and /embed/*
// get the operator's origins, everything else `frame-ancestors 'none'` — the same value
// next.config.js sends as a build-time backstop.
//
// It also answers paths with a malformed percent-escape (lib/view/badPath.ts): Next would fail decoding
// the dynamic segment and answer a bare 500 without these headers.
import { NextResponse, type NextRequest } from "next/server";
import { badPathAnswer, isMalformedPath } from "./lib/view/badPath";
import {
  embedFrameAncestors,
  isEmbedPath,
  NO_FRAMING,
  parseEmbedOrigins,
} from "./lib/view/expiry/frameAncestors";

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
  const path = request.nextUrl.pathname;
  const csp = isEmbedPath(path) ? frameAncestors(process.env.HANDSHAKE_EMBED_ORIGINS) : NO_FRAMING;
  if (isMalformedPath(path)) {
    const a = badPathAnswer(path);
    // next.config.js headers() do not reach an answer made here: the usual ones are set by hand.
    return new NextResponse(a.body, {
      status: a.status,
      headers: {
        "Content-Type": a.contentType,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": csp,
      },
    });
  }
  const res = NextResponse.next();
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

export const config = {
  // Every path but Next's static assets (hashed JS/CSS/images, never framed as pages).
  matcher: ["/((?!_next/static|_next/image).*)"],
};
