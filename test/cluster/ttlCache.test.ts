// The cache shape shared by the proxy dumps and the namespace denials (kube/ttlCache.ts), and the
// per-cluster map of caches the server fills on first use (handshakeServer.ts).
import { describe, expect, it } from "vitest";
import { createTtlCache, freshEntry, isFresh, perCluster, pruneStale } from "../../lib/server/kube/ttlCache";

describe("isFresh", () => {
  it.each([
    ["just read", 1_000, 1_000, true],
    ["one ms before the cadence", 1_000, 300_999, true],
    ["at the cadence", 1_000, 301_000, false],
    ["past the cadence", 1_000, 900_000, false],
    ["a clock that went back", 1_000, 999, false],
  ])("%s", (_, at, now, fresh) => {
    expect(isFresh(at, now, 300_000)).toBe(fresh);
  });
});

describe("TtlCache", () => {
  const filled = () => {
    const c = createTtlCache<{ at: number; v: string }>(300_000);
    c.entries.set("old", { at: 0, v: "o" });
    c.entries.set("new", { at: 200_000, v: "n" });
    return c;
  };

  it("reads an entry only while fresh; a missing key reads nothing", () => {
    const c = filled();
    expect(freshEntry(c, "new", 300_000)).toEqual({ at: 200_000, v: "n" });
    expect(freshEntry(c, "old", 300_000)).toBeUndefined();
    expect(freshEntry(c, "none", 300_000)).toBeUndefined();
    // Reading does not forget: the stale entry is still there until pruned.
    expect([...c.entries.keys()]).toEqual(["old", "new"]);
  });

  it("pruning drops what is stale and keeps the fresh, in order", () => {
    const c = filled();
    pruneStale(c, 300_000);
    expect([...c.entries.keys()]).toEqual(["new"]);
  });

  it("near miss: pruning before anything is stale keeps all", () => {
    const c = filled();
    pruneStale(c, 299_999);
    expect([...c.entries.keys()]).toEqual(["old", "new"]);
  });
});

describe("perCluster", () => {
  it("makes one value per cluster on first use and returns it after", () => {
    let made = 0;
    const of = perCluster(() => ({ n: ++made }));
    const a = of("a");
    expect(of("a")).toBe(a);
    const b = of("b");
    expect(b).not.toBe(a);
    expect(of("b")).toBe(b);
    expect(made).toBe(2);
  });
});
