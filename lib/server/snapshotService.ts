// One analysed snapshot per cluster. Reads are single-flight (a hundred viewers arriving together cause
// one cluster read), refreshed on an interval and on demand; when a refresh fails, the last good
// snapshot is served with `stale`, its age and the error. Everything with side effects (the read, the
// clock, the timer) is injected, so tests drive the real service.
import "server-only";
import type { MeshSnapshot } from "../core/snapshot/schema";
import { oneLine } from "./oneLine";
import { SnapshotUnavailableError } from "./types";

export interface SnapshotServiceDeps {
  /** Reads and analyses one cluster (throws when the cluster cannot be read at all). */
  read(cluster: string, now: Date): Promise<MeshSnapshot>;
  now(): Date;
  /** Background refresh period (the settings require it positive). */
  refreshMs: number;
  /** After a failed read, requests wait this long before one of them tries again (default 5 s). */
  retryMs?: number;
  /**
   * Forced refreshes (`get(…, {refresh: true})`, POST /api/v1/snapshot/refresh) start at most one read per
   * this period per cluster (default 5 s); within it they join the running read or get the one just made.
   */
  minRefreshMs?: number;
  /**
   * The background timer of a cluster stops after this many intervals without a viewer (default 10) and
   * restarts on the next view, so a cluster nobody looks at is not read every 30 s forever.
   */
  idleIntervals?: number;
  /** setInterval-like; returns a cancel function. The default timer does not keep the process alive. */
  every?(fn: () => void, ms: number): () => void;
}

export interface ServiceView {
  snapshot: MeshSnapshot;
  fetchedAt: Date;
  ageSeconds: number;
  stale: boolean;
  error: string | null;
}

export interface ReadStats {
  /** Cluster reads started (successful or not). */
  reads: number;
  failures: number;
  inFlight: boolean;
  lastDurationMs: number | null;
  lastError: string | null;
  lastReadAt: string | null;
}

interface ClusterState {
  good?: { snapshot: MeshSnapshot; at: Date };
  failed?: { message: string; at: Date };
  inflight?: Promise<void>;
  /** When the last read started (forced refreshes are rate-limited on it). */
  lastStart?: Date;
  /** When a viewer last asked (the timer stops after idleIntervals without one). */
  lastViewed?: Date;
  cancelTimer?: () => void;
  stats: ReadStats;
}

/** What `peek` answers: the last good view, or why there is none (a read is running / the last one failed). */
export type PeekedView =
  { state: "ready"; view: ServiceView } | { state: "reading" } | { state: "unreachable"; error: string };

export interface SnapshotService {
  get(cluster: string, opts?: { refresh?: boolean }): Promise<ServiceView>;
  /**
   * Never blocks on a cluster without a good snapshot (the overview must not wait for a context that
   * hangs): answers the last good view, else starts a read in the background (unless one is running or
   * the last one failed within retryMs) and waits for it at most `waitMs` (default 0).
   */
  peek(cluster: string, opts?: { waitMs?: number }): Promise<PeekedView>;
  /** Counters per cluster read so far (tests and the load test). */
  stats(cluster: string): ReadStats;
  /** Whether the last read of the cluster worked (null: never tried). */
  reachability(cluster: string): { reachable: boolean | null; error: string | null };
  stop(): void;
}

const defaultEvery = (fn: () => void, ms: number) => {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
};

