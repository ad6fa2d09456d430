// istio.md §1.4 TestComposePeerAuthentication vectors, table-driven.
import { describe, expect, it } from "vitest";
import type { PaMode, PeerAuthentication, Workload } from "../model/mesh";
import { buildPaIndex, modeForPort, namespaceDecision, workloadPolicyFor } from "./peerAuthentication";

const NOW = "2026-01-01T00:00:10Z";
const SECOND_AGO = "2026-01-01T00:00:09Z";

function pa(
  name: string,
  namespace: string,
  mode: PaMode,
  opts: { selector?: Record<string, string>; ports?: Record<number, PaMode>; created?: string } = {},
): PeerAuthentication {
  return {
    name,
    namespace,
    mode,
    creationTimestamp: opts.created ?? NOW,
    selector: opts.selector && Object.keys(opts.selector).length > 0 ? opts.selector : null,
    portLevelMtls: opts.ports ? new Map(Object.entries(opts.ports).map(([k, v]) => [Number(k), v])) : null,
    at: { file: "test.yaml" },
  };
}

const W = { namespace: "foo", labels: { app: "foo" } };

const VECTORS: [string, PeerAuthentication[], string][] = [
  ["none", [], "PERMISSIVE"],
  ["mesh STRICT", [pa("default", "istio-system", "STRICT")], "STRICT"],
  [
    "mesh STRICT (matchLabels: {}) + ns PERMISSIVE",
    [pa("default", "istio-system", "STRICT", { selector: {} }), pa("ns", "foo", "PERMISSIVE")],
    "PERMISSIVE",
  ],
  [
    "root-ns PA with selector app=foo, STRICT",
    [pa("x", "istio-system", "STRICT", { selector: { app: "foo" } })],
    "PERMISSIVE",
  ],
  [
    "ns with empty spec + workload with empty spec",
    [pa("ns", "foo", "UNSET"), pa("wl", "foo", "UNSET", { selector: { app: "foo" } })],
    "PERMISSIVE",
  ],
  [
    "ns PERMISSIVE + mesh DISABLE",
    [pa("ns", "foo", "PERMISSIVE"), pa("default", "istio-system", "DISABLE")],
    "PERMISSIVE",
  ],
  [
    "mesh: DISABLE(now), PERMISSIVE(now-1s, 'second ago'), STRICT(now-1s, 'second later')",
    [
      pa("now", "istio-system", "DISABLE"),
      pa("second ago", "istio-system", "PERMISSIVE", { created: SECOND_AGO }),
      pa("second later", "istio-system", "STRICT", { created: SECOND_AGO }),
    ],
    "PERMISSIVE",
  ],
  ["mesh UNSET", [pa("default", "istio-system", "UNSET")], "PERMISSIVE"],
  [
    "mesh STRICT + workload (no mtls)",
    [pa("default", "istio-system", "STRICT"), pa("wl", "foo", "UNSET", { selector: { app: "foo" } })],
    "STRICT",
  ],
  [
    "ns STRICT + workload (no mtls)",
    [pa("ns", "foo", "STRICT"), pa("wl", "foo", "UNSET", { selector: { app: "foo" } })],
    "STRICT",
  ],
  [
    "mesh STRICT + ns UNSET + workload (no mtls)",
    [
      pa("default", "istio-system", "STRICT"),
      pa("ns", "foo", "UNSET"),
      pa("wl", "foo", "UNSET", { selector: { app: "foo" } }),
    ],
    "STRICT",
  ],
];

