// The embedded demo cluster: a loopback HTTPS server speaking the part of the Kubernetes API that
// Handshake's cluster reader (and kubectl get) use, authenticated by client certificates from a
// generated kubeconfig, loaded with the demo mesh of demo/manifests and a PKI made at start.
// Node-only (no "server-only": the CLI script and tests load it through tsx / vitest).
import yaml from "js-yaml";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  forbiddenStatus,
  handleApi,
  isForbidden,
  sendJson,
  status,
  type ApiContext,
  type Counters,
  type ForbiddenRule,
} from "./api";
import { b64, groupOf, isObj, type KubeObject, type Obj } from "./objects";
import { makeCas } from "./pki";
import { portForwarder } from "./portforward";
import { serviceProxy } from "./prometheus";
import { resourceTypes, typeOfKind, type IstioVersions, type ResourceType } from "./resources";
import { buildState, loadManifests, type DemoState } from "./state";

export interface DemoFaults {
  /** "namespace/pod" whose Envoy/ztunnel admin accepts the port-forward but never answers. */
  hangingProxies?: string[];
  /** Objects served as-is inside list answers (e.g. a PeerAuthentication with spec.mtls.mode: 42). */
  extraObjects?: Array<{ apiVersion: string; kind: string; [k: string]: unknown }>;
  /** When true every request answers 503 (the API server is down). */
  down?: boolean;
  /** Every list answers this HTTP status (e.g. 503, 429, 500) while discovery and get still work. */
  listStatus?: number;
  /** The demo Prometheus behind the service proxy: "down" (no endpoints, 503) or "hang" (never answers). */
  prometheus?: "down" | "hang";
}

export interface DemoClusterOptions {
  /** Demo folder (manifests/ and traffic.prom); default <repo>/demo. */
  dir?: string;
  host?: string;
  port?: number;
  /** Default <cwd>/.handshake/demo-kubeconfig.yaml. */
  kubeconfigPath?: string;
  /** Where the served objects and config dumps are written; default <dirname(kubeconfigPath)>/demo-state. Emptied at start. */
  stateDir?: string;
  now?: () => Date;
  /**
   * What the demo user may not do, per resource and namespace; default secrets in `vault`. `verb` narrows
   * a rule to one verb (e.g. `create` on pods/portforward); without it every verb is denied.
   */
  forbidden?: ForbiddenRule[];
  istioVersions?: IstioVersions;
  faults?: DemoFaults;
  /**
   * Bearer tokens the API server accepts besides the client certificate, token → user name (the API
   * server's --token-auth-file); default none. `setTokens` replaces them (a token revoked or expired).
   */
  tokens?: Record<string, string>;
}

export interface DemoCluster {
  url: string;
  kubeconfigPath: string;
  kubeconfig: string;
  /** Every object the demo user can read (YAML, one file per namespace) and every proxy's config dump (`proxies/<pod>.<namespace>.json`). */
  stateDir: string;
  trafficPath: string;
  requests: Counters;
  setFaults(f: DemoFaults): void;
  setTokens(tokens: Record<string, string>): void;
  stop(): Promise<void>;
}

export type { ForbiddenRule } from "./api";

/** The verbs the API server checks for a WebSocket pods/portforward (get, and create from 1.35). */
export const PORTFORWARD_VERBS = ["get", "create"] as const;

export const DEFAULT_FORBIDDEN: ForbiddenRule[] = [{ resource: "secrets", namespace: "vault" }];

const repoDemoDir = () => resolve(dirname(fileURLToPath(import.meta.url)), "../../demo");

