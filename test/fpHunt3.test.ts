// Third false-positive hunt (docs/DECISIONS.md): correct meshes whose certificates were misjudged.
// Each case is built from a real PKI made here (WebCrypto keys, @peculiar/x509 signatures, dates
// relative to NOW) and goes through the real loader and analysis.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../lib/core/load/parseManifests";
import { mergeParsed } from "../lib/core/load/mergeParsed";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { envoyDump, trustedCa } from "../lib/demo/dumps";
import { b64 } from "../lib/demo/objects";
import { internalErrors } from "./support/mutation";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle;

const NOW = new Date("2026-11-27T12:00:00Z");
const H = 3600_000;
const D = 24 * H;
const at = (ms: number) => new Date(NOW.getTime() + ms);
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const RSA_SHA1 = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-1",
} as const;

interface Made {
  pem: string;
  keys: CryptoKeyPair;
  sign: Algorithm | EcdsaParams;
}
let serial = 0x40;

async function ca(
  name: string,
  nb: number,
  na: number,
  issuer: Made | null,
  o: { spiffe?: string; sha1?: boolean } = {},
): Promise<Made> {
  const alg = o.sha1 ? RSA_SHA1 : EC;
  const sign = (
    o.sha1 ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-1" } : { name: "ECDSA", hash: "SHA-256" }
  ) as EcdsaParams;
  const keys = (await subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (o.spiffe) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: "url", value: o.spiffe }]));
  const serialNumber = (++serial).toString(16) + "0102030405";
  const cert = issuer
    ? await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: name,
        issuer: new x509.X509Certificate(issuer.pem).subject,
        notBefore: at(nb),
        notAfter: at(na),
        signingAlgorithm: issuer.sign,
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
        extensions,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber,
        name,
        notBefore: at(nb),
        notAfter: at(na),
        signingAlgorithm: sign,
        keys,
        extensions,
      });
  return { pem: cert.toString("pem") + "\n", keys, sign };
}

async function leaf(
  sans: x509.JsonGeneralNames,
  nb: number,
  na: number,
  issuer: Made,
  subject = "",
): Promise<string> {
  const keys = (await subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (++serial).toString(16) + "0a0b0c0d0e",
    subject,
    issuer: new x509.X509Certificate(issuer.pem).subject,
    notBefore: at(nb),
    notAfter: at(na),
    signingAlgorithm: issuer.sign,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(sans, subject === ""),
    ],
  });
  return cert.toString("pem") + "\n";
}

const spiffe = (ns: string, sa: string, td = "cluster.local") => `spiffe://${td}/ns/${ns}/sa/${sa}`;
const SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

/** An Envoy dump (the demo's shape) with extra SDS secrets after `default` and `ROOTCA`. */
function dump(
  pod: string,
  ns: string,
  chainPem: string,
  validation: object,
  extra: { name: string; chain?: string; ca?: string }[] = [],
) {
  const d = envoyDump({
    nodeId: `sidecar~10.0.0.9~${pod}.${ns}~${ns}.svc.cluster.local`,
    chainPem,
    validation,
    pushedAt: at(-2 * H),
  }) as { configs: { dynamic_active_secrets?: object[] }[] };
  const secrets = d.configs.find((c) => c.dynamic_active_secrets)!.dynamic_active_secrets!;
  for (const e of extra)
    secrets.push({
      name: e.name,
      secret: {
        "@type": SECRET,
        name: e.name,
        ...(e.chain
          ? {
              tls_certificate: {
                certificate_chain: { inline_bytes: b64(e.chain) },
                private_key: { inline_bytes: "W3JlZGFjdGVkXQ==" },
              },
            }
          : {}),
        ...(e.ca ? { validation_context: { trusted_ca: { inline_bytes: b64(e.ca) } } } : {}),
      },
    });
  return { text: JSON.stringify(d), file: `dumps/${pod}.${ns}.json` };
}

const pod = (ns: string, name: string, sa: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns, labels: { app: sa } },
  spec: { serviceAccountName: sa, containers: [{ name: "app" }, { name: "istio-proxy" }] },
});
const rootCm = (ns: string, pem: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "istio-ca-root-cert", namespace: ns },
  data: { "root-cert.pem": pem },
});
const base = (rootPem: string) => [
  {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "shop", labels: { "istio-injection": "enabled" } },
  },
  {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace: "istio-system" },
    spec: { mtls: { mode: "STRICT" } },
  },
  rootCm("shop", rootPem),
];

