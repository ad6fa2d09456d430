// Where a cluster's Prometheus is and over which window traffic is counted, from the environment
// (documented in the README, "Point it at your cluster"):
//   HANDSHAKE_PROMETHEUS_URLS     per-context direct URLs, "context=url" pairs separated by commas or
//                                 whitespace; wins over the two below for the contexts it names
//   HANDSHAKE_PROMETHEUS_URL      a direct URL for every other cluster
//   HANDSHAKE_PROMETHEUS_SERVICE  "namespace/name:port" reached through the API server's service proxy
//                                 (default istio-system/prometheus:9090, Istio's Prometheus addon)
//   HANDSHAKE_TRAFFIC_WINDOW      the range of increase(), a Prometheus duration (default 1h)
//   HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS  per query (default 10)
import "server-only";

export const DEFAULT_WINDOW = "1h";
export const DEFAULT_SERVICE: ServiceRef = { namespace: "istio-system", name: "prometheus", port: "9090" };
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ServiceRef {
  namespace: string;
  name: string;
  /** Port number or port name, as the service proxy path takes it. */
  port: string;
}

export type PrometheusTarget = { kind: "url"; url: string } | { kind: "service"; service: ServiceRef };

export interface TelemetrySettings {
  target: PrometheusTarget;
  window: string;
  timeoutMs: number;
  /** A setting that could not be used: telemetry is skipped and this becomes a completeness entry. */
  invalid?: string;
}

// Prometheus' duration grammar (units in descending order are not enforced here; Prometheus does).
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseService(text: string): ServiceRef | null {
  const m = /^([^/\s]+)\/([^:\s]+):([^:\s]+)$/.exec(text.trim());
  if (!m) return null;
  const [, namespace, name, port] = m as unknown as [string, string, string, string];
  if (
    !DNS_LABEL.test(namespace) ||
    !DNS_LABEL.test(name) ||
    !/^(\d{1,5}|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.test(port)
  )
    return null;
  return { namespace, name, port };
}

/** "prod=https://a:9090, staging=http://b" → Map; an entry without "=" or with a bad URL is reported by its context. */
function perContext(text: string | undefined): { urls: Map<string, string>; bad: string[] } {
  const urls = new Map<string, string>();
  const bad: string[] = [];
  for (const item of (text ?? "").split(/[\s,]+/).filter(Boolean)) {
    const eq = item.indexOf("=");
    const url = eq > 0 ? item.slice(eq + 1) : "";
    // Only the context is echoed: the URL may carry credentials.
    if (eq <= 0 || !isHttpUrl(url)) bad.push(eq > 0 ? item.slice(0, eq) : 'an entry without "="');
    else urls.set(item.slice(0, eq), url);
  }
  return { urls, bad };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/** The settings for one cluster (its kubeconfig context name, "in-cluster" or "demo"). */
export function telemetrySettings(
  env: Record<string, string | undefined>,
  cluster: string,
): TelemetrySettings {
  const problems: string[] = [];
  const windowRaw = env.HANDSHAKE_TRAFFIC_WINDOW?.trim();
  let window = DEFAULT_WINDOW;
  if (windowRaw) {
    if (DURATION.test(windowRaw)) window = windowRaw;
    else
      problems.push(
        `HANDSHAKE_TRAFFIC_WINDOW=${JSON.stringify(windowRaw)} is not a Prometheus duration (e.g. 5m, 1h, 1d)`,
      );
  }
  const t = Number(env.HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS);
  const timeoutMs =
    env.HANDSHAKE_PROMETHEUS_TIMEOUT_SECONDS && Number.isFinite(t) && t > 0 ? t * 1000 : DEFAULT_TIMEOUT_MS;

  let target: PrometheusTarget = { kind: "service", service: DEFAULT_SERVICE };
  const { urls, bad } = perContext(env.HANDSHAKE_PROMETHEUS_URLS);
  if (bad.length)
    problems.push(`HANDSHAKE_PROMETHEUS_URLS: ${bad.join(", ")}: expected context=http(s)://url`);
  const direct = urls.get(cluster) ?? env.HANDSHAKE_PROMETHEUS_URL?.trim();
  if (direct) {
    if (isHttpUrl(direct)) target = { kind: "url", url: direct };
    else problems.push(`HANDSHAKE_PROMETHEUS_URL is not an http(s) URL`);
  } else if (env.HANDSHAKE_PROMETHEUS_SERVICE?.trim()) {
    const svc = parseService(env.HANDSHAKE_PROMETHEUS_SERVICE);
    if (svc) target = { kind: "service", service: svc };
    else
      problems.push(
        `HANDSHAKE_PROMETHEUS_SERVICE=${JSON.stringify(env.HANDSHAKE_PROMETHEUS_SERVICE)} is not namespace/name:port`,
      );
  }
  return { target, window, timeoutMs, ...(problems.length ? { invalid: problems.join("; ") } : {}) };
}
