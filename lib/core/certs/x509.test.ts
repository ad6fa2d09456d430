// The parse layer against a real PKI (test/pki.ts): every field, proven equal to node's
// X509Certificate, @peculiar/x509 and (signature algorithm) `openssl x509 -text` on every certificate;
// signature checks proven equal to node's X509Certificate.verify on every (child, issuer) pair.
import "reflect-metadata";
import * as px509 from "@peculiar/x509";
import { execFileSync } from "node:child_process";
import { createPrivateKey, generateKeyPairSync, webcrypto, X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { benchCerts } from "../../../bench/certs";
import {
  configDump,
  makePki,
  PKI_NOW,
  REDACTED_B64,
  ztunnelDump,
  type CertName,
  type LeafName,
  type Pki,
} from "../../../test/pki";
import { createCertCache, parseCertificate, pemCertificates, verifySignedBy, type ParsedCert } from "./x509";

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
}, 120_000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const derOf = (pem: string) => {
  const r = pemCertificates(pem);
  expect(r.errors).toEqual([]);
  return r.ders[0]!;
};
const parsed = (pem: string) => parseCertificate(derOf(pem));

const CERT_NAMES: CertName[] = [
  "root",
  "intermediate",
  "intermediateShort",
  "rsaIntermediate",
  "otherRoot",
  "linkerdAnchor",
  "linkerdIssuer",
  "spireRoot",
  "sha1Root",
  "sha1LinkCa",
  "spireCa48h",
  "leafEcdsa",
  "leafRsa2048",
  "leafRsa4096",
  "leafEd25519",
  "leafExpired",
  "leafNotYetValid",
  "leafOtherRoot",
  "leafOutlivesIssuer",
  "leaf30d",
  "leafWrongIdentity",
  "leafSha1Rsa1024",
  "leafNoClientAuth",
  "selfSignedLeaf",
  "spireSvid",
];