function run(objects: object[], dumps: { text: string; file: string }[]): MeshSnapshot {
  const parsed = mergeParsed([
    parseManifestText(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }), "mesh.json"),
    ...dumps.map((d) => parseManifestText(d.text, d.file)),
  ]);
  const snap = MeshSnapshotSchema.parse(analyze(parsed, { now: NOW, source: { type: "manifests" } }));
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}
const certFindings = (s: MeshSnapshot) =>
  s.findings
    .filter((f) => /^(cert|certmanager|linkerd|spire)\./.test(f.code))
    .map((f) => `${f.code}: ${f.message}`);

describe("Istio proxies' non-mesh SDS secrets", () => {
  it("the OS trust store (file-root:system) is not read: its expired and SHA-1 public roots are no finding, and no root-mismatch", async () => {
    const root = await ca("O=Acme, CN=Mesh Root", -100 * D, 3000 * D, null);
    const wl = await leaf([{ type: "url", value: spiffe("shop", "checkout") }], -2 * H, 22 * H, root);
    // Shipped by every distribution: an expired public root, and a SHA-1 self-signed one.
    const expiredPublic = await ca("O=Old Public CA, CN=Old Public Root", -7000 * D, -500 * D, null);
    const sha1Public = await ca("O=Public CA, CN=SHA1 Public Root", -5000 * D, 400 * D, null, { sha1: true });
    const s = run(
      [...base(root.pem), pod("shop", "checkout-1", "checkout")],
      [
        dump("checkout-1", "shop", wl + root.pem, trustedCa(root.pem), [
          { name: "file-root:system", ca: expiredPublic.pem + sha1Public.pem },
        ]),
      ],
    );
    expect(certFindings(s)).toEqual([]);
    expect(s.certificates.map((c) => c.role).sort()).toEqual(["root", "workload"]);
  });

  it("a file-root secret naming a path (a corporate CA mounted at the OS bundle's path) is read: its expiring CA is cert.expiring, and no root-mismatch", async () => {
    const root = await ca("O=Acme, CN=Mesh Root", -100 * D, 3000 * D, null);
    const wl = await leaf([{ type: "url", value: spiffe("shop", "checkout") }], -2 * H, 22 * H, root);
    const corp = await ca("O=Acme Corp, CN=Corporate Root", -3000 * D, 10 * D, null);
    const s = run(
      [...base(root.pem), pod("shop", "checkout-1", "checkout")],
      [
        dump("checkout-1", "shop", wl + root.pem, trustedCa(root.pem), [
          { name: "file-root:/etc/ssl/certs/ca-certificates.crt", ca: corp.pem },
        ]),
      ],
    );
    expect(
      s.findings
        .filter((f) => f.code === "cert.expiring")
        .map((f) => [f.severity, f.message.includes("Corporate Root")]),
    ).toEqual([["error", true]]);
    expect(s.findings.filter((f) => f.code === "cert.root-mismatch")).toEqual([]);
  });

  it("a gateway's credentialName chain (another CA) and its client CA are not judged by the mesh roots", async () => {
    const root = await ca("O=Acme, CN=Mesh Root", -100 * D, 3000 * D, null);
    const gw = await leaf([{ type: "url", value: spiffe("shop", "gateway") }], -2 * H, 22 * H, root);
    const edgeRoot = await ca("O=Acme Edge, CN=Edge Root", -100 * D, 3000 * D, null);
    const edgeInter = await ca("O=Acme Edge, CN=Edge Issuing CA", -100 * D, 1500 * D, edgeRoot);
    const serving = await leaf(
      [{ type: "dns", value: "shop.example.com" }],
      -10 * D,
      80 * D,
      edgeInter,
      "CN=shop.example.com",
    );
    const clientCa = await ca("O=Partner, CN=Partner Client CA", -100 * D, 1000 * D, null);
    const s = run(
      [...base(root.pem), pod("shop", "gateway-1", "gateway")],
      [
        dump("gateway-1", "shop", gw + root.pem, trustedCa(root.pem), [
          { name: "kubernetes://shop-credential", chain: serving + edgeInter.pem },
          { name: "kubernetes://shop-credential-cacert", ca: clientCa.pem },
        ]),
      ],
    );
    expect(certFindings(s)).toEqual([]);
    // The serving chain's root is not among the inputs: not verified, and silent.
    expect(s.certificates.find((c) => c.subject.includes("shop.example.com"))?.chain.verified).toBe(false);
  });

  it("a proxy's ROOTCA that differs from the mesh root is still cert.root-mismatch", async () => {
    const root = await ca("O=Acme, CN=Mesh Root", -100 * D, 3000 * D, null);
    const other = await ca("O=Other, CN=Other Root", -100 * D, 3000 * D, null);
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web") }], -2 * H, 22 * H, root);
    const s = run(
      [...base(root.pem), pod("shop", "web-1", "web")],
      [dump("web-1", "shop", wl + root.pem, trustedCa(root.pem + other.pem))],
    );
    expect(s.findings.filter((f) => f.code === "cert.root-mismatch").map((f) => f.resources)).toEqual([
      [
        { kind: "Pod", namespace: "shop", name: "web-1" },
        { kind: "ConfigMap", namespace: "shop", name: "istio-ca-root-cert" },
      ],
    ]);
  });
});

