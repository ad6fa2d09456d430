// Builds everything the demo cluster serves from the manifests in demo/manifests and a PKI made at
// start: the manifests' objects, the ReplicaSets and Pods their controllers would run (sidecars
// injected as Istio's webhook and Linkerd's would), the certificate-bearing Secrets and ConfigMaps,
// cert-manager status, and the config dump each simulated proxy admin answers with.
import yaml from "js-yaml";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { envoyDump, trustedCa, ztunnelDump, type ZtunnelEntry } from "./dumps";
import { b64, hashNumber, isObj, rfc3339, suffix, uidFor, type KubeObject, type Obj } from "./objects";
import { parseDuration } from "../core/certs/duration";
import { at, DAY, HOUR, makeLeaf, spiffeId, type DemoCas } from "./pki";

export interface ProxyDump {
  kind: "envoy" | "ztunnel";
  body: object;
}

export interface DemoState {
  objects: KubeObject[];
  /** "namespace/pod" → what its admin port 15000 answers. */
  dumps: Map<string, ProxyDump>;
}

const TRUST_DOMAIN = "cluster.local";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const NODES = ["demo-worker-1", "demo-worker-2"];
const ISTIO_PROXY_IMAGE = "docker.io/istio/proxyv2:1.27.1";
const LINKERD_PROXY_IMAGE = "cr.l5d.io/linkerd/proxy:stable-2.14.10";

/** Workload certificates that are not fresh, by "namespace/workload": the rest are 0–11 h into 24 h. */
const STALE_WORKLOAD_CERTS: Record<string, { issuedAgo: number; lifetime: number }> = {
  // istio-agent cannot reach istiod: 3 h left of 24 h, rotation overdue.
  "billing/ledger": { issuedAgo: 21 * HOUR, lifetime: 24 * HOUR },
  // SECRET_TTL raised to 90 days in its proxy config (demo/manifests/90-inventory.yaml).
  "inventory/warehouse": { issuedAgo: 10 * DAY, lifetime: 90 * DAY },
};

/** cert-manager Certificates whose story is not "issued a third of the way in, Ready". */
interface CertPlan {
  issuedAgo: number;
  ready: boolean;
  reason?: string;
  message?: string;
}
const CERT_PLANS: Record<string, CertPlan> = {
  // 30-day certificate with 5 days left; renews in 3 (renewBefore 48h).
  "shop/payments-gateway": { issuedAgo: 25 * DAY, ready: true },
  // The ACME issuer cannot register: the old certificate expired two days ago.
  "billing/partner-api": {
    issuedAgo: 92 * DAY,
    ready: false,
    reason: "Expired",
    message: "Certificate expired on " /* + notAfter */,
  },
  "istio-system/ingress-cert": { issuedAgo: 20 * DAY, ready: true },
  "reports/reports-dev": { issuedAgo: 60 * DAY, ready: true },
};

const NOT_READY_ISSUERS: Record<string, { reason: string; message: string }> = {
  "billing/partner-acme": {
    reason: "ErrRegisterACMEAccount",
    message:
      'Failed to register ACME account: Get "https://acme.partner-ca.example/directory": dial tcp: lookup acme.partner-ca.example: no such host',
  },
};

