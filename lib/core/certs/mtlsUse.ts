// Positive evidence that a certificate is mesh or client TLS material, for the self-signed warnings
// (cert.self-signed-leaf, certmanager.self-signed-issuer; docs/DECISIONS.md "Self-signed warnings need
// mTLS evidence"). An extended key usage alone is none: Helm's genSelfSignedCert sets serverAuth and
// clientAuth on every chart's webhook certificate, which the API server pins through a caBundle.
import type { ClientTlsSettings, DestinationRule, MeshModel, TrafficPolicy, Workload } from "../model/mesh";
import { selectorMatches } from "../model/read";
import { meshFor } from "../model/buildModel";
import type { CertInput, CertManagerCertificate } from "./types";

/** The Secrets Istio config names as TLS credentials, by Secret name. */
export interface CredentialUses {
  /** credentialName of a DestinationRule's MUTUAL tls: the proxy presents its tls.crt as a client certificate. */
  drClient: ReadonlySet<string>;
  /** credentialName(s) of any Gateway server: the gateway serves its tls.crt to clients. */
  gateway: ReadonlySet<string>;
  /** Those of MUTUAL and OPTIONAL_MUTUAL servers: the gateway's side of an mTLS handshake. */
  gatewayMutual: ReadonlySet<string>;
  /** "namespace/name" of Secrets a Gateway API Gateway or an Ingress serves (MeshModel.servedSecrets). */
  served: ReadonlySet<string>;
  /** Those of Gateway API Gateways that validate client certificates. */
  servedMutual: ReadonlySet<string>;
  /**
   * "namespace/name" of Secrets a meshed workload mounts into its proxy (`sidecar.istio.io/userVolume`)
   * while a DestinationRule MUTUAL that reaches it names client certificate files: Istio's mutual TLS
   * origination before credentialName (the proxy presents the file as its client certificate).
   */
  mountedClient: ReadonlySet<string>;
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

/** Once per model: cert.self-signed-leaf and certmanager.self-signed-issuer both ask. */
const usesByModel = new WeakMap<MeshModel, CredentialUses>();
export function credentialUses(model: MeshModel): CredentialUses {
  let uses = usesByModel.get(model);
  if (!uses) usesByModel.set(model, (uses = buildCredentialUses(model)));
  return uses;
}

function buildCredentialUses(model: MeshModel): CredentialUses {
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
  const served = new Set<string>();
  const servedMutual = new Set<string>();
  for (const x of model.servedSecrets) {
    served.add(`${x.namespace}/${x.name}`);
    if (x.mutual) servedMutual.add(`${x.namespace}/${x.name}`);
  }
  return {
    drClient,
    gateway,
    gatewayMutual,
    served,
    servedMutual,
    mountedClient: mountedClientSecrets(model),
  };
}

/** A DestinationRule MUTUAL with file paths (clientCertificate, no credentialName) somewhere in it. */
function hasFileMutual(dr: DestinationRule): boolean {
  const file = (t: ClientTlsSettings | null) =>
    t?.mode === "MUTUAL" && !t.credentialName && !!t.clientCertificate;
  const policy = (p: TrafficPolicy | null) =>
    !!p && (file(p.tls) || p.portLevelSettings.some((l) => file(l.tls)));
  return policy(dr.trafficPolicy) || dr.subsets.some((x) => policy(x.trafficPolicy));
}

/**
 * Whether the workload's proxy may read the DestinationRule: its own or the root namespace's, or one
 * exported to it (unset exportTo taken as everywhere), and a workloadSelector, if any, selects it. Wider
 * than Istio's merge (destinationRule.ts consolidate), which only narrows the evidence's reach.
 */
function reaches(dr: DestinationRule, w: Workload, rootNamespace: string): boolean {
  if (dr.workloadSelector && !selectorMatches(dr.workloadSelector, w.labels)) return false;
  if (dr.namespace === w.namespace || dr.namespace === rootNamespace) return true;
  return dr.exportTo.length === 0 || dr.exportTo.includes("*") || dr.exportTo.includes(w.namespace);
}

/** The Secret names in a `sidecar.istio.io/userVolume` annotation: a JSON map of name → Volume, or (older) a list of Volumes. */
function userVolumeSecrets(annotation: string | undefined): string[] {
  if (!annotation) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(annotation);
  } catch {
    return [];
  }
  const volumes = Array.isArray(parsed)
    ? parsed
    : parsed && typeof parsed === "object"
      ? Object.values(parsed)
      : [];
  const out: string[] = [];
  for (const v of volumes) {
    const name = (v as { secret?: { secretName?: unknown } } | null)?.secret?.secretName;
    if (typeof name === "string" && name) out.push(name);
  }
  return out;
}

function mountedClientSecrets(model: MeshModel): Set<string> {
  const out = new Set<string>();
  const fileDrs = model.destinationRules.filter(hasFileMutual);
  if (fileDrs.length === 0) return out;
  for (const w of model.workloads) {
    if (w.dataplane !== "sidecar") continue;
    const secrets = userVolumeSecrets(w.annotations["sidecar.istio.io/userVolume"]);
    if (secrets.length === 0) continue;
    const root = meshFor(model, w.revision).rootNamespace;
    if (fileDrs.some((dr) => reaches(dr, w, root)))
      for (const name of secrets) out.add(`${w.namespace}/${name}`);
  }
  return out;
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
