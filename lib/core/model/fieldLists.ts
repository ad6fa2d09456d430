// List-typed fields of a Kubernetes object as a CRD schema types them: absent is an empty list, an
// item of the wrong type is refused naming its index (FieldError).
import { FieldError } from "./fieldError";
import { isObj, shown } from "./read";

/** A list of strings, or absent; anything else is refused as Istio's CRD schema refuses it. */
export function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(field, `must be a list of strings, not ${shown(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== "string") throw new FieldError(`${field}[${i}]`, `must be a string, not ${shown(x)}`);
  });
  return v as string[];
}

/** A list of mappings, or absent (route lists, route destinations, matches). */
export function objectList(v: unknown, field: string): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(field, `must be a list, not ${shown(v)}`);
  v.forEach((x, i) => {
    if (!isObj(x)) throw new FieldError(`${field}[${i}]`, `must be a mapping, not ${shown(x)}`);
  });
  return v as Record<string, unknown>[];
}
