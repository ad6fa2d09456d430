// Turns the text of one input file (contract §2) into Kubernetes objects, Envoy / ztunnel config dumps
// and problems. Pure: the caller reads the file. Nothing is thrown: a broken document is reported with
// its absolute line and the other documents of the file are still read.
//
// Secret hygiene happens here, at the first point the data exists in memory, so that no later layer
// (snapshot, JSON output, UI, logs) can leak private keys, tokens or passwords it never received.
import yaml from "js-yaml";
import type { ConfigDump, InputProblem, KubeObject, ParsedInputs, SourceLocation } from "../model/input";
import { isObj, oneLine, type Obj } from "../model/read";
import { secretCertificateKeys } from "../certs/sources/fromObjects";

// Kubernetes reads YAML through sigs.k8s.io/yaml, which keeps unquoted timestamps as strings; js-yaml's
// default schema would turn them into Date objects that the model's string readers then miss. So: the
// default schema minus timestamp (and the exotic !!binary/!!omap/!!pairs/!!set), keeping `<<` merges.
// (@types/js-yaml does not declare `types.merge`, so the one-line type is restated here.)
const MERGE = new yaml.Type("tag:yaml.org,2002:merge", {
  kind: "scalar",
  resolve: (d) => d === "<<" || d === null,
});
const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [MERGE] });
// `json: true` lets a duplicated key override instead of failing the whole document, as the API server
// does (it only warns), so one repeated label does not hide a workload.
const LOAD_OPTIONS: yaml.LoadOptions = { schema: SCHEMA, json: true };

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function parseManifestText(text: string, file: string): ParsedInputs {
  const out: ParsedInputs = { objects: [], configDumps: [], problems: [] };
  // A BOM is invisible in editors yet would hide the `{` of a JSON file.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let first = 0;
  while (first < body.length && isSpace(body.charCodeAt(first))) first++;
  const c = body[first];
  if (c === "{" || c === "[") parseJson(body, first, file, out);
  else parseYaml(body, file, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML

interface YamlDoc {
  start: number; // offset of the document's first character (its `---` line, if any)
  end: number;
  line: number; // 1-based line of `start`
  lastLine: number; // 1-based line of the document's last line
}

function parseYaml(text: string, file: string, out: ParsedInputs): void {
  for (const doc of splitDocuments(text)) {
    const chunk = text.slice(doc.start, doc.end);
    let value: unknown;
    try {
      value = yaml.load(chunk, LOAD_OPTIONS);
    } catch (e) {
      out.problems.push(yamlProblem(e, file, doc));
      continue;
    }
    if (value === undefined || value === null) continue; // empty or comments only
    const at: SourceLocation = { file, line: contentLine(chunk, doc.line) };
    if (isObj(value)) addObject(value, at, out);
    else out.problems.push({ ...at, message: `document is ${describe(value)}, not a Kubernetes object` });
  }
}

// Documents are split here rather than by js-yaml's loadAll, which gives up at the first error and
// would lose every document after a broken one. A line starting with `---` followed by nothing or
// whitespace is a document marker (YAML 1.2 §9.1); it stays in the chunk so `--- {…}` still parses.
// Directive lines (`%YAML`, `%TAG`: a `%` in column 0, §6.8) belong to the document after the next
// marker (§9.2), so a run of them (with the comments and blank lines among them) opens that document's
// chunk instead of closing the one before. They may only start a stream or follow a `...` end marker
// (§9.2 l-yaml-stream); an empty document after `---` is let pass too. Elsewhere a `%` in column 0
// is document text (a quoted scalar's continuation line).
function splitDocuments(text: string): YamlDoc[] {
  const docs: YamlDoc[] = [];
  let docStart = 0;
  let docLine = 1;
  // No content since the stream start, the last marker or the last `...`.
  let bare = true;
  // Where the current run of directive lines starts (-1: none).
  let directives = -1;
  let directivesLine = 0;
  let pos = 0;
  let line = 1;
  for (;;) {
    let nl = text.indexOf("\n", pos);
    if (nl === -1) nl = text.length;
    if (isDocMarker(text, pos)) {
      const start = directives === -1 ? pos : directives;
      if (start > docStart) {
        docs.push({
          start: docStart,
          end: start,
          line: docLine,
          lastLine: (directives === -1 ? line : directivesLine) - 1,
        });
        docStart = start;
        docLine = directives === -1 ? line : directivesLine;
      }
      directives = -1;
      bare = isBlankOrComment(text, pos + 3, nl);
    } else if (text.charCodeAt(pos) === 37 /* % */ && bare) {
      if (directives === -1) {
        directives = pos;
        directivesLine = line;
      }
    } else if (isDocEnd(text, pos)) {
      directives = -1;
      bare = true;
    } else if (!isBlankOrComment(text, pos, nl)) {
      directives = -1;
      bare = false;
    }
    if (nl >= text.length) break;
    pos = nl + 1;
    line++;
  }
  // A final newline opens an empty last line that no error should point at.
  const last = text.endsWith("\n") ? line - 1 : line;
  // Directives with no document after them are invalid on their own: split off, so that the error
  // points at them and the document before them still loads.
  if (directives > docStart) {
    docs.push({ start: docStart, end: directives, line: docLine, lastLine: directivesLine - 1 });
    docStart = directives;
    docLine = directivesLine;
  }
  docs.push({ start: docStart, end: text.length, line: docLine, lastLine: Math.max(docLine, last) });
  return docs;
}

function isBlankOrComment(text: string, pos: number, end: number): boolean {
  while (pos < end && isSpace(text.charCodeAt(pos))) pos++;
  return pos === end || text.charCodeAt(pos) === 35; /* # */
}

function isDocMarker(text: string, pos: number): boolean {
  if (text.charCodeAt(pos) !== 45 || !text.startsWith("---", pos)) return false;
  const next = text.charCodeAt(pos + 3);
  return Number.isNaN(next) || isSpace(next);
}

/** A `...` document end marker line (§9.1.2). */
function isDocEnd(text: string, pos: number): boolean {
  if (text.charCodeAt(pos) !== 46 || !text.startsWith("...", pos)) return false;
  const next = text.charCodeAt(pos + 3);
  return Number.isNaN(next) || isSpace(next);
}

// The line users see as the object's start: past its directives, the `---` marker, blank lines and
// comments (Helm puts a `# Source:` comment on top of every document).
function contentLine(chunk: string, line: number): number {
  let pos = 0;
  let marker = false; // a chunk holds one marker at most, after its directives
  for (;;) {
    let nl = chunk.indexOf("\n", pos);
    if (nl === -1) nl = chunk.length;
    let s = pos;
    if (!marker && chunk.charCodeAt(pos) === 37 /* % */) s = nl;
    else if (!marker && isDocMarker(chunk, pos)) {
      marker = true;
      s += 3;
    }
    while (s < nl && isSpace(chunk.charCodeAt(s))) s++;
    if (s < nl && chunk[s] !== "#") return line;
    if (nl >= chunk.length) return line;
    pos = nl + 1;
    line++;
  }
}

// js-yaml's directive handlers (loader.js directiveHandlers: a repeated %YAML, a bad version or %TAG
// argument) run after readDocument has read the directive's line break, so their mark is column 0 of
// the next line: the directive is the line before.
const DIRECTIVE_HANDLER =
  /^(duplication of %YAML directive|YAML directive accepts|ill-formed argument of the YAML directive|unacceptable YAML version|TAG directive accepts|ill-formed tag (handle|prefix) \(|there is a previously declared suffix|tag prefix is malformed)/;

function yamlProblem(e: unknown, file: string, doc: YamlDoc): InputProblem {
  if (e instanceof yaml.YAMLException) {
    const mark = e.mark;
    const past = mark !== undefined && mark.line > 0 && mark.column === 0 && DIRECTIVE_HANDLER.test(e.reason);
    const rel = (mark?.line ?? 0) - (past ? 1 : 0);
    return { file, line: Math.min(doc.line + rel, doc.lastLine), message: oneLine(e.reason || e.message) };
  }
  return { file, line: doc.line, message: oneLine(String(e)) };
}

// ---------------------------------------------------------------------------------------------
// JSON

function parseJson(text: string, first: number, file: string, out: ParsedInputs): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    out.problems.push(jsonProblem(text, e, file));
    return;
  }
  const at: SourceLocation = { file, line: lineAt(text, first) };
  if (Array.isArray(value)) {
    expandItems(value, at, out, undefined);
    return;
  }
  if (!isObj(value)) return; // unreachable: the text starts with `{` or `[`
  if (value.kind === undefined) {
    const dump = configDump(value, at);
    if (dump) {
      out.configDumps.push(dump);
      if (!dump.pod) out.problems.push({ ...at, message: NO_POD });
      return;
    }
    if (isEnvoyCerts(value)) {
      out.problems.push({ ...at, message: ENVOY_CERTS });
      return;
    }
  }
  addObject(value, at, out);
}

// V8's messages quote the offending text, which may be key material and spans lines; keep only the
// reason, and turn its character position into a line.
function jsonProblem(text: string, e: unknown, file: string): InputProblem {
  const raw = e instanceof Error ? e.message : String(e);
  const pos = /at position (\d+)/.exec(raw);
  let reason = raw.replace(/ in JSON at position \d+[\s\S]*$/, "").replace(/, "[\s\S]*$/, "");
  // An error at the very end should point at the last line with text, not the empty one after it.
  const end = text.trimEnd().length;
  let line: number | undefined = pos ? lineAt(text, Math.min(Number(pos[1]), end)) : undefined;
  if (line === undefined) {
    // js-yaml reads JSON too and says where it broke.
    try {
      yaml.load(text, LOAD_OPTIONS);
    } catch (ye) {
      if (ye instanceof yaml.YAMLException) {
        line = Math.min((ye.mark?.line ?? 0) + 1, lineAt(text, end));
        reason = ye.reason || reason;
      }
    }
  }
  const message = `invalid JSON: ${oneLine(reason.charAt(0).toLowerCase() + reason.slice(1))}`;
  return line === undefined ? { file, message } : { file, line, message };
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects

interface ListContext {
  kind?: string;
  apiVersion?: string;
}

function addObject(o: Obj, at: SourceLocation, out: ParsedInputs): void {
  const kind = o.kind;
  if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(o.items)) {
    // `kubectl get -o yaml` wraps in `kind: List`; typed lists from the API (PodList) omit the items' kind.
    const itemKind = kind.length > 4 ? kind.slice(0, -4) : undefined;
    const apiVersion = typeof o.apiVersion === "string" ? o.apiVersion : undefined;
    expandItems(o.items, at, out, { kind: itemKind, apiVersion });
    return;
  }
  if (typeof kind !== "string" || kind === "") {
    out.problems.push({ ...at, field: "kind", message: "object has no kind" });
    return;
  }
  // A List wrapper whose items are not a list (a named object whose kind ends in "List" is an object).
  if (
    kind.endsWith("List") &&
    o.items !== undefined &&
    !(isObj(o.metadata) && typeof o.metadata.name === "string")
  ) {
    out.problems.push({
      ...at,
      field: "items",
      message: `${kind}: items is ${describeValue(o.items)}, not a list of objects`,
    });
    return;
  }
  const meta = o.metadata;
  const name = isObj(meta) ? meta.name : undefined;
  if (!isObj(meta) || typeof name !== "string" || name === "") {
    out.problems.push({
      ...at,
      field: "metadata.name",
      message: `object has no metadata.name (kind ${kind})`,
    });
    return;
  }
  // The API server's decoder refuses these too ("cannot unmarshal number into … of type string"):
  // an unquoted `namespace: 2024` or `apiVersion: 1` is a YAML number, and every reader downstream
  // takes both as strings.
  const namespace = meta.namespace;
  if (namespace !== undefined && typeof namespace !== "string") {
    out.problems.push({
      ...at,
      field: "metadata.namespace",
      message: `${kind} ${name}: metadata.namespace is ${describeValue(namespace)}, not a string${typeof namespace === "number" ? ` (quote it: "${namespace}")` : ""}`,
    });
    return;
  }
  if (o.apiVersion !== undefined && typeof o.apiVersion !== "string") {
    out.problems.push({
      ...at,
      object: { kind, ...(namespace ? { namespace } : {}), name },
      field: "apiVersion",
      message: `${kind} ${namespace ? `${namespace}/` : ""}${name}: apiVersion is ${describeValue(o.apiVersion)}, not a string`,
    });
    return;
  }
  // A ConfigMap's data is a map of strings (the mesh config, CA bundles); `enabled: true` unquoted is
  // a YAML boolean the API server refuses, and every reader would skip the key without a word.
  if (kind === "ConfigMap" && o.data !== undefined && o.data !== null) {
    const bad = isObj(o.data) ? Object.keys(o.data).find((k) => typeof (o.data as Obj)[k] !== "string") : "";
    if (bad !== undefined) {
      const field = bad === "" ? "data" : `data.${bad}`;
      const value = bad === "" ? o.data : (o.data as Obj)[bad];
      out.problems.push({
        ...at,
        object: { kind, ...(namespace ? { namespace } : {}), name },
        field,
        message: `ConfigMap ${namespace ? `${namespace}/` : ""}${name}: ${field} is ${describeValue(value)}, not ${bad === "" ? "a map of strings" : "a string"}`,
      });
      return;
    }
  }
  scrubObject(o, meta, kind);
  out.objects.push({ object: o as KubeObject, at });
}

/** A wrong-typed value, shown as the reader would fix it: numbers and booleans literally, else by type. */
function describeValue(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean") return `the ${typeof v} ${String(v)}`;
  return describe(v);
}

function expandItems(items: unknown[], at: SourceLocation, out: ParsedInputs, list: ListContext | undefined) {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isObj(item)) {
      out.problems.push({
        ...at,
        message: `list item ${i + 1} is ${describe(item)}, not a Kubernetes object`,
      });
      continue;
    }
    if (list?.kind && item.kind === undefined) item.kind = list.kind;
    if (list?.apiVersion && item.apiVersion === undefined) item.apiVersion = list.apiVersion;
    addObject(item, at, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Hygiene

const PRIVATE_KEY = "PRIVATE KEY";

function scrubObject(o: Obj, meta: Obj, kind: string): void {
  // Both can carry a full copy of the object, Secret data included.
  if (isObj(meta.annotations)) delete meta.annotations[LAST_APPLIED];
  delete meta.managedFields;
  if (kind === "Secret") {
    // An allow-list: only the certificate keys the readers read (a CA Secret's, a TLS Secret's
    // tls.crt / ca.crt), and none of them holding a private key. Every other value (keys, registry
    // credentials, passwords, tokens, whatever its name) is dropped here, as the cluster reader drops
    // every other Secret (server/kube/kinds.ts).
    const certificates = new Set(
      secretCertificateKeys(typeof meta.name === "string" ? meta.name : "", o.type),
    );
    keepEntries(o, "data", (k, v) => certificates.has(k) && !decodesToPrivateKey(v));
    keepEntries(o, "stringData", (k, v) => certificates.has(k) && !v.includes(PRIVATE_KEY));
  } else if (kind === "ConfigMap") {
    // ConfigMaps legitimately hold CA bundles; a private key there is a mistake we must not repeat.
    keepEntries(o, "data", (_k, v) => !v.includes(PRIVATE_KEY));
    keepEntries(o, "binaryData", (_k, v) => !decodesToPrivateKey(v));
  }
}

/** Keeps the string entries of `o[field]` that `keep` accepts; non-strings go too (Kubernetes rejects them). */
function keepEntries(o: Obj, field: string, keep: (key: string, value: string) => boolean): void {
  const map = o[field];
  if (!isObj(map)) return;
  for (const [k, v] of Object.entries(map)) if (typeof v !== "string" || !keep(k, v)) delete map[k];
}

/**
 * A private key in the value as given or once decoded. Both: `Buffer.from(…, "base64")` never throws,
 * it skips what is not base64, so a raw PEM key written under `data` (not a valid Secret value, but a
 * file may hold it) decodes to noise and only the raw text shows it (reviews/fp3rev.md #4).
 */
function decodesToPrivateKey(b64: string): boolean {
  if (b64.includes(PRIVATE_KEY)) return true;
  const bytes = Buffer.from(b64.replace(/\s+/g, ""), "base64");
  const text = bytes.toString("latin1");
  return text.includes(PRIVATE_KEY) || isDerPrivateKey(bytes) || isJwkPrivateKey(text);
}

/**
 * A DER private key: a SEQUENCE whose first element is an INTEGER (the version of PKCS#1, PKCS#8 and
 * SEC 1 keys). A DER certificate's SEQUENCE starts with a SEQUENCE (tbsCertificate), so a certificate
 * written as DER is kept (its reader reports it), a key written as DER is not (reviews/fp3rev.md #4).
 */
function isDerPrivateKey(b: Buffer): boolean {
  if (b.length < 8 || b[0] !== 0x30) return false;
  const lengthBytes = b[1]! < 0x80 ? 0 : b[1]! - 0x80;
  if (lengthBytes > 4) return false;
  return b[2 + lengthBytes] === 0x02;
}

/** A JSON Web Key with its private part ("d": EC, RSA and OKP private keys all carry it). */
const isJwkPrivateKey = (text: string): boolean => /"kty"\s*:/.test(text) && /"d"\s*:/.test(text);

/** Envoy redacts private keys itself, but a dump from a patched or older proxy might not. */
function scrubDump(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) scrubDump(x);
    return;
  }
  if (!isObj(v)) return;
  for (const [k, val] of Object.entries(v)) {
    if (k === "private_key" || k === "privateKey") v[k] = isObj(val) ? {} : "";
    else if (typeof val === "object" && val !== null) scrubDump(val);
  }
}

// ---------------------------------------------------------------------------------------------
// Config dumps

const NO_POD =
  "cannot tell which pod this config dump belongs to (no bootstrap node id; name the file <pod>.<namespace>.json)";

const SECRETS_DUMP_TYPE = "type.googleapis.com/envoy.admin.v3.SecretsConfigDump";
const SECRET_LISTS = [
  "static_secrets",
  "dynamic_active_secrets",
  "dynamic_warming_secrets",
  "staticSecrets",
  "dynamicActiveSecrets",
  "dynamicWarmingSecrets",
];

function configDump(o: Obj, at: SourceLocation): ConfigDump | undefined {
  let body: Obj | undefined;
  let kind: ConfigDump["kind"] | undefined;
  if (Array.isArray(o.configs) && o.configs.some((c) => dumpType(c)?.endsWith("ConfigDump"))) {
    body = o;
    kind = "envoy";
  } else if (SECRET_LISTS.some((k) => Array.isArray(o[k]))) {
    // `istioctl proxy-config secret -o json` prints the SecretsConfigDump alone; wrapping it gives
    // readers one shape to handle.
    body = { configs: [{ "@type": SECRETS_DUMP_TYPE, ...o }] };
    kind = "envoy";
  } else if (isZtunnelDump(o)) {
    body = o;
    kind = "ztunnel";
  }
  if (!body || !kind) return undefined;
  scrubDump(body);
  const pod = (kind === "envoy" ? podFromNodeId(body) : null) ?? podFromFileName(at.file);
  return { kind, pod, body, at };
}

function dumpType(c: unknown): string | undefined {
  const t = isObj(c) ? c["@type"] : undefined;
  return typeof t === "string" ? t : undefined;
}

// Envoy's `/certs` admin output (api/envoy/admin/v3/certs.proto): serial numbers, SANs and dates, no
// certificate. The snapshot's certificates are identified by their fingerprint and carry fields only a
// certificate gives (subject, issuer, key, chain), so it is named for what it is rather than read.
const ENVOY_CERTS =
  "Envoy /certs output is not supported (it lists certificate details, not the certificates): save the proxy's /config_dump?mask=dynamic_active_secrets or `istioctl proxy-config secret <pod> -o json` instead";

function isEnvoyCerts(o: Obj): boolean {
  const certs = o.certificates;
  const certsLike = (c: unknown) =>
    isObj(c) &&
    !("identity" in c) &&
    ("ca_cert" in c || "cert_chain" in c || "caCert" in c || "certChain" in c);
  if (!Array.isArray(certs)) return false;
  // Before any secret is loaded a proxy's /certs is `{"certificates":[]}`: nothing else has that shape.
  return certs.some(certsLike) || (certs.length === 0 && Object.keys(o).length === 1);
}

function isZtunnelDump(o: Obj): boolean {
  const certs = o.certificates;
  const certLike = (c: unknown) => isObj(c) && "identity" in c && ("certChain" in c || "cert_chain" in c);
  if (Array.isArray(certs) && certs.some(certLike)) return true;
  return o.workloads !== undefined && (Array.isArray(certs) || o.services !== undefined);
}

// Node ids look like `sidecar~10.0.0.1~web-1.shop~shop.svc.cluster.local` (`router~…` for gateways).
function podFromNodeId(body: Obj): ConfigDump["pod"] {
  for (const c of body.configs as unknown[]) {
    if (!dumpType(c)?.endsWith("BootstrapConfigDump") || !isObj(c)) continue;
    const bootstrap = c.bootstrap;
    const node = isObj(bootstrap) ? bootstrap.node : undefined;
    const id = isObj(node) ? node.id : undefined;
    if (typeof id !== "string") continue;
    const parts = id.split("~");
    const pod = parts.length >= 4 && parts[2] ? splitPodName(parts[2]) : null;
    if (pod) return pod;
  }
  return null;
}

function podFromFileName(file: string): ConfigDump["pod"] {
  const base = file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1);
  return splitPodName(base.replace(/\.json$/i, ""));
}

