// Per-namespace denials remembered between refreshes (reviews/server.md #8): after a cluster-wide 403 on
// Secrets, the namespaces that answered 403 are not asked again until the cache's cadence has passed;
// the snapshot's completeness entries are the same on every read.
import { describe, expect, it } from "vitest";
import { createForbiddenCache, pruneDenials } from "../../lib/server/kube/forbiddenCache";
import { readCluster } from "../../lib/server/kube/readCluster";
import { KubeError, type KubeTransport } from "../../lib/server/kube/transport";

const NAMESPACES = ["istio-system", "shop", "billing"];

/** Secrets readable only in istio-system (least privilege); everything else readable and empty. */
function leastPrivilege(): KubeTransport & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async get(path) {
      const p = path.replace(/\?.*/, "");
      asked.push(p);
      if (p === "/apis") return { groups: [] };
      if (p === "/api/v1/namespaces")
        return {
          items: NAMESPACES.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
          metadata: {},
        };
      if (
        p === "/api/v1/secrets" ||
        (p.endsWith("/secrets") && !p.startsWith("/api/v1/namespaces/istio-system/"))
      )
        throw new KubeError("forbidden", `secrets is forbidden: ${p}`, 403);
      return { items: [], metadata: {} };
    },
    credentials: async () => undefined,
    podGet: () => Promise.reject(new KubeError("forbidden", "no", 403)),
  };
}

const secretLists = (asked: string[]) => asked.filter((p) => p.endsWith("/secrets"));

describe("denials kept between reads", () => {
  it("a denied namespace is not asked again within the cadence; its entry is reused; asked again after it", async () => {
    const t = leastPrivilege();
    const cache = createForbiddenCache(300_000);
    const t0 = Date.parse("2026-11-30T00:00:00Z");
    const first = await readCluster(t, { forbiddenCache: cache, now: t0 });
    // The cluster-wide list (403 at its first field selector), then per namespace: a 403 at the first of
    // the four field-selected lists (kinds.ts) in shop and billing, all four in istio-system.
    expect(secretLists(t.asked)).toHaveLength(1 + 1 + 1 + 4);
    const denied = first.completeness.filter((c) => c.kind === "Secret");
    expect(denied.map((c) => c.namespace).sort()).toEqual(["billing", "shop"]);

    t.asked.length = 0;
    const second = await readCluster(t, { forbiddenCache: cache, now: t0 + 60_000 });
    // The cluster-wide lists and istio-system's are asked; shop and billing are not.
    expect(
      secretLists(t.asked).filter(
        (p) => p.includes("/namespaces/shop/") || p.includes("/namespaces/billing/"),
      ),
    ).toEqual([]);
    expect(secretLists(t.asked)).toHaveLength(1 + 4);
    expect(second.completeness).toEqual(first.completeness);

    t.asked.length = 0;
    await readCluster(t, { forbiddenCache: cache, now: t0 + 300_000 });
    expect(secretLists(t.asked)).toHaveLength(1 + 1 + 1 + 4);
  });

  it("near miss: without a cache every namespace is asked on every read", async () => {
    const t = leastPrivilege();
    await readCluster(t, {});
    t.asked.length = 0;
    await readCluster(t, {});
    expect(secretLists(t.asked)).toHaveLength(1 + 1 + 1 + 4);
  });
});

describe("pruning", () => {
  it("a read forgets denials past the cadence (a deleted namespace's do not stay), and keeps fresh ones", () => {
    const cache = createForbiddenCache(300_000);
    const entry = { kind: "Secret", namespace: "gone", reason: "forbidden" as const, message: "m" };
    cache.entries.set("secrets./gone", { at: 0, entry });
    cache.entries.set("secrets./shop", { at: 200_000, entry: { ...entry, namespace: "shop" } });
    pruneDenials(cache, 300_000);
    expect([...cache.entries.keys()]).toEqual(["secrets./shop"]);
  });
});
