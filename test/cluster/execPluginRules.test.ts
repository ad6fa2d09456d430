// How an exec plugin is run, checked against what kubectl (client-go) does (reviews/creds.md #1-#5, #7):
// one shared run that a short request cannot spoil for the others; never run when the kubeconfig user has
// a token, a username or a client certificate; no stdin; a relative command resolved against its
// kubeconfig; KUBERNETES_EXEC_INFO; failure wording. Real plugins (shell scripts) against the demo.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configuredClusters, withExecCommandFrom } from "../../lib/server/kube/clusters";
import { execInfo } from "../../lib/server/kube/execCredentials";
import { KubeError, kubeTransport, type KubeTransport } from "../../lib/server/kube/transport";
import { startTestDemo, type TestDemo } from "./support";

let t: TestDemo;
let dir: string;
let n = 0;
let demoCluster: Record<string, unknown>;
let demoUser: Record<string, unknown>;
beforeAll(async () => {
  t = await startTestDemo({ tokens: { "tok-1": "alice" } });
  dir = await mkdtemp(join(tmpdir(), "handshake-execrules-"));
  const demo = yaml.load(t.demo.kubeconfig) as {
    clusters: Array<{ cluster: Record<string, unknown> }>;
    users: Array<{ user: Record<string, unknown> }>;
  };
  demoCluster = demo.clusters[0]!.cluster;
  demoUser = demo.users[0]!.user;
});
afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => t.demo.setTokens({ "tok-1": "alice" }));

const CRED = JSON.stringify({
  apiVersion: "client.authentication.k8s.io/v1beta1",
  kind: "ExecCredential",
  status: { token: "tok-1" },
});

interface Setup {
  transport: KubeTransport;
  runs(): Promise<number>;
  /** What the last run found in KUBERNETES_EXEC_INFO. */
  info(): Promise<string>;
  sub: string;
}

/**
 * A kubeconfig file in its own folder, read as Handshake reads it (configuredClusters), whose user runs
 * `bin/plugin.sh` (its `body` after counting the run); `exec` and `user` add to the user, `cluster` to the
 * demo's cluster.
 */
async function setup(
  body: string,
  o: {
    exec?: Record<string, unknown>;
    user?: Record<string, unknown>;
    cluster?: Record<string, unknown>;
    mode?: number;
  } = {},
): Promise<Setup> {
  const sub = join(dir, String(++n));
  await mkdir(join(sub, "bin"), { recursive: true });
  const [log, info, cmd, file] = ["runs", "info", "bin/plugin.sh", "config"].map((f) => join(sub, f));
  await writeFile(log!, "");
  await writeFile(
    cmd!,
    `#!/bin/sh\necho run >> ${log}\nprintf '%s' "$KUBERNETES_EXEC_INFO" > ${info}\n${body.replaceAll("$CRED", `'${CRED}'`)}\n`,
  );
  await chmod(cmd!, o.mode ?? 0o755);
  await writeFile(
    file!,
    yaml.dump({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { ...demoCluster, ...o.cluster } }],
      users: [
        {
          name: "u",
          user: {
            exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: cmd, ...o.exec },
            ...o.user,
          },
        },
      ],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  const configured = configuredClusters({ env: { KUBECONFIG: file }, home: "/nonexistent" });
  return {
    transport: kubeTransport(configured.clusters[0]!.kubeConfig()),
    runs: async () => (await readFile(log!, "utf8")).split("\n").filter(Boolean).length,
    info: () => readFile(info!, "utf8"),
    sub,
  };
}

const settle = <T>(p: Promise<T>) =>
  p.then(
    (v) => ({ ok: true as const, v, at: Date.now() }),
    (e: unknown) => ({ ok: false as const, e: e as KubeError, at: Date.now() }),
  );
