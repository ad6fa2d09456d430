// Certificate gaps after the fifth review (reviews/certs5.md; docs/DECISIONS.md "Certificate gaps 5").
// Every case is a real PKI built here (test/pki.ts) going through the real loader and analysis, with
// its near miss.
import { describe, expect, it } from "vitest";
import { makeCustomCa, makeCustomLeaf } from "./pki";
import {
  analyzeAll,
  at,
  certFindings,
  codesFor,
  D,
  H,
  idOf,
  namespace,
  pod,
  secret,
  sidecar,
  spiffe,
} from "./support/certScenario";

// ---------------------------------------------------------------------------------------------
// 1. A SPIRE CA's successor sits at the same depth below a root (reviews/certs5.md #1)

describe("a SPIRE CA's successor when the root SPIRE server has rotated too", () => {
  // R1 → U1 → D1 (leaf tier, 18 h left); the root server rotated to R2 and the mid tier's newer U2 is
  // signed by R2 (SignDownstreamX509CA signs with the upstream's current CA). The bundle holds R1 and R2.
  const td = "example.org";
  const SPIFFE = "C=US,O=SPIFFE";
  const bundle = (pem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "spire-bundle", namespace: "spire" },
    data: { "bundle.crt": pem },
  });
  const serverConf = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "spire-server", namespace: "spire" },
    data: { "server.conf": `server {\n  trust_domain = "${td}"\n  ca_ttl = "168h"\n}\n` },
  };
  async function tiers(u1Left = 300 * D) {
    const r1 = await makeCustomCa(SPIFFE, at(-300 * D), at(3000 * D), null, td);
    const r2 = await makeCustomCa(SPIFFE, at(-2 * D), at(3100 * D), null, td);
    const u1 = await makeCustomCa(SPIFFE, at(-100 * D), at(u1Left), r1, td, { unconstrained: true });
    const u2 = await makeCustomCa(SPIFFE, at(-1 * D), at(400 * D), r2, td, { unconstrained: true });
    const d1 = await makeCustomCa(SPIFFE, at(-150 * H), at(18 * H), u1, td, { unconstrained: true });
    const wl = await makeCustomLeaf("", at(-1 * H), at(3 * H), d1, { spiffeId: spiffe("shop", "web", td) });
    return { r1, r2, u1, u2, d1, wl };
  }
  type Tiers = Awaited<ReturnType<typeof tiers>>;
  const leafUnder = (ca: Awaited<ReturnType<typeof makeCustomCa>>) =>
    makeCustomLeaf("", at(-1 * H), at(3 * H), ca, { spiffeId: spiffe("shop", "api", td) });
  /** web-1 presents [wl, D1, U1]; api-1 presents `other`. Both sidecars trust R1 and R2. */
  function run(p: Tiers, other: string[], otherFirst = false) {
    const roots = p.r1.pem + p.r2.pem;
    const web = sidecar("shop", "web-1", p.wl.pem + p.d1.pem + p.u1.pem, roots);
    const dumps =
      other.length === 0
        ? [web]
        : otherFirst
          ? [sidecar("shop", "api-1", other.join(""), roots), web]
          : [web, sidecar("shop", "api-1", other.join(""), roots)];
    return analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        pod("shop", "api-1", "api"),
        bundle(roots),
        serverConf,
      ],
      dumps,
    );
  }

  it.each([false, true])(
    "the mid tier's U2 under the rotated R2 is no successor of D1 (api-1 first: %s): cert.expiring",
    async (otherFirst) => {
      const p = await tiers();
      const wl2 = await leafUnder(p.u2);
      expect(codesFor(run(p, [wl2.pem, p.u2.pem], otherFirst), p.d1.pem)).toContain("cert.expiring");
    },
  );

  it("near miss: D2 under U2 under R2 (the same depth as D1) is D1's successor: no cert.expiring", async () => {
    const p = await tiers();
    const d2 = await makeCustomCa(SPIFFE, at(-60 * H), at(100 * H), p.u2, td, { unconstrained: true });
    const wl2 = await leafUnder(d2);
    expect(codesFor(run(p, [wl2.pem, d2.pem, p.u2.pem]), p.d1.pem)).not.toContain("cert.expiring");
  });

  it("near miss: U2 under R2 is the successor of U1 (both one tier below a root): U1 has no cert.expiring", async () => {
    const p = await tiers(18 * H);
    const wl2 = await leafUnder(p.u2);
    const without = run(p, []);
    expect(codesFor(without, p.u1.pem)).toContain("cert.expiring");
    expect(codesFor(run(p, [wl2.pem, p.u2.pem]), p.u1.pem)).not.toContain("cert.expiring");
  });
});

