// Helpers for the demo cluster tests: a started cluster in a temporary folder, and raw HTTPS
// requests with (or without) the kubeconfig's client certificate.
import { request } from "node:https";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { startDemoCluster, type DemoCluster, type DemoClusterOptions } from "../../lib/demo/index";

export interface Started {
  cluster: DemoCluster;
  tmp: string;
  creds: { ca: string; cert: string; key: string };
  close(): Promise<void>;
}

export async function startInTmp(opts: DemoClusterOptions = {}): Promise<Started> {
  const tmp = await mkdtemp(join(tmpdir(), "handshake-demo-"));
  const cluster = await startDemoCluster({ kubeconfigPath: join(tmp, "kubeconfig.yaml"), ...opts });
  const kc = yaml.load(cluster.kubeconfig) as {
    clusters: { cluster: { "certificate-authority-data": string } }[];
    users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
  };
  const d = (s: string) => Buffer.from(s, "base64").toString("utf8");
  const creds = {
    ca: d(kc.clusters[0]!.cluster["certificate-authority-data"]),
    cert: d(kc.users[0]!.user["client-certificate-data"]),
    key: d(kc.users[0]!.user["client-key-data"]),
  };
  return {
    cluster,
    tmp,
    creds,
    async close() {
      await cluster.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
}

export function httpsGet(
  s: Started,
  path: string,
  auth: "client-cert" | "none" | { cert: string; key: string } = "client-cert",
): Promise<Answer> {
  const url = new URL(path, s.cluster.url);
  const client =
    auth === "client-cert" ? { cert: s.creds.cert, key: s.creds.key } : auth === "none" ? {} : auth;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: s.creds.ca, ...client, headers: { Accept: "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            body,
          });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export interface ListBody {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: { apiVersion?: string; kind?: string; metadata: { name: string; namespace?: string } }[];
}
