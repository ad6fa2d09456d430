// What a meshed Linkerd pod's proxy does with an unauthenticated (plaintext, or non-mesh TLS) caller on
// a port (other-meshes.md §1.6-§1.7; linkerd.io features/server-policy.md): the Server that takes the
// port decides (it denies whatever no authorization admits; one opened from some networks only leaves
// it undecided); else the pod's default inbound policy, which config.linkerd.io/proxy-require-
// identity-inbound-ports makes authenticated-only on the ports it lists.
// all-unauthenticated, audit and cluster-unauthenticated admit it (cluster-unauthenticated only from
// clusterNetworks, which every pod of the cluster is taken to be in); all-authenticated,
// cluster-authenticated and deny refuse it: denied HTTP gets a 403, anything else a closed connection.
// Linkerd's STRICT and PERMISSIVE, for the snapshot's modes and the edge matrix. Who among meshed
// clients may call (identities, deny for everyone) is authorization, which Handshake does not judge.
import type { LivePod, MeshModel, Workload } from "../model/mesh";
import {
  byWhy,
  narrowOpeningsOf,
  networksText,
  openingAdmitting,
  serverOfPort,
  serverOpensToEveryAddress,
  wideOpeningsOf,
  type LinkerdPolicy,
  type LinkerdServer,
  type NarrowOpening,
} from "../model/linkerdPolicy";
import { ipValue, NETIP } from "../model/ipAddress";
import { inPortRuns, linkerdPolicyPortRuns } from "../model/read";
import { ADMITS_UNAUTHENTICATED, LINKERD_POLICIES } from "../model/linkerdPolicyValues";
import { linkerdInitBypass, type InitBypass } from "./linkerdInit";

const ANNOTATION = "config.linkerd.io/default-inbound-policy";
const REQUIRE_IDENTITY = "config.linkerd.io/proxy-require-identity-inbound-ports";
/** The admitting defaults config.linkerd.io/proxy-require-identity-inbound-ports tightens (DefaultPolicy::Allow; not audit). */
const REQUIRE_APPLIES = new Set(["all-unauthenticated", "cluster-unauthenticated"]);
const known = (v: string | null | undefined): v is string =>
  v !== undefined && v !== null && LINKERD_POLICIES.has(v);

/** Linkerd's STRICT or PERMISSIVE for a default policy: whether it refuses unauthenticated callers. */
export const defaultPolicyMode = (policy: string): "STRICT" | "PERMISSIVE" =>
  ADMITS_UNAUTHENTICATED.has(policy) ? "PERMISSIVE" : "STRICT";

export interface LinkerdDefault {
  /** The policy; null when it cannot be told (the workload's pods take different ones, or a proxy may not ask the policy controller). */
  policy: string | null;
  /** Where it comes from, worded to follow the policy in parentheses (or, when null, why it cannot be told). */
  from: string;
}

const ENV = "LINKERD2_PROXY_INBOUND_DEFAULT_POLICY";
const clusterDefaultFrom = (namespace: string) =>
  `the cluster default proxy.defaultInboundPolicy in ConfigMap ${namespace}/linkerd-config`;
const envFrom = `the env its proxies were started with, ${ENV}; neither a default-inbound-policy annotation on its pods nor linkerd-config is among the inputs`;
/** A default that is told (the pods' may not be: LinkerdDefault). */
interface KnownDefault {
  policy: string;
  from: string;
}

const LINKERD_DEFAULT: KnownDefault = { policy: "all-unauthenticated", from: "Linkerd's default" };

/** The linkerd-configs disagree on the default, and the pods' own control plane does not pick one of them. */
const DISAGREE = "disagree";

/**
 * The policy controller's own default (its --default-policy, rendered from proxy.defaultInboundPolicy,
 * which linkerd-config's values hold), when among the inputs. Where the linkerd-configs disagree, the
 * one of the pods' own control plane (`controlPlane`: their _l5d_ns), else DISAGREE: never the first
 * config by namespace, whose name would then decide for every pod.
 */
