// One edge (client workload → Service port): what the client sends to each endpoint (istio.md §2, §3,
// §9.2, §9.10; docs/DECISIONS.md "Sidecars send HBONE first", "Sidecar egress scope"), what each
// endpoint accepts (§1), the §4 matrix per endpoint, and the worst endpoint (contract §1.1). A field
// the spec does not decide is `undefined` ("unspecified") and not compared.
import type { KubeObject } from "../../../lib/core/model/input";
import { clusterTls, endpointTaggingTls, lookupDestinationRule, sentBy } from "./destinationRule";
import {
  meshOf,
  selects,
  targetPortOn,
  type RInventory,
  type RService,
  type RServicePort,
  type RWorkload,
} from "./inventory";
import { composeForWorkload, modeForPort, namespaceMode, type Mode } from "./peerAuthentication";
import { imports, outboundPolicy } from "./sidecar";

export type ClientTls = "ISTIO_MUTUAL" | "MUTUAL" | "SIMPLE" | "DISABLE" | "HBONE" | "NONE";
export type Verdict = "mtls" | "plaintext" | "tls" | "broken" | "unknown";

export interface DrRef {
  kind: "DestinationRule";
  namespace: string;
  name: string;
}

/** One endpoint's answer; undefined = the spec does not say. */
export interface EndpointAnswer {
  workload: string | null;
  tls: ClientTls | undefined;
  serverMode: Mode | undefined;
  verdict: Verdict | undefined;
  why: string;
}

export interface RefEdgeAnswer {
  id: string;
  destinationRule: DrRef | null | undefined;
  verdict: Verdict | undefined;
  /** Every endpoint that ties for worst; the core may describe any of them. */
  candidates: EndpointAnswer[];
  endpoints: EndpointAnswer[];
}

const RANK: Record<Verdict, number> = { broken: 4, plaintext: 3, unknown: 2, tls: 1, mtls: 0 };

/** istio.md §9.6: the port protocol from the Service port name prefix or appProtocol. */
function isHttp(sp: RServicePort): boolean {
  const p = (sp.appProtocol ?? sp.name.split("-")[0] ?? "").toLowerCase();
  return p.startsWith("http") || p.startsWith("grpc");
}

/** §4 sidecar / no-sidecar columns. */
function sidecarMatrix(tls: ClientTls, server: Mode, http: boolean): Verdict {
  switch (tls) {
    case "NONE":
    case "DISABLE":
      return server === "STRICT" ? "broken" : "plaintext";
    case "ISTIO_MUTUAL":
      return server === "STRICT" || server === "PERMISSIVE" ? "mtls" : "broken";
    case "SIMPLE":
    case "MUTUAL":
      // Rows D/E: STRICT refuses; PERMISSIVE/DISABLE hand the bytes to the app on TCP ports only;
      // a plain app behind no proxy works if it speaks TLS.
      if (server === "STRICT") return "broken";
      if (server === "NONE") return "tls";
      return http ? "broken" : "tls";
    case "HBONE":
      return "mtls";
  }
}

interface Endpoint {
  w: RWorkload;
  port: number;
}

function endpointsOf(inv: RInventory, svc: RService, sp: RServicePort): Endpoint[] {
  const out: Endpoint[] = [];
  for (const w of inv.workloads) {
    if (!selects(svc, w)) continue;
    const port = targetPortOn(sp, w);
    if (port !== null) out.push({ w, port });
  }
  return out;
}

const isIstioLabelled = (w: RWorkload) => w.labels["security.istio.io/tlsMode"] === "istio";

/**
 * Whether a sidecar's cluster sees the endpoint's `tunnel: http` metadata, which the hbone
 * transport-socket match keys on (istio.md §3.3, §9.10; docs/DECISIONS.md "Sidecars send HBONE first",
 * buildEnvoyLbEndpoint): ambient pods, and sidecar pods labelled networking.istio.io/tunnel=http that
 * do not carry tlsMode=istio (an endpoint that takes legacy Istio mTLS loses the tunnel). A pod
 * without any proxy that carries the label would claim HBONE it cannot take: the spec does not say
 * what happens (undefined).
 */
