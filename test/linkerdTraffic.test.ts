// Linkerd's proxy counters as observed traffic (`--traffic`): the source proxy's outbound view is the
// evidence, read through the real parser, model, resolver and analysis (other-meshes.md §1.2, §1.5;
// docs/DECISIONS.md, "Linkerd's proxy metrics as observed traffic").
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { parseQueryAnswer, parseQueryAnswers, parseTraffic } from "../lib/core/traffic/parseTraffic";
import { analyze } from "../lib/core/snapshot/analyze";
import {
  call,
  deploy,
  edgeOf,
  expectNoWarnings,
  findingsOf,
  host,
  loaded,
  namespace,
  NOW,
  predict,
  run,
  service,
} from "./kit";

const NS = "emojivoto";
const l5d = (name: string) => namespace(name, {}, { "linkerd.io/inject": "enabled" });
const svc = (name: string, app: string, ports: { port: number; targetPort?: number; name: string }[]) =>
  service(NS, name, ports, { selector: { app } });
const GRPC = [
  { port: 8080, name: "grpc" },
  { port: 8801, name: "prom" },
];

// emojivoto as `linkerd inject` leaves it: web calls emoji-svc and voting-svc over gRPC, vote-bot calls web-svc.
const EMOJIVOTO: KubeObject[] = [
  l5d(NS),
  deploy(NS, "web", { ports: [8080] }),
  deploy(NS, "emoji", {
    ports: [
      { port: 8080, name: "grpc" },
      { port: 8801, name: "prom" },
    ],
  }),
  deploy(NS, "voting", {
    ports: [
      { port: 8080, name: "grpc" },
      { port: 8801, name: "prom" },
    ],
  }),
  deploy(NS, "vote-bot"),
  svc("web-svc", "web", [{ port: 80, targetPort: 8080, name: "http" }]),
  svc("emoji-svc", "emoji", GRPC),
  svc("voting-svc", "voting", GRPC),
];

const sid = (sa: string) => `${sa}.${NS}.serviceaccount.identity.linkerd.cluster.local`;

/** Labels Prometheus' `linkerd-proxy` job adds to every series of a pod of Deployment `src`. */
const scraped = (src: string) =>
  `namespace="${NS}",deployment="${src}",pod="${src}-5b7f5657f6-xbjjw",control_plane_ns="linkerd",instance="10.42.0.7:4191",job="linkerd-proxy"`;

/** The destination labels the proxy learnt from discovery (`dst_*`), for a Service backed by Deployment `dep`, without the address. */
const dstOnly = (service: string, dep: string) =>
  `dst_namespace="${NS}",dst_service="${service}",dst_deployment="${dep}",dst_pod="${dep}-7d9c8f6b4-q2x8z",dst_serviceaccount="${dep}"`;

/**
 * An outbound endpoint's labels (linkerd2-proxy app/core metrics.rs `OutboundEndpointLabels`): the
 * authority called (the Service port), the endpoint's address (the pod's port), then the `dst_*`.
 */
const dst = (service: string, dep: string, port = 8080, targetPort = port) =>
  `authority="${service}.${NS}.svc.cluster.local:${port}",target_addr="10.42.0.31:${targetPort}",${dstOnly(service, dep)}`;

const secured = (sa: string) => `tls="true",server_id="${sid(sa)}"`;
const PLAIN = `tls="no_identity",no_tls_reason="not_provided_by_service_discovery"`;

const requests = (src: string, to: string, tls: string, n: number) =>
  `request_total{${scraped(src)},direction="outbound",${to},${tls}} ${n}`;
const opened = (src: string, to: string, tls: string, n: number) =>
  `tcp_open_total{${scraped(src)},direction="outbound",peer="dst",${to},${tls}} ${n}`;

// What a Linkerd mesh's Prometheus holds besides the outbound evidence: the destination proxies'
// inbound view of the same calls, the application's loopback connections to its own proxy, responses.
// Inbound series carry what an outbound one would be read by (InboundEndpointLabels: authority, target_addr),
// so only their direction keeps them out; outbound `peer="src"` ones (ServerLabels::outbound) name no destination.
const SEEN_AGAIN = [
  `request_total{${scraped("emoji")},direction="inbound",authority="emoji-svc.${NS}.svc.cluster.local:8080",target_addr="10.42.0.9:8080",tls="true",client_id="${sid("web")}",srv_kind="default",srv_name="all-unauthenticated"} 1200`,
  `tcp_open_total{${scraped("emoji")},direction="inbound",peer="src",target_addr="10.42.0.12:8080",tls="true",client_id="${sid("web")}"} 4`,
  `tcp_open_total{${scraped("emoji")},direction="inbound",peer="dst",tls="no_identity",no_tls_reason="loopback"} 4`,
  `tcp_open_total{${scraped("web")},direction="outbound",peer="src",target_addr="10.43.0.20:8080",tls="no_identity",no_tls_reason="loopback"} 6`,
  `response_total{${scraped("web")},direction="outbound",${dst("emoji-svc", "emoji")},${secured("emoji")},status_code="200",classification="success"} 1200`,
];

const EMOJIVOTO_TRAFFIC = [
  "# HELP request_total Total count of HTTP requests.",
  "# TYPE request_total counter",
  requests("web", dst("emoji-svc", "emoji"), secured("emoji"), 1200),
  requests("web", dst("voting-svc", "voting"), secured("voting"), 300),
  requests("vote-bot", dst("web-svc", "web", 80, 8080), secured("web"), 150),
  "# TYPE tcp_open_total counter",
  opened("web", dst("emoji-svc", "emoji"), secured("emoji"), 4),
  opened("web", dst("voting-svc", "voting"), secured("voting"), 2),
  opened("vote-bot", dst("web-svc", "web", 80, 8080), secured("web"), 1),
  ...SEEN_AGAIN,
].join("\n");

function analyse(objects: KubeObject[], text: string) {
  const traffic = parseTraffic(text, "linkerd.prom");
  expect(traffic.problems).toEqual([]);
  return run(objects, traffic.samples);
}

const idOf = (src: string, service: string, port: number) => `${NS}/${src}->${host(service, NS)}:${port}`;

