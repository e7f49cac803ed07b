import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    // npm compiles better-sqlite3 from source (no prebuilt binary can be downloaded): minutes on a loaded
    // 2-core machine. No test asserts timing.
    testTimeout: 15 * 60_000,
    hookTimeout: 15 * 60_000,
    fileParallelism: false,
  },
});
