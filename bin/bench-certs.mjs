#!/usr/bin/env node
// Certificate benchmark (bench/certs.ts): node bin/bench-certs.mjs [--count <n>] [--json]. tsx
// compiles the TypeScript on load, as for the CLI. Reports; exits 0 whatever the numbers.
import { register } from "tsx/esm/api";

register();
const args = process.argv.slice(2);
const at = args.indexOf("--count");
const count = at >= 0 ? Number(args[at + 1]) : 10000;
if (!Number.isInteger(count) || count <= 0)
  throw new Error(`--count needs a positive integer, got ${args[at + 1]}`);
const { benchCerts } = await import("../bench/certs.ts");
const result = await benchCerts(count);
if (args.includes("--json")) console.log(JSON.stringify(result, null, 2));
else for (const line of result.lines) console.log(line);
