// Fixes from the review of the Istio certificate analysis (reviews/certs.md, docs/DECISIONS.md "Istio
// certificate review fixes"). Every case is built from a real PKI made here (test/pki.ts: WebCrypto
// keys, @peculiar/x509 signatures, dates relative to PKI_NOW) and goes through the real loader and
// analysis; each fix has its near miss, where the finding must still fire.
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../lib/core/load/parseManifests";
import type { MeshSnapshot } from "../lib/core/snapshot/schema";
import { analyzeCertificates } from "../lib/core/certs/analyzeCerts";
import type { CertInput } from "../lib/core/certs/types";
import { pemCertificates } from "../lib/core/certs/x509";
import {
  crossSign,
  hasOpenssl,
  makeCustomCa,
  makeCustomIntermediate,
  makeCustomLeaf,
  makePki,
  PKI_NOW,
  ztunnelDump,
} from "./pki";
import { layerOf } from "../lib/view/expiry/layer";
import { expiringVerdicts, urgencyOf } from "../lib/view/expiry/urgency";

import {
  analyzeAll,
  at,
  b64,
  certFindings,
  certOf,
  codesFor,
  D,
  envoyDump,
  H,
  idOf,
  namespace,
  opensslVerify,
  pod,
  rootCm,
  secret,
  sidecar,
  spiffe,
} from "./support/certScenario";

// ---------------------------------------------------------------------------------------------
// 1. A plug-in CA with more than one intermediate

