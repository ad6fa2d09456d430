import { describe, expect, it } from "vitest";
import { demoBannerText } from "./demoBanner";

describe("demo banner", () => {
  const fallback = { context: "prod", reason: "connect ECONNREFUSED 127.0.0.1:6443" };

  it("names the current context that did not answer and why, on the overview and on the demo's pages", () => {
    expect(demoBannerText("/", ["demo"], fallback)).toBe(
      'Your current context "prod" did not answer (connect ECONNREFUSED 127.0.0.1:6443); showing the embedded demo. Includes the demo cluster "demo": generated sample data, not a live cluster.',
    );
    expect(demoBannerText("/c/demo/ns/payments", ["demo"], fallback)).toMatch(/^Your current context "prod" did not answer \(connect ECONNREFUSED/);
  });

  it("says only that the data is sample data when the demo was asked for (HANDSHAKE_DEMO=1)", () => {
    expect(demoBannerText("/c/demo/ns/payments", ["demo"], null)).toBe('Demo cluster "demo": generated sample data, not a live cluster.');
  });

  it("shows nothing on another cluster's page or without a demo", () => {
    expect(demoBannerText("/c/staging/ns/payments", ["demo"], fallback)).toBeNull();
    expect(demoBannerText("/", [], null)).toBeNull();
  });
});
