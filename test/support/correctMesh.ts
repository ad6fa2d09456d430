// Seeded random *correct* meshes (see guards.random.test.ts for what varies and why), as the
// objects, the observed calls, and what they hold, so that a test can also break one thing in one.
import type { KubeObject, TrafficSample } from "../../lib/core/model/input";
import {
  call,
  deploy,
  destRule,
  host,
  injected,
  meshConfig,
  namespace,
  peerAuth,
  service,
  serviceEntry,
  sidecarResource,
  tls,
  type PortSpec,
} from "../kit";
import { mulberry32, pick, type Rng } from "./mutation";

export const ROOT = "istio-system";

export interface App {
  ns: string;
  name: string;
  ambient: boolean;
  ports: { port: number; name: string }[];
  /** A workload-level PeerAuthentication selects it. */
  ownPolicy: boolean;
  /** The Service that selects it (by `app`), with the pod labels that tell it from its siblings. */
  service: string | null;
  labels: Record<string, string>;
}

export interface Svc {
  ns: string;
  name: string;
  ambient: boolean;
  /** The Service port names: http-*, grpc-* or tcp-*, which decide the port an observed call lands on. */
  ports: PortSpec[];
  headless: boolean;
  /** How its namespace's DestinationRules set client TLS for it. */
  clientSide: "auto" | "per-service" | "wildcard" | "no-tls";
}

export interface CorrectMesh {
  /** STRICT everywhere, or a mesh still migrating: PERMISSIVE, with every call already mTLS. */
  mode: "STRICT" | "PERMISSIVE";
  objects: KubeObject[];
  samples: TrafficSample[];
  /** Hosts of MESH_EXTERNAL ServiceEntries: their edges are TLS the proxy originates, not mTLS. */
  external: Set<string>;
  /** What the objects hold, for tests that break one thing in a correct mesh. */
  apps: App[];
  services: Svc[];
  /** Every observed call. */
  calls: { client: App; service: Svc }[];
  /** The mesh-wide `*.local` ISTIO_MUTUAL DestinationRule in the root namespace is there. */
  meshWideDr: boolean;
}

const chance = (rng: Rng, p: number) => rng() < p;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const created = (i: number) => `2026-01-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00Z`;
const owner = (kind: string, name: string) => [
  { apiVersion: "apps/v1", kind, name, uid: `${kind}-${name}`, controller: true },
];

/**
 * What a live cluster lists beside a Deployment: its ReplicaSet and a running pod, as injected
 * (istio-proxy as a container or, on Kubernetes ≥ 1.28, a native sidecar among initContainers,
 * plus the tlsMode label) or as ambient's CNI leaves it (the redirection annotation).
 */
