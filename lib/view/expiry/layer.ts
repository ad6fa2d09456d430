// Which layer of the PKI a certificate belongs to, for grouping the expiry timeline. Derived from the
// snapshot's role and where the certificate was found; the mesh-specific layers win over the generic
// role because an operator rotates them with that mesh's own procedure.
import type { Certificate } from "../../core/snapshot/schema";
import { commonNames } from "../../core/certs/distinguishedName";

export const LAYERS = ["root", "intermediate", "cert-manager", "linkerd", "spire", "workload"] as const;
export type Layer = (typeof LAYERS)[number];

export const LAYER_LABELS: Record<Layer, string> = {
  root: "Roots",
  intermediate: "Intermediates",
  "cert-manager": "cert-manager",
  linkerd: "Linkerd",
  spire: "SPIRE",
  workload: "Workloads & leaves",
};

const LINKERD_IDENTITY = /\.identity\.linkerd\./;

export function layerOf(c: Certificate): Layer {
  const places = [c.source, ...c.sources];
  if (
    c.role === "trust-anchor" ||
    c.role === "issuer" ||
    places.some((s) => s.name?.startsWith("linkerd-identity") === true) ||
    c.dnsNames.some((d) => LINKERD_IDENTITY.test(d))
  )
    return "linkerd";
  // SPIRE's own objects (spire-bundle, the server's ConfigMap), by name: never by namespace, since
  // istiod copies istio-ca-root-cert into every namespace, a spire-system one included.
  if (
    places.some(
      (s) => (s.kind === "ConfigMap" || s.kind === "Secret") && s.name?.startsWith("spire") === true,
    )
  )
    return "spire";
  // Besides workload certificates, the analysis gives an expected rotation point (renewalTime) to
  // the certificate a cert-manager Certificate writes into its Secret, and to SPIRE's signing CAs
  // (lib/core/certs/analyzeCerts.ts expectedRotation), which no Secret holds.
  const renews = c.renewalTime !== null && c.role !== "workload";
  if (places.some((s) => s.kind === "Certificate") || (renews && places.some((s) => s.kind === "Secret")))
    return "cert-manager";
  if (renews) return "spire";
  if (c.role === "root") return "root";
  if (c.role === "intermediate") return "intermediate";
  return "workload";
}

/** What a person calls the certificate: its SPIFFE ID, else its first DNS name, else the subject. */
export function displayName(c: Certificate): string {
  return (
    c.spiffeId ?? c.dnsNames[0] ?? commonName(c.subject) ?? (c.subject !== "" ? c.subject : c.id.slice(0, 16))
  );
}

/** The first CN of a subject ("O=Example,CN=Root CA" → "Root CA"), the part people recognise; null for none or a blank one. */
export function commonName(subject: string): string | null {
  return commonNames(subject)[0]?.trim() || null;
}

/** Who holds it, for the table: pod or workload in its namespace, else the first source object. */
export function ownerLabel(c: Certificate): string {
  if (c.owner) return `${c.owner.namespace}/${c.owner.workload ?? c.owner.pod ?? "*"}`;
  const s = c.source;
  return `${s.kind}${s.namespace ? ` ${s.namespace}/` : " "}${s.name ?? s.pod ?? ""}`.trim();
}
