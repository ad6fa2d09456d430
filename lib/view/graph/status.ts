// How each edge status is told apart: a label, a glyph and a dash pattern as well as a colour, so the
// graph reads without colour vision. Colours live in CSS (--status-<status>, light and dark themes);
// renderers read them from there.
import type { EdgeStatus } from "../../core/snapshot/schema";

export interface StatusStyle {
  label: string;
  glyph: string;
  /** Canvas/SVG dash pattern in px at zoom 1; empty = solid. */
  dash: number[];
  /** Line width in px at zoom 1. */
  width: number;
  description: string;
}

export const STATUS_STYLE: Record<EdgeStatus, StatusStyle> = {
  broken: {
    label: "Broken",
    glyph: "✕",
    dash: [],
    width: 3.5,
    description: "the connection fails: the two sides disagree on TLS",
  },
  mismatch: {
    label: "Mismatch",
    glyph: "≠",
    dash: [9, 4, 2, 4],
    width: 2.5,
    description: "observed traffic contradicts the prediction",
  },
  plaintext: {
    label: "Plaintext",
    glyph: "!",
    dash: [10, 6],
    width: 2.5,
    description: "traffic flows unencrypted",
  },
  unknown: {
    label: "Unknown",
    glyph: "?",
    dash: [2, 5],
    width: 2,
    description: "no proxy or telemetry tells what happens",
  },
  mtls: { label: "mTLS", glyph: "✓", dash: [], width: 1.5, description: "mutual TLS between the proxies" },
};

/** Worst first: the order of the edge list and of "worst status" on nodes. */
export const STATUS_ORDER: readonly EdgeStatus[] = ["broken", "mismatch", "plaintext", "unknown", "mtls"];

export function statusRank(s: EdgeStatus): number {
  return STATUS_ORDER.indexOf(s);
}

export function worseStatus(a: EdgeStatus | null, b: EdgeStatus): EdgeStatus {
  return a === null || statusRank(b) < statusRank(a) ? b : a;
}
