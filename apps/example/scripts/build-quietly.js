import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The repository root (this file is apps/example/scripts/build-quietly.js). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Builds the given workspace packages and their dependencies with turbo (cached, so a second call takes
 * about a second). Turbo's output is kept and shown only when the build fails, so the command that
 * follows owns the terminal.
 *
 * @param {readonly string[]} packages - package names, e.g. ["@tidemark/example"].
 * @param {string} script - the root script being run, e.g. "demo" (named in the error when pnpm is missing).
 * @returns {void} on success; on failure prints turbo's output to stderr and exits with its code.
 */
export function buildQuietly(packages, script) {
  const turbo = createRequire(`${REPO_ROOT}package.json`).resolve("turbo/bin/turbo");
  const result = spawnSync(
    process.execPath,
    [
      turbo,
      "run",
      "build",
      ...packages.map((name) => `--filter=${name}...`),
      "--output-logs=errors-only",
      "--log-prefix=none",
    ],
    { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: process.env },
  );
  if (result.status === 0) return;
  process.stderr.write(result.stdout ?? "");
  process.stderr.write(result.stderr ?? "");
  if (result.error !== undefined) process.stderr.write(`${result.error.message}\n`);
  const hint = /package manager binary/.test(`${result.stdout}${result.stderr}`)
    ? `turbo needs pnpm on the PATH: run it from the repository root as \`pnpm ${script}\` (or \`npx -y pnpm@10.34.8 ${script}\`)`
    : "fix the errors above and run again";
  process.stderr.write(`\nbuilding ${packages.join(", ")} failed; ${hint}\n`);
  process.exit(result.status ?? 1);
}

/**
 * The arguments pnpm appended to the script, without a leading `--` (`pnpm demo -- --days 10`).
 *
 * @param {readonly string[]} argv - `process.argv.slice(2)`.
 * @returns {string[]} the arguments.
 */
export function userArguments(argv) {
  return argv[0] === "--" ? argv.slice(1) : [...argv];
}

/**
 * Runs a built entry point in this process, as if it had been started with `node <entry> ...args` in
 * `cwd`: the terminal (a progress bar needs it), the environment and the signals stay the user's.
 *
 * @param {string} entry - absolute path of the built script.
 * @param {readonly string[]} args - its arguments.
 * @param {string} cwd - its working directory.
 * @returns {Promise<void>} once the entry's top-level code has run.
 */
export async function runInProcess(entry, args, cwd) {
  process.chdir(cwd);
  process.argv = [process.argv[0] ?? process.execPath, entry, ...args];
  await import(entry);
}
