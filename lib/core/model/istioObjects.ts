// PeerAuthentication, DestinationRule, Sidecar and VirtualService read into typed form (Gateways: gatewayObjects.ts). An object Istio's admission
// would reject (unknown enum, bad port) is reported as input.invalid naming the field and skipped;
// everything else is kept as Istio would read it.
import { FieldError, problemFor } from "./fieldError";
import { objectList, stringList } from "./fieldLists";
import { optionalString } from "./optionalFields";
import { readGateway } from "./gatewayObjects";
import { creationTimestamp, revisionOf } from "./istioMetadata";
import type { InputProblem, LoadedObject } from "./input";
import type {
  ClientTlsSettings,
  DestinationRule,
  GatewayMatch,
  GatewayRoute,
  IstioGateway,
  MeshRoute,
  PaMode,
  PeerAuthentication,
  PortTrafficPolicy,
  RouteKind,
  RouteMatch,
  SidecarEgress,
  SidecarResource,
  Subset,
  TlsMode,
  TrafficPolicy,
  VirtualService,
} from "./mesh";
import { absent, arr, at, bool, isObj, portNumber, shown, str, strMap } from "./read";
import { CLUSTER_DOMAIN } from "./services";
import { compareByAge } from "../resolve/peerAuthentication";

const PA_MODES: readonly PaMode[] = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"];
const TLS_MODES: readonly TlsMode[] = ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"];

function paMode(v: unknown, field: string): PaMode {
  if (v === undefined || v === null) return "UNSET";
  if (typeof v === "string" && (PA_MODES as readonly string[]).includes(v)) return v as PaMode;
  throw new FieldError(field, `unknown mode ${JSON.stringify(v)} (expected ${PA_MODES.join(", ")})`);
}

function readPeerAuthentication(o: LoadedObject): PeerAuthentication {
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
    creationTimestamp: creationTimestamp(o),
    selector,
    mode,
    portLevelMtls,
    ...(selector === null && isObj(at(spec, "selector")) ? { emptySelector: true as const } : {}),
    ...revisionOf(o),
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
      throw new FieldError(
        `${field}.mode`,
        `unknown TLS mode ${JSON.stringify(rawMode)} (expected ${TLS_MODES.join(", ")})`,
      );
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
    if (port === undefined)
      throw new FieldError(`${field}.portLevelSettings[${i}].port.number`, "port must be 1..65535");
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

function readDestinationRule(o: LoadedObject): DestinationRule {
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
    creationTimestamp: creationTimestamp(o),
    host,
    fqdn: resolveHost(host, namespace),
    exportTo: arr(at(spec, "exportTo")).filter((x): x is string => typeof x === "string"),
    workloadSelector: isObj(selector) && Object.keys(selector).length > 0 ? strMap(selector) : null,
    trafficPolicy: trafficPolicy(at(spec, "trafficPolicy"), "spec.trafficPolicy"),
    subsets,
    ...revisionOf(o),
    at: o.at,
  };
}

/**
 * An egress listener: its port.number, null when it has no port (the catch-all: GetEgressListenerForRDS
 * tests `Port == nil`; a port without a number is a Unix-socket bind, 0), and its hosts.
 */
function egressListener(e: unknown): SidecarEgress {
  const port = at(e, "port");
  const n = at(port, "number");
  return {
    port: !isObj(port) ? null : typeof n === "number" ? n : 0,
    hosts: arr(at(e, "hosts")).filter((h): h is string => typeof h === "string"),
  };
}

function readSidecar(o: LoadedObject): SidecarResource {
  const spec = at(o.object, "spec");
  const labels = at(spec, "workloadSelector", "labels");
  const mode = str(at(spec, "outboundTrafficPolicy", "mode"));
  return {
    namespace: o.object.metadata.namespace ?? "default",
    name: o.object.metadata.name,
    workloadSelector: isObj(labels) && Object.keys(labels).length > 0 ? strMap(labels) : null,
    egress: arr(at(spec, "egress")).map(egressListener),
    ingressPorts: arr(at(spec, "ingress"))
      .map((i) => at(i, "port", "number"))
      .filter((n): n is number => typeof n === "number"),
    outboundTrafficPolicy: mode === "REGISTRY_ONLY" || mode === "ALLOW_ANY" ? mode : null,
    ...revisionOf(o),
    at: o.at,
  };
}

/** Match fields that only name the match or modify another field: they restrict nothing themselves. */
const NEUTRAL_MATCH_FIELDS = new Set([
  "name",
  "gateways",
  "sourceNamespace",
  "sourceLabels",
  "ignoreUriCase",
]);

const STRING_MATCH_KINDS = ["exact", "prefix", "regex"] as const;

