import type { AssetStateStoreWriter, StateEntry } from "@tidemark/state";
import type { AssetStateEntryJson, LastUpdatedByJson, TaskStateEntryJson } from "./wire-types.js";

/**
 * A task state entry as the Core REST API answers it: timestamps as ISO-8601 UTC, and `is_reference` /
 * `ref` when the value is exactly a reference envelope (reference: PR "Decorate custom state refs with an
 * envelope for UI clarity"; `value` still holds the envelope as stored).
 *
 * @param entry - what the state store's `getEntry`, `put` or `list` returned (server side, values as stored).
 * @returns the wire entry; a backend without versions reports version 0.
 */
export function taskStateEntryJson(entry: StateEntry): TaskStateEntryJson {
  return {
    key: entry.key,
    value: entry.value,
    version: entry.version ?? 0,
    updated_at: entry.updatedAt === null ? null : entry.updatedAt.toISOString(),
    expires_at: entry.expiresAt === null ? null : entry.expiresAt.toISOString(),
    is_reference: entry.reference !== null,
    ...(entry.reference === null ? {} : { ref: entry.reference }),
  };
}

/**
 * The wire form of an asset state writer: `{kind, dag_id, run_id, task_id, map_index}`, the task fields
 * null unless the writer is a task instance.
 *
 * @param writer - the writer a backend with `writerTracking` recorded, or null / undefined.
 * @returns the wire writer, or null when none was recorded.
 */
export function lastUpdatedByJson(
  writer: AssetStateStoreWriter | null | undefined,
): LastUpdatedByJson | null {
  if (writer === null || writer === undefined) return null;
  if (writer.kind === "task") {
    return {
      kind: "task",
      dag_id: writer.dagId,
      run_id: writer.runId,
      task_id: writer.taskId,
      map_index: writer.mapIndex,
    };
  }
  return { kind: writer.kind, dag_id: null, run_id: null, task_id: null, map_index: null };
}

/**
 * An asset state entry as the Core REST API answers it: {@link taskStateEntryJson} (asset state never
 * expires, so `expires_at` is null) plus `last_updated_by`.
 *
 * @param entry - what the state store returned.
 * @returns the wire entry.
 */
export function assetStateEntryJson(entry: StateEntry): AssetStateEntryJson {
  return {
    ...taskStateEntryJson(entry),
    expires_at: null,
    last_updated_by: lastUpdatedByJson(entry.lastUpdatedBy),
  };
}

/**
 * The inverse of {@link lastUpdatedByJson}, for imports that restore the recorded writer.
 *
 * @param json - a wire writer or null.
 * @returns the writer, or undefined for none.
 */
export function writerFromJson(
  json: LastUpdatedByJson | null | undefined,
): AssetStateStoreWriter | undefined {
  if (json === null || json === undefined) return undefined;
  if (json.kind === "task") {
    return {
      kind: "task",
      dagId: json.dag_id ?? "",
      runId: json.run_id ?? "",
      taskId: json.task_id ?? "",
      mapIndex: json.map_index ?? -1,
    };
  }
  return { kind: json.kind };
}
