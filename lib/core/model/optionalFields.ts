// Scalar and mapping fields of a Kubernetes object as a CRD schema types them, shared by the Istio and
// Linkerd readers: absent (undefined, or null, which the API server prunes) reads as undefined, a
// value of the wrong type is refused naming the field (FieldError); the required variants refuse an
// absent one too ("is required"). List fields: fieldLists.ts.
import { FieldError } from "./fieldError";
import { absent, isObj, shown, type Obj } from "./read";

export function optionalString(v: unknown, field: string): string | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== "string") throw new FieldError(field, `must be a string, not ${shown(v)}`);
  return v;
}

export function requiredString(v: unknown, field: string): string {
  if (absent(v)) throw new FieldError(field, "is required");
  return optionalString(v, field)!;
}

export function optionalBoolean(v: unknown, field: string): boolean | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== "boolean") throw new FieldError(field, `must be a boolean, not ${shown(v)}`);
  return v;
}

export function optionalMapping(v: unknown, field: string): Obj | undefined {
  if (isObj(v)) return v;
  if (!absent(v)) throw new FieldError(field, `must be a mapping, not ${shown(v)}`);
  return undefined;
}

export function requiredMapping(v: unknown, field: string): Obj {
  if (absent(v)) throw new FieldError(field, "is required");
  return optionalMapping(v, field)!;
}

/**
 * One of a CRD enum's `values`, or undefined when absent; anything else (another string, another
 * type) is an "unknown <what>". A reader that refuses a non-string as "must be a string" first passes
 * optionalString's result.
 */
export function enumValue<T extends string>(
  v: unknown,
  field: string,
  values: readonly T[],
  what: string,
): T | undefined {
  if (absent(v)) return undefined;
  if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as T;
  throw new FieldError(field, `unknown ${what} ${shown(v)} (expected ${values.join(", ")})`);
}
