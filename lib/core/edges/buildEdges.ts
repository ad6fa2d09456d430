// Observed traffic → edges (contract.md §1.1): which series are evidence, which Service port a
// sample belongs to, one edge per (source workload, destination host, port), and its status.
import {
  inRevision,
  type GatewayRoute,
  type GatewayRouted,
  type GatewayServer,
  type IstioGateway,
  type MeshModel,
  type MeshRoute,
  type MeshSettings,
  type RouteKind,
  type Service,
  type ServicePort,
  type Workload,
  workloadKey,
} from "../model/mesh";
import { LINKERD_JOB_CALLER, LINKERD_METRICS, LINKERD_PORT_KEY, type TrafficSample } from "../model/input";
import type { Client, Prediction } from "../resolve/predictEdge";
import { predictEdge, preparePredictions } from "../resolve/predictEdge";
import { inboundPrediction } from "./inboundPassthrough";
import { isHttpPort, worseVerdict } from "../resolve/matrix";
import type { Resolver } from "../resolve/resolver";
import type { Completeness, Edge, EdgeStatus, Observed } from "../snapshot/schema";
import { discoveryViewFor, type DiscoveryView } from "../model/discovery";
import { oneLine, selectorMatches } from "../model/read";
import { wildcardServiceFor } from "../model/services";
import { perRun } from "../model/perRun";
import { injectingRevision } from "../model/revisions";
import { hostsOverlap } from "../model/istioObjects";
import { meshTrustDomains, otherClusterWhy, principalCaller, principalsPhrase } from "./principalCaller";
import { isHttpProtocol } from "../model/gatewayObjects";
import { hasPortBoundEgress, sidecarFor } from "../resolve/sidecarScope";
import {
  both,
  coversHost,
  routeBuilt,
  routeTakes,
  routeUse,
  sourceLabelsMet,
  vsTier,
  type Take,
  type Viewer,
} from "../resolve/vsScope";

export interface EdgeAnalysis {
  edge: Edge;
  client: Client;
  service: Service;
  port: ServicePort;
  prediction: Prediction;
  /** Traffic went to PassthroughCluster / BlackHoleCluster according to the client's own telemetry. */
  passthroughObserved: boolean;
  /**
   * The mesh VirtualService route that chose the port (undefined: no sample yet; null: none, or
   * samples of this edge disagree about it, and then the default cluster is predicted).
   */
  route: MeshRoute | null | undefined;
  /**
   * The routes to every subset the calls may take when they differ (PortChoice.split), kept while the
   * edge's samples agree on the route; the prediction is the worst of them. null: one cluster.
   */
  split: readonly MeshRoute[] | null;
  /**
   * Some of the observed counts are the caller's Linkerd proxy's outbound report (parseTraffic
   * addLinkerd), not the destination's: where they came from, for the findings that quote them.
   */
  linkerdEvidence: boolean;
  /**
   * The unknown caller's edge only, when the destination or a waypoint reported mTLS on it: the
   * source_principal of those series ("" for none), callers Istio could not name that presented mesh
   * certificates, each with why it names no workload (principalCaller.ts). Null on every other edge.
   */
  unnamedMtls: Map<string, string | null> | null;
  /** mTLS a waypoint reported on the unknown caller's edge: evidence of a proxy, not counted in `observed` (the destination reports the same calls). */
  waypointMtls: number;
  /** The principals that named this edge's caller when Istio reported no source workload (principalEntry); null: none did. */
  namedBy: Set<string> | null;
}

/** The caller's outbound catch-all clusters (istio.md §7.1: traffic outside the registry). */
const PASSTHROUGH_HOSTS = new Set(["PassthroughCluster", "BlackHoleCluster"]);

/**
 * The server's inbound catch-all clusters: a meshed pod received the call on a port no Service
 * declares (or by pod IP), through its virtualInbound passthrough chains (which enforce its
 * PeerAuthentication: a STRICT pod still requires mTLS there). istio/proxy istio_stats.cc names the
 * cluster in destination_service_name, and destination_service is then the Host header or the
 * server's canonical name: not a host (docs/DECISIONS.md, "Inbound passthrough series").
 */
const INBOUND_PASSTHROUGH = new Set([
  "InboundPassthroughClusterIpv4",
  "InboundPassthroughClusterIpv6",
  "InboundPassthroughCluster",
]);

const BLACKHOLE = "BlackHoleCluster";

const known = (v: string | undefined) => (v && v !== "unknown" ? v : null);

/**
 * One edge in the making, and then the edge's analysis itself: the accumulators live on the object
 * that is handed to the rules, so an edge costs one analysis object rather than a bucket plus one.
 */
interface Bucket extends EdgeAnalysis {
  id: string;
  source: Edge["source"];
  /**
   * The edge's `observed`, which accumulates the destination-reported counts itself: no copy at the
   * end and no count fields on the bucket (the window is set at creation, so the object keeps the
   * snapshot's key order without a property added later).
   */
  observed: Observed;
  destSeen: boolean;
  sourceSide: number;
  /** The marks (PortChoice.marks) of the edge's samples. */
  marks: number;
  /**
   * An inbound passthrough edge's (port 0): the workloads whose series it holds (destination_workload),
   * from which alone it is predicted, not from every endpoint of the Service that carries it. Null on other edges.
   */
  reporters: Set<Workload> | null;
}

/**
 * Where a sample's destination host leads, and what the per-sample loop needs about it: one per
 * service the host names exactly, and one per observed host that only a wildcard ServiceEntry covers
 * (or that nothing covers).
 */
interface Target {
  /** Whose configuration applies: the Service or ServiceEntry (a wildcard one keeps its own "*." host, which the DR lookup needs). */
  service: Service;
  /** The host the edge shows (destination.host, the id): the service's, or the observed host under a wildcard. */
  host: string;
  /**
   * The ports edges are bucketed by. A wildcard ServiceEntry's are copies made for each observed host,
   * so two hosts under one ServiceEntry never share a bucket (buckets are keyed by port object).
   */
  ports: ServicePort[];
  choices: Map<string, PortChoice>;
  /** Mesh VirtualService routes to the service's host (empty for most services). */
  routes: MeshRoute[];
  /** Destinations of routes bound to Gateways that lead to the service's host (empty for most services). */
  gatewayRoutes: GatewayRouted[];
  /** Route-decided choices by client and request protocol, for services with routes (mesh or gateway ones). */
  routeChoices: Map<Client, Map<string, PortChoice>>;
  /** Some endpoint is ambient: ztunnel reports plaintext as "unknown". */
  ambient: boolean;
}

/** PortChoice.marks: the sample may be about other ports too (observed.portAmbiguous). */
const AMBIGUOUS = 1;
/** PortChoice.marks: the sample is the caller's Linkerd proxy's report (EdgeAnalysis.linkerdEvidence). */
const LINKERD_EVIDENCE = 2;

/** The service ports a sample may be about, and the route that decided it when one did. */
interface PortChoice {
  ports: ServicePort[];
  /**
   * AMBIGUOUS and LINKERD_EVIDENCE bits that every sample of this choice marks on its buckets: one field
   * read per sample for both (a Linkerd sample's choice is its own, LINKERD_PORT_KEY), none added for Istio's.
   */
  marks: number;
  /** Always set (null: no route decided), so every choice has one shape on the per-sample path. */
  route: MeshRoute | null;
  /**
   * Routes that all lead to the one port but to different subsets (a weighted canary split, or routes
   * of several hosts): each is a cluster the calls may leave through, so each is predicted and the edge
   * shows the worst (finishEdge). null when they agree on a subset, or no route decided.
   */
  split: readonly MeshRoute[] | null;
}

/** A caller and its snapshot `source` object, shared by all of its edges. */
interface ClientEntry {
  client: Client;
  source: Edge["source"];
  /** "ns/name->" (or "unknown->"): the caller's half of every edge id, built once per caller. */
  idPrefix: string;
  /** What the caller's istiod sees when its discoverySelectors hide namespaces (discoveryViewOf); null: the whole model. */
  view: DiscoveryView | null;
  /**
   * Set only when `view` is (else false): a sidecar (not a gateway or waypoint) caller, for which a Service
   * its istiod does not see is still reached through the outbound catch-all (predictEdge `undiscovered`),
   * and its endpoints still answer.
   */
  sidecar: boolean;
  /**
   * Whose routes may choose this caller's port: "mesh" for a named sidecar caller, "gateway" for a named
   * gateway (not a waypoint) on the sidecar dataplane, null for any other caller. Per caller, not per sample.
   */
  routes: "mesh" | "gateway" | null;
}

