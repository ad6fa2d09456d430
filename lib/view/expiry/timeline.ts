// The expiry panel's model: certificates grouped by layer as bars (seconds from now, clamped to the
// visible window), rotation markers, urgency, the axis ticks, and the table sorted by soonest
// expiry. Pure and deterministic, so the React panel and the SVG image draw the same thing. Large
// meshes: each layer shows its `maxBarsPerLayer` soonest certificates and counts the rest, so 10k
// workload leaves do not become 10k bars.
import type { Certificate, Finding } from "../../core/snapshot/schema";
import { ALL_WINDOW, DEFAULT_WINDOW, parseWindow } from "../window";
import { formatTimeLeft } from "./format";
import { displayName, LAYERS, LAYER_LABELS, layerOf, ownerLabel, type Layer } from "./layer";
import { expiringVerdicts, URGENCIES, urgencyOf, type Urgency } from "./urgency";

export const WINDOW_PRESETS = ["24h", "7d", "30d", "1y", ALL_WINDOW] as const;

export interface TimelineBar {
  id: string;
  name: string;
  layer: Layer;
  urgency: Urgency;
  /** Seconds from now, clamped to the domain; `clippedStart/End` say the bar runs on past the edge. */
  start: number;
  end: number;
  clippedStart: boolean;
  clippedEnd: boolean;
  /** Seconds from now of the expected rotation (null: none, or outside the domain). */
  renewal: number | null;
  secondsLeft: number;
  leftText: string;
  notBefore: string;
  notAfter: string;
}

export interface TimelineGroup {
  layer: Layer;
  label: string;
  bars: TimelineBar[];
  /** Certificates of this layer not drawn (aggregated); `hiddenByUrgency` counts them. */
  hidden: number;
  hiddenByUrgency: Partial<Record<Urgency, number>>;
  total: number;
}

export interface TableRow {
  id: string;
  name: string;
  layer: Layer;
  layerLabel: string;
  owner: string;
  role: Certificate["role"];
  notAfter: string;
  secondsLeft: number;
  leftText: string;
  urgency: Urgency;
  verified: boolean;
  chainError: string | null;
}

export interface ExpiryModel {
  /** The window as asked ("30d", "all"), and whether it was understood (else the default was used). */
  window: string;
  windowValid: boolean;
  domain: [number, number];
  ticks: number[];
  groups: TimelineGroup[];
  table: TableRow[];
  counts: Record<Urgency, number>;
  total: number;
}

export interface ExpiryModelOptions {
  now: string;
  window: string;
  /** The snapshot's findings (or its slice's): urgency follows their `cert.expiring` decisions. */
  findings: readonly Finding[];
  maxBarsPerLayer?: number;
}

const DEFAULT_MAX_BARS = 12;

