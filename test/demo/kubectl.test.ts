// Acceptance: the real kubectl talks to the demo cluster with the kubeconfig it wrote.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInTmp, type Started } from "./support";

const KUBECTL = "/usr/bin/kubectl";
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl)
  console.warn(`SKIPPED: the kubectl acceptance tests need ${KUBECTL}, which is absent on this machine.`);

const run = promisify(execFile);

async function kubectl(
  s: Started,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      KUBECTL,
      ["--kubeconfig", s.cluster.kubeconfigPath, "--request-timeout=20s", ...args],
      {
        // A HOME of its own: no discovery cache or kubeconfig of the machine leaks into the test.
        env: { ...process.env, HOME: s.tmp, KUBECONFIG: "", KUBECACHEDIR: `${s.tmp}/kube-cache` },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : 1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

describe.skipIf(!hasKubectl)("real kubectl against the demo cluster", () => {
  let s: Started;
  beforeAll(async () => {
    s = await startInTmp();
  });
  afterAll(async () => {
    await s?.close();
  });

  it("gets PeerAuthentications in every namespace", async () => {
    const r = await kubectl(s, "get", "peerauthentications.security.istio.io", "-A");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/).slice(0, 2).join("/"));
    expect(rows[0]).toBe("NAMESPACE/NAME");
    expect(rows.slice(1).sort()).toEqual([
      "analytics/collector-no-mtls",
      "billing/default",
      "inventory/label-printer-strict",
      "inventory/nightly-batch",
      "inventory/stock-plaintext",
      "shop/default",
    ]);
  });

  it("gets every pod, and one as JSON with its sidecar", async () => {
    const r = await kubectl(s, "get", "pods", "-A");
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/).slice(0, 2).join("/"));
    expect(names).toContain("vault/vault-0");
    expect(names.filter((n) => n.startsWith("shop/frontend-"))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith("istio-system/ztunnel-"))).toHaveLength(2);
    const pod = names.find((n) => n.startsWith("shop/payments-"))!.split("/")[1]!;
    const j = await kubectl(s, "get", "pod", pod, "-n", "shop", "-o", "json");
    expect(j.code).toBe(0);
    const obj = JSON.parse(j.stdout) as {
      spec: { containers: { name: string }[] };
      status: { phase: string; podIP: string };
    };
    expect(obj.spec.containers.map((c) => c.name)).toEqual(["payments", "istio-proxy"]);
    expect(obj.status.phase).toBe("Running");
  });

  it("answers Forbidden for the vault namespace's Secrets", async () => {
    const r = await kubectl(s, "get", "secrets", "-n", "vault");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Forbidden");
    expect(r.stderr).toContain(
      'User "demo" cannot list resource "secrets" in API group "" in the namespace "vault"',
    );
  });

  it("filters Secrets by field selector as the API server does (type, metadata.name; other fields refused)", async () => {
    const tls = await kubectl(
      s,
      "get",
      "secrets",
      "-n",
      "shop",
      "--field-selector",
      "type=kubernetes.io/tls",
      "-o",
      'jsonpath={range .items[*]}{.type}{"\\n"}{end}',
    );
    expect(tls.code).toBe(0);
    const types = tls.stdout.trim().split("\n").filter(Boolean);
    expect(types.length).toBeGreaterThan(0);
    expect(new Set(types)).toEqual(new Set(["kubernetes.io/tls"]));
    const named = await kubectl(
      s,
      "get",
      "secrets",
      "-n",
      "istio-system",
      "--field-selector",
      "metadata.name=cacerts",
      "-o",
      "name",
    );
    expect(named.code).toBe(0);
    expect(named.stdout.trim()).toBe("secret/cacerts");
    const refused = await kubectl(s, "get", "secrets", "-n", "shop", "--field-selector", "spec.x=1");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("field label not supported: spec.x");
  });

  it("tells kubectl a kind the cluster does not serve does not exist", async () => {
    const r = await kubectl(s, "get", "widgets.example.com", "-A");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`the server doesn't have a resource type "widgets"`);
  });
});
