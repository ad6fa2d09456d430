// X.509 parse layer (pure: node:crypto only). PEM → DER blocks, DER → ParsedCert, signature checks.
//
// Measured 2026-11-27 on this machine (2 cores, Node 20.20.2, OpenSSL 3.0.19), distinct ECDSA P-256
// leaves (bench/certs.ts generator), µs per certificate over the first 2,000 / the next 2,000, one
// option per process:
//   parse  node:crypto new X509Certificate(der)                 100 / 100  (+ reading its fields: 131 / 129;
//          and it has no key usage, pathLen, SKID/AKID or signature algorithm: a DER pass would still be needed)
//          @peculiar/x509 new X509Certificate(der)              252 / 227  (+ reading fields/extensions: 729 / 711)
//          pkijs Certificate.fromBER                            577 / 527
//          asn1js fromBER alone (no field extraction)           284 / 257
//          this file's DER reader, every field + SHA-256         23 / 11
//   verify node X509Certificate.verify(issuer KeyObject)         61 / 61
//          crypto.verify over the TBS, cached issuer KeyObject   66 / 64
//          @peculiar/x509 verify (WebCrypto, async)             197 / 140
//          pkijs Certificate.verify (WebCrypto, async)          461 / 490
//   (sha256 of a DER: 2 / 1.5; decoding one config dump's JSON + base64 + PEM: 21.)
// node's X509Certificate (131 + 61 ≈ 190 µs, ≈ 1.9 s for 10k) would leave no margin under the 2 s
// target and still need a DER reader for the fields it lacks; the libraries are slower still.
// Chosen: the small DER reader below + crypto.verify over the TBS bytes with the issuer's KeyObject
// built once per issuer: bench/certs.ts measures 10k dumps decoded, parsed and verified cold in
// ≈ 1.15 s on one core (≈ 113 µs/cert, two thirds of it OpenSSL's ECDSA verify), so no worker threads.
// The signature check itself is OpenSSL's; only field extraction is ours, and x509.test.ts proves it
// equal, field by field, to node's X509Certificate and @peculiar/x509 on every certificate of the
// test PKI (test/pki.ts), and verifySignedBy equal to X509Certificate.verify on every pair.
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { escapeDnValue } from "./distinguishedName";

// analyzeCerts.ts reads escapeDnValue from here (describedBy; readthrough #6 moves it to commonNames).
export { escapeDnValue };

// ---------------------------------------------------------------------------------------------
// PEM

const CERT_TYPES = new Set(["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"]);
const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Every CERTIFICATE (and TRUSTED CERTIFICATE) block of a PEM text, as DER, in order. Blocks of any
 * other type (private keys above all) are skipped without being decoded, and nothing of them is
 * copied into the result, error messages included. Blocks are numbered by their position among all
 * PEM blocks of the text, from 1.
 */
export function pemCertificates(text: string): { ders: Uint8Array[]; errors: string[] } {
  const ders: Uint8Array[] = [];
  const errors: string[] = [];
  const begins: { type: string; start: number; body: number }[] = [];
  for (const m of text.matchAll(BEGIN))
    begins.push({ type: m[1]!, start: m.index, body: m.index + m[0].length });
  begins.forEach((b, i) => {
    if (!CERT_TYPES.has(b.type)) return;
    const n = i + 1;
    const limit = begins[i + 1]?.start ?? text.length;
    const endMarker = `-----END ${b.type}-----`;
    const end = text.indexOf(endMarker, b.body);
    if (end < 0 || end > limit) {
      errors.push(`PEM block ${n}: BEGIN ${b.type} without a matching END line`);
      return;
    }
    const b64 = text.slice(b.body, end).replace(/\s+/g, "");
    if (b64.length === 0) {
      errors.push(`PEM block ${n}: empty`);
      return;
    }
    if (!BASE64.test(b64) || b64.length % 4 === 1) {
      errors.push(`PEM block ${n}: invalid base64`);
      return;
    }
    const buf = Buffer.from(b64, "base64");
    // Only what starts like a Certificate leaves this function: a key pasted under a CERTIFICATE
    // label (SEQUENCE { INTEGER … }) is refused here, its bytes never copied.
    const certEnd = certificateEnd(buf);
    if (certEnd === null) {
      buf.fill(0);
      errors.push(`PEM block ${n}: not a DER certificate`);
      return;
    }
    // OpenSSL's TRUSTED CERTIFICATE appends trust settings (X509_CERT_AUX) after the certificate.
    if (certEnd !== buf.length && b.type !== "TRUSTED CERTIFICATE") {
      errors.push(`PEM block ${n}: ${buf.length - certEnd} trailing bytes after the certificate`);
      return;
    }
    // A copy of its own: small Buffers share a pooled slab with unrelated data.
    const der = new Uint8Array(certEnd);
    der.set(buf.subarray(0, certEnd));
    ders.push(der);
  });
  return { ders, errors };
}