describe("parseCertificate on the test PKI", () => {
  const expected: Partial<
    Record<CertName, { keyAlgorithm: string; keyBits: number; signatureAlgorithm: string; isCA: boolean }>
  > = {
    root: { keyAlgorithm: "ECDSA P-256", keyBits: 256, signatureAlgorithm: "ecdsa-with-SHA256", isCA: true },
    intermediate: {
      keyAlgorithm: "ECDSA P-256",
      keyBits: 256,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: true,
    },
    rsaIntermediate: {
      keyAlgorithm: "RSA 2048",
      keyBits: 2048,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: true,
    },
    linkerdAnchor: {
      keyAlgorithm: "ECDSA P-256",
      keyBits: 256,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: true,
    },
    linkerdIssuer: {
      keyAlgorithm: "ECDSA P-256",
      keyBits: 256,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: true,
    },
    leafEcdsa: {
      keyAlgorithm: "ECDSA P-256",
      keyBits: 256,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: false,
    },
    leafRsa2048: {
      keyAlgorithm: "RSA 2048",
      keyBits: 2048,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: false,
    },
    leafRsa4096: {
      keyAlgorithm: "RSA 4096",
      keyBits: 4096,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: false,
    },
    leafEd25519: {
      keyAlgorithm: "Ed25519",
      keyBits: 256,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: false,
    },
    leafSha1Rsa1024: {
      keyAlgorithm: "RSA 1024",
      keyBits: 1024,
      signatureAlgorithm: "sha1WithRSAEncryption",
      isCA: false,
    },
    selfSignedLeaf: {
      keyAlgorithm: "ECDSA P-256",
      keyBits: 256,
      signatureAlgorithm: "ecdsa-with-SHA256",
      isCA: false,
    },
  };

  it("reads key and signature algorithms and CA flags", () => {
    for (const [name, want] of Object.entries(expected)) {
      const c = parsed(pki[name as CertName]);
      expect({ name, ...pick(c, ["keyAlgorithm", "keyBits", "signatureAlgorithm", "isCA"]) }).toEqual({
        name,
        ...want,
      });
    }
  });

  it("reads names, SPIFFE IDs, key usages and identifiers", () => {
    const root = parsed(pki.root);
    expect(root.subject).toBe("CN=Root CA,O=Handshake Test");
    expect(root.issuer).toBe(root.subject);
    expect(root.selfIssued).toBe(true);
    expect(root.pathLen).toBe(1);
    expect(root.keyUsage).toEqual(["digitalSignature", "keyCertSign", "cRLSign"]);
    expect(root.subjectKeyId).toMatch(/^[0-9a-f]{40}$/);
    // Serials are lowercase hex without the DER sign byte (the root's starts with c3 → 00 c3 … in DER).
    expect(root.serialNumber).toMatch(/^c3[0-9a-f]{30}$/);

    const inter = parsed(pki.intermediate);
    expect(inter.issuer).toBe(root.subject);
    expect(inter.selfIssued).toBe(false);
    expect(inter.pathLen).toBe(0);
    expect(inter.authorityKeyId).toBe(root.subjectKeyId);

    const leaf = parsed(pki.leafEcdsa);
    expect(leaf.subject).toBe(""); // Istio workload certificates have an empty subject.
    expect(leaf.issuer).toBe("CN=Intermediate CA,O=Handshake Test");
    expect(leaf.uris).toEqual(["spiffe://cluster.local/ns/shop/sa/web"]);
    expect(leaf.spiffeId).toBe("spiffe://cluster.local/ns/shop/sa/web");
    expect(leaf.extKeyUsage).toEqual(["serverAuth", "clientAuth"]);
    expect(leaf.keyUsage).toEqual(["digitalSignature", "keyEncipherment"]);
    expect(leaf.authorityKeyId).toBe(inter.subjectKeyId);
    expect(leaf.pathLen).toBeNull();
    expect(leaf.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const server = parsed(pki.leafNoClientAuth);
    expect(server.extKeyUsage).toEqual(["serverAuth"]);
    expect(server.dnsNames).toEqual(["frontend.shop.svc.cluster.local"]);
    expect(server.ipAddresses).toEqual(["10.0.0.7", "fd00::7"]);
    expect(server.subject).toBe("CN=frontend.shop.svc.cluster.local");

    const self = parsed(pki.selfSignedLeaf);
    expect(self.selfIssued).toBe(true);
    expect(self.isCA).toBe(false);
    expect(self.subject).toBe("O=Rogue,CN=rogue.shop");

    expect(parsed(pki.leafWrongIdentity).spiffeId).toBe("spiffe://cluster.local/ns/shop/sa/admin");
    expect(pki.wrongIdentityPod).toMatchObject({ namespace: "shop", serviceAccount: "web" });
    expect(parsed(pki.spireRoot).uris).toEqual(["spiffe://cluster.local"]);
    expect(parsed(pki.linkerdIssuer).issuer).toBe("CN=root.linkerd.cluster.local");
    expect(parsed(pki.spireSvid).notAfter.getTime() - parsed(pki.spireSvid).notBefore.getTime()).toBe(HOUR);
  });

  it("reads validity periods relative to the reference time", () => {
    const now = PKI_NOW.getTime();
    const life = (n: CertName) => {
      const c = parsed(pki[n]);
      return [c.notBefore.getTime() - now, c.notAfter.getTime() - now];
    };
    expect(pki.now.getTime()).toBe(now);
    expect(life("leafEcdsa")).toEqual([-HOUR, 23 * HOUR]);
    expect(life("leafExpired")).toEqual([-2 * DAY, -DAY]);
    expect(life("leafNotYetValid")).toEqual([DAY, 2 * DAY]);
    expect(life("leaf30d")).toEqual([-DAY, 29 * DAY]);
    expect(life("root")).toEqual([-DAY, 3650 * DAY]);
    expect(life("intermediate")).toEqual([-DAY, 1825 * DAY]);
    const [, issuerEnd] = life("intermediateShort");
    const [, leafEnd] = life("leafOutlivesIssuer");
    expect(leafEnd!).toBeGreaterThan(issuerEnd!);
  });

  it("equals node's X509Certificate and @peculiar/x509 on every certificate", () => {
    for (const name of CERT_NAMES) {
      const der = derOf(pki[name]);
      const ours = parseCertificate(der);
      const node = new X509Certificate(der);
      const pec = new px509.X509Certificate(der as Uint8Array<ArrayBuffer>);

      const viaNode = {
        fingerprint: node.fingerprint256.replace(/:/g, "").toLowerCase(),
        subject: (node.subject ?? "").split("\n").join(","),
        issuer: (node.issuer ?? "").split("\n").join(","),
        serialNumber: node.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ""),
        notBefore: new Date(node.validFrom).getTime(),
        notAfter: new Date(node.validTo).getTime(),
        isCA: node.ca,
        ...sansFromNode(node.subjectAltName),
        extKeyUsage: node.keyUsage ?? [],
        key: nodeKey(node),
      };
      const mine = {
        fingerprint: ours.fingerprint,
        subject: ours.subject,
        issuer: ours.issuer,
        serialNumber: ours.serialNumber,
        notBefore: ours.notBefore.getTime(),
        notAfter: ours.notAfter.getTime(),
        isCA: ours.isCA,
        dnsNames: ours.dnsNames,
        uris: ours.uris,
        ipAddresses: ours.ipAddresses,
        extKeyUsage: ours.extKeyUsage.map((e) => EKU_OIDS[e] ?? e),
        key: [ours.keyAlgorithm, ours.keyBits],
      };
      expect({ name, ...mine }).toEqual({ name, ...viaNode });

      const bc = pec.getExtension(px509.BasicConstraintsExtension);
      const ku = pec.getExtension(px509.KeyUsagesExtension);
      const eku = pec.getExtension(px509.ExtendedKeyUsageExtension);
      const san = pec.getExtension(px509.SubjectAlternativeNameExtension);
      const names = san?.names.items ?? [];
      const viaPeculiar = {
        subject: pec.subject.replace(/, /g, ","),
        issuer: pec.issuer.replace(/, /g, ","),
        serialNumber: pec.serialNumber.replace(/^(00)+(?=.)/, ""),
        notBefore: pec.notBefore.getTime(),
        notAfter: pec.notAfter.getTime(),
        isCA: bc?.ca ?? false,
        pathLen: bc?.pathLength ?? null,
        keyUsage: ku ? KEY_USAGE_FLAGS.filter(([, f]) => ku.usages & f).map(([n]) => n) : [],
        extKeyUsage: (eku?.usages ?? []).map(String),
        dnsNames: names.filter((n) => n.type === "dns").map((n) => n.value),
        uris: names.filter((n) => n.type === "url").map((n) => n.value),
        ipAddresses: names.filter((n) => n.type === "ip").map((n) => canonicalIp(n.value)),
        subjectKeyId: pec.getExtension(px509.SubjectKeyIdentifierExtension)?.keyId ?? null,
        authorityKeyId: pec.getExtension(px509.AuthorityKeyIdentifierExtension)?.keyId ?? null,
      };
      const mine2 = {
        subject: ours.subject,
        issuer: ours.issuer,
        serialNumber: ours.serialNumber,
        notBefore: ours.notBefore.getTime(),
        notAfter: ours.notAfter.getTime(),
        isCA: ours.isCA,
        pathLen: ours.pathLen,
        keyUsage: ours.keyUsage,
        extKeyUsage: ours.extKeyUsage.map((e) => EKU_OIDS[e] ?? e),
        dnsNames: ours.dnsNames,
        uris: ours.uris,
        ipAddresses: ours.ipAddresses,
        subjectKeyId: ours.subjectKeyId,
        authorityKeyId: ours.authorityKeyId,
      };
      expect({ name, ...mine2 }).toEqual({ name, ...viaPeculiar });
      expect(ours.selfIssued).toBe(ours.subject === ours.issuer);
      expect(ours.spiffeId).toBe(
        ours.uris.filter((u) => u.startsWith("spiffe://")).length === 1
          ? ours.uris.find((u) => u.startsWith("spiffe://"))
          : null,
      );
    }
  });

  it("names the signature algorithm as `openssl x509 -text` does", (ctx) => {
    if (!pki.openssl)
      ctx.skip("the openssl CLI is absent: nothing to compare signature algorithm names with");
    for (const name of CERT_NAMES) {
      const text = execFileSync("openssl", ["x509", "-noout", "-text"], { input: pki[name] }).toString();
      const want = /Signature Algorithm: (\S+)/.exec(text)?.[1];
      expect({ name, alg: parsed(pki[name]).signatureAlgorithm.toLowerCase() }).toEqual({
        name,
        alg: want?.toLowerCase(),
      });
    }
  });

  it("made three certificates with the openssl CLI", (ctx) => {
    if (!pki.openssl) ctx.skip("the openssl CLI is absent: these certificates were made with @peculiar/x509");
    expect(CERT_NAMES.filter((n) => pki.madeWith[n] === "openssl").sort()).toEqual([
      "leafRsa4096",
      "leafSha1Rsa1024",
      "selfSignedLeaf",
    ]);
  });

  it("escapes distinguished names as RFC 4514 does, keeps certificate order, reads UTF-8", async () => {
    const { der } = await makeOddCert();
    const c = parseCertificate(der);
    expect(c.subject).toBe('CN=web\\, \\"quoted\\" \\+plus,O=\\ lead,L=Zürich ✓,OU=\\#tag+UID=x\\ ');
    // Two SPIFFE URI SANs: no single identity.
    expect(c.uris).toEqual(["spiffe://a.example/ns/x/sa/y", "spiffe://b.example/ns/x/sa/y"]);
    expect(c.spiffeId).toBeNull();
    expect(c.extKeyUsage).toEqual(["1.3.6.1.4.1.99999.1", "serverAuth"]);
  });
});