/**
 * A StringMatch (uri, scheme, method, authority, a header's…): a mapping with at most one of exact,
 * prefix or regex, a string (the CRD's oneOf). Delegate merging reads them (hasConflict), so a
 * malformed one is refused rather than read as no condition.
 */
function checkStringMatch(v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (!isObj(v))
    throw new FieldError(field, `must be a mapping with exact, prefix or regex, not ${shown(v)}`);
  let set = 0;
  for (const k of STRING_MATCH_KINDS) {
    const x = v[k];
    if (x === undefined || x === null) continue;
    if (typeof x !== "string") throw new FieldError(`${field}.${k}`, `must be a string, not ${shown(x)}`);
    set++;
  }
  if (set > 1) throw new FieldError(field, "must set only one of exact, prefix or regex");
}

/** The StringMatch fields of an HTTP match, and those that map names to StringMatches. */
const STRING_MATCH_FIELDS = ["uri", "scheme", "method", "authority"] as const;
const STRING_MATCH_MAPS = ["headers", "withoutHeaders", "queryParams"] as const;

function checkMatchConditions(m: Record<string, unknown>, field: string): void {
  for (const k of STRING_MATCH_FIELDS) checkStringMatch(m[k], `${field}.${k}`);
  for (const k of STRING_MATCH_MAPS) {
    const map = m[k];
    if (map === undefined || map === null) continue;
    if (!isObj(map))
      throw new FieldError(
        `${field}.${k}`,
        `must be a mapping of names to string matches, not ${shown(map)}`,
      );
    for (const [name, v] of Object.entries(map)) checkStringMatch(v, `${field}.${k}.${name}`);
  }
  const icase = m.ignoreUriCase;
  if (icase !== undefined && icase !== null && typeof icase !== "boolean")
    throw new FieldError(`${field}.ignoreUriCase`, `must be true or false, not ${shown(icase)}`);
}

/** One match entry, read as far as the metrics can evaluate it (RouteMatch). */
function routeMatch(m: Record<string, unknown>, field: string): RouteMatch {
  const ns = optionalString(m.sourceNamespace, `${field}.sourceNamespace`);
  const rawLabels = m.sourceLabels;
  if (
    rawLabels !== undefined &&
    rawLabels !== null &&
    (!isObj(rawLabels) || Object.values(rawLabels).some((v) => typeof v !== "string"))
  )
    throw new FieldError(`${field}.sourceLabels`, `must be a mapping of strings, not ${shown(rawLabels)}`);
  const port = matchPort(m.port, field);
  checkMatchConditions(m, field);
  const labels = isObj(rawLabels) && Object.keys(rawLabels).length > 0 ? strMap(rawLabels) : null;
  // Any other field set (port, uri, headers, sniHosts, destinationSubnets…) is not in the metrics; a port 0 is no port.
  const opaque = Object.keys(m).filter(
    (k) =>
      !NEUTRAL_MATCH_FIELDS.has(k) && m[k] !== undefined && m[k] !== null && (k !== "port" || port !== 0),
  );
  return { sourceNamespace: ns || null, sourceLabels: labels, opaque, port };
}

/**
 * match.port: 0 when absent or 0, proto3's zero value, which Istio reads as "any port" (translateRoute,
 * matchTCP, matchTLS: `match.Port == 0 ||`) and does not validate (validateHTTPRoute, validateTCPMatch,
 * validateTLSMatch in pkg/config/validation: `if match.Port != 0 { ValidatePort }`); else 1..65535.
 */
function matchPort(v: unknown, field: string): number {
  if (v === undefined || v === null || v === 0 || v === "0") return 0;
  const port = portNumber(v);
  if (port === undefined) throw new FieldError(`${field}.port`, "port must be 1..65535");
  return port;
}

/**
 * The matches of one http/tcp/tls route that sidecars use, given that the VirtualService is bound to
 * "mesh": [] for a route without match (it takes every request); otherwise the matches whose gateways
 * are empty (the top-level list applies) or name "mesh" (a match's gateways override the top-level
 * list; Istio's egress-gateway tasks route the mesh hop and the gateway hop in one VirtualService this
 * way); null when no match is the sidecars'. The matches were checked when read (checkedMatches).
 */
function meshMatches(matches: Record<string, unknown>[], kind: RouteKind): RouteMatch[] | null {
  if (matches.length === 0) return [];
  const out: RouteMatch[] = [];
  for (const m of matches) {
    const gateways = (m.gateways ?? []) as string[];
    if (gateways.length === 0) out.push(routeMatch(m, "match"));
    else if (gateways.includes("mesh"))
      out.push(kind === "http" ? gatewayHttpMatch(routeMatch(m, "match")) : routeMatch(m, "match"));
  }
  return out.length > 0 ? out : null;
}

