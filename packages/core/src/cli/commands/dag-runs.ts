import { isStateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import type { DagRunListJson } from "../../state-admin/wire-types.js";
import { commandGroup } from "../command-group.js";
import { printList } from "../list-output.js";
import { outputFormat } from "../output-format.js";
import { addOutputOption, addPageOptions, type PageFlags } from "../page-options.js";
import { type AccessFlags, addAccessOptions, withStateAccess } from "../state-store-target.js";

type Flags = AccessFlags & PageFlags & { dagId: string; output?: string };

/**
 * Registers `tidemark dag-runs list --dag-id D`: a dag's runs, newest first
 * (`GET /api/v2/dags/{dag_id}/dagRuns`), on the configured database or through `--api-url`. A dag
 * without runs lists none: in Tidemark a dag exists only through its runs.
 *
 * @param program - the root command.
 */
export function registerDagRunsCommands(program: Command): void {
  const runs = commandGroup(program, "dag-runs", "List dag runs");
  addOutputOption(
    addAccessOptions(
      addPageOptions(
        runs
          .command("list")
          .description("List the runs of a dag, newest first")
          .requiredOption("--dag-id <id>", "the dag id"),
        "dag runs",
      ),
    ),
  ).action(async (flags: Flags, command: Command) => {
    const format = outputFormat(flags.output);
    await withStateAccess(command, flags, async ({ access }) => {
      let list: DagRunListJson;
      try {
        list = await access.listDagRuns(flags.dagId, { limit: flags.limit, offset: flags.offset });
      } catch (error) {
        if (!isStateStoreError(error) || error.code !== "DAG_RUN_NOT_FOUND") throw error;
        list = { dag_runs: [], total_entries: 0 };
      }
      printList({
        format,
        json: list,
        headers: ["DAG ID", "RUN ID", "CREATED AT"],
        rows: list.dag_runs.map((r) => [r.dag_id, r.run_id, r.created_at]),
        empty: `No dag runs for dag ${JSON.stringify(flags.dagId)}; tidemark dags list lists the dags.`,
        noun: "dag runs",
        offset: flags.offset,
        total: list.total_entries,
      });
    });
  });
}
