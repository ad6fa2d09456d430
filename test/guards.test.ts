// False-positive guards: correct meshes must yield no warning and no error (findings.md: "no false
// positives on a correctly configured mesh"). Run through the real CLI path: files → loader →
// analysis → JSON.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type Io } from "../lib/cli/main";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";

const FIX = join(import.meta.dirname, "fixtures");
const NOW = "2026-11-27T12:00:00Z";

export async function cli(argv: string[], stdin = ""): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: async () => stdin,
    isTty: false,
    clock: () => new Date(NOW),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

async function analyzeFixture(name: string): Promise<MeshSnapshot> {
  const r = await cli([
    "analyze",
    join(FIX, name),
    "--traffic",
    join(FIX, name, "traffic.prom"),
    "--now",
    NOW,
  ]);
  expect(r.err).toBe("");
  return MeshSnapshotSchema.parse(JSON.parse(r.out));
}

const serious = (s: MeshSnapshot) =>
  s.findings.filter((f) => f.severity !== "info").map((f) => `${f.code}: ${f.message}`);

/**
 * A correct mesh with its traffic, analysed by the CLI with --fail-on warning: no warning and no
 * error, exit 0. The snapshot is returned for the guard's own checks.
 */
async function guardFixture(name: string): Promise<MeshSnapshot> {
  const r = await cli([
    "analyze",
    join(FIX, name),
    "--traffic",
    join(FIX, name, "traffic.prom"),
    "--now",
    NOW,
    "--fail-on",
    "warning",
  ]);
  const s = MeshSnapshotSchema.parse(JSON.parse(r.out));
  expect(serious(s)).toEqual([]);
  expect(r.code).toBe(0);
  return s;
}

describe("false-positive guard 1: mesh-wide STRICT, everything injected, observed mTLS", () => {
  it("no warning and no error; every edge mTLS; exit 0", async () => {
    const s = await guardFixture("correct-strict");
    expect(s.edges.map((e) => [e.id, e.status])).toEqual([
      ["istio-system/istio-ingressgateway->frontend.shop.svc.cluster.local:80", "mtls"],
      ["shop/cart->redis.data.svc.cluster.local:6379", "mtls"],
      ["shop/frontend->cart.shop.svc.cluster.local:7070", "mtls"],
    ]);
    // The destination reporter is evidence; the source series of the same call is not added to it.
    expect(s.edges[0]!.observed).toEqual({ mtls: 5120, plaintext: 0, unknown: 0 });
    expect(s.namespaces.find((n) => n.name === "shop")!.mtls).toEqual({
      mode: "STRICT",
      policy: { kind: "PeerAuthentication", namespace: "istio-system", name: "default" },
      inheritedFrom: "mesh",
    });
    expect(s.workloads.find((w) => w.name === "frontend")!.ports).toEqual([
      {
        port: 8080,
        mode: "STRICT",
        policy: { kind: "PeerAuthentication", namespace: "istio-system", name: "default" },
        origin: "mesh",
      },
    ]);
    expect(s.workloads.find((w) => w.name === "istiod")!.mtls.mode).toBe("NONE");
  });
});

describe("false-positive guard 2: per-service ISTIO_MUTUAL DestinationRules", () => {
  it("no warning and no error", async () => {
    const s = await analyzeFixture("correct-dr");
    expect(serious(s)).toEqual([]);
    const api = s.edges.filter(
      (e) => e.destination.service === "api" && e.destination.namespace === "payments",
    );
    expect(api.map((e) => e.destination.port)).toEqual([80, 9090]);
    expect(api.every((e) => e.observed?.portAmbiguous === true && e.status === "mtls")).toBe(true);
    expect(api[0]!.predicted.client).toEqual({
      tls: "ISTIO_MUTUAL",
      origin: "destinationrule",
      destinationRule: { kind: "DestinationRule", namespace: "payments", name: "api" },
    });
    const stripe = s.edges.find((e) => e.destination.host === "api.stripe.com")!;
    expect(stripe.predicted).toMatchObject({
      client: { tls: "SIMPLE", origin: "destinationrule" },
      verdict: "tls",
    });
    expect(stripe.status).toBe("unknown");
    expect(s.workloads.find((w) => w.name === "api")!.ports.map((p) => [p.port, p.mode, p.origin])).toEqual([
      [8080, "STRICT", "workload"],
      [9090, "PERMISSIVE", "workload-port"],
    ]);
  });
});

