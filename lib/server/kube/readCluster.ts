// One read of a cluster: discovery, every kind the core needs, then the proxies' secrets. What this
// identity may not read (403) becomes completeness entries, unreachable proxies become findings; but a
// cluster that does not answer (discovery or any list: unreachable, timeout, 5xx, 429) fails the whole
// read, so the snapshot service serves the last good snapshot, stale, rather than an empty one.
import "server-only";
import { mergeParsed } from "../../core/load/mergeParsed";
import type { ParsedInputs } from "../../core/model/input";
import type { UnreachableProxy } from "../../core/findings/context";
import type { Completeness } from "../../core/snapshot/schema";
import { KINDS, NAMESPACES } from "./kinds";
import { mapBounded } from "./mapBounded";
import { pruneDenials, type ForbiddenCache } from "./forbiddenCache";
import type { ProxyCache } from "./proxyCache";
import { proxyTargets, readProxies } from "./readProxies";
import { discover, readKind, type ListOptions, type NamespaceScope } from "./readLists";
import type { KubeTransport } from "./transport";

export interface ReadOptions {
  pageSize?: number;
  /** Per API request. */
  requestTimeoutMs?: number;
  /** Kinds listed at once. */
  listConcurrency?: number;
  /** Port-forwards at once (default 16). */
  proxyConcurrency?: number;
  /** Per proxy, connection included (default 5 s). */
  proxyTimeoutMs?: number;
  /** Config dumps kept between reads of this cluster (kube/proxyCache.ts); absent: every proxy is asked. */
  proxyCache?: ProxyCache;
  /** Per-namespace denials kept between reads (kube/forbiddenCache.ts); absent: every namespace is asked. */
  forbiddenCache?: ForbiddenCache;
  /** The read's clock (epoch ms) for the proxy cache; default Date.now(). */
  now?: number;
}

export interface ClusterRead {
  inputs: ParsedInputs;
  completeness: Completeness[];
  unreachableProxies: UnreachableProxy[];
  stats: { objects: number; proxies: number; forwarded: number; versions: Record<string, string | null> };
}

export const DEFAULT_READ_OPTIONS: Required<Omit<ReadOptions, "proxyCache" | "forbiddenCache" | "now">> = {
  pageSize: 500,
  requestTimeoutMs: 10_000,
  listConcurrency: 6,
  proxyConcurrency: 16,
  proxyTimeoutMs: 5_000,
};

export async function readCluster(t: KubeTransport, opts: ReadOptions = {}): Promise<ClusterRead> {
  const o = { ...DEFAULT_READ_OPTIONS, ...opts };
  if (o.forbiddenCache) pruneDenials(o.forbiddenCache, o.now ?? Date.now());
  const list: ListOptions = {
    pageSize: o.pageSize,
    timeoutMs: o.requestTimeoutMs,
    concurrency: o.listConcurrency,
    ...(o.forbiddenCache ? { denials: { cache: o.forbiddenCache, now: o.now ?? Date.now() } } : {}),
  };
  // Throws when the API server cannot be reached: the whole read failed (lists likewise, isReadFailure).
  const discovery = await discover(t, o.requestTimeoutMs);

  const nsRead = await readKind(t, NAMESPACES, discovery, null, list);
  // An identity that may not list namespaces is often one bound in a single namespace (a team's
  // RoleBinding and its kubeconfig context's `namespace:`, or a service account's own namespace): read
  // that namespace's lists, as `kubectl get pods` does, rather than nothing.
  // The cluster-wide 403 of each kind is still reported (NamespaceScope.all false): the snapshot must not
  // read as complete when one namespace was.
  const namespaces: NamespaceScope | null =
    nsRead.completeness.length > 0
      ? t.contextNamespace !== undefined
        ? { names: [t.contextNamespace], all: false }
        : null
      : { names: nsRead.inputs.objects.map((x) => x.object.metadata.name).sort(), all: true };
  const kinds = await mapBounded(KINDS, o.listConcurrency, (spec) =>
    readKind(t, spec, discovery, namespaces, list),
  );

  const objects = mergeParsed([nsRead.inputs, ...kinds.map((k) => k.inputs)]);
  const proxies = await readProxies(t, proxyTargets(objects.objects), {
    concurrency: o.proxyConcurrency,
    timeoutMs: o.proxyTimeoutMs,
    ...(o.proxyCache ? { cache: o.proxyCache } : {}),
    ...(o.now !== undefined ? { now: o.now } : {}),
  });

  const completeness = [...nsRead.completeness, ...kinds.flatMap((k) => k.completeness)];
  for (const p of proxies.unreachable)
    completeness.push({
      kind: "Pod",
      namespace: p.namespace,
      reason: /timed out/.test(p.reason) ? "timeout" : "error",
      message: `proxy secrets of pod ${p.namespace}/${p.pod} could not be read: ${p.reason}`,
    });

  const versions: Record<string, string | null> = { Namespace: nsRead.version };
  KINDS.forEach((k, i) => (versions[k.kind] = kinds[i]?.version ?? null));
  return {
    inputs: mergeParsed([objects, proxies.inputs]),
    completeness,
    unreachableProxies: proxies.unreachable,
    stats: {
      objects: objects.objects.length,
      proxies: proxies.attempted,
      forwarded: proxies.forwarded,
      versions,
    },
  };
}
