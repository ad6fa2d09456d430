#!/usr/bin/env node
// `npm run demo-cluster`: starts only the embedded demo Kubernetes API server (loopback HTTPS,
// client-certificate auth) and writes its kubeconfig to .handshake/demo-kubeconfig.yaml. Runs until
// SIGINT / SIGTERM. Options: --port N (default: any free port), --host H (default 127.0.0.1),
// --fault F (repeatable; docs/DEMO.md "Simulating faults"): down, list-status=<code>,
// hang-proxy=<namespace/pod>, prometheus=down|hang.
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

/** --fault values → DemoFaults; a bad value is a usage error naming it. */
const faults = {};
for (let i = 0; i < argv.length; i++) {
  if (argv[i] !== "--fault") continue;
  const f = argv[i + 1] ?? "";
  const [name, value] = f.includes("=")
    ? [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)]
    : [f, undefined];
  if (name === "down" && value === undefined) faults.down = true;
  else if (name === "list-status" && /^[45]\d\d$/.test(value ?? "")) faults.listStatus = Number(value);
  else if (name === "hang-proxy" && /^[^/\s]+\/[^/\s]+$/.test(value ?? ""))
    (faults.hangingProxies ??= []).push(value);
  else if (name === "prometheus" && (value === "down" || value === "hang")) faults.prometheus = value;
  else {
    console.error(
      `demo-cluster: --fault "${f}" is not one of: down, list-status=<4xx|5xx>, hang-proxy=<namespace/pod>, prometheus=down|hang`,
    );
    process.exit(2);
  }
}

let cluster;
try {
  cluster = await startDemoCluster({ port: port ? Number(port) : 0, host: opt("host"), faults });
} catch (e) {
  console.error(`demo-cluster: cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
console.log(`Demo cluster listening on ${cluster.url}`);
console.log(`kubeconfig: ${cluster.kubeconfigPath}`);
console.log(`served objects and proxy config dumps: ${cluster.stateDir}`);
console.log(
  `telemetry: ${cluster.trafficPath} (served as Prometheus at ${cluster.url}/api/v1/namespaces/istio-system/services/prometheus:9090/proxy/)`,
);
console.log(`Try: kubectl --kubeconfig ${cluster.kubeconfigPath} get pods -A`);
if (Object.keys(faults).length) console.log(`simulated faults: ${JSON.stringify(faults)}`);
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
