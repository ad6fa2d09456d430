// Proxy secrets the way `istioctl proxy-config secret` reads them (istio.md §6): a port-forward to the
// pod's admin port 15000 and `GET /config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets`;
// ztunnel's `/config_dump` likewise. Bounded concurrency and a per-pod timeout, so one hung proxy
// costs at most the timeout and the others are still read. Dumps are reused between refreshes of a
// cluster (kube/proxyCache.ts): only new or changed pods, and those read longer ago than the cadence,
// are port-forwarded to.
import "server-only";
import { emptyParsed, mergeParsed } from "../../core/load/mergeParsed";
import { loadConfigDump } from "../../core/load/parseManifests";
import type { LoadedObject, ParsedInputs } from "../../core/model/input";
import type { UnreachableProxy } from "../../core/findings/context";
import { mapBounded } from "./mapBounded";
import { cachedDump, type CachedDump, type ProxyCache } from "./proxyCache";
import { asKubeError } from "./readLists";
import type { KubeTransport } from "./transport";

export const ADMIN_PORT = 15000;
export const ENVOY_SECRETS_PATH = "/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets";
export const ZTUNNEL_DUMP_PATH = "/config_dump";

export interface ProxyTarget {
  namespace: string;
  pod: string;
  kind: "envoy" | "ztunnel";
  /** The pod's UID and container restart count: a dump read for another identity is not reused. */
  identity: string;
}

export interface ProxyOptions {
  concurrency: number;
  timeoutMs: number;
  /** Dumps kept between reads of one cluster (absent: every proxy is asked every time). */
  cache?: ProxyCache;
  /** Clock for the cache (epoch ms). */
  now?: number;
}

export interface ProxyRead {
  inputs: ParsedInputs;
  unreachable: UnreachableProxy[];
  attempted: number;
  /** Proxies port-forwarded to in this read (the others' dumps came from the cache). */
  forwarded: number;
}

/** UID and restarts of every container (a restarted proxy has new certificates). */
function podIdentity(o: { metadata: { uid?: unknown; resourceVersion?: unknown }; status?: unknown }): string {
  const status = o.status as { containerStatuses?: { restartCount?: unknown }[]; initContainerStatuses?: { restartCount?: unknown }[] } | undefined;
  const restarts = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])].reduce((n, c) => n + (typeof c?.restartCount === "number" ? c.restartCount : 0), 0);
  // Without a UID (not from an API server) the resourceVersion is the best identity there is.
  const id = typeof o.metadata.uid === "string" && o.metadata.uid !== "" ? o.metadata.uid : `rv:${String(o.metadata.resourceVersion ?? "")}`;
  return `${id}/${restarts}`;
}

/** Running pods with an Istio proxy (sidecar, native sidecar, gateway) and ztunnel pods, sorted. */
export function proxyTargets(objects: LoadedObject[]): ProxyTarget[] {
  const out: ProxyTarget[] = [];
  for (const { object: o } of objects) {
    if (o.kind !== "Pod" || o.metadata.namespace === undefined) continue;
    const status = o.status as { phase?: unknown } | undefined;
    if (status?.phase !== "Running") continue;
    const spec = o.spec as { containers?: { name?: unknown }[]; initContainers?: { name?: unknown }[] } | undefined;
    const names = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c?.name);
    // Istio's ztunnel DaemonSet labels its pods app=ztunnel (its container is also named istio-proxy).
    const identity = podIdentity(o as never);
    if (o.metadata.labels?.app === "ztunnel") out.push({ namespace: o.metadata.namespace, pod: o.metadata.name, kind: "ztunnel", identity });
    else if (names.includes("istio-proxy")) out.push({ namespace: o.metadata.namespace, pod: o.metadata.name, kind: "envoy", identity });
  }
  return out.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
}

export async function readProxies(t: KubeTransport, targets: ProxyTarget[], o: ProxyOptions): Promise<ProxyRead> {
  const now = o.now ?? Date.now();
  const cache = o.cache;
  const reused = new Map<string, ParsedInputs>();
  const ask: ProxyTarget[] = [];
  for (const p of targets) {
    const hit = cache ? cachedDump(cache, `${p.namespace}/${p.pod}`, p.identity, now) : undefined;
    if (hit) reused.set(`${p.namespace}/${p.pod}`, hit);
    else ask.push(p);
  }
  const asked = await mapBounded(ask, o.concurrency, async (p) => {
    const path = p.kind === "ztunnel" ? ZTUNNEL_DUMP_PATH : ENVOY_SECRETS_PATH;
    const at = { file: `${p.namespace}/${p.pod}:${ADMIN_PORT}${path}` };
    let text: string;
    try {
      text = await t.podGet(p.namespace, p.pod, ADMIN_PORT, path, o.timeoutMs);
    } catch (e) {
      return { inputs: emptyParsed(), unreachable: { namespace: p.namespace, pod: p.pod, reason: asKubeError(e).message } };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const inputs = emptyParsed();
      inputs.problems.push({ ...at, message: "config dump is not JSON" });
      return { inputs, unreachable: undefined };
    }
    return { inputs: loadConfigDump(body, { namespace: p.namespace, name: p.pod }, at), unreachable: undefined };
  });
  if (cache) {
    // Pods gone since the last read are forgotten; dumps just read replace what was kept.
    const fresh = new Map<string, CachedDump>();
    for (const p of targets) {
      const key = `${p.namespace}/${p.pod}`;
      const kept = cache.entries.get(key);
      if (reused.has(key) && kept) fresh.set(key, kept);
    }
    ask.forEach((p, i) => {
      const r = asked[i];
      if (r && !r.unreachable) fresh.set(`${p.namespace}/${p.pod}`, { identity: p.identity, at: now, inputs: r.inputs });
    });
    cache.entries = fresh;
  }
  // In target order, whether read now or reused, so the result does not depend on the cache.
  const byKey = new Map<string, (typeof asked)[number]>(ask.map((p, i) => [`${p.namespace}/${p.pod}`, asked[i]!]));
  const results = targets.map((p) => {
    const key = `${p.namespace}/${p.pod}`;
    return byKey.get(key) ?? { inputs: reused.get(key)!, unreachable: undefined };
  });
  return {
    inputs: mergeParsed(results.map((r) => r.inputs)),
    unreachable: results.flatMap((r) => (r.unreachable ? [r.unreachable] : [])),
    attempted: targets.length,
    forwarded: ask.length,
  };
}
