import { describe, expect, it } from "vitest";
import { call, deploy, host, injected, namespace, peerAuth, run, service } from "../../../test/kit";
import { cert, root } from "../__fixtures__/certificate";
import { sliceSnapshot } from "../sliceSnapshot";
import type { Finding } from "../../core/snapshot/schema";
import { findingsHref, summarizeCluster } from "./summary";

const snap = run(
  [
    injected("shop"),
    injected("pay"),
    namespace("legacy"),
    peerAuth("shop", "strict", "STRICT"),
    deploy("shop", "web", { ports: [8080] }),
    service("shop", "web", [{ port: 80, targetPort: 8080 }]),
    deploy("pay", "api", { ports: [8080] }),
    deploy("legacy", "batch"),
  ],
  [
    call("legacy/batch", host("web", "shop"), "none", 30),
    call("pay/api", host("web", "shop"), "mutual_tls", 90),
  ],
);

describe("summarizeCluster", () => {
  it("computes the observed mTLS share where traffic arrives", () => {
    const s = summarizeCluster(snap);
    const shop = s.namespaces.find((n) => n.name === "shop")!;
    expect(shop.traffic).toEqual({ mtls: 90, total: 120, share: 0.75 });
    expect(s.namespaces.find((n) => n.name === "pay")!.traffic.share).toBeNull();
    expect(s.traffic.share).toBe(0.75);
    expect(shop.mode).toBe("STRICT");
    expect(shop.dataplane).toBe("sidecar");
    expect(shop.workloads).toBe(1);
  });

  it("attributes findings to the namespaces they name, and counts the cluster once each", () => {
    const s = summarizeCluster(snap);
    expect(s.findings.error + s.findings.warning + s.findings.info).toBe(snap.findings.length);
    const shop = s.namespaces.find((n) => n.name === "shop")!;
    expect(shop.findings.error).toBeGreaterThan(0); // the plaintext call to STRICT
    expect(shop.brokenEdges).toBe(1);
  });

  it("lists the soonest expiries and each namespace's soonest", () => {
    const s = summarizeCluster(
      {
        ...snap,
        certificates: [
          root(1, { from: -10, to: 90_000 }),
          cert(2, { from: -1, to: 23 }),
          cert(3, { from: -20, to: 4 }),
        ],
      },
      { soonest: 2 },
    );
    expect(s.soonest.map((c) => c.id.slice(-1))).toEqual(["3", "2"]);
    expect(s.soonest[0]!.namespace).toBe("shop");
    expect(s.namespaces.find((n) => n.name === "shop")!.soonestExpiry).toMatchObject({
      notAfter: "2026-11-27T16:00:00Z",
    });
    expect(s.certificates).toBe(3);
  });

  it("gives a certificate to every namespace it is held in, as the namespace page lists it", () => {
    // A root in shop's istio-ca-root-cert and in a pay proxy's bundle, owned by neither.
    const shared = root(
      4,
      { from: -10, to: 30 },
      {
        source: { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert" },
        sources: [
          { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert" },
          { kind: "proxy", namespace: "pay", pod: "api-1" },
        ],
        owner: null,
      },
    );
    const s = summarizeCluster({ ...snap, certificates: [shared] });
    for (const ns of ["shop", "pay"]) {
      expect(s.namespaces.find((n) => n.name === ns)!.soonestExpiry?.notAfter).toBe(shared.notAfter);
      expect(sliceSnapshot({ ...snap, certificates: [shared] }, ns).certificates.map((c) => c.id)).toEqual([
        shared.id,
      ]);
    }
    expect(s.namespaces.find((n) => n.name === "legacy")!.soonestExpiry).toBeFalsy();
  });
});

describe("worst findings (contract §4: the overview's worst findings)", () => {
  const f = (
    code: string,
    severity: Finding["severity"],
    ns: string | null,
    message = `${code} in ${ns}`,
  ): Finding => ({
    code,
    severity,
    title: `title of ${code}`,
    message,
    resources: ns
      ? [{ kind: "PeerAuthentication", namespace: ns, name: "p" }]
      : [{ kind: "Node", name: "n1" }],
  });
  const findings = [
    f("pa.permissive", "warning", "shop"),
    f("edge.plaintext", "info", "pay"),
    f("edge.broken", "error", "shop", "second"),
    f("dr.shadowed", "warning", "pay"),
    f("edge.broken", "error", "pay", "first"),
    f("cert.expiring", "error", "legacy"),
    f("edge.broken", "error", "shop", "another"),
    f("node.thing", "warning", null),
  ];

  it("one row per code, most severe first, then the most frequent, with one example and its namespace", () => {
    const s = summarizeCluster({ ...snap, findings });
    expect(s.worst.map((w) => [w.severity, w.code, w.count])).toEqual([
      ["error", "edge.broken", 3],
      ["error", "cert.expiring", 1],
      ["warning", "dr.shadowed", 1],
      ["warning", "node.thing", 1],
      ["warning", "pa.permissive", 1],
    ]);
    // The example: the first of its namespaces by name, then by message.
    expect(s.worst[0]).toEqual({
      severity: "error",
      code: "edge.broken",
      title: "title of edge.broken",
      count: 3,
      message: "first",
      namespace: "pay",
    });
    // A cluster-scoped finding has no namespace page to link to.
    expect(s.worst[3]!.namespace).toBeNull();
  });

  it("is independent of the findings' order, and takes `worst` rows", () => {
    const a = summarizeCluster({ ...snap, findings }, { worst: 3 });
    const b = summarizeCluster({ ...snap, findings: [...findings].reverse() }, { worst: 3 });
    expect(a.worst).toEqual(b.worst);
    expect(a.worst).toHaveLength(3);
  });

  it("near miss: no findings, no rows (and the counts stay zero)", () => {
    const s = summarizeCluster({ ...snap, findings: [] });
    expect(s.worst).toEqual([]);
    expect(s.findings).toEqual({ error: 0, warning: 0, info: 0 });
  });

  it("links a row to its namespace's findings of that severity, through the one serializer", () => {
    expect(findingsHref("demo", "shop", "error")).toBe("/c/demo/ns/shop?view=findings&severity=error");
    expect(findingsHref("prod (eu-west)", "shop", "warning")).toBe(
      "/c/prod%20(eu-west)/ns/shop?view=findings&severity=warning",
    );
  });
});
