// List-typed fields of a Kubernetes object as a CRD schema types them: absent (null too: the API
// server prunes it) is undefined or an empty list, a value that is no list is refused, and so is an
// item of the wrong type, naming its index (FieldError). Scalar fields: optionalFields.ts.
import { FieldError } from "./fieldError";
import { absent, isObj, shown } from "./read";

/** A list, or undefined when absent. `what` names a list in the refusal ("must be a list, not …"). */
export function optionalList(v: unknown, field: string, what = "a list"): unknown[] | undefined {
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) throw new FieldError(field, `must be ${what}, not ${shown(v)}`);
  return v;
}

/** A list of strings, or undefined when absent. */
export function optionalStrings(v: unknown, field: string, what = "a list"): string[] | undefined {
  const l = optionalList(v, field, what);
  if (l === undefined) return undefined;
  for (let i = 0; i < l.length; i++)
    if (typeof l[i] !== "string")
      throw new FieldError(`${field}[${i}]`, `must be a string, not ${shown(l[i])}`);
  return l as string[];
}

/** A list of strings, absent being empty; "must be a list of strings", as Istio's readers word it. */
export function stringList(v: unknown, field: string): string[] {
  return optionalStrings(v, field, "a list of strings") ?? [];
}

/** A list of mappings, or absent (route lists, route destinations, matches). */
export function objectList(v: unknown, field: string): Record<string, unknown>[] {
  const l = optionalList(v, field);
  if (l === undefined) return [];
  for (let i = 0; i < l.length; i++)
    if (!isObj(l[i])) throw new FieldError(`${field}[${i}]`, `must be a mapping, not ${shown(l[i])}`);
  return l as Record<string, unknown>[];
}
