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
// An AuthorizationPolicy authorises nothing when Linkerd's policy controller cannot build its client
// authorization: PolicyIndex::policy_client_authz (linkerd/linkerd2
// policy-controller/k8s/index/src/inbound/index.rs) bails when a MeshTLSAuthentication or
// NetworkAuthentication it requires is not in its index ("could not find … in namespace …"), or on two
// MeshTLSAuthentications, a ServiceAccount besides another mesh identity, or two
// NetworkAuthentications; client_authzs and route_client_authzs then skip the policy ("Illegal
// AuthorizationPolicy; ignoring"). A ref without namespace names the policy's. ServiceAccount refs are
// not looked up (the identity is derived from the name). An authentication object that Linkerd refuses
// to index (NetworkAuthentication without networks, MeshTLSAuthentication without identities or with
// an identityRef that is neither a ServiceAccount nor a Namespace) counts as missing.
//
// A policy whose targetRef or refs Linkerd cannot read at all (authorization_policy.rs Spec::try_from:
// group and kind checked as targets_kind does; or a field of the wrong type, which deserialisation
// rejects) is never indexed ("Invalid authorization policy"; Linkerd's admission refuses it too): it is
// reported as input.invalid and left out.
//
// Every policy object Linkerd's admission refuses (the CRD schema, deserialisation, the validating
// webhook: linkerdAdmission.ts) is reported as input.invalid. A refused Server or ServerAuthorization
// is left out; a refused MeshTLSAuthentication or NetworkAuthentication counts as missing, with the
// index's own reason where the index refuses it too (so the edges' reasons stay as they were); an
// AuthorizationPolicy the webhook refuses for its ref counts (admission.rs: one MeshTLSAuthentication,
// one ServiceAccount, not both, one NetworkAuthentication) is the same policy policy_client_authz
// bails on, so it stays among the ignored ones with the index's reason. Where only the webhook
// refuses and the namespace opts out of it (`config.linkerd.io/admission-webhooks: disabled`), the
// object is read as the index reads it, and no input.invalid. An object read from a cluster that only
// the webhook refuses got in anyway (the webhook fails open by default): it is input.invalid, saying
// the cluster holds it, and read as the index reads it (refusal()).
import type { InputProblem, LoadedObject } from "./input";
import type { Labels, Workload } from "./mesh";
import { FieldError, problemFor } from "./fieldError";
import { ADMITS_UNAUTHENTICATED } from "./linkerdPolicyValues";
import {
  canonical,
  contains,
  networksOf,
  parseCidr,
  type IpRange,
  type Network,
  checkMeshTLSAuthentication,
  checkNetworkAuthentication,
  checkServer,
  checkServerAuthorization,
  isIdentityRefKind,
  kindOf,
} from "./linkerdAdmission";
import { optionalList } from "./fieldLists";
import { optionalString, requiredMapping, requiredString } from "./optionalFields";
import { arr, at, groupBy, isObj, shown, str, strMap } from "./read";
import { compareByAge } from "../resolve/peerAuthentication";

export interface LabelSelector {
  matchLabels: Labels;
  matchExpressions: { key: string; operator: string; values: string[] }[];
}

export interface LinkerdServer {
  namespace: string;
  name: string;
  /** metadata.creationTimestamp ("" when absent): with the name, Linkerd's order of Servers. */
  creationTimestamp: string;
  labels: Labels;
  podSelector: LabelSelector | null;
  /**
   * spec.port: a container port number, or a name. A string is always a name, as serde reads Port
   * (`#[serde(untagged)] Number(NonZeroU16) | Name(String)`, k8s/api/src/policy/server.rs): "8801" names
   * a port called "8801", which no container port can be.
   */
  port: number | string;
  /** Admits unmeshed clients by itself (accessPolicy all-unauthenticated, cluster-unauthenticated or audit). */
  openAccess: boolean;
}

/** An AuthorizationPolicy Linkerd ignores: policy_client_authz cannot build its client authorization. */
export interface IgnoredAuthorization {
  namespace: string;
  name: string;
  /** spec.targetRef kind and name (a Namespace target covers every Server of the namespace). */
  targetKind: TargetKind;
  targetName: string;
  /**
   * Why, worded to follow "it " (e.g. "requires MeshTLSAuthentication ns/x, which is not among the
   * inputs"): the first failure in the order Linkerd resolves the refs (mesh identities, then networks).
   */
  why: string;
}

/**
 * A kind the analysis could not list (a completeness entry other than `invalid`): in `namespace`, or
 * in every namespace when it has none.
 */
export interface UnreadKind {
  kind: string;
  namespace?: string;
  reason: string;
}

