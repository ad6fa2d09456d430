// False-positive hunt against Linkerd's, cert-manager's and SPIRE's own documented correct setups. Each
// setup is built as the docs deploy it (YAML taken from the docs, paths cited), certificates made with
// the validity periods the docs give, and run through the real analysis: a correct setup gives no
// warning or error; a documented broken variant gives the finding the docs' failure corresponds to.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { parseTraffic } from "../lib/core/traffic/parseTraffic";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { loaded, service } from "./kit";
import { makeCustomCa, makeCustomLeaf, PKI_NOW, type CustomCert } from "./pki";
import { internalErrors } from "./support/mutation";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * The clock: PKI_NOW. Each setup's certificates are dated relative to it as a cluster that has run
 * the docs' recipe for a while would hold them (a cert-manager Certificate issued some time ago and not
 * yet due for renewal), so an expiry finding can only come from the docs' own periods.
 */
const NOW = PKI_NOW;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
const b64 = (s: string) => Buffer.from(s).toString("base64");

function analyse(objects: KubeObject[], trafficText = "", now = NOW): MeshSnapshot {
  const traffic = trafficText ? parseTraffic(trafficText, "linkerd.prom") : { samples: [], problems: [] };
  expect(traffic.problems).toEqual([]);
  const snap = MeshSnapshotSchema.parse(
    analyze(
      { objects: loaded(objects), configDumps: [], problems: [] },
      { now, source: { type: "manifests" }, traffic },
    ),
  );
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}
const loud = (s: MeshSnapshot) =>
  s.findings.filter((f) => f.severity !== "info").map((f) => `${f.code}: ${f.message}`);
const codes = (s: MeshSnapshot) =>
  [...new Set(s.findings.filter((f) => f.severity !== "info").map((f) => f.code))].sort();

// ---------------------------------------------------------------------------------------------------
// emojivoto as https://run.linkerd.io/emojivoto.yml deploys it (linkerd/website
// linkerd.io/content/2-edge/tasks/adding-your-service.md, restricting-access.md: `linkerd inject
// https://run.linkerd.io/emojivoto.yml | kubectl apply -f -`): three ServiceAccounts, pods labelled
// `app: <x>-svc`, gRPC services on 8080 (named grpc) with a prom port 8801, web-svc 80 → 8080.

const NS = "emojivoto";
const INJECTED = { "linkerd.io/inject": "enabled" };

