import { isStateStoreError, NO_REGION_ID } from "@tidemark/state";
import type { Command } from "commander";
import type { StateStoreAccess } from "../../state-admin/state-store-access.js";
import type { TaskInstanceListJson, TaskInstanceSummaryJson } from "../../state-admin/wire-types.js";
import { commandGroup } from "../command-group.js";
import { printList } from "../list-output.js";
import { outputFormat } from "../output-format.js";
import { addOutputOption, addPageOptions, type PageFlags } from "../page-options.js";
import { type AccessFlags, addAccessOptions, withStateAccess } from "../state-store-target.js";

type Flags = AccessFlags & PageFlags & { dagId: string; runId?: string; output?: string };

/** Most runs read per request while walking a dag's runs. */
const RUN_PAGE = 1000;

async function allRunIds(access: StateStoreAccess, dagId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += RUN_PAGE) {
    let page: { dag_runs: readonly { run_id: string }[] };
    try {
      page = await access.listDagRuns(dagId, { limit: RUN_PAGE, offset });
    } catch (error) {
      // A dag without runs has no task instances.
      if (isStateStoreError(error) && error.code === "DAG_RUN_NOT_FOUND") return [];
      throw error;
    }
    ids.push(...page.dag_runs.map((r) => r.run_id));
    if (page.dag_runs.length < RUN_PAGE) return ids;
  }
}

/**
 * One page of the task instances of every run of a dag (runs newest first, then as each run lists them):
 * one request per run, each asking only for the part of the page that run supplies.
 */
async function acrossRuns(
  access: StateStoreAccess,
  dagId: string,
  page: PageFlags,
): Promise<TaskInstanceListJson> {
  const items: TaskInstanceSummaryJson[] = [];
  let skip = page.offset;
  let total = 0;
  for (const runId of await allRunIds(access, dagId)) {
    const need = page.limit - items.length;
    const list = await access.listTaskInstances(dagId, runId, { limit: Math.max(need, 0), offset: skip });
    total += list.total_entries;
    items.push(...list.task_instances.slice(0, Math.max(need, 0)));
    skip = Math.max(0, skip - list.total_entries);
  }
  return { task_instances: items, total_entries: total };
}

/**
 * Registers `tidemark task-instances list --dag-id D [--run-id R]`: the task instances of one dag run
 * (`GET …/dagRuns/{run_id}/taskInstances`, by task id, region and map index) or of every run of the dag
 * (runs newest first), each with its state, try number and live task state key count, on the configured
 * database or through `--api-url`.
 *
 * @param program - the root command.
 */
export function registerTaskInstancesListCommand(program: Command): void {
  const group = commandGroup(program, "task-instances", "Create and inspect task instances");
  addOutputOption(
    addAccessOptions(
      addPageOptions(
        group
          .command("list")
          .description(
            "List the task instances of a dag run, or of every run of a dag (newest run first), with their state key counts",
          )
          .requiredOption("--dag-id <id>", "the dag id")
          .option("--run-id <id>", "only this dag run (default: every run of the dag)"),
        "task instances",
      ),
    ),
  ).action(async (flags: Flags, command: Command) => {
    const format = outputFormat(flags.output);
    await withStateAccess(command, flags, async ({ access }) => {
      const page = { limit: flags.limit, offset: flags.offset };
      const list =
        flags.runId === undefined
          ? await acrossRuns(access, flags.dagId, page)
          : await access.listTaskInstances(flags.dagId, flags.runId, page);
      const regions = list.task_instances.some((t) => (t.region_id ?? NO_REGION_ID) !== NO_REGION_ID);
      const where =
        flags.runId === undefined
          ? `dag ${JSON.stringify(flags.dagId)}`
          : `dag run dag_id=${JSON.stringify(flags.dagId)} run_id=${JSON.stringify(flags.runId)}`;
      printList({
        format,
        json: list,
        headers: [
          "RUN ID",
          "TASK ID",
          "MAP INDEX",
          ...(regions ? ["REGION ID"] : []),
          "STATE",
          "TRY",
          "STATE KEYS",
          "ID",
        ],
        rows: list.task_instances.map((t) => [
          t.run_id,
          t.task_id,
          String(t.map_index),
          ...(regions ? [t.region_id ?? NO_REGION_ID] : []),
          t.state ?? "none",
          String(t.try_number),
          String(t.state_key_count),
          t.id,
        ]),
        empty: `No task instances for ${where}.`,
        noun: "task instances",
        offset: flags.offset,
        total: list.total_entries,
      });
    });
  });
}