export interface LinkerdPolicy {
  /**
   * Oldest first, then by name: the order in which Linkerd's index lets a Server take a pod's port, the
   * first one keeping it (serverOfPort).
   */
  servers: LinkerdServer[];
  /** Servers (namespace/name) some authorization opens to unauthenticated clients. */
  openServers: Set<string>;
  /** Namespaces where an authorization targeting the namespace admits unauthenticated clients (every Server there). */
  openNamespaces: Set<string>;
  /** ServerAuthorizations admitting unauthenticated clients by Server selector: namespace and selector. */
  openServerSelectors: { namespace: string; selector: LabelSelector }[];
  /**
   * Namespaces where an authorization targeting an HTTPRoute or GRPCRoute admits unauthenticated
   * clients: that route of some Server is open, which Server's is not read (route objects are not).
   */
  openRouteNamespaces: Set<string>;
  /** AuthorizationPolicies that authorise no client (a required authentication missing or refused, or too many). */
  ignoredAuthorizations: IgnoredAuthorization[];
  /**
   * Authorizations that admit unauthenticated clients from some networks only (narrowOpeningsOf):
   * whether a caller gets through depends on its address (linkerdCallerInbound), which the inputs may
   * not give. Sorted by `why`, not in input order.
   */
  narrowOpenings: NarrowOpening[];
  /**
   * Authorizations whose networks cover the cluster networks (admitsEveryCaller, not every address):
   * they open their Servers to every caller Handshake models (serverOpensToAll), but Linkerd still
   * checks the caller's address against them, so a caller whose pod addresses are known is decided by
   * them (linkerdCallerInbound). A ServerAuthorization without client.networks is here with the cluster
   * networks only when linkerd-config gives them; else it opens its Servers to all (openServers).
   * Sorted by `why`.
   */
  wideOpenings: NarrowOpening[];
  /**
   * The cluster networks linkerd-config gives (clusterAsNetworks), which the default inbound policy
   * cluster-unauthenticated admits from; null when not known, or when they hold every address.
   */
  clusterNetworks: Network[] | null;
  /**
   * Where Servers could not be listed (completeness entries for kind Server): "" for the whole
   * cluster, else the namespace. A Server there may take a port that looks Server-less.
   */
  serversUnread: Set<string>;
}

/**
 * An authorization admitting unauthenticated clients only from some networks (not 0.0.0.0/0 and ::/0):
 * an AuthorizationPolicy's NetworkAuthentication, or a ServerAuthorization's client.networks (or the
 * cluster networks Linkerd gives one without). In narrowOpenings when they leave out some callers, in
 * wideOpenings when they cover the cluster's networks.
 */
export interface NarrowOpening {
  namespace: string;
  /** The Server it names; else the Servers `selector` selects; neither: every Server of the namespace. */
  server?: string;
  selector?: LabelSelector;
  /** What admits them and from where, worded to follow "admits unauthenticated clients only as ". */
  why: string;
  /** The networks it admits from (networks[], or client.networks), each with its exceptions. */
  networks: Network[];
}

/** The authentication kinds policy_client_authz looks up by name. */
const LOOKED_UP = new Set(["MeshTLSAuthentication", "NetworkAuthentication"]);

const isLinkerdPolicy = (o: LoadedObject) => (o.object.apiVersion ?? "").startsWith("policy.linkerd.io/");

function selectorOf(v: unknown): LabelSelector | null {
  if (!isObj(v)) return null;
  const matchExpressions = arr(v.matchExpressions)
    .filter(isObj)
    .map((e) => ({
      key: str(e.key) ?? "",
      operator: str(e.operator) ?? "",
      values: arr(e.values).filter((x): x is string => typeof x === "string"),
    }));
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

type TargetKind = "Server" | "Namespace" | "HTTPRoute" | "GRPCRoute";
type AuthnKind = "MeshTLSAuthentication" | "NetworkAuthentication" | "ServiceAccount";
interface AuthnRef {
  kind: AuthnKind;
  namespace: string;
  name: string;
}

const POLICY = "policy.linkerd.io";
const GATEWAY = "gateway.networking.k8s.io";
// [group, kind in lower case, kind] per target and ref kind authorization_policy.rs accepts (target(),
// authentication_ref()); GRPCRoute only in Gateway API's group.
const TARGETS: [string, string, TargetKind][] = [
  [POLICY, "server", "Server"],
  ["core", "namespace", "Namespace"],
  [POLICY, "httproute", "HTTPRoute"],
  [GATEWAY, "httproute", "HTTPRoute"],
  [GATEWAY, "grpcroute", "GRPCRoute"],
];
const AUTHNS: [string, string, AuthnKind][] = [
  [POLICY, "meshtlsauthentication", "MeshTLSAuthentication"],
  [POLICY, "networkauthentication", "NetworkAuthentication"],
  ["core", "serviceaccount", "ServiceAccount"],
];

/** spec.targetRef and spec.requiredAuthenticationRefs as Spec::try_from reads them; FieldError where it would fail. */
function readAuthorizationPolicy(
  spec: unknown,
  namespace: string,
): { target: { kind: TargetKind; name: string }; refs: AuthnRef[] } {
  const t = requiredMapping(at(spec, "targetRef"), "spec.targetRef");
  const tGroup = optionalString(t.group, "spec.targetRef.group");
  const tKind = requiredString(t.kind, "spec.targetRef.kind");
  const tName = requiredString(t.name, "spec.targetRef.name");
  const kind = kindOf(tGroup, tKind, TARGETS);
  if (kind === null)
    throw new FieldError(
      "spec.targetRef",
      `unsupported authorization target type: ${canonical(tGroup, tKind)}`,
    );

  const refs: AuthnRef[] = [];
  const list = optionalList(at(spec, "requiredAuthenticationRefs"), "spec.requiredAuthenticationRefs") ?? [];
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    const field = `spec.requiredAuthenticationRefs[${i}]`;
    if (!isObj(r)) throw new FieldError(field, `must be a mapping, not ${shown(r)}`);
    const group = optionalString(r.group, `${field}.group`);
    const rKind = requiredString(r.kind, `${field}.kind`);
    const name = requiredString(r.name, `${field}.name`);
    const ns = optionalString(r.namespace, `${field}.namespace`);
    const k = kindOf(group, rKind, AUTHNS);
    if (k === null)
      throw new FieldError(field, `unsupported authentication target: ${canonical(group, rKind)}`);
    refs.push({ kind: k, namespace: ns ?? namespace, name });
  }
  return { target: { kind, name: tName }, refs };
}

