// commonNames: the CN values of a subject as readName writes it (reviews/readthrough #6).
import { describe, expect, it } from "vitest";
import { commonNames, escapeDnValue } from "./distinguishedName";

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
