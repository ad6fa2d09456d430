// What every rule receives: the model, the resolver (memoised decisions), the analysed edges, the
// certificate report and the clock.
import type { CertReport } from "../certs/analyzeCerts";
import type { CertThresholds } from "../certs/thresholds";
import type { EdgeAnalysis } from "../edges/buildEdges";
import type { MeshModel } from "../model/mesh";
import type { Resolver } from "../resolve/resolver";
import type { Finding } from "../snapshot/schema";
import type { FindingCode } from "./catalogue";

export interface AnalysisContext {
  model: MeshModel;
  resolver: Resolver;
  edges: EdgeAnalysis[];
  certs: CertReport;
  thresholds: CertThresholds;
  now: Date;
}

export interface Rule {
  code: FindingCode;
  run(ctx: AnalysisContext): Finding[];
}

export const rule = (code: FindingCode, run: (ctx: AnalysisContext) => Finding[]): Rule => ({ code, run });
