// Observed traffic from Prometheus (lib/server/telemetry) against the demo API server over real HTTPS:
// the service-proxy path the demo serves from demo/traffic.prom, Prometheus down / hung / missing /
// forbidden (a completeness entry, no edges, the rest as `handshake analyze` without traffic gives it),
// a direct HANDSHAKE_PROMETHEUS_URL on a real loopback HTTP server used instead of the proxy, Linkerd's
// proxy counters read live as `handshake analyze --traffic` reads them, and the demo's query evaluator
// (grouping, sums, matchers, refusals).
import { createServer, type IncomingMessage, type Server } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTraffic } from "../../lib/core/traffic/parseTraffic";
import type { MeshSnapshot } from "../../lib/core/snapshot/schema";
import { evaluateQuery, type PromSample } from "../../lib/demo/prometheus";
import { createHandshakeServer } from "../../lib/server/handshakeServer";
import { KubeError } from "../../lib/server/kube/transport";
import { readSnapshot } from "../../lib/server/readSnapshot";
import {
  GROUP_LABELS,
  proxyPath,
  readTraffic,
  TRAFFIC_METRICS,
  trafficQuery,
  type PrometheusEndpoint,
} from "../../lib/server/telemetry/prometheus";
import {
  DEFAULT_SERVICE,
  parseTelemetryEnv,
  telemetrySettings,
  type TelemetrySettings,
} from "../../lib/server/telemetry/settings";
import { runCli, startTestDemo, windowedTraffic, type TestDemo } from "./support";

let t: TestDemo;
let full: MeshSnapshot;
/** `handshake analyze` on the same state without --traffic: what a snapshot without telemetry must be. */
let noTraffic: MeshSnapshot;
let fileSamples: PromSample[];

beforeAll(async () => {
  t = await startTestDemo({ forbidden: [] });
  full = await t.read();
  const cli = await runCli([t.demo.stateDir, "--now", t.now.toISOString()]);
  noTraffic = JSON.parse(cli.stdout) as MeshSnapshot;
  fileSamples = parseTraffic(await readFile(t.demo.trafficPath, "utf8"), t.demo.trafficPath).samples;
}, 60_000);
afterAll(async () => t?.stop());

const read = (telemetry: TelemetrySettings) =>
  readSnapshot(t.transport(), { now: t.now, source: { type: "demo", context: "demo" }, telemetry });
const forCluster = (env: Record<string, string>, cluster: string) =>
  telemetrySettings(parseTelemetryEnv(env), cluster);
const settings = (env: Record<string, string>) => forCluster(env, "demo");

/** The snapshot without telemetry, completeness aside, is exactly the CLI's without --traffic. */
function expectIntactWithoutEdges(snap: MeshSnapshot): void {
  const { source: _a, completeness: _c, ...reader } = snap;
  const { source: _b, completeness: _d, ...files } = noTraffic;
  expect(reader).toEqual(files);
  expect(snap.edges).toEqual([]);
  expect(snap.certificates).toEqual(full.certificates);
  expect(snap.workloads).toEqual(full.workloads);
}

describe("through the API server's service proxy (the demo's Prometheus)", () => {
  it("the demo's traffic arrives as Prometheus answers: every edge of the file, counted over the window", () => {
    expect(full.completeness).toEqual([]);
    expect(full.edges.length).toBeGreaterThan(5);
    expect(full.edges.every((e) => e.observed?.window === "1h")).toBe(true);
    // The file's destination-reported mTLS requests from the ingress to frontend (200s and 500s) in one edge.
    const ingress = full.edges.find(
      (e) => e.id === "istio-system/istio-ingressgateway->frontend.shop.svc.cluster.local:80",
    )!;
    expect(ingress.observed).toMatchObject({ mtls: 184220 + 37, plaintext: 0, unknown: 0 });
  });

  it("answers the reader's query as a grouped sum, labels as Istio sent them, response codes summed away", async () => {
    const answer = (await t
      .transport()
      .get(
        `${proxyPath(DEFAULT_SERVICE)}?query=${encodeURIComponent(trafficQuery("istio_requests_total", "1h"))}`,
        5_000,
      )) as {
      status: string;
      data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    expect(answer.status).toBe("success");
    expect(answer.data.resultType).toBe("vector");
    const requests = fileSamples.filter((s) => s.metric === "istio_requests_total");
    // Two of the file's series differ only in response_code: one group fewer, and the same total.
    expect(answer.data.result).toHaveLength(requests.length - 1);
    const total = answer.data.result.reduce((n, r) => n + Number(r.value[1]), 0);
    expect(total).toBe(requests.reduce((n, s) => n + s.value, 0));
    for (const r of answer.data.result) {
      expect(Object.keys(r.metric).every((k) => (GROUP_LABELS as readonly string[]).includes(k))).toBe(true);
      expect(r.value[0]).toBe(t.now.getTime() / 1000);
    }
  });

  it("answers Linkerd's queries with no series (the demo's traffic is Istio's): no entry, the snapshot as before", async () => {
    for (const m of ["request_total", "tcp_open_total"]) {
      const answer = await t
        .transport()
        .get(`${proxyPath(DEFAULT_SERVICE)}?query=${encodeURIComponent(trafficQuery(m, "1h"))}`, 5_000);
      expect(answer).toEqual({ status: "success", data: { resultType: "vector", result: [] } });
    }
    expect(full.completeness).toEqual([]);
  });

  it("refuses a query it cannot evaluate as Prometheus does (400 bad_data), and the reader says so", async () => {
    const err = await t
      .transport()
      .get(
        `${proxyPath(DEFAULT_SERVICE)}?query=${encodeURIComponent("rate(istio_requests_total[5m])")}`,
        5_000,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).status).toBe(400);
    expect((err as KubeError).message).toContain("the demo Prometheus evaluates only sum by");
  });

  it("Prometheus down (no endpoints): a Telemetry completeness entry naming the proxy path, no edges, the rest intact", async () => {
    t.demo.setFaults({ prometheus: "down" });
    try {
      const snap = await read(settings({}));
      expect(snap.completeness).toEqual([
        {
          kind: "Telemetry",
          reason: "error",
          message: expect.stringContaining("no endpoints available for service") as string,
        },
      ]);
      expect(snap.completeness[0]!.message).toContain(
        "/api/v1/namespaces/istio-system/services/prometheus:9090/proxy/api/v1/query",
      );
      expect(snap.completeness[0]!.message).toContain(
        "the snapshot has no edges, since edges come only from observed traffic",
      );
      expectIntactWithoutEdges(snap);
    } finally {
      t.demo.setFaults({});
    }
  });

  it("Prometheus that never answers: a timeout entry within the configured bound", async () => {
    t.demo.setFaults({ prometheus: "hang" });
    try {
      const started = Date.now();
      const snap = await read(settings({ HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS: "1" }));
      console.log(`read with a hung Prometheus (1 s timeout) took ${Date.now() - started} ms`);
      expect(snap.completeness).toEqual([
        { kind: "Telemetry", reason: "timeout", message: expect.stringContaining("within 1 s") as string },
      ]);
      expectIntactWithoutEdges(snap);
    } finally {
      t.demo.setFaults({});
    }
  });

  it("no such Service: not-found, saying how to point Handshake at Prometheus", async () => {
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_SERVICE: "monitoring/prometheus-server:80" }));
    expect(snap.completeness).toHaveLength(1);
    const c = snap.completeness[0]!;
    expect(c).toMatchObject({ kind: "Telemetry", reason: "not-found" });
    expect(c.message).toContain('services "prometheus-server" not found');
    expect(c.message).toContain("service monitoring/prometheus-server:80");
    expect(c.message).toContain(
      "HANDSHAKE_PROMETHEUS_SERVICE=namespace/name:port or HANDSHAKE_PROMETHEUS_URL",
    );
    expectIntactWithoutEdges(snap);
  });

  it("a Service that is not Prometheus: an error entry, no edges", async () => {
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_SERVICE: "istio-system/istiod:15010" }));
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "error",
        message: expect.stringContaining("connection refused") as string,
      },
    ]);
    expect(snap.edges).toEqual([]);
  });

  it("an invalid setting is reported, not guessed around", async () => {
    const snap = await read(settings({ HANDSHAKE_TRAFFIC_WINDOW: "an hour" }));
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "invalid",
        message: expect.stringContaining(
          'HANDSHAKE_TRAFFIC_WINDOW="an hour" is not a Prometheus duration',
        ) as string,
      },
    ]);
    expectIntactWithoutEdges(snap);
  });
});