function clusterDefault(
  model: MeshModel,
  controlPlane: string | undefined,
): KnownDefault | null | typeof DISAGREE {
  const config = model.linkerdConfig;
  if (!config) return null;
  if (config.defaultPolicyAgreed)
    return known(config.defaultInboundPolicy)
      ? { policy: config.defaultInboundPolicy, from: clusterDefaultFrom(config.namespace) }
      : null;
  const own = controlPlane === undefined ? undefined : config.defaultByNamespace.get(controlPlane);
  return controlPlane !== undefined && known(own)
    ? { policy: own, from: clusterDefaultFrom(controlPlane) }
    : DISAGREE;
}

const disagreeFrom = (model: MeshModel) =>
  `the linkerd-configs among the inputs (namespaces ${[...(model.linkerdConfig?.defaultByNamespace.keys() ?? [])].sort().join(", ")}) give different default inbound policies, and which control plane serves its pods cannot be told`;

/** The control plane (_l5d_ns) every running Linkerd pod of a namespace names, when they agree. */
function namespaceControlPlane(model: MeshModel, namespace: string): string | undefined {
  let out: string | null | undefined;
  for (const w of model.workloadsByNamespace.get(namespace) ?? [])
    for (const p of w.dataplane === "linkerd" ? w.livePods : [])
      out = out === undefined || out === p.linkerdControlPlaneNs ? (p.linkerdControlPlaneNs ?? null) : null;
  return out ?? undefined;
}

/**
 * A namespace's default inbound policy, for the pods created there from now on: its annotation (the
 * injector copies it onto each pod it creates, AppendNamespaceAnnotations), else the cluster default
 * (linkerd-config; where configs disagree, that of the control plane its running pods name), else the
 * one its running pods without an annotation were started with when they agree (the cluster default
 * when they were injected), else Linkerd's own default, all-unauthenticated.
 */
export function linkerdNamespaceDefault(model: MeshModel, namespace: string): KnownDefault {
  const ns = model.namespaces.get(namespace)?.annotations[ANNOTATION];
  if (known(ns)) return { policy: ns, from: `namespace ${namespace}'s ${ANNOTATION}` };
  const cluster = clusterDefault(model, namespaceControlPlane(model, namespace));
  if (cluster !== null && cluster !== DISAGREE) return cluster;
  let started: string | null | undefined;
  for (const w of model.workloadsByNamespace.get(namespace) ?? [])
    for (const p of w.dataplane === "linkerd" ? w.livePods : [])
      if (!known(p.linkerdPolicyAnnotation) && known(p.linkerdDefaultPolicy))
        started = started === undefined || started === p.linkerdDefaultPolicy ? p.linkerdDefaultPolicy : null;
  return started ? { policy: started, from: envFrom } : LINKERD_DEFAULT;
}

/** One pod as Linkerd's policy controller and its proxy see it: the annotations the controller reads, and the proxy's env. */
export interface PodView {
  policy: string | undefined;
  /** Where the policy annotation comes from, worded to follow the policy in parentheses. */
  policyFrom: string;
  requireIdentity: string | undefined;
  requireFrom: string;
  /** The proxy's env; undefined for a pod yet to be injected (the injector writes it from the same annotations). */
  envPolicy: string | undefined;
  envRequireIdentity: string | undefined;
  /** The proxy asks the policy controller (LINKERD2_PROXY_POLICY_SVC_ADDR), or has no env of its own yet. */
  discovers: boolean;
  /** The control plane's namespace its proxy names (_l5d_ns); undefined for a pod yet to be injected. */
  controlPlane: string | undefined;
}

const ON_PODS = (key: string) => `its pods' ${key}`;

function podView(p: LivePod): PodView {
  return {
    policy: p.linkerdPolicyAnnotation,
    policyFrom: ON_PODS(ANNOTATION),
    requireIdentity: p.linkerdRequireIdentity,
    requireFrom: ON_PODS(REQUIRE_IDENTITY),
    envPolicy: p.linkerdDefaultPolicy,
    envRequireIdentity: p.linkerdRequireIdentityEnv,
    discovers: p.linkerdPolicyDiscovery === true,
    controlPlane: p.linkerdControlPlaneNs,
  };
}

