// Exactly the kinds the core reads (lib/core/model, lib/core/certs/sources/fromObjects.ts), where the API
// serves them, and in which API versions, newest first (the reader takes the first one the cluster
// serves). deploy/clusterrole.yaml grants exactly these; keep the two in step.
import "server-only";
import { isIstioInjectorWebhookName } from "../../core/certs/controlPlaneNamespaces";

export interface KindSpec {
  kind: string;
  /** "" = the core group (/api/v1). */
  group: string;
  /** Versions to try, preferred first (istio.md: security v1 → v1beta1; networking v1 → v1beta1 → v1alpha3). */
  versions: string[];
  plural: string;
  namespaced: boolean;
  /** Objects of this kind the core ignores, dropped before they reach the loader (see SECRET_NAMES). */
  keep?: (item: Record<string, unknown>) => boolean;
  /**
   * The kind is read as several lists, one per field selector, and their union kept: the API server
   * then sends only what `keep` would keep (field selectors have no "or").
   */
  fieldSelectors?: string[];
}

// Secrets the core reads: Istio's CA (cacerts, istio-ca-secret), Linkerd's issuer, and TLS Secrets
// (cert-manager's and others'). Anything else (service-account tokens, Helm releases, app passwords) is
// dropped the moment its page is decoded, so it is never kept, scrubbed or analysed.
// They are asked for by field selector (a Secret's `type` and `metadata.name` are selectable fields,
// kubernetes pkg/registry/core/secret/strategy.go): a cluster's other Secrets (Helm keeps every release
// revision as a Secret of up to 1 MiB) would otherwise be downloaded, 500 to a page, only to be dropped,
// and a page of them can exceed what a string holds, failing the whole read. `keep` still checks each item.
const TLS_SECRET = "kubernetes.io/tls";
const SECRET_NAMES = ["cacerts", "istio-ca-secret", "linkerd-identity-issuer"];
function isCertificateSecret(item: Record<string, unknown>): boolean {
  const meta = item.metadata as { name?: unknown } | undefined;
  return item.type === TLS_SECRET || (typeof meta?.name === "string" && SECRET_NAMES.includes(meta.name));
}
const SECRET_SELECTORS = [`type=${TLS_SECRET}`, ...SECRET_NAMES.map((n) => `metadata.name=${n}`)];

// Istio's revision tags are MutatingWebhookConfigurations labelled istio.io/tag (lib/core/model/revisions.ts),
// and Istio's sidecar injector webhooks name istiod's namespace (their service; lib/core/certs/
// controlPlaneNamespaces.ts); every other webhook is dropped as soon as its page is decoded.
const isIstioWebhook = (item: Record<string, unknown>): boolean => {
  const labels = (item.metadata as { labels?: Record<string, unknown> } | undefined)?.labels;
  if (typeof labels?.["istio.io/tag"] === "string") return true;
  const hooks = Array.isArray(item.webhooks) ? (item.webhooks as unknown[]) : [];
  return hooks.some(
    (h) =>
      typeof (h as { name?: unknown } | null)?.name === "string" &&
      isIstioInjectorWebhookName((h as { name: string }).name),
  );
};

const core = (kind: string, plural: string, namespaced = true): KindSpec => ({
  kind,
  group: "",
  versions: ["v1"],
  plural,
  namespaced,
});
const istioSecurity = ["v1", "v1beta1"];
const istioNetworking = ["v1", "v1beta1", "v1alpha3"];

/** Namespace first: the per-namespace fallback after a 403 needs the namespace names. */
export const NAMESPACES: KindSpec = core("Namespace", "namespaces", false);

