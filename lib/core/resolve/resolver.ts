// The resolver: one object per analysis holding the memoised per-workload and per-namespace
// decisions, so that 20k edges cost map reads. All answers are pure functions of the model.
import { meshFor } from "../model/buildModel";
import { entryTargetPort } from "../model/entries";
import {
  inRevision,
  type MeshModel,
  type MeshSettings,
  type PeerAuthentication,
  type Service,
  type ServicePort,
  type Workload,
} from "../model/mesh";
import type { Mode, Origin, Ref } from "../snapshot/schema";
import { buildDrIndex, lookupDestinationRule, type DrIndex, type LookupResult } from "./destinationRule";
import {
  modeForPort,
  namespaceDecision,
  paIndexCache,
  paIndexFor,
  workloadPolicyFor,
  type ModeDecision,
  type PaIndex,
  type PaIndexCache,
  type WorkloadPolicy,
} from "./peerAuthentication";
import { perRun } from "../model/perRun";
import { gatewayListeners, type GatewayListener } from "./gatewayListener";
import { linkerdInbound, linkerdPods, type LinkerdInbound, type PodView } from "./linkerdInbound";

export interface ServerDecision {
  mode: Mode;
  origin: Origin;
  policy: Ref | null;
}

export const paRef = (pa: { namespace: string; name: string } | null): Ref | null =>
  pa ? { kind: "PeerAuthentication", namespace: pa.namespace, name: pa.name } : null;

export interface Resolver {
  model: MeshModel;
  meshOf(w: Pick<Workload, "revision">): MeshSettings;
  paIndex(w: Pick<Workload, "revision" | "dataplane">): PaIndex;
  drIndex(revision: string): DrIndex;
  /** lookupDestinationRule with the revision's DR index. */
  lookupDr(
    revision: string,
    clientNs: string,
    clientLabels: Record<string, string>,
    host: string,
    serviceNs: string | null,
  ): LookupResult;
  /** The PeerAuthentication composition for a workload, whether or not it has a proxy. */
  policyOf(w: Workload): WorkloadPolicy;
  /**
   * What the workload's proxy enforces on a port (workload-wide when port is omitted): NONE without a
   * proxy (contract.md §1.1); for gateways and waypoints, what their proxy type does whatever
   * PeerAuthentication says (GATEWAY_DECISION, WAYPOINT_DECISION).
   */
  serverDecision(w: Workload, port?: number): ServerDecision;
  /**
   * Namespace-level mode as auto mTLS infers it for services (istio.md §3.2), by the istiod of
   * `revision`: the caller's (BestEffortInferServiceMTLSMode runs on the push context of the istiod
   * building the caller's cluster), with that istiod's root namespace and the PeerAuthentications it
   * reads (istio.io/rev, discoverySelectors).
   */
  namespaceMode(namespace: string, revision: string): ModeDecision;
  /**
   * Resolve a Service targetPort (number or container port name) for one workload; null when the
   * name is not among its container ports: Kubernetes then makes no endpoint of it for that port.
   */
  targetPortOf(service: Service, port: ServicePort, w: Workload): number | null;
  /**
   * Ports a workload really has: its application containers' declared ports (not the mesh proxy's own)
   * and target ports of Services selecting it. Memoised and shared between callers: copy before adding to it.
   */
  realPorts(w: Workload): ReadonlySet<number>;
  /**
   * The listener a gateway (not waypoint) workload's Gateways build on a port (its target port), null
   * when no Gateway server lands there. Built once per workload, for all its ports.
   */
  gatewayListener(w: Workload, port: number): GatewayListener | null;
  /**
   * What a meshed Linkerd workload's proxy does with unauthenticated callers on a port (workload-wide
   * when port is omitted): linkerdInbound, memoised per workload and port.
   */
  linkerdInbound(w: Workload, port?: number): LinkerdInbound;
  /** The workload's pods as Linkerd's policy controller sees them (linkerdPods), read once per workload. */
  linkerdPods(w: Workload): readonly PodView[];
}

export const hasIstioProxy = (w: Workload) => w.dataplane === "sidecar" || w.dataplane === "ambient";

/**
 * The resolver's memo tables. They live on the resolver object and its methods are module-level
 * functions (`this` is the resolver), not closures made per analysis: optimised callers embed the
 * functions they call, and closures that die with the previous analysis deoptimised every caller
 * at the start of the next one (the bench's analysis #2 paid ~20 deopts and re-compiles; see
 * docs/DECISIONS.md, round 3).
 */
