// Fault tests against the demo API server (real HTTPS, client certificates): API server down after a
// good read, a 403 on one namespace's Secrets, a proxy that never answers, a malformed object in a list,
// API-version fallback, and pagination. In each case the rest of the snapshot is intact.
import { request as httpsRequest } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshSnapshot } from "../../lib/core/snapshot/schema";
import { createHandshakeServer } from "../../lib/server/handshakeServer";
import { readCluster } from "../../lib/server/kube/readCluster";
import { proxyTargets } from "../../lib/server/kube/readProxies";
import { runCli, startTestDemo, windowedTraffic, type TestDemo } from "./support";

let base: TestDemo;
let baseSnap: MeshSnapshot;

beforeAll(async () => {
  base = await startTestDemo({ forbidden: [] });
  baseSnap = await base.read();
}, 60_000);
afterAll(async () => base?.stop());

/** The parts of a snapshot that do not depend on the PKI generated at start (fingerprints differ per demo). */
const pkiFree = (s: MeshSnapshot) => ({
  mesh: s.mesh,
  namespaces: s.namespaces,
  workloads: s.workloads,
  services: s.services,
  edges: s.edges,
});
const certKey = (c: MeshSnapshot["certificates"][number]) =>
  `${c.role} ${c.subject} ${JSON.stringify(c.sources)}`;

describe("API server down after a good read", () => {
  it("serves the last good snapshot, stale, with its age and the error", async () => {
    let t = base.now.getTime();
    const server = createHandshakeServer({
      env: { KUBECONFIG: base.demo.kubeconfigPath },
      home: "/nonexistent",
      startDemo: () =>
        Promise.reject(new Error("the embedded demo must not start: the kubeconfig context answers")),
      now: () => new Date(t),
      every: () => () => undefined,
    });
    try {
      expect(await server.defaultClusterName()).toBe("demo");
      const good = await server.getSnapshotView("demo");
      expect(good).toMatchObject({ cluster: "demo", stale: false, error: null, ageSeconds: 0, demo: false });
      expect(good.snapshot.source).toEqual({ type: "kubeconfig", context: "demo" });
      // A kubeconfig cluster gets its traffic the same way (Prometheus through the service proxy): the
      // snapshot is the demo as read directly.
      expect(good.snapshot.edges).toEqual(baseSnap.edges);
      expect(good.snapshot.workloads).toEqual(baseSnap.workloads);
      expect(good.snapshot.certificates).toEqual(baseSnap.certificates);

      base.demo.setFaults({ down: true });
      t += 95_000;
      const stale = await server.getSnapshotView("demo", { refresh: true });
      expect(stale.snapshot).toBe(good.snapshot);
      expect(stale.stale).toBe(true);
      expect(stale.ageSeconds).toBe(95);
      expect(stale.fetchedAt).toBe(good.fetchedAt);
      expect(stale.error).toMatch(/503/);
      expect(stale.error).toContain("down");
      const clusters = await server.listClusters();
      expect(clusters).toEqual([
        { name: "demo", source: "kubeconfig", reachable: false, error: stale.error, isDefault: true },
      ]);
      expect(server.readStats("demo")).toMatchObject({ reads: 2, failures: 1 });

      base.demo.setFaults({});
      t += 5_000;
      const back = await server.getSnapshotView("demo", { refresh: true });
      expect(back).toMatchObject({ stale: false, error: null, ageSeconds: 0 });
    } finally {
      base.demo.setFaults({});
      await server.stop();
    }
  });
});

describe.each([503, 429, 500])("lists answer %i after discovery answered", (code) => {
  it("the read fails as a whole: the last good snapshot is served stale with the error, not an empty fresh one", async () => {
    let t = base.now.getTime();
    const server = createHandshakeServer({
      env: { KUBECONFIG: base.demo.kubeconfigPath },
      home: "/nonexistent",
      startDemo: () => Promise.reject(new Error("the embedded demo must not start")),
      now: () => new Date(t),
      every: () => () => undefined,
    });
    try {
      const good = await server.getSnapshotView("demo");
      expect(good.stale).toBe(false);
      expect(good.snapshot.workloads.length).toBeGreaterThan(10);

      base.demo.setFaults({ listStatus: code });
      // Discovery still answers: only the lists fail.
      await expect(base.transport().get("/apis", 5_000)).resolves.toBeDefined();
      await expect(readCluster(base.transport())).rejects.toThrow(
        new RegExp(`listing namespaces failed: HTTP ${code}`),
      );
      t += 40_000;
      const stale = await server.getSnapshotView("demo", { refresh: true });
      expect(stale.snapshot).toBe(good.snapshot);
      expect(stale).toMatchObject({ stale: true, ageSeconds: 40, fetchedAt: good.fetchedAt });
      expect(stale.error).toContain(`HTTP ${code}`);
      expect(server.readStats("demo")).toMatchObject({ reads: 2, failures: 1 });
    } finally {
      base.demo.setFaults({});
      await server.stop();
    }
  });
});

