// What an Istio gateway proxy's listener on one port accepts, from the networking.istio.io Gateways
// that select it (istio.md §9.9). Built the way istiod builds it:
// - which Gateways: PushContext.mergeGateways (pilot/pkg/model/push_context.go). With
//   PILOT_SCOPE_GATEWAY_TO_NAMESPACE off (the default) every Gateway in any namespace whose
//   `spec.selector` is a subset of the pod's labels, or that has no selector, in creation order;
// - which port: resolvePorts (pilot/pkg/model/gateway.go). A legacy-selector Gateway's server
//   `port.number` is a Service port of the gateway pod: the first of the pod's service targets with
//   that port gives the listener port (its targetPort); with none, the number itself is the listener port;
// - which servers share it: mergeGateways (gateway.go). The first server on a port decides whether it
//   is a plaintext port (merging only HTTP servers after it) or a TLS port (taking only TLS servers,
//   no host twice);
// - what each server's filter chain does: buildGatewayTCPBasedFilterChains and
//   createGatewayHTTPFilterChainOpts / createGatewayTCPFilterChainOpts
//   (pilot/pkg/networking/core/gateway.go). An HTTP port is one plaintext HTTP connection manager;
//   otherwise each server is a chain matched by SNI on its hosts ("*": no SNI match) that terminates
//   TLS with the server's mode (ISTIO_MUTUAL: the gateway's own Istio certificate, client certificate
//   required and checked against the mesh CA; SIMPLE/MUTUAL/OPTIONAL_MUTUAL: the credentialName
//   certificate), forwards it by SNI (PASSTHROUGH, AUTO_PASSTHROUGH) or proxies plaintext TCP.
import type { GatewayServer, IstioGateway, MeshModel, Workload } from "../model/mesh";
import { inRevision } from "../model/mesh";
import { selectorMatches } from "../model/read";
import type { ClientTls, Mode, Ref } from "../snapshot/schema";

export interface ListenerServer {
  gateway: IstioGateway;
  server: GatewayServer;
}

export interface GatewayListener {
  /** The listener (target) port. */
  port: number;
  /**
   * "http": one plaintext HTTP connection manager (the first server is HTTP/HTTP2/GRPC: any TLS on
   * such servers is ignored); "tcp": one plaintext TCP proxy; "tls": one chain per server, by SNI.
   */
  kind: "http" | "tcp" | "tls";
  /** The servers merged on the port, in istiod's order; [0] decided the kind. */
  servers: ListenerServer[];
  /** What the snapshot says the port enforces (contract §1: Mode), and the Gateway that sets it. */
  mode: Mode;
  policy: Ref;
  /** Some TLS server matches only certain SNI names: what the client sends as SNI decides the chain. */
  sniDependent: boolean;
}

/** protocol.Parse(...).IsHTTP(): HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-Web (case-insensitive). */
function isHttpProtocol(p: string): boolean {
  const u = p.toUpperCase();
  return u === "HTTP" || u === "HTTP2" || u === "HTTP_PROXY" || u === "GRPC" || u === "GRPC-WEB";
}

/** gateway.IsTLSServer: a tls block on a non-HTTP server. */
const isTlsServer = (s: GatewayServer) => s.tls !== null && !isHttpProtocol(s.protocol);

const gatewayRef = (g: IstioGateway): Ref => Object.freeze({ kind: "Gateway", namespace: g.namespace, name: g.name });

/**
 * resolvePorts for a legacy-selector Gateway: the targetPort of the first service target whose
 * Service port is `number`, else `number` itself.
 */
function resolvePort(number: number, targets: readonly { port: number; targetPort: number }[]): number {
  for (const t of targets) if (t.port === number) return t.targetPort;
  return number;
}

/**
 * Every listener of one gateway workload, by listener port (empty when no Gateway selects it).
 * `targets`: the pod's (Service port, targetPort) pairs, Services in name order.
 */
