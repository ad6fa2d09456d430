// VMs as endpoints (istio.md §3.3): a WorkloadEntry, or a ServiceEntry's inline endpoint, is tagged
// tlsMode=istio by its label, else by a serviceAccount (getTLSModeFromWorkloadEntry), so auto-mTLS
// clients send it Istio mTLS; its sidecar applies the PeerAuthentications selecting its labels. And
// the findings about injection stay silent on it: a VM is never injected.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  expectNoWarnings,
  findingsOf,
  host,
  injected,
  meshConfig,
  namespace,
  only,
  peerAuth,
  predict,
  run,
  service,
  tls,
} from "./kit";

type Labels = Record<string, string>;

const workloadEntry = (
  ns: string,
  name: string,
  o: { labels?: Labels; sa?: string; address?: string; ports?: Record<string, number> } = {},
): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "WorkloadEntry",
  metadata: { name, namespace: ns },
  spec: {
    address: o.address ?? "10.0.0.5",
    labels: o.labels ?? { app: "db" },
    ...(o.sa ? { serviceAccount: o.sa } : {}),
    ...(o.ports ? { ports: o.ports } : {}),
  },
});

const serviceEntry = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "ServiceEntry",
  metadata: { name, namespace: ns },
  spec: {
    hosts: [`${name}.vm.internal`],
    location: "MESH_INTERNAL",
    resolution: "STATIC",
    ports: [{ number: 5432, name: "tcp-db", protocol: "TCP" }],
    ...spec,
  },
});

const DB = "db.vm.internal";
const LEGACY = "legacy.vm.internal";
const selecting = (labels: Labels = { app: "db" }) =>
  serviceEntry("vm", "db", { workloadSelector: { labels } });
const shop = [
  injected("shop"),
  deploy("shop", "client"),
  namespace("plain"),
  deploy("plain", "bare"),
  namespace("vm"),
];

