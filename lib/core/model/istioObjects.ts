// PeerAuthentication, DestinationRule and Sidecar read into typed form. An object Istio's admission
// would reject (unknown enum, bad port) is reported as input.invalid naming the field and skipped;
// everything else is kept as Istio would read it.
import { FieldError, problemFor } from "./fieldError";
import type { InputProblem, LoadedObject } from "./input";
import type {
  ClientTlsSettings,
  DestinationRule,
  PaMode,
  PeerAuthentication,
  PortTrafficPolicy,
  SidecarResource,
  Subset,
  TlsMode,
  TrafficPolicy,
} from "./mesh";
import { arr, at, bool, isObj, portNumber, str, strMap } from "./read";
import { NO_REVISIONS, resolveRevision, type Revisions } from "./revisions";
import { CLUSTER_DOMAIN } from "./services";

const PA_MODES: readonly PaMode[] = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"];
const TLS_MODES: readonly TlsMode[] = ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"];

function paMode(v: unknown, field: string): PaMode {
  if (v === undefined || v === null) return "UNSET";
  if (typeof v === "string" && (PA_MODES as readonly string[]).includes(v)) return v as PaMode;
  throw new FieldError(field, `unknown mode ${JSON.stringify(v)} (expected ${PA_MODES.join(", ")})`);
}

/**
 * The istio.io/rev label, as an optional field (absent on most objects), resolved through the revision
 * tags: istiod reads objects labelled with its revision or any tag pointing at it (revisions.ts).
 */
function revisionOf(o: LoadedObject, revisions: Revisions): { revision?: string } {
  const rev = strMap(o.object.metadata.labels)["istio.io/rev"];
  return rev === undefined ? {} : { revision: resolveRevision(revisions, rev) };
}

function readPeerAuthentication(o: LoadedObject, revisions: Revisions): PeerAuthentication {
  const spec = at(o.object, "spec");
  const labels = at(spec, "selector", "matchLabels");
  const selector = isObj(labels) && Object.keys(labels).length > 0 ? strMap(labels) : null;
  const mode = paMode(at(spec, "mtls", "mode"), "spec.mtls.mode");
  const rawPorts = at(spec, "portLevelMtls");
  let portLevelMtls: Map<number, PaMode> | null = null;
  if (isObj(rawPorts)) {
    portLevelMtls = new Map();
    for (const [key, value] of Object.entries(rawPorts)) {
      const port = portNumber(key);
      if (port === undefined) throw new FieldError(`spec.portLevelMtls.${key}`, "port must be 1..65535");
      portLevelMtls.set(port, paMode(at(value, "mode"), `spec.portLevelMtls.${key}.mode`));
    }
  }
  return {
    namespace: o.object.metadata.namespace ?? "default",
    name: o.object.metadata.name,
    creationTimestamp: o.object.metadata.creationTimestamp ?? "",
    selector,
    mode,
    portLevelMtls,
    ...(selector === null && isObj(at(spec, "selector")) ? { emptySelector: true as const } : {}),
    ...revisionOf(o, revisions),
    at: o.at,
  };
}

function clientTls(v: unknown, field: string): ClientTlsSettings | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw new FieldError(field, "must be an object");
  const rawMode = v.mode;
  let mode: TlsMode = "DISABLE";
  if (rawMode !== undefined && rawMode !== null) {
    if (typeof rawMode !== "string" || !(TLS_MODES as readonly string[]).includes(rawMode))
      throw new FieldError(`${field}.mode`, `unknown TLS mode ${JSON.stringify(rawMode)} (expected ${TLS_MODES.join(", ")})`);
    mode = rawMode as TlsMode;
  }
  const out: ClientTlsSettings = { mode, modeSet: rawMode !== undefined && rawMode !== null };
  for (const k of ["credentialName", "clientCertificate", "privateKey", "caCertificates", "sni"] as const) {
    const s = str(v[k]);
    if (s) out[k] = s;
  }
  const skip = bool(v.insecureSkipVerify);
  if (skip !== undefined) out.insecureSkipVerify = skip;
  const sans = arr(v.subjectAltNames).filter((x): x is string => typeof x === "string");
  if (sans.length) out.subjectAltNames = sans;
  return out;
}