/** The buckets of one service port, and the port's half of the edge id ("host:port"), built once per port. */
interface PortBuckets {
  /** The host the edges of this port show (Target.host). */
  host: string;
  idSuffix: string;
  byClient: Map<Client, Bucket>;
}

/** Port 0 stands for "the destination declares no port"; one object per target, since buckets are keyed by port object. */
const noPort = new WeakMap<Target, ServicePort>();
function portZero(target: Target): ServicePort {
  let p = noPort.get(target);
  if (!p) noPort.set(target, (p = { port: 0, targetPort: 0, protocol: "TCP" }));
  return p;
}

/**
 * Istio's proxies carry only TCP (sidecar listeners are built for TCP ports; a Kubernetes UDP or SCTP
 * port gets none), so no istio_requests_total / istio_tcp_* sample is about a UDP or SCTP port: kube-dns'
 * 53/UDP next to 53/TCP is not a second candidate (nor a second edge with the same id).
 */
const carriesIstioTraffic = (p: ServicePort) => {
  const proto = p.protocol.toUpperCase();
  return proto !== "UDP" && proto !== "SCTP";
};

/** The ports a sample can be about: those that carry Istio's traffic, or all when none does (a stand-in is still needed). */
function samplePorts(target: Target): ServicePort[] {
  const carrying = target.ports.filter(carriesIstioTraffic);
  return carrying.length > 0 ? carrying : target.ports;
}

/**
 * The ports a sample with this request_protocol may be about (memoised per target and value by the
 * caller). A Linkerd sample's value is its port evidence instead (LINKERD_PORT_KEY): told apart here,
 * once per target and value, so Istio's samples pay nothing for it.
 */
function portsFor(st: EdgeBuild, target: Target, protocol: string): PortChoice {
  const all = samplePorts(target);
  const linkerd = protocol.startsWith(LINKERD_PORT_KEY);
  if (all.length <= 1)
    return {
      ports: all.length ? all : [portZero(target)],
      marks: linkerd ? LINKERD_EVIDENCE : 0,
      route: null,
      split: null,
    };
  if (linkerd) return linkerdPorts(st.r, target, all, protocol);
  const proto = protocol.toLowerCase();
  let ports = all;
  if (proto === "http" || proto === "grpc") ports = all.filter(isHttpPort);
  else if (proto === "tcp") ports = all.filter((p) => !isHttpPort(p));
  if (ports.length === 0) ports = all;
  return { ports, marks: ports.length > 1 ? AMBIGUOUS : 0, route: null, split: null };
}

/**
 * A Linkerd sample's ports: the Service port its authority names, else those whose targetPort is its
 * target_addr's port (a named targetPort resolved on the service's pods), else all of them; ambiguous
 * when more than one is left. Port names say nothing to Linkerd, so none is preferred by name.
 */
function linkerdPorts(r: Resolver, target: Target, all: ServicePort[], key: string): PortChoice {
  const rest = key.slice(LINKERD_PORT_KEY.length);
  const colon = rest.indexOf(":");
  const n = colon < 0 ? NaN : Number(rest.slice(colon + 1));
  let ports = all;
  if (rest.startsWith("port:")) {
    const p = all.find((x) => x.port === n);
    if (p) ports = [p];
  } else if (rest.startsWith("target:")) {
    const endpoints = r.model.endpointsOf.get(target.service) ?? [];
    const hit = all.filter((p) =>
      typeof p.targetPort === "number"
        ? p.targetPort === n
        : endpoints.some((w) => r.targetPortOf(target.service, p, w) === n),
    );
    if (hit.length > 0) ports = hit;
  }
  return {
    ports,
    marks: ports.length > 1 ? AMBIGUOUS | LINKERD_EVIDENCE : LINKERD_EVIDENCE,
    route: null,
    split: null,
  };
}

/** Which route lists carry a sample of this request_protocol: HTTP routes HTTP and gRPC, tcp/tls routes the rest. */
function routeCarries(kind: MeshRoute["dest"]["kind"], protocol: string): boolean {
  const proto = protocol.toLowerCase();
  if (proto === "http" || proto === "grpc") return kind === "http";
  if (proto === "tcp") return kind !== "http";
  return true;
}

/**
 * Whether a request to the route's VirtualService host that takes none of its routes gets 404 NR rather
 * than the default cluster: only HTTP (a TCP or TLS listener always keeps a default filter chain when no
 * route catches everything, buildSidecarOutboundTCPFilterChainOpts), only when the VirtualService surely
 * is the caller's for the host, and only when the caller's sidecar surely builds one of its HTTP routes
 * on every port (source conditions met, no port match; a redirect or directResponse counts, as
 * BuildHTTPRoutesForVirtualService builds those too): the host then gets its routes and
 * BuildSidecarVirtualHostWrapper drops the default route; when no route is built ("no routes matched")
 * the default route stays. Only for a VirtualService naming the host itself: a wildcard one holds the
 * service only as its most specific VirtualService (mostSpecificWildcardVsIndex, which an exact-host
 * one or a narrower wildcard takes first, even one that builds nothing on the port called).
 */
function onlyItsRoutes(route: MeshRoute, host: string, used: Take, v: Viewer): boolean {
  if (route.dest.kind !== "http" || used !== "always" || !route.vs.fqdns.includes(host)) return false;
  for (const matches of route.vs.meshRouteMatches.http) if (routeBuilt(matches, v) === "always") return true;
  return false;
}

/**
 * The service ports a route's calls leave through: the port it names, if the service has it (a port it
 * lacks makes a cluster without endpoints, which carries no sample), else (GetDestinationCluster) the
 * service's only port, else the port the caller called, which the metrics do not tell: the protocol's guess.
 */
function routePorts(route: MeshRoute, carrying: ServicePort[], guess: PortChoice): ServicePort[] {
  if (route.dest.port === null) return carrying.length === 1 ? carrying : guess.ports;
  const p = carrying.find((x) => x.port === route.dest.port);
  return p ? [p] : [];
}

/**
 * The port a sidecar's sample to a routed service was about: telemetry names the destination service
 * but no port, and the mesh VirtualService routes that lead to it say which clusters its calls left
 * through (outbound|port|subset|host), e.g. Istio's egress-gateway pattern sending plain HTTP to the
 * gateway's port 443. Never more certain than the metrics: a route the client's requests may or may not
 * take (a match on the port, path, headers…) leaves the protocol's guess, as without routes; routes that
 * all lead to one port decide it, with their subset when they agree on one (else the port's default
 * cluster: which subset a request took is not in the metrics); routes to several ports make each a
 * candidate, marked ambiguous.
 */
