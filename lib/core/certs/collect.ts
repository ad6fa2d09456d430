// Gathers every certificate input: Kubernetes objects (ConfigMaps, Secrets, cert-manager, SPIRE)
// and proxy config dumps, each dump tied to its pod's workload and service account when known.
import type { InputProblem, LoadedObject } from "../model/input";
import { workloadOfPod } from "../model/buildModel";
import type { MeshModel } from "../model/mesh";
import { certInputsFromDump } from "./sources/fromConfigDumps";
import { istioCaNamespaces, linkerdControlPlaneNamespaces } from "./controlPlaneNamespaces";
import { certInputsFromObjects } from "./sources/fromObjects";
import type { CertInput, CertManagerCertificate, CertManagerIssuer, SpireServerConfig } from "./types";

export interface CollectedCerts {
  inputs: CertInput[];
  certManager: { certificates: CertManagerCertificate[]; issuers: CertManagerIssuer[] };
  spire: SpireServerConfig[];
  problems: InputProblem[];
}

export function collectCertInputs(model: MeshModel, objects: LoadedObject[]): CollectedCerts {
  const fromObjects = certInputsFromObjects(
    objects,
    istioCaNamespaces(model, objects),
    linkerdControlPlaneNamespaces(model, objects),
  );
  const inputs = [...fromObjects.inputs];
  const problems = [...fromObjects.problems];
  for (const dump of model.configDumps) {
    const w = dump.pod ? workloadOfPod(model, dump.pod.namespace, dump.pod.name) : undefined;
    const r = certInputsFromDump(
      dump,
      w ? { serviceAccount: w.serviceAccount, workload: w.name } : undefined,
    );
    inputs.push(...r.inputs);
    problems.push(...r.problems);
  }
  return { inputs, certManager: fromObjects.certManager, spire: fromObjects.spire, problems };
}
