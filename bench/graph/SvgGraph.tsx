// The SVG/DOM alternative, kept only for the renderer comparison in bench/graph/run.mjs: the same
// layout and styles as GraphCanvas, one <path> per edge, panned by rewriting one transform attribute
// (the cheapest way to pan SVG) so the comparison is fair to it.
import { edgeEmphasis } from "../../lib/view/graph/emphasis";
import { STATUS_STYLE } from "../../lib/view/graph/status";
import type { GraphLayout, ViewGraph } from "../../lib/view/graph/types";
import { useRef } from "react";

export function SvgGraph({
  graph,
  layout,
  height,
}: {
  graph: ViewGraph;
  layout: GraphLayout;
  height: number;
}) {
  const g = useRef<SVGGElement | null>(null);
  const v = useRef({ x: 24, y: 24, k: 0.5 });
  const drag = useRef<{ sx: number; sy: number; vx: number; vy: number } | null>(null);
  const status = new Map(graph.edges.map((e) => [e.id, e.status]));
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const apply = () =>
    g.current?.setAttribute("transform", `translate(${v.current.x},${v.current.y}) scale(${v.current.k})`);
  return (
    <svg
      data-testid="graph-svg"
      width="100%"
      height={height}
      style={{ display: "block", background: "var(--graph-bg)", touchAction: "none" }}
      onPointerDown={(e) => {
        drag.current = { sx: e.clientX, sy: e.clientY, vx: v.current.x, vy: v.current.y };
        e.currentTarget.setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (!d) return;
        v.current = { ...v.current, x: d.vx + e.clientX - d.sx, y: d.vy + e.clientY - d.sy };
        apply();
      }}
      onPointerUp={() => (drag.current = null)}
      ref={(el) => {
        if (!el || el.dataset.rendered) return;
        el.dataset.rendered = "true";
        // The same mark as the canvas (its first paint); the SVG is painted in the next frame.
        requestAnimationFrame(() => performance.mark("handshake:graph-rendered"));
      }}
    >
      <g ref={g} transform={`translate(24,24) scale(0.5)`}>
        {layout.groups.map((b) => (
          <rect
            key={b.id}
            x={b.x}
            y={b.y}
            width={b.w}
            height={b.h}
            fill="var(--graph-group)"
            stroke="var(--border)"
          />
        ))}
        {layout.edges.map((c) => {
          const s = status.get(c.id) ?? "unknown";
          const st = STATUS_STYLE[s];
          return (
            <path
              key={c.id}
              d={`M${c.x0},${c.y0}C${c.c1x},${c.c1y},${c.c2x},${c.c2y},${c.x1},${c.y1}`}
              fill="none"
              stroke={`var(--status-${s})`}
              strokeWidth={st.width}
              strokeDasharray={st.dash.join(" ") || undefined}
              opacity={edgeEmphasis({ status: s }, false) === "dim" ? 0.15 : 1}
            />
          );
        })}
        {layout.edges.map((c) => {
          const s = status.get(c.id) ?? "unknown";
          return s === "mtls" ? null : (
            <text key={c.id} x={c.mx} y={c.my} fontSize={11} textAnchor="middle" fill={`var(--status-${s})`}>
              {STATUS_STYLE[s].glyph}
            </text>
          );
        })}
        {layout.nodes.map((n) => (
          <g key={n.id}>
            <rect x={n.x} y={n.y} width={n.w} height={n.h} fill="var(--graph-node)" stroke="var(--border)" />
            <text x={n.x + 10} y={n.y + n.h / 2 + 4} fontSize={13} fill="var(--fg)">
              {nodes.get(n.id)?.name}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