describe("Linkerd's outbound counters give the mesh's edges", () => {
  it('emojivoto with tls="true": one edge per call, observed mTLS, status mtls, no warnings', () => {
    const s = analyse(EMOJIVOTO, EMOJIVOTO_TRAFFIC);
    expect(s.edges.map((e) => [e.id, e.observed, e.status, e.predicted.client.tls])).toEqual([
      [idOf("vote-bot", "web-svc", 80), { mtls: 150, plaintext: 0, unknown: 0 }, "mtls", "LINKERD"],
      [idOf("web", "emoji-svc", 8080), { mtls: 1200, plaintext: 0, unknown: 0 }, "mtls", "LINKERD"],
      [idOf("web", "voting-svc", 8080), { mtls: 300, plaintext: 0, unknown: 0 }, "mtls", "LINKERD"],
    ]);
    expectNoWarnings(s);
  });

  it("only tcp_open_total (the counter of the family `linkerd viz edges` reads) without an address: connections, the port unknown", () => {
    const text = [
      opened("web", dstOnly("emoji-svc", "emoji"), secured("emoji"), 4),
      opened("vote-bot", dstOnly("web-svc", "web"), secured("web"), 1),
    ].join("\n");
    const s = analyse(EMOJIVOTO, text);
    // Without authority or target_addr nothing names the port, so emoji-svc's two ports are both candidates (contract.md §1.1).
    expect(s.edges.map((e) => [e.id, e.observed, e.status])).toEqual([
      [idOf("vote-bot", "web-svc", 80), { mtls: 1, plaintext: 0, unknown: 0 }, "mtls"],
      [idOf("web", "emoji-svc", 8080), { mtls: 4, plaintext: 0, unknown: 0, portAmbiguous: true }, "mtls"],
      [idOf("web", "emoji-svc", 8801), { mtls: 4, plaintext: 0, unknown: 0, portAmbiguous: true }, "mtls"],
    ]);
    expectNoWarnings(s);
  });

  it("inbound series (the destination proxy's view of the same calls) and loopback connections are not counted", () => {
    const s = analyse(EMOJIVOTO, SEEN_AGAIN.join("\n"));
    expect(s.edges).toEqual([]);
    const both = analyse(
      EMOJIVOTO,
      [requests("web", dst("emoji-svc", "emoji"), secured("emoji"), 1200), ...SEEN_AGAIN].join("\n"),
    );
    expect(both.edges.map((e) => [e.id, e.observed])).toEqual([
      [idOf("web", "emoji-svc", 8080), { mtls: 1200, plaintext: 0, unknown: 0 }],
    ]);
  });

  it("an edge with requests keeps its requests; an edge with only connections (opaque TCP) keeps its connections", () => {
    const objs = [
      ...EMOJIVOTO,
      deploy(NS, "redis", { ports: [6379] }),
      svc("redis", "redis", [{ port: 6379, name: "tcp-redis" }]),
    ];
    const text = [
      requests("web", dst("emoji-svc", "emoji"), secured("emoji"), 1200),
      opened("web", dst("emoji-svc", "emoji"), secured("emoji"), 4),
      opened("web", dst("redis", "redis"), secured("redis"), 3),
    ].join("\n");
    const s = analyse(objs, text);
    expect(s.edges.map((e) => [e.id, e.observed])).toEqual([
      [idOf("web", "emoji-svc", 8080), { mtls: 1200, plaintext: 0, unknown: 0 }],
      [idOf("web", "redis", 6379), { mtls: 3, plaintext: 0, unknown: 0 }],
    ]);
  });
});

describe("requests over connections, per call (caller, host, port)", () => {
  // api: HTTP on 8080, an opaque port 9090 (config.linkerd.io/opaque-ports: connections only, no request_total).
  const API: KubeObject[] = [
    ...EMOJIVOTO,
    deploy(NS, "api", { ports: [8080, 9090] }),
    svc("api", "api", [
      { port: 8080, name: "web" },
      { port: 9090, name: "opaque" },
    ]),
  ];
  const edges = (text: string) => analyse(API, text).edges.map((e) => [e.id, e.observed]);
  const HTTP = requests("web", dst("api", "api", 8080), secured("api"), 500);
  const mtls = (n: number) => ({ mtls: n, plaintext: 0, unknown: 0 });

  it.each([
    [
      "connections to another port of the Service (named by the authority) are another call: kept",
      [
        HTTP,
        opened("web", dst("api", "api", 8080), secured("api"), 3),
        opened("web", dst("api", "api", 9090), PLAIN, 9),
      ],
      [
        [idOf("web", "api", 8080), mtls(500)],
        [idOf("web", "api", 9090), { mtls: 0, plaintext: 9, unknown: 0 }],
      ],
    ],
    [
      "the other port named by target_addr alone: kept",
      [HTTP, opened("web", `target_addr="10.42.0.31:9090",${dstOnly("api", "api")}`, PLAIN, 9)],
      [
        [idOf("web", "api", 8080), mtls(500)],
        [idOf("web", "api", 9090), { mtls: 0, plaintext: 9, unknown: 0 }],
      ],
    ],
    [
      "near miss: the same call's connections named by target_addr alone, its requests by the authority: dropped (not counted twice)",
      [HTTP, opened("web", `target_addr="10.42.0.31:8080",${dstOnly("api", "api")}`, secured("api"), 3)],
      [[idOf("web", "api", 8080), mtls(500)]],
    ],
    [
      "near miss: connections that name no port (an aggregated answer) may be the requests' own: dropped",
      [HTTP, opened("web", dstOnly("api", "api"), secured("api"), 3)],
      [[idOf("web", "api", 8080), mtls(500)]],
    ],
    [
      "near miss: requests that name no port may be on any port: every connection to the Service dropped, as before",
      [
        requests("web", dstOnly("api", "api"), secured("api"), 500),
        opened("web", dst("api", "api", 9090), PLAIN, 9),
      ],
      [
        [idOf("web", "api", 8080), { ...mtls(500), portAmbiguous: true }],
        [idOf("web", "api", 9090), { ...mtls(500), portAmbiguous: true }],
      ],
    ],
  ])("%s", (_name, lines, expected) => {
    expect(edges(lines.join("\n"))).toEqual(expected);
  });
});

// A request_total series that counted nothing (an idle window: the live reader's `increase()` answers 0 for
// it) says no request was made, so it hides no connection: `linkerd viz edges` skips zero samples too
// (linkerd/linkerd2 viz/metrics-api/edges.go `Edges`: `if sample.Value == 0.0 { continue }`).
describe("requests counted at zero hide no connection of the same call", () => {
  const answer = (metric: Record<string, string>, value: string) => ({
    status: "success",
    data: { resultType: "vector", result: [{ metric, value: [0, value] }] },
  });
  const call = {
    namespace: NS,
    deployment: "web",
    direction: "outbound",
    dst_namespace: NS,
    dst_service: "voting-svc",
    authority: `voting-svc.${NS}.svc.cluster.local:8080`,
    target_addr: "10.42.0.31:8080",
  };
  /** The live reader's two answers (one query per counter): requests in mTLS, connections in plaintext. */
  const live = (requestsValue: string) =>
    parseQueryAnswers(
      [
        {
          doc: answer({ ...call, tls: "true", server_id: sid("voting") }, requestsValue),
          file: "prom, request_total",
          metric: "request_total",
        },
        {
          doc: answer({ ...call, peer: "dst", tls: "disabled" }, "5"),
          file: "prom, tcp_open_total",
          metric: "tcp_open_total",
        },
      ],
      "prom",
    );
  const VOTING = idOf("web", "voting-svc", 8080);

  it.each([
    [
      "zero requests: the 5 plaintext connections are kept, and contradict the predicted mTLS",
      "0",
      [
        ["request_total", "mutual_tls", 0],
        ["tcp_open_total", "none", 5],
      ],
      { mtls: 0, plaintext: 5, unknown: 0 },
      1,
    ],
    [
      "near miss: one request keeps its requests and drops the call's connections, as before",
      "1",
      [["request_total", "mutual_tls", 1]],
      { mtls: 1, plaintext: 0, unknown: 0 },
      0,
    ],
    [
      "near miss: a fraction (a saved rate()) is still requests: connections dropped",
      "0.02",
      [["request_total", "mutual_tls", 0.02]],
      { mtls: 0.02, plaintext: 0, unknown: 0 },
      0,
    ],
  ])("%s", (_name, requestsValue, samples, observed, mismatches) => {
    const r = live(requestsValue);
    expect(r.problems).toEqual([]);
    expect(r.samples.map((x) => [x.metric, x.labels.connection_security_policy, x.value])).toEqual(samples);
    const s = run(EMOJIVOTO, r.samples);
    expect(s.edges.find((e) => e.id === VOTING)?.observed).toEqual(observed);
    expect(findingsOf(s, "edge.observed-mismatch")).toHaveLength(mismatches);
  });

  it("the same in a saved scrape: a zero request_total beside the call's connections", () => {
    const zero = [
      requests("web", dst("voting-svc", "voting"), secured("voting"), 0),
      opened("web", dst("voting-svc", "voting"), PLAIN, 5),
    ].join("\n");
    expect(analyse(EMOJIVOTO, zero).edges.map((e) => [e.id, e.observed])).toEqual([
      [VOTING, { mtls: 0, plaintext: 5, unknown: 0 }],
    ]);
  });
});

