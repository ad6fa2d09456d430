// Istio's own mTLS integration tests as Handshake vectors (docs/DECISIONS.md, "Istio integration tests
// as vectors"). Each scenario applies one upstream test case's configuration to Istio's echo
// deployment as the test framework renders it, and asserts, for every (source, destination) pair the
// case lists, the edge verdict its expectations state: expectSuccess && expectMTLS → mtls,
// expectSuccess only → plaintext, !expectSuccess → broken, and every warning and error.
//
// Upstream (istio/istio), as read (commit where the index showed one):
// - tests/integration/security/reachability_test.go TestReachability, the current table ("global mtls
//   strict" … "migration tls mutual"; conditions notNaked, notFromNaked, notToNaked,
//   toMigrationIstioSubset, …), at 1bfe8e54 and at the later revision with v1 templates and
//   minIstioVersion; its templates tests/integration/security/testdata/reachability/
//   {global-peer-authn (0b2b04ff), global-dr (29bcc3ca), workload-peer-authn (595f0326), workload-dr
//   (1bfe8e54), workload-peer-authn-port-override (2fe7924c), migration (595f0326),
//   automtls-passthrough (461f85ba)}.yaml.tmpl;
// - the earlier table of the same test (reachability.TestCase with ConfigFile) and its testdata:
//   beta-mtls-on.yaml (5828a1f9), no-peer-authn.yaml (0e91c073), beta-mtls-automtls-workload.yaml
//   (ad33398a), beta-per-port-mtls.yaml (1832b737), automtls-passthrough.yaml (fd359620),
//   beta-mtls-partial-automtls.yaml (28320fb6, superseded: see docs/DECISIONS.md);
//   tests/integration/security/util/reachability/context.go (0098d99f);
//   tests/integration/security/mtls/strict_test.go TestMtlsStrict (36be62bf);
// - tests/integration/security/pass_through_filter_chain_test.go TestPassThroughFilterChain (00cf1a7f);
// - tests/integration/security/file_mounted_certs/{p2p_mtls_test.go TestClientToServiceTls (00cf1a7f),
//   main_test.go (046a5d1d)};
// - tests/integration/ambient/baseline_test.go TestPeerAuthentication and main_test.go SetupApps;
// - pilot/pkg/security/authn/policy_applier_test.go TestComposePeerAuthentication,
//   pilot/pkg/networking/core/cluster_tls_test.go TestBuildAutoMtlsSettings,
//   pilot/pkg/model/push_context_test.go TestBestEffortInferServiceMTLSMode;
// - the echo deployment: pkg/test/framework/components/echo/kube/templates/{deployment (009d2de8),
//   service (07bebb29), vm_deployment (007a9500)}.yaml (Deployment `<svc>-<version>`, labels
//   app/version, ServiceAccount `<svc>`, Service port → targetPort = WorkloadPort),
//   pkg/test/framework/components/echo/common/ports/ports.go (1054d612: http 80 → 18080, tcp 9090 →
//   19090; the earlier framework: http 80 → 8090), pkg/test/framework/components/echo/echotest/filters.go.
//
// Telemetry: an Istio series per call as Prometheus holds it (istio.md §7.1). A call the server's
// STRICT sidecar resets leaves no series (fpHunt4's convention): the window before the policy, when the
// call succeeded in plaintext, is the evidence, so those edges also carry edge.observed-mismatch.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { host, meshConfig, namespace, predict, run } from "./kit";
import { matrixVerdict } from "../lib/core/resolve/matrix";
import { check, series, type EdgeWant, type Scenario, type Src } from "./support/docScenarios";

type Labels = Record<string, string>;
const ISTIO_SYSTEM = namespace("istio-system");
const NS = "echo1";
const REACH = "tests/integration/security/reachability_test.go TestReachability";
const REACH_OLD =
  "tests/integration/security/reachability_test.go (earlier table, reachability.TestCase ConfigFile)";

// ---------------------------------------------------------------------------------------------
// The echo deployment, as pkg/test/framework/components/echo/kube/templates renders it

interface EchoPort {
  name: string;
  port: number;
  target: number;
}
/** ports.All() today (pkg/test/framework/components/echo/common/ports/ports.go): the two the probes use. */
const PORTS: EchoPort[] = [
  { name: "http", port: 80, target: 18080 },
  { name: "tcp", port: 9090, target: 19090 },
];
/**
 * The framework the earlier tests ran on: http ServicePort 80 → InstancePort 8090 (the testdata's own
 * comment: "8090 is the targetPort for service http(80)"); tcp's ServicePort = InstancePort.
 */
const OLD_PORTS: EchoPort[] = [
  { name: "http", port: 80, target: 8090 },
  { name: "tcp", port: 9090, target: 9090 },
];

interface Echo {
  svc: string;
  /** The Deployment, `<svc>-<version>`: what telemetry names as source_workload. */
  wl: string;
  /** Injected (the namespace is labelled; a naked subset opts out with sidecar.istio.io/inject: "false"). */
  sidecar: boolean;
  headless?: boolean;
  vm?: boolean;
}

const echo = (svc: string, o: Partial<Echo> = {}): Echo => ({ svc, wl: `${svc}-v1`, sidecar: true, ...o });
const A = echo("a");
const B = echo("b");
const C = echo("c");
const HEADLESS = echo("headless", { headless: true });
const NAKED = echo("naked", { sidecar: false });
/** The VM: a WorkloadEntry with a serviceAccount (its proxy runs on the "VM"), selected by Service `vm`. */
const VM = echo("vm", { vm: true });

function deployment(svc: string, version: string, sidecar: boolean, ports: EchoPort[]): KubeObject {
  const labels: Labels = { app: svc, version, "test.istio.io/class": sidecar ? "standard" : "naked" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `${svc}-${version}`, namespace: NS },
    spec: {
      selector: { matchLabels: { app: svc, version } },
      template: {
        metadata: {
          labels,
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "15014",
            ...(sidecar ? {} : { "sidecar.istio.io/inject": "false" }),
          },
        },
        spec: {
          serviceAccountName: svc,
          containers: [
            {
              name: "app",
              image: "gcr.io/istio-testing/app:latest",
              ports: ports.map((p) => ({ containerPort: p.target })),
            },
          ],
        },
      },
    },
  };
}

function echoService(svc: string, ports: EchoPort[], headless = false): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: svc, namespace: NS } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: svc, namespace: NS, labels: { app: svc } },
      spec: {
        ...(headless ? { clusterIP: "None" } : {}),
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.target })),
        selector: { app: svc },
      },
    },
  ];
}

const echoObjects = (e: Echo, ports: EchoPort[]) =>
  e.vm
    ? vmObjects(e.svc, ports)
    : [...echoService(e.svc, ports, e.headless), deployment(e.svc, "v1", e.sidecar, ports)];

/**
 * A VM as the framework makes one (templates/vm_deployment.yaml and echo/kube/deployment.go): the
 * Service selecting app=vm, a WorkloadGroup, the WorkloadEntry istiod auto-registers from it
 * (`<group>-<ip>`, the group's labels and serviceAccount), and the pod that plays the VM: not injected
 * (sidecar.istio.io/inject: "false"), running istio-proxy itself, labelled so no Service selects it.
 */
function vmObjects(svc: string, ports: EchoPort[]): KubeObject[] {
  const labels = { app: svc, version: "v1" };
  return [
    ...echoService(svc, ports),
    yaml(
      NS,
      "WorkloadGroup",
      svc,
      { metadata: { labels }, template: { serviceAccount: svc, network: "" } },
      "networking.istio.io/v1",
    ),
    {
      apiVersion: "networking.istio.io/v1",
      kind: "WorkloadEntry",
      metadata: {
        name: `${svc}-10.20.0.7`,
        namespace: NS,
        labels,
        annotations: { "istio.io/autoRegistrationGroup": svc },
      },
      spec: { address: "10.20.0.7", labels, serviceAccount: svc, network: "" },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `${svc}-v1`, namespace: NS },
      spec: {
        selector: { matchLabels: { "istio.io/test-vm": svc, "istio.io/test-vm-version": "v1" } },
        template: {
          metadata: {
            labels: { "istio.io/test-vm": svc, "istio.io/test-vm-version": "v1" },
            annotations: { "sidecar.istio.io/inject": "false", "ambient.istio.io/redirection": "disabled" },
          },
          spec: {
            automountServiceAccountToken: false,
            containers: [
              { name: "istio-proxy", image: "gcr.io/istio-testing/app_sidecar_ubuntu_jammy:latest" },
            ],
          },
        },
      },
    },
  ];
}

