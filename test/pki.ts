// A real PKI, built at test time (no hand-edited base64): keys from WebCrypto, certificates from
// @peculiar/x509's X509CertificateGenerator and — for a second, independent producer — the `openssl`
// CLI (`openssl req` for the request, `openssl ca` with an extensions file for the signature, since
// only `ca` takes explicit -startdate/-enddate in OpenSSL 3.0, which keeps every date relative to
// `now`). Everything is built once per `now` and cached for the test process (RSA 4096 keygen is slow).
//
//   const pki = await makePki();            // default reference time PKI_NOW
//   pki.leafEcdsa / pki.chains.leafEcdsa    // PEM of the leaf / leaf + its intermediate
//   pki.keys.leafEcdsa                      // its PKCS#8 private key PEM (for Secrets that must not leak it)
//
// Also builds Envoy `/config_dump` JSON (istio.md §6.2/§6.3) and ztunnel certificate dumps (§6.1).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { execFile } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pemCertificates } from "../lib/core/certs/x509";
import {
  envoyDump,
  REDACTED_B64,
  trustedCa,
  ztunnelDump as demoZtunnelDump,
  type ZtunnelPemEncoding,
} from "../lib/demo/dumps";
import { b64 } from "../lib/demo/objects";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle;
const run = promisify(execFile);

/** The default reference time of the test PKI (whole seconds: certificates carry no milliseconds). */
export const PKI_NOW = new Date("2026-11-27T12:00:00Z");

export const TRUST_DOMAIN = "cluster.local";

export type LeafName =
  | "leafEcdsa"
  | "leafRsa2048"
  | "leafRsa4096"
  | "leafEd25519"
  | "leafExpired"
  | "leafNotYetValid"
  | "leafOtherRoot"
  | "leafOutlivesIssuer"
  | "leaf30d"
  | "leafWrongIdentity"
  | "leafSha1Rsa1024"
  | "leafNoClientAuth"
  | "selfSignedLeaf"
  | "spireSvid";

export type CaName =
  | "root"
  | "intermediate"
  | "intermediateShort"
  | "rsaIntermediate"
  | "otherRoot"
  | "linkerdAnchor"
  | "linkerdIssuer"
  | "spireRoot"
  | "sha1Root"
  | "sha1LinkCa"
  | "spireCa48h";

export type CertName = LeafName | CaName;

export interface SpiffeOwner {
  namespace: string;
  serviceAccount: string;
}

export interface Pki {
  /** The reference time every validity period is relative to. */
  now: Date;
  /** ECDSA P-256 root CA, 10 years. */
  root: string;
  /** ECDSA P-256, signed by root, 5 years. */
  intermediate: string;
  /** Signed by root, ends 10 days after `now`: leafOutlivesIssuer's issuer. */
  intermediateShort: string;
  /** RSA 2048 intermediate signed by root: issuer of the SHA-1 leaf (sha1WithRSAEncryption needs an RSA signer). */
  rsaIntermediate: string;
  /** A second, unrelated ECDSA P-256 root. */
  otherRoot: string;
  /** 24 h ECDSA P-256 workload leaf, valid at `now` (Istio-like: empty subject, critical URI SAN). */
  leafEcdsa: string;
  leafRsa2048: string;
  /** Made by openssl. */
  leafRsa4096: string;
  leafEd25519: string;
  /** Ended a day before `now`. */
  leafExpired: string;
  /** Starts a day after `now`. */
  leafNotYetValid: string;
  /** Signed by otherRoot. */
  leafOtherRoot: string;
  /** notAfter (now + 30 d) after intermediateShort's notAfter (now + 10 d). */
  leafOutlivesIssuer: string;
  /** 30-day workload leaf. */
  leaf30d: string;
  /** SPIFFE ns/sa differ from the pod it is given to: see wrongIdentityPod. */
  leafWrongIdentity: string;
  /** RSA 1024, sha1WithRSAEncryption, signed by rsaIntermediate; made by openssl. */
  leafSha1Rsa1024: string;
  /** EKU serverAuth only; also DNS and IP (v4, v6) SANs. */
  leafNoClientAuth: string;
  /** A non-CA self-signed leaf with a SPIFFE ID; made by openssl. */
  selfSignedLeaf: string;
  /** Linkerd trust anchor (ECDSA P-256, self-signed CA) and identity issuer (ECDSA P-256 CA it signed). */
  linkerdAnchor: string;
  linkerdIssuer: string;
  /** SPIRE's root CA (self-signed, URI SAN spiffe://cluster.local) and an X.509-SVID it signed. */
  spireRoot: string;
  spireBundle: string;
  spireSvid: string;
  /** RSA 2048 root, self-signed with sha1WithRSAEncryption (like the SHA-1 roots public stores still ship). */
  sha1Root: string;
  /**
   * A key-rollover link certificate: a CA with sha1Root's very subject (so self-issued) and a new
   * RSA 2048 key, signed with SHA-1 by sha1Root's key, not its own (self-issued, not self-signed).
   */
  sha1LinkCa: string;
  /**
   * A SPIRE server CA as SPIRE self-signs it without an UpstreamAuthority (URI SAN
   * spiffe://cluster.local), 48 h life (ca_ttl 48h) with 20 h left at `now`: SPIRE activates its
   * successor when min(⅙ lifetime, 7 d) = 8 h remain, 12 h after `now`.
   */
  spireCa48h: string;
  /** PKCS#8 private key PEM of every certificate. */
  keys: Record<CertName, string>;
  /** What a proxy presents for each leaf: the leaf, then its intermediate when it has one (never the root). */
  chains: Record<LeafName, string>;
  /** The root each leaf's chain ends in (PEM). */
  rootOf: Record<LeafName, string>;
  /** The SPIFFE owner written into each leaf (null: none). */
  identities: Record<LeafName, SpiffeOwner | null>;
  /** The pod leafWrongIdentity is handed to: its namespace and service account differ from the certificate's. */
  wrongIdentityPod: SpiffeOwner & { pod: string };
  /** Which producer made each certificate: "openssl" or "peculiar" (openssl ones fall back to peculiar without openssl). */
  madeWith: Record<CertName, "openssl" | "peculiar">;
  /** False when the openssl CLI is absent: tests of openssl-made certificates should skip (say why). */
  openssl: boolean;
}