interface ResolverState extends Resolver {
  paCache: PaIndexCache;
  drCache: Map<string, DrIndex>;
  /** By `Workload.index`. */
  policies: (WorkloadPolicy | undefined)[];
  /** Revision → namespace → its mode (namespaceMode): a map per revision, no key string per call. */
  nsCache: Map<string, Map<string, ModeDecision>>;
  /** By `Workload.index`. */
  realPortsOf: (Set<number> | undefined)[];
  // Server decisions are asked per endpoint of every edge and per port of every workload; most share
  // a few ModeDecisions and PeerAuthentications, so the answer objects (and their refs) are shared.
  decisionCache: Map<ModeDecision, ServerDecision>;
  refCache: Map<PeerAuthentication, Ref>;
  /** By `Workload.index`: a gateway's listeners by port. */
  listenersOf: (Map<number, GatewayListener> | undefined)[];
  /** Gateway decisions shared per listener. */
  /** By `Workload.index`: a Linkerd workload's pods, and its inbound policy by port (undefined: workload-wide). */
  linkerdOf: (LinkerdMemo | undefined)[];
}

interface LinkerdMemo {
  pods: readonly PodView[];
  byPort: Map<number | undefined, LinkerdInbound>;
}

function meshOf(this: ResolverState, w: Pick<Workload, "revision">): MeshSettings {
  return meshFor(this.model, w.revision);
}

function paIndex(this: ResolverState, w: Pick<Workload, "revision" | "dataplane">): PaIndex {
  return paIndexFor(
    this.paCache,
    meshFor(this.model, w.revision).rootNamespace,
    w.dataplane === "ambient",
    w.revision,
  );
}

function drIndex(this: ResolverState, revision: string): DrIndex {
  let idx = this.drCache.get(revision);
  if (!idx) {
    const mesh = meshFor(this.model, revision);
    const drs = this.model.destinationRules;
    let read = drs.some((dr) => dr.revision !== undefined)
      ? drs.filter((dr) => inRevision(dr.revision, revision))
      : drs;
    // The revision's istiod ignores DestinationRules its discoverySelectors hide (model/discovery.ts).
    const view = this.model.discoveryViews.get(mesh);
    if (view) read = read.filter((dr) => !view.hidden.has(dr.namespace));
    idx = buildDrIndex(read, mesh.rootNamespace, mesh.defaultDestinationRuleExportTo);
    this.drCache.set(revision, idx);
  }
  return idx;
}

function lookupDr(
  this: ResolverState,
  revision: string,
  clientNs: string,
  clientLabels: Record<string, string>,
  host: string,
  serviceNs: string | null,
): LookupResult {
  // Not memoised: the index makes a lookup a few map reads, and (client namespace, host) pairs
  // rarely repeat (the benchmark's 20k edges have ~19.8k), so a cache cost more than it saved.
  return lookupDestinationRule(this.drIndex(revision), clientNs, clientLabels, host, serviceNs);
}

function policyOf(this: ResolverState, w: Workload): WorkloadPolicy {
  let p = this.policies[w.index];
  if (!p)
    this.policies[w.index] = p = workloadPolicyFor(
      this.paIndex(w),
      w,
      this.model.workloadsByNamespace.get(w.namespace),
    );
  return p;
}

/** A meshed Linkerd port by what its proxy does with unauthenticated callers (linkerdInbound.ts). */
const LINKERD_DECISION: ServerDecision = Object.freeze({
  mode: "PERMISSIVE",
  origin: "linkerd-policy",
  policy: null,
});
const LINKERD_STRICT_DECISION: ServerDecision = Object.freeze({
  mode: "STRICT",
  origin: "linkerd-policy",
  policy: null,
});
const NO_PROXY_DECISION: ServerDecision = Object.freeze({ mode: "NONE", origin: "no-proxy", policy: null });
/**
 * A gateway (Istio proxy of type Router): PeerAuthentication does not reach its listeners. istiod
 * builds them in `buildGatewayListeners` (BuildListeners switches on the proxy type; only
 * `buildSidecarListeners` builds inbound chains with the authn mTLS builder), and their TLS comes from
 * `Gateway.servers[].tls` (`BuildListenerTLSContext`; gatewayListener.ts, istio.md §1.5, §9.9). On a
 * port no Gateway server lands on, no mesh mTLS mode is enforced on behalf of any PeerAuthentication:
 * NONE, by Istio's design for gateways (origin default), naming no policy.
 */
