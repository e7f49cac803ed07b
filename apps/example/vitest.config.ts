import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/airflow-wire-check.ts"],
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    // The end-to-end tests spawn the demo, which spawns tidemark api-server: generous limits for a loaded
    // 2-core machine (no test asserts timing).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
