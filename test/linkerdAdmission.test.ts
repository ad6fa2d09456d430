// Linkerd policy objects Linkerd's admission refuses (lib/core/model/linkerdAdmission.ts): the CRD
// schema (charts/linkerd-crds/templates/policy/*.yaml), deserialisation into the spec types
// (policy-controller/k8s/api/src/policy/*.rs) and the validating webhook (policy-controller/src/
// admission.rs). Each refusal is input.invalid naming the object and the field; a refused Server or
// ServerAuthorization is left out, a refused authentication counts as missing for the policies
// naming it. Objects read from a cluster were admitted: a refusal only the webhook makes is still
// reported, and the object read as Linkerd's index reads it. Near misses stay silent.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { SnapshotSource } from "../lib/core/snapshot/schema";
import { deploy, findingsOf, host, namespace, predict, run, service } from "./kit";

const INJECT = { "linkerd.io/inject": "enabled" };
const WEBHOOK_OFF = { "config.linkerd.io/admission-webhooks": "disabled" };
const policy = (
  kind: string,
  name: string,
  spec: unknown,
  version = kind === "Server" ? "v1beta3" : kind === "ServerAuthorization" ? "v1beta1" : "v1alpha1",
): KubeObject => ({
  apiVersion: `policy.linkerd.io/${version}`,
  kind,
  metadata: { name, namespace: "emoji", labels: { policy: name } },
  ...(spec === undefined ? {} : { spec }),
});
const server = (name: string, port: number | string, extra: Record<string, unknown> = {}) =>
  policy("Server", name, { podSelector: { matchLabels: { app: "api" } }, port, ...extra });
const ref = (kind: string, name: string) => ({
  group: kind === "ServiceAccount" ? undefined : "policy.linkerd.io",
  kind,
  name,
});
const authz = (name: string, target: string, refs: Record<string, unknown>[]) =>
  policy("AuthorizationPolicy", name, {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: target },
    requiredAuthenticationRefs: refs,
  });

// emoji/api: grpc 8080 (locked: a deny Server and a mesh-identity policy) and prom 8801.
const base = (nsLabels: Record<string, string> = {}) => [
  namespace("emoji", nsLabels, INJECT),
  deploy("emoji", "api", {
    ports: [
      { port: 8080, name: "grpc" },
      { port: 8801, name: "prom" },
    ],
  }),
  service("emoji", "api", [{ port: 8080, name: "grpc" }]),
  server("grpc", "grpc"),
  policy("MeshTLSAuthentication", "web", { identities: ["*"] }),
  authz("a1", "grpc", [ref("MeshTLSAuthentication", "web")]),
];
const BASE = base();

/** The input.invalid findings of a run. */
const invalid = (objs: KubeObject[]) => findingsOf(run(objs), "input.invalid");
/** linkerd.unauthenticated-default's messages. */
const unauthenticated = (objs: KubeObject[]) =>
  findingsOf(run(objs), "linkerd.unauthenticated-default").map((f) => f.message);

function expectRefused(objs: KubeObject[], kind: string, name: string, field: string, says: string): void {
  const inv = invalid(objs);
  expect(inv.map((f) => f.message)).toHaveLength(1);
  expect(inv[0]!.message).toContain(`${kind} emoji/${name}: ${field}: `);
  expect(inv[0]!.message).toContain(says);
  expect(inv[0]!.resources).toEqual([{ kind, namespace: "emoji", name }]);
}

// The edge web → api:8080 and the reason it gives when the policy on Server grpc is ignored.
const client = deploy("emoji", "web");
const grpcReason = (objs: KubeObject[]) =>
  predict([...objs, client], "emoji/web", host("api", "emoji"), 8080).predicted.reason;

