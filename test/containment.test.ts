// One bug never blanks a snapshot: a rule that throws loses only its own findings, an edge whose
// prediction throws is left out, and each is named in `completeness` (reason "error"). The test
// kit fails any test whose analysis contained such an error (kit.ts `run`).
import { describe, expect, it } from "vitest";
import { buildEdges } from "../lib/core/edges/buildEdges";
import type { AnalysisContext, Rule } from "../lib/core/findings/context";
import { finding } from "../lib/core/findings/finding";
import { buildModel } from "../lib/core/model/buildModel";
import { createResolver } from "../lib/core/resolve/resolver";
import { runRules } from "../lib/core/snapshot/analyze";
import type { Completeness } from "../lib/core/snapshot/schema";
import { call, deploy, host, injected, loaded, service } from "./kit";

describe("fault containment", () => {
  it("a rule that throws loses its findings only, and is named", () => {
    const throwing: Rule = {
      code: "pa.conflict",
      run: () => {
        throw new Error("boom\n  at somewhere");
      },
    };
    const working: Rule = { code: "mesh.no-strict", run: () => [finding("mesh.no-strict", { message: "m", resources: [], fix: "f" })] };
    const failed: Completeness[] = [];
    const found = runRules({} as AnalysisContext, [throwing, working], failed);
    expect(found.map((f) => f.code)).toEqual(["mesh.no-strict"]);
    expect(failed).toEqual([{ kind: "Rule", reason: "error", message: "rule pa.conflict failed (boom at somewhere): its findings are missing" }]);
  });

  it("an edge whose prediction throws is left out and named; the other edges stand", () => {
    const objects = [injected("a"), deploy("a", "client"), deploy("a", "good"), deploy("a", "bad"), service("a", "good", [80]), service("a", "bad", [80])];
    const r = createResolver(buildModel({ objects: loaded(objects), configDumps: [], problems: [] }));
    // The resolver's methods are plain properties: a stand-in that fails for one workload.
    const decide = r.serverDecision;
    r.serverDecision = function (w, port) {
      if (w.name === "bad") throw new Error("no decision");
      return decide.call(this, w, port);
    };
    const failed: Completeness[] = [];
    const edges = buildEdges(r, [call("a/client", host("good", "a"), "mutual_tls"), call("a/client", host("bad", "a"), "mutual_tls")], undefined, failed);
    expect(edges.map((e) => e.edge.id)).toEqual(["a/client->good.a.svc.cluster.local:80"]);
    expect(failed).toEqual([{ kind: "Edge", namespace: "a", reason: "error", message: "a/client->bad.a.svc.cluster.local:80: the prediction failed (no decision); the edge is missing" }]);
  });
});