function takesHbone(w: RWorkload): boolean | undefined {
  if (w.dataplane === "ambient") return true;
  const tunnel = w.labels["networking.istio.io/tunnel"] === "http";
  if (w.dataplane === "none" && tunnel) return undefined;
  return tunnel && !isIstioLabelled(w);
}

/** Whether ztunnel reaches the endpoint over HBONE (§4 "ambient pod → sidecar pod", §9.10 setTunnelProtocol): ambient pods and tunnel=http sidecar pods. */
function ztunnelHbone(w: RWorkload): boolean | undefined {
  const tunnel = w.labels["networking.istio.io/tunnel"] === "http";
  if (w.dataplane === "none" && tunnel) return undefined;
  return w.dataplane === "ambient" || tunnel;
}

/** Whether the endpoint's port bypasses its sidecar (istio.md §9.5). */
const excluded = (e: Endpoint) => e.w.dataplane === "sidecar" && e.w.excludedInbound.includes(e.port);

/**
 * What the endpoint's port accepts: its PA when a proxy is there, else NONE. On a port excluded from
 * capture the spec does not say which mode the edge reports (the verdict treats it as no proxy).
 */
function serverMode(inv: RInventory, e: Endpoint): Mode | undefined {
  if (e.w.dataplane === "none") return "NONE";
  if (excluded(e)) return undefined;
  return modeForPort(composeForWorkload(inv, e.w), e.port).mode;
}

const drRef = (dr: KubeObject): DrRef => ({
  kind: "DestinationRule",
  namespace: dr.metadata.namespace ?? "default",
  name: dr.metadata.name,
});

/**
 * "HBONE, else `otherwise`" per endpoint (applyHBONETransportSocketMatches; docs/DECISIONS.md
 * "Sidecars send HBONE first"). An endpoint whose HBONE support is unclear gets undefined.
 */
const hboneFirst = (
  eps: Endpoint[],
  otherwise: (e: Endpoint) => ClientTls | undefined,
): (ClientTls | undefined)[] =>
  eps.map((e) => {
    const t = takesHbone(e.w);
    return t === undefined ? undefined : t ? "HBONE" : otherwise(e);
  });

/** A sidecar client: DR TLS for the port, else auto mTLS (§2.3, §3). Returns the TLS per endpoint, or undefined where unspecified. */
function sidecarSends(
  inv: RInventory,
  client: RWorkload,
  svc: RService,
  sp: RServicePort,
  eps: Endpoint[],
  dr: KubeObject | null,
): (ClientTls | undefined)[] {
  const tls = clusterTls(dr, sp.port);
  if (tls !== undefined && dr) {
    const sent = sentBy(tls, dr);
    // Headless (ORIGINAL_DST) clusters keep the DR's one socket for every endpoint: no endpoint metadata, no HBONE (DECISIONS).
    if (svc.headless) return eps.map(() => sent);
    // ISTIO_MUTUAL is replaced by HBONE; DISABLE becomes "HBONE, else plaintext"; SIMPLE/MUTUAL travel inside HBONE.
    return hboneFirst(eps, () => sent);
  }
  // No DR TLS: auto mTLS off for the client's revision (contract §1.1 "Revisions"), or a cluster
  // auto mTLS leaves plaintext (§3.2), sends "HBONE, else plaintext"; a headless (ORIGINAL_DST)
  // cluster's hosts carry no endpoint metadata, so there it is plaintext to all, ambient pods
  // included (DECISIONS "Headless services: one socket, chosen from labels").
  const autoMtls = meshOf(inv.objects, client.revision).autoMtls;
  // §3.2 BestEffortInferServiceMTLSMode: passthrough (headless) services need every endpoint labelled.
  const passthroughPlain = svc.headless && (eps.length === 0 || eps.some((e) => !isIstioLabelled(e.w)));
  const clusterPlain = !autoMtls || passthroughPlain || namespaceMode(inv, svc.namespace) === "DISABLE";
  if (clusterPlain) return svc.headless ? eps.map(() => "DISABLE") : hboneFirst(eps, () => "DISABLE");
  // §3.3 headless: one auto-detected ISTIO_MUTUAL socket for every endpoint; towards an ambient pod
  // (labelled tlsMode=istio by hand) the spec does not say what ztunnel makes of it.
  if (svc.headless) return eps.map((e) => (e.w.dataplane === "ambient" ? undefined : "ISTIO_MUTUAL"));
  const tagging = endpointTaggingTls(dr, sp.port);
  return hboneFirst(eps, (e) => {
    if (!isIstioLabelled(e.w)) return "DISABLE";
    const tagged =
      tagging !== undefined
        ? tagging.mode === "ISTIO_MUTUAL"
        : modeForPort(composeForWorkload(inv, e.w), e.port).mode !== "DISABLE";
    return tagged ? "ISTIO_MUTUAL" : "DISABLE";
  });
}

