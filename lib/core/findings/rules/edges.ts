// Edge rules (findings.md "Edges"): a broken edge gets exactly one edge.* error, the most specific
// explanation; warnings for plaintext, passthrough and telemetry that contradicts the prediction.
import { edgeContradicts, type EdgeAnalysis } from "../../edges/buildEdges";
import { appliesNoTlsPhrase, drWhere, isProxyOwnPort, type ClientWhy } from "../../resolve/predictEdge";
import { FILE_SYSTEM_ROOTS } from "../../resolve/matrix";
import { serverOfPort } from "../../model/linkerdPolicy";
import { linkerdRequiresIdentity } from "../../resolve/linkerdInbound";
import { istiodRevision, type DestinationRule, type MeshRoute, type Workload } from "../../model/mesh";
import type { Ref } from "../../snapshot/schema";
import type { FindingCode } from "../catalogue";
import type { AnalysisContext } from "../context";
import { NEVER_MESHED_NAMESPACES } from "../../model/workloads";
import { rule } from "../context";
import { finding } from "../finding";
import { capitalised, drRefOf, nsName, paRefOf, restartHow, workloadRef } from "../refs";

type BrokenCode =
  | "edge.auto-mtls-namespace-disable"
  | "edge.mtls-to-no-proxy"
  | "edge.mtls-to-disable"
  | "edge.tls-mismatch"
  | "edge.plaintext-to-strict"
  | "edge.passthrough";

/** The one code that explains a broken edge, most specific first. */
export function brokenEdgeCode(ea: EdgeAnalysis): BrokenCode | null {
  if (ea.edge.predicted.verdict !== "broken") return null;
  const e = ea.prediction.worst;
  if (ea.passthroughObserved || e.why === "blackhole") return "edge.passthrough";
  // A waypoint is STRICT by design, not by a PeerAuthentication, and auto mTLS sends it plaintext
  // whatever the namespace says (it carries no tlsMode label): plaintext-to-strict explains it.
  if (e.why === "auto-namespace-disable" && e.server.mode === "STRICT" && e.accept.kind !== "waypoint")
    return "edge.auto-mtls-namespace-disable";
  // Mesh mTLS either way: Istio's own, or the MUTUAL istiod builds from the client proxy's files where Istio mTLS was meant.
  const meshMtls = e.tls === "ISTIO_MUTUAL" || meshFileTls(ea);
  if (meshMtls && (e.accept.kind === "none" || e.accept.kind === "linkerd")) return "edge.mtls-to-no-proxy";
  if (e.accept.listener) return gatewayEdgeCode(e.tls, e.origin, e.server.mode);
  if (meshMtls && e.accept.mode === "DISABLE") return "edge.mtls-to-disable";
  if (e.tls === "SIMPLE" || e.tls === "MUTUAL") return "edge.tls-mismatch";
  return "edge.plaintext-to-strict";
}

/**
 * The MUTUAL istiod builds from the client proxy's file-mounted certificates for a DR's ISTIO_MUTUAL or
 * for auto mTLS (predictEdge drFileSend, autoFileSend): the mesh's mTLS in intent, not the client's own TLS.
 */
const meshFileTls = (ea: EdgeAnalysis) => {
  const why = ea.prediction.worst.why;
  return (
    why === "auto-metadata-certs" ||
    (why === "dr-metadata-certs" && ea.prediction.drTls.tls?.mode === "ISTIO_MUTUAL")
  );
};

/**
 * A broken edge into a gateway listener built from Gateway servers gets a code only where its
 * findings.md definition holds for the edge's own predicted client and server: Istio mTLS a
 * DestinationRule forces towards a DISABLE port (mtls-to-disable), the client's own TLS towards a
 * STRICT one (tls-mismatch), plaintext towards a STRICT one (plaintext-to-strict). Anything else (Istio
 * mTLS whose SNI no chain of a STRICT or PERMISSIVE listener takes, the client's own TLS against a
 * DISABLE listener) is broken for a reason no code describes: the edge stays broken, its reason names
 * the Gateway server, and no edge.* finding is raised (docs/DECISIONS.md, "Gateway listeners").
 */
function gatewayEdgeCode(
  tls: EdgeAnalysis["prediction"]["worst"]["tls"],
  origin: EdgeAnalysis["prediction"]["worst"]["origin"],
  mode: string,
): BrokenCode | null {
  if (tls === "ISTIO_MUTUAL")
    return origin === "destinationrule" && mode === "DISABLE" ? "edge.mtls-to-disable" : null;
  if (tls === "SIMPLE" || tls === "MUTUAL") return mode === "STRICT" ? "edge.tls-mismatch" : null;
  return mode === "STRICT" ? "edge.plaintext-to-strict" : null;
}

/** One Ref per workload, shared by every finding naming it (thousands of edge findings name a few thousand workloads). */
const workloadRefs = new WeakMap<Workload, Ref>();
function sharedWorkloadRef(w: Workload): Ref {
  let r = workloadRefs.get(w);
  if (!r) workloadRefs.set(w, (r = Object.freeze(workloadRef(w))));
  return r;
}

