import type { Command } from "commander";
import { commandGroup } from "../command-group.js";
import { printList } from "../list-output.js";
import { outputFormat } from "../output-format.js";
import { addOutputOption, addPageOptions, type PageFlags } from "../page-options.js";
import { type AccessFlags, addAccessOptions, withStateAccess } from "../state-store-target.js";

type Flags = AccessFlags & PageFlags & { output?: string; search?: string };

/**
 * Registers `tidemark dags list`: the dags that have dag runs, in dag id order, with their run counts
 * (`GET /api/v2/dags`), on the configured database or through `--api-url`.
 *
 * @param program - the root command.
 */
export function registerDagsCommands(program: Command): void {
  const dags = commandGroup(program, "dags", "List dags");
  addOutputOption(
    addAccessOptions(
      addPageOptions(
        dags
          .command("list")
          .description("List the dags that have dag runs, in dag id order, with their run counts")
          .option("--search <text>", "only dag ids containing this text (case-insensitive)"),
        "dags",
      ),
    ),
  ).action(async (flags: Flags, command: Command) => {
    const format = outputFormat(flags.output);
    await withStateAccess(command, flags, async ({ access, where }) => {
      const list = await access.listDags({
        limit: flags.limit,
        offset: flags.offset,
        ...(flags.search === undefined ? {} : { search: flags.search }),
      });
      printList({
        format,
        json: list,
        headers: ["DAG ID", "DAG RUNS"],
        rows: list.dags.map((d) => [d.dag_id, String(d.dag_run_count)]),
        empty:
          flags.search === undefined
            ? `No dags in ${where}; a dag appears with its first dag run (tidemark task-instances create).`
            : `No dag ids containing ${JSON.stringify(flags.search)} in ${where}.`,
        noun: "dags",
        offset: flags.offset,
        total: list.total_entries,
      });
    });
  });
}
