// What clicking a graph node does, decided from the node and the snapshot (the canvas only reports
// which node was clicked): a workload of this namespace opens its panel; a Service of this namespace
// opens its backend's panel when it has exactly one; a node of another namespace opens that
// namespace's view (on the workload, when it is one). Services are looked up by namespace AND name:
// two namespaces may each have a Service "payments".
import type { MeshSnapshot } from "../../core/snapshot/schema";
import { OUTSIDE_NODE_ID } from "./buildGraph";
import type { GraphNode } from "./types";

export type NodeSelection =
  | { kind: "none" }
  | { kind: "workload"; name: string }
  | { kind: "namespace"; namespace: string; workload: string | null };

export function nodeSelection(
  node: Pick<GraphNode, "id" | "kind" | "namespace" | "name">,
  services: Pick<MeshSnapshot["services"][number], "namespace" | "name" | "workloads">[],
  namespace: string,
): NodeSelection {
  if (node.id === OUTSIDE_NODE_ID || node.namespace === null) return { kind: "none" };
  if (node.namespace !== namespace)
    return {
      kind: "namespace",
      namespace: node.namespace,
      workload: node.kind === "workload" ? node.name : null,
    };
  if (node.kind === "workload") return { kind: "workload", name: node.name };
  const svc = services.find((s) => s.namespace === node.namespace && s.name === node.name);
  // Service.workloads are "<ns>/<name>"; only backends in this namespace can open a panel here.
  const backends = svc?.workloads.filter((w) => w.startsWith(`${namespace}/`)) ?? [];
  return backends.length === 1
    ? { kind: "workload", name: backends[0]!.slice(namespace.length + 1) }
    : { kind: "none" };
}