const NO_REFS: Ref[] = [];

/** Objects an edge finding names: deciding DR and PA, then the client and server workloads. */
function edgeResources(ea: EdgeAnalysis, extra: Ref[] = NO_REFS): Ref[] {
  const out: Ref[] = [];
  for (const r of extra) addRef(out, r);
  const p = ea.edge.predicted;
  if (p.client.destinationRule) addRef(out, p.client.destinationRule);
  if (p.server.policy) addRef(out, p.server.policy);
  if (ea.client.workload) addRef(out, sharedWorkloadRef(ea.client.workload));
  const server = ea.prediction.worst.workload;
  if (server) addRef(out, sharedWorkloadRef(server));
  return out;
}

/** Adds `r` unless present. At most a handful of refs: a pairwise check, not a Set of key strings per finding (thousands of them). */
function addRef(out: Ref[], r: Ref): void {
  for (const o of out)
    if (o.kind === r.kind && (o.namespace ?? "") === (r.namespace ?? "") && o.name === r.name) return;
  out.push(r);
}

/** A WorkloadEntry, or a ServiceEntry's inline endpoint, as fixes name it. */
const entryName = (w: Workload) =>
  w.entry?.inline
    ? `the endpoint ${w.entry.address} of ServiceEntry ${w.namespace}/${w.name}`
    : `WorkloadEntry ${w.namespace}/${w.name}`;

const drName = (ea: EdgeAnalysis) =>
  `${ea.edge.predicted.client.destinationRule?.namespace}/${ea.edge.predicted.client.destinationRule?.name}`;

/**
 * Where in the DR the TLS that decided the edge sits, when it is not the top-level policy: a fix that
 * edits the top-level tls would not change what a port-level entry or a routed subset sends.
 */
function drTlsPlace(ea: EdgeAnalysis): string {
  const p = ea.prediction;
  if (p.drTls.from === "port-level") return ` (its ${drWhere(p, ea.port)})`;
  if ((p.drTls.from === "subset" || p.drTls.from === "subset-port-level") && p.subset)
    return ` (${drWhere(p, ea.port)}, which the VirtualService route selects)`;
  return "";
}

/** Where the tagging ISTIO_MUTUAL is set, and the top level it would fall back to if that is ISTIO_MUTUAL too. */
function taggingPlaces(ea: EdgeAnalysis): string {
  const where = ea.prediction.drTagging?.where.replace(/^its /, "the ") ?? "the trafficPolicy";
  const top = ea.prediction.dr?.trafficPolicy?.tls;
  // A subset cluster's tagging reads only the subset's policy (drTaggingFor): nothing falls back to the top level.
  const alsoTop = !ea.prediction.subset && !where.startsWith("the top-level") && top?.mode === "ISTIO_MUTUAL";
  return alsoTop ? `${where}, and the top-level one it falls back to` : where;
}

/**
 * A DR that applies to the host but sets no TLS for the port (the one the edge names with auto mTLS
 * off, or noTlsDrToEdit's): the fix edits it, as a second DR for the host in its namespace would be
 * merged into it. "for port N": it may set TLS elsewhere (its top level, another port's entry). The
 * wording is the edge reason's (predictEdge's appliesNoTls), so the two cannot drift apart.
 */
const appliesNoTls = (ea: EdgeAnalysis) => appliesNoTlsPhrase(ea.service, ea.port, ": it ");

/** Where auto mTLS itself chose plaintext for the port (no DR sets TLS for it): a DR with ISTIO_MUTUAL overrides it. */
const autoChosePlaintext = (why: ClientWhy) =>
  why === "auto-namespace-disable" ||
  why === "auto-endpoint-no-label" ||
  why === "auto-endpoint-pa-disable" ||
  why === "auto-headless-mixed";

/**
 * The DR that applies to the host but sets no TLS for the port, for the fixes that set ISTIO_MUTUAL
 * where auto mTLS chose plaintext (the edge names no DR then: the DR decided nothing). The fix edits
 * it rather than adding a DR: a second DR for the host in its namespace is merged into it, the older
 * top-level policy winning (mergeDestinationRule, pilot/pkg/model/destination_rule.go; istio.md §2.4).
 * Only for the codes whose fix says so: the namespace DISABLE one, and plaintext-to-strict's last line
 * (not a waypoint's, nor a gateway listener's, whose fixes are their own).
 */
function noTlsDrToEdit(ea: EdgeAnalysis, code: BrokenCode): DestinationRule | null {
  const p = ea.prediction;
  const e = p.worst;
  if (
    p.drRule === null ||
    p.drTls.tls !== null ||
    ea.edge.predicted.client.destinationRule !== null ||
    !autoChosePlaintext(e.why)
  )
    return null;
  if (code === "edge.auto-mtls-namespace-disable") return p.drRule;
  return code === "edge.plaintext-to-strict" && e.accept.kind !== "waypoint" && !e.accept.listener
    ? p.drRule
    : null;
}

