// An error (or its message) on one line, for logs, X-Handshake-Error headers and completeness entries.
export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
}
