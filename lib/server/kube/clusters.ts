// Which clusters Handshake can show: every context of the kubeconfig (KUBECONFIG, else ~/.kube/config),
// the pod's own cluster when it runs in one (service-account token), and the embedded demo. Each is a
// KubeConfig whose current context is that cluster, so client-node's auth applies unchanged.
import "server-only";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
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
  const files = (env.KUBECONFIG ? env.KUBECONFIG.split(delimiter) : [join(home, ".kube", "config")]).filter((f) => f !== "" && exists(f));
  const load = (): KubeConfig => {
    const kc = new KubeConfig();
    for (const f of files) {
      const one = new KubeConfig();
      one.loadFromFile(f);
      // Like kubectl: the first file that sets a value wins.
      kc.mergeConfig(one, kc.getCurrentContext() !== "" && kc.getCurrentContext() !== undefined);
    }
    return kc;
  };
  const clusters: ClusterConfig[] = [];
  let currentContext: string | null = null;
  if (files.length > 0) {
    try {
      const kc = load();
      const names = kc.getContexts().map((c) => c.name);
      const current = kc.getCurrentContext();
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
  if (env.KUBERNETES_SERVICE_HOST && exists(join(SERVICE_ACCOUNT_DIR, "token")) && !clusters.some((c) => c.name === "in-cluster"))
    clusters.push({
      name: "in-cluster",
      source: "in-cluster",
      kubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromCluster();
        return kc;
      },
    });
  return { clusters, currentContext, errors };
}
