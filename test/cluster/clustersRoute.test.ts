// GET /api/v1/clusters, called as Next calls it, against the process-wide server layer: a kubeconfig
// file that cannot be parsed is reported in `errors` beside the clusters the other files still give.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let broken: string;
let route: typeof import("../../app/api/v1/clusters/route");
let layer: typeof import("../../lib/server/snapshots");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "handshake-clusters-route-"));
  const good = join(dir, "good");
  broken = join(dir, "broken");
  await writeFile(
    good,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: u, user: { token: "not-a-real-token" } }]
contexts: [{ name: staging, context: { cluster: c, user: u } }]
`,
  );
  await writeFile(broken, "apiVersion: v1\nkind: Config\nclusters: [ {");
  process.env.KUBECONFIG = `${good}:${broken}`;
  process.env.HANDSHAKE_DEMO = "1"; // no probe of the current context; the demo is not started by a listing
  process.env.HANDSHAKE_DATA_DIR = dir;
  route = await import("../../app/api/v1/clusters/route");
  layer = await import("../../lib/server/snapshots");
});

afterAll(async () => {
  await layer?.handshakeServer().stop();
  await rm(dir, { recursive: true, force: true });
});

describe("GET /api/v1/clusters", () => {
  it("lists the usable contexts and says which kubeconfig file could not be used, and why", async () => {
    const res = await route.GET();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { clusters: Array<{ name: string }>; errors: string[] };
    expect(body.clusters.map((c) => c.name)).toEqual(["demo", "staging"]);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatch(new RegExp(`^kubeconfig ${broken}: .+`));
  });
});