/**
 * The webhook's validate_policy_target: a Namespace target must name the namespace the policy is
 * applied into (admission.rs takes it from the request, not from the manifest). A manifest without
 * metadata.namespace (`kubectl apply -n …`) does not say which that is: no refusal. The index applies
 * a Namespace target to the policy's own namespace whatever it names (Target::Namespace).
 */
function foreignTarget(
  target: { kind: TargetKind; name: string },
  declared: string | undefined,
): FieldError | null {
  if (target.kind !== "Namespace" || !declared || target.name === declared) return null;
  return new FieldError("spec.targetRef.name", `cannot target another namespace: ${target.name}`);
}

/**
 * The webhook's own refusal of a policy's ref counts (`Validate<AuthorizationPolicySpec>`, in its
 * order), or null. policy_client_authz bails on the same combinations, so the policy is ignored
 * whether or not the webhook ran.
 */
function refCountRefusal(refs: AuthnRef[]): FieldError | null {
  let mtls = 0;
  let sa = 0;
  let net = 0;
  for (const r of refs) {
    if (r.kind === "MeshTLSAuthentication") mtls++;
    else if (r.kind === "ServiceAccount") sa++;
    else net++;
  }
  const refused = (why: string) => new FieldError("spec.requiredAuthenticationRefs", why);
  if (mtls > 1) return refused("only a single MeshTLSAuthentication may be set");
  if (sa > 1) return refused("only a single ServiceAccount may be set");
  if (mtls + sa > 1) return refused("a MeshTLSAuthentication and ServiceAccount may not be set together");
  if (net > 1) return refused("only a single NetworkAuthentication may be set");
  return null;
}

/**
 * Why Linkerd's index does not hold an authentication object (null when it does): NetworkAuthentication
 * Spec::try_from ("No networks configured") and MeshTLSAuthentication Spec::try_from_resource
 * ("No identities configured", or an identityRef that is neither a ServiceAccount nor a Namespace);
 * index.rs's apply then returns without indexing it. Admission refuses each of these first (the CRD
 * schema an empty MeshTLSAuthentication, the webhook the others); where the webhook is off, the index
 * still refuses them, without an input.invalid.
 */
function notIndexedBecause(kind: string, spec: unknown): string | null {
  if (kind === "NetworkAuthentication")
    return arr(at(spec, "networks")).length > 0 ? null : "no networks configured";
  const identities = arr(at(spec, "identities")).length;
  const refs = arr(at(spec, "identityRefs"));
  for (const r of refs) {
    const kind = str(at(r, "kind")) ?? "";
    const group = str(at(r, "group"));
    if (!isIdentityRefKind(group, kind)) return `identityRef kind ${canonical(group, kind)} is not supported`;
  }
  return identities + refs.length > 0 ? null : "no identities configured";
}

/**
 * Why Linkerd holds no such authentication, worded to follow "which " (null when it holds it): the
 * index's own reason when it refuses the object too, else admission's refusal, naming the field.
 * Refused objects go to `problems`.
 */
function authenticationState(
  o: LoadedObject,
  webhook: boolean,
  fromCluster: boolean,
  problems: InputProblem[],
): string | null {
  const { kind } = o.object;
  const spec = at(o.object, "spec");
  const index = notIndexedBecause(kind, spec);
  const check =
    kind === "MeshTLSAuthentication"
      ? (wh: boolean) => checkMeshTLSAuthentication(spec, wh)
      : (wh: boolean) => checkNetworkAuthentication(spec, wh);
  const refused = refusal(o, check, webhook, fromCluster, problems);
  if (index !== null) return `Linkerd does not index (${index})`;
  return refused === null ? null : `Linkerd refuses (${refused.field}: ${refused.message})`;
}