/**
 * A meshed workload's pods as the policy controller sees them: the live pods (their current
 * annotations), else the template as its pods will be. The injector copies the namespace's
 * annotations onto a pod that has none of its own (AppendNamespaceAnnotations, pod over namespace:
 * GetConfigOverride), but never onto a template that already carries linkerd-proxy, which it skips.
 */
export function linkerdPods(model: MeshModel, w: Workload): readonly PodView[] {
  if (w.livePods.length > 0) return w.livePods.map(podView);
  if (w.linkerdTemplate) return [podView(w.linkerdTemplate)];
  const ns = model.namespaces.get(w.namespace)?.annotations ?? {};
  const inherited = (key: string) =>
    w.annotations[key] !== undefined
      ? { value: w.annotations[key], from: ON_PODS(key) }
      : { value: ns[key], from: `namespace ${w.namespace}'s ${key}` };
  const policy = inherited(ANNOTATION);
  const require = inherited(REQUIRE_IDENTITY);
  return [
    {
      policy: policy.value,
      policyFrom: policy.from,
      requireIdentity: require.value,
      requireFrom: require.from,
      envPolicy: undefined,
      envRequireIdentity: undefined,
      discovers: true,
      controlPlane: undefined,
    },
  ];
}

/**
 * One pod's default policy. Linkerd's policy controller gives each port of a pod `settings.default_policy
 * .unwrap_or(config.default_policy)` (index inbound/index.rs `default_inbound_server`): the pod's
 * current annotation (one Linkerd does not know is ignored, DefaultPolicy::from_str), else its own
 * --default-policy, which linkerd-config's values hold. The proxy asks it for every port
 * (linkerd2-proxy inbound/src/policy/store.rs `Dynamic::check_policy`) and uses its env default only
 * until the answer comes; newer proxies ignore that env altogether. So the env decides only where the
 * controller's inputs are not among ours (no annotation, no linkerd-config: it is then the cluster
 * default the pod was injected with), or for a proxy without policy discovery (`Config::Fixed`): when
 * the env differs from the controller's answer and the env does not show policy discovery, which one
 * applies cannot be told.
 */
function podDefault(model: MeshModel, p: PodView): LinkerdDefault {
  const cluster = known(p.policy) ? null : clusterDefault(model, p.controlPlane);
  if (cluster === DISAGREE) return { policy: null, from: disagreeFrom(model) };
  const controller = known(p.policy) ? { policy: p.policy, from: p.policyFrom } : cluster;
  if (controller === null)
    return known(p.envPolicy) ? { policy: p.envPolicy, from: envFrom } : LINKERD_DEFAULT;
  if (known(p.envPolicy) && p.envPolicy !== controller.policy && !p.discovers)
    return {
      policy: null,
      from: `its proxies were started with the default inbound policy ${p.envPolicy} (${ENV}) while Linkerd's policy controller gives ${controller.policy} (${controller.from}), and whether they ask the controller cannot be told (their env has no LINKERD2_PROXY_POLICY_SVC_ADDR)`,
    };
  return controller;
}

/**
 * A meshed workload's default inbound policy: its pods' (podDefault), null when they differ or one
 * cannot be told. `pods`: linkerdPods(model, w), when the caller keeps them (the resolver does).
 */
export function linkerdDefaultPolicy(
  model: MeshModel,
  w: Workload,
  pods = linkerdPods(model, w),
): LinkerdDefault {
  let out: LinkerdDefault | null = null;
  const policies = new Set<string>();
  for (const p of pods) {
    const d = podDefault(model, p);
    if (d.policy === null) return d;
    policies.add(d.policy);
    if (out === null || d.from < out.from) out = d;
  }
  if (policies.size > 1)
    return {
      policy: null,
      from: `its pods take different default inbound policies (${[...policies].sort().join(", ")})`,
    };
  return out ?? LINKERD_DEFAULT;
}

