// An exec credential plugin's credential, kept per transport the way kubectl keeps it (client-go
// plugin/pkg/client/auth/exec/exec.go: `getCreds`, `maybeRefreshCreds`): reused until its
// `expirationTimestamp`, or, without one, until the API server answers 401; one plugin run at a time.
// client-node 1.4 (exec_auth.js `getCredential`) reuses a credential only while it has an expiry, so a
// plugin printing none (many do: a static token, a long-lived certificate) ran once per request: 95 runs
// for one read of the demo, every 30 s. Here the plugin is run by the transport, and client-node is
// given a KubeConfig whose user holds the credential itself, so it never runs the plugin.
import "server-only";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { type Cluster, KubeConfig, type User } from "@kubernetes/client-node";
import { KubeError } from "./kubeError";

/** What an exec plugin printed that a request authenticates with. */
export interface ExecCredential {
  token?: string;
  /** PEM client certificate and key, both or neither. */
  cert?: string;
  key?: string;
  /** `status.expirationTimestamp` as a time; null when the plugin gave none (kept until a 401). */
  expiresAt: number | null;
}

interface ExecConfig {
  command: string;
  args?: unknown;
  env?: unknown;
  apiVersion?: unknown;
  interactiveMode?: unknown;
  provideClusterInfo?: unknown;
}

/**
 * A kubeconfig cluster with its `client.authentication.k8s.io/exec` extension, which client-node drops
 * when it loads a file; clusters.ts keeps it here for `KUBERNETES_EXEC_INFO` (`spec.cluster.config`).
 */
export type ClusterWithExecConfig = Cluster & { execConfig?: unknown };

/** The extension name client-go reads a plugin's per-cluster config from (clientcmd `clusterExtensionKey`). */
export const EXEC_EXTENSION = "client.authentication.k8s.io/exec";

export interface CredentialSource {
  /** The exec plugin, named by its file for messages ("the exec plugin \"aws\""); null without one. */
  readonly plugin: string | null;
  /**
   * The KubeConfig a request authenticates with: the transport's own without an exec plugin, else one
   * whose user holds the plugin's credential, reused or obtained within `timeoutMs` (throws KubeError
   * `credentials`, never with the plugin's output).
   */
  kubeConfig(signal: AbortSignal, timeoutMs: number): Promise<KubeConfig>;
  /** The API server answered 401 to a request made with `used`: the next request runs the plugin again. */
  rejected(used: KubeConfig): void;
}

export function credentialSource(kc: KubeConfig, contextName: string): CredentialSource {
  const user = kc.getCurrentUser();
  const exec = execOf(user);
  // client-go exec.go `UpdateTransportConfig`: with a token (or token file), a username, or a client
  // certificate and key in the kubeconfig, kubectl uses them and never runs the plugin.
  if (!exec || hasStaticCredentials(user!)) {
    const plain = exec ? withCredential(kc, { expiresAt: null }) : kc;
    return { plugin: null, kubeConfig: async () => plain, rejected: () => undefined };
  }
  const plugin = pluginName(exec.command);
  const info = execInfo(exec, kc.getCurrentCluster() as ClusterWithExecConfig | null);
  let kept: { kc: KubeConfig; expiresAt: number | null } | null = null;
  // The run in progress, and when it outlives the bound of the request that started it (a login waiting
  // in the browser): past that, requests fail at once until it ends, rather than each waiting out its own
  // deadline on it; a request waiting on it fails then too. A request that joined the run and timed out on
  // its own shorter deadline fails alone.
  let running: { run: Promise<KubeConfig>; outlivedAt: number } | null = null;

  const start = (timeoutMs: number) => {
    const run = runPlugin(exec, info).then((c) => {
      const resolved = withCredential(kc, c);
      // A failed run is never kept (the next request runs the plugin again); an expired one is used once.
      if (credentialValid(c.expiresAt, Date.now())) kept = { kc: resolved, expiresAt: c.expiresAt };
      return resolved;
    });
    const entry = { run, outlivedAt: Date.now() + timeoutMs };
    const done = () => {
      if (running === entry) running = null;
    };
    run.then(done, done);
    return entry;
  };

  return {
    plugin,
    async kubeConfig(signal, timeoutMs) {
      if (kept && credentialValid(kept.expiresAt, Date.now())) return kept.kc;
      kept = null;
      const late = () =>
        new KubeError(
          "credentials",
          `credentials for context "${contextName}" not obtained within ${seconds(timeoutMs)} (${plugin} did not finish)`,
        );
      // Out of time already (a retry after a 401 at the deadline): no run started that no request waits for.
      if (signal.aborted) throw late();
      const stillRunning = () =>
        new KubeError(
          "credentials",
          `credentials for context "${contextName}" not obtained: ${plugin} started by an earlier request is still running`,
        );
      if (running && Date.now() >= running.outlivedAt) throw stillRunning();
      const joined = running !== null;
      const entry = (running ??= start(timeoutMs));
      try {
        // A request that joined waits within its own deadline and the run's bound, whichever comes first.
        return await withinDeadline(entry.run, signal, joined ? entry.outlivedAt : Infinity);
      } catch (e) {
        if (e === DEADLINE) throw late();
        if (e === OUTLIVED) throw stillRunning();
        throw new KubeError(
          "credentials",
          `credentials for context "${contextName}" could not be obtained: ${credentialCause(e, plugin)}`,
        );
      }
    },
    rejected(used) {
      // Only the credential that was refused: requests answered 401 together run the plugin once.
      if (kept?.kc === used) kept = null;
    },
  };
}

