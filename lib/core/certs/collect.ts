// Gathers every certificate input: Kubernetes objects (ConfigMaps, Secrets, cert-manager, SPIRE)
// and proxy config dumps, each dump tied to its pod's workload and service account when known.
import type { InputProblem, LoadedObject } from "../model/input";
import { workloadOfPod } from "../model/buildModel";
import type { MeshModel } from "../model/mesh";
import { certInputsFromDump } from "./sources/fromConfigDumps";
import { certInputsFromObjects, DEFAULT_LINKERD_NAMESPACE } from "./sources/fromObjects";
import type { CertInput, CertManagerCertificate, CertManagerIssuer, SpireServerConfig } from "./types";

export interface CollectedCerts {
  inputs: CertInput[];
  certManager: { certificates: CertManagerCertificate[]; issuers: CertManagerIssuer[] };
  spire: SpireServerConfig[];
  problems: InputProblem[];
}

export function collectCertInputs(model: MeshModel, objects: LoadedObject[]): CollectedCerts {
  const fromObjects = certInputsFromObjects(objects, istioCaNamespaces(model), linkerdControlPlaneNamespaces(model));
  const inputs = [...fromObjects.inputs];
  const problems = [...fromObjects.problems];
  for (const dump of model.configDumps) {
    const w = dump.pod ? workloadOfPod(model, dump.pod.namespace, dump.pod.name) : undefined;
    const r = certInputsFromDump(dump, w ? { serviceAccount: w.serviceAccount, workload: w.name } : undefined);
    inputs.push(...r.inputs);
    problems.push(...r.problems);
  }
  return { inputs, certManager: fromObjects.certManager, spire: fromObjects.spire, problems };
}

/**
 * Where istiod runs: the namespaces of its mesh ConfigMaps, each revision's root namespace (Helm
 * renders it as istiod's), and those of istiod's own pods and Deployments, by the labels Istio's
 * chart gives them (manifests/charts/istio-control/istio-discovery templates/deployment.yaml: app=istiod,
 * istio=pilot), so that an istiod outside istio-system is found without its ConfigMap (reviews/certs3.md #2).
 */
function istioCaNamespaces(model: MeshModel): Set<string> {
  const out = new Set(model.istiodNamespaces);
  for (const m of model.meshByRevision.values()) out.add(m.rootNamespace);
  for (const w of model.workloads) if (w.labels.app === "istiod" || w.labels.istio === "pilot") out.add(w.namespace);
  return out;
}

/**
 * Linkerd's control-plane namespace(s): linkerd-config's, the one its proxies name
 * (LINKERD2_PROXY_IDENTITY_LOCAL_NAME's `_l5d_ns`, LivePod.linkerdControlPlaneNs), and that of its
 * control-plane pods (label linkerd.io/control-plane-component, charts/linkerd-control-plane); the
 * default `linkerd` when none is known, as linkerdIdentityDomain takes it. The identity controller reads
 * linkerd-identity-issuer from its own namespace only.
 */
function linkerdControlPlaneNamespaces(model: MeshModel): Set<string> {
  const out = new Set<string>();
  if (model.linkerdConfig) out.add(model.linkerdConfig.namespace);
  for (const w of model.workloads) {
    if (w.labels["linkerd.io/control-plane-component"] !== undefined) out.add(w.namespace);
    for (const p of w.livePods) if (p.linkerdControlPlaneNs) out.add(p.linkerdControlPlaneNs);
  }
  if (out.size === 0) out.add(DEFAULT_LINKERD_NAMESPACE);
  return out;
}