describe("MeshTLSAuthentication: admission's refusals are input.invalid; a policy requiring it is ignored", () => {
  const authn = (spec: unknown) => policy("MeshTLSAuthentication", "m", spec);
  const requiring = [authz("a2", "grpc", [ref("MeshTLSAuthentication", "m")])];

  it.each([
    // [name, spec, field, Linkerd's word, the edge's reason after "which "]
    [
      "neither identities nor identityRefs (CRD oneOf)",
      {},
      "spec",
      "sets neither identities nor identityRefs",
      "Linkerd does not index (no identities configured)",
    ],
    [
      "no spec at all (CRD required)",
      undefined,
      "spec",
      "is required",
      "Linkerd does not index (no identities configured)",
    ],
    [
      "identities empty (CRD minItems)",
      { identities: [] },
      "spec.identities",
      "is empty",
      "Linkerd does not index (no identities configured)",
    ],
    [
      "both identities and identityRefs (CRD oneOf)",
      { identities: ["*"], identityRefs: [{ kind: "ServiceAccount", name: "web" }] },
      "spec",
      "sets both identities and identityRefs",
      "Linkerd refuses (spec: sets both",
    ],
    [
      "an identityRef to a Deployment",
      { identityRefs: [{ kind: "Deployment", name: "web" }] },
      "spec.identityRefs[0]",
      "invalid identity target kind: Deployment",
      "Linkerd does not index (identityRef kind Deployment is not supported)",
    ],
    [
      "a ServiceAccount identityRef in another group",
      { identityRefs: [{ group: "apps", kind: "ServiceAccount", name: "web" }] },
      "spec.identityRefs[0]",
      "invalid identity target kind: ServiceAccount.apps",
      "Linkerd does not index",
    ],
    [
      "a Namespace identityRef with a namespace",
      { identityRefs: [{ kind: "Namespace", name: "emoji", namespace: "emoji" }] },
      "spec.identityRefs[0].namespace",
      "Namespace identity_ref is cluster-scoped and cannot have a namespace",
      "Linkerd refuses (spec.identityRefs[0].namespace:",
    ],
    [
      "an identityRef without name (NamespacedTargetRef)",
      { identityRefs: [{ kind: "ServiceAccount" }] },
      "spec.identityRefs[0].name",
      "is required",
      "Linkerd refuses",
    ],
    [
      "an identityRef without kind (CRD required)",
      { identityRefs: [{ name: "web" }] },
      "spec.identityRefs[0].kind",
      "is required",
      "Linkerd does not index (identityRef kind",
    ],
    [
      "an upper-case identity",
      { identities: ["web.emoji.serviceaccount.identity.linkerd.cluster.local", "Web.Emoji"] },
      "spec.identities[1]",
      "id Web.Emoji is invalid: identity must be a valid SPIFFE id or a DNS SAN",
      "Linkerd refuses",
    ],
    [
      "a wildcard not first",
      { identities: ["system.local.*"] },
      "spec.identities[0]",
      "identity must be a valid SPIFFE id or a DNS SAN",
      "Linkerd refuses",
    ],
    [
      "a SPIFFE ID with a trailing slash",
      { identities: ["spiffe://root.linkerd.cluster.local/ns/emoji/sa/web/"] },
      "spec.identities[0]",
      "SPIFFE path cannot have a trailing slash",
      "Linkerd refuses",
    ],
    [
      "a SPIFFE ID without trust domain",
      { identities: ["spiffe:///ns/emoji"] },
      "spec.identities[0]",
      "SPIFFE trust domain is missing",
      "Linkerd refuses",
    ],
    [
      "a SPIFFE ID with a port",
      { identities: ["spiffe://td:8080/ns"] },
      "spec.identities[0]",
      "SPIFFE trust domain characters are limited",
      "Linkerd refuses",
    ],
    [
      "a SPIFFE ID with a dot segment",
      { identities: ["spiffe://td/ns/../sa"] },
      "spec.identities[0]",
      "SPIFFE path cannot contain dot segments",
      "Linkerd refuses",
    ],
    [
      "a SPIFFE ID with an empty segment",
      { identities: ["spiffe://td/ns//sa"] },
      "spec.identities[0]",
      "SPIFFE path cannot contain empty segments",
      "Linkerd refuses",
    ],
    [
      "a SPIFFE ID with a query",
      { identities: ["spiffe://td/ns?x=1"] },
      "spec.identities[0]",
      "SPIFFE path segment characters are limited",
      "Linkerd refuses",
    ],
    [
      "identities a string",
      { identities: "*" },
      "spec.identities",
      'must be a list, not "*"',
      "Linkerd does not index (no identities configured)",
    ],
  ] as [string, unknown, string, string, string][])("%s", (_name, spec, field, says, why) => {
    expectRefused([...BASE, authn(spec), ...requiring], "MeshTLSAuthentication", "m", field, says);
    expect(grpcReason([...BASE, authn(spec), ...requiring])).toContain(
      `Linkerd ignores AuthorizationPolicy emoji/a2 on its Server emoji/grpc (port 8080): it requires MeshTLSAuthentication emoji/m, which ${why}`,
    );
  });

  it.each([
    ["identityRefs only (a ServiceAccount)", { identityRefs: [{ kind: "ServiceAccount", name: "web" }] }],
    [
      "identityRefs only (a Namespace, group core, any case)",
      { identityRefs: [{ group: "core", kind: "namespace", name: "emoji" }] },
    ],
    [
      "identities only: *, a domain wildcard, a DNS name, a SPIFFE ID",
      {
        identities: [
          "*",
          "*.emoji.serviceaccount.identity.linkerd.cluster.local",
          "web.emoji.serviceaccount.identity.linkerd.cluster.local",
          "spiffe://root.linkerd.cluster.local/ns/emoji/sa/web",
        ],
      },
    ],
    ["a SPIFFE ID without path", { identities: ["spiffe://root.linkerd.cluster.local"] }],
    [
      "identities with identityRefs null (the API server prunes null)",
      { identities: ["*"], identityRefs: null },
    ],
  ] as [string, unknown][])("near miss: %s → no input.invalid, the policy stands", (_name, spec) => {
    expect(invalid([...BASE, authn(spec), ...requiring])).toEqual([]);
    expect(grpcReason([...BASE, authn(spec), ...requiring])).toContain(
      "emoji/api is meshed by Linkerd: Linkerd mTLS.",
    );
  });
});

