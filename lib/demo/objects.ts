// Plain Kubernetes objects as the demo cluster stores them, plus the small helpers shared by the
// generators: deterministic names, uids and hashes (the same manifests give the same pod names on
// every start, so URLs and tests can name them).
import { createHash } from "node:crypto";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    resourceVersion?: string;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export { isObj, type Obj } from "../core/model/read";

const sha = (s: string) => createHash("sha256").update(s).digest();

/** Kubernetes' safe alphabet for generated name suffixes (no vowels, no confusable digits). */
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function suffix(seed: string, length: number): string {
  const h = sha(seed);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[h[i]! % ALPHABET.length];
  return out;
}

export function uidFor(kind: string, namespace: string | undefined, name: string): string {
  const h = sha(`${kind}/${namespace ?? ""}/${name}`).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A number in [0, mod) fixed by the seed. */
export function hashNumber(seed: string, mod: number): number {
  return sha(seed).readUInt32BE(0) % mod;
}

export const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
