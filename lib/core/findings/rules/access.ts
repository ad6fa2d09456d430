// Visibility rules (findings.md "Visibility and input"): what the cluster reader could not see. Both
// say where the picture is incomplete, so an absent finding elsewhere is not mistaken for health.
import type { Finding, Ref } from "../../snapshot/schema";
import { rule } from "../context";
import { finding } from "../finding";
import { listNames, namespaceRef } from "../refs";

/** RBAC resource name of a kind ("ServiceEntry" → "serviceentries"), for the commands in fixes. */
export function resourceOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

/** Namespaces named in a grouped finding's message; the rest are counted (all are in its resources). */
const NAMED_NAMESPACES = 5;

// One finding per kind, not per namespace: with Secrets forbidden everywhere, a 500-namespace cluster
// would otherwise get 500 identical findings. The completeness entries stay one per namespace (contract).
// When every namespace of the cluster is forbidden, the finding is cluster-wide.
export const accessForbidden = rule("access.forbidden", (ctx) => {
  const byKind = new Map<string, { clusterWide?: string; namespaces: Map<string, string> }>();
  for (const c of ctx.completeness ?? []) {
    if (c.reason !== "forbidden") continue;
    let g = byKind.get(c.kind);
    if (!g) byKind.set(c.kind, (g = { namespaces: new Map() }));
    if (c.namespace === undefined) g.clusterWide ??= c.message;
    else if (!g.namespaces.has(c.namespace)) g.namespaces.set(c.namespace, c.message);
  }
  const known = [...ctx.model.namespaces.keys()];
  const out: Finding[] = [];
  for (const kind of [...byKind.keys()].sort()) {
    const g = byKind.get(kind)!;
    const res = resourceOf(kind);
    // Secrets are optional by design (deploy/clusterrole.yaml): say what is lost rather than demand access.
    const lost = (where: string) =>
      kind === "Secret"
        ? "the expiry and chains of CA and TLS Secrets there are not shown"
        : `findings that depend on ${kind} objects ${where} may be missing`;
    const grant = (scope: string, check: string) =>
      `Grant Handshake's identity list on ${res}${scope} (deploy/clusterrole.yaml lists exactly what it reads); check with kubectl auth can-i list ${res}${check}.`;
    const names = [...g.namespaces.keys()].sort();
    const everyNamespace = names.length > 1 && known.length > 0 && known.every((ns) => g.namespaces.has(ns));
    if (g.clusterWide !== undefined || everyNamespace) {
      const detail = g.clusterWide ?? g.namespaces.get(names[0]!)!;
      const where = g.clusterWide !== undefined ? "cluster-wide" : `in any namespace (all ${names.length})`;
      out.push(
        finding("access.forbidden", {
          message: `${kind} objects could not be read ${where} (403 Forbidden): ${lost(where)}. ${detail}`,
          resources: [],
          fix: grant("", " -A"),
        }),
      );
      // A cluster-wide 403 with a per-namespace fallback that worked nowhere says it all once.
      continue;
    }
    if (names.length === 0) continue;
    const one = names.length === 1;
    const where = one
      ? `in namespace ${names[0]}`
      : `in ${names.length} namespaces (${listNames(names, NAMED_NAMESPACES)})`;
    const resources: Ref[] = names.map((ns) => namespaceRef(ns));
    out.push(
      finding("access.forbidden", {
        message: `${kind} objects could not be read ${where} (403 Forbidden): ${lost(where)}. ${g.namespaces.get(names[0]!)!}`,
        resources,
        fix: grant(one ? ` in ${names[0]}` : " in those namespaces", ` -n ${names[0]}`),
      }),
    );
  }
  return out;
});

export const accessProxyUnreachable = rule("access.proxy-unreachable", (ctx) => {
  const proxies = ctx.unreachableProxies ?? [];
  if (proxies.length === 0) return [];
  const byReason = new Map<string, string[]>();
  for (const p of proxies) {
    const pods = byReason.get(p.reason) ?? [];
    pods.push(`${p.namespace}/${p.pod}`);
    byReason.set(p.reason, pods);
  }
  const groups = [...byReason.entries()]
    .map(([reason, pods]) => ({ reason, pods: pods.sort() }))
    .sort(
      (a, b) => b.pods.length - a.pods.length || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0),
    );
  const why = groups.map((g) => `${g.pods.length} ${g.reason} (${listNames(g.pods)})`).join("; ");
  const n = proxies.length;
  const resources: Ref[] = proxies
    .map((p) => ({ kind: "Pod", namespace: p.namespace, name: p.pod }))
    .sort((a, b) =>
      a.namespace < b.namespace
        ? -1
        : a.namespace > b.namespace
          ? 1
          : a.name < b.name
            ? -1
            : a.name > b.name
              ? 1
              : 0,
    );
  const out: Finding[] = [
    finding("access.proxy-unreachable", {
      message: `The secrets of ${n} ${n === 1 ? "proxy" : "proxies"} could not be read from the admin port 15000: ${why}. Their workload certificates are missing from this view.`,
      resources,
      fix: "Check that these pods are Running with a ready proxy (kubectl port-forward <pod> 15000 and GET /config_dump should answer), and that Handshake may get and create pods/portforward (a WebSocket port-forward needs both from Kubernetes 1.35); the other proxies were read.",
    }),
  ];
  return out;
});
