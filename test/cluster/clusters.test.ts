// Which clusters the server offers and which one is the default: kubeconfig contexts (KUBECONFIG or
// ~/.kube/config), the in-cluster service account, and the embedded demo (forced by HANDSHAKE_DEMO=1,
// or the fallback when the current context does not answer).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandshakeServer, envSettings } from "../../lib/server/handshakeServer";
import { configuredClusters, SERVICE_ACCOUNT_DIR } from "../../lib/server/kube/clusters";
import { UnknownClusterError } from "../../lib/server/types";
import { readCluster } from "../../lib/view/apiParams";
import { startTestDemo, type TestDemo } from "./support";

let dir: string;
let kubeconfig: string;
const kc = (current: string) => `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: { server: "https://127.0.0.1:1" }
- name: staging
  cluster: { server: "https://127.0.0.1:2" }
users:
- name: me
  user: { token: "not-a-real-token" }
contexts:
- name: prod-admin
  context: { cluster: prod, user: me }
- name: staging
  context: { cluster: staging, user: me }
current-context: ${current}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "handshake-clusters-"));
  kubeconfig = join(dir, "config");
  await writeFile(kubeconfig, kc("prod-admin"));
  await writeFile(
    join(dir, "other"),
    kc("staging").replace(/prod/g, "dev").replace("staging\n  context", "qa\n  context"),
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("configured clusters", () => {
  it("offers every kubeconfig context, by context name, with the current one", () => {
    const c = configuredClusters({ env: { KUBECONFIG: kubeconfig }, home: "/nonexistent" });
    expect(c.clusters.map((x) => [x.name, x.source])).toEqual([
      ["prod-admin", "kubeconfig"],
      ["staging", "kubeconfig"],
    ]);
    expect(c.currentContext).toBe("prod-admin");
    expect(c.refusedCurrentContext).toBeUndefined();
    expect(c.errors).toEqual([]);
    const staging = c.clusters[1]!.kubeConfig();
    expect(staging.getCurrentContext()).toBe("staging");
    expect(staging.getCurrentCluster()?.server).toBe("https://127.0.0.1:2");
  });

  it("merges a multi-file KUBECONFIG with duplicate names as kubectl does: first file wins, nothing lost", async () => {
    const second = join(dir, "second");
    // Same cluster, user and context names as the first file, other servers; plus a context of its own.
    await writeFile(
      second,
      kc("staging")
        .replace(/127\.0\.0\.1:/g, "10.9.9.9:")
        .replace("- name: staging\n  context", "- name: extra\n  context"),
    );
    const broken = join(dir, "broken");
    await writeFile(broken, "apiVersion: v1\nkind: Config\nclusters: [ {");
    const c = configuredClusters({
      env: { KUBECONFIG: [kubeconfig, second, broken].join(":") },
      home: "/nonexistent",
    });
    expect(c.clusters.map((x) => x.name).sort()).toEqual(["extra", "prod-admin", "staging"]);
    expect(c.currentContext).toBe("prod-admin");
    const prod = c.clusters.find((x) => x.name === "prod-admin")!.kubeConfig();
    expect(prod.getCurrentCluster()?.server).toBe("https://127.0.0.1:1");
    // "extra" names cluster "staging", which the first file defines: the first file's server.
    const extra = c.clusters.find((x) => x.name === "extra")!.kubeConfig();
    expect(extra.getCurrentCluster()?.server).toBe("https://127.0.0.1:2");
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toContain(`kubeconfig ${broken}:`);
  });

  it("lists contexts by their free-string names, leaves out (and reports) those no link can carry, and every listed one is accepted by the API", async () => {
    const names = [
      "prod (eu-west)",
      "équipe-prod",
      "arn:aws:eks:eu-west-1:1:cluster/x",
      "100%",
      "👩\u200d💻-dev",
      "..",
      "bad\u0007bell",
      " padded",
      "a\u202eb",
    ];
    const file = join(dir, "free-names");
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
        users: [{ name: "u", user: { token: "not-a-real-token" } }],
        contexts: names.map((name) => ({ name, context: { cluster: "c", user: "u" } })),
        "current-context": "..",
      }),
    );
    const c = configuredClusters({ env: { KUBECONFIG: file }, home: "/nonexistent" });
    expect(c.clusters.map((x) => x.name)).toEqual(names.slice(0, 5));
    // The unusable current context is no default either, and why is kept for the banner.
    expect(c.currentContext).toBeNull();
    expect(c.refusedCurrentContext).toEqual({
      context: "..",
      reason: "a dot segment (. or ..), which a link cannot carry",
    });
    expect(c.errors).toEqual([
      `kubeconfig context "..": not usable as a cluster name (a dot segment (. or ..), which a link cannot carry)`,
      `kubeconfig context "bad\\u0007bell": not usable as a cluster name (holds U+0007, a control character)`,
      `kubeconfig context " padded": not usable as a cluster name (starts or ends with white space or an invisible character)`,
      // The override is shown escaped: it would flip the rest of the line.
      `kubeconfig context "a\\u202Eb": not usable as a cluster name (holds U+202E, a bidirectional control, which can show another name than the one used)`,
    ]);
    for (const { name } of c.clusters)
      expect(readCluster(new URLSearchParams(new URLSearchParams({ cluster: name }).toString()))).toEqual({
        ok: true,
        value: name,
      });
  });

  it("falls back to ~/.kube/config, and adds in-cluster when a service-account token is mounted", () => {
    const home = join(dir, "home");
    const files = new Set([join(home, ".kube", "config"), join(SERVICE_ACCOUNT_DIR, "token")]);
    const c = configuredClusters({
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1" },
      home,
      exists: (p) => files.has(p),
    });
    // The kubeconfig file does not really exist at that path: reported, not thrown; in-cluster still offered.
    expect(c.clusters.map((x) => x.name)).toEqual(["in-cluster"]);
    expect(c.errors[0]).toContain(join(home, ".kube", "config"));
  });

  it("without KUBERNETES_SERVICE_HOST there is no in-cluster entry; without any file, no clusters", () => {
    expect(configuredClusters({ env: {}, home: "/nonexistent", exists: () => false })).toEqual({
      clusters: [],
      currentContext: null,
      errors: [],
    });
  });

  it("reads settings from the environment", () => {
    expect(
      envSettings({
        HANDSHAKE_DEMO: "1",
        HANDSHAKE_REFRESH_SECONDS: "5",
        HANDSHAKE_PROXY_TIMEOUT_SECONDS: "2",
        HANDSHAKE_PROXY_REFRESH_SECONDS: "600",
      }),
    ).toEqual({
      forceDemo: true,
      refreshMs: 5000,
      proxyRefreshMs: 600_000,
      read: { proxyTimeoutMs: 2000, proxyConcurrency: 16 },
      problems: [],
    });
  });

  it("a setting that is not a positive number is reported by name and its default used (0 would freeze or time out everything)", () => {
    const s = envSettings({
      HANDSHAKE_REFRESH_SECONDS: "0",
      HANDSHAKE_PROXY_TIMEOUT_SECONDS: "0",
      HANDSHAKE_PROXY_CONCURRENCY: "2.5",
      HANDSHAKE_PROXY_REFRESH_SECONDS: "soon",
    });
    expect(s).toMatchObject({
      refreshMs: 30_000,
      proxyRefreshMs: 300_000,
      read: { proxyTimeoutMs: 5_000, proxyConcurrency: 16 },
    });
    expect(s.problems).toEqual([
      'HANDSHAKE_REFRESH_SECONDS="0" is not a positive number; using the default 30',
      'HANDSHAKE_PROXY_REFRESH_SECONDS="soon" is not a positive number; using the default 300',
      'HANDSHAKE_PROXY_TIMEOUT_SECONDS="0" is not a positive number; using the default 5',
      'HANDSHAKE_PROXY_CONCURRENCY="2.5" is not a positive whole number; using the default 16',
    ]);
    expect(envSettings({ HANDSHAKE_REFRESH_SECONDS: "-3" }).problems[0]).toContain(
      "HANDSHAKE_REFRESH_SECONDS",
    );
  });

  it("the server logs each unusable setting once, naming the variable", async () => {
    const lines: string[] = [];
    const server = createHandshakeServer({
      env: { HANDSHAKE_REFRESH_SECONDS: "0" },
      home: "/nonexistent",
      exists: () => false,
      startDemo: () => Promise.reject(new Error("not needed")),
      warn: (l) => lines.push(l),
    });
    await server.stop();
    expect(lines).toEqual([
      'handshake: HANDSHAKE_REFRESH_SECONDS="0" is not a positive number; using the default 30',
    ]);
  });

  it("the server logs each kubeconfig file it could not use at start and keeps the reasons for /api/v1/clusters", async () => {
    const broken = join(dir, "broken-at-start");
    await writeFile(broken, "apiVersion: v1\nkind: Config\nclusters: [ {");
    const lines: string[] = [];
    const server = createHandshakeServer({
      env: { KUBECONFIG: [kubeconfig, broken].join(":"), HANDSHAKE_DEMO: "1" },
      home: "/nonexistent",
      startDemo: () => Promise.reject(new Error("not needed")),
      warn: (l) => lines.push(l),
    });
    expect(server.configErrors()).toHaveLength(1);
    expect(server.configErrors()[0]).toContain(`kubeconfig ${broken}:`);
    expect(lines).toEqual([`handshake: ${server.configErrors()[0]}`]);
    // The other file's contexts are still offered.
    expect((await server.listClusters()).map((c) => c.name)).toEqual(["demo", "prod-admin", "staging"]);
    await server.stop();
  });
});

describe("telemetry settings that name a context no cluster has", () => {
  const serverWith = (env: Record<string, string>, lines: string[]) =>
    createHandshakeServer({
      env: { KUBECONFIG: kubeconfig, HANDSHAKE_DEMO: "1", ...env },
      home: "/nonexistent",
      startDemo: () => Promise.reject(new Error("not needed")),
      warn: (l) => lines.push(l),
    });

  it("are logged at start and listed with the kubeconfig errors, one line per variable, names sorted", async () => {
    const lines: string[] = [];
    const server = serverWith(
      {
        // "prod-admn" and "stagin" are typos of the kubeconfig's prod-admin and staging.
        HANDSHAKE_PROMETHEUS_MATCHERS:
          'stagin={cluster="us-2"} prod-admin={cluster="eu-1"} prod-admn={cluster=~"("}',
        HANDSHAKE_PROMETHEUS_URLS: "staging=http://a:9090,qa=http://b:9090",
      },
      lines,
    );
    const clusters = '(clusters: "demo", "prod-admin", "staging")';
    expect(server.configErrors()).toEqual([
      `HANDSHAKE_PROMETHEUS_URLS names context "qa", which no cluster here has ${clusters}: its entry applies to nothing`,
      `HANDSHAKE_PROMETHEUS_MATCHERS names contexts "prod-admn", "stagin", which no cluster here has ${clusters}: their entries apply to nothing`,
    ]);
    expect(lines).toEqual(server.configErrors().map((e) => `handshake: ${e}`));
    await server.stop();
  });

  it("near miss: entries for the kubeconfig's contexts and for the demo are not reported", async () => {
    const lines: string[] = [];
    const server = serverWith(
      {
        HANDSHAKE_PROMETHEUS_MATCHERS: 'staging={cluster="us-2"} demo={cluster="demo"}',
        HANDSHAKE_PROMETHEUS_URLS: "prod-admin=http://a:9090",
      },
      lines,
    );
    expect(server.configErrors()).toEqual([]);
    expect(lines).toEqual([]);
    await server.stop();
  });
});

describe("default cluster and the embedded demo", () => {
  let demo: TestDemo;
  let starts = 0;
  beforeAll(async () => {
    demo = await startTestDemo({ forbidden: [] });
  }, 60_000);
  afterAll(async () => demo?.stop());
  const startDemo = async () => {
    starts++;
    // The servers under test stop what they started; this demo is shared by the tests below.
    return { ...demo.demo, stop: async () => undefined };
  };

  it("uses the demo when the current context does not answer, and says so", async () => {
    starts = 0;
    const lines: string[] = [];
    const server = createHandshakeServer({
      env: { KUBECONFIG: kubeconfig },
      home: "/nonexistent",
      startDemo,
      probeTimeoutMs: 1000,
      every: () => () => undefined,
      warn: (l) => lines.push(l),
    });
    expect(await server.defaultClusterName()).toBe("demo");
    const clusters = await server.listClusters();
    expect(clusters.map((c) => [c.name, c.source, c.isDefault, c.reachable])).toEqual([
      ["demo", "demo", true, null],
      ["prod-admin", "kubeconfig", false, false],
      ["staging", "kubeconfig", false, null],
    ]);
    // Why the current context is not the one shown: kept, logged once, listed and carried to the banner.
    const prod = clusters.find((c) => c.name === "prod-admin")!;
    expect(prod.error).toMatch(/ECONNREFUSED|127\.0\.0\.1:1/);
    expect(clusters.find((c) => c.name === "demo")!.fallbackFrom).toEqual({
      context: "prod-admin",
      reason: prod.error,
      cause: "unreachable",
    });
    expect(lines).toEqual([
      `handshake: current context "prod-admin" did not answer (${prod.error}); showing the embedded demo cluster`,
    ]);
    const views = await Promise.all([server.getSnapshotView("demo"), server.getSnapshotView("demo")]);
    expect(views[0]!.demo).toBe(true);
    expect(views[0]!.snapshot.source).toEqual({ type: "demo", context: "demo" });
    expect(views[0]!.snapshot.edges.length).toBeGreaterThan(0); // the demo's traffic file is read
    expect(starts).toBe(1);
    expect(server.readStats("demo").reads).toBe(1);
    await expect(server.getSnapshotView("nope")).rejects.toBeInstanceOf(UnknownClusterError);
    // A listed context that does not answer: no snapshot, reported unreachable.
    await expect(server.getSnapshotView("staging")).rejects.toThrow(/127\.0\.0\.1:2/);
    expect((await server.listClusters()).find((c) => c.name === "staging")).toMatchObject({
      reachable: false,
    });
    await server.stop();
  });

  // reviews/http2.md #5: the current context's name fails the rule: it is not listed, and the stand-in
  // says why (it used to fall back silently, the reason only in `errors`).
  it("uses the demo when the current context's name is not usable, and says why", async () => {
    const file = join(dir, "refused-current");
    await writeFile(
      file,
      kc("staging")
        .replace("- name: staging\n  context", '- name: "a\\u202eb"\n  context')
        .replace("current-context: staging", 'current-context: "a\\u202eb"'),
    );
    const lines: string[] = [];
    const server = createHandshakeServer({
      env: { KUBECONFIG: file },
      home: "/nonexistent",
      startDemo,
      every: () => () => undefined,
      warn: (l) => lines.push(l),
    });
    expect(await server.defaultClusterName()).toBe("demo");
    const clusters = await server.listClusters();
    expect(clusters.map((c) => c.name)).toEqual(["demo", "prod-admin"]);
    const reason = "holds U+202E, a bidirectional control, which can show another name than the one used";
    expect(clusters.find((c) => c.name === "demo")!.fallbackFrom).toEqual({
      context: "a\u202eb",
      reason,
      cause: "unusable-name",
    });
    expect(lines).toContain(
      `handshake: current context "a\\u202Eb" is not usable as a cluster name (${reason}); showing the embedded demo cluster`,
    );
    await server.stop();
  });

  it("near miss: a refused context that is not the current one leaves the current one the default", async () => {
    const file = join(dir, "refused-other");
    await writeFile(
      file,
      kc("staging").replace("- name: prod-admin\n  context", '- name: "a\\u202eb"\n  context'),
    );
    const server = createHandshakeServer({
      env: { KUBECONFIG: file },
      home: "/nonexistent",
      startDemo,
      probeTimeoutMs: 1000,
      every: () => () => undefined,
      warn: () => undefined,
    });
    // staging does not answer: the fallback names it as unreachable, not the refused name.
    expect(await server.defaultClusterName()).toBe("demo");
    expect((await server.listClusters()).find((c) => c.name === "demo")!.fallbackFrom).toMatchObject({
      context: "staging",
      cause: "unreachable",
    });
    await server.stop();
  });

  it("uses the current context when it answers, without starting the demo", async () => {
    starts = 0;
    const server = createHandshakeServer({
      env: { KUBECONFIG: demo.demo.kubeconfigPath },
      home: "/nonexistent",
      startDemo,
      every: () => () => undefined,
    });
    expect(await server.listClusters()).toEqual([
      { name: "demo", source: "kubeconfig", reachable: null, error: null, isDefault: true },
    ]);
    expect(starts).toBe(0);
    await server.stop();
  });

  it("HANDSHAKE_DEMO=1 forces the embedded demo without probing the kubeconfig", async () => {
    starts = 0;
    const server = createHandshakeServer({
      env: { KUBECONFIG: kubeconfig, HANDSHAKE_DEMO: "1" },
      home: "/nonexistent",
      startDemo,
      every: () => () => undefined,
    });
    expect(await server.defaultClusterName()).toBe("demo");
    expect((await server.listClusters()).filter((c) => c.isDefault)).toEqual([
      { name: "demo", source: "demo", reachable: null, error: null, isDefault: true },
    ]);
    await server.stop();
  });
});

describe("server errors across module copies", () => {
  it("instanceof holds between two loaded copies of lib/server/types (Next.js bundles per route)", async () => {
    const { vi } = await import("vitest");
    const a = await import("../../lib/server/types");
    vi.resetModules();
    const b = await import("../../lib/server/types");
    expect(a.UnknownClusterError).not.toBe(b.UnknownClusterError);
    expect(new a.UnknownClusterError("x")).toBeInstanceOf(b.UnknownClusterError);
    expect(new a.SnapshotUnavailableError("x", "m")).toBeInstanceOf(b.SnapshotUnavailableError);
    expect(new a.UnknownClusterError("x")).not.toBeInstanceOf(b.SnapshotUnavailableError);
    expect(new Error("x")).not.toBeInstanceOf(b.UnknownClusterError);
    expect(new a.UnknownClusterError("x")).toBeInstanceOf(Error);
  });
});
