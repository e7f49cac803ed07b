import { execFile } from "node:child_process";
import { BIN } from "./built.js";

/** What a `tidemark` process did. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without any TIDEMARK_* variable of the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TIDEMARK")) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Runs `node bin/tidemark.js …args` and collects its exit code and output.
 *
 * @param args - the arguments.
 * @param options - working directory and environment (use {@link cleanEnv}).
 */
export function runTidemark(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return runNode([BIN, ...args], options);
}

/** Runs `node …args`. */
export function runNode(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args],
      { cwd: options.cwd, env: options.env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
