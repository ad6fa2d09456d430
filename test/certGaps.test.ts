// Certificate gaps after the third review (reviews/certs3.md #2, #3; pathLenConstraint; the Linkerd
// issuer's namespace; docs/DECISIONS.md "Certificate gaps: anchors without basicConstraints, pathLen,
// control-plane namespaces"). Every case is a real PKI built here (test/pki.ts) going through the real
// loader and analysis, with its near miss.
import { describe, expect, it } from "vitest";
import {
  hasOpenssl,
  makeBareRoot,
  makeCustomCa,
  makeCustomIntermediate,
  makeCustomLeaf,
  makeHelmSelfSignedCert,
} from "./pki";
import {
  analyzeAll,
  at,
  certFindings,
  certOf,
  codesFor,
  D,
  H,
  namespace,
  opensslVerify,
  pod,
  rootCm,
  secret,
  sidecar,
  spiffe,
} from "./support/certScenario";

const sourcesOf = (s: ReturnType<typeof analyzeAll>, pem: string) =>
  certOf(s, pem).sources.map((x) => `${x.kind}:${x.namespace ?? ""}/${x.name ?? ""}`);

// ---------------------------------------------------------------------------------------------
// 1. A mesh root without basicConstraints is a trust anchor, not a self-signed leaf