/**
 * End of the outer SEQUENCE when the bytes are shaped like a Certificate, else null: SEQUENCE {
 * tbsCertificate SEQUENCE starting with [0] version or the serial INTEGER, signatureAlgorithm SEQUENCE,
 * signatureValue BIT STRING }. Every private key encoding fails it: PKCS#1, PKCS#8 and SEC 1 start
 * SEQUENCE { INTEGER, and an encrypted PKCS#8 key SEQUENCE { SEQUENCE { OID …, then an OCTET STRING.
 */
function certificateEnd(b: Uint8Array): number | null {
  const outer = sequenceAt(b, 0);
  const tbs = outer && sequenceAt(b, outer.value);
  if (!outer || !tbs || (b[tbs.value] !== 0xa0 && b[tbs.value] !== 0x02)) return null;
  const algorithm = tbs.end < outer.end ? sequenceAt(b, tbs.end) : null;
  return algorithm && algorithm.end < outer.end && b[algorithm.end] === 0x03 ? outer.end : null;
}

/** A SEQUENCE header at `p` that fits in `b`: where its value starts and ends (module level: no closure per certificate). */
function sequenceAt(b: Uint8Array, p: number): { value: number; end: number } | null {
  if (b[p] !== 0x30 || p + 2 > b.length) return null;
  let len = b[p + 1]!;
  let q = p + 2;
  if (len & 0x80) {
    const k = len & 0x7f;
    if (k === 0 || k > 4 || q + k > b.length) return null;
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + b[q++]!;
  }
  return q + len <= b.length ? { value: q, end: q + len } : null;
}

// ---------------------------------------------------------------------------------------------
// Parsed certificate

export interface ParsedCert {
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  /** "CN=x,O=y", RDNs in the order of the certificate, values escaped as in RFC 4514. */
  subject: string;
  issuer: string;
  /** Lowercase hex, no colons, no leading 00 bytes. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  uris: string[];
  ipAddresses: string[];
  /** rfc822Name SANs (email addresses), as written. */
  emailAddresses: string[];
  /** The URI SAN when exactly one URI SAN starts with spiffe://. */
  spiffeId: string | null;
  /** "ECDSA P-256", "ECDSA P-384", "RSA 2048", "RSA 4096", "Ed25519", … */
  keyAlgorithm: string;
  keyBits: number;
  /** "ecdsa-with-SHA256", "sha256WithRSAEncryption", "sha1WithRSAEncryption", "Ed25519", … (else the OID). */
  signatureAlgorithm: string;
  isCA: boolean;
  pathLen: number | null;
  /** "digitalSignature", "keyCertSign", "cRLSign", "keyEncipherment", … */
  keyUsage: string[];
  /** "serverAuth", "clientAuth", …, or the OID when unknown. */
  extKeyUsage: string[];
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** subject === issuer. */
  selfIssued: boolean;
}

/** What signature checks need, kept beside each ParsedCert (never part of the public object). */
interface Internals {
  tbs: Uint8Array;
  signature: Uint8Array;
  /** Outer signatureAlgorithm (OID + parameters), and the one inside the TBS: they must match. */
  sigAlgOid: string;
  sigAlgParams: Uint8Array | null;
  sigAlgMatchesTbs: boolean;
  spki: Uint8Array;
  keyFamily: "ec" | "rsa" | "rsa-pss" | "ed25519" | "ed448" | "other";
  key?: KeyObject | null;
}

const internals = new WeakMap<ParsedCert, Internals>();

