// One test of "is this Istio's sidecar injector webhook", shared by the cluster reader's webhook filter
// (lib/server/kube/kinds.ts) and istiod's namespace (reviews/readthrough2.md #15).
import { describe, expect, it } from "vitest";
import { isIstioInjectorWebhookName } from "./controlPlaneNamespaces";

describe("isIstioInjectorWebhookName", () => {
  it.each([
    "rev.namespace.sidecar-injector.istio.io",
    "rev.object.sidecar-injector.istio.io",
    "namespace.sidecar-injector.istio.io",
    "sidecar-injector.istio.io",
  ])("%s is the injector's", (name) => {
    expect(isIstioInjectorWebhookName(name)).toBe(true);
  });

  it.each([
    "sidecar-injector.istio.io.example",
    "rev.validation.istio.io",
    "sidecar-injector.linkerd.io",
    "",
  ])("near miss: %s is not", (name) => {
    expect(isIstioInjectorWebhookName(name)).toBe(false);
  });
});