// Linkerd gives port names no meaning (its proxy detects the protocol), so Istio's "http*/grpc* ports for
// HTTP samples" rule does not apply: the port comes from the series' own address labels.
describe("which Service port a Linkerd series is about", () => {
  const API: KubeObject[] = [
    ...EMOJIVOTO,
    deploy(NS, "api", {
      ports: [
        { port: 8080, name: "web" },
        { port: 9090, name: "metrics" },
      ],
    }),
    svc("api", "api", [
      { port: 8080, name: "web" },
      { port: 9090, name: "http-metrics" },
    ]),
    service(
      NS,
      "api-named",
      [
        { port: 80, targetPort: "web", name: "web" },
        { port: 9091, targetPort: 9090, name: "metrics" },
      ],
      { selector: { app: "api" } },
    ),
  ];
  const edges = (text: string) => analyse(API, text).edges.map((e) => [e.id, e.observed]);

  it.each([
    [
      "request_total: the authority's port, though only the other port is named http*",
      requests("web", dst("api", "api", 8080), secured("api"), 7),
      [[idOf("web", "api", 8080), { mtls: 7, plaintext: 0, unknown: 0 }]],
    ],
    [
      "tcp_open_total: the authority's port",
      opened("web", dst("api", "api", 9090), secured("api"), 2),
      [[idOf("web", "api", 9090), { mtls: 2, plaintext: 0, unknown: 0 }]],
    ],
    [
      "no authority: the Service port whose targetPort is target_addr's",
      requests("web", `target_addr="10.42.0.31:8080",${dstOnly("api", "api")}`, secured("api"), 3),
      [[idOf("web", "api", 8080), { mtls: 3, plaintext: 0, unknown: 0 }]],
    ],
    [
      "no authority, a named targetPort: resolved on the pod",
      requests("web", `target_addr="10.42.0.31:8080",${dstOnly("api-named", "api")}`, secured("api"), 3),
      [[idOf("web", "api-named", 80), { mtls: 3, plaintext: 0, unknown: 0 }]],
    ],
    [
      "target_addr as the live reader's query leaves it (\":<port>\", the endpoint's IP summed away): the same port",
      requests("web", `target_addr=":8080",${dstOnly("api-named", "api")}`, secured("api"), 3),
      [[idOf("web", "api-named", 80), { mtls: 3, plaintext: 0, unknown: 0 }]],
    ],
    [
      "and a bracketed IPv6 endpoint's",
      requests("web", `target_addr="[fd00::31]:9090",${dstOnly("api-named", "api")}`, secured("api"), 3),
      [[idOf("web", "api-named", 9091), { mtls: 3, plaintext: 0, unknown: 0 }]],
    ],
    [
      "a TrafficSplit's apex as authority: its port is not the leaf's, so target_addr decides",
      requests(
        "web",
        `authority="api-apex.${NS}.svc.cluster.local:80",target_addr="10.42.0.31:9090",${dstOnly("api-named", "api")}`,
        secured("api"),
        4,
      ),
      [[idOf("web", "api-named", 9091), { mtls: 4, plaintext: 0, unknown: 0 }]],
    ],
    [
      "neither (an aggregated answer): every port a candidate, not the http*-named guess",
      requests("web", dstOnly("api", "api"), secured("api"), 5),
      [
        [idOf("web", "api", 8080), { mtls: 5, plaintext: 0, unknown: 0, portAmbiguous: true }],
        [idOf("web", "api", 9090), { mtls: 5, plaintext: 0, unknown: 0, portAmbiguous: true }],
      ],
    ],
  ])("%s", (_name, text, expected) => {
    expect(edges(text)).toEqual(expected);
  });

  it("an Istio series whose request_protocol (a Telemetry tagOverride) reads like Linkerd's port key is no Linkerd evidence: no port, no caller's-proxy wording", () => {
    const line = (proto: string) =>
      `istio_requests_total{reporter="destination",source_workload="web",source_workload_namespace="${NS}",destination_service="${host("api", NS)}",request_protocol="${proto}",connection_security_policy="none",response_code="200"} 7`;
    const answer = (proto: string) =>
      JSON.stringify({
        status: "success",
        data: {
          resultType: "vector",
          result: [
            {
              metric: {
                __name__: "istio_requests_total",
                reporter: "destination",
                source_workload: "web",
                source_workload_namespace: NS,
                destination_service: host("api", NS),
                request_protocol: proto,
                connection_security_policy: "none",
              },
              value: [0, "7"],
            },
          ],
        },
      });
    const ambiguous = { mtls: 0, plaintext: 7, unknown: 0, portAmbiguous: true };
    for (const text of [line("linkerd:port:9090"), answer("linkerd:port:9090")]) {
      const traffic = parseTraffic(text, "istio.prom");
      expect(traffic.samples.map((x) => x.labels.request_protocol)).toEqual(["unknown"]);
      const s = run(API, traffic.samples);
      expect(s.edges.map((e) => [e.id, e.observed])).toEqual([
        [idOf("web", "api", 8080), ambiguous],
        [idOf("web", "api", 9090), ambiguous],
      ]);
      const said = findingsOf(s, "edge.observed-mismatch").map((f) => f.message);
      expect(said).toHaveLength(2);
      for (const m of said) expect(m).toContain("the destination reported 7 plaintext");
    }
    // Near miss: Istio's own values are read as before (HTTP: the http*-named port, not ambiguous).
    const http = parseTraffic(line("http"), "istio.prom");
    expect(http.samples[0]!.labels.request_protocol).toBe("http");
    expect(run(API, http.samples).edges.map((e) => [e.id, e.observed?.portAmbiguous])).toEqual([
      [idOf("web", "api", 9090), undefined],
    ]);
  });

  it("near miss: an Istio sample of the same call still takes the http*-named port", () => {
    const s = run(API, [call(`${NS}/web`, host("api", NS), "mutual_tls", 7, { request_protocol: "http" })]);
    expect(s.edges.map((e) => [e.id, e.observed?.portAmbiguous])).toEqual([
      [idOf("web", "api", 9090), undefined],
    ]);
  });
});