describe("auto mTLS towards a MESH_INTERNAL ServiceEntry selecting a WorkloadEntry", () => {
  it.each([
    {
      case: "with a serviceAccount",
      we: { sa: "db" },
      tls: "ISTIO_MUTUAL",
      verdict: "mtls",
      server: "PERMISSIVE",
      why: "auto-mtls",
    },
    {
      case: "labelled tlsMode=istio, no serviceAccount",
      we: { labels: { app: "db", "security.istio.io/tlsMode": "istio" } },
      tls: "ISTIO_MUTUAL",
      verdict: "mtls",
      server: "PERMISSIVE",
      why: "auto-mtls",
    },
    {
      case: "labelled tlsMode=disabled, with a serviceAccount",
      we: { sa: "db", labels: { app: "db", "security.istio.io/tlsMode": "disabled" } },
      tls: "DISABLE",
      verdict: "plaintext",
      server: "NONE",
      why: "auto-endpoint-no-label",
    },
    {
      case: "without serviceAccount or label",
      we: {},
      tls: "DISABLE",
      verdict: "plaintext",
      server: "NONE",
      why: "auto-endpoint-no-label",
    },
  ])("$case: a sidecar client sends $tls, verdict $verdict", ({ we, tls, verdict, server, why }) => {
    const p = predict([...shop, workloadEntry("vm", "db-1", we), selecting()], "shop/client", DB);
    expect(p.predicted.client).toEqual({ tls, origin: "auto", destinationRule: null });
    expect([p.predicted.verdict, p.predicted.server.mode, p.worst.why, p.worst.workload?.name]).toEqual([
      verdict,
      server,
      why,
      "db-1",
    ]);
  });

  it("the plaintext reason names the WorkloadEntry and what it lacks, not pods", () => {
    const none = predict([...shop, workloadEntry("vm", "db-1"), selecting()], "shop/client", DB).predicted
      .reason;
    expect(none).toContain(
      "WorkloadEntry vm/db-1 has neither a serviceAccount nor the label security.istio.io/tlsMode=istio",
    );
    expect(none).toContain("vm/db-1 has no proxy that istiod knows of");
    expect(none).not.toContain("pods");
    const disabled = predict(
      [
        ...shop,
        workloadEntry("vm", "db-1", {
          sa: "db",
          labels: { app: "db", "security.istio.io/tlsMode": "disabled" },
        }),
        selecting(),
      ],
      "shop/client",
      DB,
    );
    expect(disabled.predicted.reason).toContain(
      "WorkloadEntry vm/db-1 is labelled security.istio.io/tlsMode=disabled",
    );
  });

  it("its sidecar applies a workload PeerAuthentication by the entry's labels: STRICT breaks a client without sidecar", () => {
    const objs = [
      ...shop,
      workloadEntry("vm", "db-1", { sa: "db" }),
      selecting(),
      peerAuth("vm", "db-strict", "STRICT", { selector: { app: "db" } }),
    ];
    const p = predict(objs, "plain/bare", DB);
    expect(p.predicted.client.tls).toBe("NONE");
    expect(p.predicted.server).toEqual({
      mode: "STRICT",
      origin: "workload",
      policy: { kind: "PeerAuthentication", namespace: "vm", name: "db-strict" },
    });
    expect(p.predicted.verdict).toBe("broken");
    // ...and a sidecar client is fine.
    expect(predict(objs, "shop/client", DB).predicted.verdict).toBe("mtls");
    const s = run(objs, [call("plain/bare", DB, "none", 3)]);
    const f = only(s, "edge.plaintext-to-strict");
    expect(f.resources).toContainEqual({ kind: "WorkloadEntry", namespace: "vm", name: "db-1" });
  });

  it("a workload DISABLE on its port makes auto mTLS send plaintext (the entry's own policy tags it)", () => {
    const objs = [
      ...shop,
      workloadEntry("vm", "db-1", { sa: "db" }),
      selecting(),
      peerAuth("vm", "db-plain", "DISABLE", { selector: { app: "db" } }),
    ];
    const p = predict(objs, "shop/client", DB);
    expect([p.predicted.client.tls, p.worst.why, p.predicted.verdict]).toEqual([
      "DISABLE",
      "auto-endpoint-pa-disable",
      "plaintext",
    ]);
  });

  it("a MESH_EXTERNAL ServiceEntry gets no auto mTLS, even towards a WorkloadEntry with a serviceAccount", () => {
    const p = predict(
      [
        ...shop,
        workloadEntry("vm", "db-1", { sa: "db" }),
        serviceEntry("vm", "db", { location: "MESH_EXTERNAL", workloadSelector: { labels: { app: "db" } } }),
      ],
      "shop/client",
      DB,
    );
    expect([p.predicted.client.tls, p.predicted.client.origin, p.predicted.verdict]).toEqual([
      "DISABLE",
      "mesh-external",
      "unknown",
    ]);
  });

  it("a WorkloadEntry in another namespace is not selected: the endpoints stay unknown", () => {
    const p = predict(
      [...shop, namespace("other"), workloadEntry("other", "db-1", { sa: "db" }), selecting()],
      "shop/client",
      DB,
    );
    expect([p.worst.workload, p.predicted.verdict]).toEqual([null, "unknown"]);
  });
});

describe("a Kubernetes Service selecting a WorkloadEntry", () => {
  it("sends it Istio mTLS on the port its spec.ports names, and lists it as the edge's destination workload", () => {
    const objs = [
      ...shop,
      workloadEntry("vm", "db-1", { sa: "db", ports: { "tcp-db": 15432 } }),
      service("vm", "db", [{ port: 5432, targetPort: 5432, name: "tcp-db" }]),
    ];
    const host = "db.vm.svc.cluster.local";
    const p = predict(objs, "shop/client", host);
    expect([p.predicted.client.tls, p.predicted.verdict, p.worst.targetPort]).toEqual([
      "ISTIO_MUTUAL",
      "mtls",
      15432,
    ]);
    const s = run(objs, [call("shop/client", host, "mutual_tls", 5, { request_protocol: "tcp" })]);
    expect(edgeOf(s, "shop/client", host)!.destination.workloads).toEqual(["vm/db-1"]);
    expect(s.workloads.find((w) => w.name === "db-1")).toMatchObject({
      kind: "WorkloadEntry",
      pods: 0,
      dataplane: "sidecar",
      identity: "spiffe://cluster.local/ns/vm/sa/db",
    });
  });

  it("a headless Service does not select it", () => {
    const p = predict(
      [...shop, workloadEntry("vm", "db-1", { sa: "db" }), service("vm", "db", [5432], { headless: true })],
      "shop/client",
      "db.vm.svc.cluster.local",
    );
    expect(p.worst.workload).toBeNull();
  });
});

