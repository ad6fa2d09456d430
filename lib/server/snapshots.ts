// The server layer's interface for pages and route handlers: the process-wide HandshakeServer built from
// the environment. Kept on globalThis because Next.js may load this module once per route bundle; the
// clusters, the snapshot cache and the demo cluster must exist once per process.
import "server-only";
import { homedir } from "node:os";
import { join } from "node:path";
import { startDemoCluster } from "../demo";
import { createHandshakeServer, type HandshakeServer } from "./handshakeServer";
import type { ClusterInfo, PeekedSnapshotView, SnapshotView } from "./types";

const KEY = Symbol.for("handshake.server");
type Holder = { [KEY]?: HandshakeServer };

/** The process-wide server (created on first use; the demo cluster starts only if needed). */
export function handshakeServer(): HandshakeServer {
  const g = globalThis as Holder;
  let s = g[KEY];
  if (!s) {
    // The demo's kubeconfig and served state go to HANDSHAKE_DATA_DIR (default .handshake), which must be
    // writable (deploy/ mounts an emptyDir there).
    const data = process.env.HANDSHAKE_DATA_DIR || join(process.cwd(), ".handshake");
    const startDemo = () =>
      startDemoCluster({
        dir: join(process.cwd(), "demo"),
        kubeconfigPath: join(data, "demo-kubeconfig.yaml"),
        stateDir: join(data, "demo-state"),
      });
    const server = createHandshakeServer({ env: process.env, home: homedir(), startDemo });
    g[KEY] = s = server;
    // The demo listens in-process; close it when the process ends (SIGTERM/SIGINT exit through here too).
    process.once("exit", () => void server.stop());
  }
  return s;
}

export function listClusters(): Promise<ClusterInfo[]> {
  return handshakeServer().listClusters();
}

/** Why a kubeconfig file could not be used (its contexts are missing from listClusters()). */
export function kubeconfigErrors(): string[] {
  return handshakeServer().configErrors();
}

export function defaultClusterName(): Promise<string> {
  return handshakeServer().defaultClusterName();
}

export function getSnapshotView(cluster: string, opts: { refresh?: boolean } = {}): Promise<SnapshotView> {
  return handshakeServer().getSnapshotView(cluster, opts);
}

export function peekSnapshotView(
  cluster: string,
  opts: { waitMs?: number } = {},
): Promise<PeekedSnapshotView> {
  return handshakeServer().peekSnapshotView(cluster, opts);
}
