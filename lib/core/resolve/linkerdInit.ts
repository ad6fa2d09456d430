// What a meshed Linkerd pod's linkerd-init leaves outside the proxy (linkerd2-proxy-init iptables.go
// addIncomingTrafficRules: `-j RETURN -s <subnet>` for each --subnets-to-ignore, and `--dports` RETURN
// for --inbound-ports-to-ignore): connections from those networks, or to those ports, reach the
// application unchecked and in plaintext. Its inbound policy never sees them, so a decision by the
// caller's address must not refuse them.
import type { MeshModel, Workload } from "../model/mesh";
import type { Network } from "../model/linkerdAdmission";
import { subnetsOf } from "../model/linkerdPolicy";
import { linkerdPortRuns, type PortRuns } from "../model/read";

const SKIP_SUBNETS = "config.linkerd.io/skip-subnets";
const SKIP_INBOUND = "config.linkerd.io/skip-inbound-ports";

export interface InitBypass {
  subnets: Network[];
  ports: PortRuns;
  /** Where each comes from, worded to follow a list in parentheses. */
  subnetsFrom: string;
  portsFrom: string;
}

interface Raw {
  subnets: string;
  ports: string;
  subnetsFrom: string;
  portsFrom: string;
}

const ARGS = "its pods' linkerd-init args";

/** The pod's annotation over the namespace's, else linkerd-config's value, with where it comes from; null when none gives one. */
function setting(
  w: Workload,
  ns: Record<string, string>,
  key: string,
  config: string | null | undefined,
  value: string,
): { v: string; from: string } | null {
  if (w.annotations[key] !== undefined) return { v: w.annotations[key], from: `its pods' ${key}` };
  if (ns[key] !== undefined) return { v: ns[key], from: `namespace ${w.namespace}'s ${key}` };
  return config === null || config === undefined ? null : { v: config, from: `${value} in linkerd-config` };
}

/**
 * One pod's linkerd-init settings: its linkerd-init args when it has that container; else what the
 * injector renders them from, the pod's annotation over the namespace's (GetConfigOverride; the
 * annotation replaces the chart value), else linkerd-config's proxyInit values. A running pod without
 * linkerd-init (`live`), or any pod when linkerd-config sets cniEnabled, is in CNI mode: linkerd-cni
 * writes its rules from the annotations and its own config (linkerd2-cni chart: ignoreInboundPorts
 * "", no subnets), which is not among the inputs, so only an annotation gives a value there. Null
 * when nothing gives one.
 */
function rawOf(
  model: MeshModel,
  w: Workload,
  init: { subnets: string; inboundPorts: string } | undefined,
  live: boolean,
): Raw | null {
  if (init) return { subnets: init.subnets, ports: init.inboundPorts, subnetsFrom: ARGS, portsFrom: ARGS };
  const ns = model.namespaces.get(w.namespace)?.annotations ?? {};
  // Control planes that disagree on CNI mode: a pod not yet running may be in either (reviews/round6.md #2).
  if (!live && model.linkerdConfig?.cniEnabled === null) return null;
  const cni = live || model.linkerdConfig?.cniEnabled === true;
  const config = cni ? null : model.linkerdConfig;
  const subnets =
    setting(w, ns, SKIP_SUBNETS, config?.skipSubnets, "proxyInit.skipSubnets") ?? absent(model, cni, "");
  const ports =
    setting(w, ns, SKIP_INBOUND, config?.ignoreInboundPorts, "proxyInit.ignoreInboundPorts") ??
    absent(model, cni, CHART_IGNORED_INBOUND);
  if (subnets === null || ports === null) return null;
  return { subnets: subnets.v, ports: ports.v, subnetsFrom: subnets.from, portsFrom: ports.from };
}

/** linkerd-control-plane's values.yaml proxyInit.ignoreInboundPorts. */
const CHART_IGNORED_INBOUND = "4567,4568";

/**
 * A setting no annotation gives, when nothing among the inputs says otherwise: the chart's default with
 * no linkerd-config at all (manifests of an application repository rarely hold the control plane's
 * ConfigMap, and reading every refusal there as unknown would leave Linkerd's policies unjudged), and
 * linkerd2-cni's (no skipped ports or subnets) in CNI mode. Null when linkerd-config is among the inputs
 * but gives no single value (control planes disagree, or it does not parse): then it cannot be told.
 */
function absent(model: MeshModel, cni: boolean, chartDefault: string): { v: string; from: string } | null {
  if (cni) return { v: "", from: "linkerd-cni's default" };
  if (model.linkerdConfig === null || model.linkerdConfig === undefined)
    return { v: chartDefault, from: "the chart's default (no linkerd-config among the inputs)" };
  return null;
}

/**
 * The networks and ports a meshed workload's linkerd-init lets past the proxy, when every pod (its
 * non-terminal live pods, else its template) gives the same ones; null when that cannot be told
 * (pods differ, a subnet list does not parse, or neither the pods, the annotations nor linkerd-config
 * give them).
 */
export function linkerdInitBypass(model: MeshModel, w: Workload): InitBypass | null {
  const live = w.livePods.filter((p) => !p.terminal);
  const inits = live.length > 0 ? live.map((p) => p.linkerdInit) : [w.linkerdTemplate?.linkerdInit];
  let raw: Raw | null = null;
  for (const init of inits) {
    const r = rawOf(model, w, init, live.length > 0);
    if (r === null || (raw !== null && (r.subnets !== raw.subnets || r.ports !== raw.ports))) return null;
    if (raw === null || r.subnetsFrom + r.portsFrom < raw.subnetsFrom + raw.portsFrom) raw = r;
  }
  if (raw === null) return null;
  const subnets = subnetsOf(raw.subnets);
  return subnets === null
    ? null
    : { subnets, ports: linkerdPortRuns(raw.ports), subnetsFrom: raw.subnetsFrom, portsFrom: raw.portsFrom };
}
