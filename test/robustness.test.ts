// Mutation robustness (the project's standard: bad input gets a clear error naming the file, object
// or field, and nothing else is lost). A seeded PRNG makes a few hundred mutants of the in-repo
// correct fixtures: one object, one path inside it, one mutation (a value of another type, a deletion,
// a duplicated list entry, an odd key). Each mutant goes through the analysis twice: built the way the
// cluster reader does (loadObject) and serialised back to YAML through the file loader
// (parseManifestText). For every mutant: analyze does not throw, the snapshot passes the contract's
// schema, every input.invalid names the file, the rest of the mesh is still there, and (every 10th
// mutant) a second analysis of the same inputs gives the same bytes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../lib/core/load/parseManifests";
import type { KubeObject, LoadedObject, ParsedInputs, ParsedTraffic } from "../lib/core/model/input";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { parseTraffic } from "../lib/core/traffic/parseTraffic";
import {
  allPaths,
  get,
  report,
  type Failure,
  mutateAt,
  loadObjects,
  topFrames,
  yamlInputs,
  mulberry32,
  pick,
  show,
  VALUES,
  type Mutation,
  type Path,
  type Rng,
  internalErrors,
} from "./support/mutation";

const NOW = new Date("2026-11-27T12:00:00Z");
const SEED = 0x5eed_2026;
const MUTANTS = 600;
const FIX = join(import.meta.dirname, "fixtures");

// ---------------------------------------------------------------------------------------------
// Fixtures (in the repository, so the test never depends on ../shared)

interface Fixture {
  name: string;
  file: string;
  objects: LoadedObject[];
  traffic: ParsedTraffic;
  baseline: MeshSnapshot;
}

function loadFixture(name: string): Fixture {
  const file = `test/fixtures/${name}/mesh.yaml`;
  const parsed = parseManifestText(readFileSync(join(FIX, name, "mesh.yaml"), "utf8"), file);
  expect(parsed.problems).toEqual([]);
  const traffic = parseTraffic(
    readFileSync(join(FIX, name, "traffic.prom"), "utf8"),
    `test/fixtures/${name}/traffic.prom`,
  );
  expect(traffic.problems).toEqual([]);
  const baseline = run(parsed, traffic);
  return { name, file, objects: parsed.objects, traffic, baseline };
}

const run = (inputs: ParsedInputs, traffic: ParsedTraffic): MeshSnapshot =>
  analyze(inputs, { now: NOW, source: { type: "manifests", paths: ["test/fixtures"] }, traffic });

/** Applies one random mutation to `o` (a fresh clone) and says what it did. */
function mutate(o: KubeObject, rng: Rng, kinds: readonly string[], names: readonly string[]): Mutation {
  const top = rng() < 0.2;
  let path: Path;
  if (top)
    path = pick(rng, [
      ["kind"],
      ["apiVersion"],
      ["metadata"],
      ["metadata", "name"],
      ["metadata", "namespace"],
      ["metadata", "labels"],
      ["spec"],
    ] as Path[]);
  else path = pick(rng, allPaths(o, [], []));
  const r = rng();
  const parent = get(o, path.slice(0, -1)) as Record<string | number, unknown> | unknown[] | undefined;
  const key = path[path.length - 1]!;
  if (parent === null || typeof parent !== "object") {
    // A top-level path under a metadata that is not an object: replace metadata itself.
    return mutate(o, () => 0.99, kinds, names);
  }
  // Another object's kind or name: an object read as the wrong kind, or a colliding name.
  if (top && (key === "kind" || key === "name" || key === "namespace") && r < 0.3) {
    const v = key === "kind" ? pick(rng, kinds) : pick(rng, names);
    (parent as Record<string, unknown>)[key as string] = v;
    return { path, op: `= ${JSON.stringify(v)}` };
  }
  // A top-level path gets another value (or a duplicate or odd key), never a deletion.
  return mutateAt(
    o,
    path,
    r,
    rng,
    VALUES,
    top ? { value: 0.85, del: 0.85, dup: 0.92 } : { value: 0.62, del: 0.82, dup: 0.92 },
  );
}

// ---------------------------------------------------------------------------------------------
// The mutants

interface Mutant {
  id: number;
  fixture: Fixture;
  index: number; // which object of the fixture
  original: KubeObject;
  objects: KubeObject[]; // every object of the fixture, the one at `index` mutated (clones)
  mutation: Mutation;
}

function makeMutants(fixtures: Fixture[]): Mutant[] {
  const rng = mulberry32(SEED);
  const out: Mutant[] = [];
  for (let id = 0; id < MUTANTS; id++) {
    const fixture = fixtures[id % fixtures.length]!;
    const index = Math.floor(rng() * fixture.objects.length);
    const objects = fixture.objects.map((o) => structuredClone(o.object));
    const kinds = [...new Set(fixture.objects.map((o) => o.object.kind))];
    const names = [
      ...new Set(
        fixture.objects.flatMap((o) => [o.object.metadata.name, o.object.metadata.namespace ?? "default"]),
      ),
    ];
    const mutation = mutate(objects[index]!, rng, kinds, names);
    out.push({ id, fixture, index, original: fixture.objects[index]!.object, objects, mutation });
  }
  return out;
}

