// Observed traffic → edges (contract.md §1.1): which series are evidence, which Service port a
// sample belongs to, one edge per (source workload, destination host, port), and its status.
import type { Service, ServicePort } from "../model/mesh";
import type { TrafficSample } from "../model/input";
import type { Client, Prediction } from "../resolve/predictEdge";
import { predictEdge } from "../resolve/predictEdge";
import { isHttpPort } from "../resolve/matrix";
import type { Resolver } from "../resolve/resolver";
import type { Edge, EdgeStatus, Observed } from "../snapshot/schema";

export interface EdgeAnalysis {
  edge: Edge;
  client: Client;
  service: Service;
  port: ServicePort;
  prediction: Prediction;
  /** Traffic went to PassthroughCluster / BlackHoleCluster according to the client's own telemetry. */
  passthroughObserved: boolean;
}

const PASSTHROUGH_HOSTS = new Set(["PassthroughCluster", "BlackHoleCluster", "InboundPassthroughClusterIpv4", "InboundPassthroughCluster"]);

const known = (v: string | undefined) => (v && v !== "unknown" ? v : null);

interface Bucket {
  client: Client;
  service: Service;
  port: ServicePort;
  dest: { mtls: number; plaintext: number; unknown: number; seen: boolean };
  sourceSide: number;
  portAmbiguous: boolean;
}

function portsFor(service: Service, protocol: string | undefined): { ports: ServicePort[]; ambiguous: boolean } {
  if (service.ports.length <= 1) return { ports: service.ports.length ? service.ports : [{ port: 0, targetPort: 0, protocol: "TCP" }], ambiguous: false };
  const proto = (protocol ?? "").toLowerCase();
  let ports = service.ports;
  if (proto === "http" || proto === "grpc") ports = service.ports.filter(isHttpPort);
  else if (proto === "tcp") ports = service.ports.filter((p) => !isHttpPort(p));
  if (ports.length === 0) ports = service.ports;
  return { ports, ambiguous: ports.length > 1 };
}

/** A Service stand-in for destinations the inventory does not hold (external hosts, passthrough). */
function unknownService(host: string, namespace: string | null): Service {
  return {
    namespace: namespace ?? "",
    name: host.split(".")[0] ?? host,
    host,
    headless: false,
    external: true,
    ports: [],
    selector: null,
    workloads: [],
    kind: "ServiceEntry",
    exportTo: [],
    passthrough: false,
  };
}

function clientFor(r: Resolver, ns: string | null, name: string | null): Client {
  if (!ns || !name) return { namespace: null, name: null, workload: null, dataplane: "none", labels: {}, revision: "" };
  const w = r.model.workloadByKey.get(`${ns}/${name}`) ?? null;
  if (w) return { namespace: ns, name, workload: w, dataplane: w.dataplane, labels: w.labels, revision: w.revision };
  // Only a proxy reports a source workload name, so an unlisted named caller is taken as a sidecar.
  return { namespace: ns, name, workload: null, dataplane: "sidecar", labels: {}, revision: "" };
}

function statusOf(verdict: Edge["predicted"]["verdict"], observed: Observed | null): { status: EdgeStatus; contradicts: boolean } {
  const o = observed ?? { mtls: 0, plaintext: 0, unknown: 0 };
  const contradicts =
    (verdict === "plaintext" && o.mtls > 0) ||
    (verdict === "mtls" && o.plaintext > 0) ||
    // A broken prediction means the server should accept nothing; destination-side successes contradict it.
    (verdict === "broken" && o.mtls + o.plaintext > 0);
  if (verdict === "broken") return { status: "broken", contradicts };
  if (contradicts) return { status: "mismatch", contradicts };
  return { status: verdict === "tls" ? "unknown" : verdict, contradicts };
}

export function edgeContradicts(e: Edge): boolean {
  return statusOf(e.predicted.verdict, e.observed).contradicts;
}

