// What Linkerd's admission refuses among the policy objects Handshake reads (MeshTLSAuthentication,
// NetworkAuthentication, Server, ServerAuthorization): the checks throw a FieldError naming the field,
// and readLinkerdPolicy reports the object as input.invalid and leaves it out, as an object that never
// reached the cluster (docs/DECISIONS.md, "Linkerd policy objects Linkerd's admission refuses"). An
// object read from a cluster got in all the same: one only the webhook refuses is reported and read
// as the index reads it (readLinkerdPolicy's refusal()).
//
// Admission has three layers, each checked here in Linkerd's order, the first failure reported:
// - the CRD schema (linkerd/linkerd2 charts/linkerd-crds/templates/policy/*.yaml), enforced by the
//   API server for every namespace: types, required fields, oneOf, minItems, enums;
// - deserialisation into the Rust spec types (policy-controller/k8s/api/src/policy/*.rs), which the
//   webhook's parse_spec does first and which the index's watcher needs as well, so an object failing
//   it is read by nobody (the watcher skips it since linkerd2 #14844; before, it failed the watch of
//   its whole kind): a port number 0, an unknown proxyProtocol, an identityRef without name, a cidr
//   that is no IP address or network;
// - the validating webhook (policy-controller/src/admission.rs, the `Validate` impls). Its
//   namespaceSelector (charts/linkerd-control-plane values.yaml `policyValidator.namespaceSelector`)
//   skips namespaces labelled `config.linkerd.io/admission-webhooks: disabled`: there (`webhook`
//   false) only the first two layers apply, and the index reads what the webhook would have refused.
//
// Two Servers on one port are no refusal: current Linkerd dropped the webhook's overlap check
// (linkerd2 #13676) and its index gives the port to the oldest Server, then the first by name
// (linkerdPolicy.ts serverOfPort); the older webhook refused the newer of two Servers it found
// overlapping, which keeps the same one. Not modelled: pattern and length limits of names, the
// v1alpha1 Server's podSelector oneOf, and HTTPRoute admission (Handshake reads no HTTPRoute).
import { FieldError } from "./fieldError";
import { LINKERD_POLICIES } from "./linkerdPolicyValues";
import { ipValue, LINKERD_CIDR } from "./ipAddress";
import { optionalList, optionalStrings } from "./fieldLists";
import {
  enumValue,
  optionalBoolean,
  optionalMapping,
  optionalString,
  requiredMapping,
  requiredString,
} from "./optionalFields";
import { absent, shown, type Obj } from "./read";

/**
 * targets_kind (linkerd/linkerd2 policy-controller/k8s/api/src/policy.rs): the group (absent or empty
 * meaning core) and the kind, each compared case-insensitively. `table`: [group, kind in lower case, out].
 */
export function kindOf<K>(
  group: string | undefined,
  kind: string,
  table: readonly (readonly [string, string, K])[],
): K | null {
  const g = (group || "core").toLowerCase();
  const k = kind.toLowerCase();
  for (const [tg, tk, out] of table) if (tg === g && tk === k) return out;
  return null;
}

/** The canonical kind Linkerd names in its errors: kind, or kind.group. */
export const canonical = (group: string | undefined, kind: string) => (group ? `${kind}.${group}` : kind);

/** `spec`: every policy CRD has `required: [spec]`, `type: object`. */
function specOf(spec: unknown): Obj {
  return requiredMapping(spec, "spec");
}

// ---------------------------------------------------------------------------------------------
// Label selectors (k8s/api/src/labels.rs Selector: matchLabels a string map, matchExpressions
// {key, operator In|NotIn|Exists|DoesNotExist, values}; the CRDs' enum on operator)

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

function checkSelector(v: unknown, field: string): void {
  const sel = optionalMapping(v, field);
  if (sel === undefined) return;
  const labels = optionalMapping(sel.matchLabels, `${field}.matchLabels`);
  for (const k in labels)
    if (Object.hasOwn(labels, k) && typeof labels[k] !== "string")
      throw new FieldError(`${field}.matchLabels.${k}`, `must be a string, not ${shown(labels[k])}`);
  const exprs = optionalList(sel.matchExpressions, `${field}.matchExpressions`) ?? [];
  for (let i = 0; i < exprs.length; i++) {
    const at = `${field}.matchExpressions[${i}]`;
    const e = requiredMapping(exprs[i], at);
    requiredString(e.key, `${at}.key`);
    enumValue(requiredString(e.operator, `${at}.operator`), `${at}.operator`, OPERATORS, "operator");
    optionalStrings(e.values, `${at}.values`);
  }
}

// ---------------------------------------------------------------------------------------------
// Networks: k8s/api/src/policy/network.rs Cidr (an IP address or a network, `not a valid CIDR or IP
// address`), admission.rs validate_networks (each exception inside its cidr, not covering it).

