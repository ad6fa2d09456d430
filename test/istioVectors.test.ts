// istio.md §10: every suggested resolver test case, through the real model and resolver.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  host,
  injected,
  meshConfig,
  namespace,
  peerAuth,
  predict,
  run,
  service,
  sidecarResource,
  tls,
} from "./kit";

const portsOf = (s: ReturnType<typeof run>, ns: string, name: string) =>
  Object.fromEntries(
    s.workloads.find((w) => w.namespace === ns && w.name === name)!.ports.map((p) => [p.port, p.mode]),
  );

describe("PA target-port semantics (istio.md §10)", () => {
  const base = [
    injected("foo"),
    deploy("foo", "web", { ports: [8080] }),
    service("foo", "web", [{ port: 80, targetPort: 8080 }]),
  ];

  it("portLevelMtls {80: DISABLE} with Service 80→8080: key 80 is not 8080, so 8080 stays STRICT", () => {
    const s = run([
      ...base,
      peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "80": "DISABLE" } }),
    ]);
    expect(portsOf(s, "foo", "web")).toEqual({ 80: "DISABLE", 8080: "STRICT" });
  });

  it("portLevelMtls {8080: DISABLE} → 8080 DISABLE", () => {
    const s = run([
      ...base,
      peerAuth("foo", "web", "STRICT", { selector: { app: "web" }, ports: { "8080": "DISABLE" } }),
    ]);
    expect(portsOf(s, "foo", "web")).toEqual({ 8080: "DISABLE" });
    expect(s.workloads.find((w) => w.name === "web")!.mtls.mode).toBe("STRICT");
  });

  it("ns PA DISABLE at t0 and STRICT at t1 > t0 → DISABLE (oldest)", () => {
    const s = run([
      ...base,
      peerAuth("foo", "late", "STRICT", { created: "2026-02-01T00:00:00Z" }),
      peerAuth("foo", "early", "DISABLE", { created: "2026-01-01T00:00:00Z" }),
    ]);
    expect(s.workloads.find((w) => w.name === "web")!.mtls).toMatchObject({
      mode: "DISABLE",
      policy: { name: "early" },
      origin: "namespace",
    });
  });

  it("identical timestamps: b (STRICT) vs a (DISABLE) → a wins → DISABLE", () => {
    const t = "2026-01-01T00:00:00Z";
    const s = run([
      ...base,
      peerAuth("foo", "b", "STRICT", { created: t }),
      peerAuth("foo", "a", "DISABLE", { created: t }),
    ]);
    expect(s.workloads.find((w) => w.name === "web")!.mtls).toMatchObject({
      mode: "DISABLE",
      policy: { name: "a" },
    });
  });

  it("root-namespace PA with selector app=x STRICT; workload app=x in foo → PERMISSIVE", () => {
    const s = run([
      injected("foo"),
      deploy("foo", "x"),
      peerAuth("istio-system", "x", "STRICT", { selector: { app: "x" } }),
    ]);
    expect(s.workloads[0]!.mtls).toMatchObject({ mode: "PERMISSIVE", origin: "default", policy: null });
  });

  it("rootNamespace mesh-root: a PA in istio-system is namespace-wide for istio-system only", () => {
    const s = run([
      meshConfig("rootNamespace: mesh-root\n"),
      injected("foo"),
      injected("istio-system"),
      deploy("foo", "web"),
      deploy("istio-system", "tool"),
      peerAuth("istio-system", "default", "STRICT"),
    ]);
    expect(s.mesh.rootNamespace).toBe("mesh-root");
    expect(s.workloads.find((w) => w.name === "web")!.mtls.mode).toBe("PERMISSIVE");
    expect(s.workloads.find((w) => w.name === "tool")!.mtls).toMatchObject({
      mode: "STRICT",
      origin: "namespace",
    });
  });
});

