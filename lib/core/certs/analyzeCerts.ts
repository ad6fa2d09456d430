// Every certificate the inputs hold, once per fingerprint: parsed, placed in its chain, verified
// against the trust bundle actually in use there, with role, owner and expected rotation point.
// Pure: the clock comes in as `now`; parsing is cached by fingerprint (10k proxies share a root).
import type { Certificate } from "../snapshot/schema";
import type {
  CertInput,
  CertManagerCertificate,
  CertManagerIssuer,
  CertSource,
  SpireServerConfig,
} from "./types";
import { groupBy } from "../model/read";
import { certManagerRenewalTime } from "./certManagerRenewal";
import { ATTR_NAMES, createCertCache, escapeDnValue, samePublicKey, type ParsedCert } from "./x509";
import { dnRdns } from "./distinguishedName";
import { ipValue, NETIP } from "../model/ipAddress";

export type CertRole = Certificate["role"];

export interface ChainCheck {
  verified: boolean;
  error?: string;
  /** True when no trust bundle for this chain was among the inputs: nothing to verify against. */
  unverifiable?: boolean;
}

export interface Sighting {
  input: CertInput;
  /** Position in the input's chain (0 = leaf / first block). */
  index: number;
}

export interface CertEntry {
  cert: ParsedCert;
  sightings: Sighting[];
  role: CertRole;
  /** The worst verification result over every chain it appeared in (a failure, else verified, else unverifiable: `worse`). */
  chain: ChainCheck;
  /** The certificate that signed it, when found. */
  issuer: ParsedCert | null;
  owner: Certificate["owner"];
  renewalTime: Date | null;
  /** The cert-manager Certificate that manages it: its Secret's, else one whose status describes it (linkByStatus). */
  certManager: CertManagerCertificate | null;
  /**
   * A newer CA that has replaced this one, which stays trusted until it expires: for a SPIRE signing
   * CA, a newer CA of its trust domain, valid now, that outlives it (the one SPIRE prepared and
   * published); for a root or trust anchor, a newer root beside it in a bundle that the CAs signing
   * today chain to, when none of them chains to this one (a root rotation done right).
   */
  successor: ParsedCert | null;
  /**
   * The trust domain of a SPIRE signing CA: a CA whose one URI SAN is a bare `spiffe://<td>`, seen
   * through SPIRE (spire-bundle, or signing the SVIDs of a SPIRE-served proxy). Null otherwise: an
   * Istio plug-in CA (cacerts), istio-ca-secret, a Linkerd or cert-manager CA may carry the same SAN
   * and does not rotate itself.
   */
  spireTrustDomain: string | null;
  /**
   * A self-signed CA: self-issued (subject = issuer) and its signature verifies with its own public
   * key (RFC 5280 §3.2 "self-signed"). A self-issued CA signed by another key (a key-rollover link
   * certificate, an intermediate named like its issuer) is not: path validation checks its signature.
   */
  selfSignedCa: boolean;
}

export interface InvalidCert {
  source: CertSource;
  message: string;
  at?: { file: string; line?: number };
}

export interface CertReport {
  entries: CertEntry[];
  invalid: InvalidCert[];
  /** Trust bundles by scope ("proxy:ns/pod", "namespace:ns", "mesh:istio" …), fingerprints of their certificates. */
  bundles: Map<string, Set<string>>;
  certManager: { certificates: CertManagerCertificate[]; issuers: CertManagerIssuer[] };
  /** The certificates each cert-manager Certificate manages (CertEntry.certManager), in entry order. */
  managedBy: Map<CertManagerCertificate, CertEntry[]>;
  /**
   * The Certificates judged by their status alone: with a status.notAfter, no certificate of their
   * Secret among the inputs, and none linked to them by status (linkByStatus), in input order.
   */
  statusOnly: CertManagerCertificate[];
  spire: SpireServerConfig[];
  inputs: CertInput[];
  /**
   * Trust scopes ("proxy:ns/pod" …) whose roots come from SPIRE: a proxy whose ROOTCA is a SPIFFE
   * validator (the SPIRE agent's SDS answers so with federated bundles), or every root it trusts is in spire-bundle.
   */
  spireServedScopes: Set<string>;
}

const ROLE_PRIORITY: CertRole[] = ["workload", "issuer", "trust-anchor", "root", "intermediate", "leaf"];

const sourceKey = (s: CertSource) =>
  `${s.kind}\u0000${s.namespace ?? ""}\u0000${s.name ?? ""}\u0000${s.pod ?? ""}\u0000${s.key ?? ""}`;
/** One object (kind, namespace, name, pod; an absent part told apart from "") as a key: what a Secret's inputs share. */
const objectKey = (s: CertSource) =>
  `${s.kind}\u0000${s.namespace ?? "\u0001"}\u0000${s.name ?? "\u0001"}\u0000${s.pod ?? "\u0001"}`;

/**
 * A CA's role by its own shape: a root is self-SIGNED (RFC 5280 §3.2), not merely self-issued; a CA
 * named like the CA that signed it (a key-rollover link, a SPIRE server CA given its upstream's
 * ca_subject) is an intermediate. Module level: roleOf runs per certificate sighting.
 */
const caRoleOf = (c: ParsedCert, selfSigned: (c: ParsedCert) => boolean): CertRole =>
  selfSigned(c) ? "root" : "intermediate";

/**
 * A CA by its place: basicConstraints cA, or a self-signed certificate where a trust anchor sits (a
 * mesh bundle, a CA Secret, above the end-entity of a chain). Go's roots pool and BoringSSL
 * (check_chain_extensions checks only the untrusted certificates) take an anchor without
 * basicConstraints, as old CAs and X.509 v1 roots were made: it is a root, not a leaf (reviews/certs3.md #3).
 */
const caByPlace = (c: ParsedCert, selfSigned: (c: ParsedCert) => boolean) => c.isCA || selfSigned(c);

/** `anchors`: the input is the bundle Linkerd's identity takes its trust anchors from (linkerdAnchorInputs). */
function roleOf(
  input: CertInput,
  index: number,
  c: ParsedCert,
  selfSigned: (c: ParsedCert) => boolean,
  anchors: boolean,
): CertRole {
  switch (input.context) {
    case "workload-chain":
      if (index === 0) return "workload";
      return caByPlace(c, selfSigned) ? caRoleOf(c, selfSigned) : "leaf";
    case "trust-bundle":
    case "root-bundle":
      if (!caByPlace(c, selfSigned)) return "leaf";
      return anchors ? "trust-anchor" : caRoleOf(c, selfSigned);
    case "tls-ca":
      // A TLS Secret's ca.crt is the leaf itself when a SelfSigned issuer made it: cA decides here.
      if (!c.isCA) return "leaf";
      return anchors ? "trust-anchor" : caRoleOf(c, selfSigned);
    case "ca-chain":
      if (index === 0 && input.mesh === "linkerd") return "issuer";
      return caByPlace(c, selfSigned) ? caRoleOf(c, selfSigned) : "leaf";
    case "tls-chain":
      if (index === 0) return c.isCA ? caRoleOf(c, selfSigned) : "leaf";
      return caByPlace(c, selfSigned) ? caRoleOf(c, selfSigned) : "leaf";
  }
}