describe("verifySignedBy", () => {
  const signedBy: [CertName, CertName][] = [
    ["leafEcdsa", "intermediate"],
    ["intermediate", "root"],
    ["root", "root"],
    ["leafRsa2048", "intermediate"],
    ["leafRsa4096", "intermediate"],
    ["leafEd25519", "intermediate"],
    ["leafSha1Rsa1024", "rsaIntermediate"],
    ["rsaIntermediate", "root"],
    ["leafOutlivesIssuer", "intermediateShort"],
    ["leafOtherRoot", "otherRoot"],
    ["selfSignedLeaf", "selfSignedLeaf"],
    ["linkerdIssuer", "linkerdAnchor"],
    ["spireSvid", "spireRoot"],
    ["sha1Root", "sha1Root"],
    ["sha1LinkCa", "sha1Root"],
    ["spireCa48h", "spireCa48h"],
  ];

  it("verifies leaf → intermediate → root and rejects the other root's leaf", () => {
    const leaf = parsed(pki.leafEcdsa);
    const inter = parsed(pki.intermediate);
    const root = parsed(pki.root);
    expect(verifySignedBy(leaf, inter)).toBe(true);
    expect(verifySignedBy(inter, root)).toBe(true);
    expect(verifySignedBy(leaf, root)).toBe(false);
    const stranger = parsed(pki.leafOtherRoot);
    expect(verifySignedBy(stranger, inter)).toBe(false);
    expect(verifySignedBy(stranger, root)).toBe(false);
    expect(verifySignedBy(stranger, parsed(pki.otherRoot))).toBe(true);
    // Self-issued is not self-signed: the link CA carries its issuer's name, not its key.
    const link = parsed(pki.sha1LinkCa);
    expect([link.selfIssued, link.subject === parsed(pki.sha1Root).subject]).toEqual([true, true]);
    expect(verifySignedBy(link, link)).toBe(false);
    for (const [child, issuer] of signedBy)
      expect({ child, issuer, ok: verifySignedBy(parsed(pki[child]), parsed(pki[issuer])) }).toEqual({
        child,
        issuer,
        ok: true,
      });
  });

  it("agrees with node's X509Certificate.verify on every (child, issuer) pair", () => {
    const ours = CERT_NAMES.map((n) => parsed(pki[n]));
    const nodes = CERT_NAMES.map((n) => new X509Certificate(derOf(pki[n])));
    let trues = 0;
    for (let i = 0; i < ours.length; i++)
      for (let j = 0; j < ours.length; j++) {
        const want = nodes[i]!.verify(nodes[j]!.publicKey);
        if (want) trues++;
        expect({
          child: CERT_NAMES[i],
          issuer: CERT_NAMES[j],
          ok: verifySignedBy(ours[i]!, ours[j]!),
        }).toEqual({
          child: CERT_NAMES[i],
          issuer: CERT_NAMES[j],
          ok: want,
        });
      }
    expect(trues).toBeGreaterThanOrEqual(signedBy.length);
  });

  it("returns false, never throws, for a tampered signature or body", () => {
    const der = derOf(pki.leafEcdsa);
    const inter = parsed(pki.intermediate);
    const badSig = der.slice();
    badSig[badSig.length - 5]! ^= 0x01;
    expect(verifySignedBy(parseCertificate(badSig), inter)).toBe(false);
    const badBody = der.slice();
    const at = Buffer.from(badBody).indexOf("/sa/web");
    badBody[at + 2] = "x".charCodeAt(0);
    const forged = parseCertificate(badBody);
    expect(forged.spiffeId).toBe("spiffe://cluster.local/ns/shop/sx/web");
    expect(verifySignedBy(forged, inter)).toBe(false);
    // Objects that did not come from the parser cannot be verified.
    expect(verifySignedBy({ ...parsed(pki.leafEcdsa) }, inter)).toBe(false);
  });
});