describe("services/proxy forbidden", () => {
  let f: TestDemo;
  beforeAll(async () => {
    f = await startTestDemo({ forbidden: [{ resource: "services/proxy", namespace: "istio-system" }] });
  }, 60_000);
  afterAll(async () => f?.stop());

  it("says which permission is missing; no edges; nothing else is lost", async () => {
    const snap = await f.read();
    expect(snap.completeness).toHaveLength(1);
    expect(snap.completeness[0]).toMatchObject({ kind: "Telemetry", reason: "error" });
    expect(snap.completeness[0]!.message).toContain('cannot get resource "services/proxy"');
    expect(snap.completeness[0]!.message).toContain("Grant get on services/proxy");
    expect(snap.edges).toEqual([]);
    expect(snap.workloads).toEqual(full.workloads);
    // No access.forbidden finding: its fix (list on a kind) does not apply to a proxy.
    expect(snap.findings.some((x) => x.code === "access.forbidden")).toBe(false);
  });
});

/** A real loopback HTTP server standing in for Prometheus; each test sets how it answers. */
interface FakeProm {
  url: string;
  requests: { path: string; query: string; auth: string | undefined }[];
  respond: (query: string) => { code: number; body: object };
  /** How long to hold a query's answer, in ms (answers then arrive in another order than asked). */
  delay: (query: string) => number;
  close(): Promise<void>;
}

