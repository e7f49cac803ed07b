import type { AssetStateStoreAccessors } from "./asset-state-store-accessors.js";
import type { TaskInstanceInfo } from "./task-instance-info.js";
import type { TaskLogger } from "./task-logger.js";
import type { TaskStateStoreAccessor } from "./task-state-store-accessor.js";

/** The dag run a task instance belongs to. */
export interface DagRunInfo {
  /** The dag id. */
  readonly dagId: string;
  /** The dag run id. */
  readonly runId: string;
}

/**
 * What `task.execute(ctx)` receives, built by `runTask` from the Execution API's view of the task
 * instance. Reference: the task context (`context["task_state_store"]`, `context["asset_state_store"]`,
 * `context["ti"]`, `context["dag_run"]`).
 */
export interface TaskContext {
  /** The task instance as the server reported it (ids, map index, try number, inlets, outlets). */
  readonly ti: TaskInstanceInfo;
  /** The dag run. */
  readonly dagRun: DagRunInfo;
  /** The dag id. */
  readonly dagId: string;
  /** The dag run id. */
  readonly runId: string;
  /** The task id. */
  readonly taskId: string;
  /** -1 for a task that is not mapped. */
  readonly mapIndex: number;
  /** The attempt number, starting at 1. */
  readonly tryNumber: number;
  /** Task state of this task instance. */
  readonly taskStateStore: TaskStateStoreAccessor;
  /** Asset state of the declared inlets and outlets. */
  readonly assetStateStore: AssetStateStoreAccessors;
  /** The task's logger (pino-compatible). */
  readonly log: TaskLogger;
}
