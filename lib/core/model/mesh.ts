// The normalised mesh model: typed, validated views of the objects the resolver reads. Built once
// from the loaded inputs (buildModel); everything downstream is a pure function of it.
import type { Ref, WorkloadDataplane } from "../snapshot/schema";
import type { DiscoveryView } from "./discovery";
import type { ConfigDump, InputProblem, SourceLocation } from "./input";
import type { LinkerdConfig } from "./linkerdConfig";
import type { LabelSelector, LinkerdPolicy } from "./linkerdPolicy";
import type { PortRuns } from "./read";
import type { Revisions } from "./revisions";
import type { ClusterFacts } from "./clusters";
import type { ServedSecret } from "./servedSecrets";

export type Labels = Record<string, string>;

export interface MeshSettings {
  rootNamespace: string;
  trustDomain: string;
  trustDomainAliases: string[];
  enableAutoMtls: boolean;
  /** meshConfig.defaultDestinationRuleExportTo; Istio's default is ["*"]. */
  defaultDestinationRuleExportTo: string[];
  /**
   * meshConfig.defaultVirtualServiceExportTo; Istio's default is ["*"]. A VirtualService without
   * exportTo takes it, and Istio honours only "." and "*" in it (initVirtualServices).
   */
  defaultVirtualServiceExportTo: string[];
  /** meshConfig.outboundTrafficPolicy.mode. */
  outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY";
  /**
   * defaultConfig.proxyMetadata.ISTIO_META_ENABLE_HBONE is "true" (the ambient profile sets it): the
   * injection template labels sidecar pods networking.istio.io/tunnel=http, so they accept HBONE.
   */
  sidecarsTakeHbone: boolean;
  /**
   * The same setting as the proxies' node metadata reads it (strconv.ParseBool: `parseGoBool`): what a
   * sidecar of this revision sets ISTIO_META_ENABLE_HBONE to unless its own ProxyConfig says; null when unset.
   */
  proxyEnableHbone: boolean | null;
  /**
   * defaultConfig.proxyMetadata's ISTIO_META_TLS_CLIENT_CERT_CHAIN, _KEY and _ROOT_CERT as set: what a
   * proxy of this revision carries in its node metadata for each key its own ProxyConfig does not set
   * (Workload.metadataCerts merges them key by key).
   */
  proxyClientCerts: ClientCertKeys;
  /** What those keys alone make of a proxy's clusters (`metadataCertsOf`): an unlisted caller's, or one whose ProxyConfig sets none of them. */
  proxyMetadataCerts: MetadataCerts;
  /**
   * meshConfig.discoverySelectors (discovery.ts): the namespaces this revision's istiod sees; null when
   * it sees every namespace (absent, empty, or not convertible).
   */
  discoverySelectors: LabelSelector[] | null;
}

/** ISTIO_META_TLS_CLIENT_CERT_CHAIN, _KEY and _ROOT_CERT of one ProxyConfig's proxyMetadata; undefined where it does not set the key ("" is set). */
export interface ClientCertKeys {
  chain: string | undefined;
  key: string | undefined;
  root: string | undefined;
}

/**
 * What a proxy's file-mounted client certificates (node metadata TLS_CLIENT_CERT_CHAIN, _KEY, _ROOT_CERT)
 * make istiod build for its clusters. `NewClusterBuilder` (pilot/pkg/networking/core/cluster_builder.go)
 * keeps them when the chain is non-empty, and `buildUpstreamTLSSettings` (cluster_tls.go) then replaces
 * a DestinationRule's MUTUAL or ISTIO_MUTUAL, and auto mTLS's ISTIO_MUTUAL, with `buildMutualTLS`: mode
 * MUTUAL naming the three files as they are.
 * - "none": no chain (absent or ""): Istio's own SDS certificates, nothing rebuilt.
 * - "complete": chain, key and root.
 * - "no-key": a chain without key: `constructUpstreamTLS` fails ("client certificate and private key must
 *   not be empty") and `applyUpstreamTLSSettings` leaves the cluster without a transport socket: plaintext.
 * - "no-root": chain and key without root: `CaCertificatePath` falls back to "system", the OS trust store.
 */
export type MetadataCerts = "none" | "complete" | "no-key" | "no-root";

export interface Namespace {
  name: string;
  labels: Labels;
  annotations: Labels;
  /** False when the namespace is only implied by objects in it (no Namespace object read). */
  declared: boolean;
}

