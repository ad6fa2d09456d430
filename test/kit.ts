// Test kit: small builders for Kubernetes/Istio objects and traffic samples, and runners that go
// through the real model, resolver and analysis. Builders return plain objects so a test reads
// like the manifest it stands for.
import { expect } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import type { KubeObject, LoadedObject, TrafficSample } from "../lib/core/model/input";
import type { UnreadKind } from "../lib/core/model/linkerdPolicy";
import { predictEdge, type Client } from "../lib/core/resolve/predictEdge";
import { createResolver } from "../lib/core/resolve/resolver";
import { analyze } from "../lib/core/snapshot/analyze";
import {
  MeshSnapshotSchema,
  type Finding,
  type MeshSnapshot,
  type SnapshotSource,
} from "../lib/core/snapshot/schema";
import { internalErrors } from "./support/mutation";

type Labels = Record<string, string>;
export const NOW = new Date("2026-11-27T12:00:00Z");

const meta = (name: string, namespace: string | undefined, extra: Record<string, unknown> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  ...extra,
});

export function namespace(name: string, labels: Labels = {}, annotations: Labels = {}): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: meta(name, undefined, { labels, annotations }) };
}

export function meshConfig(mesh: string, namespace_ = "istio-system", name = "istio"): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(name, namespace_), data: { mesh } };
}

export interface DeployOpts {
  labels?: Labels;
  annotations?: Labels;
  ports?: (number | { port: number; name: string })[];
  sa?: string;
  containers?: string[];
  kind?: string;
}

export function deploy(ns: string, name: string, o: DeployOpts = {}): KubeObject {
  const containers = (o.containers ?? ["app"]).map((c, i) => ({
    name: c,
    image: `example/${c}:1`,
    ...(i === 0 && o.ports
      ? {
          ports: o.ports.map((p) =>
            typeof p === "number" ? { containerPort: p } : { containerPort: p.port, name: p.name },
          ),
        }
      : {}),
  }));
  const template = {
    metadata: { labels: { app: name, ...(o.labels ?? {}) }, annotations: o.annotations ?? {} },
    spec: { serviceAccountName: o.sa ?? name, containers },
  };
  const kind = o.kind ?? "Deployment";
  if (kind === "Pod")
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: meta(name, ns, {
        labels: template.metadata.labels,
        annotations: template.metadata.annotations,
      }),
      spec: template.spec,
    };
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: meta(name, ns),
    spec: { selector: { matchLabels: { app: name } }, template },
  };
}

export interface PortSpec {
  port: number;
  targetPort?: number | string;
  name?: string;
  appProtocol?: string;
}

export function service(
  ns: string,
  name: string,
  ports: (number | PortSpec)[],
  o: { selector?: Labels | null; headless?: boolean } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(name, ns),
    spec: {
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: name } }),
      ...(o.headless ? { clusterIP: "None" } : {}),
      ports: ports.map((p) =>
        typeof p === "number" ? { name: "http", port: p, targetPort: p } : { name: "http", ...p },
      ),
    },
  };
}

export function peerAuth(
  ns: string,
  name: string,
  mode: string | null,
  o: { selector?: Labels; ports?: Record<string, string | null>; created?: string } = {},
): KubeObject {
  const spec: Record<string, unknown> = {};
  if (o.selector) spec.selector = { matchLabels: o.selector };
  if (mode) spec.mtls = { mode };
  if (o.ports)
    spec.portLevelMtls = Object.fromEntries(
      Object.entries(o.ports).map(([k, v]) => [k, v ? { mode: v } : {}]),
    );
  return {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: meta(name, ns, o.created ? { creationTimestamp: o.created } : {}),
    spec,
  };
}

export function destRule(
  ns: string,
  name: string,
  host: string,
  spec: Record<string, unknown> = {},
  created?: string,
): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: meta(name, ns, created ? { creationTimestamp: created } : {}),
    spec: { host, ...spec },
  };
}

export const tls = (mode: string | null, extra: Record<string, unknown> = {}) => ({
  trafficPolicy: { tls: { ...(mode ? { mode } : {}), ...extra } },
});

export function serviceEntry(
  ns: string,
  name: string,
  hosts: string[],
  o: { location?: string; ports?: number[]; resolution?: string } = {},
): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: meta(name, ns),
    spec: {
      hosts,
      location: o.location ?? "MESH_EXTERNAL",
      resolution: o.resolution ?? "DNS",
      ports: (o.ports ?? [443]).map((n) => ({ number: n, name: `tls-${n}`, protocol: "TLS" })),
    },
  };
}

