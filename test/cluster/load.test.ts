// Load on loopback: 200 concurrent connections against the real /api/v1/snapshot route handler (served by
// a node:http server that adapts requests to the handler's Request/Response) with the process-wide
// server layer and its embedded demo cluster. The demo API server's own request counters prove one
// cluster read per refresh, not one per viewer. Latency and throughput are printed, not asserted.
import { createServer, type Server } from "node:http";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";

interface CannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/**
 * autocannon's CLI in a child process: inside a worker thread (Vitest's pool) its API switches to worker
 * mode and returns raw histograms; a separate process also keeps the load generator off this event loop.
 */
function autocannon(args: string[]): Promise<CannonResult> {
  const bin = createRequire(import.meta.url).resolve("autocannon/autocannon.js");
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [bin, "--json", ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout) as CannonResult),
    ),
  );
}

const REFRESH_SECONDS = 1;
// A number of requests rather than a duration: on a busy machine the cold read alone can outlast a
// fixed few seconds, and the read-count bound below is then taken from the time the load really took.
const REQUESTS = 1000;
let dataDir: string;
let http: Server;
let url: string;
let stopServerLayer: () => Promise<void>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "handshake-load-"));
  process.env.HANDSHAKE_DEMO = "1";
  process.env.HANDSHAKE_REFRESH_SECONDS = String(REFRESH_SECONDS);
  process.env.HANDSHAKE_DATA_DIR = dataDir;
  const route = await import("../../app/api/v1/snapshot/route");
  const { handshakeServer } = await import("../../lib/server/snapshots");
  stopServerLayer = () => handshakeServer().stop();
  http = createServer((req, res) => {
    const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method ?? "GET" });
    route
      .GET(request)
      .then(async (response) => {
        const body = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
        res.end(body);
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  const addr = http.address();
  url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/api/v1/snapshot`;
});

afterAll(async () => {
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  await stopServerLayer?.();
  await rm(dataDir, { recursive: true, force: true });
});

it("200 concurrent viewers cause one cluster read per refresh", async () => {
  const { handshakeServer } = await import("../../lib/server/snapshots");

  // Cold start under load: no snapshot yet, 200 connections at once.
  const started = performance.now();
  const result = await autocannon(["-c", "200", "-a", String(REQUESTS), "-t", "30", url]);
  const loadSeconds = (performance.now() - started) / 1000;
  const server = handshakeServer();
  const demo = server.demo()!;
  const stats = server.readStats("demo");
  const listsDuringLoad = demo.requests.list;
  await new Promise((r) => setTimeout(r, 50));
  while (server.readStats("demo").inFlight) await new Promise((r) => setTimeout(r, 20));
  const settledReads = server.readStats("demo").reads;
  const settledLists = demo.requests.list;

  // The next timer read on its own (nothing else reads now), to learn how many list requests one read
  // makes. (A forced refresh would be joined to the read just made: forced reads are rate-limited.)
  while (server.readStats("demo").reads === settledReads || server.readStats("demo").inFlight)
    await new Promise((r) => setTimeout(r, 5));
  const listsPerRead = demo.requests.list - settledLists;

  console.log(
    `load: ${result.requests.total} requests in ${loadSeconds.toFixed(1)} s over 200 connections: ` +
      `${Math.round(result.requests.average)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
      `cluster reads ${settledReads} (refresh every ${REFRESH_SECONDS} s), ${listsPerRead} list requests per read, ${settledLists} list requests in all`,
  );
  expect(result.non2xx).toBe(0);
  expect(result.errors).toBe(0);
  expect(result.requests.total).toBeGreaterThanOrEqual(REQUESTS);
  expect(listsPerRead).toBeGreaterThan(10);
  // Every list request the demo saw belongs to a whole cluster read: reads × lists per read, plus one:
  // the first read also asks vault's Secrets, which the demo user may not list, and later reads reuse
  // that denial (kube/forbiddenCache.ts).
  expect(settledLists).toBe(settledReads * listsPerRead + 1);
  expect(listsDuringLoad).toBeLessThanOrEqual(settledLists);
  // At most one read to start plus one per refresh interval (and one the last tick may have begun).
  expect(settledReads).toBeGreaterThanOrEqual(1);
  expect(settledReads).toBeLessThanOrEqual(Math.ceil(loadSeconds / REFRESH_SECONDS) + 2);
  expect(stats.failures).toBe(0);
}, 120_000);
