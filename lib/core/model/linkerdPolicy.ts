// Linkerd's inbound authorization policy (other-meshes.md §1.6-§1.7), read only as far as one
// question needs: which ports of a meshed pod still accept plaintext from unmeshed clients.
//
// Once a Server selects a pod's port, that port leaves the default inbound policy: traffic is denied
// unless an authorization admits it (accessPolicy, default `deny` since Server v1beta3; earlier
// versions have no field and deny). Unmeshed (plaintext) clients are admitted only by an
// accessPolicy that takes unauthenticated traffic, an AuthorizationPolicy whose required
// authentications include no mesh identity (MeshTLSAuthentication or ServiceAccount: only
// NetworkAuthentication, or none), or a ServerAuthorization with client.unauthenticated.
import type { LoadedObject } from "./input";
import type { Labels } from "./mesh";
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

export interface LinkerdPolicy {
  servers: LinkerdServer[];
  /** Servers (namespace/name) some authorization opens to unauthenticated clients. */
  openServers: Set<string>;
  /** Namespaces where an authorization targeting the namespace or an HTTPRoute admits unauthenticated clients. */
  openNamespaces: Set<string>;
  /** ServerAuthorizations admitting unauthenticated clients by Server selector: namespace and selector. */
  openServerSelectors: { namespace: string; selector: LabelSelector }[];
}

const OPEN_ACCESS = new Set(["all-unauthenticated", "cluster-unauthenticated", "audit"]);
const MESH_IDENTITY = new Set(["MeshTLSAuthentication", "ServiceAccount"]);

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

export function readLinkerdPolicy(objects: LoadedObject[]): LinkerdPolicy {
  const out: LinkerdPolicy = { servers: [], openServers: new Set(), openNamespaces: new Set(), openServerSelectors: [] };
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
        if (refs.some((r) => MESH_IDENTITY.has(str(at(r, "kind")) ?? ""))) break;
        const kind = str(at(spec, "targetRef", "kind"));
        const name = str(at(spec, "targetRef", "name"));
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

export const NO_LINKERD_POLICY: LinkerdPolicy = Object.freeze({ servers: [], openServers: new Set<string>(), openNamespaces: new Set<string>(), openServerSelectors: [] });
