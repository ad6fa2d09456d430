import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { makeBareRoot } from "../../../test/pki";
import { describe, it, expect } from "vitest";
import { parseManifestText } from "./parseManifests";
import { emptyParsed, mergeParsed } from "./mergeParsed";

const b64 = (s: string) => btoa(s);
const names = (r: ReturnType<typeof parseManifestText>) =>
  r.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}@${o.at.line}`);

describe("parseManifestText: YAML", () => {
  it("reads every document of a multi-document file with the line each object starts on", () => {
    const text = [
      "# deployment and service", // 1
      "apiVersion: apps/v1", // 2
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "  namespace: shop",
      "---", // 7
      "# Source: chart/templates/svc.yaml", // 8
      "apiVersion: v1", // 9
      "kind: Service",
      "metadata: {name: web, namespace: shop}",
      "---   # trailing comment on the marker", // 12
      "", // 13
      "--- ", // 14 (an empty document between two markers)
      "apiVersion: v1", // 15
      "kind: Namespace",
      "metadata: {name: shop}",
      "",
    ].join("\n");
    const r = parseManifestText(text, "m.yaml");
    expect(names(r)).toEqual(["Deployment/web@2", "Service/web@9", "Namespace/shop@15"]);
    expect(r.objects[0]?.at.file).toBe("m.yaml");
    expect(r.objects[0]?.object.metadata.namespace).toBe("shop");
    expect(r.problems).toEqual([]);
    expect(r.configDumps).toEqual([]);
  });

  it("keeps the good documents around a broken one and reports the broken one's absolute line", () => {
    const text = [
      "apiVersion: v1", // 1
      "kind: ServiceAccount",
      "metadata: {name: a}",
      "---", // 4
      "apiVersion: v1", // 5
      "kind: ConfigMap",
      "metadata:",
      "  name: broken",
      "data: {ports: [1, 2", // 9: flow collection never closed
      "---", // 10
      "apiVersion: v1", // 11
      "kind: ServiceAccount",
      "metadata: {name: b}",
      "---", // 14
      "apiVersion: v1",
      "kind: ServiceAccount",
      "metadata:",
      "  name: c",
      "    labels: x", // 19: bad indentation
      "",
    ].join("\n");
    const r = parseManifestText(text, "mixed.yaml");
    expect(names(r)).toEqual(["ServiceAccount/a@1", "ServiceAccount/b@11"]);
    expect(r.problems).toEqual([
      { file: "mixed.yaml", line: 9, message: "unexpected end of the stream within a flow collection" },
      { file: "mixed.yaml", line: 19, message: "bad indentation of a mapping entry" },
    ]);
  });

  it("reads CRLF files and a document given inline after its marker", () => {
    const text =
      "apiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: a}\r\n---\r\n--- {apiVersion: v1, kind: Namespace, metadata: {name: b}}\r\n";
    expect(names(parseManifestText(text, "crlf.yaml"))).toEqual(["Namespace/a@1", "Namespace/b@5"]);
  });

  // YAML 1.2 §9.2: directives belong to the document after the next `---`.
  it("keeps %YAML and %TAG directives with the document that follows them", () => {
    const text = [
      "# comment at top", // 1
      "%YAML 1.1", // 2
      "---", // 3
      "apiVersion: v1", // 4
      "kind: Namespace",
      "metadata: {name: a}",
      "...", // 7
      "%YAML 1.2", // 8
      "%TAG !k! tag:k8s.io,2024:", // 9
      "# between the directives and the marker", // 10
      "---", // 11
      "apiVersion: v1", // 12
      "kind: Namespace",
      "metadata: {name: b}",
      "---", // 15
      "apiVersion: v1", // 16
      "kind: ConfigMap",
      "metadata:",
      "  name: broken",
      "    labels: x", // 20: bad indentation, in a document after the directives
      "",
    ].join("\n");
    const r = parseManifestText(text, "d.yaml");
    expect(names(r)).toEqual(["Namespace/a@4", "Namespace/b@12"]);
    expect(r.problems).toEqual([{ file: "d.yaml", line: 20, message: "bad indentation of a mapping entry" }]);
    expect(
      names(
        parseManifestText(
          "%YAML 1.1\r\n---\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: x}\r\n",
          "crlf.yaml",
        ),
      ),
    ).toEqual(["Namespace/x@3"]);
  });

  it.each([
    {
      case: "a directive with no document after it, at the end of the file",
      text: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n...\n%YAML 1.1\n",
      objects: ["Namespace/a@1"],
      line: 5,
      message: "directives end mark is expected",
    },
    {
      case: "a file holding only a directive",
      text: "# just a directive\n%YAML 1.1\n",
      objects: [],
      line: 2,
      message: "directives end mark is expected",
    },
    {
      case: "a %YAML directive repeated before one document, after a good one",
      text: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n...\n%YAML 1.1\n%YAML 1.1\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
      objects: ["Namespace/a@1"],
      line: 6,
      message: "duplication of %YAML directive",
    },
    {
      case: "an unacceptable %YAML version",
      text: "%YAML 2.0\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
      objects: [],
      line: 1,
      message: "unacceptable YAML version of the document",
    },
  ])("still reports $case as invalid, with its line", ({ text, objects, line, message }) => {
    const r = parseManifestText(text, "bad.yaml");
    expect(names(r)).toEqual(objects);
    expect(r.problems).toEqual([{ file: "bad.yaml", line, message }]);
  });

  it("near miss: a `%` line inside a document (a quoted scalar's continuation) is not a directive", () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {v: "x\n%y"}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n';
    const r = parseManifestText(text, "pct.yaml");
    expect(names(r)).toEqual(["ConfigMap/a@1", "Namespace/b@7"]);
    expect(r.objects[0]?.object.data).toEqual({ v: "x %y" });
    expect(r.problems).toEqual([]);
  });

  it("skips empty and comment-only documents silently", () => {
    const r = parseManifestText("---\n# nothing here\n---\n\n---\n", "empty.yaml");
    expect(r).toEqual(emptyParsed());
    expect(parseManifestText("", "blank.yaml")).toEqual(emptyParsed());
  });

  it("reports a top-level scalar or list instead of an object", () => {
    const r = parseManifestText("just some text\n---\n- a\n- b\n", "odd.yaml");
    expect(r.objects).toEqual([]);
    expect(r.problems).toEqual([
      { file: "odd.yaml", line: 1, message: "document is a string, not a Kubernetes object" },
      { file: "odd.yaml", line: 3, message: "document is a list, not a Kubernetes object" },
    ]);
  });

  it("keeps timestamps as strings, as Kubernetes does, and types numbers and booleans", () => {
    const text = [
      "apiVersion: cert-manager.io/v1",
      "kind: Certificate",
      "metadata: {name: c, creationTimestamp: 2024-05-01T10:00:00Z}",
      "spec: {duration: 2160h, isCA: false, privateKey: {size: 256}}",
      "status: {notAfter: 2025-01-01T00:00:00Z}",
    ].join("\n");
    const o = parseManifestText(text, "c.yaml").objects[0]?.object;
    expect(o?.metadata.creationTimestamp).toBe("2024-05-01T10:00:00Z");
    expect(o?.status).toEqual({ notAfter: "2025-01-01T00:00:00Z" });
    // A cert-manager spec.privateKey is settings, not key material: only Envoy dumps and Secrets are scrubbed.
    expect(o?.spec).toEqual({ duration: "2160h", isCA: false, privateKey: { size: 256 } });
  });

  it("lets a duplicated key override, as the API server does, and honours merge keys", () => {
    const text = [
      "apiVersion: example.com/v1",
      "kind: Widget",
      "metadata:",
      "  name: dup",
      "  labels: {app: one}",
      "  labels: {app: two}",
      "base: &b {x: 1}",
      "spec: {<<: *b, y: 2}",
    ].join("\n");
    const o = parseManifestText(text, "d.yaml").objects[0]?.object;
    expect(o?.metadata.labels).toEqual({ app: "two" });
    expect(o?.spec).toEqual({ x: 1, y: 2 });
  });
});

describe("parseManifestText: lists", () => {
  it("expands kind: List, each item at the List's location", () => {
    const text = [
      "# kubectl get svc,deploy -o yaml",
      "apiVersion: v1", // 2
      "kind: List",
      "items:",
      "- apiVersion: v1",
      "  kind: Service",
      "  metadata: {name: web, namespace: shop}",
      "- apiVersion: apps/v1",
      "  kind: Deployment",
      "  metadata: {name: web, namespace: shop}",
      "- 42",
      "metadata: {resourceVersion: ''}",
    ].join("\n");
    const r = parseManifestText(text, "list.yaml");
    expect(names(r)).toEqual(["Service/web@2", "Deployment/web@2"]);
    expect(r.problems).toEqual([
      { file: "list.yaml", line: 2, message: "list item 3 is a number, not a Kubernetes object" },
    ]);
  });

  it("gives the items of a typed list (PodList) their kind and apiVersion when they lack them", () => {
    const text = [
      "apiVersion: v1",
      "kind: PodList",
      "items:",
      "- metadata: {name: web-1, namespace: shop}",
      "  spec: {containers: [{name: app}, {name: istio-proxy}]}",
      "- kind: Pod",
      "  apiVersion: v1",
      "  metadata: {name: web-2, namespace: shop}",
    ].join("\n");
    const r = parseManifestText(text, "pods.yaml");
    expect(names(r)).toEqual(["Pod/web-1@1", "Pod/web-2@1"]);
    expect(r.objects[0]?.object.apiVersion).toBe("v1");
    expect(r.objects[0]?.object.spec).toEqual({ containers: [{ name: "app" }, { name: "istio-proxy" }] });
  });

  it.each([
    ["data: {enabled: true}", "data.enabled", "the boolean true, not a string"],
    ["data: {mesh: 5}", "data.mesh", "the number 5, not a string"],
    ["data: [a]", "data", "a list, not a map of strings"],
  ])("a ConfigMap with %s is input.invalid naming %s", (data, field, what) => {
    const r = parseManifestText(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n${data}\n`,
      "cm.yaml",
    );
    expect(r.objects).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: "cm.yaml",
        line: 1,
        object: { kind: "ConfigMap", namespace: "istio-system", name: "istio" },
        field,
        message: `ConfigMap istio-system/istio: ${field} is ${what}`,
      },
    ]);
  });

  it("names the items field of a List whose items are not a list", () => {
    const r = parseManifestText(
      'apiVersion: v1\nkind: List\nmetadata: {resourceVersion: ""}\nitems: 5\n',
      "l.yaml",
    );
    expect(r.objects).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: "l.yaml",
        line: 1,
        field: "items",
        message: "List: items is the number 5, not a list of objects",
      },
    ]);
  });

  it("does not guess the kind of items in a plain List", () => {
    const r = parseManifestText("apiVersion: v1\nkind: List\nitems:\n- metadata: {name: x}\n", "l.yaml");
    expect(r.objects).toEqual([]);
    expect(r.problems).toEqual([{ file: "l.yaml", line: 1, field: "kind", message: "object has no kind" }]);
  });
});

