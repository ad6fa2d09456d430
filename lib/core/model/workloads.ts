// Workloads and their data plane (contract.md §2.1). Live pods are grouped into their owning
// workload; when there are none, the data plane is inferred from the injection rules.
import type { WorkloadDataplane } from "../snapshot/schema";
import type { InputProblem, LoadedObject, SourceLocation } from "./input";
import yaml from "js-yaml";
import type {
  ContainerPort,
  Labels,
  LivePod,
  MeshSettings,
  MetadataCerts,
  Namespace,
  Workload,
} from "./mesh";
import {
  clientCertKeysOf,
  enableHboneOf,
  mergedClientCerts,
  metadataCertsOf,
  NO_CLIENT_CERTS,
  parseGoBool,
  tunnelByTemplate,
} from "./meshConfig";
import { arr, at, isObj, linkerdPortRuns, portList, portNumber, shown, str, strMap } from "./read";
import { injectingRevision, NO_REVISIONS, type Revisions } from "./revisions";
import { sortFew } from "./sortFew";

const WORKLOAD_KINDS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "ReplicaSet",
  "Pod",
]);

interface PodSpecView {
  labels: Labels;
  annotations: Labels;
  serviceAccount: string;
  containers: string[];
  /** The application containers' declared ports. */
  containerPorts: ContainerPort[];
  /** The mesh proxy container's own declared ports (see Workload.proxyPorts). */
  proxyPorts: ContainerPort[];
  /**
   * The role the declared istio-proxy container is started with (`pilot-agent proxy <role>`:
   * "sidecar", "router", "waypoint"), or null when the pod declares none (the injector adds it).
   */
  istioProxyRole: string | null;
  /** spec.hostNetwork: such pods are never injected nor captured by ambient (they share the node's network). */
  hostNetwork: boolean;
}

function podTemplateOf(o: LoadedObject): unknown {
  const k = o.object.kind;
  if (k === "Pod") return o.object;
  if (k === "CronJob") return at(o.object, "spec", "jobTemplate", "spec", "template");
  return at(o.object, "spec", "template");
}

/**
 * The mesh proxies' containers. Their declared ports (Istio's 15090 http-envoy-prom, the 15020/15021
 * of gateway and waypoint templates, Linkerd's 4143 inbound and 4191 admin ports) are the proxy's
 * own, not the application's: Istio never captures them for inbound mTLS (the injection template
 * passes istio-iptables `-d 15090,15021,<status port>`). They are not the workload's ports
 * (contract §1.1) unless a Service targets them or a portLevelMtls names them.
 */
const isProxyContainer = (name: string | undefined) => name === "istio-proxy" || name === "linkerd-proxy";

// Shared by every pod view without proxy ports: most manifests' templates (the proxy is injected later).
const NO_PORTS: ContainerPort[] = [];

function addPorts(container: unknown, out: ContainerPort[]): void {
  for (const p of arr(at(container, "ports"))) {
    const port = portNumber(at(p, "containerPort"));
    if (port === undefined) continue;
    const name = str(at(p, "name"));
    // The protocol only matters to a named targetPort (FindPort matches name and protocol); TCP is the default.
    const protocol = str(at(p, "protocol"));
    out.push(name ? (protocol && protocol !== "TCP" ? { port, name, protocol } : { port, name }) : { port });
  }
}

/**
 * The role argument of an istio-proxy container: pilot-agent's `proxy` command takes the proxy type
 * as its first argument ("sidecar" in injection-template.yaml, "router" in
 * gateway-injection-template.yaml, kube-gateway.yaml and the legacy gateway chart, "waypoint" in
 * waypoint.yaml), and istiod builds listeners by that type (BuildListeners).
 */
function proxyRoleArg(container: unknown): string | null {
  const args = arr(at(container, "args"));
  const i = args.indexOf("proxy");
  const role = i >= 0 ? str(args[i + 1]) : undefined;
  return role ?? null;
}

