// commonNames: the CN values of a subject as readName writes it (reviews/readthrough #6).
import { describe, expect, it } from "vitest";
import { commonNames, dnRdns, escapeDnValue } from "./distinguishedName";

/** The attributes in string order, multi-valued RDNs flattened: what these vectors are written as. */
const dnAttributeList = (dn: string) => dnRdns(dn)?.flat() ?? null;

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
    [
      "CN=a,O=b",
      [
        ["CN", "a"],
        ["O", "b"],
      ],
    ],
    [
      "CN=a, O=b",
      [
        ["CN", "a"],
        ["O", "b"],
      ],
    ],
    [
      "CN=a\\,b+UID=1",
      [
        ["CN", "a,b"],
        ["UID", "1"],
      ],
    ],
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
    [
      "CN=api;O=Example Corp",
      [
        ["CN", "api"],
        ["O", "Example Corp"],
      ],
    ],
    ["CN=a\\;b", [["CN", "a;b"]]],
    ["", []],
  ] as [string, [string, string][]][])("%j", (dn, want) => {
    expect(dnAttributeList(dn)?.map((a) => [a.type, a.value])).toEqual(want);
  });

  it.each([
    "CN",
    "=a",
    "CN=a,,O=b",
    "CN=a;",
    "CN=#0c02",
    "CN=#130361706",
    "CN=#13036170 69",
    "CN=#0c0161ff",
    "CN=#zz",
    "CN=#",
    "CN=#1f0100",
    "CN=#0c80",
  ])("near miss: %j is no name (null)", (dn) => {
    expect(dnAttributeList(dn)).toBeNull();
  });

  it.each([
    ["CN=api;O=Example Corp", [[["CN", "api"]], [["O", "Example Corp"]]]],
    [
      "O=Example+CN=api,C=GB",
      [
        [
          ["O", "Example"],
          ["CN", "api"],
        ],
        [["C", "GB"]],
      ],
    ],
    [
      "O=Example + CN=api ; C=GB",
      [
        [
          ["O", "Example"],
          ["CN", "api"],
        ],
        [["C", "GB"]],
      ],
    ],
    ["CN=a\\+b", [[["CN", "a+b"]]]],
  ] as [string, [string, string][][]][])("dnRdns %j groups a multi-valued RDN", (dn, want) => {
    expect(dnRdns(dn)?.map((r) => r.map((a) => [a.type, a.value]))).toEqual(want);
  });

  it("reads back what escapeDnValue writes", () => {
    for (const v of ["a,b", "#x", " x ", 'a+b;c<d>"e\\f', "nul\0"])
      expect(dnAttributeList(`CN=${escapeDnValue(v)}`)).toEqual([{ type: "CN", value: v }]);
  });
});

// reviews/certs5.md #2: an undecodable or huge "#hex" value is no name (null), never a throw.
describe("dnRdns never throws on odd #hex values", () => {
  it.each([
    ["CN=#1c04ffffffff,O=Example Corp", null],
    ["CN=#1c0400110000,O=Example Corp", null],
    ["CN=#1c040000d800", null],
    // Near miss: a valid UniversalString code point (U+10FFFF, U+1F600) is still text.
    ["CN=#1c040010ffff", "\u{10ffff}"],
    ["CN=#1c040001f600", "😀"],
  ] as [string, string | null][])("%j", (dn, cn) => {
    const rdns = dnRdns(dn);
    expect(rdns === null ? null : rdns[0]![0]!.value).toBe(cn);
  });

  it("reads a 2 000 000-byte PrintableString (and TeletexString) without overflowing the stack", () => {
    for (const tag of ["13", "14"])
      expect(dnRdns(`CN=#${tag}831e8480${"61".repeat(2_000_000)}`)?.[0]?.[0]?.value).toBe(
        "a".repeat(2_000_000),
      );
  });

  it("fuzz: random bytes, huge lengths, every universal tag", () => {
    let seed = 0x2545f491;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const hex = (bytes: number[]) => bytes.map((x) => x.toString(16).padStart(2, "0")).join("");
    const inputs: string[] = [];
    for (let tag = 0; tag < 0x40; tag++) {
      for (const len of [0, 1, 2, 3, 4, 5, 7, 8, 64]) {
        const body = Array.from({ length: len }, () => rnd(256));
        inputs.push(hex([tag, len, ...body]));
        inputs.push(hex([tag, 0x81, len, ...body]));
        inputs.push(hex([tag, len + 1, ...body]));
      }
      inputs.push(
        hex([tag, 0x84, 0xff, 0xff, 0xff, 0xff]),
        hex([tag, 0x84, 0x7f, 0xff, 0xff, 0xff, 0]),
        hex([tag, 0x85, 1, 0, 0, 0, 0]),
      );
    }
    // Huge values for every string tag (and one other), each read once.
    for (const tag of [0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a, 0x1c, 0x1e, 0x04])
      expect(() => dnRdns(`CN=#${hex([tag, 0x83, 0x04, 0x93, 0xe0])}${"ff".repeat(300_000)}`)).not.toThrow();
    for (let i = 0; i < 2000; i++) inputs.push(hex(Array.from({ length: rnd(40) }, () => rnd(256))));
    for (const h of inputs) {
      for (const dn of [`CN=#${h}`, `CN=#${h},O=x`, `CN= #${h}`, `2.5.4.3=#${h}+UID=1`])
        expect(() => dnRdns(dn)).not.toThrow();
    }
  });
});

// reviews/certs5.md #5: "#" counts as BER only right after "=" (internal/dn.go s[0] == '#', go-ldap str[i+1] == '#').
describe("a space after = makes #hex plain text", () => {
  it.each([
    ["CN= #1303617069,O=Example Corp", "#1303617069"],
    ["CN=  #0c0161", "#0c0161"],
    // Near misses: right after "=" it is BER, spaces before "=" or after the hex do not count.
    ["CN=#1303617069,O=Example Corp", "api"],
    ["CN =#1303617069", "api"],
    ["O=x, CN=#1303617069", "api"],
  ])("%j", (dn, cn) => {
    expect(dnAttributeList(dn)?.find((a) => a.type === "CN")?.value).toBe(cn);
  });
});