/**
 * Whether `port` of a meshed workload requires a mesh identity by config.linkerd.io/proxy-require-
 * identity-inbound-ports: the policy controller reads it from the pod's annotations (Settings::
 * from_metadata, parse_portset) and, on a port without a Server, makes an Allow default
 * (all-/cluster-unauthenticated) authenticated-only (`default_inbound_server`; audit and deny are
 * left as they are). A proxy without policy discovery applies its env
 * LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY instead: where that differs for the port and the env
 * does not show discovery, null (cannot be told); null too when the pods differ.
 */
export function linkerdRequiresIdentity(
  model: MeshModel,
  w: Workload,
  port: number,
  pods = linkerdPods(model, w),
): { required: boolean | null; from: string } {
  let required: boolean | undefined;
  let from = "";
  for (const p of pods) {
    const annotated = inPortRuns(linkerdPolicyPortRuns(p.requireIdentity), port);
    if (
      p.envRequireIdentity !== undefined &&
      !p.discovers &&
      inPortRuns(linkerdPolicyPortRuns(p.envRequireIdentity), port) !== annotated
    )
      return {
        required: null,
        from: `its proxies' env LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY and ${p.requireFrom} disagree on port ${port}, and whether they ask Linkerd's policy controller cannot be told`,
      };
    if (required !== undefined && required !== annotated)
      return { required: null, from: `its pods' ${REQUIRE_IDENTITY} differ on port ${port}` };
    required = annotated;
    if (annotated && (from === "" || p.requireFrom < from)) from = p.requireFrom;
  }
  return { required: required ?? false, from };
}

export interface LinkerdInbound {
  /** STRICT: unauthenticated callers are refused; PERMISSIVE: admitted (at least by some pods). */
  mode: "STRICT" | "PERMISSIVE";
  /** Whether an unauthenticated caller gets through cannot be told from the inputs. */
  undecided: boolean;
  /** Why, worded to follow "<workload> is meshed by Linkerd, and ". */
  why: string;
  /**
   * The caller's address may change the answer, so each unauthenticated caller with known addresses is
   * asked again (linkerdCallerInbound): its Server (or the cluster-unauthenticated default) admits
   * them from some networks only (undecided when those leave out some callers; PERMISSIVE, decided,
   * when they cover the cluster's networks); or a refusal's linkerd-init skips some subnets
   * (undecided); or a refusal where an IPv6 caller may bypass the proxy (decided; pastInit).
   */
  byNetwork?: true;
  /** Admitted because linkerd-init lets the connection past the proxy (pastInit): the reason says so. */
  bypassed?: true;
}

/**
 * The policy a meshed workload's proxy applies to unauthenticated callers on `port` (workload-wide, the
 * default policy, without it). `pods`: linkerdPods(model, w), when the caller keeps them; read only
 * where no Server takes the port. Callers go through Resolver.linkerdInbound, which memoises it.
 */
export function linkerdInbound(
  model: MeshModel,
  w: Workload,
  port?: number,
  pods?: readonly PodView[],
): LinkerdInbound {
  return port === undefined
    ? policyInbound(model, w, port, pods)
    : pastInit(model, w, port, policyInbound(model, w, port, pods));
}

/**
 * A refusal, less what linkerd-init lets past the proxy without asking the policy (linkerdInit.ts):
 * the port it skips is admitted; where what it skips cannot be told, nothing is decided; where it
 * skips subnets, the caller's address decides (`byNetwork`, linkerdCallerInbound), else undecided.
 * An admission stands whatever linkerd-init does: bypassed or not, the app takes plaintext.
 */
function pastInit(model: MeshModel, w: Workload, port: number, refusal: LinkerdInbound): LinkerdInbound {
  if (refusal.mode !== "STRICT" || refusal.undecided) return refusal;
  const bypass = linkerdInitBypass(model, w);
  if (bypass === null) return initUnknown(refusal);
  if (inPortRuns(bypass.ports, port)) return portBypassed(bypass, port);
  // Decided for a caller of unknown address; one with an IPv6 address is looked at (v6Caller), which
  // only a mesh with some IPv6 pod can have: elsewhere no caller is asked again, edge by edge.
  if (bypass.subnets.length === 0)
    return model.linkerdConfig?.ipv6 === true || !hasIpv6Pod(model)
      ? refusal
      : { ...refusal, byNetwork: true };
  return {
    mode: "STRICT",
    undecided: true,
    byNetwork: true,
    why: `${refusal.why}, unless the caller is in ${skippedText(bypass)}, whose connections bypass the Linkerd proxy`,
  };
}

