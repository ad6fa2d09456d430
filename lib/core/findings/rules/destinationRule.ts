// Client-side rules: DestinationRule (findings.md "Istio DestinationRule", istio.md §2).
import type { ClientTlsSettings, DestinationRule, Service, ServicePort, Workload } from "../../model/mesh";
import { wildcardServiceFor } from "../../model/services";
import {
  entriesOf,
  hostMatchScore,
  taggingTls,
  type DrEntry,
  type IndexKind,
} from "../../resolve/destinationRule";
import { drMesh, portEntrySends, type Client, type EndpointPrediction } from "../../resolve/predictEdge";
import { namedByMeshVs, routedAway } from "../../resolve/vsScope";
import { isHttpPort } from "../../resolve/matrix";
import { meshFor } from "../../model/buildModel";
import { ignoredByEveryIstiod } from "../../model/discovery";
import type { Finding } from "../../snapshot/schema";
import type { AnalysisContext } from "../context";
import { rule } from "../context";
import { finding } from "../finding";
import { drRefOf, listNames, listSortedNames, nsName } from "../refs";
import { shadowings } from "./drShadowing";

interface TlsBlock {
  path: string;
  tls: ClientTlsSettings;
  /** The portLevelSettings entry's port; null for a policy's top-level tls (every port). */
  port: number | null;
}

/** Every tls block of a DR with its path, top-level and port-level first, then subsets. */
export function tlsBlocks(dr: DestinationRule): TlsBlock[] {
  const out: TlsBlock[] = [];
  policyTlsBlocks(out, dr.trafficPolicy, "spec.trafficPolicy");
  for (let i = 0; i < dr.subsets.length; i++)
    policyTlsBlocks(out, dr.subsets[i]!.trafficPolicy, `spec.subsets[${i}].trafficPolicy`);
  return out;
}

function policyTlsBlocks(out: TlsBlock[], tp: DestinationRule["trafficPolicy"], base: string): void {
  if (!tp) return;
  if (tp.tls) out.push({ path: `${base}.tls`, tls: tp.tls, port: null });
  for (let i = 0; i < tp.portLevelSettings.length; i++) {
    const p = tp.portLevelSettings[i]!;
    if (p.tls)
      out.push({ path: `${base}.portLevelSettings[${i}].tls (port ${p.port})`, tls: p.tls, port: p.port });
  }
}

/**
 * Services per host suffix (".ns.svc.cluster.local", ".svc.cluster.local", …; each cut at a dot after
 * the host's first character), in model order: a wildcard DR "*.suffix" matches exactly the services
 * listed under ".suffix" (hostMatchScore), so 200 wildcard DRs need not scan 2,000 services each.
 */
const suffixIndexes = new WeakMap<AnalysisContext["model"], Map<string, Service[]>>();
function servicesBySuffix(model: AnalysisContext["model"]): Map<string, Service[]> {
  return suffixIndexes.get(model) ?? buildSuffixIndex(model);
}
/** Once per analysis, in a function of its own for the reason `groupBroken` (edges.ts) gives. */
function buildSuffixIndex(model: AnalysisContext["model"]): Map<string, Service[]> {
  const idx = new Map<string, Service[]>();
  for (const s of model.services)
    for (let i = s.host.indexOf(".", 1); i >= 1; i = s.host.indexOf(".", i + 1)) {
      const suffix = s.host.slice(i);
      const list = idx.get(suffix);
      if (list) list.push(s);
      else idx.set(suffix, [s]);
    }
  suffixIndexes.set(model, idx);
  return idx;
}

/** Services a DR host covers: a map read for an exact host or a "*.suffix" wildcard. */
function servicesMatching(ctx: AnalysisContext, dr: DestinationRule): Service[] {
  if (!dr.fqdn.startsWith("*")) {
    const s = ctx.model.serviceByHost.get(dr.fqdn);
    return s ? [s] : [];
  }
  if (dr.fqdn.startsWith("*.")) return [...(servicesBySuffix(ctx.model).get(dr.fqdn.slice(1)) ?? [])];
  return ctx.model.services.filter((s) => hostMatchScore(dr.fqdn, s.host) >= 0);
}

/**
 * Whether the inputs can tell that nothing serves the DR's host: not when they hold no Service or
 * ServiceEntry at all (a policy-only folder), nor when the reader could not list the kinds that
 * would (a 403 on Services in the host's namespace, or on ServiceEntries anywhere). A rule that
 * cannot decide says nothing (findings.md).
 */
function hostInventoryKnown(ctx: AnalysisContext, dr: DestinationRule): boolean {
  if (ctx.model.services.length === 0) return false;
  const svcNs = /^[^.]+\.([^.]+)\.svc\./.exec(dr.fqdn)?.[1];
  return !(ctx.completeness ?? []).some(
    (c) =>
      c.reason !== "invalid" &&
      (c.kind === "ServiceEntry" ||
        (c.kind === "Service" &&
          (c.namespace === undefined || svcNs === undefined || c.namespace === svcNs))),
  );
}

