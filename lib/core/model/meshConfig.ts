// Mesh settings from the `istio` (or `istio-<rev>`) ConfigMap, key `mesh` (istio.md §1.2, §3.1, §8).
import yaml from "js-yaml";
import type { InputProblem, LoadedObject } from "./input";
import { parseDiscoverySelectors } from "./discovery";
import type { LabelSelector } from "./linkerdPolicy";
import type { ClientCertKeys, MeshSettings, MetadataCerts } from "./mesh";
import { perRun } from "./perRun";
import { at, bool, isObj, shown, str } from "./read";

export const DEFAULT_ROOT_NAMESPACE = "istio-system";

/** A ProxyConfig that sets none of the ISTIO_META_TLS_CLIENT_* keys. */
export const NO_CLIENT_CERTS: ClientCertKeys = Object.freeze({
  chain: undefined,
  key: undefined,
  root: undefined,
});

export function defaultMeshSettings(rootNamespace = DEFAULT_ROOT_NAMESPACE): MeshSettings {
  return meshSettings(
    rootNamespace,
    "cluster.local",
    [],
    true,
    ["*"],
    ["*"],
    "ALLOW_ANY",
    false,
    null,
    NO_CLIENT_CERTS,
    null,
  );
}

// Built once, fully initialised (not defaults assigned over field by field), and per analysis: see
// perRun.ts.
function meshSettings(
  rootNamespace: string,
  trustDomain: string,
  trustDomainAliases: string[],
  enableAutoMtls: boolean,
  defaultDestinationRuleExportTo: string[],
  defaultVirtualServiceExportTo: string[],
  outboundTrafficPolicy: MeshSettings["outboundTrafficPolicy"],
  sidecarsTakeHbone: boolean,
  proxyEnableHbone: boolean | null,
  proxyClientCerts: ClientCertKeys,
  discoverySelectors: LabelSelector[] | null,
): MeshSettings {
  return perRun<MeshSettings>({
    rootNamespace,
    trustDomain,
    trustDomainAliases,
    enableAutoMtls,
    defaultDestinationRuleExportTo,
    defaultVirtualServiceExportTo,
    outboundTrafficPolicy,
    sidecarsTakeHbone,
    proxyEnableHbone,
    proxyClientCerts,
    proxyMetadataCerts: metadataCertsOf(proxyClientCerts),
    discoverySelectors,
  });
}

/**
 * ISTIO_META_ENABLE_HBONE in a ProxyConfig's proxyMetadata (mesh defaultConfig, or a pod's
 * proxy.istio.io/config annotation) as written; undefined when absent. Two readers read it
 * differently: `tunnelByTemplate` and `parseGoBool`.
 */
export function enableHboneOf(proxyConfig: unknown): unknown {
  const v = at(proxyConfig, "proxyMetadata", "ISTIO_META_ENABLE_HBONE");
  return v === null ? undefined : v;
}

/**
 * ISTIO_META_TLS_CLIENT_CERT_CHAIN, _KEY and _ROOT_CERT in a ProxyConfig's proxyMetadata (mesh
 * defaultConfig, or a pod's proxy.istio.io/config), as written; `wrong` names a value that is not a
 * string (or a proxyMetadata that is not a mapping), which is then read as unset. proxyMetadata is a
 * map<string, string>: istiod's protojson refuses a mesh config with another value there, and
 * injection's `mesh.ApplyProxyConfig` such an annotation (pkg/kube/inject/inject.go RunTemplate).
 */
export function clientCertKeysOf(
  proxyConfig: unknown,
  wrong: (field: string, value: unknown, expected: string) => void,
): ClientCertKeys {
  const pm = at(proxyConfig, "proxyMetadata");
  if (pm === undefined || pm === null) return NO_CLIENT_CERTS;
  if (!isObj(pm)) {
    wrong("proxyMetadata", pm, "a mapping of strings");
    return NO_CLIENT_CERTS;
  }
  const chain = certKey(pm, "ISTIO_META_TLS_CLIENT_CERT_CHAIN", wrong);
  const key = certKey(pm, "ISTIO_META_TLS_CLIENT_KEY", wrong);
  const root = certKey(pm, "ISTIO_META_TLS_CLIENT_ROOT_CERT", wrong);
  if (chain === undefined && key === undefined && root === undefined) return NO_CLIENT_CERTS;
  return { chain, key, root };
}

