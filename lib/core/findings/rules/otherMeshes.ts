// cert-manager, Linkerd and SPIRE rules (findings.md "cert-manager, Linkerd, SPIRE").
import { parseDuration } from "../../certs/duration";
import { credentialUses, isMeshCaSecret, requestsMtls } from "../../certs/mtlsUse";
import type { CertManagerCertificate } from "../../certs/types";
import { pemCertificates } from "../../certs/x509";
import { createHash } from "node:crypto";
import { selects, serverLocks, serversIn, takesPort } from "../../model/linkerdPolicy";
import type { Workload } from "../../model/mesh";
import { inPortRuns, linkerdPortRuns, type PortRuns } from "../../model/read";
import { linkerdDefaultPolicy, linkerdRequiresIdentity } from "../../resolve/linkerdInbound";
import type { Finding } from "../../snapshot/schema";
import { rule, type AnalysisContext } from "../context";
import { finding } from "../finding";
import { listNames, namespaceRef, nsName, restartHow, workloadRef } from "../refs";

/**
 * Where a not-Ready Certificate's issuance stands: cert-manager is issuing it (Issuing=True) with no
 * failure since that issuance started, or its last attempt failed, or neither; and whether its
 * current certificate is valid now: the one among the inputs that it manages (its Secret's, or one its
 * status describes: analyzeCerts managedBy), else, with none among the inputs, its status's
 * notBefore ≤ now < notAfter, which the status rules trust for expiry too (certManagerStatus.ts).
 * cert-manager sets Ready=False for routine reissues too (policies.go readinessChecks:
 * RequestChanged after a spec edit, IncorrectIssuer after an issuer switch), while the old
 * certificate keeps serving.
 */
function issuanceOf(ctx: AnalysisContext, c: CertManagerCertificate) {
  const now = ctx.now.getTime();
  const failedAt = c.lastFailureTime === undefined ? NaN : Date.parse(c.lastFailureTime);
  const since = c.issuingSince === undefined ? NaN : Date.parse(c.issuingSince);
  // A failure before the current issuance started belongs to an earlier attempt.
  const failed = Number.isFinite(failedAt) && !(failedAt < since);
  const managed = ctx.certs.managedBy.get(c) ?? [];
  const validNow = (notBefore: number, notAfter: number) => !(notBefore > now) && now < notAfter;
  const valid =
    managed.length > 0
      ? managed.some((e) => validNow(e.cert.notBefore.getTime(), e.cert.notAfter.getTime()))
      : c.notAfter !== undefined &&
        validNow(c.notBefore === undefined ? NaN : Date.parse(c.notBefore), Date.parse(c.notAfter));
  const state = failed
    ? `its last issuance attempt failed at ${c.lastFailureTime}`
    : c.issuing
      ? `cert-manager is issuing it${c.issuingSince ? ` (Issuing since ${c.issuingSince})` : ""}`
      : `Secret ${c.secretName} is not being (re)issued`;
  const holds = managed.some((e) =>
    e.sightings.some((s) => s.input.source.kind === "Secret" && s.input.source.name === c.secretName),
  )
    ? `its Secret ${c.secretName} still holds a valid certificate`
    : managed.length > 0
      ? "its certificate among the inputs is still valid"
      : `its status says its certificate is valid until ${c.notAfter} (no certificate of Secret ${c.secretName} among the inputs)`;
  return { failed, valid, state, holds };
}

