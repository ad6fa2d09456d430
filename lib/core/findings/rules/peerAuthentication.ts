// Server-side rules: PeerAuthentication (findings.md "Istio PeerAuthentication", istio.md §1).
import type { EdgeAnalysis } from "../../edges/buildEdges";
import {
  inRevision,
  istiodRevision,
  type PeerAuthentication,
  type Service,
  type Workload,
} from "../../model/mesh";
import { workloadsMatching } from "../../model/labelIndex";
import { selectorMatches } from "../../model/read";
import { labelNamesTag, NO_REVISIONS, resolveRevision, type Revisions } from "../../model/revisions";
import {
  ignoredMeshPolicy,
  ignoredPolicyClause,
  ignoredPolicyFor,
  type IgnoredPolicy,
  modeForPort,
  namespaceDecision,
  tagLabelFix,
  unreadMeshPolicy,
  type ModeDecision,
  type PaIndex,
} from "../../resolve/peerAuthentication";
import { hasIstioProxy } from "../../resolve/resolver";
import type { Finding, Ref } from "../../snapshot/schema";
import type { AnalysisContext } from "../context";
import { rule } from "../context";
import { finding } from "../finding";
import { capitalised, listNames, namespaceRef, nsName, paRefOf, workloadRef } from "../refs";

// The default revision's index: with a default tag, the revision it names (its objects are those
// labelled with that revision, not with the tag "default": istioMetadata.ts), else the default istiod's.
const defaultIndex = (ctx: AnalysisContext) =>
  ctx.resolver.paIndex({ revision: ctx.model.revisions.defaultRevision ?? "", dataplane: "sidecar" });

const selected = (ctx: AnalysisContext, pa: PeerAuthentication): Workload[] =>
  pa.selector ? workloadsMatching(ctx.model.workloadsByNamespace.get(pa.namespace) ?? [], pa.selector) : [];

/** A revision other than the default one: its name and the namespaces it has meshed workloads in. */
type OtherRevision = { rev: string; namespaces: Set<string> };

/** An istiod's sidecar view of PeerAuthentications, keyed by istiodRevision. */
type RevisionIndex = { key: string; idx: PaIndex };

/**
 * The istiod revisions whose proxies a config conflict can touch, other than the default one: those of
 * the meshed workloads (istiodRevision names), each with the namespaces it has workloads in. Several
 * rules ask (pa.conflict, pa.selector-matches-nothing, pa.root-selector-ignored): one scan per analysis.
 */
function otherRevisions(ctx: AnalysisContext): Map<string, OtherRevision> {
  return (revisionViews.get(ctx) ?? buildRevisionViews(ctx)).others;
}

/**
 * The default revision's index, then each other revision's that has meshed workloads (otherRevisions):
 * rules that judge a policy on its own (its selector, its namespace) speak for every policy some such
 * istiod reads, each once. Two revisions may share an index: each is listed, with its key.
 */
function everyIndex(ctx: AnalysisContext): RevisionIndex[] {
  return (revisionViews.get(ctx) ?? buildRevisionViews(ctx)).indexes;
}

const revisionViews = new WeakMap<
  AnalysisContext,
  { others: Map<string, OtherRevision>; indexes: RevisionIndex[] }
>();
/** Once per analysis, in a function of its own for the reason `groupBroken` (edges.ts) gives. */
function buildRevisionViews(ctx: AnalysisContext) {
  const defaultKey = istiodRevision(ctx.model.revisions.defaultRevision ?? "");
  const others = new Map<string, OtherRevision>();
  for (const w of ctx.model.workloads) {
    if (!isMeshedWorkload(w) || revisionKey(w) === defaultKey) continue;
    let r = others.get(revisionKey(w));
    if (!r) others.set(revisionKey(w), (r = { rev: w.revision, namespaces: new Set() }));
    r.namespaces.add(w.namespace);
  }
  const indexes: RevisionIndex[] = [{ key: defaultKey, idx: defaultIndex(ctx) }];
  for (const [key, { rev }] of others)
    indexes.push({ key, idx: ctx.resolver.paIndex({ revision: rev, dataplane: "sidecar" }) });
  const views = { others, indexes };
  revisionViews.set(ctx, views);
  return views;
}

/**
 * pa.conflict per istiod. Each istiod composes only the policies it reads (crdclient `inRevision`, its
 * discoverySelectors: paIndexFor), so two policies one istiod reads may be one for another. The default
 * revision's view first, as before; then each other revision's, for its root namespace when it has
 * workloads and for the namespaces its workloads are in, naming the istiod, when it reads a set of
 * policies the default view did not report (a conflict no proxy of that istiod meets is none of its).
 * With several revisions, the default view too speaks only where a proxy meets the conflict: a meshed
 * workload whose own istiod's set at that scope is exactly this one (or, at namespace scope, a namespace
 * with no meshed workload, as one revision would); at mesh scope such a workload must exist.
 */
export const paConflict = rule("pa.conflict", (ctx) => {
  const out: Finding[] = [];
  const seen: Seen = new Map();
  const memo: AppliersMemo = {};
  const others = otherRevisions(ctx);
  const defaultRev = ctx.model.revisions.defaultRevision ?? "";
  const defaultKey = istiodRevision(defaultRev);
  const meshed = ctx.model.workloads.filter(isMeshedWorkload);
  const ownPlanes = meshed.filter((w) => revisionKey(w) === defaultKey);
  conflictsOf(
    ctx,
    {
      rev: defaultRev,
      who: null,
      namespaces: null,
      multi: others.size > 0,
      planes: planesOf(ctx, ownPlanes.length > 0 ? ownPlanes : meshed),
    },
    seen,
    memo,
    out,
  );
  for (const [key, { rev, namespaces }] of others)
    conflictsOf(
      ctx,
      {
        rev,
        who: key,
        namespaces,
        multi: true,
        planes: planesOf(
          ctx,
          meshed.filter((w) => revisionKey(w) === key),
        ),
      },
      seen,
      memo,
      out,
    );
  return out;
});

/** Sets of policies reported (their names joined): for a workload-level set, the workloads named with it. */
type Seen = Map<string, Set<string> | null>;

/**
 * Which data planes `ws` use; sidecars alone for none (a mesh without workloads, as before). `elsewhere`:
 * some ambient workload is outside its revision's root namespace (ztunnel there takes nil selectors only).
 */
function planesOf(ctx: AnalysisContext, ws: Workload[]): ConflictView["planes"] {
  const amb = ws.filter((w) => w.dataplane === "ambient");
  const ambient = amb.length > 0;
  const elsewhere = amb.some((w) => outsideAmbientRoot(ctx, w));
  return { ambient, sidecar: !ambient || ws.some((w) => w.dataplane !== "ambient"), elsewhere };
}

/**
 * One istiod's view for pa.conflict: `who` its revision (null for the default view), `namespaces` those
 * it has workloads in (null: every one), `multi` whether other revisions have workloads, `planes` the
 * data planes of its workloads (sidecars and ztunnel compose the mesh scope differently).
 */
interface ConflictView {
  rev: string;
  who: string | null;
  namespaces: Set<string> | null;
  multi: boolean;
  planes: { sidecar: boolean; ambient: boolean; elsewhere: boolean };
}

/** A conflict's scope: the root namespace's mesh-wide policies, or a namespace's namespace-wide or workload policies. */
type ConflictScope = { kind: "mesh" } | { kind: "namespace" | "workload"; ns: string };

/**
 * The policies of `scope` the istiod of `w` composes for it, oldest first (its own index: `inRevision`,
 * its discoverySelectors, its root namespace); at workload scope those whose selector w's labels meet.
 * ztunnel takes only nil-selector root policies as mesh-wide outside the root namespace (the ambient
 * index's mesh); sidecars, and ztunnel for the root namespace's own workloads, take `selector: {}` ones
 * too (the sidecar index's mesh, oldest first: meshPolicyOf).
 */
function ownSet(ctx: AnalysisContext, w: Workload, scope: ConflictScope): PeerAuthentication[] {
  if (scope.kind === "mesh") {
    const amb = ctx.resolver.paIndex({ revision: w.revision, dataplane: "ambient" });
    if (w.dataplane === "ambient" && w.namespace !== amb.rootNamespace) return amb.mesh;
    return ctx.resolver.paIndex({ revision: w.revision, dataplane: "sidecar" }).mesh;
  }
  const idx = ctx.resolver.paIndex({ revision: w.revision, dataplane: "sidecar" });
  const list = (scope.kind === "namespace" ? idx.namespaceWide : idx.workloadLevel).get(scope.ns) ?? [];
  return scope.kind === "workload" ? list.filter((p) => selectorMatches(p.selector!, w.labels)) : list;
}

const sameList = (a: readonly PeerAuthentication[], b: readonly PeerAuthentication[]) =>
  a.length === b.length && a.every((p, i) => p === b[i]);

