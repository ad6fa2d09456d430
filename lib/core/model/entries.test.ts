// WorkloadEntries and ServiceEntries' inline endpoints in the model: the workload each becomes, its
// tlsMode (getTLSModeFromWorkloadEntry), which services select it, and the port it receives.
import { describe, expect, it } from "vitest";
import { createResolver } from "../resolve/resolver";
import { isIpAddress } from "./entrySpecs";
import { buildModel } from "./buildModel";
import type { KubeObject } from "./input";
import type { MeshModel, Service } from "./mesh";

type Labels = Record<string, string>;

const we = (ns: string, name: string, spec: Record<string, unknown>, metaLabels?: Labels): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "WorkloadEntry",
  metadata: { name, namespace: ns, ...(metaLabels ? { labels: metaLabels } : {}) },
  spec,
});

const se = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "ServiceEntry",
  metadata: { name, namespace: ns },
  spec: {
    hosts: [`${name}.example.internal`],
    location: "MESH_INTERNAL",
    resolution: "STATIC",
    ports: [{ number: 80, name: "http", protocol: "HTTP" }],
    ...spec,
  },
});

const svc = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: ns },
  spec: { selector: { app: "vm" }, ports: [{ name: "http", port: 80, targetPort: 8080 }], ...spec },
});

const pod = (ns: string, name: string, labels: Labels): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns },
  spec: { template: { metadata: { labels }, spec: { containers: [{ name: "app" }] } } },
});

const model = (objects: KubeObject[]): MeshModel =>
  buildModel({
    objects: objects.map((object, i) => ({ object, at: { file: "t.yaml", line: i + 1 } })),
    configDumps: [],
    problems: [],
  });
const workload = (m: MeshModel, key: string) => m.workloadByKey.get(key)!;
const endpointKeys = (m: MeshModel, s: Service) =>
  (m.endpointsOf.get(s) ?? []).map(
    (w) => `${w.kind}:${w.namespace}/${w.name}${w.entry?.inline ? `@${w.entry.address}` : ""}`,
  );

