// Fixes from the second review of the certificate chain verification (reviews/certs2.md, docs/DECISIONS.md
// "Istio certificate review fixes"). Every PKI is real (test/pki.ts, made here with dates relative to
// PKI_NOW) and goes through the real loader and analysis; where openssl is present, `openssl verify
// -attime` gives an independent verdict. Each fix has its near miss.
import { describe, expect, it } from "vitest";
import { analyzeCertificates, MAX_SIGNATURE_CHECKS } from "../lib/core/certs/analyzeCerts";
import { parseManifestText } from "../lib/core/load/parseManifests";
import type { CertInput } from "../lib/core/certs/types";
import { pemCertificates } from "../lib/core/certs/x509";
import {
  crossSign,
  hasOpenssl,
  makeCustomCa,
  makeCustomIntermediate,
  makeCustomLeaf,
  PKI_NOW,
  type CustomCert,
} from "./pki";
import {
  analyzeAll,
  at,
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

const cacerts = (ns: string, caCert: string, certChain: string, root: string) =>
  secret(ns, "cacerts", { "ca-cert.pem": caCert, "cert-chain.pem": certChain, "root-cert.pem": root });

// ---------------------------------------------------------------------------------------------
// 1. The path search is bounded

describe("a CA Secret whose cert-chain.pem holds CAs named alike that sign each other (key-rollover links)", () => {
  /** n keys named "CN=Mesh CA", each certified by each other key (n·(n−1) links), and Team CA under key 0. */
  async function crossPool(n: number) {
    const root = await makeCustomCa("CN=Root,O=Acme", at(-400 * D), at(3000 * D), null);
    const keys = await Promise.all(
      Array.from({ length: n }, () => makeCustomCa("CN=Mesh CA", at(-10 * D), at(100 * D), null)),
    );
    const links: CustomCert[] = [];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (i !== j) links.push(await crossSign(keys[i]!, keys[j]!, at(-10 * D), at(100 * D)));
    const team = await makeCustomIntermediate("CN=Team CA,O=Acme", at(-10 * D), at(100 * D), keys[0]!, 0);
    return { root, keys, links, team };
  }
  const pems = (cs: CustomCert[]) => cs.map((c) => c.pem).join("");

  it(`21 certificates (5 keys) and no path to the root: the search gives up after ${MAX_SIGNATURE_CHECKS} signature checks, not verified`, async () => {
    const p = await crossPool(5);
    const s = analyzeAll([cacerts("istio-system", p.team.pem, p.team.pem + pems(p.links), p.root.pem)], []);
    expect(certOf(s, p.team.pem).chain.verified).toBe(false);
    expect(certOf(s, p.team.pem).chain.error).toMatch(
      /^too many candidate issuers: no path to a trust anchor within 100 signature checks/,
    );
    expect(codesFor(s, p.team.pem)).toEqual(["cert.chain-invalid"]);
    if (await hasOpenssl()) expect(await opensslVerify(p.team.pem, p.root.pem, pems(p.links))).not.toBe("OK");
  });

  it("near miss: the same pool with key 0 certified by the root first: the path is found within the budget", async () => {
    const p = await crossPool(5);
    const bridge = await crossSign(p.keys[0]!, p.root, at(-10 * D), at(100 * D));
    const s = analyzeAll(
      [cacerts("istio-system", p.team.pem, p.team.pem + bridge.pem + pems(p.links), p.root.pem)],
      [],
    );
    expect(certOf(s, p.team.pem).chain).toEqual({ verified: true });
    expect(codesFor(s, p.team.pem)).toEqual([]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.team.pem, p.root.pem, bridge.pem + pems(p.links))).toBe("OK");
  });

  it("near miss: a small pool (3 keys) fails with the ordinary reason, not the budget's", async () => {
    const p = await crossPool(3);
    const s = analyzeAll([cacerts("istio-system", p.team.pem, p.team.pem + pems(p.links), p.root.pem)], []);
    expect(certOf(s, p.team.pem).chain.error).toBe(
      "issuer CN=Mesh CA of CN=Mesh CA is not in the trust bundle in use (missing intermediate?)",
    );
  });
});

