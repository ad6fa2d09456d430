// Sidecar resource egress scoping (istio.md §9.2): a host the client's Sidecar does not import is
// unknown to its proxy, so traffic to it leaves through PassthroughCluster (plaintext) or, with
// REGISTRY_ONLY, is dropped by BlackHoleCluster.
import { inRevision, type Labels, type MeshModel, type SidecarResource } from "../model/mesh";
import { selectorMatches } from "../model/read";
import { hostsOverlap } from "../model/istioObjects";

export function sidecarFor(model: MeshModel, namespace: string, labels: Labels, rootNamespace: string, revision = ""): SidecarResource | null {
  // Only the Sidecars the client's istiod reads (istio.io/rev, `inRevision`). Plain loops, no
  // closures: this runs per edge, and a named closure costs a defineProperty per call under tsx.
  const inNs = model.sidecarsByNamespace.get(namespace);
  if (inNs) {
    for (const s of inNs) if (s.workloadSelector && inRevision(s.revision, revision) && selectorMatches(s.workloadSelector, labels)) return s;
    const nsDefault = namespaceDefault(inNs, revision);
    if (nsDefault) return nsDefault;
  }
  const root = model.sidecarsByNamespace.get(rootNamespace);
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

/** Whether a Sidecar's egress imports `host` of a service in `serviceNs`, for a client in `clientNs`. */
export function sidecarImports(sidecar: SidecarResource, clientNs: string, serviceNs: string, host: string): boolean {
  if (sidecar.egressHosts.length === 0) return true;
  return sidecar.egressHosts.some((entry) => {
    const slash = entry.indexOf("/");
    const ns = slash < 0 ? "*" : entry.slice(0, slash);
    const h = slash < 0 ? entry : entry.slice(slash + 1);
    const nsOk = ns === "*" || ns === serviceNs || (ns === "." && serviceNs === clientNs);
    return nsOk && hostMatches(h, host);
  });
}

/**
 * Whether a Sidecar's egress imports a VirtualService for a client in `clientNs` (SelectVirtualServices
 * over the hosts convertIstioListenerToWrapper classifies, pilot/pkg/model/sidecar.go): an egress host
 * "ns/host" whose namespace is the VirtualService's own ("." the client's) or "*", and whose host
 * overlaps one of the VirtualService's (hostClassification.VSMatches: host.Name.Matches, either way).
 * A host not of the form "ns/host" is skipped, as Istio skips it. No egress section imports "*\/*".
 * A VirtualService the Sidecar does not import is not in the caller's list at all: it neither routes
 * nor hides another.
 */
export function sidecarImportsVs(sidecar: SidecarResource, clientNs: string, vs: { namespace: string; fqdns: string[] }): boolean {
  if (sidecar.egressHosts.length === 0) return true;
  for (const entry of sidecar.egressHosts) {
    const slash = entry.indexOf("/");
    if (slash < 0 || entry.indexOf("/", slash + 1) >= 0) continue;
    const ns = entry.slice(0, slash);
    if (ns !== "*" && ns !== vs.namespace && !(ns === "." && vs.namespace === clientNs)) continue;
    const h = entry.slice(slash + 1);
    for (const vh of vs.fqdns) if (hostsOverlap(vh, h)) return true;
  }
  return false;
}
