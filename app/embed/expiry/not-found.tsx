"use client";
// /embed/expiry for a cluster or namespace the dashboard does not know: a 404 without site chrome
// (SiteShell adds none under /embed), small enough to read inside a wiki's iframe, in the link's theme
// (a dark wiki must not show a white box). A not-found page gets no searchParams, so the theme is read
// here, through the embed's parser (lib/view/urlState.ts).
import { useQueryState } from "nuqs";
import { embedParsers } from "@/lib/view/urlState";
import "./embed.css";

export default function EmbedNotFound() {
  const [theme] = useQueryState("theme", embedParsers.theme);
  return (
    <div className="embed-root" data-theme={theme} data-testid="embed-not-found">
      <h1>Certificate expiry</h1>
      <p className="embed-error" role="alert">
        Not found: this cluster or namespace is not known to the dashboard. Check the cluster= and namespace=
        of the embed link.
      </p>
    </div>
  );
}
