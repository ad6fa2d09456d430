// Next.js calls register() once when the server process starts. Reading the default cluster here (and
// so starting the embedded demo cluster when it is the default) means the first page and /readyz do not
// wait for it. The server layer starts the demo once per process and stops it on exit.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { handshakeServer } = await import("./lib/server/snapshots");
  const server = handshakeServer();
  void server
    .defaultClusterName()
    .then(async (cluster) => {
      const view = await server.getSnapshotView(cluster);
      console.log(
        `handshake: cluster "${cluster}"${view.demo ? " (embedded demo cluster)" : ""} read: ${view.snapshot.workloads.length} workloads, ${view.snapshot.findings.length} findings`,
      );
    })
    .catch((e: unknown) =>
      console.error(`handshake: first read failed: ${e instanceof Error ? e.message : String(e)}`),
    );
}
