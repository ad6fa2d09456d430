// Per workload: data plane, workload-wide decision and per-port modes (contract §1.1 "Modes of
// workloads without a proxy", "Ports listed for a workload"; istio.md §1.4).
import {
  readInventory,
  selects,
  targetPortOn,
  type Dataplane,
  type RInventory,
  type RWorkload,
} from "./inventory";
import { composeForWorkload, modeForPort, type Decision, type Mode } from "./peerAuthentication";

export interface RefWorkloadAnswer {
  id: string;
  dataplane: Dataplane;
  mtls: Decision;
  ports: { port: number; mode: Mode }[];
}

export const workloadId = (w: RWorkload) => `${w.namespace}/${w.name}`;

/** Declared container ports, target ports of Services selecting it, and keys of its applied portLevelMtls. */
export function listedPorts(inv: RInventory, w: RWorkload, perPortKeys: number[]): number[] {
  const ports: number[] = [];
  const add = (p: number) => {
    if (!ports.includes(p)) ports.push(p);
  };
  for (const cp of w.containerPorts) add(cp.port);
  for (const svc of inv.services) {
    if (!selects(svc, w)) continue;
    for (const sp of svc.ports) {
      const tp = targetPortOn(sp, w);
      if (tp !== null) add(tp);
    }
  }
  for (const k of perPortKeys) add(k);
  return ports.sort((a, b) => a - b);
}

export function workloadAnswer(inv: RInventory, w: RWorkload): RefWorkloadAnswer {
  const policy = composeForWorkload(inv, w);
  const keys = [...policy.perPort.keys()];
  if (w.dataplane === "none") {
    const none: Decision = { mode: "NONE", policy: null, origin: "no-proxy" };
    return {
      id: workloadId(w),
      dataplane: w.dataplane,
      mtls: none,
      ports: listedPorts(inv, w, keys).map((port) => ({ port, mode: "NONE" })),
    };
  }
  return {
    id: workloadId(w),
    dataplane: w.dataplane,
    mtls: policy.workload,
    ports: listedPorts(inv, w, keys).map((port) => ({ port, mode: modeForPort(policy, port).mode })),
  };
}

export function referenceWorkloads(
  inv: RInventory | Parameters<typeof readInventory>[0],
): RefWorkloadAnswer[] {
  const i = Array.isArray(inv) ? readInventory(inv) : inv;
  return i.workloads.map((w) => workloadAnswer(i, w));
}
