// Observed traffic from Prometheus' HTTP API (`/api/v1/query`), for every cluster alike: Istio's two
// edge-revealing counters (istio.md §7) and Linkerd's two proxy counters (outbound only; other-meshes.md
// §1.2), summed over a window by the labels the core reads, read by the same code as `handshake analyze
// --traffic` reads a saved answer (parseTraffic's `parseQueryAnswers`, on the decoded JSON). Prometheus
// is reached either at a direct URL (fetch, injected) or through the Kubernetes API server's service
// proxy (the cluster's own authenticated transport). A query that fails never fails the read: it becomes
// a completeness entry (kind "Telemetry"), the other metrics' edges are kept, and when none answered the
// snapshot has no edges: edges come only from observed traffic (contract.md §1.1).
import "server-only";
import {
  LINKERD_CONNECTIONS,
  LINKERD_METRICS,
  LINKERD_REQUESTS,
  type ParsedTraffic,
} from "../../core/model/input";
import { isObj } from "../../core/model/read";
import type { Completeness } from "../../core/snapshot/schema";
import {
  CALLER_LABELS,
  callerLabels,
  LINKERD_LABELS,
  parseQueryAnswers,
  type QueryAnswer,
} from "../../core/traffic/parseTraffic";
import { KubeError, type KubeErrorReason, type KubeTransport } from "../kube/transport";
import { oneLine } from "../oneLine";
import { withoutUserinfo } from "../withoutUserinfo";
import type { PrometheusTarget, ServiceRef } from "./settings";

/** Queried in this order, and read in it whichever answers first (the samples' order is the edges'). */
export const TRAFFIC_METRICS = [
  "istio_requests_total",
  "istio_tcp_connections_opened_total",
  LINKERD_REQUESTS,
  LINKERD_CONNECTIONS,
] as const;

/**
 * What the series are grouped by: the labels buildEdges reads (reporter, source workload and namespace,
 * destination service/name/namespace, request_protocol, connection_security_policy), plus the
 * identities, destination workload and `app` (ztunnel's series carry app="ztunnel") so an answer still
 * says who talked to whom as Istio reported it. Response codes and flags are summed away.
 */
export const GROUP_LABELS = [
  "reporter",
  "source_workload",
  "source_workload_namespace",
  "source_principal",
  "destination_workload",
  "destination_workload_namespace",
  "destination_service",
  "destination_service_name",
  "destination_service_namespace",
  "destination_principal",
  "connection_security_policy",
  "request_protocol",
  "app",
] as const;

/**
 * Linkerd's counters: only the source proxy's outbound series are evidence (parseTraffic `addLinkerd`),
 * so the selector keeps Prometheus from summing the inbound ones at all, as `linkerd viz edges` selects
 * (linkerd/linkerd2 viz/metrics-api/edges.go `Edges`: `promDirectionLabels("outbound")`). A Prometheus
 * without Linkerd's series answers an empty success, which adds nothing: a pure Istio mesh's snapshot
 * is unchanged.
 */
const LINKERD_DIRECTION = 'direction="outbound"';

/** The answer's labels made by the Linkerd queries, answered under the parser's names (linkerdQuery). */
const BARE_POD = "handshake_bare_pod";
const TARGET_PORT = "handshake_target_port";

/**
 * `matchers` (TelemetrySettings.matchers, e.g. `cluster="eu-1"`) select one cluster's series in a
 * Prometheus or Thanos holding several: without them the sums add every cluster's calls between
 * same-named workloads, and one cluster's plaintext makes another's edges a mismatch.
 */
export function trafficQuery(metric: string, window: string, matchers?: string): string {
  return LINKERD_METRICS.has(metric)
    ? linkerdQuery(metric, window, matchers)
    : `sum by (${GROUP_LABELS.join(", ")}) (increase(${metric}${matchers ? `{${matchers}}` : ""}[${window}]))`;
}

