// One edge (client workload → Service port): what the client sends to each endpoint (istio.md §2, §3,
// §9.10), what each endpoint accepts (§1), the §4 matrix per endpoint, and the worst endpoint
// (contract §1.1). A field the spec does not decide is `undefined` ("unspecified") and not compared.
import type { KubeObject } from "../../../lib/core/model/input";
import { clusterTls, endpointTaggingTls, lookupDestinationRule, sentBy } from "./destinationRule";
import { selects, targetPortOn, type RInventory, type RService, type RServicePort, type RWorkload } from "./inventory";
import { composeForWorkload, modeForPort, namespaceMode, type Mode } from "./peerAuthentication";

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

const drRef = (dr: KubeObject): DrRef => ({ kind: "DestinationRule", namespace: dr.metadata.namespace ?? "default", name: dr.metadata.name });

/** A sidecar client: DR TLS for the port, else auto mTLS (§2.3, §3). Returns the TLS per endpoint, or undefined where unspecified. */
function sidecarSends(inv: RInventory, client: RWorkload, svc: RService, sp: RServicePort, eps: Endpoint[], dr: KubeObject | null): (ClientTls | undefined)[] {
  const tls = clusterTls(dr, sp.port);
  if (tls !== undefined && dr) {
    const sent = sentBy(tls, dr);
    // What a sidecar's explicit DR TLS becomes towards an HBONE endpoint is not in the spec (§9.10
    // only describes waypoints).
    return eps.map((e) => (e.w.dataplane === "ambient" ? undefined : sent));
  }
  // Whether a sidecar still uses HBONE towards an ambient pod with auto mTLS off is not in the spec
  // (§3.3 puts the hbone match inside the auto-detected socket, §9.10 says sidecars reach ambient pods via HBONE).
  if (!inv.autoMtls) return eps.map((e) => (e.w.dataplane === "ambient" ? undefined : "DISABLE"));
  // §3.2 BestEffortInferServiceMTLSMode: passthrough (headless) services need every endpoint labelled.
  const passthroughPlain = svc.headless && (eps.length === 0 || eps.some((e) => !isIstioLabelled(e.w)));
  const clusterPlain = passthroughPlain || namespaceMode(inv, svc.namespace) === "DISABLE";
  if (clusterPlain) return eps.map((e) => (e.w.dataplane === "ambient" ? undefined : "DISABLE"));
  // §3.3 headless: no per-endpoint match, mTLS to every endpoint.
  if (svc.headless) return eps.map((e) => (e.w.dataplane === "ambient" ? undefined : "ISTIO_MUTUAL"));
  const tagging = endpointTaggingTls(dr, sp.port);
  return eps.map((e) => {
    // §3.3 / §9.10: the hbone transport-socket match comes first for ambient endpoints.
    if (e.w.dataplane === "ambient") return "HBONE";
    if (!isIstioLabelled(e.w)) return "DISABLE";
    const tagged = tagging !== undefined ? tagging.mode === "ISTIO_MUTUAL" : modeForPort(composeForWorkload(inv, e.w), e.port).mode !== "DISABLE";
    return tagged ? "ISTIO_MUTUAL" : "DISABLE";
  });
}

function endpointVerdict(client: RWorkload, tls: ClientTls | undefined, explicit: ClientTls | null, e: Endpoint, server: Mode | undefined, http: boolean): Verdict | undefined {
  if (e.w.dataplane === "ambient") {
    // A sidecar's explicit DR TLS towards an ambient pod: istio.md §9.10 describes only waypoints
    // (ISTIO_MUTUAL replaced by HBONE there); docs/DECISIONS.md says "unknown", the core says HBONE.
    if (explicit !== null) return undefined;
    // §4 ambient columns.
    if (client.dataplane === "none") return server === "STRICT" ? "broken" : "plaintext";
    if (client.dataplane === "ambient") return "mtls";
    if (tls === "HBONE") return "mtls";
    return undefined;
  }
  if (client.dataplane === "ambient") {
    // §4 "ambient pod → sidecar pod": plaintext TCP without the tunnel label (never generated).
    return server === "STRICT" ? "broken" : "plaintext";
  }
  // Excluded ports reach the app directly: no proxy on that port (docs/DECISIONS.md "Ports excluded from inbound capture").
  return tls === undefined ? undefined : sidecarMatrix(tls, excluded(e) ? "NONE" : server!, http);
}