describe("garbage", () => {
  it("throws a one-line reason for what is not a certificate", () => {
    const der = derOf(pki.leafEcdsa);
    const keyDer = createPrivateKey(pki.keys.leafEcdsa).export({ type: "pkcs8", format: "der" });
    const cases: [string, Uint8Array][] = [
      ["empty", new Uint8Array()],
      ["random", Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)],
      ["truncated", der.slice(0, der.length - 10)],
      ["trailing bytes", Uint8Array.from([...der, 0])],
      ["PEM text as bytes", new TextEncoder().encode(pki.leafEcdsa)],
      ["a private key", new Uint8Array(keyDer)],
      ["not a sequence", Uint8Array.of(0x02, 0x01, 0x00)],
    ];
    for (const [what, bytes] of cases) {
      let message = "";
      try {
        parseCertificate(bytes);
      } catch (e) {
        message = (e as Error).message;
      }
      expect({ what, ok: /^not an X\.509 certificate: \S/.test(message) && !message.includes("\n") }).toEqual(
        { what, ok: true },
      );
    }
  });

  it("lets the cache answer {error} instead of throwing", () => {
    const cache = createCertCache();
    const r = cache.parse(Uint8Array.of(0x30, 0x05, 0x01));
    expect(r).toEqual({ error: expect.stringMatching(/^not an X\.509 certificate: truncated/) });
    expect(cache.parse(Uint8Array.of(0x30, 0x05, 0x01))).toBe(r);
    expect(cache.stats()).toEqual({ parsed: 1, hits: 1, verified: 0 });
  });
});

