// Fixes from the third review of Linkerd, cert-manager and SPIRE support (reviews/meshes3.md; docs/
// DECISIONS.md, "Second review (reviews/meshes2.md)"): the link between a cert-manager Certificate
// whose Secret is not among the inputs and a certificate read by another route is one-to-one, and IP
// SANs are compared by address. Certificates come from a real PKI made here (test/pki.ts).
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { MeshSnapshot } from "../lib/core/snapshot/schema";
import { namespace } from "./kit";
import { makeCustomCa, type CustomCert } from "./pki";
// The review's probe p2: the clock (NOW), and the validity both look-alike CAs share (NB..NA).
import { analyse, copiedLeaf, NA, NB } from "./support/certManagerCopy";

const READY = {
  type: "Ready",
  status: "True",
  reason: "Ready",
  message: "Certificate is up to date and has not expired",
};
const status = (renewalTime: string, nb = NB, na = NA) => ({
  conditions: [READY],
  notBefore: nb.toISOString(),
  notAfter: na.toISOString(),
  renewalTime,
  revision: 3,
});
function caCertificate(
  ns: string,
  name: string,
  st: Record<string, unknown>,
  commonName = "shared-ca",
): KubeObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { namespace: ns, name },
    spec: {
      isCA: true,
      commonName,
      secretName: "ca",
      duration: "936h",
      issuerRef: { name: "selfsigned", kind: "ClusterIssuer" },
    },
    status: st,
  };
}
const trustRoots = (bundle: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
  data: { "ca-bundle.crt": bundle },
});
const OVERDUE = "2026-11-27T00:00:00Z";
const AHEAD = "2026-12-05T00:00:00Z";
const namespaces = (...names: string[]) => ["linkerd", ...names].map((n) => namespace(n));

/** Each finding as code, severity, whether it is on a certificate, and the Certificates it names. */
const summary = (s: MeshSnapshot) =>
  s.findings
    .filter((f) => f.code.startsWith("cert."))
    .map(
      (f) =>
        `${f.code} ${f.severity} ${f.certificate ? "certificate" : "status"} [${f.resources
          .filter((r) => r.kind === "Certificate")
          .map((r) => `${r.namespace}/${r.name}`)
          .join(",")}]`,
    )
    .sort();

describe("a status matching more than one certificate, or a certificate matched by more than one status, links nothing", () => {
  let r1: CustomCert;
  let r2: CustomCert;
  const pair = async () => {
    r1 ??= await makeCustomCa("CN=shared-ca", NB, NA, null);
    r2 ??= await makeCustomCa("CN=shared-ca", NB, NA, null);
  };

  it("two Certificates issued in the same second with the same name, one CA published (the review's p2 two-certs): each judged by its status, the CA as unmanaged", async () => {
    await pair();
    const s = analyse([
      ...namespaces("team-a", "team-b"),
      caCertificate("team-a", "ca", status(OVERDUE)),
      caCertificate("team-b", "ca", status(AHEAD)),
      trustRoots(r2.pem),
    ]);
    expect(summary(s)).toEqual([
      "cert.expiring error certificate []",
      "cert.expiring error status [team-a/ca]",
      "cert.expiring warning status [team-b/ca]",
      "cert.rotation-overdue warning status [team-a/ca]",
    ]);
    expect(s.certificates.map((c) => c.renewalTime)).toEqual([null]);
  });

  it("the namespaces' order decides nothing: team-a renamed team-z gives the same findings", async () => {
    await pair();
    const s = analyse([
      ...namespaces("team-z", "team-b"),
      caCertificate("team-z", "ca", status(OVERDUE)),
      caCertificate("team-b", "ca", status(AHEAD)),
      trustRoots(r2.pem),
    ]);
    expect(summary(s)).toEqual([
      "cert.expiring error certificate []",
      "cert.expiring error status [team-z/ca]",
      "cert.expiring warning status [team-b/ca]",
      "cert.rotation-overdue warning status [team-z/ca]",
    ]);
  });

  it("one Certificate, a bundle of two look-alikes (the review's p2 bundle): neither certificate takes the Certificate", async () => {
    await pair();
    const s = analyse([
      ...namespaces("team-a"),
      caCertificate("team-a", "ca", status(OVERDUE)),
      trustRoots(r1.pem + r2.pem),
    ]);
    expect(summary(s)).toEqual([
      "cert.expiring error certificate []",
      "cert.expiring error certificate []",
      "cert.expiring error status [team-a/ca]",
      "cert.rotation-overdue warning status [team-a/ca]",
    ]);
    expect(s.certificates.map((c) => c.renewalTime)).toEqual([null, null]);
  });

  it("near miss: two Certificates, only one whose status describes the published CA: that one is linked, the other judged by status", async () => {
    await pair();
    const other = status(OVERDUE, new Date("2026-11-02T00:00:00Z"), new Date("2026-12-11T00:00:00Z"));
    const s = analyse([
      ...namespaces("team-a", "team-b"),
      caCertificate("team-a", "ca", other),
      caCertificate("team-b", "ca", status(AHEAD)),
      trustRoots(r2.pem),
    ]);
    expect(summary(s)).toEqual([
      "cert.expiring error status [team-a/ca]",
      "cert.expiring warning certificate [team-b/ca]",
      "cert.rotation-overdue warning status [team-a/ca]",
    ]);
    expect(s.certificates.map((c) => c.renewalTime)).toEqual([AHEAD]);
  });

  it("near miss: a bundle of two CAs, only one with the Certificate's name: that one is linked", async () => {
    await pair();
    const r3 = await makeCustomCa("CN=other-ca", NB, NA, null);
    const s = analyse([
      ...namespaces("team-a"),
      caCertificate("team-a", "ca", status(OVERDUE)),
      trustRoots(r2.pem + r3.pem),
    ]);
    expect(summary(s)).toEqual([
      "cert.expiring error certificate []",
      "cert.expiring error certificate [team-a/ca]",
      "cert.rotation-overdue warning certificate [team-a/ca]",
    ]);
  });
});

describe("a Certificate's IP addresses match the certificate's IP SANs by address, not by spelling", () => {
  /** A leaf named only by an IP SAN, held in a copy of its Secret; its Certificate asks for `spelled`. */
  const copied = (spelled: string, san: string) =>
    copiedLeaf("", { ip: [san] }, { ipAddresses: [spelled] }, status(OVERDUE));
  it.each([
    ["2001:DB8:0:0::1", "2001:db8::1"],
    ["2001:db8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8::1", "2001:db8::1"],
    ["10.0.0.7", "10.0.0.7"],
    ["::ffff:10.0.0.7", "10.0.0.7"],
  ])("spec %s, SAN %s: linked", async (spelled, san) => {
    const s = await copied(spelled, san);
    expect(summary(s).filter((f) => f.includes("app/api"))).toEqual([
      "cert.expiring warning certificate [app/api]",
      "cert.rotation-overdue warning certificate [app/api]",
    ]);
  });
  it.each([
    ["2001:db8::2", "2001:db8::1"],
    ["10.0.0.8", "10.0.0.7"],
    ["::a00:7", "10.0.0.7"],
    ["not-an-ip", "10.0.0.7"],
  ])("near miss: spec %s, SAN %s: not linked, judged by status", async (spelled, san) => {
    const s = await copied(spelled, san);
    expect(summary(s).filter((f) => f.includes("app/api"))).toEqual([
      "cert.expiring warning status [app/api]",
      "cert.rotation-overdue warning status [app/api]",
    ]);
  });
});