/** The migration app (reachability_test.go): one Service, subsets vistio (injected) and vlegacy (not). */
const MIGRATION = "migration";
const migrationObjects = (svc = MIGRATION, ports = PORTS) => [
  ...echoService(svc, ports),
  deployment(svc, "vistio", true, ports),
  deployment(svc, "vlegacy", false, ports),
];

const ECHO_NS = namespace(NS, { "istio-injection": "enabled" });
const deploy = (apps: Echo[], ports = PORTS) => [
  ISTIO_SYSTEM,
  ECHO_NS,
  ...apps.flatMap((e) => echoObjects(e, ports)),
];
const H = (svc: string) => host(svc, NS);

function yaml(ns: string, kind: string, name: string, spec: object, apiVersion: string): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: ns }, spec };
}
const pa = (ns: string, name: string, spec: object) =>
  yaml(ns, "PeerAuthentication", name, spec, "security.istio.io/v1");
const dr = (ns: string, name: string, spec: object) =>
  yaml(ns, "DestinationRule", name, spec, "networking.istio.io/v1");

/** global-peer-authn.yaml.tmpl: PeerAuthentication `default`, `mtls.mode: {{ .MTLSMode }}`, in the namespace given. */
const globalPa = (mode: string, ns = "istio-system") => pa(ns, "default", { mtls: { mode } });
/**
 * global-dr.yaml.tmpl in the system namespace: DR `default` for host "*" with the TLS mode, and the
 * root-private `eastwest-opt-out` (exportTo ".") that keeps it off istio-system's own gateways.
 */
const globalDr = (mode: string) => [
  dr("istio-system", "default", { host: "*", trafficPolicy: { tls: { mode } } }),
  dr("istio-system", "eastwest-opt-out", {
    exportTo: ["."],
    host: "*",
    trafficPolicy: { loadBalancer: { simple: "UNSPECIFIED" } },
  }),
];
/** workload-peer-authn.yaml.tmpl and workload-dr.yaml.tmpl, rendered once per service (config.BuildAll over every echo). */
const workloadPa = (svc: string, mode: string, ports?: Record<string, string>) =>
  pa(NS, svc, {
    selector: { matchLabels: { app: svc } },
    mtls: { mode },
    ...(ports
      ? { portLevelMtls: Object.fromEntries(Object.entries(ports).map(([k, m]) => [k, { mode: m }])) }
      : {}),
  });
/** automtls-passthrough.yaml.tmpl in the system namespace: DR "*" loadBalancer PASSTHROUGH, and the same eastwest-opt-out. */
const passthroughDr = () => [
  dr("istio-system", "passthrough", {
    host: "*",
    trafficPolicy: { loadBalancer: { simple: "PASSTHROUGH" } },
  }),
  globalDr("")[1]!,
];
const workloadDr = (svc: string, mode: string) =>
  dr(NS, svc, { host: H(svc), trafficPolicy: { tls: { mode } } });

// ---------------------------------------------------------------------------------------------
// Probes: the calls of one pair as Prometheus holds them, and the edges the case expects

type Verdict = "mtls" | "plaintext" | "broken";
type Probe = "http" | "tcp";

const srcOf = (e: Echo): Src => [NS, e.wl];

/**
 * One call's series. The caller's sidecar reports every call (a broken HTTP one as 503); the server's
 * sidecar reports what reaches it, naming the peer when it learns it (HTTP's metadata headers, TCP's
 * metadata exchange over mTLS only). A STRICT server resets a plaintext caller before any stats: the
 * window before the policy is the evidence (the header note).
 */
function probeSeries(
  from: Echo,
  dest: string,
  serverHasProxy: boolean,
  verdict: Verdict,
  probe: Probe,
): string[] {
  const metric = probe === "http" ? "istio_requests_total" : "istio_tcp_connections_opened_total";
  const n = probe === "http" ? 40 : 5;
  const out: string[] = [];
  if (from.sidecar) {
    const atClient = series(metric, "source", srcOf(from), dest, "unknown", n, probe);
    out.push(
      verdict === "broken" && probe === "http"
        ? atClient.replace('response_code="200"', 'response_code="503"')
        : atClient,
    );
  }
  if (!serverHasProxy || (verdict === "broken" && from.sidecar)) return out;
  const knownPeer = from.sidecar && (probe === "http" || verdict === "mtls");
  out.push(
    series(
      metric,
      "destination",
      knownPeer ? srcOf(from) : null,
      dest,
      verdict === "mtls" ? "mutual_tls" : "none",
      n,
      probe,
    ),
  );
  return out;
}

/** The codes the catalogue defines for an edge the case expects: documented true warnings, and the errors that explain a failing call. */
function defaultCodes(from: Echo, to: Echo, verdict: Verdict): string[] {
  if (verdict === "mtls") return [];
  if (verdict === "plaintext") return ["edge.plaintext"];
  if (!from.sidecar) return ["edge.observed-mismatch", "edge.plaintext-to-strict"];
  return to.sidecar ? ["edge.plaintext-to-strict"] : ["edge.mtls-to-no-proxy"];
}

type Cond = (from: Echo, to: Echo, probe: Probe) => boolean;

/** upstream's conditions (reachability_test.go `always`, `never`, `notNaked`, `notFromNaked`, `notToNaked`) */
const always: Cond = () => true;
const never: Cond = () => false;
const notNaked: Cond = (f, t) => f.sidecar && t.sidecar;
const notFromNaked: Cond = (f) => f.sidecar;
const notToNaked: Cond = (_f, t) => t.sidecar;

interface Case {
  name: string;
  /** Upstream test file and case name (or ConfigFile). */
  upstream: string;
  objects: KubeObject[];
  from: Echo[];
  to: Echo[];
  /** upstream's ExpectSuccess / expectSuccess. */
  success: Cond;
  /** upstream's ExpectMTLS / expectMTLS. */
  mtls: Cond;
  probes?: Probe[];
  /** upstream's Include / toMatch beyond the pairs (a port left out, naked → VM). */
  include?: Cond;
  ports?: EchoPort[];
  /** Codes for a pair other than defaultCodes (the row's comment says why). */
  codes?: (from: Echo, to: Echo, verdict: Verdict, probe: Probe) => string[] | undefined;
  /** Warnings and errors that belong to no edge (e.g. pa.disable), each a true finding the row's comment names. */
  extra?: string[];
  also?: Scenario["also"];
}

/** The pairs a case calls: no self calls (echotest.NoSelfCalls), no naked → naked (no proxy reports it). */
const pairs = (c: Case): [Echo, Echo][] =>
  c.from.flatMap((f) =>
    c.to.filter((t) => t.svc !== f.svc && (f.sidecar || t.sidecar)).map((t): [Echo, Echo] => [f, t]),
  );

function scenario(c: Case): Scenario {
  const edges = new Map<string, EdgeWant>();
  const traffic: string[] = [];
  const want = (e: EdgeWant) => {
    const key = `${e.src}|${e.host}|${e.port}`;
    const had = edges.get(key);
    // Several plaintext TCP callers share the server's peer-less edge; they must agree on it.
    if (had) expect(had, key).toEqual(e);
    edges.set(key, e);
  };
  for (const [f, t] of pairs(c)) {
    for (const probe of c.probes ?? ["http"]) {
      if (c.include && !c.include(f, t, probe)) continue;
      const verdict: Verdict = !c.success(f, t, probe)
        ? "broken"
        : c.mtls(f, t, probe)
          ? "mtls"
          : "plaintext";
      const port = (c.ports ?? PORTS).find((p) => p.name === probe)!.port;
      traffic.push(...probeSeries(f, H(t.svc), t.sidecar, verdict, probe));
      const codesOf = (from: Echo) => c.codes?.(from, t, verdict, probe) ?? defaultCodes(from, t, verdict);
      want({ src: f.sidecar ? `${NS}/${f.wl}` : null, host: H(t.svc), port, verdict, codes: codesOf(f) });
      // The server's own report of a plaintext TCP call names no peer: an edge of its own, as from an unmeshed caller.
      if (probe === "tcp" && f.sidecar && t.sidecar && verdict === "plaintext")
        want({ src: null, host: H(t.svc), port, verdict, codes: codesOf(NAKED) });
    }
  }
  const list = [...edges.values()];
  return {
    name: c.name,
    doc: c.upstream,
    objects: c.objects,
    traffic,
    edges: list,
    findings: [...list.flatMap((e) => e.codes), ...(c.extra ?? [])],
    also: c.also,
  };
}

