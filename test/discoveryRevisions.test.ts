// discoverySelectors and istio.io/rev, continued (docs/DECISIONS.md, "Discovery selectors and
// revisions: delegates, tag-labelled namespace policies, mesh.no-strict per revision, one reader").
// istiod's config store keeps a namespaced Istio object only when its raw istio.io/rev label is the
// istiod's REVISION (or absent) and its namespace is one the istiod's discoverySelectors select
// (istio/istio pilot/pkg/config/kube/crdclient/client.go `addCRD`: `ComposeFilters(namespaceFilter,
// cl.inRevision, extraFilter)`). Every case beside its near miss.
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import { discoveryViewFor, ignoredByEveryIstiod, readingRevision } from "../lib/core/model/discovery";
import type { KubeObject } from "../lib/core/model/input";
import { inRevision, type DestinationRule, type MeshModel } from "../lib/core/model/mesh";
import { labelNamesTag } from "../lib/core/model/revisions";
import { drRevision } from "../lib/core/resolve/predictEdge";
import {
  call,
  deploy,
  destRule,
  edgeOf,
  findingsOf,
  host,
  loaded,
  meshConfig,
  namespace,
  peerAuth,
  run,
  service,
} from "./kit";
import { stableTagMesh, tagWebhook } from "./support/revisionKit";

const SELECT = "discoverySelectors:\n- matchLabels:\n    istio-discovery: enabled\n";
const DISC = { "istio-discovery": "enabled" };
const modelOf = (objects: KubeObject[]): MeshModel =>
  buildModel({ objects: loaded(objects), configDumps: [], problems: [] });
type Labels = Record<string, string>;
const net = (
  kind: string,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  labels: Labels = {},
): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind,
  metadata: { name, namespace: ns, labels },
  spec,
});

// ---------------------------------------------------------------------------------------------
// 1. A delegate VirtualService in a namespace the caller's istiod does not see. PushContext
//    initVirtualServices merges the VirtualServices its config store lists (`env.List(gvk.VirtualService,
//    NamespaceAll)`), which crdclient has filtered by the discoverySelectors; mergeVirtualServicesIfNeeded
//    (pilot/pkg/model/virtualservice.go) then finds no delegate and drops the root's route ("delegate not
//    found, ignore only the current HTTP route"). Per caller: another istiod that sees the delegate keeps it.

describe("a delegate VirtualService in a namespace the caller's istiod does not see", () => {
  const SRV = host("srv", "b");
  /**
   * a/client (default revision) and c/client (canary) → b/srv (80 http, 443 https); the DR in a and c:
   * top-level DISABLE, subset v1 ISTIO_MUTUAL on 443, subset v2 nothing. The root VirtualService in a
   * (seen), its delegate in `routes`; the default istiod has `defaultMesh`, the canary's none.
   */
  const V1 = [{ route: [{ destination: { host: SRV, subset: "v1", port: { number: 443 } } }] }];
  const objs = (
    routesLabels: Labels,
    rootHttp: unknown[],
    defaultMesh = SELECT,
    delegateHttp: unknown[] = V1,
    delegateLabels: Labels = {},
  ): KubeObject[] => [
    namespace("istio-system", DISC),
    namespace("a", { ...DISC, "istio-injection": "enabled" }),
    namespace("b", { ...DISC, "istio-injection": "enabled" }),
    namespace("c", { ...DISC, "istio.io/rev": "canary" }),
    namespace("routes", routesLabels),
    deploy("a", "client"),
    deploy("c", "client"),
    deploy("b", "srv", { ports: [8080, 8443] }),
    service("b", "srv", [
      { port: 80, targetPort: 8080, name: "http" },
      { port: 443, targetPort: 8443, name: "https" },
    ]),
    ...["a", "c"].map((ns) =>
      destRule(ns, "srv", SRV, {
        trafficPolicy: { tls: { mode: "DISABLE" } },
        subsets: [
          {
            name: "v1",
            labels: { app: "srv" },
            trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "ISTIO_MUTUAL" } }] },
          },
          { name: "v2", labels: { app: "srv" } },
        ],
      }),
    ),
    net("VirtualService", "a", "root", { hosts: [SRV], exportTo: ["*"], http: rootHttp }),
    net("VirtualService", "routes", "d", { http: delegateHttp }, delegateLabels),
    meshConfig(defaultMesh),
    meshConfig("{}\n", "istio-system", "istio-canary"),
  ];
  const DELEGATE = { delegate: { name: "d", namespace: "routes" } };
  const toV2 = { route: [{ destination: { host: SRV, subset: "v2", port: { number: 443 } } }] };
  const edges = (o: KubeObject[]) => {
    const s = run(o, [call("a/client", SRV, "mutual_tls", 5), call("c/client", SRV, "mutual_tls", 5)]);
    const of = (who: string) => {
      const e = edgeOf(s, who, SRV)!;
      return {
        port: e.destination.port,
        tls: e.predicted.client.tls,
        routed: e.predicted.reason.includes("routed by VirtualService a/root"),
      };
    };
    return { a: of("a/client"), c: of("c/client") };
  };
  const DROPPED = { port: 80, tls: "DISABLE", routed: false };
  const MERGED = { port: 443, tls: "ISTIO_MUTUAL", routed: true };
  it.each([
    {
      case: "the delegate's namespace not selected by the default istiod: its caller has no route (the protocol's port 80, the DR's DISABLE); the canary's caller, whose istiod sees it, takes it",
      labels: {},
      mesh: SELECT,
      a: DROPPED,
      c: MERGED,
    },
    {
      case: "near miss: the delegate's namespace selected: both take the merged route",
      labels: DISC,
      mesh: SELECT,
      a: MERGED,
      c: MERGED,
    },
    {
      case: "near miss: no discoverySelectors: both take it",
      labels: {},
      mesh: "{}\n",
      a: MERGED,
      c: MERGED,
    },
  ])("$case", ({ labels, mesh, a, c }) => {
    expect(edges(objs(labels, [DELEGATE], mesh))).toEqual({ a, c });
  });

  it.each([
    // The merged route has no match: it gets one that restricts nothing but the delegate's namespace.
    {
      case: "the model: a merged route's match names the delegate's namespace when some istiod hides it",
      labels: {},
      want: [
        [{ sourceNamespace: null, sourceLabels: null, opaque: [], port: 0, delegateNamespace: "routes" }],
      ],
    },
    {
      case: "near miss: every istiod sees it: nothing added (no match, as without selectors)",
      labels: DISC,
      want: [[]],
    },
  ])("$case", ({ labels, want }) => {
    const root = modelOf(objs(labels, [DELEGATE])).virtualServices.find((v) => v.name === "root")!;
    expect(root.meshRouteMatches.http).toStrictEqual(want);
  });

  // The root's next route: dropped from the model behind a merged route every caller took; now kept
  // for the callers whose istiod drops the delegate's route (and still shadowed for the others).
  it.each([
    {
      case: "the delegate hidden from the default istiod: its caller takes the root's next route (subset v2 on 443: DISABLE); the canary's caller the delegate's",
      labels: {},
      a: { port: 443, tls: "DISABLE", routed: true },
      c: MERGED,
    },
    {
      case: "near miss: the delegate seen by both: both take it, the next route is never reached",
      labels: DISC,
      a: MERGED,
      c: MERGED,
    },
  ])("$case", ({ labels, a, c }) => {
    expect(edges(objs(labels, [DELEGATE, toV2]))).toEqual({ a, c });
  });

  // A delegate that ends in a catch-all without a destination (directResponse, redirect): translateRoute
  // builds it (ApplyDirectResponse / ApplyRedirect) and BuildHTTPRoutesForVirtualService stops there
  // ("Routes are matched in order, so we will never go beyond this match"), so a caller whose istiod
  // has the delegate never reaches the root's next route; one whose istiod drops it does.
  const API_V1 = {
    match: [{ uri: { prefix: "/api" } }],
    route: [{ destination: { host: SRV, subset: "v1", port: { number: 443 } } }],
  };
  const NOT_FOUND = { directResponse: { status: 404 } };
  const TO_HTTPS = { redirect: { scheme: "https" } };
  const REV_CANARY = { "istio.io/rev": "canary" };
  const TAKES_V2 = { port: 443, tls: "DISABLE", routed: true };
  it.each([
    {
      case: "a directResponse catch-all, the delegate's namespace hidden from the default istiod: the canary's caller takes /api (subset v1) or the 404, never the root's v2; the default's takes v2",
      labels: {},
      http: [API_V1, NOT_FOUND],
      rev: {},
      a: TAKES_V2,
      c: MERGED,
    },
    {
      case: "a redirect catch-all, hidden the same way: the same",
      labels: {},
      http: [API_V1, TO_HTTPS],
      rev: {},
      a: TAKES_V2,
      c: MERGED,
    },
    {
      case: "a directResponse catch-all, the delegate labelled for the canary (its namespace seen by both): the same",
      labels: DISC,
      http: [API_V1, NOT_FOUND],
      rev: REV_CANARY,
      a: TAKES_V2,
      c: MERGED,
    },
    {
      case: "near miss: the directResponse has a match of its own (uri /old): the canary's caller may reach v2, the worst of v1 and v2",
      labels: {},
      http: [API_V1, { match: [{ uri: { prefix: "/old" } }], ...NOT_FOUND }],
      rev: {},
      a: TAKES_V2,
      c: TAKES_V2,
    },
    {
      case: "near miss: the directResponse is for namespace a's callers only: the canary's caller may reach v2",
      labels: {},
      http: [API_V1, { match: [{ sourceNamespace: "a" }], ...NOT_FOUND }],
      rev: {},
      a: TAKES_V2,
      c: TAKES_V2,
    },
    {
      case: "near miss: the delegate seen by both istiods: the catch-all ends the list for both (v2 left out of the model)",
      labels: DISC,
      http: [API_V1, NOT_FOUND],
      rev: {},
      a: MERGED,
      c: MERGED,
    },
  ])("$case", ({ labels, http, rev, a, c }) => {
    expect(edges(objs(labels, [DELEGATE, toV2], SELECT, http, rev))).toEqual({ a, c });
  });
});

