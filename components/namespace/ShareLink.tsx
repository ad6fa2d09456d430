"use client";
// "Copy link": the full URL (path + every query parameter) of what is on screen. The link is also
// shown in a read-only field so it can be selected by hand where the clipboard is not allowed.
import { useState } from "react";

export function ShareLink() {
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async () => {
    const href = window.location.href;
    setLink(href);
    try {
      await navigator.clipboard.writeText(href);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  };
  return (
    <span className="share-link">
      <button type="button" onClick={copy} data-testid="copy-link">
        Copy link
      </button>
      {link ? (
        <>
          <input readOnly value={link} aria-label="Link to this view" data-testid="share-link" size={40} onFocus={(e) => e.currentTarget.select()} />
          <span role="status" className="muted">
            {copied === "yes" ? "Copied." : copied === "no" ? "Copy it from the field." : ""}
          </span>
        </>
      ) : null}
    </span>
  );
}