/** §4 ambient columns: plaintext into ztunnel's inbound passthrough. */
const plainToAmbient = (server: Mode | undefined): Verdict | undefined =>
  server === undefined ? undefined : server === "STRICT" ? "broken" : "plaintext";

function endpointVerdict(
  client: RWorkload,
  tls: ClientTls | undefined,
  explicit: ClientTls | null,
  e: Endpoint,
  server: Mode | undefined,
  http: boolean,
): Verdict | undefined {
  if (tls === undefined) return undefined;
  // HBONE is mTLS into the endpoint's ztunnel or its sidecar's 15008 listener (§4, DECISIONS), whatever
  // rides inside. Whether a sidecar's HBONE listener still serves a port excluded from inbound capture
  // the spec does not say.
  if (tls === "HBONE") return excluded(e) ? undefined : "mtls";
  if (e.w.dataplane === "ambient") {
    if (client.dataplane === "none" || tls === "DISABLE") return plainToAmbient(server);
    // A headless cluster's one ISTIO_MUTUAL socket from a DR: DECISIONS "Explicit ISTIO_MUTUAL towards an ambient pod" says unknown.
    if (tls === "ISTIO_MUTUAL" && explicit === "ISTIO_MUTUAL") return "unknown";
    return undefined;
  }
  // Excluded ports reach the app directly: no proxy on that port (docs/DECISIONS.md "Ports excluded from inbound capture").
  return sidecarMatrix(tls, excluded(e) ? "NONE" : server!, http);
}

export function edgeId(client: RWorkload, host: string, port: number): string {
  return `${client.namespace}/${client.name}->${host}:${port}`;
}

/**
 * A sidecar client whose Sidecar does not import the host (istio.md §9.2, DECISIONS "Sidecar egress
 * scope"): PassthroughCluster sends plaintext to whatever the address reaches, no DR and no HBONE;
 * BlackHoleCluster (REGISTRY_ONLY) drops it: broken.
 */
