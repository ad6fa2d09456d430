// An identity bound in one namespace (reviews/server.md #3): it may not list namespaces nor anything
// cluster-wide, but its kubeconfig context names its namespace. The reader then reads that namespace's
// lists, as `kubectl get pods` does, instead of reporting every kind forbidden and reading nothing.
import { describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { readCluster } from "../../lib/server/kube/readCluster";
import { KubeError, kubeTransport, type KubeTransport } from "../../lib/server/kube/transport";

const forbidden = (path: string) =>
  new KubeError("forbidden", `GET ${path} is forbidden (a RoleBinding in team-a only)`, 403);

/** An API server that answers only team-a's namespaced lists (and discovery), 403 for everything else. */
function teamOnly(contextNamespace?: string): KubeTransport & { asked: string[] } {
  const asked: string[] = [];
  const items: Record<string, unknown[]> = {
    pods: [
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web-1", namespace: "team-a", labels: { app: "web" } },
        spec: { containers: [{ name: "web" }] },
        status: { phase: "Running" },
      },
    ],
    services: [
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: "team-a" },
        spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
      },
    ],
  };
  return {
    asked,
    ...(contextNamespace !== undefined ? { contextNamespace } : {}),
    async get(path) {
      asked.push(path.replace(/\?.*/, ""));
      if (path === "/apis") return { groups: [] };
      const m = /^\/api\/v1\/namespaces\/team-a\/([a-z]+)\?/.exec(path);
      if (m) return { items: items[m[1]!] ?? [], metadata: {} };
      throw forbidden(path);
    },
    credentials: async () => undefined,
    podGet: () => Promise.reject(new KubeError("forbidden", "port-forward forbidden", 403)),
  };
}

describe("an identity bound in its context's namespace", () => {
  it("reads that namespace's objects; the Namespace list and every kind's cluster-wide 403 stay reported (reviews/server2.md #1)", async () => {
    const t = teamOnly("team-a");
    const r = await readCluster(t, { pageSize: 50 });
    expect(
      r.inputs.objects
        .map((o) => `${o.object.kind} ${o.object.metadata.namespace}/${o.object.metadata.name}`)
        .sort(),
    ).toEqual(["Pod team-a/web-1", "Service team-a/web"]);
    expect(r.completeness.find((c) => c.kind === "Namespace")).toMatchObject({ reason: "forbidden" });
    // Every namespaced kind was asked in team-a after its cluster-wide 403.
    for (const p of ["pods", "services", "configmaps", "secrets"])
      expect(t.asked).toContain(`/api/v1/namespaces/team-a/${p}`);
    // Nothing is reported forbidden in team-a itself; every kind is still forbidden cluster-wide, so the
    // snapshot does not read as complete.
    expect(r.completeness.filter((c) => c.namespace === "team-a")).toEqual([]);
    expect(
      r.completeness
        .filter((c) => c.namespace === undefined && c.reason === "forbidden")
        .map((c) => c.kind)
        .sort(),
    ).toEqual(["ConfigMap", "Namespace", "Pod", "Secret", "Service"]);
  });

  it("an identity that may not list its own namespace either: cluster-wide entries only, none for the namespace", async () => {
    const t = teamOnly("default");
    const r = await readCluster(t, { pageSize: 50 });
    expect(r.inputs.objects).toEqual([]);
    expect(
      r.completeness.map((c) => `${c.kind} ${c.namespace ?? "(cluster-wide)"} ${c.reason}`).sort(),
    ).toEqual([
      "ConfigMap (cluster-wide) forbidden",
      "Namespace (cluster-wide) forbidden",
      "Pod (cluster-wide) forbidden",
      "Secret (cluster-wide) forbidden",
      "Service (cluster-wide) forbidden",
    ]);
  });

  it("near miss: with no context namespace, nothing is read and every kind is reported forbidden cluster-wide (as before)", async () => {
    const t = teamOnly();
    const r = await readCluster(t, { pageSize: 50 });
    expect(r.inputs.objects).toEqual([]);
    expect(r.completeness.map((c) => c.kind).sort()).toEqual([
      "ConfigMap",
      "Namespace",
      "Pod",
      "Secret",
      "Service",
    ]);
    expect(t.asked.some((p) => p.includes("/namespaces/team-a/"))).toBe(false);
  });
});

describe("the context's namespace", () => {
  const kc = (namespace?: string) => {
    const k = new KubeConfig();
    k.loadFromOptions({
      clusters: [{ name: "c", server: "https://127.0.0.1:1", skipTLSVerify: false }],
      users: [{ name: "u", token: "t" }],
      contexts: [
        { name: "team", cluster: "c", user: "u", ...(namespace !== undefined ? { namespace } : {}) },
      ],
      currentContext: "team",
    });
    return k;
  };
  it("is the transport's contextNamespace; none when the context names none or a blank one", () => {
    expect(kubeTransport(kc("team-a")).contextNamespace).toBe("team-a");
    expect(kubeTransport(kc()).contextNamespace).toBeUndefined();
    expect(kubeTransport(kc("  ")).contextNamespace).toBeUndefined();
  });
});
