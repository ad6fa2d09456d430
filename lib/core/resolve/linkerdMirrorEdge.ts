// A Linkerd-meshed caller of a multicluster mirrored service (model/linkerdMirror.ts; other-meshes.md
// §1.10). Its proxy asks the destination controller, which answers with the identity the mirror
// publishes: the remote gateway's (gateway mode) or the remote pods' (pod-to-pod mode). The proxy then
// originates Linkerd mTLS to the linked cluster. What the remote side authorises is in the remote
// cluster, not in the inputs, so nothing is judged broken from it.
import type { LinkerdMirror, Service, ServicePort } from "../model/mesh";
import type { Client, EndpointPrediction, Prediction } from "./predictEdge";
import type { ServerDecision } from "./resolver";
import type { Verdict } from "../snapshot/schema";
import { GATEWAY_IDENTITY } from "../model/linkerdMirror";

const GATEWAY_SERVER: ServerDecision = { mode: "STRICT", origin: "linkerd-policy", policy: null };
const REMOTE_SERVER: ServerDecision = { mode: "PERMISSIVE", origin: "linkerd-policy", policy: null };

interface MirrorSend {
  tls: "LINKERD" | "DISABLE";
  verdict: Verdict;
  /** The client half of the reason, after "the Linkerd proxy of <who>". */
  says: string;
}

function mirrorSend(m: LinkerdMirror, service: Service): MirrorSend {
  const link = m.cluster !== null ? `the linked cluster ${m.cluster}` : "a linked cluster";
  if (m.mode === "federated")
    return {
      tls: "LINKERD",
      verdict: "unknown",
      says: `calls ${service.name}, a Linkerd federated service: the destination controller resolves it to the pods of every linked cluster that exports it, whose identities and policies are not in the inputs`,
    };
  if (m.mode === "remote-discovery")
    return m.remoteService !== null
      ? {
          tls: "LINKERD",
          verdict: "mtls",
          says: `sends Linkerd mTLS to ${link} directly (pod-to-pod): ${service.name} mirrors ${m.remoteService} there, and Linkerd's destination controller resolves it to the remote pods' identities`,
        }
      : {
          tls: "LINKERD",
          verdict: "unknown",
          says: `calls ${service.name}, a pod-to-pod mirror from ${link} without the label multicluster.linkerd.io/remote-service, which Linkerd's destination controller refuses to resolve`,
        };
  if (m.gatewayIdentity !== null)
    return {
      tls: "LINKERD",
      verdict: "mtls",
      says: `sends Linkerd mTLS to ${link} through its gateway, as ${m.gatewayIdentity} (the identity the mirror Endpoints of ${service.name} publish)`,
    };
  return {
    tls: "LINKERD",
    verdict: "unknown",
    says: `calls ${service.name}, mirrored from ${link} through its gateway, but no mirror Endpoints with ${GATEWAY_IDENTITY} are in the inputs, so the identity Linkerd's destination controller gives is not known`,
  };
}

/** The prediction for a Linkerd-meshed caller of a mirrored service (`service.linkerdMirror` set). */
export function linkerdMirrorPrediction(
  client: Client,
  service: Service,
  port: ServicePort,
  m: LinkerdMirror,
): Prediction {
  const who = client.who ?? (client.name ? `${client.namespace}/${client.name}` : "a Linkerd caller");
  const send = mirrorSend(m, service);
  const server = m.mode === "gateway" ? GATEWAY_SERVER : REMOTE_SERVER;
  const remote =
    m.mode === "gateway"
      ? "the remote gateway takes only meshed callers (the linkerd-multicluster chart's policy)"
      : "the remote pods' own policy is in the remote cluster, not in the inputs (Linkerd's default admits meshed callers)";
  const symptom = send.verdict === "mtls" ? "mutual TLS" : "the remote side is not in the inputs";
  const worst: EndpointPrediction = {
    workload: null,
    targetPort: typeof port.targetPort === "number" ? port.targetPort : port.port,
    server,
    accept: { kind: "none", mode: "PERMISSIVE", httpPort: false },
    tls: send.tls,
    origin: "linkerd",
    why: "linkerd",
    cell: { verdict: send.verdict, symptom },
    autoDiffersFromOwn: false,
  };
  return {
    predicted: {
      client: { tls: send.tls, origin: "linkerd", destinationRule: null },
      server: { mode: server.mode, origin: server.origin, policy: null },
      verdict: send.verdict,
      reason: `the Linkerd proxy of ${who} ${send.says}; ${remote}: ${symptom}.`,
    },
    worst,
    endpoints: [worst],
    dr: null,
    drTls: { tls: null, from: "none", loadBalancerSimple: null },
    shadowed: [],
    hiddenBy: [],
    sidecar: null,
    drTagging: null,
    route: null,
    undiscovered: false,
    subset: null,
    drRule: null,
    fileTls: false,
  };
}