/** An address or network as the range of addresses it covers. */
export interface IpRange {
  v6: boolean;
  lo: bigint;
  hi: bigint;
}

/** Cidr::from_str: a network `addr/prefix` (host bits allowed, as ipnet keeps them) or one address. */
export function parseCidr(s: string): IpRange | null {
  const slash = s.indexOf("/");
  const addrPart = slash < 0 ? s : s.slice(0, slash);
  const v6 = addrPart.includes(":");
  const addr = ipValue(addrPart, LINKERD_CIDR);
  if (addr === null) return null;
  if (slash < 0) return { v6, lo: addr, hi: addr };
  const prefix = s.slice(slash + 1);
  const bits = v6 ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return null;
  const host = (1n << BigInt(bits - Number(prefix))) - 1n;
  return { v6, lo: addr & ~host, hi: addr | host };
}

/** Cidr::contains: both families equal and `b`'s addresses all inside `a`'s. */
export const contains = (a: IpRange, b: IpRange) => a.v6 === b.v6 && a.lo <= b.lo && b.hi <= a.hi;

function cidr(v: unknown, field: string): IpRange {
  const s = requiredString(v, field);
  const r = parseCidr(s);
  if (r === null) throw new FieldError(field, `not a valid CIDR or IP address: ${s}`);
  return r;
}

export interface Network {
  cidr: string;
  range: IpRange;
  except: { cidr: string; range: IpRange }[];
}

/** `networks[]` as Linkerd reads them, or null when one does not parse (admission refuses the object). */
export function networksOf(v: unknown): Network[] | null {
  try {
    return readNetworks(optionalList(v, "networks") ?? [], "networks");
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    return null;
  }
}

/** `networks[]` {cidr, except} as deserialisation reads them: every cidr and exception parses. */
function readNetworks(l: unknown[], field: string): Network[] {
  return l.map((raw, i) => {
    const at = `${field}[${i}]`;
    const n = requiredMapping(raw, at);
    const range = cidr(n.cidr, `${at}.cidr`);
    const except = (optionalList(n.except, `${at}.except`) ?? []).map((e, j) => ({
      cidr: e as string,
      range: cidr(e, `${at}.except[${j}]`),
    }));
    return { cidr: n.cidr as string, range, except };
  });
}

