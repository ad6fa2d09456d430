// Resolver.linkerdInbound: Linkerd's inbound policy per workload and port, computed once (reviews/readthrough #1).
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import { createResolver } from "../lib/core/resolve/resolver";
import { linkerdInbound } from "../lib/core/resolve/linkerdInbound";
import { deploy, loaded, namespace } from "./kit";

const model = () =>
  buildModel({
    objects: loaded([
      namespace(
        "l5d",
        {},
        { "linkerd.io/inject": "enabled", "config.linkerd.io/default-inbound-policy": "all-unauthenticated" },
      ),
      deploy("l5d", "web", {
        ports: [8080, 9090],
        annotations: { "config.linkerd.io/proxy-require-identity-inbound-ports": "9090" },
      }),
    ]),
    configDumps: [],
    problems: [],
  });

describe("Resolver.linkerdInbound", () => {
  it("answers as linkerdInbound does, once per workload and port", () => {
    const m = model();
    const r = createResolver(m);
    const w = m.workloads.find((x) => x.name === "web")!;
    for (const port of [8080, 9090, undefined]) {
      expect(r.linkerdInbound(w, port)).toEqual(linkerdInbound(m, w, port));
      expect(r.linkerdInbound(w, port)).toBe(r.linkerdInbound(w, port));
    }
    expect(r.linkerdPods(w)).toBe(r.linkerdPods(w));
  });

  it("keeps the ports apart (near miss: 9090 requires an identity, 8080 does not)", () => {
    const m = model();
    const r = createResolver(m);
    const w = m.workloads.find((x) => x.name === "web")!;
    expect(r.linkerdInbound(w, 9090).mode).toBe("STRICT");
    expect(r.linkerdInbound(w, 8080).mode).toBe("PERMISSIVE");
    expect(r.linkerdInbound(w).mode).toBe("PERMISSIVE");
  });
});
