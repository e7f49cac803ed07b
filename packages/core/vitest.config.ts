import { configDefaults, defineConfig } from "vitest/config";

/**
 * Two projects under one `vitest run`:
 * - core: everything under test/ except test/ui-e2e;
 * - ui-e2e: a real `tidemark api-server` serving the bundled @tidemark/ui, driven by Debian's Chromium
 *   through playwright-core (test/ui-e2e/**). Needs `pnpm build` of this package and its dependencies
 *   (turbo's test task builds them) and /usr/bin/chromium (or TIDEMARK_TEST_CHROMIUM).
 */
export default defineConfig({
  test: {
    reporters: ["default", ["json", { outputFile: "test-output/vitest.json" }]],
    projects: [
      {
        test: {
          name: "core",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/ui-e2e/**"],
          setupFiles: ["test/support/airflow-wire-check.ts"],
          // Generous: the CLI tests start node processes and the Postgres suites migrate fresh schemas on
          // a loaded 2-core machine.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "ui-e2e",
          include: ["test/ui-e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One Chromium and one api-server at a time: the machine has few cores.
          fileParallelism: false,
          // The UI may take a while to answer on a loaded machine; polls wait, they never sleep.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
