// Linkerd's default-policy values, shared by the Server reader, its admission checks and the inbound
// policy (a leaf module: linkerdPolicy.ts imports linkerdAdmission.ts, so neither can hold them for both).

/** The values Linkerd accepts (policy controller DefaultPolicy::from_str, k8s/index/src/defaults.rs); any other is ignored, or refused by admission. */
export const LINKERD_POLICIES: ReadonlySet<string> = new Set([
  "all-unauthenticated",
  "all-authenticated",
  "cluster-authenticated",
  "cluster-unauthenticated",
  "deny",
  "audit",
]);

/** The values that admit unauthenticated callers (cluster-unauthenticated from clusterNetworks, which every pod of the cluster is taken to be in). */
export const ADMITS_UNAUTHENTICATED: ReadonlySet<string> = new Set([
  "all-unauthenticated",
  "cluster-unauthenticated",
  "audit",
]);