describe("NetworkAuthentication: admission's refusals are input.invalid; a policy requiring it opens nothing", () => {
  const authn = (spec: unknown) => policy("NetworkAuthentication", "n", spec);
  const objs = (spec: unknown, ns = BASE) => [
    ...ns,
    server("prom", "prom"),
    authn(spec),
    authz("open", "prom", [ref("NetworkAuthentication", "n")]),
  ];

  it.each([
    ["no networks", { networks: [] }, "spec.networks", "at least one network must be specified"],
    ["networks missing (CRD required)", {}, "spec.networks", "is required"],
    [
      "a prefix too long",
      { networks: [{ cidr: "10.0.0.0/33" }] },
      "spec.networks[0].cidr",
      "not a valid CIDR or IP address: 10.0.0.0/33",
    ],
    [
      "an IPv6 prefix too long",
      { networks: [{ cidr: "2001:db8::/129" }] },
      "spec.networks[0].cidr",
      "not a valid CIDR or IP address: 2001:db8::/129",
    ],
    [
      "a name for a cidr",
      { networks: [{ cidr: "cluster" }] },
      "spec.networks[0].cidr",
      "not a valid CIDR or IP address: cluster",
    ],
    [
      "an IPv6 zone",
      { networks: [{ cidr: "::/0", except: ["fe80::1%eth0"] }] },
      "spec.networks[0].except[0]",
      "not a valid CIDR or IP address: fe80::1%eth0",
    ],
    [
      "an IPv6 address with two ::",
      { networks: [{ cidr: "fd00::1::2" }] },
      "spec.networks[0].cidr",
      "not a valid CIDR or IP address",
    ],
    [
      "a cidr missing (CRD required)",
      { networks: [{ except: ["10.0.0.1"] }] },
      "spec.networks[0].cidr",
      "is required",
    ],
    [
      "an exception outside its cidr",
      { networks: [{ cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] }] },
      "spec.networks[0].except[0]",
      "cidr '10.0.0.0/8' does not include exception '192.168.0.0/16'",
    ],
    [
      "an exception of the other family",
      { networks: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0", except: ["10.0.0.0/8"] }] },
      "spec.networks[1].except[0]",
      "cidr '::/0' does not include exception '10.0.0.0/8'",
    ],
    [
      "an exception covering its cidr",
      { networks: [{ cidr: "10.1.0.0/16", except: ["10.0.0.0/8"] }] },
      "spec.networks[0].except[0]",
      "cidr '10.1.0.0/16' is completely negated by exception '10.0.0.0/8'",
    ],
    [
      "an exception equal to its cidr",
      { networks: [{ cidr: "10.0.0.0/8", except: ["10.0.0.0/8"] }] },
      "spec.networks[0].except[0]",
      "is completely negated",
    ],
    [
      "an exception equal to its address",
      { networks: [{ cidr: "10.0.0.1", except: ["10.0.0.1"] }] },
      "spec.networks[0].except[0]",
      "is completely negated",
    ],
  ] as [string, unknown, string, string][])(
    "%s: input.invalid, the Server stays locked",
    (_name, spec, field, says) => {
      expectRefused(objs(spec), "NetworkAuthentication", "n", field, says);
      expect(unauthenticated(objs(spec))).toEqual([]);
    },
  );

  it.each([
    [
      "exceptions inside the cidr (a network and an address)",
      { networks: [{ cidr: "10.0.0.0/8", except: ["10.1.0.0/16", "10.2.3.4"] }, { cidr: "::/0" }] },
    ],
    ["IPv6 with exceptions", { networks: [{ cidr: "fd00::/8", except: ["fd00::1", "fd00:1::/32"] }] }],
    [
      "an IPv6 /128 beside an IPv4 network",
      { networks: [{ cidr: "2001:db8::1/128" }, { cidr: "0.0.0.0/0" }] },
    ],
    [
      "an embedded IPv4 address",
      { networks: [{ cidr: "::ffff:10.0.0.0/104", except: ["::ffff:10.1.0.0/112"] }] },
    ],
    [
      "a single address, host bits in a network (ipnet keeps them)",
      { networks: [{ cidr: "192.168.1.7" }, { cidr: "10.0.0.1/8", except: ["10.9.9.9/32"] }] },
    ],
    ["except null (pruned)", { networks: [{ cidr: "0.0.0.0/0", except: null }] }],
  ] as [string, unknown][])(
    "near miss: %s → no input.invalid, the policy opens the Server",
    (_name, spec) => {
      expect(invalid(objs(spec))).toEqual([]);
      expect(unauthenticated(objs(spec))).toEqual([expect.stringContaining("port 8801")]);
    },
  );

  it("the edge's reason names the refused NetworkAuthentication and the field", () => {
    const bad = [
      authn({ networks: [{ cidr: "10.0.0.0/8", except: ["11.0.0.0/8"] }] }),
      authz("a2", "grpc", [ref("NetworkAuthentication", "n")]),
    ];
    expect(grpcReason([...BASE, ...bad])).toContain(
      "it requires NetworkAuthentication emoji/n, which Linkerd refuses (spec.networks[0].except[0]: cidr '10.0.0.0/8' does not include exception '11.0.0.0/8'), so it authorises no client",
    );
  });

  it("the edge's reason for one without networks is as before", () => {
    const bad = [authn({ networks: [] }), authz("a2", "grpc", [ref("NetworkAuthentication", "n")])];
    expect(grpcReason([...BASE, ...bad])).toContain(
      "it requires NetworkAuthentication emoji/n, which Linkerd does not index (no networks configured)",
    );
  });
});

