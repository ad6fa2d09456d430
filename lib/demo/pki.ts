// The demo cluster's PKI, generated at start (ECDSA P-256 with @peculiar/x509) so every validity
// period is relative to the injected clock: the Istio root (10 y) and intermediate in `cacerts`,
// 24 h SPIFFE workload leaves, the cluster's own API CA (server and client certificates), Linkerd's
// trust anchors (current and previous) and issuer, and cert-manager's CA with the leaves it signs.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle;

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;

export interface Issued {
  /** PEM of the certificate (one block). */
  pem: string;
  /** PKCS#8 PEM of its private key. */
  keyPem: string;
  keys: CryptoKeyPair;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(new Uint8Array(der)).toString("base64");
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;
}

let serial = 0;
/** Positive, distinct serials (a leading nibble below 8 keeps the DER INTEGER positive without padding). */
function nextSerial(): string {
  serial++;
  const rand = Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString("hex");
  return `${(serial % 7) + 1}${rand}`;
}

export interface CaSpec {
  name: string;
  notBefore: Date;
  notAfter: Date;
  pathLen?: number;
}

export async function makeCa(spec: CaSpec, issuer: Issued | null): Promise<Issued> {
  const keys = (await subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, spec.pathLen, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: spec.name,
    issuer: issuer ? issuer.subject : spec.name,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: issuer ? issuer.keys.privateKey : keys.privateKey,
    extensions,
  });
  return finish(cert, keys, spec.notBefore, spec.notAfter);
}

export interface LeafSpec {
  /** Distinguished name; "" for Istio workload leaves (their SAN is then critical). */
  subject: string;
  notBefore: Date;
  notAfter: Date;
  uris?: string[];
  dnsNames?: string[];
  ips?: string[];
  /** Default: serverAuth + clientAuth; [] writes no EKU extension (any usage). */
  eku?: string[];
  /** An RSA key of this many bits instead of ECDSA P-256 (the demo's weak legacy certificate). */
  rsaBits?: number;
}

export async function makeLeaf(spec: LeafSpec, issuer: Issued | "self"): Promise<Issued> {
  const rsa = spec.rsaBits
    ? {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: spec.rsaBits,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      }
    : null;
  const keys = (await subtle.generateKey(rsa ?? EC, true, ["sign", "verify"])) as CryptoKeyPair;
  const sans: x509.JsonGeneralNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(spec.uris ?? []).map((value) => ({ type: "url" as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const eku = spec.eku ?? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  if (eku.length) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans, spec.subject === ""));
  if (issuer !== "self")
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: spec.subject,
    issuer: issuer === "self" ? spec.subject : issuer.subject,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    signingAlgorithm: issuer === "self" && rsa ? rsa : SIGN,
    publicKey: keys.publicKey,
    signingKey: issuer === "self" ? keys.privateKey : issuer.keys.privateKey,
    extensions,
  });
  return finish(cert, keys, spec.notBefore, spec.notAfter);
}

async function finish(
  cert: x509.X509Certificate,
  keys: CryptoKeyPair,
  notBefore: Date,
  notAfter: Date,
): Promise<Issued> {
  return {
    pem: cert.toString("pem") + "\n",
    keyPem: toPem(await subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY"),
    keys,
    subject: cert.subject,
    notBefore,
    notAfter,
  };
}

export const at = (now: Date, ms: number) => new Date(Math.floor((now.getTime() + ms) / 1000) * 1000);

export const spiffeId = (trustDomain: string, ns: string, sa: string) =>
  `spiffe://${trustDomain}/ns/${ns}/sa/${sa}`;

/** The CAs of the demo cluster, all made once per start. */
export interface DemoCas {
  /** Signs the API server's serving certificate and the demo user's client certificate. */
  apiCa: Issued;
  apiServer: Issued;
  apiClient: Issued;
  istioRoot: Issued;
  istioIntermediate: Issued;
  linkerdAnchor: Issued;
  linkerdPreviousAnchor: Issued;
  linkerdIssuer: Issued;
  internalCa: Issued;
}

export async function makeCas(now: Date, host: string): Promise<DemoCas> {
  const apiCa = await makeCa(
    { name: "CN=demo-cluster-ca", notBefore: at(now, -DAY), notAfter: at(now, 3650 * DAY) },
    null,
  );
  const ipHost = /^[\d.]+$/.test(host) || host.includes(":");
  const [apiServer, apiClient, istioRoot, linkerdAnchor, linkerdPreviousAnchor, internalCa] =
    await Promise.all([
      makeLeaf(
        {
          subject: "CN=kube-apiserver",
          notBefore: at(now, -DAY),
          notAfter: at(now, 365 * DAY),
          dnsNames: ["localhost", "kubernetes", "kubernetes.default.svc", ...(ipHost ? [] : [host])],
          ips: ["127.0.0.1", ...(ipHost && host !== "127.0.0.1" ? [host] : [])],
          eku: [x509.ExtendedKeyUsage.serverAuth],
        },
        apiCa,
      ),
      makeLeaf(
        {
          subject: "O=handshake:readers, CN=demo",
          notBefore: at(now, -DAY),
          notAfter: at(now, 365 * DAY),
          eku: [x509.ExtendedKeyUsage.clientAuth],
        },
        apiCa,
      ),
      makeCa(
        {
          name: "O=cluster.local, CN=Root CA",
          notBefore: at(now, -200 * DAY),
          notAfter: at(now, 3450 * DAY),
        },
        null,
      ),
      makeCa(
        {
          name: "CN=root.linkerd.cluster.local",
          notBefore: at(now, -7 * DAY),
          notAfter: at(now, 3643 * DAY),
        },
        null,
      ),
      makeCa(
        {
          name: "CN=root.linkerd.cluster.local",
          notBefore: at(now, -400 * DAY),
          notAfter: at(now, 3250 * DAY),
        },
        null,
      ),
      makeCa(
        {
          name: "O=Example Corp, CN=Example Corp Internal CA",
          notBefore: at(now, -300 * DAY),
          notAfter: at(now, 1525 * DAY),
        },
        null,
      ),
    ]);
  const [istioIntermediate, linkerdIssuer] = await Promise.all([
    makeCa(
      {
        name: "O=cluster.local, CN=Intermediate CA, L=demo-cluster",
        notBefore: at(now, -200 * DAY),
        notAfter: at(now, 1625 * DAY),
        pathLen: 0,
      },
      istioRoot,
    ),
    makeCa(
      {
        name: "CN=identity.linkerd.cluster.local",
        notBefore: at(now, -7 * DAY),
        notAfter: at(now, 358 * DAY),
        pathLen: 0,
      },
      linkerdAnchor,
    ),
  ]);
  return {
    apiCa,
    apiServer,
    apiClient,
    istioRoot,
    istioIntermediate,
    linkerdAnchor,
    linkerdPreviousAnchor,
    linkerdIssuer,
    internalCa,
  };
}
