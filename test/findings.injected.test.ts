// One misconfiguration injected into a random correct mesh (test/support/correctMesh.ts): the
// finding that explains it must fire, name the object at fault first, and be the only kind of
// warning or error besides its documented consequences. The unit tests of each rule use minimal
// fixtures; this checks the same rules in the company of everything a real mesh holds (other
// policies, DRs at other tiers, live pods, Sidecar resources, ambient neighbours).
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import type { Finding, MeshSnapshot, Ref } from "../lib/core/snapshot/schema";
import { deploy, destRule, host, peerAuth, run, sidecarResource, tls } from "./kit";
import { correctMesh, ROOT, type App, type CorrectMesh } from "./support/correctMesh";
import { mulberry32, pick } from "./support/mutation";

const SEEDS = 120;

interface Injected {
  objects: KubeObject[];
  samples: TrafficSample[];
  /** The finding that must fire, and the object it must name first (or the edge it must be about). */
  code: string;
  severity: Finding["severity"];
  first?: Ref;
  edge?: string;
  /** Other codes the injection may cause; any other warning or error is a false positive. */
  consequences: string[];
}

type Injection = (mesh: CorrectMesh, pickOne: <T>(xs: T[]) => T | undefined) => Injected | null;

const OLD = "2025-01-01T00:00:00Z";
const ref = (kind: string, namespace: string, name: string): Ref => ({ kind, namespace, name });
const copy = (m: CorrectMesh) => ({
  objects: structuredClone(m.objects),
  samples: structuredClone(m.samples),
});
/** The edge an observed call makes: ztunnel reports TCP, which lands on a tcp-* port when there is one. */
const edgeId = (c: CorrectMesh["calls"][number]) => {
  const port =
    (c.service.ambient && c.service.ports.find((p) => p.name?.startsWith("tcp"))) || c.service.ports[0]!;
  return `${c.client.ns}/${c.client.name}->${host(c.service.name, c.service.ns)}:${port.port}`;
};
const serviceOf = (m: CorrectMesh, a: App) => m.services.find((s) => s.ns === a.ns && s.name === a.service);
/** The workloads a Service selects. */
const backing = (m: CorrectMesh, s: CorrectMesh["services"][number]) =>
  m.apps.filter((a) => a.ns === s.ns && a.service === s.name);
/** Calls a DR-less, auto-mTLS sidecar service from a sidecar client outside the root namespace. */
const plainCalls = (m: CorrectMesh) =>
  m.calls.filter(
    (c) =>
      !c.client.ambient &&
      c.client.ns !== ROOT &&
      !c.service.ambient &&
      c.service.clientSide === "auto" &&
      !m.meshWideDr,
  );

