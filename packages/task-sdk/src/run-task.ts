import { loadConfig, type TidemarkConfig } from "@tidemark/config";
import { StateStoreError, taskScope, type WorkerStoreBackend } from "@tidemark/state";
import { assetMatches, describeAsset } from "./asset.js";
import { AssetStateStoreAccessors } from "./asset-state-store-accessors.js";
import type { Clock } from "./clock.js";
import { defineTask, type TaskDefinition } from "./define-task.js";
import type { ExecutionApiClient } from "./execution-api-client.js";
import { loadWorkerBackend } from "./load-worker-backend.js";
import type { TaskContext } from "./task-context.js";
import type { TaskInstanceInfo } from "./task-instance-info.js";
import { createConsoleTaskLogger, type TaskLogger } from "./task-logger.js";
import { TaskStateStoreAccessor } from "./task-state-store-accessor.js";
import { workerSettingsFromConfig } from "./worker-settings.js";

/** Options of {@link runTask}. */
export interface RunTaskOptions<R> {
  /** The Execution API client, holding the task instance's token. */
  readonly client: ExecutionApiClient;
  /** The task instance to run (or give `taskInstance`). */
  readonly taskInstanceId?: string;
  /** The task instance to run, as `{id}` or a full `TaskInstanceInfo`; it is fetched again from the API. */
  readonly taskInstance?: {
    /** The task instance id. */
    readonly id: string;
  };
  /** The task. */
  readonly task: TaskDefinition<R>;
  /** The configuration. Default `loadConfig()` (tidemark.toml and TIDEMARK__* variables). */
  readonly config?: TidemarkConfig;
  /**
   * The worker backend. Absent: loaded from `workers.state_store_backend` (none when empty); null: none,
   * whatever the configuration says.
   */
  readonly workerBackend?: WorkerStoreBackend | null;
  /** The task's logger. Default a JSON-lines logger on stderr at `logging.level`. */
  readonly log?: TaskLogger;
  /** The clock task state retention is computed from. Default the system clock. */
  readonly clock?: Clock;
}

/** What {@link runTask} reports. */
export interface TaskRunResult<R> {
  /** The state reported to the Execution API. */
  readonly state: "success" | "failed" | "up_for_retry";
  /** The task instance as the attempt saw it (fetched after reporting `running`). */
  readonly taskInstance: TaskInstanceInfo;
  /** What `execute` returned, on success. */
  readonly returnValue?: R;
  /** What `execute` threw, on failure. */
  readonly error?: unknown;
  /**
   * With `state_store.clear_on_success`: the worker backend's failure to clear the task instance's objects
   * after the success was reported (the rows are gone; the objects are orphaned). Undefined otherwise.
   */
  readonly cleanupError?: unknown;
}

/**
 * Runs one task instance on a worker (reference: the task runner's `run` and
 * `_handle_current_task_success`):
 * 1. fetches the task instance from the Execution API (the server's truth: ids, inlets, outlets) and
 *    checks the task definition matches it;
 * 2. reports `running` (the server starts a new try after `up_for_retry`), reads the task instance again
 *    for the try number, builds the {@link TaskContext} and runs `task.execute(ctx)`;
 * 3. reports `success`, or `up_for_retry` when the attempt failed and `tryNumber <= task.retries`, else
 *    `failed`;
 * 4. on success with `state_store.clear_on_success`, clears the worker backend's objects of the task
 *    instance (the server cleared the rows in the same transaction as the success).
 *
 * Task failures are reported, not thrown. Infrastructure failures are thrown.
 *
 * @param options - client, task instance, task, configuration, worker backend, logger, clock.
 * @returns the reported state with the return value or the error.
 * @throws StateStoreError `CONFIG_ERROR` for a task definition of another task or no task instance id, a
 *   worker backend that cannot be loaded; the client's errors when the task instance cannot be fetched or
 *   its state cannot be reported (`UNAUTHORIZED`, `TASK_INSTANCE_NOT_FOUND`, `BACKEND_UNAVAILABLE`, …).
 */
export async function runTask<R>(options: RunTaskOptions<R>): Promise<TaskRunResult<R>> {
  const task = defineTask(options.task);
  const tiId = options.taskInstanceId ?? options.taskInstance?.id;
  if (typeof tiId !== "string" || tiId === "") {
    throw new StateStoreError("CONFIG_ERROR", "runTask needs taskInstanceId (or taskInstance.id)");
  }
  const config = options.config ?? loadConfig();
  const settings = workerSettingsFromConfig(config);
  const backend =
    options.workerBackend !== undefined ? options.workerBackend : await loadWorkerBackend(config);
  const { client } = options;

  const fetched = await client.getTaskInstance(tiId);
  const log =
    options.log ??
    createConsoleTaskLogger({
      level: config.logging.level as "info",
      bindings: {
        ti_id: fetched.id,
        dag_id: fetched.dagId,
        run_id: fetched.runId,
        task_id: fetched.taskId,
        map_index: fetched.mapIndex,
      },
    });
  if (task.taskId !== undefined && task.taskId !== fetched.taskId) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `task definition ${JSON.stringify(task.taskId)} cannot run task instance ${fetched.id} of task ${JSON.stringify(fetched.taskId)}`,
    );
  }
  // Reporting running starts the attempt (the server counts a new try after up_for_retry); read the
  // task instance again so the context carries the try being run.
  await client.setTaskInstanceState(fetched.id, "running");
  const ti = await client.getTaskInstance(fetched.id);
  const declared = [...ti.inlets, ...ti.outlets];
  for (const asset of [...(task.inlets ?? []), ...(task.outlets ?? [])]) {
    if (!declared.some((d) => assetMatches(asset, d))) {
      log.warn(
        { asset: describeAsset(asset) },
        `the task definition declares ${describeAsset(asset)}, but the Execution API does not list it among the task instance's inlets or outlets; its asset state will be refused`,
      );
    }
  }

  const scope = taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex });
  const taskStateStore = new TaskStateStoreAccessor({
    client,
    taskInstanceId: ti.id,
    scope,
    settings,
    backend,
    log,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const ctx: TaskContext = Object.freeze({
    ti,
    dagRun: Object.freeze({ dagId: ti.dagId, runId: ti.runId }),
    dagId: ti.dagId,
    runId: ti.runId,
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    tryNumber: ti.tryNumber,
    taskStateStore,
    assetStateStore: new AssetStateStoreAccessors({ client, declared, settings, backend, log }),
    log,
  });

  let returnValue: R;
  try {
    returnValue = await task.execute(ctx);
  } catch (error) {
    const state = ti.tryNumber <= (task.retries ?? 0) ? "up_for_retry" : "failed";
    log.error(
      { err: error, try_number: ti.tryNumber, retries: task.retries ?? 0 },
      `task failed on try ${ti.tryNumber}; reporting ${state}`,
    );
    await client.setTaskInstanceState(ti.id, state);
    return { state, taskInstance: ti, error };
  }
  await client.setTaskInstanceState(ti.id, "success");
  if (settings.clearOnSuccess && backend !== null) {
    log.info(
      "task state is cleared by the server because clear_on_success is enabled; clearing worker backend objects",
    );
    try {
      await taskStateStore.clearWorkerBackend();
    } catch (cleanupError) {
      log.error(
        { err: cleanupError },
        "clear_on_success: the worker backend failed to clear the task instance's objects",
      );
      return { state: "success", taskInstance: ti, returnValue, cleanupError };
    }
  }
  return { state: "success", taskInstance: ti, returnValue };
}
