// Predicts one client → service:port edge: what the client sends to each endpoint (DestinationRule,
// auto mTLS, data plane), what each endpoint accepts, and the matrix verdict. The edge takes the
// worst endpoint (contract.md §1.1).
import {
  istiodRevision,
  type ClientTlsSettings,
  type DestinationRule,
  type Labels,
  type MeshModel,
  type MeshRoute,
  type MeshSettings,
  type MetadataCerts,
  type Service,
  type ServicePort,
  type SidecarResource,
  type Subset,
  type TrafficPolicy,
  type Workload,
} from "../model/mesh";
import type { ClientOrigin, ClientTls, Predicted, Ref } from "../snapshot/schema";
import { subsetTlsForPort, taggingTls, tlsForPort, type DrLookup, type PortTls } from "./destinationRule";
import { defaultIstioSni } from "./gatewayListener";
import {
  fileTlsCell,
  HBONE_FILES_CELL,
  isHttpPort,
  isTcpPort,
  isTlsPort,
  matrixVerdict,
  worseVerdict,
  type FileTls,
  type MatrixCell,
  type ServerAccept,
} from "./matrix";
import {
  ignoredPolicyClause,
  ignoredPolicyFor,
  modeForPort,
  workloadPolicyFor,
  type ModeDecision,
  type WorkloadPolicy,
} from "./peerAuthentication";
import { firstRevision, type Resolver, type ServerDecision } from "./resolver";
import { sidecarFor, sidecarImports } from "./sidecarScope";
import { perRun } from "../model/perRun";
import { readingRevision } from "../model/discovery";
import { inPortRuns } from "../model/read";
import { ignoredAuthorizationsOf, serverOfPort, type LinkerdPolicy } from "../model/linkerdPolicy";
import { linkerdCallerInbound } from "./linkerdInbound";
import { linkerdMirrorPrediction } from "./linkerdMirrorEdge";

/** The calling side. `workload` is null for callers outside the inventory. */
export interface Client {
  namespace: string | null;
  name: string | null;
  /** The calling workload when known; a caller named by telemetry but absent from the inputs is a sidecar (only proxies report a name). */
  workload: Workload | null;
  dataplane: Workload["dataplane"];
  labels: Labels;
  revision: string;
  /** "namespace/name" when the caller is named, built once per caller (it starts every edge's reason); computed when absent. */
  who?: string | null;
}

/** Why the client sends what it sends: drives the reason text and which edge finding explains it. */
export type ClientWhy =
  | "no-proxy"
  | "dr"
  | "dr-credential-ignored"
  | "dr-metadata-certs"
  | "auto-metadata-certs"
  | "metadata-certs-no-key"
  | "auto-off"
  | "auto-namespace-disable"
  | "auto-endpoint-no-label"
  | "auto-endpoint-pa-disable"
  | "auto-headless-mixed"
  | "auto-headless-mtls"
  | "auto-dr-tagged"
  | "auto-dr-untagged"
  | "auto-mtls"
  | "auto-hbone"
  | "hbone-first"
  | "mesh-external"
  | "passthrough"
  | "blackhole"
  | "ztunnel"
  | "linkerd";

export interface EndpointPrediction {
  workload: Workload | null;
  targetPort: number;
  server: ServerDecision;
  accept: ServerAccept;
  tls: ClientTls;
  origin: ClientOrigin;
  why: ClientWhy;
  cell: MatrixCell;
  /** EndpointSide.autoDiffersFromOwn, for the reason of an auto-endpoint-pa-disable send. */
  autoDiffersFromOwn: boolean;
}

export interface Prediction {
  predicted: Predicted;
  worst: EndpointPrediction;
  endpoints: EndpointPrediction[];
  dr: DrLookup | null;
  drTls: PortTls;
  shadowed: DestinationRule[];
  /** The first matching tier's DRs when they apply to other clients only (workloadSelector), none to this one. */
  hiddenBy: DestinationRule[];
  sidecar: SidecarResource | null;
  /** The DR mode that tags endpoints for an auto-mTLS cluster, and where it is set (null: none does). */
  drTagging: DrTagging | null;
  /** The mesh VirtualService route the calls took, when telemetry's service port was chosen by it. */
  route: MeshRoute | null;
  /**
   * The service's namespace is hidden from the sidecar caller's istiod by its discoverySelectors
   * (model/discovery.ts): the proxy has no route or cluster for the host, so the call takes the
   * outbound catch-all (PassthroughCluster, or BlackHoleCluster under REGISTRY_ONLY).
   */
  undiscovered: boolean;
  /** The applied DR's subset that route names (its policy merged over the DR's), null when none or not defined. */
  subset: Subset | null;
  /**
   * The DR whose text set what decided the port's TLS or endpoint tagging (decidingRule): `dr.rule`,
   * or the merged DR that defined the subset when the subset's own policy decided. Null without a DR.
   */
  drRule: DestinationRule | null;
  /** The cluster's TLS is the one istiod builds from the client proxy's file-mounted certificates (FileTls), in place of a DR's MUTUAL or ISTIO_MUTUAL or of auto mTLS. */
  fileTls: boolean;
}

const drRef = (dr: DestinationRule | undefined | null): Ref | null =>
  dr ? { kind: "DestinationRule", namespace: dr.namespace, name: dr.name } : null;

/** Sidecars (not gateways) drop TLS that names a credential without a workloadSelector (cluster_tls.go, `cb.sidecarProxy()`). */
const credentialIgnored = (tls: ClientTlsSettings, dr: DestinationRule, gateway: boolean) =>
  !gateway &&
  (tls.mode === "SIMPLE" || tls.mode === "MUTUAL") &&
  !!tls.credentialName &&
  !tls.credentialName.startsWith("configmap://") &&
  !dr.workloadSelector;

interface Send {
  tls: ClientTls;
  origin: ClientOrigin;
  why: ClientWhy;
}

/**
 * The Istio proxy's own ports on a pod that runs it: 15090 (Envoy's Prometheus stats), 15021 (health)
 * and the agent's status port (15020 unless `status.sidecar.istio.io/port` moves it). pilot-agent and
 * Envoy serve them in plaintext outside every mesh listener: a sidecar never captures them
 * (injection-template.yaml passes istio-iptables `-d 15090,15021,<status port>`), and on a gateway or
 * waypoint they are no Gateway listener and no HBONE port. The istio/gateway chart's and
 * kube-gateway.yaml's Services expose 15021 (status-port).
 */
export function isProxyOwnPort(w: Workload, port: number): boolean {
  if (w.dataplane !== "sidecar") return false;
  if (port === 15090 || port === 15021) return true;
  const status = w.annotations["status.sidecar.istio.io/port"];
  return port === (status === undefined ? 15020 : Number(status));
}

/**
 * A Linkerd pod's port that its proxy skips (config.linkerd.io/skip-inbound-ports, the pod's or its
 * namespace's): the destination controller gives no TLS identity (nor protocol hint) for it
 * (linkerd/linkerd2 controller/api/destination/endpoint_translator_utils.go `createWeightedAddr`,
 * formerly endpoint_translator.go `toWeightedAddr`: `if ... !isSkippedInboundPort`), so a Linkerd
 * caller's proxy connects in plaintext (tls="no_identity", no_tls_reason="not_provided_by_service_discovery").
 */
const isLinkerdSkipped = (w: Workload, targetPort: number) =>
  inPortRuns(w.linkerdSkipInboundPorts, targetPort);

function acceptOf(
  r: Resolver,
  w: Workload | null,
  targetPort: number,
  port: ServicePort,
): { accept: ServerAccept; server: ServerDecision } {
  const httpPort = isHttpPort(port);
  if (!w)
    return {
      accept: { kind: "none", mode: "PERMISSIVE", httpPort },
      server: { mode: "NONE", origin: "no-proxy", policy: null },
    };
  const server = r.serverDecision(w, targetPort);
  // Reaches the proxy's agent or stats listener, not a mesh listener: plaintext only.
  if (isProxyOwnPort(w, targetPort))
    return { accept: { kind: "none", mode: "PERMISSIVE", httpPort }, server };
  // A gateway's or waypoint's proxy is the destination itself (no capture to exclude), and what it
  // accepts comes from its proxy type, not from PeerAuthentication.
  if (w.waypoint) return { accept: { kind: "waypoint", mode: "PERMISSIVE", httpPort }, server };
  if (w.gateway)
    return {
      accept: {
        kind: "gateway",
        mode: "PERMISSIVE",
        httpPort,
        tlsPort: isTlsPort(port),
        listener: r.gatewayListener(w, targetPort),
      },
      server,
    };
  // A port excluded from inbound capture reaches the application directly: no proxy on that port.
  if (w.dataplane === "sidecar" && w.excludedInboundPorts.includes(targetPort))
    return { accept: { kind: "none", mode: "PERMISSIVE", httpPort }, server };
  // Likewise a port in Linkerd's config.linkerd.io/skip-inbound-ports: proxy-init lets it reach the
  // application, and discovery gives callers no identity for it (isLinkerdSkipped).
  if (w.dataplane === "linkerd") {
    if (isLinkerdSkipped(w, targetPort))
      return { accept: { kind: "none", mode: "PERMISSIVE", httpPort }, server };
    // The port's inbound policy (linkerdInbound.ts): its Server's, else the default policy.
    const inbound = r.linkerdInbound(w, targetPort);
    return {
      accept: {
        kind: "linkerd",
        mode: inbound.mode,
        httpPort,
        undecided: inbound.undecided,
        ...(inbound.byNetwork ? { byNetwork: true } : {}),
      },
      server,
    };
  }
  // An entry's tunnel label says a proxy on the VM terminates HBONE, and nothing more (the server
  // decision stays NONE: whether that proxy applies PeerAuthentication cannot be told).
  if (server.mode === "NONE")
    return {
      accept: { kind: "none", mode: "PERMISSIVE", httpPort, tunnel: w.entry !== null && w.hboneTunnel },
      server,
    };
  const kind = w.dataplane === "ambient" ? "ambient" : "sidecar";
  return {
    accept: { kind, mode: server.mode, httpPort, sniffed: !httpPort && !isTcpPort(port) && !isTlsPort(port) },
    server,
  };
}

/** A service port's endpoint sides, and whether a gateway listener among them picks its chain by the client's SNI. */
interface EndpointSides {
  sides: EndpointSide[];
  sniDependent: boolean;
  /** The subset whose labels no endpoint of the port carries: its cluster is empty (one null side). */
  emptySubset: Subset | null;
  /** A subset a route names that no DR the caller uses defines: there is no such cluster (one null side). */
  missingSubset: string | null;
  /** Some endpoint may take HBONE (ambient, or a tunnel label): only then does the client's ClientHbone matter. */
  hboneDependent: boolean;
  /** Every endpoint carries tlsMode=istio (none when there is no known endpoint): the passthrough inference's condition for auto mTLS. */
  allIstio: boolean;
  /** Some Linkerd endpoint's port admits unauthenticated callers from some networks only: the caller's addresses decide (callerSides). */
  byNetwork: boolean;
}

