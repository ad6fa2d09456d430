// trust-manager Bundle targets (reviews/fp3.md #3): the ConfigMaps a Bundle writes, labelled
// trust.cert-manager.io/bundle=<name> in every namespace its target selects, are CA bundles: a root
// that only trust-manager distributes is a certificate (one, whatever the number of namespaces) and
// its expiry is reported. Real certificates made here (test/pki.ts).
import { describe, expect, it } from "vitest";
import { makeBareRoot } from "./pki";
import { analyzeAll, at, certOf, codesFor, D, namespace, secret } from "./support/certScenario";

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

  it("a Secret target (spec.target.secret) of any type: read, one certificate, cert.expiring", async () => {
    const root = await makeBareRoot("CN=Partner Root,O=Partner", at(-700 * D), at(10 * D));
    const s = analyzeAll(
      [
        namespace("web"),
        {
          ...secret("web", "partner-bundle", { "bundle.pem": root.pem }),
          metadata: { name: "partner-bundle", namespace: "web", labels: BUNDLE },
        },
      ],
      [],
    );
    expect(certOf(s, root.pem)).toMatchObject({
      role: "root",
      source: { kind: "Secret", key: "bundle.pem" },
    });
    expect(codesFor(s, root.pem)).toContain("cert.expiring");
  });

  it("the ca.crt of an Opaque Secret (a root kept after a re-issue): read, cert.expiring", async () => {
    const root = await makeBareRoot("CN=Old Root,O=Acme", at(-700 * D), at(10 * D));
    const s = analyzeAll(
      [namespace("cert-manager"), secret("cert-manager", "example-root-ca-previous", { "ca.crt": root.pem })],
      [],
    );
    expect(certOf(s, root.pem)).toMatchObject({ role: "root", source: { kind: "Secret", key: "ca.crt" } });
    expect(codesFor(s, root.pem)).toContain("cert.expiring");
  });

  it("near miss: an unlabelled Opaque Secret's other keys are not read (nor kept)", async () => {
    const root = await makeBareRoot("CN=Partner Root,O=Partner", at(-700 * D), at(10 * D));
    const s = analyzeAll([namespace("web"), secret("web", "app-config", { "bundle.pem": root.pem })], []);
    expect(s.certificates).toEqual([]);
  });
});
