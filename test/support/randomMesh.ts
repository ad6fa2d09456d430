// Seeded random meshes for the differential test (test/differential.test.ts): small, but dense in
// the combinations the spec cares about (istio.md §1–§4, §9.2, §9.10, §9.12; contract §1.1, §2.1):
// sidecar and ambient pods, live pods beside their Deployments, revisions, a custom root namespace,
// Sidecar resources and workloadSelector DestinationRules. No Linkerd, cert-manager or DR subsets,
// which the reference leaves out.
import type { KubeObject, TrafficSample } from "../../lib/core/model/input";
import {
  deploy,
  destRule,
  meshConfig,
  namespace,
  peerAuth,
  service,
  serviceEntry,
  type PortSpec,
} from "../kit";
import { mulberry32, pick, type Rng } from "./mutation";

export interface RandomMesh {
  seed: number;
  objects: KubeObject[];
  samples: TrafficSample[];
  /** Every (client workload "ns/name", destination host) pair a sample was written for. */
  pairs: { client: string; host: string }[];
}

/** The root namespace of the mesh being generated (set by randomMesh): istio-system, or a custom one the mesh ConfigMap names. */
let ROOT = "istio-system";
const REVISION = "canary";
const PORTS = [80, 8080, 9090, 5432, 7070];
const PORT_NAMES = ["web", "admin", "db"];
const TIMES = ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"];
const TIERS = ["t0", "t1", "t2"];

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
const chance = (rng: Rng, p: number) => rng() < p;
/** Some objects carry no timestamp (common in manifests), some share one (ties: name decides, §1.3). */
const created = (rng: Rng): string | undefined => (chance(rng, 0.25) ? undefined : pick(rng, TIMES));

type NsKind = "injected" | "revision" | "plain" | "disabled" | "ambient";

function namespaces(
  rng: Rng,
  n: number,
  kinds: Map<string, NsKind>,
): { objects: KubeObject[]; names: string[] } {
  const names: string[] = [];
  // The root namespace sometimes runs sidecar workloads of its own (istio.md §2.4 root-namespace clients).
  const rootInjected = chance(rng, 0.4);
  kinds.set(ROOT, rootInjected ? "injected" : "plain");
  const objects: KubeObject[] = [namespace(ROOT, rootInjected ? { "istio-injection": "enabled" } : {})];
  if (ROOT !== "istio-system") objects.push(namespace("istio-system"));
  for (let i = 0; i < n; i++) {
    const name = `ns${i}`;
    names.push(name);
    const kind = pick(rng, [
      "injected",
      "injected",
      "revision",
      "plain",
      "disabled",
      "ambient",
      "ambient",
    ] as const);
    kinds.set(name, kind);
    const labels: Record<string, string> =
      kind === "injected"
        ? { "istio-injection": "enabled" }
        : kind === "revision"
          ? { "istio.io/rev": REVISION }
          : kind === "disabled"
            ? { "istio-injection": "disabled" }
            : kind === "ambient"
              ? { "istio.io/dataplane-mode": "ambient" }
              : {};
    objects.push(namespace(name, labels));
  }
  return { objects, names };
}

/** The mesh ConfigMap text (DECISIONS: flow maps are read as YAML). */
function meshText(rng: Rng): string {
  const lines: string[] = [];
  const auto = rng();
  if (auto < 0.3) lines.push("enableAutoMtls: false");
  else if (auto < 0.5) lines.push("enableAutoMtls: true");
  if (chance(rng, 0.15)) lines.push("outboundTrafficPolicy: {mode: REGISTRY_ONLY}");
  if (ROOT !== "istio-system") lines.push(`rootNamespace: ${ROOT}`);
  lines.push("trustDomain: cluster.local");
  return lines.join("\n") + "\n";
}