/**
 * An http match naming gateways ("mesh" among them) is built for every sidecar: sourceMatchHTTP
 * (networking/core/route/route.go) returns on the gateway names and reads sourceLabels and
 * sourceNamespace only for a match without gateways. matchTCP and matchTLS (networking/core/tls.go)
 * check every condition, so a tcp/tls match keeps its source conditions.
 */
function gatewayHttpMatch(m: RouteMatch): RouteMatch {
  return { ...m, sourceNamespace: null, sourceLabels: null };
}

/** A route's match list, every entry checked whoever it is for (so a malformed one is reported whatever its gateways). */
function checkedMatches(route: Record<string, unknown>, field: string): Record<string, unknown>[] {
  const matches = objectList(route.match, `${field}.match`);
  matches.forEach((m, i) => {
    stringList(m.gateways, `${field}.match[${i}].gateways`);
    routeMatch(m, `${field}.match[${i}]`);
  });
  return matches;
}

/** A route every sidecar request that reaches it takes: no match, or a mesh match restricting nothing (for every caller's istiod). */
const takesEverything = (matches: RouteMatch[]) =>
  matches.length === 0 ||
  matches.some(
    (m) =>
      m.sourceNamespace === null &&
      m.sourceLabels === null &&
      m.opaque.length === 0 &&
      m.revision === undefined &&
      m.delegateNamespace === undefined,
  );

/** What restricts a merged delegate route to the callers whose istiod reads the delegate (RouteMatch.revision, .delegateNamespace). */
type ReadBy = Pick<RouteMatch, "revision" | "delegateNamespace">;

/**
 * A route merged from a delegate not every istiod reads: each match carries what says which do (a route
 * without match gets one that restricts nothing else), so only their callers take or build the route.
 * Istio: an istiod never reads a delegate labelled for another revision (crdclient objectInRevision), nor
 * one in a namespace its discoverySelectors leave out (crdclient's namespace filter); either way its
 * mergeVirtualServicesIfNeeded drops the root route ("delegate not found").
 */
function readOnlyBy(matches: RouteMatch[], by: ReadBy): RouteMatch[] {
  if (matches.length === 0)
    return [{ sourceNamespace: null, sourceLabels: null, opaque: [], port: 0, ...by }];
  return matches.map((m) => ({ ...m, ...by }));
}

/** destination weight; absent is null (proto3's 0: see setMeshRoutes). */
function weightOf(d: Record<string, unknown>, field: string): number | null {
  const w = d.weight;
  if (w === undefined || w === null) return null;
  if (typeof w !== "number" || !Number.isInteger(w) || w < 0)
    throw new FieldError(`${field}.weight`, `must be a whole number of at least 0, not ${shown(w)}`);
  return w;
}

/** One `route[]` entry read: the destination (host resolved relative to its VirtualService) and weight. */
interface ReadDestination {
  fqdn: string;
  subset: string | null;
  port: number | null;
  weight: number | null;
}

function routeDestination(d: Record<string, unknown>, field: string, namespace: string): ReadDestination {
  const dest = d.destination;
  if (!isObj(dest)) throw new FieldError(`${field}.destination`, "is required");
  const host = dest.host;
  if (typeof host !== "string" || host === "")
    throw new FieldError(`${field}.destination.host`, "is required");
  const subset = optionalString(dest.subset, `${field}.destination.subset`);
  const rawPort = at(dest, "port", "number");
  const port = rawPort === undefined || rawPort === null ? null : portNumber(rawPort);
  if (port === undefined) throw new FieldError(`${field}.destination.port.number`, "port must be 1..65535");
  return { fqdn: resolveHost(host, namespace), subset: subset || null, port, weight: weightOf(d, field) };
}

/**
 * The hosts an http route mirrors its requests to, resolved like its destinations: `mirror` and each
 * `mirrors[].destination` whose percentage is not 0 (MirrorPercent, MirrorPercentByPolicy: 0 mirrors
 * nothing, none is 100%), on a route that forwards (translateRoute: a redirect or directResponse has no
 * RouteAction, so no RequestMirrorPolicies). A mirror without a host names nothing here.
 */