// ---------------------------------------------------------------------------------------------
// helpers

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (now: Date, ms: number) => new Date(now.getTime() + ms);

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const RSA = (bits: number, hash = "SHA-256") => ({
  name: "RSASSA-PKCS1-v1_5" as const,
  modulusLength: bits,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash,
});
const ED = { name: "Ed25519" } as const;
type KeyAlg = typeof EC | ReturnType<typeof RSA> | typeof ED;

interface Made {
  pem: string;
  keyPem: string;
  keys: CryptoKeyPair;
  alg: KeyAlg;
}

function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString("base64");
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;
}

async function newKeys(alg: KeyAlg): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  return toPem(await subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
}

/** Signing parameters for an issuer key (the hash comes with it for ECDSA and RSA). */
function signingAlg(alg: KeyAlg): Algorithm | EcdsaParams {
  if (alg.name === "ECDSA") return { name: "ECDSA", hash: "SHA-256" } as EcdsaParams;
  if (alg.name === "Ed25519") return { name: "Ed25519" };
  return { name: "RSASSA-PKCS1-v1_5", hash: alg.hash } as Algorithm;
}

let serialCounter = 0;
/** Distinct serials; some start with a high nibble so the DER carries a leading 00 byte. */
const nextSerial = (name: string) => {
  serialCounter++;
  const h = Buffer.from(`${name}:${serialCounter}`).toString("hex").padEnd(30, "0").slice(0, 30);
  return `${serialCounter % 2 ? "c" : "4"}${h.slice(1)}${serialCounter.toString(16).padStart(2, "0")}`;
};

interface LeafSpec {
  subject: string;
  notBefore: Date;
  notAfter: Date;
  sans: x509.JsonGeneralNames;
  eku?: string[];
  alg: KeyAlg;
}

const WORKLOAD_EKU = [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
const spiffe = (ns: string, sa: string, td = TRUST_DOMAIN) => `spiffe://${td}/ns/${ns}/sa/${sa}`;

async function makeCa(
  name: string,
  notBefore: Date,
  notAfter: Date,
  issuer: Made | null,
  alg: KeyAlg = EC,
  pathLen?: number,
  sans?: x509.JsonGeneralNames,
): Promise<Made> {
  const keys = await newKeys(alg);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, pathLen, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (sans) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  let cert: x509.X509Certificate;
  if (!issuer) {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: nextSerial(name),
      name,
      notBefore,
      notAfter,
      signingAlgorithm: signingAlg(alg),
      keys,
      extensions,
    });
  } else {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: nextSerial(name),
      subject: name,
      issuer: new x509.X509Certificate(issuer.pem).subject,
      notBefore,
      notAfter,
      signingAlgorithm: signingAlg(issuer.alg),
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      extensions,
    });
  }
  return { pem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), keys, alg };
}

