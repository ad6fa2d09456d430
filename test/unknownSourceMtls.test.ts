// Destination-side series whose caller Istio could not name (source_workload="unknown") but which say
// mutual_tls: real Istio output when peer metadata exchange does not happen (server-first TCP such as
// MongoDB or MySQL, istio/istio#23991 and #31034), while the peer's identity still comes from its
// certificate (source_principal). reviews/fp.md defect 1: such series made a proxy-less caller, hence
// edge.plaintext-to-strict on a correct STRICT mesh (docs/DECISIONS.md, "Unknown callers that present
// mesh certificates").
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../lib/core/load/parseManifests";
import type { KubeObject, TrafficSample } from "../lib/core/model/input";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { parseTraffic } from "../lib/core/traffic/parseTraffic";
import {
  call,
  deploy,
  expectNoWarnings,
  findingsOf,
  host,
  injected,
  meshConfig,
  namespace,
  NOW,
  only,
  peerAuth,
  run,
  service,
} from "./kit";

const FIX = join(import.meta.dirname, "fixtures");

/** A review probe as the CLI reads it: the folder's manifests and its Prometheus text. */
function probe(name: string): MeshSnapshot {
  const inputs = parseManifestText(readFileSync(join(FIX, name, "mesh.yaml"), "utf8"), "mesh.yaml");
  expect(inputs.problems).toEqual([]);
  const traffic = parseTraffic(readFileSync(join(FIX, name, "traffic.prom"), "utf8"), "traffic.prom");
  expect(traffic.problems).toEqual([]);
  const snap = analyze(inputs, { now: NOW, source: { type: "manifests" }, traffic });
  expect(MeshSnapshotSchema.safeParse(snap).success).toBe(true);
  return snap;
}

const unknownEdges = (s: MeshSnapshot) => s.edges.filter((e) => e.source.workload === null);
const DB = host("db", "app");
const PLAINTEXT_CODES = ["edge.plaintext", "edge.plaintext-to-strict", "edge.observed-mismatch"];

describe("review probes (reviews/fp.md defect 1)", () => {
  it("1g: a STRICT mesh whose MongoDB sees mTLS from an unnamed caller is clean; the caller is its principal's workload", () => {
    const s = probe("fp-unknown-source-mtls");
    expectNoWarnings(s);
    expect(unknownEdges(s)).toEqual([]);
    const e = s.edges.find((x) => x.id === "bookinfo/ratings-v2->mongodb.bookinfo.svc.cluster.local:27017")!;
    expect(e.observed).toMatchObject({ mtls: 42, plaintext: 0, unknown: 0 });
    expect(e.predicted.verdict).toBe("mtls");
    expect(e.status).toBe("mtls");
  });

  it("5c: a PERMISSIVE namespace receiving gRPC mTLS from an unnamed caller is ready for STRICT, and nothing is plaintext", () => {
    const s = probe("fp-mixed-unknown-mtls");
    expectNoWarnings(s);
    for (const code of PLAINTEXT_CODES) expect(findingsOf(s, code)).toEqual([]);
    expect(unknownEdges(s)).toEqual([]);
    const e = s.edges.find((x) => x.id === "shop/cart->orders-api.orders.svc.cluster.local:80")!;
    expect(e.observed).toMatchObject({ mtls: 317, plaintext: 0 });
    expect(e.status).toBe("mtls");
    expect(only(s, "pa.permissive").message).toContain("looks ready for STRICT");
  });
});

// ---------------------------------------------------------------------------------------------
// A small mesh: `app` injected, `db` behind a TCP Service, mesh-wide STRICT unless said otherwise.

