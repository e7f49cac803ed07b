/** Identifies one task instance, the scope of task state: (dag_id, run_id, task_id, map_index). */
export interface TaskInstanceRef {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** -1 for an unmapped task. */
  readonly mapIndex: number;
}

/**
 * Names a task instance for people, e.g. `dag "etl" / run "manual__1" / task "load" / map index 2`.
 *
 * @param ti - the task instance.
 * @returns the description; an unmapped task (map index -1) says "unmapped".
 */
export function describeTaskInstance(ti: TaskInstanceRef): string {
  return `dag “${ti.dagId}” / run “${ti.runId}” / task “${ti.taskId}” / ${describeMapIndex(ti.mapIndex)}`;
}

/**
 * Words for a map index.
 *
 * @param mapIndex - -1 for an unmapped task, else 0 or more.
 * @returns "map index -1 (unmapped)" or "map index N".
 */
export function describeMapIndex(mapIndex: number): string {
  return mapIndex === -1 ? "map index -1 (unmapped)" : `map index ${mapIndex}`;
}
