// Mutation robustness of the inputs test/robustness.test.ts does not reach (the project's standard: bad
// input gets a clear error naming the file, object or field, and nothing else is lost):
//
// 1. the --traffic file: Prometheus text exposition, and a /api/v1/query JSON rendering of the same
//    samples (as text, and as the decoded document the server hands to parseQueryAnswer);
// 2. the `istio` / `istio-<rev>` mesh ConfigMap: its embedded `mesh` text, its data map, its name;
// 3. certificates: PEM and base64 in ConfigMaps and Secrets (Istio, cert-manager, Linkerd, SPIRE),
//    and Envoy / ztunnel config dumps tied to a live pod of a fixture workload, over a real PKI built
//    at test time (test/pki.ts).
//
// Same approach as robustness.test.ts: a seeded PRNG makes mutants of a valid input; each one is read
// by the real parser or loader and analysed, and must: not throw; give a snapshot that passes the
// contract's schema; report every problem naming its file (and line for exposition text, or the object
// and field); keep every workload and service of the unmutated run (and, for certificates, every
// certificate some other input holds); leak no private key or Secret data (certificates); and, every
// 10th mutant, give the same bytes twice. Where random paths rarely land, sweeps try every structural
// field with every wrong-typed value (the query answer's fields; cert-manager's dates and durations).
//
// The failure classes these runs found are fixed; their minimal repros are regular tests at the end.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { mergeParsed } from "../lib/core/load/mergeParsed";
import { loadConfigDump, parseManifestText } from "../lib/core/load/parseManifests";
import type { KubeObject, ParsedInputs, ParsedTraffic, TrafficSample } from "../lib/core/model/input";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot, type Ref } from "../lib/core/snapshot/schema";
import { parseQueryAnswer, parseTraffic } from "../lib/core/traffic/parseTraffic";
import { configDump, makePki, ztunnelDump, type Pki } from "./pki";
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
  ODD_KEYS,
  pick,
  setOwn,
  show,
  VALUES as SHARED_VALUES,
  type Mutation,
  type Path,
  type Rng,
  type Value,
  internalErrors,
} from "./support/mutation";

const NOW = new Date("2026-11-27T12:00:00Z");
const FIX = join(import.meta.dirname, "fixtures");

const TRAFFIC_SEED = 0x7aff_2026;
const TRAFFIC_MUTANTS = 480;
const MESH_SEED = 0x3e5c_2026;
const MESH_MUTANTS = 300;
const CERT_SEED = 0xce27_2026;
const CERT_MUTANTS = 270;

const run = (inputs: ParsedInputs, traffic?: ParsedTraffic): MeshSnapshot =>
  analyze(inputs, { now: NOW, source: { type: "manifests", paths: ["test/fixtures"] }, traffic });

interface Fixture {
  name: string;
  file: string;
  inputs: ParsedInputs;
  trafficFile: string;
  trafficText: string;
}

function readFixture(name: string): Fixture {
  const file = `test/fixtures/${name}/mesh.yaml`;
  const inputs = parseManifestText(readFileSync(join(FIX, name, "mesh.yaml"), "utf8"), file);
  expect(inputs.problems).toEqual([]);
  return {
    name,
    file,
    inputs,
    trafficFile: `test/fixtures/${name}/traffic.prom`,
    trafficText: readFileSync(join(FIX, name, "traffic.prom"), "utf8"),
  };
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness and mutations of values (JSON documents, Kubernetes objects): the shared
// vocabulary (test/support/mutation.ts), plus an object whose own keys shadow Object.prototype's
// conversions.

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
/** 1 to 3 mutations, mostly 1. */
const opCount = (rng: Rng): number => 1 + (rng() < 0.3 ? 1 : 0) + (rng() < 0.1 ? 1 : 0);

const VALUES: readonly Value[] = [
  ...SHARED_VALUES,
  ['{toString: "x", valueOf: 1}', () => ({ toString: "x", valueOf: 1 })],
];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** One random mutation somewhere in `root` (mutated in place): another type, a deletion, a duplicate, an odd key. */
function mutateTree(
  root: object,
  rng: Rng,
  values: readonly Value[],
  among?: (p: Path) => boolean,
): Mutation {
  const every = allPaths(root, [], []);
  const some = among ? every.filter(among) : every;
  const paths = some.length > 0 ? some : every;
  if (paths.length === 0) {
    const k = pick(rng, ODD_KEYS);
    setOwn(root as Record<string, unknown>, k, 1);
    return { path: [], op: `add key ${JSON.stringify(k)} = 1` };
  }
  return mutateAt(root, pick(rng, paths), rng(), rng, values, { value: 0.6, del: 0.8, dup: 0.9 });
}

// ---------------------------------------------------------------------------------------------
// Mutations of text

/** Characters and short strings injected at random offsets. */
const INJECT: readonly string[] = [
  '"',
  "'",
  "{",
  "}",
  "[",
  "]",
  "\\",
  "\n",
  "\r\n",
  "\r",
  "\0",
  ",",
  "=",
  ":",
  "#",
  " ",
  "\t",
  "-",
  "*",
  "&",
  "!",
  "|",
  "ü",
  "😀",
  "\u2028",
  "\ufeff",
  "\ud800",
  "\\n",
  '\\"',
  "\\u0000",
];

interface TextMutation {
  text: string;
  op: string;
}

/** One random text-level mutation: truncation, deletion, duplication, swap, injection, line edits. */
function mutateText(s: string, rng: Rng, inject: readonly string[] = INJECT): TextMutation {
  const at = int(rng, s.length + 1);
  const len = 1 + int(rng, 40);
  const r = rng();
  if (r < 0.15) return { text: s.slice(0, at), op: `truncate at ${at}` };
  if (r < 0.28) return { text: s.slice(0, at) + s.slice(at + 1), op: `delete char ${at}` };
  if (r < 0.36) return { text: s.slice(0, at) + s.slice(at + len), op: `delete ${len} chars at ${at}` };
  if (r < 0.44)
    return {
      text: s.slice(0, at) + s.slice(at, at + len) + s.slice(at),
      op: `duplicate ${len} chars at ${at}`,
    };
  if (r < 0.52 && at + 1 < s.length)
    return { text: s.slice(0, at) + s[at + 1] + s[at] + s.slice(at + 2), op: `swap chars ${at}, ${at + 1}` };
  if (r < 0.8) {
    const t = pick(rng, inject);
    return { text: s.slice(0, at) + t + s.slice(at), op: `insert ${JSON.stringify(t)} at ${at}` };
  }
  const lines = s.split("\n");
  const i = int(rng, lines.length);
  if (r < 0.88) {
    lines.splice(i, 0, lines[i]!);
    return { text: lines.join("\n"), op: `duplicate line ${i + 1}` };
  }
  if (r < 0.95) {
    lines.splice(i, 1);
    return { text: lines.join("\n"), op: `delete line ${i + 1}` };
  }
  const j = int(rng, lines.length);
  [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  return { text: lines.join("\n"), op: `swap lines ${i + 1}, ${j + 1}` };
}

// ---------------------------------------------------------------------------------------------
// The checks on an analysis

type Problem = { signature: string; detail: string };

function thrown(e: unknown): Problem {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const frames = topFrames(e);
  return {
    signature: `throws ${msg.slice(0, 120)} at ${frames.split(" < ")[0]?.replace(/:\d+$/, "")}`,
    detail: `${msg.slice(0, 300)}\n    at ${frames}`,
  };
}

/** How many analyses ran, and how many of them reported a problem (input.invalid or cert.invalid). */
interface Tally {
  runs: number;
  reported: number;
}

interface Expectation {
  baseline: MeshSnapshot;
  /** Every input.invalid and invalid completeness entry starts with one of these files. */
  files: readonly string[];
  /** Besides a File, the objects a problem may name: the mutated input's own. */
  mayName: (r: Ref) => boolean;
  /** Further checks of the snapshot and its JSON. */
  extra?: (snap: MeshSnapshot, json: string) => Problem[];
}

const refKey = (r: { kind: string; namespace?: string; name: string }) =>
  `${r.kind} ${r.namespace ?? "-"}/${r.name}`;

function checkAnalysis(
  mutant: string,
  route: string,
  analyse: () => MeshSnapshot,
  x: Expectation,
  determinism: boolean,
  tally?: Tally,
): Failure[] {
  const failures: Failure[] = [];
  const fail = (signature: string, detail: string) => failures.push({ mutant, route, signature, detail });
  let snap: MeshSnapshot;
  try {
    snap = analyse();
  } catch (e) {
    const t = thrown(e);
    fail(t.signature, t.detail);
    return failures;
  }
  const parsed = MeshSnapshotSchema.safeParse(snap);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.map((p) => (typeof p === "number" ? "*" : String(p))).join(".")}: ${i.message}`,
    );
    const values = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".")} = ${JSON.stringify(get(snap, i.path as Path))?.slice(0, 120)}`);
    fail(`schema ${[...new Set(issues)].join("; ")}`, values.join("\n    "));
    return failures;
  }
  for (const e of internalErrors(snap)) fail(`contained internal error ${e.slice(0, 80)}`, e);
  if (tally) {
    tally.runs++;
    if (invalidFindings(snap).length > 0) tally.reported++;
  }
  const fromFile = (m: string) => x.files.some((f) => m.startsWith(f));
  for (const f of snap.findings.filter((y) => y.code === "input.invalid")) {
    if (!fromFile(f.message)) fail("input.invalid does not name the file", f.message.slice(0, 200));
    const r = f.resources[0];
    if (f.resources.length !== 1 || !r)
      fail("input.invalid names no single resource", JSON.stringify(f.resources));
    else if (r.kind === "File" && !x.files.includes(r.name))
      fail("input.invalid names another file", JSON.stringify(r));
    else if (r.kind !== "File" && !x.mayName(r))
      fail(
        "input.invalid names another object than the mutated one",
        `${refKey(r)}: ${f.message.slice(0, 200)}`,
      );
    else if (r.kind !== "File" && f.fix?.startsWith("Correct the object"))
      fail("input.invalid names the object but no field", f.message.slice(0, 200));
  }
  for (const c of snap.completeness.filter((y) => y.reason === "invalid"))
    if (!fromFile(c.message)) fail("completeness entry does not name the file", c.message.slice(0, 200));
  const wl = new Set(snap.workloads.map((w) => `${w.namespace}/${w.name}`));
  for (const w of x.baseline.workloads)
    if (!wl.has(`${w.namespace}/${w.name}`)) fail("a workload is lost", `${w.namespace}/${w.name}`);
  const svcs = new Set(snap.services.map((s) => `${s.namespace}/${s.name}`));
  for (const s of x.baseline.services)
    if (!svcs.has(`${s.namespace}/${s.name}`)) fail("a service is lost", `${s.namespace}/${s.name}`);
  const json = JSON.stringify(snap);
  for (const p of x.extra?.(snap, json) ?? []) fail(p.signature, p.detail);
  if (determinism) {
    let second: string;
    try {
      second = JSON.stringify(analyse());
    } catch (e) {
      fail("second analysis throws", String(e));
      return failures;
    }
    if (second !== json) fail("a second analysis of the same inputs differs", "");
  }
  return failures;
}

