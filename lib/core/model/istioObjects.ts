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
  RouteMatch,
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

/** Match fields that only name the match or modify another field: they restrict nothing themselves. */
const NEUTRAL_MATCH_FIELDS = new Set(["name", "gateways", "sourceNamespace", "sourceLabels", "ignoreUriCase"]);

/** One match entry, read as far as the metrics can evaluate it (RouteMatch). */
function routeMatch(m: Record<string, unknown>, field: string): RouteMatch {
  const ns = m.sourceNamespace;
  if (ns !== undefined && ns !== null && typeof ns !== "string") throw new FieldError(`${field}.sourceNamespace`, `must be a string, not ${shown(ns)}`);
  const rawLabels = m.sourceLabels;
  if (rawLabels !== undefined && rawLabels !== null && (!isObj(rawLabels) || Object.values(rawLabels).some((v) => typeof v !== "string")))
    throw new FieldError(`${field}.sourceLabels`, `must be a mapping of strings, not ${shown(rawLabels)}`);
  if (m.port !== undefined && m.port !== null && portNumber(m.port) === undefined) throw new FieldError(`${field}.port`, "port must be 1..65535");
  const labels = isObj(rawLabels) && Object.keys(rawLabels).length > 0 ? strMap(rawLabels) : null;
  // Any other field set (port, uri, headers, sniHosts, destinationSubnets…) is not in the metrics.
  const opaque = Object.keys(m).filter((k) => !NEUTRAL_MATCH_FIELDS.has(k) && m[k] !== undefined && m[k] !== null);
  return { sourceNamespace: typeof ns === "string" && ns !== "" ? ns : null, sourceLabels: labels, opaque };
}

/**
 * The matches of one http/tcp/tls route that sidecars use, given that the VirtualService is bound to
 * "mesh": [] for a route without match (it takes every request); otherwise the matches whose gateways
 * are empty (the top-level list applies) or name "mesh" (a match's gateways override the top-level
 * list; Istio's egress-gateway tasks route the mesh hop and the gateway hop in one VirtualService this
 * way); null when no match is the sidecars'. Every match is checked, whoever it is for.
 */
function meshMatches(route: Record<string, unknown>, field: string): RouteMatch[] | null {
  const matches = objectList(route.match, `${field}.match`);
  if (matches.length === 0) return [];
  const out: RouteMatch[] = [];
  matches.forEach((m, i) => {
    const gateways = stringList(m.gateways, `${field}.match[${i}].gateways`);
    const read = routeMatch(m, `${field}.match[${i}]`);
    if (gateways.length === 0 || gateways.includes("mesh")) out.push(read);
  });
  return out.length > 0 ? out : null;
}

/** A route every sidecar request that reaches it takes: no match, or a mesh match restricting nothing. */
const takesEverything = (matches: RouteMatch[]) =>
  matches.length === 0 || matches.some((m) => m.sourceNamespace === null && m.sourceLabels === null && m.opaque.length === 0);

/** destination weight; absent is null (Istio then shares the rest evenly). */
function weightOf(d: Record<string, unknown>, field: string): number | null {
  const w = d.weight;
  if (w === undefined || w === null) return null;
  if (typeof w !== "number" || !Number.isInteger(w) || w < 0) throw new FieldError(`${field}.weight`, `must be a whole number of at least 0, not ${shown(w)}`);
  return w;
}

function routeDestination(d: Record<string, unknown>, field: string, kind: RouteKind, namespace: string, matches: RouteMatch[]): RouteDestination {
  const dest = d.destination;
  if (!isObj(dest)) throw new FieldError(`${field}.destination`, "is required");
  const host = dest.host;
  if (typeof host !== "string" || host === "") throw new FieldError(`${field}.destination.host`, "is required");
  const subset = dest.subset;
  if (subset !== undefined && subset !== null && typeof subset !== "string") throw new FieldError(`${field}.destination.subset`, `must be a string, not ${shown(subset)}`);
  const rawPort = at(dest, "port", "number");
  const port = rawPort === undefined || rawPort === null ? null : portNumber(rawPort);
  if (port === undefined) throw new FieldError(`${field}.destination.port.number`, "port must be 1..65535");
  return { fqdn: resolveHost(host, namespace), subset: typeof subset === "string" && subset !== "" ? subset : null, port, kind, matches };
}

/**
 * A VirtualService's routes as far as TLS goes: which service port and subset a sidecar's request
 * leaves through (the subset's DestinationRule policy applies only then, istio.md §2.3), and the
 * matches that decide whether a request took the route. A VirtualService without hosts is a delegate
 * (mergeVirtualServicesIfNeeded sets it aside for the roots that name it, under their gateways): it
 * has no mesh routes; delegation itself is not followed (docs/DECISIONS.md, "VirtualService routes").
 */
function readVirtualService(o: LoadedObject): VirtualService {
  const spec = at(o.object, "spec");
  const namespace = o.object.metadata.namespace ?? "default";
  const hosts = stringList(at(spec, "hosts"), "spec.hosts");
  const gateways = stringList(at(spec, "gateways"), "spec.gateways");
  const exportTo = stringList(at(spec, "exportTo"), "spec.exportTo");
  const forMesh = hosts.length > 0 && (gateways.length === 0 || gateways.includes("mesh"));
  const meshDestinations: RouteDestination[] = [];
  for (const kind of ["http", "tcp", "tls"] as const) {
    // Routes are tried in order: after one that takes every sidecar request, the rest are never reached.
    let reachable = forMesh;
    objectList(at(spec, kind), `spec.${kind}`).forEach((route, i) => {
      const field = `spec.${kind}[${i}]`;
      // Every destination and match is checked, so a malformed one is reported whatever the route's gateways.
      const matches = meshMatches(route, field);
      const list = objectList(route.route, `${field}.route`);
      const weights = list.map((d, j) => weightOf(d, `${field}.route[${j}]`));
      const dests = list.map((d, j) => routeDestination(d, `${field}.route[${j}]`, kind, namespace, matches ?? []));
      if (!reachable || matches === null) return;
      // Istio skips a weight-0 destination when the route has others that carry traffic.
      const carrying = weights.some((w) => w !== 0);
      meshDestinations.push(...dests.filter((_, j) => !carrying || weights[j] !== 0));
      if (takesEverything(matches)) reachable = false;
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
