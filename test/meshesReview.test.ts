// Fixes from the review of Linkerd, cert-manager and SPIRE support (docs/DECISIONS.md, "Review of
// Linkerd, cert-manager and SPIRE support"). Each case is built from a real PKI made here (test/pki.ts:
// WebCrypto keys, @peculiar/x509 signatures, dates relative to NOW) and goes through the real loader
// and analysis; each fix has its near misses.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { call, deploy, edgeOf, host, loaded, namespace, predict, run, service, workloadOf } from "./kit";
import { makeCustomCa, makeCustomLeaf, makeHelmSelfSignedCert, PKI_NOW, type CustomCert } from "./pki";
import { internalErrors } from "./support/mutation";
import { L5D, l5dNs, l5dPolicy } from "./support/linkerdScenario";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = PKI_NOW;
const at = (ms: number) => new Date(NOW.getTime() + ms);
const b64 = (s: string) => Buffer.from(s).toString("base64");

function analyse(objects: KubeObject[], now = NOW): MeshSnapshot {
  const snap = MeshSnapshotSchema.parse(
    analyze(
      { objects: loaded(objects), configDumps: [], problems: [] },
      { now, source: { type: "manifests" } },
    ),
  );
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}
const codesOf = (s: MeshSnapshot, code: string) => s.findings.filter((f) => f.code === code);

function tlsSecret(
  namespace: string,
  name: string,
  crt: string,
  o: { ca?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: {
      namespace,
      name,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    data: { "tls.crt": b64(crt), ...(o.ca ? { "ca.crt": b64(o.ca) } : {}), "tls.key": b64("redacted") },
  };
}

// ---------------------------------------------------------------------------------------------------
// 1. Linkerd's webhook and APIService Secrets (charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml,
// viz tap-rbac.yaml: `genSelfSignedCert`, pinned by the webhook's caBundle) are not mTLS certificates.

describe("cert.self-signed-leaf: Linkerd's own webhook Secrets are serving certificates the API server pins", () => {
  const webhook = (ns: string, name: string, labels: Record<string, string> | undefined) => async () => {
    const cert = await makeHelmSelfSignedCert(
      `${name.replace(/-k8s-tls$/, "")}.${ns}.svc`,
      at(-DAY),
      at(364 * DAY),
    );
    return tlsSecret(ns, name, cert.pem, labels ? { labels } : {});
  };
  it.each([
    [
      "the proxy injector's (control-plane component)",
      webhook("linkerd", "linkerd-proxy-injector-k8s-tls", {
        "linkerd.io/control-plane-component": "proxy-injector",
        "linkerd.io/control-plane-ns": "linkerd",
      }),
    ],
    [
      "the policy validator's",
      webhook("linkerd", "linkerd-policy-validator-k8s-tls", {
        "linkerd.io/control-plane-component": "destination",
        "linkerd.io/control-plane-ns": "linkerd",
      }),
    ],
    [
      "viz tap's (extension label)",
      webhook("linkerd-viz", "tap-k8s-tls", { "linkerd.io/extension": "viz", component: "tap" }),
    ],
    [
      "jaeger's injector",
      webhook("linkerd-jaeger", "jaeger-injector-k8s-tls", {
        "linkerd.io/extension": "jaeger",
        component: "jaeger-injector",
      }),
    ],
  ])("silent for %s", async (_what, make) => {
    const s = analyse([await make()]);
    expect(codesOf(s, "cert.self-signed-leaf")).toEqual([]);
    // Still listed, with its expiry judged as any leaf's.
    expect(s.certificates).toHaveLength(1);
  });

  it("near miss: the same certificate in an unlabelled Secret a DestinationRule presents as its MUTUAL client certificate warns", async () => {
    // The clientAuth EKU alone is no longer evidence of mTLS use (fp #5): the DR's credentialName is.
    const dr: KubeObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { namespace: "app", name: "partner" },
      spec: {
        host: "api.partner.example",
        trafficPolicy: { tls: { mode: "MUTUAL", credentialName: "client-cert" } },
      },
    };
    const s = analyse([await webhook("app", "client-cert", undefined)(), dr]);
    expect(codesOf(s, "cert.self-signed-leaf").map((f) => f.resources)).toEqual([
      [{ kind: "Secret", namespace: "app", name: "client-cert" }],
    ]);
  });

  it("near miss: a Linkerd-labelled Secret's certificate still gets the expiry findings", async () => {
    const s = analyse(
      [
        await webhook("linkerd", "linkerd-proxy-injector-k8s-tls", {
          "linkerd.io/control-plane-component": "proxy-injector",
        })(),
      ],
      at(364 * DAY - HOUR),
    );
    expect(codesOf(s, "cert.expiring").map((f) => f.severity)).toEqual(["error"]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 2. Linkerd's identity controller verifies its issuer against linkerd-identity-trust-roots (templates/
// identity.yaml mounts the ConfigMap; pkg/identity/service.go loadCredentials: creds.Crt.Verify(
// svc.trustAnchors, …)), never against the issuer Secret's ca.crt.

const ANCHOR_CN = "CN=root.linkerd.cluster.local";
const ISSUER_CN = "CN=identity.linkerd.cluster.local";
const trustRoots = (bundle: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
  data: { "ca-bundle.crt": bundle },
});
const cmAnnotations = (name: string, issuer: string, kind: string) => ({
  "cert-manager.io/certificate-name": name,
  "cert-manager.io/issuer-name": issuer,
  "cert-manager.io/issuer-kind": kind,
  "cert-manager.io/issuer-group": "cert-manager.io",
});
/** The identity issuer as cert-manager writes it (scheme kubernetes.io/tls): tls.crt = the issuer, ca.crt = the CA that signed it. */
const issuerSecret = (issuer: CustomCert, ca: CustomCert, chain = "") =>
  tlsSecret("linkerd", "linkerd-identity-issuer", issuer.pem + chain, {
    ca: ca.pem,
    annotations: cmAnnotations("linkerd-identity-issuer", "linkerd-identity-issuer", "ClusterIssuer"),
  });
/** A meshed pod as the injector leaves it: the anchors it was started with in its proxy's env. */
function meshedPod(anchors: string): KubeObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "emojivoto", annotations: { "linkerd.io/inject": "enabled" } },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "web-1",
        namespace: "emojivoto",
        labels: { app: "web" },
        annotations: { "linkerd.io/inject": "enabled" },
      },
      spec: {
        serviceAccountName: "web",
        containers: [
          { name: "web", ports: [{ containerPort: 8080 }] },
          { name: "linkerd-proxy", env: [{ name: "LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS", value: anchors }] },
        ],
      },
    },
  ];
}
const certBySubject = (s: MeshSnapshot, subject: string, key?: string) =>
  s.certificates.filter(
    (c) => c.subject === subject && (key === undefined || c.sources.some((x) => x.key === key)),
  );