function routeChoiceFor(
  st: EdgeBuild,
  target: Target,
  protocol: string,
  client: Client,
  mesh: MeshSettings,
  model: MeshModel,
): PortChoice {
  const guess = portsFor(st, target, protocol);
  // A Linkerd sample (a listed caller taken as a sidecar, yet reporting Linkerd's counters): its proxy reads no VirtualService.
  if (protocol.startsWith(LINKERD_PORT_KEY)) return guess;
  const clientNs = client.namespace ?? "";
  // The caller's Sidecar, once per call (memoised per target, client and protocol): its egress imports
  // the VirtualServices its proxy has.
  const sidecar = sidecarFor(model, clientNs, client.labels, mesh.rootNamespace, client.revision);
  const carrying = samplePorts(target);
  const bound = sidecar !== null && hasPortBoundEgress(sidecar) && target.ports.length > 0;
  const viewer: Viewer = {
    client,
    ns: clientNs,
    mesh,
    sidecar,
    target: bound ? { host: target.host, ports: carrying.map((p) => p.port) } : null,
    // VirtualServices in namespaces the caller's istiod does not see are not in its proxy (vsSeen).
    hidden: discoveryViewFor(model, client.revision)?.hidden ?? null,
  };
  const ports: ServicePort[] = [];
  let first: MeshRoute | null = null;
  // The first route to each subset (null: the default cluster), in the order Istio reads them.
  const bySubset: MeshRoute[] = [];
  for (const route of target.routes) {
    if (!routeCarries(route.dest.kind, protocol)) continue;
    // Not seen, not imported, hidden by another VirtualService for the same host the caller sees first,
    // or after an earlier route of its list this caller always takes: never used ("maybe": it depends
    // on the port called or labels the caller may carry).
    const used = routeUse(route, viewer);
    if (used === "never") continue;
    const takes = both(routeTakes(route.dest.matches, viewer), used);
    // A request to the service's own host that does not take a route of a VirtualService for that host
    // reaches it through the default cluster of the port called when that VirtualService may not be the
    // caller's, or routes by port (a call on another port builds no route from it, so the default route
    // stays: BuildSidecarVirtualHostWrapper): which one a sample was is not in the metrics, so the
    // protocol's guess. Otherwise (a match on headers, path, the caller's labels…) the request takes this
    // route or a later one of the list, or none (404 NR), never the default cluster: the route is a
    // candidate as any other, and the subsets of a match-based canary are predicted each (PortChoice.split).
    // A request to another host that misses its routes does not reach this service at all, so a sample
    // here took one of them (Istio's egress-gateway pattern matches the port the caller used on the
    // external host).
    if (
      takes !== "always" &&
      coversHost(route.vs, target.host) &&
      !onlyItsRoutes(route, target.host, used, viewer)
    )
      return guess;
    if (takes === "never") continue;
    const leads = routePorts(route, carrying, guess);
    if (leads.length === 0) continue;
    for (const p of leads) if (!ports.includes(p)) ports.push(p);
    if (!first) first = route;
    if (!bySubset.some((x) => x.dest.subset === route.dest.subset)) bySubset.push(route);
  }
  return routedChoice(ports, first, bySubset, guess);
}

/** The choice routes make: none, the protocol's guess; several ports, each a candidate; one port, its subset or split. */
function routedChoice(
  ports: ServicePort[],
  first: MeshRoute | null,
  bySubset: MeshRoute[],
  guess: PortChoice,
): PortChoice {
  if (!first) return guess;
  if (ports.length > 1) return { ports, marks: AMBIGUOUS, route: null, split: null };
  if (bySubset.length === 1) return { ports, marks: 0, route: first, split: null };
  // One port, subsets that differ: which one a call took is not in the metrics, so each is predicted.
  const { route, split } = standIn(first, bySubset);
  return { ports, marks: 0, route, split };
}

/**
 * The route a split's choice carries (its first route, with no subset of its own) and the split itself,
 * one pair per first route and set of subsets: the choices of one caller's samples with other request
 * protocols then hold the same objects, so those samples agree on the route (addSample compares them
 * by identity) instead of falling back to the default cluster.
 */
const standIns = new WeakMap<MeshRoute, Map<string, { route: MeshRoute; split: readonly MeshRoute[] }>>();
function standIn(first: MeshRoute, bySubset: MeshRoute[]): { route: MeshRoute; split: readonly MeshRoute[] } {
  let byKey = standIns.get(first);
  if (!byKey) standIns.set(first, (byKey = new Map()));
  const key = bySubset.map((x) => `${x.vs.namespace}/${x.vs.name}|${x.dest.subset ?? ""}`).join("\n");
  let hit = byKey.get(key);
  if (!hit)
    byKey.set(
      key,
      (hit = { route: { vs: first.vs, dest: { ...first.dest, subset: null } }, split: bySubset }),
    );
  return hit;
}

/** One way a gateway's requests reach a VirtualService: a server of a Gateway it binds, by that Gateway's "ns/name" and the server's port number. */
interface GatewayEntry {
  gateway: string;
  port: number;
}

/**
 * The Gateways that build a gateway workload's listeners, by "ns/name" (memoised per workload): those
 * its istiod reads (of its revision, in a namespace its discoverySelectors select) whose spec.selector
 * its labels meet, or that have none, in any namespace (PushContext.mergeGateways with
 * PILOT_SCOPE_GATEWAY_TO_NAMESPACE off, its default; gatewayListeners).
 */
function gatewaysSelecting(st: EdgeBuild, w: Workload): Map<string, IstioGateway> {
  let out = st.gatewaysByWorkload.get(w);
  if (out) return out;
  out = new Map();
  const hidden = discoveryViewFor(st.model, w.revision)?.hidden;
  for (const g of st.model.gateways)
    if (
      inRevision(g.revision, w.revision) &&
      !hidden?.has(g.namespace) &&
      (g.selector === null || selectorMatches(g.selector, w.labels))
    )
      out.set(`${g.namespace}/${g.name}`, g);
  st.gatewaysByWorkload.set(w, out);
  return out;
}

/**
 * The route list a server's listener reads (gateway.go): an HTTP server, or HTTPS that terminates
 * (gateway.IsHTTPServer), the http routes; a passthrough server the tls routes
 * (buildGatewayNetworkFiltersFromTLSRoutes); any other the tcp routes (buildGatewayNetworkFiltersFromTCPRoutes).
 */
function serverRouteKind(s: GatewayServer): RouteKind {
  const passthrough = s.tls === "PASSTHROUGH" || s.tls === "AUTO_PASSTHROUGH";
  if (isHttpProtocol(s.protocol) || (s.protocol.toUpperCase() === "HTTPS" && !passthrough)) return "http";
  return passthrough ? "tls" : "tcp";
}

/**
 * Whether a server's hosts take a VirtualService (pickMatchingGatewayHosts, and NamesForNamespace before
 * the intersection in buildGatewayHTTPRouteConfig): a host "ns/h" counts only for a VirtualService in
 * ns; then one of them overlaps one of its hosts (host.Name.Matches).
 */
function serverExposes(s: GatewayServer, vs: MeshRoute["vs"]): boolean {
  for (const h of s.hosts) {
    const slash = h.indexOf("/");
    if (slash >= 0 && h.slice(0, slash) !== vs.namespace) continue;
    const name = slash < 0 ? h : h.slice(slash + 1);
    for (const v of vs.fqdns) if (hostsOverlap(name, v)) return true;
  }
  return false;
}

/**
 * The ways a gateway's requests reach a VirtualService's routes of one kind: each server, of the
 * Gateways it binds that select the gateway, that reads that kind and exposes one of its hosts
 * (buildGatewayHTTPRouteConfig: VirtualServicesForGateway per server's Gateway, then the hosts' intersection).
 */
function gatewayEntries(
  vs: MeshRoute["vs"],
  kind: RouteKind,
  selecting: Map<string, IstioGateway>,
): GatewayEntry[] {
  const out: GatewayEntry[] = [];
  for (const name of vs.gatewayBinding!.gateways) {
    const g = selecting.get(name);
    if (g)
      for (const s of g.servers)
        if (serverRouteKind(s) === kind && serverExposes(s, vs)) out.push({ gateway: name, port: s.port });
  }
  return out;
}

/**
 * Whether a request through `entry` takes the route, as far as the metrics tell: a match whose
 * gateways name the entry's Gateway, or that names none and whose source labels and namespace the
 * gateway has (sourceMatchHTTP; TCP checks only gateways and port, l4SingleMatch), and whose port is
 * the server's (translateRoute, isPortMatch); "maybe" when it also asks for a path, headers, SNI…
 */
function gatewayMatchTake(spec: GatewayRoute, entry: GatewayEntry, client: Client): Take {
  if (spec.matches.length === 0) return "always";
  let maybe = false;
  for (const m of spec.matches) {
    if (m.port !== 0 && m.port !== entry.port) continue;
    if (m.gateways.length > 0) {
      if (!m.gateways.includes(entry.gateway)) continue;
    } else if (spec.kind !== "tcp") {
      if (m.sourceNamespace !== null && m.sourceNamespace !== client.namespace) continue;
      const labels = m.sourceLabels === null ? "yes" : sourceLabelsMet(m.sourceLabels, client);
      if (labels === "no") continue;
      if (labels === "unknown") {
        maybe = true;
        continue;
      }
    }
    if (!m.opaque) return "always";
    maybe = true;
  }
  return maybe ? "maybe" : "never";
}

