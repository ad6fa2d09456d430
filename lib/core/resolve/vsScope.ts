// Which mesh VirtualService routes a caller's sidecar has for a host (SelectVirtualServices, the
// first VirtualService per host, Sidecar egress imports, match source conditions): shared by edge
// building (the port and cluster a sample left through) and by findings that ask whether a sidecar
// builds a route to a service's own clusters at all (dr.credential-name-plaintext).
import {
  inRevision,
  type MeshModel,
  type MeshRoute,
  type MeshSettings,
  type RouteKind,
  type RouteMatch,
  type Service,
  type ServicePort,
  type SidecarResource,
  type VirtualService,
} from "../model/mesh";
import { resolveHost } from "../model/istioObjects";
import { discoveryViewFor } from "../model/discovery";
import type { Client } from "./predictEdge";
import { hostMatchScore } from "./destinationRule";
import { isHttpPort, isTcpPort, isTlsPort } from "./matrix";
import { hasPortBoundEgress, sidecarFor, sidecarImportsVs } from "./sidecarScope";

/** Whether a caller's requests take a route, or a VirtualService is used for it, as far as the metrics tell. */
export type Take = "never" | "always" | "maybe";
/** Two conditions that must both hold: "never" if either fails, "maybe" if either may, else "always". */
export const both = (a: Take, b: Take): Take =>
  a === "never" || b === "never" ? "never" : a === "maybe" || b === "maybe" ? "maybe" : "always";

/**
 * Where a VirtualService stands among those a caller in `clientNs` sees (SelectVirtualServices walks
 * privateByNamespaceAndGateway, exportedToNamespaceByGateway, publicByGateway in turn, as
 * initVirtualServices filled them): 0 its own namespace's (exportTo "." or that namespace), 1 exported to
 * the caller's namespace by name, 2 public ("*", which overrides the rest), -1 not seen. Without exportTo,
 * the mesh's defaultVirtualServiceExportTo of the caller's revision applies, of which Istio honours only
 * "." and "*"; a default with neither exports it nowhere.
 */
export function vsTier(vs: MeshRoute["vs"], clientNs: string, mesh: MeshSettings): number {
  const own = vs.exportTo;
  if (own.length === 0) {
    const fallback = mesh.defaultVirtualServiceExportTo;
    if (fallback.includes(".")) return vs.namespace === clientNs ? 0 : -1;
    return fallback.includes("*") ? 2 : -1;
  }
  if (own.includes("*")) return 2;
  if (own.includes("~")) return -1;
  if (vs.namespace === clientNs && (own.includes(".") || own.includes(clientNs))) return 0;
  return own.includes(clientNs) ? 1 : -1;
}

/** What decides which VirtualServices a caller's sidecar sees: worked out once per routeChoiceFor or routedAway call. */
export interface Viewer {
  client: Client;
  /** The caller's namespace ("" never happens here: routes are chosen for named sidecar callers only). */
  ns: string;
  mesh: MeshSettings;
  /** The caller's Sidecar resource, whose egress hosts import VirtualServices; null: none (all imported). */
  sidecar: SidecarResource | null;
  /**
   * Set only when the Sidecar has a port-bound egress listener (else the port called changes nothing):
   * the routed service's host and the port numbers its samples may be about. A call to that host is to
   * one of them, so the listener bound to each, else the catch-all, is the one that may import a
   * VirtualService for it; for another host the port called is not known.
   */
  target: { host: string; ports: number[] } | null;
  /**
   * The namespaces the caller's istiod does not see (its discovery view's `hidden`), whose
   * VirtualServices it never reads; null when it sees every namespace.
   */
  hidden: ReadonlySet<string> | null;
}

/**
 * Where a VirtualService stands in the caller's list (vsTier), or -1 when the caller's proxy does not
 * have it: its istio.io/rev names another revision than the caller's (the caller's istiod does not read
 * it, crdclient objectInRevision), or its namespace is one the caller's istiod's discoverySelectors
 * leave out (crdclient addCRD's namespace filter, docs/DECISIONS.md "Discovery selectors"). Such a
 * VirtualService neither routes nor hides another; nor does one the caller's Sidecar egress does not
 * import (vsImported).
 */