describe("a WorkloadEntry is a workload of kind WorkloadEntry", () => {
  it("takes name, namespace, serviceAccount, ports, and spec.labels merged with its own labels (which win), sorted", () => {
    const m = model([
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "vms", labels: { "istio.io/rev": "canary" } },
      },
      we(
        "vms",
        "db-1",
        {
          address: "10.0.0.5",
          labels: { zone: "b", app: "db", tier: "spec" },
          serviceAccount: "db",
          ports: { http: 8080, "tcp-admin": "9000" },
        },
        { tier: "meta" },
      ),
    ]);
    const w = workload(m, "vms/db-1");
    expect(w).toMatchObject({
      kind: "WorkloadEntry",
      namespace: "vms",
      name: "db-1",
      serviceAccount: "db",
      pods: 0,
      livePods: [],
      fromLivePods: false,
      gateway: false,
      hboneTunnel: false,
      optedOut: false,
      hostNetwork: false,
      revision: "canary",
      containerPorts: [
        { port: 8080, name: "http" },
        { port: 9000, name: "tcp-admin" },
      ],
    });
    // ConvertWorkloadEntry: metadata labels take precedence over spec.labels.
    expect(w.labels).toEqual({ app: "db", tier: "meta", zone: "b" });
    expect(Object.keys(w.labels)).toEqual(["app", "tier", "zone"]);
    expect(w.entry).toEqual({
      address: "10.0.0.5",
      ports: new Map([
        ["http", 8080],
        ["tcp-admin", 9000],
      ]),
      dnsOnly: false,
      inline: false,
    });
    expect(m.workloadsByNamespace.get("vms")).toEqual([w]);
    expect(m.namespaces.has("vms")).toBe(true);
  });

  it.each([
    {
      case: "label istio, no serviceAccount",
      spec: { labels: { "security.istio.io/tlsMode": "istio" } },
      tlsMode: "istio",
      dataplane: "sidecar",
    },
    {
      case: "label disabled, with a serviceAccount: the label wins",
      spec: { labels: { "security.istio.io/tlsMode": "disabled" }, serviceAccount: "vm" },
      tlsMode: "disabled",
      dataplane: "none",
    },
    { case: "serviceAccount only", spec: { serviceAccount: "vm" }, tlsMode: "istio", dataplane: "sidecar" },
    { case: "neither", spec: {}, tlsMode: null, dataplane: "none" },
    {
      case: "an empty serviceAccount is none",
      spec: { serviceAccount: "" },
      tlsMode: null,
      dataplane: "none",
    },
    {
      case: "the label among the object's own labels counts too",
      spec: { serviceAccount: "vm" },
      meta: { "security.istio.io/tlsMode": "disabled" },
      tlsMode: "disabled",
      dataplane: "none",
    },
  ])("tlsMode: $case → $tlsMode, data plane $dataplane", ({ spec, meta, tlsMode, dataplane }) => {
    const w = workload(model([we("vms", "vm", { address: "10.0.0.5", ...spec }, meta)]), "vms/vm");
    expect([w.tlsModeLabel, w.dataplane]).toEqual([tlsMode, dataplane]);
  });

  it("an address that is not an IP is for DNS ServiceEntries only (hostnames and unix sockets)", () => {
    const m = model([
      we("v", "ip4", { address: "10.0.0.5" }),
      we("v", "ip6", { address: "fd00::5" }),
      we("v", "host", { address: "vm1.corp.example" }),
      we("v", "uds", { address: "unix:///var/run/app.sock" }),
    ]);
    expect(["ip4", "ip6", "host", "uds"].map((n) => workload(m, `v/${n}`).entry!.dnsOnly)).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it("a Deployment and a WorkloadEntry of the same name are both workloads; a telemetry name finds the Deployment", () => {
    const m = model([
      we("a", "api", { address: "10.0.0.5", serviceAccount: "vm" }),
      pod("a", "api", { app: "api" }),
    ]);
    expect(m.workloads.map((w) => w.kind)).toEqual(["Deployment", "WorkloadEntry"]);
    expect(workload(m, "a/api").kind).toBe("Deployment");
  });

  it("a WorkloadEntry of another API group is not read", () => {
    const m = model([{ ...we("a", "x", { address: "10.0.0.5" }), apiVersion: "example.com/v1" }]);
    expect(m.workloads).toEqual([]);
  });
});

describe("which services select a WorkloadEntry (serviceentry controller, kube WorkloadInstanceHandler)", () => {
  const vm = we("v", "vm", { address: "10.0.0.5", labels: { app: "vm" }, serviceAccount: "vm" });
  const hostVm = we("v", "named", {
    address: "vm.corp.example",
    labels: { app: "vm" },
    serviceAccount: "vm",
  });
  const other = we("w", "vm", { address: "10.0.0.6", labels: { app: "vm" }, serviceAccount: "vm" });
  it.each([
    {
      case: "a ServiceEntry's workloadSelector in its namespace (STATIC: IP addresses only)",
      obj: se("v", "s", { workloadSelector: { labels: { app: "vm" } } }),
      endpoints: ["WorkloadEntry:v/vm"],
    },
    {
      case: "a DNS ServiceEntry takes hostname addresses too",
      obj: se("v", "s", { resolution: "DNS", workloadSelector: { labels: { app: "vm" } } }),
      endpoints: ["WorkloadEntry:v/named", "WorkloadEntry:v/vm"],
    },
    {
      case: "a ClusterIP Service selecting its labels (PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES)",
      obj: svc("v", "s", {}),
      endpoints: ["WorkloadEntry:v/vm"],
    },
    {
      case: "not a headless Service (only ClientSideLB services get them)",
      obj: svc("v", "s", { clusterIP: "None" }),
      endpoints: [],
    },
    {
      case: "not an ExternalName Service",
      obj: svc("v", "s", { type: "ExternalName", externalName: "x.example.com" }),
      endpoints: [],
    },
    {
      case: "not a ServiceEntry whose selector does not match",
      obj: se("v", "s", { workloadSelector: { labels: { app: "other" } } }),
      endpoints: [],
    },
    {
      case: "not an empty workloadSelector (Match is false for no labels)",
      obj: se("v", "s", { workloadSelector: { labels: {} } }),
      endpoints: [],
    },
  ])("$case", ({ obj, endpoints }) => {
    const m = model([vm, hostVm, other, obj]);
    const s = m.services[0]!;
    expect(endpointKeys(m, s)).toEqual(endpoints);
    // Selected WorkloadEntries are listed as the service's workloads (snapshot `services[].workloads`).
    expect(s.workloads).toEqual(endpoints.map((e) => e.split(":")[1]));
  });
});

