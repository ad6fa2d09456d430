// Fixes from the review of Linkerd, cert-manager and SPIRE support (docs/DECISIONS.md, "Review of
// Linkerd, cert-manager and SPIRE support"). Each case is built from a real PKI made here (test/pki.ts:
// WebCrypto keys, @peculiar/x509 signatures, dates relative to NOW) and goes through the real loader
// and analysis; each fix has its near misses.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { loaded } from "./kit";
import { makeHelmSelfSignedCert, PKI_NOW } from "./pki";
import { internalErrors } from "./support/mutation";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = PKI_NOW;
const at = (ms: number) => new Date(NOW.getTime() + ms);
const b64 = (s: string) => Buffer.from(s).toString("base64");

function analyse(objects: KubeObject[], now = NOW): MeshSnapshot {
  const snap = MeshSnapshotSchema.parse(analyze({ objects: loaded(objects), configDumps: [], problems: [] }, { now, source: { type: "manifests" } }));
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}
const codesOf = (s: MeshSnapshot, code: string) => s.findings.filter((f) => f.code === code);

function tlsSecret(namespace: string, name: string, crt: string, o: { ca?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { namespace, name, ...(o.labels ? { labels: o.labels } : {}), ...(o.annotations ? { annotations: o.annotations } : {}) },
    data: { "tls.crt": b64(crt), ...(o.ca ? { "ca.crt": b64(o.ca) } : {}), "tls.key": b64("redacted") },
  };
}

// ---------------------------------------------------------------------------------------------------
// 1. Linkerd's webhook and APIService Secrets (charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml,
// viz tap-rbac.yaml: `genSelfSignedCert`, pinned by the webhook's caBundle) are not mTLS certificates.

describe("cert.self-signed-leaf: Linkerd's own webhook Secrets are serving certificates the API server pins", () => {
  const webhook = (ns: string, name: string, labels: Record<string, string> | undefined) => async () => {
    const cert = await makeHelmSelfSignedCert(`${name.replace(/-k8s-tls$/, "")}.${ns}.svc`, at(-DAY), at(364 * DAY));
    return tlsSecret(ns, name, cert.pem, labels ? { labels } : {});
  };
  it.each([
    ["the proxy injector's (control-plane component)", webhook("linkerd", "linkerd-proxy-injector-k8s-tls", { "linkerd.io/control-plane-component": "proxy-injector", "linkerd.io/control-plane-ns": "linkerd" })],
    ["the policy validator's", webhook("linkerd", "linkerd-policy-validator-k8s-tls", { "linkerd.io/control-plane-component": "destination", "linkerd.io/control-plane-ns": "linkerd" })],
    ["viz tap's (extension label)", webhook("linkerd-viz", "tap-k8s-tls", { "linkerd.io/extension": "viz", component: "tap" })],
    ["jaeger's injector", webhook("linkerd-jaeger", "jaeger-injector-k8s-tls", { "linkerd.io/extension": "jaeger", component: "jaeger-injector" })],
  ])("silent for %s", async (_what, make) => {
    const s = analyse([await make()]);
    expect(codesOf(s, "cert.self-signed-leaf")).toEqual([]);
    // Still listed, with its expiry judged as any leaf's.
    expect(s.certificates).toHaveLength(1);
  });

  it("near miss: the same certificate in a Secret no Linkerd component labels still warns (clientAuth, self-signed)", async () => {
    const s = analyse([await webhook("app", "client-cert", undefined)()]);
    expect(codesOf(s, "cert.self-signed-leaf").map((f) => f.resources)).toEqual([[{ kind: "Secret", namespace: "app", name: "client-cert" }]]);
  });

  it("near miss: a Linkerd-labelled Secret's certificate still gets the expiry findings", async () => {
    const s = analyse([await webhook("linkerd", "linkerd-proxy-injector-k8s-tls", { "linkerd.io/control-plane-component": "proxy-injector" })()], at(364 * DAY - HOUR));
    expect(codesOf(s, "cert.expiring").map((f) => f.severity)).toEqual(["error"]);
  });
});
