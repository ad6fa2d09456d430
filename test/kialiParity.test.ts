// Kiali parity: every mTLS validation scenario of Kiali (kiali/kiali, the KIA codes of
// shared/reference/kiali.md §1.2) and every Kiali false positive on record, answered by Istio's
// real semantics (istio.md §1 PA, §2 DR, §3 auto mTLS, §4 matrix). Each row is one of Kiali's own test
// cases (its YAML fixture under tests/data/validations/, or the Go-built objects of a *_checker_test.go,
// read at the kiali/kiali commit named) or an issue's reproduction, made into a real mesh: namespaces,
// Deployments injected by their namespace label, Services, and the calls as the Prometheus text
// `handshake analyze --traffic` reads. Where Kiali's check names a real problem, Handshake must report
// it through the edge verdict and the finding that explains it, naming the objects at fault; where it
// is a false positive (auto mTLS, workload-level PAs, inherited PERMISSIVE, port-level TLS, …),
// Handshake stays silent. Kiali's fixtures use namespaces bookinfo/bar and the services details,
// reviews, ratings; where a Go test names a namespace without services ("bar") the row uses bookinfo
// and says so.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { MeshSnapshot } from "../lib/core/snapshot/schema";
import { deploy, destRule, host, injected, meshConfig, namespace, peerAuth, service, tls } from "./kit";
import { check, series, type EdgeWant, type Scenario, type Src } from "./support/docScenarios";

// ---------------------------------------------------------------------------------------------
// The mesh the rows run on

const ROOT = "istio-system";
const BI = "bookinfo";
/** bookinfo's services as in samples/bookinfo (port 9080), injected by the namespace label. */
const BOOKINFO_APPS = ["productpage", "details", "reviews", "ratings"];
const H = (name: string, ns = BI) => host(name, ns);

/** An app with its Service on 9080; `inject` forces the sidecar where the namespace does not inject. */
const app = (ns: string, name: string, port = 9080, inject = false): KubeObject[] => [
  deploy(ns, name, { ports: [port], ...(inject ? { labels: { "sidecar.istio.io/inject": "true" } } : {}) }),
  service(ns, name, [port]),
];

interface MeshOpts {
  /** enableAutoMtls in the `istio` ConfigMap; undefined: no ConfigMap key (Istio's default, true). */
  auto?: boolean;
  /** Add the injected namespace `frontend` with `web` (cross-namespace DR lookup). */
  frontend?: boolean;
  /** Add grafana (port 3000) and kiali with sidecars in the root namespace (Kiali's grafana fixtures). */
  grafana?: boolean;
}

function mesh(o: MeshOpts = {}): KubeObject[] {
  const out: KubeObject[] = [namespace(ROOT), injected(BI), ...BOOKINFO_APPS.flatMap((a) => app(BI, a))];
  if (o.auto !== undefined) out.push(meshConfig(`enableAutoMtls: ${o.auto}\n`));
  if (o.frontend) out.push(injected("frontend"), ...app("frontend", "web", 8080));
  if (o.grafana) out.push(...app(ROOT, "grafana", 3000, true), ...app(ROOT, "kiali", 20001, true));
  return out;
}

const pa = (ns: string, name: string, mode: string | null, o: Parameters<typeof peerAuth>[3] = {}) =>
  peerAuth(ns, name, mode, o);
const meshPa = (mode: string, name = "default") => pa(ROOT, name, mode);
const dr = (ns: string, name: string, h: string, mode?: string | null, extra: Record<string, unknown> = {}) =>
  destRule(ns, name, h, mode === undefined ? extra : { ...tls(mode), ...extra });
/** The AuthorizationPolicy of the KIA0105 issues: a field that needs the peer's identity. Handshake reads no AuthorizationPolicy. */
const authzNeedingIdentity = (ns: string, target: string, from: Record<string, string[]>): KubeObject => ({
  apiVersion: "security.istio.io/v1",
  kind: "AuthorizationPolicy",
  metadata: { name: `${target}-viewer`, namespace: ns },
  spec: {
    selector: { matchLabels: { app: target } },
    action: "ALLOW",
    rules: [{ from: [{ source: from }] }],
  },
});

// ---------------------------------------------------------------------------------------------
// Calls as Prometheus scrapes them (istio.md §7.1): the server's sidecar reports the security policy,
// the client's says unknown; a call a server resets or cannot decode leaves only the client's report.

type Call = [src: string, dest: string];
const src = (s: string): Src => s.split("/") as [string, string];
const atServer = (s: string, dest: string, policy: "mutual_tls" | "none") =>
  series("istio_requests_total", "destination", src(s), dest, policy, 40, "http");
const atClient = (s: string, dest: string) =>
  series("istio_requests_total", "source", src(s), dest, "unknown", 40, "http");
const mtlsCalls = (...calls: Call[]) =>
  calls.flatMap(([s, d]) => [atServer(s, d, "mutual_tls"), atClient(s, d)]);
const plainCalls = (...calls: Call[]) => calls.flatMap(([s, d]) => [atServer(s, d, "none"), atClient(s, d)]);
const failingCalls = (...calls: Call[]) => calls.map(([s, d]) => atClient(s, d));

/** bookinfo's own calls: productpage → details, productpage → reviews, reviews → ratings. */
const TO_DETAILS: Call = ["bookinfo/productpage", H("details")];
const TO_REVIEWS: Call = ["bookinfo/productpage", H("reviews")];
const BOOKINFO_CALLS: Call[] = [TO_DETAILS, TO_REVIEWS, ["bookinfo/reviews", H("ratings")]];
const NOT_REVIEWS = BOOKINFO_CALLS.filter((c) => c !== TO_REVIEWS);
const edges = (calls: Call[], verdict: string, codes: string[] = []): EdgeWant[] =>
  calls.map(([s, h]) => ({ src: s, host: h, verdict, codes }));
const times = (n: number, code: string) => Array.from({ length: n }, () => code);

// Most rows end bookinfo's three calls alike: their traffic, edges and findings come from one of these,
// so a row states only its objects, the outcome and the findings beside the edges' (`others`).
type Outcome = Pick<Scenario, "traffic" | "edges" | "findings">;
/** Every bookinfo call mTLS, clean. */
const allMtls = (...others: string[]): Outcome => ({
  traffic: mtlsCalls(...BOOKINFO_CALLS),
  edges: edges(BOOKINFO_CALLS, "mtls"),
  findings: others,
});
/** Every bookinfo call plaintext and working: an edge.plaintext each. */
const allPlaintext = (...others: string[]): Outcome => ({
  traffic: plainCalls(...BOOKINFO_CALLS),
  edges: edges(BOOKINFO_CALLS, "plaintext", ["edge.plaintext"]),
  findings: [...times(3, "edge.plaintext"), ...others],
});
/** Every bookinfo call fails (only the client reports it), each edge with `code`. */
const allBroken = (code: string, ...others: string[]): Outcome => ({
  traffic: failingCalls(...BOOKINFO_CALLS),
  edges: edges(BOOKINFO_CALLS, "broken", [code]),
  findings: [...times(3, code), ...others],
});
/** One bookinfo call fails, its edge with `code`; the other two are `rest` (plaintext: an edge.plaintext each). */
const oneBroken = (call: Call, code: string, rest: "mtls" | "plaintext", ...others: string[]): Outcome => {
  const fine = BOOKINFO_CALLS.filter((c) => c !== call);
  const plain = rest === "plaintext";
  return {
    traffic: [...failingCalls(call), ...(plain ? plainCalls : mtlsCalls)(...fine)],
    edges: [...edges([call], "broken", [code]), ...edges(fine, rest, plain ? ["edge.plaintext"] : [])],
    findings: [code, ...(plain ? times(2, "edge.plaintext") : []), ...others],
  };
};

