// Builds the normalised mesh model from loaded inputs. Indexes are built here, once, so that the
// resolver's lookups are map reads (the benchmark mesh has 10k workloads and 20k edges).
import type { ParsedInputs } from "./input";
import { discoveryViews, type DiscoveryView } from "./discovery";
import { appendWorkloadEntries } from "./entries";
import type {
  GatewayRouted,
  MeshModel,
  MeshRoute,
  MeshSettings,
  Namespace,
  Service,
  VirtualService,
  Workload,
} from "./mesh";
import { workloadKey } from "./mesh";
import { defaultMeshSettings, meshConfigRevision, parseMeshConfig } from "./meshConfig";
import { readIstioObjects } from "./istioObjects";
import { readLinkerdConfig } from "./linkerdConfig";
import { readLinkerdPolicy, type UnreadKind } from "./linkerdPolicy";
import { readRevisions } from "./revisions";
import { perRun } from "./perRun";
import { arr, at, groupBy, str, strMap } from "./read";
import { buildServices, indexServices } from "./services";
import { buildWorkloads, type RevisionMeshes } from "./workloads";
import { compareByAge } from "../resolve/peerAuthentication";
import { readClusterFacts } from "./clusters";
import { readServedSecrets } from "./servedSecrets";

const byName = <T extends { namespace: string; name: string }>(a: T, b: T) =>
  a.namespace < b.namespace
    ? -1
    : a.namespace > b.namespace
      ? 1
      : a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0;

/**
 * `unread`: the kinds the analysis could not list (the cluster reader's completeness entries), so that
 * an object that is absent because it could not be read is not taken as absent from the cluster.
 * `fromCluster`: the objects were read from a cluster (not manifests), so admission let each of them in.
 */
