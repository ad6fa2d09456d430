import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { readInputs } from "./readInputs";

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;
const noStdin = () => Promise.reject(new Error("stdin must not be read"));

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "handshake-read-"));
  const put = (rel: string, text: string) => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  put("b.yaml", ns("b"));
  put("a-c.yaml", ns("ac")); // '-' sorts before '/', so before everything under a/
  put("Upper.yml", ns("upper")); // byte order: 'U' before 'a', whatever the locale says
  put("a/z.yml", ns("z"));
  put(
    "a/nested/deep.json",
    JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "deep" } }),
  );
  put("a/broken.yaml", "kind: Namespace\nmetadata: {name: [x\n");
  put("notes.txt", ns("ignored-txt"));
  put(".git/config.yaml", ns("ignored-dot"));
  put("node_modules/pkg/x.yaml", ns("ignored-nm"));
  put("outside/linked.yaml", ns("linked"));
  symlinkSync(join(root, "outside/linked.yaml"), join(root, "a/link.yaml"));
  symlinkSync(join(root, "outside"), join(root, "a/dirlink")); // folders behind links are not followed
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const objectNames = (r: Awaited<ReturnType<typeof readInputs>>) =>
  r.inputs.objects.map((o) => `${o.object.metadata.name}@${o.at.file}`);

describe("readInputs", () => {
  it("walks a folder recursively in byte-wise path order, keeping the prefix the user typed", async () => {
    const tree = join(root, "a");
    const r = await readInputs([tree], noStdin);
    expect(objectNames(r)).toEqual([
      `linked@${tree}/link.yaml`,
      `deep@${tree}/nested/deep.json`,
      `z@${tree}/z.yml`,
    ]);
    expect(r.inputs.problems).toEqual([
      {
        file: `${tree}/broken.yaml`,
        line: 2,
        message: "unexpected end of the stream within a flow collection",
      },
    ]);
    expect(r.filesRead).toBe(4); // the broken file was read, its content is what failed
    expect(r.unreadable).toEqual([]);
  });

  it("skips other extensions, dot-folders and node_modules; a trailing slash does not double", async () => {
    const r = await readInputs([root + "/"], noStdin);
    expect(r.inputs.objects.map((o) => o.object.metadata.name)).toEqual([
      "upper",
      "ac",
      "linked",
      "deep",
      "z",
      "b",
      "linked",
    ]);
    expect(r.inputs.objects[0]?.at.file).toBe(`${root}/Upper.yml`);
    expect(r.inputs.objects[6]?.at.file).toBe(`${root}/outside/linked.yaml`);
    expect(r.filesRead).toBe(8);
  });

  it("keeps a relative path relative", async () => {
    const rel = relative(process.cwd(), join(root, "a", "nested"));
    expect(rel.startsWith("/")).toBe(false);
    const r = await readInputs([rel], noStdin);
    expect(objectNames(r)).toEqual([`deep@${rel}/deep.json`]);
  });

  it("reads a file given by name whatever its extension", async () => {
    const file = join(root, "notes.txt");
    const r = await readInputs([file], noStdin);
    expect(objectNames(r)).toEqual([`ignored-txt@${file}`]);
    expect(r.filesRead).toBe(1);
  });

  it("reports a path that does not exist and goes on with the others, in the order given", async () => {
    const missing = join(root, "nope.yaml");
    const r = await readInputs([missing, join(root, "b.yaml")], noStdin);
    expect(r.unreadable).toEqual([missing]);
    expect(r.inputs.problems).toEqual([{ file: missing, message: "cannot read: no such file or directory" }]);
    expect(objectNames(r)).toEqual([`b@${root}/b.yaml`]);
    expect(r.filesRead).toBe(1);
  });

  it("reads standard input for `-` through the injected reader, once", async () => {
    let calls = 0;
    const stdin = async () => {
      calls++;
      return ns("from-stdin") + "---\nkind: Namespace\n";
    };
    const r = await readInputs(["-", join(root, "b.yaml")], stdin);
    expect(calls).toBe(1);
    expect(objectNames(r)).toEqual(["from-stdin@<stdin>", `b@${root}/b.yaml`]);
    expect(r.inputs.problems).toEqual([
      {
        file: "<stdin>",
        line: 5,
        field: "metadata.name",
        message: "object has no metadata.name (kind Namespace)",
      },
    ]);
    expect(r.filesRead).toBe(2);
  });

  it("reports a failing standard input as unreadable", async () => {
    const r = await readInputs(["-"], () => Promise.reject(new Error("EIO: i/o error, read")));
    expect(r).toEqual({
      inputs: {
        objects: [],
        configDumps: [],
        problems: [{ file: "<stdin>", message: "cannot read: i/o error" }],
      },
      filesRead: 0,
      unreadable: ["-"],
    });
  });
});