export const certmanagerNotReady = rule("certmanager.not-ready", (ctx) => {
  const out: Finding[] = [];
  for (const c of ctx.certs.certManager.certificates) {
    if (c.ready?.status !== "False") continue;
    const { failed, valid, state, holds } = issuanceOf(ctx, c);
    // Traffic fails only without a valid certificate, or when issuing it fails: else it will be soon.
    const severity = valid && !failed ? "warning" : "error";
    out.push(
      finding("certmanager.not-ready", {
        severity,
        message: `cert-manager Certificate ${c.namespace}/${c.name} is not Ready${c.ready.reason ? ` (${c.ready.reason})` : ""}${c.ready.message ? `: ${c.ready.message}` : ""}; ${state}${valid ? `; ${holds}` : ""}.`,
        resources: [
          { kind: "Certificate", namespace: c.namespace, name: c.name },
          {
            kind: c.issuerRef.kind || "Issuer",
            ...(c.issuerRef.kind === "ClusterIssuer" ? {} : { namespace: c.namespace }),
            name: c.issuerRef.name,
          },
        ],
        fix: `kubectl describe certificate ${c.name} -n ${c.namespace} and its latest CertificateRequest; fix the issuer or the request it rejects.`,
      }),
    );
  }
  for (const i of ctx.certs.certManager.issuers) {
    if (i.ready?.status !== "False") continue;
    out.push(
      finding("certmanager.not-ready", {
        message: `cert-manager ${i.kind} ${i.namespace ? `${i.namespace}/` : ""}${i.name} is not Ready${i.ready.reason ? ` (${i.ready.reason})` : ""}${i.ready.message ? `: ${i.ready.message}` : ""}: no Certificate it serves can be issued or renewed.`,
        resources: [
          i.namespace
            ? { kind: i.kind, namespace: i.namespace, name: i.name }
            : { kind: i.kind, name: i.name },
        ],
        fix: `kubectl describe ${i.kind.toLowerCase()} ${i.name}${i.namespace ? ` -n ${i.namespace}` : ""}; check its CA Secret or ACME account.`,
      }),
    );
  }
  return out;
});

export const certmanagerRenewBeforeTooLarge = rule("certmanager.renew-before-too-large", (ctx) =>
  ctx.certs.certManager.certificates.flatMap((c) => {
    const duration = parseDuration(c.duration ?? "2160h");
    const before = c.renewBefore ? parseDuration(c.renewBefore) : null;
    if (duration === null || before === null || before < duration) return [];
    return [
      finding("certmanager.renew-before-too-large", {
        message: `cert-manager Certificate ${c.namespace}/${c.name} has renewBefore ${c.renewBefore} ≥ duration ${c.duration ?? "2160h (default)"}: every issued certificate is immediately due for renewal (a renewal loop).`,
        resources: [{ kind: "Certificate", namespace: c.namespace, name: c.name }],
        fix: `Set renewBefore well below duration (cert-manager's default is a third of it), or use renewBeforePercentage.`,
      }),
    ];
  }),
);

/**
 * Only a Certificate that is mesh or client TLS material warns (docs/DECISIONS.md "Self-signed warnings
 * need mTLS evidence"): one asking for client auth or a SPIFFE URI, or whose Secret is a DestinationRule
 * MUTUAL or Gateway credentialName, served by a Gateway API Gateway or an Ingress, mounted into a sidecar
 * for a DestinationRule MUTUAL's files, or a mesh CA Secret. The others (kubebuilder's and operator-sdk's
 * webhook serving certificate, whose caBundle cainjector fills) are pinned by their one peer: silent.
 */
export const certmanagerSelfSignedIssuer = rule("certmanager.self-signed-issuer", (ctx) => {
  const uses = credentialUses(ctx.model);
  const mtlsMaterial = (c: CertManagerCertificate) =>
    requestsMtls(c) ||
    uses.drClient.has(c.secretName) ||
    uses.gateway.has(c.secretName) ||
    uses.served.has(`${c.namespace}/${c.secretName}`) ||
    uses.mountedClient.has(`${c.namespace}/${c.secretName}`) ||
    isMeshCaSecret(ctx.certs.inputs, c.namespace, c.secretName);
  const selfSigned = new Map(
    ctx.certs.certManager.issuers
      .filter((i) => i.type === "selfSigned")
      .map((i) => [`${i.kind}/${i.kind === "ClusterIssuer" ? "" : i.namespace}/${i.name}`, i]),
  );
  return ctx.certs.certManager.certificates.flatMap((c) => {
    // An issuerRef in another API group names an external issuer (AWS PCA, Google CAS, step …), which
    // cert-manager routes to its own controller, whatever cert-manager Issuer shares its name.
    if (c.issuerRef.group && c.issuerRef.group !== "cert-manager.io") return [];
    const kind = c.issuerRef.kind || "Issuer";
    const issuer = selfSigned.get(
      `${kind}/${kind === "ClusterIssuer" ? "" : c.namespace}/${c.issuerRef.name}`,
    );
    if (!issuer || c.isCA || !mtlsMaterial(c)) return [];
    return [
      finding("certmanager.self-signed-issuer", {
        message: `cert-manager Certificate ${c.namespace}/${c.name} (not a CA) is issued directly by the SelfSigned ${kind} ${c.issuerRef.name}: each certificate is its own root, so peers cannot verify it through a CA.`,
        resources: [
          { kind: "Certificate", namespace: c.namespace, name: c.name },
          issuer.namespace
            ? { kind, namespace: issuer.namespace, name: issuer.name }
            : { kind, name: issuer.name },
        ],
        fix: `Use the SelfSigned issuer only to bootstrap a CA Certificate (isCA: true), then issue leaves from a CA issuer that references it.`,
      }),
    ];
  });
});