function mirrorHosts(route: Record<string, unknown>, namespace: string): string[] {
  if (!absent(route.redirect) || !absent(route.directResponse)) return [];
  const out: string[] = [];
  const mirror = route.mirror;
  // MirrorPercent: mirrorPercentage first, then the deprecated mirrorPercent, else 100%.
  const some = !absent(route.mirrorPercentage)
    ? positive(at(route.mirrorPercentage, "value"))
    : absent(route.mirrorPercent) || positive(route.mirrorPercent);
  if (isObj(mirror) && some) addMirror(out, mirror.host, namespace);
  for (const m of arr(route.mirrors)) {
    const percentage = at(m, "percentage");
    if (absent(percentage) || positive(at(percentage, "value")))
      addMirror(out, at(m, "destination", "host"), namespace);
  }
  return out;
}

/** A percentage that mirrors something: `GetValue() > 0` (an absent value is proto3's 0). */
const positive = (v: unknown) => typeof v === "number" && v > 0;
function addMirror(out: string[], host: unknown, namespace: string): void {
  if (typeof host === "string" && host !== "") out.push(resolveHost(host, namespace));
}

/** One http/tcp/tls route as written and checked: its raw matches (merged with a root's when delegated), destinations, delegate. */
interface ReadRoute {
  matches: Record<string, unknown>[];
  dests: ReadDestination[];
  /** An http route's mirror hosts (mirrorHosts); empty for tcp/tls routes. */
  mirrors: string[];
  /** http[].delegate, the delegate's namespace defaulting to the root's (mergeVirtualServicesIfNeeded). */
  delegate: { namespace: string; name: string } | null;
  /**
   * Merged from a delegate not every istiod reads: labelled istio.io/rev (only that revision's istiod has
   * it), or in a namespace some istiod's discoverySelectors leave out (RouteMatch.revision, .delegateNamespace).
   */
  readBy?: ReadBy;
}

/** A VirtualService as read, before delegates are merged into their roots and its mesh routes worked out. */
interface ReadVirtualService {
  vs: VirtualService;
  routes: Record<RouteKind, ReadRoute[]>;
}

function readRoutes(spec: unknown, kind: RouteKind, namespace: string): ReadRoute[] {
  return objectList(at(spec, kind), `spec.${kind}`).map((route, i) => {
    const field = `spec.${kind}[${i}]`;
    const matches = checkedMatches(route, field);
    const dests = objectList(route.route, `${field}.route`).map((d, j) =>
      routeDestination(d, `${field}.route[${j}]`, namespace),
    );
    let delegate: ReadRoute["delegate"] = null;
    if (kind === "http" && route.delegate !== undefined && route.delegate !== null) {
      const name = at(route.delegate, "name");
      if (typeof name !== "string" || name === "")
        throw new FieldError(`${field}.delegate.name`, "is required");
      const ns = optionalString(at(route.delegate, "namespace"), `${field}.delegate.namespace`);
      delegate = { namespace: ns || namespace, name };
    }
    return {
      matches,
      dests,
      mirrors: kind === "http" ? mirrorHosts(route, namespace) : NO_MIRRORS,
      delegate,
    };
  });
}

const NO_MIRRORS: string[] = [];

/**
 * A VirtualService's fields and checked routes. Its mesh routes are worked out once every VirtualService
 * is read (linkVirtualServices), since a root's http routes take its delegates' (mergeVirtualServicesIfNeeded).
 */
function readVirtualService(o: LoadedObject): ReadVirtualService {
  const spec = at(o.object, "spec");
  const namespace = o.object.metadata.namespace ?? "default";
  const hosts = stringList(at(spec, "hosts"), "spec.hosts");
  const gateways = stringList(at(spec, "gateways"), "spec.gateways");
  const exportTo = stringList(at(spec, "exportTo"), "spec.exportTo");
  const routes = {
    http: readRoutes(spec, "http", namespace),
    tcp: readRoutes(spec, "tcp", namespace),
    tls: readRoutes(spec, "tls", namespace),
  };
  const vs: VirtualService = {
    namespace,
    name: o.object.metadata.name,
    creationTimestamp: creationTimestamp(o),
    hosts,
    gateways,
    exportTo,
    meshDestinations: [],
    meshRouteMatches: { http: [], l4: [] },
    meshMirrors: [],
    rank: 0,
    fqdns: [],
    sameHost: null,
    overlapping: null,
    gatewayBinding: null,
    ...revisionOf(o),
    at: o.at,
  };
  return { vs, routes };
}

// ---- Delegation (pilot/pkg/model/virtualservice.go, mergeVirtualServicesIfNeeded / mergeHTTPRoute) ----

type StringMatch = Record<string, unknown> | undefined;
const smField = (m: StringMatch, k: "exact" | "prefix" | "regex") =>
  isObj(m) && typeof m[k] === "string" ? (m[k] as string) : "";

