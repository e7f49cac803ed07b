import type { TaskInstanceRef } from "./task-instance-ref";

/**
 * Reads the task instance out of a `last_updated_by` value as the Core REST API sends it:
 * `{"kind": "task", "dag_id", "run_id", "task_id", "map_index"}` (map_index null or absent for an unmapped
 * task). Any other writer (`"api"`, `"watcher"`), a missing id, or a value of another shape names no task
 * instance.
 *
 * @param writer - the `last_updated_by` member, as received (not trusted to match the type).
 * @returns the writer's task instance, or undefined when the writer is not one.
 */
export function writerTaskInstance(writer: unknown): TaskInstanceRef | undefined {
  if (typeof writer !== "object" || writer === null) return undefined;
  const w = writer as Record<string, unknown>;
  if (w.kind !== "task") return undefined;
  const id = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const dagId = id(w.dag_id);
  const runId = id(w.run_id);
  const taskId = id(w.task_id);
  if (dagId === undefined || runId === undefined || taskId === undefined) return undefined;
  const mapIndex = w.map_index ?? -1;
  if (typeof mapIndex !== "number" || !Number.isInteger(mapIndex) || mapIndex < -1) return undefined;
  return { dagId, runId, taskId, mapIndex };
}