// Gateway callers: gatewayChoiceFor keeps the protocol's guess for a VirtualService with a delegated
// http route (GatewayBinding.delegated), whichever route the gateway's istiod builds: the delegate's
// when it sees the delegate's namespace, the root's next one when it drops it (mergeVirtualServicesIfNeeded,
// "delegate not found"). So the edge is the same either way; a root without a delegate is followed.
describe("a gateway caller and a delegate in a namespace its istiod may not see", () => {
  const SRV = host("srv", "b");
  const GW = "istio-system/istio-ingressgateway";
  const toSubset = (subset: string) => ({
    route: [{ destination: { host: SRV, subset, port: { number: 443 } } }],
  });
  const objs = (routesLabels: Labels, rootHttp: unknown[]): KubeObject[] => [
    namespace("istio-system", DISC),
    namespace("b", { ...DISC, "istio-injection": "enabled" }),
    namespace("routes", routesLabels),
    deploy("istio-system", "istio-ingressgateway", {
      labels: { istio: "ingressgateway" },
      containers: ["istio-proxy"],
    }),
    deploy("b", "srv", { ports: [8080, 8443] }),
    service("b", "srv", [
      { port: 80, targetPort: 8080, name: "http" },
      { port: 443, targetPort: 8443, name: "https" },
    ]),
    destRule("istio-system", "srv", SRV, {
      trafficPolicy: { tls: { mode: "DISABLE" } },
      subsets: [
        {
          name: "v1",
          labels: { app: "srv" },
          trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "ISTIO_MUTUAL" } }] },
        },
        { name: "v2", labels: { app: "srv" } },
      ],
    }),
    net("Gateway", "istio-system", "gw", {
      selector: { istio: "ingressgateway" },
      servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
    }),
    net("VirtualService", "istio-system", "root", { hosts: ["*"], gateways: ["gw"], http: rootHttp }),
    net("VirtualService", "routes", "d", { http: [toSubset("v1")] }),
    meshConfig(SELECT),
  ];
  const DELEGATED = [{ delegate: { name: "d", namespace: "routes" } }, toSubset("v2")];
  const edge = (o: KubeObject[]) => {
    const e = edgeOf(run(o, [call(GW, SRV, "mutual_tls", 5)]), GW, SRV)!;
    return {
      port: e.destination.port,
      tls: e.predicted.client.tls,
      routed: e.predicted.reason.includes("routed by VirtualService"),
    };
  };
  const GUESS = { port: 80, tls: "DISABLE", routed: false };
  it.each([
    {
      case: "the delegate's namespace hidden from the gateway's istiod: the protocol's guess (port 80)",
      labels: {},
      http: DELEGATED,
      want: GUESS,
    },
    {
      case: "the delegate's namespace seen: the protocol's guess too",
      labels: DISC,
      http: DELEGATED,
      want: GUESS,
    },
    {
      case: "near miss: no delegate, the root routes to subset v1 itself: the route is followed (443, ISTIO_MUTUAL)",
      labels: {},
      http: [toSubset("v1")],
      want: { port: 443, tls: "ISTIO_MUTUAL", routed: true },
    },
  ])("$case", ({ labels, http, want }) => {
    expect(edge(objs(labels, http))).toEqual(want);
  });
});

