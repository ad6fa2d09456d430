// One field of an Istio object that Istio's admission (the CRD schema or the validating webhook)
// would refuse: the readers throw it, and the object is reported as input.invalid naming the field and
// left out of the analysis (docs/DECISIONS.md, "Objects Istio's admission would reject").
import type { InputProblem, LoadedObject } from "./input";

export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The problem for `o`: file, line, the object, the field, and "Kind ns/name: field: message". */
export function problemFor(o: LoadedObject, e: FieldError): InputProblem {
  const { kind, metadata } = o.object;
  return {
    file: o.at.file,
    line: o.at.line,
    object: { kind, namespace: metadata.namespace ?? "default", name: metadata.name },
    field: e.field,
    message: `${kind} ${metadata.namespace ?? "default"}/${metadata.name}: ${e.field}: ${e.message}`,
  };
}