interface Authentications {
  /** kind/namespace/name → null when indexed, else why Linkerd holds no such object (after "which "). */
  objects: Map<string, string | null>;
  /** The networks of each indexed NetworkAuthentication, by NetworkAuthentication/namespace/name. */
  networks: Map<string, Network[]>;
  /** kind/namespace of the authentication kinds that could not be listed there; kind/ when nowhere. */
  unread: Set<string>;
}

/**
 * An authentication a ref names that Linkerd has not indexed, as "requires …" (null when indexed).
 * One whose namespace could not be listed is unknown and counted as present: nothing says the policy
 * is ignored, and Handshake keeps reading it as it did before it read authentication objects.
 */
function unindexed(r: AuthnRef, a: Authentications): string | null {
  const state = a.objects.get(`${r.kind}/${r.namespace}/${r.name}`);
  if (state === null) return null;
  const what = `requires ${r.kind} ${r.namespace}/${r.name}`;
  if (state !== undefined) return `${what}, which ${state}`;
  if (a.unread.has(`${r.kind}/`) || a.unread.has(`${r.kind}/${r.namespace}`)) return null;
  return `${what}, which is not among the inputs`;
}

/** Why policy_client_authz bails on these refs (null when it builds the authorization), in its order. */
function ignoredBecause(refs: AuthnRef[], a: Authentications): string | null {
  let identity = false;
  for (const r of refs) {
    if (r.kind === "NetworkAuthentication") continue;
    if (r.kind === "MeshTLSAuthentication") {
      const missing = unindexed(r, a);
      if (missing !== null) return missing;
      if (identity) return "requires more than one MeshTLSAuthentication, which Linkerd refuses";
    } else if (identity)
      return `requires ServiceAccount ${r.namespace}/${r.name} besides another mesh identity, which Linkerd refuses`;
    identity = true;
  }
  let network = false;
  for (const r of refs) {
    if (r.kind !== "NetworkAuthentication") continue;
    const missing = unindexed(r, a);
    if (missing !== null) return missing;
    if (network) return "requires more than one NetworkAuthentication, which Linkerd refuses";
    network = true;
  }
  return null;
}

function readAuthentications(
  objects: LoadedObject[],
  unread: readonly UnreadKind[],
  webhookOff: Set<string>,
  fromCluster: boolean,
  problems: InputProblem[],
): Authentications {
  const out: Authentications = { objects: new Map(), networks: new Map(), unread: new Set() };
  for (const o of objects) {
    if (!isLinkerdPolicy(o) || !LOOKED_UP.has(o.object.kind)) continue;
    const namespace = o.object.metadata.namespace ?? "default";
    const key = `${o.object.kind}/${namespace}/${o.object.metadata.name}`;
    const state = authenticationState(o, !webhookOff.has(namespace), fromCluster, problems);
    out.objects.set(key, state);
    const networks =
      state === null && o.object.kind === "NetworkAuthentication"
        ? networksOf(at(o.object, "spec", "networks"))
        : null;
    if (networks) out.networks.set(key, networks);
  }
  for (const c of unread)
    if (c.reason !== "invalid" && LOOKED_UP.has(c.kind)) out.unread.add(`${c.kind}/${c.namespace ?? ""}`);
  return out;
}

const ALL_V4: IpRange = { v6: false, lo: 0n, hi: (1n << 32n) - 1n };
const ALL_V6: IpRange = { v6: true, lo: 0n, hi: (1n << 128n) - 1n };
/**
 * Linkerd's default clusterNetworks (other-meshes.md §1.7; the chart's values and the CLI's defaults,
 * pkg/charts/linkerd2, since IPv6 support; older charts lack fd00::/8), where linkerd-config is not
 * among the inputs.
 */
const DEFAULT_CLUSTER_NETWORKS = "10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8";
const overlaps = (a: IpRange, b: IpRange) => a.v6 === b.v6 && a.lo <= b.hi && b.lo <= a.hi;

/** Whether some network holds every address of `r` with no exception cutting into it. */
const coversRange = (networks: Network[], r: IpRange) =>
  networks.some((n) => contains(n.range, r) && !n.except.some((e) => overlaps(e.range, r)));

const admitsEveryAddress = (networks: Network[]) =>
  coversRange(networks, ALL_V4) && coversRange(networks, ALL_V6);

/**
 * Whether an authorization's networks admit every caller Handshake models: all addresses (0.0.0.0/0
 * and ::/0), or every cluster network (the pod and service networks Linkerd's values name, which the
 * cluster's pods are taken to be in, as for cluster-unauthenticated). Without linkerd-config the
 * cluster's address family is not known: an opening naming no IPv6 network is read for an IPv4 cluster
 * (Linkerd's IPv6 default, fd00::/8, left out, as before it was among the defaults); one naming some
 * must cover it too.
 */
function admitsEveryCaller(networks: Network[], cluster: ClusterNetworks): boolean {
  if (admitsEveryAddress(networks)) return true;
  const v6 = cluster.exact || networks.some((n) => n.range.v6);
  const ranges = v6 ? cluster.ranges : cluster.ranges.filter((r) => !r.v6);
  return ranges.length > 0 && ranges.every((r) => coversRange(networks, r));
}

