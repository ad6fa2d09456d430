// Self-signed certificates warn only when they are mTLS material (reviews/fp.md #2, #5), and a verified
// trust anchor stays verified when it is also a CA Secret's end-entity (#4). docs/DECISIONS.md, "Self-
// signed warnings need mTLS evidence; verified beats unverifiable". Real PKI made here (test/pki.ts),
// through the real loader and analysis, with near misses that must still fire.
import { describe, expect, it } from "vitest";
import { buildMetrics } from "../lib/view/metrics";
import { makeCustomCa, makeCustomLeaf, makeHelmSelfSignedCert, makeSelfSignedLeaf } from "./pki";
import {
  analyzeAll,
  at,
  b64,
  certOf,
  codesFor,
  D,
  H,
  idOf,
  namespace,
  pod,
  rootCm,
  sidecar,
  spiffe,
} from "./support/certScenario";
import type { MeshSnapshot } from "../lib/core/snapshot/schema";

const OP = "myoperator-system";
const codes = (s: MeshSnapshot, code: string) => s.findings.filter((f) => f.code === code);
const selfSignedCodes = (s: MeshSnapshot) =>
  s.findings
    .filter((f) => f.code === "cert.self-signed-leaf" || f.code === "certmanager.self-signed-issuer")
    .map((f) => f.code)
    .sort();

const ready = { conditions: [{ type: "Ready", status: "True", reason: "Ready" }] };
const selfSignedIssuer = (ns: string) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata: { name: "selfsigned-issuer", namespace: ns },
  spec: { selfSigned: {} },
  status: ready,
});
const certificate = (ns: string, name: string, secretName: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name, namespace: ns },
  spec: { secretName, issuerRef: { kind: "Issuer", name: "selfsigned-issuer" }, ...spec },
  status: ready,
});
/** A kubernetes.io/tls Secret; cert-manager's SelfSigned issuer writes the certificate as its own ca.crt. */
const tlsSecret = (
  ns: string,
  name: string,
  crt: string,
  o: { ca?: string; certificateName?: string; labels?: Record<string, string> } = {},
) => ({
  apiVersion: "v1",
  kind: "Secret",
  type: "kubernetes.io/tls",
  metadata: {
    name,
    namespace: ns,
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.certificateName ? { annotations: { "cert-manager.io/certificate-name": o.certificateName } } : {}),
  },
  data: { "tls.crt": b64(crt), "tls.key": b64("redacted"), ...(o.ca ? { "ca.crt": b64(o.ca) } : {}) },
});
const destinationRule = (ns: string, name: string, tls: Record<string, unknown>) => ({
  apiVersion: "networking.istio.io/v1",
  kind: "DestinationRule",
  metadata: { name, namespace: ns },
  spec: { host: "api.partner.example", trafficPolicy: { tls } },
});
const gateway = (ns: string, tls: Record<string, unknown>) => ({
  apiVersion: "networking.istio.io/v1",
  kind: "Gateway",
  metadata: { name: "front", namespace: ns },
  spec: {
    selector: { istio: "ingressgateway" },
    servers: [{ port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: ["*.example.com"], tls }],
  },
});

// kubebuilder's config/certmanager/certificate.yaml (operator-sdk renders the same): a SelfSigned Issuer,
// a Certificate for the webhook Service, Secret webhook-server-cert mounted by the manager, and the
// webhook configuration's caBundle injected by cainjector (cert-manager.io/inject-ca-from).
async function kubebuilder(spec: Record<string, unknown> = {}, eku?: ("serverAuth" | "clientAuth")[]) {
  const dns = [`myoperator-webhook-service.${OP}.svc`, `myoperator-webhook-service.${OP}.svc.cluster.local`];
  const cert = await makeSelfSignedLeaf("", at(-57 * D), at(33 * D), { dns, ...(eku ? { eku } : {}) });
  const objects: object[] = [
    namespace(OP, { "control-plane": "controller-manager" }),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "myoperator-controller-manager", namespace: OP },
      spec: {
        selector: { matchLabels: { "control-plane": "controller-manager" } },
        template: {
          metadata: { labels: { "control-plane": "controller-manager" } },
          spec: {
            containers: [
              {
                name: "manager",
                ports: [{ containerPort: 9443, name: "webhook-server" }],
                volumeMounts: [{ mountPath: "/tmp/k8s-webhook-server/serving-certs", name: "cert" }],
              },
            ],
            volumes: [{ name: "cert", secret: { secretName: "webhook-server-cert" } }],
          },
        },
      },
    },
    selfSignedIssuer(OP),
    certificate(OP, "myoperator-serving-cert", "webhook-server-cert", { dnsNames: dns, ...spec }),
    tlsSecret(OP, "webhook-server-cert", cert.pem, {
      ca: cert.pem,
      certificateName: "myoperator-serving-cert",
    }),
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: {
        name: "myoperator-validating-webhook-configuration",
        annotations: { "cert-manager.io/inject-ca-from": `${OP}/myoperator-serving-cert` },
      },
      webhooks: [
        {
          name: "vmyresource.kb.io",
          clientConfig: { service: { name: "myoperator-webhook-service", namespace: OP, path: "/validate" } },
          admissionReviewVersions: ["v1"],
          sideEffects: "None",
        },
      ],
    },
  ];
  return { cert, objects };
}

