import { type ProcessResult, type RunProcessOptions, runProcess } from "./run-process.js";

/** Where and how a `node` child process runs; the same as {@link RunProcessOptions}. */
export type RunNodeOptions = RunProcessOptions;

/**
 * Runs `node …args` (the running Node's executable) and collects its exit code and output; never rejects
 * on a non-zero exit.
 *
 * @param args - the arguments, the script first.
 * @param options - working directory, environment (see `cleanEnv`), timeout.
 * @returns the exit code, stdout and stderr.
 */
export function runNode(args: readonly string[], options: RunNodeOptions): Promise<ProcessResult> {
  return runProcess(process.execPath, args, options);
}