export function vsSeen(vs: MeshRoute["vs"], v: Viewer): number {
  if (!inRevision(vs.revision, v.client.revision)) return -1;
  if (v.hidden !== null && v.hidden.has(vs.namespace)) return -1;
  return vsTier(vs, v.ns, v.mesh);
}

/**
 * Whether the caller's Sidecar imports a VirtualService (sidecarImportsVs) for the listener its call goes
 * through: "maybe" when its egress listeners differ on it and the port called, which the metrics do
 * not give, decides which one that is.
 */
export function vsImported(vs: MeshRoute["vs"], v: Viewer): Take {
  if (v.sidecar === null) return "always";
  const ports = v.target !== null && coversHost(vs, v.target.host) ? v.target.ports : null;
  return sidecarImportsVs(v.sidecar, v.ns, vs, ports);
}

/**
 * Whether a VirtualService claims a host for the caller before `vs` would: for HTTP, any route of it
 * built for the caller takes the host's virtual host (BuildSidecarOutboundVirtualHosts keeps the first
 * per domain), whatever its path or header matches, and a route is built unless its source or port
 * match is not the caller's (a match on `port` depends on the port called: maybe); for TCP/TLS the
 * routes of both are tried in turn, so only a route the caller always takes hides the later ones.
 */
export function claims(other: MeshRoute["vs"], http: boolean, v: RouteReader): Take {
  let out: Take = "never";
  for (const matches of http ? other.meshRouteMatches.http : other.meshRouteMatches.l4) {
    const t = http ? routeBuilt(matches, v) : routeTakes(matches, v);
    if (t === "always") return "always";
    if (t === "maybe") out = "maybe";
  }
  return out;
}

/**
 * Whether the caller's list has `o` before `vs` (tier `tier`): a lower tier, or the same one and older
 * (rank); "maybe" when its Sidecar may or may not import `o` (vsImported).
 */
function seenBefore(o: MeshRoute["vs"], vs: MeshRoute["vs"], tier: number, v: Viewer): Take {
  const t = vsSeen(o, v);
  if (t < 0 || !(t < tier || (t === tier && o.rank < vs.rank))) return "never";
  return vsImported(o, v);
}

/**
 * Whether the caller's sidecar uses `vs` (seen at `tier`) for one of its hosts: no VirtualService the
 * caller sees before it (vsSeen, then Istio's age order) claims that host. Several VirtualServices for
 * one host are not merged: the first wins, the others are ignored (docs/DECISIONS.md, "VirtualService
 * routes"). For TCP/TLS, one whose wildcard host overlaps (getConfigsForHost) and that comes first may
 * take the calls: at most "maybe" then, never a certain other port.
 */
export function vsUsed(vs: MeshRoute["vs"], tier: number, http: boolean, v: Viewer): Take {
  let out: Take = vs.sameHost === null ? "always" : "never";
  if (vs.sameHost !== null)
    for (const rivals of vs.sameHost) {
      const here = rivalsLeave(rivals, vs, tier, http, v);
      if (here === "always") {
        out = "always";
        break;
      }
      if (here === "maybe") out = "maybe";
    }
  if (out !== "always" || http || vs.overlapping === null) return out;
  for (const o of vs.overlapping)
    if (seenBefore(o, vs, tier, v) !== "never" && claims(o, false, v) !== "never") return "maybe";
  return out;
}

/**
 * What a route's matches are read against: the caller, and the namespaces its istiod does not see (a
 * Viewer is one). Passed whole, not rebuilt per call.
 */
export type RouteReader = Pick<Viewer, "client" | "hidden">;

/**
 * How a caller fares against a route's matches: "never" (every match is for another source namespace or
 * for labels the caller has with other values), "always" (no match, or one the caller meets whole with
 * no condition `settled` leaves open), else "maybe".
 */
