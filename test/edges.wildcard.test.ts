// Observed hosts that only a wildcard ServiceEntry covers (docs/DECISIONS.md, "Edges and telemetry"):
// the ServiceEntry's ports, location and DestinationRule apply; the edge keeps the observed host.
import { describe, expect, it } from "vitest";
import { buildEdges } from "../lib/core/edges/buildEdges";
import { buildModel } from "../lib/core/model/buildModel";
import { wildcardServiceFor } from "../lib/core/model/services";
import { createResolver } from "../lib/core/resolve/resolver";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  findingsOf,
  injected,
  loaded,
  namespace,
  only,
  run,
  serviceEntry,
  sidecarResource,
} from "./kit";

const WILD = serviceEntry("ext", "wild-example", ["*.example.com"], { ports: [443], resolution: "NONE" });
const base: KubeObject[] = [
  injected("a"),
  deploy("a", "client"),
  deploy("a", "other"),
  namespace("ext"),
  WILD,
];

/** A TCP call as the client's proxy reports it (a MESH_EXTERNAL destination has no reporting proxy). */
const out = (src: string, host: string, value = 1): TrafficSample =>
  call(src, host, "unknown", value, { reporter: "source", request_protocol: "tcp" });

/** DR in ext for `host`: top-level DISABLE, port 443 SIMPLE (a port entry replaces the whole policy). */
const portLevelSimple = (host: string) =>
  destRule("ext", "wild-tls", host, {
    trafficPolicy: {
      tls: { mode: "DISABLE" },
      portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }],
    },
  });

interface Row {
  name: string;
  objs: KubeObject[];
  host: string;
  want: {
    id: string;
    destination: { namespace: string; service: string; host: string; port: number };
    client: {
      tls: string;
      origin: string;
      destinationRule: { kind: string; namespace: string; name: string } | null;
    };
    verdict: string;
  };
}

const meshExternal = { tls: "DISABLE", origin: "mesh-external", destinationRule: null };

