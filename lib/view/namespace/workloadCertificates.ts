// The certificates one workload holds, for the workload panel. Matched on the owner lib/core recorded
// (owner.workload, set from the model's pod → workload resolution when the proxy's pod was read), in
// the same namespace, exactly: never by pod-name prefix, which made workload "cart" claim the
// certificates of "cart-worker-…" pods. A certificate whose pod could not be resolved to a workload
// (owner without `workload`) belongs to no workload panel; it still shows in the namespace's list.
import type { Certificate, SnapshotWorkload } from "../../core/snapshot/schema";

export function workloadCertificates(
  certs: Certificate[],
  w: Pick<SnapshotWorkload, "namespace" | "name">,
): Certificate[] {
  return certs
    .filter((c) => c.owner !== null && c.owner.namespace === w.namespace && c.owner.workload === w.name)
    .sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.id.localeCompare(b.id));
}
