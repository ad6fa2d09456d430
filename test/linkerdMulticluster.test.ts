// Linkerd multicluster mirrored services (reviews/fp3.md #1): the service mirror writes `<svc>-<link>`
// Services labelled mirror.linkerd.io/mirrored-service=true. In gateway mode their Endpoints point at
// the remote gateway and carry mirror.linkerd.io/remote-gateway-identity, which Linkerd's destination
// controller hands the client as the endpoint's TLS identity; in pod-to-pod mode (labels
// multicluster.linkerd.io/remote-discovery and remote-service) it resolves the remote pods with their
// identities. A meshed Linkerd client then sends mTLS to the linked cluster.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { parseManifestText } from "../lib/core/load/parseManifests";
import { analyze } from "../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../lib/core/snapshot/schema";
import { parseTraffic } from "../lib/core/traffic/parseTraffic";
import { deploy, expectNoWarnings, host, namespace, NOW, predict } from "./kit";

const FIX = join(import.meta.dirname, "fixtures");

function probe(name: string): MeshSnapshot {
  const inputs = parseManifestText(readFileSync(join(FIX, name, "mesh.yaml"), "utf8"), "mesh.yaml");
  expect(inputs.problems).toEqual([]);
  const t = parseTraffic(readFileSync(join(FIX, name, "traffic.prom"), "utf8"), "traffic.prom");
  expect(t.problems).toEqual([]);
  const snap = analyze(inputs, { now: NOW, source: { type: "manifests" }, traffic: t });
  expect(MeshSnapshotSchema.safeParse(snap).success).toBe(true);
  return snap;
}

const GATEWAY_ID = "linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local";
const MIRRORED = { "mirror.linkerd.io/mirrored-service": "true", "mirror.linkerd.io/cluster-name": "east" };
const REMOTE = {
  "multicluster.linkerd.io/remote-discovery": "east",
  "multicluster.linkerd.io/remote-service": "voting",
};

const mirrorService = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "app", labels },
  spec: { ports: [{ name: "grpc", port: 8080, targetPort: 8080 }] },
});
const mirrorEndpoints = (
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): KubeObject => ({
  apiVersion: "v1",
  kind: "Endpoints",
  metadata: { name, namespace: "app", labels, annotations },
  subsets: [{ addresses: [{ ip: "203.0.113.10" }], ports: [{ name: "grpc", port: 4143 }] }],
});
const meshedApp = [
  namespace("app", {}, { "linkerd.io/inject": "enabled" }),
  deploy("app", "web", { ports: [80] }),
];
const plainApp = [namespace("app"), deploy("app", "web", { ports: [80] })];
const gatewayMirror = [
  mirrorService("voting-east", MIRRORED),
  mirrorEndpoints("voting-east", MIRRORED, { "mirror.linkerd.io/remote-gateway-identity": GATEWAY_ID }),
];
const flatMirror = [mirrorService("voting-east", { ...MIRRORED, ...REMOTE })];

const sides = (p: ReturnType<typeof predict>) => ({
  client: p.predicted.client.tls,
  server: `${p.predicted.server.mode}/${p.predicted.server.origin}`,
  verdict: p.predicted.verdict,
});