describe("a trust bundle keeping 120 roots of one name (rotated roots, as a SPIRE bundle keeps them)", () => {
  async function manyRoots(n: number) {
    const roots = await Promise.all(
      Array.from({ length: n }, () => makeCustomCa("CN=Root,O=Acme", at(-10 * D), at(3000 * D), null)),
    );
    const outsider = await makeCustomCa("CN=Root,O=Acme", at(-10 * D), at(3000 * D), null);
    return { roots, outsider, bundle: roots.map((r) => r.pem).join("") };
  }

  it("an intermediate signed by the last of them verifies: anchor checks are not the budget's (openssl agrees)", async () => {
    const { roots, bundle } = await manyRoots(120);
    const inter = await makeCustomIntermediate("CN=Mesh CA,O=Acme", at(-10 * D), at(100 * D), roots[119]!, 0);
    const s = analyzeAll([cacerts("istio-system", inter.pem, inter.pem, bundle)], []);
    expect(certOf(s, inter.pem).chain).toEqual({ verified: true });
    expect(codesFor(s, inter.pem)).toEqual([]);
    if (await hasOpenssl()) expect(await opensslVerify(inter.pem, bundle, "")).toBe("OK");
  });

  it("near miss: signed by a root of the same name outside the bundle, it fails with the ordinary reason", async () => {
    const { outsider, bundle } = await manyRoots(120);
    const inter = await makeCustomIntermediate("CN=Mesh CA,O=Acme", at(-10 * D), at(100 * D), outsider, 0);
    const s = analyzeAll([cacerts("istio-system", inter.pem, inter.pem, bundle)], []);
    expect(certOf(s, inter.pem).chain.verified).toBe(false);
    expect(certOf(s, inter.pem).chain.error).not.toMatch(/too many candidate issuers/);
    expect(codesFor(s, inter.pem)).toEqual(["cert.chain-invalid"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Only an anchor valid now ends a path

describe("a root renewed with the same key (R'), presented in the chain, beside an expired trust anchor R", () => {
  async function renewal() {
    const r = await makeCustomCa("CN=Root CA,O=Acme", at(-400 * D), at(-1 * D), null);
    const renewed = await crossSign(r, r, at(-2 * D), at(3000 * D));
    const cluster = await makeCustomIntermediate("CN=Cluster CA,O=Acme", at(-300 * D), at(700 * D), r, 0);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), cluster, {
      spiffeId: spiffe("shop", "web"),
    });
    return { r, renewed, cluster, leaf };
  }
  const objects = [namespace("shop"), pod("shop", "z-1", "web"), pod("shop", "a-1", "web")];

  it("a proxy still trusting only R does not verify [leaf, C, R']: cert.chain-invalid, trust anchor expired (as openssl)", async () => {
    const p = await renewal();
    const s = analyzeAll(objects, [
      sidecar("shop", "z-1", p.leaf.pem + p.cluster.pem + p.renewed.pem, p.r.pem),
    ]);
    expect(codesFor(s, p.leaf.pem)).toEqual(["cert.chain-invalid"]);
    expect(certOf(s, p.leaf.pem).chain.error).toBe(
      `trust anchor CN=Root CA,O=Acme expired ${at(-1 * D).toISOString()}`,
    );
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.r.pem, p.cluster.pem + p.renewed.pem)).not.toBe("OK");
  });

  it("a cacerts whose root-cert.pem has expired is refused, whatever cert-chain.pem carries (istiod's Go Verify)", async () => {
    const p = await renewal();
    const s = analyzeAll(
      [cacerts("istio-system", p.cluster.pem, p.cluster.pem + p.renewed.pem, p.r.pem)],
      [],
    );
    expect(codesFor(s, p.cluster.pem)).toEqual(["cert.chain-invalid"]);
    expect(certOf(s, p.cluster.pem).chain.error).toContain("trust anchor CN=Root CA,O=Acme expired");
  });

  it("near miss: a proxy trusting R' verifies the same chain (openssl agrees)", async () => {
    const p = await renewal();
    const s = analyzeAll(objects, [
      sidecar("shop", "a-1", p.leaf.pem + p.cluster.pem + p.renewed.pem, p.renewed.pem),
    ]);
    expect(certOf(s, p.leaf.pem).chain).toEqual({ verified: true });
    expect(codesFor(s, p.leaf.pem)).toEqual([]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.renewed.pem, p.cluster.pem + p.renewed.pem)).toBe("OK");
  });

  // -------------------------------------------------------------------------------------------
  // 4. Two anchors for one certificate: the recorded issuer does not depend on input order

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
  const issuerOf = (inputs: CertInput[], pem: string) =>
    analyzeCertificates({
      now: PKI_NOW,
      inputs,
      certManager: { certificates: [], issuers: [] },
      spire: [],
    }).entries.find((e) => e.cert.fingerprint === idOf(pem))!.issuer?.fingerprint;

  it("one proxy on R', one on R: C's issuer is R' in both input orders, and no cert.outlives-issuer", async () => {
    const p = await renewal();
    const fresh = proxy("a-1", p.leaf.pem + p.cluster.pem, p.renewed.pem);
    const stale = proxy("z-1", p.leaf.pem + p.cluster.pem, p.r.pem);
    expect(issuerOf([...stale, ...fresh], p.cluster.pem)).toBe(idOf(p.renewed.pem));
    expect(issuerOf([...fresh, ...stale], p.cluster.pem)).toBe(idOf(p.renewed.pem));
    for (const dumps of [
      [
        sidecar("shop", "a-1", p.leaf.pem + p.cluster.pem, p.renewed.pem),
        sidecar("shop", "z-1", p.leaf.pem + p.cluster.pem, p.r.pem),
      ],
      [
        sidecar("shop", "z-1", p.leaf.pem + p.cluster.pem, p.r.pem),
        sidecar("shop", "a-1", p.leaf.pem + p.cluster.pem, p.renewed.pem),
      ],
    ])
      expect(codesFor(analyzeAll(objects, dumps), p.cluster.pem)).not.toContain("cert.outlives-issuer");
  });

  it("near miss: two valid anchors of one key: the later notAfter wins, in both orders", async () => {
    const p = await renewal();
    const shorter = await crossSign(p.r, p.r, at(-2 * D), at(1000 * D));
    const a = proxy("a-1", p.leaf.pem + p.cluster.pem, p.renewed.pem);
    const b = proxy("b-1", p.leaf.pem + p.cluster.pem, shorter.pem);
    expect(issuerOf([...a, ...b], p.cluster.pem)).toBe(idOf(p.renewed.pem));
    expect(issuerOf([...b, ...a], p.cluster.pem)).toBe(idOf(p.renewed.pem));
  });

  it("near miss: with only the stale proxy, C's issuer is the expired R (cert.outlives-issuer holds there)", async () => {
    const p = await renewal();
    expect(issuerOf(proxy("z-1", p.leaf.pem + p.cluster.pem, p.r.pem), p.cluster.pem)).toBe(idOf(p.r.pem));
  });
});

// ---------------------------------------------------------------------------------------------
// 3. The presented chain is an unordered pool of intermediates

describe("a chain presented in another order (root first, intermediates shuffled)", () => {
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
    const leaf = await makeCustomLeaf("", at(-6 * H), at(18 * H), cluster, {
      spiffeId: spiffe("shop", "web"),
    });
    return { root, org, cluster, leaf };
  }
  const objects = [namespace("shop"), pod("shop", "web-1", "web")];

  it("a proxy's [leaf, Root, Cluster, Org] verifies, as Envoy (BoringSSL) and openssl verify it", async () => {
    const p = await orgPki();
    const s = analyzeAll(objects, [
      sidecar("shop", "web-1", p.leaf.pem + p.root.pem + p.cluster.pem + p.org.pem, p.root.pem),
    ]);
    expect(certFindings(s)).toEqual([]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.root.pem + p.cluster.pem + p.org.pem)).toBe("OK");
  });

  it("istiod's workload chains from a cert-chain.pem of Cluster, Root, Org: no finding on the Secret nor the workload", async () => {
    const p = await orgPki();
    const chain = p.cluster.pem + p.root.pem + p.org.pem;
    const s = analyzeAll(
      [...objects, rootCm("shop", p.root.pem), cacerts("istio-system", p.cluster.pem, chain, p.root.pem)],
      [sidecar("shop", "web-1", p.leaf.pem + chain, p.root.pem)],
    );
    expect(certFindings(s)).toEqual([]);
    expect(s.certificates.every((c) => c.chain.verified)).toBe(true);
  });

  it("a kubernetes.io/tls Secret whose tls.crt is leaf, Org, Cluster verifies against its ca.crt", async () => {
    const p = await orgPki();
    const s = analyzeAll(
      [
        secret(
          "shop",
          "web-tls",
          { "tls.crt": p.leaf.pem + p.org.pem + p.cluster.pem, "ca.crt": p.root.pem },
          "kubernetes.io/tls",
        ),
      ],
      [],
    );
    expect(certOf(s, p.leaf.pem).chain).toEqual({ verified: true });
    expect(certOf(s, p.cluster.pem).chain).toEqual({ verified: true });
  });

  it("near miss: a shuffled chain missing Org still does not verify (openssl agrees)", async () => {
    const p = await orgPki();
    const s = analyzeAll(objects, [
      sidecar("shop", "web-1", p.leaf.pem + p.root.pem + p.cluster.pem, p.root.pem),
    ]);
    expect(codesFor(s, p.leaf.pem)).toEqual(["cert.chain-invalid"]);
    expect(codesFor(s, p.cluster.pem)).toEqual(["cert.chain-invalid"]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.root.pem + p.cluster.pem)).not.toBe("OK");
  });
});

