// Mesh VirtualService routes (docs/DECISIONS.md, "VirtualService routes"): telemetry names the
// destination service but no port, and a sidecar's route that names a port (and a subset) says which
// cluster its calls left through, outbound|port|subset|host. The port is the route's, and the
// client's TLS is the DestinationRule's subset policy merged over its top-level (istio.md §2.3).
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import type { KubeObject } from "../lib/core/model/input";
import type { TrafficPolicy } from "../lib/core/model/mesh";
import { subsetTlsForPort } from "../lib/core/resolve/destinationRule";
import { compareByAge } from "../lib/core/resolve/peerAuthentication";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  findingsOf,
  host,
  injected,
  loaded,
  meshConfig,
  namespace,
  only,
  peerAuth,
  run,
  service,
  sidecarResource,
} from "./kit";

const API = "networking.istio.io/v1";
const vs = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: API,
  kind: "VirtualService",
  metadata: { name, namespace: ns },
  spec,
});
/** A mesh route to `dest` (port and subset when given), as Istio's egress-gateway tasks write it. */
const routeTo = (dest: string, port?: number, subset?: string) => ({
  destination: { host: dest, ...(subset ? { subset } : {}), ...(port ? { port: { number: port } } : {}) },
});
const meshVs = (name: string, port: number, subset?: string, extra: Record<string, unknown> = {}, ns = "a") =>
  vs(ns, name, { hosts: ["api.example.com"], http: [{ route: [routeTo(SRV, port, subset)] }], ...extra });

// srv has an HTTP port (80) and a TLS-named one (443): an HTTP sample guesses 80, a route names 443.
const SRV = host("srv", "b");
/** Client a/client and server b/srv (its container ports and Service ports), both injected. */
const clientAndServer = (
  containerPorts: number[],
  ports: { port: number; targetPort: number; name: string }[],
): KubeObject[] => [
  injected("a"),
  injected("b"),
  deploy("a", "client"),
  deploy("b", "srv", { ports: containerPorts }),
  service("b", "srv", ports),
];
const base: KubeObject[] = clientAndServer(
  [8080, 8443],
  [
    { port: 80, targetPort: 8080, name: "http" },
    { port: 443, targetPort: 8443, name: "https" },
  ],
);
const sample = (extra: Record<string, string> = {}) => [call("a/client", SRV, "mutual_tls", 5, extra)];
const policy = (p: Record<string, unknown>) => ({ trafficPolicy: p });
const portTls = (port: number, mode: string | null) => ({
  port: { number: port },
  ...(mode ? { tls: { mode } } : {}),
});

