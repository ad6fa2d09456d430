import { describe, expect, it } from "vitest";
import { readCluster } from "./apiParams";
import { clusterNameProblem, quotedClusterName } from "./clusterName";
import { namespacePath } from "./urlState";

// Kubeconfig context names are free strings: these are all real shapes (EKS ARNs, GKE ids, names a
// person typed).
const VALID = [
  "demo",
  "kind-prod",
  "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
  "gke_my-project_europe-west1-b_prod",
  "prod (eu-west)",
  "équipe-prod",
  "本番",
  "a/b",
  "100%",
  "a%41",
  "q?x#y&z=1",
  "a+b c",
  "x".repeat(253),
  "😀",
  // Format characters that are part of how a name is written (reviews/http2.md #5): they render as part
  // of the word and round-trip through every encoding.
  "👩\u200d💻-dev", // ZWJ emoji sequence
  "dev-👩\u200d💻",
  "می\u200cخواهم-prod", // ZWNJ: ordinary Persian spelling
  "क्\u200dष-prod", // ZWJ in Devanagari
  "soft\u00adhyphen",
  "a\u200bb", // zero-width space inside
  "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}-prod", // a subdivision flag: tag characters
  "prod-🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
  "prod-❤\ufe0f",
];

const INVALID: [string, RegExp][] = [
  ["", /empty/],
  ["x".repeat(254), /longer than 253/],
  [".", /dot segment/],
  ["..", /dot segment/],
  [" demo", /white space/],
  ["demo\u00a0", /white space/],
  ["a\nb", /holds U\+000A, a control character/],
  ["a\u0000b", /holds U\+0000, a control character/],
  ["a\u0085b", /holds U\+0085, a control character/],
  ["a\u202eb", /holds U\+202E, a bidirectional control/], // right-to-left override: shows another name
  ["a\u202ab", /holds U\+202A, a bidirectional control/],
  ["a\u2066b", /holds U\+2066, a bidirectional control/],
  ["a\u2069b", /holds U\+2069, a bidirectional control/],
  ["a\u200eb", /holds U\+200E, a bidirectional control/],
  ["a\u061cb", /holds U\+061C, a bidirectional control/],
  ["a\u2028b", /holds U\+2028, a line or paragraph separator/],
  ["a\u2029b", /holds U\+2029, a line or paragraph separator/],
  ["a\ud800b", /holds U\+D800, a lone surrogate/], // a lone surrogate does not survive percent-encoding
  // Invisible at either end, like white space: "demo" and "demo\u200d" would look the same in a list.
  ["demo\u200d", /starts or ends with white space or an invisible character/],
  ["\u00addemo", /starts or ends with white space or an invisible character/],
  ["\ufeffdemo", /starts or ends with white space or an invisible character/],
  ["\u200cdemo", /starts or ends with white space or an invisible character/],
];

describe("clusterNameProblem", () => {
  it.each(VALID)("accepts %j", (name) => {
    expect(clusterNameProblem(name)).toBeNull();
  });

  it.each(INVALID)("refuses %j", (name, why) => {
    expect(clusterNameProblem(name)).toMatch(why);
  });

  it("every valid name round-trips through the API's query and the page's path", () => {
    for (const name of VALID) {
      const query = new URLSearchParams({ cluster: name }).toString();
      expect(readCluster(new URLSearchParams(query))).toEqual({ ok: true, value: name });
      const segment = namespacePath(name, "shop").split("/")[2]!;
      expect(decodeURIComponent(segment)).toBe(name);
      // A path segment never reads as a dot segment or a second segment.
      expect(segment).not.toMatch(/^\.\.?$|\//);
    }
  });

  it("quotedClusterName shows every refused character as an escape, so a message cannot be flipped by it", () => {
    expect(quotedClusterName("a\u202eb\u0007c\u0085\u2028")).toBe('"a\\u202Eb\\u0007c\\u0085\\u2028"');
    // Near miss: an accepted name is shown as it is.
    expect(quotedClusterName('👩\u200d💻 "équipe"')).toBe('"👩\u200d💻 \\"équipe\\""');
  });

  it("readCluster refuses what the listing leaves out, naming the parameter and why", () => {
    // (Not "" — absent means the default cluster — nor the lone surrogate, which URLSearchParams itself
    // turns into U+FFFD: a query cannot carry it.)
    for (const [name, why] of INVALID.filter(([n]) => n !== "" && !/\p{Cs}/u.test(n))) {
      const r = readCluster(new URLSearchParams({ cluster: name }));
      expect(r.ok, JSON.stringify(name)).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatchObject({ status: 400, code: "invalid-cluster" });
        expect(r.error.message).toMatch(/^parameter "cluster": /);
        expect(r.error.message).toMatch(why);
      }
    }
  });
});
