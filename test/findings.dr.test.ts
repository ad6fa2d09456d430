// findings.md "Istio DestinationRule": each code fires on the case it describes (severity, the
// DestinationRule(s) named in the documented order, a specific message, a fix) and stays silent on
// the nearly identical, correct configuration.
import { describe, expect, it } from "vitest";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import type { Ref } from "../lib/core/snapshot/schema";
import { analyze } from "../lib/core/snapshot/analyze";
import {
  call,
  deploy,
  destRule,
  findingsOf,
  host,
  injected,
  loaded,
  meshConfig,
  namespace,
  NOW,
  only,
  peerAuth,
  run,
  service,
  serviceEntry,
  sidecarResource,
  tls,
  type PortSpec,
} from "./kit";

const drRef = (ns: string, name: string): Ref => ({ kind: "DestinationRule", namespace: ns, name });
const T1 = "2026-01-01T00:00:00Z";
const T2 = "2026-02-01T00:00:00Z";
const SVC = host("srv", "b");
const EXT = "api.example.com";

// Clients in a and c, a meshed server b/srv, and an external host declared by a ServiceEntry.
const mesh: KubeObject[] = [
  injected("a"),
  injected("b"),
  injected("c"),
  deploy("a", "client"),
  deploy("c", "client"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080 }]),
  serviceEntry("b", "ext", [EXT]),
];
const runWith = (...objs: KubeObject[]) => run([...mesh, ...objs]);

describe("dr.tls-without-mode (warning) [2.1]", () => {
  it.each([
    {
      where: "top-level tls with only sni",
      dr: destRule("b", "srv", SVC, tls(null, { sni: "srv.example" })),
      path: "spec.trafficPolicy.tls",
    },
    {
      where: "an empty top-level tls block",
      dr: destRule("b", "srv", SVC, tls(null)),
      path: "spec.trafficPolicy.tls",
    },
    {
      where: "a port-level tls block",
      dr: destRule("b", "srv", SVC, {
        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { sni: "srv.example" } }] },
      }),
      path: "portLevelSettings[0].tls (port 80)",
    },
  ])("fires for $where", ({ dr, path }) => {
    const f = only(runWith(dr), "dr.tls-without-mode");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "srv")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain(path);
    expect(f.message).toContain(SVC);
    expect(f.message).toContain("DISABLE");
  });

  it.each([
    {
      miss: "mode set alongside sni",
      dr: destRule("b", "srv", SVC, tls("ISTIO_MUTUAL", { sni: "srv.example" })),
    },
    { miss: "an explicit DISABLE", dr: destRule("b", "srv", SVC, tls("DISABLE")) },
    {
      miss: "no tls block at all",
      dr: destRule("b", "srv", SVC, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }),
    },
  ])("silent: $miss", ({ dr }) => {
    expect(findingsOf(runWith(dr), "dr.tls-without-mode")).toEqual([]);
  });
});

