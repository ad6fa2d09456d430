// Positive evidence that a certificate is mesh or client TLS material, for the self-signed warnings
// (cert.self-signed-leaf, certmanager.self-signed-issuer; docs/DECISIONS.md "Self-signed warnings need
// mTLS evidence"). An extended key usage alone is none: Helm's genSelfSignedCert sets serverAuth and
// clientAuth on every chart's webhook certificate, which the API server pins through a caBundle.
import type { ClientTlsSettings, MeshModel, TrafficPolicy } from "../model/mesh";
import type { CertInput, CertManagerCertificate } from "./types";

/** The Secrets Istio config names as TLS credentials, by Secret name. */
export interface CredentialUses {
  /** credentialName of a DestinationRule's MUTUAL tls: the proxy presents its tls.crt as a client certificate. */
  drClient: ReadonlySet<string>;
  /** credentialName(s) of any Gateway server: the gateway serves its tls.crt to clients. */
  gateway: ReadonlySet<string>;
  /** Those of MUTUAL and OPTIONAL_MUTUAL servers: the gateway's side of an mTLS handshake. */
  gatewayMutual: ReadonlySet<string>;
}

/**
 * The Secret name a credentialName names. Istio's ParseResourceName (pilot/pkg/model/credentials/
 * resource.go) takes `name`, `kubernetes://[namespace/]name` and `kubernetes-gateway://namespace/name`.
 * The namespace is left out on purpose: a DestinationRule's credential is fetched from the namespace of
 * each proxy that applies it (any namespace the rule is exported to), a Gateway's from the gateway
 * workload's, neither of which the rule's own namespace says.
 */
export function credentialSecretName(credentialName: string): string {
  const rest = credentialName.replace(/^[a-z-]+:\/\//, "");
  return rest.slice(rest.lastIndexOf("/") + 1);
}

export function credentialUses(model: MeshModel): CredentialUses {
  const drClient = new Set<string>();
  const gateway = new Set<string>();
  const gatewayMutual = new Set<string>();
  const client = (t: ClientTlsSettings | null) => {
    if (t?.mode === "MUTUAL" && t.credentialName) drClient.add(credentialSecretName(t.credentialName));
  };
  const policy = (p: TrafficPolicy | null) => {
    if (!p) return;
    client(p.tls);
    for (const l of p.portLevelSettings) client(l.tls);
  };
  for (const dr of model.destinationRules) {
    policy(dr.trafficPolicy);
    for (const s of dr.subsets) policy(s.trafficPolicy);
  }
  for (const g of model.gateways)
    for (const s of g.servers)
      for (const c of s.credentialNames) {
        gateway.add(credentialSecretName(c));
        if (s.tls === "MUTUAL" || s.tls === "OPTIONAL_MUTUAL") gatewayMutual.add(credentialSecretName(c));
      }
  return { drClient, gateway, gatewayMutual };
}

const isSpiffe = (uri: string) => uri.startsWith("spiffe://");

/** A cert-manager Certificate that asks for client auth or a SPIFFE identity: its requester means it for mTLS. */
export const requestsMtls = (c: CertManagerCertificate): boolean =>
  c.usages.includes("client auth") || c.uris.some(isSpiffe);

/** The Secret is one a mesh control plane signs with (cacerts, istio-ca-secret, linkerd-identity-issuer). */
export const isMeshCaSecret = (inputs: readonly CertInput[], namespace: string, name: string): boolean =>
  inputs.some(
    (i) =>
      i.context === "ca-chain" &&
      i.source.kind === "Secret" &&
      i.source.namespace === namespace &&
      i.source.name === name,
  );
