// What every /api/v1 route handler shares (contract §3): the cluster and namespace parameters, the
// snapshot view they name, JSON answers with Cache-Control: no-store, and errors as
// `{ error: { code, message } }` (400 bad parameter, 404 unknown cluster/namespace, 503 no snapshot yet),
// never a stack trace.
import "server-only";
import type { MeshSnapshot } from "../core/snapshot/schema";
import { readCluster, readNamespace, type ApiError } from "../view/apiParams";
import { namespaceExists, sliceSnapshot } from "../view/sliceSnapshot";
import { defaultClusterName, getSnapshotView } from "./snapshots";
import { SnapshotUnavailableError, UnknownClusterError, type SnapshotView } from "./types";
import { oneLine } from "./oneLine";

const NO_STORE = { "Cache-Control": "no-store" };

export function json(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { ...NO_STORE, ...init.headers } });
}

// A snapshot is immutable once analysed, and every viewer of a cluster gets the same one until the next
// refresh: cut it to a namespace, and serialise it, once per snapshot, not once per request.
const slices = new WeakMap<MeshSnapshot, Map<string, MeshSnapshot>>();
const serialised = new WeakMap<MeshSnapshot, string>();

/** `full` cut to `namespace` (the same object for every request and page until the next refresh). */
export function cachedSlice(full: MeshSnapshot, namespace: string | undefined): MeshSnapshot {
  if (namespace === undefined) return full;
  let byNs = slices.get(full);
  if (!byNs) slices.set(full, (byNs = new Map()));
  let s = byNs.get(namespace);
  if (!s) byNs.set(namespace, (s = sliceSnapshot(full, namespace)));
  return s;
}

/** A resolved snapshot (already cut to its namespace) as a JSON answer, serialised once. */
export function snapshotJson(snapshot: MeshSnapshot, headers: Record<string, string>): Response {
  let text = serialised.get(snapshot);
  if (text === undefined) serialised.set(snapshot, (text = JSON.stringify(snapshot)));
  return new Response(text, {
    status: 200,
    headers: { "Content-Type": "application/json", ...NO_STORE, ...headers },
  });
}

export function errorResponse(e: ApiError): Response {
  return json({ error: { code: e.code, message: e.message } }, { status: e.status });
}

/**
 * The answers of a route for the methods it does not serve, so that every method gets the API's error
 * shape (Next's own 405 has no body and no Allow): `notAllowed` is a JSON 405 with Allow (RFC 9110
 * §15.5.6), `options` a 204 with the same Allow. `served` lists the route's own handlers; HEAD comes with
 * GET (Next answers it from GET), OPTIONS with every route.
 */
export function otherMethods(served: readonly ("GET" | "POST")[]): {
  notAllowed: (request: Request) => Response;
  options: () => Response;
} {
  const allow = [...served.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])), "OPTIONS"].join(", ");
  return {
    notAllowed: (request) =>
      json(
        {
          error: {
            code: "method-not-allowed",
            message: `${request.method} is not allowed on ${ascii(new URL(request.url).pathname).slice(0, 200)}; allowed: ${allow}`,
          },
        },
        { status: 405, headers: { Allow: allow } },
      ),
    options: () => new Response(null, { status: 204, headers: { ...NO_STORE, Allow: allow } }),
  };
}

/** A GET-only route's answers to every other method, to export as they are (`export const { POST, … } = getOnlyRoute()`). */
export function getOnlyRoute() {
  const other = otherMethods(["GET"]);
  return {
    POST: other.notAllowed,
    PUT: other.notAllowed,
    PATCH: other.notAllowed,
    DELETE: other.notAllowed,
    OPTIONS: other.options,
  };
}

/** Freshness of the view, as headers, so the body stays exactly the contract's shape. */
export function viewHeaders(v: SnapshotView): Record<string, string> {
  const h: Record<string, string> = {
    "X-Handshake-Cluster": ascii(v.cluster),
    "X-Handshake-Fetched-At": v.fetchedAt,
    "X-Handshake-Age-Seconds": String(v.ageSeconds),
    "X-Handshake-Stale": String(v.stale),
  };
  if (v.error) h["X-Handshake-Error"] = ascii(v.error).slice(0, 512);
  if (v.demo) h["X-Handshake-Demo"] = "true";
  return h;
}

export type Resolved =
  | { ok: true; view: SnapshotView; snapshot: MeshSnapshot; namespace: string | undefined }
  | { ok: false; response: Response };

/**
 * The snapshot a request names: `cluster=` (default cluster when absent) cut to `namespace=` when given.
 * Any failure is already a Response.
 */
export async function resolveSnapshot(q: URLSearchParams): Promise<Resolved> {
  const cluster = readCluster(q);
  if (!cluster.ok) return { ok: false, response: errorResponse(cluster.error) };
  const namespace = readNamespace(q);
  if (!namespace.ok) return { ok: false, response: errorResponse(namespace.error) };
  let view: SnapshotView;
  try {
    view = await getSnapshotView(cluster.value ?? (await defaultClusterName()));
  } catch (e) {
    return { ok: false, response: failure(e) };
  }
  const ns = namespace.value;
  if (ns !== undefined && !namespaceExists(view.snapshot, ns))
    return {
      ok: false,
      response: errorResponse({
        status: 404,
        code: "unknown-namespace",
        message: `namespace "${ns}" is not in cluster "${view.cluster}"`,
      }),
    };
  return { ok: true, view, snapshot: cachedSlice(view.snapshot, ns), namespace: ns };
}

/**
 * POST /api/v1/snapshot/refresh?cluster=: a forced read through the snapshot service's single flight
 * (at most one per 5 s per cluster; extra calls join the running or just-finished read). Answers the
 * freshness of the snapshot now served; the snapshot itself is fetched from /api/v1/snapshot.
 */
export async function refreshSnapshot(q: URLSearchParams): Promise<Response> {
  const cluster = readCluster(q);
  if (!cluster.ok) return errorResponse(cluster.error);
  try {
    const v = await getSnapshotView(cluster.value ?? (await defaultClusterName()), { refresh: true });
    return json(
      {
        cluster: v.cluster,
        fetchedAt: v.fetchedAt,
        ageSeconds: v.ageSeconds,
        stale: v.stale,
        error: v.error,
        demo: v.demo,
      },
      { headers: viewHeaders(v) },
    );
  } catch (e) {
    return failure(e);
  }
}

/** Known failures keep their message; anything else is logged here and answered without details. */
export function failure(e: unknown): Response {
  if (e instanceof UnknownClusterError)
    return errorResponse({ status: 404, code: "unknown-cluster", message: e.message });
  if (e instanceof SnapshotUnavailableError)
    return errorResponse({ status: 503, code: "snapshot-unavailable", message: e.message });
  console.error("handshake: request failed:", oneLine(e));
  return json(
    { error: { code: "internal", message: "internal error (see the server log)" } },
    { status: 500 },
  );
}

function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?");
}