// The same for dr.credential-name-plaintext (routedAway): a sidecar whose every call is routed away
// from the host never uses the credentialName DR's cluster; one whose istiod drops the delegated route
// does (Istio's egress-gateway TLS origination, its mesh hop routed through a delegate).
describe("dr.credential-name-plaintext behind a delegated route the caller's istiod does not have", () => {
  const NGINX = host("my-nginx", "mesh-external");
  const EGRESS = host("istio-egressgateway", "istio-system");
  const objs = (
    routesLabels: Labels,
    rootAfter: unknown[] = [],
    delegateLabels: Labels = {},
    extra: KubeObject[] = [],
  ): KubeObject[] => [
    namespace("istio-system", DISC),
    namespace("a", { ...DISC, "istio-injection": "enabled" }),
    namespace("c", { ...DISC, "istio.io/rev": "canary" }),
    namespace("mesh-external", DISC),
    namespace("vs", DISC),
    namespace("routes", routesLabels),
    deploy("a", "client"),
    deploy("c", "client"),
    deploy("mesh-external", "my-nginx", { ports: [443] }),
    service("mesh-external", "my-nginx", [{ port: 443, name: "http" }]),
    destRule("istio-system", "originate-mtls-for-nginx", NGINX, {
      trafficPolicy: {
        portLevelSettings: [
          { port: { number: 443 }, tls: { mode: "MUTUAL", credentialName: "client-credential" } },
        ],
      },
    }),
    net("VirtualService", "vs", "nginx", {
      hosts: [NGINX],
      http: [{ delegate: { name: "to-egress", namespace: "routes" } }, ...rootAfter],
    }),
    net(
      "VirtualService",
      "routes",
      "to-egress",
      { http: [{ route: [{ destination: { host: EGRESS, subset: "nginx", port: { number: 443 } } }] }] },
      delegateLabels,
    ),
    meshConfig(SELECT),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    ...extra,
  ];
  it.each([
    {
      case: "the delegate's namespace not selected by the default istiod: its sidecars (a) keep the host's cluster and ignore the DR; the canary's (c) are routed away",
      labels: {},
      says: ["sidecars in a ignore it"],
    },
    {
      case: "near miss: the delegate's namespace selected: every sidecar is routed away, nothing to say",
      labels: DISC,
      says: [],
    },
  ])("$case", ({ labels, says }) => {
    const fs = run(objs(labels)).findings.filter((f) => f.code === "dr.credential-name-plaintext");
    expect(fs.map((f) => f.message)).toEqual(says.map((m) => expect.stringContaining(m)));
  });

  // The root's fallback route to the host itself (or a mirror to it) after the delegate: built only for
  // the callers whose istiod drops the delegate (for the others the delegate's route, with no match,
  // ends the list: BuildHTTPRoutesForVirtualService's catch-all break), so it sends only their calls
  // through the host's cluster. "A mesh route leads to the host" is asked per caller.
  const FALLBACK = { route: [{ destination: { host: NGINX, port: { number: 443 } } }] };
  const MIRROR = {
    route: [{ destination: { host: EGRESS, subset: "nginx", port: { number: 443 } } }],
    mirror: { host: NGINX, port: { number: 443 } },
  };
  const NO_LABEL: Labels = {};
  const CANARY_LABEL: Labels = { "istio.io/rev": "canary" };
  const OTHER = host("other", "vs");
  const otherToNginx = [
    service("vs", "other", [{ port: 80, name: "http" }]),
    net("VirtualService", "vs", "other", {
      hosts: [OTHER],
      http: [{ route: [{ destination: { host: NGINX, port: { number: 443 } } }] }],
    }),
  ];
  it.each([
    {
      case: "a fallback route to the host, the delegate hidden from the default istiod: only a's sidecars reach the host",
      labels: {},
      after: [FALLBACK],
      rev: NO_LABEL,
      extra: [],
      says: ["sidecars in a ignore it"],
    },
    {
      case: "a fallback route to the host, the delegate labelled for the canary: the same",
      labels: DISC,
      after: [FALLBACK],
      rev: CANARY_LABEL,
      extra: [],
      says: ["sidecars in a ignore it"],
    },
    {
      case: "a fallback route that mirrors to the host, the delegate hidden from the default istiod: only a's sidecars mirror there",
      labels: {},
      after: [MIRROR],
      rev: NO_LABEL,
      extra: [],
      says: ["sidecars in a ignore it"],
    },
    {
      case: "near miss: a fallback route, the delegate seen by both: nobody reaches the host, nothing to say",
      labels: DISC,
      after: [FALLBACK],
      rev: NO_LABEL,
      extra: [],
      says: [],
    },
    {
      case: "near miss: another host's VirtualService routes to the host for every caller: a and c both reach it",
      labels: {},
      after: [],
      rev: NO_LABEL,
      extra: otherToNginx,
      says: ["sidecars in a and c ignore it"],
    },
  ])("$case", ({ labels, after, rev, extra, says }) => {
    const fs = run(objs(labels, after, rev, extra)).findings.filter(
      (f) => f.code === "dr.credential-name-plaintext",
    );
    expect(fs.map((f) => f.message)).toEqual(says.map((m) => expect.stringContaining(m)));
  });
});

// ---------------------------------------------------------------------------------------------
// 2. A namespace-wide PeerAuthentication labelled with a revision tag is read by no istiod (crdclient
//    `inRevision` → `LabelsInRevision`, the raw label; istio/istio#51582). Under a PERMISSIVE mesh-wide
//    policy the namespace's mode is the mesh policy's, and pa.permissive named only that: it now names
//    the tag-labelled policy too, with the relabel fix it gets when the namespace falls to Istio's default.