function viewPod(template: unknown): PodSpecView {
  const spec = at(template, "spec");
  const containers: string[] = [];
  const containerPorts: ContainerPort[] = [];
  let proxyPorts = NO_PORTS;
  let istioProxyRole: string | null = null;
  for (const c of arr(at(spec, "containers"))) {
    const cname = str(at(c, "name"));
    if (cname) containers.push(cname);
    if (cname === "istio-proxy") istioProxyRole = proxyRoleArg(c);
    if (isProxyContainer(cname)) addPorts(c, proxyPorts === NO_PORTS ? (proxyPorts = []) : proxyPorts);
    else addPorts(c, containerPorts);
  }
  // Native sidecars (Istio ≥ 1.19 on Kubernetes ≥ 1.28) put istio-proxy among initContainers. A
  // restartable init container runs beside the app, and Kubernetes' FindPort looks up a named
  // targetPort among its ports too.
  for (const c of arr(at(spec, "initContainers"))) {
    const cname = str(at(c, "name"));
    if (cname) containers.push(cname);
    if (at(c, "restartPolicy") !== "Always") continue;
    if (cname === "istio-proxy") istioProxyRole ??= proxyRoleArg(c);
    if (isProxyContainer(cname)) addPorts(c, proxyPorts === NO_PORTS ? (proxyPorts = []) : proxyPorts);
    else addPorts(c, containerPorts);
  }
  const metadata = at(template, "metadata");
  return {
    labels: strMap(at(metadata, "labels")),
    annotations: strMap(at(metadata, "annotations")),
    serviceAccount: str(at(spec, "serviceAccountName")) || str(at(spec, "serviceAccount")) || "default",
    containers,
    containerPorts,
    proxyPorts,
    istioProxyRole,
    hostNetwork: at(spec, "hostNetwork") === true,
  };
}

const ownerOf = (o: LoadedObject) =>
  o.object.metadata.ownerReferences?.find((r) => r.controller !== false && isObj(r));

/** Which workload a live pod belongs to: ReplicaSet → Deployment, Job → CronJob, else its controller. */
function podOwnerKey(
  pod: LoadedObject,
  byKindName: Map<string, LoadedObject>,
): { kind: string; name: string } {
  const ns = pod.object.metadata.namespace ?? "default";
  const owner = ownerOf(pod);
  if (!owner) return { kind: "Pod", name: pod.object.metadata.name };
  if (owner.kind === "ReplicaSet") {
    const rs = byKindName.get(`ReplicaSet/${ns}/${owner.name}`);
    const rsOwner = rs && ownerOf(rs);
    if (rsOwner?.kind === "Deployment") return { kind: "Deployment", name: rsOwner.name };
    const hash = pod.object.metadata.labels?.["pod-template-hash"];
    if (!rs && hash && owner.name.endsWith(`-${hash}`))
      return { kind: "Deployment", name: owner.name.slice(0, -hash.length - 1) };
    return { kind: "ReplicaSet", name: owner.name };
  }
  if (owner.kind === "Job") {
    const job = byKindName.get(`Job/${ns}/${owner.name}`);
    const jobOwner = job && ownerOf(job);
    if (jobOwner?.kind === "CronJob") return { kind: "CronJob", name: jobOwner.name };
  }
  return { kind: owner.kind, name: owner.name };
}

/**
 * Namespaces Istio never meshes: the injector skips them (`IgnoredNamespaces`, pkg/kube/inject) and
 * istio-cni excludes kube-system from capture.
 */
export const NEVER_MESHED_NAMESPACES: ReadonlySet<string> = new Set([
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "local-path-storage",
]);

/**
 * Istio's `SupportsTunnel(labels, TunnelHTTP)` (pilot/pkg/model/service.go): the
 * `networking.istio.io/tunnel` label is a comma-separated list of tunnel types, and "http" (HBONE)
 * must be one of them. The endpoint builder reads it from any endpoint's labels, a pod's or a
 * WorkloadEntry's alike (`supportTunnel`, endpoint_builder.go).
 */
export function supportsHttpTunnel(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === "http") return true;
  return value.split(",").includes("http");
}

/**
 * Linkerd's injector injects for `enabled` and for `ingress` (the proxy in ingress mode, for ingress
 * controllers), on the namespace or the pod (pkg/inject/report.go, disabledByAnnotation).
 */
export const linkerdInjects = (v: string | undefined): boolean => v === "enabled" || v === "ingress";

