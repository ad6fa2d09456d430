// What every rule receives: the model, the resolver (memoised decisions), the analysed edges, the
// certificate report and the clock.
import type { CertReport } from "../certs/analyzeCerts";
import type { CertThresholds } from "../certs/thresholds";
import type { EdgeAnalysis } from "../edges/buildEdges";
import type { MeshModel } from "../model/mesh";
import type { Resolver } from "../resolve/resolver";
import type { Completeness, Finding } from "../snapshot/schema";
import type { FindingCode } from "./catalogue";

export interface AnalysisContext {
  model: MeshModel;
  resolver: Resolver;
  edges: EdgeAnalysis[];
  certs: CertReport;
  thresholds: CertThresholds;
  now: Date;
  /** What the cluster reader could not read (access.forbidden); absent for manifests. */
  completeness?: Completeness[];
  /** Proxies whose secrets the cluster reader could not fetch (access.proxy-unreachable). */
  unreachableProxies?: UnreachableProxy[];
}

/** A pod whose proxy admin endpoint did not answer; `reason` is short and shared by pods failing alike. */
export interface UnreachableProxy {
  namespace: string;
  pod: string;
  reason: string;
}

export interface Rule {
  code: FindingCode;
  run(ctx: AnalysisContext): Finding[];
}

export const rule = (code: FindingCode, run: (ctx: AnalysisContext) => Finding[]): Rule => ({ code, run });