describe("a mesh root without basicConstraints (reviews/certs3.md #3)", () => {
  async function barePki() {
    const root = await makeBareRoot("CN=Old Root,O=Acme", at(-400 * D), at(3000 * D));
    const cluster = await makeCustomCa("CN=Cluster CA,O=Acme", at(-200 * D), at(700 * D), root);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), cluster, {
      spiffeId: spiffe("shop", "web"),
    });
    return { root, cluster, leaf };
  }

  it("in cacerts root-cert.pem, ROOTCA, istio-ca-root-cert and the proxy chain: role root, verified, no finding", async () => {
    const p = await barePki();
    const s = analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        rootCm("shop", p.root.pem),
        secret("istio-system", "cacerts", {
          "ca-cert.pem": p.cluster.pem,
          "cert-chain.pem": p.cluster.pem + p.root.pem,
          "root-cert.pem": p.root.pem,
        }),
      ],
      [sidecar("shop", "web-1", p.leaf.pem + p.cluster.pem + p.root.pem, p.root.pem)],
    );
    expect(certFindings(s)).toEqual([]);
    expect(certOf(s, p.root.pem)).toMatchObject({ role: "root", isCA: false, chain: { verified: true } });
    expect(certOf(s, p.leaf.pem).chain).toEqual({ verified: true });
  });

  it("istio-ca-secret's ca-cert.pem signing leaves directly: role root, no finding", async () => {
    const p = await barePki();
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), p.root, {
      spiffeId: spiffe("shop", "web"),
    });
    const s = analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        secret(
          "istio-system",
          "istio-ca-secret",
          { "ca-cert.pem": p.root.pem, "root-cert.pem": p.root.pem },
          "istio.io/ca-root",
        ),
      ],
      [sidecar("shop", "web-1", leaf.pem + p.root.pem, p.root.pem)],
    );
    expect(certFindings(s)).toEqual([]);
    expect(certOf(s, p.root.pem).role).toBe("root");
    expect(certOf(s, leaf.pem).chain).toEqual({ verified: true });
  });

  it("near miss: the same certificate presented as a proxy's own certificate is still cert.self-signed-leaf", async () => {
    const p = await barePki();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [sidecar("shop", "web-1", p.root.pem, p.root.pem)],
    );
    expect(codesFor(s, p.root.pem)).toEqual(["cert.self-signed-leaf"]);
  });

  it("near miss: a self-signed non-CA leaf (basicConstraints cA false) as a proxy's certificate still fires", async () => {
    const self = await makeHelmSelfSignedCert("web.shop.svc", at(-D), at(300 * D));
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [sidecar("shop", "web-1", self.pem, self.pem)],
    );
    expect(codesFor(s, self.pem)).toContain("cert.self-signed-leaf");
  });

  it("near miss: a presented CA without basicConstraints that is no anchor may not sign (cert.chain-invalid)", async () => {
    const p = await barePki();
    const other = await makeCustomCa("CN=Other Root,O=Acme", at(-400 * D), at(3000 * D), null);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), p.root, {
      spiffeId: spiffe("shop", "web"),
    });
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [sidecar("shop", "web-1", leaf.pem + p.root.pem, other.pem)],
    );
    expect(codesFor(s, leaf.pem)).toEqual(["cert.chain-invalid"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. pathLenConstraint

describe("pathLenConstraint on presented CAs (BoringSSL's check_chain_extensions)", () => {
  async function chain(o: {
    rootPathLen?: number;
    i1PathLen: number | undefined;
    i2PathLen: number | undefined;
  }) {
    const root = await makeCustomCa(
      "CN=Root,O=Acme",
      at(-400 * D),
      at(3000 * D),
      null,
      undefined,
      o.rootPathLen !== undefined ? { pathLen: o.rootPathLen } : {},
    );
    const i1 = await makeCustomIntermediate(
      "CN=Org CA,O=Acme",
      at(-300 * D),
      at(2000 * D),
      root,
      o.i1PathLen,
    );
    const i2 = await makeCustomIntermediate(
      "CN=Cluster CA,O=Acme",
      at(-200 * D),
      at(700 * D),
      i1,
      o.i2PathLen,
    );
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), i2, { spiffeId: spiffe("shop", "web") });
    return { root, i1, i2, leaf };
  }
  const run = (p: Awaited<ReturnType<typeof chain>>) =>
    analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [sidecar("shop", "web-1", p.leaf.pem + p.i2.pem + p.i1.pem, p.root.pem)],
    );

  it("an intermediate with pathLen 0 above another intermediate: the leaf's chain is cert.chain-invalid, naming it", async () => {
    const p = await chain({ i1PathLen: 0, i2PathLen: 0 });
    const s = run(p);
    expect(codesFor(s, p.leaf.pem)).toEqual(["cert.chain-invalid"]);
    expect(certOf(s, p.leaf.pem).chain.error).toContain(
      "path length limit of CN=Org CA,O=Acme exceeded: its pathLenConstraint is 0, but 1 intermediate CA certificate is below it",
    );
    // The intermediates' own chains are within the limit.
    expect(certOf(s, p.i2.pem).chain).toEqual({ verified: true });
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.i2.pem + p.i1.pem)).not.toBe("OK");
  });

  it("near miss: a root with pathLen 0 above an intermediate verifies (Envoy's BoringSSL checks pathLen on untrusted certificates only)", async () => {
    const root = await makeCustomCa("CN=Root,O=Acme", at(-400 * D), at(3000 * D), null, undefined, {
      pathLen: 0,
    });
    const i = await makeCustomCa("CN=Cluster CA,O=Acme", at(-200 * D), at(700 * D), root);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), i, { spiffeId: spiffe("shop", "web") });
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [sidecar("shop", "web-1", leaf.pem + i.pem, root.pem)],
    );
    // Go and OpenSSL 3 refuse this chain; the proxies that verify it (Envoy, ztunnel's webpki) take the
    // anchor as it is, so mTLS works and an error would be a false positive.
    expect(codesFor(s, leaf.pem)).toEqual([]);
    expect(certOf(s, leaf.pem).chain).toEqual({ verified: true });
  });

  it("near miss: pathLen exactly satisfied (Org CA pathLen 1 above one intermediate, Cluster CA pathLen 0 above the leaf)", async () => {
    const p = await chain({ i1PathLen: 1, i2PathLen: 0 });
    const s = run(p);
    expect(certFindings(s)).toEqual([]);
    for (const c of [p.leaf, p.i2, p.i1]) expect(certOf(s, c.pem).chain).toEqual({ verified: true });
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.i2.pem + p.i1.pem)).toBe("OK");
  });

  it("near miss: a root with pathLen 1 above two levels verifies (the anchor's limit is not checked)", async () => {
    const p = await chain({ rootPathLen: 1, i1PathLen: undefined, i2PathLen: 0 });
    const s = run(p);
    expect(codesFor(s, p.leaf.pem)).toEqual([]);
    expect(certOf(s, p.leaf.pem).chain).toEqual({ verified: true });
  });

  it("a self-issued intermediate does not count towards a presented CA's limit (RFC 5280 §6.1.4 (l)), a distinct one does", async () => {
    // Org CA (pathLen 0) → Cluster CA → leaf: one intermediate below Org CA, refused.
    const p = await chain({ i1PathLen: 0, i2PathLen: undefined });
    expect(codesFor(run(p), p.leaf.pem)).toEqual(["cert.chain-invalid"]);
    // Org CA (pathLen 0) → Org CA' (same name, new key: self-issued) → leaf: zero counted, verified.
    const root = await makeCustomCa("CN=Root,O=Acme", at(-400 * D), at(3000 * D), null);
    const org = await makeCustomIntermediate("CN=Org CA,O=Acme", at(-300 * D), at(2000 * D), root, 0);
    const rekey = await makeCustomIntermediate("CN=Org CA,O=Acme", at(-100 * D), at(900 * D), org, undefined);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), rekey, { spiffeId: spiffe("shop", "web") });
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [sidecar("shop", "web-1", leaf.pem + rekey.pem + org.pem, root.pem)],
    );
    expect(certOf(s, leaf.pem).chain).toEqual({ verified: true });
  });
});

