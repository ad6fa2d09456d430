// A Linkerd Server opened to unauthenticated clients from some networks only (an AuthorizationPolicy's
// NetworkAuthentication, a ServerAuthorization's client.networks) decides a caller by its pods'
// addresses when the inputs hold them (Pod status.podIPs / status.podIP): linkerd2-proxy admits a
// connection when one authorization's network holds the client's IP and none of its `except` does
// (docs/DECISIONS.md, "Linkerd: a caller's pod addresses decide a network-limited Server").
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import { call, deploy, host, namespace, predict, run, service } from "./kit";
import { L5D, l5dNs, l5dPolicy } from "./support/linkerdScenario";

const POLICY = "config.linkerd.io/default-inbound-policy";

/** A running pod of Deployment `ns/name` with these addresses in its status (none: no status). */
function pod(ns: string, name: string, suffix: string, ips: string[] | { podIP: string } | null, meshed = false): KubeObject {
  const status = ips === null ? {} : Array.isArray(ips) ? { status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } } : { status: ips };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `${name}-7d4b9c8f6-${suffix}`, namespace: ns, labels: { app: name, "pod-template-hash": "7d4b9c8f6" }, ownerReferences: [{ kind: "ReplicaSet", name: `${name}-7d4b9c8f6`, controller: true }] },
    spec: { serviceAccountName: name, containers: [{ name: "app", image: "example/app:1" }, ...(meshed ? [{ name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:edge" }] : [])] },
    ...status,
  };
}

const webServer = l5dPolicy("Server", "web-http", { podSelector: { matchLabels: { app: "web" } }, port: 8080, proxyProtocol: "HTTP/1" });
const byNetwork = (networks: unknown[]) => [
  l5dPolicy("NetworkAuthentication", "nets", { networks }),
  l5dPolicy("AuthorizationPolicy", "web-from-nets", {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: "web-http" },
    requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "nets" }],
  }),
];
const serverAuthz = (networks: unknown[]) => l5dPolicy("ServerAuthorization", "web-sa", { server: { name: "web-http" }, client: { unauthenticated: true, networks } }, "v1beta1");

/** web (8080 behind Service web:80) meshed under a deny default, its Server, an unmeshed caller legacy/client with `pods`. */
function mesh(policy: KubeObject[], pods: KubeObject[], extra: KubeObject[] = []): KubeObject[] {
  return [
    l5dNs({ [POLICY]: "deny" }),
    namespace("legacy"),
    deploy(L5D, "web", { ports: [8080] }),
    deploy("legacy", "client"),
    service(L5D, "web", [{ port: 80, targetPort: 8080, name: "http" }]),
    webServer,
    ...policy,
    ...pods,
    ...extra,
  ];
}
const verdict = (objs: KubeObject[]) => predict(objs, "legacy/client", host("web", L5D)).predicted;
const NETS = byNetwork([{ cidr: "192.0.2.0/24", except: ["192.0.2.128/25"] }, { cidr: "2001:db8::/64" }]);

