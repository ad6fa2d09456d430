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

/**
 * A name cut to `max` characters where it stays recognisable: SPIFFE IDs keep their tail (namespace and
 * service account tell them apart), other names their head.
 */
export function shortName(name: string, max: number): string {
  if (name.length <= max) return name;
  if (name.startsWith("spiffe://")) return `…${name.slice(name.length - (max - 1))}`;
  return `${name.slice(0, max - 1)}…`;
}

/**
 * `text` in lines of at most `max` characters, broken between words (a word longer than a line is cut
 * across lines). For the SVG, which has no text flow of its own.
 */
export function wrapWords(text: string, max: number): string[] {
  const width = Math.max(1, Math.floor(max));
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    for (let rest = word; rest !== ""; ) {
      const candidate = line === "" ? rest : `${line} ${rest}`;
      if (candidate.length <= width) {
        line = candidate;
        rest = "";
      } else if (line !== "") {
        lines.push(line);
        line = "";
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
