// Config dumps reused between refreshes. A proxy's certificates rotate over hours (Istio: 24 h leaves,
// renewed at about half-life), so port-forwarding to every proxy every 30 s buys nothing: a dump is kept
// per pod and reused until it is older than the cadence (HANDSHAKE_PROXY_REFRESH_SECONDS, default 5 min),
// or the pod changed (another UID: a new pod of the same name; more container restarts: a restarted
// proxy has new certificates). Only dumps that were read are kept; unreachable proxies are asked again
// on every refresh.
import "server-only";
import type { ParsedInputs } from "../../core/model/input";
import { createTtlCache, freshEntry, type TtlCache } from "./ttlCache";

export interface CachedDump {
  /** The pod's identity when read (UID and restart count); another identity means a fresh read. */
  identity: string;
  at: number;
  inputs: ParsedInputs;
}

/** "namespace/pod" → the last dump read. */
export type ProxyCache = TtlCache<CachedDump>;

export const createProxyCache = (maxAgeMs: number): ProxyCache => createTtlCache(maxAgeMs);

/** The dump to reuse for this pod now, if any. */
export function cachedDump(
  cache: ProxyCache,
  key: string,
  identity: string,
  now: number,
): CachedDump | undefined {
  const e = freshEntry(cache, key, now);
  return e?.identity === identity ? e : undefined;
}
