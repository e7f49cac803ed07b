import type { Command } from "commander";
import { deactivateAsset, listAssets, registerAsset } from "../../metadata/assets.js";
import { withCliDatabase } from "../cli-context.js";
import { commandGroup } from "../command-group.js";
import { assetJson, printJson } from "../json-output.js";
import { printList } from "../list-output.js";
import { outputFormat } from "../output-format.js";
import { addOutputOption, addPageOptions, type PageFlags } from "../page-options.js";

/**
 * Registers `tidemark assets register|deactivate|list`; `list` takes `--limit`, `--offset` and
 * `--output table|json` and says so plainly when there is no asset.
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

  addOutputOption(
    addPageOptions(
      assets
        .command("list")
        .description("List assets in id order (JSON, or a table on a terminal)")
        .option("--active-only", "only active assets"),
      "assets",
    ),
  ).action(async (options: PageFlags & { activeOnly?: boolean; output?: string }, command: Command) => {
    const format = outputFormat(options.output);
    await withCliDatabase(command, async ({ database }) => {
      const page = await listAssets(database, {
        activeOnly: options.activeOnly === true,
        limit: options.limit,
        offset: options.offset,
      });
      printList({
        format,
        json: { assets: page.assets.map(assetJson), total_entries: page.total },
        headers: ["ID", "NAME", "URI", "ACTIVE", "UPDATED AT"],
        rows: page.assets.map((a) => [
          String(a.id),
          a.name,
          a.uri,
          a.active ? "yes" : "no",
          a.updatedAt.toISOString(),
        ]),
        empty: options.activeOnly
          ? "No active assets; register one with tidemark assets register --name NAME."
          : "No assets; register one with tidemark assets register --name NAME.",
        noun: "assets",
        offset: options.offset,
        total: page.total,
      });
    });
  });
}
