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

/** A pod of Deployment `ns/name` with these addresses in its status (none: no status); `phase`, when given, and hostNetwork as told. */
function pod(
  ns: string,
  name: string,
  suffix: string,
  ips: string[] | { podIP: string } | null,
  meshed = false,
  o: { phase?: string; hostNetwork?: boolean } = {},
): KubeObject {
  const phase = o.phase ? { phase: o.phase } : {};
  const status =
    ips === null
      ? o.phase
        ? { status: phase }
        : {}
      : Array.isArray(ips)
        ? { status: { ...phase, podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } }
        : { status: { ...phase, ...ips } };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${name}-7d4b9c8f6-${suffix}`,
      namespace: ns,
      labels: { app: name, "pod-template-hash": "7d4b9c8f6" },
      ownerReferences: [{ kind: "ReplicaSet", name: `${name}-7d4b9c8f6`, controller: true }],
    },
    spec: {
      serviceAccountName: name,
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
      containers: [
        { name: "app", image: "example/app:1" },
        ...(meshed ? [{ name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:edge" }] : []),
      ],
    },
    ...status,
  };
}

const webServer = l5dPolicy("Server", "web-http", {
  podSelector: { matchLabels: { app: "web" } },
  port: 8080,
  proxyProtocol: "HTTP/1",
});
const byNetwork = (networks: unknown[]) => [
  l5dPolicy("NetworkAuthentication", "nets", { networks }),
  l5dPolicy("AuthorizationPolicy", "web-from-nets", {
    targetRef: { group: "policy.linkerd.io", kind: "Server", name: "web-http" },
    requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "nets" }],
  }),
];
const serverAuthz = (networks: unknown[]) =>
  l5dPolicy(
    "ServerAuthorization",
    "web-sa",
    { server: { name: "web-http" }, client: { unauthenticated: true, networks } },
    "v1beta1",
  );

/**
 * What linkerd-init lets past web's proxy must be known for a caller-address decision (linkerdInit.ts):
 * the namespace says no subnet and no extra inbound port, as the injector renders for these empty
 * annotations (no --subnets-to-ignore; --inbound-ports-to-ignore 4190,4191 only).
 */
const NO_SKIPS = { "config.linkerd.io/skip-subnets": "", "config.linkerd.io/skip-inbound-ports": "" };

/** web (8080 behind Service web:80) meshed under a deny default, its Server, an unmeshed caller legacy/client with `pods`. */
function mesh(policy: KubeObject[], pods: KubeObject[], extra: KubeObject[] = []): KubeObject[] {
  return [
    l5dNs({ [POLICY]: "deny", ...NO_SKIPS }),
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
/** linkerd-config in namespace `ns` with these values. */
const l5dConfig = (values: string, ns = "linkerd"): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "linkerd-config", namespace: ns },
  data: { values },
});
/** linkerd-config saying Linkerd intercepts IPv6 (disableIPv6: false, 2.16+). */
const IPV6_ON = l5dConfig("disableIPv6: false\n");
const verdict = (objs: KubeObject[]) => predict(objs, "legacy/client", host("web", L5D)).predicted;
const NETS = byNetwork([{ cidr: "192.0.2.0/24", except: ["192.0.2.128/25"] }, { cidr: "2001:db8::/64" }]);

describe("a network-limited Linkerd Server decides a caller whose pods' addresses are known", () => {
  it.each([
    ["one pod inside the network", [pod("legacy", "client", "a", ["192.0.2.10"])]],
    [
      "every pod inside it",
      [pod("legacy", "client", "a", ["192.0.2.10"]), pod("legacy", "client", "b", ["192.0.2.11"])],
    ],
    ["status.podIP alone (no podIPs)", [pod("legacy", "client", "a", { podIP: "192.0.2.12" })]],
    ["dual-stack, both families inside", [pod("legacy", "client", "a", ["192.0.2.10", "2001:db8::a"])]],
  ] as [string, KubeObject[]][])("admitted: %s", (_what, pods) => {
    const p = verdict(mesh(NETS, pods));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain(
      "Server emojivoto/web-http takes its port 8080 and admits the caller's pods (192.0.2.",
    );
    expect(p.reason).toContain(
      "AuthorizationPolicy emojivoto/web-from-nets requires NetworkAuthentication emojivoto/nets",
    );
  });

  it("a ServerAuthorization's client.networks admits too", () => {
    expect(
      verdict(mesh([serverAuthz([{ cidr: "192.0.2.0/24" }])], [pod("legacy", "client", "a", ["192.0.2.10"])]))
        .verdict,
    ).toBe("plaintext");
  });

  it.each([
    ["outside every network", [pod("legacy", "client", "a", ["10.1.2.3"])]],
    ["inside a network but in its except", [pod("legacy", "client", "a", ["192.0.2.200"])]],
    [
      "every pod outside",
      [pod("legacy", "client", "a", ["10.1.2.3"]), pod("legacy", "client", "b", ["192.0.2.129"])],
    ],
  ] as [string, KubeObject[]][])(
    "denied: %s is broken, plaintext-to-strict with the Linkerd fix",
    (_what, pods) => {
      const objs = mesh(NETS, pods);
      const p = verdict(objs);
      expect(p.verdict).toBe("broken");
      expect(p.reason).toContain(
        "Server emojivoto/web-http takes its port 8080 and admits unauthenticated clients only from some networks (AuthorizationPolicy emojivoto/web-from-nets requires NetworkAuthentication emojivoto/nets, whose networks are 192.0.2.0/24 except 192.0.2.128/25, 2001:db8::/64), which leave out the caller's pods (",
      );
      const s = run(objs, [
        call("legacy/client", host("web", L5D), "unknown", 10, { reporter: "destination" }),
      ]);
      const f = s.findings.filter((x) => x.code === "edge.plaintext-to-strict");
      expect(f).toHaveLength(1);
      expect(f[0]!.fix).toContain(
        "add an AuthorizationPolicy for Server emojivoto/web-http whose NetworkAuthentication covers legacy/client",
      );
    },
  );

  it("denied, but a route in the namespace may be open: still unknown", () => {
    const route = l5dPolicy("AuthorizationPolicy", "probe", {
      targetRef: { group: "policy.linkerd.io", kind: "HTTPRoute", name: "probe" },
      requiredAuthenticationRefs: [],
    });
    expect(verdict(mesh([...NETS, route], [pod("legacy", "client", "a", ["10.1.2.3"])])).verdict).toBe(
      "unknown",
    );
  });

  it.each([
    ["no pods among the inputs", []],
    [
      "a pod without an address (pending)",
      [pod("legacy", "client", "a", ["192.0.2.10"]), pod("legacy", "client", "b", null)],
    ],
    [
      "pods that disagree",
      [pod("legacy", "client", "a", ["192.0.2.10"]), pod("legacy", "client", "b", ["10.1.2.3"])],
    ],
    [
      "a dual-stack pod whose families disagree",
      [pod("legacy", "client", "a", ["192.0.2.10", "2001:db9::a"])],
    ],
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
    expect(verdict(mesh(NETS, pods)).reason).toContain(
      "which leave out the caller's pods (10.1.2.1, 10.1.2.2, 10.1.2.3 and 2 more) (Linkerd denies what no authorization admits)",
    );
  });
});

// reviews/l5dnet.md #1: a hostNetwork pod's status.podIPs are its node's addresses, but its connections
// to pods often leave from a tunnel or bridge address (flannel.1, cni0, Calico tunl0, cilium_host): its
// listed address says nothing of the source Linkerd sees.
describe("a hostNetwork caller stays unknown", () => {
  const agent = (ips: string[]) =>
    pod("legacy", "client", "a", ips, false, { phase: "Running", hostNetwork: true });
  it.each([
    ["a pod-range network, its node address outside (was broken)", [{ cidr: "10.244.0.0/16" }], "172.18.0.2"],
    [
      "a node-subnet network, its node address inside (was plaintext)",
      [{ cidr: "172.18.0.0/16" }],
      "172.18.0.2",
    ],
  ])("%s", (_what, networks, ip) => {
    const objs = mesh(byNetwork(networks), [agent([ip])]);
    const p = verdict(objs);
    expect(p.verdict).toBe("unknown");
    expect(p.reason).toContain("which the caller may or may not be in");
    const s = run(objs, [
      call("legacy/client", host("web", L5D), "unknown", 10, { reporter: "destination" }),
    ]);
    expect(s.findings.filter((x) => x.code === "edge.plaintext-to-strict")).toHaveLength(0);
  });

  it("near miss: the same pods without hostNetwork are decided by their addresses", () => {
    expect(
      verdict(
        mesh(byNetwork([{ cidr: "10.244.0.0/16" }]), [
          pod("legacy", "client", "a", ["172.18.0.2"], false, { phase: "Running" }),
        ]),
      ).verdict,
    ).toBe("broken");
    expect(
      verdict(
        mesh(byNetwork([{ cidr: "172.18.0.0/16" }]), [
          pod("legacy", "client", "a", ["172.18.0.2"], false, { phase: "Running" }),
        ]),
      ).verdict,
    ).toBe("plaintext");
  });

  it("one hostNetwork pod among the caller's pods leaves it unknown", () => {
    const pods = [
      pod("legacy", "client", "a", ["10.244.1.5"], false, { phase: "Running" }),
      pod("legacy", "client", "b", ["10.244.1.6"], false, { phase: "Running", hostNetwork: true }),
    ];
    expect(verdict(mesh(byNetwork([{ cidr: "10.244.0.0/16" }]), pods)).verdict).toBe("unknown");
  });
});

// reviews/l5dnet.md #2: a pod that has finished (Succeeded, Failed: evicted, a completed Job's) keeps its
// last status.podIP, which the node may since have given to another pod; it makes no connections.
describe("terminal pods do not count", () => {
  const NETS16 = byNetwork([{ cidr: "10.244.0.0/16" }]);
  it.each([
    [
      "a completed pod only, outside (was broken)",
      [pod("legacy", "client", "a", ["10.9.9.9"], false, { phase: "Succeeded" })],
    ],
    [
      "a completed pod only, inside (was plaintext)",
      [pod("legacy", "client", "a", ["10.244.3.3"], false, { phase: "Succeeded" })],
    ],
    ["a failed pod only, outside", [pod("legacy", "client", "a", ["10.9.9.9"], false, { phase: "Failed" })]],
  ] as [string, KubeObject[]][])("unknown: %s", (_what, pods) => {
    expect(verdict(mesh(NETS16, pods)).verdict).toBe("unknown");
  });

  it("a running pod inside and an evicted pod outside: decided by the running one (was unknown)", () => {
    const pods = [
      pod("legacy", "client", "a", ["10.244.3.3"], false, { phase: "Running" }),
      pod("legacy", "client", "b", ["10.9.9.9"], false, { phase: "Failed" }),
    ];
    const p = verdict(mesh(NETS16, pods));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain("admits the caller's pods (10.244.3.3) as unauthenticated clients");
  });

  it("a running pod outside and a completed pod inside: broken", () => {
    const pods = [
      pod("legacy", "client", "a", ["10.9.9.9"], false, { phase: "Running" }),
      pod("legacy", "client", "b", ["10.244.3.3"], false, { phase: "Succeeded" }),
    ];
    expect(verdict(mesh(NETS16, pods)).verdict).toBe("broken");
  });

  it.each([
    [
      "a Pending pod without an address beside a running one",
      [
        pod("legacy", "client", "a", ["10.244.3.3"], false, { phase: "Running" }),
        pod("legacy", "client", "b", null, false, { phase: "Pending" }),
      ],
    ],
    [
      "an Unknown-phase pod outside beside a running one inside",
      [
        pod("legacy", "client", "a", ["10.244.3.3"], false, { phase: "Running" }),
        pod("legacy", "client", "b", ["10.9.9.9"], false, { phase: "Unknown" }),
      ],
    ],
  ] as [string, KubeObject[]][])("near miss, still unknown: %s", (_what, pods) => {
    expect(verdict(mesh(NETS16, pods)).verdict).toBe("unknown");
  });
});

// reviews/l5dnet.md #3: the reason lists addresses and admitting authorizations in a fixed order, not in
// input order.
describe("the caller's reason does not depend on input order", () => {
  const pods = [5, 6, 7, 8].map((n, i) =>
    pod("legacy", "client", "abcd"[i]!, [`10.244.1.${n}`], false, { phase: "Running" }),
  );
  const two = [
    serverAuthz([{ cidr: "10.244.1.0/24" }]),
    { ...serverAuthz([{ cidr: "10.244.2.0/24" }]), metadata: { name: "web-sb", namespace: L5D } },
  ] as KubeObject[];

  it("addresses are listed in numeric order", () => {
    const objs = mesh(byNetwork([{ cidr: "10.244.0.0/16" }]), [...pods].reverse());
    expect(verdict(objs).reason).toContain(
      "admits the caller's pods (10.244.1.5, 10.244.1.6, 10.244.1.7 and 1 more)",
    );
  });

  it("numeric, not string, order: 10.244.1.10 after 10.244.1.9; IPv4 before IPv6", () => {
    const ps = [
      pod("legacy", "client", "a", ["10.244.1.10", "fd00::a"], false, { phase: "Running" }),
      pod("legacy", "client", "b", ["10.244.1.9", "fd00::9"], false, { phase: "Running" }),
    ];
    const objs = mesh(byNetwork([{ cidr: "10.244.0.0/16" }, { cidr: "fd00::/8" }]), ps);
    expect(verdict(objs).reason).toContain(
      "admits the caller's pods (10.244.1.9, 10.244.1.10, fd00::9 and 1 more)",
    );
  });

  it("admitting authorizations are listed by kind, namespace and name", () => {
    const ps = [
      pod("legacy", "client", "a", ["10.244.2.5"], false, { phase: "Running" }),
      pod("legacy", "client", "b", ["10.244.1.5"], false, { phase: "Running" }),
    ];
    expect(verdict(mesh(two, ps)).reason).toContain(
      "(ServerAuthorization emojivoto/web-sa, whose client.networks are 10.244.1.0/24; ServerAuthorization emojivoto/web-sb, whose client.networks are 10.244.2.0/24)",
    );
    expect(verdict(mesh([...two].reverse(), [...ps].reverse())).reason).toContain(
      "(ServerAuthorization emojivoto/web-sa, whose client.networks are 10.244.1.0/24; ServerAuthorization emojivoto/web-sb",
    );
  });

  it("reversing the input objects gives identical snapshot bytes", () => {
    const refused = [
      pod("legacy", "client", "a", ["10.9.1.1"], false, { phase: "Running" }),
      pod("legacy", "client", "b", ["10.9.1.2"], false, { phase: "Running" }),
    ];
    for (const [policy, ps] of [
      [two, [...pods, pod("legacy", "client", "e", ["10.244.2.9"], false, { phase: "Running" })]],
      [two, refused],
    ] as [KubeObject[], KubeObject[]][]) {
      const objs = mesh(policy, ps);
      const traffic = [call("legacy/client", host("web", L5D), "unknown", 10, { reporter: "destination" })];
      const strip = (s: ReturnType<typeof run>) =>
        JSON.stringify({
          ...s,
          source: null,
          findings: s.findings.map((f) => ({ ...f, message: f.message.replace(/\\S+\\.yaml:\\d+/g, "") })),
        });
      expect(strip(run([...objs].reverse(), traffic))).toBe(strip(run(objs, traffic)));
    }
  });
});

// reviews/l5dnet.md #4: an opening covering the cluster networks (Handshake takes every pod to be inside)
// is still checked by Linkerd against the caller's address. linkerd2 policy-controller: a
// ServerAuthorization without client.networks gets the cluster networks (grpc/src/inbound.rs `to_authz`:
// empty networks → cluster_networks, the controller's --cluster-networks, values.clusterNetworks).
describe("an opening covering the cluster networks decides a caller whose address is known", () => {
  const DEFAULTS = [
    { cidr: "10.0.0.0/8" },
    { cidr: "100.64.0.0/10" },
    { cidr: "172.16.0.0/12" },
    { cidr: "192.168.0.0/16" },
  ];
  const running = (ips: string[]) => [pod("legacy", "client", "a", ips, false, { phase: "Running" })];
  const config = (networks: string): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "linkerd-config", namespace: "linkerd" },
    data: { values: `clusterNetworks: ${networks}\n` },
  });

  it.each([
    [
      "a NetworkAuthentication of Linkerd's IPv4 defaults, caller outside them",
      byNetwork(DEFAULTS),
      ["203.0.113.5"],
    ],
    [
      "the same, an IPv6-only caller (a v4 network never holds a v6 address) where linkerd-config says Linkerd intercepts IPv6",
      [...byNetwork(DEFAULTS), IPV6_ON],
      ["2001:db8::5"],
    ],
    [
      "a ServerAuthorization whose client.networks cover the defaults, caller outside",
      [serverAuthz(DEFAULTS)],
      ["203.0.113.5"],
    ],
    [
      "a namespace-wide AuthorizationPolicy of the defaults, caller outside",
      [
        l5dPolicy("NetworkAuthentication", "nets", { networks: DEFAULTS }),
        l5dPolicy("AuthorizationPolicy", "ns-from-nets", {
          targetRef: { kind: "Namespace", name: L5D },
          requiredAuthenticationRefs: [
            { group: "policy.linkerd.io", kind: "NetworkAuthentication", name: "nets" },
          ],
        }),
      ],
      ["203.0.113.5"],
    ],
    [
      "a ServerAuthorization without client.networks, linkerd-config's clusterNetworks leave the caller out",
      [serverAuthz([]), config("10.42.0.0/16,10.43.0.0/16")],
      ["10.99.0.5"],
    ],
    [
      "the same with client.networks absent",
      [
        l5dPolicy(
          "ServerAuthorization",
          "web-sa",
          { server: { name: "web-http" }, client: { unauthenticated: true } },
          "v1beta1",
        ),
        config("10.42.0.0/16,10.43.0.0/16"),
      ],
      ["10.99.0.5"],
    ],
    [
      "a ServerAuthorization by selector without client.networks, linkerd-config's clusterNetworks",
      [
        l5dPolicy(
          "ServerAuthorization",
          "web-sa",
          { server: { selector: { matchLabels: {} } }, client: { unauthenticated: true } },
          "v1beta1",
        ),
        config("10.42.0.0/16"),
      ],
      ["10.99.0.5"],
    ],
  ] as [string, KubeObject[], string[]][])("broken (was plaintext): %s", (_what, policy, ips) => {
    const objs = mesh(policy, running(ips));
    const p = verdict(objs);
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain(`which leave out the caller's pods (${ips[0]})`);
  });

  it("the ServerAuthorization without client.networks names the cluster networks it gets", () => {
    expect(
      verdict(mesh([serverAuthz([]), config("10.42.0.0/16,10.43.0.0/16")], running(["10.99.0.5"]))).reason,
    ).toContain(
      "(ServerAuthorization emojivoto/web-sa, without client.networks, so from the cluster networks 10.42.0.0/16, 10.43.0.0/16 (clusterNetworks in linkerd-config))",
    );
  });

  it.each([
    ["defaults, caller inside", byNetwork(DEFAULTS), ["10.244.1.5"]],
    [
      "no client.networks, caller inside linkerd-config's clusterNetworks",
      [serverAuthz([]), config("10.42.0.0/16,10.43.0.0/16")],
      ["10.42.1.5"],
    ],
  ] as [string, KubeObject[], string[]][])(
    "plaintext, now naming the caller's addresses: %s",
    (_what, policy, ips) => {
      const p = verdict(mesh(policy, running(ips)));
      expect(p.verdict).toBe("plaintext");
      expect(p.reason).toContain(`admits the caller's pods (${ips[0]}) as unauthenticated clients`);
    },
  );

  it.each([
    ["defaults, a caller without pods", byNetwork(DEFAULTS), []],
    [
      "defaults, a hostNetwork caller outside",
      byNetwork(DEFAULTS),
      [pod("legacy", "client", "a", ["203.0.113.5"], false, { phase: "Running", hostNetwork: true })],
    ],
    [
      "0.0.0.0/0 and ::/0, a caller outside the cluster networks",
      byNetwork([{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }]),
      running(["203.0.113.5"]),
    ],
    [
      "a ServerAuthorization without client.networks and no linkerd-config (the cluster networks are not known)",
      [serverAuthz([])],
      running(["203.0.113.5"]),
    ],
    ["the same for an IPv6 caller", [serverAuthz([])], running(["2001:db8::5"])],
    [
      "linkerd-config without clusterNetworks",
      [serverAuthz([]), { ...config("x"), data: { values: "clusterDomain: cluster.local\n" } }],
      running(["203.0.113.5"]),
    ],
  ] as [string, KubeObject[], KubeObject[]][])(
    "near miss, still plaintext as before: %s",
    (_what, policy, pods) => {
      expect(verdict(mesh(policy, pods)).verdict).toBe("plaintext");
    },
  );

  it("near miss: a Server whose accessPolicy admits everyone stays plaintext for a caller outside", () => {
    const open = l5dPolicy("Server", "web-http", {
      podSelector: { matchLabels: { app: "web" } },
      port: 8080,
      proxyProtocol: "HTTP/1",
      accessPolicy: "all-unauthenticated",
    });
    expect(
      verdict(mesh(byNetwork(DEFAULTS), running(["203.0.113.5"])).map((o) => (o === webServer ? open : o)))
        .verdict,
    ).toBe("plaintext");
  });

  it("fd00::/8 is among Linkerd's default cluster networks: an opening naming IPv6 must cover it to count as cluster-wide", () => {
    // The IPv4 defaults plus an IPv6 network short of fd00::/8: a caller without pods is unknown, not admitted.
    expect(verdict(mesh(byNetwork([...DEFAULTS, { cidr: "fd00::/16" }]), [])).verdict).toBe("unknown");
    // Near miss: with fd00::/8 it covers the defaults (admitted as before), and IPv4-only defaults still do.
    expect(verdict(mesh(byNetwork([...DEFAULTS, { cidr: "fd00::/8" }]), [])).verdict).toBe("plaintext");
    expect(verdict(mesh(byNetwork(DEFAULTS), [])).verdict).toBe("plaintext");
    // An IPv6 caller in fd00::/8 is admitted by it, one outside refused.
    expect(verdict(mesh(byNetwork([...DEFAULTS, { cidr: "fd00::/8" }]), running(["fd00::5"]))).verdict).toBe(
      "plaintext",
    );
    expect(
      verdict(mesh(byNetwork([...DEFAULTS, { cidr: "fd00::/8" }]), running(["2001:db8::5"]), [IPV6_ON]))
        .verdict,
    ).toBe("broken");
  });
});