/** What each endpoint of a service port accepts, and what auto mTLS would send it: independent of the client. */
interface EndpointSide {
  workload: Workload | null;
  targetPort: number;
  accept: ServerAccept;
  server: ServerDecision;
  auto: Send;
  /**
   * Auto mTLS tags the endpoint DISABLE (auto-endpoint-pa-disable) by the caller's istiod's
   * PeerAuthentications, while its own revision's istiod would not: the reason then names the caller's
   * istiod. Once per side, not per edge (taggingPolicy builds a policy for an inline endpoint).
   */
  autoDiffersFromOwn: boolean;
}

/**
 * The PeerAuthentication istiod reads to tag an endpoint (checkMtlsEnabled: NewMtlsPolicy with the
 * endpoint's namespace and labels), on the push context of the istiod serving the CALLER (`revision`:
 * the EDS endpoint builder runs for the caller's proxy, mtls_checker.go), so with that istiod's
 * PeerAuthentications, root namespace and view: the endpoint's own policy when the caller shares its
 * revision (the resolver's memo). A ServiceEntry's inline endpoint istiod builds with an empty
 * namespace (convertServiceEntryToInstances passes an empty configKey to convertEndpoint), so that
 * only the mesh-wide policy reaches it. Per endpoint side, which the memo keeps per caller revision
 * and service port: not per edge.
 */
function taggingPolicy(r: Resolver, w: Workload, revision: string): WorkloadPolicy {
  const inline = w.entry !== null && w.entry.inline;
  if (revision === w.revision && !inline) return r.policyOf(w);
  const index = r.paIndex(revision === w.revision ? w : { revision, dataplane: w.dataplane });
  return inline
    ? workloadPolicyFor(index, { namespace: "", labels: w.labels })
    : workloadPolicyFor(index, w, r.model.workloadsByNamespace.get(w.namespace));
}

/** What auto mTLS sends an endpoint that does not take HBONE from the client (endpointsFor checks that first), as the caller's istiod (`revision`) tags it. */
function autoSend(r: Resolver, w: Workload, targetPort: number, revision: string): Send {
  if (w.tlsModeLabel !== "istio") return { tls: "DISABLE", origin: "auto", why: "auto-endpoint-no-label" };
  if (modeForPort(taggingPolicy(r, w, revision), targetPort).mode === "DISABLE")
    return { tls: "DISABLE", origin: "auto", why: "auto-endpoint-pa-disable" };
  return { tls: "ISTIO_MUTUAL", origin: "auto", why: "auto-mtls" };
}

function endpointSides(r: Resolver, memo: Memo, service: Service, port: ServicePort): EndpointSides {
  const hit = memo.sides.get(port);
  if (hit) return hit;
  // Pods without the named target port are no endpoints of this port (resolver.targetPortOf).
  const selected = (port.endpoints ?? r.model.endpointsOf.get(service) ?? []).filter(
    (w) => r.targetPortOf(service, port, w) !== null,
  );
  const workloads: (Workload | null)[] = selected.length > 0 ? selected : [null];
  const out = sidesOf(
    workloads.map((w) => endpointSide(r, memo.revision, service, port, w)),
    null,
  );
  memo.sides.set(port, out);
  return out;
}

/** One endpoint's side; `revision`: the caller's, whose istiod tags the endpoint for auto mTLS (taggingPolicy). */
function endpointSide(
  r: Resolver,
  revision: string,
  service: Service,
  port: ServicePort,
  w: Workload | null,
): EndpointSide {
  const targetPort =
    (w && r.targetPortOf(service, port, w)) ??
    (typeof port.targetPort === "number" ? port.targetPort : port.port);
  const { accept, server } = acceptOf(r, w, targetPort, port);
  const auto: Send = w
    ? autoSend(r, w, targetPort, revision)
    : { tls: "DISABLE", origin: "auto", why: "auto-endpoint-no-label" };
  const autoDiffersFromOwn =
    w !== null &&
    auto.why === "auto-endpoint-pa-disable" &&
    w.revision !== revision &&
    modeForPort(taggingPolicy(r, w, w.revision), targetPort).mode !== "DISABLE";
  return { workload: w, targetPort, accept, server, auto, autoDiffersFromOwn };
}

const sidesOf = (
  sides: EndpointSide[],
  emptySubset: Subset | null,
  missingSubset: string | null = null,
): EndpointSides => ({
  sides,
  sniDependent: sides.some((x) => x.accept.kind === "gateway" && !!x.accept.listener?.sniDependent),
  emptySubset,
  missingSubset,
  hboneDependent: sides.some(
    (x) => !!x.workload && (x.workload.dataplane === "ambient" || x.workload.hboneTunnel),
  ),
  allIstio: sides.every((x) => x.workload?.tlsModeLabel === "istio"),
  byNetwork: sides.some((x) => x.accept.byNetwork === true),
});

/**
 * The endpoint sides as one unauthenticated caller meets them, where the caller's address may change
 * a Linkerd port's answer (linkerdInbound `byNetwork`: networks, linkerd-init's skipped subnets, IPv6):
 * its pods' addresses decide the port (linkerdCallerInbound), else the side stays as it is. `all` itself when nothing changes; memoised per sides and caller, so the
 * endpoint sets and shared reasons built from it are too.
 */
function callerSides(r: Resolver, memo: Memo, all: EndpointSides, caller: Workload): EndpointSides {
  let byCaller = memo.callerSides.get(all);
  if (!byCaller) memo.callerSides.set(all, (byCaller = new Map()));
  const hit = byCaller.get(caller);
  if (hit) return hit;
  let changed = false;
  const sides = all.sides.map((side) => {
    if (side.accept.byNetwork !== true || side.workload === null) return side;
    const decided = linkerdCallerInbound(r.model, side.workload, side.targetPort, caller);
    if (decided === null) return side;
    changed = true;
    return {
      ...side,
      accept: {
        kind: "linkerd",
        mode: decided.mode,
        httpPort: side.accept.httpPort,
        undecided: decided.undecided,
        callerWhy: decided.why,
      } satisfies ServerAccept,
    };
  });
  const out = changed ? { ...sidesOf(sides, all.emptySubset, all.missingSubset), byNetwork: false } : all;
  byCaller.set(caller, out);
  return out;
}

/**
 * A subset cluster's endpoint sides: the port's, less the endpoints whose labels lack one of the
 * subset's. istiod keeps only `b.subsetLabels.SubsetOf(ep.Labels)` in the cluster's load assignment
 * (`BuildClusterLoadAssignment`, `getSubSetLabels`, pilot/pkg/xds/endpoints/endpoint_builder.go); a
 * subset without labels keeps them all, and one that keeps none gets an empty cluster. Memoised per
 * subset and port (not per edge); the port's own object when every endpoint stays, so its endpoint
 * sets are shared too.
 */
function subsetSides(
  r: Resolver,
  memo: Memo,
  service: Service,
  port: ServicePort,
  subset: Subset,
): EndpointSides {
  const all = endpointSides(r, memo, service, port);
  if (all.sides[0]!.workload === null) return all;
  let byPort = memo.subsetSides.get(subset);
  if (!byPort) memo.subsetSides.set(subset, (byPort = new Map()));
  const hit = byPort.get(port);
  if (hit) return hit;
  const kept = all.sides.filter((x) => inSubset(x.workload!, subset.labels));
  const out =
    kept.length === all.sides.length
      ? all
      : kept.length > 0
        ? sidesOf(kept, null)
        : sidesOf([endpointSide(r, memo.revision, service, port, null)], subset);
  byPort.set(port, out);
  return out;
}

/**
 * A route to a subset no DR the caller uses defines: istiod builds subset clusters only from DR subsets
 * (applyDestinationRule) and sends routes with ValidateClusters off, so the route names a cluster Envoy
 * does not have and it answers 503 NC. One null side, memoised per port and subset name.
 */
function missingSides(
  r: Resolver,
  memo: Memo,
  service: Service,
  port: ServicePort,
  name: string,
): EndpointSides {
  let byName = memo.missingSides.get(port);
  if (!byName) memo.missingSides.set(port, (byName = new Map()));
  let hit = byName.get(name);
  if (!hit)
    byName.set(name, (hit = sidesOf([endpointSide(r, memo.revision, service, port, null)], null, name)));
  return hit;
}

/**
 * Labels istiod matches a subset against that the model does not see. `AugmentLabels`
 * (pilot/pkg/serviceregistry/util/label/label.go) sets the locality (region, zone, subzone: from the
 * node), the cluster ID and the node name over whatever the pod says, so their value is never known
 * here; it adds the network only where the pod has none. Injection (injection-template.yaml) adds
 * service.istio.io/canonical-name and -revision unless the template sets them, and istio.io/rev
 * appears on pods whatever renders them; the pod controllers add pod-template-hash and the like.
 */
const AUGMENTED = new Set([
  "topology.kubernetes.io/region",
  "topology.kubernetes.io/zone",
  "topology.istio.io/subzone",
  "topology.istio.io/cluster",
  "kubernetes.io/hostname",
]);
const ADDED_WHEN_ABSENT = new Set([
  "topology.istio.io/network",
  "service.istio.io/canonical-name",
  "istio.io/rev",
  "pod-template-hash",
  "controller-revision-hash",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
]);
const CANONICAL_REVISION = "service.istio.io/canonical-revision";

/**
 * Whether the endpoint is in the subset: every label of `want` is among its labels with the same
 * value (`labels.Instance.SubsetOf` over istiod's augmented labels). A label the model cannot see
 * (AUGMENTED, or one of ADDED_WHEN_ABSENT the pod does not set) is taken to match: a subset is never
 * emptied on what is not known. An injected pod's canonical revision is the template's
 * (`canonical-revision | default app.kubernetes.io/version | default version | default "latest"`).
 */
function inSubset(w: Workload, want: Labels): boolean {
  const labels = w.labels;
  for (const k in want) {
    if (AUGMENTED.has(k)) continue;
    let v = labels[k];
    if (v === undefined) {
      if (k === CANONICAL_REVISION) {
        // Injected from the template (a live pod shows what it got); other pods are not known to have none.
        if (w.entry === null && w.dataplane === "sidecar" && !w.gateway && !w.fromLivePods)
          v = labels["app.kubernetes.io/version"] ?? labels["version"] ?? "latest";
        else continue;
      } else if (ADDED_WHEN_ABSENT.has(k)) continue;
    }
    if (v !== want[k]) return false;
  }
  return true;
}

/**
 * How the DestinationRule tags endpoints for an auto-mTLS cluster (`tlsModeForDestinationRule`,
 * mtls_checker.go; istio.md §2.3 ⚠, §3.3 item 2). The cluster is in auto mode when the port's
 * portLevelSettings entry has no tls, but the tagging reads the top-level mode all the same. A tag
 * starts from the endpoint's tlsMode label and can only be removed (endpoint_builder.go): with an
 * ISTIO_MUTUAL mode every labelled endpoint keeps it, even on a PA DISABLE port; with any other mode
 * none does. "none": no DR mode for the port, and the endpoint's PA decides.
 */
type DrTag = "none" | "istio" | "plaintext";
const DR_TAG_KEY: Record<DrTag, number> = { none: 0, istio: 1, plaintext: 2 };
interface DrTagging {
  tag: Exclude<DrTag, "none">;
  /** The mode as written ("DISABLE (a tls block without mode)" for a modeless block). */
  mode: string;
  /** "its top-level trafficPolicy" or "a later portLevelSettings entry for port N". */
  where: string;
}
// Auto mTLS still decides (istio.md §10: "port 9080 auto mTLS"); the DR that steered it is named on the edge.
const DR_TAGGED: Send = { tls: "ISTIO_MUTUAL", origin: "auto", why: "auto-dr-tagged" };
const DR_UNTAGGED: Send = { tls: "DISABLE", origin: "auto", why: "auto-dr-untagged" };