describe("Server: admission's refusals are input.invalid and the Server is left out", () => {
  // prom 8801 locked by a deny Server: refused, the port is back in the default policy.
  const objs = (prom: KubeObject) => [...BASE, prom];
  const bare = (spec: unknown, version?: string) => policy("Server", "prom", spec, version);
  const sel = { matchLabels: { app: "api" } };

  it.each([
    [
      "port 0 (NonZeroU16)",
      server("prom", 0),
      "spec.port",
      "must be a port number 1..65535 or a port name, not 0",
    ],
    ["port 70000", server("prom", 70000), "spec.port", "not 70000"],
    ["a fractional port", server("prom", 8801.5), "spec.port", "not 8801.5"],
    ["a boolean port", bare({ podSelector: sel, port: true }), "spec.port", "not true"],
    ["no port (CRD required)", bare({ podSelector: sel }), "spec.port", "is required"],
    ["no spec", bare(undefined), "spec", "is required"],
    [
      "no selector (CRD oneOf)",
      bare({ port: 8801 }),
      "spec",
      "sets neither podSelector nor externalWorkloadSelector",
    ],
    [
      "both selectors (CRD oneOf)",
      bare({ podSelector: sel, externalWorkloadSelector: sel, port: 8801 }),
      "spec",
      "sets both podSelector and externalWorkloadSelector",
    ],
    [
      "a v1beta1 Server without podSelector (CRD required)",
      bare({ port: 8801 }, "v1beta1"),
      "spec.podSelector",
      "is required",
    ],
    [
      "a number label value (Selector's string map)",
      bare({ podSelector: { matchLabels: { app: "api", tier: 2 } }, port: 8801 }),
      "spec.podSelector.matchLabels.tier",
      "must be a string, not 2",
    ],
    [
      "an unknown operator (CRD enum)",
      bare({
        podSelector: { matchExpressions: [{ key: "app", operator: "in", values: ["api"] }] },
        port: 8801,
      }),
      "spec.podSelector.matchExpressions[0].operator",
      'unknown operator "in"',
    ],
    [
      "an expression without key",
      bare({ podSelector: { matchExpressions: [{ operator: "Exists" }] }, port: 8801 }),
      "spec.podSelector.matchExpressions[0].key",
      "is required",
    ],
    [
      "an unknown proxyProtocol (ProxyProtocol)",
      server("prom", "prom", { proxyProtocol: "http" }),
      "spec.proxyProtocol",
      'unknown proxyProtocol "http"',
    ],
    [
      "an unknown accessPolicy (DefaultPolicy::from_str)",
      server("prom", "prom", { accessPolicy: "allow" }),
      "spec.accessPolicy",
      `Invalid 'accessPolicy' field: invalid mode: "allow"`,
    ],
    [
      "an accessPolicy in another case",
      server("prom", "prom", { accessPolicy: "Deny" }),
      "spec.accessPolicy",
      'invalid mode: "Deny"',
    ],
  ] as [string, KubeObject, string, string][])("%s", (_name, prom, field, says) => {
    expectRefused(objs(prom), "Server", "prom", field, says);
    expect(unauthenticated(objs(prom))).toEqual([
      expect.stringContaining("port 8801, which no Server locks"),
    ]);
  });

  it.each([
    [
      "a named port, a known proxyProtocol and accessPolicy",
      server("prom", "prom", { proxyProtocol: "HTTP/2", accessPolicy: "cluster-authenticated" }),
    ],
    [
      "matchExpressions Exists",
      bare({ podSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] }, port: 8801 }),
    ],
    [
      "a v1beta1 Server with an accessPolicy (not in its schema: pruned, never checked)",
      bare({ podSelector: sel, port: 8801, accessPolicy: "allow" }, "v1beta1"),
    ],
    [
      "a v1beta2 Server with an accessPolicy (only v1beta3's schema has it: pruned, never checked)",
      bare({ podSelector: sel, port: 8801, accessPolicy: "allow" }, "v1beta2"),
    ],
    [
      "a v1beta1 Server with an externalWorkloadSelector beside its podSelector (pruned)",
      bare({ podSelector: sel, externalWorkloadSelector: sel, port: 8801 }, "v1beta1"),
    ],
  ] as [string, KubeObject][])(
    "near miss: %s → no input.invalid, the Server locks its port",
    (_name, prom) => {
      expect(invalid(objs(prom))).toEqual([]);
      expect(unauthenticated(objs(prom))).toEqual([]);
    },
  );

  it.each([1, 65535])("near miss: port %s (NonZeroU16's bounds) → no input.invalid", (port) => {
    expect(invalid(objs(server("prom", port)))).toEqual([]);
  });

  it("near miss: an externalWorkloadSelector alone is valid (it selects no pod)", () => {
    const ext = bare({ externalWorkloadSelector: sel, port: 8801 });
    expect(invalid(objs(ext))).toEqual([]);
    expect(unauthenticated(objs(ext))).toEqual([expect.stringContaining("port 8801, which no Server locks")]);
  });
});

