// Certificates and certificate settings held by Kubernetes objects: Istio's root ConfigMap and CA
// Secrets (istio.md §8), Linkerd's trust roots and issuer (other-meshes.md §1), cert-manager
// Certificates, Issuers and the kubernetes.io/tls Secrets they write (§2), SPIRE's bundle and server
// config (§3). Pure. Secret keys whose name mentions "key" are never read, and only the DER of
// CERTIFICATE PEM blocks is passed on, whatever else a value holds.
import type { InputProblem, KubeObject, LoadedObject } from "../../model/input";
import { arr, at, bool, isObj, obj, shown, str, type Obj } from "../../model/read";
import type { Ref } from "../../snapshot/schema";
import { parseDuration } from "../duration";
import type {
  CertContext,
  CertInput,
  CertManagerCertificate,
  CertManagerIssuer,
  MeshKind,
  SpireServerConfig,
} from "../types";
import { decodeBase64 } from "./fromConfigDumps";
import { pemCertificates } from "../x509";
import yaml from "js-yaml";
import { DEFAULT_ROOT_NAMESPACE, meshConfigRevision } from "../../model/meshConfig";

export interface ObjectCertInputs {
  inputs: CertInput[];
  certManager: { certificates: CertManagerCertificate[]; issuers: CertManagerIssuer[] };
  spire: SpireServerConfig[];
  problems: InputProblem[];
}

/** Where Linkerd's control plane runs when nothing among the inputs says otherwise (the CLI's and chart's default). */
export const DEFAULT_LINKERD_NAMESPACE = "linkerd";

/** The namespaces whose CA Secrets are the control planes' (caSecret). */
export interface CaNamespaces {
  /** Where istiod runs: the only namespaces whose `cacerts` / `istio-ca-secret` are Istio's CA. */
  istio: ReadonlySet<string>;
  /** Linkerd's control-plane namespaces: the only ones whose `linkerd-identity-issuer` is Linkerd's issuer. */
  linkerd: ReadonlySet<string>;
}

/**
 * `istioCaNamespaces`: where istiod runs (its mesh ConfigMap's namespace, the mesh root namespace, its
 * pods'), `linkerdNamespaces`: Linkerd's control-plane namespaces (collect.ts).
 */
export function certInputsFromObjects(
  objects: LoadedObject[],
  istioCaNamespaces: ReadonlySet<string> = new Set([DEFAULT_ROOT_NAMESPACE]),
  linkerdNamespaces: ReadonlySet<string> = new Set([DEFAULT_LINKERD_NAMESPACE]),
): ObjectCertInputs {
  const caNamespaces: CaNamespaces = { istio: istioCaNamespaces, linkerd: linkerdNamespaces };
  const out: ObjectCertInputs = {
    inputs: [],
    certManager: { certificates: [], issuers: [] },
    spire: [],
    problems: [],
  };
  for (const lo of objects) {
    const o = lo.object;
    switch (o.kind) {
      case "ConfigMap":
        readConfigMap(lo, out);
        break;
      case "Secret":
        readSecret(lo, out, caNamespaces);
        break;
      case "Certificate":
        if (isCertManager(o)) readCertificate(lo, out);
        break;
      case "Issuer":
      case "ClusterIssuer":
        if (isCertManager(o)) out.certManager.issuers.push(readIssuer(o));
        break;
    }
  }
  return out;
}

const isCertManager = (o: KubeObject) =>
  o.apiVersion === undefined || o.apiVersion.startsWith("cert-manager.io/");

const namespaceOf = (o: KubeObject) => o.metadata.namespace ?? "default";

function ref(o: KubeObject): Ref {
  return o.kind === "ClusterIssuer"
    ? { kind: o.kind, name: o.metadata.name }
    : { kind: o.kind, namespace: namespaceOf(o), name: o.metadata.name };
}

