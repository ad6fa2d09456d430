// Starting the embedded demo cluster for a test file (real HTTPS on loopback, client-cert kubeconfig) in
// a temporary folder, and a transport to it over client-node.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startDemoCluster, type DemoCluster, type DemoClusterOptions } from "../../lib/demo";
import type { MeshSnapshot } from "../../lib/core/snapshot/schema";
import { parseTraffic } from "../../lib/core/traffic/parseTraffic";
import { DEFAULT_WINDOW } from "../../lib/server/telemetry/settings";
import { kubeTransport, type KubeTransport } from "../../lib/server/kube/transport";
import { readSnapshot } from "../../lib/server/readSnapshot";
import type { ReadOptions } from "../../lib/server/kube/readCluster";

/** The clock shared by the demo's PKI, the reader and the CLI: now, to the second (the API server's TLS certificate must be valid). */
export const fixedNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);

export interface TestDemo {
  demo: DemoCluster;
  dir: string;
  now: Date;
  transport(): KubeTransport;
  read(opts?: ReadOptions): Promise<MeshSnapshot>;
  stop(): Promise<void>;
}

export async function startTestDemo(
  opts: Omit<DemoClusterOptions, "kubeconfigPath" | "stateDir" | "now" | "dir"> = {},
): Promise<TestDemo> {
  const dir = await mkdtemp(join(tmpdir(), "handshake-cluster-"));
  const now = fixedNow();
  const demo = await startDemoCluster({
    ...opts,
    dir: join(process.cwd(), "demo"),
    kubeconfigPath: join(dir, "kubeconfig.yaml"),
    stateDir: join(dir, "state"),
    now: () => now,
  });
  const transport = () => {
    const kc = new KubeConfig();
    kc.loadFromString(demo.kubeconfig);
    return kubeTransport(kc);
  };
  return {
    demo,
    dir,
    now,
    transport,
    async read(readOpts = {}) {
      // Traffic comes the one way it does for every cluster: Prometheus through the service proxy.
      return readSnapshot(transport(), { now, source: { type: "demo", context: "demo" }, read: readOpts });
    },
    async stop() {
      await demo.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `handshake analyze` as a user runs it (bin/handshake.mjs in a child process). */
export function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/handshake.mjs", "analyze", ...args],
      { maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

/**
 * demo/traffic.prom as a Prometheus `/api/v1/query` answer (one series per sample, `__name__` kept) with
 * the window the reader's queries state, for `handshake analyze --traffic`: the same samples as the text
 * file, which cannot say a window, so the CLI's snapshot can equal the reader's exactly.
 */
export async function windowedTraffic(t: TestDemo, window = DEFAULT_WINDOW): Promise<string> {
  const { samples, problems } = parseTraffic(await readFile(t.demo.trafficPath, "utf8"), t.demo.trafficPath);
  if (problems.length) throw new Error(`${t.demo.trafficPath}: ${problems.map((p) => p.message).join("; ")}`);
  const result = samples.map((s) => ({
    metric: { __name__: s.metric, ...s.labels },
    value: [t.now.getTime() / 1000, String(s.value)],
  }));
  const path = join(t.dir, `traffic-${window}.json`);
  await writeFile(
    path,
    JSON.stringify({ window, status: "success", data: { resultType: "vector", result } }),
  );
  return path;
}