describe("reading VirtualServices", () => {
  it("hosts, gateways (absent = mesh), exportTo and the mesh routes' destinations, short hosts relative to the VirtualService", () => {
    const m = buildModel({
      objects: loaded([
        vs("a", "plain", {
          hosts: ["api.example.com"],
          exportTo: ["."],
          http: [{ route: [routeTo("srv.b.svc.cluster.local", 443, "v1"), routeTo("other")] }],
          tcp: [{ route: [routeTo("db", 5432)] }],
        }),
        vs("a", "gw-only", {
          hosts: ["api.example.com"],
          gateways: ["istio-system/egress"],
          http: [{ route: [routeTo("srv", 443)] }],
        }),
        vs("a", "split", {
          hosts: ["api.example.com"],
          gateways: ["istio-system/egress", "mesh"],
          http: [
            {
              match: [{ gateways: ["mesh"], port: 80 }],
              route: [routeTo("egress.istio-system.svc.cluster.local", 443, "api")],
            },
            {
              match: [{ gateways: ["istio-system/egress"], port: 443 }],
              route: [routeTo("api.example.com", 443)],
            },
          ],
        }),
      ]),
      configDumps: [],
      problems: [],
    });
    expect(m.problems).toEqual([]);
    expect(
      m.virtualServices.map((v) => [v.name, v.hosts, v.gateways, v.exportTo, v.meshDestinations]),
    ).toEqual([
      ["gw-only", ["api.example.com"], ["istio-system/egress"], [], []],
      [
        "plain",
        ["api.example.com"],
        [],
        ["."],
        [
          { fqdn: "srv.b.svc.cluster.local", subset: "v1", port: 443, kind: "http", matches: [] },
          { fqdn: "other.a.svc.cluster.local", subset: null, port: null, kind: "http", matches: [] },
          { fqdn: "db.a.svc.cluster.local", subset: null, port: 5432, kind: "tcp", matches: [] },
        ],
      ],
      // The gateway's own route (match.gateways without "mesh") is not a sidecar's.
      [
        "split",
        ["api.example.com"],
        ["istio-system/egress", "mesh"],
        [],
        [
          {
            fqdn: "egress.istio-system.svc.cluster.local",
            subset: "api",
            port: 443,
            kind: "http",
            matches: [{ sourceNamespace: null, sourceLabels: null, opaque: ["port"], port: 80 }],
          },
        ],
      ],
    ]);
    expect([...m.meshRoutesByHost.keys()].sort()).toEqual([
      "db.a.svc.cluster.local",
      "egress.istio-system.svc.cluster.local",
      "other.a.svc.cluster.local",
      "srv.b.svc.cluster.local",
    ]);
  });

  it.each([
    { case: "no hosts", spec: {} },
    { case: "hosts: []", spec: { hosts: [] } },
  ])("a delegate ($case) has no mesh routes: Istio uses it only through a root's gateways", ({ spec }) => {
    const m = buildModel({
      objects: loaded([vs("a", "delegate", { ...spec, http: [{ route: [routeTo(SRV, 443, "v1")] }] })]),
      configDumps: [],
      problems: [],
    });
    expect(m.problems).toEqual([]);
    expect(m.virtualServices.map((v) => v.meshDestinations)).toEqual([[]]);
    expect(m.meshRoutesByHost.size).toBe(0);
  });

  it("matches: source conditions kept, other restrictions named; a gateway-only match dropped; a weight-0 destination beside others and routes after a catch-all left out", () => {
    const m = buildModel({
      objects: loaded([
        vs("a", "m", {
          hosts: ["srv"],
          http: [
            {
              match: [
                { name: "canary", sourceNamespace: "a", sourceLabels: { app: "client" } },
                { uri: { prefix: "/x" }, ignoreUriCase: true, port: 80 },
                { gateways: ["egress"], headers: { x: { exact: "1" } } },
              ],
              route: [
                { ...routeTo(SRV, 443, "v1"), weight: 100 },
                { ...routeTo(SRV, 443, "v2"), weight: 0 },
              ],
            },
            { match: [{ gateways: ["mesh"] }], route: [{ ...routeTo(SRV, 80), weight: 0 }] },
            { route: [routeTo(SRV, 8080)] },
          ],
        }),
      ]),
      configDumps: [],
      problems: [],
    });
    expect(m.problems).toEqual([]);
    const matches = [
      { sourceNamespace: "a", sourceLabels: { app: "client" }, opaque: [], port: 0 },
      { sourceNamespace: null, sourceLabels: null, opaque: ["uri", "port"], port: 80 },
    ];
    // The second route takes every sidecar request (its only match names "mesh"), so the third is never reached;
    // its only destination has weight 0, which leaves it the traffic.
    expect(m.virtualServices[0]!.meshDestinations.map((d) => [d.port, d.subset, d.matches])).toEqual([
      [443, "v1", matches],
      [80, null, [{ sourceNamespace: null, sourceLabels: null, opaque: [], port: 0 }]],
    ]);
  });

  it("a match naming gateways: an http one's source conditions are not read (sourceMatchHTTP), a tcp or tls one's are (matchTCP, matchTLS)", () => {
    const match = { gateways: ["mesh"], sourceNamespace: "c", sourceLabels: { app: "other" } };
    const m = buildModel({
      objects: loaded([
        vs("a", "gw", {
          hosts: ["api.example.com"],
          http: [{ match: [match], route: [routeTo(SRV, 443)] }],
          tcp: [{ match: [match], route: [routeTo(SRV, 5432)] }],
        }),
      ]),
      configDumps: [],
      problems: [],
    });
    expect(m.problems).toEqual([]);
    expect(m.virtualServices[0]!.meshDestinations.map((d) => [d.kind, d.matches])).toEqual([
      ["http", [{ sourceNamespace: null, sourceLabels: null, opaque: [], port: 0 }]],
      ["tcp", [{ sourceNamespace: "c", sourceLabels: { app: "other" }, opaque: [], port: 0 }]],
    ]);
  });

  it("mirrors: read apart from destinations (edges ignore mirrored copies), 0% and redirects mirror nothing, a delegate's with its routes", () => {
    const m = buildModel({
      objects: loaded([
        vs("a", "mirrors", {
          hosts: ["api.example.com"],
          http: [
            {
              match: [{ uri: { prefix: "/a" } }],
              route: [routeTo(SRV, 443)],
              mirror: { host: "shadow" },
              mirrorPercentage: { value: 10 },
            },
            {
              match: [{ uri: { prefix: "/b" } }],
              route: [routeTo(SRV, 443)],
              mirrors: [
                { destination: { host: "m1.c.svc.cluster.local" } },
                { destination: { host: "m2" }, percentage: { value: 0 } },
              ],
            },
            {
              match: [{ uri: { prefix: "/c" } }],
              route: [routeTo(SRV, 443)],
              mirror: { host: "never" },
              mirrorPercentage: {},
            },
            { match: [{ uri: { prefix: "/d" } }], redirect: { uri: "/x" }, mirror: { host: "never" } },
            { match: [{ uri: { prefix: "/e" } }], delegate: { name: "leaf" } },
          ],
          tcp: [{ route: [routeTo(SRV, 5432)], mirror: { host: "never" } }],
        }),
        vs("a", "leaf", { http: [{ route: [routeTo(SRV, 443)], mirror: { host: "leaf-shadow" } }] }),
      ]),
      configDumps: [],
      problems: [],
    });
    expect(m.problems).toEqual([]);
    const root = m.virtualServices.find((v) => v.name === "mirrors")!;
    expect(root.meshMirrors.map((x) => x.fqdn)).toEqual([
      host("shadow", "a"),
      "m1.c.svc.cluster.local",
      host("leaf-shadow", "a"),
    ]);
    // Each mirror carries its route's matches, the very array the route has in meshRouteMatches.http.
    for (const x of root.meshMirrors) expect(root.meshRouteMatches.http).toContain(x.matches);
    expect([...m.meshRoutesByHost.keys()]).toEqual([SRV]);
  });

  // Istio's validation checks a match's port only `if match.Port != 0` (validateHTTPRoute, validateTCPMatch,
  // validateTLSMatch in pkg/config/validation), and translateRoute/matchTCP/matchTLS read 0 as "any port".
  it.each([
    {
      case: "an http match",
      spec: { http: [{ match: [{ port: 0, sourceNamespace: "a" }], route: [routeTo(SRV, 443)] }] },
      kind: "http",
    },
    {
      case: "a tcp match",
      spec: { tcp: [{ match: [{ port: 0 }], route: [routeTo(SRV, 443)] }] },
      kind: "tcp",
    },
    {
      case: "a tls match",
      spec: { tls: [{ match: [{ port: 0, sniHosts: ["api.example.com"] }], route: [routeTo(SRV, 443)] }] },
      kind: "tls",
    },
  ])("match.port 0 is no port, as absent ($case)", ({ spec, kind }) => {
    const m = buildModel({
      objects: loaded([vs("a", "zero", { hosts: ["api.example.com"], ...spec })]),
      configDumps: [],
      problems: [],
    });
    expect(m.problems).toEqual([]);
    const opaque = kind === "tls" ? ["sniHosts"] : [];
    expect(m.virtualServices[0]!.meshDestinations).toEqual([
      {
        fqdn: SRV,
        subset: null,
        port: 443,
        kind,
        matches: [{ sourceNamespace: kind === "http" ? "a" : null, sourceLabels: null, opaque, port: 0 }],
      },
    ]);
  });

  it.each([
    {
      case: "spec.hosts a string",
      spec: { hosts: "api.example.com" },
      field: "spec.hosts",
      reason: "must be a list of strings",
    },
    {
      case: "spec.gateways with a number",
      spec: { gateways: ["mesh", 7] },
      field: "spec.gateways[1]",
      reason: "must be a string, not 7",
    },
    {
      case: "spec.exportTo a mapping",
      spec: { exportTo: { a: 1 } },
      field: "spec.exportTo",
      reason: "must be a list of strings",
    },
    {
      case: "spec.http a mapping",
      spec: { http: { route: [] } },
      field: "spec.http",
      reason: "must be a list",
    },
    {
      case: "a route that is a string",
      spec: { http: [{ route: ["srv"] }] },
      field: "spec.http[0].route[0]",
      reason: "must be a mapping",
    },
    {
      case: "a destination without host",
      spec: { tcp: [{ route: [{ destination: { port: { number: 80 } } }] }] },
      field: "spec.tcp[0].route[0].destination.host",
      reason: "is required",
    },
    {
      case: "a route without destination",
      spec: { tls: [{ route: [{ weight: 100 }] }] },
      field: "spec.tls[0].route[0].destination",
      reason: "is required",
    },
    {
      case: "a destination port out of range",
      spec: { http: [{ route: [routeTo("srv", 70000)] }] },
      field: "spec.http[0].route[0].destination.port.number",
      reason: "port must be 1..65535",
    },
    {
      case: "a subset that is a number",
      spec: { http: [{ route: [{ destination: { host: "srv", subset: 1 } }] }] },
      field: "spec.http[0].route[0].destination.subset",
      reason: "must be a string, not 1",
    },
    {
      case: "match gateways a string",
      spec: { http: [{ match: [{ gateways: "mesh" }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].gateways",
      reason: "must be a list of strings",
    },
    {
      case: "a malformed destination in a gateway-only VirtualService",
      spec: { gateways: ["egress"], http: [{ route: [{ destination: { host: 5 } }] }] },
      field: "spec.http[0].route[0].destination.host",
      reason: "is required",
    },
    {
      case: "match sourceNamespace a number",
      spec: { http: [{ match: [{ sourceNamespace: 3 }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].sourceNamespace",
      reason: "must be a string, not 3",
    },
    {
      case: "match sourceLabels a list",
      spec: { tcp: [{ match: [{ sourceLabels: ["app"] }], route: [routeTo("srv")] }] },
      field: "spec.tcp[0].match[0].sourceLabels",
      reason: "must be a mapping of strings",
    },
    // 0 is proto3's zero value, "no port" (validation.go checks the port only `if match.Port != 0`): see below.
    {
      case: "match port out of range",
      spec: { http: [{ match: [{ port: 70000 }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].port",
      reason: "port must be 1..65535",
    },
    {
      case: "a tcp match port out of range",
      spec: { tcp: [{ match: [{ port: 65536 }], route: [routeTo("srv")] }] },
      field: "spec.tcp[0].match[0].port",
      reason: "port must be 1..65535",
    },
    {
      case: "a gateway-only match with a bad port",
      spec: { http: [{ match: [{ gateways: ["egress"], port: "x" }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].port",
      reason: "port must be 1..65535",
    },
    {
      case: "a delegate without name",
      spec: { http: [{ delegate: { namespace: "b" } }] },
      field: "spec.http[0].delegate.name",
      reason: "is required",
    },
    {
      case: "a delegate namespace that is a number",
      spec: { http: [{ delegate: { name: "d", namespace: 1 } }] },
      field: "spec.http[0].delegate.namespace",
      reason: "must be a string, not 1",
    },
    {
      case: "a negative weight",
      spec: { http: [{ route: [{ ...routeTo("srv"), weight: -1 }] }] },
      field: "spec.http[0].route[0].weight",
      reason: "must be a whole number of at least 0, not -1",
    },
    // Match fields delegate merging reads (hasConflict): a malformed one is not read as no condition.
    {
      case: "ignoreUriCase a string",
      spec: { http: [{ match: [{ ignoreUriCase: "false" }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].ignoreUriCase",
      reason: 'must be true or false, not "false"',
    },
    {
      case: "uri a string",
      spec: { http: [{ match: [{ uri: "/a" }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].uri",
      reason: "must be a mapping with exact, prefix or regex",
    },
    {
      case: "uri.prefix a number",
      spec: { http: [{ match: [{ uri: { prefix: 1 } }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].uri.prefix",
      reason: "must be a string, not 1",
    },
    {
      case: "uri with both exact and prefix",
      spec: { http: [{ match: [{ uri: { exact: "/a", prefix: "/b" } }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].uri",
      reason: "must set only one of exact, prefix or regex",
    },
    {
      case: "method a list",
      spec: { http: [{ match: [{ method: ["GET"] }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].method",
      reason: "must be a mapping",
    },
    {
      case: "headers a string",
      spec: { http: [{ match: [{ headers: "x" }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].headers",
      reason: "must be a mapping of names to string matches",
    },
    {
      case: "a header given as a bare string",
      spec: { http: [{ match: [{ headers: { x: "1" } }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].headers.x",
      reason: "must be a mapping",
    },
    {
      case: "a queryParam regex a number",
      spec: { http: [{ match: [{ queryParams: { q: { regex: 5 } } }], route: [routeTo("srv")] }] },
      field: "spec.http[0].match[0].queryParams.q.regex",
      reason: "must be a string, not 5",
    },
    {
      case: "withoutHeaders in a gateway-only match, malformed",
      spec: {
        http: [{ match: [{ gateways: ["egress"], withoutHeaders: { y: true } }], route: [routeTo("srv")] }],
      },
      field: "spec.http[0].match[0].withoutHeaders.y",
      reason: "must be a mapping",
    },
  ])(
    "$case: input.invalid naming the object and field; the VirtualService is left out, the rest analysed",
    ({ spec, field, reason }) => {
      const bad = vs("a", "bad", { hosts: ["api.example.com"], ...spec });
      const objs = [...base, bad];
      const m = buildModel({ objects: loaded(objs), configDumps: [], problems: [] });
      const ref = { kind: "VirtualService", namespace: "a", name: "bad" };
      expect(m.problems).toEqual([
        {
          file: "test.yaml",
          line: objs.length,
          object: ref,
          field,
          message: expect.stringContaining(`VirtualService a/bad: ${field}: `),
        },
      ]);
      expect(m.problems[0]!.message).toContain(reason);
      expect(m.virtualServices).toEqual([]);
      const s = run(objs, sample());
      expect(only(s, "input.invalid").resources).toEqual([ref]);
      expect(edgeOf(s, "a/client", SRV)).toMatchObject({ destination: { port: 80 }, status: "mtls" });
    },
  );
});

describe("metadata.creationTimestamp: read as Kubernetes stores it (RFC 3339), the order total", () => {
  it.each([
    { case: "not a time", value: "yesterday" as unknown },
    { case: "a date without time", value: "2024-01-01" },
    { case: "a number (JSON input)", value: 1704067200 },
    // time.Parse(time.RFC3339): "T" and "Z" are literal (upper case), and the fields are range-checked.
    { case: "a lower-case t", value: "2024-01-01t00:00:00Z" },
    { case: "a lower-case z", value: "2024-01-01T00:00:00z" },
    { case: "February 30th (Date.parse rolls it into March)", value: "2024-02-30T00:00:00Z" },
    { case: "hour 24", value: "2024-01-01T24:00:00Z" },
    { case: "a leap second 60", value: "2024-01-01T00:00:60Z" },
    { case: "month 13", value: "2024-13-01T00:00:00Z" },
    { case: "an offset hour 24", value: "2024-01-01T00:00:00+24:00" },
  ])(
    "$case: input.invalid naming metadata.creationTimestamp, for VirtualServices as for PeerAuthentications and DestinationRules",
    ({ value }) => {
      const bad = (o: KubeObject): KubeObject => ({
        ...o,
        metadata: { ...o.metadata, creationTimestamp: value as string },
      });
      const objs = [
        bad(meshVs("bad", 443, "v1")),
        bad(peerAuth("b", "bad", "STRICT")),
        bad(destRule("a", "bad", SRV)),
      ];
      const m = buildModel({ objects: loaded(objs), configDumps: [], problems: [] });
      expect(m.problems.map((p) => [p.object?.kind, p.field])).toEqual([
        ["VirtualService", "metadata.creationTimestamp"],
        ["PeerAuthentication", "metadata.creationTimestamp"],
        ["DestinationRule", "metadata.creationTimestamp"],
      ]);
      expect(m.problems[0]!.message).toContain("must be an RFC 3339 time");
      expect([m.virtualServices, m.peerAuthentications, m.destinationRules].map((l) => l.length)).toEqual([
        0, 0, 0,
      ]);
    },
  );

  it("near miss: RFC 3339 with an offset or fractional seconds, and absent, are read", () => {
    const objs = [
      aged(meshVs("offset", 443), "2024-01-01T02:00:00+02:00"),
      aged(meshVs("frac", 443), "2024-01-01T00:00:00.5Z"),
      meshVs("none", 443),
      aged(meshVs("leap-day", 443), "2024-02-29T00:00:00Z"),
      aged(meshVs("empty", 443), ""),
    ];
    const m = buildModel({ objects: loaded(objs), configDumps: [], problems: [] });
    expect(m.problems).toEqual([]);
    // Absent is the oldest; the offset one is midnight UTC, before the fractional one.
    expect([...m.virtualServices].sort((x, y) => x.rank - y.rank).map((v) => v.name)).toEqual([
      "empty",
      "none",
      "offset",
      "frac",
      "leap-day",
    ]);
  });

  it("compareByAge is a total order: an unparsable timestamp counts as absent (the oldest) and ties fall through to name, then namespace", () => {
    const o = (creationTimestamp: string, name: string, namespace = "a") => ({
      creationTimestamp,
      name,
      namespace,
    });
    const items = [o("garbage", "b"), o("", "a"), o(OLD, "c"), o("garbage", "a", "z"), o(NEW, "a")];
    const sign = (n: number) => Math.sign(n);
    for (const x of items)
      for (const y of items) {
        expect(sign(compareByAge(x, y)) + sign(compareByAge(y, x))).toBe(0);
        if (x !== y) expect(compareByAge(x, y)).not.toBe(0);
      }
    const order = (l: typeof items) => [...l].sort(compareByAge).map((x) => `${x.namespace}/${x.name}`);
    expect(order(items)).toEqual(["a/a", "z/a", "a/b", "a/c", "a/a"]);
    expect(order([...items].reverse())).toEqual(order(items));
  });
});

describe("subset policy merged over the DestinationRule's (MergeTrafficPolicy)", () => {
  const tp = (t: Partial<TrafficPolicy>): TrafficPolicy => ({
    tls: null,
    portLevelSettings: [],
    loadBalancerSimple: null,
    ...t,
  });
  const mode = (m: "DISABLE" | "ISTIO_MUTUAL" | "SIMPLE") => ({ mode: m, modeSet: true });
  it.each([
    {
      case: "no subset policy: the DR's",
      top: tp({ tls: mode("DISABLE") }),
      sub: null,
      tls: "DISABLE",
      from: "top-level",
    },
    {
      case: "subset tls overrides the top-level tls",
      top: tp({ tls: mode("DISABLE") }),
      sub: tp({ tls: mode("ISTIO_MUTUAL") }),
      tls: "ISTIO_MUTUAL",
      from: "subset",
    },
    {
      case: "subset tls overrides the DR's port-level tls",
      top: tp({ portLevelSettings: [{ port: 443, tls: mode("SIMPLE"), loadBalancerSimple: null }] }),
      sub: tp({ tls: mode("ISTIO_MUTUAL") }),
      tls: "ISTIO_MUTUAL",
      from: "subset",
    },
    {
      case: "subset without tls: the top-level tls stays",
      top: tp({ tls: mode("DISABLE") }),
      sub: tp({ loadBalancerSimple: "ROUND_ROBIN" }),
      tls: "DISABLE",
      from: "top-level",
    },
    {
      case: "subset port-level tls for the port wins over its own top-level",
      top: tp({}),
      sub: tp({
        tls: mode("DISABLE"),
        portLevelSettings: [{ port: 443, tls: mode("ISTIO_MUTUAL"), loadBalancerSimple: null }],
      }),
      tls: "ISTIO_MUTUAL",
      from: "subset-port-level",
    },
    {
      case: "subset port-level entry without tls replaces it with none (auto mTLS)",
      top: tp({ tls: mode("ISTIO_MUTUAL") }),
      sub: tp({ portLevelSettings: [{ port: 443, tls: null, loadBalancerSimple: null }] }),
      tls: null,
      from: "subset-port-level",
    },
    {
      case: "subset port-level entry for another port: not read",
      top: tp({ tls: mode("DISABLE") }),
      sub: tp({ portLevelSettings: [{ port: 80, tls: mode("ISTIO_MUTUAL"), loadBalancerSimple: null }] }),
      tls: "DISABLE",
      from: "top-level",
    },
  ])("$case", ({ top, sub, tls, from }) => {
    const got = subsetTlsForPort(top, sub, 443);
    expect(got.tls?.mode ?? null).toBe(tls);
    expect(got.from).toBe(from);
  });
});

describe("edges: the port and subset a mesh route names", () => {
  // A DR whose top level disables TLS and whose subset v1 turns on Istio mTLS for 443: the edge says
  // which one applied.
  const dr = destRule("a", "srv", SRV, {
    ...policy({ tls: { mode: "DISABLE" } }),
    subsets: [
      {
        name: "v1",
        labels: { app: "srv" },
        trafficPolicy: { portLevelSettings: [portTls(443, "ISTIO_MUTUAL")] },
      },
      { name: "v2", labels: { app: "srv" }, trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } },
    ],
  });

  it.each([
    {
      case: "route to port 443, subset v1: the subset's port-level ISTIO_MUTUAL",
      objs: [dr, meshVs("to-v1", 443, "v1")],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "in its subset v1's portLevelSettings for port 443 (routed by VirtualService a/to-v1 to subset v1, port 443)",
    },
    {
      case: "route to subset v2, which sets no tls: the DR's top-level DISABLE",
      objs: [dr, meshVs("to-v2", 443, "v2")],
      port: 443,
      tls: "DISABLE",
      says: "in its trafficPolicy (routed by VirtualService a/to-v2 to subset v2, port 443)",
    },
    {
      case: "route to port 443 without subset: the default cluster's top-level DISABLE",
      objs: [dr, meshVs("to-443", 443)],
      port: 443,
      tls: "DISABLE",
      says: "(routed by VirtualService a/to-443 to port 443)",
    },
    {
      case: "gateways absent means mesh (written out: the same)",
      objs: [dr, meshVs("to-v1", 443, "v1", { gateways: ["mesh"] })],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "routed by VirtualService a/to-v1 to subset v1",
    },
    {
      case: "two VirtualServices naming the same port and subset: not ambiguous",
      objs: [dr, meshVs("one", 443, "v1"), meshVs("two", 443, "v1")],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "routed by VirtualService a/one to subset v1",
    },
  ])("$case", ({ objs, port, tls, says }) => {
    const s = run([...base, ...objs], sample());
    expect(s.edges).toHaveLength(1);
    const e = s.edges[0]!;
    expect(e.destination.port).toBe(port);
    expect(e.predicted.client).toEqual({
      tls,
      origin: "destinationrule",
      destinationRule: { kind: "DestinationRule", namespace: "a", name: "srv" },
    });
    expect(e.predicted.reason).toContain(says);
    expect(e.observed?.portAmbiguous).toBeUndefined();
  });

  it.each<{ case: string; objs: KubeObject[]; extra: Record<string, string> }>([
    {
      case: "near miss: the VirtualService is bound to a gateway only (no mesh)",
      objs: [dr, meshVs("gw", 443, "v1", { gateways: ["istio-system/egress"] })],
      extra: {},
    },
    {
      case: "near miss: the mesh route's match names only a gateway",
      objs: [
        dr,
        vs("a", "gw-match", {
          hosts: ["api.example.com"],
          gateways: ["mesh", "egress"],
          http: [{ match: [{ gateways: ["egress"] }], route: [routeTo(SRV, 443, "v1")] }],
        }),
      ],
      extra: {},
    },
    {
      case: "near miss: the route names a port the service does not have",
      objs: [dr, meshVs("bad-port", 8443, "v1")],
      extra: {},
    },
    {
      case: "near miss: exported to its own namespace only, the client is elsewhere",
      objs: [dr, meshVs("private", 443, "v1", { exportTo: ["."] }, "b")],
      extra: {},
    },
    {
      case: "near miss: an HTTP route and a TCP sample",
      objs: [dr, meshVs("http-only", 443, "v1")],
      extra: { request_protocol: "tcp" },
    },
    {
      case: "a delegate VirtualService (no hosts) is not a mesh route",
      objs: [dr, vs("a", "delegate", { http: [{ route: [routeTo(SRV, 443, "v1")] }] })],
      extra: {},
    },
    {
      case: "a delegate VirtualService (hosts: []) is not a mesh route",
      objs: [dr, vs("a", "delegate", { hosts: [], http: [{ route: [routeTo(SRV, 443, "v1")] }] })],
      extra: {},
    },
    {
      case: "a route of the service's own host matching a port: other calls take the default cluster",
      objs: [
        dr,
        vs("a", "own", {
          hosts: [SRV],
          http: [{ match: [{ port: 443 }], route: [routeTo(SRV, 443, "v1")] }],
        }),
      ],
      extra: {},
    },
    // A wildcard VirtualService holds the service only as its most specific one (mostSpecificWildcardVsIndex),
    // which an exact-host VirtualService building nothing on the port called may take: not certain.
    {
      case: "a route of a wildcard host covering the service, matching headers",
      objs: [
        dr,
        vs("a", "wild", {
          hosts: ["*.b.svc.cluster.local"],
          http: [{ match: [{ headers: { canary: { exact: "1" } } }], route: [routeTo(SRV, 443, "v1")] }],
        }),
      ],
      extra: {},
    },
    {
      case: "a route of the service's own host for another source namespace: the client's calls take the default cluster",
      objs: [
        dr,
        vs("a", "own", {
          hosts: [SRV],
          http: [{ match: [{ sourceNamespace: "c" }], route: [routeTo(SRV, 443, "v1")] }],
        }),
      ],
      extra: {},
    },
    {
      case: "a route of the service's own host for other source labels",
      objs: [
        dr,
        vs("a", "own", {
          hosts: [SRV],
          http: [{ match: [{ sourceLabels: { app: "other" } }], route: [routeTo(SRV, 443, "v1")] }],
        }),
      ],
      extra: {},
    },
    {
      case: "a route of another host for another source namespace is never the client's",
      objs: [
        dr,
        meshVs("other-ns", 443, "v1", {
          http: [{ match: [{ sourceNamespace: "c" }], route: [routeTo(SRV, 443, "v1")] }],
        }),
      ],
      extra: {},
    },
    {
      case: 'defaultVirtualServiceExportTo "." keeps a VirtualService without exportTo in its namespace',
      objs: [dr, meshConfig('defaultVirtualServiceExportTo: ["."]'), meshVs("private", 443, "v1", {}, "b")],
      extra: {},
    },
    {
      case: 'a defaultVirtualServiceExportTo with neither "." nor "*" exports a VirtualService without exportTo nowhere',
      objs: [dr, meshConfig('defaultVirtualServiceExportTo: ["a"]'), meshVs("nowhere", 443, "v1")],
      extra: {},
    },
  ])(
    "$case: the protocol's port guess and the DR's default cluster, as without routes",
    ({ objs, extra }) => {
      const s = run([...base, ...objs], sample(extra));
      const tcp = extra.request_protocol === "tcp";
      // Without a route an HTTP sample is about the HTTP port; a TCP one about the other.
      expect(s.edges.map((e) => e.destination.port)).toEqual([tcp ? 443 : 80]);
      const e = s.edges[0]!;
      expect(e.predicted.client.tls).toBe("DISABLE");
      expect(e.predicted.reason).not.toContain("routed by");
    },
  );

  // A VirtualService for the service's own host whose routes match on path, headers or the caller:
  // a request matching none of them gets 404 NR (the host's routes are the VirtualService's; only a
  // match on another port leaves a default route), so the calls observed took one of its routes.
  it.each<{ case: string; objs: KubeObject[] }>([
    {
      case: "a route of the service's own host matching a path",
      objs: [
        dr,
        vs("b", "own", {
          hosts: ["srv"],
          http: [{ match: [{ uri: { prefix: "/v1" } }], route: [routeTo(SRV, 443, "v1")] }],
        }),
      ],
    },
    // A directResponse (or redirect) catch-all is a route the sidecar builds on every port too.
    {
      case: "a header route beside a catch-all directResponse",
      objs: [
        dr,
        vs("b", "own", {
          hosts: ["srv"],
          http: [
            { match: [{ headers: { canary: { exact: "1" } } }], route: [routeTo(SRV, 443, "v1")] },
            { directResponse: { status: 403 } },
          ],
        }),
      ],
    },
  ])("$case: the calls observed took the route (its port and subset)", ({ objs }) => {
    const s = run([...base, ...objs], sample());
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]),
    ).toEqual([[443, undefined, "ISTIO_MUTUAL"]]);
    expect(s.edges[0]!.predicted.reason).toContain("to subset v1, port 443");
  });

  // The match-based canary (bookinfo's reviews: end-user jason → v2, everyone else → v1): both subsets
  // may take the caller's calls, so each is predicted and the worst shown.
  const matchCanary = vs("b", "reviews", {
    hosts: ["srv"],
    http: [
      { match: [{ headers: { "end-user": { exact: "jason" } } }], route: [routeTo(SRV, 443, "v2")] },
      { route: [routeTo(SRV, 443, "v1")] },
    ],
  });
  it("a match-based canary whose v2 sends plaintext to a STRICT server: broken, naming v2 and the split", () => {
    const s = run([...base, dr, matchCanary, peerAuth("b", "strict", "STRICT")], sample());
    expect(s.edges.map((e) => [e.destination.port, e.predicted.client.tls, e.predicted.verdict])).toEqual([
      [443, "DISABLE", "broken"],
    ]);
    expect(s.edges[0]!.predicted.reason).toContain(
      "(routed by VirtualService b/reviews to subset v2, port 443; the routes lead the calls to subset v2 or subset v1, and this is the worst of them)",
    );
    expect(findingsOf(s, "edge.plaintext-to-strict")).toHaveLength(1);
  });

  it.each<{ case: string; own: KubeObject; tcp?: boolean }>([
    {
      case: "its only route matches a port: calls on the other port keep the default route (the protocol's guess)",
      own: vs("b", "reviews", {
        hosts: ["srv"],
        http: [
          {
            match: [{ port: 443, headers: { "end-user": { exact: "jason" } } }],
            route: [routeTo(SRV, 443, "v2")],
          },
        ],
      }),
    },
    // BuildHTTPRoutesForVirtualService builds no route for a sidecar whose labels the match does not
    // settle ("no routes matched"), so the default route stays for it.
    {
      case: "its only route matches source labels the caller's template does not settle",
      own: vs("b", "reviews", {
        hosts: ["srv"],
        http: [
          {
            match: [{ sourceLabels: { app: "client", version: "canary" } }],
            route: [routeTo(SRV, 443, "v2")],
          },
        ],
      }),
    },
    // A TCP listener keeps a default filter chain when no route catches everything.
    {
      case: "a TCP route matching destinationSubnets",
      own: vs("b", "reviews", {
        hosts: ["srv"],
        tcp: [{ match: [{ destinationSubnets: ["10.0.0.0/8"] }], route: [routeTo(SRV, 443, "v2")] }],
      }),
      tcp: true,
    },
  ])("near miss: $case", ({ own, tcp }) => {
    const s = run(
      [...base, dr, own, peerAuth("b", "strict", "STRICT")],
      sample(tcp ? { request_protocol: "tcp" } : {}),
    );
    // The protocol's guess (80 for HTTP, 443 for TCP) and the default cluster's top-level DISABLE.
    expect(
      s.edges.map((e) => [
        e.destination.port,
        e.predicted.client.tls,
        e.predicted.reason.includes("subset v2"),
      ]),
    ).toEqual([[tcp ? 443 : 80, "DISABLE", false]]);
  });

  it("a route matching a port beside a catch-all: the catch-all is built on every port, so the port-matched route's subset is in the split", () => {
    const own = vs("b", "reviews", {
      hosts: ["srv"],
      http: [
        {
          match: [{ port: 443, headers: { "end-user": { exact: "jason" } } }],
          route: [routeTo(SRV, 443, "v2")],
        },
        { route: [routeTo(SRV, 443, "v1")] },
      ],
    });
    const s = run([...base, dr, own, peerAuth("b", "strict", "STRICT")], sample());
    expect(s.edges.map((e) => [e.destination.port, e.predicted.verdict])).toEqual([[443, "broken"]]);
    expect(s.edges[0]!.predicted.reason).toContain("the routes lead the calls to subset v2 or subset v1");
  });

  it("near miss: the canary's route is for callers in namespace c: the caller's calls take v1 only", () => {
    const own = vs("b", "reviews", {
      hosts: ["srv"],
      http: [
        {
          match: [{ sourceNamespace: "c", headers: { "end-user": { exact: "jason" } } }],
          route: [routeTo(SRV, 443, "v2")],
        },
        { route: [routeTo(SRV, 443, "v1")] },
      ],
    });
    const s = run([...base, dr, own, peerAuth("b", "strict", "STRICT")], sample());
    expect(s.edges.map((e) => [e.destination.port, e.predicted.client.tls, e.predicted.verdict])).toEqual([
      [443, "ISTIO_MUTUAL", "mtls"],
    ]);
    expect(s.edges[0]!.predicted.reason).toContain(
      "(routed by VirtualService b/reviews to subset v1, port 443)",
    );
  });

  // Calls to one port split across subsets: which subset a call took is not in the metrics, so each
  // subset's cluster is predicted and the edge shows the worst (as for several endpoints), naming the split.
  const canary = (w1: number, w2: number, v2 = "v2") =>
    vs("a", "split", {
      hosts: ["api.example.com"],
      http: [
        {
          route: [
            { ...routeTo(SRV, 443, "v1"), weight: w1 },
            { ...routeTo(SRV, 443, v2), weight: w2 },
          ],
        },
      ],
    });
  it.each<{ case: string; objs: KubeObject[]; says: string }>([
    {
      case: "a weighted canary split between subsets v1 and v2 of port 443",
      objs: [canary(90, 10)],
      says: "(routed by VirtualService a/split to subset v2, port 443; the routes lead the calls to subset v1 or subset v2, and this is the worst of them)",
    },
    // Two hosts (one VirtualService for one host is the oldest's alone: see "several VirtualServices for one host").
    {
      case: "two VirtualServices (two hosts) naming port 443 with different subsets",
      objs: [meshVs("to-v1", 443, "v1"), meshVs("to-v2", 443, "v2", { hosts: ["api2.example.com"] })],
      says: "(routed by VirtualService a/to-v2 to subset v2, port 443; the routes lead the calls to subset v1 or subset v2, and this is the worst of them)",
    },
    {
      case: "a route to subset v1 and one to the default cluster (two hosts)",
      objs: [meshVs("to-v1", 443, "v1"), meshVs("to-443", 443, undefined, { hosts: ["api2.example.com"] })],
      says: "(routed by VirtualService a/to-443 to the default cluster of port 443; the routes lead the calls to the default cluster or subset v1, and this is the worst of them)",
    },
  ])(
    "$case: every call went to port 443 (certain); the worst subset (v1 sends Istio mTLS, the other plaintext) is shown",
    ({ objs, says }) => {
      const s = run([...base, dr, ...objs], sample());
      expect(
        s.edges.map((e) => [
          e.destination.port,
          e.observed?.portAmbiguous,
          e.predicted.client.tls,
          e.predicted.verdict,
        ]),
      ).toEqual([[443, undefined, "DISABLE", "plaintext"]]);
      expect(s.edges[0]!.predicted.reason).toContain(says);
    },
  );

  it("a split whose plaintext subset meets a STRICT server: broken, and the finding names the DR and the subset's cluster", () => {
    const s = run([...base, dr, canary(90, 10), peerAuth("b", "strict", "STRICT")], sample());
    expect(s.edges).toHaveLength(1);
    const e = s.edges[0]!;
    expect([e.predicted.client.tls, e.predicted.verdict]).toEqual(["DISABLE", "broken"]);
    expect(e.predicted.reason).toContain(
      "to subset v2, port 443; the routes lead the calls to subset v1 or subset v2",
    );
    const f = only(s, "edge.plaintext-to-strict");
    expect(f.resources).toContainEqual({ kind: "DestinationRule", namespace: "a", name: "srv" });
  });

  // A route to a subset no DR defines names a cluster istiod never builds (subset clusters come only from
  // DR subsets; routes are sent with ValidateClusters off): Envoy answers 503 NC. Unknown, as an empty subset.
  it.each<{ case: string; objs: KubeObject[]; says: string }>([
    {
      case: "a route to subset v9",
      objs: [dr, meshVs("to-v9", 443, "v9")],
      says: "(routed by VirtualService a/to-v9 to subset v9, port 443, but DestinationRule a/srv does not define it); the route names cluster outbound|443|v9|srv.b.svc.cluster.local, which istiod does not build: Envoy has no such cluster and answers 503 (NC, no cluster found).",
    },
    {
      case: "a split between v1 and v9: v9's share is the worst",
      objs: [dr, canary(50, 50, "v9")],
      says: "but DestinationRule a/srv does not define it; the routes lead the calls to subset v1 or subset v9, and this is the worst of them)",
    },
    {
      case: "merged DRs, none defining v9",
      objs: [
        dr,
        destRule(
          "a",
          "srv-more",
          SRV,
          { subsets: [{ name: "v3", labels: { app: "srv" } }] },
          "2099-01-01T00:00:00Z",
        ),
        meshVs("to-v9", 443, "v9"),
      ],
      says: "but none of DestinationRules a/srv, a/srv-more defines it)",
    },
    {
      case: "no DR at all",
      objs: [meshVs("to-v9", 443, "v9")],
      says: "(routed by VirtualService a/to-v9 to subset v9, port 443, but no DestinationRule applies)",
    },
  ])("$case: no such cluster, verdict unknown", ({ objs, says }) => {
    const s = run([...base, ...objs], sample());
    expect(s.edges).toHaveLength(1);
    const e = s.edges[0]!;
    expect([e.destination.port, e.predicted.verdict]).toEqual([443, "unknown"]);
    expect(e.predicted.reason).toContain(says);
    expect(s.findings.filter((f) => f.code.startsWith("edge.")).map((f) => f.code)).toEqual([]);
  });

  // First match wins per caller: a route this caller always takes hides the routes after it, even where
  // other callers reach them (translateRoute makes a match met on source alone a catch-all).
  it.each<{ case: string; first: Record<string, unknown> }>([
    { case: "an earlier route for the caller's namespace", first: { sourceNamespace: "a" } },
    { case: "an earlier route for the caller's labels", first: { sourceLabels: { app: "client" } } },
  ])("$case: the later route's subset is not in the split", ({ first }) => {
    const own = vs("b", "own", {
      hosts: ["srv"],
      http: [{ match: [first], route: [routeTo(SRV, 443, "v1")] }, { route: [routeTo(SRV, 443, "v2")] }],
    });
    const s = run([...base, dr, own, peerAuth("b", "strict", "STRICT")], sample());
    expect(s.edges.map((e) => [e.destination.port, e.predicted.client.tls, e.predicted.verdict])).toEqual([
      [443, "ISTIO_MUTUAL", "mtls"],
    ]);
    expect(s.edges[0]!.predicted.reason).not.toContain("subset v2");
    expect(findingsOf(s, "edge.plaintext-to-strict")).toEqual([]);
  });

  it("near miss: an earlier route for another namespace leaves the later one the caller's (a VirtualService of another host)", () => {
    const other = vs("a", "other", {
      hosts: ["api.example.com"],
      http: [
        { match: [{ sourceNamespace: "c" }], route: [routeTo(SRV, 443, "v1")] },
        { route: [routeTo(SRV, 443, "v2")] },
      ],
    });
    const s = run([...base, dr, other], sample());
    expect(s.edges.map((e) => [e.destination.port, e.predicted.client.tls])).toEqual([[443, "DISABLE"]]);
    expect(s.edges[0]!.predicted.reason).toContain(
      "(routed by VirtualService a/other to subset v2, port 443)",
    );
  });

  it("a destination without weight beside weighted ones carries no calls (proto3's 0), so there is no split", () => {
    const split = vs("a", "split", {
      hosts: ["api.example.com"],
      http: [{ route: [{ ...routeTo(SRV, 443, "v1"), weight: 100 }, routeTo(SRV, 443, "v2")] }],
    });
    const s = run([...base, dr, split, peerAuth("b", "strict", "STRICT")], sample());
    expect(s.edges.map((e) => [e.predicted.client.tls, e.predicted.verdict])).toEqual([
      ["ISTIO_MUTUAL", "mtls"],
    ]);
  });

  it("samples of one caller with two request protocols keep the split", () => {
    const s = run(
      [...base, dr, canary(90, 10), peerAuth("b", "strict", "STRICT")],
      [
        call("a/client", SRV, "mutual_tls", 5),
        call("a/client", SRV, "mutual_tls", 5, { request_protocol: "grpc" }),
      ],
    );
    expect(s.edges.map((e) => [e.destination.port, e.predicted.verdict])).toEqual([[443, "broken"]]);
    expect(s.edges[0]!.predicted.reason).toContain("the routes lead the calls to subset v1 or subset v2");
  });

  it("edge.observed-mismatch on a split says the calls observed may have taken the other subset", () => {
    const s = run(
      [...base, dr, canary(90, 10)],
      [call("a/client", SRV, "mutual_tls", 90), call("a/client", SRV, "none", 10)],
    );
    const f = only(s, "edge.observed-mismatch");
    expect(f.fix).toBe(
      "Only the calls routed to subset v2 are predicted plaintext; those observed may have taken subset v1. Fix the configuration named above for subset v2, or the route's split.",
    );
  });

  it.each<{ case: string; objs: KubeObject[]; tls: string; says: string }>([
    {
      case: "near miss: a weight-0 destination carries no calls, so there is no split",
      objs: [canary(100, 0)],
      tls: "ISTIO_MUTUAL",
      says: "(routed by VirtualService a/split to subset v1, port 443)",
    },
    {
      case: "near miss: both subsets send Istio mTLS: the first is shown",
      objs: [
        destRule("a", "srv", SRV, {
          ...policy({ tls: { mode: "DISABLE" } }),
          subsets: [
            {
              name: "v1",
              labels: { app: "srv" },
              trafficPolicy: { portLevelSettings: [portTls(443, "ISTIO_MUTUAL")] },
            },
            { name: "v2", labels: { app: "srv" }, trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } },
          ],
        }),
        canary(90, 10),
      ],
      tls: "ISTIO_MUTUAL",
      says: "(routed by VirtualService a/split to subset v1, port 443; the routes lead the calls to subset v1 or subset v2, and this is the worst of them)",
    },
  ])("$case", ({ objs, tls, says }) => {
    const s = run(
      [...base, ...(objs.some((o) => o.kind === "DestinationRule") ? [] : [dr]), ...objs],
      sample(),
    );
    expect(s.edges).toHaveLength(1);
    const e = s.edges[0]!;
    expect([e.destination.port, e.predicted.client.tls, e.predicted.verdict]).toEqual([443, tls, "mtls"]);
    expect(e.predicted.reason).toContain(says);
  });

  // Two DRs for one host in one namespace are merged (the oldest's top-level policy, each subset kept
  // with the DR that defined it): the DR named is the one whose text decided.
  describe("merged DestinationRules: the DR named is the one that wrote what decided", () => {
    const older = destRule(
      "a",
      "srv-base",
      SRV,
      { ...policy({ tls: { mode: "ISTIO_MUTUAL" } }), subsets: [{ name: "v1", labels: { app: "srv" } }] },
      "2026-01-01T00:00:00Z",
    );
    const younger = (sub: Record<string, unknown> | undefined) =>
      destRule(
        "a",
        "srv-canary",
        SRV,
        { subsets: [{ name: "v2", labels: { app: "srv" }, ...(sub ? { trafficPolicy: sub } : {}) }] },
        "2026-02-01T00:00:00Z",
      );
    const ref = (name: string) => ({ kind: "DestinationRule", namespace: "a", name });
    it.each([
      {
        case: "the younger DR's subset v2 sets DISABLE: it is named, with the subset",
        objs: [older, younger({ tls: { mode: "DISABLE" } }), meshVs("to-v2", 443, "v2")],
        tls: "DISABLE",
        dr: "srv-canary",
        says: "DestinationRule a/srv-canary sets tls.mode DISABLE in its subset v2's trafficPolicy",
      },
      {
        case: "the younger DR's subset v2 sets a port-level ISTIO_MUTUAL: it is named",
        objs: [
          older,
          younger({ portLevelSettings: [portTls(443, "ISTIO_MUTUAL")] }),
          meshVs("to-v2", 443, "v2"),
        ],
        tls: "ISTIO_MUTUAL",
        dr: "srv-canary",
        says: "DestinationRule a/srv-canary sets tls.mode ISTIO_MUTUAL in its subset v2's portLevelSettings for port 443",
      },
      {
        case: "near miss: subset v2 sets no tls: the older DR's top-level policy decides and is named",
        objs: [older, younger(undefined), meshVs("to-v2", 443, "v2")],
        tls: "ISTIO_MUTUAL",
        dr: "srv-base",
        says: "DestinationRule a/srv-base sets tls.mode ISTIO_MUTUAL in its trafficPolicy",
      },
      {
        case: "near miss: the older DR's own subset v1",
        objs: [older, younger({ tls: { mode: "DISABLE" } }), meshVs("to-v1", 443, "v1")],
        tls: "ISTIO_MUTUAL",
        dr: "srv-base",
        says: "DestinationRule a/srv-base sets tls.mode ISTIO_MUTUAL in its trafficPolicy",
      },
    ])("$case", ({ objs, tls, dr, says }) => {
      const s = run([...base, ...objs], sample());
      expect(s.edges).toHaveLength(1);
      const e = s.edges[0]!;
      expect(e.predicted.client).toEqual({ tls, origin: "destinationrule", destinationRule: ref(dr) });
      expect(e.predicted.reason).toContain(says);
    });

    it("the younger DR's subset v2 leaves port 443 in auto mode (a port entry without tls) and tags the endpoints: the younger DR is named", () => {
      const auto443 = younger({
        tls: { mode: "ISTIO_MUTUAL" },
        portLevelSettings: [{ port: { number: 443 }, connectionPool: { tcp: { maxConnections: 10 } } }],
      });
      const s = run([...base, older, auto443, meshVs("to-v2", 443, "v2")], sample());
      expect(s.edges).toHaveLength(1);
      const e = s.edges[0]!;
      expect(e.predicted.client).toEqual({
        tls: "ISTIO_MUTUAL",
        origin: "auto",
        destinationRule: ref("srv-canary"),
      });
      expect(e.predicted.reason).toContain(
        "because DestinationRule a/srv-canary sets tls.mode ISTIO_MUTUAL in subset v2's trafficPolicy",
      );
    });

    it("the plaintext-to-strict finding names the younger DR and says to fix it there", () => {
      const s = run(
        [
          ...base,
          older,
          younger({ tls: { mode: "DISABLE" } }),
          meshVs("to-v2", 443, "v2"),
          peerAuth("b", "strict", "STRICT"),
        ],
        sample(),
      );
      const f = only(s, "edge.plaintext-to-strict");
      expect(f.resources).toContainEqual(ref("srv-canary"));
      expect(f.resources).not.toContainEqual(ref("srv-base"));
      expect(f.fix).toContain("srv-canary");
    });
  });

  it.each<{ case: string; objs: KubeObject[] }>([
    {
      case: "two VirtualServices (two hosts) routing to ports 443 and 80",
      objs: [meshVs("to-v1", 443, "v1"), meshVs("to-80", 80, "v1", { hosts: ["api2.example.com"] })],
    },
    {
      case: "a port-less route (the HTTP guess, 80) beside a route to 443",
      objs: [
        meshVs("to-v1", 443, "v1"),
        vs("a", "no-port", { hosts: ["x.example.com"], http: [{ route: [routeTo(SRV, undefined, "v2")] }] }),
      ],
    },
    {
      case: "a weight split between 443 and a port-less destination",
      objs: [
        vs("a", "split", {
          hosts: ["api.example.com"],
          http: [
            {
              route: [
                { ...routeTo(SRV, 443, "v1"), weight: 90 },
                { ...routeTo(SRV, undefined, "v2"), weight: 10 },
              ],
            },
          ],
        }),
      ],
    },
  ])("$case: each routed port a candidate, marked ambiguous, no subset applied", ({ objs }) => {
    const s = run([...base, dr, ...objs], sample());
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]).sort(),
    ).toEqual([
      [443, true, "DISABLE"],
      [80, true, "DISABLE"],
    ]);
    for (const e of s.edges) expect(e.predicted.reason).not.toContain("routed by");
  });

  it("a port-less route on a service with several ports: the port called (the protocol's guess), the route's subset", () => {
    const objs = [
      dr,
      vs("a", "no-port", { hosts: ["api.example.com"], http: [{ route: [routeTo(SRV, undefined, "v1")] }] }),
    ];
    const s = run([...base, ...objs], sample());
    expect(s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous])).toEqual([[80, undefined]]);
    // v1 sets tls only for 443: on 80 the DR's top-level DISABLE stands, through the subset's cluster.
    expect(s.edges[0]!.predicted.client.tls).toBe("DISABLE");
    expect(s.edges[0]!.predicted.reason).toContain("(routed by VirtualService a/no-port to subset v1)");
  });

  it("bookinfo: a port-less route to subset v2 of single-port reviews takes the port and v2's DISABLE (plaintext to a STRICT server)", () => {
    const R = host("reviews", "b");
    const objs = [
      injected("a"),
      injected("b"),
      deploy("a", "productpage"),
      deploy("b", "reviews", { ports: [9080] }),
      service("b", "reviews", [{ port: 9080, targetPort: 9080, name: "http" }]),
      peerAuth("b", "strict", "STRICT"),
      destRule("b", "reviews", R, {
        ...policy({ tls: { mode: "ISTIO_MUTUAL" } }),
        subsets: [
          { name: "v1", labels: { app: "reviews" } },
          { name: "v2", labels: { app: "reviews" }, trafficPolicy: { tls: { mode: "DISABLE" } } },
        ],
      }),
      vs("b", "reviews", { hosts: ["reviews"], http: [{ route: [routeTo("reviews", undefined, "v2")] }] }),
    ];
    const s = run(objs, [call("a/productpage", R, "none", 5)]);
    const e = edgeOf(s, "a/productpage", R)!;
    expect([e.destination.port, e.predicted.client.tls]).toEqual([9080, "DISABLE"]);
    expect(e.predicted.reason).toContain(
      "in its subset v2's trafficPolicy (routed by VirtualService b/reviews to subset v2)",
    );
  });

  it("a match on port 8080 of the service's own host (http 80 and http-alt 8080, v1 DISABLE): no call is pinned to 8080, no false plaintext", () => {
    const objs = [
      ...clientAndServer(
        [8080, 9090],
        [
          { port: 80, targetPort: 8080, name: "http" },
          { port: 8080, targetPort: 9090, name: "http-alt" },
        ],
      ),
      destRule("a", "d", SRV, {
        subsets: [{ name: "v1", labels: { app: "srv" }, trafficPolicy: { tls: { mode: "DISABLE" } } }],
      }),
      vs("a", "alt-only", {
        hosts: [SRV],
        http: [{ match: [{ port: 8080 }], route: [routeTo(SRV, 8080, "v1")] }],
      }),
    ];
    const s = run(objs, sample());
    expect(
      s.edges.map((e) => [e.destination.port, e.predicted.client.tls, e.observed?.portAmbiguous]),
    ).toEqual([
      [80, "ISTIO_MUTUAL", true],
      [8080, "ISTIO_MUTUAL", true],
    ]);
    expect(s.findings.filter((f) => f.code.startsWith("edge."))).toEqual([]);
  });

  it.each<{ case: string; match: Record<string, unknown>; objs?: KubeObject[] }>([
    { case: "sourceNamespace the client's", match: { sourceNamespace: "a" } },
    { case: "sourceLabels the client has", match: { sourceLabels: { app: "client" } } },
    { case: "a match naming only the mesh gateway", match: { gateways: ["mesh"] } },
    // sourceMatchHTTP (route.go): a match with gateways is built for the proxies of those gateways whatever
    // its sourceLabels and sourceNamespace.
    {
      case: "a match naming the mesh gateway and labels the client does not carry",
      match: { gateways: ["mesh"], sourceLabels: { app: "other" } },
    },
    {
      case: "a match naming the mesh gateway and another source namespace",
      match: { gateways: ["mesh"], sourceNamespace: "c" },
    },
    { case: "a port match on another host (the egress-gateway pattern)", match: { port: 80 } },
    {
      case: 'defaultVirtualServiceExportTo ".", the VirtualService in the client\'s namespace',
      match: {},
      objs: [meshConfig('defaultVirtualServiceExportTo: ["."]')],
    },
  ])("the route is the client's: $case", ({ match, objs = [] }) => {
    const route = vs("a", "m", {
      hosts: ["api.example.com"],
      http: [{ ...(Object.keys(match).length ? { match: [match] } : {}), route: [routeTo(SRV, 443, "v1")] }],
    });
    const s = run([...base, dr, route, ...objs], sample());
    expect(s.edges.map((e) => [e.destination.port, e.predicted.client.tls])).toEqual([[443, "ISTIO_MUTUAL"]]);
    expect(s.edges[0]!.predicted.reason).toContain("routed by VirtualService a/m to subset v1, port 443");
  });

  it("a route's own exportTo wins over defaultVirtualServiceExportTo", () => {
    const s = run(
      [
        ...base,
        dr,
        meshConfig('defaultVirtualServiceExportTo: ["."]'),
        meshVs("public", 443, "v1", { exportTo: ["*"] }, "b"),
      ],
      sample(),
    );
    expect(s.edges.map((e) => [e.destination.port, e.predicted.client.tls])).toEqual([[443, "ISTIO_MUTUAL"]]);
  });

  it("a weight-0 destination and routes after a catch-all are not where calls go", () => {
    const objs = [
      vs("a", "w", {
        hosts: ["api.example.com"],
        http: [
          {
            route: [
              { ...routeTo(SRV, 443, "v1"), weight: 100 },
              { ...routeTo(SRV, 80, "v2"), weight: 0 },
            ],
          },
        ],
      }),
      vs("a", "catch-all", {
        hosts: ["x.example.com"],
        http: [
          { route: [routeTo(SRV, 443, "v1")] },
          { match: [{ uri: { prefix: "/x" } }], route: [routeTo(SRV, 80)] },
        ],
      }),
    ];
    const s = run([...base, dr, ...objs], sample());
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]),
    ).toEqual([[443, undefined, "ISTIO_MUTUAL"]]);
  });

  it("a gateway's calls do not take mesh routes (its routes are its Gateway's)", () => {
    const gw = deploy("a", "egress", {
      labels: { istio: "egressgateway" },
      containers: ["istio-proxy"],
      ports: [{ port: 15090, name: "http-envoy-prom" }],
    });
    const s = run([...base, dr, gw, meshVs("to-v1", 443, "v1")], [call("a/egress", SRV, "mutual_tls", 5)]);
    expect(s.edges.map((e) => [e.id, e.predicted.client.tls])).toEqual([
      ["a/egress->srv.b.svc.cluster.local:80", "DISABLE"],
    ]);
  });

  it("a subset whose port-level entry has no tls under a top-level ISTIO_MUTUAL: auto mTLS decides", () => {
    const auto = destRule("a", "srv", SRV, {
      ...policy({ tls: { mode: "ISTIO_MUTUAL" } }),
      subsets: [
        { name: "v1", labels: { app: "srv" }, trafficPolicy: { portLevelSettings: [portTls(443, null)] } },
      ],
    });
    const s = run([...base, auto, meshVs("to-v1", 443, "v1")], sample());
    const e = s.edges[0]!;
    expect([e.destination.port, e.predicted.client.tls, e.predicted.client.origin]).toEqual([
      443,
      "ISTIO_MUTUAL",
      "auto",
    ]);
    expect(e.predicted.reason).toContain("routed by VirtualService a/to-v1 to subset v1, port 443");
  });

  // tlsModeForDestinationRule (mtls_checker.go): a subset cluster's endpoints are tagged by the subset's
  // own trafficPolicy only; the DR's top-level mode tags the default cluster's endpoints, not the subset's.
  it.each([
    {
      case: "subset without tls of its own: the top-level DISABLE does not untag its endpoints → auto mTLS by label",
      top: "DISABLE",
      sub: { portLevelSettings: [portTls(443, null)] },
      tls: "ISTIO_MUTUAL",
      why: "auto-mtls",
      verdict: "mtls",
    },
    {
      case: "subset's own top-level DISABLE, its port entry without tls: untagged → plaintext, broken against STRICT",
      top: "ISTIO_MUTUAL",
      sub: { tls: { mode: "DISABLE" }, portLevelSettings: [portTls(443, null)] },
      tls: "DISABLE",
      why: "auto-dr-untagged",
      verdict: "broken",
    },
    {
      case: "near miss, default cluster (no subset routed): the top-level DISABLE untags → plaintext",
      top: "DISABLE",
      sub: null,
      tls: "DISABLE",
      why: "auto-dr-untagged",
      verdict: "broken",
    },
  ])("subset endpoint tagging: $case", ({ top, sub, tls, why, verdict }) => {
    const strict = peerAuth("istio-system", "default", "STRICT");
    const d = destRule("a", "srv", SRV, {
      trafficPolicy: { tls: { mode: top }, portLevelSettings: [portTls(443, null)] },
      subsets: [{ name: "v1", labels: { app: "srv" }, ...(sub ? { trafficPolicy: sub } : {}) }],
    });
    const s = run([...base, strict, d, meshVs("to-v1", 443, sub ? "v1" : undefined)], sample());
    expect(s.edges).toHaveLength(1);
    const e = s.edges[0]!;
    expect([
      e.destination.port,
      e.predicted.client.tls,
      e.predicted.client.origin,
      e.predicted.verdict,
    ]).toEqual([443, tls, "auto", verdict]);
    expect(e.predicted.reason).toContain(
      why === "auto-mtls"
        ? "the endpoints carry security.istio.io/tlsMode=istio"
        : "which removes every endpoint's mTLS tag",
    );
    if (sub && why !== "auto-mtls") expect(e.predicted.reason).toContain("in subset v1's trafficPolicy");
  });

  it("the documented egress-gateway hop: plaintext to the gateway's HTTP port before, the subset's Istio mTLS to 443 now; no edge warning", () => {
    const gwNs = namespace("istio-system");
    const gw = deploy("istio-system", "istio-egressgateway", {
      labels: { istio: "egressgateway" },
      containers: ["istio-proxy"],
      ports: [8080, 8443],
    });
    const gwSvc = service("istio-system", "istio-egressgateway", [
      { port: 80, targetPort: 8080, name: "http2" },
      { port: 443, targetPort: 8443, name: "https" },
    ]);
    const GW = host("istio-egressgateway", "istio-system");
    const gwDr = destRule("a", "egressgateway-for-api", GW, {
      subsets: [{ name: "api", trafficPolicy: { portLevelSettings: [{ ...portTls(443, "ISTIO_MUTUAL") }] } }],
    });
    const objs = [...base, gwNs, gw, gwSvc, gwDr];
    const route = vs("a", "via-egress", {
      hosts: ["api.example.com"],
      gateways: ["mesh", "istio-system/egress"],
      http: [{ match: [{ gateways: ["mesh"], port: 80 }], route: [routeTo(GW, 443, "api")] }],
    });
    const traffic = [call("a/client", GW, "mutual_tls", 5)];
    const before = run(objs, traffic);
    expect(before.edges.map((e) => [e.destination.port, e.predicted.verdict])).toEqual([[80, "plaintext"]]);
    expect(findingsOf(before, "edge.plaintext")).toHaveLength(1);
    const after = run([...objs, route], traffic);
    expect(after.edges.map((e) => [e.destination.port, e.predicted.client.tls, e.predicted.verdict])).toEqual(
      [[443, "ISTIO_MUTUAL", "unknown"]],
    );
    expect(after.findings.filter((f) => f.code.startsWith("edge."))).toEqual([]);
  });
});

describe("fixes name the subset whose tls decided the edge", () => {
  // The DR's top level sends Istio mTLS; the routed subset v3 disables it: editing the top level fixes nothing.
  const dr = destRule("a", "srv", SRV, {
    ...policy({ tls: { mode: "ISTIO_MUTUAL" } }),
    subsets: [{ name: "v3", labels: { app: "srv" }, trafficPolicy: { tls: { mode: "DISABLE" } } }],
  });
  const plain = [call("a/client", SRV, "none", 5)];

  it.each([
    {
      case: "PERMISSIVE server: edge.plaintext",
      extra: [] as KubeObject[],
      code: "edge.plaintext",
      says: "in DestinationRule a/srv (subset v3's trafficPolicy, which the VirtualService route selects)",
    },
    {
      case: "STRICT server: edge.plaintext-to-strict",
      extra: [peerAuth("b", "default", "STRICT")],
      code: "edge.plaintext-to-strict",
      says: "Change DestinationRule a/srv for srv.b.svc.cluster.local (subset v3's trafficPolicy, which the VirtualService route selects) to tls.mode ISTIO_MUTUAL",
    },
  ])("$case", ({ extra, code, says }) => {
    const s = run([...base, dr, meshVs("to-v3", 443, "v3"), ...extra], plain);
    expect(only(s, code).fix).toContain(says);
  });

  it("near miss: without the route the top-level ISTIO_MUTUAL applies, no plaintext finding", () => {
    const s = run([...base, dr], plain);
    expect([...findingsOf(s, "edge.plaintext"), ...findingsOf(s, "edge.plaintext-to-strict")]).toEqual([]);
  });
});

/** The object labelled istio.io/rev. */
const rev = (o: KubeObject, revision: string): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, labels: { ...o.metadata.labels, "istio.io/rev": revision } },
});
/** The object with metadata.creationTimestamp set. */
const aged = (o: KubeObject, creationTimestamp: string): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, creationTimestamp },
});
const OLD = "2024-01-01T00:00:00Z";
const NEW = "2024-06-01T00:00:00Z";
// v1 turns Istio mTLS on for 443, v2 sets no tls: the top-level DISABLE.
const subsetsDr = destRule("a", "srv", SRV, {
  ...policy({ tls: { mode: "DISABLE" } }),
  subsets: [
    {
      name: "v1",
      labels: { app: "srv" },
      trafficPolicy: { portLevelSettings: [portTls(443, "ISTIO_MUTUAL")] },
    },
    { name: "v2", labels: { app: "srv" } },
  ],
});

describe("several VirtualServices for one host: the first the caller sees is used, the others ignored", () => {
  it("reads metadata.creationTimestamp and orders VirtualServices by it, then name, then namespace (sortConfigByCreationTime)", () => {
    const m = buildModel({
      objects: loaded([
        aged(meshVs("b-new", 443), NEW),
        aged(meshVs("z-old", 443), OLD),
        meshVs("same", 80, undefined, {}, "c"),
        meshVs("same", 80),
        aged(meshVs("a-new", 443), NEW),
      ]),
      configDumps: [],
      problems: [],
    });
    const order = [...m.virtualServices]
      .sort((x, y) => x.rank - y.rank)
      .map((v) => [`${v.namespace}/${v.name}`, v.creationTimestamp]);
    expect(order).toEqual([
      ["a/same", ""],
      ["c/same", ""],
      ["a/z-old", OLD],
      ["a/a-new", NEW],
      ["a/b-new", NEW],
    ]);
  });

  it.each<{
    case: string;
    objs: KubeObject[];
    extra?: Record<string, string>;
    port: number;
    tls: string;
    says: string | null;
    ambiguous?: true;
  }>([
    {
      case: "the oldest wins; the newer (first by name) is ignored",
      objs: [aged(meshVs("z-old", 443, "v1"), OLD), aged(meshVs("a-new", 80, "v2"), NEW)],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "routed by VirtualService a/z-old to subset v1, port 443",
    },
    {
      case: "ages swapped: the other one wins",
      objs: [aged(meshVs("z-old", 443, "v1"), NEW), aged(meshVs("a-new", 80, "v2"), OLD)],
      port: 80,
      tls: "DISABLE",
      says: "routed by VirtualService a/a-new to subset v2, port 80",
    },
    {
      case: "equal timestamps: the first by name",
      objs: [aged(meshVs("z", 443, "v1"), OLD), aged(meshVs("a", 80, "v2"), OLD)],
      port: 80,
      tls: "DISABLE",
      says: "routed by VirtualService a/a to subset v2, port 80",
    },
    {
      case: "no timestamps, same name: the first by namespace",
      objs: [meshVs("same", 443, "v1", {}, "a"), meshVs("same", 80, "v2", {}, "c")],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "routed by VirtualService a/same to subset v1, port 443",
    },
    {
      case: "a newer one in another namespace, exported to all, is ignored",
      objs: [
        aged(meshVs("old", 443, "v1"), OLD),
        aged(meshVs("new", 80, "v2", { exportTo: ["*"] }, "c"), NEW),
      ],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService a/old",
    },
    {
      case: "a newer one exported by name to the caller's namespace is ignored behind an older one there",
      objs: [
        aged(meshVs("old", 443, "v1", { exportTo: ["."] }), OLD),
        aged(meshVs("new", 80, "v2", { exportTo: ["a"] }, "c"), NEW),
      ],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService a/old",
    },
    {
      case: "the caller's own namespace's (exportTo \".\") comes before an older public one",
      objs: [
        aged(meshVs("public", 443, "v1", {}, "c"), OLD),
        aged(meshVs("mine", 80, "v2", { exportTo: ["."] }), NEW),
      ],
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/mine",
    },
    {
      case: "one exported by name to the caller's namespace comes before an older public one",
      objs: [
        aged(meshVs("public", 443, "v1", {}, "c"), OLD),
        aged(meshVs("named", 80, "v2", { exportTo: ["a"] }, "d"), NEW),
      ],
      port: 80,
      tls: "DISABLE",
      says: "VirtualService d/named",
    },
    {
      case: "the older one is not exported to the caller: the newer applies",
      objs: [
        aged(meshVs("old", 443, "v1", { exportTo: ["."] }, "c"), OLD),
        aged(meshVs("new", 80, "v2"), NEW),
      ],
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/new",
    },
    {
      case: "the older one's routes are for another source namespace: it claims nothing for this caller",
      objs: [
        aged(
          meshVs("old", 443, "v1", {
            http: [{ match: [{ sourceNamespace: "c" }], route: [routeTo(SRV, 443, "v1")] }],
          }),
          OLD,
        ),
        aged(meshVs("new", 80, "v2"), NEW),
      ],
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/new",
    },
    {
      case: "the older one's route matches a path: it still takes the host, the newer is ignored",
      objs: [
        aged(
          meshVs("old", 443, "v1", {
            http: [{ match: [{ uri: { prefix: "/x" } }], route: [routeTo(SRV, 443, "v1")] }],
          }),
          OLD,
        ),
        aged(meshVs("new", 80, "v2"), NEW),
      ],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService a/old",
    },
    {
      case: "the older one's route matches a port (built or not, by the port called): both are candidates",
      objs: [
        aged(
          meshVs("old", 443, "v1", { http: [{ match: [{ port: 80 }], route: [routeTo(SRV, 443, "v1")] }] }),
          OLD,
        ),
        aged(meshVs("new", 80, "v2"), NEW),
      ],
      port: 0,
      tls: "DISABLE",
      says: null,
      ambiguous: true,
    },
    {
      case: "TCP: the older one's catch-all tcp route hides the newer's",
      objs: [
        aged(meshVs("old", 443, "v1", { http: [], tcp: [{ route: [routeTo(SRV, 443, "v1")] }] }), OLD),
        aged(meshVs("new", 80, "v2", { http: [], tcp: [{ route: [routeTo(SRV, 80, "v2")] }] }), NEW),
      ],
      extra: { request_protocol: "tcp" },
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService a/old",
    },
    {
      case: "an older one with tcp routes only does not hide a newer one's http routes from an HTTP call",
      objs: [
        aged(meshVs("old", 80, "v2", { http: [], tcp: [{ route: [routeTo(SRV, 80, "v2")] }] }), OLD),
        aged(meshVs("new", 443, "v1"), NEW),
      ],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService a/new",
    },
    {
      case: "an older one exported to the caller's namespace by name comes after a newer one of the caller's own namespace (private)",
      objs: [
        aged(meshVs("named", 443, "v1", { exportTo: ["a"] }, "c"), OLD),
        aged(meshVs("mine", 80, "v2", { exportTo: ["."] }), NEW),
      ],
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/mine",
    },
    {
      case: "near miss: both exported by name, the older wins",
      objs: [
        aged(meshVs("named", 443, "v1", { exportTo: ["a"] }, "c"), OLD),
        aged(meshVs("mine", 80, "v2", { exportTo: ["a"] }, "d"), NEW),
      ],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/named",
    },
    // crdclient objectInRevision: an istiod reads only unlabelled objects and its own revision's.
    {
      case: "an older one labelled for another revision is not the caller's istiod's: the newer applies",
      objs: [rev(aged(meshVs("old", 443, "v1", {}, "c"), OLD), "canary"), aged(meshVs("new", 80, "v2"), NEW)],
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/new",
    },
    {
      case: "a route of a VirtualService labelled for another revision is not taken",
      objs: [rev(meshVs("other-rev", 443, "v1"), "canary")],
      port: 80,
      tls: "DISABLE",
      says: null,
    },
    {
      case: "near miss: an older one labelled for the caller's revision (default) still wins",
      objs: [
        rev(aged(meshVs("old", 443, "v1", {}, "c"), OLD), "default"),
        aged(meshVs("new", 80, "v2"), NEW),
      ],
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
    },
  ])("$case", ({ objs, extra = {}, port, tls, says, ambiguous }) => {
    const s = run([...base, subsetsDr, ...objs], sample(extra));
    if (ambiguous) {
      expect(s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous]).sort()).toEqual([
        [443, true],
        [80, true],
      ]);
      return;
    }
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]),
    ).toEqual([[port, undefined, tls]]);
    if (says) expect(s.edges[0]!.predicted.reason).toContain(says);
  });
});

describe("a caller's Sidecar imports the VirtualServices it sees (SelectVirtualServices)", () => {
  // The review's case: c/old (older, public) and a/new (newer) both name srv's own host; c/old sends
  // port 443 subset v1 (ISTIO_MUTUAL), a/new port 80 subset v2 (the DR's DISABLE). The caller's Sidecar
  // decides whether c/old is in its list at all: egress hosts are looked up by the VirtualService's own
  // namespace ("." the caller's) or "*", and match one of its hosts (host.Name.Matches).
  const own = (ns: string, name: string, port: number, subset: string, created: string) =>
    aged(vs(ns, name, { hosts: [SRV], http: [{ route: [routeTo(SRV, port, subset)] }] }), created);
  const rivals = [own("c", "old", 443, "v1", OLD), own("a", "new", 80, "v2", NEW)];
  const plain = [call("a/client", SRV, "none", 5)];

  it.each<{ case: string; sidecar: KubeObject | null; port: number; tls: string; says: string | null }>([
    {
      case: "egress ./* and b/*: c/old is not imported, a/new routes (port 80, plaintext as observed)",
      sidecar: sidecarResource("a", "default", ["./*", "b/*"]),
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/new",
    },
    {
      case: "the root namespace's Sidecar, \".\" the caller's namespace: the same",
      sidecar: sidecarResource("istio-system", "default", ["./*", "b/*"]),
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/new",
    },
    {
      case: "egress c/ another host of c: c/old is not imported",
      sidecar: sidecarResource("a", "default", ["./*", "b/*", "c/other.b.svc.cluster.local"]),
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/new",
    },
    {
      case: "egress b/* only: neither is imported, no route (the protocol's guess, default cluster)",
      sidecar: sidecarResource("a", "default", ["b/*"]),
      port: 80,
      tls: "DISABLE",
      says: null,
    },
    {
      case: "near miss: no Sidecar, c/old (older, public) wins",
      sidecar: null,
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
    },
    {
      case: "near miss: egress */*",
      sidecar: sidecarResource("a", "default", ["*/*"]),
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
    },
    {
      case: "near miss: egress c/* imports c/old",
      sidecar: sidecarResource("a", "default", ["./*", "b/*", "c/*"]),
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
    },
    {
      case: "near miss: egress */ its host",
      sidecar: sidecarResource("a", "default", ["b/*", `*/${SRV}`]),
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
    },
    {
      case: "near miss: egress c/ a wildcard over its host",
      sidecar: sidecarResource("a", "default", ["./*", "b/*", "c/*.b.svc.cluster.local"]),
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
    },
  ])("$case", ({ sidecar, port, tls, says }) => {
    const s = run([...base, subsetsDr, ...rivals, ...(sidecar ? [sidecar] : [])], plain);
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]),
    ).toEqual([[port, undefined, tls]]);
    if (says) expect(s.edges[0]!.predicted.reason).toContain(says);
    else expect(s.edges[0]!.predicted.reason).not.toContain("routed by");
    // Observed plaintext: a mismatch only where Istio's mTLS is predicted.
    expect(findingsOf(s, "edge.observed-mismatch")).toHaveLength(tls === "ISTIO_MUTUAL" ? 1 : 0);
  });
});

describe("a Sidecar's egress listeners are apart: a port-bound one serves only calls to its port (GetEgressListenerForRDS)", () => {
  // The review's case: the port-9999 listener imports c/*, the catch-all does not. Calls to srv's 80/443
  // go through the catch-all (no listener is bound to them), which does not import c/old: a/new routes.
  const own = (ns: string, name: string, port: number, subset: string, created: string) =>
    aged(vs(ns, name, { hosts: [SRV], http: [{ route: [routeTo(SRV, port, subset)] }] }), created);
  const rivals = [own("c", "old", 443, "v1", OLD), own("a", "new", 80, "v2", NEW)];
  const plain = [call("a/client", SRV, "none", 5)];
  const listeners = (...egress: Record<string, unknown>[]): KubeObject => ({
    apiVersion: API,
    kind: "Sidecar",
    metadata: { name: "default", namespace: "a" },
    spec: { egress },
  });
  const bound = (port: number, hosts: string[], protocol = "HTTP") => ({
    port: { number: port, protocol, name: `p${port}` },
    hosts,
  });
  const catchAll = (hosts: string[]) => ({ hosts });

  it.each<{
    case: string;
    sidecar: KubeObject;
    port: number | null;
    tls: string;
    says: string | null;
    mismatch: number;
  }>([
    {
      case: "port 9999 imports c/*, the catch-all does not: a/new routes, no false mismatch",
      sidecar: listeners(bound(9999, ["c/*"]), catchAll(["./*", "b/*", "istio-system/*"])),
      port: 80,
      tls: "DISABLE",
      says: "VirtualService a/new",
      mismatch: 0,
    },
    {
      case: "a listener bound to 443 imports c/*, the catch-all does not: which one applies depends on the port called, not certain",
      sidecar: listeners(bound(443, ["./*", "b/*", "c/*"]), catchAll(["./*", "b/*"])),
      port: null,
      tls: "",
      says: null,
      mismatch: 0,
    },
    {
      case: "near miss: the catch-all imports c/*: c/old routes (443, Istio mTLS, mismatch with the plaintext observed)",
      sidecar: listeners(bound(9999, ["./*"]), catchAll(["./*", "b/*", "c/*"])),
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
      mismatch: 1,
    },
    {
      case: "near miss: listeners bound to both 80 and 443 import c/*: c/old routes whatever the port",
      sidecar: listeners(bound(80, ["b/*", "c/*"]), bound(443, ["b/*", "c/*"]), catchAll(["./*"])),
      port: 443,
      tls: "ISTIO_MUTUAL",
      says: "VirtualService c/old",
      mismatch: 1,
    },
  ])("$case", ({ sidecar, port, tls, says, mismatch }) => {
    const s = run([...base, subsetsDr, ...rivals, sidecar], plain);
    if (port === null) {
      // The route is not certain: no VirtualService is named as the one that routed the calls.
      for (const e of s.edges) expect(e.predicted.reason).not.toContain("routed by");
      return;
    }
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]),
    ).toEqual([[port, undefined, tls]]);
    if (says) expect(s.edges[0]!.predicted.reason).toContain(says);
    expect(findingsOf(s, "edge.observed-mismatch")).toHaveLength(mismatch);
  });

  // Service visibility (predictEdge): the service port predicted is known, so the listener bound to it,
  // else the catch-all, decides whether the service is imported; a port-bound listener imports only
  // the service's port equal to its own (serviceMatchingListenerPort).
  it.each<{ case: string; sidecar: KubeObject; passthrough: boolean }>([
    {
      case: "b/* only on a port-9999 listener: port 80 goes through the catch-all, which does not import srv: passthrough",
      sidecar: listeners(bound(9999, ["b/*"]), catchAll(["./*"])),
      passthrough: true,
    },
    {
      case: "b/* only on a listener bound to 443: port 80 is not imported",
      sidecar: listeners(bound(443, ["b/*"]), catchAll(["./*"])),
      passthrough: true,
    },
    {
      case: "every listener bound to another port, no catch-all: port 80 meets no listener",
      sidecar: listeners(bound(443, ["b/*"])),
      passthrough: true,
    },
    {
      case: "a listener bound to 80 not importing srv hides the catch-all's import of it",
      sidecar: listeners(bound(80, ["./*"]), catchAll(["./*", "b/*"])),
      passthrough: true,
    },
    {
      case: "near miss: a listener bound to 80 imports b/*",
      sidecar: listeners(bound(80, ["b/*"]), catchAll(["./*"])),
      passthrough: false,
    },
    {
      case: "near miss: the catch-all imports b/*, a listener bound to another port does not",
      sidecar: listeners(bound(9999, ["./*"]), catchAll(["./*", "b/*"])),
      passthrough: false,
    },
  ])("$case", ({ sidecar, passthrough }) => {
    const s = run([...base, sidecar], [call("a/client", SRV, "mutual_tls", 5)]);
    const e = s.edges.find((x) => x.id === "a/client->srv.b.svc.cluster.local:80")!;
    expect(e.predicted.reason.includes("PassthroughCluster")).toBe(passthrough);
  });
});

describe("a wildcard VirtualService beside an exact one", () => {
  // TCP: a listener tries the VirtualServices whose host Matches the service's, in order
  // (getConfigsForHost), so an older wildcard one's catch-all comes first; HTTP: the exact domain wins.
  const wild = (created: string, kind: "tcp" | "http") =>
    aged(
      vs("a", "wild", { hosts: ["*.b.svc.cluster.local"], [kind]: [{ route: [routeTo(SRV, 443)] }] }),
      created,
    );
  const exact = (created: string, kind: "tcp" | "http") =>
    aged(vs("a", "exact", { hosts: [SRV], [kind]: [{ route: [routeTo(SRV, 80, "v2")] }] }), created);
  const tcp = sample({ request_protocol: "tcp" });

  it("TCP: an older wildcard one may take the calls first: the exact one is not certain, the protocol's guess and default cluster", () => {
    const s = run([...base, subsetsDr, wild(OLD, "tcp"), exact(NEW, "tcp")], tcp);
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]),
    ).toEqual([[443, undefined, "DISABLE"]]);
    expect(s.edges[0]!.predicted.reason).not.toContain("VirtualService a/exact");
  });

  it.each([
    { case: "TCP, the wildcard one newer", objs: [wild(NEW, "tcp"), exact(OLD, "tcp")], traffic: tcp },
    {
      case: "HTTP, the wildcard one older (the exact domain wins whatever the age)",
      objs: [wild(OLD, "http"), exact(NEW, "http")],
      traffic: sample(),
    },
  ])("near miss: $case: the exact one's route still counts", ({ objs, traffic }) => {
    const s = run([...base, subsetsDr, ...objs], traffic);
    expect(s.edges.map((e) => e.destination.port).sort()).toContain(80);
  });
});

