// findings.md "Istio DestinationRule": each code fires on the case it describes (severity, the
// DestinationRule(s) named in the documented order, a specific message, a fix) and stays silent on
// the nearly identical, correct configuration.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../lib/core/model/input";
import type { Ref } from "../lib/core/snapshot/schema";
import { analyze } from "../lib/core/snapshot/analyze";
import { call, deploy, destRule, findingsOf, host, injected, loaded, namespace, NOW, only, run, service, serviceEntry, tls } from "./kit";

const drRef = (ns: string, name: string): Ref => ({ kind: "DestinationRule", namespace: ns, name });
const T1 = "2026-01-01T00:00:00Z";
const T2 = "2026-02-01T00:00:00Z";
const SVC = host("srv", "b");
const EXT = "api.example.com";


// Clients in a and c, a meshed server b/srv, and an external host declared by a ServiceEntry.
const mesh: KubeObject[] = [
  injected("a"),
  injected("b"),
  injected("c"),
  deploy("a", "client"),
  deploy("c", "client"),
  deploy("b", "srv", { ports: [8080] }),
  service("b", "srv", [{ port: 80, targetPort: 8080 }]),
  serviceEntry("b", "ext", [EXT]),
];
const runWith = (...objs: KubeObject[]) => run([...mesh, ...objs]);

describe("dr.tls-without-mode (warning) [2.1]", () => {
  it.each([
    { where: "top-level tls with only sni", dr: destRule("b", "srv", SVC, tls(null, { sni: "srv.example" })), path: "spec.trafficPolicy.tls" },
    { where: "an empty top-level tls block", dr: destRule("b", "srv", SVC, tls(null)), path: "spec.trafficPolicy.tls" },
    {
      where: "a port-level tls block",
      dr: destRule("b", "srv", SVC, { trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { sni: "srv.example" } }] } }),
      path: "portLevelSettings[0].tls (port 80)",
    },
  ])("fires for $where", ({ dr, path }) => {
    const f = only(runWith(dr), "dr.tls-without-mode");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "srv")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain(path);
    expect(f.message).toContain(SVC);
    expect(f.message).toContain("DISABLE");
  });

  it.each([
    { miss: "mode set alongside sni", dr: destRule("b", "srv", SVC, tls("ISTIO_MUTUAL", { sni: "srv.example" })) },
    { miss: "an explicit DISABLE", dr: destRule("b", "srv", SVC, tls("DISABLE")) },
    { miss: "no tls block at all", dr: destRule("b", "srv", SVC, { trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }) },
  ])("silent: $miss", ({ dr }) => {
    expect(findingsOf(runWith(dr), "dr.tls-without-mode")).toEqual([]);
  });
});

describe("dr.port-settings-drop-tls (warning) [2.3]", () => {
  it("fires for a portLevelSettings entry without tls under a top-level tls", () => {
    const dr = destRule("b", "srv", SVC, {
      trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" }, portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: "LEAST_REQUEST" } }] },
    });
    const f = only(runWith(dr), "dr.port-settings-drop-tls");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "srv")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain("port 80");
    expect(f.message).toContain("ISTIO_MUTUAL");
    expect(f.fix).toContain("port 80");
  });

  it.each([
    {
      miss: "the port entry repeats the tls block",
      spec: { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: "ISTIO_MUTUAL" }, loadBalancer: { simple: "LEAST_REQUEST" } }] } },
    },
    {
      miss: "no top-level tls (nothing to drop)",
      spec: { trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, loadBalancer: { simple: "LEAST_REQUEST" } }] } },
    },
  ])("silent: $miss", ({ spec }) => {
    expect(findingsOf(runWith(destRule("b", "srv", SVC, spec)), "dr.port-settings-drop-tls")).toEqual([]);
  });
});

