// Gateway resources decide what a gateway proxy's listener accepts (istio.md §9.9): which Gateways
// select the pod (PushContext.mergeGateways: spec.selector ⊆ pod labels, any namespace while
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE is off), which listener port a server lands on (resolvePorts: the
// Service port `port.number` translated to its targetPort, else the number itself), and which chain a
// client's TLS meets (buildGatewayTCPBasedFilterChains: one plaintext HTTP manager, or one chain per
// TLS server matched by SNI on its hosts). Every case next to its near miss.
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import type { KubeObject } from "../lib/core/model/input";
import { gatewayCell, gatewayListeners } from "../lib/core/resolve/gatewayListener";
import {
  call,
  deploy,
  destRule,
  findingsOf,
  host,
  injected,
  loaded,
  namespace,
  only,
  peerAuth,
  predict,
  run,
  service,
} from "./kit";

type Labels = Record<string, string>;
const EGRESS = host("istio-egressgateway", "istio-system");
const GW_REF = { kind: "Gateway", namespace: "istio-system", name: "egress" };

/** The legacy chart's egress gateway: `proxy router`, labels istio: egressgateway; Service 80→8080, 443→8443. */
const gatewayPod = (labels: Labels = { istio: "egressgateway" }): KubeObject =>
  deploy("istio-system", "istio-egressgateway", {
    labels: { app: "istio-egressgateway", "sidecar.istio.io/inject": "false", ...labels },
    containers: ["istio-proxy"],
    ports: [{ port: 15090, name: "http-envoy-prom" }],
  });
const gatewayService = service(
  "istio-system",
  "istio-egressgateway",
  [
    { port: 80, targetPort: 8080, name: "http2" },
    { port: 443, targetPort: 8443, name: "https" },
  ],
  {
    selector: { app: "istio-egressgateway" },
  },
);

interface ServerSpec {
  port?: number;
  protocol?: string;
  hosts?: string[];
  tls?: Record<string, unknown> | null;
  bind?: string;
}
function gateway(
  name: string,
  servers: ServerSpec[],
  o: { ns?: string; selector?: Labels | null; created?: string } = {},
): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: {
      name,
      namespace: o.ns ?? "istio-system",
      ...(o.created ? { creationTimestamp: o.created } : {}),
    },
    spec: {
      ...(o.selector === null ? {} : { selector: o.selector ?? { istio: "egressgateway" } }),
      // Port names are unique within a Gateway (ValidateGateway refuses a repeated one).
      servers: servers.map((s, i) => ({
        port: { number: s.port ?? 443, name: `p${i}-${s.port ?? 443}`, protocol: s.protocol ?? "HTTPS" },
        hosts: s.hosts ?? ["api.example.com"],
        ...(s.tls ? { tls: s.tls } : {}),
        ...(s.bind ? { bind: s.bind } : {}),
      })),
    },
  };
}
const server = (mode: string | null, extra: ServerSpec = {}): ServerSpec => ({
  ...extra,
  tls: mode
    ? {
        mode,
        ...(mode === "ISTIO_MUTUAL" || mode.includes("PASSTHROUGH") ? {} : { credentialName: "api-cert" }),
      }
    : null,
});

const base = [
  namespace("istio-system"),
  injected("a"),
  peerAuth("istio-system", "default", "STRICT"),
  deploy("a", "web", { ports: [9080] }),
  gatewayPod(),
  gatewayService,
];
/** The client's DestinationRule for the gateway's Service, with the SNI Istio's egress tasks set. */
const drTo = (mode: string | null, sni: string | null = "api.example.com", port = 443) =>
  destRule("a", "to-egress", EGRESS, {
    trafficPolicy: {
      portLevelSettings: [
        { port: { number: port }, ...(mode ? { tls: { mode, ...(sni ? { sni } : {}) } } : {}) },
      ],
    },
  });

const verdictOf = (objs: KubeObject[], port = 443) => predict(objs, "a/web", EGRESS, port).predicted;

