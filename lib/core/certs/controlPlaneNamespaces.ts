// Where the control planes run, so that only their own CA Secrets (cacerts, istio-ca-secret,
// linkerd-identity-issuer) are read as the meshes' CAs (fromObjects.ts caSecret; docs/DECISIONS.md
// "Certificate gaps: anchors without basicConstraints, pathLen, control-plane namespaces" and
// "Certificate gaps 4").
import type { KubeObject, LoadedObject } from "../model/input";
import type { MeshModel } from "../model/mesh";
import { arr, at, str, strMap } from "../model/read";
import { DEFAULT_LINKERD_NAMESPACE } from "./sources/fromObjects";

const isIstiodLabelled = (labels: Record<string, string>) =>
  labels.app === "istiod" || labels.istio === "pilot";

/**
 * Where istiod runs: the namespaces of its mesh ConfigMaps, each revision's root namespace (Helm
 * renders it as istiod's), those of istiod's own pods and Deployments, by the labels Istio's chart
 * gives them (manifests/charts/istio-control/istio-discovery templates/deployment.yaml: app=istiod,
 * istio=pilot), so that an istiod outside istio-system is found without its ConfigMap (reviews/certs3.md #2),
 * and those named by istiod's Service and the sidecar injector's webhooks (reviews/certs4.md #5).
 */
export function istioCaNamespaces(model: MeshModel, objects: LoadedObject[]): Set<string> {
  const out = new Set(model.istiodNamespaces);
  for (const m of model.meshByRevision.values()) out.add(m.rootNamespace);
  for (const w of model.workloads) if (isIstiodLabelled(w.labels)) out.add(w.namespace);
  for (const { object: o } of objects) {
    if (o.kind === "Service" && isIstiodService(o)) out.add(o.metadata.namespace ?? "default");
    if (o.kind === "MutatingWebhookConfiguration") for (const ns of injectorServiceNamespaces(o)) out.add(ns);
  }
  return out;
}

/**
 * The chart's Service `istiod` / `istiod-<rev>` (istio-discovery templates/service.yaml: labels app=istiod,
 * istio=pilot, istio.io/rev; selector app=istiod). Either label, on the Service or in its selector, is
 * enough; so is `istiod-<rev>` with its istio.io/rev=<rev> label (a bare `istiod-client` is no istiod).
 * The name `istiod` alone is not (reviews/certs5.md #4): the chart's Service always carries the labels,
 * and an alias of that name in an app namespace would make the app's own `cacerts` Istio's CA. Nor is
 * an ExternalName Service (an alias, no pods of its namespace behind it) or one whose selector picks
 * other pods.
 */
function isIstiodService(o: KubeObject): boolean {
  if (at(o, "spec", "type") === "ExternalName") return false;
  const labels = strMap(o.metadata.labels);
  const selector = strMap(at(o, "spec", "selector"));
  if (isIstiodLabelled(selector)) return true;
  if (Object.keys(selector).length > 0) return false;
  if (isIstiodLabelled(labels)) return true;
  const rev = labels["istio.io/rev"];
  return rev !== undefined && o.metadata.name === `istiod-${rev}`;
}

/** Whether a webhook is one of Istio's sidecar injector's (istio-discovery templates/mutatingwebhook.yaml names them `*.sidecar-injector.istio.io`). */
export const isIstioInjectorWebhookName = (name: string): boolean =>
  name.endsWith("sidecar-injector.istio.io");

/**
 * The namespace of the istiod Service the sidecar injector's webhooks call (istio-discovery
 * templates/mutatingwebhook.yaml: webhooks `*.sidecar-injector.istio.io`, clientConfig.service
 * istiod[-<rev>] in istiod's namespace). Revision-tag webhooks carry the same webhooks.
 */
function injectorServiceNamespaces(o: KubeObject): string[] {
  const out: string[] = [];
  for (const wh of arr(o.webhooks)) {
    if (!isIstioInjectorWebhookName(str(at(wh, "name")) ?? "")) continue;
    const name = str(at(wh, "clientConfig", "service", "name"));
    const ns = str(at(wh, "clientConfig", "service", "namespace"));
    if (ns && (name === "istiod" || name?.startsWith("istiod-"))) out.push(ns);
  }
  return out;
}

const CONTROL_PLANE_COMPONENT = "linkerd.io/control-plane-component";
const CONTROL_PLANE_NS = "linkerd.io/control-plane-ns";

/**
 * Linkerd's control-plane namespace(s): linkerd-config's, the one its proxies name
 * (LINKERD2_PROXY_IDENTITY_LOCAL_NAME's `_l5d_ns`, LivePod.linkerdControlPlaneNs), that of its
 * control-plane pods (label linkerd.io/control-plane-component, charts/linkerd-control-plane); also
 * that of the linkerd-identity-trust-roots ConfigMap and of any object of the chart's labelled
 * linkerd.io/control-plane-component (its Services, Deployments, ServiceAccounts, the issuer Secret
 * itself), and the value of a linkerd.io/control-plane-ns label (reviews/certs4.md #1). The chart
 * renders the trust roots and the issuer in the same namespace, where the identity controller mounts
 * both. The default `linkerd` when none is known, as linkerdIdentityDomain takes it.
 */
export function linkerdControlPlaneNamespaces(model: MeshModel, objects: LoadedObject[]): Set<string> {
  const out = new Set<string>();
  if (model.linkerdConfig) out.add(model.linkerdConfig.namespace);
  for (const w of model.workloads) {
    if (w.labels[CONTROL_PLANE_COMPONENT] !== undefined) out.add(w.namespace);
    for (const p of w.livePods) if (p.linkerdControlPlaneNs) out.add(p.linkerdControlPlaneNs);
  }
  for (const { object: o } of objects) {
    const ns = o.metadata.namespace;
    const component = str(o.metadata.labels?.[CONTROL_PLANE_COMPONENT]);
    const namedNs = str(o.metadata.labels?.[CONTROL_PLANE_NS]);
    if (ns && o.kind === "ConfigMap" && o.metadata.name === "linkerd-identity-trust-roots") out.add(ns);
    if (ns && component !== undefined) out.add(ns);
    if (namedNs) out.add(namedNs);
  }
  if (out.size === 0) out.add(DEFAULT_LINKERD_NAMESPACE);
  return out;
}