/** stringMatchConflict: whether a delegate's uri/header… match is not within the root's. */
function stringMatchConflict(root: StringMatch, leaf: StringMatch): boolean {
  if (!isObj(root) || !isObj(leaf)) return false;
  const [rRegex, rPrefix, rExact] = [smField(root, "regex"), smField(root, "prefix"), smField(root, "exact")];
  const [lRegex, lPrefix, lExact] = [smField(leaf, "regex"), smField(leaf, "prefix"), smField(leaf, "exact")];
  if (rRegex !== "" && (lRegex !== "" || lPrefix !== "" || lExact !== "")) return true;
  if (lRegex !== "" && (rRegex !== "" || rPrefix !== "" || rExact !== "")) return true;
  if (rExact !== "") return lPrefix !== "" || lExact !== rExact;
  if (rPrefix !== "") {
    if (lPrefix !== "") return !lPrefix.startsWith(rPrefix);
    if (lExact !== "") return !lExact.startsWith(rPrefix);
  }
  return true;
}

const mapOf = (v: unknown): Record<string, unknown> => (isObj(v) ? v : {});

/** hasConflict: a delegate match that asks for something its root match excludes. */
function matchConflict(root: Record<string, unknown>, leaf: Record<string, unknown>): boolean {
  for (const k of STRING_MATCH_FIELDS)
    if (stringMatchConflict(root[k] as StringMatch, leaf[k] as StringMatch)) return true;
  for (const k of STRING_MATCH_MAPS) {
    const r = mapOf(root[k]);
    for (const [key, v] of Object.entries(mapOf(leaf[k])))
      if (stringMatchConflict(r[key] as StringMatch, v as StringMatch)) return true;
  }
  if ((root.ignoreUriCase === true) !== (leaf.ignoreUriCase === true)) return true;
  // Ports as read (portNumber: "80" is 80, as the match was checked), absent is 0.
  const rPort = portNumber(root.port) ?? 0;
  const lPort = portNumber(leaf.port) ?? 0;
  if (rPort > 0 && lPort > 0 && rPort !== lPort) return true;
  const rNs = typeof root.sourceNamespace === "string" ? root.sourceNamespace : "";
  if (rNs !== "" && leaf.sourceNamespace !== rNs) return true;
  const rLabels = mapOf(root.sourceLabels);
  for (const [key, v] of Object.entries(mapOf(leaf.sourceLabels)))
    if (key in rLabels && rLabels[key] !== v) return true;
  const rGw = (root.gateways ?? []) as string[];
  const lGw = (leaf.gateways ?? []) as string[];
  if (rGw.length > 0 && lGw.length > 0 && (rGw.length < lGw.length || lGw.some((g) => !rGw.includes(g))))
    return true;
  return false;
}

const unset = (v: unknown) =>
  v === undefined || v === null || v === "" || v === 0 || (Array.isArray(v) && v.length === 0);

/** mergeHTTPMatchRequest: the delegate's match, with the root's fields where the delegate sets none, maps merged. */
function mergeMatch(root: Record<string, unknown>, leaf: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...leaf };
  for (const k of ["uri", "scheme", "method", "authority", "sourceNamespace", "gateways", "statPrefix"])
    if (unset(out[k]) && !unset(root[k])) out[k] = root[k];
  if (portNumber(out.port) === undefined && portNumber(root.port) !== undefined) out.port = root.port;
  for (const k of ["headers", "withoutHeaders", "queryParams", "sourceLabels"]) {
    if (isObj(root[k]) || isObj(leaf[k])) out[k] = { ...mapOf(root[k]), ...mapOf(leaf[k]) };
  }
  return out;
}

/** mergeHTTPMatchRequests: each delegate match merged with every root match it does not conflict with; null on a conflict. */
function mergeMatches(
  root: Record<string, unknown>[],
  leaf: Record<string, unknown>[],
): Record<string, unknown>[] | null {
  if (root.length === 0) return leaf;
  if (leaf.length === 0) return root;
  const out: Record<string, unknown>[] = [];
  for (const sub of leaf) {
    const fits = root.filter((r) => !matchConflict(r, sub));
    if (fits.length === 0) return null;
    for (const r of fits) out.push(mergeMatch(r, sub));
  }
  return out;
}

/**
 * Whether a delegate is visible to its root's namespace: its exportTo (else the mesh default), "."
 * standing for the delegate's own namespace, must name "*" or the root's namespace.
 */
function delegateVisible(d: VirtualService, rootNs: string, defaultExportTo: string[]): boolean {
  const e = (d.exportTo.length > 0 ? d.exportTo : defaultExportTo).map((x) => (x === "." ? d.namespace : x));
  return e.includes("*") || e.includes(rootNs);
}