describe("mesh certificates mounted from files", () => {
  it("a stale root in file-root:/etc/certs/root-cert.pem (Istio's mounted mesh roots) is cert.root-mismatch", async () => {
    const root = await ca("O=Acme, CN=Mesh Root", -100 * D, 3000 * D, null);
    const old = await ca("O=Acme, CN=Old Root", -100 * D, 3000 * D, null);
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web") }], -2 * H, 22 * H, root);
    const s = run(
      [...base(root.pem), pod("shop", "web-1", "web")],
      [
        dump("web-1", "shop", wl + root.pem, trustedCa(root.pem), [
          { name: "file-root:/etc/certs/root-cert.pem", ca: old.pem },
        ]),
      ],
    );
    expect(
      s.findings.filter((f) => f.code === "cert.root-mismatch").map((f) => f.resources[0]!.name),
    ).toEqual(["web-1"]);
  });

  it("with no default/ROOTCA secret, the file-cert:/file-root: secrets are the proxy's mesh trust; beside them, a DestinationRule's file-root is not", async () => {
    const root = await ca("O=Acme, CN=Mesh Root", -100 * D, 3000 * D, null);
    const old = await ca("O=Acme, CN=Old Root", -100 * D, 3000 * D, null);
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web") }], -2 * H, 22 * H, root);
    const files = [
      { name: "file-cert:/var/run/mesh/cert-chain.pem~/var/run/mesh/key.pem", chain: wl + root.pem },
      { name: "file-root:/var/run/mesh/root-cert.pem", ca: old.pem },
    ];
    const mounted = dump("web-1", "shop", wl + root.pem, trustedCa(root.pem), files);
    const body = JSON.parse(mounted.text) as { configs: { dynamic_active_secrets?: { name: string }[] }[] };
    const holder = body.configs.find((c) => c.dynamic_active_secrets)!;
    holder.dynamic_active_secrets = holder.dynamic_active_secrets!.filter(
      (x) => x.name !== "default" && x.name !== "ROOTCA",
    );
    const s = run(
      [...base(root.pem), pod("shop", "web-1", "web")],
      [{ ...mounted, text: JSON.stringify(body) }],
    );
    expect(
      s.findings.filter((f) => f.code === "cert.root-mismatch").map((f) => f.resources[0]!.name),
    ).toEqual(["web-1"]);
    const withSds = run(
      [...base(root.pem), pod("shop", "web-1", "web")],
      [dump("web-1", "shop", wl + root.pem, trustedCa(root.pem), files)],
    );
    expect(withSds.findings.filter((f) => f.code === "cert.root-mismatch")).toEqual([]);
  });
});

