// "Problems first" (Kiali users asked for it): healthy mTLS edges are dimmed so broken, plaintext,
// mismatched and unknown edges stand out; the edge list puts the worst first.
import type { Edge } from "../../core/snapshot/schema";
import { statusRank } from "./status";
import type { GraphEdge } from "./types";

export type Emphasis = "normal" | "dim" | "highlight";

export function edgeEmphasis(edge: Pick<GraphEdge, "status">, problemsFirst: boolean): Emphasis {
  if (edge.status === "broken") return "highlight";
  if (problemsFirst && edge.status === "mtls") return "dim";
  return "normal";
}

/** Worst status first, then by id: a stable order for the accessible edge list. */
export function sortEdgesForList<T extends Pick<Edge, "id" | "status">>(edges: readonly T[]): T[] {
  return [...edges].sort(
    (a, b) => statusRank(a.status) - statusRank(b.status) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * The ids of the edges the painter is given to highlight (its buckets: curves grouped by status and
 * emphasis), sorted: exposed on the canvas element (`data-highlighted`) so tests and tools can check
 * what a picture shows, read from what is painted rather than recomputed.
 */
export function highlightedEdgeIds(
  buckets: readonly { emphasis: Emphasis; curves: readonly { id: string }[] }[],
): string[] {
  return buckets
    .filter((b) => b.emphasis === "highlight")
    .flatMap((b) => b.curves.map((c) => c.id))
    .sort();
}