describe("false-positive guard 3: VMs with the Istio sidecar (WorkloadEntries, a ServiceEntry's inline endpoint)", () => {
  it("no warning and no error; every edge to a VM is predicted and observed mTLS; exit 0", async () => {
    const s = await guardFixture("correct-vm");
    expect(
      s.edges.map((e) => [
        e.id,
        e.destination.workloads,
        e.predicted.client.tls,
        e.predicted.verdict,
        e.status,
      ]),
    ).toEqual([
      ["legacy/orders-vm-1->ledger.legacy.internal:5432", [], "ISTIO_MUTUAL", "mtls", "mtls"],
      [
        "shop/frontend->billing.legacy.svc.cluster.local:9090",
        ["legacy/billing-vm-1"],
        "ISTIO_MUTUAL",
        "mtls",
        "mtls",
      ],
      ["shop/frontend->orders.legacy.internal:80", ["legacy/orders-vm-1"], "ISTIO_MUTUAL", "mtls", "mtls"],
    ]);
    // The VMs are workloads with their sidecar's identity and the mesh policy on the ports they serve.
    expect(
      s.workloads
        .filter((w) => w.kind === "WorkloadEntry")
        .map((w) => [w.name, w.dataplane, w.identity, w.mtls.mode, w.ports.map((p) => p.port)]),
    ).toEqual([
      ["billing-vm-1", "sidecar", "spiffe://cluster.local/ns/legacy/sa/billing", "STRICT", [9090]],
      ["orders-vm-1", "sidecar", "spiffe://cluster.local/ns/legacy/sa/orders", "STRICT", [8080]],
    ]);
    expect(s.namespaces.find((n) => n.name === "legacy")!.dataplane).toBe("sidecar");
  });
});

describe("false-positive guard 4: egress through wildcard ServiceEntries (TLS passthrough, TLS origination by DR)", () => {
  it("no warning and no error; hosts under a wildcard take its ServiceEntry, ports and DR; exit 0", async () => {
    const s = await guardFixture("correct-egress-wildcard");
    expect(
      s.edges.map((e) => [
        e.id,
        `${e.destination.namespace}/${e.destination.service}`,
        e.predicted.client.tls,
        e.predicted.client.destinationRule?.name ?? null,
        e.predicted.verdict,
      ]),
    ).toEqual([
      [
        "app/reporter->uploader.app.svc.cluster.local:80",
        "app/uploader",
        "ISTIO_MUTUAL",
        "default-mtls",
        "mtls",
      ],
      ["app/reporter->bigquery.googleapis.com:443", "egress/googleapis", "DISABLE", null, "unknown"],
      ["app/reporter->*.partner-apis.example:80", "egress/partner", "SIMPLE", "partner-tls", "tls"],
      ["app/reporter->api.partner-apis.example:80", "egress/partner", "SIMPLE", "partner-tls", "tls"],
      [
        "app/reporter->api.eu.partner-apis.example:80",
        "istio-system/partner-eu",
        "SIMPLE",
        "partner-eu-tls",
        "tls",
      ],
      ["app/uploader->*.googleapis.com:443", "egress/googleapis", "DISABLE", null, "unknown"],
      ["app/uploader->storage.googleapis.com:443", "egress/googleapis", "DISABLE", null, "unknown"],
    ]);
  });
});

describe("false-positive guard 5: a migration to VMs (Services over pods and WorkloadEntries, DNS and inline endpoints)", () => {
  it("no warning and no error; every edge between meshed workloads is mTLS; exit 0", async () => {
    const s = await guardFixture("correct-vm-migration");
    expect(
      s.edges.filter((e) => e.predicted.verdict !== "mtls").map((e) => [e.id, e.predicted.verdict]),
    ).toEqual([["vm-ratings/ratings-vm->orders-db.corp.example:5432", "unknown"]]);
    expect(s.edges.every((e) => e.status === "mtls" || e.predicted.verdict === "unknown")).toBe(true);
    // The VMs behind reviews share the pods' Service; the hostname-addressed VM is the DNS ServiceEntry's.
    const dest = (h: string) => s.edges.find((e) => e.destination.host === h)!.destination.workloads;
    expect(dest("reviews.bookinfo.svc.cluster.local")).toEqual([
      "bookinfo/reviews-v1",
      "bookinfo/reviews-v2-10.128.0.21",
      "bookinfo/reviews-v2-10.128.0.22",
    ]);
    expect(dest("inventory.vm-ratings.internal")).toEqual(["vm-ratings/inventory-vm"]);
  });
});

