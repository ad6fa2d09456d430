// Seeded random meshes for the differential test (test/differential.test.ts): small, but dense in
// the combinations the spec cares about (istio.md §1–§4, §9.10; contract §1.1, §2.1). Only Istio
// sidecar + ambient objects: no Sidecar resources, Linkerd, cert-manager, revisions or DR subsets,
// which the reference leaves out.
import type { KubeObject, TrafficSample } from "../../lib/core/model/input";
import { deploy, destRule, meshConfig, namespace, peerAuth, service, serviceEntry, type PortSpec } from "../kit";
import { mulberry32, pick, type Rng } from "./mutation";

export interface RandomMesh {
  seed: number;
  objects: KubeObject[];
  samples: TrafficSample[];
  /** Every (client workload "ns/name", destination host) pair a sample was written for. */
  pairs: { client: string; host: string }[];
}

const ROOT = "istio-system";
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

function namespaces(rng: Rng, n: number): { objects: KubeObject[]; names: string[] } {
  const names: string[] = [];
  const objects: KubeObject[] = [namespace(ROOT)];
  for (let i = 0; i < n; i++) {
    const name = `ns${i}`;
    names.push(name);
    const kind = pick(rng, ["injected", "injected", "plain", "disabled", "ambient", "ambient"] as const);
    const labels: Record<string, string> =
      kind === "injected" ? { "istio-injection": "enabled" } : kind === "disabled" ? { "istio-injection": "disabled" } : kind === "ambient" ? { "istio.io/dataplane-mode": "ambient" } : {};
    objects.push(namespace(name, labels));
  }
  return { objects, names };
}

function workload(rng: Rng, ns: string, name: string, made: Made[]): KubeObject {
  const labels: Record<string, string> = { tier: pick(rng, TIERS) };
  const annotations: Record<string, string> = {};
  if (chance(rng, 0.1)) (chance(rng, 0.5) ? labels : annotations)["sidecar.istio.io/inject"] = "false";
  if (chance(rng, 0.07)) labels["sidecar.istio.io/inject"] = "true";
  if (chance(rng, 0.07)) labels["istio.io/dataplane-mode"] = "none";
  if (chance(rng, 0.08)) labels["security.istio.io/tlsMode"] = pick(rng, ["istio", "disabled"]);
  // Every pod declares `web` (on its own number), so a named target port usually resolves everywhere.
  const names = ["web", ...shuffle(rng, PORT_NAMES.slice(1)).slice(0, int(rng, 0, 2))];
  const numbers = shuffle(rng, [...PORTS]);
  const ports = names.map((n, i) => ({ port: numbers[i]!, name: n }));
  if (chance(rng, 0.1)) annotations["traffic.sidecar.istio.io/excludeInboundPorts"] = String(pick(rng, PORTS));
  made.push({ ns, tier: labels.tier!, portNames: ports.map((p) => p.name) });
  return deploy(ns, name, { labels, annotations, ports });
}

interface Made {
  ns: string;
  tier: string;
  portNames: string[];
}

/** A named target port the selected workloads all declare, most of the time (a name some pod lacks leaves that pod out of the port's endpoints). */
function portName(rng: Rng, selected: Made[]): string {
  const common = PORT_NAMES.filter((n) => selected.length > 0 && selected.every((w) => w.portNames.includes(n)));
  if (chance(rng, 0.03)) return "metrics"; // declared by no pod: no endpoint on this port
  return common.length > 0 ? pick(rng, common) : pick(rng, PORT_NAMES);
}