describe("ServerAuthorization: admission's refusals are input.invalid and it opens nothing", () => {
  const saz = (spec: unknown) => policy("ServerAuthorization", "s", spec);
  const objs = (spec: unknown, ns = BASE) => [...ns, server("prom", "prom"), saz(spec)];
  const toProm = { name: "prom" };

  it.each([
    [
      "unauthenticated beside meshTLS",
      { server: toProm, client: { unauthenticated: true, meshTLS: { identities: ["*"] } } },
      "spec.client.unauthenticated",
      "`unauthenticated` must be false if `mesh_tls` is specified",
    ],
    [
      "unauthenticated beside an empty meshTLS",
      { server: toProm, client: { unauthenticated: true, meshTLS: {} } },
      "spec.client.unauthenticated",
      "`unauthenticated` must be false",
    ],
    [
      "unauthenticatedTLS beside identities",
      { server: toProm, client: { meshTLS: { unauthenticatedTLS: true, identities: ["*"] } } },
      "spec.client.meshTLS.unauthenticatedTLS",
      "`unauthenticatedTLS` be false if any `identities` or `service_accounts` is specified",
    ],
    [
      "unauthenticatedTLS beside serviceAccounts",
      {
        server: toProm,
        client: { meshTLS: { unauthenticatedTLS: true, serviceAccounts: [{ name: "web" }] } },
      },
      "spec.client.meshTLS.unauthenticatedTLS",
      "`unauthenticatedTLS` be false",
    ],
    [
      "a network exception outside its cidr",
      {
        server: toProm,
        client: { unauthenticated: true, networks: [{ cidr: "10.0.0.0/8", except: ["11.0.0.0/8"] }] },
      },
      "spec.client.networks[0].except[0]",
      "cidr '10.0.0.0/8' does not include exception '11.0.0.0/8'",
    ],
    [
      "a network that does not parse",
      { server: toProm, client: { unauthenticated: true, networks: [{ cidr: "10.0.0.0/40" }] } },
      "spec.client.networks[0].cidr",
      "not a valid CIDR or IP address: 10.0.0.0/40",
    ],
    [
      "both name and selector (CRD oneOf)",
      {
        server: { name: "prom", selector: { matchLabels: { policy: "prom" } } },
        client: { unauthenticated: true },
      },
      "spec.server",
      "sets both name and selector",
    ],
    [
      "neither name nor selector (CRD oneOf)",
      { server: {}, client: { unauthenticated: true } },
      "spec.server",
      "sets neither name nor selector",
    ],
    [
      "unauthenticated a string (CRD boolean)",
      { server: toProm, client: { unauthenticated: "true" } },
      "spec.client.unauthenticated",
      'must be a boolean, not "true"',
    ],
    ["no client (CRD required)", { server: toProm }, "spec.client", "is required"],
    [
      "a serviceAccount without name (CRD required)",
      { server: toProm, client: { meshTLS: { serviceAccounts: [{ namespace: "emoji" }] } } },
      "spec.client.meshTLS.serviceAccounts[0].name",
      "is required",
    ],
  ] as [string, unknown, string, string][])("%s", (_name, spec, field, says) => {
    expectRefused(objs(spec), "ServerAuthorization", "s", field, says);
    expect(unauthenticated(objs(spec))).toEqual([]);
  });

  it.each([
    [
      "by name, networks with an exception inside",
      {
        server: toProm,
        client: { unauthenticated: true, networks: [{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }] },
      },
    ],
    [
      "by selector, meshTLS null (pruned)",
      {
        server: { selector: { matchLabels: { policy: "prom" } } },
        client: { unauthenticated: true, meshTLS: null },
      },
    ],
  ] as [string, unknown][])("near miss: %s → no input.invalid, it opens the Server", (_name, spec) => {
    expect(invalid(objs(spec))).toEqual([]);
    expect(unauthenticated(objs(spec))).toEqual([expect.stringContaining("port 8801")]);
  });

  // server_authorization.rs client_authz refuses these ("no client authentication configured",
  // "authorization authorizes no clients"), admission does not: no input.invalid, nothing opened.
  it.each([
    [
      "a client with neither unauthenticated nor meshTLS",
      { server: toProm, client: { networks: [{ cidr: "0.0.0.0/0" }] } },
    ],
    ["a meshTLS naming no client", { server: toProm, client: { meshTLS: {} } }],
    ["unauthenticatedTLS alone", { server: toProm, client: { meshTLS: { unauthenticatedTLS: true } } }],
    [
      "unauthenticatedTLS with identities: [] (nothing named)",
      { server: toProm, client: { meshTLS: { unauthenticatedTLS: true, identities: [] } } },
    ],
    [
      "meshTLS.serviceAccounts only (emojivoto's example)",
      { server: toProm, client: { meshTLS: { serviceAccounts: [{ name: "web" }, { name: "vote-bot" }] } } },
    ],
    [
      "unauthenticated: false beside meshTLS",
      { server: toProm, client: { unauthenticated: false, meshTLS: { identities: ["*"] } } },
    ],
  ] as [string, unknown][])("near miss: %s → no input.invalid, the Server stays locked", (_name, spec) => {
    expect(invalid(objs(spec))).toEqual([]);
    expect(unauthenticated(objs(spec))).toEqual([]);
  });
});

