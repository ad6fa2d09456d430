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
import type { Workload } from "../model/mesh";
import type { Service } from "../model/mesh";
import type { Client, Prediction } from "../resolve/predictEdge";
import type { Resolver } from "../resolve/resolver";
import type { Verdict } from "../snapshot/schema";

const WHY_PORT =
  "The destination received these calls on a port no Service of it declares (or by pod IP), through its inbound passthrough chain; Istio's telemetry does not say which port.";

/** One mode the undeclared port may have, and what sets it ("port 9999 is DISABLE by PeerAuthentication data/x"). */
interface Candidate {
  verdict: Verdict;
  says: string;
}

/** What a plaintext sender meets on a sidecar server in that mode. */
const plaintextMeets = (mode: string): Verdict => (mode === "STRICT" ? "broken" : "plaintext");

/** The Service target ports of w (its declared ports): calls to them take their own chains, not the passthrough. */
function declaredPorts(r: Resolver, w: Workload): Set<number> {
  const out = new Set<number>();
  for (const s of r.model.servicesOfWorkload.get(w) ?? [])
    for (const p of s.ports) {
      const t = r.targetPortOf(s, p, w);
      if (t !== null) out.add(t);
    }
  return out;
}

/**
 * The port-level entries of the server's PeerAuthentication on ports no Service declares, whose mode
 * differs from the workload-level one: each is a passthrough chain of its own. A Sidecar's ingress
 * ports are not subtracted: counting one too many only makes the answer unknown.
 */
function portLevelCandidates(r: Resolver, service: Service): Candidate[] {
  const out: Candidate[] = [];
  for (const key of service.workloads) {
    const w = r.model.workloadByKey.get(key);
    if (!w || w.dataplane !== "sidecar") continue;
    const policy = r.policyOf(w);
    if (policy.perPort.size === 0) continue;
    const declared = declaredPorts(r, w);
    for (const [port, d] of [...policy.perPort].sort((a, b) => a[0] - b[0])) {
      if (declared.has(port)) continue;
      const by = d.policy ? `PeerAuthentication ${d.policy.namespace}/${d.policy.name}` : "Istio's default";
      out.push({ verdict: plaintextMeets(d.mode), says: `${key} port ${port} is ${d.mode} by ${by}` });
    }
  }
  return out;
}

export function inboundPrediction(r: Resolver, p: Prediction, client: Client, service: Service): Prediction {
  const who = client.who ?? (client.name ? `${client.namespace}/${client.name}` : null);
  if (client.dataplane !== "none") {
    const caller = who ? `${who}'s proxy` : "The caller's proxy";
    return {
      ...p,
      predicted: {
        client: { tls: "DISABLE", origin: "auto", destinationRule: null },
        server: p.predicted.server,
        verdict: "unknown",
        reason: `${caller} has no listener for a port no Service of ${service.namespace}/${service.name} declares: it passes the calls through PassthroughCluster as the application wrote them (plaintext, unless the application does TLS itself), so no verdict is predicted. ${WHY_PORT}`,
      },
    };
  }
  const others = portLevelCandidates(r, service).filter((c) => c.verdict !== p.predicted.verdict);
  if (others.length === 0 || p.predicted.verdict === "unknown")
    return { ...p, predicted: { ...p.predicted, reason: `${p.predicted.reason} ${WHY_PORT}` } };
  return {
    ...p,
    predicted: {
      ...p.predicted,
      verdict: "unknown",
      reason: `${p.predicted.reason} ${WHY_PORT} But ${others.map((c) => c.says).join(", ")}, and a call to that port meets ${others.length === 1 ? "that mode" : "those modes"} instead, so no verdict is predicted.`,
    },
  };
}