const initUnknown = (refusal: LinkerdInbound): LinkerdInbound => ({
  mode: "STRICT",
  undecided: true,
  why: `${refusal.why}, unless linkerd-init lets the call past the proxy, and which ports and subnets it skips cannot be told`,
});
const portBypassed = (bypass: InitBypass, port: number): LinkerdInbound => ({
  mode: "PERMISSIVE",
  undecided: false,
  bypassed: true,
  why: `its port ${port} is one linkerd-init skips (${bypass.portsFrom}), so connections to it bypass the Linkerd proxy and neither side encrypts`,
});
const skippedText = (bypass: InitBypass) =>
  `the subnets linkerd-init skips, ${networksText(bypass.subnets)} (${bypass.subnetsFrom})`;

/** linkerdInbound's policy alone, before linkerd-init (pastInit). */
function policyInbound(
  model: MeshModel,
  w: Workload,
  port?: number,
  pods?: readonly PodView[],
): LinkerdInbound {
  const policy = model.linkerdPolicy;
  const server = port === undefined ? null : serverOfPort(policy, w, port);
  if (server) {
    const name = `Server ${server.namespace}/${server.name} takes its port ${port}`;
    if (serverOpensToEveryAddress(policy, server))
      return { mode: "PERMISSIVE", undecided: false, why: `${name} and admits unauthenticated clients` };
    // From the cluster's networks, which every pod is taken to be in unless its address says otherwise.
    if (wideOpeningsOf(policy, server).length > 0)
      return {
        mode: "PERMISSIVE",
        undecided: false,
        byNetwork: true,
        why: `${name} and admits unauthenticated clients`,
      };
    // Admitted from some networks only: whether this caller is in them is its address's business,
    // which the inputs do not give (a Server opened for an ingress node's /32, say).
    const narrow = narrowOpeningsOf(policy, server);
    if (narrow.length > 0)
      return {
        mode: "PERMISSIVE",
        undecided: true,
        byNetwork: true,
        why: `${name} and admits unauthenticated clients only from some networks (${narrow.map((n) => n.why).join("; ")}), which the caller may or may not be in`,
      };
    // A route opened to unauthenticated clients (a probe or metrics path) may be this Server's.
    if (policy.openRouteNamespaces.has(server.namespace))
      return {
        mode: "STRICT",
        undecided: true,
        why: `${name} and denies what no authorization admits, and an AuthorizationPolicy in namespace ${server.namespace} admits unauthenticated clients on some HTTPRoute or GRPCRoute, maybe this Server's`,
      };
    return {
      mode: "STRICT",
      undecided: false,
      why: `${name} and admits no unauthenticated client (Linkerd denies what no authorization admits)`,
    };
  }
  const ofPods = pods ?? linkerdPods(model, w);
  const d = linkerdDefaultPolicy(model, w, ofPods);
  if (d.policy === null) return { mode: "PERMISSIVE", undecided: true, why: d.from };
  const subject = port === undefined ? "it takes" : `its port ${port} takes`;
  if (port !== undefined && REQUIRE_APPLIES.has(d.policy)) {
    const r = linkerdRequiresIdentity(model, w, port, ofPods);
    if (r.required === null)
      return {
        mode: "PERMISSIVE",
        undecided: true,
        why: `${subject} the default inbound policy ${d.policy} (${d.from}), but ${r.from}`,
      };
    if (r.required)
      return {
        mode: "STRICT",
        undecided: false,
        why: `its port ${port} requires a mesh identity (${r.from}) over the default inbound policy ${d.policy} (${d.from}), so it admits only meshed clients`,
      };
  }
  // cluster-unauthenticated admits the cluster networks only (defaults.rs default_client_authz): where
  // linkerd-config gives them, the caller's address decides (linkerdCallerInbound), as for a Server.
  const byNetwork =
    port !== undefined &&
    d.policy === "cluster-unauthenticated" &&
    model.linkerdPolicy.clusterNetworks !== null
      ? { byNetwork: true as const }
      : {};
  if (defaultPolicyMode(d.policy) === "PERMISSIVE")
    return {
      mode: "PERMISSIVE",
      undecided: false,
      ...byNetwork,
      why: `${subject} the default inbound policy ${d.policy} (${d.from})`,
    };
  const refuses = d.policy === "deny" ? "which denies every call" : "which admits only meshed clients";
  return {
    mode: "STRICT",
    undecided: false,
    why: `${subject} the default inbound policy ${d.policy} (${d.from}), ${refuses}`,
  };
}

