import { type ProcessResult, type RunProcessOptions, runProcess } from "@tidemark/testkit/process";

/** What a finished command did, with how long it took. */
export interface CommandResult extends ProcessResult {
  /** Wall-clock duration, in milliseconds. */
  readonly durationMs: number;
}

/** Where and how a command runs. */
export type RunCommandOptions = RunProcessOptions;

/**
 * Runs a program found on PATH (no shell) like `runProcess`, and times it.
 *
 * @param file - the program, for example `npm` or an installed bin's path.
 * @param args - its arguments.
 * @param options - working directory, environment, time limit.
 * @returns the exit code (1 when it was killed), stdout, stderr and the duration.
 */
export async function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const started = performance.now();
  const result = await runProcess(file, args, options);
  return { ...result, durationMs: performance.now() - started };
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
