// The demo cluster over real HTTPS with client certificates: discovery, list/get with pagination,
// Status answers (401, 403, 404, 503), API-version options, fault objects, and pods/portforward
// through @kubernetes/client-node's PortForward to the simulated proxy admins.
import { CoreV1Api, KubeConfig, PortForward } from "@kubernetes/client-node";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { get as httpGet } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { parseManifestText } from "../../lib/core/load/parseManifests";
import { httpsGet, startInTmp, type ListBody, type Started } from "./support";

let s: Started;
beforeAll(async () => {
  s = await startInTmp();
});
afterAll(async () => {
  await s?.close();
});

const items = (a: { body: unknown }) => (a.body as ListBody).items;
const podsOf = async (ns: string) =>
  items(await httpsGet(s, `/api/v1/namespaces/${ns}/pods`)).map((p) => p.metadata.name);

describe("authentication", () => {
  it("answers 401 Status without a client certificate", async () => {
    const a = await httpsGet(s, "/api/v1/pods", "none");
    expect(a.status).toBe(401);
    expect(a.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Unauthorized", code: 401 });
  });

  it("answers 401 to a client certificate the cluster CA did not sign", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keys = {
      privateKey: await crypto.subtle.importKey(
        "pkcs8",
        privateKey.export({ format: "der", type: "pkcs8" }),
        { name: "ECDSA", namedCurve: "P-256" },
        true,
        ["sign"],
      ),
      publicKey: await crypto.subtle.importKey(
        "spki",
        publicKey.export({ format: "der", type: "spki" }),
        { name: "ECDSA", namedCurve: "P-256" },
        true,
        ["verify"],
      ),
    };
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=demo",
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 3600_000),
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      keys,
    });
    const a = await httpsGet(s, "/api/v1/pods", {
      cert: cert.toString("pem"),
      key: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    });
    expect(a.status).toBe(401);
    expect(a.body).toMatchObject({ kind: "Status", reason: "Unauthorized" });
  });

  it("writes a kubeconfig whose context, cluster and user are all named demo", () => {
    expect(s.cluster.kubeconfig).toContain("current-context: demo");
    const kc = new KubeConfig();
    kc.loadFromString(s.cluster.kubeconfig);
    expect(kc.getCurrentContext()).toBe("demo");
    expect(kc.getCurrentCluster()?.name).toBe("demo");
    expect(kc.getCurrentCluster()?.server).toBe(s.cluster.url);
    expect(kc.getCurrentUser()?.name).toBe("demo");
    expect(new X509Certificate(s.creds.cert).subject).toContain("CN=demo");
  });
});

