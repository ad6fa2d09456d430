// Observed traffic → edges (contract.md §1.1): which series are evidence, which Service port a
// sample belongs to, one edge per (source workload, destination host, port), and its status.
import type { Service, ServicePort } from "../model/mesh";
import type { TrafficSample } from "../model/input";
import type { Client, Prediction } from "../resolve/predictEdge";
import { predictEdge, preparePredictions } from "../resolve/predictEdge";
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

const PASSTHROUGH_HOSTS = new Set([
  "PassthroughCluster",
  "BlackHoleCluster",
  "InboundPassthroughClusterIpv4",
  "InboundPassthroughCluster",
]);

const known = (v: string | undefined) => (v && v !== "unknown" ? v : null);

/**
 * One edge in the making, and then the edge's analysis itself: the accumulators live on the object
 * that is handed to the rules, so an edge costs one analysis object rather than a bucket plus one.
 */
interface Bucket extends EdgeAnalysis {
  id: string;
  source: Edge["source"];
  /**
   * The edge's `observed`, which accumulates the destination-reported counts itself: no copy at the
   * end and no count fields on the bucket (the window is set at creation, so the object keeps the
   * snapshot's key order without a property added later).
   */
  observed: Observed;
  destSeen: boolean;
  sourceSide: number;
  portAmbiguous: boolean;
}

/** What the per-sample loop needs about a destination service, computed once per service. */
interface ServiceMemo {
  choices: Map<string, { ports: ServicePort[]; ambiguous: boolean }>;
  /** Some endpoint is ambient: ztunnel reports plaintext as "unknown". */
  ambient: boolean;
}

/** A caller and its snapshot `source` object, shared by all of its edges. */
interface ClientEntry {
  client: Client;
  source: Edge["source"];
  /** "ns/name->" (or "unknown->"): the caller's half of every edge id, built once per caller. */
  idPrefix: string;
}

/** The buckets of one service port, and the port's half of the edge id ("host:port"), built once per port. */
interface PortBuckets {
  idSuffix: string;
  byClient: Map<Client, Bucket>;
}

/** Port 0 stands for "the destination declares no port"; one object per service, since buckets are keyed by port object. */
const noPort = new WeakMap<Service, ServicePort>();
function portZero(service: Service): ServicePort {
  let p = noPort.get(service);
  if (!p) noPort.set(service, (p = { port: 0, targetPort: 0, protocol: "TCP" }));
  return p;
}

function portsFor(service: Service, protocol: string): { ports: ServicePort[]; ambiguous: boolean } {
  if (service.ports.length <= 1)
    return { ports: service.ports.length ? service.ports : [portZero(service)], ambiguous: false };
  const proto = protocol.toLowerCase();
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
  if (!ns || !name)
    return { namespace: null, name: null, workload: null, dataplane: "none", labels: {}, revision: "", who: null };
  const who = `${ns}/${name}`;
  const w = r.model.workloadByKey.get(who) ?? null;
  if (w)
    return {
      namespace: ns,
      name,
      workload: w,
      dataplane: w.dataplane,
      labels: w.labels,
      revision: w.revision,
      who,
    };
  // Only a proxy reports a source workload name, so an unlisted named caller is taken as a sidecar.
  return { namespace: ns, name, workload: null, dataplane: "sidecar", labels: {}, revision: "", who };
}

