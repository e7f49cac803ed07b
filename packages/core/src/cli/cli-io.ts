import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";

/** The streams a command talks to a person through (prompts), apart from its stdout results. */
export interface CliIo {
  /** Where answers are read; a prompt is shown only when `isTTY` is true. Default `process.stdin`. */
  readonly stdin: Readable & {
    /** True for a terminal. */
    readonly isTTY?: boolean;
  };
  /** Where prompts and warnings go. Default `process.stderr`. */
  readonly stderr: Writable;
}

const streams = new WeakMap<Command, CliIo>();

/**
 * Gives a program other streams than the process's (a test drives a prompt this way).
 *
 * @param program - the root command.
 * @param io - the streams; members left out stay the process's.
 */
export function setCliIo(program: Command, io: Partial<CliIo>): void {
  streams.set(program, { stdin: io.stdin ?? process.stdin, stderr: io.stderr ?? process.stderr });
}

/**
 * The streams of the program a command belongs to.
 *
 * @param command - the running command (or any command of the program).
 * @returns the streams given with {@link setCliIo}, else the process's.
 */
export function cliIo(command: Command): CliIo {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return streams.get(root) ?? { stdin: process.stdin, stderr: process.stderr };
}
