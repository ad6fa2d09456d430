// reviews/dsel4.md: pa.conflict's fix advice is behaviour-preserving by construction. Each probe (m1b,
// a1, cd2, chg Cb) and a seeded fuzz apply the fix literally (its deletions and revision labels) and
// check that no workload's or port's mode changes (docs/DECISIONS.md, "pa.conflict fix advice that
// changes nothing (reviews/dsel4.md)").
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { call, deploy, findingsOf, host, meshConfig, namespace, peerAuth, run, service } from "./kit";
import { AMB, emptySel, INJ, REV, T, withRev, type Labels } from "./support/revisionKit";

const dep = (ns: string, name: string, labels: Labels = {}, ports = [8080]) =>
  deploy(ns, name, { labels, ports });
const svc = (ns: string, name: string) => service(ns, name, [{ port: 8080, targetPort: 8080 }]);
const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
const isPa = (o: KubeObject) => o.kind === "PeerAuthentication";
const names = (s: string) =>
  s
    .split(/, | and /)
    .map((x) => x.trim())
    .filter(Boolean);

/** Every workload's mode and every port's, as the snapshot (the project's resolver) gives them. */
function modesOf(objs: KubeObject[], samples: Parameters<typeof run>[1] = []): Map<string, string> {
  const m = new Map<string, string>();
  for (const w of run(objs, samples).workloads) {
    if (!w.mtls) continue;
    m.set(`${w.namespace}/${w.name}`, w.mtls.mode);
    for (const p of w.ports ?? []) m.set(`${w.namespace}/${w.name}:${p.port}`, p.mode);
  }
  return m;
}

/** Applies a pa.conflict fix literally: deletes the policies it says to delete, adds the labels it names. */
function applyFix(objs: KubeObject[], fix: string): KubeObject[] {
  const del = names(fix.match(/Delete (.+?): no istiod applies/)?.[1] ?? "");
  const relabel = new Map(
    [...fix.matchAll(/(\S+\/\S+) with istio\.io\/rev=([\w.-]+)/g)].map((m) => [m[1]!, m[2]!]),
  );
  for (const n of [...del, ...relabel.keys()])
    if (!objs.some((o) => isPa(o) && key(o) === n))
      throw new Error(`fix names ${n}, not in the input: ${fix}`);
  return objs
    .filter((o) => !(isPa(o) && del.includes(key(o))))
    .map((o) => (isPa(o) && relabel.has(key(o)) ? withRev(o, relabel.get(key(o))!) : o));
}

/** The fix never sets a mode, merges settings, or deletes what it says applies. */
const NEVER = /Merge the settings|merge the other|mtls\.mode to|Set \S+'s|keeping its/;

/** For each pa.conflict: its fix, and the modes that change when it is followed literally (none expected). */
function followed(objs: KubeObject[]): { fix: string; changes: string[] }[] {
  const before = modesOf(objs);
  return findingsOf(run(objs), "pa.conflict").map((f) => {
    const after = modesOf(applyFix(objs, f.fix!));
    return {
      fix: f.fix!,
      changes: [...before]
        .filter(([w, m]) => after.get(w) !== m)
        .map(([w, m]) => `${w} ${m}->${after.get(w)}`),
    };
  });
}

const canaryCp = [
  namespace("istio-system"),
  meshConfig("{}\n"),
  meshConfig("{}\n", "istio-system", "istio-canary"),
];
const cp = [namespace("istio-system"), meshConfig("{}\n")];

