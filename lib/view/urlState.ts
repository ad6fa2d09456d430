// The one parser map for URL state (contract §4). Pages (server) and components (client, through
// nuqs hooks) read the query with these parsers only, so a link always means the same view.
import { parseAsArrayOf, parseAsBoolean, parseAsString, parseAsStringLiteral } from "nuqs/server";
import { DEFAULT_WINDOW } from "./window";

export const VIEWS = ["graph", "certificates", "findings"] as const;
export type View = (typeof VIEWS)[number];
export const SEVERITIES = ["error", "warning", "info"] as const;
export type SeverityFilter = (typeof SEVERITIES)[number];

export const namespaceViewParsers = {
  view: parseAsStringLiteral(VIEWS).withDefault("graph"),
  /** Selected edge id (opens the edge panel). */
  edge: parseAsString,
  /** Selected workload name in this namespace (opens the workload panel). */
  workload: parseAsString,
  /** Severities shown; empty = all. */
  severity: parseAsArrayOf(parseAsStringLiteral(SEVERITIES)).withDefault([]),
  /** Expiry window for the certificate view, e.g. 30d. */
  window: parseAsString.withDefault(DEFAULT_WINDOW),
  /** "Problems first": dim healthy mTLS edges. */
  problems: parseAsBoolean.withDefault(false),
};

export const embedParsers = {
  cluster: parseAsString,
  namespace: parseAsString,
  window: parseAsString.withDefault(DEFAULT_WINDOW),
  theme: parseAsStringLiteral(["light", "dark"] as const).withDefault("light"),
};