/** The route's take over every entry: one answer only when all entries give it (which server a request came through is not in the metrics). */
function gatewayTake(spec: GatewayRoute, entries: GatewayEntry[], client: Client): Take {
  let out: Take | null = null;
  for (const e of entries) {
    const t = gatewayMatchTake(spec, e, client);
    if (out === null) out = t;
    else if (out !== t) return "maybe";
  }
  return out ?? "never";
}

/**
 * Whether an earlier route of the VirtualService's list of that kind takes every request the gateway
 * sends through it: BuildHTTPRoutesForVirtualService stops after a catch-all, and a TCP server uses the
 * first route that matches (buildGatewayNetworkFiltersFromTCPRoutes).
 */
function gatewayShadowed(
  spec: GatewayRoute,
  vs: MeshRoute["vs"],
  entries: GatewayEntry[],
  client: Client,
): boolean {
  for (const other of vs.gatewayBinding!.routes) {
    if (other === spec) return false;
    if (other.kind === spec.kind && gatewayTake(other, entries, client) === "always") return true;
  }
  return false;
}

/**
 * The service ports a gateway route's calls leave through (GetDestinationCluster with the server's
 * port number as listenerPort): the port it names or the service's only one (routePorts), else the
 * server's port when every entry has the same; null when they differ (not known).
 */
function gatewayRoutePorts(
  route: MeshRoute,
  carrying: ServicePort[],
  entries: GatewayEntry[],
  guess: PortChoice,
): ServicePort[] | null {
  if (route.dest.port !== null || carrying.length <= 1) return routePorts(route, carrying, guess);
  const port = entries[0]!.port;
  for (const e of entries) if (e.port !== port) return null;
  const p = carrying.find((x) => x.port === port);
  return p ? [p] : [];
}

/**
 * The port (and subset, or split) of a gateway's sample to a routed service, from the VirtualServices
 * bound to the Gateways that select it (docs/DECISIONS.md, "Gateway callers take their Gateways'
 * routes"). A gateway has no default route to a service: a request reaches one only by a route
 * (buildGatewayHTTPRouteConfig builds virtual hosts from those VirtualServices alone, a 404 vhost
 * when none), so the routes that lead here and that its requests may take are the candidates. Never
 * more certain than the metrics: a route the requests may or may not take (path, headers, SNI, a port
 * or Gateway match that differs between the servers it comes through), candidates from several
 * VirtualServices (how their virtual hosts merge, or which TCP route comes first, is not modelled), a
 * delegate, a mirror to the service, or a port that depends on the server leave the protocol's guess;
 * so does any Ingress or Gateway API object in the inputs (MeshModel.gatewayRoutesElsewhere).
 */
function gatewayChoiceFor(
  st: EdgeBuild,
  target: Target,
  protocol: string,
  client: Client,
  w: Workload,
): PortChoice {
  const guess = portsFor(st, target, protocol);
  // Routes istiod makes from an Ingress or the Gateway API may feed this gateway too, to any port or cluster.
  if (
    protocol.startsWith(LINKERD_PORT_KEY) ||
    st.model.gatewayRoutesElsewhere ||
    deployedByGatewayApi(st.model, w)
  )
    return guess;
  const selecting = gatewaysSelecting(st, w);
  if (selecting.size === 0) return guess;
  const mesh = st.r.meshOf(client);
  const hidden = discoveryViewFor(st.model, client.revision)?.hidden;
  const carrying = samplePorts(target);
  const ports: ServicePort[] = [];
  let first: MeshRoute | null = null;
  let from: MeshRoute["vs"] | null = null;
  const bySubset: MeshRoute[] = [];
  for (const { route, spec, mirror } of target.gatewayRoutes) {
    if (!routeCarries(spec.kind, protocol)) continue;
    const vs = route.vs;
    // VirtualServicesForGateway(proxy's namespace, gateway): those exported to the gateway's namespace,
    // of its revision, in a namespace its istiod sees.
    if (
      !inRevision(vs.revision, client.revision) ||
      hidden?.has(vs.namespace) === true ||
      vsTier(vs, client.namespace!, mesh) < 0
    )
      continue;
    const entries = gatewayEntries(vs, spec.kind, selecting);
    if (entries.length === 0) continue;
    // A delegate's merged routes (matches not modelled), or a mirror: its copies are reported with this
    // service as destination, through a port and subset of their own (applyHTTPRouteDestination's
    // RequestMirrorPolicies).
    if (spec.kind === "http" && vs.gatewayBinding!.delegated) return guess;
    const takes = gatewayTake(spec, entries, client);
    if (takes === "never" || gatewayShadowed(spec, vs, entries, client)) continue;
    if (takes === "maybe" || mirror) return guess;
    const leads = gatewayRoutePorts(route, carrying, entries, guess);
    if (leads === null || (from !== null && from !== vs)) return guess;
    if (leads.length === 0) continue;
    from = vs;
    for (const p of leads) if (!ports.includes(p)) ports.push(p);
    if (!first) first = route;
    if (!bySubset.some((x) => x.dest.subset === route.dest.subset)) bySubset.push(route);
  }
  return routedChoice(ports, first, bySubset, guess);
}

/** The gateway's pods are those of a Gateway API Gateway istiod deployed, whose routes Handshake does not build (MeshModel.deployedGatewayApi). */
function deployedByGatewayApi(model: MeshModel, w: Workload): boolean {
  const name = w.labels["gateway.networking.k8s.io/gateway-name"] ?? w.labels["istio.io/gateway-name"];
  return name !== undefined && model.deployedGatewayApi.has(`${w.namespace}/${name}`);
}

/** A Service stand-in for destinations the inventory does not hold (external hosts, passthrough). */
function unknownService(host: string, namespace: string | null): Service {
  return {
    namespace: namespace ?? "",
    name: host.split(".")[0] ?? host,
    host,
    headless: false,
    external: true,
    ports: [],
    selector: null,
    workloads: [],
    kind: "ServiceEntry",
    exportTo: [],
    passthrough: false,
  };
}

function clientFor(r: Resolver, ns: string | null, name: string | null, linkerd: boolean): Client {
  if (!ns || !name)
    return {
      namespace: null,
      name: null,
      workload: null,
      dataplane: "none",
      labels: {},
      revision: "",
      who: null,
    };
  const who = `${ns}/${name}`;
  const w = r.model.workloadByKey.get(who) ?? null;
  if (w)
    return {
      namespace: ns,
      name,
      workload: w,
      // A WorkloadEntry's "none" only says istiod will not send it mTLS (no serviceAccount, or
      // tlsMode not istio): as a named caller its VM runs a proxy, as any named caller does below.
      dataplane: w.entry !== null && w.dataplane === "none" ? "sidecar" : w.dataplane,
      labels: w.labels,
      revision: w.revision,
      who,
    };
  // Only a proxy reports a source workload name, so an unlisted named caller runs one: Linkerd's when
  // the sample is a Linkerd counter (only its proxy emits them), else Istio's sidecar. A sidecar's
  // revision is what its namespace's labels make it (injection webhooks), as for a listed pod.
  if (linkerd)
    return { namespace: ns, name, workload: null, dataplane: "linkerd", labels: {}, revision: "", who };
  const revision = injectingRevision(r.model.revisions, r.model.namespaces.get(ns)?.labels ?? {}, {});
  return { namespace: ns, name, workload: null, dataplane: "sidecar", labels: {}, revision, who };
}

function statusOf(
  verdict: Edge["predicted"]["verdict"],
  observed: Observed | null,
): { status: EdgeStatus; contradicts: boolean } {
  const o = observed ?? { mtls: 0, plaintext: 0, unknown: 0 };
  const contradicts =
    (verdict === "plaintext" && o.mtls > 0) ||
    (verdict === "mtls" && o.plaintext > 0) ||
    // A broken prediction means the server should accept nothing; destination-side successes contradict it.
    (verdict === "broken" && o.mtls + o.plaintext > 0);
  if (verdict === "broken") return { status: "broken", contradicts };
  if (contradicts) return { status: "mismatch", contradicts };
  return { status: verdict === "tls" ? "unknown" : verdict, contradicts };
}

