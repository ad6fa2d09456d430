// What Istio's admission refuses in a networking.istio.io Gateway, beyond hosts, protocols and tls
// presence (gatewayServers.test.ts): the webhook's ValidateGateway → validateServer →
// validateServerPort, validateServerBind, validateTLSOptions (istio/istio
// pkg/config/validation/validation.go), and the CRD schema's types, enums and list sizes. A refused
// Gateway is input.invalid naming file, line, object and field, and no listener is built from it; each
// row's near miss is admitted and builds the listener. What upstream only warns about admits the
// Gateway. Then mergeGateways' duplicate-host check (pilot/pkg/model/gateway.go).
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import type { KubeObject } from "../lib/core/model/input";
import { gatewayListeners } from "../lib/core/resolve/gatewayListener";
import {
  call,
  deploy,
  findingsOf,
  host,
  injected,
  loaded,
  namespace,
  only,
  peerAuth,
  run,
  service,
} from "./kit";

type Obj = Record<string, unknown>;
const EGRESS = host("istio-egressgateway", "istio-system");

// The legacy chart's egress gateway: Service 80→8080, 443→8443.
const gatewayPod = deploy("istio-system", "istio-egressgateway", {
  labels: { app: "istio-egressgateway", istio: "egressgateway", "sidecar.istio.io/inject": "false" },
  containers: ["istio-proxy"],
  ports: [{ port: 15090, name: "http-envoy-prom" }],
});
const gatewayService = service(
  "istio-system",
  "istio-egressgateway",
  [
    { port: 80, targetPort: 8080, name: "http2" },
    { port: 443, targetPort: 8443, name: "https" },
  ],
  {
    selector: { app: "istio-egressgateway" },
  },
);
const base = [
  namespace("istio-system"),
  injected("a"),
  peerAuth("istio-system", "default", "STRICT"),
  deploy("a", "web", { ports: [9080] }),
  gatewayPod,
  gatewayService,
];

function gateway(servers: Obj[], name = "egress"): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "istio-system" },
    spec: { selector: { istio: "egressgateway" }, servers },
  };
}
/** A valid HTTPS server on Service port 443 (listener 8443), SIMPLE with a credentialName; `over` replaces fields. */
const srv = (over: Obj = {}): Obj => ({
  port: { number: 443, name: "https", protocol: "HTTPS" },
  hosts: ["api.example.com"],
  tls: { mode: "SIMPLE", credentialName: "api-cert" },
  ...over,
});
const withTls = (tls: Obj, protocol = "HTTPS"): Obj =>
  srv({ port: { number: 443, name: "https", protocol }, tls });
const withPort = (port: Obj, over: Obj = {}): Obj => srv({ port, ...over });

const ref = (name = "egress") => ({ kind: "Gateway", namespace: "istio-system", name });
const GW_PORT = { port: 8443, mode: "DISABLE", origin: "workload-port", policy: ref() };
const NO_GW_PORT = { port: 8443, mode: "NONE", origin: "default", policy: null };

/** The model's problems and Gateways, and the gateway workload's port 8443 entry through the whole analysis. */
function outcome(gw: KubeObject) {
  const objs = [...base, gw];
  const m = buildModel({ objects: loaded(objs), configDumps: [], problems: [] });
  const s = run(objs, [call("a/web", EGRESS, "unknown", 5, { reporter: "source", request_protocol: "tcp" })]);
  const port8443 = s.workloads
    .find((w) => w.name === "istio-egressgateway")!
    .ports.find((p) => p.port === 8443);
  return { m, s, port8443, line: objs.length };
}

interface Row {
  case: string;
  bad: Obj[];
  field: string;
  says: string;
  /** The same Gateway admitted: one change away. */
  near: Obj[];
  name?: string;
  nearName?: string;
}