describe("pa.conflict fix (#1): the probes, followed literally, change no mode", () => {
  const m1b = (aLabels: Labels) => [
    ...canaryCp,
    namespace("a", aLabels),
    namespace("b", REV("canary")),
    namespace("legacy"),
    dep("a", "srv"),
    svc("a", "srv"),
    dep("b", "srv"),
    svc("b", "srv"),
    dep("legacy", "batch"),
    withRev(peerAuth("istio-system", "old", "PERMISSIVE", { created: T(2020) }), "default"),
    peerAuth("istio-system", "default", "STRICT", { created: T(2021) }),
  ];
  it("m1b: canary upgrade, a (plaintext client) on PERMISSIVE: no delete, no mode set; relabel istio-system/default for the canary", () => {
    const objs = m1b(INJ);
    const samples = [call("legacy/batch", host("srv", "a"), "none", 5)];
    expect(findingsOf(run(objs, samples), "pa.conflict").map((f) => f.fix)).toEqual([
      "Now the default istiod applies istio-system/old (PERMISSIVE) to a/srv; the istiod of revision canary applies istio-system/default (STRICT) to b/srv. Each of istio-system/old and istio-system/default decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it. To have each istiod read only one of them, label istio-system/default with istio.io/rev=canary: no workload's mode changes.",
    ]);
    // a has a plaintext client: raising it to STRICT (dsel3's fix) would break legacy/batch.
    expect(findingsOf(run(objs, samples), "pa.permissive").map((f) => f.message)).toEqual([
      expect.stringContaining("from legacy/batch was observed: those clients would break under STRICT"),
    ]);
    expect(followed(objs)).toEqual([expect.objectContaining({ changes: [] })]);
    // Followed, the label leaves each istiod one policy: no conflict left.
    expect(findingsOf(run(applyFix(objs, followed(objs)[0]!.fix)), "pa.conflict")).toEqual([]);
  });
  it("m1b near miss: every workload on the canary: silent (no advice at all)", () => {
    expect(findingsOf(run(m1b(REV("canary"))), "pa.conflict")).toEqual([]);
  });

  const a1 = (aLabels: Labels) => [
    ...cp,
    namespace("a", aLabels),
    namespace("b", INJ),
    namespace("legacy"),
    dep("a", "srv"),
    svc("a", "srv"),
    dep("b", "srv"),
    svc("b", "srv"),
    dep("legacy", "batch"),
    emptySel("istio-system", "strict-all", "STRICT", T(2020)),
    peerAuth("istio-system", "mesh", "PERMISSIVE", { created: T(2021) }),
  ];
  it("a1: mixed mesh, ztunnel applies the nil PERMISSIVE one to a, sidecars the {} STRICT one to b: neutral, nothing deleted", () => {
    const objs = a1(AMB);
    expect(followed(objs)).toEqual([
      {
        fix: "Now sidecars apply istio-system/strict-all (STRICT) to b/srv; ztunnel applies istio-system/mesh (PERMISSIVE) to a/srv. Each of istio-system/strict-all and istio-system/mesh decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it.",
        changes: [],
      },
    ]);
  });
  it("a1 near miss: sidecars only: the ignored nil policy is deleted, which changes nothing", () => {
    expect(followed(a1(INJ))).toEqual([
      {
        fix: "Now sidecars apply istio-system/strict-all (STRICT) to a/srv and b/srv. Delete istio-system/mesh: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit istio-system/strict-all, the policy that applies.",
        changes: [],
      },
    ]);
  });

  const cd2 = (backendSelector: Labels) => [
    ...cp,
    namespace("shop", INJ),
    namespace("legacy"),
    dep("shop", "api", { tier: "backend" }),
    dep("shop", "db", { tier: "backend", role: "db" }, [5432]),
    svc("shop", "api"),
    dep("legacy", "batch"),
    peerAuth("istio-system", "default", "STRICT", { created: T(2021) }),
    peerAuth("shop", "db", "STRICT", { selector: { role: "db" }, created: T(2020) }),
    peerAuth("shop", "backend", "PERMISSIVE", { selector: backendSelector, created: T(2024) }),
  ];
  it("cd2: shop/backend also decides for shop/api (PERMISSIVE): named, and not deleted", () => {
    const objs = cd2({ tier: "backend" });
    expect(followed(objs)).toEqual([
      {
        fix: "Now sidecars apply shop/db (STRICT) to shop/db; sidecars apply shop/backend (PERMISSIVE) to shop/api. Each of shop/db and shop/backend decides for some workload, so deleting one changes what its workloads enforce: to change a workload's mode, edit the policy that applies to it.",
        changes: [],
      },
    ]);
  });
  it("cd2 near miss: shop/backend selects shop/db alone: deleting it changes nothing", () => {
    expect(followed(cd2({ role: "db", tier: "backend" }))).toEqual([
      {
        fix: "Now sidecars apply shop/db (STRICT) to shop/db. Delete shop/backend: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit shop/db, the policy that applies.",
        changes: [],
      },
    ]);
  });
});

