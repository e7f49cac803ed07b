import { StateStoreError } from "@tidemark/state";

/**
 * The states of a task instance, Airflow's `TaskInstanceState` values. The Execution API lets workers
 * report `running`, `success`, `failed` and `up_for_retry`; the others exist for the scheduler and UI.
 */
export const TASK_INSTANCE_STATES = Object.freeze([
  "scheduled",
  "queued",
  "running",
  "success",
  "failed",
  "up_for_retry",
  "up_for_reschedule",
  "upstream_failed",
  "skipped",
  "removed",
  "restarting",
  "deferred",
] as const);

/** A task instance state. */
export type TaskInstanceState = (typeof TASK_INSTANCE_STATES)[number];

/**
 * Tells whether a value is a {@link TaskInstanceState}.
 *
 * @param value - anything.
 */
export function isTaskInstanceState(value: unknown): value is TaskInstanceState {
  return typeof value === "string" && (TASK_INSTANCE_STATES as readonly string[]).includes(value);
}

/**
 * Checks a task instance state.
 *
 * @param value - the state given.
 * @returns the state.
 * @throws StateStoreError `INVALID_VALUE` listing the accepted states.
 */
export function requireTaskInstanceState(value: unknown): TaskInstanceState {
  if (!isTaskInstanceState(value)) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `task instance state must be one of ${TASK_INSTANCE_STATES.map((s) => `"${s}"`).join(", ")}, got ${JSON.stringify(value) ?? String(value)}`,
      { details: { field: "state" } },
    );
  }
  return value;
}
