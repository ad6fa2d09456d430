// Certificates end to end: a real PKI made at test time, proxy config dumps and Secrets through the
// real loader and analysis. Each certificate finding fires where it should and stays silent on a
// healthy mesh; no private key reaches any output.
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../lib/core/load/parseManifests";
import { mergeParsed } from "../lib/core/load/mergeParsed";
import { analyze } from "../lib/core/snapshot/analyze";
import { renderTable } from "../lib/core/snapshot/table";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { configDump, makePki, PKI_NOW, sidecarNodeId, type LeafName, type Pki } from "./pki";
import { internalErrors } from "./support/mutation";
import { fingerprintOf, pemCertificates } from "../lib/core/certs/x509";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function pod(ns: string, name: string, sa: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { serviceAccountName: sa, containers: [{ name: "app" }, { name: "istio-proxy" }] },
  };
}

function meshObjects(pki: Pki, extra: object[] = []) {
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "shop", labels: { "istio-injection": "enabled" } },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio-ca-root-cert", namespace: "shop" },
      data: { "root-cert.pem": pki.root },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cacerts", namespace: "istio-system" },
      data: {
        "ca-cert.pem": b64(pki.intermediate),
        "cert-chain.pem": b64(pki.intermediate + pki.root),
        "root-cert.pem": b64(pki.root),
        "ca-key.pem": b64(pki.keys.intermediate),
      },
    },
    {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: "istio-system" },
      spec: { mtls: { mode: "STRICT" } },
    },
    ...extra,
  ];
}

/** One pod with a proxy presenting `leaf`'s chain; its service account is the leaf's own unless given. */
function proxied(
  pki: Pki,
  leaf: LeafName,
  podName: string,
  opts: { ns?: string; sa?: string; root?: string; camel?: boolean } = {},
) {
  const id = pki.identities[leaf];
  const ns = opts.ns ?? id?.namespace ?? "shop";
  const sa = opts.sa ?? id?.serviceAccount ?? "default";
  const dump = configDump({
    chainPem: pki.chains[leaf],
    rootPem: opts.root ?? pki.rootOf[leaf],
    nodeId: sidecarNodeId(`${podName}.${ns}`),
    camel: opts.camel,
  });
  return {
    pod: pod(ns, podName, sa),
    dump: { text: JSON.stringify(dump), file: `dumps/${podName}.${ns}.json` },
  };
}

function analyzeAll(objects: object[], dumps: { text: string; file: string }[], now = PKI_NOW): MeshSnapshot {
  const parsed = mergeParsed([
    parseManifestText(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }), "mesh.json"),
    ...dumps.map((d) => parseManifestText(d.text, d.file)),
  ]);
  const snap = MeshSnapshotSchema.parse(analyze(parsed, { now, source: { type: "manifests" } }));
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}

const certCodes = (s: MeshSnapshot) =>
  s.findings.filter((f) => /^(cert|certmanager|linkerd|spire)\./.test(f.code)).map((f) => f.code);

