// The demo's state folder (what it serves, written for comparison with `handshake analyze`) is private
// to the user (0700 / 0600) and holds no private key, while the API still serves the Secrets whole, as a
// real cluster does.
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAULT_OBJECTS_FILE } from "../../lib/demo";
import { startTestDemo, type TestDemo } from "../cluster/support";

let t: TestDemo;
beforeAll(async () => {
  t = await startTestDemo({ forbidden: [] });
}, 60_000);
afterAll(async () => t?.stop());

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(p, ...(await files(p)));
    else out.push(p);
  }
  return out;
}

describe("demo state files", () => {
  it("the folders are 0700 and the files 0600", async () => {
    expect((await stat(t.demo.stateDir)).mode & 0o777).toBe(0o700);
    const all = await files(t.demo.stateDir);
    expect(all.length).toBeGreaterThan(10);
    for (const f of all) {
      const st = await stat(f);
      expect({ f, mode: st.mode & 0o777 }).toEqual({ f, mode: st.isDirectory() ? 0o700 : 0o600 });
    }
    expect((await stat(t.demo.kubeconfigPath)).mode & 0o777).toBe(0o600);
  });

  it("hold no private key, while the API serves the TLS Secrets with their keys", async () => {
    const all = (await files(t.demo.stateDir)).filter((f) => !f.endsWith("proxies"));
    let tlsSecrets = 0;
    for (const f of all) {
      const text = await readFile(f, "utf8");
      expect(text).not.toMatch(/^\s*(tls\.key|ca-key\.pem|key\.pem):/m);
      const decoded = [...text.matchAll(/:\s*([A-Za-z0-9+/=]{40,})\s*$/gm)].map((m) =>
        Buffer.from(m[1]!, "base64").toString("latin1"),
      );
      expect(decoded.filter((d) => d.includes("PRIVATE KEY"))).toEqual([]);
      tlsSecrets += (text.match(/type: kubernetes\.io\/tls/g) ?? []).length;
    }
    expect(tlsSecrets).toBeGreaterThan(0);
    const served = (await t.transport().get("/api/v1/secrets", 5_000)) as {
      items: { type?: string; data?: Record<string, string> }[];
    };
    expect(
      served.items.some((s) => s.type === "kubernetes.io/tls" && typeof s.data?.["tls.key"] === "string"),
    ).toBe(true);
  });
});

describe("fault objects file", () => {
  it("exists only while fault objects are set, holding them; cleared faults remove it", async () => {
    const file = join(t.demo.stateDir, FAULT_OBJECTS_FILE);
    expect(existsSync(file)).toBe(false); // no placeholder at start
    const pa = {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "fault-pa", namespace: "shop" },
      spec: { mtls: { mode: "DISABLE" } },
    };
    t.demo.setFaults({ extraObjects: [pa] });
    const text = await readFile(file, "utf8");
    expect(text).toContain("name: fault-pa");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    t.demo.setFaults({});
    expect(existsSync(file)).toBe(false);
    t.demo.setFaults({}); // clearing again is fine
    expect(existsSync(file)).toBe(false);
  });
});
