// The edges as a table of buttons: the keyboard and screen-reader way to the same selection as a
// click on the canvas. Worst first; broken rows are highlighted.
import type { Edge } from "@/lib/core/snapshot/schema";
import { edgeDestinationLabel, edgeSourceLabel } from "@/lib/view/graph/edgeLabel";
import { edgeEmphasis, sortEdgesForList } from "@/lib/view/graph/emphasis";
import { StatusBadge } from "./StatusBadge";

export interface EdgeListProps {
  edges: Edge[];
  selected: string | null;
  problemsFirst: boolean;
  onSelect: (id: string) => void;
}

export function EdgeList({ edges, selected, problemsFirst, onSelect }: EdgeListProps) {
  const rows = sortEdgesForList(edges);
  return (
    <table className="edge-list" data-testid="edge-list">
      <caption>Edges ({edges.length}), worst first</caption>
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Edge</th>
          <th scope="col">Client → server</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => (
          <tr
            key={e.id}
            data-status={e.status}
            data-edge-id={e.id}
            className={`edge-row edge-row-${e.status}${edgeEmphasis(e, problemsFirst) === "dim" ? " edge-row-dim" : ""}`}
            aria-selected={selected === e.id}
          >
            <td>
              <StatusBadge status={e.status} />
            </td>
            <td>
              <button
                type="button"
                className="link-button"
                onClick={() => onSelect(e.id)}
                aria-pressed={selected === e.id}
                data-testid="edge-button"
              >
                {edgeSourceLabel(e)} → {edgeDestinationLabel(e)}
              </button>
            </td>
            <td className="muted">
              {e.predicted.client.tls} → {e.predicted.server.mode}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
