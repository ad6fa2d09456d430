// WorkloadEntry and ServiceEntry specs read as Istio's admission checks them: the CRD schema
// (manifests/charts/base/files/crd-all.gen.yaml: types, enums, required fields, port ranges, the CEL
// rules) and the validating webhook (pkg/config/validation/validation.go: ValidateWorkloadEntry,
// validateWorkloadEntry, ValidateServiceEntry). What either refuses throws a FieldError naming the
// field, and the object is left out (input.invalid); everything else is read as istiod reads it. A
// null is an absent field (the API server prunes nulls of non-nullable fields); a numeric string port
// is read as its number, as everywhere in the model (`portNumber`).
import { FieldError } from "./fieldError";
import { isIpAddress } from "./ipAddress";
import { enumValue } from "./optionalFields";
import type { Labels, ServicePort } from "./mesh";
import { absent, isObj, portNumber, shown, type Obj } from "./read";

// ---------------------------------------------------------------------------------------------
// Names (pkg/config/labels/instance.go, pkg/config/validation/agent/validation.go)

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WILDCARD_LABEL = /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const ALL_NUMERIC = /^[+-]?\d+$/;

/** labels.IsDNS1123Label (Istio's allows upper case): port names, domain labels. */
export const isDns1123Label = (s: string): boolean => s.length <= 63 && DNS1123_LABEL.test(s);

/** ValidateDNS1123Labels: every label valid (the last may be empty, "istio.io."), the last not all digits. */
function dnsLabelsError(domain: string): string | null {
  const parts = domain.split(".");
  const last = parts[parts.length - 1]!;
  if (ALL_NUMERIC.test(last)) return `its top-level domain ${JSON.stringify(last)} cannot be all-numeric`;
  for (let i = 0; i < parts.length; i++) {
    const label = parts[i]!;
    if (i === parts.length - 1 && label === "") return null;
    if (!isDns1123Label(label)) return `label ${JSON.stringify(label)} is not a DNS-1123 label`;
  }
  return null;
}

/** CheckDNS1123Preconditions. */
function lengthError(name: string): string | null {
  if (name.length === 0) return "an empty domain name is not allowed";
  return name.length > 255 ? "the domain name is longer than 255 characters" : null;
}

/** ValidateFQDN: why `name` is no fully qualified domain name, or null. */
export function fqdnError(name: string): string | null {
  return lengthError(name) ?? dnsLabelsError(name);
}

/** ValidateWildcardDomain: an FQDN whose first label may be "*", "*foo" or "*-foo". */
export function wildcardDomainError(name: string): string | null {
  const len = lengthError(name);
  if (len) return len;
  const dot = name.indexOf(".");
  const first = dot < 0 ? name : name.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first))
    return `label ${JSON.stringify(first)} is not a DNS-1123 label`;
  return dot < 0 ? null : dnsLabelsError(name.slice(dot + 1));
}

// isIpAddress (Go's netip.ParseAddr) lives in ipAddress.ts, beside Linkerd's variant; still exported
// here, where the entry readers' tests look for it.
export { isIpAddress };

// ---------------------------------------------------------------------------------------------
// Field readers

/** A wrong-typed value, with a hint for the usual cause: an unquoted YAML number or boolean. */
function notA(v: unknown, what: string): string {
  const quote = typeof v === "number" || typeof v === "boolean" ? ` (quote it: "${String(v)}")` : "";
  return `is ${shown(v)}, not ${what}${quote}`;
}

function optionalString(v: unknown, field: string): string {
  if (absent(v)) return "";
  if (typeof v !== "string") throw new FieldError(field, notA(v, "a string"));
  return v;
}

