// The snippets "Copy embed code" offers: an iframe of /embed/expiry and a Markdown image of
// /api/v1/expiry.svg, for the same cluster, namespace, window and theme. The base URL is injected
// (HANDSHAKE_PUBLIC_URL or the request's origin), never guessed here. The queries are written by the
// serializers of the one parser map (urlState.ts), with defaults kept explicit: a snippet pasted in a
// wiki keeps its window and theme even if the dashboard's defaults change.
import { createSerializer } from "nuqs/server";
import { embedParsers, namespacePath, namespaceViewParsers, type Theme } from "../urlState";

const serializeEmbedExplicit = createSerializer(embedParsers, { clearOnDefault: false });
const serializeViewExplicit = createSerializer(namespaceViewParsers, { clearOnDefault: false });
export interface EmbedTarget {
  baseUrl: string;
  cluster: string;
  namespace?: string | null;
  window: string;
  theme: Theme;
}

function withQuery(path: string, t: EmbedTarget): string {
  return serializeEmbedExplicit(path, {
    cluster: t.cluster,
    namespace: t.namespace || null,
    window: t.window,
    theme: t.theme,
  });
}

const base = (u: string) => u.replace(/\/+$/, "");
const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function embedUrl(t: EmbedTarget): string {
  return withQuery(`${base(t.baseUrl)}/embed/expiry`, t);
}

export function svgUrl(t: EmbedTarget): string {
  return withQuery(`${base(t.baseUrl)}/api/v1/expiry.svg`, t);
}

export function iframeSnippet(t: EmbedTarget): string {
  const title = `Certificate expiry: ${t.cluster}${t.namespace ? `/${t.namespace}` : ""}`;
  return `<iframe src="${attr(embedUrl(t))}" title="${attr(title)}" width="900" height="520" style="border:0" loading="lazy"></iframe>`;
}

/** Characters a URL keeps as they are in a Markdown destination: unreserved ones and URL delimiters. */
const DESTINATION_SAFE = /[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]/;
const utf8 = new TextEncoder();

/**
 * A URL as a Markdown link destination (CommonMark §6.3): every other character percent-encoded as
 * UTF-8. The serializers leave `(`, `)`, `\` and non-ASCII text as they are, and a cluster name may hold
 * them ("a)b" ended the destination early, so the image and the link named cluster "a"); the API and the
 * pages decode the escapes. `%` is kept: what the serializers wrote is already escaped.
 */
export function markdownDestination(url: string): string {
  let out = "";
  for (const ch of url) {
    if (DESTINATION_SAFE.test(ch)) out += ch;
    else for (const b of utf8.encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Text as Markdown that shows it as it is: backslash before what would start markup (CommonMark §2.4). */
const markdownText = (s: string) => s.replace(/[\\[\]<&*_`]/g, (c) => `\\${c}`);

export function markdownImageSnippet(t: EmbedTarget): string {
  const alt = markdownText(
    `Certificate expiry ${t.cluster}${t.namespace ? `/${t.namespace}` : ""} (${t.window})`,
  );
  return `[![${alt}](${markdownDestination(svgUrl(t))})](${markdownDestination(dashboardUrl(t))})`;
}

/** Where the image links to: the namespace's certificate view, or the overview for a whole cluster. */
export function dashboardUrl(t: EmbedTarget): string {
  if (!t.namespace) return `${base(t.baseUrl)}/`;
  return serializeViewExplicit(`${base(t.baseUrl)}${namespacePath(t.cluster, t.namespace)}`, {
    view: "certificates",
    window: t.window,
  });
}
