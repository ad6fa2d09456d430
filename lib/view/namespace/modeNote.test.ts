import { describe, expect, it } from "vitest";
import { GATEWAY_DECISION, WAYPOINT_DECISION } from "../../core/resolve/resolver";
import { modeNote, type ServerMode } from "./modeNote";

const pa = { kind: "PeerAuthentication", namespace: "istio-system", name: "default" };

describe("modeNote: what a server mode means where the enums alone mislead", () => {
  it.each<[string, ServerMode, RegExp | null]>([
    [
      "a gateway (the resolver's own decision)",
      GATEWAY_DECISION,
      /^Istio gateway: .*Gateway servers.*PeerAuthentication does not apply/,
    ],
    ["a waypoint (the resolver's own decision)", WAYPOINT_DECISION, /^Istio waypoint: it takes only HBONE/],
    [
      "a workload without proxy",
      { mode: "NONE", origin: "no-proxy", policy: null },
      /^no proxy enforces mTLS/,
    ],
    [
      "near miss: Istio's default PERMISSIVE says it plainly",
      { mode: "PERMISSIVE", origin: "default", policy: null },
      null,
    ],
    ["near miss: STRICT by a mesh policy names it", { mode: "STRICT", origin: "mesh", policy: pa }, null],
    ["near miss: Linkerd", { mode: "PERMISSIVE", origin: "linkerd-policy", policy: null }, null],
  ])("%s", (_name, m, expected) => {
    const note = modeNote(m);
    if (expected === null) expect(note).toBeNull();
    else expect(note).toMatch(expected);
  });

  it("never says a gateway has no proxy", () => {
    expect(modeNote(GATEWAY_DECISION)).not.toMatch(/no proxy/);
  });
});