describe("cert.lifetime-too-long and the CA's backdating", () => {
  const M = 60_000;
  it.each([
    ["istiod's CA: notBefore 2 min back, 24 h TTL", -2 * H - 2 * M, 22 * H, false],
    ["SPIRE: notBefore 10 s back, 24 h TTL", -2 * H - 10_000, 22 * H, false],
    ["exactly 24 h", -2 * H, 22 * H, false],
    ["25 h", -3 * H, 22 * H, true],
    ["24 h 10 min", -2 * H - 10 * M, 22 * H, true],
  ] as const)("%s → %s", async (_what, nb, na, fires) => {
    const root = await ca("O=Acme, CN=Mesh Root", -100 * D, 3000 * D, null);
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web") }], nb, na, root);
    const s = run(
      [...base(root.pem), pod("shop", "web-1", "web")],
      [dump("web-1", "shop", wl + root.pem, trustedCa(root.pem))],
    );
    expect(s.findings.some((f) => f.code === "cert.lifetime-too-long")).toBe(fires);
    expect(certFindings(s).filter((f) => !f.startsWith("cert.lifetime-too-long"))).toEqual([]);
  });
});

describe("cert.rotation-overdue while cert-manager is renewing", () => {
  const M = 60_000;
  it.each([
    ["Issuing=True, renewal due 3 min ago", -3 * M, true, undefined, false],
    ["no Issuing condition, renewal due 3 min ago", -3 * M, false, undefined, true],
    ["Issuing=True, renewal due 2 h ago", -2 * H, true, undefined, true],
    ["Issuing=True, an attempt failed after the renewal time", -3 * M, true, -1 * M, true],
    ["Issuing=True, the last failure is older than the renewal time", -3 * M, true, -10 * D, false],
  ] as const)("%s → %s", async (_what, renewal, issuing, failure, fires) => {
    const root = await ca("O=Acme, CN=Web Root", -100 * D, 3000 * D, null);
    const site = await leaf(
      [{ type: "dns", value: "api.example.com" }],
      -60 * D,
      30 * D,
      root,
      "CN=api.example.com",
    );
    const iso = (ms: number) => at(ms).toISOString();
    const conditions: object[] = [{ type: "Ready", status: "True", reason: "Ready" }];
    if (issuing)
      conditions.push({
        type: "Issuing",
        status: "True",
        reason: "Renewing",
        lastTransitionTime: iso(renewal),
      });
    const objs = [
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "api", namespace: "web" },
        spec: {
          secretName: "api",
          dnsNames: ["api.example.com"],
          issuerRef: { name: "le", kind: "ClusterIssuer" },
        },
        status: {
          conditions,
          notBefore: iso(-60 * D),
          notAfter: iso(30 * D),
          renewalTime: iso(renewal),
          ...(failure !== undefined ? { lastFailureTime: iso(failure), failedIssuanceAttempts: 1 } : {}),
        },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: {
          name: "api",
          namespace: "web",
          annotations: { "cert-manager.io/certificate-name": "api" },
        },
        data: { "tls.crt": b64(site), "ca.crt": b64(root.pem) },
      },
    ];
    const s = run(objs, []);
    expect(s.findings.filter((f) => f.code === "cert.rotation-overdue").length).toBe(fires ? 1 : 0);
  });
});

describe("meshConfig.caCertificates", () => {
  it("extra roots istio-agent merges into ROOTCA are no cert.root-mismatch; a root from nowhere still is", async () => {
    const root = await ca("O=Acme, CN=cluster1 root", -100 * D, 3000 * D, null);
    const remote = await ca("O=Acme, CN=cluster2 root", -100 * D, 3000 * D, null);
    const stray = await ca("O=Else, CN=stray root", -100 * D, 3000 * D, null);
    const indented = remote.pem
      .trimEnd()
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n");
    const mesh = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio", namespace: "istio-system" },
      data: {
        mesh: `trustDomain: cluster.local\ncaCertificates:\n- pem: |\n${indented}\n  trustDomains: [cluster2.local]\n`,
      },
    };
    const dumps = [];
    const objs: object[] = [...base(root.pem), mesh];
    for (const [name, extra] of [
      ["web-1", remote.pem],
      ["api-1", stray.pem],
    ] as const) {
      objs.push(pod("shop", name, name.split("-")[0]!));
      const wl = await leaf(
        [{ type: "url", value: spiffe("shop", name.split("-")[0]!) }],
        -2 * H,
        22 * H,
        root,
      );
      dumps.push(dump(name, "shop", wl + root.pem, trustedCa(extra + root.pem)));
    }
    const s = run(objs, dumps);
    expect(
      s.findings.filter((f) => f.code === "cert.root-mismatch").map((f) => f.resources[0]!.name),
    ).toEqual(["api-1"]);
    expect(certFindings(s).filter((f) => !f.startsWith("cert.root-mismatch"))).toEqual([]);
    expect(
      s.certificates
        .find((c) => c.subject.includes("cluster2 root"))
        ?.sources.map((x) => `${x.kind}:${x.name}:${x.key}`),
    ).toContain("ConfigMap:istio:mesh");
  });
});