describe("a healthy mesh", () => {
  it("reads every layer and raises no certificate finding", async () => {
    const pki = await makePki();
    const a = proxied(pki, "leafEcdsa", "web-1");
    const s = analyzeAll(meshObjects(pki, [a.pod]), [a.dump]);
    expect(certCodes(s)).toEqual([]);
    const roles = Object.fromEntries(s.certificates.map((c) => [c.role, c]));
    expect(Object.keys(roles).sort()).toEqual(["intermediate", "root", "workload"]);
    const w = roles.workload!;
    expect(w.chain).toEqual({ verified: true });
    expect(w.owner).toEqual({
      namespace: pki.identities.leafEcdsa!.namespace,
      workload: "web-1",
      pod: "web-1",
    });
    expect(w.source).toMatchObject({ kind: "proxy", pod: "web-1", name: "default" });
    expect(w.spiffeId).toMatch(/^spiffe:\/\/cluster\.local\/ns\//);
    // Istio rotates at half life.
    expect(Date.parse(w.renewalTime!)).toBe((Date.parse(w.notBefore) + Date.parse(w.notAfter)) / 2);
    // The root is listed once, with every place it was found.
    expect(roles.root!.sources.map((x) => `${x.kind}:${x.key ?? x.name}`).sort()).toEqual([
      "ConfigMap:root-cert.pem",
      "Secret:cert-chain.pem",
      "Secret:root-cert.pem",
      "proxy:ROOTCA",
    ]);
  });

  it("reads snake_case and camelCase dumps alike", async () => {
    const pki = await makePki();
    const snake = proxied(pki, "leafEcdsa", "web-1");
    const camel = proxied(pki, "leafEcdsa", "web-1", { camel: true });
    const a = analyzeAll(meshObjects(pki, [snake.pod]), [snake.dump]);
    const b = analyzeAll(meshObjects(pki, [camel.pod]), [camel.dump]);
    expect(b.certificates).toEqual(a.certificates);
  });
});

describe("each certificate finding fires where it should", () => {
  const cases: [
    string,
    LeafName,
    Partial<{ sa: string; ns: string; root: string }>,
    string,
    "error" | "warning",
  ][] = [
    ["an expired leaf", "leafExpired", {}, "cert.expired", "error"],
    ["a not-yet-valid leaf", "leafNotYetValid", {}, "cert.not-yet-valid", "error"],
    ["a leaf signed by another root", "leafOtherRoot", { root: "" }, "cert.chain-invalid", "error"],
    ["a leaf outliving its issuer", "leafOutlivesIssuer", {}, "cert.outlives-issuer", "warning"],
    ["a 30-day workload leaf", "leaf30d", {}, "cert.lifetime-too-long", "warning"],
    [
      "a leaf whose SPIFFE identity is not its pod's",
      "leafWrongIdentity",
      { sa: "web" },
      "cert.identity-mismatch",
      "error",
    ],
    ["an RSA 1024 / SHA-1 leaf", "leafSha1Rsa1024", {}, "cert.weak-crypto", "warning"],
    ["a leaf without clientAuth", "leafNoClientAuth", {}, "cert.missing-mtls-usage", "warning"],
    ["a self-signed leaf", "selfSignedLeaf", {}, "cert.self-signed-leaf", "warning"],
  ];
  it.each(cases)("%s → %s", async (_what, leaf, opts, code, severity) => {
    const pki = await makePki();
    const o = { ...opts, ...(opts.root === "" ? { root: pki.root } : {}) };
    if (leaf === "leafWrongIdentity")
      Object.assign(o, { ns: pki.wrongIdentityPod.namespace, sa: pki.wrongIdentityPod.serviceAccount });
    const x = proxied(pki, leaf, "p-1", o);
    const s = analyzeAll(meshObjects(pki, [x.pod]), [x.dump]);
    const f = s.findings.filter((y) => y.code === code);
    expect(f.length).toBeGreaterThanOrEqual(1);
    expect(f[0]!.severity).toBe(severity);
    expect(f[0]!.resources[0]).toMatchObject({ kind: "Pod", name: "p-1" });
    expect(s.certificates.some((c) => c.id === f[0]!.certificate)).toBe(true);
    expect(f[0]!.fix).toBeTruthy();
  });

  it("cert.root-mismatch: a proxy whose ROOTCA is not the mesh root", async () => {
    const pki = await makePki();
    const x = proxied(pki, "leafEcdsa", "p-1", { root: pki.otherRoot });
    const s = analyzeAll(meshObjects(pki, [x.pod]), [x.dump]);
    expect(s.findings.filter((f) => f.code === "cert.root-mismatch").map((f) => f.resources[0])).toEqual([
      { kind: "Pod", namespace: "shop", name: "p-1" },
    ]);
  });

  it("cert.expiring uses the CA thresholds: an intermediate with 10 days left is an error", async () => {
    const pki = await makePki();
    const objs = meshObjects(pki, [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra-ca", namespace: "shop" }, data: {} },
    ]);
    objs.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "short-ca", namespace: "istio-system" },
      type: "kubernetes.io/tls",
      data: { "tls.crt": b64(pki.intermediateShort), "ca.crt": b64(pki.root) },
    } as never);
    const s = analyzeAll(objs, []);
    const f = s.findings.find(
      (y) => y.code === "cert.expiring" && y.resources.some((r) => r.name === "short-ca"),
    );
    expect(f?.severity).toBe("error");
  });

  it("a corrupt chain in a dump is cert.invalid/input.invalid and the rest of the dump still counts", async () => {
    const pki = await makePki();
    const x = proxied(pki, "leafEcdsa", "p-1");
    const dump = JSON.parse(x.dump.text);
    const secrets = dump.configs.find((c: { "@type": string }) =>
      c["@type"].endsWith("SecretsConfigDump"),
    ).dynamic_active_secrets;
    secrets.find(
      (d: { name: string }) => d.name === "default",
    ).secret.tls_certificate.certificate_chain.inline_bytes = "%%%not base64%%%";
    const s = analyzeAll(meshObjects(pki, [x.pod]), [{ text: JSON.stringify(dump), file: x.dump.file }]);
    expect(
      s.findings.some(
        (f) => (f.code === "input.invalid" || f.code === "cert.invalid") && f.message.includes("p-1"),
      ),
    ).toBe(true);
    expect(
      s.certificates.some((c) => c.role === "root" && c.sources.some((src) => src.kind === "proxy")),
    ).toBe(true);
  });
});

