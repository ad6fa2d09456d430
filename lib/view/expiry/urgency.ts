// How urgent a certificate's expiry is, for colour and the text cue. Time-left buckets (expired,
// < 24 h, < 7 d, < 30 d, later), raised to at least what findings.md's `cert.expiring` would say
// (error → "critical", warning → "soon"), and for short-lived workload leaves (≤ 7 days, which
// always have < 24 h left and rotate by design) decided by the fraction of lifetime left only, the
// same thresholds the finding uses, so a healthy 24 h Istio certificate is not painted red.
// Because of that second rule the buckets are named by meaning ("critical", "soon", …), never by a
// time ("< 24 h" would contradict a 2 h-left row counted as healthy); URGENCY_RULES says the rule.
import { DEFAULT_CERT_THRESHOLDS, expiringSeverity, expiryRule, isCaCertificate, type CertThresholds } from "../../core/certs/thresholds";
import type { Certificate } from "../../core/snapshot/schema";

export const URGENCIES = ["expired", "critical", "soon", "upcoming", "ok"] as const;
export type Urgency = (typeof URGENCIES)[number];

export const URGENCY_LABELS: Record<Urgency, string> = {
  expired: "expired",
  critical: "critical",
  soon: "soon",
  upcoming: "watch",
  ok: "healthy",
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

export function secondsLeft(c: Certificate, nowMs: number): number {
  return (Date.parse(c.notAfter) - nowMs) / 1000;
}

export function isShortLivedLeaf(c: Certificate, t: CertThresholds = DEFAULT_CERT_THRESHOLDS): boolean {
  return expiryRule(isCaCertificate(c.role, c.isCA), c.lifetimeSeconds * 1000, t) === "short-lived";
}

const RANK: Record<Urgency, number> = { expired: 0, critical: 1, soon: 2, upcoming: 3, ok: 4 };

export function urgencyOf(
  c: Certificate,
  nowMs: number,
  t: CertThresholds = DEFAULT_CERT_THRESHOLDS,
): Urgency {
  const left = secondsLeft(c, nowMs);
  if (left <= 0) return "expired";
  // The severity `cert.expiring` gives it: lib/core's own function.
  const renewal = c.renewalTime === null ? NaN : Date.parse(c.renewalTime);
  const renewalScheduled = renewal > nowMs && renewal < Date.parse(c.notAfter);
  const sev = expiringSeverity(left * 1000, c.lifetimeSeconds * 1000, isCaCertificate(c.role, c.isCA), t, renewalScheduled);
  const bySeverity: Urgency = sev === "error" ? "critical" : sev === "warning" ? "soon" : "ok";
  if (isShortLivedLeaf(c, t)) return bySeverity;
  const byTime: Urgency =
    left < 24 * HOUR ? "critical" : left < 7 * DAY ? "soon" : left < 30 * DAY ? "upcoming" : "ok";
  return RANK[bySeverity] < RANK[byTime] ? bySeverity : byTime;
}


const days = (n: number) => `${n} d`;
const pctOf = (f: number) => `${Math.round(f * 100)} %`;

/**
 * What puts a certificate in each bucket, in words (legend tooltips, the SVG), derived from the same
 * thresholds as urgencyOf so the two cannot drift apart.
 */
export function urgencyRules(t: CertThresholds = DEFAULT_CERT_THRESHOLDS): Record<Urgency, string> {
  const short = `short-lived workload certificates (lifetime ≤ ${days(t.shortLivedMaxDays)})`;
  // The time buckets a leaf gets, raised to the finding's severity (leaf/CA day thresholds).
  const critLeaf = Math.max(1, t.leafErrorDays);
  const soonLeaf = Math.max(7, t.leafWarningDays);
  return {
    expired: "past its expiry time",
    critical: `less than ${days(critLeaf)} left (CAs: less than ${days(t.caErrorDays)}); ${short}: less than ${pctOf(t.shortLivedErrorFraction)} of their lifetime left`,
    soon: `less than ${days(soonLeaf)} left (CAs: less than ${days(t.caWarningDays)}); ${short}: less than ${pctOf(t.shortLivedWarningFraction)} of their lifetime left`,
    upcoming: `less than ${days(30)} left (not used for ${short})`,
    ok: `more than that; ${short} with at least ${pctOf(t.shortLivedWarningFraction)} of their lifetime left, however few hours that is`,
  };
}

export const URGENCY_RULES: Record<Urgency, string> = urgencyRules();

/** One line under every legend: why a certificate with hours left can be "healthy". */
export const URGENCY_NOTE =
  "Buckets go by time left; short-lived workload certificates, which rotate by design, go by the share of their lifetime left.";
