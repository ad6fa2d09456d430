// The demo cluster's Prometheus, reached as a real one is through the API server's service proxy
// (GET /api/v1/namespaces/istio-system/services/prometheus:9090/proxy/api/v1/query?query=...), so the
// demo's observed traffic takes the same path as a real cluster's. It evaluates the query shapes
// Handshake sends (evaluateQuery: `sum by`, `label_replace`, `label_join` over
// `increase(<metric>{<label>="<value>", ...}[<window>])`, equality matchers only: Linkerd's counters are
// asked with `direction="outbound"`) over the counters of demo/traffic.prom; those are already the
// increase over the demo's window, so any window gives them. Any other expression is answered as
// Prometheus answers one it cannot run: 400 bad_data. The file's series are served as parseTraffic
// reads them: Linkerd series would lose `direction` there and match no such selector, so a Linkerd
// series in the file answers nothing (the demo's traffic is Istio's only).
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

const badData = (error: string): PromAnswer => ({
  code: 400,
  body: { status: "error", errorType: "bad_data", error },
});

/** A series of an instant vector: its labels (no `__name__`, none empty) and value. */
interface Series {
  labels: Record<string, string>;
  value: number;
}

class QueryError extends Error {
  /** Prometheus answers a query it cannot parse 400 bad_data, one that fails while evaluated 422 execution. */
  constructor(
    message: string,
    readonly execution = false,
  ) {
    super(message);
  }
}

const SHAPES =
  'sum by (<labels>) (<vector>), label_replace(<vector>, "dst", "replacement", "src", "regex") or label_join(<vector>, "dst", "separator", "src", ...) of increase(<metric>{<label>="<value>", ...}[<duration>])';

/**
 * Evaluates the shapes Handshake sends at `at`: `sum by (labels) (v)`, `label_replace(v, …)` and
 * `label_join(v, …)` (Prometheus' semantics: promql/functions.go `funcLabelReplace`, `funcLabelJoin`; a
 * label set to "" is removed, and a result holding one label set twice is the error Prometheus
 * raises), nested in any order, over `increase(metric{matchers}[window])`: the metric's series whose
 * labels equal the matchers' values (a missing label is ""), taken as they are in the file.
 */
export function evaluateQuery(query: string | null, samples: PromSample[], at: Date): PromAnswer {
  if (query === null || query.trim() === "")
    return badData('invalid parameter "query": no expression found in input');
  let result: Series[];
  try {
    const p = new QueryParser(query, samples);
    result = p.top();
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    if (e.execution)
      return { code: 422, body: { status: "error", errorType: "execution", error: e.message } };
    return badData(`invalid parameter "query": ${e.message}`);
  }
  const ts = at.getTime() / 1000;
  return {
    code: 200,
    body: {
      status: "success",
      data: {
        resultType: "vector",
        result: result.map((r) => ({ metric: r.labels, value: [ts, String(r.value)] })),
      },
    },
  };
}

const TOKEN =
  /\s*(?:([a-zA-Z_:][a-zA-Z0-9_:]*)|("(?:[^"\\]|\\.)*")|(\[\s*(?:\d+(?:ms|[smhdwy]))+\s*\])|([(){},=]))/y;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Recursive descent over the accepted shapes; anything else is a QueryError (400 bad_data). */
class QueryParser {
  private i = 0;

  constructor(
    private readonly q: string,
    private readonly samples: PromSample[],
  ) {}

  top(): Series[] {
    const v = this.vector(false);
    if (this.q.slice(this.i).trim() !== "") this.fail();
    return v;
  }

  private fail(): never {
    const q = this.q;
    throw new QueryError(
      `the demo Prometheus evaluates only ${SHAPES}, not ${JSON.stringify(q.length > 120 ? q.slice(0, 117) + "..." : q)}`,
    );
  }

  private next(): string {
    TOKEN.lastIndex = this.i;
    const m = TOKEN.exec(this.q);
    if (!m) this.fail();
    this.i = TOKEN.lastIndex;
    return m[0].trim();
  }

  private peek(): string | undefined {
    const at = this.i;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(this.q);
    return m ? m[0].trim() : undefined;
  }

  private expect(t: string): void {
    if (this.next() !== t) this.fail();
  }

  private string(): string {
    const t = this.next();
    if (!t.startsWith('"')) this.fail();
    try {
      return String(JSON.parse(t));
    } catch {
      throw new QueryError(`cannot read the string ${t}`);
    }
  }