function matchTake(
  matches: RouteMatch[],
  v: RouteReader,
  settled: (m: RouteMatch) => boolean,
  port = 0,
): Take {
  if (matches.length === 0) return "always";
  const client = v.client;
  let maybe = false;
  for (const m of matches) {
    // On a known listener port, a match on another one is not built there (translateRoute, matchTCP, matchTLS).
    if (port !== 0 && m.port !== 0 && m.port !== port) continue;
    if (m.sourceNamespace !== null && m.sourceNamespace !== client.namespace) continue;
    // Merged from a delegate the caller's istiod does not read (labelled for another revision, or in a
    // namespace its discoverySelectors leave out): the route does not exist for it.
    if (m.revision !== undefined && !inRevision(m.revision, client.revision)) continue;
    if (m.delegateNamespace !== undefined && v.hidden !== null && v.hidden.has(m.delegateNamespace)) continue;
    const labels = m.sourceLabels === null ? "yes" : sourceLabelsMet(m.sourceLabels, client);
    if (labels === "no") continue;
    if (labels === "yes" && settled(m)) return "always";
    maybe = true;
  }
  return maybe ? "maybe" : "never";
}

// Module-level predicates, not closures per call (docs/DECISIONS.md, round 9).
const portSettled = (m: RouteMatch) => !m.opaque.includes("port");
const allSettled = (m: RouteMatch) => m.opaque.length === 0;
/** On a known port: the route is built whatever the request (its uri, headers, SNI are Envoy's, per request). */
const builtSettled = () => true;
/** On a known port: a TCP match that restricts nothing else (no destinationSubnets…) is the terminal catch-all. */
const onlyPortLeft = (m: RouteMatch) =>
  m.opaque.length === 0 || (m.opaque.length === 1 && m.opaque[0] === "port");

/** Whether the rivals for one of `vs`'s hosts leave it that host: "never" when one the caller sees first surely claims it. */
function rivalsLeave(
  rivals: NonNullable<MeshRoute["vs"]["sameHost"]>[number],
  vs: MeshRoute["vs"],
  tier: number,
  http: boolean,
  v: Viewer,
): Take {
  let here: Take = "always";
  for (const o of rivals) {
    const seen = seenBefore(o, vs, tier, v);
    if (seen === "never") continue;
    const c = both(seen, claims(o, http, v));
    if (c === "always") return "never";
    if (c === "maybe") here = "maybe";
  }
  return here;
}

/** Whether Istio builds a route for the caller: its matches' source conditions and port (the port called is not in the metrics). */
export function routeBuilt(matches: RouteMatch[], v: RouteReader): Take {
  return matchTake(matches, v, portSettled);
}

/**
 * Whether the client's requests take a route, as far as the metrics tell: "maybe" when it depends on
 * the port, path, headers… of each request.
 */
export function routeTakes(matches: RouteMatch[], v: RouteReader): Take {
  return matchTake(matches, v, allSettled);
}

/**
 * Whether an earlier route of the same VirtualService list (same kind) is one this caller always takes:
 * then the calls never reach this one (`own`: the route's matches). Routes after one that every caller
 * takes are not in the model at all (setMeshRoutes); this is the per-caller half (a match on the
 * caller's namespace or labels, or merged from a delegate its istiod does not read). HTTP: every http
 * route counts, one without a destination too: translateRoute builds a redirect or directResponse
 * (ApplyRedirect, ApplyDirectResponse) and BuildHTTPRoutesForVirtualService stops after a catch-all
 * ("Routes are matched in order, so we will never go beyond this match"), so the walk is over
 * meshRouteMatches.http, up to the route's own matches (setMeshRoutes pushes the same array into both
 * lists). TCP/TLS routes each have a destination: read off meshDestinations.
 */
export function shadowedFor(vs: VirtualService, kind: RouteKind, own: RouteMatch[], v: RouteReader): boolean {
  // The same answer as walking the list up to the route's own matches: an earlier route (of its kind)
  // this caller always takes. Per reader (one per routeChoiceFor / routedAway call, so per caller) and
  // VirtualService, the index of the first such route is found once, and each route's position once
  // per VirtualService: O(routes) per call instead of O(routes^2) for a VirtualService with many routes.
  let byVs = firstTaken.get(v);
  if (!byVs) firstTaken.set(v, (byVs = new Map()));
  let byKind = byVs.get(vs);
  if (!byKind) byVs.set(vs, (byKind = new Map()));
  let first = byKind.get(kind);
  if (first === undefined) {
    first = Infinity;
    if (kind === "http") {
      const list = vs.meshRouteMatches.http;
      for (let i = 0; i < list.length; i++)
        if (routeTakes(list[i]!, v) === "always") {
          first = i;
          break;
        }
    } else {
      const dests = vs.meshDestinations;
      for (let i = 0; i < dests.length; i++)
        if (dests[i]!.kind === kind && routeTakes(dests[i]!.matches, v) === "always") {
          first = i;
          break;
        }
    }
    byKind.set(kind, first);
  }
  return first < positionOf(vs, kind === "http", own);
}
const firstTaken = new WeakMap<RouteReader, Map<VirtualService, Map<RouteKind, number>>>();
/** The index of each matches array's first appearance in meshRouteMatches.http (http) or meshDestinations, once per VirtualService. */
const positions = new WeakMap<
  VirtualService,
  { http: Map<RouteMatch[], number>; dests: Map<RouteMatch[], number> }