function svc(rng: Rng, ns: string, name: string, made: Made[]): KubeObject {
  // Mostly a tier that has pods here: an edge to a Service without endpoints says little.
  const here = made.filter((w) => w.ns === ns).map((w) => w.tier);
  const selector = chance(rng, 0.04) ? { tier: "nobody" } : { tier: here.length > 0 && chance(rng, 0.95) ? pick(rng, here) : pick(rng, TIERS) };
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
    const selector: Record<string, string> | undefined = r < 0.45 ? undefined : r < 0.55 ? {} : r < 0.85 ? { tier: pick(rng, TIERS) } : { app: pick(rng, names) };
    const hasSelector = selector !== undefined && Object.keys(selector).length > 0;
    let ports: Record<string, string | null> | undefined;
    // portLevelMtls without a selector is rejected at admission (§1.1); rarely written anyway.
    if ((hasSelector && chance(rng, 0.5)) || chance(rng, 0.05)) {
      ports = {};
      for (let k = int(rng, 1, 2); k > 0; k--) ports[String(pick(rng, PORTS))] = pick(rng, ["STRICT", "PERMISSIVE", "DISABLE", "UNSET", null]);
    }
    const at = created(rng);
    const pa = peerAuth(ns, name, mode, { ...(selector ? { selector } : {}), ...(ports ? { ports } : {}), ...(at ? { created: at } : {}) });
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
  if (mode === "MUTUAL") return { mode, clientCertificate: "/etc/certs/cert.pem", privateKey: "/etc/certs/key.pem" };
  if (mode === "SIMPLE" && chance(rng, 0.2)) return { mode, credentialName: "client-credential" };
  return { mode };
}

function destRules(rng: Rng, nss: string[], hosts: { ns: string; name: string; host: string }[], servicePorts: number[]): KubeObject[] {
  const out: KubeObject[] = [];
  /** exportTo of each (namespace, normalised host): Istio keeps DRs with different exportTo apart, which the reference does not model. */
  const exportOf = new Map<string, string[] | undefined>();
  const count = int(rng, 0, 6);
  for (let i = 0; i < count; i++) {
    const ns = chance(rng, 0.25) ? ROOT : pick(rng, nss);
    const target = hosts.length > 0 ? pick(rng, hosts) : { ns, name: "nothing", host: `nothing.${ns}.svc.cluster.local` };
    const r = rng();
    const host =
      r < 0.35 ? target.host : r < 0.55 ? target.name : r < 0.7 ? `*.${target.ns}.svc.cluster.local` : r < 0.8 ? "*.local" : r < 0.88 ? "*" : `${target.name}.${target.ns}`;
    const normalised = host.includes(".") || host === "*" ? host : `${host}.${ns}.svc.cluster.local`;
    const key = `${ns} ${normalised}`;
    if (!exportOf.has(key)) {
      const e = rng();
      exportOf.set(key, e < 0.5 ? undefined : e < 0.65 ? ["."] : e < 0.8 ? ["*"] : [pick(rng, nss), ...(chance(rng, 0.5) ? [pick(rng, nss)] : [])]);
    }
    const exportTo = exportOf.get(key);
    const trafficPolicy: Record<string, unknown> = {};
    const tls = tlsBlock(rng);
    if (tls) trafficPolicy.tls = tls;
    if (chance(rng, 0.35) && servicePorts.length > 0) {
      const settings: Record<string, unknown>[] = [];
      for (let k = int(rng, 1, 2); k > 0; k--) {
        const entryTls = chance(rng, 0.6) ? tlsBlock(rng) : undefined;
        settings.push({ port: { number: pick(rng, servicePorts) }, ...(entryTls ? { tls: entryTls } : { connectionPool: { tcp: { maxConnections: 10 } } }) });
      }
      trafficPolicy.portLevelSettings = settings;
    }
    const name = pick(rng, ["a", "b", `dr${i}`]);
    if (out.some((o) => o.metadata.namespace === ns && o.metadata.name === name)) continue;
    out.push(destRule(ns, name, host, { trafficPolicy, ...(exportTo ? { exportTo } : {}) }, created(rng)));
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
  const objects: KubeObject[] = [];
  const { objects: nsObjects, names: nss } = namespaces(rng, int(rng, 2, 5));
  objects.push(...nsObjects);
  if (chance(rng, 0.5)) objects.push(meshConfig(chance(rng, 0.4) ? "enableAutoMtls: false\n" : "trustDomain: cluster.local\n"));

  const workloads: string[] = [];
  const made: Made[] = [];
  for (let i = int(rng, 3, 15); i > 0; i--) {
    const ns = pick(rng, nss);
    const name = `w${workloads.length}`;
    workloads.push(`${ns}/${name}`);
    objects.push(workload(rng, ns, name, made));
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
  objects.push(...peerAuths(rng, nss, workloads.map((w) => w.split("/")[1]!)));
  objects.push(...destRules(rng, nss, hosts, servicePorts));

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