describe("the Linkerd issuer is verified against linkerd-identity-trust-roots, not its Secret's ca.crt", () => {
  /** s3 of the review: cert-manager re-issued the issuer under a new anchor A1 that trust-manager has not published yet. */
  async function rotatedTooEarly(bundle: (a0: CustomCert, a1: CustomCert) => string | null) {
    const a0 = await makeCustomCa(ANCHOR_CN, at(-330 * DAY), at(35 * DAY), null);
    const a1 = await makeCustomCa(ANCHOR_CN, at(-2 * DAY), at(363 * DAY), null);
    const i1 = await makeCustomCa(ISSUER_CN, at(-12 * HOUR), at(36 * HOUR), a1);
    const roots = bundle(a0, a1);
    const s = analyse([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "linkerd" } },
      issuerSecret(i1, a1),
      ...(roots === null ? [] : [trustRoots(roots)]),
      ...meshedPod(a0.pem),
    ]);
    return { s, a0, a1, i1 };
  }

  it("an issuer signed by an anchor the ConfigMap does not hold is cert.chain-invalid (the identity controller refuses it)", async () => {
    const { s } = await rotatedTooEarly((a0) => a0.pem);
    const invalid = codesOf(s, "cert.chain-invalid");
    expect(invalid.map((f) => [f.severity, f.resources[0]])).toEqual([
      ["error", { kind: "Secret", namespace: "linkerd", name: "linkerd-identity-issuer" }],
    ]);
    expect(invalid[0]!.message).toContain("linkerd-identity-trust-roots");
    const issuer = certBySubject(s, ISSUER_CN)[0]!;
    expect(issuer.chain.verified).toBe(false);
    // The pod holds exactly the ConfigMap's anchors: restarting it would change nothing.
    expect(codesOf(s, "linkerd.stale-trust-bundle")).toEqual([]);
    // Only the ConfigMap's anchor is Linkerd's trust anchor; the new one in ca.crt is a root Linkerd does not use yet.
    expect(
      s.certificates.filter((c) => c.role === "trust-anchor").map((c) => c.sources.map((x) => x.name)),
    ).toEqual([["linkerd-identity-trust-roots"]]);
    expect(certBySubject(s, ANCHOR_CN, "ca.crt").map((c) => c.role)).toEqual(["root"]);
  });

  it("near miss: the ConfigMap holds both anchors (a rotation done right) → the issuer verifies; the pod on the old bundle is stale", async () => {
    const { s } = await rotatedTooEarly((a0, a1) => a1.pem + a0.pem);
    expect(codesOf(s, "cert.chain-invalid")).toEqual([]);
    expect(certBySubject(s, ISSUER_CN)[0]!.chain).toEqual({ verified: true });
    expect(codesOf(s, "linkerd.stale-trust-bundle").map((f) => f.resources[0])).toEqual([
      { kind: "Pod", namespace: "emojivoto", name: "web-1" },
    ]);
  });

  it("near miss: without the ConfigMap among the inputs the Secret's ca.crt stands in for the anchors, as before", async () => {
    const { s } = await rotatedTooEarly(() => null);
    expect(codesOf(s, "cert.chain-invalid")).toEqual([]);
    expect(certBySubject(s, ISSUER_CN)[0]!.chain).toEqual({ verified: true });
    expect(certBySubject(s, ANCHOR_CN, "ca.crt").map((c) => c.role)).toEqual(["trust-anchor"]);
  });

  /**
   * s7 of the review: the anchor is an intermediate under a corporate root. cert-manager's CA issuer
   * writes the issuer and its CA's chain as tls.crt and the corporate root as ca.crt.
   */
  async function corporate(podAnchors: (corpAnchor: CustomCert, corpRoot: CustomCert) => string) {
    const corpRoot = await makeCustomCa("CN=Corp Root", at(-400 * DAY), at(3000 * DAY), null);
    const corpAnchor = await makeCustomCa(
      "CN=Corp Linkerd Anchor",
      at(-30 * DAY),
      at(1800 * DAY),
      corpRoot,
      undefined,
      { unconstrained: true },
    );
    const issuer = await makeCustomCa(ISSUER_CN, at(-DAY), at(300 * DAY), corpAnchor);
    return analyse([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "linkerd" } },
      issuerSecret(issuer, corpRoot, corpAnchor.pem),
      trustRoots(corpAnchor.pem),
      ...meshedPod(podAnchors(corpAnchor, corpRoot)),
    ]);
  }

  it("an intermediate anchor: the pods holding the ConfigMap's bundle are current, and only it is the trust anchor", async () => {
    const s = await corporate((anchor) => anchor.pem);
    expect(s.findings.filter((f) => f.severity !== "info").map((f) => f.code)).toEqual([]);
    expect(certBySubject(s, "CN=Corp Linkerd Anchor").map((c) => [c.role, c.chain])).toEqual([
      ["trust-anchor", { verified: true }],
    ]);
    expect(certBySubject(s, "CN=Corp Root").map((c) => c.role)).toEqual(["root"]);
    expect(certBySubject(s, ISSUER_CN)[0]!.chain).toEqual({ verified: true });
  });

  it("near miss: a pod started with the corporate root (not the ConfigMap's anchor) is stale", async () => {
    const s = await corporate((_anchor, root) => root.pem);
    expect(codesOf(s, "linkerd.stale-trust-bundle")).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------
// 3. cert-manager renewing on schedule: no cert.expiring error while the renewal is ahead or in flight.

const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
};
const READY: Condition = {
  type: "Ready",
  status: "True",
  reason: "Ready",
  message: "Certificate is up to date and has not expired",
};
function cmCertificate(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown> | null,
): KubeObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { namespace, name },
    spec: { secretName: name, ...spec },
    ...(status ? { status } : {}),
  };
}
const expiring = (s: MeshSnapshot) => codesOf(s, "cert.expiring").map((f) => f.severity);
const overdue = (s: MeshSnapshot) => codesOf(s, "cert.rotation-overdue").length;

