// Who may frame /embed/* (contract §4): the origins in HANDSHAKE_EMBED_ORIGINS (space or comma
// separated). Only http/https origins are kept; a wildcard is kept only where the operator wrote it
// as a host label (`https://*.example.com`), as CSP allows. Anything else is dropped and reported, so
// a typo never widens the policy.
export interface ParsedOrigins {
  origins: string[];
  invalid: { entry: string; reason: string }[];
}

const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export function parseEmbedOrigins(raw: string | undefined): ParsedOrigins {
  const out: ParsedOrigins = { origins: [], invalid: [] };
  for (const entry of (raw ?? "").split(/[\s,]+/).filter((e) => e !== "")) {
    const reason = invalidReason(entry);
    if (reason) out.invalid.push({ entry, reason });
    else {
      const origin = entry.toLowerCase().replace(/\/$/, "");
      if (!out.origins.includes(origin)) out.origins.push(origin);
    }
  }
  return out;
}

function invalidReason(entry: string): string | null {
  const m = /^(https?):\/\/([^/:]+)(:(\d{1,5}))?\/?$/i.exec(entry);
  if (!m) return "not an http(s) origin (scheme://host[:port], no path)";
  const host = m[2]!.toLowerCase();
  if (!HOST.test(host) && !/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return "not a valid host name";
  if (m[4] !== undefined && (Number(m[4]) < 1 || Number(m[4]) > 65535)) return "port out of range";
  return null;
}

/** The CSP value for /embed/*: the allowed origins, or 'none' when there are none. */
export function embedFrameAncestors(origins: string[]): string {
  return `frame-ancestors ${origins.length > 0 ? origins.join(" ") : "'none'"}`;
}

/** The CSP of every page that is not /embed or /embed/* (contract §4). */
export const NO_FRAMING = "frame-ancestors 'none'";

/**
 * Whether `pathname` is an embeddable page. Exact and case-sensitive, like Next's routing: /EMBED/x is
 * no route of the embed, so it must not get the embed's policy (it gets NO_FRAMING).
 */
export function isEmbedPath(pathname: string): boolean {
  return pathname === "/embed" || pathname.startsWith("/embed/");
}
