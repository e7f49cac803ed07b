import type { ApiClient } from "../api/api-client";
import type { TaskInstanceRef } from "../api/task-instance-ref";
import type { DagRunSummary, TaskInstanceSummary } from "../api/wire-types";
import { listAllTaskInstances } from "./list-all-task-instances";

/**
 * A dag run as the task instance page reads it: Tidemark's `{dag_id, run_id, created_at}`, plus Airflow's
 * `logical_date`, `run_after` and `state` when a server sends them.
 */
export type DagRunFacts = DagRunSummary & {
  readonly logical_date?: string | null;
  readonly run_after?: string | null;
  readonly state?: string | null;
};

/** What the task instance page shows above the keys; undefined members were not found. */
export interface TaskInstanceFacts {
  readonly run: DagRunFacts | undefined;
  readonly instance: TaskInstanceSummary | undefined;
}

/**
 * Reads the dag run and the task instance a task instance page names, through the browsing endpoints
 * (searching by run id and task id, then matching exactly).
 *
 * @param client - the API client.
 * @param ti - the task instance.
 * @returns the run and the task instance, each undefined when the server does not know it; throws
 *   ApiError when a request fails (404 for an unknown dag or run).
 */
export async function loadTaskInstanceFacts(
  client: ApiClient,
  ti: TaskInstanceRef,
): Promise<TaskInstanceFacts> {
  const [runs, instances] = await Promise.all([
    client.listDagRuns(ti.dagId, { search: ti.runId, limit: 100 }),
    listAllTaskInstances(client, ti.dagId, ti.runId, ti.taskId),
  ]);
  return {
    run: runs.items.find((run) => run.run_id === ti.runId),
    instance: instances.find((i) => i.task_id === ti.taskId && i.map_index === ti.mapIndex),
  };
}
