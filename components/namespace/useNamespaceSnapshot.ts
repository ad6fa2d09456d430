"use client";
// Keeps the namespace's snapshot fresh: seeded with what the server rendered, refetched from
// /api/v1/snapshot every 15 s unless paused. The route's X-Handshake-Stale / X-Handshake-Error
// headers say when the server itself serves a last-good snapshot; both may be absent.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { MeshSnapshot } from "@/lib/core/snapshot/schema";

export interface NamespaceData {
  snapshot: MeshSnapshot;
  /** The server could not refresh the cluster and serves its last good snapshot. */
  stale: boolean;
  error: string | null;
}

export const REFRESH_MS = 15_000;

export async function fetchNamespaceSnapshot(
  cluster: string,
  namespace: string,
  fetchImpl: typeof fetch = fetch,
): Promise<NamespaceData> {
  const url = `/api/v1/snapshot?cluster=${encodeURIComponent(cluster)}&namespace=${encodeURIComponent(namespace)}`;
  const res = await fetchImpl(url, { cache: "no-store", headers: { accept: "application/json" } });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new Error(`refresh failed: ${message}`);
  }
  const staleHeader = res.headers.get("X-Handshake-Stale");
  return {
    snapshot: (await res.json()) as MeshSnapshot,
    stale: staleHeader === "1" || staleHeader === "true",
    error: res.headers.get("X-Handshake-Error"),
  };
}

export function useNamespaceSnapshot(
  cluster: string,
  namespace: string,
  initial: NamespaceData,
  initialAt: number,
  paused: boolean,
) {
  return useQuery({
    queryKey: ["snapshot", cluster, namespace],
    queryFn: () => fetchNamespaceSnapshot(cluster, namespace),
    initialData: initial,
    initialDataUpdatedAt: initialAt,
    staleTime: REFRESH_MS - 1000,
    refetchInterval: paused ? false : REFRESH_MS,
    refetchIntervalInBackground: false,
  });
}

/**
 * "Refresh now": the server reads the cluster at once (single-flight, at most one forced read per 5 s per
 * cluster), then this namespace's query is refetched. A failed POST still refetches: the GET reports why.
 */
export function useRefreshNow(cluster: string, namespace: string): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    try {
      await fetch(`/api/v1/snapshot/refresh?cluster=${encodeURIComponent(cluster)}`, {
        method: "POST",
        cache: "no-store",
      });
    } finally {
      await client.invalidateQueries({ queryKey: ["snapshot", cluster, namespace] });
    }
  };
}