// ---------------------------------------------------------------------------------------------
// TestReachability: the current table (global-*, mtls *, migration *)

/** WithDefaultFilters(1, 1): one regular pod service and every special one as callers (not headless); all as destinations but self calls. */
const FROM = [A, NAKED];
const TO = [B, HEADLESS, NAKED];
const APPS = deploy([A, B, HEADLESS, NAKED]);
/** With the VM, which echotest's ReachableDestinations keeps from naked callers (fromNaked: no VMs). */
const APPS_VM = deploy([A, B, HEADLESS, NAKED, VM]);
const notNakedToVm: Cond = (f, t) => f.sidecar || !t.vm;
/** workload-*.yaml.tmpl are rendered for every echo service (config.New(t).BuildAll(nil, allServices)). */
const EVERY = [A, B, HEADLESS, NAKED];

const reachability: Case[] = [
  // "global mtls strict": PA STRICT and DR "*" ISTIO_MUTUAL in the system namespace; expectSuccess
  // notNaked, expectMTLS notNaked. The failing calls are errors that explain them.
  {
    name: "global mtls strict (with the VM)",
    upstream: REACH,
    objects: [...APPS_VM, globalPa("STRICT"), ...globalDr("ISTIO_MUTUAL")],
    from: FROM,
    to: [...TO, VM],
    include: notNakedToVm,
    success: notNaked,
    mtls: notNaked,
  },
  // "global mtls permissive": naked callers get through in plaintext (edge.plaintext, true: plaintext
  // flows), sidecars' ISTIO_MUTUAL to naked breaks. expectSuccess notToNaked.
  // pa.permissive (true: the mesh-wide PERMISSIVE lets the observed plaintext callers in, and names them).
  {
    name: "global mtls permissive",
    upstream: REACH,
    objects: [...APPS, globalPa("PERMISSIVE"), ...globalDr("ISTIO_MUTUAL")],
    from: FROM,
    to: TO,
    success: notToNaked,
    mtls: notNaked,
    extra: ["pa.permissive"],
  },
  // "global mtls disabled": everything plaintext and working; edge.plaintext on each edge and
  // pa.disable for the mesh-wide DISABLE are true warnings (the case turns mTLS off on purpose).
  {
    name: "global mtls disabled",
    upstream: REACH,
    objects: [...APPS, globalPa("DISABLE"), ...globalDr("DISABLE")],
    from: FROM,
    to: TO,
    success: always,
    mtls: never,
    extra: ["pa.disable"],
  },
  // "global plaintext to mtls permissive": DR DISABLE towards PERMISSIVE servers: plaintext, working.
  {
    name: "global plaintext to mtls permissive",
    upstream: REACH,
    objects: [...APPS, globalPa("PERMISSIVE"), ...globalDr("DISABLE")],
    from: FROM,
    to: TO,
    success: always,
    mtls: never,
    extra: ["pa.permissive"],
  },
  // "global automtls strict" (no DR: enableAutoMtls on by default): sidecar → naked is plaintext and
  // works, naked → sidecar fails. expectSuccess notFromNaked. Same outcome as TestMtlsStrict
  // (tests/integration/security/mtls/strict_test.go, global-mtls-on-no-dr.yaml: "calls to naked should always succeed").
  {
    name: "global automtls strict (with the VM)",
    upstream: `${REACH}; tests/integration/security/mtls/strict_test.go TestMtlsStrict`,
    objects: [...APPS_VM, globalPa("STRICT")],
    from: FROM,
    to: [...TO, VM],
    include: notNakedToVm,
    success: notFromNaked,
    mtls: notNaked,
  },
  // "global automtls disable": PA DISABLE, no DR: auto mTLS reads the mesh-wide DISABLE and sends plaintext.
  {
    name: "global automtls disable",
    upstream: REACH,
    objects: [...APPS, globalPa("DISABLE")],
    from: FROM,
    to: TO,
    success: always,
    mtls: never,
    extra: ["pa.disable"],
  },
  // "global automtls passthrough": DR "*" loadBalancer PASSTHROUGH (ORIGINAL_DST, all-or-nothing auto
  // mTLS): every endpoint of b and headless has a sidecar, so mTLS; naked plaintext. expectMTLS notNaked.
  // No PeerAuthentication: Istio's default PERMISSIVE lets naked in (pa.permissive, true).
  {
    name: "global automtls passthrough",
    upstream: REACH,
    objects: [...APPS, ...passthroughDr()],
    from: FROM,
    to: TO,
    success: always,
    mtls: notNaked,
    extra: ["pa.permissive"],
  },
  // "global no peer authn": DR ISTIO_MUTUAL only; no PeerAuthentication is PERMISSIVE.
  {
    name: "global no peer authn",
    upstream: REACH,
    objects: [...APPS, ...globalDr("ISTIO_MUTUAL")],
    from: FROM,
    to: TO,
    success: notToNaked,
    mtls: notNaked,
    extra: ["pa.permissive"],
  },
  // "mtls strict": workload PA STRICT and DR ISTIO_MUTUAL for every service. The PA rendered for naked
  // selects only a pod without a proxy: pa.no-proxy is a true warning (it enforces nothing).
  {
    name: "mtls strict",
    upstream: REACH,
    objects: [
      ...APPS,
      ...EVERY.flatMap((e) => [workloadPa(e.svc, "STRICT"), workloadDr(e.svc, "ISTIO_MUTUAL")]),
    ],
    from: FROM,
    to: TO,
    success: notNaked,
    mtls: notNaked,
    extra: ["pa.no-proxy"],
  },
  {
    name: "mtls permissive",
    upstream: REACH,
    objects: [
      ...APPS,
      ...EVERY.flatMap((e) => [workloadPa(e.svc, "PERMISSIVE"), workloadDr(e.svc, "ISTIO_MUTUAL")]),
    ],
    from: FROM,
    to: TO,
    success: notToNaked,
    mtls: notNaked,
    // pa.permissive for b's and headless' own PERMISSIVE policies, which let naked in.
    extra: ["pa.no-proxy", "pa.permissive", "pa.permissive"],
  },
  {
    name: "mtls disabled",
    upstream: REACH,
    objects: [...APPS, ...EVERY.flatMap((e) => [workloadPa(e.svc, "DISABLE"), workloadDr(e.svc, "DISABLE")])],
    from: FROM,
    to: TO,
    success: always,
    mtls: never,
    extra: ["pa.disable", "pa.disable", "pa.disable", "pa.no-proxy"],
  },
  // "mtls port override": workload PA STRICT with portLevelMtls DISABLE on the workload ports of http,
  // http2, https, tcp, grpc (the two probed here are rendered); no DR. Headless is left out upstream
  // (istio/istio#39439). Auto mTLS reads the DISABLE port and sends plaintext: every call works, none mTLS.
  {
    name: "mtls port override",
    upstream: REACH,
    objects: [
      ...APPS,
      ...EVERY.map((e) => workloadPa(e.svc, "STRICT", { 18080: "DISABLE", 19090: "DISABLE" })),
    ],
    from: FROM,
    to: [B, NAKED],
    probes: ["http", "tcp"],
    success: always,
    mtls: never,
    // A caller without a proxy (naked, and the peer a plaintext TCP call leaves unnamed) on a port the
    // entry relaxed under STRICT is that entry's stated purpose: pa.disable says so, no edge.plaintext.
    codes: (f, _t, verdict) => (!f.sidecar && verdict === "plaintext" ? [] : undefined),
    extra: ["pa.disable", "pa.disable", "pa.disable", "pa.no-proxy"],
  },
];

describe("TestReachability (tests/integration/security/reachability_test.go)", () => {
  it.each(reachability.map((c) => [c.name, c] as const))("%s", (_n, c) => check(scenario(c)));
});

// ---------------------------------------------------------------------------------------------
// TestReachability's migration cases: one Service, subset vistio (sidecar) and vlegacy (none), the
// namespace STRICT (global-peer-authn.yaml.tmpl with Namespace = apps.Ns1), migration.yaml.tmpl's
// VirtualService (/vistio → vistio, the rest → vlegacy) and DestinationRule with the TLSMode given.
// One edge carries both paths: it shows the worse subset (contract.md §1.1; docs/DECISIONS.md "Calls
// split across subsets"), and the calls the better one served are observed.

const M = H(MIGRATION);