function emojiDeploy(
  name: string,
  app: string,
  sa: string,
  ports: { containerPort: number; name: string }[],
  anchors?: string,
): KubeObject[] {
  const labels = { app, version: "v11" };
  const proxy =
    anchors === undefined
      ? []
      : [
          {
            name: "linkerd-proxy",
            ports: [{ containerPort: 4191, name: "linkerd-admin" }],
            env: [{ name: "LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS", value: anchors }],
          },
        ];
  const out: KubeObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name,
        namespace: NS,
        labels: {
          "app.kubernetes.io/name": name,
          "app.kubernetes.io/part-of": "emojivoto",
          "app.kubernetes.io/version": "v11",
        },
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: INJECTED },
          spec: {
            serviceAccountName: sa,
            containers: [
              { name: `${name}-svc`, image: `docker.l5d.io/buoyantio/emojivoto-${name}:v11`, ports },
            ],
          },
        },
      },
    },
  ];
  // A running pod, as the webhook leaves it (its proxy and the trust anchors it was given).
  if (anchors !== undefined)
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${name}-5b7f5657f6-xbjjw`,
        namespace: NS,
        labels: { ...labels, "pod-template-hash": "5b7f5657f6", "linkerd.io/proxy-deployment": name },
        annotations: INJECTED,
        ownerReferences: [{ kind: "ReplicaSet", name: `${name}-5b7f5657f6`, controller: true }],
      },
      spec: { serviceAccountName: sa, containers: [{ name: `${name}-svc`, ports }, ...proxy] },
    });
  return out;
}

function emojivoto(anchors?: string): KubeObject[] {
  const grpc = [
    { containerPort: 8080, name: "grpc" },
    { containerPort: 8801, name: "prom" },
  ];
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
    ...["emoji", "voting", "web"].map((sa): KubeObject => ({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: sa, namespace: NS },
    })),
    ...emojiDeploy("emoji", "emoji-svc", "emoji", grpc, anchors),
    ...emojiDeploy("voting", "voting-svc", "voting", grpc, anchors),
    ...emojiDeploy("web", "web-svc", "web", [{ containerPort: 8080, name: "http" }], anchors),
    ...emojiDeploy("vote-bot", "vote-bot", "default", [], anchors),
    service(
      NS,
      "emoji-svc",
      [
        { port: 8080, name: "grpc" },
        { port: 8801, name: "prom" },
      ],
      { selector: { app: "emoji-svc" } },
    ),
    service(
      NS,
      "voting-svc",
      [
        { port: 8080, name: "grpc" },
        { port: 8801, name: "prom" },
      ],
      { selector: { app: "voting-svc" } },
    ),
    service(NS, "web-svc", [{ port: 80, targetPort: 8080, name: "http" }], { selector: { app: "web-svc" } }),
  ];
}

/** emojivoto's calls as viz's Prometheus holds them: each caller's proxy's outbound requests, mTLS. */
function emojivotoTraffic(): string {
  const sid = (sa: string) => `${sa}.${NS}.serviceaccount.identity.linkerd.cluster.local`;
  const line = (src: string, svc: string, dep: string, port: number, target: number) =>
    `request_total{namespace="${NS}",deployment="${src}",pod="${src}-5b7f5657f6-xbjjw",control_plane_ns="linkerd",workload_ns="${NS}",direction="outbound",authority="${svc}.${NS}.svc.cluster.local:${port}",target_addr="10.42.0.31:${target}",dst_namespace="${NS}",dst_service="${svc}",dst_deployment="${dep}",dst_serviceaccount="${dep}",tls="true",server_id="${sid(dep === "web" ? "web" : dep)}"} 100`;
  return [
    line("web", "emoji-svc", "emoji", 8080, 8080),
    line("web", "voting-svc", "voting", 8080, 8080),
    line("vote-bot", "web-svc", "web", 80, 8080),
  ].join("\n");
}

// restricting-access.md: the Server for voting's gRPC port and the ServerAuthorization letting web call it.
const votingServer: KubeObject = {
  apiVersion: "policy.linkerd.io/v1beta1",
  kind: "Server",
  metadata: { namespace: NS, name: "voting-grpc", labels: { app: "voting-svc" } },
  spec: { podSelector: { matchLabels: { app: "voting-svc" } }, port: "grpc", proxyProtocol: "gRPC" },
};
const votingAuthz: KubeObject = {
  apiVersion: "policy.linkerd.io/v1beta1",
  kind: "ServerAuthorization",
  metadata: {
    namespace: NS,
    name: "voting-grpc",
    labels: {
      "app.kubernetes.io/part-of": "emojivoto",
      "app.kubernetes.io/name": "voting",
      "app.kubernetes.io/version": "v11",
    },
  },
  spec: { server: { name: "voting-grpc" }, client: { meshTLS: { serviceAccounts: [{ name: "web" }] } } },
};

// ---------------------------------------------------------------------------------------------------
// Linkerd's identity credentials.

const ANCHOR_CN = "root.linkerd.cluster.local";
const ISSUER_CN = "identity.linkerd.cluster.local";
const trustRoots = (bundle: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
  data: { "ca-bundle.crt": bundle },
});
const linkerdNs: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "linkerd" } };
const cmNs: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "cert-manager" } };

/**
 * generate-certificates.md (step CLI): `step certificate create root.linkerd.cluster.local ca.crt ca.key
 * --profile root-ca --no-password --insecure` (step's root-ca default: 10 years, 87600h) and the issuer
 * `--profile intermediate-ca --not-after 8760h`; `linkerd install --identity-trust-anchors-file ca.crt
 * --identity-issuer-certificate-file issuer.crt --identity-issuer-key-file issuer.key` stores them in the
 * trust-roots ConfigMap and the `linkerd-identity-issuer` Secret (scheme linkerd.io/tls: crt.pem/key.pem).
 * Made 30 days before the clock.
 */
async function stepPki(issuerSigner?: CustomCert) {
  const anchor = await makeCustomCa(
    `CN=${ANCHOR_CN}`,
    ago(30 * DAY),
    new Date(ago(30 * DAY).getTime() + 87600 * HOUR),
    null,
  );
  const issuer = await makeCustomCa(
    `CN=${ISSUER_CN}`,
    ago(30 * DAY),
    new Date(ago(30 * DAY).getTime() + 8760 * HOUR),
    issuerSigner ?? anchor,
  );
  return { anchor, issuer };
}
function stepInstall(p: { anchor: CustomCert; issuer: CustomCert }): KubeObject[] {
  return [
    linkerdNs,
    trustRoots(p.anchor.pem),
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "linkerd-identity-issuer", namespace: "linkerd" },
      data: { "crt.pem": b64(p.issuer.pem), "key.pem": b64(p.issuer.keyPem) },
    },
  ];
}

/**
 * automatically-rotating-control-plane-tls-credentials.md (2-edge): a selfSigned Issuer makes the trust
 * anchor (Certificate linkerd-trust-anchor in cert-manager: isCA, duration 8760h, renewBefore 7320h,
 * ECDSA), a CA ClusterIssuer on its Secret makes the identity issuer (Certificate linkerd-identity-issuer
 * in linkerd: isCA, duration 48h, renewBefore 25h, ECDSA), and trust-manager publishes the bundle as
 * ConfigMap linkerd/linkerd-identity-trust-roots (key ca-bundle.crt). The anchor was issued 30 days before
 * the clock (renewal at 60 days), the issuer 1 h before it (renewal at 23 h): the state between renewals.
 */
async function certManagerPki(issuerSigner?: CustomCert) {
  const aFrom = ago(30 * DAY);
  const iFrom = ago(HOUR);
  const anchor = await makeCustomCa(`CN=${ANCHOR_CN}`, aFrom, new Date(aFrom.getTime() + 8760 * HOUR), null);
  const issuer = await makeCustomCa(
    `CN=${ISSUER_CN}`,
    iFrom,
    new Date(iFrom.getTime() + 48 * HOUR),
    issuerSigner ?? anchor,
  );
  return { anchor, issuer, aFrom, iFrom };
}
function certManagerInstall(
  p: { anchor: CustomCert; issuer: CustomCert; aFrom: Date; iFrom: Date },
  bundle = p.anchor.pem,
): KubeObject[] {
  const ready = [
    {
      type: "Ready",
      status: "True",
      reason: "Ready",
      message: "Certificate is up to date and has not expired",
    },
  ];
  const status = (from: Date, hours: number, renewBeforeH: number) => ({
    conditions: ready,
    notBefore: iso(from),
    notAfter: iso(new Date(from.getTime() + hours * HOUR)),
    renewalTime: iso(new Date(from.getTime() + (hours - renewBeforeH) * HOUR)),
    revision: 1,
  });
  const tls = (
    ns: string,
    name: string,
    cert: CustomCert,
    certName: string,
    issuerName: string,
    issuerKind: string,
  ): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: {
      name,
      namespace: ns,
      annotations: {
        "cert-manager.io/certificate-name": certName,
        "cert-manager.io/issuer-name": issuerName,
        "cert-manager.io/issuer-kind": issuerKind,
        "cert-manager.io/issuer-group": "cert-manager.io",
      },
    },
    data: { "tls.crt": b64(cert.pem), "tls.key": b64(cert.keyPem), "ca.crt": b64(p.anchor.pem) },
  });
  return [
    linkerdNs,
    cmNs,
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: "linkerd-trust-root-issuer", namespace: "cert-manager" },
      spec: { selfSigned: {} },
      status: { conditions: ready },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "linkerd-trust-anchor", namespace: "cert-manager" },
      spec: {
        issuerRef: { kind: "Issuer", name: "linkerd-trust-root-issuer" },
        secretName: "linkerd-trust-anchor",
        isCA: true,
        commonName: ANCHOR_CN,
        duration: "8760h0m0s",
        renewBefore: "7320h0m0s",
        privateKey: { rotationPolicy: "Always", algorithm: "ECDSA" },
      },
      status: status(p.aFrom, 8760, 7320),
    },
    tls(
      "cert-manager",
      "linkerd-trust-anchor",
      p.anchor,
      "linkerd-trust-anchor",
      "linkerd-trust-root-issuer",
      "Issuer",
    ),
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: "linkerd-identity-issuer" },
      spec: { ca: { secretName: "linkerd-trust-anchor" } },
      status: { conditions: ready },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "linkerd-identity-issuer", namespace: "linkerd" },
      spec: {
        issuerRef: { name: "linkerd-identity-issuer", kind: "ClusterIssuer" },
        secretName: "linkerd-identity-issuer",
        isCA: true,
        commonName: ISSUER_CN,
        duration: "48h0m0s",
        renewBefore: "25h0m0s",
        privateKey: { rotationPolicy: "Always", algorithm: "ECDSA" },
      },
      status: status(p.iFrom, 48, 25),
    },
    tls(
      "linkerd",
      "linkerd-identity-issuer",
      p.issuer,
      "linkerd-identity-issuer",
      "linkerd-identity-issuer",
      "ClusterIssuer",
    ),
    trustRoots(bundle),
  ];
}

// ---------------------------------------------------------------------------------------------------
// cert-manager's own CA bootstrap (cert-manager/website content/docs/configuration/selfsigned.md,
// "Bootstrapping CA Issuers"): a selfSigned ClusterIssuer, Certificate my-selfsigned-ca (isCA, ECDSA 256,
// default duration 2160h) into root-secret, and a CA Issuer my-ca-issuer on it; plus a serving Certificate
// that CA issues (content/docs/usage/certificate.md's shape: default 90 days, renewal at 2/3). Issued 10
// days before the clock.

async function cmBootstrap(
  leafSpec: Record<string, unknown> = {},
  leafIssuer = "my-ca-issuer",
  leafIssuerKind = "Issuer",
) {
  const from = ago(10 * DAY);
  const ca = await makeCustomCa("CN=my-selfsigned-ca", from, new Date(from.getTime() + 2160 * HOUR), null);
  const leaf = await makeCustomLeaf("CN=example.com", from, new Date(from.getTime() + 2160 * HOUR), ca, {
    dns: ["example.com", "www.example.com"],
  });
  const ready = [{ type: "Ready", status: "True", reason: "Ready" }];
  const status = {
    conditions: ready,
    notBefore: iso(from),
    notAfter: iso(new Date(from.getTime() + 2160 * HOUR)),
    renewalTime: iso(new Date(from.getTime() + 1440 * HOUR)),
    revision: 1,
  };
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "sandbox" } },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: "selfsigned-issuer" },
      spec: { selfSigned: {} },
      status: { conditions: ready },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "my-selfsigned-ca", namespace: "sandbox" },
      spec: {
        isCA: true,
        commonName: "my-selfsigned-ca",
        secretName: "root-secret",
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: "selfsigned-issuer", kind: "ClusterIssuer", group: "cert-manager.io" },
      },
      status,
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: {
        name: "root-secret",
        namespace: "sandbox",
        annotations: { "cert-manager.io/certificate-name": "my-selfsigned-ca" },
      },
      data: { "tls.crt": b64(ca.pem), "tls.key": b64(ca.keyPem), "ca.crt": b64(ca.pem) },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: "my-ca-issuer", namespace: "sandbox" },
      spec: { ca: { secretName: "root-secret" } },
      status: { conditions: ready },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "example-com", namespace: "sandbox" },
      spec: {
        secretName: "example-com-tls",
        commonName: "example.com",
        dnsNames: ["example.com", "www.example.com"],
        issuerRef: { name: leafIssuer, kind: leafIssuerKind },
        ...leafSpec,
      },
      status,
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: {
        name: "example-com-tls",
        namespace: "sandbox",
        annotations: { "cert-manager.io/certificate-name": "example-com" },
      },
      data: { "tls.crt": b64(leaf.pem), "tls.key": b64(leaf.keyPem), "ca.crt": b64(ca.pem) },
    },
  ] as KubeObject[];
}

// ---------------------------------------------------------------------------------------------------
// SPIRE's Kubernetes quickstart (spiffe/spire-tutorials k8s/quickstart/server-configmap.yaml): trust
// domain example.org, `default_svid_ttl = "1h"`, ca_ttl unset (SPIRE's default 24h, doc/spire_server.md).

const spireConf = (lines: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "spire-server", namespace: "spire" },
  data: {
    "server.conf": `server {\n  bind_address = "0.0.0.0"\n  bind_port = "8081"\n  socket_path = "/tmp/spire-server/private/api.sock"\n  trust_domain = "example.org"\n  data_dir = "/run/spire/data"\n  log_level = "DEBUG"\n  #AWS requires the use of RSA.  EC cryptography is not supported\n  ca_key_type = "rsa-2048"\n\n${lines}\n  ca_subject = {\n    country = ["US"],\n    organization = ["SPIFFE"],\n    common_name = "",\n  }\n}\n\nplugins {\n  DataStore "sql" {\n    plugin_data {\n      database_type = "sqlite3"\n      connection_string = "/run/spire/data/datastore.sqlite3"\n    }\n  }\n  Notifier "k8sbundle" {\n    plugin_data {\n    }\n  }\n}\n`,
  },
});
const spireNs: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "spire" } };

