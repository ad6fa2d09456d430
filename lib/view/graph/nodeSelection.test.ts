import { describe, expect, it } from "vitest";
import { OUTSIDE_NODE_ID } from "./buildGraph";
import { nodeSelection } from "./nodeSelection";

const svc = (namespace: string, name: string, workloads: string[]) => ({ namespace, name, workloads });

describe("nodeSelection", () => {
  // Two namespaces each have a Service "payments", with different backends; the other namespace's
  // comes first in the list, as a snapshot sorted by namespace would put "billing" before "shop".
  const services = [
    svc("billing", "payments", ["billing/ledger"]),
    svc("shop", "payments", ["shop/payments-v2"]),
  ];

  it("resolves a Service node in its own namespace, not a same-named one elsewhere", () => {
    expect(
      nodeSelection(
        { id: "s:shop/payments", kind: "service", namespace: "shop", name: "payments" },
        services,
        "shop",
      ),
    ).toEqual({
      kind: "workload",
      name: "payments-v2",
    });
    expect(
      nodeSelection(
        { id: "s:billing/payments", kind: "service", namespace: "billing", name: "payments" },
        services,
        "billing",
      ),
    ).toEqual({
      kind: "workload",
      name: "ledger",
    });
  });

  it("a Service with no or several backends in this namespace opens nothing", () => {
    const two = [svc("shop", "cart", ["shop/cart", "shop/cart-canary"]), svc("shop", "ext", ["other/x"])];
    expect(
      nodeSelection({ id: "s:shop/cart", kind: "service", namespace: "shop", name: "cart" }, two, "shop"),
    ).toEqual({ kind: "none" });
    expect(
      nodeSelection({ id: "s:shop/ext", kind: "service", namespace: "shop", name: "ext" }, two, "shop"),
    ).toEqual({ kind: "none" });
    expect(
      nodeSelection({ id: "s:shop/gone", kind: "service", namespace: "shop", name: "gone" }, two, "shop"),
    ).toEqual({ kind: "none" });
  });

  it("workloads open their panel; other namespaces open their view; outside opens nothing", () => {
    expect(
      nodeSelection({ id: "w:shop/web", kind: "workload", namespace: "shop", name: "web" }, services, "shop"),
    ).toEqual({ kind: "workload", name: "web" });
    expect(
      nodeSelection(
        { id: "w:billing/ledger", kind: "workload", namespace: "billing", name: "ledger" },
        services,
        "shop",
      ),
    ).toEqual({
      kind: "namespace",
      namespace: "billing",
      workload: "ledger",
    });
    expect(
      nodeSelection(
        { id: "s:billing/payments", kind: "service", namespace: "billing", name: "payments" },
        services,
        "shop",
      ),
    ).toEqual({
      kind: "namespace",
      namespace: "billing",
      workload: null,
    });
    expect(
      nodeSelection(
        { id: OUTSIDE_NODE_ID, kind: "outside", namespace: null, name: "outside" },
        services,
        "shop",
      ),
    ).toEqual({ kind: "none" });
  });
});
