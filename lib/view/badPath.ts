// A request path with a malformed percent-escape (`/c/demo/ns/%`, `/api/v1/%E0%A4`: RFC 3986 §2.1 wants
// two hex digits, and the escapes must decode to UTF-8). Next fails decoding such a dynamic segment before
// any page or route runs and answers a bare 500 without the framing headers, so proxy.ts answers it
// first: a 400 in the API's error shape under /api, a short HTML page elsewhere (contract §3: never a
// 500). Pure: proxy.ts turns the answer into a response.
export function isMalformedPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

export interface BadPathAnswer {
  status: 400;
  contentType: string;
  body: string;
}

const MESSAGE =
  "the path is not a valid address: a percent-escape is malformed (% must be followed by two hex digits encoding UTF-8; write %25 for a literal %)";

/** What to answer for a malformed path: JSON `{error:{code:"bad-path",…}}` under /api, else an HTML page. */
export function badPathAnswer(pathname: string): BadPathAnswer {
  if (pathname === "/api" || pathname.startsWith("/api/"))
    return {
      status: 400,
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "bad-path", message: MESSAGE } }),
    };
  return {
    status: 400,
    contentType: "text/html; charset=utf-8",
    body:
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad address · Handshake</title></head>' +
      '<body style="font-family:system-ui,sans-serif;margin:2rem"><h1>Bad address</h1>' +
      `<p>This is not a valid address: a percent-escape in the path is malformed (% must be followed by two hex digits; write %25 for a literal %).</p>` +
      '<p><a href="/">See every cluster and namespace</a>.</p></body></html>\n',
  };
}
