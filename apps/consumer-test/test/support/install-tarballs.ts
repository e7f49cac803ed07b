import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { consumerEnv } from "./consumer-env.js";
import { type CommandResult, describeFailure, runCommand } from "./run-command.js";

/** What {@link installTarballs} did. */
export interface InstallResult extends CommandResult {
  /** npm's `EBADENGINE` warnings, one string each: `Unsupported engine { package: 'x@1.0.0', required: … }`. */
  readonly engineWarnings: readonly string[];
}

/** How long npm may take: better-sqlite3 compiles from source when no prebuilt binary can be fetched. */
export const INSTALL_TIMEOUT_MS = 12 * 60_000;

/**
 * Makes `dir` a fresh npm project (a private ES module package.json) and installs the tarballs into it with
 * plain `npm install --no-audit --no-fund <tarballs…>`, as a consumer who downloaded them would. npm runs
 * with the user's npm configuration, never the workspace's pnpm settings.
 *
 * @param dir - an empty directory outside the workspace.
 * @param tarballs - absolute paths of `.tgz` files.
 * @returns npm's output, its engine warnings and the time taken.
 * @throws Error when npm fails, with the end of its output.
 */
export async function installTarballs(dir: string, tarballs: readonly string[]): Promise<InstallResult> {
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "tidemark-consumer", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`,
  );
  const result = await runCommand(
    "npm",
    ["install", "--no-audit", "--no-fund", "--no-progress", ...tarballs],
    {
      cwd: dir,
      env: consumerEnv(),
      timeoutMs: INSTALL_TIMEOUT_MS,
    },
  );
  if (result.code !== 0) throw new Error(describeFailure("npm install <tarballs>", result));
  // One warning spans several lines, each prefixed `npm warn EBADENGINE`: join them, one string a warning.
  const engineWarnings = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .filter((line) => line.includes("EBADENGINE"))
    .map((line) => line.replace(/^npm (?:warn|WARN) EBADENGINE\s*/, ""))
    .join(" ")
    .split(/(?=Unsupported engine)/)
    .map((warning) => warning.replace(/\s+/g, " ").trim())
    .filter((warning) => warning !== "");
  return { ...result, engineWarnings };
}
