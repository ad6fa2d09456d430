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
