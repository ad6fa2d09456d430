import { describe, expect, it } from "vitest";
import { cert } from "../__fixtures__/certificate";
import { workloadCertificates } from "./workloadCertificates";

describe("workloadCertificates", () => {
  const cart = cert(
    1,
    { from: -2, to: 20 },
    { owner: { namespace: "shop", workload: "cart", pod: "cart-7d9f-abcde" } },
  );
  const worker = cert(
    2,
    { from: -2, to: 10 },
    { owner: { namespace: "shop", workload: "cart-worker", pod: "cart-worker-5c6b-xyz12" } },
  );
  const otherNs = cert(
    3,
    { from: -2, to: 5 },
    { owner: { namespace: "staging", workload: "cart", pod: "cart-7d9f-aaaaa" } },
  );
  const unresolved = cert(4, { from: -2, to: 8 }, { owner: { namespace: "shop", pod: "cart-7d9f-zzzzz" } });
  const nsOnly = cert(5, { from: -2, to: 8 }, { owner: { namespace: "shop" } });
  const all = [worker, cart, otherNs, unresolved, nsOnly, cert(6, { from: -1, to: 3 }, { owner: null })];

  it("matches the owner's workload exactly: cart does not claim cart-worker's pods", () => {
    expect(workloadCertificates(all, { namespace: "shop", name: "cart" }).map((c) => c.id)).toEqual([
      cart.id,
    ]);
    expect(workloadCertificates(all, { namespace: "shop", name: "cart-worker" }).map((c) => c.id)).toEqual([
      worker.id,
    ]);
  });

  it("keeps namespaces apart and does not guess a workload for an unresolved pod", () => {
    expect(workloadCertificates(all, { namespace: "staging", name: "cart" }).map((c) => c.id)).toEqual([
      otherNs.id,
    ]);
    expect(workloadCertificates(all, { namespace: "shop", name: "cart-7d9f" })).toEqual([]);
  });

  it("sorts by expiry, soonest first", () => {
    const early = cert(
      7,
      { from: -2, to: 1 },
      { owner: { namespace: "shop", workload: "cart", pod: "cart-7d9f-bbbbb" } },
    );
    expect(workloadCertificates([cart, early], { namespace: "shop", name: "cart" }).map((c) => c.id)).toEqual(
      [early.id, cart.id],
    );
  });
});
