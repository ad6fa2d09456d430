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
  /**
   * values.clusterNetworks as written, untrimmed (comma-separated CIDRs: the pod and service networks;
   * the chart passes it verbatim, `--cluster-networks={{.Values.clusterNetworks}}`), when every
   * linkerd-config among the inputs gives the same one; null when one is unset, its values do not
   * parse, or they differ: each control plane's policy controller takes its own, and which one serves a
   * given pod is not read here, so the first by namespace must not decide for all (agreedSetting).
   */
  clusterNetworks: string | null;
  /**
   * Every linkerd-config among the inputs sets values.disableIPv6 to false: Linkerd (2.16+) then
   * intercepts IPv6 (proxy-init without `--ipv6=false`, _proxy-init.tpl). Its default is true, and
   * older releases write no ip6tables rules at all: an IPv6 connection then bypasses the proxy and
   * its inbound policy. False when unset or when one config does not say false.
   */
  ipv6: boolean;
  /**
   * Every linkerd-config gives the same default inbound policy (or none sets one). When two control
   * planes differ, linkerdInbound.ts `clusterDefault` takes the pod's own control plane's
   * (defaultByNamespace), and leaves the default untold when the pod's control plane is not known.
   */
  defaultPolicyAgreed: boolean;
  /**
   * Each control plane's default inbound policy by its namespace (null when unset, its values do not
   * parse, or two configs there differ): where the configs disagree, a pod's own control plane
   * (LivePod.linkerdControlPlaneNs) picks its default, never the first by namespace.
   */
  defaultByNamespace: ReadonlyMap<string, string | null>;
  /**
   * values.cniEnabled of every linkerd-config (its pods' iptables rules then come from linkerd-cni's own
   * config, not proxyInit): true or false when all say the same, null when they differ or one's values
   * do not parse (which mode a pod not yet running is in cannot be told).
   */
  cniEnabled: boolean | null;
  /**
   * values.proxyInit.skipSubnets (chart default ""), which the chart renders into linkerd-init's
   * --subnets-to-ignore: connections from these networks never reach the proxy. Null when configs
   * differ, one's values do not parse, or the value is not a string.
   */
  skipSubnets: string | null;
  /**
   * values.proxyInit.ignoreInboundPorts (chart default "4567,4568"), rendered into linkerd-init's
   * --inbound-ports-to-ignore: these ports never reach the proxy. Null as for skipSubnets.
   */
  ignoreInboundPorts: string | null;
}

const UNPARSED = Symbol("unparsed");
/** A linkerd-config's values, or UNPARSED when they do not parse. */
function valuesOf(o: LoadedObject): unknown {
  try {
    return yaml.load(str(at(o.object, "data", "values"))!);
  } catch {
    return UNPARSED;
  }
}

/**
 * `read`'s answer for every config's values, when all parse and give the same non-null one; else null
 * (none, one that does not parse, a null answer, or two that differ).
 */
function agreedSetting<T>(all: readonly unknown[], read: (values: unknown) => T | null): T | null {
  let out: T | null = null;
  for (const values of all) {
    const v = values === UNPARSED ? null : read(values);
    if (v === null || (out !== null && v !== out)) return null;
    out = v;
  }
  return out;
}

/** A proxyInit setting as the chart renders it (`toString`): its default when unset, null when it is no scalar. */
const proxyInitSetting = (key: string, fallback: string) => (values: unknown) => {
  const v = at(values, "proxyInit", key);
  if (v === undefined || v === null) return fallback;
  return typeof v === "string" || typeof v === "number" ? String(v) : null;
};

const namespaceOf = (o: LoadedObject) => o.object.metadata.namespace ?? "default";
const valuesText = (o: LoadedObject) => str(at(o.object, "data", "values")) ?? "";
/** By namespace, then by the values as written: a fixed order whatever the input order. */
const byNamespaceThenValues = (a: LoadedObject, b: LoadedObject) =>
  namespaceOf(a) < namespaceOf(b)
    ? -1
    : namespaceOf(a) > namespaceOf(b)
      ? 1
      : valuesText(a) < valuesText(b)
        ? -1
        : valuesText(a) > valuesText(b)
          ? 1
          : 0;

/**
 * The linkerd-config ConfigMap among the inputs, the first by namespace (then by its values as
 * written, so the input order never decides) when there are several (one per control plane); null
 * when there is none (a ConfigMap without `values`, which the chart always writes, is none). One whose
 * values do not parse gives unknown (null) settings.
 */
export function readLinkerdConfig(objects: readonly LoadedObject[]): LinkerdConfig | null {
  let found: LoadedObject | null = null;
  const configs: LoadedObject[] = [];
  for (const o of objects) {
    if (o.object.kind !== "ConfigMap" || o.object.metadata.name !== "linkerd-config") continue;
    if (str(at(o.object, "data", "values")) === undefined) continue;
    configs.push(o);
    if (!found || byNamespaceThenValues(o, found) < 0) found = o;
  }
  if (!found) return null;
  // A linkerd-config whose values do not parse is still one: what it would say cannot be told, so the
  // settings below are unknown (null), never the chart's defaults that apply without one (reviews/round6.md #2).
  const all = configs.map(valuesOf);
  const values = all[configs.indexOf(found)];
  const setting = (key: string, sub?: string) => {
    const v = str(sub === undefined ? at(values, key) : at(values, key, sub));
    return v !== undefined && v.trim() !== "" ? v.trim() : null;
  };
  const defaultOf = (v: unknown) =>
    v === UNPARSED
      ? null
      : str(at(v, "proxy", "defaultInboundPolicy"))?.trim() ||
        str(at(v, "policyController", "defaultAllowPolicy"))?.trim() ||
        null;
  const defaultByNamespace = new Map<string, string | null>();
  configs.forEach((o, i) => {
    const ns = namespaceOf(o);
    const d = defaultOf(all[i]);
    defaultByNamespace.set(ns, defaultByNamespace.has(ns) && defaultByNamespace.get(ns) !== d ? null : d);
  });
  return {
    namespace: found.object.metadata.namespace ?? "default",
    trustDomain: setting("identityTrustDomain") ?? setting("clusterDomain"),
    defaultInboundPolicy: defaultOf(values),
    clusterNetworks: agreedSetting(all, (v) => {
      const n = str(at(v, "clusterNetworks"));
      return n !== undefined && n !== "" ? n : null;
    }),
    ipv6: agreedSetting(all, (v) => (at(v, "disableIPv6") === false ? true : null)) === true,
    // "" stands for "none set", which agrees with another config that sets none.
    defaultPolicyAgreed: agreedSetting(all, (v) => defaultOf(v) ?? "") !== null,
    defaultByNamespace,
    cniEnabled: agreedSetting(all, (v) => at(v, "cniEnabled") === true),
    skipSubnets: agreedSetting(all, proxyInitSetting("skipSubnets", "")),
    ignoreInboundPorts: agreedSetting(all, proxyInitSetting("ignoreInboundPorts", "4567,4568")),
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
