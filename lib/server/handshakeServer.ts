// The server layer as one value: configured clusters, the default one, the embedded demo (started on
// first need, once) and the snapshot service. `snapshots.ts` holds the process-wide instance built from
// the environment; tests build their own with an injected environment and clock.
import "server-only";
import { KubeConfig } from "@kubernetes/client-node";
import type { DemoCluster } from "../demo";
import { configuredClusters, type ClusterEnv } from "./kube/clusters";
import { createForbiddenCache } from "./kube/forbiddenCache";
import { createProxyCache } from "./kube/proxyCache";
import { perCluster } from "./kube/ttlCache";
import type { ReadOptions } from "./kube/readCluster";
import { KubeError, kubeTransport, type KubeTransport } from "./kube/transport";
import { oneLine } from "./oneLine";
import { readSnapshot } from "./readSnapshot";
import {
  createSnapshotService,
  type ReadStats,
  type ServiceView,
  type SnapshotServiceDeps,
} from "./snapshotService";
import type { Fetch } from "./telemetry/prometheus";
import { parseTelemetryEnv, telemetrySettings, unknownContextProblems } from "./telemetry/settings";
import { envSettings } from "./settings";
import {
  UnknownClusterError,
  type ClusterInfo,
  type ClusterSource,
  type DefaultFallbackFrom,
  type PeekedSnapshotView,
  type SnapshotView,
} from "./types";
import { quotedClusterName } from "../view/clusterName";
import { fallbackWhat } from "../view/shell/demoBanner";

export const DEMO = "demo";

/**
 * How long the start-up probe waits for the current context's credentials: a cold exec plugin, or a
 * browser login completed at once; past it the default falls back, with why (docs/DECISIONS.md).
 */
export const PROBE_CREDENTIALS_MS = 20_000;

export interface HandshakeServerOptions extends ClusterEnv {
  /** Starts the embedded demo cluster (lib/demo startDemoCluster). */
  startDemo: () => Promise<DemoCluster>;
  now?: () => Date;
  every?: SnapshotServiceDeps["every"];
  /** Forced refreshes start at most one read per this period per cluster (default 5 s). */
  minRefreshMs?: number;
  read?: ReadOptions;
  /** Timeout of the reachability probe of the current context (GET /version). */
  probeTimeoutMs?: number;
  /** Bound on obtaining the current context's credentials before that probe (default 20 s). */
  probeCredentialsTimeoutMs?: number;
  /** For a direct Prometheus URL (HANDSHAKE_PROMETHEUS_URL); default the global fetch. */
  fetch?: Fetch;
  /** Where settings that could not be used are reported (default console.warn). */
  warn?: (line: string) => void;
}

export interface HandshakeServer {
  listClusters(): Promise<ClusterInfo[]>;
  /**
   * Why a kubeconfig file (or the merged kubeconfig) could not be used (its contexts are missing from the
   * list), and telemetry settings naming a context no cluster has.
   */
  configErrors(): string[];
  defaultClusterName(): Promise<string>;
  getSnapshotView(cluster: string, opts?: { refresh?: boolean }): Promise<SnapshotView>;
  /**
   * The overview's accessor: never blocks on a cluster without a good snapshot. Answers the last good
   * view, else starts a background read and waits for it at most `waitMs`, then says "reading" or
   * "unreachable" with the reason. Throws UnknownClusterError for a cluster that is not configured.
   */
  peekSnapshotView(cluster: string, opts?: { waitMs?: number }): Promise<PeekedSnapshotView>;
  readStats(cluster: string): ReadStats;
  /** The embedded demo, when it was started. */
  demo(): DemoCluster | undefined;
  stop(): Promise<void>;
}

interface Target {
  name: string;
  source: ClusterSource;
  transport(): Promise<KubeTransport>;
}

export { envSettings } from "./settings";