async function makeLeaf(spec: LeafSpec, issuer: Made): Promise<Made> {
  const keys = await newKeys(spec.alg);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(spec.subject || spec.sans[0]?.value || "leaf"),
    subject: spec.subject,
    issuer: new x509.X509Certificate(issuer.pem).subject,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    signingAlgorithm: signingAlg(issuer.alg),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(spec.eku ?? WORKLOAD_EKU),
      // Istio leaves have an empty subject, so their SAN is critical (RFC 5280 §4.2.1.6).
      new x509.SubjectAlternativeNameExtension(spec.sans, spec.subject === ""),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { pem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), keys, alg: spec.alg };
}

// ---------------------------------------------------------------------------------------------
// openssl

let opensslChecked: Promise<boolean> | undefined;
export function hasOpenssl(): Promise<boolean> {
  opensslChecked ??= run("openssl", ["version"]).then(
    () => true,
    () => false,
  );
  return opensslChecked;
}

/** YYMMDDHHMMSSZ (UTCTime, before 2050) or YYYYMMDDHHMMSSZ, as `openssl ca -startdate/-enddate` take. */
function opensslDate(d: Date): string {
  const s = d
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return d.getUTCFullYear() < 2050 ? s.slice(2) : s;
}

interface OpensslSpec {
  name: string;
  /** "/O=x/CN=y" */
  subj: string;
  keyArgs: string[];
  md: string;
  notBefore: Date;
  notAfter: Date;
  ext: string;
  /** Signed by this CA; self-signed when null. */
  issuer: Made | null;
}

async function opensslCert(dir: string, s: OpensslSpec): Promise<{ pem: string; keyPem: string }> {
  const d = join(dir, s.name);
  await run("mkdir", ["-p", d]);
  const f = (n: string) => join(d, n);
  await writeFile(f("index.txt"), "");
  await writeFile(f("serial"), `${nextSerial(s.name)}\n`);
  await writeFile(
    f("ca.cnf"),
    [
      "[ca]",
      "default_ca = CA_default",
      "[CA_default]",
      `database = ${f("index.txt")}`,
      `new_certs_dir = ${d}`,
      `serial = ${f("serial")}`,
      "policy = policy_any",
      "unique_subject = no",
      "preserve = yes",
      "email_in_dn = no",
      "copy_extensions = none",
      "[policy_any]",
      "countryName = optional",
      "organizationName = optional",
      "organizationalUnitName = optional",
      "commonName = optional",
      "",
    ].join("\n"),
  );
  await writeFile(f("ext.cnf"), `[v3]\n${s.ext}\n`);
  await run("openssl", ["genpkey", ...s.keyArgs, "-out", f("key.pem")]);
  await run("openssl", ["req", "-new", "-key", f("key.pem"), "-subj", s.subj, "-out", f("csr.pem")]);
  const signer = s.issuer
    ? (await writeFile(f("issuer.pem"), s.issuer.pem),
      await writeFile(f("issuer-key.pem"), s.issuer.keyPem),
      ["-cert", f("issuer.pem"), "-keyfile", f("issuer-key.pem")])
    : ["-selfsign", "-keyfile", f("key.pem")];
  await run("openssl", [
    "ca",
    "-batch",
    "-notext",
    "-config",
    f("ca.cnf"),
    "-in",
    f("csr.pem"),
    ...signer,
    "-md",
    s.md,
    "-startdate",
    opensslDate(s.notBefore),
    "-enddate",
    opensslDate(s.notAfter),
    "-extfile",
    f("ext.cnf"),
    "-extensions",
    "v3",
    "-out",
    f("cert.pem"),
  ]);
  const pem = await readFile(f("cert.pem"), "utf8");
  return { pem, keyPem: await readFile(f("key.pem"), "utf8") };
}

// ---------------------------------------------------------------------------------------------
// the PKI

const built = new Map<number, Promise<Pki>>();

/** The test PKI for reference time `now` (default PKI_NOW), built once per time and process. */
export function makePki(now: Date = PKI_NOW): Promise<Pki> {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  let p = built.get(t);
  if (!p) {
    p = build(new Date(t));
    built.set(t, p);
    p.catch(() => built.delete(t));
  }
  return p;
}