/**
 * Only read when the cluster is in auto mode, i.e. the first entry for the port has no tls. A subset
 * cluster's endpoints are tagged by the subset's own trafficPolicy only, never the DR's top level
 * (`tlsModeForDestinationRule`, pilot/pkg/xds/endpoints/mtls_checker.go: `subset != ""` reads
 * `ss.GetTrafficPolicy()` alone): istio.md §2.3 ⚠'s "subset falls back to DR level" describes the
 * older checker that took no subset (docs/DECISIONS.md, "Subset endpoint tagging").
 */
function drTaggingFor(
  policy: TrafficPolicy | null,
  servicePort: number,
  subset: Subset | null = null,
): DrTagging | null {
  const t = taggingTls(subset ? subset.trafficPolicy : policy, servicePort);
  if (!t) return null;
  const own = t.fromPortEntry
    ? `a later portLevelSettings entry for port ${servicePort}`
    : "its top-level trafficPolicy";
  const where = subset
    ? `subset ${subset.name}'s ${t.fromPortEntry ? `portLevelSettings for port ${servicePort}` : "trafficPolicy"}`
    : own;
  return {
    tag: t.tls.mode === "ISTIO_MUTUAL" ? "istio" : "plaintext",
    mode: t.tls.modeSet ? t.tls.mode : "DISABLE (a tls block without mode)",
    where,
  };
}

/**
 * A cluster-wide sending decision; `key` numbers it so the endpoint-set cache key is one small integer.
 * `files`: the TLS istiod builds from the client proxy's file-mounted certificates (FileTls), whose
 * verdict `fileTlsCell` gives.
 */
interface ClusterSend extends Send {
  key: number;
  files?: FileTls;
}

// FileTls for the two policies istiod rebuilds (buildUpstreamTLSSettings → buildMutualTLS): a DR's
// MUTUAL keeps the istio.alpn filter off its cluster, a DR's ISTIO_MUTUAL or auto mTLS does not.
// A DR's rebuilt TLS without sni or subjectAltNames on an HTTP or sniffed port gets auto SAN validation
// (FileTls.autoSan); with system roots that changes nothing (the chain fails first).
const FILES_NO_ALPN: FileTls = { httpAlpn: false, systemRoots: false, autoSan: false };
const FILES_NO_ALPN_AUTO_SAN: FileTls = { httpAlpn: false, systemRoots: false, autoSan: true };
const FILES_NO_ALPN_SYSTEM: FileTls = { httpAlpn: false, systemRoots: true, autoSan: false };
const FILES_ALPN: FileTls = { httpAlpn: true, systemRoots: false, autoSan: false };
const FILES_ALPN_AUTO_SAN: FileTls = { httpAlpn: true, systemRoots: false, autoSan: true };
const FILES_ALPN_SYSTEM: FileTls = { httpAlpn: true, systemRoots: true, autoSan: false };

/**
 * A DR's MUTUAL or ISTIO_MUTUAL on a proxy whose files lack the key: one object for both tables, as
 * endpointsFor memoises by `key` and compares sends by identity.
 */
const DR_FILES_NO_KEY = {
  tls: "DISABLE",
  origin: "destinationrule",
  why: "metadata-certs-no-key",
  key: 14,
} as const satisfies ClusterSend;

/** Cluster-wide sending decisions, as shared constants (keys 1..21, below endpointsFor's multiplier 32; 0 = none). */
const SEND = {
  noProxy: { tls: "NONE", origin: "no-proxy", why: "no-proxy", key: 1 },
  passthrough: { tls: "DISABLE", origin: "auto", why: "passthrough", key: 2 },
  blackhole: { tls: "DISABLE", origin: "auto", why: "blackhole", key: 3 },
  credentialIgnored: { tls: "DISABLE", origin: "destinationrule", why: "dr-credential-ignored", key: 4 },
  dr: {
    DISABLE: { tls: "DISABLE", origin: "destinationrule", why: "dr", key: 5 },
    SIMPLE: { tls: "SIMPLE", origin: "destinationrule", why: "dr", key: 6 },
    MUTUAL: { tls: "MUTUAL", origin: "destinationrule", why: "dr", key: 7 },
    ISTIO_MUTUAL: { tls: "ISTIO_MUTUAL", origin: "destinationrule", why: "dr", key: 8 },
  },
  meshExternal: { tls: "DISABLE", origin: "mesh-external", why: "mesh-external", key: 9 },
  autoOff: { tls: "DISABLE", origin: "auto", why: "auto-off", key: 10 },
  namespaceDisable: { tls: "DISABLE", origin: "auto", why: "auto-namespace-disable", key: 11 },
  // What a proxy with file-mounted client certificates sends (drFileSend, autoFileSend): a DR's MUTUAL or ISTIO_MUTUAL,
  // and auto mTLS, rebuilt from its files (by MetadataCerts); plaintext where the key is missing.
  drFilesMutual: {
    complete: {
      tls: "MUTUAL",
      origin: "destinationrule",
      why: "dr-metadata-certs",
      key: 12,
      files: FILES_NO_ALPN,
    },
    "no-root": {
      tls: "MUTUAL",
      origin: "destinationrule",
      why: "dr-metadata-certs",
      key: 13,
      files: FILES_NO_ALPN_SYSTEM,
    },
    "no-key": DR_FILES_NO_KEY,
  },
  drFilesIstio: {
    complete: {
      tls: "MUTUAL",
      origin: "destinationrule",
      why: "dr-metadata-certs",
      key: 15,
      files: FILES_ALPN,
    },
    "no-root": {
      tls: "MUTUAL",
      origin: "destinationrule",
      why: "dr-metadata-certs",
      key: 16,
      files: FILES_ALPN_SYSTEM,
    },
    "no-key": DR_FILES_NO_KEY,
  },
  drFilesMutualAutoSan: {
    tls: "MUTUAL",
    origin: "destinationrule",
    why: "dr-metadata-certs",
    key: 20,
    files: FILES_NO_ALPN_AUTO_SAN,
  },
  drFilesIstioAutoSan: {
    tls: "MUTUAL",
    origin: "destinationrule",
    why: "dr-metadata-certs",
    key: 21,
    files: FILES_ALPN_AUTO_SAN,
  },
  autoFiles: {
    complete: { tls: "MUTUAL", origin: "auto", why: "auto-metadata-certs", key: 17, files: FILES_ALPN },
    "no-root": {
      tls: "MUTUAL",
      origin: "auto",
      why: "auto-metadata-certs",
      key: 18,
      files: FILES_ALPN_SYSTEM,
    },
    "no-key": { tls: "DISABLE", origin: "auto", why: "metadata-certs-no-key", key: 19 },
  },
} as const satisfies Record<string, ClusterSend | Record<string, ClusterSend>>;

const LINKERD_SEND: Send = { tls: "LINKERD", origin: "linkerd", why: "linkerd" };
const LINKERD_PLAIN: Send = { tls: "DISABLE", origin: "linkerd", why: "linkerd" };

const PLANE_KEY: Record<Workload["dataplane"], number> = { sidecar: 0, ambient: 1, linkerd: 2, none: 3 };

/**
 * The client cluster's kind, as far as TLS goes: two independent questions.
 * - Is the auto-mTLS inference the passthrough one (BestEffortInferServiceMTLSMode: a headless
 *   service, or loadBalancer PASSTHROUGH in the DR's top-level policy)? Then auto mTLS is on only if
 *   every endpoint carries tlsMode=istio.
 * - Is the cluster ORIGINAL_DST? A headless service called by a sidecar (`convertResolution`; a
 *   gateway keeps EDS), or loadBalancer PASSTHROUGH in the policy that builds the cluster, i.e. the
 *   port's first portLevelSettings entry when there is one, else the top level (`applyLoadBalancer`).
 *   Then one socket serves every endpoint: no per-endpoint tag, no HBONE.
 */
type ClusterKind = "eds" | "eds-passthrough" | "original-dst" | "original-dst-passthrough";
const CLUSTER_KEY: Record<ClusterKind, number> = {
  eds: 0,
  "eds-passthrough": 1,
  "original-dst": 2,
  "original-dst-passthrough": 3,
};

/**
 * The endpoint keeps `tunnel: http` in the EDS metadata a sidecar or gateway gets: ztunnel captures
 * it, its sidecar listens for HBONE, or an entry's labels say it takes HBONE. istiod sets it only for
 * a client proxy that may send HBONE (`supportTunnel`, pilot/pkg/xds/endpoints/endpoint_builder.go:
 * false unless `proxy.EnableHBONE()`). A pod's tunnel comes from the very mesh setting that turns
 * sending on (ambient, whose profile sets ISTIO_META_ENABLE_HBONE, under which injection labels the
 * pod), so it is taken to imply it; an entry's label is written by hand and implies nothing, so an
 * entry takes HBONE only from a client whose proxy enables it (`clientHbone`, Workload.enableHbone).
 * An endpoint that can take legacy Istio mTLS (tlsMode=istio) loses the tunnel unless
 * PILOT_PREFER_SENDING_HBONE (off by default): `buildEnvoyLbEndpoint`, endpoint_builder.go.
 */
const takesHbone = (w: Workload | null, clientHbone: ClientHbone) =>
  !!w &&
  clientHbone !== HBONE_OFF &&
  (w.dataplane === "ambient" ||
    (w.hboneTunnel &&
      w.tlsModeLabel !== "istio" &&
      (w.entry === null ? w.dataplane === "sidecar" : clientHbone === HBONE_ON)));

/**
 * What istiod's `proxy.EnableHBONE()` is for the client, as far as the inputs tell: HBONE_ON when its
 * node metadata ENABLE_HBONE is true (ParseBool) and ambient is on in the mesh (features.EnableHBONE
 * defaults to PILOT_ENABLE_AMBIENT, `registerAmbient`, pilot/pkg/features/ambient.go; MeshModel.ambient);
 * HBONE_OFF when the metadata says false: `supportTunnel` (endpoint_builder.go) then drops every
 * endpoint's tunnel, an ambient pod's too; else HBONE_IMPLIED, where a pod's tunnel (ambient, or the
 * label injection writes under the same mesh setting) is taken to imply it and an entry's is not.
 */
type ClientHbone = 0 | 1 | 2;
const HBONE_OFF = 0;
const HBONE_IMPLIED = 1;
const HBONE_ON = 2;

const clientHboneOf = (enableHbone: boolean | null, ambient: boolean): ClientHbone =>
  enableHbone === false ? HBONE_OFF : enableHbone === true && ambient ? HBONE_ON : HBONE_IMPLIED;

const AUTO_HBONE: Send = { tls: "HBONE", origin: "auto", why: "auto-hbone" };

/**
 * With ambient enabled (which HBONE-capable endpoints imply), istiod turns on sending HBONE for every
 * proxy, and each cluster's first transport-socket match is "hbone" on the endpoint's tunnel
 * metadata, whatever the DestinationRule or the auto-mTLS decision put behind it: ISTIO_MUTUAL is
 * replaced by HBONE, DISABLE and "no TLS" become "HBONE, else plaintext", SIMPLE/MUTUAL travel inside
 * HBONE (`applyHBONETransportSocketMatches`, cluster_tls.go). Not for ORIGINAL_DST clusters (a
 * headless service called by a sidecar, or DR loadBalancer PASSTHROUGH), whose hosts carry no EDS
 * metadata (istio/istio#54921), nor for PassthroughCluster and BlackHoleCluster, which get no matches.
 */
