// Certificate benchmark: `count` distinct ECDSA P-256 workload leaves under one root + intermediate,
// each wrapped in an Envoy /config_dump JSON string as a sidecar would answer, then — COLD: a fresh
// cert cache, first run in the process — decode dumps → extract PEMs → parse → verify each chain to
// the root. Generation is timed separately and not counted. Target: < 2000 ms for 10,000 leaves.
//
// Fast generation: root, intermediate and one template leaf come from @peculiar/x509; every other
// leaf is the template's TBS with its serial number and SPIFFE ID patched in place (same lengths)
// and re-signed with node:crypto by the intermediate's key (one leaf key pair for all: only the
// certificates must differ).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createCertCache, pemCertificates, type CertCache, type ParsedCert } from "../lib/core/certs/x509";
import { configDump } from "../test/pki";
import { parseManifestText } from "../lib/core/load/parseManifests";
import { buildModel } from "../lib/core/model/buildModel";
import { collectCertInputs } from "../lib/core/certs/collect";
import { analyzeCertificates, toSnapshotCertificate } from "../lib/core/certs/analyzeCerts";

/** The production path: loader (dump → pod), readers, then the certificate analysis. */
function throughPipeline(dumps: string[]): { ms: number; certificates: number; verified: number } {
  const t0 = performance.now();
  const parsed = dumps.map((d, i) => parseManifestText(d, `bench-${i}.bench.json`));
  const model = buildModel({ objects: [], configDumps: parsed.flatMap((p) => p.configDumps), problems: [] });
  const c = collectCertInputs(model, []);
  const report = analyzeCertificates({
    now: NOW,
    inputs: c.inputs,
    certManager: c.certManager,
    spire: c.spire,
  });
  // As the snapshot lists them (each certificate with its de-duplicated sources).
  report.entries.map(toSnapshotCertificate);
  const ms = performance.now() - t0;
  return {
    ms,
    certificates: report.entries.length,
    verified: report.entries.filter((e) => e.chain.verified).length,
  };
}

const TARGET_MS = 2000;
const NOW = new Date("2026-11-27T12:00:00Z");
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as EcdsaParams;

const SERIAL_MARK = "7e5e71a1000000000000000000000000"; // 16 bytes, positive
const NS_MARK = "bench-0000";
const SA_MARK = "sa-000000";

