import { isStateStoreError } from "@tidemark/state";
import { type Command, CommanderError } from "commander";
import { buildProgram } from "./build-program.js";
import { type CliIo, setCliIo } from "./cli-io.js";
import { exitCodeOf } from "./exit-codes.js";

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

/** Makes commander throw instead of exiting, on every command, so one place sets the exit code. */
function throwOnExit(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwOnExit(sub);
}

/**
 * Runs the `tidemark` program on an argument vector. Errors go to stderr and set `process.exitCode`
 * from the exit code table (`exitCodeOf`: 2 usage, 3 not found, 4 conflict, 5 unavailable, 1 other);
 * commander prints its own usage errors, which exit 2.
 *
 * @param argv - `process.argv` (node, script, then the arguments).
 * @param io - streams for prompts instead of the process's (`stdin` with `isTTY`, `stderr`).
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<void> {
  const program = buildProgram();
  setCliIo(program, io);
  throwOnExit(program);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Commander has already printed its message (and help or version, which exit 0).
    if (!(error instanceof CommanderError)) reportCliError(error);
    process.exitCode = exitCodeOf(error);
  }
}
