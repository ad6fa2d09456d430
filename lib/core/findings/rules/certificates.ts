// Certificate rules (findings.md "Certificates"). Each names the objects holding the certificate
// (Pod, Secret, ConfigMap) with `certificate` set to its fingerprint.
import {
  mountedIdentity,
  rotatesAtHalfLife,
  spireActivationTime,
  type CertEntry,
} from "../../certs/analyzeCerts";
import { credentialUses, requestsMtls, type CredentialUses } from "../../certs/mtlsUse";
import type { CertInput, CertSource } from "../../certs/types";
import { fingerprintOf, verifySignedBy } from "../../certs/x509";
import { expiringSeverity, isCaCertificate } from "../../certs/thresholds";
import type { Finding, Ref } from "../../snapshot/schema";
import { workloadOfPod } from "../../model/buildModel";
import { rule, type AnalysisContext } from "../context";
import { finding } from "../finding";
import type { FindingCode } from "../catalogue";
import { days, expiryRuleText, iso, renewalSchedule, renewingNow } from "./certExpiry";

export const isCaRole = (e: CertEntry) => isCaCertificate(e.role, e.cert.isCA);

function holderRef(s: CertSource): Ref {
  if (s.kind === "proxy" || s.kind === "ztunnel")
    return { kind: "Pod", namespace: s.namespace ?? "", name: s.pod ?? s.name ?? "" };
  if (s.kind === "file") return { kind: "File", name: s.name ?? "" };
  return s.namespace !== undefined
    ? { kind: s.kind, namespace: s.namespace, name: s.name ?? "" }
    : { kind: s.kind, name: s.name ?? "" };
}