/** "set tls.mode ISTIO_MUTUAL in DestinationRule X (where), the one that applies to H: it sets no TLS for port N". */
const setInNoTlsDr = (ea: EdgeAnalysis, dr: DestinationRule) =>
  `set tls.mode ISTIO_MUTUAL in DestinationRule ${nsName(dr)}${drTlsPlace(ea)}, ${appliesNoTls(ea)}`;

const FIXES: Record<Exclude<BrokenCode, "edge.passthrough">, (ea: EdgeAnalysis) => string> = {
  "edge.auto-mtls-namespace-disable": (ea) => {
    const dr = noTlsDrToEdit(ea, "edge.auto-mtls-namespace-disable");
    return `Remove DISABLE from the namespace policy of ${ea.service.namespace} (use PERMISSIVE or STRICT there and DISABLE only on the workloads or ports that need it), or ${dr ? setInNoTlsDr(ea, dr) : `add a DestinationRule with ISTIO_MUTUAL for ${ea.service.host}`}.`;
  },
  "edge.mtls-to-no-proxy": (ea) =>
    ea.prediction.worst.origin === "destinationrule"
      ? `${ea.prediction.worst.workload?.entry ? `Run the Istio sidecar on the VM behind ${entryName(ea.prediction.worst.workload)} and give it a serviceAccount` : "Inject a sidecar into the destination"}, or set tls.mode DISABLE (or remove tls) for ${ea.service.host} in ${ea.edge.predicted.client.destinationRule?.name ?? "the DestinationRule"}.`
      : `Remove the security.istio.io/tlsMode=istio label from pods without istio-proxy, or inject the sidecar.`,
  "edge.mtls-to-disable": (ea) =>
    ea.prediction.worst.why === "auto-dr-tagged"
      ? `Remove the tls.mode ISTIO_MUTUAL that tags every labelled endpoint from DestinationRule ${drName(ea)} (${taggingPlaces(ea)}; set TLS only on the portLevelSettings entries of the ports that need it), so auto mTLS follows each endpoint's PeerAuthentication again; or stop disabling mTLS on the destination port.`
      : ea.prediction.worst.why === "auto-headless-mtls"
        ? `Use PERMISSIVE instead of DISABLE on ${ea.prediction.worst.workload!.namespace}/${ea.prediction.worst.workload!.name} port ${ea.prediction.worst.targetPort}: callers of ${ea.service.host} send every endpoint the same TLS through one ORIGINAL_DST cluster (${ea.service.passthrough ? "a headless service" : "loadBalancer PASSTHROUGH"}), mTLS while auto mTLS is on.`
        : `Remove the ISTIO_MUTUAL tls block for ${ea.service.host} (auto mTLS adapts to the server), or stop disabling mTLS on the destination port.`,
  "edge.tls-mismatch": (ea) => {
    const e = ea.prediction.worst;
    // Not only STRICT: a PERMISSIVE sidecar's HTTP port has no filter chain for TLS that is not Istio's.
    const why =
      e.server.mode === "STRICT"
        ? "its own TLS cannot pass a STRICT sidecar"
        : `its sidecar (${e.server.mode} on port ${e.targetPort}) does not pass the client's own TLS through: ${e.cell.symptom}`;
    return `Use tls.mode ISTIO_MUTUAL (or no tls block) for ${ea.service.host}: it is an Istio workload; ${why}.`;
  },
  "edge.plaintext-to-strict": (ea) => {
    const e = ea.prediction.worst;
    if (e.accept.kind === "waypoint")
      return `A waypoint takes only HBONE (mTLS on port 15008), whatever PeerAuthentication says: call the service it serves rather than ${ea.service.host}; ztunnel takes that traffic to the waypoint over HBONE.`;
    if (e.why === "no-proxy")
      return `Give ${ea.client.name ? `${ea.client.namespace}/${ea.client.name}` : "the caller"} a sidecar (or ambient), or relax the destination to PERMISSIVE while it migrates.`;
    if (e.why === "dr" || e.why === "dr-credential-ignored")
      return `Change DestinationRule ${drName(ea)} for ${ea.service.host}${drTlsPlace(ea)} to tls.mode ISTIO_MUTUAL, or remove that tls block so auto mTLS decides.`;
    if (e.why === "auto-dr-untagged")
      return `Give the first portLevelSettings entry for port ${ea.port.port} in DestinationRule ${drName(ea)} a tls block with mode ISTIO_MUTUAL, or change tls.mode ${ea.prediction.drTagging?.mode ?? ""} to ISTIO_MUTUAL in ${ea.prediction.drTagging?.where.replace(/^its /, "the ") ?? "the trafficPolicy"}: that mode keeps auto mTLS from tagging any endpoint.`;
    if (e.why === "auto-off")
      return ea.edge.predicted.client.destinationRule
        ? `Set tls.mode ISTIO_MUTUAL in DestinationRule ${drName(ea)}${drTlsPlace(ea)}, ${appliesNoTls(ea)}, and auto mTLS is off (enableAutoMtls: false); or set enableAutoMtls: true in the mesh config.`
        : `Set enableAutoMtls: true in the mesh config, or add a DestinationRule with ISTIO_MUTUAL for ${ea.service.host}.`;
    if (e.why === "passthrough")
      return ea.prediction.undiscovered
        ? undiscoveredFix(ea)
        : `Import ${ea.service.host} in the client's Sidecar egress hosts.`;
    // ztunnel reads no DestinationRule and speaks only HBONE or plaintext: the sidecar must take HBONE.
    if (e.why === "ztunnel" && e.workload)
      return `Let ${nsName(e.workload)}'s sidecar take HBONE: set ISTIO_META_ENABLE_HBONE "true" in its proxyMetadata (mesh defaultConfig, as the ambient profile does, or the pod's proxy.istio.io/config), which labels the pods networking.istio.io/tunnel=http, and restart it; or move it to ambient, or relax port ${e.targetPort} to PERMISSIVE.`;
    const dr = noTlsDrToEdit(ea, "edge.plaintext-to-strict");
    return `Make the client send Istio mTLS to ${ea.service.host} (${dr ? setInNoTlsDr(ea, dr) : "a DestinationRule with ISTIO_MUTUAL"}), or relax the destination port to PERMISSIVE.`;
  },
};

