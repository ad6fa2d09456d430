// Builds a Finding from its catalogue entry; rules supply only what is specific to the case.
import type { Finding, Ref, Severity } from "../snapshot/schema";
import { CATALOGUE, type FindingCode } from "./catalogue";

export interface FindingInput {
  message: string;
  resources: Ref[];
  fix?: string;
  edge?: string;
  certificate?: string;
  /** Overrides the catalogue's severity, for codes whose severity depends on the case. */
  severity?: Severity;
}

export function finding(code: FindingCode, f: FindingInput): Finding {
  const entry = CATALOGUE[code];
  const out: Finding = {
    code,
    severity: f.severity ?? entry.severity,
    title: entry.title,
    message: f.message,
    resources: f.resources,
  };
  if (f.edge !== undefined) out.edge = f.edge;
  if (f.certificate !== undefined) out.certificate = f.certificate;
  if (f.fix !== undefined) out.fix = f.fix;
  return out;
}