export const networksText = (networks: Network[]) =>
  networks
    .map((n) => (n.except.length > 0 ? `${n.cidr} except ${n.except.map((e) => e.cidr).join(", ")}` : n.cidr))
    .join(", ");

/** The cluster networks: linkerd-config's clusterNetworks (`exact`), else Linkerd's defaults. */
interface ClusterNetworks {
  ranges: IpRange[];
  /** As written, for a reason. */
  cidrs: string[];
  /** From linkerd-config: what the chart passes the policy controller (--cluster-networks). */
  exact: boolean;
  /** Every comma-separated part parsed (the controller refuses a list with one it cannot read). */
  complete: boolean;
}

/** A CIDR written with its prefix length (ipnet's `IpNet` parse needs one), or null. */
const prefixedCidr = (part: string): IpRange | null =>
  /^[0-9A-Fa-f.:]+\/\d+$/.test(part) ? parseCidr(part) : null;

/**
 * Parsed as the policy controller parses --cluster-networks (policy-controller main.rs, `IpNets::
 * from_str`: `s.split(',')` and ipnet's `IpNet` parse of each part, untrimmed, which needs a prefix
 * length): a part it would refuse is skipped here and marks the list not `complete` (clusterAsNetworks then gives none).
 */
function clusterNetworksOf(clusterNetworks: string | null): ClusterNetworks {
  const out: ClusterNetworks = { ranges: [], cidrs: [], exact: clusterNetworks !== null, complete: true };
  for (const part of (clusterNetworks ?? DEFAULT_CLUSTER_NETWORKS).split(",")) {
    const r = prefixedCidr(part);
    if (r === null) {
      out.complete = false;
      continue;
    }
    out.ranges.push(r);
    out.cidrs.push(part);
  }
  return out;
}

/**
 * Comma-separated CIDRs as linkerd-init's --subnets-to-ignore takes them (each part a CIDR with a
 * prefix length, surrounding spaces allowed); null when a part is none, for proxy-init would refuse
 * the list and what it lets past cannot be told. "" is no network.
 */
export function subnetsOf(list: string): Network[] | null {
  const out: Network[] = [];
  for (const raw of list.split(",")) {
    const part = raw.trim();
    if (part === "" && list.trim() === "") continue;
    const range = prefixedCidr(part);
    if (range === null) return null;
    out.push({ cidr: part, range, except: [] });
  }
  return out;
}

/**
 * The networks Linkerd gives a ServerAuthorization without client.networks: the cluster networks
 * (policy-controller grpc/src/inbound.rs `to_authz`: empty networks → its --cluster-networks, which
 * the chart fills from values.clusterNetworks). Null unless linkerd-config gives them (or one does not
 * parse, which the controller would refuse at start): Linkerd's own default applies only where the
 * value is not set, which the inputs cannot tell without linkerd-config.
 */
function clusterAsNetworks(cluster: ClusterNetworks): Network[] | null {
  if (!cluster.exact || !cluster.complete) return null;
  return cluster.ranges.map((range, i) => ({ cidr: cluster.cidrs[i]!, range, except: [] }));
}

/**
 * Namespaces the policy webhook skips: its namespaceSelector (values.yaml policyValidator) is
 * `config.linkerd.io/admission-webhooks NotIn [disabled]`. A namespace not among the inputs is taken
 * as validated, Linkerd's default.
 */
function webhookOffNamespaces(objects: LoadedObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects)
    if (
      o.object.kind === "Namespace" &&
      at(o.object.metadata, "labels", "config.linkerd.io/admission-webhooks") === "disabled"
    )
      out.add(o.object.metadata.name);
  return out;
}

/** Whether `check` passes with the webhook off (only the CRD schema and deserialisation). */
function passesWithoutWebhook(check: (webhook: boolean) => void): boolean {
  try {
    check(false);
    return true;
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    return false;
  }
}

/** A webhook refusal of an object a cluster holds, as reported: the object is there and read all the same. */
function heldProblem(o: LoadedObject, e: FieldError): InputProblem {
  const why = `${e.message} (Linkerd's policy webhook refuses this, but the cluster holds it: admitted while the webhook was off or failing open, or by an older Linkerd)`;
  return { ...problemFor(o, new FieldError(e.field, why)), kept: true };
}

/**
 * Admission's check of `o` (`check(webhook)` throws a FieldError), reported to `problems`: null when
 * the object is read, else the refusal, and the object is left out. An object read from a cluster was
 * admitted, whatever the webhook says now (its failurePolicy is Ignore by default, values.yaml
 * webhookFailurePolicy; older versions checked less; its namespace may have opted out for a while):
 * a refusal only the webhook makes is reported, saying so, and the object is read as the index reads
 * it, as where the webhook is off. The CRD schema's and deserialisation's refusals leave it out
 * everywhere: neither the API server nor Linkerd can read it.
 */
