// Workload and namespace rules (findings.md "Workloads and namespaces").
import type { Namespace, Workload } from "../../model/mesh";
import { linkerdInjects, NEVER_MESHED_NAMESPACES } from "../../model/workloads";
import type { Finding } from "../../snapshot/schema";
import { withPort } from "../../snapshot/port";
import { rule } from "../context";
import { finding } from "../finding";
import { portRuns } from "../../model/read";
import type { EdgeAnalysis } from "../../edges/buildEdges";
import { listNames, namespaceRef, nsName, restartHow, workloadRef } from "../refs";

export const meshedNamespace = (ns: Namespace | undefined): boolean =>
  !!ns &&
  (ns.labels["istio-injection"] === "enabled" ||
    // The revision webhooks select istio.io/rev only where istio-injection does not exist (as dataplaneOf).
    (ns.labels["istio.io/rev"] !== undefined && ns.labels["istio-injection"] !== "disabled") ||
    ns.labels["istio.io/dataplane-mode"] === "ambient" ||
    linkerdInjects(ns.annotations["linkerd.io/inject"]));

// Injection (and so these two rules and their restart fixes) is about pods: a WorkloadEntry's VM is
// never injected, and what it declares (serviceAccount, tlsMode) is judged on its edges instead.
const isPodWorkload = (w: Workload) => w.entry === null;

export const workloadNoProxy = rule("workload.no-proxy", (ctx) =>
  ctx.model.workloads
    .filter(
      (w) =>
        isPodWorkload(w) &&
        w.dataplane === "none" &&
        !w.optedOut &&
        meshedNamespace(ctx.model.namespaces.get(w.namespace)),
    )
    .map((w) =>
      finding("workload.no-proxy", {
        message: `${w.kind} ${nsName(w)} runs without a proxy although namespace ${w.namespace} is labelled for the mesh: its pods were probably created before injection was enabled, or injection failed.`,
        resources: [workloadRef(w), namespaceRef(w.namespace)],
        fix: `Restart it (${restartHow(w)}); if it must stay out, label its pods sidecar.istio.io/inject: "false".`,
      }),
    ),
);

export const workloadTlsModeWithoutProxy = rule("workload.tlsmode-without-proxy", (ctx) =>
  ctx.model.workloads
    // Ambient pods are reached over HBONE whatever the label says, so the label only misleads on pods without any Istio data plane.
    .filter((w) => w.tlsModeLabel === "istio" && w.dataplane !== "sidecar" && w.dataplane !== "ambient")
    .map((w) =>
      finding("workload.tlsmode-without-proxy", {
        message: `${w.kind} ${nsName(w)} carries security.istio.io/tlsMode=istio but has no istio-proxy: auto-mTLS clients will send it mTLS, which it cannot terminate.`,
        resources: [workloadRef(w)],
        fix: `Remove the security.istio.io/tlsMode label from the pod template, or inject the sidecar.`,
      }),
    ),
);