export function createHandshakeServer(o: HandshakeServerOptions): HandshakeServer {
  const warn = o.warn ?? console.warn;
  const settings = envSettings(o.env);
  // Parsed once; each read takes its cluster's part.
  const telemetry = parseTelemetryEnv(o.env);
  for (const p of [...telemetry.problems, ...settings.problems]) warn(`handshake: ${p}`);
  const now = o.now ?? (() => new Date());
  const configured = configuredClusters(o);
  // A kubeconfig file that could not be used loses its contexts: say so at start and on /api/v1/clusters.
  for (const e of configured.errors) warn(`handshake: ${e}`);
  const targets = new Map<string, Target>();
  for (const c of configured.clusters) {
    let t: KubeTransport | undefined;
    targets.set(c.name, {
      name: c.name,
      source: c.source,
      transport: async () => (t ??= kubeTransport(c.kubeConfig())),
    });
  }

  // Checked against every name a cluster can have here, the embedded demo's included.
  const telemetryErrors = unknownContextProblems(telemetry, [...targets.keys(), DEMO]);
  for (const e of telemetryErrors) warn(`handshake: ${e}`);

  let demo: DemoCluster | undefined;
  let demoStart: Promise<DemoCluster> | undefined;
  const startDemo = () =>
    (demoStart ??= o.startDemo().then((d) => {
      demo = d;
      return d;
    }));
  let demoTransport: KubeTransport | undefined;
  const demoTarget: Target = {
    name: DEMO,
    source: "demo",
    transport: async () => {
      const d = await startDemo();
      if (!demoTransport) {
        const kc = new KubeConfig();
        kc.loadFromString(d.kubeconfig);
        demoTransport = kubeTransport(kc);
      }
      return demoTransport;
    },
  };

  // The default: HANDSHAKE_DEMO forces the embedded demo; else the current context when it answers; else
  // the pod's own cluster; else the embedded demo. Decided once per process.
  interface Choice {
    name: string;
    embedded: boolean;
    /** The current context that did not answer the probe or whose name is not usable, and why. */
    fallbackFrom?: DefaultFallbackFrom;
  }
  let defaultChoice: Promise<Choice> | undefined;
  const resolveChoice = () =>
    (defaultChoice ??= (async (): Promise<Choice> => {
      if (settings.forceDemo) return { name: DEMO, embedded: true };
      const current = configured.currentContext ? targets.get(configured.currentContext) : undefined;
      // A current context whose name no link can carry is not listed: the stand-in says why, like one
      // that does not answer, rather than the default changing silently.
      const refused = configured.refusedCurrentContext;
      let fallbackFrom: DefaultFallbackFrom | undefined = refused && { ...refused, cause: "unusable-name" };
      if (current) {
        try {
          const t = await current.transport();
          // Credentials first, on their own bound: an exec plugin takes 1-3 s cold (aws eks get-token,
          // gke-gcloud-auth-plugin) and the decision holds for the process. Bounded all the same: a
          // plugin waiting for a browser login must not hold /api/v1/clusters and / for ever.
          await t.credentials(o.probeCredentialsTimeoutMs ?? PROBE_CREDENTIALS_MS);
          await t.get("/version", o.probeTimeoutMs ?? 2_000);
          return { name: current.name, embedded: false };
        } catch (e) {
          // Fall through to the next candidate, but keep why (logged, listed, and shown in the demo
          // banner) so nobody wonders why their cluster is not the one on screen.
          // A 401 is an answer: the credentials were refused (an expired SSO session whose cached token a
          // plugin still prints), not a cluster that is down.
          const cause =
            e instanceof KubeError && (e.reason === "credentials" || e.status === 401)
              ? "credentials"
              : "unreachable";
          fallbackFrom = { context: current.name, reason: oneLine(e), cause };
        }
      }
      const next: Choice = targets.has("in-cluster")
        ? { name: "in-cluster", embedded: false }
        : { name: DEMO, embedded: true };
      if (fallbackFrom)
        warn(
          `handshake: current context ${quotedClusterName(fallbackFrom.context)} ${fallbackWhat(fallbackFrom.cause)} (${fallbackFrom.reason}); showing ${next.embedded ? "the embedded demo cluster" : `"${next.name}"`}`,
        );
      return fallbackFrom ? { ...next, fallbackFrom } : next;
    })());
  const resolveDefault = async () => (await resolveChoice()).name;
  /** The embedded demo is served (as "demo", hiding a kubeconfig context of that name) only when it is the default. */
  const embedded = async () => (await resolveChoice()).embedded;

  async function target(cluster: string): Promise<Target> {
    if (cluster === DEMO && (await embedded())) return demoTarget;
    const t = targets.get(cluster);
    if (t) return t;
    throw new UnknownClusterError(cluster);
  }

  // Config dumps per cluster, reused for HANDSHAKE_PROXY_REFRESH_SECONDS (kube/proxyCache.ts).
  const proxyCache = perCluster(() => createProxyCache(settings.proxyRefreshMs));
  // Namespaces this identity may not list, asked again at the same cadence (kube/forbiddenCache.ts).
  const forbiddenCache = perCluster(() => createForbiddenCache(settings.proxyRefreshMs));

  const service = createSnapshotService({
    now,
    refreshMs: settings.refreshMs,
    ...(o.every ? { every: o.every } : {}),
    ...(o.minRefreshMs !== undefined ? { minRefreshMs: o.minRefreshMs } : {}),
    async read(cluster, at) {
      const t = await target(cluster);
      const transport = await t.transport();
      // Every cluster, the demo included, gets its traffic from Prometheus (the demo serves the
      // service proxy to one answering from demo/traffic.prom).
      return readSnapshot(transport, {
        now: at,
        source: t.source === "in-cluster" ? { type: "in-cluster" } : { type: t.source, context: t.name },
        read: {
          ...settings.read,
          proxyCache: proxyCache(t.name),
          forbiddenCache: forbiddenCache(t.name),
          ...o.read,
        },
        telemetry: telemetrySettings(telemetry, t.name),
        ...(o.fetch ? { fetch: o.fetch } : {}),
      });
    },
  });

  const toView = (t: Target, v: ServiceView): SnapshotView => ({
    cluster: t.name,
    snapshot: v.snapshot,
    fetchedAt: v.fetchedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
    ageSeconds: v.ageSeconds,
    stale: v.stale,
    error: v.error,
    demo: t.source === "demo",
  });

  return {
    async listClusters() {
      const choice = await resolveChoice();
      const def = choice.name;
      const withDemo = choice.embedded;
      const names = [...targets.values()].filter((t) => !(withDemo && t.name === DEMO));
      const all = withDemo ? [...names, demoTarget] : names;
      return all
        .map((t): ClusterInfo => {
          const r = service.reachability(t.name);
          const info: ClusterInfo = {
            name: t.name,
            source: t.source,
            reachable: r.reachable,
            error: r.error,
            isDefault: t.name === def,
          };
          // The current context that failed the start-up probe, before any read of it: unreachable, why.
          if (choice.fallbackFrom?.context === t.name && r.reachable === null)
            return { ...info, reachable: false, error: choice.fallbackFrom.reason };
          // The stand-in carries why, for the banner (the demo, or in-cluster).
          if (t.name === def && choice.fallbackFrom) return { ...info, fallbackFrom: choice.fallbackFrom };
          return info;
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    configErrors: () => [...configured.errors, ...telemetryErrors],
    defaultClusterName: resolveDefault,
    async getSnapshotView(cluster, opts = {}) {
      const t = await target(cluster);
      return toView(t, await service.get(t.name, opts));
    },
    async peekSnapshotView(cluster, opts = {}) {
      const t = await target(cluster);
      const p = await service.peek(t.name, opts);
      return p.state === "ready" ? { state: "ready", view: toView(t, p.view) } : p;
    },
    readStats: (cluster) => service.stats(cluster),
    demo: () => demo,
    async stop() {
      service.stop();
      // A started demo is stopped synchronously up to its first await (listener and sockets closed), which
      // is all that can run in a process "exit" handler.
      if (demo) return demo.stop();
      const d = demoStart ? await demoStart.catch(() => undefined) : undefined;
      await d?.stop();
    },
  };
}