/** validate_networks: an exception must lie inside its cidr and must not cover all of it. */
function checkExceptions(networks: Network[], field: string): void {
  networks.forEach((n, i) =>
    n.except.forEach((e, j) => {
      const at = `${field}[${i}].except[${j}]`;
      if (contains(e.range, n.range))
        throw new FieldError(at, `cidr '${n.cidr}' is completely negated by exception '${e.cidr}'`);
      if (!contains(n.range, e.range))
        throw new FieldError(at, `cidr '${n.cidr}' does not include exception '${e.cidr}'`);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// MeshTLSAuthentication

// policy-controller/src/validation.rs validate_identity: a SPIFFE ID, or a DNS-like name ("*" allowed
// as the first label).
const DNS_LIKE = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const TRUST_DOMAIN = /^[a-z0-9._-]*$/;
const PATH_CHAR = /^[A-Za-z0-9._-]$/;

/** validate_identity's error (IdError's message), or null for a valid identity. */
function identityError(id: string): string | null {
  if (!id.startsWith("spiffe://")) {
    return DNS_LIKE.test(id)
      ? null
      : `identity must be a valid SPIFFE id or a DNS SAN, matching the regex: ${DNS_LIKE.source}`;
  }
  const rest = id.slice("spiffe://".length);
  const slash = rest.indexOf("/");
  const end = slash < 0 ? rest.length : slash;
  if (end === 0) return "SPIFFE trust domain is missing";
  if (!TRUST_DOMAIN.test(rest.slice(0, end)))
    return "SPIFFE trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores";
  return spiffePathError(rest.slice(end));
}

/** validate_path: segments of letters, digits, `.`, `-`, `_`; none empty or a dot segment; no trailing slash. */
function spiffePathError(path: string): string | null {
  const segmentError = (seg: string, last: boolean) =>
    seg === "/"
      ? last
        ? "SPIFFE path cannot have a trailing slash"
        : "SPIFFE path cannot contain empty segments"
      : seg === "/." || seg === "/.."
        ? "SPIFFE path cannot contain dot segments"
        : null;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    if (path[i] === "/") {
      const err = segmentError(path.slice(start, i), false);
      if (err) return err;
      start = i;
    } else if (!PATH_CHAR.test(path[i]!))
      return "SPIFFE path segment characters are limited to letters, numbers, dots, dashes, and underscores";
  }
  return path === "" ? null : segmentError(path.slice(start), true);
}

const IDENTITY_REFS = [
  ["core", "serviceaccount", "ServiceAccount"],
  ["core", "namespace", "Namespace"],
] as const;

/**
 * MeshTLSAuthentication. Schema (meshtls-authentication.yaml): exactly one of identities and
 * identityRefs (oneOf), each with at least one item; refs need a kind. Deserialisation
 * (MeshTLSAuthenticationSpec, NamespacedTargetRef): a ref needs a name too. Webhook
 * (`Validate<MeshTLSAuthenticationSpec>`): every identity passes validate_identity ("id … is
 * invalid: …"), every ref is a ServiceAccount or a Namespace without namespace (validate_identity_ref).
 */
export function checkMeshTLSAuthentication(spec: unknown, webhook: boolean): void {
  const s = specOf(spec);
  const ids = optionalStrings(s.identities, "spec.identities");
  const refs = optionalList(s.identityRefs, "spec.identityRefs");
  const read = (refs ?? []).map((raw, i) => {
    const at = `spec.identityRefs[${i}]`;
    const r = requiredMapping(raw, at);
    const group = optionalString(r.group, `${at}.group`);
    const kind = requiredString(r.kind, `${at}.kind`);
    requiredString(r.name, `${at}.name`);
    return { at, group, kind, namespace: optionalString(r.namespace, `${at}.namespace`) };
  });
  if (ids === undefined && refs === undefined)
    throw new FieldError(
      "spec",
      "sets neither identities nor identityRefs (the CRD schema requires exactly one of them)",
    );
  if (ids !== undefined && refs !== undefined)
    throw new FieldError(
      "spec",
      "sets both identities and identityRefs (the CRD schema allows only one of them)",
    );
  if (ids?.length === 0)
    throw new FieldError("spec.identities", "is empty (the CRD schema requires at least one item)");
  if (refs?.length === 0)
    throw new FieldError("spec.identityRefs", "is empty (the CRD schema requires at least one item)");
  if (!webhook) return;
  (ids ?? []).forEach((id, i) => {
    const err = identityError(id);
    if (err) throw new FieldError(`spec.identities[${i}]`, `id ${id} is invalid: ${err}`);
  });
  for (const r of read) {
    const kind = kindOf(r.group, r.kind, IDENTITY_REFS);
    if (kind === null)
      throw new FieldError(r.at, `invalid identity target kind: ${canonical(r.group, r.kind)}`);
    if (kind === "Namespace" && r.namespace !== undefined)
      throw new FieldError(
        `${r.at}.namespace`,
        "Namespace identity_ref is cluster-scoped and cannot have a namespace",
      );
  }
}

/** An identityRef kind Spec::try_from_resource cannot turn into an identity (the index skips the object). */
export const isIdentityRefKind = (group: string | undefined, kind: string) =>
  kindOf(group, kind, IDENTITY_REFS) !== null;

// ---------------------------------------------------------------------------------------------
// NetworkAuthentication

/**
 * NetworkAuthentication. Schema (network-authentication.yaml): `networks` required, each with a
 * cidr. Deserialisation (NetworkAuthenticationSpec, Network, Cidr): every cidr and exception an IP
 * address or network. Webhook (`Validate<NetworkAuthenticationSpec>`): "at least one network must be
 * specified", then validate_networks.
 */
export function checkNetworkAuthentication(spec: unknown, webhook: boolean): void {
  const s = specOf(spec);
  const l = optionalList(s.networks, "spec.networks");
  if (l === undefined) throw new FieldError("spec.networks", "is required");
  const networks = readNetworks(l, "spec.networks");
  if (!webhook) return;
  if (networks.length === 0) throw new FieldError("spec.networks", "at least one network must be specified");
  checkExceptions(networks, "spec.networks");
}

// ---------------------------------------------------------------------------------------------
// Server

const PROXY_PROTOCOLS = ["unknown", "HTTP/1", "HTTP/2", "gRPC", "opaque", "TLS"];

/**
 * Server of apiVersion `version` (v1alpha1 … v1beta3). Schema (server.yaml): `port` required;
 * v1beta2 and later exactly one of podSelector and externalWorkloadSelector (oneOf), earlier ones a
 * podSelector (externalWorkloadSelector is not in their schema: pruned, never checked); accessPolicy
 * is in v1beta3's schema only (pruned from the others). Deserialisation (ServerSpec): a port number 1..65535 (NonZeroU16) or a name, a known
 * proxyProtocol. Webhook (`Validate<ServerSpec>`): accessPolicy parses as a DefaultPolicy.
 */
export function checkServer(spec: unknown, version: string, webhook: boolean): void {
  const s = specOf(spec);
  const port = s.port;
  if (absent(port)) throw new FieldError("spec.port", "is required");
  if (
    typeof port === "number" ? !Number.isInteger(port) || port < 1 || port > 65535 : typeof port !== "string"
  ) {
    throw new FieldError("spec.port", `must be a port number 1..65535 or a port name, not ${shown(port)}`);
  }
  const legacy = version === "v1alpha1" || version === "v1beta1";
  const pod = !absent(s.podSelector);
  const external = !legacy && !absent(s.externalWorkloadSelector);
  if (legacy && !pod) throw new FieldError("spec.podSelector", "is required");
  if (!pod && !external)
    throw new FieldError(
      "spec",
      "sets neither podSelector nor externalWorkloadSelector (the CRD schema requires exactly one of them)",
    );
  if (pod && external)
    throw new FieldError(
      "spec",
      "sets both podSelector and externalWorkloadSelector (the CRD schema allows only one of them)",
    );
  checkSelector(s.podSelector, "spec.podSelector");
  if (external) checkSelector(s.externalWorkloadSelector, "spec.externalWorkloadSelector");
  enumValue(
    optionalString(s.proxyProtocol, "spec.proxyProtocol"),
    "spec.proxyProtocol",
    PROXY_PROTOCOLS,
    "proxyProtocol",
  );
  if (legacy || version === "v1beta2") return;
  const access = optionalString(s.accessPolicy, "spec.accessPolicy");
  if (webhook && access !== undefined && !LINKERD_POLICIES.has(access)) {
    throw new FieldError(
      "spec.accessPolicy",
      `Invalid 'accessPolicy' field: invalid mode: ${JSON.stringify(access)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// ServerAuthorization

/**
 * ServerAuthorization. Schema (server-authorization.yaml): `server` and `client` required; server
 * has exactly one of name and selector (oneOf); client.unauthenticated and meshTLS.unauthenticatedTLS
 * booleans; serviceAccounts need a name. Deserialisation: every network cidr and exception parses.
 * Webhook (`Validate<ServerAuthorizationSpec>`): no `unauthenticated` beside meshTLS, no
 * `unauthenticatedTLS` beside identities or serviceAccounts, then the networks' exceptions.
 *
 * A client with neither `unauthenticated` nor meshTLS, or a meshTLS naming no client, passes
 * admission; the index refuses it (server_authorization.rs client_authz: "no client authentication
 * configured", "authorization authorizes no clients"). That is no input.invalid: it admits no
 * unauthenticated client, which is all Handshake reads from it.
 */
export function checkServerAuthorization(spec: unknown, webhook: boolean): void {
  const s = specOf(spec);
  const server = requiredMapping(s.server, "spec.server");
  const client = requiredMapping(s.client, "spec.client");
  const name = optionalString(server.name, "spec.server.name");
  const selector = !absent(server.selector);
  if (name === undefined && !selector)
    throw new FieldError(
      "spec.server",
      "sets neither name nor selector (the CRD schema requires exactly one of them)",
    );
  if (name !== undefined && selector)
    throw new FieldError(
      "spec.server",
      "sets both name and selector (the CRD schema allows only one of them)",
    );
  checkSelector(server.selector, "spec.server.selector");
  const unauthenticated = optionalBoolean(client.unauthenticated, "spec.client.unauthenticated");
  const mtls = optionalMapping(client.meshTLS, "spec.client.meshTLS");
  let named = 0;
  let unauthenticatedTls = false;
  if (mtls !== undefined) {
    unauthenticatedTls =
      optionalBoolean(mtls.unauthenticatedTLS, "spec.client.meshTLS.unauthenticatedTLS") ?? false;
    named += optionalStrings(mtls.identities, "spec.client.meshTLS.identities")?.length ?? 0;
    const sas = optionalList(mtls.serviceAccounts, "spec.client.meshTLS.serviceAccounts") ?? [];
    sas.forEach((raw, i) => {
      const sa = requiredMapping(raw, `spec.client.meshTLS.serviceAccounts[${i}]`);
      requiredString(sa.name, `spec.client.meshTLS.serviceAccounts[${i}].name`);
      optionalString(sa.namespace, `spec.client.meshTLS.serviceAccounts[${i}].namespace`);
    });
    named += sas.length;
  }
  const networks = readNetworks(
    optionalList(client.networks, "spec.client.networks") ?? [],
    "spec.client.networks",
  );
  if (!webhook) return;
  if (mtls !== undefined && unauthenticated === true)
    throw new FieldError(
      "spec.client.unauthenticated",
      "`unauthenticated` must be false if `mesh_tls` is specified",
    );
  if (unauthenticatedTls && named > 0) {
    throw new FieldError(
      "spec.client.meshTLS.unauthenticatedTLS",
      "`unauthenticatedTLS` be false if any `identities` or `service_accounts` is specified",
    );
  }
  checkExceptions(networks, "spec.client.networks");
}