/**
 * The Linkerd-meshed servers among the inputs that a call on one of `runs` may reach: Services of a
 * meshed workload by their port (a ClusterIP is dialled on it, and proxy-init's outbound rules match
 * the port dialled), and meshed workloads by their container ports (pod IPs, headless Services).
 */
function meshedServersOn(ctx: AnalysisContext, runs: PortRuns): string[] {
  const on = (p: number) => inPortRuns(runs, p);
  const out: string[] = [];
  const behind = new Set<Workload>(); // named through a Service already
  for (const svc of ctx.model.services) {
    if (svc.kind !== "Service") continue;
    const meshed = (ctx.model.endpointsOf.get(svc) ?? []).filter((w) => w.dataplane === "linkerd");
    if (meshed.length === 0) continue;
    for (const sp of svc.ports) {
      if (!on(sp.port)) continue;
      out.push(`Service ${svc.namespace}/${svc.name}:${sp.port}`);
      for (const w of meshed) behind.add(w);
    }
  }
  for (const w of ctx.model.workloads) {
    if (w.dataplane !== "linkerd" || behind.has(w)) continue;
    for (const p of w.containerPorts) if (on(p.port)) out.push(`${w.kind} ${nsName(w)}:${p.port}`);
  }
  return out;
}

// Inbound skip ports open a plaintext door on a meshed pod. Outbound ones lose mTLS only toward a
// Linkerd-meshed server: toward anything else (an external database) the call was never Linkerd mTLS,
// so without such a server among the inputs the finding is info (docs/DECISIONS.md).
export const linkerdSkipPort = rule("linkerd.skip-port", (ctx) =>
  ctx.model.workloads.flatMap((w) => {
    if (w.dataplane !== "linkerd") return [];
    const ns = ctx.model.namespaces.get(w.namespace);
    const inbound =
      w.annotations["config.linkerd.io/skip-inbound-ports"] ??
      ns?.annotations["config.linkerd.io/skip-inbound-ports"];
    const outbound =
      w.annotations["config.linkerd.io/skip-outbound-ports"] ??
      ns?.annotations["config.linkerd.io/skip-outbound-ports"];
    if (!inbound && !outbound) return [];
    const parts = [inbound ? `inbound ${inbound}` : "", outbound ? `outbound ${outbound}` : ""]
      .filter(Boolean)
      .join(", ");
    // Ranges too ("4567,4568", "1000-2000"): proxy-init reads the annotation with util.ParsePorts.
    const served = outbound ? meshedServersOn(ctx, linkerdPortRuns(outbound)) : [];
    const head = `${w.kind} ${nsName(w)} skips the Linkerd proxy on ports ${parts}: `;
    const warn = {
      resources: [workloadRef(w)],
      fix: `Remove the skip-ports annotation; for server-speaks-first protocols use config.linkerd.io/opaque-ports, which keeps mTLS.`,
    };
    if (!outbound || served.length > 0)
      return [
        finding("linkerd.skip-port", {
          ...warn,
          message: `${head}traffic on them is never mTLS and invisible to Linkerd${served.length > 0 ? `: calls from ${nsName(w)} to ${listNames(served, 2)} bypass mTLS` : ""}.`,
        }),
      ];
    const them = outbound.includes(",") || outbound.includes("-") ? "them" : "it";
    const unserved = `no Linkerd-meshed workload or Service in the inputs listens on outbound ${outbound} (the inputs may be partial)`;
    if (inbound)
      return [
        finding("linkerd.skip-port", {
          ...warn,
          message: `${head}traffic on inbound ${inbound} is never mTLS and invisible to Linkerd; ${unserved}.`,
          fix: `Remove config.linkerd.io/skip-inbound-ports; for server-speaks-first protocols use config.linkerd.io/opaque-ports, which keeps mTLS.`,
        }),
      ];
    return [
      finding("linkerd.skip-port", {
        severity: "info",
        message: `${w.kind} ${nsName(w)} skips the Linkerd proxy on outbound ${outbound}, but no Linkerd-meshed workload or Service in the inputs listens on ${them} (the inputs may be partial): calls on ${them} leave the mesh, so skipping the proxy loses no mTLS.`,
        resources: [workloadRef(w)],
        fix: `Nothing to do while only servers outside the mesh listen on ${outbound}; if a meshed server does, remove it from config.linkerd.io/skip-outbound-ports (use config.linkerd.io/opaque-ports for server-speaks-first protocols).`,
      }),
    ];
  }),
);