/** client-go rest/transport `HasTokenAuth`, `HasBasicAuth`, `HasCertAuth` (client-node reads a token file into `token`). */
function hasStaticCredentials(user: User): boolean {
  return Boolean(
    user.token || user.username || ((user.certData || user.certFile) && (user.keyData || user.keyFile)),
  );
}

function execOf(user: User | null): ExecConfig | null {
  const exec = user?.exec as { command?: unknown } | undefined;
  return typeof exec?.command === "string" ? (exec as ExecConfig) : null;
}

/** client-node's rule: kept while the expiry is in the future; no expiry, kept until a 401. */
function credentialValid(expiresAt: number | null, now: number): boolean {
  return expiresAt === null || expiresAt > now;
}

const DEADLINE = Symbol("deadline");
const OUTLIVED = Symbol("outlived");

/** `p`, or DEADLINE when `signal` aborts, or OUTLIVED at the time `outlivedAt`. */
function withinDeadline<T>(p: Promise<T>, signal: AbortSignal, outlivedAt: number): Promise<T> {
  if (signal.aborted) return Promise.reject(DEADLINE);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(DEADLINE);
    signal.addEventListener("abort", onAbort, { once: true });
    const timer =
      outlivedAt === Infinity
        ? undefined
        : setTimeout(() => reject(OUTLIVED), Math.max(0, outlivedAt - Date.now()));
    p.then(resolve, reject).finally(() => {
      signal.removeEventListener("abort", onAbort);
      clearTimeout(timer);
    });
  });
}

/** A failure whose message holds nothing the plugin printed, shown as it is. */
class PluginRefused extends Error {}

/**
 * `KUBERNETES_EXEC_INFO`, as client-go sets it (exec.go `refreshCredsLocked`, rest/exec.go
 * `ConfigToExecCluster`): the ExecCredential spec, never interactive (the server has no terminal to give a
 * plugin), and the cluster when `provideClusterInfo` is set.
 */
export function execInfo(exec: ExecConfig, cluster: ClusterWithExecConfig | null): string {
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo === true && cluster) {
    const ca = cluster.caData ?? (cluster.caFile ? readCa(cluster.caFile) : undefined);
    spec.cluster = {
      server: cluster.server,
      ...(cluster.tlsServerName ? { "tls-server-name": cluster.tlsServerName } : {}),
      ...(cluster.skipTLSVerify ? { "insecure-skip-tls-verify": true } : {}),
      ...(ca ? { "certificate-authority-data": ca } : {}),
      ...(cluster.proxyUrl ? { "proxy-url": cluster.proxyUrl } : {}),
      ...(cluster.execConfig !== undefined ? { config: cluster.execConfig } : {}),
    };
  }
  const apiVersion =
    typeof exec.apiVersion === "string" ? exec.apiVersion : "client.authentication.k8s.io/v1beta1";
  return JSON.stringify({ kind: "ExecCredential", apiVersion, spec });
}

/** A CA file as base64 (client-go `dataFromSliceOrFile`); unreadable, left out (the TLS handshake says why). */
function readCa(file: string): string | undefined {
  try {
    return readFileSync(file).toString("base64");
  } catch {
    return undefined;
  }
}