async function startFakeProm(): Promise<FakeProm> {
  const fake: FakeProm = {
    url: "",
    requests: [],
    respond: (q) => evaluateQuery(q, fileSamples, t.now),
    delay: () => 0,
    close: () => new Promise((res) => server.close(() => res())),
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const query = u.searchParams.get("query") ?? "";
    fake.requests.push({ path: u.pathname, query, auth: req.headers.authorization });
    const a = fake.respond(query);
    const text = JSON.stringify(a.body);
    setTimeout(() => {
      res.writeHead(a.code, { "Content-Type": "application/json" });
      res.end(text);
    }, fake.delay(query));
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

describe("HANDSHAKE_PROMETHEUS_URL: a direct Prometheus", () => {
  let prom: FakeProm;
  beforeAll(async () => {
    prom = await startFakeProm();
  });
  afterAll(async () => prom?.close());

  it("is used instead of the service proxy, for a kubeconfig cluster, with the window setting in the query", async () => {
    prom.requests = [];
    // Only destination-reported series: so the edges show they came from this server, not the proxy.
    const destinationOnly = fileSamples.filter((s) => s.labels.reporter === "destination");
    prom.respond = (q) => evaluateQuery(q, destinationOnly, t.now);
    const server = createHandshakeServer({
      env: {
        KUBECONFIG: t.demo.kubeconfigPath,
        HANDSHAKE_PROMETHEUS_URL: `${prom.url}/prom/`,
        HANDSHAKE_TRAFFIC_WINDOW: "6h",
      },
      home: "/nonexistent",
      startDemo: () => Promise.reject(new Error("the embedded demo must not start")),
      now: () => t.now,
      every: () => () => undefined,
    });
    try {
      const v = await server.getSnapshotView("demo");
      expect(v.snapshot.source).toEqual({ type: "kubeconfig", context: "demo" });
      expect(v.snapshot.completeness).toEqual([]);
      expect(prom.requests.map((r) => r.path)).toEqual(Array(4).fill("/prom/api/v1/query"));
      expect(prom.requests.map((r) => r.query).sort()).toEqual(
        [
          trafficQuery("istio_requests_total", "6h"),
          trafficQuery("istio_tcp_connections_opened_total", "6h"),
          trafficQuery("request_total", "6h"),
          trafficQuery("tcp_open_total", "6h"),
        ].sort(),
      );
      const ids = v.snapshot.edges.map((e) => e.id);
      const fullIds = full.edges.map((e) => e.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThan(fullIds.length);
      // The source-only edge of the file is absent; the destination-reported ones are as the proxy gave them.
      expect(ids).not.toContain("reports/report-builder->payments.shop.svc.cluster.local:8080");
      for (const e of v.snapshot.edges) {
        expect(e.observed?.window).toBe("6h");
        expect({ ...e.observed, window: "1h" }).toEqual(full.edges.find((x) => x.id === e.id)!.observed);
      }
    } finally {
      await server.stop();
    }
  });

  it("sends credentials in the URL as Basic auth and never prints them", async () => {
    prom.requests = [];
    prom.respond = () => ({
      code: 503,
      body: { status: "error", errorType: "unavailable", error: "TSDB not ready" },
    });
    const u = new URL(prom.url);
    u.username = "reader";
    u.password = "s3cret";
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: u.href }));
    expect(prom.requests[0]!.auth).toBe(`Basic ${Buffer.from("reader:s3cret").toString("base64")}`);
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "error",
        message: expect.stringContaining("HTTP 503: unavailable: TSDB not ready") as string,
      },
    ]);
    expect(snap.completeness[0]!.message).toContain(`${prom.url}/api/v1/query`);
    expect(JSON.stringify(snap)).not.toContain("s3cret");
  });

  it("one metric failing keeps the other's edges and names the one that failed; counts are whole calls", async () => {
    prom.respond = (q) => {
      if (q.includes("istio_tcp_connections_opened_total"))
        return {
          code: 422,
          body: {
            status: "error",
            errorType: "execution",
            error: "query timed out in expression evaluation",
          },
        };
      const a = evaluateQuery(q, fileSamples, t.now);
      const body = a.body as { data: { result: { value: [number, string] }[] } };
      // increase() extrapolates: fractional counts are rounded to whole calls.
      for (const r of body.data.result) r.value[1] = String(Number(r.value[1]) + 0.4);
      return a;
    };
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "error",
        message: expect.stringMatching(/^istio_tcp_connections_opened_total could not be queried/) as string,
      },
    ]);
    expect(snap.completeness[0]!.message).toContain("query timed out in expression evaluation");
    expect(snap.edges.length).toBeGreaterThan(3);
    for (const e of snap.edges) expect(e.observed).toEqual(full.edges.find((x) => x.id === e.id)!.observed);
    // The ledger edge is only in the TCP series.
    expect(snap.edges.some((e) => e.id.startsWith("billing/invoices->ledger."))).toBe(false);
    expect(full.edges.some((e) => e.id.startsWith("billing/invoices->ledger."))).toBe(true);
  });

  it("a success with warnings (a Thanos store down) keeps its series and says the metric may be partial (reviews/server.md #4)", async () => {
    prom.respond = (q) => {
      const a = evaluateQuery(q, fileSamples, t.now);
      if (q.includes("istio_requests_total"))
        (a.body as Record<string, unknown>).warnings = [
          "partial response: store 10.0.3.7:10901 (cluster-b sidecar) unavailable",
          "  ",
        ];
      return a;
    };
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "error",
        message: `istio_requests_total from ${prom.url}/api/v1/query may be partial (Prometheus warned: partial response: store 10.0.3.7:10901 (cluster-b sidecar) unavailable); edges of that metric may be missing.`,
      },
    ]);
    // The series of the answer are all used.
    expect(snap.edges.map((e) => e.id)).toEqual(full.edges.map((e) => e.id));
    // Near miss: an empty warnings list says nothing.
    prom.respond = (q) => {
      const a = evaluateQuery(q, fileSamples, t.now);
      (a.body as Record<string, unknown>).warnings = [];
      return a;
    };
    const again = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
    expect(again.completeness).toEqual([]);
  });

  it("one Prometheus for several clusters: HANDSHAKE_PROMETHEUS_MATCHERS selects this cluster's series (reviews/server.md #5)", async () => {
    // The same workloads in a second cluster, calling in plaintext (a PERMISSIVE staging mesh).
    const prod = fileSamples.map((x) => ({ ...x, labels: { ...x.labels, cluster: "eu-1" } }));
    const staging = fileSamples.map((x) => ({
      ...x,
      labels: {
        ...x.labels,
        cluster: "us-2",
        connection_security_policy: x.labels.connection_security_policy ? "none" : "",
      },
    }));
    prom.requests = [];
    prom.respond = (q) => evaluateQuery(q, [...prod, ...staging], t.now);
    const mixed = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
    // Without a matcher the other cluster's plaintext lands on this cluster's edges.
    expect(mixed.edges.some((e) => e.status === "mismatch")).toBe(true);
    prom.requests = [];
    const own = await read(
      settings({
        HANDSHAKE_PROMETHEUS_URL: prom.url,
        HANDSHAKE_PROMETHEUS_MATCHERS: 'demo={cluster="eu-1"} other={cluster="us-2"}',
      }),
    );
    expect(own.completeness).toEqual([]);
    expect(own.edges).toEqual(full.edges);
    expect(prom.requests.map((r) => r.query).sort()).toEqual(
      TRAFFIC_METRICS.map((m) => trafficQuery(m, "1h", 'cluster="eu-1"')).sort(),
    );
  });

  it("nothing listening: an error entry naming the URL, the rest intact", async () => {
    const gone = await startFakeProm();
    await gone.close();
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: gone.url }));
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "error",
        message: expect.stringContaining(`${gone.url}/api/v1/query: cannot connect: ECONNREFUSED`) as string,
      },
    ]);
    expectIntactWithoutEdges(snap);
  });

  it("an injected fetch that never settles times out", async () => {
    const hung = (_url: string, init: { signal: AbortSignal }) =>
      new Promise<Response>((_, reject) =>
        init.signal.addEventListener("abort", () => reject(init.signal.reason as Error)),
      );
    const snap = await readSnapshot(t.transport(), {
      now: t.now,
      source: { type: "demo", context: "demo" },
      telemetry: settings({
        HANDSHAKE_PROMETHEUS_URL: "http://prometheus.invalid:9090",
        HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS: "0.2",
      }),
      fetch: hung,
    });
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "timeout",
        message: expect.stringContaining(
          "http://prometheus.invalid:9090/api/v1/query: no answer within 0.2 s",
        ) as string,
      },
    ]);
  });
});

