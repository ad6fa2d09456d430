// Every route answers every method (contract §3: errors in the API's shape): the methods it serves, and a
// JSON 405 naming the allowed ones in Allow (RFC 9110 §15.5.6) for the rest; OPTIONS says the same.
// Called as Next calls the exported handlers; none of these answers reads a cluster.
import { describe, expect, it } from "vitest";

type Handler = (request: Request) => Response | Promise<Response>;
type RouteModule = Record<string, unknown>;

const ROUTES: [string, () => Promise<RouteModule>, string[]][] = [
  ["/api/v1/snapshot", () => import("../../app/api/v1/snapshot/route"), ["GET"]],
  ["/api/v1/findings", () => import("../../app/api/v1/findings/route"), ["GET"]],
  ["/api/v1/certificates", () => import("../../app/api/v1/certificates/route"), ["GET"]],
  ["/api/v1/clusters", () => import("../../app/api/v1/clusters/route"), ["GET"]],
  ["/api/v1/expiry.svg", () => import("../../app/api/v1/expiry.svg/route"), ["GET"]],
  ["/api/v1/snapshot/refresh", () => import("../../app/api/v1/snapshot/refresh/route"), ["POST"]],
  ["/metrics", () => import("../../app/metrics/route"), ["GET"]],
  ["/healthz", () => import("../../app/healthz/route"), ["GET"]],
  ["/readyz", () => import("../../app/readyz/route"), ["GET"]],
];

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/** What Allow lists: HEAD goes with GET (Next answers it from GET), OPTIONS with every route. */
const allowOf = (served: string[]) =>
  [...served.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])), "OPTIONS"].join(", ");

describe("methods", () => {
  it.each(ROUTES)(
    "%s: a JSON 405 with Allow for every method it does not serve",
    async (path, load, served) => {
      const mod = await load();
      const allow = allowOf(served);
      for (const method of METHODS) {
        if (allow.split(", ").includes(method)) continue;
        const handler = mod[method] as Handler | undefined;
        expect(handler, `${method} ${path}`).toBeTypeOf("function");
        const res = await handler!(new Request(`http://127.0.0.1${path}`, { method }));
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get("Allow")).toBe(allow);
        expect(res.headers.get("Cache-Control")).toBe("no-store");
        expect(await res.json()).toEqual({
          error: {
            code: "method-not-allowed",
            message: `${method} is not allowed on ${path}; allowed: ${allow}`,
          },
        });
      }
    },
  );

  it.each(ROUTES)("%s: OPTIONS answers 204 with the same Allow", async (path, load, served) => {
    const res = await ((await load()).OPTIONS as Handler)(
      new Request(`http://127.0.0.1${path}`, { method: "OPTIONS" }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Allow")).toBe(allowOf(served));
  });

  it.each(ROUTES)(
    "near miss: %s keeps its own handler for the methods it serves",
    async (_path, load, served) => {
      const mod = await load();
      for (const method of served) expect(mod[method]).toBeTypeOf("function");
      // HEAD is Next's, from GET: no handler of ours may shadow it with a 405.
      if (served.includes("GET")) expect(mod.HEAD).toBeUndefined();
    },
  );
});

describe("unknown API paths", () => {
  it("answer the API's JSON 404 for every method, /api/v1 itself included (the optional catch-all)", async () => {
    const mod = (await import("../../app/api/[[...rest]]/route")) as RouteModule;
    for (const method of [...METHODS, "OPTIONS"])
      for (const path of ["/api/v1", "/api", "/api/v1/nothing"]) {
        const res = await (mod[method] as Handler)(new Request(`http://127.0.0.1${path}`, { method }));
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not-found");
      }
  });
});
