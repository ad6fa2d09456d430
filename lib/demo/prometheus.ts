// The demo cluster's Prometheus, reached as a real one is through the API server's service proxy
// (GET /api/v1/namespaces/istio-system/services/prometheus:9090/proxy/api/v1/query?query=...), so the
// demo's observed traffic takes the same path as a real cluster's. It evaluates the one query shape
// Handshake sends, `sum by (<labels>) (increase(<metric>{<label>="<value>", ...}[<window>]))` (equality
// matchers only: Linkerd's counters are asked with `direction="outbound"`), over the counters of
// demo/traffic.prom; those are already the increase over the demo's window, so any window gives them.
// Any other expression is answered as Prometheus answers one it cannot run: 400 bad_data. The file's
// series are served as parseTraffic reads them: Linkerd series would lose `direction` there and match no
// such selector, so a Linkerd series in the file answers nothing (the demo's traffic is Istio's only).
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseTraffic } from "../core/traffic/parseTraffic";
import { forbiddenStatus, isForbidden, sendJson, status, type ForbiddenRule } from "./api";
import { isObj, type KubeObject } from "./objects";
import type { ResourceType } from "./resources";

export interface PromSample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromAnswer {
  code: number;
  body: object;
}

const NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
/** `name="value"`, the value a double-quoted PromQL string. */
const MATCHER = `${NAME}\\s*=\\s*"(?:[^"\\\\]|\\\\.)*"`;
/** The same, each one's name and quoted value captured (read from a selector QUERY accepted). */
const MATCHERS = new RegExp(`(${NAME})\\s*=\\s*("(?:[^"\\\\]|\\\\.)*")`, "g");
const SELECTOR = `\\{\\s*((?:${MATCHER}\\s*,\\s*)*(?:${MATCHER})?)\\s*\\}`;
const QUERY = new RegExp(
  `^\\s*sum\\s*(?:by\\s*\\(\\s*((?:${NAME}\\s*,\\s*)*${NAME})?\\s*,?\\s*\\)\\s*)?\\(\\s*increase\\s*\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(?:${SELECTOR})?\\s*\\[\\s*((?:\\d+(?:ms|[smhdwy]))+)\\s*\\]\\s*\\)\\s*\\)\\s*$`,
);

const badData = (error: string): PromAnswer => ({
  code: 400,
  body: { status: "error", errorType: "bad_data", error },
});

/**
 * Evaluates `sum by (labels) (increase(metric{matchers}[window]))` at `at`: the metric's series whose
 * labels equal the matchers' values (a missing label is "", as in Prometheus), grouped by the labels,
 * values summed.
 */
export function evaluateQuery(query: string | null, samples: PromSample[], at: Date): PromAnswer {
  if (query === null || query.trim() === "")
    return badData('invalid parameter "query": no expression found in input');
  const m = QUERY.exec(query);
  if (!m)
    return badData(
      `invalid parameter "query": the demo Prometheus evaluates only sum by (<labels>) (increase(<metric>{<label>="<value>", ...}[<duration>])), not ${JSON.stringify(query.length > 120 ? query.slice(0, 117) + "..." : query)}`,
    );
  const matchers: [string, string][] = [];
  for (const [, name, quoted] of (m[3] ?? "").matchAll(MATCHERS)) {
    let value: unknown;
    try {
      value = JSON.parse(quoted!);
    } catch {
      return badData(`invalid parameter "query": cannot read the string ${quoted!}`);
    }
    matchers.push([name!, String(value)]);
  }
  const by = (m[1] ?? "")
    .split(",")
    .map((l) => l.trim())
    .filter(Boolean);
  const metric = m[2]!;
  const groups = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const s of samples) {
    if (s.metric !== metric || matchers.some(([l, v]) => (s.labels[l] ?? "") !== v)) continue;
    // As Prometheus: a label missing or empty on a series is absent from its group.
    const labels: Record<string, string> = {};
    for (const l of by) if (s.labels[l]) labels[l] = s.labels[l];
    const key = JSON.stringify(by.map((l) => labels[l] ?? ""));
    const g = groups.get(key);
    if (g) g.value += s.value;
    else groups.set(key, { labels, value: s.value });
  }
  const ts = at.getTime() / 1000;
  const result = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({ metric: g.labels, value: [ts, String(g.value)] }));
  return { code: 200, body: { status: "success", data: { resultType: "vector", result } } };
}

