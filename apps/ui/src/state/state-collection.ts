import type { ApiClient, WriteCondition } from "../api/api-client";
import { describeTaskInstance, type TaskInstanceRef } from "../api/task-instance-ref";
import type {
  AssetStateEntry,
  AssetSummary,
  JsonValue,
  Page,
  StateEntry,
  StateListParams,
} from "../api/wire-types";
import type { ExpiryChoice } from "./expiry-choice";

/**
 * The keys of one scope (a task instance's map index, or an asset) as the shared browsing components
 * use them, so that task state and asset state share the table, detail panel and editor.
 */
export interface StateCollection {
  /** "task": entries have expiry; "asset": entries have `last_updated_by`. */
  readonly kind: "task" | "asset";
  /** The scope in words, e.g. `dag “etl” / run “r1” / task “load” / map index -1 (unmapped)`. */
  readonly scopeText: string;
  /** Changes exactly when the scope changes (for reloading). */
  readonly identity: string;
  /** Why writes are refused here (an inactive asset), or undefined when writable. */
  readonly readOnlyReason: string | undefined;
  list(params: StateListParams): Promise<Page<StateEntry | AssetStateEntry>>;
  get(key: string): Promise<StateEntry | AssetStateEntry>;
  /**
   * Writes a value. With `ifVersion` (If-Match) the write fails with 412 when the key's version differs
   * or the key is gone (a stale edit); with `ifAbsent` (If-None-Match: *) it fails with 412 when the key
   * exists. Expiry "keep" patches; any other choice puts.
   */
  write(
    key: string,
    input: { value: JsonValue; expiry: ExpiryChoice } & WriteCondition,
  ): Promise<StateEntry | AssetStateEntry>;
  /** Deletes a key; with `ifVersion` (If-Match) it fails with 412 when the key changed meanwhile. */
  remove(key: string, condition?: WriteCondition): Promise<void>;
}

/**
 * The task state of one task instance map index over the Core REST API.
 *
 * @param client - the API client.
 * @param ti - the task instance (dag, run, task, map index).
 * @returns the collection.
 */
export function taskStateCollection(client: ApiClient, ti: TaskInstanceRef): StateCollection {
  return {
    kind: "task",
    scopeText: describeTaskInstance(ti),
    identity: JSON.stringify(["task", ti.dagId, ti.runId, ti.taskId, ti.mapIndex]),
    readOnlyReason: undefined,
    list: (params) => client.listTaskState(ti, params),
    get: (key) => client.getTaskState(ti, key),
    write: (key, { value, expiry, ifVersion, ifAbsent }) => {
      if (expiry.mode === "keep") return client.patchTaskState(ti, key, { value, ifVersion, ifAbsent });
      const expiresAt = expiry.mode === "default" ? "default" : expiry.mode === "never" ? null : expiry.iso;
      return client.putTaskState(ti, key, { value, expiresAt, ifVersion, ifAbsent });
    },
    remove: (key, condition) => client.deleteTaskState(ti, key, condition),
  };
}

/**
 * The asset state of one asset over the Core REST API. An inactive asset is read-only (the server
 * answers writes with 404).
 *
 * @param client - the API client.
 * @param asset - the asset.
 * @returns the collection.
 */
export function assetStateCollection(client: ApiClient, asset: AssetSummary): StateCollection {
  return {
    kind: "asset",
    scopeText: `asset “${asset.name}” (${asset.uri})`,
    identity: JSON.stringify(["asset", asset.id]),
    readOnlyReason: asset.active
      ? undefined
      : "This asset is inactive (no dag references it any more): its leftover state can be read but not changed.",
    list: (params) => client.listAssetState(asset.id, params),
    get: (key) => client.getAssetState(asset.id, key),
    write: (key, { value, expiry, ifVersion, ifAbsent }) =>
      expiry.mode === "keep"
        ? client.patchAssetState(asset.id, key, { value, ifVersion, ifAbsent })
        : client.putAssetState(asset.id, key, { value, ifVersion, ifAbsent }),
    remove: (key, condition) => client.deleteAssetState(asset.id, key, condition),
  };
}