export function edgeContradicts(e: Edge): boolean {
  return statusOf(e.predicted.verdict, e.observed).contradicts;
}

/** The client's own telemetry says the call left through PassthroughCluster: plaintext, whatever the config says (istio.md §9.3). */
function passthroughPrediction(p: Prediction, client: Client, host: string): Prediction {
  const who = client.name ? `${client.namespace}/${client.name}` : "the caller";
  const blackhole = host === BLACKHOLE;
  return {
    ...p,
    predicted: {
      client: { tls: "DISABLE", origin: "auto", destinationRule: null },
      server: { mode: "NONE", origin: "no-proxy", policy: null },
      verdict: blackhole ? "broken" : "plaintext",
      reason: blackhole
        ? `${who}'s proxy sent the calls to BlackHoleCluster (outbound REGISTRY_ONLY and a destination unknown to it): they are dropped.`
        : `${who}'s proxy sent the calls to PassthroughCluster (a destination unknown to it): they leave in plaintext, without mTLS.`,
    },
  };
}

/**
 * What the per-sample and per-edge steps share within one `buildEdges` call. Made with `perRun`, once
 * per analysis (model/perRun.ts).
 */
interface EdgeBuild {
  r: Resolver;
  model: Resolver["model"];
  window: string | undefined;
  /** service port → client → bucket: object keys, so no string is built per sample, and few Maps. */
  buckets: Map<ServicePort, PortBuckets>;
  /** Observed hosts no exact host names → the wildcard ServiceEntry covering them, or an unknown-service stand-in. */
  hostTargets: Map<string, Target>;
  /** The same per discovery view: a host hidden from one istiod may be a known service to callers of another. */
  viewHostTargets: Map<DiscoveryView, Map<string, Target>>;
  /** The same for a view's sidecar callers, which reach a hidden Service through the catch-all (`hiddenServiceOf`). */
  viewSidecarTargets: Map<DiscoveryView, Map<string, Target>>;
  // Per-sample work is memoised by what it depends on: 20k samples share a few thousand clients
  // and services.
  clients: Map<string, Map<string, ClientEntry>>;
  /**
   * Linkerd's Job-named callers (LINKERD_JOB_CALLER): namespace → Job name → the entry it is (its
   * CronJob's, or the Job's own from `clients`). Apart from `clients`, which every sample reads, so an
   * Istio sample naming the Job is never taken to the CronJob, whichever sample comes first.
   */
  jobClients: Map<string, Map<string, ClientEntry>>;
  serviceTargets: Map<Service, Target>;
  samples: TrafficSample[];
  /**
   * Source namespace → source workloads with a Linkerd sample (linkerdCallers), made at the first named
   * caller missing from the inputs whose sample is Istio's; undefined until then, so input whose
   * callers are all listed, or whose unlisted callers' first samples are Linkerd's, never scans for it.
   */
  linkerdCallers: Map<string, Set<string>> | undefined;
  /** The Gateways selecting each gateway caller (gatewaysSelecting), made at its first routed sample. */
  gatewaysByWorkload: Map<Workload, Map<string, IstioGateway>>;
  /**
   * source_principal and the series' cluster labels → its caller (principalEntry); made at the first
   * server-side mTLS series with an unknown caller, so input naming every caller never makes it.
   */
  principalEntries: Map<string, PrincipalEntry> | undefined;
  /** The mesh's trust domains and aliases (meshTrustDomains), made with principalEntries. */
  trustDomains: ReadonlySet<string> | undefined;
}

/**
 * `buildEdges` is called once per analysis, so its own loops would run unoptimised until on-stack
 * replacement, at every analysis: V8 only swaps in a function's optimised code at its next call, and
 * the next call is the next analysis. The loop bodies are functions of their own instead, called
 * thousands of times, so they are optimised early in the first analysis and stay optimised for the
 * next ones (docs/DECISIONS.md, "Analysis performance, round 6").
 */
export function buildEdges(
  r: Resolver,
  samples: TrafficSample[],
  window: string | undefined,
  failed: Completeness[],
): EdgeAnalysis[] {
  preparePredictions(r);
  const st = perRun<EdgeBuild>({
    r,
    model: r.model,
    window,
    buckets: new Map(),
    hostTargets: new Map(),
    viewHostTargets: new Map(),
    viewSidecarTargets: new Map(),
    clients: new Map(),
    jobClients: new Map(),
    serviceTargets: new Map(),
    samples,
    linkerdCallers: undefined,
    gatewaysByWorkload: new Map(),
    principalEntries: undefined,
    trustDomains: undefined,
  });
  for (let i = 0; i < samples.length; i++) addSample(st, samples[i]!);
  const out: EdgeAnalysis[] = [];
  for (const [port, forPort] of st.buckets) finishPort(r, port, forPort, out, failed);
  return out;
}

/**
 * The edges of one service port, in a function called per port (thousands of times) so it is
 * optimised early in the first analysis: as a loop inside `buildEdges`, which runs once, the 20k
 * edges went through the interpreter at every first run (docs/DECISIONS.md, round 8).
 */
function finishPort(
  r: Resolver,
  port: ServicePort,
  forPort: PortBuckets,
  out: EdgeAnalysis[],
  failed: Completeness[],
): void {
  // Every edge to this service port shares one destination object (the snapshot is serialised, not edited).
  let destination: Edge["destination"] | null = null;
  for (const b of forPort.byClient.values()) {
    destination ??= destinationOf(b.service, port, forPort.host);
    // One edge whose prediction fails is left out and named; the other edges still stand.
    try {
      out.push(finishEdge(r, b, destination));
    } catch (e) {
      failed.push({
        kind: "Edge",
        ...(b.service.namespace ? { namespace: b.service.namespace } : {}),
        reason: "error",
        message: `${b.id}: the prediction failed (${oneLine(e)}); the edge is missing`,
      });
    }
  }
}

/**
 * Where an observed host leads: the service it names exactly (or by destination_service_name and
 * _namespace), else the most specific wildcard ServiceEntry covering it, else an unknown destination
 * (docs/DECISIONS.md, "Edges and telemetry").
 */
function targetFor(
  st: EdgeBuild,
  host: string,
  svcName: string | null,
  svcNs: string | null,
  entry: ClientEntry,
): Target {
  const view = entry.view;
  const service = serviceNamed(
    view === null ? st.model.serviceByHost : view.serviceByHost,
    host,
    svcName,
    svcNs,
  );
  if (service) return serviceTarget(st, service);
  let targets = st.hostTargets;
  if (view !== null) {
    const byView = entry.sidecar ? st.viewSidecarTargets : st.viewHostTargets;
    let forView = byView.get(view);
    if (!forView) byView.set(view, (forView = new Map()));
    targets = forView;
  }
  let t = targets.get(host);
  if (!t) {
    const wildcards = view === null ? st.model.wildcardServiceBySuffix : view.wildcardServiceBySuffix;
    const hidden =
      view !== null && entry.sidecar && !wildcardServiceFor(wildcards, host)
        ? serviceNamed(st.model.serviceByHost, host, svcName, svcNs)
        : undefined;
    targets.set(host, (t = hidden ? serviceTarget(st, hidden) : hostTarget(st, host, svcNs, wildcards)));
  }
  return t;
}

/** The service an index names for the observed host, or for destination_service_name and _namespace. */
function serviceNamed(
  byHost: ReadonlyMap<string, Service>,
  host: string,
  svcName: string | null,
  svcNs: string | null,
): Service | undefined {
  const service = byHost.get(host);
  return service || !svcName || !svcNs ? service : byHost.get(`${svcName}.${svcNs}.svc.cluster.local`);
}

function serviceTarget(st: EdgeBuild, service: Service): Target {
  let t = st.serviceTargets.get(service);
  if (!t) st.serviceTargets.set(service, (t = newTarget(st, service, service.host, service.ports)));
  return t;
}

