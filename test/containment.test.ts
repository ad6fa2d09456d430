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
import { exitStatus } from "../lib/cli/main";
import { call, deploy, host, injected, loaded, peerAuth, run, service } from "./kit";

describe("fault containment", () => {
  it("a rule that throws loses its findings only, and is named", () => {
    const throwing: Rule = {
      code: "pa.conflict",
      run: () => {
        throw new Error("boom\n  at somewhere");
      },
    };
    const working: Rule = {
      code: "mesh.no-strict",
      run: () => [finding("mesh.no-strict", { message: "m", resources: [], fix: "f" })],
    };
    const failed: Completeness[] = [];
    const found = runRules({} as AnalysisContext, [throwing, working], failed);
    expect(found.map((f) => f.code)).toEqual(["mesh.no-strict"]);
    expect(failed).toEqual([
      {
        kind: "Rule",
        reason: "error",
        message: "rule pa.conflict failed (boom at somewhere): its findings are missing",
      },
    ]);
  });

  it("an edge whose prediction throws is left out and named; the other edges stand", () => {
    const objects = [
      injected("a"),
      deploy("a", "client"),
      deploy("a", "good"),
      deploy("a", "bad"),
      service("a", "good", [80]),
      service("a", "bad", [80]),
    ];
    const r = createResolver(buildModel({ objects: loaded(objects), configDumps: [], problems: [] }));
    // The resolver's methods are plain properties: a stand-in that fails for one workload.
    const decide = r.serverDecision;
    r.serverDecision = function (w, port) {
      if (w.name === "bad") throw new Error("no decision");
      return decide.call(this, w, port);
    };
    const failed: Completeness[] = [];
    const edges = buildEdges(
      r,
      [call("a/client", host("good", "a"), "mutual_tls"), call("a/client", host("bad", "a"), "mutual_tls")],
      undefined,
      failed,
    );
    expect(edges.map((e) => e.edge.id)).toEqual(["a/client->good.a.svc.cluster.local:80"]);
    expect(failed).toEqual([
      {
        kind: "Edge",
        namespace: "a",
        reason: "error",
        message:
          "a/client->bad.a.svc.cluster.local:80: the prediction failed (no decision); the edge is missing",
      },
    ]);
  });
});

describe("the CLI's exit status on a contained failure (lib/cli/main.ts exitStatus)", () => {
  // A correct mesh: no finding at all, so only the contained failure can make the status 1.
  const clean = run([
    injected("a"),
    deploy("a", "client"),
    service("a", "client", [80]),
    peerAuth("istio-system", "default", "STRICT"),
  ]);
  const failedRule: Completeness = {
    kind: "Rule",
    reason: "error",
    message: "rule pa.conflict failed (boom): its findings are missing",
  };

  it("exits 1 and says what is missing on stderr, though no finding is at --fail-on", () => {
    expect(clean.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(exitStatus(clean, "error", () => {})).toBe(0);
    const lines: string[] = [];
    expect(exitStatus({ ...clean, completeness: [failedRule] }, "error", (s) => lines.push(s))).toBe(1);
    expect(lines).toEqual([
      "handshake: incomplete analysis: rule pa.conflict failed (boom): its findings are missing (a bug in handshake: please report it)\n",
    ]);
  });

  it("--fail-on never still exits 0, and still says it; other gaps (a namespace not readable) do not fail the run", () => {
    const lines: string[] = [];
    expect(exitStatus({ ...clean, completeness: [failedRule] }, "never", (s) => lines.push(s))).toBe(0);
    expect(lines).toHaveLength(1);
    const forbidden: Completeness = {
      kind: "PeerAuthentication",
      namespace: "a",
      reason: "forbidden",
      message: "403",
    };
    expect(exitStatus({ ...clean, completeness: [forbidden] }, "error", () => {})).toBe(0);
  });
});