export function createSnapshotService(deps: SnapshotServiceDeps): SnapshotService {
  const retryMs = deps.retryMs ?? 5_000;
  const minRefreshMs = deps.minRefreshMs ?? 5_000;
  const idleMs = (deps.idleIntervals ?? 10) * deps.refreshMs;
  const every = deps.every ?? defaultEvery;
  const states = new Map<string, ClusterState>();
  const state = (cluster: string): ClusterState => {
    let s = states.get(cluster);
    if (!s) {
      s = {
        stats: {
          reads: 0,
          failures: 0,
          inFlight: false,
          lastDurationMs: null,
          lastError: null,
          lastReadAt: null,
        },
      };
      states.set(cluster, s);
    }
    return s;
  };

  /** Starts a read unless one is running; everyone waiting gets the same one. */
  function refresh(cluster: string): Promise<void> {
    const s = state(cluster);
    if (s.inflight) return s.inflight;
    const started = deps.now();
    s.lastStart = started;
    s.stats.reads++;
    s.stats.inFlight = true;
    s.inflight = (async () => {
      try {
        const snapshot = await deps.read(cluster, started);
        s.good = { snapshot, at: started };
        s.failed = undefined;
        s.stats.lastError = null;
      } catch (e) {
        s.failed = { message: oneLine(e), at: deps.now() };
        s.stats.failures++;
        s.stats.lastError = s.failed.message;
      } finally {
        s.stats.inFlight = false;
        s.stats.lastDurationMs = deps.now().getTime() - started.getTime();
        s.stats.lastReadAt = started.toISOString();
        s.inflight = undefined;
      }
      if (!s.cancelTimer) s.cancelTimer = every(() => tick(cluster), deps.refreshMs);
    })();
    return s.inflight;
  }

  /** A timer tick: refresh, unless nobody viewed the cluster for idleIntervals (then stop until the next view). */
  function tick(cluster: string): void {
    const s = state(cluster);
    const viewed = s.lastViewed ?? s.lastStart;
    if (viewed && deps.now().getTime() - viewed.getTime() >= idleMs) {
      s.cancelTimer?.();
      s.cancelTimer = undefined;
      return;
    }
    void refresh(cluster);
  }

  const recentlyFailed = (s: ClusterState, now: Date) =>
    !!s.failed && now.getTime() - s.failed.at.getTime() < retryMs;

  function view(s: ClusterState, cluster: string): ServiceView {
    if (!s.good)
      throw new SnapshotUnavailableError(
        cluster,
        `no snapshot of cluster "${cluster}" yet: ${s.failed?.message ?? "not read yet"}`,
      );
    const now = deps.now();
    const stale = !!s.failed && s.failed.at.getTime() >= s.good.at.getTime();
    return {
      snapshot: s.good.snapshot,
      fetchedAt: s.good.at,
      ageSeconds: Math.max(0, Math.round((now.getTime() - s.good.at.getTime()) / 1000)),
      stale,
      error: stale ? (s.failed?.message ?? null) : null,
    };
  }

  async function get(cluster: string, opts: { refresh?: boolean } = {}): Promise<ServiceView> {
    const s = state(cluster);
    const now = deps.now();
    s.lastViewed = now;
    if (opts.refresh) {
      // Single-flight and rate-limited: a burst of "refresh now" clicks costs one cluster read.
      const recent = s.lastStart && now.getTime() - s.lastStart.getTime() < minRefreshMs;
      if (s.inflight || !recent) await refresh(cluster);
    } else if (!s.good) {
      if (!recentlyFailed(s, now) || s.inflight) await refresh(cluster);
    } else if (now.getTime() - s.good.at.getTime() >= deps.refreshMs && !recentlyFailed(s, now)) {
      // Older than the interval (the timer is late, or stopped while nobody looked): refresh in the
      // background (restarting the timer) and serve what we have now, with its age.
      void refresh(cluster);
    }
    return view(s, cluster);
  }

  return {
    get,
    async peek(cluster, opts = {}) {
      const s = state(cluster);
      const now = deps.now();
      if (s.good) return { state: "ready", view: await get(cluster) };
      s.lastViewed = now;
      if (!s.inflight && !recentlyFailed(s, now)) void refresh(cluster);
      const running = s.inflight;
      if (running && (opts.waitMs ?? 0) > 0) {
        // A real timer (not the injected clock): this bounds how long a page waits, in wall time.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([running, new Promise<void>((r) => (timer = setTimeout(r, opts.waitMs)))]);
        clearTimeout(timer);
      }
      if (s.good) return { state: "ready", view: view(s, cluster) };
      // A cluster whose last read failed stays "unreachable" (with why) while it is retried.
      if (s.failed) return { state: "unreachable", error: s.failed.message };
      return { state: "reading" };
    },
    stats: (cluster) => ({ ...state(cluster).stats }),
    reachability(cluster) {
      const s = states.get(cluster);
      if (!s || (!s.good && !s.failed)) return { reachable: null, error: null };
      const failedLast = !!s.failed && (!s.good || s.failed.at.getTime() >= s.good.at.getTime());
      return { reachable: !failedLast, error: failedLast ? (s.failed?.message ?? null) : null };
    },
    stop() {
      for (const s of states.values()) {
        s.cancelTimer?.();
        s.cancelTimer = undefined;
      }
    },
  };
}