/** migration.yaml.tmpl rendered for the migration app; `tls` "" leaves every trafficPolicy out. */
function migrationYaml(tls: string): KubeObject[] {
  const policy = tls ? { trafficPolicy: { tls: { mode: tls } } } : {};
  return [
    yaml(
      NS,
      "VirtualService",
      MIGRATION,
      {
        hosts: [M],
        http: [
          {
            name: "vistio-route",
            match: [{ uri: { prefix: "/vistio" } }],
            route: [{ destination: { host: M, subset: "vistio" } }],
          },
          { name: "legacy-by-default", route: [{ destination: { host: M, subset: "vlegacy" } }] },
        ],
      },
      "networking.istio.io/v1",
    ),
    dr(NS, MIGRATION, {
      host: M,
      subsets: [
        { name: "vistio", labels: { version: "vistio" }, ...policy },
        { name: "vlegacy", labels: { version: "vlegacy" }, ...policy },
      ],
      ...policy,
    }),
  ];
}

const MIGRATION_BASE = [
  ISTIO_SYSTEM,
  ECHO_NS,
  ...echoObjects(A, PORTS),
  ...migrationObjects(),
  globalPa("STRICT", NS),
];
const aSrc = srcOf(A);
/** a's calls on both paths, as its sidecar counts them (the 503s of a failing path among them). */
const aCalls = series("istio_requests_total", "source", aSrc, M, "unknown", 80, "http");
const vistioSaw = series("istio_requests_total", "destination", aSrc, M, "mutual_tls", 40, "http");

const migrationScenarios: Scenario[] = [
  // "migration no tls": expectSuccess always, expectMTLS toMigrationIstioSubset. /vlegacy is plaintext
  // (edge.plaintext, true: plaintext flows to vlegacy); vistio's mTLS reports contradict the worse
  // subset, which contract.md §1.1 reports as edge.observed-mismatch (the fix names the split).
  {
    name: "migration no tls: /vistio mTLS, /vlegacy plaintext, both 200",
    doc: `${REACH} "migration no tls"`,
    objects: [...MIGRATION_BASE, ...migrationYaml("")],
    traffic: [aCalls, vistioSaw],
    edges: [
      {
        src: `${NS}/${A.wl}`,
        host: M,
        verdict: "plaintext",
        codes: ["edge.observed-mismatch", "edge.plaintext"],
      },
    ],
    findings: ["edge.observed-mismatch", "edge.plaintext"],
  },
  // "migration tls disabled": expectSuccess toMigrationNonIstioSubset, expectMTLS never: the DR's
  // DISABLE towards the STRICT vistio fails; nothing reaches a server sidecar.
  {
    name: "migration tls disabled: /vistio fails (plaintext to STRICT), /vlegacy 200 in plaintext",
    doc: `${REACH} "migration tls disabled"`,
    objects: [...MIGRATION_BASE, ...migrationYaml("DISABLE")],
    traffic: [aCalls],
    edges: [{ src: `${NS}/${A.wl}`, host: M, verdict: "broken", codes: ["edge.plaintext-to-strict"] }],
    findings: ["edge.plaintext-to-strict"],
  },
  // "migration tls mutual": expectSuccess and expectMTLS toMigrationIstioSubset: ISTIO_MUTUAL to the
  // proxy-less vlegacy fails; vistio's mTLS successes are observed (edge.observed-mismatch, as above).
  {
    name: "migration tls mutual: /vistio mTLS 200, /vlegacy fails (mTLS to no proxy)",
    doc: `${REACH} "migration tls mutual"`,
    objects: [...MIGRATION_BASE, ...migrationYaml("ISTIO_MUTUAL")],
    traffic: [aCalls, vistioSaw],
    edges: [
      {
        src: `${NS}/${A.wl}`,
        host: M,
        verdict: "broken",
        codes: ["edge.mtls-to-no-proxy", "edge.observed-mismatch"],
      },
    ],
    findings: ["edge.mtls-to-no-proxy", "edge.observed-mismatch"],
  },
];

describe("TestReachability migration cases (sidecar migration with subsets)", () => {
  it.each(migrationScenarios.map((s) => [s.name, s] as const))("%s", (_n, s) => check(s));
});

// ---------------------------------------------------------------------------------------------
// The earlier TestReachability table (reachability.TestCase with ConfigFile), for what the current
// one no longer states: a "*.local" host, workload and per-port PeerAuthentications, and auto mTLS
// to a service whose endpoints are mixed.

const localDr = (ns: string, mode: string) =>
  dr(ns, "default", { host: "*.local", trafficPolicy: { tls: { mode } } });
const MULTIVERSION = "multiversion";

const earlier: Case[] = [
  // beta-mtls-on.yaml: PA STRICT and DR "*.local" ISTIO_MUTUAL in the system namespace; ExpectSuccess:
  // both sides injected (naked → naked aside), ExpectMTLS mtlsOnExpect (not naked).
  {
    name: "beta-mtls-on.yaml (DR host *.local)",
    upstream: REACH_OLD,
    objects: [...APPS, globalPa("STRICT"), localDr("istio-system", "ISTIO_MUTUAL")],
    from: FROM,
    to: TO,
    success: notNaked,
    mtls: notNaked,
  },
  // no-peer-authn.yaml: DR "*.local" ISTIO_MUTUAL only; Include excludes naked targets; "No PeerAuthN
  // should default to a PERMISSIVE": ExpectSuccess Always.
  {
    name: "no-peer-authn.yaml (DR host *.local, no PeerAuthentication)",
    upstream: REACH_OLD,
    objects: [...APPS, localDr("istio-system", "ISTIO_MUTUAL")],
    from: FROM,
    to: [B, HEADLESS],
    success: always,
    mtls: notNaked,
    extra: ["pa.permissive"],
  },
  // beta-mtls-automtls-workload.yaml in the echo namespace: a DISABLE, b STRICT, c STRICT with
  // portLevelMtls 8080: DISABLE. Include: from b or naked, to a or b, not b's http port.
  // ExpectSuccess: b always; naked only to a. ExpectMTLS: from b, not to a, not http. So auto mTLS
  // reads a's workload DISABLE (plaintext, working), b's STRICT takes b's mTLS and refuses naked.
  // pa.disable names a-disable (true). c-per-port's 8080 is no port of c (the testdata's own comment
  // says 8090 was meant): pa.port-not-on-workload says so at info level only (it still applies should
  // the application listen there), so no warning.
  {
    name: "beta-mtls-automtls-workload.yaml: workload DISABLE / STRICT under auto mTLS",
    upstream: REACH_OLD,
    objects: [
      ...deploy([A, B, C, NAKED]),
      pa(NS, "a-disable", { selector: { matchLabels: { app: "a" } }, mtls: { mode: "DISABLE" } }),
      pa(NS, "b-strict", { selector: { matchLabels: { app: "b" } }, mtls: { mode: "STRICT" } }),
      pa(NS, "c-per-port", {
        selector: { matchLabels: { app: "c" } },
        mtls: { mode: "STRICT" },
        portLevelMtls: { 8080: { mode: "DISABLE" } },
      }),
    ],
    from: [B, NAKED],
    to: [A, B],
    probes: ["http", "tcp"],
    include: (_f, t, probe) => !(t.svc === "b" && probe === "http"),
    success: (f, t) => f.sidecar || t.svc === "a",
    mtls: (f, t) => f.sidecar && t.svc !== "a",
    extra: ["pa.disable"],
    also: (snap) =>
      expect(
        snap.findings.filter((f) => f.code === "pa.port-not-on-workload").map((f) => f.severity),
      ).toEqual(["info"]),
  },
  // beta-per-port-mtls.yaml in the echo namespace, on the old framework's ports (http 80 → 8090): b
  // DISABLE but port 8090 STRICT, and a "*.local" DR DISABLE there. Include: to b. ExpectSuccess: not
  // the http port; ExpectMTLS: never. So http fails (plaintext to the STRICT port), tcp is plaintext.
  {
    name: "beta-per-port-mtls.yaml: DISABLE with port 8090 STRICT, DR *.local DISABLE",
    upstream: REACH_OLD,
    ports: OLD_PORTS,
    objects: [
      ...deploy([A, B, HEADLESS, NAKED], OLD_PORTS),
      pa(NS, "per-port", {
        selector: { matchLabels: { app: "b" } },
        mtls: { mode: "DISABLE" },
        portLevelMtls: { 8090: { mode: "STRICT" } },
      }),
      localDr(NS, "DISABLE"),
    ],
    from: FROM,
    to: [B],
    probes: ["http", "tcp"],
    success: (_f, _t, probe) => probe !== "http",
    mtls: never,
    extra: ["pa.disable"],
  },
];

describe("TestReachability, earlier table (ConfigFile cases)", () => {
  it.each(earlier.map((c) => [c.name, c] as const))("%s", (_n, c) => check(scenario(c)));
});

