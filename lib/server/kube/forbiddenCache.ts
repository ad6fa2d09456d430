// Namespaces this identity may not list, remembered between refreshes (reviews/server.md #8). After a
// cluster-wide 403 the reader lists each namespace on its own; with least-privilege RBAC (Secrets
// readable in istio-system only) that is one denied request per namespace and kind on every refresh,
// each audit-logged: 2,000 namespaces gave 2,001 requests every 30 s. A denial is reused, with its
// completeness entry, for the proxy cadence (HANDSHAKE_PROXY_REFRESH_SECONDS, default 5 min): a grant
// shows at the latest one cadence later. Namespaces that answered are asked on every refresh, as are all
// namespaces when no cache is given (one-shot reads, tests).
import "server-only";
import type { Completeness } from "../../core/snapshot/schema";
import { createTtlCache, freshEntry, pruneStale, type TtlCache } from "./ttlCache";

/** "<plural>.<group>/<namespace>" → the denial's completeness entry and when it was answered. */
export type ForbiddenCache = TtlCache<{ at: number; entry: Completeness }>;

export const createForbiddenCache = (maxAgeMs: number): ForbiddenCache => createTtlCache(maxAgeMs);

/** The remembered denial of `key` at `now`, if still fresh. */
export const cachedDenial = (cache: ForbiddenCache, key: string, now: number): Completeness | undefined =>
  freshEntry(cache, key, now)?.entry;

/** Forgets the denials no longer fresh at `now` (a deleted namespace's stay no longer than that). */
export const pruneDenials: (cache: ForbiddenCache, now: number) => void = pruneStale;