interface Parsed {
  input: CertInput;
  certs: ParsedCert[];
}

/**
 * The inputs Linkerd's identity takes its trust anchors from: the ConfigMap linkerd-identity-trust-roots,
 * which the identity controller mounts (charts/linkerd-control-plane/templates/identity.yaml, volume
 * trust-roots) and the injector gives every proxy. The issuer Secret's ca.crt is the CA cert-manager's
 * issuer signed it with, which Linkerd never reads: it stands in for the anchors only when the
 * ConfigMap is not among the inputs.
 */
function linkerdAnchorInputs(parsed: Parsed[]): Set<CertInput> {
  const bundles = parsed
    .filter((p) => p.input.mesh === "linkerd" && p.input.context === "root-bundle")
    .map((p) => p.input);
  const configMaps = bundles.filter((i) => i.source.kind === "ConfigMap");
  return new Set(configMaps.length > 0 ? configMaps : bundles);
}

/** The root-bundle and tls-ca inputs by object (objectKey), in `parsed` order: what bundleFor's filter kept, in one pass. */
function besideIndex(parsed: Parsed[]): Map<string, Parsed[]> {
  return groupBy(
    parsed.filter((p) => p.input.context === "root-bundle" || p.input.context === "tls-ca"),
    (p) => objectKey(p.input.source),
  );
}

/** Where a chain is checked: its own scope's bundles, else its namespace's root ConfigMap, else the mesh's roots. */
function bundleFor(
  input: CertInput,
  besides: Map<string, Parsed[]>,
  scopes: Map<string, ParsedCert[]>,
): ParsedCert[] | null {
  if (input.trustScope) {
    const own = scopes.get(input.trustScope);
    if (own?.length) return own;
    // A proxy's non-mesh SDS secret (a gateway credential, a DestinationRule client certificate):
    // it is presented to parties outside the mesh, so the mesh roots do not judge it.
    if (input.trustScope.startsWith("proxy-secret:")) return null;
  }
  // The Linkerd issuer is checked against the trust anchors, as the identity controller checks it
  // (pkg/identity/service.go loadCredentials: creds.Crt.Verify(svc.trustAnchors, …), "failed to
  // verify issuer credentials … with trust anchors"), not against the ca.crt beside it.
  if (input.mesh === "linkerd" && input.context === "ca-chain") {
    const anchors = scopes.get("mesh:linkerd");
    if (anchors?.length) return anchors;
  }
  if (input.context === "ca-chain" || input.context === "tls-chain") {
    // A CA or TLS Secret carries its root next to the chain (root-cert.pem, ca.crt).
    const beside = besides.get(objectKey(input.source));
    if (beside) return beside.flatMap((p) => p.certs);
  }
  if (input.owner && input.mesh === "istio") {
    const ns = scopes.get(`namespace:${input.owner.namespace}`);
    if (ns?.length) return ns;
  }
  const mesh = scopes.get(`mesh:${input.mesh}`);
  return mesh?.length ? mesh : null;
}

/** A signature found while verifying: `issuer` signed `child`; `anchor` when the issuer is a trust anchor of the bundle in use. */
interface Link {
  child: ParsedCert;
  issuer: ParsedCert;
  anchor: boolean;
}

interface Walk {
  check: ChainCheck;
  /** The signatures along the path taken (the path that verified, else the first one tried). */
  links: Link[];
}

const VERIFIED: ChainCheck = { verified: true };

/**
 * The most signature checks one chain's path search may make: Go's crypto/x509 `maxChainSignatureChecks`
 * (verify.go buildChains), "space for multiple chains and for failed checks due to different
 * intermediates having the same Subject". Same-named CAs signing each other (key-rollover links, n keys
 * cross-signed n·(n−1) ways) make the number of paths grow factorially: without a bound one Secret
 * stalls the analysis. Every check counts, memoised or not: the bound is on the search, not on crypto.
 */
export const MAX_SIGNATURE_CHECKS = 100;

/** The same certificate for path building: Go's `alreadyInChain` (same subject and public key). */
const sameSubjectAndKey = (a: ParsedCert, b: ParsedCert) =>
  a.fingerprint === b.fingerprint || (a.subject === b.subject && samePublicKey(a, b));

/** A valid anchor beats an expired one, then the later notAfter, then the lower fingerprint: no input order decides. */
function betterAnchor(a: ParsedCert, b: ParsedCert, now: Date): boolean {
  const va = a.notAfter > now;
  if (va !== b.notAfter > now) return va;
  if (a.notAfter.getTime() !== b.notAfter.getTime()) return a.notAfter > b.notAfter;
  return a.fingerprint < b.fingerprint;
}

/** The preferred anchor of several (betterAnchor), or undefined. */
const bestAnchor = (anchors: ParsedCert[], now: Date): ParsedCert | undefined =>
  anchors.reduce<ParsedCert | undefined>(
    (best, a) => (!best || betterAnchor(a, best, now) ? a : best),
    undefined,
  );

/**
 * Why a presented certificate may not be an intermediate, or null: it must be a CA (basicConstraints
 * cA true: Go's `isValid` NotAuthorizedToSign, OpenSSL's "invalid CA certificate") and, when it has a
 * keyUsage, allow keyCertSign (OpenSSL: "key usage does not include certificate signing"). Trust
 * anchors are taken as they are, as Go's roots pool takes them.
 */
function notAuthorizedToSign(c: ParsedCert): string | null {
  if (!c.isCA) return "is not a CA (basicConstraints cA is not true)";
  if (c.keyUsage.length > 0 && !c.keyUsage.includes("keyCertSign"))
    return "has a key usage without keyCertSign";
  return null;
}

/**
 * Why the presented CA `ca` may not sit above the path below it, or null: its pathLenConstraint allows
 * fewer intermediates than `below` holds (the end-entity and self-issued certificates excluded). The
 * rule every verifier of the mesh's certificates agrees on, so that a chain called invalid is refused by
 * all of them: BoringSSL (Envoy; x509_vfy.c `check_chain_extensions`) checks pathLen only on the
 * untrusted certificates, never on the trust anchor, and does not count self-issued intermediates
 * (RFC 5280 §6.1.4 (l)); Go's crypto/x509 (`isValid` TooManyIntermediates) and OpenSSL 3 also check the
 * anchor and Go counts self-issued ones too, so they refuse a superset of these chains.
 */
function pathTooLong(ca: ParsedCert, below: ParsedCert[]): string | null {
  if (ca.pathLen === null) return null;
  let intermediates = 0;
  for (let k = 1; k < below.length; k++) if (below[k]!.subject !== below[k]!.issuer) intermediates++;
  if (intermediates <= ca.pathLen) return null;
  return `path length limit of ${ca.subject} exceeded: its pathLenConstraint is ${ca.pathLen}, but ${intermediates} intermediate CA certificate${intermediates === 1 ? " is" : "s are"} below it in this chain (X509_V_ERR_PATH_LENGTH_EXCEEDED)`;
}

/**
 * The issuer BoringSSL's `find_issuer` (crypto/x509/x509_vfy.c) takes for `c` from the untrusted stack:
 * in presented order, the first certificate named like `c`'s issuer that is valid now, else the last one
 * so named (the pool of the Secret after the chain). By name only: `check_issued` also compares the
 * authority key ID, so this may name a certificate BoringSSL would pass over; then no copy is skipped
 * and a finding may be missed, never made up.
 */
