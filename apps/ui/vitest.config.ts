import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

/**
 * Two projects under one `vitest run`:
 * - components: React components in jsdom with fixture fetches (test/**, not test/e2e);
 * - e2e: a real `tidemark api-server` serving the built UI (dist/) driven by Debian's Chromium through
 *   playwright-core (test/e2e/**). Needs `pnpm build` of this package and of @tidemark/core first
 *   (turbo's test task builds them) and /usr/bin/chromium.
 */
export default defineConfig({
  plugins: [react()],
  test: {
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    projects: [
      {
        extends: true,
        test: {
          name: "components",
          include: ["test/**/*.test.{ts,tsx}"],
          exclude: ["test/e2e/**"],
          environment: "jsdom",
          setupFiles: ["test/support/setup-dom.ts"],
          // Above Testing Library's asyncUtilTimeout (setup-dom.ts), so a missing element fails with its message.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // The UI may take a while to answer on a loaded machine; polls wait, they never sleep.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