>();
function positionOf(vs: VirtualService, http: boolean, own: RouteMatch[]): number {
  let p = positions.get(vs);
  if (!p) {
    p = { http: new Map(), dests: new Map() };
    vs.meshRouteMatches.http.forEach((m, i) => p!.http.has(m) || p!.http.set(m, i));
    vs.meshDestinations.forEach((d, i) => p!.dests.has(d.matches) || p!.dests.set(d.matches, i));
    positions.set(vs, p);
  }
  return (
    (http ? p.http.get(own) : p.dests.get(own)) ??
    (http ? vs.meshRouteMatches.http.length : vs.meshDestinations.length)
  );
}

/**
 * Whether the caller's sidecar uses a mesh route's VirtualService for it, one check for edge building
 * (buildEdges' routeChoiceFor) and dr.credential-name-plaintext (mayHave), so the two cannot drift: it
 * sees the VirtualService (vsSeen), its Sidecar egress may import it (vsImported), no VirtualService
 * it sees first surely claims the host (vsUsed), and no earlier route of the list always takes its
 * requests (shadowedFor): "never" if one fails, else "maybe" when the import or a rival depends on
 * what the metrics do not give. The route's own matches are the caller's to read (routeTakes, routeBuilt).
 */
export function routeUse(route: MeshRoute, v: Viewer): Take {
  const tier = vsSeen(route.vs, v);
  if (tier < 0) return "never";
  // Imported first: a VirtualService the Sidecar never imports needs no walk over its rivals.
  const imported = vsImported(route.vs, v);
  if (imported === "never") return "never";
  const used = both(vsUsed(route.vs, tier, route.dest.kind === "http", v), imported);
  if (used === "never") return "never";
  // First match wins: translateRoute turns a match this caller meets on source alone into a catch-all.
  return shadowedFor(route.vs, route.dest.kind, route.dest.matches, v) ? "never" : used;
}

/**
 * match.sourceLabels against the caller: "no" only when it has a named label with another value; an
 * unlisted caller's labels are unknown, and a pod may carry labels its template lacks.
 */
export function sourceLabelsMet(want: Record<string, string>, client: Client): "yes" | "no" | "unknown" {
  let out: "yes" | "unknown" = "yes";
  for (const k in want) {
    const v = client.workload ? client.labels[k] : undefined;
    if (v === undefined) out = "unknown";
    else if (v !== want[k]) return "no";
  }
  return out;
}

/** Whether one of the VirtualService's hosts (short ones relative to its namespace, wildcards) names the host. */
export function coversHost(vs: MeshRoute["vs"], host: string): boolean {
  let h = resolvedHosts.get(vs);
  if (!h) resolvedHosts.set(vs, (h = resolveHosts(vs)));
  if (h.exact.has(host)) return true;
  for (const w of h.wild) if (hostMatchScore(w, host) >= 0) return true;
  return false;
}
/** A VirtualService's hosts resolved once (not per call): exact ones in a Set (hostMatchScore is equality for them), wildcards apart. */
const resolvedHosts = new WeakMap<MeshRoute["vs"], { exact: Set<string>; wild: string[] }>();
function resolveHosts(vs: MeshRoute["vs"]): { exact: Set<string>; wild: string[] } {
  const exact = new Set<string>();
  const wild: string[] = [];
  for (const x of vs.hosts) {
    const r = resolveHost(x, vs.namespace);
    if (r.charCodeAt(0) === 42 /* * */) wild.push(r);
    else exact.add(r);
  }
  return { exact, wild };
}

