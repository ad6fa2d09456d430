// Callers Istio could not name but whose certificate it read (docs/DECISIONS.md, "Unknown callers that
// present mesh certificates"). A server-side series (reporter destination or waypoint) says source_workload="unknown" when no peer
// metadata was exchanged (server-first TCP such as MongoDB or MySQL: istio/istio#23991, #31034), yet
// with connection_security_policy="mutual_tls" its source_principal is the URI SAN of the certificate the
// caller presented (istio.md §7.1). Such a caller has a proxy; which workload it is, the principal tells
// only when exactly one meshed workload runs as that service account, under the trust domain its own
// revision issues, and the series cannot be another cluster's (otherClusterWhy).
import type { MeshModel, Workload } from "../model/mesh";
import { meshFor } from "../model/buildModel";

/** An Istio identity, as istio/istio pkg/spiffe/spiffe.go `ParseIdentity` splits it. */
export interface SpiffeIdentity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

const PREFIX = "spiffe://";

/**
 * `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`, or null. Exactly as `ParseIdentity`:
 * five "/"-separated parts after the prefix, the second "ns" and the fourth "sa" (empty parts are not
 * rejected there, and a workload's service account is never empty, so they match nothing here).
 */
export function parseSpiffeIdentity(s: string): SpiffeIdentity | null {
  if (!s.startsWith(PREFIX)) return null;
  const parts = s.slice(PREFIX.length).split("/");
  if (parts.length !== 5 || parts[1] !== "ns" || parts[3] !== "sa") return null;
  return { trustDomain: parts[0]!, namespace: parts[2]!, serviceAccount: parts[4]! };
}

/**
 * The trust domains whose identities are this mesh's: every revision's `trustDomain` and its
 * `trustDomainAliases` (a server sidecar accepts client SPIFFE IDs only under those, istio.md §9.11).
 * Any revision's, since the destination's istiod is not known per sample and revisions share a CA.
 */
export function meshTrustDomains(model: MeshModel): ReadonlySet<string> {
  const out = new Set<string>();
  for (const mesh of [model.mesh, ...model.meshByRevision.values()]) {
    out.add(mesh.trustDomain);
    for (const alias of mesh.trustDomainAliases) out.add(alias);
  }
  return out;
}

/**
 * A workload that can hold an Istio certificate for its service account: a sidecar or ambient pod, or
 * a WorkloadEntry with a service account (its VM runs a proxy, as buildEdges `clientFor` takes it).
 */
const holdsMeshCertificate = (w: Workload) =>
  w.dataplane === "sidecar" || w.dataplane === "ambient" || (w.entry !== null && w.serviceAccount !== "");

/** The workload a principal names, or why it names none (a phrase for the edge's reason). */
export type PrincipalCaller = { workload: Workload; why: null } | { workload: null; why: string };

/**
 * The one meshed workload of the principal's namespace that runs as its service account, when that
 * workload could have presented it: a certificate carries its own revision's `trustDomain` (istiod signs
 * the CSR's SPIFFE ID under it), never an alias. A principal under an alias (a peer cluster's or a
 * federated identity, or one issued before a trust-domain migration) or of another trust domain is
 * never this cluster's workload: the same namespace and service account there is another identity.
 */
export function principalCaller(
  model: MeshModel,
  trustDomains: ReadonlySet<string>,
  principal: string,
): PrincipalCaller {
  if (principal === "" || principal === "unknown") return { workload: null, why: "no source_principal" };
  const id = parseSpiffeIdentity(principal);
  if (id === null) return { workload: null, why: "not a SPIFFE ID" };
  if (!trustDomains.has(id.trustDomain))
    return {
      workload: null,
      why: `trust domain ${id.trustDomain} is not the mesh's (${[...trustDomains].sort().join(", ")})`,
    };
  if (!issuedTrustDomains(model).has(id.trustDomain))
    return {
      workload: null,
      why: `trust domain alias ${id.trustDomain}: a peer cluster's identity or a certificate issued before a trust-domain migration`,
    };
  const runAs = (model.workloadsByNamespace.get(id.namespace) ?? []).filter(
    (w) => w.serviceAccount === id.serviceAccount && holdsMeshCertificate(w),
  );
  const sa = `service account ${id.namespace}/${id.serviceAccount}`;
  if (runAs.length === 0) return { workload: null, why: `no meshed workload in the inputs runs as ${sa}` };
  if (runAs.length > 1) {
    const names = runAs.map((w) => w.name).sort();
    return { workload: null, why: `${runAs.length} workloads run as ${sa} (${names.join(", ")})` };
  }
  const w = runAs[0]!;
  const own = meshFor(model, w.revision).trustDomain;
  if (own !== id.trustDomain)
    return {
      workload: null,
      why: `trust domain ${id.trustDomain} is not the one ${w.namespace}/${w.name}'s revision issues (${own})`,
    };
  return { workload: w, why: null };
}

/** The trust domains some revision issues certificates under (aliases left out). */
function issuedTrustDomains(model: MeshModel): ReadonlySet<string> {
  return new Set([model.mesh, ...model.meshByRevision.values()].map((m) => m.trustDomain));
}

/**
 * Why a series' principal must not be pinned on a local workload whatever it names, or null: the series
 * says it came from another cluster (`source_cluster` differs from this cluster's ID, known from istiod's
 * CLUSTER_ID or the destination's own `destination_cluster`), or it does not say and the inputs show a
 * multi-cluster mesh, where the same namespace and service account in another cluster share the principal.
 */
export function otherClusterWhy(
  model: MeshModel,
  sourceCluster: string | undefined,
  destinationCluster: string | undefined,
): string | null {
  const src = sourceCluster && sourceCluster !== "unknown" ? sourceCluster : null;
  const dst = destinationCluster && destinationCluster !== "unknown" ? destinationCluster : null;
  const multi = model.clusters.multiCluster;
  // Only a configured cluster ID names this cluster in a mesh that shows several: with a shared
  // Prometheus, another cluster's own series say source_cluster = destination_cluster = that cluster.
  const here = model.clusters.id ?? (multi === null ? dst : null);
  if (src !== null && here !== null)
    return src === here ? null : `source_cluster ${src} is not this cluster (${here})`;
  if (multi === null) return null;
  if (src !== null)
    return `the mesh spans clusters (${multi}) and the inputs name no cluster ID, so source_cluster ${src} may be another cluster: the same namespace and service account elsewhere share its principal`;
  return `the mesh spans clusters (${multi}) and the series does not say which cluster the caller is in: the same namespace and service account elsewhere share its principal`;
}

/** At most this many principals are named in a reason; the rest are counted. */
const NAMED = 3;

/** "<principal> (<why it names no workload>)", sorted, for the reason and fix of an unknown caller's edge. */
export function principalsPhrase(principals: ReadonlyMap<string, string | null>): string {
  const sorted = [...principals.keys()].sort();
  const named = sorted.slice(0, NAMED).map((p) => {
    const why = principals.get(p) ?? null;
    const who = p === "" ? "callers without a source_principal" : p;
    return why === null || p === "" ? who : `${who} (${why})`;
  });
  const more = sorted.length - named.length;
  return named.join(", ") + (more > 0 ? ` and ${more} more` : "");
}