export interface Workload {
  namespace: string;
  name: string;
  kind: string;
  serviceAccount: string;
  /** Pod (template) labels. */
  labels: Labels;
  /** Pod (template) annotations. */
  annotations: Labels;
  /**
   * Ports declared by the application's containers (restartable init containers included);
   * `protocol` only when a named port is not TCP. The mesh proxy's own ports are in `proxyPorts`.
   */
  containerPorts: ContainerPort[];
  /**
   * Ports declared by the `istio-proxy` / `linkerd-proxy` container (15090, 15021, 15020, 4191 …):
   * not application ports, and excluded from inbound capture, so not listed as the workload's ports
   * (contract §1.1). Kept only because Kubernetes' FindPort resolves a named targetPort among them too.
   */
  proxyPorts: ContainerPort[];
  pods: number;
  dataplane: WorkloadDataplane;
  /** The pod's effective `security.istio.io/tlsMode` label ("istio" on injected pods unless overridden). */
  tlsModeLabel: string | null;
  /** Explicit opt-out of the namespace's data plane (sidecar.istio.io/inject=false, dataplane-mode=none, linkerd disabled). */
  optedOut: boolean;
  /** spec.hostNetwork: Istio's injector never injects such a pod (injectRequired), nor does ambient capture it. */
  hostNetwork: boolean;
  /** Inbound ports excluded from capture (traffic.sidecar.istio.io/excludeInboundPorts). */
  excludedInboundPorts: number[];
  /** Inbound ports Linkerd's proxy skips (config.linkerd.io/skip-inbound-ports, pod or namespace), as port runs. */
  linkerdSkipInboundPorts: PortRuns;
  /** `networking.istio.io/tunnel=http`: ztunnel may reach this sidecar pod over HBONE. */
  hboneTunnel: boolean;
  /**
   * The proxy's node metadata ENABLE_HBONE (`Metadata.EnableHBONE`, read by `Proxy.EnableHBONE`,
   * pilot/pkg/model/context.go: `IsAmbient() || (features.EnableHBONE && Metadata.EnableHBONE)`):
   * ISTIO_META_ENABLE_HBONE of a sidecar or gateway's ProxyConfig (its proxy.istio.io/config, else its
   * revision's mesh defaultConfig) as strconv.ParseBool reads it; true for a waypoint (an ambient
   * proxy); null when unset, and for an entry (a VM's own ProxyConfig is not among the inputs).
   * Whether istiod honours it depends on ambient being on in the mesh (MeshModel.ambient).
   */
  enableHbone: boolean | null;
  /**
   * The file-mounted client certificates the proxy's node metadata names (TLS_CLIENT_CERT_CHAIN, _KEY,
   * _ROOT_CERT: ISTIO_META_TLS_CLIENT_* in its proxy.istio.io/config's proxyMetadata, key by key over its
   * revision's mesh defaultConfig), and what istiod builds from them (MetadataCerts). "none" for an
   * entry (its VM's ProxyConfig is not read) and for pods without an Istio proxy.
   */
  metadataCerts: MetadataCerts;
  /** Istio revision of the workload (pod or namespace `istio.io/rev`), "" for the default. */
  revision: string;
  /**
   * An Istio gateway (ingress/egress/east-west) or waypoint: its proxy is a router or a waypoint, not
   * a sidecar; PeerAuthentication does not decide what its listeners accept.
   */
  gateway: boolean;
  /** A waypoint (ambient L7 proxy, or an ambient east-west gateway, which Istio renders from the waypoint template). Implies `gateway`. */
  waypoint: boolean;
  /** Live pods read for it, with what the certificate checks need from each. */
  livePods: LivePod[];
  /**
   * Without live pods, a pod template that already carries linkerd-proxy (`linkerd inject` output),
   * read as its pods will be: Linkerd's injector skips such a pod (its report's Injectable() is false
   * when a sidecar is present), so the pods keep the template's annotations and proxy env as they are.
   */
  linkerdTemplate?: LivePod;
  /** True when the data plane was seen on live pods, false when inferred from injection rules. */
  fromLivePods: boolean;
  /** A WorkloadEntry or an inline ServiceEntry endpoint (a VM or other instance outside Kubernetes); null for Kubernetes workloads. */
  entry: EntryEndpoint | null;
  at: SourceLocation;
  /** Position in `MeshModel.workloads`, so per-workload memos are array slots rather than Map entries. */
  index: number;
}

