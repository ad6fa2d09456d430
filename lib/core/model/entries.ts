// WorkloadEntries and ServiceEntries' inline `spec.endpoints` (VMs and other instances outside
// Kubernetes) as workloads. istiod makes service endpoints of both (pilot/pkg/serviceregistry/
// serviceentry): a WorkloadEntry when a ServiceEntry's workloadSelector or a Kubernetes Service's
// selector of its namespace picks it, an inline endpoint for its own ServiceEntry. What decides auto
// mTLS is their tlsMode (getTLSModeFromWorkloadEntry, conversion.go; istio.md §3.3).
import { readEntryFields, type EntryFields } from "./entrySpecs";
import { FieldError, problemFor } from "./fieldError";
import type { InputProblem, LoadedObject, SourceLocation } from "./input";
import { NO_REVISIONS, resolveRevision, type Revisions } from "./revisions";
import type { EntryEndpoint, Labels, Namespace, Service, ServicePort, Workload } from "./mesh";
import { at, strMap } from "./read";
import { sortFew } from "./sortFew";
import { supportsHttpTunnel } from "./workloads";

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
 * PeerAuthentications selecting these labels), else none. A tunnel label (`hboneTunnel`) does not
 * make it a sidecar: istiod reads it only on the client side, to send HBONE, and says nothing of what
 * the VM's proxy enforces (predictEdge's `takesHbone`). Same field order as `buildWorkload` (one
 * hidden class for every workload).
 */
function entryWorkload(
  kind: string,
  name: string,
  namespace: string,
  fields: EntryFields,
  labels: Labels,
  ns: Namespace | undefined,
  inline: boolean,
  at_: SourceLocation,
  revisions: Revisions = NO_REVISIONS,
): Workload {
  const serviceAccount = fields.serviceAccount;
  const tlsModeLabel = entryTlsMode(labels, serviceAccount);
  // The endpoint's labels are the entry's (a WorkloadEntry's spec.labels merged with its metadata
  // labels, an inline endpoint's own), and the endpoint builder reads the tunnel from them as from a
  // pod's: `IstioEndpoint.SupportsTunnel` → `model.SupportsTunnel(ep.Labels, TunnelHTTP)`
  // (convertEndpoint, convertWorkloadEntryToWorkloadInstance, serviceentry/conversion.go;
  // supportTunnel, endpoint_builder.go).
  const hboneTunnel = supportsHttpTunnel(labels["networking.istio.io/tunnel"]);
  const containerPorts: Workload["containerPorts"] = [];
  for (const [portName, port] of fields.ports) containerPorts.push({ port, name: portName });
  const entry: EntryEndpoint = {
    address: fields.address,
    ports: fields.ports,
    dnsOnly: fields.dnsOnly,
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
    hostNetwork: false,
    excludedInboundPorts: [],
    linkerdSkipInboundPorts: [],
    hboneTunnel,
    // The VM proxy's own ProxyConfig (ISTIO_META_ENABLE_HBONE) is not among the inputs.
    enableHbone: null,
    metadataCerts: "none",
    gateway: false,
    waypoint: false,
    revision: resolveRevision(revisions, labels["istio.io/rev"] ?? ns?.labels["istio.io/rev"]),
    fromLivePods: false,
    entry,
    at: at_,
    index: -1, // set by buildModel
  };
}

/**
 * Every WorkloadEntry as a workload of kind "WorkloadEntry", appended to `out`. Its labels are
 * spec.labels merged with the object's own labels, which win (ConvertWorkloadEntry: "precedence to
 * the metadata"); they decide both which services select it and which PeerAuthentications apply. One
 * Istio's admission would refuse (`readEntryFields`) is a problem in `problems` and no workload.
 */
export function appendWorkloadEntries(
  objects: LoadedObject[],
  namespaces: Map<string, Namespace>,
  out: Workload[],
  problems: InputProblem[],
  revisions: Revisions = NO_REVISIONS,
): void {
  for (const o of objects) {
    if (o.object.kind !== "WorkloadEntry" || !(o.object.apiVersion ?? "").startsWith("networking.istio.io/"))
      continue;
    let fields: EntryFields;
    try {
      fields = readEntryFields(at(o.object, "spec"), "spec", "workloadEntry", null);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      problems.push(problemFor(o, e));
      continue;
    }
    const namespace = o.object.metadata.namespace ?? "default";
    const labels = { ...fields.labels, ...strMap(o.object.metadata.labels) };
    out.push(
      entryWorkload(
        "WorkloadEntry",
        o.object.metadata.name,
        namespace,
        fields,
        labels,
        namespaces.get(namespace),
        false,
        o.at,
        revisions,
      ),
    );
  }
}

/**
 * A ServiceEntry's inline `spec.endpoints` (read and checked by `readServiceEntrySpec`), as
 * endpoint-only workloads named after the ServiceEntry. istiod converts them as it converts a
 * WorkloadEntry (convertEndpoint): same tlsMode, same port choice.
 */
export function inlineEndpoints(
  o: LoadedObject,
  namespace: string,
  ns: Namespace | undefined,
  endpoints: EntryFields[],
  revisions: Revisions = NO_REVISIONS,
): Workload[] {
  const out: Workload[] = [];
  for (const ep of endpoints)
    out.push(
      entryWorkload(
        "ServiceEntry",
        o.object.metadata.name,
        namespace,
        ep,
        ep.labels,
        ns,
        true,
        o.at,
        revisions,
      ),
    );
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
