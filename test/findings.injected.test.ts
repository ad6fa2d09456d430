// One misconfiguration injected into a random correct mesh (test/support/correctMesh.ts): the
// finding that explains it must fire, name the object at fault first, and be the only kind of
// warning or error besides its documented consequences. The unit tests of each rule use minimal
// fixtures; this checks the same rules in the company of everything a real mesh holds (other
// policies, DRs at other tiers, live pods, Sidecar resources, ambient neighbours).
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import type { Finding, MeshSnapshot, Ref } from "../lib/core/snapshot/schema";
import { destRule, host, peerAuth, run } from "./kit";
import { correctMesh, ROOT, type CorrectMesh } from "./support/correctMesh";
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
const copy = (m: CorrectMesh) => ({ objects: structuredClone(m.objects), samples: structuredClone(m.samples) });
/** Calls a DR-less, auto-mTLS sidecar service from a sidecar client outside the root namespace. */
const plainCalls = (m: CorrectMesh) =>
  m.calls.filter((c) => !c.client.ambient && c.client.ns !== ROOT && !c.service.ambient && c.service.clientSide === "auto" && !m.meshWideDr);

const INJECTIONS: Record<string, Injection> = {
  // A tls block without mode is DISABLE: plaintext towards the service's (STRICT or PERMISSIVE) sidecars.
  "dr.tls-without-mode": (m, one) => {
    const c = one(plainCalls(m));
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(destRule(c.service.ns, "broken", host(c.service.name, c.service.ns), { trafficPolicy: { tls: {} } }));
    return {
      objects,
      samples,
      code: "dr.tls-without-mode",
      severity: "warning",
      first: ref("DestinationRule", c.service.ns, "broken"),
      consequences: [m.mode === "STRICT" ? "edge.plaintext-to-strict" : "edge.plaintext", "edge.observed-mismatch"],
    };
  },
  // DR DISABLE towards a STRICT sidecar: every client in the mesh now breaks, and the edge error names the DR.
  "edge.plaintext-to-strict": (m, one) => {
    if (m.mode !== "STRICT") return null;
    const c = one(plainCalls(m));
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(destRule(c.service.ns, "off", host(c.service.name, c.service.ns), { trafficPolicy: { tls: { mode: "DISABLE" } } }));
    const id = `${c.client.ns}/${c.client.name}->${host(c.service.name, c.service.ns)}:${c.service.ports[0]!.port}`;
    return { objects, samples, code: "edge.plaintext-to-strict", severity: "error", first: ref("DestinationRule", c.service.ns, "off"), edge: id, consequences: ["edge.observed-mismatch"] };
  },
  // A workload policy whose selector matches nothing (a typo in a label).
  "pa.selector-matches-nothing": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT));
    if (!a) return null;
    const { objects, samples } = copy(m);
    objects.push(peerAuth(a.ns, "typo", m.mode, { selector: { app: `${a.name}-typo` } }));
    return { objects, samples, code: "pa.selector-matches-nothing", severity: "warning", first: ref("PeerAuthentication", a.ns, "typo"), consequences: [] };
  },
  // A selector in the root namespace: Istio ignores the policy.
  "pa.root-selector-ignored": (m) => {
    const { objects, samples } = copy(m);
    objects.push(peerAuth(ROOT, "root-selector", m.mode, { selector: { app: "istiod" } }));
    return { objects, samples, code: "pa.root-selector-ignored", severity: "warning", first: ref("PeerAuthentication", ROOT, "root-selector"), consequences: [] };
  },
  // A second, newer mesh-wide policy: ignored, and named first.
  "pa.conflict": (m) => {
    if (m.mode !== "STRICT") return null;
    const { objects, samples } = copy(m);
    objects.push(peerAuth(ROOT, "newer", "PERMISSIVE", { created: "2026-06-01T00:00:00Z" }));
    return { objects, samples, code: "pa.conflict", severity: "warning", first: ref("PeerAuthentication", ROOT, "newer"), consequences: [] };
  },
  // portLevelMtls keyed by the Service port instead of the target port.
  "pa.port-not-on-workload": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ownPolicy && x.ports.length > 0));
    const s = a && m.services.find((x) => x.ns === a.ns && a.name.startsWith(`${x.name}-v`));
    if (!a || !s) return null;
    const { objects, samples } = copy(m);
    const labels = { app: s.name, version: a.name.slice(s.name.length + 1) };
    objects.push(peerAuth(a.ns, "by-service-port", m.mode, { selector: labels, ports: { [String(s.ports[0]!.port)]: m.mode }, created: OLD }));
    return { objects, samples, code: "pa.port-not-on-workload", severity: "warning", first: ref("PeerAuthentication", a.ns, "by-service-port"), consequences: [] };
  },
  // The destination saw plaintext where mTLS is predicted.
  "edge.observed-mismatch": (m, one) => {
    const c = one(m.calls.filter((x) => !x.service.ambient && x.client.ns !== ROOT));
    if (!c) return null;
    const { objects, samples } = copy(m);
    const h = host(c.service.name, c.service.ns);
    const src = `${c.client.ns}/${c.client.name}`;
    const sample = samples.find((x) => x.labels.destination_service === h && `${x.labels.source_workload_namespace}/${x.labels.source_workload}` === src && x.labels.reporter === "destination")!;
    sample.labels.connection_security_policy = "none";
    const id = `${src}->${h}:${c.service.ports[0]!.port}`;
    // A PERMISSIVE destination that sees plaintext is also pa.permissive's warning (it names the clients).
    return { objects, samples, code: "edge.observed-mismatch", severity: "warning", edge: id, consequences: m.mode === "PERMISSIVE" ? ["pa.permissive"] : [] };
  },
  // Namespace DISABLE over a STRICT workload: auto mTLS sends plaintext to it (istio.md §3.4).
  "edge.auto-mtls-namespace-disable": (m, one) => {
    if (m.mode !== "STRICT") return null;
    const c = one(plainCalls(m).filter((x) => !x.service.headless));
    if (!c) return null;
    const { objects, samples } = copy(m);
    const ns = c.service.ns;
    objects.push(peerAuth(ns, "ns-off", "DISABLE", { created: OLD }));
    for (const a of m.apps.filter((x) => x.ns === ns && x.name.startsWith(`${c.service.name}-v`)))
      objects.push(peerAuth(ns, `${a.name}-on`, "STRICT", { selector: { app: c.service.name, version: a.name.slice(c.service.name.length + 1) }, created: OLD }));
    const id = `${c.client.ns}/${c.client.name}->${host(c.service.name, ns)}:${c.service.ports[0]!.port}`;
    return { objects, samples, code: "edge.auto-mtls-namespace-disable", severity: "error", edge: id, consequences: ["pa.disable", "pa.conflict", "edge.plaintext", "edge.observed-mismatch"] };
  },
  // Port-level DISABLE on a port the workload really has: the port accepts plaintext, and callers send it.
  "pa.disable": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ambient && x.ports.length > 0));
    const s = a && m.services.find((x) => x.ns === a.ns && a.name.startsWith(`${x.name}-v`));
    if (!a || !s) return null;
    const { objects, samples } = copy(m);
    const labels = { app: s.name, version: a.name.slice(s.name.length + 1) };
    objects.push(peerAuth(a.ns, "port-off", m.mode, { selector: labels, ports: { "8080": "DISABLE" }, created: OLD }));
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
    objects.push({ apiVersion: "v1", kind: "Pod", metadata: { name: "debug", namespace: a.ns, labels: { run: "debug" } }, spec: { containers: [{ name: "debug", image: "busybox" }] } });
    return { objects, samples, code: "workload.no-proxy", severity: "warning", first: ref("Pod", a.ns, "debug"), consequences: [] };
  },
  // The tlsMode label copied onto a pod that has no proxy: auto-mTLS callers would send it mTLS.
  "workload.tlsmode-without-proxy": (m, one) => {
    const a = one(m.apps.filter((x) => x.ns !== ROOT && !x.ambient));
    if (!a) return null;
    const { objects, samples } = copy(m);
    const labels = { run: "copied", "security.istio.io/tlsMode": "istio" };
    objects.push({ apiVersion: "v1", kind: "Pod", metadata: { name: "copied", namespace: a.ns, labels }, spec: { containers: [{ name: "app", image: "example/app:1" }] } });
    return { objects, samples, code: "workload.tlsmode-without-proxy", severity: "error", first: ref("Pod", a.ns, "copied"), consequences: ["workload.no-proxy"] };
  },
  // A second DestinationRule for the same host in the same namespace: the newer one's policy is ignored.
  "dr.duplicate-host": (m, one) => {
    const s = one(m.services.filter((x) => x.clientSide === "per-service"));
    if (!s) return null;
    const { objects, samples } = copy(m);
    objects.push(destRule(s.ns, `${s.name}-again`, host(s.name, s.ns), { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }, "2026-06-01T00:00:00Z"));
    return { objects, samples, code: "dr.duplicate-host", severity: "warning", first: ref("DestinationRule", s.ns, `${s.name}-again`), consequences: [] };
  },
  // A client namespace's own DR for a host hides the service namespace's DR from that namespace.
  "dr.shadowed": (m, one) => {
    const c = one(m.calls.filter((x) => x.service.clientSide === "per-service" && x.client.ns !== x.service.ns && x.client.ns !== ROOT && !x.client.ambient));
    if (!c) return null;
    const { objects, samples } = copy(m);
    objects.push(destRule(c.client.ns, `${c.service.name}-local`, host(c.service.name, c.service.ns), { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }));
    return { objects, samples, code: "dr.shadowed", severity: "warning", first: ref("DestinationRule", c.service.ns, c.service.name), consequences: [] };
  },
};

