import { STATUS_ORDER, STATUS_STYLE } from "@/lib/view/graph/status";

/** The key to the graph: colour, glyph and line pattern of each status. */
export function Legend() {
  return (
    <ul className="legend" aria-label="Edge status legend" data-testid="legend">
      {STATUS_ORDER.map((s) => (
        <li key={s} className={`status status-${s}`} title={STATUS_STYLE[s].description}>
          <svg width="36" height="10" aria-hidden="true">
            <line
              x1="0"
              y1="5"
              x2="36"
              y2="5"
              stroke={`var(--status-${s})`}
              strokeWidth={Math.min(STATUS_STYLE[s].width, 3.5)}
              strokeDasharray={STATUS_STYLE[s].dash.join(" ") || undefined}
            />
          </svg>
          <span className="status-glyph" aria-hidden="true">
            {STATUS_STYLE[s].glyph}
          </span>
          {STATUS_STYLE[s].label}
        </li>
      ))}
      <li className="muted">Bar on the left = Service · faint dotted = Service → its workloads</li>
    </ul>
  );
}