// ---------------------------------------------------------------------------------------------
// The same integration tests' cases that Handshake reads on one edge as a single endpoint set

const mixedScenarios: Scenario[] = [
  // Earlier table, automtls-passthrough.yaml (DR "*" loadBalancer PASSTHROUGH in the system namespace)
  // with Multiversion as a target: "For mixed targets, we downgrade to plaintext" (ExpectMTLS false;
  // istio/istio#27376; BestEffortInferServiceMTLSMode: a passthrough cluster is mTLS only if every
  // endpoint is). Every call works: vistio's sidecar is PERMISSIVE and reports the plaintext.
  // pa.permissive (true): it names echo1/a-v1 among the plaintext callers.
  {
    name: "automtls-passthrough.yaml to Multiversion (one sidecar subset, one without): plaintext to both",
    doc: `${REACH_OLD} automtls-passthrough.yaml ExpectMTLS (Multiversion)`,
    objects: [
      ISTIO_SYSTEM,
      ECHO_NS,
      ...echoObjects(A, PORTS),
      ...migrationObjects(MULTIVERSION),
      dr("istio-system", "passthrough", {
        host: "*",
        trafficPolicy: { loadBalancer: { simple: "PASSTHROUGH" } },
      }),
    ],
    traffic: [
      series("istio_requests_total", "source", aSrc, H(MULTIVERSION), "unknown", 80, "http"),
      series("istio_requests_total", "destination", aSrc, H(MULTIVERSION), "none", 40, "http"),
    ],
    edges: [{ src: `${NS}/${A.wl}`, host: H(MULTIVERSION), verdict: "plaintext", codes: ["edge.plaintext"] }],
    findings: ["edge.plaintext", "pa.permissive"],
    also: (s) =>
      expect(s.edges[0]!.predicted.reason).toContain("because not all of them can take Istio mTLS"),
  },
  // "mtls port override" leaves headless out (toMatch NotHeadless, istio/istio#39439: "When sent to a
  // headless service, the client gets 503s"). That is what Istio does: a sidecar calls a headless
  // service through one ORIGINAL_DST cluster whose auto mTLS is decided once, from the namespace
  // (PERMISSIVE here), so it sends Istio mTLS to the workload port the policy DISABLEs.
  {
    name: "mtls port override to headless (left out upstream, istio/istio#39439: 503): broken",
    doc: `${REACH} "mtls port override" toMatch NotHeadless; istio/istio#39439`,
    objects: [
      ...APPS,
      ...EVERY.map((e) => workloadPa(e.svc, "STRICT", { 18080: "DISABLE", 19090: "DISABLE" })),
    ],
    traffic: probeSeries(A, H(HEADLESS.svc), true, "broken", "http"),
    edges: [
      { src: `${NS}/${A.wl}`, host: H(HEADLESS.svc), verdict: "broken", codes: ["edge.mtls-to-disable"] },
    ],
    findings: ["edge.mtls-to-disable", "pa.disable", "pa.disable", "pa.disable", "pa.no-proxy"],
    also: (s) => expect(s.edges[0]!.predicted.reason).toContain("one ORIGINAL_DST socket for all"),
  },
];

describe("Mixed and headless destinations of the same tables", () => {
  it.each(mixedScenarios.map((s) => [s.name, s] as const))("%s", (_n, s) => check(s));
});

// ---------------------------------------------------------------------------------------------
// Pilot unit tests that state outcomes, as rows through the model and resolver (objects → model →
// resolver), not re-implementations of Istio.

const ROOT = "root-namespace";
const T0 = "2026-01-01T00:00:10Z";
const T_1 = "2026-01-01T00:00:09Z";

/** A PeerAuthentication as YAML gives it; `selector` {} is `matchLabels: {}`, `mtls` null leaves the block out. */
function peer(
  ns: string,
  name: string,
  o: {
    mode?: string | null;
    selector?: Labels;
    ports?: Record<string, string | null>;
    created?: string;
  } = {},
): KubeObject {
  const spec: Record<string, unknown> = {};
  if (o.selector) spec.selector = { matchLabels: o.selector };
  if (o.mode !== undefined && o.mode !== null) spec.mtls = { mode: o.mode };
  if (o.ports)
    spec.portLevelMtls = Object.fromEntries(
      Object.entries(o.ports).map(([k, m]) => [k, m ? { mode: m } : {}]),
    );
  return {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name, namespace: ns, ...(o.created ? { creationTimestamp: o.created } : {}) },
    spec,
  };
}

/** A workload `foo` in my-ns (labels app=foo, stage=prod), root namespace `root-namespace` as in the upstream table. */
const COMPOSE_BASE: KubeObject[] = [
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio", namespace: "istio-system" },
    data: { mesh: `rootNamespace: ${ROOT}\n` },
  },
  namespace(ROOT),
  namespace("my-ns", { "istio-injection": "enabled" }),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "foo", namespace: "my-ns" },
    spec: {
      selector: { matchLabels: { app: "foo" } },
      template: {
        metadata: { labels: { app: "foo", stage: "prod" } },
        spec: {
          containers: [
            {
              name: "foo",
              image: "foo:1",
              ports: [{ containerPort: 80 }, { containerPort: 90 }, { containerPort: 100 }],
            },
          ],
        },
      },
    },
  },
];

/**
 * pilot/pkg/security/authn/policy_applier_test.go TestComposePeerAuthentication (ComposePeerAuthentication
 * with root namespace "root-namespace"): the case name, the policies, the composed mode and, for
 * "port level", the per-port modes. The upstream names "second ago" / "second later" are not valid
 * Kubernetes names; "second-ago" / "second-later" keep their order.
 */
const COMPOSE: [string, KubeObject[], string, Record<number, string>?][] = [
  ["no config", [], "PERMISSIVE"],
  ["mesh only", [peer(ROOT, "default", { mode: "STRICT" })], "STRICT"],
  [
    "mesh vs namespace",
    [
      peer(ROOT, "default", { mode: "STRICT", selector: {} }),
      peer("my-ns", "default", { mode: "PERMISSIVE" }),
    ],
    "PERMISSIVE",
  ],
  [
    "ignore non-emptypb selector in root namespace",
    [peer(ROOT, "default", { mode: "STRICT", selector: { app: "foo" } })],
    "PERMISSIVE",
  ],
  [
    "workload vs namespace config",
    [peer("my-ns", "default"), peer("my-ns", "foo", { selector: { app: "foo" } })],
    "PERMISSIVE",
  ],
  [
    "workload vs mesh config",
    [peer("my-ns", "default", { mode: "PERMISSIVE" }), peer(ROOT, "default", { mode: "DISABLE" })],
    "PERMISSIVE",
  ],
  [
    "multiple mesh policy",
    [
      peer(ROOT, "now", { mode: "DISABLE", created: T0 }),
      peer(ROOT, "second-ago", { mode: "PERMISSIVE", created: T_1 }),
      peer(ROOT, "second-later", { mode: "STRICT", created: T_1 }),
    ],
    "PERMISSIVE",
  ],
  [
    "multiple namespace policy",
    [
      peer("my-ns", "now", { mode: "DISABLE", created: T0 }),
      peer("my-ns", "second-ago", { mode: "PERMISSIVE", created: T_1 }),
      peer("my-ns", "second-later", { mode: "STRICT", created: T_1 }),
    ],
    "PERMISSIVE",
  ],
  [
    "multiple workload policy",
    [
      peer("my-ns", "now", { mode: "DISABLE", selector: { app: "foo" }, created: T0 }),
      peer("my-ns", "second-ago", { mode: "PERMISSIVE", selector: { app: "foo" }, created: T_1 }),
      peer("my-ns", "second-later", { mode: "STRICT", selector: { stage: "prod" }, created: T_1 }),
    ],
    "PERMISSIVE",
  ],
  ["inheritance: default mesh", [peer(ROOT, "default", { mode: "UNSET" })], "PERMISSIVE"],
  [
    "inheritance: mesh to workload",
    [peer(ROOT, "default", { mode: "STRICT" }), peer("my-ns", "foo", { selector: { app: "foo" } })],
    "STRICT",
  ],
  [
    "inheritance: namespace to workload",
    [peer("my-ns", "default", { mode: "STRICT" }), peer("my-ns", "foo", { selector: { app: "foo" } })],
    "STRICT",
  ],
  [
    "inheritance: mesh to namespace to workload",
    [
      peer(ROOT, "default", { mode: "STRICT" }),
      peer("my-ns", "default", { mode: "UNSET" }),
      peer("my-ns", "foo", { selector: { app: "foo" } }),
    ],
    "STRICT",
  ],
  [
    "port level",
    [
      peer(ROOT, "default", { mode: "STRICT" }),
      peer("my-ns", "foo", { selector: { app: "foo" }, ports: { 80: "DISABLE", 90: "UNSET", 100: null } }),
    ],
    "STRICT",
    { 80: "DISABLE", 90: "STRICT", 100: "STRICT" },
  ],
];

