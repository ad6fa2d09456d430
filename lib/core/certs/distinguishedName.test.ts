// commonNames: the CN values of a subject as readName writes it (reviews/readthrough #6).
import { describe, expect, it } from "vitest";
import { commonNames, dnAttributeList, dnRdns, escapeDnValue } from "./distinguishedName";

describe("commonNames", () => {
  it.each([
    { subject: "O=Example Corp,CN=Example Corp Internal CA", cns: ["Example Corp Internal CA"] },
    { subject: "CN=a\\,b,O=x", cns: ["a,b"] },
    { subject: "CN=web+UID=1,CN=second", cns: ["web", "second"] },
    { subject: "CN=\\#x\\+y\\\\00", cns: ["#x+y\\00"] },
    { subject: "CN=a\\00b", cns: ["a\0b"] },
    { subject: "CN=#0c02", cns: ["#0c02"] },
    { subject: "CN=", cns: [""] },
    // Near misses: no CN attribute, or "CN=" inside another attribute's value.
    { subject: "O=x", cns: [] },
    { subject: "O=CN=x,OU=y", cns: [] },
    { subject: "", cns: [] },
  ])("$subject", ({ subject, cns }) => {
    expect(commonNames(subject)).toEqual(cns);
  });

  it.each(["plain", "a,b", " lead", "trail ", "#hash", 'q"<>;+', "back\\slash", "nul\0", "\\00"])(
    "reads back what escapeDnValue wrote: %j",
    (v) => {
      expect(commonNames(`O=x+OU=y,CN=${escapeDnValue(v)},C=z`)).toEqual([v]);
    },
  );
});

describe("dnAttributeList reads RFC 4514 strings", () => {
  it.each([
    ["CN=a,O=b", [["CN", "a"], ["O", "b"]]],
    ["CN=a, O=b", [["CN", "a"], ["O", "b"]]],
    ["CN=a\\,b+UID=1", [["CN", "a,b"], ["UID", "1"]]],
    ["CN=team\\2Cca", [["CN", "team,ca"]]],
    ["CN=caf\\C3\\A9", [["CN", "café"]]],
    ["CN=café", [["CN", "café"]]],
    ["CN=\\ lead\\ ", [["CN", " lead "]]],
    ["CN=nul\\00", [["CN", "nul\0"]]],
    // "#hex": one BER element; a string element is its text, any other stays "#" + lower-case hex (reviews/certs4.md #3).
    ["2.5.4.3=#0c0161", [["2.5.4.3", "a"]]],
    ["CN=#1603617069", [["CN", "api"]]],
    ["CN=#0C05636166C3A9", [["CN", "café"]]],
    ["2.5.4.45=#03020780", [["2.5.4.45", "#03020780"]]],
    ["CN=\\#0c0161", [["CN", "#0c0161"]]],
    // ";" separates RDNs as "," does (go-ldap ParseDN, cert-manager internal/dn.go).
    ["CN=api;O=Example Corp", [["CN", "api"], ["O", "Example Corp"]]],
    ["CN=a\\;b", [["CN", "a;b"]]],
    ["", []],
  ] as [string, [string, string][]][])("%j", (dn, want) => {
    expect(dnAttributeList(dn)?.map((a) => [a.type, a.value])).toEqual(want);
  });

  it.each(["CN", "=a", "CN=a,,O=b", "CN=a;", "CN=#0c02", "CN=#130361706", "CN=#13036170 69", "CN=#0c0161ff", "CN=#zz", "CN=#", "CN=#1f0100", "CN=#0c80"])("near miss: %j is no name (null)", (dn) => {
    expect(dnAttributeList(dn)).toBeNull();
  });

  it.each([
    ["CN=api;O=Example Corp", [[["CN", "api"]], [["O", "Example Corp"]]]],
    ["O=Example+CN=api,C=GB", [[["O", "Example"], ["CN", "api"]], [["C", "GB"]]]],
    ["O=Example + CN=api ; C=GB", [[["O", "Example"], ["CN", "api"]], [["C", "GB"]]]],
    ["CN=a\\+b", [[["CN", "a+b"]]]],
  ] as [string, [string, string][][]][])("dnRdns %j groups a multi-valued RDN", (dn, want) => {
    expect(dnRdns(dn)?.map((r) => r.map((a) => [a.type, a.value]))).toEqual(want);
  });

  it("reads back what escapeDnValue writes", () => {
    for (const v of ["a,b", "#x", " x ", "a+b;c<d>\"e\\f", "nul\0"]) expect(dnAttributeList(`CN=${escapeDnValue(v)}`)).toEqual([{ type: "CN", value: v }]);
  });
});