async function build(now: Date): Promise<Pki> {
  // HANDSHAKE_PKI_NO_OPENSSL=1 exercises the fallback on a machine that has openssl.
  const openssl = process.env.HANDSHAKE_PKI_NO_OPENSSL ? false : await hasOpenssl();
  if (!openssl)
    console.warn(
      "test/pki.ts: the openssl CLI is absent: leafRsa4096, leafSha1Rsa1024 and selfSignedLeaf are made with @peculiar/x509 instead; openssl-specific tests skip.",
    );

  const root = await makeCa("CN=Root CA, O=Handshake Test", at(now, -DAY), at(now, 3650 * DAY), null, EC, 1);
  const [intermediate, intermediateShort, rsaIntermediate, otherRoot, linkerdAnchor, spireRoot] =
    await Promise.all([
      makeCa("CN=Intermediate CA, O=Handshake Test", at(now, -DAY), at(now, 1825 * DAY), root, EC, 0),
      makeCa("CN=Short Intermediate CA, O=Handshake Test", at(now, -DAY), at(now, 10 * DAY), root, EC, 0),
      makeCa(
        "CN=RSA Intermediate CA, O=Handshake Test",
        at(now, -DAY),
        at(now, 1825 * DAY),
        root,
        RSA(2048),
        0,
      ),
      makeCa("CN=Other Root CA, O=Other Org", at(now, -DAY), at(now, 3650 * DAY), null),
      makeCa("CN=root.linkerd.cluster.local", at(now, -DAY), at(now, 365 * DAY), null),
      makeCa("C=US, O=SPIFFE", at(now, -DAY), at(now, 365 * DAY), null, EC, undefined, [
        { type: "url", value: `spiffe://${TRUST_DOMAIN}` },
      ]),
    ]);
  const linkerdIssuer = await makeCa(
    "CN=identity.linkerd.cluster.local",
    at(now, -DAY),
    at(now, 180 * DAY),
    linkerdAnchor,
    EC,
    0,
  );

  const day = (nb: number, na: number) => ({ notBefore: at(now, nb), notAfter: at(now, na) });
  const workload = (ns: string, sa: string, alg: KeyAlg = EC) => ({
    subject: "",
    sans: [{ type: "url" as const, value: spiffe(ns, sa) }],
    alg,
    ...day(-HOUR, 23 * HOUR),
  });

  const identities: Record<LeafName, SpiffeOwner | null> = {
    leafEcdsa: { namespace: "shop", serviceAccount: "web" },
    leafRsa2048: { namespace: "shop", serviceAccount: "cart" },
    leafRsa4096: { namespace: "shop", serviceAccount: "billing" },
    leafEd25519: { namespace: "shop", serviceAccount: "edge" },
    leafExpired: { namespace: "shop", serviceAccount: "old" },
    leafNotYetValid: { namespace: "shop", serviceAccount: "future" },
    leafOtherRoot: { namespace: "shop", serviceAccount: "stranger" },
    leafOutlivesIssuer: { namespace: "shop", serviceAccount: "longlived" },
    leaf30d: { namespace: "batch", serviceAccount: "nightly" },
    leafWrongIdentity: { namespace: "shop", serviceAccount: "admin" },
    leafSha1Rsa1024: { namespace: "legacy", serviceAccount: "old-app" },
    leafNoClientAuth: { namespace: "shop", serviceAccount: "frontend" },
    selfSignedLeaf: { namespace: "shop", serviceAccount: "rogue" },
    spireSvid: { namespace: "shop", serviceAccount: "web" },
  };
  const w = (n: LeafName, alg: KeyAlg = EC) =>
    workload(identities[n]!.namespace, identities[n]!.serviceAccount, alg);

  const peculiarLeaves = Promise.all([
    makeLeaf(w("leafEcdsa"), intermediate),
    makeLeaf(w("leafRsa2048", RSA(2048)), intermediate),
    makeLeaf(w("leafEd25519", ED), intermediate),
    makeLeaf({ ...w("leafExpired"), ...day(-2 * DAY, -DAY) }, intermediate),
    makeLeaf({ ...w("leafNotYetValid"), ...day(DAY, 2 * DAY) }, intermediate),
    makeLeaf(w("leafOtherRoot"), otherRoot),
    makeLeaf({ ...w("leafOutlivesIssuer"), ...day(-HOUR, 30 * DAY) }, intermediateShort),
    makeLeaf({ ...w("leaf30d"), ...day(-DAY, 29 * DAY) }, intermediate),
    makeLeaf(w("leafWrongIdentity"), intermediate),
    makeLeaf(
      {
        ...w("leafNoClientAuth"),
        subject: "CN=frontend.shop.svc.cluster.local",
        sans: [
          { type: "dns", value: "frontend.shop.svc.cluster.local" },
          { type: "url", value: spiffe("shop", "frontend") },
          { type: "ip", value: "10.0.0.7" },
          { type: "ip", value: "fd00::7" },
        ],
        eku: [x509.ExtendedKeyUsage.serverAuth],
      },
      intermediate,
    ),
    // SVIDs live an hour by default (SPIRE default_x509_svid_ttl 1h).
    makeLeaf({ ...w("spireSvid"), subject: "C=US, O=SPIRE", ...day(-10 * 60_000, 50 * 60_000) }, spireRoot),
  ]);

  const madeWith = {} as Record<CertName, "openssl" | "peculiar">;
  const ext = (n: LeafName, more = "") =>
    [
      "basicConstraints = critical, CA:FALSE",
      "keyUsage = critical, digitalSignature, keyEncipherment",
      "extendedKeyUsage = serverAuth, clientAuth",
      `subjectAltName = URI:${spiffe(identities[n]!.namespace, identities[n]!.serviceAccount)}${more}`,
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
    ].join("\n");

  let opensslMade: [
    Made | { pem: string; keyPem: string },
    { pem: string; keyPem: string },
    { pem: string; keyPem: string },
  ];
  const dir = await mkdtemp(join(tmpdir(), "handshake-pki-"));
  try {
    if (openssl) {
      opensslMade = await Promise.all([
        opensslCert(dir, {
          name: "leafRsa4096",
          subj: "/O=Handshake Test/CN=billing.shop",
          keyArgs: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
          md: "sha256",
          ...day(-HOUR, 23 * HOUR),
          ext: ext("leafRsa4096"),
          issuer: intermediate,
        }),
        opensslCert(dir, {
          name: "leafSha1Rsa1024",
          subj: "/O=Handshake Test/CN=old-app.legacy",
          keyArgs: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
          md: "sha1",
          ...day(-HOUR, 23 * HOUR),
          ext: ext("leafSha1Rsa1024"),
          issuer: rsaIntermediate,
        }),
        opensslCert(dir, {
          name: "selfSignedLeaf",
          subj: "/O=Rogue/CN=rogue.shop",
          keyArgs: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
          md: "sha256",
          ...day(-DAY, 364 * DAY),
          ext: ext("selfSignedLeaf", ", DNS:rogue.shop.svc.cluster.local"),
          issuer: null,
        }),
      ]);
      for (const n of ["leafRsa4096", "leafSha1Rsa1024", "selfSignedLeaf"] as const) madeWith[n] = "openssl";
    } else {
      opensslMade = await Promise.all([
        makeLeaf(
          { ...w("leafRsa4096", RSA(4096)), subject: "O=Handshake Test, CN=billing.shop" },
          intermediate,
        ),
        makeLeaf(
          { ...w("leafSha1Rsa1024", RSA(1024)), subject: "O=Handshake Test, CN=old-app.legacy" },
          await withHash(rsaIntermediate, "SHA-1"),
        ),
        selfSignedFallback(now, identities.selfSignedLeaf!),
      ]);
      for (const n of ["leafRsa4096", "leafSha1Rsa1024", "selfSignedLeaf"] as const) madeWith[n] = "peculiar";
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const [leafRsa4096, leafSha1Rsa1024, selfSignedLeaf] = opensslMade;
  const [
    leafEcdsa,
    leafRsa2048,
    leafEd25519,
    leafExpired,
    leafNotYetValid,
    leafOtherRoot,
    leafOutlivesIssuer,
    leaf30d,
    leafWrongIdentity,
    leafNoClientAuth,
    spireSvid,
  ] = await peculiarLeaves;

  // Made last: nextSerial's counter gives every certificate made before these its serial, whose
  // length (a leading 00 or not) sets the DER layout that other tests' byte searches rely on.
  const SHA1_ROOT = "CN=Legacy SHA1 Root, O=Handshake Test";
  const sha1Root = await makeCa(
    SHA1_ROOT,
    at(now, -1000 * DAY),
    at(now, 3000 * DAY),
    null,
    RSA(2048, "SHA-1"),
  );
  const sha1LinkCa = await makeCa(
    SHA1_ROOT,
    at(now, -10 * DAY),
    at(now, 2000 * DAY),
    sha1Root,
    RSA(2048, "SHA-1"),
  );
  const spireCa48h = await makeCa(
    "C=US, O=SPIFFE",
    at(now, -28 * HOUR),
    at(now, 20 * HOUR),
    null,
    EC,
    undefined,
    [{ type: "url", value: `spiffe://${TRUST_DOMAIN}` }],
  );

  const certs = {
    root,
    intermediate,
    intermediateShort,
    rsaIntermediate,
    otherRoot,
    linkerdAnchor,
    linkerdIssuer,
    spireRoot,
    sha1Root,
    sha1LinkCa,
    spireCa48h,
    leafEcdsa,
    leafRsa2048,
    leafRsa4096,
    leafEd25519,
    leafExpired,
    leafNotYetValid,
    leafOtherRoot,
    leafOutlivesIssuer,
    leaf30d,
    leafWrongIdentity,
    leafSha1Rsa1024,
    leafNoClientAuth,
    selfSignedLeaf,
    spireSvid,
  } satisfies Record<CertName, { pem: string; keyPem: string }>;
  for (const n of Object.keys(certs) as CertName[]) madeWith[n] ??= "peculiar";

  const pems = Object.fromEntries(Object.entries(certs).map(([k, v]) => [k, v.pem])) as Record<
    CertName,
    string
  >;
  const keys = Object.fromEntries(Object.entries(certs).map(([k, v]) => [k, v.keyPem])) as Record<
    CertName,
    string
  >;
  const issuerOf: Record<LeafName, CaName | null> = {
    leafEcdsa: "intermediate",
    leafRsa2048: "intermediate",
    leafRsa4096: "intermediate",
    leafEd25519: "intermediate",
    leafExpired: "intermediate",
    leafNotYetValid: "intermediate",
    leafOtherRoot: null,
    leafOutlivesIssuer: "intermediateShort",
    leaf30d: "intermediate",
    leafWrongIdentity: "intermediate",
    leafSha1Rsa1024: "rsaIntermediate",
    leafNoClientAuth: "intermediate",
    selfSignedLeaf: null,
    spireSvid: null,
  };
  const rootName: Record<LeafName, CertName> = {
    ...(Object.fromEntries(Object.keys(issuerOf).map((k) => [k, "root"])) as Record<LeafName, CertName>),
    leafOtherRoot: "otherRoot",
    selfSignedLeaf: "selfSignedLeaf",
    spireSvid: "spireRoot",
  };
  const leafNames = Object.keys(issuerOf) as LeafName[];
  const chains = Object.fromEntries(
    leafNames.map((n) => [n, pems[n] + (issuerOf[n] ? pems[issuerOf[n]] : "")]),
  ) as Record<LeafName, string>;
  const rootOf = Object.fromEntries(leafNames.map((n) => [n, pems[rootName[n]]])) as Record<LeafName, string>;

  return {
    now,
    ...pems,
    spireBundle: pems.spireRoot,
    keys,
    chains,
    rootOf,
    identities,
    wrongIdentityPod: { namespace: "shop", serviceAccount: "web", pod: "web-6d8f9c7b5-x2x9q" },
    madeWith,
    openssl,
  };
}

/** The same RSA CA, its private key re-imported for another hash (WebCrypto binds the hash to the key). */
async function withHash(ca: Made, hash: string): Promise<Made> {
  const alg = RSA(2048, hash);
  const pkcs8 = await subtle.exportKey("pkcs8", ca.keys.privateKey);
  const privateKey = await subtle.importKey("pkcs8", pkcs8, alg, true, ["sign"]);
  return { ...ca, alg, keys: { publicKey: ca.keys.publicKey, privateKey } };
}

async function selfSignedFallback(now: Date, id: SpiffeOwner): Promise<Made> {
  const keys = await newKeys(EC);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial("selfSignedLeaf"),
    name: "O=Rogue, CN=rogue.shop",
    notBefore: at(now, -DAY),
    notAfter: at(now, 364 * DAY),
    signingAlgorithm: signingAlg(EC),
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension(WORKLOAD_EKU),
      new x509.SubjectAlternativeNameExtension([
        { type: "url", value: spiffe(id.namespace, id.serviceAccount) },
        { type: "dns", value: "rogue.shop.svc.cluster.local" },
      ]),
    ],
  });
  return { pem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), keys, alg: EC };
}

