// Building blocks for certificate scenarios that go through the real loader and analysis: Kubernetes
// objects, Envoy /config_dump SDS secrets, and openssl's own verdict as an independent path builder.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { parseManifestText } from "../../lib/core/load/parseManifests";
import { mergeParsed } from "../../lib/core/load/mergeParsed";
import { analyze } from "../../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../../lib/core/snapshot/schema";
import { fingerprintOf, pemCertificates } from "../../lib/core/certs/x509";
import { PKI_NOW } from "../pki";
import { internalErrors } from "./mutation";

export const H = 3_600_000;
export const D = 24 * H;
export const at = (ms: number) => new Date(PKI_NOW.getTime() + ms);
export const b64 = (s: string) => Buffer.from(s).toString("base64");
export const idOf = (pem: string) => fingerprintOf(pemCertificates(pem).ders[0]!);
export const spiffe = (ns: string, sa: string, td = "cluster.local") => `spiffe://${td}/ns/${ns}/sa/${sa}`;

export const namespace = (
  name: string,
  labels: Record<string, string> = { "istio-injection": "enabled" },
) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
export const pod = (
  ns: string,
  name: string,
  sa: string,
  labels: Record<string, string> = { app: name },
) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns, labels },
  spec: { serviceAccountName: sa, containers: [{ name: "app" }, { name: "istio-proxy" }] },
});
export const rootCm = (ns: string, pem: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "istio-ca-root-cert", namespace: ns },
  data: { "root-cert.pem": pem },
});
export const secret = (ns: string, name: string, data: Record<string, string>, type = "Opaque") => ({
  apiVersion: "v1",
  kind: "Secret",
  type,
  metadata: { name, namespace: ns },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

export interface SdsSecret {
  name: string;
  chain?: string;
  roots?: string;
}
/** An Envoy /config_dump SecretsConfigDump holding these SDS secrets (raw admin snake_case). */
export function envoyDump(secrets: SdsSecret[], nodeId?: string): object {
  const entry = (s: SdsSecret) => ({
    name: s.name,
    version_info: "2026-11-27T11:00:00Z/1",
    last_updated: "2026-11-27T11:00:00Z",
    secret: {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret",
      name: s.name,
      ...(s.chain
        ? {
            tls_certificate: {
              certificate_chain: { inline_bytes: b64(s.chain) },
              private_key: { inline_bytes: "W3JlZGFjdGVkXQ==" },
            },
          }
        : {}),
      ...(s.roots ? { validation_context: { trusted_ca: { inline_bytes: b64(s.roots) } } } : {}),
    },
  });
  const secretsDump = {
    "@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
    dynamic_active_secrets: secrets.map(entry),
  };
  const bootstrap = {
    "@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
    bootstrap: { node: { id: nodeId } },
  };
  return { configs: nodeId ? [bootstrap, secretsDump] : [secretsDump] };
}
/** A sidecar's dump, file named <pod>.<ns>.json, with its `default` chain and `ROOTCA` roots. */
export const sidecar = (ns: string, name: string, chain: string, roots: string, extra: SdsSecret[] = []) => ({
  file: `dumps/${name}.${ns}.json`,
  text: JSON.stringify(envoyDump([{ name: "default", chain }, { name: "ROOTCA", roots }, ...extra])),
});

export function analyzeAll(
  objects: object[],
  dumps: { text: string; file: string }[],
  now = PKI_NOW,
): MeshSnapshot {
  const parsed = mergeParsed([
    parseManifestText(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }), "mesh.json"),
    ...dumps.map((d) => parseManifestText(d.text, d.file)),
  ]);
  const snap = MeshSnapshotSchema.parse(analyze(parsed, { now, source: { type: "manifests" } }));
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}

export const certFindings = (s: MeshSnapshot) => s.findings.filter((f) => f.code.startsWith("cert."));
export const codesFor = (s: MeshSnapshot, pem: string) =>
  certFindings(s)
    .filter((f) => f.certificate === idOf(pem))
    .map((f) => f.code)
    .sort();
export const certOf = (s: MeshSnapshot, pem: string) => s.certificates.find((c) => c.id === idOf(pem))!;

const run = promisify(execFile);
/** openssl's own verdict (`openssl verify -attime`), an independent path builder: "OK" or its error line. */
export async function opensslVerify(
  target: string,
  trusted: string,
  untrusted: string,
  now = PKI_NOW,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hs-verify-"));
  try {
    await writeFile(join(dir, "t.pem"), target);
    await writeFile(join(dir, "ca.pem"), trusted);
    await writeFile(join(dir, "u.pem"), untrusted);
    const args = [
      "verify",
      "-attime",
      String(Math.floor(now.getTime() / 1000)),
      "-CAfile",
      join(dir, "ca.pem"),
      ...(untrusted ? ["-untrusted", join(dir, "u.pem")] : []),
      join(dir, "t.pem"),
    ];
    const r = await run("openssl", args).then(
      (o) => o.stdout,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`,
    );
    return /: OK\s*$/.test(r) ? "OK" : r.trim().split("\n")[0]!;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
