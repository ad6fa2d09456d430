// Linkerd's default-policy values, written once (reviews/readthrough #4).
import { describe, expect, it } from "vitest";
import { ADMITS_UNAUTHENTICATED, LINKERD_POLICIES } from "../lib/core/model/linkerdPolicyValues";
import { defaultPolicyMode } from "../lib/core/resolve/linkerdInbound";

describe("Linkerd policy values", () => {
  it.each([
    { policy: "all-unauthenticated", mode: "PERMISSIVE" },
    { policy: "cluster-unauthenticated", mode: "PERMISSIVE" },
    { policy: "audit", mode: "PERMISSIVE" },
    { policy: "all-authenticated", mode: "STRICT" },
    { policy: "cluster-authenticated", mode: "STRICT" },
    { policy: "deny", mode: "STRICT" },
  ])("$policy is known and $mode", ({ policy, mode }) => {
    expect(LINKERD_POLICIES.has(policy)).toBe(true);
    expect(defaultPolicyMode(policy)).toBe(mode);
  });

  it("admits unauthenticated callers only with known values (near miss: an unknown value is neither)", () => {
    for (const p of ADMITS_UNAUTHENTICATED) expect(LINKERD_POLICIES.has(p)).toBe(true);
    expect(LINKERD_POLICIES.has("allow")).toBe(false);
    expect(ADMITS_UNAUTHENTICATED.has("allow")).toBe(false);
  });
});