export function buildModel(
  inputs: ParsedInputs,
  unread: readonly UnreadKind[] = [],
  fromCluster = false,
): MeshModel {
  const problems = [...inputs.problems];
  const objects = inputs.objects;

  const meshByRevision = new Map<string, MeshSettings>();
  const istiodNamespaces = new Set<string>();
  for (const o of objects) {
    const rev = meshConfigRevision(o);
    if (rev === null) continue;
    istiodNamespaces.add(o.object.metadata.namespace ?? "default");
    if (!meshByRevision.has(rev)) meshByRevision.set(rev, parseMeshConfig(o, problems));
  }
  // Revision tags decide which istiod serves whom. Without an `istio` ConfigMap (every istiod installed
  // with a revision), the default tag's revision serves istio-injection=enabled namespaces: its
  // `istio-<rev>` settings are the default ones.
  const revisions = readRevisions(objects);
  const mesh =
    meshByRevision.get("") ??
    (revisions.defaultRevision !== null ? meshByRevision.get(revisions.defaultRevision) : undefined) ??
    defaultMeshSettings();
  if (!meshByRevision.has("")) meshByRevision.set("", mesh);

  const namespaces = new Map<string, Namespace>();
  for (const o of objects) {
    if (o.object.kind !== "Namespace") continue;
    namespaces.set(o.object.metadata.name, {
      name: o.object.metadata.name,
      labels: strMap(o.object.metadata.labels),
      annotations: strMap(o.object.metadata.annotations),
      declared: true,
    });
  }
  const imply = (name: string) => {
    if (!namespaces.has(name)) namespaces.set(name, { name, labels: {}, annotations: {}, declared: false });
  };

  const workloads = buildWorkloads(
    objects,
    namespaces,
    revisions,
    perRun<RevisionMeshes>({ byRevision: meshByRevision, fallback: mesh }),
    problems,
  );
  // WorkloadEntries are workloads too (VMs): Services select them and PeerAuthentications apply to them.
  appendWorkloadEntries(objects, namespaces, workloads, problems, revisions);
  workloads.sort(byName);
  const workloadsByNamespace = new Map<string, Workload[]>();
  const workloadByKey = new Map<string, Workload>();
  for (let i = 0; i < workloads.length; i++) workloads[i]!.index = i;
  for (const w of workloads) {
    imply(w.namespace);
    // A telemetry source name is a Kubernetes workload's before a same-named WorkloadEntry's (the sort is stable and entries come last).
    const key = workloadKey(w);
    if (w.entry === null || !workloadByKey.has(key)) workloadByKey.set(key, w);
    const list = workloadsByNamespace.get(w.namespace);
    if (list) list.push(w);
    else workloadsByNamespace.set(w.namespace, [w]);
  }

  const selected = new Map<Service, Workload[]>();
  const serviceEntryEndpoints: Workload[] = [];
  const services = buildServices(
    objects,
    workloadsByNamespace,
    namespaces,
    problems,
    selected,
    serviceEntryEndpoints,
    revisions,
  ).sort((a, b) => byName(a, b) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  // Inline endpoints take the memo slots after the workloads' (the resolver sizes its tables for both).
  for (let i = 0; i < serviceEntryEndpoints.length; i++)
    serviceEntryEndpoints[i]!.index = workloads.length + i;
  for (const s of services) imply(s.namespace);
  const { serviceByHost, wildcardServiceBySuffix } = indexServices(services);

  // No "namespace/name"-keyed twin of this index and no pod index here: nothing hot reads them, and
  // at 10k workloads / 20k pods they were megabytes of map entries and key strings per analysis that
  // survive into the old generation (pods are looked up through `workloadOfPod`, built on first use).
  const servicesOfWorkload = new Map<Workload, Service[]>();
  for (const s of services) {
    for (const w of selected.get(s) ?? []) {
      const list = servicesOfWorkload.get(w);
      if (list) list.push(s);
      else servicesOfWorkload.set(w, [s]);
    }
  }

  // What each istiod's discoverySelectors leave out: only declared namespaces count, all read by now.
  const views = discoveryViews(meshByRevision.values(), namespaces, services);
  const istio = readIstioObjects(
    objects,
    problems,
    mesh.defaultVirtualServiceExportTo,
    hiddenSomewhere(views),
  );
  for (const x of [
    ...istio.peerAuthentications,
    ...istio.destinationRules,
    ...istio.sidecars,
    ...istio.gateways,
  ])
    imply(x.namespace);

  const sidecarsByNamespace = groupBy(istio.sidecars, (sc) => sc.namespace);

  const virtualServices = istio.virtualServices.sort(byName);

  const hasIstio =
    objects.some((o) => (o.object.apiVersion ?? "").includes("istio.io/")) ||
    meshByRevision.size > 1 ||
    objects.some((o) => meshConfigRevision(o) !== null) ||
    workloads.some((w) => w.dataplane === "sidecar" || w.dataplane === "ambient");

  const linkerdConfig = readLinkerdConfig(objects);
  const linkerdPolicy = readLinkerdPolicy(
    objects,
    problems,
    unread,
    fromCluster,
    linkerdConfig?.clusterNetworks ?? null,
  );
  // Evidence that istiod runs with ambient on (MeshModel.ambient): ztunnel's pods are labelled app=ztunnel (workloads.ts).
  let ambient = false;
  for (const m of meshByRevision.values()) ambient ||= m.sidecarsTakeHbone;
  for (let i = 0; !ambient && i < workloads.length; i++) {
    const w = workloads[i]!;
    ambient = w.dataplane === "ambient" || w.waypoint || w.labels["app"] === "ztunnel";
  }

  return perRun<MeshModel>({
    mesh,
    meshByRevision,
    hasIstio,
    ambient,
    revisions,
    istiodNamespaces,
    namespaces: new Map([...namespaces.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    workloads,
    workloadsByNamespace,
    workloadByKey,
    services,
    serviceByHost,
    wildcardServiceBySuffix,
    discoveryViews: views,
    servicesOfWorkload,
    endpointsOf: selected,
    peerAuthentications: istio.peerAuthentications,
    destinationRules: istio.destinationRules,
    sidecars: istio.sidecars,
    virtualServices,
    gateways: istio.gateways.sort(compareByAge),
    meshRoutesByHost: meshRoutesByHost(virtualServices),
    gatewayRoutesByHost: gatewayRoutesByHost(virtualServices),
    // The cluster reader lists neither Ingresses nor the Gateway API kinds (lib/server/kube/kinds.ts), so on a
    // live cluster their absence is not known: a gateway's VirtualService routes may not be all its routes.
    ...gatewayRoutesElsewhere(objects, fromCluster),
    servedSecrets: readServedSecrets(objects),
    clusters: readClusterFacts(objects, workloads, istio.gateways),
    linkerdPolicy,
    linkerdConfig,
    sidecarsByNamespace,
    configDumps: inputs.configDumps,
    serviceEntryEndpoints,
    problems,
  });
}

/** The namespaces some istiod's discoverySelectors leave out (one of the views hides them). */
function hiddenSomewhere(views: Map<MeshSettings, DiscoveryView>): ReadonlySet<string> {
  if (views.size === 1) return views.values().next().value!.hidden;
  const out = new Set<string>();
  for (const v of views.values()) for (const ns of v.hidden) out.add(ns);
  return out;
}

/** The mesh route destinations by destination FQDN (MeshModel.meshRoutesByHost). */
function meshRoutesByHost(virtualServices: VirtualService[]): Map<string, MeshRoute[]> {
  const out = new Map<string, MeshRoute[]>();
  for (const vs of virtualServices)
    for (const dest of vs.meshDestinations) {
      const list = out.get(dest.fqdn);
      if (list) list.push({ vs, dest });
      else out.set(dest.fqdn, [{ vs, dest }]);
    }
  return out;
}

/** The destinations and mirror hosts of routes bound to Gateways by FQDN (MeshModel.gatewayRoutesByHost). */
function gatewayRoutesByHost(virtualServices: VirtualService[]): Map<string, GatewayRouted[]> {
  const out = new Map<string, GatewayRouted[]>();
  const add = (x: GatewayRouted) => {
    const list = out.get(x.route.dest.fqdn);
    if (list) list.push(x);
    else out.set(x.route.dest.fqdn, [x]);
  };
  for (const vs of virtualServices) {
    if (vs.gatewayBinding === null) continue;
    for (const spec of vs.gatewayBinding.routes) {
      for (const route of spec.dests) add({ route, spec, mirror: false });
      for (const fqdn of spec.mirrors)
        add({
          route: { vs, dest: { fqdn, subset: null, port: null, kind: spec.kind, matches: [] } },
          spec,
          mirror: true,
        });
    }
  }
  return out;
}

/** The Gateway API route kinds istiod turns into gateway routes (pilot/pkg/config/kube/gateway). */
const GATEWAY_API_ROUTES = new Set(["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute"]);

const GATEWAY_API = "gateway.networking.k8s.io";

/**
 * istio/istio pilot/pkg/config/kube/gateway `IsManaged`: istiod deploys a Gateway with no
 * spec.addresses, or with exactly one whose type is unset or IPAddress (a requested IP for the
 * Service it generates); a Hostname or NamedAddress, or several addresses, is a manual deployment.
 */
function isManaged(gateway: unknown): boolean {
  const addresses = arr(at(gateway, "spec", "addresses"));
  if (addresses.length === 0) return true;
  if (addresses.length > 1) return false;
  const type = str(at(addresses[0], "type"));
  return type === undefined || type === "IPAddress";
}

/**
 * MeshModel.gatewayRoutesElsewhere and .deployedGatewayApi. Anywhere: an Ingress (any class:
 * ingressControllerMode and IngressClass are not read; istiod's converted Gateway selects
 * `istio: <ingressSelector>`, ingress/gateways.go convertIngressV1alpha3), a Gateway API Gateway istiod
 * does not manage (isManaged; a manual deployment: its converted Gateway applies to the pods behind the Services
 * those name, PushContext.mergeGateways' InternalGatewayServiceAnnotation, not modelled), or a route
 * attached to a Gateway API Gateway not in the inputs (or to a parent of an unknown kind). A managed
 * Gateway is deployed by istiod (pilot/pkg/config/kube/gateway deploymentcontroller), and its
 * converted Gateway applies only to the pods of the Service it generates, which selects
 * gateway.networking.k8s.io/gateway-name=<name> in its namespace: those gateways only
 * (buildEdges `gatewayChoiceFor`). A route to a Service or ServiceEntry parent is mesh (GAMMA) routing,
 * never a gateway's.
 */
function gatewayRoutesElsewhere(
  objects: ParsedInputs["objects"],
  fromCluster: boolean,
): { gatewayRoutesElsewhere: boolean; deployedGatewayApi: ReadonlySet<string> } {
  const deployed = new Set<string>();
  const gateways = new Set<string>();
  let anywhere = fromCluster;
  for (const { object } of objects) {
    if (object.kind === "Ingress") anywhere = true;
    if (object.kind !== "Gateway" || !(object.apiVersion ?? "").startsWith(`${GATEWAY_API}/`)) continue;
    const key = `${object.metadata?.namespace ?? "default"}/${object.metadata?.name ?? ""}`;
    gateways.add(key);
    if (isManaged(object)) deployed.add(key);
    else anywhere = true;
  }
  for (const { object } of objects) {
    // Conservative where the group is not written: only Linkerd's own HTTPRoute (policy.linkerd.io) is known not to be one.
    if (!GATEWAY_API_ROUTES.has(object.kind) || (object.apiVersion ?? "").startsWith("policy.linkerd.io/"))
      continue;
    const ns = object.metadata?.namespace ?? "default";
    for (const ref of arr(at(object, "spec", "parentRefs"))) {
      const group = str(at(ref, "group")) ?? GATEWAY_API;
      const kind = str(at(ref, "kind")) ?? "Gateway";
      if (kind === "Service" || kind === "ServiceEntry") continue;
      if (group !== GATEWAY_API || kind !== "Gateway") anywhere = true;
      else if (!gateways.has(`${str(at(ref, "namespace")) ?? ns}/${str(at(ref, "name")) ?? ""}`))
        anywhere = true;
    }
  }
  return { gatewayRoutesElsewhere: anywhere, deployedGatewayApi: deployed };
}

/** Mesh settings that apply to a workload or namespace: its revision's ConfigMap, else the default. */
export function meshFor(model: MeshModel, revision: string): MeshSettings {
  return model.meshByRevision.get(revision) ?? model.mesh;
}

/** Pod index of one model ("namespace/pod" → workload), built on first use: only proxy dumps need it. */
const podIndexes = new WeakMap<MeshModel, Map<string, Workload>>();

/** The workload a live pod belongs to. */
export function workloadOfPod(model: MeshModel, namespace: string, pod: string): Workload | undefined {
  let index = podIndexes.get(model);
  if (!index) {
    index = new Map();
    for (const w of model.workloads) for (const p of w.livePods) index.set(`${w.namespace}/${p.name}`, w);
    podIndexes.set(model, index);
  }
  return index.get(`${namespace}/${pod}`);
}
