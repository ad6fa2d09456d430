import { beforeAll, describe, expect, it } from "vitest";
import { configDump, makePki, ztunnelDump, type Pki } from "../../../../test/pki";
import { parseManifestText } from "../../load/parseManifests";
import type { ConfigDump, KubeObject, LoadedObject } from "../../model/input";
import type { CertInput } from "../types";
import { certInputsFromDump, decodeBase64 } from "./fromConfigDumps";
import { certInputsFromObjects, parseSpireServerConf } from "./fromObjects";

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
}, 120_000);

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const POD = { namespace: "shop", name: "web-1" };
const FILE = "dumps/web-1.shop.json";

function envoy(body: unknown, pod: ConfigDump["pod"] = POD): ConfigDump {
  return { kind: "envoy", pod, body, at: { file: FILE } };
}
function ztunnel(
  body: unknown,
  pod: ConfigDump["pod"] = { namespace: "istio-system", name: "ztunnel-abcde" },
): ConfigDump {
  return { kind: "ztunnel", pod, body, at: { file: "dumps/ztunnel-abcde.istio-system.json" } };
}
const loaded = (object: KubeObject, line = 1): LoadedObject => ({
  object,
  at: { file: "cluster.yaml", line },
});
const byContext = (inputs: CertInput[], context: CertInput["context"]) =>
  inputs.filter((i) => i.context === context);

/** The secrets of a raw snake_case dump, for tests that add their own. */
function secretsOf(dump: object): Record<string, unknown[]> {
  const configs = (dump as { configs: Record<string, unknown[]>[] }).configs;
  return configs.find((c) => String(c["@type"]).endsWith("SecretsConfigDump"))!;
}
const SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

/** Canonical PEM (64-column base64, one trailing newline per block) of DER certificates, as test/pki.ts writes them. */
const pemOfDers = (ders: Uint8Array[]) =>
  ders
    .map(
      (d) =>
        `-----BEGIN CERTIFICATE-----\n${Buffer.from(d)
          .toString("base64")
          .match(/.{1,64}/g)!
          .join("\n")}\n-----END CERTIFICATE-----\n`,
    )
    .join("");
/** A reader's certificates as PEM, to compare with the test PKI's PEM texts. */
const pemOf = (i: CertInput) => pemOfDers(i.ders);
/**
 * JSON of a reader's result with every DER as PEM, so a key's base64 lines would show in it. (As PEM,
 * wrapped like the key's own PEM: unwrapped, a certificate's base64 can contain the 40 characters of
 * a key line that hold the public key, which both carry.)
 */
const jsonOf = (r: unknown) =>
  JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? pemOfDers([v]) : v));
/** Inputs with their decoded certificates shown as PEM. */
const asPem = (inputs: CertInput[]) => inputs.map(({ ders, ...rest }) => ({ ...rest, pem: pemOfDers(ders) }));

// ---------------------------------------------------------------------------------------------