describe("parseManifestText: JSON", () => {
  const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

  it("reads one object, an array of objects and a List", () => {
    expect(names(parseManifestText(JSON.stringify(ns("a"), null, 2), "one.json"))).toEqual(["Namespace/a@1"]);
    expect(names(parseManifestText(`\n\n  ${JSON.stringify([ns("a"), ns("b")])}`, "arr.json"))).toEqual([
      "Namespace/a@3",
      "Namespace/b@3",
    ]);
    const list = { apiVersion: "v1", kind: "NamespaceList", items: [{ metadata: { name: "c" } }, ns("d")] };
    const r = parseManifestText(JSON.stringify(list), "list.json");
    expect(names(r)).toEqual(["Namespace/c@1", "Namespace/d@1"]);
    expect(r.problems).toEqual([]);
  });

  it("reports invalid JSON with its line and without quoting the text", () => {
    const text = '{\n  "kind": "Secret",\n  "data": {"tls.key": "c2VjcmV0"},\n}\n';
    const r = parseManifestText(text, "bad.json");
    expect(r.objects).toEqual([]);
    expect(r.problems).toEqual([
      { file: "bad.json", line: 4, message: "invalid JSON: expected double-quoted property name" },
    ]);
    expect(JSON.stringify(r)).not.toContain("c2VjcmV0");

    const cut = parseManifestText('{\n  "kind": "Namespace",\n  "metadata": {\n', "cut.json");
    expect(cut.problems).toEqual([
      { file: "cut.json", line: 3, message: "invalid JSON: expected property name or '}'" },
    ]);
    // V8 gives no position here; js-yaml, which reads JSON too, says where it broke.
    expect(parseManifestText('[\n  {"kind":', "cut2.json").problems).toEqual([
      {
        file: "cut2.json",
        line: 2,
        message: "invalid JSON: unexpected end of the stream within a flow collection",
      },
    ]);
    // Neither gives a line (js-yaml accepts the trailing comma); the snippet V8 quotes is left out.
    expect(parseManifestText("[1,\n 2,]", "comma.json").problems).toEqual([
      { file: "comma.json", message: "invalid JSON: unexpected token ']'" },
    ]);
  });
});