/** One istiod's conflicts, each set of policies once across istiods (a workload-level set once per workload). */
function conflictsOf(
  ctx: AnalysisContext,
  v: ConflictView,
  seen: Seen,
  memo: AppliersMemo,
  out: Finding[],
): void {
  const idx = ctx.resolver.paIndex({ revision: v.rev, dataplane: "sidecar" });
  const meshedIn = (ns: string) => (ctx.model.workloadsByNamespace.get(ns) ?? []).filter(isMeshedWorkload);
  const inScope = (scope: ConflictScope) =>
    scope.kind === "mesh" ? ctx.model.workloads.filter(isMeshedWorkload) : meshedIn(scope.ns);
  // The revisions (istiodRevision names, first seen in the workloads' order) whose meshed workloads in
  // `scope` compose exactly `pas` there: those for whom "reads them all and applies the oldest" is true.
  const readersOf = (pas: PeerAuthentication[], scope: ConflictScope, ws: Workload[]) => {
    const keys: string[] = [];
    for (const w of ws)
      if (!keys.includes(revisionKey(w)) && sameList(ownSet(ctx, w, scope), pas)) keys.push(revisionKey(w));
    return keys;
  };
  const conflict = (
    pas: PeerAuthentication[],
    scope: ConflictScope,
    subjectScope: string,
    workloads: Workload[] | null = null,
    ztunnel: PeerAuthentication | null = null,
  ) => {
    const key = pas.map((p) => `${p.namespace}/${p.name}`).join("\u0000");
    let named = workloads;
    if (workloads === null) {
      if (seen.has(key)) return;
      seen.set(key, null);
    } else {
      let done = seen.get(key);
      if (done === null) return;
      if (!done) seen.set(key, (done = new Set()));
      named = workloads.filter((w) => !done!.has(nsName(w)));
      if (named.length === 0) return;
      for (const w of named) done.add(nsName(w));
    }
    const [winner, ...ignored] = pas;
    const subject = named
      ? `${named.length > 1 ? "Workloads" : "Workload"} ${listNames(named.map(nsName))}`
      : subjectScope;
    const has = named && named.length > 1 ? "have" : "has";
    // "Istio applies" when one revision reads them, or (default view) every policy of the set is
    // unlabelled; else the istiods that read them all, every one (another revision's view, or a
    // revision-labelled policy in the set: its revision's istiod alone composes this set).
    const labelled = pas.some((p) => p.revision !== undefined);
    let readers: string[] | null = null;
    if (v.who !== null || (v.multi && labelled)) {
      readers = readersOf(pas, scope, named ?? inScope(scope));
      if (readers.length === 0) readers = [v.who ?? istiodRevision(v.rev)];
    }
    const many = (readers?.length ?? 0) > 1;
    const ignores = many ? "ignore" : "ignores";
    const reader =
      readers === null
        ? "Istio applies"
        : `${istiodsOf(ctx, readers)} read${many ? "" : "s"} them all and appl${many ? "y" : "ies"}`;
    out.push(
      finding("pa.conflict", {
        message: ztunnel
          ? `${subject} ${has} ${pas.length} PeerAuthentications; for sidecars ${reader} only the oldest, ${nsName(winner!)}, and ${ignores} ${listNames(ignored.map(nsName))}, while ztunnel takes a root-namespace policy as mesh-wide only without a selector and applies ${nsName(ztunnel)} outside ${idx.rootNamespace}.`
          : `${subject} ${has} ${pas.length} PeerAuthentications; ${reader} only the oldest, ${nsName(winner!)}, and ${ignores} ${listNames(ignored.map(nsName))}.`,
        resources: [...ignored.map(paRefOf), paRefOf(winner!)],
        fix: conflictFix(ctx, v.multi, pas, ztunnel, appliersOf(ctx, memo)),
      }),
    );
  };
  // Whether a proxy of this view meets a conflict among `pas` in `ns`: the other revisions' views, the
  // namespaces their workloads are in; the default view, with other revisions, a workload there whose
  // own istiod composes exactly this set, or no meshed workload there at all.
  const touches = (ns: string, pas: PeerAuthentication[]) => {
    if (v.namespaces !== null) return v.namespaces.has(ns);
    if (!v.multi) return true;
    const ws = meshedIn(ns);
    return ws.length === 0 || readersOf(pas, { kind: "namespace", ns }, ws).length > 0;
  };
  const mesh = (pas: PeerAuthentication[], ztunnel: PeerAuthentication | null = null) => {
    // The default view with other revisions: only if some meshed workload's istiod composes this set
    // (a default revision without workloads, or whose workloads read other policies, says nothing).
    if (v.who === null && v.multi && readersOf(pas, { kind: "mesh" }, inScope({ kind: "mesh" })).length === 0)
      return;
    conflict(pas, { kind: "mesh" }, "The mesh (root namespace " + idx.rootNamespace + ")", null, ztunnel);
  };
  meshConflict(ctx, v, idx, mesh);
  for (const [ns, pas] of idx.namespaceWide)
    if (pas.length > 1 && touches(ns, pas)) conflict(pas, { kind: "namespace", ns }, `Namespace ${ns}`);
  for (const [ns, pas] of idx.workloadLevel) {
    if (v.namespaces !== null && !v.namespaces.has(ns)) continue;
    const groups = new Map<string, { pas: PeerAuthentication[]; workloads: Workload[] }>();
    // Another revision's view: its own workloads. The default view with other revisions: those whose
    // own istiod composes exactly this set (filtered below). One revision: every workload, as before.
    const all = ctx.model.workloadsByNamespace.get(ns) ?? [];
    const list = v.who !== null ? all.filter((w) => isMeshedWorkload(w) && revisionKey(w) === v.who) : all;
    // Each policy's workloads from the label index, rather than every policy tried on every workload.
    const matchingOf = new Map<Workload, PeerAuthentication[]>();
    for (const pa of pas)
      for (const w of workloadsMatching(list, pa.selector!)) {
        const hit = matchingOf.get(w);
        if (hit) hit.push(pa);
        else matchingOf.set(w, [pa]);
      }
    const scope: ConflictScope = { kind: "workload", ns };
    for (const w of list) {
      const matching = matchingOf.get(w);
      if (!matching || matching.length < 2) continue;
      if (v.who === null && v.multi && !(isMeshedWorkload(w) && sameList(ownSet(ctx, w, scope), matching)))
        continue;
      const key = matching.map((p) => p.name).join("\u0000");
      const g = groups.get(key) ?? { pas: matching, workloads: [] };
      g.workloads.push(w);
      groups.set(key, g);
    }
    for (const g of groups.values()) conflict(g.pas, scope, "", g.workloads);
  }
}

/**
 * The mesh scope's conflict as the view's data planes compose it. Sidecars take every selector-less or
 * `selector: {}` root policy as mesh-wide (ComposePeerAuthentication); ztunnel only those without a
 * selector (ambient/workloads.go `fetchPeerAuthentications`; buildPaIndex's rootNamespaceOnly) for
 * workloads outside the root namespace. Ambient workloads alone: ztunnel's list. Both: the sidecars'
 * list, and when ztunnel applies another policy than the sidecars outside the root namespace, that one
 * is named (and preferred by the fix: conflictFix).
 */
function meshConflict(
  ctx: AnalysisContext,
  v: ConflictView,
  idx: PaIndex,
  conflict: (pas: PeerAuthentication[], ztunnel?: PeerAuthentication | null) => void,
): void {
  if (!v.planes.ambient) {
    // Sidecars only, but another revision's ambient workloads may rely on one of these policies.
    if (idx.mesh.length > 1) conflict(idx.mesh, ztunnelKeeps(ctx, idx.mesh));
    return;
  }
  const amb = ctx.resolver.paIndex({ revision: v.rev, dataplane: "ambient" });
  if (!v.planes.sidecar) {
    // ztunnel's root-namespace workloads take `selector: {}` root policies too (the same-namespace
    // fetch, meshPolicyOf): with every ambient workload of the view there, the sidecars' list is theirs.
    const list = v.planes.elsewhere ? amb.mesh : idx.mesh;
    if (list.length > 1) conflict(list);
    return;
  }
  if (idx.mesh.length > 1) conflict(idx.mesh, ztunnelKeeps(ctx, idx.mesh));
}

/**
 * The mesh policy ztunnel applies for some revision's ambient workloads outside that revision's root
 * namespace (the oldest nil-selector root policy), when it is one of `pas` but not their oldest. Ambient
 * workloads in the root namespace take the oldest of both kinds, as sidecars do (meshPolicyOf): they
 * rely on no other policy than the sidecars.
 */
function ztunnelKeeps(ctx: AnalysisContext, pas: PeerAuthentication[]): PeerAuthentication | null {
  const seen = new Set<string>();
  for (const w of ctx.model.workloads) {
    if (w.dataplane !== "ambient" || !isMeshedWorkload(w) || seen.has(revisionKey(w))) continue;
    const amb = ctx.resolver.paIndex({ revision: w.revision, dataplane: "ambient" });
    if (w.namespace === amb.rootNamespace) continue;
    seen.add(revisionKey(w));
    const kept = amb.mesh[0];
    if (kept && kept !== pas[0] && pas.includes(kept)) return kept;
  }
  return null;
}