function livePods(app: App, labels: Record<string, string>, native: boolean): KubeObject[] {
  const rs = `${app.name}-7d9f8c6b5`;
  const podLabels = {
    ...labels,
    "pod-template-hash": "7d9f8c6b5",
    ...(app.ambient ? {} : { "security.istio.io/tlsMode": "istio" }),
  };
  const proxy = {
    name: "istio-proxy",
    image: "istio/proxyv2:1.24.0",
    ...(native ? { restartPolicy: "Always" } : {}),
  };
  const appContainer = {
    name: "app",
    image: "example/app:1",
    ports: app.ports.map((p) => ({ containerPort: p.port, name: p.name })),
  };
  const spec = app.ambient
    ? { serviceAccountName: app.name, containers: [appContainer] }
    : native
      ? { serviceAccountName: app.name, initContainers: [proxy], containers: [appContainer] }
      : { serviceAccountName: app.name, containers: [appContainer, proxy] };
  const annotations: Record<string, string> = app.ambient
    ? { "ambient.istio.io/redirection": "enabled" }
    : { "sidecar.istio.io/status": '{"containers":["istio-proxy"]}' };
  return [
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: rs, namespace: app.ns, ownerReferences: owner("Deployment", app.name) },
      spec: { template: { metadata: { labels: podLabels }, spec } },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${rs}-x2x4q`,
        namespace: app.ns,
        labels: podLabels,
        annotations,
        ownerReferences: owner("ReplicaSet", rs),
      },
      spec,
    },
  ];
}

export function correctMesh(seed: number): CorrectMesh {
  const rng = mulberry32(seed);
  const objects: KubeObject[] = [namespace(ROOT), deploy(ROOT, "istiod", { ports: [15012] })];
  if (chance(rng, 0.5))
    objects.push(
      meshConfig(
        pick(rng, ["enableAutoMtls: true\n", "trustDomain: cluster.local\n", "defaultConfig: {}\n"]),
      ),
    );
  // A canary control plane: namespaces labelled istio.io/rev=canary use its mesh config.
  const revision = chance(rng, 0.25);
  if (revision) objects.push(meshConfig("trustDomain: cluster.local\n", ROOT, "istio-canary"));
  // Mesh-wide STRICT, restated or left UNSET below; or a mesh mid-migration, PERMISSIVE by policy or
  // by default, which may only earn info findings while every call is already mTLS.
  const mode = chance(rng, 0.2) ? "PERMISSIVE" : "STRICT";
  if (mode === "STRICT" || chance(rng, 0.5))
    objects.push(peerAuth(ROOT, "default", mode, { created: created(0) }));
  // Istio's documented mesh-wide client default, overridden per service below where a namespace has its own DRs.
  const meshWideDr = chance(rng, 0.25);
  if (meshWideDr) objects.push(destRule(ROOT, "default", "*.local", tls("ISTIO_MUTUAL"), created(0)));

  const apps: App[] = [];
  const services: Svc[] = [];
  const nsCount = int(rng, 1, 4);
  let seq = 1;
  for (let n = 0; n < nsCount; n++) {
    const ns = `app${n}`;
    const ambient = chance(rng, 0.25);
    if (ambient) objects.push(namespace(ns, { "istio.io/dataplane-mode": "ambient" }));
    else
      objects.push(revision && chance(rng, 0.5) ? namespace(ns, { "istio.io/rev": "canary" }) : injected(ns));
    if (chance(rng, 0.3))
      objects.push(peerAuth(ns, "default", chance(rng, 0.7) ? mode : null, { created: created(seq++) }));

    const svcCount = int(rng, 1, 3);
    for (let s = 0; s < svcCount; s++) {
      const name = `svc${n}-${s}`;
      const proto = pick(rng, ["http", "grpc", "tcp"] as const);
      const named = chance(rng, 0.5);
      // The protocol by name prefix, or by appProtocol with a free-form name.
      const main: Omit<PortSpec, "port"> =
        chance(rng, 0.2) && proto !== "tcp"
          ? { name: "main", appProtocol: proto }
          : { name: `${proto}-main` };
      const servicePorts: PortSpec[] = [{ ...main, port: 80 + s, targetPort: named ? "main" : 8080 }];
      const containerPorts = [{ port: 8080, name: "main" }];
      if (chance(rng, 0.4)) {
        servicePorts.push({ name: "tcp-extra", port: 9000 + s, targetPort: 9090 });
        containerPorts.push({ port: 9090, name: "extra" });
      }
      const versions = int(rng, 1, 3);
      const stateful = chance(rng, 0.2);
      for (let v = 1; v <= versions; v++) {
        const labels = { app: name, version: `v${v}` };
        const app: App = {
          ns,
          name: `${name}-v${v}`,
          ambient,
          ports: containerPorts,
          ownPolicy: false,
          service: name,
          labels,
        };
        apps.push(app);
        objects.push(
          deploy(ns, app.name, {
            kind: stateful ? "StatefulSet" : "Deployment",
            labels,
            ports: containerPorts,
          }),
        );
        if (!stateful && chance(rng, 0.3)) objects.push(...livePods(app, labels, chance(rng, 0.5)));
        if (chance(rng, 0.2)) {
          app.ownPolicy = true;
          // Workload-level, or UNSET (inheriting), now and then with a port-level entry keyed, as it must be, by the container port.
          const ports = chance(rng, 0.5) ? { [String(pick(rng, containerPorts).port)]: mode } : undefined;
          objects.push(
            peerAuth(ns, `${app.name}-own`, ports && chance(rng, 0.5) ? null : mode, {
              selector: labels,
              ports,
              created: created(seq++),
            }),
          );
        }
      }
      const headless = !ambient && chance(rng, 0.15);
      objects.push(service(ns, name, servicePorts, { selector: { app: name }, headless }));
      services.push({ ns, name, ambient, ports: servicePorts, headless, clientSide: "auto" });
      // A StatefulSet's governing headless Service beside its regular one: two Services, one workload.
      if (stateful && !ambient)
        objects.push(
          service(ns, `${name}-headless`, servicePorts, { selector: { app: name }, headless: true }),
        );
    }

    // One client-side choice per namespace: auto mTLS only, one ISTIO_MUTUAL DR per service
    // (FQDN or short host, sometimes port-level too, sometimes with subsets), a namespace
    // wildcard, or DRs without TLS.
    const mine = services.filter((s) => s.ns === ns);
    const style = ambient ? "auto" : pick(rng, ["auto", "per-service", "wildcard", "no-tls"] as const);
    if (style === "wildcard")
      objects.push(
        destRule(ns, "all-mtls", `*.${ns}.svc.cluster.local`, tls("ISTIO_MUTUAL"), created(seq++)),
      );
    for (const s of mine) {
      s.clientSide = style;
      if (style === "per-service") {
        const h = chance(rng, 0.5) ? host(s.name, ns) : s.name;
        const portLevel = chance(rng, 0.3)
          ? { portLevelSettings: [{ port: { number: s.ports[0]!.port }, tls: { mode: "ISTIO_MUTUAL" } }] }
          : {};
        const subsets = chance(rng, 0.3)
          ? { subsets: [1, 2].map((v) => ({ name: `v${v}`, labels: { version: `v${v}` } })) }
          : {};
        objects.push(
          destRule(
            ns,
            s.name,
            h,
            { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" }, ...portLevel }, ...subsets },
            created(seq++),
          ),
        );
      } else if (style === "no-tls") {
        objects.push(
          destRule(
            ns,
            s.name,
            host(s.name, ns),
            { trafficPolicy: { connectionPool: { http: { http2MaxRequests: 1000 } } } },
            created(seq++),
          ),
        );
      }
    }
  }

  const external = new Set<string>();
  if (chance(rng, 0.3)) {
    const ext = "api.payments.example.com";
    external.add(ext);
    objects.push(serviceEntry(apps[0]!.ns, "payments-api", [ext]));
    objects.push(destRule(apps[0]!.ns, "payments-api", ext, tls("SIMPLE", { sni: ext }), created(seq++)));
  }

  const clients = [...apps];
  // Workers that no Service selects still call services.
  for (const ns of new Set(apps.map((a) => a.ns))) {
    if (!chance(rng, 0.3)) continue;
    const worker: App = {
      ns,
      name: "worker",
      ambient: apps.find((a) => a.ns === ns)!.ambient,
      ports: [],
      ownPolicy: false,
      service: null,
      labels: { app: "worker" },
    };
    objects.push(deploy(ns, "worker"));
    clients.push(worker);
  }
  if (chance(rng, 0.3)) {
    const gateway: App = {
      ns: ROOT,
      name: "istio-ingressgateway",
      ambient: false,
      ports: [{ port: 8080, name: "http2" }],
      ownPolicy: false,
      service: null,
      labels: { istio: "ingressgateway" },
    };
    objects.push(
      deploy(ROOT, gateway.name, {
        labels: { istio: "ingressgateway" },
        containers: ["istio-proxy"],
        ports: gateway.ports,
      }),
    );
    clients.push(gateway);
  }

  // Observed calls, as the destination proxy (or ztunnel) reports them: all mutual TLS. A sidecar
  // client calls anything; an ambient client calls ambient services (ztunnel reaches a sidecar
  // only over HBONE, which these sidecars do not take: a different, incorrect mesh).
  const samples: TrafficSample[] = [];
  const called = new Map<string, Set<string>>();
  const calls: CorrectMesh["calls"] = [];
  for (const client of clients) {
    for (const s of services) {
      if (client.ambient && !s.ambient) continue;
      if (!chance(rng, 0.35)) continue;
      const src = `${client.ns}/${client.name}`;
      const h = host(s.name, s.ns);
      calls.push({ client, service: s });
      const proto = s.ports[0]!.appProtocol ?? s.ports[0]!.name!.split("-")[0]!;
      const value = int(rng, 1, 5000);
      if (s.ambient)
        samples.push({
          ...call(src, h, "mutual_tls", value, { request_protocol: "tcp" }),
          metric: "istio_tcp_connections_opened_total",
        });
      else samples.push(call(src, h, "mutual_tls", value, { request_protocol: proto }));
      // The client's proxy reports the same calls; they are not evidence of TLS (istio.md §7.1).
      if (!client.ambient && chance(rng, 0.5))
        samples.push(
          call(src, h, "unknown", value, { reporter: "source", request_protocol: s.ambient ? "tcp" : proto }),
        );
      const from = called.get(client.ns) ?? new Set<string>();
      called.set(client.ns, from.add(`${s.ns}/*`));
    }
    if (external.size > 0 && !client.ambient && chance(rng, 0.5)) {
      samples.push(
        call(`${client.ns}/${client.name}`, [...external][0]!, "unknown", 7, {
          reporter: "source",
          request_protocol: "tcp",
        }),
      );
      called.get(client.ns)?.add(`${apps[0]!.ns}/*`);
    }
  }
  // A namespace's Sidecar resource, as a careful team writes it: it imports what the namespace calls.
  for (const [ns, hosts] of called) {
    if (ns === ROOT || apps.find((a) => a.ns === ns)?.ambient || !chance(rng, 0.3)) continue;
    objects.push(
      sidecarResource(
        ns,
        "default",
        ["./*", `${ROOT}/*`, ...[...hosts].sort()],
        chance(rng, 0.5) ? "REGISTRY_ONLY" : undefined,
      ),
    );
  }
  return { mode, objects, samples, external, apps, services, calls, meshWideDr };
}