const BASE: KubeObject[] = [
  namespace("istio-system"),
  injected("app"),
  deploy("app", "ratings", { ports: [9080] }),
  deploy("app", "db", { ports: [27017], sa: "default" }),
  service("app", "db", [{ port: 27017, name: "mongo" }]),
];
const strict = (...extra: KubeObject[]) => [...BASE, peerAuth("istio-system", "default", "STRICT"), ...extra];
const permissive = (...extra: KubeObject[]) => [...BASE, peerAuth("app", "default", "PERMISSIVE"), ...extra];

/** A destination-side TCP series from a caller Istio could not name. */
const unnamed = (policy: "mutual_tls" | "none", value: number, principal?: string): TrafficSample =>
  call(null, DB, policy, value, {
    request_protocol: "tcp",
    ...(principal !== undefined ? { source_principal: principal } : {}),
  });

const spiffe = (ns: string, sa: string, td = "cluster.local") => `spiffe://${td}/ns/${ns}/sa/${sa}`;

describe("(a) the caller's principal names exactly one meshed workload: the edge is that workload's", () => {
  it.each([
    ["the mesh's trust domain", [] as KubeObject[], spiffe("app", "ratings")],
    [
      "a trust domain alias of the mesh config",
      [meshConfig("trustDomain: cluster.local\ntrustDomainAliases: [old.example]")],
      spiffe("app", "ratings", "old.example"),
    ],
    [
      "the mesh config's own trust domain",
      [meshConfig("trustDomain: corp.example")],
      spiffe("app", "ratings", "corp.example"),
    ],
  ])("%s", (_, extra, principal) => {
    const s = run(strict(...extra), [unnamed("mutual_tls", 42, principal)]);
    expectNoWarnings(s);
    expect(unknownEdges(s)).toEqual([]);
    const e = s.edges.find((x) => x.id === `app/ratings->${DB}:27017`)!;
    expect(e.source).toEqual({ namespace: "app", workload: "ratings" });
    expect(e.observed).toMatchObject({ mtls: 42, plaintext: 0 });
    expect(e.status).toBe("mtls");
  });

  it("joins the workload's own source-side series into one edge, counted from the destination only", () => {
    const own = call("app/ratings", DB, "unknown", 42, { reporter: "source", request_protocol: "tcp" });
    const s = run(strict(), [own, unnamed("mutual_tls", 42, spiffe("app", "ratings"))]);
    expect(s.edges.map((e) => e.id)).toEqual([`app/ratings->${DB}:27017`]);
    expect(s.edges[0]!.observed).toMatchObject({ mtls: 42, plaintext: 0, unknown: 0 });
  });
});

describe("(b) mTLS from a caller nobody can name is a mesh caller: verdict unknown, never a proxy-less one", () => {
  const twoReviews = [
    deploy("app", "reviews-v1", { sa: "reviews" }),
    deploy("app", "reviews-v2", { sa: "reviews" }),
  ];
  it.each([
    [
      "a principal whose service account two workloads run as",
      twoReviews,
      spiffe("app", "reviews"),
      "2 workloads",
    ],
    ["a principal of a namespace not in the inputs", [], spiffe("elsewhere", "x"), "no meshed workload"],
    ["a principal of a foreign trust domain", [], spiffe("app", "ratings", "other.example"), "trust domain"],
    ["a principal that is not a SPIFFE ID", [], "ratings.app.example", "not a SPIFFE ID"],
    [
      "a principal whose only workload has no proxy",
      [deploy("app", "batch", { sa: "batch", annotations: { "sidecar.istio.io/inject": "false" } })],
      spiffe("app", "batch"),
      "no meshed workload",
    ],
  ])("%s", (_, extra, principal, why) => {
    const s = run(strict(...extra), [unnamed("mutual_tls", 42, principal)]);
    for (const code of PLAINTEXT_CODES) expect(findingsOf(s, code)).toEqual([]);
    expect(s.findings.filter((f) => f.severity === "error")).toEqual([]);
    const [e] = unknownEdges(s);
    expect(e!.id).toBe(`unknown->${DB}:27017`);
    expect(e!.predicted.verdict).toBe("unknown");
    expect(e!.status).toBe("unknown");
    expect(e!.predicted.client.tls).not.toBe("NONE");
    expect(e!.predicted.server.mode).toBe("STRICT");
    expect(e!.predicted.reason).toContain(principal);
    expect(e!.predicted.reason).toContain(why);
  });

  it("without any source_principal label", () => {
    const s = run(strict(), [unnamed("mutual_tls", 5)]);
    expectNoWarnings(s);
    const [e] = unknownEdges(s);
    expect(e!.predicted.verdict).toBe("unknown");
    expect(e!.predicted.reason).toContain("presented mesh certificates");
  });

  it("in a PERMISSIVE namespace: no edge.plaintext, and pa.permissive looks ready for STRICT", () => {
    const s = run(permissive(), [unnamed("mutual_tls", 17, spiffe("elsewhere", "x"))]);
    expectNoWarnings(s);
    expect(only(s, "pa.permissive").message).toContain("looks ready for STRICT");
  });
});