describe("pa.permissive under a PERMISSIVE mesh-wide policy names the namespace's tag-labelled policy", () => {
  const labelled = (o: KubeObject, rev: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), "istio.io/rev": rev } },
  });
  /** a and b on the tag prod-stable (→ 1-29); the mesh-wide policy `meshMode`, read by every istiod. */
  const objs = (meshMode: string | null, nsPa: KubeObject | null): KubeObject[] => [
    ...stableTagMesh(),
    ...(meshMode === null ? [] : [peerAuth("istio-system", "default", meshMode)]),
    ...(nsPa === null ? [] : [nsPa]),
  ];
  const TAG =
    "no istiod reads namespace-wide PeerAuthentication b/default, whose istio.io/rev label names the revision tag prod-stable, not a revision";
  const MESH = { kind: "PeerAuthentication", namespace: "istio-system", name: "default" };
  const NS_PA = { kind: "PeerAuthentication", namespace: "b", name: "default" };
  const forB = (o: KubeObject[]) =>
    findingsOf(run(o), "pa.permissive").filter((f) => f.message.startsWith("Namespace b"));
  it.each([
    {
      case: "a STRICT one: named after the mesh policy that decides, with the relabel fix",
      meshMode: "PERMISSIVE",
      nsPa: labelled(peerAuth("b", "default", "STRICT"), "prod-stable"),
      says: `Namespace b (PeerAuthentication istio-system/default, mesh; ${TAG}`,
      resources: [MESH, NS_PA],
      fix: "Label b/default istio.io/rev=1-29 (the revision the tag prod-stable points to) or remove its istio.io/rev label, so that istiod applies the STRICT b/default.",
    },
    {
      case: "a PERMISSIVE one: named too, the fix its label and its mode",
      meshMode: "PERMISSIVE",
      nsPa: labelled(peerAuth("b", "default", "PERMISSIVE"), "prod-stable"),
      says: `Namespace b (PeerAuthentication istio-system/default, mesh; ${TAG}`,
      resources: [MESH, NS_PA],
      fix: "Label b/default istio.io/rev=1-29 (the revision the tag prod-stable points to) or remove its istio.io/rev label, so that istiod applies it, and set its mtls.mode STRICT.",
    },
    {
      case: "near miss: no mesh-wide policy: Istio's default, named as before",
      meshMode: null,
      nsPa: labelled(peerAuth("b", "default", "STRICT"), "prod-stable"),
      says: `Namespace b (Istio's default: ${TAG}`,
      resources: [{ kind: "Namespace", name: "b" }, NS_PA],
      fix: "Label b/default istio.io/rev=1-29 (the revision the tag prod-stable points to) or remove its istio.io/rev label, so that istiod applies the STRICT b/default.",
    },
    {
      case: "near miss: no policy of its own: the mesh policy alone, as before",
      meshMode: "PERMISSIVE",
      nsPa: null,
      says: "Namespace b (PeerAuthentication istio-system/default, mesh) accepts plaintext",
      resources: [MESH],
      fix: "Set mtls.mode STRICT in a PeerAuthentication for namespace b.",
    },
    {
      case: "near miss: its own policy labelled with a revision no tag names (read by no istiod of this mesh, but no tag to fix): the mesh policy alone",
      meshMode: "PERMISSIVE",
      nsPa: labelled(peerAuth("b", "default", "STRICT"), "1-30"),
      says: "Namespace b (PeerAuthentication istio-system/default, mesh) accepts plaintext",
      resources: [MESH],
      fix: "Set mtls.mode STRICT in a PeerAuthentication for namespace b.",
    },
  ])("$case", ({ meshMode, nsPa, says, resources, fix }) => {
    const fs = forB(objs(meshMode, nsPa));
    expect(fs.map((f) => f.message)).toEqual([expect.stringContaining(says)]);
    expect(fs.map((f) => f.resources)).toEqual([resources]);
    expect(fs.map((f) => f.fix)).toEqual([fix]);
  });

  it.each([
    {
      case: "near miss: labelled with the revision itself, read: STRICT, nothing for b",
      nsPa: labelled(peerAuth("b", "default", "STRICT"), "1-29"),
    },
    { case: "near miss: unlabelled, read: STRICT, nothing for b", nsPa: peerAuth("b", "default", "STRICT") },
  ])("$case", ({ nsPa }) => {
    expect(forB(objs("PERMISSIVE", nsPa))).toEqual([]);
  });

  it("namespace a, with no policy of its own, still names only the mesh policy", () => {
    const fs = findingsOf(
      run(objs("PERMISSIVE", labelled(peerAuth("b", "default", "STRICT"), "prod-stable"))),
      "pa.permissive",
    ).filter((f) => f.message.startsWith("Namespace a"));
    expect(fs.map((f) => f.message)).toEqual([
      expect.stringContaining(
        "Namespace a (PeerAuthentication istio-system/default, mesh) accepts plaintext",
      ),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. mesh.no-strict per istiod revision. Each istiod reads the mesh-wide policies of its own root
//    namespace (its mesh config's rootNamespace) that it reads at all (crdclient `inRevision`, its
//    discoverySelectors). The finding speaks for the istiods that have workloads: silent when each reads
//    a STRICT one; when they read different policies, one finding per decision naming its revisions;
//    when they agree, the one finding as with a single istiod (byte-identical).

describe("mesh.no-strict speaks for every istiod revision that has workloads", () => {
  const withRev = (o: KubeObject, rev: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), "istio.io/rev": rev } },
  });
  /** a/app on the default revision (when `onDefault`), c/app on the canary; `canaryMesh` the canary's mesh config. */
  const objs = (
    extra: KubeObject[],
    canaryMesh = "{}\n",
    onDefault = true,
    defaultMesh = "{}\n",
  ): KubeObject[] => [
    namespace("istio-system", DISC),
    namespace("istio-config", DISC),
    namespace("a", { ...DISC, "istio-injection": "enabled" }),
    namespace("c", { ...DISC, "istio.io/rev": "canary" }),
    ...(onDefault ? [deploy("a", "app")] : []),
    deploy("c", "app"),
    meshConfig(defaultMesh),
    meshConfig(canaryMesh, "istio-system", "istio-canary"),
    ...extra,
  ];
  const noStrict = (o: KubeObject[]) =>
    findingsOf(run(o), "mesh.no-strict").map((f) => ({
      message: f.message,
      resources: f.resources,
      fix: f.fix,
    }));
  const strict = peerAuth("istio-system", "default", "STRICT");
  const ROOT_SYSTEM = { kind: "Namespace", name: "istio-system" };
  const ROOT_CONFIG = { kind: "Namespace", name: "istio-config" };
  const STRICT_PA = { kind: "PeerAuthentication", namespace: "istio-system", name: "default" };
  /** Selects only namespaces labelled team=x: none here, the root namespace neither. */
  const HIDES_ROOT = SELECT.replace("istio-discovery: enabled", "team: x");

  it.each([
    {
      case: "the STRICT root policy labelled for the default revision: the canary's workloads have none",
      objs: objs([withRev(strict, "default")]),
      want: [
        {
          message:
            "For the workloads on revision canary, their istiod reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/default is labelled istio.io/rev=default, for another revision. Workloads without their own policy accept plaintext (PERMISSIVE). The default istiod reads a STRICT one.",
          resources: [STRICT_PA, ROOT_SYSTEM],
          fix: "Once every client has a proxy, remove istio-system/default's istio.io/rev label, so that every istiod reads it, or apply another STRICT mesh-wide PeerAuthentication in istio-system (not named default) that the istiod of revision canary reads (without an istio.io/rev label, or labelled istio.io/rev=canary).",
        },
      ],
    },
    {
      case: "the canary's mesh config has another rootNamespace, with no policy there",
      objs: objs([strict], "rootNamespace: istio-config\n"),
      want: [
        {
          message:
            "For the workloads on revision canary, their istiod reads no mesh-wide PeerAuthentication in the root namespace istio-config: workloads without their own policy accept plaintext (PERMISSIVE). The default istiod reads a STRICT one.",
          resources: [ROOT_CONFIG],
          fix: "Once every client has a proxy, apply a STRICT mesh-wide PeerAuthentication in istio-config that the istiod of revision canary reads (without an istio.io/rev label, or labelled istio.io/rev=canary).",
        },
      ],
    },
    {
      case: "both not STRICT, each its own way: one finding per revision",
      objs: objs([peerAuth("istio-config", "default", "PERMISSIVE")], "rootNamespace: istio-config\n"),
      want: [
        {
          message:
            "For the workloads on revision default, their istiod reads no mesh-wide PeerAuthentication in the root namespace istio-system: workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [ROOT_SYSTEM],
          fix: "Once every client has a proxy, apply a STRICT mesh-wide PeerAuthentication in istio-system that the default istiod reads (without an istio.io/rev label, or labelled istio.io/rev=default).",
        },
        {
          message:
            "For the workloads on revision canary, the mesh-wide PeerAuthentication istio-config/default is PERMISSIVE, not STRICT: workloads without their own STRICT policy accept plaintext.",
          resources: [{ kind: "PeerAuthentication", namespace: "istio-config", name: "default" }],
          fix: "Once every client has a proxy, set istio-config/default's mtls.mode to STRICT.",
        },
      ],
    },
    {
      case: "the canary's discoverySelectors leave the root namespace out, its workloads alone: named for the canary's istiod",
      objs: objs([strict], HIDES_ROOT, false),
      want: [
        {
          message:
            "The mesh-wide PeerAuthentication istio-system/default is STRICT, but the istiod of revision canary ignores it: its mesh config's discoverySelectors do not select the root namespace istio-system, and Istio 1.22+ drops Istio config there too. Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [
            { kind: "PeerAuthentication", namespace: "istio-system", name: "default" },
            ROOT_SYSTEM,
          ],
          fix: "Make the discoverySelectors select istio-system (label it to match one, or add a selector with matchLabels kubernetes.io/metadata.name: istio-system), so that istiod applies istio-system/default.",
        },
      ],
    },
    {
      case: "the canary's discoverySelectors leave the root namespace out while the default istiod reads it: the canary's finding opens with its revision, the default named after",
      objs: objs([strict], HIDES_ROOT),
      want: [
        {
          message:
            "For the workloads on revision canary, the mesh-wide PeerAuthentication istio-system/default is STRICT, but the istiod of revision canary ignores it: its mesh config's discoverySelectors do not select the root namespace istio-system, and Istio 1.22+ drops Istio config there too. Workloads without their own policy accept plaintext (PERMISSIVE). The default istiod reads a STRICT one.",
          resources: [
            { kind: "PeerAuthentication", namespace: "istio-system", name: "default" },
            ROOT_SYSTEM,
          ],
          fix: "Make the discoverySelectors select istio-system (label it to match one, or add a selector with matchLabels kubernetes.io/metadata.name: istio-system), so that istiod applies istio-system/default.",
        },
      ],
    },
    {
      case: "both istiods' discoverySelectors leave the root namespace out: they agree, one finding naming both",
      objs: objs([strict], HIDES_ROOT, true, HIDES_ROOT),
      want: [
        {
          message:
            "The mesh-wide PeerAuthentication istio-system/default is STRICT, but the istiods of revisions default and canary ignore it: their mesh configs' discoverySelectors do not select the root namespace istio-system, and Istio 1.22+ drops Istio config there too. Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [
            { kind: "PeerAuthentication", namespace: "istio-system", name: "default" },
            ROOT_SYSTEM,
          ],
          fix: "Make the discoverySelectors select istio-system (label it to match one, or add a selector with matchLabels kubernetes.io/metadata.name: istio-system), so that istiod applies istio-system/default.",
        },
      ],
    },
  ])("fires: $case", ({ objs: o, want }) => {
    expect(noStrict(o)).toEqual(want);
  });

  it.each([
    { case: "near miss: the STRICT root policy unlabelled, read by both istiods", objs: objs([strict]) },
    {
      case: "labelled for the canary, and every workload on the canary: the default istiod, with no workloads, does not count (it used to speak for the mesh)",
      objs: objs([withRev(strict, "canary")], "{}\n", false),
    },
    {
      case: "near miss: another rootNamespace, STRICT there too",
      objs: objs([strict, peerAuth("istio-config", "default", "STRICT")], "rootNamespace: istio-config\n"),
    },
    {
      case: "near miss: labelled for the default revision, and the canary has no workloads",
      objs: objs([withRev(strict, "default")]).filter(
        (o) => !(o.kind === "Deployment" && o.metadata.namespace === "c"),
      ),
    },
  ])("silent: $case", ({ objs: o }) => {
    expect(noStrict(o)).toEqual([]);
  });

  // The root namespace holds a mesh-wide policy, but one this istiod does not read (labelled for another
  // revision, or with a tag pointing to another): named with its label, whatever the number of groups,
  // and the fix is its label or another policy under another name (applying one named like it would
  // overwrite it). A PERMISSIVE policy read: the fix is that policy's mode.
  const MTLS_FIX = (pa: string) => `Once every client has a proxy, set ${pa}'s mtls.mode to STRICT.`;
  const at = (created: string) => ({ created: `2026-0${created}-01T00:00:00Z` });
  it.each([
    {
      case: "the last step of a canary upgrade: the STRICT root policy labelled for the default revision, every workload on the canary",
      objs: objs([withRev(strict, "default")], "{}\n", false),
      want: [
        {
          message:
            "The istiod of revision canary reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/default is labelled istio.io/rev=default, for another revision. Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [STRICT_PA, ROOT_SYSTEM],
          fix: "Once every client has a proxy, remove istio-system/default's istio.io/rev label, so that every istiod reads it, or apply another STRICT mesh-wide PeerAuthentication in istio-system (not named default) that the istiod of revision canary reads (without an istio.io/rev label, or labelled istio.io/rev=canary).",
        },
      ],
    },
    {
      case: "the root policy labelled for a revision `old` with no workloads (its mesh config read), workloads on default and canary: one group, both named",
      objs: objs([meshConfig("{}\n", "istio-system", "istio-old"), withRev(strict, "old")]),
      want: [
        {
          message:
            "The istiods of revisions default and canary read no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/default is labelled istio.io/rev=old, for another revision. Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [STRICT_PA, ROOT_SYSTEM],
          fix: "Once every client has a proxy, remove istio-system/default's istio.io/rev label, so that every istiod reads it, or apply another STRICT mesh-wide PeerAuthentication in istio-system (not named default) that the istiods of revisions default and canary read (without an istio.io/rev label, or labelled with each of istio.io/rev=default and istio.io/rev=canary).",
        },
      ],
    },
    {
      case: "a PERMISSIVE root policy labelled for another revision: its label and its mode",
      objs: objs([withRev(peerAuth("istio-system", "default", "PERMISSIVE"), "default")], "{}\n", false),
      want: [
        {
          message:
            "The istiod of revision canary reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/default is labelled istio.io/rev=default, for another revision. Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [STRICT_PA, ROOT_SYSTEM],
          fix: "Once every client has a proxy, remove istio-system/default's istio.io/rev label, so that every istiod reads it, and set its mtls.mode to STRICT, or apply another STRICT mesh-wide PeerAuthentication in istio-system (not named default) that the istiod of revision canary reads (without an istio.io/rev label, or labelled istio.io/rev=canary).",
        },
      ],
    },
    {
      case: "per revision, the PERMISSIVE policy the canary reads is named canary-mtls: the fix sets its mode (`default` is the default revision's)",
      objs: objs([
        withRev(strict, "default"),
        withRev(peerAuth("istio-system", "canary-mtls", "PERMISSIVE"), "canary"),
      ]),
      want: [
        {
          message:
            "For the workloads on revision canary, the mesh-wide PeerAuthentication istio-system/canary-mtls is PERMISSIVE, not STRICT: workloads without their own STRICT policy accept plaintext. The default istiod reads a STRICT one.",
          resources: [{ kind: "PeerAuthentication", namespace: "istio-system", name: "canary-mtls" }],
          fix: MTLS_FIX("istio-system/canary-mtls"),
        },
      ],
    },
    {
      case: "both istiods read a PERMISSIVE mesh-wide policy named mesh-mtls: the fix sets its mode",
      objs: objs([peerAuth("istio-system", "mesh-mtls", "PERMISSIVE")]),
      want: [
        {
          message:
            "The mesh-wide PeerAuthentication istio-system/mesh-mtls is PERMISSIVE, not STRICT: workloads without their own STRICT policy accept plaintext.",
          resources: [{ kind: "PeerAuthentication", namespace: "istio-system", name: "mesh-mtls" }],
          fix: MTLS_FIX("istio-system/mesh-mtls"),
        },
      ],
    },
    {
      case: "near miss: named default and PERMISSIVE: the same edit",
      objs: objs([peerAuth("istio-system", "default", "PERMISSIVE")]),
      want: [
        {
          message:
            "The mesh-wide PeerAuthentication istio-system/default is PERMISSIVE, not STRICT: workloads without their own STRICT policy accept plaintext.",
          resources: [STRICT_PA],
          fix: MTLS_FIX("istio-system/default"),
        },
      ],
    },
    {
      case: "no mesh-wide policy, but the name default taken in the root namespace by a policy with a selector: another name",
      objs: objs([peerAuth("istio-system", "default", "STRICT", { selector: { app: "istiod" } })]),
      want: [
        {
          message:
            "There is no mesh-wide PeerAuthentication in the root namespace istio-system: workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [ROOT_SYSTEM],
          fix: "Once every client has a proxy, apply a PeerAuthentication without a selector in istio-system with mtls.mode STRICT, under another name than default (istio-system/default has a selector: not mesh-wide).",
        },
      ],
    },
    {
      case: "near miss: no policy at all: one named default",
      objs: objs([]),
      want: [
        {
          message:
            "There is no mesh-wide PeerAuthentication in the root namespace istio-system: workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [ROOT_SYSTEM],
          fix: "Once every client has a proxy, apply a PeerAuthentication named default in istio-system with mtls.mode STRICT.",
        },
      ],
    },
  ])("a root policy read or not: $case", ({ objs: o, want }) => {
    expect(noStrict(o)).toEqual(want);
  });

  // A root policy labelled with a revision tag is read by no istiod; it is the tagged finding (relabel
  // to the tag's revision) only for the revisions the tag points to. For another revision that reads no
  // mesh-wide policy, relabelling to the tag's revision would not help: it is named as a policy its
  // istiod does not read.
  it.each([
    {
      case: "the canary reads its own STRICT canary-strict; a stale STRICT one labelled with the tag prod (→ canary): the default revision reads none, the oldest root policy named",
      extra: [
        tagWebhook("prod", "canary"),
        withRev(peerAuth("istio-system", "canary-strict", "STRICT", at("1")), "canary"),
        withRev(peerAuth("istio-system", "stale", "STRICT", at("2")), "prod"),
      ],
      onDefault: true,
      want: [
        {
          message:
            "For the workloads on revision default, their istiod reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/canary-strict is labelled istio.io/rev=canary, for another revision. Workloads without their own policy accept plaintext (PERMISSIVE). The istiod of revision canary reads a STRICT one.",
          resources: [
            { kind: "PeerAuthentication", namespace: "istio-system", name: "canary-strict" },
            ROOT_SYSTEM,
          ],
          fix: "Once every client has a proxy, remove istio-system/canary-strict's istio.io/rev label, so that every istiod reads it, or apply another STRICT mesh-wide PeerAuthentication in istio-system (not named canary-strict) that the default istiod reads (without an istio.io/rev label, or labelled istio.io/rev=default).",
        },
      ],
    },
    {
      case: "only the stale tag-labelled one: the canary's finding is the tag's (relabel to canary); the default revision's names it, with no relabel to canary (findings in message order)",
      extra: [tagWebhook("prod", "canary"), withRev(peerAuth("istio-system", "stale", "STRICT"), "prod")],
      onDefault: true,
      want: [
        {
          message:
            "For the workloads on revision canary, the mesh-wide PeerAuthentication istio-system/stale is STRICT, but no istiod reads it: its istio.io/rev label names the revision tag prod, not a revision, and istiod compares the raw label with its own revision (istio/istio#51582). Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [{ kind: "PeerAuthentication", namespace: "istio-system", name: "stale" }, ROOT_SYSTEM],
          fix: "Label istio-system/stale istio.io/rev=canary (the revision the tag prod points to) or remove its istio.io/rev label, so that istiod applies it.",
        },
        {
          message:
            "For the workloads on revision default, their istiod reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/stale is labelled istio.io/rev=prod, a revision tag, which no istiod reads (istio/istio#51582). Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [{ kind: "PeerAuthentication", namespace: "istio-system", name: "stale" }, ROOT_SYSTEM],
          fix: "Once every client has a proxy, remove istio-system/stale's istio.io/rev label, so that every istiod reads it, or apply another STRICT mesh-wide PeerAuthentication in istio-system (not named stale) that the default istiod reads (without an istio.io/rev label, or labelled istio.io/rev=default).",
        },
      ],
    },
    {
      case: "near miss: every workload on the canary, the tag's revision: the tag finding alone, as before",
      extra: [tagWebhook("prod", "canary"), withRev(peerAuth("istio-system", "stale", "STRICT"), "prod")],
      onDefault: false,
      want: [
        {
          message:
            "The mesh-wide PeerAuthentication istio-system/stale is STRICT, but no istiod reads it: its istio.io/rev label names the revision tag prod, not a revision, and istiod compares the raw label with its own revision (istio/istio#51582). Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [{ kind: "PeerAuthentication", namespace: "istio-system", name: "stale" }, ROOT_SYSTEM],
          fix: "Label istio-system/stale istio.io/rev=canary (the revision the tag prod points to) or remove its istio.io/rev label, so that istiod applies it.",
        },
      ],
    },
    {
      case: "every workload on the default revision, the tag pointing to the canary: named as a policy the default istiod does not read, not relabelled to canary",
      extra: [tagWebhook("prod", "canary"), withRev(peerAuth("istio-system", "stale", "STRICT"), "prod")],
      onDefault: "only",
      want: [
        {
          message:
            "The default istiod reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/stale is labelled istio.io/rev=prod, a revision tag, which no istiod reads (istio/istio#51582). Workloads without their own policy accept plaintext (PERMISSIVE).",
          resources: [{ kind: "PeerAuthentication", namespace: "istio-system", name: "stale" }, ROOT_SYSTEM],
          fix: "Once every client has a proxy, remove istio-system/stale's istio.io/rev label, so that every istiod reads it, or apply another STRICT mesh-wide PeerAuthentication in istio-system (not named stale) that the default istiod reads (without an istio.io/rev label, or labelled istio.io/rev=default).",
        },
      ],
    },
  ])("a tag-labelled root policy: $case", ({ extra, onDefault, want }) => {
    const all = objs(extra, "{}\n", onDefault !== false);
    const o =
      onDefault === "only"
        ? all.filter((x) => !(x.kind === "Deployment" && x.metadata.namespace === "c"))
        : all;
    expect(noStrict(o)).toEqual(want);
  });

  // A revisioned default (the tag default → 1-29) and 1-30, the root policy labelled istio.io/rev=default:
  // the tag's finding (relabel to 1-29) for 1-29's workloads only; 1-30's are told it is a tag no istiod reads.
  it.each([
    { case: "workloads on 1-29 and 1-30: 1-29 gets the tag's relabel, 1-30 not", on130: true, want: 2 },
    { case: "near miss: workloads on 1-29 only: the tag's finding alone", on130: false, want: 1 },
  ])("a revisioned default, the root policy labelled with the tag default: $case", ({ on130, want }) => {
    const o: KubeObject[] = [
      namespace("istio-system"),
      namespace("a", { "istio-injection": "enabled" }),
      namespace("c", { "istio.io/rev": "1-30" }),
      tagWebhook("default", "1-29"),
      meshConfig("{}\n", "istio-system", "istio-1-29"),
      meshConfig("{}\n", "istio-system", "istio-1-30"),
      deploy("a", "app"),
      ...(on130 ? [deploy("c", "app")] : []),
      withRev(strict, "default"),
    ];
    const fs = noStrict(o);
    expect(fs).toHaveLength(want);
    const tagged = fs.find((f) =>
      f.fix?.startsWith(
        "Label istio-system/default istio.io/rev=1-29 (the revision the tag default points to)",
      ),
    );
    expect(tagged?.message).toContain(
      "no istiod reads it: its istio.io/rev label names the revision tag default",
    );
    if (on130) {
      const other = fs.find((f) => f !== tagged)!;
      expect(other.message).toBe(
        "For the workloads on revision 1-30, their istiod reads no mesh-wide PeerAuthentication in the root namespace istio-system: istio-system/default is labelled istio.io/rev=default, a revision tag, which no istiod reads (istio/istio#51582). Workloads without their own policy accept plaintext (PERMISSIVE).",
      );
      expect(other.fix).not.toContain("istio.io/rev=1-29");
      expect(other.fix).toContain("remove istio-system/default's istio.io/rev label");
    }
  });

  // An ordinary canary upgrade (the same root, no labelled policy): every istiod decides alike, so the
  // finding is the one a single istiod gives, to the byte.
  it.each([
    { case: "no mesh-wide policy", extra: [] as KubeObject[] },
    { case: "a PERMISSIVE one", extra: [peerAuth("istio-system", "default", "PERMISSIVE")] },
  ])("agreeing revisions, $case: the single-istiod finding", ({ extra }) => {
    const single = noStrict([
      namespace("istio-system", DISC),
      namespace("a", { ...DISC, "istio-injection": "enabled" }),
      deploy("a", "app"),
      meshConfig("{}\n"),
      ...extra,
    ]);
    expect(single).toHaveLength(1);
    expect(single[0]!.message).not.toContain("revision");
    expect(noStrict(objs(extra))).toEqual(single);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. One reader: which istiod revision reads a namespaced config object (readingRevision), shared by
//    ignoredByEveryIstiod (the findings silenced for an object no istiod reads) and drRevision (whose
//    settings word a DestinationRule's findings). Their answers before they shared it are kept below
//    as the reference, and compared on every case of a grid.

/** ignoredByEveryIstiod as it was before readingRevision. */
function ignoredBefore(model: MeshModel, namespace: string, revision: string | undefined): boolean {
  if (labelNamesTag(model.revisions, revision) && !model.meshByRevision.has(revision)) return true;
  if (model.discoveryViews.size === 0) return false;
  let readers = 0;
  for (const [rev, mesh] of model.meshByRevision) {
    if (!inRevision(revision, rev)) continue;
    readers++;
    if (model.discoveryViews.get(mesh)?.hidden.has(namespace) !== true) return false;
  }
  return readers > 0 || model.discoveryViews.get(model.mesh)?.hidden.has(namespace) === true;
}

/** predictEdge's readerRevision (drRevision's work) as it was before readingRevision. */
function readerBefore(model: MeshModel, dr: Pick<DestinationRule, "namespace" | "revision">): string {
  const reads = (rev: string) =>
    inRevision(dr.revision, rev) && discoveryViewFor(model, rev)?.hidden.has(dr.namespace) !== true;
  const first = model.revisions.defaultRevision ?? "";
  if (reads(first)) return first;
  for (const rev of [...model.meshByRevision.keys()].sort()) if (reads(rev)) return rev;
  return dr.revision === undefined || dr.revision === "default" ? "" : dr.revision;
}

/** `seen` selected by every selector, `hid` by none; `undeclared` has no Namespace object. */
const NAMESPACES = [namespace("istio-system", DISC), namespace("seen", DISC), namespace("hid")];
const MODELS: Record<string, KubeObject[]> = {
  "default with selectors, canary without, a tag on the canary": [
    ...NAMESPACES,
    meshConfig(SELECT),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    tagWebhook("prod-stable", "canary"),
  ],
  "default and canary both with selectors": [
    ...NAMESPACES,
    meshConfig(SELECT),
    meshConfig(SELECT, "istio-system", "istio-canary"),
  ],
  "a revisioned default (1-29, selectors) and 1-30 (none), tags default and prod": [
    ...NAMESPACES,
    meshConfig(SELECT, "istio-system", "istio-1-29"),
    meshConfig("{}\n", "istio-system", "istio-1-30"),
    tagWebhook("default", "1-29"),
    tagWebhook("prod", "1-30"),
  ],
  "no selectors, tags": [
    ...NAMESPACES,
    meshConfig("{}\n"),
    meshConfig("{}\n", "istio-system", "istio-canary"),
    tagWebhook("prod-stable", "canary"),
  ],
  "default with selectors, zeta then alpha without (input order)": [
    ...NAMESPACES,
    meshConfig(SELECT),
    meshConfig("{}\n", "istio-system", "istio-zeta"),
    meshConfig("{}\n", "istio-system", "istio-alpha"),
  ],
  "only revision configs, no default tag": [
    ...NAMESPACES,
    meshConfig(SELECT, "istio-system", "istio-canary"),
  ],
};
const LABELS = [
  undefined,
  "default",
  "canary",
  "1-29",
  "1-30",
  "prod-stable",
  "prod",
  "ghost",
  "alpha",
  "zeta",
];

describe("readingRevision: the one answer to which istiod reads a config object", () => {
  const grid = Object.entries(MODELS).flatMap(([name, objs]) => {
    const model = modelOf(objs);
    return ["seen", "hid", "undeclared"].flatMap((ns) => LABELS.map((label) => ({ name, model, ns, label })));
  });
  it.each(grid)(
    "$name, namespace $ns, istio.io/rev $label: ignoredByEveryIstiod and drRevision as before",
    ({ model, ns, label }) => {
      expect(ignoredByEveryIstiod(model, ns, label)).toBe(ignoredBefore(model, ns, label));
      expect(readingRevision(model, ns, label) === null).toBe(ignoredBefore(model, ns, label));
      // A fresh object per case: drRevision memoises per DestinationRule.
      const dr = { namespace: ns, revision: label } as DestinationRule;
      expect(drRevision(model, dr)).toBe(readerBefore(model, dr));
    },
  );

  it.each([
    {
      case: "unlabelled, seen by the default istiod: the default revision",
      model: "default with selectors, canary without, a tag on the canary",
      ns: "seen",
      label: undefined,
      want: "",
    },
    {
      case: "unlabelled, hidden from the default istiod: the canary, which sees every namespace",
      model: "default with selectors, canary without, a tag on the canary",
      ns: "hid",
      label: undefined,
      want: "canary",
    },
    {
      case: "unlabelled, hidden from both: none",
      model: "default and canary both with selectors",
      ns: "hid",
      label: undefined,
      want: null,
    },
    {
      case: "labelled with a tag: none (the raw label is compared)",
      model: "default with selectors, canary without, a tag on the canary",
      ns: "seen",
      label: "prod-stable",
      want: null,
    },
    {
      case: "near miss: labelled with the tag's revision: that revision",
      model: "default with selectors, canary without, a tag on the canary",
      ns: "seen",
      label: "canary",
      want: "canary",
    },
    {
      case: "labelled for a revision with no mesh config read, its namespace hidden by the default settings: none",
      model: "default with selectors, canary without, a tag on the canary",
      ns: "hid",
      label: "ghost",
      want: null,
    },
    {
      case: "near miss: the same in a seen namespace: that revision (on the default settings)",
      model: "default with selectors, canary without, a tag on the canary",
      ns: "seen",
      label: "ghost",
      want: "ghost",
    },
    {
      case: "two readers: the first by name, whatever the input order",
      model: "default with selectors, zeta then alpha without (input order)",
      ns: "hid",
      label: undefined,
      want: "alpha",
    },
    {
      case: "a revisioned default reads first",
      model: "a revisioned default (1-29, selectors) and 1-30 (none), tags default and prod",
      ns: "seen",
      label: undefined,
      want: "1-29",
    },
    {
      case: "istio.io/rev=default under a revisioned default names the tag: none",
      model: "a revisioned default (1-29, selectors) and 1-30 (none), tags default and prod",
      ns: "seen",
      label: "default",
      want: null,
    },
    {
      case: "an undeclared namespace (labels unknown) is taken as seen",
      model: "default and canary both with selectors",
      ns: "undeclared",
      label: undefined,
      want: "",
    },
  ])("$case", ({ model, ns, label, want }) => {
    expect(readingRevision(modelOf(MODELS[model]!), ns, label)).toBe(want);
  });
});