describe("Linkerd multicluster mirrored services", () => {
  it.each([
    {
      mode: "gateway",
      objs: gatewayMirror,
      says: /to the linked cluster east through its gateway.*linkerd-gateway\.linkerd-multicluster/,
    },
    {
      mode: "pod-to-pod",
      objs: flatMirror,
      says: /to the linked cluster east directly.*remote pods' identities/,
    },
  ])("a meshed Linkerd client sends Linkerd mTLS to a $mode mirror", ({ objs, says }) => {
    const p = predict([...meshedApp, ...objs], "app/web", host("voting-east", "app"));
    expect(sides(p)).toMatchObject({ client: "LINKERD", verdict: "mtls" });
    expect(p.predicted.reason).toMatch(says);
    expect(p.predicted.reason).not.toMatch(/plaintext/);
  });

  it.each([
    {
      case: "a gateway mirror whose Endpoints are not in the inputs",
      objs: [mirrorService("voting-east", MIRRORED)],
      why: /mirror\.linkerd\.io\/remote-gateway-identity/,
    },
    {
      case: "a gateway mirror whose Endpoints carry no gateway identity",
      objs: [mirrorService("voting-east", MIRRORED), mirrorEndpoints("voting-east", MIRRORED, {})],
      why: /mirror\.linkerd\.io\/remote-gateway-identity/,
    },
    {
      case: "a pod-to-pod mirror without its remote-service label",
      objs: [
        mirrorService("voting-east", { ...MIRRORED, "multicluster.linkerd.io/remote-discovery": "east" }),
      ],
      why: /multicluster\.linkerd\.io\/remote-service/,
    },
  ])("incomplete mirror: $case is unknown, not plaintext", ({ objs, why }) => {
    const p = predict([...meshedApp, ...objs], "app/web", host("voting-east", "app"));
    expect(p.predicted.verdict).toBe("unknown");
    expect(p.predicted.reason).toMatch(why);
    expect(p.predicted.reason).not.toMatch(/plaintext/);
  });

  it("near miss: an unmeshed client of a mirrored service is not mTLS (and not broken: the remote policy is not in the inputs)", () => {
    const p = predict([...plainApp, ...gatewayMirror], "app/web", host("voting-east", "app"));
    expect(sides(p)).toMatchObject({ client: "NONE", verdict: "unknown" });
  });

  it("near miss: an ordinary selector-less Service with hand-written Endpoints stays plaintext from a Linkerd client", () => {
    const objs = [
      mirrorService("legacy", {}),
      mirrorEndpoints("legacy", {}, { "mirror.linkerd.io/remote-gateway-identity": GATEWAY_ID }),
    ];
    const p = predict([...meshedApp, ...objs], "app/web", host("legacy", "app"));
    expect(sides(p)).toMatchObject({ client: "DISABLE" });
    expect(p.predicted.reason).toMatch(/sends plaintext to an unmeshed destination/);
  });

  it("a federated service (links in annotations) is unknown, and its reason names no gateway (reviews/fp3rev.md #5)", () => {
    const federated: KubeObject = {
      ...mirrorService("voting-federated", { "mirror.linkerd.io/mirrored-service": "true" }),
      metadata: {
        name: "voting-federated",
        namespace: "app",
        labels: { "mirror.linkerd.io/mirrored-service": "true" },
        annotations: {
          "multicluster.linkerd.io/remote-discovery": "voting@east,voting@west",
          "multicluster.linkerd.io/local-discovery": "voting",
        },
      },
    };
    const p = predict([...meshedApp, federated], "app/web", host("voting-federated", "app"));
    expect(p.predicted.verdict).toBe("unknown");
    expect(p.predicted.reason).toMatch(/federated service/);
    expect(p.predicted.reason).not.toMatch(/gateway|plaintext/);
  });

  it("near miss: a Service with the mirror label but a selector routes to local pods, not a linked cluster (reviews/fp3rev.md #6)", () => {
    const local: KubeObject = {
      ...mirrorService("voting-east", MIRRORED),
      spec: { selector: { app: "voting" }, ports: [{ name: "grpc", port: 8080, targetPort: 8080 }] },
    };
    const p = predict(
      [...meshedApp, local, deploy("app", "voting", { ports: [8080] })],
      "app/web",
      host("voting-east", "app"),
    );
    // Predicted from the local (meshed) pods, as for any Service.
    expect(p.predicted.reason).not.toMatch(/linked cluster/);
    expect(p.predicted.reason).toMatch(/app\/voting/);
  });

  it.each(["fp3-linkerd-mc-gateway", "fp3-linkerd-mc-flat"])(
    "probe %s: web → voting-svc-east is Linkerd mTLS as its own series say, no warning",
    (name) => {
      const s = probe(name);
      expectNoWarnings(s);
      const e = s.edges.find(
        (x) => x.id === "emojivoto/web->voting-svc-east.emojivoto.svc.cluster.local:8080",
      )!;
      expect([e.predicted.client.tls, e.predicted.verdict, e.status, e.observed?.mtls]).toEqual([
        "LINKERD",
        "mtls",
        "mtls",
        310,
      ]);
    },
  );
});
