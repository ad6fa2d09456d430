"use client";
// Copying to the clipboard and saying how it went. The clipboard API is refused on plain http and in
// some frames, so every caller also shows the text in a read-only field; the failure message says where.
import { useState } from "react";

export type CopyState = "idle" | "copied" | "failed";

/** The last copy's outcome, and a function that copies `text` and records it. */
export function useClipboardCopy(): [CopyState, (text: string) => Promise<void>] {
  const [state, setState] = useState<CopyState>("idle");
  const copy = async (text: string) => {
    // Cleared first, so a second copy with the same outcome changes the live region and is announced again.
    setState("idle");
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return [state, copy];
}

export interface CopyStatusProps {
  state: CopyState;
  /** What to do instead when the clipboard refused. */
  failed: string;
  className: string;
}

/** A live region, empty until a copy was tried (and while one runs), so screen readers hear each outcome. */
export function CopyStatus({ state, failed, className }: CopyStatusProps) {
  return (
    <span role="status" className={className}>
      {state === "copied" ? "Copied." : state === "failed" ? failed : ""}
    </span>
  );
}