/**
 * The DestinationRules some istiod reads: not those whose namespace every istiod that would read them
 * leaves out by its discoverySelectors (ignoredByEveryIstiod, Istio 1.22+). The rules that say what a
 * DestinationRule makes clients do read only these: an ignored one does nothing (so does one labelled
 * istio.io/rev=<tag>, which no istiod reads). Those about the object itself (admission rejects it, its
 * host names nothing) read them all. Once per model; the model's own list when no mesh config has
 * selectors and there is no revision tag.
 */
const readLists = new WeakMap<AnalysisContext["model"], DestinationRule[]>();
function destinationRulesRead(model: AnalysisContext["model"]): DestinationRule[] {
  if (model.discoveryViews.size === 0 && model.revisions.tags.size === 0) return model.destinationRules;
  let out = readLists.get(model);
  if (!out)
    readLists.set(
      model,
      (out = model.destinationRules.filter((dr) => !ignoredByEveryIstiod(model, dr.namespace, dr.revision))),
    );
  return out;
}

export const drTlsWithoutMode = rule("dr.tls-without-mode", (ctx) =>
  destinationRulesRead(ctx.model).flatMap((dr) =>
    tlsBlocks(dr)
      .filter((b) => !b.tls.modeSet)
      .map((b) =>
        finding("dr.tls-without-mode", {
          message: `DestinationRule ${nsName(dr)} has ${b.path} without mode: Istio reads it as DISABLE, so clients send plaintext to ${dr.host}.`,
          resources: [drRefOf(dr)],
          fix: `Set mode explicitly in ${b.path} (ISTIO_MUTUAL for mesh services, SIMPLE/MUTUAL for external TLS), or remove the tls block to let auto mTLS decide.`,
        }),
      ),
  ),
);

/** How a finding names what a sidecar sends. */
const SENDS: Record<string, string> = {
  DISABLE: "plaintext",
  ISTIO_MUTUAL: "Istio mTLS",
  SIMPLE: "TLS (SIMPLE)",
  MUTUAL: "mutual TLS (MUTUAL)",
  HBONE: "HBONE",
  "SIMPLE inside HBONE": "TLS (SIMPLE) inside HBONE",
  "MUTUAL inside HBONE": "mutual TLS (MUTUAL) inside HBONE",
};
const sendsOf = (tls: string) => SENDS[tls] ?? tls;

/** Why auto mTLS sends what it sends to one endpoint of the port, in the words of the drop-tls finding. */
function autoWhy(e: EndpointPrediction, service: Service, tagging: string): string {
  switch (e.why) {
    case "auto-off":
      return "auto mTLS is off (enableAutoMtls: false)";
    case "auto-namespace-disable":
      return `namespace ${service.namespace} is DISABLE, which turns auto mTLS off for the service`;
    case "mesh-external":
      return "a MESH_EXTERNAL host, where auto mTLS does not apply";
    case "auto-endpoint-no-label":
      return "its pods do not carry security.istio.io/tlsMode=istio";
    case "auto-endpoint-pa-disable":
      return `its PeerAuthentication disables port ${e.targetPort}`;
    case "auto-dr-tagged":
      return `${tagging} keeps its mTLS tag`;
    case "auto-dr-untagged":
      return `${tagging} removes its mTLS tag`;
    case "auto-headless-mixed":
      return `not every endpoint of headless ${service.host} carries security.istio.io/tlsMode=istio, so auto mTLS is off for all of them`;
    case "auto-headless-mtls":
      return "one ORIGINAL_DST socket sends Istio mTLS to every endpoint";
    case "auto-hbone":
    case "hbone-first":
      return "it takes HBONE, with nothing of the sidecar's inside";
    case "auto-mtls":
      return "auto mTLS picks Istio mTLS for its pods, which carry security.istio.io/tlsMode=istio";
    case "auto-metadata-certs":
      return "the sidecars' file-mounted client certificates (ISTIO_META_TLS_CLIENT_*) make istiod build auto mTLS from those files, for every endpoint alike";
    case "metadata-certs-no-key":
      return "the sidecars' file-mounted client certificates name no key (ISTIO_META_TLS_CLIENT_KEY), so istiod's TLS from them fails";
    default:
      return "auto mTLS";
  }
}

/** Auto mTLS's decisions that hold for every endpoint, so they are known without the endpoints. */
const CLUSTER_WIDE = new Set<string>(["auto-off", "auto-namespace-disable", "mesh-external"]);
/** Auto mTLS never originates these: a port that would send them changes whatever the endpoints. */
const ORIGINATED = new Set<string>(["SIMPLE", "MUTUAL"]);

/** Whether a sidecar really originates `top`: not SIMPLE/MUTUAL naming a credential without workloadSelector, which it drops (plaintext). */
const originates = (dr: DestinationRule, top: ClientTlsSettings) =>
  ORIGINATED.has(top.mode) &&
  !(!dr.workloadSelector && top.credentialName && !top.credentialName.startsWith("configmap://"));

/**
 * What the drop of `top` changes on one port, grouped: "<auto send> instead of <explicit send> to
 * <endpoints> of <host> (<why>)". Compares, per endpoint, the resolver's prediction for the port as
 * written with the one for `top` copied into its entry (`portEntrySends`). An endpoint the inputs do
 * not list (a selector-less service, a ServiceEntry) counts only when auto mTLS decides for the whole
 * service, or when `top` originates TLS, which auto mTLS never does.
 */