// ---------------------------------------------------------------------------------------------------

describe("documented correct setups: no warning, no error", () => {
  it.each([
    [
      "emojivoto injected, its observed Linkerd traffic all mTLS (adding-your-service.md)",
      async () => analyse(emojivoto(), emojivotoTraffic()),
    ],
    [
      "emojivoto + restricting-access.md's Server and ServerAuthorization for voting-grpc",
      async () => analyse([...emojivoto(), votingServer, votingAuthz], emojivotoTraffic()),
    ],
    [
      "Linkerd installed with step-made credentials (generate-certificates.md), running pods holding the anchor",
      async () => {
        const p = await stepPki();
        return analyse([...stepInstall(p), ...emojivoto(p.anchor.pem)], emojivotoTraffic());
      },
    ],
    [
      "Linkerd credentials from cert-manager + trust-manager (automatically-rotating-control-plane-tls-credentials.md)",
      async () => {
        const p = await certManagerPki();
        return analyse([...certManagerInstall(p), ...emojivoto(p.anchor.pem)], emojivotoTraffic());
      },
    ],
    [
      "the same, just before the issuer's renewal (22 h 59 m after issue, 25 h 1 m left)",
      async () => {
        const p = await certManagerPki();
        return analyse(
          [...certManagerInstall(p), ...emojivoto(p.anchor.pem)],
          "",
          new Date(p.iFrom.getTime() + 23 * HOUR - 60_000),
        );
      },
    ],
    [
      "cert-manager's CA bootstrap (selfsigned.md) and a Certificate its CA Issuer signs",
      async () => analyse(await cmBootstrap()),
    ],
    [
      "SPIRE's k8s quickstart server.conf (default_svid_ttl 1h, ca_ttl default)",
      async () => analyse([spireNs, spireConf('  default_svid_ttl = "1h"')]),
    ],
  ] as [string, () => Promise<MeshSnapshot>][])("%s", async (_name, make) => {
    const s = await make();
    expect(loud(s)).toEqual([]);
    // The setup was really read: every observed edge is mTLS, every certificate's chain verifies.
    expect(s.edges.filter((e) => e.observed !== null && e.status !== "mtls").map((e) => e.id)).toEqual([]);
    expect(s.certificates.filter((c) => !c.chain.verified).map((c) => c.subject)).toEqual([]);
  });

  it("the cert-manager Linkerd setup: anchor, issuer and their renewal times are read; the issuer verifies to the bundle", async () => {
    const p = await certManagerPki();
    const s = analyse([...certManagerInstall(p), ...emojivoto(p.anchor.pem)], emojivotoTraffic());
    const issuer = s.certificates.find((c) =>
      c.sources.some((x) => x.name === "linkerd-identity-issuer" && x.key === "tls.crt"),
    )!;
    expect([issuer.renewalTime, issuer.chain]).toEqual([
      iso(new Date(p.iFrom.getTime() + 23 * HOUR)),
      { verified: true },
    ]);
    expect(s.edges.map((e) => [e.id, e.status])).toEqual([
      [`${NS}/vote-bot->web-svc.${NS}.svc.cluster.local:80`, "mtls"],
      [`${NS}/web->emoji-svc.${NS}.svc.cluster.local:8080`, "mtls"],
      [`${NS}/web->voting-svc.${NS}.svc.cluster.local:8080`, "mtls"],
    ]);
  });
});