describe("TestComposePeerAuthentication (pilot/pkg/security/authn/policy_applier_test.go) through the model", () => {
  it.each(COMPOSE)("%s → %s", (_name, pas, mode, ports) => {
    const w = run([...COMPOSE_BASE, ...pas]).workloads.find((x) => x.name === "foo")!;
    expect(w.mtls.mode).toBe(mode);
    expect(Object.fromEntries(w.ports.map((p) => [p.port, p.mode]))).toEqual(
      ports ?? { 80: mode, 90: mode, 100: mode },
    );
  });
});

// pilot/pkg/networking/core/cluster_tls_test.go TestBuildAutoMtlsSettings (buildUpstreamTLSSettings): what
// a sidecar sends a service when the DR sets no TLS (auto mTLS from the service's inferred mode) or
// sets it (userSupplied). The service mode the upstream case passes in is made the way istiod infers it
// (BestEffortInferServiceMTLSMode): the namespace's PeerAuthentication, Istio's PERMISSIVE default, or
// MTLSUnknown for a MESH_EXTERNAL service.
const SVC_NS = [
  ISTIO_SYSTEM,
  namespace("client", { "istio-injection": "enabled" }),
  namespace("server", { "istio-injection": "enabled" }),
  ...["client", "server"].map((n) => deployment2(n)),
];
function deployment2(ns: string): KubeObject {
  const name = ns === "client" ? "sleep" : "foo";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `${name}:1`, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}
const fooSvc: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "foo", namespace: "server" },
  spec: { selector: { app: "foo" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
};
const FOO = host("foo", "server");
const fooDr = (tls: object) => dr("client", "foo", { host: FOO, trafficPolicy: { tls } });
const externalSe = yaml(
  "client",
  "ServiceEntry",
  "foo-com",
  {
    hosts: ["foo.com"],
    location: "MESH_EXTERNAL",
    resolution: "DNS",
    ports: [{ number: 443, name: "https", protocol: "HTTPS" }],
  },
  "networking.istio.io/v1",
);

// The upstream rows with a proxy whose node metadata names file-mounted certificates
// (TLSClientCertChain, TLSClientKey, TLSClientRootCert): the client pod's proxy.istio.io/config with the
// ISTIO_META_TLS_CLIENT_* keys injection turns into that metadata. `files`: the client gets them;
// `rebuilt`: what it sends is the MUTUAL istiod builds from them (buildMutualTLS), which the reason says.
const metaCerts = (dir: string) => ({
  ISTIO_META_TLS_CLIENT_CERT_CHAIN: `${dir}/chain.pem`,
  ISTIO_META_TLS_CLIENT_KEY: `${dir}/key.pem`,
  ISTIO_META_TLS_CLIENT_ROOT_CERT: `${dir}/root.pem`,
});
function clientWithFiles(dir: string): KubeObject {
  const d = deployment2("client");
  (d.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.annotations = {
    "proxy.istio.io/config": JSON.stringify({ proxyMetadata: metaCerts(dir) }),
  };
  return d;
}
const withFiles = (dir: string) => [
  ...SVC_NS.filter((o) => o.metadata.name !== "sleep"),
  clientWithFiles(dir),
];

type AutoMtlsWant = { tls: string; origin: string; rebuilt?: boolean };
const AUTO_MTLS: [string, KubeObject[], string, AutoMtlsWant][] = [
  [
    "Auto fill nil settings when mTLS nil for internal service in strict mode",
    [...SVC_NS, fooSvc, globalPa("STRICT", "server")],
    FOO,
    { tls: "ISTIO_MUTUAL", origin: "auto" },
  ],
  [
    "Auto fill nil settings when mTLS nil for internal service in permissive mode",
    [...SVC_NS, fooSvc, globalPa("PERMISSIVE", "server")],
    FOO,
    { tls: "ISTIO_MUTUAL", origin: "auto" },
  ],
  [
    "Auto fill nil settings when mTLS nil for internal service in plaintext mode",
    [...SVC_NS, fooSvc, globalPa("DISABLE", "server")],
    FOO,
    { tls: "DISABLE", origin: "auto" },
  ],
  [
    "Do not auto fill nil settings for external",
    [...SVC_NS, fooSvc, externalSe],
    "foo.com",
    { tls: "DISABLE", origin: "mesh-external" },
  ],
  [
    "Do not auto fill nil settings if server mTLS is disabled (autoMTLSEnabled false)",
    [...SVC_NS, fooSvc, meshConfig("enableAutoMtls: false\n")],
    FOO,
    { tls: "DISABLE", origin: "auto" },
  ],
  [
    "Destination rule TLS sni and SAN override",
    [
      ...SVC_NS,
      fooSvc,
      fooDr({ mode: "ISTIO_MUTUAL", subjectAltNames: ["custom.foo.com"], sni: "custom.foo.com" }),
    ],
    FOO,
    { tls: "ISTIO_MUTUAL", origin: "destinationrule" },
  ],
  [
    "Metadata cert path override ISTIO_MUTUAL",
    [
      ...withFiles("/custom"),
      fooSvc,
      fooDr({ mode: "ISTIO_MUTUAL", subjectAltNames: ["custom.foo.com"], sni: "custom.foo.com" }),
    ],
    FOO,
    { tls: "MUTUAL", origin: "destinationrule", rebuilt: true },
  ],
  [
    "TLS nil auto build tls with metadata cert path",
    [...withFiles("/custom"), fooSvc, globalPa("PERMISSIVE", "server")],
    FOO,
    { tls: "MUTUAL", origin: "auto", rebuilt: true },
  ],
  // The proxy has metadata certificates (upstream's row does too): SIMPLE is returned untouched before the metadata check.
  [
    "Simple TLS",
    [
      ...withFiles("/custom/meta"),
      fooSvc,
      fooDr({
        mode: "SIMPLE",
        privateKey: "/custom/key.pem",
        clientCertificate: "/custom/chain.pem",
        caCertificates: "/custom/root.pem",
      }),
    ],
    FOO,
    { tls: "SIMPLE", origin: "destinationrule", rebuilt: false },
  ],
  [
    "Metadata certs with Mesh Exteranl",
    [
      ...withFiles("/custom/meta"),
      fooSvc,
      externalSe,
      dr("client", "foo-com", {
        host: "foo.com",
        trafficPolicy: {
          tls: {
            mode: "MUTUAL",
            privateKey: "/custom/external/key.pem",
            clientCertificate: "/custom/external/chain.pem",
            caCertificates: "/custom/external/root.pem",
          },
        },
      }),
    ],
    "foo.com",
    { tls: "MUTUAL", origin: "destinationrule", rebuilt: false },
  ],
];

describe("TestBuildAutoMtlsSettings (pilot/pkg/networking/core/cluster_tls_test.go) through the resolver", () => {
  it.each(AUTO_MTLS)("%s", (_name, objs, h, { rebuilt, ...want }) => {
    const p = predict(objs, "client/sleep", h).predicted;
    expect(p.client).toMatchObject(want);
    if (rebuilt !== undefined) expect(p.reason.includes("file-mounted certificates"), p.reason).toBe(rebuilt);
  });

  // Where the rebuilt MUTUAL and Istio's own ISTIO_MUTUAL part: the upstream rows' proxy calling a
  // service with a pod without proxy next to foo's. Auto mTLS's tlsMode fallback sends that pod
  // plaintext; the metadata MUTUAL goes to every endpoint (applyUpstreamTLSSettings: only ISTIO_MUTUAL
  // gets the per-endpoint matches), and breaks there.
  it("TLS nil auto build tls with metadata cert path, with an endpoint without proxy: broken there, plaintext without the metadata", () => {
    const legacy: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "foo-legacy", namespace: "server" },
      spec: {
        selector: { matchLabels: { app: "foo", v: "legacy" } },
        template: {
          metadata: {
            labels: { app: "foo", v: "legacy" },
            annotations: { "sidecar.istio.io/inject": "false" },
          },
          spec: { containers: [{ name: "foo", image: "foo:1", ports: [{ containerPort: 8080 }] }] },
        },
      },
    };
    expect(predict([...withFiles("/custom"), fooSvc, legacy], "client/sleep", FOO).predicted).toMatchObject({
      client: { tls: "MUTUAL", origin: "auto" },
      verdict: "broken",
    });
    expect(predict([...SVC_NS, fooSvc, legacy], "client/sleep", FOO).predicted).toMatchObject({
      client: { tls: "DISABLE", origin: "auto" },
      verdict: "plaintext",
    });
  });
});