describe("false-positive guard 6: Istio's egress gateway with TLS origination (a mesh VirtualService route to a DR subset)", () => {
  it("no warning and no error; the sidecar's hop leaves through the routed port and subset, with the subset's ISTIO_MUTUAL, which the Gateway's ISTIO_MUTUAL server terminates; exit 0", async () => {
    const s = await guardFixture("correct-egress-gateway");
    expect(
      s.edges.map((e) => [
        e.id,
        e.predicted.client.tls,
        e.predicted.client.destinationRule?.name ?? null,
        e.predicted.verdict,
        e.status,
      ]),
    ).toEqual([
      [
        "default/sleep->istio-egressgateway.istio-system.svc.cluster.local:443",
        "ISTIO_MUTUAL",
        "egressgateway-for-github",
        "mtls",
        "mtls",
      ],
      // The gateway's hop takes the route bound to its Gateway (match port 443, its server's) to
      // api.github.com:443, where the DR originates TLS (docs/DECISIONS.md, "Gateway callers take their Gateways' routes").
      [
        "istio-system/istio-egressgateway->api.github.com:443",
        "SIMPLE",
        "originate-tls-for-github",
        "tls",
        "unknown",
      ],
    ]);
    const hop = s.edges[0]!;
    expect(hop.predicted.reason).toContain(
      "in its subset github's portLevelSettings for port 443 (routed by VirtualService default/direct-github-through-egress-gateway to subset github, port 443)",
    );
    expect(hop.observed).toEqual({ mtls: 42, plaintext: 0, unknown: 0 });
    // Service port 443 → targetPort 8443, where the Gateway's port-443 server lands (resolvePorts).
    expect(hop.predicted.server).toEqual({
      mode: "STRICT",
      origin: "workload-port",
      policy: { kind: "Gateway", namespace: "istio-system", name: "istio-egressgateway" },
    });
    expect(hop.predicted.reason).toContain(
      "istio-system/istio-egressgateway port 8443 is a gateway listener built from Gateway istio-system/istio-egressgateway",
    );
    expect(hop.predicted.reason).toContain(
      "Istio mTLS, terminated by Gateway istio-system/istio-egressgateway's server for port 443 (HTTPS, tls.mode ISTIO_MUTUAL)",
    );
  });
});