function boringSslPick(
  c: ParsedCert,
  candidates: Candidate[],
  valid: (c: ParsedCert) => boolean,
): ParsedCert | undefined {
  const named = candidates
    .filter(([p]) => p.subject === c.issuer && p.fingerprint !== c.fingerprint)
    .map(([p]) => p);
  return named.find(valid) ?? named[named.length - 1];
}

/** A certificate a path may go up through, with its position in the presented chain (-1: from the Secret's pool). */
type Candidate = [cert: ParsedCert, index: number];

/**
 * The intermediates a presented chain offers: each of its certificates once (first position), then the
 * other CA certificates of the same Secret. An unordered pool, as Envoy (BoringSSL: the peer's chain is
 * the untrusted stack), Go (`VerifyOptions.Intermediates`) and `openssl verify -untrusted` take it.
 */
function presentedCandidates(chain: ParsedCert[], pool: ParsedCert[]): Candidate[] {
  const out: Candidate[] = [];
  const listed = new Set<string>();
  chain.forEach((c, j) => {
    if (listed.has(c.fingerprint)) return;
    listed.add(c.fingerprint);
    out.push([c, j]);
  });
  for (const p of pool) {
    if (listed.has(p.fingerprint)) continue;
    listed.add(p.fingerprint);
    out.push([p, -1]);
  }
  return out;
}

/**
 * Verifies `chain[at]` against the trust bundle in use, building the path as OpenSSL, BoringSSL (Envoy)
 * and Go do: trusted first. At each certificate, a valid anchor of the bundle named like its issuer that
 * signed it ends the path, before any issuer the chain presents: a proxy that trusts a new root R2
 * verifies `[leaf, I, R2x]` through R2, never through R2x (R2's name and key cross-signed by the old
 * root R1, presented for peers still on R1), even once R1 and R2x have expired. A certificate carrying
 * the name and public key of an anchor valid now (R2x itself) is that anchor; one matching only an
 * expired anchor is not (a root renewed with the same key does not revive its expired predecessor).
 * Otherwise the path goes up through the presented certificates as an unordered pool (`candidates`:
 * the next one first, then any named like the issuer, then the other CA certificates of the same
 * Secret: istiod verifies cacerts' ca-cert.pem with cert-chain.pem as an intermediates pool,
 * security/pkg/pki/util/keycertbundle.go `Verify`), trying each until a path verifies. A candidate
 * already on the path by subject and key is skipped, as is another copy (same subject and key) of the
 * issuer BoringSSL picks (`boringSslPick`) when that pick exceeds its pathLenConstraint on this path
 * (BoringSSL and `openssl verify` stop at that error, error 25), and the search gives up, unverified, after
 * MAX_SIGNATURE_CHECKS signature checks.
 */
function verifyChain(
  chain: ParsedCert[],
  at: number,
  candidates: Candidate[],
  bundle: ParsedCert[] | null,
  verify: (child: ParsedCert, issuer: ParsedCert) => boolean,
  now: Date,
  found: (link: Link) => void,
): ChainCheck {
  const target = chain[at];
  if (!target) return { verified: false, error: "empty chain" };
  const valid = (c: ParsedCert) => c.notAfter > now;
  const isAnchor = (c: ParsedCert) => bundle?.some((b) => valid(b) && sameSubjectAndKey(b, c)) === true;
  let checks = 0;
  /** A signature check within the budget; false once it is spent (then `exhausted`). */
  const counted = (child: ParsedCert, issuer: ParsedCert) =>
    ++checks <= MAX_SIGNATURE_CHECKS && verify(child, issuer);
  const exhausted = () => checks > MAX_SIGNATURE_CHECKS;
  const gaveUp: Walk = {
    check: {
      verified: false,
      error: `too many candidate issuers: no path to a trust anchor within ${MAX_SIGNATURE_CHECKS} signature checks (CA certificates named alike signing each other); Go's crypto/x509 gives up the same way`,
    },
    links: [],
  };
  const walk = (c: ParsedCert, i: number, path: ParsedCert[]): Walk => {
    // A trust anchor ends the path whatever its pathLenConstraint (BoringSSL checks only the untrusted
    // certificates; see pathTooLong).
    if (isAnchor(c)) return { check: VERIFIED, links: [] };
    // The trust bundle's anchors named like the issuer, outside the budget: checking them is linear (at
    // most the bundle's size per certificate on the path, memoised), and a bundle that keeps 100+ rotated
    // roots of one name (SPIRE) must still verify. Only the climb through presented certificates, which
    // can branch at every step, is bounded (Go keeps a chain it found when its limit is hit, too).
    const named = bundle?.filter((b) => b.subject === c.issuer && verify(c, b)) ?? [];
    const trusted = bestAnchor(named.filter(valid), now);
    if (trusted) return { check: VERIFIED, links: [{ child: c, issuer: trusted, anchor: true }] };
    const next = i >= 0 ? chain[i + 1] : undefined;
    const onPath = (x: ParsedCert) => path.some((p) => sameSubjectAndKey(p, x));
    let failed: Walk | undefined;
    // BoringSSL takes one issuer from the chain presented and stops at its pathLen error, so when its
    // pick exceeds pathLen here another copy of it (same name and key) is no way round; when its pick
    // does not, the copies are tried as any other candidate (reviews/certs5.md #3: the copy presented
    // first decides, not the next one).
    const pick = boringSslPick(c, candidates, valid);
    const pickTooLong = pick !== undefined && !onPath(pick) && pathTooLong(pick, path) !== null;
    // The next presented certificate first (signed, whatever its name, as before), then the pool by name.
    const ups: Candidate[] = next ? [[next, i + 1], ...candidates.filter(([p]) => p !== next)] : candidates;
    for (const [up, j] of ups) {
      if ((up !== next && up.subject !== c.issuer) || onPath(up)) continue;
      if (pickTooLong && up.fingerprint !== pick.fingerprint && sameSubjectAndKey(up, pick)) continue;
      if (!counted(c, up)) {
        if (exhausted()) return gaveUp;
        continue;
      }
      const link: Link = { child: c, issuer: up, anchor: false };
      let w: Walk;
      const notCa = notAuthorizedToSign(up);
      const tooLong = pathTooLong(up, path);
      if (!valid(up))
        w = {
          check: { verified: false, error: `issuer ${up.subject} expired ${up.notAfter.toISOString()}` },
          links: [link],
        };
      else if (notCa)
        w = {
          check: { verified: false, error: `issuer ${up.subject} ${notCa}: it may not sign certificates` },
          links: [link],
        };
      else if (tooLong) w = { check: { verified: false, error: tooLong }, links: [link] };
      else {
        const above = walk(up, j, [...path, up]);
        if (above === gaveUp) return gaveUp;
        w = { check: above.check, links: [link, ...above.links] };
      }
      if (w.check.verified) return w;
      failed ??= w;
    }
    if (failed) return failed;
    if (!bundle)
      return {
        check: {
          verified: false,
          unverifiable: true,
          error: "no trust bundle for this chain among the inputs",
        },
        links: [],
      };
    // Diagnosis only, outside the budget: an expired anchor named like the issuer, else (the names
    // differ) any anchor whose key signed it; else an expired anchor this very certificate renews.
    const anchor =
      named[0] ??
      bundle.find((b) => valid(b) && verify(c, b)) ??
      bundle.find((b) => verify(c, b)) ??
      bundle.find((b) => sameSubjectAndKey(b, c));
    if (anchor) {
      const links =
        anchor === c || sameSubjectAndKey(anchor, c) ? [] : [{ child: c, issuer: anchor, anchor: true }];
      return valid(anchor)
        ? { check: VERIFIED, links }
        : {
            check: {
              verified: false,
              error: `trust anchor ${anchor.subject} expired ${anchor.notAfter.toISOString()}`,
            },
            links,
          };
    }
    const namedAnchor = bundle.find((b) => b.subject === c.issuer);
    return {
      check: {
        verified: false,
        error: namedAnchor
          ? `signature of ${c.subject} does not verify with ${namedAnchor.subject} from the trust bundle`
          : `issuer ${c.issuer} of ${c.subject} is not in the trust bundle in use${next ? " and did not sign it via the chain" : " (missing intermediate?)"}`,
      },
      links: [],
    };
  };
  const w = walk(target, at, [target]);
  for (const l of w.links) found(l);
  return w.check;
}