export function sidecarResource(ns: string, name: string, hosts: string[], mode?: string): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Sidecar",
    metadata: meta(name, ns),
    spec: { egress: [{ hosts }], ...(mode ? { outboundTrafficPolicy: { mode } } : {}) },
  };
}

export const loaded = (objects: KubeObject[]): LoadedObject[] =>
  objects.map((object, i) => ({ object, at: { file: "test.yaml", line: i + 1 } }));

/** One observed call as Istio's destination reporter records it. */
export function call(
  src: string | null,
  host: string,
  policy: "mutual_tls" | "none" | "unknown",
  value = 10,
  extra: Record<string, string> = {},
): TrafficSample {
  const [sns, swl] = src ? src.split("/") : ["unknown", "unknown"];
  return {
    metric: "istio_requests_total",
    labels: {
      reporter: "destination",
      source_workload: swl!,
      source_workload_namespace: sns!,
      destination_service: host,
      request_protocol: "http",
      connection_security_policy: policy,
      ...extra,
    },
    value,
  };
}

/** `source`: where the inputs come from (manifests by default; a cluster holds only admitted objects). */
export function run(
  objects: KubeObject[],
  samples: TrafficSample[] = [],
  source: SnapshotSource = { type: "manifests" },
): MeshSnapshot {
  const snap = analyze(
    { objects: loaded(objects), configDumps: [], problems: [] },
    { now: NOW, source, traffic: { samples, problems: [] } },
  );
  // Every snapshot a test produces must satisfy the contract's schema.
  const parsed = MeshSnapshotSchema.safeParse(snap);
  if (!parsed.success) throw new Error(`snapshot violates the schema: ${parsed.error.message}`);
  const internal = internalErrors(snap);
  if (internal.length > 0) throw new Error(`the analysis contained internal errors:\n${internal.join("\n")}`);
  return snap;
}

export const findingsOf = (s: MeshSnapshot, code: string): Finding[] =>
  s.findings.filter((f) => f.code === code);

export function expectNoWarnings(s: MeshSnapshot): void {
  expect(s.findings.filter((f) => f.severity !== "info").map((f) => `${f.code}: ${f.message}`)).toEqual([]);
}

export const edgeOf = (s: MeshSnapshot, src: string | null, host: string) =>
  s.edges.find(
    (e) =>
      (e.source.workload ? `${e.source.namespace}/${e.source.workload}` : null) === src &&
      e.destination.host === host,
  );

/**
 * Predict one edge directly through the resolver (no telemetry needed); `unread`: kinds the cluster reader
 * could not list; `fromCluster`: the objects were read from a cluster (not manifests).
 */
export function predict(
  objects: KubeObject[],
  src: string | null,
  host: string,
  port?: number,
  unread: UnreadKind[] = [],
  fromCluster = false,
) {
  const model = buildModel({ objects: loaded(objects), configDumps: [], problems: [] }, unread, fromCluster);
  const r = createResolver(model);
  const svc = model.serviceByHost.get(host);
  if (!svc) throw new Error(`no service ${host}`);
  const p = port === undefined ? svc.ports[0] : svc.ports.find((x) => x.port === port);
  if (!p) throw new Error(`no port ${port} on ${host}`);
  let client: Client = {
    namespace: null,
    name: null,
    workload: null,
    dataplane: "none",
    labels: {},
    revision: "",
  };
  if (src) {
    const w = model.workloadByKey.get(src);
    if (!w) throw new Error(`no workload ${src}`);
    client = {
      namespace: w.namespace,
      name: w.name,
      workload: w,
      dataplane: w.dataplane,
      labels: w.labels,
      revision: w.revision,
    };
  }
  return predictEdge(r, client, svc, p);
}

export const host = (name: string, ns: string) => `${name}.${ns}.svc.cluster.local`;

export const injected = (name: string) => namespace(name, { "istio-injection": "enabled" });
export const depRef = (ns: string, name: string) => ({ kind: "Deployment", namespace: ns, name });
export const nsRef = (name: string) => ({ kind: "Namespace", name });
export const workloadOf = (s: MeshSnapshot, ns: string, name: string) =>
  s.workloads.find((w) => w.namespace === ns && w.name === name)!;

/** The one finding with this code; fails when there is none or several, or when it has no fix. */
export function only(s: MeshSnapshot, code: string): Finding {
  const fs = findingsOf(s, code);
  expect(
    fs.map((f) => f.message),
    `exactly one ${code}`,
  ).toHaveLength(1);
  const f = fs[0]!;
  expect(f.fix, `${code} has a fix`).toBeTruthy();
  return f;
}