export function gatewayListeners(model: MeshModel, w: Workload, targets: readonly { port: number; targetPort: number }[]): Map<number, GatewayListener> {
  const byPort = new Map<number, { servers: ListenerServer[]; plaintext: boolean; tlsHosts: Set<string> }>();
  for (const g of model.gateways) {
    if (!inRevision(g.revision, w.revision)) continue;
    if (g.selector !== null && !selectorMatches(g.selector, w.labels)) continue;
    for (const server of g.servers) {
      const port = resolvePort(server.port, targets);
      let slot = byPort.get(port);
      // Envoy would reject two chains with the same SNI match: a TLS server repeating a host on the port is skipped (CheckDuplicates).
      if (server.tls !== null && slot && server.sniHosts.some((h) => slot!.tlsHosts.has(h))) continue;
      if (!slot) {
        byPort.set(port, (slot = { servers: [{ gateway: g, server }], plaintext: !isTlsServer(server), tlsHosts: new Set() }));
      } else if (slot.plaintext) {
        // canMergeProtocols: only HTTP servers join an HTTP port; anything else on a plaintext port is rejected.
        const first = slot.servers[0]!.server.protocol;
        if (!isHttpProtocol(server.protocol) || !isHttpProtocol(first)) continue;
        slot.servers.push({ gateway: g, server });
      } else {
        // A second server on a TLS port must have TLS settings ("TLS server without TLS options").
        if (server.tls === null) continue;
        slot.servers.push({ gateway: g, server });
      }
      if (server.tls !== null) for (const h of server.sniHosts) slot.tlsHosts.add(h);
    }
  }
  const out = new Map<number, GatewayListener>();
  for (const [port, slot] of byPort) out.set(port, listenerOf(port, slot.servers, slot.plaintext));
  return out;
}

function listenerOf(port: number, servers: ListenerServer[], plaintext: boolean): GatewayListener {
  const first = servers[0]!;
  const policy = gatewayRef(first.gateway);
  if (plaintext) return { port, kind: isHttpProtocol(first.server.protocol) ? "http" : "tcp", servers, mode: "DISABLE", policy, sniDependent: false };
  // The contract's modes speak of Istio mTLS: STRICT when every chain takes only Istio mTLS,
  // DISABLE when none does, PERMISSIVE when some do (docs/DECISIONS.md, "Gateway listeners").
  const istio = servers.filter((s) => s.server.tls === "ISTIO_MUTUAL").length;
  const mode: Mode = istio === servers.length ? "STRICT" : istio === 0 ? "DISABLE" : "PERMISSIVE";
  const sniDependent = servers.some((s) => !s.server.sniHosts.includes("*"));
  return { port, kind: "tls", servers, mode, policy, sniDependent };
}

/**
 * The chain Envoy picks for an SNI name: an exact server name, else the longest matching wildcard
 * ("*.example.com"), else a chain without SNI match (hosts "*"). null: none matches. `sni` "" (not
 * known) matches only a chain without SNI match.
 */
export function chainFor(l: GatewayListener, sni: string): ListenerServer | null {
  if (sni !== "") {
    for (const s of l.servers) if (s.server.sniHosts.includes(sni)) return s;
    for (let dot = sni.indexOf("."); dot >= 0; dot = sni.indexOf(".", dot + 1)) {
      const wildcard = `*${sni.slice(dot)}`;
      for (const s of l.servers) if (s.server.sniHosts.includes(wildcard)) return s;
    }
  }
  for (const s of l.servers) if (s.server.sniHosts.includes("*")) return s;
  return null;
}

/** The SNI a sidecar's Istio mTLS carries without DestinationRule sni: BuildDNSSrvSubsetKey (outbound_.<port>_.<subset>_.<host>). */
export const defaultIstioSni = (port: number, subset: string, host: string) => `outbound_.${port}_.${subset}_.${host}`;

export interface GatewayCell {
  verdict: "mtls" | "plaintext" | "tls" | "broken" | "unknown";
  symptom: string;
}

const nsName = (g: IstioGateway) => `${g.namespace}/${g.name}`;
const serverName = (s: ListenerServer) => `Gateway ${nsName(s.gateway)}'s server for port ${s.server.port} (${s.server.protocol}${s.server.tls ? `, tls.mode ${s.server.tls}` : ", no tls"})`;