describe("cert.weak-crypto: SHA-1 is exempt on a self-signed root only", () => {
  const idOf = (pem: string) => fingerprintOf(pemCertificates(pem).ders[0]!);
  const tlsSecret = (data: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name: "legacy-ca", namespace: "shop" },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
  const rootBundle = (pem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio-ca-root-cert", namespace: "shop" },
    data: { "root-cert.pem": pem },
  });
  // Which of the two SHA-1 CAs are weak; both carry the subject "CN=Legacy SHA1 Root, O=Handshake Test".
  const cases: [string, (p: Pki) => object[], ("sha1Root" | "sha1LinkCa")[]][] = [
    [
      "a SHA-1 self-signed root in a trust bundle (its signature is never checked)",
      (p) => [rootBundle(p.sha1Root)],
      [],
    ],
    [
      "a SHA-1 self-signed root as a TLS Secret's ca.crt",
      (p) => [tlsSecret({ "tls.crt": p.leafEcdsa, "ca.crt": p.sha1Root })],
      [],
    ],
    // Self-issued (subject = issuer) but signed by the root's key: path validation verifies it.
    [
      "a SHA-1 key-rollover link CA signed by the root it is named like",
      (p) => [tlsSecret({ "tls.crt": p.sha1LinkCa, "ca.crt": p.sha1Root })],
      ["sha1LinkCa"],
    ],
    [
      "the same link CA without its issuer among the inputs",
      (p) => [tlsSecret({ "tls.crt": p.sha1LinkCa })],
      ["sha1LinkCa"],
    ],
  ];
  it.each(cases)("%s", async (_what, objects, weak) => {
    const pki = await makePki();
    const s = analyzeAll(objects(pki), []);
    const fired = s.findings.filter((f) => f.code === "cert.weak-crypto");
    expect(fired.map((f) => f.certificate)).toEqual(weak.map((n) => idOf(pki[n])));
    for (const f of fired) expect(f.message).toContain("a SHA-1 signature (sha1WithRSAEncryption)");
  });
});

