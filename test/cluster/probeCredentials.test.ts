// The start-up probe of the current context with an exec plugin (reviews/server2.md #4): the credentials
// have their own bound (20 s), the GET /version its 2 s. A cold `aws eks get-token` (1-3 s) used to
// send the default to the demo for the life of the process. Real plugins against the demo API server.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandshakeServer, type HandshakeServerOptions } from "../../lib/server/handshakeServer";
import { startTestDemo, type TestDemo } from "./support";

let t: TestDemo;
let dir: string;
let hung: Server;
let hungUrl: string;
const held: Socket[] = [];
let n = 0;
beforeAll(async () => {
  t = await startTestDemo({ tokens: { "tok-1": "alice" } });
  dir = await mkdtemp(join(tmpdir(), "handshake-probe-"));
  // Accepts connections and never answers (an API server behind a dead load balancer).
  hung = createServer((s) => held.push(s));
  await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
  hungUrl = `https://127.0.0.1:${(hung.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => hung?.close(r));
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A kubeconfig whose current context "prod" is the demo (or `server`) with a plugin running `script`. */
async function kubeconfig(script: string, server?: string): Promise<{ file: string; log: string }> {
  const sub = join(dir, String(++n));
  await mkdir(sub);
  const [file, cmd, cred, log] = ["config", "plugin.sh", "cred.json", "runs"].map((f) => join(sub, f));
  await writeFile(
    cred!,
    JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      status: { token: "tok-1" },
    }),
  );
  await writeFile(log!, "");
  await writeFile(cmd!, `#!/bin/sh\necho run >> ${log}\n${script.replace("$CRED", cred!)}\n`);
  await chmod(cmd!, 0o755);
  const demo = yaml.load(t.demo.kubeconfig) as { clusters: Array<{ cluster: Record<string, unknown> }> };
  const cluster = { ...demo.clusters[0]!.cluster, ...(server ? { server } : {}) };
  await writeFile(
    file!,
    yaml.dump({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "prod", cluster }],
      users: [
        { name: "me", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: cmd } } },
      ],
      contexts: [{ name: "prod", context: { cluster: "prod", user: "me" } }],
      "current-context": "prod",
    }),
  );
  return { file: file!, log: log! };
}

const runs = async (log: string) => (await readFile(log, "utf8")).split("\n").filter(Boolean).length;

function server(file: string, lines: string[], more: Partial<HandshakeServerOptions> = {}) {
  return createHandshakeServer({
    env: { KUBECONFIG: file },
    home: "/nonexistent",
    startDemo: () => Promise.reject(new Error("the embedded demo is not started by a probe")),
    every: () => () => undefined,
    warn: (l) => lines.push(l),
    ...more,
  });
}