/** As the cluster reader builds them: loadObject per object, at its original place in the file. */
function viaLoadObject(m: Mutant): ParsedInputs {
  return loadObjects(m.objects, (i) => m.fixture.objects[i]!.at);
}

/** As a file: every object dumped back to a YAML document and read by the file loader. */
function viaYaml(m: Mutant): ParsedInputs {
  return yamlInputs(m.objects, m.fixture.file);
}

const describeMutant = (m: Mutant) =>
  `#${m.id} ${m.fixture.name}: ${m.original.kind} ${m.original.metadata.namespace ?? "-"}/${m.original.metadata.name}: ${show(m.mutation.path)} ${m.mutation.op}`;

// ---------------------------------------------------------------------------------------------
// The checks

/** The mutated object defined this service (a Service or ServiceEntry of that namespace and name). */
const definedBy = (m: Mutant, s: { namespace: string; name: string }) =>
  (m.original.kind === "Service" || m.original.kind === "ServiceEntry") &&
  (m.original.metadata.namespace ?? "default") === s.namespace &&
  m.original.metadata.name === s.name;

const key = (r: { kind: string; namespace?: string; name: string }) =>
  `${r.kind} ${r.namespace ?? "-"}/${r.name}`;

function check(m: Mutant, route: string, inputs: ParsedInputs, determinism: boolean): Failure[] {
  const fail = (signature: string, detail: string): Failure[] => [
    { mutant: describeMutant(m), route, signature, detail },
  ];
  let snap: MeshSnapshot;
  try {
    snap = run(inputs, m.fixture.traffic);
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const frames = topFrames(e);
    return fail(
      `throws ${msg.slice(0, 120)} at ${frames.split(" < ")[0]?.replace(/:\d+$/, "")}`,
      `${msg.slice(0, 300)}\n    at ${frames}`,
    );
  }
  const parsed = MeshSnapshotSchema.safeParse(snap);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.map((p) => (typeof p === "number" ? "*" : String(p))).join(".")}: ${i.message}`,
    );
    const values = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".")} = ${JSON.stringify(get(snap, i.path as Path))?.slice(0, 120)}`);
    return fail(`schema ${[...new Set(issues)].join("; ")}`, values.join("\n    "));
  }
  const failures: Failure[] = [];
  for (const e of internalErrors(snap))
    failures.push(...fail(`contained internal error ${e.slice(0, 80)}`, e));
  // Every input.invalid names the file it comes from (the fixtures have none of their own), and the
  // mutated object when it names an object; read as the cluster reader does, the object keeps its
  // place in the fixture, so the line is the mutated object's too. Wording is not checked.
  const now = m.objects[m.index]!;
  const where =
    route === "loadObject" ? `${m.fixture.file}:${m.fixture.objects[m.index]!.at.line}: ` : m.fixture.file;
  for (const f of snap.findings.filter((x) => x.code === "input.invalid")) {
    if (!f.message.startsWith(where))
      failures.push(...fail("input.invalid does not name the file (and line)", f.message.slice(0, 200)));
    const r = f.resources[0];
    if (f.resources.length !== 1 || !r)
      failures.push(...fail("input.invalid names no single resource", JSON.stringify(f.resources)));
    else if (r.kind !== "File" && (r.kind !== now.kind || r.name !== now.metadata.name))
      failures.push(
        ...fail(
          "input.invalid names another object than the mutated one",
          `${JSON.stringify(r)}: ${f.message.slice(0, 200)}`,
        ),
      );
    else if (r.kind === "File" && r.name !== m.fixture.file)
      failures.push(...fail("input.invalid names another file", JSON.stringify(r)));
  }
  for (const c of snap.completeness.filter((x) => x.reason === "invalid"))
    if (!c.message.startsWith(where))
      failures.push(...fail("completeness entry does not name the file", c.message.slice(0, 200)));
  // Nothing else is lost: every workload and service of the baseline that the mutated object did not
  // define is still there.
  const mutated = key({
    kind: m.original.kind,
    namespace: m.original.metadata.namespace,
    name: m.original.metadata.name,
  });
  const wl = new Set(snap.workloads.map((w) => `${w.namespace}/${w.name}`));
  for (const w of m.fixture.baseline.workloads)
    if (key(w) !== mutated && !wl.has(`${w.namespace}/${w.name}`))
      failures.push(...fail("a workload the mutation did not touch is lost", key(w)));
  const svcs = new Set(snap.services.map((s) => `${s.namespace}/${s.name}`));
  for (const s of m.fixture.baseline.services)
    if (!definedBy(m, s) && !svcs.has(`${s.namespace}/${s.name}`))
      failures.push(...fail("a service the mutation did not touch is lost", `${s.namespace}/${s.name}`));
  if (determinism) {
    const first = JSON.stringify(snap);
    let second: string;
    try {
      second = JSON.stringify(run(inputs, m.fixture.traffic));
    } catch (e) {
      return [...failures, ...fail("second analysis throws", String(e))];
    }
    if (second !== first) failures.push(...fail("a second analysis of the same inputs differs", ""));
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------
// Inputs this test found crashing the analysis (fixed in the loader): a wrong-typed apiVersion or
// metadata.namespace — an unquoted `namespace: 2024` is a YAML number. The loader now refuses the
// object as input.invalid naming file, line and field, as the API server's decoder would.

interface Refused {
  title: string;
  yaml: string;
  /** "repro.yaml:<line>" of the refused object, and the field named. */
  line: number;
  field: string;
  /** An object of the same input that must still be analysed. */
  kept: { kind: "namespace" | "service"; name: string };
}

const PA =
  "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n---\n";
const SVC =
  "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec: {ports: [{port: 80}]}\n---\n";

const REFUSED: readonly Refused[] = [
  {
    title: "a number apiVersion (any kind; it threw in buildModel's hasIstio)",
    yaml: SVC + "apiVersion: 1\nkind: Namespace\nmetadata: {name: shop}\n",
    line: 6,
    field: "apiVersion",
    kept: { kind: "service", name: "api" },
  },
  {
    title: "a number apiVersion on a PeerAuthentication (it threw in isGroup)",
    yaml:
      SVC +
      "apiVersion: 2\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec: {mtls: {mode: STRICT}}\n",
    line: 6,
    field: "apiVersion",
    kept: { kind: "service", name: "api" },
  },
  {
    title: "a number apiVersion on a ServiceEntry (it threw in buildServices)",
    yaml:
      SVC +
      "apiVersion: 3\nkind: ServiceEntry\nmetadata: {name: ext, namespace: shop}\nspec: {hosts: [api.example.com]}\n",
    line: 6,
    field: "apiVersion",
    kept: { kind: "service", name: "api" },
  },
  {
    title: "an unquoted number namespace on a workload (it threw in namespace.not-injected)",
    yaml:
      PA +
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: 2024}\n" +
      "spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: app, image: x}]}}}\n",
    line: 6,
    field: "metadata.namespace",
    kept: { kind: "namespace", name: "istio-system" },
  },
  {
    title: "an unquoted number namespace on a Service (its number reached the snapshot, against the schema)",
    yaml:
      PA +
      "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: 2024}\nspec: {ports: [{port: 80}]}\n",
    line: 6,
    field: "metadata.namespace",
    kept: { kind: "namespace", name: "istio-system" },
  },
];