function splitPodName(s: string): ConfigDump["pod"] {
  const dot = s.indexOf(".");
  if (dot <= 0 || dot === s.length - 1) return null;
  return { name: s.slice(0, dot), namespace: s.slice(dot + 1) };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < pos; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "a mapping" : `a ${typeof v}`;
}

// ---------------------------------------------------------------------------------------------
// Already-decoded values (the cluster reader): the same checks and the same secret scrubbing as files.

/**
 * One Kubernetes object that is already JSON-decoded, e.g. an item of an API list. `list` gives the
 * list's item kind and apiVersion, which the API server leaves out of the items of built-in lists.
 */
export function loadObject(
  value: unknown,
  at: SourceLocation,
  list?: { kind?: string; apiVersion?: string },
): ParsedInputs {
  const out: ParsedInputs = { objects: [], configDumps: [], problems: [] };
  if (isObj(value)) expandItems([value], at, out, list);
  else out.problems.push({ ...at, message: `${describe(value)} is not a Kubernetes object` });
  return out;
}

/**
 * A config dump fetched from a known pod's admin port (Envoy `/config_dump`, ztunnel `/config_dump`).
 * The pod it was fetched from is authoritative, whatever the dump's node id says.
 */
export function loadConfigDump(
  body: unknown,
  pod: { namespace: string; name: string },
  at: SourceLocation,
): ParsedInputs {
  const out: ParsedInputs = { objects: [], configDumps: [], problems: [] };
  const dump = isObj(body) ? configDump(body, at) : undefined;
  if (dump) out.configDumps.push({ ...dump, pod: { namespace: pod.namespace, name: pod.name } });
  else
    out.problems.push({
      ...at,
      message: `config dump of pod ${pod.namespace}/${pod.name} is ${isObj(body) ? "neither an Envoy nor a ztunnel config dump" : describe(body)}`,
    });
  return out;
}