function hboneFirst(clusterSend: ClusterSend): Send | null {
  if (clusterSend === SEND.passthrough || clusterSend === SEND.blackhole || clusterSend === SEND.noProxy)
    return null;
  // A cluster whose TLS istiod failed to build gets no transport socket, and no matches either
  // (applyUpstreamTLSSettings returns before applyHBONETransportSocketMatches).
  if (clusterSend.why === "metadata-certs-no-key") return null;
  // The file TLS rebuilt from ISTIO_MUTUAL or auto mTLS is mode MUTUAL, so HBONE carries it instead of replacing it.
  if (clusterSend.files?.httpAlpn) return HBONE_FILES[clusterSend.origin as keyof typeof HBONE_FILES] ?? null;
  return HBONE_FIRST[clusterSend.origin as keyof typeof HBONE_FIRST] ?? null;
}

const HBONE_FIRST = {
  destinationrule: { tls: "HBONE", origin: "destinationrule", why: "hbone-first" },
  auto: { tls: "HBONE", origin: "auto", why: "hbone-first" },
  "mesh-external": { tls: "HBONE", origin: "mesh-external", why: "hbone-first" },
} as const satisfies Record<string, Send>;

/** HBONE wrapping the TLS istiod built from the client's files for a DR's ISTIO_MUTUAL or auto mTLS (HBONE_FILES_CELL). */
const HBONE_FILES = {
  destinationrule: { tls: "HBONE", origin: "destinationrule", why: "hbone-first" },
  auto: { tls: "HBONE", origin: "auto", why: "hbone-first" },
} as const satisfies Record<string, Send>;

interface EndpointSet {
  endpoints: EndpointPrediction[];
  worst: EndpointPrediction;
}

/** The `client` and `server` parts of Predicted for one worst endpoint: shared by every edge that ends there. */
interface Sides {
  client: Predicted["client"];
  server: Predicted["server"];
  /** "; <server phrase>: <symptom>." — the client-independent end of the reason. */
  tail: string;
}

/**
 * Per-resolver memo of everything that does not depend on the individual client. The benchmark's
 * 20k edges share ~2k service ports, so the endpoint work, the Predicted sub-objects and the
 * server half of the reason are built once per port/outcome rather than once per edge. One per caller
 * revision: auto mTLS tags the endpoints with the caller's istiod's PeerAuthentications (taggingPolicy),
 * so every endpoint side below is that revision's.
 */
interface Memo {
  /** The caller revision this memo's endpoint sides are tagged for. */
  revision: string;
  /** The memos of the other callers' revisions, made at their first call (memoOf); null until then. */
  others: Map<string, Memo> | null;
  /** namespace → its mode as this revision's istiod infers it for auto mTLS (resolver.namespaceMode), read per edge by autoClusterSend. */
  nsModes: Map<string, ModeDecision>;
  sides: Map<ServicePort, EndpointSides>;
  /** subset → service port → the subset cluster's endpoint sides. */
  subsetSides: Map<Subset, Map<ServicePort, EndpointSides>>;
  /** service port → subset name no DR defines → the stand-in for a cluster that does not exist. */
  missingSides: Map<ServicePort, Map<string, EndpointSides>>;
  /** endpoint sides (a port's, or a subset's of it) → (plane, cluster send, cluster kind, DR tag, client sends HBONE) packed into one integer → endpoint set. */
  sets: Map<EndpointSides, Map<number, EndpointSet>>;
  /** The same for ports whose gateway listeners match SNI: "<key>|<sni>" → endpoint set. */
  sniSets: Map<EndpointSides, Map<string, EndpointSet>>;
  /** worst endpoint → shared sides when the client side names no DestinationRule. */
  predictedSides: Map<EndpointPrediction, Sides>;
  /** worst endpoint → DestinationRule → shared sides naming it. */
  predictedSidesByDr: Map<EndpointPrediction, Map<DestinationRule, Sides>>;
  /** endpoint sides with a network-limited Linkerd port → caller → the sides as that caller meets them (callerSides). */
  callerSides: Map<EndpointSides, Map<Workload, EndpointSides>>;
}

const memos = new WeakMap<Resolver, Memo>();

/**
 * Makes the resolver's prediction memo now, from code that runs once per analysis (`buildEdges`'s
 * start). Made lazily inside `predictEdge` instead, the one-time branch ran only at the very first
 * call, before V8 had a feedback vector for it: optimised `predictEdge` then met that branch "without
 * type feedback" at the start of the next analysis and was thrown away with everything inlined into
 * it, and recompiled while the analysis ran (docs/DECISIONS.md, round 5).
 */
export function preparePredictions(r: Resolver): void {
  // Its own code, not a call of `memoOf`: `memoOf` is hot and optimised on its own too, and its
  // optimised code would meet the same feedback-less branch here.
  if (!memos.has(r)) memos.set(r, newMemo(firstRevision(r.model)));
}

function newMemo(revision: string): Memo {
  // Made once per analysis (and caller revision): see model/perRun.ts.
  return perRun<Memo>({
    revision,
    others: null,
    nsModes: new Map(),
    sides: new Map(),
    subsetSides: new Map(),
    missingSides: new Map(),
    sets: new Map(),
    sniSets: new Map(),
    predictedSides: new Map(),
    predictedSidesByDr: new Map(),
    callerSides: new Map(),
  });
}

/**
 * The memo for callers of `revision`: the first one's in a mesh of one revision (a string compare), else
 * a map read. `tagged`: the caller reads the endpoints' auto-mTLS tagging (a sidecar: endpointsFor reads
 * `side.auto` for no other plane); one that does not (no proxy, ztunnel, Linkerd: revision "" whatever
 * the default revision is) shares the first memo, whose other parts do not depend on the revision.
 */
function memoOf(r: Resolver, revision: string, tagged: boolean): Memo {
  let m = memos.get(r);
  if (!m) {
    // Only for callers that skip `buildEdges` (tests predicting one edge).
    m = newMemo(firstRevision(r.model));
    memos.set(r, m);
  }
  return m.revision === revision || !tagged ? m : otherMemo(m, revision);
}

/** Another caller revision's memo, made at its first call (once per analysis and revision). */
function otherMemo(first: Memo, revision: string): Memo {
  let m = first.others?.get(revision);
  if (!m) (first.others ??= new Map()).set(revision, (m = newMemo(revision)));
  return m;
}

/**
 * Per-endpoint predictions for one service port's endpoints (`all`: the port's, or a subset
 * cluster's), given what decides the client's sending (its data plane and any cluster-wide
 * decision). Many clients share these, so they are memoised and shared: treat the result as read-only.
 */
function endpointsFor(
  memo: Memo,
  service: Service,
  all: EndpointSides,
  clientPlane: Workload["dataplane"],
  clusterSend: ClusterSend | null,
  cluster: ClusterKind,
  drTag: DrTag,
  clientHbone: ClientHbone,
  sni: string | null = null,
): EndpointSet {
  // Where no endpoint may take HBONE the client's setting changes nothing: one memo entry for all.
  if (!all.hboneDependent) clientHbone = HBONE_IMPLIED;
  const key =
    (((PLANE_KEY[clientPlane] * 32 + (clusterSend ? clusterSend.key : 0)) * 4 + CLUSTER_KEY[cluster]) * 3 +
      DR_TAG_KEY[drTag]) *
      3 +
    clientHbone;
  let byKey: Map<number, EndpointSet> | undefined;
  let bySni: Map<string, EndpointSet> | undefined;
  let sniKey = "";
  if (sni === null) {
    byKey = memo.sets.get(all);
    if (!byKey) memo.sets.set(all, (byKey = new Map()));
    const hit = byKey.get(key);
    if (hit) return hit;
  } else {
    bySni = memo.sniSets.get(all);
    if (!bySni) memo.sniSets.set(all, (bySni = new Map()));
    sniKey = `${key}|${sni}`;
    const hit = bySni.get(sniKey);
    if (hit) return hit;
  }
  const originalDst = cluster === "original-dst" || cluster === "original-dst-passthrough";
  const passthroughInference = cluster === "eds-passthrough" || cluster === "original-dst-passthrough";
  const sniSent = sni ?? "";
  // Read once per endpoint set: the cluster's TLS built from the client's file-mounted certificates.
  const files = clusterSend !== null ? clusterSend.files : undefined;

  const sendTo = (side: EndpointSide): Send => {
    const w = side.workload;
    if (clusterSend)
      return (
        (clientPlane === "sidecar" &&
          !originalDst &&
          takesHbone(w, clientHbone) &&
          hboneFirst(clusterSend)) ||
        clusterSend
      );
    if (clientPlane === "ambient") {
      // ztunnel is an ambient proxy: it always sends HBONE where the endpoint takes it.
      if (
        w &&
        (w.dataplane === "ambient" || (w.hboneTunnel && (w.dataplane === "sidecar" || w.entry !== null)))
      )
        return { tls: "HBONE", origin: "auto", why: "ztunnel" };
      return { tls: "DISABLE", origin: "auto", why: "ztunnel" };
    }
    if (clientPlane === "linkerd") {
      // Identity comes with the endpoint from discovery: none for an unmeshed pod or a skipped port (acceptOf).
      return w?.dataplane === "linkerd" && side.accept.kind === "linkerd" ? LINKERD_SEND : LINKERD_PLAIN;
    }
    // HBONE-capable endpoints match "hbone" before any tlsMode tag.
    if (takesHbone(w, clientHbone)) return AUTO_HBONE;
    if (drTag !== "none" && w?.tlsModeLabel === "istio") return drTag === "istio" ? DR_TAGGED : DR_UNTAGGED;
    return side.auto;
  };

  const endpoints: EndpointPrediction[] = all.sides.map((side) => {
    const send = sendTo(side);
    const cell =
      files === undefined
        ? matrixVerdict(send.tls, side.accept, sniSent)
        : send === clusterSend
          ? fileTlsCell(files, side.accept, sniSent)
          : send === HBONE_FILES.destinationrule || send === HBONE_FILES.auto
            ? HBONE_FILES_CELL
            : matrixVerdict(send.tls, side.accept, sniSent);
    return {
      workload: side.workload,
      targetPort: side.targetPort,
      server: cell.server ?? side.server,
      accept: side.accept,
      tls: send.tls,
      origin: send.origin,
      why: send.why,
      cell,
      autoDiffersFromOwn: side.autoDiffersFromOwn,
    };
  });

  if (cluster !== "eds" && !clusterSend) {
    // Passthrough inference: auto mTLS only if every endpoint carries tlsMode=istio (labels alone;
    // ambient pods carry none), else plaintext to all, or HBONE where EDS still lets an endpoint take
    // it. An ORIGINAL_DST cluster with auto mTLS on has one socket for all: every endpoint gets mTLS,
    // even one whose port is PA DISABLE, or (without the passthrough inference) one without the label
    // (istio.md §3.2, §3.3).
    const autoOff = passthroughInference && !endpoints.every((e) => e.workload?.tlsModeLabel === "istio");
    for (const e of endpoints) {
      if (autoOff) {
        const hbone = !originalDst && takesHbone(e.workload, clientHbone);
        if (!hbone && (e.tls === "ISTIO_MUTUAL" || e.tls === "HBONE"))
          resend(e, "DISABLE", "auto-headless-mixed", sniSent);
      } else if (originalDst && e.workload && e.tls !== "ISTIO_MUTUAL")
        resend(e, "ISTIO_MUTUAL", "auto-headless-mtls", sniSent);
    }
  }

  for (const e of endpoints) {
    if (e.why === "blackhole")
      e.cell = { verdict: "broken", symptom: "REGISTRY_ONLY sends unknown hosts to BlackHoleCluster" };
    if (!e.workload) {
      // Unknown endpoints (external hosts, selector-less services): only client-originated TLS is knowable.
      // TLS from the client's files where Istio mTLS was meant (a DR's ISTIO_MUTUAL, auto mTLS) is not the client's own TLS.
      e.cell =
        all.missingSubset !== null
          ? {
              verdict: "unknown",
              symptom: "Envoy has no such cluster and answers 503 (NC, no cluster found)",
            }
          : (e.tls === "SIMPLE" || e.tls === "MUTUAL") && !files?.httpAlpn
            ? { verdict: "tls", symptom: "the client proxy originates TLS" }
            : all.emptySubset
              ? {
                  verdict: "unknown",
                  symptom:
                    "the subset's cluster has no endpoint, so Envoy has none to send to (503, no healthy upstream)",
                }
              : { verdict: "unknown", symptom: "the destination's endpoints are not known" };
    }
    if (service.external && (e.tls === "SIMPLE" || e.tls === "MUTUAL"))
      e.cell = { verdict: "tls", symptom: "the client proxy originates TLS" };
    else if (service.external)
      e.cell = { verdict: "unknown", symptom: "the application may originate TLS itself" };
  }

  let worst = endpoints[0]!;
  for (const e of endpoints) if (worseVerdict(e.cell.verdict, worst.cell.verdict)) worst = e;
  const set = { endpoints, worst };
  if (bySni) bySni.set(sniKey, set);
  else byKey!.set(key, set);
  return set;
}

