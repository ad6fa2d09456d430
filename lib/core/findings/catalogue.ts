// The findings catalogue (shared/spec/findings.md): one entry per stable code, with its title and
// default severity. Rules look their entry up here, so a title is written once.
import type { Severity } from "../snapshot/schema";

export interface CatalogueEntry {
  title: string;
  severity: Severity;
}

export const CATALOGUE = {
  // Istio PeerAuthentication
  "pa.conflict": { title: "Conflicting PeerAuthentications: only the oldest applies", severity: "warning" },
  "pa.selector-matches-nothing": {
    title: "PeerAuthentication selector matches no workload",
    severity: "warning",
  },
  "pa.root-selector-ignored": {
    title: "PeerAuthentication with a selector in the root namespace is ignored",
    severity: "warning",
  },
  "pa.port-level-without-selector": {
    title: "portLevelMtls on a PeerAuthentication without selector",
    severity: "error",
  },
  "pa.port-not-on-workload": {
    title: "portLevelMtls names a port the workload does not have",
    severity: "warning",
  },
  "pa.no-proxy": { title: "PeerAuthentication covers only workloads without a proxy", severity: "warning" },
  "pa.disable": { title: "mTLS disabled by policy", severity: "warning" },
  "pa.permissive": { title: "Accepts plaintext (PERMISSIVE)", severity: "info" },
  "pa.ambient-disable-ignored": {
    title: "DISABLE on an ambient workload: ztunnel has none and treats it as PERMISSIVE",
    severity: "warning",
  },
  "mesh.no-strict": { title: "No mesh-wide STRICT PeerAuthentication", severity: "info" },
  // Istio DestinationRule
  "dr.tls-without-mode": {
    title: "DestinationRule tls block without mode means plaintext",
    severity: "warning",
  },
  "dr.port-settings-drop-tls": {
    title: "Port-level settings without tls drop the top-level TLS",
    severity: "warning",
  },
  "dr.mutual-missing-certs": { title: "MUTUAL TLS without client certificate", severity: "error" },
  "dr.credential-name-plaintext": {
    title: "credentialName without workloadSelector: sidecars send plaintext",
    severity: "error",
  },
  "dr.insecure-skip-verify": { title: "Server certificate verification is skipped", severity: "warning" },
  "dr.non-istio-tls-to-mesh": { title: "Own TLS towards workloads with Istio proxies", severity: "warning" },
  "dr.host-not-found": {
    title: "DestinationRule host matches no Service or ServiceEntry",
    severity: "warning",
  },
  "dr.duplicate-host": {
    title: "Several DestinationRules for one host in one namespace",
    severity: "warning",
  },
  "dr.shadowed": { title: "DestinationRule shadowed by one consulted first", severity: "warning" },
  "dr.subset-only-tls": { title: "TLS set only on subsets", severity: "info" },
  // Edges
  "edge.plaintext-to-strict": { title: "Plaintext client calls a STRICT server", severity: "error" },
  "edge.mtls-to-no-proxy": { title: "Istio mTLS sent to endpoints without a proxy", severity: "error" },
  "edge.mtls-to-disable": { title: "DestinationRule forces mTLS to a DISABLE port", severity: "error" },
  "edge.auto-mtls-namespace-disable": {
    title: "Namespace DISABLE makes auto mTLS send plaintext to a STRICT workload",
    severity: "error",
  },
  "edge.tls-mismatch": { title: "Own TLS towards an Istio server", severity: "error" },
  "edge.plaintext": { title: "Plaintext edge in the mesh", severity: "warning" },
  "edge.observed-mismatch": { title: "Observed traffic contradicts the prediction", severity: "warning" },
  "edge.passthrough": { title: "Traffic through PassthroughCluster is plaintext", severity: "warning" },
  // Workloads and namespaces
  "workload.no-proxy": { title: "Workload without a proxy in a meshed namespace", severity: "warning" },
  "workload.tlsmode-without-proxy": {
    title: "tlsMode=istio label on a pod without istio-proxy",
    severity: "error",
  },
  "workload.capture-excluded-port": {
    title: "Port excluded from capture accepts plaintext",
    severity: "warning",
  },
  "namespace.not-injected": { title: "Namespace without a data plane", severity: "info" },
  // Certificates
  "cert.expired": { title: "Certificate expired", severity: "error" },
  "cert.not-yet-valid": { title: "Certificate not yet valid", severity: "error" },
  "cert.expiring": { title: "Certificate expiring soon", severity: "warning" },
  "cert.rotation-overdue": { title: "Certificate rotation overdue", severity: "warning" },
  "cert.lifetime-too-long": {
    title: "Workload identity certificate lives longer than 24 h",
    severity: "warning",
  },
  "cert.chain-invalid": { title: "Certificate chain does not verify", severity: "error" },
  "cert.root-mismatch": { title: "Proxy root differs from the mesh root", severity: "error" },
  "cert.outlives-issuer": { title: "Certificate outlives its issuer", severity: "warning" },
  "cert.self-signed-leaf": { title: "Self-signed leaf used for mTLS", severity: "warning" },
  "cert.identity-mismatch": { title: "SPIFFE ID does not match the pod", severity: "error" },
  "cert.trust-domain-mismatch": { title: "SPIFFE trust domain not trusted by the mesh", severity: "error" },
  "cert.weak-crypto": { title: "Weak certificate cryptography", severity: "warning" },
  "cert.missing-mtls-usage": { title: "Certificate lacks clientAuth/serverAuth usage", severity: "warning" },
  "cert.invalid": { title: "Certificate does not parse", severity: "error" },
  // cert-manager, Linkerd, SPIRE
  "certmanager.not-ready": { title: "cert-manager resource not Ready", severity: "error" },
  "certmanager.renew-before-too-large": { title: "renewBefore not shorter than duration", severity: "error" },
  "certmanager.self-signed-issuer": {
    title: "Certificate issued directly by a SelfSigned issuer",
    severity: "warning",
  },
  "linkerd.skip-port": { title: "Linkerd skip ports are never mTLS", severity: "warning" },
  "linkerd.unauthenticated-default": {
    title: "Linkerd accepts plaintext from unmeshed clients",
    severity: "info",
  },
  "linkerd.stale-trust-bundle": { title: "Pod trusts a stale Linkerd trust bundle", severity: "warning" },
  "spire.svid-ttl-too-long": { title: "SPIRE SVID TTL too long for the CA TTL", severity: "warning" },
  // Visibility and input
  "access.forbidden": { title: "Could not read (forbidden)", severity: "info" },
  "access.proxy-unreachable": { title: "Proxy secrets could not be read", severity: "warning" },
  "input.invalid": { title: "Input does not parse", severity: "error" },
} as const satisfies Record<string, CatalogueEntry>;

export type FindingCode = keyof typeof CATALOGUE;