export function edgeId(client: RWorkload, host: string, port: number): string {
  return `${client.namespace}/${client.name}->${host}:${port}`;
}

export function referenceEdge(inv: RInventory, client: RWorkload, svc: RService, sp: RServicePort): RefEdgeAnswer {
  const id = edgeId(client, svc.host, sp.port);
  const dr = client.dataplane === "sidecar" ? lookupDestinationRule(inv, client.namespace, svc.namespace, svc.host) : null;
  // The DR named is the one whose TLS the client sends (origin "destinationrule"); under auto mTLS
  // none decides. ztunnel does not use DestinationRules (§9.10); a client without proxy has none.
  const drTls = clusterTls(dr, sp.port);
  const explicit: ClientTls | null = dr && drTls !== undefined ? sentBy(drTls, dr) : null;
  // Under auto mTLS behind EDS, a DR whose mode for the port tags the endpoints (§2.3 ⚠) steers what is
  // sent, so it is named too (docs/DECISIONS.md, "DR endpoint tagging").
  const steers = explicit === null && !!dr && inv.autoMtls && !svc.headless && !svc.external && namespaceMode(inv, svc.namespace) !== "DISABLE" && endpointTaggingTls(dr, sp.port) !== undefined;
  const destinationRule = dr && (explicit !== null || steers) ? drRef(dr) : null;

  if (svc.external) {
    // contract §1.1 External destinations; istio.md §3.2 MESH_EXTERNAL never gets auto mTLS.
    let tls: ClientTls | undefined = client.dataplane === "none" ? "NONE" : undefined;
    if (client.dataplane === "sidecar") {
      const t = clusterTls(dr, sp.port);
      tls = t !== undefined && dr ? sentBy(t, dr) : "DISABLE";
    }
    const verdict: Verdict = tls === "SIMPLE" || tls === "MUTUAL" ? "tls" : "unknown";
    const only: EndpointAnswer = { workload: null, tls, serverMode: undefined, verdict, why: "external" };
    return { id, destinationRule, verdict, candidates: [only], endpoints: [only] };
  }

  const eps = endpointsOf(inv, svc, sp);
  let sends: (ClientTls | undefined)[];
  if (client.dataplane === "none") sends = eps.map(() => "NONE");
  else if (client.dataplane === "ambient") sends = eps.map((e) => (e.w.dataplane === "ambient" ? "HBONE" : undefined));
  else sends = sidecarSends(inv, client, svc, sp, eps, dr);

  const http = isHttp(sp);
  const endpoints: EndpointAnswer[] = eps.map((e, i) => {
    const server = serverMode(inv, e);
    return { workload: `${e.w.namespace}/${e.w.name}`, tls: sends[i], serverMode: server, verdict: endpointVerdict(client, sends[i], explicit, e, server, http), why: "" };
  });
  if (endpoints.length === 0) {
    // No endpoint, so no verdict or server mode; what the client sends may still be decided without one.
    let tls: ClientTls | undefined;
    if (client.dataplane === "none") tls = "NONE";
    else if (client.dataplane === "sidecar") {
      if (explicit !== null) tls = explicit;
      else if (!inv.autoMtls || svc.headless || namespaceMode(inv, svc.namespace) === "DISABLE") tls = "DISABLE";
    }
    const none: EndpointAnswer = { workload: null, tls, serverMode: undefined, verdict: undefined, why: "no endpoints" };
    return { id, destinationRule, verdict: undefined, candidates: [none], endpoints };
  }

  const known = endpoints.filter((e) => e.verdict !== undefined);
  const worst = Math.max(...known.map((e) => RANK[e.verdict!]), -1);
  const unspecified = endpoints.filter((e) => e.verdict === undefined);
  // An endpoint whose verdict the spec leaves open could be the worst, unless a known one is already broken.
  if (unspecified.length > 0 && worst < RANK.broken) return { id, destinationRule, verdict: undefined, candidates: endpoints, endpoints };
  const candidates = [...known.filter((e) => RANK[e.verdict!] === worst), ...unspecified];
  return { id, destinationRule, verdict: known.find((e) => RANK[e.verdict!] === worst)!.verdict, candidates, endpoints };
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