// ---------------------------------------------------------------------------------------------
// Envoy /config_dump and ztunnel dumps

const SPIFFE_VALIDATOR =
  "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig";
export { REDACTED_B64 };
const DUMP_TIME = new Date("2026-11-27T11:00:00Z");

const camelKey = (k: string) =>
  k.startsWith("@") ? k : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelize);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [camelKey(k), camelize(x)]));
  return v;
}

/** `sidecar~10.0.0.1~<pod>.<ns>~<ns>.svc.cluster.local` from "<pod>.<ns>"; a full id (with ~) is kept. */
export function sidecarNodeId(podDotNs: string, ip = "10.0.0.1"): string {
  if (podDotNs.includes("~")) return podDotNs;
  const ns = podDotNs.slice(podDotNs.lastIndexOf(".") + 1);
  return `sidecar~${ip}~${podDotNs}~${ns}.svc.cluster.local`;
}

/**
 * An Envoy `/config_dump` (istio.md §6.2/§6.3), built as the demo's proxies answer it (lib/demo/dumps.ts):
 * SecretsConfigDump with dynamic_active_secrets `default` (chainPem, private key `[redacted]`) and
 * `ROOTCA` (rootPem); raw admin snake_case, or istioctl's camelCase with `camel: true`. `nodeId`
 * ("<pod>.<ns>" or a full node id) adds a BootstrapConfigDump first; `warming` adds
 * dynamic_warming_secrets (version_info "uninitialized"); `spiffeBundles` makes ROOTCA a SPIFFE
 * validator (`custom_validator_config` with `trust_domains[]`, `trusted_ca` left empty as in istioctl's
 * SPIRE fixture — rootPem is then not used).
 */
