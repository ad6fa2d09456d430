// A cluster read, analysed: the reader's inputs go through the same `analyze` as `handshake analyze`,
// with what could not be read passed along as completeness and unreachable proxies.
import "server-only";
import { analyze } from "../core/snapshot/analyze";
import type { ParsedTraffic } from "../core/model/input";
import type { MeshSnapshot, SnapshotSource } from "../core/snapshot/schema";
import { readCluster, type ReadOptions } from "./kube/readCluster";
import type { KubeTransport } from "./kube/transport";

export interface ReadSnapshotOptions {
  now: Date;
  source: SnapshotSource;
  traffic?: ParsedTraffic;
  read?: ReadOptions;
}

export async function readSnapshot(t: KubeTransport, o: ReadSnapshotOptions): Promise<MeshSnapshot> {
  const r = await readCluster(t, o.read);
  return analyze(r.inputs, {
    now: o.now,
    source: o.source,
    ...(o.traffic ? { traffic: o.traffic } : {}),
    completeness: r.completeness,
    unreachableProxies: r.unreachableProxies,
  });
}