export async function loadManifests(dir: string): Promise<{ objects: KubeObject[]; problems: string[] }> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const objects: KubeObject[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const text = await readFile(join(dir, f), "utf8");
    let docs: unknown[];
    try {
      docs = yaml.loadAll(text);
    } catch (e) {
      problems.push(`${f}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      continue;
    }
    docs.forEach((d, i) => {
      if (d === null || d === undefined) return;
      if (
        !isObj(d) ||
        typeof d.kind !== "string" ||
        typeof d.apiVersion !== "string" ||
        !isObj(d.metadata) ||
        typeof d.metadata.name !== "string"
      ) {
        problems.push(
          `${f}: document ${i + 1} is not a Kubernetes object with apiVersion, kind and metadata.name`,
        );
        return;
      }
      objects.push(d as KubeObject);
    });
  }
  return { objects, problems };
}

interface Ctx {
  now: Date;
  cas: DemoCas;
  out: KubeObject[];
  dumps: Map<string, ProxyDump>;
  namespaces: Map<string, KubeObject>;
  /** ambient pods per node, for the ztunnel dumps. */
  ambientByNode: Map<string, { namespace: string; serviceAccount: string }[]>;
  leafJobs: Promise<void>[];
  podCount: number;
}

export async function buildState(manifests: KubeObject[], now: Date, cas: DemoCas): Promise<DemoState> {
  const ctx: Ctx = {
    now,
    cas,
    out: [],
    dumps: new Map(),
    namespaces: new Map(),
    ambientByNode: new Map(),
    leafJobs: [],
    podCount: 0,
  };
  for (const o of manifests) {
    const copy = structuredClone(o);
    stamp(copy, now);
    ctx.out.push(copy);
    if (copy.kind === "Namespace") ctx.namespaces.set(copy.metadata.name, copy);
  }
  for (const [i, node] of NODES.entries())
    ctx.out.push({
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: node,
        labels: {
          "kubernetes.io/hostname": node,
          "kubernetes.io/os": "linux",
          "topology.kubernetes.io/zone": "demo-a",
        },
      },
      spec: { podCIDR: `10.244.${i + 1}.0/24` },
      status: {
        addresses: [
          { type: "InternalIP", address: `172.18.0.${i + 2}` },
          { type: "Hostname", address: node },
        ],
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            message: "kubelet is posting ready status",
          },
        ],
        nodeInfo: {
          kubeletVersion: "v1.32.0",
          containerRuntimeVersion: "containerd://1.7.22",
          osImage: "Debian GNU/Linux 12 (bookworm)",
          architecture: "amd64",
          operatingSystem: "linux",
        },
      },
    });
  for (const o of [...ctx.out]) {
    if (o.kind === "Deployment") expandDeployment(ctx, o);
    else if (o.kind === "DaemonSet") expandDaemonSet(ctx, o);
    else if (o.kind === "StatefulSet") expandStatefulSet(ctx, o);
  }
  await Promise.all(ctx.leafJobs);
  await ztunnelDumps(ctx);
  await pkiObjects(ctx);
  for (const o of ctx.out) stamp(o, now);
  return { objects: ctx.out, dumps: ctx.dumps };
}

/** uid, creationTimestamp (a month before now when the manifest has none) and resourceVersion. */
function stamp(o: KubeObject, now: Date): void {
  const m = o.metadata;
  m.uid ??= uidFor(o.kind, m.namespace, m.name);
  m.creationTimestamp ??= rfc3339(
    at(now, -(30 * DAY + hashNumber(`${o.kind}/${m.namespace}/${m.name}`, 5 * DAY))),
  );
  m.resourceVersion ??= String(1000 + hashNumber(m.uid, 900_000));
  if (o.kind === "Namespace") o.status ??= { phase: "Active" };
}

// ---------------------------------------------------------------------------------------------
// Controllers → ReplicaSets → Pods

function templateOf(o: KubeObject): { metadata: Obj; spec: Obj } {
  const spec = isObj(o.spec) ? o.spec : {};
  const t = isObj(spec.template) ? spec.template : {};
  return {
    metadata: isObj(t.metadata) ? structuredClone(t.metadata) : {},
    spec: isObj(t.spec) ? structuredClone(t.spec) : {},
  };
}

const replicasOf = (o: KubeObject) => {
  const r = isObj(o.spec) ? o.spec.replicas : undefined;
  return typeof r === "number" ? r : 1;
};

const ownerRef = (o: KubeObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});

function expandDeployment(ctx: Ctx, d: KubeObject): void {
  const ns = d.metadata.namespace ?? "default";
  const hash = suffix(`rs/${ns}/${d.metadata.name}`, 10);
  const rsName = `${d.metadata.name}-${hash}`;
  const tpl = templateOf(d);
  const labels = {
    ...(tpl.metadata.labels as Record<string, string> | undefined),
    "pod-template-hash": hash,
  };
  const replicas = replicasOf(d);
  const rs: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: rsName, namespace: ns, labels, ownerReferences: [ownerRef(d)] },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { ...tpl.metadata, labels }, spec: tpl.spec },
    },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
  stamp(rs, ctx.now);
  ctx.out.push(rs);
  d.status = { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas };
  for (let i = 0; i < replicas; i++)
    addPod(
      ctx,
      d,
      rs,
      `${rsName}-${suffix(`pod/${ns}/${rsName}/${i}`, 5)}`,
      labels,
      NODES[(hashNumber(rsName, 2) + i) % NODES.length]!,
    );
}

function expandDaemonSet(ctx: Ctx, ds: KubeObject): void {
  const ns = ds.metadata.namespace ?? "default";
  const labels = { ...(templateOf(ds).metadata.labels as Record<string, string> | undefined) };
  NODES.forEach((node) =>
    addPod(
      ctx,
      ds,
      ds,
      `${ds.metadata.name}-${suffix(`pod/${ns}/${ds.metadata.name}/${node}`, 5)}`,
      labels,
      node,
    ),
  );
  ds.status = {
    desiredNumberScheduled: NODES.length,
    numberReady: NODES.length,
    currentNumberScheduled: NODES.length,
  };
}

function expandStatefulSet(ctx: Ctx, ss: KubeObject): void {
  const labels = { ...(templateOf(ss).metadata.labels as Record<string, string> | undefined) };
  const replicas = replicasOf(ss);
  for (let i = 0; i < replicas; i++)
    addPod(ctx, ss, ss, `${ss.metadata.name}-${i}`, labels, NODES[i % NODES.length]!);
  ss.status = { replicas, readyReplicas: replicas, availableReplicas: replicas };
}

type DataPlane = "sidecar" | "ambient" | "linkerd" | "none";

/** What Istio's and Linkerd's injectors (and istio-cni for ambient) would do to this pod. */
function dataPlaneFor(ctx: Ctx, ns: string, owner: KubeObject, tpl: { metadata: Obj; spec: Obj }): DataPlane {
  const nsObj = ctx.namespaces.get(ns);
  const nsLabels = nsObj?.metadata.labels ?? {};
  const nsAnn = nsObj?.metadata.annotations ?? {};
  const labels = (tpl.metadata.labels ?? {}) as Record<string, string>;
  const ann = (tpl.metadata.annotations ?? {}) as Record<string, string>;
  if (owner.metadata.annotations?.["demo.handshake.dev/pods-without-proxy"] === "true") return "none";
  const containers = Array.isArray(tpl.spec.containers) ? tpl.spec.containers : [];
  if (containers.some((c) => isObj(c) && c.name === "istio-proxy")) return "none"; // gateways/ztunnel carry their own
  const inject = labels["sidecar.istio.io/inject"] ?? ann["sidecar.istio.io/inject"];
  const nsInjects =
    nsLabels["istio-injection"] === "enabled" ||
    (nsLabels["istio.io/rev"] !== undefined && nsLabels["istio-injection"] !== "disabled");
  if (inject !== "false" && (nsInjects || (inject === "true" && nsLabels["istio-injection"] !== "disabled")))
    return "sidecar";
  if ((ann["linkerd.io/inject"] ?? nsAnn["linkerd.io/inject"]) === "enabled") return "linkerd";
  if ((labels["istio.io/dataplane-mode"] ?? nsLabels["istio.io/dataplane-mode"]) === "ambient")
    return "ambient";
  return "none";
}

function addPod(
  ctx: Ctx,
  owner: KubeObject,
  controller: KubeObject,
  name: string,
  labels: Record<string, string>,
  node: string,
): void {
  const ns = owner.metadata.namespace ?? "default";
  const tpl = templateOf(owner);
  const plane = dataPlaneFor(ctx, ns, owner, tpl);
  const n = ctx.podCount++;
  const podIP = `10.244.${NODES.indexOf(node) + 1}.${10 + n}`;
  const spec = tpl.spec;
  const sa = typeof spec.serviceAccountName === "string" ? spec.serviceAccountName : "default";
  spec.serviceAccountName = sa;
  spec.nodeName = node;
  const podLabels: Record<string, string> = { ...labels };
  const podAnn: Record<string, string> = {
    ...(tpl.metadata.annotations as Record<string, string> | undefined),
  };
  const containers = (Array.isArray(spec.containers) ? spec.containers : []) as Obj[];
  const workload = controller.kind === "ReplicaSet" ? owner.metadata.name : controller.metadata.name;

  if (plane === "sidecar") {
    podLabels["security.istio.io/tlsMode"] ??= "istio";
    podLabels["service.istio.io/canonical-name"] ??= labels.app ?? workload;
    podLabels["service.istio.io/canonical-revision"] ??= labels.version ?? "latest";
    podAnn["sidecar.istio.io/status"] =
      '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"revision":"default"}';
    podAnn["prometheus.io/port"] = "15020";
    spec.initContainers = [
      {
        name: "istio-init",
        image: ISTIO_PROXY_IMAGE,
        args: ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337"],
      },
    ];
    containers.push({
      name: "istio-proxy",
      image: ISTIO_PROXY_IMAGE,
      args: ["proxy", "sidecar", "--domain", `${ns}.svc.cluster.local`],
      ports: [{ containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" }],
    });
  } else if (plane === "linkerd") {
    const previous = owner.metadata.annotations?.["demo.handshake.dev/linkerd-trust-anchor"] === "previous";
    const anchors = previous ? ctx.cas.linkerdPreviousAnchor.pem : ctx.cas.linkerdAnchor.pem;
    podAnn["linkerd.io/inject"] ??= "enabled";
    podAnn["linkerd.io/created-by"] = "linkerd/proxy-injector stable-2.14.10";
    podLabels["linkerd.io/control-plane-ns"] = "linkerd";
    podLabels["linkerd.io/proxy-deployment"] = workload;
    podLabels["linkerd.io/workload-ns"] = ns;
    containers.unshift({
      name: "linkerd-proxy",
      image: LINKERD_PROXY_IMAGE,
      ports: [
        { containerPort: 4143, name: "linkerd-proxy" },
        { containerPort: 4191, name: "linkerd-admin" },
      ],
      env: [
        { name: "LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS", value: anchors },
        {
          name: "LINKERD2_PROXY_IDENTITY_SERVER_ID",
          value: `${sa}.${ns}.serviceaccount.identity.linkerd.cluster.local`,
        },
      ],
    });
  } else if (plane === "ambient") {
    podAnn["ambient.istio.io/redirection"] = "enabled";
    const list = ctx.ambientByNode.get(node) ?? [];
    list.push({ namespace: ns, serviceAccount: sa });
    ctx.ambientByNode.set(node, list);
  }
  spec.containers = containers;

  const started = rfc3339(at(ctx.now, -(2 * DAY + hashNumber(name, DAY))));
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: ns,
      labels: podLabels,
      ...(Object.keys(podAnn).length ? { annotations: podAnn } : {}),
      ownerReferences: [ownerRef(controller)],
      creationTimestamp: started,
    },
    spec,
    status: {
      phase: "Running",
      podIP,
      podIPs: [{ ip: podIP }],
      hostIP: `172.18.0.${NODES.indexOf(node) + 2}`,
      startTime: started,
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: started },
        { type: "Ready", status: "True", lastTransitionTime: started },
        { type: "ContainersReady", status: "True", lastTransitionTime: started },
        { type: "PodScheduled", status: "True", lastTransitionTime: started },
      ],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: started } },
      })),
    },
  };
  stamp(pod, ctx.now);
  ctx.out.push(pod);

  // Every Istio proxy (sidecar or gateway) has an Envoy admin on 15000; ztunnel has its own.
  const hasEnvoy =
    plane === "sidecar" || (containers.some((c) => c.name === "istio-proxy") && !isZtunnel(owner));
  if (hasEnvoy) ctx.leafJobs.push(sidecarDump(ctx, ns, name, sa, workload, podIP, plane === "sidecar"));
}

const isZtunnel = (o: KubeObject) =>
  (templateOf(o).metadata.labels as Record<string, string> | undefined)?.app === "ztunnel";

async function sidecarDump(
  ctx: Ctx,
  ns: string,
  pod: string,
  sa: string,
  workload: string,
  ip: string,
  sidecar: boolean,
): Promise<void> {
  const stale = STALE_WORKLOAD_CERTS[`${ns}/${workload}`];
  const issuedAgo = stale?.issuedAgo ?? hashNumber(`leaf/${ns}/${pod}`, 11 * HOUR);
  const lifetime = stale?.lifetime ?? 24 * HOUR;
  const notBefore = at(ctx.now, -issuedAgo);
  const leaf = await makeLeaf(
    { subject: "", notBefore, notAfter: at(notBefore, lifetime), uris: [spiffeId(TRUST_DOMAIN, ns, sa)] },
    ctx.cas.istioIntermediate,
  );
  const nodeId = `${sidecar ? "sidecar" : "router"}~${ip}~${pod}.${ns}~${ns}.svc.cluster.local`;
  ctx.dumps.set(`${ns}/${pod}`, {
    kind: "envoy",
    body: envoyDump({
      nodeId,
      chainPem: leaf.pem + ctx.cas.istioIntermediate.pem,
      validation: trustedCa(ctx.cas.istioRoot.pem),
      pushedAt: notBefore,
    }),
  });
}

async function ztunnelDumps(ctx: Ctx): Promise<void> {
  const ztunnels = ctx.out.filter((o) => o.kind === "Pod" && o.metadata.labels?.app === "ztunnel");
  await Promise.all(
    ztunnels.map(async (z) => {
      const node = isObj(z.spec) ? String(z.spec.nodeName) : "";
      const ids = new Map<string, ZtunnelEntry>();
      for (const p of ctx.ambientByNode.get(node) ?? []) {
        const identity = spiffeId(TRUST_DOMAIN, p.namespace, p.serviceAccount);
        if (ids.has(identity)) continue;
        const notBefore = at(ctx.now, -hashNumber(`ztunnel/${node}/${identity}`, 11 * HOUR));
        const leaf = await makeLeaf(
          { subject: "", notBefore, notAfter: at(notBefore, 24 * HOUR), uris: [identity] },
          ctx.cas.istioIntermediate,
        );
        ids.set(identity, {
          identity,
          state: "Available",
          chain: [leaf.pem, ctx.cas.istioIntermediate.pem],
          roots: [ctx.cas.istioRoot.pem],
        });
      }
      const entries = [...ids.values()].sort((a, b) => (a.identity < b.identity ? -1 : 1));
      ctx.dumps.set(`${z.metadata.namespace}/${z.metadata.name}`, {
        kind: "ztunnel",
        body: ztunnelDump(entries),
      });
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Certificate-bearing objects and cert-manager status

function secret(
  ns: string,
  name: string,
  type: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

async function pkiObjects(ctx: Ctx): Promise<void> {
  const { cas, now, out } = ctx;
  out.push(
    secret("istio-system", "cacerts", "Opaque", {
      "ca-cert.pem": cas.istioIntermediate.pem,
      "ca-key.pem": cas.istioIntermediate.keyPem,
      "cert-chain.pem": cas.istioIntermediate.pem + cas.istioRoot.pem,
      "root-cert.pem": cas.istioRoot.pem,
    }),
  );
  for (const ns of ctx.namespaces.keys())
    out.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio-ca-root-cert", namespace: ns, labels: { "istio.io/config": "true" } },
      data: { "root-cert.pem": cas.istioRoot.pem },
    });
  if (ctx.namespaces.has("linkerd")) {
    out.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "linkerd-identity-trust-roots",
        namespace: "linkerd",
        labels: { "linkerd.io/control-plane-component": "identity" },
      },
      data: { "ca-bundle.crt": cas.linkerdAnchor.pem },
    });
    out.push(
      secret("linkerd", "linkerd-identity-issuer", "Opaque", {
        "crt.pem": cas.linkerdIssuer.pem,
        "key.pem": cas.linkerdIssuer.keyPem,
      }),
    );
  }
  if (ctx.namespaces.has("cert-manager"))
    out.push(
      secret("cert-manager", "internal-ca-keypair", "kubernetes.io/tls", {
        "tls.crt": cas.internalCa.pem,
        "tls.key": cas.internalCa.keyPem,
        "ca.crt": cas.internalCa.pem,
      }),
    );
  if (ctx.namespaces.has("vault")) {
    const leaf = await makeLeaf(
      {
        subject: "CN=vault.vault.svc",
        notBefore: at(now, -30 * DAY),
        notAfter: at(now, 335 * DAY),
        dnsNames: ["vault.vault.svc", "vault.vault.svc.cluster.local"],
      },
      cas.internalCa,
    );
    out.push(
      secret("vault", "vault-tls", "kubernetes.io/tls", {
        "tls.crt": leaf.pem,
        "tls.key": leaf.keyPem,
        "ca.crt": cas.internalCa.pem,
      }),
    );
  }

  if (ctx.namespaces.has("inventory")) {
    // The ERP vendor's client certificate, made with their old tooling: RSA 1024 (cert.weak-crypto).
    const erp = await makeLeaf(
      {
        subject: "CN=inventory-erp-client,O=Example Retail",
        notBefore: at(now, -100 * DAY),
        notAfter: at(now, 265 * DAY),
        eku: [CLIENT_AUTH],
        rsaBits: 1024,
      },
      cas.internalCa,
    );
    // Issued by a build host whose clock ran two hours ahead (cert.not-yet-valid).
    const handheld = await makeLeaf(
      {
        subject: "CN=handhelds.inventory.example.com",
        notBefore: at(now, 2 * HOUR),
        notAfter: at(now, 2 * HOUR + 90 * DAY),
        dnsNames: ["handhelds.inventory.example.com"],
      },
      cas.internalCa,
    );
    for (const [name, leaf] of [
      ["erp-client-tls", erp],
      ["handheld-tls", handheld],
    ] as const)
      out.push(
        secret("inventory", name, "kubernetes.io/tls", {
          "tls.crt": leaf.pem,
          "tls.key": leaf.keyPem,
          "ca.crt": cas.internalCa.pem,
        }),
      );
  }

  const issuers = out.filter(
    (o) => (o.kind === "Issuer" || o.kind === "ClusterIssuer") && o.apiVersion.startsWith("cert-manager.io/"),
  );
  for (const iss of issuers) {
    const key =
      iss.kind === "ClusterIssuer" ? iss.metadata.name : `${iss.metadata.namespace}/${iss.metadata.name}`;
    const bad = NOT_READY_ISSUERS[key];
    const when = rfc3339(at(now, -10 * DAY));
    iss.status = {
      conditions: [
        bad
          ? {
              type: "Ready",
              status: "False",
              reason: bad.reason,
              message: bad.message,
              lastTransitionTime: when,
              observedGeneration: 1,
            }
          : {
              type: "Ready",
              status: "True",
              reason: isObj(iss.spec) && iss.spec.ca ? "KeyPairVerified" : "IsReady",
              message: "Signing CA verified",
              lastTransitionTime: when,
              observedGeneration: 1,
            },
      ],
    };
  }
  const certs = out.filter((o) => o.kind === "Certificate" && o.apiVersion.startsWith("cert-manager.io/"));
  await Promise.all(certs.map((c) => certificate(ctx, c, issuers)));
}

/** A cert-manager duration in milliseconds, read as the core reads it (Go durations: "2160h0m0s", "90m"). */
function durationMs(d: unknown, fallback: number): number {
  const seconds = typeof d === "string" ? parseDuration(d) : null;
  return seconds !== null ? seconds * 1000 : fallback;
}

async function certificate(ctx: Ctx, c: KubeObject, issuers: KubeObject[]): Promise<void> {
  const ns = c.metadata.namespace ?? "default";
  const spec = isObj(c.spec) ? c.spec : {};
  const duration = durationMs(spec.duration, 90 * DAY);
  const renewBefore = durationMs(spec.renewBefore, duration / 3);
  const plan = CERT_PLANS[`${ns}/${c.metadata.name}`] ?? { issuedAgo: duration / 3, ready: true };
  const notBefore = at(ctx.now, -plan.issuedAgo);
  const notAfter = at(notBefore, duration);
  const dnsNames = Array.isArray(spec.dnsNames) ? spec.dnsNames.map(String) : [];
  const ref = isObj(spec.issuerRef) ? spec.issuerRef : {};
  const issuerKind = typeof ref.kind === "string" ? ref.kind : "Issuer";
  const issuer = issuers.find(
    (i) =>
      i.kind === issuerKind &&
      i.metadata.name === ref.name &&
      (issuerKind === "ClusterIssuer" || i.metadata.namespace === ns),
  );
  const selfSigned = issuer && isObj(issuer.spec) && issuer.spec.selfSigned !== undefined;
  const subject = `CN=${dnsNames[0] ?? c.metadata.name}`;
  // cert-manager's default usages (digital signature, key encipherment) write no EKU extension.
  const usages = Array.isArray(spec.usages) ? spec.usages.map(String) : [];
  const eku = [
    ...(usages.includes("server auth") ? [SERVER_AUTH] : []),
    ...(usages.includes("client auth") ? [CLIENT_AUTH] : []),
  ];
  const leaf = await makeLeaf(
    { subject, notBefore, notAfter, dnsNames, eku },
    selfSigned ? "self" : ctx.cas.internalCa,
  );
  const caPem = selfSigned ? leaf.pem : ctx.cas.internalCa.pem;
  const secretName = typeof spec.secretName === "string" ? spec.secretName : c.metadata.name;
  ctx.out.push(
    secret(
      ns,
      secretName,
      "kubernetes.io/tls",
      { "tls.crt": leaf.pem, "tls.key": leaf.keyPem, "ca.crt": caPem },
      {
        "cert-manager.io/certificate-name": c.metadata.name,
        "cert-manager.io/issuer-name": String(ref.name ?? ""),
        "cert-manager.io/issuer-kind": issuerKind,
        "cert-manager.io/issuer-group": "cert-manager.io",
        "cert-manager.io/common-name": dnsNames[0] ?? "",
        "cert-manager.io/alt-names": dnsNames.join(","),
      },
    ),
  );
  const when = rfc3339(notBefore);
  const ready = plan.ready
    ? {
        type: "Ready",
        status: "True",
        reason: "Ready",
        message: "Certificate is up to date and has not expired",
      }
    : {
        type: "Ready",
        status: "False",
        reason: plan.reason ?? "Failed",
        message: `${plan.message ?? ""}${rfc3339(notAfter)}`,
      };
  const conditions: Obj[] = [
    { ...ready, lastTransitionTime: plan.ready ? when : rfc3339(notAfter), observedGeneration: 1 },
  ];
  if (!plan.ready)
    conditions.push({
      type: "Issuing",
      status: "False",
      reason: "Failed",
      message: `The certificate request has failed to complete and will be retried: issuer ${String(ref.name)} is not ready`,
      lastTransitionTime: rfc3339(at(notAfter, -renewBefore)),
      observedGeneration: 1,
    });
  c.status = {
    conditions,
    notBefore: rfc3339(notBefore),
    notAfter: rfc3339(notAfter),
    renewalTime: rfc3339(at(notAfter, -renewBefore)),
    revision: 1,
    ...(plan.ready ? {} : { failedIssuanceAttempts: 3, lastFailureTime: rfc3339(at(ctx.now, -HOUR)) }),
  };
}