describe("dr.port-settings-drop-tls (warning) [2.3]", () => {
  // The entry for the port keeps only connectionPool, so the port is in auto mode (istio.md §2.3).
  const pool = (port: number, extra: Record<string, unknown> = {}) => ({
    port: { number: port },
    connectionPool: { tcp: { maxConnections: 10 } },
    ...extra,
  });
  const drop = (
    mode: string,
    o: {
      host?: string;
      name?: string;
      port?: number;
      tls?: Record<string, unknown>;
      entries?: unknown[];
    } = {},
  ) =>
    destRule("b", o.name ?? "srv", o.host ?? SVC, {
      trafficPolicy: {
        tls: { mode, ...(o.tls ?? {}) },
        portLevelSettings: o.entries ?? [pool(o.port ?? 80)],
      },
    });
  const legacy = (
    labels: Record<string, string> = {},
    annotations: Record<string, string> = { "sidecar.istio.io/inject": "false" },
  ) => deploy("b", "srv-legacy", { ports: [8080], labels: { app: "srv", ...labels }, annotations });
  const HL = host("hl", "b");
  const CERTS = { clientCertificate: "/etc/certs/client.pem", privateKey: "/etc/certs/key.pem" };

  it.each([
    {
      why: "auto mTLS off (enableAutoMtls: false) under a top-level ISTIO_MUTUAL",
      objs: [meshConfig("enableAutoMtls: false"), drop("ISTIO_MUTUAL")],
      sends: `plaintext instead of Istio mTLS to b/srv of ${SVC} (auto mTLS is off (enableAutoMtls: false))`,
    },
    {
      why: "the service's namespace DISABLE (auto mTLS off for it)",
      objs: [peerAuth("b", "default", "DISABLE"), drop("ISTIO_MUTUAL")],
      sends: `plaintext instead of Istio mTLS to b/srv of ${SVC} (namespace b is DISABLE, which turns auto mTLS off for the service)`,
    },
    {
      why: "an endpoint without a sidecar (only it is named)",
      objs: [legacy(), drop("ISTIO_MUTUAL")],
      sends: `plaintext instead of Istio mTLS to b/srv-legacy of ${SVC} (its pods do not carry security.istio.io/tlsMode=istio)`,
    },
    {
      why: "an injected endpoint whose tlsMode label is not istio",
      objs: [legacy({ "security.istio.io/tlsMode": "disabled" }, {}), drop("ISTIO_MUTUAL")],
      sends: `plaintext instead of Istio mTLS to b/srv-legacy of ${SVC} (its pods do not carry security.istio.io/tlsMode=istio)`,
    },
    {
      why: "a headless service with one endpoint without a sidecar: auto mTLS is off for all of them",
      objs: [
        legacy(),
        service("b", "hl", [{ port: 80, targetPort: 8080 }], { headless: true, selector: { app: "srv" } }),
        drop("ISTIO_MUTUAL", { name: "hl", host: HL }),
      ],
      sends:
        `plaintext instead of Istio mTLS to b/srv of ${HL} (not every endpoint of headless ${HL} carries security.istio.io/tlsMode=istio, so auto mTLS is off for all of them); ` +
        `and plaintext instead of Istio mTLS to b/srv-legacy of ${HL} (its pods do not carry security.istio.io/tlsMode=istio)`,
    },
    {
      why: "a top-level SIMPLE (auto mTLS never originates TLS; the tag is removed)",
      objs: [drop("SIMPLE")],
      sends: `plaintext instead of TLS (SIMPLE) to b/srv of ${SVC} (tls.mode SIMPLE in the top level removes its mTLS tag)`,
    },
    {
      why: "a top-level MUTUAL on a MESH_EXTERNAL host",
      objs: [drop("MUTUAL", { name: "ext", host: EXT, port: 443, tls: CERTS })],
      sends: `plaintext instead of mutual TLS (MUTUAL) to the endpoints of ${EXT} (a MESH_EXTERNAL host, where auto mTLS does not apply)`,
    },
    {
      why: "a top-level ISTIO_MUTUAL on a MESH_EXTERNAL host",
      objs: [drop("ISTIO_MUTUAL", { name: "ext", host: EXT, port: 443 })],
      sends: `plaintext instead of Istio mTLS to the endpoints of ${EXT} (a MESH_EXTERNAL host, where auto mTLS does not apply)`,
    },
    {
      why: "a top-level DISABLE while a later entry for the port tags endpoints for mTLS",
      objs: [
        drop("DISABLE", { entries: [pool(80), { port: { number: 80 }, tls: { mode: "ISTIO_MUTUAL" } }] }),
      ],
      sends: `Istio mTLS instead of plaintext to b/srv of ${SVC} (tls.mode ISTIO_MUTUAL in a later portLevelSettings entry for port 80 keeps its mTLS tag)`,
    },
    {
      // An ORIGINAL_DST cluster has no per-endpoint tags, so the top-level DISABLE does not untag it.
      why: "a top-level DISABLE while the entry's PASSTHROUGH makes an ORIGINAL_DST cluster that auto mTLS sends mTLS on",
      objs: [drop("DISABLE", { entries: [pool(80, { loadBalancer: { simple: "PASSTHROUGH" } })] })],
      sends: `Istio mTLS instead of plaintext to b/srv of ${SVC} (auto mTLS picks Istio mTLS for its pods, which carry security.istio.io/tlsMode=istio)`,
    },
    {
      why: "a top-level SIMPLE on a selector-less service (endpoints unknown, but auto mTLS never sends SIMPLE)",
      objs: [
        service("b", "bare", [80], { selector: null }),
        drop("SIMPLE", { name: "bare", host: host("bare", "b") }),
      ],
      sends: `what auto mTLS picks (plaintext or Istio mTLS, never SIMPLE) instead of TLS (SIMPLE) to the endpoints of ${host("bare", "b")}, which the inputs do not list`,
    },
    {
      // The prediction says HBONE either way; what differs is the TLS the sidecar would carry inside.
      why: "a top-level SIMPLE towards an ambient endpoint (SIMPLE inside HBONE becomes bare HBONE)",
      objs: [
        namespace("m", { "istio.io/dataplane-mode": "ambient" }),
        deploy("m", "amb", { ports: [8080] }),
        service("m", "amb", [{ port: 80, targetPort: 8080 }]),
        drop("SIMPLE", { name: "amb", host: host("amb", "m") }),
      ],
      sends: `HBONE instead of TLS (SIMPLE) inside HBONE to m/amb of ${host("amb", "m")} (it takes HBONE, with nothing of the sidecar's inside)`,
    },
    {
      why: "a wildcard host: each service the port changes, in model order",
      objs: [
        legacy(),
        service("b", "two", [80], { selector: { app: "srv" } }),
        drop("ISTIO_MUTUAL", { name: "all", host: "*.b.svc.cluster.local" }),
      ],
      sends:
        `plaintext instead of Istio mTLS to b/srv-legacy of ${SVC} (its pods do not carry security.istio.io/tlsMode=istio); ` +
        `and plaintext instead of Istio mTLS to b/srv-legacy of ${host("two", "b")} (its pods do not carry security.istio.io/tlsMode=istio)`,
    },
  ])("fires: $why", ({ objs, sends }) => {
    const dr = objs[objs.length - 1]!;
    const f = only(runWith(...objs), "dr.port-settings-drop-tls");
    const mode = (dr.spec as { trafficPolicy: { tls: { mode: string } } }).trafficPolicy.tls.mode;
    const port = (dr.spec as { trafficPolicy: { portLevelSettings: { port: { number: number } }[] } })
      .trafficPolicy.portLevelSettings[0]!.port.number;
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", dr.metadata.name)]);
    expect(f.message).toBe(
      `DestinationRule b/${dr.metadata.name} sets tls.mode ${mode} at the top level, but its portLevelSettings entry for port ${port} has no tls: ` +
        `that entry replaces the whole policy, so port ${port} falls back to auto mTLS, and sidecars send ${sends}.`,
    );
    expect(f.fix).toBe(
      `Copy the top-level tls block (mode ${mode}) into the portLevelSettings entry for port ${port}.`,
    );
  });

  it("names the first four changes of a wildcard host and counts the rest", () => {
    const many = ["s1", "s2", "s3", "s4", "s5", "s6"].map((n) =>
      service("b", n, [80], { selector: { app: "srv" } }),
    );
    const f = only(
      runWith(legacy(), ...many, drop("ISTIO_MUTUAL", { name: "all", host: "*.b.svc.cluster.local" })),
      "dr.port-settings-drop-tls",
    );
    // In the model's order (sorted): s1 to s4 named; s5, s6 and srv counted.
    for (const n of ["s1", "s2", "s3", "s4"])
      expect(f.message).toContain(`to b/srv-legacy of ${host(n, "b")} (`);
    for (const n of ["s5", "s6", "srv"]) expect(f.message).not.toContain(host(n, "b"));
    expect(f.message).toMatch(/; and 3 more such changes \(other services or reasons\)\.$/);
  });

  it("fires for a host the inputs do not hold when the top level originates TLS (a policy-only folder)", () => {
    const f = only(
      run([
        destRule("b", "up", "up.example.com", {
          trafficPolicy: { tls: { mode: "SIMPLE" }, portLevelSettings: [pool(443)] },
        }),
      ]),
      "dr.port-settings-drop-tls",
    );
    expect(f.resources).toEqual([drRef("b", "up")]);
    expect(f.message).toContain(
      "sidecars send what auto mTLS picks (plaintext or Istio mTLS, never SIMPLE) instead of TLS (SIMPLE) to up.example.com, which the inputs do not hold.",
    );
  });

  it.each([
    // case20 of the false-positive hunt: auto mTLS sends ISTIO_MUTUAL to every endpoint, as the top level would.
    {
      miss: "case20: sidecars everywhere, mesh STRICT, top-level ISTIO_MUTUAL",
      objs: [peerAuth("istio-system", "default", "STRICT"), drop("ISTIO_MUTUAL")],
    },
    {
      miss: "case20: sidecars everywhere, namespace PERMISSIVE, top-level ISTIO_MUTUAL",
      objs: [peerAuth("b", "default", "PERMISSIVE"), drop("ISTIO_MUTUAL")],
    },
    {
      miss: "case20 with a second port entry that keeps its tls",
      objs: [
        drop("ISTIO_MUTUAL", {
          entries: [pool(80), { port: { number: 81 }, tls: { mode: "ISTIO_MUTUAL" } }],
        }),
      ],
    },
    // The DR's tagging keeps the labelled endpoint in mTLS on its DISABLE port, as ISTIO_MUTUAL on the
    // entry would (edge.mtls-to-disable reports the breakage, not this rule).
    {
      miss: "an endpoint PA DISABLE on the port: tagged for mTLS either way",
      objs: [
        peerAuth("b", "srv-off", null, { selector: { app: "srv" }, ports: { "8080": "DISABLE" } }),
        drop("ISTIO_MUTUAL"),
      ],
    },
    // A top-level DISABLE removes every tag: auto mTLS sends plaintext, as DISABLE on the entry would.
    {
      miss: "a top-level DISABLE on a meshed service",
      objs: [peerAuth("istio-system", "default", "STRICT"), drop("DISABLE")],
    },
    {
      miss: "a top-level ISTIO_MUTUAL on a selector-less service (endpoints unknown)",
      objs: [
        service("b", "bare", [80], { selector: null }),
        drop("ISTIO_MUTUAL", { name: "bare", host: host("bare", "b") }),
      ],
    },
    {
      miss: "the entry's port is not a port of the service",
      objs: [legacy(), drop("ISTIO_MUTUAL", { port: 81 })],
    },
    {
      miss: "an ambient endpoint under a top-level ISTIO_MUTUAL: HBONE either way",
      objs: [
        namespace("m", { "istio.io/dataplane-mode": "ambient" }),
        deploy("m", "amb", { ports: [8080] }),
        service("m", "amb", [{ port: 80, targetPort: 8080 }]),
        drop("ISTIO_MUTUAL", { name: "amb", host: host("amb", "m") }),
      ],
    },
    // Sidecars drop a credentialName without workloadSelector and send plaintext, as the untagged port does.
    {
      miss: "a top-level SIMPLE whose credentialName sidecars ignore",
      objs: [drop("SIMPLE", { tls: { credentialName: "srv-cert" } })],
    },
    {
      miss: "the port entry repeats the tls block",
      objs: [
        legacy(),
        destRule("b", "srv", SVC, {
          trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL" },
            portLevelSettings: [
              {
                port: { number: 80 },
                tls: { mode: "ISTIO_MUTUAL" },
                loadBalancer: { simple: "LEAST_REQUEST" },
              },
            ],
          },
        }),
      ],
    },
    {
      miss: "no top-level tls (nothing to drop)",
      objs: [legacy(), destRule("b", "srv", SVC, { trafficPolicy: { portLevelSettings: [pool(80)] } })],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(runWith(...objs), "dr.port-settings-drop-tls")).toEqual([]);
  });

  it.each([
    {
      miss: "a policy-only folder and a top-level ISTIO_MUTUAL (auto mTLS may send the same)",
      objs: [drop("ISTIO_MUTUAL", { host: "up.example.com" })],
    },
    {
      miss: "a host the inputs show nothing serves (dr.host-not-found's case)",
      objs: [...mesh, drop("SIMPLE", { host: "up.example.com" })],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(run(objs), "dr.port-settings-drop-tls")).toEqual([]);
  });
});

