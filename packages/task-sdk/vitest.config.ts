import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/airflow-wire-check.ts"],
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    // Generous: the end-to-end suites start api-servers (and one spawns the tidemark process) and migrate
    // fresh SQLite files or Postgres schemas on a loaded 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