describe("near misses: callers without a proxy stay what they were", () => {
  it("plaintext (none) from an unknown source to a STRICT server is still edge.plaintext-to-strict", () => {
    const s = run(strict(), [unnamed("none", 3)]);
    const e = unknownEdges(s)[0]!;
    expect(e.predicted.client.tls).toBe("NONE");
    expect(e.predicted.verdict).toBe("broken");
    expect(only(s, "edge.plaintext-to-strict").message).toContain("a caller outside the mesh");
  });

  it("a plaintext series keeps its principal-less unknown caller even when it carries a principal label", () => {
    // `none`: the server saw no peer certificate, whatever the label says; nothing is attributed.
    const s = run(strict(), [unnamed("none", 3, spiffe("app", "ratings"))]);
    expect(unknownEdges(s)).toHaveLength(1);
    expect(only(s, "edge.plaintext-to-strict")).toBeTruthy();
  });

  it("plaintext from an unknown source into PERMISSIVE is still edge.plaintext and a pa.permissive warning", () => {
    const s = run(permissive(), [unnamed("none", 3)]);
    expect(only(s, "edge.plaintext").message).toContain("a caller outside the mesh");
    const pa = only(s, "pa.permissive");
    expect(pa.severity).toBe("warning");
    expect(pa.message).toContain("callers outside the mesh");
  });

  it("a source-side series with an unknown caller is not attributed by its principal", () => {
    const s = run(strict(), [
      call(null, DB, "unknown", 4, {
        reporter: "source",
        request_protocol: "tcp",
        source_principal: spiffe("app", "ratings"),
      }),
    ]);
    const e = unknownEdges(s)[0]!;
    expect(e.predicted.client.tls).toBe("NONE");
    expect(e.observed).toMatchObject({ mtls: 0, unknown: 4 });
  });

  it("mixed: unknown callers sending both mTLS and plaintext keep the plaintext prediction, which names the mTLS part", () => {
    const twoReviews = [
      deploy("app", "reviews-v1", { sa: "reviews" }),
      deploy("app", "reviews-v2", { sa: "reviews" }),
    ];
    const s = run(permissive(...twoReviews), [
      unnamed("mutual_tls", 17, spiffe("app", "reviews")),
      unnamed("none", 3),
    ]);
    const e = unknownEdges(s)[0]!;
    expect(e.predicted.client.tls).toBe("NONE");
    expect(e.predicted.verdict).toBe("plaintext");
    expect(e.predicted.reason).toContain(spiffe("app", "reviews"));
    expect(only(s, "edge.plaintext").message).toContain("a caller outside the mesh");
    expect(only(s, "pa.permissive").severity).toBe("warning");
    // Contract §1.1: observed mTLS against a plaintext prediction is a mismatch; its fix says why.
    expect(e.status).toBe("mismatch");
    expect(only(s, "edge.observed-mismatch").fix).toContain("could not identify");
  });
});