// reviews/l5dnet2.md #1: each control plane's policy controller takes its own linkerd-config's
// clusterNetworks; which one serves the target is not read, so they decide only when they all agree.
describe("several linkerd-configs: the cluster networks decide only when they agree", () => {
  const sa = l5dPolicy(
    "ServerAuthorization",
    "web-sa",
    { server: { name: "web-http" }, client: { unauthenticated: true } },
    "v1beta1",
  );
  const running = (ip: string) => [pod("legacy", "client", "a", [ip], false, { phase: "Running" })];
  it.each([
    [
      "the target's control plane (linkerd) admits the caller, a config in aaa would not (was broken)",
      "10.99.0.0/16",
      "10.42.0.0/16",
    ],
    [
      "the mirror image: linkerd's leaves the caller out, aaa's admits it (open, as without linkerd-config)",
      "10.42.0.0/16",
      "10.99.0.0/16",
    ],
  ])("plaintext: %s", (_what, linkerd, aaa) => {
    const p = verdict(
      mesh(
        [sa, l5dConfig(`clusterNetworks: ${linkerd}\n`), l5dConfig(`clusterNetworks: ${aaa}\n`, "aaa")],
        running("10.99.0.5"),
      ),
    );
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).not.toContain("cluster networks");
  });

  it("a second config whose values do not parse, or lack clusterNetworks: not known, plaintext", () => {
    for (const other of ["clusterNetworks: [unclosed\n", "clusterDomain: cluster.local\n"])
      expect(
        verdict(
          mesh(
            [sa, l5dConfig("clusterNetworks: 10.42.0.0/16\n"), l5dConfig(other, "zzz")],
            running("10.99.0.5"),
          ),
        ).verdict,
      ).toBe("plaintext");
  });

  it("near miss: two configs giving the same clusterNetworks still decide (broken)", () => {
    const p = verdict(
      mesh(
        [
          sa,
          l5dConfig("clusterNetworks: 10.42.0.0/16\n"),
          l5dConfig("clusterNetworks: 10.42.0.0/16\n", "aaa"),
        ],
        running("10.99.0.5"),
      ),
    );
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain("from the cluster networks 10.42.0.0/16 (clusterNetworks in linkerd-config)");
  });
});

