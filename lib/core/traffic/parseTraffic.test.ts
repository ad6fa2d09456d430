import { describe, it, expect } from "vitest";
import { MAX_LINE_PROBLEMS, parseTraffic } from "./parseTraffic";

const FILE = "traffic.prom";

// Inline copy of /work/shared/examples/basic/traffic.prom, so the test needs nothing outside the repo.
const BASIC = `# TYPE istio_requests_total counter
istio_requests_total{reporter="destination",source_workload="storefront",source_workload_namespace="store",destination_workload="catalog",destination_workload_namespace="store",destination_service="catalog.store.svc.cluster.local",destination_service_name="catalog",destination_service_namespace="store",request_protocol="grpc",response_code="200",connection_security_policy="none"} 12
istio_requests_total{reporter="source",source_workload="storefront",source_workload_namespace="store",destination_workload="catalog",destination_workload_namespace="store",destination_service="catalog.store.svc.cluster.local",destination_service_name="catalog",destination_service_namespace="store",request_protocol="grpc",response_code="503",response_flags="UC",connection_security_policy="unknown"} 4810
istio_requests_total{reporter="destination",source_workload="unknown",source_workload_namespace="unknown",source_principal="unknown",destination_workload="storefront",destination_workload_namespace="store",destination_service="storefront.store.svc.cluster.local",destination_service_name="storefront",destination_service_namespace="store",request_protocol="http",response_code="200",connection_security_policy="none"} 31
`;

const R = "istio_requests_total";
const T = "istio_tcp_connections_opened_total";

