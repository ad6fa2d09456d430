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
      "a principal under a trust domain alias (reviews/fpfix.md #3: a peer cluster's or pre-migration identity)",
      [meshConfig("trustDomain: cluster.local\ntrustDomainAliases: [old.example]")],
      spiffe("app", "ratings", "old.example"),
      "trust domain alias old.example",
    ],
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

// ---------------------------------------------------------------------------------------------
// reviews/fpfix.md: waypoint reports (#1), trust-domain aliases and other clusters (#3), and the
// attributed edge saying so (#3b). docs/DECISIONS.md, "Unknown callers: waypoints, aliases, other clusters".

const RATINGS = spiffe("app", "ratings");
const NAMED_BY = `(caller named by its certificate ${RATINGS}; Istio reported no source workload)`;

describe("review probes (reviews/fpfix.md)", () => {
  it("w2: an ambient waypoint's mTLS series from an unnamed caller is its principal's workload, and no error", () => {
    const s = probe("fpfix-waypoint-unknown-mtls");
    expect(s.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(unknownEdges(s)).toEqual([]);
    const e = s.edges.find(
      (x) => x.id === "bookinfo/productpage-v1->reviews.bookinfo.svc.cluster.local:9080",
    )!;
    expect(e.predicted.verdict).toBe("mtls");
    // The waypoint's count is no destination report (contract.md §1.1): nothing counted as mTLS here.
    expect(e.observed).toMatchObject({ mtls: 0, plaintext: 0 });
    expect(e.predicted.reason).toContain(
      "caller named by its certificate spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
    );
  });

  it("m2: a principal under a trust-domain alias is not pinned on the local ratings-v2, so no passthrough error", () => {
    const s = probe("fpfix-alias-principal");
    expect(s.findings.filter((f) => f.severity !== "info")).toEqual([]);
    const [e] = unknownEdges(s);
    expect(e!.id).toBe("unknown->mongodb.bookinfo.svc.cluster.local:27017");
    expect(e!.predicted.verdict).toBe("unknown");
    expect(e!.predicted.reason).toContain("trust domain alias west.local");
  });

  it("v1: istio_stats' current shape (source_workload_namespace from the SAN) is attributed too", () => {
    const s = probe("fpfix-san-namespace-shape");
    expectNoWarnings(s);
    expect(unknownEdges(s)).toEqual([]);
    const e = s.edges.find((x) => x.id === "bookinfo/ratings-v2->mongodb.bookinfo.svc.cluster.local:27017")!;
    expect(e.status).toBe("mtls");
    expect(e.predicted.reason).toContain("Istio reported no source workload");
  });
});

/** A series a waypoint reports for a caller it could not name. */
const viaWaypoint = (policy: "mutual_tls" | "none" | "unknown", value: number, principal?: string) =>
  call(null, DB, policy, value, {
    reporter: "waypoint",
    request_protocol: "tcp",
    ...(principal !== undefined ? { source_principal: principal } : {}),
  });

describe("reporter=waypoint mTLS from an unnamed caller is server-side evidence (fpfix #1)", () => {
  it("names the caller by its principal, like a destination series", () => {
    const s = run(strict(), [viaWaypoint("mutual_tls", 50, RATINGS)]);
    expectNoWarnings(s);
    expect(s.edges.map((e) => e.id)).toEqual([`app/ratings->${DB}:27017`]);
    expect(s.edges[0]!.predicted.reason).toContain(NAMED_BY);
  });

  it("with the destination's report of the same calls, counts them once (the destination's)", () => {
    const s = run(strict(), [viaWaypoint("mutual_tls", 50, RATINGS), unnamed("mutual_tls", 50, RATINGS)]);
    expect(s.edges.map((e) => e.id)).toEqual([`app/ratings->${DB}:27017`]);
    expect(s.edges[0]!.observed).toMatchObject({ mtls: 50, plaintext: 0, unknown: 0 });
  });

  it.each([
    ["a principal nobody runs as", spiffe("elsewhere", "x"), "no meshed workload"],
    ["no principal", undefined, "presented mesh certificates"],
  ])(
    "unattributable (%s): a mesh caller with verdict unknown, never plaintext-to-strict",
    (_, principal, why) => {
      const s = run(strict(), [viaWaypoint("mutual_tls", 50, principal)]);
      expect(s.findings.filter((f) => f.severity === "error")).toEqual([]);
      for (const code of PLAINTEXT_CODES) expect(findingsOf(s, code)).toEqual([]);
      const [e] = unknownEdges(s);
      expect(e!.predicted.verdict).toBe("unknown");
      expect(e!.predicted.client.tls).not.toBe("NONE");
      expect(e!.predicted.reason).toContain("the waypoint reported 50 mTLS");
      expect(e!.predicted.reason).toContain(why);
      expect(e!.observed).toMatchObject({ mtls: 0, unknown: 50 });
    },
  );

  it("unattributable, with the destination's report too: both named, the destination's counted", () => {
    const p = spiffe("elsewhere", "x");
    const s = run(strict(), [viaWaypoint("mutual_tls", 5, p), unnamed("mutual_tls", 7, p)]);
    const [e] = unknownEdges(s);
    expect(e!.observed).toMatchObject({ mtls: 7 });
    expect(e!.predicted.reason).toContain("the destination reported 7 mTLS and the waypoint 5");
  });

  it.each(["none", "unknown"] as const)(
    "near miss: a waypoint series with policy %s from an unnamed caller stays a caller without a proxy",
    (policy) => {
      const s = run(strict(), [viaWaypoint(policy, 3, RATINGS)]);
      const [e] = unknownEdges(s);
      expect(e!.predicted.client.tls).toBe("NONE");
      expect(e!.predicted.verdict).toBe("broken");
    },
  );
});

/** istiod's Deployment with its CLUSTER_ID env (the chart's from values.global.multiCluster.clusterName). */
const istiod = (clusterId: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "istiod", namespace: "istio-system" },
  spec: {
    selector: { matchLabels: { app: "istiod" } },
    template: {
      metadata: { labels: { app: "istiod" } },
      spec: { containers: [{ name: "discovery", env: [{ name: "CLUSTER_ID", value: clusterId }] }] },
    },
  },
});
const injectorValues = (values: object): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "istio-sidecar-injector", namespace: "istio-system" },
  data: { values: JSON.stringify(values), config: "policy: enabled" },
});
const remoteSecret: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "istio-remote-secret-west",
    namespace: "istio-system",
    labels: { "istio/multiCluster": "true" },
  },
  data: { west: "a3ViZWNvbmZpZw==" },
};
const meshNetworks: KubeObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "istio", namespace: "istio-system" },
  data: {
    mesh: "trustDomain: cluster.local",
    meshNetworks:
      "networks:\n  network1:\n    endpoints: [{fromRegistry: east}]\n    gateways: [{address: 1.2.3.4, port: 15443}]\n",
  },
};
const eastWest = deploy("istio-system", "istio-eastwestgateway", {
  labels: { istio: "eastwestgateway" },
  containers: ["istio-proxy"],
  sa: "istio-eastwestgateway-service-account",
});
const withCluster = (src?: string, dst?: string) =>
  call(null, DB, "mutual_tls", 42, {
    request_protocol: "tcp",
    source_principal: RATINGS,
    ...(src !== undefined ? { source_cluster: src } : {}),
    ...(dst !== undefined ? { destination_cluster: dst } : {}),
  });

