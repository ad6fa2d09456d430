// A deciding object (PeerAuthentication, DestinationRule, …) as a link to the findings view of its
// namespace — where every finding naming it is listed with its fix — plus the kubectl command that
// shows it, since the dashboard does not display raw manifests.
import type { Ref } from "@/lib/core/snapshot/schema";

export function refText(r: Ref): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

export function RefLink({ cluster, r }: { cluster: string; r: Ref | null }) {
  if (!r) return <span className="muted">none</span>;
  const ns = r.namespace ?? (r.kind === "Namespace" ? r.name : undefined);
  const text = refText(r);
  const cmd = `kubectl get ${r.kind.toLowerCase()} ${r.name}${r.namespace ? ` -n ${r.namespace}` : ""} -o yaml`;
  return (
    <span className="ref" data-ref-kind={r.kind}>
      {ns ? (
        <a href={`/c/${encodeURIComponent(cluster)}/ns/${encodeURIComponent(ns)}?view=findings`} data-testid="deciding-object">
          {text}
        </a>
      ) : (
        <span data-testid="deciding-object">{text}</span>
      )}{" "}
      <code className="ref-cmd" title="Show it with kubectl">
        {cmd}
      </code>
    </span>
  );
}