/**
 * What `port` of a meshed workload does with one unauthenticated caller whose Server is opened to some
 * networks only (linkerdInbound's `byNetwork`: narrow openings, or wide ones covering the cluster's
 * networks, which Linkerd checks all the same), decided by the caller's pods' addresses
 * (LivePod.ips): admitted when every pod is inside an opening (openingAdmitting), refused when every pod
 * is outside all of them. Null where that cannot be told, or where linkerdInbound's answer stands: no
 * such Server on the port, a caller without running pods, a pod without an address (or one that does
 * not parse), pods that disagree, a dual-stack pod whose families disagree (which one a connection
 * takes follows the address it calls), or a hostNetwork pod (its listed addresses are its node's, not
 * the source its connections carry: LivePod.hostNetwork). Terminal pods (LivePod.terminal) are left
 * out: a caller with no other pod has no address. A refused caller whose Server's namespace opens some
 * route to unauthenticated clients stays undecided, as linkerdInbound's locked Server does. The
 * policy comes first: an admission stands. A refusal (by the caller's address, or linkerdInbound's own
 * with `byNetwork` for skipped subnets) then asks what linkerd-init lets past the proxy
 * (linkerdInit.ts): a skipped port, or a caller wholly in a skipped subnet, is admitted; one partly
 * inside, or skips that cannot be told, leave it undecided; else the refusal stands.
 */
export function linkerdCallerInbound(
  model: MeshModel,
  w: Workload,
  port: number,
  caller: Workload,
): LinkerdInbound | null {
  if (caller.livePods.length === 0) return null;
  // The policy first: an admission stands whatever linkerd-init does; only a refusal asks what it skips.
  const byPolicy = policyByCaller(model, w, port, caller);
  const answer = byPolicy ?? policyInbound(model, w, port);
  if (answer.mode !== "STRICT" || answer.undecided) return byPolicy;
  const bypass = linkerdInitBypass(model, w);
  if (bypass === null) return initUnknown(answer);
  if (inPortRuns(bypass.ports, port)) return portBypassed(bypass, port);
  const bypassed = bypassOf(bypass, caller);
  if (bypassed === undefined) {
    if (v6Caller(model, caller)) return v6Unknown(answer);
    // pastInit's refusal, decided already, stands as it is.
    return byPolicy === null && bypass.subnets.length === 0 ? null : answer;
  }
  return (
    bypassed ?? {
      mode: "STRICT",
      undecided: true,
      why: `${answer.why}, unless the caller's pods are in ${skippedText(bypass)}, which cannot be told for all of them`,
    }
  );
}

/**
 * A caller with an IPv6 address whose connections Linkerd may not intercept: linkerd-init leaves IPv6
 * alone unless linkerd-config says `disableIPv6: false` (the chart's default is true; proxy-init
 * `--ipv6=false`), and then they reach the app past the proxy and its policy (reviews/round6.md #1).
 */
function v6Caller(model: MeshModel, caller: Workload): boolean {
  if (model.linkerdConfig?.ipv6 === true) return false;
  return hasIpv6Address(caller);
}

const hasIpv6Address = (w: Workload) =>
  w.livePods.some((p) => !p.terminal && (p.ips ?? []).some((ip) => ip.includes(":")));