const INJECTIONS: Record<string, Injection> = {
  // A tls block without mode is DISABLE: plaintext towards the service's (STRICT or PERMISSIVE) sidecars.
  "dr.tls-without-mode": (m, one) => {
    const c = one(plainCalls(m));
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(
      destRule(c.service.ns, "broken", host(c.service.name, c.service.ns), { trafficPolicy: { tls: {} } }),
    );
    return {
      objects,
      samples,
      code: "dr.tls-without-mode",
      severity: "warning",
      first: ref("DestinationRule", c.service.ns, "broken"),
      consequences: [
        m.mode === "STRICT" ? "edge.plaintext-to-strict" : "edge.plaintext",
        "edge.observed-mismatch",
      ],
    };
  },
  // DR DISABLE towards a STRICT sidecar: every client in the mesh now breaks, and the edge error names the DR.
  "edge.plaintext-to-strict": (m, one) => {
    if (m.mode !== "STRICT") return null;
    const c = one(plainCalls(m));
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(
      destRule(c.service.ns, "off", host(c.service.name, c.service.ns), {
        trafficPolicy: { tls: { mode: "DISABLE" } },
      }),
    );
    const id = edgeId(c);
    return {
      objects,
      samples,
      code: "edge.plaintext-to-strict",
      severity: "error",
      first: ref("DestinationRule", c.service.ns, "off"),
      edge: id,
      consequences: ["edge.observed-mismatch"],
    };
  },
  // A workload policy whose selector matches nothing (a typo in a label).
  "pa.selector-matches-nothing": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT));
    if (!a) return null;
    const { objects, samples } = copy(m);
    objects.push(peerAuth(a.ns, "typo", m.mode, { selector: { app: `${a.name}-typo` } }));
    return {
      objects,
      samples,
      code: "pa.selector-matches-nothing",
      severity: "warning",
      first: ref("PeerAuthentication", a.ns, "typo"),
      consequences: [],
    };
  },
  // A selector in the root namespace: Istio ignores the policy.
  "pa.root-selector-ignored": (m) => {
    const { objects, samples } = copy(m);
    objects.push(peerAuth(ROOT, "root-selector", m.mode, { selector: { app: "istiod" } }));
    return {
      objects,
      samples,
      code: "pa.root-selector-ignored",
      severity: "warning",
      first: ref("PeerAuthentication", ROOT, "root-selector"),
      consequences: [],
    };
  },
  // A second, newer mesh-wide policy: ignored, and named first.
  "pa.conflict": (m) => {
    if (m.mode !== "STRICT") return null;
    const { objects, samples } = copy(m);
    objects.push(peerAuth(ROOT, "newer", "PERMISSIVE", { created: "2026-06-01T00:00:00Z" }));
    return {
      objects,
      samples,
      code: "pa.conflict",
      severity: "warning",
      first: ref("PeerAuthentication", ROOT, "newer"),
      consequences: [],
    };
  },
  // portLevelMtls keyed by the Service port instead of the target port.
  "pa.port-not-on-workload": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ownPolicy && x.service));
    const s = a && serviceOf(m, a);
    if (!a || !s) return null;
    const { objects, samples } = copy(m);
    objects.push(
      peerAuth(a.ns, "by-service-port", m.mode, {
        selector: a.labels,
        ports: { [String(s.ports[0]!.port)]: m.mode },
        created: OLD,
      }),
    );
    return {
      objects,
      samples,
      code: "pa.port-not-on-workload",
      severity: "warning",
      first: ref("PeerAuthentication", a.ns, "by-service-port"),
      consequences: [],
    };
  },
  // The destination saw plaintext where mTLS is predicted.
  "edge.observed-mismatch": (m, one) => {
    const c = one(m.calls.filter((x) => !x.service.ambient && x.client.ns !== ROOT));
    if (!c) return null;
    const { objects, samples } = copy(m);
    const h = host(c.service.name, c.service.ns);
    const src = `${c.client.ns}/${c.client.name}`;
    const sample = samples.find(
      (x) =>
        x.labels.destination_service === h &&
        `${x.labels.source_workload_namespace}/${x.labels.source_workload}` === src &&
        x.labels.reporter === "destination",
    )!;
    sample.labels.connection_security_policy = "none";
    const id = edgeId(c);
    // A PERMISSIVE destination that sees plaintext is also pa.permissive's warning (it names the clients).
    return {
      objects,
      samples,
      code: "edge.observed-mismatch",
      severity: "warning",
      edge: id,
      consequences: m.mode === "PERMISSIVE" ? ["pa.permissive"] : [],
    };
  },
  // Namespace DISABLE over a STRICT workload: auto mTLS sends plaintext to it (istio.md §3.4).
  "edge.auto-mtls-namespace-disable": (m, one) => {
    if (m.mode !== "STRICT") return null;
    const c = one(plainCalls(m).filter((x) => !x.service.headless));
    if (!c) return null;
    const { objects, samples } = copy(m);
    const ns = c.service.ns;
    objects.push(peerAuth(ns, "ns-off", "DISABLE", { created: OLD }));
    for (const a of backing(m, c.service))
      objects.push(peerAuth(ns, `${a.name}-on`, "STRICT", { selector: a.labels, created: OLD }));
    const id = edgeId(c);
    return {
      objects,
      samples,
      code: "edge.auto-mtls-namespace-disable",
      severity: "error",
      edge: id,
      consequences: ["pa.disable", "pa.conflict", "edge.plaintext", "edge.observed-mismatch"],
    };
  },
  // Port-level DISABLE on a port the workload really has: the port accepts plaintext, and callers send it.
  "pa.disable": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ambient && x.service));
    if (!a) return null;
    const { objects, samples } = copy(m);
    objects.push(
      peerAuth(a.ns, "port-off", m.mode, { selector: a.labels, ports: { "8080": "DISABLE" }, created: OLD }),
    );
    return {
      objects,
      samples,
      code: "pa.disable",
      severity: "warning",
      first: ref("PeerAuthentication", a.ns, "port-off"),
      consequences: ["pa.conflict", "edge.plaintext", "edge.mtls-to-disable", "edge.observed-mismatch"],
    };
  },
  // A pod whose injection failed in an injected namespace.
  "workload.no-proxy": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ambient));
    if (!a) return null;
    const { objects, samples } = copy(m);
    objects.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "debug", namespace: a.ns, labels: { run: "debug" } },
      spec: { containers: [{ name: "debug", image: "busybox" }] },
    });
    return {
      objects,
      samples,
      code: "workload.no-proxy",
      severity: "warning",
      first: ref("Pod", a.ns, "debug"),
      consequences: [],
    };
  },
  // The tlsMode label copied onto a pod that has no proxy: auto-mTLS callers would send it mTLS.
  "workload.tlsmode-without-proxy": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ambient));
    if (!a) return null;
    const { objects, samples } = copy(m);
    const labels = { run: "copied", "security.istio.io/tlsMode": "istio" };
    objects.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "copied", namespace: a.ns, labels },
      spec: { containers: [{ name: "app", image: "example/app:1" }] },
    });
    return {
      objects,
      samples,
      code: "workload.tlsmode-without-proxy",
      severity: "error",
      first: ref("Pod", a.ns, "copied"),
      consequences: ["workload.no-proxy"],
    };
  },
  // A second DestinationRule for the same host in the same namespace: the newer one's policy is ignored.
  "dr.duplicate-host": (m, one) => {
    const s = one(m.services.filter((x) => x.clientSide === "per-service"));
    if (!s) return null;
    const { objects, samples } = copy(m);
    objects.push(
      destRule(
        s.ns,
        `${s.name}-again`,
        host(s.name, s.ns),
        { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } },
        "2026-06-01T00:00:00Z",
      ),
    );
    return {
      objects,
      samples,
      code: "dr.duplicate-host",
      severity: "warning",
      first: ref("DestinationRule", s.ns, `${s.name}-again`),
      consequences: [],
    };
  },
  // A private catch-all DR beside a selector DR for the same host, both exportTo ".": Istio merges the
  // catch-all into the selector DR (istio/istio#58322), so the other clients lose it.
  "dr.duplicate-host (swallowed by a selector DR)": (m, one) => {
    const c = one(m.calls.filter((x) => x.client.ns !== ROOT && !x.client.ambient && !x.service.ambient));
    if (!c) return null;
    const { objects, samples } = copy(m);
    const h = host(c.service.name, c.service.ns);
    objects.push(destRule(c.client.ns, "for-all", h, { ...tls("ISTIO_MUTUAL"), exportTo: ["."] }));
    objects.push(
      destRule(c.client.ns, "for-one", h, {
        ...tls("ISTIO_MUTUAL"),
        workloadSelector: { matchLabels: { app: "canary" } },
      }),
    );
    return {
      objects,
      samples,
      code: "dr.duplicate-host",
      severity: "warning",
      first: ref("DestinationRule", c.client.ns, "for-all"),
      consequences: ["dr.shadowed"],
    };
  },
  // A client namespace's own DR for a host hides the service namespace's DR from that namespace.
  "dr.shadowed": (m, one) => {
    const c = one(
      m.calls.filter(
        (x) =>
          x.service.clientSide === "per-service" &&
          x.client.ns !== x.service.ns &&
          x.client.ns !== ROOT &&
          !x.client.ambient,
      ),
    );
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(
      destRule(c.client.ns, `${c.service.name}-local`, host(c.service.name, c.service.ns), {
        trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
      }),
    );
    return {
      objects,
      samples,
      code: "dr.shadowed",
      severity: "warning",
      first: ref("DestinationRule", c.service.ns, c.service.name),
      consequences: [],
    };
  },
  "dr.host-not-found": (m, one) => {
    const ns = one([...new Set(m.apps.map((a) => a.ns))].filter((x) => x !== ROOT));
    if (!ns) return null;
    const { objects, samples } = copy(m);
    objects.push(destRule(ns, "ghost", host("ghost", ns), tls("ISTIO_MUTUAL")));
    return {
      objects,
      samples,
      code: "dr.host-not-found",
      severity: "warning",
      first: ref("DestinationRule", ns, "ghost"),
      consequences: [],
    };
  },
  // The external host's TLS origination, made weaker or broken in four ways.
  ...Object.fromEntries(
    (
      [
        ["dr.insecure-skip-verify", "warning", { mode: "SIMPLE", insecureSkipVerify: true }],
        ["dr.mutual-missing-certs", "error", { mode: "MUTUAL" }],
        ["dr.credential-name-plaintext", "error", { mode: "SIMPLE", credentialName: "payments-client" }],
      ] as const
    ).map(([code, severity, tlsBlock]): [string, Injection] => [
      code,
      (m) => {
        // credentialName is only ignored by sidecars: a mesh without them has no one to send plaintext.
        if (
          m.external.size === 0 ||
          (code === "dr.credential-name-plaintext" && !m.apps.some((a) => !a.ambient && a.ns !== ROOT))
        )
          return null;
        const { objects, samples } = copy(m);
        const dr = objects.find((o) => o.kind === "DestinationRule" && o.metadata.name === "payments-api")!;
        (dr.spec as { trafficPolicy: { tls: Record<string, unknown> } }).trafficPolicy.tls = { ...tlsBlock };
        return {
          objects,
          samples,
          code,
          severity,
          first: ref("DestinationRule", dr.metadata.namespace!, "payments-api"),
          consequences: [],
        };
      },
    ]),
  ),
  // Own TLS towards a service whose endpoints have Istio sidecars.
  "dr.non-istio-tls-to-mesh": (m, one) => {
    const c = one(plainCalls(m));
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(destRule(c.service.ns, "own-tls", host(c.service.name, c.service.ns), tls("SIMPLE")));
    return {
      objects,
      samples,
      code: "dr.non-istio-tls-to-mesh",
      severity: "warning",
      first: ref("DestinationRule", c.service.ns, "own-tls"),
      consequences: ["edge.tls-mismatch", "edge.observed-mismatch"],
    };
  },
  // A port excluded from inbound capture on a sidecar workload: it takes plaintext, and auto mTLS
  // (which still sees the tlsMode label) sends it mTLS that nothing terminates.
  "workload.capture-excluded-port": (m, one) => {
    // Under PERMISSIVE the port accepted plaintext anyway: the rule is about STRICT policies.
    if (m.mode !== "STRICT") return null;
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ambient && x.ports.length > 0));
    if (!a) return null;
    const { objects, samples } = copy(m);
    for (const o of objects) {
      const owned =
        (o.kind === "Deployment" || o.kind === "StatefulSet") &&
        o.metadata.name === a.name &&
        o.metadata.namespace === a.ns;
      const pod =
        (o.kind === "Pod" || o.kind === "ReplicaSet") &&
        o.metadata.name.startsWith(`${a.name}-`) &&
        o.metadata.namespace === a.ns;
      if (!owned && !pod) continue;
      const meta = (
        o.kind === "Pod"
          ? o.metadata
          : (o.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata
      ) as { annotations?: Record<string, string> };
      meta.annotations = { ...meta.annotations, "traffic.sidecar.istio.io/excludeInboundPorts": "8080" };
    }
    return {
      objects,
      samples,
      code: "workload.capture-excluded-port",
      severity: "warning",
      first: ref(
        objects.find(
          (o) => o.metadata.name === a.name && o.metadata.namespace === a.ns && o.kind !== "Service",
        )!.kind,
        a.ns,
        a.name,
      ),
      consequences: ["edge.mtls-to-no-proxy", "edge.observed-mismatch"],
    };
  },
  // A policy for a workload that opted out of the mesh: it enforces nothing.
  "pa.no-proxy": (m, one) => {
    const ns = one([...new Set(m.apps.filter((a) => !a.ambient).map((a) => a.ns))].filter((x) => x !== ROOT));
    if (!ns) return null;
    const { objects, samples } = copy(m);
    objects.push(deploy(ns, "legacy", { annotations: { "sidecar.istio.io/inject": "false" } }));
    objects.push(peerAuth(ns, "legacy", m.mode, { selector: { app: "legacy" } }));
    return {
      objects,
      samples,
      code: "pa.no-proxy",
      severity: "warning",
      first: ref("PeerAuthentication", ns, "legacy"),
      consequences: [],
    };
  },
  // DISABLE for an ambient namespace: ztunnel ignores it.
  "pa.ambient-disable-ignored": (m, one) => {
    const ns = one([...new Set(m.apps.filter((a) => a.ambient).map((a) => a.ns))]);
    if (!ns) return null;
    const { objects, samples } = copy(m);
    objects.push(peerAuth(ns, "off", "DISABLE", { created: OLD }));
    return {
      objects,
      samples,
      code: "pa.ambient-disable-ignored",
      severity: "warning",
      first: ref("PeerAuthentication", ns, "off"),
      consequences: ["pa.conflict"],
    };
  },
  // portLevelMtls without a selector: rejected at admission, its port map ignored if present anyway.
  "pa.port-level-without-selector": (m, one) => {
    const ns = one([...new Set(m.apps.filter((a) => !a.ambient).map((a) => a.ns))].filter((x) => x !== ROOT));
    if (!ns) return null;
    const { objects, samples } = copy(m);
    objects.push(
      peerAuth(ns, "ports-everywhere", m.mode, {
        ports: { "8080": m.mode },
        created: "2026-06-01T00:00:00Z",
      }),
    );
    return {
      objects,
      samples,
      code: "pa.port-level-without-selector",
      severity: "error",
      first: ref("PeerAuthentication", ns, "ports-everywhere"),
      consequences: ["pa.conflict"],
    };
  },
  // A Sidecar resource that imports only its own namespace: calls elsewhere leave through PassthroughCluster.
  "edge.passthrough": (m, one) => {
    const c = one(
      m.calls.filter(
        (x) =>
          !x.client.ambient &&
          x.client.ns !== ROOT &&
          x.service.ns !== x.client.ns &&
          !m.objects.some((o) => o.kind === "Sidecar" && o.metadata.namespace === x.client.ns),
      ),
    );
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(sidecarResource(c.client.ns, "default", ["./*", `${ROOT}/*`]));
    const consequences = ["edge.plaintext-to-strict", "edge.plaintext", "edge.observed-mismatch"];
    return { objects, samples, code: "edge.passthrough", severity: "warning", edge: edgeId(c), consequences };
  },
  // A DR forcing Istio mTLS towards workloads that opted out of injection.
  "edge.mtls-to-no-proxy": (m, one) => {
    const liveApp = (a: App) =>
      m.objects.some(
        (o) => o.kind === "Pod" && o.metadata.namespace === a.ns && o.metadata.name.startsWith(`${a.name}-`),
      );
    // The client keeps its proxy; the workloads that lose theirs also call others, in plaintext now.
    const c = one(
      plainCalls(m).filter(
        (x) => !x.service.headless && backing(m, x.service).every((a) => !liveApp(a) && a !== x.client),
      ),
    );
    if (!c) return null;
    const { objects, samples } = copy(m);
    for (const a of backing(m, c.service)) {
      const o = objects.find(
        (x) =>
          (x.kind === "Deployment" || x.kind === "StatefulSet") &&
          x.metadata.namespace === a.ns &&
          x.metadata.name === a.name,
      )!;
      const meta = (o.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template
        .metadata;
      meta.annotations = { ...meta.annotations, "sidecar.istio.io/inject": "false" };
    }
    objects.push(
      destRule(c.service.ns, "force-mtls", host(c.service.name, c.service.ns), tls("ISTIO_MUTUAL")),
    );
    const consequences = [
      "edge.observed-mismatch",
      "edge.plaintext",
      "edge.plaintext-to-strict",
      "pa.no-proxy",
    ];
    return {
      objects,
      samples,
      code: "edge.mtls-to-no-proxy",
      severity: "error",
      first: ref("DestinationRule", c.service.ns, "force-mtls"),
      edge: edgeId(c),
      consequences,
    };
  },
};

