// input.invalid for WorkloadEntries and ServiceEntries (docs/DECISIONS.md, "Objects Istio's admission
// would reject"): a field the CRD schema or Istio's webhook (ValidateWorkloadEntry,
// ValidateServiceEntry) refuses makes the object a problem naming file, line, object and field, and
// the object is left out; the rest of the mesh is analysed as before. What Istio admits is read as
// istiod reads it, without a problem.
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import { fqdnError, wildcardDomainError } from "../lib/core/model/entrySpecs";
import type { KubeObject } from "../lib/core/model/input";
import { call, deploy, edgeOf, findingsOf, injected, loaded, namespace, only, peerAuth, run } from "./kit";

const API = "networking.istio.io/v1";
const we = (name: string, spec: unknown): KubeObject => ({
  apiVersion: API,
  kind: "WorkloadEntry",
  metadata: { name, namespace: "vm" },
  spec,
});
const se = (name: string, spec: unknown): KubeObject => ({
  apiVersion: API,
  kind: "ServiceEntry",
  metadata: { name, namespace: "vm" },
  spec,
});

/** A correct WorkloadEntry and ServiceEntry, as the malformed ones below start from. */
const WE = { address: "10.0.0.9", labels: { app: "bad" }, serviceAccount: "bad", ports: { "tcp-db": 5432 } };
const SE = {
  hosts: ["bad.vm.internal"],
  location: "MESH_INTERNAL",
  resolution: "STATIC",
  ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
  endpoints: [{ address: "10.0.1.9", serviceAccount: "bad" }],
};

// A sidecar client, a VM behind a ServiceEntry, a STRICT mesh: what must still be analysed.
const DB = "db.vm.internal";
const good: KubeObject[] = [
  injected("shop"),
  deploy("shop", "client"),
  namespace("vm"),
  peerAuth("istio-system", "default", "STRICT"),
  we("db-1", { address: "10.0.0.5", labels: { app: "db" }, serviceAccount: "db", ports: { "tcp-db": 5432 } }),
  se("db", {
    hosts: [DB],
    location: "MESH_INTERNAL",
    resolution: "STATIC",
    ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
    workloadSelector: { labels: { app: "db" } },
  }),
];
const traffic = [call("shop/client", DB, "mutual_tls", 5, { request_protocol: "tcp" })];

interface Row {
  case: string;
  bad: KubeObject;
  field: string;
  /** A part of the message saying what is wrong. */
  reason: string;
}

const weRows: Row[] = [
  { case: "spec that is a list", bad: we("bad", [WE]), field: "spec", reason: "not a mapping" },
  {
    case: "spec.address a number",
    bad: we("bad", { ...WE, address: 10 }),
    field: "spec.address",
    reason: "is 10, not a string",
  },
  {
    case: "spec.address missing (no network either)",
    bad: we("bad", { ...WE, address: undefined }),
    field: "spec.address",
    reason: "is required",
  },
  {
    case: "spec.address neither IP nor FQDN",
    bad: we("bad", { ...WE, address: "10.0.0.300" }),
    field: "spec.address",
    reason: "neither an IP address nor a fully qualified domain name",
  },
  {
    case: "spec.address a relative unix socket",
    bad: we("bad", { ...WE, ports: undefined, address: "unix://var/run/app.sock" }),
    field: "spec.address",
    reason: "not an absolute path",
  },
  {
    case: "spec.address a unix socket with ports",
    bad: we("bad", { ...WE, address: "unix:///var/run/app.sock" }),
    field: "spec.address",
    reason: "must not have ports",
  },
  {
    case: "spec.ports a list",
    bad: we("bad", { ...WE, ports: [{ "tcp-db": 5432 }] }),
    field: "spec.ports",
    reason: "not a mapping of port names to port numbers",
  },
  {
    case: "spec.ports with a non-numeric value",
    bad: we("bad", { ...WE, ports: { http: "eighty" } }),
    field: "spec.ports.http",
    reason: '"eighty" is not a port number (1..65535)',
  },
  {
    case: "spec.ports with a port out of range",
    bad: we("bad", { ...WE, ports: { http: 70000 } }),
    field: "spec.ports.http",
    reason: "70000 is not a port number",
  },
  {
    case: "spec.ports with an invalid port name",
    bad: we("bad", { ...WE, ports: { http_alt: 8080 } }),
    field: "spec.ports.http_alt",
    reason: "not a valid port name",
  },
  {
    case: "spec.labels a list",
    bad: we("bad", { ...WE, labels: ["app=bad"] }),
    field: "spec.labels",
    reason: "not a mapping of label names to values",
  },
  {
    case: "spec.labels with an unquoted number",
    bad: we("bad", { ...WE, labels: { app: "bad", version: 1 } }),
    field: "spec.labels.version",
    reason: 'not a string (quote it: "1")',
  },
  {
    case: "spec.serviceAccount a number",
    bad: we("bad", { ...WE, serviceAccount: 42 }),
    field: "spec.serviceAccount",
    reason: "is 42, not a string",
  },
  {
    case: "spec.serviceAccount a mapping",
    bad: we("bad", { ...WE, serviceAccount: { name: "bad" } }),
    field: "spec.serviceAccount",
    reason: "not a string",
  },
];

