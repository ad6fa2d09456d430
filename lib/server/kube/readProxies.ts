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
function podIdentity(o: {
  metadata: { uid?: unknown; resourceVersion?: unknown };
  status?: unknown;
}): string {
  const status = o.status as
    | {
        containerStatuses?: { restartCount?: unknown }[];
        initContainerStatuses?: { restartCount?: unknown }[];
      }
    | undefined;
  const restarts = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])].reduce(
    (n, c) => n + (typeof c?.restartCount === "number" ? c.restartCount : 0),
    0,
  );
  // Without a UID (not from an API server) the resourceVersion is the best identity there is.
  const id =
    typeof o.metadata.uid === "string" && o.metadata.uid !== ""
      ? o.metadata.uid
      : `rv:${String(o.metadata.resourceVersion ?? "")}`;
  return `${id}/${restarts}`;
}

/** Running pods with an Istio proxy (sidecar, native sidecar, gateway) and ztunnel pods, sorted. */
export function proxyTargets(objects: LoadedObject[]): ProxyTarget[] {
  const out: ProxyTarget[] = [];
  for (const { object: o } of objects) {
    if (o.kind !== "Pod" || o.metadata.namespace === undefined) continue;
    const status = o.status as { phase?: unknown } | undefined;
    if (status?.phase !== "Running") continue;
    const spec = o.spec as
      { containers?: { name?: unknown }[]; initContainers?: { name?: unknown }[] } | undefined;
    const names = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c?.name);
    // Istio's ztunnel DaemonSet labels its pods app=ztunnel (its container is also named istio-proxy).
    const identity = podIdentity(o as never);
    if (o.metadata.labels?.app === "ztunnel")
      out.push({ namespace: o.metadata.namespace, pod: o.metadata.name, kind: "ztunnel", identity });
    else if (names.includes("istio-proxy"))
      out.push({ namespace: o.metadata.namespace, pod: o.metadata.name, kind: "envoy", identity });
  }
  return out.sort((a, b) =>
    a.namespace < b.namespace
      ? -1
      : a.namespace > b.namespace
        ? 1
        : a.pod < b.pod
          ? -1
          : a.pod > b.pod
            ? 1
            : 0,
  );
}

export async function readProxies(
  t: KubeTransport,
  targets: ProxyTarget[],
  o: ProxyOptions,
): Promise<ProxyRead> {
  const now = o.now ?? Date.now();
  let forwarded = 0;
  // One result per target, in target order, whether reused or read now: the result does not depend on the cache.
  const results = await mapBounded(
    targets,
    o.concurrency,
    async (p): Promise<CachedDump | UnreachableProxy> => {
      const kept = o.cache && cachedDump(o.cache, `${p.namespace}/${p.pod}`, p.identity, now);
      if (kept) return kept;
      forwarded++;
      const read = await askProxy(t, p, o.timeoutMs);
      return "reason" in read ? read : { identity: p.identity, at: now, inputs: read };
    },
  );
  const dumps = new Map<string, CachedDump>();
  const unreachable: UnreachableProxy[] = [];
  targets.forEach((p, i) => {
    const r = results[i]!;
    if ("inputs" in r) dumps.set(`${p.namespace}/${p.pod}`, r);
    else unreachable.push(r);
  });
  // Pods gone since the last read are forgotten, unreachable ones asked again next time.
  if (o.cache) o.cache.entries = dumps;
  return {
    inputs: mergeParsed([...dumps.values()].map((d) => d.inputs)),
    unreachable,
    attempted: targets.length,
    forwarded,
  };
}

/** One proxy's dump through a port-forward, or why it could not be read. */
async function askProxy(
  t: KubeTransport,
  p: ProxyTarget,
  timeoutMs: number,
): Promise<ParsedInputs | UnreachableProxy> {
  const path = p.kind === "ztunnel" ? ZTUNNEL_DUMP_PATH : ENVOY_SECRETS_PATH;
  const at = { file: `${p.namespace}/${p.pod}:${ADMIN_PORT}${path}` };
  let text: string;
  try {
    text = await t.podGet(p.namespace, p.pod, ADMIN_PORT, path, timeoutMs);
  } catch (e) {
    return { namespace: p.namespace, pod: p.pod, reason: asKubeError(e).message };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const inputs = emptyParsed();
    inputs.problems.push({ ...at, message: "config dump is not JSON" });
    return inputs;
  }
  return loadConfigDump(body, { namespace: p.namespace, name: p.pod }, at);
}
