// Paints a laid-out graph on a 2D canvas. Edges are batched into one path per (status, emphasis)
// so 2,000 edges cost a handful of stroke calls; off-screen nodes are skipped and labels drop out
// when zoomed far out. Everything it draws comes from the scene; it decides nothing.
import type { EdgeStatus } from "@/lib/core/snapshot/schema";
import type { Emphasis } from "@/lib/view/graph/emphasis";
import { STATUS_ORDER, STATUS_STYLE } from "@/lib/view/graph/status";
import type { CurvePath, GraphLayout, GraphNode, NodeBox } from "@/lib/view/graph/types";
import { layerGeometry, layerPlacement, type LayerGeometry } from "@/lib/view/graph/layer";
import { LABEL_MIN_K, type ViewTransform } from "@/lib/view/graph/zoom";

export type { ViewTransform };

export interface Palette {
  status: Record<EdgeStatus, string>;
  bg: string;
  fg: string;
  muted: string;
  border: string;
  accent: string;
  node: string;
  nodePeer: string;
  group: string;
  groupFocus: string;
  link: string;
}

export interface Scene {
  layout: GraphLayout;
  nodeById: Map<string, GraphNode>;
  /** Curve indices per status and emphasis, worst drawn last (on top). */
  buckets: { status: EdgeStatus; emphasis: Emphasis; curves: CurvePath[] }[];
  selectedEdge: CurvePath | null;
  selectedNode: NodeBox | null;
}

const EMPHASES: Emphasis[] = ["dim", "normal", "highlight"];

/** The scene without a selection: what the cached layer paints (a click then costs no repaint of it). */
export function makeScene(
  layout: GraphLayout,
  nodes: GraphNode[],
  statusOf: Map<string, EdgeStatus>,
  emphasisOf: (status: EdgeStatus) => Emphasis,
): Scene {
  const byKey = new Map<string, CurvePath[]>();
  for (const c of layout.edges) {
    const s = statusOf.get(c.id) ?? "unknown";
    const key = `${s}|${emphasisOf(s)}`;
    const list = byKey.get(key);
    if (list) list.push(c);
    else byKey.set(key, [c]);
  }
  const buckets: Scene["buckets"] = [];
  for (const emphasis of EMPHASES) {
    for (const status of [...STATUS_ORDER].reverse()) {
      const curves = byKey.get(`${status}|${emphasis}`);
      if (curves) buckets.push({ status, emphasis, curves });
    }
  }
  return {
    layout,
    nodeById: new Map(nodes.map((n) => [n.id, n])),
    buckets,
    selectedEdge: null,
    selectedNode: null,
  };
}

/** `scene` with the selected edge and node (ids from the URL); shares everything else. */
export function withSelection(scene: Scene, selectedEdge: string | null, selectedNode: string | null): Scene {
  if (selectedEdge === null && selectedNode === null) return scene;
  const { layout } = scene;
  return {
    ...scene,
    selectedEdge: selectedEdge === null ? null : (layout.edges.find((c) => c.id === selectedEdge) ?? null),
    selectedNode: selectedNode === null ? null : (layout.nodes.find((n) => n.id === selectedNode) ?? null),
  };
}

/** Reads the theme's colours from CSS custom properties on `el` (globals.css). */
export function readPalette(el: Element): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    status: {
      mtls: v("--status-mtls", "#007a5a"),
      plaintext: v("--status-plaintext", "#b35900"),
      broken: v("--status-broken", "#c00028"),
      mismatch: v("--status-mismatch", "#8b3fa8"),
      unknown: v("--status-unknown", "#6b7280"),
    },
    bg: v("--graph-bg", "#fbfcfd"),
    fg: v("--fg", "#1a1d21"),
    muted: v("--muted", "#4a5360"),
    border: v("--border", "#c9d0d8"),
    accent: v("--accent", "#0b5cad"),
    node: v("--graph-node", "#ffffff"),
    nodePeer: v("--graph-node-peer", "#f1f3f5"),
    group: v("--graph-group", "#eef2f6"),
    groupFocus: v("--graph-group-focus", "#e3edf8"),
    link: v("--graph-link", "#a8b1bb"),
  };
}

