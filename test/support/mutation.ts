// Shared by the mutation-robustness tests (test/robustness*.test.ts): seeded randomness, the
// vocabulary of wrong-typed values and odd keys, and path helpers over JSON-like trees.
import yaml from "js-yaml";
import { loadObject, parseManifestText } from "../../lib/core/load/parseManifests";
import type { ParsedInputs, SourceLocation } from "../../lib/core/model/input";

export { mulberry32 } from "../../bench/generate";

export type Rng = () => number;
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

export type Path = (string | number)[];
export type Value = readonly [string, () => unknown];

/** Values of every other type; each call makes a fresh one, so mutants never share state. */
export const VALUES: readonly Value[] = [
  ["42", () => 42],
  ["0", () => 0],
  ["-1", () => -1],
  ["-65536", () => -65536],
  ["1e21", () => 1e21],
  ["2^53+2", () => 2 ** 53 + 2],
  ["3.5", () => 3.5],
  ["NaN (number)", () => NaN],
  ["Infinity", () => Infinity],
  ['"x"', () => "x"],
  ['""', () => ""],
  ['"NaN"', () => "NaN"],
  ['"8080"', () => "8080"],
  ["a 20,000-character string", () => "a".repeat(20_000)],
  ['"mode: [unclosed"', () => "mode: [unclosed"],
  ["true", () => true],
  ["false", () => false],
  ["null", () => null],
  ["[]", () => []],
  ["{}", () => ({})],
  [
    "a nested array of objects",
    () => [{ a: [{ b: { c: [1, "two", null] } }] }, { name: 7, mode: ["STRICT"] }],
  ],
];

export const ODD_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "", "a.b/c~d"];

export interface Mutation {
  path: Path;
  op: string; // human-readable: `= 42`, `delete`, `duplicate [1]`, `add key "constructor"`
}

export const show = (p: Path) =>
  p.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");

/** Every path below the root, in document order. */
export function allPaths(v: unknown, prefix: Path, out: Path[]): Path[] {
  const entries: [string | number, unknown][] = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : v !== null && typeof v === "object"
      ? Object.entries(v)
      : [];
  for (const [k, x] of entries) {
    out.push([...prefix, k]);
    allPaths(x, [...prefix, k], out);
  }
  return out;
}

export function get(root: unknown, path: Path): unknown {
  let cur = root;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur;
}

export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The top frames of a thrown error that are in lib/core, shortest path first: groups failures. */
/**
 * A rule or an edge prediction that threw: the analysis contains it as a completeness entry (so one
 * bug never blanks a snapshot), and a test must still fail on it.
 */
export function internalErrors(snap: {
  completeness: { kind: string; reason: string; message: string }[];
}): string[] {
  return snap.completeness
    .filter((c) => c.reason === "error" && (c.kind === "Rule" || c.kind === "Edge"))
    .map((c) => `${c.kind}: ${c.message}`);
}

export function topFrames(e: unknown): string {
  const stack = e instanceof Error ? (e.stack ?? "") : "";
  const frames = stack
    .split("\n")
    .filter((l) => /lib\/core\//.test(l))
    .slice(0, 3);
  return frames
    .map((l) =>
      l
        .trim()
        .replace(/^at /, "")
        .replace(/\(?\/.*?\/(lib\/core\/[^)]*)\)?/, "$1"),
    )
    .join(" < ");
}

/** As the cluster reader does: each object through loadObject, at its own location. */
export function loadObjects(objects: unknown[], at: (i: number) => SourceLocation): ParsedInputs {
  const out: ParsedInputs = { objects: [], configDumps: [], problems: [] };
  objects.forEach((o, i) => {
    const one = loadObject(structuredClone(o), at(i));
    out.objects.push(...one.objects);
    out.problems.push(...one.problems);
  });
  return out;
}

/** As a file: every object dumped back to a YAML document and read by the file loader. */
export function yamlInputs(objects: unknown[], file: string): ParsedInputs {
  return parseManifestText(
    objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 })).join("---\n"),
    file,
  );
}

/** Where the draw `r` in [0, 1) switches from one operation to the next (below `value`: a new value; below `del`: a deletion; below `dup`: a duplicated list entry; else an odd key). */
export interface Cuts {
  value: number;
  del: number;
  dup: number;
}

/**
 * One mutation at `path` of `root` (changed in place), chosen by the draw `r`: a value of another
 * type, a deletion, a duplicated list entry, or an odd key added to the object there.
 */
export function mutateAt(
  root: object,
  path: Path,
  r: number,
  rng: Rng,
  values: readonly Value[],
  cuts: Cuts,
): Mutation {
  const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  if (r < cuts.value) {
    const [label, make] = pick(rng, values);
    (parent as Record<string | number, unknown>)[key] = make();
    return { path, op: `= ${label}` };
  }
  if (r < cuts.del) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, unknown>)[key as string];
    return { path, op: "delete" };
  }
  const target = get(root, path);
  if (r < cuts.dup && Array.isArray(target) && target.length > 0) {
    const i = Math.floor(rng() * target.length);
    target.splice(i, 0, structuredClone(target[i]));
    return { path, op: `duplicate [${i}]` };
  }
  if (r < cuts.dup && Array.isArray(parent)) {
    parent.splice(key as number, 0, structuredClone(parent[key as number]));
    return { path: path.slice(0, -1), op: `duplicate [${key}]` };
  }
  const k = pick(rng, ODD_KEYS);
  const [label, make] = pick(rng, values);
  if (target !== null && typeof target === "object" && !Array.isArray(target)) {
    setOwn(target as Record<string, unknown>, k, make());
    return { path, op: `add key ${JSON.stringify(k)} = ${label}` };
  }
  (parent as Record<string | number, unknown>)[key] = make();
  return { path, op: `= ${label}` };
}

/** One mutant that failed a check, and through which loader. */
export interface Failure {
  mutant: string;
  route: string;
  signature: string; // what groups failures: the first frame in lib/ and the error, or the schema paths
  detail: string;
}

/** Failures grouped by signature, a few examples each: an empty list when every mutant passed. */
export function report(failures: Failure[]): string[] {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) groups.set(f.signature, [...(groups.get(f.signature) ?? []), f]);
  return [...groups.entries()].map(
    ([sig, fs]) =>
      `${sig} (${fs.length}×)\n  e.g. ${fs[0]!.mutant} [${fs[0]!.route}]\n    ${fs[0]!.detail}\n  ${fs
        .slice(1, 4)
        .map((f) => `${f.mutant} [${f.route}]`)
        .join("\n  ")}`,
  );
}
