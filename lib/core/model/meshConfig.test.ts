import { describe, expect, it } from "vitest";
import type { InputProblem, LoadedObject } from "./input";
import { parseMeshConfig } from "./meshConfig";

const cm = (mesh: string): LoadedObject => ({
  object: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio", namespace: "istio-system" },
    data: { mesh },
  },
  at: { file: "mesh.yaml", line: 3 },
});

function read(mesh: string) {
  const problems: InputProblem[] = [];
  const settings = parseMeshConfig(cm(mesh), problems);
  return { settings, messages: problems.map((p) => p.message), problems };
}

describe("parseMeshConfig", () => {
  it("reads every setting it knows", () => {
    const { settings, problems } = read(
      "rootNamespace: mesh-root\ntrustDomain: corp.local\ntrustDomainAliases: [old.local]\nenableAutoMtls: false\n" +
        "defaultDestinationRuleExportTo: ['.']\ndefaultVirtualServiceExportTo: ['.']\noutboundTrafficPolicy: {mode: REGISTRY_ONLY}\n" +
        "defaultConfig: {proxyMetadata: {ISTIO_META_ENABLE_HBONE: 'true', ISTIO_META_TLS_CLIENT_CERT_CHAIN: /c/chain.pem, ISTIO_META_TLS_CLIENT_KEY: /c/key.pem, ISTIO_META_TLS_CLIENT_ROOT_CERT: /c/root.pem}}\n" +
        "discoverySelectors: [{matchLabels: {env: prod}, matchExpressions: [{key: tier, operator: NotIn, values: [test]}]}]\n",
    );
    expect(problems).toEqual([]);
    expect({ ...settings }).toEqual({
      rootNamespace: "mesh-root",
      trustDomain: "corp.local",
      trustDomainAliases: ["old.local"],
      enableAutoMtls: false,
      defaultDestinationRuleExportTo: ["."],
      defaultVirtualServiceExportTo: ["."],
      outboundTrafficPolicy: "REGISTRY_ONLY",
      sidecarsTakeHbone: true,
      proxyEnableHbone: true,
      proxyClientCerts: { chain: "/c/chain.pem", key: "/c/key.pem", root: "/c/root.pem" },
      proxyMetadataCerts: "complete",
      discoverySelectors: [
        {
          matchLabels: { env: "prod" },
          matchExpressions: [{ key: "tier", operator: "NotIn", values: ["test"] }],
        },
      ],
    });
  });

  it.each([
    ["an empty text", ""],
    ["empty values (Istio's unset)", 'rootNamespace: ""\ntrustDomain: ""\n'],
    ["unknown keys", "accessLogFile: /dev/stdout\ndefaultConfig: {holdApplicationUntilProxyStarts: true}\n"],
  ])("%s: defaults, no problem", (_, mesh) => {
    const { settings, problems } = read(mesh);
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({
      rootNamespace: "istio-system",
      trustDomain: "cluster.local",
      enableAutoMtls: true,
      outboundTrafficPolicy: "ALLOW_ANY",
      sidecarsTakeHbone: false,
      proxyEnableHbone: null,
      proxyMetadataCerts: "none",
    });
  });

  // NewClusterBuilder keeps the metadata certificates when the chain is non-empty; buildMutualTLS copies
  // key and root as they are: no key → constructUpstreamTLS fails (plaintext), no root → "system" roots.
  const certKeys = (k: { chain?: string; key?: string; root?: string }) =>
    `defaultConfig:\n  proxyMetadata: ${JSON.stringify({ ISTIO_META_TLS_CLIENT_CERT_CHAIN: k.chain, ISTIO_META_TLS_CLIENT_KEY: k.key, ISTIO_META_TLS_CLIENT_ROOT_CERT: k.root })}\n`;
  it.each([
    ["chain, key and root", "complete", { chain: "/c/chain.pem", key: "/c/key.pem", root: "/c/root.pem" }],
    [
      'an empty chain (NewClusterBuilder tests != "")',
      "none",
      { chain: "", key: "/c/key.pem", root: "/c/root.pem" },
    ],
    ["no chain", "none", { key: "/c/key.pem", root: "/c/root.pem" }],
    ["a chain alone", "no-key", { chain: "/c/chain.pem" }],
    ["a chain with an empty key", "no-key", { chain: "/c/chain.pem", key: "", root: "/c/root.pem" }],
    ["chain and key without root", "no-root", { chain: "/c/chain.pem", key: "/c/key.pem" }],
    ["chain and key with an empty root", "no-root", { chain: "/c/chain.pem", key: "/c/key.pem", root: "" }],
  ])("file-mounted client certificates: %s → %s", (_, want, keys) => {
    const { settings, problems } = read(certKeys(keys));
    expect(problems).toEqual([]);
    expect(settings.proxyMetadataCerts).toBe(want);
  });

  // Each wrong-typed key is named (istiod refuses such a mesh config) and its default stands in.
  it.each([
    [
      "outboundTrafficPolicy: {mode: registry_only}",
      'outboundTrafficPolicy.mode is "registry_only", not ALLOW_ANY or REGISTRY_ONLY',
      { outboundTrafficPolicy: "ALLOW_ANY" },
    ],
    ["enableAutoMtls: yes", 'enableAutoMtls is "yes", not true or false', { enableAutoMtls: true }],
    ["enableAutoMtls: 0", "enableAutoMtls is 0, not true or false", { enableAutoMtls: true }],
    ["rootNamespace: 42", "rootNamespace is 42, not a string", { rootNamespace: "istio-system" }],
    [
      "trustDomainAliases: old.local",
      'trustDomainAliases is "old.local", not a list of strings',
      { trustDomainAliases: [] },
    ],
    [
      "defaultDestinationRuleExportTo: [1]",
      "defaultDestinationRuleExportTo is [1], not a list of strings",
      { defaultDestinationRuleExportTo: ["*"] },
    ],
    [
      "outboundTrafficPolicy: REGISTRY_ONLY",
      'outboundTrafficPolicy is "REGISTRY_ONLY", not a mapping with mode',
      { outboundTrafficPolicy: "ALLOW_ANY" },
    ],
    ["[a, b]", "mesh config is a list, not a mapping; Istio's defaults apply", {}],
    // proxyMetadata is a map<string, string>: protojson refuses any other value there.
    [
      "defaultConfig: {proxyMetadata: oops}",
      'defaultConfig.proxyMetadata is "oops", not a mapping of strings',
      { proxyMetadataCerts: "none" },
    ],
    [
      "defaultConfig: {proxyMetadata: {ISTIO_META_TLS_CLIENT_CERT_CHAIN: 5, ISTIO_META_TLS_CLIENT_KEY: /k, ISTIO_META_TLS_CLIENT_ROOT_CERT: /r}}",
      "defaultConfig.proxyMetadata.ISTIO_META_TLS_CLIENT_CERT_CHAIN is 5, not a string",
      { proxyMetadataCerts: "none" },
    ],
    [
      "defaultConfig: {proxyMetadata: {ISTIO_META_TLS_CLIENT_CERT_CHAIN: /c, ISTIO_META_TLS_CLIENT_KEY: [k], ISTIO_META_TLS_CLIENT_ROOT_CERT: /r}}",
      'defaultConfig.proxyMetadata.ISTIO_META_TLS_CLIENT_KEY is ["k"], not a string',
      { proxyMetadataCerts: "no-key" },
    ],
  ])("%s → input.invalid naming the key; the default applies", (mesh, message, expected) => {
    const { settings, problems } = read(mesh);
    expect(problems).toEqual([
      {
        file: "mesh.yaml",
        line: 3,
        object: { kind: "ConfigMap", namespace: "istio-system", name: "istio" },
        field: "data.mesh",
        message: `ConfigMap istio-system/istio: data.mesh: ${message}${message.endsWith("apply") ? "" : "; the default applies"}`,
      },
    ]);
    expect(settings).toMatchObject(expected);
  });

  it("a mesh text that does not parse is named once", () => {
    expect(read("rootNamespace: [unclosed\n").messages).toEqual([
      expect.stringMatching(/^ConfigMap istio-system\/istio: data\.mesh: mesh config does not parse: /),
    ]);
  });
});
