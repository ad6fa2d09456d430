// The graph's cached layer: the whole layout painted once at one scale into an off-screen bitmap, so a
// pan is one image copy instead of repainting 2,000 curves. In Chromium without a GPU (the bench runs
// with `--disable-gpu`) the curves cost ~5 ms of script to record but ~290 ms to rasterise, at every
// frame, in the compositor's commit ("LayerTreeHost::DoUpdateLayers"; the dash patterns are half of
// it): panning measured a 267 ms p95 frame (docs/DECISIONS.md, "Graph renderer: a cached layer").
// Pure geometry here; components/graph does the painting.
import type { GraphLayout } from "./types";
import type { ViewTransform } from "./zoom";

/** Margin around the layout inside the layer, in CSS pixels (strokes and labels reach past node boxes). */
export const LAYER_PAD = 24;
/**
 * The largest layer, in device pixels (64 MB of RGBA). Beyond it (a huge graph zoomed in) the canvas
 * paints the visible part directly, as before.
 */
export const MAX_LAYER_PX = 16_000_000;

/** A layer's size and the transform its content is painted with. */
export interface LayerGeometry {
  /** Scale of the content. */
  k: number;
  /** Device-pixel size of the bitmap. */
  pxWidth: number;
  pxHeight: number;
  /** CSS-pixel size (what the painter is told its canvas is). */
  cssWidth: number;
  cssHeight: number;
  /** Transform to paint the layout into the layer with (graph → layer CSS pixels). */
  paint: ViewTransform;
}

/** The layer for `layout` at scale `k`, or null when it would exceed `maxPx` device pixels. */
export function layerGeometry(
  layout: GraphLayout,
  k: number,
  dpr: number,
  maxPx = MAX_LAYER_PX,
): LayerGeometry | null {
  const cssWidth = Math.ceil(layout.width * k + 2 * LAYER_PAD);
  const cssHeight = Math.ceil(layout.height * k + 2 * LAYER_PAD);
  const pxWidth = Math.ceil(cssWidth * dpr);
  const pxHeight = Math.ceil(cssHeight * dpr);
  if (pxWidth * pxHeight > maxPx) return null;
  return { k, pxWidth, pxHeight, cssWidth, cssHeight, paint: { x: LAYER_PAD, y: LAYER_PAD, k } };
}

/** Where to draw the layer on the canvas for view `v`, in device pixels: scaled when `v.k` differs (while zooming). */
export function layerPlacement(
  layer: LayerGeometry,
  v: ViewTransform,
  dpr: number,
): { x: number; y: number; width: number; height: number } {
  const s = v.k / layer.k;
  // Graph point g sits at layer CSS pixel paint.x + g·k and must land on screen at v.x + g·v.k.
  const x = (v.x - layer.paint.x * s) * dpr;
  const y = (v.y - layer.paint.y * s) * dpr;
  // Whole device pixels when not scaling, so a pan copies pixels without resampling them.
  return s === 1
    ? { x: Math.round(x), y: Math.round(y), width: layer.pxWidth, height: layer.pxHeight }
    : { x, y, width: layer.pxWidth * s, height: layer.pxHeight * s };
}