const rows: Row[] = [
  {
    name: "a host under the wildcard: the ServiceEntry's one port, its name and namespace, the observed host in id and destination",
    objs: base,
    host: "api.example.com",
    want: {
      id: "a/client->api.example.com:443",
      destination: { namespace: "ext", service: "wild-example", host: "api.example.com", port: 443 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "any depth under the wildcard (host.Name.SubsetOf is a plain suffix test)",
    objs: base,
    host: "a.b.example.com",
    want: {
      id: "a/client->a.b.example.com:443",
      destination: { namespace: "ext", service: "wild-example", host: "a.b.example.com", port: 443 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "an exact host wins over the wildcard",
    objs: [...base, serviceEntry("ext", "api", ["api.example.com"], { ports: [8443] })],
    host: "api.example.com",
    want: {
      id: "a/client->api.example.com:8443",
      destination: { namespace: "ext", service: "api", host: "api.example.com", port: 8443 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "the most specific wildcard wins (longest suffix)",
    objs: [
      ...base,
      serviceEntry("ext", "wild-eu", ["*.eu.example.com"], { ports: [8443], resolution: "NONE" }),
    ],
    host: "api.eu.example.com",
    want: {
      id: "a/client->api.eu.example.com:8443",
      destination: { namespace: "ext", service: "wild-eu", host: "api.eu.example.com", port: 8443 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "a less specific wildcard still covers what the more specific one does not",
    objs: [
      ...base,
      serviceEntry("ext", "wild-eu", ["*.eu.example.com"], { ports: [8443], resolution: "NONE" }),
    ],
    host: "api.us.example.com",
    want: {
      id: "a/client->api.us.example.com:443",
      destination: { namespace: "ext", service: "wild-example", host: "api.us.example.com", port: 443 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "the DR for the wildcard host applies, port-level 443 SIMPLE over top-level DISABLE: the proxy originates TLS",
    objs: [...base, portLevelSimple("*.example.com")],
    host: "api.example.com",
    want: {
      id: "a/client->api.example.com:443",
      destination: { namespace: "ext", service: "wild-example", host: "api.example.com", port: 443 },
      client: {
        tls: "SIMPLE",
        origin: "destinationrule",
        destinationRule: { kind: "DestinationRule", namespace: "ext", name: "wild-tls" },
      },
      verdict: "tls",
    },
  },
  {
    name: "a wider wildcard DR (*.com) applies too, as MostSpecificHostMatch takes it for the *.example.com cluster",
    objs: [...base, portLevelSimple("*.com")],
    host: "api.example.com",
    want: {
      id: "a/client->api.example.com:443",
      destination: { namespace: "ext", service: "wild-example", host: "api.example.com", port: 443 },
      client: {
        tls: "SIMPLE",
        origin: "destinationrule",
        destinationRule: { kind: "DestinationRule", namespace: "ext", name: "wild-tls" },
      },
      verdict: "tls",
    },
  },
  {
    name: "a DR for the observed host itself does not apply: the cluster is the ServiceEntry's, looked up by *.example.com",
    objs: [...base, portLevelSimple("api.example.com")],
    host: "api.example.com",
    want: {
      id: "a/client->api.example.com:443",
      destination: { namespace: "ext", service: "wild-example", host: "api.example.com", port: 443 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "Istio's own telemetry names the ServiceEntry's host (cluster metadata): an exact match, as before",
    objs: base,
    host: "*.example.com",
    want: {
      id: "a/client->*.example.com:443",
      destination: { namespace: "ext", service: "wild-example", host: "*.example.com", port: 443 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "near miss: *.example.com does not cover example.com itself, which stays unknown on port 0",
    objs: base,
    host: "example.com",
    want: {
      id: "a/client->example.com:0",
      destination: { namespace: "", service: "example", host: "example.com", port: 0 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
  {
    name: "near miss: a host under no wildcard stays unknown on port 0",
    objs: base,
    host: "api.example.net",
    want: {
      id: "a/client->api.example.net:0",
      destination: { namespace: "", service: "api", host: "api.example.net", port: 0 },
      client: meshExternal,
      verdict: "unknown",
    },
  },
];

describe("observed hosts covered by a wildcard ServiceEntry", () => {
  it.each(rows)("$name", ({ objs, host, want }) => {
    const s = run(objs, [out("a/client", host, 3)]);
    expect(s.edges).toHaveLength(1);
    const e = s.edges[0]!;
    expect(e.id).toBe(want.id);
    expect(e.destination).toMatchObject(want.destination);
    expect(e.predicted.client).toEqual(want.client);
    expect(e.predicted.verdict).toBe(want.verdict);
    expect(e.observed).toEqual({ mtls: 0, plaintext: 0, unknown: 3 });
    // External destinations get no edge.plaintext, whatever the client sends (contract.md §1.1).
    expect(findingsOf(s, "edge.plaintext")).toEqual([]);
  });

  it("a MESH_INTERNAL wildcard ServiceEntry: no mesh-external shortcut, auto mTLS with no known endpoint", () => {
    const internal = serviceEntry("ext", "wild-internal", ["*.internal.example"], {
      ports: [8080],
      location: "MESH_INTERNAL",
      resolution: "NONE",
    });
    const s = run([...base, internal], [out("a/client", "db.internal.example")]);
    expect(s.edges[0]).toMatchObject({
      id: "a/client->db.internal.example:8080",
      destination: { namespace: "ext", service: "wild-internal", port: 8080 },
      predicted: { client: { tls: "DISABLE", origin: "auto" }, verdict: "unknown" },
    });
  });

  // hostClassification.Matches (pilot/pkg/model/sidecar.go): a service is imported when its host is a
  // SubsetOf an egress host; "*.example.com" is a subset of "*.example.com" or "*.com", not of "api.example.com".
  it.each([
    { egress: "ext/*.example.com", imported: true },
    { egress: "*/*.com", imported: true },
    { egress: "ext/api.example.com", imported: false },
    { egress: "ext/*.api.example.com", imported: false },
  ])("a Sidecar egress host $egress imports the wildcard ServiceEntry: $imported", ({ egress, imported }) => {
    const s = run(
      [...base, sidecarResource("a", "default", [egress], "REGISTRY_ONLY")],
      [out("a/client", "api.example.com")],
    );
    expect(s.edges.map((e) => [e.id, e.destination.service])).toEqual([
      ["a/client->api.example.com:443", "wild-example"],
    ]);
    // Not imported under REGISTRY_ONLY: the calls are dropped (BlackHoleCluster), reported by edge.passthrough.
    expect(s.edges[0]!.predicted.reason.includes("does not import *.example.com")).toBe(!imported);
    expect(findingsOf(s, "edge.passthrough")).toHaveLength(imported ? 0 : 1);
  });

  it("two hosts under one ServiceEntry are two edges; one host's samples add up on one edge per client", () => {
    const s = run(base, [
      out("a/client", "api.example.com", 2),
      out("a/client", "cdn.example.com", 5),
      out("a/client", "api.example.com", 4),
      out("a/other", "api.example.com", 1),
    ]);
    expect(s.edges.map((e) => [e.id, e.destination.service, e.observed!.unknown])).toEqual([
      ["a/client->api.example.com:443", "wild-example", 6],
      ["a/client->cdn.example.com:443", "wild-example", 5],
      ["a/other->api.example.com:443", "wild-example", 1],
    ]);
  });

  it("each observed host has its own port objects, the same for every client; the analysis keeps the ServiceEntry", () => {
    const model = buildModel({ objects: loaded(base), configDumps: [], problems: [] });
    const se = model.serviceByHost.get("*.example.com")!;
    const eas = buildEdges(
      createResolver(model),
      [
        out("a/client", "api.example.com"),
        out("a/other", "api.example.com"),
        out("a/client", "cdn.example.com"),
      ],
      undefined,
      [],
    );
    const of = (src: string, h: string) => eas.find((ea) => ea.edge.id === `${src}->${h}:443`)!;
    expect(of("a/client", "api.example.com").port).toBe(of("a/other", "api.example.com").port);
    expect(of("a/client", "api.example.com").port).not.toBe(of("a/client", "cdn.example.com").port);
    expect(se.ports).not.toContain(of("a/client", "api.example.com").port);
    expect(eas.every((ea) => ea.service === se)).toBe(true);
  });

  it("wildcardServiceFor: exact suffixes only, longest first, never the bare domain", () => {
    const model = buildModel({
      objects: loaded([
        ...base,
        serviceEntry("ext", "wild-eu", ["*.eu.example.com"], { resolution: "NONE" }),
      ]),
      configDumps: [],
      problems: [],
    });
    const name = (h: string) => wildcardServiceFor(model.wildcardServiceBySuffix, h)?.name ?? null;
    expect(
      [
        "x.eu.example.com",
        "x.y.eu.example.com",
        "eu.example.com",
        "x.example.com",
        "example.com",
        "xexample.com",
        "x.example.com.evil",
        "*.x.example.com",
      ].map(name),
    ).toEqual(["wild-eu", "wild-eu", "wild-example", "wild-example", null, null, null, "wild-example"]);
  });
});

describe("dr.host-not-found and wildcard ServiceEntries", () => {
  it("a DR for a host only a wildcard ServiceEntry covers is ignored by Istio: reported, naming the ServiceEntry and the host to write", () => {
    const s = run([...base, portLevelSimple("api.example.com")]);
    const f = only(s, "dr.host-not-found");
    expect(f.resources).toEqual([
      { kind: "DestinationRule", namespace: "ext", name: "wild-tls" },
      { kind: "ServiceEntry", namespace: "ext", name: "wild-example" },
    ]);
    expect(f.message).toMatch(/only through its wildcard host \*\.example\.com/);
    expect(f.fix).toMatch(/host \*\.example\.com/);
  });

  it.each(["*.example.com", "*.com"])(
    "near miss: a DR for %s covers the ServiceEntry's host and is not reported",
    (h) => {
      expect(findingsOf(run([...base, portLevelSimple(h)]), "dr.host-not-found")).toEqual([]);
    },
  );

  it("a host no ServiceEntry covers keeps the plain message", () => {
    const f = only(run([...base, portLevelSimple("api.example.net")]), "dr.host-not-found");
    expect(f.message).toMatch(/matches no Service or ServiceEntry: Istio ignores it/);
    expect(f.resources).toEqual([{ kind: "DestinationRule", namespace: "ext", name: "wild-tls" }]);
  });
});