// ---------------------------------------------------------------------------------------------
// 3. istiod outside istio-system without a mesh ConfigMap (reviews/certs3.md #2)

const deployment = (ns: string, name: string, labels: Record<string, string>) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns, labels },
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: { serviceAccountName: name, containers: [{ name: "discovery" }] },
    },
  },
});

describe("istiod's CA Secret in istiod's namespace, known from its Deployment or pod", () => {
  async function selfSignedCa() {
    const root = await makeCustomCa("O=cluster.local", at(-40 * D), at(3600 * D), null);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), root, { spiffeId: spiffe("shop", "web") });
    return { root, leaf };
  }
  const caSecret = (ns: string, name: string, pem: string) =>
    name === "cacerts"
      ? secret(ns, name, { "ca-cert.pem": pem, "root-cert.pem": pem })
      : secret(ns, name, { "ca-cert.pem": pem, "root-cert.pem": pem }, "istio.io/ca-root");

  for (const [what, istiod] of [
    [
      "a Deployment labelled app=istiod",
      deployment("istio-control", "istiod", { app: "istiod", istio: "pilot" }),
    ],
    ["a pod labelled istio=pilot", pod("istio-control", "istiod-abc", "istiod", { istio: "pilot" })],
  ] as const) {
    for (const name of ["istio-ca-secret", "cacerts"])
      it(`${name} in istio-control, istiod known from ${what}: read as Istio's CA`, async () => {
        const p = await selfSignedCa();
        const s = analyzeAll(
          [
            namespace("shop"),
            pod("shop", "web-1", "web"),
            istiod,
            caSecret("istio-control", name, p.root.pem),
          ],
          [sidecar("shop", "web-1", p.leaf.pem + p.root.pem, p.root.pem)],
        );
        expect(sourcesOf(s, p.root.pem)).toContain(`Secret:istio-control/${name}`);
        expect(certFindings(s)).toEqual([]);
      });
  }

  it("near miss: a Secret named cacerts in an application namespace is still an ordinary Secret", async () => {
    const p = await selfSignedCa();
    const s = analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        deployment("istio-control", "istiod", { app: "istiod" }),
        caSecret("shop", "cacerts", p.root.pem),
      ],
      [sidecar("shop", "web-1", p.leaf.pem + p.root.pem, p.root.pem)],
    );
    expect(sourcesOf(s, p.root.pem)).not.toContain("Secret:shop/cacerts");
  });

  it("near miss: an application labelled app=istiod-client is no istiod", async () => {
    const p = await selfSignedCa();
    const s = analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        deployment("shop", "istiod-client", { app: "istiod-client" }),
        caSecret("shop", "cacerts", p.root.pem),
      ],
      [sidecar("shop", "web-1", p.leaf.pem + p.root.pem, p.root.pem)],
    );
    expect(sourcesOf(s, p.root.pem)).not.toContain("Secret:shop/cacerts");
  });
});

// ---------------------------------------------------------------------------------------------
// 4. linkerd-identity-issuer only in Linkerd's control-plane namespace

describe("linkerd-identity-issuer is Linkerd's issuer only in Linkerd's control-plane namespace", () => {
  async function linkerdPki() {
    const anchor = await makeCustomCa("CN=root.linkerd.cluster.local", at(-40 * D), at(3600 * D), null);
    const issuer = await makeCustomCa("CN=identity.linkerd.cluster.local", at(-10 * D), at(355 * D), anchor);
    return { anchor, issuer };
  }
  const issuerSecret = (ns: string, p: Awaited<ReturnType<typeof linkerdPki>>) =>
    secret(
      ns,
      "linkerd-identity-issuer",
      { "tls.crt": p.issuer.pem, "ca.crt": p.anchor.pem },
      "kubernetes.io/tls",
    );
  const linkerdConfig = (ns: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "linkerd-config", namespace: ns },
    data: { values: "identityTrustDomain: cluster.local\n" },
  });

  it("in namespace linkerd (the default): role issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([issuerSecret("linkerd", p)], []);
    expect(certOf(s, p.issuer.pem).role).toBe("issuer");
  });

  it("in the namespace linkerd-config is in: role issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([linkerdConfig("l5d"), issuerSecret("l5d", p)], []);
    expect(certOf(s, p.issuer.pem).role).toBe("issuer");
  });

  it("near miss: in another namespace it is an ordinary TLS Secret, not the Linkerd issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([issuerSecret("shop", p)], []);
    expect(certOf(s, p.issuer.pem).role).not.toBe("issuer");
    expect(s.certificates.every((c) => c.role !== "issuer")).toBe(true);
  });

  it("near miss: with linkerd-config in l5d, a linkerd-identity-issuer in linkerd is not the issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([linkerdConfig("l5d"), issuerSecret("linkerd", p)], []);
    expect(certOf(s, p.issuer.pem).role).not.toBe("issuer");
  });
});

