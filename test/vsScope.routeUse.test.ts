// routeUse (resolve/vsScope.ts): the one per-route check that edge building (buildEdges'
// routeChoiceFor) and dr.credential-name-plaintext (vsScope's mayHave) share: whether a caller's
// sidecar sees the route's VirtualService, its Sidecar egress imports it, no VirtualService it sees
// first claims the host, and no earlier route of the list always takes its requests.
import { describe, expect, it } from "vitest";
import { buildModel } from "../lib/core/model/buildModel";
import type { KubeObject } from "../lib/core/model/input";
import type { MeshRoute } from "../lib/core/model/mesh";
import { createResolver } from "../lib/core/resolve/resolver";
import { routeUse, type Take, type Viewer } from "../lib/core/resolve/vsScope";
import { deploy, host, injected, loaded, service, sidecarResource } from "./kit";

const SRV = host("srv", "b");
const vs = (
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  created = "2026-01-01T00:00:00Z",
): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name, namespace: ns, creationTimestamp: created },
  spec,
});
const to = (subset: string) => ({ route: [{ destination: { host: SRV, subset } }] });
const base: KubeObject[] = [
  injected("a"),
  injected("b"),
  deploy("a", "client"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080, name: "http" }]),
];

/** routeUse for the route to `subset` of VirtualService `name`, as a/client's sidecar sees it. */
function useOf(objects: KubeObject[], name: string, subset: string): Take {
  const model = buildModel({ objects: loaded([...base, ...objects]), configDumps: [], problems: [] });
  const r = createResolver(model);
  const route = (model.meshRoutesByHost.get(SRV) ?? []).find(
    (x: MeshRoute) => x.vs.name === name && x.dest.subset === subset,
  );
  if (!route) throw new Error(`no route ${name}/${subset}`);
  const w = model.workloads.find((x) => x.namespace === "a" && x.name === "client")!;
  const client = {
    namespace: "a",
    name: "client",
    workload: w,
    dataplane: w.dataplane,
    labels: w.labels,
    revision: w.revision,
  };
  const sidecar = model.sidecars.find((s) => s.namespace === "a") ?? null;
  const v: Viewer = { client, ns: "a", mesh: r.meshOf(w), sidecar, target: null, hidden: null };
  return routeUse(route, v);
}

describe("routeUse: whether a caller's sidecar uses a mesh route's VirtualService for it", () => {
  const cases: { name: string; objects: KubeObject[]; vs: string; subset: string; want: Take }[] = [
    {
      name: "seen, imported, alone for its host: always",
      objects: [vs("b", "r", { hosts: [SRV], http: [to("v1")] })],
      vs: "r",
      subset: "v1",
      want: "always",
    },
    {
      name: "exported only to its own namespace: not seen from a",
      objects: [vs("b", "r", { hosts: [SRV], exportTo: ["."], http: [to("v1")] })],
      vs: "r",
      subset: "v1",
      want: "never",
    },
    {
      name: "a Sidecar egress that does not import it",
      objects: [vs("b", "r", { hosts: [SRV], http: [to("v1")] }), sidecarResource("a", "default", ["./*"])],
      vs: "r",
      subset: "v1",
      want: "never",
    },
    {
      name: "an older VirtualService for the same host claims it first",
      objects: [
        vs("b", "old", { hosts: [SRV], http: [to("v0")] }, "2025-01-01T00:00:00Z"),
        vs("b", "r", { hosts: [SRV], http: [to("v1")] }),
      ],
      vs: "r",
      subset: "v1",
      want: "never",
    },
    {
      name: "near miss: the older one is exported elsewhere, so this one is used",
      objects: [
        vs("b", "old", { hosts: [SRV], exportTo: ["."], http: [to("v0")] }, "2025-01-01T00:00:00Z"),
        vs("b", "r", { hosts: [SRV], http: [to("v1")] }),
      ],
      vs: "r",
      subset: "v1",
      want: "always",
    },
    {
      name: "shadowed: an earlier route of its list matches this caller's namespace",
      objects: [
        vs("b", "r", { hosts: [SRV], http: [{ match: [{ sourceNamespace: "a" }], ...to("v0") }, to("v1")] }),
      ],
      vs: "r",
      subset: "v1",
      want: "never",
    },
    {
      name: "near miss: the earlier route matches another namespace, so this one is reached",
      objects: [
        vs("b", "r", { hosts: [SRV], http: [{ match: [{ sourceNamespace: "c" }], ...to("v0") }, to("v1")] }),
      ],
      vs: "r",
      subset: "v1",
      want: "always",
    },
    {
      name: "its own match (a header) is not routeUse's: the route is still used, routeTakes decides per request",
      objects: [
        vs("b", "r", { hosts: [SRV], http: [{ match: [{ headers: { x: { exact: "1" } } }], ...to("v1") }] }),
      ],
      vs: "r",
      subset: "v1",
      want: "always",
    },
  ];
  for (const c of cases) it(c.name, () => expect(useOf(c.objects, c.vs, c.subset)).toBe(c.want));
});