describe('TLS labels: tls="true" is mTLS, a reason for no TLS is plaintext', () => {
  it("plaintext towards a meshed server: the plaintext count, status mismatch and edge.observed-mismatch", () => {
    const s = analyse(EMOJIVOTO, requests("web", dst("emoji-svc", "emoji"), PLAIN, 25));
    const e = edgeOf(s, `${NS}/web`, host("emoji-svc", NS))!;
    expect(e.observed).toEqual({ mtls: 0, plaintext: 25, unknown: 0 });
    expect(e.predicted.verdict).toBe("mtls");
    expect(e.status).toBe("mismatch");
    const f = findingsOf(s, "edge.observed-mismatch");
    expect(f.map((x) => x.edge)).toEqual([e.id]);
    // The caller's proxy reported it, not the destination's (Linkerd's counters are the outbound side).
    expect(f[0]!.message).toBe(
      `${e.id}: predicted mtls, but the caller's Linkerd proxy reported 25 plaintext. ${e.predicted.reason}`,
    );
    // Near miss: the same call as Istio's destination reporter says it gives the same finding, worded as the destination's report.
    const istio = run(EMOJIVOTO, [
      call(`${NS}/web`, host("emoji-svc", NS), "none", 25, { request_protocol: "grpc" }),
    ]);
    expect(findingsOf(istio, "edge.observed-mismatch").map((x) => x.message)).toEqual([
      `${e.id}: predicted mtls, but the destination reported 25 plaintext. ${e.predicted.reason}`,
    ]);
  });

  it.each([
    ['tls="true" with its server_id', secured("emoji"), { mtls: 5, plaintext: 0, unknown: 0 }, "mtls"],
    [
      "no identity from discovery (an unmeshed endpoint, a skipped port)",
      PLAIN,
      { mtls: 0, plaintext: 5, unknown: 0 },
      "mismatch",
    ],
    [
      'identity disabled on the caller\'s proxy (tls="disabled", no reason: `viz edges` would show it secured)',
      'tls="disabled"',
      { mtls: 0, plaintext: 5, unknown: 0 },
      "mismatch",
    ],
    [
      "a pod calling itself through its Service (loopback): never on the wire",
      'tls="no_identity",no_tls_reason="loopback"',
      { mtls: 0, plaintext: 0, unknown: 5 },
      "mtls",
    ],
    [
      "grouped as viz edges groups (no tls label): a reason is plaintext",
      'no_tls_reason="not_provided_by_service_discovery"',
      { mtls: 0, plaintext: 5, unknown: 0 },
      "mismatch",
    ],
    [
      "grouped as viz edges groups: an empty reason and a server_id is mTLS",
      `no_tls_reason="",server_id="${sid("emoji")}"`,
      { mtls: 5, plaintext: 0, unknown: 0 },
      "mtls",
    ],
    [
      "no TLS label at all: unknown, never a contradiction",
      "",
      { mtls: 0, plaintext: 0, unknown: 5 },
      "mtls",
    ],
  ])("%s", (_name, tls, observed, status) => {
    const labels = [scraped("web"), 'direction="outbound"', dst("emoji-svc", "emoji"), tls]
      .filter((x) => x !== "")
      .join(",");
    const e = analyse(EMOJIVOTO, `request_total{${labels}} 5`).edges[0]!;
    expect(e.observed).toEqual(observed);
    expect(e.status).toBe(status);
  });
});

// linkerd2 controller/api/destination endpoint_translator_utils.go `createWeightedAddr` (toWeightedAddr in
// older releases): for a port in the pod's config.linkerd.io/skip-inbound-ports the destination controller
// sets no TlsIdentity, so the caller's proxy connects in plaintext (tls="no_identity",
// no_tls_reason="not_provided_by_service_discovery"), and proxy-init lets the port reach the application.
describe("a Linkerd server's skip-inbound port", () => {
  const GALERA: KubeObject[] = [
    ...EMOJIVOTO,
    deploy(NS, "galera", {
      ports: [4567, 3306],
      annotations: { "config.linkerd.io/skip-inbound-ports": "4567" },
    }),
    svc("galera", "galera", [{ port: 4567, name: "tcp-repl" }]),
    svc("galera-mysql", "galera", [{ port: 3306, name: "tcp-mysql" }]),
  ];
  const to = (service: string) => `dst_namespace="${NS}",dst_service="${service}",dst_deployment="galera"`;

  it("is plaintext from a Linkerd caller (discovery gives no identity), as its counters say: no mismatch", () => {
    const s = analyse(GALERA, opened("web", to("galera"), PLAIN, 2));
    const e = edgeOf(s, `${NS}/web`, host("galera", NS))!;
    expect([e.observed, e.predicted.client.tls, e.predicted.verdict, e.status]).toEqual([
      { mtls: 0, plaintext: 2, unknown: 0 },
      "DISABLE",
      "plaintext",
      "plaintext",
    ]);
    expect(e.predicted.reason).toBe(
      `the Linkerd proxy of ${NS}/web sends plaintext: Linkerd's destination controller gives no identity for ${NS}/galera port 4567, which it skips; ` +
        `${NS}/galera port 4567 is in config.linkerd.io/skip-inbound-ports, so Linkerd's proxy does not see it: neither side encrypts.`,
    );
    expect(findingsOf(s, "edge.observed-mismatch")).toEqual([]);
    expect(findingsOf(s, "linkerd.skip-port")).toHaveLength(1);
    expect(findingsOf(s, "edge.plaintext").map((f) => [f.edge, f.fix])).toEqual([
      [
        e.id,
        `Remove 4567 from config.linkerd.io/skip-inbound-ports on ${NS}/galera (for a server-speaks-first protocol use config.linkerd.io/opaque-ports, which keeps mTLS).`,
      ],
    ]);
  });

  it("near miss: the pod's other port is meshed, so the same caller's mTLS counters there match the prediction", () => {
    const s = analyse(GALERA, opened("web", to("galera-mysql"), secured("galera"), 3));
    const e = edgeOf(s, `${NS}/web`, host("galera-mysql", NS))!;
    expect([e.observed, e.predicted.client.tls, e.predicted.verdict, e.status]).toEqual([
      { mtls: 3, plaintext: 0, unknown: 0 },
      "LINKERD",
      "mtls",
      "mtls",
    ]);
    expect(findingsOf(s, "edge.observed-mismatch")).toEqual([]);
    expect(findingsOf(s, "edge.plaintext")).toEqual([]);
  });

  it.each([
    ["a range", "4566-4568", "ports 4566-4568"],
    [
      "a range among single ports, spaces and a trailing comma (linkerd2 GetPortRanges)",
      "80, 4567-4568,",
      "ports 80, 4567-4568",
    ],
  ])(
    "a port in %s of skip-inbound-ports is skipped too (linkerd2 util.ParsePorts expands ranges)",
    (_name, annotation, shown) => {
      const objs = GALERA.map((o) =>
        o.kind === "Deployment" && o.metadata.name === "galera"
          ? deploy(NS, "galera", {
              ports: [4567, 3306],
              annotations: { "config.linkerd.io/skip-inbound-ports": annotation },
            })
          : o,
      );
      const s = analyse(
        objs,
        [opened("web", to("galera"), PLAIN, 2), opened("web", to("galera-mysql"), secured("galera"), 3)].join(
          "\n",
        ),
      );
      expect(s.edges.map((e) => [e.id, e.predicted.verdict, e.status])).toEqual([
        [idOf("web", "galera", 4567), "plaintext", "plaintext"],
        // Near miss: 3306 is outside the range, still meshed: mTLS as its counters say.
        [idOf("web", "galera-mysql", 3306), "mtls", "mtls"],
      ]);
      expect(findingsOf(s, "edge.observed-mismatch")).toEqual([]);
      expect(findingsOf(s, "workload.capture-excluded-port").map((f) => f.message)).toEqual([
        `Deployment ${NS}/galera is meshed by Linkerd but skips inbound ${shown} (config.linkerd.io/skip-inbound-ports): traffic on them bypasses the proxy and is plaintext.`,
      ]);
    },
  );

  it("an Istio sidecar caller also sends it plaintext, now to the application itself (no proxy there)", () => {
    const objs = [...GALERA, namespace("shop", { "istio-injection": "enabled" }), deploy("shop", "cart")];
    const p = predict(objs, "shop/cart", host("galera", NS)).predicted;
    expect([p.client.tls, p.verdict]).toEqual(["DISABLE", "plaintext"]);
    expect(p.reason).toContain("so Linkerd's proxy does not see it: neither side encrypts.");
  });
});

