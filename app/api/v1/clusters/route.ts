// GET /api/v1/clusters (contract §3): the configured clusters (kubeconfig contexts, in-cluster, demo),
// their reachability (null until first read) and which one is the default.
import { failure, json } from "../../../../lib/server/apiRoute";
import { listClusters } from "../../../../lib/server/snapshots";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    return json({ clusters: await listClusters() });
  } catch (e) {
    return failure(e);
  }
}