describe("certmanager.self-signed-issuer: only certificates used for mesh or client TLS (fp #2)", () => {
  it.each([
    ["cert-manager's default usages (no extended key usage)", {}, undefined],
    [
      "usages server auth only",
      { usages: ["digital signature", "key encipherment", "server auth"] },
      ["serverAuth" as const],
    ],
  ])("the kubebuilder webhook serving certificate is silent: %s", async (_what, spec, eku) => {
    const k = await kubebuilder(spec, eku);
    const s = analyzeAll(k.objects, []);
    expect(selfSignedCodes(s)).toEqual([]);
    // Still listed and judged for expiry.
    expect(certOf(s, k.cert.pem).role).toBe("leaf");
  });

  it.each([
    ["usages ask for client auth", { usages: ["server auth", "client auth"] }, []],
    ["a SPIFFE URI SAN", { uris: [spiffe(OP, "manager")] }, []],
    [
      "its Secret is a DestinationRule's MUTUAL credentialName",
      {},
      [destinationRule(OP, "partner", { mode: "MUTUAL", credentialName: "webhook-server-cert" })],
    ],
    [
      "its Secret is a DestinationRule's MUTUAL credentialName (kubernetes:// form)",
      {},
      [
        destinationRule(OP, "partner", {
          mode: "MUTUAL",
          credentialName: "kubernetes://webhook-server-cert",
        }),
      ],
    ],
    [
      "its Secret is a Gateway server's credentialName",
      {},
      [gateway(OP, { mode: "SIMPLE", credentialName: "webhook-server-cert" })],
    ],
    [
      "its Secret is a Gateway server's credentialNames entry",
      {},
      [gateway(OP, { mode: "MUTUAL", credentialNames: ["other-cred", "webhook-server-cert"] })],
    ],
  ])("near miss: warns when %s", async (_what, spec, extra) => {
    const k = await kubebuilder(spec);
    const s = analyzeAll([...k.objects, ...extra], []);
    expect(codes(s, "certmanager.self-signed-issuer").map((f) => f.resources[0])).toEqual([
      { kind: "Certificate", namespace: OP, name: "myoperator-serving-cert" },
    ]);
  });

  it("near miss: a non-CA Certificate written to a mesh CA Secret (istio-system/cacerts) warns", async () => {
    const leaf = await makeSelfSignedLeaf("CN=istio-ca", at(-D), at(300 * D), { dns: ["istio-ca"] });
    const s = analyzeAll(
      [
        namespace("istio-system", {}),
        selfSignedIssuer("istio-system"),
        certificate("istio-system", "istio-ca", "cacerts", { commonName: "istio-ca" }),
        tlsSecret("istio-system", "cacerts", leaf.pem, { ca: leaf.pem, certificateName: "istio-ca" }),
      ],
      [],
    );
    expect(codes(s, "certmanager.self-signed-issuer").map((f) => f.resources[0])).toEqual([
      { kind: "Certificate", namespace: "istio-system", name: "istio-ca" },
    ]);
  });

  it("near miss: a DestinationRule SIMPLE credentialName (its ca.crt verifies the server) is no client use", async () => {
    const k = await kubebuilder();
    const s = analyzeAll(
      [
        ...k.objects,
        destinationRule(OP, "partner", { mode: "SIMPLE", credentialName: "webhook-server-cert" }),
      ],
      [],
    );
    expect(selfSignedCodes(s)).toEqual([]);
  });

  it("near miss: a CA Certificate from the SelfSigned issuer (the bootstrap), even with a SPIFFE URI, stays silent", async () => {
    const ca = await makeCustomCa("CN=my-selfsigned-ca", at(-D), at(89 * D), null, "cluster.local");
    const s = analyzeAll(
      [
        namespace(OP, {}),
        selfSignedIssuer(OP),
        certificate(OP, "my-selfsigned-ca", "root-secret", { isCA: true, uris: ["spiffe://cluster.local"] }),
        tlsSecret(OP, "root-secret", ca.pem, { ca: ca.pem, certificateName: "my-selfsigned-ca" }),
      ],
      [],
    );
    expect(selfSignedCodes(s)).toEqual([]);
  });
});