/**
 * A caller Linkerd's proxy refuses as unauthenticated (plaintext, or TLS it originates itself) on a
 * port whose inbound policy admits only meshed clients: mesh the caller, or admit it there. Istio's
 * mTLS is no way in (the Linkerd proxy forwards it to the application as opaque bytes).
 */
function linkerdRefusesFix(ctx: AnalysisContext, ea: EdgeAnalysis): string {
  const e = ea.prediction.worst;
  const who = ea.client.name ? `${ea.client.namespace}/${ea.client.name}` : "the caller";
  const dest = e.workload ? nsName(e.workload) : ea.service.host;
  const server = e.workload ? serverOfPort(ctx.model.linkerdPolicy, e.workload, e.targetPort) : null;
  const admit = server
    ? `add an AuthorizationPolicy for Server ${server.namespace}/${server.name} whose NetworkAuthentication covers ${who} (or set its accessPolicy to audit while migrating)`
    : `add a Server for port ${e.targetPort} of ${dest} with an AuthorizationPolicy whose NetworkAuthentication covers ${who}, or ${e.workload ? defaultPolicyFix(ctx, e.workload, e.targetPort) : "set config.linkerd.io/default-inbound-policy to all-unauthenticated (or audit) on its pods"}`;
  return `Mesh ${who} with Linkerd (linkerd.io/inject: enabled), so that it sends Linkerd mTLS to ${ea.service.host}${ea.client.dataplane === "sidecar" || ea.client.dataplane === "ambient" ? " instead of going through Istio" : ""}; or let port ${e.targetPort} of ${dest} admit unauthenticated clients: ${admit}.`;
}

/**
 * How to open a Linkerd port that takes the default policy: drop it from
 * config.linkerd.io/proxy-require-identity-inbound-ports where that is what refuses, else set the
 * default policy. Linkerd's policy controller reads the pod's own annotations, and the injector copies
 * a namespace's onto a pod only when it creates it (AppendNamespaceAnnotations): an edited pod
 * template rolls the pods out by itself, a namespace annotation needs them recreated.
 */
function defaultPolicyFix(ctx: AnalysisContext, w: Workload, port: number): string {
  const restart = `then restart ${nsName(w)} (${restartHow(w)}): the injector copies a namespace's annotation onto pods only when it creates them`;
  if (linkerdRequiresIdentity(ctx.model, w, port, ctx.resolver.linkerdPods(w)).required === true)
    return `remove port ${port} from config.linkerd.io/proxy-require-identity-inbound-ports on its pod template (which rolls its pods out), or on its namespace and ${restart}`;
  return `set config.linkerd.io/default-inbound-policy to all-unauthenticated (or audit) on its pod template (which rolls its pods out), or on its namespace and ${restart}`;
}

/** Plaintext, or the caller's own TLS, that a Linkerd port refuses as unauthenticated. */
const refusedByLinkerd = (code: BrokenCode, ea: EdgeAnalysis) =>
  ea.prediction.worst.accept.kind === "linkerd" &&
  (code === "edge.plaintext-to-strict" || code === "edge.tls-mismatch");

/** A broken edge into a gateway listener built from Gateway servers: the client's TLS and the server's tls.mode must agree. */
function gatewayFix(ea: EdgeAnalysis): string {
  const e = ea.prediction.worst;
  const sent =
    e.tls === "ISTIO_MUTUAL"
      ? "Istio mTLS"
      : e.tls === "SIMPLE" || e.tls === "MUTUAL"
        ? `TLS (tls.mode ${e.tls})`
        : "plaintext";
  return `${gatewayLead(e)}, and the client sends ${sent}. Make the two agree: for Istio mTLS, a server with tls.mode ISTIO_MUTUAL on that port whose hosts include the SNI the client sends (DestinationRule tls.sni) and a DestinationRule with tls.mode ISTIO_MUTUAL for ${ea.service.host}; for TLS of the client's own, a SIMPLE or MUTUAL server with credentialName; for plaintext, a server without tls.`;
}

