import { NO_REGION_ID, REGION_ID_PATTERN, StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import { createTaskInstance } from "../../metadata/task-instances.js";
import { withCliDatabase } from "../cli-context.js";
import { commandGroup } from "../command-group.js";
import { printJson, taskInstanceJson } from "../json-output.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function mapIndex(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < -1) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `--map-index must be an integer >= -1 (-1 for a task that is not mapped), got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function regionIdOption(value: string): string {
  if (!REGION_ID_PATTERN.test(value.trim())) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `--region-id must be a UUID such as ${NO_REGION_ID} (the all-zero UUID for a task in no region), got ${JSON.stringify(value)}`,
    );
  }
  return value.trim().toLowerCase();
}

/**
 * Registers `tidemark task-instances create`.
 *
 * @param program - the root command.
 */
export function registerTaskInstancesCommands(program: Command): void {
  const group = commandGroup(program, "task-instances", "Create and inspect task instances");

  group
    .command("create")
    .description(
      "Create a task instance (and its dag run if needed) with its inlet and outlet assets; prints it as JSON with its id",
    )
    .requiredOption("--dag-id <id>", "dag id")
    .requiredOption("--run-id <id>", "dag run id")
    .requiredOption("--task-id <id>", "task id")
    .option(
      "--map-index <n>",
      "map index (in a region: the region index); -1 for a task that is not mapped",
      "-1",
    )
    .option(
      "--region-id <uuid>",
      "region the task instance runs in (Airflow 3.4); default the all-zero UUID, no region",
      NO_REGION_ID,
    )
    .option("--inlet <name>", "name of a registered active asset the task reads (repeatable)", collect, [])
    .option("--outlet <name>", "name of a registered active asset the task writes (repeatable)", collect, [])
    .action(
      async (
        options: {
          dagId: string;
          runId: string;
          taskId: string;
          mapIndex: string;
          regionId: string;
          inlet: string[];
          outlet: string[];
        },
        command: Command,
      ) => {
        const index = mapIndex(options.mapIndex);
        const regionId = regionIdOption(options.regionId);
        await withCliDatabase(command, async ({ database }) => {
          const ti = await createTaskInstance(database, {
            dagId: options.dagId,
            runId: options.runId,
            taskId: options.taskId,
            mapIndex: index,
            regionId,
            inlets: options.inlet,
            outlets: options.outlet,
          });
          printJson(taskInstanceJson(ti));
        });
      },
    );
}