describe("pa.conflict fix (#2): an ignored policy's settings are never merged in", () => {
  const cb = (nsLabels: Labels, port: string) => [
    ...cp,
    peerAuth("istio-system", "default", "STRICT", { created: T(2021) }),
    peerAuth("shop", "default", "STRICT", { created: T(2022) }),
    namespace("shop", nsLabels),
    dep("shop", "web", { tier: "frontend" }),
    dep("shop", "api", { tier: "backend" }, [8080, 9090]),
    dep("shop", "db", { tier: "backend", role: "db" }, [5432, 9187]),
    peerAuth("shop", "db-metrics", "STRICT", {
      selector: { role: "db" },
      ports: { "9187": port },
      created: T(2024),
    }),
    peerAuth("shop", "backend-strict", "STRICT", { selector: { tier: "backend" }, created: T(2020) }),
  ];
  for (const [plane, l] of [
    ["sidecar", INJ],
    ["ambient", AMB],
  ] as const) {
    it(`Cb (${plane}): the ignored port 9187 PERMISSIVE is named as not in effect; deleting it changes nothing`, () => {
      const [r] = followed(cb(l, "PERMISSIVE"));
      expect(r).toEqual({
        fix: `Now ${plane === "sidecar" ? "sidecars apply" : "ztunnel applies"} shop/backend-strict (STRICT) to shop/api and shop/db. Delete shop/db-metrics: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit shop/backend-strict, the policy that applies.`,
        changes: [],
      });
      expect(r!.fix).not.toMatch(NEVER);
    });
  }
  it("Cb near miss: the ignored port map is STRICT: the same advice, nothing changes", () => {
    expect(followed(cb(INJ, "STRICT")).map((r) => r.changes)).toEqual([[]]);
  });
  it("the workload scope names every workload with a plural verb", () => {
    const objs = [
      ...cp,
      namespace("shop", INJ),
      dep("shop", "db", { role: "db" }),
      dep("shop", "db-canary", { role: "db" }),
      peerAuth("shop", "a", "STRICT", { selector: { role: "db" }, created: T(2020) }),
      peerAuth("shop", "b", "STRICT", { selector: { role: "db" }, created: T(2021) }),
    ];
    expect(findingsOf(run(objs), "pa.conflict").map((f) => f.message)).toEqual([
      "Workloads shop/db and shop/db-canary have 2 PeerAuthentications; Istio applies only the oldest, shop/a, and ignores shop/b.",
    ]);
  });
  it("a set no proxied workload meets: the one Istio would apply stays; the rest are deleted", () => {
    const objs = [
      ...cp,
      namespace("plain"),
      dep("plain", "x"),
      peerAuth("plain", "a", "STRICT", { created: T(2020) }),
      peerAuth("plain", "b", "DISABLE", { created: T(2021) }),
    ];
    expect(followed(objs)).toEqual([
      {
        fix: "No workload with a proxy uses these policies now; Istio would apply plain/a (STRICT). Delete plain/b: no istiod applies it to any workload, so deleting it changes nothing (its settings are not in effect; do not merge them into the policy that applies). To change a mode, edit plain/a, the policy that applies.",
        changes: [],
      },
    ]);
  });
});

