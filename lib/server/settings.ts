// Server settings from the environment (documented in the README, "Point it at your cluster"). Every
// number must be positive: HANDSHAKE_REFRESH_SECONDS=0 would freeze the snapshot forever and
// HANDSHAKE_PROXY_TIMEOUT_SECONDS=0 would time every proxy out, so a value that is not a positive number
// is reported (naming the variable) and its default used instead.
import "server-only";
import type { ReadOptions } from "./kube/readCluster";

export interface ServerSettings {
  forceDemo: boolean;
  refreshMs: number;
  /** How long a proxy's config dump is reused before its pod is port-forwarded to again. */
  proxyRefreshMs: number;
  read: ReadOptions;
  /** One line per variable that could not be used (logged once at start). */
  problems: string[];
}

export const DEFAULTS = {
  refreshSeconds: 30,
  proxyTimeoutSeconds: 5,
  proxyConcurrency: 16,
  proxyRefreshSeconds: 300,
} as const;

/** A positive number from `env[name]`, or `fallback` and the problem when it is set to anything else. */
export function positiveEnv(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  integer = false,
): { value: number; problem?: string } {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return { value: fallback };
  const v = Number(raw);
  if (Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v))) return { value: v };
  return {
    value: fallback,
    problem: `${name}=${JSON.stringify(raw)} is not a positive ${integer ? "whole number" : "number"}; using the default ${fallback}`,
  };
}

export function envSettings(env: Record<string, string | undefined>): ServerSettings {
  const problems: string[] = [];
  const positive = (name: string, fallback: number, integer = false): number => {
    const r = positiveEnv(env, name, fallback, integer);
    if (r.problem) problems.push(r.problem);
    return r.value;
  };
  return {
    forceDemo: env.HANDSHAKE_DEMO === "1" || env.HANDSHAKE_DEMO === "true",
    refreshMs: positive("HANDSHAKE_REFRESH_SECONDS", DEFAULTS.refreshSeconds) * 1000,
    proxyRefreshMs: positive("HANDSHAKE_PROXY_REFRESH_SECONDS", DEFAULTS.proxyRefreshSeconds) * 1000,
    read: {
      proxyTimeoutMs: positive("HANDSHAKE_PROXY_TIMEOUT_SECONDS", DEFAULTS.proxyTimeoutSeconds) * 1000,
      proxyConcurrency: positive("HANDSHAKE_PROXY_CONCURRENCY", DEFAULTS.proxyConcurrency, true),
    },
    problems,
  };
}
