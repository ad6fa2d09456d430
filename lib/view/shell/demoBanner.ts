// The demo banner's text for a page path: every page that shows the embedded demo says so, and when the
// default cluster (the demo, or the pod's own cluster) stands in for the kubeconfig's current context, the
// overview and that cluster's pages say which context and why: it did not answer, or its name is not
// usable (lib/view/clusterName.ts).
import { quotedClusterName } from "../clusterName";

/**
 * Why the kubeconfig's current context is not the default: it did not answer the start-up probe (its
 * entry is reachable=false with the reason), its credentials could not be obtained for it, or its name fails the cluster-name rule (lib/view/clusterName.ts;
 * it is not listed, and `errors` names it too). lib/server/types.ts re-exports it.
 */
export interface DefaultFallbackFrom {
  /** The kubeconfig's current context. */
  context: string;
  reason: string;
  cause: "unreachable" | "credentials" | "unusable-name";
}

export interface DefaultFallback extends DefaultFallbackFrom {
  /** The cluster shown instead, and whether it is the embedded demo. */
  shown: string;
  shownIsDemo: boolean;
}

export function demoBannerText(
  path: string,
  demoClusters: string[],
  fallback: DefaultFallback | null,
): string | null {
  const cluster = /^\/c\/([^/]+)/.exec(path)?.[1];
  const clusterName = cluster === undefined ? undefined : safeDecode(cluster);
  const sample =
    clusterName !== undefined
      ? demoClusters.includes(clusterName)
        ? `Demo cluster "${clusterName}": generated sample data, not a live cluster.`
        : null
      : demoClusters.length > 0
        ? `Includes the demo cluster ${demoClusters.map((c) => `"${c}"`).join(", ")}: generated sample data, not a live cluster.`
        : null;
  const why =
    fallback && (clusterName === undefined || clusterName === fallback.shown) ? fallbackText(fallback) : null;
  return why && sample ? `${why} ${sample}` : (why ?? sample);
}

function fallbackText(f: DefaultFallback): string {
  return `Your current context ${quotedClusterName(f.context)} ${fallbackWhat(f.cause)} (${f.reason}); showing ${f.shownIsDemo ? "the embedded demo" : `"${f.shown}"`}.`;
}

/** What happened to the current context, in the banner and the server's start-up log line. */
export function fallbackWhat(cause: DefaultFallbackFrom["cause"]): string {
  if (cause === "unusable-name") return "is not usable as a cluster name";
  if (cause === "credentials") return "got no credentials";
  return "did not answer";
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
