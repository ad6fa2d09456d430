// Randomised false-positive guard (findings.md: "no false positives on a correctly configured
// mesh"). The two fixed guards in guards.test.ts are two meshes; this one draws a few hundred
// seeded correct meshes from the variations a real, healthy mesh shows: STRICT at mesh, namespace,
// workload and port level (UNSET inheriting), or PERMISSIVE mid-migration with every call already
// mTLS; sidecar (injection label or revision) and ambient namespaces; live pods beside their
// Deployments (native sidecars too); per-service, per-namespace and mesh-wide ISTIO_MUTUAL
// DestinationRules, subsets, DRs without TLS; Sidecar resources that import what is called; named
// and numbered target ports, appProtocol; headless Services, two Services on one workload, several
// workloads behind one Service; workers, an ingress gateway; source-reported series beside the
// destination's; MESH_EXTERNAL hosts with TLS origination. On each it asserts what an operator
// would expect: no warning, no error, every port in the mesh's mode and every in-mesh edge mTLS.
// A failure prints the seed and the manifest.
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import type { MeshSnapshot } from "../lib/core/snapshot/schema";
import { run } from "./kit";
import { correctMesh, ROOT, type CorrectMesh } from "./support/correctMesh";

const SEEDS = 300;
function problemsOf(s: MeshSnapshot, { mode, external }: CorrectMesh): string[] {
  const out = s.findings.filter((f) => f.severity !== "info").map((f) => `finding ${f.code}: ${f.message}`);
  for (const w of s.workloads) {
    if (w.namespace === ROOT) continue;
    if (w.mtls.mode !== mode)
      out.push(`workload ${w.namespace}/${w.name} is ${w.mtls.mode}, expected ${mode}`);
    for (const p of w.ports)
      if (p.mode !== mode)
        out.push(`workload ${w.namespace}/${w.name} port ${p.port} is ${p.mode}, expected ${mode}`);
  }
  for (const e of s.edges) {
    const want = external.has(e.destination.host) ? "unknown" : "mtls";
    if (e.status !== want) out.push(`edge ${e.id} is ${e.status} (${e.predicted.reason}), expected ${want}`);
  }
  return out;
}

describe("randomised false-positive guard: correct meshes give no warning and no error", () => {
  it(`${SEEDS} seeded correct meshes`, () => {
    const failures: string[] = [];
    let edges = 0;
    let workloads = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const mesh = correctMesh(seed);
      const snap = run(mesh.objects, mesh.samples);
      edges += snap.edges.length;
      workloads += snap.workloads.length;
      const problems = problemsOf(snap, mesh);
      if (problems.length > 0 && failures.length < 3)
        failures.push(
          `seed ${seed}:\n  ${problems.join("\n  ")}\n--- manifest:\n${mesh.objects.map((o) => yaml.dump(o)).join("---\n")}`,
        );
    }
    expect(failures.join("\n\n")).toBe("");
    // The guard means something only if the meshes have edges and workloads to judge.
    expect(edges).toBeGreaterThan(SEEDS * 5);
    expect(workloads).toBeGreaterThan(SEEDS * 4);
  });

  it("the generator is deterministic and varied (each variation appears)", () => {
    const a = correctMesh(42);
    expect(yaml.dump(correctMesh(42).objects)).toBe(yaml.dump(a.objects));
    const all = Array.from({ length: 60 }, (_, i) => correctMesh(i + 1));
    const text = all.map((m) => yaml.dump(m.objects)).join("\n");
    for (const needle of [
      "istio.io/dataplane-mode: ambient",
      "clusterIP: None",
      "portLevelMtls",
      "portLevelSettings",
      "'*.app",
      "MESH_EXTERNAL",
      "targetPort: main",
      "kind: StatefulSet",
      "connectionPool",
      "istio.io/rev: canary",
      "kind: Pod",
      "initContainers",
      "'*.local'",
      "subsets",
      "kind: Sidecar",
      "REGISTRY_ONLY",
      "istio-ingressgateway",
      "-headless",
      "mode: PERMISSIVE",
      "appProtocol",
      "name: worker",
    ])
      expect(text, needle).toContain(needle);
  });
});
