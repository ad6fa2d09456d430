// The REST part of the demo API server: discovery, list (limit/continue, resourceVersion,
// labelSelector, fieldSelector) and get, with Status objects shaped as the real API server's for 401, 403, 404 and
// 503. Read-only: every other verb is 405 MethodNotAllowed.
import type { IncomingMessage, ServerResponse } from "node:http";
import { groupOf, isObj, type KubeObject, type Obj } from "./objects";
import {
  apiGroup,
  apiGroupList,
  apiVersions,
  findType,
  resourceList,
  VERSION_INFO,
  type ResourceType,
} from "./resources";

export interface Counters {
  list: number;
  get: number;
  portforward: number;
  total: number;
}

/** A denied [resource, namespace] pair; `verb` narrows the rule to one verb, without it every verb is denied. */
export interface ForbiddenRule {
  resource: string;
  namespace: string;
  verb?: string;
}

export interface ApiContext {
  types: ResourceType[];
  objects: KubeObject[];
  extraObjects: Obj[];
  forbidden: ForbiddenRule[];
  /** The list's resourceVersion (the store never changes after start). */
  resourceVersion: string;
  serverAddress: string;
  counters: Counters;
  /** A simulated fault: every list answers this HTTP status (discovery and get still work). */
  listFault?: () => number | undefined;
  /** GET /api/v1/namespaces/<ns>/services/<name[:port]>/proxy/<path> (lib/demo/prometheus.ts). */
  serviceProxy?: (
    req: IncomingMessage,
    res: ServerResponse,
    user: string,
    target: { namespace: string; segment: string; path: string; search: URLSearchParams },
  ) => void;
}

export function status(code: number, reason: string, message: string, details?: Obj): object {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
  });
  res.end(text);
}

const notFoundPath = () => status(404, "NotFound", "the server could not find the requested resource", {});

/** `secrets is forbidden: User "demo" cannot list resource "secrets" in API group "" in the namespace "vault"` */
export function forbiddenStatus(
  user: string,
  verb: string,
  t: ResourceType,
  namespace: string | null,
  name?: string,
): object {
  const what = name
    ? `${t.plural}${t.group ? `.${t.group}` : ""} "${name}"`
    : `${t.plural}${t.group ? `.${t.group}` : ""}`;
  const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  return status(
    403,
    "Forbidden",
    `${what} is forbidden: User "${user}" cannot ${verb} resource "${t.plural}" in API group "${t.group}" ${scope}`,
    { ...(name ? { name } : {}), ...(t.group ? { group: t.group } : {}), kind: t.plural },
  );
}

/**
 * Whether RBAC refuses the demo user `verb` on `t` in `namespace` (null: across all namespaces). The one
 * answer for lists, gets, pods/portforward, services/proxy and what the state folder holds. A rule names
 * the resource as `plural` or `plural.group`.
 */
export function isForbidden(
  rules: readonly ForbiddenRule[],
  t: ResourceType,
  namespace: string | null,
  verb: string,
): boolean {
  // Rules are per namespace: a cluster-scoped resource has none that could refuse it.
  if (!t.namespaced) return false;
  const resource = t.group ? `${t.plural}.${t.group}` : t.plural;
  return rules.some(
    (f) =>
      (f.resource === resource || f.resource === t.plural) &&
      (f.verb === undefined || f.verb === verb) &&
      // A cluster-wide request covers every namespace, so RBAC refuses it when any namespace is refused.
      (namespace === null || f.namespace === namespace),
  );
}

interface Route {
  group: string;
  version: string;
  namespace: string | null;
  plural: string;
  name: string | null;
}

/** `/api/v1/...` or `/apis/<g>/<v>/...` after the group/version: [namespaces/<ns>/]<plural>[/<name>]. */
function parseResourcePath(group: string, version: string, rest: string[]): Route | null {
  if (rest.length === 0) return null;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    if (rest.length > 4) return null;
    return { group, version, namespace: rest[1]!, plural: rest[2]!, name: rest[3] ?? null };
  }
  if (rest.length > 2) return null;
  return { group, version, namespace: null, plural: rest[0]!, name: rest[1] ?? null };
}

function matchesSelector(o: Obj, selector: string | null): boolean {
  if (!selector) return true;
  const labels = (isObj(o.metadata) && isObj(o.metadata.labels) ? o.metadata.labels : {}) as Record<
    string,
    unknown
  >;
  return selector.split(",").every((term) => {
    const t = term.trim();
    if (!t) return true;
    const neq = /^([^!=]+)!=(.*)$/.exec(t);
    if (neq) return labels[neq[1]!.trim()] !== neq[2]!.trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(t);
    if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
    if (t.startsWith("!")) return !(t.slice(1) in labels);
    return t in labels;
  });
}