/**
 * Grouped by every label the parser reads (LINKERD_LABELS), as the `linkerd-proxy` scrape job names the
 * caller's (viz/charts/linkerd-viz/templates/prometheus.yaml: `namespace`, `pod`, the injector's
 * `linkerd.io/proxy-<kind>` pod label as `<kind>`, `k8s_job` for `job`), except two whose raw values
 * would multiply the answer by the caller's pods and the Service's endpoints while the parser reads
 * less of them: `pod` names the caller only where no owner label does (a bare pod: the injector sets
 * none, linkerd2 controller/proxy-injector `getLabelForParent`), and `target_addr` only for its port
 * (`portKey`). So the series get `handshake_bare_pod` (the pod's name when every owner label is empty)
 * and `handshake_target_port` (":<port>"), are summed by those instead, and the sums get them back as
 * `pod` and `target_addr`. New labels rather than rewriting the old in place: a label function whose
 * result holds one label set twice fails the whole query in Prometheus ("vector cannot contain metrics
 * with the same labelset"), as two endpoints differing in target_addr alone would (a StatefulSet pod
 * recreated with another IP).
 */
function linkerdQuery(metric: string, window: string, matchers?: string): string {
  // Every label that names the caller before `pod` (a Job's pods too: one series per Job, not per pod).
  const owners = CALLER_LABELS.filter((l) => l !== "pod");
  const by = LINKERD_LABELS.map((l) => (l === "pod" ? BARE_POD : l === "target_addr" ? TARGET_PORT : l));
  let v = `increase(${metric}{${LINKERD_DIRECTION}${matchers ? `, ${matchers}` : ""}}[${window}])`;
  // "<owner>;…;<owner>;<pod>": the pod's name follows as many separators as there are owners only when they are all empty.
  v = `label_join(${v}, "${BARE_POD}", ";", ${[...owners, "pod"].map((l) => `"${l}"`).join(", ")})`;
  v = `label_replace(${v}, "${BARE_POD}", "$1", "${BARE_POD}", ";{${owners.length}}(.+)|.*")`;
  v = `label_replace(${v}, "${TARGET_PORT}", ":$1", "target_addr", ".*:([0-9]+)")`;
  const sum = `sum by (${by.join(", ")}) (${v})`;
  return `label_replace(label_replace(${sum}, "pod", "$1", "${BARE_POD}", "(.+)"), "target_addr", "$1", "${TARGET_PORT}", "(.+)")`;
}

/** One instant query; resolves with the decoded JSON answer or throws a KubeError saying why not. */
export type PromQuery = (query: string, timeoutMs: number) => Promise<unknown>;

export interface PrometheusEndpoint {
  query: PromQuery;
  /** Names the endpoint in messages (the URL without credentials or query string). */
  where: string;
}

export type Fetch = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

export function prometheusEndpoint(
  target: PrometheusTarget,
  deps: { transport: KubeTransport; fetch: Fetch },
): PrometheusEndpoint {
  return target.kind === "url"
    ? directEndpoint(target.url, deps.fetch)
    : proxyEndpoint(target.service, deps.transport);
}

/** The API server's service proxy: GET /api/v1/namespaces/<ns>/services/<name>:<port>/proxy/api/v1/query. */
export function proxyPath(s: ServiceRef): string {
  return `/api/v1/namespaces/${encodeURIComponent(s.namespace)}/services/${encodeURIComponent(s.name)}:${encodeURIComponent(s.port)}/proxy/api/v1/query`;
}

function proxyEndpoint(s: ServiceRef, t: KubeTransport): PrometheusEndpoint {
  const path = proxyPath(s);
  return {
    where: `service ${s.namespace}/${s.name}:${s.port} through the API server's service proxy (${path})`,
    query: (query, timeoutMs) => t.get(`${path}?query=${encodeURIComponent(query)}`, timeoutMs),
  };
}