/**
 * What istiod keeps of a WorkloadEntry-shaped endpoint (a WorkloadEntry's spec, or one of a
 * ServiceEntry's `spec.endpoints`) beyond what every workload has.
 */
export interface EntryEndpoint {
  /** spec.address as written (an IP, a hostname, or unix://…). */
  address: string;
  /** spec.ports: the endpoint port for a service port of that name (it overrides the target port). */
  ports: Map<string, number>;
  /**
   * The address is not an IP (a hostname or a unix socket): istiod lets only DNS-resolved
   * ServiceEntries select it, never a Kubernetes Service (DNSServiceEntryOnly, serviceentry/conversion.go).
   */
  dnsOnly: boolean;
  /** One of a ServiceEntry's `spec.endpoints` (not a WorkloadEntry): not a snapshot workload; see `MeshModel.serviceEntryEndpoints`. */
  inline: boolean;
}

export interface ContainerPort {
  port: number;
  name?: string;
  protocol?: string;
}

export interface LivePod {
  name: string;
  /** The trust anchors a Linkerd proxy was started with (env LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS). */
  linkerdTrustAnchors?: string;
  /**
   * The default inbound policy a Linkerd proxy was started with (env LINKERD2_PROXY_INBOUND_DEFAULT_POLICY:
   * the injector writes the pod's or namespace's annotation there, else the cluster default; fixed
   * for the pod's life).
   */
  linkerdDefaultPolicy?: string;
  /**
   * The pod's own config.linkerd.io/default-inbound-policy and proxy-require-identity-inbound-ports
   * annotations: what Linkerd's policy controller reads, from the pod's current metadata (index
   * inbound/pod.rs Settings::from_metadata; the injector copied the namespace's onto the pod when it
   * created it). Only for pods with a linkerd-proxy container.
   */
  linkerdPolicyAnnotation?: string;
  linkerdRequireIdentity?: string;
  /** env LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY: the ports a proxy without policy discovery requires an identity on. */
  linkerdRequireIdentityEnv?: string;
  /**
   * env LINKERD2_PROXY_POLICY_SVC_ADDR is set: the proxy takes each port's policy from the policy
   * controller (linkerd2-proxy app/src/env.rs: `Config::Discover`; its env default is only the
   * initial value, inbound/src/policy/store.rs `spawn_with_init`). Without it the proxy applies its
   * env (`Config::Fixed`).
   */
  linkerdPolicyDiscovery?: true;
  /** The Linkerd proxy's control-plane namespace and trust domain (env _l5d_ns, _l5d_trustdomain): its identity name's suffix. */
  linkerdControlPlaneNs?: string;
  linkerdTrustDomain?: string;
  /**
   * The pod's linkerd-init args (charts/partials _proxy-init.tpl): --subnets-to-ignore (callers from
   * these source networks are never redirected to the proxy) and --inbound-ports-to-ignore, as written
   * ("" when the flag is absent). Absent when the pod has no linkerd-init container (CNI mode: the CNI
   * plugin's config holds them, not the pod).
   */
  linkerdInit?: { subnets: string; inboundPorts: string };
  /**
   * A pod's addresses, status.podIPs (else status.podIP) as the API server reports them: the source
   * address its connections carry, which a Linkerd Server opened to some networks only checks
   * (linkerdInbound.ts linkerdCallerInbound). Absent for a pod not yet given one, and for templates.
   */
  ips?: readonly string[];
  /**
   * status.phase is Succeeded or Failed (a completed Job's pod, an evicted one): it makes no more
   * connections, and the address it keeps may have gone to another pod since.
   */
  terminal?: true;
  /**
   * spec.hostNetwork: its addresses are its node's, while its connections to pods often leave from
   * another node address (a tunnel or bridge interface, by the route to the pod).
   */
  hostNetwork?: true;
}

export interface ServicePort {
  port: number;
  targetPort: number | string;
  name?: string;
  protocol: string;
  appProtocol?: string;
  /**
   * Set only on an inbound passthrough edge's port 0 (buildEdges reportersPort): the workloads that
   * reported its calls, which are then its only endpoints, whatever else the Service selects.
   */
  endpoints?: readonly Workload[];
}

