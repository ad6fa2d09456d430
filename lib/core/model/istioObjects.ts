// PeerAuthentication, DestinationRule, Sidecar and VirtualService read into typed form. An object Istio's admission
// would reject (unknown enum, bad port) is reported as input.invalid naming the field and skipped;
// everything else is kept as Istio would read it.
import { FieldError, problemFor } from "./fieldError";
import type { InputProblem, LoadedObject } from "./input";
import type {
  ClientTlsSettings,
  DestinationRule,
  PaMode,
  PeerAuthentication,
  PortTrafficPolicy,
  RouteDestination,
  RouteKind,
  SidecarResource,
  Subset,
  TlsMode,
  TrafficPolicy,
  VirtualService,
} from "./mesh";
import { arr, at, bool, isObj, portNumber, shown, str, strMap } from "./read";
import { NO_REVISIONS, resolveRevision, type Revisions } from "./revisions";
import { CLUSTER_DOMAIN } from "./services";

const PA_MODES: readonly PaMode[] = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"];
const TLS_MODES: readonly TlsMode[] = ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"];

function paMode(v: unknown, field: string): PaMode {
  if (v === undefined || v === null) return "UNSET";
  if (typeof v === "string" && (PA_MODES as readonly string[]).includes(v)) return v as PaMode;
  throw new FieldError(field, `unknown mode ${JSON.stringify(v)} (expected ${PA_MODES.join(", ")})`);
}

/**
 * The istio.io/rev label, as an optional field (absent on most objects), resolved through the revision
 * tags: istiod reads objects labelled with its revision or any tag pointing at it (revisions.ts).
 */
function revisionOf(o: LoadedObject, revisions: Revisions): { revision?: string } {
  const rev = strMap(o.object.metadata.labels)["istio.io/rev"];
  return rev === undefined ? {} : { revision: resolveRevision(revisions, rev) };
}

function readPeerAuthentication(o: LoadedObject, revisions: Revisions): PeerAuthentication {
  const spec = at(o.object, "spec");
  const labels = at(spec, "selector", "matchLabels");
  const selector = isObj(labels) && Object.keys(labels).length > 0 ? strMap(labels) : null;
  const mode = paMode(at(spec, "mtls", "mode"), "spec.mtls.mode");
  const rawPorts = at(spec, "portLevelMtls");
  let portLevelMtls: Map<number, PaMode> | null = null;
  if (isObj(rawPorts)) {
    portLevelMtls = new Map();
    for (const [key, value] of Object.entries(rawPorts)) {
      const port = portNumber(key);
      if (port === undefined) throw new FieldError(`spec.portLevelMtls.${key}`, "port must be 1..65535");
      portLevelMtls.set(port, paMode(at(value, "mode"), `spec.portLevelMtls.${key}.mode`));
    }
  }
  return {
    namespace: o.object.metadata.namespace ?? "default",
    name: o.object.metadata.name,
    creationTimestamp: o.object.metadata.creationTimestamp ?? "",
    selector,
    mode,
    portLevelMtls,
    ...(selector === null && isObj(at(spec, "selector")) ? { emptySelector: true as const } : {}),
    ...revisionOf(o, revisions),
    at: o.at,
  };
}

function clientTls(v: unknown, field: string): ClientTlsSettings | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw new FieldError(field, "must be an object");
  const rawMode = v.mode;
  let mode: TlsMode = "DISABLE";
  if (rawMode !== undefined && rawMode !== null) {
    if (typeof rawMode !== "string" || !(TLS_MODES as readonly string[]).includes(rawMode))
      throw new FieldError(`${field}.mode`, `unknown TLS mode ${JSON.stringify(rawMode)} (expected ${TLS_MODES.join(", ")})`);
    mode = rawMode as TlsMode;
  }
  const out: ClientTlsSettings = { mode, modeSet: rawMode !== undefined && rawMode !== null };
  for (const k of ["credentialName", "clientCertificate", "privateKey", "caCertificates", "sni"] as const) {
    const s = str(v[k]);
    if (s) out[k] = s;
  }
  const skip = bool(v.insecureSkipVerify);
  if (skip !== undefined) out.insecureSkipVerify = skip;
  const sans = arr(v.subjectAltNames).filter((x): x is string => typeof x === "string");
  if (sans.length) out.subjectAltNames = sans;
  return out;
}

