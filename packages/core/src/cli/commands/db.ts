import { StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import { migrate, resetDatabase } from "../../migrations/migrate.js";
import { withCliDatabase } from "../cli-context.js";
import { commandGroup } from "../command-group.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Registers `tidemark db migrate` and `tidemark db reset --yes`.
 *
 * @param program - the root command.
 */
export function registerDbCommands(program: Command): void {
  const db = commandGroup(program, "db", "Manage the metastore's schema (database.url)");

  db.command("migrate")
    .description("Create or upgrade the metastore's tables; idempotent and safe beside running servers")
    .action(async (_options: unknown, command: Command) => {
      await withCliDatabase(
        command,
        async ({ database }) => {
          const { applied } = await migrate(database);
          process.stdout.write(
            applied.length === 0
              ? `The metastore ${database.displayUrl} is up to date.\n`
              : `Applied ${plural(applied.length, "migration")} to ${database.displayUrl}: ${applied.join(", ")}\n`,
          );
        },
        { migrate: false },
      );
    });

  db.command("reset")
    .description("Drop every Tidemark table and create them again, empty (all state is lost)")
    .option("--yes", "confirm that everything in the metastore may be deleted")
    .action(async (options: { yes?: boolean }, command: Command) => {
      if (!options.yes) {
        throw new StateStoreError(
          "INVALID_VALUE",
          "refusing to reset the metastore without --yes: every dag run, task instance, asset and all task and asset state would be deleted; run `tidemark db reset --yes` to confirm",
        );
      }
      await withCliDatabase(
        command,
        async ({ database }) => {
          const { reverted, applied } = await resetDatabase(database);
          process.stdout.write(
            `Reset ${database.displayUrl}: reverted ${plural(reverted.length, "migration")} and applied ${plural(applied.length, "migration")}; the metastore is empty.\n`,
          );
        },
        { migrate: false },
      );
    });
}
