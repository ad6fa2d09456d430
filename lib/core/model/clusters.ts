// Which cluster the inputs are, and whether they show a mesh of several clusters: the edge builder
// pins a caller Istio did not name on a local workload by its certificate's principal only when that
// principal cannot be another cluster's workload (docs/DECISIONS.md, "Unknown callers: waypoints,
// aliases, other clusters"). A multi-primary mesh usually shares one trust domain, so the principal
// alone cannot tell the clusters apart.
import yaml from "js-yaml";
import type { LoadedObject } from "./input";
import type { IstioGateway, Workload } from "./mesh";
import { arr, at, isObj, str } from "./read";

export interface ClusterFacts {
  /**
   * This cluster's Istio cluster ID: istiod's `CLUSTER_ID` env (the chart sets it from
   * values.global.multiCluster.clusterName, default "Kubernetes"), else the injector's
   * values.global.multiCluster.clusterName (the sidecar's ISTIO_META_CLUSTER_ID, same default).
   * Null when the inputs hold neither, or name several.
   */
  id: string | null;
  /** What in the inputs shows a mesh spanning clusters (a phrase), or null. */
  multiCluster: string | null;
}

/** Istio's default cluster ID (istiod chart and injection template: `| default "Kubernetes"`). */
const DEFAULT_CLUSTER_ID = "Kubernetes";

export function readClusterFacts(
  objects: readonly LoadedObject[],
  workloads: readonly Workload[],
  gateways: readonly IstioGateway[],
): ClusterFacts {
  const fromIstiod = new Set<string>();
  const fromInjector = new Set<string>();
  const evidence: string[] = [];
  // Named only when reported: a template string per object of a 10k-object input is not free.
  const where = (o: LoadedObject["object"]) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`;
  for (const { object: o } of objects) {
    if (o.kind === "Deployment") {
      for (const c of arr(at(o, "spec", "template", "spec", "containers")))
        if (isObj(c) && c.name === "discovery")
          for (const e of arr(c.env))
            if (isObj(e) && e.name === "CLUSTER_ID" && str(e.value)) fromIstiod.add(str(e.value)!);
    } else if (o.kind === "ConfigMap") {
      const name = o.metadata.name;
      if (name.startsWith("istio-sidecar-injector")) {
        const global = at(parseJson(str(at(o, "data", "values"))), "global");
        if (global !== undefined)
          fromInjector.add(str(at(global, "multiCluster", "clusterName")) || DEFAULT_CLUSTER_ID);
        if (hasNetworks(at(global, "meshNetworks"))) evidence.push(`meshNetworks in ConfigMap ${where(o)}`);
      }
      const networks = str(at(o, "data", "meshNetworks"));
      if (networks !== undefined && hasNetworks(at(parseYaml(networks), "networks")))
        evidence.push(`meshNetworks in ConfigMap ${where(o)}`);
    } else if (o.kind === "Secret" && o.metadata.labels?.["istio/multiCluster"] === "true")
      evidence.push(`remote secret ${where(o)}`);
  }
  for (const w of workloads)
    if (isEastWest(w.labels)) evidence.push(`east-west gateway ${w.namespace}/${w.name}`);
  for (const g of gateways)
    if (g.servers.some((s) => s.tls === "AUTO_PASSTHROUGH"))
      evidence.push(`AUTO_PASSTHROUGH Gateway ${g.namespace}/${g.name}`);
  const ids = fromIstiod.size > 0 ? fromIstiod : fromInjector;
  return {
    id: ids.size === 1 ? [...ids][0]! : null,
    multiCluster: evidence.length > 0 ? [...new Set(evidence)].sort()[0]! : null,
  };
}

/** The east-west gateway of Istio's multicluster samples (`istio: eastwestgateway`) or its deployment controller's. */
const isEastWest = (labels: Readonly<Record<string, string>>) =>
  labels["istio"] === "eastwestgateway" ||
  labels["gateway.istio.io/managed"] === "istio.io-eastwest-controller" ||
  labels["gateway.networking.k8s.io/gateway-class-name"] === "istio-east-west";

/** A networks map with at least one network (`networks: {}` is the default, one network). */
const hasNetworks = (v: unknown) => isObj(v) && Object.keys(v).length > 0;

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseYaml(text: string): unknown {
  try {
    return yaml.load(text);
  } catch {
    return undefined;
  }
}
