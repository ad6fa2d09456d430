// How urgent a certificate's expiry is, for colour and the text cue. The snapshot's own
// `cert.expiring` finding decides (error → "critical", warning → "soon"): the dashboard never
// contradicts the findings. Time-left buckets (expired, < 24 h, < 7 d, < 30 d, later) raise that
// only for certificates the finding judged by time left alone, its day thresholds. Not for
// short-lived workload leaves (≤ 7 days, which always have < 24 h left and rotate by design) nor
// certificates whose renewal is scheduled (both go by the share of lifetime left), nor for those a
// rotation fact silenced: a SPIRE CA before SPIRE activates its successor, a root a rotation has
// replaced (analyzeCerts' spireTrustDomain / successor, which the snapshot's Certificate does not
// carry; the finding's absence says it). So a healthy 24 h Istio certificate, or a 48 h SPIRE CA
// with 20 h left, is not painted red.
// Because of that the buckets are named by meaning ("critical", "soon", …), never by a time
// ("< 24 h" would contradict a 2 h-left row counted as healthy); URGENCY_RULES says the rule.
import {
  DEFAULT_CERT_THRESHOLDS,
  expiringSeverity,
  expiryRule,
  isCaCertificate,
  type CertThresholds,
} from "../../core/certs/thresholds";
import type { Certificate, Finding } from "../../core/snapshot/schema";

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

/** `cert.expiring`'s severity per certificate id: the decision the dashboard follows. No entry: no finding. */
export type ExpiringVerdicts = ReadonlyMap<string, "error" | "warning">;

/** The `cert.expiring` verdicts of a snapshot's (or a slice's) findings; build it once per view. */
export function expiringVerdicts(findings: readonly Finding[]): ExpiringVerdicts {
  const out = new Map<string, "error" | "warning">();
  for (const f of findings)
    if (
      f.code === "cert.expiring" &&
      f.certificate !== undefined &&
      (f.severity === "error" || f.severity === "warning")
    )
      out.set(f.certificate, f.severity);
  return out;
}

export function urgencyOf(
  c: Certificate,
  nowMs: number,
  expiring: ExpiringVerdicts,
  t: CertThresholds = DEFAULT_CERT_THRESHOLDS,
): Urgency {
  const left = secondsLeft(c, nowMs);
  if (left <= 0) return "expired";
  const sev = expiring.get(c.id) ?? null;
  const bySeverity: Urgency = sev === "error" ? "critical" : sev === "warning" ? "soon" : "ok";
  if (!judgedByTimeLeft(c, left, nowMs, sev, t)) return bySeverity;
  const byTime: Urgency =
    left < 24 * HOUR ? "critical" : left < 7 * DAY ? "soon" : left < 30 * DAY ? "upcoming" : "ok";
  return RANK[bySeverity] < RANK[byTime] ? bySeverity : byTime;
}

/**
 * Whether `cert.expiring` judged the certificate by time left: by its day thresholds (not by the
 * share of lifetime, as for a short-lived leaf or one whose renewal is scheduled), and it says what
 * those thresholds say (lib/core's expiringSeverity). When it says less, a rotation fact the
 * snapshot's Certificate does not carry silenced it (a SPIRE CA before activation, a replaced root),
 * and time left is no sign of risk.
 */
function judgedByTimeLeft(
  c: Certificate,
  leftSeconds: number,
  nowMs: number,
  sev: "error" | "warning" | null,
  t: CertThresholds,
): boolean {
  if (isShortLivedLeaf(c, t)) return false;
  const renewal = c.renewalTime === null ? NaN : Date.parse(c.renewalTime);
  if (renewal > nowMs && renewal < Date.parse(c.notAfter)) return false;
  return (
    expiringSeverity(leftSeconds * 1000, c.lifetimeSeconds * 1000, isCaCertificate(c.role, c.isCA), t) === sev
  );
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
    ok: `more than that; ${short} with at least ${pctOf(t.shortLivedWarningFraction)} of their lifetime left, however few hours that is; CAs SPIRE rotates itself until it activates the next one, and roots a rotation has replaced`,
  };
}

export const URGENCY_RULES: Record<Urgency, string> = urgencyRules();

/** One line under every legend: why a certificate with hours left can be "healthy". */
export const URGENCY_NOTE =
  "Buckets go by time left and never contradict the cert.expiring finding; short-lived workload certificates, which rotate by design, go by the share of their lifetime left, and SPIRE's CAs by SPIRE's own rotation.";