function refusal(
  o: LoadedObject,
  check: (webhook: boolean) => void,
  webhook: boolean,
  fromCluster: boolean,
  problems: InputProblem[],
): FieldError | null {
  try {
    check(webhook);
    return null;
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    if (webhook && fromCluster && passesWithoutWebhook(check)) {
      problems.push(heldProblem(o, e));
      return null;
    }
    problems.push(problemFor(o, e));
    return e;
  }
}

/**
 * Linkerd's inbound policy objects among the inputs. `unread` are the kinds the analysis could not list
 * (completeness entries): a MeshTLSAuthentication or NetworkAuthentication there is unknown, not missing.
 * `fromCluster`: the objects were read from a cluster, so admission let them in (refusal()). Objects
 * Linkerd's admission refuses or Linkerd cannot read are added to `problems`.
 */
export function readLinkerdPolicy(
  objects: LoadedObject[],
  problems: InputProblem[],
  unread: readonly UnreadKind[],
  fromCluster = false,
  clusterNetworks: string | null = null,
): LinkerdPolicy {
  const out: LinkerdPolicy = {
    servers: [],
    openServers: new Set(),
    openNamespaces: new Set(),
    openServerSelectors: [],
    openRouteNamespaces: new Set(),
    ignoredAuthorizations: [],
    narrowOpenings: [],
    wideOpenings: [],
    clusterNetworks: null,
    serversUnread: new Set(unread.filter((c) => c.kind === "Server").map((c) => c.namespace ?? "")),
  };
  const cluster = clusterNetworksOf(clusterNetworks);
  const clusterNets = clusterAsNetworks(cluster);
  if (clusterNets !== null && !admitsEveryAddress(clusterNets)) out.clusterNetworks = clusterNets;
  const webhookOff = webhookOffNamespaces(objects);
  // Authentications first: an AuthorizationPolicy may come before the object it names.
  const authentications = readAuthentications(objects, unread, webhookOff, fromCluster, problems);
  for (const o of objects) {
    if (!isLinkerdPolicy(o)) continue;
    const namespace = o.object.metadata.namespace ?? "default";
    const spec = at(o.object, "spec");
    const webhook = !webhookOff.has(namespace);
    switch (o.object.kind) {
      case "Server": {
        const version = (o.object.apiVersion ?? "").slice(POLICY.length + 1);
        if (refusal(o, (wh) => checkServer(spec, version, wh), webhook, fromCluster, problems) !== null)
          break;
        const access = str(at(spec, "accessPolicy")) ?? "deny";
        // cluster-unauthenticated admits the cluster networks only (default_authzs, cluster_only: the
        // controller's --cluster-networks), as a ServerAuthorization without client.networks: a wide
        // opening when linkerd-config gives them, else open to all as before.
        const clusterOnly = access === "cluster-unauthenticated" ? out.clusterNetworks : null;
        out.servers.push({
          namespace,
          name: o.object.metadata.name,
          creationTimestamp: str(o.object.metadata.creationTimestamp) ?? "",
          labels: strMap(o.object.metadata.labels),
          podSelector: selectorOf(at(spec, "podSelector")),
          // checkServer admitted it: an integer 1..65535 or a string (a name).
          port: at(spec, "port") as number | string,
          openAccess: ADMITS_UNAUTHENTICATED.has(access) && clusterOnly === null,
        });
        if (clusterOnly !== null) {
          const why = `Server ${namespace}/${o.object.metadata.name}'s accessPolicy cluster-unauthenticated, so from the cluster networks ${networksText(clusterOnly)} (clusterNetworks in linkerd-config)`;
          out.wideOpenings.push({ namespace, server: o.object.metadata.name, why, networks: clusterOnly });
        }
        break;
      }
      case "AuthorizationPolicy": {
        let policy: ReturnType<typeof readAuthorizationPolicy>;
        try {
          policy = readAuthorizationPolicy(spec, namespace);
        } catch (e) {
          if (!(e instanceof FieldError)) throw e;
          problems.push(problemFor(o, e));
          break;
        }
        const { target, refs } = policy;
        // The webhook's checks in its order, the first refusal reported (see refusal()). A foreign
        // Namespace target leaves the policy out unless a cluster holds it; the ref counts it refuses
        // are the ones policy_client_authz bails on, so that policy is ignored either way.
        const foreign = webhook ? foreignTarget(target, o.object.metadata.namespace) : null;
        const refused = foreign ?? (webhook ? refCountRefusal(refs) : null);
        if (refused !== null) problems.push(fromCluster ? heldProblem(o, refused) : problemFor(o, refused));
        if (foreign !== null && !fromCluster) break;
        const why = ignoredBecause(refs, authentications);
        if (why !== null) {
          out.ignoredAuthorizations.push({
            namespace,
            name: o.object.metadata.name,
            targetKind: target.kind,
            targetName: target.name,
            why,
          });
          break;
        }
        if (refs.some((r) => r.kind !== "NetworkAuthentication")) break;
        // Its NetworkAuthentication's networks (none: every network, policy_client_authz); one whose
        // namespace could not be listed is read as open, as before authentication objects were read.
        const net = refs.find((r) => r.kind === "NetworkAuthentication");
        const networks = net
          ? authentications.networks.get(`NetworkAuthentication/${net.namespace}/${net.name}`)
          : undefined;
        if (
          networks !== undefined &&
          target.kind !== "HTTPRoute" &&
          target.kind !== "GRPCRoute" &&
          !admitsEveryAddress(networks)
        ) {
          const why = `AuthorizationPolicy ${namespace}/${o.object.metadata.name} requires NetworkAuthentication ${net!.namespace}/${net!.name}, whose networks are ${networksText(networks)}`;
          const opening =
            target.kind === "Server"
              ? { namespace, server: target.name, why, networks }
              : { namespace, why, networks };
          (admitsEveryCaller(networks, cluster) ? out.wideOpenings : out.narrowOpenings).push(opening);
          break;
        }
        if (target.kind === "Server") out.openServers.add(`${namespace}/${target.name}`);
        // A route target opens that route only (Linkerd's per-route policy: a probe route open to
        // 0.0.0.0/0 on an otherwise authenticated Server); the Server's other routes keep its policy,
        // so it stays locked. A namespace target covers every Server there.
        else if (target.kind === "Namespace") out.openNamespaces.add(namespace);
        else out.openRouteNamespaces.add(namespace);
        break;
      }
      case "ServerAuthorization": {
        if (refusal(o, (wh) => checkServerAuthorization(spec, wh), webhook, fromCluster, problems) !== null)
          break;
        if (at(spec, "client", "unauthenticated") !== true) break;
        const name = str(at(spec, "server", "name"));
        const selector = selectorOf(at(spec, "server", "selector"));
        // client.networks limits it (none: the cluster networks, clusterAsNetworks); checkServerAuthorization parsed them.
        const listed = networksOf(at(spec, "client", "networks")) ?? [];
        const networks = listed.length > 0 ? listed : clusterNets;
        if (networks !== null && !admitsEveryAddress(networks) && (name || selector)) {
          const from =
            listed.length > 0
              ? `whose client.networks are ${networksText(networks)}`
              : `without client.networks, so from the cluster networks ${networksText(networks)} (clusterNetworks in linkerd-config)`;
          const why = `ServerAuthorization ${namespace}/${o.object.metadata.name}, ${from}`;
          const opening = name
            ? { namespace, server: name, why, networks }
            : { namespace, selector: selector!, why, networks };
          (admitsEveryCaller(networks, cluster) ? out.wideOpenings : out.narrowOpenings).push(opening);
          break;
        }
        if (name) out.openServers.add(`${namespace}/${name}`);
        else if (selector) out.openServerSelectors.push({ namespace, selector });
        break;
      }
    }
  }
  // Linkerd sorts a namespace's Servers by creationTimestamp, then name (#13676, "order Server resources
  // deterministically"), an absent time first as Rust's None: the same total order as Istio's config.
  out.servers.sort(compareByAge);
  // By their wording (kind, then namespace/name, come first): the reasons list them, and
  // openingAdmitting names the first that admits, in this order whatever the input order.
  out.narrowOpenings.sort(byWhy);
  out.wideOpenings.sort(byWhy);
  return out;
}