export const workloadCaptureExcludedPort = rule("workload.capture-excluded-port", (ctx) => {
  const out: Finding[] = [];
  for (const w of ctx.model.workloads) {
    // Linkerd meshes every port it captures: a skipped port is the only plaintext door.
    if (w.dataplane === "linkerd" && w.linkerdSkipInboundPorts.length > 0) {
      // Runs in the model ("9090-9091" is one), shown as such.
      const runs = w.linkerdSkipInboundPorts;
      const ports = portRuns(runs);
      const many = runs.length > 1 || runs[0]![0] !== runs[0]![1];
      out.push(
        finding("workload.capture-excluded-port", {
          message: `${w.kind} ${nsName(w)} is meshed by Linkerd but skips inbound port${many ? "s" : ""} ${ports} (config.linkerd.io/skip-inbound-ports): traffic on them bypasses the proxy and is plaintext.`,
          resources: [workloadRef(w)],
          fix: `Remove ${ports} from config.linkerd.io/skip-inbound-ports; for server-speaks-first protocols use config.linkerd.io/opaque-ports instead, which keeps mTLS.`,
        }),
      );
      continue;
    }
    // Gateways and waypoints are not captured (their proxy listens itself) and no PeerAuthentication
    // decides what they accept: the annotation changes nothing there.
    if (w.dataplane !== "sidecar" || w.gateway || w.excludedInboundPorts.length === 0) continue;
    const strict = w.excludedInboundPorts.filter((p) => ctx.resolver.serverDecision(w, p).mode === "STRICT");
    if (strict.length === 0) continue;
    const d = ctx.resolver.serverDecision(w, strict[0]!);
    // Mesh clients send mTLS to such a port only through a Service that targets it (auto mTLS sees
    // the endpoint's tlsMode=istio); the application then gets TLS bytes it cannot read. A port no
    // Service targets is reached by pod IP, which sidecars send plaintext (PassthroughCluster).
    const targeted: string[] = [];
    for (const svc of ctx.model.servicesOfWorkload.get(w) ?? [])
      for (const sp of svc.ports) {
        const t = ctx.resolver.targetPortOf(svc, sp, w);
        if (t !== null && strict.includes(t))
          targeted.push(`Service ${svc.namespace}/${svc.name} port ${sp.port} → ${t}`);
      }
    const clients =
      targeted.length > 0
        ? `, and mesh clients calling ${targeted.join(", ")} send mTLS the application cannot terminate`
        : "";
    out.push(
      finding("workload.capture-excluded-port", {
        message: `${w.kind} ${nsName(w)} excludes port${strict.length > 1 ? "s" : ""} ${strict.join(", ")} from inbound capture (traffic.sidecar.istio.io/excludeInboundPorts) although its policy is STRICT: ${strict.length > 1 ? "those ports accept" : "that port accepts"} plaintext from anyone, bypassing the sidecar${clients}.`,
        resources: [workloadRef(w), ...(d.policy ? [d.policy] : [])],
        fix: `Remove ${strict.join(", ")} from traffic.sidecar.istio.io/excludeInboundPorts, or expose those ports only where plaintext is intended.`,
      }),
    );
  }
  return out;
});

/**
 * The mesh's own certificate authority pieces: cert-manager (its chart's app.kubernetes.io/name, or
 * its release, app.kubernetes.io/instance, which its webhook and cainjector carry), istio-csr and
 * trust-manager, by name or app label; and SPIRE's server and agent when SPIRE is the mesh's CA (the
 * Istio SPIRE integration: sidecars take their SVIDs from the agent, which the server signs), with the
 * SPIFFE CSI driver that mounts the agent's socket into every sidecar and SPIRE's OIDC discovery provider. They issue
 * the mesh's certificates, so they must not depend on the mesh's sidecars to run: they stay out of it
 * (istio-injection=disabled), they are not injected.
 */
const CA_PIECE =
  /^(cert-manager|istio-csr|trust-manager|spire-server|spire-agent|spiffe-csi-driver|spiffe-oidc-discovery-provider)(-|$)|-istio-csr$/;
const runsMeshCa = (w: Workload) =>
  [w.name, w.labels.app, w.labels["app.kubernetes.io/name"], w.labels["app.kubernetes.io/instance"]].some(
    (v) => v !== undefined && CA_PIECE.test(v),
  );

/** Per edge, in a function of its own for the reason `groupBroken` (edges.ts) gives. */
function addEdgeFrom(out: Map<string, EdgeAnalysis[]>, wanted: Map<string, unknown>, ea: EdgeAnalysis): void {
  const from = ea.edge.source.namespace;
  if (from === null || !wanted.has(from)) return;
  const list = out.get(from);
  if (list) list.push(ea);
  else out.set(from, [ea]);
}