describe("CLI contract (contract.md §2)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "handshake-cli-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("a malformed YAML file among good ones: input.invalid names file and line, the rest is analysed, exit 1", async () => {
    const dir = join(tmp, "mixed");
    cpSync(join(FIX, "correct-strict"), dir, { recursive: true });
    writeFileSync(
      join(dir, "zz-broken.yaml"),
      "apiVersion: v1\nkind: Service\nmetadata: {name: x\n  namespace: [oops\n",
    );
    const r = await cli(["analyze", dir, "--now", NOW]);
    expect(r.code).toBe(1);
    const s = MeshSnapshotSchema.parse(JSON.parse(r.out));
    const bad = s.findings.filter((f) => f.code === "input.invalid");
    expect(bad).toHaveLength(1);
    expect(bad[0]!.message).toMatch(/zz-broken\.yaml:\d+: /);
    expect(bad[0]!.resources[0]!.name).toContain("zz-broken.yaml");
    expect(s.workloads.map((w) => w.name)).toContain("frontend");
    expect(s.completeness).toEqual([expect.objectContaining({ kind: "File", reason: "invalid" })]);
  });

  it("an unreadable --traffic file: input.invalid in the same words as an unreadable manifest, the rest analysed", async () => {
    const r = await cli([
      "analyze",
      join(FIX, "correct-strict"),
      "--traffic",
      join(tmp, "missing.prom"),
      "--now",
      NOW,
    ]);
    expect(r.code).toBe(1);
    const s = MeshSnapshotSchema.parse(JSON.parse(r.out));
    expect(s.findings.filter((f) => f.code === "input.invalid").map((f) => f.message)).toEqual([
      `${join(tmp, "missing.prom")}: cannot read: no such file or directory`,
    ]);
    expect(s.workloads.map((w) => w.name)).toContain("frontend");
  });

  it("no readable input: exit 2 with a one-line message", async () => {
    const r = await cli(["analyze", join(tmp, "nope")]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain("nope");
  });

  it.each([
    [["analyze"], "no input"],
    [["analyze", "x", "--format", "xml"], "--format"],
    [["analyze", "x", "--now", "yesterday"], "--now"],
    [["analyze", "x", "--fail-on", "sometimes"], "--fail-on"],
    [["analyze", "x", "--bogus"], "unknown option"],
    [["frobnicate"], "unknown command"],
  ])("usage error %j → exit 2 mentioning %s", async (argv, words) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(words);
  });

  it("two runs on the same input give identical bytes; --now fixes generatedAt", async () => {
    const args = [
      "analyze",
      join(FIX, "correct-dr"),
      "--traffic",
      join(FIX, "correct-dr", "traffic.prom"),
      "--now",
      NOW,
    ];
    const a = await cli(args);
    const b = await cli(args);
    expect(a.out).toBe(b.out);
    const s = JSON.parse(a.out) as MeshSnapshot;
    expect([s.now, s.generatedAt]).toEqual([NOW, NOW]);
  });

  it("input order does not change the output", async () => {
    const dir = join(tmp, "shuffled");
    const text = (await import("node:fs")).readFileSync(join(FIX, "correct-strict", "mesh.yaml"), "utf8");
    const docs = text.split(/^---$/m);
    writeFileSync(join(tmp, "ordered.yaml"), docs.join("---"));
    (await import("node:fs")).mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "reversed.yaml"), [...docs].reverse().join("\n---\n"));
    const a = JSON.parse(
      (await cli(["analyze", join(tmp, "ordered.yaml"), "--now", NOW])).out,
    ) as MeshSnapshot;
    const b = JSON.parse(
      (await cli(["analyze", join(dir, "reversed.yaml"), "--now", NOW])).out,
    ) as MeshSnapshot;
    const strip = (s: MeshSnapshot) =>
      JSON.stringify({
        ...s,
        source: null,
        findings: s.findings.map((f) => ({ ...f, message: f.message.replace(/\S+\.yaml:\d+/g, "") })),
      });
    expect(strip(a)).toBe(strip(b));
  });

  it("reads standard input with -", async () => {
    const r = await cli(
      ["analyze", "-", "--now", NOW],
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: solo}\n",
    );
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as MeshSnapshot).namespaces.map((n) => n.name)).toEqual(["solo"]);
  });

  it("--fail-on: error (default) ignores warnings, warning counts them, never always exits 0", async () => {
    const warningsOnly =
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ext, namespace: a}\nspec:\n  host: api.example.com\n  trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify: true}}\n";
    const run = (failOn: string[]) => cli(["analyze", "-", "--now", NOW, ...failOn], warningsOnly);
    const def = await run([]);
    const s = JSON.parse(def.out) as MeshSnapshot;
    expect(s.findings.some((f) => f.severity === "warning")).toBe(true);
    expect(s.findings.some((f) => f.severity === "error")).toBe(false);
    expect(def.code).toBe(0);
    expect((await run(["--fail-on", "warning"])).code).toBe(1);
    expect((await run(["--fail-on", "never"])).code).toBe(0);
    const withError =
      "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: a}\nspec: {mtls: {mode: STRICTT}}\n";
    expect((await cli(["analyze", "-", "--now", NOW], withError)).code).toBe(1);
    expect((await cli(["analyze", "-", "--now", NOW, "--fail-on", "never"], withError)).code).toBe(0);
  });

  it("--format table prints the readable view", async () => {
    const r = await cli([
      "analyze",
      join(FIX, "correct-strict"),
      "--traffic",
      join(FIX, "correct-strict", "traffic.prom"),
      "--now",
      NOW,
      "--format",
      "table",
    ]);
    expect(r.out).toContain("NAMESPACES");
    expect(r.out).toMatch(
      /shop\/frontend\s+cart\.shop\.svc\.cluster\.local:7070\s+ISTIO_MUTUAL \(auto\)\s+STRICT \(mesh\)\s+mtls/,
    );
    expect(r.out).toContain("FINDINGS");
  });
});
