import { describe, expect, it } from "vitest";
import { FOCUS, syntheticSnapshot } from "../../../bench/graph/synthetic";
import type { Edge } from "../../core/snapshot/schema";
import { sliceSnapshot } from "../sliceSnapshot";
import { buildGraph } from "./buildGraph";
import { edgeDestinationLabel } from "./edgeLabel";
import { layoutGraph } from "./layout";
import type { GraphLayout } from "./types";
import { FIT_MIN_K, fitTransform, keyboardZoomPoint, LABEL_MIN_K, zoomAbout } from "./zoom";

const big = layoutGraph(buildGraph(sliceSnapshot(syntheticSnapshot(), FOCUS), FOCUS));
const box = (x: number, w: number, focus = false) => ({ id: `g${x}`, label: "g", focus, x, y: 0, w, h: 200 });
const small: GraphLayout = {
  nodes: [],
  edges: [],
  links: [],
  groups: [box(0, 300)],
  width: 300,
  height: 200,
};
const wide: GraphLayout = {
  nodes: [],
  edges: [],
  links: [],
  groups: [box(0, 500), box(600, 500), box(1200, 500, true), box(1800, 500), box(2400, 500)],
  width: 2900,
  height: 200,
};

describe("fitTransform", () => {
  it("never fits below the readable zoom, so labels are painted on the first view", () => {
    expect(FIT_MIN_K).toBeGreaterThanOrEqual(LABEL_MIN_K);
    for (const [w, h] of [
      [400, 300],
      [950, 560],
      [1390, 360],
    ] as const) {
      expect(fitTransform(big, w, h).k).toBeGreaterThanOrEqual(FIT_MIN_K);
      expect(fitTransform(wide, w, h).k).toBeGreaterThanOrEqual(FIT_MIN_K);
    }
  });

  it("centres a graph that fits, both ways", () => {
    const t = fitTransform(small, 1000, 600);
    expect(t.k).toBe(1.1);
    expect(t.x + (small.width * t.k) / 2).toBeCloseTo(500);
    expect(t.y + (small.height * t.k) / 2).toBeCloseTo(300);
  });

  it("shows this namespace's group in the middle when the graph is wider than the canvas, without empty margins", () => {
    const t = fitTransform(wide, 900, 400);
    expect(t.k).toBe(FIT_MIN_K);
    const focus = wide.groups[2]!;
    expect(t.x + (focus.x + focus.w / 2) * t.k).toBeCloseTo(450);
    // The first group at the left: clamped so the graph starts at the padding, never further right.
    const left = fitTransform(
      { ...wide, groups: wide.groups.map((g, i) => ({ ...g, focus: i === 0 })) },
      900,
      400,
    );
    expect(left.x).toBe(24);
    const right = fitTransform(
      { ...wide, groups: wide.groups.map((g, i) => ({ ...g, focus: i === 4 })) },
      900,
      400,
    );
    expect(right.x + wide.width * right.k).toBeCloseTo(900 - 24);
  });
});

describe("keyboard zoom", () => {
  it("zooms about the graph when it is smaller than the canvas, so it stays in view", () => {
    const v = fitTransform(small, 1000, 600);
    const at = keyboardZoomPoint(small, v, 1000, 600);
    const z = zoomAbout(v, at.x, at.y, 1.25);
    // The graph's centre does not move on screen.
    expect(z.x + (small.width / 2) * z.k).toBeCloseTo(v.x + (small.width / 2) * v.k);
    expect(z.y + (small.height / 2) * z.k).toBeCloseTo(v.y + (small.height / 2) * v.k);
  });

  it("zooms about the canvas centre when the graph covers it", () => {
    const v = { x: -500, y: -100, k: 3 };
    expect(keyboardZoomPoint(wide, v, 900, 400)).toEqual({ x: 450, y: 200 });
  });
});

describe("status badges", () => {
  it("sit in the gap before the target's group, never inside a group the edge passes over", () => {
    let crossing = 0;
    for (const c of big.edges) {
      const inside = big.groups.filter((g) => c.mx > g.x && c.mx < g.x + g.w);
      // A badge is inside at most one group, and then only the group holding both ends.
      if (inside.length === 0) crossing++;
      else {
        expect(inside).toHaveLength(1);
        const g = inside[0]!;
        expect(c.x0 >= g.x && c.x0 <= g.x + g.w && c.x1 >= g.x && c.x1 <= g.x + g.w).toBe(true);
      }
    }
    expect(crossing).toBeGreaterThan(0);
  });
});

describe("edge labels", () => {
  const e = (host: string, origin: string): Pick<Edge, "destination" | "predicted"> =>
    ({
      destination: { namespace: "shop", service: "payments", host, port: 8080, workloads: [] },
      predicted: { client: { origin } },
    }) as unknown as Pick<Edge, "destination" | "predicted">;
  it("names cluster-local Services briefly and external hosts by their host", () => {
    expect(edgeDestinationLabel(e("payments.shop.svc.cluster.local", "auto"))).toBe("payments.shop:8080");
    expect(edgeDestinationLabel(e("payments.shop.svc", "destinationrule"))).toBe("payments.shop:8080");
    expect(edgeDestinationLabel(e("api.payment-provider.example", "auto"))).toBe(
      "api.payment-provider.example:8080",
    );
    expect(edgeDestinationLabel(e("payments.shop.svc.cluster.local", "mesh-external"))).toBe(
      "payments.shop.svc.cluster.local:8080",
    );
  });
  it("an inbound passthrough edge's port 0 reads as an undeclared port, never :0 (reviews/fp2rev.md #9)", () => {
    const z = (host: string, origin: string) => {
      const x = e(host, origin);
      return { ...x, destination: { ...x.destination, port: 0 } };
    };
    expect(edgeDestinationLabel(z("payments.shop.svc.cluster.local", "auto"))).toBe(
      "payments.shop (undeclared port)",
    );
    expect(edgeDestinationLabel(z("api.payment-provider.example", "auto"))).toBe(
      "api.payment-provider.example (undeclared port)",
    );
  });
});
