// Linkerd's control-plane settings that decide identity names and the cluster-wide default inbound
// policy, read from the `linkerd-config` ConfigMap: its `values` key holds the chart's values as YAML
// (charts/linkerd-control-plane/templates/config.yaml, which fills identityTrustDomain with
// clusterDomain when it is empty), and its namespace is the control plane's.
import yaml from "js-yaml";
import type { LoadedObject } from "./input";
import type { LivePod } from "./mesh";
import { at, str } from "./read";

export interface LinkerdConfig {
  /** The control plane's namespace (the identity names' `<control-plane-ns>`). */
  namespace: string;
  /** values.identityTrustDomain, else values.clusterDomain; null when neither is set. */
  trustDomain: string | null;
  /** values.proxy.defaultInboundPolicy (older charts: policyController.defaultAllowPolicy); null when unset. */
  defaultInboundPolicy: string | null;
  /** values.clusterNetworks as written (comma-separated CIDRs: the pod and service networks); null when unset. */
  clusterNetworks: string | null;
}

/**
 * The linkerd-config ConfigMap among the inputs, the first by namespace when there are several (one
 * per control plane); null when there is none or its values do not parse (the chart writes them, so a
 * hand-made ConfigMap without them says nothing).
 */
export function readLinkerdConfig(objects: readonly LoadedObject[]): LinkerdConfig | null {
  let found: LoadedObject | null = null;
  for (const o of objects) {
    if (o.object.kind !== "ConfigMap" || o.object.metadata.name !== "linkerd-config") continue;
    if (str(at(o.object, "data", "values")) === undefined) continue;
    if (!found || (o.object.metadata.namespace ?? "default") < (found.object.metadata.namespace ?? "default")) found = o;
  }
  if (!found) return null;
  let values: unknown;
  try {
    values = yaml.load(str(at(found.object, "data", "values"))!);
  } catch {
    return null;
  }
  const setting = (key: string, sub?: string) => {
    const v = str(sub === undefined ? at(values, key) : at(values, key, sub));
    return v !== undefined && v.trim() !== "" ? v.trim() : null;
  };
  return {
    namespace: found.object.metadata.namespace ?? "default",
    trustDomain: setting("identityTrustDomain") ?? setting("clusterDomain"),
    defaultInboundPolicy: setting("proxy", "defaultInboundPolicy") ?? setting("policyController", "defaultAllowPolicy"),
    clusterNetworks: setting("clusterNetworks"),
  };
}

/**
 * The suffix of a Linkerd workload's identity names, `<control-plane-ns>.<trust-domain>` (the proxy's
 * LINKERD2_PROXY_IDENTITY_LOCAL_NAME is `$(_pod_sa).$(_pod_ns).serviceaccount.identity.$(_l5d_ns).$(_l5d_trustdomain)`,
 * charts/partials `_proxy.tpl`): from its running proxies' env when they agree, else linkerd-config,
 * else Linkerd's defaults (linkerd, cluster.local).
 */
export function linkerdIdentityDomain(config: LinkerdConfig | null, pods: readonly LivePod[]): string {
  let seen: string | null | undefined;
  for (const p of pods) {
    if (!p.linkerdControlPlaneNs || !p.linkerdTrustDomain) continue;
    const d = `${p.linkerdControlPlaneNs}.${p.linkerdTrustDomain}`;
    seen = seen === undefined || seen === d ? d : null;
  }
  if (seen) return seen;
  return `${config?.namespace ?? "linkerd"}.${config?.trustDomain ?? "cluster.local"}`;
}
