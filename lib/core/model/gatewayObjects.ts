// Istio Gateway resources (networking.istio.io) read as Istio's admission admits them: the CRD schema,
// then ValidateGateway; a Gateway refused is input.invalid naming the field (docs/DECISIONS.md,
// "Gateway admission").
import { isDns1123Label, unixPathError, wildcardDomainError } from "./entrySpecs";
import { isIpAddress } from "./ipAddress";
import { FieldError } from "./fieldError";
import { objectList, stringList } from "./fieldLists";
import {
  enumValue,
  optionalBoolean,
  optionalMapping,
  optionalString,
  requiredMapping,
  requiredString,
} from "./optionalFields";
import type { LoadedObject } from "./input";
import { creationTimestamp, revisionOf } from "./istioMetadata";
import type { GatewayServer, GatewayTlsMode, IstioGateway } from "./mesh";
import { absent, at, isObj, shown, strMap } from "./read";

const GATEWAY_TLS_MODES: readonly GatewayTlsMode[] = [
  "PASSTHROUGH",
  "SIMPLE",
  "MUTUAL",
  "AUTO_PASSTHROUGH",
  "ISTIO_MUTUAL",
  "OPTIONAL_MUTUAL",
];

/** protocol.Parse (pkg/config/protocol): the names it knows, case-insensitive; anything else is Unsupported. */
const GATEWAY_PROTOCOLS = new Set([
  "TCP",
  "UDP",
  "GRPC",
  "GRPC-WEB",
  "HTTP",
  "HTTP_PROXY",
  "HTTP2",
  "HTTPS",
  "TLS",
  "MONGO",
  "REDIS",
  "MYSQL",
]);
const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB"]);
/** protocol.Parse(...).IsHTTP(): HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-Web (case-insensitive). */
export const isHttpProtocol = (p: string): boolean => HTTP_PROTOCOLS.has(p.toUpperCase());

const TLS_VERSIONS = ["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"] as const;
const TLS_STRING_FIELDS = [
  "credentialName",
  "caCertCredentialName",
  "serverCertificate",
  "privateKey",
  "caCertificates",
  "caCrl",
] as const;
const TLS_STRING_LISTS = [
  "cipherSuites",
  "subjectAltNames",
  "verifyCertificateSpki",
  "verifyCertificateHash",
] as const;

/** One `tls.tlsCertificates[]` entry (ServerTLSSettings.TLSCertificate). */
interface TlsCertificateSpec {
  serverCertificate: string;
  privateKey: string;
}

/** `tls` as the CRD schema admits it (gateway.proto ServerTLSSettings); an absent string is "". */
interface TlsSpec {
  mode: GatewayTlsMode;
  httpsRedirect: boolean;
  credentialName: string;
  caCertCredentialName: string;
  serverCertificate: string;
  privateKey: string;
  caCertificates: string;
  caCrl: string;
  credentialNames: string[];
  tlsCertificates: TlsCertificateSpec[];
}

/** One `servers[]` entry as the CRD schema admits it, before the webhook's checks. */
interface ServerSpec {
  hosts: string[];
  port: { number: number; protocol: string; name: string; targetPort: number };
  bind: string;
  tls: TlsSpec | null;
}

/** A string field, "" when absent (proto3's default, as the webhook reads it). */
const stringOrEmpty = (v: unknown, field: string): string => optionalString(v, field) ?? "";

function optionalInteger(v: unknown, field: string): number | null {
  if (absent(v)) return null;
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new FieldError(field, `must be an integer, not ${shown(v)}`);
  return v;
}

/** A port number or targetPort: the CRD types them uint32 (`minimum: 0`). */
function optionalPortNumber(v: unknown, field: string): number | null {
  const n = optionalInteger(v, field);
  if (n !== null && n < 0) throw new FieldError(field, `must be 0 or more, not ${n}`);
  return n;
}

/** A field the CRD lists as `required` (the API server's "Required value"; null is pruned, so absent too). */
function required<T>(v: T | null | undefined, field: string): T {
  if (absent(v)) throw new FieldError(field, "is required");
  return v;
}

/** credentialNames / tlsCertificates: the CRD takes 1 or 2 items (minItems 1, maxItems 2). */
function oneOrTwo(list: unknown[], field: string): void {
  if (list.length === 0 || list.length > 2)
    throw new FieldError(field, `must have 1 or 2 items, not ${list.length}`);
}

/**
 * `tls`, typed as the CRD schema types it: a wrong type or an unknown enum value is refused, not read
 * as unset. A tls block without mode is PASSTHROUGH, the enum's zero value.
 */