/** The objects holding a certificate, deduplicated, at most ten (a root sits in every namespace). */
export function holders(e: CertEntry): Ref[] {
  const seen = new Set<string>();
  const out: Ref[] = [];
  for (const s of e.sightings) {
    const r = holderRef(s.input.source);
    const k = `${r.kind}/${r.namespace ?? ""}/${r.name}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  if (e.certManager)
    out.unshift({ kind: "Certificate", namespace: e.certManager.namespace, name: e.certManager.name });
  return out.slice(0, 10);
}

export function describe(e: CertEntry): string {
  const where = e.sightings[0]!.input.source;
  const place =
    where.kind === "proxy" || where.kind === "ztunnel"
      ? `${where.kind} of pod ${where.namespace}/${where.pod ?? where.name}`
      : `${where.kind} ${where.namespace ? `${where.namespace}/` : ""}${where.name ?? ""}${where.key ? ` (${where.key})` : ""}`;
  const more =
    e.sightings.length > 1
      ? ` and ${e.sightings.length - 1} other place${e.sightings.length > 2 ? "s" : ""}`
      : "";
  return `${e.role} certificate ${e.cert.subject || e.cert.spiffeId || e.cert.fingerprint.slice(0, 16)} (serial ${e.cert.serialNumber}) in ${place}${more}`;
}

const certFinding = (
  code: FindingCode,
  e: CertEntry,
  f: { message: string; fix: string; severity?: "error" | "warning" | "info" },
): Finding => finding(code, { ...f, resources: holders(e), certificate: e.cert.fingerprint });

function fixFor(e: CertEntry): string {
  if (e.certManager)
    return `cert-manager renews Certificate ${e.certManager.namespace}/${e.certManager.name}; check why it has not (kubectl describe certificate).`;
  if (mountedIdentity(e))
    return `The proxy reads this identity from mounted files (file-cert:): renew the certificate in the Secret or volume they come from; istio-agent does not rotate it.`;
  if (e.role === "workload")
    return `Istio rotates workload certificates automatically: check istiod/CA reachability from the pod, then restart the pod.`;
  if (e.role === "trust-anchor" || e.role === "issuer")
    return `Rotate the Linkerd ${e.role} (see "Rotating the identity certificates" in Linkerd's docs), ideally with cert-manager.`;
  if (isCaRole(e))
    return `Rotate the CA: issue a new one, distribute it (root first, both roots trusted during the overlap) and restart workloads.`;
  return `Renew the certificate and update the Secret that holds it.`;
}

export const certExpired = rule("cert.expired", (ctx) =>
  ctx.certs.entries
    .filter((e) => e.cert.notAfter.getTime() <= ctx.now.getTime())
    .map((e) =>
      certFinding("cert.expired", e, {
        message: `${describe(e)} expired at ${iso(e.cert.notAfter)} (${days(ctx.now.getTime() - e.cert.notAfter.getTime())} ago).`,
        fix: fixFor(e),
      }),
    ),
);

export const certNotYetValid = rule("cert.not-yet-valid", (ctx) =>
  ctx.certs.entries
    .filter((e) => e.cert.notBefore.getTime() > ctx.now.getTime())
    .map((e) =>
      certFinding("cert.not-yet-valid", e, {
        message: `${describe(e)} is not valid until ${iso(e.cert.notBefore)} (in ${days(e.cert.notBefore.getTime() - ctx.now.getTime())}): clock skew or a post-dated certificate.`,
        fix: `Check the clocks of the issuing CA and the nodes (NTP); reissue the certificate with a valid notBefore.`,
      }),
    ),
);

export const certExpiring = rule("cert.expiring", (ctx) => {
  const t = ctx.thresholds;
  const out: Finding[] = [];
  for (const e of ctx.certs.entries) {
    const now = ctx.now.getTime();
    const left = e.cert.notAfter.getTime() - now;
    if (left <= 0 || e.cert.notBefore.getTime() > now) continue;
    // A CA a newer one has replaced (a SPIRE CA, or an old root kept in the bundle after a rotation
    // done right: analyzeCerts.ts `successor`) breaks nothing when it expires.
    // SPIRE rotates its CAs itself (other-meshes.md §3.2): one is in use until SPIRE activates the
    // next (min(⅙ lifetime, 7 days) before it ends), then stays in bundles until it expires. Only a
    // CA past its activation point that nothing has replaced is at risk (SPIRE is not rotating).
    // With an UpstreamAuthority the prepared CA is not in the bundle (the upstream root is), so
    // before activation no successor can be seen.
    if (e.successor || (e.spireTrustDomain !== null && now < spireActivationTime(e.cert).getTime())) continue;
    const lifetime = e.cert.notAfter.getTime() - e.cert.notBefore.getTime();
    const ca = isCaRole(e);
    const renewal = e.renewalTime?.getTime();
    // istio-agent rotates at expiry − (0.5 ± SECRET_GRACE_PERIOD_RATIO_JITTER 0.01)·lifetime, the
    // lifetime counted from when it received the certificate, after the CA's back-dated notBefore
    // (security/pkg/nodeagent/cache/secretcache.go rotateTimeUtil): a healthy proxy may hold it a little
    // past half its life. Its renewal counts as scheduled until cert.rotation-overdue's point.
    const scheduledUntil = rotatesAtHalfLife(e)
      ? e.cert.notBefore.getTime() + lifetime * t.rotationOverdueFraction
      : renewal;
    // Or cert-manager is carrying the renewal out now: a certificate renewed on schedule is not
    // judged by time left alone.
    const { scheduled: renewalScheduled, inFlight } = renewalSchedule({
      renewal,
      scheduledUntil,
      notAfter: e.cert.notAfter.getTime(),
      certManager: e.certManager,
      now,
    });
    const severity = expiringSeverity(left, lifetime, ca, t, renewalScheduled);
    if (!severity) continue;
    const rule_ = expiryRuleText(ca, lifetime, t);
    out.push(
      certFinding("cert.expiring", e, {
        severity,
        message: `${describe(e)} expires at ${iso(e.cert.notAfter)}, in ${days(left)} (${rule_}${renewalScheduled ? `; renewal ${inFlight ? "in progress since" : "due at"} ${iso(e.renewalTime!)}${!inFlight && renewal! <= now ? ` (overdue from ${iso(new Date(scheduledUntil!))})` : ""} with ${Math.round((left / lifetime) * 100)} % of its lifetime left` : ""}).`,
        fix: fixFor(e),
      }),
    );
  }
  return out;
});

export const certRotationOverdue = rule("cert.rotation-overdue", (ctx) => {
  const out: Finding[] = [];
  const now = ctx.now.getTime();
  for (const e of ctx.certs.entries) {
    if (e.cert.notAfter.getTime() <= now) continue; // cert.expired says it louder
    if (e.certManager?.renewalTime) {
      const r = new Date(e.certManager.renewalTime).getTime();
      if (r < now && !renewingNow(e.certManager, r, now))
        out.push(
          certFinding("cert.rotation-overdue", e, {
            message: `${describe(e)}: cert-manager Certificate ${e.certManager.namespace}/${e.certManager.name} was due for renewal at ${e.certManager.renewalTime} and has not been renewed.`,
            fix: fixFor(e),
          }),
        );
      continue;
    }
    if (!rotatesAtHalfLife(e)) continue;
    const nb = e.cert.notBefore.getTime();
    const due = nb + (e.cert.notAfter.getTime() - nb) * ctx.thresholds.rotationOverdueFraction;
    if (now > due)
      out.push(
        certFinding("cert.rotation-overdue", e, {
          message: `${describe(e)} is past ${Math.round(ctx.thresholds.rotationOverdueFraction * 100)} % of its lifetime (since ${iso(new Date(due))}); the proxy should have rotated it at 50 %.`,
          fix: fixFor(e),
        }),
      );
  }
  return out;
});

/**
 * How far CAs date notBefore back to absorb clock skew, which is no part of the lifetime asked for:
 * istiod's CA 2 minutes (ClockSkewGracePeriod, security/pkg/pki/util/generate_cert.go: notBefore =
 * now − 2 m, notAfter = now + TTL), SPIRE 10 s (pkg/server/ca `backdate`). A default 24 h Istio
 * certificate spans 24 h 2 m.
 */
const ISSUER_BACKDATE_MS = 2 * 60_000;

export const certLifetimeTooLong = rule("cert.lifetime-too-long", (ctx) =>
  ctx.certs.entries
    .filter(
      (e) =>
        e.role === "workload" &&
        e.cert.spiffeId !== null &&
        e.cert.notAfter.getTime() - e.cert.notBefore.getTime() - ISSUER_BACKDATE_MS >
          ctx.thresholds.workloadMaxLifetimeHours * 3_600_000,
    )
    .map((e) =>
      certFinding("cert.lifetime-too-long", e, {
        message: `${describe(e)} (${e.cert.spiffeId}) lives ${days(e.cert.notAfter.getTime() - e.cert.notBefore.getTime())}, longer than ${ctx.thresholds.workloadMaxLifetimeHours} h: a stolen key stays useful that long.`,
        fix: `Lower the workload certificate TTL (Istio SECRET_TTL / DEFAULT_WORKLOAD_CERT_TTL, SPIRE default_x509_svid_ttl) to 24 h or less.`,
      }),
    ),
);

export const certChainInvalid = rule("cert.chain-invalid", (ctx) =>
  ctx.certs.entries
    .filter((e) => !e.chain.verified && !e.chain.unverifiable)
    .map((e) =>
      certFinding("cert.chain-invalid", e, {
        message: `${describe(e)} does not verify to the trust bundle in use: ${e.chain.error ?? "unknown reason"}.`,
        fix: isCaRole(e)
          ? `Check that the CA chain (cert-chain.pem) is complete and signed by the root that is distributed.`
          : `Reissue the certificate from the CA whose root the peers trust, or distribute the missing intermediate/root; restart the pod to pick it up.`,
      }),
    ),
);

export const certRootMismatch = rule("cert.root-mismatch", (ctx) => {
  const out: Finding[] = [];
  const meshRoots = ctx.certs.bundles.get("mesh:istio");
  const meshSource = meshRootSource(ctx);
  // Looked up once per mismatching proxy, and mid-rotation every proxy mismatches.
  const byFingerprint = new Map(ctx.certs.entries.map((e) => [e.cert.fingerprint, e]));
  const spire = spireServed(ctx);
  // meshConfig.caCertificates: extra roots istio-agent merges into every proxy's ROOTCA
  // (mergeConfigTrustBundle), which istio-ca-root-cert does not hold.
  const meshConfigRoots = new Set<string>();
  for (const [scope, fps] of ctx.certs.bundles)
    if (scope.startsWith("meshconfig:")) for (const fp of fps) meshConfigRoots.add(fp);
  for (const h of trustHolders(ctx)) {
    const own = new Set<string>();
    for (const scope of h.scopes)
      for (const fp of (spire.viaSpire(scope) ? spire.localRoots.get(scope) : undefined) ??
        ctx.certs.bundles.get(scope) ??
        [])
        own.add(fp);
    const nsRoots = h.pod ? ctx.certs.bundles.get(`namespace:${h.pod.namespace}`) : undefined;
    let expected = nsRoots ?? meshRoots;
    let against: Ref | undefined = nsRoots
      ? { kind: "ConfigMap", namespace: h.pod!.namespace, name: "istio-ca-root-cert" }
      : meshSource;
    if (h.scopes.some(spire.viaSpire)) {
      // Istio's SPIRE integration: Envoy takes its identity and roots from the SPIRE agent's SDS
      // socket, while istiod still writes istio-ca-root-cert with its own CA's root, which these
      // proxies never use. Their mesh roots are SPIRE's bundle; federated trust domains are extra.
      if (!spire.bundle || !spire.source) continue;
      expected = spire.bundle;
      against = spire.source;
    }
    if (!expected || expected.size === 0 || !against || own.size === 0) continue;
    const foreign = [...own].filter((fp) => !expected.has(fp) && !meshConfigRoots.has(fp));
    const missing = [...expected].filter((fp) => !own.has(fp));
    if (foreign.length === 0 && missing.length === 0) continue;
    const entry = byFingerprint.get(foreign[0] ?? [...own][0]!);
    const who = h.pod
      ? `The ${h.kind} of pod ${h.pod.namespace}/${h.pod.name}`
      : `The ${h.kind} of config dump ${h.file}`;
    const what = h.kind === "proxy" ? "ROOTCA" : "rootCerts";
    out.push(
      finding("cert.root-mismatch", {
        message: `${who} trusts ${own.size} root${own.size === 1 ? "" : "s"} (${what}) that differ from the mesh root in ${against.name} (${foreign.length} not in the mesh bundle, ${missing.length} of the mesh's missing): its mTLS calls fail mid-rotation.`,
        // Only objects that exist: a dump tied to no pod has no Pod to name (input.invalid says so).
        resources: h.pod
          ? [{ kind: "Pod", namespace: h.pod.namespace, name: h.pod.name }, against]
          : [against],
        ...(entry ? { certificate: entry.cert.fingerprint } : {}),
        fix: `Restart the pod so its agent fetches the current root; during a root rotation keep both roots in the bundle until every proxy has the new one.`,
      }),
    );
  }
  return out;
});

/**
 * The trust of each proxy, as cert.root-mismatch compares it with the mesh root: a sidecar's or
 * gateway's ROOTCA (its `proxy:` scope), and a ztunnel's rootCerts, one scope per identity it holds,
 * taken together per ztunnel pod (in ambient mode ztunnel is the proxy: on a stale root its calls
 * with every other proxy fail). The pod comes from the input's source, never from the scope's text:
 * a dump tied to no pod has none.
 */
function trustHolders(ctx: AnalysisContext): {
  kind: "proxy" | "ztunnel";
  scopes: string[];
  pod: { namespace: string; name: string } | null;
  file: string;
}[] {
  const out = new Map<string, ReturnType<typeof trustHolders>[number]>();
  for (const i of ctx.certs.inputs) {
    if (i.context !== "trust-bundle" || !i.trustScope) continue;
    const kind = i.trustScope.startsWith("proxy:")
      ? "proxy"
      : i.trustScope.startsWith("ztunnel:")
        ? "ztunnel"
        : null;
    if (!kind) continue;
    const s = i.source;
    const pod =
      s.namespace !== undefined && s.pod !== undefined ? { namespace: s.namespace, name: s.pod } : null;
    const file = i.at?.file ?? "";
    const key =
      kind === "proxy" ? i.trustScope : `ztunnel\u0000${pod ? `${pod.namespace}/${pod.name}` : file}`;
    const h = out.get(key) ?? { kind, scopes: [], pod, file };
    if (!h.scopes.includes(i.trustScope)) h.scopes.push(i.trustScope);
    out.set(key, h);
  }
  return [...out.values()];
}

/**
 * Where the mesh's roots (`mesh:istio`) were read: the CA Secret's root-cert.pem / ca.crt when one is
 * among the inputs, else the root namespace's istio-ca-root-cert, else any namespace's.
 */
function meshRootSource(ctx: AnalysisContext): Ref | undefined {
  const ref = (s: CertSource): Ref => ({
    kind: s.kind,
    ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
    name: s.name ?? "",
  });
  const key = (s: CertSource) => `${s.namespace ?? ""}/${s.name ?? ""}`;
  const byName = (a: CertSource, b: CertSource) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const secrets = ctx.certs.inputs
    .filter((i) => i.mesh === "istio" && i.context === "root-bundle")
    .map((i) => i.source)
    .sort(byName);
  if (secrets.length > 0) return ref(secrets[0]!);
  const maps = ctx.certs.inputs
    .filter(
      (i) =>
        i.source.kind === "ConfigMap" &&
        i.source.name === "istio-ca-root-cert" &&
        i.context === "trust-bundle",
    )
    .map((i) => i.source)
    .sort(byName);
  const root = maps.find((s) => s.namespace === ctx.model.mesh.rootNamespace) ?? maps[0];
  return root ? ref(root) : undefined;
}

/**
 * What root-mismatch needs of SPIRE: the proxies it serves (analyzeCerts' `spireServedScopes`),
 * spire-bundle and where it was read, and for a SPIFFE-validator proxy the roots of its local trust
 * domains (the mesh's and SPIRE's own; federated domains' roots are extra, not foreign).
 */
function spireServed(ctx: AnalysisContext) {
  const bundle = ctx.certs.bundles.get("mesh:spire");
  const source = ctx.certs.inputs.find((i) => i.mesh === "spire" && i.context === "root-bundle")?.source;
  const local = new Set([
    ctx.model.mesh.trustDomain.toLowerCase(),
    ...ctx.certs.spire.flatMap((c) => (c.trustDomain ? [c.trustDomain.toLowerCase()] : [])),
  ]);
  const localRoots = new Map<string, Set<string>>();
  for (const i of ctx.certs.inputs) {
    if (
      i.context !== "trust-bundle" ||
      !i.trustScope?.startsWith("proxy:") ||
      !i.trustDomains?.some((d) => local.has(d.toLowerCase()))
    )
      continue;
    const set = localRoots.get(i.trustScope) ?? new Set<string>();
    for (const der of i.ders) set.add(fingerprintOf(der));
    localRoots.set(i.trustScope, set);
  }
  return {
    bundle: bundle && bundle.size > 0 ? bundle : undefined,
    source: source
      ? ({
          kind: source.kind,
          ...(source.namespace !== undefined ? { namespace: source.namespace } : {}),
          name: source.name ?? "",
        } as Ref)
      : undefined,
    localRoots,
    viaSpire: (scope: string) => ctx.certs.spireServedScopes.has(scope),
  };
}

export const certOutlivesIssuer = rule("cert.outlives-issuer", (ctx) =>
  ctx.certs.entries
    .filter((e) => e.issuer && e.cert.notAfter.getTime() > e.issuer.notAfter.getTime())
    .map((e) =>
      certFinding("cert.outlives-issuer", e, {
        message: `${describe(e)} expires at ${iso(e.cert.notAfter)}, after its issuer ${e.issuer!.subject} (${iso(e.issuer!.notAfter)}): it stops verifying when the issuer does.`,
        fix: `Renew the issuer before ${iso(e.issuer!.notAfter)}, or cap leaf lifetimes at the issuer's remaining validity.`,
      }),
    ),
);

/**
 * A TLS Secret's or SDS secret's certificate used for mTLS, on positive evidence only (docs/DECISIONS.md
 * "Self-signed warnings need mTLS evidence"): a proxy presents it (an Envoy SDS secret, with clientAuth),
 * it carries a SPIFFE ID, its Secret is a DestinationRule MUTUAL or a MUTUAL/OPTIONAL_MUTUAL Gateway
 * credentialName, a client-validating Gateway API listener's certificateRef, or mounted into a sidecar
 * (userVolume) for a DestinationRule MUTUAL's files, or the cert-manager Certificate that wrote it asks
 * for client auth or a SPIFFE URI.
 * The clientAuth EKU alone is no evidence: Helm's genSelfSignedCert sets it on every webhook certificate.
 */
function usedForMtls(e: CertEntry, input: CertInput, uses: CredentialUses): boolean {
  if (input.servingOnly) return false;
  const src = input.source;
  if (src.kind === "proxy" || src.kind === "ztunnel") return e.cert.extKeyUsage.includes("clientAuth");
  if (e.cert.spiffeId) return true;
  if (e.certManager && requestsMtls(e.certManager)) return true;
  if (src.kind !== "Secret") return false;
  const key = `${src.namespace ?? ""}/${src.name ?? ""}`;
  return (
    uses.drClient.has(src.name ?? "") ||
    uses.gatewayMutual.has(src.name ?? "") ||
    uses.servedMutual.has(key) ||
    uses.mountedClient.has(key)
  );
}

// Self-SIGNED, not merely self-issued (RFC 5280 §3.2): an SVID whose subject equals its CA's (SPIRE's
// C=US,O=SPIRE for both) is vouched for by that CA. The signature is checked last, on the few
// non-CA certificates named like their issuer. Only a certificate presented as the end-entity (first
// in its chain) is a leaf: one further up is where a trust anchor sits, and a root without
// basicConstraints is still a root there (reviews/certs3.md #3).
export const certSelfSignedLeaf = rule("cert.self-signed-leaf", (ctx) => {
  const uses = credentialUses(ctx.model);
  return ctx.certs.entries
    .filter(
      (e) =>
        !e.cert.isCA &&
        e.cert.selfIssued &&
        e.sightings.some(
          (s) =>
            s.index === 0 &&
            (s.input.context === "workload-chain" ||
              (s.input.context === "tls-chain" && usedForMtls(e, s.input, uses))),
        ) &&
        verifySignedBy(e.cert, e.cert),
    )
    .map((e) =>
      certFinding("cert.self-signed-leaf", e, {
        message: `${describe(e)} is a self-signed leaf used for mTLS: no CA vouches for it, so peers can only trust it by pinning.`,
        fix: `Issue it from the mesh CA (or a cert-manager CA issuer) instead of self-signing.`,
      }),
    );
});

export const certIdentityMismatch = rule("cert.identity-mismatch", (ctx) => {
  const out: Finding[] = [];
  for (const e of ctx.certs.entries) {
    const s = e.sightings.find(
      (x) => x.index === 0 && x.input.context === "workload-chain" && x.input.expectedSpiffe,
    );
    if (!s || !e.cert.spiffeId) continue;
    const want = s.input.expectedSpiffe!;
    const m = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(e.cert.spiffeId);
    if (m && m[1] === want.namespace && m[2] === want.serviceAccount) continue;
    out.push(
      certFinding("cert.identity-mismatch", e, {
        message: `${describe(e)} carries ${e.cert.spiffeId}, but its pod runs in namespace ${want.namespace} as service account ${want.serviceAccount}: peers verifying secure naming reject it.`,
        fix: `Restart the pod so it requests a certificate for its own identity; check that nothing mounts another workload's certificate.`,
      }),
    );
  }
  return out;
});

export const certTrustDomainMismatch = rule("cert.trust-domain-mismatch", (ctx) => {
  const out: Finding[] = [];
  for (const e of ctx.certs.entries) {
    if (!e.cert.spiffeId || e.role !== "workload") continue;
    const td = /^spiffe:\/\/([^/]+)/.exec(e.cert.spiffeId)?.[1]?.toLowerCase();
    if (!td) continue;
    const accepted = new Set<string>();
    for (const s of e.sightings) {
      for (const d of s.input.trustDomains ?? []) accepted.add(d.toLowerCase());
      if (s.input.mesh === "istio") {
        const w = s.input.owner
          ? workloadOfPod(ctx.model, s.input.owner.namespace, s.input.owner.pod ?? "")
          : undefined;
        const mesh = w ? ctx.resolver.meshOf(w) : ctx.model.mesh;
        accepted.add(mesh.trustDomain.toLowerCase());
        for (const a of mesh.trustDomainAliases) accepted.add(a.toLowerCase());
      }
      if (s.input.mesh === "spire")
        for (const c of ctx.certs.spire) if (c.trustDomain) accepted.add(c.trustDomain.toLowerCase());
    }
    if (accepted.size === 0 || accepted.has(td)) continue;
    out.push(
      certFinding("cert.trust-domain-mismatch", e, {
        message: `${describe(e)} is in trust domain ${td}, which the mesh does not accept (${[...accepted].sort().join(", ")}): servers reject its calls.`,
        fix: `Issue it under the mesh trust domain, or add ${td} to meshConfig.trustDomainAliases while migrating.`,
      }),
    );
  }
  return out;
});

export const certWeakCrypto = rule("cert.weak-crypto", (ctx) => {
  const out: Finding[] = [];
  for (const e of ctx.certs.entries) {
    const why: string[] = [];
    if (e.cert.keyAlgorithm.startsWith("RSA") && e.cert.keyBits < 2048)
      why.push(`an RSA key of ${e.cert.keyBits} bits (under 2048)`);
    // A self-signed root's own signature is never checked: the peer trusts its key, not its
    // signature (RFC 5280 §6.1: a trust anchor is an input to path validation; Go's crypto/x509
    // rejects SHA-1 since 1.18 "except on self-signed roots", BoringSSL likewise). Mozilla's
    // store still ships SHA-1 self-signed roots (GlobalSign Root CA, Baltimore, DigiCert Global Root CA).
    // Self-SIGNED, not merely self-issued: a CA named like its issuer but signed by another key (a
    // key-rollover link certificate) sits inside the path, where its SHA-1 signature is verified.
    if (/sha1/i.test(e.cert.signatureAlgorithm) && !e.selfSignedCa)
      why.push(`a SHA-1 signature (${e.cert.signatureAlgorithm})`);
    if (
      e.role === "issuer" &&
      e.sightings.some((s) => s.input.mesh === "linkerd") &&
      e.cert.keyAlgorithm !== "ECDSA P-256"
    )
      why.push(`a ${e.cert.keyAlgorithm} key, but the Linkerd issuer must be ECDSA P-256`);
    if (why.length === 0) continue;
    out.push(
      certFinding("cert.weak-crypto", e, {
        message: `${describe(e)} uses ${why.join(" and ")}.`,
        fix: `Reissue it with an ECDSA P-256 (or RSA ≥ 2048) key and a SHA-256 signature.`,
      }),
    );
  }
  return out;
});

export const certMissingMtlsUsage = rule("cert.missing-mtls-usage", (ctx) =>
  ctx.certs.entries
    .filter(
      (e) =>
        e.role === "workload" &&
        e.cert.extKeyUsage.length > 0 &&
        !(e.cert.extKeyUsage.includes("clientAuth") && e.cert.extKeyUsage.includes("serverAuth")),
    )
    .map((e) => {
      const missing = ["clientAuth", "serverAuth"].filter((u) => !e.cert.extKeyUsage.includes(u));
      return certFinding("cert.missing-mtls-usage", e, {
        message: `${describe(e)} is used as both mTLS client and server but its extended key usage lacks ${missing.join(" and ")} (has ${e.cert.extKeyUsage.join(", ")}).`,
        fix: `Issue it with both serverAuth and clientAuth (cert-manager usages: "server auth", "client auth").`,
      });
    }),
);

export const certInvalid = rule("cert.invalid", (ctx) =>
  ctx.certs.invalid.map((i) => {
    const s = i.source;
    const where =
      s.kind === "proxy" || s.kind === "ztunnel"
        ? `${s.kind} of pod ${s.namespace}/${s.pod ?? ""} secret ${s.name ?? ""}`
        : `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name ?? ""}${s.key ? ` key ${s.key}` : ""}`;
    return finding("cert.invalid", {
      message: `${where}${i.at ? ` (${i.at.file}${i.at.line !== undefined ? `:${i.at.line}` : ""})` : ""}: ${i.message}.`,
      resources: [holderRef(s)],
      fix: `Replace the value with a valid PEM certificate (kubectl create secret tls … regenerates it).`,
    });
  }),
);