describe("AuthorizationPolicy: the webhook's ref-count and namespace-target refusals", () => {
  const nets = [
    policy("NetworkAuthentication", "n1", { networks: [{ cidr: "0.0.0.0/0" }] }),
    policy("NetworkAuthentication", "n2", { networks: [{ cidr: "::/0" }] }),
    policy("MeshTLSAuthentication", "m2", { identities: ["*"] }),
  ];

  it.each([
    [
      "two MeshTLSAuthentications",
      [ref("MeshTLSAuthentication", "web"), ref("MeshTLSAuthentication", "m2")],
      "only a single MeshTLSAuthentication may be set",
      "requires more than one MeshTLSAuthentication, which Linkerd refuses",
    ],
    [
      "two ServiceAccounts",
      [ref("ServiceAccount", "a"), ref("ServiceAccount", "b")],
      "only a single ServiceAccount may be set",
      "requires ServiceAccount emoji/b besides another mesh identity, which Linkerd refuses",
    ],
    [
      "a MeshTLSAuthentication and a ServiceAccount",
      [ref("MeshTLSAuthentication", "web"), ref("ServiceAccount", "a")],
      "a MeshTLSAuthentication and ServiceAccount may not be set together",
      "requires ServiceAccount emoji/a besides another mesh identity",
    ],
    [
      "two NetworkAuthentications",
      [ref("NetworkAuthentication", "n1"), ref("NetworkAuthentication", "n2")],
      "only a single NetworkAuthentication may be set",
      "requires more than one NetworkAuthentication, which Linkerd refuses",
    ],
  ] as [string, Record<string, unknown>[], string, string][])(
    "%s: input.invalid, and the edge's reason is as before",
    (_name, refs, says, why) => {
      const objs = [...BASE, ...nets, authz("a2", "grpc", refs)];
      expectRefused(objs, "AuthorizationPolicy", "a2", "spec.requiredAuthenticationRefs", says);
      expect(grpcReason(objs)).toContain(
        `Linkerd ignores AuthorizationPolicy emoji/a2 on its Server emoji/grpc (port 8080): it ${why}`,
      );
    },
  );

  it("near miss: a MeshTLSAuthentication with a NetworkAuthentication → no input.invalid", () => {
    const objs = [
      ...BASE,
      ...nets,
      authz("a2", "grpc", [ref("MeshTLSAuthentication", "web"), ref("NetworkAuthentication", "n1")]),
    ];
    expect(invalid(objs)).toEqual([]);
    expect(grpcReason(objs)).toContain("emoji/api is meshed by Linkerd: Linkerd mTLS.");
  });

  const nsTarget = (name: string) =>
    policy("AuthorizationPolicy", "all", {
      targetRef: { kind: "Namespace", name },
      requiredAuthenticationRefs: [],
    });
  it("a Namespace target naming another namespace: input.invalid, it opens nothing", () => {
    const objs = [...BASE, server("prom", "prom"), nsTarget("other")];
    expectRefused(
      objs,
      "AuthorizationPolicy",
      "all",
      "spec.targetRef.name",
      "cannot target another namespace: other",
    );
    expect(unauthenticated(objs)).toEqual([]);
  });

  it("near miss: a Namespace target naming its own namespace opens every Server there", () => {
    const objs = [...BASE, server("prom", "prom"), nsTarget("emoji")];
    expect(invalid(objs)).toEqual([]);
    expect(unauthenticated(objs)).toEqual([expect.stringContaining("ports 8080, 8801")]);
  });

  // A manifest without metadata.namespace (for `kubectl apply -n emojivoto`): the webhook compares the
  // target with the namespace the object is applied into, which the manifest does not say.
  it("near miss: a namespace-less policy naming a Namespace → no input.invalid; it opens the Servers of the namespace it is read in", () => {
    const nsless = (o: KubeObject): KubeObject => ({ ...o, metadata: { name: o.metadata.name } });
    const objs = [
      namespace("default", {}, INJECT),
      deploy("default", "api", { ports: [{ port: 8801, name: "prom" }] }),
      nsless(server("prom", "prom")),
    ];
    expect(unauthenticated(objs)).toEqual([]);
    expect(invalid([...objs, nsless(nsTarget("emojivoto"))])).toEqual([]);
    expect(unauthenticated([...objs, nsless(nsTarget("emojivoto"))])).toEqual([
      expect.stringContaining("default/api (port 8801, which no Server locks)"),
    ]);
  });
});

