import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package directory (packages/core). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The `tidemark` bin. */
export const BIN = join(PACKAGE_DIR, "bin", "tidemark.js");

/**
 * Fails with a clear message when the package has not been built (the CLI and self-import tests run
 * the built dist/, as users do).
 */
export function requireBuilt(): void {
  for (const file of ["dist/index.js", "dist/cli/main.js"]) {
    if (!existsSync(join(PACKAGE_DIR, file))) {
      throw new Error(
        `${file} is missing: build first (pnpm turbo run build --filter=@tidemark/core...), then run the tests`,
      );
    }
  }
}