const seRows: Row[] = [
  {
    case: "spec.hosts a string",
    bad: se("bad", { ...SE, hosts: "bad.vm.internal" }),
    field: "spec.hosts",
    reason: 'is "bad.vm.internal", not a list of hosts',
  },
  {
    case: "spec.hosts missing",
    bad: se("bad", { ...SE, hosts: undefined }),
    field: "spec.hosts",
    reason: "is required",
  },
  {
    case: "spec.hosts empty",
    bad: se("bad", { ...SE, hosts: [] }),
    field: "spec.hosts",
    reason: "at least one host",
  },
  {
    case: "a host that is not a string",
    bad: se("bad", { ...SE, hosts: ["bad.vm.internal", 7] }),
    field: "spec.hosts[1]",
    reason: "is 7, not a string",
  },
  {
    case: 'the bare wildcard host "*"',
    bad: se("bad", { ...SE, hosts: ["*"] }),
    field: "spec.hosts[0]",
    reason: "bare wildcard",
  },
  {
    case: "a host that is no domain name",
    bad: se("bad", { ...SE, hosts: ["bad_host.vm.internal"] }),
    field: "spec.hosts[0]",
    reason: 'label "bad_host" is not a DNS-1123 label',
  },
  {
    case: "a wildcard host resolved by DNS without endpoints",
    bad: se("bad", { ...SE, hosts: ["*.vm.internal"], resolution: "DNS", endpoints: undefined }),
    field: "spec.hosts[0]",
    reason: "must be a fully qualified domain name",
  },
  {
    case: "spec.location an unknown value",
    bad: se("bad", { ...SE, location: "MESH_INTERNL" }),
    field: "spec.location",
    reason: 'unknown location "MESH_INTERNL" (expected MESH_EXTERNAL, MESH_INTERNAL)',
  },
  {
    case: "spec.resolution an unknown value",
    bad: se("bad", { ...SE, resolution: "STATIK" }),
    field: "spec.resolution",
    reason: 'unknown resolution "STATIK"',
  },
  {
    case: "spec.resolution a number",
    bad: se("bad", { ...SE, resolution: 1 }),
    field: "spec.resolution",
    reason: "unknown resolution 1",
  },
  {
    case: "spec.ports a mapping",
    bad: se("bad", { ...SE, ports: { "tcp-db": 5432 } }),
    field: "spec.ports",
    reason: "not a list of ports",
  },
  {
    case: "a port that is a number",
    bad: se("bad", { ...SE, ports: [5432] }),
    field: "spec.ports[0]",
    reason: "is 5432, not a mapping",
  },
  {
    case: "a port number that is not a number",
    bad: se("bad", { ...SE, ports: [{ number: "abc", name: "tcp-db" }] }),
    field: "spec.ports[0].number",
    reason: '"abc" is not a port number',
  },
  {
    case: "a port without name",
    bad: se("bad", { ...SE, ports: [{ number: 5432, protocol: "TCP" }] }),
    field: "spec.ports[0].name",
    reason: "is required",
  },
  {
    case: "a port number twice",
    bad: se("bad", {
      ...SE,
      ports: [
        { number: 5432, name: "tcp-db" },
        { number: 5432, name: "tcp-b" },
      ],
    }),
    field: "spec.ports[1].number",
    reason: "port 5432 is already defined",
  },
  {
    case: "a targetPort out of range",
    bad: se("bad", { ...SE, ports: [{ number: 5432, name: "tcp-db", targetPort: 0 }] }),
    field: "spec.ports[0].targetPort",
    reason: "0 is not a port number",
  },
  {
    case: "an unknown protocol",
    bad: se("bad", { ...SE, ports: [{ number: 5432, name: "tcp-db", protocol: "POSTGRES" }] }),
    field: "spec.ports[0].protocol",
    reason: 'unsupported protocol "POSTGRES"',
  },
  {
    case: "several hosts on a TCP port (resolution STATIC)",
    bad: se("bad", { ...SE, hosts: ["bad.vm.internal", "bad2.vm.internal"] }),
    field: "spec.ports[0].protocol",
    reason: "TCP cannot serve several hosts",
  },
  {
    case: "spec.workloadSelector a string",
    bad: se("bad", { ...SE, endpoints: undefined, workloadSelector: "app=bad" }),
    field: "spec.workloadSelector",
    reason: "not a mapping",
  },
  {
    case: "a wildcard in the workloadSelector",
    bad: se("bad", { ...SE, endpoints: undefined, workloadSelector: { labels: { app: "*" } } }),
    field: "spec.workloadSelector.labels.app",
    reason: "wildcard is not supported",
  },
  {
    case: "spec.endpoints a mapping",
    bad: se("bad", { ...SE, endpoints: { address: "10.0.1.9" } }),
    field: "spec.endpoints",
    reason: "not a list of endpoints",
  },
  {
    case: "both endpoints and a workloadSelector",
    bad: se("bad", { ...SE, workloadSelector: { labels: { app: "bad" } } }),
    field: "spec.endpoints",
    reason: "only one of workloadSelector or endpoints",
  },
  {
    case: "endpoints without resolution (NONE)",
    bad: se("bad", { ...SE, resolution: undefined }),
    field: "spec.endpoints",
    reason: "cannot be set with resolution NONE (the default",
  },
  {
    case: "two endpoints for DNS_ROUND_ROBIN",
    bad: se("bad", {
      ...SE,
      resolution: "DNS_ROUND_ROBIN",
      endpoints: [{ address: "10.0.1.9" }, { address: "10.0.1.10" }],
    }),
    field: "spec.endpoints",
    reason: "at most one endpoint",
  },
  {
    case: "an endpoint that is not an object",
    bad: se("bad", { ...SE, endpoints: [{ address: "10.0.1.9" }, "10.0.1.10"] }),
    field: "spec.endpoints[1]",
    reason: 'is "10.0.1.10", not a mapping',
  },
  {
    case: "an endpoint address that is a number",
    bad: se("bad", { ...SE, endpoints: [{ address: 10 }] }),
    field: "spec.endpoints[0].address",
    reason: "is 10, not a string",
  },
  {
    case: "a hostname endpoint with resolution STATIC",
    bad: se("bad", { ...SE, endpoints: [{ address: "vm1.corp.example" }] }),
    field: "spec.endpoints[0].address",
    reason: "is not an IP address (resolution STATIC",
  },
  {
    case: "an endpoint without address",
    bad: se("bad", { ...SE, endpoints: [{ serviceAccount: "bad" }] }),
    field: "spec.endpoints[0].address",
    reason: "is required",
  },
  {
    case: "an endpoint port the ServiceEntry does not declare",
    bad: se("bad", { ...SE, endpoints: [{ address: "10.0.1.9", ports: { http: 8080 } }] }),
    field: "spec.endpoints[0].ports.http",
    reason: "is not a port of the ServiceEntry (its ports: tcp-db)",
  },
  {
    case: "endpoint ports a list",
    bad: se("bad", { ...SE, endpoints: [{ address: "10.0.1.9", ports: [5432] }] }),
    field: "spec.endpoints[0].ports",
    reason: "not a mapping of port names",
  },
  {
    case: "endpoint labels a list",
    bad: se("bad", { ...SE, endpoints: [{ address: "10.0.1.9", labels: ["app"] }] }),
    field: "spec.endpoints[0].labels",
    reason: "not a mapping of label names",
  },
  {
    case: "an endpoint serviceAccount that is a list",
    bad: se("bad", { ...SE, endpoints: [{ address: "10.0.1.9", serviceAccount: ["bad"] }] }),
    field: "spec.endpoints[0].serviceAccount",
    reason: "not a string",
  },
];

