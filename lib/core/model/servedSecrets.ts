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
 * every `spec.tls[].secretName`, whichever controller serves it. A cross-namespace ref is taken as
 * written (its ReferenceGrant is not checked): the Gateway means to serve it.
 */
export function readServedSecrets(objects: readonly LoadedObject[]): ServedSecret[] {
  const out: ServedSecret[] = [];
  for (const { object: o } of objects) {
    const ns = o.metadata.namespace ?? "default";
    const api = o.apiVersion ?? "";
    if (o.kind === "Ingress" && api.startsWith("networking.k8s.io/")) {
      for (const t of arr(at(o, "spec", "tls"))) {
        const name = str(at(t, "secretName"));
        if (name) out.push({ namespace: ns, name, mutual: false });
      }
    } else if (o.kind === "Gateway" && api.startsWith("gateway.networking.k8s.io/")) {
      const mutual = validatesClients(o);
      for (const l of arr(at(o, "spec", "listeners"))) {
        const tls = at(l, "tls");
        if (!isObj(tls) || (str(tls.mode) ?? "Terminate") !== "Terminate") continue;
        const listenerMutual = mutual || arr(at(tls, "frontendValidation", "caCertificateRefs")).length > 0;
        for (const ref of arr(tls.certificateRefs)) {
          if (!isObj(ref) || (str(ref.group) ?? "") !== "" || (str(ref.kind) ?? "Secret") !== "Secret")
            continue;
          const name = str(ref.name);
          if (name) out.push({ namespace: str(ref.namespace) ?? ns, name, mutual: listenerMutual });
        }
      }
    }
  }
  return out;
}

/** Gateway API v1.3+ `spec.tls.frontend` client certificate validation, by default or for some port. */
function validatesClients(o: unknown): boolean {
  const frontend = at(o, "spec", "tls", "frontend");
  if (arr(at(frontend, "default", "validation", "caCertificateRefs")).length > 0) return true;
  return arr(at(frontend, "perPort")).some(
    (p) => arr(at(p, "tls", "validation", "caCertificateRefs")).length > 0,
  );
}
