// Which MutatingWebhookConfigurations the live reader keeps: Istio's revision tags and its sidecar
// injector webhooks (their service names istiod's namespace, which decides where Istio's CA Secret is
// read: reviews/certs5.md #6); any other product's webhook is dropped when its page is decoded.
import { describe, expect, it } from "vitest";
import { readCluster } from "../../lib/server/kube/readCluster";
import { KubeError, type KubeTransport } from "../../lib/server/kube/transport";

const webhook = (
  name: string,
  labels: Record<string, string>,
  hooks: { name: string; ns: string; svc: string }[],
) => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: { name, labels },
  webhooks: hooks.map((h) => ({
    name: h.name,
    clientConfig: { service: { name: h.svc, namespace: h.ns, path: "/inject" } },
  })),
});
const HOOKS = [
  webhook("istio-sidecar-injector", { app: "sidecar-injector" }, [
    { name: "rev.namespace.sidecar-injector.istio.io", ns: "istio-control", svc: "istiod" },
  ]),
  webhook("istio-revision-tag-default", { "istio.io/tag": "default", "istio.io/rev": "1-22" }, [
    { name: "rev.object.sidecar-injector.istio.io", ns: "istio-control", svc: "istiod-1-22" },
  ]),
  webhook("cert-manager-webhook", {}, [
    { name: "webhook.cert-manager.io", ns: "cert-manager", svc: "cert-manager-webhook" },
  ]),
  webhook("linkerd-proxy-injector-webhook-config", {}, [
    { name: "linkerd-proxy-injector.linkerd.io", ns: "linkerd", svc: "linkerd-proxy-injector" },
  ]),
];

function server(): KubeTransport {
  return {
    async get(path) {
      const p = path.replace(/\?.*/, "");
      if (p === "/apis")
        return { groups: [{ name: "admissionregistration.k8s.io", versions: [{ version: "v1" }] }] };
      if (p === "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations")
        return { items: HOOKS, metadata: {} };
      return { items: [], metadata: {} };
    },
    credentials: async () => undefined,
    podGet: () => Promise.reject(new KubeError("forbidden", "no", 403)),
  };
}

describe("MutatingWebhookConfigurations read live", () => {
  it("keeps Istio's injector and revision-tag webhooks, drops other products'", async () => {
    const r = await readCluster(server());
    expect(
      r.inputs.objects
        .filter((o) => o.object.kind === "MutatingWebhookConfiguration")
        .map((o) => o.object.metadata.name),
    ).toEqual(["istio-sidecar-injector", "istio-revision-tag-default"]);
  });
});