function dataplaneOf(
  view: PodSpecView,
  ns: Namespace | undefined,
  live: boolean,
): { dataplane: WorkloadDataplane; optedOut: boolean } {
  const nsLabels = ns?.labels ?? {};
  const nsAnn = ns?.annotations ?? {};
  const injectFlag = view.labels["sidecar.istio.io/inject"] ?? view.annotations["sidecar.istio.io/inject"];
  const istioOptOut = injectFlag === "false";
  const linkerdPod = view.annotations["linkerd.io/inject"];
  const ambientOptOut = view.labels["istio.io/dataplane-mode"] === "none";

  // ztunnel's DaemonSet names its container istio-proxy too (as Istio's chart does), but it is the
  // node proxy of ambient mode, not a captured workload: nothing enforces policy in front of it.
  if (view.labels["app"] === "ztunnel") return { dataplane: "none", optedOut: true };
  if (view.containers.includes("istio-proxy")) return { dataplane: "sidecar", optedOut: false };
  if (view.containers.includes("linkerd-proxy")) return { dataplane: "linkerd", optedOut: false };
  // The injector skips hostNetwork pods (injectRequired) and ambient does not capture them: out of
  // the mesh by design, like an explicit opt-out.
  if (view.hostNetwork) return { dataplane: "none", optedOut: true };
  if (!live) {
    const nsInjects =
      nsLabels["istio-injection"] === "enabled" ||
      (nsLabels["istio.io/rev"] !== undefined && nsLabels["istio-injection"] !== "disabled");
    const podInjects = injectFlag === "true" && nsLabels["istio-injection"] !== "disabled";
    if ((nsInjects || podInjects) && !istioOptOut) return { dataplane: "sidecar", optedOut: false };
    const linkerdNs = linkerdInjects(nsAnn["linkerd.io/inject"]);
    if ((linkerdInjects(linkerdPod) || linkerdNs) && linkerdPod !== "disabled")
      return { dataplane: "linkerd", optedOut: false };
  }
  if (
    nsLabels["istio.io/dataplane-mode"] === "ambient" ||
    view.labels["istio.io/dataplane-mode"] === "ambient"
  ) {
    if (!ambientOptOut) return { dataplane: "ambient", optedOut: false };
  }
  const optedOut = istioOptOut || ambientOptOut || linkerdPod === "disabled";
  return { dataplane: "none", optedOut };
}

/** The phases after which a pod's containers never run again (Kubernetes PodPhase). */
const TERMINAL_PHASES = new Set(["Succeeded", "Failed"]);

function livePod(pod: LoadedObject): LivePod {
  const out = linkerdPodOf(pod.object.metadata.name, pod.object);
  const ips = podIps(pod.object);
  if (ips.length > 0) out.ips = ips;
  if (TERMINAL_PHASES.has(str(at(pod.object, "status", "phase")) ?? "")) out.terminal = true;
  if (at(pod.object, "spec", "hostNetwork") === true) out.hostNetwork = true;
  return out;
}

/** status.podIPs[].ip (one per family on a dual-stack pod), else status.podIP: the pod's own addresses, kept as written. */
function podIps(pod: unknown): string[] {
  const listed = arr(at(pod, "status", "podIPs"))
    .map((x) => str(at(x, "ip")))
    .filter((ip): ip is string => ip !== undefined && ip !== "");
  if (listed.length > 0) return listed;
  const one = str(at(pod, "status", "podIP"));
  return one ? [one] : [];
}

/** What a pod (or a pod template already carrying linkerd-proxy) says of its Linkerd proxy: its env, and the annotations the policy controller reads. */
function linkerdPodOf(name: string, pod: unknown): LivePod {
  const out: LivePod = { name };
  for (const c of [...arr(at(pod, "spec", "containers")), ...arr(at(pod, "spec", "initContainers"))]) {
    if (at(c, "name") !== "linkerd-proxy") continue;
    const env = arr(at(c, "env"));
    const value = (name: string) =>
      str(
        at(
          env.find((e) => at(e, "name") === name),
          "value",
        ),
      ) || undefined;
    const anchors = value("LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS");
    if (anchors) out.linkerdTrustAnchors = anchors;
    const policy = value("LINKERD2_PROXY_INBOUND_DEFAULT_POLICY");
    if (policy) out.linkerdDefaultPolicy = policy;
    const requireIdentity = value("LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY");
    if (requireIdentity) out.linkerdRequireIdentityEnv = requireIdentity;
    if (value("LINKERD2_PROXY_POLICY_SVC_ADDR")) out.linkerdPolicyDiscovery = true;
    const ns = value("_l5d_ns");
    if (ns) out.linkerdControlPlaneNs = ns;
    const td = value("_l5d_trustdomain");
    if (td) out.linkerdTrustDomain = td;
    const annotation = (key: string) => str(at(pod, "metadata", "annotations", key));
    const policyAnnotation = annotation("config.linkerd.io/default-inbound-policy");
    if (policyAnnotation !== undefined) out.linkerdPolicyAnnotation = policyAnnotation;
    const requireAnnotation = annotation("config.linkerd.io/proxy-require-identity-inbound-ports");
    if (requireAnnotation !== undefined) out.linkerdRequireIdentity = requireAnnotation;
  }
  const init = linkerdInitArgs(pod);
  if (init) out.linkerdInit = init;
  return out;
}

