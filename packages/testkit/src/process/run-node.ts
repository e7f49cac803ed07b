import { execFile } from "node:child_process";

/** What a child process did. */
export interface ProcessResult {
  /** The exit code: 0 on success, 1 when the child was killed or gave no numeric code. */
  readonly code: number;
  /** Everything it wrote to standard output, as UTF-8 text. */
  readonly stdout: string;
  /** Everything it wrote to standard error, as UTF-8 text. */
  readonly stderr: string;
}

/** Where and how a child process runs. */
export interface RunNodeOptions {
  /** The child's working directory. */
  readonly cwd: string;
  /** The child's whole environment (nothing is inherited); see `cleanEnv`. */
  readonly env: NodeJS.ProcessEnv;
  /** Milliseconds before the child is killed. Default 120,000. */
  readonly timeoutMs?: number;
}

/**
 * Runs `node …args` (the running Node's executable) and collects its exit code and output; never rejects
 * on a non-zero exit.
 *
 * @param args - the arguments, the script first.
 * @param options - working directory, environment (see `cleanEnv`), timeout.
 * @returns the exit code, stdout and stderr.
 */
export function runNode(args: readonly string[], options: RunNodeOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
