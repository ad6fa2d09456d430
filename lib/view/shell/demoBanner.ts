// The demo banner's text for a page path: every page that shows the embedded demo says so, and when the
// demo stands in for the kubeconfig's current context (which did not answer), it says which and why.

export interface DemoFallback {
  context: string;
  reason: string;
}

export function demoBannerText(path: string, demoClusters: string[], fallback: DemoFallback | null): string | null {
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
  if (!sample || !fallback) return sample;
  return `Your current context "${fallback.context}" did not answer (${fallback.reason}); showing the embedded demo. ${sample}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
