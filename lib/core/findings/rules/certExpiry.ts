// What the expiry rules share: those judging a certificate among the inputs (certificates.ts) and
// those judging a cert-manager Certificate by its status alone (certManagerStatus.ts) word times,
// thresholds and renewal schedules the same way.
import { expiryRule, type CertThresholds } from "../../certs/thresholds";
import type { CertManagerCertificate } from "../../certs/types";

const DAY = 86_400_000;

/** A time as RFC 3339 to the second. */
export const iso = (t: Date | number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A span: whole days from two days up, else hours. */
export const days = (ms: number) => {
  const d = ms / DAY;
  return d >= 2 ? `${Math.floor(d)} days` : `${Math.max(0, Math.round(ms / 3_600_000))} hours`;
};

/** The threshold rule that applies (findings.md "Certificates"), as cert.expiring's message states it. */
export function expiryRuleText(isCa: boolean, lifetime: number, t: CertThresholds): string {
  switch (expiryRule(isCa, lifetime, t)) {
    case "ca":
      return `CA certificates: warning under ${t.caWarningDays} days, error under ${t.caErrorDays}`;
    case "leaf":
      return `leaves: warning under ${t.leafWarningDays} days, error under ${t.leafErrorDays}`;
    case "short-lived":
      return `short-lived leaves: warning under ${t.shortLivedWarningFraction * 100} % of the lifetime left, error under ${t.shortLivedErrorFraction * 100} %`;
  }
}

/**
 * cert-manager is renewing the certificate as scheduled: its Issuing condition is True, no attempt
 * has failed since the renewal time, and that time passed less than an hour ago. An ACME renewal
 * takes a minute or two; an hour is cert-manager's own retry step (failed issuances back off
 * 1 h × 2^(n−1)), past which an issuance still in flight is no longer a routine renewal.
 */
export function renewingNow(c: CertManagerCertificate, renewal: number, now: number): boolean {
  if (!c.issuing || now - renewal >= 3_600_000) return false;
  const failed = c.lastFailureTime ? new Date(c.lastFailureTime).getTime() : NaN;
  return !(failed >= renewal);
}

/**
 * Whether a renewal is on schedule, so the expiry thresholds are relaxed: one ahead (before
 * `scheduledUntil`, the renewal time or the point past which a half-life rotation is overdue, and
 * before notAfter), or one cert-manager is carrying out now (`inFlight`: renewingNow, as
 * cert.rotation-overdue waits for it). `renewal` undefined or NaN: none scheduled.
 */
export function renewalSchedule(o: {
  renewal: number | undefined;
  scheduledUntil: number | undefined;
  notAfter: number;
  certManager: CertManagerCertificate | null;
  now: number;
}): {
  scheduled: boolean;
  inFlight: boolean;
} {
  const { renewal, scheduledUntil, now } = o;
  const inFlight =
    renewal !== undefined &&
    renewal <= now &&
    o.certManager !== null &&
    renewingNow(o.certManager, renewal, now);
  const scheduled =
    renewal !== undefined &&
    scheduledUntil !== undefined &&
    scheduledUntil < o.notAfter &&
    (scheduledUntil > now || inFlight);
  return { scheduled, inFlight };
}
