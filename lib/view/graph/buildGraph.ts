// Snapshot → the namespace's service-edge graph. Nodes: every workload and Service of the namespace,
// plus the peers (workloads calling in, Services called out) and one "unknown / outside mesh" node
// for edges whose source is null. Edges run from a calling workload to the Service it calls (one per
// Service port, as in the snapshot). Pure and deterministic: output order is sorted.
import type { Edge, MeshSnapshot } from "../../core/snapshot/schema";
import { worseStatus } from "./status";
import type { GraphEdge, GraphGroup, GraphLink, GraphNode, ViewGraph } from "./types";

export const OUTSIDE_NODE_ID = "outside";

export function workloadNodeId(namespace: string, name: string): string {
  return `w:${namespace}/${name}`;
}

export function serviceNodeId(namespace: string, name: string): string {
  return `s:${namespace}/${name}`;
}

export function edgeSourceNodeId(e: Edge): string {
  return e.source.namespace === null || e.source.workload === null
    ? OUTSIDE_NODE_ID
    : workloadNodeId(e.source.namespace, e.source.workload);
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function buildGraph(snapshot: MeshSnapshot, namespace: string): ViewGraph {
  const nodes = new Map<string, GraphNode>();
  const add = (n: GraphNode) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
    return nodes.get(n.id)!;
  };

  for (const w of snapshot.workloads) {
    if (w.namespace !== namespace) continue;
    add({
      id: workloadNodeId(w.namespace, w.name),
      kind: "workload",
      namespace: w.namespace,
      name: w.name,
      focus: true,
      worst: null,
      dataplane: w.dataplane,
      mode: w.mtls.mode,
    });
  }
  for (const s of snapshot.services) {
    if (s.namespace !== namespace) continue;
    add({
      id: serviceNodeId(s.namespace, s.name),
      kind: "service",
      namespace: s.namespace,
      name: s.name,
      focus: true,
      worst: null,
    });
  }

  const edges: GraphEdge[] = [];
  // Peer namespaces that this namespace calls go right of it; the rest (callers only) go left.
  const calledPeers = new Set<string>();
  for (const e of snapshot.edges) {
    const touches = e.source.namespace === namespace || e.destination.namespace === namespace;
    if (!touches) continue;
    const from = edgeSourceNodeId(e);
    if (from === OUTSIDE_NODE_ID) {
      add({
        id: OUTSIDE_NODE_ID,
        kind: "outside",
        namespace: null,
        name: "unknown / outside mesh",
        focus: false,
        worst: null,
      });
    } else {
      const ns = e.source.namespace!;
      add({
        id: from,
        kind: "workload",
        namespace: ns,
        name: e.source.workload!,
        focus: ns === namespace,
        worst: null,
      });
    }
    const to = serviceNodeId(e.destination.namespace, e.destination.service);
    add({
      id: to,
      kind: "service",
      namespace: e.destination.namespace,
      name: e.destination.service,
      focus: e.destination.namespace === namespace,
      worst: null,
    });
    if (e.source.namespace === namespace && e.destination.namespace !== namespace)
      calledPeers.add(e.destination.namespace);
    edges.push({
      id: e.id,
      from,
      to,
      status: e.status,
      port: e.destination.port,
      problem: e.status !== "mtls",
    });
    nodes.get(from)!.worst = worseStatus(nodes.get(from)!.worst, e.status);
    nodes.get(to)!.worst = worseStatus(nodes.get(to)!.worst, e.status);
  }
  edges.sort(byId);

  // Service → backing workload, where both are on the graph.
  const links: GraphLink[] = [];
  const seenLinks = new Set<string>();
  const addLink = (from: string, to: string) => {
    const key = `${from}|${to}`;
    if (nodes.has(from) && nodes.has(to) && !seenLinks.has(key)) {
      seenLinks.add(key);
      links.push({ from, to });
    }
  };
  for (const s of snapshot.services) {
    for (const ref of s.workloads) {
      const [ns, name] = splitRef(ref);
      addLink(serviceNodeId(s.namespace, s.name), workloadNodeId(ns ?? s.namespace, name));
    }
  }
  for (const e of snapshot.edges) {
    for (const ref of e.destination.workloads) {
      const [ns, name] = splitRef(ref);
      addLink(
        serviceNodeId(e.destination.namespace, e.destination.service),
        workloadNodeId(ns ?? e.destination.namespace, name),
      );
    }
  }
  links.sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : a.from + a.to > b.from + b.to ? 1 : 0));

  const sortedNodes = [...nodes.values()].sort(byId);
  const groupMap = new Map<string, GraphGroup>();
  for (const n of sortedNodes) {
    const gid = n.namespace === null ? OUTSIDE_NODE_ID : `ns:${n.namespace}`;
    let g = groupMap.get(gid);
    if (!g) {
      g = {
        id: gid,
        namespace: n.namespace,
        label: n.namespace ?? "outside mesh",
        focus: n.namespace === namespace,
        side:
          n.namespace === null
            ? "outside"
            : n.namespace === namespace
              ? "focus"
              : calledPeers.has(n.namespace)
                ? "right"
                : "left",
        nodeIds: [],
      };
      groupMap.set(gid, g);
    }
    g.nodeIds.push(n.id);
  }
  const sideRank = { outside: 0, left: 1, focus: 2, right: 3 } as const;
  const groups = [...groupMap.values()].sort((a, b) => sideRank[a.side] - sideRank[b.side] || byId(a, b));

  return { namespace, nodes: sortedNodes, edges, links, groups };
}

/** "ns/name" → [ns, name]; a bare name → [undefined, name]. */
function splitRef(ref: string): [string | undefined, string] {
  const i = ref.indexOf("/");
  return i < 0 ? [undefined, ref] : [ref.slice(0, i), ref.slice(i + 1)];
}
