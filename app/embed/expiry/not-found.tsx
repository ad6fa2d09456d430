// /embed/expiry for a cluster or namespace the dashboard does not know: a 404 without site chrome
// (SiteShell adds none under /embed), small enough to read inside a wiki's iframe.
import "./embed.css";

export default function EmbedNotFound() {
  return (
    <div className="embed-root" data-testid="embed-not-found">
      <h1>Certificate expiry</h1>
      <p className="embed-error" role="alert">
        Not found: this cluster or namespace is not known to the dashboard. Check the cluster= and namespace= of the embed link.
      </p>
    </div>
  );
}