const failure = async (p: Promise<unknown>) => {
  const r = await settle(p);
  return r.ok ? null : r.e.message;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("one shared run: a request's own deadline fails that request alone (#1)", () => {
  it("a short request that joins a healthy run fails alone; a later request waits on the run and succeeds", async () => {
    const s = await setup("sleep 1.5; echo $CRED");
    const t0 = Date.now();
    const a = settle(s.transport.get("/version", 10_000));
    const b = settle(s.transport.get("/version", 500));
    await sleep(700);
    const c = settle(s.transport.get("/version", 10_000));
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect(ra.ok).toBe(true);
    expect(rb.ok ? null : rb.e.message).toBe(
      'credentials for context "x" not obtained within 0.5 s (the exec plugin "plugin.sh" did not finish)',
    );
    expect(rc.ok).toBe(true);
    expect(rc.at - t0).toBeGreaterThanOrEqual(1_400);
    expect(await s.runs()).toBe(1);
  });

  it("a short request that starts the run: later requests wait on it while it is within that bound", async () => {
    const s = await setup("sleep 1; echo $CRED");
    const b = settle(s.transport.get("/version", 1_500));
    await sleep(200);
    const c = settle(s.transport.get("/version", 10_000));
    expect((await b).ok).toBe(true);
    expect((await c).ok).toBe(true);
    expect(await s.runs()).toBe(1);
  });

  it("near miss: a request waiting on a run fails when the run passes its starter's bound, before its own deadline", async () => {
    const s = await setup("sleep 2; echo $CRED");
    const t0 = Date.now();
    const a = settle(s.transport.get("/version", 800));
    await sleep(200);
    const c = await settle(s.transport.get("/version", 10_000));
    expect(c.at - t0).toBeLessThan(1_300);
    expect(c.ok ? null : c.e.message).toBe(
      'credentials for context "x" not obtained: the exec plugin "plugin.sh" started by an earlier request is still running',
    );
    expect((await a).ok).toBe(false);
  });

  it("near miss: a run past the bound of the request that started it fails later requests at once", async () => {
    const s = await setup("sleep 2; echo $CRED");
    const a = await settle(s.transport.get("/version", 500));
    expect(a.ok).toBe(false);
    await sleep(300);
    const t0 = Date.now();
    const c = await settle(s.transport.get("/version", 10_000));
    expect(c.at - t0).toBeLessThan(300);
    expect(c.ok ? null : c.e.message).toBe(
      'credentials for context "x" not obtained: the exec plugin "plugin.sh" started by an earlier request is still running',
    );
    await sleep(1_700);
    // The run ended and gave its credential: the next request uses it.
    expect((await settle(s.transport.get("/version", 5_000))).ok).toBe(true);
    expect(await s.runs()).toBe(1);
  });
});

describe("static credentials in the kubeconfig win over the plugin, as in client-go (#2)", () => {
  const fail = 'echo "tok-SECRET" >&2; exit 1';

  it("a token and a failing plugin: the token is used, the plugin never runs", async () => {
    const s = await setup(fail, { user: { token: "tok-1" } });
    expect(await s.transport.get("/version", 5_000)).toHaveProperty("gitVersion");
    await s.transport.credentials(5_000);
    expect(await s.runs()).toBe(0);
  });

  it("a token file and a failing plugin: the file's token is used, the plugin never runs", async () => {
    const tokenFile = join(dir, `token-${++n}`);
    await writeFile(tokenFile, "tok-1");
    const s = await setup(fail, { user: { "token-file": tokenFile } });
    expect(await s.transport.get("/version", 5_000)).toHaveProperty("gitVersion");
    expect(await s.runs()).toBe(0);
  });

  it("a client certificate and key and a failing plugin: the certificate is used, the plugin never runs", async () => {
    const s = await setup(fail, {
      user: {
        "client-certificate-data": demoUser["client-certificate-data"],
        "client-key-data": demoUser["client-key-data"],
      },
    });
    expect(await s.transport.get("/version", 5_000)).toHaveProperty("gitVersion");
    expect(await s.runs()).toBe(0);
  });

  it("a wrong token and a working plugin: the 401 is reported, never retried with a plugin run", async () => {
    const s = await setup("echo $CRED", { user: { token: "tok-wrong" } });
    const before = t.demo.requests.total;
    for (let i = 0; i < 3; i++)
      await expect(s.transport.get("/version", 5_000)).rejects.toMatchObject({ status: 401 });
    expect(t.demo.requests.total - before).toBe(3);
    expect(await s.runs()).toBe(0);
  });

  it("near miss: a client certificate without its key is not a certificate credential; the plugin runs", async () => {
    const s = await setup("echo $CRED", {
      user: { "client-certificate-data": demoUser["client-certificate-data"] },
    });
    await s.transport.credentials(5_000);
    expect(await s.runs()).toBe(1);
  });
});

describe("a plugin never gets a terminal (#3)", () => {
  const prompt = "printf 'MFA code: ' >&2; if read -r code; then echo $CRED; else exit 1; fi";

  it("a plugin that prompts on stdin reads end-of-file and fails at once; the next request runs it again", async () => {
    const s = await setup(prompt);
    const t0 = Date.now();
    const e = await settle(s.transport.get("/version", 3_000));
    expect(e.at - t0).toBeLessThan(1_500);
    expect(e.ok ? null : e.e.message).toBe(
      'credentials for context "x" could not be obtained: the exec plugin "plugin.sh" failed (its output is not shown: it may hold a token)',
    );
    await settle(s.transport.get("/version", 3_000));
    expect(await s.runs()).toBe(2);
  });

  it("interactiveMode Always: refused without a run, saying it needs a terminal", async () => {
    const s = await setup("echo $CRED", { exec: { interactiveMode: "Always" } });
    const e = await settle(s.transport.get("/version", 3_000));
    expect(e.ok ? null : e.e.message).toBe(
      'credentials for context "x" could not be obtained: the exec plugin "plugin.sh" needs a terminal (interactiveMode: Always), and Handshake runs it without one',
    );
    expect(await s.runs()).toBe(0);
  });

  it("near miss: interactiveMode Never and IfAvailable run without a terminal and work", async () => {
    for (const interactiveMode of ["Never", "IfAvailable"]) {
      const s = await setup("echo $CRED", { exec: { interactiveMode } });
      expect(await s.transport.get("/version", 5_000)).toHaveProperty("gitVersion");
      expect(await s.runs()).toBe(1);
    }
  });
});

describe("a relative command is resolved against its kubeconfig's folder, as clientcmd does (#4)", () => {
  it("./bin/plugin.sh next to the kubeconfig runs whatever the process's folder", async () => {
    const s = await setup("echo $CRED", { exec: { command: "./bin/plugin.sh" } });
    expect(await s.transport.get("/version", 5_000)).toHaveProperty("gitVersion");
    expect(await s.runs()).toBe(1);
  });

  it("a missing relative path is 'not found', not 'on the PATH'; a bare name is 'on the PATH'", async () => {
    const missing = await setup("echo $CRED", { exec: { command: "bin/nope.sh" } });
    expect(await failure(missing.transport.get("/version", 5_000))).toBe(
      'credentials for context "x" could not be obtained: the exec plugin "nope.sh" was not found',
    );
    const bare = await setup("echo $CRED", { exec: { command: "handshake-no-such-plugin" } });
    expect(await failure(bare.transport.get("/version", 5_000))).toBe(
      'credentials for context "x" could not be obtained: the exec plugin "handshake-no-such-plugin" was not found on the PATH',
    );
  });

  it("near miss: a bare name is looked up on the PATH, not in the kubeconfig's folder", async () => {
    const s = await setup("echo $CRED", { exec: { command: "plugin.sh" } });
    // plugin.sh is in bin/, not next to the kubeconfig: found only through PATH.
    const e = await settle(s.transport.get("/version", 5_000));
    expect(e.ok ? null : e.e.message).toMatch(/"plugin\.sh" was not found on the PATH$/);
    const onPath = await setup("echo $CRED", {
      exec: {
        command: "plugin.sh",
        env: [{ name: "PATH", value: `${join(dir, String(n + 1), "bin")}:/usr/bin:/bin` }],
      },
    });
    expect(await onPath.transport.get("/version", 5_000)).toHaveProperty("gitVersion");
  });

  it.each([
    ["./bin/p.sh", "/k/dir/bin/p.sh"],
    ["bin/p.sh", "/k/dir/bin/p.sh"],
    ["../p.sh", "/k/p.sh"],
    ["/opt/p.sh", "/opt/p.sh"],
    ["aws", "aws"],
  ])("withExecCommandFrom(%s) = %s", (command, expected) => {
    const u = withExecCommandFrom("/k/dir/config", { name: "u", exec: { command, args: ["a/b"] } });
    expect(u.exec).toEqual({ command: expected, args: ["a/b"] });
  });
});

describe("KUBERNETES_EXEC_INFO, as client-go sets it (#5)", () => {
  it("without provideClusterInfo: the spec, not interactive", async () => {
    const s = await setup("echo $CRED");
    await s.transport.credentials(5_000);
    expect(await s.info()).toBe(
      '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}',
    );
  });

  it("with provideClusterInfo: the cluster, with the client.authentication.k8s.io/exec extension as config", async () => {
    const config = { audience: "handshake", region: "eu-west-1" };
    const s = await setup("echo $CRED", {
      exec: { provideClusterInfo: true, apiVersion: "client.authentication.k8s.io/v1" },
      cluster: {
        extensions: [
          { name: "other", extension: { no: 1 } },
          { name: "client.authentication.k8s.io/exec", extension: config },
        ],
      },
    });
    await s.transport.credentials(5_000);
    expect(JSON.parse(await s.info())).toEqual({
      kind: "ExecCredential",
      apiVersion: "client.authentication.k8s.io/v1",
      spec: {
        interactive: false,
        cluster: {
          server: demoCluster.server,
          "certificate-authority-data": demoCluster["certificate-authority-data"],
          config,
        },
      },
    });
  });

  it("the other cluster fields, and a CA file read as data", async () => {
    const caFile = join(dir, "ca.pem");
    await writeFile(caFile, "PEM");
    const exec = { command: "p", provideClusterInfo: true };
    const cluster = {
      name: "c",
      server: "https://k:6443",
      caFile,
      tlsServerName: "kube",
      skipTLSVerify: true,
      proxyUrl: "http://proxy:3128",
    };
    expect(JSON.parse(execInfo(exec, cluster)).spec.cluster).toEqual({
      server: "https://k:6443",
      "tls-server-name": "kube",
      "insecure-skip-tls-verify": true,
      "certificate-authority-data": Buffer.from("PEM").toString("base64"),
      "proxy-url": "http://proxy:3128",
    });
    // Near miss: provideClusterInfo false (or absent) gives no cluster.
    expect(JSON.parse(execInfo({ command: "p", provideClusterInfo: false }, cluster)).spec).toEqual({
      interactive: false,
    });
  });
});

describe("failure wording (#7)", () => {
  it("a plugin that is not executable: said so, by its file name only", async () => {
    const s = await setup("echo $CRED", { mode: 0o644 });
    const e = await settle(s.transport.get("/version", 5_000));
    expect(e.ok ? null : e.e.message).toBe(
      'credentials for context "x" could not be obtained: the exec plugin "plugin.sh" is not executable (EACCES)',
    );
    expect(e.ok ? "" : e.e.message).not.toContain(s.sub);
  });
});