describe("client send × Gateway server tls.mode → verdict (the Service port 443 lands on targetPort 8443)", () => {
  it.each([
    // Istio mTLS from the sidecar (DestinationRule ISTIO_MUTUAL, sni = the server's host).
    {
      send: "ISTIO_MUTUAL",
      srv: server("ISTIO_MUTUAL"),
      verdict: "mtls",
      mode: "STRICT",
      says: "Istio mTLS, terminated by Gateway istio-system/egress's server for port 443 (HTTPS, tls.mode ISTIO_MUTUAL)",
    },
    {
      send: "ISTIO_MUTUAL",
      srv: server("SIMPLE"),
      verdict: "broken",
      mode: "DISABLE",
      says: "presents its credentialName certificate, not an Istio workload certificate",
    },
    {
      send: "ISTIO_MUTUAL",
      srv: server("MUTUAL"),
      verdict: "broken",
      mode: "DISABLE",
      says: "presents its credentialName certificate",
    },
    {
      send: "ISTIO_MUTUAL",
      srv: server("OPTIONAL_MUTUAL"),
      verdict: "broken",
      mode: "DISABLE",
      says: "presents its credentialName certificate",
    },
    // PASSTHROUGH chains come from VirtualService tls routes' sniHosts (not read): unknown whatever is sent.
    {
      send: "ISTIO_MUTUAL",
      srv: server("PASSTHROUGH", { protocol: "TLS" }),
      verdict: "unknown",
      mode: "DISABLE",
      says: "forwards TLS by SNI without terminating it, on chains built from the sniHosts of VirtualService tls routes",
    },
    // AUTO_PASSTHROUGH chains match only outbound_.<port>_.<subset>_.<host> SNIs with Istio's ALPNs: a DR sni of a plain host meets none.
    {
      send: "ISTIO_MUTUAL",
      srv: server("AUTO_PASSTHROUGH", { protocol: "TLS" }),
      verdict: "broken",
      mode: "DISABLE",
      says: "takes only Istio mTLS whose SNI is outbound_.<port>_.<subset>_.<host>",
    },
    {
      send: "ISTIO_MUTUAL",
      srv: server(null, { protocol: "HTTP" }),
      verdict: "broken",
      mode: "DISABLE",
      says: "its Istio mTLS meets the plaintext HTTP listener",
    },
    {
      send: "ISTIO_MUTUAL",
      srv: server(null, { protocol: "TCP" }),
      verdict: "unknown",
      mode: "DISABLE",
      says: "passes the bytes on as plain TCP",
    },
    // An HTTP server's tls block (httpsRedirect, the only one validateServer allows there) adds no TLS: one plaintext HTTP manager.
    {
      send: "ISTIO_MUTUAL",
      srv: { protocol: "HTTP", tls: { httpsRedirect: true } },
      verdict: "broken",
      mode: "DISABLE",
      says: "plaintext HTTP listener of Gateway istio-system/egress's server for port 443 (HTTP, tls.httpsRedirect)",
    },
    // Plaintext from the sidecar (DestinationRule DISABLE).
    {
      send: "DISABLE",
      srv: server(null, { protocol: "HTTP" }),
      verdict: "plaintext",
      mode: "DISABLE",
      says: "plaintext passes: Gateway istio-system/egress's server for port 443 (HTTP, no tls) sets no TLS",
    },
    {
      send: "DISABLE",
      srv: server("ISTIO_MUTUAL"),
      verdict: "broken",
      mode: "STRICT",
      says: "every server on that port takes only Istio mTLS",
    },
    {
      send: "DISABLE",
      srv: server("SIMPLE"),
      verdict: "unknown",
      mode: "DISABLE",
      says: "takes only TLS, which the caller's application must originate (the port is declared TLS)",
    },
    // The client proxy's own TLS (DestinationRule SIMPLE / MUTUAL).
    {
      send: "SIMPLE",
      srv: server("SIMPLE"),
      verdict: "tls",
      mode: "DISABLE",
      says: "the gateway terminates it with Gateway istio-system/egress's server",
    },
    {
      send: "SIMPLE",
      srv: server("MUTUAL"),
      verdict: "broken",
      mode: "DISABLE",
      says: "requires a client certificate, which tls.mode SIMPLE does not present",
    },
    {
      send: "MUTUAL",
      srv: server("MUTUAL"),
      verdict: "tls",
      mode: "DISABLE",
      says: "the gateway terminates it",
    },
    {
      send: "SIMPLE",
      srv: server("ISTIO_MUTUAL"),
      verdict: "broken",
      mode: "STRICT",
      says: "requires an Istio client certificate, which tls.mode SIMPLE does not present",
    },
    {
      send: "MUTUAL",
      srv: server("ISTIO_MUTUAL"),
      verdict: "unknown",
      mode: "STRICT",
      says: "takes only client certificates issued by the mesh CA",
    },
    {
      send: "SIMPLE",
      srv: server("PASSTHROUGH", { protocol: "TLS" }),
      verdict: "unknown",
      mode: "DISABLE",
      says: "forwards TLS by SNI without terminating it",
    },
    {
      send: "SIMPLE",
      srv: server("AUTO_PASSTHROUGH", { protocol: "TLS" }),
      verdict: "broken",
      mode: "DISABLE",
      says: "matches the SNI api.example.com it sends",
    },
    {
      send: "MUTUAL",
      srv: server("AUTO_PASSTHROUGH", { protocol: "TLS", hosts: ["*"] }),
      verdict: "broken",
      mode: "DISABLE",
      says: "takes only Istio mTLS whose SNI is outbound_",
    },
    {
      send: "SIMPLE",
      srv: server(null, { protocol: "HTTP" }),
      verdict: "broken",
      mode: "DISABLE",
      says: "its TLS meets the plaintext HTTP listener",
    },
  ])("$send → $srv.protocol $srv.tls.mode: $verdict", ({ send, srv, verdict, mode, says }) => {
    const p = verdictOf([...base, gateway("egress", [srv]), drTo(send)]);
    expect(p.client.tls).toBe(send);
    expect(p.verdict).toBe(verdict);
    expect(p.server).toEqual({ mode, origin: "workload-port", policy: GW_REF });
    expect(p.reason).toContain(
      "istio-system/istio-egressgateway port 8443 is a gateway listener built from Gateway istio-system/egress",
    );
    expect(p.reason).toContain(says);
  });

  it('the SNI picks the chain: the sidecar\'s default SNI (outbound_.443_._.<host>) matches no named host, a "*" server takes any', () => {
    const noSni = [...base, drTo("ISTIO_MUTUAL", null)];
    const miss = verdictOf([...noSni, gateway("egress", [server("ISTIO_MUTUAL")])]);
    expect(miss.verdict).toBe("broken");
    expect(miss.reason).toContain(`matches the SNI outbound_.443_._.${EGRESS} it sends`);
    expect(verdictOf([...noSni, gateway("egress", [server("ISTIO_MUTUAL", { hosts: ["*"] })])]).verdict).toBe(
      "mtls",
    );
    // Exact host before wildcard, wildcard before "*": the SIMPLE server for *.example.com loses to the exact ISTIO_MUTUAL one.
    const two = gateway("egress", [
      server("SIMPLE", { hosts: ["*.example.com"] }),
      server("ISTIO_MUTUAL", { hosts: ["api.example.com"] }),
    ]);
    expect(verdictOf([...base, two, drTo("ISTIO_MUTUAL")]).verdict).toBe("mtls");
    expect(verdictOf([...base, two, drTo("ISTIO_MUTUAL", "www.example.com")]).verdict).toBe("broken");
    // Mixed chains on one port: PERMISSIVE in the contract's terms.
    expect(verdictOf([...base, two, drTo("ISTIO_MUTUAL")]).server.mode).toBe("PERMISSIVE");
  });

  it("auto mTLS: the gateway pods carry no tlsMode=istio, so plaintext meets the ISTIO_MUTUAL-only listener", () => {
    const p = verdictOf([...base, gateway("egress", [server("ISTIO_MUTUAL")])]);
    expect(p.client.tls).toBe("DISABLE");
    expect(p.verdict).toBe("broken");
  });
});

