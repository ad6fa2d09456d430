// A cert-manager Certificate named only by spec.literalSubject or spec.emailAddresses is linked to the
// certificate its status describes when the inputs hold it by another route (a copy of its Secret, a
// ca.crt), as commonName, dnsNames, uris and ipAddresses already link (docs/DECISIONS.md, "cert-manager:
// literalSubject and emailAddresses link a Certificate to its certificate"). Real PKI made here.
import { describe, expect, it } from "vitest";
import type { MeshSnapshot } from "../lib/core/snapshot/schema";
import { copiedLeaf, NA, NB } from "./support/certManagerCopy";

const OVERDUE = "2026-11-27T00:00:00Z";
const READY = {
  type: "Ready",
  status: "True",
  reason: "Ready",
  message: "Certificate is up to date and has not expired",
};
const summary = (s: MeshSnapshot) =>
  s.findings
    .filter(
      (f) =>
        f.code.startsWith("cert.") && f.resources.some((r) => r.kind === "Certificate" && r.name === "api"),
    )
    .map((f) => `${f.code} ${f.certificate ? "certificate" : "status"}`)
    .sort();
const LINKED = ["cert.expiring certificate", "cert.rotation-overdue certificate"];
const BY_STATUS = ["cert.expiring status", "cert.rotation-overdue status"];

/** A leaf (`subject`, `email` SANs) held in a copy of its Secret; Certificate app/api asks for `spec` and its status describes the leaf's validity. */
const copied = (subject: string, email: string[], spec: Record<string, unknown>) =>
  copiedLeaf(subject, { email }, spec, {
    conditions: [READY],
    notBefore: NB.toISOString(),
    notAfter: NA.toISOString(),
    renewalTime: OVERDUE,
    revision: 2,
  });

describe("spec.literalSubject links by the whole subject (RFC 4514, cert-manager UnmarshalSubjectStringToRDNSequence)", () => {
  it.each([
    [
      "the string order (reversed in the certificate)",
      "C=GB, O=Example Corp, CN=api",
      "CN=api,O=Example Corp,C=GB",
    ],
    ["the certificate's order", "C=GB, O=Example Corp, CN=api", "C=GB,O=Example Corp,CN=api"],
    ["a hex-escaped comma", "O=Example\\, Inc, CN=api", "CN=api,O=Example\\2C Inc"],
    ["spaces after the commas", "O=Example Corp, CN=api", "CN=api, O=Example Corp"],
    ["a dotted OID for CN", "O=Example Corp, CN=api", "2.5.4.3=api,O=Example Corp"],
    ["UID and DC", "DC=example, DC=com, 0.9.2342.19200300.100.1.1=svc-api", "UID=svc-api,DC=example,DC=com"],
    // reviews/certs4.md #3: go-ldap's ParseDN (and cert-manager's internal/dn.go) separators and BER values.
    ["a semicolon between the RDNs", "O=Example Corp, CN=api", "CN=api;O=Example Corp"],
    ["a multi-valued RDN, its attributes in another order", "CN=api+O=Example", "O=Example+CN=api"],
    ["a #hex PrintableString value", "O=Example Corp, CN=api", "CN=#1303617069,O=Example Corp"],
    ["a #hex UTF8String value", "O=Example Corp, CN=api", "2.5.4.3=#0c03617069;O=Example Corp"],
    [
      "a space between = and #hex: the text #hex (certs5 #5)",
      "O=Example Corp, CN=\\#1303617069",
      "CN= #1303617069,O=Example Corp",
    ],
  ])("linked: %s", async (_what, subject, literal) => {
    expect(summary(await copied(subject, [], { literalSubject: literal }))).toEqual(LINKED);
  });

  it.each([
    ["another organisation", "O=Example Corp, CN=api", "CN=api,O=Other Corp"],
    [
      "a subset of the subject (literalSubject is the whole subject)",
      "C=GB, O=Example Corp, CN=api",
      "CN=api,O=Example Corp",
    ],
    ["more attributes than the subject", "CN=api", "CN=api,O=Example Corp"],
    ["a lower-case attribute name cert-manager does not know", "CN=api", "cn=api"],
    ["an empty literalSubject", "CN=api", ""],
    ["one multi-valued RDN for a subject of two RDNs", "CN=api, O=Example", "O=Example+CN=api"],
    ["two RDNs for a subject of one multi-valued RDN", "CN=api+O=Example", "O=Example,CN=api"],
    ["an escaped semicolon is part of the value", "O=Example Corp, CN=api", "CN=api\\;O=Example Corp"],
    ["a #hex value of another text", "O=Example Corp, CN=api", "CN=#1303617070,O=Example Corp"],
    [
      "a #hex value with bytes after its element",
      "O=Example Corp, CN=api",
      "CN=#130361706900,O=Example Corp",
    ],
    // reviews/certs5.md #2: undecodable or huge #hex values link nothing, and analyze does not throw.
    ["a UniversalString code point 0xFFFFFFFF", "O=Example Corp, CN=api", "CN=#1c04ffffffff,O=Example Corp"],
    ["a UniversalString code point U+110000", "O=Example Corp, CN=api", "CN=#1c0400110000,O=Example Corp"],
    [
      "a 300 000-byte PrintableString",
      "O=Example Corp, CN=api",
      `CN=#13830493e0${"61".repeat(300_000)},O=Example Corp`,
    ],
    // reviews/certs5.md #5: with a space after "=", "#1303617069" is text, not the BER of "api".
    ["a space between = and #hex", "O=Example Corp, CN=api", "CN= #1303617069,O=Example Corp"],
  ])("near miss, not linked: %s", async (_what, subject, literal) => {
    expect(summary(await copied(subject, [], { literalSubject: literal }))).toEqual(BY_STATUS);
  });
});

describe("spec.emailAddresses links by an rfc822Name SAN", () => {
  it("linked: one of the addresses is a SAN of the certificate", async () => {
    expect(
      summary(
        await copied("", ["ops@example.com"], { emailAddresses: ["alerts@example.com", "ops@example.com"] }),
      ),
    ).toEqual(LINKED);
  });

  it.each([
    ["another address", ["ops@example.com"], ["dev@example.com"]],
    ["the address only in the subject, not a SAN", [], ["ops@example.com"]],
  ])("near miss, not linked: %s", async (_what, sans, asked) => {
    expect(summary(await copied("E=ops@example.com", sans, { emailAddresses: asked }))).toEqual(BY_STATUS);
  });
});
