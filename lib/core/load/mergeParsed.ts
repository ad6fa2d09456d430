// Several inputs (files, folders, stdin) become one ParsedInputs, in the order they were given, so
// output stays deterministic.
import type { ParsedInputs } from "../model/input";

export function emptyParsed(): ParsedInputs {
  return { objects: [], configDumps: [], problems: [] };
}

export function mergeParsed(parts: ParsedInputs[]): ParsedInputs {
  const out = emptyParsed();
  // Element-wise push: spreading a 10,000-object array into push() can overflow the call stack.
  for (const p of parts) {
    for (const o of p.objects) out.objects.push(o);
    for (const d of p.configDumps) out.configDumps.push(d);
    for (const pr of p.problems) out.problems.push(pr);
  }
  return out;
}