export type Sprites = Record<EdgeStatus, HTMLCanvasElement>;

const BADGE = 16;

/** One pre-rendered badge per status (circle + glyph): drawImage is far cheaper than fillText. */
export function makeSprites(palette: Palette, dpr: number): Sprites {
  const out = {} as Sprites;
  for (const s of STATUS_ORDER) {
    const c = document.createElement("canvas");
    const px = Math.ceil(BADGE * dpr * 2);
    c.width = px;
    c.height = px;
    const g = c.getContext("2d")!;
    g.scale(px / BADGE, px / BADGE);
    g.fillStyle = palette.status[s];
    g.beginPath();
    g.arc(BADGE / 2, BADGE / 2, BADGE / 2 - 0.5, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = palette.bg;
    g.font = "bold 11px system-ui, sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(STATUS_STYLE[s].glyph, BADGE / 2, BADGE / 2 + 0.5);
    out[s] = c;
  }
  return out;
}

function addCurve(ctx: CanvasRenderingContext2D, c: CurvePath) {
  ctx.moveTo(c.x0, c.y0);
  ctx.bezierCurveTo(c.c1x, c.c1y, c.c2x, c.c2y, c.x1, c.y1);
}

function addArrow(ctx: CanvasRenderingContext2D, c: CurvePath, size: number) {
  let dx = c.x1 - c.c2x;
  let dy = c.y1 - c.c2y;
  const len = Math.hypot(dx, dy) || 1;
  dx /= len;
  dy /= len;
  ctx.moveTo(c.x1, c.y1);
  ctx.lineTo(c.x1 - dx * size - dy * size * 0.5, c.y1 - dy * size + dx * size * 0.5);
  ctx.lineTo(c.x1 - dx * size + dy * size * 0.5, c.y1 - dy * size - dx * size * 0.5);
  ctx.closePath();
}

function visible(c: CurvePath, x0: number, y0: number, x1: number, y1: number): boolean {
  return (
    Math.max(c.x0, c.c1x, c.c2x, c.x1) >= x0 &&
    Math.min(c.x0, c.c1x, c.c2x, c.x1) <= x1 &&
    Math.max(c.y0, c.c1y, c.c2y, c.y1) >= y0 &&
    Math.min(c.y0, c.c1y, c.c2y, c.y1) <= y1
  );
}

export function drawGraph(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  t: ViewTransform,
  width: number,
  height: number,
  dpr: number,
  p: Palette,
  sprites: Sprites,
): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = p.bg;
  ctx.fillRect(0, 0, width * dpr, height * dpr);
  ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
  // The visible rectangle in graph coordinates.
  const vx0 = -t.x / t.k;
  const vy0 = -t.y / t.k;
  const vx1 = vx0 + width / t.k;
  const vy1 = vy0 + height / t.k;
  const labels = t.k >= LABEL_MIN_K;
  const { layout } = scene;

  for (const g of layout.groups) {
    if (g.x > vx1 || g.x + g.w < vx0) continue;
    ctx.fillStyle = g.focus ? p.groupFocus : p.group;
    ctx.fillRect(g.x, g.y, g.w, g.h);
    ctx.strokeStyle = g.focus ? p.accent : p.border;
    ctx.lineWidth = g.focus ? 2 : 1;
    ctx.setLineDash([]);
    ctx.strokeRect(g.x, g.y, g.w, g.h);
    if (labels) {
      ctx.fillStyle = p.fg;
      ctx.font = "bold 14px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.textAlign = "left";
      ctx.fillText(g.focus ? `${g.label} (this namespace)` : g.label, g.x + 12, g.y + 20);
    }
  }

  // Service → workload structure.
  ctx.beginPath();
  for (const c of layout.links) if (visible(c, vx0, vy0, vx1, vy1)) addCurve(ctx, c);
  ctx.strokeStyle = p.link;
  ctx.lineWidth = Math.max(1, 1 / t.k);
  ctx.setLineDash([3, 3]);
  ctx.stroke();

  const minW = 1 / t.k;
  for (const b of scene.buckets) {
    const style = STATUS_STYLE[b.status];
    const color = p.status[b.status];
    ctx.globalAlpha = b.emphasis === "dim" ? 0.15 : 1;
    if (b.emphasis === "highlight") {
      // A wide translucent halo so broken edges stand out on cold load.
      ctx.beginPath();
      for (const c of b.curves) if (visible(c, vx0, vy0, vx1, vy1)) addCurve(ctx, c);
      ctx.strokeStyle = color;
      ctx.globalAlpha = 0.25;
      ctx.lineWidth = Math.max(11, 4 * minW);
      ctx.setLineDash([]);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    ctx.beginPath();
    for (const c of b.curves) if (visible(c, vx0, vy0, vx1, vy1)) addCurve(ctx, c);
    ctx.strokeStyle = color;
    ctx.lineWidth = Math.max(style.width, minW);
    ctx.setLineDash(style.dash);
    ctx.stroke();
    ctx.beginPath();
    for (const c of b.curves) if (visible(c, vx0, vy0, vx1, vy1)) addArrow(ctx, c, 8);
    ctx.fillStyle = color;
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);

  // Status badges at edge midpoints: every non-mTLS edge, and the selected one.
  if (t.k >= 0.3) {
    for (const b of scene.buckets) {
      if (b.status === "mtls") continue;
      ctx.globalAlpha = b.emphasis === "dim" ? 0.15 : 1;
      const img = sprites[b.status];
      for (const c of b.curves) {
        if (c.mx < vx0 - BADGE || c.mx > vx1 + BADGE || c.my < vy0 - BADGE || c.my > vy1 + BADGE) continue;
        ctx.drawImage(img, c.mx - BADGE / 2, c.my - BADGE / 2, BADGE, BADGE);
      }
    }
    ctx.globalAlpha = 1;
  }

  ctx.font = "13px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  ctx.setLineDash([]);
  for (const n of layout.nodes) {
    if (n.x > vx1 || n.x + n.w < vx0 || n.y > vy1 || n.y + n.h < vy0) continue;
    const node = scene.nodeById.get(n.id);
    const peer = node ? !node.focus : true;
    ctx.fillStyle = peer ? p.nodePeer : p.node;
    ctx.fillRect(n.x, n.y, n.w, n.h);
    const worst = node?.worst ?? null;
    ctx.strokeStyle = worst && worst !== "mtls" ? p.status[worst] : p.border;
    ctx.lineWidth = worst && worst !== "mtls" ? 2 : 1;
    ctx.strokeRect(n.x, n.y, n.w, n.h);
    if (node?.kind === "service") {
      // A service is marked by a bar on its left edge; workloads have none.
      ctx.fillStyle = p.muted;
      ctx.fillRect(n.x, n.y, 4, n.h);
    }
    if (labels && node) {
      ctx.fillStyle = p.fg;
      ctx.fillText(
        clip(ctx, node.kind === "service" ? `svc ${node.name}` : node.name, n.w - 16),
        n.x + 10,
        n.y + n.h / 2,
      );
    }
  }

  drawSelection(ctx, scene, t, dpr, p);
}

/** The selected edge and node, on top of everything else (also over a cached layer). */
export function drawSelection(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  t: ViewTransform,
  dpr: number,
  p: Palette,
): void {
  if (!scene.selectedEdge && !scene.selectedNode) return;
  ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
  const minW = 1 / t.k;
  if (scene.selectedEdge) {
    const c = scene.selectedEdge;
    ctx.beginPath();
    addCurve(ctx, c);
    ctx.strokeStyle = p.accent;
    ctx.lineWidth = Math.max(7, 3 * minW);
    ctx.stroke();
    ctx.beginPath();
    addCurve(ctx, c);
    ctx.strokeStyle = p.bg;
    ctx.lineWidth = Math.max(2.5, minW);
    ctx.stroke();
  }
  if (scene.selectedNode) {
    const n = scene.selectedNode;
    ctx.strokeStyle = p.accent;
    ctx.lineWidth = Math.max(3, 2 * minW);
    ctx.strokeRect(n.x - 3, n.y - 3, n.w + 6, n.h + 6);
  }
}

const clipCache = new Map<string, string>();

function clip(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  const key = `${max}|${text}`;
  const hit = clipCache.get(key);
  if (hit !== undefined) return hit;
  let out = text;
  if (ctx.measureText(text).width > max) {
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(text.slice(0, mid) + "…").width <= max) lo = mid;
      else hi = mid - 1;
    }
    out = text.slice(0, lo) + "…";
  }
  if (clipCache.size > 5000) clipCache.clear();
  clipCache.set(key, out);
  return out;
}