describe("an old root kept in the bundle after a rotation", () => {
  // The old root has 30 days left (under the CA warning threshold); both roots are distributed.
  async function roots() {
    const oldRoot = await ca("O=Acme, CN=Root 2016", -3620 * D, 30 * D, null);
    const newRoot = await ca("O=Acme, CN=Root 2026", -20 * D, 3650 * D, null);
    const oldInter = await ca("O=Acme, CN=Intermediate 2016", -1000 * D, 29 * D, oldRoot);
    const newInter = await ca("O=Acme, CN=Intermediate 2026", -20 * D, 1000 * D, newRoot);
    return { oldRoot, newRoot, oldInter, newInter };
  }
  const expiring = (s: MeshSnapshot) =>
    s.findings
      .filter((f) => f.code === "cert.expiring")
      .map((f) => f.message.match(/certificate (.*?) \(serial/)?.[1]);

  it.each([
    ["Istio plug-in CA signing with the new intermediate → old root silent", "new", true, []],
    [
      "Istio plug-in CA still signing with the old intermediate → both old CAs warn",
      "old",
      true,
      ["O=Acme,CN=Intermediate 2016", "O=Acme,CN=Root 2016"],
    ],
    ["no new root in the bundle → the old root warns", "new", false, ["O=Acme,CN=Root 2016"]],
  ] as const)("%s", async (_what, signer, bothRoots, want) => {
    const r = await roots();
    const inter = signer === "new" ? r.newInter : r.oldInter;
    const root = signer === "new" ? r.newRoot : r.oldRoot;
    const bundle = bothRoots ? r.newRoot.pem + r.oldRoot.pem : r.oldRoot.pem;
    const cacerts = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cacerts", namespace: "istio-system" },
      data: {
        "ca-cert.pem": b64(inter.pem),
        "cert-chain.pem": b64(inter.pem + root.pem),
        "root-cert.pem": b64(bundle),
      },
    };
    const s = run([...base(bundle), cacerts], []);
    expect(expiring(s).sort()).toEqual([...want].sort());
  });

  it("another cluster's root from meshConfig.caCertificates, in the proxies' ROOTCA beside this mesh's newer root, is no replaced root: cert.expiring", async () => {
    const mine = await ca("O=Acme, CN=cluster1 root", -100 * D, 3000 * D, null);
    const inter = await ca("O=Acme, CN=cluster1 intermediate", -100 * D, 1000 * D, mine);
    const remote = await ca("O=Acme, CN=cluster2 root", -3620 * D, 30 * D, null);
    const indented = remote.pem
      .trimEnd()
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n");
    const mesh = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio", namespace: "istio-system" },
      data: { mesh: `trustDomain: cluster.local\ncaCertificates:\n- pem: |\n${indented}\n` },
    };
    const cacerts = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cacerts", namespace: "istio-system" },
      data: {
        "ca-cert.pem": b64(inter.pem),
        "cert-chain.pem": b64(inter.pem + mine.pem),
        "root-cert.pem": b64(mine.pem),
      },
    };
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web") }], -2 * H, 22 * H, inter);
    for (const dumps of [
      [dump("web-1", "shop", wl + inter.pem + mine.pem, trustedCa(mine.pem + remote.pem))],
      [],
    ]) {
      const s = run([...base(mine.pem), mesh, cacerts, pod("shop", "web-1", "web")], dumps);
      expect(
        s.findings
          .filter((f) => f.code === "cert.expiring")
          .map((f) => [f.severity, f.message.includes("cluster2 root")]),
      ).toEqual([["warning", true]]);
    }
  });

  it("an old root that still signs the workloads (config dumps) is not replaced by an unrelated newer root beside it", async () => {
    const old = await ca("O=cluster.local", -3620 * D, 30 * D, null);
    const other = await ca("O=Acme, CN=cert-manager root", -20 * D, 3650 * D, null);
    const otherCa = await ca("O=Acme, CN=cert-manager CA", -20 * D, 1000 * D, other);
    const caSecret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: "acme-ca", namespace: "cert-manager" },
      data: { "tls.crt": b64(otherCa.pem), "ca.crt": b64(other.pem) },
    };
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web") }], -2 * H, 22 * H, old);
    const s = run(
      [...base(old.pem + other.pem), pod("shop", "web-1", "web"), caSecret],
      [dump("web-1", "shop", wl + old.pem, trustedCa(old.pem + other.pem))],
    );
    expect(expiring(s)).toEqual(["O=cluster.local"]);
  });

  it("a newer root of another PKI (a cert-manager CA's) beside the mesh root replaces nothing", async () => {
    const old = await ca("O=cluster.local", -3620 * D, 30 * D, null);
    const other = await ca("O=Acme, CN=cert-manager root", -20 * D, 3650 * D, null);
    const otherCa = await ca("O=Acme, CN=cert-manager CA", -20 * D, 1000 * D, other);
    const caSecret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: "acme-ca", namespace: "cert-manager" },
      data: { "tls.crt": b64(otherCa.pem), "ca.crt": b64(other.pem) },
    };
    const s = run([...base(old.pem + other.pem), caSecret], []);
    expect(expiring(s)).toEqual(["O=cluster.local"]);
  });

  it.each([
    ["the Linkerd issuer re-signed by the new anchor → old anchor silent", "new", []],
    [
      "the Linkerd issuer still under the old anchor → the old anchor warns",
      "old",
      ["CN=root.linkerd.cluster.local"],
    ],
  ] as const)("%s", async (_what, signer, want) => {
    const oldA = await ca("CN=root.linkerd.cluster.local", -335 * D, 30 * D, null);
    const newA = await ca("CN=root.linkerd.cluster.local", -2 * D, 3650 * D, null);
    const anchor = signer === "new" ? newA : oldA;
    const issuer = await ca("CN=identity.linkerd.cluster.local", -1 * D, 20 * D, anchor);
    const objs = [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
        data: { "ca-bundle.crt": newA.pem + oldA.pem },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: { name: "linkerd-identity-issuer", namespace: "linkerd" },
        data: { "tls.crt": b64(issuer.pem), "ca.crt": b64(anchor.pem) },
      },
    ];
    const s = run(objs, []);
    // The issuer itself (20 days left) is expiring in both cases.
    expect(expiring(s).filter((x) => x !== "CN=identity.linkerd.cluster.local")).toEqual(want);
  });
});