describe("dr.mutual-missing-certs (error) [2.1]", () => {
  it.each([
    { case: "neither certificate nor key", extra: {} },
    { case: "a certificate without its key", extra: { clientCertificate: "/etc/certs/client.pem" } },
    { case: "a key without its certificate", extra: { privateKey: "/etc/certs/key.pem" } },
  ])("fires for MUTUAL with $case", ({ extra }) => {
    const f = only(runWith(destRule("b", "ext", EXT, tls("MUTUAL", extra))), "dr.mutual-missing-certs");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("b/ext");
    expect(f.message).toContain("spec.trafficPolicy.tls");
  });

  it("fires for MUTUAL without certificates in a subset", () => {
    const dr = destRule("b", "ext", EXT, {
      subsets: [{ name: "v2", labels: { version: "v2" }, trafficPolicy: { tls: { mode: "MUTUAL" } } }],
    });
    const f = only(runWith(dr), "dr.mutual-missing-certs");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("spec.subsets[0].trafficPolicy.tls");
  });

  it.each([
    {
      miss: "certificate and key files",
      tlsSpec: tls("MUTUAL", {
        clientCertificate: "/etc/certs/client.pem",
        privateKey: "/etc/certs/key.pem",
      }),
    },
    {
      miss: "credentialName (with workloadSelector, as sidecars need)",
      tlsSpec: {
        ...tls("MUTUAL", { credentialName: "client-cert" }),
        workloadSelector: { matchLabels: { app: "client" } },
      },
    },
    { miss: "SIMPLE (no client certificate needed)", tlsSpec: tls("SIMPLE") },
  ])("silent: MUTUAL with $miss", ({ tlsSpec }) => {
    expect(findingsOf(runWith(destRule("b", "ext", EXT, tlsSpec)), "dr.mutual-missing-certs")).toEqual([]);
  });
});

