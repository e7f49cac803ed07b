import { expect } from "vitest";
import type { CliResult } from "./run-tidemark.js";

/**
 * Creates task instance `t` of dag `d`, run `r` with `tidemark task-instances create` and expects it to
 * succeed (the failure message is the command's stderr).
 *
 * @param run - runs `tidemark …args` in the case's directory and environment.
 * @param options - the names or uris of the assets the task reads (`--inlet`, each registered before).
 * @returns the task instance's id.
 */
export async function cliCreateTaskInstance(
  run: (...args: string[]) => Promise<CliResult>,
  options: { inlets?: readonly string[] } = {},
): Promise<string> {
  const inlets = (options.inlets ?? []).flatMap((inlet) => ["--inlet", inlet]);
  const created = await run(
    "task-instances",
    "create",
    "--dag-id",
    "d",
    "--run-id",
    "r",
    "--task-id",
    "t",
    ...inlets,
  );
  expect(created.code, created.stderr).toBe(0);
  return (JSON.parse(created.stdout) as { id: string }).id;
}