export function configDump(opts: {
  chainPem: string;
  rootPem: string;
  camel?: boolean;
  nodeId?: string;
  warming?: string[];
  spiffeBundles?: { name: string; pem: string }[];
}): object {
  const validation = opts.spiffeBundles
    ? {
        trusted_ca: {},
        custom_validator_config: {
          name: "envoy.tls.cert_validator.spiffe",
          typed_config: {
            "@type": SPIFFE_VALIDATOR,
            trust_domains: opts.spiffeBundles.map((b) => ({
              name: b.name,
              trust_bundle: { inline_bytes: b64(b.pem) },
            })),
          },
        },
      }
    : trustedCa(opts.rootPem);
  const dump = envoyDump({
    ...(opts.nodeId ? { nodeId: sidecarNodeId(opts.nodeId) } : {}),
    chainPem: opts.chainPem,
    validation,
    pushedAt: DUMP_TIME,
    ...(opts.warming ? { warming: opts.warming } : {}),
  });
  return opts.camel ? (camelize(dump) as object) : dump;
}

const splitPem = (pem: string) => pemCertificates(pem).ders.map((d) => toPem(d, "CERTIFICATE"));

/**
 * ztunnel's `/config_dump` certificates (istio.md §6.1), built as the demo's ztunnels answer it
 * (lib/demo/dumps.ts): pem is base64 of the PEM as current ztunnel writes it (`pemEncoding: "pem"` for
 * older ones). An entry without chainPem is `Initializing` with no certificates.
 */
