// Synthetic mesh for the benchmark (and for tests at small sizes): Kubernetes/Istio manifests as one
// multi-document YAML text, and a Prometheus text scrape of destination-reported Istio metrics.
// Deterministic: the same sizes and seed give the same bytes.
//
// Shape (istio.md §1, §2, §7):
// - namespace 0 is `istio-system` (root namespace, mesh ConfigMap, mesh-wide STRICT PeerAuthentication);
//   the others are `istio-injection: enabled` but for 1 in 25 ambient and 1 in 25 not in the mesh;
// - every Service has one HTTP/gRPC port first and 0–2 `tcp-…` ports (ambient namespaces: one port
//   only), and selects 1–10 Deployments (`app: <service>`, `version: vN`); Deployments that no Service
//   selects are `worker-N`;
// - PeerAuthentications: mesh-wide, then namespace-wide, then workload-level (some with portLevelMtls on
//   a container port), exactly `peerAuthentications` in all;
// - DestinationRules: FQDN, short and `*.ns.svc.cluster.local` hosts; ISTIO_MUTUAL, DISABLE, no TLS,
//   port-level settings;
// - traffic: `edges` distinct (source workload, destination service) pairs between meshed workloads
//   and Services in meshed namespaces, each reported by the destination. The sample targets the
//   Service's HTTP port with `request_protocol` http/grpc, so each pair is exactly one edge. Ambient
//   destinations report through ztunnel (`istio_tcp_connections_opened_total`, istio.md §7.2), the
//   rest as `istio_requests_total`; ~10% of pairs get a second (5xx) series.

export interface MeshSizes {
  namespaces: number;
  workloads: number;
  services: number;
  peerAuthentications: number;
  destinationRules: number;
  edges: number;
}

export interface GeneratedMesh {
  yaml: string;
  traffic: string;
}

/** The sizes of the acceptance benchmark. */
export const FULL_SIZES: Readonly<MeshSizes> = {
  namespaces: 500,
  workloads: 10_000,
  services: 2_000,
  peerAuthentications: 1_000,
  destinationRules: 1_000,
  edges: 20_000,
};

/** FULL_SIZES times `factor` (at least 2 namespaces, so there is an application namespace). */
export function scaledSizes(factor: number): MeshSizes {
  const s = (n: number) => Math.max(0, Math.round(n * factor));
  return {
    namespaces: Math.max(2, s(FULL_SIZES.namespaces)),
    workloads: s(FULL_SIZES.workloads),
    services: s(FULL_SIZES.services),
    peerAuthentications: s(FULL_SIZES.peerAuthentications),
    destinationRules: s(FULL_SIZES.destinationRules),
    edges: s(FULL_SIZES.edges),
  };
}

/** mulberry32: a tiny, fast, seedable PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Dataplane = "sidecar" | "ambient" | "none";

interface Ns {
  name: string;
  dataplane: Dataplane;
  workloads: Deploy[];
  services: Svc[];
}

interface ContainerPort {
  port: number;
  name: string;
}

interface Deploy {
  ns: Ns;
  name: string;
  app: string;
  version: string;
  sa: string;
  ports: ContainerPort[];
}

interface SvcPort {
  name: string;
  port: number;
  targetPort: number;
}

interface Svc {
  ns: Ns;
  name: string;
  ports: SvcPort[];
  /** The `app` label its selector matches. */
  app: string;
  workloads: Deploy[];
}

const WORDS = [
  "api",
  "auth",
  "billing",
  "cart",
  "catalog",
  "checkout",
  "inventory",
  "ledger",
  "mailer",
  "notify",
  "orders",
  "payments",
  "pricing",
  "profile",
  "ratings",
  "recommend",
  "reviews",
  "search",
  "shipping",
  "users",
  "frontend",
  "gateway",
  "reports",
  "media",
  "session",
];