/**
 * A root's http routes with its delegates followed (mergeVirtualServicesIfNeeded): a route naming a
 * delegate becomes the delegate's http routes, each with its matches merged into the root route's
 * (mergeHTTPRoute); a delegate route whose matches conflict with the root's is dropped, and so is the
 * root route when its delegate is missing or not exported to the root's namespace. A delegate's tcp/tls
 * routes are not used.
 */
function mergedHttpRoutes(
  root: ReadVirtualService,
  delegates: Map<string, ReadVirtualService>,
  defaultExportTo: string[],
  hidden: ReadonlySet<string>,
): ReadRoute[] {
  if (!root.routes.http.some((r) => r.delegate !== null)) return root.routes.http;
  const out: ReadRoute[] = [];
  for (const route of root.routes.http) {
    if (!route.delegate) {
      out.push(route);
      continue;
    }
    const d = delegates.get(`${route.delegate.namespace}/${route.delegate.name}`);
    if (!d || !delegateVisible(d.vs, root.vs.namespace, defaultExportTo)) continue;
    const readBy = readByOf(d.vs, hidden);
    for (const sub of d.routes.http) {
      const matches = mergeMatches(route.matches, sub.matches);
      if (matches)
        out.push({
          matches,
          dests: sub.dests,
          mirrors: sub.mirrors,
          delegate: null,
          ...(readBy === null ? {} : { readBy }),
        });
    }
  }
  return out;
}

/**
 * Which istiods read a delegate, when not every one does: its istio.io/rev label, and its namespace when
 * some istiod's discoverySelectors leave it out (`hidden`: the union of the views' hidden namespaces).
 * Null when every istiod reads it.
 */
function readByOf(d: VirtualService, hidden: ReadonlySet<string>): ReadBy | null {
  const ns = hidden.has(d.namespace);
  if (d.revision === undefined && !ns) return null;
  return {
    ...(d.revision === undefined ? {} : { revision: d.revision }),
    ...(ns ? { delegateNamespace: d.namespace } : {}),
  };
}

/**
 * The routes sidecars use: the VirtualService is bound to "mesh", the route has no match or a match
 * whose gateways are empty or name "mesh", and no earlier route of its list takes every sidecar request;
 * a weight-0 destination beside others that carry traffic is left out.
 */
function setMeshRoutes(r: ReadVirtualService, http: ReadRoute[]): void {
  const vs = r.vs;
  if (vs.hosts.length === 0 || (vs.gateways.length > 0 && !vs.gateways.includes("mesh"))) return;
  for (const kind of ["http", "tcp", "tls"] as const) {
    for (const route of kind === "http" ? http : r.routes[kind]) {
      const read = meshMatches(route.matches, kind);
      if (read === null) continue;
      const matches = route.readBy === undefined ? read : readOnlyBy(read, route.readBy);
      (kind === "http" ? vs.meshRouteMatches.http : vs.meshRouteMatches.l4).push(matches);
      for (const d of carried(route.dests))
        vs.meshDestinations.push({ fqdn: d.fqdn, subset: d.subset, port: d.port, kind, matches });
      for (const fqdn of route.mirrors) vs.meshMirrors.push({ fqdn, matches });
      // Routes are tried in order: after one that takes every sidecar request, the rest are never reached.
      if (takesEverything(matches)) break;
    }
  }
}

/**
 * resolveGatewayName (pilot/pkg/model/config.go): "ns/name" is kept ("./name": the VirtualService's
 * namespace), a bare name is a Gateway in the VirtualService's namespace, and the legacy
 * "name.ns.svc.cluster.local" form is "ns/name".
 */
export function resolveGatewayName(g: string, namespace: string): string {
  const slash = g.indexOf("/");
  if (slash >= 0) return g.slice(0, slash) === "." ? `${namespace}/${g.slice(slash + 1)}` : g;
  const dot = g.indexOf(".");
  if (dot < 0) return `${namespace}/${g}`;
  const rest = g.slice(dot + 1);
  const next = rest.indexOf(".");
  return `${next < 0 ? rest : rest.slice(0, next)}/${g.slice(0, dot)}`;
}

/**
 * A match as a gateway reads it. HTTP: sourceMatchHTTP (route.go) checks the match's gateways, else its
 * sourceLabels and sourceNamespace against the gateway proxy, and translateRoute its port against the
 * server's; uri, headers… are per request. TCP: l4SingleMatch (gateway.go) checks only port and
 * gateways. TLS: the sniHosts decide per connection (buildGatewayNetworkFiltersFromTLSRoutes).
 */
