// Certificate gaps after the fourth review (reviews/certs4.md; docs/DECISIONS.md "Certificate gaps 4").
// Every case is a real PKI built here (test/pki.ts) going through the real loader and analysis, with
// its near miss.
import { describe, expect, it } from "vitest";
import { crossSign, hasOpenssl, makeCustomCa, makeCustomIntermediate, makeCustomLeaf } from "./pki";
import {
  analyzeAll,
  at,
  certFindings,
  certOf,
  codesFor,
  D,
  H,
  namespace,
  opensslVerify,
  pod,
  secret,
  sidecar,
  spiffe,
} from "./support/certScenario";

const sourcesOf = (s: ReturnType<typeof analyzeAll>, pem: string) =>
  certOf(s, pem).sources.map((x) => `${x.kind}:${x.namespace ?? ""}/${x.name ?? ""}`);

// ---------------------------------------------------------------------------------------------
// 1 and 6. Linkerd's control-plane namespace (reviews/certs4.md #1, #6)

describe("linkerd-identity-issuer in a non-default Linkerd namespace", () => {
  async function linkerdPki() {
    const anchor = await makeCustomCa("CN=root.linkerd.cluster.local", at(-40 * D), at(3600 * D), null);
    // The classic break: the trust roots were rotated to `rotated`, the issuer was not (ca.crt = the old anchor).
    const rotated = await makeCustomCa("CN=root.linkerd.cluster.local", at(-5 * D), at(3600 * D), null);
    const issuer = await makeCustomCa("CN=identity.linkerd.cluster.local", at(-10 * D), at(355 * D), anchor);
    return { anchor, rotated, issuer };
  }
  type Pki = Awaited<ReturnType<typeof linkerdPki>>;
  const issuerSecret = (ns: string, p: Pki, labels?: Record<string, string>) => {
    const s = secret(
      ns,
      "linkerd-identity-issuer",
      { "tls.crt": p.issuer.pem, "ca.crt": p.anchor.pem },
      "kubernetes.io/tls",
    );
    return labels ? { ...s, metadata: { ...s.metadata, labels } } : s;
  };
  const trustRoots = (ns: string, pem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "linkerd-identity-trust-roots", namespace: ns },
    data: { "ca-bundle.crt": pem },
  });
  const identityService = (ns: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "linkerd-identity",
      namespace: ns,
      labels: { "linkerd.io/control-plane-component": "identity", "linkerd.io/control-plane-ns": ns },
    },
    spec: {
      selector: { "linkerd.io/control-plane-component": "identity" },
      ports: [{ name: "grpc", port: 8080 }],
    },
  });
  const meshedPod = (cpNs: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "app", labels: { app: "web" } },
    spec: {
      serviceAccountName: "web",
      containers: [
        { name: "app" },
        {
          name: "linkerd-proxy",
          env: [
            { name: "_l5d_ns", value: cpNs },
            { name: "_l5d_trustdomain", value: "cluster.local" },
          ],
        },
      ],
    },
    status: { phase: "Running" },
  });
  const controlPlanePod = (ns: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "linkerd-identity-abc",
      namespace: ns,
      labels: { "linkerd.io/control-plane-component": "identity" },
    },
    spec: { serviceAccountName: "linkerd-identity", containers: [{ name: "identity" }] },
    status: { phase: "Running" },
  });

  it("next to linkerd-identity-trust-roots in l5d: role issuer, and an issuer not under the trust roots is cert.chain-invalid", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([trustRoots("l5d", p.rotated.pem), issuerSecret("l5d", p)], []);
    expect(certOf(s, p.issuer.pem).role).toBe("issuer");
    expect(certOf(s, p.issuer.pem).chain.verified).toBe(false);
    expect(codesFor(s, p.issuer.pem)).toEqual(["cert.chain-invalid"]);
  });

  it("near miss: next to trust roots that sign it, in l5d: role issuer, verified, no finding", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([trustRoots("l5d", p.anchor.pem), issuerSecret("l5d", p)], []);
    expect(certOf(s, p.issuer.pem)).toMatchObject({ role: "issuer", chain: { verified: true } });
    expect(certFindings(s)).toEqual([]);
  });

  it("near miss: trust roots in l5d do not make a linkerd-identity-issuer in another namespace the issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([trustRoots("l5d", p.rotated.pem), issuerSecret("shop", p)], []);
    expect(certOf(s, p.issuer.pem).role).not.toBe("issuer");
  });

  for (const [what, objs] of [
    ["a Service labelled linkerd.io/control-plane-component", [identityService("l5d")]],
    ["the issuer Secret's own chart labels", []],
  ] as const) {
    it(`l5d known from ${what}: role issuer`, async () => {
      const p = await linkerdPki();
      const labelled = what.startsWith("the issuer")
        ? { "linkerd.io/control-plane-component": "identity", "linkerd.io/control-plane-ns": "l5d" }
        : undefined;
      const s = analyzeAll([...objs, issuerSecret("l5d", p, labelled)], []);
      expect(certOf(s, p.issuer.pem).role).toBe("issuer");
    });
  }

  it("l5d known from a meshed proxy's _l5d_ns: role issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([meshedPod("l5d"), issuerSecret("l5d", p)], []);
    expect(certOf(s, p.issuer.pem).role).toBe("issuer");
  });

  it("near miss: proxies naming l5d make a linkerd-identity-issuer in linkerd no issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([meshedPod("l5d"), issuerSecret("linkerd", p)], []);
    expect(certOf(s, p.issuer.pem).role).not.toBe("issuer");
  });

  it("l5d known from a control-plane pod (linkerd.io/control-plane-component): role issuer", async () => {
    const p = await linkerdPki();
    const s = analyzeAll([controlPlanePod("l5d"), issuerSecret("l5d", p)], []);
    expect(certOf(s, p.issuer.pem).role).toBe("issuer");
  });

  it("near miss: a pod in l5d without the control-plane label names no control plane", async () => {
    const p = await linkerdPki();
    const plain = {
      ...controlPlanePod("l5d"),
      metadata: { name: "tool-1", namespace: "l5d", labels: { app: "tool" } },
    };
    const s = analyzeAll([plain, issuerSecret("l5d", p)], []);
    expect(certOf(s, p.issuer.pem).role).not.toBe("issuer");
  });
});