/**
 * A list's fieldSelector, as the API server takes it: `field=value`, `field==value` or `field!=value`
 * terms joined by commas (all must hold), on the fields every kind offers (metadata.name,
 * metadata.namespace) and a Secret's `type` (pkg/registry/core/secret/strategy.go SelectableFields). Any
 * other field is refused with the API server's message. Returns the terms' tests, or why not.
 */
function parseFieldSelector(t: ResourceType, selector: string | null): ((o: Obj) => boolean)[] | string {
  if (!selector) return [];
  const tests: ((o: Obj) => boolean)[] = [];
  for (const raw of selector.split(",")) {
    const term = raw.trim();
    if (!term) continue;
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!m) return `invalid selector: '${selector}'; can't understand '${term}'`;
    const field = m[1]!.trim();
    const value = m[3]!.trim();
    const read =
      field === "metadata.name"
        ? nameOf
        : field === "metadata.namespace"
          ? nsOf
          : field === "type" && t.kind === "Secret"
            ? (o: Obj) => (typeof o.type === "string" ? o.type : "")
            : null;
    if (!read) return `field label not supported: ${field}`;
    tests.push(m[2] === "!=" ? (o) => read(o) !== value : (o) => read(o) === value);
  }
  return tests;
}

const metaOf = (o: Obj) => (isObj(o.metadata) ? o.metadata : {});
const nsOf = (o: Obj) => (typeof metaOf(o).namespace === "string" ? (metaOf(o).namespace as string) : "");
const nameOf = (o: Obj) => (typeof metaOf(o).name === "string" ? (metaOf(o).name as string) : "");

/** The stored objects of a type (sorted by namespace, then name), extra (fault) objects after them. */
function itemsOf(ctx: ApiContext, t: ResourceType, namespace: string | null): Obj[] {
  const ofType = (o: Obj) =>
    typeof o.apiVersion === "string" && groupOf(o.apiVersion) === t.group && o.kind === t.kind;
  const inNs = (o: Obj) => namespace === null || nsOf(o) === namespace;
  const stored = ctx.objects.filter((o) => ofType(o) && inNs(o));
  stored.sort((a, b) =>
    nsOf(a) === nsOf(b) ? (nameOf(a) < nameOf(b) ? -1 : 1) : nsOf(a) < nsOf(b) ? -1 : 1,
  );
  return [...stored, ...ctx.extraObjects.filter((o) => ofType(o) && inNs(o))];
}

/** As the API server converts between the versions of a CRD whose schemas are identical. */
const asVersion = (o: Obj, gv: string): Obj => ({ ...o, apiVersion: gv });

interface ContinueToken {
  rv: string;
  offset: number;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString("base64url");
}

function decodeContinue(s: string): ContinueToken | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
    if (
      isObj(v) &&
      typeof v.rv === "string" &&
      typeof v.offset === "number" &&
      Number.isInteger(v.offset) &&
      v.offset >= 0
    )
      return { rv: v.rv, offset: v.offset };
  } catch {
    // fall through
  }
  return null;
}

/** Answers one authenticated REST request. `user` is the client certificate's CN. */
export function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, user: string): void {
  const url = new URL(req.url ?? "/", "https://demo.invalid");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? "GET";

  if (method !== "GET") {
    sendJson(
      res,
      405,
      status(405, "MethodNotAllowed", `the demo cluster is read-only: ${method} is not allowed`, {}),
    );
    return;
  }
  if (url.pathname === "/version" || url.pathname === "/version/") return sendJson(res, 200, VERSION_INFO);
  if (url.pathname === "/healthz" || url.pathname === "/readyz" || url.pathname === "/livez") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("ok");
    return;
  }
  if (parts[0] === "api") {
    if (parts.length === 1) return sendJson(res, 200, apiVersions(ctx.serverAddress));
    if (parts[1] !== "v1") return sendJson(res, 404, notFoundPath());
    if (parts.length === 2) return sendJson(res, 200, resourceList(ctx.types, "", "v1"));
    if (ctx.serviceProxy && parts[2] === "namespaces" && parts[4] === "services" && parts[6] === "proxy")
      return ctx.serviceProxy(req, res, user, {
        namespace: parts[3]!,
        segment: parts[5]!,
        path: "/" + parts.slice(7).join("/"),
        search: url.searchParams,
      });
    return resource(ctx, parseResourcePath("", "v1", parts.slice(2)), url, res, user);
  }
  if (parts[0] === "apis") {
    if (parts.length === 1) return sendJson(res, 200, apiGroupList(ctx.types));
    const group = parts[1]!;
    if (parts.length === 2) {
      const g = apiGroup(ctx.types, group);
      return g ? sendJson(res, 200, g) : sendJson(res, 404, notFoundPath());
    }
    const version = parts[2]!;
    if (parts.length === 3) {
      const list = resourceList(ctx.types, group, version);
      return list ? sendJson(res, 200, list) : sendJson(res, 404, notFoundPath());
    }
    return resource(ctx, parseResourcePath(group, version, parts.slice(3)), url, res, user);
  }
  sendJson(res, 404, notFoundPath());
}