function gatewayMatch(m: Record<string, unknown>, namespace: string, kind: RouteKind): GatewayMatch {
  const gateways = ((m.gateways ?? []) as string[]).map((g) =>
    g === "mesh" ? g : resolveGatewayName(g, namespace),
  );
  const port = portNumber(m.port) ?? 0;
  if (kind === "tcp") return { gateways, port, sourceNamespace: null, sourceLabels: null, opaque: false };
  const read = routeMatch(m, "match");
  return {
    gateways,
    port,
    sourceNamespace: read.sourceNamespace,
    sourceLabels: read.sourceLabels,
    opaque: kind === "tls" || read.opaque.some((k) => k !== "port"),
  };
}

/**
 * The destinations a route sends calls to. A route with several destinations sends nothing to one whose
 * weight is 0 or absent (proto3's 0): applyHTTPRouteDestination `if dst.Weight == 0 { continue }` when
 * len(in.Route) > 1, and the TCP/TLS clusters `route.Weight > 0` (route.go). One destination takes
 * everything, weight or not; a route whose weights are all 0 (admission refuses it) keeps them all here.
 */
function carried<D extends { weight?: number | null }>(dests: D[]): D[] {
  if (dests.length < 2 || !dests.some((d) => (d.weight ?? 0) > 0)) return dests;
  return dests.filter((d) => (d.weight ?? 0) > 0);
}

/**
 * The routes a gateway proxy builds from a VirtualService bound to a Gateway (GatewayBinding): every
 * http, tcp and tls route with its matches as the gateway reads them and the hosts it mirrors to,
 * weight-0 destinations beside others left out as for sidecars (applyHTTPRouteDestination). `http`:
 * the http routes with delegates merged in (mergedHttpRoutes), as istiod merges them before
 * BuildHTTPRoutesForVirtualService, so a root is indexed under the hosts its delegates lead to.
 */
function setGatewayRoutes(r: ReadVirtualService, http: ReadRoute[]): void {
  const vs = r.vs;
  const gateways = vs.gateways.filter((g) => g !== "mesh").map((g) => resolveGatewayName(g, vs.namespace));
  if (vs.hosts.length === 0 || gateways.length === 0) return;
  const routes: GatewayRoute[] = [];
  for (const kind of ["http", "tcp", "tls"] as const)
    for (const route of kind === "http" ? http : r.routes[kind]) {
      const dests: MeshRoute[] = [];
      for (const d of carried(route.dests))
        dests.push({ vs, dest: { fqdn: d.fqdn, subset: d.subset, port: d.port, kind, matches: [] } });
      routes.push({
        kind,
        matches: route.matches.map((m) => gatewayMatch(m, vs.namespace, kind)),
        dests,
        mirrors: route.mirrors,
      });
    }
  vs.gatewayBinding = { gateways, routes, delegated: r.routes.http.some((x) => x.delegate !== null) };
}

/**
 * Every VirtualService's mesh routes (roots with their delegates merged in; a delegate, one without
 * hosts, has none of its own), then Istio's order of them (sortConfigByCreationTime: creationTimestamp,
 * name, namespace) and, for each, the other mesh VirtualServices naming one of its hosts: a sidecar
 * uses only the first of those it sees for a host (docs/DECISIONS.md, "VirtualService routes").
 */
/** A VirtualService's hosts as Istio compares them: short names resolved in its namespace (resolveVirtualServiceShortnames). */
const hostsOf = (vs: VirtualService) => [...new Set(vs.hosts.map((h) => resolveHost(h, vs.namespace)))];

/**
 * host.Name.Matches (istio/istio pkg/config/host/name.go): two hosts overlap when they are equal, or one
 * is a wildcard ("*", "*.suffix") the other falls under, either way round (two wildcards: the longer
 * under the shorter).
 */
export function hostsOverlap(a: string, b: string): boolean {
  const aWild = a.charCodeAt(0) === 42; /* * */
  const bWild = b.charCodeAt(0) === 42;
  if (aWild && bWild) return a.length < b.length ? b.endsWith(a.substring(1)) : a.endsWith(b.substring(1));
  if (aWild) return b.endsWith(a.substring(1));
  if (bWild) return a.endsWith(b.substring(1));
  return a === b;
}

/** Whether wildcard `pattern` covers `h` (host.Name.SubsetOf: `h` is under it), `h` not being it. */
const covers = (pattern: string, h: string) =>
  pattern !== h && h.length >= pattern.length && h.endsWith(pattern.substring(1));

/**
 * The other mesh VirtualServices with a wildcard host covering one of its hosts: for TCP/TLS a
 * service's listener tries the VirtualServices with a host that Matches the service's
 * (getConfigsForHost, networking/core/tls.go) in the caller's order, so an older `*.ns.svc.cluster.local`
 * one comes before a newer exact one. (A wildcard one's own rivals under it are not listed: it still
 * serves the other hosts under its pattern.)
 */