function check(name: string, seed: number, inj: Injected, s: MeshSnapshot): string[] {
  const out: string[] = [];
  const hits = s.findings.filter((f) => f.code === inj.code);
  const named = hits.filter((f) => (!inj.first || JSON.stringify(f.resources[0]) === JSON.stringify(inj.first)) && (!inj.edge || f.edge === inj.edge));
  if (named.length === 0) out.push(`${name}: no ${inj.code} naming ${JSON.stringify(inj.first ?? inj.edge)}; got ${JSON.stringify(hits.map((f) => [f.resources[0], f.edge]))}`);
  for (const f of named) {
    if (f.severity !== inj.severity) out.push(`${name}: ${inj.code} is ${f.severity}, expected ${inj.severity}`);
    if (!f.fix) out.push(`${name}: ${inj.code} has no fix`);
  }
  const allowed = new Set([inj.code, ...inj.consequences]);
  for (const f of s.findings) if (f.severity !== "info" && !allowed.has(f.code)) out.push(`${name}: unexpected ${f.code}: ${f.message}`);
  return out.map((x) => `seed ${seed}, ${x}`);
}

describe("one misconfiguration injected into a random correct mesh", () => {
  it.each(Object.keys(INJECTIONS))("%s fires, names the object at fault, and nothing unrelated fires", (name) => {
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
        failures.push(`${problems.join("\n")}\n--- manifest:\n${inj.objects.map((o) => yaml.dump(o)).join("---\n")}`);
    }
    expect(failures.join("\n\n")).toBe("");
    // Each injection must find a place in a good share of the meshes, or it tests little.
    expect(applied).toBeGreaterThan(SEEDS / 5);
  });
});
