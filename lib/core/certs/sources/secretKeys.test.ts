// secretCertificateKeys: the Secret data keys the loader keeps, by name and type only (reviews/readthrough #13).
import { describe, expect, it } from "vitest";
import { secretCertificateKeys } from "./fromObjects";

describe("secretCertificateKeys", () => {
  it.each([
    { name: "web-tls", type: "kubernetes.io/tls", keys: ["tls.crt", "ca.crt"] },
    // A CA Secret's keys by name, whatever its type (and whatever its namespace: the reader decides).
    { name: "linkerd-identity-issuer", type: "Opaque", keys: ["crt.pem", "tls.crt", "ca.crt"] },
    {
      name: "cacerts",
      type: "kubernetes.io/tls",
      keys: expect.arrayContaining(["ca-cert.pem", "root-cert.pem"]) as unknown,
    },
    // Near misses: not a certificate Secret.
    { name: "db-password", type: "Opaque", keys: [] },
    { name: "web-tls", type: undefined, keys: [] },
  ])("$name ($type)", ({ name, type, keys }) => {
    expect(secretCertificateKeys(name, type)).toEqual(keys);
  });
});
