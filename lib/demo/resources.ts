// The API resources the demo cluster serves, and the discovery documents built from them (`/api`,
// `/api/v1`, `/apis`, `/apis/<group>/<version>`) in the legacy (non-aggregated) JSON form that
// both @kubernetes/client-node and kubectl understand.

export interface ResourceType {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
}

const READ_VERBS = ["get", "list", "watch"];

export interface IstioVersions {
  security?: string[];
  networking?: string[];
}

export function resourceTypes(istio: IstioVersions = {}): ResourceType[] {
  const sec = istio.security ?? ["v1", "v1beta1"];
  const net = istio.networking ?? ["v1", "v1beta1", "v1alpha3"];
  const r = (
    group: string,
    versions: string[],
    kind: string,
    plural: string,
    namespaced = true,
    shortNames?: string[],
  ): ResourceType => ({
    group,
    versions,
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    ...(shortNames ? { shortNames } : {}),
    ...(group.endsWith("istio.io") ? { categories: ["istio-io", group.split(".")[0]! + "-istio-io"] } : {}),
  });
  const types = [
    r("", ["v1"], "Namespace", "namespaces", false, ["ns"]),
    r("", ["v1"], "Node", "nodes", false, ["no"]),
    r("", ["v1"], "Pod", "pods", true, ["po"]),
    r("", ["v1"], "Service", "services", true, ["svc"]),
    r("", ["v1"], "ConfigMap", "configmaps", true, ["cm"]),
    r("", ["v1"], "Secret", "secrets"),
    r("", ["v1"], "ServiceAccount", "serviceaccounts", true, ["sa"]),
    r("apps", ["v1"], "Deployment", "deployments", true, ["deploy"]),
    r("apps", ["v1"], "ReplicaSet", "replicasets", true, ["rs"]),
    r("apps", ["v1"], "StatefulSet", "statefulsets", true, ["sts"]),
    r("apps", ["v1"], "DaemonSet", "daemonsets", true, ["ds"]),
    r("batch", ["v1"], "Job", "jobs"),
    r("batch", ["v1"], "CronJob", "cronjobs", true, ["cj"]),
    r("cert-manager.io", ["v1"], "Certificate", "certificates", true, ["cert", "certs"]),
    r("cert-manager.io", ["v1"], "CertificateRequest", "certificaterequests", true, ["cr", "crs"]),
    r("cert-manager.io", ["v1"], "Issuer", "issuers"),
    r("cert-manager.io", ["v1"], "ClusterIssuer", "clusterissuers", false),
    r("policy.linkerd.io", ["v1beta3"], "Server", "servers", true, ["srv"]),
    r("policy.linkerd.io", ["v1alpha1"], "AuthorizationPolicy", "authorizationpolicies", true, [
      "authzpolicy",
    ]),
    r("policy.linkerd.io", ["v1alpha1"], "MeshTLSAuthentication", "meshtlsauthentications", true, [
      "meshtlsauthn",
    ]),
    r("policy.linkerd.io", ["v1alpha1"], "NetworkAuthentication", "networkauthentications", true, [
      "netauthn",
    ]),
  ];
  if (sec.length)
    types.push(
      r("security.istio.io", sec, "PeerAuthentication", "peerauthentications", true, ["pa"]),
      r("security.istio.io", sec, "AuthorizationPolicy", "authorizationpolicies", true, ["ap"]),
      r("security.istio.io", sec, "RequestAuthentication", "requestauthentications", true, ["ra"]),
    );
  if (net.length)
    types.push(
      r("networking.istio.io", net, "DestinationRule", "destinationrules", true, ["dr"]),
      r("networking.istio.io", net, "ServiceEntry", "serviceentries", true, ["se"]),
      r("networking.istio.io", net, "WorkloadEntry", "workloadentries", true, ["we"]),
      r("networking.istio.io", net, "Sidecar", "sidecars"),
      r("networking.istio.io", net, "VirtualService", "virtualservices", true, ["vs"]),
      r("networking.istio.io", net, "Gateway", "gateways", true, ["gw"]),
    );
  return types;
}

export function findType(
  types: ResourceType[],
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  return types.find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
}

export function typeOfKind(types: ResourceType[], group: string, kind: string): ResourceType | undefined {
  return types.find((t) => t.group === group && t.kind === kind);
}

function resourceEntry(t: ResourceType) {
  return {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: READ_VERBS,
    ...(t.shortNames ? { shortNames: t.shortNames } : {}),
    ...(t.categories ? { categories: t.categories } : {}),
  };
}

/** `/api/v1` or `/apis/<group>/<version>`: null when that group/version is not served. */
export function resourceList(types: ResourceType[], group: string, version: string): object | null {
  const inGv = types.filter((t) => t.group === group && t.versions.includes(version));
  if (!inGv.length) return null;
  const resources: object[] = [];
  for (const t of inGv) {
    resources.push(resourceEntry(t));
    if (t.group === "" && t.plural === "pods")
      resources.push({
        name: "pods/portforward",
        singularName: "",
        namespaced: true,
        kind: "PodPortForwardOptions",
        verbs: ["create", "get"],
      });
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function apiGroupList(types: ResourceType[]): object {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    if (!t.group) continue;
    const vs = groups.get(t.group) ?? [];
    for (const v of t.versions) if (!vs.includes(v)) vs.push(v);
    groups.set(t.group, vs);
  }
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

export function apiGroup(types: ResourceType[], group: string): object | null {
  const list = apiGroupList(types) as { groups: { name: string }[] };
  const g = list.groups.find((x) => x.name === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...g } : null;
}

export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-handshake-demo",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
};