describe("which Gateway applies, and on which port (near misses keep the old unknown)", () => {
  const OLD =
    "port 8443 is a gateway listener, whose TLS comes from its Gateway resource, not PeerAuthentication";
  it.each([
    {
      case: "a Gateway in another namespace selects the pod (scope to namespace off by default)",
      gw: gateway("egress", [server("ISTIO_MUTUAL")], { ns: "a" }),
      verdict: "mtls",
    },
    {
      case: "a Gateway without selector applies to every gateway proxy",
      gw: gateway("egress", [server("ISTIO_MUTUAL")], { selector: null }),
      verdict: "mtls",
    },
    {
      case: "a server on targetPort 8443 itself (no Service port 8443: the number is the listener port)",
      gw: gateway("egress", [server("ISTIO_MUTUAL", { port: 8443 })]),
      verdict: "mtls",
    },
    {
      case: "near miss: the Gateway selects other pods",
      gw: gateway("egress", [server("ISTIO_MUTUAL")], { selector: { istio: "ingressgateway" } }),
      verdict: "unknown",
    },
    {
      case: "near miss: the server is on Service port 80 (targetPort 8080)",
      gw: gateway("egress", [server("ISTIO_MUTUAL", { port: 80 })]),
      verdict: "unknown",
    },
    {
      case: "near miss: the Gateway is labelled for another revision",
      gw: {
        ...gateway("egress", [server("ISTIO_MUTUAL")]),
        metadata: { name: "egress", namespace: "istio-system", labels: { "istio.io/rev": "canary" } },
      },
      verdict: "unknown",
    },
  ])("$case: $verdict", ({ gw, verdict }) => {
    const p = verdictOf([...base, gw, drTo("ISTIO_MUTUAL")]);
    expect(p.verdict).toBe(verdict);
    if (verdict === "unknown") {
      expect(p.reason).toContain(OLD);
      expect(p.server).toEqual({ mode: "NONE", origin: "default", policy: null });
    }
  });

  it("a later server repeating a TLS host on the port is skipped (CheckDuplicates): the older Gateway's decides", () => {
    const older = gateway("older", [server("ISTIO_MUTUAL")], { created: "2026-01-01T00:00:00Z" });
    const newer = gateway("newer", [server("SIMPLE")], { created: "2026-01-02T00:00:00Z" });
    expect(verdictOf([...base, newer, older, drTo("ISTIO_MUTUAL")]).verdict).toBe("mtls");
    expect(
      verdictOf([
        ...base,
        { ...older, metadata: { ...older.metadata, creationTimestamp: "2026-01-03T00:00:00Z" } },
        newer,
        drTo("ISTIO_MUTUAL"),
      ]).verdict,
    ).toBe("broken");
  });

  it("a non-HTTP server after an HTTP one on the same port is rejected (canMergeProtocols): still plaintext HTTP", () => {
    const gw = gateway("egress", [
      server(null, { protocol: "HTTP" }),
      server("ISTIO_MUTUAL", { protocol: "TLS" }),
    ]);
    expect(verdictOf([...base, gw, drTo("DISABLE")]).verdict).toBe("plaintext");
  });

  it("the workload's ports list the Gateway's decision on the port a server lands on, Istio's default elsewhere", () => {
    const s = run([...base, gateway("egress", [server("ISTIO_MUTUAL")])]);
    const w = s.workloads.find((x) => x.name === "istio-egressgateway")!;
    expect(w.mtls).toEqual({ mode: "NONE", origin: "default", policy: null });
    expect(w.ports).toEqual([
      { port: 8080, mode: "NONE", origin: "default", policy: null },
      { port: 8443, mode: "STRICT", origin: "workload-port", policy: GW_REF },
    ]);
  });
});

describe("findings for edges into a gateway listener", () => {
  const traffic = [call("a/web", EGRESS, "unknown", 5, { reporter: "source", request_protocol: "tcp" })];
  it("Istio mTLS to a SIMPLE server: one edge.mtls-to-disable naming the Gateway, with a fix about the Gateway server", () => {
    const s = run([...base, gateway("egress", [server("SIMPLE")]), drTo("ISTIO_MUTUAL")], traffic);
    const f = only(s, "edge.mtls-to-disable");
    expect(f.resources).toContainEqual(GW_REF);
    expect(f.fix).toContain("its listener on port 8443 is built from Gateway istio-system/egress");
    expect(findingsOf(s, "edge.plaintext-to-strict")).toEqual([]);
  });

  it("near miss: the same client to an ISTIO_MUTUAL server: no edge error", () => {
    const s = run([...base, gateway("egress", [server("ISTIO_MUTUAL")]), drTo("ISTIO_MUTUAL")], traffic);
    expect(s.findings.filter((f) => f.code.startsWith("edge.") && f.severity === "error")).toEqual([]);
  });
});