/** Auto mTLS's headless choice replaces what an endpoint is sent: its cell, and the gateway server that cell names. */
function resend(e: EndpointPrediction, tls: ClientTls, why: ClientWhy, sni: string): void {
  const cell = matrixVerdict(tls, e.accept, sni);
  Object.assign(e, { tls, why, cell, server: cell.server ?? e.server });
}

/**
 * The SNI a sidecar's TLS to the port carries: the DestinationRule's `sni` when TLS is set there;
 * otherwise Istio mTLS (DR ISTIO_MUTUAL or auto) carries the auto-generated one, the cluster's DNS SRV
 * key (buildAutoMtlsSettings, cluster_tls.go: `sniToUse := tls.Sni`, else the BuildDNSSrvSubsetKey its
 * caller passes; "user specified SNIs ... are useful when routing via gateways"). "" when not known: SIMPLE/MUTUAL without sni,
 * whose SNI Envoy may take from the request's host (auto SNI).
 */
function clientSni(drTls: PortTls, subset: Subset | null, service: Service, port: ServicePort): string {
  const tls = drTls.tls;
  if (tls?.sni) return tls.sni;
  if (tls && (tls.mode === "SIMPLE" || tls.mode === "MUTUAL")) return "";
  return defaultIstioSni(port.port, subset?.name ?? "", service.host);
}

/** A sidecar's cluster-wide send for TLS set on the port (cluster_tls.go `buildUpstreamClusterTLSContext`). */
const drClusterSend = (tls: ClientTlsSettings, dr: DestinationRule, gateway: boolean): ClusterSend =>
  credentialIgnored(tls, dr, gateway) ? SEND.credentialIgnored : SEND.dr[tls.mode];

/** A client proxy's file-mounted client certificates (Workload.metadataCerts); an unlisted caller has its revision's mesh default. */
const certsOf = (client: Pick<Client, "workload">, mesh: MeshSettings): MetadataCerts =>
  client.workload !== null ? client.workload.metadataCerts : mesh.proxyMetadataCerts;

/**
 * TLS set on the port (a DR's tls) that istiod replaces on a proxy with file-mounted client certificates
 * (cluster_tls.go `buildUpstreamTLSSettings`: `hasMetadataCerts()` → `buildMutualTLS`, mode MUTUAL with the
 * metadata certificate, key and root, the DR's SANs and SNI), before any TLS context is built, so before
 * the credentialName check: MUTUAL and ISTIO_MUTUAL alike, except for a MESH_EXTERNAL host
 * (PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES, default true). DISABLE and SIMPLE are returned
 * untouched first. Null: the DR's own TLS. Without the DR's sni and subjectAltNames, on a port an HTTP
 * connection manager serves, the cluster gets auto SAN validation (FileTls.autoSan).
 */
function drFileSend(
  tls: ClientTlsSettings,
  certs: MetadataCerts,
  service: Service,
  port: ServicePort,
): ClusterSend | null {
  if (certs === "none" || service.external) return null;
  if (tls.mode !== "MUTUAL" && tls.mode !== "ISTIO_MUTUAL") return null;
  const autoSan =
    certs === "complete" &&
    tls.sni === undefined &&
    tls.subjectAltNames === undefined &&
    !isTcpPort(port) &&
    !isTlsPort(port);
  if (tls.mode === "MUTUAL") return autoSan ? SEND.drFilesMutualAutoSan : SEND.drFilesMutual[certs];
  return autoSan ? SEND.drFilesIstioAutoSan : SEND.drFilesIstio[certs];
}

/**
 * Auto mTLS on a proxy with file-mounted client certificates: where it would send ISTIO_MUTUAL
 * (`buildUpstreamTLSSettings` with no TLS set, the service's inferred mode neither DISABLE nor
 * unknown), istiod builds `buildMutualTLS` instead (upstream's TestBuildAutoMtlsSettings "TLS nil auto
 * build tls with metadata cert path": MUTUAL, autoDetected). `applyUpstreamTLSSettings` makes the
 * per-endpoint tlsMode-istio / tlsMode-disabled matches only for ISTIO_MUTUAL, so this one socket goes
 * to every endpoint, those without a proxy included. Called only where auto mTLS decides per endpoint
 * (autoClusterSend null); the passthrough inference still turns it off unless every endpoint carries
 * tlsMode=istio (BestEffortInferServiceMTLSMode: MTLSDisable, so no TLS at all).
 */
function autoFileSend(certs: MetadataCerts, cluster: ClusterKind, all: EndpointSides): ClusterSend | null {
  if (certs === "none") return null;
  if ((cluster === "eds-passthrough" || cluster === "original-dst-passthrough") && !all.allIstio) return null;
  return SEND.autoFiles[certs];
}

/**
 * Auto mTLS's cluster-wide decision when no TLS is set for the port (`buildAutoMtlsSettings` with
 * `BestEffortInferServiceMTLSMode`): off for a MESH_EXTERNAL host, with enableAutoMtls false, or
 * when the service's namespace is DISABLE; null: each endpoint decides.
 */
function autoClusterSend(r: Resolver, mesh: MeshSettings, memo: Memo, service: Service): ClusterSend | null {
  if (service.external) return SEND.meshExternal;
  if (!mesh.enableAutoMtls) return SEND.autoOff;
  // The namespace's mode by the memo's revision's istiod (the caller's): one map read per edge.
  let ns = memo.nsModes.get(service.namespace);
  if (!ns) memo.nsModes.set(service.namespace, (ns = r.namespaceMode(service.namespace, memo.revision)));
  if (ns.mode === "DISABLE") return SEND.namespaceDisable;
  return null;
}

/**
 * A sidecar client's cluster kind (see ClusterKind); `drTls` is the policy that builds the port's
 * cluster. predictEdge derives it inline, the same way: called there, this helper slowed the hot
 * path in bench runs interleaved with the inline version.
 */
function clusterKindOf(
  service: Service,
  gateway: boolean,
  policy: TrafficPolicy | null,
  drTls: PortTls,
): ClusterKind {
  const passthroughInference = service.passthrough || policy?.loadBalancerSimple === "PASSTHROUGH";
  const originalDst = (service.passthrough && !gateway) || drTls.loadBalancerSimple === "PASSTHROUGH";
  if (originalDst) return passthroughInference ? "original-dst-passthrough" : "original-dst";
  return passthroughInference ? "eds-passthrough" : "eds";
}

/** drRevision per DestinationRule object (each belongs to one model). */
const drRevisions = new WeakMap<DestinationRule, string>();

/**
 * The revision of an istiod that reads a DestinationRule, whose settings word what the DR makes its
 * sidecars do (dr.port-settings-drop-tls): readingRevision (discovery.ts), the default revision's when
 * its istiod reads it, else the first other revision in name order with a mesh config read whose istiod
 * does (a DR the default istiod hides but a canary reads is one whose findings stand). A DR no istiod
 * reads (its findings are silenced: ignoredByEveryIstiod) takes its label's revision, the default one's
 * when unlabelled or labelled `default`. Once per DR.
 */
export function drRevision(model: MeshModel, dr: DestinationRule): string {
  let rev = drRevisions.get(dr);
  if (rev === undefined)
    drRevisions.set(
      dr,
      (rev =
        readingRevision(model, dr.namespace, dr.revision) ??
        (dr.revision === undefined || dr.revision === "default" ? "" : dr.revision)),
    );
  return rev;
}

/** The mesh settings of an istiod that reads a DestinationRule (drRevision). */
export const drMesh = (r: Resolver, dr: DestinationRule): MeshSettings =>
  r.meshOf({ revision: drRevision(r.model, dr) });

/** What a sidecar sends each endpoint of a service port under one DestinationRule, as written and with TLS set on the port. */
export interface PortEntrySends {
  /** As written: the port's first portLevelSettings entry has no tls, so auto mTLS decides, steered by the DR's endpoint tagging. */
  auto: readonly EndpointPrediction[];
  /** With `tls` in that entry: the send it sets, for the same endpoints in the same order. */
  explicit: readonly EndpointPrediction[];
}

/**
 * predictEdge's decisions for a sidecar client (not a gateway) that uses `dr` for the service and
 * imports its host, with the DR's own policy (not a merge) and `drMesh`. For
 * `dr.port-settings-drop-tls`, which asks whether an entry without tls changes what is sent.
 * Shares the edges' memo: read-only.
 */
export function portEntrySends(
  r: Resolver,
  dr: DestinationRule,
  service: Service,
  port: ServicePort,
  tls: ClientTlsSettings,
): PortEntrySends {
  // A sidecar of the istiod that reads the DR: its namespace mode and endpoint tagging.
  const revision = drRevision(r.model, dr);
  const memo = memoOf(r, revision, true);
  const policy = dr.trafficPolicy;
  const cluster = clusterKindOf(service, false, policy, tlsForPort(policy, port.port));
  const mesh = drMesh(r, dr);
  const all = endpointSides(r, memo, service, port);
  // A sidecar of that istiod's mesh, as its ProxyConfig is by default (HBONE, file-mounted certificates).
  const certs = mesh.proxyMetadataCerts;
  const autoWide = autoClusterSend(r, mesh, memo, service);
  const autoSend = autoWide ?? autoFileSend(certs, cluster, all);
  // As predictEdge: only an EDS cluster in auto mode reads the DR's endpoint tagging.
  const originalDst = cluster === "original-dst" || cluster === "original-dst-passthrough";
  const tag = autoSend || originalDst ? "none" : (drTaggingFor(policy, port.port)?.tag ?? "none");
  const hbone = clientHboneOf(mesh.proxyEnableHbone, r.model.ambient);
  return {
    auto: endpointsFor(memo, service, all, "sidecar", autoSend, cluster, tag, hbone).endpoints,
    explicit: endpointsFor(
      memo,
      service,
      all,
      "sidecar",
      drFileSend(tls, certs, service, port) ?? drClusterSend(tls, dr, false),
      cluster,
      "none",
      hbone,
    ).endpoints,
  };
}