function directEndpoint(base: string, fetchFn: Fetch): PrometheusEndpoint {
  const creds = new URL(base);
  const headers: Record<string, string> = { Accept: "application/json" };
  // fetch refuses URLs with credentials; send them as Basic auth, and never print them.
  if (creds.username || creds.password)
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(creds.username)}:${decodeURIComponent(creds.password)}`).toString("base64")}`;
  const u = new URL(withoutUserinfo(base));
  u.search = "";
  u.hash = "";
  const endpoint = `${u.href.replace(/\/+$/, "")}/api/v1/query`;
  return {
    where: endpoint,
    async query(query, timeoutMs) {
      const signal = AbortSignal.timeout(timeoutMs);
      let status: number;
      let text: string;
      try {
        const res = await fetchFn(`${endpoint}?query=${encodeURIComponent(query)}`, { headers, signal });
        status = res.status;
        text = await res.text();
      } catch (e) {
        const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
        if (signal.aborted || err?.name === "TimeoutError" || err?.name === "AbortError")
          throw new KubeError("timeout", `no answer within ${timeoutMs / 1000} s`);
        throw new KubeError(
          "unreachable",
          `cannot connect: ${err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e)}`,
        );
      }
      if (status === 404) throw new KubeError("not-found", `HTTP 404${promError(text)}`, status);
      if (status < 200 || status > 299)
        throw new KubeError(
          status === 403 ? "forbidden" : "error",
          `HTTP ${status}${promError(text)}`,
          status,
        );
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new KubeError("error", "the answer is not JSON", status);
      }
    },
  };
}

/** Prometheus answers errors as {"status":"error","errorType":"bad_data","error":"..."}. */
function promError(text: string): string {
  try {
    const v = JSON.parse(text) as unknown;
    if (isObj(v) && typeof v.error === "string")
      return `: ${typeof v.errorType === "string" ? `${v.errorType}: ` : ""}${v.error}`;
  } catch {
    // not JSON: the status alone says it
  }
  return "";
}

export interface TelemetryRead {
  /** Absent when no query answered. */
  traffic?: ParsedTraffic;
  completeness: Completeness[];
}

/**
 * The four metrics, queried at once. The answers are read together, in TRAFFIC_METRICS' order, each
 * answer's series tagged with its metric (an aggregation drops `__name__`): one parse, so a Linkerd
 * call's requests and connections are matched across their two answers (no double count), as in a saved
 * answer. A metric whose query failed is reported; what the others answered is still used. A metric
 * with no series (Linkerd's on an Istio mesh, or the reverse) answers an empty success: nothing to say,
 * and no answer either: when only such successes came back, the failures are worded as the whole read's.
 */
export async function readTraffic(
  ep: PrometheusEndpoint,
  o: { window: string; timeoutMs: number; matchers?: string },
): Promise<TelemetryRead> {
  const answers = await Promise.allSettled(
    TRAFFIC_METRICS.map((m) => ep.query(trafficQuery(m, o.window, o.matchers), o.timeoutMs)),
  );
  const read: QueryAnswer[] = [];
  const failures = new Map<string, { reason: KubeErrorReason; metrics: string[] }>();
  const partials: Completeness[] = [];
  answers.forEach((a, i) => {
    const metric = TRAFFIC_METRICS[i]!;
    if (a.status === "fulfilled" && isObj(a.value) && a.value.status === "success") {
      // The answer is already decoded: read its series as they are, named by the query's metric.
      read.push({ doc: a.value, file: `Prometheus ${ep.where}, ${metric}`, metric });
      const warned = warningsOf(a.value);
      if (warned) partials.push(partialEntry(ep, metric, warned));
      return;
    }
    const err =
      a.status === "rejected"
        ? a.reason instanceof KubeError
          ? a.reason
          : new KubeError("error", String((a.reason as Error)?.message ?? a.reason))
        : new KubeError(
            "error",
            `not a Prometheus answer${isObj(a.value) && typeof a.value.error === "string" ? `: ${a.value.error}` : ""}`,
          );
    const f = failures.get(err.message) ?? { reason: err.reason, metrics: [] };
    f.metrics.push(metric);
    failures.set(err.message, f);
  });
  // An empty success (Linkerd's queries on a pure Istio mesh, or the reverse) says nothing: where no
  // answer held a series, the failures are the whole read's, worded as when nothing answered.
  const answered = read.some((a) => !isEmptyAnswer(a.doc));
  const completeness = [...failures].map(([message, f]) => entry(ep, f.reason, message, f.metrics, answered));
  completeness.push(...partials);
  if (!answered && failures.size > 0) return { completeness };
  const { samples, problems, skipped, callerless } = parseQueryAnswers(read, `Prometheus ${ep.where}`, {
    reportCallerless: false,
  });
  // increase() extrapolates to the window's edges, so counts come back fractional; edges show whole calls.
  for (const s of samples) s.value = Math.round(s.value);
  if (callerless > 0) completeness.push(callerlessEntry(ep, callerless));
  const traffic: ParsedTraffic = {
    samples,
    problems,
    window: o.window,
    ...(skipped && skipped.length > 0 ? { skipped } : {}),
  };
  return { traffic, completeness };
}