/**
 * Each policy some istiod applies to some meshed workload (its winner at any scope: policyOf's mesh,
 * namespace or workload policy), with those workloads, in the workloads' order. A policy absent here
 * decides nothing: every list it is in has an older policy, so deleting it, or hiding it from an istiod,
 * leaves every workload's and port's mode as it is. Built once per analysis.
 */
type AppliersMemo = { map?: Map<PeerAuthentication, Workload[]> };

function appliersOf(ctx: AnalysisContext, memo: AppliersMemo): Map<PeerAuthentication, Workload[]> {
  if (memo.map) return memo.map;
  const out = (memo.map = new Map<PeerAuthentication, Workload[]>());
  for (const w of ctx.model.workloads) {
    if (!isMeshedWorkload(w)) continue;
    const p = ctx.resolver.policyOf(w);
    for (const pa of new Set([p.meshPolicy, p.namespacePolicy, p.workloadPolicy])) {
      if (!pa) continue;
      const list = out.get(pa);
      if (list) list.push(w);
      else out.set(pa, [w]);
    }
  }
  return out;
}

/** A policy's settings as its workloads meet them: "STRICT", "STRICT, port 9187 PERMISSIVE". */
function settingsText(p: PeerAuthentication): string {
  const ports = [...(p.portLevelMtls ?? [])].map(([port, mode]) => `port ${port} ${mode}`);
  return [p.mode, ...ports].join(", ");
}

/**
 * pa.conflict's fix, behaviour-preserving by construction: followed literally it changes no workload's
 * or port's mode (reviews/dsel4.md). It names what Istio applies now (each applied policy, who applies
 * it, to which workloads), tells the user to delete only the policies of the set no istiod applies to
 * any workload (appliersOf), and to change a mode by editing the policy that applies. It never advises
 * setting a mode, merging settings (an ignored policy's are not in effect) or deleting an applied
 * policy. With several applied policies, a revision label is offered only when each is applied by one
 * istiod, a different one each: labelling an unlabelled one with its istiod's revision hides it only
 * from istiods that do not apply it (inRevision), which changes nothing, and leaves each istiod one.
 */
function conflictFix(
  ctx: AnalysisContext,
  multi: boolean,
  pas: PeerAuthentication[],
  ztunnel: PeerAuthentication | null,
  applying: Map<PeerAuthentication, Workload[]>,
): string {
  const applied = pas.filter((p) => applying.has(p));
  // No workload with a proxy meets the set: the one Istio would apply stays, the rest may go.
  const kept = applied.length > 0 ? applied : [ztunnel ?? pas[0]!];
  const unused = pas.filter((p) => !kept.includes(p));
  const parts: string[] = [];
  if (applied.length === 0)
    parts.push(
      `No workload with a proxy uses these policies now; Istio would apply ${nsName(kept[0]!)} (${settingsText(kept[0]!)}).`,
    );
  else
    parts.push(
      `Now ${applied.map((p) => `${appliersText(ctx, applying.get(p)!, multi)} ${nsName(p)} (${settingsText(p)}) to ${listNames(applying.get(p)!.map(nsName), 3)}`).join("; ")}.`,
    );
  if (unused.length > 0) {
    const [them, their] = unused.length > 1 ? ["them", "their"] : ["it", "its"];
    parts.push(
      `Delete ${listNames(unused.map(nsName))}: no istiod applies ${them} to any workload, so deleting ${them} changes nothing (${their} settings are not in effect; do not merge them into the policy that applies).`,
    );
  }
  if (kept.length === 1) parts.push(`To change a mode, edit ${nsName(kept[0]!)}, the policy that applies.`);
  else {
    parts.push(
      `Each of ${listNames(kept.map(nsName))} decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it.`,
    );
    const relabel = relabelling(kept, applying);
    if (relabel.length > 0)
      parts.push(
        `To have each istiod read only one of them, label ${listNames(relabel.map(([p, rev]) => `${nsName(p)} with istio.io/rev=${rev}`))}: no workload's mode changes.`,
      );
  }
  return parts.join(" ");
}

/**
 * The revision labels that make each istiod read one of `kept` without changing any mode: only when
 * each policy is applied by the workloads of one istiod revision, a different one each; then each
 * unlabelled one is labelled with that revision (a labelled one already is: its istiod reads it).
 * Else none (one istiod applying two of them, to different workloads or data planes, cannot be split
 * by a label).
 */
function relabelling(
  kept: PeerAuthentication[],
  applying: Map<PeerAuthentication, Workload[]>,
): [PeerAuthentication, string][] {
  const revs = kept.map((p) => new Set(applying.get(p)!.map(revisionKey)));
  if (revs.some((r) => r.size !== 1)) return [];
  const only = revs.map((r) => [...r][0]!);
  if (new Set(only).size !== only.length) return [];
  return kept.flatMap((p, i): [PeerAuthentication, string][] =>
    p.revision === undefined ? [[p, only[i]!]] : [],
  );
}

/**
 * Who applies a policy now, with its verb: "sidecars apply", "ztunnel applies" (one revision); "the
 * istiod of revision canary applies", "ztunnel (from the default istiod) applies" (several).
 */
function appliersText(ctx: AnalysisContext, ws: Workload[], multi: boolean): string {
  const side: string[] = [];
  const amb: string[] = [];
  for (const w of ws) {
    const list = w.dataplane === "ambient" ? amb : side;
    if (!list.includes(revisionKey(w))) list.push(revisionKey(w));
  }
  const parts: string[] = [];
  if (side.length > 0) parts.push(multi ? istiodsOf(ctx, side) : "sidecars");
  if (amb.length > 0) parts.push(multi ? `ztunnel (from ${istiodsOf(ctx, amb)})` : "ztunnel");
  const plural = parts.length > 1 || (side.length > 0 && (!multi || side.length > 1));
  return `${parts.join(" and ")} ${plural ? "apply" : "applies"}`;
}

/** The kinds the model makes workloads of (contract §2.1, and WorkloadEntries). */
const WORKLOAD_KINDS = new Set([
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
  "WorkloadEntry",
]);

/** Whether the reader listed every kind of workload in `ns` (a 403 or error there, or cluster-wide, hides some). */
function workloadsComplete(ctx: AnalysisContext, ns: string): boolean {
  return !(ctx.completeness ?? []).some(
    (c) =>
      c.reason !== "invalid" &&
      WORKLOAD_KINDS.has(c.kind) &&
      (c.namespace === undefined || c.namespace === ns),
  );
}

/** Each policy of `key`'s lists over the indexes, once, in the first index's order. */
function onceEach<K>(
  indexes: PaIndex[],
  lists: (idx: PaIndex) => Iterable<[K, PeerAuthentication[]]>,
): [K, PeerAuthentication[]][] {
  const seen = new Set<PeerAuthentication>();
  const byKey = new Map<K, PeerAuthentication[]>();
  for (const idx of indexes)
    for (const [k, pas] of lists(idx))
      for (const pa of pas) {
        if (seen.has(pa)) continue;
        seen.add(pa);
        const list = byKey.get(k);
        if (list) list.push(pa);
        else byKey.set(k, [pa]);
      }
  return [...byKey];
}

export const paSelectorMatchesNothing = rule("pa.selector-matches-nothing", (ctx) => {
  const out: Finding[] = [];
  for (const [ns, pas] of onceEach(
    everyIndex(ctx).map((v) => v.idx),
    (idx) => idx.workloadLevel,
  )) {
    // With no workload of the namespace among the inputs, or some kind of them unreadable there (a
    // ClusterRole without workloadentries hides the VMs a policy selects), we cannot tell: say nothing.
    // WorkloadEntries (VMs) are workloads of their namespace: a policy selecting only them matches.
    if ((ctx.model.workloadsByNamespace.get(ns) ?? []).length === 0 || !workloadsComplete(ctx, ns)) continue;
    for (const pa of pas) {
      const hits = selected(ctx, pa);
      const sel = Object.entries(pa.selector!)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      // Labelled istio.io/rev: only that revision's istiod reads it, so workloads of other revisions (each
      // with a proxy of its own istiod) do not count. A workload without a proxy is pa.no-proxy's.
      if (
        hits.length > 0 &&
        pa.revision !== undefined &&
        hits.every((w) => isMeshedWorkload(w) && !inRevision(pa.revision, w.revision))
      ) {
        out.push(
          finding("pa.selector-matches-nothing", {
            message: `PeerAuthentication ${nsName(pa)} is labelled istio.io/rev=${pa.revision} and selects ${sel}, which matches only workloads of other revisions (${listNames(hits.map(nsName))}), whose istiods do not read it: it enforces nothing.`,
            resources: [paRefOf(pa), ...hits.slice(0, 10).map(workloadRef)],
            fix: `Label it for the revision of the workloads it should cover (or remove its istio.io/rev label), or correct spec.selector.matchLabels.`,
          }),
        );
        continue;
      }
      if (hits.length > 0) continue;
      out.push(
        finding("pa.selector-matches-nothing", {
          message: `PeerAuthentication ${nsName(pa)} selects ${sel}, which matches no workload in namespace ${ns}: it enforces nothing.`,
          resources: [paRefOf(pa)],
          fix: `Correct spec.selector.matchLabels to the labels of the pods it should cover, or delete the policy.`,
        }),
      );
    }
  }
  return out;
});