// ---------------------------------------------------------------------------------------------
// 5. A gateway's file-served public certificate is not the proxy's mesh identity

describe("a proxy with no default/ROOTCA secret and a file-cert: (a Gateway serverCertificate file)", () => {
  async function gatewayPki() {
    const meshRoot = await makeCustomCa("CN=Mesh Root,O=Acme", at(-100 * D), at(3000 * D), null);
    const webCa = await makeCustomCa("CN=Web CA,O=Public", at(-100 * D), at(3000 * D), null);
    const web = await makeCustomLeaf("CN=shop.example.com", at(-10 * D), at(80 * D), webCa, {
      dns: ["shop.example.com"],
    });
    const mounted = await makeCustomLeaf("", at(-2 * H), at(22 * H), meshRoot, {
      spiffeId: spiffe("istio-system", "istio-ingressgateway"),
    });
    return { meshRoot, webCa, web, mounted };
  }
  const objects = (p: { meshRoot: CustomCert }) => [
    namespace("istio-system", {}),
    rootCm("istio-system", p.meshRoot.pem),
    pod("istio-system", "ingress-1", "istio-ingressgateway", {
      app: "istio-ingressgateway",
      istio: "ingressgateway",
    }),
  ];
  const filesOnly = (name: string, chain: string) => ({
    file: "dumps/ingress-1.istio-system.json",
    text: JSON.stringify(envoyDump([{ name, chain }])),
  });

  it("a DNS-named web certificate stays a leaf: no workload identity, not judged by the mesh roots", async () => {
    const p = await gatewayPki();
    const s = analyzeAll(objects(p), [
      filesOnly(
        "file-cert:/etc/istio/ingressgateway-certs/tls.crt~/etc/istio/ingressgateway-certs/tls.key",
        p.web.pem + p.webCa.pem,
      ),
    ]);
    expect(certOf(s, p.web.pem).role).toBe("leaf");
    expect(certOf(s, p.web.pem).owner).toBeNull();
    expect(codesFor(s, p.web.pem)).toEqual([]);
  });

  it("near miss: a file-cert with a SPIFFE ID there is the proxy's mounted mesh identity (a workload certificate)", async () => {
    const p = await gatewayPki();
    const s = analyzeAll(objects(p), [
      filesOnly("file-cert:/var/run/mesh/cert-chain.pem~/var/run/mesh/key.pem", p.mounted.pem),
    ]);
    expect(certOf(s, p.mounted.pem).role).toBe("workload");
    expect(certOf(s, p.mounted.pem).owner).toMatchObject({ namespace: "istio-system", pod: "ingress-1" });
  });
});