/** The whole scene painted once at one scale (lib/view/graph/layer.ts says why), with what it was painted from. */
export interface Layer {
  geometry: LayerGeometry;
  bitmap: HTMLCanvasElement;
  /** `sceneKey` of the scene painted. */
  key: string;
  palette: Palette;
  dpr: number;
}

const curveKey = (c: CurvePath) =>
  `${c.id}@${c.x0},${c.y0},${c.c1x},${c.c1y},${c.c2x},${c.c2y},${c.x1},${c.y1}`;

/**
 * Everything the painter draws from a scene (without its selection), as one string: two scenes with
 * the same key paint the same pixels. A refresh brings new snapshot objects every 30 s, usually with
 * nothing drawn changed; comparing keys keeps the layer rather than repainting it. Kept by hand in step
 * with what `drawGraph` reads from a scene: a field painted but missing here would leave stale pixels.
 */
export function sceneKey(s: Scene): string {
  const parts: string[] = [];
  for (const g of s.layout.groups) parts.push(`g${g.id}|${g.label}|${g.focus}|${g.x},${g.y},${g.w},${g.h}`);
  for (const n of s.layout.nodes) {
    const node = s.nodeById.get(n.id);
    parts.push(
      `n${n.id}|${n.x},${n.y},${n.w},${n.h}|${node?.kind}|${node?.name}|${node?.focus}|${node?.worst}`,
    );
  }
  for (const c of s.layout.links) parts.push(`l${curveKey(c)}`);
  for (const b of s.buckets) parts.push(`b${b.status}|${b.emphasis}|${b.curves.map(curveKey).join(";")}`);
  return parts.join("\n");
}

