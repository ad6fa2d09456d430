// cert-manager Certificates whose Secret holds no certificate among the inputs (RBAC forbids reading
// Secrets, or only `kubectl get certificates -A -o yaml` was exported): the Certificate's status
// (notBefore, notAfter, renewalTime) is then all that says when its certificate ends, so cert.expired,
// cert.expiring and cert.rotation-overdue are judged from it, with the thresholds certificates.ts
// applies to certificates read from Secrets. The findings name the Certificate; `certificate` stays
// unset, as there is no certificate (nor fingerprint) to point at.
import { parseDuration } from "../../certs/duration";
import { expiringSeverity } from "../../certs/thresholds";
import type { CertManagerCertificate } from "../../certs/types";
import type { Finding, Ref } from "../../snapshot/schema";
import { rule, type AnalysisContext } from "../context";
import { finding } from "../finding";
import { days, expiryRuleText, iso, renewalSchedule, renewingNow } from "./certExpiry";

/** cert-manager's default spec.duration (other-meshes.md §2.1), for a status without notBefore. */
const DEFAULT_DURATION_MS = 2160 * 3_600_000;

interface StatusTimes {
  c: CertManagerCertificate;
  ref: Ref;
  notAfter: number;
  /** notAfter − notBefore, else spec.duration, else cert-manager's default. */
  lifetime: number;
  /** status.renewalTime; NaN when the status has none (cert-manager schedules none: spec.renewal Disabled, or a window it cannot find). */
  renewal: number;
  what: string;
}

/**
 * The Certificates to judge by status: a status.notAfter, no certificate of their Secret among the
 * inputs, and their certificate not among them by another route either (analyzeCerts statusOnly:
 * a Linkerd trust anchor read from linkerd-identity-trust-roots is judged as that certificate, once).
 */
const withoutSecret = (ctx: AnalysisContext): StatusTimes[] => ctx.certs.statusOnly.map(statusTimes);

function statusTimes(c: CertManagerCertificate): StatusTimes {
  const notAfter = Date.parse(c.notAfter!);
  const notBefore = c.notBefore === undefined ? NaN : Date.parse(c.notBefore);
  const duration = c.duration === undefined ? null : parseDuration(c.duration);
  const lifetime = Number.isFinite(notBefore)
    ? notAfter - notBefore
    : duration !== null
      ? duration * 1000
      : DEFAULT_DURATION_MS;
  // cert-manager writes renewalTime with every certificate it issues: a status without one has no
  // renewal scheduled (DECISIONS, review of Linkerd, cert-manager and SPIRE support, #4 and #16).
  const renewal = c.renewalTime === undefined ? NaN : Date.parse(c.renewalTime);
  return {
    c,
    ref: { kind: "Certificate", namespace: c.namespace, name: c.name },
    notAfter,
    lifetime,
    renewal,
    what: `cert-manager Certificate ${c.namespace}/${c.name} (its Secret ${c.secretName} holds no certificate among the inputs; read from the Certificate's status)`,
  };
}

const fixFor = (c: CertManagerCertificate) =>
  `kubectl describe certificate ${c.name} -n ${c.namespace}: check why cert-manager has not renewed it (its CertificateRequests, the issuer, the controller's logs).`;

export const certExpiredByStatus = rule("cert.expired", (ctx) =>
  withoutSecret(ctx)
    .filter((t) => t.notAfter <= ctx.now.getTime())
    .map((t) =>
      finding("cert.expired", {
        message: `${t.what}: status.notAfter ${iso(t.notAfter)} has passed (${days(ctx.now.getTime() - t.notAfter)} ago).`,
        resources: [t.ref],
        fix: fixFor(t.c),
      }),
    ),
);

export const certExpiringByStatus = rule("cert.expiring", (ctx) => {
  const now = ctx.now.getTime();
  const t = ctx.thresholds;
  const out: Finding[] = [];
  for (const s of withoutSecret(ctx)) {
    const left = s.notAfter - now;
    if (left <= 0) continue;
    // As certExpiring: a renewal ahead, or one cert-manager is carrying out now, is on schedule.
    const { scheduled, inFlight } = renewalSchedule({
      renewal: s.renewal,
      scheduledUntil: s.renewal,
      notAfter: s.notAfter,
      certManager: s.c,
      now,
    });
    const severity = expiringSeverity(left, s.lifetime, s.c.isCA, t, scheduled);
    if (!severity) continue;
    out.push(
      finding("cert.expiring", {
        severity,
        message: `${s.what}: it expires at ${iso(s.notAfter)}, in ${days(left)} (${expiryRuleText(s.c.isCA, s.lifetime, t)}${scheduled ? `; renewal ${inFlight ? "in progress since" : "due at"} ${iso(s.renewal)}` : ""}).`,
        resources: [s.ref],
        fix: fixFor(s.c),
      }),
    );
  }
  return out;
});

export const certRotationOverdueByStatus = rule("cert.rotation-overdue", (ctx) => {
  const now = ctx.now.getTime();
  return withoutSecret(ctx)
    .filter((s) => s.notAfter > now && s.renewal < now && !renewingNow(s.c, s.renewal, now))
    .map((s) =>
      finding("cert.rotation-overdue", {
        message: `${s.what}: it was due for renewal at ${iso(s.renewal)} and has not been renewed${s.c.lastFailureTime ? ` (last failed attempt ${s.c.lastFailureTime})` : ""}.`,
        resources: [s.ref],
        fix: fixFor(s.c),
      }),
    );
});
