// Services and ServiceEntries as destinations: host, ports, and the workloads behind them.
import { inlineEndpoints } from "./entries";
import { readServiceEntrySpec } from "./entrySpecs";
import { NO_REVISIONS, type Revisions } from "./revisions";
import { FieldError, problemFor } from "./fieldError";
import type { InputProblem, LoadedObject } from "./input";
import type { Namespace, Service, ServicePort, Workload } from "./mesh";
import { arr, at, portNumber, str, strMap } from "./read";
import { workloadsMatching } from "./labelIndex";
import { sortFew } from "./sortFew";
import { attachLinkerdMirrors, isMirrored } from "./linkerdMirror";

export const CLUSTER_DOMAIN = "cluster.local";

export const serviceHost = (name: string, namespace: string) => `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;

/**
 * The ServiceEntry whose wildcard host covers `host`, the most specific one (longest suffix), or null.
 * Istio's `host.Name.SubsetOf` (pkg/config/host/name.go): "*.example.com" covers "api.example.com" and
 * "a.b.example.com" (a plain suffix test, any depth) but not "example.com"; the proxy then picks the
 * most specific of the matching virtual-host domains or SNI names, as Envoy matches the longest
 * suffix first. A bare "*" host is refused by ServiceEntry validation, so it is not indexed. Cut at
 * each dot from the left, so the first suffix found is the longest.
 */
export function wildcardServiceFor(bySuffix: ReadonlyMap<string, Service>, host: string): Service | null {
  if (bySuffix.size === 0) return null;
  for (let i = host.indexOf("."); i >= 0; i = host.indexOf(".", i + 1)) {
    const s = bySuffix.get(host.slice(i));
    if (s) return s;
  }
  return null;
}

/** Which workloads each service selects, as objects (the model indexes by them without building key strings). */
export type SelectedWorkloads = Map<Service, Workload[]>;

const NO_WORKLOADS: Workload[] = [];

/**
 * Which WorkloadEntries a selector picks besides pods: none (a headless or ExternalName Service: the
 * Kubernetes registry adds them only to ClientSideLB services, collectWorkloadInstanceEndpoints), the
 * IP-addressed ones (a ClusterIP Service, a ServiceEntry not resolved by DNS), or all (a DNS
 * ServiceEntry, the only kind that takes hostname and unix addresses: DNSServiceEntryOnly).
 */
type EntriesSelected = "none" | "ip" | "all";

function workloadsSelected(
  selector: Record<string, string> | null,
  namespace: string,
  byNs: Map<string, Workload[]>,
  entries: EntriesSelected,
): Workload[] {
  if (!selector || Object.keys(selector).length === 0) return NO_WORKLOADS;
  return workloadsMatching(byNs.get(namespace) ?? NO_WORKLOADS, selector).filter(
    (w) => w.entry === null || entries === "all" || (entries === "ip" && !w.entry.dnsOnly),
  );
}

/** "namespace/name" keys, sorted; the model's per-namespace lists are already in that order, so the sort is usually skipped. */
function keysOf(ws: Workload[]): string[] {
  const keys = ws.map((w) => `${w.namespace}/${w.name}`);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort();
  return keys;
}

/** Ports by number. */
const byPort = (ports: ServicePort[]): ServicePort[] => sortFew(ports, (a, b) => a.port > b.port);

function exportToAnnotation(v: string | undefined): string[] {
  return v
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function kubeService(
  o: LoadedObject,
  byNs: Map<string, Workload[]>,
  problems: InputProblem[],
  selected: SelectedWorkloads,
): Service | null {
  const namespace = o.object.metadata.namespace ?? "default";
  const name = o.object.metadata.name;
  const spec = at(o.object, "spec");
  const ports: ServicePort[] = [];
  arr(at(spec, "ports")).forEach((p, i) => {
    const port = portNumber(at(p, "port"));
    if (port === undefined) {
      problems.push({
        file: o.at.file,
        line: o.at.line,
        object: { kind: "Service", namespace, name },
        field: `spec.ports[${i}].port`,
        message: `Service ${namespace}/${name}: spec.ports[${i}].port is not a port number`,
      });
      return;
    }
    const tp = at(p, "targetPort");
    const targetPort = portNumber(tp) ?? (typeof tp === "string" && tp !== "" ? tp : port);
    const sp: ServicePort = { port, targetPort, protocol: str(at(p, "protocol")) ?? "TCP" };
    const pname = str(at(p, "name"));
    if (pname) sp.name = pname;
    const app = str(at(p, "appProtocol"));
    if (app) sp.appProtocol = app;
    ports.push(sp);
  });
  const selectorRaw = at(spec, "selector");
  const selector = selectorRaw === undefined || selectorRaw === null ? null : strMap(selectorRaw);
  const headless = str(at(spec, "clusterIP")) === "None";
  const external = str(at(spec, "type")) === "ExternalName";
  const ws = workloadsSelected(selector, namespace, byNs, headless || external ? "none" : "ip");
  const service: Service = {
    namespace,
    name,
    host: serviceHost(name, namespace),
    headless,
    external,
    ports: byPort(ports),
    selector,
    workloads: keysOf(ws),
    kind: "Service",
    exportTo: exportToAnnotation(o.object.metadata.annotations?.["networking.istio.io/exportTo"]),
    passthrough: str(at(spec, "clusterIP")) === "None",
  };
  selected.set(service, ws);
  return service;
}

/**
 * A ServiceEntry as one service per host. Its spec is checked first (`readServiceEntrySpec` throws a
 * FieldError for what Istio's admission refuses), so a refused ServiceEntry adds nothing.
 */
function serviceEntries(
  o: LoadedObject,
  byNs: Map<string, Workload[]>,
  namespaces: Map<string, Namespace>,
  selected: SelectedWorkloads,
  inline: Workload[],
  revisions: Revisions,
): Service[] {
  const namespace = o.object.metadata.namespace ?? "default";
  const se = readServiceEntrySpec(o.object.spec);
  const { selector, exportTo, resolution } = se;
  const ws = workloadsSelected(
    selector,
    namespace,
    byNs,
    resolution === "DNS" || resolution === "DNS_ROUND_ROBIN" ? "all" : "ip",
  );
  // Inline endpoints are endpoints of every host, but no snapshot workloads: `workloads` lists the selected ones only.
  const own = inlineEndpoints(o, namespace, namespaces.get(namespace), se.endpoints, revisions);
  for (const ep of own) inline.push(ep);
  const endpoints = own.length > 0 ? [...ws, ...own] : ws;
  return se.hosts.map((host) => {
    const service: Service = {
      namespace,
      name: o.object.metadata.name,
      host,
      headless: false,
      external: se.external,
      // Each host gets its own port objects: edges and endpoint caches are keyed by port object.
      ports: byPort(se.ports.map((p) => ({ ...p }))),
      selector,
      workloads: keysOf(ws),
      kind: "ServiceEntry" as const,
      exportTo,
      // An absent resolution is NONE, the enum's zero value (and ValidateServiceEntry's reading): an ORIGINAL_DST cluster.
      passthrough: (resolution ?? "NONE") === "NONE",
      ...(se.sniffedPorts.length > 0 ? { sniffedPorts: se.sniffedPorts } : {}),
    };
    selected.set(service, endpoints);
    return service;
  });
}

/**
 * Services and ServiceEntries, with the workloads each selects in `selected`; ServiceEntries' inline
 * endpoints are appended to `inline` (see `MeshModel.serviceEntryEndpoints`).
 */
export function buildServices(
  objects: LoadedObject[],
  byNs: Map<string, Workload[]>,
  namespaces: Map<string, Namespace>,
  problems: InputProblem[],
  selected: SelectedWorkloads,
  inline: Workload[],
  revisions: Revisions = NO_REVISIONS,
): Service[] {
  const out: Service[] = [];
  const mirrored: [Service, LoadedObject][] = [];
  const mirrorEndpoints: LoadedObject[] = [];
  for (const o of objects) {
    if (o.object.kind === "Service") {
      const s = kubeService(o, byNs, problems, selected);
      if (s) out.push(s);
      if (s && isMirrored(o)) mirrored.push([s, o]);
    } else if (o.object.kind === "Endpoints") {
      if (isMirrored(o)) mirrorEndpoints.push(o);
    } else if (o.object.kind === "ServiceEntry" && o.object.apiVersion?.startsWith("networking.istio.io/")) {
      try {
        out.push(...serviceEntries(o, byNs, namespaces, selected, inline, revisions));
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        problems.push(problemFor(o, e));
      }
    }
  }
  attachLinkerdMirrors(mirrored, mirrorEndpoints);
  return out;
}

/**
 * Services by host (a Kubernetes Service wins over a ServiceEntry for the same host, as in Istio's registry
 * merge) and wildcard ServiceEntries by suffix ("*.example.com" under ".example.com"); services of the
 * `hidden` namespaces left out (an istiod's discoverySelectors, discovery.ts).
 */
export function indexServices(
  services: readonly Service[],
  hidden?: ReadonlySet<string>,
): { serviceByHost: Map<string, Service>; wildcardServiceBySuffix: Map<string, Service> } {
  const serviceByHost = new Map<string, Service>();
  for (const s of services) {
    if (hidden?.has(s.namespace)) continue;
    const prev = serviceByHost.get(s.host);
    if (!prev || (prev.kind === "ServiceEntry" && s.kind === "Service")) serviceByHost.set(s.host, s);
  }
  const wildcardServiceBySuffix = new Map<string, Service>();
  for (const [h, s] of serviceByHost) if (h.startsWith("*.")) wildcardServiceBySuffix.set(h.slice(1), s);
  return { serviceByHost, wildcardServiceBySuffix };
}