function certKey(
  pm: Record<string, unknown>,
  k: string,
  wrong: (field: string, value: unknown, expected: string) => void,
): string | undefined {
  const v = pm[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  wrong(`proxyMetadata.${k}`, v, "a string");
  return undefined;
}

/**
 * A pod's keys over its revision's, key by key as `MergeProxyConfig` (pkg/config/mesh/mesh.go) merges
 * proxyMetadata: the pod's value wherever it sets one, "" included.
 */
export function mergedClientCerts(pod: ClientCertKeys, mesh: ClientCertKeys): ClientCertKeys {
  if (pod === NO_CLIENT_CERTS) return mesh;
  return { chain: pod.chain ?? mesh.chain, key: pod.key ?? mesh.key, root: pod.root ?? mesh.root };
}

/**
 * What istiod builds from the keys (MetadataCerts): `NewClusterBuilder` keeps the metadata certificates
 * when the chain is non-empty and `buildMutualTLS` copies key and root as they are.
 */
export function metadataCertsOf(k: ClientCertKeys): MetadataCerts {
  if (!k.chain) return "none";
  if (!k.key) return "no-key";
  return k.root ? "complete" : "no-root";
}

/** The injection template labels the pod networking.istio.io/tunnel=http only for the string "true" (injection-template.yaml: `eq ... "true"`). */
export const tunnelByTemplate = (v: unknown): boolean => v === "true" || v === true;

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * What the proxy's node metadata makes of it: NodeMetadata.EnableHBONE is a StringBool, read with
 * strconv.ParseBool (pkg/model/proxy.go, StringBool.UnmarshalJSON): 1/t/T/TRUE/true/True and their
 * false twins; null for anything else (istiod would not read that metadata) or when absent.
 */
export function parseGoBool(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v !== "string") return null;
  return GO_TRUE.has(v) ? true : GO_FALSE.has(v) ? false : null;
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
  const where = `ConfigMap ${o.object.metadata.namespace ?? "default"}/${o.object.metadata.name}: data.mesh`;
  const report = (message: string) =>
    problems.push({
      file: o.at.file,
      line: o.at.line,
      object: { kind: "ConfigMap", namespace: o.object.metadata.namespace, name: o.object.metadata.name },
      field: "data.mesh",
      message: `${where}: ${message}`,
    });
  let mesh: unknown;
  try {
    mesh = yaml.load(text);
  } catch (e) {
    report(`mesh config does not parse: ${(e as Error).message.split("\n")[0]}`);
    return settings;
  }
  if (mesh === undefined || mesh === null) return settings;
  if (!isObj(mesh)) {
    report(
      `mesh config is ${Array.isArray(mesh) ? "a list" : `a ${typeof mesh}`}, not a mapping; Istio's defaults apply`,
    );
    return settings;
  }
  // istiod refuses a mesh config whose fields have the wrong type or an unknown enum value; each such
  // key is named here, and the default stands in for it rather than a silent guess.
  const wrong = (key: string, value: unknown, expected: string) =>
    report(`${key} is ${shown(value)}, not ${expected}; the default applies`);
  const stringKey = (key: string, fallback: string): string => {
    const v = mesh[key];
    if (v === undefined || v === null) return fallback;
    // An empty value is Istio's "unset": the default applies, nothing to report.
    if (typeof v === "string") return v || fallback;
    wrong(key, v, "a string");
    return fallback;
  };
  const listKey = (key: string): string[] | undefined => {
    const v = mesh[key];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
    wrong(key, v, "a list of strings");
    return undefined;
  };
  let enableAutoMtls = true;
  if (mesh.enableAutoMtls !== undefined && mesh.enableAutoMtls !== null) {
    const b = bool(mesh.enableAutoMtls);
    if (b === undefined) wrong("enableAutoMtls", mesh.enableAutoMtls, "true or false");
    else enableAutoMtls = b;
  }
  let outbound = settings.outboundTrafficPolicy;
  const policy = mesh.outboundTrafficPolicy;
  if (policy !== undefined && policy !== null) {
    const mode = isObj(policy) ? policy.mode : undefined;
    if (mode === "REGISTRY_ONLY" || mode === "ALLOW_ANY") outbound = mode;
    else if (mode !== undefined && mode !== null)
      wrong("outboundTrafficPolicy.mode", mode, "ALLOW_ANY or REGISTRY_ONLY");
    else if (!isObj(policy)) wrong("outboundTrafficPolicy", policy, "a mapping with mode");
  }
  const exportTo = listKey("defaultDestinationRuleExportTo");
  const vsExportTo = listKey("defaultVirtualServiceExportTo");
  const enableHbone = enableHboneOf(mesh.defaultConfig);
  const clientCerts = clientCertKeysOf(mesh.defaultConfig, (field, v, expected) =>
    wrong(`defaultConfig.${field}`, v, expected),
  );
  return meshSettings(
    stringKey("rootNamespace", settings.rootNamespace),
    stringKey("trustDomain", settings.trustDomain),
    listKey("trustDomainAliases") ?? [],
    enableAutoMtls,
    exportTo && exportTo.length > 0 ? exportTo : settings.defaultDestinationRuleExportTo,
    vsExportTo && vsExportTo.length > 0 ? vsExportTo : settings.defaultVirtualServiceExportTo,
    outbound,
    tunnelByTemplate(enableHbone),
    parseGoBool(enableHbone),
    clientCerts,
    parseDiscoverySelectors(mesh.discoverySelectors, wrong),
  );
}