const invalidFindings = (s: MeshSnapshot) =>
  s.findings.filter((f) => f.code === "input.invalid" || f.code === "cert.invalid");

// =============================================================================================
// 1. Traffic

const QUERY_TIME = NOW.getTime() / 1000;

/** The samples as the JSON body of an /api/v1/query answer (instant vector, or a range matrix). */
function renderQuery(samples: TrafficSample[], matrix: boolean): Record<string, unknown> {
  return {
    status: "success",
    ...(matrix ? {} : { query: "sum by (reporter) (increase(istio_requests_total[5m]))" }),
    data: {
      resultType: matrix ? "matrix" : "vector",
      result: samples.map((s) => ({
        metric: { __name__: s.metric, ...s.labels },
        ...(matrix
          ? {
              values: [
                [QUERY_TIME - 60, String(s.value)],
                [QUERY_TIME, String(s.value)],
              ],
            }
          : { value: [QUERY_TIME, String(s.value)] }),
      })),
    },
  };
}

/** Values a sample line may end with: huge, signed, not-a-number, not Go's float syntax, timestamps, exemplars. */
const SAMPLE_VALUES = [
  "1e308",
  "1.7976931348623157e308",
  "9e999",
  "-1",
  "-0",
  "-1e308",
  "NaN",
  "+Inf",
  "-Inf",
  "Inf",
  "nan",
  "+inf",
  "99999999999999999999999999",
  "0x1f",
  "1_000",
  "",
  "1e",
  ".",
  "0.5",
  "5 1700000000000",
  "5 NaN",
  "5 abc",
  '5 # {trace_id="x"} 1 1700000000',
  "5 1 2",
];

/** Label values as written between the quotes (escapes included). */
const LABEL_VALUES = [
  '\\"',
  "\\\\",
  "\\n",
  "\\x",
  "\\",
  "ü😀",
  "\u2028",
  "unknown",
  "",
  "__proto__",
  "constructor",
  "PassthroughCluster",
  "BlackHoleCluster",
  ".",
  "a/b",
  'a\\"b',
  "frontend.shop.svc.cluster.local",
  "\0",
  "\t",
];

const ODD_LABELS = [
  '__proto__="x"',
  'constructor="y"',
  '__name__="istio_requests_total"',
  'toString="z"',
  'hasOwnProperty="h"',
  'reporter="destination"',
  'destination_service="BlackHoleCluster"',
  '0bad="x"',
  'ü="x"',
  '="x"',
  "a=x",
  'a="x" b="y"',
  'a = "x"',
  ",",
  "",
];

const METRIC_NAMES = [
  "istio_requests",
  "istio_tcp_connections_opened",
  "istio_tcp_connections_opened_total",
  "istio_requests_total",
  "istio_requests_total:rate5m",
  "",
  "0istio",
  "istio-requests",
  ":istio_requests_total",
  " istio_requests_total",
];

const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\\n]|\\.)*)"/g;

/** One exposition-aware mutation of a sample line. */
function mutateSampleLine(line: string, rng: Rng): { line: string; op: string } {
  const labels = [...line.matchAll(LABEL)];
  const open = line.indexOf("{");
  const close = line.lastIndexOf("}");
  const head = close >= 0 ? line.slice(0, close + 1) : line.slice(0, Math.max(0, line.lastIndexOf(" ")));
  const r = rng();
  if (r < 0.3 || labels.length === 0 || open < 0 || close < open) {
    const v = pick(rng, SAMPLE_VALUES);
    return { line: `${head} ${v}`, op: `value ${JSON.stringify(v)}` };
  }
  const l = pick(rng, labels);
  const start = l.index;
  const end = start + l[0].length;
  if (r < 0.4)
    return { line: line.slice(0, end) + "," + l[0] + line.slice(end), op: `duplicate label ${l[1]}` };
  if (r < 0.5) {
    const n = pick(rng, [1000, 100_000]);
    return {
      line: `${line.slice(0, start)}${l[1]}="${"x".repeat(n)}"${line.slice(end)}`,
      op: `label ${l[1]} = ${n} × "x"`,
    };
  }
  if (r < 0.58) {
    const braces = rng() < 0.5 ? "{}" : "";
    return {
      line: `${line.slice(0, open)}${braces} ${line.slice(close + 1).trim()}`,
      op: `empty label set "${braces}"`,
    };
  }
  if (r < 0.72) {
    const v = pick(rng, LABEL_VALUES);
    return { line: `${line.slice(0, start)}${l[1]}="${v}"${line.slice(end)}`, op: `label ${l[1]} = "${v}"` };
  }
  if (r < 0.84) {
    const extra = pick(rng, ODD_LABELS);
    return { line: `${line.slice(0, open + 1)}${extra},${line.slice(open + 1)}`, op: `add label ${extra}` };
  }
  if (r < 0.93) {
    const name = pick(rng, METRIC_NAMES);
    return { line: name + line.slice(open), op: `metric name ${JSON.stringify(name)}` };
  }
  const max = "1.7976931348623157e308";
  return { line: `${head} ${max}\n${head} ${max}`, op: "two copies of the series, each Number.MAX_VALUE" };
}

/** Whether parseTraffic reads `text` as exposition text (it sniffs the first non-blank character). */
function isExposition(text: string): boolean {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const c = t.trimStart()[0];
  return c !== "{" && c !== "[";
}

/** parseTraffic's own contract: never throws; every problem names the file, and a line for text. */
function checkParsedTraffic(t: ParsedTraffic, file: string, text: string | null): Problem[] {
  const out: Problem[] = [];
  for (const p of t.problems) {
    if (p.file !== file)
      out.push({ signature: "traffic problem names another file", detail: JSON.stringify(p) });
    if (!p.message) out.push({ signature: "traffic problem without a message", detail: JSON.stringify(p) });
    if (text !== null && isExposition(text)) {
      const lines = text.split("\n").length;
      if (!Number.isInteger(p.line) || p.line! < 1 || p.line! > lines)
        out.push({
          signature: "exposition problem without a line in the file",
          detail: `${JSON.stringify(p).slice(0, 200)} (${lines} lines)`,
        });
    }
  }
  for (const s of t.samples)
    if (!Number.isFinite(s.value))
      out.push({ signature: "a non-finite sample value is kept", detail: JSON.stringify(s).slice(0, 200) });
  return out;
}

interface TrafficBase {
  fixture: Fixture;
  baseline: MeshSnapshot;
  samples: TrafficSample[];
  jsonFile: string;
  docs: Record<string, unknown>[];
}

function trafficBase(fixture: Fixture): TrafficBase {
  const t = parseTraffic(fixture.trafficText, fixture.trafficFile);
  expect(t.problems).toEqual([]);
  expect(t.samples.length).toBeGreaterThan(0);
  const jsonFile = fixture.trafficFile.replace(/\.prom$/, ".json");
  const docs = [renderQuery(t.samples, false), renderQuery(t.samples, true)];
  // The JSON rendering holds the same samples.
  for (const d of docs) {
    const j = parseTraffic(JSON.stringify(d), jsonFile);
    expect(j.problems).toEqual([]);
    expect(j.samples).toEqual(t.samples);
  }
  const baseline = run(fixture.inputs, t);
  expect(invalidFindings(baseline)).toEqual([]);
  return { fixture, baseline, samples: t.samples, jsonFile, docs };
}

/** Traffic JSON documents get numbers as strings too (Prometheus writes sample values as strings). */
const TRAFFIC_VALUES: readonly Value[] = [
  ...VALUES,
  ['"+Inf"', () => "+Inf"],
  ['"-Inf"', () => "-Inf"],
  ['"-1"', () => "-1"],
  ['"1e308"', () => "1e308"],
  ["1.7976931348623157e308", () => Number.MAX_VALUE],
  ['"matrix"', () => "matrix"],
  ['"scalar"', () => "scalar"],
  ['[0, "5"]', () => [0, "5"]],
  ['["x", "y", "z"]', () => ["x", "y", "z"]],
];

const QUERY_KEYS = new Set([
  "status",
  "data",
  "resultType",
  "result",
  "metric",
  "value",
  "values",
  "__name__",
  "query",
]);
const queryStructure = (p: Path) =>
  p.length <= 2 || p.includes("value") || p.includes("values") || QUERY_KEYS.has(String(p[p.length - 1]));

