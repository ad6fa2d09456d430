// A deciding object (PeerAuthentication, DestinationRule, …) as a link to the findings view of its
// namespace filtered to the findings that name it (`ref=`, lib/view/findings/group.refHref), plus the
// kubectl command that shows it, since the dashboard does not display raw manifests.
import type { Ref } from "@/lib/core/snapshot/schema";
import { kubectlGet, refHref, refLabel } from "@/lib/view/findings/group";

export function RefLink({ cluster, r }: { cluster: string; r: Ref | null }) {
  if (!r) return <span className="muted">none</span>;
  const text = refLabel(r);
  const href = refHref(cluster, r);
  return (
    <span className="ref" data-ref-kind={r.kind}>
      {href ? (
        <a href={href} data-testid="deciding-object">
          {text}
        </a>
      ) : (
        <span data-testid="deciding-object">{text}</span>
      )}{" "}
      <code className="ref-cmd" title="Show it with kubectl">
        {kubectlGet(r)}
      </code>
    </span>
  );
}