function tlsSpec(raw: unknown, field: string): TlsSpec | null {
  const v = optionalMapping(raw, field);
  if (v === undefined) return null;
  const mode = enumValue(v.mode, `${field}.mode`, GATEWAY_TLS_MODES, "TLS mode") ?? "PASSTHROUGH";
  const httpsRedirect = optionalBoolean(v.httpsRedirect, `${field}.httpsRedirect`) === true;
  const strings = {} as Record<(typeof TLS_STRING_FIELDS)[number], string>;
  for (const k of TLS_STRING_FIELDS) strings[k] = stringOrEmpty(v[k], `${field}.${k}`);
  for (const k of TLS_STRING_LISTS) stringList(v[k], `${field}.${k}`);
  for (const k of ["minProtocolVersion", "maxProtocolVersion"] as const)
    if (!absent(v[k]) && !(TLS_VERSIONS as readonly unknown[]).includes(v[k]))
      throw new FieldError(
        `${field}.${k}`,
        `unknown TLS version ${shown(v[k])} (expected ${TLS_VERSIONS.join(", ")})`,
      );
  const credentialNames = stringList(v.credentialNames, `${field}.credentialNames`);
  if (!absent(v.credentialNames)) oneOrTwo(credentialNames, `${field}.credentialNames`);
  const certs = objectList(v.tlsCertificates, `${field}.tlsCertificates`);
  if (!absent(v.tlsCertificates)) oneOrTwo(certs, `${field}.tlsCertificates`);
  const tlsCertificates = certs.map((c, i) => {
    const entry = `${field}.tlsCertificates[${i}]`;
    stringOrEmpty(c.caCertificates, `${entry}.caCertificates`);
    return {
      serverCertificate: stringOrEmpty(c.serverCertificate, `${entry}.serverCertificate`),
      privateKey: stringOrEmpty(c.privateKey, `${entry}.privateKey`),
    };
  });
  // The CRD's CEL rules on tls, in its order. has() is presence: credentialName: "" counts. The third
  // rule's message names credentialName and tlsCertificates but its expression repeats the first pair,
  // so credentialName beside tlsCertificates passes here (validateTLSOptions refuses it).
  if (!absent(v.tlsCertificates) && !absent(v.credentialNames))
    throw new FieldError(field, "only one of credentialNames or tlsCertificates can be set");
  if (!absent(v.credentialName) && !absent(v.credentialNames))
    throw new FieldError(field, "only one of credentialName or credentialNames can be set");
  return { mode, httpsRedirect, ...strings, credentialNames, tlsCertificates };
}

/**
 * One server, typed as the CRD schema types it (manifests/charts/base/files/crd-all.gen.yaml, v1 and
 * v1alpha3 alike): `port` and `hosts` required; port `number`, `protocol` and `name` required, number
 * and targetPort `minimum: 0`. A unix-bind server needs a number too (0), though the webhook would read
 * an absent one as 0. What the webhook refuses is checked by validateServer.
 */
function serverSpec(s: Record<string, unknown>, field: string): ServerSpec {
  const bind = stringOrEmpty(s.bind, `${field}.bind`);
  const rawPort = requiredMapping(s.port, `${field}.port`);
  const number = required(optionalPortNumber(rawPort.number, `${field}.port.number`), `${field}.port.number`);
  const protocol = rawPort.protocol;
  if (absent(protocol) || protocol === "") throw new FieldError(`${field}.port.protocol`, "is required");
  if (typeof protocol !== "string")
    throw new FieldError(`${field}.port.protocol`, `must be a string, not ${shown(protocol)}`);
  // Present but "" passes the schema: the webhook's "port name must be set".
  const name = requiredString(rawPort.name, `${field}.port.name`);
  const targetPort = optionalPortNumber(rawPort.targetPort, `${field}.port.targetPort`) ?? 0;
  const hosts = stringList(required(s.hosts, `${field}.hosts`), `${field}.hosts`);
  return { hosts, port: { number, protocol, name, targetPort }, bind, tls: tlsSpec(s.tls, `${field}.tls`) };
}

/**
 * validateSidecarOrGatewayHostnamePart(host, isGateway=true) (istio/istio
 * pkg/config/validation/agent/validation.go): a name with a dot unless "*"; a ValidateWildcardDomain
 * name (entrySpecs.wildcardDomainError, validateDNS1123Labels' order: the top-level label is read
 * before a final empty one is dropped, so "foo.123." passes) or else an IP address ("Gateway allows
 * IP as the host string"; netutil.IsValidIPAddress: an IPv6 address passes only with a dot, as the
 * short-name check comes first); and ValidatePartialWildCard: a name with "*" is "*" or starts "*.".
 */
