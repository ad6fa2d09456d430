// GET /api/v1/clusters (contract §3): the configured clusters (kubeconfig contexts, in-cluster, demo),
// their reachability (null until first read) and which one is the default; `errors` says why a kubeconfig
// file could not be used (its contexts are missing from `clusters`).
import { failure, json, getOnlyRoute } from "../../../../lib/server/apiRoute";
import { kubeconfigErrors, listClusters } from "../../../../lib/server/snapshots";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    return json({ clusters: await listClusters(), errors: kubeconfigErrors() });
  } catch (e) {
    return failure(e);
  }
}

// Any other method: the API's 405 with Allow (apiRoute.getOnlyRoute).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = getOnlyRoute();
