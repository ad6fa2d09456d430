// What the loaders hand to the analysis: raw Kubernetes objects with where they came from, Envoy /
// ztunnel config dumps tied to pods, and every problem met on the way (never thrown: one broken
// object must not lose the rest).
import type { Ref } from "../snapshot/schema";

export interface SourceLocation {
  file: string;
  /** 1-based line where the document (or the broken part) starts, when known. */
  line?: number;
}

export interface OwnerReference {
  kind: string;
  name: string;
  controller?: boolean;
}

export interface KubeMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: OwnerReference[];
  uid?: string;
}

/** A Kubernetes object as read. Fields beyond kind/metadata are read defensively by the model. */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: KubeMeta;
  [field: string]: unknown;
}

export interface LoadedObject {
  object: KubeObject;
  at: SourceLocation;
}

export interface ConfigDump {
  /** "envoy": an Envoy admin /config_dump (snake_case or istioctl camelCase); "ztunnel": ztunnel's. */
  kind: "envoy" | "ztunnel";
  /** The pod it belongs to: from the bootstrap node id, else the file name `<pod>.<namespace>.json`. */
  pod: { namespace: string; name: string } | null;
  body: unknown;
  at: SourceLocation;
}

export interface InputProblem {
  file: string;
  line?: number;
  /** The object at fault, when the problem is one object rather than the whole file. */
  object?: Ref;
  /** Dotted path of the offending field, when known (e.g. "spec.mtls.mode"). */
  field?: string;
  message: string;
  /**
   * The object was analysed all the same: a cluster holds it (admitted while a validating webhook was
   * off or failing open) and the mesh reads it as it stands. Absent: left out of the analysis.
   */
  kept?: true;
}

export interface ParsedInputs {
  objects: LoadedObject[];
  configDumps: ConfigDump[];
  problems: InputProblem[];
}

/**
 * The labels the edge builder reads (contract.md §1.1, istio.md §7). The traffic parser keeps one
 * string per distinct value of these: a scrape repeats the same namespaces, workloads and hosts across
 * thousands of series, and a shared string is hashed once, while the parser has its text in cache,
 * instead of once per series by the analysis (docs/DECISIONS.md, "Analysis performance, round 6").
 * `source_principal` is read too, but only on a destination or waypoint mTLS series that names no caller (buildEdges
 * `principalEntry`), once per distinct value: kept like any label, not shared, so the per-series parse
 * of input that names its callers does no more work for it.
 */
export const EDGE_LABELS: ReadonlySet<string> = new Set([
  "reporter",
  "source_workload",
  "source_workload_namespace",
  "destination_service",
  "destination_service_name",
  "destination_service_namespace",
  "request_protocol",
  "connection_security_policy",
]);

/**
 * Linkerd's proxy counters the traffic parser reads (other-meshes.md §1.2): their samples carry the
 * labels above, normalised from Linkerd's, and keep the metric's name, which says the caller runs
 * Linkerd's proxy (buildEdges `clientFor`).
 */
export const LINKERD_REQUESTS = "request_total";
export const LINKERD_CONNECTIONS = "tcp_open_total";
export const LINKERD_METRICS: ReadonlySet<string> = new Set([LINKERD_REQUESTS, LINKERD_CONNECTIONS]);

/**
 * A Linkerd sample's `request_protocol`: not a protocol (Linkerd gives port names no meaning, so the
 * protocol chooses no port) but what the series says of the Service port, the one thing buildEdges
 * reads that label for. `linkerd:port:N`: the Service port N (the authority's); `linkerd:target:N`: the
 * Service ports whose targetPort is N (target_addr's, the endpoint's); `linkerd:`: nothing said. Carried in
 * that label so the edge builder reads no label per sample that it did not read before (buildEdges `portsFor`).
 */
export const LINKERD_PORT_KEY = "linkerd:";

/**
 * Set (to "true") on a Linkerd sample whose caller was named by a Job label (`k8s_job`,
 * `batch_kubernetes_io_job_name`, `job_name`; parseTraffic `CALLER_LABELS`): only such a name may be a
 * CronJob's run, which buildEdges `jobClientEntry` takes to its CronJob. A label of the sample's own label
 * object, so it costs no allocation per sample; Istio samples never get it from the parser, and the
 * edge builder reads it only with a Linkerd metric.
 */
export const LINKERD_JOB_CALLER = "linkerd_job_caller";

/** One sample of an Istio standard metric (or a Linkerd counter's, normalised), as read from Prometheus text or /api/v1/query JSON. */
export interface TrafficSample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedTraffic {
  samples: TrafficSample[];
  /** The query window, when the input says (e.g. a `[5m]` range in the JSON query); else absent. */
  window?: string;
  problems: InputProblem[];
  /**
   * Series the input holds but that were left unread while the rest of the file was read (Linkerd's
   * outbound series that name no caller, in a file with usable series): completeness entries, not
   * input.invalid, which is for a file that cannot be used (findings.md). Absent when there is none.
   */
  skipped?: InputProblem[];
}