describe("a plug-in CA with two intermediates (root → Org Intermediate → Cluster1 CA)", () => {
  async function orgPki() {
    const root = await makeCustomCa("CN=Root CA,O=Acme", at(-400 * D), at(3000 * D), null);
    const org = await makeCustomIntermediate(
      "CN=Org Intermediate,O=Acme",
      at(-300 * D),
      at(2000 * D),
      root,
      1,
    );
    const cluster = await makeCustomIntermediate("CN=Cluster1 CA,O=Acme", at(-200 * D), at(700 * D), org, 0);
    const leaf = await makeCustomLeaf("", at(-6 * H - 2 * 60_000), at(18 * H), cluster, {
      spiffeId: spiffe("shop", "web"),
    });
    return { root, org, cluster, leaf };
  }
  const mesh = (p: Awaited<ReturnType<typeof orgPki>>, certChain: string) => [
    namespace("shop"),
    pod("shop", "web-1", "web"),
    rootCm("shop", p.root.pem),
    // Istio's plug-in CA layout: ca-cert.pem is the signing CA, cert-chain.pem the chain up to the root.
    secret("istio-system", "cacerts", {
      "ca-cert.pem": p.cluster.pem,
      "ca-key.pem": p.cluster.keyPem,
      "cert-chain.pem": certChain,
      "root-cert.pem": p.root.pem,
    }),
  ];
  const proxy = (p: Awaited<ReturnType<typeof orgPki>>) =>
    sidecar("shop", "web-1", p.leaf.pem + p.cluster.pem + p.org.pem + p.root.pem, p.root.pem);

  it("verifies ca-cert.pem through cert-chain.pem, as istiod does: no finding", async () => {
    const p = await orgPki();
    const s = analyzeAll(mesh(p, p.cluster.pem + p.org.pem + p.root.pem), [proxy(p)]);
    expect(certFindings(s)).toEqual([]);
    expect(s.certificates.map((c) => [c.subject, c.chain])).toEqual(
      expect.arrayContaining([["CN=Cluster1 CA,O=Acme", { verified: true }]]),
    );
    expect(s.certificates.every((c) => c.chain.verified)).toBe(true);
    if (await hasOpenssl())
      expect(await opensslVerify(p.cluster.pem, p.root.pem, p.cluster.pem + p.org.pem + p.root.pem)).toBe(
        "OK",
      );
  });

  it("the intermediates of cert-chain.pem need not be in order (istiod takes them as a pool)", async () => {
    const p = await orgPki();
    const s = analyzeAll(mesh(p, p.root.pem + p.org.pem + p.cluster.pem), [proxy(p)]);
    expect(certFindings(s)).toEqual([]);
  });

  it("near miss: cert-chain.pem without Org Intermediate is still cert.chain-invalid", async () => {
    const p = await orgPki();
    const s = analyzeAll(mesh(p, p.cluster.pem + p.root.pem), [proxy(p)]);
    expect(codesFor(s, p.cluster.pem)).toEqual(["cert.chain-invalid"]);
    expect(certOf(s, p.cluster.pem).chain.error).toContain(
      "issuer CN=Org Intermediate,O=Acme of CN=Cluster1 CA,O=Acme is not in the trust bundle in use",
    );
    if (await hasOpenssl())
      expect(await opensslVerify(p.cluster.pem, p.root.pem, p.cluster.pem + p.root.pem)).not.toBe("OK");
  });

  it("near miss: another Secret's intermediate does not complete cacerts' chain", async () => {
    const p = await orgPki();
    const s = analyzeAll(
      [
        ...mesh(p, p.cluster.pem + p.root.pem),
        secret("istio-system", "org-ca", { "tls.crt": p.org.pem, "ca.crt": p.root.pem }, "kubernetes.io/tls"),
      ],
      [proxy(p)],
    );
    expect(codesFor(s, p.cluster.pem)).toEqual(["cert.chain-invalid"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. A cross-signed root during a root rotation: trusted first

describe("a root rotation with a cross-signed new root (R2x: R2's name and key, signed by R1)", () => {
  /** R1 (old root), R2 (new root), R2x (R2 cross-signed by R1), I (cluster CA under R2), a workload leaf under I. */
  async function rotation(o: { r1End: number; r2xEnd: number }) {
    const r1 = await makeCustomCa("CN=Root R1,O=Acme", at(-3000 * D), at(o.r1End), null);
    const r2 = await makeCustomCa("CN=Root R2,O=Acme", at(-60 * D), at(3600 * D), null);
    const r2x = await crossSign(r2, r1, at(-60 * D), at(o.r2xEnd));
    const inter = await makeCustomCa("CN=Cluster CA,O=Acme", at(-50 * D), at(1000 * D), r2);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), inter, { spiffeId: spiffe("shop", "a") });
    return { r1, r2, r2x, inter, leaf };
  }
  type Rotation = Awaited<ReturnType<typeof rotation>>;
  // Workloads present [leaf, I, R2x] so that peers still on R1 can verify them.
  const presented = (p: Rotation) => p.leaf.pem + p.inter.pem + p.r2x.pem;
  const run1 = (p: Rotation, roots: string, chain = presented(p)) =>
    analyzeAll([namespace("shop"), pod("shop", "a-1", "a")], [sidecar("shop", "a-1", chain, roots)]);

  it("rotation finished (ROOTCA = [R2], R1 still valid): the chain verifies through R2 directly, no finding", async () => {
    const p = await rotation({ r1End: 200 * D, r2xEnd: 199 * D });
    const s = run1(p, p.r2.pem);
    expect(certFindings(s)).toEqual([]);
    for (const c of [p.leaf, p.inter, p.r2x]) expect(certOf(s, c.pem).chain).toEqual({ verified: true });
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.r2.pem, p.inter.pem + p.r2x.pem)).toBe("OK");
  });

  it("R1 and R2x expired, ROOTCA = [R1, R2]: only cert.expired on R1 and R2x", async () => {
    const p = await rotation({ r1End: -1 * D, r2xEnd: -2 * D });
    const s = run1(p, p.r1.pem + p.r2.pem);
    expect(codesFor(s, p.leaf.pem)).toEqual([]);
    expect(codesFor(s, p.inter.pem)).toEqual([]);
    expect(codesFor(s, p.r1.pem)).toEqual(["cert.expired"]);
    expect(codesFor(s, p.r2x.pem)).toEqual(["cert.expired"]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.r1.pem + p.r2.pem, p.inter.pem + p.r2x.pem)).toBe("OK");
  });

  it("both roots trusted, all valid: I's issuer is R2 (10 years), not R2x (199 days): no cert.outlives-issuer", async () => {
    const p = await rotation({ r1End: 200 * D, r2xEnd: 199 * D });
    const s = run1(p, p.r1.pem + p.r2.pem);
    expect(certFindings(s)).toEqual([]);
  });

  it("near miss: a peer still on R1 only verifies through R2x, so I outlives that path", async () => {
    const p = await rotation({ r1End: 200 * D, r2xEnd: 199 * D });
    const s = run1(p, p.r1.pem);
    expect(codesFor(s, p.leaf.pem)).toEqual([]);
    expect(codesFor(s, p.inter.pem)).toEqual(["cert.outlives-issuer"]);
    expect(certFindings(s).find((f) => f.code === "cert.outlives-issuer")!.message).toContain(
      `(${at(199 * D)
        .toISOString()
        .replace(".000Z", "Z")})`,
    );
  });

  it("near miss: without R2x a peer on R1 cannot verify: cert.chain-invalid", async () => {
    const p = await rotation({ r1End: 200 * D, r2xEnd: 199 * D });
    const s = run1(p, p.r1.pem, p.leaf.pem + p.inter.pem);
    expect(codesFor(s, p.leaf.pem)).toEqual(["cert.chain-invalid"]);
    expect(codesFor(s, p.inter.pem)).toEqual(["cert.chain-invalid"]);
  });

  it("near miss: an impostor named like R2 in the bundle is no anchor (names are matched, signatures checked)", async () => {
    const p = await rotation({ r1End: 200 * D, r2xEnd: 199 * D });
    const impostor = await makeCustomCa("CN=Root R2,O=Acme", at(-60 * D), at(3600 * D), null);
    const s = run1(p, impostor.pem, p.leaf.pem + p.inter.pem);
    expect(codesFor(s, p.inter.pem)).toEqual(["cert.chain-invalid"]);
    expect(certOf(s, p.inter.pem).chain.error).toBe(
      "signature of CN=Cluster CA,O=Acme does not verify with CN=Root R2,O=Acme from the trust bundle",
    );
  });

  it("analyzeCertificates records the trusted anchor as the issuer, whichever input comes first", async () => {
    const p = await rotation({ r1End: 200 * D, r2xEnd: 199 * D });
    const ders = (pem: string) => pemCertificates(pem).ders;
    const proxy = (name: string, chain: string, roots: string): CertInput[] => [
      {
        source: { kind: "proxy", namespace: "shop", pod: name, name: "default" },
        context: "workload-chain",
        mesh: "istio",
        ders: ders(chain),
        trustScope: `proxy:shop/${name}`,
      },
      {
        source: { kind: "proxy", namespace: "shop", pod: name, name: "ROOTCA" },
        context: "trust-bundle",
        mesh: "istio",
        ders: ders(roots),
        trustScope: `proxy:shop/${name}`,
      },
    ];
    const onR1 = proxy("a-1", presented(p), p.r1.pem);
    const onR2 = proxy("b-1", presented(p), p.r2.pem);
    for (const inputs of [
      [...onR1, ...onR2],
      [...onR2, ...onR1],
    ]) {
      const r = analyzeCertificates({
        now: PKI_NOW,
        inputs,
        certManager: { certificates: [], issuers: [] },
        spire: [],
      });
      const entry = (pem: string) => r.entries.find((e) => e.cert.fingerprint === idOf(pem))!;
      expect(entry(p.inter.pem).issuer?.fingerprint).toBe(idOf(p.r2.pem));
      expect(entry(p.r2x.pem).issuer?.fingerprint).toBe(idOf(p.r1.pem));
      expect(entry(p.leaf.pem).chain).toEqual({ verified: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 3. ztunnel's roots against the mesh root; 9. a dump tied to no pod

describe("cert.root-mismatch for ztunnel and for a dump tied to no pod", () => {
  async function roots() {
    const mesh = await makeCustomCa("O=cluster.local,CN=new", at(-10 * D), at(3650 * D), null);
    const stale = await makeCustomCa("O=cluster.local,CN=old", at(-400 * D), at(3000 * D), null);
    const onMesh = await makeCustomLeaf("", at(-2 * H), at(22 * H), mesh, {
      spiffeId: spiffe("shop", "web"),
    });
    const onStale = await makeCustomLeaf("", at(-2 * H), at(22 * H), stale, {
      spiffeId: spiffe("shop", "api"),
    });
    return { mesh, stale, onMesh, onStale };
  }
  const ambient = (meshRoot: string) => [
    namespace("shop", { "istio.io/dataplane-mode": "ambient" }),
    rootCm("shop", meshRoot),
    rootCm("istio-system", meshRoot),
  ];
  const ztunnel = (entries: { identity: string; chainPem?: string; rootPem?: string }[]) => ({
    file: "dumps/ztunnel-abc.istio-system.json",
    text: JSON.stringify(ztunnelDump(entries)),
  });
  const mismatches = (s: MeshSnapshot) => s.findings.filter((f) => f.code === "cert.root-mismatch");

  it("a ztunnel whose rootCerts are a stale root is cert.root-mismatch, naming the ztunnel pod and its namespace's root ConfigMap", async () => {
    const r = await roots();
    const s = analyzeAll(ambient(r.mesh.pem), [
      ztunnel([{ identity: spiffe("shop", "api"), chainPem: r.onStale.pem, rootPem: r.stale.pem }]),
    ]);
    const f = mismatches(s);
    expect(f.map((x) => x.resources)).toEqual([
      [
        { kind: "Pod", namespace: "istio-system", name: "ztunnel-abc" },
        { kind: "ConfigMap", namespace: "istio-system", name: "istio-ca-root-cert" },
      ],
    ]);
    expect(f[0]!.severity).toBe("error");
    expect(f[0]!.message).toContain("The ztunnel of pod istio-system/ztunnel-abc trusts 1 root (rootCerts)");
    expect(f[0]!.certificate).toBe(idOf(r.stale.pem));
  });

  it("the roots of every identity a ztunnel holds are taken together: one stale identity is enough, one finding per ztunnel", async () => {
    const r = await roots();
    const s = analyzeAll(ambient(r.mesh.pem), [
      ztunnel([
        { identity: spiffe("shop", "web"), chainPem: r.onMesh.pem, rootPem: r.mesh.pem },
        { identity: spiffe("shop", "api"), chainPem: r.onStale.pem, rootPem: r.stale.pem },
        { identity: spiffe("shop", "db") },
      ]),
    ]);
    expect(mismatches(s).map((f) => f.resources[0])).toEqual([
      { kind: "Pod", namespace: "istio-system", name: "ztunnel-abc" },
    ]);
  });

  it("near miss: a ztunnel on the mesh root is silent", async () => {
    const r = await roots();
    const s = analyzeAll(ambient(r.mesh.pem), [
      ztunnel([{ identity: spiffe("shop", "web"), chainPem: r.onMesh.pem, rootPem: r.mesh.pem }]),
    ]);
    expect(certFindings(s)).toEqual([]);
  });

  it("a dump tied to no pod names no Pod, and the mesh roots' own object", async () => {
    const r = await roots();
    const dump = {
      file: "/tmp/captures/dump.json",
      text: JSON.stringify(
        envoyDump([
          { name: "default", chain: r.onMesh.pem },
          { name: "ROOTCA", roots: r.stale.pem },
        ]),
      ),
    };
    const s = analyzeAll([namespace("shop"), rootCm("istio-system", r.mesh.pem)], [dump]);
    const f = mismatches(s);
    expect(f.map((x) => x.resources)).toEqual([
      [{ kind: "ConfigMap", namespace: "istio-system", name: "istio-ca-root-cert" }],
    ]);
    expect(f[0]!.message).toContain(
      "The proxy of config dump /tmp/captures/dump.json trusts 1 root (ROOTCA)",
    );
    // The loader already said it cannot tell the pod.
    expect(
      s.findings.some((x) => x.code === "input.invalid" && x.message.includes("cannot tell which pod")),
    ).toBe(true);
  });

  it("a proxy in a namespace without istio-ca-root-cert is compared with the mesh roots, naming where they were read", async () => {
    const r = await roots();
    const s = analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        secret(
          "istio-system",
          "istio-ca-secret",
          { "ca-cert.pem": r.mesh.pem, "ca-key.pem": r.mesh.keyPem, "root-cert.pem": r.mesh.pem },
          "istio.io/ca-root",
        ),
      ],
      [sidecar("shop", "web-1", r.onMesh.pem, r.stale.pem)],
    );
    expect(mismatches(s).map((x) => x.resources)).toEqual([
      [
        { kind: "Pod", namespace: "shop", name: "web-1" },
        { kind: "Secret", namespace: "istio-system", name: "istio-ca-secret" },
      ],
    ]);
  });

  it("near miss: a sidecar's stale ROOTCA still names its pod and its namespace's ConfigMap", async () => {
    const r = await roots();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web"), rootCm("shop", r.mesh.pem)],
      [sidecar("shop", "web-1", r.onMesh.pem, r.stale.pem)],
    );
    const f = mismatches(s);
    expect(f.map((x) => x.resources)).toEqual([
      [
        { kind: "Pod", namespace: "shop", name: "web-1" },
        { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert" },
      ],
    ]);
    expect(f[0]!.message).toContain(
      "The proxy of pod shop/web-1 trusts 1 root (ROOTCA) that differ from the mesh root in istio-ca-root-cert",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 4. A proxy's mesh identity mounted from files (file-cert: SDS secret)

describe("a proxy's mesh identity mounted from files (file-cert:/etc/certs/cert-chain.pem~…)", () => {
  const MESH_CERT = "file-cert:/etc/certs/cert-chain.pem~/etc/certs/key.pem";
  const MESH_ROOT = "file-root:/etc/certs/root-cert.pem";
  const mounted = (chain: string, root: string, name = MESH_CERT) => ({
    file: "dumps/web-1.shop.json",
    text: JSON.stringify(
      envoyDump([
        { name, chain },
        { name: MESH_ROOT, roots: root },
      ]),
    ),
  });
  const objects = (root: string) => [namespace("shop"), pod("shop", "web-1", "web"), rootCm("shop", root)];

  it("is a workload certificate of its pod, judged by the identity, trust-domain and lifetime rules", async () => {
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const leaf = await makeCustomLeaf("", at(-20 * D), at(10 * D), root, {
      spiffeId: spiffe("nope", "intruder", "other.example"),
    });
    const s = analyzeAll(objects(root.pem), [mounted(leaf.pem, root.pem)]);
    const c = certOf(s, leaf.pem);
    expect([c.role, c.owner, c.renewalTime]).toEqual([
      "workload",
      { namespace: "shop", workload: "web-1", pod: "web-1" },
      null,
    ]);
    // 10 days left of 30: the leaf thresholds, since no agent rotates it at half its life.
    expect(codesFor(s, leaf.pem)).toEqual([
      "cert.expiring",
      "cert.identity-mismatch",
      "cert.lifetime-too-long",
      "cert.trust-domain-mismatch",
    ]);
    const fix = certFindings(s).find((f) => f.code === "cert.expiring")!.fix!;
    expect(fix).toContain("mounted files");
    expect(fix).not.toContain("Istio rotates workload certificates automatically");
  });

  it("cert.missing-mtls-usage: a mounted identity with serverAuth only", async () => {
    const pki = await makePki();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "frontend"), rootCm("shop", pki.root)],
      [mounted(pki.chains.leafNoClientAuth, pki.root)],
    );
    expect(codesFor(s, pki.leafNoClientAuth)).toEqual(["cert.missing-mtls-usage"]);
  });

  it("no agent rotates it at half its life: no cert.rotation-overdue at 70 %, and no renewal time", async () => {
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), root, { spiffeId: spiffe("shop", "web") });
    const late = new Date(PKI_NOW.getTime() + 14.8 * H);
    const s = analyzeAll(objects(root.pem), [mounted(leaf.pem, root.pem)], late);
    expect(certFindings(s)).toEqual([]);
    expect(certOf(s, leaf.pem).renewalTime).toBeNull();
    // Near miss: the same certificate served by istio-agent as `default` is overdue at 70 %.
    const sds = analyzeAll(objects(root.pem), [sidecar("shop", "web-1", leaf.pem, root.pem)], late);
    expect(codesFor(sds, leaf.pem)).toEqual(["cert.rotation-overdue"]);
  });

  it("near miss: a DestinationRule's client certificate from files, beside `default`, stays a leaf nobody judges as the pod's identity", async () => {
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const own = await makeCustomLeaf("", at(-2 * H), at(22 * H), root, { spiffeId: spiffe("shop", "web") });
    const client = await makeCustomLeaf("", at(-20 * D), at(10 * D), root, {
      spiffeId: spiffe("nope", "intruder", "other.example"),
    });
    const dump = sidecar("shop", "web-1", own.pem, root.pem, [
      { name: "file-cert:/client-certs/cert-chain.pem~/client-certs/key.pem", chain: client.pem },
    ]);
    const s = analyzeAll(objects(root.pem), [dump]);
    expect([certOf(s, client.pem).role, certOf(s, client.pem).owner]).toEqual(["leaf", null]);
    expect(codesFor(s, client.pem)).toEqual(["cert.expiring"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Self-issued is not self-signed (RFC 5280 §3.2)

describe("a certificate named like its issuer but signed by another key", () => {
  // SPIRE's X509-SVID subject is C=US,O=SPIRE (credtemplate.DefaultX509SVIDSubject); a server CA given
  // the same ca_subject signs SVIDs whose subject equals their issuer.
  async function spire() {
    const ca = await makeCustomCa("C=US,O=SPIRE", at(-10 * D), at(3000 * D), null, "cluster.local");
    const svid = await makeCustomLeaf("C=US,O=SPIRE", at(-10 * 60_000), at(50 * 60_000), ca, {
      spiffeId: spiffe("shop", "web"),
    });
    return { ca, svid };
  }

  it("an SVID whose subject equals its CA's is no self-signed leaf", async () => {
    const p = await spire();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web"), rootCm("shop", p.ca.pem)],
      [sidecar("shop", "web-1", p.svid.pem, p.ca.pem)],
    );
    expect(certOf(s, p.svid.pem).chain).toEqual({ verified: true });
    expect(certFindings(s)).toEqual([]);
  });

  it("near miss: a real self-signed leaf (openssl) is still cert.self-signed-leaf", async () => {
    const pki = await makePki();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "p-1", "rogue"), rootCm("shop", pki.root)],
      [sidecar("shop", "p-1", pki.chains.selfSignedLeaf, pki.root)],
    );
    expect(codesFor(s, pki.selfSignedLeaf)).toContain("cert.self-signed-leaf");
  });

  it("a CA named like the root that signed it is an intermediate; the self-signed root stays the root", async () => {
    const upstream = await makeCustomCa("C=US,O=SPIRE", at(-100 * D), at(3000 * D), null);
    const server = await makeCustomIntermediate("C=US,O=SPIRE", at(-1 * D), at(20 * D), upstream, 0);
    const s = analyzeAll(
      [secret("spire", "spire-ca", { "tls.crt": server.pem, "ca.crt": upstream.pem }, "kubernetes.io/tls")],
      [],
    );
    expect([certOf(s, server.pem).role, certOf(s, upstream.pem).role]).toEqual(["intermediate", "root"]);
    expect(certOf(s, server.pem).chain).toEqual({ verified: true });
    const pki = await makePki();
    const link = analyzeAll(
      [
        secret(
          "shop",
          "legacy-ca",
          { "tls.crt": pki.sha1LinkCa, "ca.crt": pki.sha1Root },
          "kubernetes.io/tls",
        ),
      ],
      [],
    );
    expect([certOf(link, pki.sha1LinkCa).role, certOf(link, pki.sha1Root).role]).toEqual([
      "intermediate",
      "root",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Expiry layers from the objects that hold a certificate

describe("expiry layers", () => {
  it("the Istio root istiod copies into a spire-system namespace stays a root", async () => {
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const s = analyzeAll(
      [
        namespace("shop"),
        ...["shop", "spire-system", "istio-system"].map((ns) => rootCm(ns, root.pem)),
        secret(
          "istio-system",
          "istio-ca-secret",
          { "ca-cert.pem": root.pem, "ca-key.pem": root.keyPem, "root-cert.pem": root.pem },
          "istio.io/ca-root",
        ),
      ],
      [],
    );
    expect(layerOf(certOf(s, root.pem))).toBe("root");
  });

  it("a SPIRE CA seen only in proxies' SPIFFE validators is SPIRE's, not cert-manager's", async () => {
    const ca = await makeCustomCa("C=US,O=SPIRE", at(-100 * D), at(265 * D), null, "cluster.local");
    const svid = await makeCustomLeaf("C=US,O=SPIRE", at(-10 * 60_000), at(50 * 60_000), ca, {
      spiffeId: spiffe("shop", "web"),
    });
    const validator = {
      name: "ROOTCA",
      version_info: "2026-11-27T11:00:00Z/1",
      secret: {
        name: "ROOTCA",
        validation_context: {
          custom_validator_config: {
            name: "envoy.tls.cert_validator.spiffe",
            typed_config: {
              "@type":
                "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig",
              trust_domains: [{ name: "cluster.local", trust_bundle: { inline_bytes: b64(ca.pem) } }],
            },
          },
        },
      },
    };
    const body = envoyDump([{ name: "default", chain: svid.pem }]) as {
      configs: { dynamic_active_secrets: object[] }[];
    };
    body.configs[0]!.dynamic_active_secrets.push(validator);
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [{ file: "dumps/web-1.shop.json", text: JSON.stringify(body) }],
    );
    const c = certOf(s, ca.pem);
    expect(c.renewalTime).not.toBeNull();
    expect(layerOf(c)).toBe("spire");
    expect(layerOf(certOf(s, svid.pem))).toBe("workload");
  });

  it("near miss: a cert-manager Certificate's Secret is cert-manager's; spire-bundle is SPIRE's", async () => {
    const root = await makeCustomCa("CN=Web Root", at(-100 * D), at(3000 * D), null);
    const site = await makeCustomLeaf("CN=api.example.com", at(-60 * D), at(30 * D), root, {
      dns: ["api.example.com"],
    });
    const spireRoot = await makeCustomCa("C=US,O=SPIRE", at(-100 * D), at(3000 * D), null, "example.org");
    const s = analyzeAll(
      [
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: "api", namespace: "web" },
          spec: { secretName: "api", issuerRef: { name: "le", kind: "ClusterIssuer" } },
          status: { renewalTime: at(10 * D).toISOString() },
        },
        {
          ...secret("web", "api", { "tls.crt": site.pem, "ca.crt": root.pem }, "kubernetes.io/tls"),
          metadata: {
            name: "api",
            namespace: "web",
            annotations: { "cert-manager.io/certificate-name": "api" },
          },
        },
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "spire-bundle", namespace: "spire" },
          data: { "bundle.crt": spireRoot.pem },
        },
      ],
      [],
    );
    expect(layerOf(certOf(s, site.pem))).toBe("cert-manager");
    expect(layerOf(certOf(s, root.pem))).toBe("root");
    expect(layerOf(certOf(s, spireRoot.pem))).toBe("spire");
  });
});

// ---------------------------------------------------------------------------------------------
// 7. cert.expiring and istio-agent's rotation jitter

describe("cert.expiring waits for istio-agent's latest legitimate rotation point", () => {
  // SECRET_TTL=240h: istiod back-dates notBefore 2 minutes; the agent rotates at
  // expiry − (0.5 ± 0.01)·(lifetime since it received it), so a healthy proxy may still hold the
  // certificate a little past half its life.
  async function tenDays() {
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const leaf = await makeCustomLeaf("", at(-2 * 60_000), at(240 * H), root, {
      spiffeId: spiffe("shop", "web"),
    });
    return {
      root,
      leaf,
      through: (f: number) => new Date(PKI_NOW.getTime() - 2 * 60_000 + f * (240 * H + 2 * 60_000)),
    };
  }
  const snap = (p: Awaited<ReturnType<typeof tenDays>>, now: Date) =>
    analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web"), rootCm("shop", p.root.pem)],
      [sidecar("shop", "web-1", p.leaf.pem, p.root.pem)],
      now,
    );

  it.each([0.505, 0.51, 0.59])(
    "%s of its life: no finding, and the dashboard calls it healthy",
    async (f) => {
      const p = await tenDays();
      const s = snap(p, p.through(f));
      expect(codesFor(s, p.leaf.pem)).toEqual(["cert.lifetime-too-long"]);
      expect(urgencyOf(certOf(s, p.leaf.pem), p.through(f).getTime(), expiringVerdicts(s.findings))).toBe(
        "ok",
      );
    },
  );

  it("near miss: past 60 % it is overdue, and the day thresholds apply again", async () => {
    const p = await tenDays();
    const s = snap(p, p.through(0.61));
    expect(codesFor(s, p.leaf.pem)).toEqual([
      "cert.expiring",
      "cert.lifetime-too-long",
      "cert.rotation-overdue",
    ]);
    expect(certFindings(s).find((f) => f.code === "cert.expiring")!.severity).toBe("warning");
  });

  it("near miss: a 10-day leaf no agent rotates warns from 14 days left", async () => {
    const p = await tenDays();
    const s = analyzeAll(
      [secret("shop", "api", { "tls.crt": p.leaf.pem, "ca.crt": p.root.pem }, "kubernetes.io/tls")],
      [],
      p.through(0.505),
    );
    expect(codesFor(s, p.leaf.pem)).toEqual(["cert.expiring"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Secret hygiene at read time: only the certificates the analysis reads are kept

describe("the loader keeps a Secret's certificate keys alone", () => {
  const yaml = (
    name: string,
    type: string,
    data: Record<string, string>,
    stringData: Record<string, string> = {},
  ) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      type,
      metadata: { name, namespace: "shop" },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
      stringData,
    });
  const kept = (text: string) => {
    const o = parseManifestText(text, "s.json").objects[0]!.object as {
      data?: Record<string, string>;
      stringData?: Record<string, string>;
    };
    return {
      data: Object.keys(o.data ?? {}).sort(),
      stringData: Object.keys(o.stringData ?? {}).sort(),
      text: JSON.stringify(o),
    };
  };

  it.each([
    [
      "a registry credential",
      "regcred",
      "kubernetes.io/dockerconfigjson",
      {
        ".dockerconfigjson":
          '{"auths":{"reg.example":{"username":"bob","password":"hunter2","auth":"Ym9iOmh1bnRlcjI="}}}',
      },
    ],
    [
      "basic auth and a cloud credential",
      "basic",
      "kubernetes.io/basic-auth",
      {
        username: "bob",
        auth: "bob:$apr1$xyz",
        credentials: "[default]\naws_secret_access_key=AKIAxxxx",
        "client-secret": "s3cr3t",
      },
    ],
    [
      "an Opaque Secret holding a certificate under an unread name",
      "app-certs",
      "Opaque",
      { "client.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
    ],
  ] as [string, string, string, Record<string, string>][])(
    "%s: nothing is kept",
    (_what, name, type, data) => {
      const k = kept(yaml(name, type, data, { extra: "hunter2" }));
      expect([k.data, k.stringData]).toEqual([[], []]);
      for (const v of Object.values(data)) expect(k.text).not.toContain(b64(v));
      expect(k.text).not.toContain("hunter2");
    },
  );

  it("a TLS Secret keeps tls.crt and ca.crt; cacerts its CA certificates; nothing else", async () => {
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const tls = kept(
      yaml("web-tls", "kubernetes.io/tls", {
        "tls.crt": root.pem,
        "tls.key": root.keyPem,
        "ca.crt": root.pem,
        "root-cert.pem": root.pem,
        password: "hunter2",
      }),
    );
    expect(tls.data).toEqual(["ca.crt", "tls.crt"]);
    const cacerts = kept(
      yaml("cacerts", "Opaque", {
        "ca-cert.pem": root.pem,
        "ca-key.pem": root.keyPem,
        "cert-chain.pem": root.pem,
        "root-cert.pem": root.pem,
        "istio-generated": "",
      }),
    );
    expect(cacerts.data).toEqual(["ca-cert.pem", "cert-chain.pem", "root-cert.pem"]);
    // Near miss: a private key under a certificate key's name is still dropped.
    const sneaky = kept(yaml("sneaky", "kubernetes.io/tls", {}, { "tls.crt": root.pem + root.keyPem }));
    expect(sneaky.stringData).toEqual([]);
  });

  it("the analysis still reads every certificate it did before", async () => {
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const s = analyzeAll(
      [
        secret("istio-system", "cacerts", {
          "ca-cert.pem": root.pem,
          "ca-key.pem": root.keyPem,
          "cert-chain.pem": root.pem,
          "root-cert.pem": root.pem,
          "istio-generated": "",
        }),
      ],
      [],
    );
    expect(
      certOf(s, root.pem)
        .sources.map((x) => x.key)
        .sort(),
    ).toEqual(["ca-cert.pem", "cert-chain.pem", "root-cert.pem"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 10. The snapshot's `now` is the clock every decision used

describe("a clock with milliseconds", () => {
  it("decides with the whole-second instant the snapshot prints as `now`", async () => {
    const printed = new Date("2026-11-27T12:00:00Z");
    const root = await makeCustomCa(
      "O=cluster.local",
      at(-400 * D),
      new Date(printed.getTime() + 60 * D),
      null,
    );
    const s = analyzeAll([rootCm("shop", root.pem)], [], new Date(printed.getTime() + 500));
    expect([s.now, s.generatedAt]).toEqual(["2026-11-27T12:00:00Z", "2026-11-27T12:00:00Z"]);
    // Exactly 60 days left by `now`: not under the CA's 60-day warning.
    expect(codesFor(s, root.pem)).toEqual([]);
    // Near miss: one second less and it is.
    const closer = await makeCustomCa(
      "O=cluster.local",
      at(-400 * D),
      new Date(printed.getTime() + 60 * D - 1000),
      null,
    );
    expect(
      codesFor(analyzeAll([rootCm("shop", closer.pem)], [], new Date(printed.getTime() + 500)), closer.pem),
    ).toEqual(["cert.expiring"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 11. Envoy's /certs admin output

describe("Envoy's /certs admin output", () => {
  const detail = (uri: string | null, from: string, to: string) => ({
    path: "<inline>",
    serial_number: "2",
    subject_alt_names: uri ? [{ uri }] : [],
    days_until_expiration: "0",
    valid_from: from,
    expiration_time: to,
  });
  const certs = {
    certificates: [
      {
        ca_cert: [detail(null, "2025-01-01T00:00:00Z", "2034-08-18T00:00:00Z")],
        cert_chain: [detail(spiffe("shop", "web"), "2026-11-26T12:00:00Z", "2026-11-27T11:00:00Z")],
      },
    ],
  };

  it("is named for what it is, with the endpoint to use instead", () => {
    const r = parseManifestText(JSON.stringify(certs, null, 1), "dumps/web-1.shop.json");
    expect([r.objects, r.configDumps]).toEqual([[], []]);
    expect(r.problems).toEqual([
      { file: "dumps/web-1.shop.json", line: 1, message: expect.stringContaining("Envoy /certs output") },
    ]);
    expect(r.problems[0]!.message).toContain("/config_dump?mask=dynamic_active_secrets");
    const s = analyzeAll([], [{ file: "dumps/web-1.shop.json", text: JSON.stringify(certs) }]);
    expect(s.findings.filter((f) => f.code === "input.invalid").map((f) => f.message)).toEqual([
      expect.stringContaining("Envoy /certs output is not supported"),
    ]);
  });

  it("near miss: an object without kind of no known shape is still 'object has no kind'; a ztunnel dump is still a dump", async () => {
    expect(
      parseManifestText(JSON.stringify({ certificates: [{ name: "x" }] }), "x.json").problems.map(
        (p) => p.message,
      ),
    ).toEqual(["object has no kind"]);
    const root = await makeCustomCa("O=cluster.local", at(-400 * D), at(3000 * D), null);
    const z = parseManifestText(
      JSON.stringify(ztunnelDump([{ identity: spiffe("shop", "web"), rootPem: root.pem }])),
      "ztunnel-abc.istio-system.json",
    );
    expect([z.configDumps.length, z.problems]).toEqual([1, []]);
  });
});
