// A snapshot Certificate builder for the view tests: valid against the schema, overridable field by
// field, timed relative to a fixed now.
import {
  DEFAULT_CERT_THRESHOLDS,
  expiringSeverity,
  isCaCertificate,
  type CertThresholds,
} from "../../core/certs/thresholds";
import type { Certificate, Finding } from "../../core/snapshot/schema";

export const FIXTURE_NOW = "2026-11-27T12:00:00Z";
const HOUR = 3_600_000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** notBefore/notAfter as hours from FIXTURE_NOW. */
export function cert(
  idSeed: number,
  hours: { from: number; to: number },
  over: Partial<Certificate> = {},
): Certificate {
  const now = Date.parse(FIXTURE_NOW);
  const nb = now + hours.from * HOUR;
  const na = now + hours.to * HOUR;
  const id = idSeed.toString(16).padStart(64, "0");
  return {
    id,
    role: "workload",
    source: { kind: "proxy", namespace: "shop", pod: `web-${idSeed}` },
    sources: [{ kind: "proxy", namespace: "shop", pod: `web-${idSeed}` }],
    subject: "",
    issuer: "O=cluster.local",
    serialNumber: idSeed.toString(16),
    spiffeId: `spiffe://cluster.local/ns/shop/sa/web-${idSeed}`,
    dnsNames: [],
    uris: [`spiffe://cluster.local/ns/shop/sa/web-${idSeed}`],
    notBefore: iso(nb),
    notAfter: iso(na),
    lifetimeSeconds: Math.round((na - nb) / 1000),
    renewalTime: null,
    keyAlgorithm: "ECDSA P-256",
    signatureAlgorithm: "ecdsa-with-SHA256",
    isCA: false,
    chain: { verified: true },
    owner: { namespace: "shop", workload: "web", pod: `web-${idSeed}` },
    ...over,
  };
}

const caBase = (name: string): Partial<Certificate> => ({
  subject: `CN=${name}`,
  spiffeId: null,
  uris: [],
  isCA: true,
  owner: null,
});

export const root = (seed: number, hours: { from: number; to: number }, over: Partial<Certificate> = {}) =>
  cert(seed, hours, {
    ...caBase("Root CA"),
    role: "root",
    source: {
      kind: "ConfigMap",
      namespace: "istio-system",
      name: "istio-ca-root-cert",
      key: "root-cert.pem",
    },
    sources: [
      { kind: "ConfigMap", namespace: "istio-system", name: "istio-ca-root-cert", key: "root-cert.pem" },
    ],
    ...over,
  });

/**
 * The `cert.expiring` findings the analysis gives these certificates when no rotation fact applies
 * (no SPIRE CA, no replaced root, no Istio workload certificate between half its life and the
 * rotation-overdue point): lib/core's expiringSeverity, which the rule calls, with the renewal time
 * the certificate carries. Those cases go through the real analysis (test/certReview.test.ts).
 */
export function expiringFindings(
  certs: Certificate[],
  now: string = FIXTURE_NOW,
  t: CertThresholds = DEFAULT_CERT_THRESHOLDS,
): Finding[] {
  const nowMs = Date.parse(now);
  const out: Finding[] = [];
  for (const c of certs) {
    const na = Date.parse(c.notAfter);
    if (na <= nowMs || Date.parse(c.notBefore) > nowMs) continue;
    const renewal = c.renewalTime === null ? NaN : Date.parse(c.renewalTime);
    const sev = expiringSeverity(
      na - nowMs,
      c.lifetimeSeconds * 1000,
      isCaCertificate(c.role, c.isCA),
      t,
      renewal > nowMs && renewal < na,
    );
    if (sev)
      out.push({
        code: "cert.expiring",
        severity: sev,
        title: "Certificate expiring",
        message: `${c.id} expires at ${c.notAfter}.`,
        resources: [],
        certificate: c.id,
      });
  }
  return out;
}