// ---------------------------------------------------------------------------------------------
// 6. A Secret named cacerts is Istio's CA only where istiod runs

describe("a Secret named cacerts outside istiod's namespace (an application's truststore)", () => {
  async function ambientPki() {
    const meshRoot = await makeCustomCa("CN=Mesh Root,O=Acme", at(-100 * D), at(3000 * D), null);
    const corporate = await makeCustomCa("CN=Corporate CA,O=Corp", at(-100 * D), at(3000 * D), null);
    return { meshRoot, corporate };
  }
  const istioCm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio", namespace: "istio-system" },
    data: { mesh: "rootNamespace: istio-system\n" },
  };
  const objects = (p: { meshRoot: CustomCert }) => [
    namespace("istio-system", {}),
    namespace("apps", {}),
    istioCm,
    secret(
      "istio-system",
      "istio-ca-secret",
      { "ca-cert.pem": p.meshRoot.pem, "root-cert.pem": p.meshRoot.pem },
      "istio.io/ca-root",
    ),
  ];

  it("is not the mesh root: it joins no mesh bundle and is no Istio CA certificate", async () => {
    const p = await ambientPki();
    const s = analyzeAll([...objects(p), secret("apps", "cacerts", { "ca.crt": p.corporate.pem })], []);
    expect(s.certificates.find((c) => c.id === idOf(p.corporate.pem))).toBeUndefined();
    expect(certFindings(s).filter((f) => f.resources.some((r) => r.namespace === "apps"))).toEqual([]);
  });

  it("near miss: cacerts in istiod's namespace is the plug-in CA, read as before", async () => {
    const p = await ambientPki();
    const s = analyzeAll(
      [
        ...objects(p),
        secret(
          "istio-system",
          "cacerts",
          { "tls.crt": p.corporate.pem, "ca.crt": p.corporate.pem },
          "kubernetes.io/tls",
        ),
      ],
      [],
    );
    expect(certOf(s, p.corporate.pem).sources.map((x) => `${x.namespace}/${x.name}[${x.key}]`)).toEqual([
      "istio-system/cacerts[ca.crt]",
      "istio-system/cacerts[tls.crt]",
    ]);
    expect(certOf(s, p.corporate.pem).role).toBe("root");
  });

  it("near miss: an application's kubernetes.io/tls Secret named cacerts is still read as a TLS Secret", async () => {
    const p = await ambientPki();
    const leaf = await makeCustomLeaf("CN=app.apps.svc", at(-1 * D), at(80 * D), p.corporate, {
      dns: ["app.apps.svc"],
    });
    const s = analyzeAll(
      [
        ...objects(p),
        secret("apps", "cacerts", { "tls.crt": leaf.pem, "ca.crt": p.corporate.pem }, "kubernetes.io/tls"),
      ],
      [],
    );
    expect(certOf(s, leaf.pem).chain).toEqual({ verified: true });
    expect(certOf(s, leaf.pem).role).toBe("leaf");
  });
});

