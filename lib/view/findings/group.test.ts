import { describe, expect, it } from "vitest";
import { call, deploy, host, injected, namespace, peerAuth, run, service } from "../../../test/kit";
import { countBySeverity, edgeHref, filterBySeverity, groupFindings, refHref, refLabel } from "./group";

// A real analysed mesh: a STRICT namespace called in plaintext by a client without a proxy.
const snap = run(
  [
    injected("shop"),
    namespace("legacy"),
    peerAuth("shop", "strict", "STRICT"),
    deploy("shop", "web", { ports: [8080] }),
    service("shop", "web", [{ port: 80, targetPort: 8080 }]),
    deploy("legacy", "batch"),
  ],
  [call("legacy/batch", host("web", "shop"), "none")],
);

describe("groupFindings", () => {
  it("groups by code, worst severity first, counts every finding", () => {
    const groups = groupFindings(snap.findings);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(snap.findings.length);
    expect(groups.map((g) => g.code)).toContain("edge.plaintext-to-strict");
    const rank = { error: 0, warning: 1, info: 2 };
    for (let i = 1; i < groups.length; i++) {
      const a = groups[i - 1]!;
      const b = groups[i]!;
      expect(rank[a.severity] < rank[b.severity] || (a.severity === b.severity && a.code < b.code)).toBe(
        true,
      );
    }
  });

  it("shows a code's worst severity when it carries two", () => {
    const [g] = groupFindings([
      { code: "cert.expiring", severity: "warning", title: "t", message: "a", resources: [] },
      { code: "cert.expiring", severity: "error", title: "t", message: "b", resources: [] },
    ]);
    expect(g).toMatchObject({ severity: "error", count: 2 });
    expect(g!.findings.map((f) => f.message)).toEqual(["a", "b"]);
  });

  it("filters by severity (empty = all) and counts", () => {
    const errors = filterBySeverity(snap.findings, ["error"]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((f) => f.severity === "error")).toBe(true);
    expect(filterBySeverity(snap.findings, [])).toBe(snap.findings);
    const c = countBySeverity(snap.findings);
    expect(c.error + c.warning + c.info).toBe(snap.findings.length);
  });
});

describe("links", () => {
  it("links an edge finding to its edge on the namespace graph", () => {
    const f = snap.findings.find((x) => x.code === "edge.plaintext-to-strict")!;
    expect(f.edge).toBeDefined();
    expect(edgeHref("demo", "shop", f.edge!)).toBe(
      `/c/demo/ns/shop?view=graph&edge=${encodeURIComponent(f.edge!).replace(/%20/g, "+")}`,
    );
  });

  it("links workloads and namespaces, not policies", () => {
    expect(refHref("demo", { kind: "Deployment", namespace: "shop", name: "web" })).toBe(
      "/c/demo/ns/shop?view=graph&workload=web",
    );
    expect(refHref("demo", { kind: "Namespace", name: "legacy" })).toBe("/c/demo/ns/legacy");
    expect(refHref("demo", { kind: "PeerAuthentication", namespace: "shop", name: "strict" })).toBeNull();
    expect(refLabel({ kind: "PeerAuthentication", namespace: "shop", name: "strict" })).toBe(
      "PeerAuthentication shop/strict",
    );
  });
});