/**
 * The ports of a meshed pod that still take Linkerd's default inbound policy: its declared container
 * ports and Service target ports, minus those whose Server locks them and those without a Server that
 * require a mesh identity (config.linkerd.io/proxy-require-identity-inbound-ports). A port's Server is the first in
 * Linkerd's order that selects the pod and names the port (policy.servers is in that order; the index
 * skips the others); it locks when it admits no unauthenticated client by itself nor through an
 * authorization. Null when the pod has no known port.
 */
function portsOnDefaultPolicy(
  ctx: AnalysisContext,
  w: Workload,
): { open: number[]; hasServers: boolean; requiring: boolean } | null {
  const ports = new Set<number>();
  for (const p of w.containerPorts) if ((p.protocol ?? "TCP") === "TCP") ports.add(p.port);
  for (const svc of ctx.model.servicesOfWorkload.get(w) ?? [])
    for (const sp of svc.ports) {
      const t = ctx.resolver.targetPortOf(svc, sp, w);
      if (t !== null) ports.add(t);
    }
  if (ports.size === 0) return null;
  const policy = ctx.model.linkerdPolicy;
  const selecting = serversIn(policy, w.namespace).filter(
    (s) => s.podSelector !== null && selects(s.podSelector, w.labels),
  );
  const open: number[] = [];
  let requiring = false;
  for (const port of ports) {
    const server = selecting.find((s) => takesPort(s, port, w.containerPorts));
    if (server !== undefined) {
      if (!serverLocks(policy, server)) open.push(port);
      continue;
    }
    // A port without a Server that requires a mesh identity refuses plaintext (linkerdInbound.ts).
    if (linkerdRequiresIdentity(ctx.model, w, port, ctx.resolver.linkerdPods(w)).required === true)
      requiring = true;
    else open.push(port);
  }
  return { open: open.sort((a, b) => a - b), hasServers: selecting.length > 0, requiring };
}

const lockedBy = (p: { hasServers: boolean; requiring: boolean }) =>
  p.hasServers && p.requiring
    ? "no Server locks and config.linkerd.io/proxy-require-identity-inbound-ports does not list"
    : p.hasServers
      ? "no Server locks"
      : "config.linkerd.io/proxy-require-identity-inbound-ports does not list";

/**
 * Meshed pods whose default policy is not Linkerd's to tighten: the control plane and extensions
 * (identity takes proxies that have no certificate yet, webhooks are called by the API server) ship
 * their own policy, and an ingress-mode proxy fronts clients from outside the mesh by design.
 */
function ownsItsPolicy(w: Workload, nsInject: string | undefined): boolean {
  if (
    w.labels["linkerd.io/control-plane-component"] !== undefined ||
    w.labels["linkerd.io/extension"] !== undefined
  )
    return true;
  return (w.annotations["linkerd.io/inject"] ?? nsInject) === "ingress";
}

export const linkerdUnauthenticatedDefault = rule("linkerd.unauthenticated-default", (ctx) => {
  const out: Finding[] = [];
  for (const [ns, workloads] of ctx.model.workloadsByNamespace) {
    const meshed = workloads.filter((w) => w.dataplane === "linkerd");
    if (meshed.length === 0) continue;
    const nsAnnotations = ctx.model.namespaces.get(ns)?.annotations ?? {};
    const open: string[] = [];
    for (const w of meshed) {
      // The pods' annotation (the namespace's, for pods yet to be created), the cluster default, the proxies' env (linkerdInbound.ts).
      if (linkerdDefaultPolicy(ctx.model, w, ctx.resolver.linkerdPods(w)).policy !== "all-unauthenticated")
        continue;
      if (ownsItsPolicy(w, nsAnnotations["linkerd.io/inject"])) continue;
      const ports = portsOnDefaultPolicy(ctx, w);
      if (ports !== null && ports.open.length === 0) continue;
      open.push(
        ports !== null && (ports.hasServers || ports.requiring)
          ? `${nsName(w)} (port${ports.open.length > 1 ? "s" : ""} ${ports.open.join(", ")}, which ${lockedBy(ports)})`
          : nsName(w),
      );
    }
    if (open.length === 0) continue;
    out.push(
      finding("linkerd.unauthenticated-default", {
        message: `Namespace ${ns}: ${listNames(open)} use${open.length === 1 ? "s" : ""} Linkerd's default inbound policy all-unauthenticated: plaintext from unmeshed clients is accepted (Linkerd's PERMISSIVE).`,
        resources: [namespaceRef(ns)],
        fix: `Annotate the namespace config.linkerd.io/default-inbound-policy: all-authenticated (or cluster-authenticated) once every client is meshed, or add Server + AuthorizationPolicy resources.`,
      }),
    );
  }
  return out;
});

