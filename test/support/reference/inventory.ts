// The reference's view of the raw objects: namespaces, workloads (contract §2.1), Services and
// ServiceEntries, PeerAuthentications, DestinationRules and the mesh config. Plain arrays, read on
// every question, so that nothing can be stale or shared between questions.
import type { KubeObject } from "../../../lib/core/model/input";

export type Labels = Record<string, string>;
export type Dataplane = "sidecar" | "ambient" | "none";

export interface RNamespace {
  name: string;
  labels: Labels;
}

export interface RContainerPort {
  port: number;
  name?: string;
}

export interface RWorkload {
  namespace: string;
  name: string;
  /** Pod template labels, including the tlsMode label the injector adds. */
  labels: Labels;
  annotations: Labels;
  containerPorts: RContainerPort[];
  dataplane: Dataplane;
  /** Inbound ports that bypass the proxy (traffic.sidecar.istio.io/excludeInboundPorts, istio.md §9.5). */
  excludedInbound: number[];
}

export interface RServicePort {
  port: number;
  name: string;
  /** Number, name, or absent (= port). */
  targetPort: number | string | undefined;
  appProtocol?: string;
}

export interface RService {
  namespace: string;
  name: string;
  host: string;
  headless: boolean;
  /** MESH_EXTERNAL ServiceEntry (istio.md §3.2, §9.7). */
  external: boolean;
  selector: Labels | null;
  ports: RServicePort[];
}

export interface RInventory {
  objects: KubeObject[];
  rootNamespace: string;
  autoMtls: boolean;
  namespaces: RNamespace[];
  workloads: RWorkload[];
  services: RService[];
  peerAuthentications: KubeObject[];
  destinationRules: KubeObject[];
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];
const TLS_MODE = "security.istio.io/tlsMode";

const rec = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const strings = (v: unknown): Labels => {
  const out: Labels = {};
  for (const [k, x] of Object.entries(rec(v))) if (typeof x === "string") out[k] = x;
  return out;
};

/** The mesh ConfigMap `istio` in istio-system: the generator only writes flat `key: value` lines. */
function readMesh(objects: KubeObject[]): { rootNamespace: string; autoMtls: boolean } {
  let rootNamespace = "istio-system";
  let autoMtls = true;
  for (const o of objects) {
    if (o.kind !== "ConfigMap" || o.metadata.name !== "istio" || o.metadata.namespace !== "istio-system") continue;
    const text = strings(o.data).mesh ?? "";
    for (const line of text.split("\n")) {
      const m = /^\s*(\w+)\s*:\s*(\S+)\s*$/.exec(line);
      if (!m) continue;
      if (m[1] === "enableAutoMtls") autoMtls = m[2] !== "false";
      if (m[1] === "rootNamespace") rootNamespace = m[2]!;
    }
  }
  return { rootNamespace, autoMtls };
}

/** contract §2.1: injection from manifests (no live pods). */
function dataplaneOf(ns: RNamespace | undefined, labels: Labels, annotations: Labels): Dataplane {
  const nsInjection = ns?.labels["istio-injection"];
  // When label and annotation disagree the label decides: contract §2.1 names both without ranking
  // them, and Istio's injector reads the label first ("if both are present we prefer the label").
  const podSays = labels["sidecar.istio.io/inject"] ?? annotations["sidecar.istio.io/inject"];
  const optedOut = podSays === "false";
  const nsInjects = nsInjection === "enabled";
  const podOptsIn = labels["sidecar.istio.io/inject"] === "true" && nsInjection !== "disabled";
  if ((nsInjects || podOptsIn) && !optedOut) return "sidecar";
  if (ns?.labels["istio.io/dataplane-mode"] === "ambient" && labels["istio.io/dataplane-mode"] !== "none") return "ambient";
  return "none";
}

