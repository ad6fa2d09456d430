// TLS Secrets that Kubernetes Gateway API Gateways and Ingresses serve: the certificate is presented
// to clients outside, who must verify it (docs/DECISIONS.md "Self-signed warnings need mTLS evidence",
// and its follow-up "… Gateway API and Ingress"). Istio's own Gateway credentialNames are read with
// the Gateway (istioObjects.ts); these kinds are otherwise not modelled (gatewayRoutesElsewhere).
import type { LoadedObject } from "./input";
import { arr, at, isObj, str } from "./read";

export interface ServedSecret {
  /** The Secret's namespace: the Gateway's or Ingress's own unless a certificateRef names another. */
  namespace: string;
  name: string;
  /** The Gateway validates client certificates (frontend validation): its side of an mTLS handshake. */
  mutual: boolean;
}

/**
 * Gateway API: every listener's `tls.certificateRefs` entry of group "" and kind Secret (the defaults)
 * when the listener terminates TLS (`mode` Terminate, the default; Passthrough serves none). Ingress:
 * every `spec.tls[].secretName`, whichever controller serves it. A ref to a Secret in another namespace
 * is served only when a ReferenceGrant there permits it (grants); without one the listener is
 * ResolvedRefs=False/RefNotPermitted and serves no certificate, so it is no evidence.
 */
export function readServedSecrets(objects: readonly LoadedObject[]): ServedSecret[] {
  const out: ServedSecret[] = [];
  const permits = grants(objects);
  for (const { object: o } of objects) {
    const ns = o.metadata.namespace ?? "default";
    const api = o.apiVersion ?? "";
    if (o.kind === "Ingress" && api.startsWith("networking.k8s.io/")) {
      for (const t of arr(at(o, "spec", "tls"))) {
        const name = str(at(t, "secretName"));
        if (name) out.push({ namespace: ns, name, mutual: false });
      }
    } else if (o.kind === "Gateway" && api.startsWith("gateway.networking.k8s.io/")) {
      for (const l of arr(at(o, "spec", "listeners"))) {
        const tls = at(l, "tls");
        if (!isObj(tls) || (str(tls.mode) ?? "Terminate") !== "Terminate") continue;
        const listenerMutual =
          validatesClients(o, at(l, "port")) ||
          arr(at(tls, "frontendValidation", "caCertificateRefs")).length > 0;
        for (const ref of arr(tls.certificateRefs)) {
          if (!isObj(ref) || (str(ref.group) ?? "") !== "" || (str(ref.kind) ?? "Secret") !== "Secret")
            continue;
          const name = str(ref.name);
          const secretNs = str(ref.namespace) ?? ns;
          if (name && (secretNs === ns || permits(secretNs, ns, name)))
            out.push({ namespace: secretNs, name, mutual: listenerMutual });
        }
      }
    }
  }
  return out;
}

/**
 * Gateway API v1.3+ `spec.tls.frontend` client certificate validation for the listener's port: the
 * `perPort` entry for that port when there is one (an entry without validation overrides the
 * default), else `default`. Another port's entry says nothing of this listener.
 */
function validatesClients(o: unknown, port: unknown): boolean {
  const frontend = at(o, "spec", "tls", "frontend");
  const entry = arr(at(frontend, "perPort")).find((p) => isObj(p) && p.port === port);
  const validation =
    entry !== undefined ? at(entry, "tls", "validation") : at(frontend, "default", "validation");
  return arr(at(validation, "caCertificateRefs")).length > 0;
}

/**
 * Whether a ReferenceGrant in the Secret's namespace lets Gateways of `from` use it: gateway-api's
 * ReferenceGrant, `spec.from[]` {group gateway.networking.k8s.io, kind Gateway, namespace} and
 * `spec.to[]` {group "", kind Secret, name absent or the Secret's}.
 */
function grants(objects: readonly LoadedObject[]): (secretNs: string, from: string, name: string) => boolean {
  const byNs = new Map<string, unknown[]>();
  for (const { object: o } of objects)
    if (o.kind === "ReferenceGrant" && (o.apiVersion ?? "").startsWith("gateway.networking.k8s.io/")) {
      const ns = o.metadata.namespace ?? "default";
      let list = byNs.get(ns);
      if (!list) byNs.set(ns, (list = []));
      list.push(o);
    }
  return (secretNs, from, name) =>
    (byNs.get(secretNs) ?? []).some(
      (g) =>
        arr(at(g, "spec", "from")).some(
          (f) =>
            isObj(f) &&
            str(f.group) === "gateway.networking.k8s.io" &&
            str(f.kind) === "Gateway" &&
            str(f.namespace) === from,
        ) &&
        arr(at(g, "spec", "to")).some(
          (t) =>
            isObj(t) &&
            (str(t.group) ?? "") === "" &&
            str(t.kind) === "Secret" &&
            (str(t.name) === undefined || str(t.name) === "" || str(t.name) === name),
        ),
    );
}