/**
 * The discovery view of the istiod configuring a caller's Istio proxy (its revision's mesh config), or
 * null: no selectors, or no Istio proxy (an unmeshed or Linkerd caller reaches the Kubernetes Service
 * whatever istiod sees). A host hidden from the caller's istiod is what its proxy never learnt of: a
 * ServiceEntry naming it, else (a sidecar caller) the hidden Service reached through the outbound
 * catch-all, whose endpoints and their own istiod's policy still decide the server side, else an
 * unknown host, as the configuration-scoping page says of a service outside the scope ("Unmatched
 * traffic"). Once per caller.
 */
function discoveryViewOf(model: EdgeBuild["model"], client: Client): DiscoveryView | null {
  if (client.dataplane !== "sidecar" && client.dataplane !== "ambient") return null;
  return discoveryViewFor(model, client.revision) ?? null;
}

/** A host no exact host names, once per observed host: its own copies of a wildcard ServiceEntry's ports, or no port at all. */
function hostTarget(
  st: EdgeBuild,
  host: string,
  svcNs: string | null,
  wildcards: ReadonlyMap<string, Service>,
): Target {
  const se = wildcardServiceFor(wildcards, host);
  if (se)
    return newTarget(
      st,
      se,
      host,
      se.ports.map((p) => ({ ...p })),
    );
  const unknown = unknownService(host, svcNs);
  return newTarget(st, unknown, host, unknown.ports);
}

const NO_ROUTES: MeshRoute[] = [];
const NO_GATEWAY_ROUTES: GatewayRouted[] = [];
const NO_ROUTE_CHOICES: Map<Client, Map<string, PortChoice>> = new Map();

function newTarget(st: EdgeBuild, service: Service, host: string, ports: ServicePort[]): Target {
  const ambient = (st.model.endpointsOf.get(service) ?? []).some((w) => w.dataplane === "ambient");
  // Routes lead to a service's own host; a wildcard ServiceEntry's observed hosts and unknown ones have none.
  const found = host === service.host ? st.model.meshRoutesByHost.get(host) : undefined;
  const routes = found && found.length > 0 ? found : NO_ROUTES;
  const gw = host === service.host ? st.model.gatewayRoutesByHost.get(host) : undefined;
  const gatewayRoutes = gw && gw.length > 0 ? gw : NO_GATEWAY_ROUTES;
  // Most services have no route: they share one empty map, never written (addSample reads it only with routes).
  const routed = routes !== NO_ROUTES || gatewayRoutes !== NO_GATEWAY_ROUTES;
  return {
    service,
    host,
    ports,
    choices: new Map(),
    routes,
    gatewayRoutes,
    routeChoices: routed ? new Map() : NO_ROUTE_CHOICES,
    ambient,
  };
}

function clientEntry(
  st: EdgeBuild,
  srcNs: string | null,
  srcName: string | null,
  metric: string,
): ClientEntry {
  // Nested maps keyed by the label strings themselves: no "ns/name" string is built per sample.
  const nsKey = srcNs && srcName ? srcNs : "";
  const nameKey = srcNs && srcName ? srcName : "";
  let byName = st.clients.get(nsKey);
  if (!byName) st.clients.set(nsKey, (byName = new Map()));
  let entry = byName.get(nameKey);
  if (!entry) {
    let client = clientFor(st.r, srcNs, srcName, LINKERD_METRICS.has(metric));
    // Decided before the caller has any bucket (routes are chosen per client): see linkerdCallers.
    if (
      client.workload === null &&
      client.dataplane === "sidecar" &&
      linkerdCallers(st).get(nsKey)?.has(nameKey) === true
    )
      client = clientFor(st.r, srcNs, srcName, true);
    // Shared by every edge of this caller, and frozen like the other shared parts of the snapshot.
    const source = Object.freeze({ namespace: client.namespace, workload: client.name });
    const view = discoveryViewOf(st.model, client);
    entry = {
      client,
      source,
      idPrefix: `${client.who ?? "unknown"}->`,
      view,
      sidecar: view !== null && client.dataplane === "sidecar" && !(client.workload?.gateway ?? false),
      routes: routesOf(client),
    };
    byName.set(nameKey, entry);
  }
  return entry;
}

function routesOf(client: Client): ClientEntry["routes"] {
  if (client.dataplane !== "sidecar" || client.namespace === null) return null;
  const w = client.workload;
  if (w === null || !w.gateway) return "mesh";
  return w.waypoint ? null : "gateway";
}

/**
 * A Linkerd caller named by a Job label: every run of a CronJob (one Job each) is that one caller, the
 * entry `clients` has under the CronJob's own name (a listed workload, so the same client whichever
 * sample made it); any other Job is the entry of its own name, as an Istio sample naming it gets. The Job's
 * name is an alias in `jobClients` only. Once per Job, not per sample.
 */
function jobClientEntry(st: EdgeBuild, ns: string, job: string, metric: string): ClientEntry {
  let byJob = st.jobClients.get(ns);
  if (!byJob) st.jobClients.set(ns, (byJob = new Map()));
  let entry = byJob.get(job);
  if (!entry) {
    const cron = cronJobOfJob(st.model.workloadByKey, ns, job);
    entry = clientEntry(st, ns, cron ?? job, metric);
    byJob.set(job, entry);
  }
  return entry;
}

/**
 * The CronJob a Job named by a Linkerd Job label belongs to, or null. Kubernetes' cronjob controller names
 * each Job `<cronjob>-<Unix()/60>` (pkg/controller/cronjob/cronjob_controllerv2.go `getJobName`, utils.go
 * `getTimeHashInMinutes`: 8 digits until the year 2160), and a CronJob's pod carries only that Job's
 * name (parseTraffic `CALLER_LABELS`), so `<name>-<8 to 10 digits>` is taken as CronJob `<name>` only
 * when no workload has the Job's own name and a CronJob has `<name>` in the namespace. The digits are
 * Istio's own heuristic for a Job-controlled pod (istio pkg/kube/util.go `cronJobNameRegexp`
 * `(.+)-\d{8,10}$`, used by `GetDeployMetaFromPod`, which names such a pod's workload after the CronJob).
 * Once per Job, not per sample (jobClientEntry).
 */
