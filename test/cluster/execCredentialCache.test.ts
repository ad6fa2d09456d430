// An exec plugin's credential is kept as kubectl keeps it (reviews/server.md #7, server2.md #7): without
// an expirationTimestamp until the API server answers 401, then one fresh run and one retry; with one,
// until it expires (client-node's rule). Real plugins (shell scripts that count their runs) against the
// demo API server, which takes bearer tokens it can revoke.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readCluster } from "../../lib/server/kube/readCluster";
import { ADMIN_PORT, proxyTargets } from "../../lib/server/kube/readProxies";
import { KubeError, kubeTransport } from "../../lib/server/kube/transport";
import { startTestDemo, type TestDemo } from "./support";

let t: TestDemo;
let dir: string;
let n = 0;
beforeAll(async () => {
  t = await startTestDemo({ tokens: { "tok-1": "alice" } });
  dir = await mkdtemp(join(tmpdir(), "handshake-execcache-"));
});
afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => t.demo.setTokens({ "tok-1": "alice" }));

interface Plugin {
  kc: KubeConfig;
  runs(): Promise<number>;
  /** What the plugin prints from now on. */
  issue(status: Record<string, unknown>): Promise<void>;
  /** While false, the plugin fails (exit 1, printing a token to stderr). */
  works(ok: boolean): Promise<void>;
}

/** A counting plugin issuing `status`, in a kubeconfig for the demo whose user has nothing else. */
async function plugin(status: Record<string, unknown>): Promise<Plugin> {
  const id = ++n;
  const [log, cred, ok, cmd] = ["runs", "cred.json", "ok", "count.sh"].map((f) => join(dir, `${id}-${f}`));
  const issue = (s: Record<string, unknown>) =>
    writeFile(
      cred!,
      JSON.stringify({
        apiVersion: "client.authentication.k8s.io/v1beta1",
        kind: "ExecCredential",
        status: s,
      }),
    );
  const works = (yes: boolean) => (yes ? writeFile(ok!, "") : rm(ok!, { force: true }));
  await Promise.all([issue(status), works(true), writeFile(log!, "")]);
  await writeFile(
    cmd!,
    `#!/bin/sh\necho run >> ${log}\n[ -f ${ok} ] || { echo "tok-SECRET" >&2; exit 1; }\ncat ${cred}\n`,
  );
  await chmod(cmd!, 0o755);
  const demo = new KubeConfig();
  demo.loadFromString(t.demo.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: demo.clusters,
    users: [
      { name: "u", exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: cmd, args: [] } },
    ],
    contexts: [{ name: "ctx", cluster: demo.getCurrentCluster()!.name, user: "u" }],
    currentContext: "ctx",
  });
  return {
    kc,
    runs: async () => (await readFile(log!, "utf8")).split("\n").filter(Boolean).length,
    issue,
    works,
  };
}

const version = (p: { gitVersion?: unknown }) => typeof p.gitVersion === "string";