const rows: Row[] = [
  // validateTLSOptions: SIMPLE / MUTUAL / OPTIONAL_MUTUAL need a certificate source.
  {
    case: "SIMPLE without credentialName or files",
    bad: [withTls({ mode: "SIMPLE" })],
    field: "spec.servers[0].tls.serverCertificate",
    says: "SIMPLE TLS requires a server certificate",
    near: [withTls({ mode: "SIMPLE", credentialName: "api-cert" })],
  },
  {
    case: "SIMPLE with a server certificate file, no key",
    bad: [withTls({ mode: "SIMPLE", serverCertificate: "/etc/c.pem" })],
    field: "spec.servers[0].tls.privateKey",
    says: "SIMPLE TLS requires a private key",
    near: [withTls({ mode: "SIMPLE", serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" })],
  },
  {
    case: "MUTUAL with files, no client CA bundle",
    bad: [withTls({ mode: "MUTUAL", serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" })],
    field: "spec.servers[0].tls.caCertificates",
    says: "MUTUAL TLS requires a client CA bundle",
    near: [
      withTls({
        mode: "MUTUAL",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        caCertificates: "/etc/ca.pem",
      }),
    ],
  },
  // The CA bundle comes first in the current order (the server certificate after it).
  {
    case: "OPTIONAL_MUTUAL with nothing",
    bad: [withTls({ mode: "OPTIONAL_MUTUAL" })],
    field: "spec.servers[0].tls.caCertificates",
    says: "MUTUAL TLS requires a client CA bundle",
    near: [withTls({ mode: "OPTIONAL_MUTUAL", credentialName: "api-cert" })],
  },
  {
    case: "MUTUAL with a CA bundle, no server certificate",
    bad: [withTls({ mode: "MUTUAL", caCertificates: "/etc/ca.pem" })],
    field: "spec.servers[0].tls.serverCertificate",
    says: "MUTUAL TLS requires a server certificate",
    near: [withTls({ mode: "MUTUAL", credentialName: "api-cert" })],
  },
  // tlsCertificates: each entry is checked instead of the top-level pair.
  {
    case: "a tlsCertificates entry without a server certificate",
    bad: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [
          { serverCertificate: "/etc/rsa.pem", privateKey: "/etc/rsa.key" },
          { privateKey: "/etc/ec.key" },
        ],
      }),
    ],
    field: "spec.servers[0].tls.tlsCertificates[1].serverCertificate",
    says: "SIMPLE TLS requires a server certificate",
    near: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [
          { serverCertificate: "/etc/rsa.pem", privateKey: "/etc/rsa.key" },
          { serverCertificate: "/etc/ec.pem", privateKey: "/etc/ec.key" },
        ],
      }),
    ],
  },
  // Only one certificate source, among the sources Istio 1.26 added (credentialNames, tlsCertificates): a
  // Gateway that sets one of them was written for 1.26+, which refuses a second source. A key without its
  // certificate is no source. (credentialName beside the file pair: admitted, below.)
  {
    case: "credentialNames beside serverCertificate and privateKey",
    bad: [
      withTls({
        mode: "SIMPLE",
        credentialNames: ["rsa"],
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
      }),
    ],
    field: "spec.servers[0].tls",
    says: "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified",
    near: [withTls({ mode: "SIMPLE", credentialNames: ["rsa"], privateKey: "/etc/k.pem" })],
  },
  {
    case: "credentialName beside tlsCertificates",
    bad: [
      withTls({
        mode: "SIMPLE",
        credentialName: "api-cert",
        tlsCertificates: [{ serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" }],
      }),
    ],
    field: "spec.servers[0].tls",
    says: "only one of credential_name",
    near: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [{ serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" }],
      }),
    ],
  },
  {
    case: "tlsCertificates beside serverCertificate and privateKey",
    bad: [
      withTls({
        mode: "SIMPLE",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        tlsCertificates: [{ serverCertificate: "/etc/ec.pem", privateKey: "/etc/ec.key" }],
      }),
    ],
    field: "spec.servers[0].tls",
    says: "only one of credential_name",
    near: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [{ serverCertificate: "/etc/ec.pem", privateKey: "/etc/ec.key" }],
      }),
    ],
  },
  // The CRD's CEL rules (has(): a field present, even empty) come before the webhook.
  {
    case: "credentialName beside credentialNames",
    bad: [withTls({ mode: "MUTUAL", credentialName: "api-cert", credentialNames: ["rsa", "ec"] })],
    field: "spec.servers[0].tls",
    says: "only one of credentialName or credentialNames can be set",
    near: [withTls({ mode: "MUTUAL", credentialNames: ["rsa", "ec"] })],
  },
  {
    case: "an empty credentialName beside credentialNames",
    bad: [withTls({ mode: "SIMPLE", credentialName: "", credentialNames: ["rsa"] })],
    field: "spec.servers[0].tls",
    says: "only one of credentialName or credentialNames can be set",
    near: [withTls({ mode: "SIMPLE", credentialNames: ["rsa"] })],
  },
  {
    case: "credentialNames beside tlsCertificates",
    bad: [
      withTls({
        mode: "SIMPLE",
        credentialNames: ["rsa"],
        tlsCertificates: [{ serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" }],
      }),
    ],
    field: "spec.servers[0].tls",
    says: "only one of credentialNames or tlsCertificates can be set",
    near: [withTls({ mode: "SIMPLE", credentialNames: ["rsa"] })],
  },
  // caCertCredentialName (a secret holding the client CA) stands for MUTUAL's CA bundle.
  {
    case: "MUTUAL with files, no CA bundle and no caCertCredentialName",
    bad: [withTls({ mode: "MUTUAL", serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" })],
    field: "spec.servers[0].tls.caCertificates",
    says: "MUTUAL TLS requires a client CA bundle",
    near: [
      withTls({
        mode: "MUTUAL",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        caCertCredentialName: "api-ca",
      }),
    ],
  },
  // ISTIO_MUTUAL takes the gateway's own Istio certificate and nothing else.
  {
    case: "ISTIO_MUTUAL with a credentialName",
    bad: [withTls({ mode: "ISTIO_MUTUAL", credentialName: "api-cert" })],
    field: "spec.servers[0].tls.credentialName",
    says: "ISTIO_MUTUAL TLS cannot have associated credentialName",
    near: [withTls({ mode: "ISTIO_MUTUAL" })],
  },
  {
    case: "ISTIO_MUTUAL with a server certificate",
    bad: [withTls({ mode: "ISTIO_MUTUAL", serverCertificate: "/etc/c.pem" })],
    field: "spec.servers[0].tls.serverCertificate",
    says: "ISTIO_MUTUAL TLS cannot have associated server certificate",
    near: [withTls({ mode: "ISTIO_MUTUAL" })],
  },
  {
    case: "ISTIO_MUTUAL with a private key",
    bad: [withTls({ mode: "ISTIO_MUTUAL", privateKey: "/etc/k.pem" })],
    field: "spec.servers[0].tls.privateKey",
    says: "ISTIO_MUTUAL TLS cannot have associated private key",
    near: [withTls({ mode: "ISTIO_MUTUAL" })],
  },
  {
    case: "ISTIO_MUTUAL with a CA bundle",
    bad: [withTls({ mode: "ISTIO_MUTUAL", caCertificates: "/etc/ca.pem" })],
    field: "spec.servers[0].tls.caCertificates",
    says: "ISTIO_MUTUAL TLS cannot have associated CA bundle",
    near: [withTls({ mode: "ISTIO_MUTUAL" })],
  },
  {
    case: "ISTIO_MUTUAL with credentialNames",
    bad: [withTls({ mode: "ISTIO_MUTUAL", credentialNames: ["rsa"] })],
    field: "spec.servers[0].tls.credentialNames",
    says: "ISTIO_MUTUAL TLS cannot have associated credentialNames",
    near: [withTls({ mode: "ISTIO_MUTUAL" })],
  },
  {
    case: "ISTIO_MUTUAL with tlsCertificates",
    bad: [
      withTls({
        mode: "ISTIO_MUTUAL",
        tlsCertificates: [{ serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" }],
      }),
    ],
    field: "spec.servers[0].tls.tlsCertificates",
    says: "ISTIO_MUTUAL TLS cannot have associated tlsCertificates",
    near: [withTls({ mode: "ISTIO_MUTUAL" })],
  },
  // CRLs: not with SIMPLE, not beside credentialName. SIMPLE with a credentialName returns before the CRL check.
  {
    case: "caCrl with SIMPLE files",
    bad: [
      withTls({
        mode: "SIMPLE",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        caCrl: "/etc/crl.pem",
      }),
    ],
    field: "spec.servers[0].tls.caCrl",
    says: "CRL is not supported with SIMPLE TLS",
    near: [withTls({ mode: "SIMPLE", credentialName: "api-cert", caCrl: "/etc/crl.pem" })],
  },
  {
    case: "caCrl beside credentialName on a PASSTHROUGH server",
    bad: [withTls({ mode: "PASSTHROUGH", credentialName: "api-cert", caCrl: "/etc/crl.pem" }, "TLS")],
    field: "spec.servers[0].tls.caCrl",
    says: "CRL is not supported with credentialName",
    near: [withTls({ mode: "PASSTHROUGH", credentialName: "api-cert" }, "TLS")],
  },
  // validateServer checks the tls options before whether the protocol may have tls at all.
  {
    case: "an HTTP server with SIMPLE and no certificate",
    bad: [withTls({ mode: "SIMPLE" }, "HTTP")],
    field: "spec.servers[0].tls.serverCertificate",
    says: "SIMPLE TLS requires a server certificate",
    near: [withTls({ mode: "SIMPLE", credentialName: "api-cert" })],
  },

  // validateServerPort: a port, a name, no targetPort.
  // The CRD requires servers[].port and hosts, and port.number, protocol and name; the API server checks
  // that before the webhook reads the hosts.
  {
    case: "no port",
    bad: [srv({ port: undefined })],
    field: "spec.servers[0].port",
    says: "is required",
    near: [srv()],
  },
  {
    case: "no hosts",
    bad: [srv({ hosts: undefined })],
    field: "spec.servers[0].hosts",
    says: "is required",
    near: [srv()],
  },
  {
    case: "empty hosts (present: the webhook's check)",
    bad: [srv({ hosts: [] })],
    field: "spec.servers[0].hosts",
    says: "server config must contain at least one host",
    near: [srv()],
  },
  {
    case: "no port name",
    bad: [withPort({ number: 443, protocol: "HTTPS" })],
    field: "spec.servers[0].port.name",
    says: "is required",
    near: [withPort({ number: 443, name: "https", protocol: "HTTPS" })],
  },
  {
    case: "no port name beside an empty host: the schema's error first",
    bad: [withPort({ number: 443, protocol: "HTTPS" }, { hosts: [""] })],
    field: "spec.servers[0].port.name",
    says: "is required",
    near: [withPort({ number: 443, name: "https", protocol: "HTTPS" })],
  },
  {
    case: "no port number",
    bad: [withPort({ name: "https", protocol: "HTTPS" })],
    field: "spec.servers[0].port.number",
    says: "is required",
    near: [withPort({ number: 443, name: "https", protocol: "HTTPS" })],
  },
  {
    case: "no port number on a unix bind",
    bad: [
      srv(),
      withPort({ name: "uds", protocol: "HTTP" }, { tls: undefined, bind: "unix:///var/run/gw.sock" }),
    ],
    field: "spec.servers[1].port.number",
    says: "is required",
    near: [
      srv(),
      withPort(
        { number: 0, name: "uds", protocol: "HTTP" },
        { tls: undefined, bind: "unix:///var/run/gw.sock" },
      ),
    ],
  },
  {
    case: "a negative port number on a unix bind (CRD minimum 0)",
    bad: [
      srv(),
      withPort(
        { number: -1, name: "uds", protocol: "HTTP" },
        { tls: undefined, bind: "unix:///var/run/gw.sock" },
      ),
    ],
    field: "spec.servers[1].port.number",
    says: "must be 0 or more, not -1",
    near: [
      srv(),
      withPort(
        { number: 0, name: "uds", protocol: "HTTP" },
        { tls: undefined, bind: "unix:///var/run/gw.sock" },
      ),
    ],
  },
  {
    case: "a negative targetPort (CRD minimum 0)",
    bad: [withPort({ number: 443, name: "https", protocol: "HTTPS", targetPort: -3 })],
    field: "spec.servers[0].port.targetPort",
    says: "must be 0 or more, not -3",
    near: [withPort({ number: 443, name: "https", protocol: "HTTPS", targetPort: 0 })],
  },
  {
    case: "an empty port name",
    bad: [withPort({ number: 443, name: "", protocol: "HTTPS" })],
    field: "spec.servers[0].port.name",
    says: "port name must be set",
    near: [withPort({ number: 443, name: "x", protocol: "HTTPS" })],
  },
  {
    case: "a targetPort",
    bad: [withPort({ number: 443, name: "https", protocol: "HTTPS", targetPort: 8443 })],
    field: "spec.servers[0].port.targetPort",
    says: "targetPort has no impact on Gateways",
    near: [withPort({ number: 443, name: "https", protocol: "HTTPS", targetPort: 0 })],
  },
  // ValidateGateway: port names unique across the servers, whatever their numbers.
  {
    case: "two servers with one port name",
    bad: [srv(), withPort({ number: 80, name: "https", protocol: "HTTP" }, { tls: undefined })],
    field: "spec.servers[1].port.name",
    says: "port names in servers must be unique: duplicate name https",
    near: [srv(), withPort({ number: 80, name: "http", protocol: "HTTP" }, { tls: undefined })],
  },
  // ValidateGateway: the Gateway's name is a DNS-1123 label (no dots), checked first.
  {
    case: "a dotted Gateway name",
    bad: [srv()],
    name: "egress.v2",
    field: "metadata.name",
    says: "invalid gateway name",
    near: [srv()],
    nearName: "egress-v2",
  },
  {
    case: "a dotted name beside a bad server: the name is reported",
    bad: [withTls({ mode: "SIMPLE" })],
    name: "egress.v2",
    field: "metadata.name",
    says: "invalid gateway name",
    near: [srv()],
    nearName: "egress-v2",
  },

  // validateServerBind: an IP address, or a unix socket path (absolute, or abstract "@name"). The bound
  // server builds no pod-IP listener; the unbound one beside it does once the Gateway is admitted.
  {
    case: "a bind that is a host name",
    bad: [
      srv(),
      withPort({ number: 80, name: "bound", protocol: "HTTP" }, { tls: undefined, bind: "gw.example.com" }),
    ],
    field: "spec.servers[1].bind",
    says: "gw.example.com is not a valid IP",
    near: [
      srv(),
      withPort({ number: 80, name: "bound", protocol: "HTTP" }, { tls: undefined, bind: "10.0.0.9" }),
    ],
  },
  {
    case: "a bind to a relative unix path",
    bad: [
      srv(),
      withPort(
        { number: 0, name: "uds", protocol: "HTTP" },
        { tls: undefined, bind: "unix://var/run/gw.sock" },
      ),
    ],
    field: "spec.servers[1].bind",
    says: '"var/run/gw.sock" is not an absolute path',
    near: [
      srv(),
      withPort(
        { number: 0, name: "uds", protocol: "HTTP" },
        { tls: undefined, bind: "unix:///var/run/gw.sock" },
      ),
    ],
  },
  {
    case: "a bind to an empty unix path",
    bad: [srv(), withPort({ number: 0, name: "uds", protocol: "HTTP" }, { tls: undefined, bind: "unix://" })],
    field: "spec.servers[1].bind",
    says: "the unix socket path is empty",
    near: [
      srv(),
      withPort({ number: 0, name: "uds", protocol: "HTTP" }, { tls: undefined, bind: "unix://@gw" }),
    ],
  },
  {
    case: "an IPv6 bind is an IP (no dot needed, unlike a host)",
    bad: [
      srv(),
      withPort({ number: 80, name: "bound", protocol: "HTTP" }, { tls: undefined, bind: "fd00::zz" }),
    ],
    field: "spec.servers[1].bind",
    says: "fd00::zz is not a valid IP",
    near: [
      srv(),
      withPort({ number: 80, name: "bound", protocol: "HTTP" }, { tls: undefined, bind: "fd00::9" }),
    ],
  },

  // The CRD schema: enums, list types and sizes (credentialNames and tlsCertificates take 1 or 2 items).
  {
    case: "minProtocolVersion unknown",
    bad: [withTls({ mode: "SIMPLE", credentialName: "api-cert", minProtocolVersion: "TLSV1_4" })],
    field: "spec.servers[0].tls.minProtocolVersion",
    says: "unknown TLS version",
    near: [withTls({ mode: "SIMPLE", credentialName: "api-cert", minProtocolVersion: "TLSV1_3" })],
  },
  {
    case: "credentialNames empty",
    bad: [withTls({ mode: "SIMPLE", credentialNames: [] })],
    field: "spec.servers[0].tls.credentialNames",
    says: "must have 1 or 2 items, not 0",
    near: [withTls({ mode: "SIMPLE", credentialNames: ["rsa"] })],
  },
  {
    case: "three credentialNames",
    bad: [withTls({ mode: "SIMPLE", credentialNames: ["a", "b", "c"] })],
    field: "spec.servers[0].tls.credentialNames",
    says: "must have 1 or 2 items, not 3",
    near: [withTls({ mode: "SIMPLE", credentialNames: ["a", "b"] })],
  },
  {
    case: "credentialNames a string",
    bad: [withTls({ mode: "SIMPLE", credentialNames: "rsa" })],
    field: "spec.servers[0].tls.credentialNames",
    says: "must be a list of strings",
    near: [withTls({ mode: "SIMPLE", credentialNames: ["rsa"] })],
  },
  {
    case: "tlsCertificates empty",
    bad: [withTls({ mode: "SIMPLE", tlsCertificates: [] })],
    field: "spec.servers[0].tls.tlsCertificates",
    says: "must have 1 or 2 items, not 0",
    near: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [{ serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" }],
      }),
    ],
  },
  {
    case: "a tlsCertificates entry's caCertificates a number",
    bad: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [{ serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem", caCertificates: 5 }],
      }),
    ],
    field: "spec.servers[0].tls.tlsCertificates[0].caCertificates",
    says: "must be a string",
    near: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [
          { serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem", caCertificates: "/etc/ca.pem" },
        ],
      }),
    ],
  },
  {
    case: "caCertCredentialName a number",
    bad: [withTls({ mode: "MUTUAL", credentialName: "api-cert", caCertCredentialName: 5 })],
    field: "spec.servers[0].tls.caCertCredentialName",
    says: "must be a string",
    near: [withTls({ mode: "MUTUAL", credentialName: "api-cert", caCertCredentialName: "api-ca" })],
  },
  {
    case: "a tlsCertificates entry a string",
    bad: [withTls({ mode: "SIMPLE", tlsCertificates: ["/etc/c.pem"] })],
    field: "spec.servers[0].tls.tlsCertificates[0]",
    says: "must be a mapping",
    near: [
      withTls({
        mode: "SIMPLE",
        tlsCertificates: [{ serverCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" }],
      }),
    ],
  },
  {
    case: "cipherSuites a string",
    bad: [
      withTls({ mode: "SIMPLE", credentialName: "api-cert", cipherSuites: "ECDHE-RSA-AES128-GCM-SHA256" }),
    ],
    field: "spec.servers[0].tls.cipherSuites",
    says: "must be a list of strings",
    near: [
      withTls({ mode: "SIMPLE", credentialName: "api-cert", cipherSuites: ["ECDHE-RSA-AES128-GCM-SHA256"] }),
    ],
  },
  {
    case: "port.name a number",
    bad: [withPort({ number: 443, name: 443, protocol: "HTTPS" })],
    field: "spec.servers[0].port.name",
    says: "must be a string",
    near: [withPort({ number: 443, name: "443", protocol: "HTTPS" })],
  },
  {
    case: "port.targetPort a string",
    bad: [withPort({ number: 443, name: "https", protocol: "HTTPS", targetPort: "8443" })],
    field: "spec.servers[0].port.targetPort",
    says: "must be an integer",
    near: [withPort({ number: 443, name: "https", protocol: "HTTPS" })],
  },
];

describe("a Gateway Istio's admission refuses: input.invalid naming file, line, object and field; no listener from it", () => {
  it.each(rows)("$case", ({ bad, field, says, name }) => {
    const { m, s, port8443, line } = outcome(gateway(bad, name));
    const r = ref(name);
    expect(m.problems).toEqual([
      {
        file: "test.yaml",
        line,
        object: r,
        field,
        message: expect.stringContaining(`Gateway istio-system/${r.name}: ${field}: ${says}`),
      },
    ]);
    expect(m.gateways).toEqual([]);
    const f = only(s, "input.invalid");
    expect(f.resources).toEqual([r]);
    expect(f.message).toContain(`test.yaml:${line}: `);
    expect(f.fix).toContain(field);
    // No Gateway builds the listener on 8443: the workload's port keeps Istio's default, the edge the old unknown.
    expect(port8443).toEqual(NO_GW_PORT);
    expect(s.edges.find((e) => e.destination.port === 443)!.predicted.verdict).toBe("unknown");
  });

  it.each(rows)(
    "near miss of $case: admitted, the listener on 8443 is built from it",
    ({ near, nearName }) => {
      const { m, s, port8443 } = outcome(gateway(near, nearName));
      expect(m.problems).toEqual([]);
      expect(findingsOf(s, "input.invalid")).toEqual([]);
      expect(m.gateways.map((g) => g.name)).toEqual([nearName ?? "egress"]);
      const mode = (near[0]!.tls as Obj | undefined)?.mode === "ISTIO_MUTUAL" ? "STRICT" : "DISABLE";
      expect(port8443).toEqual({ ...GW_PORT, mode, policy: ref(nearName) });
    },
  );
});

describe("what Istio only warns about admits the Gateway (validateTLSOptions / ValidateGateway warnings)", () => {
  it.each([
    {
      case: "minProtocolVersion TLSV1_0 without cipherSuites",
      server: withTls({ mode: "SIMPLE", credentialName: "api-cert", minProtocolVersion: "TLSV1_0" }),
    },
    {
      case: "a cipher suite Envoy does not know",
      server: withTls({ mode: "SIMPLE", credentialName: "api-cert", cipherSuites: ["not-a-cipher-suite"] }),
    },
    {
      case: "a cipher suite twice",
      server: withTls({
        mode: "SIMPLE",
        credentialName: "api-cert",
        cipherSuites: ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA"],
      }),
    },
    {
      case: 'certificates on a PASSTHROUGH server ("they will be ignored")',
      server: withTls(
        {
          mode: "PASSTHROUGH",
          serverCertificate: "/etc/c.pem",
          privateKey: "/etc/k.pem",
          caCertificates: "/etc/ca.pem",
        },
        "TLS",
      ),
    },
    {
      case: "a credentialName on an AUTO_PASSTHROUGH server",
      server: withTls({ mode: "AUTO_PASSTHROUGH", credentialName: "api-cert" }, "TLS"),
    },
    {
      case: "tls.httpsRedirect on an HTTPS server",
      server: withTls({ mode: "SIMPLE", credentialName: "api-cert", httpsRedirect: true }),
    },
    // Not checked by Istio at all: a minimum version above the maximum.
    {
      case: "minProtocolVersion above maxProtocolVersion",
      server: withTls({
        mode: "SIMPLE",
        credentialName: "api-cert",
        minProtocolVersion: "TLSV1_3",
        maxProtocolVersion: "TLSV1_2",
      }),
    },
    // SIMPLE ignores a CA bundle; MUTUAL with files, CA and CRL is complete.
    {
      case: "SIMPLE files with a CA bundle",
      server: withTls({
        mode: "SIMPLE",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        caCertificates: "/etc/ca.pem",
      }),
    },
    {
      case: "MUTUAL files with a CA bundle and a CRL",
      server: withTls({
        mode: "MUTUAL",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        caCertificates: "/etc/ca.pem",
        caCrl: "/etc/crl.pem",
      }),
    },
    {
      case: "MUTUAL with a credentialName and a CA bundle",
      server: withTls({ mode: "MUTUAL", credentialName: "api-cert", caCertificates: "/etc/ca.pem" }),
    },
    {
      case: "MUTUAL files with caCertCredentialName for the CA bundle",
      server: withTls({
        mode: "MUTUAL",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        caCertCredentialName: "api-ca",
      }),
    },
    {
      case: "OPTIONAL_MUTUAL files with caCertCredentialName for the CA bundle",
      server: withTls({
        mode: "OPTIONAL_MUTUAL",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
        caCertCredentialName: "api-ca",
      }),
    },
  ])("$case", ({ server }) => {
    const { m, port8443 } = outcome(gateway([server]));
    expect(m.problems).toEqual([]);
    expect(m.gateways.map((g) => g.servers.length)).toEqual([1]);
    expect(port8443).toMatchObject({ origin: "workload-port", policy: ref() });
  });
});

// credentialName beside serverCertificate + privateKey (the early SDS docs' `privateKey: sds, serverCertificate: sds`):
// every release before 1.26 admits it (validateTLSOptions returned for SIMPLE/MUTUAL/OPTIONAL_MUTUAL with a
// credentialName, and only warned on a passthrough server; no source count) and istiod serves the secret
// (credentialName is read first). 1.26 counts sources and refuses it, but such objects stored before an upgrade
// are still served: Handshake admits them rather than drop a working Gateway.
describe("credentialName beside the file pair is admitted (refused only from Istio 1.26)", () => {
  it.each([
    {
      case: "SIMPLE, the SDS docs' pattern",
      tls: {
        mode: "SIMPLE",
        credentialName: "tracker-credential",
        privateKey: "sds",
        serverCertificate: "sds",
      },
      protocol: "HTTPS",
      mode: "DISABLE",
    },
    {
      case: "MUTUAL with files",
      tls: {
        mode: "MUTUAL",
        credentialName: "api-cert",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
      },
      protocol: "HTTPS",
      mode: "DISABLE",
    },
    {
      case: "OPTIONAL_MUTUAL with files",
      tls: {
        mode: "OPTIONAL_MUTUAL",
        credentialName: "api-cert",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
      },
      protocol: "HTTPS",
      mode: "DISABLE",
    },
    {
      case: "PASSTHROUGH (certificates only warned about)",
      tls: {
        mode: "PASSTHROUGH",
        credentialName: "api-cert",
        serverCertificate: "/etc/c.pem",
        privateKey: "/etc/k.pem",
      },
      protocol: "TLS",
      mode: "DISABLE",
    },
  ])("$case: no input.invalid, the listener on 8443 is built from it", ({ tls, protocol, mode }) => {
    const { m, s, port8443 } = outcome(gateway([withTls(tls, protocol)]));
    expect(m.problems).toEqual([]);
    expect(findingsOf(s, "input.invalid")).toEqual([]);
    expect(m.gateways.map((g) => g.servers.length)).toEqual([1]);
    expect(port8443).toEqual({ ...GW_PORT, mode });
  });
  it("near miss: credentialNames (Istio 1.26) beside the same pair is refused", () => {
    const { m, port8443 } = outcome(
      gateway([
        withTls({
          mode: "SIMPLE",
          credentialNames: ["tracker-credential"],
          privateKey: "sds",
          serverCertificate: "sds",
        }),
      ]),
    );
    expect(m.problems.map((p) => p.field)).toEqual(["spec.servers[0].tls"]);
    expect(port8443).toEqual(NO_GW_PORT);
  });
});

describe("mergeGateways' duplicate-host check (CheckDuplicates, pilot/pkg/model/gateway.go): every server with a tls block", () => {
  const DAY = (d: number) => ({ creationTimestamp: `2026-01-0${d}T00:00:00Z` });
  const dated = (gw: KubeObject, d: number): KubeObject => ({
    ...gw,
    metadata: { ...gw.metadata, ...DAY(d) },
  });
  const http80 = (name: string, hosts: string[], tls?: Obj) =>
    withPort({ number: 80, name, protocol: "HTTP" }, { hosts, tls });
  /** The Gateways whose servers make the listener on 8080 (Service port 80), in merge order. */
  const port80 = (gws: KubeObject[]) => {
    const m = buildModel({ objects: loaded([...base, ...gws]), configDumps: [], problems: [] });
    expect(m.problems).toEqual([]);
    const w = m.workloads.find((x) => x.name === "istio-egressgateway")!;
    const l = gatewayListeners(m, w, [{ port: 80, targetPort: 8080 }]).get(8080)!;
    return l.servers.map((s) => s.gateway.name);
  };
  const redirect = dated(gateway([http80("http", ["*"], { httpsRedirect: true })], "redirect"), 1);

  it("an HTTP server whose tls block only sets httpsRedirect is counted (s.Tls != nil): a later server with a tls block on the same host is skipped", () => {
    const later = dated(gateway([http80("http", ["*"], { httpsRedirect: true })], "later"), 2);
    expect(port80([redirect, later])).toEqual(["redirect"]);
  });
  it("near miss: a later server without a tls block is not checked: both merge", () => {
    const later = dated(gateway([http80("http", ["*"])], "later"), 2);
    expect(port80([redirect, later])).toEqual(["redirect", "later"]);
  });

  // CheckDuplicates runs before the merge decision: the hosts of a server that passes it are known
  // even when canMergeProtocols then rejects that server (an HTTPS server on an HTTP port).
  const https80 = dated(
    gateway(
      [withPort({ number: 80, name: "https", protocol: "HTTPS" }, { hosts: ["b.example.com"] })],
      "https80",
    ),
    2,
  );
  const plainB = (tls: Obj | undefined) =>
    dated(gateway([http80("http", ["b.example.com"], tls)], "plain-b"), 3);

  it("the hosts of a server the merge rejects still count: a later tls-block server on its host is skipped, so every server left redirects (no edge.plaintext)", () => {
    expect(port80([redirect, https80, plainB({})])).toEqual(["redirect"]);
    const s = run([...base, redirect, https80, plainB({})], [call("a/web", EGRESS, "none", 5)]);
    expect(s.edges.find((e) => e.destination.port === 80)!.predicted.verdict).toBe("plaintext");
    expect(findingsOf(s, "edge.plaintext")).toEqual([]);
  });
  it("near miss: without the rejected HTTPS server the same later server merges and serves plaintext: edge.plaintext", () => {
    expect(port80([redirect, plainB({})])).toEqual(["redirect", "plain-b"]);
    const s = run([...base, redirect, plainB({})], [call("a/web", EGRESS, "none", 5)]);
    expect(findingsOf(s, "edge.plaintext")).toHaveLength(1);
  });
  it("near miss: a later server without a tls block is not checked, rejected host or not", () => {
    expect(port80([redirect, https80, plainB(undefined)])).toEqual(["redirect", "plain-b"]);
  });
});