describe("a proxy that never answers", () => {
  it("times out within the per-pod bound, is reported, and the other proxies' certificates are present", async () => {
    const read = await readCluster(base.transport());
    const targets = proxyTargets(read.inputs.objects);
    expect(targets.length).toBeGreaterThan(2);
    // A proxy whose workload certificate the full read has.
    const hung = targets.find((p) =>
      baseSnap.certificates.some(
        (c) => c.source.kind === "proxy" && c.source.pod === p.pod && c.source.namespace === p.namespace,
      ),
    )!;
    base.demo.setFaults({ hangingProxies: [`${hung.namespace}/${hung.pod}`] });
    try {
      const started = Date.now();
      const snap = await base.read({ proxyTimeoutMs: 1_000 });
      console.log(`read with one hung proxy (1 s timeout) took ${Date.now() - started} ms`);
      const f = snap.findings.filter((x) => x.code === "access.proxy-unreachable");
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toContain("1 proxy");
      expect(f[0]!.message).toContain(`timed out after 1 s (${hung.namespace}/${hung.pod})`);
      expect(f[0]!.resources).toEqual([{ kind: "Pod", namespace: hung.namespace, name: hung.pod }]);
      expect(snap.completeness).toEqual([
        {
          kind: "Pod",
          namespace: hung.namespace,
          reason: "timeout",
          message: `proxy secrets of pod ${hung.namespace}/${hung.pod} could not be read: timed out after 1 s`,
        },
      ]);
      // Every certificate the full read found outside the hung pod's dump is still there.
      const onlyFromHung = (c: MeshSnapshot["certificates"][number]) =>
        c.sources.every((s) => s.kind === "proxy" && s.pod === hung.pod && s.namespace === hung.namespace);
      const expected = baseSnap.certificates.filter((c) => !onlyFromHung(c)).map((c) => c.id);
      expect(snap.certificates.map((c) => c.id)).toEqual(expected);
      expect(expected.length).toBeLessThan(baseSnap.certificates.length);
      expect(pkiFree(snap)).toEqual(pkiFree(baseSnap));
    } finally {
      base.demo.setFaults({});
    }
  });
});

describe("a malformed object in a list", () => {
  it("is input.invalid naming the object; everything else is intact", async () => {
    const bad = {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "broken-policy", namespace: "shop" },
      spec: { mtls: { mode: 42 } },
    };
    const nameless = {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { namespace: "shop" },
      spec: {},
    };
    base.demo.setFaults({ extraObjects: [bad, nameless] });
    try {
      const snap = await base.read();
      const invalid = snap.findings.filter((f) => f.code === "input.invalid");
      expect(invalid).toHaveLength(2);
      const named = invalid.find((f) => f.resources[0]?.kind === "PeerAuthentication")!;
      expect(named.resources[0]).toEqual({
        kind: "PeerAuthentication",
        namespace: "shop",
        name: "broken-policy",
      });
      expect(named.message).toContain(
        "/apis/security.istio.io/v1/namespaces/shop/peerauthentications/broken-policy",
      );
      expect(named.message).toContain("spec.mtls.mode");
      const noName = invalid.find((f) => f !== named)!;
      expect(noName.message).toContain("/apis/security.istio.io/v1/peerauthentications (item");
      expect(noName.message).toContain("metadata.name");
      expect(pkiFree(snap)).toEqual(pkiFree(baseSnap));
      expect(snap.certificates).toEqual(baseSnap.certificates);
      expect(snap.findings.filter((f) => f.code !== "input.invalid")).toEqual(baseSnap.findings);
    } finally {
      base.demo.setFaults({});
    }
  });
});

