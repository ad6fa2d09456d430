// Objects made once per analysis (the model, the resolver's state, indexes, the rules' context) and
// read by hot code. Two V8 behaviours made such objects throw away optimised code at every analysis
// (docs/DECISIONS.md, "Analysis performance", rounds 4 and 6):
//
// - An object literal gets a per-site "boilerplate" at its second execution, and making it stores a
//   placeholder (the number 0) in every computed field: for a literal run once per analysis that is
//   the start of the next analysis, and the wider field types throw away every function that read
//   those fields.
// - A hidden class (map) is kept alive by its objects only: the transition from the previous map is
//   weak. When the analysis's objects die, a full GC frees their maps, and every optimised function
//   that checks for one of them is discarded ("weak objects"). Long-running processes do a full GC
//   between analyses (the dashboard re-analyses every 30 s), and the benchmark forces one.
//
// So the object is built field by field onto `{}`, and the first time a shape is seen a small keeper
// object with the same fields is kept for the life of the process: it holds the maps alive, and its
// placeholder 0 in every object field widens the field types once, up front, before hot code is
// optimised against them. It holds numbers, strings and booleans as they are, and no object of the
// analysis.
//
// Every other object an analysis makes (workloads, edges, findings, ...) has its hidden class kept
// alive by `holdUntilNextAnalysis`: the latest analysis's objects stay reachable until the next one
// replaces them. That costs one analysis's memory between analyses (about 55 MB of heap at the
// benchmark's 10k workloads) and saves recompiling some twenty hot functions, 100–200 ms, at every
// analysis that follows a full GC.

/** Shape (keys in order) → the keeper object that keeps its hidden classes alive. */
const keepers = new Map<string, object>();

/** `fields` copied, in the same key order, onto an object whose hidden classes outlive the analysis. */
export function perRun<T extends object>(fields: T): T {
  const keys = Object.keys(fields) as (keyof T)[];
  const shape = keys.join(",");
  // The keeper first: were it made after `out`, its wider fields would replace the hidden classes
  // `out` has, and the first analysis's optimised code would meet new ones at the second.
  if (!keepers.has(shape)) {
    const keeper = {} as Record<keyof T, unknown>;
    for (const k of keys) {
      const v = fields[k];
      keeper[k] = (typeof v === "object" && v !== null) || typeof v === "function" ? 0 : v;
    }
    keepers.set(shape, keeper);
  }
  const out = {} as T;
  for (const k of keys) out[k] = fields[k];
  return out;
}

/** What the latest analysis made; replaced by the next one (see the header for why it is held). */
const latest: { objects: object | null } = { objects: null };

/** Keeps `objects` reachable until the next call. */
export function holdUntilNextAnalysis(objects: object): void {
  latest.objects = objects;
}
