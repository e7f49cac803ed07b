import { createInterface } from "node:readline/promises";
import type { CliIo } from "./cli-io.js";

/**
 * Asks a yes/no question on `io.stderr` and reads one line from `io.stdin`.
 *
 * @param io - the streams; call only when `io.stdin.isTTY`.
 * @param question - the question, for example `Delete 12 keys of …?`; ` [y/N] ` is appended.
 * @returns true for "y" or "yes" (any case, surrounding blanks ignored), false for anything else,
 *   including end of input.
 */
export async function confirm(io: CliIo, question: string): Promise<boolean> {
  const prompt = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      prompt.once("close", () => resolve(""));
      prompt.question(`${question} [y/N] `).then(resolve, () => resolve(""));
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/** A person answered "no" to a confirmation: nothing was written. Exits 1 (`EXIT_CODES.FAILURE`). */
export class ConfirmationDeclinedError extends Error {
  /** @param what - what was not done, for example `deleting 12 keys of asset "orders"`. */
  constructor(what: string) {
    super(`aborted ${what}: the answer was not y or yes; nothing was deleted`);
    this.name = "ConfirmationDeclinedError";
  }
}
