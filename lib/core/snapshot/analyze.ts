// The whole analysis: inputs → model → resolver → edges → findings → snapshot. Pure: the clock
// and the source description are passed in; the output is sorted so the same input gives the
// same bytes.
import { analyzeCertificates, toSnapshotCertificate } from "../certs/analyzeCerts";
import { collectCertInputs } from "../certs/collect";
import { DEFAULT_CERT_THRESHOLDS, type CertThresholds } from "../certs/thresholds";
import { buildEdges, type EdgeAnalysis } from "../edges/buildEdges";
import { RULES } from "../findings/rules";
import type { AnalysisContext, Rule, UnreachableProxy } from "../findings/context";
import { buildModel } from "../model/buildModel";
import type { ParsedInputs, ParsedTraffic } from "../model/input";
import type { MeshModel, Workload } from "../model/mesh";
import { resolveRevision } from "../model/revisions";
import { linkerdIdentityDomain } from "../model/linkerdConfig";
import { linkerdInjects } from "../model/workloads";
import { defaultPolicyMode, linkerdNamespaceDefault } from "../resolve/linkerdInbound";
import { namespaceDecision } from "../resolve/peerAuthentication";
import { createResolver, paRef, type Resolver, type ServerDecision } from "../resolve/resolver";
import type {
  Completeness,
  Finding,
  MeshSnapshot,
  SnapshotNamespace,
  SnapshotService,
  SnapshotSource,
  SnapshotWorkload,
} from "./schema";
import { sortSnapshot } from "./sort";
import { holdUntilNextAnalysis, perRun } from "../model/perRun";
import { sortFew } from "../model/sortFew";
import { oneLine } from "../model/read";