export function ztunnelDump(
  entries: { identity: string; chainPem?: string; rootPem?: string; state?: string }[],
  opts: { pemEncoding?: ZtunnelPemEncoding } = {},
): object {
  return demoZtunnelDump(
    entries.map((e) => ({
      identity: e.identity,
      state: e.state ?? (e.chainPem ? "Available" : "Initializing"),
      chain: e.chainPem ? splitPem(e.chainPem) : [],
      roots: e.rootPem ? splitPem(e.rootPem) : [],
    })),
    opts.pemEncoding,
  );
}

// ---------------------------------------------------------------------------------------------
// chains with chosen validity periods (documented setups: Linkerd's, cert-manager's, SPIRE's)

/** A certificate made by makeCustomCa / makeCustomLeaf: PEM, key PEM, and what signs with it. */
export type CustomCert = Made;

/**
 * An ECDSA P-256 CA valid from `notBefore` to `notAfter`, self-signed when `signer` is null; the same
 * generator as the fixed PKI's CAs (basicConstraints CA, keyCertSign|cRLSign|digitalSignature, SKI/AKI).
 */
export function makeCustomCa(
  subject: string,
  notBefore: Date,
  notAfter: Date,
  signer: CustomCert | null,
  spiffeTrustDomain?: string,
  opts: { unconstrained?: boolean; pathLen?: number } = {},
): Promise<CustomCert> {
  // A signed CA gets pathLenConstraint 0 (it signs leaves only) unless `unconstrained` (a corporate
  // intermediate that signs further CAs); `pathLen` sets it outright (a root's included).
  const pathLen = opts.pathLen ?? (signer && !opts.unconstrained ? 0 : undefined);
  return makeCa(
    subject,
    notBefore,
    notAfter,
    signer,
    EC,
    pathLen,
    spiffeTrustDomain ? [{ type: "url", value: `spiffe://${spiffeTrustDomain}` }] : undefined,
  );
}

/**
 * A self-signed ECDSA P-256 certificate with no extension at all, so no basicConstraints: a root as
 * old CAs were made (`openssl req -x509` with a config that has no v3_ca section, or an X.509 v1 root).
 */
export async function makeBareRoot(subject: string, notBefore: Date, notAfter: Date): Promise<CustomCert> {
  const keys = await newKeys(EC);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(subject),
    name: subject,
    notBefore,
    notAfter,
    signingAlgorithm: signingAlg(EC),
    keys,
    extensions: [],
  });
  return { pem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), keys, alg: EC };
}

