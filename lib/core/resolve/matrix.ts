// The compatibility matrix of istio.md §4: what happens when a client sending X meets a server
// accepting Y. One table, read by the edge predictor and tested cell by cell.
import type { ClientTls, Verdict } from "../snapshot/schema";
import type { EnforcedMode } from "./peerAuthentication";
import type { ServerDecision } from "./resolver";
import { gatewayCell, type GatewayListener } from "./gatewayListener";

/**
 * "gateway": an Istio gateway's listener, whose TLS comes from its Gateway resource (`listener`);
 * "waypoint": a waypoint, which takes HBONE only (resolver GATEWAY_DECISION, WAYPOINT_DECISION).
 */
export type ServerKind = "sidecar" | "ambient" | "linkerd" | "none" | "gateway" | "waypoint";

export interface ServerAccept {
  kind: ServerKind;
  /** The enforced mode; ignored for kinds "none", "linkerd", "gateway" and "waypoint". */
  mode: EnforcedMode;
  /** The port is declared HTTP (name/appProtocol http*, grpc*): no chain for TLS without Istio ALPN. */
  httpPort: boolean;
  /**
   * The port is declared TLS (name/appProtocol https, tls): the caller's application speaks TLS there.
   * Read for gateways only, whose listener on such a port is a Gateway server Handshake does not read.
   */
  tlsPort?: boolean;
  /** For gateways: the listener the Gateway servers build on the port; absent or null when none lands there. */
  listener?: GatewayListener | null;
  /**
   * For kind "none": an entry endpoint (WorkloadEntry, ServiceEntry endpoint) labelled
   * networking.istio.io/tunnel=http. A proxy on the VM terminates HBONE there; what else it accepts,
   * and whether it applies PeerAuthentication, istiod does not know.
   */
  tunnel?: boolean;
}

export interface MatrixCell {
  verdict: Verdict;
  /** Short symptom, for the edge's reason. */
  symptom: string;
  /**
   * Set by a gateway listener only: the server side naming the Gateway whose server's chain decided
   * the verdict (several Gateways may share the port); otherwise the endpoint's own decision stands.
   */
  server?: ServerDecision;
}

const cell = (verdict: Verdict, symptom: string): MatrixCell => ({ verdict, symptom });

// What Handshake can say about a gateway port no Gateway server lands on (none in the inputs), or a waypoint.
const GATEWAY_PLAINTEXT = cell("plaintext", "plaintext passes where that Gateway server sets no TLS");
// An https/tls port of a gateway: the mesh adds no TLS, but the caller's application does (Istio
// forwards the bytes of a TLS-declared port as they come); whether it lands depends on the Gateway
// server (SIMPLE or PASSTHROUGH take it, ISTIO_MUTUAL or plain HTTP do not).
const GATEWAY_APP_TLS = cell("unknown", "the port is declared TLS, so the caller's application originates TLS, which only a Gateway server with TLS (or PASSTHROUGH) on that port takes");
const GATEWAY_ISTIO_MUTUAL = cell("unknown", "Istio mTLS is terminated there only by a Gateway server with tls.mode ISTIO_MUTUAL");
const GATEWAY_OWN_TLS = cell("tls", "the gateway terminates it where that Gateway server sets TLS");
const GATEWAY_HBONE = cell("unknown", "Istio documents no HBONE into a gateway's listeners");
const WAYPOINT_PLAINTEXT = cell("broken", "it has no listener for plaintext");
const WAYPOINT_OTHER_TLS = cell("unknown", "Istio documents no way into a waypoint but HBONE");
const ENTRY_HBONE = cell("mtls", "HBONE mTLS to the proxy its tunnel label announces");

function plaintextClient(s: ServerAccept): MatrixCell {
  if (s.kind === "sidecar" && s.mode === "STRICT") return cell("broken", "the STRICT sidecar has no plaintext filter chain and resets the connection");
  if (s.kind === "ambient" && s.mode === "STRICT") return cell("broken", "ztunnel denies plaintext to a STRICT ambient workload");
  if (s.kind === "gateway") return s.tlsPort ? GATEWAY_APP_TLS : GATEWAY_PLAINTEXT;
  if (s.kind === "waypoint") return WAYPOINT_PLAINTEXT;
  if (s.kind === "none") return cell("plaintext", "neither side encrypts");
  return cell("plaintext", "the server accepts plaintext");
}

