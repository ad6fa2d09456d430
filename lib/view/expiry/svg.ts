// The expiry panel as a standalone SVG image (`/api/v1/expiry.svg`), for wikis that take only images.
// Pure and deterministic: the same snapshot, window and theme give byte-identical output; every text
// is XML-escaped; the size is fixed by `width` and the number of rows.
import type { Certificate, Finding } from "../../core/snapshot/schema";
import { fitWidth, formatOffset, formatUtc, shortName, textEm, wrapWords } from "./format";
import { PALETTES, type Theme } from "./palette";
import { buildExpiryModel } from "./timeline";
import { URGENCIES, URGENCY_GLYPHS, URGENCY_LABELS, URGENCY_NOTE, URGENCY_RULES } from "./urgency";

export interface ExpirySvgOptions {
  title: string;
  now: string;
  window: string;
  theme: Theme;
  /** The snapshot's findings: urgency follows their `cert.expiring` decisions. */
  findings: readonly Finding[];
  width?: number;
  maxBarsPerLayer?: number;
}

const ROW = 20;
const GROUP_HEAD = 22;
const LABEL_W = 250;
const LEFT_W = 130;
const PAD = 16;

/** XML 1.0 forbids control characters other than tab, newline and return, and U+FFFE/U+FFFF. */
function xmlAllowed(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) && c !== 0xfffe && c !== 0xffff;
}

export function escapeXml(s: string): string {
  return s
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!)
    .split("")
    .filter(xmlAllowed)
    .join("");
}

const num = (n: number) => (Math.round(n * 10) / 10).toString();

export function renderExpirySvg(certs: Certificate[], o: ExpirySvgOptions): string {
  const p = PALETTES[o.theme];
  const width = Math.max(480, Math.min(2000, o.width ?? 880));
  const m = buildExpiryModel(certs, {
    now: o.now,
    window: o.window,
    findings: o.findings,
    maxBarsPerLayer: o.maxBarsPerLayer ?? 6,
  });
  const plotX = PAD + LABEL_W;
  const plotW = width - plotX - LEFT_W - PAD;
  const [lo, hi] = m.domain;
  const x = (t: number) => plotX + ((t - lo) / (hi - lo || 1)) * plotW;

  const out: string[] = [];
  // Texts across the whole image keep within this (a long cluster name is cut, the legend and the note
  // wrap), each measured per character (format.ts textEm: the legend's glyphs and names are not ASCII).
  const textW = width - 2 * PAD;
  let y = PAD;
  out.push(
    `<text x="${PAD}" y="${y + 14}" font-size="16" font-weight="700" fill="${p.fg}">${escapeXml(fitWidth(o.title, textW / 16))}</text>`,
  );
  y += 22;
  out.push(
    `<text x="${PAD}" y="${y + 12}" font-size="12" fill="${p.muted}">${escapeXml(
      fitWidth(
        `${m.total} certificate${m.total === 1 ? "" : "s"} · window ${m.window} · as of ${formatUtc(o.now)}`,
        textW / 12,
      ),
    )}</text>`,
  );
  y += 20;
  // Legend with counts: colour, glyph and words, so it reads without colour too; a narrow image gets
  // a second row.
  let lx = PAD;
  for (const u of URGENCIES) {
    const text = `${URGENCY_GLYPHS[u]} ${URGENCY_LABELS[u]}: ${m.counts[u]}`;
    const itemW = 14 + textEm(text) * 12;
    if (lx > PAD && lx + itemW > width - PAD) {
      lx = PAD;
      y += 18;
    }
    out.push(
      `<g><title>${escapeXml(`${URGENCY_LABELS[u]}: ${URGENCY_RULES[u]}`)}</title>` +
        `<rect x="${num(lx)}" y="${y + 2}" width="10" height="10" fill="${p.urgency[u]}"/>` +
        `<text x="${num(lx + 14)}" y="${y + 11}" font-size="12" fill="${p.fg}">${escapeXml(text)}</text></g>`,
    );
    lx += itemW + 14;
  }
  y += 18;
  // The buckets are named by meaning; these lines say the rule (an image has no hover on most wikis).
  for (const line of wrapWords(URGENCY_NOTE, textW / 11)) {
    out.push(`<text x="${PAD}" y="${y + 11}" font-size="11" fill="${p.muted}">${escapeXml(line)}</text>`);
    y += 14;
  }
  y += 6;
  const plotTop = y;

  if (m.total === 0) {
    out.push(
      `<text x="${PAD}" y="${y + 14}" font-size="13" fill="${p.muted}">No certificates in this scope.</text>`,
    );
    y += 24;
  }
  for (const g of m.groups) {
    out.push(
      `<text x="${PAD}" y="${y + 15}" font-size="12" font-weight="700" fill="${p.fg}">${escapeXml(
        `${g.label} (${g.total})`,
      )}</text>`,
    );
    y += GROUP_HEAD;
    for (const b of g.bars) {
      const x0 = x(b.start);
      const x1 = Math.max(x(b.end), x0 + 2);
      out.push(
        `<g><title>${escapeXml(`${b.name}: ${b.leftText} (not after ${formatUtc(b.notAfter)})`)}</title>` +
          `<text x="${PAD + 8}" y="${y + 14}" font-size="12" fill="${p.fg}">${escapeXml(shortName(b.name, 36))}</text>` +
          `<rect x="${num(x0)}" y="${y + 4}" width="${num(x1 - x0)}" height="${ROW - 8}" rx="2" fill="${p.urgency[b.urgency]}"/>` +
          (b.clippedEnd
            ? `<text x="${num(x1 - 10)}" y="${y + 14}" font-size="10" fill="${p.bg}">▶</text>`
            : "") +
          (b.renewal !== null
            ? `<path d="M${num(x(b.renewal))} ${y + 2}l4 8l-4 8l-4 -8z" fill="${p.renewal}" stroke="${p.bg}" stroke-width="1"/>`
            : "") +
          `<text x="${width - PAD - LEFT_W + 8}" y="${y + 14}" font-size="12" fill="${p.fg}">${escapeXml(
            `${URGENCY_GLYPHS[b.urgency]} ${b.leftText}`,
          )}</text></g>`,
      );
      y += ROW;
    }
    if (g.hidden > 0) {
      out.push(
        `<text x="${PAD + 8}" y="${y + 14}" font-size="12" font-style="italic" fill="${p.muted}">${escapeXml(
          `+ ${g.hidden} more, expiring later`,
        )}</text>`,
      );
      y += ROW;
    }
  }
  const plotBottom = y + 4;
  // Grid and axis below the bars' rows; the now line across all of them.
  const axis: string[] = [];
  for (const t of m.ticks) {
    const tx = num(x(t));
    axis.push(
      `<line x1="${tx}" y1="${plotTop}" x2="${tx}" y2="${plotBottom}" stroke="${p.grid}" stroke-width="1"/>`,
    );
    axis.push(
      `<text x="${tx}" y="${plotBottom + 14}" font-size="11" text-anchor="middle" fill="${p.muted}">${escapeXml(formatOffset(t))}</text>`,
    );
  }
  if (lo <= 0 && hi >= 0) {
    const nx = num(x(0));
    axis.push(
      `<line x1="${nx}" y1="${plotTop - 4}" x2="${nx}" y2="${plotBottom}" stroke="${p.now}" stroke-width="2"/>`,
    );
  }
  const height = plotBottom + 22 + PAD;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" role="img" aria-label="${escapeXml(o.title)}">` +
    `<rect width="100%" height="100%" fill="${p.bg}"/>` +
    axis.join("") +
    out.join("") +
    `</svg>\n`
  );
}
