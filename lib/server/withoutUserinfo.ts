// A URL to print or fetch without the user:password it was written with (a kubeconfig server, a
// Prometheus URL): messages must not show credentials, and fetch refuses URLs that carry them.
import "server-only";

/**
 * `url` without its user:password part and trailing slashes; `url` itself, unchanged, when it has none
 * or is not a URL. Who needs the credentials reads them before.
 */
export function withoutUserinfo(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "";
    u.password = "";
    return u.href.replace(/\/+$/, "");
  } catch {
    return url;
  }
}
