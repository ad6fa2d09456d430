// Which list failures fail the whole read (so the service keeps the last good snapshot) and which are
// completeness entries: an injected transport whose discovery answers and whose lists fail one way.
import { describe, expect, it } from "vitest";
import { readCluster } from "../../lib/server/kube/readCluster";
import { KubeError, type KubeTransport } from "../../lib/server/kube/transport";

function transport(listError: () => KubeError): KubeTransport {
  return {
    async get(path) {
      if (path === "/apis") return { groups: [] };
      throw listError();
    },
    credentials: async () => undefined,
    podGet: () => Promise.reject(new Error("no pods")),
  };
}

describe("a list failing after discovery answered", () => {
  it.each([
    ["unreachable", () => new KubeError("unreachable", "cannot reach https://x: ECONNREFUSED")],
    ["timeout", () => new KubeError("timeout", "no answer from https://x within 10 s")],
    ["503", () => new KubeError("error", "HTTP 503: down", 503)],
    ["504", () => new KubeError("timeout", "gateway timeout", 504)],
    ["429", () => new KubeError("error", "HTTP 429: too many requests", 429)],
    ["401", () => new KubeError("error", "HTTP 401: Unauthorized", 401)],
  ])("%s fails the whole read, naming the list", async (_, err) => {
    await expect(readCluster(transport(err))).rejects.toThrow(/^listing namespaces failed: /);
  });

  it("403 is a completeness entry per kind (the read succeeds)", async () => {
    const r = await readCluster(transport(() => new KubeError("forbidden", "namespaces is forbidden", 403)));
    expect(r.completeness.map((c) => c.kind).sort()).toEqual([
      "ConfigMap",
      "Namespace",
      "Pod",
      "Secret",
      "Service",
    ]);
    expect(r.completeness.every((c) => c.reason === "forbidden")).toBe(true);
  });

  it("a 400 (a request this reader got wrong) stays a completeness entry, not a lost read", async () => {
    const r = await readCluster(transport(() => new KubeError("error", "HTTP 400: bad", 400)));
    expect(r.completeness.every((c) => c.reason === "error")).toBe(true);
    expect(r.completeness.length).toBeGreaterThan(0);
  });
});
