// Names the URL parameters a view could not use and why (lib/view/urlState.ts), so a shared link with
// a typo never silently shows something other than what its sender saw.
import type { IgnoredParam } from "@/lib/view/urlState";

export function IgnoredParamsNotice({
  ignored,
  className,
  lead,
  tail,
}: {
  ignored: IgnoredParam[];
  className: string;
  lead: string;
  tail: string;
}) {
  if (ignored.length === 0) return null;
  return (
    <p className={className} role="status" data-testid="ignored-params">
      {lead}{" "}
      {ignored.map((p, i) => (
        <span key={`${p.name}-${i}`}>
          {i > 0 ? "; " : ""}
          <code>
            {p.name}={p.value}
          </code>{" "}
          ({p.reason})
        </span>
      ))}
      {tail}
    </p>
  );
}
