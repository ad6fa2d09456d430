// Starting the embedded demo cluster for a test file (real HTTPS on loopback, client-cert kubeconfig) in
// a temporary folder, and a transport to it over client-node.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startDemoCluster, type DemoCluster, type DemoClusterOptions } from "../../lib/demo";
import type { MeshSnapshot } from "../../lib/core/snapshot/schema";
import { parseTraffic } from "../../lib/core/traffic/parseTraffic";
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

export async function startTestDemo(opts: Omit<DemoClusterOptions, "kubeconfigPath" | "stateDir" | "now" | "dir"> = {}): Promise<TestDemo> {
  const dir = await mkdtemp(join(tmpdir(), "handshake-cluster-"));
  const now = fixedNow();
  const demo = await startDemoCluster({ ...opts, dir: join(process.cwd(), "demo"), kubeconfigPath: join(dir, "kubeconfig.yaml"), stateDir: join(dir, "state"), now: () => now });
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
      const traffic = parseTraffic(await readFile(demo.trafficPath, "utf8"), demo.trafficPath);
      return readSnapshot(transport(), { now, source: { type: "demo", context: "demo" }, traffic, read: readOpts });
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
    execFile(process.execPath, ["bin/handshake.mjs", "analyze", ...args], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
    });
  });
}
