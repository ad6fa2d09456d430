// Which clusters Handshake can show: every context of the kubeconfig (KUBECONFIG, else ~/.kube/config),
// the pod's own cluster when it runs in one (service-account token), and the embedded demo. Each is a
// KubeConfig whose current context is that cluster, so client-node's auth applies unchanged.
import "server-only";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { KubeConfig, type User } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { EXEC_EXTENSION, type ClusterWithExecConfig } from "./execCredentials";
import { clusterNameProblem, quotedClusterName } from "../../view/clusterName";
import type { ClusterSource } from "../types";

export interface ClusterConfig {
  name: string;
  source: Exclude<ClusterSource, "demo">;
  kubeConfig(): KubeConfig;
}

export interface ConfiguredClusters {
  clusters: ClusterConfig[];
  /** The kubeconfig's current context, when one is set and exists. */
  currentContext: string | null;
  /** The current context when its name fails the cluster-name rule (so it is not listed), and why. */
  refusedCurrentContext?: { context: string; reason: string };
  /** Why a kubeconfig file could not be used (shown on /api/v1/clusters, never thrown). */
  errors: string[];
}

export interface ClusterEnv {
  env: Record<string, string | undefined>;
  home: string;
  exists?: (path: string) => boolean;
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function configuredClusters({ env, home, exists = existsSync }: ClusterEnv): ConfiguredClusters {
  const errors: string[] = [];
  const files = (env.KUBECONFIG ? env.KUBECONFIG.split(delimiter) : [join(home, ".kube", "config")]).filter(
    (f) => f !== "" && exists(f),
  );
  // Merged by hand, as kubectl merges KUBECONFIG: for clusters, users and contexts the first file that
  // defines a name wins, and the first current-context set wins. (client-node's mergeConfig throws on a
  // duplicate name, which would lose every cluster.) A file that cannot be read is reported and skipped.
  const load = (report = false): KubeConfig => {
    const clusters = new Map<string, KubeConfig["clusters"][number]>();
    const users = new Map<string, KubeConfig["users"][number]>();
    const contexts = new Map<string, KubeConfig["contexts"][number]>();
    let current = "";
    for (const f of files) {
      const one = new KubeConfig();
      let text: string;
      try {
        // Read once, for client-node (its loadFromFile: loadFromString, then paths made absolute
        // against the file's folder) and for the exec extensions client-node drops.
        text = readFileSync(f, "utf8");
        one.loadFromString(text);
        one.makePathsAbsolute(dirname(f));
      } catch (e) {
        if (report) errors.push(`kubeconfig ${f}: ${(e as Error).message.split("\n")[0]}`);
        continue;
      }
      const execConfigs = execExtensions(text);
      for (const c of one.clusters)
        if (!clusters.has(c.name))
          clusters.set(c.name, execConfigs.has(c.name) ? withExecConfig(c, execConfigs.get(c.name)) : c);
      for (const u of one.users) if (!users.has(u.name)) users.set(u.name, withExecCommandFrom(f, u));
      for (const c of one.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
      if (!current && one.currentContext) current = one.currentContext;
    }
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [...clusters.values()],
      users: [...users.values()],
      contexts: [...contexts.values()],
      currentContext: current,
    });
    return kc;
  };
  const clusters: ClusterConfig[] = [];
  let currentContext: string | null = null;
  let refusedCurrentContext: ConfiguredClusters["refusedCurrentContext"];
  if (files.length > 0) {
    try {
      const kc = load(true);
      // One rule for the names listed and the names the routes accept (clusterName.ts): a context whose
      // name no link can carry is left out and said why, rather than listed and then refused everywhere.
      const names: string[] = [];
      const current = kc.getCurrentContext();
      for (const { name } of kc.getContexts()) {
        const problem = clusterNameProblem(name);
        if (problem === null) names.push(name);
        else {
          errors.push(
            `kubeconfig context ${quotedClusterName(name)}: not usable as a cluster name (${problem})`,
          );
          if (name === current) refusedCurrentContext = { context: name, reason: problem };
        }
      }
      currentContext = current && names.includes(current) ? current : null;
      for (const name of names)
        clusters.push({
          name,
          source: "kubeconfig",
          kubeConfig: () => {
            const one = load();
            one.setCurrentContext(name);
            return one;
          },
        });
    } catch (e) {
      errors.push(`kubeconfig ${files.join(delimiter)}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  if (
    env.KUBERNETES_SERVICE_HOST &&
    exists(join(SERVICE_ACCOUNT_DIR, "token")) &&
    !clusters.some((c) => c.name === "in-cluster")
  )
    clusters.push({
      name: "in-cluster",
      source: "in-cluster",
      kubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromCluster();
        return kc;
      },
    });
  return { clusters, currentContext, errors, ...(refusedCurrentContext ? { refusedCurrentContext } : {}) };
}

/**
 * An exec command written as a relative path is relative to its kubeconfig file, as kubectl reads it
 * (clientcmd loader.go `ResolveLocalPaths`, `GetAuthInfoFileReferences`: only a command holding a path
 * separator; a bare name is looked up on the PATH). Per file, before the files are merged.
 */
export function withExecCommandFrom(file: string, user: User): User {
  const command = (user.exec as { command?: unknown } | undefined)?.command;
  if (typeof command !== "string" || !/[\\/]/.test(command) || isAbsolute(command)) return user;
  return { ...user, exec: { ...user.exec, command: join(dirname(resolve(file)), command) } };
}

function withExecConfig(c: KubeConfig["clusters"][number], execConfig: unknown): ClusterWithExecConfig {
  return { ...c, execConfig };
}

/**
 * Each cluster's `client.authentication.k8s.io/exec` extension in one kubeconfig file, by cluster name
 * (client-node drops extensions; client-go hands this one to the plugin as `spec.cluster.config`).
 */
function execExtensions(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  try {
    const doc = yaml.load(text) as {
      clusters?: Array<{ name?: unknown; cluster?: { extensions?: unknown } }>;
    } | null;
    for (const c of doc?.clusters ?? []) {
      const exts = c?.cluster?.extensions;
      if (typeof c?.name !== "string" || !Array.isArray(exts)) continue;
      const ext = (exts as Array<{ name?: unknown; extension?: unknown }>).find(
        (e) => e?.name === EXEC_EXTENSION,
      );
      if (ext && ext.extension !== undefined) out.set(c.name, ext.extension);
    }
  } catch {
    // client-node has parsed this text already; text it could not parse never gets here
  }
  return out;
}