describe("Linkerd's proxy counters, read live", () => {
  const NS = "emojivoto";
  const sid = (sa: string) => `${sa}.${NS}.serviceaccount.identity.linkerd.cluster.local`;
  /** What Prometheus' `linkerd-proxy` scrape job puts on every series of a pod (linkerd-viz prometheus.yaml). */
  const scraped = (deployment: string, pod: string) => ({
    namespace: NS,
    deployment,
    pod,
    control_plane_ns: "linkerd",
    instance: "10.42.0.7:4191",
    job: "linkerd-proxy",
  });
  /** An outbound endpoint's labels (linkerd2-proxy metrics.rs `OutboundEndpointLabels`) for a Service backed by Deployment `dep`. */
  const to = (service: string, dep: string) => ({
    authority: `${service}.${NS}.svc.cluster.local:8080`,
    target_addr: "10.42.0.31:8080",
    dst_namespace: NS,
    dst_service: service,
    dst_deployment: dep,
    dst_pod: `${dep}-7d9c8f6b4-q2x8z`,
    dst_serviceaccount: dep,
  });
  const mtls = (sa: string) => ({ tls: "true", server_id: sid(sa) });
  const PLAIN = { tls: "no_identity", no_tls_reason: "not_provided_by_service_discovery" };
  const OUT = { direction: "outbound" };
  const WEB = scraped("web", "web-5b7f5657f6-xbjjw");
  const WEB2 = scraped("web", "web-5b7f5657f6-k2c9d");
  const S = (metric: string, labels: Record<string, string>, value: number): PromSample => ({
    metric,
    labels,
    value,
  });
  /** Raw series, as Prometheus holds them: two pods of web calling emoji-svc (mTLS) and voting-svc (plaintext). */
  const LINKERD: PromSample[] = [
    S("request_total", { ...WEB, ...OUT, ...to("emoji-svc", "emoji"), ...mtls("emoji") }, 1200),
    S("request_total", { ...WEB2, ...OUT, ...to("emoji-svc", "emoji"), ...mtls("emoji") }, 100),
    S("request_total", { ...WEB, ...OUT, ...to("voting-svc", "voting"), ...PLAIN }, 300),
    S("tcp_open_total", { ...WEB, ...OUT, peer: "dst", ...to("emoji-svc", "emoji"), ...mtls("emoji") }, 4),
    S("tcp_open_total", { ...WEB, ...OUT, peer: "dst", ...to("voting-svc", "voting"), ...PLAIN }, 2),
    // emoji's inbound view of the same calls, and web's loopback connections to its own proxy: not evidence.
    S(
      "request_total",
      {
        ...scraped("emoji", "emoji-7d9c8f6b4-q2x8z"),
        direction: "inbound",
        authority: `emoji-svc.${NS}.svc.cluster.local:8080`,
        target_addr: "10.42.0.31:8080",
        tls: "true",
        client_id: sid("web"),
      },
      1300,
    ),
    S(
      "tcp_open_total",
      {
        ...WEB,
        ...OUT,
        peer: "src",
        target_addr: "10.43.0.20:8080",
        tls: "no_identity",
        no_tls_reason: "loopback",
      },
      6,
    ),
  ];
  const EMOJI = `${NS}/web->emoji-svc.${NS}.svc.cluster.local:8080`;
  const VOTING = `${NS}/web->voting-svc.${NS}.svc.cluster.local:8080`;
  const isLinkerdQuery = (q: string) => q.includes('{direction="outbound"}');
  const failing = {
    code: 422,
    body: { status: "error", errorType: "execution", error: "query timed out in expression evaluation" },
  };

  let prom: FakeProm;
  beforeAll(async () => {
    prom = await startFakeProm();
  });
  afterAll(async () => prom?.close());
  const readFrom = (samples: PromSample[]) => {
    prom.requests = [];
    prom.respond = (q) => evaluateQuery(q, samples, t.now);
    return read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
  };
  /** `handshake analyze --traffic` on the raw series saved as one answer (`__name__` kept, the reader's window). */
  async function cliOn(samples: PromSample[], name: string): Promise<MeshSnapshot> {
    const result = samples.map((x) => ({
      metric: { __name__: x.metric, ...x.labels },
      value: [t.now.getTime() / 1000, String(x.value)],
    }));
    const path = join(t.dir, name);
    await writeFile(
      path,
      JSON.stringify({ window: "1h", status: "success", data: { resultType: "vector", result } }),
    );
    const cli = await runCli([t.demo.stateDir, "--traffic", path, "--now", t.now.toISOString()]);
    expect(cli.stderr).toBe("");
    return JSON.parse(cli.stdout) as MeshSnapshot;
  }
  const withoutSource = ({ source: _s, ...rest }: MeshSnapshot) => rest;

  it("asks for the outbound side only, grouped by every label the parser's Linkerd path reads (pod for bare pods only, target_addr's port only); Istio's queries are as before", () => {
    expect(TRAFFIC_METRICS).toEqual([
      "istio_requests_total",
      "istio_tcp_connections_opened_total",
      "request_total",
      "tcp_open_total",
    ]);
    const by =
      "direction, peer, tls, no_tls_reason, server_id, namespace, workload_ns, deployment, statefulset, daemonset, cronjob, k8s_job, replicaset, replicationcontroller, batch_kubernetes_io_job_name, job_name, handshake_bare_pod, dst_service, dst_namespace, authority, handshake_target_port";
    const query = (metric: string, window: string) =>
      `label_replace(label_replace(sum by (${by}) (label_replace(label_replace(label_join(increase(${metric}{direction="outbound"}[${window}]), "handshake_bare_pod", ";", "deployment", "statefulset", "daemonset", "cronjob", "k8s_job", "replicaset", "replicationcontroller", "batch_kubernetes_io_job_name", "job_name", "pod"), "handshake_bare_pod", "$1", "handshake_bare_pod", ";{9}(.+)|.*"), "handshake_target_port", ":$1", "target_addr", ".*:([0-9]+)")), "pod", "$1", "handshake_bare_pod", "(.+)"), "target_addr", "$1", "handshake_target_port", "(.+)")`;
    expect(trafficQuery("request_total", "1h")).toBe(query("request_total", "1h"));
    expect(trafficQuery("tcp_open_total", "6h")).toBe(query("tcp_open_total", "6h"));
    expect(trafficQuery("istio_requests_total", "1h")).toBe(
      "sum by (reporter, source_workload, source_workload_namespace, source_principal, destination_workload, destination_workload_namespace, destination_service, destination_service_name, destination_service_namespace, destination_principal, connection_security_policy, request_protocol, app) (increase(istio_requests_total[1h]))",
    );
  });

  describe("the answer's size: one series per call, not per caller pod and endpoint", () => {
    /** 20 pods of web calling emoji-svc's 30 endpoints, plus two bare pods (no owner label: named by `pod` alone). */
    const MANY: PromSample[] = [];
    for (let p = 0; p < 20; p++)
      for (let e = 0; e < 30; e++) {
        const labels = {
          ...scraped("web", `web-5b7f5657f6-p${p}`),
          instance: `10.42.0.${p}:4191`,
          ...OUT,
          ...to("emoji-svc", "emoji"),
          target_addr: `10.42.1.${e}:8080`,
          dst_pod: `emoji-7d9c8f6b4-e${e}`,
          ...mtls("emoji"),
        };
        MANY.push(S("request_total", labels, 2), S("tcp_open_total", { ...labels, peer: "dst" }, 1));
      }
    for (const pod of ["debug-a", "debug-b"])
      MANY.push(
        S(
          "tcp_open_total",
          {
            namespace: NS,
            pod,
            instance: `10.42.2.${pod.length}:4191`,
            ...OUT,
            peer: "dst",
            ...to("voting-svc", "voting"),
            ...PLAIN,
          },
          3,
        ),
      );
    // A StatefulSet endpoint recreated under its name with another IP: the two series differ in target_addr alone.
    for (const ip of ["10.42.3.1", "10.42.3.2"])
      MANY.push(
        S(
          "tcp_open_total",
          {
            ...scraped("web", "web-5b7f5657f6-p0"),
            instance: "10.42.0.0:4191",
            ...OUT,
            peer: "dst",
            ...to("voting-svc", "voting"),
            target_addr: `${ip}:9090`,
            authority: `voting-svc.${NS}.svc.cluster.local:9090`,
            dst_pod: "voting-0",
            ...PLAIN,
          },
          1,
        ),
      );
    const answerOf = (metric: string) => {
      const a = evaluateQuery(trafficQuery(metric, "1h"), MANY, t.now);
      expect(a.code).toBe(200);
      return (
        a.body as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
      ).data.result.map((r): Record<string, string> => ({ ...r.metric, value: r.value[1] }));
    };

    it('groups by the endpoint\'s port (target_addr as ":<port>") and names a pod only where no owner label names the caller', () => {
      expect(answerOf("request_total")).toEqual([
        expect.objectContaining({ deployment: "web", target_addr: ":8080", value: "1200" }),
      ]);
      expect(answerOf("request_total")[0]).not.toHaveProperty("pod");
      const opened = answerOf("tcp_open_total");
      expect(opened).toHaveLength(4);
      expect(opened.map((r) => [r.deployment ?? null, r.pod ?? null, r.target_addr, r.value])).toEqual(
        expect.arrayContaining([
          ["web", null, ":8080", "600"],
          ["web", null, ":9090", "2"],
          [null, "debug-a", ":8080", "3"],
          [null, "debug-b", ":8080", "3"],
        ]),
      );
    });

    it("and reads exactly as handshake analyze --traffic reads the raw series", async () => {
      const snap = await readFrom([...fileSamples, ...MANY]);
      expect(snap.completeness).toEqual([]);
      expect(snap.edges.find((e) => e.id === EMOJI)?.observed).toEqual({
        mtls: 1200,
        plaintext: 0,
        unknown: 0,
        window: "1h",
      });
      expect(withoutSource(snap)).toEqual(withoutSource(await cliOn([...fileSamples, ...MANY], "many.json")));
    });
  });

  it("a Linkerd answer gives Linkerd edges beside Istio's, exactly as handshake analyze --traffic gives them from the raw series", async () => {
    const snap = await readFrom([...fileSamples, ...LINKERD]);
    expect(prom.requests.map((r) => r.query).filter(isLinkerdQuery)).toEqual([
      trafficQuery("request_total", "1h"),
      trafficQuery("tcp_open_total", "1h"),
    ]);
    expect(snap.completeness).toEqual([]);
    const edge = (id: string) => snap.edges.find((e) => e.id === id);
    // Both pods' requests, once: not the connections beside them, not emoji's inbound view, not the loopback.
    expect(edge(EMOJI)).toMatchObject({
      observed: { mtls: 1300, plaintext: 0, unknown: 0, window: "1h" },
      predicted: { client: { tls: "LINKERD" } },
    });
    expect(edge(VOTING)?.observed).toEqual({ mtls: 0, plaintext: 300, unknown: 0, window: "1h" });
    expect(snap.edges).toHaveLength(full.edges.length + 2);
    for (const e of full.edges) expect(edge(e.id)).toEqual(e);
    // One path, same answer: the raw series (inbound, loopback, extra labels and all) read by the CLI.
    expect(withoutSource(snap)).toEqual(
      withoutSource(await cliOn([...fileSamples, ...LINKERD], "with-linkerd.json")),
    );
  });

  it("the order in which the answers arrive changes nothing: the samples are read in the queries' order", async () => {
    const inOrder = await readFrom([...fileSamples, ...LINKERD]);
    // Istio's request answer last, Linkerd's connections first.
    prom.delay = (q) =>
      q.includes("istio_requests_total")
        ? 300
        : q.includes("request_total")
          ? 150
          : q.includes("istio_tcp")
            ? 75
            : 0;
    try {
      const shuffled = await readFrom([...fileSamples, ...LINKERD]);
      expect(JSON.stringify(shuffled)).toBe(JSON.stringify(inOrder));
    } finally {
      prom.delay = () => 0;
    }
  });

  it("Linkerd's queries failing keep every Istio edge and add one completeness entry naming them", async () => {
    prom.respond = (q) =>
      isLinkerdQuery(q) ? failing : evaluateQuery(q, [...fileSamples, ...LINKERD], t.now);
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "error",
        message: expect.stringMatching(
          /^request_total and tcp_open_total could not be queried from /,
        ) as string,
      },
    ]);
    expect(snap.completeness[0]!.message).toContain(
      "query timed out in expression evaluation; edges of that metric are missing",
    );
    expect(snap.edges).toEqual(full.edges);
  });

  it("and the reverse: Istio's queries failing keep the Linkerd edges", async () => {
    prom.respond = (q) =>
      isLinkerdQuery(q) ? evaluateQuery(q, [...fileSamples, ...LINKERD], t.now) : failing;
    const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
    expect(snap.completeness).toEqual([
      {
        kind: "Telemetry",
        reason: "error",
        message: expect.stringMatching(
          /^istio_requests_total and istio_tcp_connections_opened_total could not be queried from /,
        ) as string,
      },
    ]);
    expect(snap.edges.map((e) => [e.id, e.observed])).toEqual([
      [EMOJI, { mtls: 1300, plaintext: 0, unknown: 0, window: "1h" }],
      [VOTING, { mtls: 0, plaintext: 300, unknown: 0, window: "1h" }],
    ]);
  });

  describe("Linkerd's series without the caller's labels (a Prometheus without linkerd-viz's linkerd-proxy relabelling)", () => {
    // e.g. a generic kubernetes-pods job: kubernetes_namespace and kubernetes_pod_name, none of the names the parser reads.
    const unlabelled = S(
      "request_total",
      {
        kubernetes_namespace: NS,
        kubernetes_pod_name: "web-5b7f5657f6-xbjjw",
        ...OUT,
        ...to("emoji-svc", "emoji"),
        ...mtls("emoji"),
      },
      1200,
    );
    const endpoint = (samples: PromSample[]): PrometheusEndpoint => ({
      where: "http://prom.example/api/v1/query",
      query: (q) => Promise.resolve(evaluateQuery(q, samples, t.now).body),
    });
    const live = (n: number, rest: string) => ({
      kind: "Telemetry",
      reason: "invalid",
      message: `${n} of Linkerd's outbound series from http://prom.example/api/v1/query name no caller: that Prometheus does not add the caller's namespace and deployment, statefulset, daemonset, cronjob, k8s_job, replicaset, replicationcontroller or pod label (linkerd-viz's linkerd-proxy scrape job adds them), so they were not read; ${rest}.`,
    });

    it.each([
      [
        "alone (a pure Linkerd mesh): no edge, a Telemetry entry about that Prometheus, no traffic problem",
        false,
      ],
      ["beside Istio's series: Istio's edges kept, the same entry", true],
    ])("%s", async (_name, withIstio) => {
      const samples = withIstio ? [...fileSamples, unlabelled] : [unlabelled];
      const expected = live(1, "the edges of those calls are missing");
      const r = await readTraffic(endpoint(samples), { window: "1h", timeoutMs: 5_000 });
      expect(r.completeness).toEqual([expected]);
      expect(r.traffic?.problems).toEqual([]);
      expect(r.traffic?.skipped).toBeUndefined();
      prom.respond = (q) => evaluateQuery(q, samples, t.now);
      const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
      // Not a file's input.invalid: nothing the user passed is malformed.
      expect(snap.findings.filter((f) => f.code === "input.invalid")).toEqual([]);
      expect(snap.completeness).toEqual([
        {
          ...expected,
          message: expected.message.replace("http://prom.example/api/v1/query", `${prom.url}/api/v1/query`),
        },
      ]);
      expect(snap.edges).toEqual(withIstio ? full.edges : []);
    });

    it("near miss: the same series with the linkerd-proxy job's labels is read, and nothing is said", async () => {
      const r = await readTraffic(
        endpoint([
          S("request_total", { ...WEB, ...OUT, ...to("emoji-svc", "emoji"), ...mtls("emoji") }, 1200),
        ]),
        { window: "1h", timeoutMs: 5_000 },
      );
      expect(r.completeness).toEqual([]);
      expect(r.traffic?.samples.map((x) => [x.labels.source_workload, x.value])).toEqual([["web", 1200]]);
    });
  });

  describe("Istio's queries failing where Linkerd's answer no series (a pure Istio mesh): the whole read failed, not part of it", () => {
    const tooMany = new KubeError(
      "error",
      "HTTP 422: execution: query processing would load too many samples into memory in query execution",
    );
    /** A Prometheus whose Istio queries throw `tooMany` and whose Linkerd queries answer what `linkerd` holds. */
    const endpoint = (linkerd: PromSample[]): PrometheusEndpoint => ({
      where: "http://prom.example/api/v1/query",
      query: (q) =>
        isLinkerdQuery(q) ? Promise.resolve(evaluateQuery(q, linkerd, t.now).body) : Promise.reject(tooMany),
    });
    const FULL = `observed traffic could not be read from http://prom.example/api/v1/query: ${tooMany.message}; the snapshot has no edges, since edges come only from observed traffic.`;

    it("Linkerd's empty successes are no answer: the full wording, and no traffic (as before Linkerd was asked)", async () => {
      expect(await readTraffic(endpoint([]), { window: "1h", timeoutMs: 5_000 })).toEqual({
        completeness: [{ kind: "Telemetry", reason: "error", message: FULL }],
      });
      prom.respond = (q) =>
        isLinkerdQuery(q)
          ? evaluateQuery(q, fileSamples, t.now)
          : {
              code: 422,
              body: {
                status: "error",
                errorType: "execution",
                error: "query processing would load too many samples into memory in query execution",
              },
            };
      const snap = await read(settings({ HANDSHAKE_PROMETHEUS_URL: prom.url }));
      expect(snap.completeness).toEqual([
        {
          kind: "Telemetry",
          reason: "error",
          message: expect.stringMatching(
            /^observed traffic could not be read from .*; the snapshot has no edges, since edges come only from observed traffic\.$/,
          ) as string,
        },
      ]);
      expectIntactWithoutEdges(snap);
    });

    it("near miss: a Linkerd answer with series is part of the read: the partial wording, and its edges", async () => {
      const r = await readTraffic(endpoint(LINKERD), { window: "1h", timeoutMs: 5_000 });
      expect(r.completeness).toEqual([
        {
          kind: "Telemetry",
          reason: "error",
          message: `istio_requests_total and istio_tcp_connections_opened_total could not be queried from http://prom.example/api/v1/query: ${tooMany.message}; edges of that metric are missing.`,
        },
      ]);
      expect(
        new Set(r.traffic?.samples.map((x) => `${x.metric} ${x.labels.destination_service_name}`)),
      ).toEqual(new Set(["request_total emoji-svc", "request_total voting-svc"]));
    });
  });

  it("near miss: an Istio-only Prometheus (Linkerd's queries answer no series) adds no entry, and the snapshot is byte for byte handshake analyze's on Istio's series", async () => {
    const snap = await readFrom(fileSamples);
    expect(prom.requests.filter((r) => isLinkerdQuery(r.query))).toHaveLength(2);
    for (const m of ["request_total", "tcp_open_total"])
      expect(evaluateQuery(trafficQuery(m, "1h"), fileSamples, t.now).body).toEqual({
        status: "success",
        data: { resultType: "vector", result: [] },
      });
    expect(snap.completeness).toEqual([]);
    const cli = await runCli([
      t.demo.stateDir,
      "--traffic",
      await windowedTraffic(t),
      "--now",
      t.now.toISOString(),
    ]);
    expect(JSON.stringify(withoutSource(snap))).toBe(
      JSON.stringify(withoutSource(JSON.parse(cli.stdout) as MeshSnapshot)),
    );
    expect(JSON.stringify(withoutSource(snap))).toBe(JSON.stringify(withoutSource(full)));
  });
});