/**
 * A pod's linkerd-init args that let traffic past the proxy: every --flag value and --flag=value of
 * the two flags, joined by commas (proxy-init reads both as comma-separated lists); null without a
 * linkerd-init container.
 */
function linkerdInitArgs(pod: unknown): { subnets: string; inboundPorts: string } | null {
  const init = arr(at(pod, "spec", "initContainers")).find((c) => at(c, "name") === "linkerd-init");
  if (init === undefined) return null;
  const args = arr(at(init, "args")).map((a) => str(a) ?? "");
  const values = (flag: string) => {
    const out: string[] = [];
    args.forEach((a, i) => {
      if (a === flag && i + 1 < args.length) out.push(args[i + 1]!);
      else if (a.startsWith(`${flag}=`)) out.push(a.slice(flag.length + 1));
    });
    return out.join(",");
  };
  return { subnets: values("--subnets-to-ignore"), inboundPorts: values("--inbound-ports-to-ignore") };
}

const TLS_MODE = "security.istio.io/tlsMode";

/**
 * The labels with keys in sorted order (as the snapshot lists them, so it can use this object as is),
 * plus the injected tlsMode label when given.
 */
function sortedLabels(labels: Labels, tlsMode: string | null): Labels {
  const keys = Object.keys(labels);
  if (tlsMode !== null) keys.push(TLS_MODE);
  sortFew(keys, (a, b) => a > b);
  const out: Labels = {};
  for (const k of keys) out[k] = k === TLS_MODE && tlsMode !== null ? tlsMode : labels[k]!;
  return out;
}

/**
 * Which Istio proxy role a pod with an Istio proxy has besides a sidecar: a gateway (router) or a
 * waypoint; null for a sidecar. istiod builds a proxy's listeners by its type (BuildListeners), which
 * is pilot-agent's role argument, so that decides when the pod declares it (live pods always do).
 * Without it, what renders the proxy tells: Istio's deployment controller labels what it renders
 * from kube-gateway.yaml (`proxy router`) and waypoint.yaml (`proxy waypoint`, also the ambient
 * east-west gateway, ControllerLabel istio.io-eastwest-controller) with gateway.istio.io/managed;
 * the injector uses the gateway template only when `inject.istio.io/templates` names it
 * (selectTemplates reads nothing else). A pod that writes its own istio-proxy container under the
 * legacy charts' `istio: <x>gateway` label is taken as a gateway too; the label alone is not: the
 * injector gives any other pod the sidecar template (`proxy sidecar`), whatever its labels, and
 * gateway.networking.k8s.io/gateway-name is set by other Gateway API implementations as well.
 */
function proxyRole(view: PodSpecView, dataplane: WorkloadDataplane): "gateway" | "waypoint" | null {
  if (dataplane !== "sidecar") return null;
  const role = view.istioProxyRole;
  if (role !== null) return role === "router" ? "gateway" : role === "waypoint" ? "waypoint" : null;
  const managed = view.labels["gateway.istio.io/managed"];
  if (managed !== undefined)
    return managedRole(managed, view.labels["gateway.networking.k8s.io/gateway-class-name"]);
  if ((view.annotations["inject.istio.io/templates"] ?? "").split(",").some((t) => t.trim() === "gateway"))
    return "gateway";
  if (/gateway$/.test(view.labels["istio"] ?? "") && view.containers.includes("istio-proxy"))
    return "gateway";
  return null;
}