describe("parseTraffic — text exposition", () => {
  it(`names the first ${MAX_LINE_PROBLEMS} malformed lines, counts the rest in one problem, and keeps the good lines`, () => {
    const good = BASIC.split("\n")[1]!;
    const lines = [good, ...Array.from({ length: 30 }, (_, i) => `not exposition ${i} {`), good];
    const r = parseTraffic(lines.join("\n"), FILE);
    expect(r.samples).toHaveLength(2);
    expect(r.problems).toHaveLength(MAX_LINE_PROBLEMS + 1);
    expect(r.problems.slice(0, MAX_LINE_PROBLEMS).map((p) => p.line)).toEqual(
      Array.from({ length: MAX_LINE_PROBLEMS }, (_, i) => i + 2),
    );
    expect(r.problems[MAX_LINE_PROBLEMS]).toEqual({
      file: FILE,
      line: MAX_LINE_PROBLEMS + 2,
      message:
        "10 more malformed lines from here on, not listed one by one (is this Prometheus text exposition?)",
    });
  });

  it(`lists exactly ${MAX_LINE_PROBLEMS} malformed lines without a summary`, () => {
    const r = parseTraffic(Array.from({ length: MAX_LINE_PROBLEMS }, () => "x {").join("\n"), FILE);
    expect(r.problems).toHaveLength(MAX_LINE_PROBLEMS);
    expect(r.problems.every((p) => p.line !== undefined && !p.message.includes("more malformed"))).toBe(true);
  });

  it("reads the basic example's three samples with exact labels and values", () => {
    expect(parseTraffic(BASIC, FILE)).toEqual({
      samples: [
        {
          metric: R,
          labels: {
            reporter: "destination",
            source_workload: "storefront",
            source_workload_namespace: "store",
            destination_workload: "catalog",
            destination_workload_namespace: "store",
            destination_service: "catalog.store.svc.cluster.local",
            destination_service_name: "catalog",
            destination_service_namespace: "store",
            request_protocol: "grpc",
            response_code: "200",
            connection_security_policy: "none",
          },
          value: 12,
        },
        {
          metric: R,
          labels: {
            reporter: "source",
            source_workload: "storefront",
            source_workload_namespace: "store",
            destination_workload: "catalog",
            destination_workload_namespace: "store",
            destination_service: "catalog.store.svc.cluster.local",
            destination_service_name: "catalog",
            destination_service_namespace: "store",
            request_protocol: "grpc",
            response_code: "503",
            response_flags: "UC",
            connection_security_policy: "unknown",
          },
          value: 4810,
        },
        {
          metric: R,
          labels: {
            reporter: "destination",
            source_workload: "unknown",
            source_workload_namespace: "unknown",
            source_principal: "unknown",
            destination_workload: "storefront",
            destination_workload_namespace: "store",
            destination_service: "storefront.store.svc.cluster.local",
            destination_service_name: "storefront",
            destination_service_namespace: "store",
            request_protocol: "http",
            response_code: "200",
            connection_security_policy: "none",
          },
          value: 31,
        },
      ],
      problems: [],
    });
    expect(parseTraffic(BASIC, FILE).window).toBeUndefined();
  });

  it("keeps label order as written", () => {
    const [s] = parseTraffic(BASIC, FILE).samples;
    expect(Object.keys(s?.labels ?? {})).toEqual([
      "reporter",
      "source_workload",
      "source_workload_namespace",
      "destination_workload",
      "destination_workload_namespace",
      "destination_service",
      "destination_service_name",
      "destination_service_namespace",
      "request_protocol",
      "response_code",
      "connection_security_policy",
    ]);
  });

  it.each([
    ["escaped backslash", String.raw`a="x\\y"`, "x\\y"],
    ["escaped quote", String.raw`a="say \"hi\""`, 'say "hi"'],
    ["escaped newline", String.raw`a="l1\nl2"`, "l1\nl2"],
    ["escape at the very end", String.raw`a="end\\"`, "end\\"],
    ["unknown escape kept verbatim", String.raw`a="p\tq"`, "p\\tq"],
    ["comma, brace and equals inside the value", `a="x,y}z=w{"`, "x,y}z=w{"],
    ["empty value", `a=""`, ""],
    ["non-ASCII value", `a="café ☕"`, "café ☕"],
  ])("label value: %s", (_name, labelText, expected) => {
    const out = parseTraffic(`istio_requests_total{${labelText},b="after"} 1\n`, FILE);
    expect(out.problems).toEqual([]);
    expect(out.samples).toEqual([{ metric: R, labels: { a: expected, b: "after" }, value: 1 }]);
  });

  it.each([
    ["integer", `istio_requests_total{a="1"} 12`, { a: "1" }, 12],
    ["exponent", `istio_requests_total{a="1"} 1.5e3`, { a: "1" }, 1500],
    ["negative exponent", `istio_requests_total{a="1"} 25E-1`, { a: "1" }, 2.5],
    ["leading plus", `istio_requests_total{a="1"} +7`, { a: "1" }, 7],
    ["fraction", `istio_requests_total{a="1"} .25`, { a: "1" }, 0.25],
    ["millisecond timestamp", `istio_requests_total{a="1"} 12 1700000000000`, { a: "1" }, 12],
    ["negative timestamp", `istio_requests_total{a="1"} 12 -5`, { a: "1" }, 12],
    ["empty label set", `istio_requests_total{} 3`, {}, 3],
    ["no labels", `istio_requests_total 3`, {}, 3],
    ["no labels with timestamp", `istio_requests_total 3 1700000000000`, {}, 3],
    ["trailing comma in labels", `istio_requests_total{a="1",} 4`, { a: "1" }, 4],
    [
      "blanks and tabs around tokens",
      `  istio_requests_total { a = "1" , b="2" }\t5 \t 1700000000000  `,
      { a: "1", b: "2" },
      5,
    ],
    ["no blank between } and value", `istio_requests_total{a="1"}6`, { a: "1" }, 6],
    [
      "OpenMetrics exemplar after the value",
      `istio_requests_total{a="1"} 8 # {trace_id="abc"} 1`,
      { a: "1" },
      8,
    ],
    ["CRLF line ending", `istio_requests_total{a="1"} 9\r`, { a: "1" }, 9],
  ])("sample line: %s", (_name, line, labels, value) => {
    expect(parseTraffic(`${line}\n`, FILE)).toEqual({
      samples: [{ metric: R, labels, value }],
      problems: [],
    });
  });

  it("reads a whole file with Windows line endings, comments and blank lines", () => {
    const text = [
      "# HELP istio_requests_total Total requests.",
      "# TYPE istio_requests_total counter",
      "",
      '   # an indented comment with "quotes" and {braces',
      'istio_requests_total{a="1"} 1',
      "   ",
      'istio_tcp_connections_opened_total{a="2"} 2',
    ].join("\r\n");
    expect(parseTraffic(text, FILE)).toEqual({
      samples: [
        { metric: R, labels: { a: "1" }, value: 1 },
        { metric: T, labels: { a: "2" }, value: 2 },
      ],
      problems: [],
    });
  });

  it("ignores a byte-order mark", () => {
    expect(parseTraffic('\uFEFFistio_requests_total{a="1"} 1', FILE).samples).toEqual([
      { metric: R, labels: { a: "1" }, value: 1 },
    ]);
  });

  it.each(["NaN", "+Inf", "-Inf", "Inf", "nan"])("skips a %s sample without a problem", (v) => {
    const out = parseTraffic(`istio_requests_total{a="1"} ${v}\nistio_requests_total{a="2"} 2\n`, FILE);
    expect(out).toEqual({ samples: [{ metric: R, labels: { a: "2" }, value: 2 }], problems: [] });
  });

  it.each([
    ["istio_requests", R],
    ["istio_requests_total", R],
    ["istio_tcp_connections_opened", T],
    ["istio_tcp_connections_opened_total", T],
  ])("normalises %s to %s", (name, metric) => {
    expect(parseTraffic(`${name}{a="1"} 1\n`, FILE).samples).toEqual([
      { metric, labels: { a: "1" }, value: 1 },
    ]);
  });

  it("ignores every other metric and keeps input order across the two kept ones", () => {
    const text = [
      'istio_tcp_connections_opened_total{n="1"} 1',
      'istio_request_bytes_bucket{le="+Inf",n="x"} 5',
      'istio_requests_total{n="2"} 2',
      'istio_tcp_connections_closed_total{n="x"} 5',
      'istio_requests_total_extra{n="x"} 5',
      'istio_request_duration_milliseconds_sum{n="x"} 5',
      'envoy_cluster_upstream_cx_total{n="x"} 5',
      "process_start_time_seconds 1.7e9",
      'istio_tcp_connections_opened{n="3"} 3',
      'istio_requests{n="4"} 4',
    ].join("\n");
    expect(parseTraffic(text, FILE)).toEqual({
      samples: [
        { metric: T, labels: { n: "1" }, value: 1 },
        { metric: R, labels: { n: "2" }, value: 2 },
        { metric: T, labels: { n: "3" }, value: 3 },
        { metric: R, labels: { n: "4" }, value: 4 },
      ],
      problems: [],
    });
  });

  it("reports a malformed line with its exact 1-based line number and keeps the good ones", () => {
    const text = [
      "# TYPE istio_requests_total counter", // 1
      'istio_requests_total{a="1"} 1', // 2
      "", // 3
      'istio_requests_total{a="broken} 2', // 4
      'istio_requests_total{a="3"} 3', // 5
      "istio_requests_total{a=4} 4", // 6
      'istio_requests_total{a="5"} 5', // 7
    ].join("\r\n");
    expect(parseTraffic(text, FILE)).toEqual({
      samples: [
        { metric: R, labels: { a: "1" }, value: 1 },
        { metric: R, labels: { a: "3" }, value: 3 },
        { metric: R, labels: { a: "5" }, value: 5 },
      ],
      problems: [
        { file: FILE, line: 4, message: 'unterminated label value for "a"' },
        { file: FILE, line: 6, message: 'expected a quoted value for label "a"' },
      ],
    });
  });

  it.each([
    ['istio_requests_total{a="x} 1', 'unterminated label value for "a"'],
    ['istio_requests_total{a="x\\', 'unterminated label value for "a"'],
    ['istio_requests_total{a="x"', "unterminated label set"],
    ['istio_requests_total{a="x" b="y"} 1', 'expected "," or "}" after the value of label "a"'],
    ["istio_requests_total{a} 1", 'expected "=" after label name "a"'],
    ["istio_requests_total{a=x} 1", 'expected a quoted value for label "a"'],
    ['istio_requests_total{1a="x"} 1', 'expected a label name or "}", found "1a=\\"x\\"}"'],
    ["istio_requests_total{,} 1", 'expected a label name or "}", found ",}"'],
    ['istio_requests_total{a="1",a="2"} 1', 'duplicate label "a"'],
    ['istio_requests_total{a="1"}', 'missing value for "istio_requests_total"'],
    ["istio_requests_total", 'missing value for "istio_requests_total"'],
    ['istio_requests_total{a="1"} twelve', 'invalid value "twelve"'],
    ['istio_requests_total{a="1"} 0x1f', 'invalid value "0x1f"'],
    ['istio_requests_total{a="1"} 1 soon', 'invalid timestamp "soon"'],
    ['istio_requests_total{a="1"} 1 NaN', 'invalid timestamp "NaN"'],
    ['istio_requests_total{a="1"} 1 17 extra', 'unexpected text after the timestamp: "extra"'],
    ['istio-requests-total{a="1"} 1', 'unexpected "-" in metric name "istio"'],
    ['9istio{a="1"} 1', 'expected a metric name, found "9istio{a=\\"1\\"}"'],
    ['other_metric{a="1} 1', 'unterminated label value for "a"'],
  ])("reports %j as %j", (line, message) => {
    const out = parseTraffic(`istio_requests_total{ok="1"} 1\n${line}\n`, FILE);
    expect(out.problems).toEqual([{ file: FILE, line: 2, message }]);
    expect(out.samples).toEqual([{ metric: R, labels: { ok: "1" }, value: 1 }]);
  });

  it("keeps a __proto__ label as an ordinary own label and drops __name__", () => {
    const [s] = parseTraffic('istio_requests_total{__proto__="x",__name__="y",a="1"} 1', FILE).samples;
    expect(Object.keys(s?.labels ?? {})).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(s?.labels, "__proto__")?.value).toBe("x");
    expect(Object.getPrototypeOf(s?.labels)).toBe(Object.prototype);
  });

  it("returns nothing, without problems, for an empty file", () => {
    expect(parseTraffic("", FILE)).toEqual({ samples: [], problems: [] });
    expect(parseTraffic("\n\n# only a comment\n", FILE)).toEqual({ samples: [], problems: [] });
  });

  it("parses 20,000 samples (speed is measured by npm run bench, not here)", () => {
    const lines: string[] = ["# TYPE istio_requests_total counter"];
    for (let k = 0; k < 20_000; k++) {
      lines.push(
        `istio_requests_total{reporter="destination",source_workload="wl-${k}",source_workload_namespace="ns",` +
          `source_principal="spiffe://cluster.local/ns/ns/sa/wl-${k}",destination_workload="catalog",` +
          `destination_workload_namespace="store",destination_service="catalog.store.svc.cluster.local",` +
          `destination_service_name="catalog",destination_service_namespace="store",request_protocol="http",` +
          `response_code="200",response_flags="-",connection_security_policy="mutual_tls"} ${k} 1700000000000`,
      );
    }
    const text = lines.join("\n");
    const out = parseTraffic(text, FILE);
    expect(out.problems).toEqual([]);
    expect(out.samples).toHaveLength(20_000);
    expect(out.samples[19_999]?.value).toBe(19_999);
    expect(out.samples[19_999]?.labels.source_workload).toBe("wl-19999");
  });
});