function droppedTlsChanges(
  ctx: AnalysisContext,
  dr: DestinationRule,
  services: Service[],
  portNumber: number,
  top: ClientTlsSettings,
  tagging: string,
): string[] {
  const groups = new Map<string, { head: string; tail: string; names: string[] }>();
  // An endpoint that takes HBONE gets SIMPLE/MUTUAL inside the tunnel; the prediction says HBONE only.
  const inside = originates(dr, top) ? `${top.mode} inside HBONE` : "HBONE";
  for (const service of services) {
    const port = service.ports.find((sp) => sp.port === portNumber);
    if (!port) continue;
    const { auto, explicit } = portEntrySends(ctx.resolver, dr, service, port, top);
    for (let i = 0; i < auto.length; i++) {
      const a = auto[i]!;
      const x = explicit[i]!;
      const xTls = x.tls === "HBONE" && x.origin === "destinationrule" ? inside : x.tls;
      if (a.tls === xTls) continue;
      const known = a.workload !== null || CLUSTER_WIDE.has(a.why);
      if (!known && !ORIGINATED.has(xTls)) continue;
      const head = known
        ? `${sendsOf(a.tls)} instead of ${sendsOf(xTls)} to`
        : `what auto mTLS picks (plaintext or Istio mTLS, never ${xTls}) instead of ${sendsOf(xTls)} to`;
      const tail = known
        ? `of ${service.host} (${autoWhy(a, service, tagging)})`
        : `of ${service.host}, which the inputs do not list`;
      const name = a.workload ? nsName(a.workload) : "the endpoints";
      const key = `${head}\u0000${tail}`;
      const group = groups.get(key);
      if (!group) groups.set(key, { head, tail, names: [name] });
      else if (!group.names.includes(name)) group.names.push(name);
    }
  }
  return [...groups.values()].map((g) => `${g.head} ${listNames(g.names.sort())} ${g.tail}`);
}

/**
 * A host the inputs do not hold (and cannot rule out): without endpoints, only what holds for any
 * endpoint is known: auto mTLS off mesh-wide, or a top-level mode auto mTLS never originates.
 */
function unknownHostChange(ctx: AnalysisContext, dr: DestinationRule, top: ClientTlsSettings): string | null {
  // A credential the sidecar drops leaves plaintext, which auto mTLS may send too.
  if (top.mode === "DISABLE" || (ORIGINATED.has(top.mode) && !originates(dr, top))) return null;
  if (!drMesh(ctx.resolver, dr).enableAutoMtls)
    return `plaintext instead of ${sendsOf(top.mode)} to ${dr.host}, which the inputs do not hold (auto mTLS is off: enableAutoMtls: false)`;
  if (ORIGINATED.has(top.mode))
    return `what auto mTLS picks (plaintext or Istio mTLS, never ${top.mode}) instead of ${sendsOf(top.mode)} to ${dr.host}, which the inputs do not hold`;
  return null;
}

/**
 * A portLevelSettings entry without tls replaces the whole policy, so its port is in auto mode. That
 * matters only when auto mTLS sends something else than the top-level tls would have to some
 * endpoint of the DR's host: on a meshed service auto mTLS sends ISTIO_MUTUAL, as the top level
 * would (the DR's endpoint tagging keeps labelled endpoints in mTLS), and with a top-level DISABLE
 * the tagging sends plaintext, as DISABLE would. docs/DECISIONS.md, "dr.port-settings-drop-tls".
 */
export const drPortSettingsDropTls = rule("dr.port-settings-drop-tls", (ctx) => {
  const out: Finding[] = [];
  for (const dr of destinationRulesRead(ctx.model)) {
    const tp = dr.trafficPolicy;
    const top = tp?.tls;
    if (!tp || !top) continue;
    const seen = new Set<number>();
    let services: Service[] | null = null;
    for (const p of tp.portLevelSettings) {
      // The cluster takes the first entry for a port; only when it has no tls is the port in auto mode.
      if (seen.has(p.port)) continue;
      seen.add(p.port);
      if (p.tls) continue;
      services ??= servicesMatching(ctx, dr);
      const { tls: tagTls, fromPortEntry } = taggingTls(tp, p.port)!;
      const tagging = `tls.mode ${tagTls.mode} in ${fromPortEntry ? `a later portLevelSettings entry for port ${p.port}` : "the top level"}`;
      let changes: string[];
      if (services.length > 0) changes = droppedTlsChanges(ctx, dr, services, p.port, top, tagging);
      else if (dr.fqdn.startsWith("*") || hostInventoryKnown(ctx, dr))
        changes = []; // no cluster at all: dr.host-not-found
      else changes = [unknownHostChange(ctx, dr, top)].filter((c) => c !== null);
      if (changes.length === 0) continue;
      // A wildcard host can change many services: the first few say enough.
      const said =
        changes.length > 4
          ? [...changes.slice(0, 4), `${changes.length - 4} more such changes (other services or reasons)`]
          : changes;
      out.push(
        finding("dr.port-settings-drop-tls", {
          message: `DestinationRule ${nsName(dr)} sets tls.mode ${top.mode} at the top level, but its portLevelSettings entry for port ${p.port} has no tls: that entry replaces the whole policy, so port ${p.port} falls back to auto mTLS, and sidecars send ${said.join("; and ")}.`,
          resources: [drRefOf(dr)],
          fix: `Copy the top-level tls block (mode ${top.mode}) into the portLevelSettings entry for port ${p.port}.`,
        }),
      );
    }
  }
  return out;
});