describe("dr.mutual-missing-certs (error) [2.1]", () => {
  it.each([
    { case: "neither certificate nor key", extra: {} },
    { case: "a certificate without its key", extra: { clientCertificate: "/etc/certs/client.pem" } },
    { case: "a key without its certificate", extra: { privateKey: "/etc/certs/key.pem" } },
  ])("fires for MUTUAL with $case", ({ extra }) => {
    const f = only(runWith(destRule("b", "ext", EXT, tls("MUTUAL", extra))), "dr.mutual-missing-certs");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("b/ext");
    expect(f.message).toContain("spec.trafficPolicy.tls");
  });

  it("fires for MUTUAL without certificates in a subset", () => {
    const dr = destRule("b", "ext", EXT, { subsets: [{ name: "v2", labels: { version: "v2" }, trafficPolicy: { tls: { mode: "MUTUAL" } } }] });
    const f = only(runWith(dr), "dr.mutual-missing-certs");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("spec.subsets[0].trafficPolicy.tls");
  });

  it.each([
    { miss: "certificate and key files", tlsSpec: tls("MUTUAL", { clientCertificate: "/etc/certs/client.pem", privateKey: "/etc/certs/key.pem" }) },
    { miss: "credentialName (with workloadSelector, as sidecars need)", tlsSpec: { ...tls("MUTUAL", { credentialName: "client-cert" }), workloadSelector: { matchLabels: { app: "client" } } } },
    { miss: "SIMPLE (no client certificate needed)", tlsSpec: tls("SIMPLE") },
  ])("silent: MUTUAL with $miss", ({ tlsSpec }) => {
    expect(findingsOf(runWith(destRule("b", "ext", EXT, tlsSpec)), "dr.mutual-missing-certs")).toEqual([]);
  });
});

