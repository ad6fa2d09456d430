// A synthetic namespace for measuring the graph: `nodes` nodes (≈60 % in the focus namespace, the
// rest in 5 peer namespaces; half workloads, half Services) and `edges` edges with a mix of statuses.
// Seeded PRNG, so every run draws the same graph.
import type {
  Edge,
  EdgeStatus,
  MeshSnapshot,
  SnapshotService,
  SnapshotWorkload,
} from "../../lib/core/snapshot/schema";
import { mulberry32 } from "../generate";

export const FOCUS = "focus";

const STATUSES: EdgeStatus[] = [
  "mtls",
  "mtls",
  "mtls",
  "mtls",
  "mtls",
  "mtls",
  "plaintext",
  "unknown",
  "mismatch",
  "broken",
];

export function syntheticSnapshot(nodes = 500, edges = 2000, seed = 7): MeshSnapshot {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const peers = ["alpha", "bravo", "charlie", "delta", "echo"];
  const focusPairs = Math.round((nodes * 0.6) / 2);
  const peerPairs = Math.round((nodes - focusPairs * 2) / 2 / peers.length);
  const workloads: SnapshotWorkload[] = [];
  const services: SnapshotService[] = [];
  const addPair = (ns: string, i: number) => {
    const name = `app-${String(i).padStart(3, "0")}`;
    workloads.push({
      namespace: ns,
      name,
      kind: "Deployment",
      serviceAccount: name,
      labels: { app: name },
      pods: 1,
      dataplane: "sidecar",
      identity: `spiffe://cluster.local/ns/${ns}/sa/${name}`,
      mtls: { mode: "STRICT", policy: null, origin: "mesh" },
      ports: [{ port: 8080, mode: "STRICT", policy: null, origin: "mesh" }],
    });
    services.push({
      namespace: ns,
      name,
      host: `${name}.${ns}.svc.cluster.local`,
      headless: false,
      external: false,
      ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }],
      workloads: [`${ns}/${name}`],
    });
  };
  for (let i = 0; i < focusPairs; i++) addPair(FOCUS, i);
  for (const ns of peers) for (let i = 0; i < peerPairs; i++) addPair(ns, i);

  const focusW = workloads.filter((w) => w.namespace === FOCUS);
  const focusS = services.filter((s) => s.namespace === FOCUS);
  const allS = services;
  const peerW = workloads.filter((w) => w.namespace !== FOCUS);
  const out: Edge[] = [];
  const ids = new Set<string>();
  // Every peer node gets an edge first (so all `nodes` are on the graph), then random ones.
  const peerS = services.filter((s) => s.namespace !== FOCUS);
  let k = 0;
  while (out.length < edges) {
    const inbound = k < peerW.length ? true : k < peerW.length + peerS.length ? false : rand() < 0.3;
    const src = k < peerW.length ? peerW[k]! : inbound ? pick(peerW) : pick(focusW);
    const dst =
      k >= peerW.length && k < peerW.length + peerS.length
        ? peerS[k - peerW.length]!
        : inbound
          ? pick(focusS)
          : pick(allS);
    k++;
    const port = 80 + Math.floor(rand() * 3);
    const id = `${src.namespace}/${src.name}->${dst.host}:${port}`;
    if (ids.has(id)) continue;
    ids.add(id);
    const status = pick(STATUSES);
    out.push({
      id,
      source: { namespace: src.namespace, workload: src.name },
      destination: {
        namespace: dst.namespace,
        service: dst.name,
        host: dst.host,
        port,
        workloads: dst.workloads,
      },
      predicted: {
        client: { tls: "ISTIO_MUTUAL", origin: "auto", destinationRule: null },
        server: { mode: "STRICT", origin: "mesh", policy: null },
        verdict: status === "mismatch" ? "mtls" : status,
        reason: "synthetic",
      },
      observed: null,
      status,
    });
  }
  out.sort((a, b) => (a.id < b.id ? -1 : 1));
  const at = "2025-01-01T00:00:00.000Z";
  return {
    schemaVersion: 1,
    generatedAt: at,
    now: at,
    source: { type: "manifests" },
    mesh: {
      rootNamespace: "istio-system",
      trustDomain: "cluster.local",
      autoMtls: true,
      dataplanes: ["istio-sidecar"],
    },
    completeness: [],
    namespaces: [FOCUS, ...peers].map((name) => ({
      name,
      dataplane: "sidecar" as const,
      mtls: { mode: "STRICT" as const, policy: null, inheritedFrom: "mesh" as const },
    })),
    workloads,
    services,
    edges: out,
    certificates: [],
    findings: [],
  } as MeshSnapshot;
}