  /** `increase(...)` only inside another function: a bare one is not a shape Handshake sends. */
  private vector(inner: boolean): Series[] {
    const f = this.next();
    if (f === "sum") return this.sum();
    if (f === "label_replace" || f === "label_join")
      return unique(f === "label_replace" ? this.labelReplace() : this.labelJoin());
    if (f === "increase" && inner) return this.increase();
    return this.fail();
  }

  private sum(): Series[] {
    const by: string[] = [];
    if (this.peek() === "by") {
      this.next();
      this.expect("(");
      for (let t = this.next(); t !== ")"; t = this.next()) {
        if (t === ",") continue;
        if (!LABEL_NAME.test(t)) this.fail();
        by.push(t);
      }
    }
    this.expect("(");
    const v = this.vector(true);
    this.expect(")");
    const groups = new Map<string, Series>();
    for (const s of v) {
      // As Prometheus: a label missing or empty on a series is absent from its group.
      const labels: Record<string, string> = {};
      for (const l of by) if (s.labels[l]) labels[l] = s.labels[l];
      const key = JSON.stringify(by.map((l) => labels[l] ?? ""));
      const g = groups.get(key);
      if (g) g.value += s.value;
      else groups.set(key, { labels, value: s.value });
    }
    // In the order of the groups' values (the by list's order), as the answers always came.
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  }

  private labelReplace(): Series[] {
    this.expect("(");
    const v = this.vector(true);
    const [dst, replacement, src, regex] = [this.arg(), this.arg(), this.arg(), this.arg()];
    this.expect(")");
    if (!LABEL_NAME.test(dst))
      throw new QueryError(`invalid destination label name in label_replace(): ${dst}`);
    let re: RegExp;
    try {
      // Prometheus anchors the regex at both ends and lets `.` match a newline.
      re = new RegExp(`^(?:${regex})$`, "s");
    } catch {
      throw new QueryError(`invalid regular expression in label_replace(): ${regex}`);
    }
    for (const s of v) {
      const m = re.exec(s.labels[src] ?? "");
      if (m) setLabel(s.labels, dst, expand(replacement, m));
    }
    return v;
  }

  private labelJoin(): Series[] {
    this.expect("(");
    const v = this.vector(true);
    const dst = this.arg();
    const sep = this.arg();
    const srcs: string[] = [];
    while (this.peek() === ",") srcs.push(this.arg());
    this.expect(")");
    if (!LABEL_NAME.test(dst)) throw new QueryError(`invalid destination label name in label_join(): ${dst}`);
    for (const s of v) setLabel(s.labels, dst, srcs.map((l) => s.labels[l] ?? "").join(sep));
    return v;
  }

  private arg(): string {
    this.expect(",");
    return this.string();
  }

  private increase(): Series[] {
    this.expect("(");
    const metric = this.next();
    if (!/^[a-zA-Z_:]/.test(metric)) this.fail();
    const matchers: [string, string][] = [];
    let t = this.next();
    if (t === "{") {
      for (t = this.next(); t !== "}"; t = this.next()) {
        if (t === ",") continue;
        if (!LABEL_NAME.test(t)) this.fail();
        this.expect("=");
        matchers.push([t, this.string()]);
      }
      t = this.next();
    }
    if (!t.startsWith("[")) this.fail();
    this.expect(")");
    const out: Series[] = [];
    for (const s of this.samples) {
      if (s.metric !== metric || matchers.some(([l, v]) => (s.labels[l] ?? "") !== v)) continue;
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.labels)) if (v !== "") labels[k] = v;
      out.push({ labels, value: s.value });
    }
    return out;
  }
}

/** A label set to "" is removed (labels.Builder.Set). */
function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (value === "") delete labels[name];
  else labels[name] = value;
}

/** Go's Regexp.Expand: `$1`, `${1}`, `$name` (the longest run of word characters), `$$`; an unknown group is "". */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\$(?:\$|\{(\w+)\}|(\w+))/g,
    (all, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare;
      if (name === undefined) return "$";
      if (/^\d+$/.test(name)) return m[Number(name)] ?? "";
      return m.groups?.[name] ?? "";
    },
  );
}

/** What Prometheus raises where a label function leaves two series with one label set. */
function unique(v: Series[]): Series[] {
  const seen = new Set<string>();
  for (const s of v) {
    const key = JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (seen.has(key)) throw new QueryError("vector cannot contain metrics with the same labelset", true);
    seen.add(key);
  }
  return v;
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
