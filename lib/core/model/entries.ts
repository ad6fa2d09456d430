// WorkloadEntries and ServiceEntries' inline `spec.endpoints` (VMs and other instances outside
// Kubernetes) as workloads. istiod makes service endpoints of both (pilot/pkg/serviceregistry/
// serviceentry): a WorkloadEntry when a ServiceEntry's workloadSelector or a Kubernetes Service's
// selector of its namespace picks it, an inline endpoint for its own ServiceEntry. What decides auto
// mTLS is their tlsMode (getTLSModeFromWorkloadEntry, conversion.go; istio.md §3.3).
import type { LoadedObject, SourceLocation } from "./input";
import type { EntryEndpoint, Labels, Namespace, Service, ServicePort, Workload } from "./mesh";
import { arr, at, isObj, portNumber, str, strMap } from "./read";
import { sortFew } from "./sortFew";

export const TLS_MODE_LABEL = "security.istio.io/tlsMode";

/**
 * getTLSModeFromWorkloadEntry: the `security.istio.io/tlsMode` label when present, else "istio" when
 * a serviceAccount is set, else disabled (null, as for a pod without the label).
 */
export function entryTlsMode(labels: Labels, serviceAccount: string): string | null {
  const label = labels[TLS_MODE_LABEL];
  if (label !== undefined) return label;
  return serviceAccount !== "" ? "istio" : null;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** An IPv4 or IPv6 address as Go's netip.ParseAddr reads one (netutil.IsValidIPAddress); an IPv6 zone is allowed. */
export function isIpAddress(s: string): boolean {
  if (IPV4.test(s)) return true;
  const zone = s.indexOf("%");
  const addr = zone >= 0 ? s.slice(0, zone) : s;
  if (zone === s.length - 1 || !addr.includes(":")) return false;
  // An embedded IPv4 address takes the last two groups.
  const lastColon = addr.lastIndexOf(":");
  const tail = addr.slice(lastColon + 1);
  const v4 = tail.includes(".");
  if (v4 && !IPV4.test(tail)) return false;
  const head = v4 ? addr.slice(0, lastColon + 1) + "0" : addr;
  const halves = head.split("::");
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === "" ? [] : h.split(":")));
  if (!groups.every((g) => g.every((x) => HEX_GROUP.test(x)))) return false;
  const count = groups.reduce((n, g) => n + g.length, 0) + (v4 ? 1 : 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** spec.ports of a WorkloadEntry-shaped object: service port name → endpoint port. */
function entryPorts(v: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!isObj(v)) return out;
  for (const name in v) {
    if (!Object.hasOwn(v, name)) continue;
    const port = portNumber(v[name]);
    if (port !== undefined) out.set(name, port);
  }
  return out;
}

/** Labels with keys in sorted order: the snapshot lists the model's object as is. */
function sortedLabels(labels: Labels): Labels {
  const keys = sortFew(Object.keys(labels), (a, b) => a > b);
  const out: Labels = {};
  for (const k of keys) out[k] = labels[k]!;
  return out;
}

/**
 * One entry endpoint as a workload. Its data plane is what istiod assumes of it: a sidecar when its
 * tlsMode is istio (auto mTLS then sends it Istio mTLS, and its proxy, a VM sidecar, applies the
 * PeerAuthentications selecting these labels), else none. Same field order as `buildWorkload` (one
 * hidden class for every workload).
 */
