// The graph's zoom rules, pure so they are testable and shared by the canvas, the painter and the e2e:
// labels are painted from LABEL_MIN_K up (below it a 13 px label is under 6 px on screen), and the
// initial "fit" never goes below FIT_MIN_K — a wide graph in a narrow canvas (panel open, 1,024 px
// screens) is shown readable and centred on this namespace's group, and the user pans to the rest
// (0 still fits, "−" zooms out further).
import type { GraphLayout } from "./types";

export interface ViewTransform {
  x: number;
  y: number;
  k: number;
}

/** Below this scale node and group names are not painted (too small to read). */
export const LABEL_MIN_K = 0.45;
/** The initial view is never fitted below this scale: 13 px labels stay ≥ 9 px on screen. */
export const FIT_MIN_K = 0.7;
export const FIT_MAX_K = 1.1;
export const MIN_K = 0.1;
export const MAX_K = 3;
const PAD = 24;

/**
 * The initial view of `layout` in a `width`×`height` canvas: as large as fits (at most FIT_MAX_K) but
 * never below FIT_MIN_K. What fits is centred; what does not is aligned to show the focus group (this
 * namespace) in the middle, clamped so no empty space opens at either end, and the top row.
 */
export function fitTransform(layout: GraphLayout, width: number, height: number): ViewTransform {
  if (layout.width === 0 || width === 0 || height === 0) return { x: PAD, y: PAD, k: 1 };
  const fit = Math.min((width - 2 * PAD) / layout.width, (height - 2 * PAD) / layout.height);
  const k = Math.min(FIT_MAX_K, Math.max(FIT_MIN_K, fit));
  const w = layout.width * k;
  const h = layout.height * k;
  let x: number;
  if (w <= width - 2 * PAD) x = (width - w) / 2;
  else {
    const focus = layout.groups.find((g) => g.focus);
    const cx = focus ? (focus.x + focus.w / 2) * k : w / 2;
    x = Math.min(PAD, Math.max(width - PAD - w, width / 2 - cx));
  }
  const y = h <= height - 2 * PAD ? (height - h) / 2 : PAD;
  return { x, y, k };
}

/** Zoom by `factor` about the screen point (sx, sy), within MIN_K..MAX_K. */
export function zoomAbout(v: ViewTransform, sx: number, sy: number, factor: number): ViewTransform {
  const k = Math.min(MAX_K, Math.max(MIN_K, v.k * factor));
  return { k, x: sx - ((sx - v.x) * k) / v.k, y: sy - ((sy - v.y) * k) / v.k };
}

/**
 * Where "+"/"−" zoom about: the canvas centre, pulled inside the graph's on-screen box, so a graph
 * smaller than the canvas grows about its own centre instead of drifting off.
 */
export function keyboardZoomPoint(
  layout: GraphLayout,
  v: ViewTransform,
  width: number,
  height: number,
): { x: number; y: number } {
  const clamp = (c: number, lo: number, hi: number) => Math.min(Math.max(c, lo), hi);
  return {
    x: clamp(width / 2, v.x, v.x + layout.width * v.k),
    y: clamp(height / 2, v.y, v.y + layout.height * v.k),
  };
}
