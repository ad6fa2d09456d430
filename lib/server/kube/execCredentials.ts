// An exec credential plugin's credential, kept per transport the way kubectl keeps it (client-go
// plugin/pkg/client/auth/exec/exec.go: `getCreds`, `maybeRefreshCreds`): reused until its
// `expirationTimestamp`, or, without one, until the API server answers 401; one plugin run at a time.
// client-node 1.4 (exec_auth.js `getCredential`) reuses a credential only while it has an expiry, so a
// plugin printing none (many do: a static token, a long-lived certificate) ran once per request: 95 runs
// for one read of the demo, every 30 s. Here the plugin is run by the transport, and client-node is
// given a KubeConfig whose user holds the credential itself, so it never runs the plugin.
import "server-only";
import { spawn } from "node:child_process";
import { KubeConfig, type User } from "@kubernetes/client-node";
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
}

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
  const exec = execOf(kc.getCurrentUser());
  if (!exec) return { plugin: null, kubeConfig: async () => kc, rejected: () => undefined };
  const plugin = `the exec plugin ${quoteBase(exec.command)}`;
  let kept: { kc: KubeConfig; expiresAt: number | null } | null = null;
  let running: Promise<KubeConfig> | null = null;
  // A run that outlived a request's deadline (a login waiting in the browser): requests fail at once
  // until it ends, rather than each waiting out its own deadline on it.
  let outlived = false;

  const start = (): Promise<KubeConfig> => {
    outlived = false;
    const run = runPlugin(exec).then((c) => {
      const resolved = withCredential(kc, c);
      // A failed run is never kept (the next request runs the plugin again); an expired one is used once.
      if (isFresh(c.expiresAt, Date.now())) kept = { kc: resolved, expiresAt: c.expiresAt };
      return resolved;
    });
    running = run;
    const done = () => {
      if (running === run) running = null;
    };
    run.then(done, done);
    return run;
  };

  return {
    plugin,
    async kubeConfig(signal, timeoutMs) {
      if (kept && isFresh(kept.expiresAt, Date.now())) return kept.kc;
      kept = null;
      if (running && outlived)
        throw new KubeError(
          "credentials",
          `credentials for context "${contextName}" not obtained: ${plugin} started by an earlier request is still running`,
        );
      const run = running ?? start();
      try {
        return await withinDeadline(run, signal);
      } catch (e) {
        if (e === DEADLINE) {
          outlived = running === run;
          throw new KubeError(
            "credentials",
            `credentials for context "${contextName}" not obtained within ${seconds(timeoutMs)} (${plugin} did not finish)`,
          );
        }
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

function execOf(user: User | null): ExecConfig | null {
  const exec = user?.exec as { command?: unknown } | undefined;
  return typeof exec?.command === "string" ? (exec as ExecConfig) : null;
}

/** client-node's rule: kept while the expiry is in the future; no expiry, kept until a 401. */
export function isFresh(expiresAt: number | null, now: number): boolean {
  return expiresAt === null || expiresAt > now;
}

const DEADLINE = Symbol("deadline");

function withinDeadline<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(DEADLINE);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(DEADLINE);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The plugin run as client-node runs it (exec_auth.js: the command with its args, `env` added to the
 * process's); rejects with the spawn error or a bare Error, holding nothing it printed. The process is
 * left to finish after a deadline: a login completed later still gives the next request its credential.
 */
function runPlugin(exec: ExecConfig): Promise<ExecCredential> {
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const env = { ...process.env };
  if (Array.isArray(exec.env))
    for (const e of exec.env as Array<{ name?: unknown; value?: unknown }>)
      if (typeof e?.name === "string") env[e.name] = String(e.value ?? "");
  return new Promise((resolve, reject) => {
    let stdout = "";
    let spawnError: Error | undefined;
    const child = spawn(exec.command, args, { env });
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
export function parseExecCredential(text: string): ExecCredential {
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
 * `kc` with its current user's exec plugin replaced by the credential, as client-node applies one
 * (config.js `applyAuthorizationHeader`: a token written in the kubeconfig wins over the plugin's).
 */
function withCredential(kc: KubeConfig, c: ExecCredential): KubeConfig {
  const user = kc.getCurrentUser()!;
  const { exec: _exec, ...rest } = user;
  const resolved: User = {
    ...rest,
    ...(user.token || c.token ? { token: user.token ?? c.token } : {}),
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
  const err = e as { code?: unknown; path?: unknown; syscall?: unknown };
  if (err?.code === "ENOENT" && typeof err.syscall === "string" && err.syscall.startsWith("spawn"))
    return `${plugin ?? "the exec plugin"} was not found on the PATH`;
  if (typeof err?.code === "string" && typeof err.path === "string")
    return `cannot read ${err.path} (${err.code})`;
  if (plugin) return `${plugin} failed (its output is not shown: it may hold a token)`;
  return e instanceof Error && e.name !== "Error" ? e.name : "the kubeconfig user could not be applied";
}

/** A command's file name, quoted: the directory may be a home path, the arguments are never shown. */
function quoteBase(command: string): string {
  return JSON.stringify(command.split(/[\\/]/).pop() ?? command);
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
