// What the simulated proxies' admin endpoints answer (istio.md §6): Envoy's
// `/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets` (raw admin snake_case, private
// key redacted as Envoy does) and ztunnel's `/config_dump` certificates. The same shapes as
// test/pki.ts's configDump/ztunnelDump, which the core's loader is tested against.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { b64, rfc3339 } from "./objects";
import type { Issued } from "./pki";

const SECRETS_DUMP = "type.googleapis.com/envoy.admin.v3.SecretsConfigDump";
const BOOTSTRAP_DUMP = "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump";
const SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
/** `[redacted]`: Envoy puts it in place of private keys (proto bytes are base64 in JSON). */
const REDACTED_B64 = "W3JlZGFjdGVkXQ==";

export interface EnvoyDumpInput {
  /** `sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local` (`router~…` for gateways). */
  nodeId: string;
  leaf: Issued;
  intermediates: Issued[];
  rootPem: string;
  /** When the SDS secrets were pushed (the leaf's notBefore, as istio-agent signs on push). */
  pushedAt: Date;
}

/**
 * The bootstrap section is kept although a real mask would trim it to its type: it carries the node
 * id, which ties a saved dump to its pod even when the file is renamed.
 */
export function envoyDump(d: EnvoyDumpInput): object {
  const when = rfc3339(d.pushedAt);
  const dynamic = (name: string, secret: object) => ({
    name,
    version_info: `${when}/1`,
    last_updated: when,
    secret: { "@type": SECRET, name, ...secret },
  });
  return {
    configs: [
      { "@type": BOOTSTRAP_DUMP, bootstrap: { node: { id: d.nodeId, cluster: "istio-proxy" } } },
      {
        "@type": SECRETS_DUMP,
        dynamic_active_secrets: [
          dynamic("default", {
            tls_certificate: {
              certificate_chain: {
                inline_bytes: b64(d.leaf.pem + d.intermediates.map((i) => i.pem).join("")),
              },
              private_key: { inline_bytes: REDACTED_B64 },
            },
          }),
          dynamic("ROOTCA", { validation_context: { trusted_ca: { inline_bytes: b64(d.rootPem) } } }),
        ],
      },
    ],
  };
}

function ztunnelCert(c: Issued) {
  const serialHex = new x509.X509Certificate(c.pem).serialNumber;
  return {
    pem: b64(c.pem),
    serialNumber: BigInt(`0x${serialHex}`).toString(10),
    validFrom: rfc3339(c.notBefore),
    expirationTime: rfc3339(c.notAfter),
  };
}

export interface ZtunnelEntry {
  identity: string;
  chain: Issued[];
  roots: Issued[];
}

/** ztunnel's `/config_dump` (`certificates[]` of `{identity, state, certChain[], rootCerts[]}`). */
export function ztunnelDump(entries: ZtunnelEntry[]): object {
  return {
    certificates: entries.map((e) => ({
      identity: e.identity,
      state: "Available",
      certChain: e.chain.map(ztunnelCert),
      rootCerts: e.roots.map(ztunnelCert),
    })),
  };
}
