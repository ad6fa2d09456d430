// Which node or edge is under a point (graph coordinates): canvas has no DOM per shape, so clicks
// are resolved here. Nodes win over edges; among edges the nearest within the tolerance wins.
import { pointOnCurve } from "./layout";
import type { CurvePath, GraphLayout, NodeBox } from "./types";

const SAMPLES = 24;

export function hitNode(layout: GraphLayout, x: number, y: number): NodeBox | null {
  for (const n of layout.nodes) {
    if (x >= n.x && x <= n.x + n.w && y >= n.y && y <= n.y + n.h) return n;
  }
  return null;
}

export function hitEdge(layout: GraphLayout, x: number, y: number, tolerance: number): CurvePath | null {
  let best: CurvePath | null = null;
  let bestD = tolerance * tolerance;
  for (const c of layout.edges) {
    // Cheap reject on the control polygon's bounding box.
    const minX = Math.min(c.x0, c.c1x, c.c2x, c.x1) - tolerance;
    const maxX = Math.max(c.x0, c.c1x, c.c2x, c.x1) + tolerance;
    const minY = Math.min(c.y0, c.c1y, c.c2y, c.y1) - tolerance;
    const maxY = Math.max(c.y0, c.c1y, c.c2y, c.y1) + tolerance;
    if (x < minX || x > maxX || y < minY || y > maxY) continue;
    let [px, py] = pointOnCurve(c, 0);
    for (let i = 1; i <= SAMPLES; i++) {
      const [qx, qy] = pointOnCurve(c, i / SAMPLES);
      const d = segmentDistanceSq(x, y, px, py, qx, qy);
      if (d <= bestD) {
        bestD = d;
        best = c;
      }
      px = qx;
      py = qy;
    }
  }
  return best;
}

function segmentDistanceSq(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len));
  const ex = ax + t * dx - x;
  const ey = ay + t * dy - y;
  return ex * ex + ey * ey;
}
