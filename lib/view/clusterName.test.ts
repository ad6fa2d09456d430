import { describe, expect, it } from "vitest";
import { readCluster } from "./apiParams";
import { clusterNameProblem } from "./clusterName";
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
];

const INVALID: [string, RegExp][] = [
  ["", /empty/],
  ["x".repeat(254), /longer than 253/],
  [".", /dot segment/],
  ["..", /dot segment/],
  [" demo", /white space/],
  ["demo\u00a0", /white space/],
  ["a\nb", /control or format character/],
  ["a\u0000b", /control or format character/],
  ["a\u202eb", /control or format character/], // right-to-left override: shows another name
  ["a\u2028b", /control or format character/],
  ["a\ud800b", /control or format character/], // a lone surrogate does not survive percent-encoding
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