const JSON_INJECT: readonly string[] = [
  ...INJECT,
  "null",
  "NaN",
  "Infinity",
  "1e999",
  "[]",
  "{}",
  ",,",
  '"\\ud800"',
];

function trafficMutants(
  bases: TrafficBase[],
  tally: Tally,
): { failures: Failure[]; counts: Record<string, number> } {
  const rng = mulberry32(TRAFFIC_SEED);
  const failures: Failure[] = [];
  const counts: Record<string, number> = { text: 0, "json-text": 0, "json-tree": 0 };
  for (let id = 0; id < TRAFFIC_MUTANTS; id++) {
    const b = bases[id % bases.length]!;
    const kind = (["text", "json-text", "json-tree"] as const)[Math.floor(id / bases.length) % 3]!;
    counts[kind]!++;
    const ops: string[] = [];
    const x = (file: string): Expectation => ({ baseline: b.baseline, files: [file], mayName: () => false });
    const determinism = id % 10 === 0;
    const label = () => `#${id} ${b.fixture.name} ${kind}: ${ops.join("; ")}`;
    const analyseText = (text: string, file: string, route: string) => {
      let t: ParsedTraffic;
      try {
        t = parseTraffic(text, file);
      } catch (e) {
        const p = thrown(e);
        failures.push({ mutant: label(), route, ...p });
        return;
      }
      for (const p of checkParsedTraffic(t, file, text)) failures.push({ mutant: label(), route, ...p });
      failures.push(
        ...checkAnalysis(label(), route, () => run(b.fixture.inputs, t), x(file), determinism, tally),
      );
    };
    if (kind === "text") {
      let text = b.fixture.trafficText;
      for (let n = opCount(rng); n > 0; n--) {
        const lines = text.split("\n");
        const sampleLines = lines.flatMap((l, i) => (l.trim() !== "" && !l.startsWith("#") ? [i] : []));
        if (rng() < 0.5 && sampleLines.length > 0) {
          const i = pick(rng, sampleLines);
          const m = mutateSampleLine(lines[i]!, rng);
          lines[i] = m.line;
          text = lines.join("\n");
          ops.push(`line ${i + 1}: ${m.op}`);
        } else {
          const m = mutateText(text, rng);
          text = m.text;
          ops.push(m.op);
        }
      }
      analyseText(text, b.fixture.trafficFile, "parseTraffic (text)");
    } else if (kind === "json-text") {
      const doc = pick(rng, b.docs);
      let text = JSON.stringify(doc, null, rng() < 0.5 ? 2 : undefined);
      ops.push(doc === b.docs[0] ? "vector" : "matrix");
      for (let n = opCount(rng); n > 0; n--) {
        const m = mutateText(text, rng, JSON_INJECT);
        text = m.text;
        ops.push(m.op);
      }
      analyseText(text, b.jsonFile, "parseTraffic (JSON text)");
    } else {
      const doc = structuredClone(pick(rng, b.docs));
      ops.push(
        doc.data && (doc.data as { resultType: string }).resultType === "matrix" ? "matrix" : "vector",
      );
      for (let n = opCount(rng); n > 0; n--) {
        // Half of the time on the answer's own structure rather than among the many label values.
        const m = mutateTree(doc, rng, TRAFFIC_VALUES, rng() < 0.5 ? queryStructure : undefined);
        ops.push(`${show(m.path) || "(root)"} ${m.op}`);
      }
      analyseText(JSON.stringify(doc), b.jsonFile, "parseTraffic (JSON text)");
      // The server's path: the Prometheus client has already decoded the answer.
      let t: ParsedTraffic;
      try {
        t = parseQueryAnswer(doc, b.jsonFile);
      } catch (e) {
        failures.push({ mutant: label(), route: "parseQueryAnswer", ...thrown(e) });
        continue;
      }
      for (const p of checkParsedTraffic(t, b.jsonFile, null))
        failures.push({ mutant: label(), route: "parseQueryAnswer", ...p });
      failures.push(
        ...checkAnalysis(
          label(),
          "parseQueryAnswer",
          () => run(b.fixture.inputs, t),
          x(b.jsonFile),
          determinism,
          tally,
        ),
      );
    }
  }
  return { failures, counts };
}

// =============================================================================================
// 2. The mesh ConfigMap

const MESH_TEXT = `rootNamespace: istio-system
trustDomain: cluster.local
trustDomainAliases: [old.example.com]
enableAutoMtls: true
outboundTrafficPolicy:
  mode: ALLOW_ANY
defaultDestinationRuleExportTo: ["*"]
defaultConfig:
  proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}
`;

const meshConfigMap = (name: string, mesh: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name,
    namespace: "istio-system",
    labels: { "istio.io/rev": name === "istio" ? "default" : "stable" },
  },
  data: { mesh, meshNetworks: "networks: {}" },
});

/** Whole mesh texts: empty, scalars, lists, broken YAML, wrong types for each known field, tricks. */
const MESH_TEXTS: readonly string[] = [
  "",
  " ",
  "null",
  "~",
  "42",
  "true",
  "[a, b]",
  "- x\n- y",
  '"just a string"',
  "{",
  "rootNamespace: [",
  "rootNamespace: 42",
  "rootNamespace: ''",
  "rootNamespace: {a: 1}",
  "trustDomain: {a: 1}",
  "trustDomain: 2026-01-01",
  "trustDomain: !!binary aGVsbG8=",
  "trustDomain: !!js/undefined",
  "trustDomainAliases: x",
  "trustDomainAliases: [1, null, {}]",
  "enableAutoMtls: yes",
  'enableAutoMtls: "false"',
  "enableAutoMtls: 0",
  "enableAutoMtls: [false]",
  "outboundTrafficPolicy: REGISTRY_ONLY",
  "outboundTrafficPolicy: {mode: registry_only}",
  "outboundTrafficPolicy: {mode: [REGISTRY_ONLY]}",
  "defaultDestinationRuleExportTo: '*'",
  "defaultDestinationRuleExportTo: [1, null, {}]",
  'defaultDestinationRuleExportTo: ["~"]',
  'defaultDestinationRuleExportTo: [".", ""]',
  "rootNamespace: istio-system\nrootNamespace: other",
  "a: &a [1]\nb: *a\nc: *b",
  "<<: {rootNamespace: merged}",
  "\0",
  "\ufeffrootNamespace: istio-system",
  "%YAML 1.2\n---\nrootNamespace: istio-system",
  "rootNamespace: istio-system\n---\nrootNamespace: second",
  "x: " + "[".repeat(5000),
  "x: " + "a".repeat(100_000),
  "\trootNamespace: istio-system",
  "__proto__: {rootNamespace: polluted}",
  "constructor: {prototype: {x: 1}}",
  "toString: 1\nvalueOf: 2",
];

const YAML_INJECT: readonly string[] = [
  ...INJECT,
  "&a ",
  "*a",
  "!!str ",
  "!!binary ",
  "!!js/function ",
  "? ",
  "%YAML 1.2\n",
  "---\n",
  "...\n",
  "<<: *a\n",
  "{{",
  "}}",
  "  ",
];

const MESH_NAMES = [
  "istio",
  "istio-",
  "istio-stable",
  "istio-canary",
  "istio-1-30",
  "istio-ca-root-cert",
  "istio--",
  "istio-" + "x".repeat(300),
  "Istio",
  "istiod",
];

interface MeshMutant {
  objects: KubeObject[];
  /** Index of the mutated ConfigMap in `objects`. */
  index: number;
  original: KubeObject;
  op: string;
}

/** The ConfigMap's revision as buildModel reads it ("" for `istio`), or null when it is not a mesh ConfigMap. */
function meshRevision(o: KubeObject): string | null {
  const mesh = isRecord(o.data) ? o.data.mesh : undefined;
  if (o.kind !== "ConfigMap" || typeof mesh !== "string" || typeof o.metadata?.name !== "string") return null;
  if (o.metadata.name === "istio") return "";
  return o.metadata.name.startsWith("istio-") ? o.metadata.name.slice("istio-".length) : null;
}

function mutateMeshConfigMap(o: KubeObject, rng: Rng): string {
  const data = o.data as Record<string, unknown>;
  const r = rng();
  if (r < 0.35) {
    let text = data.mesh as string;
    const ops: string[] = [];
    for (let n = opCount(rng); n > 0; n--) {
      const m = mutateText(text, rng, YAML_INJECT);
      text = m.text;
      ops.push(m.op);
    }
    data.mesh = text;
    return `data.mesh text: ${ops.join("; ")}`;
  }
  if (r < 0.6) {
    const mesh = yaml.load(data.mesh as string) as Record<string, unknown>;
    const m = mutateTree(mesh, rng, VALUES);
    data.mesh = yaml.dump(mesh, { noRefs: true, lineWidth: -1 });
    return `data.mesh: ${show(m.path) || "(root)"} ${m.op}`;
  }
  if (r < 0.75) {
    const text = pick(rng, MESH_TEXTS);
    data.mesh = text;
    return `data.mesh = ${JSON.stringify(text.length > 60 ? text.slice(0, 57) + "..." : text)}`;
  }
  const k = rng();
  if (k < 0.3) {
    const [label, make] = pick(rng, VALUES);
    data.mesh = make();
    return `data.mesh = ${label}`;
  }
  if (k < 0.4) {
    delete data.mesh;
    return "delete data.mesh";
  }
  if (k < 0.5) {
    const [label, make] = pick(rng, VALUES);
    o.data = make();
    return `data = ${label}`;
  }
  if (k < 0.55) {
    delete o.data;
    return "delete data";
  }
  if (k < 0.75) {
    const name = pick(rng, MESH_NAMES);
    o.metadata.name = name;
    return `metadata.name = ${JSON.stringify(name.length > 40 ? name.slice(0, 37) + "..." : name)}`;
  }
  if (k < 0.85) {
    const ns = pick(rng, ["default", "other", "", "istio-system"]);
    o.metadata.namespace = ns;
    return `metadata.namespace = ${JSON.stringify(ns)}`;
  }
  if (k < 0.92) {
    o.binaryData = { mesh: Buffer.from(data.mesh as string).toString("base64") };
    delete data.mesh;
    return "data.mesh moved to binaryData (base64)";
  }
  const m = mutateTree(o, rng, VALUES);
  return `${show(m.path)} ${m.op}`;
}

