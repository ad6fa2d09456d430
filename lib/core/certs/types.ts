// Certificates as the analysis sees them. Readers (sources/*) turn Kubernetes objects and proxy
// config dumps into CertInputs — the certificates' DER with where it was found and what the place says it
// is — and never keep a private key. The certificate analysis parses, deduplicates by fingerprint,
// verifies chains against the trust bundle in use, and derives roles, owners and rotation points.
import type { Certificate } from "../snapshot/schema";

export type CertSource = Certificate["source"];

/** What the place a certificate was found in says about it (drives its role and its chain). */
export type CertContext =
  /** A chain presented by a workload: leaf first, then intermediates (Envoy SDS `default`, ztunnel certChain). */
  | "workload-chain"
  /** The trust bundle a proxy or namespace verifies peers with (SDS ROOTCA, istio-ca-root-cert, ztunnel rootCerts, SPIFFE validator bundles). */
  | "trust-bundle"
  /** A CA chain a control plane signs with (cacerts ca-cert.pem/cert-chain.pem, istio-ca-secret ca-cert.pem, Linkerd issuer). */
  | "ca-chain"
  /** Roots a control plane distributes (cacerts root-cert.pem, Linkerd trust roots, SPIRE bundle). */
  | "root-bundle"
  /** A TLS serving/client chain from a kubernetes.io/tls Secret (gateway credentials, cert-manager output). */
  | "tls-chain"
  /** The CA certificate published next to a TLS chain (ca.crt). */
  | "tls-ca";

export type MeshKind = "istio" | "linkerd" | "spire" | "cert-manager" | "other";

export interface CertInput {
  source: CertSource;
  context: CertContext;
  mesh: MeshKind;
  /** The certificates, in order, as DER: decoded from PEM and checked by the reader (sources/*, x509.ts's pemCertificates). */
  ders: Uint8Array[];
  /** Groups the inputs whose certificates verify against each other: a workload chain and the bundle it is checked with share it (e.g. "proxy:ns/pod"). */
  trustScope?: string;
  /** The workload or pod the certificate belongs to, when the place says (a proxy's own secret). */
  owner?: { namespace: string; workload?: string; pod?: string };
  /** Expected SPIFFE identity of the owner (proxy: the pod's namespace and service account). */
  expectedSpiffe?: { namespace: string; serviceAccount: string };
  /** Extra trust domains accepted here (SPIFFE validator trust_domains[], meshConfig aliases). */
  trustDomains?: string[];
  /**
   * The place says the certificate only serves TLS to the API server, which pins it: a Secret a Linkerd
   * control-plane component or extension labels as its own (its charts make their webhook and
   * APIService certificates with Helm's genSelfSignedCert and put them in the caBundle). Never
   * presented as a client certificate, whatever its extended key usage says.
   */
  servingOnly?: true;
  /** The cert-manager Certificate a Secret's `cert-manager.io/certificate-name` annotation names. */
  certificateName?: string;
  /** Where the input sits in its file, for input.invalid. */
  at?: { file: string; line?: number };
}

/** cert-manager objects, read from spec/status; their Secret carries the certificate itself. */
export interface CertManagerCertificate {
  namespace: string;
  name: string;
  secretName: string;
  issuerRef: { name: string; kind: string; group?: string };
  isCA: boolean;
  duration?: string;
  renewBefore?: string;
  renewBeforePercentage?: number;
  usages: string[];
  /** spec.commonName and the SANs the certificate is requested with (dnsNames, uris, ipAddresses; emailAddresses below). */
  commonName?: string;
  dnsNames: string[];
  uris: string[];
  ipAddresses: string[];
  /** spec.emailAddresses: rfc822Name SANs. */
  emailAddresses: string[];
  /** spec.literalSubject: the whole subject as an RFC 4514 string (cert-manager takes it instead of commonName and subject). */
  literalSubject?: string;
  /**
   * spec.renewal (cert-manager ≥ 1.21): its policy as written (RenewBefore, Disabled; undefined when
   * unset) and how many maintenance windows it lists. Absent when the spec has no `renewal`.
   */
  renewal?: { policy?: string; windows: number };
  ready: { status: "True" | "False" | "Unknown"; reason?: string; message?: string } | null;
  notBefore?: string;
  notAfter?: string;
  renewalTime?: string;
  /** The Issuing condition is True: cert-manager is (re)issuing it now. */
  issuing?: boolean;
  /** When that Issuing=True condition last changed (its lastTransitionTime): when the current issuance started. */
  issuingSince?: string;
  /** status.lastFailureTime: when the last issuance attempt failed. */
  lastFailureTime?: string;
}

export interface CertManagerIssuer {
  kind: "Issuer" | "ClusterIssuer";
  namespace?: string;
  name: string;
  type: "selfSigned" | "ca" | "acme" | "vault" | "venafi" | "other";
  ready: { status: "True" | "False" | "Unknown"; reason?: string; message?: string } | null;
}

export interface SpireServerConfig {
  namespace: string;
  name: string;
  trustDomain?: string;
  caTtlSeconds?: number;
  defaultX509SvidTtlSeconds?: number;
}
