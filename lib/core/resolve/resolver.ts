// The resolver: one object per analysis holding the memoised per-workload and per-namespace
// decisions, so that 20k edges cost map reads. All answers are pure functions of the model.
import { meshFor } from "../model/buildModel";
import type { MeshModel, MeshSettings, PeerAuthentication, Service, ServicePort, Workload } from "../model/mesh";
import type { Mode, Origin, Ref } from "../snapshot/schema";
import { buildDrIndex, lookupDestinationRule, type DrIndex, type LookupResult } from "./destinationRule";
import {
  modeForPort,
  namespaceDecision,
  paIndexes,
  workloadPolicyFor,
  type ModeDecision,
  type PaIndex,
  type WorkloadPolicy,
} from "./peerAuthentication";

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
  lookupDr(revision: string, clientNs: string, clientLabels: Record<string, string>, host: string, serviceNs: string | null): LookupResult;
  /** The PeerAuthentication composition for a workload, whether or not it has a proxy. */
  policyOf(w: Workload): WorkloadPolicy;
  /** What the workload's proxy enforces on a port (workload-wide when port is omitted): NONE without a proxy (contract.md §1.1). */
  serverDecision(w: Workload, port?: number): ServerDecision;
  /** Namespace-level mode as auto mTLS infers it for services (istio.md §3.2). */
  namespaceMode(namespace: string): ModeDecision;
  /** Resolve a Service targetPort (number or container port name) for one workload. */
  targetPortOf(service: Service, port: ServicePort, w: Workload): number;
  /** Ports a workload really has: declared container ports and target ports of Services selecting it. */
  /** Memoised and shared between callers: copy before adding to it. */
  realPorts(w: Workload): ReadonlySet<number>;
}

export const hasIstioProxy = (w: Workload) => w.dataplane === "sidecar" || w.dataplane === "ambient";

export function createResolver(model: MeshModel): Resolver {
  const paFor = paIndexes(model);
  const drCache = new Map<string, DrIndex>();
  const policyCache = new Map<Workload, WorkloadPolicy>();
  const nsCache = new Map<string, ModeDecision>();
  const realPortsCache = new Map<Workload, Set<number>>();
  // Server decisions are asked per endpoint of every edge and per port of every workload; most share
  // a few ModeDecisions and PeerAuthentications, so the answer objects (and their refs) are shared.
  const decisionCache = new Map<ModeDecision, ServerDecision>();
  const refCache = new Map<PeerAuthentication, Ref>();

  const resolver: Resolver = {
    model,
    meshOf: (w) => meshFor(model, w.revision),
    paIndex: (w) => paFor(meshFor(model, w.revision).rootNamespace, w.dataplane === "ambient"),
    drIndex(revision) {
      let idx = drCache.get(revision);
      if (!idx) {
        const mesh = meshFor(model, revision);
        idx = buildDrIndex(model.destinationRules, mesh.rootNamespace, mesh.defaultDestinationRuleExportTo);
        drCache.set(revision, idx);
      }
      return idx;
    },
    lookupDr(revision, clientNs, clientLabels, host, serviceNs) {
      // Not memoised: the index makes a lookup a few map reads, and (client namespace, host) pairs
      // rarely repeat (the benchmark's 20k edges have ~19.8k), so a cache cost more than it saved.
      return lookupDestinationRule(resolver.drIndex(revision), clientNs, clientLabels, host, serviceNs);
    },
    policyOf(w) {
      let p = policyCache.get(w);
      if (!p) {
        p = workloadPolicyFor(resolver.paIndex(w), w);
        policyCache.set(w, p);
      }
      return p;
    },
    serverDecision(w, port) {
      if (w.dataplane === "linkerd") return { mode: "PERMISSIVE", origin: "linkerd-policy", policy: null };
      if (!hasIstioProxy(w)) return { mode: "NONE", origin: "no-proxy", policy: null };
      const p = resolver.policyOf(w);
      const d = port === undefined ? p.base : modeForPort(p, port);
      let out = decisionCache.get(d);
      if (!out) {
        let policy: Ref | null = null;
        if (d.policy) {
          policy = refCache.get(d.policy) ?? null;
          if (!policy) refCache.set(d.policy, (policy = Object.freeze(paRef(d.policy)!)));
        }
        decisionCache.set(d, (out = Object.freeze({ mode: d.mode, origin: d.origin, policy })));
      }
      return out;
    },
    namespaceMode(namespace) {
      let d = nsCache.get(namespace);
      if (!d) {
        d = namespaceDecision(paFor(model.mesh.rootNamespace, false), namespace);
        nsCache.set(namespace, d);
      }
      return d;
    },
    realPorts(w) {
      // Asked for every workload by the snapshot and two PA rules: one Set per workload, not three.
      let ports = realPortsCache.get(w);
      if (ports) return ports;
      ports = new Set<number>();
      for (const p of w.containerPorts) ports.add(p.port);
      for (const s of model.servicesOfWorkload.get(w) ?? []) for (const p of s.ports) ports.add(resolver.targetPortOf(s, p, w));
      realPortsCache.set(w, ports);
      return ports;
    },
    targetPortOf(_service, port, w) {
      if (typeof port.targetPort === "number") return port.targetPort;
      const named = w.containerPorts.find((p) => p.name === port.targetPort);
      return named ? named.port : port.port;
    },
  };
  return resolver;
}