/** The mesh ConfigMaps are a file of their own, so a mutant re-reads only them. */
const MESH_FILE = "istio-system/mesh-config.yaml";

interface MeshBase {
  fixture: Fixture;
  /** The fixture without its own `istio` ConfigMap, read once (never mutated). */
  rest: ParsedInputs;
  /** The `istio` and `istio-stable` ConfigMaps. */
  objects: KubeObject[];
  lines: number[];
  baseline: MeshSnapshot;
}

function meshBase(fixture: Fixture): MeshBase {
  // The fixture's own `istio` ConfigMap gives way to a fuller one, and a revision's (`data` is istio.io/rev=stable).
  const rest: ParsedInputs = {
    objects: fixture.inputs.objects.filter((o) => meshRevision(o.object) === null),
    configDumps: [],
    problems: [],
  };
  const objects = [
    meshConfigMap("istio", MESH_TEXT),
    meshConfigMap("istio-stable", MESH_TEXT.replace("enableAutoMtls: true", "enableAutoMtls: false")),
  ];
  const own = viaYaml(objects, MESH_FILE);
  expect(own.problems).toEqual([]);
  const baseline = run(mergeParsed([rest, own]));
  expect(invalidFindings(baseline)).toEqual([]);
  expect(baseline.mesh.trustDomain).toBe("cluster.local");
  return { fixture, rest, objects, lines: own.objects.map((o) => o.at.line ?? 0), baseline };
}

const viaYaml = yamlInputs;
const viaLoadObject = (objects: unknown[], file: string, lines: number[]): ParsedInputs =>
  loadObjects(objects, (i) => ({ file, line: lines[i] ?? i + 1 }));

/** A mesh ConfigMap whose text does not parse must be reported, naming it and data.mesh (unless an earlier one of its revision wins). */
function meshParseProblems(m: MeshMutant, inputs: ParsedInputs, snap: MeshSnapshot): Problem[] {
  const seen = new Set<string>();
  const name = m.objects[m.index]!.metadata.name;
  for (const o of inputs.objects) {
    const rev = meshRevision(o.object);
    if (rev === null || seen.has(rev)) continue;
    seen.add(rev);
    if (
      o.object.metadata.name !== name ||
      o.object.metadata.namespace !== m.objects[m.index]!.metadata.namespace
    )
      continue;
    const text = (o.object.data as Record<string, string>).mesh!;
    let broken = false;
    try {
      yaml.load(text);
    } catch {
      broken = true;
    }
    const named = snap.findings.filter(
      (f) =>
        f.code === "input.invalid" &&
        f.resources[0]?.kind === "ConfigMap" &&
        f.resources[0].name === name &&
        f.message.includes("data.mesh"),
    );
    if (broken && named.length !== 1)
      return [
        {
          signature: "a mesh text that does not parse is not reported on its ConfigMap and data.mesh",
          detail: JSON.stringify(text.slice(0, 120)),
        },
      ];
  }
  return [];
}

function meshMutants(bases: MeshBase[], tally: Tally): Failure[] {
  const rng = mulberry32(MESH_SEED);
  const failures: Failure[] = [];
  for (let id = 0; id < MESH_MUTANTS; id++) {
    const b = bases[id % bases.length]!;
    const objects = b.objects.map((o) => structuredClone(o));
    const index = rng() < 0.7 ? 0 : 1;
    const original = b.objects[index]!;
    const m: MeshMutant = { objects, index, original, op: "" };
    m.op = mutateMeshConfigMap(objects[index]!, rng);
    const label = `#${id} ${b.fixture.name}: ConfigMap ${original.metadata.namespace}/${original.metadata.name}: ${m.op}`;
    const now = objects[index]!;
    const x = (inputs: ParsedInputs): Expectation => ({
      baseline: b.baseline,
      files: [MESH_FILE],
      mayName: (r) =>
        r.kind === now.kind &&
        (r.name === now.metadata.name || r.name === original.metadata.name) &&
        (r.namespace === now.metadata.namespace || r.namespace === original.metadata.namespace),
      extra: (snap) => meshParseProblems(m, inputs, snap),
    });
    for (const [route, inputs] of [
      ["yaml", () => mergeParsed([b.rest, viaYaml(objects, MESH_FILE)])],
      ["loadObject", () => mergeParsed([b.rest, viaLoadObject(objects, MESH_FILE, b.lines)])],
    ] as const) {
      let parsed: ParsedInputs;
      try {
        parsed = inputs();
      } catch (e) {
        failures.push({ mutant: label, route, ...thrown(e) });
        continue;
      }
      failures.push(
        ...checkAnalysis(
          label,
          route,
          () => run(parsed),
          x(parsed),
          id % 10 === (route === "yaml" ? 0 : 5),
          tally,
        ),
      );
    }
  }
  return failures;
}

// =============================================================================================
// 3. Certificates and config dumps

const b64 = (s: string) => Buffer.from(s).toString("base64");

const SPIRE_CONF = `server {
  bind_address = "0.0.0.0"
  trust_domain = "cluster.local"
  ca_ttl = "24h"
  default_x509_svid_ttl = "1h"
  ca_subject { country = ["US"] }
}
`;

const CART_POD = "cart-5c9d7f8b6-q7x2m";
const ZTUNNEL_POD = "ztunnel-7xk2p";
const CERTS_FILE = "certs/certs.yaml";
const PODS_FILE = "certs/pods.yaml";
const ENVOY_FILE = `dumps/${CART_POD}.shop.json`;
const ZTUNNEL_FILE = `dumps/${ZTUNNEL_POD}.istio-system.json`;

/** Istio's root ConfigMap and CA Secret, cert-manager, Linkerd, SPIRE: one of each place a certificate is read from. */
function certObjects(pki: Pki): KubeObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio-ca-root-cert", namespace: "shop" },
      data: { "root-cert.pem": pki.root },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cacerts", namespace: "istio-system" },
      type: "Opaque",
      data: {
        "ca-cert.pem": b64(pki.intermediate),
        "ca-key.pem": b64(pki.keys.intermediate),
        "cert-chain.pem": b64(pki.intermediate + pki.root),
        "root-cert.pem": b64(pki.root),
      },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: "shop-ca", namespace: "shop" },
      spec: { ca: { secretName: "cacerts" } },
      status: { conditions: [{ type: "Ready", status: "True", reason: "KeyPairVerified" }] },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "frontend-tls", namespace: "shop" },
      spec: {
        secretName: "frontend-tls",
        issuerRef: { name: "shop-ca", kind: "Issuer", group: "cert-manager.io" },
        dnsNames: ["frontend.shop.svc.cluster.local"],
        duration: "24h",
        renewBefore: "8h",
        usages: ["server auth"],
      },
      status: {
        conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "up to date" }],
        notAfter: "2026-11-28T11:00:00Z",
        renewalTime: "2026-11-28T03:00:00Z",
      },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "frontend-tls",
        namespace: "shop",
        annotations: { "cert-manager.io/certificate-name": "frontend-tls" },
      },
      type: "kubernetes.io/tls",
      data: {
        "tls.crt": b64(pki.chains.leafNoClientAuth),
        "tls.key": b64(pki.keys.leafNoClientAuth),
        "ca.crt": b64(pki.root),
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" },
      data: { "ca-bundle.crt": pki.linkerdAnchor },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "linkerd-identity-issuer", namespace: "linkerd" },
      type: "kubernetes.io/tls",
      data: {
        "tls.crt": b64(pki.linkerdIssuer),
        "tls.key": b64(pki.keys.linkerdIssuer),
        "ca.crt": b64(pki.linkerdAnchor),
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "spire-bundle", namespace: "spire" },
      data: { "bundle.crt": pki.spireBundle },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "spire-server", namespace: "spire" },
      data: { "server.conf": SPIRE_CONF },
    },
  ];
}

/** A live pod of the fixture's `cart` Deployment (ReplicaSet → Deployment), with a sidecar. */
const cartPod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: CART_POD,
    namespace: "shop",
    labels: { app: "cart", "pod-template-hash": "5c9d7f8b6" },
    ownerReferences: [{ kind: "ReplicaSet", name: "cart-5c9d7f8b6", controller: true }],
  },
  spec: {
    serviceAccountName: "cart",
    containers: [
      { name: "app", image: "example/cart:5", ports: [{ containerPort: 7070 }] },
      { name: "istio-proxy", image: "istio/proxyv2:1.30.3" },
    ],
  },
};

/** An older or patched proxy that does not redact: its private key is in the dump (the loader must drop it). */
function withPrivateKey(v: unknown, keyB64: string): void {
  if (Array.isArray(v)) for (const x of v) withPrivateKey(x, keyB64);
  else if (isRecord(v))
    for (const [k, x] of Object.entries(v)) {
      if ((k === "private_key" || k === "privateKey") && isRecord(x)) {
        for (const bytes of ["inline_bytes", "inlineBytes"]) if (bytes in x) x[bytes] = keyB64;
      } else withPrivateKey(x, keyB64);
    }
}

