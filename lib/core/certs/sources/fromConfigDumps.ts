// Certificates held by proxies, from their config dumps (istio.md §6): Envoy's SecretsConfigDump
// (raw admin output in snake_case, `istioctl … -o json` in camelCase) and ztunnel's `certificates[]`.
// Pure. Only certificate fields are ever read — `private_key` is never touched — and only the DER of
// CERTIFICATE PEM blocks is passed on (x509.ts's `pemCertificates`, the one PEM reader, refuses a key
// under a certificate label). One broken secret becomes a problem; the rest still counts.
import type { ConfigDump, InputProblem } from "../../model/input";
import { arr, at, isObj, str, type Obj } from "../../model/read";
import type { CertInput, CertSource } from "../types";
import { parseCertificate, pemCertificates } from "../x509";

export interface DumpPodInfo {
  serviceAccount: string;
  workload?: string;
}

export interface DumpCertInputs {
  inputs: CertInput[];
  problems: InputProblem[];
}

// ---------------------------------------------------------------------------------------------
// Base64 helper (also used by fromObjects.ts)

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

/**
 * The certificates (DER) of one value, or undefined after reporting why there are none. Decoded once,
 * here, by the analysis's own PEM reader: the analysis takes the DER as it is.
 */
function certificates(
  r: Reader,
  text: string,
  what: string,
  fieldPath: string,
  name: string,
): Uint8Array[] | undefined {
  const blocks = pemCertificates(text);
  for (const e of blocks.errors) problem(r, what, fieldPath, `${name}: ${e}`);
  if (blocks.ders.length > 0) return blocks.ders;
  if (blocks.errors.length === 0) problem(r, what, fieldPath, `${name} holds no PEM CERTIFICATE block`);
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

    const meshFiles = mountedMeshFiles(active.map((a) => a.entry));
    for (const { entry, path } of active) readSecret(r, entry, path, pod, trustScope, meshFiles);
  }
}

/**
 * istio-agent's name for the OS CA bundle it serves itself (security.FileRootSystemCACert), for a
 * DestinationRule SIMPLE/MUTUAL without caCertificates. A `file-root:<path>` names a file someone
 * chose, even an OS bundle path (a corporate CA may be mounted or built in there): it is read.
 */
const OS_TRUST_STORE = "file-root:system";

/** Istio's mounted mesh certificates (security.DefaultCertChainFilePath, DefaultRootCertFilePath: ./etc/certs/…). */
const MESH_CERT_FILES =
  /^(file-cert:\.?\/etc\/certs\/cert-chain\.pem~|file-root:\.?\/etc\/certs\/root-cert\.pem$)/;

/**
 * The `file-cert:`/`file-root:` secrets that are the proxy's mesh identity and roots: Istio's mounted
 * mesh files (MESH_CERT_FILES) always; with no `default`/`ROOTCA` SDS secret, a `file-cert:` whose leaf
 * carries a SPIFFE ID (a mesh identity mounted elsewhere), and then the `file-root:` beside it. A
 * gateway's file-served public certificate (a DNS name, no SPIFFE ID) is TLS with parties outside the
 * mesh, like its credentialName: no workload identity, and the mesh roots do not judge it.
 */
function mountedMeshFiles(entries: Obj[]): Set<string> {
  const names = entries.map(secretName);
  const out = new Set(names.filter((n) => MESH_CERT_FILES.test(n)));
  if (names.includes("default") || names.includes("ROOTCA")) return out;
  const identities = entries
    .filter((e) => secretName(e).startsWith("file-cert:") && leafCarriesSpiffeId(e))
    .map(secretName);
  if (identities.length === 0) return out;
  for (const n of identities) out.add(n);
  for (const n of names) if (n.startsWith("file-root:")) out.add(n);
  return out;
}

