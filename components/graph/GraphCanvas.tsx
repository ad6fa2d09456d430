"use client";
// The service-edge graph on a <canvas> (chosen by measurement, see bench/graph): drag to pan, wheel
// or +/- to zoom, arrow keys to pan, 0 to fit; a click selects the node or edge under the pointer
// (lib/view/graph/hitTest). The accessible edge and workload lists beside it offer the same choices.
import type { EdgeStatus } from "@/lib/core/snapshot/schema";
import { edgeEmphasis, highlightedEdgeIds } from "@/lib/view/graph/emphasis";
import { hitEdge, hitNode } from "@/lib/view/graph/hitTest";
import type { GraphLayout, ViewGraph } from "@/lib/view/graph/types";
import { fitTransform, keyboardZoomPoint, zoomAbout } from "@/lib/view/graph/zoom";
import { useCallback, useEffect, useMemo, useRef } from "react";
import {
  drawGraph,
  drawLayer,
  drawSelection,
  makeScene,
  makeSprites,
  paintLayer,
  readPalette,
  sceneKey,
  withSelection,
  type Layer,
  type Palette,
  type Sprites,
  type ViewTransform,
} from "./drawGraph";

export interface GraphCanvasProps {
  graph: ViewGraph;
  layout: GraphLayout;
  problemsFirst: boolean;
  selectedEdge: string | null;
  selectedNode: string | null;
  onSelectEdge: (id: string) => void;
  onSelectNode: (id: string) => void;
  /** Accessible name of the picture. */
  label: string;
  /** CSS pixels; without it the stylesheet decides (.graph-canvas height: var(--graph-h)). */
  height?: number;
}

const CLICK_SLOP = 4;
/** A zoom is repainted crisply once the wheel or keys have been still this long; until then the layer is scaled. */
const ZOOM_SETTLE_MS = 150;

