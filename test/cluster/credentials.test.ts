// Credentials the reader cannot obtain (reviews/server.md #1, #6): an exec plugin that hangs is bounded by
// the request's deadline, and a plugin that fails or a certificate file that is missing is reported as a
// credential problem naming the context and the file, never with what the plugin printed (which may be
// a token).
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReadFailure } from "../../lib/server/kube/readLists";
import { KubeError, kubeTransport } from "../../lib/server/kube/transport";
import { startTestDemo, type TestDemo } from "./support";

let t: TestDemo;
let dir: string;
beforeAll(async () => {
  t = await startTestDemo();
  dir = await mkdtemp(join(tmpdir(), "handshake-creds-"));
});
afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The demo's kubeconfig with its user replaced. */
function withUser(user: Record<string, unknown>): KubeConfig {
  const demo = new KubeConfig();
  demo.loadFromString(t.demo.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: demo.clusters,
    users: [{ name: "u", ...user }],
    contexts: [{ name: "ctx", cluster: demo.getCurrentCluster()!.name, user: "u" }],
    currentContext: "ctx",
  });
  return kc;
}

async function plugin(name: string, script: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

const execUser = (command: string) => ({
  exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command, args: [] },
});

async function failure(p: Promise<unknown>): Promise<KubeError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(KubeError);
  return e as KubeError;
}

describe("credentials", () => {
  it("an exec plugin that never finishes fails the request at its deadline, naming the context and the plugin", async () => {
    const cmd = await plugin("kubelogin-wait", "sleep 30");
    const started = Date.now();
    const e = await failure(kubeTransport(withUser(execUser(cmd))).get("/version", 800));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(e.reason).toBe("credentials");
    expect(e.message).toBe(
      'credentials for context "ctx" not obtained within 0.8 s (the exec plugin "kubelogin-wait" did not finish)',
    );
    // It fails the whole read (the last good snapshot is served stale), as an unreachable server does.
    expect(isReadFailure(e)).toBe(true);
  });

  it("a failing plugin's output (a token on stdout, a refresh token on stderr) never reaches the message", async () => {
    const cmd = await plugin(
      "leaky",
      'echo "eyJhbGciOiJSUzI1NiJ9.SECRET-TOKEN"; echo "refresh_token=1//SECRET-REFRESH expired" >&2; exit 1',
    );
    const e = await failure(kubeTransport(withUser(execUser(cmd))).get("/version", 5_000));
    expect(e.reason).toBe("credentials");
    expect(e.message).toBe(
      'credentials for context "ctx" could not be obtained: the exec plugin "leaky" failed (its output is not shown: it may hold a token)',
    );
    expect(e.message).not.toMatch(/SECRET|eyJ/);
  });

  it("a plugin that prints a bare token instead of an ExecCredential: no part of the token is shown", async () => {
    const cmd = await plugin("raw-token", 'echo "eyJhbGciOiJSUzI1NiJ9.SECRET-TOKEN"');
    const e = await failure(kubeTransport(withUser(execUser(cmd))).get("/version", 5_000));
    expect(e.reason).toBe("credentials");
    expect(e.message).not.toMatch(/SECRET|eyJ/);
  });

  it("a plugin not on the PATH is named as such", async () => {
    const e = await failure(
      kubeTransport(withUser(execUser("handshake-no-such-plugin"))).get("/version", 5_000),
    );
    expect(e.message).toBe(
      'credentials for context "ctx" could not be obtained: the exec plugin "handshake-no-such-plugin" was not found on the PATH',
    );
  });

  it("a client certificate file that is missing is named, not reported as an unreachable server", async () => {
    const missing = join(dir, "no-such-client.crt");
    const e = await failure(
      kubeTransport(withUser({ certFile: missing, keyFile: join(dir, "no-such-client.key") })).get(
        "/version",
        5_000,
      ),
    );
    expect(e.reason).toBe("credentials");
    expect(e.message).toBe(
      `credentials for context "ctx" could not be obtained: cannot read ${missing} (ENOENT)`,
    );
  });

  it("a plugin run that outlived its request is not started again by the next requests (reviews/server2.md #3)", async () => {
    const log = join(dir, "runs.log");
    const cmd = await plugin("kubelogin-browser", `echo run >> ${log}; sleep 30`);
    const transport = kubeTransport(withUser(execUser(cmd)));
    const first = await failure(transport.get("/version", 300));
    expect(first.message).toContain("not obtained within 0.3 s");
    const started = Date.now();
    const next = await failure(transport.get("/apis", 5_000));
    const forward = await failure(transport.podGet("shop", "web-1", 15000, "/config_dump", 5_000));
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const e of [next, forward]) {
      expect(e.reason).toBe("credentials");
      expect(e.message).toBe(
        'credentials for context "ctx" not obtained: the exec plugin "kubelogin-browser" started by an earlier request is still running',
      );
    }
    expect((await readFile(log, "utf8")).trim().split("\n")).toEqual(["run"]);
  });

  it("a port-forward's failing plugin says nothing it printed either (reviews/server2.md #2)", async () => {
    const cmd = await plugin("leaky-forward", 'echo "refresh_token=1//SECRET-REFRESH expired" >&2; exit 1');
    const e = await failure(
      kubeTransport(withUser(execUser(cmd))).podGet("shop", "web-1", 15000, "/config_dump", 5_000),
    );
    expect(e.message).not.toMatch(/SECRET/);
  });

  it("a server URL written with user:password is named without them (reviews/server2.md #8)", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: "https://admin:hunter2@127.0.0.1:9", skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "ctx", cluster: "c", user: "u" }],
      currentContext: "ctx",
    });
    const e = await failure(kubeTransport(kc).get("/version", 2_000));
    expect(e.message).toContain("https://127.0.0.1:9");
    expect(e.message).not.toMatch(/hunter2|admin/);
  });

  it("near miss: a plugin that answers an ExecCredential is used, and the request succeeds", async () => {
    // The demo authenticates by client certificate: the plugin hands over the demo's own.
    const demo = new KubeConfig();
    demo.loadFromString(t.demo.kubeconfig);
    const u = demo.getCurrentUser()!;
    const cred = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      status: {
        clientCertificateData: Buffer.from(u.certData!, "base64").toString(),
        clientKeyData: Buffer.from(u.keyData!, "base64").toString(),
      },
    });
    const credFile = join(dir, "cred.json");
    await writeFile(credFile, cred);
    const cmd = await plugin("good", `cat ${credFile}`);
    const body = (await kubeTransport(withUser(execUser(cmd))).get("/version", 5_000)) as {
      gitVersion?: string;
    };
    expect(typeof body.gitVersion).toBe("string");
  });
});