/**
 * The first certificate of an SDS secret's inline chain carries a SPIFFE URI SAN (read quietly:
 * readSecret reports any problem). Any URI SAN whose scheme reads "spiffe" in any case counts, as it
 * did when this was written (DECISIONS, reviews/certs2 #5): looser than ParsedCert.spiffeId, which is
 * set only for exactly one lower-case spiffe:// URI, so a leaf with two SPIFFE IDs still marks the
 * file as the proxy's mesh identity here.
 */
function leafCarriesSpiffeId(entry: Obj): boolean {
  const tls = field(entry.secret, "tls_certificate", "tlsCertificate");
  const text = inlineText(field(tls.value, "certificate_chain", "certificateChain").value)?.text;
  const der = text ? pemCertificates(text).ders[0] : undefined;
  if (!der) return false;
  try {
    return parseCertificate(der).uris.some((u) => u.toLowerCase().startsWith("spiffe://"));
  } catch {
    return false;
  }
}

function secretName(entry: Obj): string {
  return str(entry.name) ?? str(at(entry, "secret", "name")) ?? "";
}

/**
 * An Envoy DataSource's inline content and the field it is in: inline_bytes (base64; text null when it
 * is not valid base64), else inline_string; null for file and env sources, which hold no content here.
 */
function inlineText(ds: unknown): { text: string | null; field: string } | null {
  const bytes = field(ds, "inline_bytes", "inlineBytes");
  if (typeof bytes.value === "string") return { text: decodeBase64(bytes.value), field: bytes.name };
  const inline = field(ds, "inline_string", "inlineString");
  if (typeof inline.value === "string") return { text: inline.value, field: inline.name };
  return null;
}

/** An Envoy DataSource's certificates (inlineText). */
function dataSource(
  r: Reader,
  ds: unknown,
  what: string,
  fieldPath: string,
  name: string,
): Uint8Array[] | undefined {
  const inline = inlineText(ds);
  if (inline === null) return undefined;
  const path = `${fieldPath}.${inline.field}`;
  if (inline.text === null) {
    problem(r, what, path, `${name} is not valid base64`);
    return undefined;
  }
  // Empty content is no content (proto JSON normally omits empty bytes altogether).
  return inline.text.trim() === "" ? undefined : certificates(r, inline.text, what, path, name);
}

