"use client";
// "Copy embed code": an iframe snippet for /embed/expiry and a Markdown image of /api/v1/expiry.svg for
// wikis that take only images. The snippets are also shown in read-only fields, so they can be
// selected by hand where the clipboard API is not available (plain http). The snippets' theme is a
// choice here (light or dark, starting from the page's colour scheme), not URL state: it describes the
// wiki the panel goes to, not this view.
import { useEffect, useId, useState } from "react";
import { CopyStatus, useClipboardCopy } from "@/components/shell/CopyStatus";
import { iframeSnippet, markdownImageSnippet, type EmbedTarget } from "@/lib/view/expiry/embedCode";
import { THEMES, type Theme } from "@/lib/view/urlState";

export interface CopyEmbedCodeProps {
  cluster: string;
  namespace?: string | null;
  window: string;
  /** The panel's fixed theme, when it has one; else the page's colour scheme is the starting choice. */
  theme?: Theme;
  /** HANDSHAKE_PUBLIC_URL when the server knows it; otherwise this page's origin. */
  baseUrl?: string;
}

function CopyField({ label, value, testId }: { label: string; value: string; testId: string }) {
  const [state, copy] = useClipboardCopy();
  return (
    <div style={{ marginTop: "0.5rem" }}>
      <label style={{ display: "block", fontSize: "0.85rem" }}>
        {label}
        <textarea
          readOnly
          rows={3}
          value={value}
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
        />
      </label>
      <button type="button" className="expiry-button" onClick={() => void copy(value)}>
        Copy {label.toLowerCase()}
      </button>{" "}
      <CopyStatus state={state} failed="Copy failed: select the text and copy it." className="expiry-more" />
    </div>
  );
}

export function CopyEmbedCode(p: CopyEmbedCodeProps) {
  // The origin is only known in the browser; render with the given base (or a relative one) first.
  const [origin, setOrigin] = useState(p.baseUrl ?? "");
  useEffect(() => {
    if (!p.baseUrl) setOrigin(window.location.origin);
  }, [p.baseUrl]);
  // The colour scheme is only known in the browser, like the origin.
  const [theme, setTheme] = useState<Theme>(p.theme ?? "light");
  useEffect(() => {
    if (!p.theme && window.matchMedia("(prefers-color-scheme: dark)").matches) setTheme("dark");
  }, [p.theme]);
  const group = useId();
  const t: EmbedTarget = {
    baseUrl: origin,
    cluster: p.cluster,
    namespace: p.namespace ?? null,
    window: p.window,
    theme,
  };
  return (
    <details className="expiry-embed-code" data-testid="copy-embed-code">
      <summary>Copy embed code</summary>
      <div role="radiogroup" aria-label="Embed theme" className="expiry-embed-theme">
        Theme:
        {THEMES.map((th) => (
          <label key={th}>
            <input
              type="radio"
              name={group}
              value={th}
              checked={theme === th}
              onChange={() => setTheme(th)}
            />{" "}
            {th}
          </label>
        ))}
      </div>
      <CopyField label="Iframe" value={iframeSnippet(t)} testId="embed-iframe-snippet" />
      <CopyField label="Markdown image" value={markdownImageSnippet(t)} testId="embed-markdown-snippet" />
    </details>
  );
}
