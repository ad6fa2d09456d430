// A Linkerd-injected namespace and its policy objects, as the Linkerd review suites build them.
import type { KubeObject } from "../../lib/core/model/input";
import { namespace } from "../kit";

export const L5D = "emojivoto";
/**
 * linkerd-init skipping nothing (empty skip annotations, which replace the chart values): these suites
 * judge the inbound policy, and a refusal is decided only where what linkerd-init skips is known
 * (linkerdInbound.ts pastInit).
 */
export const NO_SKIPS = { "config.linkerd.io/skip-subnets": "", "config.linkerd.io/skip-inbound-ports": "" };
export const l5dNs = (annotations: Record<string, string> = {}) =>
  namespace(L5D, {}, { "linkerd.io/inject": "enabled", ...NO_SKIPS, ...annotations });
export const l5dPolicy = (
  kind: string,
  name: string,
  spec: Record<string, unknown>,
  version = kind === "Server" ? "v1beta3" : "v1alpha1",
): KubeObject => ({
  apiVersion: `policy.linkerd.io/${version}`,
  kind,
  metadata: { name, namespace: L5D, labels: { policy: name } },
  spec,
});