describe("documented broken variants give their finding", () => {
  it.each([
    [
      // generate-certificates.md / `linkerd check` "issuer cert is issued by the trust anchor".
      "an identity issuer not signed by the trust anchor (step)",
      async () => {
        const other = await makeCustomCa(
          "CN=other.linkerd.cluster.local",
          ago(DAY),
          new Date(NOW.getTime() + 3650 * DAY),
          null,
        );
        const p = await stepPki(other);
        return analyse([...stepInstall(p), ...emojivoto(p.anchor.pem)]);
      },
      ["cert.chain-invalid"],
    ],
    [
      "an identity issuer not signed by the trust anchor (cert-manager, the ClusterIssuer pointed at another CA)",
      async () => {
        const other = await makeCustomCa(
          "CN=other.linkerd.cluster.local",
          ago(DAY),
          new Date(NOW.getTime() + 3650 * DAY),
          null,
        );
        const p = await certManagerPki(other);
        return analyse([...certManagerInstall(p), ...emojivoto(p.anchor.pem)]);
      },
      ["cert.chain-invalid"],
    ],
    [
      // automatically-rotating…md, "Rotating the trust anchor": pods must restart to get the new bundle.
      "the trust bundle rotated to a new anchor, pods still holding the old one",
      async () => {
        const p = await certManagerPki();
        const old = await makeCustomCa(
          `CN=${ANCHOR_CN}`,
          ago(400 * DAY),
          new Date(NOW.getTime() + 30 * DAY),
          null,
        );
        return analyse([...certManagerInstall(p), ...emojivoto(old.pem)]);
      },
      ["linkerd.stale-trust-bundle"],
    ],
    [
      // certificate.md: `duration` must be greater than `renewBefore`.
      "a Certificate whose renewBefore is not below its duration",
      async () => analyse(await cmBootstrap({ duration: "24h", renewBefore: "25h" })),
      ["certmanager.renew-before-too-large"],
    ],
    [
      // selfsigned.md: use the CA issuer it bootstraps, not the SelfSigned issuer, for real certificates.
      "a non-CA Certificate issued straight by the SelfSigned ClusterIssuer",
      // …used for client TLS (usages client auth); a serving-only one is pinned by its peer (fp #2).
      async () =>
        analyse(
          await cmBootstrap({ usages: ["server auth", "client auth"] }, "selfsigned-issuer", "ClusterIssuer"),
        ),
      ["certmanager.self-signed-issuer"],
    ],
    [
      // doc/spire_server.md: an X.509-SVID TTL above ca_ttl/6 is cut short by CA rotation.
      "SPIRE's default_x509_svid_ttl above ca_ttl/6 (6h with the default 24h)",
      async () => analyse([spireNs, spireConf('  default_x509_svid_ttl = "6h"')]),
      ["spire.svid-ttl-too-long"],
    ],
  ] as [string, () => Promise<MeshSnapshot>, string[]][])("%s", async (_name, make, expected) => {
    expect(codes(await make())).toEqual(expected);
  });
});