describe("ComposePeerAuthentication vectors (istio.md §1.4)", () => {
  it.each(VECTORS)("%s → %s", (_name, pas, expected) => {
    const p = workloadPolicyFor(buildPaIndex(pas, "istio-system"), W);
    expect(p.base.mode).toBe(expected);
  });

  it("mesh STRICT + workload port 80 DISABLE, 90 UNSET, 100 {} → STRICT, {80: DISABLE, 90: STRICT, 100: STRICT}", () => {
    const p = workloadPolicyFor(
      buildPaIndex(
        [
          pa("default", "istio-system", "STRICT"),
          pa("wl", "foo", "UNSET", {
            selector: { app: "foo" },
            ports: { 80: "DISABLE", 90: "UNSET", 100: "UNSET" },
          }),
        ],
        "istio-system",
      ),
      W,
    );
    expect(p.base.mode).toBe("STRICT");
    expect(Object.fromEntries([...p.perPort].map(([k, v]) => [k, v.mode]))).toEqual({
      80: "DISABLE",
      90: "STRICT",
      100: "STRICT",
    });
    expect(modeForPort(p, 80)).toMatchObject({ mode: "DISABLE", origin: "workload-port" });
    expect(modeForPort(p, 90)).toMatchObject({ mode: "STRICT", origin: "mesh" });
    expect(modeForPort(p, 8080)).toMatchObject({ mode: "STRICT", origin: "mesh" });
  });
});