describe("a malformed Gateway is input.invalid naming it; the rest is analysed", () => {
  it.each([
    {
      case: "tls.mode unknown",
      spec: {
        selector: { istio: "egressgateway" },
        servers: [
          { port: { number: 443, name: "p", protocol: "HTTPS" }, hosts: ["*"], tls: { mode: "STRICT" } },
        ],
      },
      field: "spec.servers[0].tls.mode",
    },
    {
      case: "port number out of range",
      spec: { servers: [{ port: { number: 70000, name: "p", protocol: "HTTPS" }, hosts: ["*"] }] },
      field: "spec.servers[0].port.number",
    },
    {
      case: "no protocol",
      spec: { servers: [{ port: { number: 443, name: "p" }, hosts: ["*"] }] },
      field: "spec.servers[0].port.protocol",
    },
    {
      case: "no hosts",
      spec: { servers: [{ port: { number: 443, name: "p", protocol: "HTTPS" } }] },
      field: "spec.servers[0].hosts",
    },
    { case: "servers a mapping", spec: { servers: { port: 443 } }, field: "spec.servers" },
    { case: "selector a list", spec: { selector: ["istio"], servers: [] }, field: "spec.selector" },
    {
      case: "tls a string",
      spec: {
        servers: [{ port: { number: 443, name: "p", protocol: "HTTPS" }, hosts: ["*"], tls: "ISTIO_MUTUAL" }],
      },
      field: "spec.servers[0].tls",
    },
    // validateServer (istio/istio pkg/config/validation): what admission refuses.
    {
      case: "HTTPS without tls",
      spec: { servers: [{ port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: ["*"] }] },
      field: "spec.servers[0].tls",
      says: "server must have TLS settings for HTTPS/TLS protocols",
    },
    {
      case: "TLS without tls",
      spec: { servers: [{ port: { number: 443, name: "tls", protocol: "TLS" }, hosts: ["*"] }] },
      field: "spec.servers[0].tls",
    },
    {
      case: "HTTP with tls.mode ISTIO_MUTUAL",
      spec: {
        servers: [
          {
            port: { number: 80, name: "http", protocol: "HTTP" },
            hosts: ["*"],
            tls: { mode: "ISTIO_MUTUAL" },
          },
        ],
      },
      field: "spec.servers[0].tls",
      says: "server cannot have TLS settings for plain text HTTP ports",
    },
    {
      case: "HTTP with httpsRedirect and a certificate file",
      spec: {
        servers: [
          {
            port: { number: 80, name: "http", protocol: "HTTP" },
            hosts: ["*"],
            tls: { httpsRedirect: true, serverCertificate: "/etc/c.pem" },
          },
        ],
      },
      field: "spec.servers[0].tls",
    },
    {
      case: "TCP with tls",
      spec: {
        servers: [
          {
            port: { number: 443, name: "tcp", protocol: "TCP" },
            hosts: ["*"],
            tls: { mode: "SIMPLE", credentialName: "c" },
          },
        ],
      },
      field: "spec.servers[0].tls",
      says: "server cannot have TLS settings for non HTTPS/TLS ports",
    },
    {
      case: "host empty",
      spec: {
        servers: [
          { port: { number: 443, name: "p", protocol: "HTTPS" }, hosts: [""], tls: { mode: "ISTIO_MUTUAL" } },
        ],
      },
      field: "spec.servers[0].hosts[0]",
    },
    {
      case: "host a/",
      spec: {
        servers: [
          {
            port: { number: 443, name: "p", protocol: "HTTPS" },
            hosts: ["a/"],
            tls: { mode: "ISTIO_MUTUAL" },
          },
        ],
      },
      field: "spec.servers[0].hosts[0]",
    },
    {
      case: "port.number a string",
      spec: {
        servers: [
          {
            port: { number: "443", name: "p", protocol: "HTTPS" },
            hosts: ["*"],
            tls: { mode: "ISTIO_MUTUAL" },
          },
        ],
      },
      field: "spec.servers[0].port.number",
    },
    {
      case: "protocol a number",
      spec: {
        servers: [
          { port: { number: 443, name: "p", protocol: 7 }, hosts: ["*"], tls: { mode: "ISTIO_MUTUAL" } },
        ],
      },
      field: "spec.servers[0].port.protocol",
      says: "must be a string, not 7",
    },
    {
      case: "protocol unknown",
      spec: { servers: [{ port: { number: 443, name: "p", protocol: "QUIC" }, hosts: ["*"] }] },
      field: "spec.servers[0].port.protocol",
    },
    // The CRD schema types every tls field: a wrong type is refused, not read as unset.
    {
      case: "tls.httpsRedirect a string",
      spec: {
        servers: [
          { port: { number: 80, name: "p", protocol: "HTTP" }, hosts: ["*"], tls: { httpsRedirect: "true" } },
        ],
      },
      field: "spec.servers[0].tls.httpsRedirect",
      says: "must be a boolean",
    },
    {
      case: "tls.credentialName a number",
      spec: {
        servers: [
          {
            port: { number: 443, name: "p", protocol: "HTTPS" },
            hosts: ["*"],
            tls: { mode: "SIMPLE", credentialName: 5 },
          },
        ],
      },
      field: "spec.servers[0].tls.credentialName",
      says: "must be a string",
    },
    {
      case: "tls.serverCertificate a number",
      spec: {
        servers: [
          {
            port: { number: 443, name: "p", protocol: "HTTPS" },
            hosts: ["*"],
            tls: { mode: "SIMPLE", serverCertificate: 5 },
          },
        ],
      },
      field: "spec.servers[0].tls.serverCertificate",
      says: "must be a string",
    },
    { case: "spec a string", spec: "x", field: "spec" },
    { case: "spec null", spec: null, field: "spec" },
    { case: "no servers", spec: { servers: [] }, field: "spec.servers" },
    // Istio validates the whole object: a valid first server does not survive a bad second one.
    {
      case: "a valid server beside a bad one",
      spec: {
        selector: { istio: "egressgateway" },
        servers: [
          {
            port: { number: 443, name: "a", protocol: "HTTPS" },
            hosts: ["*"],
            tls: { mode: "SIMPLE", credentialName: "c" },
          },
          { port: { number: 443, name: "b", protocol: "HTTPS" }, hosts: ["x.example.com"] },
        ],
      },
      field: "spec.servers[1].tls",
    },
  ] as { case: string; spec: unknown; field: string; says?: string }[])("$case", ({ spec, field, says }) => {
    const bad: KubeObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: { name: "bad", namespace: "istio-system" },
      spec,
    };
    const good = gateway("egress", [server("ISTIO_MUTUAL")]);
    const objs = [...base, bad, good, drTo("ISTIO_MUTUAL")];
    const m = buildModel({ objects: loaded(objs), configDumps: [], problems: [] });
    const ref = { kind: "Gateway", namespace: "istio-system", name: "bad" };
    expect(m.problems).toEqual([
      expect.objectContaining({
        object: ref,
        field,
        message: expect.stringContaining(`Gateway istio-system/bad: ${field}: ${says ?? ""}`),
      }),
    ]);
    expect(m.gateways.map((g) => g.name)).toEqual(["egress"]);
    const s = run(objs, [
      call("a/web", EGRESS, "unknown", 5, { reporter: "source", request_protocol: "tcp" }),
    ]);
    expect(only(s, "input.invalid").resources).toEqual([ref]);
    expect(s.edges.find((e) => e.destination.port === 443)!.predicted.verdict).toBe("mtls");
  });
});

