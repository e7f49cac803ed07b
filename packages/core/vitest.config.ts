import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/airflow-wire-check.ts"],
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    // Generous: the CLI tests start node processes and the Postgres suites migrate fresh schemas on a
    // loaded 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