/** The Kubernetes service proxy's name segment: `name`, `name:port` or `scheme:name:port`. */
function splitNamePort(segment: string): { name: string; port: string } {
  const p = segment.split(":");
  if (p.length === 3) return { name: p[1]!, port: p[2]! };
  return { name: p[0]!, port: p[1] ?? "" };
}

export interface ServiceProxyOptions {
  objects: KubeObject[];
  forbidden: ForbiddenRule[];
  serviceType: ResourceType;
  trafficPath: string;
  now: () => Date;
  /** "down": no ready endpoints; "hang": accepts the request and never answers. */
  fault: () => "down" | "hang" | undefined;
}

export type ServiceProxy = (
  req: IncomingMessage,
  res: ServerResponse,
  user: string,
  target: { namespace: string; segment: string; path: string; search: URLSearchParams },
) => void;

export const PROMETHEUS = { namespace: "istio-system", name: "prometheus", port: 9090 };

/** GET .../services/<segment>/proxy/<path>: only istio-system/prometheus:9090 has something listening. */
export function serviceProxy(o: ServiceProxyOptions): ServiceProxy {
  const proxyType: ResourceType = { ...o.serviceType, plural: "services/proxy" };
  return (_req, res, user, { namespace, segment, path, search }) => {
    if (isForbidden(o.forbidden, proxyType, namespace, "get"))
      return sendJson(res, 403, forbiddenStatus(user, "get", proxyType, namespace, segment));
    const { name, port } = splitNamePort(segment);
    const svc = o.objects.find(
      (x) => x.kind === "Service" && x.metadata.namespace === namespace && x.metadata.name === name,
    );
    if (!svc)
      return sendJson(
        res,
        404,
        status(404, "NotFound", `services "${name}" not found`, { name, kind: "services" }),
      );
    const spec = isObj(svc.spec) ? svc.spec : {};
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isObj);
    const chosen =
      port === ""
        ? ports.length === 1
          ? ports[0]
          : undefined
        : ports.find((p) => String(p.port) === port || p.name === port);
    if (!chosen)
      return sendJson(
        res,
        503,
        status(503, "ServiceUnavailable", `no service port "${port}" found for service "${name}"`, {}),
      );
    const isPrometheus =
      namespace === PROMETHEUS.namespace && name === PROMETHEUS.name && chosen.port === PROMETHEUS.port;
    if (!isPrometheus)
      return sendJson(
        res,
        503,
        status(
          503,
          "ServiceUnavailable",
          `error trying to reach service: dial tcp ${name}.${namespace}:${String(chosen.port)}: connect: connection refused`,
          {},
        ),
      );
    const fault = o.fault();
    if (fault === "down")
      return sendJson(
        res,
        503,
        status(503, "ServiceUnavailable", `no endpoints available for service "${segment}"`, {}),
      );
    if (fault === "hang") return; // the socket stays open until the client gives up or the demo stops
    void answerPrometheus(o, res, path, search);
  };
}

async function answerPrometheus(
  o: ServiceProxyOptions,
  res: ServerResponse,
  path: string,
  search: URLSearchParams,
): Promise<void> {
  if (path === "/-/ready" || path === "/-/healthy") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(path === "/-/ready" ? "Prometheus Server is Ready.\n" : "Prometheus Server is Healthy.\n");
    return;
  }
  if (path !== "/api/v1/query") {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("404 page not found\n");
    return;
  }
  let text: string;
  try {
    text = await readFile(o.trafficPath, "utf8");
  } catch (e) {
    return sendJson(res, 500, {
      status: "error",
      errorType: "internal",
      error: `reading ${o.trafficPath}: ${(e as Error).message}`,
    });
  }
  // The file is edited by hand; a broken line is left out, as a scrape would drop it.
  const samples = parseTraffic(text, o.trafficPath).samples;
  const a = evaluateQuery(search.get("query"), samples, o.now());
  sendJson(res, a.code, a.body);
}