/** What Istio's deployment controller rendered: waypoint.yaml for the mesh and east-west controllers (and Istio's waypoint classes), kube-gateway.yaml otherwise. */
function managedRole(managed: string, gatewayClass: string | undefined): "gateway" | "waypoint" {
  return managed === "istio.io-mesh-controller" ||
    managed === "istio.io-eastwest-controller" ||
    gatewayClass === "istio-waypoint" ||
    gatewayClass === "istio-east-west"
    ? "waypoint"
    : "gateway";
}

function buildWorkload(
  kind: string,
  name: string,
  namespace: string,
  view: PodSpecView,
  ns: Namespace | undefined,
  pods: LoadedObject[],
  source: LoadedObject,
  revisions: Revisions,
  meshes: RevisionMeshes | null,
  problems: InputProblem[] | null,
): Workload {
  const at_: SourceLocation = source.at;
  const live = pods.length > 0;
  const { dataplane, optedOut } = dataplaneOf(view, ns, live);
  const role = proxyRole(view, dataplane);
  const explicitTlsMode = view.labels["security.istio.io/tlsMode"];
  // The sidecar injection template adds tlsMode=istio unless the template already sets it (istio.md
  // §3.3). Gateways and waypoints get none: the gateway injection template
  // (gateway-injection-template.yaml) and the templates istiod renders for Gateway API gateways and
  // waypoints (kube-gateway.yaml, waypoint.yaml) set no tlsMode label, nor does the legacy gateway chart.
  const tlsModeLabel =
    explicitTlsMode ?? (dataplane === "sidecar" && !live && role === null ? "istio" : null);
  const addTlsMode = tlsModeLabel !== null && !live && explicitTlsMode === undefined;
  const labels = sortedLabels(view.labels, addTlsMode ? tlsModeLabel : null);
  const revision = revisionOf(view, ns, live, revisions);
  // The sidecar injection template also adds networking.istio.io/tunnel=http (unless the template
  // sets the label) when the pod's ProxyConfig has ISTIO_META_ENABLE_HBONE "true": the pod's
  // proxy.istio.io/config annotation, else its revision's mesh defaultConfig (the ambient profile).
  // The same setting, as ParseBool reads it, is the proxy's node metadata ENABLE_HBONE (Workload.enableHbone).
  const proxyConfig =
    dataplane === "sidecar" ? podProxyConfig(view, live ? pods[0]! : source, problems) : undefined;
  const podHbone = enableHboneOf(proxyConfig);
  const revMesh = dataplane === "sidecar" && meshes !== null ? meshOfRevision(meshes, revision) : null;
  const templateTunnel =
    revMesh !== null && (podHbone !== undefined ? tunnelByTemplate(podHbone) : revMesh.sidecarsTakeHbone);
  const tunnel =
    view.labels["networking.istio.io/tunnel"] ??
    (!live && role === null && templateTunnel ? "http" : undefined);
  return {
    namespace,
    name,
    kind,
    serviceAccount: view.serviceAccount,
    labels,
    annotations: view.annotations,
    containerPorts: view.containerPorts,
    proxyPorts: view.proxyPorts,
    pods: pods.length,
    livePods: pods.map(livePod),
    ...(!live && view.containers.includes("linkerd-proxy")
      ? { linkerdTemplate: linkerdPodOf(name, podTemplateOf(source)) }
      : {}),
    dataplane,
    tlsModeLabel,
    optedOut,
    hostNetwork: view.hostNetwork,
    excludedInboundPorts: portList(view.annotations["traffic.sidecar.istio.io/excludeInboundPorts"]),
    // Ranges too ("9090-9091"): linkerd2 controller/api/destination/server.go getPodSkippedInboundPortsAnnotations reads it with util.ParsePorts.
    linkerdSkipInboundPorts: linkerdPortRuns(
      view.annotations["config.linkerd.io/skip-inbound-ports"] ??
        ns?.annotations["config.linkerd.io/skip-inbound-ports"],
    ),
    hboneTunnel: supportsHttpTunnel(tunnel) || view.annotations["ambient.istio.io/redirection"] === "enabled",
    // A waypoint is an ambient proxy (`IsAmbient`): it always sends HBONE.
    enableHbone:
      role === "waypoint"
        ? true
        : revMesh === null
          ? null
          : podHbone !== undefined
            ? parseGoBool(podHbone)
            : revMesh.proxyEnableHbone,
    metadataCerts:
      revMesh === null ? "none" : metadataCertsFor(proxyConfig, revMesh, live ? pods[0]! : source, problems),
    gateway: role !== null,
    waypoint: role === "waypoint",
    revision,
    fromLivePods: live,
    entry: null,
    at: at_,
    index: -1, // set by buildModel once the list is sorted
  };
}

