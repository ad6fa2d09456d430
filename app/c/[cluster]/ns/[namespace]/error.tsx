"use client";
// Anything unexpected while rendering the namespace: say so and offer a retry, never a stack trace.
export default function NamespaceError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="notice notice-error" role="alert">
      <h1>This namespace could not be shown</h1>
      <p>{error.digest ? `Error reference ${error.digest}.` : "An unexpected error occurred."}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