describe("dr.credential-name-plaintext (error) [2.2]", () => {
  it.each([
    { mode: "SIMPLE", extra: { credentialName: "ext-ca" } },
    { mode: "MUTUAL", extra: { credentialName: "client-cert" } },
  ])("fires for $mode with credentialName and no workloadSelector, used by sidecars", ({ mode, extra }) => {
    const f = only(runWith(destRule("b", "ext", EXT, tls(mode, extra))), "dr.credential-name-plaintext");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("b/ext");
    expect(f.message).toContain(extra.credentialName);
    expect(f.message).toContain(EXT);
    // The sidecar namespaces that apply it.
    for (const ns of ["a", "b", "c"]) expect(f.message).toContain(ns);
  });

  it("the sidecar client really sends plaintext (edge prediction)", () => {
    const s = run(
      [...mesh, destRule("b", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" }))],
      [call("a/client", EXT, "unknown", 1, { reporter: "source" })],
    );
    expect(s.edges[0]!.predicted.client).toEqual({
      tls: "DISABLE",
      origin: "destinationrule",
      destinationRule: drRef("b", "ext"),
    });
    expect(findingsOf(s, "dr.credential-name-plaintext")).toHaveLength(1);
  });

  it.each([
    {
      miss: "a workloadSelector (the sidecar loads the Secret)",
      spec: {
        ...tls("SIMPLE", { credentialName: "ext-ca" }),
        workloadSelector: { matchLabels: { app: "client" } },
      },
    },
    { miss: "a configmap:// credentialName", spec: tls("SIMPLE", { credentialName: "configmap://ext-ca" }) },
    {
      miss: "file certificates instead of credentialName",
      spec: tls("SIMPLE", { caCertificates: "/etc/certs/ca.pem" }),
    },
  ])("silent with $miss", ({ spec }) => {
    expect(findingsOf(runWith(destRule("b", "ext", EXT, spec)), "dr.credential-name-plaintext")).toEqual([]);
  });

  it("names only the namespaces whose sidecars really get it: a selector DR next to it that covers every sidecar of b takes its place there", () => {
    // Each sidecar's own lookup, labels included: b's only sidecar carries app=srv.
    const cover = destRule("b", "own-ext", EXT, {
      ...tls("SIMPLE", { caCertificates: "/etc/certs/ca.pem" }),
      workloadSelector: { matchLabels: { app: "srv" } },
    });
    const f = only(
      runWith(destRule("b", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" })), cover),
      "dr.credential-name-plaintext",
    );
    expect(f.message).toMatch(/sidecars in a and c ignore it/);
  });

  // Two DRs of a, both exportTo ".": Istio merges the catch-all into the selector DR (istio/istio#58322),
  // whose merged config keeps the selector, so a/client's sidecar loads the credential.
  it("silent, and the client originates TLS, when a selector DR swallows it (the merged set's selector counts)", () => {
    const all = destRule(
      "a",
      "all",
      EXT,
      { ...tls("SIMPLE", { credentialName: "ext-ca" }), exportTo: ["."] },
      T1,
    );
    const sel = destRule(
      "a",
      "sel",
      EXT,
      { exportTo: ["."], workloadSelector: { matchLabels: { app: "client" } } },
      T2,
    );
    const s = run([...mesh, all, sel], [call("a/client", EXT, "unknown", 1, { reporter: "source" })]);
    expect(s.edges[0]!.predicted.client).toEqual({
      tls: "SIMPLE",
      origin: "destinationrule",
      destinationRule: drRef("a", "all"),
    });
    expect(findingsOf(s, "dr.credential-name-plaintext")).toEqual([]);
  });

  it("near miss: the same catch-all without the selector DR is ignored by the sidecar", () => {
    const all = destRule(
      "a",
      "all",
      EXT,
      { ...tls("SIMPLE", { credentialName: "ext-ca" }), exportTo: ["."] },
      T1,
    );
    const s = run([...mesh, all], [call("a/client", EXT, "unknown", 1, { reporter: "source" })]);
    expect(s.edges[0]!.predicted.client.tls).toBe("DISABLE");
    expect(findingsOf(s, "dr.credential-name-plaintext")).toHaveLength(1);
  });

  it("silent for a host the inventory shows does not exist (no cluster, nothing sent: dr.host-not-found says so)", () => {
    const s = runWith(
      destRule("b", "other", "other.example.com", tls("SIMPLE", { credentialName: "ext-ca" })),
    );
    expect(findingsOf(s, "dr.credential-name-plaintext")).toEqual([]);
    expect(findingsOf(s, "dr.host-not-found")).toHaveLength(1);
  });

  it("still fires on a policy-only input, where the host cannot be checked (and dr.host-not-found stays silent)", () => {
    const s = run([
      injected("a"),
      deploy("a", "client"),
      destRule("a", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" })),
    ]);
    expect(only(s, "dr.credential-name-plaintext").message).toContain("sidecars in a");
    expect(findingsOf(s, "dr.host-not-found")).toEqual([]);
  });

  it("silent when no sidecar applies it (only gateways / unmeshed clients)", () => {
    const s = run([
      namespace("plain"),
      deploy("plain", "app"),
      serviceEntry("plain", "ext", [EXT]),
      destRule("plain", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" })),
    ]);
    expect(findingsOf(s, "dr.credential-name-plaintext")).toEqual([]);
  });

  // A sidecar with file-mounted client certificates gets a MUTUAL block rebuilt from its files before the
  // credentialName check (cluster_tls.go buildUpstreamTLSSettings → buildMutualTLS, then
  // buildUpstreamClusterTLSContext): it sends that MUTUAL, not plaintext. SIMPLE is never rebuilt, nor
  // is anything towards a MESH_EXTERNAL host.
  describe("sidecars with file-mounted client certificates", () => {
    const FILES = {
      ISTIO_META_TLS_CLIENT_CERT_CHAIN: "/c/chain.pem",
      ISTIO_META_TLS_CLIENT_KEY: "/c/key.pem",
      ISTIO_META_TLS_CLIENT_ROOT_CERT: "/c/root.pem",
    };
    const files = meshConfig(`defaultConfig:\n  proxyMetadata: ${JSON.stringify(FILES)}\n`);
    // subjectAltNames, as upstream's file_mounted_certs DR (else auto SAN validation leaves the edge unknown).
    const mutualCred = (h: string, name: string) =>
      destRule("b", name, h, tls("MUTUAL", { credentialName: "client-cert", subjectAltNames: [h] }));

    it("silent for MUTUAL towards the meshed Service, whose edge is the files' MUTUAL; without the files it fires", () => {
      const s = run(
        [...mesh, files, mutualCred(SVC, "srv"), peerAuth("b", "default", "STRICT")],
        [call("a/client", SVC, "unknown", 1, { reporter: "source" })],
      );
      expect(findingsOf(s, "dr.credential-name-plaintext")).toEqual([]);
      expect(s.edges[0]!.predicted).toMatchObject({
        client: { tls: "MUTUAL", origin: "destinationrule" },
        verdict: "mtls",
      });
      only(runWith(mutualCred(SVC, "srv")), "dr.credential-name-plaintext");
    });

    it.each([
      {
        miss: "SIMPLE (never rebuilt)",
        dr: destRule("b", "srv", SVC, tls("SIMPLE", { credentialName: "ext-ca" })),
      },
      {
        miss: "MUTUAL towards a MESH_EXTERNAL host (its DR TLS is kept as written)",
        dr: mutualCred(EXT, "ext"),
      },
    ])("near miss: still fires for $miss", ({ dr }) => {
      only(runWith(files, dr), "dr.credential-name-plaintext");
    });

    it("names only the namespaces whose sidecars lack the files (a pod's own ProxyConfig)", () => {
      const own = { "proxy.istio.io/config": JSON.stringify({ proxyMetadata: FILES }) };
      const objs = [
        ...mesh.filter((o) => !(o.kind === "Deployment" && o.metadata.namespace === "a")),
        deploy("a", "client", { annotations: own }),
        mutualCred(SVC, "srv"),
      ];
      expect(only(run(objs), "dr.credential-name-plaintext").message).toMatch(
        /sidecars in b and c ignore it/,
      );
    });
  });
});

// Istio's egress-gateway mTLS origination (egress-gateway-tls-origination): a credentialName DR in the
// root namespace, meant for the egress gateway, and a mesh VirtualService sending every sidecar call to
// the host to the gateway. A sidecar whose every call on the DR's port is routed elsewhere never uses
// the host's cluster (route.go buildSidecarVirtualHostsForVirtualService, tls.go
// buildSidecarOutboundTCPFilterChainOpts); any route that may stay on the host keeps the finding.
describe("dr.credential-name-plaintext behind a mesh route to the egress gateway", () => {
  const NGINX = host("my-nginx", "mesh-external");
  const EGRESS = host("istio-egressgateway", "istio-system");
  const toGateway = { destination: { host: EGRESS, subset: "nginx", port: { number: 443 } } };
  const nginxPort = (name: string): PortSpec => ({ port: 443, name });
  const base = (portName: string): KubeObject[] => [
    namespace("istio-system"),
    injected("a"),
    injected("c"),
    deploy("a", "client"),
    deploy("c", "client"),
    namespace("mesh-external"),
    deploy("mesh-external", "my-nginx", { ports: [443] }),
    service("mesh-external", "my-nginx", [nginxPort(portName)]),
    destRule("istio-system", "originate-mtls-for-nginx", NGINX, {
      trafficPolicy: {
        portLevelSettings: [
          { port: { number: 443 }, tls: { mode: "MUTUAL", credentialName: "client-credential" } },
        ],
      },
    }),
  ];
  const vsFor = (spec: Record<string, unknown>, hosts = [NGINX], ns = "default"): KubeObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "direct-nginx-through-egress-gateway", namespace: ns },
    spec: { hosts, gateways: ["istio-egressgateway", "mesh"], ...spec },
  });
  const gatewayHop = {
    match: [{ gateways: ["istio-egressgateway"], port: 443 }],
    route: [{ destination: { host: NGINX, port: { number: 443 } } }],
  };
  const meshHttp = (match: Record<string, unknown> | null) => ({
    ...(match ? { match: [{ gateways: ["mesh"], ...match }] } : {}),
    route: [toGateway],
  });
  /** An http route whose match names no gateways (the VirtualService's apply): its source conditions count. */
  const httpToGateway = (match: Record<string, unknown>) => ({ match: [match], route: [toGateway] });
  const tcpToGateway = (match: Record<string, unknown> | null) => ({
    ...(match ? { match: [match] } : {}),
    route: [toGateway],
  });

  it.each<{ case: string; port: string; objs: KubeObject[]; users: string[]; samples?: TrafficSample[] }>([
    { case: "no VirtualService", port: "http", objs: [], users: ["a", "c"] },
    // The doc's own VirtualService routes the mesh hop on port 80 only: on 443 the sidecar builds none of its
    // routes ("len(routes) == 0"), so the default route to outbound|443||my-nginx stays.
    {
      case: "the mesh route matches another port (the doc's port 80)",
      port: "",
      objs: [vsFor({ http: [meshHttp({ port: 80 }), gatewayHop] })],
      users: ["a", "c"],
    },
    {
      case: "an HTTP port whose mesh route matches another port",
      port: "http",
      objs: [vsFor({ http: [meshHttp({ port: 80 }), gatewayHop] })],
      users: ["a", "c"],
    },
    // A sniffed (unnamed) port also gets a TCP filter chain, which keeps its default to the cluster without a tcp catch-all.
    {
      case: "a sniffed port with only http routes",
      port: "",
      objs: [vsFor({ http: [meshHttp({ port: 443 }), gatewayHop] })],
      users: ["a", "c"],
    },
    {
      case: "a TCP port whose tcp route has a destinationSubnets match",
      port: "tcp",
      objs: [vsFor({ tcp: [tcpToGateway({ port: 443, destinationSubnets: ["10.0.0.0/8"] })] })],
      users: ["a", "c"],
    },
    {
      case: "a route that may stay on the host (a second route to my-nginx itself)",
      port: "http",
      objs: [
        vsFor({
          http: [meshHttp({ headers: { x: { exact: "1" } } }), { route: [{ destination: { host: NGINX } }] }],
        }),
      ],
      users: ["a", "c"],
    },
    // sourceMatchHTTP (route.go) checks sourceLabels and sourceNamespace only for a match without gateways.
    {
      case: "a match on labels the client does not carry (no route built for it)",
      port: "http",
      objs: [vsFor({ http: [httpToGateway({ sourceLabels: { app: "other" } }), gatewayHop] })],
      users: ["a", "c"],
    },
    {
      case: "a match for another source namespace (no route built for it)",
      port: "http",
      objs: [vsFor({ http: [httpToGateway({ sourceNamespace: "zzz" }), gatewayHop] })],
      users: ["a", "c"],
    },
    {
      case: "a match for c's namespace only",
      port: "http",
      objs: [vsFor({ http: [httpToGateway({ sourceNamespace: "c" }), gatewayHop] })],
      users: ["a"],
    },
    // matchTCP (tls.go) checks every condition, gateways or not.
    {
      case: "a tcp match naming mesh on labels the client does not carry",
      port: "tcp",
      objs: [vsFor({ tcp: [tcpToGateway({ gateways: ["mesh"], sourceLabels: { app: "other" } })] })],
      users: ["a", "c"],
    },
    {
      case: "a wildcard VirtualService",
      port: "http",
      objs: [vsFor({ http: [meshHttp(null)] }, ["*.mesh-external.svc.cluster.local"])],
      users: ["a", "c"],
    },
    {
      case: "the VirtualService exported to a only (c does not see it)",
      port: "http",
      objs: [vsFor({ http: [meshHttp(null)], exportTo: ["a"] })],
      users: ["c"],
    },
    {
      case: "a's Sidecar egress does not import the VirtualService's namespace",
      port: "http",
      objs: [
        vsFor({ http: [meshHttp(null)] }),
        sidecarResource("a", "default", ["mesh-external/*", "istio-system/*"]),
      ],
      users: ["a"],
    },
    {
      case: "a/client observed calling my-nginx:443 itself",
      port: "http",
      objs: [vsFor({ http: [meshHttp(null)] })],
      users: ["a"],
      samples: [call("a/client", NGINX, "none", 1, { reporter: "source" })],
    },
  ])("fires, naming the sidecars that may still use the cluster: $case", ({ port, objs, users, samples }) => {
    const f = only(run([...base(port), ...objs], samples ?? []), "dr.credential-name-plaintext");
    expect(f.resources).toEqual([drRef("istio-system", "originate-mtls-for-nginx")]);
    expect(f.message).toContain(`sidecars in ${users.join(" and ")} ignore it`);
  });

  // A ServiceEntry port without protocol is sniffed (ValidateProtocol accepts ""; protocol.Parse("") is
  // Unsupported, IsHTTPOrSniffed): its listener has the HTTP route table, whose default route
  // BuildSidecarVirtualHostWrapper adds unless a VirtualService builds an http route there, beside the TCP chains.
  const seNginx = (protocol: string | null): KubeObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: { name: "my-nginx", namespace: "mesh-external" },
    spec: {
      hosts: [NGINX],
      location: "MESH_EXTERNAL",
      resolution: "DNS",
      ports: [{ number: 443, name: "p443", ...(protocol ? { protocol } : {}) }],
    },
  });
  const seBase = (protocol: string | null) => [
    ...base("").filter((o) => o.kind !== "Service"),
    seNginx(protocol),
  ];
  it.each<{ case: string; protocol: string | null; routes: Record<string, unknown>; fires: boolean }>([
    {
      case: "no protocol (sniffed), a tcp catch-all only: the HTTP half keeps the default route",
      protocol: null,
      routes: { tcp: [tcpToGateway(null)] },
      fires: true,
    },
    {
      case: "no protocol (sniffed), http routes only: the TCP half keeps the default chain",
      protocol: null,
      routes: { http: [meshHttp(null)] },
      fires: true,
    },
    {
      case: "no protocol (sniffed), an http route and a tcp catch-all",
      protocol: null,
      routes: { http: [meshHttp(null)], tcp: [tcpToGateway(null)] },
      fires: false,
    },
    {
      case: "protocol TCP, a tcp catch-all",
      protocol: "TCP",
      routes: { tcp: [tcpToGateway(null)] },
      fires: false,
    },
    {
      case: "protocol HTTP, an http route",
      protocol: "HTTP",
      routes: { http: [meshHttp(null)] },
      fires: false,
    },
  ])("a ServiceEntry port: $case", ({ protocol, routes, fires }) => {
    const s = run([...seBase(protocol), vsFor(routes)]);
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(findingsOf(s, "dr.credential-name-plaintext").map((f) => f.message)).toEqual(
      fires ? [expect.stringContaining("sidecars in a and c ignore it")] : [],
    );
  });

  // A mirror is a second request the sidecar sends through outbound|port||mirrorHost (applyHTTPRouteDestination:
  // RequestMirrorPolicies from TranslateRequestMirrorPolicy, for mirror and each mirrors[] entry, unless its
  // percentage is 0): a mesh route mirroring to my-nginx leads to its cluster like a route to it.
  const mirrorVs = (mirror: Record<string, unknown>, gateways?: string[]): KubeObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "mirror-to-nginx", namespace: "a" },
    spec: {
      hosts: ["other"],
      ...(gateways ? { gateways } : {}),
      http: [{ route: [{ destination: { host: "other" } }], ...mirror }],
    },
  });
  const nginxDest = { host: NGINX, port: { number: 443 } };
  it.each<{ case: string; mirror: KubeObject; fires: boolean }>([
    { case: "mirror", mirror: mirrorVs({ mirror: nginxDest }), fires: true },
    {
      case: "mirror with mirrorPercentage 50",
      mirror: mirrorVs({ mirror: nginxDest, mirrorPercentage: { value: 50 } }),
      fires: true,
    },
    { case: "mirrors[]", mirror: mirrorVs({ mirrors: [{ destination: nginxDest }] }), fires: true },
    {
      case: "mirror with mirrorPercentage 0 (MirrorPercent: no mirror)",
      mirror: mirrorVs({ mirror: nginxDest, mirrorPercentage: { value: 0 } }),
      fires: false,
    },
    {
      case: "mirror with the deprecated mirrorPercent 0",
      mirror: mirrorVs({ mirror: nginxDest, mirrorPercent: 0 }),
      fires: false,
    },
    {
      case: "mirrors[] with percentage 0 (MirrorPercentByPolicy)",
      mirror: mirrorVs({ mirrors: [{ destination: nginxDest, percentage: { value: 0 } }] }),
      fires: false,
    },
    {
      case: "mirror on a route a redirect replaces (translateRoute builds no destination)",
      mirror: mirrorVs({ route: undefined, redirect: { uri: "/x" }, mirror: nginxDest }),
      fires: false,
    },
    {
      case: "mirror in a VirtualService bound to a gateway only",
      mirror: mirrorVs({ mirror: nginxDest }, ["istio-egressgateway"]),
      fires: false,
    },
  ])("a mesh route mirroring to the host keeps its cluster in use: $case", ({ mirror, fires }) => {
    const s = run([...base("http"), vsFor({ http: [meshHttp(null)] }), mirror]);
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(findingsOf(s, "dr.credential-name-plaintext").map((f) => f.message)).toEqual(
      fires ? [expect.stringContaining("sidecars in a and c ignore it")] : [],
    );
  });

  it("a top-level credential covers every port: a route for 443 alone leaves 8443 on the cluster (near miss: a route for both)", () => {
    const objs = (ports: number[]) => [
      ...base("http").filter((o) => o.kind !== "Service" && o.kind !== "DestinationRule"),
      service("mesh-external", "my-nginx", [nginxPort("http-a"), { port: 8443, name: "http-b" }]),
      destRule(
        "istio-system",
        "originate-mtls-for-nginx",
        NGINX,
        tls("MUTUAL", { credentialName: "client-credential" }),
      ),
      vsFor({ http: ports.map((port) => meshHttp({ port })) }),
    ];
    expect(only(run(objs([443])), "dr.credential-name-plaintext").message).toContain(
      "sidecars in a and c ignore it",
    );
    expect(findingsOf(run(objs([443, 8443])), "dr.credential-name-plaintext")).toEqual([]);
    // Routed away on both ports, but a/client is observed calling my-nginx itself: it alone is named.
    const observed = run(objs([443, 8443]), [call("a/client", NGINX, "none", 1, { reporter: "source" })]);
    expect(only(observed, "dr.credential-name-plaintext").message).toContain("sidecars in a ignore it");
  });

  it.each<{ case: string; port: string; objs: KubeObject[]; samples?: TrafficSample[] }>([
    {
      case: "an HTTP port, every mesh call routed to the gateway by a route matching port 443",
      port: "http",
      objs: [vsFor({ http: [meshHttp({ port: 443 }), gatewayHop] })],
    },
    {
      case: "an HTTP port, a route without match",
      port: "http",
      objs: [vsFor({ http: [meshHttp(null), gatewayHop] })],
    },
    // uri/header matches are Envoy's, per request: the route is built, and a request matching none gets 404 NR, not the default route.
    {
      case: "an HTTP port, a header match only",
      port: "http",
      objs: [vsFor({ http: [meshHttp({ headers: { x: { exact: "1" } } })] })],
    },
    {
      case: "a sniffed port with an http route and a tcp catch-all",
      port: "",
      objs: [vsFor({ http: [meshHttp({ port: 443 }), gatewayHop], tcp: [tcpToGateway({ port: 443 })] })],
    },
    {
      case: "a TCP port with a tcp route without match",
      port: "tcp",
      objs: [vsFor({ tcp: [tcpToGateway(null)] })],
    },
    // A match with gateways is built for every proxy of a gateway it names, "mesh" for every sidecar:
    // sourceMatchHTTP returns before it looks at sourceLabels or sourceNamespace.
    {
      case: "an http match naming mesh on labels the client does not carry",
      port: "http",
      objs: [vsFor({ http: [meshHttp({ sourceLabels: { app: "other" } }), gatewayHop] })],
    },
    {
      case: "an http match naming mesh for another source namespace",
      port: "http",
      objs: [vsFor({ http: [meshHttp({ sourceNamespace: "zzz" }), gatewayHop] })],
    },
    {
      case: "a TLS port with a tls route on its SNI",
      port: "tls",
      objs: [vsFor({ tls: [{ match: [{ port: 443, sniHosts: [NGINX] }], route: [toGateway] }] })],
    },
    {
      case: "the VirtualService in the client namespace and exported to a and c",
      port: "http",
      objs: [vsFor({ http: [meshHttp(null)], exportTo: ["a", "c"] }, [NGINX], "a")],
    },
    // The gateway's own call to my-nginx:443 is the DR's purpose; gateways are not the finding's sidecars.
    {
      case: "an observed sidecar call to the gateway only",
      port: "http",
      objs: [vsFor({ http: [meshHttp(null)] })],
      samples: [call("a/client", EGRESS, "mutual_tls", 1)],
    },
  ])("silent when no sidecar uses the cluster on the DR's port: $case", ({ port, objs, samples }) => {
    expect(findingsOf(run([...base(port), ...objs], samples ?? []), "dr.credential-name-plaintext")).toEqual(
      [],
    );
  });
});