describe("delegate VirtualServices (mergeVirtualServicesIfNeeded)", () => {
  const root = (route: Record<string, unknown>, hosts = ["api.example.com"]) =>
    vs("a", "root", { hosts, http: [{ ...route, delegate: { name: "d", namespace: "b" } }] });
  const delegate = (http: unknown[], extra: Record<string, unknown> = {}, ns = "b") =>
    vs(ns, "d", { http, ...extra });

  it("the root's route becomes the delegate's routes, matches merged (the delegate's fields over the root's, labels merged); the delegate has none of its own", () => {
    const m = buildModel({
      objects: loaded([
        root({ match: [{ sourceNamespace: "a", sourceLabels: { app: "client", tier: "web" } }] }),
        // hasConflict: a delegate match must repeat the root's sourceNamespace (see the near misses).
        delegate([
          {
            match: [{ uri: { prefix: "/x" }, sourceNamespace: "a", sourceLabels: { tier: "web" } }],
            route: [routeTo(SRV, 443, "v1")],
          },
          { route: [routeTo("srv", 80)] },
        ]),
      ]),
      configDumps: [],
      problems: [],
    });
    expect(m.problems).toEqual([]);
    const byName = new Map(m.virtualServices.map((v) => [v.name, v.meshDestinations]));
    const rootMatch = {
      sourceNamespace: "a",
      sourceLabels: { app: "client", tier: "web" },
      opaque: [],
      port: 0,
    };
    expect(byName.get("root")).toEqual([
      {
        fqdn: SRV,
        subset: "v1",
        port: 443,
        kind: "http",
        matches: [
          { sourceNamespace: "a", sourceLabels: { app: "client", tier: "web" }, opaque: ["uri"], port: 0 },
        ],
      },
      // The delegate's destinations are resolved in the delegate's namespace.
      { fqdn: SRV, subset: null, port: 80, kind: "http", matches: [rootMatch] },
    ]);
    expect(byName.get("d")).toEqual([]);
  });

  it.each<{ case: string; objs: KubeObject[] }>([
    {
      case: "a delegate in another namespace",
      objs: [root({}), delegate([{ route: [routeTo(SRV, 443, "v1")] }])],
    },
    {
      case: "delegate.namespace absent: the root's namespace",
      objs: [
        vs("a", "root", { hosts: ["api.example.com"], http: [{ delegate: { name: "d" } }] }),
        delegate([{ route: [routeTo(SRV, 443, "v1")] }], {}, "a"),
      ],
    },
    {
      case: "a delegate of the service's own host, no match",
      objs: [root({}, [SRV]), delegate([{ route: [routeTo(SRV, 443, "v1")] }])],
    },
    {
      case: "a delegate exported to the root's namespace by name",
      objs: [root({}), delegate([{ route: [routeTo(SRV, 443, "v1")] }], { exportTo: ["a"] })],
    },
    {
      case: "a root path match with a delegate path under it (another host: a sample here took it)",
      objs: [
        root({ match: [{ uri: { prefix: "/api" } }] }),
        delegate([{ match: [{ uri: { prefix: "/api/v1" } }], route: [routeTo(SRV, 443, "v1")] }]),
      ],
    },
    // Other calls get 404 NR (the VirtualService has routes for the host), never the default cluster.
    {
      case: "a delegate with a conditional match on the service's own host (the calls that reached it took the route)",
      objs: [
        root({}, [SRV]),
        delegate([{ match: [{ uri: { prefix: "/v1" } }], route: [routeTo(SRV, 443, "v1")] }]),
      ],
    },
  ])("followed: $case; the sample takes the port and subset the delegate names", ({ objs }) => {
    const s = run([...base, subsetsDr, ...objs], sample());
    expect(
      s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous, e.predicted.client.tls]),
    ).toEqual([[443, undefined, "ISTIO_MUTUAL"]]);
    expect(s.edges[0]!.predicted.reason).toContain("routed by VirtualService a/root to subset v1, port 443");
  });

  // crdclient objectInRevision: the caller's istiod never reads a delegate labelled for another
  // revision, so its mergeVirtualServicesIfNeeded drops the root route ("delegate not found").
  it.each<{ case: string; delegateRev: string | null; routed: boolean }>([
    {
      case: "a delegate labelled for another revision (canary): the default caller gets no route",
      delegateRev: "canary",
      routed: false,
    },
    {
      case: "near miss: a delegate labelled for the caller's revision (default)",
      delegateRev: "default",
      routed: true,
    },
    { case: "near miss: an unlabelled delegate", delegateRev: null, routed: true },
  ])("$case", ({ delegateRev, routed }) => {
    const d = delegate([{ route: [routeTo(SRV, 443, "v1")] }]);
    const s = run([...base, subsetsDr, root({}), delegateRev ? rev(d, delegateRev) : d], sample());
    expect(s.edges.map((e) => e.destination.port)).toEqual([routed ? 443 : 80]);
    if (routed) expect(s.edges[0]!.predicted.reason).toContain("routed by VirtualService a/root");
    else expect(s.edges[0]!.predicted.reason).not.toContain("routed by");
  });

  it.each<{ case: string; objs: KubeObject[] }>([
    {
      case: "a missing delegate gives no route",
      objs: [root({}), delegate([{ route: [routeTo(SRV, 443, "v1")] }], {}, "c")],
    },
    {
      case: "a delegate not exported to the root's namespace",
      objs: [root({}), delegate([{ route: [routeTo(SRV, 443, "v1")] }], { exportTo: ["."] })],
    },
    {
      case: "a root match for another source namespace, merged into the delegate's routes",
      objs: [root({ match: [{ sourceNamespace: "c" }] }), delegate([{ route: [routeTo(SRV, 443, "v1")] }])],
    },
    {
      case: "a delegate match that conflicts with the root's (another path) is dropped",
      objs: [
        root({ match: [{ uri: { prefix: "/api" } }] }),
        delegate([{ match: [{ uri: { prefix: "/other" } }], route: [routeTo(SRV, 443, "v1")] }]),
      ],
    },
    {
      case: "a delegate match without the root match's sourceNamespace conflicts with it (hasConflict) and is dropped",
      objs: [
        root({ match: [{ sourceNamespace: "a" }] }),
        delegate([{ match: [{ uri: { prefix: "/x" } }], route: [routeTo(SRV, 443, "v1")] }]),
      ],
    },
    {
      case: 'a delegate match port given as a string ("443") conflicts with the root\'s 80 (portNumber)',
      objs: [
        root({ match: [{ port: 80 }] }),
        delegate([{ match: [{ port: "443" }], route: [routeTo(SRV, 443, "v1")] }]),
      ],
    },
    {
      case: "a delegate's ignoreUriCase true against a root without it conflicts",
      objs: [
        root({ match: [{ uri: { prefix: "/a" } }] }),
        delegate([
          { match: [{ uri: { prefix: "/a/b" }, ignoreUriCase: true }], route: [routeTo(SRV, 443, "v1")] },
        ]),
      ],
    },
    {
      case: "a root bound to a gateway only",
      objs: [
        vs("a", "root", {
          hosts: ["api.example.com"],
          gateways: ["istio-system/egress"],
          http: [{ delegate: { name: "d", namespace: "b" } }],
        }),
        delegate([{ route: [routeTo(SRV, 443, "v1")] }]),
      ],
    },
  ])("near miss: $case; the protocol's guess and the default cluster", ({ objs }) => {
    const s = run([...base, subsetsDr, ...objs], sample());
    expect(s.edges.map((e) => [e.destination.port, e.predicted.client.tls])).toEqual([[80, "DISABLE"]]);
    expect(s.edges[0]!.predicted.reason).not.toContain("routed by");
  });
});