export interface Service {
  namespace: string;
  name: string;
  host: string;
  headless: boolean;
  /** MESH_EXTERNAL ServiceEntry or ExternalName service. */
  external: boolean;
  ports: ServicePort[];
  /** null = no selector (endpoints managed elsewhere). */
  selector: Labels | null;
  /** "namespace/name" of the workloads behind it, sorted. */
  workloads: string[];
  /** Kind it came from: "Service" or "ServiceEntry". */
  kind: "Service" | "ServiceEntry";
  /** Service `networking.istio.io/exportTo` annotation or ServiceEntry exportTo; empty = everywhere. */
  exportTo: string[];
  /** ServiceEntry resolution NONE or headless Service: cluster type ORIGINAL_DST. */
  passthrough: boolean;
  /**
   * A ServiceEntry's port numbers written without `protocol` (their `protocol` reads "TCP" for the L4
   * uses): Istio sniffs them, protocol.Parse("") being Unsupported (IsHTTPOrSniffed). Absent when none.
   */
  sniffedPorts?: number[];
  /** A Linkerd multicluster mirror of a service in a linked cluster (linkerdMirror.ts); absent otherwise. */
  linkerdMirror?: LinkerdMirror;
}

/** How Linkerd reaches a mirrored service's linked cluster, and what the mirror says of it. */
export interface LinkerdMirror {
  /** The Link's target cluster name (null when the mirror does not say). */
  cluster: string | null;
  /**
   * "gateway": through the remote gateway; "remote-discovery": straight to the remote pods (flat
   * network); "federated": a federated service, the pods of every cluster that exports it.
   */
  mode: "gateway" | "remote-discovery" | "federated";
  /** Gateway mode: the identity on the mirror Endpoints (mirror.linkerd.io/remote-gateway-identity), null when none is seen. */
  gatewayIdentity: string | null;
  /** Pod-to-pod mode: the remote Service's name (multicluster.linkerd.io/remote-service), null when missing. */
  remoteService: string | null;
}

export type PaMode = "UNSET" | "DISABLE" | "PERMISSIVE" | "STRICT";

export interface PeerAuthentication {
  namespace: string;
  name: string;
  creationTimestamp: string;
  /** matchLabels; null or empty = namespace-wide (mesh-wide in the root namespace). */
  selector: Labels | null;
  /** `spec.selector` is there but selects by nothing (`selector: {}`): ambient tells it from no selector. */
  emptySelector?: true;
  mode: PaMode;
  /** portLevelMtls keyed by workload (target) port; null when absent. */
  portLevelMtls: Map<number, PaMode> | null;
  /** Its istio.io/rev label: only that revision's istiod reads it (absent: every istiod). */
  revision?: string;
  at: SourceLocation;
}

export type TlsMode = "DISABLE" | "SIMPLE" | "MUTUAL" | "ISTIO_MUTUAL";

export interface ClientTlsSettings {
  mode: TlsMode;
  /** False for a `tls:` block without `mode` (which Istio reads as DISABLE). */
  modeSet: boolean;
  credentialName?: string;
  clientCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  insecureSkipVerify?: boolean;
  sni?: string;
  subjectAltNames?: string[];
}

export interface PortTrafficPolicy {
  port: number;
  tls: ClientTlsSettings | null;
  /** loadBalancer.simple of the entry: a matching entry replaces the whole policy, this included. */
  loadBalancerSimple: string | null;
}

export interface TrafficPolicy {
  tls: ClientTlsSettings | null;
  portLevelSettings: PortTrafficPolicy[];
  /** loadBalancer.simple, when set (PASSTHROUGH changes auto mTLS to all-or-nothing). */
  loadBalancerSimple: string | null;
}

export interface Subset {
  name: string;
  labels: Labels;
  trafficPolicy: TrafficPolicy | null;
}

export interface DestinationRule {
  namespace: string;
  name: string;
  creationTimestamp: string;
  /** spec.host as written. */
  host: string;
  /** spec.host resolved to an FQDN relative to the DR's namespace (istio.md §2.4). */
  fqdn: string;
  exportTo: string[];
  workloadSelector: Labels | null;
  trafficPolicy: TrafficPolicy | null;
  subsets: Subset[];
  /** Its istio.io/rev label: only that revision's istiod reads it (absent: every istiod). */
  revision?: string;
  at: SourceLocation;
}

