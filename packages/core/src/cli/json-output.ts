import type { AssetRecord } from "../metadata/asset-record.js";
import type { TaskInstanceRecord } from "../metadata/task-instance-record.js";

/** An asset as the CLI prints it (snake_case, ISO-8601 UTC timestamps). */
export function assetJson(asset: AssetRecord): Record<string, unknown> {
  return {
    id: asset.id,
    name: asset.name,
    uri: asset.uri,
    active: asset.active,
    created_at: asset.createdAt.toISOString(),
    updated_at: asset.updatedAt.toISOString(),
  };
}

/** A task instance as the CLI prints it (snake_case, ISO-8601 UTC timestamps). */
export function taskInstanceJson(ti: TaskInstanceRecord): Record<string, unknown> {
  return {
    id: ti.id,
    dag_id: ti.dagId,
    run_id: ti.runId,
    task_id: ti.taskId,
    region_id: ti.regionId,
    map_index: ti.mapIndex,
    state: ti.state,
    try_number: ti.tryNumber,
    dag_run_id: ti.dagRunId,
    created_at: ti.createdAt.toISOString(),
    updated_at: ti.updatedAt.toISOString(),
    inlets: ti.inlets.map(assetJson),
    outlets: ti.outlets.map(assetJson),
  };
}

/**
 * Writes a value to stdout as indented JSON and a newline.
 *
 * @param value - any JSON-serialisable value.
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