describe("input.invalid: a WorkloadEntry or ServiceEntry Istio's admission refuses", () => {
  it("the correct mesh alone has no problem (the rows below break one field of a correct object)", () => {
    const s = run([...good, we("bad", WE), se("bad", SE)], traffic);
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(s.workloads.map((w) => w.name)).toContain("bad");
    expect(s.services.map((x) => x.host)).toContain("bad.vm.internal");
  });

  it.each([...weRows, ...seRows])(
    "$bad.kind $case: names file, line, object and field; the object is left out, the rest analysed",
    ({ bad, field, reason }) => {
      const objs = [...good, bad];
      const ref = { kind: bad.kind, namespace: "vm", name: "bad" };
      // The problem as the model records it.
      const m = buildModel({ objects: loaded(objs), configDumps: [], problems: [] });
      expect(m.problems).toEqual([
        {
          file: "test.yaml",
          line: objs.length,
          object: ref,
          field,
          message: expect.stringContaining(`${bad.kind} vm/bad: ${field}: `),
        },
      ]);
      expect(m.problems[0]!.message).toContain(reason);
      // The finding.
      const s = run(objs, traffic);
      const f = only(s, "input.invalid");
      expect(f.severity).toBe("error");
      expect(f.resources).toEqual([ref]);
      expect(f.message).toBe(`test.yaml:${objs.length}: ${m.problems[0]!.message}`);
      expect(f.fix).toContain(field);
      // Left out: no workload, service or endpoint of it.
      expect(s.workloads.filter((w) => w.name === "bad")).toEqual([]);
      expect(s.services.filter((x) => x.name === "bad")).toEqual([]);
      expect(m.serviceEntryEndpoints).toEqual([]);
      // The rest is analysed as before: the VM, its ServiceEntry, the client's edge to it.
      expect(s.workloads.find((w) => w.name === "db-1")).toMatchObject({
        kind: "WorkloadEntry",
        dataplane: "sidecar",
      });
      expect(edgeOf(s, "shop/client", DB)).toMatchObject({
        status: "mtls",
        predicted: { verdict: "mtls" },
        destination: { workloads: ["vm/db-1"] },
      });
      expect(s.findings.filter((x) => x.code !== "input.invalid" && x.severity !== "info")).toEqual([]);
    },
  );
});

