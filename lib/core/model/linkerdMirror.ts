// Linkerd multicluster mirrored services (other-meshes.md §1.10). The service mirror of a Link writes
// `<svc>-<link>` Services labelled mirror.linkerd.io/mirrored-service=true (linkerd/linkerd2
// multicluster/service-mirror/cluster_watcher.go, getMirrorServiceLabels). In gateway mode it also
// writes their Endpoints, pointing at the remote gateway and annotated
// mirror.linkerd.io/remote-gateway-identity (the Link's gateway identity), which the destination
// controller gives the client as the endpoint's TLS identity (controller/api/destination/watcher/
// endpoints_watcher.go, the `TargetRef == nil` branch). In pod-to-pod mode the Service carries the
// labels multicluster.linkerd.io/remote-discovery=<link> and remote-service=<svc>, and the destination
// controller resolves the remote cluster's pods with their identities (server.go Get; without
// remote-service it answers FailedPrecondition).
import type { LoadedObject } from "./input";
import type { LinkerdMirror, Service } from "./mesh";

const MIRRORED = "mirror.linkerd.io/mirrored-service";
const CLUSTER = "mirror.linkerd.io/cluster-name";
const REMOTE_DISCOVERY = "multicluster.linkerd.io/remote-discovery";
const REMOTE_SERVICE = "multicluster.linkerd.io/remote-service";
const LOCAL_DISCOVERY = "multicluster.linkerd.io/local-discovery";
export const GATEWAY_IDENTITY = "mirror.linkerd.io/remote-gateway-identity";

/** The mirror a Service (labelled as one: `isMirrored`) stands for, or null when it is not one. */
function mirrorOf(s: Service, o: LoadedObject, gatewayIdentity: string | null): LinkerdMirror | null {
  const labels = o.object.metadata.labels ?? {};
  // The service mirror writes selector-less Services; one with a selector routes to local pods, whatever
  // its labels say (reviews/fp3rev.md #6).
  if (s.selector && Object.keys(s.selector).length > 0) return null;
  // A federated service (`<svc>-federated`) lists its links in annotations: the destination controller
  // resolves it to the pods of every linked cluster that exports it, and of this one (reviews/fp3rev.md #5).
  const annotations = o.object.metadata.annotations;
  if (annotations?.[REMOTE_DISCOVERY] !== undefined || annotations?.[LOCAL_DISCOVERY] !== undefined)
    return { cluster: null, mode: "federated", gatewayIdentity: null, remoteService: null };
  const remote = labels[REMOTE_DISCOVERY];
  const cluster = remote ?? labels[CLUSTER] ?? null;
  if (remote !== undefined)
    return {
      cluster,
      mode: "remote-discovery",
      gatewayIdentity: null,
      remoteService: labels[REMOTE_SERVICE] ?? null,
    };
  return { cluster, mode: "gateway", gatewayIdentity, remoteService: null };
}

/**
 * Sets `linkerdMirror` on the `mirrored` Services (each with its object), with the gateway identity
 * from the Endpoints of the same name (`endpoints`: the mirrored Endpoints objects).
 */
export function attachLinkerdMirrors(
  mirrored: readonly [Service, LoadedObject][],
  endpoints: readonly LoadedObject[],
): void {
  if (mirrored.length === 0) return;
  const identity = new Map<string, string>();
  for (const e of endpoints) {
    const id = e.object.metadata.annotations?.[GATEWAY_IDENTITY];
    if (id) identity.set(`${e.object.metadata.namespace ?? "default"}/${e.object.metadata.name}`, id);
  }
  for (const [s, o] of mirrored) {
    const m = mirrorOf(s, o, identity.get(`${s.namespace}/${s.name}`) ?? null);
    if (m) s.linkerdMirror = m;
  }
}

/** Whether an object is labelled as written by Linkerd's service mirror. */
export const isMirrored = (o: LoadedObject): boolean => o.object.metadata.labels?.[MIRRORED] === "true";
