"use client";
// The certificates beside the timeline, sorted by soonest expiry. Long lists show their first rows
// and a button for the rest, so 10k workload certificates do not make the page crawl.
import { useState } from "react";
import { formatUtc } from "@/lib/view/expiry/format";
import type { TableRow } from "@/lib/view/expiry/timeline";
import { URGENCY_GLYPHS, URGENCY_LABELS } from "@/lib/view/expiry/urgency";

const FIRST_ROWS = 50;

/** `limit`: show only that many soonest rows, without the "Show all" button (the embedded panel). */
export function ExpiryTable({ rows, limit }: { rows: TableRow[]; limit?: number }) {
  const [all, setAll] = useState(false);
  const first = limit ?? FIRST_ROWS;
  const shown = all && limit === undefined ? rows : rows.slice(0, first);
  if (rows.length === 0) return null;
  return (
    <div className="expiry-table-wrap">
      <table className="expiry-table" data-testid="expiry-table">
        <caption className="expiry-more" style={{ textAlign: "left" }}>
          {limit !== undefined && rows.length > limit
            ? `The ${limit} soonest of ${rows.length} certificates`
            : `${rows.length} certificate${rows.length === 1 ? "" : "s"}, soonest expiry first`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Certificate</th>
            <th scope="col">Layer</th>
            <th scope="col">Owner</th>
            <th scope="col">Not after (UTC)</th>
            <th scope="col">Time left</th>
            <th scope="col">Chain</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.id} data-cert={r.id}>
              <td className="expiry-name" title={`SHA-256 ${r.id}`}>
                {r.name}
              </td>
              <td>{r.layerLabel}</td>
              <td className="expiry-name">{r.owner}</td>
              <td className="expiry-nowrap">{formatUtc(r.notAfter).replace(" UTC", "")}</td>
              <td className={`urg-${r.urgency}`}>
                <span className="expiry-cue">
                  <span className="expiry-cue-glyph" aria-hidden>
                    {URGENCY_GLYPHS[r.urgency]}
                  </span>
                  <span>{r.leftText}</span>
                  <span className="expiry-more" style={{ margin: 0 }}>
                    ({URGENCY_LABELS[r.urgency]})
                  </span>
                </span>
              </td>
              <td title={r.chainError ?? undefined}>
                {r.verified ? "✓ verified" : `✕ ${r.chainError ?? "not verified"}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {limit === undefined && rows.length > FIRST_ROWS ? (
        <button type="button" className="expiry-button" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? `Show the first ${FIRST_ROWS}` : `Show all ${rows.length}`}
        </button>
      ) : null}
    </div>
  );
}
