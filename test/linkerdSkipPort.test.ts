// linkerd.skip-port (findings.md "cert-manager, Linkerd, SPIRE"; docs/DECISIONS.md "linkerd.skip-port:
// outbound skip ports warn only toward a meshed server"): an inbound skip port on a meshed pod is
// always a plaintext door; an outbound one loses mTLS only toward a Linkerd-meshed server on that port.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { depRef, deploy, findingsOf, namespace, only, run, service } from "./kit";

const l5d = (name: string, annotations: Record<string, string> = {}) =>
  namespace(name, {}, { "linkerd.io/inject": "enabled", ...annotations });
const skipping = (annotations: Record<string, string>) =>
  deploy("app", "voting", { ports: [8080], annotations });
const OUT = "config.linkerd.io/skip-outbound-ports";
const IN = "config.linkerd.io/skip-inbound-ports";

// A meshed Postgres behind a Service, and a meshed StatefulSet reached by pod IP (no Service).
const MESHED_DB: KubeObject[] = [
  l5d("db"),
  deploy("db", "pg", { ports: [5432] }),
  service("db", "pg", [5432]),
];
const MESHED_GALERA: KubeObject[] = [
  l5d("db"),
  deploy("db", "galera", { ports: [4568], kind: "StatefulSet" }),
];

describe("linkerd.skip-port", () => {
  it.each([
    {
      case: "a Service of a meshed workload on that port",
      skip: "5432",
      objs: MESHED_DB,
      names: ["Service db/pg:5432"],
    },
    {
      case: "a range that holds the port",
      skip: "5000-6000",
      objs: MESHED_DB,
      names: ["Service db/pg:5432"],
    },
    {
      case: "a meshed pod's container port, reached by pod IP",
      skip: "4567,4568",
      objs: MESHED_GALERA,
      names: ["StatefulSet db/galera:4568"],
    },
  ])("warns for an outbound skip port served by $case, naming it", ({ skip, objs, names }) => {
    const f = only(run([l5d("app"), skipping({ [OUT]: skip }), ...objs]), "linkerd.skip-port");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([depRef("app", "voting")]);
    expect(f.message).toContain(`calls from app/voting to ${names.join(" and ")} bypass mTLS`);
    expect(f.message).toContain("bypass mTLS");
  });

  it("warns for the namespace's outbound annotation too", () => {
    const f = only(run([l5d("app", { [OUT]: "5432" }), skipping({}), ...MESHED_DB]), "linkerd.skip-port");
    expect([f.severity, f.message.includes("calls from app/voting to Service db/pg:5432")]).toEqual([
      "warning",
      true,
    ]);
  });

  it("keeps the warning for an inbound skip port on a meshed workload, worded as before", () => {
    const f = only(run([l5d("app"), skipping({ [IN]: "8080" })]), "linkerd.skip-port");
    expect(f.severity).toBe("warning");
    expect(f.message).toBe(
      "Deployment app/voting skips the Linkerd proxy on ports inbound 8080: traffic on them is never mTLS and invisible to Linkerd.",
    );
  });

  it.each([
    {
      miss: "no server in the inputs listens on it (an external database)",
      skip: "5432",
      objs: [] as KubeObject[],
    },
    { miss: "a meshed server listens on another port", skip: "5433", objs: MESHED_DB },
    {
      miss: "the server on that port is not meshed",
      skip: "5432",
      objs: [namespace("db"), deploy("db", "pg", { ports: [5432] }), service("db", "pg", [5432])],
    },
  ])("near miss, info only: an outbound skip port where $miss", ({ skip, objs }) => {
    const f = only(run([l5d("app"), skipping({ [OUT]: skip }), ...objs]), "linkerd.skip-port");
    expect(f.severity).toBe("info");
    expect(f.message).toContain(`outbound ${skip}`);
    expect(f.message).toContain("no Linkerd-meshed workload or Service in the inputs listens on");
    expect(f.message).toContain("the inputs may be partial");
    expect(f.message).not.toContain("bypass mTLS");
  });

  it("an inbound skip port beside an unserved outbound one still warns, for the inbound one", () => {
    const f = only(run([l5d("app"), skipping({ [IN]: "8080", [OUT]: "5432" })]), "linkerd.skip-port");
    expect(f.severity).toBe("warning");
    expect(f.message).toContain("traffic on inbound 8080 is never mTLS");
    expect(f.message).toContain(
      "no Linkerd-meshed workload or Service in the inputs listens on outbound 5432",
    );
  });

  it("silent without skip ports, and on a workload Linkerd does not mesh", () => {
    expect(findingsOf(run([l5d("app"), skipping({}), ...MESHED_DB]), "linkerd.skip-port")).toEqual([]);
    expect(
      findingsOf(run([namespace("app"), skipping({ [OUT]: "5432" }), ...MESHED_DB]), "linkerd.skip-port"),
    ).toEqual([]);
  });
});
