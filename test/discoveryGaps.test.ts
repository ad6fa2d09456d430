// discoverySelectors and revisions, the gaps left by "Discovery selectors and revisions: delegates,
// tag-labelled namespace policies, mesh.no-strict per revision, one reader" (docs/DECISIONS.md, "Discovery
// selectors and revisions: the edge's ignored namespace policy, ambient mesh.no-strict"). Every case
// beside its near miss.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { call, deploy, edgeOf, findingsOf, host, meshConfig, namespace, peerAuth, run, service } from "./kit";

type Labels = Record<string, string>;
const tagWebhook = (tag: string, rev: string): KubeObject => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: { name: `istio-revision-tag-${tag}`, labels: { "istio.io/rev": rev, "istio.io/tag": tag } },
});
const labelled = (o: KubeObject, labels: Labels): KubeObject => ({ ...o, metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), ...labels } } });

// ---------------------------------------------------------------------------------------------
// 1. The edge's server phrase names the policy its istiod ignores exactly where pa.permissive does
//    (resolve/peerAuthentication.ts ignoredPolicyFor): the namespace's own tag-labelled policy when the
//    mesh-wide policy or Istio's default decides, else at Istio's default the ignored mesh-wide one.

describe("the edge's server phrase names the namespace's tag-labelled policy, as pa.permissive does", () => {
  const SRV = host("srv", "b");
  const objs = (meshMode: string | null, nsPa: KubeObject | null, extra: KubeObject[] = []): KubeObject[] => [
    namespace("istio-system"),
    namespace("a", { "istio.io/rev": "prod-stable" }),
    namespace("b", { "istio.io/rev": "prod-stable" }),
    tagWebhook("prod-stable", "1-29"),
    meshConfig("{}\n", "istio-system", "istio-1-29"),
    deploy("a", "client"),
    deploy("b", "srv", { ports: [8080] }),
    service("b", "srv", [{ port: 80, targetPort: 8080 }]),
    ...(meshMode === null ? [] : [peerAuth("istio-system", "default", meshMode)]),
    ...(nsPa === null ? [] : [nsPa]),
    ...extra,
  ];
  const TAG = "no istiod reads namespace-wide PeerAuthentication b/default, whose istio.io/rev label names the revision tag prod-stable, not a revision: istiod compares the raw label (istio/istio#51582)";
  const tagged = (mode: string) => labelled(peerAuth("b", "default", mode), { "istio.io/rev": "prod-stable" });
  const reasonOf = (o: KubeObject[]) => edgeOf(run(o, [call("a/client", SRV, "mutual_tls", 5)]), "a/client", SRV)!.predicted.reason;
  const permissiveB = (o: KubeObject[]) => findingsOf(run(o), "pa.permissive").filter((f) => f.message.startsWith("Namespace b")).map((f) => f.message);

  it.each([
    { case: "a PERMISSIVE mesh policy decides: named inside its parentheses", meshMode: "PERMISSIVE", nsPa: tagged("STRICT"), says: `b/srv port 8080 is PERMISSIVE by PeerAuthentication istio-system/default (mesh; ${TAG}): ` },
    { case: "Istio's default decides (no mesh policy): named after it", meshMode: null, nsPa: tagged("STRICT"), says: `b/srv port 8080 is PERMISSIVE by Istio's default (${TAG}): ` },
    { case: "a STRICT mesh policy decides: the PERMISSIVE one it ignores is named too", meshMode: "STRICT", nsPa: tagged("PERMISSIVE"), says: `b/srv port 8080 is STRICT by PeerAuthentication istio-system/default (mesh; ${TAG}): ` },
    { case: "near miss: no policy of its own: the mesh policy alone", meshMode: "PERMISSIVE", nsPa: null, says: "b/srv port 8080 is PERMISSIVE by PeerAuthentication istio-system/default (mesh): " },
    { case: "near miss: labelled with the revision itself, read: it decides", meshMode: "PERMISSIVE", nsPa: labelled(peerAuth("b", "default", "STRICT"), { "istio.io/rev": "1-29" }), says: "b/srv port 8080 is STRICT by PeerAuthentication b/default (namespace): " },
    { case: "near miss: labelled with a revision no tag names: the mesh policy alone", meshMode: "PERMISSIVE", nsPa: labelled(peerAuth("b", "default", "STRICT"), { "istio.io/rev": "1-30" }), says: "b/srv port 8080 is PERMISSIVE by PeerAuthentication istio-system/default (mesh): " },
  ])("$case", ({ meshMode, nsPa, says }) => {
    expect(reasonOf(objs(meshMode, nsPa))).toContain(says);
  });

  it("near miss: a workload policy decides: nothing ignored is named", () => {
    const own = peerAuth("b", "srv-only", "PERMISSIVE", { selector: { app: "srv" } });
    expect(reasonOf(objs("STRICT", tagged("STRICT"), [own]))).toContain("b/srv port 8080 is PERMISSIVE by PeerAuthentication b/srv-only (workload): ");
  });

  it.each([
    { meshMode: "PERMISSIVE", nsPa: tagged("STRICT") },
    { meshMode: null, nsPa: tagged("STRICT") },
    { meshMode: "PERMISSIVE", nsPa: null },
  ])("the edge and pa.permissive name the same policy (mesh $meshMode)", ({ meshMode, nsPa }) => {
    const o = objs(meshMode, nsPa);
    const named = nsPa !== null;
    expect(reasonOf(o).includes(TAG)).toBe(named);
    expect(permissiveB(o).map((m) => m.includes(TAG))).toEqual([named]);
  });
});
