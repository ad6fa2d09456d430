// Secrets read by field selector (reviews/server.md #2, server2.md #5): the union of the four lists keeps
// a Secret two selectors match once, and an API server that refuses field selectors (400) still gets the
// certificate Secrets, from the whole list filtered by the reader.
import { describe, expect, it } from "vitest";
import { readCluster } from "../../lib/server/kube/readCluster";
import { KubeError, type KubeTransport } from "../../lib/server/kube/transport";

const secret = (namespace: string, name: string, type: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  type,
  metadata: { name, namespace },
  data: { "tls.crt": "", "ca.crt": "" },
});
const SECRETS = [
  secret("istio-system", "cacerts", "kubernetes.io/tls"), // matched by two selectors
  secret("istio-system", "istio-ca-secret", "istio.io/ca-root"),
  secret("shop", "web-tls", "kubernetes.io/tls"),
  secret("shop", "sh.helm.release.v1.web.v1", "helm.sh/release.v1"),
  secret("shop", "db-password", "Opaque"),
];

function server(refuseSelectors: boolean): KubeTransport & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async get(path) {
      asked.push(decodeURIComponent(path));
      const [p, q = ""] = path.split("?");
      if (p === "/apis") return { groups: [] };
      if (p !== "/api/v1/secrets") return { items: [], metadata: {} };
      const selector = new URLSearchParams(q).get("fieldSelector");
      if (selector === null) return { items: SECRETS, metadata: {} };
      if (refuseSelectors) throw new KubeError("error", "field label not supported", 400);
      const [field, value] = selector.split("=") as [string, string];
      return {
        items: SECRETS.filter((x) => (field === "type" ? x.type === value : x.metadata.name === value)),
        metadata: {},
      };
    },
    credentials: async () => undefined,
    podGet: () => Promise.reject(new KubeError("forbidden", "no", 403)),
  };
}

const secretsRead = (r: Awaited<ReturnType<typeof readCluster>>) =>
  r.inputs.objects
    .filter((o) => o.object.kind === "Secret")
    .map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`);

describe("Secrets by field selector", () => {
  it("a Secret two selectors match is read once; the order is the one list's", async () => {
    const t = server(false);
    const r = await readCluster(t);
    expect(secretsRead(r)).toEqual(["istio-system/cacerts", "istio-system/istio-ca-secret", "shop/web-tls"]);
    expect(
      t.asked.filter((p) => p.startsWith("/api/v1/secrets")).every((p) => p.includes("fieldSelector=")),
    ).toBe(true);
  });

  it("an API server that refuses field selectors (400): the whole list, filtered by the reader, with the same result", async () => {
    const t = server(true);
    const r = await readCluster(t);
    expect(secretsRead(r)).toEqual(["istio-system/cacerts", "istio-system/istio-ca-secret", "shop/web-tls"]);
    expect(r.completeness).toEqual([]);
    expect(t.asked.filter((p) => p.startsWith("/api/v1/secrets"))).toEqual([
      "/api/v1/secrets?limit=500&fieldSelector=type=kubernetes.io/tls",
      "/api/v1/secrets?limit=500",
    ]);
  });
});