describe("who called whom", () => {
  it.each([
    ["a StatefulSet", "statefulset", "StatefulSet"],
    ["a DaemonSet", "daemonset", "DaemonSet"],
    ["a Job (the k8s_job label: Prometheus' `job` is the scrape job)", "k8s_job", "Job"],
  ])("the caller is %s", (_name, label, kind) => {
    const objs = [...EMOJIVOTO, deploy(NS, "worker", { kind })];
    const line = `request_total{namespace="${NS}",${label}="worker",pod="worker-0",direction="outbound",${dst("emoji-svc", "emoji")},${secured("emoji")}} 3`;
    const e = analyse(objs, line).edges[0]!;
    expect(e.source).toEqual({ namespace: NS, workload: "worker" });
    expect(e.status).toBe("mtls");
  });

  it("a bare pod is named by its pod label", () => {
    const objs = [...EMOJIVOTO, deploy(NS, "debug", { kind: "Pod" })];
    const e = analyse(
      objs,
      `tcp_open_total{namespace="${NS}",pod="debug",direction="outbound",peer="dst",${dst("web-svc", "web")},${secured("web")}} 1`,
    ).edges[0]!;
    expect(e.source).toEqual({ namespace: NS, workload: "debug" });
  });

  // The webhook labels a CronJob's pods with no owner (its switch has no CronJob case), so they are named
  // by pod; any caller missing from the inputs is likewise unlisted. Only Linkerd's proxy emits these
  // counters, so the caller runs it: not an Istio sidecar, whose auto mTLS would "send plaintext" here.
  it("a caller missing from the inputs runs Linkerd's proxy: mTLS, no warnings (near miss: an Istio sample's unlisted caller stays a sidecar)", () => {
    const line = `tcp_open_total{namespace="${NS}",pod="backup-28391-x7k2p",direction="outbound",peer="dst",${dst("emoji-svc", "emoji")},${secured("emoji")}} 2`;
    const s = analyse(EMOJIVOTO, line);
    expect(s.edges.map((e) => [e.source.workload, e.predicted.client, e.status])).toEqual([
      ["backup-28391-x7k2p", { tls: "LINKERD", origin: "linkerd", destinationRule: null }, "mtls"],
    ]);
    expectNoWarnings(s);
    const istio = run(EMOJIVOTO, [
      call(`${NS}/backup-28391-x7k2p`, host("emoji-svc", NS), "mutual_tls", 2, { request_protocol: "grpc" }),
    ]);
    expect(istio.edges[0]!.predicted.client.origin).toBe("auto");
  });

  it("an unlisted caller with both Istio and Linkerd samples runs Linkerd's proxy whichever comes first (near miss: Istio samples alone keep it a sidecar)", () => {
    const caller = "backup-28391-x7k2p";
    const istio = call(`${NS}/${caller}`, host("web-svc", NS), "unknown", 3, { request_protocol: "http" });
    const linkerd = parseTraffic(
      `tcp_open_total{namespace="${NS}",pod="${caller}",direction="outbound",peer="dst",${dst("emoji-svc", "emoji")},${secured("emoji")}} 2`,
      "f",
    ).samples;
    const clients = (samples: typeof linkerd) =>
      run(EMOJIVOTO, samples).edges.map((e) => [e.id, e.predicted.client.origin, e.status]);
    const expected = [
      [`${NS}/${caller}->${host("emoji-svc", NS)}:8080`, "linkerd", "mtls"],
      [`${NS}/${caller}->${host("web-svc", NS)}:80`, "linkerd", "mtls"],
    ];
    expect(clients([istio, ...linkerd])).toEqual(expected);
    expect(clients([...linkerd, istio])).toEqual(expected);
    expect(clients([istio]).map((x) => x[1])).toEqual(["auto"]);
  });

  // A CronJob's pod is created by a Job named `<cronjob>-<scheduled minutes>` (Kubernetes' cronjob
  // controller). The current webhook resolves the pod's owner to the CronJob (controller/k8s
  // metadata_api.go GetOwnerKindAndName walks Job → its one owner) and then sets no owner label (inject.go's
  // Pod switch has no CronJob case), so the series names it by `pod` and by the Job controller's own pod
  // labels, which viz's scrape job copies (`job-name` → `job_name`, `batch.kubernetes.io/job-name` →
  // `batch_kubernetes_io_job_name`); older webhooks, which stopped at the Job, set `linkerd.io/proxy-job`
  // (`k8s_job`). `linkerd inject` on the CronJob itself sets `linkerd.io/proxy-cronjob` (`cronjob`).
  describe("a CronJob's pods", () => {
    const cronJob = (name: string): KubeObject => {
      const d = deploy(NS, name) as unknown as { spec: { template: unknown } };
      return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name, namespace: NS },
        spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: d.spec.template } } },
      };
    };
    const job = (name: string): KubeObject => ({
      ...deploy(NS, name, { kind: "Job" }),
      apiVersion: "batch/v1",
    });
    const JOB = "backup-29361045";
    const POD = `${JOB}-x7k2p`;
    const modern = `pod="${POD}",job_name="${JOB}",controller_uid="0b5c",batch_kubernetes_io_job_name="${JOB}",batch_kubernetes_io_controller_uid="0b5c"`;
    const line = (owner: string) =>
      `tcp_open_total{namespace="${NS}",${owner},workload_ns="${NS}",control_plane_ns="linkerd",direction="outbound",peer="dst",${dst("emoji-svc", "emoji")},${secured("emoji")}} 2`;
    const sources = (objs: KubeObject[], lines: string[]) =>
      analyse(objs, lines.join("\n")).edges.map((e) => [
        e.source.workload,
        e.predicted.client.origin,
        e.observed?.mtls,
      ]);

    it.each([
      [
        "the current webhook (no owner label): its Job's name from the Job controller's pod labels",
        [line(modern)],
      ],
      ["only the legacy job-name label (Kubernetes before 1.27)", [line(`pod="${POD}",job_name="${JOB}"`)]],
      ["an older webhook (linkerd.io/proxy-job → k8s_job)", [line(`k8s_job="${JOB}",pod="${POD}"`)]],
      [
        "`linkerd inject` on the CronJob (linkerd.io/proxy-cronjob → cronjob)",
        [line(`cronjob="backup",pod="${POD}"`)],
      ],
      [
        "two runs (two Jobs): one caller, their counts summed",
        [line(modern), line(`k8s_job="backup-29361050",pod="backup-29361050-q9d2m"`)],
      ],
    ])("%s: the caller is the CronJob", (_name, lines) => {
      const n = lines.length * 2;
      expect(sources([...EMOJIVOTO, cronJob("backup")], lines)).toEqual([["backup", "linkerd", n]]);
    });

    it.each([
      ["no such CronJob: the Job's name, an unlisted Linkerd caller", [...EMOJIVOTO], JOB],
      ["a Job of that exact name is listed: that Job", [...EMOJIVOTO, cronJob("backup"), job(JOB)], JOB],
      [
        "the suffix is not all digits (a Job made by hand): not the CronJob",
        [...EMOJIVOTO, cronJob("backup")],
        "backup-manual1",
      ],
      ["a Deployment, not a CronJob, of the trimmed name: not it", [...EMOJIVOTO, deploy(NS, "backup")], JOB],
    ])("near miss: %s", (_name, objs, name) => {
      const pod = `${name}-x7k2p`;
      expect(sources(objs, [line(`pod="${pod}",job_name="${name}"`)])).toEqual([[name, "linkerd", 2]]);
    });

    it("near miss: a pod without the Job controller's labels (a bare pod) is still named by its pod label", () => {
      expect(sources([...EMOJIVOTO, cronJob("backup")], [line(`pod="${POD}"`)])).toEqual([
        [POD, "linkerd", 2],
      ]);
    });

    // Only a Job label says the caller is a Job: inject.go's Pod switch labels a pod with its real owner,
    // so `deployment=` is always a Deployment, and a bare pod's `pod=` its own name. An unlisted caller
    // whose name is `<cronjob>-<digits>` under such a label stays itself (review cjrev.md §1).
    it.each([
      ["an unlisted Deployment", "worker", "deployment", "worker-29361045"],
      ["an unlisted Deployment (short suffix)", "worker", "deployment", "worker-2"],
      ["an unlisted StatefulSet", "db", "statefulset", "db-29361045"],
      ["an unlisted StatefulSet (short suffix)", "db", "statefulset", "db-1"],
      ["an unlisted DaemonSet", "agent", "daemonset", "agent-29361045"],
      ["a bare pod", "backup", "pod", "backup-29361045"],
      ["a bare pod (short suffix)", "backup", "pod", "backup-7"],
    ])(
      "near miss: %s named `<cronjob>-<digits>` by a non-Job label stays itself",
      (_name, cron, label, name) => {
        expect(sources([...EMOJIVOTO, cronJob(cron)], [line(`${label}="${name}"`)])).toEqual([
          [name, "linkerd", 2],
        ]);
      },
    );

    // Kubernetes names a CronJob's Job `<cronjob>-<Unix()/60>` (8 digits until the year 2160); Istio's
    // own heuristic (pkg/kube/util.go cronJobNameRegexp) takes 8 to 10 digits (review cjrev.md §1, §3).
    it.each([
      ["k8s_job", "backup-5", "backup-5"],
      ["job_name", "backup-123", "backup-123"],
      ["job_name", "backup-1234567", "backup-1234567"],
      ["job_name", "backup-12345678901", "backup-12345678901"],
      ["job_name", "backup-12345678", "backup"],
      ["batch_kubernetes_io_job_name", "backup-1234567890", "backup"],
    ])(
      "a Job label %s=%s with the CronJob listed: the caller is %s (8 to 10 digits only)",
      (label, name, caller) => {
        expect(sources([...EMOJIVOTO, cronJob("backup")], [line(`${label}="${name}"`)])).toEqual([
          [caller, "linkerd", 2],
        ]);
      },
    );

    // The Job's name is an alias for Linkerd's Job-named samples only: an Istio sample naming the Job
    // (whichever comes first) is its own caller, as before, and the output does not depend on the order
    // (review cjrev.md §2).
    it.each([
      [
        "an Istio sample naming the Job",
        "nightly-29361045",
        [
          ["nightly", "linkerd", 2],
          ["nightly-29361045", "linkerd", 3],
        ],
      ],
      [
        "an Istio sample naming the Job (short suffix: no CronJob)",
        "nightly-123",
        [["nightly-123", "linkerd", 5]],
      ],
      [
        "an Istio sample naming the CronJob itself: one caller, counts summed",
        "nightly",
        [["nightly", "linkerd", 5]],
      ],
    ])(
      "a Linkerd Job-named sample and %s: the same output in both orders",
      (_name, istioCaller, expected) => {
        const job = istioCaller === "nightly-123" ? "nightly-123" : "nightly-29361045";
        const objs = [...EMOJIVOTO, cronJob("nightly")];
        const linkerd = parseTraffic(line(`pod="${job}-x7k2p",job_name="${job}"`), "f").samples;
        const istio = call(`${NS}/${istioCaller}`, host("emoji-svc", NS), "mutual_tls", 3, {
          request_protocol: "grpc",
        });
        const first = run(objs, [...linkerd, istio]);
        const second = run(objs, [istio, ...linkerd]);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        expect(
          first.edges.map((e) => [e.source.workload, e.predicted.client.origin, e.observed?.mtls]),
        ).toEqual(expected);
      },
    );
  });

  it("a meshed caller to an unmeshed server in plaintext: the existing edge.plaintext, no contradiction", () => {
    const objs = [
      ...EMOJIVOTO,
      namespace("legacy"),
      deploy("legacy", "db", { ports: [5432] }),
      service("legacy", "db", [{ port: 5432, name: "tcp-pg" }]),
    ];
    const to = `dst_namespace="legacy",dst_service="db"`;
    const s = analyse(objs, opened("web", to, PLAIN, 3));
    const e = edgeOf(s, `${NS}/web`, host("db", "legacy"))!;
    expect([e.observed, e.predicted.verdict, e.status]).toEqual([
      { mtls: 0, plaintext: 3, unknown: 0 },
      "plaintext",
      "plaintext",
    ]);
    expect(findingsOf(s, "edge.plaintext").map((f) => f.edge)).toEqual([e.id]);
    expect(findingsOf(s, "edge.observed-mismatch")).toEqual([]);
  });

  it("a raw proxy /metrics page (no scrape labels: the caller is unknown) gives no edge rather than a proxy-less caller contradicted by its own mTLS, and says so once", () => {
    const raw = [
      `request_total{direction="outbound",${dst("emoji-svc", "emoji")},${secured("emoji")}} 9`,
      `tcp_open_total{direction="outbound",peer="dst",${dst("emoji-svc", "emoji")},${secured("emoji")}} 2`,
      // Not counted: series that would not be read with their caller either.
      `tcp_open_total{direction="outbound",peer="src",target_addr="10.43.0.20:8080",tls="no_identity",no_tls_reason="loopback"} 6`,
      `request_total{direction="inbound",${dst("emoji-svc", "emoji")},tls="true",client_id="${sid("web")}"} 9`,
    ].join("\n");
    const traffic = parseTraffic(raw, "proxy.prom");
    expect(traffic.samples).toEqual([]);
    const problem = {
      file: "proxy.prom",
      message:
        "2 of Linkerd's outbound series name no caller (no namespace and no deployment, statefulset, daemonset, cronjob, k8s_job, replicaset, replicationcontroller or pod label, which Prometheus' linkerd-proxy scrape job adds): they were not read. A proxy's own /metrics page lacks them; export the series from Prometheus instead.",
    };
    expect(traffic.problems).toEqual([problem]);
    const s = run(EMOJIVOTO, traffic.samples);
    expect(s.edges).toEqual([]);
    // Near miss: the same series as Prometheus scraped them are read, with no problem (analyse checks).
    expect(
      analyse(EMOJIVOTO, requests("web", dst("emoji-svc", "emoji"), secured("emoji"), 9)).edges,
    ).toHaveLength(1);
    // The same in an answer: reported once, by file.
    const doc = {
      status: "success",
      data: {
        resultType: "vector",
        result: [
          {
            metric: {
              __name__: "request_total",
              direction: "outbound",
              dst_namespace: NS,
              dst_service: "emoji-svc",
              tls: "true",
            },
            value: [0, "9"],
          },
        ],
      },
    };
    expect(parseTraffic(JSON.stringify(doc), "proxy.prom").problems).toEqual([
      { ...problem, message: problem.message.replace("2 of", "1 of") },
    ]);
  });

  it("one series without caller labels in an otherwise usable scrape (a statically scraped VM proxy) is noted, not an input.invalid error", () => {
    const vm = `tcp_open_total{instance="192.168.1.20:4191",job="vm-proxies",direction="outbound",peer="dst",target_addr="10.42.0.9:8080",${secured("emoji")},dst_namespace="${NS}",dst_service="emoji-svc"} 4`;
    const traffic = parseTraffic([EMOJIVOTO_TRAFFIC, vm].join("\n"), "mixed.prom");
    expect(traffic.problems).toEqual([]);
    const note =
      "1 of Linkerd's outbound series name no caller (no namespace and no deployment, statefulset, daemonset, cronjob, k8s_job, replicaset, replicationcontroller or pod label, which Prometheus' linkerd-proxy scrape job adds) and were not read; the file's other series were read.";
    expect(traffic.skipped).toEqual([{ file: "mixed.prom", message: note }]);
    const s = analyze(
      { objects: loaded(EMOJIVOTO), configDumps: [], problems: [] },
      { now: NOW, source: { type: "manifests" }, traffic },
    );
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(s.completeness).toEqual([{ kind: "File", reason: "invalid", message: `mixed.prom: ${note}` }]);
    expect(s.edges).toHaveLength(3);
    expectNoWarnings(s);
    // Near miss: the same series alone (nothing else usable) is still the raw-page problem, an input.invalid error.
    const alone = parseTraffic(vm, "vm.prom");
    expect([alone.problems.length, alone.skipped]).toEqual([1, undefined]);
    const t = analyze(
      { objects: loaded(EMOJIVOTO), configDumps: [], problems: [] },
      { now: NOW, source: { type: "manifests" }, traffic: alone },
    );
    expect(findingsOf(t, "input.invalid").map((f) => f.severity)).toEqual(["error"]);
  });

  it("an IP address as authority with no dst_* (older proxies, ingress mode) names no service: no edge", () => {
    const s = analyse(
      EMOJIVOTO,
      [
        requests("web", 'authority="10.42.0.10:4191"', PLAIN, 2),
        requests("web", 'authority="[fd00::a]:8080"', PLAIN, 1),
      ].join("\n"),
    );
    expect(s.edges).toEqual([]);
  });

  it("a TrafficSplit's leaf: dst_service is the Service the connection went to, not the authority called", () => {
    const objs = [
      ...EMOJIVOTO,
      deploy(NS, "web-v2", { ports: [8080] }),
      svc("web-v2", "web-v2", [{ port: 80, targetPort: 8080, name: "http" }]),
    ];
    const to = `authority="web-svc.${NS}.svc.cluster.local:80",dst_namespace="${NS}",dst_service="web-v2",dst_deployment="web-v2"`;
    const e = analyse(objs, requests("vote-bot", to, secured("web-v2"), 7)).edges[0]!;
    expect(e.id).toBe(idOf("vote-bot", "web-v2", 80));
  });

  it("no dst_service (outside service discovery): the authority's host, an unknown destination, no contradiction", () => {
    const e = analyse(
      EMOJIVOTO,
      requests(
        "web",
        'authority="api.example.com:443"',
        'tls="no_identity",no_tls_reason="not_provided_by_service_discovery"',
        2,
      ),
    ).edges[0]!;
    expect(e.destination.host).toBe("api.example.com");
    expect(e.observed).toEqual({ mtls: 0, plaintext: 2, unknown: 0 });
    expect(e.status).not.toBe("mismatch");
  });
});