describe("parseManifestText: missing identity", () => {
  it("names the file, line and missing field", () => {
    const text = [
      "apiVersion: v1", // 1
      "metadata: {name: nokind}",
      "---",
      "apiVersion: apps/v1", // 4
      "kind: Deployment",
      "metadata: {generateName: web-}",
      "---",
      "apiVersion: v1", // 8
      "kind: Service",
      "metadata: {name: 8080}",
      "---",
      "apiVersion: v1", // 12
      "kind: Service",
    ].join("\n");
    const r = parseManifestText(text, "ids.yaml");
    expect(r.objects).toEqual([]);
    expect(r.problems).toEqual([
      { file: "ids.yaml", line: 1, field: "kind", message: "object has no kind" },
      {
        file: "ids.yaml",
        line: 4,
        field: "metadata.name",
        message: "object has no metadata.name (kind Deployment)",
      },
      {
        file: "ids.yaml",
        line: 8,
        field: "metadata.name",
        message: "object has no metadata.name (kind Service)",
      },
      {
        file: "ids.yaml",
        line: 12,
        field: "metadata.name",
        message: "object has no metadata.name (kind Service)",
      },
    ]);
  });

  it("accepts an object without apiVersion (the model filters kinds)", () => {
    expect(names(parseManifestText("kind: Widget\nmetadata: {name: w}\n", "w.yaml"))).toEqual(["Widget/w@1"]);
  });
});