describe("base64 helper", () => {
  it("decodes base64 strictly (whitespace tolerated)", () => {
    expect(decodeBase64(b64("hello world"))).toBe("hello world");
    expect(decodeBase64("aGVs\nbG8=\n")).toBe("hello");
    expect(decodeBase64("not base64!")).toBeNull();
    expect(decodeBase64("-----BEGIN CERTIFICATE-----")).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

describe("certInputsFromDump: Envoy", () => {
  it("reads `default` as the workload chain and ROOTCA as the trust bundle, tied to the pod", () => {
    const r = certInputsFromDump(envoy(configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root })), {
      serviceAccount: "web",
      workload: "web",
    });
    expect(r.problems).toEqual([]);
    expect(asPem(r.inputs)).toEqual([
      {
        source: { kind: "proxy", namespace: "shop", pod: "web-1", name: "default" },
        context: "workload-chain",
        mesh: "istio",
        pem: pki.chains.leafEcdsa,
        trustScope: "proxy:shop/web-1",
        owner: { namespace: "shop", workload: "web", pod: "web-1" },
        expectedSpiffe: { namespace: "shop", serviceAccount: "web" },
        at: { file: FILE },
      },
      {
        source: { kind: "proxy", namespace: "shop", pod: "web-1", name: "ROOTCA" },
        context: "trust-bundle",
        mesh: "istio",
        pem: pki.root,
        trustScope: "proxy:shop/web-1",
        at: { file: FILE },
      },
    ]);
  });

  it("snake_case (raw admin) and camelCase (istioctl) dumps yield the same inputs", () => {
    for (const spiffeBundles of [undefined, [{ name: "cluster.local", pem: pki.root }]]) {
      const snake = certInputsFromDump(
        envoy(configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root, spiffeBundles })),
        { serviceAccount: "web" },
      );
      const camel = certInputsFromDump(
        envoy(configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root, spiffeBundles, camel: true })),
        { serviceAccount: "web" },
      );
      expect(snake.inputs).toHaveLength(2);
      expect(camel).toEqual(snake);
    }
  });

  it("owner without workload and no expected identity when the pod's service account is unknown", () => {
    const r = certInputsFromDump(envoy(configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root })));
    const chain = byContext(r.inputs, "workload-chain")[0]!;
    expect(chain.owner).toEqual({ namespace: "shop", pod: "web-1" });
    expect(chain.expectedSpiffe).toBeUndefined();
  });

  it("reads SPIFFE validator trust domains as trust bundles with their trust domain", () => {
    const dump = configDump({
      chainPem: pki.chains.leafEcdsa,
      rootPem: pki.root,
      spiffeBundles: [
        { name: "cluster.local", pem: pki.root },
        { name: "partner.example", pem: pki.otherRoot + pki.spireRoot },
      ],
    });
    const r = certInputsFromDump(envoy(dump), { serviceAccount: "web" });
    expect(r.problems).toEqual([]);
    // trusted_ca is an empty object next to the validator, as in istioctl's SPIRE fixture: no input from it.
    const bundles = byContext(r.inputs, "trust-bundle");
    expect(bundles.map((b) => [b.source.name, b.trustDomains, pemOf(b)])).toEqual([
      ["ROOTCA", ["cluster.local"], pki.root],
      ["ROOTCA", ["partner.example"], pki.otherRoot + pki.spireRoot],
    ]);
    expect(bundles.every((b) => b.trustScope === "proxy:shop/web-1")).toBe(true);
  });

  it("ignores warming secrets without content, and reads other TLS secrets as tls-chain", () => {
    const dump = configDump({
      chainPem: pki.chains.leafEcdsa,
      rootPem: pki.root,
      warming: ["kubernetes://gw-cred", "default"],
    });
    secretsOf(dump).dynamic_active_secrets!.push(
      {
        name: "kubernetes://shop-cred",
        secret: {
          "@type": SECRET,
          name: "kubernetes://shop-cred",
          tls_certificate: {
            certificate_chain: { inline_bytes: b64(pki.leafNoClientAuth) },
            private_key: { inline_bytes: "W3JlZGFjdGVkXQ==" },
          },
        },
      },
      {
        name: "kubernetes://shop-cred-cacert",
        secret: {
          "@type": SECRET,
          name: "kubernetes://shop-cred-cacert",
          validation_context: { trusted_ca: { inline_bytes: b64(pki.root) } },
        },
      },
      {
        name: "file-cert:/etc/certs/cert.pem~/etc/certs/key.pem",
        secret: {
          "@type": SECRET,
          name: "file-cert:x",
          tls_certificate: { certificate_chain: { inline_string: pki.leaf30d } },
        },
      },
      // A file source has no content in the dump: nothing to read, nothing to complain about.
      {
        name: "file-root:/etc/certs/root.pem",
        secret: { "@type": SECRET, validation_context: { trusted_ca: { filename: "/etc/certs/root.pem" } } },
      },
    );
    const r = certInputsFromDump(envoy(dump), { serviceAccount: "web" });
    expect(r.problems).toEqual([]);
    expect(r.inputs.map((i) => [i.source.name, i.context])).toEqual([
      ["default", "workload-chain"],
      ["ROOTCA", "trust-bundle"],
      ["kubernetes://shop-cred", "tls-chain"],
      ["kubernetes://shop-cred-cacert", "trust-bundle"],
      ["file-cert:/etc/certs/cert.pem~/etc/certs/key.pem", "tls-chain"],
    ]);
    const tls = byContext(r.inputs, "tls-chain")[0]!;
    expect(tls.owner).toBeUndefined();
    expect(tls.expectedSpiffe).toBeUndefined();
    // Non-mesh secrets get a scope of their own: the proxy's mesh roots (ROOTCA) neither judge a
    // gateway's serving chain nor count its client CA among them (third false-positive hunt).
    expect(tls.trustScope).toBe("proxy-secret:shop/web-1#kubernetes://shop-cred");
    expect(r.inputs.map((i) => i.trustScope)).toEqual([
      "proxy:shop/web-1",
      "proxy:shop/web-1",
      "proxy-secret:shop/web-1#kubernetes://shop-cred",
      "proxy-secret:shop/web-1#kubernetes://shop-cred-cacert",
      "proxy-secret:shop/web-1#file-cert:/etc/certs/cert.pem~/etc/certs/key.pem",
    ]);
  });

  it("skips the OS trust store istio-agent serves (file-root:system); a file-root naming a path, even an OS bundle's, is read", () => {
    const dump = configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root });
    const root = (name: string) => ({
      name,
      secret: {
        "@type": SECRET,
        name,
        validation_context: { trusted_ca: { inline_bytes: b64(pki.otherRoot) } },
      },
    });
    secretsOf(dump).dynamic_active_secrets!.push(
      root("file-root:system"),
      root("file-root:/etc/ssl/certs/ca-certificates.crt"),
      root("file-root:/etc/partner/ca.pem"),
    );
    const r = certInputsFromDump(envoy(dump), { serviceAccount: "web" });
    expect(r.problems).toEqual([]);
    expect(r.inputs.map((i) => [i.source.name, i.trustScope])).toEqual([
      ["default", "proxy:shop/web-1"],
      ["ROOTCA", "proxy:shop/web-1"],
      // A corporate CA may be mounted over (or built into) the OS bundle path: only file-root:system is the agent's own.
      [
        "file-root:/etc/ssl/certs/ca-certificates.crt",
        "proxy-secret:shop/web-1#file-root:/etc/ssl/certs/ca-certificates.crt",
      ],
      ["file-root:/etc/partner/ca.pem", "proxy-secret:shop/web-1#file-root:/etc/partner/ca.pem"],
    ]);
  });

  it("a warming secret with content counts only when no active secret has its name", () => {
    const dump = configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root });
    const s = secretsOf(dump);
    s.dynamic_warming_secrets = [
      {
        name: "default",
        secret: {
          "@type": SECRET,
          tls_certificate: { certificate_chain: { inline_bytes: b64(pki.chains.leaf30d) } },
        },
      },
      {
        name: "kubernetes://new",
        secret: {
          "@type": SECRET,
          tls_certificate: { certificate_chain: { inline_bytes: b64(pki.leafNoClientAuth) } },
        },
      },
    ];
    const r = certInputsFromDump(envoy(dump));
    expect(r.inputs.map((i) => [i.source.name, pemOf(i)])).toEqual([
      ["default", pki.chains.leafEcdsa],
      ["ROOTCA", pki.root],
      ["kubernetes://new", pki.leafNoClientAuth],
    ]);
  });

  it("a corrupt `default` chain is one problem naming pod and secret; ROOTCA still counts", () => {
    const dump = configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root });
    const def = secretsOf(dump).dynamic_active_secrets![0] as {
      secret: { tls_certificate: { certificate_chain: { inline_bytes: string } } };
    };
    def.secret.tls_certificate.certificate_chain.inline_bytes = "%%% not base64 %%%";
    const r = certInputsFromDump(envoy(dump), { serviceAccount: "web" });
    expect(r.problems).toEqual([
      {
        file: FILE,
        object: { kind: "Pod", namespace: "shop", name: "web-1" },
        field: "configs[0].dynamic_active_secrets[0].secret.tls_certificate.certificate_chain.inline_bytes",
        message: "config dump of pod shop/web-1: secret default: certificate_chain is not valid base64",
      },
    ]);
    expect(r.inputs.map((i) => [i.source.name, i.context, pemOf(i)])).toEqual([
      ["ROOTCA", "trust-bundle", pki.root],
    ]);
  });

  it("a secret whose bytes are not PEM is a problem (camelCase names in the message)", () => {
    const dump = configDump({ chainPem: "this is not a certificate", rootPem: pki.root, camel: true });
    const r = certInputsFromDump(envoy(dump));
    expect(r.problems.map((p) => p.message)).toEqual([
      "config dump of pod shop/web-1: secret default: certificateChain holds no PEM CERTIFICATE block",
    ]);
    expect(r.inputs.map((i) => i.source.name)).toEqual(["ROOTCA"]);
  });

  it("a bad SPIFFE trust bundle names its trust domain; the other domains still count", () => {
    const dump = configDump({
      chainPem: pki.chains.leafEcdsa,
      rootPem: pki.root,
      spiffeBundles: [
        { name: "cluster.local", pem: pki.root },
        { name: "broken.example", pem: "garbage" },
      ],
    });
    const r = certInputsFromDump(envoy(dump));
    expect(r.problems.map((p) => p.message)).toEqual([
      "config dump of pod shop/web-1: secret ROOTCA: trust domain broken.example: trust_bundle holds no PEM CERTIFICATE block",
    ]);
    expect(byContext(r.inputs, "trust-bundle").map((i) => i.trustDomains)).toEqual([["cluster.local"]]);
  });

  it("a dump of an unknown pod is scoped by its file and owns nothing", () => {
    const r = certInputsFromDump(envoy(configDump({ chainPem: pki.chains.leafEcdsa, rootPem: "" }), null), {
      serviceAccount: "web",
    });
    expect(r.inputs).toHaveLength(1);
    const [chain] = r.inputs;
    expect(chain!.source).toEqual({ kind: "proxy", name: "default" });
    expect(chain!.trustScope).toBe(`proxy:${FILE}`);
    expect(chain!.owner).toBeUndefined();
    expect(chain!.expectedSpiffe).toBeUndefined();
    // An empty trusted_ca is no content, not a problem.
    expect(r.problems).toEqual([]);
    const bad = configDump({ chainPem: pki.chains.leafEcdsa, rootPem: "not a root" });
    expect(certInputsFromDump(envoy(bad, null)).problems.map((p) => [p.message, p.object])).toEqual([
      [`config dump ${FILE}: secret ROOTCA: trusted_ca holds no PEM CERTIFICATE block`, undefined],
    ]);
  });

  it("reads a dump as the loader hands it over (bare istioctl SecretsConfigDump, node id from the bootstrap)", () => {
    const full = configDump({
      chainPem: pki.chains.leafEcdsa,
      rootPem: pki.root,
      camel: true,
      nodeId: "web-1.shop",
    });
    const bare = configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root, camel: true }) as {
      configs: Record<string, unknown>[];
    };
    const { "@type": _t, ...secretsOnly } = bare.configs[0]!;
    for (const text of [JSON.stringify(full), JSON.stringify(secretsOnly)]) {
      const parsed = parseManifestText(text, "web-1.shop.json");
      expect(parsed.configDumps).toHaveLength(1);
      const r = certInputsFromDump(parsed.configDumps[0]!, { serviceAccount: "web" });
      expect(r.problems).toEqual([]);
      expect(r.inputs.map((i) => [i.source.pod, i.source.name, i.context, pemOf(i)])).toEqual([
        ["web-1", "default", "workload-chain", pki.chains.leafEcdsa],
        ["web-1", "ROOTCA", "trust-bundle", pki.root],
      ]);
    }
  });

  it("never reads private_key, even when a proxy did not redact it", () => {
    const dump = configDump({ chainPem: pki.chains.leafEcdsa, rootPem: pki.root });
    const def = secretsOf(dump).dynamic_active_secrets![0] as {
      secret: { tls_certificate: Record<string, unknown> };
    };
    def.secret.tls_certificate.private_key = { inline_bytes: b64(pki.keys.leafEcdsa) };
    def.secret.tls_certificate.certificate_chain = {
      inline_bytes: b64(pki.chains.leafEcdsa + pki.keys.leafEcdsa),
    };
    const r = certInputsFromDump(envoy(dump));
    const json = jsonOf(r);
    expect(json).not.toContain("PRIVATE KEY");
    for (const line of keyBodyLines(pki.keys.leafEcdsa)) expect(json).not.toContain(line);
    expect(pemOf(byContext(r.inputs, "workload-chain")[0]!)).toBe(pki.chains.leafEcdsa);
  });
});