// ---- Routes away from a host (dr.credential-name-plaintext) ----

/**
 * The listener a sidecar builds for a service port: HTTP routes only, TLS (SNI) filter chains only,
 * TCP filter chains only, or a sniffing listener with both, TCP chains first (buildSidecarOutboundListener,
 * ListenerProtocolAuto). A ServiceEntry port's `protocol` decides, one written without it is sniffed
 * (Service.sniffedPorts: protocol.Parse("") is Unsupported, IsHTTPOrSniffed); a Kubernetes port's
 * appProtocol or name prefix (an unnamed port is sniffed).
 */
type ListenerKind = "http" | "tls" | "tcp" | "auto";
function listenerKind(service: Service, p: ServicePort): ListenerKind {
  if (service.sniffedPorts !== undefined && service.sniffedPorts.includes(p.port)) return "auto";
  const declared = service.kind === "ServiceEntry" ? { appProtocol: p.protocol } : p;
  if (isHttpPort(declared)) return "http";
  if (isTlsPort(declared)) return "tls";
  return isTcpPort(declared) ? "tcp" : "auto";
}

/** Mesh VirtualServices with sidecar routes by each exact host they name (fqdns), once per model. */
const namingIndexes = new WeakMap<MeshModel, Map<string, VirtualService[]>>();
function vsNaming(model: MeshModel, host: string): VirtualService[] | undefined {
  return (namingIndexes.get(model) ?? buildNamingIndex(model)).get(host);
}
function buildNamingIndex(model: MeshModel): Map<string, VirtualService[]> {
  const idx = new Map<string, VirtualService[]>();
  for (const vs of model.virtualServices) {
    if (vs.meshRouteMatches.http.length + vs.meshRouteMatches.l4.length === 0) continue;
    for (const h of vs.fqdns) {
      if (h.charCodeAt(0) === 42 /* * */) continue;
      const list = idx.get(h);
      if (list) list.push(vs);
      else idx.set(h, [vs]);
    }
  }
  namingIndexes.set(model, idx);
  return idx;
}

/** Whether a mesh VirtualService with sidecar routes names the host exactly. */
export function namedByMeshVs(model: MeshModel, host: string): boolean {
  return vsNaming(model, host) !== undefined;
}

/** The mesh http routes that mirror to each host (VirtualService.meshMirrors), once per model. */
const mirrorIndexes = new WeakMap<MeshModel, Map<string, MeshRoute[]>>();
function mirrorsTo(model: MeshModel, host: string): MeshRoute[] | undefined {
  let idx = mirrorIndexes.get(model);
  if (!idx) {
    idx = new Map();
    for (const vs of model.virtualServices)
      for (const m of vs.meshMirrors) {
        const route: MeshRoute = {
          vs,
          dest: { fqdn: m.fqdn, subset: null, port: null, kind: "http", matches: m.matches },
        };
        const list = idx.get(m.fqdn);
        if (list) list.push(route);
        else idx.set(m.fqdn, [route]);
      }
    mirrorIndexes.set(model, idx);
  }
  return idx.get(host);
}

/**
 * Whether the caller's sidecar may have a mesh route (routeUse, as buildEdges' routeChoiceFor asks it),
 * and the route may be built for it (not merged from a delegate its istiod does not read, nor for
 * another source, routeBuilt): routes its requests may or may not take still count here.
 */
function mayHave(route: MeshRoute, v: Viewer): boolean {
  return routeUse(route, v) !== "never" && routeBuilt(route.dest.matches, v) !== "never";
}

/** Whether a mesh route the caller may have leads to the host or mirrors to it (model.meshRoutesByHost, mirrorsTo). */
function reachedBy(model: MeshModel, host: string, v: Viewer): boolean {
  for (const route of model.meshRoutesByHost.get(host) ?? []) if (mayHave(route, v)) return true;
  for (const route of mirrorsTo(model, host) ?? []) if (mayHave(route, v)) return true;
  return false;
}