function overlappingOf(
  vs: VirtualService,
  byHost: Map<string, VirtualService[]>,
  wildcards: string[],
): VirtualService[] | null {
  let out: Set<VirtualService> | null = null;
  for (const h of vs.fqdns)
    for (const k of wildcards)
      if (covers(k, h)) for (const o of byHost.get(k)!) if (o !== vs) (out ??= new Set()).add(o);
  return out ? [...out] : null;
}

function linkVirtualServices(
  read: ReadVirtualService[],
  defaultExportTo: string[],
  hidden: ReadonlySet<string>,
): VirtualService[] {
  const delegates = new Map<string, ReadVirtualService>();
  for (const r of read) if (r.vs.hosts.length === 0) delegates.set(`${r.vs.namespace}/${r.vs.name}`, r);
  for (const r of read) {
    if (r.vs.hosts.length === 0) continue;
    const http = mergedHttpRoutes(r, delegates, defaultExportTo, hidden);
    setMeshRoutes(r, http);
    setGatewayRoutes(r, http);
  }
  const all = read.map((r) => r.vs);
  [...all].sort(compareByAge).forEach((vs, i) => (vs.rank = i));
  const byHost = new Map<string, VirtualService[]>();
  for (const vs of all) vs.fqdns = hostsOf(vs);
  for (const vs of all) {
    if (vs.meshRouteMatches.http.length + vs.meshRouteMatches.l4.length === 0) continue;
    for (const h of vs.fqdns) {
      const list = byHost.get(h);
      if (list) list.push(vs);
      else byHost.set(h, [vs]);
    }
  }
  const wildcards = [...byHost.keys()].filter((h) => h.charCodeAt(0) === 42);
  for (const vs of all) {
    if (vs.meshRouteMatches.http.length + vs.meshRouteMatches.l4.length === 0) continue;
    const rivals = vs.fqdns.map((h) => byHost.get(h)!.filter((o) => o !== vs));
    // A host no other VirtualService names is always this one's: most VirtualServices stop here.
    vs.sameHost = rivals.some((l) => l.length === 0) ? null : rivals;
    vs.overlapping = overlappingOf(vs, byHost, wildcards);
  }
  return all;
}

const isGroup = (o: LoadedObject, group: string) => (o.object.apiVersion ?? "").startsWith(`${group}/`);

export interface IstioObjects {
  peerAuthentications: PeerAuthentication[];
  destinationRules: DestinationRule[];
  sidecars: SidecarResource[];
  virtualServices: VirtualService[];
  gateways: IstioGateway[];
}

const NO_NAMESPACES: ReadonlySet<string> = new Set();

/**
 * `defaultVsExportTo`: the mesh's defaultVirtualServiceExportTo, which decides whether a delegate without
 * exportTo is visible to its root (mergeVirtualServicesIfNeeded is given istiod's default).
 * `hiddenNamespaces`: the namespaces some istiod's discoverySelectors leave out (discovery.ts), where a
 * delegate is read by some callers' istiods only (RouteMatch.delegateNamespace).
 */
export function readIstioObjects(
  objects: LoadedObject[],
  problems: InputProblem[],
  defaultVsExportTo: string[] = ["*"],
  hiddenNamespaces: ReadonlySet<string> = NO_NAMESPACES,
): IstioObjects {
  const out: IstioObjects = {
    peerAuthentications: [],
    destinationRules: [],
    sidecars: [],
    virtualServices: [],
    gateways: [],
  };
  const vss: ReadVirtualService[] = [];
  for (const o of objects) {
    try {
      if (o.object.kind === "PeerAuthentication" && isGroup(o, "security.istio.io"))
        out.peerAuthentications.push(readPeerAuthentication(o));
      else if (o.object.kind === "DestinationRule" && isGroup(o, "networking.istio.io"))
        out.destinationRules.push(readDestinationRule(o));
      else if (o.object.kind === "Sidecar" && isGroup(o, "networking.istio.io"))
        out.sidecars.push(readSidecar(o));
      else if (o.object.kind === "VirtualService" && isGroup(o, "networking.istio.io"))
        vss.push(readVirtualService(o));
      else if (o.object.kind === "Gateway" && isGroup(o, "networking.istio.io"))
        out.gateways.push(readGateway(o));
    } catch (e) {
      if (e instanceof FieldError) problems.push(problemFor(o, e));
      else throw e;
    }
  }
  out.virtualServices = linkVirtualServices(vss, defaultVsExportTo, hiddenNamespaces);
  return out;
}
