// Certificates held by proxies, from their config dumps (istio.md §6): Envoy's SecretsConfigDump
// (raw admin output in snake_case, `istioctl … -o json` in camelCase) and ztunnel's `certificates[]`.
// Pure. Only certificate fields are ever read — `private_key` is never touched — and only
// CERTIFICATE PEM blocks are passed on. One broken secret becomes a problem; the rest still counts.
import type { ConfigDump, InputProblem } from "../../model/input";
import { arr, at, isObj, str, type Obj } from "../../model/read";
import type { CertInput, CertSource } from "../types";

export interface DumpPodInfo {
  serviceAccount: string;
  workload?: string;
}

export interface DumpCertInputs {
  inputs: CertInput[];
  problems: InputProblem[];
}

// ---------------------------------------------------------------------------------------------
// Shared PEM / base64 helpers (also used by fromObjects.ts)


/** The bytes of a base64 text as a binary string (one char per byte), or null when it is not base64. Whitespace is tolerated. */
export function decodeBase64(text: string): string | null {
  const b64 = text.replace(/\s+/g, "");
  if (b64.length % 4 === 1) return null;
  // Buffer, not atob or a regex: Node's own decoder, then a re-encode to reject stray characters
  // (Buffer.from silently skips them). 10k dumps spent half a second in the regex version.
  const buf = Buffer.from(b64, "base64");
  if (buf.toString("base64").replace(/=+$/, "") !== b64.replace(/=+$/, "")) return null;
  return buf.toString("latin1");
}

/** Base64 body in 64-column lines, as PEM writes it. */
function wrap64(body: string): string {
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  return lines.join("\n");
}

const CERT_TYPES = new Set(["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"]);
const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

export interface CertificateBlocks {
  /** The CERTIFICATE blocks, re-emitted canonically (64-column base64, one trailing newline each). Empty when there are none. */
  pem: string;
  count: number;
  /** Why some CERTIFICATE blocks were dropped; never quotes any content. */
  dropped: string[];
}

/**
 * Keeps only the well-formed CERTIFICATE blocks of a PEM text. Every other block (private keys above
 * all), text between blocks, and CERTIFICATE blocks that are malformed or whose content is not shaped
 * like a certificate (e.g. a key relabelled as one) are left out, so nothing but certificates goes on.
 */
export function certificateBlocks(text: string): CertificateBlocks {
  const begins: { type: string; start: number; body: number }[] = [];
  for (const m of text.matchAll(BEGIN))
    begins.push({ type: m[1]!, start: m.index, body: m.index + m[0].length });
  let pem = "";
  let count = 0;
  const dropped: string[] = [];
  begins.forEach((b, i) => {
    if (!CERT_TYPES.has(b.type)) return;
    const n = i + 1;
    const limit = begins[i + 1]?.start ?? text.length;
    const end = text.indexOf(`-----END ${b.type}-----`, b.body);
    if (end < 0 || end > limit) {
      dropped.push(`PEM block ${n} (${b.type}) has no END line`);
      return;
    }
    const body = text.slice(b.body, end).replace(/\s+/g, "");
    const der = decodeBase64(body);
    if (der === null || der.length === 0) {
      dropped.push(`PEM block ${n} (${b.type}) is not valid base64`);
      return;
    }
    if (!looksLikeCertificate(der)) {
      dropped.push(`PEM block ${n} (${b.type}) does not hold a certificate`);
      return;
    }
    pem += `-----BEGIN ${b.type}-----\n${wrap64(body)}\n-----END ${b.type}-----\n`;
    count++;
  });
  return { pem, count, dropped };
}

/**
 * A certificate is SEQUENCE { SEQUENCE tbsCertificate, … }; every private key encoding (PKCS#1,
 * PKCS#8, SEC 1) starts SEQUENCE { INTEGER version, … }. Checking the first inner tag is enough to
 * refuse a key dressed up as a certificate without parsing anything else.
 */
function looksLikeCertificate(der: string): boolean {
  if (der.charCodeAt(0) !== 0x30 || der.length < 4) return false;
  const len = der.charCodeAt(1);
  const header = len < 0x80 ? 2 : 2 + (len & 0x7f);
  return der.charCodeAt(header) === 0x30;
}

/** Both spellings of a proto field: raw Envoy admin (snake_case) and istioctl jsonpb (camelCase). */
function field(o: unknown, snake: string, camel: string): { value: unknown; name: string } {
  if (isObj(o)) {
    if (o[snake] !== undefined) return { value: o[snake], name: snake };
    if (o[camel] !== undefined) return { value: o[camel], name: camel };
  }
  return { value: undefined, name: snake };
}

// ---------------------------------------------------------------------------------------------
// Entry point

export function certInputsFromDump(dump: ConfigDump, pod?: DumpPodInfo): DumpCertInputs {
  const out: DumpCertInputs = { inputs: [], problems: [] };
  if (dump.kind === "ztunnel") readZtunnel(dump, out);
  else readEnvoy(dump, pod, out);
  return out;
}