export const GATEWAY_DECISION: ServerDecision = Object.freeze({
  mode: "NONE",
  origin: "default",
  policy: null,
});
/**
 * A waypoint (proxy of type Waypoint, `buildWaypointListeners`): its only listener reached from
 * outside the pod is the HBONE CONNECT terminator on 15008, whose TLS context always sets
 * RequireClientCertificate (`buildConnectTerminateListener`, listener_waypoint.go). It takes mesh mTLS
 * only, whatever PeerAuthentication says: STRICT by Istio's design (origin default), naming no policy.
 */
export const WAYPOINT_DECISION: ServerDecision = Object.freeze({
  mode: "STRICT",
  origin: "default",
  policy: null,
});

function linkerdMemo(this: ResolverState, w: Workload): LinkerdMemo {
  let m = this.linkerdOf[w.index];
  if (!m) this.linkerdOf[w.index] = m = { pods: linkerdPods(this.model, w), byPort: new Map() };
  return m;
}

function linkerdPodsOf(this: ResolverState, w: Workload): readonly PodView[] {
  return linkerdMemo.call(this, w).pods;
}

function linkerdInboundOf(this: ResolverState, w: Workload, port?: number): LinkerdInbound {
  const m = linkerdMemo.call(this, w);
  let hit = m.byPort.get(port);
  if (!hit) m.byPort.set(port, (hit = linkerdInbound(this.model, w, port, m.pods)));
  return hit;
}

function serverDecision(this: ResolverState, w: Workload, port?: number): ServerDecision {
  if (w.dataplane === "linkerd")
    return this.linkerdInbound(w, port).mode === "STRICT" ? LINKERD_STRICT_DECISION : LINKERD_DECISION;
  if (!hasIstioProxy(w)) return NO_PROXY_DECISION;
  if (w.gateway) {
    if (w.waypoint) return WAYPOINT_DECISION;
    // A port a Gateway server lands on takes what that listener's servers set (origin workload-port,
    // the Gateway as policy: docs/DECISIONS.md, "Gateway listeners").
    const l = port === undefined ? null : this.gatewayListener(w, port);
    // The first server's decision: the listener's mode, naming the first Gateway on the port.
    return l ? l.servers[0]!.decision : GATEWAY_DECISION;
  }
  const p = this.policyOf(w);
  const d = port === undefined ? p.base : modeForPort(p, port);
  let out = this.decisionCache.get(d);
  if (!out) {
    let policy: Ref | null = null;
    if (d.policy) {
      policy = this.refCache.get(d.policy) ?? null;
      if (!policy) this.refCache.set(d.policy, (policy = Object.freeze(paRef(d.policy)!)));
    }
    this.decisionCache.set(d, (out = Object.freeze({ mode: d.mode, origin: d.origin, policy })));
  }
  return out;
}

function namespaceMode(this: ResolverState, namespace: string, revision: string): ModeDecision {
  let byNs = this.nsCache.get(revision);
  if (!byNs) this.nsCache.set(revision, (byNs = new Map()));
  let d = byNs.get(namespace);
  if (!d) {
    d = namespaceDecision(
      paIndexFor(this.paCache, meshFor(this.model, revision).rootNamespace, false, revision),
      namespace,
    );
    byNs.set(namespace, d);
  }
  return d;
}

function realPorts(this: ResolverState, w: Workload): ReadonlySet<number> {
  // Asked for every workload by the snapshot and two PA rules: one Set per workload, not three.
  let ports = this.realPortsOf[w.index];
  if (ports) return ports;
  ports = new Set<number>();
  for (const p of w.containerPorts) ports.add(p.port);
  for (const s of this.model.servicesOfWorkload.get(w) ?? [])
    for (const p of s.ports) {
      const target = targetPortOf(s, p, w);
      if (target !== null) ports.add(target);
    }
  this.realPortsOf[w.index] = ports;
  return ports;
}