function problem(lo: LoadedObject, fieldPath: string, message: string): InputProblem {
  const r = ref(lo.object);
  return {
    file: lo.at.file,
    ...(lo.at.line !== undefined ? { line: lo.at.line } : {}),
    object: r,
    field: fieldPath,
    message: `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}: ${fieldPath}: ${message}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Certificate-bearing values

interface Wanted {
  key: string;
  context: CertContext;
}

/** Reads the wanted keys of a ConfigMap or Secret; each present one becomes an input or a problem. */
function readKeys(
  lo: LoadedObject,
  out: ObjectCertInputs,
  wanted: Wanted[],
  mesh: MeshKind,
  extra: Pick<CertInput, "trustScope" | "servingOnly" | "certificateName"> = {},
): void {
  const o = lo.object;
  const secret = o.kind === "Secret";
  for (const w of wanted) {
    // Defence in depth: the loader already drops key material, and no wanted key mentions "key".
    if (/key/i.test(w.key)) continue;
    const v = secret ? secretValue(o, w.key) : configMapValue(o, w.key);
    if (!v) continue;
    if ("error" in v) {
      out.problems.push(problem(lo, v.field, v.error));
      continue;
    }
    if (v.text.trim() === "") continue; // istio-ca-secret writes an empty cert-chain.pem
    const blocks = pemCertificates(v.text);
    for (const e of blocks.errors) out.problems.push(problem(lo, v.field, e));
    if (blocks.ders.length === 0) {
      if (blocks.errors.length === 0)
        out.problems.push(problem(lo, v.field, "holds no PEM CERTIFICATE block"));
      continue;
    }
    out.inputs.push({
      source: {
        kind: secret ? "Secret" : "ConfigMap",
        namespace: namespaceOf(o),
        name: o.metadata.name,
        key: w.key,
      },
      context: w.context,
      mesh,
      ders: blocks.ders,
      ...extra,
      at: { ...lo.at },
    });
  }
}

type Value = { text: string; field: string } | { error: string; field: string };

/** Secret values: `stringData` is plain text and wins (as the API server merges it); `data` is base64. */
function secretValue(o: KubeObject, key: string): Value | undefined {
  const plain = str(at(o, "stringData", key));
  if (plain !== undefined) return { text: plain, field: `stringData.${key}` };
  const b64 = str(at(o, "data", key));
  if (b64 === undefined) return undefined;
  const text = decodeBase64(b64);
  return text === null
    ? { error: "is not valid base64", field: `data.${key}` }
    : { text, field: `data.${key}` };
}

/** ConfigMap values: `data` is plain text, `binaryData` base64. */
function configMapValue(o: KubeObject, key: string): Value | undefined {
  const plain = str(at(o, "data", key));
  if (plain !== undefined) return { text: plain, field: `data.${key}` };
  const b64 = str(at(o, "binaryData", key));
  if (b64 === undefined) return undefined;
  const text = decodeBase64(b64);
  return text === null
    ? { error: "is not valid base64", field: `binaryData.${key}` }
    : { text, field: `binaryData.${key}` };
}

// ---------------------------------------------------------------------------------------------
// ConfigMaps

function readConfigMap(lo: LoadedObject, out: ObjectCertInputs): void {
  const o = lo.object;
  switch (o.metadata.name) {
    case "istio-ca-root-cert":
      readKeys(lo, out, [{ key: "root-cert.pem", context: "trust-bundle" }], "istio", {
        trustScope: `namespace:${namespaceOf(o)}`,
      });
      break;
    case "linkerd-identity-trust-roots":
      readKeys(lo, out, [{ key: "ca-bundle.crt", context: "root-bundle" }], "linkerd");
      break;
    case "spire-bundle":
      readKeys(lo, out, [{ key: "bundle.crt", context: "root-bundle" }], "spire");
      break;
  }
  readMeshCaCertificates(lo, out);
  const conf = str(at(o, "data", "server.conf"));
  if (conf === undefined) return;
  const server = parseSpireServerConf(conf);
  if (!server) return;
  const cfg: SpireServerConfig = { namespace: namespaceOf(o), name: o.metadata.name };
  if (server.trustDomain !== undefined) cfg.trustDomain = server.trustDomain;
  const ttl = (setting: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const s = parseDuration(value);
    if (s === null)
      out.problems.push(problem(lo, "data.server.conf", `server.${setting} "${value}" is not a duration`));
    return s ?? undefined;
  };
  const ca = ttl("ca_ttl", server.caTtl);
  if (ca !== undefined) cfg.caTtlSeconds = ca;
  const svid = ttl(server.svidTtlSetting, server.defaultX509SvidTtl);
  if (svid !== undefined) cfg.defaultX509SvidTtlSeconds = svid;
  out.spire.push(cfg);
}

/**
 * meshConfig.caCertificates[].pem of an `istio` / `istio-<rev>` ConfigMap: extra roots istiod pushes
 * to every proxy (the trust bundle of pilot/pkg/trustbundle, sent as ProxyConfig.caCertificatesPem),
 * which istio-agent merges into ROOTCA (SecretManagerClient.mergeConfigTrustBundle). They are not
 * in istio-ca-root-cert, which holds the CA's own root only. A value that does not parse as YAML is
 * the mesh reader's to report (model/meshConfig.ts), not this one's.
 */
function readMeshCaCertificates(lo: LoadedObject, out: ObjectCertInputs): void {
  const o = lo.object;
  // The same ConfigMaps the mesh reader takes as mesh configs (istio, istio-<rev>).
  if (meshConfigRevision(lo) === null) return;
  const name = o.metadata.name;
  const text = str(at(o, "data", "mesh"));
  if (text === undefined || !text.includes("caCertificates")) return;
  let mesh: unknown;
  try {
    mesh = yaml.load(text);
  } catch {
    return;
  }
  arr(at(mesh, "caCertificates")).forEach((entry, i) => {
    const pem = str(at(entry, "pem"));
    if (pem === undefined || pem.trim() === "") return;
    const field = `data.mesh: caCertificates[${i}].pem`;
    const blocks = pemCertificates(pem);
    for (const e of blocks.errors) out.problems.push(problem(lo, field, e));
    if (blocks.ders.length === 0) return;
    out.inputs.push({
      source: { kind: "ConfigMap", namespace: namespaceOf(o), name, key: "mesh" },
      context: "trust-bundle",
      mesh: "istio",
      ders: blocks.ders,
      trustScope: `meshconfig:${namespaceOf(o)}/${name}`,
      at: { ...lo.at },
    });
  });
}

export interface SpireServerSettings {
  trustDomain?: string;
  caTtl?: string;
  defaultX509SvidTtl?: string;
  /** Which setting the SVID TTL came from ("default_x509_svid_ttl", or the older "default_svid_ttl"). */
  svidTtlSetting: string;
}

/**
 * The three settings of SPIRE's `server { … }` block that matter for certificates, read from the HCL
 * (or the JSON form the Helm charts render) of server.conf with a small tolerant tokenizer: comments,
 * `=` or `:`, quoted or bare keys and values, and nested blocks (ca_subject, federation …) are handled;
 * anything else is skipped. Null when there is no server block (e.g. an agent.conf).
 */
export function parseSpireServerConf(text: string): SpireServerSettings | null {
  const tokens = tokenize(text);
  // JSON (or HCL wrapped in braces): the server key sits one level down.
  const base = tokens[0]?.kind === "{" ? 1 : 0;
  let depth = 0;
  let start = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "{" || t.kind === "[") depth++;
    else if (t.kind === "}" || t.kind === "]") depth--;
    else if (depth === base && t.kind === "word" && t.text === "server") {
      let j = i + 1;
      if (tokens[j]?.kind === "=") j++;
      if (tokens[j]?.kind === "{") {
        start = j;
        break;
      }
    }
  }
  if (start < 0) return null;

  const settings: Record<string, string> = {};
  depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "{" || t.kind === "[") depth++;
    else if (t.kind === "}" || t.kind === "]") {
      depth--;
      if (depth === 0) break;
    } else if (depth === 1 && t.kind === "word" && tokens[i + 1]?.kind === "=") {
      const v = tokens[i + 2];
      if (v?.kind === "word" && !(t.text in settings)) settings[t.text] = v.text;
    }
  }
  const svidSetting =
    settings.default_x509_svid_ttl !== undefined ? "default_x509_svid_ttl" : "default_svid_ttl";
  const out: SpireServerSettings = { svidTtlSetting: svidSetting };
  if (settings.trust_domain !== undefined) out.trustDomain = settings.trust_domain;
  if (settings.ca_ttl !== undefined) out.caTtl = settings.ca_ttl;
  if (settings[svidSetting] !== undefined) out.defaultX509SvidTtl = settings[svidSetting];
  return out;
}

interface Token {
  /** "word" covers identifiers, numbers and (unquoted) strings; "=" also stands for ":". */
  kind: "word" | "=" | "{" | "}" | "[" | "]";
  text: string;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s|,/.test(c)) {
      i++;
    } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === '"' || c === "'") {
      let s = "";
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        s += text[j]!;
        j++;
      }
      tokens.push({ kind: "word", text: s });
      i = j + 1;
    } else if (c === "=" || c === ":") {
      tokens.push({ kind: "=", text: c });
      i++;
    } else if (c === "{" || c === "}" || c === "[" || c === "]") {
      tokens.push({ kind: c, text: c });
      i++;
    } else {
      const m = /^[^\s,=:{}[\]"'#]+/.exec(text.slice(i, i + 256));
      const word = m?.[0] ?? c;
      tokens.push({ kind: "word", text: word });
      i += word.length;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Secrets

const ISTIO_CACERTS: Wanted[] = [
  { key: "ca-cert.pem", context: "ca-chain" },
  { key: "cert-chain.pem", context: "ca-chain" },
  { key: "root-cert.pem", context: "root-bundle" },
  { key: "tls.crt", context: "ca-chain" },
  { key: "ca.crt", context: "root-bundle" },
];
const ISTIO_CA_SECRET: Wanted[] = [
  { key: "ca-cert.pem", context: "ca-chain" },
  { key: "root-cert.pem", context: "root-bundle" },
];
const LINKERD_ISSUER: Wanted[] = [
  { key: "crt.pem", context: "ca-chain" },
  { key: "tls.crt", context: "ca-chain" },
  { key: "ca.crt", context: "root-bundle" },
];
const TLS: Wanted[] = [
  { key: "tls.crt", context: "tls-chain" },
  { key: "ca.crt", context: "tls-ca" },
];

/** The control planes' CA Secrets, by name (whatever their type). */
const CA_SECRETS = new Map<string, { wanted: Wanted[]; mesh: MeshKind }>([
  ["cacerts", { wanted: ISTIO_CACERTS, mesh: "istio" }],
  ["istio-ca-secret", { wanted: ISTIO_CA_SECRET, mesh: "istio" }],
  ["linkerd-identity-issuer", { wanted: LINKERD_ISSUER, mesh: "linkerd" }],
]);

/** What the readers take from a Secret that is not a CA Secret: a TLS Secret's keys, else nothing. */
const tlsKeys = (type: unknown): Wanted[] => (type === "kubernetes.io/tls" ? TLS : []);

/**
 * The data keys the certificate readers read from a Secret of this name and type (none: not a
 * certificate Secret). The loader keeps these alone (load/parseManifests.ts), so a Secret's other
 * values (passwords, tokens, registry credentials) never reach the analysis. Deliberately blind to
 * the namespace, unlike readSecret's caSecret: it keeps a CA Secret's keys wherever the Secret is,
 * and the reader decides whether it is one (keeping a few more keys is harmless).
 */
export function secretCertificateKeys(name: string, type: unknown): string[] {
  return (CA_SECRETS.get(name)?.wanted ?? tlsKeys(type)).map((w) => w.key);
}

/**
 * istiod reads `cacerts` as a volume mounted into its own pod (./etc/cacerts) and `istio-ca-secret`
 * from its own namespace (security/pkg/pki/ca/ca.go, caStorageNamespace); Linkerd's chart renders
 * `linkerd-identity-issuer` in the control plane's namespace, where its identity controller mounts it
 * (charts/linkerd-control-plane templates/identity.yaml). A Secret of such a name elsewhere (an
 * application's truststore called cacerts) is an ordinary Secret.
 */
function caSecret(o: KubeObject, namespaces: CaNamespaces): { wanted: Wanted[]; mesh: MeshKind } | undefined {
  const ca = CA_SECRETS.get(o.metadata.name);
  const ns = o.metadata.namespace ?? "default";
  if (ca?.mesh === "istio" && !namespaces.istio.has(ns)) return undefined;
  if (ca?.mesh === "linkerd" && !namespaces.linkerd.has(ns)) return undefined;
  return ca;
}

function readSecret(lo: LoadedObject, out: ObjectCertInputs, namespaces: CaNamespaces): void {
  const o = lo.object;
  const ca = caSecret(o, namespaces);
  const wanted = ca?.wanted ?? tlsKeys(o.type);
  if (wanted.length === 0) return;
  // cert-manager names the Certificate that wrote the Secret (several may name one Secret).
  const certificateName = str(o.metadata.annotations?.["cert-manager.io/certificate-name"]);
  const named = certificateName !== undefined ? { certificateName } : {};
  const mesh = ca?.mesh ?? (certificateName !== undefined ? "cert-manager" : "other");
  readKeys(lo, out, wanted, mesh, linkerdOwned(o) ? { ...named, servingOnly: true } : named);
}

/**
 * A Secret of Linkerd's control plane or one of its extensions (the labels its charts put on
 * linkerd-proxy-injector-k8s-tls, linkerd-sp-validator-k8s-tls, linkerd-policy-validator-k8s-tls,
 * viz's tap-k8s-tls and tap-injector-k8s-tls, jaeger's jaeger-injector-k8s-tls): a webhook or
 * APIService serving certificate, made by Helm's genSelfSignedCert (a non-CA self-signed certificate
 * with serverAuth and clientAuth) and pinned by the caBundle the API server calls it with.
 */
function linkerdOwned(o: KubeObject): boolean {
  const labels = o.metadata.labels ?? {};
  return (
    labels["linkerd.io/control-plane-component"] !== undefined || labels["linkerd.io/extension"] !== undefined
  );
}

// ---------------------------------------------------------------------------------------------
// cert-manager

type Ready = CertManagerCertificate["ready"];

const strings = (v: unknown) => arr(v).filter((u): u is string => typeof u === "string");

function readyCondition(o: KubeObject): Ready {
  const c = arr(at(o, "status", "conditions")).find((x) => str(at(x, "type")) === "Ready");
  if (!isObj(c)) return null;
  const s = str(c.status);
  const ready: NonNullable<Ready> = { status: s === "True" || s === "False" ? s : "Unknown" };
  const reason = str(c.reason);
  const message = str(c.message);
  if (reason !== undefined) ready.reason = reason;
  if (message !== undefined) ready.message = message;
  return ready;
}

function readCertificate(lo: LoadedObject, out: ObjectCertInputs): void {
  const o = lo.object;
  const spec = obj(o.spec) ?? {};
  const secretName = str(spec.secretName);
  if (!secretName) {
    out.problems.push(
      problem(lo, "spec.secretName", "is missing: cert-manager cannot tell where to write the certificate"),
    );
    return;
  }
  const issuer = obj(spec.issuerRef) ?? {};
  const issuerName = str(issuer.name) ?? "";
  if (!issuerName) out.problems.push(problem(lo, "spec.issuerRef.name", "is missing"));
  const group = str(issuer.group);
  const c: CertManagerCertificate = {
    namespace: namespaceOf(o),
    name: o.metadata.name,
    secretName,
    issuerRef: {
      name: issuerName,
      kind: str(issuer.kind) ?? "Issuer",
      ...(group !== undefined ? { group } : {}),
    },
    isCA: bool(spec.isCA) ?? false,
    usages: strings(spec.usages),
    dnsNames: strings(spec.dnsNames),
    uris: strings(spec.uris),
    ipAddresses: strings(spec.ipAddresses),
    emailAddresses: strings(spec.emailAddresses),
    ready: readyCondition(o),
  };
  const commonName = str(spec.commonName);
  if (commonName) c.commonName = commonName;
  const literalSubject = str(spec.literalSubject);
  if (literalSubject) c.literalSubject = literalSubject;
  const renewal = obj(spec.renewal);
  if (renewal) {
    const policy = str(renewal.policy);
    c.renewal = { ...(policy !== undefined ? { policy } : {}), windows: arr(renewal.windows).length };
  }
  const duration = goDuration(lo, spec, "duration", out.problems);
  const renewBefore = goDuration(lo, spec, "renewBefore", out.problems);
  const pct = percentage(spec.renewBeforePercentage);
  const notBefore = statusTime(lo, o, "notBefore", out.problems);
  const notAfter = statusTime(lo, o, "notAfter", out.problems);
  const renewalTime = statusTime(lo, o, "renewalTime", out.problems);
  const lastFailureTime = statusTime(lo, o, "lastFailureTime", out.problems);
  const issuingCondition = arr(at(o, "status", "conditions")).find(
    (x) => str(at(x, "type")) === "Issuing" && str(at(x, "status")) === "True",
  );
  const issuing = issuingCondition !== undefined;
  const issuingSince = str(at(issuingCondition, "lastTransitionTime"));
  if (duration !== undefined) c.duration = duration;
  if (renewBefore !== undefined) c.renewBefore = renewBefore;
  if (pct !== undefined) c.renewBeforePercentage = pct;
  if (notBefore !== undefined) c.notBefore = notBefore;
  if (notAfter !== undefined) c.notAfter = notAfter;
  if (renewalTime !== undefined) c.renewalTime = renewalTime;
  if (lastFailureTime !== undefined) c.lastFailureTime = lastFailureTime;
  if (issuing) c.issuing = true;
  if (issuingSince !== undefined && RFC3339.test(issuingSince) && Number.isFinite(Date.parse(issuingSince)))
    c.issuingSince = issuingSince;
  out.certManager.certificates.push(c);
}

/**
 * A Kubernetes time (RFC 3339, as the API server writes metav1.Time). Anything else is reported and
 * ignored: `new Date` would read "12" as 2001-12-01 and "20000" as a year past 9999.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
function statusTime(
  lo: LoadedObject,
  o: KubeObject,
  field: string,
  problems: InputProblem[],
): string | undefined {
  const v = at(o, "status", field);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" && RFC3339.test(v) && Number.isFinite(new Date(v).getTime())) return v;
  problems.push(problem(lo, `status.${field}`, `is ${shown(v)}, not an RFC 3339 time; ignored`));
  return undefined;
}

/** A Go duration ("2160h", "1h30m"); one that does not parse is reported rather than silently ignored. */
function goDuration(
  lo: LoadedObject,
  spec: Obj,
  field: string,
  problems: InputProblem[],
): string | undefined {
  const v = spec[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" && parseDuration(v) !== null) return v;
  problems.push(
    problem(lo, `spec.${field}`, `is ${shown(v)}, not a Go duration such as "2160h" or "1h30m"; ignored`),
  );
  return undefined;
}

function percentage(v: unknown): number | undefined {
  const n =
    typeof v === "number" ? v : typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

const ISSUER_TYPES = ["selfSigned", "ca", "acme", "vault", "venafi"] as const;

function readIssuer(o: KubeObject): CertManagerIssuer {
  const spec: Obj = obj(o.spec) ?? {};
  const type = ISSUER_TYPES.find((t) => spec[t] !== undefined && spec[t] !== null) ?? "other";
  const kind = o.kind === "ClusterIssuer" ? "ClusterIssuer" : "Issuer";
  return {
    kind,
    ...(kind === "Issuer" ? { namespace: namespaceOf(o) } : {}),
    name: o.metadata.name,
    type,
    ready: readyCondition(o),
  };
}
