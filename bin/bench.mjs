#!/usr/bin/env node
// `npm run bench` (node --expose-gc bin/bench.mjs [--scale <factor>] [--json]): tsx compiles the
// TypeScript benchmark on load, as for the CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../bench/run.ts");
await main(process.argv.slice(2));