/**
 * The plugin run as kubectl runs it without a terminal (client-go exec.go: the command with its args,
 * `env` added to the process's, stdin not connected, so a plugin that prompts reads end-of-file and fails
 * at once instead of waiting for ever); rejects with the spawn error or an Error holding nothing it
 * printed. The process is left to finish after a deadline: a login completed later still gives the next
 * request its credential.
 */
function runPlugin(exec: ExecConfig, info: string): Promise<ExecCredential> {
  // client-go `interactiveFunc`: Always needs a terminal, which a server never gives its plugins.
  if (exec.interactiveMode === "Always")
    return Promise.reject(
      new PluginRefused(
        `${pluginName(exec.command)} needs a terminal (interactiveMode: Always), and Handshake runs it without one`,
      ),
    );
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const env = { ...process.env };
  if (Array.isArray(exec.env))
    for (const e of exec.env as Array<{ name?: unknown; value?: unknown }>)
      if (typeof e?.name === "string") env[e.name] = String(e.value ?? "");
  env.KUBERNETES_EXEC_INFO = info;
  return new Promise((resolve, reject) => {
    let stdout = "";
    let spawnError: Error | undefined;
    const child = spawn(exec.command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => (stdout += d));
    child.stderr.resume();
    child.on("error", (e) => (spawnError = e));
    child.on("close", (code) => {
      if (spawnError) return reject(spawnError);
      if (code !== 0) return reject(new Error(`exit status ${code}`));
      try {
        resolve(parseExecCredential(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** An ExecCredential's status (client.authentication.k8s.io v1 / v1beta1); throws when it has no credential. */
function parseExecCredential(text: string): ExecCredential {
  const status = (JSON.parse(text) as { status?: Record<string, unknown> } | null)?.status;
  const str = (k: string) =>
    typeof status?.[k] === "string" && status[k] ? (status[k] as string) : undefined;
  const token = str("token");
  const cert = str("clientCertificateData");
  const key = str("clientKeyData");
  if (!token && !(cert && key)) throw new Error("no token or certificate and key");
  const expiry = str("expirationTimestamp");
  return {
    ...(token ? { token } : {}),
    ...(cert && key ? { cert, key } : {}),
    // Present but not a time: never kept, as client-node (Date.parse gives NaN).
    expiresAt: expiry === undefined ? null : Date.parse(expiry) || 0,
  };
}

/**
 * `kc` with its current user's exec plugin replaced by the credential (none: the plugin only removed, so
 * client-node never runs it).
 */
function withCredential(kc: KubeConfig, c: ExecCredential): KubeConfig {
  const user = kc.getCurrentUser()!;
  const { exec: _exec, ...rest } = user;
  const resolved: User = {
    ...rest,
    ...(c.token ? { token: c.token } : {}),
    ...(c.cert && c.key
      ? {
          certData: Buffer.from(c.cert).toString("base64"),
          keyData: Buffer.from(c.key).toString("base64"),
          certFile: undefined,
          keyFile: undefined,
        }
      : {}),
  };
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.getClusters(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
    users: kc.getUsers().map((u) => (u === user ? resolved : u)),
  });
  return out;
}

/** What failed, in words that hold nothing the plugin printed. */
export function credentialCause(e: unknown, plugin: string | null): string {
  if (e instanceof PluginRefused) return e.message;
  const err = e as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof err?.code === "string" && typeof err.syscall === "string" && err.syscall.startsWith("spawn")) {
    const which = plugin ?? "the exec plugin";
    // A bare name is looked up on the PATH; a path (resolved against its kubeconfig) is not.
    const onPath = typeof err.path === "string" && !/[\\/]/.test(err.path);
    if (err.code === "ENOENT") return `${which} was not found${onPath ? " on the PATH" : ""}`;
    if (err.code === "EACCES") return `${which} is not executable (EACCES)`;
    return `${which} could not be run (${err.code})`;
  }
  if (typeof err?.code === "string" && typeof err.path === "string")
    return `cannot read ${err.path} (${err.code})`;
  if (plugin) return `${plugin} failed (its output is not shown: it may hold a token)`;
  return e instanceof Error && e.name !== "Error" ? e.name : "the kubeconfig user could not be applied";
}

function pluginName(command: string): string {
  return `the exec plugin ${quoteBase(command)}`;
}

/** A command's file name, quoted: the directory may be a home path, the arguments are never shown. */
function quoteBase(command: string): string {
  return JSON.stringify(command.split(/[\\/]/).pop() ?? command);
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
