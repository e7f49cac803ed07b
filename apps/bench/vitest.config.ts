import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    // The test runs the whole quick benchmark in a child process (SQLite, Postgres, HTTP servers, s3rver):
    // generous limits for a loaded 2-core machine. It asserts the harness works, never a speed.
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