describe("Secrets the core does not read (reviews/server.md #2)", () => {
  it("are never downloaded: Secrets are listed by field selector (TLS type, and the three CA names), the snapshot unchanged", async () => {
    // Helm keeps each release revision as a Secret of up to 1 MiB: ten of them, 1 MB each.
    const helm = Array.from({ length: 10 }, (_, i) => ({
      apiVersion: "v1",
      kind: "Secret",
      type: "helm.sh/release.v1",
      metadata: { name: `sh.helm.release.v1.big.v${i + 1}`, namespace: "shop" },
      data: { release: Buffer.alloc(750_000, 7).toString("base64") },
    }));
    base.demo.setFaults({ extraObjects: helm });
    try {
      const asked: string[] = [];
      let secretBytes = 0;
      const inner = base.transport();
      const recording = {
        ...inner,
        async get(path: string, timeoutMs: number) {
          const body = await inner.get(path, timeoutMs);
          if (/\/secrets\?/.test(path)) {
            asked.push(decodeURIComponent(path.replace(/^.*fieldSelector=([^&]*).*$/, "$1")));
            secretBytes += JSON.stringify(body).length;
          }
          return body;
        },
      };
      const r = await readCluster(recording);
      expect(asked).toEqual([
        "type=kubernetes.io/tls",
        "metadata.name=cacerts",
        "metadata.name=istio-ca-secret",
        "metadata.name=linkerd-identity-issuer",
      ]);
      expect(secretBytes).toBeLessThan(1_000_000);
      // The Secrets read are exactly the certificate Secrets a full list holds.
      const all = (await inner.get("/api/v1/secrets", 10_000)) as {
        items: { type?: string; metadata: { namespace: string; name: string } }[];
      };
      const wanted = all.items
        .filter(
          (x) =>
            x.type === "kubernetes.io/tls" ||
            ["cacerts", "istio-ca-secret", "linkerd-identity-issuer"].includes(x.metadata.name),
        )
        .map((x) => `${x.metadata.namespace}/${x.metadata.name}`)
        .sort();
      expect(wanted.length).toBeGreaterThan(0);
      expect(all.items.length).toBeGreaterThan(wanted.length + 9);
      const read = r.inputs.objects
        .filter((o) => o.object.kind === "Secret")
        .map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`);
      expect(read).toEqual(wanted);
      const snap = await base.read();
      expect(pkiFree(snap)).toEqual(pkiFree(baseSnap));
      expect(snap.certificates.map(certKey).sort()).toEqual(baseSnap.certificates.map(certKey).sort());
    } finally {
      base.demo.setFaults({});
    }
  });
});

describe("403 on one namespace's Secrets", () => {
  let t: TestDemo;
  beforeAll(async () => {
    t = await startTestDemo(); // default: the demo user may not read Secrets in vault
  }, 60_000);
  afterAll(async () => t?.stop());

  it("is a completeness entry and access.forbidden; every other namespace's certificates are present", async () => {
    const snap = await t.read();
    expect(snap.completeness).toEqual([
      expect.objectContaining({ kind: "Secret", namespace: "vault", reason: "forbidden" }),
    ]);
    expect(snap.completeness[0]!.message).toContain('cannot list resource "secrets"');
    const f = snap.findings.filter((x) => x.code === "access.forbidden");
    expect(f).toHaveLength(1);
    expect(f[0]!.resources).toEqual([{ kind: "Namespace", name: "vault" }]);
    expect(f[0]!.message).toContain("namespace vault");

    // The full demo's certificates, except those only held by Secrets in vault, all present.
    const onlyInVaultSecrets = (c: MeshSnapshot["certificates"][number]) =>
      c.sources.every((s) => s.kind === "Secret" && s.namespace === "vault");
    const notVault = (c: MeshSnapshot["certificates"][number]) => ({
      ...c,
      sources: c.sources.filter((s) => !(s.kind === "Secret" && s.namespace === "vault")),
    });
    const expected = baseSnap.certificates
      .filter((c) => !onlyInVaultSecrets(c))
      .map(notVault)
      .map(certKey)
      .sort();
    expect(expected.length).toBeLessThan(baseSnap.certificates.length);
    expect(snap.certificates.map(certKey).sort()).toEqual(expected);
    expect(pkiFree(snap)).toEqual(pkiFree(baseSnap));

    // And exactly what handshake analyze says about what the demo user can read, plus the access finding.
    const cli = await runCli([
      t.demo.stateDir,
      "--traffic",
      await windowedTraffic(t),
      "--now",
      t.now.toISOString(),
    ]);
    const files = JSON.parse(cli.stdout) as MeshSnapshot;
    expect(snap.certificates).toEqual(files.certificates);
    expect(snap.findings.filter((x) => x.code !== "access.forbidden")).toEqual(files.findings);
  });
});

describe("API version fallback", () => {
  let t: TestDemo;
  beforeAll(async () => {
    t = await startTestDemo({
      forbidden: [],
      istioVersions: { security: ["v1beta1"], networking: ["v1alpha3"] },
    });
  }, 60_000);
  afterAll(async () => t?.stop());

  it("reads security.istio.io v1beta1 and networking.istio.io v1alpha3 and gives the same policies", async () => {
    const read = await readCluster(t.transport());
    expect(read.stats.versions).toMatchObject({
      PeerAuthentication: "v1beta1",
      DestinationRule: "v1alpha3",
      ServiceEntry: "v1alpha3",
      Sidecar: "v1alpha3",
      Pod: "v1",
    });
    expect(read.completeness).toEqual([]);
    const snap = await t.read();
    expect(pkiFree(snap)).toEqual(pkiFree(baseSnap));
    expect(snap.findings.map((f) => `${f.code} ${JSON.stringify(f.resources)}`)).toEqual(
      baseSnap.findings.map((f) => `${f.code} ${JSON.stringify(f.resources)}`),
    );
  });
});

describe("pagination", () => {
  it("pages of 2 (limit + continue) give the same snapshot as pages of 500", async () => {
    const before = base.demo.requests.list;
    const paged = await base.read({ pageSize: 2 });
    expect(paged).toEqual(baseSnap);
    expect(base.demo.requests.list - before).toBeGreaterThan(40); // many pages, not one list per kind
  });
});

// A WebSocket port-forward is a GET upgrade: authorised as `get pods/portforward` before Kubernetes 1.35,
// and as `get` and `create` from 1.35. Denying either verb must cost only that namespace's proxies.
describe.each(["get", "create"])("port-forward forbidden in one namespace (verb %s denied)", (verb) => {
  let t: TestDemo;
  beforeAll(async () => {
    t = await startTestDemo({ forbidden: [{ resource: "pods/portforward", namespace: "billing", verb }] });
  }, 60_000);
  afterAll(async () => t?.stop());

  it("those proxies are access.proxy-unreachable (forbidden), the others are read", async () => {
    const snap = await t.read();
    const f = snap.findings.filter((x) => x.code === "access.proxy-unreachable");
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain("port-forward forbidden");
    expect(f[0]!.resources.length).toBeGreaterThan(0);
    expect(f[0]!.resources.every((r) => r.kind === "Pod" && r.namespace === "billing")).toBe(true);
    expect(snap.certificates.some((c) => c.source.kind === "proxy" && c.source.namespace === "billing")).toBe(
      false,
    );
    expect(snap.certificates.some((c) => c.source.kind === "proxy" && c.source.namespace === "shop")).toBe(
      true,
    );
    expect(pkiFree(snap)).toEqual(pkiFree(baseSnap));
  });

  it("the demo's 403 names the denied verb, as the API server's Status does", async () => {
    const pod = proxyTargets((await readCluster(t.transport())).inputs.objects).find(
      (p) => p.namespace === "billing",
    )!.pod;
    await expect(t.transport().podGet("billing", pod, 15000, "/config_dump", 5_000)).rejects.toMatchObject({
      reason: "forbidden",
    });
    const res = await rawUpgrade(t, `/api/v1/namespaces/billing/pods/${pod}/portforward?ports=15000`);
    expect(res.status).toBe(403);
    expect((JSON.parse(res.body) as { message: string }).message).toContain(
      `cannot ${verb} resource "pods/portforward"`,
    );
  });
});

/** A WebSocket upgrade request with the demo's client certificate; the refusal's status and body. */
async function rawUpgrade(t: TestDemo, path: string): Promise<{ status: number; body: string }> {
  const kc = new KubeConfig();
  kc.loadFromString(t.demo.kubeconfig);
  const user = kc.getCurrentUser()!;
  const cluster = kc.getCurrentCluster()!;
  const b = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString("utf8");
  return new Promise((resolve, reject) => {
    const req = httpsRequest(cluster.server + path, {
      method: "GET",
      ca: b(cluster.caData),
      cert: b(user.certData),
      key: b(user.keyData),
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Protocol": "v4.channel.k8s.io",
      },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("upgrade", () => reject(new Error("the upgrade was accepted")));
    req.on("error", reject);
    req.end();
  });
}
