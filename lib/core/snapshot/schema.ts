// The external snapshot contract (shared/spec/contract.md §1) as a zod schema. The TypeScript types
// of the snapshot are inferred from it, so the schema and the code cannot drift apart; tests validate
// every snapshot they produce against it.
import { z } from "zod";

export const RefSchema = z
  .object({ kind: z.string(), namespace: z.string().optional(), name: z.string() })
  .strict();
export type Ref = z.infer<typeof RefSchema>;

export const ModeSchema = z.enum(["STRICT", "PERMISSIVE", "DISABLE", "NONE"]);
export type Mode = z.infer<typeof ModeSchema>;

export const OriginSchema = z.enum([
  "workload-port",
  "workload",
  "namespace",
  "mesh",
  "default",
  "no-proxy",
  "linkerd-policy",
]);
export type Origin = z.infer<typeof OriginSchema>;

const time = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "RFC 3339 UTC time");

export const WorkloadDataplaneSchema = z.enum(["sidecar", "ambient", "linkerd", "none"]);
export type WorkloadDataplane = z.infer<typeof WorkloadDataplaneSchema>;

export const ClientTlsSchema = z.enum([
  "ISTIO_MUTUAL",
  "MUTUAL",
  "SIMPLE",
  "DISABLE",
  "HBONE",
  "LINKERD",
  "NONE",
]);
export type ClientTls = z.infer<typeof ClientTlsSchema>;
export const ClientOriginSchema = z.enum(["destinationrule", "auto", "no-proxy", "mesh-external", "linkerd"]);
export type ClientOrigin = z.infer<typeof ClientOriginSchema>;
export const VerdictSchema = z.enum(["mtls", "plaintext", "tls", "broken", "unknown"]);
export type Verdict = z.infer<typeof VerdictSchema>;
export const EdgeStatusSchema = z.enum(["mtls", "plaintext", "broken", "mismatch", "unknown"]);
export type EdgeStatus = z.infer<typeof EdgeStatusSchema>;
export const SeveritySchema = z.enum(["error", "warning", "info"]);
export type Severity = z.infer<typeof SeveritySchema>;

export const PolicyDecisionSchema = z
  .object({ mode: ModeSchema, policy: RefSchema.nullable(), origin: OriginSchema })
  .strict();
export type PolicyDecision = z.infer<typeof PolicyDecisionSchema>;

export const NamespaceSchema = z
  .object({
    name: z.string(),
    dataplane: z.enum(["sidecar", "ambient", "linkerd", "none", "mixed"]),
    mtls: z
      .object({
        mode: ModeSchema,
        policy: RefSchema.nullable(),
        inheritedFrom: z.enum(["mesh", "default"]).nullable(),
      })
      .strict(),
  })
  .strict();
export type SnapshotNamespace = z.infer<typeof NamespaceSchema>;

export const WorkloadSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    kind: z.string(),
    serviceAccount: z.string(),
    labels: z.record(z.string(), z.string()),
    pods: z.number().int().nonnegative(),
    dataplane: WorkloadDataplaneSchema,
    identity: z.string().nullable(),
    mtls: PolicyDecisionSchema,
    ports: z.array(PolicyDecisionSchema.extend({ port: z.number().int() }).strict()),
  })
  .strict();
export type SnapshotWorkload = z.infer<typeof WorkloadSchema>;

export const ServiceSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    host: z.string(),
    headless: z.boolean(),
    external: z.boolean(),
    ports: z.array(
      z
        .object({
          port: z.number().int(),
          targetPort: z.union([z.number().int(), z.string()]),
          name: z.string().optional(),
          protocol: z.string(),
          appProtocol: z.string().optional(),
        })
        .strict(),
    ),
    workloads: z.array(z.string()),
  })
  .strict();
export type SnapshotService = z.infer<typeof ServiceSchema>;

export const ObservedSchema = z
  .object({
    mtls: z.number().nonnegative(),
    plaintext: z.number().nonnegative(),
    unknown: z.number().nonnegative(),
    window: z.string().optional(),
    portAmbiguous: z.literal(true).optional(),
  })
  .strict();
export type Observed = z.infer<typeof ObservedSchema>;