export interface AnalyzeOptions {
  now: Date;
  /** When the analysis ran; defaults to `now` (contract: equal to now when --now is given). */
  generatedAt?: Date;
  source: SnapshotSource;
  traffic?: ParsedTraffic;
  /** What could not be read (cluster reader); manifest problems are added from the inputs. */
  completeness?: Completeness[];
  /** Overrides of the certificate expiry thresholds (findings.md defaults otherwise). */
  certThresholds?: Partial<CertThresholds>;
  /** Proxies whose secrets could not be read (cluster reader): access.proxy-unreachable. */
  unreachableProxies?: UnreachableProxy[];
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

function workloadPorts(r: Resolver, w: Workload): number[] {
  // Contract §1.1: declared ports, Service target ports, and the keys of the applying portLevelMtls.
  // An array rather than a Set copy per workload. No PeerAuthentication applies to a gateway's or a
  // waypoint's listeners (resolver GATEWAY_DECISION), so no portLevelMtls key is listed for them.
  const ports = Array.from(r.realPorts(w));
  if (!w.gateway)
    for (const port of r.policyOf(w).perPort.keys()) if (!ports.includes(port)) ports.push(port);
  return sortFew(ports, (a, b) => a > b);
}

function identityOf(w: Workload, r: Resolver): string | null {
  // A WorkloadEntry labelled tlsMode=istio without a serviceAccount: istiod expects no identity of it.
  if (w.serviceAccount === "") return null;
  if (w.dataplane === "sidecar" || w.dataplane === "ambient")
    return `spiffe://${r.meshOf(w).trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`;
  if (w.dataplane === "linkerd")
    return `${w.serviceAccount}.${w.namespace}.serviceaccount.identity.${linkerdIdentityDomain(r.model.linkerdConfig, w.livePods)}`;
  return null;
}

type WorkloadMtls = SnapshotWorkload["mtls"];
type WorkloadPort = SnapshotWorkload["ports"][number];

/**
 * The snapshot's per-workload `mtls` and per-port objects, shared between workloads with the same
 * server decision (the resolver shares decisions): 10k workloads need a few hundred of them, not
 * 40k. Frozen, as the snapshot is serialised, never edited in place.
 */
interface WorkloadParts {
  mtls: Map<ServerDecision, WorkloadMtls>;
  ports: Map<ServerDecision, Map<number, WorkloadPort>>;
}

function snapshotWorkload(r: Resolver, w: Workload, parts: WorkloadParts): SnapshotWorkload {
  const base = r.serverDecision(w);
  let mtls = parts.mtls.get(base);
  if (!mtls)
    parts.mtls.set(
      base,
      (mtls = Object.freeze({ mode: base.mode, policy: base.policy, origin: base.origin })),
    );
  return {
    namespace: w.namespace,
    name: w.name,
    kind: w.kind,
    serviceAccount: w.serviceAccount,
    // The model's own object: buildWorkload made it with sorted keys.
    labels: w.labels,
    pods: w.pods,
    dataplane: w.dataplane,
    identity: identityOf(w, r),
    mtls,
    ports: snapshotPorts(r, w, parts),
  };
}

function snapshotPorts(r: Resolver, w: Workload, parts: WorkloadParts): WorkloadPort[] {
  const ports = workloadPorts(r, w);
  const out: WorkloadPort[] = [];
  for (const port of ports) {
    const d = r.serverDecision(w, port);
    let byPort = parts.ports.get(d);
    if (!byPort) parts.ports.set(d, (byPort = new Map()));
    let shared = byPort.get(port);
    if (!shared)
      byPort.set(port, (shared = Object.freeze({ port, mode: d.mode, policy: d.policy, origin: d.origin })));
    out.push(shared);
  }
  return out;
}

function snapshotNamespace(model: MeshModel, r: Resolver, name: string): SnapshotNamespace {
  const ns = model.namespaces.get(name);
  const planes = new Set((model.workloadsByNamespace.get(name) ?? []).map((w) => w.dataplane));
  let dataplane: SnapshotNamespace["dataplane"];
  if (planes.size > 1) dataplane = "mixed";
  else if (planes.size === 1) dataplane = [...planes][0]!;
  else if (ns?.labels["istio.io/dataplane-mode"] === "ambient") dataplane = "ambient";
  else if (ns?.labels["istio-injection"] === "enabled" || ns?.labels["istio.io/rev"]) dataplane = "sidecar";
  else if (linkerdInjects(ns?.annotations["linkerd.io/inject"])) dataplane = "linkerd";
  else dataplane = "none";
  const ambient = dataplane === "ambient";
  const revision = resolveRevision(model.revisions, ns?.labels["istio.io/rev"]);
  const d = namespaceDecision(r.paIndex({ revision, dataplane: ambient ? "ambient" : "sidecar" }), name);
  // A namespace where nothing enforces policy reports NONE; the policy that would apply is still named.
  // A Linkerd namespace: what its default inbound policy does with unauthenticated callers (linkerdInbound.ts).
  const mode =
    dataplane === "none" ? "NONE" : dataplane === "linkerd" ? linkerdNamespaceMode(model, name) : d.mode;
  return {
    name,
    dataplane,
    mtls: {
      mode,
      policy: paRef(d.policy),
      inheritedFrom: d.origin === "namespace" ? null : d.origin === "mesh" ? "mesh" : "default",
    },
  };
}

const linkerdNamespaceMode = (model: MeshModel, name: string) =>
  defaultPolicyMode(linkerdNamespaceDefault(model, name).policy);

function snapshotService(s: MeshModel["services"][number]): SnapshotService {
  return {
    namespace: s.namespace,
    name: s.name,
    host: s.host,
    headless: s.headless,
    external: s.external,
    ports: s.ports,
    workloads: s.workloads,
  };
}

// Module level, like the loops below: closures made once per analysis were optimised anew at every
// analysis (docs/DECISIONS.md, "Analysis performance, round 7").
const edgeOf = (e: EdgeAnalysis) => e.edge;

/**
 * Every rule's findings, in catalogue order; a plain loop, as `flatMap` ran unoptimised at each
 * analysis (called once per run). A rule that throws loses only its own findings: the failure is a
 * completeness entry, so the snapshot says what is missing instead of the whole analysis failing.
 */
export function runRules(ctx: AnalysisContext, rules: readonly Rule[], failed: Completeness[]): Finding[] {
  const out: Finding[] = [];
  for (const rule of rules) {
    let found: Finding[];
    try {
      found = rule.run(ctx);
    } catch (e) {
      failed.push({
        kind: "Rule",
        reason: "error",
        message: `rule ${rule.code} failed (${oneLine(e)}): its findings are missing`,
      });
      continue;
    }
    for (let i = 0; i < found.length; i++) out.push(found[i]!);
  }
  return out;
}

export function analyze(inputs: ParsedInputs, opts: AnalyzeOptions): MeshSnapshot {
  // The snapshot prints `now` in whole seconds (contract §1); every decision uses that very instant,
  // so that whoever recomputes from snapshot.now (the dashboard) agrees with the findings.
  const now = new Date(Math.floor(opts.now.getTime() / 1000) * 1000);
  // Every source but manifests is a cluster's objects (kubeconfig, in-cluster, the demo's API server).
  const model = buildModel(
    { ...inputs, problems: [...inputs.problems, ...(opts.traffic?.problems ?? [])] },
    opts.completeness,
    opts.source.type !== "manifests",
  );
  const resolver = createResolver(model);
  const completeness: Completeness[] = [...(opts.completeness ?? [])];
  const edges = buildEdges(resolver, opts.traffic?.samples ?? [], opts.traffic?.window, completeness);
  const collected = collectCertInputs(model, inputs.objects);
  model.problems.push(...collected.problems);
  const certs = analyzeCertificates({
    now,
    inputs: collected.inputs,
    certManager: collected.certManager,
    spire: collected.spire,
    fromCluster: opts.source.type !== "manifests",
  });
  const thresholds = { ...DEFAULT_CERT_THRESHOLDS, ...opts.certThresholds };
  const ctx = perRun<AnalysisContext>({
    model,
    resolver,
    edges,
    certs,
    thresholds,
    now,
    completeness: opts.completeness ?? [],
    unreachableProxies: opts.unreachableProxies ?? [],
  });
  const findings = runRules(ctx, RULES, completeness);
  const dataplanes = new Set<MeshSnapshot["mesh"]["dataplanes"][number]>();
  for (const w of model.workloads) {
    if (w.dataplane === "sidecar") dataplanes.add("istio-sidecar");
    else if (w.dataplane === "ambient") dataplanes.add("istio-ambient");
    else if (w.dataplane === "linkerd") dataplanes.add("linkerd");
  }
  for (const p of model.problems)
    if (!p.object)
      completeness.push({
        kind: "File",
        reason: "invalid",
        message: `${p.file}${p.line !== undefined ? `:${p.line}` : ""}: ${p.message}`,
      });
  // Parts of a traffic file left unread while the rest was used: noted, not raised (ParsedTraffic.skipped).
  for (const p of opts.traffic?.skipped ?? [])
    completeness.push({ kind: "File", reason: "invalid", message: `${p.file}: ${p.message}` });

  // Made once per analysis: see model/perRun.ts.
  const parts = perRun<WorkloadParts>({ mtls: new Map(), ports: new Map() });
  const namespaces: SnapshotNamespace[] = [];
  for (const n of model.namespaces.keys()) namespaces.push(snapshotNamespace(model, resolver, n));
  const workloads: SnapshotWorkload[] = [];
  for (const w of model.workloads) workloads.push(snapshotWorkload(resolver, w, parts));
  const snapshot = sortSnapshot({
    schemaVersion: 1,
    generatedAt: iso(opts.generatedAt ?? now),
    now: iso(now),
    source: opts.source,
    mesh: {
      rootNamespace: model.mesh.rootNamespace,
      trustDomain: model.mesh.trustDomain,
      autoMtls: model.mesh.enableAutoMtls,
      dataplanes: [...dataplanes],
    },
    completeness,
    namespaces,
    workloads,
    services: model.services.map(snapshotService),
    edges: edges.map(edgeOf),
    certificates: certs.entries.map(toSnapshotCertificate),
    findings,
  });
  // The hidden classes of everything made here outlive a full GC before the next analysis (model/perRun.ts).
  holdUntilNextAnalysis([model, resolver, edges, certs, ctx, snapshot]);
  return snapshot;
}