/** An ECDSA P-256 leaf with serverAuth+clientAuth, named by `dnsNames`, IP addresses, email addresses and/or a SPIFFE ID, signed by `signer`. */
export function makeCustomLeaf(
  subject: string,
  notBefore: Date,
  notAfter: Date,
  signer: CustomCert,
  names: { dns?: string[]; ip?: string[]; email?: string[]; spiffeId?: string },
): Promise<CustomCert> {
  const sans: x509.JsonGeneralNames = [
    ...(names.dns ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(names.email ?? []).map((value) => ({ type: "email" as const, value })),
    ...(names.ip ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(names.spiffeId ? [{ type: "url" as const, value: names.spiffeId }] : []),
  ];
  return makeLeaf({ subject, notBefore, notAfter, sans, alg: EC }, signer);
}

/**
 * An ECDSA P-256 CA signed by `signer` with a chosen pathLenConstraint (undefined: none), for chains
 * with more than one intermediate (makeCustomCa gives a signed CA pathLen 0, which may sign leaves only).
 */
export function makeCustomIntermediate(
  subject: string,
  notBefore: Date,
  notAfter: Date,
  signer: CustomCert,
  pathLen: number | undefined,
): Promise<CustomCert> {
  return makeCa(subject, notBefore, notAfter, signer, EC, pathLen);
}

/**
 * `ca`'s subject and public key certified again by `signer`: the cross-signed copy of a new root that a
 * root rotation hands to peers still trusting the old one (same name and key, another issuer).
 */
export async function crossSign(
  ca: CustomCert,
  signer: CustomCert,
  notBefore: Date,
  notAfter: Date,
): Promise<CustomCert> {
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial("cross"),
    subject: new x509.X509Certificate(ca.pem).subject,
    issuer: new x509.X509Certificate(signer.pem).subject,
    notBefore,
    notAfter,
    signingAlgorithm: signingAlg(signer.alg),
    publicKey: ca.keys.publicKey,
    signingKey: signer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(ca.keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(signer.keys.publicKey),
    ],
  });
  return { pem: cert.toString("pem") + "\n", keyPem: ca.keyPem, keys: ca.keys, alg: ca.alg };
}

/**
 * A certificate as Helm's `genSelfSignedCert` makes it (Masterminds/sprig crypto.go
 * `generateSelfSignedCertificate` → `getBaseCertTemplate`): RSA 2048, self-signed, not a CA
 * (basicConstraints present, cA false), key usage keyEncipherment|digitalSignature, extended key usage
 * serverAuth and clientAuth, CN and one DNS SAN = `host`. Linkerd's charts make their webhook and
 * APIService serving certificates so (`linkerd-proxy-injector-k8s-tls`, `tap-k8s-tls` …).
 */
export async function makeHelmSelfSignedCert(
  host: string,
  notBefore: Date,
  notAfter: Date,
): Promise<CustomCert> {
  const alg = RSA(2048);
  const keys = await newKeys(alg);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(host),
    name: `CN=${host}`,
    notBefore,
    notAfter,
    signingAlgorithm: signingAlg(alg),
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: host }]),
    ],
  });
  return { pem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), keys, alg };
}

/**
 * A self-signed ECDSA P-256 end-entity certificate (basicConstraints cA false) as cert-manager's
 * SelfSigned issuer writes one (pkg/issuer/selfsigned: signed with the certificate's own key): key usage
 * digitalSignature|keyEncipherment, an extended key usage only when `eku` lists one (cert-manager adds
 * none unless `spec.usages` asks), SANs from `dns` and `spiffeId`.
 */
export async function makeSelfSignedLeaf(
  subject: string,
  notBefore: Date,
  notAfter: Date,
  o: { dns?: string[]; spiffeId?: string; eku?: ("serverAuth" | "clientAuth")[] } = {},
): Promise<CustomCert> {
  const keys = await newKeys(EC);
  const sans: x509.JsonGeneralNames = [
    ...(o.dns ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(o.spiffeId ? [{ type: "url" as const, value: o.spiffeId }] : []),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (o.eku?.length)
    extensions.push(new x509.ExtendedKeyUsageExtension(o.eku.map((u) => x509.ExtendedKeyUsage[u])));
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans, subject === ""));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(subject || sans[0]?.value || "self"),
    name: subject,
    notBefore,
    notAfter,
    signingAlgorithm: signingAlg(EC),
    keys,
    extensions,
  });
  return { pem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), keys, alg: EC };
}