/** Every finding with `code` names each of `refs` ("Kind ns/name") among its resources. */
function blames(code: string, ...refs: string[]) {
  return (s: MeshSnapshot) => {
    const fs = s.findings.filter((f) => f.code === code);
    expect(fs.length, `some ${code}`).toBeGreaterThan(0);
    for (const f of fs)
      expect(f.resources.map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`)).toEqual(
        expect.arrayContaining(refs),
      );
  };
}
const all =
  (...fs: ((s: MeshSnapshot) => void)[]) =>
  (s: MeshSnapshot) => {
    for (const f of fs) f(s);
  };

const KIALI = "kiali/kiali";
const MESH_PA = "PeerAuthentication istio-system/default";

// ---------------------------------------------------------------------------------------------
// KIA0401 — mesh PA STRICT without a `*.local` ISTIO_MUTUAL DR (MeshMtlsChecker,
// business/checkers/peerauthentications/mesh_mtls_checker{,_test}.go @46d51e2c). Kiali skips it when
// auto mTLS is on (#6006, PR #6009); it is satisfied by a `*.local` DR in any namespace.

const kia0401: Scenario[] = [
  {
    // TestMeshPolicymTLSEnabled, with the DR in the root namespace (the classic install). Kiali: none.
    // Istio: the root-namespace `*.local` DR is the last tier of every client's lookup (istio.md §2.4),
    // so every sidecar sends ISTIO_MUTUAL, which STRICT accepts (§4 C).
    name: "KIA0401 silent: mesh STRICT, `*.local` ISTIO_MUTUAL in the root namespace, auto mTLS off",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicymTLSEnabled`,
    objects: [...mesh({ auto: false }), meshPa("STRICT"), dr(ROOT, "default", "*.local", "ISTIO_MUTUAL")],
    ...allMtls(),
  },
  {
    // TestMeshPolicymTLSEnabled as written: the `*.local` DR lives in namespace `default`. Kiali: none
    // (any `*.local` DR satisfies KIA0401). Istio: a DR in `default` is consulted only by clients in
    // `default` and for services in `default` (push_context.go destinationRule: client namespace,
    // service namespace, root; istio.md §2.4); bookinfo's sidecars find no DR, auto mTLS is off, so
    // they send plaintext to STRICT servers (§4 B): every call fails. A Kiali false negative.
    name: "KIA0401 false negative: the `*.local` DR in namespace default covers no bookinfo call, auto mTLS off → plaintext to STRICT",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicymTLSEnabled (DR namespace default)`,
    objects: [
      ...mesh({ auto: false }),
      namespace("default"),
      meshPa("STRICT"),
      dr("default", "default", "*.local", "ISTIO_MUTUAL"),
    ],
    ...allBroken("edge.plaintext-to-strict"),
    also: blames("edge.plaintext-to-strict", MESH_PA),
  },
  {
    // TestMeshPolicyEnabledDRNamespaceWide. Kiali: KIA0401 on the mesh PA. Istio: the bookinfo DR is
    // exported (default exportTo *), so every client calling a bookinfo service sends ISTIO_MUTUAL
    // (service-namespace tier, §2.4): those calls are mTLS. A call out of bookinfo finds no DR and,
    // with auto mTLS off, is plaintext to STRICT: only that edge fails, and it is what Handshake names.
    name: "KIA0401 in part: mesh STRICT, `*.bookinfo` ISTIO_MUTUAL, auto off → bookinfo calls mTLS, the call out of bookinfo fails",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicyEnabledDRNamespaceWide`,
    objects: [
      ...mesh({ auto: false, frontend: true }),
      meshPa("STRICT"),
      dr(BI, "default", "*.bookinfo.svc.cluster.local", "ISTIO_MUTUAL"),
    ],
    traffic: [
      ...mtlsCalls(["frontend/web", H("productpage")], ["bookinfo/productpage", H("details")]),
      ...failingCalls(["bookinfo/productpage", H("web", "frontend")]),
    ],
    edges: [
      { src: "frontend/web", host: H("productpage"), verdict: "mtls", codes: [] },
      { src: "bookinfo/productpage", host: H("details"), verdict: "mtls", codes: [] },
      {
        src: "bookinfo/productpage",
        host: H("web", "frontend"),
        verdict: "broken",
        codes: ["edge.plaintext-to-strict"],
      },
    ],
    findings: ["edge.plaintext-to-strict"],
    also: blames(
      "edge.plaintext-to-strict",
      MESH_PA,
      "Deployment bookinfo/productpage",
      "Deployment frontend/web",
    ),
  },
  {
    // TestMeshPolicyEnabledDRmTLSDisabled: a namespace DR with no trafficPolicy (Kiali's `bar`, here
    // bookinfo). Kiali: KIA0401. Istio: the DR applies but sets no TLS, auto mTLS is off → plaintext
    // (cluster_tls.go buildUpstreamTLSSettings; §3.1) to STRICT servers: every call fails. True positive.
    name: "KIA0401 true: mesh STRICT, a `*.bookinfo` DR without TLS, auto off → every call plaintext to STRICT",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicyEnabledDRmTLSDisabled (bar → bookinfo)`,
    objects: [...mesh({ auto: false }), meshPa("STRICT"), dr(BI, "default", "*.bookinfo.svc.cluster.local")],
    ...allBroken("edge.plaintext-to-strict"),
    // The DR that applies sets no TLS: it is where ISTIO_MUTUAL goes (named since this suite, see KIA0204).
    also: blames("edge.plaintext-to-strict", "DestinationRule bookinfo/default", MESH_PA),
  },
  {
    // TestMeshPolicymTLSEnabledDestinationRuleMissing. Kiali: KIA0401. Istio: no DR, auto off →
    // plaintext to STRICT (§4 B, §10 "enableAutoMtls: false, no DR"). True positive.
    name: "KIA0401 true: mesh STRICT, no DR, auto mTLS off → every call fails",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicymTLSEnabledDestinationRuleMissing`,
    objects: [...mesh({ auto: false }), meshPa("STRICT")],
    ...allBroken("edge.plaintext-to-strict"),
    also: blames("edge.plaintext-to-strict", MESH_PA),
  },
  {
    // kiali#6006 (TestNoValidationsAddedWhenStrictAndAutoMtlsEnabled): the issue's mesh config with
    // `enableAutoMtls: true`. Kiali (v1.65): KIA0401 error. Istio: auto mTLS sends ISTIO_MUTUAL to
    // every endpoint labelled tlsMode=istio (§3.2, §3.3): all calls mTLS. Kiali false positive.
    name: "kiali#6006: mesh STRICT, no DR, enableAutoMtls: true → all mTLS, nothing to report",
    doc: `${KIALI}#6006; mesh_mtls_checker_test.go TestNoValidationsAddedWhenStrictAndAutoMtlsEnabled`,
    objects: [...mesh({ auto: true }), meshPa("STRICT")],
    ...allMtls(),
  },
  {
    // kiali#10235's root cause applied to KIA0401: a mesh config that leaves enableAutoMtls unset.
    // Istio's default is true (pkg/config/mesh/mesh.go DefaultMeshConfig; §3.1). All mTLS.
    name: "mesh STRICT, no DR, enableAutoMtls unset (Istio's default: on) → all mTLS",
    doc: `${KIALI}#10235 (unset enableAutoMtls read as false), applied to MeshMtlsChecker`,
    objects: [...mesh(), meshConfig("trustDomain: cluster.local\n"), meshPa("STRICT")],
    ...allMtls(),
  },
  {
    // TestMeshPolicymTLSDisabledDestinationRulePresent. Kiali: none. Istio: ISTIO_MUTUAL to
    // PERMISSIVE servers is mTLS (§4 C). Silent.
    name: "KIA0401 silent: mesh PERMISSIVE with `*.local` ISTIO_MUTUAL, auto off → mTLS",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicymTLSDisabledDestinationRulePresent`,
    objects: [...mesh({ auto: false }), meshPa("PERMISSIVE"), dr(ROOT, "default", "*.local", "ISTIO_MUTUAL")],
    ...allMtls(),
  },
  {
    // TestMeshPolicymTLSDisabledDestinationRuleMissing. Kiali: none. Istio: with auto mTLS off and no
    // DR every sidecar sends plaintext; PERMISSIVE accepts it (§4 B). Nothing breaks, but the whole
    // mesh is plaintext between sidecars: Handshake warns per edge and names the namespace's
    // plaintext clients (pa.permissive), which Kiali never says.
    name: "KIA0401 silent, Kiali misses it: mesh PERMISSIVE, no DR, auto off → every call plaintext",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicymTLSDisabledDestinationRuleMissing`,
    objects: [...mesh({ auto: false }), meshPa("PERMISSIVE")],
    ...allPlaintext("pa.permissive"),
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0501 — namespace PA STRICT without a namespace or `*.local` ISTIO_MUTUAL DR (NamespaceMtlsChecker,
// namespace_mtls_checker{,_test}.go @6143ecdf; Kiali's namespace `bar` is bookinfo here).

const kia0501: Scenario[] = [
  {
    // TestPeerAuthnmTLSEnabled. Kiali: KIA0501. Istio: the namespace DR sets no TLS, auto off →
    // plaintext to STRICT (§4 B). True positive: every call into bookinfo fails.
    name: "KIA0501 true: bookinfo STRICT, `*.bookinfo` DR without TLS, auto off → every call fails",
    doc: `${KIALI} namespace_mtls_checker_test.go TestPeerAuthnmTLSEnabled`,
    objects: [
      ...mesh({ auto: false }),
      pa(BI, "default", "STRICT"),
      dr(BI, "default", "*.bookinfo.svc.cluster.local"),
    ],
    ...allBroken("edge.plaintext-to-strict"),
    also: blames(
      "edge.plaintext-to-strict",
      "DestinationRule bookinfo/default",
      "PeerAuthentication bookinfo/default",
    ),
  },
  {
    // TestPolicyEnabledDRmTLSEnabled. Kiali: none. Istio: ISTIO_MUTUAL to STRICT. Silent.
    name: "KIA0501 silent: bookinfo STRICT with `*.bookinfo` ISTIO_MUTUAL, auto off → mTLS",
    doc: `${KIALI} namespace_mtls_checker_test.go TestPolicyEnabledDRmTLSEnabled`,
    objects: [
      ...mesh({ auto: false }),
      pa(BI, "default", "STRICT"),
      dr(BI, "default", "*.bookinfo.svc.cluster.local", "ISTIO_MUTUAL"),
    ],
    ...allMtls(),
  },
  {
    // TestPolicyEnabledDRmTLSMeshWideEnabled: the `*.local` DR in the PA's own namespace. Kiali: none.
    // Istio: bookinfo's clients take it from their own namespace (tier 1), frontend's calls into
    // bookinfo from the service's namespace (tier 2, exported), and bookinfo → frontend again from the
    // client's namespace: every call ISTIO_MUTUAL (§2.4). Silent.
    name: "KIA0501 silent: bookinfo STRICT, `*.local` ISTIO_MUTUAL in bookinfo, auto off → mTLS both ways across namespaces",
    doc: `${KIALI} namespace_mtls_checker_test.go TestPolicyEnabledDRmTLSMeshWideEnabled`,
    objects: [
      ...mesh({ auto: false, frontend: true }),
      pa(BI, "default", "STRICT"),
      dr(BI, "default", "*.local", "ISTIO_MUTUAL"),
    ],
    traffic: mtlsCalls(
      ["frontend/web", H("productpage")],
      ["bookinfo/productpage", H("web", "frontend")],
      ...BOOKINFO_CALLS,
    ),
    edges: [
      ...edges(
        [
          ["frontend/web", H("productpage")],
          ["bookinfo/productpage", H("web", "frontend")],
        ],
        "mtls",
      ),
      ...edges(BOOKINFO_CALLS, "mtls"),
    ],
    findings: [],
  },
  {
    // TestPolicyPermissive. Kiali: none. Istio: the DR sets no TLS, auto off → plaintext, which
    // PERMISSIVE accepts: nothing breaks, every call is plaintext, and Handshake says so.
    name: "KIA0501 silent, Kiali misses it: bookinfo PERMISSIVE, `*.bookinfo` DR without TLS, auto off → plaintext",
    doc: `${KIALI} namespace_mtls_checker_test.go TestPolicyPermissive`,
    objects: [
      ...mesh({ auto: false }),
      pa(BI, "default", "PERMISSIVE"),
      dr(BI, "default", "*.bookinfo.svc.cluster.local"),
    ],
    ...allPlaintext("pa.permissive"),
    also: all(
      blames("pa.permissive", "PeerAuthentication bookinfo/default"),
      blames("edge.plaintext", "DestinationRule bookinfo/default"),
    ),
  },
  {
    // TestNoNamespaceWideValidationsAddedWhenStrictAndAutoMtlsEnabled (the namespace counterpart of
    // #6006). Kiali: none once auto mTLS is honoured. Istio: auto mTLS → mTLS. Silent.
    name: "KIA0501 with auto mTLS on: bookinfo STRICT, no DR → mTLS",
    doc: `${KIALI} namespace_mtls_checker_test.go TestNoNamespaceWideValidationsAddedWhenStrictAndAutoMtlsEnabled`,
    objects: [...mesh({ auto: true }), pa(BI, "default", "STRICT")],
    ...allMtls(),
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0506 — mesh PA DISABLE while a `*.local` DR enables mTLS (DisabledMeshWideChecker,
// tests/data/validations/peerauthentications/disabled_meshwide_checker_{1..3}.yaml @8514658a/3f4768fd).
// The fixtures' grafana objects come with a grafana (port 3000) and a kiali that calls it, both with
// sidecars, in istio-system.

const GRAFANA_ROOT_PA = pa(ROOT, "grafana-ports-mtls-disabled", null, {
  selector: { app: "grafana" },
  ports: { "3000": "DISABLE" },
});
const GRAFANA_CALL: Call = ["istio-system/kiali", H("grafana", ROOT)];

const kia0506: Scenario[] = [
  {
    // disabled_meshwide_checker_1.yaml. Kiali: none (the `*.local` DR is DISABLE). Istio: (1) the
    // root-namespace PA with a selector is ignored (policy_applier_test.go "ignore non-emptypb selector
    // in root namespace"; §1.2); (2) grafana-enable-mtls (exact host, ISTIO_MUTUAL) beats `*.local`
    // (MostSpecificHostMatch, §2.4), so kiali's sidecar sends Istio mTLS to grafana, whose port is
    // DISABLE under the mesh PA: the TLS bytes hit a plaintext chain (§4 C × DISABLE), the call fails.
    // Kiali misses both. bookinfo's calls are plaintext by the `*.local` DISABLE, as the mesh intends.
    name: "disabled_meshwide_checker_1: mesh DISABLE + `*.local` DISABLE; the grafana DR's ISTIO_MUTUAL breaks kiali → grafana",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_meshwide_checker_1.yaml`,
    objects: [
      ...mesh({ grafana: true }),
      meshPa("DISABLE", "disable-mesh-mtls"),
      GRAFANA_ROOT_PA,
      dr(ROOT, "disable-mesh-mtls", "*.local", "DISABLE"),
      dr(ROOT, "grafana-enable-mtls", H("grafana", ROOT), "ISTIO_MUTUAL"),
    ],
    traffic: [...plainCalls(...BOOKINFO_CALLS), ...failingCalls(GRAFANA_CALL)],
    edges: [
      ...edges(BOOKINFO_CALLS, "plaintext", ["edge.plaintext"]),
      ...edges([GRAFANA_CALL], "broken", ["edge.mtls-to-disable"]),
    ],
    findings: [
      ...times(3, "edge.plaintext"),
      "edge.mtls-to-disable",
      "pa.disable",
      "pa.root-selector-ignored",
    ],
    also: all(
      blames(
        "edge.mtls-to-disable",
        "DestinationRule istio-system/grafana-enable-mtls",
        "PeerAuthentication istio-system/disable-mesh-mtls",
      ),
      blames("pa.root-selector-ignored", "PeerAuthentication istio-system/grafana-ports-mtls-disabled"),
    ),
  },
  {
    // disabled_meshwide_checker_2.yaml. Kiali: KIA0506 on the mesh PA. Istio: bookinfo's `*.local`
    // ISTIO_MUTUAL is its clients' first tier: they send mTLS to DISABLE servers, every bookinfo call
    // fails (§4 C × DISABLE); so does kiali → grafana. True positive, and Handshake names the DR.
    name: "disabled_meshwide_checker_2: mesh DISABLE + `*.local` ISTIO_MUTUAL in bookinfo → bookinfo's calls fail (KIA0506 true)",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_meshwide_checker_2.yaml`,
    objects: [
      ...mesh({ grafana: true }),
      meshPa("DISABLE", "disable-mesh-mtls"),
      GRAFANA_ROOT_PA,
      dr(BI, "enable-mesh-mtls", "*.local", "ISTIO_MUTUAL"),
      dr(ROOT, "grafana-enable-mtls", H("grafana", ROOT), "ISTIO_MUTUAL"),
    ],
    traffic: failingCalls(...BOOKINFO_CALLS, GRAFANA_CALL),
    edges: edges([...BOOKINFO_CALLS, GRAFANA_CALL], "broken", ["edge.mtls-to-disable"]),
    findings: [...times(4, "edge.mtls-to-disable"), "pa.disable", "pa.root-selector-ignored"],
    also: (s) => {
      const bookinfoEdges = s.findings.filter(
        (f) => f.code === "edge.mtls-to-disable" && f.edge?.startsWith("bookinfo/"),
      );
      expect(bookinfoEdges.map((f) => f.resources[0])).toEqual(
        Array.from({ length: 3 }, () => ({
          kind: "DestinationRule",
          namespace: BI,
          name: "enable-mesh-mtls",
        })),
      );
    },
  },
  {
    // disabled_meshwide_checker_3.yaml. Kiali: none. Istio: mesh DISABLE, auto mTLS sends plaintext
    // (the namespace-level mode is DISABLE, §3.2) and grafana's DR says DISABLE: plaintext everywhere,
    // as the policy intends. Handshake reports the DISABLE and the plaintext edges, nothing broken.
    name: "disabled_meshwide_checker_3: mesh DISABLE + grafana DR DISABLE → plaintext everywhere, nothing broken",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_meshwide_checker_3.yaml`,
    objects: [
      ...mesh({ grafana: true }),
      meshPa("DISABLE", "disable-mesh-mtls"),
      dr(ROOT, "grafana-enable-mtls", H("grafana", ROOT), "DISABLE"),
    ],
    traffic: plainCalls(...BOOKINFO_CALLS, GRAFANA_CALL),
    edges: edges([...BOOKINFO_CALLS, GRAFANA_CALL], "plaintext", ["edge.plaintext"]),
    findings: [...times(4, "edge.plaintext"), "pa.disable"],
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0505 — namespace PA DISABLE while a namespace or `*.local` DR enables mTLS
// (DisabledNamespaceWideChecker; disabled_namespacewide_checker_{1..6}.yaml, test @7b601e07).

const NS_DISABLE = pa(BI, "disable-mtls-bookinfo", "DISABLE");
const DETAILS_MTLS = dr(BI, "details-enable-mtls", "details", "ISTIO_MUTUAL");
const NS_DISABLE_PA = "PeerAuthentication bookinfo/disable-mtls-bookinfo";

const kia0505: Scenario[] = [
  {
    // _1.yaml. Kiali: none (a namespace DR in DISABLE stops the scan). Istio: the `details` DR (short
    // host → details.bookinfo.svc.cluster.local, ResolveShortnameToFQDN) is an exact match and beats
    // `*.bookinfo` (§2.4): callers send ISTIO_MUTUAL to a DISABLE server and fail. A Kiali false negative.
    name: "disabled_namespacewide_checker_1: bookinfo DISABLE + `*.bookinfo` DISABLE; the details DR's ISTIO_MUTUAL breaks → details",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_namespacewide_checker_1.yaml`,
    objects: [
      ...mesh(),
      NS_DISABLE,
      dr(BI, "disable-mtls-bookinfo", "*.bookinfo.svc.cluster.local", "DISABLE"),
      DETAILS_MTLS,
    ],
    ...oneBroken(TO_DETAILS, "edge.mtls-to-disable", "plaintext", "pa.disable"),
    also: blames("edge.mtls-to-disable", "DestinationRule bookinfo/details-enable-mtls", NS_DISABLE_PA),
  },
  {
    // _2.yaml. Kiali: KIA0505. Istio: every bookinfo service gets ISTIO_MUTUAL (namespace DR or the
    // details DR) and is DISABLE: every call fails. True positive.
    name: "disabled_namespacewide_checker_2: bookinfo DISABLE + `*.bookinfo` ISTIO_MUTUAL → every call fails (KIA0505 true)",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_namespacewide_checker_2.yaml`,
    objects: [
      ...mesh(),
      NS_DISABLE,
      dr(BI, "bookinfo-enable-mtls", "*.bookinfo.svc.cluster.local", "ISTIO_MUTUAL"),
      DETAILS_MTLS,
    ],
    ...allBroken("edge.mtls-to-disable", "pa.disable"),
    also: blames("edge.mtls-to-disable", NS_DISABLE_PA),
  },
  {
    // _3.yaml. Kiali: none (the mesh DR is DISABLE). Istio: as _1, the details DR sends ISTIO_MUTUAL
    // to a DISABLE server. A Kiali false negative.
    name: "disabled_namespacewide_checker_3: bookinfo DISABLE + `*.local` DISABLE; the details DR still breaks → details",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_namespacewide_checker_3.yaml`,
    objects: [...mesh(), NS_DISABLE, dr(ROOT, "disable-mesh-mtls", "*.local", "DISABLE"), DETAILS_MTLS],
    ...oneBroken(TO_DETAILS, "edge.mtls-to-disable", "plaintext", "pa.disable"),
    also: blames("edge.mtls-to-disable", "DestinationRule bookinfo/details-enable-mtls", NS_DISABLE_PA),
  },
  {
    // _4.yaml. Kiali: KIA0505. Istio: the root `*.local` ISTIO_MUTUAL reaches reviews and ratings, the
    // details DR details: every call is Istio mTLS to a DISABLE server. True positive.
    name: "disabled_namespacewide_checker_4: bookinfo DISABLE + `*.local` ISTIO_MUTUAL → every call fails (KIA0505 true)",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_namespacewide_checker_4.yaml`,
    objects: [...mesh(), NS_DISABLE, dr(ROOT, "enable-mesh-mtls", "*.local", "ISTIO_MUTUAL"), DETAILS_MTLS],
    ...allBroken("edge.mtls-to-disable", "pa.disable"),
    also: blames("edge.mtls-to-disable", NS_DISABLE_PA),
  },
  {
    // _5.yaml. Kiali: none. Istio: no DR; auto mTLS reads the namespace-level DISABLE and sends
    // plaintext (BestEffortInferServiceMTLSMode, §3.2): plaintext, as the policy says.
    name: "disabled_namespacewide_checker_5: bookinfo DISABLE, no DR → auto mTLS sends plaintext, nothing broken",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_namespacewide_checker_5.yaml`,
    objects: [...mesh(), NS_DISABLE],
    ...allPlaintext("pa.disable"),
  },
  {
    // _6.yaml (and disabled_namespacewide_mtls_checker_test.go TestMtlsStrictNsDisable, the same
    // objects). Kiali: none. Istio: inside bookinfo and from frontend into bookinfo the namespace DR
    // (client tier, then the service's namespace tier) says DISABLE to DISABLE servers: plaintext,
    // working. bookinfo → frontend matches no bookinfo DR and takes the root `*.local` ISTIO_MUTUAL:
    // mTLS to STRICT. Right on both counts.
    name: "disabled_namespacewide_checker_6: mesh STRICT + `*.local` ISTIO_MUTUAL, bookinfo DISABLE + `*.bookinfo` DISABLE → consistent",
    doc: `${KIALI} tests/data/validations/peerauthentications/disabled_namespacewide_checker_6.yaml`,
    objects: [
      ...mesh({ frontend: true }),
      NS_DISABLE,
      meshPa("STRICT", "mtls-mesh"),
      dr(ROOT, "enable-mesh-mtls", "*.local", "ISTIO_MUTUAL"),
      dr(BI, "bookinfo-disable-mtls", "*.bookinfo.svc.cluster.local", "DISABLE"),
    ],
    traffic: [
      ...plainCalls(...BOOKINFO_CALLS, ["frontend/web", H("productpage")]),
      ...mtlsCalls(["bookinfo/productpage", H("web", "frontend")]),
    ],
    edges: [
      ...edges([...BOOKINFO_CALLS, ["frontend/web", H("productpage")]], "plaintext", ["edge.plaintext"]),
      ...edges([["bookinfo/productpage", H("web", "frontend")]], "mtls"),
    ],
    findings: [...times(4, "edge.plaintext"), "pa.disable"],
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0205 / KIA0206 — an ISTIO_MUTUAL wildcard DR without a PA enabling mTLS
// (MeshWideMTLSChecker, NamespaceWideMTLSChecker; meshwide_mtls_checker_test.go @1429396f,
// namespacewide_mtls_checker_test.go @0c9e92c3). Since PR #10190 (kiali#10188) skipped with auto mTLS on.
// Istio needs no PA for ISTIO_MUTUAL: no PA is PERMISSIVE (ComposePeerAuthentication, §1.4), which
// takes Istio mTLS (§4 C). So both are false positives with auto mTLS on or off.

const kia0205: Scenario[] = [true, false].map((auto) => ({
  name: `KIA0205 false positive: \`*.local\` ISTIO_MUTUAL in the root namespace, no PA, auto mTLS ${auto ? "on (kiali#10188)" : "off"} → mTLS`,
  doc: `${KIALI} meshwide_mtls_checker_test.go TestMTLSMeshWideDREnabledWithNoMeshPolicy${auto ? "; kiali#10188" : ""}`,
  objects: [...mesh({ auto }), dr(ROOT, "dr-mtls", "*.local", "ISTIO_MUTUAL")],
  ...allMtls(),
}));

const kia0206: Scenario[] = [
  ...[true, false].map((auto) => ({
    name: `KIA0206 false positive: \`*.bookinfo\` ISTIO_MUTUAL, no PA, auto mTLS ${auto ? "on (kiali#10188)" : "off"} → mTLS`,
    doc: `${KIALI} namespacewide_mtls_checker_test.go TestMTLSNsWideDREnabledWithoutPolicy${auto ? "; kiali#10188" : ""}`,
    objects: [...mesh({ auto }), dr(BI, "dr-mtls", "*.bookinfo.svc.cluster.local", "ISTIO_MUTUAL")],
    ...allMtls(),
  })),
  {
    // TestMTLSNshWideDREnabledWithNsPolicyPermissive. Kiali: none. Istio: mTLS. Silent.
    name: "KIA0206 silent: `*.bookinfo` ISTIO_MUTUAL with bookinfo PERMISSIVE → mTLS",
    doc: `${KIALI} namespacewide_mtls_checker_test.go TestMTLSNshWideDREnabledWithNsPolicyPermissive`,
    objects: [
      ...mesh({ auto: false }),
      pa(BI, "default", "PERMISSIVE"),
      dr(BI, "dr-mtls", "*.bookinfo.svc.cluster.local", "ISTIO_MUTUAL"),
    ],
    ...allMtls(),
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0207 / KIA0208 — a DR disabling TLS where a PA is STRICT (DisabledNamespaceWideMTLSChecker,
// disabled_namespacewide_mtls_checker_test.go @0c9e92c3, each run with auto mTLS off and on;
// DisabledMeshWideMTLSChecker, tests/data/validations/destinationrules/disabled_meshwide_checker_{1..4}.yaml).
// An explicit DR TLS replaces auto mTLS whatever enableAutoMtls says (§3.5), so the on and off runs
// give the same edges.

const NS_DR_DISABLE = dr(BI, "disable-mtls", "*.bookinfo.svc.cluster.local", "DISABLE");

/** One of the DR-DISABLE cases, run with auto mTLS on and off as Kiali's test does. */
function bothAuto(
  base: Omit<Scenario, "name" | "objects"> & { name: string; objects: KubeObject[] },
): Scenario[] {
  return [true, false].map((auto) => ({
    ...base,
    name: `${base.name} (auto mTLS ${auto ? "on" : "off"})`,
    objects: [...mesh({ auto }), ...base.objects],
  }));
}

const kia0207: Scenario[] = [
  // TestDRNSWideDisablingTLSPolicyStrict. Kiali: KIA0207 on the DR. Istio: DR DISABLE → plaintext to
  // STRICT (§4 B): every call fails. True positive; Handshake names the DR and the PA.
  ...bothAuto({
    name: "KIA0207 true: `*.bookinfo` DISABLE with bookinfo STRICT → every call fails",
    doc: `${KIALI} disabled_namespacewide_mtls_checker_test.go TestDRNSWideDisablingTLSPolicyStrict`,
    objects: [pa(BI, "default", "STRICT"), NS_DR_DISABLE],
    ...allBroken("edge.plaintext-to-strict"),
    also: blames(
      "edge.plaintext-to-strict",
      "DestinationRule bookinfo/disable-mtls",
      "PeerAuthentication bookinfo/default",
    ),
  }),
  // TestDRNSWideDisablingTLSPolicyPermissive. Kiali: none. Istio: plaintext to PERMISSIVE works.
  ...bothAuto({
    name: "KIA0207 silent: `*.bookinfo` DISABLE with bookinfo PERMISSIVE → plaintext, working",
    doc: `${KIALI} disabled_namespacewide_mtls_checker_test.go TestDRNSWideDisablingTLSPolicyPermissive`,
    objects: [pa(BI, "default", "PERMISSIVE"), NS_DR_DISABLE],
    ...allPlaintext("pa.permissive"),
  }),
];

const kia0208: Scenario[] = [
  // TestDRNSWideDisablingTLSMeshPolicyStrict. Kiali: KIA0208 (route a). Istio: the namespace inherits
  // the mesh STRICT (§1.4): plaintext to STRICT, every call fails. True positive; names the mesh PA.
  ...bothAuto({
    name: "KIA0208 true: `*.bookinfo` DISABLE under a mesh STRICT → every call fails",
    doc: `${KIALI} disabled_namespacewide_mtls_checker_test.go TestDRNSWideDisablingTLSMeshPolicyStrict`,
    objects: [meshPa("STRICT"), NS_DR_DISABLE],
    ...allBroken("edge.plaintext-to-strict"),
    also: blames("edge.plaintext-to-strict", "DestinationRule bookinfo/disable-mtls", MESH_PA),
  }),
  {
    // TestDRNSWideDisablingTLSPolicyPermissiveMeshStrict. Kiali: none. Istio: the namespace PA
    // overrides the mesh (§1.4 step 4): PERMISSIVE takes the plaintext.
    name: "KIA0208 silent: `*.bookinfo` DISABLE, bookinfo PERMISSIVE under a mesh STRICT → plaintext, working",
    doc: `${KIALI} disabled_namespacewide_mtls_checker_test.go TestDRNSWideDisablingTLSPolicyPermissiveMeshStrict`,
    objects: [...mesh(), meshPa("STRICT"), pa(BI, "default", "PERMISSIVE"), NS_DR_DISABLE],
    ...allPlaintext("pa.permissive"),
  },
  {
    // TestDRNSWideDisablingTLSPolicyDisable. Kiali: none. Istio: plaintext to DISABLE. Consistent.
    name: "KIA0207 silent: `*.bookinfo` DISABLE with bookinfo DISABLE → plaintext, working",
    doc: `${KIALI} disabled_namespacewide_mtls_checker_test.go TestDRNSWideDisablingTLSPolicyDisable`,
    objects: [...mesh(), pa(BI, "default", "DISABLE"), NS_DR_DISABLE],
    ...allPlaintext("pa.disable"),
  },
  {
    // TestDRNSWideDisablingTLSMeshPolicyPermissive and TestDRNSWideDisablingTLSWithoutPolicy. Kiali:
    // none. Istio: no STRICT anywhere, plaintext accepted.
    name: "KIA0208 silent: `*.bookinfo` DISABLE under a mesh PERMISSIVE → plaintext, working",
    doc: `${KIALI} disabled_namespacewide_mtls_checker_test.go TestDRNSWideDisablingTLSMeshPolicyPermissive`,
    objects: [...mesh(), meshPa("PERMISSIVE"), NS_DR_DISABLE],
    ...allPlaintext("pa.permissive"),
  },
  {
    // destinationrules/disabled_meshwide_checker_1.yaml. Kiali: none. Istio: DISABLE both sides.
    name: "DR disabled_meshwide_checker_1: `*.local` DISABLE with mesh DISABLE → plaintext, consistent",
    doc: `${KIALI} tests/data/validations/destinationrules/disabled_meshwide_checker_1.yaml`,
    objects: [
      ...mesh(),
      dr(ROOT, "disable-mesh-mtls", "*.local", "DISABLE"),
      meshPa("DISABLE", "disable-mesh-mtls"),
    ],
    ...allPlaintext("pa.disable"),
  },
  {
    // destinationrules/disabled_meshwide_checker_2.yaml. Kiali: KIA0208 (route b). Istio: bookinfo's
    // `*.local` DISABLE is the first tier for bookinfo's clients and, exported, the service-namespace
    // tier for frontend calling bookinfo: plaintext to STRICT, those calls fail. True positive. A
    // frontend → frontend call is untouched (auto mTLS).
    name: "DR disabled_meshwide_checker_2: `*.local` DISABLE in bookinfo under a mesh STRICT → calls by and into bookinfo fail",
    doc: `${KIALI} tests/data/validations/destinationrules/disabled_meshwide_checker_2.yaml`,
    objects: [
      ...mesh({ frontend: true }),
      ...app("frontend", "api", 8080),
      dr(BI, "disable-mesh-mtls", "*.local", "DISABLE"),
      meshPa("STRICT", "disable-mesh-mtls"),
    ],
    traffic: [
      ...failingCalls(
        ...BOOKINFO_CALLS,
        ["frontend/web", H("productpage")],
        ["bookinfo/productpage", H("web", "frontend")],
      ),
      ...mtlsCalls(["frontend/web", H("api", "frontend")]),
    ],
    edges: [
      ...edges(
        [
          ...BOOKINFO_CALLS,
          ["frontend/web", H("productpage")],
          ["bookinfo/productpage", H("web", "frontend")],
        ],
        "broken",
        ["edge.plaintext-to-strict"],
      ),
      { src: "frontend/web", host: H("api", "frontend"), verdict: "mtls", codes: [] },
    ],
    findings: times(5, "edge.plaintext-to-strict"),
    also: blames(
      "edge.plaintext-to-strict",
      "DestinationRule bookinfo/disable-mesh-mtls",
      "PeerAuthentication istio-system/disable-mesh-mtls",
    ),
  },
  {
    // destinationrules/disabled_meshwide_checker_3.yaml, with the grafana the PA selects deployed in
    // bookinfo. Kiali: none. Istio: `*.local` DISABLE → plaintext; no mesh PA, so PERMISSIVE takes it,
    // and grafana is DISABLE by its own PA. Working, plaintext, as configured.
    name: "DR disabled_meshwide_checker_3: `*.local` DISABLE, only a grafana workload PA DISABLE → plaintext, working",
    doc: `${KIALI} tests/data/validations/destinationrules/disabled_meshwide_checker_3.yaml`,
    objects: [
      ...mesh(),
      ...app(BI, "grafana", 3000),
      dr(ROOT, "mesh-enable-mtls", "*.local", "DISABLE"),
      pa(BI, "disable-grafana-mtls", "DISABLE", { selector: { app: "grafana" } }),
    ],
    traffic: plainCalls(...BOOKINFO_CALLS, ["bookinfo/productpage", H("grafana")]),
    edges: edges([...BOOKINFO_CALLS, ["bookinfo/productpage", H("grafana")]], "plaintext", [
      "edge.plaintext",
    ]),
    findings: [...times(4, "edge.plaintext"), "pa.disable", "pa.permissive"],
  },
  {
    // destinationrules/disabled_meshwide_checker_4.yaml. Kiali: none. Istio: plaintext to PERMISSIVE.
    name: "DR disabled_meshwide_checker_4: `*.local` DISABLE in bookinfo under a mesh PERMISSIVE → plaintext, working",
    doc: `${KIALI} tests/data/validations/destinationrules/disabled_meshwide_checker_4.yaml`,
    objects: [
      ...mesh(),
      dr(BI, "enable-mesh-mtls", "*.local", "DISABLE"),
      meshPa("PERMISSIVE", "permissive-mesh-mtls"),
    ],
    ...allPlaintext("pa.permissive"),
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0204 — a more specific DR without TLS "overrides" a mesh or namespace ISTIO_MUTUAL DR
// (TrafficPolicyChecker, traffic_policy_checker_test.go @0c9e92c3). Istio: DRs do not merge across
// hosts; the most specific host of the first tier that matches applies (MostSpecificHostMatch,
// push_context.go destinationRule; §2.4). A wildcard default refined per host is how DRs are meant to be
// written, so this is no dr.shadowed (that code is for a first-tier DR hiding an at-least-as-specific one,
// rules/destinationRule.ts drShadowed). What matters is what clients then send: a DR without TLS leaves
// the port to auto mTLS (§3.1), which sends Istio mTLS to sidecars anyway. Only with auto mTLS off does
// the override change the bytes, and then the edge says so.

const MESH_DRS = [
  dr(ROOT, "default", "*.local", "ISTIO_MUTUAL"),
  dr(BI, "default", "*.bookinfo.svc.cluster.local", "ISTIO_MUTUAL"),
];
const LB = { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } };
const PORT_LB = {
  trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: "ROUND_ROBIN" } }] },
};

const kia0204: Scenario[] = [
  {
    // TestMTLSMeshWideEnabledDRWithoutTrafficPolicy, auto mTLS on. Kiali: KIA0204 warning on reviews.
    // Istio: reviews' DR applies with no TLS → auto mTLS → Istio mTLS to its sidecar. False positive.
    name: "KIA0204 false positive: reviews DR without trafficPolicy under `*.local`/`*.bookinfo` ISTIO_MUTUAL, auto on → mTLS",
    doc: `${KIALI} traffic_policy_checker_test.go TestMTLSMeshWideEnabledDRWithoutTrafficPolicy`,
    objects: [...mesh(), meshPa("STRICT"), ...MESH_DRS, dr(BI, "reviews", "reviews")],
    ...allMtls(),
  },
  {
    // The same with auto mTLS off (Kiali's check is not gated on it). Istio: reviews' DR sets no TLS
    // and auto mTLS is off → plaintext to STRICT: productpage → reviews fails. Here the override is a
    // real problem, and Handshake names reviews' DR on the edge.
    name: "KIA0204 true with auto mTLS off: reviews DR without TLS → productpage → reviews plaintext to STRICT",
    doc: `${KIALI} traffic_policy_checker_test.go TestMTLSMeshWideEnabledDRWithoutTrafficPolicy (auto off)`,
    objects: [...mesh({ auto: false }), meshPa("STRICT"), ...MESH_DRS, dr(BI, "reviews", "reviews")],
    ...oneBroken(TO_REVIEWS, "edge.plaintext-to-strict", "mtls"),
    // Before this suite the edge named no DR ("no DestinationRule sets TLS") and the fix said to add
    // one, which a second DR for reviews in bookinfo would not do (merged, the oldest policy wins).
    also: all(blames("edge.plaintext-to-strict", "DestinationRule bookinfo/reviews", MESH_PA), (s) => {
      const f = s.findings.find((x) => x.code === "edge.plaintext-to-strict")!;
      expect(f.message).toContain(
        "DestinationRule bookinfo/reviews, the one that applies to reviews.bookinfo.svc.cluster.local, sets no TLS",
      );
      expect(f.fix).toMatch(/^Set tls\.mode ISTIO_MUTUAL in DestinationRule bookinfo\/reviews, /);
    }),
  },
  {
    // TestMTLSMeshWideEnabledDRWithoutmTLSOptions (a loadBalancer-only trafficPolicy). Kiali: KIA0204.
    // Istio: as above, auto mTLS → mTLS. False positive.
    name: "KIA0204 false positive: reviews DR with only a loadBalancer, auto on → mTLS",
    doc: `${KIALI} traffic_policy_checker_test.go TestMTLSMeshWideEnabledDRWithoutmTLSOptions`,
    objects: [
      ...mesh(),
      meshPa("STRICT"),
      dr(BI, "default", "*.local", "ISTIO_MUTUAL"),
      dr(BI, "reviews", "reviews", undefined, LB),
    ],
    ...allMtls(),
  },
  {
    // TestMTLSMeshWideEnabledDRWithoutPortLevelmTLSOptions (a port-level loadBalancer for 9080).
    // Kiali: KIA0204. Istio: the port-level entry replaces the policy for 9080, without TLS → auto
    // mTLS (GetPortLevelTrafficPolicy; §2.3) → mTLS. False positive.
    name: "KIA0204 false positive: reviews DR with a port-level loadBalancer on 9080, auto on → mTLS",
    doc: `${KIALI} traffic_policy_checker_test.go TestMTLSMeshWideEnabledDRWithoutPortLevelmTLSOptions`,
    objects: [
      ...mesh(),
      meshPa("STRICT"),
      dr(BI, "default", "*.local", "ISTIO_MUTUAL"),
      dr(BI, "reviews", "reviews", undefined, PORT_LB),
    ],
    ...allMtls(),
  },
  {
    // TestMTLSMeshWideEnabledDRWithPortLevelTLSTrafficPolicy (port 9080 tls SIMPLE). Kiali: none (TLS is
    // set). Istio: SIMPLE is the client's own TLS without a client certificate: a STRICT sidecar
    // requires an Istio client certificate (§4 E) and the call fails. A Kiali false negative: Handshake
    // reports the edge (edge.tls-mismatch) and the DR (dr.non-istio-tls-to-mesh).
    name: "KIA0204 false negative: reviews DR port 9080 tls SIMPLE under mesh STRICT → productpage → reviews fails",
    doc: `${KIALI} traffic_policy_checker_test.go TestMTLSMeshWideEnabledDRWithPortLevelTLSTrafficPolicy`,
    objects: [
      ...mesh(),
      meshPa("STRICT"),
      dr(BI, "default", "*.local", "ISTIO_MUTUAL"),
      dr(BI, "reviews", "reviews", undefined, {
        trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, tls: { mode: "SIMPLE" } }] },
      }),
    ],
    ...oneBroken(TO_REVIEWS, "edge.tls-mismatch", "mtls", "dr.non-istio-tls-to-mesh"),
    also: all(
      blames("edge.tls-mismatch", "DestinationRule bookinfo/reviews"),
      blames("dr.non-istio-tls-to-mesh", "DestinationRule bookinfo/reviews"),
    ),
  },
  {
    // TestCrossNamespaceProtection: a loadBalancer-only DR for reviews.other under bookinfo's
    // `*.bookinfo` ISTIO_MUTUAL. Kiali: none. Istio: different hosts; auto mTLS for reviews.other. Silent.
    name: "KIA0204 silent: DR for reviews.other without TLS next to `*.bookinfo` ISTIO_MUTUAL → mTLS",
    doc: `${KIALI} traffic_policy_checker_test.go TestCrossNamespaceProtection`,
    objects: [
      ...mesh(),
      injected("other"),
      ...app("other", "reviews"),
      dr(BI, "default", "*.bookinfo.svc.cluster.local", "ISTIO_MUTUAL"),
      dr("other", "reviews", H("reviews", "other"), undefined, LB),
    ],
    traffic: mtlsCalls(["bookinfo/productpage", H("reviews", "other")], ...BOOKINFO_CALLS),
    edges: edges([["bookinfo/productpage", H("reviews", "other")], ...BOOKINFO_CALLS], "mtls"),
    findings: [],
  },
  {
    // kiali#1963: Istio 1.4's istio-system DRs (install/kubernetes/helm mixer chart): istio-telemetry
    // sets TLS only at port level (15004 ISTIO_MUTUAL) next to a connectionPool, under the install's
    // `*.local` ISTIO_MUTUAL. Kiali then: KIA0204 on istio-system's own DRs. Istio: 15004 is
    // ISTIO_MUTUAL, the other ports take auto mTLS → Istio mTLS to the sidecar. False positive.
    name: "kiali#1963: istio-telemetry DR with port-level TLS only, under `*.local` ISTIO_MUTUAL → mTLS on every port",
    doc: `${KIALI}#1963; istio/istio install/kubernetes/helm/istio/charts/mixer (telemetryDestinationRuleYamlTemplate)`,
    objects: [
      ...mesh(),
      meshPa("STRICT"),
      dr(ROOT, "default", "*.local", "ISTIO_MUTUAL"),
      deploy(ROOT, "istio-telemetry", {
        ports: [9091, 15004],
        labels: { "sidecar.istio.io/inject": "true" },
      }),
      service(ROOT, "istio-telemetry", [
        { port: 9091, name: "grpc-mixer" },
        { port: 15004, name: "grpc-mixer-mtls" },
      ]),
      dr(ROOT, "istio-telemetry", H("istio-telemetry", ROOT), undefined, {
        trafficPolicy: {
          portLevelSettings: [{ port: { number: 15004 }, tls: { mode: "ISTIO_MUTUAL" } }],
          connectionPool: { http: { http2MaxRequests: 10000, maxRequestsPerConnection: 10000 } },
        },
      }),
    ],
    // A gRPC series names no port: it lands on both gRPC ports (contract §1.1, portAmbiguous).
    traffic: [
      series(
        "istio_requests_total",
        "destination",
        src("bookinfo/productpage"),
        H("istio-telemetry", ROOT),
        "mutual_tls",
        40,
        "grpc",
      ),
      series(
        "istio_requests_total",
        "source",
        src("bookinfo/productpage"),
        H("istio-telemetry", ROOT),
        "unknown",
        40,
        "grpc",
      ),
      ...mtlsCalls(...BOOKINFO_CALLS),
    ],
    edges: edges(BOOKINFO_CALLS, "mtls"),
    findings: [],
    also: (s) =>
      expect(
        s.edges
          .filter((e) => e.destination.host === H("istio-telemetry", ROOT))
          .map((e) => [e.destination.port, e.predicted.client.tls, e.predicted.verdict]),
      ).toEqual([
        [9091, "ISTIO_MUTUAL", "mtls"],
        [15004, "ISTIO_MUTUAL", "mtls"],
      ]),
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0002 / KIA0003 / KIA0004 — generic PA checks (common/multi_match_selector_checker.go,
// common/workload_selector_checker.go). Istio: the oldest namespace-wide (or mesh-wide, or workload)
// policy wins and newer ones are dropped (addPeerAuthentication, configCompareByCreationTime; §1.3).

const kia0002: Scenario[] = [
  {
    // KIA0002: two selector-less PAs in bookinfo. Istio: the older (STRICT) applies; the newer
    // PERMISSIVE is ignored. Handshake: pa.conflict naming the ignored one first; edges mTLS.
    name: "KIA0002: two namespace-wide PAs in bookinfo → pa.conflict; the oldest (STRICT) applies",
    doc: `${KIALI} business/checkers/common/multi_match_selector_checker.go (PeerAuthenticationMultiMatchChecker)`,
    objects: [
      ...mesh(),
      pa(BI, "strict", "STRICT", { created: "2026-01-01T00:00:00Z" }),
      pa(BI, "relaxed", "PERMISSIVE", { created: "2026-02-01T00:00:00Z" }),
    ],
    ...allMtls("pa.conflict"),
    also: (s) => {
      expect(s.findings.find((f) => f.code === "pa.conflict")!.resources.map((r) => r.name)).toEqual([
        "relaxed",
        "strict",
      ]);
      expect(s.workloads.filter((w) => w.namespace === BI).map((w) => w.mtls.mode)).toEqual(
        times(4, "STRICT"),
      );
    },
  },
  {
    // KIA0002 on the root namespace: two mesh-wide PAs. Istio: the oldest decides the mesh.
    name: "KIA0002: two mesh-wide PAs in the root namespace → pa.conflict; the oldest applies",
    doc: `${KIALI} business/checkers/common/multi_match_selector_checker.go (root namespace)`,
    objects: [
      ...mesh(),
      pa(ROOT, "default", "STRICT", { created: "2026-01-01T00:00:00Z" }),
      pa(ROOT, "mesh-permissive", "PERMISSIVE", { created: "2026-03-01T00:00:00Z" }),
    ],
    ...allMtls("pa.conflict"),
    also: (s) =>
      expect(s.findings.find((f) => f.code === "pa.conflict")!.resources.map((r) => r.name)).toEqual([
        "mesh-permissive",
        "default",
      ]),
  },
  {
    // KIA0003: two PAs selecting details. Istio: the oldest workload policy wins whole (no merging of
    // port maps, §1.3).
    name: "KIA0003: two workload PAs select details → pa.conflict; the oldest applies",
    doc: `${KIALI} business/checkers/common/multi_match_selector_checker.go (same workload)`,
    objects: [
      ...mesh(),
      pa(BI, "details-strict", "STRICT", { selector: { app: "details" }, created: "2026-01-01T00:00:00Z" }),
      pa(BI, "details-permissive", "PERMISSIVE", {
        selector: { app: "details" },
        created: "2026-01-02T00:00:00Z",
      }),
    ],
    ...allMtls("pa.conflict"),
    also: (s) => {
      expect(s.findings.find((f) => f.code === "pa.conflict")!.resources.map((r) => r.name)).toEqual([
        "details-permissive",
        "details-strict",
      ]);
      expect(s.workloads.find((w) => w.name === "details")!.mtls).toMatchObject({
        mode: "STRICT",
        origin: "workload",
      });
    },
  },
  {
    // KIA0004: a selector that matches no workload in its namespace. Istio: the policy selects nothing.
    name: "KIA0004: a PA selecting app=detail (typo) → pa.selector-matches-nothing",
    doc: `${KIALI} business/checkers/common/workload_selector_checker.go (SelectorNoWorkloadFoundChecker)`,
    objects: [...mesh(), pa(BI, "details-strict", "STRICT", { selector: { app: "detail" } })],
    ...allMtls("pa.selector-matches-nothing"),
    also: blames("pa.selector-matches-nothing", "PeerAuthentication bookinfo/details-strict"),
  },
];

// ---------------------------------------------------------------------------------------------
// KIA0105 false positives: an AuthorizationPolicy field needing peer identity where Kiali believes the
// target receives no mTLS. Handshake has no AuthorizationPolicy rule; its answer to the question Kiali
// gets wrong ("does this workload receive mTLS?") is the workload's effective mode and the edges'
// verdicts, and those must be right and silent.

const kia0105: Scenario[] = [
  {
    // kiali#3697: mesh and namespace PERMISSIVE, details and ratings STRICT by workload PAs, DRs with
    // ISTIO_MUTUAL for both, an AuthorizationPolicy on details with principals. Kiali (1.29): KIA0105.
    // Istio: the workload PA wins over namespace and mesh (ComposePeerAuthentication, §1.4): details
    // is STRICT and receives only mTLS.
    name: "kiali#3697: workload-level STRICT under namespace and mesh PERMISSIVE → details and ratings receive mTLS only",
    doc: `${KIALI}#3697`,
    objects: [
      ...mesh(),
      meshPa("PERMISSIVE"),
      pa(BI, "default-policy", "PERMISSIVE"),
      pa(BI, "details-policy", "STRICT", { selector: { app: "details" } }),
      pa(BI, "ratings-policy", "STRICT", { selector: { app: "ratings" } }),
      dr(BI, "details", "details", "ISTIO_MUTUAL"),
      dr(BI, "ratings", "ratings", "ISTIO_MUTUAL"),
      authzNeedingIdentity(BI, "details", { principals: ["cluster.local/ns/bookinfo/sa/productpage"] }),
    ],
    ...allMtls(),
    also: (s) =>
      expect(
        Object.fromEntries(
          s.workloads
            .filter((w) => w.namespace === BI)
            .map((w) => [w.name, `${w.mtls.mode} ${w.mtls.origin}`]),
        ),
      ).toEqual({
        details: "STRICT workload",
        productpage: "PERMISSIVE namespace",
        ratings: "STRICT workload",
        reviews: "PERMISSIVE namespace",
      }),
  },
  {
    // kiali#10235: mesh PERMISSIVE, no namespace PA, enableAutoMtls unset, source.namespaces in an
    // AuthorizationPolicy. Kiali (before PR #10234): KIA0105. Istio: auto mTLS on by default →
    // sidecar to sidecar is mTLS (§3.1).
    name: "kiali#10235: bookinfo inherits mesh PERMISSIVE, enableAutoMtls unset → mTLS between sidecars",
    doc: `${KIALI}#10235, PR #10234`,
    objects: [
      ...mesh(),
      meshConfig("defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n"),
      meshPa("PERMISSIVE"),
      authzNeedingIdentity(BI, "details", { namespaces: ["bookinfo*"] }),
    ],
    ...allMtls(),
  },
  {
    // kiali#10235's near miss: `enableAutoMtls: false` explicitly ("KIA0105 should still fire when
    // mTLS is actually off"). Istio: plaintext between sidecars, PERMISSIVE accepts it: details sees no
    // peer identity. Handshake says every call is plaintext and names the clients.
    name: "kiali#10235 near miss: enableAutoMtls: false under mesh PERMISSIVE → plaintext, reported",
    doc: `${KIALI}#10235 ("Explicit enableAutoMtls: false still flags KIA0105")`,
    objects: [
      ...mesh({ auto: false }),
      meshPa("PERMISSIVE"),
      authzNeedingIdentity(BI, "details", { namespaces: ["bookinfo*"] }),
    ],
    ...allPlaintext("pa.permissive"),
  },
];

// ---------------------------------------------------------------------------------------------
// What Kiali's mTLS checks cannot see (kiali.md §1.2 notes: wildcard-host DRs only, no workload or
// port-level PAs, any `selector` object disqualifies a PA, DRs counted wherever they live). Each row is
// a Kiali fixture with the one change Kiali is blind to; Handshake must find the real failure.

const blindSpots: Scenario[] = [
  {
    // disabled_namespacewide_checker_5.yaml plus a workload PA STRICT on reviews. Kiali: none (KIA0505
    // needs a DR; workload PAs are invisible to it). Istio: auto mTLS reads only the namespace-level
    // DISABLE (BestEffortInferServiceMTLSMode ignores workload PAs, §3.2) and sends plaintext to every
    // endpoint, including STRICT reviews (§3.4, §4 case 4): productpage → reviews fails.
    name: "bookinfo DISABLE + a workload PA STRICT on reviews, auto mTLS → plaintext to STRICT reviews",
    doc: `${KIALI} disabled_namespacewide_checker_5.yaml + PeerAuthentication bookinfo/reviews STRICT`,
    objects: [...mesh(), NS_DISABLE, pa(BI, "reviews", "STRICT", { selector: { app: "reviews" } })],
    ...oneBroken(TO_REVIEWS, "edge.auto-mtls-namespace-disable", "plaintext", "pa.disable"),
    also: blames("edge.auto-mtls-namespace-disable", NS_DISABLE_PA, "PeerAuthentication bookinfo/reviews"),
  },
  {
    // disabled_namespacewide_checker_2.yaml with MUTUAL (the checker's other "enabling" mode). Kiali:
    // KIA0505. Istio: the sidecar originates TLS with its own certificates to a DISABLE port declared
    // HTTP, where no filter chain takes TLS without Istio's ALPN (§4 D): the calls fail, and the DR
    // bypasses mesh identity.
    name: "disabled_namespacewide_checker_2 with MUTUAL: bookinfo DISABLE + `*.bookinfo` MUTUAL → every call fails",
    doc: `${KIALI} disabled_namespacewide_checker.go (mode MUTUAL branch)`,
    objects: [
      ...mesh(),
      NS_DISABLE,
      dr(BI, "bookinfo-enable-mtls", "*.bookinfo.svc.cluster.local", "MUTUAL", {
        trafficPolicy: {
          tls: {
            mode: "MUTUAL",
            clientCertificate: "/etc/certs/cert.pem",
            privateKey: "/etc/certs/key.pem",
            caCertificates: "/etc/certs/ca.pem",
          },
        },
      }),
    ],
    ...allBroken("edge.tls-mismatch", "dr.non-istio-tls-to-mesh", "pa.disable"),
    also: blames("edge.tls-mismatch", "DestinationRule bookinfo/bookinfo-enable-mtls", NS_DISABLE_PA),
  },
  {
    // TestMeshPolicymTLSEnabled's classic mesh plus a port-level DISABLE on reviews 9080. Kiali: none
    // (portLevelMtls is ignored). Istio: the root DR forces ISTIO_MUTUAL to every endpoint (§3.5); the
    // port is DISABLE (workload policy port map, GetMutualTLSModeForPort, §1.4 step 6): TLS bytes reach
    // a plaintext chain, productpage → reviews fails.
    name: "mesh STRICT + `*.local` ISTIO_MUTUAL, reviews port 9080 DISABLE by portLevelMtls → productpage → reviews fails",
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicymTLSEnabled + portLevelMtls`,
    objects: [
      ...mesh(),
      meshPa("STRICT"),
      dr(ROOT, "default", "*.local", "ISTIO_MUTUAL"),
      pa(BI, "reviews", "STRICT", { selector: { app: "reviews" }, ports: { "9080": "DISABLE" } }),
    ],
    ...oneBroken(TO_REVIEWS, "edge.mtls-to-disable", "mtls", "pa.disable"),
    also: blames(
      "edge.mtls-to-disable",
      "DestinationRule istio-system/default",
      "PeerAuthentication bookinfo/reviews",
    ),
  },
  {
    // The same port-level DISABLE with auto mTLS and no DR (the #6006 mesh). Kiali: none. Istio: EDS
    // drops the endpoint's mTLS tag for a DISABLE port (mtls_checker.go checkMtlsEnabled, §3.3), so
    // auto mTLS sends plaintext there, which works: plaintext on that port, as the policy asks.
    name: "mesh STRICT, auto mTLS, reviews port 9080 DISABLE by portLevelMtls → plaintext to that port, working",
    doc: `${KIALI}#6006 mesh + portLevelMtls`,
    objects: [
      ...mesh(),
      meshPa("STRICT"),
      pa(BI, "reviews", "STRICT", { selector: { app: "reviews" }, ports: { "9080": "DISABLE" } }),
    ],
    traffic: [...plainCalls(TO_REVIEWS), ...mtlsCalls(...NOT_REVIEWS)],
    edges: [...edges([TO_REVIEWS], "plaintext", ["edge.plaintext"]), ...edges(NOT_REVIEWS, "mtls")],
    findings: ["edge.plaintext", "pa.disable"],
  },
  {
    // TestDRNSWideDisablingTLSPolicyStrict with the namespace PA written `selector: {matchLabels: {}}`.
    // Kiali: none (PeerAuthnHasMTLSEnabled rejects a PA with any selector object). Istio: an empty
    // selector is namespace-wide (ComposePeerAuthentication; test vector "mesh STRICT (selector
    // matchLabels: {})", §1.2, §1.4): STRICT, so the DR's plaintext fails. No selector warning either.
    name: "KIA0207 false negative: bookinfo STRICT with an empty selector + `*.bookinfo` DISABLE → every call fails",
    doc: `${KIALI} disabled_namespacewide_mtls_checker_test.go TestDRNSWideDisablingTLSPolicyStrict (selector: {})`,
    objects: [...mesh(), pa(BI, "default", "STRICT", { selector: {} }), NS_DR_DISABLE],
    ...allBroken("edge.plaintext-to-strict"),
    also: blames(
      "edge.plaintext-to-strict",
      "DestinationRule bookinfo/disable-mtls",
      "PeerAuthentication bookinfo/default",
    ),
  },
  {
    // TestMeshPolicymTLSEnabled with the root DR exported only to its own namespace. Kiali counts a
    // `*.local` DR it can list. Istio: the root tier takes only DRs exported to the client's namespace
    // (getExportedDestinationRuleFromNamespace, §2.4): bookinfo's sidecars get none, auto mTLS is off,
    // plaintext to STRICT.
    name: 'KIA0401 false negative: mesh STRICT, root `*.local` ISTIO_MUTUAL with exportTo ["."], auto off → bookinfo\'s calls fail',
    doc: `${KIALI} mesh_mtls_checker_test.go TestMeshPolicymTLSEnabled + exportTo`,
    objects: [
      ...mesh({ auto: false }),
      meshPa("STRICT"),
      dr(ROOT, "default", "*.local", "ISTIO_MUTUAL", { exportTo: ["."] }),
    ],
    ...allBroken("edge.plaintext-to-strict"),
    also: blames("edge.plaintext-to-strict", MESH_PA),
  },
  {
    // KIA0205's mesh (`*.local` ISTIO_MUTUAL, no PA) with an uninjected namespace. Kiali: KIA0205 about
    // the missing PA, which Istio does not need; nothing about the real failure. Istio: the DR forces
    // Istio mTLS to every endpoint, also to httpbin.legacy, which has no sidecar (§3.5, §4 C × no
    // sidecar): 503.
    name: "KIA0205's mesh with an uninjected namespace: `*.local` ISTIO_MUTUAL → productpage → httpbin.legacy fails",
    doc: `${KIALI} meshwide_mtls_checker_test.go TestMTLSMeshWideDREnabledWithNoMeshPolicy + namespace legacy`,
    objects: [
      ...mesh(),
      namespace("legacy"),
      ...app("legacy", "httpbin", 8000),
      dr(ROOT, "default", "*.local", "ISTIO_MUTUAL"),
    ],
    traffic: [
      ...mtlsCalls(...BOOKINFO_CALLS),
      ...failingCalls(["bookinfo/productpage", H("httpbin", "legacy")]),
    ],
    edges: [
      ...edges(BOOKINFO_CALLS, "mtls"),
      {
        src: "bookinfo/productpage",
        host: H("httpbin", "legacy"),
        verdict: "broken",
        codes: ["edge.mtls-to-no-proxy"],
      },
    ],
    findings: ["edge.mtls-to-no-proxy"],
    also: blames(
      "edge.mtls-to-no-proxy",
      "DestinationRule istio-system/default",
      "Deployment legacy/httpbin",
    ),
  },
  {
    // KIA0204 the other way round, which Kiali's TrafficPolicyChecker does not look at: frontend keeps a
    // `*.local` DISABLE for its legacy calls; bookinfo's details DR says ISTIO_MUTUAL. Istio: the client
    // namespace is the first tier (§2.4, §9.8): frontend → details takes frontend's `*.local` DISABLE,
    // plaintext to STRICT, and details' DR never applies to frontend (dr.shadowed, naming both).
    name: "KIA0204's blind side: frontend's `*.local` DISABLE shadows bookinfo's details ISTIO_MUTUAL → frontend → details fails",
    doc: `${KIALI} traffic_policy_checker.go (only *.local / *.<own-ns> DRs are considered)`,
    objects: [
      ...mesh({ frontend: true }),
      meshPa("STRICT"),
      dr("frontend", "legacy-plaintext", "*.local", "DISABLE"),
      dr(BI, "details", "details", "ISTIO_MUTUAL"),
    ],
    traffic: [...failingCalls(["frontend/web", H("details")]), ...mtlsCalls(TO_DETAILS)],
    edges: [
      { src: "frontend/web", host: H("details"), verdict: "broken", codes: ["edge.plaintext-to-strict"] },
      { src: "bookinfo/productpage", host: H("details"), verdict: "mtls", codes: [] },
    ],
    findings: ["edge.plaintext-to-strict", "dr.shadowed"],
    also: all(
      blames("edge.plaintext-to-strict", "DestinationRule frontend/legacy-plaintext", MESH_PA),
      blames("dr.shadowed", "DestinationRule bookinfo/details", "DestinationRule frontend/legacy-plaintext"),
    ),
  },
];

// ---------------------------------------------------------------------------------------------

const groups: [string, Scenario[]][] = [
  ["KIA0401 mesh PA STRICT without mesh DR", kia0401],
  ["KIA0501 namespace PA STRICT without namespace DR", kia0501],
  ["KIA0506 mesh PA DISABLE (peerauthentications/disabled_meshwide_checker_*.yaml)", kia0506],
  ["KIA0505 namespace PA DISABLE (peerauthentications/disabled_namespacewide_checker_*.yaml)", kia0505],
  ["KIA0205 mesh DR ISTIO_MUTUAL without mesh PA", kia0205],
  ["KIA0206 namespace DR ISTIO_MUTUAL without PA", kia0206],
  ["KIA0207 namespace DR DISABLE with namespace PA", kia0207],
  ["KIA0208 DR DISABLE with mesh PA (and destinationrules/disabled_meshwide_checker_*.yaml)", kia0208],
  ["KIA0204 specific DR overriding a wildcard DR", kia0204],
  ["KIA0002/0003/0004 PA selectors", kia0002],
  ["KIA0105 false positives (kiali#3697, #10235)", kia0105],
  ["What Kiali's checks cannot see", blindSpots],
];

describe("Kiali parity: Kiali's mTLS scenarios answered by Istio's semantics", () => {
  for (const [title, rows] of groups)
    describe(title, () => {
      for (const s of rows) it(s.name, () => check(s));
    });
});
