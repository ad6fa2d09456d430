"use client";
// Findings grouped by code, filterable by severity through the URL (`severity=`, the one parser map
// in lib/view/urlState.ts), so a copied link or a reload shows the same filter. Each finding shows its
// message, the objects at fault (as links), its edge on the graph and its fix. `ref=` narrows the list to
// the findings naming one object (where a deciding object's link lands).
import { useQueryStates } from "nuqs";
import { useMemo, useState } from "react";
import type { Finding } from "@/lib/core/snapshot/schema";
import { edgeIdLabel } from "@/lib/core/snapshot/port";
import {
  countBySeverity,
  edgeHref,
  filterByRef,
  filterBySeverity,
  groupFindings,
  kubectlGet,
  parseRefParam,
  refHref,
  refLabel,
  type FindingGroup,
} from "@/lib/view/findings/group";
import { namespaceViewParsers, SEVERITIES, type SeverityFilter } from "@/lib/view/urlState";
import { FindingFix } from "./FindingFix";
import "./findings.css";

export interface FindingsPanelProps {
  findings: Finding[];
  cluster: string;
  namespace: string;
}

const GLYPH: Record<SeverityFilter, string> = { error: "✕", warning: "▲", info: "ℹ" };
const FIRST = 20;

export function SeverityBadge({ severity }: { severity: SeverityFilter }) {
  return (
    <span className={`sev-badge sev-${severity}`}>
      <span aria-hidden>{GLYPH[severity]}</span>
      {severity}
    </span>
  );
}

function FindingItem({ f, cluster, namespace }: { f: Finding; cluster: string; namespace: string }) {
  return (
    <li data-testid="finding">
      <p className="findings-message">{f.message}</p>
      <ul className="findings-meta">
        {f.resources.map((r, i) => {
          const href = refHref(cluster, r);
          return <li key={i}>{href ? <a href={href}>{refLabel(r)}</a> : <span>{refLabel(r)}</span>}</li>;
        })}
        {f.edge ? (
          <li>
            <a href={edgeHref(cluster, namespace, f.edge)} data-testid="finding-edge-link">
              edge {edgeIdLabel(f.edge)}
            </a>
          </li>
        ) : null}
        {f.certificate ? <li title={f.certificate}>certificate {f.certificate.slice(0, 12)}…</li> : null}
      </ul>
      <FindingFix fix={f.fix} className="findings-fix" />
    </li>
  );
}

function Group({ g, cluster, namespace }: { g: FindingGroup; cluster: string; namespace: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? g.findings : g.findings.slice(0, FIRST);
  return (
    <details
      className={`findings-group sev-${g.severity}`}
      open={g.severity === "error"}
      data-testid="finding-group"
      data-code={g.code}
    >
      <summary>
        <SeverityBadge severity={g.severity} />
        <strong>{g.title}</strong>
        <code>{g.code}</code>
        <span className="findings-count" aria-label={`${g.count} findings`}>
          {g.count}
        </span>
      </summary>
      <ul className="findings-list">
        {shown.map((f, i) => (
          <FindingItem key={i} f={f} cluster={cluster} namespace={namespace} />
        ))}
      </ul>
      {g.findings.length > FIRST ? (
        <button type="button" className="findings-more" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? `Show the first ${FIRST}` : `Show all ${g.findings.length}`}
        </button>
      ) : null}
    </details>
  );
}

export function FindingsPanel({ findings, cluster, namespace }: FindingsPanelProps) {
  const [{ severity, ref }, setParams] = useQueryStates(namespaceViewParsers);
  const named = useMemo(() => filterByRef(findings, ref), [findings, ref]);
  const counts = useMemo(() => countBySeverity(named), [named]);
  const groups = useMemo(() => groupFindings(filterBySeverity(named, severity)), [named, severity]);
  const refObj = ref === null ? null : parseRefParam(ref);
  const toggle = (s: SeverityFilter) => {
    const next = severity.includes(s)
      ? severity.filter((x) => x !== s)
      : SEVERITIES.filter((x) => x === s || severity.includes(x));
    void setParams({ severity: next.length > 0 ? next : null });
  };
  return (
    <section className="findings-panel" data-testid="findings-panel" aria-label="Findings">
      {ref !== null ? (
        <div className="findings-ref" data-testid="findings-ref" role="status">
          <p>
            Findings naming <strong>{refObj ? refLabel(refObj) : ref}</strong>: {named.length} of{" "}
            {findings.length}.{" "}
            <button type="button" className="link-button" onClick={() => void setParams({ ref: null })}>
              Show every finding
            </button>
          </p>
          {refObj ? (
            <p>
              Show it: <code data-testid="findings-ref-cmd">{kubectlGet(refObj)}</code>
            </p>
          ) : null}
        </div>
      ) : null}
      <div className="findings-filter" role="group" aria-label="Filter by severity">
        <span>Severity:</span>
        {SEVERITIES.map((s) => (
          <button
            key={s}
            type="button"
            className={`sev-${s}`}
            aria-pressed={severity.includes(s)}
            onClick={() => toggle(s)}
          >
            <span aria-hidden>{GLYPH[s]} </span>
            {s} ({counts[s]})
          </button>
        ))}
        {severity.length > 0 ? (
          <button type="button" onClick={() => void setParams({ severity: null })}>
            Show all
          </button>
        ) : null}
      </div>
      {groups.length === 0 ? (
        <p className="expiry-empty">
          {named.length === 0
            ? ref !== null
              ? "No finding in this namespace names this object."
              : "No findings in this namespace."
            : "No findings of the selected severity."}
        </p>
      ) : (
        groups.map((g) => <Group key={g.code} g={g} cluster={cluster} namespace={namespace} />)
      )}
    </section>
  );
}
