import { describe, expect, it } from "vitest";
import { demoBannerText } from "./demoBanner";

describe("demo banner", () => {
  const fallback = {
    context: "prod",
    reason: "connect ECONNREFUSED 127.0.0.1:6443",
    cause: "unreachable" as const,
    shown: "demo",
    shownIsDemo: true,
  };

  it("names the current context that did not answer and why, on the overview and on the demo's pages", () => {
    expect(demoBannerText("/", ["demo"], fallback)).toBe(
      'Your current context "prod" did not answer (connect ECONNREFUSED 127.0.0.1:6443); showing the embedded demo. Includes the demo cluster "demo": generated sample data, not a live cluster.',
    );
    expect(demoBannerText("/c/demo/ns/payments", ["demo"], fallback)).toMatch(
      /^Your current context "prod" did not answer \(connect ECONNREFUSED/,
    );
  });

  it("says only that the data is sample data when the demo was asked for (HANDSHAKE_DEMO=1)", () => {
    expect(demoBannerText("/c/demo/ns/payments", ["demo"], null)).toBe(
      'Demo cluster "demo": generated sample data, not a live cluster.',
    );
  });

  it("shows nothing on another cluster's page or without a demo", () => {
    expect(demoBannerText("/c/staging/ns/payments", ["demo"], fallback)).toBeNull();
    expect(demoBannerText("/", [], null)).toBeNull();
  });

  // reviews/http2.md #5: the current context left out for its name fell back without a word.
  it("names a current context whose name is not usable, escaped, and why", () => {
    const refused = {
      ...fallback,
      context: "a\u202eb",
      reason: "holds U+202E, a bidirectional control, which can show another name than the one used",
      cause: "unusable-name" as const,
    };
    expect(demoBannerText("/", ["demo"], refused)).toBe(
      'Your current context "a\\u202Eb" is not usable as a cluster name (holds U+202E, a bidirectional control, which can show another name than the one used); showing the embedded demo. Includes the demo cluster "demo": generated sample data, not a live cluster.',
    );
  });

  it("says why when the pod's own cluster stands in, on the overview and on that cluster's pages only", () => {
    const inCluster = { ...fallback, shown: "in-cluster", shownIsDemo: false };
    const text =
      'Your current context "prod" did not answer (connect ECONNREFUSED 127.0.0.1:6443); showing "in-cluster".';
    expect(demoBannerText("/", [], inCluster)).toBe(text);
    expect(demoBannerText("/c/in-cluster/ns/shop", [], inCluster)).toBe(text);
    // Near miss: another cluster's page is not about the default.
    expect(demoBannerText("/c/staging/ns/shop", [], inCluster)).toBeNull();
  });

  // reviews/server2.md #4: a plugin that gave no credentials in time is not a server that did not answer.
  it("says the current context got no credentials when that is why", () => {
    const reason =
      'credentials for context "prod" not obtained within 20 s (the exec plugin "kubelogin" did not finish)';
    expect(
      demoBannerText("/", [], {
        ...fallback,
        reason,
        cause: "credentials" as const,
        shown: "in-cluster",
        shownIsDemo: false,
      }),
    ).toBe(`Your current context "prod" got no credentials (${reason}); showing "in-cluster".`);
  });
});
