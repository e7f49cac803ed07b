import { isStateStoreError } from "@tidemark/state";
import { buildProgram } from "./build-program.js";

/**
 * Writes an error to stderr as `error: <message> [CODE]`, with the cause's message when there is one.
 *
 * @param error - what a command threw.
 */
export function reportCliError(error: unknown): void {
  if (isStateStoreError(error)) {
    process.stderr.write(`error: ${error.message} [${error.code}]\n`);
    return;
  }
  process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
}

/**
 * Runs the `tidemark` program on an argument vector; errors go to stderr and set a non-zero exit code
 * (`process.exitCode = 1`); usage errors exit through commander with its message.
 *
 * @param argv - `process.argv` (node, script, then the arguments).
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    reportCliError(error);
    process.exitCode = 1;
  }
}