// The reviewer's fuzz (fuzz.mts): random meshes with 0-1 canary, sidecar/ambient/none namespaces,
// pod-level revision labels, revision-labelled nil/{} root, namespace and workload policies with
// portLevelMtls. Every pa.conflict fix, followed literally, changes no mode; reversed input, same findings.
describe("pa.conflict fix: seeded fuzz", () => {
  function mesh(rnd: () => number): KubeObject[] {
    const pick = <X>(a: X[]) => a[Math.floor(rnd() * a.length)]!;
    const objs: KubeObject[] = [namespace("istio-system"), meshConfig("{}\n")];
    const canary = rnd() < 0.7;
    if (canary) objs.push(meshConfig("{}\n", "istio-system", "istio-canary"));
    const nsl: Labels[] = [INJ, REV("canary"), AMB, { ...AMB, ...REV("canary") }, {}];
    if (rnd() < 0.3) objs.push(dep("istio-system", "tool", { "sidecar.istio.io/inject": "false" }));
    if (rnd() < 0.2) objs[0] = namespace("istio-system", AMB);
    for (const ns of ["a", "b"]) {
      objs.push(namespace(ns, canary ? pick(nsl) : pick([INJ, AMB, {}])));
      for (const n of ["w1", "w2", "w3"]) {
        const l: Labels = { tier: pick(["x", "y"]) };
        if (canary && rnd() < 0.3)
          Object.assign(l, {
            "istio.io/rev": pick(["canary", "default"]),
            "sidecar.istio.io/inject": "true",
          });
        objs.push(dep(ns, n, l, [8080, 9090]));
      }
    }
    const modes = ["STRICT", "PERMISSIVE", "DISABLE", "STRICT", "STRICT"];
    const lab = (p: KubeObject) => (canary && rnd() < 0.35 ? withRev(p, pick(["canary", "default"])) : p);
    const nr = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < nr; j++) {
      const p = peerAuth("istio-system", `r${j}`, pick(modes), { created: T(2000 + j) });
      if (rnd() < 0.3) (p.spec as Record<string, unknown>).selector = {};
      objs.push(lab(p));
    }
    for (const ns of ["a", "b"]) {
      const nn = Math.floor(rnd() * 3);
      for (let j = 0; j < nn; j++)
        objs.push(lab(peerAuth(ns, `n${j}`, pick(modes), { created: T(2000 + Math.floor(rnd() * 30)) })));
      const nw = Math.floor(rnd() * 4);
      for (let j = 0; j < nw; j++)
        objs.push(
          lab(
            peerAuth(ns, `p${j}`, pick(modes), {
              selector: pick<Labels>([{ tier: "x" }, { tier: "y" }, { app: "w1" }, { app: "w2" }]),
              created: T(2000 + Math.floor(rnd() * 30)),
              ...(rnd() < 0.2 ? { ports: { "9090": pick(modes) } } : {}),
            }),
          ),
        );
    }
    return objs;
  }
  // The reviewer's three seeds gave 1,334 pa.conflict findings; 1,000 meshes a seed give more.
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 1,000 meshes, no fix changes a mode, none sets or merges one`, () => {
      let s = seed;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
      const bad: string[] = [];
      let total = 0;
      for (let i = 0; i < 1000; i++) {
        const objs = mesh(rnd);
        const fixes = (o: KubeObject[]) => findingsOf(run(o), "pa.conflict").map((f) => [f.message, f.fix]);
        if (JSON.stringify(fixes(objs)) !== JSON.stringify(fixes([...objs].reverse())))
          bad.push(`case ${i}: reversed input differs`);
        for (const r of followed(objs)) {
          total++;
          if (r.changes.length > 0 || NEVER.test(r.fix))
            bad.push(`case ${i}: ${r.fix} => ${r.changes.join(", ")}`);
        }
      }
      expect(bad).toEqual([]);
      expect(total).toBeGreaterThan(1000);
    }, 120_000);
  }
});
