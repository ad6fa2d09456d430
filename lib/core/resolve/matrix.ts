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
  /**
   * The enforced mode; ignored for kinds "none", "gateway" and "waypoint". For "linkerd", STRICT when
   * the port's inbound policy refuses unauthenticated callers (linkerdInbound.ts).
   */
  mode: EnforcedMode;
  /** For kind "linkerd": whether the port admits unauthenticated callers cannot be told (linkerdInbound `undecided`). */
  undecided?: boolean;
  /** For kind "linkerd": the caller's address may change the answer (networks, linkerd-init's skipped subnets, IPv6; linkerdInbound `byNetwork`). */
  byNetwork?: true;
  /** For kind "linkerd": the port's policy for this caller, decided by its pods' addresses (linkerdCallerInbound), for the reason. */
  callerWhy?: string;
  /** The port is declared HTTP (name/appProtocol http*, grpc*): no chain for TLS without Istio ALPN. */
  httpPort: boolean;
  /**
   * A sidecar or ambient endpoint's port whose protocol is not declared HTTP, TCP or TLS: the client's
   * outbound listener sniffs it (HTTP goes through the HTTP connection manager, the rest as TCP).
   */
  sniffed?: boolean;
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
const GATEWAY_APP_TLS = cell(
  "unknown",
  "the port is declared TLS, so the caller's application originates TLS, which only a Gateway server with TLS (or PASSTHROUGH) on that port takes",
);
const GATEWAY_ISTIO_MUTUAL = cell(
  "unknown",
  "Istio mTLS is terminated there only by a Gateway server with tls.mode ISTIO_MUTUAL",
);
const GATEWAY_OWN_TLS = cell("tls", "the gateway terminates it where that Gateway server sets TLS");
const GATEWAY_HBONE = cell("unknown", "Istio documents no HBONE into a gateway's listeners");
const WAYPOINT_PLAINTEXT = cell("broken", "it has no listener for plaintext");
const WAYPOINT_OTHER_TLS = cell("unknown", "Istio documents no way into a waypoint but HBONE");
const ENTRY_HBONE = cell("mtls", "HBONE mTLS to the proxy its tunnel label announces");

function plaintextClient(s: ServerAccept): MatrixCell {
  if (s.kind === "sidecar" && s.mode === "STRICT")
    return cell("broken", "the STRICT sidecar has no plaintext filter chain and resets the connection");
  if (s.kind === "ambient" && s.mode === "STRICT")
    return cell("broken", "ztunnel denies plaintext to a STRICT ambient workload");
  if (s.kind === "gateway") return s.tlsPort ? GATEWAY_APP_TLS : GATEWAY_PLAINTEXT;
  if (s.kind === "waypoint") return WAYPOINT_PLAINTEXT;
  if (s.kind === "none") return cell("plaintext", "neither side encrypts");
  if (s.kind === "linkerd" && s.undecided) return LINKERD_UNDECIDED;
  if (s.kind === "linkerd" && s.mode === "STRICT") return LINKERD_REFUSES;
  return cell("plaintext", "the server accepts plaintext");
}

// Linkerd's proxy on a port whose inbound policy admits only meshed clients (or none): denied HTTP gets a
// 403, other traffic a closed connection (linkerd.io features/server-policy.md, "Policy rejections").
const LINKERD_REFUSES = cell(
  "broken",
  "the Linkerd proxy refuses unauthenticated traffic (HTTP 403, or the connection is closed)",
);
const LINKERD_UNDECIDED = cell(
  "unknown",
  "whether the Linkerd proxy admits unauthenticated traffic there cannot be told from the inputs",
);