// The webhook's namespaceSelector skips namespaces labelled config.linkerd.io/admission-webhooks:
// disabled. There only the CRD schema and deserialisation refuse; the index reads the rest.
describe("a namespace the webhook skips: only the CRD schema and deserialisation refuse", () => {
  const OFF = base(WEBHOOK_OFF);

  it.each([
    [
      "a NetworkAuthentication exception outside its cidr (the index reads it: the policy opens)",
      [
        policy("NetworkAuthentication", "n", { networks: [{ cidr: "10.0.0.0/8", except: ["11.0.0.0/8"] }] }),
        authz("open", "prom", [ref("NetworkAuthentication", "n")]),
      ],
      ["port 8801"],
    ],
    [
      "a NetworkAuthentication without networks (the index still refuses it: nothing opens)",
      [
        policy("NetworkAuthentication", "n", { networks: [] }),
        authz("open", "prom", [ref("NetworkAuthentication", "n")]),
      ],
      [],
    ],
    [
      "a ServerAuthorization with unauthenticated beside meshTLS (client_authz: unauthenticated wins)",
      [
        policy(
          "ServerAuthorization",
          "s",
          { server: { name: "prom" }, client: { unauthenticated: true, meshTLS: {} } },
          "v1beta1",
        ),
      ],
      ["port 8801"],
    ],
    [
      "a Namespace target naming another namespace (the index applies it to its own)",
      [
        policy("AuthorizationPolicy", "all", {
          targetRef: { kind: "Namespace", name: "other" },
          requiredAuthenticationRefs: [],
        }),
      ],
      ["ports 8080, 8801"],
    ],
    [
      "a ServerAuthorization with unauthenticatedTLS beside identities (it admits no plaintext)",
      [
        policy(
          "ServerAuthorization",
          "s",
          { server: { name: "prom" }, client: { meshTLS: { unauthenticatedTLS: true, identities: ["*"] } } },
          "v1beta1",
        ),
      ],
      [],
    ],
    [
      "an invalid identity and two MeshTLSAuthentication refs",
      [
        policy("MeshTLSAuthentication", "m", { identities: ["Web"] }),
        authz("a2", "prom", [ref("MeshTLSAuthentication", "web"), ref("MeshTLSAuthentication", "m")]),
      ],
      [],
    ],
  ] as [string, KubeObject[], string[]][])("no input.invalid: %s", (_name, objs, opens) => {
    const all = [...OFF, server("prom", "prom"), ...objs];
    expect(invalid(all)).toEqual([]);
    expect(unauthenticated(all)).toEqual(opens.map((p) => expect.stringContaining(p)));
  });

  it.each([
    [
      "a MeshTLSAuthentication with neither identities nor identityRefs (CRD oneOf)",
      policy("MeshTLSAuthentication", "m", {}),
      "MeshTLSAuthentication",
      "m",
      "spec",
    ],
    ["a Server with port 0 (deserialisation)", server("prom", 0), "Server", "prom", "spec.port"],
    [
      "a NetworkAuthentication cidr that does not parse (deserialisation)",
      policy("NetworkAuthentication", "n", { networks: [{ cidr: "cluster" }] }),
      "NetworkAuthentication",
      "n",
      "spec.networks[0].cidr",
    ],
  ] as [string, KubeObject, string, string, string][])(
    "still input.invalid: %s",
    (_name, obj, kind, name, field) => {
      const inv = invalid([...OFF, obj]);
      expect(inv).toHaveLength(1);
      expect(inv[0]!.message).toContain(`${kind} emoji/${name}: ${field}:`);
    },
  );

  it("no input.invalid: a Server with an unknown accessPolicy (the index reads no policy: deny, the port stays locked)", () => {
    const all = [...OFF, server("prom", "prom", { accessPolicy: "allow" })];
    expect(invalid(all)).toEqual([]);
    expect(unauthenticated(all)).toEqual([]);
  });

  it("near miss: another label value keeps the webhook on", () => {
    const objs = [
      ...base({ "config.linkerd.io/admission-webhooks": "enabled" }),
      policy("MeshTLSAuthentication", "m", { identities: ["Web"] }),
    ];
    expect(invalid(objs).map((f) => f.message)).toEqual([
      expect.stringContaining("MeshTLSAuthentication emoji/m: spec.identities[0]: id Web is invalid"),
    ]);
  });
});