describe("start-up probe with an exec plugin", () => {
  it("a plugin taking 3 s (past the 2 s probe): the current context is the default, the plugin run once", async () => {
    const k = await kubeconfig("sleep 3; cat $CRED");
    const lines: string[] = [];
    const s = server(k.file, lines);
    expect(await s.defaultClusterName()).toBe("prod");
    const clusters = await s.listClusters();
    expect(clusters.find((c) => c.isDefault)).toEqual({
      name: "prod",
      source: "kubeconfig",
      reachable: null,
      error: null,
      isDefault: true,
    });
    expect(lines).toEqual([]);
    // The probe's credential is the read's: no second run of a slow plugin.
    const view = await s.getSnapshotView("prod");
    expect(view.snapshot.source).toEqual({ type: "kubeconfig", context: "prod" });
    expect(await runs(k.log)).toBe(1);
    await s.stop();
  });

  it("a plugin that never finishes: the fallback comes at the bound, saying the credentials were not obtained", async () => {
    const k = await kubeconfig("sleep 8; cat $CRED");
    const lines: string[] = [];
    const s = server(k.file, lines, { probeCredentialsTimeoutMs: 1_500 });
    const started = Date.now();
    expect(await s.defaultClusterName()).toBe("demo");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(Date.now() - started).toBeLessThan(3_000);
    const reason =
      'credentials for context "prod" not obtained within 1.5 s (the exec plugin "plugin.sh" did not finish)';
    const clusters = await s.listClusters();
    expect(clusters.find((c) => c.name === "demo")!.fallbackFrom).toEqual({
      context: "prod",
      reason,
      cause: "credentials",
    });
    expect(clusters.find((c) => c.name === "prod")).toMatchObject({ reachable: false, error: reason });
    expect(lines).toEqual([
      `handshake: current context "prod" got no credentials (${reason}); showing the embedded demo cluster`,
    ]);
    await s.stop();
  });

  it("near miss: just past the bound falls back, and the default stays (decided once); the context reads once its plugin ends", async () => {
    const k = await kubeconfig("sleep 1.5; cat $CRED");
    const s = server(k.file, [], { probeCredentialsTimeoutMs: 1_000 });
    expect(await s.defaultClusterName()).toBe("demo");
    await new Promise((r) => setTimeout(r, 1_000));
    // The run that outlived the probe gave its credential: picking the context reads it, no second run.
    const view = await s.getSnapshotView("prod");
    expect(view.snapshot.source).toEqual({ type: "kubeconfig", context: "prod" });
    expect(await runs(k.log)).toBe(1);
    expect(await s.defaultClusterName()).toBe("demo");
    await s.stop();
  });

  it("near miss: a failing plugin falls back at once, cause credentials, nothing it printed", async () => {
    const k = await kubeconfig('echo "tok-SECRET" >&2; exit 1');
    const lines: string[] = [];
    const s = server(k.file, lines);
    const started = Date.now();
    expect(await s.defaultClusterName()).toBe("demo");
    expect(Date.now() - started).toBeLessThan(1_500);
    const from = (await s.listClusters()).find((c) => c.name === "demo")!.fallbackFrom!;
    expect(from.cause).toBe("credentials");
    expect(from.reason).toBe(
      'credentials for context "prod" could not be obtained: the exec plugin "plugin.sh" failed (its output is not shown: it may hold a token)',
    );
    expect(lines.join("\n")).not.toMatch(/SECRET/);
    await s.stop();
  });

  it("near miss: the network keeps its short probe; a server that never answers is 'did not answer', not the credential bound", async () => {
    const k = await kubeconfig("cat $CRED", hungUrl);
    const s = server(k.file, [], { probeTimeoutMs: 500 });
    const started = Date.now();
    expect(await s.defaultClusterName()).toBe("demo");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await s.listClusters()).find((c) => c.name === "demo")!.fallbackFrom).toEqual({
      context: "prod",
      reason: `no answer from ${hungUrl} within 0.5 s`,
      cause: "unreachable",
    });
    await s.stop();
  });
});

describe("start-up probe: refused credentials and auth providers (reviews/creds.md #6, #8)", () => {
  it("a plugin whose token is refused (401, after the fresh run and retry): cause credentials, not 'did not answer'", async () => {
    const k = await kubeconfig(
      `echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tok-revoked"}}'`,
    );
    const lines: string[] = [];
    const s = server(k.file, lines);
    expect(await s.defaultClusterName()).toBe("demo");
    expect((await s.listClusters()).find((c) => c.name === "demo")!.fallbackFrom).toEqual({
      context: "prod",
      reason: "HTTP 401: Unauthorized",
      cause: "credentials",
    });
    expect(lines).toEqual([
      'handshake: current context "prod" got no credentials (HTTP 401: Unauthorized); showing the embedded demo cluster',
    ]);
    await s.stop();
  });

  /** The kubeconfig of `kubeconfig()`, its user a gcp auth provider whose `cmd-path` runs `script`. */
  async function gcpKubeconfig(script: string): Promise<{ file: string; log: string }> {
    const k = await kubeconfig("exit 1");
    const cmd = join(k.file, "..", "gcloud.sh");
    await writeFile(cmd, `#!/bin/sh\necho run >> ${k.log}\n${script}\n`);
    await chmod(cmd, 0o755);
    const doc = yaml.load(await readFile(k.file, "utf8")) as { users: Array<{ user: unknown }> };
    doc.users[0]!.user = {
      "auth-provider": {
        name: "gcp",
        config: { "cmd-path": cmd, "token-key": "{.token}", "expiry-key": "{.expiry}" },
      },
    };
    await writeFile(k.file, yaml.dump(doc));
    return k;
  }

  it("a gcp auth provider whose command takes 2.5 s (past the 2 s probe): run on the credential bound, the context is the default", async () => {
    const k = await gcpKubeconfig(`sleep 2.5; echo '{"token":"tok-1"}'`);
    const lines: string[] = [];
    const s = server(k.file, lines);
    expect(await s.defaultClusterName()).toBe("prod");
    expect(lines).toEqual([]);
    expect(await runs(k.log)).toBe(1);
    await s.stop();
  });

  it("a refused auth-provider token is cause credentials too", async () => {
    const k = await gcpKubeconfig(`echo '{"token":"tok-wrong"}'`);
    const s = server(k.file, []);
    expect(await s.defaultClusterName()).toBe("demo");
    expect((await s.listClusters()).find((c) => c.name === "demo")!.fallbackFrom?.cause).toBe("credentials");
    await s.stop();
  });
});
