// What a meshed Linkerd pod's proxy does with an unauthenticated (plaintext, or non-mesh TLS) caller on
// a port (other-meshes.md §1.6-§1.7; linkerd.io features/server-policy.md): the Server that takes the
// port decides (it denies whatever no authorization admits); else the pod's default inbound policy.
// all-unauthenticated, audit and cluster-unauthenticated admit it (cluster-unauthenticated only from
// clusterNetworks, which every pod of the cluster is taken to be in); all-authenticated,
// cluster-authenticated and deny refuse it: denied HTTP gets a 403, anything else a closed connection.
// Linkerd's STRICT and PERMISSIVE, for the snapshot's modes and the edge matrix. Who among meshed
// clients may call (identities, deny for everyone) is authorization, which Handshake does not judge.
import type { MeshModel, Workload } from "../model/mesh";
import { serverLocks, serverOfPort } from "../model/linkerdPolicy";

const ANNOTATION = "config.linkerd.io/default-inbound-policy";
/** The values Linkerd accepts (policy controller DefaultPolicy::from_str); any other is ignored. */
const POLICIES = new Set(["all-unauthenticated", "all-authenticated", "cluster-authenticated", "cluster-unauthenticated", "deny", "audit"]);
const ADMITS_UNAUTHENTICATED = new Set(["all-unauthenticated", "cluster-unauthenticated", "audit"]);
const known = (v: string | null | undefined): v is string => v !== undefined && v !== null && POLICIES.has(v);

/** Linkerd's STRICT or PERMISSIVE for a default policy: whether it refuses unauthenticated callers. */
export const defaultPolicyMode = (policy: string): "STRICT" | "PERMISSIVE" => (ADMITS_UNAUTHENTICATED.has(policy) ? "PERMISSIVE" : "STRICT");

export interface LinkerdDefault {
  /** The policy; null when the workload's pods were started with different ones. */
  policy: string | null;
  /** Where it comes from, worded to follow the policy in parentheses (or, when null, the pods' policies). */
  from: string;
}

/**
 * A namespace's default inbound policy: its annotation, else the cluster default (linkerd-config's
 * proxy.defaultInboundPolicy), else Linkerd's own default, all-unauthenticated.
 */
export function linkerdNamespaceDefault(model: MeshModel, namespace: string): LinkerdDefault {
  const ns = model.namespaces.get(namespace)?.annotations[ANNOTATION];
  if (known(ns)) return { policy: ns, from: `namespace ${namespace}'s ${ANNOTATION}` };
  const config = model.linkerdConfig;
  if (config && known(config.defaultInboundPolicy)) return { policy: config.defaultInboundPolicy, from: `the cluster default proxy.defaultInboundPolicy in ConfigMap ${config.namespace}/linkerd-config` };
  return { policy: "all-unauthenticated", from: "Linkerd's default" };
}

/**
 * A meshed workload's default inbound policy. A running proxy's is fixed when the pod starts: the
 * injector writes the pod's annotation, else its namespace's, else the cluster default into its env
 * (LINKERD2_PROXY_INBOUND_DEFAULT_POLICY; charts/partials `_proxy.tpl`), so the live pods' env comes
 * first. Without live pods, the pod template's annotation, then the namespace's (linkerdNamespaceDefault).
 * A value Linkerd does not know is skipped, as its policy controller ignores it.
 */
export function linkerdDefaultPolicy(model: MeshModel, w: Workload): LinkerdDefault {
  let started: Set<string> | null = null;
  for (const p of w.livePods) if (known(p.linkerdDefaultPolicy)) (started ??= new Set()).add(p.linkerdDefaultPolicy);
  if (started?.size === 1) return { policy: [...started][0]!, from: "the env its proxies were started with, LINKERD2_PROXY_INBOUND_DEFAULT_POLICY" };
  if (started) return { policy: null, from: `its pods were started with different default inbound policies (${[...started].sort().join(", ")})` };
  const pod = w.annotations[ANNOTATION];
  if (known(pod)) return { policy: pod, from: `its pods' ${ANNOTATION}` };
  return linkerdNamespaceDefault(model, w.namespace);
}

export interface LinkerdInbound {
  /** STRICT: unauthenticated callers are refused; PERMISSIVE: admitted (at least by some pods). */
  mode: "STRICT" | "PERMISSIVE";
  /** Whether an unauthenticated caller gets through cannot be told from the inputs. */
  undecided: boolean;
  /** Why, worded to follow "<workload> is meshed by Linkerd, and ". */
  why: string;
}

/** The policy a meshed workload's proxy applies to unauthenticated callers on `port` (workload-wide, the default policy, without it). */
export function linkerdInbound(model: MeshModel, w: Workload, port?: number): LinkerdInbound {
  const policy = model.linkerdPolicy;
  const server = port === undefined ? null : serverOfPort(policy, w, port);
  if (server) {
    const name = `Server ${server.namespace}/${server.name} takes its port ${port}`;
    if (!serverLocks(policy, server)) return { mode: "PERMISSIVE", undecided: false, why: `${name} and admits unauthenticated clients` };
    // A route opened to unauthenticated clients (a probe or metrics path) may be this Server's.
    if (policy.openRouteNamespaces.has(server.namespace))
      return { mode: "STRICT", undecided: true, why: `${name} and denies what no authorization admits, and an AuthorizationPolicy in namespace ${server.namespace} admits unauthenticated clients on some HTTPRoute or GRPCRoute, maybe this Server's` };
    return { mode: "STRICT", undecided: false, why: `${name} and admits no unauthenticated client (Linkerd denies what no authorization admits)` };
  }
  const d = linkerdDefaultPolicy(model, w);
  if (d.policy === null) return { mode: "PERMISSIVE", undecided: true, why: d.from };
  const subject = port === undefined ? "it takes" : `its port ${port} takes`;
  if (defaultPolicyMode(d.policy) === "PERMISSIVE") return { mode: "PERMISSIVE", undecided: false, why: `${subject} the default inbound policy ${d.policy} (${d.from})` };
  const refuses = d.policy === "deny" ? "which denies every call" : "which admits only meshed clients";
  return { mode: "STRICT", undecided: false, why: `${subject} the default inbound policy ${d.policy} (${d.from}), ${refuses}` };
}
