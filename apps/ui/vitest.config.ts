import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

/**
 * React components in jsdom with fixture fetches. The Chromium end-to-end tests of the built UI live in
 * @tidemark/core (test/ui-e2e), which bundles this package and serves it.
 */
export default defineConfig({
  plugins: [react()],
  test: {
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    include: ["test/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    setupFiles: ["test/support/setup-dom.ts"],
    // Above Testing Library's asyncUtilTimeout (setup-dom.ts), so a missing element fails with its message.
    testTimeout: 60_000,
  },
});