/** A map of label names to string values (the CRD's `additionalProperties: {type: string}`). */
function labelMap(v: unknown, field: string): Labels {
  const out: Labels = {};
  if (absent(v)) return out;
  if (!isObj(v)) throw new FieldError(field, notA(v, "a mapping of label names to values"));
  // for…in over own keys, as strMap: no [key, value] array per label.
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const val = v[k];
    if (typeof val === "string") out[k] = val;
    else if (val !== null) throw new FieldError(`${field}.${k}`, notA(val, "a string"));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// WorkloadEntry, and a ServiceEntry's inline endpoint (the same message)

/** The fields of a WorkloadEntry-shaped object the model reads, checked. */
export interface EntryFields {
  /** spec.address as written (an IP, a hostname, or unix://…); "" with a network and no address. */
  address: string;
  /** The address is not an IP (a hostname or a unix socket). */
  dnsOnly: boolean;
  /** Service port name → endpoint port. */
  ports: Map<string, number>;
  labels: Labels;
  /** "" when absent. */
  serviceAccount: string;
}

/**
 * Which addresses an entry may have: a WorkloadEntry an IP, a unix socket or an FQDN (it does not
 * know which ServiceEntry selects it); a STATIC ServiceEntry's endpoint an IP or a unix socket; a DNS
 * one an IP or an FQDN (ValidateServiceEntry's per-resolution branches).
 */
export type AddressRule = "workloadEntry" | "static" | "dns";

const UNIX = "unix://";

/** ValidateUnixAddress, and the CRD's "UDS must be an absolute path or abstract socket", "UDS may not be a dir". */
export function unixPathError(path: string): string | null {
  if (path === "") return "the unix socket path is empty";
  if (path.startsWith("@")) return null;
  return path.startsWith("/") && !path.endsWith("/")
    ? null
    : `${JSON.stringify(path)} is not an absolute path to a socket file`;
}

/** An entry's spec.address: why Istio refuses it, or null. */
function addressError(
  address: string,
  network: string,
  rule: AddressRule,
  isIp: boolean,
  ports: number,
  servicePorts: ReadonlySet<string> | null,
): string | null {
  if (rule === "dns") {
    // The DNS branch checks only IP-or-FQDN: no address, and a unix socket, are neither.
    if (isIp) return null;
    if (address === "") return "is required (resolution DNS needs an IP address or a hostname)";
    return fqdnError(address) === null
      ? null
      : `${JSON.stringify(address)} is neither an IP address nor a fully qualified domain name (resolution DNS)`;
  }
  if (address === "")
    return network === "" ? "is required (or spec.network, for an endpoint behind a network gateway)" : null;
  if (address.startsWith(UNIX)) {
    const path = unixPathError(address.slice(UNIX.length));
    if (path) return path;
    if (ports > 0) return `a unix socket endpoint (${address}) must not have ports`;
    if (servicePorts !== null && servicePorts.size !== 1)
      return `a unix socket endpoint needs exactly one ServiceEntry port (it has ${servicePorts.size})`;
    return null;
  }
  if (isIp) return null;
  if (rule === "static")
    return `${JSON.stringify(address)} is not an IP address (resolution STATIC takes IP addresses and unix sockets; a hostname needs resolution DNS)`;
  return fqdnError(address) === null
    ? null
    : `${JSON.stringify(address)} is neither an IP address nor a fully qualified domain name`;
}

/**
 * validateWorkloadEntry on `v` (fields under `field`: "spec" for a WorkloadEntry,
 * "spec.endpoints[i]" for an inline endpoint), reading what the model uses. `servicePorts`: the
 * ServiceEntry's port names, which an inline endpoint's spec.ports must use; null for a WorkloadEntry.
 * Not checked: label key and value syntax (labels.Instance.Validate), locality, weight, network values.
 */
export function readEntryFields(
  v: unknown,
  field: string,
  rule: AddressRule,
  servicePorts: ReadonlySet<string> | null,
): EntryFields {
  if (absent(v)) v = {};
  if (!isObj(v)) throw new FieldError(field, notA(v, "a mapping"));
  const spec: Obj = v;
  const serviceAccount = optionalString(spec.serviceAccount, `${field}.serviceAccount`);
  const labels = labelMap(spec.labels, `${field}.labels`);
  const ports = entryPorts(spec.ports, `${field}.ports`, servicePorts);
  const address = optionalString(spec.address, `${field}.address`);
  const network = optionalString(spec.network, `${field}.network`);
  const isIp = address !== "" && isIpAddress(address);
  const bad = addressError(address, network, rule, isIp, ports.size, servicePorts);
  if (bad) throw new FieldError(`${field}.address`, bad);
  // convertWorkloadEntryToWorkloadInstance: a unix socket or a non-IP address is for DNS ServiceEntries only.
  return { address, dnsOnly: address !== "" && !isIp, ports, labels, serviceAccount };
}

/** spec.ports of an entry: port name → port; the CRD's map of integers 1..65535 under valid names. */
function entryPorts(
  v: unknown,
  field: string,
  servicePorts: ReadonlySet<string> | null,
): Map<string, number> {
  const out = new Map<string, number>();
  if (absent(v)) return out;
  if (!isObj(v)) throw new FieldError(field, notA(v, "a mapping of port names to port numbers"));
  for (const name in v) {
    if (!Object.hasOwn(v, name)) continue;
    const port = portNumber(v[name]);
    if (port === undefined)
      throw new FieldError(`${field}.${name}`, `${shown(v[name])} is not a port number (1..65535)`);
    if (!isDns1123Label(name))
      throw new FieldError(
        `${field}.${name}`,
        `${JSON.stringify(name)} is not a valid port name (letters, digits and "-", at most 63)`,
      );
    if (servicePorts !== null && !servicePorts.has(name))
      throw new FieldError(
        `${field}.${name}`,
        `is not a port of the ServiceEntry (its ports: ${[...servicePorts].join(", ") || "none"})`,
      );
    out.set(name, port);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ServiceEntry

const LOCATIONS = ["MESH_EXTERNAL", "MESH_INTERNAL"] as const;
const RESOLUTIONS = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** protocol.Parse's names (case-insensitive), and which of them IsHTTP or IsTLS. */
const PROTOCOLS = new Map<string, "http" | "tls" | "other">([
  ["tcp", "other"],
  ["udp", "other"],
  ["grpc", "http"],
  ["grpc-web", "http"],
  ["http", "http"],
  ["http_proxy", "http"],
  ["http2", "http"],
  ["https", "tls"],
  ["tls", "tls"],
  ["mongo", "other"],
  ["redis", "other"],
  ["mysql", "other"],
]);

/** A ServiceEntry's spec as the model reads it, checked. */
export interface ServiceEntrySpec {
  hosts: string[];
  /** In spec order; targetPort defaults to the number, protocol to TCP. */
  ports: ServicePort[];
  /** The port numbers written without protocol, in spec order (Istio sniffs them: Service.sniffedPorts). */
  sniffedPorts: number[];
  /** location is not MESH_INTERNAL (MESH_EXTERNAL is the enum's zero value). */
  external: boolean;
  /** As written (undefined when absent, which Istio reads as NONE). */
  resolution: Resolution | undefined;
  /** spec.workloadSelector.labels; null without them. */
  selector: Labels | null;
  exportTo: string[];
  /** The inline endpoints (none when the ServiceEntry has a workloadSelector). */
  endpoints: EntryFields[];
}

function seHosts(v: unknown): string[] {
  if (absent(v)) throw new FieldError("spec.hosts", "is required (at least one host)");
  if (!Array.isArray(v)) throw new FieldError("spec.hosts", notA(v, "a list of hosts"));
  if (v.length === 0) throw new FieldError("spec.hosts", "is empty: a ServiceEntry needs at least one host");
  for (let i = 0; i < v.length; i++) {
    const h: unknown = v[i];
    if (typeof h !== "string") throw new FieldError(`spec.hosts[${i}]`, notA(h, "a string"));
    if (h === "*")
      throw new FieldError(
        `spec.hosts[${i}]`,
        `"*" is not allowed: a ServiceEntry host cannot be the bare wildcard`,
      );
    const bad = wildcardDomainError(h);
    if (bad) throw new FieldError(`spec.hosts[${i}]`, `${JSON.stringify(h)} is not a valid host: ${bad}`);
  }
  return v as string[];
}

function sePorts(v: unknown, sniffed: number[]): ServicePort[] {
  const out: ServicePort[] = [];
  if (absent(v)) return out;
  if (!Array.isArray(v)) throw new FieldError("spec.ports", notA(v, "a list of ports"));
  const names = new Set<string>();
  const numbers = new Set<number>();
  for (let i = 0; i < v.length; i++) {
    const p: unknown = v[i];
    const f = `spec.ports[${i}]`;
    if (!isObj(p)) throw new FieldError(f, notA(p, "a mapping"));
    if (absent(p.number)) throw new FieldError(`${f}.number`, "is required");
    const port = portNumber(p.number);
    if (port === undefined)
      throw new FieldError(`${f}.number`, `${shown(p.number)} is not a port number (1..65535)`);
    if (numbers.has(port)) throw new FieldError(`${f}.number`, `port ${port} is already defined`);
    numbers.add(port);
    const name = optionalString(p.name, `${f}.name`);
    if (name === "") throw new FieldError(`${f}.name`, "is required");
    if (!isDns1123Label(name))
      throw new FieldError(
        `${f}.name`,
        `${JSON.stringify(name)} is not a valid port name (letters, digits and "-", at most 63)`,
      );
    if (names.has(name))
      throw new FieldError(`${f}.name`, `port name ${JSON.stringify(name)} is already defined`);
    names.add(name);
    let targetPort = port;
    if (!absent(p.targetPort)) {
      const t = portNumber(p.targetPort);
      if (t === undefined)
        throw new FieldError(`${f}.targetPort`, `${shown(p.targetPort)} is not a port number (1..65535)`);
      targetPort = t;
    }
    const protocol = optionalString(p.protocol, `${f}.protocol`);
    // ValidateProtocol: empty is sniffing; anything else must be a protocol Istio knows.
    if (protocol !== "" && !PROTOCOLS.has(protocol.toLowerCase()))
      throw new FieldError(
        `${f}.protocol`,
        `unsupported protocol ${JSON.stringify(protocol)} (expected one of ${[...PROTOCOLS.keys()].map((x) => x.toUpperCase()).join(", ")})`,
      );
    out.push({ port, targetPort, protocol: protocol || "TCP", name });
    if (protocol === "") sniffed.push(port);
  }
  return out;
}

/** spec.workloadSelector: labels without wildcards (ValidateAlphaWorkloadSelector, the CRD's CEL rule). */
function seSelector(v: unknown): { present: boolean; labels: Labels | null } {
  if (absent(v)) return { present: false, labels: null };
  if (!isObj(v)) throw new FieldError("spec.workloadSelector", notA(v, "a mapping"));
  if (absent(v.labels)) return { present: true, labels: null };
  const labels = labelMap(v.labels, "spec.workloadSelector.labels");
  for (const k in labels)
    if (labels[k]!.includes("*"))
      throw new FieldError(`spec.workloadSelector.labels.${k}`, "a wildcard is not supported in a selector");
  return { present: true, labels };
}

/**
 * ValidateServiceEntry and the ServiceEntry CRD schema, reading what the model uses. Not checked:
 * spec.addresses, spec.exportTo values, subjectAltNames, and the webhook's warnings (which admit).
 */
export function readServiceEntrySpec(spec: unknown): ServiceEntrySpec {
  if (!isObj(spec))
    throw new FieldError(
      absent(spec) ? "spec.hosts" : "spec",
      absent(spec) ? "is required (at least one host)" : notA(spec, "a mapping"),
    );
  const hosts = seHosts(spec.hosts);
  const location = enumValue(spec.location, "spec.location", LOCATIONS, "location");
  const resolution = enumValue(spec.resolution, "spec.resolution", RESOLUTIONS, "resolution");
  const mode: Resolution = resolution ?? "NONE";
  const sniffedPorts: number[] = [];
  const ports = sePorts(spec.ports, sniffedPorts);
  const selector = seSelector(spec.workloadSelector);

  if (!absent(spec.endpoints) && !Array.isArray(spec.endpoints))
    throw new FieldError("spec.endpoints", notA(spec.endpoints, "a list of endpoints"));
  const raw: unknown[] = Array.isArray(spec.endpoints) ? spec.endpoints : [];
  const endpoints: EntryFields[] = [];
  if (raw.length > 0) {
    if (selector.present)
      throw new FieldError("spec.endpoints", "only one of workloadSelector or endpoints can be set");
    if (mode === "NONE")
      throw new FieldError(
        "spec.endpoints",
        `cannot be set with resolution NONE${resolution === undefined ? " (the default when spec.resolution is absent)" : ""}`,
      );
    if (mode === "DNS_ROUND_ROBIN" && raw.length > 1)
      throw new FieldError(
        "spec.endpoints",
        `resolution DNS_ROUND_ROBIN takes at most one endpoint (there are ${raw.length})`,
      );
    const names = new Set<string>();
    for (const p of ports) names.add(p.name!);
    const rule: AddressRule = mode === "STATIC" ? "static" : "dns";
    for (let i = 0; i < raw.length; i++) {
      const ep: unknown = raw[i];
      if (!isObj(ep)) throw new FieldError(`spec.endpoints[${i}]`, notA(ep, "a mapping"));
      endpoints.push(readEntryFields(ep, `spec.endpoints[${i}]`, rule, names));
    }
  }
  // Resolved by DNS without endpoints, the hosts themselves are looked up: no wildcards.
  if ((mode === "DNS" || mode === "DNS_ROUND_ROBIN") && endpoints.length === 0)
    for (let i = 0; i < hosts.length; i++)
      if (fqdnError(hosts[i]!) !== null)
        throw new FieldError(
          `spec.hosts[${i}]`,
          `${JSON.stringify(hosts[i])} must be a fully qualified domain name: resolution ${mode} without endpoints looks the host up (use resolution NONE for a wildcard)`,
        );
  // Plain TCP carries no host name to tell several hosts apart (unless resolution NONE ignores them).
  if (mode !== "NONE" && hosts.length > 1)
    for (let i = 0; i < ports.length; i++)
      if (PROTOCOLS.get(ports[i]!.protocol.toLowerCase()) === "other")
        throw new FieldError(
          `spec.ports[${i}].protocol`,
          `${ports[i]!.protocol} cannot serve several hosts: only HTTP and TLS ports tell them apart (or resolution NONE)`,
        );

  return {
    hosts,
    ports,
    sniffedPorts,
    external: location !== "MESH_INTERNAL",
    resolution,
    selector: selector.labels,
    exportTo: Array.isArray(spec.exportTo)
      ? spec.exportTo.filter((x): x is string => typeof x === "string")
      : [],
    endpoints,
  };
}
