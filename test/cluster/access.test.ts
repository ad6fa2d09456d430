// access.forbidden and access.proxy-unreachable (findings.md "Visibility and input"): each fires on what
// the cluster reader reports and names it precisely; near misses (other completeness reasons, nothing
// unreachable) stay silent. Also the loader entry points the reader feeds API objects and dumps through.
import { describe, expect, it } from "vitest";
import { resourceOf } from "../../lib/core/findings/rules/access";
import { loadConfigDump, loadObject } from "../../lib/core/load/parseManifests";
import { analyze } from "../../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type Completeness, type MeshSnapshot } from "../../lib/core/snapshot/schema";
import type { UnreachableProxy } from "../../lib/core/findings/context";
import { deploy, findingsOf, injected, loaded, NOW } from "../kit";
import { internalErrors } from "../support/mutation";

function runWith(completeness: Completeness[], unreachableProxies: UnreachableProxy[] = []): MeshSnapshot {
  const objects = loaded([injected("shop"), deploy("shop", "web")]);
  const s = analyze(
    { objects, configDumps: [], problems: [] },
    { now: NOW, source: { type: "demo", context: "demo" }, completeness, unreachableProxies },
  );
  MeshSnapshotSchema.parse(s);
  expect(internalErrors(s)).toEqual([]);
  return s;
}

describe("access.forbidden (info)", () => {
  it.each([
    {
      kind: "Secret",
      namespace: "vault",
      expectRes: [{ kind: "Namespace", name: "vault" }],
      expectText: ["Secret", "namespace vault", "CA and TLS Secrets"],
      fixText: "secrets in vault",
    },
    {
      kind: "PeerAuthentication",
      namespace: "shop",
      expectRes: [{ kind: "Namespace", name: "shop" }],
      expectText: ["PeerAuthentication", "namespace shop"],
      fixText: "peerauthentications in shop",
    },
    {
      kind: "ClusterIssuer",
      namespace: undefined,
      expectRes: [],
      expectText: ["ClusterIssuer", "cluster-wide"],
      fixText: "clusterissuers",
    },
  ])(
    "fires once per forbidden $kind in $namespace, naming kind and namespace",
    ({ kind, namespace, expectRes, expectText, fixText }) => {
      const c: Completeness = { kind, reason: "forbidden", message: `${resourceOf(kind)} is forbidden` };
      if (namespace !== undefined) c.namespace = namespace;
      const s = runWith([c]);
      const fs = findingsOf(s, "access.forbidden");
      expect(fs).toHaveLength(1);
      const f = fs[0]!;
      expect(f.severity).toBe("info");
      expect(f.title).toBe("Could not read (forbidden)");
      expect(f.resources).toEqual(expectRes);
      for (const t of expectText) expect(f.message).toContain(t);
      expect(f.message).toContain("403");
      expect(f.fix).toContain(fixText);
      // The completeness entry itself is kept in the snapshot.
      expect(s.completeness).toContainEqual(c);
    },
  );

  it.each([
    { reason: "timeout" as const },
    { reason: "error" as const },
    { reason: "not-found" as const },
    { reason: "invalid" as const },
  ])("stays silent for completeness reason $reason", ({ reason }) => {
    const s = runWith([{ kind: "Secret", namespace: "vault", reason, message: "x" }]);
    expect(findingsOf(s, "access.forbidden")).toEqual([]);
  });

  it("groups a kind's forbidden namespaces into one finding per kind", () => {
    const s = runWith([
      { kind: "Secret", namespace: "vault", reason: "forbidden", message: "a" },
      { kind: "Secret", namespace: "alpha", reason: "forbidden", message: "b" },
      { kind: "ConfigMap", namespace: "vault", reason: "forbidden", message: "c" },
    ]);
    const fs = findingsOf(s, "access.forbidden");
    expect(fs).toHaveLength(2);
    const secrets = fs.find((f) => f.message.startsWith("Secret "))!;
    const configMaps = fs.find((f) => f.message.startsWith("ConfigMap "))!;
    expect(secrets.resources.map((r) => r.name)).toEqual(["alpha", "vault"]);
    expect(configMaps.resources.map((r) => r.name)).toEqual(["vault"]);
    expect(secrets.message).toContain("Secret objects could not be read in 2 namespaces (alpha and vault)");
    // Completeness keeps one entry per namespace (contract).
    expect(s.completeness.filter((c) => c.kind === "Secret")).toHaveLength(2);
  });

  it("500 namespaces with Secrets forbidden give one finding naming the first five and a count, all as resources", () => {
    const names = Array.from({ length: 500 }, (_, i) => `team-${String(i).padStart(3, "0")}`);
    const s = runWith(
      names.map((namespace) => ({
        kind: "Secret",
        namespace,
        reason: "forbidden" as const,
        message: "secrets is forbidden",
      })),
    );
    const fs = findingsOf(s, "access.forbidden");
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toContain(
      "in 500 namespaces (team-000, team-001, team-002, team-003, team-004 and 495 more)",
    );
    expect(fs[0]!.resources).toHaveLength(500);
    expect(s.completeness).toHaveLength(500);
  });

  it("when every namespace of the cluster is forbidden, one cluster-wide finding", () => {
    const nsNames = ["alpha", "beta", "shop"];
    const objects = loaded([...nsNames.map(injected), deploy("shop", "web")]);
    const completeness: Completeness[] = nsNames.map((namespace) => ({
      kind: "Secret",
      namespace,
      reason: "forbidden",
      message: "secrets is forbidden",
    }));
    const s = analyze(
      { objects, configDumps: [], problems: [] },
      { now: NOW, source: { type: "demo", context: "demo" }, completeness },
    );
    const fs = findingsOf(s, "access.forbidden");
    expect(fs).toHaveLength(1);
    expect(fs[0]!.resources).toEqual([]);
    expect(fs[0]!.message).toContain("in any namespace (all 3)");
    expect(fs[0]!.fix).toContain("kubectl auth can-i list secrets -A");
    expect(s.completeness).toHaveLength(3);
  });
});