function resource(ctx: ApiContext, route: Route | null, url: URL, res: ServerResponse, user: string): void {
  const t = route && findType(ctx.types, route.group, route.version, route.plural);
  if (!route || !t || (route.namespace !== null && !t.namespaced && route.plural !== "namespaces"))
    return sendJson(res, 404, notFoundPath());
  const gv = route.group ? `${route.group}/${route.version}` : route.version;

  // Cluster-scoped get: /api/v1/namespaces/<name>
  if (!t.namespaced) {
    const name = t.plural === "namespaces" && route.namespace !== null ? route.namespace : route.name;
    if (route.namespace !== null && t.plural === "namespaces" && route.name !== null)
      return sendJson(res, 404, notFoundPath());
    if (name !== null) return getOne(ctx, t, gv, null, name, res, user);
    return list(ctx, t, gv, null, url, res, user);
  }
  if (route.name !== null) return getOne(ctx, t, gv, route.namespace, route.name, res, user);
  return list(ctx, t, gv, route.namespace, url, res, user);
}

function getOne(
  ctx: ApiContext,
  t: ResourceType,
  gv: string,
  namespace: string | null,
  name: string,
  res: ServerResponse,
  user: string,
): void {
  ctx.counters.get++;
  if (isForbidden(ctx.forbidden, t, namespace, "get"))
    return sendJson(res, 403, forbiddenStatus(user, "get", t, namespace, name));
  const found = itemsOf(ctx, t, namespace).find((o) => nameOf(o) === name);
  if (!found)
    return sendJson(
      res,
      404,
      status(404, "NotFound", `${t.plural}${t.group ? `.${t.group}` : ""} "${name}" not found`, {
        name,
        ...(t.group ? { group: t.group } : {}),
        kind: t.plural,
      }),
    );
  sendJson(res, 200, asVersion(found, gv));
}

function list(
  ctx: ApiContext,
  t: ResourceType,
  gv: string,
  namespace: string | null,
  url: URL,
  res: ServerResponse,
  user: string,
): void {
  ctx.counters.list++;
  const fault = ctx.listFault?.();
  if (fault !== undefined) {
    const reason = fault === 429 ? "TooManyRequests" : fault === 503 ? "ServiceUnavailable" : "InternalError";
    return sendJson(
      res,
      fault,
      status(fault, reason, `list ${t.plural} failed: HTTP ${fault} (simulated fault)`),
    );
  }
  if (isForbidden(ctx.forbidden, t, namespace, "list"))
    return sendJson(res, 403, forbiddenStatus(user, "list", t, namespace));
  const fields = parseFieldSelector(t, url.searchParams.get("fieldSelector"));
  if (typeof fields === "string") return sendJson(res, 400, status(400, "BadRequest", fields, {}));
  const items = itemsOf(ctx, t, namespace).filter(
    (o) => matchesSelector(o, url.searchParams.get("labelSelector")) && fields.every((f) => f(o)),
  );
  let offset = 0;
  const cont = url.searchParams.get("continue");
  if (cont) {
    const token = decodeContinue(cont);
    if (!token)
      return sendJson(
        res,
        400,
        status(400, "BadRequest", "continue key is not valid: the token could not be decoded", {}),
      );
    if (token.rv !== ctx.resourceVersion)
      return sendJson(
        res,
        410,
        status(
          410,
          "Expired",
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
          {},
        ),
      );
    offset = token.offset;
  }
  const limitRaw = url.searchParams.get("limit");
  const limit = limitRaw && /^\d+$/.test(limitRaw) && Number(limitRaw) > 0 ? Number(limitRaw) : Infinity;
  const page = items.slice(offset, offset + limit);
  const next = offset + page.length;
  const metadata: Obj = { resourceVersion: ctx.resourceVersion };
  if (next < items.length) {
    metadata.continue = encodeContinue({ rv: ctx.resourceVersion, offset: next });
    metadata.remainingItemCount = items.length - next;
  }
  sendJson(res, 200, {
    kind: `${t.kind}List`,
    apiVersion: gv,
    metadata,
    items: page.map((o) => asVersion(o, gv)),
  });
}