describe("rotation, trust domain, unparsable PEM", () => {
  it("cert.rotation-overdue: a 24 h workload certificate past 60 % of its life, silent before", async () => {
    const pki = await makePki();
    const x = proxied(pki, "leafEcdsa", "web-1");
    const ws = analyzeAll(meshObjects(pki, [x.pod]), [x.dump]).certificates.find(
      (c) => c.role === "workload",
    )!;
    const at = (f: number) => new Date(Date.parse(ws.notBefore) + f * ws.lifetimeSeconds * 1000);
    expect(certCodes(analyzeAll(meshObjects(pki, [x.pod]), [x.dump], at(0.55)))).toEqual([]);
    const late = analyzeAll(meshObjects(pki, [x.pod]), [x.dump], at(0.7));
    expect(certCodes(late)).toEqual(["cert.rotation-overdue"]);
    // Below 25 % left it is also expiring.
    expect(certCodes(analyzeAll(meshObjects(pki, [x.pod]), [x.dump], at(0.8))).sort()).toEqual([
      "cert.expiring",
      "cert.rotation-overdue",
    ]);
  });

  it("cert.trust-domain-mismatch: a SPIFFE ID outside the mesh trust domain and its aliases", async () => {
    const pki = await makePki();
    const x = proxied(pki, "leafEcdsa", "web-1");
    const mesh = (m: string) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio", namespace: "istio-system" },
      data: { mesh: m },
    });
    const bad = analyzeAll(meshObjects(pki, [x.pod, mesh("trustDomain: example.org\n")]), [x.dump]);
    expect(certCodes(bad)).toEqual(["cert.trust-domain-mismatch"]);
    const aliased = analyzeAll(
      meshObjects(pki, [x.pod, mesh("trustDomain: example.org\ntrustDomainAliases: [cluster.local]\n")]),
      [x.dump],
    );
    expect(certCodes(aliased)).toEqual([]);
  });

  it("cert.invalid: a PEM block that is not a certificate, naming the object and key", async () => {
    const pki = await makePki();
    const garbage =
      "-----BEGIN CERTIFICATE-----\nMIIBbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n";
    const s = analyzeAll(
      meshObjects(pki, [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "istio-ca-root-cert", namespace: "legacy" },
          data: { "root-cert.pem": garbage },
        },
      ]),
      [],
    );
    const f = s.findings.filter((y) => y.code === "cert.invalid" || y.code === "input.invalid");
    expect(f.length).toBeGreaterThanOrEqual(1);
    expect(f[0]!.message).toContain("legacy/istio-ca-root-cert");
  });
});

