// The frame of the panel beside the graph: a heading that takes focus when the user opens the panel
// (NamespaceView moves focus to it by sidePanelTitleId), a Close button, and the panel's content.
import type { ReactNode } from "react";

/** The heading's id: NamespaceView focuses it when the user opens this panel. */
/** The side panels there are; each names its test id, heading id and Close button. */
export type SidePanelName = "edge" | "workload";

export const sidePanelTitleId = (name: SidePanelName) => `${name}-panel-title`;

export interface SidePanelProps {
  /** What the panel shows. */
  name: SidePanelName;
  title: ReactNode;
  onClose: () => void;
  /** Set as data-status, for panels about something with a status. */
  status?: string;
  children: ReactNode;
}

export function SidePanel({ name, title, onClose, status, children }: SidePanelProps) {
  const titleId = sidePanelTitleId(name);
  return (
    <section
      className="side-panel"
      aria-labelledby={titleId}
      data-testid={`${name}-panel`}
      data-status={status}
    >
      <header className="side-panel-head">
        <h2 id={titleId} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" onClick={onClose} aria-label={`Close ${name} panel`}>
          Close
        </button>
      </header>
      {children}
    </section>
  );
}
