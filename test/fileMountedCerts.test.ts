// File-mounted client certificates: a proxy whose ProxyConfig's proxyMetadata names
// ISTIO_META_TLS_CLIENT_CERT_CHAIN (and _KEY, _ROOT_CERT) gets a DestinationRule's MUTUAL or ISTIO_MUTUAL,
// and auto mTLS, rebuilt by istiod as a MUTUAL from those files (pilot/pkg/networking/core/cluster_tls.go
// buildUpstreamTLSSettings → buildMutualTLS). What each server then does with it (docs/DECISIONS.md,
// "Istio integration tests as vectors"):
// - its TLS context has no Istio ALPN (constructUpstreamTLS); the outbound istio.alpn filter adds Istio's
//   HTTP ALPN unless the DR's policy, as written, is SIMPLE or MUTUAL (AddALPNOverrideToMetadata:
//   istio.alpn_override "false"), so a DR's ISTIO_MUTUAL and auto mTLS carry it on HTTP, a DR's MUTUAL never;
// - a STRICT port terminates any TLS; a PERMISSIVE one takes only Istio's ALPNs as mTLS and passes other
//   TLS of a TCP port to the application (filterchain_options.go);
// - being MUTUAL, auto mTLS's rebuilt TLS gets no per-endpoint tlsMode fallback (applyUpstreamTLSSettings).
import { describe, expect, it } from "vitest";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import type { MeshSnapshot } from "../lib/core/snapshot/schema";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  findingsOf,
  host,
  injected,
  meshConfig,
  namespace,
  peerAuth,
  run,
  service,
  tls,
} from "./kit";

const SRV = host("srv", "b"); // port http 80 → 8080
const PG = host("pg", "b"); // port tcp-pg 5432
const WEB = host("web", "b"); // port 9000 without protocol: sniffed
const DB = host("db", "plain"); // no proxy
const AMB = host("amb", "ambient");

const base: KubeObject[] = [
  injected("a"),
  injected("b"),
  namespace("plain"),
  deploy("a", "client"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080 }]),
  deploy("b", "pg", { ports: [5432] }),
  service("b", "pg", [{ port: 5432, name: "tcp-pg" }]),
  deploy("b", "web", { ports: [9000] }),
  service("b", "web", [{ port: 9000, name: "web" }]),
  deploy("plain", "db", { ports: [5432] }),
  service("plain", "db", [{ port: 5432, name: "tcp-pg" }]),
];

const FILES = {
  ISTIO_META_TLS_CLIENT_CERT_CHAIN: "/client-certs/cert-chain.pem",
  ISTIO_META_TLS_CLIENT_KEY: "/client-certs/key.pem",
  ISTIO_META_TLS_CLIENT_ROOT_CERT: "/client-certs/root-cert.pem",
};
const filesMesh = (keys: Record<string, string> = FILES, extra = "") =>
  meshConfig(`defaultConfig:\n  proxyMetadata: ${JSON.stringify(keys)}\n${extra}`);
const podFiles = (keys: Record<string, unknown>) => ({
  "proxy.istio.io/config": JSON.stringify({ proxyMetadata: keys }),
});
const withClient = (objs: KubeObject[], annotations: Record<string, string>) => [
  ...objs.filter((o) => !(o.kind === "Deployment" && o.metadata.name === "client")),
  deploy("a", "client", { annotations }),
];

/** A call known from the client side only (a broken edge has no destination-side series). */
const attempt = (h: string): TrafficSample => call("a/client", h, "unknown", 1, { reporter: "source" });
const errorsOf = (s: MeshSnapshot) =>
  s.findings.filter((f) => f.severity === "error" && f.code.startsWith("edge.")).map((f) => f.code);