describe("a network-limited Linkerd Server decides a caller whose pods' addresses are known", () => {
  it.each([
    ["one pod inside the network", [pod("legacy", "client", "a", ["192.0.2.10"])]],
    ["every pod inside it", [pod("legacy", "client", "a", ["192.0.2.10"]), pod("legacy", "client", "b", ["192.0.2.11"])]],
    ["status.podIP alone (no podIPs)", [pod("legacy", "client", "a", { podIP: "192.0.2.12" })]],
    ["dual-stack, both families inside", [pod("legacy", "client", "a", ["192.0.2.10", "2001:db8::a"])]],
  ] as [string, KubeObject[]][])("admitted: %s", (_what, pods) => {
    const p = verdict(mesh(NETS, pods));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain("Server emojivoto/web-http takes its port 8080 and admits the caller's pods (192.0.2.");
    expect(p.reason).toContain("AuthorizationPolicy emojivoto/web-from-nets requires NetworkAuthentication emojivoto/nets");
  });

  it("a ServerAuthorization's client.networks admits too", () => {
    expect(verdict(mesh([serverAuthz([{ cidr: "192.0.2.0/24" }])], [pod("legacy", "client", "a", ["192.0.2.10"])])).verdict).toBe("plaintext");
  });

  it.each([
    ["outside every network", [pod("legacy", "client", "a", ["10.1.2.3"])]],
    ["inside a network but in its except", [pod("legacy", "client", "a", ["192.0.2.200"])]],
    ["every pod outside", [pod("legacy", "client", "a", ["10.1.2.3"]), pod("legacy", "client", "b", ["192.0.2.129"])]],
  ] as [string, KubeObject[]][])("denied: %s is broken, plaintext-to-strict with the Linkerd fix", (_what, pods) => {
    const objs = mesh(NETS, pods);
    const p = verdict(objs);
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain("Server emojivoto/web-http takes its port 8080 and admits unauthenticated clients only from some networks (AuthorizationPolicy emojivoto/web-from-nets requires NetworkAuthentication emojivoto/nets, whose networks are 192.0.2.0/24 except 192.0.2.128/25, 2001:db8::/64), which leave out the caller's pods (");
    const s = run(objs, [call("legacy/client", host("web", L5D), "unknown", 10, { reporter: "destination" })]);
    const f = s.findings.filter((x) => x.code === "edge.plaintext-to-strict");
    expect(f).toHaveLength(1);
    expect(f[0]!.fix).toContain("add an AuthorizationPolicy for Server emojivoto/web-http whose NetworkAuthentication covers legacy/client");
  });

  it("denied, but a route in the namespace may be open: still unknown", () => {
    const route = l5dPolicy("AuthorizationPolicy", "probe", { targetRef: { group: "policy.linkerd.io", kind: "HTTPRoute", name: "probe" }, requiredAuthenticationRefs: [] });
    expect(verdict(mesh([...NETS, route], [pod("legacy", "client", "a", ["10.1.2.3"])])).verdict).toBe("unknown");
  });

  it.each([
    ["no pods among the inputs", []],
    ["a pod without an address (pending)", [pod("legacy", "client", "a", ["192.0.2.10"]), pod("legacy", "client", "b", null)]],
    ["pods that disagree", [pod("legacy", "client", "a", ["192.0.2.10"]), pod("legacy", "client", "b", ["10.1.2.3"])]],
    ["a dual-stack pod whose families disagree", [pod("legacy", "client", "a", ["192.0.2.10", "2001:db9::a"])]],
    ["an address that does not parse", [pod("legacy", "client", "a", ["192.0.2.999"])]],
  ] as [string, KubeObject[]][])("near miss, still unknown: %s", (_what, pods) => {
    expect(verdict(mesh(NETS, pods)).verdict).toBe("unknown");
  });

  it("near miss: a meshed Linkerd caller stays mtls whatever its address", () => {
    const objs = [...mesh(NETS, []), deploy(L5D, "caller"), pod(L5D, "caller", "a", ["10.1.2.3"], true)];
    expect(predict(objs, `${L5D}/caller`, host("web", L5D)).predicted.verdict).toBe("mtls");
  });

  it("near miss: a locked Server (no network opening) refuses the caller as before, its address unread", () => {
    const p = verdict(mesh([], [pod("legacy", "client", "a", ["192.0.2.10"])]));
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain("admits no unauthenticated client");
  });

  it("near miss: another caller without pods on the same Server stays unknown (the decision is per caller)", () => {
    const objs = [...mesh(NETS, [pod("legacy", "client", "a", ["192.0.2.10"])]), deploy("legacy", "other")];
    expect(verdict(objs).verdict).toBe("plaintext");
    expect(predict(objs, "legacy/other", host("web", L5D)).predicted.verdict).toBe("unknown");
  });
});

describe("the reason names the caller's addresses", () => {
  it("admitted: the addresses and the authorization that admits them", () => {
    expect(verdict(mesh(NETS, [pod("legacy", "client", "a", ["192.0.2.10"])])).reason).toContain(
      "emojivoto/web is meshed by Linkerd, and Server emojivoto/web-http takes its port 8080 and admits the caller's pods (192.0.2.10) as unauthenticated clients (AuthorizationPolicy emojivoto/web-from-nets requires NetworkAuthentication emojivoto/nets, whose networks are 192.0.2.0/24 except 192.0.2.128/25, 2001:db8::/64): the server accepts plaintext.",
    );
  });

  it("many pods: the first three addresses, and how many more", () => {
    const pods = ["a", "b", "c", "d", "e"].map((x, i) => pod("legacy", "client", x, [`10.1.2.${i + 1}`]));
    expect(verdict(mesh(NETS, pods)).reason).toContain("which leave out the caller's pods (10.1.2.1, 10.1.2.2, 10.1.2.3 and 2 more) (Linkerd denies what no authorization admits)");
  });
});
