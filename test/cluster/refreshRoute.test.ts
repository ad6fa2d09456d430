// POST /api/v1/snapshot/refresh, called as Next calls it (the route's exported handler), against the
// process-wide server layer with its embedded demo cluster (real HTTPS on loopback). The demo's request
// counters show that a burst of refreshes costs one cluster read.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dataDir: string;
let route: typeof import("../../app/api/v1/snapshot/refresh/route");
let layer: typeof import("../../lib/server/snapshots");

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "handshake-refresh-"));
  process.env.HANDSHAKE_DEMO = "1";
  process.env.HANDSHAKE_DATA_DIR = dataDir;
  route = await import("../../app/api/v1/snapshot/refresh/route");
  layer = await import("../../lib/server/snapshots");
}, 60_000);

afterAll(async () => {
  await layer?.handshakeServer().stop();
  await rm(dataDir, { recursive: true, force: true });
});

const post = (query: string) =>
  route.POST(new Request(`http://127.0.0.1/api/v1/snapshot/refresh${query}`, { method: "POST" }));

describe("POST /api/v1/snapshot/refresh", () => {
  it("reads the cluster, answers its freshness as JSON with no-store", async () => {
    const res = await post("?cluster=demo");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Content-Type")).toContain("application/json");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ cluster: "demo", stale: false, error: null, demo: true });
    expect(typeof body.fetchedAt).toBe("string");
    expect(layer.handshakeServer().readStats("demo").reads).toBe(1);
  });

  it("a burst of refreshes right after a read starts no new read (rate limit, single flight)", async () => {
    const server = layer.handshakeServer();
    const reads = server.readStats("demo").reads;
    const lists = server.demo()!.requests.list;
    const answers = await Promise.all(Array.from({ length: 20 }, () => post("?cluster=demo")));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(server.readStats("demo").reads).toBe(reads);
    expect(server.demo()!.requests.list).toBe(lists);
  });

  it("without ?cluster= refreshes the default cluster", async () => {
    const res = await post("");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cluster: string }).cluster).toBe("demo");
  });

  it("404 for an unknown cluster, 400 for an invalid name, as {error:{code,message}}", async () => {
    const unknown = await post("?cluster=nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: "unknown-cluster", message: 'unknown cluster "nope"' },
    });
    const bad = await post("?cluster=%20bad");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid-cluster");
  });
});