describe("pemCertificates", () => {
  const keyForms = () => {
    const k = createPrivateKey(pki.keys.leafEcdsa);
    const rsa = createPrivateKey(pki.keys.leafRsa2048);
    return {
      "PRIVATE KEY": pki.keys.leafEcdsa,
      "EC PRIVATE KEY": k.export({ type: "sec1", format: "pem" }).toString(),
      "RSA PRIVATE KEY": rsa.export({ type: "pkcs1", format: "pem" }).toString(),
      "ENCRYPTED PRIVATE KEY": k
        .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })
        .toString(),
    };
  };

  it("keeps only the certificates and never a byte of a private key", () => {
    const keys = keyForms();
    const text = [
      "leading text is ignored\n",
      pki.leafEcdsa,
      keys["PRIVATE KEY"],
      pki.intermediate,
      keys["EC PRIVATE KEY"],
      keys["RSA PRIVATE KEY"],
      trustedCertificate(pki.root),
      keys["ENCRYPTED PRIVATE KEY"],
    ].join("");
    const r = pemCertificates(text);
    expect(r.errors).toEqual([]);
    expect(r.ders.map((d) => parseCertificate(d).fingerprint)).toEqual(
      [pki.leafEcdsa, pki.intermediate, pki.root].map((p) => parsed(p).fingerprint),
    );
    // Own buffers: no pooled slab that could hold anything else.
    for (const d of r.ders) expect(d.buffer.byteLength).toBe(d.byteLength);
    const out = JSON.stringify(r);
    const all = Buffer.concat(r.ders);
    const seen = out + all.toString("base64") + all.toString("hex") + all.toString("latin1");
    expect(seen).not.toContain("PRIVATE KEY");
    for (const [label, pem] of Object.entries(keys)) {
      // The secret part of each key (a PKCS#8 EC key also holds the public key, which the certificate has too).
      const secrets: Buffer[] = [];
      if (label === "ENCRYPTED PRIVATE KEY") {
        const der = Buffer.from(
          pem
            .split("\n")
            .filter((l) => l && !l.startsWith("-----"))
            .join(""),
          "base64",
        );
        secrets.push(der.subarray(der.length - 48)); // ciphertext
      } else {
        const jwk = createPrivateKey(pem).export({ format: "jwk" });
        for (const k of ["d", "p", "q"] as const) if (jwk[k]) secrets.push(Buffer.from(jwk[k], "base64url"));
      }
      for (const secret of secrets) {
        const probes = [secret, secret.subarray(1), secret.subarray(2)].map((b) => b.subarray(0, 24));
        const leaked =
          probes.some((p) => all.includes(p) || seen.includes(p.toString("base64").slice(0, 28))) ||
          seen.includes(secret.subarray(0, 16).toString("hex"));
        expect({ label, leaked }).toEqual({ label, leaked: false });
      }
    }
  });

  it("names broken certificate blocks by position and says nothing of key blocks", () => {
    const brokenKey = "-----BEGIN PRIVATE KEY-----\nMIGH!!secret-key-material!!\n-----END PRIVATE KEY-----\n";
    const unterminatedKey = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIsecretsecret\n";
    const text = [
      pki.leafEcdsa,
      "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n",
      brokenKey,
      "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
      unterminatedKey,
      pki.intermediate.replace(/\n/g, "\r\n"),
      "-----BEGIN CERTIFICATE-----\nMIIB\n",
    ].join("");
    const r = pemCertificates(text);
    expect(r.errors).toEqual([
      "PEM block 2: invalid base64",
      "PEM block 4: empty",
      "PEM block 7: BEGIN CERTIFICATE without a matching END line",
    ]);
    expect(r.ders).toHaveLength(2);
    expect(JSON.stringify(r)).not.toMatch(/secret|MIGH|MHcC/);
  });

  it("refuses a key under a CERTIFICATE label without copying it", () => {
    const body = pki.keys.leafEcdsa.split("\n").filter((l) => l && !l.startsWith("-----"));
    const text = `-----BEGIN CERTIFICATE-----\n${body.join("\n")}\n-----END CERTIFICATE-----\n${pki.root}`;
    const r = pemCertificates(text);
    expect(r.errors).toEqual(["PEM block 1: not a DER certificate"]);
    expect(r.ders.map((d) => parseCertificate(d).fingerprint)).toEqual([parsed(pki.root).fingerprint]);
  });

  it("refuses an encrypted PKCS#8 key under a CERTIFICATE label (SEQUENCE { SEQUENCE { OID … } … })", () => {
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "P-256",
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "test" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    expect(privateKey).toContain("ENCRYPTED PRIVATE KEY");
    const relabelled = privateKey.replace(/ENCRYPTED PRIVATE KEY/g, "CERTIFICATE");
    const r = pemCertificates(relabelled + pki.root);
    expect(r.errors).toEqual(["PEM block 1: not a DER certificate"]);
    expect(r.ders.map((d) => parseCertificate(d).fingerprint)).toEqual([parsed(pki.root).fingerprint]);
  });

  it("reads OpenSSL's TRUSTED CERTIFICATE (trust settings after the certificate)", () => {
    const r = pemCertificates(trustedCertificate(pki.intermediate));
    expect(r.errors).toEqual([]);
    expect(parseCertificate(r.ders[0]!).fingerprint).toBe(parsed(pki.intermediate).fingerprint);
    // The same trailing bytes under a plain CERTIFICATE label are an error.
    const plain = trustedCertificate(pki.intermediate).replace(/TRUSTED CERTIFICATE/g, "CERTIFICATE");
    expect(pemCertificates(plain).errors).toEqual(["PEM block 1: 14 trailing bytes after the certificate"]);
  });

  it("finds nothing in text without certificates", () => {
    expect(pemCertificates("")).toEqual({ ders: [], errors: [] });
    expect(pemCertificates(pki.keys.leafEcdsa)).toEqual({ ders: [], errors: [] });
  });
});

