// A cluster read, analysed: the reader's inputs go through the same `analyze` as `handshake analyze`,
// with what could not be read passed along as completeness and unreachable proxies. Observed traffic
// comes from the cluster's Prometheus (lib/server/telemetry), read alongside the objects.
import "server-only";
import { analyze } from "../core/snapshot/analyze";
import type { MeshSnapshot, SnapshotSource } from "../core/snapshot/schema";
import { readCluster, type ReadOptions } from "./kube/readCluster";
import type { KubeTransport } from "./kube/transport";
import { prometheusEndpoint, readTraffic, type Fetch, type TelemetryRead } from "./telemetry/prometheus";
import {
  DEFAULT_SERVICE,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WINDOW,
  type TelemetrySettings,
} from "./telemetry/settings";

export interface ReadSnapshotOptions {
  now: Date;
  source: SnapshotSource;
  read?: ReadOptions;
  /** Where Prometheus is; default istio-system/prometheus:9090 through the service proxy, window 1h. */
  telemetry?: TelemetrySettings;
  /** For a direct Prometheus URL; default the global fetch. */
  fetch?: Fetch;
}

export const DEFAULT_TELEMETRY: TelemetrySettings = {
  target: { kind: "service", service: DEFAULT_SERVICE },
  window: DEFAULT_WINDOW,
  timeoutMs: DEFAULT_TIMEOUT_MS,
};

export async function readSnapshot(t: KubeTransport, o: ReadSnapshotOptions): Promise<MeshSnapshot> {
  const [r, telemetry] = await Promise.all([
    readCluster(t, { now: o.now.getTime(), ...o.read }),
    readTelemetry(t, o),
  ]);
  return analyze(r.inputs, {
    now: o.now,
    source: o.source,
    ...(telemetry.traffic ? { traffic: telemetry.traffic } : {}),
    completeness: [...r.completeness, ...telemetry.completeness],
    unreachableProxies: r.unreachableProxies,
  });
}

function readTelemetry(t: KubeTransport, o: ReadSnapshotOptions): Promise<TelemetryRead> {
  const s = o.telemetry ?? DEFAULT_TELEMETRY;
  if (s.invalid)
    return Promise.resolve({
      completeness: [
        { kind: "Telemetry", reason: "invalid", message: `observed traffic was not read: ${s.invalid}` },
      ],
    });
  const ep = prometheusEndpoint(s.target, {
    transport: t,
    fetch: o.fetch ?? ((url, init) => fetch(url, init)),
  });
  return readTraffic(ep, {
    window: s.window,
    timeoutMs: s.timeoutMs,
    ...(s.matchers !== undefined ? { matchers: s.matchers } : {}),
  });
}
