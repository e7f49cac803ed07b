import { execFile } from "node:child_process";

/** What a finished command did. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock duration, in milliseconds. */
  readonly durationMs: number;
}

/** Where and how a command runs. */
export interface RunCommandOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Milliseconds before the command is killed. Default 120,000. */
  readonly timeoutMs?: number;
}

/**
 * Runs a program found on PATH (no shell) and collects its exit code and output; never rejects on a
 * non-zero exit, so a test can show the output of a failure.
 *
 * @param file - the program, for example `npm` or an installed bin's path.
 * @param args - its arguments.
 * @param options - working directory, environment, time limit.
 * @returns the exit code (1 when it was killed), stdout, stderr and the duration.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const started = performance.now();
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
        resolve({ code, stdout, stderr, durationMs: performance.now() - started });
      },
    );
  });
}

/**
 * Describes a failed command in a few lines for an assertion message: the command, its exit code and the
 * end of its output.
 *
 * @param what - the command as a reader would type it.
 * @param result - what it did.
 * @returns the description.
 */
export function describeFailure(what: string, result: CommandResult): string {
  const tail = (text: string) => text.trim().split("\n").slice(-30).join("\n");
  return `${what} exited with code ${result.code}\n--- stdout (end)\n${tail(result.stdout)}\n--- stderr (end)\n${tail(result.stderr)}`;
}