export const KINDS: KindSpec[] = [
  core("Pod", "pods"),
  core("Service", "services"),
  core("ConfigMap", "configmaps"),
  { ...core("Secret", "secrets"), keep: isCertificateSecret, fieldSelectors: SECRET_SELECTORS },
  { kind: "Deployment", group: "apps", versions: ["v1"], plural: "deployments", namespaced: true },
  { kind: "StatefulSet", group: "apps", versions: ["v1"], plural: "statefulsets", namespaced: true },
  { kind: "DaemonSet", group: "apps", versions: ["v1"], plural: "daemonsets", namespaced: true },
  { kind: "ReplicaSet", group: "apps", versions: ["v1"], plural: "replicasets", namespaced: true },
  { kind: "Job", group: "batch", versions: ["v1"], plural: "jobs", namespaced: true },
  { kind: "CronJob", group: "batch", versions: ["v1"], plural: "cronjobs", namespaced: true },
  {
    kind: "PeerAuthentication",
    group: "security.istio.io",
    versions: istioSecurity,
    plural: "peerauthentications",
    namespaced: true,
  },
  {
    kind: "DestinationRule",
    group: "networking.istio.io",
    versions: istioNetworking,
    plural: "destinationrules",
    namespaced: true,
  },
  {
    kind: "ServiceEntry",
    group: "networking.istio.io",
    versions: istioNetworking,
    plural: "serviceentries",
    namespaced: true,
  },
  {
    kind: "WorkloadEntry",
    group: "networking.istio.io",
    versions: istioNetworking,
    plural: "workloadentries",
    namespaced: true,
  },
  {
    kind: "Sidecar",
    group: "networking.istio.io",
    versions: istioNetworking,
    plural: "sidecars",
    namespaced: true,
  },
  // Mesh routes: which port and DestinationRule subset a sidecar's calls leave through (lib/core/model/istioObjects.ts).
  {
    kind: "VirtualService",
    group: "networking.istio.io",
    versions: istioNetworking,
    plural: "virtualservices",
    namespaced: true,
  },
  // Gateway servers: what a gateway proxy's listener on each port accepts (lib/core/resolve/gatewayListener.ts).
  {
    kind: "Gateway",
    group: "networking.istio.io",
    versions: istioNetworking,
    plural: "gateways",
    namespaced: true,
  },
  {
    kind: "Certificate",
    group: "cert-manager.io",
    versions: ["v1"],
    plural: "certificates",
    namespaced: true,
  },
  { kind: "Issuer", group: "cert-manager.io", versions: ["v1"], plural: "issuers", namespaced: true },
  {
    kind: "ClusterIssuer",
    group: "cert-manager.io",
    versions: ["v1"],
    plural: "clusterissuers",
    namespaced: false,
  },
  // Linkerd inbound policy: which meshed ports still take plaintext (lib/core/model/linkerdPolicy.ts).
  {
    kind: "Server",
    group: "policy.linkerd.io",
    versions: ["v1beta3", "v1beta2", "v1beta1", "v1alpha1"],
    plural: "servers",
    namespaced: true,
  },
  {
    kind: "AuthorizationPolicy",
    group: "policy.linkerd.io",
    versions: ["v1alpha1"],
    plural: "authorizationpolicies",
    namespaced: true,
  },
  {
    kind: "ServerAuthorization",
    group: "policy.linkerd.io",
    versions: ["v1beta1", "v1alpha1"],
    plural: "serverauthorizations",
    namespaced: true,
  },
  // An AuthorizationPolicy whose required authentication does not exist authorises nothing: read them to tell.
  {
    kind: "MeshTLSAuthentication",
    group: "policy.linkerd.io",
    versions: ["v1alpha1"],
    plural: "meshtlsauthentications",
    namespaced: true,
  },
  {
    kind: "NetworkAuthentication",
    group: "policy.linkerd.io",
    versions: ["v1alpha1"],
    plural: "networkauthentications",
    namespaced: true,
  },
  {
    kind: "MutatingWebhookConfiguration",
    group: "admissionregistration.k8s.io",
    versions: ["v1"],
    plural: "mutatingwebhookconfigurations",
    namespaced: false,
    keep: isIstioWebhook,
  },
];

/** The list path of a kind at one version, cluster-wide or in one namespace. */
export function listPath(spec: KindSpec, version: string, namespace?: string): string {
  const base = spec.group === "" ? `/api/${version}` : `/apis/${spec.group}/${version}`;
  return namespace !== undefined
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${spec.plural}`
    : `${base}/${spec.plural}`;
}