describe("createCertCache", () => {
  it("parses a repeated DER once and memoises signature checks", () => {
    const cache = createCertCache();
    const der = derOf(pki.leafEcdsa);
    const a = cache.parse(der);
    const b = cache.parse(der.slice()); // same bytes, another array
    expect(b).toBe(a);
    const inter = cache.parse(derOf(pki.intermediate)) as ParsedCert;
    const leaf = a as ParsedCert;
    expect(cache.verify(leaf, inter)).toBe(true);
    expect(cache.verify(leaf, inter)).toBe(true);
    expect(cache.verify(leaf, parsed(pki.root))).toBe(false);
    expect(cache.stats()).toEqual({ parsed: 2, hits: 1, verified: 2 });
    // verify works detached (callers pass cache.verify around).
    const { verify } = cache;
    expect(verify(inter, cache.parse(derOf(pki.root)) as ParsedCert)).toBe(true);
  });
});

describe("test PKI fixtures: config dumps", () => {
  it("builds a raw snake_case Envoy config dump with a redacted key", () => {
    const dump = configDump({
      chainPem: pki.chains.leafEcdsa,
      rootPem: pki.root,
      nodeId: "web-1.shop",
      warming: ["kubernetes://cred"],
    });
    const text = JSON.stringify(dump);
    expect(text).not.toContain(pki.keys.leafEcdsa.split("\n")[1]!);
    expect(path(dump, "configs", 0)).toMatchObject({
      "@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
      bootstrap: { node: { id: "sidecar~10.0.0.1~web-1.shop~shop.svc.cluster.local" } },
    });
    const secrets = path(dump, "configs", 1);
    expect(path(secrets, "@type")).toBe("type.googleapis.com/envoy.admin.v3.SecretsConfigDump");
    const def = path(secrets, "dynamic_active_secrets", 0);
    const rootca = path(secrets, "dynamic_active_secrets", 1);
    expect(path(def, "name")).toBe("default");
    expect(path(def, "secret", "tls_certificate", "private_key", "inline_bytes")).toBe(REDACTED_B64);
    const chain = b64text(path(def, "secret", "tls_certificate", "certificate_chain", "inline_bytes"));
    expect(pemCertificates(chain).ders.map((x) => parseCertificate(x).fingerprint)).toEqual([
      parsed(pki.leafEcdsa).fingerprint,
      parsed(pki.intermediate).fingerprint,
    ]);
    expect(path(rootca, "name")).toBe("ROOTCA");
    expect(b64text(path(rootca, "secret", "validation_context", "trusted_ca", "inline_bytes"))).toBe(
      pki.root,
    );
    expect(path(secrets, "dynamic_warming_secrets")).toMatchObject([
      { name: "kubernetes://cred", version_info: "uninitialized" },
    ]);
  });

  it("builds istioctl's camelCase form and a SPIFFE validator", () => {
    const dump = configDump({
      chainPem: pki.chains.spireSvid,
      rootPem: pki.spireBundle,
      camel: true,
      spiffeBundles: [{ name: "cluster.local", pem: pki.spireBundle }],
    });
    const text = JSON.stringify(dump);
    expect(text).toContain('"dynamicActiveSecrets"');
    expect(text).toContain('"inlineBytes"');
    expect(text).not.toMatch(/"[a-z]+_[a-z_]+"/);
    const validator = path(
      dump,
      ...["configs", 0, "dynamicActiveSecrets", 1, "secret", "validationContext", "customValidatorConfig"],
      "typedConfig",
    );
    expect(path(validator, "@type")).toMatch(/SPIFFECertValidatorConfig$/);
    expect(path(validator, "trustDomains", 0, "name")).toBe("cluster.local");
    expect(b64text(path(validator, "trustDomains", 0, "trustBundle", "inlineBytes"))).toBe(pki.spireBundle);
  });

  it("builds ztunnel certificate dumps", () => {
    const dump = ztunnelDump([
      {
        identity: "spiffe://cluster.local/ns/shop/sa/web",
        chainPem: pki.chains.leafEcdsa,
        rootPem: pki.root,
      },
      { identity: "spiffe://cluster.local/ns/shop/sa/new" },
    ]) as {
      certificates: {
        state: string;
        certChain: { pem: string; serialNumber: string; validFrom: string }[];
        rootCerts: unknown[];
      }[];
    };
    const [a, b] = dump.certificates;
    expect(a!.state).toBe("Available");
    expect(a!.certChain).toHaveLength(2);
    expect(a!.rootCerts).toHaveLength(1);
    const leaf = parsed(pki.leafEcdsa);
    expect(BigInt(a!.certChain[0]!.serialNumber).toString(16)).toBe(leaf.serialNumber);
    expect(a!.certChain[0]!.validFrom).toBe(leaf.notBefore.toISOString().replace(".000Z", "Z"));
    expect(Buffer.from(a!.certChain[0]!.pem, "base64").toString()).toContain("BEGIN CERTIFICATE");
    expect(b).toMatchObject({ state: "Initializing", certChain: [], rootCerts: [] });
  });

  it("keeps a chain and root for every leaf", () => {
    for (const n of Object.keys(pki.chains) as LeafName[]) {
      const chain = pemCertificates(pki.chains[n]).ders.map(parseCertificate);
      const root = parsed(pki.rootOf[n]);
      expect(chain[0]!.fingerprint).toBe(parsed(pki[n]).fingerprint);
      const top = chain[chain.length - 1]!;
      expect({ n, ok: verifySignedBy(top, root) }).toEqual({ n, ok: true });
    }
  });
});

