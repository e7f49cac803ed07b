import type { DeclaredAsset } from "./asset.js";

/**
 * The states a worker reports through `PATCH /execution/task-instances/{ti_id}/state`: `running` when the
 * task starts, then `success`, `failed`, or `up_for_retry` when it failed with retries left.
 */
export type ReportableTaskInstanceState = "running" | "success" | "failed" | "up_for_retry";

/**
 * A task instance as the Execution API returns it (`GET /execution/task-instances/{ti_id}`), camelCased.
 * The worker builds the task's context from this, the server's truth, not from local guesses.
 */
export interface TaskInstanceInfo {
  /** The task instance id (the `sub` of its token). */
  readonly id: string;
  /** The dag id (`dag_id` on the wire). */
  readonly dagId: string;
  /** The dag run id (`run_id` on the wire). */
  readonly runId: string;
  /** The task id (`task_id` on the wire). */
  readonly taskId: string;
  /** -1 for a task that is not mapped. */
  readonly mapIndex: number;
  /** The current state as the server knows it, for example `queued` or `running`. */
  readonly state: string | null;
  /** The attempt number, starting at 1. */
  readonly tryNumber: number;
  /** Assets the task instance reads: it may use their asset state. */
  readonly inlets: readonly DeclaredAsset[];
  /** Assets the task instance writes: it may use their asset state. */
  readonly outlets: readonly DeclaredAsset[];
}

/** A stored value with its version, as `GET /execution/store/…` returns it. */
export interface VersionedValue<T = unknown> {
  /** The stored JSON value (for an offloaded value: the reference envelope, at the client level). */
  readonly value: T;
  /** Incremented by every write, starting at 1; pass it as `ifVersion` for compare-and-set. */
  readonly version: number | null;
}