const DAY1 = { created: "2026-01-01T00:00:00Z" };
const DAY2 = { created: "2026-01-02T00:00:00Z" };
const gwRef = (name: string) => ({ kind: "Gateway", namespace: "istio-system", name });
const edgeErrors = (s: ReturnType<typeof run>) =>
  s.findings.filter((f) => f.code.startsWith("edge.") && f.severity === "error");
const tcpTraffic = [call("a/web", EGRESS, "unknown", 5, { reporter: "source", request_protocol: "tcp" })];

describe("bind: a server with a bind is a listener of its own on that address (mergeGateways keys ServerPort{port, protocol, bind})", () => {
  const bound = gateway("bound", [server("SIMPLE", { bind: "10.0.0.9" })], DAY1);
  const mtls = gateway("mtls", [server("ISTIO_MUTUAL")], DAY2);
  it("an older bound SIMPLE server for the same host neither joins the pod-IP listener nor makes the ISTIO_MUTUAL one a duplicate: mtls, no error", () => {
    const s = run([...base, bound, mtls, drTo("ISTIO_MUTUAL")], tcpTraffic);
    const p = s.edges.find((e) => e.destination.port === 443)!.predicted;
    expect(p.verdict).toBe("mtls");
    expect(p.server).toEqual({ mode: "STRICT", origin: "workload-port", policy: gwRef("mtls") });
    expect(edgeErrors(s)).toEqual([]);
  });
  it("near miss: without the bind the older SIMPLE server takes the host and the newer one is the duplicate: broken", () => {
    const unbound = gateway("bound", [server("SIMPLE")], DAY1);
    expect(verdictOf([...base, unbound, mtls, drTo("ISTIO_MUTUAL")]).verdict).toBe("broken");
  });
  it("a port only bound servers use has no pod-IP listener: the old unknown", () => {
    const p = verdictOf([...base, bound, drTo("ISTIO_MUTUAL")]);
    expect(p.verdict).toBe("unknown");
    expect(p.server).toEqual({ mode: "NONE", origin: "default", policy: null });
  });
});

describe("findings.md codes only where their definition fits the edge's predicted client and server", () => {
  it.each([
    // Istio mTLS whose SNI no chain of an ISTIO_MUTUAL-only (STRICT) listener takes: no code says that.
    {
      case: "ISTIO_MUTUAL, SNI miss, STRICT listener",
      objs: [gateway("egress", [server("ISTIO_MUTUAL")]), drTo("ISTIO_MUTUAL", "www.example.com")],
      mode: "STRICT",
      code: null,
    },
    // The client's own TLS against a DISABLE listener: tls-mismatch is "towards a STRICT Istio server".
    {
      case: "SIMPLE to a MUTUAL server (DISABLE)",
      objs: [gateway("egress", [server("MUTUAL")]), drTo("SIMPLE")],
      mode: "DISABLE",
      code: null,
    },
    {
      case: "SIMPLE to a plaintext HTTP listener (DISABLE)",
      objs: [gateway("egress", [server(null, { protocol: "HTTP" })]), drTo("SIMPLE")],
      mode: "DISABLE",
      code: null,
    },
    // Mixed listener (PERMISSIVE): the *.example.com SIMPLE chain takes www.example.com.
    {
      case: "ISTIO_MUTUAL to the SIMPLE chain of a PERMISSIVE listener",
      objs: [
        gateway("egress", [
          server("SIMPLE", { hosts: ["*.example.com"] }),
          server("ISTIO_MUTUAL", { hosts: ["api.example.com"] }),
        ]),
        drTo("ISTIO_MUTUAL", "www.example.com"),
      ],
      mode: "PERMISSIVE",
      code: null,
    },
    // Near misses: the definitions that fit keep their finding.
    {
      case: "ISTIO_MUTUAL (DR) to a SIMPLE server (DISABLE)",
      objs: [gateway("egress", [server("SIMPLE")]), drTo("ISTIO_MUTUAL")],
      mode: "DISABLE",
      code: "edge.mtls-to-disable",
    },
    {
      case: "SIMPLE to an ISTIO_MUTUAL server (STRICT)",
      objs: [gateway("egress", [server("ISTIO_MUTUAL")]), drTo("SIMPLE")],
      mode: "STRICT",
      code: "edge.tls-mismatch",
    },
    {
      case: "plaintext (DR DISABLE) to an ISTIO_MUTUAL server (STRICT)",
      objs: [gateway("egress", [server("ISTIO_MUTUAL")]), drTo("DISABLE")],
      mode: "STRICT",
      code: "edge.plaintext-to-strict",
    },
  ])("$case → $code", ({ objs, mode, code }) => {
    const s = run([...base, ...objs], tcpTraffic);
    const p = s.edges.find((e) => e.destination.port === 443)!.predicted;
    expect(p.verdict).toBe("broken");
    expect(p.server.mode).toBe(mode);
    expect(p.reason).toContain("Gateway istio-system/egress");
    expect(edgeErrors(s).map((f) => f.code)).toEqual(code ? [code] : []);
  });
});

