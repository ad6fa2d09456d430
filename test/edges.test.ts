// Observed traffic → edges (contract.md §1.1): evidence, ports, identity of edges.
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import { createResolver } from "../lib/core/resolve/resolver";
import { call, deploy, edgeOf, host, injected, loaded, namespace, run, service } from "./kit";

const mesh = [injected("a"), deploy("a", "client"), deploy("a", "srv", { ports: [8080, 9090, 5432] })];

describe("edges from telemetry", () => {
  it("one port: the sample goes to it; destination-side counts are evidence, source-side are not added", () => {
    const s = run(
      [...mesh, service("a", "srv", [{ port: 80, targetPort: 8080 }])],
      [
        call("a/client", host("srv", "a"), "mutual_tls", 7),
        call("a/client", host("srv", "a"), "unknown", 9, { reporter: "source" }),
      ],
    );
    expect(s.edges).toHaveLength(1);
    expect(s.edges[0]).toMatchObject({
      id: "a/client->srv.a.svc.cluster.local:80",
      observed: { mtls: 7, plaintext: 0, unknown: 0 },
      status: "mtls",
    });
  });

  it("source-side series alone create the edge, counted as unknown", () => {
    const s = run(
      [...mesh, service("a", "srv", [80])],
      [call("a/client", host("srv", "a"), "unknown", 4, { reporter: "source" })],
    );
    expect(s.edges[0]!.observed).toEqual({ mtls: 0, plaintext: 0, unknown: 4 });
    expect(s.edges[0]!.status).toBe("mtls");
  });

  it("several ports: request_protocol picks http/grpc ports vs the others; still several → one edge each, portAmbiguous", () => {
    const objs = [
      ...mesh,
      service("a", "srv", [
        { port: 80, targetPort: 8080, name: "http" },
        { port: 90, targetPort: 9090, name: "grpc-admin" },
        { port: 5432, targetPort: 5432, name: "tcp-db" },
      ]),
    ];
    const s = run(objs, [
      call("a/client", host("srv", "a"), "mutual_tls", 3),
      call("a/client", host("srv", "a"), "mutual_tls", 2, { request_protocol: "tcp" }),
    ]);
    expect(s.edges.map((e) => [e.destination.port, e.observed])).toEqual([
      [80, { mtls: 3, plaintext: 0, unknown: 0, portAmbiguous: true }],
      [90, { mtls: 3, plaintext: 0, unknown: 0, portAmbiguous: true }],
      [5432, { mtls: 2, plaintext: 0, unknown: 0 }],
    ]);
  });

  // Istio's proxies carry TCP only: a UDP (or SCTP) port is never what a sample is about.
  it.each([
    [
      "UDP next to TCP on the same number (kube-dns 53)",
      [
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP" },
      ],
      [[53, undefined]],
    ],
    [
      "UDP and SCTP next to two TCP ports: the TCP ones stay ambiguous",
      [
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "sig", port: 3868, protocol: "SCTP" },
        { name: "dns-tcp", port: 53 },
        { name: "metrics", port: 9153 },
      ],
      [
        [53, true],
        [9153, true],
      ],
    ],
    [
      "only UDP ports: kept (the sample still names the service)",
      [{ name: "syslog", port: 514, protocol: "UDP" }],
      [[514, undefined]],
    ],
  ])("%s → one edge per remaining port, ids unique", (_name, ports, expected) => {
    const dns = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "srv", namespace: "a" },
      spec: { selector: { app: "srv" }, ports },
    };
    const s = run(
      [...mesh, dns],
      [call("a/client", host("srv", "a"), "mutual_tls", 3, { request_protocol: "tcp" })],
    );
    expect(s.edges.map((e) => [e.destination.port, e.observed?.portAmbiguous])).toEqual(expected);
    expect(new Set(s.edges.map((e) => e.id)).size).toBe(s.edges.length);
  });

  it("two unknown external hosts from one client are two edges, on port 0, verdict unknown", () => {
    const s = run(mesh, [
      call("a/client", "api.example.com", "unknown", 1, { reporter: "source" }),
      call("a/client", "db.example.net", "unknown", 1, { reporter: "source" }),
    ]);
    expect(s.edges.map((e) => e.id)).toEqual(["a/client->api.example.com:0", "a/client->db.example.net:0"]);
    expect(s.edges.every((e) => e.predicted.verdict === "unknown" && e.status === "unknown")).toBe(true);
    expect(s.findings.filter((f) => f.code.startsWith("edge."))).toEqual([]);
  });

  it("an out-of-mesh caller is source null and id 'unknown->…'", () => {
    const s = run([...mesh, service("a", "srv", [80])], [call(null, host("srv", "a"), "none", 5)]);
    const e = edgeOf(s, null, host("srv", "a"))!;
    expect(e.id).toBe("unknown->srv.a.svc.cluster.local:80");
    expect(e.source).toEqual({ namespace: null, workload: null });
    expect(e.predicted.client).toEqual({ tls: "NONE", origin: "no-proxy", destinationRule: null });
  });

  it("a named targetPort that a pod does not declare: that pod is no endpoint of the port, and the port is not listed on it", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "srv", { ports: [{ port: 8080, name: "web" }] }),
      service("a", "srv", [
        { port: 80, targetPort: "web", name: "http-web" },
        { port: 9090, targetPort: "metrics", name: "http-metrics" },
      ]),
    ];
    const s = run(objs, [call("a/client", host("srv", "a"), "mutual_tls", 3, { request_protocol: "http" })]);
    expect(s.workloads.find((w) => w.name === "srv")!.ports.map((p) => p.port)).toEqual([8080]);
    const byPort = Object.fromEntries(s.edges.map((e) => [e.destination.port, e.predicted]));
    expect(byPort[80]).toMatchObject({ client: { tls: "ISTIO_MUTUAL" }, verdict: "mtls" });
    expect(byPort[9090]).toMatchObject({ verdict: "unknown" });
    expect(byPort[9090]!.reason).toMatch(
      /srv.a.svc.cluster.local:9090 has no endpoints: no selected pod declares a container port named metrics/,
    );
  });

  it("a named targetPort matches a container port of the same name and protocol only (FindPort): a UDP Service port finds no TCP container port", () => {
    const objs = [
      injected("a"),
      deploy("a", "dns", { ports: [{ port: 5353, name: "dns" }] }),
      service("a", "dns", [{ port: 53, targetPort: "dns", name: "tcp-dns" }]),
    ];
    const model = buildModel({ objects: loaded(objs), configDumps: [], problems: [] });
    const r = createResolver(model);
    const svc = model.services[0]!;
    const w = model.workloads.find((x) => x.name === "dns")!;
    expect(r.targetPortOf(svc, svc.ports[0]!, w)).toBe(5353);
    expect(r.targetPortOf(svc, { ...svc.ports[0]!, protocol: "UDP" }, w)).toBeNull();
    // The container port declared for UDP: the UDP Service port finds it, a TCP one does not.
    const udp = deploy("a", "dns", { ports: [{ port: 5353, name: "dns" }] });
    (
      udp.spec as { template: { spec: { containers: { ports: Record<string, unknown>[] }[] } } }
    ).template.spec.containers[0]!.ports[0]!.protocol = "UDP";
    const m2 = buildModel({
      objects: loaded([
        injected("a"),
        udp,
        service("a", "dns", [{ port: 53, targetPort: "dns", name: "tcp-dns" }]),
      ]),
      configDumps: [],
      problems: [],
    });
    const r2 = createResolver(m2);
    const s2 = m2.services[0]!;
    const w2 = m2.workloads[0]!;
    expect(r2.targetPortOf(s2, s2.ports[0]!, w2)).toBeNull();
    expect(r2.targetPortOf(s2, { ...s2.ports[0]!, protocol: "UDP" }, w2)).toBe(5353);
  });

  it("a named targetPort on a native sidecar (a restartable init container) finds its pod, as Kubernetes' FindPort does", () => {
    const pod = deploy("a", "srv", { ports: [8080] });
    const spec = (pod.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    spec.initContainers = [
      {
        name: "admin-agent",
        image: "example/agent:1",
        restartPolicy: "Always",
        ports: [{ containerPort: 9901, name: "admin" }],
      },
    ];
    const s = run(
      [
        injected("a"),
        deploy("a", "client"),
        pod,
        service("a", "srv", [{ port: 9901, targetPort: "admin", name: "http-admin" }]),
      ],
      [call("a/client", host("srv", "a"), "mutual_tls", 2)],
    );
    expect(s.edges[0]!.predicted).toMatchObject({ client: { tls: "ISTIO_MUTUAL" }, verdict: "mtls" });
    expect(s.workloads.find((w) => w.name === "srv")!.ports.map((p) => p.port)).toEqual([8080, 9901]);
  });

  it("an ambient destination: ztunnel's 'unknown' is plaintext passthrough", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      namespace("amb", { "istio.io/dataplane-mode": "ambient" }),
      deploy("amb", "srv"),
      service("amb", "srv", [80]),
    ];
    const s = run(objs, [
      call(null, host("srv", "amb"), "unknown", 6),
      call("a/client", host("srv", "amb"), "mutual_tls", 8),
    ]);
    expect(edgeOf(s, null, host("srv", "amb"))!.observed).toEqual({ mtls: 0, plaintext: 6, unknown: 0 });
    expect(edgeOf(s, "a/client", host("srv", "amb"))).toMatchObject({
      predicted: { client: { tls: "HBONE" }, verdict: "mtls" },
      status: "mtls",
    });
  });
});
