import { StateStoreError } from "@tidemark/state";
import type { AssetLike } from "./asset.js";
import type { TaskContext } from "./task-context.js";

/**
 * A task: what `runTask` executes. `inlets` and `outlets` document the assets the task uses; the
 * Execution API's record of the task instance is what grants access (runTask warns when they differ).
 */
export interface TaskDefinition<R = unknown> {
  /** The task id; when given, runTask refuses a task instance of another task. */
  readonly taskId?: string;
  /** Assets the task reads. */
  readonly inlets?: readonly AssetLike[];
  /** Assets the task writes. */
  readonly outlets?: readonly AssetLike[];
  /**
   * How many times a failed attempt is retried (default 0). A failure of attempt `tryNumber` is reported
   * as `up_for_retry` while `tryNumber <= retries`, else as `failed` (Airflow's rule: tries 1…retries+1).
   */
  readonly retries?: number;
  /** The task's work. Its return value becomes `TaskRunResult.returnValue`; a throw fails the attempt. */
  execute(ctx: TaskContext): R | Promise<R>;
}

/**
 * Checks and freezes a task definition.
 *
 * @example
 * ```ts
 * const load = defineTask({
 *   taskId: "load_orders",
 *   inlets: [orders],
 *   retries: 2,
 *   async execute(ctx) {
 *     const since = await ctx.assetStateStore.get("watermark", "1970-01-01T00:00:00Z");
 *     …
 *   },
 * });
 * ```
 *
 * @param definition - the task.
 * @returns the same definition, frozen.
 * @throws StateStoreError `CONFIG_ERROR` for a missing `execute`, an empty `taskId` or a `retries` that
 *   is not an integer >= 0.
 */
export function defineTask<R>(definition: TaskDefinition<R>): TaskDefinition<R> {
  if (typeof definition?.execute !== "function") {
    throw new StateStoreError("CONFIG_ERROR", "a task definition needs an execute(ctx) function");
  }
  if (
    definition.taskId !== undefined &&
    (typeof definition.taskId !== "string" || definition.taskId === "")
  ) {
    throw new StateStoreError("CONFIG_ERROR", "a task definition's taskId must be a non-empty string");
  }
  const retries = definition.retries ?? 0;
  if (!Number.isSafeInteger(retries) || retries < 0) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `a task definition's retries must be an integer >= 0, got ${String(definition.retries)}`,
    );
  }
  return Object.freeze({ ...definition });
}
