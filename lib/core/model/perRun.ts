// Objects made once per analysis (the model, the resolver's state, indexes, the rules' context) and
// read by hot code.
//
// V8 builds an object literal from a per-site "boilerplate" from the literal's second execution on,
// and making that boilerplate stores a placeholder (the number 0) in every computed field of the
// literal's map. For a literal run once per analysis, that second execution is the start of the next
// analysis: the placeholder widens the field types the first analysis's optimised code was built on,
// and V8 throws away every function that read those fields (about twenty at once, recompiled on the
// busy cores while the analysis runs). A copy made field by field onto `{}` follows `{}`'s map
// transitions, which no boilerplate writes, so its field types stay exact from one analysis to the
// next (docs/DECISIONS.md, "Analysis performance, round 4").
//
// A literal of up to four fields starts from `{}`'s map as well, so its copy would share the
// literal's maps: build such objects by assignment onto `{}` instead (see `memoOf` in predictEdge.ts).

/** `fields` (five or more) copied, in the same key order, onto maps that no literal boilerplate writes. */
export function perRun<T extends object>(fields: T): T {
  const out = {} as T;
  for (const k of Object.keys(fields) as (keyof T)[]) out[k] = fields[k];
  return out;
}
