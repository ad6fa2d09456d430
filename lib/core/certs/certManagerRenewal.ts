// When cert-manager renews a certificate, from its validity and the Certificate's spec: what the
// controller writes as status.renewalTime (cert-manager pkg/util/pki/renewaltime.go `RenewalTime`,
// `desiredRenewalTime`, `applyRenewBeforeWithWindows`). Pure.
import { parseDuration } from "./duration";
import type { CertManagerCertificate } from "./types";

/**
 * notAfter − renewBefore, truncated to the second. renewBefore is spec.renewBefore when positive and
 * shorter than the actual lifetime, else spec.renewBeforePercentage of the lifetime when in (0, 100),
 * else a third of the lifetime (renewal at two thirds). Null when spec.renewal schedules none:
 * policy Disabled (RenewalTime returns no time), a policy cert-manager does not know (an error, no
 * time), or maintenance windows (the time moves into the cron windows, at or after this one: not
 * computed here, so none is claimed).
 */
export function certManagerRenewalTime(
  notBefore: Date,
  notAfter: Date,
  c: Pick<CertManagerCertificate, "renewBefore" | "renewBeforePercentage" | "renewal">,
): Date | null {
  if (c.renewal && (c.renewal.policy !== "RenewBefore" || c.renewal.windows > 0)) return null;
  const lifetime = notAfter.getTime() - notBefore.getTime();
  const before = c.renewBefore === undefined ? null : parseDuration(c.renewBefore);
  const pct = c.renewBeforePercentage;
  let renewBefore = lifetime / 3;
  if (before !== null && before > 0 && before * 1000 < lifetime) renewBefore = before * 1000;
  else if (pct !== undefined && pct > 0 && pct < 100) renewBefore = (lifetime * Math.trunc(pct)) / 100;
  return new Date(Math.floor((notAfter.getTime() - renewBefore) / 1000) * 1000);
}