function gatewayNameError(name: string): string | null {
  if (name !== "*" && !name.includes(".")) return `short names (non FQDN) are not allowed (${shown(name)})`;
  const err = wildcardDomainError(name);
  if (err !== null && !isIpAddress(name)) return `domain name ${shown(name)} invalid: ${err}`;
  if (name.includes("*") && name.length !== 1 && !name.startsWith("*."))
    return `partial wildcard ${shown(name)} not allowed`;
  return null;
}

/** ValidateNamespaceSlashWildcardHostname(host, isGateway=true): "[namespace/]host", namespace "*", "." or a DNS label. */
function gatewayHostError(h: string): string | null {
  const slash = h.indexOf("/");
  if (slash < 0) return gatewayNameError(h);
  const ns = h.slice(0, slash);
  const name = h.slice(slash + 1);
  if (ns === "" || name === "")
    return `config namespace and dnsName in host entry cannot be empty (${shown(h)})`;
  if (ns !== "*" && ns !== "." && !isDns1123Label(ns))
    return `invalid namespace value ${shown(ns)} in gateway`;
  return gatewayNameError(name);
}

const UNIX = "unix://";

/**
 * validateServerPort (pkg/config/validation/validation.go), in its order: the protocol
 * protocol.Parse knows; the range 1..65535, checked only when `port.Number > 0 ||
 * !strings.HasPrefix(bind, "unix://")` (an absent number is 0); no targetPort ("has no impact on
 * Gateways"); a port name.
 */
function checkServerPort(port: ServerSpec["port"], unix: boolean, field: string): void {
  if (!GATEWAY_PROTOCOLS.has(port.protocol.toUpperCase()))
    throw new FieldError(`${field}.protocol`, `invalid protocol ${shown(port.protocol)}`);
  const n = port.number;
  if ((n > 0 || !unix) && (n < 1 || n > 65535))
    throw new FieldError(`${field}.number`, `port number ${n} must be in the range 1..65535`);
  if (port.targetPort > 0)
    throw new FieldError(`${field}.targetPort`, "targetPort has no impact on Gateways");
  if (port.name === "") throw new FieldError(`${field}.name`, "port name must be set");
}

/**
 * validateServerBind: a "unix://" bind names an absolute socket path or an abstract "@name"
 * (ValidateUnixAddress) and takes port number 0; any other non-empty bind is an IP address
 * (agent.ValidateIPAddress: netip.ParseAddr).
 */
function checkServerBind(s: ServerSpec, field: string): void {
  if (s.bind.startsWith(UNIX)) {
    const err = unixPathError(s.bind.slice(UNIX.length));
    if (err) throw new FieldError(`${field}.bind`, err);
    if (s.port.number !== 0)
      throw new FieldError(
        `${field}.port.number`,
        `port number must be 0 for unix domain socket, not ${s.port.number}`,
      );
  } else if (s.bind !== "" && !isIpAddress(s.bind))
    throw new FieldError(`${field}.bind`, `${s.bind} is not a valid IP`);
}

const ISTIO_MUTUAL_REFUSES = [
  ["serverCertificate", "server certificate"],
  ["privateKey", "private key"],
  ["caCertificates", "CA bundle"],
  ["tlsCertificates", "tlsCertificates"],
  ["credentialName", "credentialName"],
  ["credentialNames", "credentialNames"],
] as const;

const isSet = (v: string | readonly unknown[]) => v.length > 0;

/**
 * validateTLSOptions (pkg/config/validation/validation.go), the errors only, in its order. Its
 * warnings admit the Gateway and are not modelled: a minimum version below TLSV1_2 without
 * cipherSuites, invalid or duplicate cipher suites, certificates on a (AUTO_)PASSTHROUGH server
 * ("they will be ignored"), more than 2 tlsCertificates.
 * - ISTIO_MUTUAL uses the gateway's own Istio certificate: no serverCertificate, privateKey,
 *   caCertificates, tlsCertificates, credentialName or credentialNames;
 * - at most one certificate source: credentialName, credentialNames, serverCertificate with
 *   privateKey, tlsCertificates. Not as stored upstream: the file pair does not count beside
 *   credentialName. Before 1.26 (istio/api#3466 added credentialNames/tlsCertificates and this count)
 *   SIMPLE/MUTUAL/OPTIONAL_MUTUAL with a credentialName returned at once and a passthrough server only
 *   warned, and istiod serves credentialName first; such a Gateway stored before an upgrade still
 *   works, so it is admitted (a pair beside the 1.26-only fields stays refused);
 * - SIMPLE / MUTUAL / OPTIONAL_MUTUAL with credentialName(s) fetch everything from the secret: no
 *   more checks (not even caCrl's);
 * - otherwise they need a server certificate and a private key (each tlsCertificates entry, or the
 *   top-level pair), and MUTUAL / OPTIONAL_MUTUAL a client CA bundle (caCertificates). Not from the
 *   stored upstream: caCertCredentialName (Istio 1.28, a secret holding the client CA) is taken as
 *   that bundle rather than refusing it;
 * - caCrl is refused beside credentialName (a PASSTHROUGH block only gets this far) and with SIMPLE.
 */
