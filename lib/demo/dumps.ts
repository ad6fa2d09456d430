// What the simulated proxies' admin endpoints answer (istio.md §6): Envoy's
// `/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets` (raw admin snake_case, private
// key redacted as Envoy does) and ztunnel's `/config_dump` certificates. test/pki.ts builds the dumps the
// core's loader is tested against with these too, so the demo serves exactly the shapes the loader knows.
// Certificates are read with @peculiar/x509, not the core's parser: the demo stands in for the proxies
// the core reads, so it must not lean on the core's reading.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { b64, rfc3339 } from "./objects";

const SECRETS_DUMP = "type.googleapis.com/envoy.admin.v3.SecretsConfigDump";
const BOOTSTRAP_DUMP = "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump";
const SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
/** `[redacted]`: Envoy puts it in place of private keys (proto bytes are base64 in JSON). */
export const REDACTED_B64 = "W3JlZGFjdGVkXQ==";

export interface EnvoyDumpInput {
  /** `sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local` (`router~…` for gateways); none: no bootstrap section. */
  nodeId?: string;
  /** The `default` secret's certificate chain, leaf first. */
  chainPem: string;
  /** The `ROOTCA` secret's validation context: `trustedCa(rootPem)`, or a custom validator (SPIRE's). */
  validation: object;
  /** When the SDS secrets were pushed (the leaf's notBefore, as istio-agent signs on push). */
  pushedAt: Date;
  /** Secrets Envoy asked for and has not received yet (`dynamic_warming_secrets`). */
  warming?: string[];
}

/** A validation context trusting `rootPem`. */
export const trustedCa = (rootPem: string) => ({ trusted_ca: { inline_bytes: b64(rootPem) } });

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
  const secrets: Record<string, unknown> = {
    "@type": SECRETS_DUMP,
    dynamic_active_secrets: [
      dynamic("default", {
        tls_certificate: {
          certificate_chain: { inline_bytes: b64(d.chainPem) },
          private_key: { inline_bytes: REDACTED_B64 },
        },
      }),
      dynamic("ROOTCA", { validation_context: d.validation }),
    ],
  };
  if (d.warming?.length)
    secrets.dynamic_warming_secrets = d.warming.map((name) => ({
      name,
      version_info: "uninitialized",
      last_updated: when,
      secret: { "@type": SECRET, name },
    }));
  const bootstrap = {
    "@type": BOOTSTRAP_DUMP,
    bootstrap: { node: { id: d.nodeId, cluster: "istio-proxy" } },
  };
  return { configs: d.nodeId ? [bootstrap, secrets] : [secrets] };
}

/** `pem` is base64 of the PEM as current ztunnel writes it; older ones write the PEM itself. */
export type ZtunnelPemEncoding = "base64" | "pem";

function ztunnelCert(pem: string, encoding: ZtunnelPemEncoding) {
  const c = new x509.X509Certificate(pem);
  return {
    pem: encoding === "base64" ? b64(pem) : pem,
    serialNumber: BigInt(`0x${c.serialNumber}`).toString(10),
    validFrom: rfc3339(c.notBefore),
    expirationTime: rfc3339(c.notAfter),
  };
}

export interface ZtunnelEntry {
  identity: string;
  /** "Available", or "Initializing" while ztunnel has no certificate for the identity yet. */
  state: string;
  /** One PEM certificate each, leaf first. */
  chain: string[];
  roots: string[];
}

/**
 * ztunnel's `/config_dump` (ztunnel admin.rs): `certificates[]` of `{identity, state, certChain[],
 * rootCerts[]}`, each certificate `{pem, serialNumber (decimal), validFrom, expirationTime}`.
 */
export function ztunnelDump(entries: ZtunnelEntry[], pemEncoding: ZtunnelPemEncoding = "base64"): object {
  return {
    certificates: entries.map((e) => ({
      identity: e.identity,
      state: e.state,
      certChain: e.chain.map((pem) => ztunnelCert(pem, pemEncoding)),
      rootCerts: e.roots.map((pem) => ztunnelCert(pem, pemEncoding)),
    })),
  };
}
