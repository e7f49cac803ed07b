import { StateStoreError } from "@tidemark/state";
import type { Command } from "commander";

/**
 * A commander parser for an integer option.
 *
 * @param name - the option, for example `--limit`, named in the error.
 * @param min - the least value accepted.
 * @param max - the greatest value accepted. Default: no bound.
 * @returns the parser.
 * @throws StateStoreError `INVALID_VALUE` (exit 2) naming the option and the accepted range.
 */
export function integerOption(name: string, min: number, max?: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (
      !/^-?\d+$/.test(value.trim()) ||
      !Number.isSafeInteger(n) ||
      n < min ||
      (max !== undefined && n > max)
    ) {
      const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
      throw new StateStoreError(
        "INVALID_VALUE",
        `${name} must be an integer ${range}, got ${JSON.stringify(value)}`,
        {
          details: { option: name },
        },
      );
    }
    return n;
  };
}

/** The paging flags of a list command, as commander parses them. */
export interface PageFlags {
  limit: number;
  offset: number;
}

/**
 * Adds `--limit N` (0-1000, default 100) and `--offset N` (default 0), as every list command takes them.
 *
 * @param command - the command.
 * @param noun - what is listed, plural, for the help text (for example `dag runs`).
 * @returns the command.
 */
export function addPageOptions(command: Command, noun: string): Command {
  return command
    .option(`--limit <n>`, `most ${noun} listed (0-1000)`, integerOption("--limit", 0, 1000), 100)
    .option(`--offset <n>`, `${noun} skipped`, integerOption("--offset", 0), 0);
}

/**
 * Adds `-o, --output table|json`.
 *
 * @param command - the command.
 * @returns the command.
 */
export function addOutputOption(command: Command): Command {
  return command.option("-o, --output <format>", "table or json (default: table on a terminal, else json)");
}