/**
 * The mesh settings per revision and the default ones (buildModel's meshFor, as data: a closure made
 * per analysis would be a new call target for this hot per-workload code at every analysis).
 */
export interface RevisionMeshes {
  byRevision: Map<string, MeshSettings>;
  fallback: MeshSettings;
}

const meshOfRevision = (m: RevisionMeshes, revision: string): MeshSettings =>
  m.byRevision.get(revision) ?? m.fallback;

/**
 * The proxy's file-mounted client certificates: the pod's own ISTIO_META_TLS_CLIENT_* keys over its
 * revision's, key by key (`mergedClientCerts`); a pod that sets none of them shares the revision's
 * answer. A value that is not a string is named on `from` (the Pod, or the object whose pod template
 * carries the annotation) and read as unset: injection fails on such an annotation.
 */
function metadataCertsFor(
  proxyConfig: unknown,
  mesh: MeshSettings,
  from: LoadedObject,
  problems: InputProblem[] | null,
): MetadataCerts {
  if (proxyConfig === undefined) return mesh.proxyMetadataCerts;
  const own = clientCertKeysOf(proxyConfig, (field, value, expected) =>
    proxyConfigProblem(
      from,
      problems,
      `.${field}`,
      `${field} is ${shown(value)}, not ${expected}: Istio's injection refuses such a ProxyConfig (mesh.ApplyProxyConfig), so it is read as unset`,
    ),
  );
  return own === NO_CLIENT_CERTS
    ? mesh.proxyMetadataCerts
    : metadataCertsOf(mergedClientCerts(own, mesh.proxyClientCerts));
}

/**
 * input.invalid on `from` (the Pod, or the object whose pod template carries the annotation) for its
 * proxy.istio.io/config annotation, or for `sub`field inside it; the object itself is kept.
 */
function proxyConfigProblem(
  from: LoadedObject,
  problems: InputProblem[] | null,
  sub: string,
  what: string,
): void {
  if (problems === null) return;
  const { kind, metadata } = from.object;
  const annotation = proxyConfigPath(kind);
  problems.push({
    file: from.at.file,
    line: from.at.line,
    object: { kind, namespace: metadata.namespace ?? "default", name: metadata.name },
    field: `${annotation}${sub}`,
    message: `${kind} ${metadata.namespace ?? "default"}/${metadata.name}: ${annotation}: ${what}`,
    kept: true,
  });
}

/** Where `kind`'s pod (template) carries the proxy.istio.io/config annotation, as input.invalid names it. */
const proxyConfigPath = (kind: string) =>
  `${kind === "Pod" ? "" : kind === "CronJob" ? "spec.jobTemplate.spec.template." : "spec.template."}metadata.annotations[proxy.istio.io/config]`;

/**
 * The pod's proxy.istio.io/config annotation (YAML or JSON ProxyConfig) as parsed, undefined when
 * absent (or empty). One that is not a mapping (YAML that does not parse, a list, a scalar) is named on
 * `from` and read as absent: injection's mesh.ApplyProxyConfig → protomarshal.ApplyYAML fails on it, and
 * RunTemplate (pkg/kube/inject/inject.go) returns that error, so no pod is injected with it.
 */
function podProxyConfig(view: PodSpecView, from: LoadedObject, problems: InputProblem[] | null): unknown {
  const text = view.annotations["proxy.istio.io/config"];
  if (!text) return undefined;
  let parsed: unknown;
  let why: string;
  try {
    parsed = yaml.load(text);
    if (parsed === undefined || parsed === null || isObj(parsed)) return parsed ?? undefined;
    why = `it is ${shown(parsed)}`;
  } catch (e) {
    why = `its YAML does not parse: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
  }
  proxyConfigProblem(
    from,
    problems,
    "",
    `not a ProxyConfig mapping (${why}): Istio's injection refuses such an annotation (mesh.ApplyProxyConfig), so it is read as absent`,
  );
  return undefined;
}