/**
 * "<gateway> is a gateway: its listener on port N is built from Gateway ns/name": the Gateway whose
 * server's chain decided the verdict (predicted.server.policy, always set on a listener's edge), not
 * the first on the port.
 */
function gatewayLead(e: EdgeAnalysis["prediction"]["worst"]): string {
  const g = e.server.policy!;
  return `${nsName(e.workload!)} is a gateway: its listener on port ${e.targetPort} is built from Gateway ${g.namespace}/${g.name}`;
}

/** The namespace (or mesh) DISABLE policy that makes auto mTLS send plaintext: it decides the client side. */
function namespaceDisablePolicy(ctx: AnalysisContext, ea: EdgeAnalysis): Ref[] {
  const policy = ctx.resolver.namespaceMode(ea.service.namespace, ea.client.revision).policy;
  return policy ? [paRefOf(policy)] : [];
}

/** The broken edges per explaining code, computed in one pass for the five rules that read them. */
const brokenByCode = new WeakMap<EdgeAnalysis[], Map<BrokenCode, EdgeAnalysis[]>>();
function brokenEdges(ctx: AnalysisContext, code: BrokenCode): EdgeAnalysis[] {
  return (brokenByCode.get(ctx.edges) ?? groupBroken(ctx.edges)).get(code) ?? NO_EDGES;
}
/**
 * The one pass, in a function of its own that runs once per analysis. Inside `brokenEdges` (called
 * by five rules, so optimised after the first analysis) the once-only `new Map()` had no type
 * feedback and deoptimised it at the start of every next analysis (docs/DECISIONS.md, round 5).
 */
function groupBroken(edges: EdgeAnalysis[]): Map<BrokenCode, EdgeAnalysis[]> {
  const groups = new Map<BrokenCode, EdgeAnalysis[]>();
  // Per edge in a function of its own, optimised early in the first analysis (round 8).
  for (let i = 0; i < edges.length; i++) addBroken(groups, edges[i]!);
  brokenByCode.set(edges, groups);
  return groups;
}
function addBroken(groups: Map<BrokenCode, EdgeAnalysis[]>, ea: EdgeAnalysis): void {
  const c = brokenEdgeCode(ea);
  if (c === null) return;
  const list = groups.get(c);
  if (list) list.push(ea);
  else groups.set(c, [ea]);
}
const NO_EDGES: EdgeAnalysis[] = [];

/** Objects a broken edge's finding names before the edge's own: the namespace DISABLE policy, the DR its fix edits. */
function brokenExtras(ctx: AnalysisContext, code: BrokenCode, ea: EdgeAnalysis): Ref[] {
  const dr = noTlsDrToEdit(ea, code);
  const extra =
    code === "edge.auto-mtls-namespace-disable" ? namespaceDisablePolicy(ctx, ea) : dr ? [] : NO_REFS;
  if (dr) extra.push(drRefOf(dr));
  return extra;
}

function brokenFinding(
  ctx: AnalysisContext,
  code: Exclude<BrokenCode, "edge.passthrough">,
  ea: EdgeAnalysis,
) {
  return finding(code, {
    message: `${ea.edge.id}: ${ea.edge.predicted.reason}`,
    resources: edgeResources(ea, brokenExtras(ctx, code, ea)),
    edge: ea.edge.id,
    fix:
      code !== "edge.auto-mtls-namespace-disable" && ea.prediction.worst.accept.listener
        ? gatewayFix(ea)
        : (fileCertsFix(ea) ?? (refusedByLinkerd(code, ea) ? linkerdRefusesFix(ctx, ea) : FIXES[code](ea))),
  });
}

// Per-edge work in module-level functions: see docs/DECISIONS.md, "Analysis performance, round 7".
const brokenRule = (code: Exclude<BrokenCode, "edge.passthrough">) =>
  rule(code, (ctx: AnalysisContext) => {
    const out = [];
    for (const ea of brokenEdges(ctx, code)) out.push(brokenFinding(ctx, code, ea));
    return out;
  });

export const edgeAutoMtlsNamespaceDisable = brokenRule("edge.auto-mtls-namespace-disable");
export const edgeMtlsToNoProxy = brokenRule("edge.mtls-to-no-proxy");
export const edgeMtlsToDisable = brokenRule("edge.mtls-to-disable");
export const edgeTlsMismatch = brokenRule("edge.tls-mismatch");
export const edgePlaintextToStrict = brokenRule("edge.plaintext-to-strict");

const isPassthrough = (ea: EdgeAnalysis) =>
  ea.passthroughObserved ||
  ea.prediction.worst.why === "passthrough" ||
  ea.prediction.worst.why === "blackhole";

