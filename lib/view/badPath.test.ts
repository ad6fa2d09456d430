import { describe, expect, it } from "vitest";
import { badPathAnswer, isMalformedPath } from "./badPath";

describe("isMalformedPath", () => {
  it.each([
    ["/c/demo/ns/%", true],
    ["/c/demo/ns/%E0%A4", true], // a cut UTF-8 sequence
    ["/c/%/ns/shop", true],
    ["/api/v1/%", true],
    ["/api/v1/certificates%", true],
    ["/embed/%zz", true],
    ["/c/%FF/ns/shop", true], // not UTF-8
    // Near misses: well-formed escapes, whatever they decode to.
    ["/c/demo/ns/shop", false],
    ["/c/demo/ns/%25", false],
    ["/c/prod%20(eu-west)/ns/shop", false],
    ["/c/a%2Fb/ns/shop", false],
    ["/c/%C3%A9quipe/ns/shop", false],
    ["/", false],
  ])("%s → %s", (path, bad) => {
    expect(isMalformedPath(path)).toBe(bad);
  });
});

describe("badPathAnswer", () => {
  it("answers the API's error shape under /api", () => {
    for (const path of ["/api/v1/%", "/api/%zz", "/api"]) {
      const a = badPathAnswer(path);
      expect(a.status).toBe(400);
      expect(a.contentType).toBe("application/json");
      expect(JSON.parse(a.body)).toEqual({
        error: { code: "bad-path", message: expect.stringContaining("percent-escape") },
      });
    }
  });

  it("answers a page elsewhere (near miss: /apix is no API path)", () => {
    for (const path of ["/c/demo/ns/%", "/apix/%", "/embed/%zz"]) {
      const a = badPathAnswer(path);
      expect(a.status).toBe(400);
      expect(a.contentType).toBe("text/html; charset=utf-8");
      expect(a.body).toContain("not a valid address");
      expect(a.body).toContain('<a href="/">');
    }
  });
});
