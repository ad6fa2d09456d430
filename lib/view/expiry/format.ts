// Short, deterministic renderings of durations and times for the timeline, its table and the SVG.
const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;
const YEAR = 365 * DAY;

/** 42m, 5h, 3d 4h, 12d, 1.5y: precise where it matters (hours near expiry), coarse far out. */
export function formatDuration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < HOUR) return `${Math.max(0, Math.floor(s / MIN))}m`;
  if (s < 2 * DAY) return `${Math.floor(s / HOUR)}h`;
  if (s < 10 * DAY) {
    const d = Math.floor(s / DAY);
    const h = Math.floor((s - d * DAY) / HOUR);
    return h > 0 ? `${d}d ${h}h` : `${d}d`;
  }
  if (s < YEAR) return `${Math.floor(s / DAY)}d`;
  const y = Math.floor((s / YEAR) * 10) / 10;
  return `${y % 1 === 0 ? y.toFixed(0) : y.toFixed(1)}y`;
}

/** "3d 4h left" / "expired 2h ago". */
export function formatTimeLeft(seconds: number): string {
  return seconds > 0 ? `${formatDuration(seconds)} left` : `expired ${formatDuration(seconds)} ago`;
}

/** An axis tick relative to now: "now", "+6h", "−7d". */
export function formatOffset(seconds: number): string {
  if (seconds === 0) return "now";
  return `${seconds > 0 ? "+" : "−"}${formatDuration(seconds)}`;
}

/** RFC 3339 to "2026-05-04 12:00 UTC": readable and the same for every viewer. */
export function formatUtc(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** `text`'s user-perceived characters: an emoji ZWJ sequence, a flag, a letter with its accents. */
export function graphemes(text: string): string[] {
  return Array.from(
    new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text),
    (g) => g.segment,
  );
}

/**
 * A name cut to `max` characters where it stays recognisable: SPIFFE IDs keep their tail (namespace and
 * service account tell them apart), other names their head. Cut between graphemes, never inside one.
 */
export function shortName(name: string, max: number): string {
  if (name.length <= max) return name;
  const all = graphemes(name);
  if (all.length <= max) return name;
  if (name.startsWith("spiffe://")) return `…${all.slice(all.length - (max - 1)).join("")}`;
  return `${all.slice(0, max - 1).join("")}…`;
}

// Widths per character for text an SVG must keep inside its box (it has no text flow): upper bounds,
// in em, from DejaVu Sans Bold (the widest common sans-serif, and bold: the title), so a line measured
// with them fits in any of the image's fonts. ASCII by class; anything else at 1.3 em (Cyrillic bold up to
// 1.24, colour emoji about 1.2, CJK 1); marks, joiners and other format characters take none. Each code
// point counts: a ZWJ sequence or a flag that a font cannot join shows as its parts side by side.
const ASCII_EM: [RegExp, number][] = [
  [/[ '.,:;|/\\ijlIJ-]/, 0.43],
  [/[!()[\]ftr_`*"]/, 0.53],
  [/[%@MWmw]/, 1.12],
  [/[a-z0-9$?{}CEFLPSTYZ]/, 0.74],
];
const OTHER_ASCII_EM = 0.88;
const NON_ASCII_EM = 1.3;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;

function charEm(ch: string): number {
  if (ch.charCodeAt(0) < 0x80) return ASCII_EM.find(([re]) => re.test(ch))?.[1] ?? OTHER_ASCII_EM;
  return ZERO_WIDTH.test(ch) ? 0 : NON_ASCII_EM;
}

/** An upper bound of `text`'s width in em (see ASCII_EM). */
export function textEm(text: string): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em;
}

/** `text` cut with an ellipsis, between graphemes, to at most `maxEm` em wide by `textEm`. */
export function fitWidth(text: string, maxEm: number): string {
  if (textEm(text) <= maxEm) return text;
  const room = maxEm - textEm("…");
  let out = "";
  let used = 0;
  for (const g of graphemes(text)) {
    const w = textEm(g);
    if (used + w > room) break;
    out += g;
    used += w;
  }
  return `${out}…`;
}

/**
 * `text` in lines of at most `maxEm` em by `textEm`, broken between words (a word wider than a line is
 * cut across lines, between graphemes, at least one a line). For the SVG, which has no text flow of its own.
 */
export function wrapWords(text: string, maxEm: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (textEm(candidate) <= maxEm) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    line = "";
    for (const g of graphemes(word)) {
      if (line !== "" && textEm(line + g) > maxEm) {
        lines.push(line);
        line = "";
      }
      line += g;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
