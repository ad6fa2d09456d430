// deploy/: the ClusterRole grants list on exactly the kinds the reader lists (plus get and create
// on pods/portforward for proxy secrets), Secrets only in the separate optional role, and the Deployment
// runs non-root on a read-only root filesystem with resources set.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { KINDS, NAMESPACES } from "../../lib/server/kube/kinds";
import { proxyPath } from "../../lib/server/telemetry/prometheus";
import { DEFAULT_SERVICE } from "../../lib/server/telemetry/settings";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Doc = {
  kind: string;
  metadata: { name: string };
  rules?: Rule[];
  spec?: unknown;
  roleRef?: { name: string };
  subjects?: { name: string; namespace: string }[];
};
const docs = (file: string) => yaml.loadAll(readFileSync(`deploy/${file}`, "utf8")) as Doc[];
const grants = (role: Doc) =>
  role
    .rules!.flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res} ${[...r.verbs].sort().join(",")}`)),
    )
    .sort();

describe("deploy/", () => {
  const roles = docs("clusterrole.yaml");
  const reader = roles.find((d) => d.metadata.name === "handshake-reader")!;
  const secrets = roles.find((d) => d.metadata.name === "handshake-secret-reader")!;

  it("the reader role grants exactly the kinds read, read-only, plus pods/portforward get and create (a WebSocket upgrade is a GET; 1.35+ also checks create) and get on Prometheus' service proxy", () => {
    const read = [NAMESPACES, ...KINDS]
      .filter((k) => k.kind !== "Secret")
      .map((k) => `${k.group}/${k.plural} list`);
    expect(grants(reader)).toEqual([...read, "/pods/portforward create,get", "/services/proxy get"].sort());
  });

  it("services/proxy is limited to the default Prometheus, by the name segment the reader sends", () => {
    const proxyRules = reader.rules!.filter((r) => r.resources.includes("services/proxy"));
    expect(proxyRules).toHaveLength(1);
    const segment = `${DEFAULT_SERVICE.name}:${DEFAULT_SERVICE.port}`;
    expect(proxyRules[0]!.resourceNames).toEqual([segment]);
    expect(proxyPath(DEFAULT_SERVICE)).toBe(
      `/api/v1/namespaces/${DEFAULT_SERVICE.namespace}/services/${segment}/proxy/api/v1/query`,
    );
    // Every other rule applies to all objects of its kinds.
    expect(reader.rules!.filter((r) => r.resourceNames !== undefined)).toEqual(proxyRules);
  });

  it("Secrets are only in the optional role, read-only", () => {
    expect(grants(secrets)).toEqual(["/secrets list"]);
    expect(KINDS.some((k) => k.kind === "Secret")).toBe(true);
  });

  it("both roles are bound to the handshake service account", () => {
    const bindings = docs("clusterrolebinding.yaml");
    expect(bindings.map((b) => b.roleRef?.name).sort()).toEqual([
      "handshake-reader",
      "handshake-secret-reader",
    ]);
    for (const b of bindings)
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: "handshake", namespace: "handshake" }]);
    expect(docs("serviceaccount.yaml")[0]!.metadata.name).toBe("handshake");
  });

  it("the Deployment runs non-root, read-only, with resources, probes on /readyz and /healthz", () => {
    const d = docs("deployment.yaml")[0]! as unknown as {
      spec: {
        template: {
          spec: {
            serviceAccountName: string;
            securityContext: Record<string, unknown>;
            containers: Record<string, unknown>[];
          };
        };
      };
    };
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe("handshake");
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const c = pod.containers[0]! as {
      securityContext: Record<string, unknown>;
      resources: { requests: object; limits: object };
      readinessProbe: { httpGet: { path: string } };
      livenessProbe: { httpGet: { path: string } };
    };
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits).toBeDefined();
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    const kust = yaml.load(readFileSync("deploy/kustomization.yaml", "utf8")) as { resources: string[] };
    expect(kust.resources.sort()).toEqual([
      "clusterrole.yaml",
      "clusterrolebinding.yaml",
      "deployment.yaml",
      "namespace.yaml",
      "service.yaml",
      "serviceaccount.yaml",
    ]);
  });
});

describe("Dockerfile and Deployment agree", () => {
  const dockerfile = readFileSync("Dockerfile", "utf8");
  const d = docs("deployment.yaml")[0]! as unknown as {
    spec: {
      template: {
        spec: {
          securityContext: { runAsUser: number };
          volumes: { name: string; emptyDir?: object }[];
          containers: {
            command: string[];
            workingDir: string;
            env: { name: string; value: string }[];
            volumeMounts: { name: string; mountPath: string }[];
          }[];
        };
      };
    };
  };
  const pod = d.spec.template.spec;
  const c = pod.containers[0]!;
  const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));

  it("multi-stage on node:20-slim: npm ci, next build, runtime as uid 10001 with HOME=/tmp", () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(1);
    expect(froms.every((f) => f === "node:20-slim")).toBe(true);
    expect(dockerfile).toMatch(/^RUN npm ci /m);
    expect(dockerfile).toMatch(/next build/);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/HOME=\/tmp/);
    expect(readFileSync(".dockerignore", "utf8").split("\n")).toEqual(
      expect.arrayContaining(["node_modules", ".next", ".handshake"]),
    );
  });

  it("the Deployment starts the image's command with node (no npx), as the image's user, HOME and data dir on the /tmp emptyDir", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)![1]!;
    expect(c.command).toEqual(JSON.parse(cmd));
    expect(c.command[0]).toBe("node");
    expect(c.workingDir).toBe(/^WORKDIR (\S+)$/m.exec(dockerfile.slice(dockerfile.lastIndexOf("FROM ")))![1]);
    expect(pod.securityContext.runAsUser).toBe(10001);
    expect(env.HOME).toBe("/tmp");
    expect(env.HANDSHAKE_DATA_DIR!.startsWith("/tmp/")).toBe(true);
    const mounts = Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, m.name]));
    const emptyDirs = new Set(pod.volumes.filter((v) => v.emptyDir).map((v) => v.name));
    expect(emptyDirs.has(mounts["/tmp"]!)).toBe(true);
    expect(emptyDirs.has(mounts[`${c.workingDir}/.next/cache`]!)).toBe(true);
  });
});
