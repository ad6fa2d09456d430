// proxy.ts as Next calls it, per request: malformed paths are answered here with a 400 (Next would answer
// a bare 500 without the framing headers), and every other path goes on with its frame-ancestors policy.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "../../proxy";

const call = (path: string) => proxy(new NextRequest(new URL(`http://127.0.0.1:3000${path}`)));

describe("proxy", () => {
  it("answers a malformed percent-escape with a 400, nosniff, no-store and the path's framing policy", async () => {
    for (const path of [
      "/c/demo/ns/%",
      "/c/%/ns/shop",
      "/api/v1/%",
      "/api/v1/certificates%",
      "/c/demo/ns/%E0%A4",
    ]) {
      const r = call(path);
      expect(r.status, path).toBe(400);
      expect(r.headers.get("Content-Security-Policy"), path).toBe("frame-ancestors 'none'");
      expect(r.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(r.headers.get("Cache-Control"), path).toBe("no-store");
    }
    const api = call("/api/v1/%");
    expect(api.headers.get("Content-Type")).toBe("application/json");
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("bad-path");
    expect(call("/c/demo/ns/%").headers.get("Content-Type")).toContain("text/html");
  });

  it("near miss: a well-formed path goes on to its page with the framing header only", () => {
    for (const path of ["/c/demo/ns/shop", "/c/demo/ns/%25", "/api/v1/snapshot?namespace=%"]) {
      const r = call(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("x-middleware-next"), path).toBe("1");
      expect(r.headers.get("Content-Security-Policy"), path).toBe("frame-ancestors 'none'");
    }
  });
});