// ---------------------------------------------------------------------------------------------
// DER reader: a cursor over one TLV at a time, bounds-checked; throws DerError with a short reason.

class DerError extends Error {}

interface Tlv {
  tag: number;
  /** Offsets into the buffer: the whole TLV [start, end), its value [valueStart, end). */
  start: number;
  valueStart: number;
  end: number;
}

function readTlv(b: Uint8Array, pos: number, limit: number, what: string): Tlv {
  if (pos + 2 > limit) throw new DerError(`truncated DER at ${what}`);
  const tag = b[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`unsupported high tag number at ${what}`);
  let len = b[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError(`indefinite length (BER, not DER) at ${what}`);
    if (n > 4) throw new DerError(`length too large at ${what}`);
    if (p + n > limit) throw new DerError(`truncated DER at ${what}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  const end = p + len;
  if (end > limit) throw new DerError(`truncated DER at ${what} (length ${len} runs past its container)`);
  return { tag, start: pos, valueStart: p, end };
}

function expect(b: Uint8Array, pos: number, limit: number, tag: number, what: string): Tlv {
  const t = readTlv(b, pos, limit, what);
  if (t.tag !== tag)
    throw new DerError(`expected ${what} (tag 0x${hex2(tag)}), found tag 0x${hex2(t.tag)} at offset ${pos}`);
  return t;
}

/** The children of a constructed TLV. */
function children(b: Uint8Array, t: Tlv, what: string): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.valueStart; p < t.end;) {
    const c = readTlv(b, p, t.end, what);
    out.push(c);
    p = c.end;
  }
  return out;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex2 = (n: number) => HEX[n & 0xff]!;

function toHex(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += HEX[b[i]!]!;
  return s;
}

const oidCache = new Map<string, string>();

function readOid(b: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06) throw new DerError(`expected an OBJECT IDENTIFIER at offset ${t.start}`);
  const raw = toHex(b, t.valueStart, t.end);
  const cached = oidCache.get(raw);
  if (cached !== undefined) return cached;
  if (t.end === t.valueStart) throw new DerError(`empty OBJECT IDENTIFIER at offset ${t.start}`);
  const parts: number[] = [];
  let v = 0;
  for (let i = t.valueStart; i < t.end; i++) {
    const byte = b[i]!;
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  const oid = parts.join(".");
  if (oidCache.size < 10_000) oidCache.set(raw, oid);
  return oid;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** A DirectoryString / IA5String / … value as text; null when the type is not a string type. */
function readString(b: Uint8Array, t: Tlv): string | null {
  switch (t.tag) {
    case 0x0c: // UTF8String
      return utf8.decode(b.subarray(t.valueStart, t.end));
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // TeletexString (T.61: read as Latin-1, as OpenSSL does)
      return latin1(b, t.valueStart, t.end);
    case 0x1e: {
      // BMPString: UTF-16BE
      let s = "";
      for (let i = t.valueStart; i + 1 < t.end; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = "";
      for (let i = t.valueStart; i + 3 < t.end; i += 4)
        s += String.fromCodePoint(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
      return s;
    }
    default:
      return null;
  }
}

export const ATTR_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.42": "GN",
  "2.5.4.43": "initials",
  "2.5.4.44": "generationQualifier",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "E",
};

/** Name → "CN=x,O=y" in certificate order; multi-valued RDNs joined with "+". */
function readName(b: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x30) throw new DerError(`expected a Name (SEQUENCE) at offset ${t.start}`);
  const rdns: string[] = [];
  for (const rdn of children(b, t, "Name")) {
    if (rdn.tag !== 0x31)
      throw new DerError(`expected a RelativeDistinguishedName (SET) at offset ${rdn.start}`);
    const avas: string[] = [];
    for (const ava of children(b, rdn, "RDN")) {
      const [type, value] = children(b, ava, "AttributeTypeAndValue");
      if (!type || !value) throw new DerError(`malformed AttributeTypeAndValue at offset ${ava.start}`);
      const oid = readOid(b, type);
      const text = readString(b, value);
      const name = ATTR_NAMES[oid] ?? oid;
      avas.push(`${name}=${text === null ? `#${toHex(b, value.start, value.end)}` : escapeDnValue(text)}`);
    }
    rdns.push(avas.join("+"));
  }
  return rdns.join(",");
}

function digits(b: Uint8Array, start: number, n: number): number {
  let v = 0;
  for (let i = start; i < start + n; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) throw new DerError("malformed time");
    v = v * 10 + d;
  }
  return v;
}

function readTime(b: Uint8Array, t: Tlv, what: string): Date {
  const p = t.valueStart;
  const len = t.end - p;
  let year: number;
  let q: number;
  if (t.tag === 0x17) {
    // UTCTime YYMMDDHHMM[SS]Z
    if (len !== 13 && len !== 11) throw new DerError(`malformed UTCTime in ${what}`);
    const yy = digits(b, p, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    q = p + 2;
  } else if (t.tag === 0x18) {
    // GeneralizedTime YYYYMMDDHHMMSS[.fff]Z
    if (len < 15) throw new DerError(`malformed GeneralizedTime in ${what}`);
    year = digits(b, p, 4);
    q = p + 4;
  } else throw new DerError(`expected a Time in ${what}, found tag 0x${hex2(t.tag)}`);
  const month = digits(b, q, 2);
  const day = digits(b, q + 2, 2);
  const hour = digits(b, q + 4, 2);
  const min = digits(b, q + 6, 2);
  let r = q + 8;
  let sec = 0;
  if (b[r] !== 0x5a) {
    sec = digits(b, r, 2);
    r += 2;
  }
  let ms = 0;
  if (t.tag === 0x18 && b[r] === 0x2e) {
    r++;
    let scale = 100;
    while (r < t.end && b[r] !== 0x5a) {
      ms += digits(b, r, 1) * scale;
      scale /= 10;
      r++;
    }
    ms = Math.floor(ms);
  }
  if (r !== t.end - 1 || b[r] !== 0x5a) throw new DerError(`${what} is not in UTC (no trailing Z)`);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
    throw new DerError(`out-of-range date in ${what}`);
  return new Date(Date.UTC(year, month - 1, day, hour, min, sec, ms));
}

const SIG_ALGS: Record<string, string> = {
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.10": "rsassaPss",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
  "1.2.840.10040.4.3": "dsa-with-SHA1",
  "2.16.840.1.101.3.4.3.2": "dsa-with-SHA256",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
};

/** Digest used by each signature algorithm (null: the algorithm hashes internally, EdDSA). */
const SIG_HASH: Record<string, string | null> = {
  "1.2.840.10045.4.1": "sha1",
  "1.2.840.10045.4.3.1": "sha224",
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.4": "md5",
  "1.2.840.113549.1.1.5": "sha1",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.2.840.113549.1.1.14": "sha224",
  "1.3.101.112": null,
  "1.3.101.113": null,
};
const SIG_FAMILY: Record<string, Internals["keyFamily"]> = {
  "1.2.840.10045.4.1": "ec",
  "1.2.840.10045.4.3.1": "ec",
  "1.2.840.10045.4.3.2": "ec",
  "1.2.840.10045.4.3.3": "ec",
  "1.2.840.10045.4.3.4": "ec",
  "1.2.840.113549.1.1.4": "rsa",
  "1.2.840.113549.1.1.5": "rsa",
  "1.2.840.113549.1.1.11": "rsa",
  "1.2.840.113549.1.1.12": "rsa",
  "1.2.840.113549.1.1.13": "rsa",
  "1.2.840.113549.1.1.14": "rsa",
  "1.3.101.112": "ed25519",
  "1.3.101.113": "ed448",
};

const CURVES: Record<string, [string, number]> = {
  "1.2.840.10045.3.1.7": ["P-256", 256],
  "1.3.132.0.34": ["P-384", 384],
  "1.3.132.0.35": ["P-521", 521],
  "1.3.132.0.10": ["secp256k1", 256],
  "1.2.840.10045.3.1.1": ["P-192", 192],
  "1.3.132.0.33": ["P-224", 224],
};

const HASH_OIDS: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

const KEY_USAGE = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];

const EKU: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
  "2.5.29.37.0": "anyExtendedKeyUsage",
};

/** Bit length of a DER INTEGER's magnitude (RSA modulus). */
function intBits(b: Uint8Array, t: Tlv): number {
  let i = t.valueStart;
  while (i < t.end && b[i] === 0) i++;
  if (i === t.end) return 0;
  return (t.end - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

function readPublicKey(
  b: Uint8Array,
  spki: Tlv,
): { keyAlgorithm: string; keyBits: number; family: Internals["keyFamily"] } {
  const [alg, key] = children(b, spki, "SubjectPublicKeyInfo");
  if (!alg || !key || alg.tag !== 0x30 || key.tag !== 0x03)
    throw new DerError("malformed SubjectPublicKeyInfo");
  const [oidT, params] = children(b, alg, "AlgorithmIdentifier");
  if (!oidT) throw new DerError("malformed public key AlgorithmIdentifier");
  const oid = readOid(b, oidT);
  // BIT STRING: first value byte is the count of unused bits.
  const bits = { tag: 0x30, start: key.valueStart + 1, valueStart: key.valueStart + 1, end: key.end };
  switch (oid) {
    case "1.2.840.10045.2.1": {
      const curve = params?.tag === 0x06 ? CURVES[readOid(b, params)] : undefined;
      if (curve) return { keyAlgorithm: `ECDSA ${curve[0]}`, keyBits: curve[1], family: "ec" };
      const curveOid = params?.tag === 0x06 ? readOid(b, params) : "explicit parameters";
      return {
        keyAlgorithm: `ECDSA ${curveOid}`,
        keyBits: Math.max(0, (bits.end - bits.valueStart - 1) * 4),
        family: "ec",
      };
    }
    case "1.2.840.113549.1.1.1":
    case "1.2.840.113549.1.1.10": {
      const rsaKey = readTlv(b, bits.valueStart, bits.end, "RSAPublicKey");
      const [modulus] = children(b, rsaKey, "RSAPublicKey");
      if (!modulus || modulus.tag !== 0x02) throw new DerError("malformed RSAPublicKey");
      const n = intBits(b, modulus);
      const pss = oid === "1.2.840.113549.1.1.10";
      return { keyAlgorithm: `${pss ? "RSA-PSS" : "RSA"} ${n}`, keyBits: n, family: pss ? "rsa-pss" : "rsa" };
    }
    case "1.3.101.112":
      return { keyAlgorithm: "Ed25519", keyBits: 256, family: "ed25519" };
    case "1.3.101.113":
      return { keyAlgorithm: "Ed448", keyBits: 456, family: "ed448" };
    case "1.2.840.10040.4.1": {
      // DSA: the size of p from the parameters.
      const [p] = params?.tag === 0x30 ? children(b, params, "Dss-Parms") : [];
      const n = p?.tag === 0x02 ? intBits(b, p) : 0;
      return { keyAlgorithm: `DSA ${n}`, keyBits: n, family: "other" };
    }
    default:
      return { keyAlgorithm: oid, keyBits: 0, family: "other" };
  }
}

function formatIp(b: Uint8Array, t: Tlv): string {
  const n = t.end - t.valueStart;
  if (n === 4)
    return `${b[t.valueStart]}.${b[t.valueStart + 1]}.${b[t.valueStart + 2]}.${b[t.valueStart + 3]}`;
  if (n !== 16) return toHex(b, t.valueStart, t.end);
  // RFC 5952: lowercase, leading zeros dropped, the longest run (≥ 2) of zero groups as "::".
  const groups: number[] = [];
  for (let i = t.valueStart; i < t.end; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const h = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  return best < 0 ? h(groups) : `${h(groups.slice(0, best))}::${h(groups.slice(best + bestLen))}`;
}

/**
 * Parses one DER certificate. Throws an Error with a one-line reason when it is not one.
 */
export function parseCertificate(der: Uint8Array): ParsedCert {
  return parseWith(der, null);
}

function parseWith(der: Uint8Array, fingerprint: string | null): ParsedCert {
  try {
    return parse(der, fingerprint);
  } catch (e) {
    if (e instanceof DerError) throw new Error(`not an X.509 certificate: ${e.message}`);
    throw new Error(`not an X.509 certificate: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

/** A certificate's fingerprint: SHA-256 of its DER, lowercase hex (ParsedCert.fingerprint). */
export const fingerprintOf = (der: Uint8Array): string => createHash("sha256").update(der).digest("hex");
const sha256 = fingerprintOf;

function parse(b: Uint8Array, fingerprint: string | null): ParsedCert {
  if (b.length === 0) throw new DerError("empty input");
  const cert = expect(b, 0, b.length, 0x30, "Certificate SEQUENCE");
  if (cert.end !== b.length)
    throw new DerError(`${b.length - cert.end} trailing bytes after the certificate`);
  const top = children(b, cert, "Certificate");
  const [tbsT, sigAlgT, sigT] = top;
  if (top.length !== 3 || !tbsT || !sigAlgT || !sigT)
    throw new DerError("Certificate is not a SEQUENCE of 3 elements");
  if (tbsT.tag !== 0x30) throw new DerError("tbsCertificate is not a SEQUENCE");
  if (sigAlgT.tag !== 0x30) throw new DerError("signatureAlgorithm is not a SEQUENCE");
  if (sigT.tag !== 0x03 || sigT.end === sigT.valueStart)
    throw new DerError("signatureValue is not a BIT STRING");

  const f = children(b, tbsT, "tbsCertificate");
  let i = 0;
  if (f[0]?.tag === 0xa0) i++; // version [0] EXPLICIT
  const serialT = f[i++];
  const innerSigAlgT = f[i++];
  const issuerT = f[i++];
  const validityT = f[i++];
  const subjectT = f[i++];
  const spkiT = f[i++];
  if (!serialT || !innerSigAlgT || !issuerT || !validityT || !subjectT || !spkiT)
    throw new DerError("tbsCertificate has too few fields");
  if (serialT.tag !== 0x02) throw new DerError("serialNumber is not an INTEGER");
  if (spkiT.tag !== 0x30) throw new DerError("subjectPublicKeyInfo is not a SEQUENCE");
  let extsT: Tlv | undefined;
  for (; i < f.length; i++) if (f[i]!.tag === 0xa3) extsT = f[i];

  let s = serialT.valueStart;
  while (s < serialT.end - 1 && b[s] === 0) s++;
  const serialNumber = toHex(b, s, serialT.end);

  const [nbT, naT] = validityT.tag === 0x30 ? children(b, validityT, "Validity") : [];
  if (!nbT || !naT) throw new DerError("malformed Validity");
  const notBefore = readTime(b, nbT, "notBefore");
  const notAfter = readTime(b, naT, "notAfter");

  const issuer = readName(b, issuerT);
  const subject = readName(b, subjectT);
  const pk = readPublicKey(b, spkiT);

  const [sigOidT, sigParamsT] = children(b, sigAlgT, "signatureAlgorithm");
  if (!sigOidT) throw new DerError("malformed signatureAlgorithm");
  const sigAlgOid = readOid(b, sigOidT);
  const sigAlgParams =
    sigParamsT && sigParamsT.tag !== 0x05 ? b.subarray(sigParamsT.start, sigParamsT.end) : null;

  const dnsNames: string[] = [];
  const emailAddresses: string[] = [];
  const uris: string[] = [];
  const ipAddresses: string[] = [];
  let isCA = false;
  let pathLen: number | null = null;
  const keyUsage: string[] = [];
  const extKeyUsage: string[] = [];
  let subjectKeyId: string | null = null;
  let authorityKeyId: string | null = null;

  if (extsT) {
    const list = readTlv(b, extsT.valueStart, extsT.end, "Extensions");
    if (list.tag !== 0x30) throw new DerError("extensions are not a SEQUENCE");
    for (const ext of children(b, list, "Extensions")) {
      const parts = children(b, ext, "Extension");
      const oidT = parts[0];
      const valueT = parts[parts.length - 1];
      if (!oidT || !valueT || valueT.tag !== 0x04)
        throw new DerError(`malformed Extension at offset ${ext.start}`);
      const oid = readOid(b, oidT);
      switch (oid) {
        case "2.5.29.17": {
          // subjectAltName: GeneralNames
          const names = readTlv(b, valueT.valueStart, valueT.end, "subjectAltName");
          for (const gn of children(b, names, "GeneralName")) {
            if (gn.tag === 0x82) dnsNames.push(latin1(b, gn.valueStart, gn.end));
            else if (gn.tag === 0x81) emailAddresses.push(latin1(b, gn.valueStart, gn.end));
            else if (gn.tag === 0x86) uris.push(latin1(b, gn.valueStart, gn.end));
            else if (gn.tag === 0x87) ipAddresses.push(formatIp(b, gn));
          }
          break;
        }
        case "2.5.29.19": {
          // basicConstraints: SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
          const bc = readTlv(b, valueT.valueStart, valueT.end, "basicConstraints");
          for (const c of children(b, bc, "basicConstraints")) {
            if (c.tag === 0x01) isCA = c.end > c.valueStart && b[c.valueStart] !== 0;
            else if (c.tag === 0x02) {
              let v = 0;
              for (let k = c.valueStart; k < c.end; k++) v = v * 256 + b[k]!;
              pathLen = v;
            }
          }
          break;
        }
        case "2.5.29.15": {
          // keyUsage BIT STRING
          const ku = readTlv(b, valueT.valueStart, valueT.end, "keyUsage");
          for (let k = ku.valueStart + 1, bit = 0; k < ku.end; k++)
            for (let m = 0x80; m > 0; m >>= 1, bit++)
              if (b[k]! & m && bit < KEY_USAGE.length) keyUsage.push(KEY_USAGE[bit]!);
          break;
        }
        case "2.5.29.37": {
          const eku = readTlv(b, valueT.valueStart, valueT.end, "extKeyUsage");
          for (const o of children(b, eku, "extKeyUsage")) {
            const e = readOid(b, o);
            extKeyUsage.push(EKU[e] ?? e);
          }
          break;
        }
        case "2.5.29.14": {
          const k = readTlv(b, valueT.valueStart, valueT.end, "subjectKeyIdentifier");
          subjectKeyId = toHex(b, k.valueStart, k.end);
          break;
        }
        case "2.5.29.35": {
          const aki = readTlv(b, valueT.valueStart, valueT.end, "authorityKeyIdentifier");
          for (const c of children(b, aki, "authorityKeyIdentifier"))
            if (c.tag === 0x80) authorityKeyId = toHex(b, c.valueStart, c.end);
          break;
        }
      }
    }
  }

  const spiffe = uris.filter((u) => u.startsWith("spiffe://"));
  const parsed: ParsedCert = {
    fingerprint: fingerprint ?? sha256(b),
    subject,
    issuer,
    serialNumber,
    notBefore,
    notAfter,
    dnsNames,
    uris,
    ipAddresses,
    emailAddresses,
    spiffeId: spiffe.length === 1 ? spiffe[0]! : null,
    keyAlgorithm: pk.keyAlgorithm,
    keyBits: pk.keyBits,
    signatureAlgorithm: SIG_ALGS[sigAlgOid] ?? sigAlgOid,
    isCA,
    pathLen,
    keyUsage,
    extKeyUsage,
    subjectKeyId,
    authorityKeyId,
    selfIssued: subject === issuer,
  };
  internals.set(parsed, {
    tbs: b.subarray(tbsT.start, tbsT.end),
    signature: b.subarray(sigT.valueStart + 1, sigT.end),
    sigAlgOid,
    sigAlgParams,
    sigAlgMatchesTbs: sameBytes(b, sigAlgT, innerSigAlgT),
    spki: b.subarray(spkiT.start, spkiT.end),
    keyFamily: pk.family,
  });
  return parsed;
}

function sameBytes(b: Uint8Array, x: Tlv, y: Tlv): boolean {
  if (x.end - x.start !== y.end - y.start) return false;
  for (let k = 0; k < x.end - x.start; k++) if (b[x.start + k] !== b[y.start + k]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Signatures

function publicKey(n: Internals): KeyObject | null {
  if (n.key === undefined) {
    try {
      n.key = createPublicKey({
        key: Buffer.from(n.spki.buffer, n.spki.byteOffset, n.spki.length),
        format: "der",
        type: "spki",
      });
    } catch {
      n.key = null;
    }
  }
  return n.key;
}

/** RSASSA-PSS-params → hash and salt length; null when unsupported (MGF1 hash differing from the digest). */
function pssParams(p: Uint8Array | null): { hash: string; saltLength: number } | null {
  let hash = "sha1";
  let mgfHash = "sha1";
  let saltLength = 20;
  if (p) {
    const seq = readTlv(p, 0, p.length, "RSASSA-PSS-params");
    for (const c of children(p, seq, "RSASSA-PSS-params")) {
      const inner = readTlv(p, c.valueStart, c.end, "RSASSA-PSS-params field");
      if (c.tag === 0xa0) {
        const [o] = children(p, inner, "hashAlgorithm");
        hash = (o && HASH_OIDS[readOid(p, o)]) ?? "";
      } else if (c.tag === 0xa1) {
        const [o, hashAlg] = children(p, inner, "maskGenAlgorithm");
        if (!o || readOid(p, o) !== "1.2.840.113549.1.1.8" || !hashAlg) return null;
        const [ho] = children(p, hashAlg, "MGF1 hash");
        mgfHash = (ho && HASH_OIDS[readOid(p, ho)]) ?? "";
      } else if (c.tag === 0xa2) {
        saltLength = 0;
        for (let k = inner.valueStart; k < inner.end; k++) saltLength = saltLength * 256 + p[k]!;
      }
    }
  }
  return hash && hash === mgfHash ? { hash, saltLength } : null;
}

/**
 * True when `child`'s signature verifies with `issuer`'s public key (a signature check only: names,
 * validity and constraints are the caller's). False, never a throw, on a mismatch or an algorithm
 * this layer does not support. Both must come from parseCertificate / a cert cache.
 */
export function verifySignedBy(child: ParsedCert, issuer: ParsedCert): boolean {
  const c = internals.get(child);
  const i = internals.get(issuer);
  if (!c || !i || !c.sigAlgMatchesTbs) return false;
  try {
    if (c.sigAlgOid === "1.2.840.113549.1.1.10") {
      if (i.keyFamily !== "rsa" && i.keyFamily !== "rsa-pss") return false;
      const pss = pssParams(c.sigAlgParams);
      const key = publicKey(i);
      if (!pss || !key) return false;
      return cryptoVerify(
        pss.hash,
        c.tbs,
        { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: pss.saltLength },
        c.signature,
      );
    }
    const family = SIG_FAMILY[c.sigAlgOid];
    const hash = SIG_HASH[c.sigAlgOid];
    if (!family || hash === undefined) return false;
    if (family !== i.keyFamily && !(family === "rsa" && i.keyFamily === "rsa-pss")) return false;
    const key = publicKey(i);
    if (!key) return false;
    return cryptoVerify(hash, c.tbs, key, c.signature);
  } catch {
    return false;
  }
}

/**
 * True when both certificates carry the same SubjectPublicKeyInfo, byte for byte (a cross-signed copy of
 * a root and the root itself). Both must come from parseCertificate / a cert cache.
 */
export function samePublicKey(a: ParsedCert, b: ParsedCert): boolean {
  const x = internals.get(a)?.spki;
  const y = internals.get(b)?.spki;
  if (!x || !y || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Cache

export interface CertCache {
  /** Parses a DER once per distinct content (keyed by its SHA-256); later calls answer from the cache. */
  parse(der: Uint8Array): ParsedCert | { error: string };
  /** verifySignedBy, memoised per (child, issuer) fingerprint pair. */
  verify(child: ParsedCert, issuer: ParsedCert): boolean;
  stats(): { parsed: number; hits: number; verified: number };
}

export function createCertCache(): CertCache {
  const byFp = new Map<string, ParsedCert | { error: string }>();
  const verdicts = new Map<string, boolean>();
  let parsed = 0;
  let hits = 0;
  let verified = 0;
  return {
    parse(der) {
      const fp = sha256(der);
      const known = byFp.get(fp);
      if (known) {
        hits++;
        return known;
      }
      parsed++;
      let r: ParsedCert | { error: string };
      try {
        r = parseWith(der, fp);
      } catch (e) {
        r = { error: e instanceof Error ? e.message : String(e) };
      }
      byFp.set(fp, r);
      return r;
    },
    verify(child, issuer) {
      const key = `${child.fingerprint}${issuer.fingerprint}`;
      const known = verdicts.get(key);
      if (known !== undefined) return known;
      verified++;
      const ok = verifySignedBy(child, issuer);
      verdicts.set(key, ok);
      return ok;
    },
    stats: () => ({ parsed, hits, verified }),
  };
}