function checkTlsOptions(t: TlsSpec, field: string): void {
  if (t.mode === "ISTIO_MUTUAL") {
    for (const [k, what] of ISTIO_MUTUAL_REFUSES)
      if (isSet(t[k]))
        throw new FieldError(`${field}.${k}`, `ISTIO_MUTUAL TLS cannot have associated ${what}`);
    return;
  }
  const pair = t.serverCertificate !== "" && t.privateKey !== "" && t.credentialName === "";
  const sources = [pair, t.credentialName !== "", isSet(t.credentialNames), isSet(t.tlsCertificates)];
  if (sources.filter(Boolean).length > 1)
    throw new FieldError(
      field,
      "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified",
    );
  const terminating = t.mode === "SIMPLE" || t.mode === "MUTUAL" || t.mode === "OPTIONAL_MUTUAL";
  if (terminating && (t.credentialName !== "" || isSet(t.credentialNames))) return;
  if (terminating) {
    const prefix = t.mode === "SIMPLE" ? "SIMPLE TLS" : "MUTUAL TLS";
    if (t.mode !== "SIMPLE" && t.caCertificates === "" && t.caCertCredentialName === "")
      throw new FieldError(
        `${field}.caCertificates`,
        `${prefix} requires a client CA bundle (or set credentialName, whose secret holds it)`,
      );
    const certs = isSet(t.tlsCertificates) ? t.tlsCertificates : [t];
    certs.forEach((c, i) => {
      const entry = c === t ? field : `${field}.tlsCertificates[${i}]`;
      if (c.serverCertificate === "")
        throw new FieldError(
          `${entry}.serverCertificate`,
          `${prefix} requires a server certificate (or set credentialName)`,
        );
      if (c.privateKey === "")
        throw new FieldError(
          `${entry}.privateKey`,
          `${prefix} requires a private key (or set credentialName)`,
        );
    });
  }
  if (t.caCrl !== "") {
    if (t.credentialName !== "")
      throw new FieldError(
        `${field}.caCrl`,
        "CRL is not supported with credentialName. CRL has to be specified in the credential",
      );
    if (t.mode === "SIMPLE") throw new FieldError(`${field}.caCrl`, "CRL is not supported with SIMPLE TLS");
  }
}

/**
 * validateServer, in its order: at least one valid host; the port (validateServerPort); the bind
 * (validateServerBind); the tls options (validateTLSOptions); then HTTPS/TLS must have tls ("server
 * must have TLS settings for HTTPS/TLS protocols"), an HTTP server may carry only a passthrough-mode
 * tls block without certificate files (httpsRedirect), any other protocol none.
 */
function validateServer(s: ServerSpec, field: string): void {
  if (s.hosts.length === 0)
    throw new FieldError(`${field}.hosts`, "server config must contain at least one host");
  s.hosts.forEach((h, i) => {
    const err = gatewayHostError(h);
    if (err) throw new FieldError(`${field}.hosts[${i}]`, err);
  });
  checkServerPort(s.port, s.bind.startsWith(UNIX), `${field}.port`);
  checkServerBind(s, field);
  const t = s.tls;
  if (t !== null) checkTlsOptions(t, `${field}.tls`);
  const proto = s.port.protocol.toUpperCase();
  const isTls = proto === "HTTPS" || proto === "TLS";
  if (t === null && isTls)
    throw new FieldError(`${field}.tls`, "server must have TLS settings for HTTPS/TLS protocols");
  if (t === null || isTls) return;
  if (!HTTP_PROTOCOLS.has(proto))
    throw new FieldError(`${field}.tls`, "server cannot have TLS settings for non HTTPS/TLS ports");
  const files = t.caCertificates !== "" || t.privateKey !== "" || t.serverCertificate !== "";
  if (files || (t.mode !== "PASSTHROUGH" && t.mode !== "AUTO_PASSTHROUGH"))
    throw new FieldError(`${field}.tls`, "server cannot have TLS settings for plain text HTTP ports");
}