// ---------------------------------------------------------------------------------------------
// 5. istiod's namespace from its Service and the sidecar injector's webhook (reviews/certs4.md #5, #6)

describe("istiod's CA Secret in istiod's namespace, known from its Service, webhook, or either label", () => {
  async function selfSignedCa() {
    const root = await makeCustomCa("O=cluster.local", at(-40 * D), at(3600 * D), null);
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), root, { spiffeId: spiffe("shop", "web") });
    return { root, leaf };
  }
  const caSecret = (ns: string, pem: string) =>
    secret(ns, "istio-ca-secret", { "ca-cert.pem": pem, "root-cert.pem": pem }, "istio.io/ca-root");
  const service = (
    ns: string,
    name: string,
    labels: Record<string, string>,
    selector: Record<string, string> | null,
  ) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, labels },
    spec: { ...(selector ? { selector } : {}), ports: [{ name: "tls-xds", port: 15012 }] },
  });
  const deployment = (ns: string, name: string, labels: Record<string, string>) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { serviceAccountName: "istiod", containers: [{ name: "discovery" }] },
      },
    },
  });
  const injector = (name: string, whName: string, svc: string, ns: string) => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name, labels: { app: "sidecar-injector" } },
    webhooks: [
      {
        name: whName,
        clientConfig: { service: { name: svc, namespace: ns, path: "/inject", port: 443 } },
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
      },
    ],
  });
  const run = async (objs: object[], secretNs = "istio-control") => {
    const p = await selfSignedCa();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web"), ...objs, caSecret(secretNs, p.root.pem)],
      [sidecar("shop", "web-1", p.leaf.pem + p.root.pem, p.root.pem)],
    );
    return { read: sourcesOf(s, p.root.pem).includes(`Secret:${secretNs}/istio-ca-secret`), s };
  };

  for (const [what, objs] of [
    ["Service istiod selecting app=istiod", [service("istio-control", "istiod", {}, { app: "istiod" })]],
    [
      "Service istiod-1-22 labelled istio.io/rev=1-22, no selector",
      [service("istio-control", "istiod-1-22", { "istio.io/rev": "1-22" }, null)],
    ],
    [
      "a Service labelled istio=pilot only",
      [service("istio-control", "discovery", { istio: "pilot" }, null)],
    ],
    [
      "the sidecar injector webhook calling istiod",
      [
        injector(
          "istio-sidecar-injector",
          "rev.namespace.sidecar-injector.istio.io",
          "istiod",
          "istio-control",
        ),
      ],
    ],
    [
      "a revision's injector webhook calling istiod-1-22",
      [
        injector(
          "istio-sidecar-injector-1-22",
          "rev.object.sidecar-injector.istio.io",
          "istiod-1-22",
          "istio-control",
        ),
      ],
    ],
    [
      "a revisioned Deployment labelled app=istiod only",
      [deployment("istio-control", "istiod-1-22", { app: "istiod", "istio.io/rev": "1-22" })],
    ],
    ["a Deployment labelled istio=pilot only", [deployment("istio-control", "pilot", { istio: "pilot" })]],
  ] as const) {
    it(`istio-ca-secret in istio-control, istiod known from ${what}: read as Istio's CA`, async () => {
      const { read, s } = await run([...objs]);
      expect(read).toBe(true);
      expect(certFindings(s)).toEqual([]);
    });
  }

  for (const [what, objs] of [
    [
      "a Service named istiod-client without istiod's labels",
      [service("istio-control", "istiod-client", { app: "client" }, { app: "client" })],
    ],
    [
      "a Service istiod-1-22 whose istio.io/rev label is another revision",
      [service("istio-control", "istiod-1-22", { "istio.io/rev": "canary" }, null)],
    ],
    [
      "a webhook of another injector calling a Service named istiod",
      [injector("other-injector", "inject.example.com", "istiod", "istio-control")],
    ],
    [
      "the sidecar injector webhook calling the pre-istiod istio-sidecar-injector Service",
      [
        injector(
          "istio-sidecar-injector",
          "sidecar-injector.istio.io",
          "istio-sidecar-injector",
          "istio-control",
        ),
      ],
    ],
  ] as const) {
    it(`near miss: ${what} names no istiod namespace`, async () => {
      const { read } = await run([...objs]);
      expect(read).toBe(false);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 2. A SPIRE CA's successor is matched on the issuer found, not its name (reviews/certs4.md #2)

describe("a SPIRE CA's successor in three tiers sharing C=US,O=SPIFFE", () => {
  // R (root SPIRE's self-signed CA) → U1 (a mid-tier nested SPIRE's CA) → D1 (a leaf-tier nested SPIRE's
  // CA, 18 h left of 168 h). The mid tier rotated: U2, signed by R, serves a proxy of its own.
  const td = "example.org";
  const SPIFFE = "C=US,O=SPIFFE";
  const bundle = (pem: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "spire-bundle", namespace: "spire" },
    data: { "bundle.crt": pem },
  });
  const serverConf = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "spire-server", namespace: "spire" },
    data: { "server.conf": `server {\n  trust_domain = "${td}"\n  ca_ttl = "168h"\n}\n` },
  };
  async function tiers() {
    const r = await makeCustomCa(SPIFFE, at(-300 * D), at(3000 * D), null, td);
    const u1 = await makeCustomCa(SPIFFE, at(-100 * D), at(300 * D), r, td, { unconstrained: true });
    const u2 = await makeCustomCa(SPIFFE, at(-1 * D), at(400 * D), r, td, { unconstrained: true });
    const d1 = await makeCustomCa(SPIFFE, at(-150 * H), at(18 * H), u1, td, { unconstrained: true });
    const wl = await makeCustomLeaf("", at(-1 * H), at(3 * H), d1, { spiffeId: spiffe("shop", "web", td) });
    return { r, u1, u2, d1, wl };
  }
  type Tiers = Awaited<ReturnType<typeof tiers>>;
  /** web-1 under D1; api-1 presents `other` (its leaf signed by other's last certificate). */
  async function run(p: Tiers, other: string[]) {
    const dumps = [sidecar("shop", "web-1", p.wl.pem + p.d1.pem + p.u1.pem, p.r.pem)];
    if (other.length) dumps.push(sidecar("shop", "api-1", other.join(""), p.r.pem));
    return analyzeAll(
      [
        namespace("shop"),
        pod("shop", "web-1", "web"),
        pod("shop", "api-1", "api"),
        bundle(p.r.pem),
        serverConf,
      ],
      dumps,
    );
  }
  const leafUnder = (ca: Awaited<ReturnType<typeof makeCustomCa>>) =>
    makeCustomLeaf("", at(-1 * H), at(3 * H), ca, { spiffeId: spiffe("shop", "api", td) });

  it("the mid tier's newer U2 (signed by R, above D1's issuer) is no successor of D1: cert.expiring", async () => {
    const p = await tiers();
    const wl2 = await leafUnder(p.u2);
    expect(codesFor(await run(p, [wl2.pem, p.u2.pem]), p.d1.pem)).toContain("cert.expiring");
  });

  it("a newer CA signed by D1 itself (a tier below) is no successor of D1: cert.expiring", async () => {
    const p = await tiers();
    const below = await makeCustomCa(SPIFFE, at(-2 * H), at(160 * H), p.d1, td);
    const wl2 = await leafUnder(below);
    expect(codesFor(await run(p, [wl2.pem, below.pem, p.d1.pem, p.u1.pem]), p.d1.pem)).toContain(
      "cert.expiring",
    );
  });

  it("near miss: nothing newer in view: cert.expiring", async () => {
    const p = await tiers();
    expect(codesFor(await run(p, []), p.d1.pem)).toContain("cert.expiring");
  });

  it("near miss: D2 prepared under the same U1 is D1's successor: no cert.expiring", async () => {
    const p = await tiers();
    const d2 = await makeCustomCa(SPIFFE, at(-66 * H), at(102 * H), p.u1, td, { unconstrained: true });
    const wl2 = await leafUnder(d2);
    expect(codesFor(await run(p, [wl2.pem, d2.pem, p.u1.pem]), p.d1.pem)).not.toContain("cert.expiring");
  });

  it("near miss: D2 prepared under the rotated U2 (a sibling of D1's issuer) is D1's successor: no cert.expiring", async () => {
    const p = await tiers();
    const d2 = await makeCustomCa(SPIFFE, at(-66 * H), at(102 * H), p.u2, td, { unconstrained: true });
    const wl2 = await leafUnder(d2);
    expect(codesFor(await run(p, [wl2.pem, d2.pem, p.u2.pem]), p.d1.pem)).not.toContain("cert.expiring");
  });
});