const ipv6Pods = new WeakMap<MeshModel, boolean>();
/** Whether any running pod of the model has an IPv6 address (once per model). */
function hasIpv6Pod(model: MeshModel): boolean {
  let v = ipv6Pods.get(model);
  if (v === undefined) ipv6Pods.set(model, (v = model.workloads.some(hasIpv6Address)));
  return v;
}

const v6Unknown = (refusal: LinkerdInbound): LinkerdInbound => ({
  mode: "STRICT",
  undecided: true,
  why: `${refusal.why}, unless the caller's IPv6 connections bypass the Linkerd proxy (it intercepts IPv6 only with disableIPv6: false in linkerd-config)`,
});

/** linkerdCallerInbound's policy answer, before linkerd-init; null where policyInbound's answer stands. */
function policyByCaller(
  model: MeshModel,
  w: Workload,
  port: number,
  caller: Workload,
): LinkerdInbound | null {
  const policy = model.linkerdPolicy;
  if (
    policy.narrowOpenings.length === 0 &&
    policy.wideOpenings.length === 0 &&
    policy.clusterNetworks === null
  )
    return null;
  const server = serverOfPort(policy, w, port);
  if (server === null) return defaultByCaller(model, w, port, caller);
  if (serverOpensToEveryAddress(policy, server)) return null;
  const narrow = serverOpenings(policy, server);
  if (narrow.length === 0) return null;
  const decided = callerAdmitted(narrow, caller, model.linkerdConfig?.ipv6 === true);
  if (decided === null) return null;
  const name = `Server ${server.namespace}/${server.name} takes its port ${port}`;
  const pods = `the caller's pods (${shownIps(decided.ips)})`;
  if (decided.admitted.length > 0)
    return {
      mode: "PERMISSIVE",
      undecided: false,
      why: `${name} and admits ${pods} as unauthenticated clients (${decided.admitted.join("; ")})`,
    };
  const refused = `${name} and admits unauthenticated clients only from some networks (${narrow.map((n) => n.why).join("; ")}), which leave out ${pods}`;
  if (policy.openRouteNamespaces.has(server.namespace))
    return {
      mode: "STRICT",
      undecided: true,
      why: `${refused}, but an AuthorizationPolicy in namespace ${server.namespace} admits unauthenticated clients on some HTTPRoute or GRPCRoute, maybe this Server's`,
    };
  return {
    mode: "STRICT",
    undecided: false,
    why: `${refused} (Linkerd denies what no authorization admits)`,
  };
}

/**
 * A port without a Server under the default inbound policy cluster-unauthenticated (linkerdInbound's
 * `byNetwork` there): the caller's addresses against the cluster networks linkerd-config gives, as
 * linkerdCallerInbound does for a Server; null where linkerdInbound's answer stands.
 */
function defaultByCaller(
  model: MeshModel,
  w: Workload,
  port: number,
  caller: Workload,
): LinkerdInbound | null {
  const inbound = policyInbound(model, w, port);
  const networks = model.linkerdPolicy.clusterNetworks;
  if (inbound.byNetwork !== true || networks === null) return null;
  // A Server the reader could not list may take the port.
  const unread = model.linkerdPolicy.serversUnread;
  if (unread.has("") || unread.has(w.namespace)) return null;
  // Control planes whose default policies differ: podDefault takes the pods' own control plane's, or
  // leaves the policy untold (no byNetwork then).
  const from = `the cluster networks ${networksText(networks)} (clusterNetworks in linkerd-config)`;
  const decided = callerAdmitted(
    [{ namespace: w.namespace, why: from, networks }],
    caller,
    model.linkerdConfig?.ipv6 === true,
  );
  if (decided === null) return null;
  const pods = `the caller's pods (${shownIps(decided.ips)})`;
  if (decided.admitted.length > 0)
    return {
      mode: "PERMISSIVE",
      undecided: false,
      why: `${inbound.why}, which admits ${pods} as unauthenticated clients (from ${from})`,
    };
  return {
    mode: "STRICT",
    undecided: false,
    why: `${inbound.why}, which admits unauthenticated clients only from ${from}, which leave out ${pods}`,
  };
}

