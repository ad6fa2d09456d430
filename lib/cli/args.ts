// `handshake analyze` argument parsing (contract.md §2). Usage errors are values, not exits.
export interface AnalyzeArgs {
  paths: string[];
  traffic: string | null;
  now: Date | null;
  format: "json" | "table" | null;
  failOn: "error" | "warning" | "never";
}

export const USAGE =
  "usage: handshake analyze [PATH ...] [--traffic FILE] [--now TIME] [--format json|table] [--fail-on error|warning|never]";

export function parseAnalyzeArgs(argv: string[]): AnalyzeArgs | { error: string } {
  const out: AnalyzeArgs = { paths: [], traffic: null, now: null, format: null, failOn: "error" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | null => (eq > 0 ? a.slice(eq + 1) : (argv[++i] ?? null));
    if (name === "--traffic") {
      const v = value();
      if (!v) return { error: "--traffic needs a file" };
      out.traffic = v;
    } else if (name === "--now") {
      const v = value();
      const d = v ? new Date(v) : null;
      if (!v || !d || Number.isNaN(d.getTime()))
        return { error: `--now needs an RFC 3339 time, got ${JSON.stringify(v)}` };
      out.now = d;
    } else if (name === "--format") {
      const v = value();
      if (v !== "json" && v !== "table")
        return { error: `--format must be json or table, got ${JSON.stringify(v)}` };
      out.format = v;
    } else if (name === "--fail-on") {
      const v = value();
      if (v !== "error" && v !== "warning" && v !== "never")
        return { error: `--fail-on must be error, warning or never, got ${JSON.stringify(v)}` };
      out.failOn = v;
    } else if (a === "-" || !a.startsWith("-")) out.paths.push(a);
    else return { error: `unknown option ${a}` };
  }
  if (out.paths.length === 0)
    return { error: "no input: give one or more files or folders, or - for standard input" };
  return out;
}