describe("the Gateway whose chain decided is the one named, not the first Gateway on the port", () => {
  it("SNI www.example.com meets newer-simple's *.example.com chain: the edge and its finding name newer-simple", () => {
    const older = gateway("older-mtls", [server("ISTIO_MUTUAL", { hosts: ["api.example.com"] })], DAY1);
    const newer = gateway("newer-simple", [server("SIMPLE", { hosts: ["*.example.com"] })], DAY2);
    const p = verdictOf([...base, older, newer, drTo("ISTIO_MUTUAL", "www.example.com")]);
    expect(p.verdict).toBe("broken");
    expect(p.server).toEqual({ mode: "PERMISSIVE", origin: "workload-port", policy: gwRef("newer-simple") });
    // Near miss: api.example.com meets older-mtls's chain.
    expect(verdictOf([...base, older, newer, drTo("ISTIO_MUTUAL")]).server.policy).toEqual(
      gwRef("older-mtls"),
    );
  });
  it("on a DISABLE listener the mtls-to-disable finding and its fix name the deciding Gateway; the workload's port entry keeps the first", () => {
    const older = gateway("older-simple", [server("SIMPLE", { hosts: ["api.example.com"] })], DAY1);
    const newer = gateway("newer-mutual", [server("MUTUAL", { hosts: ["*.example.com"] })], DAY2);
    const s = run([...base, older, newer, drTo("ISTIO_MUTUAL", "www.example.com")], tcpTraffic);
    const f = only(s, "edge.mtls-to-disable");
    expect(f.resources).toContainEqual(gwRef("newer-mutual"));
    expect(f.resources).not.toContainEqual(gwRef("older-simple"));
    expect(f.fix).toContain("built from Gateway istio-system/newer-mutual");
    const w = s.workloads.find((x) => x.name === "istio-egressgateway")!;
    expect(w.ports.find((x) => x.port === 8443)!.policy).toEqual(gwRef("older-simple"));
  });
});

describe("PASSTHROUGH and AUTO_PASSTHROUGH chains are not the servers' hosts", () => {
  it("a PASSTHROUGH server whose hosts cover the SNI makes it unknown; one that does not leaves the terminating chain's verdict", () => {
    const gw = (passHosts: string[]) =>
      gateway("egress", [
        server("PASSTHROUGH", { protocol: "TLS", hosts: passHosts }),
        server("ISTIO_MUTUAL", { hosts: ["api.example.com"] }),
      ]);
    expect(verdictOf([...base, gw(["*.internal.example.org"]), drTo("ISTIO_MUTUAL")]).verdict).toBe("mtls");
    expect(
      verdictOf([...base, gw(["*.internal.example.org"]), drTo("ISTIO_MUTUAL", "db.internal.example.org")])
        .verdict,
    ).toBe("unknown");
  });
  it("AUTO_PASSTHROUGH takes the sidecar's outbound_ SNI for a host its hosts cover (unknown: the named service's proxy terminates it); near miss: hosts that do not cover it → broken", () => {
    const auto = (hosts: string[]) =>
      gateway("egress", [server("AUTO_PASSTHROUGH", { protocol: "TLS", hosts })]);
    const p = verdictOf([...base, auto(["*.local"]), drTo("ISTIO_MUTUAL", null)]);
    expect(p.verdict).toBe("unknown");
    expect(p.reason).toContain(
      `forwards the Istio mTLS for SNI outbound_.443_._.${EGRESS} to the service it names`,
    );
    expect(verdictOf([...base, auto(["*.example.com"]), drTo("ISTIO_MUTUAL", null)]).verdict).toBe("broken");
  });
});

describe("SIMPLE/MUTUAL without DestinationRule sni (Envoy's auto SNI may send the request's Host)", () => {
  it('a "*" chain beside an exact-host chain: unknown; near miss: only the "*" chain → its verdict', () => {
    const drNoSni = drTo("SIMPLE", null);
    const mixed = gateway("egress", [
      server("SIMPLE", { hosts: ["*"] }),
      server("MUTUAL", { hosts: ["api.example.com"] }),
    ]);
    expect(verdictOf([...base, mixed, drNoSni]).verdict).toBe("unknown");
    expect(
      verdictOf([...base, gateway("egress", [server("SIMPLE", { hosts: ["*"] })]), drNoSni]).verdict,
    ).toBe("tls");
  });
});

describe("namespace-qualified hosts: CheckDuplicates compares whole hosts, Envoy compares SNI names", () => {
  it("a/x.example.com and b/x.example.com both survive, then Envoy refuses the listener: unknown; near miss: the same a/ host twice → the second is skipped", () => {
    const older = gateway("older", [server("ISTIO_MUTUAL", { hosts: ["a/x.example.com"] })], DAY1);
    const clash = gateway("newer", [server("SIMPLE", { hosts: ["b/x.example.com"] })], DAY2);
    const dup = gateway("newer", [server("SIMPLE", { hosts: ["a/x.example.com"] })], DAY2);
    const p = verdictOf([...base, older, clash, drTo("ISTIO_MUTUAL", "x.example.com")]);
    expect(p.verdict).toBe("unknown");
    expect(p.reason).toContain("Envoy refuses the listener");
    expect(verdictOf([...base, older, dup, drTo("ISTIO_MUTUAL", "x.example.com")]).verdict).toBe("mtls");
  });
});