/**
 * pa.root-selector-ignored over every istiod with workloads. Revisions may set different root
 * namespaces: a policy with a selector in one istiod's root namespace is an ordinary workload policy for
 * an istiod whose root is another. Then it is reported only where an istiod that ignores it has
 * workloads in its namespace, naming who ignores and who applies it; else not "ignored entirely".
 */
export const paRootSelectorIgnored = rule("pa.root-selector-ignored", (ctx) => {
  const views = everyIndex(ctx);
  // An ignoring istiod meets the policy only through a meshed workload of its own that the selector matches.
  const meets = (key: string, pa: PeerAuthentication) =>
    selected(ctx, pa).some((w) => isMeshedWorkload(w) && revisionKey(w) === key);
  const out: Finding[] = [];
  for (const [, pas] of onceEach(
    views.map((v) => v.idx),
    (idx) => [[idx.rootNamespace, idx.rootWithSelector]],
  ))
    for (const pa of pas) {
      const appliers = views
        .filter((v) => v.idx.workloadLevel.get(pa.namespace)?.includes(pa))
        .map((v) => v.key);
      if (appliers.length === 0) {
        out.push(
          finding("pa.root-selector-ignored", {
            message: `PeerAuthentication ${nsName(pa)} has a selector but lives in the root namespace ${pa.namespace}: Istio ignores it entirely.`,
            resources: [paRefOf(pa)],
            fix: `Move it to the namespace of the workloads it should select, or drop the selector to make it mesh-wide.`,
          }),
        );
        continue;
      }
      const ignorers = views
        .filter((v) => v.idx.rootWithSelector.includes(pa) && meets(v.key, pa))
        .map((v) => v.key);
      if (ignorers.length === 0) continue;
      const many = ignorers.length > 1;
      out.push(
        finding("pa.root-selector-ignored", {
          message: `PeerAuthentication ${nsName(pa)} has a selector but lives in ${pa.namespace}, the root namespace of ${istiodsOf(ctx, ignorers)}, which ${many ? "ignore" : "ignores"} it for ${many ? "their" : "its"} proxies there; ${istiodsOf(ctx, appliers)} ${appliers.length > 1 ? "apply" : "applies"} it as a workload policy.`,
          resources: [paRefOf(pa)],
          fix: `Move the workloads it should select, or the root namespace of ${istiodsOf(ctx, ignorers)} (meshConfig.rootNamespace), so that one istiod's root namespace is not another's application namespace.`,
        }),
      );
    }
  return out;
});

export const paPortLevelWithoutSelector = rule("pa.port-level-without-selector", (ctx) =>
  ctx.model.peerAuthentications
    .filter((pa) => !pa.selector && pa.portLevelMtls)
    .map((pa) =>
      finding("pa.port-level-without-selector", {
        message: `PeerAuthentication ${nsName(pa)} sets portLevelMtls (${[...pa.portLevelMtls!.keys()].join(", ")}) without a selector: Istio rejects this at admission, and where it exists anyway the port map is ignored.`,
        resources: [paRefOf(pa)],
        fix: `Move portLevelMtls into a PeerAuthentication with spec.selector.matchLabels for the workloads that need it.`,
      }),
    ),
);

export const paPortNotOnWorkload = rule("pa.port-not-on-workload", (ctx) => {
  const out: Finding[] = [];
  for (const w of ctx.model.workloads) {
    // A gateway's or waypoint's listeners are not governed by PeerAuthentication: saying a port key
    // "still applies" there would be false.
    if (w.gateway) continue;
    const pa = ctx.resolver.policyOf(w).workloadPolicy;
    if (!pa?.portLevelMtls) continue;
    const real = ctx.resolver.realPorts(w);
    for (const key of pa.portLevelMtls.keys()) {
      if (real.has(key)) continue;
      let meant: number | null = null;
      for (const s of ctx.model.servicesOfWorkload.get(w) ?? []) {
        const p = s.ports.find((sp) => sp.port === key);
        const target = p ? ctx.resolver.targetPortOf(s, p, w) : null;
        if (target !== null) meant = target;
      }
      if (meant !== null && meant !== key) {
        out.push(
          finding("pa.port-not-on-workload", {
            message: `PeerAuthentication ${nsName(pa)} sets portLevelMtls for port ${key} on ${nsName(w)}, but ${key} is a Service port that maps to target port ${meant}: keys are target ports, did you mean ${meant}?`,
            resources: [paRefOf(pa), workloadRef(w)],
            fix: `Change the portLevelMtls key ${key} to ${meant}.`,
          }),
        );
      } else if (w.containerPorts.length > 0) {
        out.push(
          finding("pa.port-not-on-workload", {
            severity: "info",
            message: `PeerAuthentication ${nsName(pa)} sets portLevelMtls for port ${key}, which ${nsName(w)} does not declare (declared: ${w.containerPorts.map((p) => p.port).join(", ")}); it still applies if the application listens there.`,
            resources: [paRefOf(pa), workloadRef(w)],
            fix:
              w.entry !== null
                ? `Check the port number; name it in the WorkloadEntry's spec.ports if the VM does listen on ${key}.`
                : `Check the port number; declare the container port if the application does listen on ${key}.`,
          }),
        );
      }
    }
  }
  return out;
});

const isEntry = (w: Workload) => w.entry !== null;

export const paNoProxy = rule("pa.no-proxy", (ctx) => {
  const out: Finding[] = [];
  const idx = defaultIndex(ctx);
  for (const pa of ctx.model.peerAuthentications) {
    // The mesh-wide policy is the mesh's default for every workload to come: Istio's install steps
    // create it before any application is injected, when it covers only istiod. Nothing to fix there.
    if (pa.namespace === idx.rootNamespace) continue;
    const covered: Workload[] = pa.selector
      ? selected(ctx, pa)
      : (ctx.model.workloadsByNamespace.get(pa.namespace) ?? []);
    // A WorkloadEntry without serviceAccount or tlsMode=istio only tells istiod to send it plaintext:
    // whether its VM runs a proxy that enforces the policy cannot be told, so say nothing.
    if (covered.length === 0 || covered.some(isEntry)) continue;
    if (!covered.some(hasIstioProxy)) {
      out.push(
        finding("pa.no-proxy", {
          message: `PeerAuthentication ${nsName(pa)} covers only workloads without an Istio proxy (${listNames(covered.map(nsName))}): it enforces nothing.`,
          resources: [paRefOf(pa), ...covered.slice(0, 10).map(workloadRef)],
          fix: `Inject the sidecar (label the namespace istio-injection=enabled and restart) or enrol the namespace in ambient; otherwise delete the policy.`,
        }),
      );
    } else if (pa.selector && covered.every(reachedByNoPolicy) && covered.some((w) => w.gateway))
      out.push(gatewayOnlyFinding(pa, covered));
  }
  return out;
});

/**
 * A proxy PeerAuthentication does not configure: a gateway's or waypoint's listeners take their TLS
 * from the Gateway resource, or HBONE (istio.md §1.5: the authn mTLS builder is called from
 * listener_inbound.go only), and a workload without a proxy enforces nothing.
 */
const reachedByNoPolicy = (w: Workload) => w.gateway || !hasIstioProxy(w);

/**
 * A workload policy whose selector picks only gateways or waypoints (deviation from findings.md's
 * "without a proxy": these have one, but it is one PeerAuthentication does not reach). Namespace-wide
 * policies over a gateway-only namespace stay silent: they are a common, harmless default.
 */
function gatewayOnlyFinding(pa: PeerAuthentication, covered: Workload[]): Finding {
  return finding("pa.no-proxy", {
    message: `PeerAuthentication ${nsName(pa)} selects only gateways or waypoints (${listNames(covered.map(nsName))}), whose listeners PeerAuthentication does not configure: it enforces nothing.`,
    resources: [paRefOf(pa), ...covered.slice(0, 10).map(workloadRef)],
    fix: `Set a gateway's inbound TLS on its Gateway resource (servers[].tls.mode, e.g. ISTIO_MUTUAL or MUTUAL); a waypoint always takes HBONE mTLS. Delete the policy.`,
  });
}