// pilot/pkg/model/push_context_test.go TestBestEffortInferServiceMTLSMode: the mode auto mTLS infers for
// a service: "from namespace policy" STRICT, "from mesh default" PERMISSIVE (a workload-level DISABLE in
// that namespace does not change the service's inferred mode), and a headless (Passthrough) service with
// no instances yet, or with an instance whose tlsMode is disabled, DISABLE: plaintext.
const plainPod = (ns: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "legacy", namespace: ns },
  spec: {
    selector: { matchLabels: { app: "some-service" } },
    template: {
      metadata: { labels: { app: "some-service" }, annotations: { "sidecar.istio.io/inject": "false" } },
      spec: { containers: [{ name: "app", image: "app:1" }] },
    },
  },
});
const someService = (ns: string, headless: boolean): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "some-service", namespace: ns },
  spec: {
    ...(headless ? { clusterIP: "None" } : {}),
    selector: { app: "some-service" },
    ports: [{ name: "http", port: 80 }],
  },
});
const INFER_BASE = [
  ISTIO_SYSTEM,
  namespace("whole", { "istio-injection": "enabled" }),
  namespace("partial", { "istio-injection": "enabled" }),
  namespace("client", { "istio-injection": "enabled" }),
  deployment2("client"),
  globalPa("STRICT", "whole"),
  peer("partial", "workload-beta-policy", { mode: "DISABLE", selector: { app: "httpbin", version: "v1" } }),
];
const injectedSome = (ns: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "some", namespace: ns },
  spec: {
    selector: { matchLabels: { app: "some-service" } },
    template: {
      metadata: { labels: { app: "some-service" } },
      spec: { containers: [{ name: "app", image: "app:1" }] },
    },
  },
});

const INFER: [string, KubeObject[], string, string][] = [
  [
    "from namespace policy",
    [someService("whole", false), injectedSome("whole")],
    host("some-service", "whole"),
    "ISTIO_MUTUAL",
  ],
  [
    "from mesh default",
    [someService("partial", false), injectedSome("partial")],
    host("some-service", "partial"),
    "ISTIO_MUTUAL",
  ],
  [
    "headless service with no instances found yet",
    [someService("partial", true)],
    host("some-service", "partial"),
    "DISABLE",
  ],
  [
    "headless service with instances (tlsMode disabled)",
    [someService("partial", true), plainPod("partial"), injectedSome("partial")],
    host("some-service", "partial"),
    "DISABLE",
  ],
];

describe("TestBestEffortInferServiceMTLSMode (pilot/pkg/model/push_context_test.go) through the resolver", () => {
  it.each(INFER)("%s → %s", (_name, objs, h, tls) => {
    expect(predict([...INFER_BASE, ...objs], "client/sleep", h).predicted.client).toMatchObject({
      tls,
      origin: "auto",
    });
  });
});

// tests/integration/security/pass_through_filter_chain_test.go TestPassThroughFilterChain: a workload's
// ports that no Service names (8084..8089, reached through the inbound passthrough chains) under a
// namespace or workload PeerAuthentication, and whether a plaintext client and an mTLS client get
// through. The resolver's per-port decision, read through the matrix: plaintext passes unless STRICT,
// Istio mTLS passes unless DISABLE. ("DISABLE with authz" is left out: AuthorizationPolicy.)
const PT_PORTS = [8084, 8085, 8086, 8087, 8088, 8089];
const ptWorkload: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "b-v1", namespace: NS },
  spec: {
    selector: { matchLabels: { app: "b" } },
    template: {
      metadata: { labels: { app: "b", version: "v1" } },
      spec: {
        containers: [{ name: "app", image: "app:1", ports: PT_PORTS.map((p) => ({ containerPort: p })) }],
      },
    },
  },
};
const ptPa = (mode: string, ports?: string) =>
  pa(NS, "mtls", {
    ...(ports ? { selector: { matchLabels: { app: "b" } } } : {}),
    mtls: { mode },
    ...(ports
      ? { portLevelMtls: Object.fromEntries([8086, 8088, 8084].map((p) => [p, { mode: ports }])) }
      : {}),
  });
/** [case, PeerAuthentication, ports where plaintext succeeds, ports where mTLS succeeds] (8084 only where the case lists it). */
const PASS_THROUGH: [string, KubeObject, number[], number[]][] = [
  ["DISABLE", ptPa("DISABLE"), [8085, 8086, 8087, 8088, 8089], []],
  ["STRICT", ptPa("STRICT"), [], [8085, 8086, 8087, 8088, 8089]],
  ["PERMISSIVE", ptPa("PERMISSIVE"), [8085, 8086, 8087, 8088, 8089], [8085, 8086, 8087, 8088, 8089]],
  ["DISABLE with STRICT", ptPa("DISABLE", "STRICT"), [8085, 8087, 8089], [8084, 8086, 8088]],
  ["STRICT with disable", ptPa("STRICT", "DISABLE"), [8084, 8086, 8088], [8085, 8087, 8089]],
  [
    "PERMISSIVE with strict",
    ptPa("PERMISSIVE", "STRICT"),
    [8085, 8087, 8089],
    [8084, 8085, 8086, 8087, 8088, 8089],
  ],
  [
    "STRICT with PERMISSIVE",
    ptPa("STRICT", "PERMISSIVE"),
    [8084, 8086, 8088],
    [8084, 8085, 8086, 8087, 8088, 8089],
  ],
  [
    "PERMISSIVE with disable",
    ptPa("PERMISSIVE", "DISABLE"),
    [8084, 8085, 8086, 8087, 8088, 8089],
    [8085, 8087, 8089],
  ],
  [
    "DISABLE with PERMISSIVE",
    ptPa("DISABLE", "PERMISSIVE"),
    [8084, 8085, 8086, 8087, 8088, 8089],
    [8084, 8086, 8088],
  ],
];

