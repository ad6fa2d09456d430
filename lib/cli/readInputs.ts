// The filesystem edge of `handshake analyze PATH...` (contract §2): files, folders (recursive
// *.yaml, *.yml, *.json) and `-` for standard input. What cannot be read is reported and skipped, so
// one bad path never hides the others. Output order is that of the paths given, and byte-wise path
// order inside a folder, whatever order the concurrent reads finish in.
import { readdir, readFile, stat } from "node:fs/promises";
import { sep } from "node:path";
import { emptyParsed, mergeParsed } from "../core/load/mergeParsed";
import { parseManifestText } from "../core/load/parseManifests";
import type { ParsedInputs } from "../core/model/input";

const STDIN_NAME = "<stdin>";
const CONCURRENCY = 16;
const MANIFEST_EXT = /\.(ya?ml|json)$/i;

type PathSource = { kind: "file"; path: string } | { kind: "unreadable"; path: string; reason: string };
type Source = { kind: "stdin" } | PathSource;

interface Loaded {
  inputs: ParsedInputs;
  read: boolean;
  unreadable?: string;
}

export async function readInputs(
  paths: string[],
  readStdin: () => Promise<string>,
): Promise<{ inputs: ParsedInputs; filesRead: number; unreadable: string[] }> {
  const sources: Source[] = [];
  for (const p of paths) for (const s of await expand(p)) sources.push(s);

  // Standard input can be consumed once; `-` given twice reads the same text.
  let stdin: Promise<string> | undefined;
  const loaded = await mapBounded(sources, CONCURRENCY, (s) => load(s, () => (stdin ??= readStdin())));

  const unreadable: string[] = [];
  let filesRead = 0;
  for (const l of loaded) {
    if (l.read) filesRead++;
    if (l.unreadable !== undefined) unreadable.push(l.unreadable);
  }
  return { inputs: mergeParsed(loaded.map((l) => l.inputs)), filesRead, unreadable };
}

async function expand(path: string): Promise<Source[]> {
  if (path === "-") return [{ kind: "stdin" }];
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    return [{ kind: "unreadable", path, reason: shortReason(e) }];
  }
  if (!isDir) return [{ kind: "file", path }];
  const found: PathSource[] = [];
  await walk(path, path.endsWith(sep) ? path : path + sep, found);
  // Sorted by the full path, as bytes, so the order does not depend on the filesystem or the locale.
  return found
    .map((s) => ({ s, k: Buffer.from(s.path) }))
    .sort((a, b) => Buffer.compare(a.k, b.k))
    .map((x) => x.s);
}

// Paths keep the prefix the user typed (not an absolute path) so locations in the output are the
// same on every machine. Symlinked folders are not followed (no cycles); symlinked files are.
async function walk(dir: string, prefix: string, found: PathSource[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    found.push({ kind: "unreadable", path: dir, reason: shortReason(e) });
    return;
  }
  for (const ent of entries) {
    const full = prefix + ent.name;
    if (ent.isDirectory()) {
      if (!ent.name.startsWith(".") && ent.name !== "node_modules") await walk(full, full + sep, found);
    } else if (MANIFEST_EXT.test(ent.name)) {
      if (ent.isFile() || (ent.isSymbolicLink() && (await isFile(full))))
        found.push({ kind: "file", path: full });
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false; // a dangling link is not an input the user meant
  }
}

async function load(s: Source, stdin: () => Promise<string>): Promise<Loaded> {
  if (s.kind === "unreadable") return unreadable(s.path, s.path, s.reason);
  const name = s.kind === "stdin" ? STDIN_NAME : s.path;
  let text: string;
  try {
    text = s.kind === "stdin" ? await stdin() : await readFile(s.path, "utf8");
  } catch (e) {
    return unreadable(s.kind === "stdin" ? "-" : s.path, name, shortReason(e));
  }
  return { inputs: parseManifestText(text, name), read: true };
}

function unreadable(path: string, file: string, reason: string): Loaded {
  const inputs = emptyParsed();
  inputs.problems.push({ file, message: `cannot read: ${reason}` });
  return { inputs, read: false, unreadable: path };
}

// Node says "ENOENT: no such file or directory, open 'x/y'"; the path is already in the problem.
export function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /^[A-Z][A-Z0-9_]*: ([^,]+)/.exec(msg);
  return (m?.[1] ?? msg).replace(/\s+/g, " ").trim();
}

/** Like Promise.all over `items.map(fn)`, with at most `limit` calls in flight. */
async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