/** Paints `scene` at scale `k` into a new off-screen layer; null when it would be too large (paint directly then). */
export function paintLayer(
  scene: Scene,
  key: string,
  k: number,
  dpr: number,
  p: Palette,
  sprites: Sprites,
): Layer | null {
  const geometry = layerGeometry(scene.layout, k, dpr);
  if (!geometry) return null;
  const bitmap = document.createElement("canvas");
  bitmap.width = geometry.pxWidth;
  bitmap.height = geometry.pxHeight;
  const ctx = bitmap.getContext("2d");
  if (!ctx) return null;
  drawGraph(ctx, scene, geometry.paint, geometry.cssWidth, geometry.cssHeight, dpr, p, sprites);
  return { geometry, bitmap, key, palette: p, dpr };
}

/** Draws `layer` for view `t` on a `width`×`height` canvas: one image copy (scaled while a zoom settles). */
export function drawLayer(
  ctx: CanvasRenderingContext2D,
  layer: Layer,
  t: ViewTransform,
  width: number,
  height: number,
): void {
  const { dpr, palette } = layer;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = palette.bg;
  ctx.fillRect(0, 0, width * dpr, height * dpr);
  const at = layerPlacement(layer.geometry, t, dpr);
  ctx.imageSmoothingEnabled = at.width !== layer.geometry.pxWidth;
  ctx.drawImage(layer.bitmap, at.x, at.y, at.width, at.height);
  // Back to the default: the direct painter scales the badge sprites, which needs smoothing.
  ctx.imageSmoothingEnabled = true;
}
