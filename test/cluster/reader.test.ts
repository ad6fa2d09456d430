// The cluster reader against the demo API server over real HTTPS with client certificates: the snapshot
// equals what `handshake analyze` gives on the same objects and config dumps (one path, same answer),
// and an independent client (kubectl) sees the objects the snapshot was built from.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MeshSnapshotSchema, type MeshSnapshot } from "../../lib/core/snapshot/schema";
import { readCluster } from "../../lib/server/kube/readCluster";
import { runCli, startTestDemo, windowedTraffic, type TestDemo } from "./support";

let t: TestDemo;
let snap: MeshSnapshot;

beforeAll(async () => {
  t = await startTestDemo({ forbidden: [] });
  snap = await t.read();
}, 60_000);
afterAll(async () => t?.stop());

describe("reader vs handshake analyze on the same demo", () => {
  // Traffic reaches the reader as Prometheus answers (sum by labels of increase over 1h, through the
  // service proxy) and the CLI as the file's samples stated with the same window (the text exposition
  // cannot say one): the snapshots must be equal, every edge count and message included.
  it("gives the same snapshot, source aside", async () => {
    const cli = await runCli([
      t.demo.stateDir,
      "--traffic",
      await windowedTraffic(t),
      "--now",
      t.now.toISOString(),
    ]);
    expect(cli.stderr).toBe("");
    const fromFiles = JSON.parse(cli.stdout) as MeshSnapshot;
    MeshSnapshotSchema.parse(snap);
    expect(snap.source).toEqual({ type: "demo", context: "demo" });
    const { source: _a, ...reader } = snap;
    const { source: _b, ...files } = fromFiles;
    expect(reader).toEqual(files);
  });

  it("has the edges and counts of --traffic on the text file itself; only the window is added", async () => {
    const cli = await runCli([
      t.demo.stateDir,
      "--traffic",
      t.demo.trafficPath,
      "--now",
      t.now.toISOString(),
    ]);
    const fromText = JSON.parse(cli.stdout) as MeshSnapshot;
    expect(fromText.edges.length).toBeGreaterThan(5);
    expect(fromText.edges.every((e) => e.observed !== null && e.observed.window === undefined)).toBe(true);
    expect(snap.edges.every((e) => e.observed?.window === "1h")).toBe(true);
    expect(
      snap.edges.map((e) => ({ ...e, observed: e.observed && { ...e.observed, window: undefined } })),
    ).toEqual(
      fromText.edges.map((e) => ({ ...e, observed: e.observed && { ...e.observed, window: undefined } })),
    );
  });

  it("reads a mesh worth showing: workloads, proxy certificates, findings, nothing incomplete", () => {
    console.log(
      `reader snapshot: ${snap.namespaces.length} namespaces, ${snap.workloads.length} workloads, ${snap.edges.length} edges, ${snap.certificates.length} certificates, ${snap.findings.length} findings (${new Set(snap.findings.map((f) => f.code)).size} codes)`,
    );
    expect(snap.completeness).toEqual([]);
    expect(snap.workloads.length).toBeGreaterThan(5);
    expect(snap.certificates.some((c) => c.source.kind === "proxy")).toBe(true);
    expect(snap.certificates.some((c) => c.source.kind === "ztunnel")).toBe(true);
    expect(snap.certificates.some((c) => c.source.kind === "Secret")).toBe(true);
    expect(snap.findings.filter((f) => f.code.startsWith("access."))).toEqual([]);
  });

  it("never lets a private key or Secret key material into the snapshot", () => {
    const text = JSON.stringify(snap);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toMatch(/tls\.key|ca-key\.pem|W3JlZGFjdGVkXQ==/);
  });
});

describe("an independent client sees the same objects", () => {
  const kubectl = "/usr/bin/kubectl";
  it.skipIf(!existsSync(kubectl))(
    "kubectl lists the PeerAuthentications the snapshot was built from",
    async () => {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          kubectl,
          [
            "--kubeconfig",
            t.demo.kubeconfigPath,
            "get",
            "peerauthentications.security.istio.io",
            "-A",
            "-o",
            "json",
          ],
          { maxBuffer: 64 * 1024 * 1024 },
          (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
        ),
      );
      const items = (JSON.parse(out) as { items: { metadata: { namespace: string; name: string } }[] }).items;
      const fromKubectl = items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).sort();
      expect(fromKubectl.length).toBeGreaterThan(0);
      // Exactly the set the reader loaded (and analyse() built the snapshot from).
      const read = await readCluster(t.transport());
      const fromReader = read.inputs.objects
        .filter((o) => o.object.kind === "PeerAuthentication")
        .map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`)
        .sort();
      expect(fromReader).toEqual(fromKubectl);
      // Every policy the snapshot names as deciding a mode is one kubectl sees, and vice versa every
      // kubectl policy is known to the snapshot (as a decider or in a finding).
      const named = new Set<string>();
      for (const n of snap.namespaces)
        if (n.mtls.policy?.kind === "PeerAuthentication")
          named.add(`${n.mtls.policy.namespace}/${n.mtls.policy.name}`);
      for (const w of snap.workloads) {
        if (w.mtls.policy?.kind === "PeerAuthentication")
          named.add(`${w.mtls.policy.namespace}/${w.mtls.policy.name}`);
        for (const p of w.ports)
          if (p.policy?.kind === "PeerAuthentication") named.add(`${p.policy.namespace}/${p.policy.name}`);
      }
      for (const f of snap.findings)
        for (const r of f.resources)
          if (r.kind === "PeerAuthentication") named.add(`${r.namespace}/${r.name}`);
      for (const p of named) expect(fromKubectl).toContain(p);
      for (const p of fromKubectl) expect([...named]).toContain(p);
      expect(named.size).toBeGreaterThan(0);
    },
  );
});