// A plaintext hop to or from a namespace Istio never meshes (NEVER_MESHED_NAMESPACES: an app's DNS
// over TCP to kube-dns) cannot be made mTLS, so it is no misconfiguration to warn about.

const redirectsToHttps = (s: { server: { httpsRedirect: boolean } }) => s.server.httpsRedirect;

function isPlaintextFinding(ctx: AnalysisContext, ea: EdgeAnalysis): boolean {
  if (ea.edge.predicted.verdict !== "plaintext" || ea.service.external || isPassthrough(ea)) return false;
  const e = ea.prediction.worst;
  // The proxy's own health/metrics port is plaintext by Istio's design, with no mesh listener to
  // encrypt it: nothing to fix (a gateway Service's status-port also takes every ambiguous TCP sample).
  if (e.workload && isProxyOwnPort(e.workload, e.targetPort)) return false;
  const clientProxy = ea.client.dataplane !== "none";
  const serverProxy = e.accept.kind !== "none";
  if (!clientProxy && !serverProxy) return false;
  if (e.accept.kind === "gateway") {
    // A gateway is the mesh's door for callers outside it: a Gateway server that sets no TLS for a
    // caller without a proxy (bookinfo-gateway's port 80 and a browser) is the Gateway's stated
    // choice, not a hop the mesh could encrypt.
    if (!clientProxy) return false;
    // An HTTP listener whose every server redirects to HTTPS carries only the redirect: istiod builds
    // its virtual hosts with no routes and RequireTls ALL (buildGatewayHTTPRouteConfig).
    const l = e.accept.listener;
    if (l && l.kind === "http" && l.servers.every(redirectsToHttps)) return false;
  }
  if (!serverProxy && NEVER_MESHED_NAMESPACES.has(ea.service.namespace)) return false;
  if (!clientProxy && ea.client.namespace !== null && NEVER_MESHED_NAMESPACES.has(ea.client.namespace))
    return false;
  // A caller without a proxy on a port that a portLevelMtls entry relaxed under a STRICT workload
  // decision: that entry exists to let such callers in (a load balancer's health check, a legacy
  // client). The plaintext is the policy's stated intent, and pa.disable reports a DISABLE entry. An
  // entry that only repeats a PERMISSIVE workload-wide mode relaxes nothing: that still warns.
  if (
    !clientProxy &&
    e.server.origin === "workload-port" &&
    e.server.mode !== "STRICT" &&
    e.workload &&
    ctx.resolver.policyOf(e.workload).base.mode === "STRICT"
  )
    return false;
  return true;
}

function plaintextFinding(ctx: AnalysisContext, ea: EdgeAnalysis) {
  return finding("edge.plaintext", {
    message: `${ea.edge.id} is plaintext: ${ea.edge.predicted.reason}`,
    resources: edgeResources(ea),
    edge: ea.edge.id,
    fix: plaintextFix(ctx, ea),
  });
}

/**
 * The fix where the client proxy's file-mounted certificates decide what it sends (predictEdge
 * drFileSend, autoFileSend): the DR or auto mTLS alone no longer does, so the usual fixes would not
 * change the edge. Null for any other edge.
 */
function fileCertsFix(ea: EdgeAnalysis): string | null {
  const e = ea.prediction.worst;
  if (e.why !== "dr-metadata-certs" && e.why !== "auto-metadata-certs" && e.why !== "metadata-certs-no-key")
    return null;
  const who = ea.client.name ? `${ea.client.namespace}/${ea.client.name}` : "the caller";
  const proxy = `${who}'s proxy names file-mounted client certificates (ISTIO_META_TLS_CLIENT_CERT_CHAIN in its ProxyConfig's proxyMetadata)`;
  const removal =
    "remove the ISTIO_META_TLS_CLIENT_* keys from that ProxyConfig (the mesh defaultConfig or the pod's proxy.istio.io/config), so that istiod sends Istio mTLS from its own certificates and auto mTLS adapts to each endpoint again.";
  const drop = `or ${removal}`;
  if (e.why === "metadata-certs-no-key")
    return `${proxy} but no ISTIO_META_TLS_CLIENT_KEY, so istiod cannot build its TLS and the proxy sends plaintext: add ISTIO_META_TLS_CLIENT_KEY naming the key file, ${drop}`;
  if (e.cell === FILE_SYSTEM_ROOTS)
    return `${proxy} but no ISTIO_META_TLS_CLIENT_ROOT_CERT, so it checks the server's mesh certificate against the system trust store: add ISTIO_META_TLS_CLIENT_ROOT_CERT naming the mesh root file, ${drop}`;
  const dest = e.workload ? `${nsName(e.workload)} port ${e.targetPort}` : ea.service.host;
  if (e.accept.kind === "none" || e.accept.kind === "linkerd")
    return `${proxy}, so istiod sends every endpoint of ${ea.service.host} the MUTUAL it builds from them, with no plaintext fallback for ${dest}, which has no Istio proxy: set tls.mode DISABLE for ${ea.service.host} in a DestinationRule ${who} uses (istiod keeps DISABLE as written), ${drop}`;
  if (e.accept.kind === "sidecar" && e.server.mode === "DISABLE")
    return `${proxy}, so istiod sends every endpoint of ${ea.service.host} the MUTUAL it builds from them, ${dest} included, which is DISABLE: set tls.mode DISABLE for ${ea.service.host} in a DestinationRule ${who} uses, or make ${dest} STRICT (STRICT terminates that TLS), ${drop}`;
  if (e.accept.kind === "sidecar") {
    // A DR's MUTUAL keeps the istio.alpn filter off its cluster; its ISTIO_MUTUAL, rebuilt alike, does not.
    const alpn =
      e.why === "dr-metadata-certs" && ea.prediction.drTls.tls?.mode === "MUTUAL" && e.accept.httpPort
        ? `change DestinationRule ${drName(ea)}${drTlsPlace(ea)} to tls.mode ISTIO_MUTUAL (istiod still builds it from the files, but then lets the istio.alpn filter give HTTP Istio's ALPN, which the ${e.server.mode} port's mTLS chain takes), or `
        : "";
    return `${proxy}, so istiod builds the TLS to ${ea.service.host} from them with no Istio ALPN on this port, which ${dest} (${e.server.mode}) does not terminate: ${alpn}make ${dest} STRICT (STRICT chains terminate TLS whatever its ALPN), ${drop}`;
  }
  return `${proxy}, so istiod builds the TLS to ${ea.service.host} from them (MUTUAL, no Istio ALPN): ${capitalised(removal)}`;
}