function trafficPolicy(v: unknown, field: string): TrafficPolicy | null {
  if (v === undefined || v === null) return null;
  const portLevelSettings: PortTrafficPolicy[] = [];
  arr(at(v, "portLevelSettings")).forEach((p, i) => {
    const port = portNumber(at(p, "port", "number"));
    if (port === undefined) throw new FieldError(`${field}.portLevelSettings[${i}].port.number`, "port must be 1..65535");
    portLevelSettings.push({
      port,
      tls: clientTls(at(p, "tls"), `${field}.portLevelSettings[${i}].tls`),
      loadBalancerSimple: str(at(p, "loadBalancer", "simple")) ?? null,
    });
  });
  return {
    tls: clientTls(at(v, "tls"), `${field}.tls`),
    portLevelSettings,
    loadBalancerSimple: str(at(v, "loadBalancer", "simple")) ?? null,
  };
}

/** ResolveShortnameToFQDN: a host without a dot is relative to the DR's namespace (istio.md §2.4). */
export function resolveHost(host: string, namespace: string): string {
  if (host === "*" || host.includes(".") || host.includes(":")) return host;
  return `${host}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

function readDestinationRule(o: LoadedObject, revisions: Revisions): DestinationRule {
  const spec = at(o.object, "spec");
  const namespace = o.object.metadata.namespace ?? "default";
  const host = str(at(spec, "host"));
  if (!host) throw new FieldError("spec.host", "is required");
  const subsets: Subset[] = arr(at(spec, "subsets")).map((s, i) => ({
    name: str(at(s, "name")) ?? `#${i}`,
    labels: strMap(at(s, "labels")),
    trafficPolicy: trafficPolicy(at(s, "trafficPolicy"), `spec.subsets[${i}].trafficPolicy`),
  }));
  const selector = at(spec, "workloadSelector", "matchLabels");
  return {
    namespace,
    name: o.object.metadata.name,
    creationTimestamp: o.object.metadata.creationTimestamp ?? "",
    host,
    fqdn: resolveHost(host, namespace),
    exportTo: arr(at(spec, "exportTo")).filter((x): x is string => typeof x === "string"),
    workloadSelector: isObj(selector) && Object.keys(selector).length > 0 ? strMap(selector) : null,
    trafficPolicy: trafficPolicy(at(spec, "trafficPolicy"), "spec.trafficPolicy"),
    subsets,
    ...revisionOf(o, revisions),
    at: o.at,
  };
}

function readSidecar(o: LoadedObject, revisions: Revisions): SidecarResource {
  const spec = at(o.object, "spec");
  const labels = at(spec, "workloadSelector", "labels");
  const mode = str(at(spec, "outboundTrafficPolicy", "mode"));
  return {
    namespace: o.object.metadata.namespace ?? "default",
    name: o.object.metadata.name,
    workloadSelector: isObj(labels) && Object.keys(labels).length > 0 ? strMap(labels) : null,
    egressHosts: arr(at(spec, "egress")).flatMap((e) => arr(at(e, "hosts")).filter((h): h is string => typeof h === "string")),
    outboundTrafficPolicy: mode === "REGISTRY_ONLY" || mode === "ALLOW_ANY" ? mode : null,
    ...revisionOf(o, revisions),
    at: o.at,
  };
}