describe("what Istio's admission accepts is read as istiod reads it, without a problem", () => {
  const model = (bad: KubeObject) => {
    const m = buildModel({ objects: loaded([...good, bad]), configDumps: [], problems: [] });
    expect(m.problems).toEqual([]);
    return m;
  };
  const entry = (spec: unknown) => model(we("ok", spec)).workloadByKey.get("vm/ok")!;
  const service = (spec: unknown) => model(se("ok", spec)).services.find((x) => x.name === "ok")!;

  it.each([
    {
      case: "a numeric string port (read as its number, as everywhere in the model)",
      spec: { ...WE, ports: { "tcp-db": "5432" } },
      read: { ports: new Map([["tcp-db", 5432]]) },
    },
    {
      case: "null fields are absent (the API server prunes them)",
      spec: { address: "10.0.0.9", labels: null, ports: null, serviceAccount: null },
      read: { ports: new Map(), serviceAccount: "" },
    },
    {
      case: "a null label value is dropped",
      spec: { ...WE, labels: { app: "bad", tier: null } },
      read: { labels: { app: "bad" } },
    },
    {
      case: "no address but a network (an endpoint behind a network gateway)",
      spec: { ...WE, address: undefined, network: "vpc-2" },
      read: { address: "", dnsOnly: false },
    },
    {
      case: "a hostname address (for DNS ServiceEntries)",
      spec: { ...WE, address: "vm1.corp.example." },
      read: { address: "vm1.corp.example.", dnsOnly: true },
    },
    {
      case: "an absolute unix socket without ports",
      spec: { ...WE, ports: undefined, address: "unix:///var/run/app.sock" },
      read: { dnsOnly: true },
    },
    {
      case: "an abstract unix socket",
      spec: { ...WE, ports: undefined, address: "unix://@app" },
      read: { dnsOnly: true },
    },
    {
      case: "an upper-case port name (Istio's DNS-1123 labels allow it)",
      spec: { ...WE, ports: { "TCP-DB": 5432 } },
      read: { ports: new Map([["TCP-DB", 5432]]) },
    },
  ])("WorkloadEntry: $case", ({ spec, read }) => {
    const w = entry(spec);
    const { labels, serviceAccount, ...rest } = read as {
      labels?: Record<string, string>;
      serviceAccount?: string;
    };
    expect(w.entry).toMatchObject(rest);
    if (labels) expect(w.labels).toEqual(labels);
    if (serviceAccount !== undefined) expect(w.serviceAccount).toBe(serviceAccount);
  });

  it.each([
    {
      case: "no location and no resolution (MESH_EXTERNAL, NONE), no endpoints",
      spec: { hosts: ["ok.example.com"], ports: [{ number: 443, name: "tls", protocol: "TLS" }] },
      read: { external: true },
    },
    {
      case: "a lower-case protocol (protocol.Parse ignores case)",
      spec: {
        ...SE,
        hosts: ["ok.vm.internal"],
        ports: [{ number: 80, name: "http", protocol: "http" }],
        endpoints: [{ address: "10.0.1.9" }],
      },
      read: { ports: [{ port: 80, targetPort: 80, protocol: "http", name: "http" }] },
    },
    {
      case: "no protocol (sniffed; read as TCP)",
      spec: { ...SE, hosts: ["ok.vm.internal"], ports: [{ number: 5432, name: "tcp-db" }] },
      read: {
        ports: [{ port: 5432, targetPort: 5432, protocol: "TCP", name: "tcp-db" }],
        sniffedPorts: [5432],
      },
    },
    {
      case: "several hosts on TCP ports with resolution NONE",
      spec: {
        hosts: ["a.example.com", "b.example.com"],
        resolution: "NONE",
        ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
      },
      read: { passthrough: true },
    },
    {
      case: "several hosts on HTTP ports with resolution DNS",
      spec: {
        hosts: ["ok.example.com", "ok2.example.com"],
        resolution: "DNS",
        ports: [{ number: 80, name: "http", protocol: "HTTP" }],
      },
      read: { host: "ok.example.com" },
    },
    {
      case: "a wildcard host resolved by DNS with an endpoint",
      spec: {
        hosts: ["*.ok.example.com"],
        resolution: "DNS",
        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
        endpoints: [{ address: "proxy.example.com" }],
      },
      read: { host: "*.ok.example.com" },
    },
    {
      case: "an empty endpoint list beside a workloadSelector",
      spec: { ...SE, hosts: ["ok.vm.internal"], endpoints: [], workloadSelector: { labels: { app: "db" } } },
      read: { workloads: ["vm/db-1"] },
    },
    {
      case: "a unix socket endpoint with resolution STATIC and one port",
      spec: { ...SE, hosts: ["ok.vm.internal"], endpoints: [{ address: "unix:///var/run/db.sock" }] },
      read: { host: "ok.vm.internal" },
    },
  ])("ServiceEntry: $case", ({ spec, read }) => {
    expect(service(spec)).toMatchObject(read);
  });
});

describe("Istio's domain name checks (agent.ValidateFQDN, ValidateWildcardDomain)", () => {
  it.each([
    ["db.vm.internal", null, null],
    ["istio.io.", null, null],
    ["Upper.Example.COM", null, null],
    ["*.example.com", "label", null],
    ["*-api.example.com", "label", null],
    ["api*.example.com", "label", "label"],
    ["10.0.0.1", "all-numeric", "all-numeric"],
    ["a..b", "label", "label"],
    ["bad_host.example", "label", "label"],
    ["", "empty", "empty"],
    [`${"a".repeat(64)}.example.com`, "label", "label"],
    [`${"a.".repeat(128)}com`, "longer than 255", "longer than 255"],
  ])("%s: FQDN %s, wildcard domain %s", (name, fqdn, wildcard) => {
    const check = (got: string | null, want: string | null) =>
      want === null ? expect(got).toBeNull() : expect(got).toContain(want);
    check(fqdnError(name), fqdn);
    check(wildcardDomainError(name), wildcard);
  });
});
