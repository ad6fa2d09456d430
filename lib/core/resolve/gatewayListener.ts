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
import { discoveryViewFor } from "../model/discovery";
import { isHttpProtocol } from "../model/gatewayObjects";
import { hostMatchScore } from "./destinationRule";
import { selectorMatches } from "../model/read";
import type { ClientTls, Mode, Ref } from "../snapshot/schema";
import type { ServerDecision } from "./resolver";

export interface ListenerServer {
  gateway: IstioGateway;
  server: GatewayServer;
  /**
   * What an edge whose verdict this server's chain decides reports as its server side: the
   * listener's mode, naming this server's Gateway (not the first Gateway on the port).
   */
  decision: ServerDecision;
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
  /** What the snapshot says the port enforces (contract §1: Mode), and the first Gateway on it (the workload's port entry). */
  mode: Mode;
  policy: Ref;
  /** Some TLS server matches only certain SNI names: what the client sends as SNI decides the chain. */
  sniDependent: boolean;
  /**
   * Two servers on the port repeat one host name under different namespaces ("a/x.com", "b/x.com"):
   * both pass CheckDuplicates (it compares whole hosts), then Envoy refuses the listener for two
   * chains with the same SNI match. What it accepts is not known.
   */
  clash: string | null;
}

/** gateway.IsTLSServer: a tls block on a non-HTTP server. */
const isTlsServer = (s: GatewayServer) => s.tls !== null && !isHttpProtocol(s.protocol);

/** One frozen Ref per Gateway, shared by every listener, decision and finding naming it. */
const gatewayRefs = new WeakMap<IstioGateway, Ref>();
function gatewayRef(g: IstioGateway): Ref {
  let r = gatewayRefs.get(g);
  if (!r) gatewayRefs.set(g, (r = Object.freeze({ kind: "Gateway", namespace: g.namespace, name: g.name })));
  return r;
}

/**
 * resolvePorts for a legacy-selector Gateway: the targetPort of the first service target whose
 * Service port is `number`, else `number` itself.
 */
function resolvePort(number: number, targets: readonly { port: number; targetPort: number }[]): number {
  for (const t of targets) if (t.port === number) return t.targetPort;
  return number;
}

interface Slot {
  servers: { gateway: IstioGateway; server: GatewayServer }[];
  /** The ServerPort's protocol is plaintext (the first server is not a TLS server). */
  plaintext: boolean;
  /**
   * CheckDuplicates: the whole hosts (with their "namespace/" part) of every server with a tls block
   * that passed it, an HTTP server's httpsRedirect-only block included (`s.Tls != nil`), and even one
   * the merge then rejected: mergeGateways records them before deciding whether the server merges.
   */
  tlsHosts: Set<string>;
}

/**
 * Every listener on the pod IP of one gateway workload, by listener port (empty when no Gateway
 * selects it). `targets`: the pod's (Service port, targetPort) pairs, Services in name order.
 *
 * mergeGateways keys servers by ServerPort{port, protocol, bind} and checks duplicate hosts per bind
 * (CheckDuplicates(hosts, bind, …)); buildGatewayListeners builds a listener of its own on each
 * non-empty bind address. A client reaching the pod through its Service meets the wildcard listener,
 * so servers with a bind are left out here (a port only they use has no listener here: unknown).
 */
