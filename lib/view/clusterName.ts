// What a cluster name may be (contract §3, §4): the one rule for the clusters the server lists
// (kubeconfig contexts, lib/server/kube/clusters.ts) and the names every route and page accepts
// (`cluster=`, /c/<cluster>/…). Kubeconfig context names are free strings ("prod (eu-west)",
// "équipe-prod", EKS ARNs with "/"), so any printable text is a name; what is refused is what cannot
// be carried in a link, or reads as another name:
// - a dot segment ("." or ".."): URL parsers resolve it away in /c/<cluster>/ns/… even percent-encoded;
// - control and format characters, line separators and lone surrogates (a lone surrogate does not
//   survive percent-encoding; a right-to-left override shows another name than the one used);
// - white space at either end (invisible in every list);
// - more than 253 characters (a bound on what a link carries and an error message echoes).
// A listed name therefore always round-trips through encodeURIComponent and URLSearchParams.
export const MAX_CLUSTER_NAME = 253;

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Why `name` cannot be a cluster name, or null when it can. */
export function clusterNameProblem(name: string): string | null {
  if (name === "") return "empty";
  if (name.length > MAX_CLUSTER_NAME) return `longer than ${MAX_CLUSTER_NAME} characters`;
  if (name === "." || name === "..") return "a dot segment (. or ..), which a link cannot carry";
  if (UNPRINTABLE.test(name)) return "holds a control or format character";
  if (/^\s|\s$/.test(name)) return "starts or ends with white space";
  return null;
}
