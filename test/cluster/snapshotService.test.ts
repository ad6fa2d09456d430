// The snapshot service's contract, with an injected read, clock and timer: single-flight, interval and
// on-demand refresh, last good snapshot served stale with age and error, nothing before a first read.
import { describe, expect, it } from "vitest";
import type { MeshSnapshot } from "../../lib/core/snapshot/schema";
import { createSnapshotService } from "../../lib/server/snapshotService";
import { SnapshotUnavailableError } from "../../lib/server/types";
import { deploy, injected, run } from "../kit";

function harness(opts: { refreshMs?: number; retryMs?: number } = {}) {
  let t = Date.parse("2026-11-27T12:00:00Z");
  const clock = { now: () => new Date(t), advance: (s: number) => (t += s * 1000) };
  let fail: string | null = null;
  let release: (() => void) | null = null;
  let hold = false;
  const reads: Date[] = [];
  const ticks: Array<() => void> = [];
  const snapshots: MeshSnapshot[] = [
    run([injected("a"), deploy("a", "one")]),
    run([injected("b"), deploy("b", "two")]),
  ];
  const service = createSnapshotService({
    now: clock.now,
    refreshMs: opts.refreshMs ?? 30_000,
    retryMs: opts.retryMs ?? 5_000,
    every: (fn) => {
      ticks.push(fn);
      return () => ticks.splice(ticks.indexOf(fn), 1);
    },
    async read(_cluster, at) {
      reads.push(at);
      if (hold) await new Promise<void>((r) => (release = r));
      if (fail) throw new Error(fail);
      return snapshots[(reads.length - 1) % 2]!;
    },
  });
  return {
    service,
    clock,
    reads,
    ticks,
    snapshots,
    setFail: (m: string | null) => (fail = m),
    hold: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe("snapshot service", () => {
  it("a hundred concurrent viewers cause one read", async () => {
    const h = harness();
    h.hold();
    const views = Array.from({ length: 100 }, () => h.service.get("c"));
    await Promise.resolve();
    h.release();
    const got = await Promise.all(views);
    expect(h.reads).toHaveLength(1);
    expect(new Set(got.map((v) => v.snapshot)).size).toBe(1);
    expect(h.service.stats("c")).toMatchObject({ reads: 1, failures: 0, inFlight: false });
  });

  it("serves the cached snapshot within the interval and reports its age", async () => {
    const h = harness();
    await h.service.get("c");
    h.clock.advance(12);
    const v = await h.service.get("c");
    expect(h.reads).toHaveLength(1);
    expect(v).toMatchObject({ ageSeconds: 12, stale: false, error: null });
  });

  it("refreshes on the interval timer, and on demand", async () => {
    const h = harness();
    await h.service.get("c");
    expect(h.ticks).toHaveLength(1);
    h.clock.advance(30);
    h.ticks[0]!();
    await new Promise((r) => setTimeout(r, 0)); // the background read completes
    const v = await h.service.get("c");
    expect(h.reads).toHaveLength(2);
    expect(v.snapshot).toBe(h.snapshots[1]);
    expect(v.ageSeconds).toBe(0);
    h.clock.advance(5);
    await h.service.get("c", { refresh: true });
    expect(h.reads).toHaveLength(3);
    // Only one timer per cluster, whatever the number of reads.
    expect(h.ticks).toHaveLength(1);
  });

  it("refreshes in the background when the snapshot is older than the interval and no timer ran", async () => {
    const h = harness();
    await h.service.get("c");
    h.clock.advance(31);
    const v = await h.service.get("c");
    expect(v.snapshot).toBe(h.snapshots[0]); // served at once, not waiting
    await Promise.resolve();
    expect(h.reads).toHaveLength(2);
  });

  it("after a failed refresh serves the last good snapshot, stale, with its age and the error", async () => {
    const h = harness();
    const good = await h.service.get("c");
    h.clock.advance(40);
    h.setFail("cannot reach https://127.0.0.1:6443: ECONNREFUSED");
    const v = await h.service.get("c", { refresh: true });
    expect(v.snapshot).toBe(good.snapshot);
    expect(v).toMatchObject({
      stale: true,
      ageSeconds: 40,
      error: "cannot reach https://127.0.0.1:6443: ECONNREFUSED",
    });
    expect(h.service.reachability("c")).toEqual({
      reachable: false,
      error: "cannot reach https://127.0.0.1:6443: ECONNREFUSED",
    });
    h.setFail(null);
    h.clock.advance(5);
    const back = await h.service.get("c", { refresh: true });
    expect(back).toMatchObject({ stale: false, error: null, ageSeconds: 0 });
    expect(h.service.reachability("c")).toEqual({ reachable: true, error: null });
  });

  it("throws SnapshotUnavailableError before any good snapshot, and retries only after the back-off", async () => {
    const h = harness();
    h.setFail("HTTP 503: down");
    await expect(h.service.get("c")).rejects.toBeInstanceOf(SnapshotUnavailableError);
    await expect(h.service.get("c")).rejects.toThrow(/HTTP 503: down/);
    expect(h.reads).toHaveLength(1); // the second viewer did not hammer the cluster
    h.clock.advance(6);
    h.setFail(null);
    const v = await h.service.get("c");
    expect(h.reads).toHaveLength(2);
    expect(v.stale).toBe(false);
  });

  it("forced refreshes start at most one read per 5 s per cluster; a burst joins the running read", async () => {
    const h = harness();
    await h.service.get("c");
    expect(h.reads).toHaveLength(1);
    // Right after a read: a forced refresh gets the read just made.
    h.clock.advance(2);
    const just = await h.service.get("c", { refresh: true });
    expect(h.reads).toHaveLength(1);
    expect(just.snapshot).toBe(h.snapshots[0]);
    // After the minimum interval, a burst of 50 starts one read and every caller gets its result.
    h.clock.advance(3);
    h.hold();
    const burst = Array.from({ length: 50 }, () => h.service.get("c", { refresh: true }));
    await new Promise((r) => setTimeout(r, 0));
    expect(h.reads).toHaveLength(2);
    h.release();
    const views = await Promise.all(burst);
    expect(views.every((v) => v.snapshot === h.snapshots[1])).toBe(true);
    // Other clusters are not held back by this one's limit.
    await h.service.get("d", { refresh: true });
    expect(h.service.stats("d").reads).toBe(1);
  });

  it("stops a cluster's timer after 10 intervals without a viewer, and restarts it on the next view", async () => {
    const h = harness();
    await h.service.get("c");
    expect(h.ticks).toHaveLength(1);
    const flush = () => new Promise((r) => setTimeout(r, 0));
    for (let i = 1; i <= 9; i++) {
      h.clock.advance(30);
      h.ticks[0]!();
      await flush();
    }
    expect(h.reads).toHaveLength(10); // still read while within 10 intervals of the last view
    h.clock.advance(30);
    h.ticks[0]!();
    await flush();
    expect(h.ticks).toHaveLength(0); // 300 s without a viewer: stopped, no read
    expect(h.reads).toHaveLength(10);
    // The next view refreshes (the snapshot is older than the interval) and restarts the timer.
    h.clock.advance(600);
    const v = await h.service.get("c");
    expect(v.ageSeconds).toBe(630);
    await flush();
    expect(h.reads).toHaveLength(11);
    expect(h.ticks).toHaveLength(1);
    // A viewer keeps it running.
    for (let i = 0; i < 15; i++) {
      h.clock.advance(30);
      await h.service.get("c");
      h.ticks[0]!();
      await flush();
    }
    expect(h.ticks).toHaveLength(1);
  });

  it("reachability is null before any read; clusters are independent", async () => {
    const h = harness();
    expect(h.service.reachability("x")).toEqual({ reachable: null, error: null });
    await h.service.get("x");
    await h.service.get("y");
    expect(h.service.stats("x").reads).toBe(1);
    expect(h.service.stats("y").reads).toBe(1);
    h.service.stop();
    expect(h.ticks).toHaveLength(0);
  });
});

describe("peek (the overview's non-blocking accessor)", () => {
  it("answers at once for a cluster whose read never settles, starts one read, and waits at most waitMs", async () => {
    const h = harness();
    h.hold(); // the read never settles unless released
    // Blocking on the read would hang these awaits (and time the test out).
    expect(await h.service.peek("hung")).toEqual({ state: "reading" });
    expect(await h.service.peek("hung", { waitMs: 30 })).toEqual({ state: "reading" });
    expect(h.reads).toHaveLength(1); // single-flight: the second peek joined the running read
    h.release();
    await new Promise((r) => setTimeout(r, 0));
    const ready = await h.service.peek("hung");
    expect(ready.state).toBe("ready");
    expect(ready.state === "ready" && ready.view.snapshot).toBe(h.snapshots[0]);
  });

  it("a read that settles within waitMs is answered ready; a failed one is unreachable with the reason", async () => {
    const h = harness();
    expect((await h.service.peek("ok", { waitMs: 1_000 })).state).toBe("ready");
    h.setFail("connect ECONNREFUSED 127.0.0.1:6443");
    expect(await h.service.peek("down", { waitMs: 1_000 })).toEqual({
      state: "unreachable",
      error: "connect ECONNREFUSED 127.0.0.1:6443",
    });
    // Within retryMs no new read starts; after it, the retry runs in the background and the answer stays
    // "unreachable" with the last reason until a read works.
    expect(await h.service.peek("down")).toEqual({
      state: "unreachable",
      error: "connect ECONNREFUSED 127.0.0.1:6443",
    });
    expect(h.service.stats("down").reads).toBe(1);
    h.clock.advance(6);
    h.hold();
    expect(await h.service.peek("down")).toEqual({
      state: "unreachable",
      error: "connect ECONNREFUSED 127.0.0.1:6443",
    });
    expect(h.service.stats("down").reads).toBe(2);
  });
});