describe("Istio's east-west gateway: AUTO_PASSTHROUGH on 15443 with the mesh-wide ISTIO_MUTUAL DestinationRule", () => {
  // The multicluster samples' eastwest gateway (samples/multicluster/expose-services.yaml): port 15443, TLS, AUTO_PASSTHROUGH, hosts "*.local".
  const EW = host("istio-eastwestgateway", "istio-system");
  const ewPod = deploy("istio-system", "istio-eastwestgateway", {
    labels: { app: "istio-eastwestgateway", istio: "eastwestgateway", "sidecar.istio.io/inject": "false" },
    containers: ["istio-proxy"],
    ports: [{ port: 15090, name: "http-envoy-prom" }],
  });
  const ewService = service(
    "istio-system",
    "istio-eastwestgateway",
    [{ port: 15443, targetPort: 15443, name: "tls" }],
    { selector: { app: "istio-eastwestgateway" } },
  );
  const ewGateway = (hosts: string[]) =>
    gateway("cross-network-gateway", [server("AUTO_PASSTHROUGH", { port: 15443, protocol: "TLS", hosts })], {
      selector: { istio: "eastwestgateway" },
    });
  const meshDr = destRule("istio-system", "default", "*.local", {
    trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
  });
  const ewTraffic = [call("a/web", EW, "unknown", 5, { reporter: "source", request_protocol: "tcp" })];

  // builtAutoPassthroughFilterChains (pilot/pkg/networking/core/gateway.go) builds a chain on the cluster SNI of every service the hosts cover; "*" covers all.
  it.each([{ hosts: ["*"] }, { hosts: ["*.local"] }, { hosts: ["istio-system/*"] }, { hosts: ["*/*"] }])(
    "hosts $hosts: the sidecar's outbound_ SNI meets an AUTO_PASSTHROUGH chain: unknown, no edge error",
    ({ hosts }) => {
      const s = run([...base, ewPod, ewService, ewGateway(hosts), meshDr], ewTraffic);
      const p = s.edges.find((e) => e.destination.port === 15443)!.predicted;
      expect(p.client.tls).toBe("ISTIO_MUTUAL");
      expect(p.verdict).toBe("unknown");
      expect(p.reason).toContain(
        `forwards the Istio mTLS for SNI outbound_.15443_._.${EW} to the service it names`,
      );
      expect(edgeErrors(s)).toEqual([]);
    },
  );

  it("Istio mTLS whose SNI is not known (a client Handshake computes no SNI for) towards AUTO_PASSTHROUGH: unknown, never broken; near miss: a known SNI no host covers stays broken", () => {
    const m = buildModel({
      objects: loaded([...base, ewPod, ewService, ewGateway(["*"])]),
      configDumps: [],
      problems: [],
    });
    const w = m.workloads.find((x) => x.name === "istio-eastwestgateway")!;
    const l = gatewayListeners(m, w, [{ port: 15443, targetPort: 15443 }]).get(15443)!;
    expect(l.sniDependent).toBe(true);
    const c = gatewayCell("ISTIO_MUTUAL", l, "", true);
    expect(c.verdict).toBe("unknown");
    expect(c.symptom).toContain("the SNI this client sends is not known");
    expect(gatewayCell("ISTIO_MUTUAL", l, "api.example.com", true).verdict).toBe("broken");
  });

  it("near miss: hosts that do not cover the service (*.example.com): broken", () => {
    const p = run([...base, ewPod, ewService, ewGateway(["*.example.com"]), meshDr], ewTraffic).edges.find(
      (e) => e.destination.port === 15443,
    )!.predicted;
    expect(p.verdict).toBe("broken");
  });
});

describe("Gateway host admission (validateSidecarOrGatewayHostnamePart(host, isGateway=true), pkg/config/validation/agent/validation.go)", () => {
  const problemsFor = (hosts: string[]) => {
    const gw = gateway("hosts", [server("ISTIO_MUTUAL", { hosts })]);
    return buildModel({ objects: loaded([...base, gw]), configDumps: [], problems: [] }).problems;
  };
  it.each([
    // "Gateway allows IP as the host string": a name ValidateWildcardDomain refuses but that parses as an IP address.
    "10.0.0.5",
    "ns/10.1.2.3",
    "*/192.168.1.1",
    // IPv6 only with a dot (an embedded IPv4 address): the short-name check refuses names without one.
    "::ffff:10.0.0.5",
    // validateDNS1123Labels reads the top-level label before dropping a final empty one: "123." has an empty top level.
    "foo.123.",
    "api.example.com.",
    "*.example.com",
    "*",
    "ns/*",
  ])("accepts %s", (h) => {
    expect(problemsFor([h])).toEqual([]);
  });
  it.each([
    { h: "::1", says: "short names" },
    { h: "2001:db8::5", says: "short names" },
    { h: "foo", says: "short names" },
    { h: "ns/foo", says: "short names" },
    { h: "10.0.0.256", says: "cannot be all-numeric" },
    { h: "foo.123", says: "cannot be all-numeric" },
    // ValidatePartialWildCard: a host with "*" is "*" or starts with "*." (IsWildcardDNS1123Label's "*foo" and "*-foo" no longer pass).
    { h: "*foo.com", says: "partial wildcard" },
    { h: "*-foo.com", says: "partial wildcard" },
    { h: "ns/*foo.com", says: "partial wildcard" },
  ])("refuses $h ($says)", ({ h, says }) => {
    expect(problemsFor([h])).toEqual([
      expect.objectContaining({ field: "spec.servers[0].hosts[0]", message: expect.stringContaining(says) }),
    ]);
  });
});