describe("access.proxy-unreachable (warning)", () => {
  it("names how many proxies and why, grouped by reason, with the pods as resources", () => {
    const s = runWith(
      [],
      [
        { namespace: "shop", pod: "web-2", reason: "timed out after 5 s" },
        { namespace: "shop", pod: "web-1", reason: "timed out after 5 s" },
        { namespace: "pay", pod: "api-1", reason: "connection refused" },
      ],
    );
    const fs = findingsOf(s, "access.proxy-unreachable");
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.severity).toBe("warning");
    expect(f.message).toContain("3 proxies");
    expect(f.message).toContain("2 timed out after 5 s (shop/web-1 and shop/web-2)");
    expect(f.message).toContain("1 connection refused (pay/api-1)");
    expect(f.resources).toEqual([
      { kind: "Pod", namespace: "pay", name: "api-1" },
      { kind: "Pod", namespace: "shop", name: "web-1" },
      { kind: "Pod", namespace: "shop", name: "web-2" },
    ]);
    expect(f.fix).toContain("pods/portforward");
  });

  it("says proxy (singular) for one", () => {
    const f = findingsOf(
      runWith([], [{ namespace: "shop", pod: "web-1", reason: "HTTP 503" }]),
      "access.proxy-unreachable",
    )[0]!;
    expect(f.message).toContain("1 proxy could not");
  });

  it.each([
    { miss: "no proxy unreachable", proxies: [] as UnreachableProxy[], completeness: [] as Completeness[] },
    {
      miss: "only a forbidden list",
      proxies: [] as UnreachableProxy[],
      completeness: [{ kind: "Secret", namespace: "vault", reason: "forbidden" as const, message: "x" }],
    },
  ])("stays silent with $miss", ({ proxies, completeness }) => {
    expect(findingsOf(runWith(completeness, proxies), "access.proxy-unreachable")).toEqual([]);
  });
});

describe("loader entry points for API values", () => {
  const at = { file: "/api/v1/namespaces/x/secrets/s" };
  it("loadObject takes kind and apiVersion from the list, and scrubs Secret keys", () => {
    const item = {
      metadata: { name: "s", namespace: "x", managedFields: [{}] },
      type: "kubernetes.io/tls",
      data: { "tls.crt": "Y2VydA==", "tls.key": "a2V5" },
    };
    const out = loadObject(item, at, { kind: "Secret", apiVersion: "v1" });
    expect(out.problems).toEqual([]);
    const o = out.objects[0]!.object;
    expect(o.kind).toBe("Secret");
    expect(o.apiVersion).toBe("v1");
    expect(o.data).toEqual({ "tls.crt": "Y2VydA==" });
    expect(o.metadata).not.toHaveProperty("managedFields");
  });
  it("loadObject reports a nameless object and a non-object, naming where", () => {
    expect(loadObject({ metadata: {} }, at, { kind: "Pod" }).problems[0]).toMatchObject({
      file: at.file,
      field: "metadata.name",
    });
    expect(loadObject("x", at).problems[0]?.message).toContain("not a Kubernetes object");
  });
  it("loadConfigDump ties the dump to the pod it came from and drops private keys", () => {
    const body = {
      configs: [
        {
          "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
          dynamic_active_secrets: [
            { name: "default", secret: { tls_certificate: { private_key: { inline_bytes: "c2VjcmV0" } } } },
          ],
        },
      ],
    };
    const out = loadConfigDump(
      body,
      { namespace: "shop", name: "web-1" },
      { file: "shop/web-1:15000/config_dump" },
    );
    expect(out.configDumps[0]?.pod).toEqual({ namespace: "shop", name: "web-1" });
    expect(JSON.stringify(out.configDumps[0]?.body)).not.toContain("c2VjcmV0");
  });
  it("loadConfigDump reports a body that is no dump", () => {
    const out = loadConfigDump({ hello: 1 }, { namespace: "shop", name: "web-1" }, { file: "f" });
    expect(out.configDumps).toEqual([]);
    expect(out.problems[0]?.message).toContain("shop/web-1");
  });
});
