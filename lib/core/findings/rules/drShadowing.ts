// Which callers each shadowed DestinationRule never applies to (dr.shadowed), gathered from the edges'
// predictions. Noting every shadowed DR on every edge costs (edges × shadowed DRs): a namespace with
// sixty wildcard DRs behind one that wins makes that over a million notes for 20k edges. Edges with the
// same outcome (the same DRs shadowed, by the same rule) form one group instead, and each DR's callers
// are the union of its groups', made once for DRs that always occur together.
import type { EdgeAnalysis } from "../../edges/buildEdges";
import type { DestinationRule } from "../../model/mesh";
import { hostMatchScore } from "../../resolve/destinationRule";
import type { Client } from "../../resolve/predictEdge";

/** The callers a DR never applies to, and the DRs that take its place, in the order the edges first name them. */
export interface Shadowing {
  clients: ReadonlySet<string>;
  by: readonly DestinationRule[];
}

interface Group {
  /** The DRs this group's edges shadow. */
  drs: readonly DestinationRule[];
  /** What shadows them on these edges. */
  by: readonly DestinationRule[];
  clients: Set<string>;
}

export interface Shadowings {
  /** Shadowed by the DR applied (a tier consulted first matches the host at least as specifically). */
  shadowed: Map<DestinationRule, Shadowing>;
  /** Hidden: a tier consulted first holds only selector DRs for other workloads, so no DR applies. */
  hidden: Map<DestinationRule, Shadowing>;
}

const NO_DR: readonly DestinationRule[] = [];

export function shadowings(edges: readonly EdgeAnalysis[]): Shadowings {
  const names = new Map<Client, string>();
  const nameOf = (c: Client) => {
    let n = names.get(c);
    if (n === undefined) names.set(c, (n = c.name ? `${c.namespace}/${c.name}` : "unknown"));
    return n;
  };
  const ids = new Map<DestinationRule, number>();
  const idOf = (dr: DestinationRule) => {
    let id = ids.get(dr);
    if (id === undefined) ids.set(dr, (id = ids.size));
    return id;
  };
  // The DRs an edge shadows, per (shadowed list, rule applied, host), as one list object per content.
  const qualifying = new Map<
    readonly DestinationRule[],
    Map<DestinationRule, Map<string, readonly DestinationRule[]>>
  >();
  const interned = new Map<string, readonly DestinationRule[]>();
  const qualifyingFor = (list: readonly DestinationRule[], applied: DestinationRule, host: string) => {
    let byRule = qualifying.get(list);
    if (!byRule) qualifying.set(list, (byRule = new Map()));
    let byHost = byRule.get(applied);
    if (!byHost) byRule.set(applied, (byHost = new Map()));
    let out = byHost.get(host);
    if (out) return out;
    // A later-tier DR that matches the host less specifically than the one applied (a `*.local`
    // default in the root namespace refined per service) would lose anyway: not shadowed.
    const appliedScore = hostMatchScore(applied.fqdn, host);
    const kept = list.filter((dr) => hostMatchScore(dr.fqdn, host) >= appliedScore);
    if (kept.length === list.length) out = list;
    else {
      const key = kept.map(idOf).join(",");
      out = interned.get(key);
      if (!out) interned.set(key, (out = kept.length > 0 ? kept : NO_DR));
    }
    byHost.set(host, out);
    return out;
  };

  const shadowedGroups: Group[] = [];
  const hiddenGroups: Group[] = [];
  const shadowedBy = new Map<readonly DestinationRule[], Map<DestinationRule, Group>>();
  const hiddenBy = new Map<readonly DestinationRule[], Map<readonly DestinationRule[], Group>>();
  for (const ea of edges) {
    // Most edges shadow nothing: leave before building anything for them (20k edges per analysis).
    const list = ea.prediction.shadowed;
    if (list.length === 0) continue;
    const applied = ea.prediction.dr;
    let group: Group | undefined;
    if (!applied) {
      const by = ea.prediction.hiddenBy;
      let byList = hiddenBy.get(list);
      if (!byList) hiddenBy.set(list, (byList = new Map()));
      group = byList.get(by);
      if (!group) byList.set(by, (group = pushed(hiddenGroups, { drs: list, by, clients: new Set() })));
    } else {
      const drs = qualifyingFor(list, applied.rule, ea.service.host);
      if (drs.length === 0) continue;
      let byRule = shadowedBy.get(drs);
      if (!byRule) shadowedBy.set(drs, (byRule = new Map()));
      group = byRule.get(applied.rule);
      if (!group)
        byRule.set(
          applied.rule,
          (group = pushed(shadowedGroups, { drs, by: [applied.rule], clients: new Set() })),
        );
    }
    group.clients.add(nameOf(ea.client));
  }
  return { shadowed: perDr(shadowedGroups), hidden: perDr(hiddenGroups) };
}

function pushed(groups: Group[], g: Group): Group {
  groups.push(g);
  return g;
}

/** Each DR's groups merged, in the order the groups were made (the order of the edges that made them). */
function perDr(groups: readonly Group[]): Map<DestinationRule, Shadowing> {
  const member = new Map<DestinationRule, number[]>();
  groups.forEach((g, i) => {
    for (const dr of g.drs) {
      const of = member.get(dr);
      if (of) of.push(i);
      else member.set(dr, [i]);
    }
  });
  const merged = new Map<string, Shadowing>();
  const out = new Map<DestinationRule, Shadowing>();
  for (const [dr, of] of member) {
    const key = of.join(",");
    let s = merged.get(key);
    if (!s) merged.set(key, (s = mergeGroups(of.map((i) => groups[i]!))));
    out.set(dr, s);
  }
  return out;
}

function mergeGroups(of: readonly Group[]): Shadowing {
  if (of.length === 1) return { clients: of[0]!.clients, by: [...new Set(of[0]!.by)] };
  const clients = new Set<string>();
  const by = new Set<DestinationRule>();
  for (const g of of) {
    for (const c of g.clients) clients.add(c);
    for (const b of g.by) by.add(b);
  }
  return { clients, by: [...by] };
}
