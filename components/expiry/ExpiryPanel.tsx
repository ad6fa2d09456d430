"use client";
// The expiry panel: legend with counts, zoom presets (the URL's `window`), the timeline and the table
// sorted by soonest expiry, and "Copy embed code". Used on the namespace page's certificate view and,
// without chrome, by /embed/expiry. The model is computed by lib/view/expiry/timeline.ts.
import { useQueryState } from "nuqs";
import { useMemo } from "react";
import type { Certificate, Finding } from "@/lib/core/snapshot/schema";
import { buildExpiryModel, WINDOW_PRESETS } from "@/lib/view/expiry/timeline";
import {
  URGENCIES,
  URGENCY_GLYPHS,
  URGENCY_LABELS,
  URGENCY_NOTE,
  URGENCY_RULES,
} from "@/lib/view/expiry/urgency";
import { namespaceViewParsers, type Theme } from "@/lib/view/urlState";
import { CopyEmbedCode } from "./CopyEmbedCode";
import { ExpiryTable } from "./ExpiryTable";
import { ExpiryTimeline } from "./ExpiryTimeline";
import "./expiry.css";

export interface ExpiryPanelProps {
  certificates: Certificate[];
  /** The same snapshot's (or slice's) findings: urgency follows their `cert.expiring` decisions. */
  findings: Finding[];
  /** The snapshot's clock (snapshot.now): every "time left" is measured from it. */
  now: string;
  /** Fixed theme (embeds); without it the panel follows the page's colour scheme. */
  theme?: Theme;
  /** What "Copy embed code" points at; `baseUrl` is HANDSHAKE_PUBLIC_URL when set (else the page's origin). */
  embed: { cluster: string; namespace?: string | null; baseUrl?: string };
  /**
   * Inside an iframe (/embed/expiry): the table shows only the soonest rows and there is no "Copy
   * embed code" (the wiki already embeds it), so the panel fits the frame.
   */
  compact?: boolean;
}

/** Rows of the table in the compact (embedded) panel. */
export const COMPACT_TABLE_ROWS = 8;

export function ExpiryPanel({
  certificates,
  findings,
  now,
  theme,
  embed,
  compact = false,
}: ExpiryPanelProps) {
  // The same key and parser on the namespace page and the embed (embedParsers.window is identical). The
  // parser only yields a valid window (else its default); a bad one in the URL is named by
  // IgnoredParamsNotice. The zoom buttons change the URL.
  const [win, setWindow] = useQueryState("window", namespaceViewParsers.window);
  const model = useMemo(
    () => buildExpiryModel(certificates, { now, window: win, findings }),
    [certificates, findings, now, win],
  );
  const presets: string[] = [...WINDOW_PRESETS];
  if (!presets.includes(model.window) && model.windowValid)
    presets.splice(presets.length - 1, 0, model.window);

  return (
    <section
      className="expiry-panel"
      data-theme={theme}
      data-testid="expiry-panel"
      aria-label="Certificate expiry"
    >
      <div className="expiry-toolbar">
        <ul className="expiry-legend" aria-label="Urgency">
          {URGENCIES.map((u) => (
            <li
              key={u}
              className={`urg-${u}`}
              data-testid={`expiry-count-${u}`}
              title={`${URGENCY_LABELS[u]}: ${URGENCY_RULES[u]}`}
            >
              <span className="expiry-swatch" aria-hidden />
              <span className="expiry-cue-glyph" aria-hidden>
                {URGENCY_GLYPHS[u]}
              </span>
              {URGENCY_LABELS[u]}: {model.counts[u]}
            </li>
          ))}
        </ul>
        <p className="expiry-more expiry-rule" data-testid="expiry-rule">
          {URGENCY_NOTE}
        </p>
        <div className="expiry-zoom" role="group" aria-label="Time window">
          {presets.map((w) => (
            <button key={w} type="button" aria-pressed={model.window === w} onClick={() => void setWindow(w)}>
              {w}
            </button>
          ))}
        </div>
      </div>
      {compact ? (
        // In a frame the soonest expiries come first, above the fold; the timeline follows.
        <div className="expiry-body expiry-body-compact">
          <ExpiryTable rows={model.table} limit={COMPACT_TABLE_ROWS} />
          <ExpiryTimeline model={model} />
        </div>
      ) : (
        <div className="expiry-body">
          <ExpiryTimeline model={model} />
          <ExpiryTable rows={model.table} />
        </div>
      )}
      {!compact ? (
        <CopyEmbedCode
          cluster={embed.cluster}
          namespace={embed.namespace ?? null}
          window={model.window}
          {...(theme ? { theme } : {})}
          {...(embed.baseUrl ? { baseUrl: embed.baseUrl } : {})}
        />
      ) : null}
    </section>
  );
}