function outsideScope(
  inv: RInventory,
  client: RWorkload,
  svc: RService,
  sp: RServicePort,
  id: string,
): RefEdgeAnswer {
  if (outboundPolicy(inv, client) === "REGISTRY_ONLY") {
    // contract §1.1 gives external destinations only "tls" or "unknown"; DECISIONS says BlackHole is
    // broken. Which wins for a MESH_EXTERNAL host is not said.
    if (svc.external) {
      const open: EndpointAnswer = {
        workload: null,
        tls: undefined,
        serverMode: undefined,
        verdict: undefined,
        why: "blackhole external",
      };
      return { id, destinationRule: null, verdict: undefined, candidates: [open], endpoints: [] };
    }
    // With no endpoint at all, DECISIONS' "a port left without endpoints is verdict unknown" meets
    // "BlackHoleCluster (broken)", and nothing ranks the two.
    const verdict: Verdict | undefined = endpointsOf(inv, svc, sp).length > 0 ? "broken" : undefined;
    const only: EndpointAnswer = {
      workload: null,
      tls: undefined,
      serverMode: undefined,
      verdict,
      why: "blackhole",
    };
    return { id, destinationRule: null, verdict, candidates: [only], endpoints: [] };
  }
  if (svc.external) {
    // contract §1.1 External destinations: no TLS from the proxy, so unknown.
    const only: EndpointAnswer = {
      workload: null,
      tls: "DISABLE",
      serverMode: undefined,
      verdict: "unknown",
      why: "passthrough",
    };
    return { id, destinationRule: null, verdict: "unknown", candidates: [only], endpoints: [only] };
  }
  const eps = endpointsOf(inv, svc, sp);
  const http = isHttp(sp);
  const endpoints: EndpointAnswer[] = eps.map((e) => {
    const server = serverMode(inv, e);
    let verdict: Verdict | undefined;
    if (e.w.dataplane === "ambient") verdict = plainToAmbient(server);
    else
      verdict = excluded(e)
        ? "plaintext"
        : server === undefined
          ? undefined
          : sidecarMatrix("DISABLE", server, http);
    return {
      workload: `${e.w.namespace}/${e.w.name}`,
      tls: "DISABLE",
      serverMode: server,
      verdict,
      why: "passthrough",
    };
  });
  return worstOf(id, null, endpoints, "DISABLE");
}

/** contract §1.1 "Several endpoints": the worst endpoint; every endpoint tied for worst is a candidate. */
function worstOf(
  id: string,
  destinationRule: DrRef | null | undefined,
  endpoints: EndpointAnswer[],
  noEndpointTls: ClientTls | undefined,
): RefEdgeAnswer {
  if (endpoints.length === 0) {
    // No endpoint, so no verdict or server mode; what the client sends may still be decided without one.
    const none: EndpointAnswer = {
      workload: null,
      tls: noEndpointTls,
      serverMode: undefined,
      verdict: undefined,
      why: "no endpoints",
    };
    return { id, destinationRule, verdict: undefined, candidates: [none], endpoints };
  }
  const known = endpoints.filter((e) => e.verdict !== undefined);
  const worst = Math.max(...known.map((e) => RANK[e.verdict!]), -1);
  const unspecified = endpoints.filter((e) => e.verdict === undefined);
  // An endpoint whose verdict the spec leaves open could be the worst, unless a known one is already broken.
  if (unspecified.length > 0 && worst < RANK.broken)
    return { id, destinationRule, verdict: undefined, candidates: endpoints, endpoints };
  const candidates = [...known.filter((e) => RANK[e.verdict!] === worst), ...unspecified];
  return {
    id,
    destinationRule,
    verdict: known.find((e) => RANK[e.verdict!] === worst)!.verdict,
    candidates,
    endpoints,
  };
}

