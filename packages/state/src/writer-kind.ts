import { StateStoreError } from "./state-store-error.js";

/**
 * Who last wrote an asset state key: a task instance, an asset watcher (a trigger with no task
 * instance) or the REST API (an operator). Reference: `AssetStateStoreWriterKind`.
 */
export type AssetStateStoreWriterKind = "task" | "watcher" | "api";

/** The writer kinds, for validation and schemas. */
export const ASSET_STATE_STORE_WRITER_KINDS: readonly AssetStateStoreWriterKind[] = Object.freeze([
  "task",
  "watcher",
  "api",
]);

/**
 * The writer recorded with an asset state write (`last_updated_by_*` columns). Kind `task` carries the
 * task instance's dagId, runId, taskId and mapIndex; `watcher` and `api` carry none.
 */
export type AssetStateStoreWriter =
  | {
      /** A task instance wrote (`last_updated_by_kind` = `task`). */
      readonly kind: "task";
      /** The writing task instance's dag id (`last_updated_by_dag_id`). */
      readonly dagId: string;
      /** The writing task instance's dag run id (`last_updated_by_run_id`). */
      readonly runId: string;
      /** The writing task instance's task id (`last_updated_by_task_id`). */
      readonly taskId: string;
      /** The writing task instance's map index, -1 when not mapped (`last_updated_by_map_index`). */
      readonly mapIndex: number;
    }
  | {
      /** An asset watcher wrote. */
      readonly kind: "watcher";
    }
  | {
      /** An operator wrote through the REST API or the CLI. */
      readonly kind: "api";
    };

const TASK_FIELDS = ["dagId", "runId", "taskId", "mapIndex"] as const;

/**
 * Validates writer fields as the reference does: kind `task` needs dagId, runId, taskId and mapIndex
 * (integer >= -1); `watcher` and `api` must carry none of them.
 *
 * @param writer - the writer as given by a caller (any shape).
 * @returns a frozen, normalised writer.
 * @throws StateStoreError `INVALID_VALUE` naming the missing or unexpected field.
 */
export function validateAssetStateStoreWriter(writer: {
  kind: unknown;
  dagId?: unknown;
  runId?: unknown;
  taskId?: unknown;
  mapIndex?: unknown;
}): AssetStateStoreWriter {
  const { kind } = writer;
  if (kind === "task") {
    for (const field of ["dagId", "runId", "taskId"] as const) {
      const value = writer[field];
      if (typeof value !== "string" || value.length === 0) {
        throw new StateStoreError("INVALID_VALUE", `an asset state writer of kind "task" requires ${field}`, {
          details: { field },
        });
      }
    }
    const mapIndex = writer.mapIndex;
    if (typeof mapIndex !== "number" || !Number.isInteger(mapIndex) || mapIndex < -1) {
      throw new StateStoreError(
        "INVALID_VALUE",
        'an asset state writer of kind "task" requires mapIndex, an integer >= -1',
        { details: { field: "mapIndex" } },
      );
    }
    return Object.freeze({
      kind: "task",
      dagId: writer.dagId as string,
      runId: writer.runId as string,
      taskId: writer.taskId as string,
      mapIndex,
    });
  }
  if (kind === "watcher" || kind === "api") {
    for (const field of TASK_FIELDS) {
      if (writer[field] !== undefined && writer[field] !== null) {
        throw new StateStoreError(
          "INVALID_VALUE",
          `an asset state writer of kind "${kind}" carries no task instance fields, but ${field} was given`,
          { details: { field } },
        );
      }
    }
    return Object.freeze({ kind });
  }
  throw new StateStoreError(
    "INVALID_VALUE",
    `asset state writer kind must be one of ${ASSET_STATE_STORE_WRITER_KINDS.map((k) => `"${k}"`).join(", ")}, got ${JSON.stringify(kind)}`,
    { details: { field: "kind" } },
  );
}