describe("cert.self-signed-leaf needs evidence of mTLS use, not the clientAuth EKU alone (fp #5)", () => {
  // Helm's genSelfSignedCert (sprig getBaseCertTemplate) always sets serverAuth and clientAuth.
  const helm = () => makeHelmSelfSignedCert("my-webhook.app.svc", at(-D), at(364 * D));

  it("a chart's self-signed webhook Secret, unlabelled, is silent", async () => {
    const c = await helm();
    const s = analyzeAll([namespace("app", {}), tlsSecret("app", "my-webhook-tls", c.pem)], []);
    expect(codesFor(s, c.pem)).toEqual([]);
    expect(s.certificates).toHaveLength(1);
  });

  it("the same Secret with its ca.crt beside it (the chart's caBundle copy) is silent", async () => {
    const c = await helm();
    const s = analyzeAll(
      [namespace("app", {}), tlsSecret("app", "my-webhook-tls", c.pem, { ca: c.pem })],
      [],
    );
    expect(codesFor(s, c.pem)).toEqual([]);
  });

  it.each([
    [
      "a DestinationRule's MUTUAL credentialName",
      [destinationRule("app", "partner", { mode: "MUTUAL", credentialName: "my-webhook-tls" })],
    ],
    [
      "a MUTUAL Gateway server's credentialName",
      [gateway("app", { mode: "MUTUAL", credentialName: "my-webhook-tls" })],
    ],
    [
      "an OPTIONAL_MUTUAL Gateway server's credentialName",
      [gateway("app", { mode: "OPTIONAL_MUTUAL", credentialName: "my-webhook-tls" })],
    ],
  ])("near miss: the same certificate used as %s warns", async (_what, extra) => {
    const c = await helm();
    const s = analyzeAll([namespace("app", {}), tlsSecret("app", "my-webhook-tls", c.pem), ...extra], []);
    expect(codes(s, "cert.self-signed-leaf").map((f) => f.resources)).toEqual([
      [{ kind: "Secret", namespace: "app", name: "my-webhook-tls" }],
    ]);
  });

  it.each([
    [
      "a DestinationRule SIMPLE credentialName",
      destinationRule("app", "partner", { mode: "SIMPLE", credentialName: "my-webhook-tls" }),
    ],
    [
      "a SIMPLE Gateway server's credentialName (a serving certificate)",
      gateway("app", { mode: "SIMPLE", credentialName: "my-webhook-tls" }),
    ],
  ])("near miss the other way: %s is no mTLS use", async (_what, extra) => {
    const c = await helm();
    const s = analyzeAll([namespace("app", {}), tlsSecret("app", "my-webhook-tls", c.pem), extra], []);
    expect(codesFor(s, c.pem)).toEqual([]);
  });

  it("near miss: a self-signed leaf with a SPIFFE URI in a Secret warns", async () => {
    const c = await makeSelfSignedLeaf("", at(-D), at(30 * D), {
      spiffeId: spiffe("app", "billing"),
      eku: ["serverAuth", "clientAuth"],
    });
    const s = analyzeAll([namespace("app", {}), tlsSecret("app", "billing-identity", c.pem)], []);
    expect(codesFor(s, c.pem)).toEqual(["cert.self-signed-leaf"]);
  });

  it("near miss: a self-signed leaf with a SPIFFE URI presented by a proxy as its identity warns", async () => {
    const root = await makeCustomCa("CN=Mesh Root", at(-100 * D), at(3000 * D), null);
    const c = await makeSelfSignedLeaf("", at(-H), at(23 * H), {
      spiffeId: spiffe("shop", "web"),
      eku: ["serverAuth", "clientAuth"],
    });
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web"), rootCm("shop", root.pem)],
      [sidecar("shop", "web-1", c.pem, root.pem)],
    );
    expect(codesFor(s, c.pem)).toContain("cert.self-signed-leaf");
  });

  it("near miss: a Helm-shaped certificate in a proxy's SDS secret (Envoy config dump) warns", async () => {
    const root = await makeCustomCa("CN=Mesh Root", at(-100 * D), at(3000 * D), null);
    const leaf = await makeCustomLeaf("", at(-H), at(23 * H), root, { spiffeId: spiffe("shop", "web") });
    const c = await helm();
    const s = analyzeAll(
      [namespace("shop"), pod("shop", "web-1", "web"), rootCm("shop", root.pem)],
      [sidecar("shop", "web-1", leaf.pem, root.pem, [{ name: "kubernetes://partner-client", chain: c.pem }])],
    );
    expect(codesFor(s, c.pem)).toEqual(["cert.self-signed-leaf"]);
  });

  it("near miss: a cert-manager Certificate asking for client auth from a SelfSigned issuer warns twice", async () => {
    const c = await makeSelfSignedLeaf("CN=reports.dev.example.com", at(-D), at(364 * D), {
      dns: ["reports.dev.example.com"],
      eku: ["serverAuth", "clientAuth"],
    });
    const s = analyzeAll(
      [
        namespace("reports", {}),
        selfSignedIssuer("reports"),
        certificate("reports", "reports-dev", "reports-dev-tls", {
          usages: ["digital signature", "key encipherment", "server auth", "client auth"],
          dnsNames: ["reports.dev.example.com"],
        }),
        tlsSecret("reports", "reports-dev-tls", c.pem, { ca: c.pem, certificateName: "reports-dev" }),
      ],
      [],
    );
    expect(selfSignedCodes(s)).toEqual(["cert.self-signed-leaf", "certmanager.self-signed-issuer"]);
  });
});

