// The runner of the documented-setup hunts (test/fpHunt4.test.ts, test/fpHunt6.test.ts): a scenario built
// from an upstream doc's YAML, its traffic as Prometheus text, the edges it must give and every warning and
// error the snapshot may hold.
import { expect } from "vitest";
import type { KubeObject } from "../../lib/core/model/input";
import type { MeshSnapshot } from "../../lib/core/snapshot/schema";
import { parseTraffic } from "../../lib/core/traffic/parseTraffic";
import { edgeOf, run } from "../kit";

export interface EdgeWant {
  src: string | null;
  host: string;
  /** The destination port, when the host has edges on several. */
  port?: number;
  verdict: string;
  /** The edge's error/warning codes (sorted); [] for a clean edge. */
  codes: string[];
}

export interface Scenario {
  name: string;
  /** istio/istio.io path the YAML and the expected outcomes come from. */
  doc: string;
  objects: KubeObject[];
  traffic: string[];
  edges: EdgeWant[];
  /** Every warning and error of the snapshot, as sorted `code` list (edge findings included). */
  findings: string[];
  /** Extra checks on the snapshot. */
  also?: (s: MeshSnapshot) => void;
}

function analyse(s: Scenario): MeshSnapshot {
  const parsed = parseTraffic(
    ["# TYPE istio_requests_total counter", ...s.traffic].join("\n") + "\n",
    "scrape.prom",
  );
  expect(parsed.problems).toEqual([]);
  return run(s.objects, parsed.samples);
}

const sourceKey = (e: MeshSnapshot["edges"][number]) =>
  e.source.workload ? `${e.source.namespace}/${e.source.workload}` : null;

const notInfo = (snap: MeshSnapshot) => snap.findings.filter((f) => f.severity !== "info");

export function check(s: Scenario): void {
  const snap = analyse(s);
  for (const want of s.edges) {
    const e =
      want.port === undefined
        ? edgeOf(snap, want.src, want.host)
        : snap.edges.find(
            (x) =>
              x.destination.port === want.port &&
              sourceKey(x) === want.src &&
              x.destination.host === want.host,
          );
    expect(
      e,
      `edge ${want.src} → ${want.host}${want.port === undefined ? "" : `:${want.port}`}`,
    ).toBeTruthy();
    const codes = notInfo(snap)
      .filter((f) => f.edge === e!.id)
      .map((f) => f.code)
      .sort();
    expect({ edge: e!.id, verdict: e!.predicted.verdict, codes }).toEqual({
      edge: e!.id,
      verdict: want.verdict,
      codes: want.codes,
    });
  }
  expect(
    notInfo(snap)
      .map((f) => f.code)
      .sort(),
    notInfo(snap)
      .map((f) => `${f.code}: ${f.message}`)
      .join("\n"),
  ).toEqual([...s.findings].sort());
  s.also?.(snap);
}

// Observed traffic as Prometheus scrapes it (istio.md §7.1, §7.2): one Istio series.
export type Src = [ns: string, workload: string] | null;

export interface SeriesOpts {
  /** destination_service_name; by default the host's first label. */
  name?: string;
  /** destination_service_namespace; by default the host's second label for a cluster host. */
  ns?: string;
}

export function series(
  metric: string,
  reporter: string,
  src: Src,
  dest: string,
  policy: string,
  n: number,
  protocol: string,
  o: SeriesOpts = {},
): string {
  const [sns, swl] = src ?? ["unknown", "unknown"];
  const [dname, dns] = dest.split(".");
  const labels = [
    `reporter="${reporter}"`,
    `source_workload="${swl}"`,
    `source_workload_namespace="${sns}"`,
    `source_principal="${src ? `spiffe://cluster.local/ns/${sns}/sa/${swl}` : "unknown"}"`,
    `destination_service="${dest}"`,
    `destination_service_name="${o.name ?? dname}"`,
    `destination_service_namespace="${o.ns ?? (dest.endsWith(".svc.cluster.local") ? dns : "unknown")}"`,
    `request_protocol="${protocol}"`,
    ...(metric === "istio_requests_total" ? [`response_code="200"`, `response_flags="-"`] : []),
    `connection_security_policy="${policy}"`,
  ];
  return `${metric}{${labels.join(",")}} ${n}`;
}