describe("dr.insecure-skip-verify (warning)", () => {
  it.each([
    {
      where: "top level",
      dr: destRule("b", "ext", EXT, tls("SIMPLE", { insecureSkipVerify: true })),
      path: "spec.trafficPolicy.tls",
    },
    {
      where: "a port-level entry",
      dr: destRule("b", "ext", EXT, {
        trafficPolicy: {
          portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE", insecureSkipVerify: true } }],
        },
      }),
      path: "port 443",
    },
  ])("fires at $where", ({ dr, path }) => {
    const f = only(runWith(dr), "dr.insecure-skip-verify");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("b/ext");
    expect(f.message).toContain(path);
    expect(f.message).toContain(EXT);
  });

  it.each([
    { miss: "insecureSkipVerify: false", spec: tls("SIMPLE", { insecureSkipVerify: false }) },
    { miss: "caCertificates instead", spec: tls("SIMPLE", { caCertificates: "/etc/certs/ca.pem" }) },
  ])("silent with $miss", ({ spec }) => {
    expect(findingsOf(runWith(destRule("b", "ext", EXT, spec)), "dr.insecure-skip-verify")).toEqual([]);
  });
});

describe("dr.non-istio-tls-to-mesh (warning) [4]", () => {
  it.each([
    { mode: "SIMPLE", extra: {} },
    { mode: "MUTUAL", extra: { clientCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" } },
  ])("fires for $mode towards a Service whose endpoints have sidecars", ({ mode, extra }) => {
    const f = only(runWith(destRule("b", "srv", SVC, tls(mode, extra))), "dr.non-istio-tls-to-mesh");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "srv")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain(mode);
    expect(f.message).toContain(SVC);
  });

  it.each([
    { miss: "ISTIO_MUTUAL to the meshed Service", objs: [destRule("b", "srv", SVC, tls("ISTIO_MUTUAL"))] },
    { miss: "SIMPLE to an external host", objs: [destRule("b", "ext", EXT, tls("SIMPLE"))] },
    {
      miss: "SIMPLE to a Service whose endpoints have no proxy",
      objs: [
        namespace("plain"),
        deploy("plain", "db"),
        service("plain", "db", [5432]),
        destRule("plain", "db", host("db", "plain"), tls("SIMPLE")),
      ],
    },
    {
      // Sidecars carry the TLS inside HBONE to an ambient pod, and ztunnel ignores DRs (istio.md §9.10):
      // it neither bypasses mesh identity nor fails against STRICT.
      miss: "SIMPLE to a Service whose endpoints are ambient",
      objs: [
        namespace("amb", { "istio.io/dataplane-mode": "ambient" }),
        deploy("amb", "db", { ports: [5432] }),
        service("amb", "db", [5432]),
        destRule("a", "db", host("db", "amb"), tls("SIMPLE")),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(runWith(...objs), "dr.non-istio-tls-to-mesh")).toEqual([]);
  });

  // Callers with file-mounted client certificates get MUTUAL rebuilt from their files (predictEdge
  // drFileSend): a STRICT port terminates it, a PERMISSIVE one does not (no Istio ALPN). Decided from the
  // sidecars that use the DR, each with its own ProxyConfig merged over the mesh's, key by key.
  describe("callers with file-mounted client certificates", () => {
    const FILES = {
      ISTIO_META_TLS_CLIENT_CERT_CHAIN: "/c/chain.pem",
      ISTIO_META_TLS_CLIENT_KEY: "/c/key.pem",
      ISTIO_META_TLS_CLIENT_ROOT_CERT: "/c/root.pem",
    };
    const files = (keys: Record<string, string> = FILES) =>
      meshConfig(`defaultConfig:\n  proxyMetadata: ${JSON.stringify(keys)}\n`);
    const strict = peerAuth("b", "default", "STRICT");
    const mutual = destRule(
      "b",
      "srv",
      SVC,
      tls("MUTUAL", { clientCertificate: "/c/chain.pem", privateKey: "/c/key.pem" }),
    );
    const podFiles = (keys: Record<string, string>) => ({
      "proxy.istio.io/config": JSON.stringify({ proxyMetadata: keys }),
    });
    /** The mesh with each sidecar's own proxy.istio.io/config. */
    const annotated = (own: Record<string, Record<string, string>>) =>
      mesh.map((o) =>
        o.kind === "Deployment" && own[`${o.metadata.namespace}/${o.metadata.name}`]
          ? deploy(o.metadata.namespace!, o.metadata.name, {
              annotations: own[`${o.metadata.namespace}/${o.metadata.name}`],
              ports: o.metadata.name === "srv" ? [8080] : undefined,
            })
          : o,
      );

    it.each([
      { how: "the mesh's defaultConfig", objs: [...mesh, files()] },
      // Upstream's TestClientToServiceTls: each echo's proxy.istio.io/config names the files.
      {
        how: "each pod's own ProxyConfig",
        objs: annotated({
          "a/client": podFiles(FILES),
          "c/client": podFiles(FILES),
          "b/srv": podFiles(FILES),
        }),
      },
    ])(
      "silent for MUTUAL towards a STRICT Service when every sidecar using the DR has them ($how)",
      ({ objs }) => {
        expect(findingsOf(run([...objs, strict, mutual]), "dr.non-istio-tls-to-mesh")).toEqual([]);
      },
    );

    it.each([
      {
        how: "one sidecar's ProxyConfig empties the chain ('' overrides the mesh's)",
        objs: [...annotated({ "c/client": podFiles({ ISTIO_META_TLS_CLIENT_CERT_CHAIN: "" }) }), files()],
      },
      {
        how: "one sidecar using the DR has no files",
        objs: annotated({ "a/client": podFiles(FILES), "c/client": podFiles(FILES) }),
      },
    ])("fires as before when $how", ({ objs }) => {
      expect(only(run([...objs, strict, mutual]), "dr.non-istio-tls-to-mesh").message).toContain(
        "this bypasses mesh identity and fails against STRICT",
      );
    });

    // The rule looks the DR up once per (revision, namespace) of sidecars, except in a namespace with a
    // workloadSelector DR, where the client's labels decide (per workload). A selector MUTUAL DR that takes
    // only a/legacy (no files), listed after a/client (files, not selected): the group's first member must not
    // speak for a/legacy.
    it.each([
      {
        how: "the selected sidecar has no files",
        legacy: { ISTIO_META_TLS_CLIENT_CERT_CHAIN: "" },
        fires: true,
      },
      { how: "the selected sidecar has the files too", legacy: FILES, fires: false },
    ])(
      "a workloadSelector MUTUAL DR is decided by the sidecars it selects: fires=$fires when $how",
      ({ legacy, fires }) => {
        const selected = destRule("a", "legacy-srv", SVC, {
          workloadSelector: { matchLabels: { app: "legacy" } },
          ...tls("MUTUAL", { clientCertificate: "/c/chain.pem", privateKey: "/c/key.pem" }),
        });
        const objs = [
          ...mesh,
          files(),
          strict,
          deploy("a", "legacy", { annotations: podFiles(legacy) }),
          selected,
        ];
        expect(findingsOf(run(objs), "dr.non-istio-tls-to-mesh").map((f) => f.resources)).toEqual(
          fires ? [[{ kind: "DestinationRule", namespace: "a", name: "legacy-srv" }]] : [],
        );
      },
    );

    it("fires towards a PERMISSIVE port, which passes the files' MUTUAL through or refuses it, naming the port", () => {
      const f = only(runWith(files(), mutual), "dr.non-istio-tls-to-mesh");
      expect(f.message).toContain("file-mounted client certificates");
      expect(f.message).toContain("b/srv port 8080 is PERMISSIVE, where it is refused");
      expect(f.fix).toContain("STRICT");
    });

    it("near miss: SIMPLE still fires with the files everywhere (never rebuilt)", () => {
      expect(
        only(runWith(files(), strict, destRule("b", "srv", SVC, tls("SIMPLE"))), "dr.non-istio-tls-to-mesh")
          .message,
      ).toContain("sets SIMPLE");
    });
  });
});

describe("dr.host-not-found (warning) [2.4]", () => {
  it.each([
    {
      case: "an FQDN with a typo",
      dr: destRule("b", "srv", "sVr.b.svc.cluster.local"),
      resolved: "sVr.b.svc.cluster.local",
    },
    {
      case: "a short host in another namespace than the Service",
      dr: destRule("a", "srv", "srv"),
      resolved: "srv.a.svc.cluster.local",
    },
    { case: "a half-qualified host (taken literally)", dr: destRule("a", "srv", "srv.b"), resolved: "srv.b" },
    {
      case: "an external host without ServiceEntry",
      dr: destRule("b", "other", "other.example.com"),
      resolved: "other.example.com",
    },
  ])("fires for $case", ({ dr, resolved }) => {
    const f = only(runWith(dr), "dr.host-not-found");
    expect(f.severity).toBe("warning");
    const meta = dr.metadata;
    expect(f.resources).toEqual([drRef(meta.namespace!, meta.name)]);
    expect(f.message).toContain(`${meta.namespace}/${meta.name}`);
    expect(f.message).toContain(resolved);
  });

  it.each([
    { miss: "the Service's FQDN", dr: destRule("a", "srv", SVC) },
    { miss: "a short host in the Service's namespace", dr: destRule("b", "srv", "srv") },
    { miss: "a ServiceEntry host", dr: destRule("a", "ext", EXT) },
    { miss: "a wildcard that matches a Service", dr: destRule("a", "all", "*.local") },
  ])("silent for $miss", ({ dr }) => {
    expect(findingsOf(runWith(dr), "dr.host-not-found")).toEqual([]);
  });

  // A rule that cannot decide says nothing (findings.md).
  it("silent on a policy-only input: no Service or ServiceEntry at all to look the host up in", () => {
    expect(
      findingsOf(
        run([injected("a"), destRule("a", "srv", SVC), destRule("a", "x", "other.example.com")]),
        "dr.host-not-found",
      ),
    ).toEqual([]);
  });

  it.each([
    {
      gap: "Services forbidden in the host's namespace",
      c: { kind: "Service", namespace: "z", reason: "forbidden" as const },
      fires: false,
    },
    {
      gap: "Services forbidden cluster-wide",
      c: { kind: "Service", reason: "forbidden" as const },
      fires: false,
    },
    {
      gap: "Services forbidden in another namespace",
      c: { kind: "Service", namespace: "y", reason: "forbidden" as const },
      fires: true,
    },
  ])("with $gap: fires=$fires", ({ c, fires }) => {
    const snap = analyze(
      { objects: loaded([...mesh, destRule("a", "gone", host("gone", "z"))]), configDumps: [], problems: [] },
      { now: NOW, source: { type: "manifests" }, completeness: [{ ...c, message: "403" }] },
    );
    expect(findingsOf(snap, "dr.host-not-found")).toHaveLength(fires ? 1 : 0);
  });
});

describe("dr.duplicate-host (warning) [2.4]", () => {
  it.each([
    {
      case: "two DRs, different ages",
      drs: [
        destRule("b", "late", SVC, tls("DISABLE"), T2),
        destRule("b", "early", SVC, tls("ISTIO_MUTUAL"), T1),
      ],
      resources: [drRef("b", "late"), drRef("b", "early")],
    },
    {
      case: "same age: the name decides",
      drs: [destRule("b", "zz", SVC, tls("DISABLE"), T1), destRule("b", "aa", SVC, tls("ISTIO_MUTUAL"), T1)],
      resources: [drRef("b", "zz"), drRef("b", "aa")],
    },
    {
      case: "a short host and its FQDN are the same host",
      drs: [
        destRule("b", "short", "srv", tls("DISABLE"), T2),
        destRule("b", "long", SVC, tls("ISTIO_MUTUAL"), T1),
      ],
      resources: [drRef("b", "short"), drRef("b", "long")],
    },
  ])("fires for $case; the ignored one first, then the one that wins", ({ drs, resources }) => {
    const f = only(runWith(...drs), "dr.duplicate-host");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual(resources);
    const winner = resources[resources.length - 1]!;
    expect(f.message).toContain(SVC);
    expect(f.message).toContain(`oldest, b/${winner.name}`);
    expect(f.message).toContain(`b/${resources[0]!.name}`);
  });

  it("the winner's policy is the one applied", () => {
    const s = run(
      [
        ...mesh,
        destRule("b", "late", SVC, tls("DISABLE"), T2),
        destRule("b", "early", SVC, tls("ISTIO_MUTUAL"), T1),
      ],
      [call("c/client", SVC, "mutual_tls")],
    );
    expect(s.edges[0]!.predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      destinationRule: drRef("b", "early"),
    });
  });

  it.each([
    {
      miss: "one DR per namespace for the same host (tiers, not duplicates)",
      drs: [destRule("a", "srv", SVC, tls("ISTIO_MUTUAL")), destRule("b", "srv", SVC, tls("ISTIO_MUTUAL"))],
    },
    {
      miss: "two DRs in one namespace for different hosts",
      drs: [destRule("b", "srv", SVC, tls("ISTIO_MUTUAL")), destRule("b", "ext", EXT, tls("SIMPLE"))],
    },
    {
      miss: "two DRs for one host with different exportTo (kept apart by Istio)",
      drs: [
        destRule("b", "local", SVC, { ...tls("ISTIO_MUTUAL"), exportTo: ["."] }),
        destRule("b", "public", SVC, { ...tls("ISTIO_MUTUAL"), exportTo: ["*"] }),
      ],
    },
  ])("silent: $miss", ({ drs }) => {
    expect(findingsOf(runWith(...drs), "dr.duplicate-host")).toEqual([]);
  });
});

describe("dr.shadowed (warning) [2.4]", () => {
  const shadowing = [
    destRule("a", "all", "*.local", tls("ISTIO_MUTUAL")),
    destRule("b", "srv", SVC, tls("DISABLE")),
  ];

  it("fires when a client-namespace *.local DR hides the service's own DR; names the client", () => {
    const s = runWith(...shadowing);
    expect(findingsOf(s, "dr.shadowed")).toEqual([]); // no traffic, no known client
    const t = run([...mesh, ...shadowing], [call("a/client", SVC, "mutual_tls")]);
    const f = only(t, "dr.shadowed");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "srv"), drRef("a", "all")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain("a/all");
    expect(f.message).toContain("a/client");
    expect(f.message).toContain(SVC);
  });

  it("fires when a client-namespace DR hides a root-namespace DR for the same host", () => {
    const s = run(
      [
        ...mesh,
        destRule("a", "srv", SVC, tls("ISTIO_MUTUAL")),
        destRule("istio-system", "srv", SVC, tls("DISABLE")),
      ],
      [call("a/client", SVC, "mutual_tls")],
    );
    const f = only(s, "dr.shadowed");
    expect(f.resources).toEqual([drRef("istio-system", "srv"), drRef("a", "srv")]);
    expect(f.message).toContain("a/client");
  });

  it.each([
    {
      miss: "a client in a namespace without its own DR (the service's DR applies)",
      drs: shadowing,
      src: "c/client",
    },
    {
      miss: "the client namespace's DR is for other hosts",
      drs: [
        destRule("a", "own", "*.a.svc.cluster.local", tls("ISTIO_MUTUAL")),
        destRule("b", "srv", SVC, tls("DISABLE")),
      ],
      src: "a/client",
    },
    {
      // The usual layout: a mesh-wide default in the root namespace, refined per service. The
      // root *.local DR is a fallback, not something that "never applies": it applies to every
      // other host, and the more specific DR is meant to win.
      miss: "a root-namespace *.local default refined by a more specific DR in the service namespace",
      drs: [
        destRule("istio-system", "default", "*.local", tls("ISTIO_MUTUAL")),
        destRule("b", "srv", SVC, tls("ISTIO_MUTUAL")),
      ],
      src: "a/client",
    },
    {
      miss: "a service-namespace wildcard refined by the client namespace's exact-host DR",
      drs: [
        destRule("b", "ns-default", "*.b.svc.cluster.local", tls("ISTIO_MUTUAL")),
        destRule("a", "srv", SVC, tls("ISTIO_MUTUAL")),
      ],
      src: "a/client",
    },
  ])("silent: $miss", ({ drs, src }) => {
    expect(findingsOf(run([...mesh, ...drs], [call(src, SVC, "mutual_tls")]), "dr.shadowed")).toEqual([]);
  });
});

describe("dr.subset-only-tls (info) [2.3]", () => {
  const subsets = (withTls: boolean) => [
    { name: "v1", labels: { version: "v1" } },
    {
      name: "v2",
      labels: { version: "v2" },
      ...(withTls ? { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } } : {}),
    },
  ];

  it("fires when only a subset sets tls; names the subset", () => {
    const f = only(runWith(destRule("b", "srv", SVC, { subsets: subsets(true) })), "dr.subset-only-tls");
    expect(f.severity).toBe("info");
    expect(f.resources).toEqual([drRef("b", "srv")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain("v2");
    expect(f.message).not.toContain("v1");
    expect(f.message).toContain(SVC);
  });

  it.each([
    { miss: "top-level tls as well", spec: { ...tls("ISTIO_MUTUAL"), subsets: subsets(true) } },
    { miss: "no tls on any subset", spec: { subsets: subsets(false) } },
  ])("silent with $miss", ({ spec }) => {
    expect(findingsOf(runWith(destRule("b", "srv", SVC, spec)), "dr.subset-only-tls")).toEqual([]);
  });
});
