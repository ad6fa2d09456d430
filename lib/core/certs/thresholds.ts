// Expiry thresholds of findings.md "Certificates" (defaults there); every one can be overridden.
export interface CertThresholds {
  /** CA (root, intermediate, trust anchor, issuer): warning below this many days left. */
  caWarningDays: number;
  caErrorDays: number;
  /** Leaves living longer than shortLivedMaxDays: warning / error below these many days left. */
  leafWarningDays: number;
  leafErrorDays: number;
  shortLivedMaxDays: number;
  /** Short-lived workload leaves: warning / error below this fraction of the lifetime left. */
  shortLivedWarningFraction: number;
  shortLivedErrorFraction: number;
  /** Istio/SPIRE workload certificates rotate at 50 % of their life; overdue past this fraction. */
  rotationOverdueFraction: number;
  /** Mesh workload identity certificates should not live longer than this. */
  workloadMaxLifetimeHours: number;
}

export const DEFAULT_CERT_THRESHOLDS: CertThresholds = {
  caWarningDays: 60,
  caErrorDays: 14,
  leafWarningDays: 14,
  leafErrorDays: 3,
  shortLivedMaxDays: 7,
  shortLivedWarningFraction: 0.25,
  shortLivedErrorFraction: 0.1,
  rotationOverdueFraction: 0.6,
  workloadMaxLifetimeHours: 24,
};

const DAY_MS = 86_400_000;

const CA_ROLES = new Set(["root", "intermediate", "trust-anchor", "issuer"]);

/** A CA for the expiry rules: by its role in the mesh or by its basicConstraints. */
export function isCaCertificate(role: string, isCA: boolean): boolean {
  return isCA || CA_ROLES.has(role);
}

/** Which of findings.md's expiry rules applies: CA certificates, long-lived leaves, or short-lived leaves (by share of lifetime). */
export type ExpiryRule = "ca" | "leaf" | "short-lived";

export function expiryRule(isCa: boolean, lifetimeMs: number, t: CertThresholds): ExpiryRule {
  if (isCa) return "ca";
  return lifetimeMs > t.shortLivedMaxDays * DAY_MS ? "leaf" : "short-lived";
}

/**
 * The severity `cert.expiring` gives a certificate with `leftMs` of `lifetimeMs` left (null: none).
 * One function for the finding and for the dashboard's urgency colours, so the two cannot drift.
 */
export function expiringSeverity(
  leftMs: number,
  lifetimeMs: number,
  isCa: boolean,
  t: CertThresholds,
  renewalScheduled = false,
): "error" | "warning" | null {
  const byRule = severityByRule(leftMs, lifetimeMs, isCa, t);
  if (!renewalScheduled || byRule === null) return byRule;
  // Renewal is due before expiry (cert-manager's status.renewalTime, or an Istio/SPIRE workload
  // certificate's half-life rotation, still ahead, or cert-manager renewing it now): a lifetime
  // chosen short on purpose (Linkerd's 48 h identity issuer renewed after 23 h) is within the day
  // thresholds all its life, so those alone do not say it is at risk. The share of lifetime left
  // must say so too (the short-lived thresholds), and then only as a warning: nothing fails before
  // the renewal is due (a 24 h webhook certificate renewed 1 h before expiry has 4 % left then). A
  // renewal that does not happen is cert.rotation-overdue's once its time passes, and the thresholds
  // apply in full from then on.
  return shareSeverity(leftMs, lifetimeMs, t) === null ? null : "warning";
}

function shareSeverity(leftMs: number, lifetimeMs: number, t: CertThresholds): "error" | "warning" | null {
  const fraction = lifetimeMs > 0 ? leftMs / lifetimeMs : 0;
  return fraction < t.shortLivedErrorFraction
    ? "error"
    : fraction < t.shortLivedWarningFraction
      ? "warning"
      : null;
}

function severityByRule(
  leftMs: number,
  lifetimeMs: number,
  isCa: boolean,
  t: CertThresholds,
): "error" | "warning" | null {
  switch (expiryRule(isCa, lifetimeMs, t)) {
    case "ca":
      return leftMs < t.caErrorDays * DAY_MS ? "error" : leftMs < t.caWarningDays * DAY_MS ? "warning" : null;
    case "leaf":
      return leftMs < t.leafErrorDays * DAY_MS
        ? "error"
        : leftMs < t.leafWarningDays * DAY_MS
          ? "warning"
          : null;
    case "short-lived":
      return shareSeverity(leftMs, lifetimeMs, t);
  }
}