describe("DestinationRule lookup (istio.md §10)", () => {
  const mesh = [
    injected("a"),
    injected("b"),
    injected("c"),
    deploy("a", "ca"),
    deploy("c", "cc"),
    deploy("b", "svc"),
    service("b", "svc", [80]),
  ];

  it("client-namespace *.local beats a more specific DR in the service namespace; other clients get the service's DR", () => {
    const objs = [
      ...mesh,
      destRule("a", "all", "*.local", tls("ISTIO_MUTUAL")),
      destRule("b", "svc-off", "svc.b.svc.cluster.local", tls("DISABLE")),
    ];
    const fromA = predict(objs, "a/ca", host("svc", "b"));
    expect(fromA.predicted.client).toEqual({
      tls: "ISTIO_MUTUAL",
      origin: "destinationrule",
      destinationRule: { kind: "DestinationRule", namespace: "a", name: "all" },
    });
    expect(fromA.shadowed.map((d) => d.name)).toEqual(["svc-off"]);
    const fromC = predict(objs, "c/cc", host("svc", "b"));
    expect(fromC.predicted.client).toMatchObject({
      tls: "DISABLE",
      origin: "destinationrule",
      destinationRule: { name: "svc-off" },
    });
  });

  it("exportTo ['.'] hides the service-namespace DR from other namespaces: the root namespace is consulted next", () => {
    const objs = [
      ...mesh,
      destRule("b", "private", "svc.b.svc.cluster.local", { ...tls("DISABLE"), exportTo: ["."] }),
      destRule("istio-system", "root", "*.local", tls("ISTIO_MUTUAL")),
    ];
    expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      destinationRule: { namespace: "istio-system", name: "root" },
    });
  });

  it("short host 'reviews' in ns a means reviews.a.svc.cluster.local, not the Service in b", () => {
    const objs = [
      injected("a"),
      injected("b"),
      deploy("a", "ca"),
      deploy("b", "reviews"),
      service("b", "reviews", [80]),
      destRule("a", "reviews", "reviews", tls("DISABLE")),
    ];
    const p = predict(objs, "a/ca", host("reviews", "b"));
    expect(p.dr).toBeNull();
    expect(p.predicted.client).toMatchObject({ tls: "ISTIO_MUTUAL", origin: "auto" });
    const s = run(objs);
    expect(
      s.findings.some(
        (f) => f.code === "dr.host-not-found" && f.message.includes("reviews.a.svc.cluster.local"),
      ),
    ).toBe(true);
  });

  it("top-level ISTIO_MUTUAL + portLevelSettings for 9080 without tls → 9080 auto mTLS, other ports ISTIO_MUTUAL", () => {
    const objs = [
      ...mesh,
      service("b", "svc", [9080, { port: 9090, name: "http-admin" }]),
      destRule("b", "svc", "svc.b.svc.cluster.local", {
        trafficPolicy: {
          tls: { mode: "ISTIO_MUTUAL" },
          portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: "ROUND_ROBIN" } }],
        },
      }),
    ].filter((o, i, all) => !(o.kind === "Service" && all.findIndex((x) => x.kind === "Service") === i));
    // Auto mTLS for 9080, steered by the DR's endpoint tagging (the DR is named); explicit TLS for 9090.
    expect(predict(objs, "c/cc", host("svc", "b"), 9080).predicted.client).toEqual({
      tls: "ISTIO_MUTUAL",
      origin: "auto",
      destinationRule: { kind: "DestinationRule", namespace: "b", name: "svc" },
    });
    expect(predict(objs, "c/cc", host("svc", "b"), 9090).predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      origin: "destinationrule",
    });
  });

  it("a workloadSelector DR that does not select the client still ends the lookup: no DR at all, not the catch-all *.local nor the next tier", () => {
    const base = [
      injected("ns-a"),
      injected("ns-b"),
      deploy("ns-a", "c", { labels: { role: "client" } }),
      deploy("ns-b", "api", { ports: [8080] }),
      service("ns-b", "api", [8080]),
      peerAuth("ns-b", "default", "DISABLE"),
    ];
    const other = destRule("ns-a", "other", "api.ns-b.svc.cluster.local", {
      ...tls("ISTIO_MUTUAL"),
      workloadSelector: { matchLabels: { role: "other" } },
    });
    // The exact host beats *.local in ns-a (MostSpecificHostMatch); its only DR selects someone else.
    const c = predict(
      [...base, destRule("ns-a", "all", "*.local", tls("ISTIO_MUTUAL")), other],
      "ns-a/c",
      host("api", "ns-b"),
    );
    expect(c.predicted.client).toEqual({ tls: "DISABLE", origin: "auto", destinationRule: null });
    expect(c.predicted.verdict).toBe("plaintext");
    // The service namespace's DR is not consulted either: the client's tier matched.
    const d = predict(
      [...base, other, destRule("ns-b", "api", "api", tls("ISTIO_MUTUAL"))],
      "ns-a/c",
      host("api", "ns-b"),
    );
    expect(d.predicted.client).toMatchObject({ tls: "DISABLE", destinationRule: null });
    expect(d.shadowed.map((x) => x.name)).toEqual(["api"]);
    // dr.shadowed names the selector DR that hides it, and says the client gets no DR at all.
    const s = run(
      [...base, other, destRule("ns-b", "api", "api", tls("ISTIO_MUTUAL"))],
      [call("ns-a/c", host("api", "ns-b"), "none")],
    );
    const f = s.findings.find((x) => x.code === "dr.shadowed")!;
    expect(f.resources).toEqual([
      { kind: "DestinationRule", namespace: "ns-b", name: "api" },
      { kind: "DestinationRule", namespace: "ns-a", name: "other" },
    ]);
    expect(f.message).toMatch(
      /never applies to ns-a\/c, .*ns-a\/other in a tier consulted first matches the host more specifically but selects other workloads .* no DestinationRule at all/,
    );
    // Near miss: the client the selector does select gets it.
    const selected = predict(
      [
        ...base.map((o) =>
          o.kind === "Deployment" && o.metadata.name === "c"
            ? deploy("ns-a", "c", { labels: { role: "other" } })
            : o,
        ),
        other,
      ],
      "ns-a/c",
      host("api", "ns-b"),
    );
    expect(selected.predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      origin: "destinationrule",
      destinationRule: { name: "other" },
    });
  });

  it("an exported tier picks the most specific host first: an exact-host DR not exported to the client sends the lookup to the next tier, not to the namespace's wildcard", () => {
    const objs = [
      ...mesh,
      peerAuth("istio-system", "default", "STRICT"),
      destRule("b", "exact", "svc.b.svc.cluster.local", { ...tls("ISTIO_MUTUAL"), exportTo: ["c"] }),
      destRule("b", "wild", "*.b.svc.cluster.local", { ...tls("DISABLE"), exportTo: ["*"] }),
    ];
    expect(predict(objs, "a/ca", host("svc", "b")).predicted).toMatchObject({
      client: { tls: "ISTIO_MUTUAL", origin: "auto", destinationRule: null },
      verdict: "mtls",
    });
    // Near miss: the client it is exported to gets it.
    expect(predict(objs, "c/cc", host("svc", "b")).predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      origin: "destinationrule",
      destinationRule: { name: "exact" },
    });
  });

  it("a client in the root namespace sees the root namespace's selector DRs (always private) in its own tier", () => {
    const objs = [
      namespace("istio-system", { "istio-injection": "enabled" }),
      deploy("istio-system", "probe", { labels: { role: "probe" } }),
      ...mesh,
      destRule("istio-system", "probe-plain", "svc.b.svc.cluster.local", {
        ...tls("DISABLE"),
        workloadSelector: { matchLabels: { role: "probe" } },
      }),
    ];
    expect(predict(objs, "istio-system/probe", host("svc", "b")).predicted.client).toMatchObject({
      tls: "DISABLE",
      origin: "destinationrule",
      destinationRule: { name: "probe-plain" },
    });
  });

  it("a gateway ignores Sidecar resources (DefaultSidecarScopeForGateway): no BlackHoleCluster for it", () => {
    const objs = [
      ...mesh,
      deploy("a", "ingress", { labels: { istio: "ingressgateway" }, containers: ["istio-proxy"] }),
      sidecarResource("a", "default", ["./*"], "REGISTRY_ONLY"),
    ];
    expect(predict(objs, "a/ingress", host("svc", "b")).predicted).toMatchObject({
      client: { tls: "ISTIO_MUTUAL", origin: "auto" },
      verdict: "mtls",
    });
    // Near miss: a sidecar in the same namespace is scoped by it.
    expect(predict(objs, "a/ca", host("svc", "b")).worst.why).toBe("blackhole");
  });

  it("same host, two DRs in one namespace: the oldest top-level trafficPolicy, from a later DR when the oldest has none (one DR for subsets, another for TLS)", () => {
    const objs = [
      ...mesh,
      destRule(
        "b",
        "subsets",
        "svc.b.svc.cluster.local",
        { subsets: [{ name: "v1", labels: { v: "1" } }] },
        "2026-01-01T00:00:00Z",
      ),
      destRule("b", "tls", "svc.b.svc.cluster.local", tls("DISABLE"), "2026-02-01T00:00:00Z"),
    ];
    const p = predict(objs, "a/ca", host("svc", "b"));
    expect(p.predicted.client).toEqual({
      tls: "DISABLE",
      origin: "destinationrule",
      destinationRule: { kind: "DestinationRule", namespace: "b", name: "tls" },
    });
    expect(p.dr!.subsets.map((x) => x.name)).toEqual(["v1"]);
    const dup = run(objs, [call("a/ca", host("svc", "b"), "none")]).findings.find(
      (f) => f.code === "dr.duplicate-host",
    )!;
    expect(dup.message).toMatch(/only the oldest with a top-level trafficPolicy, b\/tls, contributes/);
  });

  it("same host, different exportTo: the DRs stay separate (enhanced merge) and the entry of the newer ones wins where both are visible", () => {
    const objs = [
      ...mesh,
      destRule(
        "b",
        "old",
        "svc.b.svc.cluster.local",
        { ...tls("ISTIO_MUTUAL"), exportTo: ["*"] },
        "2026-01-01T00:00:00Z",
      ),
      destRule(
        "b",
        "new",
        "svc.b.svc.cluster.local",
        { ...tls("DISABLE"), exportTo: ["c"] },
        "2026-02-01T00:00:00Z",
      ),
    ];
    expect(predict(objs, "c/cc", host("svc", "b")).predicted.client).toMatchObject({
      tls: "DISABLE",
      destinationRule: { name: "new" },
    });
    // Near miss: a namespace only the older one reaches gets it.
    expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      destinationRule: { name: "old" },
    });
  });

  describe("Istio's DR merge per namespace index (mergeDestinationRule with the enhanced merge on, the default)", () => {
    const probe = deploy("a", "probe", { labels: { role: "probe" } });
    const selector = { matchLabels: { role: "probe" } };
    const svc = "svc.b.svc.cluster.local";

    it("a catch-all with the same exportTo as a selector DR is merged into it (istio/istio#58322): only the selected workloads get it, the others get no DR", () => {
      const objs = [
        ...mesh,
        probe,
        destRule("a", "sel", svc, { ...tls("SIMPLE"), workloadSelector: selector }),
        destRule("a", "all", svc, { ...tls("DISABLE"), exportTo: ["."] }),
      ];
      expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
        tls: "ISTIO_MUTUAL",
        origin: "auto",
        destinationRule: null,
      });
      expect(predict(objs, "a/probe", host("svc", "b")).predicted.client).toMatchObject({
        tls: "SIMPLE",
        origin: "destinationrule",
        destinationRule: { name: "sel" },
      });
      const dup = run(objs, [call("a/ca", host("svc", "b"), "none")]).findings.filter(
        (f) => f.code === "dr.duplicate-host",
      );
      expect(dup).toHaveLength(1);
      expect(dup[0]!.resources).toEqual([
        { kind: "DestinationRule", namespace: "a", name: "all" },
        { kind: "DestinationRule", namespace: "a", name: "sel" },
      ]);
      expect(dup[0]!.message).toMatch(
        /a\/all has no workloadSelector but the same exportTo as a\/sel, which selects role=probe.*other clients in a get no DestinationRule/,
      );
      expect(dup[0]!.fix).toContain('exportTo: ["a"]');
    });

    it("near miss: the catch-all exported to its namespace by name stays a rule of its own, and no duplicate-host fires", () => {
      const objs = [
        ...mesh,
        probe,
        destRule("a", "sel", svc, { ...tls("SIMPLE"), workloadSelector: selector }),
        destRule("a", "all", svc, { ...tls("DISABLE"), exportTo: ["a"] }),
      ];
      expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
        tls: "DISABLE",
        origin: "destinationrule",
        destinationRule: { name: "all" },
      });
      expect(predict(objs, "a/probe", host("svc", "b")).predicted.client).toMatchObject({
        tls: "SIMPLE",
        destinationRule: { name: "sel" },
      });
      expect(
        run(objs, [call("a/ca", host("svc", "b"), "none")]).findings.filter(
          (f) => f.code === "dr.duplicate-host",
        ),
      ).toEqual([]);
    });

    it("a selector DR without a top-level trafficPolicy takes the one of the catch-all merged into it, and the edge names that DR", () => {
      const objs = [
        ...mesh,
        probe,
        destRule("a", "sel", svc, {
          subsets: [{ name: "v1", labels: { v: "1" } }],
          workloadSelector: selector,
        }),
        destRule("a", "all", svc, { ...tls("DISABLE"), exportTo: ["."] }),
      ];
      const p = predict(objs, "a/probe", host("svc", "b"));
      expect(p.predicted.client).toMatchObject({
        tls: "DISABLE",
        origin: "destinationrule",
        destinationRule: { name: "all" },
      });
      expect(p.dr!.subsets.map((s) => s.name)).toEqual(["v1"]);
      const dup = run(objs, [call("a/probe", host("svc", "b"), "none")]).findings.find(
        (f) => f.code === "dr.duplicate-host",
      )!;
      expect(dup.message).toContain("get the top-level trafficPolicy of a/all, as a/sel has none");
    });

    it("a newer catch-all exported to a superset of an older one's namespaces is merged into it and not kept apart: a namespace only it names gets nothing", () => {
      const objs = [
        ...mesh,
        destRule("b", "narrow", svc, { ...tls("ISTIO_MUTUAL"), exportTo: ["c"] }, "2026-01-01T00:00:00Z"),
        destRule("b", "wide", svc, { ...tls("DISABLE"), exportTo: ["c", "a"] }, "2026-02-01T00:00:00Z"),
      ];
      expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
        tls: "ISTIO_MUTUAL",
        origin: "auto",
        destinationRule: null,
      });
      expect(predict(objs, "c/cc", host("svc", "b")).predicted.client).toMatchObject({
        tls: "ISTIO_MUTUAL",
        origin: "destinationrule",
        destinationRule: { name: "narrow" },
      });
      const dup = run(objs, [call("c/cc", host("svc", "b"), "none")]).findings.filter(
        (f) => f.code === "dr.duplicate-host",
      );
      expect(dup.map((f) => f.resources.map((r) => r.name))).toEqual([["wide", "narrow"]]);
    });

    it("near miss: the wider one older, the narrower one is kept apart, and where both reach, the later entry wins", () => {
      const objs = [
        ...mesh,
        destRule("b", "wide", svc, { ...tls("DISABLE"), exportTo: ["c", "a"] }, "2026-01-01T00:00:00Z"),
        destRule("b", "narrow", svc, { ...tls("ISTIO_MUTUAL"), exportTo: ["c"] }, "2026-02-01T00:00:00Z"),
      ];
      expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
        tls: "DISABLE",
        destinationRule: { name: "wide" },
      });
      expect(predict(objs, "c/cc", host("svc", "b")).predicted.client).toMatchObject({
        tls: "ISTIO_MUTUAL",
        destinationRule: { name: "narrow" },
      });
      expect(
        run(objs, [call("c/cc", host("svc", "b"), "none")]).findings.filter(
          (f) => f.code === "dr.duplicate-host",
        ),
      ).toEqual([]);
    });

    it("an exportTo that lists its own namespace twice is one namespace (a set): the DR is private, not exported", () => {
      const objs = [...mesh, destRule("b", "twice", svc, { ...tls("DISABLE"), exportTo: ["b", "b"] })];
      expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
        origin: "auto",
        destinationRule: null,
      });
    });
  });

  it("a root-namespace client: a root DR exported to '.' and another namespace is not in its own tier, and '.' does not export it back to the root", () => {
    const root = [
      namespace("istio-system", { "istio-injection": "enabled" }),
      deploy("istio-system", "probe"),
      ...mesh,
    ];
    const both = [
      ...root,
      destRule("istio-system", "r", "svc.b.svc.cluster.local", { ...tls("DISABLE"), exportTo: [".", "b"] }),
    ];
    expect(predict(both, "istio-system/probe", host("svc", "b")).predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      origin: "auto",
      destinationRule: null,
    });
    // Private to the root: its own tier applies it, and no dr.shadowed says it shadows itself.
    const own = [
      ...root,
      destRule("istio-system", "r", "svc.b.svc.cluster.local", { ...tls("DISABLE"), exportTo: ["."] }),
    ];
    const s = run(own, [call("istio-system/probe", host("svc", "b"), "none")]);
    expect(s.edges[0]!.predicted.client).toMatchObject({ tls: "DISABLE", destinationRule: { name: "r" } });
    expect(s.findings.filter((f) => f.code === "dr.shadowed")).toEqual([]);
  });

  it("a selector DR applies in its own namespace whatever its exportTo says (Istio forces it to '.')", () => {
    const objs = [
      ...mesh,
      destRule("a", "sel", "svc.b.svc.cluster.local", {
        ...tls("DISABLE"),
        exportTo: ["c"],
        workloadSelector: { matchLabels: { app: "ca" } },
      }),
    ];
    expect(predict(objs, "a/ca", host("svc", "b")).predicted.client).toMatchObject({
      tls: "DISABLE",
      destinationRule: { name: "sel" },
    });
  });

  it("a gateway installed by Istio's chart (istio: ingress, injected with the gateway template) also ignores Sidecar resources", () => {
    const gw = deploy("a", "gw", {
      labels: { istio: "ingress" },
      annotations: { "inject.istio.io/templates": "gateway" },
      containers: ["istio-proxy"],
    });
    const objs = [...mesh, gw, sidecarResource("a", "default", ["./*"], "REGISTRY_ONLY")];
    expect(predict(objs, "a/gw", host("svc", "b")).predicted).toMatchObject({
      client: { tls: "ISTIO_MUTUAL" },
      verdict: "mtls",
    });
  });

  it("tls: {sni: foo} (no mode) → DISABLE", () => {
    const objs = [...mesh, destRule("b", "svc", "svc.b.svc.cluster.local", tls(null, { sni: "foo" }))];
    const p = predict(objs, "c/cc", host("svc", "b"));
    expect(p.predicted.client).toMatchObject({ tls: "DISABLE", origin: "destinationrule" });
    expect(p.predicted.reason).toContain("without mode");
  });
});