describe("a principal another cluster may hold is not pinned on a local workload (fpfix #3)", () => {
  it.each([
    [
      "source_cluster differs from istiod's CLUSTER_ID",
      [istiod("east")],
      withCluster("west"),
      "source_cluster west is not this cluster (east)",
    ],
    [
      "source_cluster differs from the series' destination_cluster",
      [],
      withCluster("west", "east"),
      "source_cluster west is not this cluster (east)",
    ],
    [
      "source_cluster differs from the injector's clusterName",
      [injectorValues({ global: { multiCluster: { clusterName: "east" } } })],
      withCluster("west"),
      "not this cluster (east)",
    ],
    [
      "the injector's empty clusterName is Istio's default, Kubernetes",
      [injectorValues({ global: { multiCluster: { clusterName: "" } } })],
      withCluster("west"),
      "not this cluster (Kubernetes)",
    ],
    [
      "a remote secret, no source_cluster",
      [remoteSecret],
      withCluster(),
      "remote secret istio-system/istio-remote-secret-west",
    ],
    [
      "meshNetworks, source_cluster unknown",
      [meshNetworks],
      withCluster("unknown", "east"),
      "meshNetworks in ConfigMap istio-system/istio",
    ],
    [
      "an east-west gateway, no source_cluster",
      [eastWest],
      withCluster(),
      "east-west gateway istio-system/istio-eastwestgateway",
    ],
    [
      "a multi-cluster mesh whose own cluster is unknown, source_cluster named",
      [remoteSecret],
      withCluster("west"),
      "the mesh spans clusters",
    ],
    // reviews/fp2rev.md #3: a shared Prometheus holds another cluster's own series, whose
    // source_cluster and destination_cluster agree; only a configured ID names this cluster.
    [
      "a multi-cluster mesh without a cluster ID, source_cluster = destination_cluster",
      [eastWest],
      withCluster("west", "west"),
      "the inputs name no cluster ID, so source_cluster west may be another cluster",
    ],
  ])("%s", (_, extra, sample, why) => {
    const s = run(strict(...extra), [sample]);
    expect(s.findings.filter((f) => f.severity === "error")).toEqual([]);
    const [e] = unknownEdges(s);
    expect(e!.predicted.verdict).toBe("unknown");
    expect(e!.predicted.reason).toContain(RATINGS);
    expect(e!.predicted.reason).toContain(why);
    expect(s.edges.find((x) => x.id === `app/ratings->${DB}:27017`)).toBeUndefined();
  });

  it.each([
    ["source_cluster is istiod's CLUSTER_ID", [istiod("east")], withCluster("east")],
    ["source_cluster equals the series' destination_cluster", [], withCluster("Kubernetes", "Kubernetes")],
    [
      "a multi-cluster mesh, and source_cluster is this cluster",
      [istiod("east"), remoteSecret, eastWest],
      withCluster("east"),
    ],
    ["one cluster, no cluster labels at all", [], withCluster()],
    ["one cluster whose CLUSTER_ID is known, no source_cluster", [istiod("east")], withCluster()],
    [
      "a meshNetworks with no networks is no multi-cluster evidence",
      [{ ...meshNetworks, data: { mesh: "trustDomain: cluster.local", meshNetworks: "networks: {}" } }],
      withCluster(),
    ],
  ])("near miss: attributed when %s, and the reason says how", (_, extra, sample) => {
    const s = run(strict(...(extra as KubeObject[])), [sample]);
    expectNoWarnings(s);
    expect(unknownEdges(s)).toEqual([]);
    const e = s.edges.find((x) => x.id === `app/ratings->${DB}:27017`)!;
    expect(e.status).toBe("mtls");
    expect(e.predicted.reason).toContain(NAMED_BY);
  });

  it("a principal in a revision's trust domain other than the workload's own revision names none", () => {
    const s = run(
      strict(
        meshConfig("trustDomain: cluster.local"),
        meshConfig("trustDomain: canary.local", "istio-system", "istio-canary"),
      ),
      [unnamed("mutual_tls", 42, spiffe("app", "ratings", "canary.local"))],
    );
    const [e] = unknownEdges(s);
    expect(e!.predicted.verdict).toBe("unknown");
    expect(e!.predicted.reason).toContain("is not the one app/ratings's revision issues (cluster.local)");
  });

  it("near miss: a series that names its caller carries no attribution note", () => {
    const s = run(strict(), [
      call("app/ratings", DB, "mutual_tls", 42, { request_protocol: "tcp", source_principal: RATINGS }),
    ]);
    expect(s.edges[0]!.predicted.reason).not.toContain("caller named by its certificate");
  });
});

describe("an unknown caller's reason does not depend on the order of the series (reviews/fp2rev.md #4)", () => {
  it("one principal from two other clusters: every why, sorted, in either order", () => {
    const a = withCluster("c2");
    const b = { ...withCluster("c3"), value: 5 };
    const reasons = [
      [a, b],
      [b, a],
    ].map((xs) => {
      const [e] = unknownEdges(run(strict(istiod("c1")), xs));
      return e!.predicted.reason;
    });
    expect(reasons[0]).toBe(reasons[1]);
    expect(reasons[0]).toContain(
      `${RATINGS} (source_cluster c2 is not this cluster (c1); source_cluster c3 is not this cluster (c1))`,
    );
  });

  it("near miss: one why is printed once, whichever series repeats it", () => {
    const [e] = unknownEdges(
      run(strict(istiod("c1")), [withCluster("c2"), { ...withCluster("c2"), value: 1 }]),
    );
    expect(e!.predicted.reason).toContain(`${RATINGS} (source_cluster c2 is not this cluster (c1))`);
  });
});
