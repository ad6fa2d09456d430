// How urgent a certificate's expiry is, for colour and the text cue. Time-left buckets (expired,
// < 24 h, < 7 d, < 30 d, later), raised to at least what findings.md's `cert.expiring` would say
// (error → "critical", warning → "soon"), and for short-lived workload leaves (≤ 7 days, which
// always have < 24 h left and rotate by design) decided by the fraction of lifetime left only, the
// same thresholds the finding uses, so a healthy 24 h Istio certificate is not painted red.
import { DEFAULT_CERT_THRESHOLDS, type CertThresholds } from "../../core/certs/thresholds";
import type { Certificate } from "../../core/snapshot/schema";

export const URGENCIES = ["expired", "critical", "soon", "upcoming", "ok"] as const;
export type Urgency = (typeof URGENCIES)[number];

export const URGENCY_LABELS: Record<Urgency, string> = {
  expired: "expired",
  critical: "< 24 h",
  soon: "< 7 d",
  upcoming: "< 30 d",
  ok: "later",
};

/** A glyph per urgency so the cue does not rely on colour alone. */
export const URGENCY_GLYPHS: Record<Urgency, string> = {
  expired: "✕",
  critical: "!",
  soon: "▲",
  upcoming: "◆",
  ok: "●",
};

const HOUR = 3600;
const DAY = 86_400;
const CA_ROLES = new Set(["root", "intermediate", "trust-anchor", "issuer"]);

export function secondsLeft(c: Certificate, nowMs: number): number {
  return (Date.parse(c.notAfter) - nowMs) / 1000;
}

/** The severity `cert.expiring` gives this certificate (null: none), mirroring lib/core's rule. */
export function expiringSeverity(
  c: Certificate,
  nowMs: number,
  t: CertThresholds = DEFAULT_CERT_THRESHOLDS,
): "error" | "warning" | null {
  const left = secondsLeft(c, nowMs);
  if (left <= 0) return "error";
  if (CA_ROLES.has(c.role) || c.isCA) {
    if (left < t.caErrorDays * DAY) return "error";
    return left < t.caWarningDays * DAY ? "warning" : null;
  }
  if (c.lifetimeSeconds > t.shortLivedMaxDays * DAY) {
    if (left < t.leafErrorDays * DAY) return "error";
    return left < t.leafWarningDays * DAY ? "warning" : null;
  }
  const fraction = c.lifetimeSeconds > 0 ? left / c.lifetimeSeconds : 0;
  if (fraction < t.shortLivedErrorFraction) return "error";
  return fraction < t.shortLivedWarningFraction ? "warning" : null;
}

export function isShortLivedLeaf(c: Certificate, t: CertThresholds = DEFAULT_CERT_THRESHOLDS): boolean {
  return !c.isCA && !CA_ROLES.has(c.role) && c.lifetimeSeconds <= t.shortLivedMaxDays * DAY;
}

const RANK: Record<Urgency, number> = { expired: 0, critical: 1, soon: 2, upcoming: 3, ok: 4 };

export function urgencyOf(
  c: Certificate,
  nowMs: number,
  t: CertThresholds = DEFAULT_CERT_THRESHOLDS,
): Urgency {
  const left = secondsLeft(c, nowMs);
  if (left <= 0) return "expired";
  const sev = expiringSeverity(c, nowMs, t);
  const bySeverity: Urgency = sev === "error" ? "critical" : sev === "warning" ? "soon" : "ok";
  if (isShortLivedLeaf(c, t)) return bySeverity;
  const byTime: Urgency =
    left < 24 * HOUR ? "critical" : left < 7 * DAY ? "soon" : left < 30 * DAY ? "upcoming" : "ok";
  return RANK[bySeverity] < RANK[byTime] ? bySeverity : byTime;
}

export const urgencyRank = (u: Urgency) => RANK[u];