export const paDisable = rule("pa.disable", (ctx) => {
  const affected = new Map<PeerAuthentication, string[]>();
  const add = (pa: PeerAuthentication, what: string) => {
    const list = affected.get(pa) ?? [];
    list.push(what);
    affected.set(pa, list);
  };
  for (const w of ctx.model.workloads) {
    if (w.dataplane !== "sidecar" || w.gateway) continue;
    const p = ctx.resolver.policyOf(w);
    if (p.base.mode === "DISABLE" && p.base.policy) add(p.base.policy, nsName(w));
    const real = ctx.resolver.realPorts(w);
    for (const [port, d] of p.perPort)
      if (d.mode === "DISABLE" && d.policy && d.origin === "workload-port" && real.has(port))
        add(d.policy, `${nsName(w)} port ${port}`);
  }
  // A namespace DISABLE that no workload inherits (each has a policy of its own) still decides: auto
  // mTLS makes sidecar clients send plaintext to the namespace's services (istio.md §3.2).
  const onlyNamespace = new Set<PeerAuthentication>();
  for (const ns of ctx.model.namespaces.values()) {
    if (ns.labels["istio.io/dataplane-mode"] === "ambient") continue; // pa.ambient-disable-ignored
    const workloads = ctx.model.workloadsByNamespace.get(ns.name) ?? [];
    if (workloads.length > 0 && !workloads.some((w) => w.dataplane === "sidecar")) continue; // pa.no-proxy
    const d = namespaceDecision(
      ctx.resolver.paIndex({
        revision: resolveRevision(ctx.model.revisions, ns.labels["istio.io/rev"]),
        dataplane: "sidecar",
      }),
      ns.name,
    );
    if (d.mode !== "DISABLE" || d.origin !== "namespace" || !d.policy || affected.has(d.policy)) continue;
    onlyNamespace.add(d.policy);
    add(d.policy, `namespace ${ns.name}`);
  }
  return [...affected].map(([pa, what]) =>
    finding("pa.disable", {
      message: onlyNamespace.has(pa)
        ? `PeerAuthentication ${nsName(pa)} disables mTLS for ${what[0]}: auto mTLS makes sidecar clients send plaintext to its services, and a workload there without a policy of its own accepts plaintext, unauthenticated traffic.`
        : `PeerAuthentication ${nsName(pa)} disables mTLS for ${listNames(what)}: their inbound traffic is plaintext and unauthenticated.`,
      resources: [paRefOf(pa)],
      fix: `Set mtls.mode to STRICT (or PERMISSIVE while clients migrate); if a port must stay plaintext, limit DISABLE to that port with portLevelMtls on a workload policy.`,
    }),
  );
});

export const paAmbientDisableIgnored = rule("pa.ambient-disable-ignored", (ctx) => {
  // ztunnel has no DISABLE: istiod's conversion counts it as "not STRICT", i.e. PERMISSIVE (ambient/
  // authorization.go; istio.md §9.10 says "ignored", after the docs). Port maps count only on a
  // workload policy: elsewhere every data plane drops them (pa.port-level-without-selector).
  const affected = new Map<PeerAuthentication, { workloads: string[]; ports: Map<number, Set<string>> }>();
  for (const w of ctx.model.workloads) {
    if (w.dataplane !== "ambient") continue;
    const p = ctx.resolver.policyOf(w);
    for (const pa of [p.meshPolicy, p.namespacePolicy, p.workloadPolicy]) {
      if (!pa) continue;
      const ports =
        pa === p.workloadPolicy
          ? [...(pa.portLevelMtls ?? [])].filter(([, m]) => m === "DISABLE").map(([port]) => port)
          : [];
      if (pa.mode !== "DISABLE" && ports.length === 0) continue;
      let a = affected.get(pa);
      if (!a) affected.set(pa, (a = { workloads: [], ports: new Map() }));
      a.workloads.push(nsName(w));
      for (const port of ports) {
        let modes = a.ports.get(port);
        if (!modes) a.ports.set(port, (modes = new Set()));
        modes.add(modeForPort(p, port).mode);
      }
    }
  }
  return [...affected].map(([pa, { workloads: ws, ports }]) => {
    const what =
      pa.mode === "DISABLE"
        ? "sets DISABLE"
        : `sets DISABLE for port${ports.size > 1 ? "s" : ""} ${[...ports.keys()].join(", ")}`;
    const portModes = [...ports].map(([port, modes]) => `port ${port} is ${[...modes].sort().join(" or ")}`);
    const effect =
      pa.mode === "DISABLE"
        ? "counts it as PERMISSIVE (plaintext and mTLS are both accepted; nothing is switched off)"
        : `counts such entries as PERMISSIVE where istiod's conversion keeps them (${portModes.join("; ")})`;
    return finding("pa.ambient-disable-ignored", {
      message: `PeerAuthentication ${nsName(pa)} ${what}, but ${listNames(ws)} ${ws.length > 1 ? "are" : "is"} in ambient mode, where ztunnel has no DISABLE and ${effect}.`,
      resources: [paRefOf(pa)],
      fix: `Use PERMISSIVE instead of DISABLE for ambient workloads (that is what ztunnel does); to take a workload out of the mesh, label its pods istio.io/dataplane-mode=none.`,
    });
  });
});

interface InboundEvidence {
  /** Clients telemetry saw sending plaintext to the workload. */
  plaintextClients: Set<string>;
  /** Some edge into the workload is predicted plaintext. */
  plaintextPredicted: boolean;
}

type ByDestination = Map<
  EdgeAnalysis["edge"]["destination"],
  { service: Service; evidence: InboundEvidence }
>;

function foldInbound(byDestination: ByDestination, ea: EdgeAnalysis): void {
  const observedPlain = !!ea.edge.observed && ea.edge.observed.plaintext > 0;
  const predictedPlain = ea.edge.predicted.verdict === "plaintext";
  if (!observedPlain && !predictedPlain) return;
  let d = byDestination.get(ea.edge.destination);
  if (!d)
    byDestination.set(
      ea.edge.destination,
      (d = { service: ea.service, evidence: { plaintextClients: new Set(), plaintextPredicted: false } }),
    );
  if (observedPlain)
    d.evidence.plaintextClients.add(
      ea.edge.source.workload
        ? `${ea.edge.source.namespace}/${ea.edge.source.workload}`
        : "callers outside the mesh",
    );
  if (predictedPlain) d.evidence.plaintextPredicted = true;
}

/**
 * One pass over the edges: what each destination workload receives (pa.permissive reads it per
 * namespace). Edges are first folded per destination object (one per service port, shared by its
 * edges), so the per-workload map is touched once per destination rather than once per edge.
 */
function inboundByWorkload(ctx: AnalysisContext): Map<Workload, InboundEvidence> {
  const byDestination: ByDestination = new Map();
  // Per edge in a function of its own, so it is optimised early in the first analysis (round 8).
  for (let i = 0; i < ctx.edges.length; i++) foldInbound(byDestination, ctx.edges[i]!);
  // Keyed by the workload objects behind each service (no "ns/name" string per workload).
  const out = new Map<Workload, InboundEvidence>();
  for (const { service, evidence: d } of byDestination.values())
    for (const w of ctx.model.endpointsOf.get(service) ?? []) {
      let e = out.get(w);
      if (!e) out.set(w, (e = { plaintextClients: new Set(), plaintextPredicted: false }));
      for (const c of d.plaintextClients) e.plaintextClients.add(c);
      if (d.plaintextPredicted) e.plaintextPredicted = true;
    }
  return out;
}

/** One pa.permissive finding for `ws` under `subject`, with what their inbound traffic says. */
function permissiveFinding(
  inbound: Map<Workload, InboundEvidence>,
  ns: string,
  subject: string,
  resources: Ref[],
  ws: Workload[],
  own: boolean,
  why: IgnoredPolicy | null = null,
  revisions: Revisions = NO_REVISIONS,
): Finding {
  const ignored = why?.pa ?? null;
  const clientSet = new Set<string>();
  let plaintextPredicted = false;
  for (const w of ws) {
    const e = inbound.get(w);
    if (!e) continue;
    for (const c of e.plaintextClients) clientSet.add(c);
    plaintextPredicted ||= e.plaintextPredicted;
  }
  const clients = [...clientSet].sort();
  const ready = clients.length === 0 && !plaintextPredicted;
  return finding("pa.permissive", {
    severity: clients.length > 0 ? "warning" : "info",
    message:
      clients.length > 0
        ? `${subject} accepts plaintext, and plaintext traffic from ${listNames(clients)} was observed: those clients would break under STRICT.`
        : `${subject} accepts plaintext; ${ready ? "no plaintext traffic is observed or predicted to it, so it looks ready for STRICT" : "some of its clients are predicted to send plaintext, so it is not ready for STRICT yet"}.`,
    resources,
    fix:
      clients.length > 0
        ? `Give ${listNames(clients)} a proxy (or make them send mTLS), then set mtls.mode STRICT.`
        : ignored?.mode === "STRICT" && labelNamesTag(revisions, ignored.revision)
          ? `${capitalised(tagLabelFix(revisions, ignored))}, so that istiod applies the STRICT ${nsName(ignored)}${ignored.namespace === ns ? "" : `, or set mtls.mode STRICT in a PeerAuthentication for namespace ${ns}`}.`
          : ignored && ignored.namespace === ns && labelNamesTag(revisions, ignored.revision)
            ? `${capitalised(tagLabelFix(revisions, ignored))}, so that istiod applies it, and set its mtls.mode STRICT.`
            : ignored?.mode === "STRICT" && why?.why === "root-only"
              ? `Remove spec.selector from ${nsName(ignored)}, so that istiod gives ztunnel the STRICT ${nsName(ignored)} as mesh-wide, or set mtls.mode STRICT in a PeerAuthentication for namespace ${ns}.`
              : ignored?.mode === "STRICT"
                ? `Make the mesh config's discoverySelectors select ${ignored.namespace}, so that istiod applies the STRICT ${nsName(ignored)}, or set mtls.mode STRICT in a PeerAuthentication for namespace ${ns}.`
                : `Set mtls.mode STRICT in a PeerAuthentication for ${own ? "this workload" : `namespace ${ns}`}.`,
  });
}