describe("discovery", () => {
  it("serves /version, /api and /api/v1 with pods and pods/portforward", async () => {
    expect((await httpsGet(s, "/version")).body).toMatchObject({ major: "1", minor: "32" });
    expect((await httpsGet(s, "/api")).body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const v1 = await httpsGet(s, "/api/v1");
    expect(v1.contentType).toBe("application/json");
    const res = (
      v1.body as { resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[] }
    ).resources;
    expect(res.find((r) => r.name === "pods")).toMatchObject({
      namespaced: true,
      kind: "Pod",
      verbs: ["get", "list", "watch"],
    });
    expect(res.find((r) => r.name === "namespaces")).toMatchObject({ namespaced: false, kind: "Namespace" });
    expect(res.find((r) => r.name === "pods/portforward")?.verbs).toContain("create");
  });

  it("lists the API groups with their versions, preferred first", async () => {
    const body = (await httpsGet(s, "/apis")).body as {
      kind: string;
      groups: { name: string; versions: { version: string }[]; preferredVersion: { version: string } }[];
    };
    expect(body.kind).toBe("APIGroupList");
    const g = Object.fromEntries(body.groups.map((x) => [x.name, x.versions.map((v) => v.version)]));
    expect(g["security.istio.io"]).toEqual(["v1", "v1beta1"]);
    expect(g["networking.istio.io"]).toEqual(["v1", "v1beta1", "v1alpha3"]);
    for (const name of ["apps", "batch", "cert-manager.io", "policy.linkerd.io"])
      expect(g[name]).toBeDefined();
  });

  it("describes each group version's resources", async () => {
    const body = (await httpsGet(s, "/apis/security.istio.io/v1beta1")).body as {
      groupVersion: string;
      resources: object[];
    };
    expect(body.groupVersion).toBe("security.istio.io/v1beta1");
    expect(body.resources).toContainEqual(
      expect.objectContaining({
        name: "peerauthentications",
        singularName: "peerauthentication",
        namespaced: true,
        kind: "PeerAuthentication",
      }),
    );
  });

  it("answers 404 Status for an unknown group, version or resource", async () => {
    for (const path of [
      "/apis/widgets.example.com/v1",
      "/apis/widgets.example.com/v1/widgets",
      "/apis/security.istio.io/v2/peerauthentications",
      "/api/v1/gizmos",
      "/nothing",
    ]) {
      const a = await httpsGet(s, path);
      expect(a.status, path).toBe(404);
      expect(a.body, path).toMatchObject({
        kind: "Status",
        status: "Failure",
        reason: "NotFound",
        code: 404,
      });
    }
  });
});

describe("list and get", () => {
  it("pages with limit and continue: every item exactly once, with the list's resourceVersion", async () => {
    const all = items(await httpsGet(s, "/api/v1/pods")).map(
      (p) => `${p.metadata.namespace}/${p.metadata.name}`,
    );
    expect(all.length).toBeGreaterThan(20);
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const a = await httpsGet(
        s,
        `/api/v1/pods?limit=7${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`,
      );
      const body = a.body as ListBody;
      expect(body.kind).toBe("PodList");
      expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(body.items.length).toBeLessThanOrEqual(7);
      seen.push(...body.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
      cont = body.metadata.continue;
      pages++;
    } while (cont);
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("pages through @kubernetes/client-node the same way", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(s.cluster.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 5, _continue: cont });
      names.push(...page.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
      cont = page.metadata?._continue;
    } while (cont);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(`shop/${(await podsOf("shop")).find((n) => n.startsWith("payments-"))}`);
  });

  it("refuses a continue token that is not one", async () => {
    const a = await httpsGet(s, "/api/v1/pods?limit=2&continue=bm90LWEtdG9rZW4");
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({ kind: "Status", reason: "BadRequest" });
  });

  it("gets namespaced and cluster-scoped objects, and 404s a missing one", async () => {
    const pa = await httpsGet(s, "/apis/security.istio.io/v1/namespaces/shop/peerauthentications/default");
    expect(pa.body).toMatchObject({
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      spec: { mtls: { mode: "STRICT" } },
    });
    const ns = await httpsGet(s, "/api/v1/namespaces/billing");
    expect(ns.body).toMatchObject({
      kind: "Namespace",
      metadata: { name: "billing", labels: { "istio-injection": "enabled" } },
    });
    const missing = await httpsGet(s, "/api/v1/namespaces/shop/pods/nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      kind: "Status",
      reason: "NotFound",
      message: 'pods "nope" not found',
      details: { name: "nope", kind: "pods" },
    });
  });

  it("serves a CRD in each of its versions", async () => {
    const a = items(await httpsGet(s, "/apis/networking.istio.io/v1alpha3/destinationrules"));
    expect(a.length).toBeGreaterThan(0);
    expect(new Set(a.map((d) => d.apiVersion))).toEqual(new Set(["networking.istio.io/v1alpha3"]));
    expect(a.map((d) => `${d.metadata.namespace}/${d.metadata.name}`)).toContain("reports/payments-no-tls");
  });

  it("answers 403 with the API server's message for the vault namespace's Secrets, also cluster-wide", async () => {
    const ns = await httpsGet(s, "/api/v1/namespaces/vault/secrets");
    expect(ns.status).toBe(403);
    expect(ns.body).toMatchObject({
      kind: "Status",
      reason: "Forbidden",
      code: 403,
      message:
        'secrets is forbidden: User "demo" cannot list resource "secrets" in API group "" in the namespace "vault"',
    });
    const all = await httpsGet(s, "/api/v1/secrets");
    expect(all.status).toBe(403);
    expect((all.body as { message: string }).message).toBe(
      'secrets is forbidden: User "demo" cannot list resource "secrets" in API group "" at the cluster scope',
    );
    const one = await httpsGet(s, "/api/v1/namespaces/vault/secrets/vault-tls");
    expect(one.status).toBe(403);
    // Other namespaces' Secrets stay readable, and they hold the generated certificates.
    const shop = items(await httpsGet(s, "/api/v1/namespaces/shop/secrets")).map((x) => x.metadata.name);
    expect(shop).toContain("payments-gateway-tls");
  });

  it("counts requests by kind", async () => {
    const before = { ...s.cluster.requests };
    await httpsGet(s, "/api/v1/namespaces/shop/pods");
    await httpsGet(s, "/api/v1/namespaces/shop/pods/nope");
    await httpsGet(s, "/apis");
    expect(s.cluster.requests.list).toBe(before.list + 1);
    expect(s.cluster.requests.get).toBe(before.get + 1);
    expect(s.cluster.requests.total).toBe(before.total + 3);
  });
});