/**
 * A caller linkerd-init lets past the proxy: every address of its pods is in a subnet it skips
 * (PERMISSIVE: neither side encrypts, the app takes it). Null when the caller's pods are partly inside
 * (or their addresses cannot be told); undefined when linkerd-init lets it through to the proxy.
 */
function bypassOf(bypass: InitBypass, caller: Workload): LinkerdInbound | null | undefined {
  if (bypass.subnets.length === 0) return undefined;
  const skipped = skippedText(bypass);
  const inside = callerAdmitted([{ namespace: "", why: skipped, networks: bypass.subnets }], caller, true);
  if (inside === null) return null;
  if (inside.admitted.length === 0) return undefined;
  return {
    mode: "PERMISSIVE",
    undecided: false,
    why: `the caller's pods (${shownIps(inside.ips)}) are in ${skipped}, so their connections bypass the Linkerd proxy and neither side encrypts`,
  };
}

/** The openings, wide and narrow, that admit unauthenticated clients to a Server from some networks, sorted by `why`. */
function serverOpenings(policy: LinkerdPolicy, server: LinkerdServer): NarrowOpening[] {
  const wide = wideOpeningsOf(policy, server);
  const narrow = narrowOpeningsOf(policy, server);
  if (wide.length === 0) return narrow;
  return [...wide, ...narrow].sort(byWhy);
}

/** One parsed address of a caller's pod. */
interface CallerIp {
  ip: string;
  v6: boolean;
  value: bigint;
}

/**
 * IPv4 first, then by numeric value, then by spelling (2001:DB8::A before 2001:db8::a): a fixed order,
 * whatever the order of the pods among the inputs.
 */
const byAddress = (a: CallerIp, b: CallerIp) =>
  a.v6 !== b.v6
    ? a.v6
      ? 1
      : -1
    : a.value < b.value
      ? -1
      : a.value > b.value
        ? 1
        : a.ip < b.ip
          ? -1
          : a.ip > b.ip
            ? 1
            : 0;

/** Sorted by byAddress, each address once (the first spelling of it in that order). */
function distinctAddresses(ips: CallerIp[]): CallerIp[] {
  return ips
    .sort(byAddress)
    .filter((x, i, all) => i === 0 || all[i - 1]!.v6 !== x.v6 || all[i - 1]!.value !== x.value);
}

/** The caller's pod addresses for a reason, in byAddress order: the first three, and how many more. */
function shownIps(parsed: readonly CallerIp[]): string {
  const ips = parsed.map((x) => x.ip);
  return ips.length <= 3 ? ips.join(", ") : `${ips.slice(0, 3).join(", ")} and ${ips.length - 3} more`;
}

/**
 * The caller's non-terminal pods' addresses (distinctAddresses) and the wording of the openings
 * admitting them (sorted, once each; empty: every address refused), or null when there is no such pod,
 * one is hostNetwork or has no address, one address does not parse, or the answers differ. An IPv6
 * address no opening admits is null too unless `ipv6` (linkerd-config says Linkerd intercepts IPv6,
 * LinkerdConfig.ipv6): else its connections may bypass the proxy and reach the app unchecked. One an
 * opening admits is admitted either way.
 */
function callerAdmitted(
  narrow: readonly NarrowOpening[],
  caller: Workload,
  ipv6: boolean,
): { ips: CallerIp[]; admitted: string[] } | null {
  const admitted = new Set<string>();
  const ips: CallerIp[] = [];
  let answer: boolean | undefined;
  for (const p of caller.livePods) {
    if (p.terminal) continue;
    if (p.hostNetwork || p.ips === undefined || p.ips.length === 0) return null;
    for (const ip of p.ips) {
      const value = ipValue(ip, NETIP);
      if (value === null) return null;
      const v6 = ip.includes(":");
      const opening = openingAdmitting(narrow, { v6, lo: value, hi: value });
      if (v6 && opening === null && !ipv6) return null;
      if (answer !== undefined && answer !== (opening !== null)) return null;
      answer = opening !== null;
      if (opening) admitted.add(opening.why);
      ips.push({ ip, v6, value });
    }
  }
  if (answer === undefined) return null;
  return { ips: distinctAddresses(ips), admitted: [...admitted].sort() };
}
