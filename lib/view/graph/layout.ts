// Deterministic layout: one column block per namespace group, ordered outside → callers → this
// namespace → callees; inside a group Services stand left of workloads (traffic flows left to
// right: caller → Service → workload), each kind wrapping into extra columns after MAX_ROWS rows.
// Nodes sit on a grid, so they never overlap; no randomness, so a link always looks the same.
// Compact enough that a typical namespace (5-6 groups) fits a 1,024 px canvas at a readable zoom.
import type { CurvePath, GraphEdge, GraphLayout, GraphLink, GroupBox, NodeBox, ViewGraph } from "./types";

export const NODE_W = 170;
export const NODE_H = 34;
export const ROW_GAP = 12;
export const SUBCOL_GAP = 44;
export const GROUP_GAP = 88;
export const GROUP_PAD = 16;
export const GROUP_HEADER = 30;
export const MAX_ROWS = 18;
const PARALLEL_SPREAD = 12;

export function layoutGraph(graph: ViewGraph): GraphLayout {
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const boxes: NodeBox[] = [];
  const boxById = new Map<string, NodeBox>();
  const groups: GroupBox[] = [];
  const groupOf = new Map<string, GroupBox>();
  let x = 0;
  let height = 0;

  for (const g of graph.groups) {
    const members = g.nodeIds.map((id) => nodeById.get(id)!).filter(Boolean);
    const columns: string[][] = [];
    for (const kind of ["outside", "service", "workload"] as const) {
      const ids = members.filter((n) => n.kind === kind).map((n) => n.id);
      for (let i = 0; i < ids.length; i += MAX_ROWS) columns.push(ids.slice(i, i + MAX_ROWS));
    }
    const rows = Math.max(1, ...columns.map((c) => c.length));
    const innerW = columns.length * NODE_W + Math.max(0, columns.length - 1) * SUBCOL_GAP;
    const box: GroupBox = {
      id: g.id,
      label: g.label,
      focus: g.focus,
      x,
      y: 0,
      w: innerW + 2 * GROUP_PAD,
      h: GROUP_HEADER + rows * NODE_H + (rows - 1) * ROW_GAP + 2 * GROUP_PAD,
    };
    columns.forEach((col, ci) => {
      col.forEach((id, ri) => {
        const b: NodeBox = {
          id,
          x: x + GROUP_PAD + ci * (NODE_W + SUBCOL_GAP),
          y: GROUP_HEADER + GROUP_PAD + ri * (NODE_H + ROW_GAP),
          w: NODE_W,
          h: NODE_H,
        };
        boxes.push(b);
        boxById.set(id, b);
        groupOf.set(id, box);
      });
    });
    groups.push(box);
    x += box.w + GROUP_GAP;
    height = Math.max(height, box.h);
  }

  return {
    nodes: boxes,
    edges: curves(graph.edges, boxById, groupOf),
    links: curves(
      graph.links.map((l: GraphLink) => ({ id: `${l.from}|${l.to}`, from: l.from, to: l.to })),
      boxById,
      null,
    ),
    groups,
    width: Math.max(0, x - GROUP_GAP),
    height,
  };
}

function curves(
  edges: readonly Pick<GraphEdge, "id" | "from" | "to">[],
  boxById: Map<string, NodeBox>,
  groupOf: Map<string, GroupBox> | null,
): CurvePath[] {
  // Parallel edges (same pair, several ports) fan out so each stays visible and clickable.
  const pairCount = new Map<string, number>();
  for (const e of edges) pairCount.set(`${e.from}|${e.to}`, (pairCount.get(`${e.from}|${e.to}`) ?? 0) + 1);
  const pairSeen = new Map<string, number>();
  const out: CurvePath[] = [];
  for (const e of edges) {
    const s = boxById.get(e.from);
    const t = boxById.get(e.to);
    if (!s || !t) continue;
    const key = `${e.from}|${e.to}`;
    const i = pairSeen.get(key) ?? 0;
    pairSeen.set(key, i + 1);
    const offset = (i - ((pairCount.get(key) ?? 1) - 1) / 2) * PARALLEL_SPREAD;
    const c = curve(e.id, s, t, offset);
    const sg = groupOf?.get(e.from);
    const tg = groupOf?.get(e.to);
    if (sg && tg && sg !== tg) [c.mx, c.my] = badgePoint(c, sg, tg);
    out.push(c);
  }
  return out;
}

/**
 * Where a cross-group edge's status glyph sits: in the gap just before its target's group, so it is
 * never drawn inside an unrelated group the curve passes over (e.g. frontend → legacy across billing).
 * Between different groups x(t) is monotonic (the control points lie between the ends), so bisect.
 */
function badgePoint(c: CurvePath, from: GroupBox, to: GroupBox): [number, number] {
  const right = to.x > from.x;
  const gx = right ? to.x - GROUP_GAP / 2 : to.x + to.w + GROUP_GAP / 2;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (pointOnCurve(c, mid)[0] < gx === right) lo = mid;
    else hi = mid;
  }
  return pointOnCurve(c, (lo + hi) / 2);
}

export function curve(id: string, s: NodeBox, t: NodeBox, offset = 0): CurvePath {
  const sy = s.y + s.h / 2;
  const ty = t.y + t.h / 2;
  let x0: number, x1: number, c1x: number, c2x: number;
  if (t.x >= s.x + s.w) {
    x0 = s.x + s.w;
    x1 = t.x;
    const dx = Math.max(40, (x1 - x0) / 2);
    c1x = x0 + dx;
    c2x = x1 - dx;
  } else if (t.x + t.w <= s.x) {
    x0 = s.x;
    x1 = t.x + t.w;
    const dx = Math.max(40, (x0 - x1) / 2);
    c1x = x0 - dx;
    c2x = x1 + dx;
  } else {
    // Same column: leave and enter on the right, bulging out by the vertical distance.
    x0 = s.x + s.w;
    x1 = t.x + t.w;
    const dx = 40 + Math.abs(ty - sy) * 0.25;
    c1x = x0 + dx;
    c2x = x1 + dx;
  }
  const c1y = sy + offset;
  const c2y = ty + offset;
  return {
    id,
    x0,
    y0: sy,
    c1x,
    c1y,
    c2x,
    c2y,
    x1,
    y1: ty,
    mx: (x0 + 3 * c1x + 3 * c2x + x1) / 8,
    my: (sy + 3 * c1y + 3 * c2y + ty) / 8,
  };
}

/** A point on the curve at parameter t ∈ [0,1]. */
export function pointOnCurve(c: CurvePath, t: number): [number, number] {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const d = 3 * u * t * t;
  const e = t * t * t;
  return [a * c.x0 + b * c.c1x + d * c.c2x + e * c.x1, a * c.y0 + b * c.c1y + d * c.c2y + e * c.y1];
}
