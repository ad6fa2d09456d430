"use client";
// "Updated N s ago" (ticking, from snapshot.generatedAt), "Refresh now", pause/resume of the
// auto-refresh, and the stale/error state of the last refresh.
import { useEffect, useState } from "react";

export interface RefreshBarProps {
  generatedAt: string;
  paused: boolean;
  onTogglePause: () => void;
  /** Ask the server to read the cluster now (POST /api/v1/snapshot/refresh), then refetch. */
  onRefreshNow?: () => void;
  fetching: boolean;
  /** The server serves a last-good snapshot (its refresh failed). */
  stale: boolean;
  serverError: string | null;
  /** The browser's last refresh failed. */
  fetchError: string | null;
  demo: boolean;
}

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min ago`;
}

export function RefreshBar(p: RefreshBarProps) {
  // null until mounted: the server and the browser disagree on "now", so render the age client-side.
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const age = now === null ? null : Math.max(0, Math.round((now - Date.parse(p.generatedAt)) / 1000));
  // Whether a refetch is under way also depends on the clock (react-query calls the seeded data stale
  // after staleTime), so the server and the hydrating browser can disagree: show it once mounted only.
  const fetching = now !== null && p.fetching;
  return (
    <div className="refresh-bar" data-testid="refresh-bar">
      {p.demo ? (
        <span className="pill" data-testid="demo-pill">
          demo data
        </span>
      ) : null}
      <span>
        Updated{" "}
        <time dateTime={p.generatedAt} title={p.generatedAt} data-testid="updated-ago">
          {age === null ? p.generatedAt : formatAge(age)}
        </time>
        {fetching ? <span className="muted"> · refreshing…</span> : null}
      </span>
      {p.onRefreshNow ? (
        <button type="button" onClick={p.onRefreshNow} disabled={fetching} data-testid="refresh-now">
          Refresh now
        </button>
      ) : null}
      <button type="button" onClick={p.onTogglePause} aria-pressed={p.paused} data-testid="pause-refresh">
        {p.paused ? "Resume auto-refresh" : "Pause auto-refresh"}
      </button>
      {p.stale ? (
        <span className="notice notice-warn" role="status" data-testid="stale">
          Stale: the server could not refresh the cluster{p.serverError ? ` (${p.serverError})` : ""}; showing
          the last good snapshot.
        </span>
      ) : null}
      {p.fetchError ? (
        <span className="notice notice-error" role="status" data-testid="fetch-error">
          {p.fetchError}; showing the data from {p.generatedAt}.
        </span>
      ) : null}
    </div>
  );
}