/**
 * The istiod revision serving a workload. A live injected pod names it in the istio.io/rev annotation
 * the injection template writes (`.Revision`, the injecting istiod's own revision, never a tag);
 * otherwise the pod's or namespace's istio.io/rev label, which may be a revision tag, else the
 * revision of the default tag (revisions.ts).
 */
function revisionOf(
  view: PodSpecView,
  ns: Namespace | undefined,
  live: boolean,
  revisions: Revisions,
): string {
  const injected =
    live && view.containers.includes("istio-proxy") ? view.annotations["istio.io/rev"] : undefined;
  if (injected) return injected;
  return injectingRevision(revisions, ns?.labels ?? {}, view.labels);
}

/**
 * Builds workloads from controllers and pods. A controller with live pods takes its data plane from
 * the pods (what really runs); one without takes it from the injection rules.
 */
export function buildWorkloads(
  objects: LoadedObject[],
  namespaces: Map<string, Namespace>,
  revisions: Revisions = NO_REVISIONS,
  meshes: RevisionMeshes | null = null,
  problems: InputProblem[] | null = null,
): Workload[] {
  // Owner lookups are only needed for live pods; manifests without pods skip the index (and its
  // 10k key strings) entirely.
  const byKindName = new Map<string, LoadedObject>();
  const hasPods = objects.some((o) => o.object.kind === "Pod");
  if (hasPods)
    for (const o of objects) {
      if (!WORKLOAD_KINDS.has(o.object.kind)) continue;
      byKindName.set(
        `${o.object.kind}/${o.object.metadata.namespace ?? "default"}/${o.object.metadata.name}`,
        o,
      );
    }
  const podsByOwner = new Map<string, LoadedObject[]>();
  if (hasPods)
    for (const o of objects) {
      if (o.object.kind !== "Pod") continue;
      const owner = podOwnerKey(o, byKindName);
      const key = `${owner.kind}/${o.object.metadata.namespace ?? "default"}/${owner.name}`;
      const list = podsByOwner.get(key);
      if (list) list.push(o);
      else podsByOwner.set(key, [o]);
    }

  const out: Workload[] = [];
  // kind → namespace → names: nested maps of the objects' own strings, so no key string is built
  // per workload (building and hashing "Kind/ns/name" was a measurable part of the model).
  const seen = new Map<string, Map<string, Set<string>>>();
  const firstTime = (kind: string, namespace: string, name: string): boolean => {
    let byNs = seen.get(kind);
    if (!byNs) seen.set(kind, (byNs = new Map()));
    let names = byNs.get(namespace);
    if (!names) byNs.set(namespace, (names = new Set()));
    if (names.has(name)) return false;
    names.add(name);
    return true;
  };
  const NO_PODS: LoadedObject[] = [];
  const add = (
    kind: string,
    name: string,
    namespace: string,
    template: LoadedObject,
    pods: LoadedObject[],
  ) => {
    const live = pods.length > 0;
    const view = viewPod(live ? pods[0]!.object : podTemplateOf(template));
    out.push(
      buildWorkload(
        kind,
        name,
        namespace,
        view,
        namespaces.get(namespace),
        pods,
        template,
        revisions,
        meshes,
        problems,
      ),
    );
  };

  for (const o of objects) {
    const kind = o.object.kind;
    if (!WORKLOAD_KINDS.has(kind) || kind === "Pod") continue;
    const ownerKind = ownerOf(o)?.kind;
    // A ReplicaSet owned by a Deployment, or a Job owned by a CronJob, is part of its owner.
    if ((kind === "ReplicaSet" && ownerKind === "Deployment") || (kind === "Job" && ownerKind === "CronJob"))
      continue;
    const ns = o.object.metadata.namespace ?? "default";
    const name = o.object.metadata.name;
    if (!firstTime(kind, ns, name)) continue;
    add(
      kind,
      name,
      ns,
      o,
      podsByOwner.size > 0 ? (podsByOwner.get(`${kind}/${ns}/${name}`) ?? NO_PODS) : NO_PODS,
    );
  }
  // Pods whose owner was not among the inputs still form a workload of their own.
  for (const [key, pods] of podsByOwner) {
    const [kind, namespace, name] = key.split("/") as [string, string, string];
    if (!firstTime(kind, namespace, name)) continue;
    add(kind, name, namespace, pods[0]!, pods);
  }
  return out;
}