describe("a ServiceEntry's inline endpoints", () => {
  const legacy = (endpoints: Record<string, unknown>[]) => serviceEntry("vm", "legacy", { endpoints });

  it("with a serviceAccount: Istio mTLS; one without: plaintext, the worst endpoint", () => {
    expect(
      predict([...shop, legacy([{ address: "10.1.0.1", serviceAccount: "legacy" }])], "shop/client", LEGACY)
        .predicted,
    ).toMatchObject({ client: { tls: "ISTIO_MUTUAL" }, verdict: "mtls" });
    const p = predict(
      [...shop, legacy([{ address: "10.1.0.1", serviceAccount: "legacy" }, { address: "10.1.0.2" }])],
      "shop/client",
      LEGACY,
    );
    expect(p.endpoints.map((e) => [e.workload!.entry!.address, e.tls])).toEqual([
      ["10.1.0.1", "ISTIO_MUTUAL"],
      ["10.1.0.2", "DISABLE"],
    ]);
    expect(p.predicted.verdict).toBe("plaintext");
    expect(p.predicted.reason).toContain(
      "ServiceEntry vm/legacy's endpoint 10.1.0.2 has neither a serviceAccount nor the label security.istio.io/tlsMode=istio",
    );
  });

  it("istiod tags them without a namespace: a workload DISABLE of the ServiceEntry's namespace does not stop auto mTLS (unlike for a WorkloadEntry)", () => {
    const pa = peerAuth("vm", "legacy-plain", "DISABLE", { selector: { app: "legacy" } });
    const p = predict(
      [...shop, legacy([{ address: "10.1.0.1", serviceAccount: "legacy", labels: { app: "legacy" } }]), pa],
      "shop/client",
      LEGACY,
    );
    expect([p.predicted.client.tls, p.worst.why]).toEqual(["ISTIO_MUTUAL", "auto-mtls"]);
    // The VM's sidecar, in that namespace with those labels, does apply it: the call breaks.
    expect([p.predicted.server.mode, p.predicted.verdict]).toEqual(["DISABLE", "broken"]);
    const s = run(
      [...shop, legacy([{ address: "10.1.0.1", serviceAccount: "legacy", labels: { app: "legacy" } }]), pa],
      [call("shop/client", LEGACY, "mutual_tls", 2, { request_protocol: "tcp" })],
    );
    expect(only(s, "edge.mtls-to-disable").resources).toContainEqual({
      kind: "ServiceEntry",
      namespace: "vm",
      name: "legacy",
    });
    // The mesh-wide policy does reach them.
    const mesh = predict(
      [
        ...shop,
        legacy([{ address: "10.1.0.1", serviceAccount: "legacy" }]),
        peerAuth("istio-system", "default", "DISABLE"),
      ],
      "shop/client",
      LEGACY,
    );
    expect(mesh.predicted.client.tls).toBe("DISABLE");
  });
});

describe("findings about injection are silent on a WorkloadEntry", () => {
  const noSa = workloadEntry("shop", "vm-1", { labels: { app: "vm" } });

  it("no workload.no-proxy, namespace.not-injected or workload.tlsmode-without-proxy for a VM without a sidecar", () => {
    const s = run([...shop, noSa, workloadEntry("plain", "vm-2", { labels: { app: "vm" } })]);
    expect(findingsOf(s, "workload.no-proxy")).toEqual([]);
    expect(findingsOf(s, "workload.tlsmode-without-proxy")).toEqual([]);
    // plain/bare, a pod, is still reported; the WorkloadEntry beside it is not named.
    const f = only(s, "namespace.not-injected");
    expect(f.message).toContain("plain/bare");
    expect(f.message).not.toContain("vm-2");
    expect(
      findingsOf(
        run([namespace("vms"), workloadEntry("vms", "vm-2"), peerAuth("istio-system", "default", "STRICT")]),
        "namespace.not-injected",
      ),
    ).toEqual([]);
  });

  it("no pa.no-proxy for a policy covering only a WorkloadEntry without sidecar (whether the VM runs one cannot be told); still for a pod", () => {
    expect(
      findingsOf(
        run([...shop, noSa, peerAuth("shop", "vm-strict", "STRICT", { selector: { app: "vm" } })]),
        "pa.no-proxy",
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        run([...shop, peerAuth("plain", "bare-strict", "STRICT", { selector: { app: "bare" } })]),
        "pa.no-proxy",
      ),
    ).toHaveLength(1);
  });

  it("pa.selector-matches-nothing counts WorkloadEntries by their labels, and fires in a namespace of only WorkloadEntries that none matches", () => {
    expect(
      findingsOf(
        run([
          ...shop,
          workloadEntry("vm", "db-1", { sa: "db" }),
          peerAuth("vm", "db-strict", "STRICT", { selector: { app: "db" } }),
        ]),
        "pa.selector-matches-nothing",
      ),
    ).toEqual([]);
    const f = only(
      run([
        ...shop,
        workloadEntry("vm", "db-1", { sa: "db" }),
        peerAuth("vm", "typo", "STRICT", { selector: { app: "bd" } }),
      ]),
      "pa.selector-matches-nothing",
    );
    expect(f.resources).toEqual([{ kind: "PeerAuthentication", namespace: "vm", name: "typo" }]);
  });

  it("edge.plaintext to a WorkloadEntry without serviceAccount says to declare the VM's sidecar, not to inject", () => {
    const s = run(
      [...shop, workloadEntry("vm", "db-1"), selecting()],
      [call("shop/client", DB, "none", 4, { request_protocol: "tcp" })],
    );
    const f = only(s, "edge.plaintext");
    expect(f.fix).toContain("set its serviceAccount (or the label security.istio.io/tlsMode: istio)");
    expect(f.fix).toContain("WorkloadEntry vm/db-1");
  });
});

