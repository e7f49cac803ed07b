import type { Command } from "commander";

/**
 * Returns the sub-command `name` of `program`, creating it with `description` when it does not exist yet.
 * Command files share groups this way: `task-instances create` and `task-instances token`, or
 * `state-store clean` and `state-store list`, live in separate files that each add to the same group.
 *
 * @param program - the root command (or any parent).
 * @param name - the group name, for example `state-store`.
 * @param description - its help text, used when this call creates it.
 * @returns the group command.
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing !== undefined) return existing;
  return program.command(name).description(description);
}