const isMeshedWorkload = (w: Workload) => hasIstioProxy(w) && !w.gateway;

/**
 * One namespace's pa.permissive findings. Called per namespace rather than looping inside the rule,
 * which runs once per analysis: its loop ran in the interpreter for the whole first analysis
 * (docs/DECISIONS.md, round 8).
 */
function permissiveInNamespace(
  ctx: AnalysisContext,
  inbound: Map<Workload, InboundEvidence>,
  ns: string,
  workloads: Workload[],
  out: Finding[],
): void {
  const meshed = workloads.filter(isMeshedWorkload);
  if (meshed.length === 0) return;
  // The namespace's mode is each istiod's own (its PeerAuthentications, root namespace and view). One
  // namespace finding, unless the revisions its meshed workloads are on (mid-migration) decide it
  // differently: then one per decision, naming the revisions whose view it is.
  // Sidecars and ztunnel read a root `selector: {}` policy differently: a data plane splits it too.
  const first = decisionKey(meshed[0]!);
  if (meshed.every((w) => decisionKey(w) === first))
    emitNamespaceLevel(
      ctx,
      inbound,
      ns,
      { revisions: null, workloads: meshed, view: namespaceView(ctx, ns, meshed) },
      out,
    );
  else for (const g of groupByDecision(ctx, ns, meshed)) emitNamespaceLevel(ctx, inbound, ns, g, out);
  // A workload whose own policy sets PERMISSIVE is reported under that policy, whatever the namespace
  // says: it is a separate object to change, which a STRICT namespace policy would not reach (the
  // namespace finding above covers only the workloads that inherit).
  for (const w of meshed) {
    const p = ctx.resolver.policyOf(w);
    if (p.base.origin === "workload" && p.base.mode === "PERMISSIVE")
      out.push(
        permissiveFinding(
          inbound,
          ns,
          `Workload ${nsName(w)} (PeerAuthentication ${nsName(p.base.policy!)})`,
          [paRefOf(p.base.policy!), workloadRef(w)],
          [w],
          true,
        ),
      );
  }
}

/** A workload's istiod revision as istiod names it: "" is the default istiod, whose REVISION is "default" (mesh.ts inRevision). */
const revisionKey = (w: Workload) => istiodRevision(w.revision);

/** Workloads whose namespace view is one: same istiod revision, same data plane (namespaceView's index). */
/** An ambient workload outside the root namespace its revision's ztunnel view reads (where a root `selector: {}` policy does not reach). */
const outsideAmbientRoot = (ctx: AnalysisContext, w: Workload) =>
  w.namespace !== ctx.resolver.paIndex({ revision: w.revision, dataplane: "ambient" }).rootNamespace;
const decisionKey = (w: Workload) => `${revisionKey(w)}\u0000${w.dataplane === "ambient" ? "a" : "s"}`;

/**
 * A namespace's mode as one istiod reads it, and the policy that istiod ignores: when it falls to
 * Istio's default, the namespace's own tag-labelled one (`namespaceWide`), else the mesh-wide one; when
 * the mesh-wide policy decides, the namespace's own tag-labelled one (which would decide if read).
 */
interface NamespaceView {
  decision: ModeDecision;
  ignored: IgnoredPolicy | null;
}

/**
 * Workloads of a namespace whose istiods decide its mode alike; `revisions`: those istiods', or null when
 * the namespace has one. `plane`: the data plane of all of them when the namespace splits by data plane
 * (a revision's sidecars and its ztunnel decide differently), else null.
 */
interface DecisionGroup {
  revisions: string[] | null;
  workloads: Workload[];
  view: NamespaceView;
  plane?: "ambient" | "sidecar" | null;
}

/** The namespace's view from the istiod of `meshed`, workloads of one revision. */
function namespaceView(ctx: AnalysisContext, ns: string, meshed: Workload[]): NamespaceView {
  const revision = meshed[0]!.revision;
  const ambient = meshed.every((w) => w.dataplane === "ambient");
  const idx = ctx.resolver.paIndex({ revision, dataplane: ambient ? "ambient" : "sidecar" });
  const decision = namespaceDecision(idx, ns);
  // Istio's default, or the mesh-wide policy, because the istiod ignores the namespace's own
  // tag-labelled policy (the one that would decide if read): named, with the relabel fix. Else, at
  // Istio's default, the root namespace's it ignores (discovery.ts, or a tag label), not "no PeerAuthentication".
  return {
    decision,
    ignored: decision.mode === "PERMISSIVE" ? ignoredPolicyFor(ctx.model, decision, ns, idx, revision) : null,
  };
}

const sameView = (a: NamespaceView, b: NamespaceView) =>
  a.decision.mode === b.decision.mode &&
  a.decision.policy === b.decision.policy &&
  a.decision.origin === b.decision.origin &&
  a.ignored?.pa === b.ignored?.pa;

/**
 * A namespace with workloads on several revisions: its workloads grouped by the decision their istiod
 * makes (mode, policy, origin, ignored mesh policy), revisions in first-seen order. On an ordinary canary
 * upgrade every istiod reads the same (unlabelled or no) policies, so this is one group, reported as if
 * the namespace had one revision; only labelled policies or different views split it.
 */
function groupByDecision(ctx: AnalysisContext, ns: string, meshed: Workload[]): DecisionGroup[] {
  const byKey = new Map<string, Workload[]>();
  for (const w of meshed) {
    const list = byKey.get(decisionKey(w));
    if (list) list.push(w);
    else byKey.set(decisionKey(w), [w]);
  }
  const groups: DecisionGroup[] = [];
  for (const ws of byKey.values()) {
    const rev = revisionKey(ws[0]!);
    const view = namespaceView(ctx, ns, ws);
    const same = groups.find((g) => sameView(g.view, view));
    if (same) {
      if (!same.revisions!.includes(rev)) same.revisions!.push(rev);
      same.workloads.push(...ws);
    } else groups.push({ revisions: [rev], workloads: ws, view });
  }
  if (groups.length === 1) {
    groups[0]!.revisions = null;
    return groups;
  }
  // A revision in two groups: its data planes decide differently, so a group of one data plane names it;
  // revisions are named only when the namespace has several.
  const split = (rev: string) => groups.filter((g) => g.revisions!.includes(rev)).length > 1;
  const severalRevisions = new Set(meshed.map(revisionKey)).size > 1;
  for (const g of groups) {
    const ambient = g.workloads.map((w) => w.dataplane === "ambient");
    if (g.revisions!.every(split))
      g.plane = ambient.every((a) => a) ? "ambient" : ambient.every((a) => !a) ? "sidecar" : null;
  }
  if (!severalRevisions) for (const g of groups) g.revisions = null;
  return groups;
}

/**
 * The namespace-level pa.permissive finding for a group: the namespace's mode as its istiod(s) read it,
 * and the workloads that inherit PERMISSIVE from it. A group with `revisions` is one of several
 * decisions in the namespace, so the subject says whose view it is.
 */
function emitNamespaceLevel(
  ctx: AnalysisContext,
  inbound: Map<Workload, InboundEvidence>,
  ns: string,
  g: DecisionGroup,
  out: Finding[],
): void {
  const { decision: nsMode } = g.view;
  const ignored = g.view.ignored?.pa ?? null;
  if (nsMode.mode !== "PERMISSIVE") return;
  const inherit = g.workloads.filter((w) => {
    const p = ctx.resolver.policyOf(w);
    return p.base.origin !== "workload" && p.base.mode === "PERMISSIVE";
  });
  if (inherit.length === 0) return;
  const plane = g.plane ? `${g.plane} ` : "";
  const who = g.revisions
    ? `Namespace ${ns}, for its ${plane}workloads on revision${g.revisions.length > 1 ? "s" : ""} ${listNames(g.revisions)}`
    : g.plane
      ? `Namespace ${ns}, for its ${plane}workloads`
      : `Namespace ${ns}`;
  const clause = g.view.ignored ? ignoredPolicyClause(ctx.model.revisions, g.view.ignored) : "";
  const subject = nsMode.policy
    ? `${who} (PeerAuthentication ${nsName(nsMode.policy)}, ${nsMode.origin}${ignored ? `; ${clause}` : ""})`
    : ignored
      ? `${who} (Istio's default: ${clause})`
      : `${who} (no PeerAuthentication: Istio's default)`;
  const resources = nsMode.policy
    ? [paRefOf(nsMode.policy), ...(ignored ? [paRefOf(ignored)] : [])]
    : ignored
      ? [namespaceRef(ns), paRefOf(ignored)]
      : [namespaceRef(ns)];
  out.push(
    permissiveFinding(inbound, ns, subject, resources, inherit, false, g.view.ignored, ctx.model.revisions),
  );
}