export const byWhy = (a: NarrowOpening, b: NarrowOpening) => (a.why < b.why ? -1 : a.why > b.why ? 1 : 0);

export const NO_LINKERD_POLICY: LinkerdPolicy = Object.freeze({
  servers: [],
  openServers: new Set<string>(),
  openNamespaces: new Set<string>(),
  openServerSelectors: [],
  openRouteNamespaces: new Set<string>(),
  ignoredAuthorizations: [],
  narrowOpenings: [],
  wideOpenings: [],
  clusterNetworks: null,
  serversUnread: new Set<string>(),
});

/** A namespace's Servers, in policy.servers order (Linkerd's), once per policy: callers scan one namespace, not every Server. */
const serverIndexes = new WeakMap<LinkerdPolicy, Map<string, LinkerdServer[]>>();
export function serversIn(policy: LinkerdPolicy, namespace: string): readonly LinkerdServer[] {
  let idx = serverIndexes.get(policy);
  if (!idx) serverIndexes.set(policy, (idx = groupByNamespace(policy.servers)));
  return idx.get(namespace) ?? NO_SERVERS;
}
const NO_SERVERS: readonly LinkerdServer[] = Object.freeze([]);
const groupByNamespace = <T extends { namespace: string }>(list: readonly T[]) =>
  groupBy(list, (x) => x.namespace);
/** openServerSelectors of one namespace, in order. */
const selectorIndexes = new WeakMap<LinkerdPolicy, Map<string, LinkerdPolicy["openServerSelectors"]>>();
function openSelectorsIn(policy: LinkerdPolicy, namespace: string): LinkerdPolicy["openServerSelectors"] {
  let idx = selectorIndexes.get(policy);
  if (!idx) selectorIndexes.set(policy, (idx = groupByNamespace(policy.openServerSelectors)));
  return idx.get(namespace) ?? [];
}
const ignoredIndexes = new WeakMap<LinkerdPolicy, Map<string, IgnoredAuthorization[]>>();

