import type { EdgeStatus } from "@/lib/core/snapshot/schema";
import { STATUS_STYLE } from "@/lib/view/graph/status";

/** Colour, glyph and word: readable without colour vision. */
export function StatusBadge({ status }: { status: EdgeStatus }) {
  const s = STATUS_STYLE[status];
  return (
    <span className={`status status-${status}`}>
      <span className="status-glyph" aria-hidden="true">
        {s.glyph}
      </span>
      {s.label}
    </span>
  );
}