/** The pod's service targets (Service port → targetPort), Services in name order: resolvePorts takes the first match. */
function serviceTargets(model: ResolverState["model"], w: Workload): { port: number; targetPort: number }[] {
  const targets: { port: number; targetPort: number }[] = [];
  for (const s of model.servicesOfWorkload.get(w) ?? [])
    for (const p of s.ports) {
      const target = targetPortOf(s, p, w);
      if (target !== null) targets.push({ port: p.port, targetPort: target });
    }
  return targets;
}

function gatewayListener(this: ResolverState, w: Workload, port: number): GatewayListener | null {
  let byPort = this.listenersOf[w.index];
  if (!byPort) {
    this.listenersOf[w.index] = byPort =
      this.model.gateways.length === 0
        ? NO_LISTENERS
        : gatewayListeners(this.model, w, serviceTargets(this.model, w));
  }
  return byPort.get(port) ?? null;
}

const NO_LISTENERS: Map<number, GatewayListener> = new Map();

function targetPortOf(service: Service, port: ServicePort, w: Workload): number | null {
  // WorkloadEntries and inline ServiceEntry endpoints map service ports through their spec.ports.
  if (w.entry !== null) return entryTargetPort(service, port, w.entry);
  if (typeof port.targetPort === "number") return port.targetPort;
  // The EndpointSlice controller looks the name up in the pod's container ports (FindPort: same name
  // and same protocol, TCP by default) and skips the pod for that Service port when it is not there.
  // The proxy container's ports are among the pod's too (a Service may target http-envoy-prom). They
  // are looked up after the application's: only a name both declare could tell the order apart.
  const protocol = port.protocol || "TCP";
  const named =
    w.containerPorts.find((p) => p.name === port.targetPort && (p.protocol ?? "TCP") === protocol) ??
    w.proxyPorts.find((p) => p.name === port.targetPort && (p.protocol ?? "TCP") === protocol);
  return named ? named.port : null;
}

/**
 * The revision of the first memo, the one most callers share: the default tag's; else "" (the default
 * istiod) when some sidecar is on it; else the first sidecar's, so that a revision install without a
 * default tag (`--set revision=1-29`, namespaces labelled with it) reads no second memo. Asked by
 * createResolver (namespaceMode's pre-made map) and preparePredictions (predictEdge.ts), once per
 * analysis each: a loop that stops at the first default-istiod sidecar.
 */
export function firstRevision(model: MeshModel): string {
  if (model.revisions.defaultRevision !== null) return model.revisions.defaultRevision;
  let first: string | null = null;
  for (const w of model.workloads) {
    if (w.dataplane !== "sidecar") continue;
    if (w.revision === "") return "";
    first ??= w.revision;
  }
  return first ?? "";
}

export function createResolver(model: MeshModel): Resolver {
  // One slot per workload and per inline ServiceEntry endpoint (their indexes follow the workloads').
  const slots = model.workloads.length + model.serviceEntryEndpoints.length;
  const state = perRun<ResolverState>({
    model,
    paCache: paIndexCache(model),
    drCache: new Map(),
    policies: new Array<WorkloadPolicy | undefined>(slots).fill(undefined),
    // The first memo's revision's map (most callers'), made here rather than at the first namespaceMode
    // call: a one-time branch run before V8 has type feedback for it deoptimises the optimised caller
    // at the next analysis (docs/DECISIONS.md, "Analysis performance, round 5").
    nsCache: new Map([[firstRevision(model), new Map<string, ModeDecision>()]]),
    realPortsOf: new Array<Set<number> | undefined>(slots).fill(undefined),
    decisionCache: new Map(),
    refCache: new Map(),
    listenersOf: new Array<Map<number, GatewayListener> | undefined>(slots).fill(undefined),
    linkerdOf: new Array<LinkerdMemo | undefined>(slots).fill(undefined),
    meshOf,
    paIndex,
    drIndex,
    lookupDr,
    policyOf,
    serverDecision,
    namespaceMode,
    targetPortOf,
    realPorts,
    gatewayListener,
    linkerdInbound: linkerdInboundOf,
    linkerdPods: linkerdPodsOf,
  });
  // The default revision's DestinationRule index is built here, once per analysis, rather than at
  // the first `lookupDr`: that lazy branch ran before V8 had type feedback for it, so at the next
  // analysis it deoptimised the optimised `lookupDr` and its callers (docs/DECISIONS.md, round 5).
  state.drIndex("");
  return state;
}
