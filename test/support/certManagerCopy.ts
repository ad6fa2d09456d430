// A cert-manager Certificate linked by its spec to a certificate found by another route (a copy of its
// Secret), as test/certManagerSubjectLinks.test.ts and test/meshesReview3.test.ts build it.
import { expect } from "vitest";
import type { KubeObject } from "../../lib/core/model/input";
import { analyze } from "../../lib/core/snapshot/analyze";
import { MeshSnapshotSchema, type MeshSnapshot } from "../../lib/core/snapshot/schema";
import { loaded, namespace } from "../kit";
import { makeCustomCa, makeCustomLeaf } from "../pki";
import { internalErrors } from "./mutation";

export const NOW = new Date("2026-11-30T12:00:00Z");
/** The leaf's validity, which the Certificate's status repeats. */
export const NB = new Date("2026-11-01T00:00:00Z");
export const NA = new Date("2026-12-10T00:00:00Z");
export const b64 = (x: string) => Buffer.from(x).toString("base64");
export const READY = {
  type: "Ready",
  status: "True",
  reason: "Ready",
  message: "Certificate is up to date and has not expired",
};

/** The analysis at NOW, its snapshot checked against the contract's schema and free of internal errors. */
export function analyse(objects: KubeObject[]): MeshSnapshot {
  const snap = MeshSnapshotSchema.parse(
    analyze(
      { objects: loaded(objects), configDumps: [], problems: [] },
      { now: NOW, source: { type: "manifests" } },
    ),
  );
  expect(internalErrors(snap)).toEqual([]);
  return snap;
}

/**
 * A leaf (`subject`, SANs `leaf`) valid NB..NA, held in a copy of its Secret (app/api-copy); Certificate
 * app/api asks for `spec` (besides secretName and issuerRef) and carries `status`.
 */
export async function copiedLeaf(
  subject: string,
  leaf: Parameters<typeof makeCustomLeaf>[4],
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
): Promise<MeshSnapshot> {
  const ca = await makeCustomCa(
    "CN=corp-ca",
    new Date("2026-01-01T00:00:00Z"),
    new Date("2030-01-01T00:00:00Z"),
    null,
  );
  const cert = await makeCustomLeaf(subject, NB, NA, ca, leaf);
  return analyse([
    namespace("app"),
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { namespace: "app", name: "api-copy" },
      data: { "tls.crt": b64(cert.pem), "ca.crt": b64(ca.pem), "tls.key": b64("redacted") },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { namespace: "app", name: "api" },
      spec: { secretName: "api", issuerRef: { name: "corp", kind: "ClusterIssuer" }, ...spec },
      status,
    },
  ]);
}