/**
 * Linkerd's outbound series that name no caller, in a live answer: the queries group by the labels the
 * `linkerd-proxy` scrape job adds (linkerd/linkerd2 viz/charts/linkerd-viz/templates/prometheus.yaml:
 * `namespace`, `pod`, the `linkerd.io/proxy-<kind>` pod label as `<kind>`), so this Prometheus scrapes
 * the proxies some other way (a generic kubernetes-pods job's `kubernetes_namespace`, say). Said of the
 * Prometheus, as Telemetry completeness: it is not a file the user passed, nor malformed input.
 */
function callerlessEntry(ep: PrometheusEndpoint, n: number): Completeness {
  return {
    kind: "Telemetry",
    reason: "invalid",
    message: `${n} of Linkerd's outbound series from ${ep.where} name no caller: that Prometheus does not add the caller's namespace and ${callerLabels()} label (linkerd-viz's linkerd-proxy scrape job adds them), so they were not read; the edges of those calls are missing.`,
  };
}

/**
 * The `warnings` of a success, one line, or null. The Prometheus HTTP API sets them when the answer is
 * usable but may be incomplete; a Thanos Querier with partial responses on, or Prometheus with a remote
 * read that failed, answers a success without the series of the stores it could not reach.
 */
function warningsOf(doc: Record<string, unknown>): string | null {
  const w = doc.warnings;
  if (!Array.isArray(w)) return null;
  const texts = w.filter((x): x is string => typeof x === "string" && x.trim() !== "").map((x) => oneLine(x));
  if (texts.length === 0) return null;
  const shown = texts.slice(0, 3).map((t) => (t.length > 200 ? `${t.slice(0, 199)}…` : t));
  return shown.join("; ") + (texts.length > 3 ? `; and ${texts.length - 3} more` : "");
}

/** A success with warnings: the series it holds are used, and the snapshot says they may not be all. */
function partialEntry(ep: PrometheusEndpoint, metric: string, warnings: string): Completeness {
  return {
    kind: "Telemetry",
    reason: "error",
    message: `${metric} from ${ep.where} may be partial (Prometheus warned: ${warnings}); edges of that metric may be missing.`,
  };
}

/** A success whose vector holds no series (anything else, even malformed, is read and judged by the parser). */
function isEmptyAnswer(doc: unknown): boolean {
  return isObj(doc) && isObj(doc.data) && Array.isArray(doc.data.result) && doc.data.result.length === 0;
}

function entry(
  ep: PrometheusEndpoint,
  reason: KubeErrorReason,
  message: string,
  metrics: string[],
  partial: boolean,
): Completeness {
  const what = partial
    ? `${metrics.join(" and ")} could not be queried`
    : "observed traffic could not be read";
  const after = partial
    ? "edges of that metric are missing"
    : "the snapshot has no edges, since edges come only from observed traffic";
  if (reason === "not-found")
    return {
      kind: "Telemetry",
      reason: "not-found",
      message: `${what}: no Prometheus at ${ep.where} (${message}); ${after}. Set HANDSHAKE_PROMETHEUS_SERVICE=namespace/name:port or HANDSHAKE_PROMETHEUS_URL to where the mesh's metrics are.`,
    };
  if (reason === "forbidden")
    // Reported as "error", not "forbidden": access.forbidden's fix (list on the kind) does not fit a proxy.
    return {
      kind: "Telemetry",
      reason: "error",
      message: `${what}: ${ep.where} refused the query (403: ${message}); ${after}. Grant get on services/proxy for that service (deploy/clusterrole.yaml).`,
    };
  return {
    kind: "Telemetry",
    reason: reason === "timeout" ? "timeout" : "error",
    message: `${what} from ${ep.where}: ${message}; ${after}.`,
  };
}