/** Soonest expiry first; ties by name then id, so the order never depends on the input's. */
function bySoonest(a: Certificate, b: Certificate): number {
  const d = Date.parse(a.notAfter) - Date.parse(b.notAfter);
  if (d !== 0) return d;
  const n = displayName(a).localeCompare(displayName(b));
  return n !== 0 ? n : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function windowDomain(
  window: string,
  certs: Certificate[],
  nowMs: number,
): { domain: [number, number]; valid: boolean } {
  if (window === ALL_WINDOW) {
    if (certs.length === 0) return { domain: [-86_400, 86_400], valid: true };
    let lo = 0;
    let hi = 0;
    for (const c of certs) {
      lo = Math.min(lo, (Date.parse(c.notBefore) - nowMs) / 1000);
      hi = Math.max(hi, (Date.parse(c.notAfter) - nowMs) / 1000);
    }
    const pad = (hi - lo) * 0.02;
    return { domain: [lo - pad, hi + pad], valid: true };
  }
  const parsed = parseWindow(window);
  const seconds = parsed ?? parseWindow(DEFAULT_WINDOW)!;
  // A quarter of the window into the past shows what just expired and where current bars began.
  return { domain: [-seconds / 4, seconds], valid: parsed !== null };
}

const YEAR = 365 * 86_400;

const STEPS = [
  900,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86_400,
  2 * 86_400,
  7 * 86_400,
  14 * 86_400,
  30 * 86_400,
  90 * 86_400,
  182 * 86_400,
  YEAR,
  2 * YEAR,
  5 * YEAR,
  10 * YEAR,
  25 * YEAR,
];

/** The most intervals a domain is cut into: at most MAX_INTERVALS + 1 ticks. */
const MAX_INTERVALS = 9;

/**
 * The step for a span: the first of STEPS that cuts it into at most MAX_INTERVALS, else (past 250
 * years: `window=999999y`, or `window=all` over a notAfter of 9999-12-31) 50, 100, 250, 500, 1000, …
 * years, so the tick count stays bounded whatever the window (an unbounded count froze the page and
 * made the SVG megabytes long).
 */
function tickStep(span: number): number {
  const fixed = STEPS.find((s) => span / s <= MAX_INTERVALS);
  if (fixed !== undefined) return fixed;
  let decade = 10 * YEAR;
  for (;;) {
    for (const m of [5, 10, 25]) if (span / (m * decade) <= MAX_INTERVALS) return m * decade;
    decade *= 10;
  }
}

/** Ticks at multiples of one step, "now" always among them when in the domain, about 5–10 across it. */
export function axisTicks([lo, hi]: [number, number]): number[] {
  const span = hi - lo;
  // A date that did not parse gives NaN; no axis beats an endless loop.
  if (!Number.isFinite(span) || span <= 0) return [];
  const step = tickStep(span);
  const out: number[] = [];
  for (let i = Math.ceil(lo / step); i * step <= hi; i++) out.push(i === 0 ? 0 : i * step);
  return out;
}

export function buildExpiryModel(certs: Certificate[], o: ExpiryModelOptions): ExpiryModel {
  const nowMs = Date.parse(o.now);
  const max = o.maxBarsPerLayer ?? DEFAULT_MAX_BARS;
  const window = o.window === "" ? DEFAULT_WINDOW : o.window;
  const { domain, valid } = windowDomain(window, certs, nowMs);
  const [lo, hi] = domain;
  const sorted = [...certs].sort(bySoonest);
  const counts = Object.fromEntries(URGENCIES.map((u) => [u, 0])) as Record<Urgency, number>;
  const byLayer = new Map<Layer, TimelineGroup>();
  const table: TableRow[] = [];
  const expiring = expiringVerdicts(o.findings);

  for (const c of sorted) {
    const layer = layerOf(c);
    const urgency = urgencyOf(c, nowMs, expiring);
    counts[urgency]++;
    const left = (Date.parse(c.notAfter) - nowMs) / 1000;
    const leftText = formatTimeLeft(left);
    table.push({
      id: c.id,
      name: displayName(c),
      layer,
      layerLabel: LAYER_LABELS[layer],
      owner: ownerLabel(c),
      role: c.role,
      notAfter: c.notAfter,
      secondsLeft: left,
      leftText,
      urgency,
      verified: c.chain.verified,
      chainError: c.chain.error ?? null,
    });
    let g = byLayer.get(layer);
    if (!g) {
      g = { layer, label: LAYER_LABELS[layer], bars: [], hidden: 0, hiddenByUrgency: {}, total: 0 };
      byLayer.set(layer, g);
    }
    g.total++;
    if (g.bars.length >= max) {
      g.hidden++;
      g.hiddenByUrgency[urgency] = (g.hiddenByUrgency[urgency] ?? 0) + 1;
      continue;
    }
    const start = (Date.parse(c.notBefore) - nowMs) / 1000;
    const renewal = c.renewalTime === null ? null : (Date.parse(c.renewalTime) - nowMs) / 1000;
    g.bars.push({
      id: c.id,
      name: displayName(c),
      layer,
      urgency,
      start: clamp(start, lo, hi),
      end: clamp(left, lo, hi),
      clippedStart: start < lo,
      clippedEnd: left > hi,
      renewal: renewal !== null && renewal >= lo && renewal <= hi ? renewal : null,
      secondsLeft: left,
      leftText,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
    });
  }
  return {
    window,
    windowValid: valid,
    domain,
    ticks: axisTicks(domain),
    groups: LAYERS.flatMap((l) => byLayer.get(l) ?? []),
    table,
    counts,
    total: certs.length,
  };
}

/** `expiringWithin`: certificates whose notAfter is at most `seconds` after now (expired included). */
export function expiringWithin(certs: Certificate[], now: string, seconds: number): Certificate[] {
  const limit = Date.parse(now) + seconds * 1000;
  return certs.filter((c) => Date.parse(c.notAfter) <= limit);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