const HTTP_PORTS: readonly SvcPort[] = [
  { name: "http", port: 80, targetPort: 8080 },
  { name: "grpc", port: 9090, targetPort: 9090 },
  { name: "http-web", port: 8080, targetPort: 8080 },
  { name: "grpc-api", port: 50051, targetPort: 50051 },
];
const TCP_PORTS: readonly SvcPort[] = [
  { name: "tcp-db", port: 5432, targetPort: 5432 },
  { name: "tcp-cache", port: 6379, targetPort: 6379 },
  { name: "tcp-queue", port: 5672, targetPort: 5672 },
];

const ROOT = "istio-system";
const DOMAIN = "cluster.local";
const BASE_TIME = Date.UTC(2026, 0, 10, 9, 0, 0);

/** Splits `total` into `parts` near-equal integer shares, in order. */
function shares(total: number, parts: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < parts; i++)
    out.push(Math.floor(((i + 1) * total) / parts) - Math.floor((i * total) / parts));
  return out;
}

export function generateMesh(sizes: MeshSizes, seed = 20261127): GeneratedMesh {
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`size ${k} must be a non-negative integer, got ${v}`);
  }
  if (sizes.namespaces < 2)
    throw new Error("need at least 2 namespaces (istio-system and one application namespace)");
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n); // 0..n-1
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  };
  const stamp = (i: number) => new Date(BASE_TIME + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");

  // ---- Inventory -----------------------------------------------------------------------------
  const appCount = sizes.namespaces - 1;
  const wShares = shares(sizes.workloads, appCount);
  const sShares = shares(sizes.services, appCount);
  const namespaces: Ns[] = [{ name: ROOT, dataplane: "none", workloads: [], services: [] }];
  for (let i = 0; i < appCount; i++) {
    // Fixed positions rather than dice, so even a small mesh has every flavour: 1 in 25 ambient,
    // 1 in 25 outside the mesh, the rest injected.
    const dataplane: Dataplane = i % 25 === 2 ? "ambient" : i % 25 === 6 ? "none" : "sidecar";
    const ns: Ns = { name: `ns-${String(i + 1).padStart(3, "0")}`, dataplane, workloads: [], services: [] };
    namespaces.push(ns);

    const nw = wShares[i] ?? 0;
    const nsvc = sShares[i] ?? 0;
    // Group sizes: one Deployment each, then the rest spread with uneven weights (max 10), ~10% left
    // as workers no Service selects.
    const groups = Math.min(nsvc, nw);
    const size = new Array<number>(groups).fill(1);
    const weight = Array.from({ length: groups }, () => 0.2 + rnd() * 1.6);
    const totalWeight = weight.reduce((a, b) => a + b, 0);
    let workers = 0;
    for (let u = groups; u < nw; u++) {
      if (groups === 0 || rnd() < 0.1) {
        workers++;
        continue;
      }
      let x = rnd() * totalWeight;
      let g = 0;
      while (g < groups - 1 && x >= (weight[g] as number)) x -= weight[g++] as number;
      // Full group: take the next one with room, else it is a worker.
      let tries = 0;
      while ((size[g] as number) >= 10 && tries < groups) {
        g = (g + 1) % groups;
        tries++;
      }
      if ((size[g] as number) >= 10) workers++;
      else size[g] = (size[g] as number) + 1;
    }

    for (let j = 0; j < nsvc; j++) {
      const name = `${pick(WORDS)}-${j + 1}`;
      const ports: SvcPort[] = [pick(HTTP_PORTS)];
      if (dataplane !== "ambient") {
        const extra = rnd() < 0.5 ? 0 : rnd() < 0.7 ? 1 : 2;
        for (const p of shuffle([...TCP_PORTS]).slice(0, extra)) ports.push(p);
      }
      const svc: Svc = { ns, name, ports, app: name, workloads: [] };
      if (j < groups) {
        for (let v = 1; v <= (size[j] as number); v++) {
          const d: Deploy = {
            ns,
            name: `${name}-v${v}`,
            app: name,
            version: `v${v}`,
            sa: rnd() < 0.8 ? name : "default",
            ports: ports.map((p) => ({ port: p.targetPort, name: p.name })),
          };
          svc.workloads.push(d);
          ns.workloads.push(d);
        }
      } else if (groups > 0) {
        // More Services than Deployments here: this one fronts an existing group too.
        const other = ns.services[int(groups)] as Svc;
        svc.app = other.app;
        svc.workloads = other.workloads;
        svc.ports = [other.ports[0] as SvcPort];
      }
      ns.services.push(svc);
    }
    for (let k = 1; k <= workers; k++) {
      const name = `worker-${k}`;
      ns.workloads.push({
        ns,
        name,
        app: name,
        version: "v1",
        sa: name,
        ports: [{ port: 8080, name: "http" }],
      });
    }
  }
  const allWorkloads = namespaces.flatMap((n) => n.workloads);

  // ---- YAML ----------------------------------------------------------------------------------
  const docs: string[] = [];
  docs.push(
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: ${ROOT}
data:
  mesh: |
    rootNamespace: ${ROOT}
    trustDomain: ${DOMAIN}
    enableAutoMtls: true
`,
  );
  for (const ns of namespaces) {
    const labels =
      ns.dataplane === "sidecar"
        ? "\n  labels:\n    istio-injection: enabled"
        : ns.dataplane === "ambient"
          ? "\n  labels:\n    istio.io/dataplane-mode: ambient"
          : "";
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns.name}${labels}\n`);
  }
  for (const ns of namespaces) {
    for (const d of ns.workloads) docs.push(deploymentYaml(d, 1 + int(3)));
    for (const s of ns.services) docs.push(serviceYaml(s));
  }

  // PeerAuthentications: mesh-wide, namespace-wide, then workload-level.
  let paLeft = sizes.peerAuthentications;
  let paSeq = 0;
  if (paLeft > 0) {
    docs.push(paYaml(ROOT, "default", stamp(paSeq++), "STRICT", null, null));
    paLeft--;
  }
  const appNs = namespaces.slice(1);
  const nsPaCount = Math.min(appNs.length, Math.round(paLeft * 0.3));
  for (const ns of shuffle([...appNs]).slice(0, nsPaCount)) {
    const r = rnd();
    const mode = r < 0.55 ? "STRICT" : r < 0.9 ? "PERMISSIVE" : r < 0.95 ? "UNSET" : "DISABLE";
    docs.push(paYaml(ns.name, "default", stamp(paSeq++), mode, null, null));
  }
  paLeft -= nsPaCount;
  const targets = shuffle([...allWorkloads]);
  for (let k = 0; k < paLeft; k++) {
    if (targets.length === 0) {
      // No Deployment to select: a policy whose selector matches nothing.
      const ns = appNs[k % appNs.length] as Ns;
      docs.push(paYaml(ns.name, `orphan-${k + 1}`, stamp(paSeq++), "STRICT", { app: `gone-${k + 1}` }, null));
      continue;
    }
    const d = targets[k % targets.length] as Deploy;
    const r = rnd();
    let mode: string | null = r < 0.45 ? "PERMISSIVE" : r < 0.75 ? "STRICT" : r < 0.85 ? "DISABLE" : null;
    let portLevel: Record<number, string> | null = null;
    if (rnd() < 0.4) {
      const p = pick(d.ports);
      portLevel = { [p.port]: rnd() < 0.6 ? "DISABLE" : "PERMISSIVE" };
    } else if (mode === null) mode = "STRICT";
    docs.push(
      paYaml(
        d.ns.name,
        `${d.name}-mtls-${Math.floor(k / targets.length) + 1}`,
        stamp(paSeq++),
        mode,
        { app: d.app, version: d.version },
        portLevel,
      ),
    );
  }

  // DestinationRules.
  const svcNs = appNs.filter((n) => n.services.length > 0);
  const allServices = svcNs.flatMap((n) => n.services);
  for (let k = 0; k < sizes.destinationRules; k++) {
    const created = stamp(paSeq++);
    if (allServices.length === 0) {
      // Nothing to point at: a rule for an external host.
      docs.push(
        drYaml(ROOT, `external-${k + 1}`, created, `api-${k + 1}.example.com`, "tls:\n      mode: SIMPLE\n"),
      );
      continue;
    }
    const s = pick(allServices);
    const r = rnd();
    let drNs = s.ns.name;
    let host: string;
    if (r < 0.45) host = `${s.name}.${s.ns.name}.svc.${DOMAIN}`;
    else if (r < 0.8) host = s.name;
    else {
      host = `*.${s.ns.name}.svc.${DOMAIN}`;
      if (rnd() < 0.3) drNs = ROOT;
    }
    const t = rnd();
    let policy: string;
    if (t < 0.55) policy = "tls:\n      mode: ISTIO_MUTUAL\n";
    else if (t < 0.6) policy = "tls:\n      mode: DISABLE\n";
    else if (t < 0.75)
      policy =
        "connectionPool:\n      http:\n        http2MaxRequests: 1000\n    outlierDetection:\n      consecutive5xxErrors: 5\n      interval: 30s\n";
    else {
      const p = s.ports[s.ports.length - 1] as SvcPort;
      const portMode = p.name.startsWith("tcp") && rnd() < 0.5 ? "DISABLE" : "ISTIO_MUTUAL";
      policy = `tls:\n      mode: ISTIO_MUTUAL\n    portLevelSettings:\n    - port:\n        number: ${p.port}\n      tls:\n        mode: ${portMode}\n`;
    }
    docs.push(drYaml(drNs, `${s.name}-dr-${k + 1}`, created, host, policy));
  }

  // ---- Traffic -------------------------------------------------------------------------------
  const sources = allWorkloads.filter((d) => d.ns.dataplane !== "none");
  const dests = allServices.filter((s) => s.ns.dataplane !== "none");
  const total = sources.length * dests.length;
  if (sizes.edges > total)
    throw new Error(
      `cannot make ${sizes.edges} distinct edges from ${sources.length} meshed workloads × ${dests.length} meshed services`,
    );
  const pairs: number[] = [];
  if (sizes.edges * 2 > total) {
    const all = shuffle(Array.from({ length: total }, (_, i) => i));
    for (let i = 0; i < sizes.edges; i++) pairs.push(all[i] as number);
  } else {
    const seen = new Set<number>();
    while (pairs.length < sizes.edges) {
      const id = int(sources.length) * dests.length + int(dests.length);
      if (seen.has(id)) continue;
      seen.add(id);
      pairs.push(id);
    }
  }

  const lines: string[] = [
    "# HELP istio_requests_total Total requests.",
    "# TYPE istio_requests_total counter",
  ];
  const tcpLines: string[] = [
    "# HELP istio_tcp_connections_opened_total Total TCP connections opened.",
    "# TYPE istio_tcp_connections_opened_total counter",
  ];
  for (const id of pairs) {
    const src = sources[Math.floor(id / dests.length)] as Deploy;
    const dst = dests[id % dests.length] as Svc;
    const port = dst.ports[0] as SvcPort;
    const protocol = port.name.startsWith("grpc") ? "grpc" : "http";
    const dwl = dst.workloads.length > 0 ? (dst.workloads[int(dst.workloads.length)] as Deploy) : undefined;
    const dw = dwl?.name ?? "unknown";
    const dstNs = dst.ns.name;
    const host = `${dst.name}.${dstNs}.svc.${DOMAIN}`;
    const ambient = dst.ns.dataplane === "ambient";
    // Destination proxies report mutual_tls when the caller presented a mesh certificate; a few
    // plaintext callers (ztunnel has no "none", istio.md §7.2).
    const mtls = rnd() >= 0.05;
    const policy = mtls ? "mutual_tls" : ambient ? "unknown" : "none";
    const principal = mtls ? `spiffe://${DOMAIN}/ns/${src.ns.name}/sa/${src.sa}` : "unknown";
    const common =
      `source_workload="${src.name}",source_workload_namespace="${src.ns.name}",source_principal="${principal}",` +
      `source_app="${src.app}",source_version="${src.version}",source_cluster="Kubernetes",` +
      `destination_workload="${dw}",destination_workload_namespace="${dstNs}",` +
      `destination_principal="spiffe://${DOMAIN}/ns/${dstNs}/sa/${dwl?.sa ?? "default"}",` +
      `destination_service="${host}",destination_service_name="${dst.name}",destination_service_namespace="${dstNs}",` +
      `destination_cluster="Kubernetes"`;
    if (ambient) {
      tcpLines.push(
        `istio_tcp_connections_opened_total{reporter="destination",${common},request_protocol="tcp",response_flags="-",connection_security_policy="${policy}"} ${1 + int(5000)}`,
      );
      continue;
    }
    lines.push(
      `istio_requests_total{reporter="destination",${common},request_protocol="${protocol}",response_code="200",response_flags="-",connection_security_policy="${policy}"} ${1 + int(100_000)}`,
    );
    if (rnd() < 0.1)
      lines.push(
        `istio_requests_total{reporter="destination",${common},request_protocol="${protocol}",response_code="503",response_flags="UF",connection_security_policy="${policy}"} ${1 + int(50)}`,
      );
  }

  return { yaml: docs.join("---\n"), traffic: lines.join("\n") + "\n" + tcpLines.join("\n") + "\n" };
}