/**
 * Whether the istiod serving proxies of `proxyRevision` reads a config object: one without an
 * istio.io/rev label is global; a labelled one only its own revision's (crdclient objectInRevision).
 * Proxies of no revision are served by the default istiod, whose REVISION is "default".
 */
export const inRevision = (objectRevision: string | undefined, proxyRevision: string): boolean =>
  objectRevision === undefined || objectRevision === istiodRevision(proxyRevision);

/** A proxy revision as its istiod names itself (REVISION): "" is the default istiod's, "default". */
export const istiodRevision = (revision: string): string => revision || "default";

/** One egress listener of a Sidecar resource. */
export interface SidecarEgress {
  /** port.number, or null for the catch-all listener (no port); 0 is a Unix-socket bind, never a service port. */
  port: number | null;
  /** hosts, "namespace/dnsName" entries. */
  hosts: string[];
}

export interface SidecarResource {
  namespace: string;
  name: string;
  workloadSelector: Labels | null;
  /**
   * Its egress listeners, each kept apart as Istio keeps them (convertIstioListenerToWrapper): the
   * calls to a port go through the listener bound to it, else the catch-all one (GetEgressListenerForRDS).
   * Empty = no egress section (one catch-all listener importing everything).
   */
  egress: SidecarEgress[];
  /**
   * Its ingress listeners' port numbers. Non-empty: the ports the selected workloads' inbound listener
   * declares instead of their Services' (istio/istio needPerPortPassthroughFilterChain, HasIngressListener).
   */
  ingressPorts: number[];
  outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY" | null;
  /** Its istio.io/rev label: only that revision's istiod reads it (absent: every istiod). */
  revision?: string;
  at: SourceLocation;
}

/** Which route list of a VirtualService a destination is in: HTTP routes carry HTTP, tcp/tls routes the rest. */
export type RouteKind = "http" | "tcp" | "tls";

/**
 * One of a mesh route's `match` entries that sidecars use (its gateways are empty or name "mesh"),
 * as far as the metrics can tell whether a sample met it.
 */
export interface RouteMatch {
  /**
   * match.sourceNamespace; null when absent, and on an http match that names gateways (sourceMatchHTTP
   * builds it for every sidecar when "mesh" is among them, whatever its source conditions).
   */
  sourceNamespace: string | null;
  /** match.sourceLabels; null when absent or empty, and on an http match that names gateways (as sourceNamespace). */
  sourceLabels: Labels | null;
  /**
   * The fields that restrict something no metric tells about a sample (port, uri, headers, sniHosts…),
   * in the order written; empty when the match restricts only the source (or nothing).
   */
  opaque: string[];
  /**
   * match.port, 0 when absent (Istio's zero value): the listener port the match is built on (translateRoute,
   * matchTCP, matchTLS skip it on another port). Also listed in `opaque`, since no metric gives the port called.
   */
  port: number;
  /**
   * Set on a route merged from a delegate labelled istio.io/rev: only that revision's istiod has the
   * delegate, so only its callers get the route (inRevision). Absent on every other match.
   */
  revision?: string;
  /**
   * Set on a route merged from a delegate in a namespace some istiod's discoverySelectors leave out: the
   * delegate's namespace. A caller whose istiod hides it has no delegate, so no route (its
   * mergeVirtualServicesIfNeeded drops the root's). Absent when every istiod sees it, and on every other match.
   */
  delegateNamespace?: string;
}

/** One `route[].destination` of a VirtualService route that sidecars use. */
export interface RouteDestination {
  /** destination.host resolved like a DR host, relative to the VirtualService's namespace. */
  fqdn: string;
  subset: string | null;
  /** destination.port.number; null when the route names none (Istio then takes the service's only port, else the port called). */
  port: number | null;
  kind: RouteKind;
  /**
   * The route's matches that sidecars use, shared by its destinations; empty when the route has no
   * match (it takes every request that reaches it).
   */
  matches: RouteMatch[];
}

