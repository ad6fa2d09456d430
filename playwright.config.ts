// Browser tests (e2e/) in Debian's Chromium against the production build on the demo cluster.
// `npm run test:e2e` builds first; the web server below only starts it.
import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3107);
export const ALLOWED_EMBED_ORIGIN = "http://wiki.allowed.test";

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e/.results",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    viewport: { width: 1440, height: 900 },
  },
  webServer: {
    command: `npx next start -p ${PORT} -H 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      HANDSHAKE_DEMO: "1",
      HANDSHAKE_EMBED_ORIGINS: ALLOWED_EMBED_ORIGIN,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