interface Reader {
  dump: ConfigDump;
  out: DumpCertInputs;
  /** "config dump of pod shop/web-1" */
  label: string;
}

function problem(r: Reader, what: string, fieldPath: string, message: string): void {
  const p = r.dump.pod;
  r.out.problems.push({
    file: r.dump.at.file,
    ...(r.dump.at.line !== undefined ? { line: r.dump.at.line } : {}),
    ...(p ? { object: { kind: "Pod", namespace: p.namespace, name: p.name } } : {}),
    field: fieldPath,
    message: `${r.label}: ${what}: ${message}`,
  });
}

/** Decoded certificates of one value, or undefined after reporting why there are none. */
function certificates(
  r: Reader,
  text: string,
  what: string,
  fieldPath: string,
  name: string,
): string | undefined {
  const blocks = certificateBlocks(text);
  for (const d of blocks.dropped) problem(r, what, fieldPath, `${name}: ${d}`);
  if (blocks.count > 0) return blocks.pem;
  if (blocks.dropped.length === 0) problem(r, what, fieldPath, `${name} holds no PEM CERTIFICATE block`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Envoy

const SECRETS_DUMP = "SecretsConfigDump";

function readEnvoy(dump: ConfigDump, pod: DumpPodInfo | undefined, out: DumpCertInputs): void {
  const p = dump.pod;
  const r: Reader = {
    dump,
    out,
    label: p ? `config dump of pod ${p.namespace}/${p.name}` : `config dump ${dump.at.file}`,
  };
  const trustScope = p ? `proxy:${p.namespace}/${p.name}` : `proxy:${dump.at.file}`;

  const dumps: { body: Obj; path: string }[] = [];
  arr(at(dump.body, "configs")).forEach((c, i) => {
    if (isObj(c) && str(c["@type"])?.endsWith(SECRETS_DUMP)) dumps.push({ body: c, path: `configs[${i}]` });
  });
  // A bare SecretsConfigDump the loader did not wrap (defensive: it normally does).
  if (dumps.length === 0 && isObj(dump.body)) dumps.push({ body: dump.body, path: "" });

  for (const d of dumps) {
    const join = (k: string) => (d.path ? `${d.path}.${k}` : k);
    const active: { entry: Obj; path: string }[] = [];
    for (const [snake, camel] of [
      ["static_secrets", "staticSecrets"],
      ["dynamic_active_secrets", "dynamicActiveSecrets"],
    ] as const) {
      const list = field(d.body, snake, camel);
      arr(list.value).forEach((e, i) => {
        if (isObj(e)) active.push({ entry: e, path: join(`${list.name}[${i}]`) });
      });
    }
    // Warming secrets are ones the proxy asked for and has not got yet: they usually have no content
    // and are skipped by having none. One that does carry content counts only while no active secret
    // of that name exists (during a rotation the active one is what is served).
    const activeNames = new Set(active.map((a) => secretName(a.entry)));
    const warming = field(d.body, "dynamic_warming_secrets", "dynamicWarmingSecrets");
    arr(warming.value).forEach((e, i) => {
      if (isObj(e) && !activeNames.has(secretName(e)))
        active.push({ entry: e, path: join(`${warming.name}[${i}]`) });
    });

    for (const { entry, path } of active) readSecret(r, entry, path, pod, trustScope);
  }
}

function secretName(entry: Obj): string {
  return str(entry.name) ?? str(at(entry, "secret", "name")) ?? "";
}

/** An Envoy DataSource: inline_bytes (base64), inline_string (text); file and env sources hold no content here. */
function dataSource(
  r: Reader,
  ds: unknown,
  what: string,
  fieldPath: string,
  name: string,
): string | undefined {
  const bytes = field(ds, "inline_bytes", "inlineBytes");
  if (typeof bytes.value === "string") {
    const text = decodeBase64(bytes.value);
    if (text === null) {
      problem(r, what, `${fieldPath}.${bytes.name}`, `${name} is not valid base64`);
      return undefined;
    }
    return text.trim() === "" ? undefined : certificates(r, text, what, `${fieldPath}.${bytes.name}`, name);
  }
  // Empty content is no content (proto JSON normally omits empty bytes altogether).
  const inline = field(ds, "inline_string", "inlineString");
  if (typeof inline.value === "string" && inline.value.trim() !== "")
    return certificates(r, inline.value, what, `${fieldPath}.${inline.name}`, name);
  return undefined;
}

function readSecret(
  r: Reader,
  entry: Obj,
  path: string,
  pod: DumpPodInfo | undefined,
  trustScope: string,
): void {
  const name = secretName(entry);
  const secret = entry.secret;
  if (!isObj(secret)) return;
  const what = `secret ${name || "(unnamed)"}`;
  const p = r.dump.pod;
  const source: CertSource = {
    kind: "proxy",
    ...(p ? { namespace: p.namespace, pod: p.name } : {}),
    ...(name ? { name } : {}),
  };
  const base = { source, mesh: "istio" as const, trustScope, at: { ...r.dump.at } };

  const tls = field(secret, "tls_certificate", "tlsCertificate");
  if (isObj(tls.value)) {
    const chain = field(tls.value, "certificate_chain", "certificateChain");
    const chainPath = `${path}.secret.${tls.name}.${chain.name}`;
    const pem = dataSource(r, chain.value, what, chainPath, chain.name);
    if (pem !== undefined) {
      if (name === "default") {
        r.out.inputs.push({
          ...base,
          context: "workload-chain",
          pem,
          ...(p
            ? {
                owner: {
                  namespace: p.namespace,
                  ...(pod?.workload ? { workload: pod.workload } : {}),
                  pod: p.name,
                },
                ...(pod
                  ? { expectedSpiffe: { namespace: p.namespace, serviceAccount: pod.serviceAccount } }
                  : {}),
              }
            : {}),
        });
      } else {
        r.out.inputs.push({ ...base, context: "tls-chain", pem });
      }
    }
  }

  const vc = field(secret, "validation_context", "validationContext");
  if (!isObj(vc.value)) return;
  const vcPath = `${path}.secret.${vc.name}`;
  const trusted = field(vc.value, "trusted_ca", "trustedCa");
  if (trusted.value !== undefined) {
    const pem = dataSource(r, trusted.value, what, `${vcPath}.${trusted.name}`, trusted.name);
    if (pem !== undefined) r.out.inputs.push({ ...base, context: "trust-bundle", pem });
  }
  // SPIFFE validator (SPIRE / multiple trust domains): one bundle per trust domain.
  const custom = field(vc.value, "custom_validator_config", "customValidatorConfig");
  const typed = field(custom.value, "typed_config", "typedConfig");
  const domains = field(typed.value, "trust_domains", "trustDomains");
  arr(domains.value).forEach((td, i) => {
    const tdName = str(at(td, "name")) ?? "";
    const bundle = field(td, "trust_bundle", "trustBundle");
    const tdPath = `${vcPath}.${custom.name}.${typed.name}.${domains.name}[${i}].${bundle.name}`;
    const pem = dataSource(
      r,
      bundle.value,
      `${what}: trust domain ${tdName || `#${i + 1}`}`,
      tdPath,
      bundle.name,
    );
    if (pem !== undefined)
      r.out.inputs.push({
        ...base,
        context: "trust-bundle",
        pem,
        ...(tdName ? { trustDomains: [tdName] } : {}),
      });
  });
}

// ---------------------------------------------------------------------------------------------
// ztunnel

const SPIFFE_K8S = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;

function readZtunnel(dump: ConfigDump, out: DumpCertInputs): void {
  const p = dump.pod;
  const r: Reader = {
    dump,
    out,
    label: p ? `config dump of ztunnel pod ${p.namespace}/${p.name}` : `config dump ${dump.at.file}`,
  };
  const where = p ? `${p.namespace}/${p.name}` : dump.at.file;
  arr(at(dump.body, "certificates")).forEach((entry, i) => {
    if (!isObj(entry)) return;
    const identity = str(entry.identity) ?? "";
    const what = `certificate ${identity || `#${i + 1}`}`;
    const source: CertSource = {
      kind: "ztunnel",
      ...(p ? { namespace: p.namespace, pod: p.name } : {}),
      ...(identity ? { name: identity } : {}),
    };
    const trustScope = `ztunnel:${where}#${identity}`;
    const base = { mesh: "istio" as const, trustScope, at: { ...dump.at } };
    const m = SPIFFE_K8S.exec(identity);

    const chain = field(entry, "cert_chain", "certChain");
    const chainPem = ztunnelCerts(r, chain.value, what, `certificates[${i}].${chain.name}`, chain.name);
    if (chainPem)
      out.inputs.push({
        ...base,
        source: { ...source, key: "certChain" },
        context: "workload-chain",
        pem: chainPem,
        ...(m ? { owner: { namespace: m[1]! } } : {}),
      });

    const roots = field(entry, "root_certs", "rootCerts");
    const rootPem = ztunnelCerts(r, roots.value, what, `certificates[${i}].${roots.name}`, roots.name);
    if (rootPem)
      out.inputs.push({
        ...base,
        source: { ...source, key: "rootCerts" },
        context: "trust-bundle",
        pem: rootPem,
      });
  });
}

/** `[{pem, serialNumber, …}]` (PEM text; base64 of PEM tolerated) → the CERTIFICATE blocks in order. */
function ztunnelCerts(r: Reader, list: unknown, what: string, fieldPath: string, name: string): string {
  let pem = "";
  arr(list).forEach((c, i) => {
    const raw = typeof c === "string" ? c : str(at(c, "pem"));
    if (raw === undefined) return;
    const path = `${fieldPath}[${i}]`;
    let text = raw;
    if (!raw.includes("-----BEGIN")) {
      const decoded = decodeBase64(raw);
      if (decoded === null || !decoded.includes("-----BEGIN")) {
        problem(r, what, path, `${name}[${i}] is not PEM`);
        return;
      }
      text = decoded;
    }
    pem += certificates(r, text, what, path, `${name}[${i}]`) ?? "";
  });
  return pem;
}