export interface BenchPki {
  rootPem: string;
  intermediatePem: string;
  /** DER of each distinct leaf. */
  leaves: Uint8Array[];
  /** One Envoy config dump JSON string per leaf (chain: leaf + intermediate; ROOTCA: root). */
  dumps: string[];
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const head = [tag, ...derLength(len)];
  const out = new Uint8Array(head.length + len);
  out.set(head, 0);
  let o = head.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Start/end of each child TLV of the constructed TLV at `pos` (short helper for the template). */
function childSpans(b: Uint8Array, pos: number): { start: number; end: number }[] {
  const span = (p: number) => {
    let len = b[p + 1]!;
    let q = p + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[q++]!;
    }
    return { start: p, value: q, end: q + len };
  };
  const outer = span(pos);
  const out: { start: number; end: number }[] = [];
  for (let p = outer.value; p < outer.end;) {
    const c = span(p);
    out.push({ start: c.start, end: c.end });
    p = c.end;
  }
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;

async function exportKey(k: CryptoKey): Promise<KeyObject> {
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", k));
  return createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
}

/** The benchmark's PKI: root, intermediate and `count` distinct leaves, each in its own config dump. */
export async function generateBenchPki(count: number): Promise<BenchPki> {
  x509.cryptoProvider.set(crypto);
  const gen = async () => (await crypto.subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair;
  const [rootKeys, intKeys, leafKeys] = await Promise.all([gen(), gen(), gen()]);
  const caExt = async (k: CryptoKeyPair) => [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(k.publicKey),
  ];
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "O=cluster.local, CN=Bench Root CA",
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 3650 * DAY),
    signingAlgorithm: SIGN,
    keys: rootKeys,
    extensions: await caExt(rootKeys),
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "O=cluster.local, CN=Bench Intermediate CA",
    issuer: root.subject,
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 1825 * DAY),
    signingAlgorithm: SIGN,
    publicKey: intKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      ...(await caExt(intKeys)),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const template = await x509.X509CertificateGenerator.create({
    serialNumber: SERIAL_MARK,
    subject: "",
    issuer: intermediate.subject,
    notBefore: new Date(NOW.getTime() - HOUR),
    notAfter: new Date(NOW.getTime() + 23 * HOUR),
    signingAlgorithm: SIGN,
    publicKey: leafKeys.publicKey,
    signingKey: intKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(
        [{ type: "url", value: `spiffe://cluster.local/ns/${NS_MARK}/sa/${SA_MARK}` }],
        true,
      ),
      await x509.AuthorityKeyIdentifierExtension.create(intKeys.publicKey),
    ],
  });

  const der = new Uint8Array(template.rawData);
  const [tbsSpan, algSpan] = childSpans(der, 0);
  if (!tbsSpan || !algSpan) throw new Error("bench: unexpected template certificate layout");
  const tbs = der.slice(tbsSpan.start, tbsSpan.end);
  const sigAlg = der.slice(algSpan.start, algSpan.end);
  const serialAt = indexOf(tbs, Buffer.from(`0210${SERIAL_MARK}`, "hex")) + 2;
  const nsAt = indexOf(tbs, Buffer.from(NS_MARK)) + "bench-".length;
  const saAt = indexOf(tbs, Buffer.from(SA_MARK)) + "sa-".length;
  if (serialAt < 2 || nsAt < 6 || saAt < 3) throw new Error("bench: markers not found in the template TBS");
  const intKey = await exportKey(intKeys.privateKey);

  const rootPem = root.toString("pem") + "\n";
  const intermediatePem = intermediate.toString("pem") + "\n";
  const leaves: Uint8Array[] = [];
  const dumps: string[] = [];
  const ascii = (s: string, at: number, into: Uint8Array) => {
    for (let k = 0; k < s.length; k++) into[at + k] = s.charCodeAt(k);
  };
  for (let i = 0; i < count; i++) {
    const t = tbs.slice();
    // Serial: 0x7e then the index in the last 4 bytes, the rest from the marker (stays positive).
    new DataView(t.buffer, t.byteOffset + serialAt + 12, 4).setUint32(0, i);
    const ns = String(i % 500).padStart(4, "0");
    const sa = String(i).padStart(6, "0");
    ascii(ns, nsAt, t);
    ascii(sa, saAt, t);
    const sig = sign("sha256", t, intKey);
    const leaf = tlv(0x30, t, sigAlg, tlv(0x03, Uint8Array.of(0), sig));
    leaves.push(leaf);
    dumps.push(
      JSON.stringify(
        configDump({
          chainPem: pem(leaf) + intermediatePem,
          rootPem,
          nodeId: `web-${sa}.bench-${ns}`,
        }),
      ),
    );
  }
  return { rootPem, intermediatePem, leaves, dumps };
}

// ---------------------------------------------------------------------------------------------
// What is timed: the reading side, as the analysis does it.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const get = (o: unknown, snake: string, camel: string): unknown =>
  isObj(o) ? (o[snake] ?? o[camel]) : undefined;
const fromB64 = (v: unknown) => (typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : "");

/** The `default` chain and `ROOTCA` bundle PEMs of an Envoy config dump (snake_case or camelCase). */
function dumpPems(dump: unknown): { chain: string; roots: string } {
  let chain = "";
  let roots = "";
  const configs = get(dump, "configs", "configs");
  for (const c of Array.isArray(configs) ? configs : []) {
    if (!isObj(c) || typeof c["@type"] !== "string" || !c["@type"].endsWith("SecretsConfigDump")) continue;
    const active = get(c, "dynamic_active_secrets", "dynamicActiveSecrets");
    for (const s of Array.isArray(active) ? active : []) {
      const secret = get(s, "secret", "secret");
      const tls = get(secret, "tls_certificate", "tlsCertificate");
      const vc = get(secret, "validation_context", "validationContext");
      if (tls)
        chain += fromB64(
          get(get(tls, "certificate_chain", "certificateChain"), "inline_bytes", "inlineBytes"),
        );
      if (vc) roots += fromB64(get(get(vc, "trusted_ca", "trustedCa"), "inline_bytes", "inlineBytes"));
    }
  }
  return { chain, roots };
}