describe("a WorkloadEntry named by telemetry as the caller", () => {
  // Only a proxy reports a source workload name (its own reports, or the peer metadata it sends the
  // destination's proxy). A WorkloadEntry without serviceAccount or tlsMode=istio only tells istiod
  // not to send it mTLS: as a caller its VM evidently runs the sidecar.
  const strict = [
    ...shop.slice(0, 2),
    service("shop", "client", [80]),
    peerAuth("istio-system", "default", "STRICT"),
    namespace("vm"),
  ];
  it.each([
    {
      case: "without serviceAccount or label",
      we: workloadEntry("vm", "batch", { labels: { app: "batch" } }),
    },
    {
      case: "labelled tlsMode=disabled, with a serviceAccount",
      we: workloadEntry("vm", "batch", {
        sa: "batch",
        labels: { app: "batch", "security.istio.io/tlsMode": "disabled" },
      }),
    },
  ])("$case: sends auto mTLS from its sidecar, no error against a STRICT server", ({ we }) => {
    const s = run([...strict, we], [call("vm/batch", "client.shop.svc.cluster.local", "mutual_tls", 50)]);
    const e = edgeOf(s, "vm/batch", "client.shop.svc.cluster.local")!;
    expect([e.predicted.client.tls, e.predicted.client.origin, e.predicted.verdict, e.status]).toEqual([
      "ISTIO_MUTUAL",
      "auto",
      "mtls",
      "mtls",
    ]);
    expectNoWarnings(s);
  });

  it("near miss: a WorkloadEntry with a serviceAccount was a sidecar caller already; a pod without proxy stays one without", () => {
    const s = run(
      [...strict, workloadEntry("vm", "batch", { sa: "batch" }), namespace("plain"), deploy("plain", "bare")],
      [
        call("vm/batch", "client.shop.svc.cluster.local", "mutual_tls", 5),
        call("plain/bare", "client.shop.svc.cluster.local", "none", 5),
      ],
    );
    expect(edgeOf(s, "vm/batch", "client.shop.svc.cluster.local")!.predicted.verdict).toBe("mtls");
    expect(edgeOf(s, "plain/bare", "client.shop.svc.cluster.local")!.predicted).toMatchObject({
      client: { tls: "NONE", origin: "no-proxy" },
      verdict: "broken",
    });
  });
});

