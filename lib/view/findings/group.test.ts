import { describe, expect, it } from "vitest";
import { plaintextIntoStrict } from "../__fixtures__/plaintextIntoStrict";
import { createLoader } from "nuqs/server";
import { namespaceViewParsers, refParam } from "../urlState";
import {
  countBySeverity,
  edgeHref,
  filterByRef,
  filterBySeverity,
  groupFindings,
  kubectlGet,
  parseRefParam,
  refHref,
  refLabel,
  WORKLOAD_KINDS,
} from "./group";

const snap = plaintextIntoStrict();

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
  // Every link is read back by the pages' own loader: what a link says is what the page shows.
  const load = createLoader(namespaceViewParsers);
  const read = (href: string) => load(new URL(href, "http://x").searchParams);

  it("links an edge finding to its edge on the namespace graph", () => {
    const f = snap.findings.find((x) => x.code === "edge.plaintext-to-strict")!;
    expect(f.edge).toBeDefined();
    const href = edgeHref("demo", "shop", f.edge!);
    expect(href.startsWith("/c/demo/ns/shop?")).toBe(true);
    expect(read(href)).toMatchObject({ view: "graph", edge: f.edge, workload: null, ref: null });
  });

  it("links workloads and namespaces to their views, other objects to the findings naming them", () => {
    expect(refHref("demo", { kind: "Deployment", namespace: "shop", name: "web" })).toBe(
      "/c/demo/ns/shop?workload=web",
    );
    expect(refHref("demo", { kind: "Namespace", name: "legacy" })).toBe("/c/demo/ns/legacy");
    const pa = { kind: "PeerAuthentication", namespace: "shop", name: "strict" };
    const href = refHref("demo", pa)!;
    expect(href.startsWith("/c/demo/ns/shop?")).toBe(true);
    expect(read(href)).toMatchObject({ view: "findings", ref: "PeerAuthentication/shop/strict" });
    expect(refHref("demo", { kind: "ClusterIssuer", name: "ca" })).toBeNull();
    expect(refLabel(pa)).toBe("PeerAuthentication shop/strict");
  });

  it("filters findings to the ones naming an object, and reads the ref back", () => {
    const named = snap.findings
      .flatMap((f) => f.resources)
      .find((r) => r.namespace && !WORKLOAD_KINDS.has(r.kind));
    expect(named).toBeDefined();
    const ref = refParam(named!);
    const hits = filterByRef(snap.findings, ref);
    expect(hits.length).toBeGreaterThan(0);
    expect(
      hits.every((f) =>
        f.resources.some(
          (r) => r.kind === named!.kind && r.namespace === named!.namespace && r.name === named!.name,
        ),
      ),
    ).toBe(true);
    expect(filterByRef(snap.findings, null)).toBe(snap.findings);
    expect(filterByRef(snap.findings, "DestinationRule/shop/none")).toEqual([]);
    expect(parseRefParam(ref)).toEqual({ kind: named!.kind, namespace: named!.namespace, name: named!.name });
    expect(parseRefParam("Namespace/shop")).toEqual({ kind: "Namespace", name: "shop" });
    expect(parseRefParam("bad")).toBeNull();
    // An Istio Gateway ref: the plain "gateway" may resolve to the Gateway API kind.
    expect(kubectlGet({ kind: "Gateway", namespace: "istio-system", name: "egress" })).toBe(
      "kubectl get gateways.networking.istio.io egress -n istio-system -o yaml",
    );
    expect(kubectlGet({ kind: "DestinationRule", namespace: "reports", name: "payments-no-tls" })).toBe(
      "kubectl get destinationrule payments-no-tls -n reports -o yaml",
    );
  });
});
