// The reference's view of the raw objects: namespaces, workloads (contract §2.1), Services and
// ServiceEntries, PeerAuthentications, DestinationRules, Sidecars and the mesh config of each
// revision. Plain arrays, read on every question, so that nothing can be stale or shared between
// questions.
import yaml from "js-yaml";
import type { KubeObject } from "../../../lib/core/model/input";

export type Labels = Record<string, string>;
export type Dataplane = "sidecar" | "ambient" | "none";

/** The mesh ConfigMap keys the reference reads (contract §2: rootNamespace, enableAutoMtls; DECISIONS: outboundTrafficPolicy). */
export interface RMesh {
  rootNamespace: string;
  autoMtls: boolean;
  outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY";
}

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
  /** The namespace's `istio.io/rev` (contract §1.1 "Revisions"), "" for the default revision. */
  revision: string;
  /** Whether live pods were read for it (contract §2.1, docs/DECISIONS.md "Live pods vs templates"). */
  live: boolean;
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
  /** The default revision's root namespace; the generator gives every revision the same one. */
  rootNamespace: string;
  namespaces: RNamespace[];
  workloads: RWorkload[];
  services: RService[];
  peerAuthentications: KubeObject[];
  destinationRules: KubeObject[];
  sidecars: KubeObject[];
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];
const TLS_MODE = "security.istio.io/tlsMode";

const rec = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const strings = (v: unknown): Labels => {
  const out: Labels = {};
  for (const [k, x] of Object.entries(rec(v))) if (typeof x === "string") out[k] = x;
  return out;
};

/**
 * The settings of one revision: ConfigMap `istio-<rev>` when present, else `istio` (contract §1.1
 * "Revisions"), else Istio's defaults. A ConfigMap without rootNamespace takes its own namespace
 * (docs/DECISIONS.md "Mesh ConfigMap without rootNamespace"). The generator writes them in istio-system.
 */
export function meshOf(objects: KubeObject[], revision: string): RMesh {
  let cm: KubeObject | undefined;
  for (const o of objects)
    if (
      o.kind === "ConfigMap" &&
      o.metadata.namespace === "istio-system" &&
      revision !== "" &&
      o.metadata.name === `istio-${revision}`
    )
      cm = o;
  if (!cm)
    for (const o of objects)
      if (o.kind === "ConfigMap" && o.metadata.namespace === "istio-system" && o.metadata.name === "istio")
        cm = o;
  const mesh: RMesh = { rootNamespace: "istio-system", autoMtls: true, outboundTrafficPolicy: "ALLOW_ANY" };
  if (!cm) return mesh;
  const text = rec(yaml.load(strings(cm.data).mesh ?? ""));
  if (typeof text.enableAutoMtls === "boolean") mesh.autoMtls = text.enableAutoMtls;
  mesh.rootNamespace =
    typeof text.rootNamespace === "string" && text.rootNamespace !== ""
      ? text.rootNamespace
      : (cm.metadata.namespace ?? "istio-system");
  if (rec(text.outboundTrafficPolicy).mode === "REGISTRY_ONLY") mesh.outboundTrafficPolicy = "REGISTRY_ONLY";
  return mesh;
}

/** contract §2.1: injection from manifests (no live pods). */
function dataplaneOf(ns: RNamespace | undefined, labels: Labels, annotations: Labels): Dataplane {
  const nsInjection = ns?.labels["istio-injection"];
  // When label and annotation disagree the label decides: contract §2.1 names both without ranking
  // them, and Istio's injector reads the label first ("if both are present we prefer the label").
  const podSays = labels["sidecar.istio.io/inject"] ?? annotations["sidecar.istio.io/inject"];
  const optedOut = podSays === "false";
  const nsInjects =
    nsInjection === "enabled" || (ns?.labels["istio.io/rev"] !== undefined && nsInjection !== "disabled");
  const podOptsIn = labels["sidecar.istio.io/inject"] === "true" && nsInjection !== "disabled";
  if ((nsInjects || podOptsIn) && !optedOut) return "sidecar";
  return ambientOr(ns, labels);
}