describe("cert.expiring while cert-manager renews on schedule", () => {
  /** Linkerd's documented identity issuer Certificate: 48 h, renewBefore 25 h, so renewed 23 h after issue. */
  async function linkerdIssuer(conditions: Condition[], lastFailureTime?: Date) {
    const anchor = await makeCustomCa(ANCHOR_CN, at(-30 * DAY), at(335 * DAY), null);
    const nb = at(-23 * HOUR);
    const issuer = await makeCustomCa(ISSUER_CN, nb, at(25 * HOUR), anchor);
    const renewal = at(0);
    return [
      trustRoots(anchor.pem),
      issuerSecret(issuer, anchor),
      cmCertificate(
        "linkerd",
        "linkerd-identity-issuer",
        {
          isCA: true,
          commonName: "identity.linkerd.cluster.local",
          duration: "48h0m0s",
          renewBefore: "25h0m0s",
          issuerRef: { name: "linkerd-identity-issuer", kind: "ClusterIssuer", group: "cert-manager.io" },
        },
        {
          conditions,
          notBefore: iso(nb),
          notAfter: iso(at(25 * HOUR)),
          renewalTime: iso(renewal),
          revision: 40,
          ...(lastFailureTime ? { lastFailureTime: iso(lastFailureTime) } : {}),
        },
      ),
    ];
  }
  const renewing: Condition = {
    type: "Issuing",
    status: "True",
    reason: "Renewing",
    message: "Renewing certificate as renewal was scheduled at " + iso(NOW),
  };

  it.each([
    ["30 s before its renewal time", -30_000],
    ["30 s after it, Issuing=True (Renewing)", 30_000],
    ["59 minutes after it, still Renewing", 59 * 60_000],
  ])("silent %s", async (_when, offset) => {
    const s = analyse(await linkerdIssuer(offset > 0 ? [READY, renewing] : [READY]), at(offset));
    expect(expiring(s)).toEqual([]);
    expect(overdue(s)).toBe(0);
  });

  it.each([
    ["30 s after the renewal time and cert-manager is not issuing", [READY], undefined, 30_000],
    ["an issuance that failed since the renewal time", [READY, renewing], at(10_000), 30_000],
    [
      "still issuing an hour after the renewal time (past cert-manager's first retry step)",
      [READY, renewing],
      undefined,
      61 * 60_000,
    ],
  ] as [string, Condition[], Date | undefined, number][])(
    "near miss: the CA thresholds apply (error) %s",
    async (_when, conditions, failed, offset) => {
      const s = analyse(await linkerdIssuer(conditions, failed), at(offset));
      expect(expiring(s)).toEqual(["error"]);
      expect(overdue(s)).toBe(1);
    },
  );

  /** Linkerd's documented webhook certificate (tap-k8s-tls: duration 24h, renewBefore 1h), from a CA issuer. */
  async function tapCertificate(now: Date) {
    const ca = await makeCustomCa("CN=webhook.linkerd.cluster.local", at(-100 * DAY), at(3000 * DAY), null);
    const nb = at(-22 * HOUR);
    const na = at(2 * HOUR);
    const leaf = await makeCustomLeaf("CN=tap.linkerd-viz.svc", nb, na, ca, { dns: ["tap.linkerd-viz.svc"] });
    const s = analyse(
      [
        tlsSecret("linkerd-viz", "tap-k8s-tls", leaf.pem, {
          ca: ca.pem,
          annotations: cmAnnotations("tap", "webhook-issuer", "Issuer"),
        }),
        cmCertificate(
          "linkerd-viz",
          "tap",
          {
            secretName: "tap-k8s-tls",
            duration: "24h",
            renewBefore: "1h",
            dnsNames: ["tap.linkerd-viz.svc"],
            issuerRef: { name: "webhook-issuer", kind: "Issuer" },
          },
          { conditions: [READY], notBefore: iso(nb), notAfter: iso(na), renewalTime: iso(at(HOUR)) },
        ),
      ],
      now,
    );
    return codesOf(s, "cert.expiring")
      .concat(codesOf(s, "cert.rotation-overdue"))
      .map((f) => `${f.code} ${f.severity}`);
  }

  it("under 10 % of its life left but the renewal still ahead: a warning, not an error", async () => {
    expect(await tapCertificate(at(30 * 60_000))).toEqual(["cert.expiring warning"]);
  });

  it("near miss: once the renewal time has passed without a renewal, the error and rotation-overdue", async () => {
    expect(await tapCertificate(at(90 * 60_000))).toEqual([
      "cert.expiring error",
      "cert.rotation-overdue warning",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 4. A cert-manager Certificate's status when its Secret is not among the inputs (RBAC forbids Secrets,
// or `kubectl get certificates -A -o yaml`); and its renewal time derived from the spec when it has no
// status (cert-manager pkg/util/pki RenewalTime / RenewBefore).

describe("a Certificate whose Secret is not among the inputs is judged by its status", () => {
  const appNs: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } };
  const expired = cmCertificate(
    "app",
    "expired",
    { dnsNames: ["expired.example"], issuerRef: { name: "ca", kind: "Issuer" } },
    {
      conditions: [READY],
      notBefore: iso(at(-121 * DAY)),
      notAfter: iso(at(-31 * DAY)),
      renewalTime: iso(at(-61 * DAY)),
      revision: 3,
    },
  );
  const stuck = cmCertificate(
    "app",
    "stuck",
    { dnsNames: ["stuck.example"], issuerRef: { name: "ca", kind: "Issuer" } },
    {
      conditions: [
        READY,
        {
          type: "Issuing",
          status: "False",
          reason: "Failed",
          message: "The certificate request has failed to complete and will be retried",
        },
      ],
      notAfter: iso(at(2 * DAY)),
      renewalTime: iso(at(-28 * DAY)),
      lastFailureTime: iso(at(-DAY)),
      failedIssuanceAttempts: 6,
    },
  );
  const healthy = cmCertificate(
    "app",
    "healthy",
    { dnsNames: ["healthy.example"], issuerRef: { name: "ca", kind: "Issuer" } },
    {
      conditions: [READY],
      notBefore: iso(at(-30 * DAY)),
      notAfter: iso(at(60 * DAY)),
      renewalTime: iso(at(30 * DAY)),
    },
  );
  const findingsOn = (s: MeshSnapshot, name: string) =>
    s.findings
      .filter((f) => f.resources.some((r) => r.kind === "Certificate" && r.name === name))
      .map((f) => `${f.code} ${f.severity}${f.certificate ? " certificate" : ""}`)
      .sort();

  it("an expired certificate (status.notAfter passed while Ready stays True) is cert.expired, naming the Certificate", () => {
    const s = analyse([appNs, expired]);
    expect(findingsOn(s, "expired")).toEqual(["cert.expired error"]);
    const f = codesOf(s, "cert.expired")[0]!;
    expect(f.resources).toEqual([{ kind: "Certificate", namespace: "app", name: "expired" }]);
    expect(f.message).toContain("status.notAfter");
    expect(s.certificates).toEqual([]);
  });

  it("a renewal failing for 28 days is cert.rotation-overdue, and its expiry in 2 days cert.expiring", () => {
    expect(findingsOn(analyse([appNs, stuck]), "stuck")).toEqual([
      "cert.expiring error",
      "cert.rotation-overdue warning",
    ]);
  });

  it("near miss: a healthy Certificate (renewal ahead) says nothing", () => {
    expect(findingsOn(analyse([appNs, healthy]), "healthy")).toEqual([]);
  });

  it("near miss: with its Secret among the inputs the certificate itself is judged, once", async () => {
    const ca = await makeCustomCa("CN=app-ca", at(-400 * DAY), at(3000 * DAY), null);
    const leaf = await makeCustomLeaf("CN=stuck.example", at(-88 * DAY), at(2 * DAY), ca, {
      dns: ["stuck.example"],
    });
    const s = analyse([
      appNs,
      stuck,
      tlsSecret("app", "stuck", leaf.pem, {
        ca: ca.pem,
        annotations: cmAnnotations("stuck", "ca", "Issuer"),
      }),
    ]);
    expect(findingsOn(s, "stuck")).toEqual([
      "cert.expiring error certificate",
      "cert.rotation-overdue warning certificate",
    ]);
  });
});

describe("a Certificate without status: its renewal time derived from the spec, as cert-manager computes it", () => {
  /** s9 of the review: a CA Certificate with the default duration (90 days), issued `age` ago. */
  async function teamCa(
    age: number,
    spec: Record<string, unknown> = {},
    status: Record<string, unknown> | null = null,
  ) {
    const root = await makeCustomCa("CN=cm-root", at(-400 * DAY), at(3000 * DAY), null);
    const ca = await makeCustomCa("CN=team-ca", at(-age), at(90 * DAY - age), root);
    return analyse([
      tlsSecret("cert-manager", "team-ca", ca.pem, {
        ca: root.pem,
        annotations: cmAnnotations("team-ca", "root-issuer", "ClusterIssuer"),
      }),
      cmCertificate(
        "cert-manager",
        "team-ca",
        {
          isCA: true,
          commonName: "team-ca",
          issuerRef: { name: "root-issuer", kind: "ClusterIssuer" },
          ...spec,
        },
        status,
      ),
    ]);
  }
  const teamCaCert = (s: MeshSnapshot) => certBySubject(s, "CN=team-ca")[0]!;

  it("renewed at two thirds of its life: 54 days left on day 36 is no warning, and renewalTime is day 60", async () => {
    const s = await teamCa(36 * DAY);
    expect(expiring(s)).toEqual([]);
    expect(teamCaCert(s).renewalTime).toBe(iso(at(24 * DAY)));
  });

  it.each([
    ["renewBefore", { renewBefore: "1440h" }, 60 * DAY],
    ["renewBeforePercentage", { renewBeforePercentage: 50 }, 45 * DAY],
    ["a renewBefore not under the lifetime (ignored: two thirds)", { renewBefore: "2400h" }, 30 * DAY],
  ])("%s", async (_what, spec, before) => {
    expect(teamCaCert(await teamCa(36 * DAY, spec)).renewalTime).toBe(iso(at(54 * DAY - before)));
  });

  it("near miss: past the derived renewal time (day 70) the CA thresholds apply", async () => {
    expect(expiring(await teamCa(70 * DAY))).toEqual(["warning"]);
  });

  it("near miss: a status without renewalTime (none scheduled) derives nothing", async () => {
    const s = await teamCa(36 * DAY, {}, { conditions: [READY], notAfter: iso(at(54 * DAY)) });
    expect(teamCaCert(s).renewalTime).toBeNull();
    expect(expiring(s)).toEqual(["warning"]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 5. Linkerd's default inbound policy and Servers decide what a plaintext (unmeshed) caller meets
// (other-meshes.md §1.6-§1.7; linkerd.io features/server-policy.md: "all-authenticated: allow requests
// from meshed clients only", "deny: deny all requests", "Once a Server selects a port, all traffic to
// it is denied unless authorized"; denied HTTP gets a 403, other traffic a refused connection).

const webServer = (extra: Record<string, unknown> = {}) =>
  l5dPolicy("Server", "web-http", { podSelector: { matchLabels: { app: "web" } }, port: 8080, ...extra });
const toWebServer = { group: "policy.linkerd.io", kind: "Server", name: "web-http" };
/** The Linkerd server (web, port 8080 behind Service web:80), an unmeshed caller in `legacy` and a meshed one beside web. */
function linkerdMesh(
  nsAnnotations: Record<string, string>,
  extra: KubeObject[] = [],
  webAnnotations: Record<string, string> = {},
): KubeObject[] {
  return [
    l5dNs(nsAnnotations),
    namespace("legacy"),
    deploy(L5D, "web", { ports: [8080], annotations: webAnnotations }),
    deploy(L5D, "caller"),
    deploy("legacy", "client"),
    service(L5D, "web", [{ port: 80, targetPort: 8080, name: "http" }]),
    ...extra,
  ];
}
const plaintextVerdict = (objs: KubeObject[]) => predict(objs, "legacy/client", host("web", L5D)).predicted;
const meshedVerdict = (objs: KubeObject[]) =>
  predict(objs, `${L5D}/caller`, host("web", L5D)).predicted.verdict;

describe("Linkerd's default inbound policy decides what an unmeshed caller meets", () => {
  it.each([
    ["no annotation (Linkerd's default all-unauthenticated)", "plaintext", "PERMISSIVE", {}],
    [
      "all-unauthenticated",
      "plaintext",
      "PERMISSIVE",
      { "config.linkerd.io/default-inbound-policy": "all-unauthenticated" },
    ],
    [
      "audit (allows, and logs would-be denials)",
      "plaintext",
      "PERMISSIVE",
      { "config.linkerd.io/default-inbound-policy": "audit" },
    ],
    [
      "cluster-unauthenticated (a caller in the cluster)",
      "plaintext",
      "PERMISSIVE",
      { "config.linkerd.io/default-inbound-policy": "cluster-unauthenticated" },
    ],
    [
      "all-authenticated",
      "broken",
      "STRICT",
      { "config.linkerd.io/default-inbound-policy": "all-authenticated" },
    ],
    [
      "cluster-authenticated",
      "broken",
      "STRICT",
      { "config.linkerd.io/default-inbound-policy": "cluster-authenticated" },
    ],
    ["deny", "broken", "STRICT", { "config.linkerd.io/default-inbound-policy": "deny" }],
    [
      "a value Linkerd does not know (ignored: the cluster default applies)",
      "plaintext",
      "PERMISSIVE",
      { "config.linkerd.io/default-inbound-policy": "strict" },
    ],
  ])("namespace %s → %s, workload %s", (_what, verdict, mode, annotations) => {
    const objs = linkerdMesh(annotations);
    const p = plaintextVerdict(objs);
    expect(p.verdict).toBe(verdict);
    expect(p.server).toEqual({ mode, origin: "linkerd-policy", policy: null });
    // A meshed caller's Linkerd mTLS is the transport either way (who may call is authorization).
    expect(meshedVerdict(objs)).toBe("mtls");
    const s = run(objs);
    expect(workloadOf(s, L5D, "web").mtls).toEqual({ mode, policy: null, origin: "linkerd-policy" });
    expect(workloadOf(s, L5D, "web").ports).toEqual([
      { port: 8080, mode, policy: null, origin: "linkerd-policy" },
    ]);
    expect(s.namespaces.find((n) => n.name === L5D)!.mtls.mode).toBe(mode);
  });

  it("the reason names the policy and where it comes from", () => {
    expect(
      plaintextVerdict(linkerdMesh({ "config.linkerd.io/default-inbound-policy": "all-authenticated" }))
        .reason,
    ).toBe(
      "legacy/client has no proxy and sends plaintext; emojivoto/web is meshed by Linkerd, and its port 8080 takes the default inbound policy all-authenticated (namespace emojivoto's config.linkerd.io/default-inbound-policy), which admits only meshed clients: the Linkerd proxy refuses unauthenticated traffic (HTTP 403, or the connection is closed).",
    );
  });

  it("near miss: the pod's own annotation overrides the namespace's", () => {
    expect(
      plaintextVerdict(
        linkerdMesh({ "config.linkerd.io/default-inbound-policy": "deny" }, [], {
          "config.linkerd.io/default-inbound-policy": "all-unauthenticated",
        }),
      ).verdict,
    ).toBe("plaintext");
    expect(
      plaintextVerdict(
        linkerdMesh({}, [], { "config.linkerd.io/default-inbound-policy": "all-authenticated" }),
      ).verdict,
    ).toBe("broken");
  });

  it("near miss: a port in config.linkerd.io/skip-inbound-ports bypasses the proxy and its policy", () => {
    const p = plaintextVerdict(
      linkerdMesh({ "config.linkerd.io/default-inbound-policy": "all-authenticated" }, [], {
        "config.linkerd.io/skip-inbound-ports": "8080",
      }),
    );
    expect(p.verdict).toBe("plaintext");
  });

  it("the cluster-wide default from linkerd-config (proxy.defaultInboundPolicy) applies without annotations", () => {
    const config: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "linkerd-config", namespace: "linkerd" },
      data: {
        values: "proxy:\n  defaultInboundPolicy: all-authenticated\nidentityTrustDomain: cluster.local\n",
      },
    };
    expect(plaintextVerdict(linkerdMesh({}, [config])).verdict).toBe("broken");
    expect(
      plaintextVerdict(
        linkerdMesh({ "config.linkerd.io/default-inbound-policy": "all-unauthenticated" }, [config]),
      ).verdict,
    ).toBe("plaintext");
  });

  it("an Istio sidecar's auto-mTLS plaintext to an all-authenticated Linkerd server is edge.plaintext-to-strict with a Linkerd fix (s5b)", () => {
    const objs = [
      ...linkerdMesh({ "config.linkerd.io/default-inbound-policy": "all-authenticated" }),
      namespace("mesh", { "istio-injection": "enabled" }),
      deploy("mesh", "client"),
    ];
    const s = run(objs, [call("mesh/client", host("web", L5D), "unknown", 10, { reporter: "source" })]);
    const e = edgeOf(s, "mesh/client", host("web", L5D))!;
    expect([e.predicted.client.tls, e.predicted.verdict, e.status]).toEqual(["DISABLE", "broken", "broken"]);
    const f = s.findings.filter((x) => x.code.startsWith("edge."));
    expect(f.map((x) => [x.code, x.severity])).toEqual([["edge.plaintext-to-strict", "error"]]);
    expect(f[0]!.fix).toContain("Linkerd");
    expect(f[0]!.fix).not.toContain("ISTIO_MUTUAL");
  });

  it("near miss: the same call to an all-unauthenticated server is edge.plaintext (warning) as before", () => {
    const objs = [
      ...linkerdMesh({}),
      namespace("mesh", { "istio-injection": "enabled" }),
      deploy("mesh", "client"),
    ];
    const s = run(objs, [call("mesh/client", host("web", L5D), "unknown", 10, { reporter: "source" })]);
    expect(s.findings.filter((x) => x.code.startsWith("edge.")).map((x) => [x.code, x.severity])).toEqual([
      ["edge.plaintext", "warning"],
    ]);
  });
});

/** A running pod of Deployment emojivoto/web whose proxy was started with `env` (as the injector writes it). */
function webPod(suffix: string, env: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `web-5b7f5657f6-${suffix}`,
      namespace: L5D,
      labels: { app: "web", "pod-template-hash": "5b7f5657f6" },
      ownerReferences: [{ kind: "ReplicaSet", name: "web-5b7f5657f6", controller: true }],
    },
    spec: {
      serviceAccountName: "web",
      containers: [
        { name: "web", ports: [{ containerPort: 8080 }] },
        { name: "linkerd-proxy", env: Object.entries(env).map(([name, value]) => ({ name, value })) },
      ],
    },
  };
}

// Revised by the second review (test/meshesReview2.test.ts): the pods' annotations and linkerd-config
// decide, as Linkerd's policy controller reads them; the env only where neither is among the inputs.
describe("a running proxy's env is its default inbound policy when the policy controller's inputs are not among ours", () => {
  const POLICY_ENV = "LINKERD2_PROXY_INBOUND_DEFAULT_POLICY";
  it("no annotation on the pod and no linkerd-config: the env (the cluster default at injection), not the namespace's later annotation", () => {
    const objs = linkerdMesh({ "config.linkerd.io/default-inbound-policy": "all-unauthenticated" }, [
      webPod("a", { [POLICY_ENV]: "all-authenticated" }),
    ]);
    expect(plaintextVerdict(objs).verdict).toBe("broken");
    expect(plaintextVerdict(objs).reason).toContain(
      "the env its proxies were started with, LINKERD2_PROXY_INBOUND_DEFAULT_POLICY",
    );
  });

  it("pods started with different policies: unknown, not a certain verdict", () => {
    const p = plaintextVerdict(
      linkerdMesh({}, [
        webPod("a", { [POLICY_ENV]: "all-authenticated" }),
        webPod("b", { [POLICY_ENV]: "all-unauthenticated" }),
      ]),
    );
    expect([p.verdict, p.server.mode]).toEqual(["unknown", "PERMISSIVE"]);
    expect(p.reason).toContain(
      "its pods take different default inbound policies (all-authenticated, all-unauthenticated)",
    );
  });

  it("near miss: pods that all agree give a certain verdict", () => {
    expect(
      plaintextVerdict(
        linkerdMesh({}, [
          webPod("a", { [POLICY_ENV]: "all-unauthenticated" }),
          webPod("b", { [POLICY_ENV]: "all-unauthenticated" }),
        ]),
      ).verdict,
    ).toBe("plaintext");
  });
});

describe("TLS the caller originates meets a Linkerd port as an unauthenticated connection", () => {
  const istioCaller = (annotations: Record<string, string>) => [
    ...linkerdMesh(annotations),
    namespace("mesh", { "istio-injection": "enabled" }),
    deploy("mesh", "client"),
    {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "web-tls", namespace: "mesh" },
      spec: { host: host("web", L5D), trafficPolicy: { tls: { mode: "SIMPLE" } } },
    } as KubeObject,
  ];
  it("refused where only meshed clients are admitted: edge.tls-mismatch with a Linkerd fix", () => {
    const s = run(istioCaller({ "config.linkerd.io/default-inbound-policy": "all-authenticated" }), [
      call("mesh/client", host("web", L5D), "unknown", 10, { reporter: "source" }),
    ]);
    const f = s.findings.filter((x) => x.code.startsWith("edge."));
    expect(f.map((x) => x.code)).toEqual(["edge.tls-mismatch"]);
    expect(f[0]!.fix).toContain("Mesh mesh/client with Linkerd");
  });
  it("near miss: all-unauthenticated passes it to the application (verdict tls)", () => {
    expect(predict(istioCaller({}), "mesh/client", host("web", L5D)).predicted.verdict).toBe("tls");
  });
});

describe("a Server on the port decides instead of the default policy", () => {
  const meshAuthn = l5dPolicy("MeshTLSAuthentication", "meshed", { identities: ["*"] });
  const netAuthn = l5dPolicy("NetworkAuthentication", "everywhere", {
    networks: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }],
  });
  const authz = (name: string, target: Record<string, string>, authn: string, kind: string) =>
    l5dPolicy("AuthorizationPolicy", name, {
      targetRef: target,
      requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind, name: authn }],
    });

  it.each([
    ["a Server with no authorization (accessPolicy deny)", "broken", "STRICT", [webServer()]],
    [
      "a Server whose AuthorizationPolicy requires a mesh identity",
      "broken",
      "STRICT",
      [webServer(), meshAuthn, authz("meshed-only", toWebServer, "meshed", "MeshTLSAuthentication")],
    ],
    [
      "a Server with accessPolicy all-unauthenticated",
      "plaintext",
      "PERMISSIVE",
      [webServer({ accessPolicy: "all-unauthenticated" })],
    ],
    [
      "a Server opened by a NetworkAuthentication-only AuthorizationPolicy",
      "plaintext",
      "PERMISSIVE",
      [webServer(), netAuthn, authz("by-network", toWebServer, "everywhere", "NetworkAuthentication")],
    ],
    [
      "a locked Server in a namespace where a route is opened to unauthenticated clients (which Server's route is not read)",
      "unknown",
      "STRICT",
      [
        webServer(),
        netAuthn,
        authz(
          "probe",
          { group: "policy.linkerd.io", kind: "HTTPRoute", name: "probe" },
          "everywhere",
          "NetworkAuthentication",
        ),
      ],
    ],
  ] as [string, string, string, KubeObject[]][])("%s → %s (%s)", (_what, verdict, mode, objs) => {
    const all = linkerdMesh({}, objs);
    const p = plaintextVerdict(all);
    expect(p.verdict).toBe(verdict);
    expect(p.server.mode).toBe(mode);
    expect(meshedVerdict(all)).toBe("mtls");
  });

  it("near miss: an open Server under a deny default keeps the port open; the workload-wide mode follows the default", () => {
    const all = linkerdMesh({ "config.linkerd.io/default-inbound-policy": "deny" }, [
      webServer({ accessPolicy: "all-unauthenticated" }),
    ]);
    expect(plaintextVerdict(all).verdict).toBe("plaintext");
    const w = workloadOf(run(all), L5D, "web");
    expect([w.mtls.mode, w.ports.map((p) => p.mode)]).toEqual(["STRICT", ["PERMISSIVE"]]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 6. linkerd.unauthenticated-default reads the cluster-wide default (proxy.defaultInboundPolicy): in the
// running proxies' env, and in linkerd-config's values.

describe("linkerd.unauthenticated-default follows the effective default policy, the cluster's included", () => {
  const linkerdConfig = (policy: string): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "linkerd-config", namespace: "linkerd" },
    data: {
      values: `clusterDomain: cluster.local\nidentityTrustDomain: cluster.local\nproxy:\n  defaultInboundPolicy: ${policy}\n`,
    },
  });
  const fires = (objs: KubeObject[]) => codesOf(run(objs), "linkerd.unauthenticated-default").length;
  const POLICY_ENV = "LINKERD2_PROXY_INBOUND_DEFAULT_POLICY";

  it.each([
    [
      "the live proxies were started with all-authenticated (s10)",
      [webPod("a", { [POLICY_ENV]: "all-authenticated" }), linkerdConfig("all-authenticated")],
    ],
    [
      "the cluster default in linkerd-config is all-authenticated (manifests)",
      [linkerdConfig("all-authenticated")],
    ],
    ["the cluster default is deny", [linkerdConfig("deny")]],
  ] as [string, KubeObject[]][])("silent: %s", (_what, extra) => {
    expect(
      fires(linkerdMesh({}, extra).filter((o) => o.kind !== "Deployment" || o.metadata.name === "web")),
    ).toBe(0);
  });

  it.each([
    ["no annotation and no linkerd-config (Linkerd's default)", []],
    ["linkerd-config's default is all-unauthenticated", [linkerdConfig("all-unauthenticated")]],
    [
      "a pod started with all-unauthenticated before the namespace was annotated all-authenticated",
      [
        webPod("a", { [POLICY_ENV]: "all-unauthenticated" }),
        l5dNs({ "config.linkerd.io/default-inbound-policy": "all-authenticated" }),
      ],
    ],
  ] as [string, KubeObject[]][])("near miss: fires when %s", (_what, extra) => {
    const objs = linkerdMesh({}, extra).filter((o) => o.kind !== "Deployment" || o.metadata.name === "web");
    // A Namespace among `extra` replaces the base one.
    const ns = extra.find((o) => o.kind === "Namespace");
    expect(
      fires(ns ? [ns, ...objs.filter((o) => !(o.kind === "Namespace" && o.metadata.name === L5D))] : objs),
    ).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------
// 7. Linkerd identity names: <sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>
// (other-meshes.md §1.1; charts/partials `_proxy.tpl`: _l5d_ns, _l5d_trustdomain), not always
// …identity.linkerd.cluster.local.

describe("a Linkerd workload's identity name takes the control plane's namespace and trust domain", () => {
  const config = (ns: string, values: string): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "linkerd-config", namespace: ns },
    data: { values },
  });
  const identity = (extra: KubeObject[]) => workloadOf(run(linkerdMesh({}, extra)), L5D, "web").identity;

  it.each([
    [
      "the live proxy's env (s3)",
      [webPod("a", { _l5d_ns: "linkerd-cp", _l5d_trustdomain: "example.org" })],
      "web.emojivoto.serviceaccount.identity.linkerd-cp.example.org",
    ],
    [
      "linkerd-config: its namespace and identityTrustDomain",
      [config("linkerd-cp", "identityTrustDomain: example.org\nclusterDomain: cluster.local\n")],
      "web.emojivoto.serviceaccount.identity.linkerd-cp.example.org",
    ],
    [
      "linkerd-config without identityTrustDomain: clusterDomain",
      [config("l5d", "clusterDomain: corp.local\n")],
      "web.emojivoto.serviceaccount.identity.l5d.corp.local",
    ],
    [
      "the env wins over linkerd-config",
      [
        webPod("a", { _l5d_ns: "linkerd", _l5d_trustdomain: "prod.example" }),
        config("linkerd", "identityTrustDomain: cluster.local\n"),
      ],
      "web.emojivoto.serviceaccount.identity.linkerd.prod.example",
    ],
  ] as [string, KubeObject[], string][])("%s", (_what, extra, want) => {
    expect(identity(extra)).toBe(want);
  });

  it("near miss: with neither, Linkerd's defaults (linkerd, cluster.local)", () => {
    expect(identity([])).toBe("web.emojivoto.serviceaccount.identity.linkerd.cluster.local");
  });
});

// ---------------------------------------------------------------------------------------------------
// 8. certmanager.not-ready while cert-manager is issuing: say so, and a warning where the Secret still
// holds a valid certificate (cert-manager policies.go readinessChecks sets Ready=False for routine
// reissues: RequestChanged after a spec edit, IncorrectIssuer after an issuer switch).

describe("certmanager.not-ready while cert-manager is (re)issuing", () => {
  const appNs: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } };
  const notReady = (reason: string, message: string): Condition => ({
    type: "Ready",
    status: "False",
    reason,
    message,
  });
  const issuing = (since: Date): Condition => ({
    type: "Issuing",
    status: "True",
    reason: "Reissuing",
    message: "Re-issuing certificate",
    lastTransitionTime: iso(since),
  });
  async function api(
    conditions: Condition[],
    o: { secret?: "valid" | "expired"; lastFailureTime?: Date } = {},
  ) {
    const ca = await makeCustomCa("CN=app-ca", at(-400 * DAY), at(3000 * DAY), null);
    const leaf =
      o.secret === "expired"
        ? await makeCustomLeaf("CN=api.example", at(-91 * DAY), at(-DAY), ca, { dns: ["api.example"] })
        : await makeCustomLeaf("CN=api.example", at(-30 * DAY), at(60 * DAY), ca, { dns: ["api.example"] });
    const objs: KubeObject[] = [
      appNs,
      cmCertificate(
        "app",
        "api",
        { dnsNames: ["api.example"], issuerRef: { name: "ca", kind: "Issuer" } },
        { conditions, ...(o.lastFailureTime ? { lastFailureTime: iso(o.lastFailureTime) } : {}) },
      ),
    ];
    if (o.secret)
      objs.push(
        tlsSecret("app", "api", leaf.pem, { ca: ca.pem, annotations: cmAnnotations("api", "ca", "Issuer") }),
      );
    const f = codesOf(analyse(objs), "certmanager.not-ready");
    expect(f).toHaveLength(1);
    return f[0]!;
  }
  const doesNotExist = notReady("DoesNotExist", "Issuing certificate as Secret does not exist");
  const requestChanged = notReady(
    "RequestChanged",
    "Certificate is not Ready because the CertificateRequest does not match the spec",
  );

  it("a first issuance in flight (s4c): still an error (no certificate yet), but it says cert-manager is issuing it", async () => {
    const f = await api([doesNotExist, issuing(at(-10_000))]);
    expect(f.severity).toBe("error");
    expect(f.message).toContain(`cert-manager is issuing it (Issuing since ${iso(at(-10_000))})`);
    expect(f.message).not.toContain("not being (re)issued");
  });

  it("a reissue after a spec edit while the Secret's certificate is valid: a warning", async () => {
    const f = await api([requestChanged, issuing(at(-60_000))], { secret: "valid" });
    expect(f.severity).toBe("warning");
    expect(f.message).toContain("its Secret api still holds a valid certificate");
  });

  it.each([
    [
      "the reissue has failed since it started",
      { secret: "valid" as const, lastFailureTime: at(-30_000) },
      "failed",
    ],
    ["the Secret's certificate has expired", { secret: "expired" as const }, "cert-manager is issuing it"],
  ])("near miss: an error when %s", async (_what, o, says) => {
    const f = await api([requestChanged, issuing(at(-60_000))], o);
    expect(f.severity).toBe("error");
    expect(f.message).toContain(says);
  });

  it("near miss: a failure before the current attempt started does not count against it", async () => {
    expect(
      (await api([requestChanged, issuing(at(-60_000))], { secret: "valid", lastFailureTime: at(-DAY) }))
        .severity,
    ).toBe("warning");
  });

  it("near miss: not issuing and no Secret: the error says it is not being (re)issued, as before", async () => {
    const f = await api([doesNotExist]);
    expect([f.severity, f.message.includes("is not being (re)issued")]).toEqual(["error", true]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 9. Two Certificates writing one Secret: the one the Secret's cert-manager.io/certificate-name names
// applies, else the first by namespace and name, whatever the input order (contract.md §1).

describe("which Certificate's status applies to a shared Secret does not depend on input order", () => {
  async function shared(annotated: string | null) {
    const ca = await makeCustomCa("CN=app-ca", at(-400 * DAY), at(3000 * DAY), null);
    const leaf = await makeCustomLeaf("CN=api.example", at(-30 * DAY), at(60 * DAY), ca, {
      dns: ["api.example"],
    });
    const cert = (name: string, renewal: Date) =>
      cmCertificate(
        "app",
        name,
        { secretName: "shared", dnsNames: ["api.example"], issuerRef: { name: "ca", kind: "Issuer" } },
        { conditions: [READY], notAfter: iso(at(60 * DAY)), renewalTime: iso(renewal) },
      );
    const objs = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } } as KubeObject,
      cert("a", at(-26 * DAY)),
      cert("b", at(13 * DAY)),
      tlsSecret("app", "shared", leaf.pem, {
        ca: ca.pem,
        annotations: annotated ? cmAnnotations(annotated, "ca", "Issuer") : {},
      }),
    ];
    const view = (s: MeshSnapshot) => ({
      renewal: certBySubject(s, "CN=api.example")[0]!.renewalTime,
      overdue: codesOf(s, "cert.rotation-overdue").map((f) => f.resources[0]),
    });
    return { forward: view(analyse(objs)), reversed: view(analyse([...objs].reverse())) };
  }

  it("the Certificate the Secret's annotation names (b), in both orders", async () => {
    const { forward, reversed } = await shared("b");
    expect(forward).toEqual({ renewal: iso(at(13 * DAY)), overdue: [] });
    expect(reversed).toEqual(forward);
  });

  it("near miss: the annotation names a (overdue): a, in both orders", async () => {
    const { forward, reversed } = await shared("a");
    expect(forward).toEqual({
      renewal: iso(at(-26 * DAY)),
      overdue: [{ kind: "Certificate", namespace: "app", name: "a" }],
    });
    expect(reversed).toEqual(forward);
  });

  it("without the annotation: the first by name, in both orders", async () => {
    const { forward, reversed } = await shared(null);
    expect(forward.renewal).toBe(iso(at(-26 * DAY)));
    expect(reversed).toEqual(forward);
  });
});

// ---------------------------------------------------------------------------------------------------
// 10. certmanager.self-signed-issuer: an issuerRef with another group names an external issuer.

describe("certmanager.self-signed-issuer matches cert-manager's own issuers only", () => {
  const selfSignedIssuer: KubeObject = {
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: { namespace: "app", name: "pca" },
    spec: { selfSigned: {} },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  };
  // A client certificate (usages client auth): a serving-only one is pinned by its peer and silent (fp #2).
  const leafCert = (issuerRef: Record<string, string>) =>
    cmCertificate("app", "svc", { dnsNames: ["svc.example"], usages: ["client auth"], issuerRef }, null);
  const fires = (issuerRef: Record<string, string>) =>
    codesOf(analyse([selfSignedIssuer, leafCert(issuerRef)]), "certmanager.self-signed-issuer").length;

  it("silent for an external issuer of the same name and kind (s11: an issuerRef in another API group)", () => {
    expect(fires({ name: "pca", kind: "Issuer", group: "awspca.cert-manager.io" })).toBe(0);
  });

  it.each([
    ["no group (cert-manager.io by default)", { name: "pca", kind: "Issuer" }],
    ["group cert-manager.io", { name: "pca", kind: "Issuer", group: "cert-manager.io" }],
    ["an empty group", { name: "pca", kind: "Issuer", group: "" }],
  ])("near miss: fires for %s", (_what, ref) => {
    expect(fires(ref)).toBe(1);
  });
});
