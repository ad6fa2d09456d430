// The snippets "Copy embed code" offers: an iframe of /embed/expiry and a Markdown image of
// /api/v1/expiry.svg, for the same cluster, namespace, window and theme. The base URL is injected
// (HANDSHAKE_PUBLIC_URL or the request's origin), never guessed here.
export interface EmbedTarget {
  baseUrl: string;
  cluster: string;
  namespace?: string | null;
  window: string;
  theme: "light" | "dark";
}

function query(t: EmbedTarget): string {
  const q = new URLSearchParams();
  q.set("cluster", t.cluster);
  if (t.namespace) q.set("namespace", t.namespace);
  q.set("window", t.window);
  q.set("theme", t.theme);
  return q.toString();
}

const base = (u: string) => u.replace(/\/+$/, "");
const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function embedUrl(t: EmbedTarget): string {
  return `${base(t.baseUrl)}/embed/expiry?${query(t)}`;
}

export function svgUrl(t: EmbedTarget): string {
  return `${base(t.baseUrl)}/api/v1/expiry.svg?${query(t)}`;
}

export function iframeSnippet(t: EmbedTarget): string {
  const title = `Certificate expiry: ${t.cluster}${t.namespace ? `/${t.namespace}` : ""}`;
  return `<iframe src="${attr(embedUrl(t))}" title="${attr(title)}" width="900" height="520" style="border:0" loading="lazy"></iframe>`;
}

export function markdownImageSnippet(t: EmbedTarget): string {
  const alt = `Certificate expiry ${t.cluster}${t.namespace ? `/${t.namespace}` : ""} (${t.window})`.replace(
    /[[\]]/g,
    "",
  );
  return `[![${alt}](${svgUrl(t)})](${dashboardUrl(t)})`;
}

/** Where the image links to: the namespace's certificate view, or the overview for a whole cluster. */
export function dashboardUrl(t: EmbedTarget): string {
  if (!t.namespace) return `${base(t.baseUrl)}/`;
  const q = new URLSearchParams({ view: "certificates", window: t.window });
  return `${base(t.baseUrl)}/c/${encodeURIComponent(t.cluster)}/ns/${encodeURIComponent(t.namespace)}?${q.toString()}`;
}