/** A Linkerd issuer chain its trust anchors do not verify: what the identity controller does with it. */
function refusedByLinkerd(r: ChainCheck, anchors: Set<CertInput>): ChainCheck {
  const from = [...anchors].some((i) => i.source.kind === "ConfigMap")
    ? "linkerd-identity-trust-roots"
    : "the issuer Secret's ca.crt (linkerd-identity-trust-roots is not among the inputs)";
  return {
    verified: false,
    error: `${r.error ?? "it does not verify"}; Linkerd's identity controller checks its issuer against the trust anchors in ${from} and refuses it ("failed to verify issuer credentials"): once the issuer it holds expires, proxies get no certificates`,
  };
}

/**
 * Two sightings' results combined: a real failure beats everything; else a verified sighting beats one
 * with no trust bundle (unverifiable says nothing against the chain: a trust anchor that is also the
 * end-entity of a CA Secret without ca.crt, Linkerd's `linkerd-trust-anchor` recipe, stays verified).
 */
const worse = (a: ChainCheck, b: ChainCheck): ChainCheck => {
  if (!a.verified && !a.unverifiable) return a;
  if (!b.verified && !b.unverifiable) return b;
  return a.verified || !b.verified ? a : b;
};

export interface CertAnalysisOptions {
  now: Date;
  inputs: CertInput[];
  certManager: { certificates: CertManagerCertificate[]; issuers: CertManagerIssuer[] };
  spire: SpireServerConfig[];
  /**
   * The inputs were read from a cluster: a Certificate without status there is one cert-manager has
   * not reconciled, which schedules no renewal (expectedRotation derives none).
   */
  fromCluster?: boolean;
}