// ---- YAML emitters (names are [a-z0-9-], so nothing needs quoting) ------------------------------

function deploymentYaml(d: Deploy, replicas: number): string {
  const ports = d.ports
    .map((p) => `        - containerPort: ${p.port}\n          name: ${p.name}\n          protocol: TCP\n`)
    .join("");
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${d.name}
  namespace: ${d.ns.name}
  labels:
    app: ${d.app}
    version: ${d.version}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${d.app}
      version: ${d.version}
  template:
    metadata:
      labels:
        app: ${d.app}
        version: ${d.version}
    spec:
      serviceAccountName: ${d.sa}
      containers:
      - name: app
        image: registry.example.com/${d.app}:1.${d.version.slice(1)}.0
        ports:
${ports}        resources:
          requests:
            cpu: 100m
            memory: 128Mi
`;
}

function serviceYaml(s: Svc): string {
  const ports = s.ports
    .map(
      (p) => `  - name: ${p.name}\n    port: ${p.port}\n    targetPort: ${p.targetPort}\n    protocol: TCP\n`,
    )
    .join("");
  return `apiVersion: v1
kind: Service
metadata:
  name: ${s.name}
  namespace: ${s.ns.name}
  labels:
    app: ${s.app}
spec:
  type: ClusterIP
  selector:
    app: ${s.app}
  ports:
${ports}`;
}

function paYaml(
  ns: string,
  name: string,
  created: string,
  mode: string | null,
  selector: Record<string, string> | null,
  portLevel: Record<number, string> | null,
): string {
  let spec = "";
  if (selector)
    spec += `  selector:\n    matchLabels:\n${Object.entries(selector)
      .map(([k, v]) => `      ${k}: ${v}\n`)
      .join("")}`;
  if (mode) spec += `  mtls:\n    mode: ${mode}\n`;
  if (portLevel)
    spec += `  portLevelMtls:\n${Object.entries(portLevel)
      .map(([p, m]) => `    "${p}":\n      mode: ${m}\n`)
      .join("")}`;
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${ns}
  creationTimestamp: "${created}"
spec:${spec === "" ? " {}\n" : "\n" + spec}`;
}

function drYaml(ns: string, name: string, created: string, host: string, policy: string): string {
  const h = host.startsWith("*") ? `"${host}"` : host;
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${ns}
  creationTimestamp: "${created}"
spec:
  host: ${h}
  trafficPolicy:
    ${policy}`;
}