// ---------------------------------------------------------------------------------------------
// 5. A root rotation done right, judged by the verified relation rather than subject == issuer

describe("supersededRoots follows signatures, not names", () => {
  /** R1 (old root, expiring in 10 days), R2 (new root), I: the signing CA under `signer`, named `iName`. */
  async function rotation(signer: "r1" | "r2", iName: string) {
    const r1 = await makeCustomCa("CN=Root R1,O=Acme", at(-3000 * D), at(10 * D), null);
    const r2 = await makeCustomCa("CN=Acme Root,O=Acme", at(-60 * D), at(3600 * D), null);
    const inter = await makeCustomCa(iName, at(-50 * D), at(1000 * D), signer === "r1" ? r1 : r2);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), inter, { spiffeId: spiffe("shop", "web") });
    return { r1, r2, inter, leaf };
  }
  const run = (p: Awaited<ReturnType<typeof rotation>>) =>
    analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        rootCm("shop", p.r1.pem + p.r2.pem),
        secret("istio-system", "cacerts", {
          "ca-cert.pem": p.inter.pem,
          "cert-chain.pem": p.inter.pem,
          "root-cert.pem": p.r1.pem + p.r2.pem,
        }),
      ],
      [sidecar("shop", "web-1", p.leaf.pem + p.inter.pem, p.r1.pem + p.r2.pem)],
    );

  it("the signing CA named like the new root it is signed by (self-issued, not self-signed): the old root is superseded, no cert.expiring", async () => {
    const p = await rotation("r2", "CN=Acme Root,O=Acme");
    const s = run(p);
    expect(certOf(s, p.inter.pem)).toMatchObject({ role: "intermediate", chain: { verified: true } });
    expect(codesFor(s, p.r1.pem)).toEqual([]);
  });

  it("near miss: the same rotation with the signing CA named otherwise is superseded too", async () => {
    const p = await rotation("r2", "CN=Cluster CA,O=Acme");
    expect(codesFor(run(p), p.r1.pem)).toEqual([]);
  });

  it("near miss: the signing CA still under the old root: the old root is in use, cert.expiring", async () => {
    const p = await rotation("r1", "CN=Root R1,O=Acme");
    expect(codesFor(run(p), p.r1.pem)).toEqual(["cert.expiring"]);
  });
});

describe("a SPIRE CA's successor is found by signature, not by subject == issuer", () => {
  // Nested SPIRE: the upstream server's roots and this server's CA share SPIRE's default subject
  // C=US,O=SPIFFE, so this server's CA is self-issued though its upstream signed it.
  const td = "example.org";
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
  async function nested() {
    const u1 = await makeCustomCa("C=US,O=SPIFFE", at(-300 * D), at(3000 * D), null, td);
    const u2 = await makeCustomCa("C=US,O=SPIFFE", at(-2 * D), at(3500 * D), null, td);
    // Past its activation point (18 h left of 168 h).
    const spireCa = await makeCustomCa("C=US,O=SPIFFE", at(-150 * H), at(18 * H), u1, td);
    const wl = await makeCustomLeaf("", at(-1 * H), at(3 * H), spireCa, {
      spiffeId: spiffe("shop", "web", td),
    });
    return { u1, u2, spireCa, wl };
  }
  const run = (p: Awaited<ReturnType<typeof nested>>) =>
    analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web"), bundle(p.u1.pem + p.u2.pem), serverConf],
      [sidecar("shop", "web-1", p.wl.pem + p.spireCa.pem, p.u1.pem + p.u2.pem)],
    );

  it("a newer upstream root is no successor of the CA it did not sign: cert.expiring", async () => {
    const p = await nested();
    expect(codesFor(run(p), p.spireCa.pem)).toContain("cert.expiring");
  });

  it("near miss: the CA SPIRE prepared after it, signed by the same upstream, is its successor: no cert.expiring", async () => {
    const p = await nested();
    const next = await makeCustomCa("C=US,O=SPIFFE", at(-66 * H), at(102 * H), p.u1, td);
    // SPIRE publishes the prepared CA: a proxy's chain under it shows it (its own SVID chain).
    const wl2 = await makeCustomLeaf("", at(-1 * H), at(3 * H), next, {
      spiffeId: spiffe("shop", "api", td),
    });
    const s = analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        pod("shop", "api-1", "api"),
        bundle(p.u1.pem + p.u2.pem),
        serverConf,
      ],
      [
        sidecar("shop", "web-1", p.wl.pem + p.spireCa.pem, p.u1.pem + p.u2.pem),
        sidecar("shop", "api-1", wl2.pem + next.pem, p.u1.pem + p.u2.pem),
      ],
    );
    expect(codesFor(s, p.spireCa.pem)).not.toContain("cert.expiring");
  });
});
