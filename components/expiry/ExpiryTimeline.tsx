"use client";
// The expiry timeline: one recharts bar chart per layer (same time axis for all), a bar per
// certificate from notBefore to notAfter in seconds from now, a "now" line, rotation markers and an
// urgency colour with a glyph and the time left beside each bar. Data comes ready from
// lib/view/expiry/timeline.ts; this component only draws it.
import { Bar, BarChart, ReferenceDot, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from "recharts";
import { formatOffset, shortName } from "@/lib/view/expiry/format";
import type { ExpiryModel, TimelineBar, TimelineGroup } from "@/lib/view/expiry/timeline";
import { URGENCY_GLYPHS, URGENCY_LABELS } from "@/lib/view/expiry/urgency";

const ROW = 26;
const AXIS = 28;
const NAME_W = 210;
const CUE_W = 150;

interface BarShapeProps {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  payload?: TimelineBar;
}

/** A bar in its urgency colour; an arrow where it runs on past the visible window. */
function BarShape({ x = 0, y = 0, width = 0, height = 0, payload }: BarShapeProps) {
  if (!payload) return null;
  const w = Math.max(width, 2);
  return (
    <g
      className={`urg-${payload.urgency}`}
      data-testid="expiry-bar"
      data-cert={payload.id}
      data-urgency={payload.urgency}
      data-renewal={payload.renewal ?? undefined}
    >
      <title>{`${payload.name}: ${payload.leftText} (${URGENCY_LABELS[payload.urgency]})`}</title>
      <rect className="expiry-bar" x={x} y={y} width={w} height={height} rx={2} />
      {payload.clippedEnd && w > 12 ? (
        <path d={`M${x + w - 9} ${y + 3}l6 ${height / 2 - 3}l-6 ${height / 2 - 3}z`} fill="var(--bg)" />
      ) : null}
    </g>
  );
}

/** Rows are keyed by certificate id (names repeat: one SPIFFE ID per pod); the tick shows the name. */
function NameTick({
  x = 0,
  y = 0,
  payload,
  names,
}: {
  x?: number;
  y?: number;
  payload?: { value: string };
  names: Map<string, string>;
}) {
  const v = names.get(payload?.value ?? "") ?? "";
  return (
    <text x={x - 6} y={y} dy={4} textAnchor="end" fontSize={12} fill="var(--fg)">
      <title>{v}</title>
      {shortName(v, 30)}
    </text>
  );
}

function GroupChart({ group, model }: { group: TimelineGroup; model: ExpiryModel }) {
  const data = group.bars.map((b) => ({
    ...b,
    range: [b.start, b.end] as [number, number],
    cue: `${URGENCY_GLYPHS[b.urgency]} ${b.leftText}`,
  }));
  const height = data.length * ROW + AXIS;
  const names = new Map(group.bars.map((b) => [b.id, b.name]));
  const [lo, hi] = model.domain;
  return (
    <div style={{ width: "100%", height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart
          data={data}
          layout="vertical"
          margin={{ top: 0, right: 8, bottom: 0, left: 0 }}
          barCategoryGap={4}
        >
          <XAxis
            type="number"
            dataKey="end"
            domain={[lo, hi]}
            ticks={model.ticks}
            tickFormatter={(t: number) => formatOffset(t)}
            allowDataOverflow
            tick={{ fontSize: 11, fill: "var(--muted)" }}
            stroke="var(--exp-grid)"
          />
          <YAxis
            yAxisId="name"
            type="category"
            dataKey="id"
            width={NAME_W}
            tick={<NameTick names={names} />}
            interval={0}
            tickLine={false}
            stroke="var(--exp-grid)"
          />
          <YAxis
            yAxisId="cue"
            orientation="right"
            type="category"
            dataKey="cue"
            width={CUE_W}
            interval={0}
            tickLine={false}
            axisLine={false}
            tick={{ fontSize: 12, fill: "var(--fg)" }}
          />
          <Bar yAxisId="name" dataKey="range" isAnimationActive={false} shape={<BarShape />} />
          {lo <= 0 && hi >= 0 ? (
            <ReferenceLine
              yAxisId="name"
              x={0}
              className="expiry-now"
              stroke="var(--exp-now)"
              strokeWidth={2}
              ifOverflow="hidden"
            />
          ) : null}
          {data
            .filter((b) => b.renewal !== null)
            .map((b) => (
              <ReferenceDot
                key={`r-${b.id}`}
                yAxisId="name"
                x={b.renewal!}
                y={b.id}
                r={4}
                className="expiry-renewal"
                fill="var(--exp-renewal)"
                stroke="var(--bg)"
                shape={(p: { cx?: number; cy?: number }) => (
                  <path
                    data-testid="expiry-renewal"
                    d={`M${p.cx ?? 0} ${(p.cy ?? 0) - 6}l5 6l-5 6l-5 -6z`}
                    fill="var(--exp-renewal)"
                    stroke="var(--bg)"
                  >
                    <title>{`${b.name}: rotation ${formatOffset(b.renewal!)}`}</title>
                  </path>
                )}
              />
            ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function moreText(g: TimelineGroup): string {
  const parts = Object.entries(g.hiddenByUrgency).map(
    ([u, n]) => `${n} ${URGENCY_LABELS[u as keyof typeof URGENCY_LABELS]}`,
  );
  return `+ ${g.hidden} more expiring later (${parts.join(", ")}): see the table.`;
}

export function ExpiryTimeline({ model }: { model: ExpiryModel }) {
  if (model.groups.length === 0) return <p className="expiry-empty">No certificates in this scope.</p>;
  return (
    <div
      data-testid="expiry-timeline"
      aria-label="Certificate lifetimes on a time axis; the table lists the same certificates"
    >
      <p className="expiry-more" style={{ fontStyle: "normal" }}>
        Bars run from notBefore to notAfter (time from now); <span aria-hidden>◆</span> marks the expected
        rotation, the blue line is now.
      </p>
      {model.groups.map((g) => (
        <section
          key={g.layer}
          className="expiry-group"
          aria-label={`${g.label}: ${g.total} certificates`}
          data-testid="expiry-group"
          data-layer={g.layer}
          data-hidden={g.hidden}
        >
          <h3>
            {g.label} <span className="expiry-more">({g.total})</span>
          </h3>
          <GroupChart group={g} model={model} />
          {g.hidden > 0 ? <p className="expiry-more">{moreText(g)}</p> : null}
        </section>
      ))}
    </div>
  );
}
