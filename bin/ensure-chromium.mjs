#!/usr/bin/env node
// Browser tests need Debian's Chromium (Playwright's own download does not work here). Installs it
// with apt-get when it is missing, so `npm test` is complete on its own from a fresh clone.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (existsSync(CHROMIUM)) process.exit(0);
console.log(`${CHROMIUM} is missing; installing Debian's chromium with apt-get`);
const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
const run = (args) =>
  execFileSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
try {
  run(["apt-get", "update"]);
  run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"]);
} catch {
  console.error(`could not install chromium; browser tests need ${CHROMIUM} (apt-get install -y chromium)`);
  process.exit(1);
}
