// What a cluster name may be (contract §3, §4): the one rule for the clusters the server lists
// (kubeconfig contexts, lib/server/kube/clusters.ts) and the names every route and page accepts
// (`cluster=`, /c/<cluster>/…). Kubeconfig context names are free strings ("prod (eu-west)",
// "équipe-prod", EKS ARNs with "/", "👩‍💻-dev"), so any printable text is a name; what is refused is
// what cannot be carried in a link, or reads as another name:
// - a dot segment ("." or ".."): URL parsers resolve it away in /c/<cluster>/ns/… even percent-encoded;
// - control characters, line and paragraph separators (they break the line the name is shown on);
// - lone surrogates (a lone surrogate does not survive percent-encoding);
// - bidirectional controls (an override or isolate shows another name than the one used);
// - white space or an invisible character at either end (invisible in every list);
// - more than 253 characters (a bound on what a link carries and an error message echoes).
// Other format characters are part of how names are written and stay: a zero-width joiner (emoji
// sequences, Indic conjuncts), a non-joiner (Persian), a soft hyphen, tag characters (subdivision flags).
// A listed name therefore always round-trips through encodeURIComponent and URLSearchParams.
export const MAX_CLUSTER_NAME = 253;

/** Unicode's bidirectional formatting characters (UAX #9 §2): ALM, LRM, RLM, LRE…RLO, LRI…PDI. */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const REFUSED: [RegExp, string][] = [
  [/\p{Cc}/u, "a control character"],
  [/[\p{Zl}\p{Zp}]/u, "a line or paragraph separator"],
  [/\p{Cs}/u, "a lone surrogate, which a link cannot carry"],
  [BIDI_CONTROL, "a bidirectional control, which can show another name than the one used"],
];
/** Any character REFUSED names. */
const ANY_REFUSED = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
/**
 * White space or a format character at either end. A tag character (U+E0020–U+E007F) ends a subdivision
 * flag, so it may end a name: it belongs to the emoji before it.
 */
const INVISIBLE_END = /^[\s\p{Cf}]|(?:\s|(?![\u{e0020}-\u{e007f}])\p{Cf})$/u;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why `name` cannot be a cluster name, or null when it can. */
export function clusterNameProblem(name: string): string | null {
  if (name === "") return "empty";
  if (name.length > MAX_CLUSTER_NAME) return `longer than ${MAX_CLUSTER_NAME} characters`;
  if (name === "." || name === "..") return "a dot segment (. or ..), which a link cannot carry";
  for (const [re, what] of REFUSED) {
    const hit = re.exec(name);
    if (hit) return `holds ${codePoint(hit[0])}, ${what}`;
  }
  if (INVISIBLE_END.test(name)) return "starts or ends with white space or an invisible character";
  return null;
}

/**
 * `name` in quotes for a message, with every character the rule refuses written as `\uXXXX`: a refused
 * name is shown in logs, in /api/v1/clusters `errors` and in the banner, where a right-to-left override
 * would flip the rest of the line.
 */
export function quotedClusterName(name: string): string {
  return JSON.stringify(name).replace(
    ANY_REFUSED,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
}
