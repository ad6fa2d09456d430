// The two ways the reader talks to a cluster, over @kubernetes/client-node's own HTTP stack and
// authentication (client certificates, bearer tokens, in-cluster service account; exec plugins are run
// by execCredentials.ts, which hands client-node the credential):
// a JSON GET against the API server, and an HTTP GET to a pod port through a port-forward
// (the way `istioctl proxy-config secret` reaches Envoy's admin port, istio.md §6.1).
//
// Bodies are parsed here as plain JSON, not through the client's typed models, so the objects reach the
// core loader exactly as `kubectl get -o json` would print them (no Date conversion, no dropped fields).
import "server-only";
import http from "node:http";
import { Duplex, PassThrough, Writable } from "node:stream";
import {
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  PortForward,
  RequestContext,
  ServerConfiguration,
} from "@kubernetes/client-node";
import { oneLine } from "../oneLine";
import { withoutUserinfo } from "../withoutUserinfo";
import { credentialCause, credentialSource, seconds } from "./execCredentials";
import { KubeError } from "./kubeError";

export interface KubeTransport {
  /** GET an API path ("/api/v1/pods?limit=500"); resolves with the decoded JSON or throws KubeError. */
  get(path: string, timeoutMs: number): Promise<unknown>;
  /** GET `path` on `port` of a pod through a port-forward; resolves with the body or throws KubeError. */
  podGet(namespace: string, pod: string, port: number, path: string, timeoutMs: number): Promise<string>;
  /**
   * The kubeconfig context's namespace (in-cluster: the service account's), when it names one: the
   * namespace to read when this identity may not list namespaces (readCluster).
   */
  readonly contextNamespace?: string;
  /**
   * Obtains this identity's credentials within `timeoutMs` (an exec plugin's run; later requests reuse
   * them), for a probe whose request deadline is shorter than a cold plugin may take; throws KubeError.
   */
  credentials(timeoutMs: number): Promise<void>;
}

export { KubeError, type KubeErrorReason } from "./kubeError";