function plaintextFix(ctx: AnalysisContext, ea: EdgeAnalysis): string {
  const e = ea.prediction.worst;
  const files = fileCertsFix(ea);
  if (files !== null) return files;
  // A gateway's listener TLS comes from its Gateway resource, and auto mTLS picks mTLS only for
  // pods labelled tlsMode=istio, which gateway templates do not add: "mesh both sides" would be no fix.
  if (e.accept.listener)
    return `${gatewayLead(e)}, whose server sets no TLS there. To encrypt this hop, set tls.mode ISTIO_MUTUAL on that server (protocol HTTPS or TLS) and in a DestinationRule for ${ea.service.host}, or call the backend service directly (sidecar to sidecar is mTLS).`;
  if (e.accept.kind === "gateway")
    return `${nsName(e.workload!)} is a gateway: its listener on port ${e.targetPort} takes what its Gateway server's tls sets, not PeerAuthentication, and auto mTLS sends mTLS only to pods labelled security.istio.io/tlsMode=istio, which gateway templates do not add. To encrypt this hop, call the backend service directly (sidecar to sidecar is mTLS), have the client originate TLS to a Gateway server with TLS, or set tls.mode ISTIO_MUTUAL on that Gateway server and in a DestinationRule for ${ea.service.host}.`;
  if (ea.client.dataplane === "none")
    return `Give ${ea.client.name ? `${ea.client.namespace}/${ea.client.name}` : "the caller"} a proxy so the call can be mTLS.`;
  const w = ea.prediction.worst.workload;
  // A Linkerd pod's port without a proxy is one its skip-inbound-ports names (predictEdge acceptOf).
  if (w?.dataplane === "linkerd" && e.accept.kind === "none")
    return `Remove ${e.targetPort} from config.linkerd.io/skip-inbound-ports on ${nsName(w)} (for a server-speaks-first protocol use config.linkerd.io/opaque-ports, which keeps mTLS).`;
  // A VM's entry, not an injection, tells istiod that it runs the sidecar.
  if (w?.entry && ea.prediction.worst.why === "auto-endpoint-no-label")
    return `If the VM behind ${entryName(w)} runs the Istio sidecar, set its serviceAccount (or the label security.istio.io/tlsMode: istio) so auto mTLS sends it Istio mTLS; otherwise install the sidecar there.`;
  // What makes the client proxy send plaintext is the first thing to change; "let auto mTLS
  // encrypt" is no fix where a DestinationRule decides or auto mTLS is off.
  const meshServer = e.accept.kind === "none" && w ? `Mesh ${nsName(w)} (a sidecar or ambient), then ` : "";
  // An unlisted caller's mesh settings are its revision's too (its Client carries the revision).
  const autoMtls = ctx.resolver.meshOf(ea.client).enableAutoMtls;
  const then = (text: string) => (meshServer ? meshServer + text : capitalised(text));
  if ((e.why === "dr" || e.why === "dr-credential-ignored") && ea.edge.predicted.client.destinationRule)
    return then(
      `set tls.mode ISTIO_MUTUAL for ${ea.service.host} in DestinationRule ${drName(ea)}${drTlsPlace(ea)}${autoMtls ? " (or remove its tls block so auto mTLS decides)" : " (auto mTLS is off in this mesh)"}.`,
    );
  if (e.why === "auto-off")
    return ea.edge.predicted.client.destinationRule
      ? then(
          `set tls.mode ISTIO_MUTUAL in DestinationRule ${drName(ea)}${drTlsPlace(ea)}, ${appliesNoTls(ea)}, and auto mTLS is off in this mesh (enableAutoMtls: false).`,
        )
      : then(
          `add a DestinationRule with tls.mode ISTIO_MUTUAL for ${ea.service.host}: auto mTLS is off in this mesh (enableAutoMtls: false).`,
        );
  return `Make both sides meshed and let auto mTLS (or ISTIO_MUTUAL) encrypt ${ea.service.host}.`;
}

