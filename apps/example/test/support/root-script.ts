import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { delimiter, dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, where `pnpm demo` is typed. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** The pnpm the repository pins (`packageManager`), for when none is on the PATH. */
const PINNED_PNPM = "pnpm@10.34.8";

let located: string | undefined;

/**
 * A `pnpm` executable: the one on the PATH, else the pinned one through `npx -y -p pnpm@<pinned>`.
 * The scripts are started with this pnpm itself, not through npx: npx does not pass SIGTERM on.
 *
 * @returns its absolute path.
 * @throws Error when neither is found.
 */
export function locatePnpm(): string {
  if (located !== undefined) return located;
  for (const [command, args] of [
    ["sh", ["-c", "command -v pnpm"]],
    ["npx", ["-y", "-p", PINNED_PNPM, "sh", "-c", "command -v pnpm"]],
  ] as const) {
    const found = spawnSync(command, args, { encoding: "utf8" });
    const path = found.stdout?.trim();
    if (found.status === 0 && path) {
      located = path;
      return path;
    }
  }
  throw new Error(`no pnpm on the PATH and \`npx -y -p ${PINNED_PNPM}\` found none either`);
}

/** A root script running as a process, its output collected as it comes. */
export interface RootScriptProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process and its pipes closed. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `pnpm <script> ...args` in the repository root, as a user types it (pnpm forwards SIGTERM to the
 * script, which the root scripts `exec`).
 *
 * @param script - the root script, e.g. "demo".
 * @param args - what the user types after it.
 * @param env - the process's environment.
 * @returns the running process.
 */
export function startRootScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): RootScriptProcess {
  const pnpm = locatePnpm();
  const child = spawn(pnpm, [script, ...args], {
    cwd: REPO_ROOT,
    // turbo looks for the package manager on the PATH.
    env: { ...env, PATH: `${dirname(pnpm)}${delimiter}${env.PATH ?? ""}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, closed };
}

/**
 * Runs `pnpm <script> ...args` in the repository root to its end.
 *
 * @returns exit code and output.
 */
export async function runRootScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startRootScript(script, args, env);
  const { code } = await run.closed;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