/**
 * The Server that takes a meshed pod's port out of the default policy: the first, in Linkerd's order
 * (policy.servers), in its namespace whose podSelector selects it and whose port is the number or the
 * name of one of its container ports. Pod::reindex_servers (k8s/index/src/inbound/index.rs) gives each
 * port to the first Server selecting it and skips the others ("Port already matched by another server;
 * skipping"); current Linkerd admits overlapping Servers, and the older webhook refused the newer one.
 */
export function serverOfPort(
  policy: LinkerdPolicy,
  w: Pick<Workload, "namespace" | "labels" | "containerPorts">,
  port: number,
): LinkerdServer | null {
  for (const s of serversIn(policy, w.namespace)) {
    if (s.podSelector === null || !selects(s.podSelector, w.labels)) continue;
    if (takesPort(s, port, w.containerPorts)) return s;
  }
  return null;
}

/**
 * Whether a Server admits unauthenticated clients from every address by itself (its accessPolicy) or
 * through an authorization (one naming it, one for its namespace, a ServerAuthorization selecting it).
 */
export function serverOpensToEveryAddress(policy: LinkerdPolicy, s: LinkerdServer): boolean {
  return (
    s.openAccess ||
    policy.openServers.has(`${s.namespace}/${s.name}`) ||
    policy.openNamespaces.has(s.namespace) ||
    openSelectorsIn(policy, s.namespace).some((x) => selects(x.selector, s.labels))
  );
}

/**
 * Whether a Server admits every unauthenticated caller Handshake models: from every address
 * (serverOpensToEveryAddress), or from networks covering the cluster's (wideOpeningsOf).
 */
function serverOpensToAll(policy: LinkerdPolicy, s: LinkerdServer): boolean {
  return serverOpensToEveryAddress(policy, s) || wideOpeningsOf(policy, s).length > 0;
}

/**
 * Whether a Server admits no unauthenticated client at all, from any network (serverOpensToAll,
 * narrowOpeningsOf): then it takes its port out of the default policy and denies plaintext there.
 */
export function serverLocks(policy: LinkerdPolicy, s: LinkerdServer): boolean {
  return !serverOpensToAll(policy, s) && narrowOpeningsOf(policy, s).length === 0;
}

/** The authorizations that admit unauthenticated clients to Server `s` from some networks only (see NarrowOpening). */
export const narrowOpeningsOf = (policy: LinkerdPolicy, s: LinkerdServer): NarrowOpening[] =>
  openingsOf(policy.narrowOpenings, s);

/** The authorizations that admit unauthenticated clients to Server `s` from networks covering the cluster's (LinkerdPolicy.wideOpenings). */
export const wideOpeningsOf = (policy: LinkerdPolicy, s: LinkerdServer): NarrowOpening[] =>
  openingsOf(policy.wideOpenings, s);

/** Those of `openings` that apply to Server `s`: naming it, selecting it, or for its whole namespace. */
function openingsOf(openings: readonly NarrowOpening[], s: LinkerdServer): NarrowOpening[] {
  if (openings.length === 0) return [];
  return openings.filter(
    (x) =>
      x.namespace === s.namespace &&
      (x.server !== undefined
        ? x.server === s.name
        : x.selector !== undefined
          ? selects(x.selector, s.labels)
          : true),
  );
}

/**
 * The first opening that admits a client calling from `ip`: linkerd2-proxy authorizes a connection when
 * one authorization's networks hold the client's address (app/inbound policy: `authz.networks.iter()
 * .any(|n| n.contains(&client))`), a network holding it when its cidr does and none of its `except`
 * does (server-policy `Network::contains`), of the same family. Null: none admits it.
 */
export function openingAdmitting(openings: readonly NarrowOpening[], ip: IpRange): NarrowOpening | null {
  // For one address, "inside and in no exception" is coversRange (overlapping an exception is being in it).
  return openings.find((o) => coversRange(o.networks, ip)) ?? null;
}

/** Whether Server `s` names `port`: by number, or by the name one of the pod's container ports on it has. */
export function takesPort(
  s: LinkerdServer,
  port: number,
  containerPorts: readonly { port: number; name?: string }[],
): boolean {
  if (typeof s.port === "number") return s.port === port;
  for (const p of containerPorts) if (p.port === port && p.name === s.port) return true;
  return false;
}

/** The ignored AuthorizationPolicies that target a Server, by its name or its namespace. */
export function ignoredAuthorizationsOf(
  policy: LinkerdPolicy,
  server: LinkerdServer,
): IgnoredAuthorization[] {
  let idx = ignoredIndexes.get(policy);
  if (!idx) ignoredIndexes.set(policy, (idx = groupByNamespace(policy.ignoredAuthorizations)));
  return (idx.get(server.namespace) ?? []).filter(
    (a) => (a.targetKind === "Server" && a.targetName === server.name) || a.targetKind === "Namespace",
  );
}