export const drMutualMissingCerts = rule("dr.mutual-missing-certs", (ctx) =>
  ctx.model.destinationRules.flatMap((dr) =>
    tlsBlocks(dr)
      .filter(
        (b) =>
          b.tls.mode === "MUTUAL" && !b.tls.credentialName && !(b.tls.clientCertificate && b.tls.privateKey),
      )
      .map((b) =>
        finding("dr.mutual-missing-certs", {
          message: `DestinationRule ${nsName(dr)} sets MUTUAL in ${b.path} without clientCertificate and privateKey and without credentialName: Istio rejects it, and there is no client certificate to present.`,
          resources: [drRefOf(dr)],
          fix: `Add clientCertificate and privateKey (file paths in the proxy) or credentialName (a Secret), or use ISTIO_MUTUAL for mesh services.`,
        }),
      ),
  ),
);

export const drCredentialNamePlaintext = rule("dr.credential-name-plaintext", (ctx) => {
  const out: Finding[] = [];
  const sidecars = ctx.model.workloads.filter((w) => w.dataplane === "sidecar" && !w.gateway);
  // An ignored DR is no sidecar's (its lookups skip it anyway): not weighed at all.
  for (const dr of destinationRulesRead(ctx.model)) {
    if (dr.workloadSelector) continue;
    const bad = tlsBlocks(dr).filter(
      (b) =>
        (b.tls.mode === "SIMPLE" || b.tls.mode === "MUTUAL") &&
        b.tls.credentialName &&
        !b.tls.credentialName.startsWith("configmap://"),
    );
    if (bad.length === 0) continue;
    const services = servicesMatching(ctx, dr);
    const hosts = services.map((s) => s.host);
    // A host known to match nothing gets no cluster, so the DR changes nothing (dr.host-not-found
    // says so); one the inputs cannot see is judged as if it existed.
    if (hosts.length === 0) {
      if (dr.fqdn.startsWith("*") || hostInventoryKnown(ctx, dr)) continue;
      hosts.push(dr.fqdn);
    }
    // The sidecars that really get this DR: each one's own lookup, labels and revision included (a
    // selector DR may cover some of them, a merge may take this DR's subsets but not its policy).
    const uses = (w: (typeof sidecars)[number], h: string) => {
      const applied = ctx.resolver.lookupDr(
        w.revision,
        w.namespace,
        w.labels,
        h,
        ctx.model.serviceByHost.get(h)?.namespace ?? null,
      ).applied;
      if (!applied?.merged.includes(dr)) return false;
      // Swallowed by a selector DR (istio/istio#58322): the merged config is its head's copy, selector
      // included, so the sidecar loads the credential.
      if (applied.head.workloadSelector) return false;
      return applied.rule === dr || bad.some((b) => b.path.startsWith("spec.subsets"));
    };
    // Only a sidecar that may call the host on a port the credential is for: one whose every call there
    // a mesh VirtualService routes elsewhere never uses the cluster (sendsToCluster). The ports are worked
    // out once per service, and only for a host a VirtualService names without a route to it. Most hosts:
    // no VirtualService names it (a map read); then every sidecar the DR reaches counts. Whether a mesh
    // route leads to the host is asked per sidecar (routedAway): a root's route after a delegate is
    // built only for the callers whose istiod drops the delegate.
    const covered = services.map((svc) =>
      namedByMeshVs(ctx.model, svc.host) ? coveredPorts(svc, bad) : null,
    );
    // A sidecar with file-mounted client certificates gets a MUTUAL block rebuilt from its files before
    // istiod's credentialName check (cluster_tls.go buildUpstreamTLSSettings → buildMutualTLS; predictEdge
    // drFileSend), unless the host is MESH_EXTERNAL: only the SIMPLE blocks are dropped for it. A host the
    // inputs do not hold may be external.
    const simple = bad.filter((b) => b.tls.mode === "SIMPLE");
    const rebuilt = (w: (typeof sidecars)[number], i: number) =>
      w.metadataCerts !== "none" && i < services.length && !services[i]!.external;
    const sends = (w: (typeof sidecars)[number], i: number) => {
      if (simple.length === 0 && rebuilt(w, i)) return false;
      if (!uses(w, hosts[i]!)) return false;
      // Fewer services than hosts where a host names none (a policy-only input): no port narrowing there.
      const ports = i < covered.length ? covered[i]! : null;
      return ports === null || sendsToCluster(ctx, w, services[i]!, ports);
    };
    const namespaces = new Set<string>();
    // The block the message names: the first, unless every sidecar that drops one has its MUTUAL rebuilt.
    let shown: TlsBlock | undefined;
    for (const w of sidecars)
      for (let i = 0; i < hosts.length; i++) {
        if (!sends(w, i)) continue;
        namespaces.add(w.namespace);
        if (!rebuilt(w, i)) shown = bad[0];
        else shown ??= simple[0];
        break;
      }
    const users = [...namespaces].sort();
    if (users.length === 0) continue;
    const named = shown ?? bad[0]!;
    out.push(
      finding("dr.credential-name-plaintext", {
        message: `DestinationRule ${nsName(dr)} sets credentialName ${named.tls.credentialName} (${named.path}) without workloadSelector: sidecars in ${listNames(users)} ignore it and send plaintext to ${dr.host}.`,
        resources: [drRefOf(dr)],
        fix: `Add spec.workloadSelector for the client pods (then the sidecar loads the Secret), or use clientCertificate/privateKey files, or apply it only to gateways.`,
      }),
    );
  }
  return out;
});

