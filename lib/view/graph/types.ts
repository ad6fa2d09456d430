// The service-edge graph as the namespace view draws it: plain data built from a snapshot by
// buildGraph, positioned by layoutGraph. Renderers only draw these; they decide nothing.
import type { EdgeStatus, Mode, WorkloadDataplane } from "../../core/snapshot/schema";

export type NodeKind = "workload" | "service" | "outside";

export interface GraphNode {
  /** "w:<ns>/<workload>", "s:<ns>/<service>" or "outside". */
  id: string;
  kind: NodeKind;
  /** null for the "unknown / outside mesh" node. */
  namespace: string | null;
  name: string;
  /** Belongs to the namespace the view is about. */
  focus: boolean;
  /** Worst status among the edges touching it; null when it has none. */
  worst: EdgeStatus | null;
  /** Workloads only (when the snapshot lists them). */
  dataplane?: WorkloadDataplane;
  mode?: Mode;
}

export interface GraphEdge {
  /** The snapshot edge id (contract §1: "<srcNs>/<srcWorkload>-><dstHost>:<port>"). */
  id: string;
  from: string;
  to: string;
  status: EdgeStatus;
  port: number;
  /** Not mTLS: what "problems first" keeps bright and lists first. */
  problem: boolean;
}

/** A Service and a workload behind it: structure, drawn faintly, not selectable. */
export interface GraphLink {
  from: string;
  to: string;
}

export interface GraphGroup {
  /** "ns:<namespace>" or "outside". */
  id: string;
  namespace: string | null;
  label: string;
  focus: boolean;
  /** Where the group sits relative to the focus namespace: callers left, callees right. */
  side: "outside" | "left" | "focus" | "right";
  nodeIds: string[];
}

export interface ViewGraph {
  namespace: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  links: GraphLink[];
  groups: GraphGroup[];
}

export interface NodeBox {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * A cubic Bézier from (x0,y0) to (x1,y1). (mx,my) is where the status glyph sits: the midpoint, or for
 * an edge between groups the point in the gap before the target's group (lib/view/graph/layout.ts).
 */
export interface CurvePath {
  id: string;
  x0: number;
  y0: number;
  c1x: number;
  c1y: number;
  c2x: number;
  c2y: number;
  x1: number;
  y1: number;
  mx: number;
  my: number;
}

export interface GroupBox {
  id: string;
  label: string;
  focus: boolean;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface GraphLayout {
  nodes: NodeBox[];
  edges: CurvePath[];
  links: CurvePath[];
  groups: GroupBox[];
  width: number;
  height: number;
}