describe("conflicts and scopes (istio.md §1.2, §1.3, §10)", () => {
  it("ns PA DISABLE at t0 and ns PA STRICT at t1 > t0 → DISABLE (oldest)", () => {
    const idx = buildPaIndex(
      [pa("late", "foo", "STRICT", { created: NOW }), pa("early", "foo", "DISABLE", { created: SECOND_AGO })],
      "istio-system",
    );
    expect(workloadPolicyFor(idx, W).base).toMatchObject({ mode: "DISABLE", origin: "namespace" });
    expect(workloadPolicyFor(idx, W).base.policy?.name).toBe("early");
  });

  it("two ns PAs with identical timestamps named b (STRICT) and a (DISABLE) → a wins → DISABLE", () => {
    const idx = buildPaIndex([pa("b", "foo", "STRICT"), pa("a", "foo", "DISABLE")], "istio-system");
    expect(workloadPolicyFor(idx, W).base.mode).toBe("DISABLE");
    expect(idx.namespaceWide.get("foo")!.map((p) => p.name)).toEqual(["a", "b"]);
  });

  it("root ns PA with selector app=x STRICT; workload app=x in foo → PERMISSIVE, and the PA is listed as ignored", () => {
    const idx = buildPaIndex([pa("x", "istio-system", "STRICT", { selector: { app: "x" } })], "istio-system");
    expect(workloadPolicyFor(idx, { namespace: "foo", labels: { app: "x" } }).base).toMatchObject({
      mode: "PERMISSIVE",
      origin: "default",
    });
    expect(idx.rootWithSelector.map((p) => p.name)).toEqual(["x"]);
  });

  it("root namespace mesh-root: a PA in istio-system is namespace-wide for istio-system only", () => {
    const idx = buildPaIndex([pa("default", "istio-system", "STRICT")], "mesh-root");
    expect(workloadPolicyFor(idx, W).base.mode).toBe("PERMISSIVE");
    expect(workloadPolicyFor(idx, { namespace: "istio-system", labels: {} }).base).toMatchObject({
      mode: "STRICT",
      origin: "namespace",
    });
    expect(idx.mesh).toEqual([]);
  });

  it("two workload PAs selecting one workload: the oldest applies whole, port map included", () => {
    const idx = buildPaIndex(
      [
        pa("newer", "foo", "STRICT", { selector: { app: "foo" }, ports: { 8080: "DISABLE" } }),
        pa("older", "foo", "PERMISSIVE", { selector: { app: "foo" }, created: SECOND_AGO }),
      ],
      "istio-system",
    );
    const p = workloadPolicyFor(idx, W);
    expect(p.base).toMatchObject({ mode: "PERMISSIVE", origin: "workload" });
    expect(modeForPort(p, 8080).mode).toBe("PERMISSIVE");
  });

  it("namespace decision ignores workload policies (what auto mTLS infers)", () => {
    const idx = buildPaIndex(
      [pa("ns", "foo", "DISABLE"), pa("wl", "foo", "STRICT", { selector: { app: "foo" } })],
      "istio-system",
    );
    expect(namespaceDecision(idx, "foo")).toMatchObject({ mode: "DISABLE", origin: "namespace" });
    expect(workloadPolicyFor(idx, W).base).toMatchObject({ mode: "STRICT", origin: "workload" });
  });

  // istiod's conversion for ztunnel (ambient/authorization.go): DISABLE counts as not STRICT. Cells
  // from its branches and from Istio's testdata peer-authn-strict-and-disable-port-mtls.yaml.
  const MESH_STRICT = pa("default", "istio-system", "STRICT");
  const AMBIENT: [string, PeerAuthentication[], string, Record<number, string>][] = [
    ["mesh STRICT + ns DISABLE → PERMISSIVE", [MESH_STRICT, pa("ns", "foo", "DISABLE")], "PERMISSIVE", {}],
    [
      "ns STRICT + workload DISABLE → PERMISSIVE",
      [pa("ns", "foo", "STRICT"), pa("wl", "foo", "DISABLE", { selector: { app: "foo" } })],
      "PERMISSIVE",
      {},
    ],
    [
      "workload STRICT, port 9090 DISABLE → 9090 exempt",
      [pa("wl", "foo", "STRICT", { selector: { app: "foo" }, ports: { 9090: "DISABLE" } })],
      "STRICT",
      { 9090: "PERMISSIVE", 8080: "STRICT" },
    ],
    [
      "workload DISABLE, port 9090 STRICT → only 9090 STRICT",
      [pa("wl", "foo", "DISABLE", { selector: { app: "foo" }, ports: { 9090: "STRICT" } })],
      "PERMISSIVE",
      { 9090: "STRICT", 8080: "PERMISSIVE" },
    ],
    [
      "mesh STRICT, workload UNSET, 9000 DISABLE only → no exception (only PERMISSIVE ports reference it)",
      [MESH_STRICT, pa("wl", "foo", "UNSET", { selector: { app: "foo" }, ports: { 9000: "DISABLE" } })],
      "STRICT",
      { 9000: "STRICT" },
    ],
    [
      "mesh STRICT, workload UNSET, 9000 DISABLE + 9001 PERMISSIVE → both exempt",
      [
        MESH_STRICT,
        pa("wl", "foo", "UNSET", {
          selector: { app: "foo" },
          ports: { 9000: "DISABLE", 9001: "PERMISSIVE" },
        }),
      ],
      "STRICT",
      { 9000: "PERMISSIVE", 9001: "PERMISSIVE", 8080: "STRICT" },
    ],
    [
      "mesh STRICT, ns UNSET, workload UNSET with 9001 PERMISSIVE → the conversion drops everything",
      [
        MESH_STRICT,
        pa("ns", "foo", "UNSET"),
        pa("wl", "foo", "UNSET", { selector: { app: "foo" }, ports: { 9001: "PERMISSIVE" } }),
      ],
      "PERMISSIVE",
      { 9001: "PERMISSIVE", 8080: "PERMISSIVE" },
    ],
    [
      "oldest wins before the conversion: older DISABLE beats newer STRICT",
      [pa("old", "foo", "DISABLE", { created: SECOND_AGO }), pa("new", "foo", "STRICT")],
      "PERMISSIVE",
      {},
    ],
  ];
  it.each(AMBIENT)("ambient: %s", (_name, pas, base, ports) => {
    const p = workloadPolicyFor(buildPaIndex(pas, "istio-system", true), W);
    expect(p.base.mode).toBe(base);
    for (const [port, mode] of Object.entries(ports)) expect(modeForPort(p, Number(port)).mode).toBe(mode);
  });

  it("ambient: a root policy with selector: {} is mesh-wide for sidecars, but reaches only the root namespace's workloads for ztunnel", () => {
    const emptySel: PeerAuthentication = { ...MESH_STRICT, emptySelector: true };
    expect(workloadPolicyFor(buildPaIndex([emptySel], "istio-system"), W).base.mode).toBe("STRICT");
    expect(workloadPolicyFor(buildPaIndex([emptySel], "istio-system", true), W).base).toMatchObject({
      mode: "PERMISSIVE",
      origin: "default",
    });
    const inRoot = workloadPolicyFor(buildPaIndex([emptySel], "istio-system", true), {
      namespace: "istio-system",
      labels: {},
    });
    expect(inRoot.base).toMatchObject({ mode: "STRICT", origin: "mesh" });
  });

  it("ambient: a namespace policy with selector: {} decides selection but is not the conversion's namespace policy (PeerAuthByNamespace wants a nil selector)", () => {
    // mesh STRICT, namespace {} UNSET, workload UNSET with 9090 PERMISSIVE: with the namespace policy
    // unseen by the conversion, 9090 is exempt and the rest merged STRICT (it was "all PERMISSIVE").
    const nsEmpty: PeerAuthentication = { ...pa("ns", "foo", "UNSET"), emptySelector: true };
    const p = workloadPolicyFor(
      buildPaIndex(
        [
          MESH_STRICT,
          nsEmpty,
          pa("wl", "foo", "UNSET", { selector: { app: "foo" }, ports: { 9090: "PERMISSIVE" } }),
        ],
        "istio-system",
        true,
      ),
      W,
    );
    expect(modeForPort(p, 9090).mode).toBe("PERMISSIVE");
    expect(modeForPort(p, 8080).mode).toBe("STRICT");
  });

  it("ambient namespace decision: DISABLE reads as PERMISSIVE, named by its policy", () => {
    const d = namespaceDecision(
      buildPaIndex([MESH_STRICT, pa("ns", "foo", "DISABLE")], "istio-system", true),
      "foo",
    );
    expect(d).toMatchObject({ mode: "PERMISSIVE", origin: "namespace" });
    expect(d.policy?.name).toBe("ns");
  });
});