function istioMutualClient(s: ServerAccept): MatrixCell {
  switch (s.kind) {
    case "sidecar":
      return s.mode === "DISABLE"
        ? cell("broken", "TLS bytes reach the plaintext chain of a DISABLE port (503 UC/UF)")
        : cell("mtls", "Istio mTLS");
    case "none":
      return cell("broken", "the server has no proxy to terminate Istio mTLS (503 UF, WRONG_VERSION_NUMBER)");
    case "linkerd":
      return cell(
        "broken",
        "the Linkerd proxy forwards Istio's TLS opaquely to an application that expects plaintext",
      );
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
      // TLS the caller originates carries no Linkerd identity: the proxy takes it as an unauthenticated connection.
      if (s.undecided) return LINKERD_UNDECIDED;
      if (s.mode === "STRICT")
        return cell(
          "broken",
          "TLS the caller originates carries no Linkerd identity, and the Linkerd proxy refuses unauthenticated traffic (HTTP 403, or the connection is closed)",
        );
      return cell("tls", "TLS terminated by the application, not by the mesh");
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
 * The TLS istiod builds from a client proxy's file-mounted certificates (node metadata
 * TLS_CLIENT_CERT_CHAIN, _KEY, _ROOT_CERT) in place of Istio's own: `buildMutualTLS`, mode MUTUAL
 * (cluster_tls.go). Its TLS context carries no Istio ALPN (`constructUpstreamTLS` sets only h2 for an
 * HTTP/2 cluster; istio-peer-exchange and istio are ISTIO_MUTUAL's). Handshake takes the files as
 * issued by the mesh CA, as upstream's file_mounted_certs test sets them up (FILE_MOUNTED_CERTS, the
 * same secret at /etc/certs, istiod's own CA from those files): nothing in the inputs shows it.
 */
export interface FileTls {
  /**
   * The outbound HTTP filter istio.alpn overrides the ALPN of the cluster's HTTP requests with Istio's
   * (istio-http/1.0, istio-http/1.1, istio-h2; pilot/pkg/xds/filters/filters.go `Alpn`, added to every
   * HTTP connection manager but the sidecar's inbound one under PILOT_ENABLE_ALPN_FILTER, default true). It skips a cluster
   * whose metadata says istio.alpn_override "false" (istio/proxy#4783, now envoy
   * contrib/istio/filters/http/alpn alpn_filter.cc), which `AddALPNOverrideToMetadata`
   * (pilot/pkg/networking/util/util.go) writes for the DR policy's tls mode as written, SIMPLE or
   * MUTUAL (cluster_builder.go applyDestinationRule, buildSubsetCluster: `opts.policy.GetTls().GetMode()`,
   * before the rebuild). True for a DR's ISTIO_MUTUAL and for auto mTLS, false for a DR's MUTUAL.
   */
  httpAlpn: boolean;
  /** No root file named: `CaCertificatePath` falls back to "system" (constructUpstreamTLS), the OS trust store. */
  systemRoots: boolean;
  /**
   * The DR whose TLS istiod rebuilt sets neither `sni` nor `subjectAltNames`, on a port whose client
   * listener is HTTP or sniffed: `buildMutualTLS(tls.SubjectAltNames, tls.Sni)` carries them as written
   * (insecureSkipVerify dropped), and `constructUpstreamTLS` → `setAutoSniAndAutoSanValidation`
   * (cluster_tls.go) then sets the cluster's UpstreamHttpProtocolOptions auto_sni and
   * auto_san_validation, so Envoy checks the server certificate's SANs against each HTTP request's
   * host. Never for auto mTLS (`buildMutualTLS(serviceAccounts, sni)` always has the cluster's SNI) nor
   * on TCP/TLS ports (tcp_proxy reads no HTTP protocol options).
   */
  autoSan: boolean;
}

const FILE_ASSUMED =
  "if the files were issued by the mesh CA, as Handshake assumes (Istio's file-mounted-certificates setup)";
const FILE_STRICT = cell(
  "mtls",
  `a STRICT sidecar's chains terminate any TLS (no ALPN match) and take the client's certificate as its mesh identity ${FILE_ASSUMED}`,
);
const FILE_HTTP_ALPN = cell(
  "mtls",
  `the outbound istio.alpn filter gives the HTTP requests Istio's ALPN (istio-http/*), which selects the PERMISSIVE port's mTLS chain; mesh identity ${FILE_ASSUMED}`,
);
const FILE_PLAIN_TLS = cell(
  "broken",
  "TLS built from the files carries no Istio ALPN, so the PERMISSIVE port's plain-TLS chain passes it unterminated to the application, which expects the mesh to terminate it",
);
const FILE_SNIFFED = cell(
  "unknown",
  "the port's protocol is sniffed: HTTP gets Istio's ALPN from the istio.alpn filter and the PERMISSIVE port's mTLS chain, anything else carries no Istio ALPN and reaches the application as TLS",
);
/** Where a sidecar would terminate the file TLS, but the client checks its certificate against system roots. */
export const FILE_SYSTEM_ROOTS = cell(
  "broken",
  'without ISTIO_META_TLS_CLIENT_ROOT_CERT the client proxy checks the server\'s mesh certificate against the system trust store (caCertificates "system"), which does not hold the mesh root',
);
/** Where a sidecar would terminate the file TLS with its mesh certificate, but auto SAN validation asks it to name the host (FileTls.autoSan). */
const FILE_AUTO_SAN = cell(
  "unknown",
  "the DestinationRule sets neither sni nor subjectAltNames, so istiod turns on Envoy's auto SNI and auto SAN validation for the HTTP requests (setAutoSniAndAutoSanValidation): the server's certificate must carry the requested host as a DNS SAN, which the inputs do not show (a mesh-CA certificate carries only its SPIFFE ID, and the call then fails the handshake); set subjectAltNames (or sni) in the DR to what the server's certificate carries",
);
const FILE_GATEWAY = cell(
  "unknown",
  "how a gateway's listener takes TLS built from the client's file-mounted certificates is not modelled",
);
/** HBONE carrying the file TLS (applyHBONETransportSocketMatches keeps a MUTUAL socket as the tunnel's inner one). */
export const HBONE_FILES_CELL = cell(
  "unknown",
  "HBONE carries the TLS istiod built from the client's file-mounted certificates (a MUTUAL socket stays inside the tunnel), and the application behind it receives that TLS as is",
);

/**
 * What a server does with FileTls. A STRICT sidecar terminates it; a DR's MUTUAL (no Istio ALPN) meets
 * the rest as any MUTUAL does (ownTlsClient); TLS meant as Istio mTLS (a DR's ISTIO_MUTUAL, auto mTLS)
 * is Istio mTLS on a PERMISSIVE HTTP port only (filterchain_options.go: the PERMISSIVE chains match
 * Istio's ALPNs; on TCP the plain-TLS chain forwards it), and meets everything else as ISTIO_MUTUAL.
 * With system roots, whatever a sidecar terminates with its mesh certificate fails verification;
 * under auto SAN validation it is unknown.
 */
export function fileTlsCell(files: FileTls, s: ServerAccept, sni: string): MatrixCell {
  const c = fileTlsTerminated(files, s, sni);
  if (c.verdict !== "mtls") return c;
  // The chain fails against system roots whatever the names; else the names decide (FileTls.autoSan).
  return files.systemRoots ? FILE_SYSTEM_ROOTS : files.autoSan ? FILE_AUTO_SAN : c;
}

function fileTlsTerminated(files: FileTls, s: ServerAccept, sni: string): MatrixCell {
  if (s.kind === "sidecar" && s.mode === "STRICT") return FILE_STRICT;
  if (!files.httpAlpn) return s.kind === "sidecar" ? ownTlsClient(s) : matrixVerdict("MUTUAL", s, sni);
  if (s.kind === "sidecar" && s.mode === "PERMISSIVE")
    return s.httpPort ? FILE_HTTP_ALPN : s.sniffed ? FILE_SNIFFED : FILE_PLAIN_TLS;
  if (s.kind === "gateway") return FILE_GATEWAY;
  return istioMutualClient(s);
}

/**
 * `sni`: the SNI the client's TLS carries, read only by a gateway listener whose chains match SNI
 * ("" when not known).
 */
export function matrixVerdict(client: ClientTls, server: ServerAccept, sni = ""): MatrixCell {
  if (server.kind === "gateway" && server.listener)
    return gatewayCell(client, server.listener, sni, server.tlsPort === true);
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
