import { describe, expect, it } from "vitest";
import { call, deploy, host, injected, namespace, peerAuth, run, service } from "../../../test/kit";
import { cert, root } from "../__fixtures__/certificate";
import { sliceSnapshot } from "../sliceSnapshot";
import { summarizeCluster } from "./summary";

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
    const shared = root(4, { from: -10, to: 30 }, {
      source: { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert" },
      sources: [
        { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert" },
        { kind: "proxy", namespace: "pay", pod: "api-1" },
      ],
      owner: null,
    });
    const s = summarizeCluster({ ...snap, certificates: [shared] });
    for (const ns of ["shop", "pay"]) {
      expect(s.namespaces.find((n) => n.name === ns)!.soonestExpiry?.notAfter).toBe(shared.notAfter);
      expect(sliceSnapshot({ ...snap, certificates: [shared] }, ns).certificates.map((c) => c.id)).toEqual([shared.id]);
    }
    expect(s.namespaces.find((n) => n.name === "legacy")!.soonestExpiry).toBeFalsy();
  });
});