describe("guard: a correct VM mesh raises no warning", () => {
  it("STRICT mesh, sidecar clients, VMs with serviceAccounts behind a ServiceEntry and a Service, observed mTLS", () => {
    const objs = [
      ...shop.slice(0, 2),
      namespace("vm"),
      peerAuth("istio-system", "default", "STRICT"),
      workloadEntry("vm", "db-1", { sa: "db", ports: { "tcp-db": 5432 } }),
      workloadEntry("vm", "db-2", { sa: "db", address: "10.0.0.6", ports: { "tcp-db": 5432 } }),
      selecting(),
      service("vm", "db", [{ port: 5432, targetPort: 5432, name: "tcp-db" }]),
      serviceEntry("vm", "legacy", { endpoints: [{ address: "10.1.0.1", serviceAccount: "legacy" }] }),
    ];
    const s = run(objs, [
      call("shop/client", DB, "mutual_tls", 9, { request_protocol: "tcp" }),
      call("shop/client", "db.vm.svc.cluster.local", "mutual_tls", 9, { request_protocol: "tcp" }),
      call("shop/client", LEGACY, "mutual_tls", 9, { request_protocol: "tcp" }),
    ]);
    expectNoWarnings(s);
    expect(s.edges.map((e) => [e.destination.host, e.predicted.verdict, e.status])).toEqual([
      ["db.vm.internal", "mtls", "mtls"],
      ["db.vm.svc.cluster.local", "mtls", "mtls"],
      ["legacy.vm.internal", "mtls", "mtls"],
    ]);
  });
});

const TUNNEL = "networking.istio.io/tunnel";
/** The ambient profile's mesh defaultConfig: sidecars may send HBONE (Proxy.EnableHBONE). */
const HBONE_MESH = meshConfig('defaultConfig:\n  proxyMetadata:\n    ISTIO_META_ENABLE_HBONE: "true"\n');
const AMBIENT = [namespace("amb", { "istio.io/dataplane-mode": "ambient" }), deploy("amb", "app")];
const tunnelEntry = (o: { sa?: string } = {}) =>
  workloadEntry("vm", "db-1", { labels: { app: "db", [TUNNEL]: "http" }, ...o });