// A caller missing from the inputs is Linkerd's when any sample of it is a Linkerd counter, decided before
// its samples choose ports: a VirtualService that picks the port for a sidecar must not have placed an
// Istio sample of it first (the order of the samples once decided the edges).
describe("an unlisted caller with Istio and Linkerd samples, to a Service whose VirtualService picks the port", () => {
  const SHOP: KubeObject[] = [
    namespace("shop", { "istio-injection": "enabled" }),
    deploy("shop", "db", { ports: [5432, 8080] }),
    service("shop", "db", [
      { port: 5432, name: "tcp-pg" },
      { port: 8080, name: "http" },
      { port: 9000, targetPort: 8080, name: "http-admin" },
    ]),
    {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "db", namespace: "shop" },
      spec: {
        hosts: [host("db", "shop")],
        http: [{ route: [{ destination: { host: host("db", "shop"), port: { number: 9000 } } }] }],
      },
    },
  ];
  const istio = call("shop/ghost", host("db", "shop"), "mutual_tls", 30, {
    request_protocol: "http",
    destination_service_name: "db",
    destination_service_namespace: "shop",
  });
  const linkerd = parseTraffic(
    `tcp_open_total{namespace="shop",deployment="ghost",direction="outbound",peer="dst",authority="${host("db", "shop")}:5432",target_addr="10.0.0.1:5432",${PLAIN},dst_service="db",dst_namespace="shop"} 2`,
    "f",
  ).samples;
  const id = (port: number) => `shop/ghost->${host("db", "shop")}:${port}`;

  it("both sample orders give the same snapshot: Linkerd's client, no route, the HTTP sample on either HTTP port", () => {
    const first = run(SHOP, [istio, ...linkerd]);
    const second = run(SHOP, [...linkerd, istio]);
    expect(second).toEqual(first);
    expect(first.edges.map((e) => [e.id, e.predicted.client.origin, e.observed])).toEqual([
      [id(5432), "linkerd", { mtls: 0, plaintext: 2, unknown: 0 }],
      [id(8080), "linkerd", { mtls: 30, plaintext: 0, unknown: 0, portAmbiguous: true }],
      [id(9000), "linkerd", { mtls: 30, plaintext: 0, unknown: 0, portAmbiguous: true }],
    ]);
  });

  it("near miss: Istio samples alone keep it a sidecar, and the VirtualService picks port 9000", () => {
    expect(run(SHOP, [istio]).edges.map((e) => [e.id, e.predicted.client.origin, e.observed])).toEqual([
      [id(9000), "auto", { mtls: 30, plaintext: 0, unknown: 0 }],
    ]);
  });
});