describe("cert-manager, Linkerd, SPIRE", () => {
  const cmCert = (name: string, spec: object, ready: string) => ({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name, namespace: "shop" },
    spec: { secretName: `${name}-tls`, issuerRef: { name: "selfsigned", kind: "Issuer" }, ...spec },
    status: {
      conditions: [{ type: "Ready", status: ready, reason: ready === "True" ? "Ready" : "Failing" }],
    },
  });
  const issuer = {
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: { name: "selfsigned", namespace: "shop" },
    spec: { selfSigned: {} },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  };

  it.each([
    ["certmanager.not-ready", [cmCert("api", { isCA: true }, "False"), issuer]],
    [
      "certmanager.renew-before-too-large",
      [cmCert("api", { isCA: true, duration: "24h", renewBefore: "25h" }, "True"), issuer],
    ],
    // A client certificate (usages client auth): a serving-only one is pinned by its peer and silent (fp #2).
    [
      "certmanager.self-signed-issuer",
      [cmCert("api", { isCA: false, usages: ["server auth", "client auth"] }, "True"), issuer],
    ],
  ])("%s fires; a correct CA Certificate stays silent", async (code, objs) => {
    const pki = await makePki();
    const s = analyzeAll(meshObjects(pki, objs as object[]), []);
    expect(certCodes(s)).toEqual([code]);
    expect(s.findings.find((f) => f.code === code)!.resources[0]).toEqual({
      kind: "Certificate",
      namespace: "shop",
      name: "api",
    });
    expect(
      certCodes(
        analyzeAll(
          meshObjects(pki, [
            cmCert("api", { isCA: true, duration: "2160h", renewBefore: "360h" }, "True"),
            issuer,
          ]),
          [],
        ),
      ),
    ).toEqual([]);
  });

  it("a Certificate's renewal time belongs to its tls.crt, not to the CA in ca.crt beside it", async () => {
    const pki = await makePki();
    const overdue = {
      ...cmCert("api", { isCA: false }, "True"),
      status: { conditions: [{ type: "Ready", status: "True" }], renewalTime: "2026-11-01T00:00:00Z" },
    };
    const ca = {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: "selfsigned", namespace: "shop" },
      spec: { ca: { secretName: "ca" } },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    };
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "api-tls", namespace: "shop" },
      type: "kubernetes.io/tls",
      data: { "tls.crt": b64(pki.leafRsa2048), "ca.crt": b64(pki.otherRoot) },
    };
    const s = analyzeAll(meshObjects(pki, [overdue, ca, secret]), []);
    // otherRoot appears nowhere else, so its first sighting is this Secret's ca.crt.
    const root = s.certificates.find(
      (c) => c.sources.length === 1 && c.sources[0]!.key === "ca.crt" && c.sources[0]!.name === "api-tls",
    )!;
    expect(root.renewalTime).not.toBe("2026-11-01T00:00:00Z");
    const overdueFindings = s.findings.filter((f) => f.code === "cert.rotation-overdue");
    expect(overdueFindings.map((f) => f.certificate)).not.toContain(root.id);
    const leaf = s.certificates.find((c) =>
      c.sources.some((src) => src.name === "api-tls" && src.key === "tls.crt"),
    )!;
    expect(leaf.renewalTime).toBe("2026-11-01T00:00:00Z");
  });

  // Linkerd's docs have cert-manager re-issue the identity issuer (48 h, renewBefore 25 h): a CA that
  // is always within the CA day thresholds, by design. Here the issuer lives 11 days (10 left).
  describe("a CA whose cert-manager renewal is still ahead", () => {
    const DAY = 86_400_000;
    const managedIssuer = (renewalTime: Date | null) => ({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "linkerd-identity-issuer", namespace: "linkerd" },
      spec: {
        secretName: "linkerd-identity-issuer",
        isCA: true,
        duration: "264h",
        renewBefore: "120h",
        issuerRef: { name: "linkerd-trust-anchor", kind: "ClusterIssuer" },
      },
      status: {
        conditions: [{ type: "Ready", status: "True" }],
        ...(renewalTime ? { renewalTime: renewalTime.toISOString() } : {}),
      },
    });
    const issuerSecret = (pki: Pki) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "linkerd-identity-issuer", namespace: "linkerd" },
      type: "kubernetes.io/tls",
      data: { "tls.crt": b64(pki.intermediateShort), "ca.crt": b64(pki.root) },
    });
    const expiring = (s: MeshSnapshot) =>
      s.findings.filter(
        (f) => f.code === "cert.expiring" && f.resources.some((r) => r.name === "linkerd-identity-issuer"),
      );

    it("renewal due in 5 days, 91 % of its life left → no cert.expiring; the Secret's tls.crt is tied to its Certificate", async () => {
      const pki = await makePki();
      const s = analyzeAll(
        meshObjects(pki, [managedIssuer(new Date(PKI_NOW.getTime() + 5 * DAY)), issuerSecret(pki)]),
        [],
      );
      expect(expiring(s)).toEqual([]);
      const c = s.certificates.find((x) =>
        x.sources.some((src) => src.name === "linkerd-identity-issuer" && src.key === "tls.crt"),
      )!;
      expect(c.renewalTime).toBe(new Date(PKI_NOW.getTime() + 5 * DAY).toISOString().replace(".000Z", "Z"));
    });

    it.each([
      ["no cert-manager Certificate", [] as object[], PKI_NOW, "error", "Rotate the Linkerd issuer"],
      [
        "its renewal time has passed",
        [managedIssuer(new Date(PKI_NOW.getTime() - DAY))],
        PKI_NOW,
        "error",
        "cert-manager renews Certificate linkerd/linkerd-identity-issuer",
      ],
      // 2 of 11 days left (18 %) and renewal still a day away: the share of life left says warning.
      [
        "renewal ahead but under 25 % of its life left",
        [managedIssuer(new Date(PKI_NOW.getTime() + 9 * DAY))],
        new Date(PKI_NOW.getTime() + 8 * DAY),
        "warning",
        "cert-manager renews",
      ],
    ] as [string, object[], Date, string, string][])(
      "near miss: %s → cert.expiring %s",
      async (_name, extra, now, severity, fix) => {
        const pki = await makePki();
        const fs = expiring(analyzeAll(meshObjects(pki, [...extra, issuerSecret(pki)]), [], now));
        expect(fs.map((f) => f.severity)).toEqual([severity]);
        expect(fs[0]!.fix).toContain(fix);
      },
    );
  });

  const linkerdPod = (name: string, anchors: string, ann: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "emoji", annotations: ann },
    spec: {
      serviceAccountName: "web",
      containers: [
        { name: "app" },
        { name: "linkerd-proxy", env: [{ name: "LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS", value: anchors }] },
      ],
    },
  });

  it("linkerd: skip ports, the all-unauthenticated default, a stale trust bundle", async () => {
    const pki = await makePki();
    const roots = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
      data: { "ca-bundle.crt": pki.linkerdAnchor },
    };
    const ns = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "emoji",
        annotations: {
          "linkerd.io/inject": "enabled",
          "config.linkerd.io/default-inbound-policy": "all-authenticated",
        },
      },
    };
    // The injector copies the namespace's default-inbound-policy onto the pods it creates, where Linkerd's policy controller reads it.
    const fresh = analyzeAll(
      [
        roots,
        ns,
        linkerdPod("web-1", pki.linkerdAnchor, {
          "config.linkerd.io/default-inbound-policy": "all-authenticated",
        }),
      ],
      [],
    );
    expect(certCodes(fresh)).toEqual([]);
    const s = analyzeAll(
      [
        roots,
        { ...ns, metadata: { name: "emoji", annotations: { "linkerd.io/inject": "enabled" } } },
        linkerdPod("web-1", pki.otherRoot, { "config.linkerd.io/skip-inbound-ports": "4567" }),
      ],
      [],
    );
    expect(certCodes(s).sort()).toEqual([
      "linkerd.skip-port",
      "linkerd.stale-trust-bundle",
      "linkerd.unauthenticated-default",
    ]);
    expect(s.findings.find((f) => f.code === "linkerd.stale-trust-bundle")!.message).toContain("emoji/web-1");
  });

  it("spire.svid-ttl-too-long: default_x509_svid_ttl above ca_ttl/6", async () => {
    const conf = (svid: string) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "spire-server", namespace: "spire" },
      data: {
        "server.conf": `server {\n  trust_domain = "example.org"\n  ca_ttl = "24h"\n  default_x509_svid_ttl = "${svid}"\n}\n`,
      },
    });
    expect(certCodes(analyzeAll([conf("4h")], []))).toEqual([]);
    const s = analyzeAll([conf("6h")], []);
    expect(certCodes(s)).toEqual(["spire.svid-ttl-too-long"]);
    expect(s.findings[0]!.resources).toEqual([
      { kind: "ConfigMap", namespace: "spire", name: "spire-server" },
    ]);
  });
});