describe("bench/certs.ts", () => {
  it("verifies every generated chain (small run)", async () => {
    const r = await benchCerts(200);
    expect(r.verified).toBe(200);
    expect(r.stats).toEqual({ parsed: 202, hits: 398, verified: 201 });
    expect(r.lines.at(-1)).toMatch(/^(PASS|FAIL) certs parse\+verify/);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------

/** `openssl x509 -addtrust serverAuth -trustout`: the certificate, then X509_CERT_AUX { trust { serverAuth } }. */
function trustedCertificate(pem: string): string {
  const aux = Buffer.from("300c300a06082b06010505070301", "hex");
  const b64 = Buffer.concat([derOf(pem), aux]).toString("base64");
  return `-----BEGIN TRUSTED CERTIFICATE-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END TRUSTED CERTIFICATE-----\n`;
}

/** A value down a path of keys and indexes (undefined when any step is missing). */
function path(v: unknown, ...keys: (string | number)[]): unknown {
  return keys.reduce<unknown>(
    (o, k) => (o !== null && typeof o === "object" ? (o as Record<string | number, unknown>)[k] : undefined),
    v,
  );
}

const b64text = (v: unknown) => Buffer.from(String(v), "base64").toString("utf8");

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

const EKU_OIDS: Record<string, string> = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  OCSPSigning: "1.3.6.1.5.5.7.3.9",
};

const KEY_USAGE_FLAGS: [string, number][] = [
  ["digitalSignature", 1],
  ["nonRepudiation", 2],
  ["keyEncipherment", 4],
  ["dataEncipherment", 8],
  ["keyAgreement", 16],
  ["keyCertSign", 32],
  ["cRLSign", 64],
  ["encipherOnly", 128],
  ["decipherOnly", 256],
];

/** RFC 5952 form via the URL parser (which serialises IPv6 that way). */
const canonicalIp = (ip: string) =>
  ip.includes(":") ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;

function sansFromNode(san: string | undefined) {
  const parts = san ? san.split(", ") : [];
  const of = (prefix: string) => parts.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
  return { dnsNames: of("DNS:"), uris: of("URI:"), ipAddresses: of("IP Address:").map(canonicalIp) };
}

function nodeKey(c: X509Certificate): [string, number] {
  const k = c.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType === "ec") {
    const curve = { prime256v1: ["P-256", 256], secp384r1: ["P-384", 384], secp521r1: ["P-521", 521] }[
      d.namedCurve ?? ""
    ];
    return [`ECDSA ${curve?.[0] ?? d.namedCurve}`, Number(curve?.[1] ?? 0)];
  }
  if (k.asymmetricKeyType === "rsa") return [`RSA ${d.modulusLength}`, d.modulusLength ?? 0];
  if (k.asymmetricKeyType === "ed25519") return ["Ed25519", 256];
  return [String(k.asymmetricKeyType), 0];
}

/** A certificate with an awkward subject, two SPIFFE URIs and an unknown EKU, made on the spot. */
async function makeOddCert(): Promise<{ der: Uint8Array }> {
  px509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  // DER by hand: @peculiar/x509's JSON names mangle values with commas and quotes.
  const tlv = (tag: number, body: Uint8Array) =>
    Uint8Array.from([tag, ...(body.length < 128 ? [body.length] : [0x81, body.length]), ...body]);
  const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const oid = (...bytes: number[]) => tlv(0x06, Uint8Array.from(bytes));
  const CN = oid(0x55, 0x04, 0x03);
  const O = oid(0x55, 0x04, 0x0a);
  const OU = oid(0x55, 0x04, 0x0b);
  const L = oid(0x55, 0x04, 0x07);
  const UID = oid(0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01);
  const ava = (type: Uint8Array, tag: number, v: string) => tlv(0x30, cat(type, tlv(tag, utf8(v))));
  const name = new px509.Name(
    tlv(
      0x30,
      cat(
        tlv(0x31, ava(CN, 0x0c, 'web, "quoted" +plus')),
        tlv(0x31, ava(O, 0x13, " lead")),
        tlv(0x31, ava(L, 0x0c, "Zürich ✓")),
        tlv(0x31, cat(ava(OU, 0x0c, "#tag"), ava(UID, 0x0c, "x "))),
      ),
    ),
  );
  const cert = await px509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name,
    notBefore: PKI_NOW,
    notAfter: new Date(PKI_NOW.getTime() + DAY),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new px509.ExtendedKeyUsageExtension(["1.3.6.1.4.1.99999.1", px509.ExtendedKeyUsage.serverAuth]),
      new px509.SubjectAlternativeNameExtension([
        { type: "url", value: "spiffe://a.example/ns/x/sa/y" },
        { type: "url", value: "spiffe://b.example/ns/x/sa/y" },
      ]),
    ],
  });
  return { der: new Uint8Array(cert.rawData) };
}