const hostName = (h: string) => h.split(".")[0]!;
// The DRs name the server's SANs, as upstream's TestClientToServiceTls does (subjectAltNames
// [server.mounted-certs.svc], a DNS SAN its server secret carries); "…, no SANs" leaves them and sni out,
// so istiod turns on auto SNI and auto SAN validation (setAutoSniAndAutoSanValidation), which checks the
// server's certificate against each HTTP request's host.
const MUTUAL_FILES = {
  clientCertificate: "/client-certs/cert-chain.pem",
  privateKey: "/client-certs/key.pem",
};
const sans = (h: string) => ({ subjectAltNames: [h] });
const SENDERS: Record<string, (h: string) => KubeObject[]> = {
  "DR MUTUAL": (h) => [destRule("a", hostName(h), h, tls("MUTUAL", { ...MUTUAL_FILES, ...sans(h) }))],
  "DR ISTIO_MUTUAL": (h) => [destRule("a", hostName(h), h, tls("ISTIO_MUTUAL", sans(h)))],
  "DR MUTUAL, no SANs": (h) => [destRule("a", hostName(h), h, tls("MUTUAL", MUTUAL_FILES))],
  "DR ISTIO_MUTUAL, no SANs": (h) => [destRule("a", hostName(h), h, tls("ISTIO_MUTUAL"))],
  "DR ISTIO_MUTUAL, sni only": (h) => [destRule("a", hostName(h), h, tls("ISTIO_MUTUAL", { sni: h }))],
  "auto mTLS": () => [],
};
const disable = (app: string) => peerAuth("b", "off", "DISABLE", { selector: { app } });
const SERVERS: Record<string, [string, KubeObject[]]> = {
  "STRICT HTTP": [SRV, [peerAuth("b", "default", "STRICT")]],
  "STRICT TCP": [PG, [peerAuth("b", "default", "STRICT")]],
  "STRICT sniffed": [WEB, [peerAuth("b", "default", "STRICT")]],
  "PERMISSIVE HTTP": [SRV, []],
  "PERMISSIVE TCP": [PG, []],
  "PERMISSIVE sniffed": [WEB, []],
  "DISABLE HTTP": [SRV, [disable("srv")]],
  "DISABLE TCP": [PG, [disable("pg")]],
  "no proxy": [DB, []],
};

