// A snapshot Certificate builder for the view tests: valid against the schema, overridable field by
// field, timed relative to a fixed now.
import type { Certificate } from "../../core/snapshot/schema";

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
