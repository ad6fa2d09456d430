// The demo's one RBAC predicate (lib/demo/api.ts isForbidden), which lists, gets, pods/portforward,
// services/proxy and the state folder all ask.
import { describe, expect, it } from "vitest";
import { isForbidden, type ForbiddenRule } from "../../lib/demo/api";
import { resourceTypes, type ResourceType } from "../../lib/demo/resources";

const types = resourceTypes();
const type = (group: string, plural: string): ResourceType =>
  types.find((t) => t.group === group && t.plural === plural)!;
const secrets = type("", "secrets");
const peerAuthentications = type("security.istio.io", "peerauthentications");

describe("isForbidden", () => {
  const rules: ForbiddenRule[] = [{ resource: "secrets", namespace: "vault" }];

  it("refuses the rule's namespace, and a cluster-wide request because it covers that namespace", () => {
    expect(isForbidden(rules, secrets, "vault", "list")).toBe(true);
    expect(isForbidden(rules, secrets, null, "list")).toBe(true);
    expect(isForbidden(rules, secrets, "shop", "list")).toBe(false);
  });

  it("a rule with a verb refuses only that verb", () => {
    const portforward = { ...type("", "pods"), plural: "pods/portforward" };
    const create: ForbiddenRule[] = [{ resource: "pods/portforward", namespace: "billing", verb: "create" }];
    expect(isForbidden(create, portforward, "billing", "create")).toBe(true);
    expect(isForbidden(create, portforward, "billing", "get")).toBe(false);
  });

  it("services/proxy follows the same rule: a rule for another verb does not refuse the proxy's get", () => {
    const proxy = { ...type("", "services"), plural: "services/proxy" };
    expect(
      isForbidden([{ resource: "services/proxy", namespace: "istio-system" }], proxy, "istio-system", "get"),
    ).toBe(true);
    expect(
      isForbidden(
        [{ resource: "services/proxy", namespace: "istio-system", verb: "create" }],
        proxy,
        "istio-system",
        "get",
      ),
    ).toBe(false);
  });

  it("names a resource by plural or plural.group; cluster-scoped resources are never refused by a namespace rule", () => {
    const pa: ForbiddenRule[] = [{ resource: "peerauthentications.security.istio.io", namespace: "shop" }];
    expect(isForbidden(pa, peerAuthentications, "shop", "get")).toBe(true);
    expect(
      isForbidden(
        [{ resource: "peerauthentications", namespace: "shop" }],
        peerAuthentications,
        "shop",
        "get",
      ),
    ).toBe(true);
    expect(
      isForbidden([{ resource: "namespaces", namespace: "shop" }], type("", "namespaces"), null, "list"),
    ).toBe(false);
  });
});