describe("HANDSHAKE_PROMETHEUS_MATCHERS", () => {
  it("adds each context's label matchers to every query, Istio's and Linkerd's", () => {
    expect(trafficQuery("istio_requests_total", "1h", 'cluster="eu-1"')).toContain(
      'increase(istio_requests_total{cluster="eu-1"}[1h])',
    );
    expect(trafficQuery("request_total", "1h", 'cluster="eu-1"')).toContain(
      'increase(request_total{direction="outbound", cluster="eu-1"}[1h])',
    );
    // Near miss: without matchers the queries are as before.
    expect(trafficQuery("istio_requests_total", "1h")).toContain("increase(istio_requests_total[1h])");
    expect(trafficQuery("request_total", "1h")).toContain(
      'increase(request_total{direction="outbound"}[1h])',
    );
  });

  it("parses several matchers per context, any operator, commas and braces inside quoted values", () => {
    const env = {
      HANDSHAKE_PROMETHEUS_MATCHERS:
        ' prod={cluster="eu-1", env!="test"}\nstaging={ cluster=~"us-(2|3)", note="a,b}\\"c" } ',
    };
    expect(forCluster(env, "prod").matchers).toBe('cluster="eu-1", env!="test"');
    expect(forCluster(env, "staging").matchers).toBe('cluster=~"us-(2|3)", note="a,b}\\"c"');
    expect(forCluster(env, "prod").invalid).toBeUndefined();
    // Escapes Go knows, and a pattern with them.
    expect(
      forCluster(
        { HANDSHAKE_PROMETHEUS_MATCHERS: 'prod={cluster=~"eu-\\\\d+", name="a\\"b\\u00e9"}' },
        "prod",
      ).matchers,
    ).toBe('cluster=~"eu-\\\\d+", name="a\\"b\\u00e9"');
    // Single quotes and a trailing comma are PromQL too.
    expect(forCluster({ HANDSHAKE_PROMETHEUS_MATCHERS: "prod={cluster='eu-1',}" }, "prod").matchers).toBe(
      "cluster='eu-1'",
    );
    // A context it does not name queries every series, as before.
    expect(forCluster(env, "dev")).toEqual({
      target: { kind: "service", service: DEFAULT_SERVICE },
      window: "1h",
      timeoutMs: 10_000,
    });
  });

  it("an entry that is not label matchers disables only its own context; text outside any entry disables all", () => {
    const env = { HANDSHAKE_PROMETHEUS_MATCHERS: 'prod={cluster=eu-1} staging={cluster="us-2"}' };
    expect(forCluster(env, "prod").invalid).toBe(
      'HANDSHAKE_PROMETHEUS_MATCHERS: prod: expected PromQL label matchers such as {cluster="eu-1"}',
    );
    expect(forCluster(env, "staging")).toMatchObject({ matchers: 'cluster="us-2"' });
    expect(forCluster(env, "staging").invalid).toBeUndefined();
    for (const bad of ['prod=cluster="eu-1"', 'prod={cluster="eu-1"} oops', 'prod={cluster="eu-1"'])
      expect(forCluster({ HANDSHAKE_PROMETHEUS_MATCHERS: bad }, "staging").invalid, bad).toBe(
        'HANDSHAKE_PROMETHEUS_MATCHERS: expected context={label="value", …} entries separated by white space',
      );
    // Also what Prometheus would refuse in every query (reviews/server2.md #6): a raw newline, an escape Go
    // does not know, a pattern that does not compile, a code point past Unicode's last.
    for (const bad of [
      "prod={}",
      'prod={cluster="eu-1",,}',
      'prod={1x="a"}',
      "prod={cluster=`eu-1`}",
      'prod={cluster=="eu-1"}',
      'prod={cluster="eu\n1"}',
      'prod={cluster="eu\\q"}',
      'prod={cluster=~"eu-(1"}',
      'prod={cluster="\\U00110000"}',
    ])
      expect(forCluster({ HANDSHAKE_PROMETHEUS_MATCHERS: bad }, "prod").invalid, bad).toMatch(
        /^HANDSHAKE_PROMETHEUS_MATCHERS: prod: /,
      );
  });
});