export function analyzeCertificates(o: CertAnalysisOptions): CertReport {
  const cache = createCertCache();
  const invalid: InvalidCert[] = [];
  const parsed: Parsed[] = [];
  for (const input of o.inputs) {
    const certs: ParsedCert[] = [];
    input.ders.forEach((der, i) => {
      const r = cache.parse(der);
      if ("error" in r)
        invalid.push({
          source: input.source,
          message: `certificate ${i + 1}: ${r.error}`,
          ...(input.at ? { at: input.at } : {}),
        });
      else certs.push(r);
    });
    parsed.push({ input, certs });
  }

  // Trust bundles by scope: a proxy's ROOTCA, a namespace's istio-ca-root-cert, each mesh's distributed roots.
  const scopes = new Map<string, ParsedCert[]>();
  const addScope = (scope: string, certs: ParsedCert[]) =>
    scopes.set(scope, [...(scopes.get(scope) ?? []), ...certs]);
  const linkerdAnchors = linkerdAnchorInputs(parsed);
  for (const p of parsed) {
    if (p.input.context === "trust-bundle") {
      if (p.input.trustScope) addScope(p.input.trustScope, p.certs);
      else if (p.input.source.kind === "ConfigMap" && p.input.source.namespace)
        addScope(`namespace:${p.input.source.namespace}`, p.certs);
    }
    if (p.input.context === "root-bundle" && (p.input.mesh !== "linkerd" || linkerdAnchors.has(p.input)))
      addScope(`mesh:${p.input.mesh}`, p.certs);
  }
  // istio-ca-root-cert is the mesh root for Istio when no CA Secret is among the inputs.
  if (!scopes.has("mesh:istio"))
    for (const [k, v] of scopes) if (k.startsWith("namespace:")) addScope("mesh:istio", v);

  // The CA certificates of each object's CA chains (cacerts' ca-cert.pem, cert-chain.pem, tls.crt),
  // once each: the intermediates pool its signing CA is verified with.
  const caPools = new Map<string, ParsedCert[]>();
  for (const p of parsed) {
    if (p.input.context !== "ca-chain") continue;
    const k = objectKey(p.input.source);
    const pool = caPools.get(k) ?? [];
    for (const c of p.certs) if (!pool.includes(c)) pool.push(c);
    caPools.set(k, pool);
  }

  const entries = new Map<string, CertEntry>();
  const cmBySecret = certificatesBySecret(o.certManager.certificates);
  const issuerOf = new Map<string, ParsedCert>();
  const anchoredIssuer = new Set<string>();
  // The first issuer found wins, except that a trust anchor beats an issuer a chain presents: an
  // intermediate under a new root R2 keeps R2 as its issuer, not the cross-signed copy R2x that
  // expires with the old root (cert.outlives-issuer, supersededRoots). Between two anchors (an expired
  // root and its same-key renewal, trusted by different proxies) the better one wins (betterAnchor),
  // whichever input comes first.
  const recordIssuer = ({ child, issuer, anchor }: Link) => {
    const fp = child.fingerprint;
    if (fp === issuer.fingerprint) return;
    const had = issuerOf.get(fp);
    if (had && (!anchor || (anchoredIssuer.has(fp) && !betterAnchor(issuer, had, o.now)))) return;
    issuerOf.set(fp, issuer);
    if (anchor) anchoredIssuer.add(fp);
  };
  // Memoised by the cache: a root is seen once per proxy.
  const selfSigned = (c: ParsedCert) => c.selfIssued && cache.verify(c, c);
  const checks = new Map<string, ChainCheck>();
  const besides = besideIndex(parsed);
  const check = (fp: string, c: ChainCheck) => checks.set(fp, checks.has(fp) ? worse(checks.get(fp)!, c) : c);

  for (const p of parsed) {
    const bundleContext =
      p.input.context === "trust-bundle" || p.input.context === "root-bundle" || p.input.context === "tls-ca";
    const anchors = linkerdAnchors.has(p.input);
    if (bundleContext) {
      // Bundle members: a root verifies itself; an intermediate must be signed by another member, but
      // for a Linkerd trust anchor (Go's x509 roots pool trusts every certificate in it as it is).
      // A self-issued member signed by another member (a key-rollover link beside its root) is valid:
      // only a self-issued member no one here signed, not even itself, is a broken self-signature.
      for (const c of p.certs) {
        if (selfSigned(c)) {
          check(c.fingerprint, VERIFIED);
          continue;
        }
        const signer = p.certs.find((b) => b !== c && cache.verify(c, b));
        if (signer) recordIssuer({ child: c, issuer: signer, anchor: true });
        if (signer || anchors) check(c.fingerprint, VERIFIED);
        else
          check(
            c.fingerprint,
            c.selfIssued
              ? { verified: false, error: "self-signed signature does not verify" }
              : { verified: false, unverifiable: true, error: "its issuer is not in the same bundle" },
          );
      }
    } else {
      const bundle = bundleFor(p.input, besides, scopes);
      const pool = p.input.context === "ca-chain" ? (caPools.get(objectKey(p.input.source)) ?? []) : [];
      const linkerdIssuer = p.input.mesh === "linkerd" && p.input.context === "ca-chain";
      const candidates = presentedCandidates(p.certs, pool);
      for (let i = 0; i < p.certs.length; i++) {
        const r = verifyChain(p.certs, i, candidates, bundle, cache.verify, o.now, recordIssuer);
        check(
          p.certs[i]!.fingerprint,
          linkerdIssuer && !r.verified && !r.unverifiable ? refusedByLinkerd(r, linkerdAnchors) : r,
        );
      }
    }
    p.certs.forEach((c, index) => {
      const role = roleOf(p.input, index, c, selfSigned, anchors);
      const e = entries.get(c.fingerprint);
      if (!e) {
        entries.set(c.fingerprint, {
          cert: c,
          sightings: [{ input: p.input, index }],
          role,
          chain: { verified: false },
          issuer: null,
          owner: null,
          renewalTime: null,
          certManager: null,
          successor: null,
          spireTrustDomain: null,
          selfSignedCa: false,
        });
        return;
      }
      e.sightings.push({ input: p.input, index });
      // Seen in several places: the most specific role wins (a root in a proxy chain is still a root).
      if (ROLE_PRIORITY.indexOf(role) < ROLE_PRIORITY.indexOf(e.role)) e.role = role;
    });
  }

  // SPIRE CAs by trust domain, to find each one's successor: only CAs seen through SPIRE.
  const spireServedScopes = spireServed(parsed, scopes);
  const viaSpire = seenThroughSpire(parsed, spireServedScopes, issuerOf);
  const spireCas = new Map<string, ParsedCert[]>();
  for (const e of entries.values()) {
    const td = viaSpire.has(e.cert.fingerprint) ? spireCaTrustDomain(e.cert) : null;
    e.spireTrustDomain = td;
    if (td !== null) spireCas.set(td, [...(spireCas.get(td) ?? []), e.cert]);
  }

  for (const e of entries.values()) {
    const td = e.spireTrustDomain;
    if (td !== null) {
      const above = issuerChain(e.cert, issuerOf);
      e.successor =
        spireCas
          .get(td)!
          .find((n) => isSpireSuccessor(e.cert, n, { above, issuerOf, selfSigned, now: o.now })) ?? null;
    }
    // Keyed once per sighting: a shared root or intermediate is seen once per proxy (10k sightings).
    const keys = new Map(e.sightings.map((s) => [s, sourceKey(s.input.source)]));
    e.sightings.sort((a, b) => {
      const ka = keys.get(a)!;
      const kb = keys.get(b)!;
      return ka < kb ? -1 : ka > kb ? 1 : a.index - b.index;
    });
    e.chain = checks.get(e.cert.fingerprint) ?? { verified: false };
    e.issuer = issuerOf.get(e.cert.fingerprint) ?? null;
    // Memoised: a root in a bundle had this very check above, so it costs nothing more there.
    e.selfSignedCa = e.cert.isCA && e.cert.selfIssued && cache.verify(e.cert, e.cert);
    const first = e.sightings[0]!.input;
    const owned = e.sightings.find((s) => s.input.owner && s.index === 0);
    if (owned?.input.owner) e.owner = { ...owned.input.owner };
    else if (first.source.kind === "Secret" && first.source.namespace && !e.cert.isCA)
      e.owner = { namespace: first.source.namespace };
    // Only the Secret's tls.crt is the Certificate's own leaf; its ca.crt is the issuing CA, which
    // must not inherit the leaf's renewal time (nor its cert-manager status). cert-manager also
    // writes the CA Secrets that Linkerd (linkerd-identity-issuer) and Istio (cacerts) read, under
    // tls.crt too (their `tls.crt` key is read as a CA chain).
    const secret = e.sightings.find(
      (s) =>
        s.input.source.kind === "Secret" &&
        s.index === 0 &&
        (s.input.context === "tls-chain" ||
          (s.input.context === "ca-chain" && s.input.source.key === "tls.crt")),
    );
    e.certManager = secret
      ? managingCertificate(
          cmBySecret.get(`${secret.input.source.namespace}/${secret.input.source.name}`),
          secret.input.certificateName,
        )
      : null;
    e.renewalTime = expectedRotation(e, o.fromCluster === true);
  }
  for (const e of linkByStatus(entries, o.certManager.certificates))
    e.renewalTime = expectedRotation(e, o.fromCluster === true);
  supersededRoots(entries, parsed, o.now, selfSigned);
  const managedBy = new Map<CertManagerCertificate, CertEntry[]>();
  for (const e of entries.values()) {
    if (!e.certManager) continue;
    const list = managedBy.get(e.certManager);
    if (list) list.push(e);
    else managedBy.set(e.certManager, [e]);
  }
  return {
    entries: [...entries.values()],
    invalid,
    bundles: new Map([...scopes].map(([k, v]) => [k, new Set(v.map((c) => c.fingerprint))])),
    certManager: o.certManager,
    managedBy,
    statusOnly: statusOnly(o.certManager.certificates, o.inputs, managedBy),
    spire: o.spire,
    inputs: o.inputs,
    spireServedScopes,
  };
}

/** The Certificates left to their status (CertReport.statusOnly). */
function statusOnly(
  certificates: CertManagerCertificate[],
  inputs: CertInput[],
  managedBy: Map<CertManagerCertificate, CertEntry[]>,
): CertManagerCertificate[] {
  const held = new Set<string>();
  for (const i of inputs)
    if (i.source.kind === "Secret") held.add(`${i.source.namespace ?? ""}/${i.source.name ?? ""}`);
  return certificates.filter(
    (c) => c.notAfter !== undefined && !held.has(`${c.namespace}/${c.secretName}`) && !managedBy.has(c),
  );
}