// A subset cluster's load assignment keeps only the endpoints whose labels include the subset's
// (BuildClusterLoadAssignment: `b.subsetLabels.SubsetOf(ep.Labels)`, getSubSetLabels,
// pilot/pkg/xds/endpoints/endpoint_builder.go): an endpoint outside the subset decides nothing there.
describe("a subset cluster holds only the endpoints carrying the subset's labels", () => {
  // srv-v1 is injected; srv-v2 opts out of injection: auto mTLS sends it plaintext.
  const versioned: KubeObject[] = [
    injected("a"),
    injected("b"),
    injected("c"),
    deploy("a", "client"),
    deploy("c", "other"),
    deploy("b", "srv-v1", { labels: { app: "srv", version: "v1" }, ports: [8080] }),
    deploy("b", "srv-v2", {
      labels: { app: "srv", version: "v2", "sidecar.istio.io/inject": "false" },
      ports: [8080],
    }),
    service("b", "srv", [{ port: 80, targetPort: 8080, name: "http" }]),
  ];
  const versionsDr = destRule("a", "srv", SRV, {
    subsets: [
      { name: "v1", labels: { version: "v1" } },
      { name: "v2", labels: { version: "v2" } },
      { name: "both", labels: { app: "srv" } },
      { name: "any" },
      { name: "gone", labels: { version: "v9" } },
    ],
  });
  const edge = (objs: KubeObject[]) => {
    const s = run([...versioned, versionsDr, ...objs], sample());
    expect(s.edges).toHaveLength(1);
    return s.edges[0]!;
  };

  it.each([
    {
      case: "subset v1: only the injected srv-v1",
      subset: "v1",
      tls: "ISTIO_MUTUAL",
      verdict: "mtls",
      says: "b/srv-v1 port 8080 is PERMISSIVE",
    },
    {
      case: "subset v2: only the uninjected srv-v2",
      subset: "v2",
      tls: "DISABLE",
      verdict: "plaintext",
      says: "b/srv-v2 has no proxy",
    },
    // Near misses: every endpoint stays, the worst decides as in the default cluster.
    {
      case: "a subset whose labels both carry",
      subset: "both",
      tls: "DISABLE",
      verdict: "plaintext",
      says: "b/srv-v2 has no proxy",
    },
    {
      case: "a subset without labels",
      subset: "any",
      tls: "DISABLE",
      verdict: "plaintext",
      says: "b/srv-v2 has no proxy",
    },
    {
      case: "a route without subset (the default cluster)",
      subset: undefined,
      tls: "DISABLE",
      verdict: "plaintext",
      says: "b/srv-v2 has no proxy",
    },
  ])("$case → $tls, $verdict", ({ subset, tls, verdict, says }) => {
    const e = edge([meshVs("to-srv", 80, subset)]);
    expect([e.destination.port, e.predicted.client.tls, e.predicted.verdict]).toEqual([80, tls, verdict]);
    expect(e.predicted.reason).toContain(says);
  });

  it("a subset no endpoint carries the labels of gets an empty cluster: the edge claims neither mTLS nor plaintext, and says why", () => {
    const e = edge([meshVs("to-gone", 80, "gone")]);
    expect([e.predicted.client.tls, e.predicted.verdict]).toEqual(["DISABLE", "unknown"]);
    expect(e.predicted.reason).toContain(
      "subset gone of srv.b.svc.cluster.local:80 has no endpoints: none carries its labels version=v9",
    );
    expect(e.predicted.reason).toContain("503, no healthy upstream");
  });

  it("memoised per subset, not per port: a client routed to v1 and one the route is not exported to, in one analysis, each get their own cluster", () => {
    const objs = [...versioned, versionsDr, meshVs("to-v1", 80, "v1", { exportTo: ["."] })];
    for (const order of [
      ["a/client", "c/other"],
      ["c/other", "a/client"],
    ]) {
      const s = run(
        objs,
        order.map((src) => call(src, SRV, "mutual_tls", 5)),
      );
      expect([
        edgeOf(s, "a/client", SRV)?.predicted.verdict,
        edgeOf(s, "c/other", SRV)?.predicted.verdict,
      ]).toEqual(["mtls", "plaintext"]);
    }
  });
});