function parseAll(cache: CertCache, pemText: string): ParsedCert[] {
  const out: ParsedCert[] = [];
  for (const der of pemCertificates(pemText).ders) {
    const r = cache.parse(der);
    if (!("error" in r)) out.push(r);
  }
  return out;
}

/** Leaf → … → a member of the bundle, by signatures (the analysis adds names and validity). */
function chainVerifies(cache: CertCache, chain: ParsedCert[], bundle: ParsedCert[]): boolean {
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i]!;
    if (bundle.some((b) => b.fingerprint === c.fingerprint)) return true;
    const next = chain[i + 1];
    if (next && cache.verify(c, next)) continue;
    return bundle.some((b) => cache.verify(c, b));
  }
  return false;
}

export interface BenchCertsResult {
  count: number;
  generateMs: number;
  coldMs: number;
  usPerCert: number;
  verified: number;
  stats: { parsed: number; hits: number; verified: number };
  /** A second pass with a fresh cache (JIT warm): for information only. */
  warmMs: number;
  pass: boolean;
  lines: string[];
}

function readAll(dumps: string[]): { ms: number; ok: number; cache: CertCache } {
  const cache = createCertCache();
  const t0 = performance.now();
  let ok = 0;
  for (const text of dumps) {
    const { chain, roots } = dumpPems(JSON.parse(text));
    if (chainVerifies(cache, parseAll(cache, chain), parseAll(cache, roots))) ok++;
  }
  return { ms: performance.now() - t0, ok, cache };
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export async function benchCerts(count = 10000): Promise<BenchCertsResult> {
  const g0 = performance.now();
  const pki = await generateBenchPki(count);
  const generateMs = performance.now() - g0;

  const cold = readAll(pki.dumps);
  const warm = readAll(pki.dumps);
  const full = throughPipeline(pki.dumps);
  const stats = cold.cache.stats();
  const pass = cold.ms < TARGET_MS * (count / 10000) && cold.ok === count;
  const lines = [
    `certs: ${count} distinct ECDSA P-256 leaves (shared root + intermediate), one Envoy config dump each`,
    `  generate (not counted)       ${round(generateMs)} ms`,
    `  cold: decode+parse+verify    ${round(cold.ms)} ms  (${round((cold.ms * 1000) / count)} µs/cert), ${cold.ok}/${count} chains verified`,
    `  cache                        parsed ${stats.parsed}, hits ${stats.hits}, signature checks ${stats.verified}`,
    `  warm (fresh cache, 2nd run)  ${round(warm.ms)} ms  (${round((warm.ms * 1000) / count)} µs/cert)`,
    `  production path (loader + readers + analysis, after the above): ${round(full.ms)} ms, ${full.certificates} distinct certificates, ${full.verified} verified`,
    // The product's whole path, judged too: the line below times the certificate core through the
    // bench's own dump reader; this one is what a refresh pays (loader, readers, analysis, snapshot).
    `${full.ms < TARGET_MS * (count / 10000) ? "PASS" : "FAIL"} production path < ${round(TARGET_MS * (count / 10000))} ms (${round(full.ms)} ms, measured after the runs above)`,
    `${pass ? "PASS" : "FAIL"} certs parse+verify < ${round(TARGET_MS * (count / 10000))} ms (cold ${round(cold.ms)} ms${cold.ok === count ? "" : `, ${count - cold.ok} chains failed`})`,
  ];
  return {
    count,
    generateMs: round(generateMs),
    coldMs: round(cold.ms),
    usPerCert: round((cold.ms * 1000) / count),
    verified: cold.ok,
    stats,
    warmMs: round(warm.ms),
    pass,
    lines,
  };
}