export const namespaceNotInjected = rule("namespace.not-injected", (ctx) => {
  const hasMesh = ctx.model.hasIstio || ctx.model.workloads.some((w) => w.dataplane === "linkerd");
  if (!hasMesh) return [];
  // Control-plane namespaces run without sidecars by design: every revision's root namespace, and
  // istiod's own namespace (where its mesh ConfigMap is), which differs from the root when
  // meshConfig.rootNamespace names a separate config namespace.
  const controlPlane = new Set([...ctx.model.meshByRevision.values()].map((m) => m.rootNamespace));
  for (const ns of ctx.model.istiodNamespaces) controlPlane.add(ns);
  // The namespaces to report first, then only their edges are grouped (every edge is still visited, once,
  // in addEdgeFrom): grouping all 20k edges of a large mesh cost more than the rule's own work.
  const bareByNamespace = new Map<string, Workload[]>();
  const caByNamespace = new Map<string, Workload[]>();
  for (const [name, workloads] of ctx.model.workloadsByNamespace) {
    const ns = ctx.model.namespaces.get(name);
    if (
      NEVER_MESHED_NAMESPACES.has(name) ||
      controlPlane.has(name) ||
      name === "linkerd" ||
      name.startsWith("linkerd-")
    )
      continue;
    if (meshedNamespace(ns) || ns?.labels["istio-injection"] === "disabled") continue;
    // Istio's injector never injects a hostNetwork pod (inject.go injectRequired), so labelling the
    // namespace would change nothing for one (node agents: node-exporter, spire-agent, CNI).
    const bare = workloads.filter((w) => isPodWorkload(w) && w.dataplane === "none" && !w.hostNetwork);
    if (bare.length === 0) continue;
    bareByNamespace.set(name, bare);
    // The CA's namespace whichever of its pieces run on the host network (a spire-agent DaemonSet).
    const ca = workloads.filter((w) => isPodWorkload(w) && runsMeshCa(w));
    if (ca.length > 0) caByNamespace.set(name, ca);
  }
  if (bareByNamespace.size === 0) return [];
  const edgesFrom = new Map<string, EdgeAnalysis[]>();
  for (const ea of ctx.edges) addEdgeFrom(edgesFrom, bareByNamespace, ea);
  const out: Finding[] = [];
  for (const [name, bare] of bareByNamespace) {
    // Only what the edges show fails: a namespace seen calling nothing STRICT may never call the mesh.
    const names = new Set(bare.map((w) => w.name));
    const refused = new Set<string>();
    const permissive = new Set<string>();
    for (const { edge: e } of edgesFrom.get(name) ?? []) {
      if (e.source.workload === null || !names.has(e.source.workload)) continue;
      const to = `Service ${withPort(`${e.destination.namespace}/${e.destination.service}`, e.destination.port)}`;
      const mode = e.predicted.server.mode;
      if (mode === "STRICT" && e.predicted.verdict === "broken") refused.add(to);
      else if (mode === "PERMISSIVE") permissive.add(to);
    }
    const traffic =
      refused.size > 0
        ? `their traffic is plaintext, and STRICT servers refuse it: calls to ${listNames([...refused], 2)} fail`
        : permissive.size > 0
          ? `their traffic is plaintext, which ${listNames([...permissive], 2)} accept${permissive.size === 1 ? "s" : ""} only while PERMISSIVE and STRICT servers refuse`
          : "their traffic would be plaintext, refused by STRICT servers, if they call into the mesh";
    const ca = caByNamespace.get(name) ?? [];
    out.push(
      finding("namespace.not-injected", {
        message: `Namespace ${name} has no injection, revision or ambient label, and ${listNames(bare.map(nsName))} run${bare.length === 1 ? "s" : ""} without a data plane: ${traffic}.`,
        resources: [namespaceRef(name)],
        fix:
          ca.length > 0
            ? `Label it to stay out of the mesh (kubectl label namespace ${name} istio-injection=disabled): ${listNames(ca.map(nsName), 2)} issue${ca.length === 1 ? "s" : ""} the mesh's certificates and must not depend on its sidecars.`
            : `Label the namespace (kubectl label namespace ${name} istio-injection=enabled, or istio.io/dataplane-mode=ambient) and restart its workloads; label it istio-injection=disabled if it is meant to stay out.`,
      }),
    );
  }
  return out;
});