describe("exec credentials without an expiry are kept until a 401", () => {
  it("a whole read (lists and port-forwards) runs the plugin once", async () => {
    const p = await plugin({ token: "tok-1" });
    const before = { ...t.demo.requests };
    const read = await readCluster(kubeTransport(p.kc), {});
    expect(t.demo.requests.total - before.total).toBeGreaterThan(50);
    expect(t.demo.requests.portforward - before.portforward).toBeGreaterThan(0);
    expect(read.stats.forwarded).toBeGreaterThan(0);
    expect(read.unreachableProxies).toEqual([]);
    expect(read.completeness.filter((c) => /credentials|401|Unauthorized/i.test(c.message))).toEqual([]);
    expect(await p.runs()).toBe(1);
  });

  it("concurrent first requests share one run", async () => {
    const p = await plugin({ token: "tok-1" });
    const transport = kubeTransport(p.kc);
    const answers = await Promise.all(Array.from({ length: 10 }, () => transport.get("/version", 5_000)));
    expect(answers.every((a) => version(a as object))).toBe(true);
    expect(await p.runs()).toBe(1);
  });

  it("a revoked token: exactly one more run, and the requests (a list and a port-forward) succeed", async () => {
    const p = await plugin({ token: "tok-1" });
    const transport = kubeTransport(p.kc);
    await transport.get("/version", 5_000);
    t.demo.setTokens({ "tok-2": "alice" });
    await p.issue({ token: "tok-2" });
    // Five requests refused together: one run, each retried once with the new token.
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => transport.get("/api/v1/namespaces", 5_000)),
    );
    expect(answers.every((a) => Array.isArray((a as { items?: unknown }).items))).toBe(true);
    expect(await p.runs()).toBe(2);
    t.demo.setTokens({ "tok-3": "alice" });
    await p.issue({ token: "tok-3" });
    const pod = proxyTargets((await readCluster(t.transport())).inputs.objects)[0]!;
    const dump = await transport.podGet(pod.namespace, pod.pod, ADMIN_PORT, "/config_dump", 5_000);
    expect(dump.length).toBeGreaterThan(0);
    expect(await p.runs()).toBe(3);
  });

  it("near miss: a fresh credential refused too is reported as the 401, after one retry (no loop)", async () => {
    const p = await plugin({ token: "tok-revoked" });
    const before = t.demo.requests.total;
    const e = await kubeTransport(p.kc)
      .get("/version", 5_000)
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(e).toBeInstanceOf(KubeError);
    expect((e as KubeError).status).toBe(401);
    expect(await p.runs()).toBe(2);
    expect(t.demo.requests.total - before).toBe(2);
  });

  it("near miss: a 401 to a token written in the kubeconfig (no plugin) is not retried", async () => {
    const demo = new KubeConfig();
    demo.loadFromString(t.demo.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: demo.clusters,
      users: [{ name: "u", token: "tok-wrong" }],
      contexts: [{ name: "ctx", cluster: demo.getCurrentCluster()!.name, user: "u" }],
      currentContext: "ctx",
    });
    const before = t.demo.requests.total;
    await expect(kubeTransport(kc).get("/version", 5_000)).rejects.toMatchObject({ status: 401 });
    expect(t.demo.requests.total - before).toBe(1);
  });

  it("near miss: a failed run is not kept; the next request runs the plugin again", async () => {
    const p = await plugin({ token: "tok-1" });
    await p.works(false);
    const transport = kubeTransport(p.kc);
    const e = await transport.get("/version", 5_000).then(
      () => null,
      (x: unknown) => x as KubeError,
    );
    expect(e?.reason).toBe("credentials");
    expect(e?.message).not.toMatch(/SECRET/);
    await p.works(true);
    expect(version((await transport.get("/version", 5_000)) as object)).toBe(true);
    await transport.get("/version", 5_000);
    expect(await p.runs()).toBe(2);
  });
});

describe("near miss: exec credentials with an expiry keep client-node's rule", () => {
  it("kept until the expirationTimestamp, then run again", async () => {
    const p = await plugin({
      token: "tok-1",
      expirationTimestamp: new Date(Date.now() + 1_500).toISOString(),
    });
    const transport = kubeTransport(p.kc);
    for (let i = 0; i < 3; i++) await transport.get("/version", 5_000);
    expect(await p.runs()).toBe(1);
    await new Promise((r) => setTimeout(r, 1_600));
    await transport.get("/version", 5_000);
    expect(await p.runs()).toBe(2);
  });

  it("an expiry already past (or not a time) is never kept: one run per request", async () => {
    for (const expirationTimestamp of ["2020-01-01T00:00:00Z", "soon"]) {
      const p = await plugin({ token: "tok-1", expirationTimestamp });
      const transport = kubeTransport(p.kc);
      for (let i = 0; i < 3; i++) await transport.get("/version", 5_000);
      expect(await p.runs()).toBe(3);
    }
  });

  it("a client certificate from the plugin is used as client-node uses it", async () => {
    const demo = new KubeConfig();
    demo.loadFromString(t.demo.kubeconfig);
    const u = demo.getCurrentUser()!;
    const p = await plugin({
      clientCertificateData: Buffer.from(u.certData!, "base64").toString(),
      clientKeyData: Buffer.from(u.keyData!, "base64").toString(),
    });
    const transport = kubeTransport(p.kc);
    for (let i = 0; i < 3; i++)
      expect(version((await transport.get("/version", 5_000)) as object)).toBe(true);
    expect(await p.runs()).toBe(1);
  });
});
