// Linkerd's inbound authorization policy (other-meshes.md §1.6-§1.7), read only as far as one
// question needs: which ports of a meshed pod still accept plaintext from unmeshed clients.
//
// Once a Server selects a pod's port, that port leaves the default inbound policy: traffic is denied
// unless an authorization admits it (accessPolicy, default `deny` since Server v1beta3; earlier
// versions have no field and deny). Unmeshed (plaintext) clients are admitted only by an
// accessPolicy that takes unauthenticated traffic, an AuthorizationPolicy whose required
// authentications include no mesh identity (MeshTLSAuthentication or ServiceAccount: only
// NetworkAuthentication, or none), or a ServerAuthorization with client.unauthenticated.
//
// An AuthorizationPolicy authorises nothing when a MeshTLSAuthentication or NetworkAuthentication it
// requires does not exist: the policy controller fails to build its client authorization and skips
// the policy ("Illegal AuthorizationPolicy; ignoring": PolicyIndex::client_authzs and
// route_client_authzs on the error of policy_client_authz, which bails with "could not find
// MeshTLSAuthentication|NetworkAuthentication {name} in namespace {ns}"; linkerd/linkerd2
// policy-controller/k8s/index/src/inbound/index.rs). A ref without namespace names the policy's.
// ServiceAccount refs are not looked up (the identity is derived from the name).
import type { LoadedObject } from "./input";
import type { Labels, Workload } from "./mesh";
import { arr, at, isObj, portNumber, str, strMap } from "./read";

export interface LabelSelector {
  matchLabels: Labels;
  matchExpressions: { key: string; operator: string; values: string[] }[];
}

export interface LinkerdServer {
  namespace: string;
  name: string;
  labels: Labels;
  podSelector: LabelSelector | null;
  /** spec.port: a container port number or name. */
  port: number | string | null;
  /** Admits unmeshed clients by itself (accessPolicy all-unauthenticated, cluster-unauthenticated or audit). */
  openAccess: boolean;
}

/** An AuthorizationPolicy Linkerd ignores because an authentication it requires does not exist. */
export interface IgnoredAuthorization {
  namespace: string;
  name: string;
  /** spec.targetRef kind and name (a Namespace target covers every Server of the namespace). */
  targetKind: string;
  targetName: string;
  /** The first missing authentication in the order Linkerd resolves them (mesh TLS refs, then network refs). */
  missing: { kind: string; namespace: string; name: string };
}

export interface LinkerdPolicy {
  servers: LinkerdServer[];
  /** Servers (namespace/name) some authorization opens to unauthenticated clients. */
  openServers: Set<string>;
  /** Namespaces where an authorization targeting the namespace or an HTTPRoute admits unauthenticated clients. */
  openNamespaces: Set<string>;
  /** ServerAuthorizations admitting unauthenticated clients by Server selector: namespace and selector. */
  openServerSelectors: { namespace: string; selector: LabelSelector }[];
  /** AuthorizationPolicies that authorise no client: a required authentication is not among the inputs. */
  ignoredAuthorizations: IgnoredAuthorization[];
}

const OPEN_ACCESS = new Set(["all-unauthenticated", "cluster-unauthenticated", "audit"]);
const MESH_IDENTITY = new Set(["MeshTLSAuthentication", "ServiceAccount"]);
/** The authentication kinds policy_client_authz looks up by name. */
const LOOKED_UP = new Set(["MeshTLSAuthentication", "NetworkAuthentication"]);

const isLinkerdPolicy = (o: LoadedObject) => (o.object.apiVersion ?? "").startsWith("policy.linkerd.io/");

function selectorOf(v: unknown): LabelSelector | null {
  if (!isObj(v)) return null;
  const matchExpressions = arr(v.matchExpressions)
    .filter(isObj)
    .map((e) => ({ key: str(e.key) ?? "", operator: str(e.operator) ?? "", values: arr(e.values).filter((x): x is string => typeof x === "string") }));
  return { matchLabels: strMap(v.matchLabels), matchExpressions };
}