export function GraphCanvas(props: GraphCanvasProps) {
  const {
    graph,
    layout,
    problemsFirst,
    selectedEdge,
    selectedNode,
    onSelectEdge,
    onSelectNode,
    label,
    height,
  } = props;
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const view = useRef<ViewTransform | null>(null);
  const size = useRef({ w: 0, h: 0, dpr: 1 });
  const theme = useRef<{ palette: Palette; sprites: Sprites } | null>(null);
  const frame = useRef<number | null>(null);
  const rendered = useRef(false);
  /** Until the user pans or zooms, the view refits whenever the canvas changes size (panel opened). */
  const userMoved = useRef(false);
  /** The scene painted once at one scale: pans copy it (lib/view/graph/layer.ts). Null: paint directly. */
  const layer = useRef<Layer | null>(null);
  /** Set while a zoom is under way: the layer is scaled rather than repainted at every step. */
  const zoomSettle = useRef<number | null>(null);

  const base = useMemo(() => {
    const statusOf = new Map<string, EdgeStatus>(graph.edges.map((e) => [e.id, e.status]));
    return makeScene(layout, graph.nodes, statusOf, (s) => edgeEmphasis({ status: s }, problemsFirst));
  }, [graph, layout, problemsFirst]);
  // What the painter is given to highlight.
  const highlighted = useMemo(() => highlightedEdgeIds(base.buckets).join(","), [base]);
  const scene = useMemo(
    () => withSelection(base, selectedEdge, selectedNode),
    [base, selectedEdge, selectedNode],
  );
  const sceneRef = useRef(scene);
  sceneRef.current = scene;
  const baseRef = useRef(base);
  baseRef.current = base;
  const baseKey = useMemo(() => sceneKey(base), [base]);
  const baseKeyRef = useRef(baseKey);
  baseKeyRef.current = baseKey;

  const paint = useCallback(() => {
    frame.current = null;
    const canvas = canvasRef.current;
    if (!canvas || size.current.w === 0) return;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    if (!theme.current) {
      const palette = readPalette(canvas);
      theme.current = { palette, sprites: makeSprites(palette, size.current.dpr) };
    }
    view.current ??= fitTransform(sceneRef.current.layout, size.current.w, size.current.h);
    const v = view.current;
    const { w, h, dpr } = size.current;
    const { palette, sprites } = theme.current;
    const scene = sceneRef.current;
    // The layer is made once the user pans or zooms: painting the whole graph costs more than the
    // visible part, so the first view (and a view nobody moves) is painted directly.
    if (userMoved.current) {
      const l = layer.current;
      const key = baseKeyRef.current;
      const stale = !l || l.key !== key || l.palette !== palette || l.dpr !== dpr;
      if (stale || (l.geometry.k !== v.k && zoomSettle.current === null))
        layer.current = paintLayer(baseRef.current, key, v.k, dpr, palette, sprites);
    } else layer.current = null;
    if (layer.current) {
      drawLayer(ctx, layer.current, v, w, h);
      drawSelection(ctx, scene, v, dpr, palette);
    } else drawGraph(ctx, scene, v, w, h, dpr, palette, sprites);
    // The current scale, for tests and tools (labels are painted from LABEL_MIN_K up).
    canvas.dataset.zoom = view.current.k.toFixed(3);
    if (!rendered.current) {
      rendered.current = true;
      canvas.dataset.rendered = "true";
      performance.mark("handshake:graph-rendered");
    }
  }, []);

  const schedule = useCallback(() => {
    if (frame.current === null) frame.current = requestAnimationFrame(paint);
  }, [paint]);

  // Redraw when the scene changes.
  useEffect(() => schedule(), [scene, schedule]);

  // Size to the container; follow the colour scheme.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const resize = () => {
      const rect = canvas.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      // Sprites are drawn for one pixel ratio; a new size alone keeps them (and so the cached layer:
      // opening the side panel narrows the canvas).
      if (dpr !== size.current.dpr) theme.current = null;
      size.current = { w: rect.width, h: rect.height, dpr };
      canvas.width = Math.round(rect.width * dpr);
      canvas.height = Math.round(rect.height * dpr);
      if (!userMoved.current) view.current = null;
      schedule();
    };
    resize();
    const ro = new ResizeObserver(resize);
    ro.observe(canvas);
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const onScheme = () => {
      theme.current = null;
      schedule();
    };
    mq.addEventListener("change", onScheme);
    return () => {
      ro.disconnect();
      mq.removeEventListener("change", onScheme);
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      if (zoomSettle.current !== null) window.clearTimeout(zoomSettle.current);
      zoomSettle.current = null;
      layer.current = null;
    };
  }, [schedule]);

  const zoomAt = useCallback(
    (sx: number, sy: number, factor: number) => {
      const v = view.current ?? fitTransform(sceneRef.current.layout, size.current.w, size.current.h);
      userMoved.current = true;
      view.current = zoomAbout(v, sx, sy, factor);
      if (zoomSettle.current !== null) window.clearTimeout(zoomSettle.current);
      zoomSettle.current = window.setTimeout(() => {
        zoomSettle.current = null;
        schedule();
      }, ZOOM_SETTLE_MS);
      schedule();
    },
    [schedule],
  );

  // Wheel must be non-passive to keep the page from scrolling while zooming.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * 0.0015));
    };
    canvas.addEventListener("wheel", onWheel, { passive: false });
    return () => canvas.removeEventListener("wheel", onWheel);
  }, [zoomAt]);

  const drag = useRef<{ id: number; sx: number; sy: number; vx: number; vy: number; moved: boolean } | null>(
    null,
  );

  const toGraph = (e: { clientX: number; clientY: number }) => {
    const r = canvasRef.current!.getBoundingClientRect();
    const v = view.current ?? { x: 0, y: 0, k: 1 };
    return { x: (e.clientX - r.left - v.x) / v.k, y: (e.clientY - r.top - v.y) / v.k, k: v.k };
  };

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0) return;
    const v = view.current ?? { x: 0, y: 0, k: 1 };
    drag.current = { id: e.pointerId, sx: e.clientX, sy: e.clientY, vx: v.x, vy: v.y, moved: false };
    e.currentTarget.setPointerCapture(e.pointerId);
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (d && d.id === e.pointerId) {
      const dx = e.clientX - d.sx;
      const dy = e.clientY - d.sy;
      if (!d.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
      d.moved = true;
      userMoved.current = true;
      view.current = { ...(view.current ?? { k: 1, x: 0, y: 0 }), x: d.vx + dx, y: d.vy + dy };
      schedule();
      return;
    }
    const g = toGraph(e);
    const over =
      hitNode(sceneRef.current.layout, g.x, g.y) ?? hitEdge(sceneRef.current.layout, g.x, g.y, 6 / g.k);
    e.currentTarget.style.cursor = over ? "pointer" : "grab";
  };

  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.id !== e.pointerId || d.moved) return;
    const g = toGraph(e);
    const node = hitNode(sceneRef.current.layout, g.x, g.y);
    if (node) return onSelectNode(node.id);
    const edge = hitEdge(sceneRef.current.layout, g.x, g.y, 6 / g.k);
    if (edge) onSelectEdge(edge.id);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    const step = 60;
    const v = view.current;
    if (!v) return;
    const pan: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    const p = pan[e.key];
    if (p) {
      view.current = { ...v, x: v.x + p[0], y: v.y + p[1] };
      userMoved.current = true;
    } else if (e.key === "+" || e.key === "=" || e.key === "-") {
      e.preventDefault();
      const at = keyboardZoomPoint(sceneRef.current.layout, v, size.current.w, size.current.h);
      return zoomAt(at.x, at.y, e.key === "-" ? 0.8 : 1.25);
    } else if (e.key === "0") {
      view.current = fitTransform(sceneRef.current.layout, size.current.w, size.current.h);
      userMoved.current = false;
    } else return;
    e.preventDefault();
    schedule();
  };

  return (
    <canvas
      ref={canvasRef}
      className="graph-canvas"
      data-testid="graph-canvas"
      data-highlighted={highlighted}
      role="img"
      aria-label={label}
      tabIndex={0}
      style={{
        width: "100%",
        ...(height === undefined ? {} : { height }),
        display: "block",
        touchAction: "none",
        cursor: "grab",
      }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => (drag.current = null)}
      onKeyDown={onKeyDown}
    />
  );
}