function statusOf(
  verdict: Edge["predicted"]["verdict"],
  observed: Observed | null,
): { status: EdgeStatus; contradicts: boolean } {
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
  preparePredictions(r);
  // service port → client → bucket: object keys, so no string is built per sample, and few Maps.
  const buckets = new Map<ServicePort, PortBuckets>();
  const unknownServices = new Map<string, Service>();

  // Per-sample work is memoised by what it depends on: 20k samples share a few thousand clients
  // and services.
  const clients = new Map<string, Map<string, ClientEntry>>();
  const serviceMemos = new Map<Service, ServiceMemo>();

  for (const s of samples) {
    const L = s.labels;
    const svcName = known(L.destination_service_name);
    const svcNs = known(L.destination_service_namespace);
    const host =
      known(L.destination_service) ?? (svcName && svcNs ? `${svcName}.${svcNs}.svc.cluster.local` : null);
    if (!host) continue;
    let service = model.serviceByHost.get(host);
    if (!service && svcName && svcNs)
      service = model.serviceByHost.get(`${svcName}.${svcNs}.svc.cluster.local`);
    if (!service) {
      service = unknownServices.get(host);
      if (!service) unknownServices.set(host, (service = unknownService(host, svcNs)));
    }
    const srcNs = known(L.source_workload_namespace);
    const srcName = known(L.source_workload);
    // Nested maps keyed by the label strings themselves: no "ns/name" string is built per sample.
    const nsKey = srcNs && srcName ? srcNs : "";
    const nameKey = srcNs && srcName ? srcName : "";
    let byName = clients.get(nsKey);
    if (!byName) clients.set(nsKey, (byName = new Map()));
    let entry = byName.get(nameKey);
    if (!entry) {
      const client = clientFor(r, srcNs, srcName);
      const source = { namespace: client.namespace, workload: client.name };
      byName.set(nameKey, (entry = { client, source, idPrefix: `${client.who ?? "unknown"}->` }));
    }
    const client = entry.client;
    let memo = serviceMemos.get(service);
    if (!memo) {
      memo = {
        choices: new Map(),
        ambient: service.workloads.some((k) => model.workloadByKey.get(k)?.dataplane === "ambient"),
      };
      serviceMemos.set(service, memo);
    }
    const proto = L.request_protocol ?? "";
    let choice = memo.choices.get(proto);
    if (!choice) memo.choices.set(proto, (choice = portsFor(service, proto)));
    const policy = L.connection_security_policy ?? "";
    const fromDestination = L.reporter === "destination";
    const passthrough = PASSTHROUGH_HOSTS.has(host);
    for (const port of choice.ports) {
      let forPort = buckets.get(port);
      if (!forPort) buckets.set(port, (forPort = { idSuffix: `${service.host}:${port.port}`, byClient: new Map() }));
      const byClient = forPort.byClient;
      let b = byClient.get(client);
      if (!b) {
        // Two shared halves and one concatenation: the id costs one string per edge, not five.
        const id = entry.idPrefix + forPort.idSuffix;
        b = {
          edge: null!, // set once the bucket is complete, below
          client,
          service,
          port,
          prediction: null!,
          passthroughObserved: false,
          id,
          source: entry.source,
          observed: window ? { mtls: 0, plaintext: 0, unknown: 0, window } : { mtls: 0, plaintext: 0, unknown: 0 },
          destSeen: false,
          sourceSide: 0,
          portAmbiguous: false,
        };
        byClient.set(client, b);
      }
      if (choice.ambiguous) b.portAmbiguous = true;
      if (passthrough) b.passthroughObserved = true;
      if (fromDestination) {
        b.destSeen = true;
        if (policy === "mutual_tls") b.observed.mtls += s.value;
        // ztunnel has no "none": an inbound passthrough (plaintext) is reported as "unknown" (istio.md §7.2).
        else if (policy === "none" || (memo.ambient && policy === "unknown")) b.observed.plaintext += s.value;
        else b.observed.unknown += s.value;
      } else b.sourceSide += s.value;
    }
  }

  const out: EdgeAnalysis[] = [];
  for (const [port, { byClient }] of buckets) {
    // Every edge to this service port shares one destination object (the snapshot is serialised, not edited).
    let destination: Edge["destination"] | null = null;
    for (const b of byClient.values()) {
      destination ??= Object.freeze({
        namespace: b.service.namespace,
        service: b.service.name,
        host: b.service.host,
        port: port.port,
        workloads: b.service.workloads,
      });
      // One bucket per (client, service, port), so each prediction is computed once.
      let prediction = predictEdge(r, b.client, b.service, b.port);
      if (b.passthroughObserved) prediction = passthroughPrediction(prediction, b.client, b.service.host);
      const observed = b.observed;
      // Without a destination report, the source side's count is all there is (and says nothing of TLS).
      if (!b.destSeen) observed.unknown = b.sourceSide;
      if (b.portAmbiguous) observed.portAmbiguous = true;
      b.prediction = prediction;
      b.edge = {
        id: b.id,
        source: b.source,
        destination,
        predicted: prediction.predicted,
        observed,
        status: statusOf(prediction.predicted.verdict, observed).status,
      };
      out.push(b);
    }
  }
  return out;
}