describe("settings", () => {
  it("per-context URLs win for their context; the rest use HANDSHAKE_PROMETHEUS_URL, else the service proxy", () => {
    const env = {
      HANDSHAKE_PROMETHEUS_URLS: "prod=https://prom.prod.example:9090, staging=http://prom.staging:9090",
      HANDSHAKE_PROMETHEUS_SERVICE: "monitoring/prom:web",
    };
    expect(forCluster(env, "prod").target).toEqual({
      kind: "url",
      url: "https://prom.prod.example:9090",
    });
    expect(forCluster(env, "dev").target).toEqual({
      kind: "service",
      service: { namespace: "monitoring", name: "prom", port: "web" },
    });
    expect(forCluster({ ...env, HANDSHAKE_PROMETHEUS_URL: "http://all:9090" }, "dev").target).toEqual({
      kind: "url",
      url: "http://all:9090",
    });
    expect(forCluster({}, "dev")).toEqual({
      target: { kind: "service", service: DEFAULT_SERVICE },
      window: "1h",
      timeoutMs: 10_000,
    });
    expect(forCluster({ HANDSHAKE_PROMETHEUS_URLS: "prod=ftp://x" }, "prod").invalid).toBe(
      "HANDSHAKE_PROMETHEUS_URLS: prod: expected context=http(s)://url",
    );
    expect(forCluster({ HANDSHAKE_PROMETHEUS_SERVICE: "prometheus:9090" }, "x").invalid).toContain(
      "is not namespace/name:port",
    );
  });

  it("a bad entry in HANDSHAKE_PROMETHEUS_URLS disables only its own context", () => {
    const env = { HANDSHAKE_PROMETHEUS_URLS: "prod=ftp://typo staging=http://ok:9090" };
    expect(forCluster(env, "staging")).toEqual({
      target: { kind: "url", url: "http://ok:9090" },
      window: "1h",
      timeoutMs: 10_000,
    });
    expect(forCluster(env, "prod").invalid).toBe(
      "HANDSHAKE_PROMETHEUS_URLS: prod: expected context=http(s)://url",
    );
    // An entry naming no context cannot be told apart, so it counts against every cluster.
    expect(forCluster({ HANDSHAKE_PROMETHEUS_URLS: "http://x:9090" }, "staging").invalid).toContain(
      'an entry without "="',
    );
  });

  it("an unusable timeout falls back to 10 s and is logged once at start", async () => {
    expect(forCluster({ HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS: "ten" }, "x").timeoutMs).toBe(10_000);
    expect(forCluster({ HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS: "2.5" }, "x").timeoutMs).toBe(2_500);
    expect(parseTelemetryEnv({ HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS: "0" }).problems).toEqual([
      'HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS="0" is not a positive number; using the default 10',
    ]);
    const lines: string[] = [];
    const server = createHandshakeServer({
      env: { HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS: "0", HANDSHAKE_REFRESH_SECONDS: "0" },
      home: "/nonexistent",
      exists: () => false,
      startDemo: () => Promise.reject(new Error("not needed")),
      warn: (l) => lines.push(l),
    });
    await server.stop();
    expect(lines).toEqual([
      'handshake: HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS="0" is not a positive number; using the default 10',
      'handshake: HANDSHAKE_REFRESH_SECONDS="0" is not a positive number; using the default 30',
    ]);
  });
});

