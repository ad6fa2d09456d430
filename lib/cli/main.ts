// The `handshake` command line. Exit status (contract.md §2): 0 = no finding at or above
// --fail-on, 1 = there is one, 2 = usage error or no readable input at all.
import { readFile } from "node:fs/promises";
import { analyze } from "../core/snapshot/analyze";
import { renderTable } from "../core/snapshot/table";
import { parseTraffic } from "../core/traffic/parseTraffic";
import type { ParsedTraffic } from "../core/model/input";
import type { MeshSnapshot } from "../core/snapshot/schema";
import { parseAnalyzeArgs, USAGE, type AnalyzeArgs } from "./args";
import { readInputs, shortReason } from "./readInputs";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  isTty: boolean;
  clock: () => Date;
}

const nodeIo = (): Io => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  isTty: !!process.stdout.isTTY,
  clock: () => new Date(),
});

export async function main(argv: string[], io: Io = nodeIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "analyze") {
    io.stderr(`${command ? `unknown command ${command}\n` : ""}${USAGE}\n`);
    return 2;
  }
  const args = parseAnalyzeArgs(rest);
  if ("error" in args) {
    io.stderr(`handshake: ${args.error}\n${USAGE}\n`);
    return 2;
  }
  const { inputs, filesRead } = await readInputs(args.paths, io.readStdin);
  if (filesRead === 0) {
    const first = inputs.problems[0];
    io.stderr(`handshake: no input could be read${first ? `: ${first.file}: ${first.message}` : ""}\n`);
    return 2;
  }
  let traffic: ParsedTraffic | undefined;
  if (args.traffic) {
    try {
      traffic = parseTraffic(await readFile(args.traffic, "utf8"), args.traffic);
    } catch (e) {
      traffic = {
        samples: [],
        problems: [{ file: args.traffic, message: `cannot read: ${shortReason(e)}` }],
      };
    }
  }
  const now = args.now ?? io.clock();
  const snapshot = analyze(inputs, { now, source: { type: "manifests", paths: args.paths }, traffic });
  const format = args.format ?? (io.isTty ? "table" : "json");
  io.stdout(format === "json" ? JSON.stringify(snapshot, null, 2) + "\n" : renderTable(snapshot));
  return exitStatus(snapshot, args.failOn, io.stderr);
}

/**
 * The exit status for an analysis (contract.md §2), with a line on stderr per part of the analysis
 * that failed inside it. Such a failure (a rule or an edge, in `completeness` with reason "error")
 * exits 1 whatever the findings: a CI run must not pass on an analysis that lost findings or edges,
 * as it did not when the failure was uncaught. `--fail-on never` still exits 0.
 */
export function exitStatus(
  snapshot: MeshSnapshot,
  failOn: AnalyzeArgs["failOn"],
  stderr: (s: string) => void,
): number {
  let internal = false;
  for (const c of snapshot.completeness)
    if (c.reason === "error" && (c.kind === "Rule" || c.kind === "Edge")) {
      internal = true;
      stderr(`handshake: incomplete analysis: ${c.message} (a bug in handshake: please report it)\n`);
    }
  if (failOn === "never") return 0;
  if (internal) return 1;
  const failing = snapshot.findings.some(
    (f) => f.severity === "error" || (failOn === "warning" && f.severity === "warning"),
  );
  return failing ? 1 : 0;
}