const NO_TLS: PortTls = Object.freeze({ tls: null, from: "none", loadBalancerSimple: null });
const NO_DR: DestinationRule[] = [];

/**
 * `route`: the mesh VirtualService route the client's calls took to this port (buildEdges picks the
 * port by it); the subset it names makes the cluster a subset cluster, whose policy is the subset's
 * merged over the DR's (istio.md §2.3). A gateway's route is one bound to its Gateway. `split`: the
 * routes to every subset the calls are split across, when `route` is one of them (the reason says so).
 */
export function predictEdge(
  r: Resolver,
  client: Client,
  service: Service,
  port: ServicePort,
  route: MeshRoute | null = null,
  split: readonly MeshRoute[] | null = null,
): Prediction {
  // A multicluster mirror: the destination controller gives the Linkerd caller the linked cluster's identity.
  if (client.dataplane === "linkerd" && service.linkerdMirror)
    return linkerdMirrorPrediction(client, service, port, service.linkerdMirror);
  const model = r.model;
  const memo = memoOf(r, client.revision, client.dataplane === "sidecar");
  const mesh = r.meshOf(client);
  let dr: DrLookup | null = null;
  let drTls: PortTls = NO_TLS;
  let shadowed: DestinationRule[] = NO_DR;
  let hiddenBy: DestinationRule[] = NO_DR;
  let sidecar: SidecarResource | null = null;
  let subset: Subset | null = null;
  const isSidecarClient = client.dataplane === "sidecar";
  const gateway = client.workload?.gateway ?? false;
  // A host the caller's istiod does not see has no route, cluster or DestinationRule in its proxy: only
  // the outbound catch-all takes it (buildEdges reaches the hidden Service only for sidecar callers).
  const undiscovered =
    isSidecarClient &&
    !gateway &&
    model.discoveryViews.size > 0 &&
    model.discoveryViews.get(mesh)?.hidden.has(service.namespace) === true;
  if (!isSidecarClient || undiscovered) route = null;

  if (isSidecarClient && client.namespace !== null && !undiscovered) {
    const found = r.lookupDr(
      client.revision,
      client.namespace,
      client.labels,
      service.host,
      service.namespace,
    );
    dr = found.applied;
    shadowed = found.shadowed;
    hiddenBy = found.hiddenBy;
    if (dr) {
      const name = route?.dest.subset;
      if (name) subset = dr.subsets.find((s) => s.name === name) ?? null;
      drTls = subset
        ? subsetTlsForPort(dr.trafficPolicy, subset.trafficPolicy, port.port)
        : tlsForPort(dr.trafficPolicy, port.port);
    }
  }
  // A gateway's scope ignores Sidecar resources (DefaultSidecarScopeForGateway). Its
  // outboundTrafficPolicy decides the catch-all of an undiscovered host too.
  if (isSidecarClient && client.namespace !== null && !gateway)
    sidecar = sidecarFor(model, client.namespace, client.labels, mesh.rootNamespace, client.revision);

  // Cluster-wide decisions for a sidecar client (same for every endpoint).
  let clusterSend: ClusterSend | null = null;
  // Auto mTLS decides per endpoint (no TLS on the port, none of autoClusterSend's cluster-wide answers).
  let autoDecides = false;
  const certs = isSidecarClient ? certsOf(client, mesh) : "none";
  if (client.dataplane === "none") clusterSend = SEND.noProxy;
  else if (isSidecarClient) {
    // The catch-all of an unknown host: listener_builder.go buildOutboundCatchAllNetworkFiltersOnly and
    // httproute.go buildCatchAllVirtualHost send it to PassthroughCluster when IsAllowAnyOutbound, else
    // to BlackHoleCluster.
    const imported =
      !undiscovered &&
      (!sidecar ||
        sidecarImports(sidecar, client.namespace ?? "", service.namespace, service.host, port.port));
    if (!imported) {
      const registryOnly = (sidecar?.outboundTrafficPolicy ?? mesh.outboundTrafficPolicy) === "REGISTRY_ONLY";
      clusterSend = registryOnly ? SEND.blackhole : SEND.passthrough;
    } else if (drTls.tls && dr)
      clusterSend = drFileSend(drTls.tls, certs, service, port) ?? drClusterSend(drTls.tls, dr.head, gateway);
    else {
      // A sidecar caller: its memo is its own revision's (memoOf, tagged).
      clusterSend = autoClusterSend(r, mesh, memo, service);
      autoDecides = clusterSend === null;
    }
  }

  // Passthrough services and ORIGINAL_DST clusters: see ClusterKind (and clusterKindOf, the same).
  const passthroughInference = service.passthrough || dr?.trafficPolicy?.loadBalancerSimple === "PASSTHROUGH";
  const originalDst = (service.passthrough && !gateway) || drTls.loadBalancerSimple === "PASSTHROUGH";
  const cluster: ClusterKind = !isSidecarClient
    ? "eds"
    : originalDst
      ? passthroughInference
        ? "original-dst-passthrough"
        : "original-dst"
      : passthroughInference
        ? "eds-passthrough"
        : "eds";
  // A subset's EDS cluster holds only the endpoints carrying its labels (subsetSides); an
  // ORIGINAL_DST cluster has no load assignment to filter.
  // A subset no DR for this client defines has no cluster at all (missingSides).
  const missing = route?.dest.subset && !subset ? route.dest.subset : null;
  const shared = missing
    ? missingSides(r, memo, service, port, missing)
    : subset && !originalDst
      ? subsetSides(r, memo, service, port, subset)
      : endpointSides(r, memo, service, port);
  // A Linkerd port whose answer may depend on the caller's address (byNetwork): the caller's own pods'
  // addresses decide it (a meshed Linkerd caller sends mTLS, which the network does not limit here).
  const all =
    shared.byNetwork && client.workload !== null && client.dataplane !== "linkerd"
      ? callerSides(r, memo, shared, client.workload)
      : shared;
  if (autoDecides && certs !== "none") clusterSend = autoFileSend(certs, cluster, all);
  // Only an auto-mTLS cluster (no TLS for the port itself) behind EDS reads the DR's endpoint
  // tagging; the DR is then named on the edge, as it steers what auto mTLS sends.
  const drTagging =
    !clusterSend && !originalDst && isSidecarClient && dr
      ? drTaggingFor(dr.trafficPolicy, port.port, subset)
      : null;
  // A gateway listener that picks its chain by SNI needs what the client's TLS carries (gatewayListener.ts).
  const sni = isSidecarClient && all.sniDependent ? clientSni(drTls, subset, service, port) : null;
  // Whether the client's proxy may send HBONE (ClientHbone, from Workload.enableHbone; an unlisted
  // caller has its revision's mesh default). Other planes keep the implied default.
  const clientHbone = isSidecarClient
    ? clientHboneOf(
        client.workload !== null ? client.workload.enableHbone : mesh.proxyEnableHbone,
        r.model.ambient,
      )
    : HBONE_IMPLIED;
  const { endpoints, worst } = endpointsFor(
    memo,
    service,
    all,
    client.dataplane,
    clusterSend,
    cluster,
    drTagging?.tag ?? "none",
    clientHbone,
    sni,
  );

  const drRule = dr ? decidingRule(dr, subset, drTls, drTagging) : null;
  const fileTls = clusterSend !== null && clusterSend.files !== undefined;
  const prediction: Prediction = {
    predicted: undefined!,
    worst,
    endpoints,
    dr,
    drTls,
    shadowed,
    hiddenBy,
    sidecar,
    drTagging,
    route,
    subset,
    drRule,
    undiscovered,
    fileTls,
  };
  // With auto mTLS off, a DR that applies but sets no TLS for the port decides too: it hides any other DR
  // for the host (tier order, MostSpecificHostMatch; istio.md §2.4), so it is where TLS must go. Behind
  // HBONE it decides the plaintext HBONE comes before, and the reason says so (hboneInstead).
  const named = worst.origin === "destinationrule" || drTagging !== null || clusterSend === SEND.autoOff;
  const sides = sidesFor(memo, r, service, port, worst, named ? drRule : null, all);
  // Only the client half of the reason names the caller; the rest is shared per worst endpoint.
  prediction.predicted = {
    client: sides.client,
    server: sides.server,
    verdict: worst.cell.verdict,
    reason:
      clientPhrase(client, service, port, prediction, r, clusterSend === SEND.autoOff) +
      (route ? routePhrase(route, subset, dr, split) : "") +
      sides.tail,
  };
  return prediction;
}

/**
 * The DR to name for what decided: DRs of one namespace and host are merged (consolidate), the top-level
 * policy taken from `dr.rule` and each subset kept with the DR that defined it; when the subset's own
 * policy sets the port's TLS, or tags its endpoints (a subset cluster's tagging reads only the subset's
 * policy, drTaggingFor), the DR to edit is the subset's.
 */
function decidingRule(
  dr: DrLookup,
  subset: Subset | null,
  drTls: PortTls,
  drTagging: DrTagging | null,
): DestinationRule {
  if (subset === null) return dr.rule;
  // Tagging is read from the subset's policy alone, also when the DR's port-level entry (no tls) decides the port.
  const fromSubset = drTls.from === "subset" || drTls.from === "subset-port-level" || drTagging !== null;
  return fromSubset ? (dr.merged.find((d) => d.subsets.includes(subset)) ?? dr.rule) : dr.rule;
}

/**
 * The Predicted client/server objects and the reason's tail for one worst endpoint. They are the
 * same for every edge ending there, so they are built once and shared (frozen: the snapshot is
 * serialised, never edited in place).
 */
function sidesFor(
  memo: Memo,
  r: Resolver,
  service: Service,
  port: ServicePort,
  worst: EndpointPrediction,
  dr: DestinationRule | null,
  all: EndpointSides,
): Sides {
  let hit: Sides | undefined;
  let byDr: Map<DestinationRule, Sides> | undefined;
  if (dr) {
    byDr = memo.predictedSidesByDr.get(worst);
    if (!byDr) memo.predictedSidesByDr.set(worst, (byDr = new Map()));
    hit = byDr.get(dr);
  } else hit = memo.predictedSides.get(worst);
  if (hit) return hit;
  const s = worst.server;
  const sides: Sides = {
    client: Object.freeze({ tls: worst.tls, origin: worst.origin, destinationRule: drRef(dr) }),
    server: Object.freeze({ mode: s.mode, origin: s.origin, policy: s.policy }),
    // An empty subset's worst endpoint is that subset's own (endpointsFor memoises per sides), so the memo stays right.
    tail: `; ${serverPhrase(r, service, port, worst, all)}: ${worst.cell.symptom}.`,
  };
  if (byDr && dr) byDr.set(dr, sides);
  else memo.predictedSides.set(worst, sides);
  return sides;
}