describe("workloadPolicyFor through the label index (namespaces with many workload-level policies)", () => {
  // 40 policies (over the index threshold), created one second apart so the oldest wins; overlapping selectors.
  const created = (i: number) =>
    new Date(Date.parse("2026-01-01T00:00:00Z") + i * 1000).toISOString().replace(".000Z", "Z");
  const modes: PaMode[] = ["STRICT", "PERMISSIVE", "DISABLE"];
  const pas = Array.from({ length: 40 }, (_, i) =>
    pa(`p${i}`, "big", modes[i % 3]!, {
      selector:
        i % 4 === 0
          ? { tier: `t${i % 3}` }
          : { app: `a${i % 10}`, ...(i % 5 === 0 ? { version: "v1" } : {}) },
      created: created(40 - i),
    }),
  );
  const index = buildPaIndex(pas, "istio-system");
  const peers = Array.from({ length: 300 }, (_, i) => ({
    namespace: "big",
    name: `w${i}`,
    labels: {
      app: `a${i % 12}`,
      ...(i % 3 ? { version: `v${i % 2}` } : {}),
      ...(i % 7 === 0 ? { tier: `t${i % 3}` } : {}),
    },
  })) as unknown as Workload[];

  it("picks for each workload the policy the scan picks", () => {
    for (const w of peers) {
      const scanned = workloadPolicyFor(index, { namespace: w.namespace, labels: w.labels });
      const indexed = workloadPolicyFor(index, w, peers);
      expect(indexed.workloadPolicy?.name ?? null, w.name).toBe(scanned.workloadPolicy?.name ?? null);
      expect(indexed).toBe(scanned);
    }
    // Not vacuous: some workloads have a policy and some have none.
    const named = peers.map((w) => workloadPolicyFor(index, w, peers).workloadPolicy);
    expect(named.some((p) => p === null)).toBe(true);
    expect(new Set(named.filter(Boolean)).size).toBeGreaterThan(5);
  });

  it("matches a workload that is not in the list by scanning", () => {
    const stray = { namespace: "big", labels: { app: "a3", version: "v1" } };
    expect(workloadPolicyFor(index, stray, peers).workloadPolicy).toBe(
      workloadPolicyFor(index, stray).workloadPolicy,
    );
    expect(workloadPolicyFor(index, stray, peers).workloadPolicy).not.toBeNull();
  });
});