function cronJobOfJob(workloads: ReadonlyMap<string, Workload>, ns: string, job: string): string | null {
  const dash = job.lastIndexOf("-");
  const digits = job.length - dash - 1;
  if (dash <= 0 || digits < 8 || digits > 10) return null;
  for (let i = dash + 1; i < job.length; i++) {
    const c = job.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (workloads.has(`${ns}/${job}`)) return null;
  const name = job.slice(0, dash);
  return workloads.get(`${ns}/${name}`)?.kind === "CronJob" ? name : null;
}

/**
 * A caller missing from the inputs runs the proxy its samples show: Istio's sidecar, or Linkerd's when
 * any of its samples is a Linkerd counter (only that proxy emits them), whichever sample comes first: a
 * pod runs one proxy, and an Istio destination's report names a caller it cannot tell is Linkerd's.
 * Decided when the caller's entry is made (clientEntry), before any of its samples chose a port: a
 * Linkerd client takes no VirtualService route (Linkerd's proxy reads none), so a client swapped after
 * the samples kept the ports its sidecar's routes had chosen, and the edges depended on sample order.
 * One pass over the samples, once per analysis, made only at the first unlisted named caller whose
 * sample is Istio's; Istio-only input with every caller listed never makes it.
 */
function linkerdCallers(st: EdgeBuild): Map<string, Set<string>> {
  if (st.linkerdCallers !== undefined) return st.linkerdCallers;
  const out = new Map<string, Set<string>>();
  for (const s of st.samples) {
    if (!LINKERD_METRICS.has(s.metric)) continue;
    const ns = known(s.labels.source_workload_namespace);
    const name = known(s.labels.source_workload);
    if (!ns || !name) continue;
    let names = out.get(ns);
    if (!names) out.set(ns, (names = new Set()));
    names.add(name);
  }
  return (st.linkerdCallers = out);
}

function bucketFor(st: EdgeBuild, entry: ClientEntry, target: Target, port: ServicePort): Bucket {
  let forPort = st.buckets.get(port);
  if (!forPort)
    st.buckets.set(
      port,
      (forPort = { host: target.host, idSuffix: `${target.host}:${port.port}`, byClient: new Map() }),
    );
  const byClient = forPort.byClient;
  let b = byClient.get(entry.client);
  if (!b) {
    // Two shared halves and one concatenation: the id costs one string per edge, not five.
    const window = st.window;
    b = {
      edge: null!, // set once the bucket is complete, by finishEdge
      client: entry.client,
      service: target.service,
      port,
      prediction: null!,
      passthroughObserved: false,
      route: undefined,
      split: null,
      id: entry.idPrefix + forPort.idSuffix,
      source: entry.source,
      observed: window
        ? { mtls: 0, plaintext: 0, unknown: 0, window }
        : { mtls: 0, plaintext: 0, unknown: 0 },
      destSeen: false,
      sourceSide: 0,
      marks: 0,
      linkerdEvidence: false,
      unnamedMtls: null,
      waypointMtls: 0,
      namedBy: null,
      reporters: null,
    };
    byClient.set(entry.client, b);
  }
  return b;
}

/** The caller of a server-side mTLS series that names none, and what its principal says. */
interface PrincipalEntry {
  entry: ClientEntry;
  principal: string;
  /** True: the principal named `entry`'s workload. Else `why` says why it names none. */
  named: boolean;
  why: string | null;
}

/**
 * The caller of a server-side mTLS series that names none: the one meshed workload its source_principal
 * names (principalCaller) when the series cannot be another cluster's (otherClusterWhy), as if
 * source_workload had named it; else the unknown caller. Once per distinct principal and cluster labels.
 */
function principalEntry(st: EdgeBuild, L: TrafficSample["labels"], metric: string): PrincipalEntry {
  let byKey = st.principalEntries;
  if (byKey === undefined) {
    st.principalEntries = byKey = new Map();
    st.trustDomains = meshTrustDomains(st.model);
  }
  const raw = L.source_principal;
  const principal = raw === undefined || raw === "unknown" ? "" : raw;
  const key = `${principal}\n${L.source_cluster ?? ""}\n${L.destination_cluster ?? ""}`;
  let pe = byKey.get(key);
  if (pe === undefined) {
    const called = principalCaller(st.model, st.trustDomains!, principal);
    const elsewhere =
      called.workload === null ? null : otherClusterWhy(st.model, L.source_cluster, L.destination_cluster);
    pe =
      called.workload !== null && elsewhere === null
        ? {
            entry: clientEntry(st, called.workload.namespace, called.workload.name, metric),
            principal,
            named: true,
            why: null,
          }
        : {
            entry: clientEntry(st, null, null, metric),
            principal,
            named: false,
            why: elsewhere ?? called.why,
          };
    byKey.set(key, pe);
  }
  return pe;
}

/** An mTLS series on the unknown caller's edge: its principal ("" when it has none) and why it names nobody (every why, sorted, "; "-joined). */
function noteUnnamed(b: Bucket, pe: PrincipalEntry): void {
  const seen = (b.unnamedMtls ??= new Map());
  // Every why a principal's series gave (its key holds the cluster labels, so one principal may have
  // several), sorted: the reason never depends on the order of the series.
  const old = seen.get(pe.principal) ?? null;
  if (old === null) seen.set(pe.principal, pe.why);
  else if (pe.why !== null && pe.why !== old)
    seen.set(pe.principal, [...new Set([...old.split("; "), pe.why])].sort().join("; "));
}

/** The workload an inbound passthrough series names (destination_workload), null when the inputs lack it. */
function inboundWorkload(st: EdgeBuild, L: TrafficSample["labels"]): Workload | null {
  const ns = known(L.destination_workload_namespace);
  const name = known(L.destination_workload);
  return (ns && name && st.model.workloadByKey.get(`${ns}/${name}`)) || null;
}

/**
 * The target of an inbound passthrough series (INBOUND_PASSTHROUGH): a Service selecting its
 * destination_workload `w`, whose edge on port 0 stands for "a port no Service declares": one that
 * selects `w` alone if any (the edge then reads as w's), else the first that is not headless, else the
 * first. It only carries the edge: the prediction reads `w` (Bucket.reporters). null (the series makes
 * no edge) when no Service selects it, rather than a host made up from the Host header.
 */
function inboundTarget(st: EdgeBuild, w: Workload | null): Target | null {
  const services = w ? st.model.servicesOfWorkload.get(w) : undefined;
  if (!services || services.length === 0) return null;
  const own = (x: Service) => x.workloads.length === 1;
  return serviceTarget(
    st,
    services.find((x) => own(x) && !x.headless) ??
      services.find(own) ??
      services.find((x) => !x.headless) ??
      services[0]!,
  );
}

/** The one choice of an inbound passthrough series: its target's port 0, once per target. */
const inboundChoices = new WeakMap<Target, PortChoice>();
function inboundChoice(target: Target): PortChoice {
  let c = inboundChoices.get(target);
  if (!c) {
    const port: ServicePort = { port: 0, targetPort: 0, protocol: "TCP" };
    inboundChoices.set(target, (c = { ports: [port], marks: 0, route: null, split: null }));
  }
  return c;
}

/**
 * An inbound passthrough port 0 whose endpoints are `reporters` only (ServicePort.endpoints): the
 * workloads that reported the edge's calls, not every endpoint of the Service that carries it. One per
 * port and set of workloads, so edges with the same reporters share the prediction's endpoint memo.
 */
const reporterPorts = new WeakMap<ServicePort, Map<string, ServicePort>>();
function reportersPort(port: ServicePort, reporters: Set<Workload>): ServicePort {
  const list = [...reporters].sort((a, b) => (workloadKey(a) < workloadKey(b) ? -1 : 1));
  const key = list.map(workloadKey).join(" ");
  let byKey = reporterPorts.get(port);
  if (!byKey) reporterPorts.set(port, (byKey = new Map()));
  let out = byKey.get(key);
  if (!out) byKey.set(key, (out = { ...port, endpoints: list }));
  return out;
}

function addSample(st: EdgeBuild, s: TrafficSample): void {
  const L = s.labels;
  const svcName = known(L.destination_service_name);
  const svcNs = known(L.destination_service_namespace);
  // A call REGISTRY_ONLY dropped is named by its cluster in destination_service_name, whatever the
  // Host header left in destination_service (istio/proxy istio_stats.cc populatePeerInfo: route
  // block_all or cluster BlackHoleCluster); it is an edge to that cluster, as passthroughPrediction reads it.
  const host =
    (svcName === BLACKHOLE ? svcName : known(L.destination_service)) ??
    (svcName && svcNs ? `${svcName}.${svcNs}.svc.cluster.local` : null);
  if (!host) return;
  const srcNs = known(L.source_workload_namespace);
  const srcName = known(L.source_workload);
  const policy = L.connection_security_policy ?? "";
  const fromDestination = L.reporter === "destination";
  // A waypoint is a server-side reporter too: istio_stats computes connection_security_policy and
  // source_principal alike for ServerGateway and ServerSidecar (istio.md §7.1). Its counts stay source-side
  // (contract.md §1.1: the destination or ztunnel reports the same calls), but its mTLS names or proves the caller.
  const waypointMtls = !fromDestination && policy === "mutual_tls" && L.reporter === "waypoint";
  // The marker first: absent on all but Linkerd's Job-named samples, and ignored on any other metric.
  const byPrincipal =
    (srcNs && srcName) || !(fromDestination || waypointMtls) || policy !== "mutual_tls"
      ? null
      : principalEntry(st, L, s.metric);
  const entry =
    L[LINKERD_JOB_CALLER] !== undefined && srcNs && srcName && LINKERD_METRICS.has(s.metric)
      ? jobClientEntry(st, srcNs, srcName, s.metric)
      : byPrincipal === null
        ? clientEntry(st, srcNs, srcName, s.metric)
        : byPrincipal.entry;
  const reporter =
    INBOUND_PASSTHROUGH.has(svcName ?? "") || INBOUND_PASSTHROUGH.has(host)
      ? inboundWorkload(st, L)
      : undefined;
  const inbound = reporter === undefined ? undefined : inboundTarget(st, reporter);
  if (inbound === null) return;
  // The caller's istiod decides what the host is (its discoverySelectors may hide the Service).
  const target = inbound ?? targetFor(st, host, svcName, svcNs, entry);
  const proto = L.request_protocol ?? "";
  let choice: PortChoice | undefined;
  // Mesh routes are a sidecar's; a gateway's (not a waypoint's) are those bound to its Gateways.
  const client = entry.client;
  const gateway = entry.routes === "gateway";
  if (inbound) choice = inboundChoice(inbound);
  else if (gateway ? target.gatewayRoutes.length > 0 : entry.routes === "mesh" && target.routes.length > 0) {
    // Per client: its namespace, labels and revision's mesh settings all decide which routes it takes.
    let byProto = target.routeChoices.get(client);
    if (!byProto) target.routeChoices.set(client, (byProto = new Map()));
    choice = byProto.get(proto);
    if (!choice)
      byProto.set(
        proto,
        (choice = gateway
          ? gatewayChoiceFor(st, target, proto, client, client.workload!)
          : routeChoiceFor(st, target, proto, client, st.r.meshOf(client), st.model)),
      );
  } else {
    choice = target.choices.get(proto);
    if (!choice) target.choices.set(proto, (choice = portsFor(st, target, proto)));
  }
  const route = choice.route;
  const passthrough = PASSTHROUGH_HOSTS.has(host);
  for (const port of choice.ports) {
    const b = bucketFor(st, entry, target, port);
    if (choice.marks !== 0) b.marks |= choice.marks;
    if (reporter) (b.reporters ??= new Set()).add(reporter);
    // Samples of one edge that disagree about the route: the default cluster, as without routes.
    if (b.route === undefined) {
      b.route = route;
      b.split = choice.split;
    } else if (b.route !== route) {
      b.route = null;
      b.split = null;
    }
    if (passthrough) b.passthroughObserved = true;
    if (byPrincipal !== null) {
      if (byPrincipal.named) (b.namedBy ??= new Set()).add(byPrincipal.principal);
      else noteUnnamed(b, byPrincipal);
      if (waypointMtls && !byPrincipal.named) b.waypointMtls += s.value;
    }
    if (fromDestination) {
      b.destSeen = true;
      if (policy === "mutual_tls") b.observed.mtls += s.value;
      // ztunnel has no "none": an inbound passthrough (plaintext) is reported as "unknown" (istio.md §7.2).
      else if (policy === "none" || (target.ambient && policy === "unknown")) b.observed.plaintext += s.value;
      else b.observed.unknown += s.value;
    } else b.sourceSide += s.value;
  }
}

/** The ServiceEntry's (or Service's) namespace and name, the host as observed (a wildcard ServiceEntry's hosts differ). */
function destinationOf(service: Service, port: ServicePort, host: string): Edge["destination"] {
  return Object.freeze({
    namespace: service.namespace,
    service: service.name,
    host,
    port: port.port,
    workloads: service.workloads,
  });
}

/**
 * Calls to one port split across subsets (PortChoice.split): each subset's cluster is predicted and the
 * edge shows the worst, as for several endpoints (contract.md §1.1), its reason naming the others.
 * The first of equally bad ones is shown.
 */
function predictSplit(r: Resolver, b: Bucket, split: readonly MeshRoute[]): Prediction {
  let worst: Prediction | null = null;
  for (const route of split) {
    const p = predictEdge(r, b.client, b.service, b.port, route, split);
    if (worst === null || worseVerdict(p.predicted.verdict, worst.predicted.verdict)) worst = p;
  }
  return worst!;
}

/**
 * The unknown caller's edge when the destination reported mTLS on it (contract.md §1.1 counts an unknown
 * source as a side without proxy; docs/DECISIONS.md, "Unknown callers that present mesh certificates"):
 * `mutual_tls` means the server saw a peer principal, so those callers presented a mesh certificate
 * and have a proxy (istio.md §7.1). Which workloads they are is not known, so neither what they send
 * nor the verdict is predicted: verdict unknown, never plaintext or broken. When the same edge also has
 * plaintext counts, real callers without a proxy are among them too: the prediction for those stands,
 * and the reason says where the mTLS came from.
 */
function unnamedMeshPrediction(
  p: Prediction,
  observed: Observed,
  waypointMtls: number,
  principals: ReadonlyMap<string, string | null>,
): Prediction {
  const from = principalsPhrase(principals);
  if (observed.plaintext > 0)
    return {
      ...p,
      predicted: {
        ...p.predicted,
        reason: `${p.predicted.reason} ${mtlsReported(observed.mtls, waypointMtls, "The", " also")} from callers Istio could not identify, which presented mesh certificates: ${from}.`,
      },
    };
  return {
    ...p,
    predicted: {
      client: { tls: "ISTIO_MUTUAL", origin: "auto", destinationRule: null },
      server: p.predicted.server,
      verdict: "unknown",
      reason: `callers Istio could not identify (source_workload "unknown") presented mesh certificates: ${mtlsReported(observed.mtls, waypointMtls, "the", "")} from ${from}. They have a proxy, but which workloads they are and what their configuration sends is not known, so no verdict is predicted.`,
    },
  };
}

/** Who reported the unknown callers' mTLS: the destination (counted in `observed`), a waypoint, or both. */
function mtlsReported(destination: number, waypoint: number, the: string, also: string): string {
  if (waypoint === 0) return `${the} destination${also} reported ${destination} mTLS`;
  if (destination === 0) return `${the} waypoint${also} reported ${waypoint} mTLS`;
  return `${the} destination${also} reported ${destination} mTLS and the waypoint ${waypoint}`;
}

/**
 * An edge whose caller a certificate named (principalEntry) says so: Istio did not name it, so the
 * attribution is Handshake's inference, and the findings that quote the reason carry it.
 */
function namedByPrincipal(p: Prediction, principals: ReadonlySet<string>): Prediction {
  const list = [...principals].sort().join(", ");
  return {
    ...p,
    predicted: {
      ...p.predicted,
      reason: `${p.predicted.reason} (caller named by its certificate ${list}; Istio reported no source workload)`,
    },
  };
}

/** Predicts the bucket's edge and completes it as the snapshot's edge. */
function finishEdge(r: Resolver, b: Bucket, destination: Edge["destination"]): Bucket {
  // One bucket per (client, service, port), so each prediction is computed once.
  const reporters = b.reporters;
  // Sorted by workload (reportersPort): the reason lists their port-level entries in this order, which
  // must not follow the samples' (reviews/port0rev.md #1).
  const reportedPort = reporters ? reportersPort(b.port, reporters) : b.port;
  let prediction = b.split
    ? predictSplit(r, b, b.split)
    : predictEdge(r, b.client, b.service, reportedPort, b.route ?? null);
  if (b.passthroughObserved) prediction = passthroughPrediction(prediction, b.client, b.service.host);
  // Only an inbound passthrough edge has reporters (addSample sets them on its samples alone).
  else if (reporters)
    prediction = inboundPrediction(r, prediction, b.client, b.service, reportedPort.endpoints ?? []);
  const observed = b.observed;
  if (b.unnamedMtls !== null && !b.passthroughObserved && observed.mtls + b.waypointMtls > 0)
    prediction = unnamedMeshPrediction(prediction, observed, b.waypointMtls, b.unnamedMtls);
  if (b.namedBy !== null) prediction = namedByPrincipal(prediction, b.namedBy);
  // Without a destination report, the source side's count is all there is (and says nothing of TLS).
  if (!b.destSeen) observed.unknown = b.sourceSide;
  // Sums of finite samples can still overflow; a count is at most the largest finite number.
  if (observed.mtls === Infinity) observed.mtls = Number.MAX_VALUE;
  if (observed.plaintext === Infinity) observed.plaintext = Number.MAX_VALUE;
  if (observed.unknown === Infinity) observed.unknown = Number.MAX_VALUE;
  if ((b.marks & AMBIGUOUS) !== 0) observed.portAmbiguous = true;
  b.linkerdEvidence = (b.marks & LINKERD_EVIDENCE) !== 0;
  b.prediction = prediction;
  b.edge = {
    id: b.id,
    source: b.source,
    destination,
    predicted: prediction.predicted,
    observed,
    status: statusOf(prediction.predicted.verdict, observed).status,
  };
  return b;
}
