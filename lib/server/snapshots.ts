// TEMPORARY implementation (to be replaced by the snapshot service of issue #4): one cluster named
// "demo" analysed from the demo manifests on disk. The exported signatures are the stable interface
// that pages and route handlers use.
import "server-only";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { analyze } from "../core/snapshot/analyze";
import { parseTraffic } from "../core/traffic/parseTraffic";
import { readInputs } from "../cli/readInputs";
import type { ClusterInfo, SnapshotView } from "./types";
import { UnknownClusterError } from "./types";

const DEMO_DIR = existsSync("demo/manifests") ? "demo/manifests" : "../shared/examples/basic";
const DEMO_TRAFFIC = existsSync("demo/traffic.prom") ? "demo/traffic.prom" : "../shared/examples/basic/traffic.prom";

let cached: { view: SnapshotView; at: number } | undefined;

export async function listClusters(): Promise<ClusterInfo[]> {
  return [{ name: "demo", source: "demo", reachable: true, error: null, isDefault: true }];
}

export async function defaultClusterName(): Promise<string> {
  return "demo";
}

export async function getSnapshotView(cluster: string, opts: { refresh?: boolean } = {}): Promise<SnapshotView> {
  if (cluster !== "demo") throw new UnknownClusterError(cluster);
  if (!cached || opts.refresh || Date.now() - cached.at > 30_000) {
    const now = new Date();
    const { inputs } = await readInputs([DEMO_DIR], async () => "");
    const traffic = parseTraffic(await readFile(DEMO_TRAFFIC, "utf8"), DEMO_TRAFFIC);
    const snapshot = analyze(inputs, { now, source: { type: "demo", context: "demo" }, traffic });
    cached = { at: Date.now(), view: { cluster, snapshot, fetchedAt: now.toISOString(), ageSeconds: 0, stale: false, error: null, demo: true } };
  }
  return { ...cached.view, ageSeconds: Math.round((Date.now() - cached.at) / 1000) };
}
