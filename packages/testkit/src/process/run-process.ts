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
export interface RunProcessOptions {
  /** The child's working directory. */
  readonly cwd: string;
  /** The child's whole environment (nothing is inherited); see `cleanEnv`. */
  readonly env: NodeJS.ProcessEnv;
  /** Milliseconds before the child is killed. Default 120,000. */
  readonly timeoutMs?: number;
}

/**
 * Runs a program (found on the child's PATH, no shell) and collects its exit code and output; never
 * rejects on a non-zero exit, so a test can show the output of a failure. Output is kept up to 64 MiB
 * per stream.
 *
 * @param file - the program, for example `npm` or a script's path.
 * @param args - its arguments.
 * @param options - working directory, environment (see `cleanEnv`), timeout.
 * @returns the exit code, stdout and stderr.
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
