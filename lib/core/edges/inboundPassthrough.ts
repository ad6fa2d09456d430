// The prediction of an inbound passthrough edge (buildEdges INBOUND_PASSTHROUGH, port 0): calls a
// meshed server received on a port no Service of it declares (or by pod IP). Istio's metrics carry
// no port, so two things the usual prediction needs are not known (docs/DECISIONS.md, "Inbound
// passthrough edges: verdict unknown unless the inputs decide"):
// - the server's mode: its passthrough chains apply the PeerAuthentication's portLevelMtls to every
//   port no Service declares (istio/istio ForPassthrough, needPerPortPassthroughFilterChain; istio.md
//   §1.5), so each such entry is a candidate besides the workload-level mode;
// - what a caller with a proxy sends: its proxy has no listener for that port and passes the bytes
//   through PassthroughCluster as the application wrote them (istio.md §9.3), so neither auto mTLS
//   nor the DestinationRules of the Service that only carries the edge apply.
// Conservative: the verdict is the workload-level one only when the caller has no proxy (plaintext)
// and every candidate mode gives it; otherwise it is unknown, never broken or plaintext.
// The server is the workload(s) that reported the calls (destination_workload; buildEdges
// reportersPort), not every endpoint of the Service that carries the edge; several reporters give the
// worst of their predictions, as endpoints of one Service do (docs/DECISIONS.md, reviews/fp2rev2.md).
import type { Workload } from "../model/mesh";
import type { Service } from "../model/mesh";
import type { Client, Prediction } from "../resolve/predictEdge";
import type { Resolver } from "../resolve/resolver";
import { sidecarFor } from "../resolve/sidecarScope";
import type { Verdict } from "../snapshot/schema";

const WHY_PORT =
  "The destination received these calls on a port no Service of it declares (or by pod IP), through its inbound passthrough chain; Istio's telemetry does not say which port.";
/** ztunnel has no passthrough chains: it applies a port-level mode on any port (istio/istio architecture/ambient/peer-authentication.md). */
const WHY_ZTUNNEL =
  "The destination received these calls on a port no Service of it declares (or by pod IP); Istio's telemetry does not say which port.";

/** One mode the undeclared port may have, and what sets it ("port 9999 is DISABLE by PeerAuthentication data/x"). */
interface Candidate {
  verdict: Verdict;
  says: string;
}

/** What a plaintext sender meets on a sidecar server in that mode. */
const plaintextMeets = (mode: string): Verdict => (mode === "STRICT" ? "broken" : "plaintext");

/**
 * The ports w's inbound listener declares, whose calls take their own chains, not the passthrough
 * (istio/istio needPerPortPassthroughFilterChain): its Sidecar's ingress ports when that Sidecar has
 * ingress listeners (HasIngressListener: the Service ports are then not declared), else its Services'
 * target ports.
 */
function declaredPorts(r: Resolver, w: Workload): Set<number> {
  const sidecar = sidecarFor(r.model, w.namespace, w.labels, r.meshOf(w).rootNamespace, w.revision);
  if (sidecar && sidecar.ingressPorts.length > 0) return new Set(sidecar.ingressPorts);
  const out = new Set<number>();
  for (const s of r.model.servicesOfWorkload.get(w) ?? [])
    for (const p of s.ports) {
      const t = r.targetPortOf(s, p, w);
      if (t !== null) out.add(t);
    }
  return out;
}

/**
 * The port-level entries of the reporting workloads' PeerAuthentication that the call may have met,
 * each a mode of its own: on a sidecar, those on ports its inbound listener does not declare (each
 * is a passthrough chain of its own); on ztunnel (ambient), every entry, as ztunnel applies them on
 * any port (istiod turns them into ztunnel Authorizations).
 */
function portLevelCandidates(r: Resolver, reporters: readonly Workload[]): Candidate[] {
  const out: Candidate[] = [];
  for (const w of reporters) {
    if (w.dataplane !== "sidecar" && w.dataplane !== "ambient") continue;
    const policy = r.policyOf(w);
    if (policy.perPort.size === 0) continue;
    const declared = w.dataplane === "sidecar" ? declaredPorts(r, w) : null;
    for (const [port, d] of [...policy.perPort].sort((a, b) => a[0] - b[0])) {
      if (declared?.has(port)) continue;
      const by = d.policy ? `PeerAuthentication ${d.policy.namespace}/${d.policy.name}` : "Istio's default";
      out.push({
        verdict: plaintextMeets(d.mode),
        says: `${w.namespace}/${w.name} port ${port} is ${d.mode} by ${by}`,
      });
    }
  }
  return out;
}

export function inboundPrediction(
  r: Resolver,
  p: Prediction,
  client: Client,
  service: Service,
  reporters: readonly Workload[],
): Prediction {
  const why = reporters.every((w) => w.dataplane === "ambient") ? WHY_ZTUNNEL : WHY_PORT;
  const who = client.who ?? (client.name ? `${client.namespace}/${client.name}` : null);
  if (client.dataplane !== "none") {
    const caller = who ? `${who}'s proxy` : "The caller's proxy";
    return {
      ...p,
      predicted: {
        client: { tls: "DISABLE", origin: "auto", destinationRule: null },
        server: p.predicted.server,
        verdict: "unknown",
        reason: `${caller} has no listener for a port no Service of ${service.namespace}/${service.name} declares: it passes the calls through PassthroughCluster as the application wrote them (plaintext, unless the application does TLS itself), so no verdict is predicted. ${why}`,
      },
    };
  }
  const others = portLevelCandidates(r, reporters).filter((c) => c.verdict !== p.predicted.verdict);
  if (others.length === 0 || p.predicted.verdict === "unknown")
    return { ...p, predicted: { ...p.predicted, reason: `${p.predicted.reason} ${why}` } };
  return {
    ...p,
    predicted: {
      ...p.predicted,
      verdict: "unknown",
      reason: `${p.predicted.reason} ${why} But ${others.map((c) => c.says).join(", ")}, and a call to that port meets ${others.length === 1 ? "that mode" : "those modes"} instead, so no verdict is predicted.`,
    },
  };
}