// ---------------------------------------------------------------------------------------------
// 4. A pathLen failure is not passed over for another copy of the same CA (reviews/certs4.md #4)

describe("pathLen: another copy of the CA that exceeded it is no way round, when the failing copy is the one BoringSSL takes (reviews/certs4.md #4, certs5.md #3)", () => {
  // Root → Org CA (pathLen 0; Org CA' is the same name and key re-issued without pathLen) → Cluster CA → leaf.
  async function copies() {
    const root = await makeCustomCa("CN=Root,O=Acme", at(-400 * D), at(3000 * D), null);
    const org = await makeCustomIntermediate("CN=Org CA,O=Acme", at(-300 * D), at(2000 * D), root, 0);
    const orgCopy = await crossSign(org, root, at(-300 * D), at(2000 * D));
    const cluster = await makeCustomIntermediate(
      "CN=Cluster CA,O=Acme",
      at(-200 * D),
      at(700 * D),
      org,
      undefined,
    );
    const leaf = await makeCustomLeaf("", at(-2 * H), at(22 * H), cluster, {
      spiffeId: spiffe("shop", "web"),
    });
    return { root, org, orgCopy, cluster, leaf };
  }
  const run = (root: string, chain: string) =>
    analyzeAll([namespace("shop"), pod("shop", "web-1", "web")], [sidecar("shop", "web-1", chain, root)]);

  it("[leaf, Cluster CA, Org CA (pathLen 0), Org CA' (no pathLen)]: cert.chain-invalid, as BoringSSL and openssl (error 25)", async () => {
    const p = await copies();
    const s = run(p.root.pem, p.leaf.pem + p.cluster.pem + p.org.pem + p.orgCopy.pem);
    expect(codesFor(s, p.leaf.pem)).toEqual(["cert.chain-invalid"]);
    expect(certOf(s, p.leaf.pem).chain.error).toContain("path length limit of CN=Org CA,O=Acme exceeded");
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.cluster.pem + p.org.pem + p.orgCopy.pem)).not.toBe(
        "OK",
      );
  });

  it("near miss: the copy without pathLen presented first verifies (the first issuer presented is the one taken)", async () => {
    const p = await copies();
    const s = run(p.root.pem, p.leaf.pem + p.cluster.pem + p.orgCopy.pem + p.org.pem);
    expect(certOf(s, p.leaf.pem).chain).toEqual({ verified: true });
    expect(codesFor(s, p.leaf.pem)).toEqual([]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.cluster.pem + p.orgCopy.pem + p.org.pem)).toBe(
        "OK",
      );
  });

  // Only BoringSSL's own pick counts (reviews/certs5.md #3): the first valid issuer presented.
  it("[leaf, Org CA', Cluster CA, Org CA (pathLen 0)]: verified, as openssl (BoringSSL takes Org CA', presented first)", async () => {
    const p = await copies();
    const s = run(p.root.pem, p.leaf.pem + p.orgCopy.pem + p.cluster.pem + p.org.pem);
    expect(certOf(s, p.leaf.pem).chain).toEqual({ verified: true });
    expect(codesFor(s, p.leaf.pem)).toEqual([]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.orgCopy.pem + p.cluster.pem + p.org.pem)).toBe(
        "OK",
      );
  });

  it("near miss: [leaf, Org CA (pathLen 0), Cluster CA, Org CA']: cert.chain-invalid, as openssl (Org CA is presented first)", async () => {
    const p = await copies();
    const s = run(p.root.pem, p.leaf.pem + p.org.pem + p.cluster.pem + p.orgCopy.pem);
    expect(codesFor(s, p.leaf.pem)).toEqual(["cert.chain-invalid"]);
    if (await hasOpenssl())
      expect(await opensslVerify(p.leaf.pem, p.root.pem, p.org.pem + p.cluster.pem + p.orgCopy.pem)).not.toBe(
        "OK",
      );
  });
  it("near miss: a trust anchor's own pathLen is still not checked (Org CA with pathLen 0 as the anchor)", async () => {
    const p = await copies();
    const s = run(p.org.pem, p.leaf.pem + p.cluster.pem + p.org.pem);
    expect(certOf(s, p.leaf.pem).chain).toEqual({ verified: true });
  });
});
