#!/usr/bin/env node
// `npm run demo-cluster`: starts only the embedded demo Kubernetes API server (loopback HTTPS,
// client-certificate auth) and writes its kubeconfig to .handshake/demo-kubeconfig.yaml. Runs until
// SIGINT / SIGTERM. Options: --port N (default: any free port), --host H (default 127.0.0.1).
import { register } from "tsx/esm/api";

register();
const { startDemoCluster } = await import("../lib/demo/index.ts");

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const port = opt("port");
if (port !== undefined && !/^\d+$/.test(port)) {
  console.error(`demo-cluster: --port must be a number, got "${port}"`);
  process.exit(2);
}

let cluster;
try {
  cluster = await startDemoCluster({ port: port ? Number(port) : 0, host: opt("host") });
} catch (e) {
  console.error(`demo-cluster: cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
console.log(`Demo cluster listening on ${cluster.url}`);
console.log(`kubeconfig: ${cluster.kubeconfigPath}`);
console.log(`served objects and proxy config dumps: ${cluster.stateDir}`);
console.log(`telemetry: ${cluster.trafficPath} (served as Prometheus at ${cluster.url}/api/v1/namespaces/istio-system/services/prometheus:9090/proxy/)`);
console.log(`Try: kubectl --kubeconfig ${cluster.kubeconfigPath} get pods -A`);
console.log("Press Ctrl+C to stop.");

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  await cluster.stop();
  console.log(`demo cluster stopped (${signal})`);
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
