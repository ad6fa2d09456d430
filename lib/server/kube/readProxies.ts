// Proxy secrets the way `istioctl proxy-config secret` reads them (istio.md §6): a port-forward to the
// pod's admin port 15000 and `GET /config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets`;
// ztunnel's `/config_dump` likewise. Bounded concurrency and a per-pod timeout, so one hung proxy
// costs at most the timeout and the others are still read.
import "server-only";
import { emptyParsed, mergeParsed } from "../../core/load/mergeParsed";
import { loadConfigDump } from "../../core/load/parseManifests";
import type { LoadedObject, ParsedInputs } from "../../core/model/input";
import type { UnreachableProxy } from "../../core/findings/context";
import { mapBounded } from "./mapBounded";
import { asKubeError } from "./readLists";
import type { KubeTransport } from "./transport";

export const ADMIN_PORT = 15000;
export const ENVOY_SECRETS_PATH = "/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets";
export const ZTUNNEL_DUMP_PATH = "/config_dump";

export interface ProxyTarget {
  namespace: string;
  pod: string;
  kind: "envoy" | "ztunnel";
}

export interface ProxyOptions {
  concurrency: number;
  timeoutMs: number;
}

export interface ProxyRead {
  inputs: ParsedInputs;
  unreachable: UnreachableProxy[];
  attempted: number;
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
    if (o.metadata.labels?.app === "ztunnel") out.push({ namespace: o.metadata.namespace, pod: o.metadata.name, kind: "ztunnel" });
    else if (names.includes("istio-proxy")) out.push({ namespace: o.metadata.namespace, pod: o.metadata.name, kind: "envoy" });
  }
  return out.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
}

export async function readProxies(t: KubeTransport, targets: ProxyTarget[], o: ProxyOptions): Promise<ProxyRead> {
  const results = await mapBounded(targets, o.concurrency, async (p) => {
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
  return {
    inputs: mergeParsed(results.map((r) => r.inputs)),
    unreachable: results.flatMap((r) => (r.unreachable ? [r.unreachable] : [])),
    attempted: targets.length,
  };
}
