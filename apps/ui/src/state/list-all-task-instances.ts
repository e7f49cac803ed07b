import type { ApiClient } from "../api/api-client";
import type { TaskInstanceSummary } from "../api/wire-types";

/** Most task instances the UI reads for one run and search (the pickers ask to narrow beyond it). */
export const TASK_INSTANCE_SCAN_LIMIT = 5000;

/**
 * Reads every task instance of a dag run whose task_id contains `search` (pages of 100 until the total,
 * at most {@link TASK_INSTANCE_SCAN_LIMIT}), so that tasks can be grouped and map indices counted.
 *
 * @param client - the API client.
 * @param dagId - the dag.
 * @param runId - the run.
 * @param search - case-insensitive task_id substring ("" for all).
 * @returns the task instances in server order (task_id, map_index); throws ApiError on failure.
 */
export async function listAllTaskInstances(
  client: ApiClient,
  dagId: string,
  runId: string,
  search: string,
): Promise<TaskInstanceSummary[]> {
  const all: TaskInstanceSummary[] = [];
  for (;;) {
    const page = await client.listTaskInstances(dagId, runId, {
      limit: 100,
      offset: all.length,
      ...(search ? { search } : {}),
    });
    all.push(...page.items);
    if (page.items.length === 0 || all.length >= page.total || all.length >= TASK_INSTANCE_SCAN_LIMIT)
      return all;
  }
}

/** One task of a run with its map indices, for the task picker. */
export interface TaskGroup {
  readonly taskId: string;
  readonly instances: readonly TaskInstanceSummary[];
  /** Sum of `state_key_count` over the instances. */
  readonly keyCount: number;
}

/**
 * Groups task instances by task_id, keeping the server's order.
 *
 * @param instances - task instances of one run.
 * @returns one group per task_id.
 */
export function groupByTask(instances: readonly TaskInstanceSummary[]): TaskGroup[] {
  const groups = new Map<string, TaskInstanceSummary[]>();
  for (const ti of instances) {
    const list = groups.get(ti.task_id) ?? [];
    list.push(ti);
    groups.set(ti.task_id, list);
  }
  return [...groups].map(([taskId, list]) => ({
    taskId,
    instances: list,
    keyCount: list.reduce((sum, ti) => sum + ti.state_key_count, 0),
  }));
}