export function gatewayListeners(
  model: MeshModel,
  w: Workload,
  targets: readonly { port: number; targetPort: number }[],
): Map<number, GatewayListener> {
  const byPort = new Map<number, Slot>();
  // Only the Gateways the workload's istiod reads: of its revision, in a namespace it sees (discovery.ts).
  const hidden = discoveryViewFor(model, w.revision)?.hidden;
  for (const g of model.gateways) {
    if (!inRevision(g.revision, w.revision) || hidden?.has(g.namespace) === true) continue;
    if (g.selector !== null && !selectorMatches(g.selector, w.labels)) continue;
    for (const server of g.servers) {
      if (server.bind !== "") continue;
      const port = resolvePort(server.port, targets);
      let slot = byPort.get(port);
      // Envoy would reject two chains with the same SNI match: a server with a tls block repeating a
      // host on the port is skipped (CheckDuplicates); one that passes adds its hosts before the merge decision.
      if (server.tls !== null && slot) {
        if (server.hosts.some((h) => slot!.tlsHosts.has(h))) continue;
        for (const h of server.hosts) slot.tlsHosts.add(h);
      }
      if (!slot) {
        byPort.set(
          port,
          (slot = {
            servers: [{ gateway: g, server }],
            plaintext: !isTlsServer(server),
            tlsHosts: new Set(server.tls !== null ? server.hosts : []),
          }),
        );
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
    }
  }
  const out = new Map<number, GatewayListener>();
  for (const [port, slot] of byPort) out.set(port, listenerOf(port, slot));
  return out;
}

/** A host name two TLS servers on the port both match by SNI after their "namespace/" parts are dropped. */
function sniClash(servers: readonly { server: GatewayServer }[]): string | null {
  const seen = new Set<string>();
  for (const s of servers) {
    if (s.server.tls === null) continue;
    for (const h of new Set(s.server.sniHosts)) {
      if (seen.has(h)) return h;
      seen.add(h);
    }
  }
  return null;
}

function listenerOf(port: number, slot: Slot): GatewayListener {
  const { servers, plaintext } = slot;
  const first = servers[0]!;
  const policy = gatewayRef(first.gateway);
  // The contract's modes speak of Istio mTLS: STRICT when every chain takes only Istio mTLS,
  // DISABLE when none does, PERMISSIVE when some do (docs/DECISIONS.md, "Gateway listeners").
  const istio = plaintext ? 0 : servers.filter((s) => s.server.tls === "ISTIO_MUTUAL").length;
  const mode: Mode =
    plaintext || istio === 0 ? "DISABLE" : istio === servers.length ? "STRICT" : "PERMISSIVE";
  const decided = servers.map((s) => ({
    ...s,
    decision: Object.freeze({ mode, origin: "workload-port" as const, policy: gatewayRef(s.gateway) }),
  }));
  if (plaintext)
    return {
      port,
      kind: isHttpProtocol(first.server.protocol) ? "http" : "tcp",
      servers: decided,
      mode,
      policy,
      sniDependent: false,
      clash: null,
    };
  // An AUTO_PASSTHROUGH server's chains match the cluster SNI of each service its hosts cover, even
  // for hosts "*" (builtAutoPassthroughFilterChains, pilot/pkg/networking/core/gateway.go): the
  // client's SNI decides there too.
  const sniDependent = servers.some(
    (s) => s.server.tls === "AUTO_PASSTHROUGH" || !s.server.sniHosts.includes("*"),
  );
  return { port, kind: "tls", servers: decided, mode, policy, sniDependent, clash: sniClash(servers) };
}

const isPassthrough = (s: ListenerServer) =>
  s.server.tls === "PASSTHROUGH" || s.server.tls === "AUTO_PASSTHROUGH";

/** Whether a server host (its name part: exact, "*.suffix" or "*") takes the name `sni` (host.Name SubsetOf / Envoy's server_names). */
const hostTakes = (host: string, sni: string): boolean => hostMatchScore(host, sni) >= 0;

/**
 * The terminating chain Envoy picks for an SNI name: an exact server name, else the longest matching
 * wildcard ("*.example.com"), else a chain without SNI match (hosts "*"). null: none matches. `sni`
 * "" (not known) matches only a chain without SNI match. PASSTHROUGH and AUTO_PASSTHROUGH servers
 * build no chain on their own hosts (see passthroughFor), so they are not candidates here.
 */
function chainFor(l: GatewayListener, sni: string): ListenerServer | null {
  // hostMatchScore ranks exactly so (exact, longer wildcard, "*"); the first server wins a tie.
  let best: ListenerServer | null = null;
  let bestScore = -1;
  for (const s of l.servers) {
    if (isPassthrough(s)) continue;
    for (const h of s.server.sniHosts) {
      const score = hostMatchScore(h, sni);
      if (score > bestScore) [best, bestScore] = [s, score];
    }
  }
  return best;
}

/**
 * A PASSTHROUGH server that may take the SNI: its chains are built from the sniHosts of the
 * VirtualServices' tls routes bound to it (buildGatewayNetworkFiltersFromTLSRoutes), each within the
 * server's hosts, which Handshake does not read: any SNI its hosts cover (or an unknown SNI) may
 * meet one of them.
 */
function passthroughFor(l: GatewayListener, sni: string): ListenerServer | null {
  for (const s of l.servers)
    if (s.server.tls === "PASSTHROUGH" && (sni === "" || s.server.sniHosts.some((h) => hostTakes(h, sni))))
      return s;
  return null;
}

/**
 * An AUTO_PASSTHROUGH server with a chain for the SNI: builtAutoPassthroughFilterChains builds one
 * chain per mesh service (and port, and subset) whose hostname its hosts cover, matched on the
 * cluster's SNI outbound_.<port>_.<subset>_.<host> and on Istio's mTLS ALPNs, so only a sidecar's
 * Istio mTLS with that SNI meets it.
 */
function autoPassthroughFor(l: GatewayListener, sni: string): ListenerServer | null {
  if (!sni.startsWith("outbound_.")) return null;
  const parts = sni.split("_.");
  const host = parts[parts.length - 1]!;
  for (const s of l.servers)
    if (s.server.tls === "AUTO_PASSTHROUGH" && s.server.sniHosts.some((h) => hostTakes(h, host))) return s;
  return null;
}

/** The SNI a sidecar's Istio mTLS carries without DestinationRule sni: BuildDNSSrvSubsetKey (outbound_.<port>_.<subset>_.<host>). */
export const defaultIstioSni = (port: number, subset: string, host: string) =>
  `outbound_.${port}_.${subset}_.${host}`;

export interface GatewayCell {
  verdict: "mtls" | "plaintext" | "tls" | "broken" | "unknown";
  symptom: string;
  /** The server (its Gateway) whose chain decided the verdict; the listener's first Gateway when no single chain did. */
  server: ServerDecision;
}

const nsName = (g: IstioGateway) => `${g.namespace}/${g.name}`;
function serverTls(s: GatewayServer): string {
  // An HTTP server's tls block adds no TLS (validateServer allows only httpsRedirect there).
  if (isHttpProtocol(s.protocol))
    return s.httpsRedirect
      ? ", tls.httpsRedirect"
      : s.tls
        ? ", a tls block without certificates"
        : ", no tls";
  return s.tls ? `, tls.mode ${s.tls}` : ", no tls";
}
const serverName = (s: ListenerServer) =>
  `Gateway ${nsName(s.gateway)}'s server for port ${s.server.port} (${s.server.protocol}${serverTls(s.server)})`;

const gcell = (verdict: GatewayCell["verdict"], symptom: string, by: ListenerServer): GatewayCell => ({
  verdict,
  symptom,
  server: by.decision,
});

/**
 * What a client sending `client` meets on the listener. `sni`: the SNI its TLS carries ("" when not
 * known: a DestinationRule SIMPLE/MUTUAL without sni). `tlsPort`: the Service declares the port TLS,
 * so a caller's application may speak TLS there itself.
 */
export function gatewayCell(
  client: ClientTls,
  l: GatewayListener,
  sni: string,
  tlsPort: boolean,
): GatewayCell {
  const first = l.servers[0]!;
  if (l.clash !== null)
    return gcell(
      "unknown",
      `two Gateway servers on that port take the SNI ${l.clash} (hosts in different namespaces pass Istio's duplicate check), so Envoy refuses the listener`,
      first,
    );
  switch (client) {
    case "NONE":
    case "DISABLE":
    case "LINKERD":
      if (l.kind !== "tls")
        return gcell("plaintext", `plaintext passes: ${serverName(first)} sets no TLS`, first);
      // No plaintext chain: only TLS the caller's application originates can match one.
      if (l.mode === "STRICT")
        return gcell(
          "broken",
          `every server on that port takes only Istio mTLS (${serverName(first)}), which plaintext cannot match`,
          first,
        );
      return gcell(
        "unknown",
        `${serverName(first)} takes only TLS, which ${tlsPort ? "the caller's application must originate (the port is declared TLS)" : "the caller's application would have to originate"}`,
        first,
      );
    case "HBONE":
      return gcell("unknown", "Istio documents no HBONE into a gateway's listeners", first);
    case "ISTIO_MUTUAL":
    case "SIMPLE":
    case "MUTUAL":
      return tlsClientCell(client, l, sni);
  }
}

function tlsClientCell(
  client: "ISTIO_MUTUAL" | "SIMPLE" | "MUTUAL",
  l: GatewayListener,
  sni: string,
): GatewayCell {
  const first = l.servers[0]!;
  const what = client === "ISTIO_MUTUAL" ? "Istio mTLS" : "TLS";
  if (l.kind === "http")
    return gcell("broken", `its ${what} meets the plaintext HTTP listener of ${serverName(first)}`, first);
  if (l.kind === "tcp")
    return gcell(
      client === "ISTIO_MUTUAL" ? "unknown" : "tls",
      `${serverName(first)} passes the bytes on as plain TCP, so the ${what} ends wherever its route leads`,
      first,
    );
  const pass = passthroughFor(l, sni);
  if (pass)
    return gcell(
      "unknown",
      `${serverName(pass)} forwards TLS by SNI without terminating it, on chains built from the sniHosts of VirtualService tls routes, which Handshake does not read`,
      pass,
    );
  if (client === "ISTIO_MUTUAL") {
    const auto = autoPassthroughFor(l, sni);
    // The handshake completes at the proxy of the service the SNI names (possibly in another cluster), not at the gateway.
    if (auto)
      return gcell(
        "unknown",
        `${serverName(auto)} forwards the Istio mTLS for SNI ${sni} to the service it names, whose proxy terminates it`,
        auto,
      );
    // Istio mTLS whose SNI is not known may carry the outbound_ SNI of a service the server covers.
    const anyAuto = sni === "" ? l.servers.find((s) => s.server.tls === "AUTO_PASSTHROUGH") : undefined;
    if (anyAuto)
      return gcell(
        "unknown",
        `${serverName(anyAuto)} forwards Istio mTLS whose SNI names a service its hosts cover, and the SNI this client sends is not known`,
        anyAuto,
      );
  }
  const chain = chainFor(l, sni);
  if (sni === "" && l.servers.some((s) => !isPassthrough(s) && !s.server.sniHosts.includes("*")))
    // Without a DestinationRule sni Envoy's auto SNI may send the request's Host, which an exact-host chain would take.
    return gcell(
      "unknown",
      `which Gateway server on that port takes it depends on the SNI, which no DestinationRule sni sets`,
      chain ?? first,
    );
  if (!chain) {
    const auto = l.servers.find((s) => s.server.tls === "AUTO_PASSTHROUGH");
    const why = auto
      ? `; ${serverName(auto)} takes only Istio mTLS whose SNI is outbound_.<port>_.<subset>_.<host> of a service its hosts cover`
      : "";
    return sni === ""
      ? gcell(
          "broken",
          `no Gateway server on that port has a chain for TLS without a known SNI${why}`,
          auto ?? first,
        )
      : gcell(
          "broken",
          `no Gateway server on that port matches the SNI ${sni} it sends (the servers' hosts are the SNI names their chains take)${why}`,
          auto ?? first,
        );
  }
  const at = serverName(chain);
  switch (chain.server.tls) {
    case "ISTIO_MUTUAL":
      if (client === "ISTIO_MUTUAL") return gcell("mtls", `Istio mTLS, terminated by ${at}`, chain);
      return client === "SIMPLE"
        ? gcell(
            "broken",
            `${at} requires an Istio client certificate, which tls.mode SIMPLE does not present`,
            chain,
          )
        : gcell("unknown", `${at} takes only client certificates issued by the mesh CA`, chain);
    default:
      // SIMPLE, MUTUAL, OPTIONAL_MUTUAL: the credentialName certificate.
      if (client === "ISTIO_MUTUAL")
        return gcell(
          "broken",
          `${at} presents its credentialName certificate, not an Istio workload certificate, so the client's Istio mTLS handshake fails`,
          chain,
        );
      if (chain.server.tls === "MUTUAL" && client === "SIMPLE")
        return gcell(
          "broken",
          `${at} requires a client certificate, which tls.mode SIMPLE does not present`,
          chain,
        );
      return gcell("tls", `the gateway terminates it with ${at}`, chain);
  }
}