/** The client's own telemetry says the call left through PassthroughCluster: plaintext, whatever the config says (istio.md §9.3). */
function passthroughPrediction(p: Prediction, client: Client, host: string): Prediction {
  const who = client.name ? `${client.namespace}/${client.name}` : "the caller";
  const blackhole = host === "BlackHoleCluster";
  return {
    ...p,
    predicted: {
      client: { tls: "DISABLE", origin: "auto", destinationRule: null },
      server: { mode: "NONE", origin: "no-proxy", policy: null },
      verdict: blackhole ? "broken" : "plaintext",
      reason: blackhole
        ? `${who}'s proxy sent the calls to BlackHoleCluster (outbound REGISTRY_ONLY and a destination unknown to it): they are dropped.`
        : `${who}'s proxy sent the calls to PassthroughCluster (a destination unknown to it): they leave in plaintext, without mTLS.`,
    },
  };
}

export function buildEdges(r: Resolver, samples: TrafficSample[], window?: string): EdgeAnalysis[] {
  const model = r.model;
  const buckets = new Map<string, Bucket>();
  const passthroughKeys = new Set<string>();
  const unknownServices = new Map<string, Service>();

  for (const s of samples) {
    const L = s.labels;
    const reporter = L.reporter ?? "";
    const host = known(L.destination_service) ?? (known(L.destination_service_name) && known(L.destination_service_namespace) ? `${L.destination_service_name}.${L.destination_service_namespace}.svc.cluster.local` : null);
    if (!host) continue;
    let service = model.serviceByHost.get(host);
    if (!service && known(L.destination_service_name) && known(L.destination_service_namespace))
      service = model.serviceByHost.get(`${L.destination_service_name}.${L.destination_service_namespace}.svc.cluster.local`);
    if (!service) {
      let u = unknownServices.get(host);
      if (!u) {
        u = unknownService(host, known(L.destination_service_namespace));
        unknownServices.set(host, u);
      }
      service = u;
    }
    const client = clientFor(r, known(L.source_workload_namespace), known(L.source_workload));
    const { ports, ambiguous } = portsFor(service, L.request_protocol);
    const destAmbient = service.workloads.some((k) => model.workloadByKey.get(k)?.dataplane === "ambient");
    for (const port of ports) {
      const id = `${client.name ? `${client.namespace}/${client.name}` : "unknown"}->${service.host}:${port.port}`;
      let b = buckets.get(id);
      if (!b) {
        b = { client, service, port, dest: { mtls: 0, plaintext: 0, unknown: 0, seen: false }, sourceSide: 0, portAmbiguous: false };
        buckets.set(id, b);
      }
      if (ambiguous) b.portAmbiguous = true;
      if (PASSTHROUGH_HOSTS.has(host)) passthroughKeys.add(id);
      const policy = L.connection_security_policy ?? "";
      if (reporter === "destination") {
        b.dest.seen = true;
        if (policy === "mutual_tls") b.dest.mtls += s.value;
        // ztunnel has no "none": an inbound passthrough (plaintext) is reported as "unknown" (istio.md §7.2).
        else if (policy === "none" || (destAmbient && policy === "unknown")) b.dest.plaintext += s.value;
        else b.dest.unknown += s.value;
      } else b.sourceSide += s.value;
    }
  }

  const predictions = new Map<string, Prediction>();
  const out: EdgeAnalysis[] = [];
  for (const [id, b] of buckets) {
    const pkey = `${b.client.namespace ?? ""}/${b.client.name ?? ""}|${b.service.host}|${b.port.port}`;
    let prediction = predictions.get(pkey);
    if (!prediction) {
      prediction = predictEdge(r, b.client, b.service, b.port);
      predictions.set(pkey, prediction);
    }
    if (passthroughKeys.has(id)) prediction = passthroughPrediction(prediction, b.client, b.service.host);
    const observed: Observed = b.dest.seen
      ? { mtls: b.dest.mtls, plaintext: b.dest.plaintext, unknown: b.dest.unknown }
      : { mtls: 0, plaintext: 0, unknown: b.sourceSide };
    if (window) observed.window = window;
    if (b.portAmbiguous) observed.portAmbiguous = true;
    const { status } = statusOf(prediction.predicted.verdict, observed);
    const edge: Edge = {
      id,
      source: { namespace: b.client.namespace, workload: b.client.name },
      destination: { namespace: b.service.namespace, service: b.service.name, host: b.service.host, port: b.port.port, workloads: b.service.workloads },
      predicted: prediction.predicted,
      observed,
      status,
    };
    out.push({ edge, client: b.client, service: b.service, port: b.port, prediction, passthroughObserved: passthroughKeys.has(id) });
  }
  return out;
}