export const edgePlaintext = rule("edge.plaintext", (ctx) => {
  const out = [];
  for (const ea of ctx.edges) if (isPlaintextFinding(ctx, ea)) out.push(plaintextFinding(ctx, ea));
  return out;
});

function passthroughFinding(ea: EdgeAnalysis) {
  return finding("edge.passthrough", {
    severity:
      ea.edge.predicted.verdict === "broken" && brokenEdgeCode(ea) === "edge.passthrough"
        ? "error"
        : "warning",
    message: `${ea.edge.id}: ${ea.edge.predicted.reason}`,
    resources: edgeResources(
      ea,
      ea.prediction.sidecar && !ea.prediction.undiscovered
        ? [{ kind: "Sidecar", namespace: ea.prediction.sidecar.namespace, name: ea.prediction.sidecar.name }]
        : [],
    ),
    edge: ea.edge.id,
    fix: ea.prediction.undiscovered
      ? undiscoveredFix(ea)
      : ea.prediction.sidecar
        ? `Add ${ea.service.namespace}/${ea.service.host} to the egress hosts of Sidecar ${ea.prediction.sidecar.namespace}/${ea.prediction.sidecar.name}.`
        : `Make the destination known to the mesh (a Service or ServiceEntry) and call it by its service name, not a pod IP.`,
  });
}

/** A service its caller's istiod does not see (predictEdge `undiscovered`): the selectors are what to change. */
const undiscoveredFix = (ea: EdgeAnalysis) =>
  `Let the caller's istiod see namespace ${ea.service.namespace}: widen the discoverySelectors of its mesh config (revision ${istiodRevision(ea.client.revision)}) to select it, or label the namespace so a selector matches.`;

export const edgePassthrough = rule("edge.passthrough", (ctx) =>
  ctx.edges.filter(isPassthrough).map(passthroughFinding),
);

const isContradicted = (ea: EdgeAnalysis) => edgeContradicts(ea.edge);

function observedMismatchFinding(ea: EdgeAnalysis) {
  const o = ea.edge.observed!;
  const seen =
    o.mtls > 0 && o.plaintext > 0
      ? `${o.mtls} mTLS and ${o.plaintext} plaintext`
      : o.mtls > 0
        ? `${o.mtls} mTLS`
        : o.plaintext > 0
          ? `${o.plaintext} plaintext`
          : "";
  return finding("edge.observed-mismatch", {
    message: `${ea.edge.id}: predicted ${ea.edge.predicted.verdict}, but ${ea.linkerdEvidence ? "the caller's Linkerd proxy" : "the destination"} reported ${seen}${o.window ? ` over ${o.window}` : ""}. ${ea.edge.predicted.reason}`,
    resources: edgeResources(ea),
    edge: ea.edge.id,
    fix: ea.split
      ? splitMismatchFix(ea, ea.split)
      : ea.unnamedMtls !== null && o.mtls > 0 && o.plaintext > 0
        ? `The ${o.mtls} mTLS came from callers Istio could not identify, which presented mesh certificates and have a proxy; the prediction is for the callers outside the mesh that sent the ${o.plaintext} plaintext. Give those a proxy.`
        : ea.edge.predicted.verdict === "broken"
          ? `The traffic observed predates the current configuration or bypasses it: those callers fail now. Fix the configuration named above.`
          : `Check for recent configuration changes or pods not yet restarted; the telemetry is newer evidence than the configuration.`,
  });
}

const clusterOf = (subset: string | null) => (subset ? `subset ${subset}` : "the default cluster");

/**
 * A split's prediction is its worst cluster's: the calls observed may be those that took another
 * cluster of the split, which the worst one does not describe (contract.md §1.1 still compares the worst).
 */
function splitMismatchFix(ea: EdgeAnalysis, split: readonly MeshRoute[]): string {
  const worst = ea.prediction.route?.dest.subset ?? null;
  const others = split.filter((r) => r.dest.subset !== worst).map((r) => clusterOf(r.dest.subset));
  return `Only the calls routed to ${clusterOf(worst)} are predicted ${ea.edge.predicted.verdict}; those observed may have taken ${others.join(" or ")}. Fix the configuration named above for ${clusterOf(worst)}, or the route's split.`;
}

export const edgeObservedMismatch = rule("edge.observed-mismatch", (ctx) =>
  ctx.edges.filter(isContradicted).map(observedMismatchFinding),
);

export type { FindingCode };