function readSecret(
  r: Reader,
  entry: Obj,
  path: string,
  pod: DumpPodInfo | undefined,
  trustScope: string,
  meshFiles: Set<string>,
): void {
  const name = secretName(entry);
  const secret = entry.secret;
  if (!isObj(secret)) return;
  // The proxy image's OS trust store, as istio-agent serves it on its own (`file-root:system`):
  // public roots the mesh does not manage (some expired, some SHA-1 self-signed, as every
  // distribution ships them): nothing in it is the user's to fix, and it is no mesh trust, so it is
  // not read at all. A `file-root:<path>` secret is read (in a scope of its own, below).
  if (name === OS_TRUST_STORE) return;
  const what = `secret ${name || "(unnamed)"}`;
  const p = r.dump.pod;
  const source: CertSource = {
    kind: "proxy",
    ...(p ? { namespace: p.namespace, pod: p.name } : {}),
    ...(name ? { name } : {}),
  };
  // Only `default` (the workload identity) and `ROOTCA` (the mesh roots it is checked with) are mesh
  // trust. Any other SDS secret is TLS with parties outside the mesh: a gateway's credentialName
  // (`kubernetes://cred`, its client CA `kubernetes://cred-cacert`), a DestinationRule's
  // caCertificates / client certificate (`file-root:<path>`, `file-cert:<cert>~<key>`). Each gets a
  // scope of its own, so the mesh roots do not judge a public serving chain (no bundle for it: not
  // verified, and silent), and a client CA is not counted among the proxy's mesh roots
  // (cert.root-mismatch compares `proxy:` and `ztunnel:` scopes only).
  // Mesh certificates mounted from files (mountedMeshFiles: Istio's mounted-certs files, or, when the
  // proxy has no `default`/`ROOTCA` secret, a file-cert with a SPIFFE ID and the file roots beside it)
  // stay mesh trust: a stale root there is cert.root-mismatch.
  const meshFile = meshFiles.has(name);
  const scope =
    name === "" || name === "default" || name === "ROOTCA" || meshFile
      ? trustScope
      : `proxy-secret:${trustScope.slice("proxy:".length)}#${name}`;
  const base = { source, mesh: "istio" as const, trustScope: scope, at: { ...r.dump.at } };

  const tls = field(secret, "tls_certificate", "tlsCertificate");
  if (isObj(tls.value)) {
    const chain = field(tls.value, "certificate_chain", "certificateChain");
    const chainPath = `${path}.secret.${tls.name}.${chain.name}`;
    const ders = dataSource(r, chain.value, what, chainPath, chain.name);
    if (ders !== undefined) {
      // The proxy's own mesh identity: istio-agent's `default`, or the mounted mesh certificate it
      // serves as `file-cert:` (contract §1.1: proxy leaves have role workload).
      if (name === "default" || (meshFile && name.startsWith("file-cert:"))) {
        r.out.inputs.push({
          ...base,
          context: "workload-chain",
          ders,
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
        r.out.inputs.push({ ...base, context: "tls-chain", ders });
      }
    }
  }

  const vc = field(secret, "validation_context", "validationContext");
  if (!isObj(vc.value)) return;
  const vcPath = `${path}.secret.${vc.name}`;
  const trusted = field(vc.value, "trusted_ca", "trustedCa");
  if (trusted.value !== undefined) {
    const ders = dataSource(r, trusted.value, what, `${vcPath}.${trusted.name}`, trusted.name);
    if (ders !== undefined) r.out.inputs.push({ ...base, context: "trust-bundle", ders });
  }
  // SPIFFE validator (SPIRE / multiple trust domains): one bundle per trust domain.
  const custom = field(vc.value, "custom_validator_config", "customValidatorConfig");
  const typed = field(custom.value, "typed_config", "typedConfig");
  const domains = field(typed.value, "trust_domains", "trustDomains");
  arr(domains.value).forEach((td, i) => {
    const tdName = str(at(td, "name")) ?? "";
    const bundle = field(td, "trust_bundle", "trustBundle");
    const tdPath = `${vcPath}.${custom.name}.${typed.name}.${domains.name}[${i}].${bundle.name}`;
    const ders = dataSource(
      r,
      bundle.value,
      `${what}: trust domain ${tdName || `#${i + 1}`}`,
      tdPath,
      bundle.name,
    );
    if (ders !== undefined)
      r.out.inputs.push({
        ...base,
        context: "trust-bundle",
        ders,
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
    const chainDers = ztunnelCerts(r, chain.value, what, `certificates[${i}].${chain.name}`, chain.name);
    if (chainDers.length > 0)
      out.inputs.push({
        ...base,
        source: { ...source, key: "certChain" },
        context: "workload-chain",
        ders: chainDers,
        ...(m ? { owner: { namespace: m[1]! } } : {}),
      });

    const roots = field(entry, "root_certs", "rootCerts");
    const rootDers = ztunnelCerts(r, roots.value, what, `certificates[${i}].${roots.name}`, roots.name);
    if (rootDers.length > 0)
      out.inputs.push({
        ...base,
        source: { ...source, key: "rootCerts" },
        context: "trust-bundle",
        ders: rootDers,
      });
  });
}

/** `[{pem, serialNumber, …}]` (PEM text; base64 of PEM tolerated) → the CERTIFICATE blocks in order. */
function ztunnelCerts(r: Reader, list: unknown, what: string, fieldPath: string, name: string): Uint8Array[] {
  const ders: Uint8Array[] = [];
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
    ders.push(...(certificates(r, text, what, path, `${name}[${i}]`) ?? []));
  });
  return ders;
}
