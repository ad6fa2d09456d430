// Urgency colours for both themes, shared by the React panel (as CSS variables) and the SVG image
// (inline), so the two never disagree. Each bar colour has ≥ 3:1 contrast on its background
// (WCAG non-text contrast); text is drawn in the foreground colour, never in the bar colour.
import type { Theme } from "../urlState";
import type { Urgency } from "./urgency";

export type { Theme };

export interface Palette {
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  surface: string;
  now: string;
  renewal: string;
  urgency: Record<Urgency, string>;
}

export const PALETTES: Record<Theme, Palette> = {
  light: {
    bg: "#ffffff",
    fg: "#1a1d21",
    muted: "#4a5360",
    grid: "#d5dae0",
    surface: "#f4f6f8",
    now: "#0b5cad",
    renewal: "#1a1d21",
    urgency: { expired: "#7f1d1d", critical: "#c62828", soon: "#c2410c", upcoming: "#a16207", ok: "#2e7d32" },
  },
  dark: {
    bg: "#111418",
    fg: "#e8eaed",
    muted: "#aab2bd",
    grid: "#2e353d",
    surface: "#1b2026",
    now: "#6cb4ff",
    renewal: "#e8eaed",
    urgency: { expired: "#fca5a5", critical: "#f87171", soon: "#fb923c", upcoming: "#facc15", ok: "#4ade80" },
  },
};