describe("secrets never leave", () => {
  it("no part of any private key reaches the snapshot JSON or the table", async () => {
    const pki = await makePki();
    const x = proxied(pki, "leafEcdsa", "web-1");
    const objs = meshObjects(pki, [
      x.pod,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "gw-cred", namespace: "shop" },
        type: "kubernetes.io/tls",
        data: {
          "tls.crt": b64(pki.leafNoClientAuth),
          "tls.key": b64(pki.keys.leafNoClientAuth),
          "ca.crt": b64(pki.root),
        },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "linkerd-identity-issuer", namespace: "linkerd" },
        data: { "crt.pem": b64(pki.linkerdIssuer), "key.pem": b64(pki.keys.linkerdIssuer) },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "sneaky", namespace: "shop" },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": pki.leafRsa2048 + pki.keys.leafRsa2048 },
      },
    ]);
    const s = analyzeAll(objs, [x.dump]);
    const out = JSON.stringify(s) + renderTable(s);
    expect(s.certificates.length).toBeGreaterThan(3);
    expect(out).not.toContain("PRIVATE KEY");
    for (const key of [
      pki.keys.intermediate,
      pki.keys.leafNoClientAuth,
      pki.keys.linkerdIssuer,
      pki.keys.leafRsa2048,
    ]) {
      const body = key.split("\n").filter((l) => l && !l.startsWith("-----"));
      for (const line of body) expect(out).not.toContain(line.slice(0, 40));
      expect(out).not.toContain(b64(key).slice(10, 50));
    }
  });
});
