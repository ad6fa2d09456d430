#!/usr/bin/env node
// Entry point of the `handshake` CLI. The sources are TypeScript; tsx compiles them on load so the
// CLI runs from a fresh clone after `npm ci` with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
