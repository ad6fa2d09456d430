// How an edge names its destination in lists: `service.namespace:port` for a cluster-local Service
// (short and unambiguous inside the cluster), the host itself for anything else — a ServiceEntry's
// external host, a mesh-external call — where the Service name would hide where traffic really goes.
import type { Edge } from "../../core/snapshot/schema";
import { withPort } from "../../core/snapshot/port";

export function isClusterLocalService(e: Pick<Edge, "destination">): boolean {
  const { host, service, namespace } = e.destination;
  const local = `${service}.${namespace}.svc`;
  return host === local || host.startsWith(`${local}.`);
}

export function edgeDestinationLabel(e: Pick<Edge, "destination" | "predicted">): string {
  const d = e.destination;
  if (e.predicted.client.origin !== "mesh-external" && isClusterLocalService(e))
    return withPort(`${d.service}.${d.namespace}`, d.port);
  return withPort(d.host, d.port);
}

export function edgeSourceLabel(e: Pick<Edge, "source">): string {
  return e.source.workload === null ? "unknown" : `${e.source.namespace}/${e.source.workload}`;
}