describe("a verified sighting beats one with no trust bundle (fp #4)", () => {
  // Linkerd's cert-manager recipe: `kubectl create secret tls linkerd-trust-anchor --cert=ca.crt
  // --key=ca.key -n linkerd` (no ca.crt) backs the CA Issuer; the same anchor is in the trust roots.
  async function recipe() {
    const anchor = await makeCustomCa("CN=root.linkerd.cluster.local", at(-30 * D), at(3620 * D), null);
    const issuer = await makeCustomCa("CN=identity.linkerd.cluster.local", at(-16 * H), at(32 * H), anchor);
    const objects = [
      namespace("linkerd", { "linkerd.io/is-control-plane": "true" }),
      tlsSecret("linkerd", "linkerd-trust-anchor", anchor.pem),
      tlsSecret("linkerd", "linkerd-identity-issuer", issuer.pem, { ca: anchor.pem }),
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
        data: { "ca-bundle.crt": anchor.pem },
      },
    ];
    return { anchor, issuer, objects };
  }

  it("the anchor in linkerd-trust-anchor and in the trust roots is verified, and its gauge is 1", async () => {
    const r = await recipe();
    const s = analyzeAll(r.objects, []);
    expect(certOf(s, r.anchor.pem).chain).toEqual({ verified: true });
    expect(certOf(s, r.issuer.pem).chain).toEqual({ verified: true });
    expect(s.findings.filter((f) => f.code === "cert.chain-invalid")).toEqual([]);
    const metrics = buildMetrics([{ cluster: "c1", snapshot: s, ageSeconds: 0, stale: false }]);
    expect(metrics).toContain(
      `handshake_certificate_chain_verified{cluster="c1",id="${idOf(r.anchor.pem)}"} 1`,
    );
  });

  it("near miss: alone (no trust roots among the inputs) the anchor Secret stays unverifiable and silent", async () => {
    const r = await recipe();
    const s = analyzeAll([r.objects[0]!, r.objects[1]!], []);
    expect(certOf(s, r.anchor.pem).chain).toEqual({
      verified: false,
      error: "no trust bundle for this chain among the inputs",
    });
    expect(s.findings.filter((f) => f.code === "cert.chain-invalid")).toEqual([]);
  });

  it("near miss: a real failure still beats a verified sighting", async () => {
    const r = await recipe();
    const other = await makeCustomCa("CN=Other Root", at(-30 * D), at(3000 * D), null);
    const leaf = await makeCustomLeaf("CN=api.app.svc", at(-D), at(60 * D), r.anchor, {
      dns: ["api.app.svc"],
    });
    const s = analyzeAll(
      [
        ...r.objects,
        tlsSecret("app", "api-good", leaf.pem, { ca: r.anchor.pem }),
        tlsSecret("app", "api-bad", leaf.pem, { ca: other.pem }),
      ],
      [],
    );
    expect(certOf(s, leaf.pem).chain.verified).toBe(false);
    expect(codesFor(s, leaf.pem)).toEqual(["cert.chain-invalid"]);
  });
});