// istiod reads networking.istio.io/tunnel from an entry endpoint's labels as from a pod's
// (IstioEndpoint.SupportsTunnel → model.SupportsTunnel, a comma-separated list; supportTunnel,
// endpoint_builder.go): the endpoint takes HBONE from a client proxy that may send it. Like a pod's,
// the tunnel is dropped while the endpoint also takes legacy Istio mTLS (tlsMode=istio, a
// serviceAccount) and PILOT_PREFER_SENDING_HBONE is off.
describe("a WorkloadEntry labelled networking.istio.io/tunnel=http takes HBONE, as a pod with that label does", () => {
  // Ambient on in the mesh (the ambient profile's defaultConfig, and an ambient namespace next to the sidecar client's).
  const mesh = [...shop, HBONE_MESH, ...AMBIENT];
  const dbDisable = destRule("shop", "db", DB, tls("DISABLE"));
  // The same labels on an injected pod behind a Service: what the entry must match.
  const pod = (labels: Labels) => [
    deploy("shop", "podsrv", { labels: { app: "podsrv", ...labels }, ports: [5432] }),
    service("shop", "podsrv", [{ port: 5432, name: "tcp-db" }]),
  ];
  const POD = host("podsrv", "shop");
  const sends = (p: ReturnType<typeof predict>) => [p.predicted.client.tls, p.worst.why, p.predicted.verdict];

  it.each([
    { case: "in spec.labels", we: workloadEntry("vm", "db-1", { labels: { app: "db", [TUNNEL]: "http" } }) },
    {
      case: "in the object's metadata labels",
      we: {
        ...workloadEntry("vm", "db-1"),
        metadata: { name: "db-1", namespace: "vm", labels: { [TUNNEL]: "http" } },
      },
    },
    {
      case: "in a comma-separated list",
      we: workloadEntry("vm", "db-1", { labels: { app: "db", [TUNNEL]: "h2c,http" } }),
    },
  ])("$case: auto mTLS sends HBONE, and a DR DISABLE is replaced by HBONE first", ({ we }) => {
    const objs = [...mesh, we, selecting()];
    const p = predict(objs, "shop/client", DB);
    expect(sends(p)).toEqual(["HBONE", "auto-hbone", "mtls"]);
    expect(p.predicted.reason).toContain("vm/db-1, which takes HBONE (networking.istio.io/tunnel=http)");
    const first = predict([...objs, dbDisable], "shop/client", DB);
    expect(sends(first)).toEqual(["HBONE", "hbone-first", "mtls"]);
    expect(first.predicted.reason).toMatch(/^shop\/client sends HBONE because vm\/db-1 takes HBONE/);
  });

  it("the same as a sidecar pod with the label and without tlsMode=istio", () => {
    const we = predict(
      [
        ...mesh,
        workloadEntry("vm", "db-1", { labels: { app: "db", [TUNNEL]: "http" } }),
        selecting(),
        dbDisable,
      ],
      "shop/client",
      DB,
    );
    const p = predict(
      [
        ...mesh,
        ...pod({ [TUNNEL]: "http", "security.istio.io/tlsMode": "disabled" }),
        destRule("shop", "podsrv", POD, tls("DISABLE")),
      ],
      "shop/client",
      POD,
    );
    expect(sends(p)).toEqual(["HBONE", "hbone-first", "mtls"]);
    expect(sends(we)).toEqual(sends(p));
  });

  it("an ambient client's ztunnel reaches it over HBONE", () => {
    const p = predict(
      [...mesh, workloadEntry("vm", "db-1", { labels: { app: "db", [TUNNEL]: "http" } }), selecting()],
      "amb/app",
      DB,
    );
    expect([p.predicted.client.tls, p.predicted.verdict]).toEqual(["HBONE", "mtls"]);
  });

  it("a ServiceEntry's inline endpoint with the label takes HBONE too; its sibling without keeps plaintext", () => {
    const se = serviceEntry("vm", "legacy", {
      endpoints: [{ address: "10.1.0.1", labels: { [TUNNEL]: "http" } }, { address: "10.1.0.2" }],
    });
    const p = predict([...mesh, se], "shop/client", LEGACY);
    expect(p.endpoints.map((e) => [e.workload!.entry!.address, e.tls])).toEqual([
      ["10.1.0.1", "HBONE"],
      ["10.1.0.2", "DISABLE"],
    ]);
  });

  it.each<{ case: string; labels: Labels; sa: string | undefined; want: string[] }>([
    {
      case: "no tunnel label",
      labels: { app: "db" },
      sa: undefined,
      want: ["DISABLE", "auto-endpoint-no-label", "plaintext"],
    },
    {
      case: "another tunnel value",
      labels: { app: "db", [TUNNEL]: "none" },
      sa: undefined,
      want: ["DISABLE", "auto-endpoint-no-label", "plaintext"],
    },
    {
      case: "a value that only contains http",
      labels: { app: "db", [TUNNEL]: "https" },
      sa: undefined,
      want: ["DISABLE", "auto-endpoint-no-label", "plaintext"],
    },
    // buildEnvoyLbEndpoint drops the tunnel of an endpoint that takes Istio mTLS: unchanged, as for a pod.
    {
      case: "the label with a serviceAccount (tlsMode istio)",
      labels: { app: "db", [TUNNEL]: "http" },
      sa: "db",
      want: ["ISTIO_MUTUAL", "auto-mtls", "mtls"],
    },
  ])("near miss: $case → $want.0", ({ labels, sa, want }) => {
    const p = predict(
      [...mesh, workloadEntry("vm", "db-1", { labels, ...(sa ? { sa } : {}) }), selecting()],
      "shop/client",
      DB,
    );
    expect(sends(p)).toEqual(want);
  });

  it("near miss: with the label and a serviceAccount, a DR DISABLE still sends plaintext (no HBONE first), as for a sidecar pod", () => {
    const p = predict(
      [
        ...mesh,
        workloadEntry("vm", "db-1", { labels: { app: "db", [TUNNEL]: "http" }, sa: "db" }),
        selecting(),
        dbDisable,
      ],
      "shop/client",
      DB,
    );
    expect(p.predicted.client.tls).toBe("DISABLE");
  });
});

