import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** apps/ui. */
export const UI_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The built UI the api-server serves (`pnpm build` of this package). */
export const UI_DIST = join(UI_ROOT, "dist");

/** Where screenshots go (gitignored test output). */
export const SCREENSHOT_DIR = join(UI_ROOT, "test-output", "screenshots");

/** The `tidemark` command of the installed @tidemark/core. */
export const TIDEMARK_BIN = join(
  dirname(createRequire(import.meta.url).resolve("@tidemark/core/package.json")),
  "bin",
  "tidemark.js",
);

/**
 * Checks that what the e2e tests run exists, with the command that builds it.
 *
 * @throws Error when the UI or @tidemark/core is not built.
 */
export function assertBuilt(): void {
  if (!existsSync(join(UI_DIST, "index.html"))) {
    throw new Error(
      `The built UI is missing (${UI_DIST}). Run \`pnpm turbo run build --filter=@tidemark/ui...\`.`,
    );
  }
  const coreDist = join(dirname(TIDEMARK_BIN), "..", "dist", "cli", "main.js");
  if (!existsSync(coreDist)) {
    throw new Error(
      `@tidemark/core is not built (${coreDist}). Run \`pnpm turbo run build --filter=@tidemark/ui...\`.`,
    );
  }
}