export const paPermissive = rule("pa.permissive", (ctx) => {
  const out: Finding[] = [];
  const inbound = inboundByWorkload(ctx);
  for (const [ns, workloads] of ctx.model.workloadsByNamespace)
    permissiveInNamespace(ctx, inbound, ns, workloads, out);
  return out;
});

/**
 * The mesh-wide policy as one istiod revision reads it (its PeerAuthentications, root namespace and
 * view): STRICT, another mode, one it ignores (its discoverySelectors hide the root namespace), one no
 * istiod reads (labelled with a tag pointing to this revision), one it does not read (labelled for
 * another revision, or with a tag pointing to another), or none.
 */
interface MeshView {
  kind: "strict" | "mode" | "ignored" | "tagged" | "unread" | "rootOnly" | "none";
  pa: PeerAuthentication | null;
  root: string;
}

function meshViewOf(
  ctx: AnalysisContext,
  revision: string,
  ambient: boolean,
  outsideRoot: boolean,
): MeshView {
  // Ambient workloads: the policies istiod hands ztunnel, where a root `selector: {}` policy is not
  // mesh-wide (buildPaIndex's rootNamespaceOnly: ambient/workloads.go `fetchPeerAuthentications` takes a
  // root policy for other namespaces only when its selector is nil).
  const idx = ctx.resolver.paIndex({ revision, dataplane: ambient ? "ambient" : "sidecar" });
  const root = idx.rootNamespace;
  // Ambient workloads all in the root namespace take the oldest of both kinds there (meshPolicyOf), as
  // sidecars do: judged by that one, not by the nil-selector list ztunnel uses elsewhere.
  const meshPa =
    ambient && !outsideRoot ? ctx.resolver.paIndex({ revision, dataplane: "sidecar" }).mesh[0] : idx.mesh[0];
  if (meshPa) return { kind: meshPa.mode === "STRICT" ? "strict" : "mode", pa: meshPa, root };
  // Its selector is the reason only for a STRICT one, and only for ambient workloads outside the root
  // namespace (`outsideRoot`); the root's own take it as their mesh policy (meshPolicyOf). Another mode
  // is judged by its mode, as sidecars judge it, so that both data planes share one finding.
  const rootOnly = idx.rootNamespaceOnly[0];
  if (rootOnly)
    return {
      kind: rootOnly.mode === "STRICT" ? (outsideRoot ? "rootOnly" : "strict") : "mode",
      pa: rootOnly,
      root,
    };
  // The root namespace's policy exists but this istiod ignores it (discovery.ts), or it is labelled with
  // a tag pointing to this revision (no istiod reads it): say so, not that there is none.
  const ignored = ignoredMeshPolicy(ctx.model, revision, ambient);
  if (ignored)
    return {
      kind: labelNamesTag(ctx.model.revisions, ignored.revision) ? "tagged" : "ignored",
      pa: ignored,
      root,
    };
  // One there for another revision: named, but its fix is not a relabel to that revision.
  const unread = unreadMeshPolicy(ctx.model, root, revision, ambient);
  return unread ? { kind: "unread", pa: unread, root } : { kind: "none", pa: null, root };
}

/**
 * The revisions whose istiods decide the mesh-wide policy alike (istiodRevision names) and their view.
 * `plane`: the data plane of all its workloads when each of its revisions also has workloads of the other
 * data plane in another group (sidecars and ztunnel read a root `selector: {}` policy differently), else null.
 */
interface MeshGroup {
  revisions: string[];
  view: MeshView;
  plane: "ambient" | "sidecar" | null;
  /** Some of its ambient workloads are outside the root namespace: ztunnel there skips a `selector: {}` root policy. */
  ztunnelElsewhere: boolean;
  /** The data plane of all its workloads, whether or not its revisions are split (null: both). */
  only: "ambient" | "sidecar" | null;
  /** Some of its revisions are in another group too (their data planes decide differently). */
  split: boolean;
}

/**
 * The istiod revisions that have meshed workloads (first seen in the workloads' order), grouped by the
 * mesh-wide policy each reads; the default revision alone when no workload has a proxy.
 */
function meshGroups(ctx: AnalysisContext): MeshGroup[] {
  // Per (revision, data plane), first seen in the workloads' order.
  // `outsideRoot`: some of its (ambient) workloads are outside the root namespace it reads.
  const byKey = new Map<string, { key: string; rev: string; ambient: boolean; outsideRoot: boolean }>();
  for (const w of ctx.model.workloads) {
    if (!isMeshedWorkload(w)) continue;
    const ambient = w.dataplane === "ambient";
    const k = decisionKey(w);
    let e = byKey.get(k);
    if (!e) byKey.set(k, (e = { key: revisionKey(w), rev: w.revision, ambient, outsideRoot: false }));
    if (ambient && !e.outsideRoot) e.outsideRoot = outsideAmbientRoot(ctx, w);
  }
  if (byKey.size === 0) {
    const rev = ctx.model.revisions.defaultRevision ?? "";
    byKey.set("", { key: istiodRevision(rev), rev, ambient: false, outsideRoot: false });
  }
  const groups: (MeshGroup & { ambient: boolean[] })[] = [];
  for (const { key, rev, ambient, outsideRoot } of byKey.values()) {
    const view = meshViewOf(ctx, rev, ambient, outsideRoot);
    const same = groups.find(
      (g) => g.view.kind === view.kind && g.view.pa === view.pa && g.view.root === view.root,
    );
    if (!same)
      groups.push({
        revisions: [key],
        view,
        plane: null,
        ambient: [ambient],
        ztunnelElsewhere: outsideRoot,
        only: null,
        split: false,
      });
    else if (((same.ztunnelElsewhere ||= outsideRoot), !same.revisions.includes(key))) {
      same.revisions.push(key);
      same.ambient.push(ambient);
    }
    // Both data planes of a revision in one group: it is not split, so its plane is never named.
  }
  // A revision in two groups: its sidecars and its ztunnel read the root namespace differently.
  const split = (key: string) => groups.filter((g) => g.revisions.includes(key)).length > 1;
  const onlyOf = (ambient: boolean[]) =>
    ambient.every((a) => a) ? "ambient" : ambient.every((a) => !a) ? "sidecar" : null;
  for (const g of groups) if (g.revisions.every(split)) g.plane = onlyOf(g.ambient);
  return groups.map(({ revisions, view, plane, ztunnelElsewhere, ambient }) => ({
    revisions,
    view,
    plane,
    ztunnelElsewhere,
    only: onlyOf(ambient),
    split: revisions.some(split),
  }));
}

/** "the default istiod", "the istiod of revision canary", "the istiods of revisions a and b". */
function istiodsOf(ctx: AnalysisContext, revisions: string[]): string {
  if (revisions.length > 1) return `the istiods of revisions ${listNames(revisions)}`;
  return revisions[0] === istiodRevision(ctx.model.revisions.defaultRevision ?? "")
    ? "the default istiod"
    : `the istiod of revision ${revisions[0]}`;
}

/**
 * mesh.no-strict for the istiods that have workloads. Each reads its own mesh-wide policy (crdclient
 * `inRevision`, its mesh config's rootNamespace, its discoverySelectors): silent when every one reads a
 * STRICT one; when they agree, one finding worded as for a single istiod; when they differ, one per
 * decision that is not STRICT, naming its revisions and those that read a STRICT one.
 */
export const meshNoStrict = rule("mesh.no-strict", (ctx) => {
  if (!ctx.model.hasIstio) return [];
  const groups = meshGroups(ctx);
  if (groups.length === 1)
    return groups[0]!.view.kind === "strict" ? [] : [meshFinding(ctx, groups[0]!, ALONE)];
  const strictGroups = groups.filter((g) => g.view.kind === "strict");
  const strict = strictGroups.flatMap((g) => g.revisions);
  // Their data plane is named when one of their revisions decides otherwise for the other data plane
  // (so "reads a STRICT one" would contradict the lead), whatever their number: all of one data plane.
  const strictOnly = strictGroups[0]?.only ?? null;
  const strictPlane =
    strictGroups.some((g) => g.split) && strictGroups.every((g) => g.only === strictOnly) ? strictOnly : null;
  const tail =
    strict.length === 0
      ? ""
      : ` ${capitalised(istiodsOf(ctx, strict))} read${strict.length > 1 ? "" : "s"} a STRICT one${strictPlane ? ` for ${strictPlane} workloads` : ""}.`;
  const out: Finding[] = [];
  for (const g of groups) {
    if (g.view.kind === "strict") continue;
    const w: Wording = {
      lead: `For the ${g.plane ? `${g.plane} ` : ""}workloads on revision${g.revisions.length > 1 ? "s" : ""} ${listNames(g.revisions)}, `,
      tail,
    };
    out.push(g.view.kind === "none" ? unreadMeshFinding(ctx, g, w) : meshFinding(ctx, g, w));
  }
  return out;
});