function trafficPolicy(v: unknown, field: string): TrafficPolicy | null {
  if (v === undefined || v === null) return null;
  const portLevelSettings: PortTrafficPolicy[] = [];
  arr(at(v, "portLevelSettings")).forEach((p, i) => {
    const port = portNumber(at(p, "port", "number"));
    if (port === undefined) throw new FieldError(`${field}.portLevelSettings[${i}].port.number`, "port must be 1..65535");
    portLevelSettings.push({
      port,
      tls: clientTls(at(p, "tls"), `${field}.portLevelSettings[${i}].tls`),
      loadBalancerSimple: str(at(p, "loadBalancer", "simple")) ?? null,
    });
  });
  return {
    tls: clientTls(at(v, "tls"), `${field}.tls`),
    portLevelSettings,
    loadBalancerSimple: str(at(v, "loadBalancer", "simple")) ?? null,
  };
}

/** ResolveShortnameToFQDN: a host without a dot is relative to the DR's namespace (istio.md §2.4). */
export function resolveHost(host: string, namespace: string): string {
  if (host === "*" || host.includes(".") || host.includes(":")) return host;
  return `${host}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

function readDestinationRule(o: LoadedObject, revisions: Revisions): DestinationRule {
  const spec = at(o.object, "spec");
  const namespace = o.object.metadata.namespace ?? "default";
  const host = str(at(spec, "host"));
  if (!host) throw new FieldError("spec.host", "is required");
  const subsets: Subset[] = arr(at(spec, "subsets")).map((s, i) => ({
    name: str(at(s, "name")) ?? `#${i}`,
    labels: strMap(at(s, "labels")),
    trafficPolicy: trafficPolicy(at(s, "trafficPolicy"), `spec.subsets[${i}].trafficPolicy`),
  }));
  const selector = at(spec, "workloadSelector", "matchLabels");
  return {
    namespace,
    name: o.object.metadata.name,
    creationTimestamp: o.object.metadata.creationTimestamp ?? "",
    host,
    fqdn: resolveHost(host, namespace),
    exportTo: arr(at(spec, "exportTo")).filter((x): x is string => typeof x === "string"),
    workloadSelector: isObj(selector) && Object.keys(selector).length > 0 ? strMap(selector) : null,
    trafficPolicy: trafficPolicy(at(spec, "trafficPolicy"), "spec.trafficPolicy"),
    subsets,
    ...revisionOf(o, revisions),
    at: o.at,
  };
}

function readSidecar(o: LoadedObject, revisions: Revisions): SidecarResource {
  const spec = at(o.object, "spec");
  const labels = at(spec, "workloadSelector", "labels");
  const mode = str(at(spec, "outboundTrafficPolicy", "mode"));
  return {
    namespace: o.object.metadata.namespace ?? "default",
    name: o.object.metadata.name,
    workloadSelector: isObj(labels) && Object.keys(labels).length > 0 ? strMap(labels) : null,
    egressHosts: arr(at(spec, "egress")).flatMap((e) => arr(at(e, "hosts")).filter((h): h is string => typeof h === "string")),
    outboundTrafficPolicy: mode === "REGISTRY_ONLY" || mode === "ALLOW_ANY" ? mode : null,
    ...revisionOf(o, revisions),
    at: o.at,
  };
}

const isGroup = (o: LoadedObject, group: string) => (o.object.apiVersion ?? "").startsWith(`${group}/`);

export interface IstioObjects {
  peerAuthentications: PeerAuthentication[];
  destinationRules: DestinationRule[];
  sidecars: SidecarResource[];
}

export function readIstioObjects(objects: LoadedObject[], problems: InputProblem[], revisions: Revisions = NO_REVISIONS): IstioObjects {
  const out: IstioObjects = { peerAuthentications: [], destinationRules: [], sidecars: [] };
  for (const o of objects) {
    try {
      if (o.object.kind === "PeerAuthentication" && isGroup(o, "security.istio.io"))
        out.peerAuthentications.push(readPeerAuthentication(o, revisions));
      else if (o.object.kind === "DestinationRule" && isGroup(o, "networking.istio.io"))
        out.destinationRules.push(readDestinationRule(o, revisions));
      else if (o.object.kind === "Sidecar" && isGroup(o, "networking.istio.io")) out.sidecars.push(readSidecar(o, revisions));
    } catch (e) {
      if (e instanceof FieldError) problems.push(problemFor(o, e));
      else throw e;
    }
  }
  return out;
}
