// What the server remembers between refreshes for at most a cadence (HANDSHAKE_PROXY_REFRESH_SECONDS):
// proxies' config dumps (proxyCache.ts) and namespaces' denials (forbiddenCache.ts). One shape for both,
// and one map of them per cluster, filled on first use.
import "server-only";

export interface TtlCache<T extends { at: number }> {
  /** Key → the value remembered, with when it was read (`at`, ms). */
  entries: Map<string, T>;
  /** Reuse an entry for at most this long. */
  maxAgeMs: number;
}

export function createTtlCache<T extends { at: number }>(maxAgeMs: number): TtlCache<T> {
  return { entries: new Map(), maxAgeMs };
}

/** Whether something read at `at` may still be reused at `now` (a clock that went back reads it again). */
export const isFresh = (at: number, now: number, maxAgeMs: number) => now - at < maxAgeMs && now >= at;

/** The entry of `key` if still fresh at `now`. */
export function freshEntry<T extends { at: number }>(
  cache: TtlCache<T>,
  key: string,
  now: number,
): T | undefined {
  const e = cache.entries.get(key);
  return e && isFresh(e.at, now, cache.maxAgeMs) ? e : undefined;
}

/** Forgets the entries no longer fresh at `now`. */
export function pruneStale<T extends { at: number }>(cache: TtlCache<T>, now: number): void {
  for (const [key, e] of cache.entries) if (!isFresh(e.at, now, cache.maxAgeMs)) cache.entries.delete(key);
}

/** One value per cluster name, made by `create` when the cluster is first asked for and kept after. */
export function perCluster<V>(create: () => V): (cluster: string) => V {
  const byCluster = new Map<string, V>();
  return (cluster) => {
    let v = byCluster.get(cluster);
    if (v === undefined) byCluster.set(cluster, (v = create()));
    return v;
  };
}