export interface VirtualService {
  namespace: string;
  name: string;
  /** metadata.creationTimestamp ("" when absent): Istio's order of VirtualServices (sortConfigByCreationTime). */
  creationTimestamp: string;
  hosts: string[];
  /** spec.gateways as written; absent or empty means ["mesh"] (the sidecars). */
  gateways: string[];
  exportTo: string[];
  /**
   * The destinations of the routes sidecars use: the VirtualService is bound to "mesh" and has hosts
   * (one without is a delegate, used only through a root: a root's http routes that name a delegate are
   * the delegate's, matches merged), the route has no match, or a match whose `gateways` (which override
   * the top-level list) is empty or names "mesh", and no earlier route of its list takes every sidecar
   * request; a weight-0 destination beside others is left out.
   */
  meshDestinations: RouteDestination[];
  /**
   * The matches of each of those routes (destinations or not: a redirect is a route too), http apart from
   * tcp/tls: whether this VirtualService claims a host before another for a caller (buildEdges).
   */
  meshRouteMatches: { http: RouteMatch[][]; l4: RouteMatch[][] };
  /**
   * The hosts those http routes mirror requests to (mirror, mirrors[]; percentage not 0; not on a redirect
   * or directResponse), resolved like destinations, each with its route's matches (the same array as in
   * meshRouteMatches.http: only the callers that have the route mirror). Not destinations: a mirrored
   * copy is not the caller's call and its response is dropped, so edges ignore them; a sidecar still
   * sends through the mirror host's cluster (dr.credential-name-plaintext).
   */
  meshMirrors: { fqdn: string; matches: RouteMatch[] }[];
  /** Its place in Istio's order of all VirtualServices: creationTimestamp, then name, then namespace. */
  rank: number;
  /**
   * For each of its hosts, the other VirtualServices with sidecar routes naming exactly that host; null
   * when one of its hosts is its alone (it is then used for that host whoever calls). A sidecar uses the
   * first VirtualService it sees for a host: its own namespace's, then those exported to it by name, then
   * public ones, each oldest first (SelectVirtualServices; BuildSidecarOutboundVirtualHosts keeps one
   * virtual host per domain).
   */
  sameHost: VirtualService[][] | null;
  /** Its hosts resolved as Istio compares them (short names relative to its namespace), without repeats. */
  fqdns: string[];
  /**
   * The other mesh VirtualServices with a wildcard host covering one of its hosts; null when none. Older,
   * they can come first for TCP/TLS (getConfigsForHost); for HTTP the exact domain's virtual host wins
   * whatever the age.
   */
  overlapping: VirtualService[] | null;
  /**
   * Its routes as a gateway proxy reads them, when spec.gateways names a Gateway (not only "mesh");
   * null otherwise (buildEdges `gatewayChoiceFor`).
   */
  gatewayBinding: GatewayBinding | null;
  /** Its istio.io/rev label: only that revision's istiod reads it (absent: every istiod). */
  revision?: string;
  at: SourceLocation;
}

/**
 * One `match` entry of a VirtualService route as a gateway proxy reads it: sourceMatchHTTP and
 * translateRoute's port check (pilot/pkg/networking/core/route/route.go), l4SingleMatch (gateway.go).
 */
export interface GatewayMatch {
  /** match.gateways, each as resolveGatewayName makes it ("ns/name"; "mesh" kept); empty: the VirtualService's list applies. */
  gateways: string[];
  /** match.port (compared with the Gateway server's port number); 0 when absent. */
  port: number;
  sourceNamespace: string | null;
  sourceLabels: Labels | null;
  /** Another field restricts it (uri, headers, sniHosts…): whether a request meets it is not in the metrics. */
  opaque: boolean;
}

/** One http/tcp/tls route of a VirtualService bound to a Gateway. */
export interface GatewayRoute {
  kind: RouteKind;
  /** Empty: no match (it takes every request that reaches it). */
  matches: GatewayMatch[];
  /**
   * Its destinations (a weight-0 one beside others left out), as MeshRoutes predictEdge takes; their
   * `dest.matches` are empty: the gateway path reads `matches` above.
   */
  dests: MeshRoute[];
  /** The hosts an http route mirrors to (mirrorHosts): mirrored requests are reported with that host as destination. */
  mirrors: string[];
}

/** What a VirtualService bound to Gateways gives the gateway proxies (VirtualService.gatewayBinding). */
export interface GatewayBinding {
  /** spec.gateways other than "mesh", resolved (resolveGatewayName: a bare name is the VirtualService's namespace's). */
  gateways: string[];
  /** Its http, then tcp, then tls routes, each list in order. */
  routes: GatewayRoute[];
  /**
   * An http route names a delegate: `routes` then hold the delegates' routes merged in
   * (mergeVirtualServicesIfNeeded), so the root is found by the hosts they lead to, but their matches
   * are not modelled for gateways (the caller falls back to the protocol's guess).
   */
  delegated: boolean;
}