// ---------------------------------------------------------------------------------------------
// Reason text: one sentence a person understands, naming the objects involved.

const nsName = (x: { namespace: string; name: string }) => `${x.namespace}/${x.name}`;

/** An endpoint as reasons name it: "namespace/name", and the address of a ServiceEntry's inline endpoint. */
const endpointName = (w: Workload) =>
  w.entry !== null && w.entry.inline ? `${nsName(w)} endpoint ${w.entry.address}` : nsName(w);

/** Why an endpoint carries no tlsMode=istio tag: pods lack the label; a WorkloadEntry-shaped endpoint lacks the label and a serviceAccount. */
function untagged(w: Workload): string {
  if (w.entry === null) return `${nsName(w)} pods do not carry security.istio.io/tlsMode=istio`;
  const who = w.entry.inline
    ? `ServiceEntry ${nsName(w)}'s endpoint ${w.entry.address}`
    : `WorkloadEntry ${nsName(w)}`;
  return w.tlsModeLabel !== null
    ? `${who} is labelled security.istio.io/tlsMode=${w.tlsModeLabel}`
    : `${who} has neither a serviceAccount nor the label security.istio.io/tlsMode=istio`;
}

/** Where in the DR the port's TLS is set, as the reason says it ("its <where>"); the plaintext fixes name it too. */
export function drWhere(p: Prediction, port: ServicePort): string {
  switch (p.drTls.from) {
    case "port-level":
      return `portLevelSettings for port ${port.port}`;
    case "subset":
      return `subset ${p.subset!.name}'s trafficPolicy`;
    case "subset-port-level":
      return `subset ${p.subset!.name}'s portLevelSettings for port ${port.port}`;
    default:
      return "trafficPolicy";
  }
}

const clusterName = (route: MeshRoute) =>
  route.dest.subset ? `subset ${route.dest.subset}` : "the default cluster";

/**
 * The route the calls took, after the client phrase: the VirtualService, and the subset and port it
 * names; for calls split across subsets (`split`), that this route's cluster is the worst of them.
 */
function routePhrase(
  route: MeshRoute,
  subset: Subset | null,
  dr: DrLookup | null,
  split: readonly MeshRoute[] | null,
): string {
  const vs = `VirtualService ${nsName(route.vs)}`;
  const name = route.dest.subset;
  const port = route.dest.port !== null ? `port ${route.dest.port}` : "";
  const among = split
    ? `; the routes lead the calls to ${split.map(clusterName).join(" or ")}, and this is the worst of them`
    : "";
  if (!name) {
    if (split) return ` (routed by ${vs} to the default cluster${port ? ` of ${port}` : ""}${among})`;
    // A route without port or subset leads to the default cluster of the port called: nothing to add.
    return port ? ` (routed by ${vs} to ${port})` : "";
  }
  if (subset) return ` (routed by ${vs} to subset ${name}${port ? `, ${port}` : ""}${among})`;
  const which = !dr
    ? "no DestinationRule applies"
    : dr.merged.length > 1
      ? `none of DestinationRules ${dr.merged.map(nsName).join(", ")} defines it`
      : `DestinationRule ${nsName(dr.rule)} does not define it`;
  return ` (routed by ${vs} to subset ${name}${port ? `, ${port}` : ""}, but ${which}${among})`;
}

/** `autoOff`: the client's cluster for the port is auto mTLS with enableAutoMtls false (SEND.autoOff). */
function clientPhrase(
  client: Client,
  service: Service,
  port: ServicePort,
  p: Prediction,
  r: Resolver,
  autoOff: boolean,
): string {
  const who =
    client.who ?? (client.name ? `${client.namespace}/${client.name}` : null) ?? "a caller outside the mesh";
  const e = p.worst;
  const dr = p.drRule;
  const where = drWhere(p, port);
  switch (e.why) {
    case "no-proxy":
      return `${who} has no proxy and sends plaintext`;
    case "dr":
      if (!p.drTls.tls?.modeSet)
        return `${who} sends plaintext because DestinationRule ${nsName(dr!)} has a tls block without mode (DISABLE)`;
      return `${who} sends ${e.tls === "DISABLE" ? "plaintext" : e.tls} because DestinationRule ${nsName(dr!)} sets tls.mode ${e.tls} in its ${where}`;
    case "dr-credential-ignored":
      return `${who} sends plaintext because DestinationRule ${nsName(dr!)} sets credentialName without workloadSelector, which sidecars ignore`;
    case "dr-metadata-certs": {
      const mode = p.drTls.tls!.mode;
      const alpn =
        mode === "MUTUAL"
          ? "no Istio ALPN at all, as the DR's MUTUAL keeps the istio.alpn filter off"
          : "Istio's ALPN on HTTP only, from the istio.alpn filter";
      return `${who} sends MUTUAL with its proxy's file-mounted certificates: DestinationRule ${nsName(dr!)} sets tls.mode ${mode} in its ${where}, which istiod replaces with the files ISTIO_META_TLS_CLIENT_CERT_CHAIN and its sibling keys name in the proxy's ProxyConfig (buildMutualTLS: ${alpn})${filesNote(client, r)}`;
    }
    case "auto-metadata-certs":
      return `auto mTLS makes ${who} send MUTUAL with its proxy's file-mounted certificates to every endpoint: its ProxyConfig names ISTIO_META_TLS_CLIENT_CERT_CHAIN, so istiod builds auto mTLS from those files (buildMutualTLS), and being MUTUAL, not ISTIO_MUTUAL, it gets no per-endpoint plaintext fallback, and Istio's ALPN on HTTP only (istio.alpn filter)${filesNote(client, r)}`;
    case "metadata-certs-no-key": {
      const what =
        dr && p.drTls.tls
          ? `DestinationRule ${nsName(dr)}'s tls.mode ${p.drTls.tls.mode} (in its ${where})`
          : "auto mTLS";
      return `${who} sends plaintext: its proxy's ProxyConfig names ISTIO_META_TLS_CLIENT_CERT_CHAIN without ISTIO_META_TLS_CLIENT_KEY, so the TLS istiod builds from those files for ${what} fails ("client certificate and private key must not be empty", constructUpstreamTLS) and the cluster gets no transport socket`;
    }
    case "auto-off":
      if (dr)
        return `${who} sends plaintext: ${appliesNoTls(p, service, port)}, and auto mTLS is off (enableAutoMtls: false)`;
      return `${who} sends plaintext: auto mTLS is off (enableAutoMtls: false) and no DestinationRule sets TLS`;
    case "auto-namespace-disable": {
      const ns = r.namespaceMode(service.namespace, client.revision);
      const by = ns.policy ? `PeerAuthentication ${nsName(ns.policy)}` : "policy";
      return `auto mTLS makes ${who} send plaintext because namespace ${service.namespace} is DISABLE (${by})`;
    }
    case "auto-endpoint-no-label":
      return e.workload
        ? `auto mTLS makes ${who} send plaintext because ${untagged(e.workload)}`
        : `${who} sends plaintext (no known endpoint carries security.istio.io/tlsMode=istio)`;
    case "auto-endpoint-pa-disable": {
      // Tagged by the caller's istiod (taggingPolicy): said when the endpoint's own istiod reads it otherwise.
      const w = e.workload!;
      const other = e.autoDiffersFromOwn
        ? ` in the PeerAuthentications the caller's istiod (revision ${istiodRevision(client.revision)}) reads`
        : "";
      return `auto mTLS makes ${who} send plaintext because ${endpointName(w)} port ${e.targetPort} is DISABLE${other}`;
    }
    case "auto-headless-mixed":
      return `auto mTLS makes ${who} send plaintext to every endpoint of headless ${service.name}.${service.namespace} because not all of them can take Istio mTLS`;
    case "auto-mtls":
      return `auto mTLS makes ${who} send Istio mTLS (the endpoints carry security.istio.io/tlsMode=istio)`;
    case "auto-dr-tagged":
      return `auto mTLS makes ${who} send Istio mTLS to every labelled endpoint, whatever their PeerAuthentication, because DestinationRule ${nsName(dr!)} sets tls.mode ISTIO_MUTUAL in ${p.drTagging!.where}, which tags them (the first portLevelSettings entry for port ${port.port} has no tls, so the cluster is in auto mode)`;
    case "auto-dr-untagged":
      return `auto mTLS makes ${who} send plaintext because DestinationRule ${nsName(dr!)} sets tls.mode ${p.drTagging!.mode} in ${p.drTagging!.where}, which removes every endpoint's mTLS tag (the first portLevelSettings entry for port ${port.port} has no tls, so the cluster is in auto mode)`;
    case "auto-headless-mtls": {
      const why =
        e.workload!.tlsModeLabel !== "istio"
          ? "does not carry security.istio.io/tlsMode=istio"
          : e.accept.kind === "sidecar" && e.server.mode === "DISABLE"
            ? "is DISABLE"
            : "cannot take it";
      const one = service.passthrough
        ? `headless ${service.name}.${service.namespace}`
        : `${service.name}.${service.namespace} (loadBalancer PASSTHROUGH)`;
      return `auto mTLS makes ${who} send Istio mTLS to every endpoint of ${one}, one ORIGINAL_DST socket for all, even to ${endpointName(e.workload!)} port ${e.targetPort}, which ${why}`;
    }
    case "auto-hbone":
      return e.workload?.dataplane === "ambient"
        ? `${who} sends HBONE to the ambient destination`
        : `${who} sends HBONE to ${nsName(e.workload!)}, which takes HBONE (networking.istio.io/tunnel=http)`;
    case "hbone-first":
      return `${who} sends HBONE because ${endpointName(e.workload!)} takes HBONE, which Istio's proxies try first when ambient is on (${hboneInstead(p, service, port, client, autoOff)})`;
    case "mesh-external":
      return `${service.host} is MESH_EXTERNAL, so ${who}'s proxy adds no TLS of its own`;
    case "passthrough":
      if (p.undiscovered)
        return `${unseen(service, who)}, so its proxy has no route or cluster for it and sends it through PassthroughCluster in plaintext`;
      return `Sidecar ${nsName(p.sidecar!)} does not import ${service.host}, so ${who} sends it through PassthroughCluster in plaintext`;
    case "blackhole":
      if (p.undiscovered)
        return `${unseen(service, who)} and outbound traffic is REGISTRY_ONLY, so its proxy sends the calls to BlackHoleCluster, which drops them`;
      return `Sidecar ${nsName(p.sidecar!)} does not import ${service.host} and outbound traffic is REGISTRY_ONLY, so ${who}'s calls are dropped`;
    case "ztunnel":
      return e.tls === "HBONE"
        ? `ztunnel sends HBONE mTLS for ${who}`
        : `ztunnel sends plaintext TCP for ${who} because ${e.workload ? endpointName(e.workload) : "the destination"} is not reachable over HBONE`;
    case "linkerd":
      if (e.tls === "LINKERD") return `the Linkerd proxy of ${who} sends Linkerd mTLS`;
      return e.workload?.dataplane === "linkerd"
        ? `the Linkerd proxy of ${who} sends plaintext: Linkerd's destination controller gives no identity for ${endpointName(e.workload)} port ${e.targetPort}, which it skips`
        : `the Linkerd proxy of ${who} sends plaintext to an unmeshed destination`;
  }
}

