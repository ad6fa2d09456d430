// The demo's state folder and traffic file through `handshake analyze`: the headline findings of
// each namespace's story, and nothing the manifests do not say.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshSnapshot } from "../../lib/core/snapshot/schema";
import { internalErrors } from "../support/mutation";
import { startInTmp, type Started } from "./support";

const run = promisify(execFile);

describe("handshake analyze on the demo cluster's state", () => {
  let s: Started;
  let snap: MeshSnapshot;
  beforeAll(async () => {
    s = await startInTmp();
    const { stdout } = await run(
      process.execPath,
      [
        "bin/handshake.mjs",
        "analyze",
        s.cluster.stateDir,
        "--traffic",
        s.cluster.trafficPath,
        "--format",
        "json",
        "--fail-on",
        "never",
      ],
      {
        maxBuffer: 64 << 20,
      },
    );
    snap = JSON.parse(stdout) as MeshSnapshot;
    // A rule or edge that failed inside the analysis would only be a completeness entry here.
    expect(internalErrors(snap)).toEqual([]);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  const find = (code: string, text: string) =>
    snap.findings.filter((f) => f.code === code && f.message.includes(text));

  it("reads every object and config dump without a problem", () => {
    expect(snap.findings.filter((f) => f.code === "input.invalid")).toEqual([]);
    expect(snap.mesh).toMatchObject({ rootNamespace: "istio-system", trustDomain: "cluster.local" });
    expect(new Set(snap.mesh.dataplanes)).toEqual(new Set(["istio-sidecar", "istio-ambient", "linkerd"]));
  });

  it("breaks reports -> payments because of the DestinationRule, and names it", () => {
    const f = find(
      "edge.plaintext-to-strict",
      "reports/report-builder->payments.shop.svc.cluster.local:8080",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.resources).toContainEqual({
      kind: "DestinationRule",
      namespace: "reports",
      name: "payments-no-tls",
    });
    const edge = snap.edges.find(
      (e) => e.id === "reports/report-builder->payments.shop.svc.cluster.local:8080",
    )!;
    expect(edge.predicted.verdict).toBe("broken");
    expect(edge.predicted.client.destinationRule).toEqual({
      kind: "DestinationRule",
      namespace: "reports",
      name: "payments-no-tls",
    });
  });

  it("breaks legacy -> STRICT shop, and shows plaintext into PERMISSIVE billing", () => {
    expect(
      find("edge.plaintext-to-strict", "legacy/importer->cart.shop.svc.cluster.local:7070"),
    ).toHaveLength(1);
    expect(find("pa.permissive", "Namespace billing")[0]).toMatchObject({ severity: "warning" });
    expect(find("pa.permissive", "Namespace billing")[0]!.message).toContain("legacy/reconciler");
    expect(find("edge.plaintext", "legacy/reconciler->invoices.billing")).toHaveLength(1);
  });

  it("finds the expired, the hours- and days-from-expiry certificates, and the cert-manager failures", () => {
    expect(find("cert.expired", "Secret billing/partner-api-tls")).toHaveLength(1);
    expect(find("cert.expiring", "spiffe://cluster.local/ns/billing/sa/ledger")[0]!.message).toMatch(
      /in [23] hours/,
    );
    expect(find("cert.expiring", "Secret shop/payments-gateway-tls")[0]!.message).toMatch(/in [45] days/);
    expect(find("certmanager.not-ready", "Certificate billing/partner-api")).toHaveLength(1);
    expect(find("certmanager.not-ready", "Issuer billing/partner-acme")).toHaveLength(1);
    const root = snap.certificates.find((c) => c.role === "root" && c.subject.includes("Root CA"))!;
    expect(new Date(root.notAfter).getTime() - Date.now()).toBeGreaterThan(5 * 365 * 86400_000);
  });

  it("exercises the inventory, shop and spire stories: one finding each, on the object named", () => {
    expect(find("pa.disable", "inventory/stock-plaintext")).toHaveLength(1);
    expect(find("pa.no-proxy", "inventory/label-printer-strict")).toHaveLength(1);
    expect(find("pa.selector-matches-nothing", "inventory/nightly-batch")).toHaveLength(1);
    expect(find("edge.mtls-to-disable", "inventory/warehouse->stock.inventory")).toHaveLength(1);
    expect(find("dr.tls-without-mode", "inventory/erp-vendor")).toHaveLength(1);
    expect(find("dr.shadowed", "shop/payments never applies to reports/report-builder")).toHaveLength(1);
    expect(find("cert.weak-crypto", "inventory/erp-client-tls")).toHaveLength(1);
    expect(find("cert.not-yet-valid", "inventory/handheld-tls")).toHaveLength(1);
    expect(find("cert.lifetime-too-long", "spiffe://cluster.local/ns/inventory/sa/warehouse")).toHaveLength(
      1,
    );
    expect(find("certmanager.renew-before-too-large", "inventory/scanner-gateway")).toHaveLength(1);
    expect(find("spire.svid-ttl-too-long", "spire/spire-server")).toHaveLength(1);
  });

  it("exercises at least 33 finding codes from the state alone (34 with the forbidden vault Secrets read live)", () => {
    const codes = new Set(snap.findings.map((f) => f.code));
    console.log(`demo finding codes (${codes.size}): ${[...codes].sort().join(" ")}`);
    expect(codes.size).toBeGreaterThanOrEqual(33);
  });

  it("ties every sidecar's and ztunnel's certificate to its pod", () => {
    const proxies = snap.certificates.filter((c) => c.role === "workload");
    const pods = new Set(
      proxies.flatMap((c) => c.sources.filter((x) => x.pod).map((x) => `${x.namespace}/${x.pod}`)),
    );
    // 13 Envoy proxies (11 sidecars, 2 gateway replicas) and 2 ztunnels.
    expect(pods.size).toBe(15);
    expect(
      snap.findings.filter(
        (f) =>
          f.code === "cert.identity-mismatch" ||
          f.code === "cert.chain-invalid" ||
          f.code === "cert.root-mismatch",
      ),
    ).toEqual([]);
  });

  it("covers the other stories: ambient, Linkerd, capture exclusions, injection", () => {
    for (const code of [
      "pa.ambient-disable-ignored",
      "linkerd.stale-trust-bundle",
      "linkerd.skip-port",
      "linkerd.unauthenticated-default",
      "workload.no-proxy",
      "workload.tlsmode-without-proxy",
      "workload.capture-excluded-port",
      "edge.mtls-to-no-proxy",
      "dr.insecure-skip-verify",
      "dr.host-not-found",
      "certmanager.self-signed-issuer",
      "namespace.not-injected",
      "mesh.no-strict",
    ])
      expect(
        snap.findings.some((f) => f.code === code),
        code,
      ).toBe(true);
    // vault is labelled istio-injection=disabled on purpose: no nagging.
    expect(find("namespace.not-injected", "Namespace vault")).toEqual([]);
  });
});