function check(name: string, seed: number, inj: Injected, s: MeshSnapshot): string[] {
  const out: string[] = [];
  const hits = s.findings.filter((f) => f.code === inj.code);
  const named = hits.filter(
    (f) =>
      (!inj.first || JSON.stringify(f.resources[0]) === JSON.stringify(inj.first)) &&
      (!inj.edge || f.edge === inj.edge),
  );
  if (named.length === 0)
    out.push(
      `${name}: no ${inj.code} naming ${JSON.stringify(inj.first ?? inj.edge)}; got ${JSON.stringify(hits.map((f) => [f.resources[0], f.edge]))}`,
    );
  for (const f of named) {
    if (f.severity !== inj.severity)
      out.push(`${name}: ${inj.code} is ${f.severity}, expected ${inj.severity}`);
    if (!f.fix) out.push(`${name}: ${inj.code} has no fix`);
  }
  const allowed = new Set([inj.code, ...inj.consequences]);
  for (const f of s.findings)
    if (f.severity !== "info" && !allowed.has(f.code))
      out.push(`${name}: unexpected ${f.code}: ${f.message}`);
  return out.map((x) => `seed ${seed}, ${x}`);
}

describe("one misconfiguration injected into a random correct mesh", () => {
  it.each(Object.keys(INJECTIONS))(
    "%s fires, names the object at fault, and nothing unrelated fires",
    (name) => {
      const failures: string[] = [];
      let applied = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const mesh = correctMesh(seed);
        const rng = mulberry32(seed * 7919);
        const inj = INJECTIONS[name]!(mesh, (xs) => (xs.length ? pick(rng, xs) : undefined));
        if (!inj) continue;
        applied++;
        const problems = check(name, seed, inj, run(inj.objects, inj.samples));
        if (problems.length > 0 && failures.length < 2)
          failures.push(
            `${problems.join("\n")}\n--- manifest:\n${inj.objects.map((o) => yaml.dump(o)).join("---\n")}`,
          );
      }
      expect(failures.join("\n\n")).toBe("");
      // Each injection must find a place in a good share of the meshes, or it tests little.
      expect(applied).toBeGreaterThan(SEEDS / 5);
    },
  );
});