/** SHA-256 of each certificate's DER, the fingerprint the certificate report uses for bundles. */
const fingerprints = (pem: string) =>
  new Set(pemCertificates(pem).ders.map((d) => createHash("sha256").update(d).digest("hex")));

export const linkerdStaleTrustBundle = rule("linkerd.stale-trust-bundle", (ctx) => {
  const current = ctx.certs.bundles.get("mesh:linkerd");
  if (!current || current.size === 0) return [];
  const out: Finding[] = [];
  // Pods of a workload start with the same anchors text: read each distinct text once.
  const read = new Map<string, Set<string>>();
  for (const w of ctx.model.workloads) {
    if (w.dataplane !== "linkerd") continue;
    const stale = w.livePods.filter((p) => {
      if (!p.linkerdTrustAnchors) return false;
      let fps = read.get(p.linkerdTrustAnchors);
      if (!fps) read.set(p.linkerdTrustAnchors, (fps = fingerprints(p.linkerdTrustAnchors)));
      return fps.size !== current.size || [...fps].some((fp) => !current.has(fp));
    });
    if (stale.length === 0) continue;
    out.push(
      finding("linkerd.stale-trust-bundle", {
        message: `${listNames(stale.map((p) => `${w.namespace}/${p.name}`))} of ${w.kind} ${nsName(w)} started with trust anchors that differ from the current bundle (linkerd-identity-trust-roots): they cannot verify peers issued under the new anchor.`,
        resources: [
          workloadRef(w),
          ...stale.slice(0, 5).map((p) => ({ kind: "Pod", namespace: w.namespace, name: p.name })),
        ],
        fix: `Restart them (${restartHow(w)}).`,
      }),
    );
  }
  return out;
});

const SEVEN_DAYS_S = 7 * 24 * 3600;

export const spireSvidTtlTooLong = rule("spire.svid-ttl-too-long", (ctx) =>
  ctx.certs.spire.flatMap((c) => {
    const ca = c.caTtlSeconds ?? 24 * 3600;
    const svid = c.defaultX509SvidTtlSeconds ?? 3600;
    // SPIRE's own bound (pkg/server/ca/manager MaxSVIDTTLForCATTL): ca_ttl/6, capped at 7 days,
    // the activation threshold (a CA is activated when min(⅙ lifetime, 7 days) remain).
    const max = Math.min(ca / 6, SEVEN_DAYS_S);
    if (svid <= max) return [];
    const h = (s: number) => `${Math.round((s / 3600) * 10) / 10}h`;
    const capped = max < ca / 6;
    return [
      finding("spire.svid-ttl-too-long", {
        message: capped
          ? `SPIRE server config ${c.namespace}/${c.name}: default_x509_svid_ttl ${h(svid)} is longer than 7 days (168h), the most SPIRE can guarantee whatever ca_ttl (${h(ca)}): SVIDs get cut short when the CA rotates.`
          : `SPIRE server config ${c.namespace}/${c.name}: default_x509_svid_ttl ${h(svid)} is longer than ca_ttl/6 (${h(ca / 6)} for ca_ttl ${h(ca)}): SVIDs get cut short when the CA rotates.`,
        resources: [{ kind: "ConfigMap", namespace: c.namespace, name: c.name }],
        fix: capped
          ? `Set default_x509_svid_ttl to at most ${h(max)}.`
          : `Set default_x509_svid_ttl to at most ${h(max)}, or raise ca_ttl to at least ${h(svid * 6)}.`,
      }),
    ];
  }),
);