describe("parseManifestText: config dumps", () => {
  const secretsDump = {
    "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
    dynamic_active_secrets: [
      {
        name: "default",
        version_info: "2024-05-01T10:00:00Z/3",
        secret: {
          "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
          name: "default",
          tls_certificate: {
            certificate_chain: {
              inline_bytes: b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
            },
            private_key: {
              inline_string: "-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----\n",
            },
          },
        },
      },
    ],
  };

  it("ties a snake_case Envoy dump to its pod by the bootstrap node id and scrubs private keys", () => {
    const dump = {
      configs: [
        {
          "@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
          bootstrap: {
            node: { id: "sidecar~10.0.0.7~web-1.shop~shop.svc.cluster.local", cluster: "web.shop" },
          },
        },
        secretsDump,
      ],
    };
    const r = parseManifestText(JSON.stringify(dump, null, 2), "dumps/anything.json");
    expect(r.objects).toEqual([]);
    expect(r.problems).toEqual([]);
    expect(r.configDumps).toHaveLength(1);
    const d = r.configDumps[0];
    expect(d?.kind).toBe("envoy");
    expect(d?.pod).toEqual({ name: "web-1", namespace: "shop" });
    expect(d?.at).toEqual({ file: "dumps/anything.json", line: 1 });
    const out = JSON.stringify(d);
    expect(out).not.toContain("SECRETSECRET");
    expect(out).not.toContain("PRIVATE KEY");
    expect(out).toContain('"private_key":{}');
    expect(out).toContain(
      secretsDump.dynamic_active_secrets[0]!.secret.tls_certificate.certificate_chain.inline_bytes,
    );
  });

  it("reads a gateway's router node id", () => {
    const dump = {
      configs: [
        {
          "@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
          bootstrap: {
            node: {
              id: "router~10.0.0.9~istio-ingressgateway-5d8f.istio-system~istio-system.svc.cluster.local",
            },
          },
        },
      ],
    };
    expect(parseManifestText(JSON.stringify(dump), "gw.json").configDumps[0]?.pod).toEqual({
      name: "istio-ingressgateway-5d8f",
      namespace: "istio-system",
    });
  });

  it("ties a camelCase (istioctl) dump without node id to its pod by the file name", () => {
    const dump = {
      configs: [
        {
          "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
          dynamicActiveSecrets: [
            {
              name: "default",
              secret: { tlsCertificate: { privateKey: { inlineBytes: b64("-----BEGIN PRIVATE KEY-----") } } },
            },
          ],
        },
      ],
    };
    const r = parseManifestText(JSON.stringify(dump), "out/web-1.shop.json");
    expect(r.problems).toEqual([]);
    expect(r.configDumps[0]?.pod).toEqual({ name: "web-1", namespace: "shop" });
    expect(r.configDumps[0]?.body).toEqual({
      configs: [
        {
          "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
          dynamicActiveSecrets: [{ name: "default", secret: { tlsCertificate: { privateKey: {} } } }],
        },
      ],
    });
  });

  it("wraps a bare SecretsConfigDump (istioctl proxy-config secret -o json) into configs[]", () => {
    const bare = { dynamicActiveSecrets: [{ name: "ROOTCA", versionInfo: "v" }] };
    const d = parseManifestText(JSON.stringify(bare), "web-1.shop.json").configDumps[0];
    expect(d?.kind).toBe("envoy");
    expect(d?.body).toEqual({
      configs: [
        {
          "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
          dynamicActiveSecrets: [{ name: "ROOTCA", versionInfo: "v" }],
        },
      ],
    });
  });

  it("reports a dump it cannot tie to a pod but still returns it", () => {
    const dump = { configs: [secretsDump] };
    const r = parseManifestText(JSON.stringify(dump), "config_dump.json");
    expect(r.configDumps).toHaveLength(1);
    expect(r.configDumps[0]?.pod).toBeNull();
    expect(r.problems).toEqual([
      {
        file: "config_dump.json",
        line: 1,
        message:
          "cannot tell which pod this config dump belongs to (no bootstrap node id; name the file <pod>.<namespace>.json)",
      },
    ]);
  });

  it("recognises a ztunnel dump and ties it by file name", () => {
    const dump = {
      workloads: {},
      certificates: [
        {
          identity: "spiffe://cluster.local/ns/shop/sa/web",
          state: "Available",
          certChain: [
            { pem: "-----BEGIN CERTIFICATE-----", serialNumber: "1", expirationTime: "2025-01-01T00:00:00Z" },
          ],
          rootCerts: [],
        },
      ],
    };
    const r = parseManifestText(JSON.stringify(dump), "ztunnel/ztunnel-abcde.istio-system.json");
    expect(r.problems).toEqual([]);
    expect(r.configDumps).toEqual([
      {
        kind: "ztunnel",
        pod: { name: "ztunnel-abcde", namespace: "istio-system" },
        body: dump,
        at: { file: "ztunnel/ztunnel-abcde.istio-system.json", line: 1 },
      },
    ]);
  });

  it("treats a JSON object with neither kind nor dump shape as an object without kind", () => {
    const r = parseManifestText('{"certificates": [], "name": "x"}', "x.json");
    expect(r.configDumps).toEqual([]);
    expect(r.problems).toEqual([{ file: "x.json", line: 1, field: "kind", message: "object has no kind" }]);
  });
});

