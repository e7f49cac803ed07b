import type { Command } from "commander";
import { deactivateAsset, listAssets, registerAsset } from "../../metadata/assets.js";
import { withCliDatabase } from "../cli-context.js";
import { commandGroup } from "../command-group.js";
import { assetJson, printJson } from "../json-output.js";

/**
 * Registers `tidemark assets register|deactivate|list`.
 *
 * @param program - the root command.
 */
export function registerAssetsCommands(program: Command): void {
  const assets = commandGroup(program, "assets", "Register, deactivate and list assets");

  assets
    .command("register")
    .description("Register an asset, or re-register (and reactivate) one; prints it as JSON")
    .requiredOption("--name <name>", "asset name (unique)")
    .option("--uri <uri>", "asset URI (default: the name for a new asset; unchanged for an existing one)")
    .action(async (options: { name: string; uri?: string }, command: Command) => {
      await withCliDatabase(command, async ({ database }) => {
        const asset = await registerAsset(database, {
          name: options.name,
          ...(options.uri === undefined ? {} : { uri: options.uri }),
        });
        printJson(assetJson(asset));
      });
    });

  assets
    .command("deactivate")
    .description("Deactivate an asset: its state becomes read-only and goes in the next state-store clean")
    .requiredOption("--name <name>", "asset name")
    .action(async (options: { name: string }, command: Command) => {
      await withCliDatabase(command, async ({ database }) => {
        printJson(assetJson(await deactivateAsset(database, options.name)));
      });
    });

  assets
    .command("list")
    .description("List assets as JSON, in id order")
    .option("--active-only", "only active assets")
    .option("--limit <n>", "most assets listed", (v) => Number.parseInt(v, 10), 100)
    .option("--offset <n>", "assets skipped", (v) => Number.parseInt(v, 10), 0)
    .action(async (options: { activeOnly?: boolean; limit: number; offset: number }, command: Command) => {
      await withCliDatabase(command, async ({ database }) => {
        const page = await listAssets(database, {
          activeOnly: options.activeOnly === true,
          limit: options.limit,
          offset: options.offset,
        });
        printJson({ assets: page.assets.map(assetJson), total_entries: page.total });
      });
    });
}
