// Which Sidecar (networking.istio.io) resource scopes a client proxy, whether it imports a host, and
// where traffic to a host it does not import goes (istio.md §9.2, docs/DECISIONS.md "Sidecar egress
// scope"). The spec names the outcome but not the import syntax; that is read from Istio's
// pilot/pkg/model/sidecar.go (convertIstioListenerToWrapper, selectServices, SidecarScope
// selection), as the Sidecar API documents it.
import type { KubeObject } from "../../../lib/core/model/input";
import {
  meshOf,
  rec_ as rec,
  strings_ as strings,
  type RInventory,
  type RService,
  type RWorkload,
} from "./inventory";
import { olderFirst } from "./peerAuthentication";

const selectorOf = (sc: KubeObject) => strings(rec(rec(sc.spec).workloadSelector).labels);

function oldest(xs: KubeObject[]): KubeObject | null {
  let best: KubeObject | null = null;
  for (const x of xs) if (best === null || olderFirst(x, best) < 0) best = x;
  return best;
}

/**
 * The Sidecar of a client: one of its namespace whose workloadSelector matches it, else its
 * namespace's Sidecar without selector, else the root namespace's Sidecar without selector. The
 * generator writes at most one candidate per step, so "oldest" only breaks ties it never makes.
 */
export function sidecarFor(inv: RInventory, client: RWorkload): KubeObject | null {
  const inNs = inv.sidecars.filter((s) => (s.metadata.namespace ?? "default") === client.namespace);
  const selecting = inNs.filter((s) => {
    const sel = selectorOf(s);
    const keys = Object.keys(sel);
    return keys.length > 0 && keys.every((k) => client.labels[k] === sel[k]);
  });
  const own = oldest(selecting) ?? oldest(inNs.filter((s) => Object.keys(selectorOf(s)).length === 0));
  if (own) return own;
  return oldest(
    inv.sidecars.filter(
      (s) =>
        (s.metadata.namespace ?? "default") === inv.rootNamespace && Object.keys(selectorOf(s)).length === 0,
    ),
  );
}

/** Hostname SubsetOf an imported dnsName: equal, `*`, or `*.suffix`. */
function hostMatches(dns: string, host: string): boolean {
  if (dns === "*" || dns === host) return true;
  return dns.startsWith("*.") && host.endsWith(dns.slice(1));
}

/**
 * Whether the client's Sidecar imports the service: some `egress[].hosts` entry `ns/dnsName` whose
 * namespace is the service's (`.` = the client's namespace, the Sidecar's config namespace) or `*`,
 * and whose dnsName matches the host. No Sidecar, or one without egress, imports everything (`*\/*`).
 */
export function imports(inv: RInventory, client: RWorkload, svc: RService): boolean {
  const sc = sidecarFor(inv, client);
  if (!sc) return true;
  const egress = rec(sc.spec).egress;
  if (!Array.isArray(egress) || egress.length === 0) return true;
  for (const listener of egress) {
    const hosts = rec(listener).hosts;
    for (const h of Array.isArray(hosts) ? hosts : []) {
      if (typeof h !== "string" || h.split("/").length !== 2) continue;
      const [ns, dns] = h.split("/") as [string, string];
      const namespace = ns === "." ? client.namespace : ns;
      if ((namespace === svc.namespace || namespace === "*") && hostMatches(dns, svc.host)) return true;
    }
  }
  return false;
}

/** The Sidecar's outboundTrafficPolicy, else the mesh's of the client's revision (ALLOW_ANY by default). */
export function outboundPolicy(inv: RInventory, client: RWorkload): "ALLOW_ANY" | "REGISTRY_ONLY" {
  const sc = sidecarFor(inv, client);
  const mode = sc ? rec(rec(sc.spec).outboundTrafficPolicy).mode : undefined;
  if (mode === "REGISTRY_ONLY" || mode === "ALLOW_ANY") return mode;
  return meshOf(inv.objects, client.revision).outboundTrafficPolicy;
}
