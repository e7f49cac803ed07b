/** An active or deactivated asset as the metastore records it. */
export interface ExecutionAsset {
  /** The metastore's integer id (`asset.id`). */
  readonly id: number;
  /** The asset's name, unique. */
  readonly name: string;
  /** The asset's URI, unique. */
  readonly uri: string;
}

/** A task instance with what the Execution API needs: identity, state, try number, declared assets. */
export interface ExecutionTaskInstance {
  /** The task instance id, a UUID: the `ti_id` of the routes and the `sub` of its token. */
  readonly id: string;
  /** The dag's id. */
  readonly dagId: string;
  /** The dag run's id. */
  readonly runId: string;
  /** The task's id. */
  readonly taskId: string;
  /** The region (Airflow 3.4), a lower-case UUID; absent or the all-zero UUID when in none. */
  readonly regionId?: string;
  /** -1 when the task is not mapped; in a region, the region index. */
  readonly mapIndex: number;
  /** An Airflow task instance state (`queued`, `running`, …); null before it is scheduled. */
  readonly state: string | null;
  /** The attempt, from 1. */
  readonly tryNumber: number;
  /** The assets it declares as inlets: it may read and write their state. */
  readonly inlets: readonly ExecutionAsset[];
  /** The assets it declares as outlets: it may read and write their state. */
  readonly outlets: readonly ExecutionAsset[];
}

/** The states a worker may report. */
export type ExecutionReportedState = "running" | "success" | "failed" | "up_for_retry";

/**
 * What the Execution API needs from the metastore's metadata (task instances, assets), behind one small
 * interface so that the routes do not depend on how the metadata API is shaped. `createApiServer` builds
 * it over `@tidemark/core`'s metadata API.
 */
export interface ExecutionMetadata {
  /** The task instance with its inlets and outlets, or null when it does not exist. */
  getTaskInstance(id: string): Promise<ExecutionTaskInstance | null>;
  /**
   * Records a reported state. With `clearTaskState`, the task instance's task state rows (its own region
   * and map index) are deleted in the same transaction (`state_store.clear_on_success`).
   *
   * @throws StateStoreError `TASK_INSTANCE_NOT_FOUND` when it does not exist.
   */
  setTaskInstanceState(
    id: string,
    state: ExecutionReportedState,
    options: { clearTaskState: boolean },
  ): Promise<void>;
  /** The active asset with this name or uri, or null when there is none (unknown or deactivated). */
  findActiveAsset(by: { readonly name: string } | { readonly uri: string }): Promise<ExecutionAsset | null>;
}