// ---------------------------------------------------------------------------------------------

describe("mutation robustness", () => {
  it(`${MUTANTS} seeded mutants of the correct fixtures, each through both loaders`, () => {
    const fixtures = [
      loadFixture("correct-strict"),
      loadFixture("correct-dr"),
      loadFixture("correct-vm"),
      loadFixture("correct-egress-wildcard"),
      loadFixture("correct-vm-migration"),
      loadFixture("correct-egress-gateway"),
    ];
    for (const f of fixtures)
      expect(f.baseline.findings.filter((x) => x.code === "input.invalid")).toEqual([]);
    const mutants = makeMutants(fixtures);
    const failures: Failure[] = [];
    let checked = 0;
    for (const m of mutants) {
      checked++;
      failures.push(...check(m, "loadObject", viaLoadObject(m), m.id % 10 === 0));
      failures.push(...check(m, "yaml", viaYaml(m), m.id % 10 === 5));
    }
    expect(checked).toBe(MUTANTS);
    expect(report(failures)).toEqual([]);
  });

  describe("wrong-typed apiVersion or metadata.namespace: refused by the loader, the rest analysed", () => {
    for (const r of REFUSED)
      it(r.title, () => {
        const inputs = parseManifestText(r.yaml, "repro.yaml");
        expect(inputs.problems).toEqual([
          expect.objectContaining({
            file: "repro.yaml",
            line: r.line,
            field: r.field,
            message: expect.stringContaining(`${r.field} is the number`),
          }),
        ]);
        const snap = analyze(inputs, { now: NOW, source: { type: "manifests" } });
        expect(MeshSnapshotSchema.safeParse(snap).success).toBe(true);
        const invalid = snap.findings.filter((f) => f.code === "input.invalid");
        expect(invalid.map((f) => f.message)).toEqual([
          expect.stringMatching(
            new RegExp(`^repro\\.yaml:${r.line}: .*${r.field.replace(".", "\\.")} is the number`),
          ),
        ]);
        if (r.kept.kind === "service") expect(snap.services.map((x) => x.name)).toContain(r.kept.name);
        else expect(snap.namespaces.map((x) => x.name)).toContain(r.kept.name);
      });
  });
});
