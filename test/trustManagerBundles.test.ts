// trust-manager Bundle targets (reviews/fp3.md #3): the ConfigMaps a Bundle writes, labelled
// trust.cert-manager.io/bundle=<name> in every namespace its target selects, are CA bundles: a root
// that only trust-manager distributes is a certificate (one, whatever the number of namespaces) and
// its expiry is reported. Real certificates made here (test/pki.ts).
import { describe, expect, it } from "vitest";
import { makeBareRoot } from "./pki";
import { analyzeAll, at, certOf, codesFor, D, namespace } from "./support/certScenario";

const target = (ns: string, pem: string, labels: Record<string, string>, key = "trust-bundle.pem") => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "partner-bundle", namespace: ns, labels },
  data: { [key]: pem },
});
const BUNDLE = { "trust.cert-manager.io/bundle": "partner-bundle" };
const NAMESPACES = ["web", "shop", "pay"];

describe("trust-manager Bundle targets", () => {
  it("a root expiring in 10 days, distributed to three namespaces: one root certificate, cert.expiring", async () => {
    const root = await makeBareRoot("CN=Partner Root,O=Partner", at(-700 * D), at(10 * D));
    const s = analyzeAll(
      [...NAMESPACES.map((n) => namespace(n)), ...NAMESPACES.map((n) => target(n, root.pem, BUNDLE))],
      [],
    );
    expect(s.certificates).toHaveLength(1);
    expect(certOf(s, root.pem)).toMatchObject({
      role: "root",
      source: { kind: "ConfigMap", name: "partner-bundle" },
    });
    expect(certOf(s, root.pem).sources.map((x) => x.namespace)).toEqual(["pay", "shop", "web"]);
    expect(codesFor(s, root.pem)).toContain("cert.expiring");
  });

  it("any key of the target (spec.target.configMap.key is the Bundle's choice)", async () => {
    const root = await makeBareRoot("CN=Partner Root,O=Partner", at(-700 * D), at(10 * D));
    const s = analyzeAll([namespace("web"), target("web", root.pem, BUNDLE, "ca-certificates.crt")], []);
    expect(codesFor(s, root.pem)).toContain("cert.expiring");
  });

  it("near miss: the same ConfigMap without the trust-manager label is not read", async () => {
    const root = await makeBareRoot("CN=Partner Root,O=Partner", at(-700 * D), at(10 * D));
    const s = analyzeAll([namespace("web"), target("web", root.pem, {})], []);
    expect(s.certificates).toEqual([]);
  });

  it("near miss: a healthy root in a Bundle target gives no finding", async () => {
    const root = await makeBareRoot("CN=Partner Root,O=Partner", at(-700 * D), at(3000 * D));
    const s = analyzeAll([namespace("web"), target("web", root.pem, BUNDLE)], []);
    expect(certOf(s, root.pem).role).toBe("root");
    expect(codesFor(s, root.pem)).toEqual([]);
  });
});