// ---------------------------------------------------------------------------------------------
// port-forward

interface Forward {
  port: number;
  server: Server;
  errors: string[];
}

/** A local TCP port whose connections are forwarded (like `kubectl port-forward`) to pod:15000. */
async function forward(ns: string, pod: string, remotePort = 15000): Promise<Forward> {
  const kc = new KubeConfig();
  kc.loadFromString(s.cluster.kubeconfig);
  const pf = new PortForward(kc);
  const errors: string[] = [];
  const server = createServer((socket) => {
    const err = new PassThrough();
    err.on("data", (d: Buffer) => errors.push(d.toString()));
    pf.portForward(ns, pod, [remotePort], socket, err, socket).then(
      (ws) => {
        const w = ws as { on?: (e: string, f: () => void) => void };
        w.on?.("close", () => socket.destroy());
        socket.on("close", () => (ws as { close?: () => void }).close?.());
      },
      (e: unknown) => {
        errors.push(String(e));
        socket.destroy();
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, server, errors };
}

function localGet(
  port: number,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; text: string } | "timeout" | "closed"> {
  return new Promise((resolve) => {
    const req = httpGet({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.setTimeout(timeoutMs, () => {
      resolve("timeout");
      req.destroy();
    });
    req.on("error", () => resolve("closed"));
  });
}

const SECRETS_PATH = "/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets";

describe("pods/portforward", () => {
  it("returns a sidecar's config dump that the core loader ties to the pod, with the pod's SPIFFE leaf", async () => {
    const pod = (await podsOf("shop")).find((n) => n.startsWith("payments-"))!;
    const f = await forward("shop", pod);
    try {
      const before = s.cluster.requests.portforward;
      const a = await localGet(f.port, SECRETS_PATH);
      if (typeof a === "string") throw new Error(`port-forward ${a}: ${f.errors.join("; ")}`);
      expect(a.status).toBe(200);
      expect(s.cluster.requests.portforward).toBe(before + 1);
      const parsed = parseManifestText(a.text, "dump.json");
      expect(parsed.problems).toEqual([]);
      expect(parsed.configDumps).toHaveLength(1);
      expect(parsed.configDumps[0]).toMatchObject({ kind: "envoy", pod: { name: pod, namespace: "shop" } });
      const dump = JSON.parse(a.text) as {
        configs: {
          dynamic_active_secrets?: {
            name: string;
            secret: {
              tls_certificate?: {
                certificate_chain: { inline_bytes: string };
                private_key: { inline_bytes: string };
              };
            };
          }[];
        }[];
      };
      const def = dump.configs
        .flatMap((c) => c.dynamic_active_secrets ?? [])
        .find((x) => x.name === "default")!;
      const pem = Buffer.from(
        def.secret.tls_certificate!.certificate_chain.inline_bytes,
        "base64",
      ).toString();
      expect(new X509Certificate(pem).subjectAltName).toBe("URI:spiffe://cluster.local/ns/shop/sa/payments");
      expect(Buffer.from(def.secret.tls_certificate!.private_key.inline_bytes, "base64").toString()).toBe(
        "[redacted]",
      );
    } finally {
      f.server.close();
    }
  });

  it("returns ztunnel's certificates for the ambient pods on its node", async () => {
    const zt = (await podsOf("istio-system")).filter((n) => n.startsWith("ztunnel-"));
    expect(zt).toHaveLength(2);
    const identities: string[] = [];
    for (const pod of zt) {
      const f = await forward("istio-system", pod);
      try {
        const a = await localGet(f.port, "/config_dump");
        if (typeof a === "string") throw new Error(`port-forward ${a}`);
        const parsed = parseManifestText(a.text, `${pod}.istio-system.json`);
        expect(parsed.configDumps[0]).toMatchObject({
          kind: "ztunnel",
          pod: { name: pod, namespace: "istio-system" },
        });
        identities.push(
          ...(JSON.parse(a.text) as { certificates: { identity: string }[] }).certificates.map(
            (c) => c.identity,
          ),
        );
      } finally {
        f.server.close();
      }
    }
    expect(new Set(identities)).toEqual(
      new Set([
        "spiffe://cluster.local/ns/analytics/sa/collector",
        "spiffe://cluster.local/ns/analytics/sa/dashboard",
      ]),
    );
  });

  it("reports on the error channel when the pod has no proxy admin, and closes", async () => {
    const pod = (await podsOf("legacy")).find((n) => n.startsWith("importer-"))!;
    const f = await forward("legacy", pod);
    try {
      const a = await localGet(f.port, SECRETS_PATH, 3000);
      expect(a).toBe("closed");
      expect(f.errors.join("")).toMatch(
        /error forwarding port 15000 to pod legacy\/importer-.*connection refused/,
      );
    } finally {
      f.server.close();
    }
  });

  it("refuses a port-forward to a pod that does not exist", async () => {
    const a = await httpsGet(s, "/api/v1/namespaces/shop/pods/ghost/portforward?ports=15000");
    expect(a.status).toBe(404);
    expect(a.body).toMatchObject({ kind: "Status", reason: "NotFound" });
  });

  it("a hanging proxy accepts the port-forward and never answers", async () => {
    const pod = (await podsOf("shop")).find((n) => n.startsWith("cart-"))!;
    s.cluster.setFaults({ hangingProxies: [`shop/${pod}`] });
    const f = await forward("shop", pod);
    try {
      expect(await localGet(f.port, SECRETS_PATH, 800)).toBe("timeout");
      expect(f.errors).toEqual([]);
    } finally {
      f.server.close();
      s.cluster.setFaults({});
    }
    // The same pod answers again once the fault is lifted.
    const g = await forward("shop", pod);
    try {
      const a = await localGet(g.port, SECRETS_PATH);
      expect(typeof a === "string" ? a : a.status).toBe(200);
    } finally {
      g.server.close();
    }
  });
});

describe("faults and options", () => {
  it("serves fault objects inside list answers, and 503 when down", async () => {
    s.cluster.setFaults({
      extraObjects: [
        {
          apiVersion: "security.istio.io/v1",
          kind: "PeerAuthentication",
          metadata: { name: "broken", namespace: "billing" },
          spec: { mtls: { mode: 42 } },
        },
      ],
    });
    try {
      const pas = items(
        await httpsGet(s, "/apis/security.istio.io/v1/namespaces/billing/peerauthentications"),
      );
      expect(pas.map((p) => p.metadata.name)).toEqual(["default", "broken"]);
      s.cluster.setFaults({ down: true });
      const down = await httpsGet(s, "/api/v1/pods");
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ kind: "Status", reason: "ServiceUnavailable" });
    } finally {
      s.cluster.setFaults({});
    }
    expect((await httpsGet(s, "/api/v1/pods")).status).toBe(200);
  });

  it("serves only the Istio versions asked for, and other forbidden pairs", async () => {
    const t = await startInTmp({
      istioVersions: { security: ["v1beta1"], networking: ["v1alpha3"] },
      forbidden: [{ resource: "configmaps", namespace: "linkerd" }],
    });
    try {
      expect((await httpsGet(t, "/apis/security.istio.io/v1/peerauthentications")).status).toBe(404);
      const pas = items(await httpsGet(t, "/apis/security.istio.io/v1beta1/peerauthentications"));
      expect(pas.length).toBe(6);
      expect(pas.every((p) => p.apiVersion === "security.istio.io/v1beta1")).toBe(true);
      expect((await httpsGet(t, "/apis/networking.istio.io/v1beta1/destinationrules")).status).toBe(404);
      expect((await httpsGet(t, "/api/v1/namespaces/linkerd/configmaps")).status).toBe(403);
      expect((await httpsGet(t, "/api/v1/namespaces/vault/secrets")).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