describe("the parser: Linkerd series beside Istio's, malformed ones, query answers", () => {
  it("another exporter's request_total (no Linkerd label) is neither read nor judged", () => {
    const r = parseTraffic(
      'request_total{handler="/api",code="200"} 17\nrequest_total{handler="/x"} -1\n',
      "app.prom",
    );
    expect(r).toEqual({ samples: [], problems: [] });
  });

  it("malformed Linkerd series are reported as malformed Istio ones are, by line, and the rest is kept", () => {
    const good = requests("web", dst("emoji-svc", "emoji"), secured("emoji"), 5);
    const text = [
      good,
      `request_total{${scraped("web")},direction="outbound",tls="true" 5`,
      `tcp_open_total{${scraped("web")},direction="outbound",peer="dst"} -3`,
      `request_total{${scraped("web")},direction="outbound"} five`,
      `istio_requests_total{reporter="destination"} -3`,
    ].join("\n");
    const r = parseTraffic(text, "mixed.prom");
    expect(r.samples).toHaveLength(1);
    expect(r.problems).toEqual([
      { file: "mixed.prom", line: 2, message: 'expected "," or "}" after the value of label "tls"' },
      { file: "mixed.prom", line: 3, message: 'negative value -3 for the counter "tcp_open_total"' },
      { file: "mixed.prom", line: 4, message: 'invalid value "five"' },
      { file: "mixed.prom", line: 5, message: 'negative value -3 for the counter "istio_requests_total"' },
    ]);
  });

  it("Istio samples next to Linkerd's are read exactly as before", () => {
    const istio =
      'istio_requests_total{reporter="destination",source_workload="web",source_workload_namespace="emojivoto",destination_service="emoji-svc.emojivoto.svc.cluster.local",request_protocol="grpc",connection_security_policy="mutual_tls"} 3';
    const alone = parseTraffic(istio, "f");
    const mixed = parseTraffic(
      [requests("web", dst("emoji-svc", "emoji"), secured("emoji"), 5), istio].join("\n"),
      "f",
    );
    expect(mixed.samples[1]).toEqual(alone.samples[0]);
    expect(mixed.samples[0]!.labels).toEqual({
      reporter: "destination",
      source_workload: "web",
      source_workload_namespace: NS,
      destination_service: host("emoji-svc", NS),
      connection_security_policy: "mutual_tls",
      destination_service_name: "emoji-svc",
      destination_service_namespace: NS,
      // The authority's port (LINKERD_PORT_KEY): Linkerd's counters name no protocol that would choose one.
      request_protocol: "linkerd:port:8080",
    });
  });

  it("an /api/v1/query answer of an aggregating query (no __name__, no direction: the query chose them)", () => {
    const series = (deployment: string, tls: string, v: string) => ({
      metric: {
        namespace: NS,
        deployment,
        dst_namespace: NS,
        dst_service: "emoji-svc",
        tls,
        ...(tls === "true"
          ? { server_id: sid("emoji") }
          : { no_tls_reason: "not_provided_by_service_discovery" }),
      },
      value: [1764244800, v],
    });
    const doc = {
      status: "success",
      query:
        'sum by (namespace, deployment, dst_namespace, dst_service, tls, no_tls_reason, server_id) (increase(tcp_open_total{direction="outbound",peer="dst"}[1h]))',
      data: {
        resultType: "vector",
        result: [series("web", "true", "4"), series("vote-bot", "no_identity", "2")],
      },
    };
    const r = parseTraffic(JSON.stringify(doc), "answer.json");
    expect(r.problems).toEqual([]);
    expect(r.window).toBe("1h");
    const s = run(EMOJIVOTO, r.samples);
    expect(s.edges.filter((e) => e.destination.port === 8080).map((e) => [e.id, e.observed])).toEqual([
      [idOf("vote-bot", "emoji-svc", 8080), { mtls: 0, plaintext: 2, unknown: 0, portAmbiguous: true }],
      [idOf("web", "emoji-svc", 8080), { mtls: 4, plaintext: 0, unknown: 0, portAmbiguous: true }],
    ]);
    // parseQueryAnswer (the server's decoded answers) reads the same, named by the query's metric.
    expect(parseQueryAnswer(doc, "answer", { metric: "tcp_open_total" }).samples).toEqual(r.samples);
  });

  it("one unnamed answer holding both counters: the series without peer are request_total (only tcp_open_total has peer)", () => {
    const labels = {
      namespace: NS,
      deployment: "web",
      direction: "outbound",
      dst_namespace: NS,
      dst_service: "emoji-svc",
      authority: `emoji-svc.${NS}.svc.cluster.local:8080`,
      tls: "true",
      server_id: sid("emoji"),
    };
    const doc = {
      status: "success",
      query: 'increase({__name__=~"request_total|tcp_open_total",direction="outbound"}[1h])',
      data: {
        resultType: "vector",
        result: [
          { metric: labels, value: [0, "1200"] },
          { metric: { ...labels, peer: "dst" }, value: [0, "4"] },
          {
            metric: {
              ...labels,
              dst_service: "voting-svc",
              authority: `voting-svc.${NS}.svc.cluster.local:8080`,
              peer: "dst",
            },
            value: [0, "2"],
          },
        ],
      },
    };
    const r = parseTraffic(JSON.stringify(doc), "both.json");
    expect(r.samples.map((x) => [x.metric, x.labels.destination_service, x.value])).toEqual([
      ["request_total", host("emoji-svc", NS), 1200],
      ["tcp_open_total", host("voting-svc", NS), 2],
    ]);
    // Near miss: an unnamed answer where no series has peer (summed away) tells the counters apart by nothing: connections, as before.
    const summed = { ...doc, data: { resultType: "vector", result: [{ metric: labels, value: [0, "4"] }] } };
    expect(parseTraffic(JSON.stringify(summed), "summed.json").samples.map((x) => x.metric)).toEqual([
      "tcp_open_total",
    ]);
  });

  it("the live reader's two answers (one query per counter) read as one input: a call's connections beside its requests are not counted again", () => {
    const labels = {
      namespace: NS,
      deployment: "web",
      direction: "outbound",
      dst_namespace: NS,
      dst_service: "emoji-svc",
      authority: `emoji-svc.${NS}.svc.cluster.local:8080`,
      tls: "true",
      server_id: sid("emoji"),
    };
    const answer = (...result: { metric: Record<string, string>; value: [number, string] }[]) => ({
      status: "success",
      data: { resultType: "vector", result },
    });
    const requestsDoc = answer({ metric: labels, value: [0, "1200"] });
    const connectionsDoc = answer(
      { metric: { ...labels, peer: "dst" }, value: [0, "4"] },
      {
        metric: {
          ...labels,
          dst_service: "voting-svc",
          authority: `voting-svc.${NS}.svc.cluster.local:8080`,
          peer: "dst",
        },
        value: [0, "2"],
      },
      // No caller labels (a proxy scraped without the linkerd-proxy job's relabelling): noted once for the whole read.
      {
        metric: {
          direction: "outbound",
          peer: "dst",
          dst_namespace: NS,
          dst_service: "emoji-svc",
          tls: "true",
        },
        value: [0, "9"],
      },
    );
    const r = parseQueryAnswers(
      [
        { doc: requestsDoc, file: "prom, request_total", metric: "request_total" },
        { doc: connectionsDoc, file: "prom, tcp_open_total", metric: "tcp_open_total" },
      ],
      "prom",
    );
    expect(r.problems).toEqual([]);
    expect(r.skipped).toEqual([
      {
        file: "prom",
        message: expect.stringMatching(/^1 of Linkerd's outbound series name no caller/) as string,
      },
    ]);
    expect(r.samples.map((x) => [x.metric, x.labels.destination_service, x.value])).toEqual([
      ["request_total", host("emoji-svc", NS), 1200],
      ["tcp_open_total", host("voting-svc", NS), 2],
    ]);
    expect(run(EMOJIVOTO, r.samples).edges.map((e) => [e.id, e.observed])).toEqual([
      [idOf("web", "emoji-svc", 8080), { mtls: 1200, plaintext: 0, unknown: 0 }],
      [idOf("web", "voting-svc", 8080), { mtls: 2, plaintext: 0, unknown: 0 }],
    ]);
    // Near miss: each answer read on its own counts emoji-svc's 4 connections next to its 1200 requests.
    const apart = [
      ...parseQueryAnswer(requestsDoc, "a", { metric: "request_total" }).samples,
      ...parseQueryAnswer(connectionsDoc, "b", { metric: "tcp_open_total" }).samples,
    ];
    expect(
      run(EMOJIVOTO, apart).edges.find((e) => e.id === idOf("web", "emoji-svc", 8080))!.observed,
    ).toEqual({ mtls: 1204, plaintext: 0, unknown: 0 });
  });

  it("a malformed Linkerd series in an answer is reported by field, as an Istio one is", () => {
    const doc = {
      status: "success",
      data: {
        resultType: "vector",
        result: [
          {
            metric: {
              __name__: "tcp_open_total",
              namespace: NS,
              deployment: "web",
              direction: "outbound",
              peer: "dst",
              tls: 1,
            },
            value: [0, "4"],
          },
          {
            metric: {
              __name__: "request_total",
              namespace: NS,
              deployment: "web",
              direction: "outbound",
              tls: "true",
            },
            value: [0, "-2"],
          },
          { metric: { __name__: "request_total", handler: "/api" }, value: [0, "-2"] },
        ],
      },
    };
    expect(parseTraffic(JSON.stringify(doc), "a.json").problems).toEqual([
      { file: "a.json", field: "data.result[0].metric.tls", message: 'label "tls" is not a string' },
      {
        file: "a.json",
        field: "data.result[1].value",
        message: 'value "-2" is negative; a counter never is',
      },
    ]);
  });
});
