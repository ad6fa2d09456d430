// Sidecar resource egress scoping (istio.md §9.2): a host the client's Sidecar does not import is
// unknown to its proxy, so traffic to it leaves through PassthroughCluster (plaintext) or, with
// REGISTRY_ONLY, is dropped by BlackHoleCluster.
import {
  inRevision,
  type Labels,
  type MeshModel,
  type SidecarEgress,
  type SidecarResource,
} from "../model/mesh";
import { selectorMatches } from "../model/read";
import { hostsOverlap } from "../model/istioObjects";
import { discoveryViewFor } from "../model/discovery";

export function sidecarFor(
  model: MeshModel,
  namespace: string,
  labels: Labels,
  rootNamespace: string,
  revision = "",
): SidecarResource | null {
  // Only the Sidecars the client's istiod reads (istio.io/rev, `inRevision`; namespaces its
  // discoverySelectors select, discovery.ts: one size check when no mesh config has any). Plain loops,
  // no closures: this runs per edge, and a named closure costs a defineProperty per call under tsx.
  const hidden = discoveryViewFor(model, revision)?.hidden;
  const inNs = hidden?.has(namespace) === true ? undefined : model.sidecarsByNamespace.get(namespace);
  if (inNs) {
    for (const s of inNs)
      if (
        s.workloadSelector &&
        inRevision(s.revision, revision) &&
        selectorMatches(s.workloadSelector, labels)
      )
        return s;
    const nsDefault = namespaceDefault(inNs, revision);
    if (nsDefault) return nsDefault;
  }
  const root = hidden?.has(rootNamespace) === true ? undefined : model.sidecarsByNamespace.get(rootNamespace);
  return root ? namespaceDefault(root, revision) : null;
}

function namespaceDefault(sidecars: SidecarResource[], revision: string): SidecarResource | null {
  for (const s of sidecars) if (!s.workloadSelector && inRevision(s.revision, revision)) return s;
  return null;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/**
 * The egress listener a call to `port` goes through (GetEgressListenerForRDS, pilot/pkg/model/sidecar.go):
 * the first that is the catch-all (no port) or bound to that port. The catch-all builds no listener on
 * a port a port-bound one took (buildSidecarOutboundListeners, "if and only if this port was not
 * specified in any of the preceding listeners"), so TCP and HTTP alike. null: none (every listener is
 * bound to another port), so the call meets no listener of the Sidecar's.
 */
function egressListenerFor(sidecar: SidecarResource, port: number): SidecarEgress | null {
  for (const e of sidecar.egress) if (e.port === null || (e.port === port && port !== 0)) return e;
  return null;
}

/** Whether some egress listener is bound to a port: only then does the port called choose among them. */
export function hasPortBoundEgress(sidecar: SidecarResource): boolean {
  for (const e of sidecar.egress) if (e.port !== null) return true;
  return false;
}

function catchAll(sidecar: SidecarResource): SidecarEgress | null {
  for (const e of sidecar.egress) if (e.port === null) return e;
  return null;
}

/**
 * Whether a Sidecar imports port `port` of a service (`host` in `serviceNs`) for a client in `clientNs`:
 * the listener the call goes through (egressListenerFor) selects it (selectServices: an "ns/host" entry
 * for its namespace, "." the client's, or "*", whose host matches). A port-bound listener keeps only the
 * service's port equal to its own (serviceMatchingListenerPort), which is `port` here by construction.
 */
export function sidecarImports(
  sidecar: SidecarResource,
  clientNs: string,
  serviceNs: string,
  host: string,
  port: number,
): boolean {
  if (sidecar.egress.length === 0) return true;
  const listener = egressListenerFor(sidecar, port);
  return listener !== null && hostsImportService(listener.hosts, clientNs, serviceNs, host);
}

function hostsImportService(hosts: string[], clientNs: string, serviceNs: string, host: string): boolean {
  for (const entry of hosts) {
    const slash = entry.indexOf("/");
    const ns = slash < 0 ? "*" : entry.slice(0, slash);
    const h = slash < 0 ? entry : entry.slice(slash + 1);
    const nsOk = ns === "*" || ns === serviceNs || (ns === "." && serviceNs === clientNs);
    if (nsOk && hostMatches(h, host)) return true;
  }
  return false;
}

/**
 * Whether a Sidecar's egress imports a VirtualService for a client in `clientNs` (SelectVirtualServices
 * over the hosts convertIstioListenerToWrapper classifies, per egress listener, pilot/pkg/model/sidecar.go):
 * the listener the call goes through (egressListenerFor) has an egress host "ns/host" whose namespace is
 * the VirtualService's own ("." the client's) or "*", and whose host overlaps one of the VirtualService's
 * (hostClassification.VSMatches: host.Name.Matches, either way). A host not of the form "ns/host" is
 * skipped, as Istio skips it. No egress section imports "*\/*".
 *
 * `ports`: the ports the call may be to, when known (a service's ports); null: not known (metrics give
 * no port). "always"/"never" when every listener the call may go through agrees, else "maybe"; with no
 * port known, every listener of the Sidecar may be the one. A VirtualService not imported neither
 * routes nor hides another.
 */
export function sidecarImportsVs(
  sidecar: SidecarResource,
  clientNs: string,
  vs: { namespace: string; fqdns: string[] },
  ports: readonly number[] | null,
): "always" | "never" | "maybe" {
  if (sidecar.egress.length === 0) return "always";
  let yes = false;
  let no = false;
  if (ports === null) {
    for (const e of sidecar.egress) {
      if (hostsImportVs(e.hosts, clientNs, vs)) yes = true;
      else no = true;
    }
    // A call to a port no listener is bound to meets the catch-all, or none at all.
    if (catchAll(sidecar) === null) no = true;
  } else {
    for (const p of ports) {
      const e = egressListenerFor(sidecar, p);
      if (e !== null && hostsImportVs(e.hosts, clientNs, vs)) yes = true;
      else no = true;
    }
  }
  return yes ? (no ? "maybe" : "always") : "never";
}

function hostsImportVs(
  hosts: string[],
  clientNs: string,
  vs: { namespace: string; fqdns: string[] },
): boolean {
  for (const entry of hosts) {
    const slash = entry.indexOf("/");
    if (slash < 0 || entry.indexOf("/", slash + 1) >= 0) continue;
    const ns = entry.slice(0, slash);
    if (ns !== "*" && ns !== vs.namespace && !(ns === "." && vs.namespace === clientNs)) continue;
    const h = entry.slice(slash + 1);
    for (const vh of vs.fqdns) if (hostsOverlap(vh, h)) return true;
  }
  return false;
}