export function kubeTransport(kc: KubeConfig): KubeTransport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig context "${kc.getCurrentContext()}" names no cluster`);
  const server = cluster.server.replace(/\/+$/, "");
  // Messages name the server without any user:password it was written with.
  const shown = withoutUserinfo(server);
  const contextName = kc.getCurrentContext();
  const contextNamespace = kc.getContextObject(contextName)?.namespace?.trim() || undefined;
  const credentials = credentialSource(kc, contextName);
  // Only its HTTP library is used (`httpApi.send` applies no authMethods; those serve the generated API
  // classes): each request is authenticated in `exchange`, with the current credential.
  const config = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
  });

  /** One GET with the current credential; the caller decides what a 401 means. */
  const exchange = async (path: string, signal: AbortSignal, timeoutMs: number) => {
    const auth = await credentials.kubeConfig(signal, timeoutMs);
    const ctx = new RequestContext(server + path, HttpMethod.GET);
    ctx.setHeaderParam("Accept", "application/json");
    ctx.setSignal(signal);
    await authenticate(auth, ctx, signal, timeoutMs, contextName);
    try {
      const res = await config.httpApi.send(ctx).toPromise();
      return { auth, status: res.httpStatusCode, text: await res.body.text() };
    } catch (e) {
      throw networkError(e, timeoutMs, shown);
    }
  };

  return {
    ...(contextNamespace ? { contextNamespace } : {}),
    async credentials(timeoutMs) {
      const signal = AbortSignal.timeout(timeoutMs);
      const auth = await credentials.kubeConfig(signal, timeoutMs);
      // An auth-provider's command (gcp, azure `cmd-path`) runs inside client-node's authentication: run
      // here, on this bound, the GET after it finds the token cached. client-node runs it with execSync,
      // so the bound moves it out of the short GET but cannot cut it short (docs/DECISIONS.md).
      if (auth.getCurrentUser()?.authProvider)
        await authenticate(auth, new RequestContext(server, HttpMethod.GET), signal, timeoutMs, contextName);
    },
    async get(path, timeoutMs) {
      // One deadline for the whole request, credentials included: an exec plugin waiting for a browser
      // login (kubelogin) or a prompt would otherwise hold the read, and every route waiting on it, forever.
      const signal = AbortSignal.timeout(timeoutMs);
      let answer = await exchange(path, signal, timeoutMs);
      // A plugin's credential refused (revoked, or expired early): one fresh run, one retry (kubectl runs
      // the plugin again on a 401 too, client-go exec.go `maybeRefreshCreds`).
      if (answer.status === 401 && credentials.plugin) {
        credentials.rejected(answer.auth);
        answer = await exchange(path, signal, timeoutMs);
      }
      const { status, text } = answer;
      if (status < 200 || status > 299) throw statusError(status, text, path);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new KubeError("error", `GET ${path}: the answer is not JSON`, status);
      }
    },
    async podGet(namespace, pod, port, path, timeoutMs) {
      // The port-forward authenticates with the same credential as the lists, never by a plugin run of
      // its own; one deadline for both.
      const deadline = Date.now() + timeoutMs;
      const signal = AbortSignal.timeout(timeoutMs);
      const target = { namespace, pod, port, path };
      const auth = await credentials.kubeConfig(signal, timeoutMs);
      try {
        return await forwardGet(auth, target, timeoutMs, deadline);
      } catch (e) {
        if (!(e instanceof KubeError && e.status === 401 && credentials.plugin)) throw e;
        credentials.rejected(auth);
        return forwardGet(await credentials.kubeConfig(signal, timeoutMs), target, timeoutMs, deadline);
      }
    },
  };
}

/**
 * client-node's `applySecurityAuthentication` (token and certificate files, auth providers), bounded by
 * the request's deadline. A failure says which context and what kind of source failed; an exec plugin
 * has already been run by the credential source (execCredentials.ts), which says why it failed.
 */
async function authenticate(
  kc: KubeConfig,
  ctx: RequestContext,
  signal: AbortSignal,
  timeoutMs: number,
  contextName: string,
): Promise<void> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        new KubeError(
          "credentials",
          `credentials for context "${contextName}" not obtained within ${seconds(timeoutMs)}`,
        ),
      );
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([kc.applySecurityAuthentication(ctx), aborted]);
  } catch (e) {
    if (e instanceof KubeError) throw e;
    throw new KubeError(
      "credentials",
      `credentials for context "${contextName}" could not be obtained: ${credentialCause(e, null)}`,
    );
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
    aborted.catch(() => undefined);
  }
}

function networkError(e: unknown, timeoutMs: number, server: string): KubeError {
  const err = e as { name?: string; code?: string; message?: string; type?: string };
  if (err?.name === "AbortError" || err?.name === "TimeoutError" || err?.type === "aborted")
    return new KubeError("timeout", `no answer from ${server} within ${seconds(timeoutMs)}`);
  const code = err?.code ?? (err as { errno?: string })?.errno;
  return new KubeError(
    "unreachable",
    `cannot reach ${server}: ${code ?? oneLine(err?.message ?? String(e))}`,
  );
}

/** The API server answers errors as a Status object whose message says who may not do what. */
function statusError(status: number, text: string, path: string): KubeError {
  let message = "";
  try {
    const s = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof s.message === "string") message = oneLine(s.message);
    // A service proxied to Prometheus answers {"status":"error","error":"..."}.
    else if (typeof s.error === "string") message = oneLine(s.error);
  } catch {
    // not a Status: keep the HTTP status alone (the body may be anything, e.g. an HTML error page)
  }
  const what = message || `GET ${path}: HTTP ${status}`;
  if (status === 403) return new KubeError("forbidden", what, status);
  if (status === 404) return new KubeError("not-found", what, status);
  if (status === 504) return new KubeError("timeout", what, status);
  return new KubeError("error", message ? `HTTP ${status}: ${message}` : what, status);
}

/**
 * One HTTP GET through a Kubernetes port-forward (WebSocket, client-node's PortForward). Node's own HTTP
 * client parses the answer; the socket it writes to is a pair of streams bridged to the WebSocket.
 * The whole exchange, connection included, is bounded by `timeoutMs`.
 */
async function forwardGet(
  kc: KubeConfig,
  { namespace, pod, port, path }: { namespace: string; pod: string; port: number; path: string },
  timeoutMs: number,
  deadline: number,
): Promise<string> {
  const toPod = new PassThrough();
  const fromPod = new PassThrough();
  const errChunks: Buffer[] = [];
  const errStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      errChunks.push(chunk);
      cb();
    },
  });
  type Ws = { close(): void; on?(event: string, fn: () => void): void; terminate?(): void };
  let ws: Ws | undefined;
  let finished = false;
  const closeWs = (w: Ws | undefined) => {
    try {
      if (w?.terminate) w.terminate();
      else w?.close();
    } catch {
      // already closed
    }
  };

  const exchange = (async () => {
    const opened = new PortForward(kc, true).portForward(namespace, pod, [port], fromPod, errStream, toPod);
    // If the timeout fires while the WebSocket is still opening, close it as soon as it opens.
    void opened.then((w) => finished && closeWs(w as Ws)).catch(() => undefined);
    let w: Ws;
    try {
      w = (await opened) as Ws;
    } catch (e) {
      throw forwardOpenError(e);
    }
    ws = w;
    w.on?.("close", () => fromPod.end());
    const socket = Duplex.from({ readable: fromPod, writable: toPod });
    return await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: "localhost",
          port,
          path,
          method: "GET",
          headers: { Connection: "close" },
          createConnection: () => socket as never,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode === 200) resolve(body);
            else reject(new KubeError("error", `admin port ${port} answered HTTP ${res.statusCode}`));
          });
          res.on("error", (e) => reject(forwardStreamError(e, errChunks, port)));
        },
      );
      req.on("error", (e) => reject(forwardStreamError(e, errChunks, port)));
      req.end();
    });
  })();

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KubeError("timeout", `timed out after ${seconds(timeoutMs)}`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([exchange, timeout]);
  } finally {
    finished = true;
    clearTimeout(timer);
    closeWs(ws);
    exchange.catch(() => undefined);
    toPod.destroy();
    fromPod.destroy();
  }
}

function forwardOpenError(e: unknown): KubeError {
  const err = e as { message?: string; code?: string };
  const m = /Unexpected server response: (\d+)/.exec(err?.message ?? "");
  if (m) {
    const status = Number(m[1]);
    if (status === 403)
      return new KubeError("forbidden", "port-forward forbidden (pods/portforward get and create)", status);
    if (status === 404) return new KubeError("not-found", "pod not found", status);
    return new KubeError("error", `port-forward refused (HTTP ${status})`, status);
  }
  // Only a system error's code: an error without one comes from client-node's authentication (an exec
  // plugin's stderr, or its stdout that did not parse), which may hold a token.
  return new KubeError(
    "unreachable",
    `port-forward failed: ${typeof err?.code === "string" ? err.code : "could not be opened (connection or credentials)"}`,
  );
}

/** The port-forward error channel says why the pod side failed (e.g. connection refused on the port). */
function forwardStreamError(e: unknown, errChunks: Buffer[], port: number): KubeError {
  const side = oneLine(Buffer.concat(errChunks).toString("utf8"));
  if (side)
    return new KubeError("unreachable", /refused/i.test(side) ? `connection refused on port ${port}` : side);
  return new KubeError(
    "unreachable",
    `admin port ${port} closed the connection: ${oneLine((e as Error)?.message ?? String(e))}`,
  );
}