/**
 * The service ports the credential's tls blocks cover (a top-level block: every port); null when a
 * block is for a port the service lacks, which keeps the finding as before (every sidecar counts).
 */
function coveredPorts(service: Service, bad: TlsBlock[]): ServicePort[] | null {
  const out: ServicePort[] = [];
  for (const b of bad) {
    let found = false;
    for (const p of service.ports)
      if (b.port === null || p.port === b.port) {
        found = true;
        if (!out.includes(p)) out.push(p);
      }
    if (!found) return null;
  }
  return out;
}

/**
 * Whether a sidecar may send through the service's own cluster on one of the covered ports: it does
 * unless, on each, every call it makes is routed elsewhere by a mesh VirtualService for the host
 * (routedAway: the cluster is still built, but no route or filter chain of the sidecar leads to it) and
 * no observed edge shows it calling the host on that port anyway. Istio's egress-gateway TLS
 * origination (docs/DECISIONS.md, "credentialName DR behind a mesh route").
 */
function sendsToCluster(ctx: AnalysisContext, w: Workload, service: Service, ports: ServicePort[]): boolean {
  for (const p of ports) if (observedCallers(ctx, service.host, p.port)?.has(w)) return true;
  const client: Client = {
    namespace: w.namespace,
    name: w.name,
    workload: w,
    dataplane: w.dataplane,
    labels: w.labels,
    revision: w.revision,
  };
  return !routedAway(ctx.model, client, meshFor(ctx.model, w.revision), service, ports);
}

/** The workloads observed calling each host on each port, once per analysis and only when a credentialName DR's host has routes to weigh. */
const callersIndexes = new WeakMap<AnalysisContext["edges"], Map<string, Map<number, Set<Workload>>>>();
function observedCallers(ctx: AnalysisContext, host: string, port: number): Set<Workload> | undefined {
  let idx = callersIndexes.get(ctx.edges);
  if (!idx) {
    idx = new Map();
    for (const e of ctx.edges) {
      const w = e.client.workload;
      if (!w) continue;
      let byPort = idx.get(e.service.host);
      if (!byPort) idx.set(e.service.host, (byPort = new Map()));
      const set = byPort.get(e.port.port);
      if (set) set.add(w);
      else byPort.set(e.port.port, new Set([w]));
    }
    callersIndexes.set(ctx.edges, idx);
  }
  return idx.get(host)?.get(port);
}

export const drInsecureSkipVerify = rule("dr.insecure-skip-verify", (ctx) =>
  destinationRulesRead(ctx.model).flatMap((dr) =>
    tlsBlocks(dr)
      .filter((b) => b.tls.insecureSkipVerify === true)
      .map((b) =>
        finding("dr.insecure-skip-verify", {
          message: `DestinationRule ${nsName(dr)} sets insecureSkipVerify in ${b.path}: the server certificate and its names are not checked for ${dr.host}.`,
          resources: [drRefOf(dr)],
          fix: `Remove insecureSkipVerify and set caCertificates (or rely on the system trust store) and subjectAltNames.`,
        }),
      ),
  ),
);

/**
 * An endpoint whose inbound is a sidecar terminating Istio's own mTLS, where a client's own TLS fails
 * against STRICT. Not an HBONE endpoint (ambient, or a sidecar with tunnel=http and no tlsMode=istio):
 * sidecars carry SIMPLE/MUTUAL inside HBONE to it and ztunnel ignores DRs (istio.md §9.10), so neither
 * half of the finding's claim holds there.
 */
const takesLegacyIstioMtls = (w: Workload) =>
  w.dataplane === "sidecar" && !w.gateway && !(w.hboneTunnel && w.tlsModeLabel !== "istio");

/**
 * SIMPLE and MUTUAL blocks towards a meshed service. A MUTUAL block is rebuilt by istiod from the
 * file-mounted client certificates of a caller that has them (predictEdge drFileSend): that is the
 * caller's mesh identity, which a STRICT port terminates, but it carries no Istio ALPN, so a PERMISSIVE
 * or DISABLE port still passes it through or refuses it, as any MUTUAL. So a MUTUAL block counts unless
 * every sidecar that uses the DR has such certificates and every covered port of the meshed endpoints
 * is STRICT (then only the edges say what happens: a missing key or root). Which sidecars use the DR
 * is their own lookup (as dr.credential-name-plaintext's), and only in a mesh where some proxy has file
 * certificates: elsewhere every MUTUAL block counts, as before. With no sidecar using it in the inputs,
 * the DR's revision default stands for its callers.
 */
