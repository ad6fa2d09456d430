"use client";
// "Copy link": the full URL (path + every query parameter) of what is on screen. The link is also
// shown in a read-only field so it can be selected by hand where the clipboard is not allowed.
import { useState } from "react";
import { CopyStatus, useClipboardCopy } from "@/components/shell/CopyStatus";

export function ShareLink() {
  const [link, setLink] = useState<string | null>(null);
  const [state, copyText] = useClipboardCopy();
  const copy = () => {
    // Read at click time: the URL changes with every selection and filter.
    const href = window.location.href;
    setLink(href);
    void copyText(href);
  };
  return (
    <span className="share-link">
      <button type="button" onClick={copy} data-testid="copy-link">
        Copy link
      </button>
      {link ? (
        <>
          <input
            readOnly
            value={link}
            aria-label="Link to this view"
            data-testid="share-link"
            size={40}
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyStatus state={state} failed="Copy it from the field." className="muted" />
        </>
      ) : null}
    </span>
  );
}