/**
 * ValidateGateway (pkg/config/validation/validation.go), in its order: the Gateway's name a DNS-1123
 * label ("no dots"); at least one server; each server (validateServer); port names unique across the
 * servers. Its warning (tls.httpsRedirect on a non-HTTP server) admits the Gateway.
 */
function validateGateway(name: string, servers: ServerSpec[]): void {
  if (!isDns1123Label(name))
    throw new FieldError("metadata.name", `invalid gateway name: ${shown(name)} (a DNS-1123 label, no dots)`);
  if (servers.length === 0) throw new FieldError("spec.servers", "gateway must have at least one server");
  servers.forEach((s, i) => validateServer(s, `spec.servers[${i}]`));
  const names = new Set<string>();
  servers.forEach((s, i) => {
    if (names.has(s.port.name))
      throw new FieldError(
        `spec.servers[${i}].port.name`,
        `port names in servers must be unique: duplicate name ${s.port.name}`,
      );
    names.add(s.port.name);
  });
}

/** An admitted server as the listener reads it. A host "ns/name" matches SNI by its name part (GetSNIHostsForServer, pilot/pkg/model/gateway.go). */
function gatewayServer(s: ServerSpec, namespace: string): GatewayServer {
  const port = s.port;
  // A unix-socket server listens on the socket, not on a port (0 here; gatewayListeners leaves every bound server out of the pod-IP listener).
  const number = s.bind.startsWith(UNIX) ? 0 : port.number;
  // GetSNIHostsForServer reads the hosts mergeGateways has sanitised: "*\/*" among others leaves only "*".
  const sanitized = sanitizedHosts(s.hosts, namespace);
  const sniHosts = sanitized.map((h) => {
    const slash = h.indexOf("/");
    return slash < 0 ? h : h.slice(slash + 1);
  });
  return {
    port: number,
    protocol: port.protocol,
    hosts: sanitized,
    sniHosts,
    tls: s.tls?.mode ?? null,
    httpsRedirect: s.tls?.httpsRedirect ?? false,
    bind: s.bind,
    credentialNames: s.tls ? [s.tls.credentialName, ...s.tls.credentialNames].filter((c) => c !== "") : [],
  };
}

/** sanitizeServerHostNamespace (pilot/pkg/model/gateway.go): "./h" → "<namespace>/h", "*\/h" → "h", "*\/*" alone makes the hosts ["*"]. */
function sanitizedHosts(hosts: string[], namespace: string): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    const slash = h.indexOf("/");
    if (slash < 0) out.push(h);
    else if (h.startsWith("./")) out.push(`${namespace}/${h.slice(2)}`);
    else if (h.startsWith("*/")) {
      if (h === "*/*") return ["*"];
      out.push(h.slice(2));
    } else out.push(h);
  }
  return out;
}

/**
 * A Gateway as admission admits it: the CRD schema (types, enums, list sizes) for every server first,
 * as the API server checks the schema before calling the webhook, then ValidateGateway. Istio
 * validates the whole Gateway: one bad server refuses the object (every server of it is skipped).
 */
export function readGateway(o: LoadedObject): IstioGateway {
  const spec = at(o.object, "spec");
  if (!isObj(spec)) throw new FieldError("spec", `must be a mapping, not ${shown(spec)}`);
  const rawSelector = at(spec, "selector");
  if (
    rawSelector !== undefined &&
    rawSelector !== null &&
    (!isObj(rawSelector) || Object.values(rawSelector).some((v) => typeof v !== "string"))
  )
    throw new FieldError("spec.selector", `must be a mapping of strings, not ${shown(rawSelector)}`);
  const namespace = o.object.metadata.namespace ?? "default";
  const specs = objectList(at(spec, "servers"), "spec.servers").map((s, i) =>
    serverSpec(s, `spec.servers[${i}]`),
  );
  validateGateway(o.object.metadata.name, specs);
  return {
    namespace,
    name: o.object.metadata.name,
    creationTimestamp: creationTimestamp(o),
    selector: isObj(rawSelector) && Object.keys(rawSelector).length > 0 ? strMap(rawSelector) : null,
    servers: specs.map((s) => gatewayServer(s, namespace)),
    ...revisionOf(o),
    at: o.at,
  };
}
