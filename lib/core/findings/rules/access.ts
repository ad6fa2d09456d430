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

export const accessForbidden = rule("access.forbidden", (ctx) =>
  (ctx.completeness ?? [])
    .filter((c) => c.reason === "forbidden")
    .map((c) => {
      const where = c.namespace !== undefined ? `in namespace ${c.namespace}` : "cluster-wide";
      const scope = c.namespace !== undefined ? ` -n ${c.namespace}` : " -A";
      // Secrets are optional by design (deploy/clusterrole.yaml): say what is lost rather than demand access.
      const lost =
        c.kind === "Secret"
          ? "the expiry and chains of CA and TLS Secrets there are not shown"
          : `findings that depend on ${c.kind} objects ${where} may be missing`;
      const resources: Ref[] = c.namespace !== undefined ? [namespaceRef(c.namespace)] : [];
      return finding("access.forbidden", {
        message: `${c.kind} objects could not be read ${where} (403 Forbidden): ${lost}. ${c.message}`,
        resources,
        fix: `Grant Handshake's identity get/list/watch on ${resourceOf(c.kind)}${c.namespace !== undefined ? ` in ${c.namespace}` : ""} (deploy/clusterrole.yaml lists exactly what it reads); check with kubectl auth can-i list ${resourceOf(c.kind)}${scope}.`,
      });
    }),
);

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
    .sort((a, b) => b.pods.length - a.pods.length || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  const why = groups.map((g) => `${g.pods.length} ${g.reason} (${listNames(g.pods)})`).join("; ");
  const n = proxies.length;
  const resources: Ref[] = proxies
    .map((p) => ({ kind: "Pod", namespace: p.namespace, name: p.pod }))
    .sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Finding[] = [
    finding("access.proxy-unreachable", {
      message: `The secrets of ${n} ${n === 1 ? "proxy" : "proxies"} could not be read from the admin port 15000: ${why}. Their workload certificates are missing from this view.`,
      resources,
      fix: "Check that these pods are Running with a ready proxy (kubectl port-forward <pod> 15000 and GET /config_dump should answer), and that Handshake may get and create pods/portforward (a WebSocket port-forward needs both from Kubernetes 1.35); the other proxies were read.",
    }),
  ];
  return out;
});
