// Config dumps are reused between refreshes (kube/proxyCache.ts): the demo API server's port-forward
// counter shows that a second read within the cadence forwards to no proxy, a read after the cadence to
// all of them, and a pod with another UID or more restarts is read again at once. The snapshot is the
// same whether the dumps came from the proxies or the cache.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadedObject } from "../../lib/core/model/input";
import { createProxyCache } from "../../lib/server/kube/proxyCache";
import { readCluster } from "../../lib/server/kube/readCluster";
import { proxyTargets, readProxies } from "../../lib/server/kube/readProxies";
import { readSnapshot } from "../../lib/server/readSnapshot";
import { startTestDemo, type TestDemo } from "./support";

let t: TestDemo;
beforeAll(async () => {
  t = await startTestDemo();
}, 60_000);
afterAll(async () => t?.stop());

describe("proxy dumps cached per pod", () => {
  it("forwards only when a dump is older than the cadence; the snapshot is the same either way", async () => {
    const cache = createProxyCache(300_000);
    const at = t.now.getTime();
    const before = t.demo.requests.portforward;
    const first = await readCluster(t.transport(), { proxyCache: cache, now: at });
    const proxies = first.stats.proxies;
    expect(proxies).toBeGreaterThan(5);
    expect(first.stats.forwarded).toBe(proxies);
    expect(t.demo.requests.portforward - before).toBe(proxies);

    const mid = t.demo.requests.portforward;
    const second = await readCluster(t.transport(), { proxyCache: cache, now: at + 299_000 });
    expect(second.stats.forwarded).toBe(0);
    expect(t.demo.requests.portforward).toBe(mid);
    expect(second.inputs.configDumps).toEqual(first.inputs.configDumps);

    const late = t.demo.requests.portforward;
    const third = await readCluster(t.transport(), { proxyCache: cache, now: at + 300_000 });
    expect(third.stats.forwarded).toBe(proxies);
    expect(t.demo.requests.portforward - late).toBe(proxies);

    // Through the whole pipeline: a cached read analyses to the same snapshot as an uncached one.
    const now = t.now;
    const cached = await readSnapshot(t.transport(), {
      now,
      source: { type: "demo", context: "demo" },
      read: { proxyCache: cache },
    });
    const direct = await readSnapshot(t.transport(), { now, source: { type: "demo", context: "demo" } });
    expect(cached).toEqual(direct);
  });

  it("a new pod (another UID) or a restarted container is read again at once; pods gone are forgotten", async () => {
    const read = await readCluster(t.transport());
    const targets = proxyTargets(read.inputs.objects);
    const cache = createProxyCache(300_000);
    const at = t.now.getTime();
    await readProxies(t.transport(), targets, { concurrency: 4, timeoutMs: 5_000, cache, now: at });
    expect(cache.entries.size).toBe(targets.length);

    const pods = read.inputs.objects.filter((o) => o.object.kind === "Pod");
    const restarted = changed(pods, targets[0]!.pod, (o) => {
      const st = o.status as { containerStatuses: { restartCount: number }[] };
      st.containerStatuses[0]!.restartCount += 1;
    });
    const replaced = changed(pods, targets[1]!.pod, (o) => (o.metadata.uid = "another-uid"));
    const gone = targets[2]!.pod;
    const untouched = pods.filter(
      (p) => ![targets[0]!.pod, targets[1]!.pod, gone].includes(p.object.metadata.name),
    );
    const next = proxyTargets([...restarted, ...replaced, ...untouched]);
    expect(next).toHaveLength(targets.length - 1);
    const before = t.demo.requests.portforward;
    const r = await readProxies(t.transport(), next, {
      concurrency: 4,
      timeoutMs: 5_000,
      cache,
      now: at + 1_000,
    });
    expect(r.forwarded).toBe(2);
    expect(t.demo.requests.portforward - before).toBe(2);
    expect(cache.entries.size).toBe(next.length);
    expect([...cache.entries.keys()].some((k) => k.endsWith(`/${gone}`))).toBe(false);
  });

  it("unreachable proxies are not cached: they are asked again on the next read", async () => {
    const read = await readCluster(t.transport());
    const targets = proxyTargets(read.inputs.objects);
    const hung = targets[0]!;
    t.demo.setFaults({ hangingProxies: [`${hung.namespace}/${hung.pod}`] });
    try {
      const cache = createProxyCache(300_000);
      const first = await readProxies(t.transport(), targets, {
        concurrency: 8,
        timeoutMs: 500,
        cache,
        now: 0,
      });
      expect(first.unreachable.map((u) => u.pod)).toEqual([hung.pod]);
      const second = await readProxies(t.transport(), targets, {
        concurrency: 8,
        timeoutMs: 500,
        cache,
        now: 1_000,
      });
      expect(second.forwarded).toBe(1);
      expect(second.unreachable.map((u) => u.pod)).toEqual([hung.pod]);
    } finally {
      t.demo.setFaults({});
    }
  });
});

function changed(
  pods: LoadedObject[],
  name: string,
  edit: (o: LoadedObject["object"]) => void,
): LoadedObject[] {
  const p = pods.find((x) => x.object.metadata.name === name)!;
  const copy = structuredClone(p);
  edit(copy.object);
  return [copy];
}