/**
 * How a mesh.no-strict message opens and ends: alone (one decision for every istiod), or after a lead
 * naming the group's revisions ("For the workloads on revision canary, ") and before a tail naming
 * those that read a STRICT policy. Each message builder writes its own sentence around them.
 */
interface Wording {
  lead: string;
  tail: string;
}
const ALONE: Wording = { lead: "", tail: "" };
/** A message's opening: `capital` when it starts the sentence, else the lead and `lower`. */
const opening = (w: Wording, capital: string, lower: string): string =>
  w.lead === "" ? capital : `${w.lead}${lower}`;

/**
 * The finding for one group's view that is not STRICT, worded as for a single istiod, within `w` (the
 * group's revisions named first when istiods differ). A policy read is edited, not applied again under the name
 * `default` (which may be another policy's, and would then compete with it only by age, pa.conflict);
 * one named default is applied only where there is none, and not when that name is taken.
 */
function meshFinding(ctx: AnalysisContext, g: MeshGroup, w: Wording): Finding {
  const { kind, pa, root } = g.view;
  if (kind === "ignored")
    return ignoredMeshPolicyFinding(pa!, root, istiodsOf(ctx, g.revisions), g.revisions.length > 1, w);
  if (kind === "tagged") return taggedMeshPolicyFinding(ctx.model.revisions, pa!, w);
  if (kind === "unread") return unreadMeshFinding(ctx, g, w);
  if (kind === "rootOnly") return rootOnlyFinding(pa!, w);
  if (pa)
    return finding("mesh.no-strict", {
      message: `${opening(w, "The", "the")} mesh-wide PeerAuthentication ${nsName(pa)} is ${pa.mode}, not STRICT: workloads without their own STRICT policy accept plaintext.${w.tail}`,
      resources: [paRefOf(pa)],
      fix: `Once every client has a proxy, set ${nsName(pa)}'s mtls.mode to STRICT${pa.emptySelector && g.ztunnelElsewhere ? `, and remove its spec.selector (selector: {}): istiod gives ztunnel a root-namespace policy as mesh-wide only without a selector` : ""}.`,
    });
  const taken = ctx.model.peerAuthentications.find((p) => p.namespace === root && p.name === "default");
  return finding("mesh.no-strict", {
    message: `${opening(w, "There", "there")} is no mesh-wide PeerAuthentication in the root namespace ${root}: workloads without their own policy accept plaintext (PERMISSIVE).${w.tail}`,
    resources: [namespaceRef(root)],
    fix: taken
      ? `Once every client has a proxy, apply a PeerAuthentication without a selector in ${root} with mtls.mode STRICT, under another name than default (${nsName(taken)} has a selector: not mesh-wide).`
      : `Once every client has a proxy, apply a PeerAuthentication named default in ${root} with mtls.mode STRICT.`,
  });
}

/**
 * A group whose istiod reads no mesh-wide policy while another may read one (labelled for its revision),
 * or while the root namespace holds one this istiod does not read (`pa`, labelled for another revision
 * or with a tag pointing to another): named with its label. The fix is a STRICT policy this istiod
 * reads, under another name than `pa`'s (applying one named like it overwrites it, and with it the
 * other istiod's policy), or `pa` with its label removed; never a relabel to another revision.
 * After a lead naming the group's revisions (`w`), the subject is "their istiod".
 */
function unreadMeshFinding(ctx: AnalysisContext, g: MeshGroup, w: Wording): Finding {
  const { pa, root } = g.view;
  const many = g.revisions.length > 1;
  const istiods = istiodsOf(ctx, g.revisions);
  const subject = opening(
    w,
    `${capitalised(istiods)} ${many ? "read" : "reads"}`,
    many ? "their istiods read" : "their istiod reads",
  );
  const labels = g.revisions.map((r) => `istio.io/rev=${r}`);
  const apply = `apply ${pa ? "another" : "a"} STRICT mesh-wide PeerAuthentication in ${root}${pa ? ` (not named ${pa.name})` : ""} that ${istiods} ${many ? "read" : "reads"} (without an istio.io/rev label, or labelled ${labels.length > 1 ? `with each of ${listNames(labels)}` : labels[0]})`;
  const relabel = pa
    ? `remove ${nsName(pa)}'s istio.io/rev label, so that every istiod reads it${pa.mode === "STRICT" ? "" : ", and set its mtls.mode to STRICT"}, or `
    : "";
  return finding("mesh.no-strict", {
    message: `${subject} no mesh-wide PeerAuthentication in the root namespace ${root}: ${pa ? `${unreadClause(ctx.model.revisions, pa)}. Workloads` : "workloads"} without their own policy accept plaintext (PERMISSIVE).${w.tail}`,
    resources: pa ? [paRefOf(pa), namespaceRef(root)] : [namespaceRef(root)],
    fix: `Once every client has a proxy, ${relabel}${apply}.`,
  });
}

/**
 * mesh.no-strict for ambient workloads when the root namespace's STRICT policy read has `selector: {}`
 * (meshViewOf names only a STRICT one so; any other mode is judged by its mode):
 * sidecars take it as mesh-wide (an empty matchLabels counts as none), but istiod hands ztunnel a root
 * policy for other namespaces only when its selector is nil (ambient/workloads.go
 * `fetchPeerAuthentications`), so it reaches only the root namespace's own workloads. The fix is the
 * selector field, not the mode.
 */
function rootOnlyFinding(pa: PeerAuthentication, w: Wording): Finding {
  return finding("mesh.no-strict", {
    message: `${opening(w, "The", "the")} root-namespace PeerAuthentication ${nsName(pa)} is STRICT but has an empty selector (selector: {}): istiod gives ztunnel a root-namespace policy as mesh-wide only when it has no selector at all, so it covers only ${pa.namespace}'s own workloads, and ambient workloads elsewhere without their own policy accept plaintext (PERMISSIVE).${w.tail}`,
    resources: [paRefOf(pa), namespaceRef(pa.namespace)],
    fix: `Remove spec.selector from ${nsName(pa)} (without one it is mesh-wide for sidecars and ztunnel alike).`,
  });
}

/** Why an istiod does not read a root policy labelled istio.io/rev (unreadMeshPolicy): another revision's, or a tag's (no istiod's). */
function unreadClause(r: Revisions, pa: PeerAuthentication): string {
  const label = `${nsName(pa)} is labelled istio.io/rev=${pa.revision ?? ""}`;
  return labelNamesTag(r, pa.revision)
    ? `${label}, a revision tag, which no istiod reads (istio/istio#51582)`
    : `${label}, for another revision`;
}

/**
 * mesh.no-strict when the root namespace's mesh-wide policy is labelled istio.io/rev=<tag>: istiod's
 * config store compares the raw label with its REVISION (crdclient `inRevision` → `LabelsInRevision`),
 * so no istiod reads it (istio/istio#51582) and the mesh runs on Istio's default, PERMISSIVE. Applying
 * it again with the same label changes nothing, so the fix is the label.
 */
function taggedMeshPolicyFinding(r: Revisions, pa: PeerAuthentication, w: Wording): Finding {
  return finding("mesh.no-strict", {
    message: `${opening(w, "The", "the")} mesh-wide PeerAuthentication ${nsName(pa)} is ${pa.mode}, but no istiod reads it: its istio.io/rev label names the revision tag ${pa.revision}, not a revision, and istiod compares the raw label with its own revision (istio/istio#51582). Workloads without their own policy accept plaintext (PERMISSIVE).${w.tail}`,
    resources: [paRefOf(pa), namespaceRef(pa.namespace)],
    fix: `${capitalised(tagLabelFix(r, pa))}, so that istiod applies it${pa.mode === "STRICT" ? "" : "; then set its mtls.mode to STRICT once every client has a proxy"}.`,
  });
}

/**
 * mesh.no-strict when the root namespace's mesh-wide policy is there but an istiod's (`istiods`: the
 * default one, or those of the revisions named) discoverySelectors leave the root namespace out: since Istio 1.22 its config store drops Istio objects
 * there (crdclient's namespace filter; docs/DECISIONS.md, "Discovery selectors"), so the mesh runs on
 * Istio's default, PERMISSIVE.
 */
function ignoredMeshPolicyFinding(
  pa: PeerAuthentication,
  root: string,
  istiods: string,
  many: boolean,
  w: Wording,
): Finding {
  return finding("mesh.no-strict", {
    message: `${opening(w, "The", "the")} mesh-wide PeerAuthentication ${nsName(pa)} is ${pa.mode}, but ${istiods} ${many ? "ignore" : "ignores"} it: ${many ? "their mesh configs'" : "its mesh config's"} discoverySelectors do not select the root namespace ${root}, and Istio 1.22+ drops Istio config there too. Workloads without their own policy accept plaintext (PERMISSIVE).${w.tail}`,
    resources: [paRefOf(pa), namespaceRef(root)],
    fix: `Make the discoverySelectors select ${root} (label it to match one, or add a selector with matchLabels kubernetes.io/metadata.name: ${root}), so that istiod applies ${nsName(pa)}${pa.mode === "STRICT" ? "" : "; then set its mtls.mode to STRICT once every client has a proxy"}.`,
  });
}
