// Shared pieces of the revision / discoverySelectors tests: revision-tag webhooks, labelling, and the
// "two namespaces on the tag prod-stable (→ revision 1-29)" mesh several suites start from.
import type { KubeObject } from "../../lib/core/model/input";
import { deploy, meshConfig, namespace, peerAuth, service } from "../kit";

export type Labels = Record<string, string>;

/** A revision tag as `istioctl tag set` writes it: a MutatingWebhookConfiguration labelled istio.io/tag and istio.io/rev. */
export const tagWebhook = (tag: string, rev: string, name = `istio-revision-tag-${tag}`): KubeObject => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: { name, labels: { "istio.io/rev": rev, "istio.io/tag": tag } },
  webhooks: [{ name: "rev.namespace.sidecar-injector.istio.io" }],
});

export const labelled = <T extends KubeObject>(o: T, labels: Labels): T => ({
  ...o,
  metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), ...labels } },
});
export const withRev = <T extends KubeObject>(o: T, rev: string): T => labelled(o, { "istio.io/rev": rev });
export const emptySel = (ns: string, name: string, mode: string, created: string) =>
  peerAuth(ns, name, mode, { selector: {}, created });
export const T = (y: number) => `${y}-01-01T00:00:00Z`;
export const AMB: Labels = { "istio.io/dataplane-mode": "ambient" };
export const INJ: Labels = { "istio-injection": "enabled" };
export const REV = (r: string): Labels => ({ "istio.io/rev": r });

/** Namespaces a (client) and b (srv:8080 behind Service srv:80), both on the tag prod-stable → revision 1-29. */
export const stableTagMesh = (): KubeObject[] => [
  namespace("istio-system"),
  namespace("a", { "istio.io/rev": "prod-stable" }),
  namespace("b", { "istio.io/rev": "prod-stable" }),
  tagWebhook("prod-stable", "1-29"),
  meshConfig("{}\n", "istio-system", "istio-1-29"),
  deploy("a", "client"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080 }]),
];
