import { type ProcessResult, runNode } from "@tidemark/testkit/process";
import { BIN } from "./built.js";

/** What a `tidemark` process did. */
export type CliResult = ProcessResult;

/**
 * Runs `node bin/tidemark.js …args` and collects its exit code and output.
 *
 * @param args - the arguments.
 * @param options - working directory and environment (use `cleanEnv` of `@tidemark/testkit/process`).
 */
export function runTidemark(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return runNode([BIN, ...args], options);
}