describe("certInputsFromDump: ztunnel", () => {
  const ID = "spiffe://cluster.local/ns/shop/sa/web";

  it("reads each certificate's chain and roots, scoped per identity, owner from the SPIFFE ID", () => {
    for (const pemEncoding of ["base64", "pem"] as const) {
      const body = ztunnelDump(
        [
          { identity: ID, chainPem: pki.chains.leafEcdsa, rootPem: pki.root },
          {
            identity: "spiffe://cluster.local/ns/batch/sa/nightly",
            chainPem: pki.chains.leaf30d,
            rootPem: pki.root,
          },
          { identity: "spiffe://cluster.local/ns/shop/sa/pending" }, // Initializing: nothing yet
        ],
        { pemEncoding },
      );
      const r = certInputsFromDump(ztunnel(body), { serviceAccount: "ztunnel" });
      expect(r.problems).toEqual([]);
      expect(asPem(r.inputs.slice(0, 2))).toEqual([
        {
          source: {
            kind: "ztunnel",
            namespace: "istio-system",
            pod: "ztunnel-abcde",
            name: ID,
            key: "certChain",
          },
          context: "workload-chain",
          mesh: "istio",
          pem: pki.chains.leafEcdsa,
          trustScope: `ztunnel:istio-system/ztunnel-abcde#${ID}`,
          owner: { namespace: "shop" },
          at: { file: "dumps/ztunnel-abcde.istio-system.json" },
        },
        {
          source: {
            kind: "ztunnel",
            namespace: "istio-system",
            pod: "ztunnel-abcde",
            name: ID,
            key: "rootCerts",
          },
          context: "trust-bundle",
          mesh: "istio",
          pem: pki.root,
          trustScope: `ztunnel:istio-system/ztunnel-abcde#${ID}`,
          at: { file: "dumps/ztunnel-abcde.istio-system.json" },
        },
      ]);
      expect(r.inputs).toHaveLength(4);
      expect(r.inputs[2]!.owner).toEqual({ namespace: "batch" });
      expect(r.inputs.every((i) => i.expectedSpiffe === undefined)).toBe(true);
    }
  });

  it("accepts snake_case fields and leaves the owner unknown for a non-Kubernetes identity", () => {
    const camel = ztunnelDump([
      { identity: "spiffe://example.org/vm/db", chainPem: pki.chains.leafEcdsa, rootPem: pki.root },
    ]) as {
      certificates: Record<string, unknown>[];
    };
    const c = camel.certificates[0]!;
    const snake = {
      certificates: [
        { identity: c.identity, state: c.state, cert_chain: c.certChain, root_certs: c.rootCerts },
      ],
    };
    const a = certInputsFromDump(ztunnel(camel));
    const b = certInputsFromDump(ztunnel(snake));
    expect(b).toEqual(a);
    expect(a.inputs.map((i) => [i.context, i.owner])).toEqual([
      ["workload-chain", undefined],
      ["trust-bundle", undefined],
    ]);
  });

  it("a certificate that is not PEM is a problem naming the ztunnel pod and identity", () => {
    const body = ztunnelDump([{ identity: ID, chainPem: pki.chains.leafEcdsa, rootPem: pki.root }]) as {
      certificates: { certChain: { pem: string }[] }[];
    };
    body.certificates[0]!.certChain[1]!.pem = "%%%";
    const r = certInputsFromDump(ztunnel(body));
    expect(r.problems).toEqual([
      {
        file: "dumps/ztunnel-abcde.istio-system.json",
        object: { kind: "Pod", namespace: "istio-system", name: "ztunnel-abcde" },
        field: "certificates[0].certChain[1]",
        message: `config dump of ztunnel pod istio-system/ztunnel-abcde: certificate ${ID}: certChain[1] is not PEM`,
      },
    ]);
    expect(r.inputs.map((i) => [i.context, pemOf(i)])).toEqual([
      ["workload-chain", pki.leafEcdsa],
      ["trust-bundle", pki.root],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

const cm = (
  namespace: string,
  name: string,
  data: Record<string, string>,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
  ...extra,
});
const secret = (
  namespace: string,
  name: string,
  data: Record<string, string>,
  o: { type?: string; annotations?: Record<string, string>; plain?: boolean } = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace, ...(o.annotations ? { annotations: o.annotations } : {}) },
  ...(o.type ? { type: o.type } : {}),
  ...(o.plain
    ? { stringData: data }
    : { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) }),
});
const summary = (inputs: CertInput[]) =>
  inputs.map(
    (i) => `${i.source.kind} ${i.source.namespace}/${i.source.name}[${i.source.key}] ${i.context} ${i.mesh}`,
  );

function keyBodyLines(keyPem: string): string[] {
  return keyPem
    .split("\n")
    .filter((l) => l && !l.startsWith("-----"))
    .map((l) => l.slice(0, 40));
}

describe("certInputsFromObjects: ConfigMaps", () => {
  it("reads Istio, Linkerd and SPIRE root ConfigMaps", () => {
    const r = certInputsFromObjects([
      loaded(cm("shop", "istio-ca-root-cert", { "root-cert.pem": pki.root }), 3),
      loaded(cm("linkerd", "linkerd-identity-trust-roots", { "ca-bundle.crt": pki.linkerdAnchor })),
      loaded(cm("spire", "spire-bundle", {}, { binaryData: { "bundle.crt": b64(pki.spireBundle) } })),
      loaded(cm("shop", "unrelated", { "root-cert.pem": pki.root })),
    ]);
    expect(r.problems).toEqual([]);
    expect(asPem(r.inputs)).toEqual([
      {
        source: { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert", key: "root-cert.pem" },
        context: "trust-bundle",
        mesh: "istio",
        pem: pki.root,
        trustScope: "namespace:shop",
        at: { file: "cluster.yaml", line: 3 },
      },
      {
        source: {
          kind: "ConfigMap",
          namespace: "linkerd",
          name: "linkerd-identity-trust-roots",
          key: "ca-bundle.crt",
        },
        context: "root-bundle",
        mesh: "linkerd",
        pem: pki.linkerdAnchor,
        at: { file: "cluster.yaml", line: 1 },
      },
      {
        source: { kind: "ConfigMap", namespace: "spire", name: "spire-bundle", key: "bundle.crt" },
        context: "root-bundle",
        mesh: "spire",
        pem: pki.spireBundle,
        at: { file: "cluster.yaml", line: 1 },
      },
    ]);
  });

  it("a root ConfigMap holding no certificate is a problem with file, line, object and field", () => {
    const r = certInputsFromObjects([
      loaded(cm("shop", "istio-ca-root-cert", { "root-cert.pem": "nothing here" }), 12),
    ]);
    expect(r.inputs).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: "cluster.yaml",
        line: 12,
        object: { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert" },
        field: "data.root-cert.pem",
        message: "ConfigMap shop/istio-ca-root-cert: data.root-cert.pem: holds no PEM CERTIFICATE block",
      },
    ]);
  });
});

describe("SPIRE server config", () => {
  const HCL = `
server {
    bind_address = "0.0.0.0"
    bind_port = "8081"
    # trust_domain = "commented.out"
    trust_domain = "example.org"   // the real one
    data_dir = "/run/spire/data"
    log_level = "DEBUG"
    ca_key_type = "rsa-2048"
    /* ca_ttl = "1h" */
    ca_ttl = "720h"
    default_x509_svid_ttl = "90m"
    ca_subject = {
        country = ["US"]
        organization = ["SPIFFE"]
        common_name = ""
    }
    federation {
        bundle_endpoint { address = "0.0.0.0" port = 8443 }
        federates_with "partner.example" { bundle_endpoint_url = "https://spire.partner:8443" }
    }
}

plugins {
    DataStore "sql" {
        plugin_data { database_type = "sqlite3" connection_string = "/run/spire/data/datastore.sqlite3" }
    }
    Notifier "k8sbundle" { plugin_data { namespace = "spire" } }
}

health_checks { listener_enabled = true }
`;

  it("reads trust_domain, ca_ttl and default_x509_svid_ttl from HCL, skipping comments and nested blocks", () => {
    expect(parseSpireServerConf(HCL)).toEqual({
      trustDomain: "example.org",
      caTtl: "720h",
      defaultX509SvidTtl: "90m",
      svidTtlSetting: "default_x509_svid_ttl",
    });
  });

  it("reads the JSON form the Helm charts render, and the older default_svid_ttl", () => {
    const json = JSON.stringify({
      server: {
        ca_subject: [{ country: ["US"] }],
        trust_domain: "cluster.local",
        ca_ttl: "24h",
        default_svid_ttl: "1h",
      },
      plugins: {},
    });
    expect(parseSpireServerConf(json)).toEqual({
      trustDomain: "cluster.local",
      caTtl: "24h",
      defaultX509SvidTtl: "1h",
      svidTtlSetting: "default_svid_ttl",
    });
  });

  it("an agent config (no server block) is not a server config", () => {
    expect(
      parseSpireServerConf('agent {\n  trust_domain = "example.org"\n  server_address = "spire-server"\n}\n'),
    ).toBeNull();
    expect(parseSpireServerConf("")).toBeNull();
  });

  it("a ConfigMap holding server.conf becomes a SpireServerConfig with durations in seconds", () => {
    const r = certInputsFromObjects([
      loaded(cm("spire", "spire-server", { "server.conf": HCL })),
      loaded(cm("spire", "spire-agent", { "agent.conf": 'agent { trust_domain = "example.org" }' })),
      loaded(
        cm("spire2", "spire-server", {
          "server.conf":
            'server {\n trust_domain = "b.example"\n ca_ttl = "24h"\n default_x509_svid_ttl = "1h"\n}',
        }),
      ),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.spire).toEqual([
      {
        namespace: "spire",
        name: "spire-server",
        trustDomain: "example.org",
        caTtlSeconds: 720 * 3600,
        defaultX509SvidTtlSeconds: 90 * 60,
      },
      {
        namespace: "spire2",
        name: "spire-server",
        trustDomain: "b.example",
        caTtlSeconds: 86400,
        defaultX509SvidTtlSeconds: 3600,
      },
    ]);
  });

  it("a duration that does not parse is a problem; the rest of the config still counts", () => {
    const r = certInputsFromObjects([
      loaded(
        cm("spire", "spire-server", { "server.conf": 'server { trust_domain = "x.org" ca_ttl = "7d" }' }),
        4,
      ),
    ]);
    expect(r.spire).toEqual([{ namespace: "spire", name: "spire-server", trustDomain: "x.org" }]);
    expect(r.problems).toEqual([
      {
        file: "cluster.yaml",
        line: 4,
        object: { kind: "ConfigMap", namespace: "spire", name: "spire-server" },
        field: "data.server.conf",
        message: 'ConfigMap spire/spire-server: data.server.conf: server.ca_ttl "7d" is not a duration',
      },
    ]);
  });
});

describe("certInputsFromObjects: Secrets", () => {
  it("reads Istio's cacerts (both layouts) and istio-ca-secret", () => {
    const r = certInputsFromObjects(
      [
        loaded(
          secret("istio-system", "cacerts", {
            "ca-cert.pem": pki.intermediate,
            "cert-chain.pem": pki.intermediate + pki.root,
            "root-cert.pem": pki.root,
          }),
        ),
        loaded(
          secret(
            "istio-east",
            "cacerts",
            { "tls.crt": pki.intermediate, "ca.crt": pki.root },
            { type: "kubernetes.io/tls" },
          ),
        ),
        loaded(
          secret(
            "istio-system",
            "istio-ca-secret",
            { "ca-cert.pem": pki.root, "root-cert.pem": pki.root, "cert-chain.pem": "" },
            { type: "istio.io/ca-root" },
          ),
        ),
        // istiods in istio-system and istio-east (the cert-manager layout: tls.crt / ca.crt).
      ],
      new Set(["istio-system", "istio-east"]),
    );
    expect(r.problems).toEqual([]);
    expect(summary(r.inputs)).toEqual([
      "Secret istio-system/cacerts[ca-cert.pem] ca-chain istio",
      "Secret istio-system/cacerts[cert-chain.pem] ca-chain istio",
      "Secret istio-system/cacerts[root-cert.pem] root-bundle istio",
      "Secret istio-east/cacerts[tls.crt] ca-chain istio",
      "Secret istio-east/cacerts[ca.crt] root-bundle istio",
      "Secret istio-system/istio-ca-secret[ca-cert.pem] ca-chain istio",
      "Secret istio-system/istio-ca-secret[root-cert.pem] root-bundle istio",
    ]);
    expect(pemOf(r.inputs[1]!)).toBe(pki.intermediate + pki.root);
    expect(r.inputs.every((i) => i.trustScope === undefined && i.owner === undefined)).toBe(true);
  });

  it("reads Linkerd's issuer in both schemes (in Linkerd's control-plane namespaces)", () => {
    // Two control planes, one per scheme: the issuer is read only where a control plane runs (collect.ts).
    const r = certInputsFromObjects(
      [
        loaded(
          secret("linkerd", "linkerd-identity-issuer", { "crt.pem": pki.linkerdIssuer }, { plain: true }),
        ),
        loaded(
          secret(
            "linkerd-cm",
            "linkerd-identity-issuer",
            { "tls.crt": pki.linkerdIssuer, "ca.crt": pki.linkerdAnchor },
            {
              type: "kubernetes.io/tls",
              annotations: { "cert-manager.io/certificate-name": "linkerd-identity-issuer" },
            },
          ),
        ),
      ],
      undefined,
      new Set(["linkerd", "linkerd-cm"]),
    );
    expect(r.problems).toEqual([]);
    expect(summary(r.inputs)).toEqual([
      "Secret linkerd/linkerd-identity-issuer[crt.pem] ca-chain linkerd",
      "Secret linkerd-cm/linkerd-identity-issuer[tls.crt] ca-chain linkerd",
      "Secret linkerd-cm/linkerd-identity-issuer[ca.crt] root-bundle linkerd",
    ]);
    expect(r.inputs.map(pemOf)).toEqual([pki.linkerdIssuer, pki.linkerdIssuer, pki.linkerdAnchor]);
  });

  it("reads other kubernetes.io/tls Secrets as tls-chain / tls-ca, cert-manager's by their annotation", () => {
    const r = certInputsFromObjects([
      loaded(
        secret(
          "shop",
          "frontend-tls",
          { "tls.crt": pki.chains.leafNoClientAuth, "ca.crt": pki.root },
          {
            type: "kubernetes.io/tls",
            annotations: {
              "cert-manager.io/certificate-name": "frontend",
              "cert-manager.io/issuer-name": "shop-ca",
            },
          },
        ),
      ),
      loaded(
        secret("istio-ingress", "gw-cred", { "tls.crt": pki.selfSignedLeaf }, { type: "kubernetes.io/tls" }),
      ),
      loaded(secret("shop", "opaque", { "tls.crt": pki.leafEcdsa }, { type: "Opaque" })),
    ]);
    expect(r.problems).toEqual([]);
    expect(summary(r.inputs)).toEqual([
      "Secret shop/frontend-tls[tls.crt] tls-chain cert-manager",
      "Secret shop/frontend-tls[ca.crt] tls-ca cert-manager",
      "Secret istio-ingress/gw-cred[tls.crt] tls-chain other",
    ]);
    expect(pemOf(r.inputs[0]!)).toBe(pki.chains.leafNoClientAuth);
  });

  it("problems: value not base64, a cert key holding no certificate; the other keys still count", () => {
    const o = secret("istio-system", "cacerts", { "root-cert.pem": pki.root, "ca-cert.pem": "just text" });
    (o.data as Record<string, string>)["cert-chain.pem"] = "%%%not-base64%%%";
    const r = certInputsFromObjects([loaded(o, 40)]);
    expect(summary(r.inputs)).toEqual(["Secret istio-system/cacerts[root-cert.pem] root-bundle istio"]);
    expect(r.problems).toEqual([
      {
        file: "cluster.yaml",
        line: 40,
        object: { kind: "Secret", namespace: "istio-system", name: "cacerts" },
        field: "data.ca-cert.pem",
        message: "Secret istio-system/cacerts: data.ca-cert.pem: holds no PEM CERTIFICATE block",
      },
      {
        file: "cluster.yaml",
        line: 40,
        object: { kind: "Secret", namespace: "istio-system", name: "cacerts" },
        field: "data.cert-chain.pem",
        message: "Secret istio-system/cacerts: data.cert-chain.pem: is not valid base64",
      },
    ]);
  });

  it("never lets private key material through, whatever the Secret holds", () => {
    const leafKey = pki.keys.leafEcdsa;
    const caKey = pki.keys.intermediate;
    const linkerdKey = pki.keys.linkerdIssuer;
    const disguised = `-----BEGIN CERTIFICATE-----\n${pki.keys.root.replace(/-----[A-Z ]+-----/g, "").trim()}\n-----END CERTIFICATE-----\n`;
    const objects = [
      secret(
        "shop",
        "web-tls",
        { "tls.crt": pki.leafEcdsa + leafKey, "tls.key": leafKey, "ca.crt": disguised + pki.root },
        { type: "kubernetes.io/tls" },
      ),
      secret("istio-system", "cacerts", {
        "ca-cert.pem": caKey + pki.intermediate,
        "ca-key.pem": caKey,
        "root-cert.pem": pki.root,
        "key.pem": caKey,
      }),
      secret(
        "linkerd",
        "linkerd-identity-issuer",
        { "crt.pem": pki.linkerdIssuer, "key.pem": linkerdKey },
        { plain: true },
      ),
      secret("shop", "only-key", { "tls.crt": leafKey, "tls.key": leafKey }, { type: "kubernetes.io/tls" }),
    ].map((o) => loaded(o));
    const r = certInputsFromObjects(objects);
    expect(summary(r.inputs)).toEqual([
      "Secret shop/web-tls[tls.crt] tls-chain other",
      "Secret shop/web-tls[ca.crt] tls-ca other",
      "Secret istio-system/cacerts[ca-cert.pem] ca-chain istio",
      "Secret istio-system/cacerts[root-cert.pem] root-bundle istio",
      "Secret linkerd/linkerd-identity-issuer[crt.pem] ca-chain linkerd",
    ]);
    expect(r.inputs.map(pemOf)).toEqual([
      pki.leafEcdsa,
      pki.root,
      pki.intermediate,
      pki.root,
      pki.linkerdIssuer,
    ]);
    expect(r.problems.map((p) => p.message)).toEqual([
      "Secret shop/web-tls: data.ca.crt: PEM block 1: not a DER certificate",
      "Secret shop/only-key: data.tls.crt: holds no PEM CERTIFICATE block",
    ]);
    const json = jsonOf(r);
    expect(json).not.toContain("PRIVATE KEY");
    for (const key of [leafKey, caKey, linkerdKey, pki.keys.root])
      for (const line of keyBodyLines(key)) expect(json).not.toContain(line);
    // Nor the Secret values that held them, as base64.
    for (const key of [leafKey, caKey])
      for (let i = 0; i + 32 <= b64(key).length; i += 32)
        expect(json).not.toContain(b64(key).slice(i, i + 32));
  });
});

describe("certInputsFromObjects: cert-manager", () => {
  const certificate = (
    name: string,
    spec: Record<string, unknown>,
    status?: Record<string, unknown>,
  ): KubeObject => ({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name, namespace: "linkerd" },
    spec,
    ...(status ? { status } : {}),
  });

  it("reads Certificate spec and status", () => {
    const r = certInputsFromObjects([
      loaded(
        certificate(
          "linkerd-identity-issuer",
          {
            secretName: "linkerd-identity-issuer",
            issuerRef: { name: "linkerd-trust-anchor", kind: "ClusterIssuer", group: "cert-manager.io" },
            isCA: true,
            duration: "48h",
            renewBefore: "25h",
            usages: ["cert sign", "crl sign", "server auth", "client auth"],
          },
          {
            conditions: [
              { type: "Issuing", status: "False" },
              {
                type: "Ready",
                status: "True",
                reason: "Ready",
                message: "Certificate is up to date and has not expired",
              },
            ],
            notAfter: "2026-11-29T12:00:00Z",
            renewalTime: "2026-11-28T11:00:00Z",
          },
        ),
      ),
      loaded(
        certificate("web", {
          secretName: "web-tls",
          issuerRef: { name: "shop-ca" },
          renewBeforePercentage: 25,
          commonName: "web.shop",
          dnsNames: ["web.shop", "web.shop.svc", 7],
          uris: ["spiffe://cluster.local/ns/shop/sa/web"],
          ipAddresses: ["10.0.0.7"],
          renewal: { policy: "RenewBefore", windows: [{ cron: "0 2 * * *", windowDuration: "2h" }] },
        }),
      ),
      loaded(
        certificate(
          "broken",
          {
            secretName: "x",
            issuerRef: { name: "ca" },
            literalSubject: "CN=x,O=Example",
            emailAddresses: ["ops@example.com", 5],
          },
          { conditions: [{ type: "Ready", status: "maybe" }] },
        ),
      ),
      // Not cert-manager's.
      loaded({
        apiVersion: "acm.services.k8s.aws/v1alpha1",
        kind: "Certificate",
        metadata: { name: "acm", namespace: "x" },
        spec: { domainName: "a" },
      }),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.certManager.certificates).toEqual([
      {
        namespace: "linkerd",
        name: "linkerd-identity-issuer",
        secretName: "linkerd-identity-issuer",
        issuerRef: { name: "linkerd-trust-anchor", kind: "ClusterIssuer", group: "cert-manager.io" },
        isCA: true,
        duration: "48h",
        renewBefore: "25h",
        usages: ["cert sign", "crl sign", "server auth", "client auth"],
        dnsNames: [],
        uris: [],
        ipAddresses: [],
        emailAddresses: [],
        ready: { status: "True", reason: "Ready", message: "Certificate is up to date and has not expired" },
        notAfter: "2026-11-29T12:00:00Z",
        renewalTime: "2026-11-28T11:00:00Z",
      },
      {
        namespace: "linkerd",
        name: "web",
        secretName: "web-tls",
        issuerRef: { name: "shop-ca", kind: "Issuer" },
        isCA: false,
        renewBeforePercentage: 25,
        usages: [],
        commonName: "web.shop",
        dnsNames: ["web.shop", "web.shop.svc"],
        uris: ["spiffe://cluster.local/ns/shop/sa/web"],
        ipAddresses: ["10.0.0.7"],
        emailAddresses: [],
        renewal: { policy: "RenewBefore", windows: 1 },
        ready: null,
      },
      {
        namespace: "linkerd",
        name: "broken",
        secretName: "x",
        issuerRef: { name: "ca", kind: "Issuer" },
        isCA: false,
        usages: [],
        dnsNames: [],
        uris: [],
        ipAddresses: [],
        emailAddresses: ["ops@example.com"],
        literalSubject: "CN=x,O=Example",
        ready: { status: "Unknown" },
      },
    ]);
  });

  it("a Certificate without secretName is a problem and is left out", () => {
    const r = certInputsFromObjects([loaded(certificate("nosecret", { issuerRef: { name: "ca" } }), 7)]);
    expect(r.certManager.certificates).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: "cluster.yaml",
        line: 7,
        object: { kind: "Certificate", namespace: "linkerd", name: "nosecret" },
        field: "spec.secretName",
        message:
          "Certificate linkerd/nosecret: spec.secretName: is missing: cert-manager cannot tell where to write the certificate",
      },
    ]);
  });

  it("reads Issuers and ClusterIssuers: type from the spec key, Ready condition", () => {
    const issuer = (
      kind: string,
      name: string,
      spec: Record<string, unknown>,
      ready?: Record<string, unknown>,
    ): KubeObject => ({
      apiVersion: "cert-manager.io/v1",
      kind,
      metadata: kind === "Issuer" ? { name, namespace: "shop" } : { name },
      spec,
      ...(ready ? { status: { conditions: [{ type: "Ready", ...ready }] } } : {}),
    });
    const r = certInputsFromObjects([
      loaded(issuer("Issuer", "selfsigned", { selfSigned: {} }, { status: "True", reason: "IsReady" })),
      loaded(
        issuer(
          "ClusterIssuer",
          "linkerd-trust-anchor",
          { ca: { secretName: "linkerd-trust-anchor" } },
          { status: "False", reason: "ErrGetKeyPair", message: 'secret "linkerd-trust-anchor" not found' },
        ),
      ),
      loaded(issuer("ClusterIssuer", "letsencrypt", { acme: { server: "https://acme.example/directory" } })),
      loaded(issuer("Issuer", "vault", { vault: { server: "https://vault" } })),
      loaded(issuer("Issuer", "venafi", { venafi: { zone: "z" } })),
      loaded(issuer("Issuer", "external", {})),
    ]);
    expect(r.certManager.issuers).toEqual([
      {
        kind: "Issuer",
        namespace: "shop",
        name: "selfsigned",
        type: "selfSigned",
        ready: { status: "True", reason: "IsReady" },
      },
      {
        kind: "ClusterIssuer",
        name: "linkerd-trust-anchor",
        type: "ca",
        ready: {
          status: "False",
          reason: "ErrGetKeyPair",
          message: 'secret "linkerd-trust-anchor" not found',
        },
      },
      { kind: "ClusterIssuer", name: "letsencrypt", type: "acme", ready: null },
      { kind: "Issuer", namespace: "shop", name: "vault", type: "vault", ready: null },
      { kind: "Issuer", namespace: "shop", name: "venafi", type: "venafi", ready: null },
      { kind: "Issuer", namespace: "shop", name: "external", type: "other", ready: null },
    ]);
  });
});