export const drNonIstioTlsToMesh = rule("dr.non-istio-tls-to-mesh", (ctx) => {
  const out: Finding[] = [];
  const fileProxies = anyFileCerts(ctx);
  let callers: CallerGroup[] | null = null;
  for (const dr of destinationRulesRead(ctx.model)) {
    const blocks = tlsBlocks(dr).filter((b) => b.tls.mode === "SIMPLE" || b.tls.mode === "MUTUAL");
    if (blocks.length === 0) continue;
    const meshed = servicesMatching(ctx, dr).filter((s) =>
      (ctx.model.endpointsOf.get(s) ?? []).some(takesLegacyIstioMtls),
    );
    if (meshed.length === 0) continue;
    const mutual = blocks.filter((b) => b.tls.mode === "MUTUAL");
    const verdict =
      fileProxies && mutual.length > 0
        ? mutualFromFiles(ctx, dr, meshed, mutual, (callers ??= callerGroups(ctx)))
        : OWN_TLS;
    const own = verdict === OWN_TLS ? blocks : blocks.filter((b) => b.tls.mode === "SIMPLE");
    if (own.length > 0) {
      out.push(
        finding("dr.non-istio-tls-to-mesh", {
          message: `DestinationRule ${nsName(dr)} sets ${own[0]!.tls.mode} (${own[0]!.path}) towards ${listNames(meshed.map((s) => s.host))}, whose endpoints have Istio proxies: this bypasses mesh identity and fails against STRICT.`,
          resources: [drRefOf(dr)],
          fix: `Use mode ISTIO_MUTUAL (or remove the tls block to let auto mTLS decide) for in-mesh destinations.`,
        }),
      );
      continue;
    }
    if (verdict === null || verdict === OWN_TLS) continue;
    const { workload: w, port, mode, http } = verdict;
    out.push(
      finding("dr.non-istio-tls-to-mesh", {
        message: `DestinationRule ${nsName(dr)} sets MUTUAL (${mutual[0]!.path}) towards ${listNames(meshed.map((s) => s.host))}, whose endpoints have Istio proxies. Its callers' proxies name file-mounted client certificates (ISTIO_META_TLS_CLIENT_CERT_CHAIN), so istiod sends that MUTUAL from those files, with no Istio ALPN: only a STRICT port terminates it, and ${nsName(w)} port ${port} is ${mode}, where it is ${http ? "refused (an HTTP port has no filter chain for TLS without Istio ALPN)" : "passed unterminated to the application"}.`,
        resources: [drRefOf(dr)],
        fix: `Make the destination ports STRICT (their chains terminate TLS whatever its ALPN)${http ? ", or use mode ISTIO_MUTUAL (istiod rebuilds it from the same files, and the istio.alpn filter then gives HTTP requests Istio's ALPN)" : ""}, or remove the ISTIO_META_TLS_CLIENT_* keys from the callers' ProxyConfig and use ISTIO_MUTUAL (or no tls block).`,
      }),
    );
  }
  return out;
});

/** The MUTUAL blocks are the callers' own TLS (no file certificates to rebuild them from), as for SIMPLE. */
const OWN_TLS = "own" as const;

/** A meshed endpoint's port that does not terminate the file TLS: not STRICT. */
interface OpenPort {
  workload: Workload;
  port: number;
  mode: string;
  http: boolean;
}

/** Whether any proxy may have file-mounted client certificates: a workload, or a revision's default for callers the inputs do not list. Once per analysis. */
function anyFileCerts(ctx: AnalysisContext): boolean {
  for (const m of ctx.model.meshByRevision.values()) if (m.proxyMetadataCerts !== "none") return true;
  return ctx.model.workloads.some((w) => w.metadataCerts !== "none");
}

/**
 * What the DR's MUTUAL blocks are for its callers: OWN_TLS when some sidecar using it (or, with none
 * in the inputs, the revision default) has no file certificates, or a host is MESH_EXTERNAL (never
 * rebuilt); otherwise the first meshed endpoint port that is not STRICT (null: all are, nothing to say).
 * A caller whose files lack the key sends plaintext, which its edges report: it decides nothing here.
 */
function mutualFromFiles(
  ctx: AnalysisContext,
  dr: DestinationRule,
  meshed: Service[],
  mutual: TlsBlock[],
  callers: CallerGroup[],
): typeof OWN_TLS | OpenPort | null {
  if (meshed.some((s) => s.external)) return OWN_TLS;
  let rebuilt = false;
  for (const g of callers) {
    // One lookup for the group where labels cannot change it, else one per member.
    if (g.sameLookup && !meshed.some((s) => usesDr(ctx, g.members[0]!, dr, s))) continue;
    for (const w of g.members) {
      if (!g.sameLookup && !meshed.some((s) => usesDr(ctx, w, dr, s))) continue;
      if (w.metadataCerts === "none") return OWN_TLS;
      if (w.metadataCerts !== "no-key") rebuilt = true;
    }
  }
  if (!rebuilt) {
    const byDefault = drMesh(ctx.resolver, dr).proxyMetadataCerts;
    if (byDefault === "none") return OWN_TLS;
    if (byDefault === "no-key") return null;
  }
  return openPort(ctx, meshed, mutual);
}