interface CertBase {
  pki: Pki;
  fixture: Fixture;
  /** The fixture's objects and the cart pod, read once (never mutated). */
  mesh: ParsedInputs;
  objects: KubeObject[];
  envoy: { snake: object; camel: object };
  ztunnel: object;
  keys: string[];
  /** The unmutated certificate objects and dumps, read once: a mutant re-reads only what it changed. */
  parts: CertParts;
  baseline: MeshSnapshot;
  /** 16-character windows of every private key (PEM body, base64 of the PEM, DER hex) and every Secret value. */
  secretWindows: Set<string>;
}

const WINDOW = 16;

function windows(s: string, out: Set<string>): void {
  for (const run_ of s.match(/[A-Za-z0-9+/]{16,}/g) ?? [])
    for (let i = 0; i + WINDOW <= run_.length; i++) out.add(run_.slice(i, i + WINDOW));
}

function certBase(pki: Pki, fixture: Fixture): CertBase {
  const mesh = mergeParsed([fixture.inputs, viaYaml([cartPod], PODS_FILE)]);
  expect(mesh.problems).toEqual([]);
  const objects = certObjects(pki);
  const keyB64 = b64(pki.keys.leafRsa2048);
  const envoy = {
    snake: configDump({ chainPem: pki.chains.leafRsa2048, rootPem: pki.root, nodeId: `${CART_POD}.shop` }),
    camel: configDump({
      chainPem: pki.chains.leafRsa2048,
      rootPem: pki.root,
      nodeId: `${CART_POD}.shop`,
      camel: true,
    }),
  };
  withPrivateKey(envoy.snake, keyB64);
  withPrivateKey(envoy.camel, keyB64);
  const ztunnel = ztunnelDump([
    { identity: "spiffe://cluster.local/ns/shop/sa/web", chainPem: pki.chains.leafEcdsa, rootPem: pki.root },
  ]);
  const keys = [
    pki.keys.intermediate,
    pki.keys.leafNoClientAuth,
    pki.keys.linkerdIssuer,
    pki.keys.leafRsa2048,
    pki.keys.leafEcdsa,
  ];
  const secretWindows = new Set<string>();
  for (const k of keys) {
    windows(k, secretWindows);
    windows(b64(k), secretWindows);
    const der = Buffer.from(k.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
    windows(der.toString("hex"), secretWindows);
  }
  for (const o of objects)
    if (o.kind === "Secret")
      for (const v of [...Object.values(o.data ?? {}), ...Object.values(o.stringData ?? {})])
        if (typeof v === "string") windows(v, secretWindows);
  // Certificates are public, and their algorithm identifiers are the keys' too (an EC key and an EC
  // certificate share "MBMGByqGSM49AgEGCCqGSM49AwEH"): their windows are no evidence of a leak, and the
  // mutations copy certificates into names on purpose.
  for (const pem of [...Object.values(pki), ...Object.values(pki.chains)])
    if (typeof pem === "string" && pem.includes("BEGIN CERTIFICATE")) {
      const pub = new Set<string>();
      windows(pem, pub);
      windows(b64(pem), pub);
      for (const block of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END/g))
        windows(Buffer.from(block[1]!.replace(/\s+/g, ""), "base64").toString("hex"), pub);
      for (const w of pub) secretWindows.delete(w);
    }
  const base: CertBase = {
    pki,
    fixture,
    mesh,
    objects,
    envoy,
    ztunnel,
    keys,
    parts: {
      objects: viaYaml(objects, CERTS_FILE),
      envoy: parseManifestText(JSON.stringify(envoy.snake), ENVOY_FILE),
      ztunnel: parseManifestText(JSON.stringify(ztunnel), ZTUNNEL_FILE),
    },
    baseline: undefined as unknown as MeshSnapshot,
    secretWindows,
  };
  const inputs = certInputs(base, base.parts);
  expect(inputs.problems).toEqual([]);
  expect(inputs.configDumps.map((d) => d.pod)).toEqual([
    { namespace: "shop", name: CART_POD },
    { namespace: "istio-system", name: ZTUNNEL_POD },
  ]);
  base.baseline = run(inputs);
  expect(invalidFindings(base.baseline)).toEqual([]);
  expect(leaks(base, JSON.stringify(base.baseline))).toEqual([]);
  // Every place was read: Istio root, CA chain, cert-manager leaf, Linkerd anchor and issuer, SPIRE root,
  // the proxy's chain (owned by the cart pod) and the ztunnel's.
  const kinds = new Set(
    base.baseline.certificates.flatMap((c) => c.sources.map((s) => `${s.kind}/${s.name}`)),
  );
  for (const k of [
    "ConfigMap/istio-ca-root-cert",
    "Secret/cacerts",
    "Secret/frontend-tls",
    "ConfigMap/linkerd-identity-trust-roots",
    "Secret/linkerd-identity-issuer",
    "ConfigMap/spire-bundle",
    "proxy/default",
    "proxy/ROOTCA",
    "ztunnel/spiffe://cluster.local/ns/shop/sa/web",
  ])
    expect(kinds).toContain(k);
  expect(
    base.baseline.certificates.find((c) => c.role === "workload" && c.source.kind === "proxy")?.owner,
  ).toEqual({
    namespace: "shop",
    workload: "cart",
    pod: CART_POD,
  });
  return base;
}

interface CertParts {
  objects: ParsedInputs;
  envoy: ParsedInputs;
  ztunnel: ParsedInputs;
}

/** The fixture and the pod, the certificate objects (one YAML file), each dump (one JSON file each). */
function certInputs(b: CertBase, p: CertParts): ParsedInputs {
  return mergeParsed([b.mesh, p.objects, p.envoy, p.ztunnel]);
}

/** A private key or Secret value in the snapshot, found by its 16-character windows. */
function leaks(b: CertBase, json: string): Problem[] {
  const out: Problem[] = [];
  const at = json.indexOf("PRIVATE KEY");
  if (at >= 0)
    out.push({
      signature: 'the snapshot says "PRIVATE KEY"',
      detail: json.slice(Math.max(0, at - 80), at + 40),
    });
  for (const run_ of json.match(/[A-Za-z0-9+/]{16,}/g) ?? [])
    for (let i = 0; i + WINDOW <= run_.length; i++)
      if (b.secretWindows.has(run_.slice(i, i + WINDOW))) {
        out.push({ signature: "key material or Secret data in the snapshot", detail: run_.slice(0, 120) });
        return out;
      }
  return out;
}

const PEM_LABELS = [
  "CERTIFICATE REQUEST",
  "X509 CRL",
  "PUBLIC KEY",
  "TRUSTED CERTIFICATE",
  "X509 CERTIFICATE",
  "CERTIFICATE ",
  "certificate",
  "CERT",
];

const KEY_LABELS = [
  "EC PRIVATE KEY",
  "RSA PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
  "PRIVATE  KEY",
  "PRIVATE-KEY",
  "private key",
];

function toPem(der: Uint8Array, label = "CERTIFICATE"): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;
}

/** One damage to a DER certificate inside a PEM text, re-encoded as well-formed PEM: it reaches the DER reader. */
function damageDer(pem: string, rng: Rng): TextMutation {
  const blocks = [
    ...pem.matchAll(/-----BEGIN CERTIFICATE-----\r?\n([\s\S]*?)-----END CERTIFICATE-----\r?\n?/g),
  ];
  if (blocks.length === 0) return mutateText(pem, rng);
  const bi = int(rng, blocks.length);
  const block = blocks[bi]!;
  const der = Buffer.from(block[1]!.replace(/\s+/g, ""), "base64");
  // Headers and lengths sit at the start; dates, names and extensions further on.
  const at = rng() < 0.4 ? int(rng, Math.min(40, der.length)) : int(rng, der.length);
  let out: Buffer;
  let op: string;
  const r = rng();
  if (r < 0.35) {
    out = Buffer.from(der);
    const x = 1 + int(rng, 255);
    out[at] = out[at]! ^ x;
    op = `xor byte ${at} with 0x${x.toString(16)}`;
  } else if (r < 0.5) {
    out = Buffer.from(der);
    const v = pick(rng, [0x00, 0xff, 0x80, 0x84, 0x1f, 0x30, 0x17, 0x18]);
    out[at] = v;
    op = `byte ${at} = 0x${v.toString(16)}`;
  } else if (r < 0.65) {
    out = der.subarray(0, at);
    op = `truncated to ${at} bytes`;
  } else if (r < 0.75) {
    out = Buffer.concat([der.subarray(0, at), Buffer.from([int(rng, 256)]), der.subarray(at)]);
    op = `byte inserted at ${at}`;
  } else if (r < 0.85) {
    out = Buffer.concat([der.subarray(0, at), der.subarray(at + 1)]);
    op = `byte ${at} deleted`;
  } else if (r < 0.93) {
    out = Buffer.concat([der, Buffer.from([0, 0, 0x30, 0])]);
    op = "4 bytes appended";
  } else {
    out = Buffer.from(der);
    const j = int(rng, der.length);
    [out[at], out[j]] = [out[j]!, out[at]!];
    op = `bytes ${at} and ${j} swapped`;
  }
  const text = pem.slice(0, block.index) + toPem(out) + pem.slice(block.index + block[0].length);
  return { text, op: `DER of block ${bi + 1}: ${op}` };
}