// reviews/l5dnet2.md #2: Linkerd intercepts IPv6 only with disableIPv6: false (2.16+; the default is
// true, and proxy-init then runs with --ipv6=false, charts/partials _proxy-init.tpl). Otherwise an IPv6
// connection bypasses the proxy, so a v6 caller no opening admits is not known to be refused.
describe("an IPv6 caller is refused only where Linkerd intercepts IPv6", () => {
  const DEFAULTS = [
    { cidr: "10.0.0.0/8" },
    { cidr: "100.64.0.0/10" },
    { cidr: "172.16.0.0/12" },
    { cidr: "192.168.0.0/16" },
  ];
  const running = (ips: string[]) => [pod("legacy", "client", "a", ips, false, { phase: "Running" })];
  const sa = l5dPolicy(
    "ServerAuthorization",
    "web-sa",
    { server: { name: "web-http" }, client: { unauthenticated: true } },
    "v1beta1",
  );
  const V4_CLUSTER = "clusterNetworks: 10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16\n";

  it.each([
    ["a NetworkAuthentication of the IPv4 defaults, no linkerd-config", byNetwork(DEFAULTS), []],
    [
      "the same, linkerd-config with disableIPv6: true (Linkerd's default)",
      byNetwork(DEFAULTS),
      [l5dConfig("disableIPv6: true\n")],
    ],
    [
      "a ServerAuthorization without client.networks, 2.14-style linkerd-config (IPv4 clusterNetworks, no disableIPv6)",
      [sa],
      [l5dConfig(V4_CLUSTER)],
    ],
    [
      "two configs, only one saying disableIPv6: false",
      byNetwork(DEFAULTS),
      [IPV6_ON, l5dConfig("disableIPv6: true\n", "aaa")],
    ],
  ] as [string, KubeObject[], KubeObject[]][])(
    "not broken (was): %s, caller fd00:10:244::5",
    (_what, policy, extra) => {
      expect(verdict(mesh(policy, running(["fd00:10:244::5"]), extra)).verdict).not.toBe("broken");
    },
  );

  it("the NetworkAuthentication case is plaintext, as without the caller's address", () => {
    expect(verdict(mesh(byNetwork(DEFAULTS), running(["fd00:10:244::5"]))).verdict).toBe("plaintext");
  });

  it.each([
    ["a NetworkAuthentication of the IPv4 defaults", byNetwork(DEFAULTS), [IPV6_ON]],
    [
      "a ServerAuthorization without client.networks, IPv4 clusterNetworks",
      [sa],
      [l5dConfig(`${V4_CLUSTER}disableIPv6: false\n`)],
    ],
  ] as [string, KubeObject[], KubeObject[]][])(
    "near miss, broken where linkerd-config says disableIPv6: false: %s",
    (_what, policy, extra) => {
      expect(verdict(mesh(policy, running(["fd00:10:244::5"]), extra)).verdict).toBe("broken");
    },
  );

  it("near miss: an IPv6 caller an opening admits is admitted with IPv6 interception off too (bypass or admitted: plaintext)", () => {
    const p = verdict(mesh(byNetwork([{ cidr: "fd00::/8" }]), running(["fd00:10:244::5"])));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain("admits the caller's pods (fd00:10:244::5)");
  });

  it("near miss: an IPv4 caller outside is still broken with IPv6 interception off", () => {
    expect(
      verdict(mesh(byNetwork(DEFAULTS), running(["203.0.113.5"]), [l5dConfig("disableIPv6: true\n")]))
        .verdict,
    ).toBe("broken");
  });
});