function workload(rng: Rng, ns: string, name: string, made: Made[], kind: NsKind): KubeObject {
  const labels: Record<string, string> = { tier: pick(rng, TIERS) };
  const annotations: Record<string, string> = {};
  if (chance(rng, 0.1)) (chance(rng, 0.5) ? labels : annotations)["sidecar.istio.io/inject"] = "false";
  if (chance(rng, 0.07)) labels["sidecar.istio.io/inject"] = "true";
  if (chance(rng, 0.07)) labels["istio.io/dataplane-mode"] = "none";
  if (chance(rng, 0.08)) labels["security.istio.io/tlsMode"] = pick(rng, ["istio", "disabled"]);
  // The tunnel label belongs on sidecar pods (§4 "ambient pod → sidecar pod"); on a pod without proxy the spec says nothing.
  if ((kind === "injected" || kind === "revision") && chance(rng, 0.1))
    labels["networking.istio.io/tunnel"] = "http";
  // Every pod declares `web` (on its own number), so a named target port usually resolves everywhere.
  const names = ["web", ...shuffle(rng, PORT_NAMES.slice(1)).slice(0, int(rng, 0, 2))];
  const numbers = shuffle(rng, [...PORTS]);
  const ports = names.map((n, i) => ({ port: numbers[i]!, name: n }));
  if (chance(rng, 0.1))
    annotations["traffic.sidecar.istio.io/excludeInboundPorts"] = String(pick(rng, PORTS));
  made.push({ ns, tier: labels.tier!, portNames: ports.map((p) => p.name) });
  return deploy(ns, name, { labels, annotations, ports });
}

/**
 * A ReplicaSet and its pods for a Deployment (contract §2.1 live pods). Pods usually match the
 * injection rules, but some predate injection (no proxy in an injected namespace) or were injected
 * by hand elsewhere; a third of the proxies are native sidecars (initContainers). The injector adds
 * tlsMode=istio unless the template set it; a pod without proxy carries only the template's labels.
 */