/** One damage to a PEM text: truncation, garbling, duplication, labels, a private key where a certificate belongs. */
function mutatePem(pem: string, rng: Rng, keys: readonly string[]): TextMutation {
  const r = rng();
  const key = pick(rng, keys);
  const bodyChars = [...pem.matchAll(/^[A-Za-z0-9+/=]+$/gm)].map((m) => m.index);
  const inBody = () => {
    const line = bodyChars.length ? pick(rng, bodyChars) : 0;
    return line + int(rng, 64);
  };
  if (r < 0.1) {
    const at = int(rng, pem.length);
    return { text: pem.slice(0, at), op: `PEM truncated at ${at}` };
  }
  if (r < 0.2) {
    const at = Math.min(inBody(), pem.length - 1);
    const c = pick(rng, [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"]);
    return { text: pem.slice(0, at) + c + pem.slice(at + 1), op: `PEM body char ${at} = ${c}` };
  }
  if (r < 0.26) {
    const at = Math.min(inBody(), pem.length - 1);
    const c = pick(rng, ["!", "-", "*", "é", "=", "_", "\0", " "]);
    return {
      text: pem.slice(0, at) + c + pem.slice(at + 1),
      op: `PEM body char ${at} = ${JSON.stringify(c)}`,
    };
  }
  if (r < 0.3) {
    const lines = pem.split("\n");
    const i = 1 + int(rng, Math.max(1, lines.length - 2));
    lines.splice(i, 1);
    return { text: lines.join("\n"), op: `PEM line ${i + 1} deleted` };
  }
  if (r < 0.35) return { text: pem + pem, op: "PEM duplicated" };
  if (r < 0.46) {
    const label = pick(rng, PEM_LABELS);
    const where = pick(rng, ["BEGIN", "END", "both"] as const);
    const text =
      where === "both"
        ? pem.replaceAll("CERTIFICATE-----", `${label}-----`)
        : pem.replace(`${where} CERTIFICATE-----`, `${where} ${label}-----`);
    return { text, op: `label ${JSON.stringify(label)} on ${where}` };
  }
  if (r < 0.52) {
    const line = pick(rng, ["-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n"]);
    return { text: pem.replace(line, ""), op: `${line.slice(5, 8)} line removed` };
  }
  if (r < 0.56) {
    const style = pick(rng, ["CRLF", "no newlines", "indented"] as const);
    const text =
      style === "CRLF"
        ? pem.replaceAll("\n", "\r\n")
        : style === "no newlines"
          ? pem.replaceAll("\n", "")
          : pem.replace(/^/gm, "    ");
    return { text, op: `PEM ${style}` };
  }
  if (r < 0.6) return { text: key, op: "a private key (PEM) instead of the certificate" };
  if (r < 0.64)
    return {
      text: key.replaceAll("PRIVATE KEY", "CERTIFICATE"),
      op: "a private key under a CERTIFICATE label",
    };
  if (r < 0.67) return { text: pem + key, op: "a private key after the certificate" };
  if (r < 0.7) {
    const label = pick(rng, KEY_LABELS);
    return {
      text: key.replaceAll("PRIVATE KEY", label),
      op: `a private key labelled ${JSON.stringify(label)}`,
    };
  }
  if (r < 0.85) return damageDer(pem, rng);
  if (r < 0.88) {
    const text = pick(rng, ["", " \n", "null", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"]);
    return { text, op: `PEM = ${JSON.stringify(text)}` };
  }
  return mutateText(pem, rng);
}

/** One damage to base64 (a Secret's data, a ConfigMap's binaryData, a dump's inline_bytes). */
function mutateBase64(s: string, rng: Rng): TextMutation {
  const at = int(rng, s.length);
  const r = rng();
  if (r < 0.15) return { text: s.slice(0, at), op: `base64 truncated at ${at}` };
  if (r < 0.3) return { text: s.slice(0, at) + s.slice(at + 1), op: `base64 char ${at} deleted` };
  if (r < 0.5) {
    const c = pick(rng, ["!", "*", "-", "_", ".", "é", " ", "\n", "=", "==", "\0", "%"]);
    return { text: s.slice(0, at) + c + s.slice(at), op: `${JSON.stringify(c)} inserted in base64 at ${at}` };
  }
  if (r < 0.6) return { text: s.replaceAll("+", "-").replaceAll("/", "_"), op: "base64url alphabet" };
  if (r < 0.68) return { text: b64(s), op: "base64 encoded twice" };
  if (r < 0.74) return { text: s.replace(/=+$/, ""), op: "padding removed" };
  if (r < 0.8) return { text: s + "====", op: "extra padding" };
  if (r < 0.86) return { text: s.toLowerCase(), op: "base64 lowercased" };
  if (r < 0.92) return { text: s.replace(/.{1,76}/g, "$&\n"), op: "base64 wrapped at 76 (MIME)" };
  return {
    text: Buffer.from(s, "base64").toString("latin1"),
    op: "base64 decoded (raw text where base64 belongs)",
  };
}

const strings = (xs: readonly string[]): Value[] => xs.map((x) => [JSON.stringify(x), () => x] as const);

/** Dates as cert-manager's status would never write them: out of range, out of calendar, local, partial. */
const DATE_STRINGS = strings([
  "20000",
  "+010000-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "2026-02-30T00:00:00Z",
  "2026-11-27",
  "2026-11-27T12:00:00+05:00",
  "12",
  "yesterday",
]);

/** Go durations, broken or extreme. */
const DURATION_STRINGS = strings([
  "0s",
  "-1h",
  "1e9h",
  "1h30m",
  "720h0m0s",
  "90d",
  "abc",
  "1.5h",
  "1000000000000000000000h",
  "0",
]);

/** Values for certificate objects and dumps: the common ones, dates and durations as strings, PEM in odd places. */
function certValues(pki: Pki): readonly Value[] {
  return [
    ...VALUES,
    ...DATE_STRINGS,
    ...DURATION_STRINGS,
    ["the root PEM", () => pki.root],
    ["the root PEM in base64", () => b64(pki.root)],
    ['"kubernetes.io/tls"', () => "kubernetes.io/tls"],
    ['"cert-manager.io/v1"', () => "cert-manager.io/v1"],
  ];
}

const CERT_NAMES = [
  "cacerts",
  "istio-ca-secret",
  "istio-ca-root-cert",
  "linkerd-identity-issuer",
  "linkerd-identity-trust-roots",
  "spire-bundle",
  "istio",
];

const CERT_MANAGER_FIELDS: Record<string, Path[]> = {
  Certificate: [
    ["spec", "duration"],
    ["spec", "renewBefore"],
    ["spec", "renewBeforePercentage"],
    ["spec", "isCA"],
    ["spec", "secretName"],
    ["spec", "issuerRef", "name"],
    ["spec", "issuerRef", "kind"],
    ["spec", "usages"],
    ["status", "notAfter"],
    ["status", "renewalTime"],
    ["status", "conditions", 0, "status"],
    ["status", "conditions"],
  ],
  Issuer: [
    ["spec", "ca"],
    ["spec", "selfSigned"],
    ["status", "conditions", 0, "status"],
    ["status", "conditions"],
  ],
};

/** Where a certificate-bearing string lives in an object: data / stringData / binaryData entries. */
function valueSlots(o: KubeObject): { field: string; key: string; base64: boolean }[] {
  const out: { field: string; key: string; base64: boolean }[] = [];
  for (const field of ["data", "stringData", "binaryData"])
    if (isRecord(o[field]))
      for (const [key, v] of Object.entries(o[field] as Record<string, unknown>))
        if (typeof v === "string")
          out.push({
            field,
            key,
            base64: field === "binaryData" || (field === "data" && o.kind === "Secret"),
          });
  return out;
}

function mutateCertObject(o: KubeObject, rng: Rng, b: CertBase, values: readonly Value[]): string {
  const r = rng();
  const fields = CERT_MANAGER_FIELDS[o.kind];
  if (fields && r < 0.7) {
    // cert-manager's own fields, which the analysis reads as dates, durations, percentages, flags.
    const path = pick(rng, fields);
    const [label, make] = pick(rng, values);
    (get(o, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]!] = make();
    return `${show(path)} = ${label}`;
  }
  const slots = valueSlots(o);
  if (r < 0.6 && slots.length > 0) {
    const s = pick(rng, slots);
    const map = o[s.field] as Record<string, string>;
    const v = map[s.key]!;
    const where = `${s.field}.${s.key}`;
    if (s.key === "server.conf") {
      const m = mutateText(v, rng);
      map[s.key] = m.text;
      return `${where}: ${m.op}`;
    }
    if (s.base64 && rng() < 0.4) {
      const m = mutateBase64(v, rng);
      map[s.key] = m.text;
      return `${where}: ${m.op}`;
    }
    const m = mutatePem(s.base64 ? Buffer.from(v, "base64").toString("utf8") : v, rng, b.keys);
    map[s.key] = s.base64 ? b64(m.text) : m.text;
    return `${where}: ${m.op}`;
  }
  if (r < 0.7 && slots.length > 0) {
    // The same key in another map too: a Secret's stringData (plain text, wins over data) or data,
    // a ConfigMap's binaryData (base64) or data.
    const s = pick(rng, slots);
    const v = (o[s.field] as Record<string, string>)[s.key]!;
    const plain = s.base64 ? Buffer.from(v, "base64").toString("utf8") : v;
    const secret = o.kind === "Secret";
    const to = secret
      ? s.field === "stringData"
        ? "data"
        : "stringData"
      : s.field === "data"
        ? "binaryData"
        : "data";
    const encode = (text: string) => (to === "stringData" || (to === "data" && !secret) ? text : b64(text));
    const [what, text] = pick(rng, [
      ["the same value", plain],
      ["another root", b.pki.otherRoot],
      ['""', ""],
      ['"not a certificate"', "not a certificate"],
    ] as const);
    o[to] = { ...(isRecord(o[to]) ? o[to] : {}), [s.key]: encode(text) };
    return `${to}.${s.key} also set to ${what}`;
  }
  if (r < 0.76) {
    const name = pick(rng, CERT_NAMES);
    o.metadata.name = name;
    return `metadata.name = ${JSON.stringify(name)}`;
  }
  const m = mutateTree(o, rng, values);
  return `${show(m.path)} ${m.op}`;
}

/** The base64 (or PEM) strings of a dump that carry certificates (and the private key). */
function dumpSlots(doc: object): Path[] {
  return allPaths(doc, [], []).filter((p) => {
    const k = p[p.length - 1];
    return (
      (k === "inline_bytes" || k === "inlineBytes" || k === "pem" || k === "inline_string") &&
      typeof get(doc, p) === "string"
    );
  });
}

function mutateDump(
  doc: object,
  rng: Rng,
  b: CertBase,
  values: readonly Value[],
): { op: string; text?: string } {
  const r = rng();
  const slots = dumpSlots(doc);
  if (r < 0.4) {
    const ops: string[] = [];
    for (let n = opCount(rng); n > 0; n--) {
      const m = mutateTree(doc, rng, values);
      ops.push(`${show(m.path) || "(root)"} ${m.op}`);
    }
    return { op: ops.join("; ") };
  }
  if (r < 0.7 && slots.length > 0) {
    const p = pick(rng, slots);
    const parent = get(doc, p.slice(0, -1)) as Record<string, string>;
    const k = p[p.length - 1] as string;
    const v = parent[k]!;
    const isPem = v.includes("-----BEGIN");
    if (!isPem && rng() < 0.4) {
      const m = mutateBase64(v, rng);
      parent[k] = m.text;
      return { op: `${show(p)}: ${m.op}` };
    }
    const m = mutatePem(isPem ? v : Buffer.from(v, "base64").toString("utf8"), rng, b.keys);
    parent[k] = isPem ? m.text : b64(m.text);
    return { op: `${show(p)}: ${m.op}` };
  }
  if (r < 0.8 && slots.length > 0) {
    const p = pick(rng, slots);
    const parent = get(doc, p.slice(0, -1)) as Record<string, string>;
    const k = p[p.length - 1] as string;
    const key = pick(rng, b.keys);
    const how = pick(rng, ["key", "chain + key", "key as CERTIFICATE"] as const);
    const text =
      how === "key"
        ? key
        : how === "chain + key"
          ? b.pki.chains.leafRsa2048 + key
          : key.replaceAll("PRIVATE KEY", "CERTIFICATE");
    parent[k] = b64(text);
    return { op: `${show(p)} = base64 of ${how}` };
  }
  const ops: string[] = [];
  let text = JSON.stringify(doc, null, rng() < 0.5 ? 2 : undefined);
  for (let n = opCount(rng); n > 0; n--) {
    const m = mutateText(text, rng, JSON_INJECT);
    text = m.text;
    ops.push(m.op);
  }
  return { op: `JSON text: ${ops.join("; ")}`, text };
}

const sourceRefKey = (s: { kind: string; namespace?: string; name?: string; pod?: string }) =>
  s.kind === "proxy" || s.kind === "ztunnel" ? s.kind : `${s.kind} ${s.namespace ?? "-"}/${s.name ?? ""}`;

function certMutants(
  b: CertBase,
  tally: Tally,
): { failures: Failure[]; counts: { objects: number; envoy: number; ztunnel: number } } {
  const rng = mulberry32(CERT_SEED);
  const values = certValues(b.pki);
  const failures: Failure[] = [];
  const counts = { objects: 0, envoy: 0, ztunnel: 0 };
  for (let id = 0; id < CERT_MUTANTS; id++) {
    const r = rng();
    const target = r < 0.65 ? "objects" : r < 0.88 ? "envoy" : "ztunnel";
    counts[target]++;
    let label: string;
    /** What the mutated input is, for "nothing else lost" and "names the object". */
    let mutated: { sourceKeys: Set<string>; mayName: (r: Ref) => boolean; file: string };
    const routes: [string, () => CertParts][] = [];
    if (target === "objects") {
      const objects = b.objects.map((o) => structuredClone(o));
      const index = int(rng, objects.length);
      const o = objects[index]!;
      const orig = b.objects[index]!;
      const op = mutateCertObject(o, rng, b, values);
      label = `#${id} ${orig.kind} ${orig.metadata.namespace}/${orig.metadata.name}: ${op}`;
      mutated = {
        sourceKeys: new Set([`${orig.kind} ${orig.metadata.namespace}/${orig.metadata.name}`]),
        mayName: (ref) =>
          (ref.kind === orig.kind || ref.kind === o.kind) &&
          (ref.name === orig.metadata.name || ref.name === o.metadata?.name) &&
          (ref.namespace === orig.metadata.namespace || ref.namespace === o.metadata?.namespace),
        file: CERTS_FILE,
      };
      routes.push(["files", () => ({ ...b.parts, objects: viaYaml(objects, CERTS_FILE) })]);
    } else {
      const camel = target === "envoy" && rng() < 0.3;
      const doc = structuredClone(target === "envoy" ? (camel ? b.envoy.camel : b.envoy.snake) : b.ztunnel);
      const m = mutateDump(doc, rng, b, values);
      const file = target === "envoy" ? ENVOY_FILE : ZTUNNEL_FILE;
      const text = m.text ?? JSON.stringify(doc);
      label = `#${id} ${target}${camel ? " (camelCase)" : ""} dump: ${m.op}`;
      mutated = {
        sourceKeys: new Set([target === "envoy" ? "proxy" : "ztunnel"]),
        mayName: (ref) => ref.kind === "Pod",
        file,
      };
      routes.push(["files", () => ({ ...b.parts, [target]: parseManifestText(text, file) })]);
      if (m.text === undefined) {
        // As the cluster reader has it: fetched from the pod's admin port, already decoded.
        const pod =
          target === "envoy"
            ? { namespace: "shop", name: CART_POD }
            : { namespace: "istio-system", name: ZTUNNEL_POD };
        routes.push([
          "cluster (loadConfigDump)",
          () => ({ ...b.parts, [target]: loadConfigDump(structuredClone(doc), pod, { file }) }),
        ]);
      }
    }
    const x = certExpectation(b, b.baseline, mutated);
    for (const [route, parts] of routes) {
      let parsed: ParsedInputs;
      try {
        parsed = certInputs(b, parts());
      } catch (e) {
        failures.push({ mutant: label, route, ...thrown(e) });
        continue;
      }
      failures.push(...checkAnalysis(label, route, () => run(parsed), x, id % 10 === 0, tally));
    }
  }
  return { failures, counts };
}

/** The checks of a certificate mutant beyond the common ones: no leak, nothing else lost, cert.invalid named. */
function certExpectation(
  b: CertBase,
  baseline: MeshSnapshot,
  mutated: { sourceKeys: Set<string>; mayName: (r: Ref) => boolean; file: string },
): Expectation {
  return {
    baseline,
    files: [mutated.file],
    mayName: mutated.mayName,
    extra: (snap, json) => {
      const out = leaks(b, json);
      // Every certificate some unmutated input holds is still there.
      const ids = new Set(snap.certificates.map((c) => c.id));
      for (const c of baseline.certificates)
        if (!ids.has(c.id) && c.sources.some((s) => !mutated.sourceKeys.has(sourceRefKey(s))))
          out.push({
            signature: "a certificate another input holds is lost",
            detail: `${c.role} ${c.subject} from ${c.sources.map(sourceRefKey).join(", ")}`,
          });
      // cert.invalid names the holder and the file.
      for (const f of snap.findings.filter((y) => y.code === "cert.invalid")) {
        const ref = f.resources[0];
        if (!ref || !mutated.mayName(ref))
          out.push({ signature: "cert.invalid names another object", detail: f.message.slice(0, 200) });
        if (!f.message.includes(mutated.file))
          out.push({ signature: "cert.invalid does not name the file", detail: f.message.slice(0, 200) });
      }
      return out;
    },
  };
}

/** Sweep values: wrong types everywhere; dates where a date is read, durations where a duration is. */
const WRONG_TYPES: readonly Value[] = [
  ...VALUES.filter(([l]) =>
    ["42", "-1", "NaN (number)", "Infinity", '""', "true", "null", "[]", "{}"].includes(l),
  ),
  VALUES[VALUES.length - 1]!,
];

function sweepValuesFor(path: Path): readonly Value[] {
  const field = path[path.length - 1];
  if (field === "notAfter" || field === "renewalTime") return [...WRONG_TYPES, ...DATE_STRINGS];
  if (field === "duration" || field === "renewBefore" || field === "renewBeforePercentage")
    return [...WRONG_TYPES, ...DURATION_STRINGS];
  return WRONG_TYPES;
}

/** Every cert-manager field the analysis reads × every sweep value, on the Certificate, its Issuer and its Secret alone. */
function certManagerSweep(b: CertBase, tally: Tally): { failures: Failure[]; cases: number } {
  const objects = b.objects.filter(
    (o) => o.kind === "Issuer" || o.kind === "Certificate" || o.metadata.name === "frontend-tls",
  );
  const lines = objects.map((_, i) => 10 * i + 1);
  const empty: ParsedInputs = { objects: [], configDumps: [], problems: [] };
  const base = viaLoadObject(objects, CERTS_FILE, lines);
  expect(base.problems).toEqual([]);
  const baseline = run(base);
  expect(invalidFindings(baseline)).toEqual([]);
  expect(baseline.certificates.length).toBeGreaterThan(0);
  const failures: Failure[] = [];
  let cases = 0;
  const at = objects.findIndex((o) => o.kind === "Certificate");
  for (const path of CERT_MANAGER_FIELDS.Certificate!)
    for (const [label, make] of sweepValuesFor(path)) {
      cases++;
      const objs = objects.map((o) => structuredClone(o));
      (get(objs[at], path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]!] = make();
      const mutant = `Certificate shop/frontend-tls: ${show(path)} = ${label}`;
      const x = certExpectation(b, baseline, {
        sourceKeys: new Set(),
        mayName: (r) => r.kind === "Certificate" && r.name === "frontend-tls",
        file: CERTS_FILE,
      });
      const inputs = mergeParsed([empty, viaLoadObject(objs, CERTS_FILE, lines)]);
      failures.push(...checkAnalysis(mutant, "loadObject", () => run(inputs), x, cases % 10 === 0, tally));
    }
  return { failures, cases };
}

// =============================================================================================
// Sweeps: every structural field × every wrong-typed value, where random paths rarely land.

const TRAFFIC_SWEEP_VALUES: readonly Value[] = [
  ...VALUES.filter(([l]) =>
    [
      "42",
      "-1",
      "1e21",
      "NaN (number)",
      "Infinity",
      '"x"',
      '""',
      '"NaN"',
      "true",
      "null",
      "[]",
      "{}",
    ].includes(l),
  ),
  VALUES[VALUES.length - 1]!,
  ...TRAFFIC_VALUES.filter(([l]) =>
    ['"+Inf"', '"-1"', "1.7976931348623157e308", '[0, "5"]', '"matrix"'].includes(l),
  ),
];

/** Every structural field of the answer (its first series) × every sweep value: decoded (the server's path), and as JSON text. */
function trafficSweep(b: TrafficBase, tally: Tally): { failures: Failure[]; cases: number } {
  const failures: Failure[] = [];
  let cases = 0;
  const x: Expectation = { baseline: b.baseline, files: [b.jsonFile], mayName: () => false };
  for (const doc of b.docs) {
    const kind = (doc.data as { resultType: string }).resultType;
    const paths = allPaths(doc, [], []).filter(
      (p) => queryStructure(p) && !(p[1] === "result" && typeof p[2] === "number" && p[2] > 0),
    );
    for (const path of paths)
      for (const [label, make] of TRAFFIC_SWEEP_VALUES) {
        cases++;
        const d = structuredClone(doc);
        (get(d, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]!] = make();
        const mutant = `${b.fixture.name} ${kind}: ${show(path)} = ${label}`;
        const text = JSON.stringify(d);
        try {
          for (const p of checkParsedTraffic(parseTraffic(text, b.jsonFile), b.jsonFile, text))
            failures.push({ mutant, route: "parseTraffic (JSON text)", ...p });
        } catch (e) {
          failures.push({ mutant, route: "parseTraffic (JSON text)", ...thrown(e) });
        }
        let t: ParsedTraffic;
        try {
          t = parseQueryAnswer(d, b.jsonFile);
        } catch (e) {
          failures.push({ mutant, route: "parseQueryAnswer", ...thrown(e) });
          continue;
        }
        for (const p of checkParsedTraffic(t, b.jsonFile, null))
          failures.push({ mutant, route: "parseQueryAnswer", ...p });
        failures.push(
          ...checkAnalysis(
            mutant,
            "parseQueryAnswer",
            () => run(b.fixture.inputs, t),
            x,
            cases % 10 === 0,
            tally,
          ),
        );
      }
  }
  return { failures, cases };
}

// =============================================================================================
// Failure classes these runs found (negative and overflowing counts, a non-string resultType,
// cert-manager times past year 9999) are fixed; their minimal repros are regular tests at the end.

// =============================================================================================

describe("input mutation robustness", () => {
  let strict: Fixture;
  let dr: Fixture;
  beforeAll(() => {
    strict = readFixture("correct-strict");
    dr = readFixture("correct-dr");
  });

  it(`traffic: ${TRAFFIC_MUTANTS} seeded mutants of traffic.prom and its /api/v1/query JSON, and a sweep`, () => {
    const bases = [trafficBase(strict), trafficBase(dr)];
    const tally: Tally = { runs: 0, reported: 0 };
    const { failures, counts } = trafficMutants(bases, tally);
    const sweep = trafficSweep(bases[0]!, tally);
    expect(report([...failures, ...sweep.failures])).toEqual([]);
    expect(counts).toEqual({ text: 160, "json-text": 160, "json-tree": 160 });
    // vector: 10 fields of the answer and its first series; matrix: 13.
    expect(sweep.cases).toBe(23 * TRAFFIC_SWEEP_VALUES.length);
    // The mutants reach the error paths: many are reported as input.invalid.
    expect(tally.reported).toBeGreaterThan(tally.runs / 4);
    // The inputs every mutant shares were not changed by the analyses.
    for (const b of bases)
      expect(run(b.fixture.inputs, parseTraffic(b.fixture.trafficText, b.fixture.trafficFile))).toEqual(
        b.baseline,
      );
  });

  it(`mesh ConfigMap: ${MESH_MUTANTS} seeded mutants of the istio and istio-stable ConfigMaps`, () => {
    const bases = [meshBase(strict), meshBase(dr)];
    const tally: Tally = { runs: 0, reported: 0 };
    expect(report(meshMutants(bases, tally))).toEqual([]);
    expect(tally.reported).toBeGreaterThan(tally.runs / 5);
  });

  it(`certificates and config dumps: ${CERT_MUTANTS} seeded mutants over a real PKI, and a cert-manager sweep`, async () => {
    const b = certBase(await makePki(NOW), strict);
    const tally: Tally = { runs: 0, reported: 0 };
    const { failures, counts } = certMutants(b, tally);
    const sweep = certManagerSweep(b, tally);
    expect(counts.objects + counts.envoy + counts.ztunnel).toBe(CERT_MUTANTS);
    expect(report([...failures, ...sweep.failures])).toEqual([]);
    expect(sweep.cases).toBe(
      CERT_MANAGER_FIELDS.Certificate!.reduce((n, p) => n + sweepValuesFor(p).length, 0),
    );
    expect(tally.reported).toBeGreaterThan(tally.runs / 5);
    expect(run(certInputs(b, b.parts))).toEqual(b.baseline);
  });
});

describe("found by the runs above, fixed: the minimal repros", () => {
  const none = (): ParsedInputs => ({ objects: [], configDumps: [], problems: [] });
  const issues = (s: MeshSnapshot) =>
    MeshSnapshotSchema.safeParse(s).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
  const series = (value: string) =>
    `istio_requests_total{reporter="destination",destination_service="cart.shop.svc.cluster.local",connection_security_policy="mutual_tls"} ${value}\n`;

  // A negative counter reached edges[].observed against the schema's nonnegative(); now refused.
  it("traffic text: a negative counter value is input.invalid naming the line, not a count", () => {
    const t = parseTraffic(series("-1"), "traffic.prom");
    expect(t.samples).toEqual([]);
    expect(t.problems).toEqual([
      { file: "traffic.prom", line: 1, message: 'negative value -1 for the counter "istio_requests_total"' },
    ]);
    expect(issues(run(none(), t))).toEqual([]);
  });

  it("traffic JSON: a negative sample value is input.invalid naming the field", () => {
    const text = JSON.stringify({
      data: {
        result: [
          {
            metric: { __name__: "istio_requests_total", reporter: "destination", destination_service: "x" },
            value: [0, "-1"],
          },
        ],
      },
    });
    const t = parseTraffic(text, "traffic.json");
    expect(t.samples).toEqual([]);
    expect(t.problems).toEqual([
      expect.objectContaining({ file: "traffic.json", field: "data.result[0].value" }),
    ]);
    expect(issues(run(none(), t))).toEqual([]);
  });

  // Two finite samples of one edge summed past Number.MAX_VALUE to Infinity (JSON null).
  it("traffic: two huge samples of one edge count as the largest finite number, not Infinity", () => {
    const t = parseTraffic(series("1e308") + series("1e308"), "traffic.prom");
    const s = run(none(), t);
    expect(issues(s)).toEqual([]);
    expect(s.edges.map((e) => e.observed?.mtls)).toEqual([Number.MAX_VALUE]);
  });

  // String(resultType) threw "Cannot convert object to primitive value" for such an object.
  it("traffic JSON: a resultType object is reported on its field, not thrown", () => {
    const t = parseTraffic('{"data":{"resultType":{"toString":1},"result":[]}}', "traffic.json");
    expect(t.problems).toEqual([expect.objectContaining({ file: "traffic.json", field: "data.resultType" })]);
  });

  it("traffic, decoded answer: the same resultType is reported by parseQueryAnswer", () => {
    const t = parseQueryAnswer(
      { data: { resultType: { toString: "x", valueOf: 1 }, result: [] } },
      "prometheus",
    );
    expect(t.problems).toEqual([expect.objectContaining({ file: "prometheus", field: "data.resultType" })]);
  });

  // Any string Date accepts was taken: "20000" became "+020000-01-01T00:00:00Z" in the snapshot.
  it('cert-manager: status.renewalTime "20000" is input.invalid naming the field, and ignored', async () => {
    const pki = await makePki(NOW);
    const text = `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: shop}
spec: {secretName: web-tls, issuerRef: {name: ca}}
status: {renewalTime: "20000"}
---
apiVersion: v1
kind: Secret
metadata: {name: web-tls, namespace: shop}
type: kubernetes.io/tls
data: {tls.crt: ${b64(pki.leafNoClientAuth)}}
`;
    const inputs = parseManifestText(text, "certs.yaml");
    const s = run(inputs);
    expect(issues(s)).toEqual([]);
    expect(s.findings.filter((f) => f.code === "input.invalid").map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^certs\.yaml:1: Certificate shop\/web: status\.renewalTime: is "20000", not an RFC 3339 time; ignored$/,
      ),
    ]);
  });
});