describe("a unix-socket bind takes port number 0 (validateServerPort / validateServerBind, pkg/config/validation/validation.go)", () => {
  const unixGateway = (port: Record<string, unknown>): KubeObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "uds", namespace: "istio-system" },
    spec: {
      selector: { istio: "egressgateway" },
      servers: [
        { port, bind: "unix:///var/run/gw.sock", hosts: ["*"] },
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["api.example.com"],
          tls: { mode: "ISTIO_MUTUAL" },
        },
      ],
    },
  });
  const modelOf = (gw: KubeObject) =>
    buildModel({ objects: loaded([...base, gw]), configDumps: [], problems: [] });
  it.each([{ port: { number: 0, name: "uds", protocol: "HTTP" } }])(
    "port $port.number with bind unix://…: admitted, its other servers kept; the socket server builds no pod-IP listener",
    ({ port }) => {
      const m = modelOf(unixGateway(port));
      expect(m.problems).toEqual([]);
      expect(m.gateways.map((g) => g.servers.length)).toEqual([2]);
      expect(verdictOf([...base, unixGateway(port), drTo("ISTIO_MUTUAL")]).verdict).toBe("mtls");
    },
  );
  it.each([
    {
      case: "a unix bind with a port number",
      port: { number: 8080, name: "uds", protocol: "HTTP" },
      bind: "unix:///var/run/gw.sock",
      says: "port number must be 0 for unix domain socket",
    },
    {
      case: "port 0 without a unix bind",
      port: { number: 0, name: "p", protocol: "HTTP" },
      bind: "",
      says: "1..65535",
    },
    // The webhook reads an absent number as 0, but the CRD requires port.number and refuses it first.
    {
      case: "a unix bind without a port number (CRD: number required)",
      port: { name: "uds", protocol: "HTTP" },
      bind: "unix:///var/run/gw.sock",
      says: "is required",
    },
  ])("refused: $case", ({ port, bind, says }) => {
    const gw = unixGateway(port);
    (gw.spec as { servers: Record<string, unknown>[] }).servers[0]!.bind = bind;
    expect(modelOf(gw).problems).toEqual([
      expect.objectContaining({
        field: "spec.servers[0].port.number",
        message: expect.stringContaining(says),
      }),
    ]);
  });
});

describe('"*/*" beside other hosts: sanitizeServerHostNamespace makes the hosts ["*"] before GetSNIHostsForServer', () => {
  it("no false SNI clash with another server's exact host: its \"*\" chain takes other SNIs (mtls); near miss: the exact host meets the other server's chain", () => {
    const star = gateway("star", [server("ISTIO_MUTUAL", { hosts: ["*/*", "x/api.example.com"] })], DAY1);
    const exact = gateway("exact", [server("SIMPLE", { hosts: ["api.example.com"] })], DAY2);
    const www = verdictOf([...base, star, exact, drTo("ISTIO_MUTUAL", "www.example.com")]);
    expect(www.verdict).toBe("mtls");
    expect(www.server.policy).toEqual(gwRef("star"));
    const api = verdictOf([...base, star, exact, drTo("ISTIO_MUTUAL", "api.example.com")]);
    expect(api.verdict).toBe("broken");
    expect(api.server.policy).toEqual(gwRef("exact"));
  });
});

describe("edge.plaintext at a gateway: the mesh's door for callers outside it, and HTTPS redirects", () => {
  // The gateway Service's port 80 (targetPort 8080) is an HTTP server: bookinfo-gateway's pattern.
  const http80 = (tls?: Record<string, unknown>) =>
    gateway("front", [{ port: 80, protocol: "HTTP", hosts: ["*"], ...(tls ? { tls } : {}) }]);
  const edge80 = (objs: KubeObject[], src: string | null) => {
    const s = run([...base, ...objs], [call(src, EGRESS, "none", 5)]);
    const e = s.edges.find((x) => x.destination.port === 80)!;
    return { verdict: e.predicted.verdict, warned: findingsOf(s, "edge.plaintext").map((f) => f.edge) };
  };

  it.each([
    {
      case: "a caller outside the mesh on a Gateway server without TLS: plaintext by the Gateway's choice, no warning",
      objs: [http80()],
      src: null,
      warned: false,
    },
    {
      case: "a proxy-less pod on a Gateway server without TLS: no warning either",
      objs: [namespace("plain"), deploy("plain", "curl"), http80()],
      src: "plain/curl",
      warned: false,
    },
    {
      case: "a meshed caller on an HTTP server that only redirects (httpsRedirect): the 301 is all plaintext carries",
      objs: [http80({ httpsRedirect: true })],
      src: "a/web",
      warned: false,
    },
    {
      case: "near miss: a meshed caller on an HTTP server without redirect: an in-mesh hop in plaintext warns",
      objs: [http80()],
      src: "a/web",
      warned: true,
    },
  ])("$case", ({ objs, src, warned }) => {
    const r = edge80(objs, src);
    expect(r.verdict).toBe("plaintext");
    expect(r.warned.length > 0).toBe(warned);
  });

  it("near miss: a redirecting server beside one that serves plaintext on the same port still warns", () => {
    const both = gateway("front", [
      { port: 80, protocol: "HTTP", hosts: ["a.example.com"], tls: { httpsRedirect: true } },
      { port: 80, protocol: "HTTP", hosts: ["b.example.com"] },
    ]);
    expect(edge80([both], "a/web").warned.length).toBe(1);
  });
});
