// ESLint 9 flat config: @eslint/js recommended + typescript-eslint recommended (not type-checked, for speed).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

const pureCoreMessage =
  "lib/core is the pure core: no React, Next, filesystem or network — see docs/ARCHITECTURE.md";

const pureViewMessage =
  "lib/view holds pure view helpers: no React, Next, filesystem, network or lib/server — see docs/ARCHITECTURE.md";

/** No UI framework, filesystem, network, Kubernetes client or server layer under `files`. */
function pureLayer(files, message) {
  return {
    files: [files],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            "react",
            "react-dom",
            "next",
            "node:fs",
            "fs",
            "node:fs/promises",
            "fs/promises",
            "node:http",
            "node:https",
            "node:net",
            "http",
            "https",
            "net",
            "@kubernetes/client-node",
          ].map((name) => ({ name, message })),
          patterns: [
            { group: ["react/*", "react-dom/*", "next/*", "@kubernetes/client-node/*"], message },
            // The server layer sits above: relative ("../../server") or aliased ("@/lib/server").
            { regex: "^(?:(?:\\.\\./)+|@/lib/)server(?:/|$)", message },
          ],
        },
      ],
    },
  };
}

export default defineConfig(
  {
    ignores: [
      ".next/",
      "node_modules/",
      "coverage/",
      "out/",
      "test-results/",
      "playwright-report/",
      "next-env.d.ts",
      // Local scratch (gitignored): profiling bundles and one-off scripts.
      ".prof/",
      ".handshake/",
      "e2e/.results/",
    ],
  },
  {
    files: ["**/*.{ts,tsx,mts,cts,js,mjs,cjs}"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "e2e/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
  },
  // The core stays pure: importable from the CLI, the server and tests alike, with the clock injected.
  pureLayer("lib/core/**", pureCoreMessage),
  // The view helpers are pure too: plain functions from a snapshot to what a component draws, tested
  // without a browser or a server (components only render them).
  pureLayer("lib/view/**", pureViewMessage),
);