function readWorkload(o: KubeObject, namespaces: RNamespace[]): RWorkload {
  const template = rec(rec(o.spec).template);
  const tmeta = rec(template.metadata);
  const labels = strings(tmeta.labels);
  const annotations = strings(tmeta.annotations);
  const containers = Array.isArray(rec(template.spec).containers) ? (rec(template.spec).containers as unknown[]) : [];
  const containerPorts: RContainerPort[] = [];
  for (const c of containers) {
    const ports = Array.isArray(rec(c).ports) ? (rec(c).ports as unknown[]) : [];
    for (const p of ports) {
      const cp = rec(p);
      if (typeof cp.containerPort === "number") containerPorts.push(typeof cp.name === "string" ? { port: cp.containerPort, name: cp.name } : { port: cp.containerPort });
    }
  }
  const namespace = o.metadata.namespace ?? "default";
  const ns = namespaces.find((n) => n.name === namespace);
  const dataplane = dataplaneOf(ns, labels, annotations);
  // contract §2.1: injected pods carry tlsMode=istio unless the template sets it.
  if (dataplane === "sidecar" && labels[TLS_MODE] === undefined) labels[TLS_MODE] = "istio";
  const excluded = (annotations["traffic.sidecar.istio.io/excludeInboundPorts"] ?? "")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  return { namespace, name: o.metadata.name, labels, annotations, containerPorts, dataplane, excludedInbound: excluded };
}

function readService(o: KubeObject): RService {
  const spec = rec(o.spec);
  const namespace = o.metadata.namespace ?? "default";
  const ports: RServicePort[] = [];
  for (const p of Array.isArray(spec.ports) ? (spec.ports as unknown[]) : []) {
    const sp = rec(p);
    if (typeof sp.port !== "number") continue;
    const tp = sp.targetPort;
    ports.push({
      port: sp.port,
      name: typeof sp.name === "string" ? sp.name : "",
      targetPort: typeof tp === "number" || typeof tp === "string" ? tp : undefined,
      ...(typeof sp.appProtocol === "string" ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  const selector = spec.selector === undefined ? null : strings(spec.selector);
  return { namespace, name: o.metadata.name, host: `${o.metadata.name}.${namespace}.svc.cluster.local`, headless: spec.clusterIP === "None", external: false, selector, ports };
}

/** One RService per host of a ServiceEntry; its ports have no target port. */
function readServiceEntry(o: KubeObject): RService[] {
  const spec = rec(o.spec);
  const namespace = o.metadata.namespace ?? "default";
  const hosts = Array.isArray(spec.hosts) ? (spec.hosts as unknown[]).filter((h): h is string => typeof h === "string") : [];
  const ports: RServicePort[] = [];
  for (const p of Array.isArray(spec.ports) ? (spec.ports as unknown[]) : []) {
    const sp = rec(p);
    if (typeof sp.number === "number") ports.push({ port: sp.number, name: typeof sp.name === "string" ? sp.name : "", targetPort: undefined });
  }
  return hosts.map((host) => ({ namespace, name: o.metadata.name, host, headless: false, external: spec.location === "MESH_EXTERNAL", selector: null, ports }));
}

export function readInventory(objects: KubeObject[]): RInventory {
  const { rootNamespace, autoMtls } = readMesh(objects);
  const namespaces: RNamespace[] = objects.filter((o) => o.kind === "Namespace").map((o) => ({ name: o.metadata.name, labels: { ...(o.metadata.labels ?? {}) } }));
  const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)).map((o) => readWorkload(o, namespaces));
  const services: RService[] = [];
  for (const o of objects) {
    if (o.kind === "Service") services.push(readService(o));
    if (o.kind === "ServiceEntry") services.push(...readServiceEntry(o));
  }
  return {
    objects,
    rootNamespace,
    autoMtls,
    namespaces,
    workloads,
    services,
    peerAuthentications: objects.filter((o) => o.kind === "PeerAuthentication"),
    destinationRules: objects.filter((o) => o.kind === "DestinationRule"),
  };
}

/** Services select workloads by pod labels in their own namespace (contract §2.1). */
export function selects(svc: RService, w: RWorkload): boolean {
  if (svc.external || svc.selector === null || w.namespace !== svc.namespace) return false;
  const keys = Object.keys(svc.selector);
  if (keys.length === 0) return false;
  for (const k of keys) if (w.labels[k] !== svc.selector[k]) return false;
  return true;
}

/** The port on workload `w` that Service port `sp` reaches, or null when a named target port is not declared there. */
export function targetPortOn(sp: RServicePort, w: RWorkload): number | null {
  if (sp.targetPort === undefined) return sp.port;
  if (typeof sp.targetPort === "number") return sp.targetPort;
  for (const cp of w.containerPorts) if (cp.name === sp.targetPort) return cp.port;
  return null;
}

export const rec_ = rec;
export const strings_ = strings;