/**
 * "DestinationRule X, the one that applies to H, sets no TLS for port N": the DR named where auto mTLS
 * is off and the policy for the port has no tls. "for port N": the DR may set TLS elsewhere (its top
 * level under a port entry without tls, which replaces the whole policy; another port's entry).
 */
function appliesNoTls(p: Prediction, service: Service, port: ServicePort): string {
  const where = p.drTls.from === "none" ? "" : ` (its ${drWhere(p, port)} has no tls)`;
  return `DestinationRule ${nsName(p.drRule!)}, ${appliesNoTlsPhrase(service, port, ", ")}${where}`;
}

/** "the one that applies to H, sets no TLS for port N": shared by the edge reason (appliesNoTls) and the findings' fixes (rules/edges.ts), `joiner` between its halves. */
export const appliesNoTlsPhrase = (
  service: Pick<Service, "host">,
  port: Pick<ServicePort, "port">,
  joiner: ", " | ": it ",
): string => `the one that applies to ${service.host}${joiner}sets no TLS for port ${port.port}`;

/** The assumption a file-certificate verdict rests on, and a missing root file. */
function filesNote(client: Client, r: Resolver): string {
  const noRoot = certsOf(client, r.meshOf(client)) === "no-root";
  return noRoot
    ? ", and names no root file (ISTIO_META_TLS_CLIENT_ROOT_CERT), so the server's certificate is checked against the system trust store"
    : "; Handshake takes the files as issued by the mesh CA, as Istio's file-mounted-certificates setup has them";
}

/** The host of a service its caller's istiod does not see (Prediction.undiscovered). */
const unseen = (service: Service, who: string) =>
  `${service.host} is not seen by the istiod of ${who} (its mesh config's discoverySelectors do not select namespace ${service.namespace})`;

/**
 * What the cluster would have sent to an endpoint without HBONE, for the hbone-first reason. With auto
 * mTLS off, a DR without TLS for the port is what makes that plaintext (the edge names it, predictEdge):
 * HBONE comes before it as before a DISABLE (`applyHBONETransportSocketMatches`, cluster_tls.go: nil
 * TLS → hboneOrPlaintextSocket).
 */
function hboneInstead(
  p: Prediction,
  service: Service,
  port: ServicePort,
  client: Client,
  autoOff: boolean,
): string {
  const dr = p.drRule;
  const tls = p.drTls.tls;
  if (dr && !tls && autoOff)
    return `${appliesNoTls(p, service, port)} and auto mTLS is off: plaintext, which HBONE replaces`;
  if (p.fileTls && (!tls || tls.mode === "ISTIO_MUTUAL"))
    return `the MUTUAL istiod builds from the proxy's file-mounted certificates (ISTIO_META_TLS_CLIENT_CERT_CHAIN) in place of ${tls && dr ? `DestinationRule ${nsName(dr)}'s ISTIO_MUTUAL` : "auto mTLS"}, which travels inside HBONE`;
  if (dr && tls) {
    const where = drWhere(p, port);
    // The merged set's selector (its head's) decides, as for the cluster (drClusterSend).
    if (!p.fileTls && credentialIgnored(tls, p.dr!.head, client.workload?.gateway ?? false))
      return `DestinationRule ${nsName(dr)}'s credentialName is ignored by sidecars, so no TLS is added`;
    const mode = tls.modeSet ? tls.mode : "DISABLE (a tls block without mode)";
    const inner =
      tls.mode === "SIMPLE" || tls.mode === "MUTUAL"
        ? ", which travels inside HBONE: the application must terminate it"
        : ", which HBONE replaces";
    return `DestinationRule ${nsName(dr)} sets tls.mode ${mode} in its ${where}${inner}`;
  }
  return "before plaintext";
}

/**
 * What Linkerd's policy controller drops on the Server of a meshed port: an AuthorizationPolicy whose
 * client authorization it cannot build (a required authentication missing or not indexed, or too many)
 * authorises no client (PolicyIndex::client_authzs skips it, index.rs). No finding code covers it
 * (findings.md), so the edge's reason says it. Built once per worst endpoint (sidesFor), not per edge.
 */
function linkerdIgnoredPhrase(linkerd: LinkerdPolicy, w: Workload, port: number): string {
  if (linkerd.ignoredAuthorizations.length === 0) return "";
  const server = serverOfPort(linkerd, w, port);
  if (server === null) return "";
  const ignored = ignoredAuthorizationsOf(linkerd, server);
  if (ignored.length === 0) return "";
  const each = ignored.map(
    (a) =>
      `AuthorizationPolicy ${a.namespace}/${a.name} on its Server ${server.namespace}/${server.name} (port ${port}): it ${a.why}, so it authorises no client`,
  );
  return `, but Linkerd ignores ${each.join("; and ")}`;
}

/**
 * The inbound policy of a meshed Linkerd port, for a caller that is not a meshed Linkerd proxy, when it
 * refuses unauthenticated callers or cannot be told (", and its port 8080 takes the default inbound
 * policy all-authenticated (…), which admits only meshed clients"), or that linkerd-init lets past
 * the proxy; nothing for a port the policy admits them on, whose reason stays "is meshed by Linkerd".
 */
function linkerdPolicyPhrase(r: Resolver, w: Workload, port: number, accept: ServerAccept): string {
  if (accept.callerWhy !== undefined) return `, and ${accept.callerWhy}`;
  const inbound = r.linkerdInbound(w, port);
  return inbound.mode === "STRICT" || inbound.undecided || inbound.bypassed ? `, and ${inbound.why}` : "";
}

/**
 * The policy the server's istiod ignores where its port falls to the mesh-wide policy or Istio's
 * default (ignoredPolicyFor, the policy pa.permissive names too): the namespace's own tag-labelled one,
 * or at Istio's default the root namespace's, ignored because its discoverySelectors leave that
 * namespace out (Istio >=1.22 behaviour, ENABLE_ENHANCED_RESOURCE_SCOPING; an older istiod would apply
 * it) or because its istio.io/rev label names a revision tag, which no istiod takes as its own revision
 * (labelNamesTag). After the deciding policy: "; …" inside its parentheses, or " (…)" after Istio's
 * default. Once per worst endpoint (sidesFor).
 */
function ignoredPolicyNote(r: Resolver, w: Workload, server: EndpointPrediction["server"]): string {
  // Only a mesh or default decision can have one (ignoredPolicyFor): no index lookup for the others.
  if (server.origin !== "mesh" && server.origin !== "default") return "";
  const ignored = ignoredPolicyFor(r.model, server, w.namespace, r.paIndex(w), w.revision);
  if (!ignored) return "";
  const clause = ignoredPolicyClause(
    r.model.revisions,
    ignored,
    (pa) =>
      `its istiod ignores mesh-wide PeerAuthentication ${pa.namespace}/${pa.name}: its discoverySelectors do not select ${pa.namespace}, which Istio 1.22+ applies to Istio config too; an older istiod would enforce it`,
  );
  return server.policy ? `; ${clause}` : ` (${clause})`;
}

const LISTENER_KIND = {
  http: "plaintext HTTP",
  tcp: "plaintext TCP",
  tls: "TLS chains chosen by SNI",
} as const;

/**
 * "ns/name port N"; for port 0 (an inbound passthrough edge: calls on a port no Service declares,
 * which Istio's telemetry does not number) "ns/name on a port no Service declares".
 */
const portOf = (dest: string, port: number) =>
  port === 0 ? `${dest} on a port no Service declares` : `${dest} port ${port}`;

function serverPhrase(
  r: Resolver,
  service: Service,
  port: ServicePort,
  e: EndpointPrediction,
  all: EndpointSides,
): string {
  const model = r.model;
  const linkerd = model.linkerdPolicy;
  const dest = e.workload ? endpointName(e.workload) : `${service.host}`;
  const emptySubset = all.emptySubset;
  if (!e.workload && all.missingSubset !== null)
    return `the route names cluster outbound|${port.port}|${all.missingSubset}|${service.host}, which istiod does not build`;
  if (!e.workload && emptySubset)
    return `subset ${emptySubset.name} of ${service.host}:${port.port} has no endpoints: none carries its labels ${Object.entries(
      emptySubset.labels,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`;
  if (!e.workload)
    return typeof port.targetPort === "string" && service.workloads.length > 0
      ? `${service.host}:${port.port} has no endpoints: no selected pod declares a container port named ${port.targetPort}${(port.protocol || "TCP") !== "TCP" ? ` for ${port.protocol}` : ""}`
      : `${service.host}:${port.port} has no known endpoints in the inputs`;
  if (e.accept.kind === "none" && isProxyOwnPort(e.workload, e.targetPort))
    return `${portOf(dest, e.targetPort)} is the Istio proxy's own health/metrics port, served in plaintext outside its mesh listeners`;
  if (e.accept.kind === "gateway") {
    const l = e.accept.listener;
    if (!l)
      return `${portOf(dest, e.targetPort)} is a gateway listener, whose TLS comes from its Gateway resource, not PeerAuthentication`;
    const gws = [...new Set(l.servers.map((s) => `${s.gateway.namespace}/${s.gateway.name}`))].join(", ");
    return `${portOf(dest, e.targetPort)} is a gateway listener built from Gateway ${gws} (${LISTENER_KIND[l.kind]}), not from PeerAuthentication`;
  }
  if (e.accept.kind === "waypoint")
    return `${dest} is a waypoint, which takes only HBONE (mTLS on port 15008) whatever PeerAuthentication says`;
  if (e.accept.kind === "none" && e.workload.dataplane === "linkerd")
    return `${portOf(dest, e.targetPort)} is in config.linkerd.io/skip-inbound-ports, so Linkerd's proxy does not see it`;
  if (e.accept.kind === "none" && e.server.mode !== "NONE")
    return `${portOf(dest, e.targetPort)} is excluded from inbound capture, so no proxy sees it`;
  // A VM's proxy is known only from what its entry declares (a serviceAccount or tlsMode=istio; a
  // tunnel label says only that it takes HBONE).
  if (e.server.mode === "NONE" && e.accept.tunnel)
    return e.tls === "HBONE"
      ? `${dest} takes HBONE (networking.istio.io/tunnel=http) on a proxy that istiod knows nothing else of`
      : `${dest} has no proxy that istiod knows of but for its networking.istio.io/tunnel=http label, which only clients sending HBONE read`;
  if (e.server.mode === "NONE")
    return e.workload.entry !== null ? `${dest} has no proxy that istiod knows of` : `${dest} has no proxy`;
  if (e.server.origin === "linkerd-policy")
    return `${dest} is meshed by Linkerd${e.tls === "LINKERD" ? "" : linkerdPolicyPhrase(r, e.workload, e.targetPort, e.accept)}${linkerdIgnoredPhrase(linkerd, e.workload, e.targetPort)}`;
  const note = ignoredPolicyNote(r, e.workload, e.server);
  const by = e.server.policy
    ? `PeerAuthentication ${e.server.policy.namespace}/${e.server.policy.name} (${e.server.origin}${note})`
    : `Istio's default${note}`;
  const plane = e.accept.kind === "ambient" ? " (ambient)" : "";
  return `${portOf(dest + plane, e.targetPort)} is ${e.server.mode} by ${by}`;
}