function entryWorkload(
  kind: string,
  name: string,
  namespace: string,
  spec: unknown,
  labels: Labels,
  ns: Namespace | undefined,
  inline: boolean,
  at_: SourceLocation,
): Workload {
  const serviceAccount = str(at(spec, "serviceAccount")) ?? "";
  const tlsModeLabel = entryTlsMode(labels, serviceAccount);
  const address = str(at(spec, "address")) ?? "";
  const ports = entryPorts(at(spec, "ports"));
  const containerPorts: Workload["containerPorts"] = [];
  for (const [portName, port] of ports) containerPorts.push({ port, name: portName });
  const entry: EntryEndpoint = {
    address,
    ports,
    // convertWorkloadEntryToWorkloadInstance: a unix socket or a non-IP address is for DNS ServiceEntries only.
    dnsOnly: address.startsWith("unix://") || (address !== "" && !isIpAddress(address)),
    inline,
  };
  return {
    namespace,
    name,
    kind,
    serviceAccount,
    labels: sortedLabels(labels),
    // A VM has none of the pod annotations the model reads (injection, capture exclusions, Linkerd).
    annotations: {},
    containerPorts,
    // A WorkloadEntry declares no proxy container: its spec.ports are the VM's application ports.
    proxyPorts: [],
    pods: 0,
    livePods: [],
    dataplane: tlsModeLabel === "istio" ? "sidecar" : "none",
    tlsModeLabel,
    optedOut: false,
    excludedInboundPorts: [],
    linkerdSkipInboundPorts: [],
    // istiod gives WorkloadEntry endpoints no tunnel ability: they are reached by Istio mTLS or plaintext.
    hboneTunnel: false,
    gateway: false,
    waypoint: false,
    revision: labels["istio.io/rev"] ?? ns?.labels["istio.io/rev"] ?? "",
    fromLivePods: false,
    entry,
    at: at_,
    index: -1, // set by buildModel
  };
}

/**
 * Every WorkloadEntry as a workload of kind "WorkloadEntry", appended to `out`. Its labels are
 * spec.labels merged with the object's own labels, which win (ConvertWorkloadEntry: "precedence to
 * the metadata"); they decide both which services select it and which PeerAuthentications apply.
 */
export function appendWorkloadEntries(objects: LoadedObject[], namespaces: Map<string, Namespace>, out: Workload[]): void {
  for (const o of objects) {
    if (o.object.kind !== "WorkloadEntry" || !(o.object.apiVersion ?? "").startsWith("networking.istio.io/")) continue;
    const namespace = o.object.metadata.namespace ?? "default";
    const spec = at(o.object, "spec");
    const labels = { ...strMap(at(spec, "labels")), ...strMap(o.object.metadata.labels) };
    out.push(entryWorkload("WorkloadEntry", o.object.metadata.name, namespace, spec, labels, namespaces.get(namespace), false, o.at));
  }
}

/**
 * A ServiceEntry's inline `spec.endpoints`, as endpoint-only workloads named after the ServiceEntry.
 * istiod reads them only when the ServiceEntry has no workloadSelector (buildServiceInstances), and
 * converts them as it converts a WorkloadEntry (convertEndpoint): same tlsMode, same port choice.
 */
export function inlineEndpoints(o: LoadedObject, namespace: string, ns: Namespace | undefined): Workload[] {
  const spec = at(o.object, "spec");
  if (isObj(at(spec, "workloadSelector"))) return [];
  const out: Workload[] = [];
  for (const ep of arr(at(spec, "endpoints"))) {
    if (!isObj(ep)) continue;
    out.push(entryWorkload("ServiceEntry", o.object.metadata.name, namespace, ep, strMap(ep.labels), ns, true, o.at));
  }
  return out;
}

/**
 * The port an entry endpoint receives a service port on, or null when it is no endpoint of it.
 * ServiceEntry (convertEndpoint, convertWorkloadInstanceToServiceInstance): spec.ports under the
 * service port's name, else the ServiceEntry's targetPort, else its number. Kubernetes Service
 * (serviceInstanceFromWorkloadInstance with findServiceTargetPort): a numeric targetPort unless
 * spec.ports names the service port; a named targetPort must be in spec.ports, else no endpoint.
 */
export function entryTargetPort(service: Service, port: ServicePort, entry: EntryEndpoint): number | null {
  const byName = port.name !== undefined ? entry.ports.get(port.name) : undefined;
  if (typeof port.targetPort === "number") return byName ?? port.targetPort;
  if (service.kind === "ServiceEntry") return byName ?? port.port;
  return entry.ports.get(port.targetPort) ?? null;
}