export function referenceEdge(
  inv: RInventory,
  client: RWorkload,
  svc: RService,
  sp: RServicePort,
): RefEdgeAnswer {
  const id = edgeId(client, svc.host, sp.port);
  if (client.dataplane === "sidecar" && !imports(inv, client, svc))
    return outsideScope(inv, client, svc, sp, id);
  const dr =
    client.dataplane === "sidecar" ? lookupDestinationRule(inv, client, svc.namespace, svc.host) : null;
  const autoMtls = meshOf(inv.objects, client.revision).autoMtls;
  // The DR named is the one whose TLS the client sends (origin "destinationrule"), also when HBONE
  // replaces it (DECISIONS "Sidecars send HBONE first"); under auto mTLS none decides. ztunnel does
  // not use DestinationRules (§9.10); a client without proxy has none.
  const drTls = clusterTls(dr, sp.port);
  const explicit: ClientTls | null = dr && drTls !== undefined ? sentBy(drTls, dr) : null;
  // Under auto mTLS behind EDS, a DR whose mode for the port tags the endpoints (§2.3 ⚠) steers what is
  // sent, so it is named too (docs/DECISIONS.md, "DR endpoint tagging").
  const steers =
    explicit === null &&
    !!dr &&
    autoMtls &&
    !svc.headless &&
    !svc.external &&
    namespaceMode(inv, svc.namespace) !== "DISABLE" &&
    endpointTaggingTls(dr, sp.port) !== undefined;
  // With auto mTLS off (and not MESH_EXTERNAL, §3.2), a DR that applies but sets no TLS for the port is
  // where TLS must be set: named too (docs/DECISIONS.md, "Kiali parity").
  const autoOff = explicit === null && !!dr && !autoMtls && !svc.external;
  const destinationRule = dr && (explicit !== null || steers || autoOff) ? drRef(dr) : null;

  if (svc.external) {
    // contract §1.1 External destinations; istio.md §3.2 MESH_EXTERNAL never gets auto mTLS.
    let tls: ClientTls | undefined = client.dataplane === "none" ? "NONE" : undefined;
    if (client.dataplane === "sidecar") tls = explicit ?? "DISABLE";
    const verdict: Verdict = tls === "SIMPLE" || tls === "MUTUAL" ? "tls" : "unknown";
    const only: EndpointAnswer = { workload: null, tls, serverMode: undefined, verdict, why: "external" };
    return { id, destinationRule, verdict, candidates: [only], endpoints: [only] };
  }

  const eps = endpointsOf(inv, svc, sp);
  let sends: (ClientTls | undefined)[];
  if (client.dataplane === "none") sends = eps.map(() => "NONE");
  // ztunnel: HBONE where the endpoint takes it, else plain TCP, which the contract has no client.tls for.
  else if (client.dataplane === "ambient")
    sends = eps.map((e) => (ztunnelHbone(e.w) === true ? "HBONE" : undefined));
  else sends = sidecarSends(inv, client, svc, sp, eps, dr);

  const http = isHttp(sp);
  const endpoints: EndpointAnswer[] = eps.map((e, i) => {
    const server = serverMode(inv, e);
    let verdict = endpointVerdict(client, sends[i], explicit, e, server, http);
    // ztunnel's plain TCP to a pod without the tunnel label has no client.tls value, but its verdict is
    // specified (§4 "ambient pod → sidecar pod": plaintext, broken against STRICT).
    if (client.dataplane === "ambient" && sends[i] === undefined && ztunnelHbone(e.w) === false)
      verdict = server === "STRICT" ? "broken" : "plaintext";
    return { workload: `${e.w.namespace}/${e.w.name}`, tls: sends[i], serverMode: server, verdict, why: "" };
  });
  let noEndpointTls: ClientTls | undefined;
  if (client.dataplane === "none") noEndpointTls = "NONE";
  else if (client.dataplane === "sidecar") {
    if (explicit !== null) noEndpointTls = explicit;
    else if (!autoMtls || svc.headless || namespaceMode(inv, svc.namespace) === "DISABLE")
      noEndpointTls = "DISABLE";
  }
  return worstOf(id, destinationRule, endpoints, noEndpointTls);
}

/** All edges for (client, host) pairs: one per Service port (contract §1.1 "Edge port"). */
export function referenceEdges(inv: RInventory, pairs: { client: string; host: string }[]): RefEdgeAnswer[] {
  const out: RefEdgeAnswer[] = [];
  for (const pair of pairs) {
    const client = inv.workloads.find((w) => `${w.namespace}/${w.name}` === pair.client);
    const svc = inv.services.find((s) => s.host === pair.host);
    if (!client || !svc) continue;
    for (const sp of svc.ports) out.push(referenceEdge(inv, client, svc, sp));
  }
  return out;
}