/** `Gateway.servers[].tls.mode` (istio/api networking/v1alpha3/gateway.proto ServerTLSSettings.TLSmode). */
export type GatewayTlsMode =
  "PASSTHROUGH" | "SIMPLE" | "MUTUAL" | "AUTO_PASSTHROUGH" | "ISTIO_MUTUAL" | "OPTIONAL_MUTUAL";

/** One `Gateway.servers[]` entry, as far as what its listener accepts goes. */
export interface GatewayServer {
  /**
   * `port.number` as written (0 for a unix-socket bind): the number routes compare and send by
   * (buildGatewayHTTPRouteConfig passes server.Port.Number to translateRoute and GetDestinationCluster).
   * Which pod port the listener opens is the resolver's (gatewayListener.ts resolvePort: resolvePorts).
   */
  port: number;
  /** `port.protocol` as written (HTTP, HTTPS, GRPC, HTTP2, TLS, TCP, MONGO…). */
  protocol: string;
  /**
   * `hosts` as mergeGateways compares them (sanitizeServerHostNamespace: "./h" → "<namespace>/h",
   * "*\/h" → "h", "*\/*" → "*"): CheckDuplicates keys on these whole strings.
   */
  hosts: string[];
  /** `hosts`, each without its "namespace/" part: the SNI names its TLS filter chain matches ("*": any). */
  sniHosts: string[];
  /** `tls.mode` (PASSTHROUGH when a tls block has no mode, the enum's zero value); null without a tls block. */
  tls: GatewayTlsMode | null;
  /** `tls.httpsRedirect`: on an HTTP server, the only use of a tls block (a 301 to https, no TLS). */
  httpsRedirect: boolean;
  /** `bind` ("" when absent): a non-empty bind is a listener of its own on that address, not the pod IP's. */
  bind: string;
  /** `tls.credentialName` and `tls.credentialNames`, as written: the Secrets the gateway serves with (certificate rules' mTLS evidence). */
  credentialNames: string[];
}

/** A networking.istio.io Gateway: the servers a gateway proxy's listeners are built from. */
export interface IstioGateway {
  namespace: string;
  name: string;
  creationTimestamp: string;
  /** `spec.selector`; null or empty: every gateway proxy (mergeGateways, push_context.go). */
  selector: Labels | null;
  servers: GatewayServer[];
  /** Its istio.io/rev label: only that revision's istiod reads it (absent: every istiod). */
  revision?: string;
  at: SourceLocation;
}

/** A mesh route destination with the VirtualService that declares it. */
export interface MeshRoute {
  vs: VirtualService;
  dest: RouteDestination;
}

/** A gateway route's destination with its route (MeshModel.gatewayRoutesByHost). */
export interface GatewayRouted {
  route: MeshRoute;
  spec: GatewayRoute;
  /** `route` is one of `spec.mirrors` (a copy of the route's requests goes there), not a destination. */
  mirror: boolean;
}