// reviews/l5dnet2.md #3: a Server's accessPolicy cluster-unauthenticated admits the cluster networks
// only (k8s/index defaults.rs default_client_authz, cluster_only → the controller's cluster networks).
describe("a Server with accessPolicy cluster-unauthenticated is decided by the caller's address", () => {
  const clusterServer = (accessPolicy: string) =>
    l5dPolicy("Server", "web-http", {
      podSelector: { matchLabels: { app: "web" } },
      port: 8080,
      proxyProtocol: "HTTP/1",
      accessPolicy,
    });
  const objs = (
    accessPolicy: string,
    ip: string | null,
    extra: KubeObject[] = [l5dConfig("clusterNetworks: 10.42.0.0/16\n")],
  ) =>
    mesh([], ip === null ? [] : [pod("legacy", "client", "a", [ip], false, { phase: "Running" })], extra).map(
      (o) => (o === webServer ? clusterServer(accessPolicy) : o),
    );

  it("a caller outside linkerd-config's clusterNetworks is broken (was plaintext)", () => {
    const p = verdict(objs("cluster-unauthenticated", "10.99.0.5"));
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain(
      "(Server emojivoto/web-http's accessPolicy cluster-unauthenticated, so from the cluster networks 10.42.0.0/16 (clusterNetworks in linkerd-config)), which leave out the caller's pods (10.99.0.5)",
    );
  });

  it("a caller inside them is plaintext, naming its address", () => {
    const p = verdict(objs("cluster-unauthenticated", "10.42.1.5"));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain("admits the caller's pods (10.42.1.5) as unauthenticated clients");
  });

  it.each([
    ["no linkerd-config (the cluster networks are not known)", "cluster-unauthenticated", "10.99.0.5", []],
    ["a caller without pods", "cluster-unauthenticated", null, undefined],
    ["accessPolicy all-unauthenticated", "all-unauthenticated", "10.99.0.5", undefined],
    ["accessPolicy audit", "audit", "10.99.0.5", undefined],
  ] as [string, string, string | null, KubeObject[] | undefined][])(
    "near miss, plaintext as before: %s",
    (_what, access, ip, extra) => {
      expect(verdict(objs(access, ip, extra)).verdict).toBe("plaintext");
    },
  );
});