/** Whether one of the VirtualService's `kind` routes is surely built (or, for TCP, is the catch-all) for the caller on `port`. */
function builtOn(vs: VirtualService, kind: RouteKind, v: RouteReader, port: number): boolean {
  if (kind === "http") {
    // Every http route counts, a redirect or directResponse too (BuildHTTPRoutesForVirtualService builds them).
    for (const matches of vs.meshRouteMatches.http)
      if (matchTake(matches, v, builtSettled, port) === "always") return true;
    return false;
  }
  // tcp and tls routes each have a destination, so their matches are read off those (shared per route).
  const settled = kind === "tcp" ? onlyPortLeft : builtSettled;
  for (const d of vs.meshDestinations)
    if (d.kind === kind && matchTake(d.matches, v, settled, port) === "always") return true;
  return false;
}

/**
 * Whether a sidecar surely builds no route or filter chain to a service's own clusters on any of the
 * given ports, every call it makes there being routed elsewhere by a mesh VirtualService naming the host:
 * - no mesh route the sidecar may have leads to the host (model.meshRoutesByHost: its own
 *   VirtualService's canary, another host's route) nor mirrors to it (VirtualService.meshMirrors:
 *   applyHTTPRouteDestination's RequestMirrorPolicies send a copy through outbound|port||mirror-host),
 *   so every route the sidecar may build for it goes elsewhere. Asked per caller (reachedBy): a root's
 *   route after a delegate it merged is built only for the callers whose istiod drops the delegate;
 *   for the others the delegate's catch-all ends the list;
 * - HTTP (and a sniffed port's HTTP half): a VirtualService the sidecar surely has for the host (seen,
 *   imported by its Sidecar egress on that port) surely builds one of its http routes there. Then
 *   BuildSidecarVirtualHostWrapper drops the service's default route (outbound|port||host); a
 *   VirtualService whose routes all match other ports builds none ("len(routes) == 0") and the default
 *   route stays (buildSidecarVirtualHostsForVirtualService, networking/core/route/route.go);
 * - TCP (and a sniffed port's TCP half): one of its tcp routes is the catch-all on that port (no match,
 *   or only the port and source conditions the sidecar meets), else buildSidecarOutboundTCPFilterChainOpts
 *   adds the default filter chain to the service's cluster (`!defaultRouteAdded`, networking/core/tls.go);
 * - TLS: one of its tls routes matches statically on that port (`hasTLSMatch`, buildSidecarOutboundTLSFilterChainOpts),
 *   else the default chain to the service's cluster.
 * A wildcard VirtualService, one the sidecar may not see or import, a match it may not meet (labels its
 * template does not settle) leave the service's own cluster possible: false.
 */
export function routedAway(
  model: MeshModel,
  client: Client,
  mesh: MeshSettings,
  service: Service,
  ports: readonly ServicePort[],
): boolean {
  const host = service.host;
  const candidates = vsNaming(model, host);
  if (candidates === undefined) return false;
  // The caller's Sidecar and Viewer once for all the ports; a port-bound egress makes the port part of it.
  const ns = client.namespace ?? "";
  const sidecar = sidecarFor(model, ns, client.labels, mesh.rootNamespace, client.revision);
  const perPort = sidecar !== null && hasPortBoundEgress(sidecar);
  const shared: Viewer = {
    client,
    ns,
    mesh,
    sidecar,
    target: null,
    hidden: discoveryViewFor(model, client.revision)?.hidden ?? null,
  };
  if (reachedBy(model, host, shared)) return false;
  for (const p of ports) {
    const v = perPort ? { ...shared, target: { host, ports: [p.port] } } : shared;
    const kind = listenerKind(service, p);
    const away =
      kind === "auto"
        ? hasBuilt(candidates, "http", v, p.port) && hasBuilt(candidates, "tcp", v, p.port)
        : hasBuilt(candidates, kind, v, p.port);
    if (!away) return false;
  }
  return true;
}

/** Whether a VirtualService the caller surely has (seen, imported) surely builds a `kind` route on `port` (builtOn). */
function hasBuilt(candidates: VirtualService[], kind: RouteKind, v: Viewer, port: number): boolean {
  for (const vs of candidates)
    if (vsSeen(vs, v) >= 0 && vsImported(vs, v) === "always" && builtOn(vs, kind, v, port)) return true;
  return false;
}