function istioMutualClient(s: ServerAccept): MatrixCell {
  switch (s.kind) {
    case "sidecar":
      return s.mode === "DISABLE"
        ? cell("broken", "TLS bytes reach the plaintext chain of a DISABLE port (503 UC/UF)")
        : cell("mtls", "Istio mTLS");
    case "none":
      return cell("broken", "the server has no proxy to terminate Istio mTLS (503 UF, WRONG_VERSION_NUMBER)");
    case "linkerd":
      return cell("broken", "the Linkerd proxy forwards Istio's TLS opaquely to an application that expects plaintext");
    case "ambient":
      // Explicit ISTIO_MUTUAL towards a ztunnel-captured pod is not a combination Istio documents.
      return cell("unknown", "explicit ISTIO_MUTUAL towards an ambient workload is not documented by Istio");
    case "gateway":
      return GATEWAY_ISTIO_MUTUAL;
    case "waypoint":
      return WAYPOINT_OTHER_TLS;
  }
}

function ownTlsClient(s: ServerAccept): MatrixCell {
  switch (s.kind) {
    case "sidecar":
      if (s.mode === "STRICT") return cell("broken", "a STRICT sidecar requires an Istio client certificate");
      return s.httpPort
        ? cell("broken", "an HTTP-declared port has no filter chain for TLS without Istio ALPN")
        : cell("tls", "the sidecar passes the TLS through; it works only if the application terminates it");
    case "ambient":
      return s.mode === "STRICT"
        ? cell("broken", "ztunnel denies non-HBONE traffic to a STRICT ambient workload")
        : cell("tls", "ztunnel passes the TLS through to the application");
    case "linkerd":
    case "none":
      return cell("tls", "TLS terminated by the application, not by the mesh");
    case "gateway":
      return GATEWAY_OWN_TLS;
    case "waypoint":
      return WAYPOINT_OTHER_TLS;
  }
}

function hboneClient(s: ServerAccept): MatrixCell {
  switch (s.kind) {
    case "ambient":
    case "sidecar":
    case "waypoint":
      return cell("mtls", "HBONE mTLS");
    case "gateway":
      return GATEWAY_HBONE;
    case "none":
      return s.tunnel ? ENTRY_HBONE : cell("broken", "HBONE towards a pod without a mesh proxy");
    case "linkerd":
      return cell("broken", "HBONE towards a pod without a mesh proxy");
  }
}

/**
 * `sni`: the SNI the client's TLS carries, read only by a gateway listener whose chains match SNI
 * ("" when not known).
 */
export function matrixVerdict(client: ClientTls, server: ServerAccept, sni = ""): MatrixCell {
  if (server.kind === "gateway" && server.listener) return gatewayCell(client, server.listener, sni, server.tlsPort === true);
  switch (client) {
    case "NONE":
    case "DISABLE":
      return plaintextClient(server);
    case "ISTIO_MUTUAL":
      return istioMutualClient(server);
    case "SIMPLE":
    case "MUTUAL":
      return ownTlsClient(server);
    case "HBONE":
      return hboneClient(server);
    case "LINKERD":
      return server.kind === "linkerd" ? cell("mtls", "Linkerd mTLS") : plaintextClient(server);
  }
}

const RANK: Record<Verdict, number> = { broken: 4, plaintext: 3, unknown: 2, tls: 1, mtls: 0 };

/** Worst first: broken > plaintext > unknown > tls > mtls (contract.md §1.1, several endpoints). */
export function worseVerdict(a: Verdict, b: Verdict): boolean {
  return RANK[a] > RANK[b];
}

/** The declared protocol: appProtocol, else the port name's first "-" segment; lower case. */
function declaredProtocol(p: { name?: string; appProtocol?: string }): string {
  // Cut without split(): this runs for every endpoint of every edge's port.
  let proto = p.appProtocol;
  if (proto === undefined) {
    const name = p.name ?? "";
    const dash = name.indexOf("-");
    proto = dash < 0 ? name : name.slice(0, dash);
  }
  return proto.toLowerCase();
}

/** Ports whose protocol Istio treats as HTTP: name prefix or appProtocol http*, grpc* (IST0118 conventions). */
export function isHttpPort(p: { name?: string; appProtocol?: string }): boolean {
  const proto = declaredProtocol(p);
  return proto.startsWith("http") && proto !== "https" ? true : proto.startsWith("grpc");
}

/** Ports Istio treats as opaque TCP: protocol TCP, Mongo, Redis or MySQL (protocol.Parse; IsTCP without HTTPS and TLS). */
export function isTcpPort(p: { name?: string; appProtocol?: string }): boolean {
  const proto = declaredProtocol(p);
  return proto === "tcp" || proto === "mongo" || proto === "redis" || proto === "mysql";
}

/** Ports Istio treats as TLS: protocol HTTPS or TLS (protocol.Parse of the name prefix or appProtocol). */
export function isTlsPort(p: { name?: string; appProtocol?: string }): boolean {
  const proto = declaredProtocol(p);
  return proto === "https" || proto === "tls";
}