// supportTunnel (pilot/pkg/xds/endpoints/endpoint_builder.go) returns false unless the client's
// `proxy.EnableHBONE()` (IsAmbient() || features.EnableHBONE && Metadata.EnableHBONE): a pod's tunnel
// label comes from injection under that same setting, an entry's is written by hand and proves
// nothing about the client.
describe("a sidecar sends HBONE to a tunnel-labelled entry only when its own proxy may send HBONE", () => {
  const hboneOn = { "proxy.istio.io/config": 'proxyMetadata:\n  ISTIO_META_ENABLE_HBONE: "true"\n' };
  const hboneAs = (v: string) => ({
    "proxy.istio.io/config": `proxyMetadata:\n  ISTIO_META_ENABLE_HBONE: "${v}"\n`,
  });
  const hboneOff = { "proxy.istio.io/config": '{"proxyMetadata": {"ISTIO_META_ENABLE_HBONE": "false"}}' };
  const sends = (p: ReturnType<typeof predict>) => [p.predicted.client.tls, p.worst.why, p.predicted.verdict];
  const PLAIN = ["DISABLE", "auto-endpoint-no-label", "plaintext"];
  const HBONE = ["HBONE", "auto-hbone", "mtls"];

  it.each([
    {
      case: "no ambient, no ISTIO_META_ENABLE_HBONE",
      extra: [] as KubeObject[],
      annotations: {},
      want: PLAIN,
    },
    {
      case: "an ambient namespace, but no ISTIO_META_ENABLE_HBONE",
      extra: AMBIENT,
      annotations: {},
      want: PLAIN,
    },
    {
      case: "the mesh defaultConfig enables it, the client's proxy.istio.io/config turns it off",
      extra: [HBONE_MESH],
      annotations: hboneOff,
      want: PLAIN,
    },
    {
      case: "the mesh defaultConfig enables it (ambient profile)",
      extra: [HBONE_MESH],
      annotations: {},
      want: HBONE,
    },
    // features.EnableHBONE is off unless ambient is (registerAmbient, pilot/pkg/features/ambient.go).
    {
      case: "the client's proxy.istio.io/config enables it, but nothing says ambient is on",
      extra: [],
      annotations: hboneOn,
      want: PLAIN,
    },
    {
      case: "the client's proxy.istio.io/config enables it, and an ambient namespace",
      extra: AMBIENT,
      annotations: hboneOn,
      want: HBONE,
    },
    {
      case: "the client's proxy.istio.io/config enables it, and ztunnel runs",
      extra: [deploy("istio-system", "ztunnel", { labels: { app: "ztunnel" } })],
      annotations: hboneOn,
      want: HBONE,
    },
    // NodeMetadata.EnableHBONE is a StringBool: strconv.ParseBool.
    ...["1", "t", "T", "TRUE", "True"].map((v) => ({
      case: `ISTIO_META_ENABLE_HBONE "${v}" (ParseBool), and an ambient namespace`,
      extra: AMBIENT,
      annotations: hboneAs(v),
      want: HBONE,
    })),
    ...["yes", "on"].map((v) => ({
      case: `near miss: "${v}", which ParseBool refuses, and an ambient namespace`,
      extra: AMBIENT,
      annotations: hboneAs(v),
      want: PLAIN,
    })),
  ])("$case → $want.0", ({ extra, annotations, want }) => {
    const objs = [...shop, ...extra, deploy("shop", "caller", { annotations }), tunnelEntry(), selecting()];
    expect(sends(predict(objs, "shop/caller", DB))).toEqual(want);
  });

  it("without it, a DR DISABLE sends plaintext: no HBONE first", () => {
    const p = predict(
      [...shop, ...AMBIENT, tunnelEntry(), selecting(), destRule("shop", "db", DB, tls("DISABLE"))],
      "shop/client",
      DB,
    );
    expect(sends(p)).toEqual(["DISABLE", "dr", "plaintext"]);
  });

  it("two clients of one analysis, one that may send HBONE and one that may not, each get their own (the endpoint memo keys on it)", () => {
    const objs = [
      ...shop,
      ...AMBIENT,
      deploy("shop", "caller", { annotations: hboneOn }),
      tunnelEntry(),
      selecting(),
    ];
    for (const order of [
      ["shop/caller", "shop/client"],
      ["shop/client", "shop/caller"],
    ]) {
      const s = run(
        objs,
        order.map((src) => call(src, DB, "none", 3)),
      );
      const tlsOf = (src: string) => edgeOf(s, src, DB)!.predicted.client.tls;
      expect([tlsOf("shop/caller"), tlsOf("shop/client")]).toEqual(["HBONE", "DISABLE"]);
    }
  });

  it("near miss: an ambient client's ztunnel always sends HBONE, so it reaches the entry over HBONE without any ISTIO_META_ENABLE_HBONE", () => {
    const p = predict([...shop, ...AMBIENT, tunnelEntry(), selecting()], "amb/app", DB);
    expect([p.predicted.client.tls, p.predicted.verdict]).toEqual(["HBONE", "mtls"]);
  });
});

