import { describe, expect, it } from "vitest";
import {
  call,
  deploy,
  destRule,
  meshConfig,
  namespace,
  peerAuth,
  run,
  service,
  tls,
} from "../../../test/kit";
import { syntheticSnapshot, FOCUS } from "../../../bench/graph/synthetic";
import { sliceSnapshot } from "../sliceSnapshot";
import { buildGraph, OUTSIDE_NODE_ID, serviceNodeId, workloadNodeId } from "./buildGraph";
import { edgeEmphasis, highlightedEdgeIds, sortEdgesForList } from "./emphasis";
import { hitEdge, hitNode } from "./hitTest";
import { layoutGraph, pointOnCurve } from "./layout";

const inj = { "istio-injection": "enabled" };
// shop (STRICT, sidecars) is called by web/frontend, by a pod outside the mesh, and calls pay in billing
// through a DestinationRule that disables TLS toward a STRICT server: a broken edge.
function meshSnapshot() {
  return run(
    [
      meshConfig("rootNamespace: istio-system"),
      namespace("istio-system"),
      namespace("shop", inj),
      namespace("web", inj),
      namespace("billing", inj),
      peerAuth("istio-system", "default", "STRICT"),
      deploy("shop", "cart", { ports: [8080] }),
      deploy("shop", "idle", { ports: [9000] }),
      service("shop", "cart", [{ port: 80, targetPort: 8080 }]),
      deploy("web", "frontend", { ports: [8080] }),
      deploy("billing", "pay", { ports: [7000] }),
      service("billing", "pay", [7000]),
      destRule("shop", "pay-no-tls", "pay.billing.svc.cluster.local", tls("DISABLE")),
    ],
    [
      call("web/frontend", "cart.shop.svc.cluster.local", "mutual_tls"),
      call(null, "cart.shop.svc.cluster.local", "none"),
      call("shop/cart", "pay.billing.svc.cluster.local", "none"),
    ],
  );
}

describe("buildGraph", () => {
  const snap = meshSnapshot();
  const g = buildGraph(sliceSnapshot(snap, "shop"), "shop");

  it("maps every edge of the namespace from its calling workload to the Service it calls", () => {
    expect(g.edges.map((e) => [e.from, e.to, e.status]).sort()).toEqual(
      snap.edges
        .map((e) => [
          e.source.workload === null
            ? OUTSIDE_NODE_ID
            : workloadNodeId(e.source.namespace!, e.source.workload),
          serviceNodeId(e.destination.namespace, e.destination.service),
          e.status,
        ])
        .sort(),
    );
    const broken = g.edges.find((e) => e.to === serviceNodeId("billing", "pay"))!;
    expect(broken.status).toBe("broken");
    expect(broken.problem).toBe(true);
    expect(g.edges.find((e) => e.from === workloadNodeId("web", "frontend"))!.problem).toBe(false);
  });

  it("groups nodes by namespace: outside, callers, this namespace, callees", () => {
    expect(g.groups.map((x) => [x.id, x.side])).toEqual([
      ["outside", "outside"],
      ["ns:web", "left"],
      ["ns:shop", "focus"],
      ["ns:billing", "right"],
    ]);
    const shop = g.groups.find((x) => x.focus)!;
    // Workloads without edges still belong to their namespace's view.
    expect(shop.nodeIds).toContain(workloadNodeId("shop", "idle"));
    expect(g.nodes.find((n) => n.id === OUTSIDE_NODE_ID)!.namespace).toBeNull();
    expect(g.nodes.find((n) => n.id === serviceNodeId("billing", "pay"))!.worst).toBe("broken");
    expect(g.nodes.find((n) => n.id === workloadNodeId("shop", "idle"))!.worst).toBeNull();
  });

  it("links Services to the workloads behind them", () => {
    expect(g.links).toContainEqual({
      from: serviceNodeId("shop", "cart"),
      to: workloadNodeId("shop", "cart"),
    });
  });

  it("reads a full snapshot the same way as a sliced one", () => {
    expect(buildGraph(snap, "shop")).toEqual(g);
  });
});