describe("the demo's query evaluator", () => {
  const s = (metric: string, labels: Record<string, string>, value: number): PromSample => ({
    metric,
    labels,
    value,
  });
  const samples = [
    s("istio_requests_total", { reporter: "destination", source_workload: "a", response_code: "200" }, 10),
    s("istio_requests_total", { reporter: "destination", source_workload: "a", response_code: "500" }, 2.5),
    s("istio_requests_total", { reporter: "source", source_workload: "a", response_code: "200" }, 7),
    s("istio_requests_total", { reporter: "destination", source_workload: "", response_code: "200" }, 1),
    s("istio_tcp_connections_opened_total", { reporter: "destination", source_workload: "a" }, 100),
  ];
  const at = new Date("2026-01-02T03:04:05Z");
  const result = (q: string) => {
    const a = evaluateQuery(q, samples, at);
    expect(a.code).toBe(200);
    return (a.body as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
      .data.result;
  };

  it("groups by the listed labels and sums the values of each group, for the named metric only", () => {
    expect(result("sum by (reporter, source_workload) (increase(istio_requests_total[1h]))")).toEqual([
      { metric: { reporter: "destination" }, value: [at.getTime() / 1000, "1"] },
      { metric: { reporter: "destination", source_workload: "a" }, value: [at.getTime() / 1000, "12.5"] },
      { metric: { reporter: "source", source_workload: "a" }, value: [at.getTime() / 1000, "7"] },
    ]);
    expect(
      result("sum by (response_code) (increase(istio_requests_total[5m]))").map((r) => [
        r.metric.response_code,
        r.value[1],
      ]),
    ).toEqual([
      ["200", "18"],
      ["500", "2.5"],
    ]);
    expect(result("sum(increase(istio_tcp_connections_opened_total[30m]))")).toEqual([
      { metric: {}, value: [at.getTime() / 1000, "100"] },
    ]);
    expect(result("sum by (reporter) (increase(istio_unknown_total[1h]))")).toEqual([]);
  });

  it("keeps only the series whose labels equal the selector's values (a missing label is empty)", () => {
    const linkerd = [
      s("request_total", { direction: "outbound", deployment: "web" }, 5),
      s("request_total", { direction: "inbound", deployment: "emoji" }, 7),
      s("request_total", { deployment: "other" }, 1),
    ];
    const at2 = (q: string) =>
      (evaluateQuery(q, linkerd, at).body as { data: { result: unknown[] } }).data.result;
    expect(at2('sum by (deployment) (increase(request_total{direction="outbound"}[1h]))')).toEqual([
      { metric: { deployment: "web" }, value: [at.getTime() / 1000, "5"] },
    ]);
    expect(
      at2('sum by (deployment) (increase(request_total{ direction = "outbound" , deployment="web", }[1h]))'),
    ).toHaveLength(1);
    expect(at2('sum by (deployment) (increase(request_total{direction=""}[1h]))')).toEqual([
      { metric: { deployment: "other" }, value: [at.getTime() / 1000, "1"] },
    ]);
    expect(at2("sum by (deployment) (increase(request_total{}[1h]))")).toHaveLength(3);
    expect(result('sum by (reporter) (increase(istio_requests_total{reporter="source"}[1h]))')).toEqual([
      { metric: { reporter: "source" }, value: [at.getTime() / 1000, "7"] },
    ]);
  });

  it("label_replace and label_join as Prometheus evaluates them: anchored regex, $1 / ${1} / $$, no match unchanged, an empty value removes the label", () => {
    const eps = [
      s("tcp_open_total", { deployment: "web", target_addr: "10.42.1.1:8080", dst_pod: "emoji-a" }, 1),
      s("tcp_open_total", { deployment: "web", target_addr: "[fd00::7]:8080", dst_pod: "emoji-b" }, 2),
      s("tcp_open_total", { pod: "debug", target_addr: "10.42.1.3:9090" }, 4),
    ];
    const at3 = (q: string) => {
      const a = evaluateQuery(q, eps, at);
      expect(a.code, q).toBe(200);
      return (
        a.body as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
      ).data.result.map((r) => [r.metric, r.value[1]]);
    };
    expect(
      at3(
        'sum by (port) (label_replace(increase(tcp_open_total[1h]), "port", ":$1", "target_addr", ".*:([0-9]+)"))',
      ),
    ).toEqual([
      [{ port: ":8080" }, "3"],
      [{ port: ":9090" }, "4"],
    ]);
    // Anchored: "8080" alone does not match "10.42.1.1:8080"; no match leaves the series as it was.
    expect(
      at3('sum by (port) (label_replace(increase(tcp_open_total[1h]), "port", "x", "target_addr", "8080"))'),
    ).toEqual([[{}, "7"]]);
    expect(
      at3('sum by (p) (label_replace(increase(tcp_open_total[1h]), "p", "${1}$$", "dst_pod", "emoji-(.)"))'),
    ).toEqual([
      [{}, "4"],
      [{ p: "a$" }, "1"],
      [{ p: "b$" }, "2"],
    ]);
    // "" removes the label, so a sum by it groups the series without it.
    expect(
      at3(
        'sum by (deployment) (label_replace(increase(tcp_open_total[1h]), "deployment", "", "deployment", ".*"))',
      ),
    ).toEqual([[{}, "7"]]);
    expect(
      at3('sum by (j) (label_join(increase(tcp_open_total[1h]), "j", ";", "deployment", "pod"))'),
    ).toEqual([
      [{ j: ";debug" }, "4"],
      [{ j: "web;" }, "3"],
    ]);
    // Outside a sum: every label as the series has it.
    expect(
      at3('label_replace(sum by (pod) (increase(tcp_open_total[1h])), "who", "$1", "pod", "(.+)")'),
    ).toEqual([
      [{}, "3"],
      [{ pod: "debug", who: "debug" }, "4"],
    ]);
  });

  it("a label function that leaves two series with one label set fails the query (422 execution), as Prometheus' does; near miss: a new label beside the old is fine", () => {
    // One StatefulSet endpoint under its name with two IPs: the series differ in target_addr alone.
    const twice = [
      s("tcp_open_total", { dst_pod: "voting-0", target_addr: "10.42.3.1:9090" }, 1),
      s("tcp_open_total", { dst_pod: "voting-0", target_addr: "10.42.3.2:9090" }, 1),
    ];
    const inPlace = evaluateQuery(
      'sum by (target_addr) (label_replace(increase(tcp_open_total[1h]), "target_addr", ":$1", "target_addr", ".*:([0-9]+)"))',
      twice,
      at,
    );
    expect(inPlace).toEqual({
      code: 422,
      body: {
        status: "error",
        errorType: "execution",
        error: "vector cannot contain metrics with the same labelset",
      },
    });
    const beside = evaluateQuery(
      'sum by (port) (label_replace(increase(tcp_open_total[1h]), "port", ":$1", "target_addr", ".*:([0-9]+)"))',
      twice,
      at,
    );
    expect(beside.body).toEqual({
      status: "success",
      data: {
        resultType: "vector",
        result: [{ metric: { port: ":9090" }, value: [at.getTime() / 1000, "2"] }],
      },
    });
  });

  it("answers the reader's own query", () => {
    expect(
      result(trafficQuery("istio_requests_total", "1h")).reduce((n, r) => n + Number(r.value[1]), 0),
    ).toBe(20.5);
  });

  it("rejects other shapes with Prometheus' 400 bad_data", () => {
    for (const q of [
      "",
      "istio_requests_total",
      "rate(istio_requests_total[5m])",
      "sum by (reporter) (istio_requests_total)",
      "sum by (reporter) (increase(istio_requests_total[1 hour]))",
      "max by (reporter) (increase(istio_requests_total[1h]))",
      'sum by (reporter) (increase(istio_requests_total{reporter=~"dest.*"}[1h]))',
      'sum by (reporter) (increase(istio_requests_total{reporter!="source"}[1h]))',
      'sum by (reporter) (increase(istio_requests_total{reporter="\\q"}[1h]))',
      "increase(istio_requests_total[1h])",
      'label_replace(increase(istio_requests_total[1h]), "a", "b", "c")',
      'label_replace(increase(istio_requests_total[1h]), "a", "b", "c", "(")',
      'label_replace(increase(istio_requests_total[1h]), "1a", "b", "c", "d")',
      'label_join(istio_requests_total, "a", ";", "b")',
      "sum by (reporter) (increase(istio_requests_total[1h])) extra",
    ]) {
      const a = evaluateQuery(q, samples, at);
      expect(a.code, q).toBe(400);
      expect(a.body).toMatchObject({ status: "error", errorType: "bad_data" });
    }
    expect(evaluateQuery(null, samples, at).code).toBe(400);
  });
});