export const PredictedSchema = z
  .object({
    client: z
      .object({ tls: ClientTlsSchema, origin: ClientOriginSchema, destinationRule: RefSchema.nullable() })
      .strict(),
    server: z.object({ mode: ModeSchema, origin: OriginSchema, policy: RefSchema.nullable() }).strict(),
    verdict: VerdictSchema,
    reason: z.string().min(1),
  })
  .strict();
export type Predicted = z.infer<typeof PredictedSchema>;

export const EdgeSchema = z
  .object({
    id: z.string(),
    source: z.object({ namespace: z.string().nullable(), workload: z.string().nullable() }).strict(),
    destination: z
      .object({
        namespace: z.string(),
        service: z.string(),
        host: z.string(),
        port: z.number().int(),
        workloads: z.array(z.string()),
      })
      .strict(),
    predicted: PredictedSchema,
    observed: ObservedSchema.nullable(),
    status: EdgeStatusSchema,
  })
  .strict();
export type Edge = z.infer<typeof EdgeSchema>;

const CertSourceSchema = z
  .object({
    kind: z.enum(["proxy", "ztunnel", "ConfigMap", "Secret", "Certificate", "file"]),
    namespace: z.string().optional(),
    name: z.string().optional(),
    key: z.string().optional(),
    pod: z.string().optional(),
  })
  .strict();

export const CertificateSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{64}$/),
    role: z.enum(["root", "intermediate", "workload", "leaf", "trust-anchor", "issuer"]),
    source: CertSourceSchema,
    sources: z.array(CertSourceSchema),
    subject: z.string(),
    issuer: z.string(),
    serialNumber: z.string(),
    spiffeId: z.string().nullable(),
    dnsNames: z.array(z.string()),
    uris: z.array(z.string()),
    notBefore: time,
    notAfter: time,
    lifetimeSeconds: z.number(),
    renewalTime: time.nullable(),
    keyAlgorithm: z.string(),
    signatureAlgorithm: z.string(),
    isCA: z.boolean(),
    chain: z.object({ verified: z.boolean(), error: z.string().optional() }).strict(),
    owner: z
      .object({ namespace: z.string(), workload: z.string().optional(), pod: z.string().optional() })
      .strict()
      .nullable(),
  })
  .strict();
export type Certificate = z.infer<typeof CertificateSchema>;

export const FindingSchema = z
  .object({
    code: z.string().regex(/^[a-z]+\.[a-z0-9-]+$/),
    severity: SeveritySchema,
    title: z.string().min(1),
    message: z.string().min(1),
    resources: z.array(RefSchema),
    edge: z.string().optional(),
    certificate: z.string().optional(),
    fix: z.string().optional(),
  })
  .strict();
export type Finding = z.infer<typeof FindingSchema>;

export const CompletenessSchema = z
  .object({
    kind: z.string(),
    namespace: z.string().optional(),
    reason: z.enum(["forbidden", "not-found", "timeout", "error", "invalid"]),
    message: z.string(),
  })
  .strict();
export type Completeness = z.infer<typeof CompletenessSchema>;

export const SourceSchema = z
  .object({
    type: z.enum(["kubeconfig", "in-cluster", "demo", "manifests"]),
    context: z.string().optional(),
    paths: z.array(z.string()).optional(),
  })
  .strict();
export type SnapshotSource = z.infer<typeof SourceSchema>;

export const MeshSnapshotSchema = z
  .object({
    schemaVersion: z.literal(1),
    generatedAt: time,
    now: time,
    source: SourceSchema,
    mesh: z
      .object({
        rootNamespace: z.string(),
        trustDomain: z.string(),
        autoMtls: z.boolean(),
        dataplanes: z.array(z.enum(["istio-sidecar", "istio-ambient", "linkerd"])),
      })
      .strict(),
    completeness: z.array(CompletenessSchema),
    namespaces: z.array(NamespaceSchema),
    workloads: z.array(WorkloadSchema),
    services: z.array(ServiceSchema),
    edges: z.array(EdgeSchema),
    certificates: z.array(CertificateSchema),
    findings: z.array(FindingSchema),
  })
  .strict();
export type MeshSnapshot = z.infer<typeof MeshSnapshotSchema>;