/** The cert-manager Certificates by the Secret they write (namespace/secretName), each list by name. */
function certificatesBySecret(certificates: CertManagerCertificate[]): Map<string, CertManagerCertificate[]> {
  const out = new Map<string, CertManagerCertificate[]>();
  for (const c of certificates) {
    const k = `${c.namespace}/${c.secretName}`;
    const list = out.get(k);
    if (list) list.push(c);
    else out.set(k, [c]);
  }
  for (const list of out.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** The attributes of an RFC 4514 name as readName writes them ("CN=a\\,b", "O=x"), split at unescaped "," and "+". */
function dnAttributes(dn: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === "\\" && i + 1 < dn.length) {
      cur += ch + dn[++i]!;
      continue;
    }
    if (ch === "," || ch === "+") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const toSecond = (ms: number) => Math.floor(ms / 1000);

/** Whether a certificate is the one a Certificate's status describes: the same validity, to the second, and a name the spec asks for. */
function describedBy(c: CertManagerCertificate, cert: ParsedCert): boolean {
  if (toSecond(cert.notAfter.getTime()) !== toSecond(Date.parse(c.notAfter!))) return false;
  if (c.notBefore !== undefined && toSecond(cert.notBefore.getTime()) !== toSecond(Date.parse(c.notBefore)))
    return false;
  if (c.commonName !== undefined && dnAttributes(cert.subject).includes(`CN=${escapeDnValue(c.commonName)}`))
    return true;
  if (c.literalSubject !== undefined && isLiteralSubject(c.literalSubject, cert.subject)) return true;
  return (
    c.dnsNames.some((n) => cert.dnsNames.includes(n)) ||
    c.uris.some((u) => cert.uris.includes(u)) ||
    c.ipAddresses.some((a) => hasIpSan(cert, a)) ||
    c.emailAddresses.some((m) => cert.emailAddresses.includes(m))
  );
}

/**
 * cert-manager's attribute names for spec.literalSubject (pkg/util/pki `attributeTypeNames`, matched as
 * written, upper case), by OID; any other type must be a dotted OID.
 */
const LITERAL_TYPES: Readonly<Record<string, string>> = {
  C: "2.5.4.6",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  CN: "2.5.4.3",
  SERIALNUMBER: "2.5.4.5",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  STREET: "2.5.4.9",
  DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
};
/** x509.ts readName's attribute names, back to their OIDs. */
const OID_OF_NAME = new Map(Object.entries(ATTR_NAMES).map(([oid, name]) => [name, oid]));
const DOTTED_OID = /^\d+(\.\d+)+$/;

/**
 * A name's RDNs, each as its attributes' "oid=value" sorted (the order within an RDN, a SET, does not
 * count), the RDNs sorted too; null when a type is unknown or the string is no name.
 */
function subjectKey(dn: string, oidOf: (type: string) => string | undefined): string[] | null {
  const rdns = dnRdns(dn);
  if (rdns === null) return null;
  const out: string[] = [];
  for (const rdn of rdns) {
    const attrs: string[] = [];
    for (const a of rdn) {
      const oid = oidOf(a.type) ?? (DOTTED_OID.test(a.type) ? a.type : undefined);
      if (oid === undefined) return null;
      attrs.push(`${oid}=${a.value}`);
    }
    out.push(JSON.stringify(attrs.sort()));
  }
  return out.sort();
}

/**
 * Whether a certificate's subject is the one spec.literalSubject asks for: cert-manager parses it as an
 * RFC 4514 string (pkg/util/pki `UnmarshalSubjectStringToRDNSequence`: go-ldap ParseDN, or its copy
 * internal/dn.go; RDNs split at "," and ";", "+" joining a multi-valued RDN, "#hex" BER values decoded),
 * reverses the RDNs into certificate order and writes that sequence as the subject. Compared RDN by RDN
 * (type by OID and unescaped value, a multi-valued RDN as a set), the RDNs in any order: the string's
 * order is the reverse of the certificate's, and one written in certificate order links too.
 */
function isLiteralSubject(literal: string, subject: string): boolean {
  // The literal is free text from one input object, read outside any rule's guard: a value the reader
  // still cannot take links nothing rather than failing the whole analysis (reviews/certs5.md #2).
  try {
    const want = subjectKey(literal, (t) => LITERAL_TYPES[t]);
    if (want === null || want.length === 0) return false;
    const have = subjectKey(subject, (t) => OID_OF_NAME.get(t));
    return have !== null && have.length === want.length && have.every((x, i) => x === want[i]);
  } catch {
    return false;
  }
}

/**
 * An IP address as a comparable key: its family and value. cert-manager reads spec.ipAddresses with
 * Go's net.ParseIP, in any spelling ("2001:DB8:0:0::1"), and crypto/x509 writes an address that has a
 * 4-byte form (an IPv4-mapped one included) as IPv4; x509.ts formatIp spells SANs per RFC 5952. So both
 * sides are compared as addresses, not strings (reviews/meshes3.md #2).
 */
function ipKey(s: string): string | null {
  const v = ipValue(s, NETIP);
  if (v === null) return null;
  if (!s.includes(":")) return `4/${v}`;
  // ::ffff:a.b.c.d, IPv4-mapped: the top 96 bits are 0…0ffff.
  return v >> 32n === 0xffffn ? `4/${v & 0xffffffffn}` : `6/${v}`;
}

function hasIpSan(cert: ParsedCert, address: string): boolean {
  const k = ipKey(address);
  return k !== null && cert.ipAddresses.some((a) => ipKey(a) === k);
}

/**
 * Certificates whose Secret gave no certificate, linked to the certificate their status describes when
 * the inputs hold it by another route (a Linkerd trust anchor in linkerd-identity-trust-roots, an
 * Istio root in istio-ca-root-cert, an intermediate in a proxy's chain): so that certificate is judged
 * once, as managed by its Certificate (holders, renewal time, cert.rotation-overdue), and the status
 * rules leave it alone. A status describes one certificate, so the link is one-to-one: a Certificate
 * is linked only when it describes exactly one certificate not yet managed and that certificate is
 * described by no other Certificate. Two look-alike Certificates (the same name, issued in the same
 * second) or a bundle of look-alike certificates leave the link untold, and nothing is linked: the
 * Certificates are judged by their status, the certificates as unmanaged (reviews/meshes3.md #1).
 * Returns the entries linked.
 */
function linkByStatus(entries: Map<string, CertEntry>, certificates: CertManagerCertificate[]): CertEntry[] {
  const linked = new Set<CertManagerCertificate>();
  for (const e of entries.values()) if (e.certManager) linked.add(e.certManager);
  const pending = certificates.filter((c) => c.notAfter !== undefined && !linked.has(c));
  if (pending.length === 0) return [];
  /** The certificates not yet managed, by notAfter to the second (a status matches that first). */
  const unmanaged = new Map<number, CertEntry[]>();
  for (const e of entries.values()) {
    if (e.certManager !== null) continue;
    const k = toSecond(e.cert.notAfter.getTime());
    const list = unmanaged.get(k);
    if (list) list.push(e);
    else unmanaged.set(k, [e]);
  }
  /** Per certificate, how many Certificates describe it. */
  const describers = new Map<CertEntry, number>();
  const only: [CertManagerCertificate, CertEntry][] = [];
  for (const c of pending) {
    const matches = (unmanaged.get(toSecond(Date.parse(c.notAfter!))) ?? []).filter((e) =>
      describedBy(c, e.cert),
    );
    for (const e of matches) describers.set(e, (describers.get(e) ?? 0) + 1);
    if (matches.length === 1) only.push([c, matches[0]!]);
  }
  const out: CertEntry[] = [];
  for (const [c, e] of only) {
    if (describers.get(e) !== 1) continue;
    e.certManager = c;
    out.push(e);
  }
  return out;
}

/**
 * Which of the Certificates writing a Secret manages its certificate: the one the Secret's
 * cert-manager.io/certificate-name annotation names (cert-manager writes it with each issuance), else
 * the first by name, so that the input order decides nothing (contract.md §1).
 */
function managingCertificate(
  writers: CertManagerCertificate[] | undefined,
  annotated: string | undefined,
): CertManagerCertificate | null {
  if (!writers) return null;
  return writers.find((c) => c.name === annotated) ?? writers[0]!;
}

/**
 * Roots replaced by a rotation done right (Istio's plug-in CA, istiod's self-signed root, Linkerd's
 * trust anchor): the old root stays in the mesh's distributed bundle next to the new one until it
 * expires, as the rotation procedures require, while every CA that signs today (cacerts' ca-cert.pem /
 * tls.crt, istio-ca-secret, the Linkerd issuer) chains to the new root. Then its expiry breaks
 * nothing. Only the mesh's own distributed bundles count (istio-ca-root-cert, the CA Secrets'
 * root-cert.pem / ca.crt, linkerd-identity-trust-roots): never a proxy's ROOTCA nor
 * meshConfig.caCertificates, which hold other clusters' roots beside this mesh's. A root stays in
 * use while any currently valid certificate among the inputs chains to it (workload chains from
 * config dumps included), and the newer root must be of the same PKI: the same subject, or the root
 * the mesh's own signing CAs or workload certificates chain to. Undecided, and left alone, when some
 * chain stops at an issuer named like the old root that the inputs do not hold.
 */
function supersededRoots(
  entries: Map<string, CertEntry>,
  parsed: Parsed[],
  now: Date,
  selfSigned: (c: ParsedCert) => boolean,
): void {
  const activeRoots = new Set<string>();
  /** By mesh: the roots its signing CAs and its workload certificates chain to. */
  const meshRoots = new Map<string, Set<string>>();
  const unknownIssuers = new Set<string>();
  // Roots by signature (self-SIGNED, RFC 5280 §3.2; with or without basicConstraints, as roleOf takes
  // them), not by name: a CA named like the root that signed it (a key-rollover link, a signing CA given
  // its root's subject) is climbed through to that root.
  for (const e of entries.values()) {
    if (selfSigned(e.cert) || e.cert.notBefore > now || e.cert.notAfter <= now) continue;
    let c: CertEntry | undefined = e;
    const seen = new Set<string>();
    while (c && !selfSigned(c.cert) && !seen.has(c.cert.fingerprint)) {
      seen.add(c.cert.fingerprint);
      const up: ParsedCert | null = c.issuer;
      if (!up) {
        unknownIssuers.add(c.cert.issuer);
        c = undefined;
        break;
      }
      c = entries.get(up.fingerprint);
    }
    if (!c || !selfSigned(c.cert)) continue;
    activeRoots.add(c.cert.fingerprint);
    for (const s of e.sightings) {
      const signer = e.cert.isCA && s.index === 0 && s.input.context === "ca-chain";
      if (signer || (s.index === 0 && s.input.context === "workload-chain"))
        meshRoots.set(s.input.mesh, (meshRoots.get(s.input.mesh) ?? new Set()).add(c.cert.fingerprint));
    }
  }
  if (activeRoots.size === 0) return;
  const distributed = (i: CertInput) =>
    (i.context === "root-bundle" && (i.mesh === "istio" || i.mesh === "linkerd")) ||
    (i.context === "trust-bundle" && i.source.kind === "ConfigMap" && i.source.name === "istio-ca-root-cert");
  for (const p of parsed) {
    if (!distributed(p.input)) continue;
    const samePki = meshRoots.get(p.input.mesh);
    for (const old of p.certs) {
      if (!selfSigned(old) || activeRoots.has(old.fingerprint) || unknownIssuers.has(old.subject)) continue;
      const e = entries.get(old.fingerprint);
      if (!e || e.successor) continue;
      const newer = p.certs.find(
        (n) =>
          n !== old &&
          selfSigned(n) &&
          activeRoots.has(n.fingerprint) &&
          (n.subject === old.subject || !!samePki?.has(n.fingerprint)) &&
          n.notAfter > old.notAfter &&
          n.notBefore > old.notBefore &&
          n.notBefore <= now,
      );
      if (newer) e.successor = newer;
    }
  }
}

/**
 * Whether `n` is the CA SPIRE prepared after `c`: newer (later notBefore), valid now, outliving it, not
 * one of its own issuers (an upstream root that carries the trust domain's SPIFFE ID is no successor of
 * the CA it signed), and issued where `c` was. That is judged by signature and by the issuers found, not
 * by names, since in nested SPIRE every tier shares the default subject C=US,O=SPIFFE: self-SIGNED like
 * `c`, or else under `c`'s issuer name by `c`'s own issuer or one that is neither a strict ancestor of
 * it (a newer CA of the tier above, reviews/certs4.md #2) nor `c` or below it (a tier below). A rotated
 * issuer of `c`'s tier (a sibling) still signs a successor; with no issuer found for `n`, the name is
 * all there is.
 */
function isSpireSuccessor(
  c: ParsedCert,
  n: ParsedCert,
  k: {
    above: Set<string>;
    issuerOf: Map<string, ParsedCert>;
    selfSigned: (c: ParsedCert) => boolean;
    now: Date;
  },
): boolean {
  if (
    n === c ||
    n.notAfter <= c.notAfter ||
    n.notBefore <= c.notBefore ||
    n.notBefore > k.now ||
    k.above.has(n.fingerprint)
  )
    return false;
  if (k.selfSigned(c)) return k.selfSigned(n);
  if (k.selfSigned(n) || n.issuer !== c.issuer) return false;
  // Both chains found up to a self-signed root: the successor sits as many tiers below a root as `c`.
  // The root SPIRE server rotates its own CA and a downstream CA is signed by its upstream's current CA
  // (spire pkg/server/ca/ca.go SignDownstreamX509CA / SignX509CASVID: `ca.X509CA()`), so a newer CA of
  // the tier above is often under a root that is no ancestor of `c` (reviews/certs5.md #1).
  const dc = rootedDepth(c, k.issuerOf, k.selfSigned);
  const dn = rootedDepth(n, k.issuerOf, k.selfSigned);
  if (dc !== null && dn !== null) return dc === dn;
  const found = k.issuerOf.get(n.fingerprint);
  if (!found || found.fingerprint === k.issuerOf.get(c.fingerprint)?.fingerprint) return true;
  return !k.above.has(found.fingerprint) && !issuerChain(n, k.issuerOf).has(c.fingerprint);
}

/** How many certificates are above one up to a self-signed root, following the issuers found; null when the chain found ends elsewhere. */
function rootedDepth(
  c: ParsedCert,
  issuerOf: Map<string, ParsedCert>,
  selfSigned: (c: ParsedCert) => boolean,
): number | null {
  const seen = new Set<string>([c.fingerprint]);
  let top = c;
  for (
    let up = issuerOf.get(c.fingerprint);
    up && !seen.has(up.fingerprint);
    up = issuerOf.get(up.fingerprint)
  ) {
    seen.add(up.fingerprint);
    top = up;
  }
  return top !== c && selfSigned(top) ? seen.size - 1 : null;
}

/** The fingerprints of the certificates above one, following the issuers found. */
function issuerChain(c: ParsedCert, issuerOf: Map<string, ParsedCert>): Set<string> {
  const out = new Set<string>();
  for (
    let up = issuerOf.get(c.fingerprint);
    up && !out.has(up.fingerprint);
    up = issuerOf.get(up.fingerprint)
  )
    out.add(up.fingerprint);
  return out;
}

/**
 * The trust scopes SPIRE serves: proxies holding a SPIFFE-validator bundle (trustDomains set), and
 * scopes whose every root is in spire-bundle (mesh "spire").
 */
function spireServed(parsed: Parsed[], scopes: Map<string, ParsedCert[]>): Set<string> {
  const out = new Set<string>();
  for (const p of parsed)
    if (
      p.input.context === "trust-bundle" &&
      p.input.trustScope?.startsWith("proxy:") &&
      p.input.trustDomains?.length
    )
      out.add(p.input.trustScope);
  const spireBundle = new Set((scopes.get("mesh:spire") ?? []).map((c) => c.fingerprint));
  if (spireBundle.size === 0) return out;
  for (const [scope, certs] of scopes)
    if (certs.length > 0 && certs.every((c) => spireBundle.has(c.fingerprint))) out.add(scope);
  return out;
}

/**
 * The certificates seen through SPIRE: those in SPIRE's bundle (spire-bundle, mesh "spire"), and the
 * bundles and the CAs of the SVIDs a SPIRE-served proxy holds (its ROOTCA is a SPIFFE validator, or every root it
 * trusts is in spire-bundle). Never a CA read from cacerts, istio-ca-secret, Linkerd's or
 * cert-manager's Secrets.
 */
function seenThroughSpire(
  parsed: Parsed[],
  served: Set<string>,
  issuerOf: Map<string, ParsedCert>,
): Set<string> {
  const out = new Set<string>();
  for (const p of parsed) if (p.input.mesh === "spire") for (const c of p.certs) out.add(c.fingerprint);
  for (const p of parsed) {
    if (!p.input.trustScope || !served.has(p.input.trustScope)) continue;
    // The SPIRE agent's bundles, federated trust domains' included.
    if (p.input.context === "trust-bundle") for (const c of p.certs) out.add(c.fingerprint);
    if (p.input.context !== "workload-chain") continue;
    const svid = p.certs[0];
    if (!svid) continue;
    for (const c of p.certs.slice(1)) if (c.isCA) out.add(c.fingerprint);
    const signer = issuerOf.get(svid.fingerprint);
    if (signer) out.add(signer.fingerprint);
  }
  return out;
}

/**
 * The trust domain of a SPIFFE signing certificate (a CA whose one URI SAN is a SPIFFE ID without a
 * path: X509-SVID §4.1, the certificates SPIRE's server CA mints), else null. SPIRE rotates these
 * itself (pkg/server/ca/manager): the next CA is prepared and published to the bundle when
 * min(½ lifetime, 30 days) remain, and activated when min(⅙ lifetime, 7 days) remain.
 */
export function spireCaTrustDomain(c: ParsedCert): string | null {
  if (!c.isCA || !c.spiffeId) return null;
  const m = /^spiffe:\/\/([^/]+)\/?$/i.exec(c.spiffeId);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * When SPIRE stops signing with a CA: the next one is activated when min(⅙ lifetime, 7 days) remain
 * (pkg/server/ca/manager `activationThreshold`). Until then the CA is in use by design, however
 * short its lifetime (ca_ttl defaults to 24 h).
 */
export function spireActivationTime(c: ParsedCert): Date {
  return spireThreshold(c, 6, 7);
}

/** SPIRE's CA thresholds (pkg/server/ca/manager): min(lifetime / divisor, maxDays) before notAfter. */
function spireThreshold(c: ParsedCert, divisor: number, maxDays: number): Date {
  const na = c.notAfter.getTime();
  return new Date(na - Math.min((na - c.notBefore.getTime()) / divisor, maxDays * 86_400_000));
}

/**
 * A proxy identity read from mounted files (its `file-cert:` SDS secret): istio-agent serves the files
 * as they are and rotates nothing; whoever writes them renews it.
 */
export const mountedIdentity = (e: CertEntry): boolean =>
  e.role === "workload" &&
  !rotatesAtHalfLife(e) &&
  e.sightings.some(
    (s) =>
      s.index === 0 &&
      s.input.context === "workload-chain" &&
      s.input.source.name?.startsWith("file-cert:") === true,
  );

/**
 * An Istio or SPIRE workload certificate its agent requested: the agent rotates it at half its life
 * (istio.md §8, other-meshes.md §3.2). Not one mounted from files.
 */
export function rotatesAtHalfLife(e: CertEntry): boolean {
  return (
    e.role === "workload" &&
    e.sightings.some(
      (s) =>
        (s.input.mesh === "istio" || s.input.mesh === "spire") &&
        s.index === 0 &&
        s.input.context === "workload-chain" &&
        !s.input.source.name?.startsWith("file-cert:"),
    )
  );
}

/**
 * cert-manager's status.renewalTime, or, for a Certificate in a manifest whose status says nothing of
 * its certificate's times, the time cert-manager computes from the spec (certManagerRenewal.ts, none
 * when spec.renewal schedules none). An absent renewalTime beside a status notAfter means none is
 * scheduled, and a Certificate without status read from a cluster is one cert-manager has not
 * reconciled: nothing derived. Istio and SPIRE workload certificates rotate at half their life
 * (istio.md §8, other-meshes.md §3.2).
 */
function expectedRotation(e: CertEntry, fromCluster: boolean): Date | null {
  const cm = e.certManager;
  if (cm?.renewalTime) {
    const t = new Date(cm.renewalTime);
    if (!Number.isNaN(t.getTime())) return t;
  }
  if (cm && cm.renewalTime === undefined && cm.notAfter === undefined && !fromCluster)
    return certManagerRenewalTime(e.cert.notBefore, e.cert.notAfter, cm);
  if (rotatesAtHalfLife(e)) {
    const nb = e.cert.notBefore.getTime();
    return new Date(nb + (e.cert.notAfter.getTime() - nb) / 2);
  }
  if (e.spireTrustDomain !== null) {
    // SPIRE prepares (and publishes) the next CA when min(½ lifetime, 30 days) remain.
    return spireThreshold(e.cert, 2, 30);
  }
  return null;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function toSnapshotCertificate(e: CertEntry): Certificate {
  const c = e.cert;
  // Each source once, in sighting order (a shared root is seen once per proxy: linear, not pairwise).
  const seen = new Set<string>();
  const sources: CertSource[] = [];
  for (const s of e.sightings) {
    const k = sourceKey(s.input.source);
    if (!seen.has(k)) {
      seen.add(k);
      sources.push(s.input.source);
    }
  }
  const out: Certificate = {
    id: c.fingerprint,
    role: e.role,
    source: sources[0]!,
    sources,
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    spiffeId: c.spiffeId,
    dnsNames: c.dnsNames,
    uris: c.uris,
    notBefore: iso(c.notBefore),
    notAfter: iso(c.notAfter),
    lifetimeSeconds: Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / 1000),
    renewalTime: e.renewalTime ? iso(e.renewalTime) : null,
    keyAlgorithm: c.keyAlgorithm,
    signatureAlgorithm: c.signatureAlgorithm,
    isCA: c.isCA,
    chain: e.chain.error
      ? { verified: e.chain.verified, error: e.chain.error }
      : { verified: e.chain.verified },
    owner: e.owner,
  };
  return out;
}