describe("a ServiceEntry's inline endpoints", () => {
  const endpoints = [
    { address: "10.0.1.1", serviceAccount: "legacy", labels: { app: "legacy" }, ports: { http: 9080 } },
    { address: "10.0.1.2", labels: { app: "legacy", "security.istio.io/tlsMode": "istio" } },
    { address: "10.0.1.3" },
  ];

  it("are endpoints of every host, with a WorkloadEntry's tlsMode, but no snapshot workloads", () => {
    const m = model([
      pod("z", "app", { app: "z" }),
      se("v", "legacy", { hosts: ["a.example.internal", "b.example.internal"], endpoints }),
    ]);
    expect(m.workloads.map((w) => w.name)).toEqual(["app"]);
    expect(
      m.serviceEntryEndpoints.map((w) => [
        w.kind,
        w.namespace,
        w.name,
        w.entry!.address,
        w.entry!.inline,
        w.tlsModeLabel,
        w.dataplane,
        w.index,
      ]),
    ).toEqual([
      ["ServiceEntry", "v", "legacy", "10.0.1.1", true, "istio", "sidecar", 1],
      ["ServiceEntry", "v", "legacy", "10.0.1.2", true, "istio", "sidecar", 2],
      ["ServiceEntry", "v", "legacy", "10.0.1.3", true, null, "none", 3],
    ]);
    for (const s of m.services) {
      expect(m.endpointsOf.get(s)).toEqual(m.serviceEntryEndpoints);
      expect(s.workloads).toEqual([]);
    }
    // The resolver has memo slots for them.
    const r = createResolver(m);
    expect(m.serviceEntryEndpoints.map((w) => r.serverDecision(w, 9080).mode)).toEqual([
      "PERMISSIVE",
      "PERMISSIVE",
      "NONE",
    ]);
  });

  it("with a workloadSelector as well, the ServiceEntry is refused (Istio's admission: only one of them), not read with its selector", () => {
    const m = model([
      we("v", "vm", { address: "10.0.0.5", labels: { app: "vm" } }),
      se("v", "legacy", { endpoints, workloadSelector: { labels: { app: "vm" } } }),
    ]);
    expect([m.serviceEntryEndpoints, m.services]).toEqual([[], []]);
    expect(m.problems.map((p) => [p.object, p.field])).toEqual([
      [{ kind: "ServiceEntry", namespace: "v", name: "legacy" }, "spec.endpoints"],
    ]);
    // With an empty endpoint list the selector applies.
    const ok = model([
      we("v", "vm", { address: "10.0.0.5", labels: { app: "vm" } }),
      se("v", "legacy", { endpoints: [], workloadSelector: { labels: { app: "vm" } } }),
    ]);
    expect(endpointKeys(ok, ok.services[0]!)).toEqual(["WorkloadEntry:v/vm"]);
  });
});