// supportTunnel (endpoint_builder.go) is false for every endpoint, an ambient pod's or a tunnel-labelled
// pod's too, when the client proxy's node metadata ENABLE_HBONE is false (ParseBool): such a client
// gets no tunnel metadata, so auto mTLS reads only the tlsMode label, which ambient pods lack.
describe("a sidecar whose ProxyConfig sets ISTIO_META_ENABLE_HBONE false sends HBONE to no endpoint", () => {
  const AMB = host("app", "amb");
  const objs = (annotations: Record<string, string>) => [
    ...shop,
    ...AMBIENT,
    service("amb", "app", [{ port: 80, targetPort: 8080, name: "http" }]),
    deploy("shop", "caller", { annotations }),
  ];
  it.each([
    { case: '"false"', v: "false", want: ["DISABLE", "plaintext"] },
    { case: '"0" (ParseBool)', v: "0", want: ["DISABLE", "plaintext"] },
    { case: '"F" (ParseBool)', v: "F", want: ["DISABLE", "plaintext"] },
    { case: '"true"', v: "true", want: ["HBONE", "mtls"] },
  ])("ISTIO_META_ENABLE_HBONE $case towards an ambient pod → $want.0", ({ v, want }) => {
    const p = predict(
      objs({ "proxy.istio.io/config": `proxyMetadata:\n  ISTIO_META_ENABLE_HBONE: "${v}"\n` }),
      "shop/caller",
      AMB,
    );
    expect([p.predicted.client.tls, p.predicted.verdict]).toEqual(want);
  });

  it("near miss: without the setting, the implied default stands: HBONE to the ambient pod", () => {
    const p = predict(objs({}), "shop/caller", AMB);
    expect([p.predicted.client.tls, p.predicted.verdict]).toEqual(["HBONE", "mtls"]);
  });
});

// istiod reads the tunnel label only to decide what clients send; whether the VM's proxy applies
// PeerAuthentication is not known (as pa.no-proxy says of entries): the entry keeps no sidecar.
describe("a tunnel label does not give the entry a sidecar: no server-side claim", () => {
  const mesh = [...shop, HBONE_MESH, ...AMBIENT];

  it("STRICT on namespace vm: a client without proxy sends plaintext, verdict plaintext (not broken), no edge.plaintext-to-strict", () => {
    const objs = [...mesh, tunnelEntry(), selecting(), peerAuth("vm", "default", "STRICT")];
    const p = predict(objs, "plain/bare", DB);
    expect([p.predicted.client.tls, p.predicted.server.mode, p.predicted.verdict]).toEqual([
      "NONE",
      "NONE",
      "plaintext",
    ]);
    expect(findingsOf(run(objs, [call("plain/bare", DB, "none", 3)]), "edge.plaintext-to-strict")).toEqual(
      [],
    );
    // A sidecar client still reaches it over HBONE; the reason says what is known of the VM's proxy.
    const hbone = predict(objs, "shop/client", DB);
    expect([hbone.predicted.client.tls, hbone.predicted.server.mode, hbone.predicted.verdict]).toEqual([
      "HBONE",
      "NONE",
      "mtls",
    ]);
    expect(hbone.predicted.reason).toContain(
      "vm/db-1 takes HBONE (networking.istio.io/tunnel=http) on a proxy that istiod knows nothing else of",
    );
  });

  it.each([
    { case: "namespace-wide", pa: peerAuth("vm", "default", "DISABLE") },
    { case: "selecting the entry", pa: peerAuth("vm", "db-plain", "DISABLE", { selector: { app: "db" } }) },
  ])("DISABLE $case: no pa.disable, and sidecar clients still reach it over HBONE", ({ pa }) => {
    const objs = [...mesh, tunnelEntry(), selecting(), pa];
    const s = run(objs, [call("shop/client", DB, "mutual_tls", 3)]);
    expect(findingsOf(s, "pa.disable")).toEqual([]);
    expect([s.edges[0]!.predicted.client.tls, s.edges[0]!.predicted.verdict]).toEqual(["HBONE", "mtls"]);
  });

  it("near miss: with a serviceAccount istiod knows of its sidecar: STRICT breaks a client without proxy, DISABLE raises pa.disable", () => {
    const strict = predict(
      [...mesh, tunnelEntry({ sa: "db" }), selecting(), peerAuth("vm", "default", "STRICT")],
      "plain/bare",
      DB,
    );
    expect([strict.predicted.server.mode, strict.predicted.verdict]).toEqual(["STRICT", "broken"]);
    const s = run(
      [
        ...mesh,
        tunnelEntry({ sa: "db" }),
        selecting(),
        peerAuth("vm", "db-plain", "DISABLE", { selector: { app: "db" } }),
      ],
      [],
    );
    expect(findingsOf(s, "pa.disable")).toHaveLength(1);
  });
});