/**
 * What a client sending `client` meets on the listener. `sni`: the SNI its TLS carries ("" when not
 * known: a DestinationRule SIMPLE/MUTUAL without sni). `tlsPort`: the Service declares the port TLS,
 * so a caller's application may speak TLS there itself.
 */
export function gatewayCell(client: ClientTls, l: GatewayListener, sni: string, tlsPort: boolean): GatewayCell {
  const first = l.servers[0]!;
  switch (client) {
    case "NONE":
    case "DISABLE":
    case "LINKERD":
      if (l.kind !== "tls") return { verdict: "plaintext", symptom: `plaintext passes: ${serverName(first)} sets no TLS` };
      // No plaintext chain: only TLS the caller's application originates can match one.
      if (l.mode === "STRICT") return { verdict: "broken", symptom: `every server on that port takes only Istio mTLS (${serverName(first)}), which plaintext cannot match` };
      return { verdict: "unknown", symptom: `${serverName(first)} takes only TLS, which ${tlsPort ? "the caller's application must originate (the port is declared TLS)" : "the caller's application would have to originate"}` };
    case "HBONE":
      return { verdict: "unknown", symptom: "Istio documents no HBONE into a gateway's listeners" };
    case "ISTIO_MUTUAL":
    case "SIMPLE":
    case "MUTUAL":
      return tlsClientCell(client, l, sni);
  }
}

function tlsClientCell(client: "ISTIO_MUTUAL" | "SIMPLE" | "MUTUAL", l: GatewayListener, sni: string): GatewayCell {
  const first = l.servers[0]!;
  const what = client === "ISTIO_MUTUAL" ? "Istio mTLS" : "TLS";
  if (l.kind === "http") return { verdict: "broken", symptom: `its ${what} meets the plaintext HTTP listener of ${serverName(first)}` };
  if (l.kind === "tcp") return { verdict: client === "ISTIO_MUTUAL" ? "unknown" : "tls", symptom: `${serverName(first)} passes the bytes on as plain TCP, so the ${what} ends wherever its route leads` };
  const chain = chainFor(l, sni);
  if (!chain)
    return sni === ""
      ? { verdict: "unknown", symptom: `which Gateway server on that port takes it depends on the SNI, which no DestinationRule sni sets` }
      : { verdict: "broken", symptom: `no Gateway server on that port matches the SNI ${sni} it sends (the servers' hosts are the SNI names their chains take)` };
  const at = serverName(chain);
  switch (chain.server.tls) {
    case "ISTIO_MUTUAL":
      if (client === "ISTIO_MUTUAL") return { verdict: "mtls", symptom: `Istio mTLS, terminated by ${at}` };
      return client === "SIMPLE"
        ? { verdict: "broken", symptom: `${at} requires an Istio client certificate, which tls.mode SIMPLE does not present` }
        : { verdict: "unknown", symptom: `${at} takes only client certificates issued by the mesh CA` };
    case "SIMPLE":
    case "OPTIONAL_MUTUAL":
    case "MUTUAL":
      if (client === "ISTIO_MUTUAL")
        return { verdict: "broken", symptom: `${at} presents its credentialName certificate, not an Istio workload certificate, so the client's Istio mTLS handshake fails` };
      if (chain.server.tls === "MUTUAL" && client === "SIMPLE") return { verdict: "broken", symptom: `${at} requires a client certificate, which tls.mode SIMPLE does not present` };
      return { verdict: "tls", symptom: `the gateway terminates it with ${at}` };
    case "PASSTHROUGH":
      return { verdict: client === "ISTIO_MUTUAL" ? "unknown" : "tls", symptom: `${at} forwards the ${what} by SNI without terminating it, so it ends wherever its route leads` };
    default:
      // AUTO_PASSTHROUGH (east-west): the SNI names the mesh service the mTLS is forwarded to, end to end.
      return { verdict: "unknown", symptom: `${at} forwards the ${what} by SNI to the service the SNI names, whose proxy terminates it` };
  }
}
