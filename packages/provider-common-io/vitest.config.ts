import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    // Real file systems, a real S3 protocol server and child processes: generous limits for a loaded
    // 2-core machine (no test asserts timing).
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