describe("the port an entry receives a service port on (convertEndpoint, serviceInstanceFromWorkloadInstance)", () => {
  const ports = { http: 9080, web: 7070 };
  it.each([
    {
      case: "ServiceEntry: spec.ports under the service port's name",
      obj: se("v", "s", { ports: [{ number: 80, name: "http", targetPort: 8080 }] }),
      target: 9080,
    },
    {
      case: "ServiceEntry: else its targetPort",
      obj: se("v", "s", { ports: [{ number: 80, name: "other", targetPort: 8080 }] }),
      target: 8080,
    },
    {
      case: "ServiceEntry: else its number",
      obj: se("v", "s", { ports: [{ number: 80, name: "other" }] }),
      target: 80,
    },
    {
      case: "Service: spec.ports under the service port's name beats a numeric targetPort",
      obj: svc("v", "s", { ports: [{ name: "http", port: 80, targetPort: 8080 }] }),
      target: 9080,
    },
    {
      case: "Service: else the numeric targetPort",
      obj: svc("v", "s", { ports: [{ name: "grpc", port: 80, targetPort: 8080 }] }),
      target: 8080,
    },
    {
      case: "Service: a named targetPort is looked up in spec.ports",
      obj: svc("v", "s", { ports: [{ name: "http", port: 80, targetPort: "web" }] }),
      target: 7070,
    },
    {
      case: "Service: a named targetPort missing from spec.ports makes no endpoint",
      obj: svc("v", "s", { ports: [{ name: "http", port: 80, targetPort: "admin" }] }),
      target: null,
    },
  ])("$case", ({ obj, target }) => {
    const m = model([
      we("v", "vm", { address: "10.0.0.5", labels: { app: "vm" }, ports }),
      obj.kind === "ServiceEntry"
        ? { ...obj, spec: { ...(obj.spec as object), workloadSelector: { labels: { app: "vm" } } } }
        : obj,
    ]);
    const s = m.services[0]!;
    expect(createResolver(m).targetPortOf(s, s.ports[0]!, workload(m, "v/vm"))).toBe(target);
  });
});

describe("isIpAddress (netip.ParseAddr's forms)", () => {
  it.each([
    ["10.0.0.5", true],
    ["255.255.255.255", true],
    ["256.0.0.1", false],
    ["10.0.0.05", false],
    ["10.0.0", false],
    ["fd00::5", true],
    ["::", true],
    ["::1", true],
    ["2001:db8:0:0:0:0:0:1", true],
    ["2001:db8:0:0:0:0:1", false],
    ["2001:db8::0:0:0:0:0:1", false],
    ["1:2:3::4:5::6", false],
    ["::ffff:10.0.0.5", true],
    ["fe80::1%eth0", true],
    ["fe80::1%", false],
    ["vm1.corp.example", false],
    ["12345::", false],
    ["", false],
  ])("%s → %s", (s, ok) => {
    expect(isIpAddress(s)).toBe(ok);
  });
});

describe("entry revisions", () => {
  // A default tag (MutatingWebhookConfiguration istio-revision-tag-default → canary): an unlabelled
  // WorkloadEntry and an unlabelled inline endpoint are both served by the canary istiod, whose
  // revisioned PeerAuthentications then apply to them alike.
  const defaultTag: KubeObject = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: {
      name: "istio-revision-tag-default",
      labels: { "istio.io/tag": "default", "istio.io/rev": "canary" },
    },
  };
  const entries = (extra: KubeObject[]) =>
    model([
      ...extra,
      we("v", "vm-1", { address: "10.0.2.1", labels: { app: "db" } }),
      se("v", "legacy", {
        hosts: ["a.example.internal"],
        endpoints: [{ address: "10.0.1.1", labels: { app: "legacy" } }],
      }),
    ]);

  it("an unlabelled WorkloadEntry and inline endpoint both take the default tag's revision", () => {
    const m = entries([defaultTag]);
    expect(
      [...m.workloads.filter((w) => w.kind === "WorkloadEntry"), ...m.serviceEntryEndpoints].map((w) => [
        w.kind,
        w.revision,
      ]),
    ).toEqual([
      ["WorkloadEntry", "canary"],
      ["ServiceEntry", "canary"],
    ]);
  });

  it("near miss: without a default tag both are the default istiod's", () => {
    const m = entries([]);
    expect(
      [...m.workloads.filter((w) => w.kind === "WorkloadEntry"), ...m.serviceEntryEndpoints].map(
        (w) => w.revision,
      ),
    ).toEqual(["", ""]);
  });
});