// ---------------------------------------------------------------------------------------------
// 7. A bundle member named like its signer (a key-rollover link) is not judged as self-signed

describe("a trust bundle holding a root and a key-rollover link (the root's name, a new key, signed by the root)", () => {
  async function rollover() {
    const root = await makeCustomCa("CN=Root,O=Acme", at(-400 * D), at(3000 * D), null);
    const newKey = await makeCustomCa("CN=Root,O=Acme", at(-10 * D), at(3600 * D), null);
    const link = await crossSign(newKey, root, at(-10 * D), at(3000 * D));
    return { root, link };
  }

  it("the link verifies through the root beside it: no cert.chain-invalid", async () => {
    const p = await rollover();
    const s = analyzeAll([namespace("shop"), rootCm("shop", p.root.pem + p.link.pem)], []);
    expect(certOf(s, p.link.pem).chain).toEqual({ verified: true });
    expect(codesFor(s, p.link.pem)).toEqual([]);
  });

  it("near miss: the link without its signer is still a self-issued certificate whose signature does not verify", async () => {
    const p = await rollover();
    const s = analyzeAll([namespace("shop"), rootCm("shop", p.link.pem)], []);
    expect(certOf(s, p.link.pem).chain).toEqual({
      verified: false,
      error: "self-signed signature does not verify",
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Only a CA may be an intermediate

describe("a workload leaf that signs another leaf (chain [L2, L1, I], bundle [R])", () => {
  async function minted() {
    const root = await makeCustomCa("CN=Root,O=Acme", at(-400 * D), at(3000 * D), null);
    const inter = await makeCustomIntermediate("CN=Inter,O=Acme", at(-300 * D), at(700 * D), root, 1);
    const l1 = await makeCustomLeaf("CN=web", at(-2 * H), at(22 * H), inter, {
      spiffeId: spiffe("shop", "web"),
    });
    const l2 = await makeCustomLeaf("", at(-1 * H), at(20 * H), l1, { spiffeId: spiffe("shop", "admin") });
    return { root, inter, l1, l2 };
  }

  it("does not verify: L1 is not a CA (openssl: invalid CA certificate)", async () => {
    const p = await minted();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "admin-1", "admin")],
      [sidecar("shop", "admin-1", p.l2.pem + p.l1.pem + p.inter.pem, p.root.pem)],
    );
    expect(codesFor(s, p.l2.pem)).toContain("cert.chain-invalid");
    expect(certOf(s, p.l2.pem).chain.error).toBe(
      "issuer CN=web is not a CA (basicConstraints cA is not true): it may not sign certificates",
    );
    if (await hasOpenssl())
      expect(await opensslVerify(p.l2.pem, p.root.pem, p.l1.pem + p.inter.pem)).not.toBe("OK");
  });

  it("near miss: L1 itself, signed by the CA Inter, verifies", async () => {
    const p = await minted();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web")],
      [sidecar("shop", "web-1", p.l1.pem + p.inter.pem, p.root.pem)],
    );
    expect(certOf(s, p.l1.pem).chain).toEqual({ verified: true });
  });
});

// ---------------------------------------------------------------------------------------------
// 9. Envoy's /certs before any secret is loaded

describe("Envoy's /certs with no certificates yet", () => {
  it('{"certificates":[]} is named as Envoy /certs output, not "object has no kind"', () => {
    expect(
      parseManifestText(JSON.stringify({ certificates: [] }), "dumps/web-1.shop.json").problems.map(
        (p) => p.message,
      ),
    ).toEqual([expect.stringContaining("Envoy /certs output is not supported")]);
  });

  it("near miss: an empty certificates list beside other keys is still an object without kind", () => {
    expect(
      parseManifestText(JSON.stringify({ certificates: [], name: "x" }), "x.json").problems.map(
        (p) => p.message,
      ),
    ).toEqual(["object has no kind"]);
  });
});