describe("DR endpoint tagging under auto mTLS (istio.md §2.3 ⚠, §3.3 item 2; tlsModeForDestinationRule)", () => {
  // A port entry without tls puts the cluster in auto mode, but endpoints are tagged by the top-level mode.
  const base = (topLevel: string, extra: KubeObject[] = []) => [
    injected("a"),
    deploy("a", "client"),
    deploy("a", "srv", { ports: [8080] }),
    service("a", "srv", [{ port: 80, targetPort: 8080, name: "http" }]),
    peerAuth("istio-system", "default", "STRICT"),
    destRule("a", "srv", host("srv", "a"), {
      trafficPolicy: {
        tls: { mode: topLevel },
        portLevelSettings: [{ port: { number: 80 }, connectionPool: { tcp: { maxConnections: 10 } } }],
      },
    }),
    ...extra,
  ];

  it("top-level DISABLE: no endpoint is tagged, so auto mTLS sends plaintext → broken against STRICT, the DR named, its fix the port entry", () => {
    const objs = base("DISABLE");
    const p = predict(objs, "a/client", host("srv", "a"));
    expect(p.predicted.client).toEqual({
      tls: "DISABLE",
      origin: "auto",
      destinationRule: { kind: "DestinationRule", namespace: "a", name: "srv" },
    });
    expect(p.predicted.verdict).toBe("broken");
    expect(p.predicted.reason).toMatch(
      /DestinationRule a\/srv sets tls.mode DISABLE in its top-level trafficPolicy, which removes every endpoint's mTLS tag \(the first portLevelSettings entry for port 80 has no tls/,
    );
    const s = run(objs, [call("a/client", host("srv", "a"), "none")]);
    const f = s.findings.find((x) => x.code === "edge.plaintext-to-strict")!;
    expect(f.resources[0]).toEqual({ kind: "DestinationRule", namespace: "a", name: "srv" });
    expect(f.fix).toMatch(
      /Give the first portLevelSettings entry for port 80 in DestinationRule a\/srv a tls block with mode ISTIO_MUTUAL, or change tls.mode DISABLE to ISTIO_MUTUAL in the top-level trafficPolicy/,
    );
    // Plaintext is what a tls block on the entry (DISABLE) would send too: the drop changes nothing here.
    expect(s.findings.filter((x) => x.code === "dr.port-settings-drop-tls")).toEqual([]);
  });

  it("top-level ISTIO_MUTUAL: labelled endpoints keep their tag even on a PA DISABLE port → mTLS to it, broken", () => {
    const objs = base("ISTIO_MUTUAL", [
      peerAuth("a", "srv-off", null, { selector: { app: "srv" }, ports: { "8080": "DISABLE" } }),
    ]);
    const p = predict(objs, "a/client", host("srv", "a"));
    expect(p.predicted.client).toMatchObject({ tls: "ISTIO_MUTUAL", origin: "auto" });
    expect(p.predicted.verdict).toBe("broken");
    const s = run(objs, [call("a/client", host("srv", "a"), "none")]);
    expect(s.findings.find((x) => x.code === "edge.mtls-to-disable")!.fix).toMatch(
      /Remove the tls.mode ISTIO_MUTUAL that tags every labelled endpoint from DestinationRule a\/srv \(the top-level trafficPolicy;/,
    );
    // Explicit ISTIO_MUTUAL on the entry would send the same mTLS: the drop changes nothing here.
    expect(s.findings.filter((x) => x.code === "dr.port-settings-drop-tls")).toEqual([]);
  });

  it("near miss: the tag starts from the tlsMode label, so an endpoint without it stays plaintext under a top-level ISTIO_MUTUAL", () => {
    const objs = base("ISTIO_MUTUAL").map((o) =>
      o.kind === "Deployment" && o.metadata.name === "srv"
        ? deploy("a", "srv", { ports: [8080], annotations: { "sidecar.istio.io/inject": "false" } })
        : o,
    );
    const p = predict(objs, "a/client", host("srv", "a"));
    expect(p.worst).toMatchObject({ tls: "DISABLE", why: "auto-endpoint-no-label" });
    // Here the drop matters: ISTIO_MUTUAL on the entry would send mTLS to it.
    const f = run(objs).findings.filter((x) => x.code === "dr.port-settings-drop-tls");
    expect(f.map((x) => x.message)).toEqual([
      expect.stringContaining(
        `sidecars send plaintext instead of Istio mTLS to a/srv of ${host("srv", "a")} (its pods do not carry security.istio.io/tlsMode=istio).`,
      ),
    ]);
  });

  it("a later entry for the same port with tls decides the tagging (no top-level tls at all): plaintext, and the reason says where", () => {
    const objs = base("DISABLE").map((o) =>
      o.kind === "DestinationRule"
        ? destRule("a", "srv", host("srv", "a"), {
            trafficPolicy: {
              portLevelSettings: [
                { port: { number: 80 }, connectionPool: { tcp: { maxConnections: 10 } } },
                { port: { number: 80 }, tls: { mode: "DISABLE" } },
              ],
            },
          })
        : o,
    );
    const p = predict(objs, "a/client", host("srv", "a"));
    expect(p.predicted).toMatchObject({ client: { tls: "DISABLE", origin: "auto" }, verdict: "broken" });
    expect(p.predicted.reason).toMatch(
      /sets tls.mode DISABLE in a later portLevelSettings entry for port 80, which removes/,
    );
  });

  it("near miss: a port entry with tls of its own decides the cluster; no tagging applies", () => {
    const objs = base("DISABLE").map((o) =>
      o.kind === "DestinationRule"
        ? destRule("a", "srv", host("srv", "a"), {
            trafficPolicy: {
              tls: { mode: "DISABLE" },
              portLevelSettings: [{ port: { number: 80 }, tls: { mode: "ISTIO_MUTUAL" } }],
            },
          })
        : o,
    );
    expect(predict(objs, "a/client", host("srv", "a")).predicted.client).toMatchObject({
      tls: "ISTIO_MUTUAL",
      origin: "destinationrule",
    });
  });
});

describe("auto mTLS (istio.md §10)", () => {
  it("endpoint with tlsMode=istio and workload PA PERMISSIVE → mTLS", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "srv"),
      service("a", "srv", [80]),
      peerAuth("a", "srv", "PERMISSIVE", { selector: { app: "srv" } }),
    ];
    expect(predict(objs, "a/client", host("srv", "a")).predicted).toMatchObject({
      client: { tls: "ISTIO_MUTUAL", origin: "auto" },
      verdict: "mtls",
    });
  });

  it("per endpoint: one endpoint without the label gets plaintext, the labelled one mTLS", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "v1", { labels: { app: "srv" } }),
      deploy("a", "v2", { labels: { app: "srv", "security.istio.io/tlsMode": "disabled" } }),
      service("a", "srv", [80]),
    ];
    const p = predict(objs, "a/client", host("srv", "a"));
    const byName = Object.fromEntries(p.endpoints.map((e) => [e.workload!.name, e.tls]));
    expect(byName).toEqual({ v1: "ISTIO_MUTUAL", v2: "DISABLE" });
    expect(p.predicted.verdict).toBe("plaintext"); // the worst endpoint
  });

  it("service namespace PA DISABLE + workload PA STRICT → plaintext, predicted broken", () => {
    const objs = [
      injected("a"),
      injected("b"),
      deploy("a", "client"),
      deploy("b", "srv"),
      service("b", "srv", [80]),
      peerAuth("b", "ns", "DISABLE"),
      peerAuth("b", "srv", "STRICT", { selector: { app: "srv" } }),
    ];
    const p = predict(objs, "a/client", host("srv", "b"));
    expect(p.predicted.client).toMatchObject({ tls: "DISABLE", origin: "auto" });
    expect(p.predicted.server).toMatchObject({ mode: "STRICT", origin: "workload" });
    expect(p.predicted.verdict).toBe("broken");
    expect(p.worst.why).toBe("auto-namespace-disable");
  });

  it("workload PA portLevelMtls {8080: DISABLE} → plaintext to that port only", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "srv", { ports: [8080, 9090] }),
      service("a", "srv", [
        { port: 80, targetPort: 8080 },
        { port: 90, targetPort: 9090, name: "http-admin" },
      ]),
      peerAuth("a", "srv", null, { selector: { app: "srv" }, ports: { "8080": "DISABLE" } }),
    ];
    expect(predict(objs, "a/client", host("srv", "a"), 80).predicted).toMatchObject({
      client: { tls: "DISABLE" },
      server: { mode: "DISABLE" },
      verdict: "plaintext",
    });
    expect(predict(objs, "a/client", host("srv", "a"), 90).predicted).toMatchObject({
      client: { tls: "ISTIO_MUTUAL" },
      verdict: "mtls",
    });
  });

  it("headless service, 3 endpoints with the label + 1 without → plaintext to all 4", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      ...[1, 2, 3].map((i) => deploy("a", `db-${i}`, { labels: { app: "db" } })),
      deploy("a", "db-4", { labels: { app: "db", "sidecar.istio.io/inject": "false" } }),
      service("a", "db", [{ port: 5432, name: "tcp-pg" }], { headless: true }),
    ];
    const p = predict(objs, "a/client", host("db", "a"));
    expect(p.endpoints).toHaveLength(4);
    expect(p.endpoints.every((e) => e.tls === "DISABLE")).toBe(true);
    expect(p.endpoints.filter((e) => e.why === "auto-headless-mixed")).toHaveLength(3);
  });

  it("headless service, every endpoint labelled, one port DISABLE by a workload PA → mTLS to all, so that port breaks (§3.2: only labels count)", () => {
    const objs = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "db-1", { labels: { app: "db" }, ports: [5432] }),
      deploy("a", "db-2", { labels: { app: "db", instance: "2" }, ports: [5432] }),
      service("a", "db", [{ port: 5432, name: "tcp-pg" }], { headless: true }),
      peerAuth("a", "db-2-off", null, { selector: { instance: "2" }, ports: { "5432": "DISABLE" } }),
    ];
    const p = predict(objs, "a/client", host("db", "a"));
    expect(p.endpoints.map((e) => [e.workload!.name, e.tls, e.cell.verdict])).toEqual([
      ["db-1", "ISTIO_MUTUAL", "mtls"],
      ["db-2", "ISTIO_MUTUAL", "broken"],
    ]);
    expect(p.worst.why).toBe("auto-headless-mtls");
    expect(p.predicted.reason).toMatch(/even to a\/db-2 port 5432, which is DISABLE/);
    // Behind EDS (not headless) the same endpoint is tagged plaintext instead, and nothing breaks.
    const eds = predict(
      objs.map((o) => (o.kind === "Service" ? service("a", "db", [{ port: 5432, name: "tcp-pg" }]) : o)),
      "a/client",
      host("db", "a"),
    );
    expect(eds.endpoints.map((e) => [e.workload!.name, e.tls])).toEqual([
      ["db-1", "ISTIO_MUTUAL"],
      ["db-2", "DISABLE"],
    ]);
    // A gateway's cluster for a headless service stays EDS (convertResolution, Router): tags per endpoint again.
    const gw = deploy("a", "ingress", { labels: { istio: "ingressgateway" }, containers: ["istio-proxy"] });
    const fromGateway = predict([...objs, gw], "a/ingress", host("db", "a"));
    expect(fromGateway.endpoints.map((e) => [e.workload!.name, e.tls])).toEqual([
      ["db-1", "ISTIO_MUTUAL"],
      ["db-2", "DISABLE"],
    ]);
    const s = run(objs, [call("a/client", host("db", "a"), "mutual_tls")]);
    const f = s.findings.find((x) => x.code === "edge.mtls-to-disable")!;
    expect(f.fix).toMatch(
      /Use PERMISSIVE instead of DISABLE on a\/db-2 port 5432: callers of db.a.svc.cluster.local send every endpoint the same TLS through one ORIGINAL_DST cluster \(a headless service\)/,
    );
  });

  it("loadBalancer PASSTHROUGH: the cluster type follows the port's own entry, the auto-mTLS inference the top level", () => {
    const db = (name: string, extra: Record<string, string> = {}) =>
      deploy("a", name, { labels: { tier: "db", ...extra }, ports: [5432] });
    const base = [
      injected("a"),
      deploy("a", "client"),
      service("a", "db", [{ port: 5432, name: "tcp-pg" }], { selector: { tier: "db" } }),
    ];
    const lb = (simple: string) => ({ loadBalancer: { simple } });
    // Top-level PASSTHROUGH, but the port's entry (no loadBalancer) builds the cluster: EDS, per-endpoint tags.
    const g = [
      ...base,
      db("db-1"),
      db("db-2", { instance: "2" }),
      peerAuth("a", "db-2-off", null, { selector: { instance: "2" }, ports: { "5432": "DISABLE" } }),
      destRule("a", "db", host("db", "a"), {
        trafficPolicy: {
          ...lb("PASSTHROUGH"),
          portLevelSettings: [{ port: { number: 5432 }, connectionPool: { tcp: { maxConnections: 5 } } }],
        },
      }),
    ];
    expect(predict(g, "a/client", host("db", "a")).endpoints.map((e) => [e.workload!.name, e.tls])).toEqual([
      ["db-1", "ISTIO_MUTUAL"],
      ["db-2", "DISABLE"],
    ]);
    // PASSTHROUGH on the port's entry only: ORIGINAL_DST, but the inference is the namespace's, so auto
    // mTLS stays on and the one socket sends mTLS even to the pod without a sidecar.
    const h = [
      ...base,
      db("db-1"),
      deploy("a", "db-2", {
        labels: { tier: "db" },
        annotations: { "sidecar.istio.io/inject": "false" },
        ports: [5432],
      }),
      destRule("a", "db", host("db", "a"), {
        trafficPolicy: { portLevelSettings: [{ port: { number: 5432 }, ...lb("PASSTHROUGH") }] },
      }),
    ];
    const p = predict(h, "a/client", host("db", "a"));
    expect(p.endpoints.map((e) => [e.workload!.name, e.tls, e.cell.verdict])).toEqual([
      ["db-1", "ISTIO_MUTUAL", "mtls"],
      ["db-2", "ISTIO_MUTUAL", "broken"],
    ]);
    expect(p.predicted.reason).toMatch(
      /one ORIGINAL_DST socket for all, even to a\/db-2 port 5432, which does not carry security.istio.io\/tlsMode=istio/,
    );
  });

  it("enableAutoMtls: false, no DR → plaintext; a STRICT server then fails", () => {
    const objs = [
      meshConfig("enableAutoMtls: false\n"),
      injected("a"),
      deploy("a", "client"),
      deploy("a", "srv"),
      service("a", "srv", [80]),
      peerAuth("istio-system", "default", "STRICT"),
    ];
    const p = predict(objs, "a/client", host("srv", "a"));
    expect(p.predicted).toMatchObject({ client: { tls: "DISABLE", origin: "auto" }, verdict: "broken" });
    expect(p.worst.why).toBe("auto-off");
  });
});