describe("parseManifestText: secret hygiene", () => {
  const PEM_KEY =
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
  const PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIDCERTCERT\n-----END CERTIFICATE-----\n";

  it("drops key, token and password entries and any private key value from Secrets", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: {
        name: "istio-ca",
        namespace: "istio-system",
        annotations: {
          [`kubectl.kubernetes.io/last-applied-configuration`]: JSON.stringify({
            data: { "tls.key": b64(PEM_KEY) },
          }),
          keep: "me",
        },
        managedFields: [{ manager: "kubectl", fieldsV1: { "f:data": { "f:tls.key": {} } } }],
      },
      data: {
        "tls.key": b64(PEM_KEY),
        "ca-key.pem": b64(PEM_KEY),
        "private-key": b64("not a pem, but named as a key"),
        token: b64("eyJhbGciOi-token"),
        "admin-password": b64("hunter2"),
        "innocent.pem": b64(PEM_KEY), // named harmlessly, still a key
        "tls.crt": b64(PEM_CERT),
        "ca.crt": b64(PEM_CERT),
      },
      stringData: { "key.pem": PEM_KEY, "bundle.pem": PEM_CERT + PEM_KEY, "root-cert.pem": PEM_CERT },
    };
    const r = parseManifestText(JSON.stringify(secret), "secret.json");
    const o = r.objects[0]?.object;
    expect(o?.data).toEqual({ "tls.crt": b64(PEM_CERT), "ca.crt": b64(PEM_CERT) });
    // A TLS Secret's certificates are tls.crt and ca.crt: a root-cert.pem there is read by nobody.
    expect(o?.stringData).toEqual({});
    expect(o?.metadata).toEqual({ name: "istio-ca", namespace: "istio-system", annotations: { keep: "me" } });
    const out = JSON.stringify(r);
    for (const leak of [
      b64(PEM_KEY),
      "PRIVATE KEY",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
      "hunter2",
      "token",
      "managedFields",
    ]) {
      expect(out).not.toContain(leak);
    }
    expect(out).toContain("tls.crt");
    expect(out).toContain(b64(PEM_CERT));
  });

  it("drops a raw (not base64) PEM private key written under a certificate key of a Secret's data", () => {
    // Buffer.from(…, "base64") skips the PEM armour and decodes the rest to noise: only the raw text shows the key.
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: "web-tls", namespace: "web" },
      data: { "ca.crt": PEM_KEY, "tls.crt": b64(PEM_CERT) },
    };
    const r = parseManifestText(JSON.stringify(secret), "secret.json");
    expect(r.objects[0]?.object.data).toEqual({ "tls.crt": b64(PEM_CERT) });
    expect(JSON.stringify(r)).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
  });

  it("drops DER (PKCS#8, SEC 1, PKCS#1) and JWK private keys under a certificate key; keeps a DER certificate", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const der = (k: KeyObject, type: "pkcs8" | "sec1" | "pkcs1") =>
      k.export({ format: "der", type }).toString("base64");
    const jwk = Buffer.from(JSON.stringify(ec.privateKey.export({ format: "jwk" }))).toString("base64");
    const root = await makeBareRoot(
      "CN=Root",
      new Date("2026-01-01T00:00:00Z"),
      new Date("2030-01-01T00:00:00Z"),
    );
    const certDer = root.pem.replace(/-----[A-Z ]+-----|\s+/g, "");
    const cases = {
      "ca.crt": der(ec.privateKey, "pkcs8"),
      "tls.crt": der(ec.privateKey, "sec1"),
    };
    for (const [data, kept] of [
      [cases, {}],
      [{ "ca.crt": der(rsa.privateKey, "pkcs1"), "tls.crt": jwk }, {}],
      [{ "ca.crt": certDer }, { "ca.crt": certDer }],
      [
        { "ca.crt": Buffer.from(JSON.stringify(ec.publicKey.export({ format: "jwk" }))).toString("base64") },
        "same",
      ],
    ] as const) {
      const secret = {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: { name: "s", namespace: "n" },
        data,
      };
      const r = parseManifestText(JSON.stringify(secret), "secret.json");
      expect(r.objects[0]?.object.data).toEqual(kept === "same" ? data : kept);
    }
  });

  it("scrubs Secrets from YAML and inside lists too", () => {
    const text = [
      "apiVersion: v1",
      "kind: SecretList",
      "items:",
      "- type: kubernetes.io/tls",
      "  metadata:",
      "    name: s",
      "    annotations:",
      "      kubectl.kubernetes.io/last-applied-configuration: |",
      '        {"stringData":{"x":"-----BEGIN RSA PRIVATE KEY-----"}}',
      "  stringData:",
      "    tls.crt: cert",
      "    whatever: |",
      "      -----BEGIN EC PRIVATE KEY-----",
      "      abc",
    ].join("\n");
    const r = parseManifestText(text, "s.yaml");
    expect(r.objects[0]?.object).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: "s", annotations: {} },
      stringData: { "tls.crt": "cert" },
    });
  });

  it("drops private keys wrongly stored in a ConfigMap, keeping CA bundles", () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio-ca-root-cert" },
      data: { "root-cert.pem": PEM_CERT, "oops.pem": PEM_KEY },
      binaryData: { "k.der": b64(PEM_KEY) },
    };
    const o = parseManifestText(JSON.stringify(cm), "cm.json").objects[0]?.object;
    expect(o?.data).toEqual({ "root-cert.pem": PEM_CERT });
    expect(o?.binaryData).toEqual({});
  });

  it("removes the last-applied annotation and managedFields from every kind", () => {
    const text = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "  annotations:",
      "    kubectl.kubernetes.io/last-applied-configuration: '{}'",
      "    deployment.kubernetes.io/revision: '3'",
      "  managedFields: [{manager: kubectl}]",
    ].join("\n");
    expect(parseManifestText(text, "d.yaml").objects[0]?.object.metadata).toEqual({
      name: "web",
      annotations: { "deployment.kubernetes.io/revision": "3" },
    });
  });
});