export async function startDemoCluster(opts: DemoClusterOptions = {}): Promise<DemoCluster> {
  // The turbopackIgnore comments keep `next build` from tracing the whole project into the server
  // output for these runtime paths (the demo files are read from the repository at run time).
  const dir = resolve(/*turbopackIgnore: true*/ opts.dir ?? repoDemoDir());
  const host = opts.host ?? "127.0.0.1";
  const kubeconfigPath = resolve(
    /*turbopackIgnore: true*/ opts.kubeconfigPath ??
      join(/*turbopackIgnore: true*/ process.cwd(), ".handshake", "demo-kubeconfig.yaml"),
  );
  const stateDir = resolve(
    /*turbopackIgnore: true*/ opts.stateDir ??
      join(/*turbopackIgnore: true*/ dirname(kubeconfigPath), "demo-state"),
  );
  const now = (opts.now ?? (() => new Date()))();
  const forbidden = opts.forbidden ?? DEFAULT_FORBIDDEN;
  const types = resourceTypes(opts.istioVersions);

  const cas = await makeCas(now, host);
  const loaded = await loadManifests(join(dir, "manifests"));
  if (loaded.problems.length)
    throw new Error(`demo manifests in ${join(dir, "manifests")}: ${loaded.problems.join("; ")}`);
  const state = await buildState(loaded.objects, now, cas);

  let faults: DemoFaults = { ...opts.faults };
  const counters: Counters = { list: 0, get: 0, portforward: 0, total: 0 };
  const ctx: ApiContext = {
    types,
    objects: state.objects,
    extraObjects: (faults.extraObjects ?? []) as Obj[],
    forbidden,
    resourceVersion: String(100_000 + (now.getTime() % 900_000)),
    serverAddress: `${host}:0`,
    counters,
  };
  ctx.listFault = () => faults.listStatus;
  ctx.serviceProxy = serviceProxy({
    objects: state.objects,
    forbidden,
    serviceType: types.find((t) => t.group === "" && t.plural === "services")!,
    trafficPath: join(dir, "traffic.prom"),
    now: opts.now ?? (() => new Date()),
    fault: () => faults.prometheus,
  });
  const portforwardType: ResourceType = {
    ...types.find((t) => t.group === "" && t.plural === "pods")!,
    plural: "pods/portforward",
  };
  const forwarder = portForwarder();
  const sockets = new Set<Socket>();

  let tokens = new Map(Object.entries(opts.tokens ?? {}));
  // As the API server's authenticator chain: a verified client certificate first, then a bearer token.
  const authenticate = (req: IncomingMessage): string | null => {
    const tls = req.socket as TLSSocket;
    const cn = tls.authorized ? tls.getPeerCertificate().subject?.CN : undefined;
    if (typeof cn === "string" && cn) return cn;
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    return (bearer && tokens.get(bearer)) || null;
  };

  const server: Server = createServer(
    {
      key: cas.apiServer.keyPem,
      cert: cas.apiServer.pem + cas.apiCa.pem,
      ca: cas.apiCa.pem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      counters.total++;
      const user = authenticate(req);
      if (!user) return sendJson(res, 401, status(401, "Unauthorized", "Unauthorized"));
      if (faults.down)
        return sendJson(
          res,
          503,
          status(503, "ServiceUnavailable", "the demo API server is down (simulated fault)"),
        );
      handleApi(ctx, req, res, user);
    },
  );
  server.on("secureConnection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    counters.total++;
    const refuse = (code: number, body: object) => {
      const text = JSON.stringify(body);
      socket.end(
        `HTTP/1.1 ${code} ${code === 401 ? "Unauthorized" : code === 403 ? "Forbidden" : code === 404 ? "Not Found" : code === 400 ? "Bad Request" : "Service Unavailable"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    const user = authenticate(req);
    if (!user) return refuse(401, status(401, "Unauthorized", "Unauthorized"));
    if (faults.down)
      return refuse(503, status(503, "ServiceUnavailable", "the demo API server is down (simulated fault)"));
    const url = new URL(req.url ?? "/", "https://demo.invalid");
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    if (!m)
      return refuse(404, status(404, "NotFound", "the server could not find the requested resource", {}));
    const [namespace, pod] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    counters.portforward++;
    // A WebSocket port-forward is an HTTP GET upgrade: before Kubernetes 1.35 the API server authorises it
    // as `get pods/portforward`; from 1.35 (AuthorizePodWebsocketUpgradeCreatePermission) it also needs
    // `create`. The demo checks both, so a rule denying either verb refuses it.
    for (const verb of PORTFORWARD_VERBS)
      if (isForbidden(forbidden, portforwardType, namespace, verb))
        return refuse(403, forbiddenStatus(user, verb, portforwardType, namespace, pod));
    const exists = state.objects.some(
      (o) => o.kind === "Pod" && o.metadata.namespace === namespace && o.metadata.name === pod,
    );
    if (!exists)
      return refuse(404, status(404, "NotFound", `pods "${pod}" not found`, { name: pod, kind: "pods" }));
    const ports = url.searchParams.getAll("ports").flatMap((p) => p.split(","));
    const port = Number(ports[0]);
    if (ports.length !== 1 || !Number.isInteger(port) || port < 1 || port > 65535)
      return refuse(
        400,
        status(
          400,
          "BadRequest",
          `invalid port "${ports.join(",")}": exactly one port between 1 and 65535 is supported`,
          {},
        ),
      );
    forwarder.accept(req, socket, head, {
      namespace,
      pod,
      port,
      dump: state.dumps.get(`${namespace}/${pod}`),
      hanging: (faults.hangingProxies ?? []).includes(`${namespace}/${pod}`),
    });
  });

  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(opts.port ?? 0, host, () => res());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `https://${urlHost}:${port}`;
  ctx.serverAddress = `${urlHost}:${port}`;

  const kubeconfig = kubeconfigYaml(url, cas.apiCa.pem, cas.apiClient.pem, cas.apiClient.keyPem);
  await mkdir(dirname(kubeconfigPath), { recursive: true, mode: 0o700 });
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
  await writeState(stateDir, state, types, forbidden);
  writeFaultObjects(stateDir, faults);

  return {
    url,
    kubeconfigPath,
    kubeconfig,
    stateDir,
    trafficPath: join(dir, "traffic.prom"),
    requests: counters,
    setFaults(f) {
      faults = { ...f };
      ctx.extraObjects = (faults.extraObjects ?? []) as Obj[];
      writeFaultObjects(stateDir, faults);
    },
    setTokens(t) {
      tokens = new Map(Object.entries(t));
    },
    async stop() {
      forwarder.close();
      const closed = new Promise<void>((res) => server.close(() => res()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

function kubeconfigYaml(url: string, caPem: string, certPem: string, keyPem: string): string {
  return yaml.dump(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "demo", cluster: { server: url, "certificate-authority-data": b64(caPem) } }],
      users: [
        { name: "demo", user: { "client-certificate-data": b64(certPem), "client-key-data": b64(keyPem) } },
      ],
      contexts: [{ name: "demo", context: { cluster: "demo", user: "demo" } }],
      "current-context": "demo",
      preferences: {},
    },
    { lineWidth: -1 },
  );
}

/** What the demo user can read: served types only, forbidden namespaces' resources left out. */
function readable(o: KubeObject, types: ResourceType[], forbidden: ForbiddenRule[]): boolean {
  const t = typeOfKind(types, groupOf(o.apiVersion), o.kind);
  return t !== undefined && !isForbidden(forbidden, t, o.metadata.namespace ?? null, "list");
}

async function writeState(
  stateDir: string,
  state: DemoState,
  types: ResourceType[],
  forbidden: ForbiddenRule[],
): Promise<void> {
  await rm(stateDir, { recursive: true, force: true });
  // Only the user running the demo may read what it serves (0700 / 0600), though no private key is
  // written: the state is for comparing with `handshake analyze`, which never reads keys.
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await mkdir(join(stateDir, "proxies"), { mode: 0o700 });
  const byNs = new Map<string, KubeObject[]>();
  for (const o of state.objects) {
    if (!readable(o, types, forbidden)) continue;
    const key = o.metadata.namespace ?? "_cluster";
    const list = byNs.get(key) ?? [];
    list.push(withoutPrivateKeys(servedVersion(o, types)));
    byNs.set(key, list);
  }
  const header =
    "# Written by the demo cluster at start: what the demo user can read. Regenerated on every start.\n";
  await Promise.all([
    ...[...byNs].map(([ns, list]) =>
      writeFile(
        join(stateDir, `${ns}.yaml`),
        header + list.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true })).join("---\n"),
        { mode: 0o600 },
      ),
    ),
    ...[...state.dumps].map(([key, d]) => {
      const [ns, pod] = key.split("/") as [string, string];
      return writeFile(
        join(stateDir, "proxies", `${pod}.${ns}.json`),
        JSON.stringify(d.body, null, 1) + "\n",
        { mode: 0o600 },
      );
    }),
  ]);
}

/**
 * A Secret as written to the state files: entries holding a private key (tls.key, ca-key.pem, key.pem,
 * anything that decodes to a PEM private key) are left out. The API still serves them, as a real
 * cluster would; the core drops them where it reads them either way.
 */
function withoutPrivateKeys(o: KubeObject): KubeObject {
  if (o.kind !== "Secret") return o;
  const out: Obj = { ...o };
  for (const field of ["data", "stringData"] as const) {
    const map = (o as Obj)[field];
    if (!isObj(map)) continue;
    out[field] = Object.fromEntries(
      Object.entries(map).filter(([k, v]) => {
        if (/(^|[-_.])key(\.pem)?$/i.test(k)) return false;
        const text =
          typeof v === "string" ? (field === "data" ? Buffer.from(v, "base64").toString("latin1") : v) : "";
        return !text.includes("PRIVATE KEY");
      }),
    );
  }
  return out as KubeObject;
}

/** Objects are written in the preferred version the server serves them in. */
function servedVersion(o: KubeObject, types: ResourceType[]): KubeObject {
  const t = typeOfKind(types, groupOf(o.apiVersion), o.kind);
  if (!t || !t.group) return o;
  return { ...o, apiVersion: `${t.group}/${t.versions[0]}` };
}

/**
 * Fault objects are served too, so they are part of the state (written synchronously: setFaults is).
 * Without any, there is no file (a placeholder would be one more "object file" for every reader of the
 * state folder); clearing them removes it.
 */
function writeFaultObjects(stateDir: string, faults: DemoFaults): void {
  const extra = faults.extraObjects ?? [];
  const file = join(stateDir, FAULT_OBJECTS_FILE);
  if (extra.length === 0) return rmSync(file, { force: true });
  writeFileSync(file, extra.map((o) => yaml.dump(o, { lineWidth: -1 })).join("---\n"), { mode: 0o600 });
}

/** The state file holding the objects a fault added (only while there are any). */
export const FAULT_OBJECTS_FILE = "zz-fault-objects.yaml";
