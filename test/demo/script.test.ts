// `npm run demo-cluster` (node bin/demo-cluster.mjs): prints the URL and kubeconfig path, serves
// until SIGINT / SIGTERM, then stops cleanly.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function waitFor(out: { text: string }, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const tick = () => {
      const m = re.exec(out.text);
      if (m) return res(m);
      if (Date.now() - t0 > ms) return rej(new Error(`no ${re} in output within ${ms} ms:\n${out.text}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

interface DemoKubeconfig {
  "current-context": string;
  clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
  users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
}

/** Starts bin/demo-cluster.mjs in a fresh folder with `args`, collecting its output. */
async function startScript(args: string[]) {
  const cwd = await mkdtemp(join(tmpdir(), "handshake-demo-script-"));
  const child = spawn(process.execPath, [join(ROOT, "bin/demo-cluster.mjs"), ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { text: "" };
  child.stdout.on("data", (d: Buffer) => (out.text += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out.text += d.toString()));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const cleanUp = async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(cwd, { recursive: true, force: true });
  };
  return { cwd, child, out, exited, cleanUp };
}

/** The HTTP status of a GET as the kubeconfig's user (client certificate over TLS). */
function statusOf(kc: DemoKubeconfig, path: string): Promise<number> {
  const d = (s: string) => Buffer.from(s, "base64");
  return new Promise<number>((res, rej) =>
    request(
      new URL(path, kc.clusters[0]!.cluster.server),
      {
        ca: d(kc.clusters[0]!.cluster["certificate-authority-data"]),
        cert: d(kc.users[0]!.user["client-certificate-data"]),
        key: d(kc.users[0]!.user["client-key-data"]),
      },
      (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      },
    )
      .on("error", rej)
      .end(),
  );
}

describe("npm run demo-cluster", () => {
  it("is the script bin/demo-cluster.mjs", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["demo-cluster"]).toBe("node bin/demo-cluster.mjs");
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const)
    it(`prints the URL and kubeconfig path, answers, and stops on ${signal}`, async () => {
      const { cwd, child, out, exited, cleanUp } = await startScript([]);
      try {
        const url = (await waitFor(out, /listening on (https:\/\/127\.0\.0\.1:\d+)/, 30_000))[1]!;
        const kcPath = (await waitFor(out, /kubeconfig: (.+)\n/, 1000))[1]!;
        expect(kcPath).toBe(join(cwd, ".handshake", "demo-kubeconfig.yaml"));
        const kc = yaml.load(await readFile(kcPath, "utf8")) as DemoKubeconfig;
        expect(kc["current-context"]).toBe("demo");
        expect(kc.clusters[0]).toMatchObject({ name: "demo", cluster: { server: url } });
        expect(await statusOf(kc, "/api/v1/namespaces/shop/pods")).toBe(200);
        expect(child.exitCode).toBeNull();
        child.kill(signal);
        expect(await exited).toBe(0);
        expect(out.text).toContain(`stopped (${signal})`);
      } finally {
        await cleanUp();
      }
    }, 60_000);

  it("--fault list-status=503 starts the demo with lists failing while discovery answers", async () => {
    const { cwd, child, out, exited, cleanUp } = await startScript([
      "--fault",
      "list-status=503",
      "--fault",
      "hang-proxy=shop/x",
    ]);
    try {
      await waitFor(out, /listening on (https:\/\/127\.0\.0\.1:\d+)/, 30_000);
      await waitFor(out, /simulated faults: .*"listStatus":503.*"shop\/x"/, 1000);
      const kc = yaml.load(
        await readFile(join(cwd, ".handshake", "demo-kubeconfig.yaml"), "utf8"),
      ) as DemoKubeconfig;
      expect(await statusOf(kc, "/apis")).toBe(200);
      expect(await statusOf(kc, "/api/v1/namespaces/shop/pods")).toBe(503);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      await cleanUp();
    }
  }, 60_000);

  it("an unknown --fault is a usage error (exit 2) naming it and the choices", async () => {
    const child = spawn(process.execPath, [join(ROOT, "bin/demo-cluster.mjs"), "--fault", "meltdown"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((res) => child.on("exit", (c) => res(c)));
    expect(code).toBe(2);
    expect(err).toContain('--fault "meltdown" is not one of: down, list-status=');
  }, 30_000);
});
