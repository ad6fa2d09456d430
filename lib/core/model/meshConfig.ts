// Mesh settings from the `istio` (or `istio-<rev>`) ConfigMap, key `mesh` (istio.md §1.2, §3.1, §8).
import yaml from "js-yaml";
import type { InputProblem, LoadedObject } from "./input";
import type { MeshSettings } from "./mesh";
import { perRun } from "./perRun";
import { arr, at, bool, isObj, str } from "./read";

export const DEFAULT_ROOT_NAMESPACE = "istio-system";

export function defaultMeshSettings(rootNamespace = DEFAULT_ROOT_NAMESPACE): MeshSettings {
  return meshSettings(rootNamespace, "cluster.local", [], true, ["*"], "ALLOW_ANY");
}

// Built once, fully initialised (not defaults assigned over field by field), and per analysis: see
// perRun.ts.
function meshSettings(
  rootNamespace: string,
  trustDomain: string,
  trustDomainAliases: string[],
  enableAutoMtls: boolean,
  defaultDestinationRuleExportTo: string[],
  outboundTrafficPolicy: MeshSettings["outboundTrafficPolicy"],
): MeshSettings {
  return perRun<MeshSettings>({ rootNamespace, trustDomain, trustDomainAliases, enableAutoMtls, defaultDestinationRuleExportTo, outboundTrafficPolicy });
}

/** The revision a mesh ConfigMap belongs to ("" for `istio`), or null when it is not one. */
export function meshConfigRevision(o: LoadedObject): string | null {
  if (o.object.kind !== "ConfigMap") return null;
  const name = o.object.metadata.name;
  if (typeof at(o.object, "data", "mesh") !== "string") return null;
  if (name === "istio") return "";
  return name.startsWith("istio-") ? name.slice("istio-".length) : null;
}

export function parseMeshConfig(o: LoadedObject, problems: InputProblem[]): MeshSettings {
  // Helm renders rootNamespace = istiod's namespace; use that when the mesh text omits it.
  const settings = defaultMeshSettings(o.object.metadata.namespace ?? DEFAULT_ROOT_NAMESPACE);
  const text = str(at(o.object, "data", "mesh")) ?? "";
  let mesh: unknown;
  try {
    mesh = yaml.load(text);
  } catch (e) {
    problems.push({
      file: o.at.file,
      line: o.at.line,
      object: { kind: "ConfigMap", namespace: o.object.metadata.namespace, name: o.object.metadata.name },
      field: "data.mesh",
      message: `ConfigMap ${o.object.metadata.namespace ?? "default"}/${o.object.metadata.name}: data.mesh: mesh config does not parse: ${(e as Error).message.split("\n")[0]}`,
    });
    return settings;
  }
  if (!isObj(mesh)) return settings;
  const exportTo = arr(mesh.defaultDestinationRuleExportTo).filter((x): x is string => typeof x === "string");
  return meshSettings(
    str(mesh.rootNamespace) || settings.rootNamespace,
    str(mesh.trustDomain) || settings.trustDomain,
    arr(mesh.trustDomainAliases).filter((x): x is string => typeof x === "string"),
    bool(mesh.enableAutoMtls) ?? true,
    exportTo.length > 0 ? exportTo : settings.defaultDestinationRuleExportTo,
    str(at(mesh, "outboundTrafficPolicy", "mode")) === "REGISTRY_ONLY" ? "REGISTRY_ONLY" : settings.outboundTrafficPolicy,
  );
}