describe("problems first", () => {
  it("dims only healthy mTLS edges, and only when asked; broken stays highlighted", () => {
    expect(edgeEmphasis({ status: "mtls" }, true)).toBe("dim");
    expect(edgeEmphasis({ status: "mtls" }, false)).toBe("normal");
    for (const s of ["plaintext", "mismatch", "unknown"] as const)
      expect(edgeEmphasis({ status: s }, true)).toBe("normal");
    expect(edgeEmphasis({ status: "broken" }, false)).toBe("highlight");
  });

  it("the highlighted edge ids (the canvas's data-highlighted) are the broken ones, sorted, in either mode", () => {
    const edges = [
      { id: "z/b->x:80", status: "broken" as const },
      { id: "a/m->x:80", status: "mtls" as const },
      { id: "a/b->y:80", status: "broken" as const },
      { id: "a/p->y:80", status: "plaintext" as const },
    ];
    // Grouped as the painter groups them: one bucket per (status, emphasis).
    const buckets = (problemsFirst: boolean) =>
      edges.map((e) => ({ emphasis: edgeEmphasis(e, problemsFirst), curves: [{ id: e.id }] }));
    expect(highlightedEdgeIds(buckets(false))).toEqual(["a/b->y:80", "z/b->x:80"]);
    expect(highlightedEdgeIds(buckets(true))).toEqual(["a/b->y:80", "z/b->x:80"]);
    expect(highlightedEdgeIds([])).toEqual([]);
  });

  it("lists the worst edges first, then by id", () => {
    const sorted = sortEdgesForList([
      { id: "b", status: "mtls" },
      { id: "c", status: "broken" },
      { id: "a", status: "mtls" },
      { id: "d", status: "plaintext" },
    ] as const);
    expect(sorted.map((e) => e.id)).toEqual(["c", "d", "a", "b"]);
  });
});

describe("layoutGraph", () => {
  const synth = syntheticSnapshot(500, 2000);
  const big = buildGraph(synth, FOCUS);

  it("draws the synthetic namespace with 500 nodes and 2,000 edges", () => {
    expect(big.nodes).toHaveLength(500);
    expect(big.edges).toHaveLength(2000);
  });

  it("is deterministic", () => {
    expect(layoutGraph(buildGraph(syntheticSnapshot(500, 2000), FOCUS))).toEqual(layoutGraph(big));
  });

  it("places no two nodes on top of each other and keeps nodes inside their group box", () => {
    const l = layoutGraph(big);
    expect(l.nodes).toHaveLength(500);
    const sorted = [...l.nodes].sort((a, b) => a.x - b.x || a.y - b.y);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && sorted[j]!.x < sorted[i]!.x + sorted[i]!.w; j++) {
        const a = sorted[i]!;
        const b = sorted[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
      }
    }
    const groupOf = new Map(big.groups.flatMap((g) => g.nodeIds.map((id) => [id, g.id] as const)));
    for (const n of l.nodes) {
      const g = l.groups.find((x) => x.id === groupOf.get(n.id))!;
      expect(n.x >= g.x && n.x + n.w <= g.x + g.w && n.y >= g.y && n.y + n.h <= g.y + g.h).toBe(true);
    }
    // Groups sit side by side without overlapping.
    for (let i = 1; i < l.groups.length; i++)
      expect(l.groups[i]!.x).toBeGreaterThanOrEqual(l.groups[i - 1]!.x + l.groups[i - 1]!.w);
  });

  it("puts Services left of the workloads behind them and callers left of this namespace", () => {
    const l = layoutGraph(buildGraph(meshSnapshot(), "shop"));
    const box = (id: string) => l.nodes.find((n) => n.id === id)!;
    expect(box(serviceNodeId("shop", "cart")).x).toBeLessThan(box(workloadNodeId("shop", "cart")).x);
    expect(box(workloadNodeId("web", "frontend")).x).toBeLessThan(box(serviceNodeId("shop", "cart")).x);
    expect(box(OUTSIDE_NODE_ID).x).toBeLessThan(box(workloadNodeId("web", "frontend")).x);
    expect(box(serviceNodeId("billing", "pay")).x).toBeGreaterThan(box(workloadNodeId("shop", "cart")).x);
  });

  it("starts and ends every edge on its nodes' sides", () => {
    const l = layoutGraph(big);
    const boxes = new Map(l.nodes.map((n) => [n.id, n]));
    for (const e of big.edges) {
      const c = l.edges.find((x) => x.id === e.id)!;
      const s = boxes.get(e.from)!;
      const t = boxes.get(e.to)!;
      expect([s.x, s.x + s.w]).toContain(c.x0);
      expect([t.x, t.x + t.w]).toContain(c.x1);
      expect(c.y0).toBe(s.y + s.h / 2);
    }
  });
});

describe("hit testing", () => {
  const g = buildGraph(meshSnapshot(), "shop");
  const l = layoutGraph(g);

  it("finds the node under a point, and nothing between nodes", () => {
    const n = l.nodes[0]!;
    expect(hitNode(l, n.x + 5, n.y + 5)?.id).toBe(n.id);
    expect(hitNode(l, -1000, -1000)).toBeNull();
  });

  it("finds an edge by a point on its curve, within the tolerance only", () => {
    for (const c of l.edges) {
      const [x, y] = pointOnCurve(c, 0.25);
      expect(hitEdge(l, x, y + 1, 6)?.id).toBe(c.id);
    }
    const c = l.edges[0]!;
    const [x, y] = pointOnCurve(c, 0.4);
    expect(hitEdge(l, x, y + 200, 6)).toBeNull();
  });
});