// ---------------------------------------------------------------------------------------------
// reviews/fpfix.md #2 and #4: Secrets the inputs use without an Istio credentialName. docs/DECISIONS.md,
// "Self-signed warnings: Gateway API, Ingress and userVolume evidence".

const gatewayApi = (ns: string, tls: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "shop-gw", namespace: ns },
  spec: {
    gatewayClassName: "istio",
    listeners: [{ name: "https", hostname: "shop.example.com", port: 443, protocol: "HTTPS", tls }],
    ...spec,
  },
});
const ingress = (ns: string, secretName: string) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "shop", namespace: ns },
  spec: {
    ingressClassName: "istio",
    tls: [{ hosts: ["shop.example.com"], secretName }],
    rules: [{ host: "shop.example.com" }],
  },
});
const ref = (name: string, extra: Record<string, unknown> = {}) => ({ kind: "Secret", name, ...extra });
const referenceGrant = (ns: string, fromNs: string, name?: string, fromKind = "Gateway") => ({
  apiVersion: "gateway.networking.k8s.io/v1beta1",
  kind: "ReferenceGrant",
  metadata: { name: `from-${fromNs}`, namespace: ns },
  spec: {
    from: [{ group: "gateway.networking.k8s.io", kind: fromKind, namespace: fromNs }],
    to: [{ group: "", kind: "Secret", ...(name ? { name } : {}) }],
  },
});
const frontendValidation = {
  tls: {
    frontend: { default: { validation: { caCertificateRefs: [{ kind: "ConfigMap", name: "client-ca" }] } } },
  },
};

describe("certmanager.self-signed-issuer: Secrets a Gateway API Gateway or an Ingress serves (fpfix #2)", () => {
  it.each([
    [
      "a Gateway API listener's certificateRef (mode Terminate)",
      [gatewayApi(OP, { mode: "Terminate", certificateRefs: [ref("webhook-server-cert")] })],
    ],
    [
      "a Gateway API listener's certificateRef (mode left to its default)",
      [gatewayApi(OP, { certificateRefs: [ref("webhook-server-cert", { group: "" })] })],
    ],
    [
      "a Gateway API certificateRef from another namespace naming the Secret's, which a ReferenceGrant permits",
      [
        gatewayApi("gateways", { certificateRefs: [ref("webhook-server-cert", { namespace: OP })] }),
        referenceGrant(OP, "gateways"),
      ],
    ],
    [
      "the same, with a ReferenceGrant naming that Secret",
      [
        gatewayApi("gateways", { certificateRefs: [ref("webhook-server-cert", { namespace: OP })] }),
        referenceGrant(OP, "gateways", "webhook-server-cert"),
      ],
    ],
    ["an Ingress's spec.tls[].secretName", [ingress(OP, "webhook-server-cert")]],
  ])("warns when %s", async (_what, extra) => {
    const k = await kubebuilder();
    const s = analyzeAll([...k.objects, ...extra], []);
    expect(codes(s, "certmanager.self-signed-issuer").map((f) => f.resources[0])).toEqual([
      { kind: "Certificate", namespace: OP, name: "myoperator-serving-cert" },
    ]);
  });

  it.each([
    [
      "a Passthrough listener (it serves no certificate of its own)",
      gatewayApi(OP, { mode: "Passthrough", certificateRefs: [ref("webhook-server-cert")] }),
    ],
    [
      "a certificateRef to a same-named Secret of another namespace",
      gatewayApi("gateways", { certificateRefs: [ref("webhook-server-cert")] }),
    ],
    [
      "a certificateRef of another kind",
      gatewayApi(OP, {
        certificateRefs: [{ group: "example.io", kind: "Vault", name: "webhook-server-cert" }],
      }),
    ],
    // reviews/fp2rev.md #6: without a ReferenceGrant the listener is RefNotPermitted and serves nothing.
    [
      "a cross-namespace certificateRef without a ReferenceGrant",
      gatewayApi("gateways", { certificateRefs: [ref("webhook-server-cert", { namespace: OP })] }),
    ],
    ["an Ingress in another namespace with the same secretName", ingress("other", "webhook-server-cert")],
    [
      "an Ingress kind of another API group",
      { ...ingress(OP, "webhook-server-cert"), apiVersion: "extensions.example.io/v1" },
    ],
  ])("near miss: silent for %s", async (_what, extra) => {
    const k = await kubebuilder();
    const s = analyzeAll([...k.objects, extra], []);
    expect(selfSignedCodes(s)).toEqual([]);
  });

  it.each([
    ["a grant for Gateways of another namespace", referenceGrant(OP, "elsewhere")],
    ["a grant in the Gateway's namespace instead of the Secret's", referenceGrant("gateways", "gateways")],
    ["a grant naming another Secret", referenceGrant(OP, "gateways", "other-cert")],
    ["a grant for HTTPRoutes, not Gateways", referenceGrant(OP, "gateways", undefined, "HTTPRoute")],
  ])("near miss: a cross-namespace certificateRef with %s is not served", async (_what, grant) => {
    const k = await kubebuilder();
    const gw = gatewayApi("gateways", { certificateRefs: [ref("webhook-server-cert", { namespace: OP })] });
    const s = analyzeAll([...k.objects, gw, grant], []);
    expect(selfSignedCodes(s)).toEqual([]);
  });
});

