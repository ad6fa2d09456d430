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
        "defaultConfig: {proxyMetadata: {ISTIO_META_ENABLE_HBONE: 'true', ISTIO_META_TLS_CLIENT_CERT_CHAIN: /client-certs/cert-chain.pem}}\n" +
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
      proxyMetadataCerts: true,
      discoverySelectors: [{ matchLabels: { env: "prod" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["test"] }] }],
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
      proxyMetadataCerts: false,
    });
  });

  it("an empty ISTIO_META_TLS_CLIENT_CERT_CHAIN names no file-mounted certificates (NewClusterBuilder tests != \"\")", () => {
    expect(read("defaultConfig: {proxyMetadata: {ISTIO_META_TLS_CLIENT_CERT_CHAIN: ''}}\n").settings.proxyMetadataCerts).toBe(false);
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