// istiod matches a subset against the endpoint's augmented labels (AugmentLabels,
// pilot/pkg/serviceregistry/util/label/label.go: locality, cluster, node, network) and against what
// injection adds (canonical name and revision): a label the model cannot see never empties a subset.
describe("a subset on labels istiod or injection adds is not emptied on what the model cannot see", () => {
  const one: KubeObject[] = [
    injected("a"),
    injected("b"),
    deploy("a", "client"),
    deploy("b", "srv-v1", { labels: { app: "srv", version: "v1" }, ports: [8080] }),
    service("b", "srv", [{ port: 80, targetPort: 8080, name: "http" }]),
  ];
  const edge = (labels: Record<string, string>) => {
    const s = run(
      [...one, destRule("a", "srv", SRV, { subsets: [{ name: "s", labels }] }), meshVs("to-s", 80, "s")],
      sample(),
    );
    expect(s.edges).toHaveLength(1);
    return s.edges[0]!;
  };

  it.each<{ case: string; labels: Record<string, string> }>([
    {
      case: "the cluster (AugmentLabels sets it from the cluster ID)",
      labels: { "topology.istio.io/cluster": "Kubernetes" },
    },
    { case: "the zone (from the node)", labels: { "topology.kubernetes.io/zone": "eu-west-1a", app: "srv" } },
    { case: "the node name", labels: { "kubernetes.io/hostname": "node-1" } },
    { case: "the network (the pod sets none)", labels: { "topology.istio.io/network": "net-1" } },
    {
      case: "the canonical revision injection derives from version",
      labels: { "service.istio.io/canonical-revision": "v1" },
    },
    {
      case: "the canonical name (from the Deployment's name when no label gives it)",
      labels: { "service.istio.io/canonical-name": "srv" },
    },
    { case: "the revision label", labels: { "istio.io/rev": "default" } },
  ])("$case → mtls, as without the subset's filter", ({ labels }) => {
    const e = edge(labels);
    expect([e.predicted.client.tls, e.predicted.verdict]).toEqual(["ISTIO_MUTUAL", "mtls"]);
    expect(e.predicted.reason).not.toContain("has no endpoints");
  });

  it.each<{ case: string; labels: Record<string, string>; says: string }>([
    {
      case: "a plain label no pod carries",
      labels: { version: "v9" },
      says: "none carries its labels version=v9",
    },
    {
      case: "a canonical revision other than the one injection derives",
      labels: { "service.istio.io/canonical-revision": "v2" },
      says: "service.istio.io/canonical-revision=v2",
    },
    {
      case: "a known label mismatching next to an unknown one",
      labels: { "topology.istio.io/cluster": "Kubernetes", version: "v9" },
      says: "version=v9",
    },
  ])("near miss: $case still has no endpoints", ({ labels, says }) => {
    const e = edge(labels);
    expect([e.predicted.client.tls, e.predicted.verdict]).toEqual(["DISABLE", "unknown"]);
    expect(e.predicted.reason).toContain("has no endpoints");
    expect(e.predicted.reason).toContain(says);
  });
});