describe("parseTraffic — Prometheus /api/v1/query JSON", () => {
  const JFILE = "traffic.json";
  const series = (metric: Record<string, unknown>, value: unknown): unknown => ({
    metric,
    value: [1700000000.5, value],
  });

  it("reads a vector answer, keeping labels without __name__ and in input order", () => {
    const body = {
      status: "success",
      data: {
        resultType: "vector",
        result: [
          series({ __name__: R, reporter: "destination", response_code: "200", source_workload: "a" }, "12"),
          series({ __name__: "istio_request_bytes_sum", reporter: "destination" }, "99"),
          series({ __name__: T, reporter: "source", connection_security_policy: "mutual_tls" }, "1.5e3"),
        ],
      },
    };
    expect(parseTraffic(JSON.stringify(body, null, 2), JFILE)).toEqual({
      samples: [
        {
          metric: R,
          labels: { reporter: "destination", response_code: "200", source_workload: "a" },
          value: 12,
        },
        { metric: T, labels: { reporter: "source", connection_security_policy: "mutual_tls" }, value: 1500 },
      ],
      problems: [],
    });
  });

  it("uses the last point of each matrix series and skips empty series", () => {
    const body = {
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          {
            metric: { __name__: R, response_code: "200", n: "1" },
            values: [
              [1700000000, "3"],
              [1700000015, "5"],
              [1700000030, "8"],
            ],
          },
          { metric: { __name__: R, n: "empty" }, values: [] },
          { metric: { __name__: T, n: "2" }, values: [[1700000030, "2"]] },
        ],
      },
    };
    expect(parseTraffic(JSON.stringify(body), JFILE)).toEqual({
      samples: [
        { metric: R, labels: { response_code: "200", n: "1" }, value: 8 },
        { metric: T, labels: { n: "2" }, value: 2 },
      ],
      problems: [],
    });
  });

  it.each([
    ["a bare data object", (r: unknown[]) => ({ resultType: "vector", result: r })],
    ["a bare result array", (r: unknown[]) => r],
    ["a full answer", (r: unknown[]) => ({ status: "success", data: { resultType: "vector", result: r } })],
  ])("accepts %s", (_name, wrap) => {
    const text = "\n  " + JSON.stringify(wrap([series({ __name__: R, n: "1" }, "4")]));
    expect(parseTraffic(text, JFILE)).toEqual({
      samples: [{ metric: R, labels: { n: "1" }, value: 4 }],
      problems: [],
    });
  });

  it("infers matrix points from `values` when the resultType is absent", () => {
    const text = JSON.stringify([
      {
        metric: { __name__: R },
        values: [
          [1, "1"],
          [2, "6"],
        ],
      },
    ]);
    expect(parseTraffic(text, JFILE).samples).toEqual([{ metric: R, labels: {}, value: 6 }]);
  });

  it.each([
    ["istio_requests", R],
    ["istio_tcp_connections_opened", T],
  ])("normalises %s to %s", (name, metric) => {
    const text = JSON.stringify([series({ __name__: name, n: "1" }, "1")]);
    expect(parseTraffic(text, JFILE).samples).toEqual([{ metric, labels: { n: "1" }, value: 1 }]);
  });

  it.each([
    ["with response_code: requests", { source_workload: "a", response_code: "200" }, R],
    ["without response_code: TCP opens", { source_workload: "a", destination_service: "db" }, T],
    ["empty label set: TCP opens", {}, T],
  ])("names a series without __name__ %s", (_name, metric, expected) => {
    const text = JSON.stringify({
      status: "success",
      data: { resultType: "vector", result: [series(metric, "7")] },
    });
    expect(parseTraffic(text, JFILE).samples).toEqual([{ metric: expected, labels: metric, value: 7 }]);
  });

  it("skips NaN and Inf values without a problem", () => {
    const text = JSON.stringify([
      series({ __name__: R, n: "1" }, "NaN"),
      series({ __name__: R, n: "2" }, "+Inf"),
      series({ __name__: R, n: "3" }, "-Inf"),
      series({ __name__: R, n: "4" }, "3"),
    ]);
    expect(parseTraffic(text, JFILE)).toEqual({
      samples: [{ metric: R, labels: { n: "4" }, value: 3 }],
      problems: [],
    });
  });

  it("reports a non-numeric or malformed value and keeps the other samples", () => {
    const body = {
      status: "success",
      data: {
        resultType: "vector",
        result: [
          series({ __name__: R, n: "1" }, "twelve"),
          series({ __name__: R, n: "2" }, "2"),
          series({ __name__: R, n: "3" }, null),
          { metric: { __name__: R, n: "4" }, value: ["1"] },
          { metric: { __name__: R, n: "5" }, values: [[1, "5"]] },
          { metric: { __name__: R, n: 6 }, value: [1, "6"] },
          { value: [1, "7"] },
          "junk",
          series({ __name__: T, n: "9" }, "9"),
        ],
      },
    };
    expect(parseTraffic(JSON.stringify(body), JFILE)).toEqual({
      samples: [
        { metric: R, labels: { n: "2" }, value: 2 },
        { metric: T, labels: { n: "9" }, value: 9 },
      ],
      problems: [
        { file: JFILE, field: "data.result[0].value", message: 'value "twelve" is not a number' },
        { file: JFILE, field: "data.result[2].value", message: "value null is not a number" },
        {
          file: JFILE,
          field: "data.result[3].value",
          message: 'series has no "value" as [timestamp, "number"]',
        },
        {
          file: JFILE,
          field: "data.result[4].value",
          message: 'series has no "value" as [timestamp, "number"]',
        },
        { file: JFILE, field: "data.result[5].metric.n", message: 'label "n" is not a string' },
        { file: JFILE, field: "data.result[6]", message: 'series has no "metric" object' },
        { file: JFILE, field: "data.result[7]", message: 'series has no "metric" object' },
      ],
    });
  });

  it("reports a query error with the API's error text", () => {
    const text = JSON.stringify({
      status: "error",
      errorType: "bad_data",
      error: 'invalid parameter "query": 1:22: parse error:\nunexpected "}"',
    });
    expect(parseTraffic(text, JFILE)).toEqual({
      samples: [],
      problems: [
        {
          file: JFILE,
          message:
            'Prometheus query failed (bad_data): invalid parameter "query": 1:22: parse error: unexpected "}"',
        },
      ],
    });
  });

  it.each([
    [
      '{"status":"success",\n  "data": {"result": [1,,2]}}',
      2,
      'malformed JSON at line 2, column 25: unexpected ","',
    ],
    ['{"a":}', 1, 'malformed JSON at line 1, column 6: unexpected "}"'],
    [
      '{"status":"success","data":{"result":[',
      1,
      "malformed JSON at line 1, column 39: unexpected end of input",
    ],
    ['[{"metric": {"a": "x}}]', 1, "malformed JSON at line 1, column 24: unterminated string"],
    ["{\n\n  status: 1}", 3, 'malformed JSON at line 3, column 3: unexpected "s"'],
    ['{"a":1} trailing', 1, "malformed JSON at line 1, column 9: unexpected text after the JSON value"],
    ['["a\\x"]', 1, "malformed JSON at line 1, column 4: invalid escape or control character in string"],
  ])("reports malformed JSON %j at its position", (text, line, message) => {
    expect(parseTraffic(text, JFILE)).toEqual({ samples: [], problems: [{ file: JFILE, line, message }] });
  });

  it.each([
    [
      { status: "success", data: { resultType: "scalar", result: [1, "2"] } },
      "data.resultType",
      'resultType "scalar" holds no series; expected "vector" or "matrix"',
    ],
    [
      { status: "success", data: { resultType: "vector", result: {} } },
      "data.result",
      "result is not an array",
    ],
    [{ status: "success" }, undefined, 'not a Prometheus query answer: no "data.result"'],
    [{ hello: "world" }, undefined, 'not a Prometheus query answer: no "data.result"'],
  ])("reports an answer without series: %j", (body, field, message) => {
    const problem = field === undefined ? { file: JFILE, message } : { file: JFILE, field, message };
    expect(parseTraffic(JSON.stringify(body), JFILE)).toEqual({ samples: [], problems: [problem] });
  });

  it.each([
    ["no window anywhere", {}, undefined],
    ["an explicit window field", { window: "5m" }, "5m"],
    [
      "a range in the saved query",
      { query: 'sum by (source_workload) (rate(istio_requests_total{reporter="destination"}[1h30m]))' },
      "1h30m",
    ],
    ["a subquery range", { query: "max_over_time(rate(istio_requests_total[5m])[30m:1m])" }, "5m"],
    ["a query without a range", { query: "istio_requests_total" }, undefined],
    ["a window that is not a duration", { window: "recently" }, undefined],
  ])("window: %s", (_name, extra, window) => {
    const body = { status: "success", ...extra, data: { resultType: "vector", result: [] } };
    const out = parseTraffic(JSON.stringify(body), JFILE);
    expect(out.problems).toEqual([]);
    expect(out.window).toBe(window);
    expect("window" in out).toBe(window !== undefined);
  });
});
