import { describe, expect, it } from "vitest";
import { LAYER_PAD, layerGeometry, layerPlacement, MAX_LAYER_PX } from "./layer";
import type { GraphLayout } from "./types";

const layout = (width: number, height: number): GraphLayout => ({
  nodes: [],
  edges: [],
  links: [],
  groups: [],
  width,
  height,
});

/** Where graph point (gx, gy) lands on the canvas, in device pixels, when the layer is drawn at `p`. */
function onCanvas(
  l: NonNullable<ReturnType<typeof layerGeometry>>,
  p: ReturnType<typeof layerPlacement>,
  gx: number,
  gy: number,
  dpr: number,
) {
  const s = p.width / l.pxWidth;
  return { x: p.x + (l.paint.x + gx * l.k) * dpr * s, y: p.y + (l.paint.y + gy * l.k) * dpr * s };
}

describe("graph layer geometry", () => {
  it("covers the whole layout at the layer's scale, with a margin, in device pixels", () => {
    const l = layerGeometry(layout(1000, 400), 0.7, 2)!;
    expect(l.cssWidth).toBe(Math.ceil(1000 * 0.7 + 2 * LAYER_PAD));
    expect(l.cssHeight).toBe(Math.ceil(400 * 0.7 + 2 * LAYER_PAD));
    expect(l.pxWidth).toBe(l.cssWidth * 2);
    expect(l.pxHeight).toBe(l.cssHeight * 2);
    expect(l.paint).toEqual({ x: LAYER_PAD, y: LAYER_PAD, k: 0.7 });
  });

  it("declines a layer above the pixel budget, so the canvas paints directly", () => {
    expect(layerGeometry(layout(6000, 4000), 3, 2)).toBeNull();
    expect(layerGeometry(layout(6000, 4000), 0.5, 1)).not.toBeNull();
    expect(layerGeometry(layout(1000, 1000), 1, 1, 100)).toBeNull();
    expect(MAX_LAYER_PX).toBeGreaterThan(4096 * 2048);
  });

  it("puts every graph point where the view transform puts it, panned or zoomed", () => {
    const dpr = 2;
    const l = layerGeometry(layout(1200, 800), 0.8, dpr)!;
    for (const v of [
      { x: 24, y: 24, k: 0.8 },
      { x: -313.4, y: 57.25, k: 0.8 },
      { x: 140, y: -90, k: 1.25 },
      { x: 5, y: 5, k: 0.3 },
    ]) {
      const p = layerPlacement(l, v, dpr);
      for (const [gx, gy] of [
        [0, 0],
        [600, 400],
        [1200, 800],
      ] as const) {
        const at = onCanvas(l, p, gx, gy, dpr);
        // Within a device pixel: a pan is rounded to whole pixels so the copy is not resampled.
        expect(Math.abs(at.x - (v.x + gx * v.k) * dpr)).toBeLessThanOrEqual(0.5);
        expect(Math.abs(at.y - (v.y + gy * v.k) * dpr)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it("copies whole device pixels at the layer's own scale and scales only while zooming", () => {
    const l = layerGeometry(layout(500, 300), 1, 1)!;
    const pan = layerPlacement(l, { x: 10.4, y: -3.6, k: 1 }, 1);
    expect([pan.x, pan.y, pan.width, pan.height]).toEqual([-14, -28, l.pxWidth, l.pxHeight]);
    const zoom = layerPlacement(l, { x: 0, y: 0, k: 2 }, 1);
    expect(zoom.width).toBe(l.pxWidth * 2);
    expect(zoom.height).toBe(l.pxHeight * 2);
  });
});
