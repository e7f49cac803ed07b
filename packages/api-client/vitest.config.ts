import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous ceilings: the whole suite runs packages in parallel on two cores; no test measures speed.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
  },
});