type Want = [verdict: string, tls: string, errors: string[]];
// sender, server, with the files in the mesh's defaultConfig, without them.
const TABLE: [string, string, Want, Want][] = [
  ["DR MUTUAL", "STRICT HTTP", ["mtls", "MUTUAL", []], ["broken", "MUTUAL", ["edge.tls-mismatch"]]],
  [
    "DR MUTUAL",
    "PERMISSIVE HTTP",
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
  ],
  ["DR MUTUAL", "PERMISSIVE TCP", ["tls", "MUTUAL", []], ["tls", "MUTUAL", []]],
  ["DR MUTUAL", "PERMISSIVE sniffed", ["tls", "MUTUAL", []], ["tls", "MUTUAL", []]],
  [
    "DR MUTUAL",
    "DISABLE HTTP",
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
  ],
  ["DR MUTUAL", "DISABLE TCP", ["tls", "MUTUAL", []], ["tls", "MUTUAL", []]],
  ["DR MUTUAL", "no proxy", ["tls", "MUTUAL", []], ["tls", "MUTUAL", []]],
  ["DR ISTIO_MUTUAL", "STRICT HTTP", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["DR ISTIO_MUTUAL", "PERMISSIVE HTTP", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  [
    "DR ISTIO_MUTUAL",
    "PERMISSIVE TCP",
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
    ["mtls", "ISTIO_MUTUAL", []],
  ],
  ["DR ISTIO_MUTUAL", "PERMISSIVE sniffed", ["unknown", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  [
    "DR ISTIO_MUTUAL",
    "DISABLE HTTP",
    ["broken", "MUTUAL", ["edge.mtls-to-disable"]],
    ["broken", "ISTIO_MUTUAL", ["edge.mtls-to-disable"]],
  ],
  [
    "DR ISTIO_MUTUAL",
    "DISABLE TCP",
    ["broken", "MUTUAL", ["edge.mtls-to-disable"]],
    ["broken", "ISTIO_MUTUAL", ["edge.mtls-to-disable"]],
  ],
  [
    "DR ISTIO_MUTUAL",
    "no proxy",
    ["broken", "MUTUAL", ["edge.mtls-to-no-proxy"]],
    ["broken", "ISTIO_MUTUAL", ["edge.mtls-to-no-proxy"]],
  ],
  // Auto SAN validation: a mesh-CA certificate carries only its SPIFFE ID, whether the server's names the
  // host is not in the inputs (unknown where the sidecar would terminate it). Only on HTTP or sniffed ports
  // (tcp_proxy reads no HTTP protocol options), only without sni and subjectAltNames.
  [
    "DR MUTUAL, no SANs",
    "STRICT HTTP",
    ["unknown", "MUTUAL", []],
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
  ],
  [
    "DR MUTUAL, no SANs",
    "STRICT sniffed",
    ["unknown", "MUTUAL", []],
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
  ],
  ["DR MUTUAL, no SANs", "STRICT TCP", ["mtls", "MUTUAL", []], ["broken", "MUTUAL", ["edge.tls-mismatch"]]],
  [
    "DR MUTUAL, no SANs",
    "PERMISSIVE HTTP",
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
  ],
  ["DR MUTUAL, no SANs", "no proxy", ["tls", "MUTUAL", []], ["tls", "MUTUAL", []]],
  ["DR ISTIO_MUTUAL, no SANs", "STRICT HTTP", ["unknown", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["DR ISTIO_MUTUAL, no SANs", "PERMISSIVE HTTP", ["unknown", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["DR ISTIO_MUTUAL, no SANs", "STRICT TCP", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  [
    "DR ISTIO_MUTUAL, no SANs",
    "PERMISSIVE TCP",
    ["broken", "MUTUAL", ["edge.tls-mismatch"]],
    ["mtls", "ISTIO_MUTUAL", []],
  ],
  [
    "DR ISTIO_MUTUAL, no SANs",
    "DISABLE HTTP",
    ["broken", "MUTUAL", ["edge.mtls-to-disable"]],
    ["broken", "ISTIO_MUTUAL", ["edge.mtls-to-disable"]],
  ],
  ["DR ISTIO_MUTUAL, sni only", "STRICT HTTP", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["DR ISTIO_MUTUAL, sni only", "PERMISSIVE HTTP", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["auto mTLS", "STRICT HTTP", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["auto mTLS", "STRICT sniffed", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["auto mTLS", "PERMISSIVE HTTP", ["mtls", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["auto mTLS", "PERMISSIVE TCP", ["broken", "MUTUAL", ["edge.tls-mismatch"]], ["mtls", "ISTIO_MUTUAL", []]],
  ["auto mTLS", "PERMISSIVE sniffed", ["unknown", "MUTUAL", []], ["mtls", "ISTIO_MUTUAL", []]],
  ["auto mTLS", "DISABLE HTTP", ["broken", "MUTUAL", ["edge.mtls-to-disable"]], ["plaintext", "DISABLE", []]],
  ["auto mTLS", "DISABLE TCP", ["broken", "MUTUAL", ["edge.mtls-to-disable"]], ["plaintext", "DISABLE", []]],
  ["auto mTLS", "no proxy", ["broken", "MUTUAL", ["edge.mtls-to-no-proxy"]], ["plaintext", "DISABLE", []]],
];

describe("what a proxy with file-mounted client certificates sends, and what each server does with it", () => {
  it.each(TABLE)("%s towards %s", (sender, server, withFiles, without) => {
    const [h, policy] = SERVERS[server]!;
    const objs = [...base, ...policy, ...SENDERS[sender]!(h)];
    for (const [files, [verdict, tlsSent, errors]] of [
      [true, withFiles],
      [false, without],
    ] as const) {
      const s = run([...objs, ...(files ? [filesMesh()] : [])], [attempt(h)]);
      const p = edgeOf(s, "a/client", h)!.predicted;
      expect({
        files,
        verdict: p.verdict,
        tls: p.client.tls,
        origin: p.client.origin,
        errors: errorsOf(s),
      }).toEqual({
        files,
        verdict,
        tls: tlsSent,
        origin: sender === "auto mTLS" ? "auto" : "destinationrule",
        errors,
      });
      if (files) {
        expect(p.reason).toContain("file-mounted certificates");
        // The verdict rests on the files being the mesh CA's (upstream's FILE_MOUNTED_CERTS setup).
        expect(p.reason).toContain("issued by the mesh CA");
        // Auto SAN validation is named exactly where it makes the edge unknown.
        expect(p.reason.includes("auto SAN validation")).toBe(
          sender.endsWith("no SANs") && verdict === "unknown",
        );
      }
    }
  });

  // The istio.alpn filter's skip reads the policy's mode for the port as written (port-level and subset
  // merged, AddALPNOverrideToMetadata(opts.policy.GetTls().GetMode())): a port entry's ISTIO_MUTUAL under
  // a top-level MUTUAL keeps Istio's ALPN on that port.
  it("the ALPN follows the port's own mode: a portLevelSettings ISTIO_MUTUAL under a top-level MUTUAL is mTLS at a PERMISSIVE HTTP port; the top-level MUTUAL alone is not", () => {
    const spec = (portTls: string) => ({
      trafficPolicy: {
        tls: { mode: "MUTUAL", clientCertificate: "/c.pem", privateKey: "/k.pem", subjectAltNames: [SRV] },
        portLevelSettings: [
          {
            port: { number: 80 },
            tls:
              portTls === "MUTUAL"
                ? {
                    mode: "MUTUAL",
                    clientCertificate: "/c.pem",
                    privateKey: "/k.pem",
                    subjectAltNames: [SRV],
                  }
                : { mode: portTls, subjectAltNames: [SRV] },
          },
        ],
      },
    });
    const verdict = (portTls: string) =>
      edgeOf(
        run([...base, filesMesh(), destRule("a", "srv", SRV, spec(portTls))], [attempt(SRV)]),
        "a/client",
        SRV,
      )!.predicted.verdict;
    expect(verdict("ISTIO_MUTUAL")).toBe("mtls");
    expect(verdict("MUTUAL")).toBe("broken");
  });

  it("a MESH_EXTERNAL host keeps the DR's own MUTUAL (PREFER_DESTINATIONRULE_TLS_FOR_EXTERNAL_SERVICES), and SIMPLE and DISABLE are never rebuilt", () => {
    const ext = {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: { name: "ext", namespace: "a" },
      spec: {
        hosts: ["api.example.com"],
        location: "MESH_EXTERNAL",
        resolution: "DNS",
        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
      },
    };
    for (const [objs, h, sent] of [
      [
        [
          ext,
          destRule(
            "a",
            "ext",
            "api.example.com",
            tls("MUTUAL", { clientCertificate: "/e/c.pem", privateKey: "/e/k.pem" }),
          ),
        ],
        "api.example.com",
        "MUTUAL",
      ],
      [[destRule("a", "srv", SRV, tls("SIMPLE"))], SRV, "SIMPLE"],
      [[destRule("a", "srv", SRV, tls("DISABLE"))], SRV, "DISABLE"],
    ] as const) {
      const p = edgeOf(run([...base, filesMesh(), ...objs], [attempt(h)]), "a/client", h)!.predicted;
      expect(p.client.tls).toBe(sent);
      expect(p.reason).not.toContain("file-mounted");
    }
  });
});

describe("auto mTLS from file-mounted certificates: one socket for every endpoint", () => {
  // A service whose endpoints are a sidecar pod and a pod without proxy.
  const MIX = host("mix", "b");
  const mixed = [
    deploy("b", "mix-meshed", { labels: { app: "mix" }, ports: [8080] }),
    deploy("b", "mix-legacy", {
      labels: { app: "mix" },
      annotations: { "sidecar.istio.io/inject": "false" },
      ports: [8080],
    }),
    service("b", "mix", [{ port: 80, targetPort: 8080 }]),
  ];

  it("sends the files' TLS to the endpoint without proxy too (no tlsMode-disabled match for MUTUAL): broken there; without the files, plaintext to it", () => {
    const s = run([...base, ...mixed, filesMesh()], [attempt(MIX)]);
    expect(edgeOf(s, "a/client", MIX)!.predicted).toMatchObject({
      client: { tls: "MUTUAL", origin: "auto" },
      verdict: "broken",
    });
    expect(edgeOf(s, "a/client", MIX)!.predicted.reason).toContain("b/mix-legacy has no proxy");
    expect(errorsOf(s)).toEqual(["edge.mtls-to-no-proxy"]);
    expect(s.findings.find((f) => f.code === "edge.mtls-to-no-proxy")!.fix).toContain("tls.mode DISABLE");
    const without = run([...base, ...mixed], [attempt(MIX)]);
    expect(edgeOf(without, "a/client", MIX)!.predicted).toMatchObject({
      client: { tls: "DISABLE", origin: "auto" },
      verdict: "plaintext",
    });
    expect(errorsOf(without)).toEqual([]);
  });

  it.each([
    // BestEffortInferServiceMTLSMode: MTLSDisable, so buildUpstreamTLSSettings returns nil before it looks at the files.
    {
      miss: "a headless service with an endpoint not labelled tlsMode=istio",
      objs: [...mixed.slice(0, 2), service("b", "mix", [{ port: 80, targetPort: 8080 }], { headless: true })],
    },
    { miss: "the service's namespace is DISABLE", objs: [...mixed, peerAuth("b", "default", "DISABLE")] },
    { miss: "auto mTLS is off", objs: mixed, mesh: "enableAutoMtls: false\n" },
  ])("near miss: no TLS at all where auto mTLS is off for the service: $miss", ({ objs, mesh }) => {
    const s = run([...base, ...objs, filesMesh(FILES, mesh)], [attempt(MIX)]);
    const p = edgeOf(s, "a/client", MIX)!.predicted;
    expect(p.client.tls).toBe("DISABLE");
    expect(p.reason).not.toContain("file-mounted");
    expect(errorsOf(s)).toEqual([]);
  });

  it("with HBONE (ambient on, ISTIO_META_ENABLE_HBONE): HBONE carries the files' TLS to an ambient pod, which Handshake does not claim as mTLS; without the files, HBONE mTLS", () => {
    const amb = [
      namespace("ambient", { "istio.io/dataplane-mode": "ambient" }),
      deploy("ambient", "amb", { ports: [8080] }),
      service("ambient", "amb", [{ port: 80, targetPort: 8080 }]),
    ];
    const hbone = { ISTIO_META_ENABLE_HBONE: "true" };
    const withFiles = edgeOf(
      run([...base, ...amb, filesMesh({ ...FILES, ...hbone })], [attempt(AMB)]),
      "a/client",
      AMB,
    )!.predicted;
    expect(withFiles).toMatchObject({ client: { tls: "HBONE", origin: "auto" }, verdict: "unknown" });
    expect(withFiles.reason).toContain("file-mounted certificates");
    const without = edgeOf(
      run([...base, ...amb, filesMesh(hbone)], [attempt(AMB)]),
      "a/client",
      AMB,
    )!.predicted;
    expect(without).toMatchObject({ client: { tls: "HBONE", origin: "auto" }, verdict: "mtls" });
  });
});

describe("incomplete file-mounted certificates: what istiod does with each missing file", () => {
  const strict = peerAuth("b", "default", "STRICT");
  const mutual = destRule(
    "a",
    "srv",
    SRV,
    tls("MUTUAL", { clientCertificate: "/c.pem", privateKey: "/k.pem", subjectAltNames: [SRV] }),
  );
  const noKey = { ISTIO_META_TLS_CLIENT_CERT_CHAIN: FILES.ISTIO_META_TLS_CLIENT_CERT_CHAIN };
  const noRoot = {
    ISTIO_META_TLS_CLIENT_CERT_CHAIN: FILES.ISTIO_META_TLS_CLIENT_CERT_CHAIN,
    ISTIO_META_TLS_CLIENT_KEY: FILES.ISTIO_META_TLS_CLIENT_KEY,
  };

  // constructUpstreamTLS: "client certificate and private key must not be empty"; applyUpstreamTLSSettings
  // logs it and returns without a transport socket (and without any HBONE or tlsMode match).
  it.each([
    { via: "a DR's MUTUAL", objs: [mutual], origin: "destinationrule" },
    {
      via: "a DR's ISTIO_MUTUAL",
      objs: [destRule("a", "srv", SRV, tls("ISTIO_MUTUAL"))],
      origin: "destinationrule",
    },
    { via: "auto mTLS", objs: [], origin: "auto" },
  ])(
    "a chain without key: plaintext ($via), which STRICT resets: edge.plaintext-to-strict naming the missing key",
    ({ objs, origin }) => {
      const s = run([...base, strict, ...objs, filesMesh(noKey)], [attempt(SRV)]);
      const p = edgeOf(s, "a/client", SRV)!.predicted;
      expect(p).toMatchObject({ client: { tls: "DISABLE", origin }, verdict: "broken" });
      expect(p.reason).toContain("without ISTIO_META_TLS_CLIENT_KEY");
      expect(errorsOf(s)).toEqual(["edge.plaintext-to-strict"]);
      expect(s.findings.find((f) => f.code === "edge.plaintext-to-strict")!.fix).toContain(
        "add ISTIO_META_TLS_CLIENT_KEY",
      );
    },
  );

  it("a chain without key towards a PERMISSIVE port: plaintext, with edge.plaintext naming the missing key", () => {
    const s = run([...base, filesMesh(noKey)], [attempt(SRV)]);
    expect(edgeOf(s, "a/client", SRV)!.predicted).toMatchObject({
      client: { tls: "DISABLE", origin: "auto" },
      verdict: "plaintext",
    });
    expect(findingsOf(s, "edge.plaintext").map((f) => f.fix)).toEqual([
      expect.stringContaining("add ISTIO_META_TLS_CLIENT_KEY"),
    ]);
  });

  // CaCertificatePath: ptr.NonEmptyOrDefault(tls.CaCertificates, "system"): the OS trust store.
  it.each([
    {
      via: "a DR's MUTUAL towards STRICT",
      objs: [strict, mutual],
      h: SRV,
      verdict: "broken",
      errors: ["edge.tls-mismatch"],
    },
    {
      via: "auto mTLS towards a PERMISSIVE HTTP port",
      objs: [],
      h: SRV,
      verdict: "broken",
      errors: ["edge.tls-mismatch"],
    },
    // Nothing in the mesh verifies it there: the application terminates the TLS, as for any MUTUAL.
    {
      via: "a DR's MUTUAL towards a PERMISSIVE TCP port (unchanged)",
      objs: [destRule("a", "pg", PG, tls("MUTUAL", { clientCertificate: "/c.pem", privateKey: "/k.pem" }))],
      h: PG,
      verdict: "tls",
      errors: [],
    },
  ])(
    "chain and key without root: the server's mesh certificate is checked against the system trust store ($via)",
    ({ objs, h, verdict, errors }) => {
      const s = run([...base, ...objs, filesMesh(noRoot)], [attempt(h)]);
      const p = edgeOf(s, "a/client", h)!.predicted;
      expect(p).toMatchObject({ client: { tls: "MUTUAL" }, verdict });
      expect(p.reason).toContain("system trust store");
      expect(errorsOf(s)).toEqual(errors);
      if (errors.length > 0)
        expect(s.findings.find((f) => f.code === errors[0])!.fix).toContain(
          "add ISTIO_META_TLS_CLIENT_ROOT_CERT",
        );
    },
  );

  it("near miss: the three files, merged key by key from the mesh and the pod (MergeProxyConfig), are mTLS at STRICT; a pod's empty key overrides the mesh's", () => {
    const predicted = (annotations: Record<string, string>) =>
      edgeOf(
        run([...withClient(base, annotations), strict, mutual, filesMesh(noRoot)], [attempt(SRV)]),
        "a/client",
        SRV,
      )!.predicted;
    expect(
      predicted(podFiles({ ISTIO_META_TLS_CLIENT_ROOT_CERT: FILES.ISTIO_META_TLS_CLIENT_ROOT_CERT })),
    ).toMatchObject({ client: { tls: "MUTUAL" }, verdict: "mtls" });
    expect(
      predicted(
        podFiles({
          ISTIO_META_TLS_CLIENT_ROOT_CERT: FILES.ISTIO_META_TLS_CLIENT_ROOT_CERT,
          ISTIO_META_TLS_CLIENT_KEY: "",
        }),
      ),
    ).toMatchObject({ client: { tls: "DISABLE" }, verdict: "broken" });
    // A pod's empty chain turns the files off altogether: the DR's own MUTUAL again.
    expect(predicted(podFiles({ ISTIO_META_TLS_CLIENT_CERT_CHAIN: "" }))).toMatchObject({
      client: { tls: "MUTUAL" },
      verdict: "broken",
    });
    expect(predicted(podFiles({ ISTIO_META_TLS_CLIENT_CERT_CHAIN: "" })).reason).not.toContain(
      "file-mounted",
    );
  });
});

describe("a pod's proxy.istio.io/config with a proxyMetadata value that is not a string", () => {
  // Injection's mesh.ApplyProxyConfig refuses it (pkg/kube/inject/inject.go RunTemplate): named, read as unset.
  const annotation = "spec.template.metadata.annotations[proxy.istio.io/config]";
  it.each([
    {
      what: "a number for the chain",
      keys: { ISTIO_META_TLS_CLIENT_CERT_CHAIN: 5 },
      field: "proxyMetadata.ISTIO_META_TLS_CLIENT_CERT_CHAIN is 5",
    },
    {
      what: "a list for the key",
      keys: { ...FILES, ISTIO_META_TLS_CLIENT_KEY: ["/k.pem"] },
      field: 'proxyMetadata.ISTIO_META_TLS_CLIENT_KEY is ["/k.pem"]',
    },
  ])(
    "input.invalid naming the Deployment and the field ($what); the mesh's value stands",
    ({ keys, field }) => {
      const s = run([...withClient(base, podFiles(keys)), filesMesh(FILES)], [attempt(PG)]);
      expect(
        findingsOf(s, "input.invalid").map((f) => ({ resources: f.resources, message: f.message })),
      ).toEqual([
        {
          resources: [{ kind: "Deployment", namespace: "a", name: "client" }],
          message: expect.stringContaining(`Deployment a/client: ${annotation}: ${field}, not a string`),
        },
      ]);
      // The mesh's complete files stand in: auto mTLS's file TLS, passed through at the TCP port.
      expect(edgeOf(s, "a/client", PG)!.predicted).toMatchObject({
        client: { tls: "MUTUAL", origin: "auto" },
        verdict: "broken",
      });
    },
  );

  it("a proxyMetadata that is not a mapping is named too; string values are not", () => {
    const named = (proxyConfig: string) =>
      findingsOf(
        run([...withClient(base, { "proxy.istio.io/config": proxyConfig })], [attempt(SRV)]),
        "input.invalid",
      ).map((f) => f.message);
    expect(named("proxyMetadata: [1]")).toEqual([
      expect.stringContaining(`${annotation}: proxyMetadata is [1], not a mapping of strings`),
    ]);
    expect(named(JSON.stringify({ proxyMetadata: FILES }))).toEqual([]);
  });
});

describe("a pod's proxy.istio.io/config that is not a mapping", () => {
  // Injection's mesh.ApplyProxyConfig → protomarshal.ApplyYAML fails on it (pkg/kube/inject/inject.go
  // RunTemplate returns the error): named, and read as absent; the rest of the Deployment as before.
  const annotation = "spec.template.metadata.annotations[proxy.istio.io/config]";
  it.each([
    { what: "YAML that does not parse", text: "proxyMetadata: [", named: true },
    { what: "a list", text: "- proxyMetadata\n- x", named: true },
    { what: "a scalar", text: "holdApplicationUntilProxyStarts", named: true },
    { what: "near miss: a mapping", text: JSON.stringify({ proxyMetadata: { FOO: "bar" } }), named: false },
    { what: "near miss: no annotation", text: null, named: false },
  ])("$what", ({ text, named }) => {
    const s = run(
      [...withClient(base, text === null ? {} : { "proxy.istio.io/config": text }), filesMesh(FILES)],
      [attempt(PG)],
    );
    expect(
      findingsOf(s, "input.invalid").map((f) => ({ resources: f.resources, message: f.message })),
    ).toEqual(
      named
        ? [
            {
              resources: [{ kind: "Deployment", namespace: "a", name: "client" }],
              message: expect.stringContaining(
                `Deployment a/client: ${annotation}: not a ProxyConfig mapping`,
              ),
            },
          ]
        : [],
    );
    // Read as absent: the mesh's files stand, as without the annotation.
    expect(edgeOf(s, "a/client", PG)!.predicted).toMatchObject({
      client: { tls: "MUTUAL", origin: "auto" },
      verdict: "broken",
    });
  });
});
