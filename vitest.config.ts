import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // `server-only` throws outside Next's react-server build; under Vitest it is an empty module.
    alias: { "server-only": fileURLToPath(new URL("./test/support/empty.ts", import.meta.url)) },
  },
  test: {
    include: ["lib/**/*.test.ts", "test/**/*.test.ts", "bench/**/*.test.ts"],
    environment: "node",
    pool: "threads",
    testTimeout: 30_000,
  },
});