describe("TestPassThroughFilterChain (tests/integration/security/pass_through_filter_chain_test.go): workload-only ports", () => {
  it.each(PASS_THROUGH)("%s", (name, policy, plaintextOk, mtlsOk) => {
    const w = run([ISTIO_SYSTEM, ECHO_NS, ptWorkload, policy]).workloads.find((x) => x.name === "b-v1")!;
    const modes = new Map(w.ports.map((p) => [p.port, p.mode]));
    // The namespace-wide cases list 8084 for neither; every other port is listed in both directions.
    const listed = name.includes(" ") ? PT_PORTS : PT_PORTS.filter((p) => p !== 8084);
    for (const port of listed) {
      const accept = {
        kind: "sidecar" as const,
        mode: modes.get(port) as "STRICT" | "PERMISSIVE" | "DISABLE",
        httpPort: false,
      };
      expect({
        port,
        plaintext: matrixVerdict("DISABLE", accept).verdict !== "broken",
        mtls: matrixVerdict("ISTIO_MUTUAL", accept).verdict !== "broken",
      }).toEqual({
        port,
        plaintext: plaintextOk.includes(port),
        mtls: mtlsOk.includes(port),
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// tests/integration/ambient/baseline_test.go TestPeerAuthentication, for the echo kinds of the ambient
// suite's SetupApps (tests/integration/ambient/main_test.go): the namespace labelled
// istio.io/dataplane-mode=ambient, `captured` (ztunnel), `uncaptured` (dataplane-mode none) and
// `sidecar` (sidecar.istio.io/inject "true", dataplane-mode none), the ambient profile's mesh config
// (ISTIO_META_ENABLE_HBONE, so injected sidecars take HBONE). Each subtest's policy is applied for the
// destination; the expectation is upstream's: CheckDeny when "the dest is in the mesh (enforcing mTLS)
// but src is not", else the call works. Through the resolver (predict): a working call between two
// in-mesh workloads is mTLS (HBONE or Istio mTLS), any other working call plaintext.

const AMB = "echo-ambient";
const AMBIENT_MESH = meshConfig('defaultConfig:\n  proxyMetadata:\n    ISTIO_META_ENABLE_HBONE: "true"\n');
type AmbientKind = "captured" | "uncaptured" | "sidecar";
const AMBIENT_KINDS: AmbientKind[] = ["captured", "uncaptured", "sidecar"];
const ambientLabels: Record<AmbientKind, Labels> = {
  captured: {},
  uncaptured: { "istio.io/dataplane-mode": "none" },
  sidecar: { "sidecar.istio.io/inject": "true", "istio.io/dataplane-mode": "none" },
};
function ambientApp(kind: AmbientKind): KubeObject[] {
  const labels = { app: kind, version: "v1", ...ambientLabels[kind] };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: kind, namespace: AMB } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: kind, namespace: AMB },
      spec: {
        selector: { app: kind },
        ports: PORTS.map((p) => ({ name: p.name, port: p.port, targetPort: p.target })),
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `${kind}-v1`, namespace: AMB },
      spec: {
        selector: { matchLabels: { app: kind, version: "v1" } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: kind,
            containers: [
              { name: "app", image: "app:1", ports: PORTS.map((p) => ({ containerPort: p.target })) },
            ],
          },
        },
      },
    },
  ];
}
const AMBIENT_BASE = [
  ISTIO_SYSTEM,
  AMBIENT_MESH,
  namespace(AMB, { "istio.io/dataplane-mode": "ambient" }),
  ...AMBIENT_KINDS.flatMap(ambientApp),
];
const inMesh = (k: AmbientKind) => k !== "uncaptured";
const denyUnmeshed = (src: AmbientKind, dst: AmbientKind) => !inMesh(src) && inMesh(dst);

/** [subtest, its policies for destination `dst`, whether the call is denied]. */
const AMBIENT_PA: [
  string,
  (dst: AmbientKind) => KubeObject[],
  (src: AmbientKind, dst: AmbientKind) => boolean,
][] = [
  ["permissive", () => [pa(AMB, "global-permissive", { mtls: { mode: "PERMISSIVE" } })], () => false],
  ["strict", () => [pa(AMB, "global-strict", { mtls: { mode: "STRICT" } })], denyUnmeshed],
  [
    "strict-permissive-ports",
    (dst) => [
      pa(AMB, "global-strict", {
        selector: { matchLabels: { app: dst } },
        mtls: { mode: "STRICT" },
        portLevelMtls: { 18080: { mode: "PERMISSIVE" }, 19090: { mode: "PERMISSIVE" } },
      }),
    ],
    () => false,
  ],
  [
    "global-strict-permissive-workload-ports",
    (dst) => [
      globalPa("STRICT"),
      pa(AMB, "local-port-override", {
        selector: { matchLabels: { app: dst } },
        portLevelMtls: { 18080: { mode: "PERMISSIVE" }, 19090: { mode: "PERMISSIVE" } },
      }),
    ],
    () => false,
  ],
  [
    "global-permissive-strict-workload-ports",
    (dst) => [
      globalPa("PERMISSIVE"),
      pa(AMB, "local-port-override", {
        selector: { matchLabels: { app: dst } },
        portLevelMtls: { 18080: { mode: "STRICT" }, 19090: { mode: "STRICT" } },
      }),
    ],
    denyUnmeshed,
  ],
];

describe("TestPeerAuthentication (tests/integration/ambient/baseline_test.go) through the resolver", () => {
  it.each(AMBIENT_PA)("%s", (_name, policies, denied) => {
    for (const dst of AMBIENT_KINDS)
      for (const src of AMBIENT_KINDS) {
        if (src === dst) continue;
        const objs = [...AMBIENT_BASE, ...policies(dst)];
        for (const port of [80, 9090]) {
          const want = denied(src, dst) ? "broken" : inMesh(src) && inMesh(dst) ? "mtls" : "plaintext";
          expect({
            src,
            dst,
            port,
            verdict: predict(objs, `${AMB}/${src}-v1`, host(dst, AMB), port).predicted.verdict,
          }).toEqual({ src, dst, port, verdict: want });
        }
      }
  });
});

// ---------------------------------------------------------------------------------------------
// tests/integration/security/file_mounted_certs TestClientToServiceTls: the mesh's proxies run on
// file-mounted certificates (setupConfig's defaultConfig proxyMetadata, and each echo's
// proxy.istio.io/config), a DestinationRule MUTUAL names those very files, PeerAuthentication STRICT
// mesh-wide; the call gets a 200 whose XFCC names the client's SPIFFE identity: Istio mTLS. istiod
// rebuilds the MUTUAL from the proxy's metadata certificates (cluster_tls.go buildUpstreamTLSSettings).

const FD_NS = "istio-fd-sds";
const FILE_CERTS = {
  FILE_MOUNTED_CERTS: "true",
  ISTIO_META_TLS_CLIENT_CERT_CHAIN: "/client-certs/cert-chain.pem",
  ISTIO_META_TLS_CLIENT_KEY: "/client-certs/key.pem",
  ISTIO_META_TLS_CLIENT_ROOT_CERT: "/client-certs/root-cert.pem",
  ISTIO_META_TLS_SERVER_CERT_CHAIN: "/server-certs/cert-chain.pem",
  ISTIO_META_TLS_SERVER_KEY: "/server-certs/key.pem",
  ISTIO_META_TLS_SERVER_ROOT_CERT: "/server-certs/root-cert.pem",
};
function fileMountedEcho(svc: string, secret: string, ports: EchoPort[]): KubeObject[] {
  const volumes = JSON.stringify({
    "server-certs": { secret: { secretName: secret } },
    "client-certs": { secret: { secretName: secret } },
    "workload-certs": { secret: { secretName: secret } },
  });
  const mounts = JSON.stringify({
    "server-certs": { mountPath: "/server-certs" },
    "client-certs": { mountPath: "/client-certs" },
    "workload-certs": { mountPath: "/etc/certs" },
  });
  const labels = {
    app: svc,
    version: "v1",
    "test.istio.io/fake-namespace": "mounted-certs",
    "test.istio.io/fake-sa": svc,
  };
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: svc, namespace: FD_NS },
      spec: {
        selector: { app: svc },
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.target })),
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `${svc}-v1`, namespace: FD_NS },
      spec: {
        selector: { matchLabels: { app: svc, version: "v1" } },
        template: {
          metadata: {
            labels,
            annotations: {
              "sidecar.istio.io/userVolume": volumes,
              "sidecar.istio.io/userVolumeMount": mounts,
              "proxy.istio.io/config": JSON.stringify({
                controlPlaneAuthPolicy: "MUTUAL_TLS",
                proxyMetadata: FILE_CERTS,
              }),
            },
          },
          spec: {
            containers: [
              { name: "app", image: "app:1", ports: ports.map((p) => ({ containerPort: p.target })) },
            ],
          },
        },
      },
    },
  ];
}
const SERVER = host("server", FD_NS);
const fileMountedScenario: Scenario = {
  name: "file-mounted certificates: DR MUTUAL with the proxies' own files towards a STRICT server is Istio mTLS (200, XFCC)",
  doc: "tests/integration/security/file_mounted_certs/p2p_mtls_test.go TestClientToServiceTls; main_test.go setupConfig, setupApps",
  objects: [
    ISTIO_SYSTEM,
    meshConfig(
      `defaultConfig:\n  controlPlaneAuthPolicy: MUTUAL_TLS\n  proxyMetadata: ${JSON.stringify(FILE_CERTS)}\n`,
    ),
    namespace(FD_NS, { "istio-injection": "enabled" }),
    ...fileMountedEcho("client", "test-client-cred", []),
    ...fileMountedEcho("server", "test-server-cred", [{ name: "http", port: 8443, target: 8443 }]),
    dr(FD_NS, "server", {
      host: SERVER,
      trafficPolicy: {
        tls: {
          mode: "MUTUAL",
          caCertificates: "/client-certs/root-cert.pem",
          clientCertificate: "/client-certs/cert-chain.pem",
          privateKey: "/client-certs/key.pem",
          subjectAltNames: ["server.mounted-certs.svc"],
        },
      },
    }),
    pa("istio-system", "default", { mtls: { mode: "STRICT" } }),
  ],
  traffic: [
    series("istio_requests_total", "source", [FD_NS, "client-v1"], SERVER, "unknown", 10, "http"),
    series("istio_requests_total", "destination", [FD_NS, "client-v1"], SERVER, "mutual_tls", 10, "http"),
  ],
  edges: [{ src: `${FD_NS}/client-v1`, host: SERVER, verdict: "mtls", codes: [] }],
  findings: [],
};

describe("TestClientToServiceTls (tests/integration/security/file_mounted_certs)", () => {
  it(fileMountedScenario.name, () => check(fileMountedScenario));
});
