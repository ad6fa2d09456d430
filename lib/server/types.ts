// What the server layer hands to route handlers and pages. Plain data; no client objects leak out.
import type { MeshSnapshot } from "../core/snapshot/schema";
// Why the kubeconfig's current context is not the default: defined with the banner that words it.
import type { DefaultFallbackFrom } from "../view/shell/demoBanner";

export type { DefaultFallbackFrom };

export type ClusterSource = "kubeconfig" | "in-cluster" | "demo";

export interface ClusterInfo {
  /** The name used in URLs (`/c/<name>/…`) and `?cluster=`: the kubeconfig context, "in-cluster" or "demo". */
  name: string;
  source: ClusterSource;
  /** null until the first read was tried. */
  reachable: boolean | null;
  error: string | null;
  /** The cluster `/` and the API use when none is named. */
  isDefault: boolean;
  /**
   * Only on the default cluster (the embedded demo, or in-cluster) when it stands in for the kubeconfig's
   * current context: which context, and why.
   */
  fallbackFrom?: DefaultFallbackFrom;
}

export interface SnapshotView {
  cluster: string;
  snapshot: MeshSnapshot;
  /** RFC 3339 time of the read that produced `snapshot` (the last good one). */
  fetchedAt: string;
  ageSeconds: number;
  /** The last refresh failed: `snapshot` is the last good one and `error` says why. */
  stale: boolean;
  error: string | null;
  /** True when this cluster is the embedded demo cluster (every page says so). */
  demo: boolean;
}

/** The overview's non-blocking answer for one cluster (HandshakeServer.peekSnapshotView). */
export type PeekedSnapshotView =
  | { state: "ready"; view: SnapshotView }
  /** The first read is running; nothing to show yet. */
  | { state: "reading" }
  /** The last read failed and there is no good snapshot; `error` says why. */
  | { state: "unreachable"; error: string };

// Next.js may bundle this module more than once (per route, instrumentation), while the errors come from
// the one process-wide server: `instanceof` checks a brand shared through the global symbol registry,
// not the class identity of one copy.
const UNKNOWN_CLUSTER = Symbol.for("handshake.UnknownClusterError");
const SNAPSHOT_UNAVAILABLE = Symbol.for("handshake.SnapshotUnavailableError");
const branded = (v: unknown, brand: symbol) =>
  typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[brand] === true;

/** The named cluster is not configured: route handlers answer 404. */
export class UnknownClusterError extends Error {
  readonly [UNKNOWN_CLUSTER] = true;
  constructor(readonly cluster: string) {
    super(`unknown cluster "${cluster}"`);
    this.name = "UnknownClusterError";
  }
  static override [Symbol.hasInstance](v: unknown): boolean {
    return branded(v, UNKNOWN_CLUSTER);
  }
}

/** No snapshot could be produced yet (first read failed): route handlers answer 503 with the message. */
export class SnapshotUnavailableError extends Error {
  readonly [SNAPSHOT_UNAVAILABLE] = true;
  constructor(
    readonly cluster: string,
    message: string,
  ) {
    super(message);
    this.name = "SnapshotUnavailableError";
  }
  static override [Symbol.hasInstance](v: unknown): boolean {
    return branded(v, SNAPSHOT_UNAVAILABLE);
  }
}