/** A list of strings, or absent; anything else is refused as Istio's CRD schema refuses it. */
function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(field, `must be a list of strings, not ${shown(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== "string") throw new FieldError(`${field}[${i}]`, `must be a string, not ${shown(x)}`);
  });
  return v as string[];
}

/** A list of mappings, or absent (route lists, route destinations, matches). */
function objectList(v: unknown, field: string): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(field, `must be a list, not ${shown(v)}`);
  v.forEach((x, i) => {
    if (!isObj(x)) throw new FieldError(`${field}[${i}]`, `must be a mapping, not ${shown(x)}`);
  });
  return v as Record<string, unknown>[];
}

/**
 * Whether one http/tcp/tls route applies to sidecars, given that the VirtualService is bound to
 * "mesh": a route without match does; otherwise some match must name no gateways (the top-level list
 * applies) or name "mesh" (a match's gateways override the top-level list; Istio's egress-gateway
 * tasks route the mesh hop and the gateway hop in one VirtualService this way).
 */
function routeForMesh(route: Record<string, unknown>, field: string): boolean {
  const matches = objectList(route.match, `${field}.match`);
  if (matches.length === 0) return true;
  return matches.some((m, i) => {
    const gateways = stringList(m.gateways, `${field}.match[${i}].gateways`);
    return gateways.length === 0 || gateways.includes("mesh");
  });
}

function routeDestination(d: Record<string, unknown>, field: string, kind: RouteKind, namespace: string): RouteDestination {
  const dest = d.destination;
  if (!isObj(dest)) throw new FieldError(`${field}.destination`, "is required");
  const host = dest.host;
  if (typeof host !== "string" || host === "") throw new FieldError(`${field}.destination.host`, "is required");
  const subset = dest.subset;
  if (subset !== undefined && subset !== null && typeof subset !== "string") throw new FieldError(`${field}.destination.subset`, `must be a string, not ${shown(subset)}`);
  const rawPort = at(dest, "port", "number");
  const port = rawPort === undefined || rawPort === null ? null : portNumber(rawPort);
  if (port === undefined) throw new FieldError(`${field}.destination.port.number`, "port must be 1..65535");
  return { fqdn: resolveHost(host, namespace), subset: typeof subset === "string" && subset !== "" ? subset : null, port, kind };
}

/**
 * A VirtualService's routes as far as TLS goes: which service port and subset a sidecar's request
 * leaves through (the subset's DestinationRule policy applies only then, istio.md §2.3). Matches,
 * weights and delegates are not evaluated (docs/DECISIONS.md, "VirtualService routes").
 */
function readVirtualService(o: LoadedObject): VirtualService {
  const spec = at(o.object, "spec");
  const namespace = o.object.metadata.namespace ?? "default";
  const hosts = stringList(at(spec, "hosts"), "spec.hosts");
  const gateways = stringList(at(spec, "gateways"), "spec.gateways");
  const exportTo = stringList(at(spec, "exportTo"), "spec.exportTo");
  const forMesh = gateways.length === 0 || gateways.includes("mesh");
  const meshDestinations: RouteDestination[] = [];
  for (const kind of ["http", "tcp", "tls"] as const) {
    objectList(at(spec, kind), `spec.${kind}`).forEach((route, i) => {
      const field = `spec.${kind}[${i}]`;
      // Every destination is checked, so a malformed one is reported whatever the route's gateways.
      const dests = objectList(route.route, `${field}.route`).map((d, j) => routeDestination(d, `${field}.route[${j}]`, kind, namespace));
      if (forMesh && routeForMesh(route, field)) meshDestinations.push(...dests);
    });
  }
  return { namespace, name: o.object.metadata.name, hosts, gateways, exportTo, meshDestinations, at: o.at };
}

const isGroup = (o: LoadedObject, group: string) => (o.object.apiVersion ?? "").startsWith(`${group}/`);

export interface IstioObjects {
  peerAuthentications: PeerAuthentication[];
  destinationRules: DestinationRule[];
  sidecars: SidecarResource[];
  virtualServices: VirtualService[];
}

export function readIstioObjects(objects: LoadedObject[], problems: InputProblem[], revisions: Revisions = NO_REVISIONS): IstioObjects {
  const out: IstioObjects = { peerAuthentications: [], destinationRules: [], sidecars: [], virtualServices: [] };
  for (const o of objects) {
    try {
      if (o.object.kind === "PeerAuthentication" && isGroup(o, "security.istio.io"))
        out.peerAuthentications.push(readPeerAuthentication(o, revisions));
      else if (o.object.kind === "DestinationRule" && isGroup(o, "networking.istio.io"))
        out.destinationRules.push(readDestinationRule(o, revisions));
      else if (o.object.kind === "Sidecar" && isGroup(o, "networking.istio.io")) out.sidecars.push(readSidecar(o, revisions));
      else if (o.object.kind === "VirtualService" && isGroup(o, "networking.istio.io")) out.virtualServices.push(readVirtualService(o));
    } catch (e) {
      if (e instanceof FieldError) problems.push(problemFor(o, e));
      else throw e;
    }
  }
  return out;
}