describe("parseManifestText: large input (timed by npm run bench, not here)", () => {
  it("parses 10,000 Deployments with exact line numbers", () => {
    const doc = (i: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ns-${i % 40}\n  labels: {app: app-${i}, version: v1}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: app-${i}}\n  template:\n    metadata:\n      labels: {app: app-${i}, version: v1}\n      annotations: {sidecar.istio.io/inject: "true"}\n    spec:\n      serviceAccountName: app-${i}\n      containers:\n        - name: app\n          image: registry.example.com/team/app-${i}:1.2.3\n          ports:\n            - {containerPort: 8080, name: http}\n            - {containerPort: 9090, name: grpc-metrics}\n          resources: {requests: {cpu: 100m, memory: 128Mi}}\n          env:\n            - {name: LOG_LEVEL, value: info}\n            - {name: SERVICE_NAME, value: app-${i}}\n          readinessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 5}\n`;
    const text = Array.from({ length: 10_000 }, (_, i) => doc(i)).join("---\n");
    const r = parseManifestText(text, "big.yaml");
    expect(r.objects).toHaveLength(10_000);
    expect(r.objects[9_999]?.at.line).toBe(9_999 * 28 + 1);
  });
});

describe("mergeParsed", () => {
  it("concatenates in order", () => {
    const a = parseManifestText("kind: A\nmetadata: {name: a}\n", "a.yaml");
    const b = parseManifestText("metadata: {name: b}\n", "b.yaml");
    const m = mergeParsed([a, emptyParsed(), b]);
    expect(m.objects.map((o) => o.object.kind)).toEqual(["A"]);
    expect(m.problems).toEqual([{ file: "b.yaml", line: 1, field: "kind", message: "object has no kind" }]);
    expect(mergeParsed([])).toEqual(emptyParsed());
  });
});