// reviews/l5dnet2.md #3, the default inbound policy: cluster-unauthenticated on a port without a Server
// admits the cluster networks only (defaults.rs default_client_authz), decided the same way.
describe("the default inbound policy cluster-unauthenticated is decided by the caller's address", () => {
  const CFG = "clusterNetworks: 10.42.0.0/16\n";
  /** No Server; namespace emojivoto's default-inbound-policy annotation `policy` (none: absent). */
  const objs = (policy: string | null, ips: string[] | null, values: string | null = CFG) =>
    mesh(
      [],
      ips === null ? [] : [pod("legacy", "client", "a", ips, false, { phase: "Running" })],
      values === null ? [] : [l5dConfig(values)],
    )
      .filter((o) => o !== webServer)
      .map((o, i) => (i === 0 ? l5dNs(policy === null ? NO_SKIPS : { [POLICY]: policy, ...NO_SKIPS }) : o));

  it("a caller outside linkerd-config's clusterNetworks is broken (was plaintext)", () => {
    const p = verdict(objs("cluster-unauthenticated", ["10.99.0.5"]));
    expect(p.verdict).toBe("broken");
    expect(p.reason).toContain(
      "its port 8080 takes the default inbound policy cluster-unauthenticated (namespace emojivoto's config.linkerd.io/default-inbound-policy), which admits unauthenticated clients only from the cluster networks 10.42.0.0/16 (clusterNetworks in linkerd-config), which leave out the caller's pods (10.99.0.5)",
    );
  });

  it("the cluster default from linkerd-config (proxy.defaultInboundPolicy) too", () => {
    expect(
      verdict(objs(null, ["10.99.0.5"], `${CFG}proxy:\n  defaultInboundPolicy: cluster-unauthenticated\n`))
        .verdict,
    ).toBe("broken");
  });

  it("a caller inside them is plaintext, naming its address", () => {
    const p = verdict(objs("cluster-unauthenticated", ["10.42.1.5"]));
    expect(p.verdict).toBe("plaintext");
    expect(p.reason).toContain(
      "which admits the caller's pods (10.42.1.5) as unauthenticated clients (from the cluster networks 10.42.0.0/16 (clusterNetworks in linkerd-config))",
    );
  });

  it.each([
    ["no linkerd-config", "cluster-unauthenticated", ["10.99.0.5"], null],
    [
      "linkerd-config without clusterNetworks",
      "cluster-unauthenticated",
      ["10.99.0.5"],
      "clusterDomain: cluster.local\n",
    ],
    ["a caller without pods", "cluster-unauthenticated", null, CFG],
    ["an IPv6 caller, IPv6 interception not on", "cluster-unauthenticated", ["fd00:10:244::5"], CFG],
    ["the default all-unauthenticated", "all-unauthenticated", ["10.99.0.5"], CFG],
    ["the default audit", "audit", ["10.99.0.5"], CFG],
  ] as [string, string, string[] | null, string | null][])(
    "near miss, plaintext as before: %s",
    (_what, policy, ips, values) => {
      expect(verdict(objs(policy, ips, values)).verdict).toBe("plaintext");
    },
  );
});