/** Kubernetes label-selector semantics (matchLabels and matchExpressions are ANDed; an empty selector matches all). */
export function selects(sel: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case "In":
        if (!has || !e.values.includes(labels[e.key]!)) return false;
        break;
      case "NotIn":
        if (has && e.values.includes(labels[e.key]!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * The first required authentication Linkerd cannot find, in policy_client_authz's order: the mesh TLS
 * refs first (MeshTLSAuthentication is looked up), then the NetworkAuthentication refs. Null when all exist.
 */
function missingAuthentication(refs: unknown[], namespace: string, authentications: ReadonlySet<string>): IgnoredAuthorization["missing"] | null {
  for (const kind of LOOKED_UP)
    for (const r of refs) {
      if (str(at(r, "kind")) !== kind) continue;
      const ns = str(at(r, "namespace")) ?? namespace;
      const name = str(at(r, "name")) ?? "";
      if (!authentications.has(`${kind}/${ns}/${name}`)) return { kind, namespace: ns, name };
    }
  return null;
}

export function readLinkerdPolicy(objects: LoadedObject[]): LinkerdPolicy {
  const out: LinkerdPolicy = { servers: [], openServers: new Set(), openNamespaces: new Set(), openServerSelectors: [], ignoredAuthorizations: [] };
  // Authentications first: an AuthorizationPolicy may come before the object it names.
  const authentications = new Set<string>();
  for (const o of objects)
    if (isLinkerdPolicy(o) && LOOKED_UP.has(o.object.kind)) authentications.add(`${o.object.kind}/${o.object.metadata.namespace ?? "default"}/${o.object.metadata.name}`);
  for (const o of objects) {
    if (!isLinkerdPolicy(o)) continue;
    const namespace = o.object.metadata.namespace ?? "default";
    const spec = at(o.object, "spec");
    switch (o.object.kind) {
      case "Server": {
        const rawPort = at(spec, "port");
        const port = typeof rawPort === "string" && !/^\d+$/.test(rawPort) ? rawPort : (portNumber(rawPort) ?? null);
        out.servers.push({
          namespace,
          name: o.object.metadata.name,
          labels: strMap(o.object.metadata.labels),
          podSelector: selectorOf(at(spec, "podSelector")),
          port,
          openAccess: OPEN_ACCESS.has(str(at(spec, "accessPolicy")) ?? "deny"),
        });
        break;
      }
      case "AuthorizationPolicy": {
        const refs = arr(at(spec, "requiredAuthenticationRefs"));
        const kind = str(at(spec, "targetRef", "kind"));
        const name = str(at(spec, "targetRef", "name"));
        const missing = missingAuthentication(refs, namespace, authentications);
        if (missing !== null) {
          out.ignoredAuthorizations.push({ namespace, name: o.object.metadata.name, targetKind: kind ?? "", targetName: name ?? "", missing });
          break;
        }
        if (refs.some((r) => MESH_IDENTITY.has(str(at(r, "kind")) ?? ""))) break;
        if (kind === "Server" && name) out.openServers.add(`${namespace}/${name}`);
        // A route target opens that route only (Linkerd's per-route policy: a probe route open to
        // 0.0.0.0/0 on an otherwise authenticated Server); the Server's other routes keep its policy,
        // so it stays locked. A namespace target covers every Server there.
        else if (kind === "HTTPRoute" || kind === "GRPCRoute") break;
        else out.openNamespaces.add(namespace);
        break;
      }
      case "ServerAuthorization": {
        if (at(spec, "client", "unauthenticated") !== true) break;
        const name = str(at(spec, "server", "name"));
        const selector = selectorOf(at(spec, "server", "selector"));
        if (name) out.openServers.add(`${namespace}/${name}`);
        else if (selector) out.openServerSelectors.push({ namespace, selector });
        break;
      }
    }
  }
  return out;
}

export const NO_LINKERD_POLICY: LinkerdPolicy = Object.freeze({
  servers: [],
  openServers: new Set<string>(),
  openNamespaces: new Set<string>(),
  openServerSelectors: [],
  ignoredAuthorizations: [],
});

/**
 * The Server that takes a meshed pod's port out of the default policy: one in its namespace whose
 * podSelector selects it and whose port is the number or the name of one of its container ports
 * (Pod::reindex_servers; the admission webhook keeps two Servers off one port, so the first is it).
 */
export function serverOfPort(policy: LinkerdPolicy, w: Pick<Workload, "namespace" | "labels" | "containerPorts">, port: number): LinkerdServer | null {
  for (const s of policy.servers) {
    if (s.namespace !== w.namespace || s.podSelector === null || !selects(s.podSelector, w.labels)) continue;
    if (s.port === port || (typeof s.port === "string" && w.containerPorts.some((p) => p.port === port && p.name === s.port))) return s;
  }
  return null;
}

/** The ignored AuthorizationPolicies that target a Server, by its name or its namespace. */
export function ignoredAuthorizationsOf(policy: LinkerdPolicy, server: LinkerdServer): IgnoredAuthorization[] {
  return policy.ignoredAuthorizations.filter(
    (a) => a.namespace === server.namespace && ((a.targetKind === "Server" && a.targetName === server.name) || a.targetKind === "Namespace"),
  );
}