/**
 * The sidecars (not waypoints) that may use a DR, grouped by revision and namespace: a DR lookup reads the
 * client's labels only for the workloadSelector DRs of its own namespace (selector DRs are never
 * exported: lookupDestinationRule), so where that namespace has none, one lookup answers for the group
 * (`sameLookup`). Built once per rule run, so a DR costs a lookup per group and service, not per workload.
 */
interface CallerGroup {
  members: Workload[];
  sameLookup: boolean;
}

function callerGroups(ctx: AnalysisContext): CallerGroup[] {
  const selectorNs = new Set<string>();
  for (const dr of ctx.model.destinationRules) if (dr.workloadSelector) selectorNs.add(dr.namespace);
  const groups = new Map<string, CallerGroup>();
  for (const w of ctx.model.workloads) {
    if (w.dataplane !== "sidecar" || w.waypoint) continue;
    const key = `${w.revision}\u0000${w.namespace}`;
    const g = groups.get(key);
    if (g) g.members.push(w);
    else groups.set(key, { members: [w], sameLookup: !selectorNs.has(w.namespace) });
  }
  return [...groups.values()];
}

/** The sidecar's own DR lookup for the service's host takes this DR's policy (or its subsets). */
function usesDr(ctx: AnalysisContext, w: Workload, dr: DestinationRule, s: Service): boolean {
  const applied = ctx.resolver.lookupDr(w.revision, w.namespace, w.labels, s.host, s.namespace).applied;
  return !!applied && applied.merged.includes(dr);
}

function openPort(ctx: AnalysisContext, meshed: Service[], mutual: TlsBlock[]): OpenPort | null {
  for (const s of meshed) {
    const ports = coveredPorts(s, mutual) ?? s.ports;
    for (const w of ctx.model.endpointsOf.get(s) ?? []) {
      if (!takesLegacyIstioMtls(w)) continue;
      for (const p of ports) {
        const port = ctx.resolver.targetPortOf(s, p, w);
        if (port === null) continue;
        const mode = ctx.resolver.serverDecision(w, port).mode;
        if (mode !== "STRICT") return { workload: w, port, mode, http: isHttpPort(p) };
      }
    }
  }
  return null;
}

/**
 * A host only a wildcard ServiceEntry covers ("api.example.com" under "*.example.com") has no cluster
 * of its own: Istio builds one for "*.example.com" and looks its DR up by that host, and
 * MostSpecificHostMatch (pilot/pkg/model/config.go) takes only wildcard DR hosts for a wildcard
 * needle, so a DR for the specific host applies nowhere. Istio's analyzer (GetDestinationHost,
 * IST0174) accepts it; we report it, naming the ServiceEntry (docs/DECISIONS.md).
 */
function hostNotFoundFinding(ctx: AnalysisContext, dr: DestinationRule): Finding {
  const host = `${dr.host}${dr.host !== dr.fqdn ? ` (${dr.fqdn})` : ""}`;
  const se = dr.fqdn.startsWith("*") ? null : wildcardServiceFor(ctx.model.wildcardServiceBySuffix, dr.fqdn);
  if (se)
    return finding("dr.host-not-found", {
      message: `DestinationRule ${nsName(dr)} targets ${host}, which no Service or ServiceEntry names: ServiceEntry ${nsName(se)} covers it only through its wildcard host ${se.host}, whose one cluster takes the DestinationRule written for ${se.host} (or a wider wildcard), so Istio ignores this one.`,
      resources: [drRefOf(dr), { kind: "ServiceEntry", namespace: se.namespace, name: se.name }],
      fix: `Write the DestinationRule for host ${se.host}, or give ${dr.fqdn} a ServiceEntry of its own.`,
    });
  return finding("dr.host-not-found", {
    message: `DestinationRule ${nsName(dr)} targets ${host}, which matches no Service or ServiceEntry: Istio ignores it.`,
    resources: [drRefOf(dr)],
    fix: dr.host.includes(".")
      ? `Use the full host name <service>.<namespace>.svc.cluster.local (short names resolve in the DestinationRule's own namespace), or add a ServiceEntry for an external host.`
      : `A short host resolves in the DestinationRule's namespace (${dr.namespace}); write the FQDN <service>.<namespace>.svc.cluster.local for a Service elsewhere.`,
  });
}

export const drHostNotFound = rule("dr.host-not-found", (ctx) =>
  ctx.model.destinationRules
    .filter((dr) => servicesMatching(ctx, dr).length === 0 && hostInventoryKnown(ctx, dr))
    .map((dr) => hostNotFoundFinding(ctx, dr)),
);

export const drDuplicateHost = rule("dr.duplicate-host", (ctx) => {
  // Istio's own merge (consolidate): each index entry that took in more than one DR. An entry can sit
  // in two indexes of its namespace (local and exported): reported once.
  const idx = ctx.resolver.drIndex("");
  const seen = new Set<string>();
  const out: Finding[] = [];
  const kinds = (ns: string): IndexKind[] =>
    ns === idx.rootNamespace ? ["root-private", "exported"] : ["local", "exported"];
  for (const byNs of [...idx.exactByHost.values(), ...idx.wildcardBySuffix.values()])
    for (const [ns, list] of byNs) {
      if (list.length < 2) continue;
      for (const kind of kinds(ns))
        for (const entry of entriesOf(list, kind, idx.defaultExportTo)) {
          const key = entry.from.map(nsName).join(" ");
          if (entry.from.length < 2 || seen.has(key)) continue;
          seen.add(key);
          out.push(duplicateFinding(entry));
        }
    }
  return out;
});

