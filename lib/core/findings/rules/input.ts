// input.invalid: every file, object or field that could not be read, named precisely.
import { rule } from "../context";
import { finding } from "../finding";

export const inputInvalid = rule("input.invalid", (ctx) =>
  ctx.model.problems.map((p) => {
    const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
    return finding("input.invalid", {
      message: `${where}: ${p.message}`,
      resources: [p.object ?? { kind: "File", name: p.file }],
      fix: p.kept
        ? `Correct ${p.field ?? "the object"} in ${where}; the cluster holds it all the same, so it was analysed as it stands.`
        : p.object
          ? `Correct ${p.field ?? "the object"} in ${where}; the rest of the input was analysed without it.`
          : `Correct ${where}; the rest of the input was analysed without it.`,
    });
  }),
);