/** contract §2.1: ambient = namespace labelled ambient, pod not opted out, no sidecar. */
function ambientOr(ns: RNamespace | undefined, labels: Labels): Dataplane {
  return ns?.labels["istio.io/dataplane-mode"] === "ambient" && labels["istio.io/dataplane-mode"] !== "none"
    ? "ambient"
    : "none";
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const ownedBy = (o: KubeObject, kind: string, name: string) =>
  (o.metadata.ownerReferences ?? []).some((r) => r.kind === kind && r.name === name);

/** Live pods of a Deployment: Pods owned by a ReplicaSet the Deployment owns (contract §2.1). */
function livePods(objects: KubeObject[], d: KubeObject): KubeObject[] {
  const out: KubeObject[] = [];
  for (const rs of objects) {
    if (
      rs.kind !== "ReplicaSet" ||
      rs.metadata.namespace !== d.metadata.namespace ||
      !ownedBy(rs, d.kind, d.metadata.name)
    )
      continue;
    for (const p of objects)
      if (
        p.kind === "Pod" &&
        p.metadata.namespace === d.metadata.namespace &&
        ownedBy(p, "ReplicaSet", rs.metadata.name)
      )
        out.push(p);
  }
  return out;
}

/** An `istio-proxy` container, or a native sidecar of that name among initContainers (docs/DECISIONS.md "Live pods vs templates"). */
function runsProxy(pod: KubeObject): boolean {
  const spec = rec(pod.spec);
  for (const c of [...list(spec.containers), ...list(spec.initContainers)])
    if (rec(c).name === "istio-proxy") return true;
  return false;
}

function containerPortsOf(podSpec: Record<string, unknown>): RContainerPort[] {
  const out: RContainerPort[] = [];
  for (const c of list(podSpec.containers)) {
    for (const p of list(rec(c).ports)) {
      const cp = rec(p);
      if (typeof cp.containerPort === "number")
        out.push(
          typeof cp.name === "string"
            ? { port: cp.containerPort, name: cp.name }
            : { port: cp.containerPort },
        );
    }
  }
  return out;
}

function readWorkload(o: KubeObject, objects: KubeObject[], namespaces: RNamespace[]): RWorkload {
  const namespace = o.metadata.namespace ?? "default";
  const ns = namespaces.find((n) => n.name === namespace);
  const pods = livePods(objects, o);
  let labels: Labels;
  let annotations: Labels;
  let podSpec: Record<string, unknown>;
  let dataplane: Dataplane;
  if (pods.length > 0) {
    // What runs decides: labels (tlsMode included, as the injector wrote it) and the proxy come from
    // the pods; the generator makes every pod of a workload alike.
    const pod = pods[0]!;
    labels = strings(pod.metadata.labels);
    annotations = strings(pod.metadata.annotations);
    podSpec = rec(pod.spec);
    dataplane = runsProxy(pod) ? "sidecar" : ambientOr(ns, labels);
  } else {
    const template = rec(rec(o.spec).template);
    const tmeta = rec(template.metadata);
    labels = strings(tmeta.labels);
    annotations = strings(tmeta.annotations);
    podSpec = rec(template.spec);
    dataplane = dataplaneOf(ns, labels, annotations);
    // contract §2.1: injected pods carry tlsMode=istio unless the template sets it.
    if (dataplane === "sidecar" && labels[TLS_MODE] === undefined) labels[TLS_MODE] = "istio";
  }
  const excluded = (annotations["traffic.sidecar.istio.io/excludeInboundPorts"] ?? "")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  return {
    namespace,
    name: o.metadata.name,
    labels,
    annotations,
    containerPorts: containerPortsOf(podSpec),
    dataplane,
    excludedInbound: excluded,
    revision: ns?.labels["istio.io/rev"] ?? "",
    live: pods.length > 0,
  };
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
  return {
    namespace,
    name: o.metadata.name,
    host: `${o.metadata.name}.${namespace}.svc.cluster.local`,
    headless: spec.clusterIP === "None",
    external: false,
    selector,
    ports,
  };
}

/** One RService per host of a ServiceEntry; its ports have no target port. */
function readServiceEntry(o: KubeObject): RService[] {
  const spec = rec(o.spec);
  const namespace = o.metadata.namespace ?? "default";
  const hosts = Array.isArray(spec.hosts)
    ? (spec.hosts as unknown[]).filter((h): h is string => typeof h === "string")
    : [];
  const ports: RServicePort[] = [];
  for (const p of Array.isArray(spec.ports) ? (spec.ports as unknown[]) : []) {
    const sp = rec(p);
    if (typeof sp.number === "number")
      ports.push({
        port: sp.number,
        name: typeof sp.name === "string" ? sp.name : "",
        targetPort: undefined,
      });
  }
  return hosts.map((host) => ({
    namespace,
    name: o.metadata.name,
    host,
    headless: false,
    external: spec.location === "MESH_EXTERNAL",
    selector: null,
    ports,
  }));
}

export function readInventory(objects: KubeObject[]): RInventory {
  const namespaces: RNamespace[] = objects
    .filter((o) => o.kind === "Namespace")
    .map((o) => ({ name: o.metadata.name, labels: { ...(o.metadata.labels ?? {}) } }));
  const workloads = objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .map((o) => readWorkload(o, objects, namespaces));
  const services: RService[] = [];
  for (const o of objects) {
    if (o.kind === "Service") services.push(readService(o));
    if (o.kind === "ServiceEntry") services.push(...readServiceEntry(o));
  }
  return {
    objects,
    rootNamespace: meshOf(objects, "").rootNamespace,
    namespaces,
    workloads,
    services,
    peerAuthentications: objects.filter((o) => o.kind === "PeerAuthentication"),
    destinationRules: objects.filter((o) => o.kind === "DestinationRule"),
    sidecars: objects.filter((o) => o.kind === "Sidecar"),
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