// ---------------------------------------------------------------------------------------------
// 3. (The pathLen copy rule, #3, is with its first version in certGaps4.test.ts.)
// 4. A Service named istiod counts only as istiod's own (reviews/certs5.md #4)

describe("an app's own cacerts next to a Service named istiod that is not istiod's", () => {
  // Istio in istio-system (ConfigMap istio, istio-ca-secret); in payments, the app's own corporate CA
  // bundle in a Secret named cacerts, and a Service called istiod.
  async function pki() {
    const root = await makeCustomCa("O=cluster.local", at(-40 * D), at(3600 * D), null);
    const corp = await makeCustomCa("CN=Corp Root CA", at(-400 * D), at(3600 * D), null);
    const corpInt = await makeCustomCa("CN=Corp Issuing CA", at(-400 * D), at(10 * D), corp);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), root, { spiffeId: spiffe("shop", "web") });
    return { root, corp, corpInt, leaf };
  }
  const istioCm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio", namespace: "istio-system" },
    data: { mesh: "rootNamespace: istio-system\n" },
  };
  const service = (spec: Record<string, unknown>, labels: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "istiod", namespace: "payments", labels },
    spec,
  });
  const run = async (svc: object) => {
    const p = await pki();
    const objs = [
      namespace("shop"),
      namespace("payments"),
      pod("shop", "web-1", "web"),
      istioCm,
      secret("istio-system", "istio-ca-secret", { "ca-cert.pem": p.root.pem }, "istio.io/ca-root"),
      secret("payments", "cacerts", {
        "ca-cert.pem": p.corpInt.pem,
        "root-cert.pem": p.corp.pem,
        "cert-chain.pem": p.corpInt.pem + p.corp.pem,
      }),
      svc,
    ];
    const s = analyzeAll(objs, [sidecar("shop", "web-1", p.leaf.pem + p.root.pem, p.root.pem)]);
    return {
      findings: certFindings(s).map((f) => f.code),
      read: s.certificates.some((c) => c.id === idOf(p.corpInt.pem)),
    };
  };
  const EXTERNAL = { type: "ExternalName", externalName: "istiod.istio-system.svc.cluster.local" };

  it.each([
    ["an ExternalName alias istiod, no labels", service(EXTERNAL)],
    ["an ExternalName alias istiod labelled app=istiod", service(EXTERNAL, { app: "istiod" })],
    ["a Service istiod with no labels and no selector", service({ ports: [{ port: 15012 }] })],
    [
      "a Service istiod labelled app=istiod selecting app=payments",
      service({ selector: { app: "payments" } }, { app: "istiod" }),
    ],
  ])("%s: payments/cacerts is not Istio's CA, no cert findings", async (_what, svc) => {
    expect(await run(svc)).toEqual({ findings: [], read: false });
  });

  it("near miss: a Service istiod selecting app=istiod in payments: payments is istiod's namespace, its cacerts Istio's CA", async () => {
    const r = await run(service({ selector: { app: "istiod" }, ports: [{ port: 15012 }] }));
    expect(r.read).toBe(true);
    expect(r.findings).toContain("cert.root-mismatch");
  });
});