// reviews/l5dnet2.md #4: the policy controller parses --cluster-networks with `split(',')` and ipnet's
// IpNet parse, untrimmed and with a prefix length (policy-controller main.rs IpNets::from_str); it
// refuses anything else at start, so such a value decides nothing.
describe("clusterNetworks the policy controller cannot parse decide nothing", () => {
  const sa = l5dPolicy(
    "ServerAuthorization",
    "web-sa",
    { server: { name: "web-http" }, client: { unauthenticated: true } },
    "v1beta1",
  );
  const at = (networks: string, ip: string) =>
    verdict(
      mesh(
        [sa, l5dConfig(`clusterNetworks: '${networks}'\n`)],
        [pod("legacy", "client", "a", [ip], false, { phase: "Running" })],
      ),
    );
  it.each([
    ["a space after the comma", "10.0.0.0/8, 10.42.0.0/16", "203.0.113.5"],
    ["a bare address without /prefix", "10.42.0.5", "10.99.0.5"],
  ])("plaintext (was decided): %s", (_what, networks, ip) => {
    expect(at(networks, ip).verdict).toBe("plaintext");
  });
  it.each([
    ["no space", "10.0.0.0/8,10.42.0.0/16", "203.0.113.5"],
    ["a /32", "10.42.0.5/32", "10.99.0.5"],
  ])("near miss, broken: %s", (_what, networks, ip) => {
    expect(at(networks, ip).verdict).toBe("broken");
  });
});

