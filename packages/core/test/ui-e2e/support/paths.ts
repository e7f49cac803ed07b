import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/core. */
export const CORE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The `tidemark` command of this package (runs dist/, so `pnpm build` first). */
export const TIDEMARK_BIN = join(CORE_ROOT, "bin", "tidemark.js");

/**
 * The built UI of the `@tidemark/ui` this package depends on: what `tidemark api-server` serves when
 * no `--ui-dir` is given.
 */
export const UI_DIST = join(
  dirname(createRequire(join(CORE_ROOT, "package.json")).resolve("@tidemark/ui/package.json")),
  "dist",
);

/** Where screenshots go (gitignored test output). */
export const SCREENSHOT_DIR = join(CORE_ROOT, "test-output", "screenshots");

/**
 * Checks that what the e2e tests run exists, with the command that builds it.
 *
 * @throws Error when the UI or @tidemark/core is not built.
 */
export function assertBuilt(): void {
  const build = "Run `pnpm turbo run build --filter=@tidemark/core...`.";
  if (!existsSync(join(UI_DIST, "index.html"))) {
    throw new Error(`The built UI is missing (${UI_DIST}). ${build}`);
  }
  const coreDist = join(CORE_ROOT, "dist", "cli", "main.js");
  if (!existsSync(coreDist)) throw new Error(`@tidemark/core is not built (${coreDist}). ${build}`);
}