export interface MeshModel {
  /** Default (revision "") mesh settings: the `istio` ConfigMap, else Istio's defaults. */
  mesh: MeshSettings;
  /** Settings per revision ("" = default), from `istio-<rev>` ConfigMaps. */
  meshByRevision: Map<string, MeshSettings>;
  /** Whether any Istio mesh evidence was read (mesh ConfigMap, Istio CRs, or Istio data planes). */
  hasIstio: boolean;
  /**
   * Ambient is on in the mesh, so istiod's PILOT_ENABLE_SENDING_HBONE (features.EnableHBONE) is on:
   * it defaults to PILOT_ENABLE_AMBIENT (`registerAmbient`, pilot/pkg/features/ambient.go). Istiod's
   * environment is not among the inputs; the evidence is an ambient (or waypoint, or ztunnel)
   * workload, or a mesh defaultConfig setting ISTIO_META_ENABLE_HBONE "true" (the ambient profile).
   */
  ambient: boolean;
  /** Istio revision tags: what an istio.io/rev value names (revisions.ts). */
  revisions: Revisions;
  /** Namespaces holding an istiod's mesh ConfigMap (`istio`, `istio-<rev>`): where the control plane runs. */
  istiodNamespaces: Set<string>;
  namespaces: Map<string, Namespace>;
  workloads: Workload[];
  workloadsByNamespace: Map<string, Workload[]>;
  workloadByKey: Map<string, Workload>;
  services: Service[];
  serviceByHost: Map<string, Service>;
  /**
   * Wildcard hosts of `serviceByHost` by their suffix ("*.example.com" → ".example.com"), the same
   * object `serviceByHost` keeps for the host: where an observed host that no exact host names goes
   * (`wildcardServiceFor`, services.ts).
   */
  wildcardServiceBySuffix: Map<string, Service>;
  /**
   * What each mesh config with discoverySelectors lets its istiod see (discovery.ts), keyed by the
   * settings object (`meshFor` of a revision); empty when no mesh config has any.
   */
  discoveryViews: Map<MeshSettings, DiscoveryView>;
  /** Services selecting each workload, keyed by the workload object (per-workload hot paths skip building "ns/name" keys). */
  servicesOfWorkload: Map<Workload, Service[]>;
  /** The workloads each Service or ServiceEntry selects (its endpoints), as objects: `Service.workloads` holds their keys for the snapshot. */
  endpointsOf: Map<Service, Workload[]>;
  peerAuthentications: PeerAuthentication[];
  destinationRules: DestinationRule[];
  sidecars: SidecarResource[];
  virtualServices: VirtualService[];
  /** Gateways, in the order istiod merges them (creation time, then name, then namespace: sortConfigByCreationTime). */
  gateways: IstioGateway[];
  /** Route destinations sidecars use (`VirtualService.meshDestinations`), by destination FQDN, VirtualServices in name order. */
  meshRoutesByHost: Map<string, MeshRoute[]>;
  /**
   * Destinations and mirror hosts of routes bound to Gateways (`GatewayBinding.routes`), by FQDN,
   * VirtualServices in name order.
   */
  gatewayRoutesByHost: Map<string, GatewayRouted[]>;
  /**
   * The inputs hold a Kubernetes Ingress, a Gateway API (gateway.networking.k8s.io) Gateway istiod does
   * not deploy (buildModel `isManaged`: addresses other than one untyped or IPAddress), or a Gateway API route whose parent Gateway is missing: istiod turns those into
   * Gateways and VirtualServices of its own that Handshake does not build, which may feed any gateway pods, so a gateway's VirtualService routes are not all its routes
   * (buildEdges `gatewayChoiceFor` falls back to the protocol's guess).
   */
  gatewayRoutesElsewhere: boolean;
  /** TLS Secrets that Gateway API Gateways and Ingresses serve (servedSecrets.ts); empty from a live cluster, whose reader lists neither kind. */
  servedSecrets: ServedSecret[];
  /** This cluster's Istio cluster ID and what shows a multi-cluster mesh (clusters.ts). */
  clusters: ClusterFacts;
  /**
   * Gateway API Gateways ("ns/name") istiod deploys itself (`isManaged`): their routes feed only
   * the pods labelled gateway.networking.k8s.io/gateway-name=<name> in that namespace (buildModel
   * `gatewayRoutesElsewhere`), so another gateway's VirtualService routes stay all its routes.
   */
  deployedGatewayApi: ReadonlySet<string>;
  /** Linkerd Servers and the authorizations that open them to unmeshed clients. */
  linkerdPolicy: LinkerdPolicy;
  /** Linkerd's control-plane settings (the linkerd-config ConfigMap), when among the inputs. */
  linkerdConfig: LinkerdConfig | null;
  /** Sidecar resources per namespace (edge prediction looks them up for every client). */
  sidecarsByNamespace: Map<string, SidecarResource[]>;
  configDumps: ConfigDump[];
  /**
   * ServiceEntries' inline `spec.endpoints`, as endpoint-only workloads (`entry.inline`): they are in
   * `endpointsOf` but not in `workloads` (no object of their own to list in the snapshot), and their
   * `index` continues after the last of `workloads`.
   */
  serviceEntryEndpoints: Workload[];
  problems: InputProblem[];
}

export const workloadKey = (w: { namespace: string; name: string }): string => `${w.namespace}/${w.name}`;

export function ref(kind: string, name: string, namespace?: string): Ref {
  return namespace === undefined ? { kind, name } : { kind, namespace, name };
}