describe("cert.self-signed-leaf: client-validating Gateway API listeners and userVolume client Secrets (fpfix #2, #4)", () => {
  const helm = () => makeHelmSelfSignedCert("my-webhook.app.svc", at(-D), at(364 * D));
  const warnsOn = (s: MeshSnapshot) => codes(s, "cert.self-signed-leaf").map((f) => f.resources);
  const SECRET = [[{ kind: "Secret", namespace: "app", name: "my-webhook-tls" }]];

  it("a Gateway API Gateway that validates client certificates (spec.tls.frontend) makes its certificateRef mTLS material", async () => {
    const c = await helm();
    const gw = gatewayApi("app", { certificateRefs: [ref("my-webhook-tls")] }, frontendValidation);
    const s = analyzeAll([namespace("app", {}), tlsSecret("app", "my-webhook-tls", c.pem), gw], []);
    expect(warnsOn(s)).toEqual(SECRET);
  });

  // reviews/fp2rev.md #5: a perPort entry is that port's listeners' only.
  const twoListeners = (frontend: Record<string, unknown>) => ({
    ...gatewayApi("app", {}),
    spec: {
      gatewayClassName: "istio",
      listeners: [
        { name: "public", port: 443, protocol: "HTTPS", tls: { certificateRefs: [ref("public-tls")] } },
        { name: "partner", port: 8443, protocol: "HTTPS", tls: { certificateRefs: [ref("my-webhook-tls")] } },
      ],
      tls: { frontend },
    },
  });
  const validation = { caCertificateRefs: [{ kind: "ConfigMap", name: "partner-ca" }] };
  it.each([
    [
      "a perPort entry for 8443 validates: only the 8443 listener's",
      { perPort: [{ port: 8443, tls: { validation } }] },
      ["partner"],
    ],
    ["default validates: both listeners'", { default: { validation } }, ["public", "partner"]],
    [
      "default validates, but 443's perPort entry has no validation: only 8443's",
      { default: { validation }, perPort: [{ port: 443, tls: {} }] },
      ["partner"],
    ],
    [
      "a perPort entry for another port (9443): neither",
      { perPort: [{ port: 9443, tls: { validation } }] },
      [],
    ],
  ])("spec.tls.frontend per listener: %s", async (_what, frontend, warned) => {
    const pub = await makeHelmSelfSignedCert("shop.example.com", at(-D), at(364 * D));
    const partner = await helm();
    const s = analyzeAll(
      [
        namespace("app", {}),
        tlsSecret("app", "public-tls", pub.pem),
        tlsSecret("app", "my-webhook-tls", partner.pem),
        twoListeners(frontend),
      ],
      [],
    );
    const got = [
      ...(codesFor(s, pub.pem).includes("cert.self-signed-leaf") ? ["public"] : []),
      ...(codesFor(s, partner.pem).includes("cert.self-signed-leaf") ? ["partner"] : []),
    ];
    expect(got).toEqual(warned);
  });

  it("so does a listener's experimental tls.frontendValidation", async () => {
    const c = await helm();
    const gw = gatewayApi("app", {
      certificateRefs: [ref("my-webhook-tls")],
      frontendValidation: { caCertificateRefs: [{ kind: "ConfigMap", name: "client-ca" }] },
    });
    const s = analyzeAll([namespace("app", {}), tlsSecret("app", "my-webhook-tls", c.pem), gw], []);
    expect(warnsOn(s)).toEqual(SECRET);
  });

  it.each([
    [
      "a Gateway API listener without client validation (a serving certificate)",
      gatewayApi("app", { certificateRefs: [ref("my-webhook-tls")] }),
    ],
    ["an Ingress (a serving certificate)", ingress("app", "my-webhook-tls")],
  ])("near miss: silent for %s", async (_what, extra) => {
    const c = await helm();
    const s = analyzeAll([namespace("app", {}), tlsSecret("app", "my-webhook-tls", c.pem), extra], []);
    expect(codesFor(s, c.pem)).toEqual([]);
  });

  // Istio's mutual TLS origination before credentialName: the client Secret mounted into the sidecar, the
  // DestinationRule naming its files.
  const mounting = (ns: string, secretName: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "sleep", namespace: ns },
    spec: {
      selector: { matchLabels: { app: "sleep" } },
      template: {
        metadata: {
          labels: { app: "sleep" },
          annotations: {
            "sidecar.istio.io/userVolume": JSON.stringify({ "client-certs": { secret: { secretName } } }),
            "sidecar.istio.io/userVolumeMount": JSON.stringify({
              "client-certs": { mountPath: "/etc/client-certs" },
            }),
          },
        },
        spec: { containers: [{ name: "sleep", image: "curlimages/curl" }] },
      },
    },
  });
  const fileMutual = (ns: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: "partner", namespace: ns },
    spec: {
      host: "api.partner.example",
      ...extra,
      trafficPolicy: {
        tls: {
          mode: "MUTUAL",
          clientCertificate: "/etc/client-certs/tls.crt",
          privateKey: "/etc/client-certs/tls.key",
        },
      },
    },
  });
  const injectedApp = namespace("app", { "istio-injection": "enabled" });

  it("a Secret a sidecar mounts by userVolume while a DestinationRule MUTUAL names client files warns", async () => {
    const c = await helm();
    const s = analyzeAll(
      [
        injectedApp,
        tlsSecret("app", "my-webhook-tls", c.pem),
        mounting("app", "my-webhook-tls"),
        fileMutual("app"),
      ],
      [],
    );
    expect(warnsOn(s)).toEqual(SECRET);
  });

  it("the old list form of userVolume, and a DestinationRule in the root namespace, count too", async () => {
    const c = await helm();
    const d = mounting("app", "x") as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    d.spec.template.metadata.annotations["sidecar.istio.io/userVolume"] = JSON.stringify([
      { name: "client-certs", secret: { secretName: "my-webhook-tls" } },
    ]);
    const s = analyzeAll(
      [
        injectedApp,
        namespace("istio-system", {}),
        tlsSecret("app", "my-webhook-tls", c.pem),
        d,
        fileMutual("istio-system"),
      ],
      [],
    );
    expect(warnsOn(s)).toEqual(SECRET);
  });

  it.each([
    ["no DestinationRule names client files", []],
    [
      "the DestinationRule is another namespace's, not exported here",
      [fileMutual("other", { exportTo: ["."] })],
    ],
    [
      "the DestinationRule selects other workloads",
      [fileMutual("app", { workloadSelector: { matchLabels: { app: "other" } } })],
    ],
  ])("near miss: a userVolume Secret is silent when %s", async (_what, extra) => {
    const c = await helm();
    const s = analyzeAll(
      [injectedApp, tlsSecret("app", "my-webhook-tls", c.pem), mounting("app", "my-webhook-tls"), ...extra],
      [],
    );
    expect(codesFor(s, c.pem)).toEqual([]);
  });

  it("near miss: the same annotation on a pod without a sidecar is no proxy mount", async () => {
    const c = await helm();
    const s = analyzeAll(
      [
        namespace("app", {}),
        tlsSecret("app", "my-webhook-tls", c.pem),
        mounting("app", "my-webhook-tls"),
        fileMutual("app"),
      ],
      [],
    );
    expect(codesFor(s, c.pem)).toEqual([]);
  });
});