// Objects read from a cluster were admitted, whatever the webhook says now: its failurePolicy is Ignore
// by default (charts/linkerd-control-plane values.yaml webhookFailurePolicy), older Linkerd versions
// checked less, and a namespace may have opted out for a while. A refusal only the webhook makes is
// still input.invalid, but the object is read as the index reads it; one the CRD schema or
// deserialisation makes is left out wherever the inputs come from (nothing can read it).
describe("objects read from a cluster: webhook-only refusals are reported, and read as the index reads them", () => {
  const CLUSTER: SnapshotSource = { type: "kubeconfig", context: "prod" };
  const HELD = "the cluster holds it";
  const nsTarget = policy("AuthorizationPolicy", "all", {
    targetRef: { kind: "Namespace", name: "other" },
    requiredAuthenticationRefs: [],
  });
  const saz = (spec: unknown) => policy("ServerAuthorization", "s", spec);

  it.each([
    [
      "a ServerAuthorization with unauthenticated beside meshTLS (client_authz takes unauthenticated first)",
      [
        server("prom", "prom"),
        saz({ server: { name: "prom" }, client: { unauthenticated: true, meshTLS: { identities: ["*"] } } }),
      ],
      ["ServerAuthorization", "s", "spec.client.unauthenticated"],
      ["port 8801"],
      [],
    ],
    [
      "a NetworkAuthentication exception outside its cidr (indexed: the policy opens its Server)",
      [
        server("prom", "prom"),
        policy("NetworkAuthentication", "n", { networks: [{ cidr: "10.0.0.0/8", except: ["11.0.0.0/8"] }] }),
        authz("open", "prom", [ref("NetworkAuthentication", "n")]),
      ],
      ["NetworkAuthentication", "n", "spec.networks[0].except[0]"],
      ["port 8801"],
      [],
    ],
    [
      "a Server with an unknown accessPolicy (indexed without one: deny, the port stays locked)",
      [server("prom", "prom", { accessPolicy: "allow" })],
      ["Server", "prom", "spec.accessPolicy"],
      [],
      ["port 8801, which no Server locks"],
    ],
    [
      "a Namespace target naming another namespace (the index applies it to its own)",
      [server("prom", "prom"), nsTarget],
      ["AuthorizationPolicy", "all", "spec.targetRef.name"],
      ["ports 8080, 8801"],
      [],
    ],
  ] as [string, KubeObject[], [string, string, string], string[], string[]][])(
    "%s: input.invalid saying the cluster holds it; from manifests it is left out",
    (_name, objs, [kind, name, field], fromCluster, fromManifests) => {
      const cluster = run([...BASE, ...objs], [], CLUSTER);
      const inv = findingsOf(cluster, "input.invalid");
      expect(inv.map((f) => f.message)).toEqual([
        expect.stringContaining(`${kind} emoji/${name}: ${field}: `),
      ]);
      expect(inv[0]!.message).toContain(HELD);
      expect(inv[0]!.fix).toContain(`Correct ${field} in test.yaml:`);
      expect(inv[0]!.fix).toContain("so it was analysed as it stands");
      const opened = (s: typeof cluster) =>
        findingsOf(s, "linkerd.unauthenticated-default").map((f) => f.message);
      expect(opened(cluster)).toEqual(fromCluster.map((p) => expect.stringContaining(p)));

      const manifests = run([...BASE, ...objs]);
      const left = findingsOf(manifests, "input.invalid");
      expect(left.map((f) => f.message)).toEqual([expect.not.stringContaining(HELD)]);
      expect(left[0]!.fix).toContain("the rest of the input was analysed without it");
      expect(opened(manifests)).toEqual(fromManifests.map((p) => expect.stringContaining(p)));
    },
  );

  it("a MeshTLSAuthentication with an identity the webhook refuses: the policy requiring it stands", () => {
    const objs = [
      ...BASE,
      client,
      policy("MeshTLSAuthentication", "m", { identities: ["Web.Emoji"] }),
      authz("a2", "grpc", [ref("MeshTLSAuthentication", "m")]),
    ];
    const inv = findingsOf(run(objs, [], CLUSTER), "input.invalid");
    expect(inv.map((f) => f.message)).toEqual([
      expect.stringContaining("spec.identities[0]: id Web.Emoji is invalid"),
    ]);
    expect(inv[0]!.message).toContain(HELD);
    const edge = (fromCluster: boolean) =>
      predict(objs, "emoji/web", host("api", "emoji"), 8080, [], fromCluster).predicted.reason;
    expect(edge(true)).toContain("emoji/api is meshed by Linkerd: Linkerd mTLS.");
    expect(edge(true)).not.toContain("Linkerd ignores");
    expect(edge(false)).toContain("which Linkerd refuses (spec.identities[0]: id Web.Emoji is invalid");
  });

  it.each([
    ["in-cluster", { type: "in-cluster" }],
    ["the demo cluster", { type: "demo", context: "demo" }],
  ] as [string, SnapshotSource][])("%s is a cluster too", (_name, source) => {
    const objs = [
      ...BASE,
      server("prom", "prom"),
      saz({ server: { name: "prom" }, client: { unauthenticated: true, meshTLS: {} } }),
    ];
    const s = run(objs, [], source);
    expect(findingsOf(s, "input.invalid").map((f) => f.message)).toEqual([expect.stringContaining(HELD)]);
    expect(findingsOf(s, "linkerd.unauthenticated-default")).toHaveLength(1);
  });

  it("the webhook's ref-count refusal: input.invalid saying the cluster holds it, the policy still ignored", () => {
    const objs = [
      ...BASE,
      client,
      policy("MeshTLSAuthentication", "m2", { identities: ["*"] }),
      authz("a2", "grpc", [ref("MeshTLSAuthentication", "web"), ref("MeshTLSAuthentication", "m2")]),
    ];
    const inv = findingsOf(run(objs, [], CLUSTER), "input.invalid");
    expect(inv.map((f) => f.message)).toEqual([
      expect.stringContaining(
        "spec.requiredAuthenticationRefs: only a single MeshTLSAuthentication may be set",
      ),
    ]);
    expect(inv[0]!.message).toContain(HELD);
    expect(predict(objs, "emoji/web", host("api", "emoji"), 8080, [], true).predicted.reason).toContain(
      "it requires more than one MeshTLSAuthentication, which Linkerd refuses",
    );
  });

  // The API server and the index cannot read these at all: left out from a cluster too.
  it.each([
    [
      "a Server with port 0 (deserialisation): the port is back on the default policy",
      [server("prom", 0)],
      ["Server", "prom", "spec.port"],
      ["port 8801, which no Server locks"],
    ],
    [
      "a ServerAuthorization with both server name and selector (CRD oneOf): it opens nothing",
      [
        server("prom", "prom"),
        saz({
          server: { name: "prom", selector: { matchLabels: { policy: "prom" } } },
          client: { unauthenticated: true },
        }),
      ],
      ["ServerAuthorization", "s", "spec.server"],
      [],
    ],
    [
      "a NetworkAuthentication cidr that does not parse (deserialisation): the policy opens nothing",
      [
        server("prom", "prom"),
        policy("NetworkAuthentication", "n", { networks: [{ cidr: "cluster" }] }),
        authz("open", "prom", [ref("NetworkAuthentication", "n")]),
      ],
      ["NetworkAuthentication", "n", "spec.networks[0].cidr"],
      [],
    ],
  ] as [string, KubeObject[], [string, string, string], string[]][])(
    "still left out: %s",
    (_name, objs, [kind, name, field], opens) => {
      const s = run([...BASE, ...objs], [], CLUSTER);
      const inv = findingsOf(s, "input.invalid");
      expect(inv.map((f) => f.message)).toEqual([
        expect.stringContaining(`${kind} emoji/${name}: ${field}: `),
      ]);
      expect(inv[0]!.message).not.toContain(HELD);
      expect(inv[0]!.fix).toContain("the rest of the input was analysed without it");
      expect(findingsOf(s, "linkerd.unauthenticated-default").map((f) => f.message)).toEqual(
        opens.map((p) => expect.stringContaining(p)),
      );
    },
  );

  it("near miss: a webhook-off namespace in a cluster → no input.invalid at all", () => {
    const objs = [
      ...base(WEBHOOK_OFF),
      server("prom", "prom"),
      saz({ server: { name: "prom" }, client: { unauthenticated: true, meshTLS: {} } }),
    ];
    expect(findingsOf(run(objs, [], CLUSTER), "input.invalid")).toEqual([]);
  });
});