describe("dr.credential-name-plaintext (error) [2.2]", () => {
  it.each([
    { mode: "SIMPLE", extra: { credentialName: "ext-ca" } },
    { mode: "MUTUAL", extra: { credentialName: "client-cert" } },
  ])("fires for $mode with credentialName and no workloadSelector, used by sidecars", ({ mode, extra }) => {
    const f = only(runWith(destRule("b", "ext", EXT, tls(mode, extra))), "dr.credential-name-plaintext");
    expect(f.severity).toBe("error");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("b/ext");
    expect(f.message).toContain(extra.credentialName);
    expect(f.message).toContain(EXT);
    // The sidecar namespaces that apply it.
    for (const ns of ["a", "b", "c"]) expect(f.message).toContain(ns);
  });

  it("the sidecar client really sends plaintext (edge prediction)", () => {
    const s = run([...mesh, destRule("b", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" }))], [call("a/client", EXT, "unknown", 1, { reporter: "source" })]);
    expect(s.edges[0]!.predicted.client).toEqual({ tls: "DISABLE", origin: "destinationrule", destinationRule: drRef("b", "ext") });
    expect(findingsOf(s, "dr.credential-name-plaintext")).toHaveLength(1);
  });

  it.each([
    { miss: "a workloadSelector (the sidecar loads the Secret)", spec: { ...tls("SIMPLE", { credentialName: "ext-ca" }), workloadSelector: { matchLabels: { app: "client" } } } },
    { miss: "a configmap:// credentialName", spec: tls("SIMPLE", { credentialName: "configmap://ext-ca" }) },
    { miss: "file certificates instead of credentialName", spec: tls("SIMPLE", { caCertificates: "/etc/certs/ca.pem" }) },
  ])("silent with $miss", ({ spec }) => {
    expect(findingsOf(runWith(destRule("b", "ext", EXT, spec)), "dr.credential-name-plaintext")).toEqual([]);
  });

  it("names only the namespaces whose sidecars really get it: a selector DR next to it that covers every sidecar of b takes its place there", () => {
    // Each sidecar's own lookup, labels included: b's only sidecar carries app=srv.
    const cover = destRule("b", "own-ext", EXT, { ...tls("SIMPLE", { caCertificates: "/etc/certs/ca.pem" }), workloadSelector: { matchLabels: { app: "srv" } } });
    const f = only(runWith(destRule("b", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" })), cover), "dr.credential-name-plaintext");
    expect(f.message).toMatch(/sidecars in a and c ignore it/);
  });

  it("silent for a host the inventory shows does not exist (no cluster, nothing sent: dr.host-not-found says so)", () => {
    const s = runWith(destRule("b", "other", "other.example.com", tls("SIMPLE", { credentialName: "ext-ca" })));
    expect(findingsOf(s, "dr.credential-name-plaintext")).toEqual([]);
    expect(findingsOf(s, "dr.host-not-found")).toHaveLength(1);
  });

  it("still fires on a policy-only input, where the host cannot be checked (and dr.host-not-found stays silent)", () => {
    const s = run([injected("a"), deploy("a", "client"), destRule("a", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" }))]);
    expect(only(s, "dr.credential-name-plaintext").message).toContain("sidecars in a");
    expect(findingsOf(s, "dr.host-not-found")).toEqual([]);
  });

  it("silent when no sidecar applies it (only gateways / unmeshed clients)", () => {
    const s = run([namespace("plain"), deploy("plain", "app"), serviceEntry("plain", "ext", [EXT]), destRule("plain", "ext", EXT, tls("SIMPLE", { credentialName: "ext-ca" }))]);
    expect(findingsOf(s, "dr.credential-name-plaintext")).toEqual([]);
  });
});

describe("dr.insecure-skip-verify (warning)", () => {
  it.each([
    { where: "top level", dr: destRule("b", "ext", EXT, tls("SIMPLE", { insecureSkipVerify: true })), path: "spec.trafficPolicy.tls" },
    {
      where: "a port-level entry",
      dr: destRule("b", "ext", EXT, { trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE", insecureSkipVerify: true } }] } }),
      path: "port 443",
    },
  ])("fires at $where", ({ dr, path }) => {
    const f = only(runWith(dr), "dr.insecure-skip-verify");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "ext")]);
    expect(f.message).toContain("b/ext");
    expect(f.message).toContain(path);
    expect(f.message).toContain(EXT);
  });

  it.each([
    { miss: "insecureSkipVerify: false", spec: tls("SIMPLE", { insecureSkipVerify: false }) },
    { miss: "caCertificates instead", spec: tls("SIMPLE", { caCertificates: "/etc/certs/ca.pem" }) },
  ])("silent with $miss", ({ spec }) => {
    expect(findingsOf(runWith(destRule("b", "ext", EXT, spec)), "dr.insecure-skip-verify")).toEqual([]);
  });
});

describe("dr.non-istio-tls-to-mesh (warning) [4]", () => {
  it.each([
    { mode: "SIMPLE", extra: {} },
    { mode: "MUTUAL", extra: { clientCertificate: "/etc/c.pem", privateKey: "/etc/k.pem" } },
  ])("fires for $mode towards a Service whose endpoints have sidecars", ({ mode, extra }) => {
    const f = only(runWith(destRule("b", "srv", SVC, tls(mode, extra))), "dr.non-istio-tls-to-mesh");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "srv")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain(mode);
    expect(f.message).toContain(SVC);
  });

  it.each([
    { miss: "ISTIO_MUTUAL to the meshed Service", objs: [destRule("b", "srv", SVC, tls("ISTIO_MUTUAL"))] },
    { miss: "SIMPLE to an external host", objs: [destRule("b", "ext", EXT, tls("SIMPLE"))] },
    {
      miss: "SIMPLE to a Service whose endpoints have no proxy",
      objs: [namespace("plain"), deploy("plain", "db"), service("plain", "db", [5432]), destRule("plain", "db", host("db", "plain"), tls("SIMPLE"))],
    },
    {
      // Sidecars carry the TLS inside HBONE to an ambient pod, and ztunnel ignores DRs (istio.md §9.10):
      // it neither bypasses mesh identity nor fails against STRICT.
      miss: "SIMPLE to a Service whose endpoints are ambient",
      objs: [
        namespace("amb", { "istio.io/dataplane-mode": "ambient" }),
        deploy("amb", "db", { ports: [5432] }),
        service("amb", "db", [5432]),
        destRule("a", "db", host("db", "amb"), tls("SIMPLE")),
      ],
    },
  ])("silent: $miss", ({ objs }) => {
    expect(findingsOf(runWith(...objs), "dr.non-istio-tls-to-mesh")).toEqual([]);
  });
});

describe("dr.host-not-found (warning) [2.4]", () => {
  it.each([
    { case: "an FQDN with a typo", dr: destRule("b", "srv", "sVr.b.svc.cluster.local"), resolved: "sVr.b.svc.cluster.local" },
    { case: "a short host in another namespace than the Service", dr: destRule("a", "srv", "srv"), resolved: "srv.a.svc.cluster.local" },
    { case: "a half-qualified host (taken literally)", dr: destRule("a", "srv", "srv.b"), resolved: "srv.b" },
    { case: "an external host without ServiceEntry", dr: destRule("b", "other", "other.example.com"), resolved: "other.example.com" },
  ])("fires for $case", ({ dr, resolved }) => {
    const f = only(runWith(dr), "dr.host-not-found");
    expect(f.severity).toBe("warning");
    const meta = dr.metadata;
    expect(f.resources).toEqual([drRef(meta.namespace!, meta.name)]);
    expect(f.message).toContain(`${meta.namespace}/${meta.name}`);
    expect(f.message).toContain(resolved);
  });

  it.each([
    { miss: "the Service's FQDN", dr: destRule("a", "srv", SVC) },
    { miss: "a short host in the Service's namespace", dr: destRule("b", "srv", "srv") },
    { miss: "a ServiceEntry host", dr: destRule("a", "ext", EXT) },
    { miss: "a wildcard that matches a Service", dr: destRule("a", "all", "*.local") },
  ])("silent for $miss", ({ dr }) => {
    expect(findingsOf(runWith(dr), "dr.host-not-found")).toEqual([]);
  });

  // A rule that cannot decide says nothing (findings.md).
  it("silent on a policy-only input: no Service or ServiceEntry at all to look the host up in", () => {
    expect(findingsOf(run([injected("a"), destRule("a", "srv", SVC), destRule("a", "x", "other.example.com")]), "dr.host-not-found")).toEqual([]);
  });

  it.each([
    { gap: "Services forbidden in the host's namespace", c: { kind: "Service", namespace: "z", reason: "forbidden" as const }, fires: false },
    { gap: "Services forbidden cluster-wide", c: { kind: "Service", reason: "forbidden" as const }, fires: false },
    { gap: "Services forbidden in another namespace", c: { kind: "Service", namespace: "y", reason: "forbidden" as const }, fires: true },
  ])("with $gap: fires=$fires", ({ c, fires }) => {
    const snap = analyze(
      { objects: loaded([...mesh, destRule("a", "gone", host("gone", "z"))]), configDumps: [], problems: [] },
      { now: NOW, source: { type: "manifests" }, completeness: [{ ...c, message: "403" }] },
    );
    expect(findingsOf(snap, "dr.host-not-found")).toHaveLength(fires ? 1 : 0);
  });
});

describe("dr.duplicate-host (warning) [2.4]", () => {
  it.each([
    {
      case: "two DRs, different ages",
      drs: [destRule("b", "late", SVC, tls("DISABLE"), T2), destRule("b", "early", SVC, tls("ISTIO_MUTUAL"), T1)],
      resources: [drRef("b", "late"), drRef("b", "early")],
    },
    {
      case: "same age: the name decides",
      drs: [destRule("b", "zz", SVC, tls("DISABLE"), T1), destRule("b", "aa", SVC, tls("ISTIO_MUTUAL"), T1)],
      resources: [drRef("b", "zz"), drRef("b", "aa")],
    },
    {
      case: "a short host and its FQDN are the same host",
      drs: [destRule("b", "short", "srv", tls("DISABLE"), T2), destRule("b", "long", SVC, tls("ISTIO_MUTUAL"), T1)],
      resources: [drRef("b", "short"), drRef("b", "long")],
    },
  ])("fires for $case; the ignored one first, then the one that wins", ({ drs, resources }) => {
    const f = only(runWith(...drs), "dr.duplicate-host");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual(resources);
    const winner = resources[resources.length - 1]!;
    expect(f.message).toContain(SVC);
    expect(f.message).toContain(`oldest, b/${winner.name}`);
    expect(f.message).toContain(`b/${resources[0]!.name}`);
  });

  it("the winner's policy is the one applied", () => {
    const s = run([...mesh, destRule("b", "late", SVC, tls("DISABLE"), T2), destRule("b", "early", SVC, tls("ISTIO_MUTUAL"), T1)], [call("c/client", SVC, "mutual_tls")]);
    expect(s.edges[0]!.predicted.client).toMatchObject({ tls: "ISTIO_MUTUAL", destinationRule: drRef("b", "early") });
  });

  it.each([
    { miss: "one DR per namespace for the same host (tiers, not duplicates)", drs: [destRule("a", "srv", SVC, tls("ISTIO_MUTUAL")), destRule("b", "srv", SVC, tls("ISTIO_MUTUAL"))] },
    { miss: "two DRs in one namespace for different hosts", drs: [destRule("b", "srv", SVC, tls("ISTIO_MUTUAL")), destRule("b", "ext", EXT, tls("SIMPLE"))] },
    {
      miss: "two DRs for one host with different exportTo (kept apart by Istio)",
      drs: [destRule("b", "local", SVC, { ...tls("ISTIO_MUTUAL"), exportTo: ["."] }), destRule("b", "public", SVC, { ...tls("ISTIO_MUTUAL"), exportTo: ["*"] })],
    },
  ])("silent: $miss", ({ drs }) => {
    expect(findingsOf(runWith(...drs), "dr.duplicate-host")).toEqual([]);
  });
});

describe("dr.shadowed (warning) [2.4]", () => {
  const shadowing = [destRule("a", "all", "*.local", tls("ISTIO_MUTUAL")), destRule("b", "srv", SVC, tls("DISABLE"))];

  it("fires when a client-namespace *.local DR hides the service's own DR; names the client", () => {
    const s = runWith(...shadowing);
    expect(findingsOf(s, "dr.shadowed")).toEqual([]); // no traffic, no known client
    const t = run([...mesh, ...shadowing], [call("a/client", SVC, "mutual_tls")]);
    const f = only(t, "dr.shadowed");
    expect(f.severity).toBe("warning");
    expect(f.resources).toEqual([drRef("b", "srv"), drRef("a", "all")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain("a/all");
    expect(f.message).toContain("a/client");
    expect(f.message).toContain(SVC);
  });

  it("fires when a client-namespace DR hides a root-namespace DR for the same host", () => {
    const s = run([...mesh, destRule("a", "srv", SVC, tls("ISTIO_MUTUAL")), destRule("istio-system", "srv", SVC, tls("DISABLE"))], [call("a/client", SVC, "mutual_tls")]);
    const f = only(s, "dr.shadowed");
    expect(f.resources).toEqual([drRef("istio-system", "srv"), drRef("a", "srv")]);
    expect(f.message).toContain("a/client");
  });

  it.each([
    { miss: "a client in a namespace without its own DR (the service's DR applies)", drs: shadowing, src: "c/client" },
    { miss: "the client namespace's DR is for other hosts", drs: [destRule("a", "own", "*.a.svc.cluster.local", tls("ISTIO_MUTUAL")), destRule("b", "srv", SVC, tls("DISABLE"))], src: "a/client" },
    {
      // The usual layout: a mesh-wide default in the root namespace, refined per service. The
      // root *.local DR is a fallback, not something that "never applies": it applies to every
      // other host, and the more specific DR is meant to win.
      miss: "a root-namespace *.local default refined by a more specific DR in the service namespace",
      drs: [destRule("istio-system", "default", "*.local", tls("ISTIO_MUTUAL")), destRule("b", "srv", SVC, tls("ISTIO_MUTUAL"))],
      src: "a/client",
    },
    {
      miss: "a service-namespace wildcard refined by the client namespace's exact-host DR",
      drs: [destRule("b", "ns-default", "*.b.svc.cluster.local", tls("ISTIO_MUTUAL")), destRule("a", "srv", SVC, tls("ISTIO_MUTUAL"))],
      src: "a/client",
    },
  ])("silent: $miss", ({ drs, src }) => {
    expect(findingsOf(run([...mesh, ...drs], [call(src, SVC, "mutual_tls")]), "dr.shadowed")).toEqual([]);
  });
});

describe("dr.subset-only-tls (info) [2.3]", () => {
  const subsets = (withTls: boolean) => [
    { name: "v1", labels: { version: "v1" } },
    { name: "v2", labels: { version: "v2" }, ...(withTls ? { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } } : {}) },
  ];

  it("fires when only a subset sets tls; names the subset", () => {
    const f = only(runWith(destRule("b", "srv", SVC, { subsets: subsets(true) })), "dr.subset-only-tls");
    expect(f.severity).toBe("info");
    expect(f.resources).toEqual([drRef("b", "srv")]);
    expect(f.message).toContain("b/srv");
    expect(f.message).toContain("v2");
    expect(f.message).not.toContain("v1");
    expect(f.message).toContain(SVC);
  });

  it.each([
    { miss: "top-level tls as well", spec: { ...tls("ISTIO_MUTUAL"), subsets: subsets(true) } },
    { miss: "no tls on any subset", spec: { subsets: subsets(false) } },
  ])("silent with $miss", ({ spec }) => {
    expect(findingsOf(runWith(destRule("b", "srv", SVC, spec)), "dr.subset-only-tls")).toEqual([]);
  });
});