// reviews/l5dnet2.md #5: one address spelled two ways, or twice, is listed once, whatever the input order.
describe("the caller's addresses are listed once each, in an order independent of the input", () => {
  const ps = (a: string, b: string) => [
    pod("legacy", "client", "a", [a], false, { phase: "Running" }),
    pod("legacy", "client", "b", [b], false, { phase: "Unknown" }),
  ];
  it.each([
    ["the same IPv6 address spelled two ways", "2001:DB8::A", "2001:db8::a", "(2001:DB8::A)"],
    ["the same IPv4 address twice", "10.244.1.5", "10.244.1.5", "(10.244.1.5)"],
  ])("%s", (_what, a, b, shown) => {
    const objs = mesh(byNetwork([{ cidr: "2001:db8::/64" }, { cidr: "10.244.0.0/16" }]), ps(a, b));
    const reason = verdict(objs).reason;
    expect(reason).toContain(`admits the caller's pods ${shown} as unauthenticated clients`);
    expect(
      verdict(mesh(byNetwork([{ cidr: "2001:db8::/64" }, { cidr: "10.244.0.0/16" }]), ps(b, a))).reason,
    ).toBe(reason);
    const traffic = [call("legacy/client", host("web", L5D), "unknown", 10, { reporter: "destination" })];
    const strip = (s: ReturnType<typeof run>) =>
      JSON.stringify({
        ...s,
        source: null,
        findings: s.findings.map((f) => ({ ...f, message: f.message.replace(/\S+\.yaml:\d+/g, "") })),
      });
    expect(strip(run([...objs].reverse(), traffic))).toBe(strip(run(objs, traffic)));
  });
  it("near miss: two different addresses are both listed", () => {
    expect(
      verdict(mesh(byNetwork([{ cidr: "10.244.0.0/16" }]), ps("10.244.1.6", "10.244.1.5"))).reason,
    ).toContain("admits the caller's pods (10.244.1.5, 10.244.1.6)");
  });
});