function duplicateFinding(entry: DrEntry): Finding {
  const { head, from, policyFrom: winner } = entry;
  const swallowed = head.workloadSelector ? from.filter((d) => !d.workloadSelector) : [];
  if (swallowed.length > 0) {
    const selector = Object.entries(head.workloadSelector!)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const inherited =
      winner !== head
        ? ` The workloads it selects get the top-level trafficPolicy of ${nsName(winner)}, as ${nsName(head)} has none.`
        : "";
    return finding("dr.duplicate-host", {
      message: `DestinationRule ${listNames(swallowed.map(nsName))} has no workloadSelector but the same exportTo as ${nsName(head)}, which selects ${selector}, for ${head.fqdn}: Istio merges it into that one (enhanced DestinationRule merge, istio/istio#58322), so it applies only to the workloads ${nsName(head)} selects, and other clients in ${head.namespace} get no DestinationRule for ${head.fqdn}.${inherited}`,
      resources: [...swallowed.map(drRefOf), drRefOf(head)],
      fix: `Give ${listNames(swallowed.map(nsName))} an exportTo of its own (exportTo: ["${head.namespace}"] keeps it private to ${head.namespace}) so that Istio keeps it as a separate rule, or move its settings into ${nsName(head)} and another selector DR.`,
    });
  }
  const rest = from.filter((d) => d !== winner);
  return finding("dr.duplicate-host", {
    message: `${from.length} DestinationRules in ${winner.namespace} target ${winner.fqdn}: only ${winner === head ? "the oldest" : "the oldest with a top-level trafficPolicy"}, ${nsName(winner)}, contributes its top-level trafficPolicy; ${listNames(rest.map(nsName))} only add subsets.`,
    resources: [...rest.map(drRefOf), drRefOf(winner)],
    fix: `Merge the traffic policies into ${nsName(winner)} and delete the others.`,
  });
}

export const drShadowed = rule("dr.shadowed", (ctx) => {
  // Per DR, the callers it never applies to (drShadowing.ts): shadowed by the DR a tier consulted first
  // applies, or hidden behind a tier holding only selector DRs for other workloads, so those callers get
  // no DR at all (istio.md §2.4, SidecarScope.DestinationRule).
  const { shadowed, hidden } = shadowings(ctx.edges);
  const out: Finding[] = [];
  for (const [dr, s] of shadowed) {
    const by = [...s.by];
    out.push(
      finding("dr.shadowed", {
        message: `DestinationRule ${nsName(dr)} never applies to ${listSortedNames(s.clients)}, which call ${dr.host}: ${listNames(by.map(nsName))} in a tier consulted first (the client's namespace before the service's, then the root) matches the host.`,
        resources: [drRefOf(dr), ...by.map(drRefOf)],
        fix: `Narrow the host of ${listNames(by.map(nsName))} (e.g. instead of *.local) or repeat the settings of ${nsName(dr)} there.`,
      }),
    );
  }
  for (const [dr, s] of hidden) {
    const by = [...s.by];
    out.push(
      finding("dr.shadowed", {
        message: `DestinationRule ${nsName(dr)} never applies to ${listSortedNames(s.clients)}, which call ${dr.host}: ${listNames(by.map(nsName))} in a tier consulted first matches the host more specifically but selects other workloads (workloadSelector), which ends the lookup, so these clients get no DestinationRule at all.`,
        resources: [drRefOf(dr), ...by.map(drRefOf)],
        fix: `Add a DestinationRule for the same host as ${listNames(by.map(nsName))}, without workloadSelector, with the settings these clients need, or widen that selector.`,
      }),
    );
  }
  return out;
});

export const drSubsetOnlyTls = rule("dr.subset-only-tls", (ctx) =>
  destinationRulesRead(ctx.model)
    .filter((dr) => {
      const tp = dr.trafficPolicy;
      const topTls = !!tp?.tls || !!tp?.portLevelSettings.some((p) => p.tls);
      return (
        !topTls &&
        dr.subsets.some((s) => s.trafficPolicy?.tls || s.trafficPolicy?.portLevelSettings.some((p) => p.tls))
      );
    })
    .map((dr) =>
      finding("dr.subset-only-tls", {
        message: `DestinationRule ${nsName(dr)} sets TLS only on subsets (${dr.subsets
          .filter((s) => s.trafficPolicy?.tls || s.trafficPolicy?.portLevelSettings.some((p) => p.tls))
          .map((s) => s.name)
          .join(
            ", ",
          )}): it applies only when a route sends traffic to that subset; other traffic to ${dr.host} uses auto mTLS.`,
        resources: [drRefOf(dr)],
        fix: `Set spec.trafficPolicy.tls too if every call to ${dr.host} should use it.`,
      }),
    ),
);