function livePods(rng: Rng, d: KubeObject, kind: NsKind): KubeObject[] {
  const ns = d.metadata.namespace!;
  const template = (
    d.spec as {
      template: {
        metadata: { labels: Record<string, string>; annotations: Record<string, string> };
        spec: Record<string, unknown>;
      };
    }
  ).template;
  const tlabels = template.metadata.labels;
  const optedOut =
    (tlabels["sidecar.istio.io/inject"] ?? template.metadata.annotations["sidecar.istio.io/inject"]) ===
    "false";
  const injects = (kind === "injected" || kind === "revision") && !optedOut;
  const proxy = chance(rng, injects ? 0.85 : 0.12);
  const rsName = `${d.metadata.name}-7d4b9c`;
  const owner = (k: string, n: string) => ({
    ownerReferences: [{ apiVersion: "apps/v1", kind: k, name: n, controller: true }],
  });
  const rs: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: rsName, namespace: ns, ...owner("Deployment", d.metadata.name) },
    spec: { template },
  };
  const out: KubeObject[] = [rs];
  const native = chance(rng, 0.33);
  for (let i = int(rng, 1, 2); i > 0; i--) {
    const labels = { ...tlabels };
    if (proxy && labels["security.istio.io/tlsMode"] === undefined)
      labels["security.istio.io/tlsMode"] = "istio";
    const sidecarC = {
      name: "istio-proxy",
      image: "istio/proxyv2:1.30.3",
      ...(native ? { restartPolicy: "Always" } : {}),
    };
    const spec: Record<string, unknown> = { ...template.spec };
    if (proxy && native) spec.initContainers = [sidecarC];
    if (proxy && !native) spec.containers = [...(template.spec.containers as unknown[]), sidecarC];
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${rsName}-x${i}`,
        namespace: ns,
        labels,
        annotations: { ...template.metadata.annotations },
        ...owner("ReplicaSet", rsName),
      },
      spec,
      status: { phase: "Running" },
    });
  }
  return out;
}

interface Made {
  ns: string;
  tier: string;
  portNames: string[];
}

/** A named target port the selected workloads all declare, most of the time (a name some pod lacks leaves that pod out of the port's endpoints). */
function portName(rng: Rng, selected: Made[]): string {
  const common = PORT_NAMES.filter(
    (n) => selected.length > 0 && selected.every((w) => w.portNames.includes(n)),
  );
  if (chance(rng, 0.03)) return "metrics"; // declared by no pod: no endpoint on this port
  return common.length > 0 ? pick(rng, common) : pick(rng, PORT_NAMES);
}

function svc(rng: Rng, ns: string, name: string, made: Made[]): KubeObject {
  // Mostly a tier that has pods here: an edge to a Service without endpoints says little.
  const here = made.filter((w) => w.ns === ns).map((w) => w.tier);
  const selector = chance(rng, 0.04)
    ? { tier: "nobody" }
    : { tier: here.length > 0 && chance(rng, 0.95) ? pick(rng, here) : pick(rng, TIERS) };
  const selected = made.filter((w) => w.ns === ns && w.tier === selector.tier);
  const n = int(rng, 1, 3);
  const ports: PortSpec[] = [];
  for (let i = 0; i < n; i++) {
    const port = pick(rng, PORTS);
    if (ports.some((p) => p.port === port)) continue;
    const r = rng();
    const targetPort = r < 0.4 ? pick(rng, PORTS) : r < 0.75 ? portName(rng, selected) : undefined;
    // Ports named http-* take the HTTP sample, the others the TCP one (contract §1.1 "Edge port").
    const pname = `${chance(rng, 0.6) ? "http" : "tcp"}-p${port}`;
    ports.push({ port, name: pname, ...(targetPort !== undefined ? { targetPort } : {}) });
  }
  return service(ns, name, ports, { selector, headless: chance(rng, 0.15) });
}

function peerAuths(rng: Rng, nss: string[], names: string[]): KubeObject[] {
  const out: KubeObject[] = [];
  const count = int(rng, 0, 6);
  for (let i = 0; i < count; i++) {
    const ns = chance(rng, 0.3) ? ROOT : pick(rng, nss);
    const name = pick(rng, ["a", "b", "default", `pa${i}`]);
    if (out.some((o) => o.metadata.namespace === ns && o.metadata.name === name)) continue;
    const mode = pick(rng, ["STRICT", "PERMISSIVE", "DISABLE", "UNSET", null]);
    const r = rng();
    const selector: Record<string, string> | undefined =
      r < 0.45
        ? undefined
        : r < 0.55
          ? {}
          : r < 0.85
            ? { tier: pick(rng, TIERS) }
            : { app: pick(rng, names) };
    const hasSelector = selector !== undefined && Object.keys(selector).length > 0;
    let ports: Record<string, string | null> | undefined;
    // portLevelMtls without a selector is rejected at admission (§1.1); rarely written anyway.
    if ((hasSelector && chance(rng, 0.5)) || chance(rng, 0.05)) {
      ports = {};
      for (let k = int(rng, 1, 2); k > 0; k--)
        ports[String(pick(rng, PORTS))] = pick(rng, ["STRICT", "PERMISSIVE", "DISABLE", "UNSET", null]);
    }
    const at = created(rng);
    const pa = peerAuth(ns, name, mode, {
      ...(selector ? { selector } : {}),
      ...(ports ? { ports } : {}),
      ...(at ? { created: at } : {}),
    });
    // kit writes `selector: {matchLabels: …}` only for a non-empty map; an explicit empty one is namespace-wide too.
    if (selector && !hasSelector) (pa.spec as Record<string, unknown>).selector = { matchLabels: {} };
    out.push(pa);
  }
  return out;
}

function tlsBlock(rng: Rng): Record<string, unknown> | undefined {
  const r = rng();
  if (r < 0.15) return undefined;
  if (r < 0.25) return { sni: "example.test" }; // no mode = DISABLE (§2.1)
  const mode = pick(rng, ["DISABLE", "ISTIO_MUTUAL", "ISTIO_MUTUAL", "SIMPLE", "MUTUAL"]);
  if (mode === "MUTUAL")
    return { mode, clientCertificate: "/etc/certs/cert.pem", privateKey: "/etc/certs/key.pem" };
  if (mode === "SIMPLE" && chance(rng, 0.2)) return { mode, credentialName: "client-credential" };
  return { mode };
}

function destRules(
  rng: Rng,
  nss: string[],
  hosts: { ns: string; name: string; host: string }[],
  servicePorts: number[],
): KubeObject[] {
  const out: KubeObject[] = [];
  /** exportTo of each (namespace, normalised host): Istio keeps DRs with different exportTo apart, which the reference does not model. */
  const exportOf = new Map<string, string[] | undefined>();
  const count = int(rng, 0, 6);
  for (let i = 0; i < count; i++) {
    const ns = chance(rng, 0.25) ? ROOT : pick(rng, nss);
    const target =
      hosts.length > 0 ? pick(rng, hosts) : { ns, name: "nothing", host: `nothing.${ns}.svc.cluster.local` };
    const r = rng();
    const host =
      r < 0.35
        ? target.host
        : r < 0.55
          ? target.name
          : r < 0.7
            ? `*.${target.ns}.svc.cluster.local`
            : r < 0.8
              ? "*.local"
              : r < 0.88
                ? "*"
                : `${target.name}.${target.ns}`;
    const normalised = host.includes(".") || host === "*" ? host : `${host}.${ns}.svc.cluster.local`;
    const key = `${ns} ${normalised}`;
    if (!exportOf.has(key)) {
      const e = rng();
      exportOf.set(
        key,
        e < 0.5
          ? undefined
          : e < 0.65
            ? ["."]
            : e < 0.8
              ? ["*"]
              : // Istio's validation refuses a namespace listed twice.
                [...new Set([pick(rng, nss), ...(chance(rng, 0.5) ? [pick(rng, nss)] : [])])],
      );
    }
    const exportTo = exportOf.get(key);
    const trafficPolicy: Record<string, unknown> = {};
    const tls = tlsBlock(rng);
    if (tls) trafficPolicy.tls = tls;
    if (chance(rng, 0.35) && servicePorts.length > 0) {
      const settings: Record<string, unknown>[] = [];
      for (let k = int(rng, 1, 2); k > 0; k--) {
        const entryTls = chance(rng, 0.6) ? tlsBlock(rng) : undefined;
        settings.push({
          port: { number: pick(rng, servicePorts) },
          ...(entryTls ? { tls: entryTls } : { connectionPool: { tcp: { maxConnections: 10 } } }),
        });
      }
      trafficPolicy.portLevelSettings = settings;
    }
    const name = pick(rng, ["a", "b", `dr${i}`]);
    if (out.some((o) => o.metadata.namespace === ns && o.metadata.name === name)) continue;
    // A workloadSelector DR (istio.md §2.4) applies to the matching clients of its own namespace and is
    // never exported, so it gets no exportTo; the root namespace gets none (its meaning there is not specified).
    if (ns !== ROOT && chance(rng, 0.2)) {
      const workloadSelector = {
        matchLabels: chance(rng, 0.7) ? { tier: pick(rng, TIERS) } : { app: `w${int(rng, 0, 14)}` },
      };
      out.push(destRule(ns, name, host, { trafficPolicy, workloadSelector }, created(rng)));
      continue;
    }
    out.push(destRule(ns, name, host, { trafficPolicy, ...(exportTo ? { exportTo } : {}) }, created(rng)));
  }
  return out;
}

/**
 * Sidecar resources (istio.md §9.2): per namespace at most one without selector and one per tier
 * value, in the root namespace one without selector; egress hosts mix own-namespace, other-namespace,
 * exact, wildcard and `~` imports; outboundTrafficPolicy sometimes set, else the mesh's.
 */
function sidecars(rng: Rng, nss: string[], hosts: { ns: string; host: string }[]): KubeObject[] {
  const out: KubeObject[] = [];
  const hostEntry = (): string => {
    const h = hosts.length > 0 ? pick(rng, hosts) : { ns: pick(rng, nss), host: "nothing.example" };
    return pick(rng, [
      "./*",
      "*/*",
      "~/*",
      `${h.ns}/*`,
      `*/${h.host}`,
      `${h.ns}/${h.host}`,
      `*/*.${h.ns}.svc.cluster.local`,
      `${pick(rng, nss)}/*`,
      "istio-system/*",
    ]);
  };
  const make = (ns: string, name: string, selector: Record<string, string> | null): KubeObject => {
    const spec: Record<string, unknown> = {};
    if (selector) spec.workloadSelector = { labels: selector };
    if (chance(rng, 0.85)) {
      const list: string[] = [];
      for (let k = int(rng, 1, 3); k > 0; k--) list.push(hostEntry());
      spec.egress = [{ hosts: list }];
    }
    const r = rng();
    if (r < 0.3) spec.outboundTrafficPolicy = { mode: "REGISTRY_ONLY" };
    else if (r < 0.45) spec.outboundTrafficPolicy = { mode: "ALLOW_ANY" };
    return { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name, namespace: ns }, spec };
  };
  if (chance(rng, 0.15)) out.push(make(ROOT, "default", null));
  for (const ns of nss) {
    if (chance(rng, 0.25)) out.push(make(ns, "default", null));
    if (chance(rng, 0.2)) {
      const tier = pick(rng, TIERS);
      out.push(make(ns, `only-${tier}`, { tier }));
    }
  }
  return out;
}

/** A destination-reported sample per (client, host) and protocol (contract §1.1: Istio metrics carry no port). */
function samplesFor(client: string, host: string, protocols: ("http" | "tcp")[]): TrafficSample[] {
  const [ns, wl] = client.split("/") as [string, string];
  return protocols.map((proto) => ({
    metric: proto === "http" ? "istio_requests_total" : "istio_tcp_connections_opened_total",
    labels: {
      reporter: "destination",
      source_workload: wl,
      source_workload_namespace: ns,
      destination_service: host,
      request_protocol: proto,
      connection_security_policy: "unknown",
    },
    value: 1,
  }));
}

export function randomMesh(seed: number): RandomMesh {
  const rng = mulberry32(seed);
  ROOT = chance(rng, 0.25) ? "mesh-root" : "istio-system";
  const objects: KubeObject[] = [];
  const kinds = new Map<string, NsKind>();
  const { objects: nsObjects, names: nss } = namespaces(rng, int(rng, 2, 5), kinds);
  objects.push(...nsObjects);
  // A custom root needs the ConfigMap that names it; otherwise it is there half of the time.
  if (ROOT !== "istio-system" || chance(rng, 0.5)) objects.push(meshConfig(meshText(rng)));
  // The canary revision has its own mesh settings half of the time, else it falls back to `istio` (contract §1.1).
  if (chance(rng, 0.5)) objects.push(meshConfig(meshText(rng), "istio-system", `istio-${REVISION}`));

  const workloads: string[] = [];
  const made: Made[] = [];
  for (let i = int(rng, 3, 15); i > 0; i--) {
    const ns = chance(rng, 0.08) ? ROOT : pick(rng, nss);
    const name = `w${workloads.length}`;
    workloads.push(`${ns}/${name}`);
    const d = workload(rng, ns, name, made, kinds.get(ns)!);
    objects.push(d);
    if (chance(rng, 0.25)) objects.push(...livePods(rng, d, kinds.get(ns)!));
  }
  const hosts: { ns: string; name: string; host: string; protocols: ("http" | "tcp")[] }[] = [];
  const servicePorts: number[] = [];
  for (let i = int(rng, 1, 5); i > 0; i--) {
    const ns = chance(rng, 0.85) ? pick(rng, made).ns : pick(rng, nss);
    const name = `s${hosts.length}`;
    const s = svc(rng, ns, name, made);
    objects.push(s);
    const ports = (s.spec as { ports: { port: number; name: string }[] }).ports;
    for (const p of ports) if (!servicePorts.includes(p.port)) servicePorts.push(p.port);
    const protocols: ("http" | "tcp")[] = [];
    if (ports.some((p) => p.name.startsWith("http"))) protocols.push("http");
    if (ports.some((p) => !p.name.startsWith("http"))) protocols.push("tcp");
    hosts.push({ ns, name, host: `${name}.${ns}.svc.cluster.local`, protocols });
  }
  if (chance(rng, 0.3)) {
    const ns = pick(rng, nss);
    objects.push(serviceEntry(ns, "external", ["api.example.com"], { ports: [443] }));
    hosts.push({ ns, name: "external", host: "api.example.com", protocols: ["tcp"] });
    if (!servicePorts.includes(443)) servicePorts.push(443);
  }
  objects.push(
    ...peerAuths(
      rng,
      nss,
      workloads.map((w) => w.split("/")[1]!),
    ),
  );
  objects.push(...destRules(rng, nss, hosts, servicePorts));
  objects.push(...sidecars(rng, nss, hosts));

  const pairs: { client: string; host: string }[] = [];
  const samples: TrafficSample[] = [];
  for (const client of workloads) {
    for (const h of hosts) {
      pairs.push({ client, host: h.host });
      samples.push(...samplesFor(client, h.host, h.protocols));
    }
  }
  return { seed, objects, samples, pairs };
}
