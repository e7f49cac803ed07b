/** An active or deactivated asset as the metastore records it. */
export interface ExecutionAsset {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
}

/** A task instance with what the Execution API needs: identity, state, try number, declared assets. */
export interface ExecutionTaskInstance {
  readonly id: string;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** The region (Airflow 3.4), a lower-case UUID; absent or the all-zero UUID when in none. */
  readonly regionId?: string;
  readonly mapIndex: number;
  readonly state: string | null;
  readonly tryNumber: number;
  readonly inlets: readonly ExecutionAsset[];
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