describe("cert.weak-crypto", () => {
  it("a SHA-1 self-signature on a root is not weak (a trust anchor's signature is never checked); one on an intermediate is", async () => {
    const root = await ca("O=Acme, CN=Legacy SHA1 Root", -1000 * D, 3000 * D, null, { sha1: true });
    const inter = await ca("O=Acme, CN=Legacy Intermediate", -100 * D, 1000 * D, root);
    const objs = [
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: { name: "legacy-ca", namespace: "shop" },
        data: { "tls.crt": b64(inter.pem), "ca.crt": b64(root.pem) },
      },
    ];
    const s = run(objs, []);
    const weak = s.findings.filter((f) => f.code === "cert.weak-crypto");
    expect(weak.map((f) => f.message.includes("Legacy Intermediate"))).toEqual([true]);
  });
});

describe("SPIRE", () => {
  const td = "example.org";
  const serverConf = (caTtl: string, svidTtl: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "spire-server", namespace: "spire" },
    data: {
      "server.conf": `server {\n  trust_domain = "${td}"\n  ca_ttl = "${caTtl}"\n  default_x509_svid_ttl = "${svidTtl}"\n}\n`,
    },
  });
  const bundle = (pem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "spire-bundle", namespace: "spire" },
    data: { "bundle.crt": pem },
  });
  const istio = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio", namespace: "istio-system" },
    data: { mesh: `trustDomain: ${td}\n` },
  };
  const spiffeValidator = (domains: [string, string][]) => ({
    custom_validator_config: {
      name: "envoy.tls.cert_validator.spiffe",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig",
        trust_domains: domains.map(([name, pem]) => ({ name, trust_bundle: { inline_bytes: b64(pem) } })),
      },
    },
  });

  // ca_ttl 168h: the old CA (68 h left) was replaced when half its life remained; the new one
  // (prepared 16 h ago) has 152 h left. Both are in the bundle, as SPIRE publishes them.
  async function spirePki() {
    const oldCa = await ca("C=US, O=SPIFFE", -100 * H, 68 * H, null, { spiffe: `spiffe://${td}` });
    const newCa = await ca("C=US, O=SPIFFE", -16 * H, 152 * H, null, { spiffe: `spiffe://${td}` });
    const partner = await ca("C=US, O=SPIFFE", -50 * H, 118 * H, null, { spiffe: "spiffe://partner.org" });
    const istiodRoot = await ca("O=cluster.local", -300 * D, 3000 * D, null);
    return { oldCa, newCa, partner, istiodRoot };
  }

  it.each([
    [
      "SPIRE's own CAs, one already replaced",
      (p: Awaited<ReturnType<typeof spirePki>>) => p.newCa.pem + p.oldCa.pem,
    ],
    ["a federated trust domain's CA", (p: Awaited<ReturnType<typeof spirePki>>) => p.partner.pem],
  ])("%s: SPIRE rotates its CAs itself, so a short CA lifetime is no cert.expiring", async (_what, pemOf) => {
    const p = await spirePki();
    const s = run([bundle(pemOf(p)), serverConf("168h", "4h")], []);
    expect(certFindings(s)).toEqual([]);
    for (const c of s.certificates) expect(c.renewalTime).not.toBeNull();
  });

  it.each([
    ["168h", "28h", false],
    ["168h", "29h", true],
    ["8760h", "168h", false],
    // SPIRE caps the guarantee at 7 days whatever ca_ttl (MaxSVIDTTLForCATTL).
    ["8760h", "200h", true],
  ] as const)(
    "spire.svid-ttl-too-long: ca_ttl %s, default_x509_svid_ttl %s → %s",
    (caTtl, svidTtl, fires) => {
      const s = run([serverConf(caTtl, svidTtl)], []);
      expect(s.findings.some((f) => f.code === "spire.svid-ttl-too-long")).toBe(fires);
    },
  );

  it("with an UpstreamAuthority, SPIRE's intermediate CA between preparation and activation (no successor visible) is no cert.expiring", async () => {
    // ca_ttl 168h: prepared 16 h ago (half-life), activated 28 h before its end; the bundle holds
    // the upstream root only, so the prepared CA cannot be seen.
    const upstream = await ca("O=Acme, CN=Upstream Root", -300 * D, 3000 * D, null);
    const spireCa = await ca("C=US, O=SPIFFE", -100 * H, 68 * H, upstream, { spiffe: `spiffe://${td}` });
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web", td) }], -1 * H, 3 * H, spireCa);
    const s = run(
      [
        ...base(upstream.pem),
        istio,
        bundle(upstream.pem),
        serverConf("168h", "4h"),
        pod("shop", "web-1", "web"),
      ],
      [dump("web-1", "shop", wl + spireCa.pem, spiffeValidator([[td, upstream.pem]]))],
    );
    expect(certFindings(s)).toEqual([]);
  });

  it("a SPIRE CA past its activation point with no successor is still cert.expiring", async () => {
    const lone = await ca("C=US, O=SPIFFE", -150 * H, 18 * H, null, { spiffe: `spiffe://${td}` });
    const s = run([bundle(lone.pem), serverConf("168h", "4h")], []);
    expect(s.findings.filter((f) => f.code === "cert.expiring").map((f) => f.severity)).toEqual(["error"]);
  });

  it("reviews/fp2.md N3 (kept): a root in spire-bundle without SPIRE's spiffe:// SAN is an UpstreamAuthority's, which SPIRE never rotates: still cert.expiring", async () => {
    const upstream = await ca("O=Acme, CN=Upstream Root", -300 * D, 2 * H, null);
    const s = run([bundle(upstream.pem), serverConf("24h", "4h")], []);
    expect(s.findings.filter((f) => f.code === "cert.expiring").map((f) => f.severity)).toEqual(["error"]);
  });

  it("near miss (N3): the same short-lived root with SPIRE's spiffe:// SAN and a successor in the bundle is no cert.expiring", async () => {
    const old = await ca("C=US, O=SPIFFE", -22 * H, 2 * H, null, { spiffe: `spiffe://${td}` });
    const next = await ca("C=US, O=SPIFFE", -10 * H, 14 * H, null, { spiffe: `spiffe://${td}` });
    const s = run([bundle(next.pem + old.pem), serverConf("24h", "4h")], []);
    expect(s.findings.filter((f) => f.code === "cert.expiring")).toEqual([]);
  });

  it("a SPIRE intermediate past activation is cert.expiring even when its upstream root carries the trust domain's SPIFFE ID (the root is no successor)", async () => {
    const upstream = await ca("C=US, O=SPIFFE, CN=upstream", -300 * D, 3000 * D, null, {
      spiffe: `spiffe://${td}`,
    });
    const spireCa = await ca("C=US, O=SPIFFE", -150 * H, 18 * H, upstream, { spiffe: `spiffe://${td}` });
    const wl = await leaf([{ type: "url", value: spiffe("shop", "web", td) }], -1 * H, 3 * H, spireCa);
    const s = run(
      [bundle(upstream.pem), serverConf("168h", "4h"), pod("shop", "web-1", "web"), istio],
      [dump("web-1", "shop", wl + spireCa.pem, trustedCa(upstream.pem))],
    );
    expect(
      s.findings
        .filter((f) => f.code === "cert.expiring")
        .map((f) => [f.severity, f.message.includes("intermediate certificate C=US,O=SPIFFE ")]),
    ).toEqual([["error", true]]);
  });

  it.each([
    [30, "warning"],
    [10, "error"],
  ] as const)(
    "an Istio plug-in intermediate (cacerts) with URI SAN spiffe://cluster.local is no SPIRE CA: %i days left → %s",
    async (left, severity) => {
      const root = await ca("O=Acme, CN=Root", -1000 * D, 3000 * D, null);
      const inter = await ca("O=Acme, CN=Istio Intermediate", -(365 - left) * D, left * D, root, {
        spiffe: "spiffe://cluster.local",
      });
      const cacerts = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cacerts", namespace: "istio-system" },
        data: {
          "ca-cert.pem": b64(inter.pem),
          "cert-chain.pem": b64(inter.pem + root.pem),
          "root-cert.pem": b64(root.pem),
        },
      };
      const s = run([...base(root.pem), cacerts], []);
      expect(
        s.findings
          .filter((f) => f.code === "cert.expiring")
          .map((f) => [f.severity, f.message.includes("Istio Intermediate")]),
      ).toEqual([[severity, true]]);
    },
  );

  it("proxies served by the SPIRE agent are compared with spire-bundle, not istiod's istio-ca-root-cert", async () => {
    const p = await spirePki();
    const objs: object[] = [
      ...base(p.istiodRoot.pem),
      istio,
      bundle(p.newCa.pem + p.oldCa.pem),
      serverConf("168h", "4h"),
    ];
    const dumps = [];
    for (const [app, local] of [
      ["web", p.newCa.pem + p.oldCa.pem],
      ["api", p.oldCa.pem],
    ] as const) {
      objs.push(pod("shop", `${app}-1`, app));
      // api's proxy missed the rotation: its SVID is still from the old CA, which it alone trusts.
      const wl = await leaf(
        [{ type: "url", value: spiffe("shop", app, td) }],
        -1 * H,
        3 * H,
        app === "web" ? p.newCa : p.oldCa,
      );
      dumps.push(
        dump(
          `${app}-1`,
          "shop",
          wl,
          spiffeValidator([
            [td, local],
            ["partner.org", p.partner.pem],
          ]),
        ),
      );
    }
    const s = run(objs, dumps);
    // web holds SPIRE's current bundle: fine. api still has only the old CA: stale.
    expect(s.findings.filter((f) => f.code === "cert.root-mismatch").map((f) => f.resources)).toEqual([
      [
        { kind: "Pod", namespace: "shop", name: "api-1" },
        { kind: "ConfigMap", namespace: "spire", name: "spire-bundle" },
      ],
    ]);
    expect(certFindings(s).filter((f) => !f.startsWith("cert.root-mismatch"))).toEqual([]);
  });
});
