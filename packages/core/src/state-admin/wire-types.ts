/**
 * The JSON shapes of the Core REST API (`/api/v2`) as core uses them, shared by the server routes, the
 * in-process {@link StateAdmin} and the CLI's REST client: aliases of @tidemark/api-client's types
 * (generated from the OpenAPI document the server serves). State entries here are the shape with
 * `?include=version,reference`, which StateAdmin always builds. snake_case, timestamps ISO-8601 UTC.
 */
import type {
  AssetList,
  AssetStateEntry,
  AssetSummary,
  DagList,
  DagRun,
  DagRunList,
  DagSummary,
  LastUpdatedBy,
  TaskInstanceList,
  TaskInstanceSummary,
  TaskStateEntry,
  UiConfig,
} from "@tidemark/api-client";

/** Who last wrote an asset state key: a task instance, a watcher, or the Core REST API / CLI. */
export type LastUpdatedByJson = Readonly<LastUpdatedBy>;

/**
 * One task state key with `include=version,reference`: `version` (0 when the server backend keeps no
 * versions) and `is_reference` always present; `ref` and `ref_seal` when `is_reference`.
 */
export type TaskStateEntryJson = Readonly<
  Omit<TaskStateEntry, "version" | "is_reference" | "last_updated_by"> &
    Required<Pick<TaskStateEntry, "version" | "is_reference">>
>;

/** One asset state key: a task state entry plus its last writer. */
export type AssetStateEntryJson = TaskStateEntryJson &
  Readonly<{
    /** Who last wrote the key; null when not recorded. */
    last_updated_by: AssetStateEntry["last_updated_by"];
  }>;

/** `GET …/taskInstances/{task_id}/state-store`. */
export interface TaskStateListJson {
  /** The page's entries, in key order. */
  readonly task_state_store: TaskStateEntryJson[];
  /** How many live keys match, over all pages. */
  readonly total_entries: number;
}

/** `GET /api/v2/assets/{asset_id}/state-store`. */
export interface AssetStateListJson {
  /** The page's entries, in key order. */
  readonly asset_state_store: AssetStateEntryJson[];
  /** How many keys match, over all pages. */
  readonly total_entries: number;
}

/** `GET /api/v2/dags` item. */
export type DagSummaryJson = Readonly<DagSummary>;

/** `GET /api/v2/dags/{dag_id}/dagRuns` item. */
export type DagRunSummaryJson = Readonly<DagRun>;

/** `GET …/dagRuns/{run_id}/taskInstances` item, with its count of live task state keys. */
export type TaskInstanceSummaryJson = Readonly<TaskInstanceSummary>;

/** `GET /api/v2/assets` item and `GET /api/v2/assets/by-name/{name}`. */
export type AssetSummaryJson = Readonly<AssetSummary>;

/** `GET /api/v2/dags`. */
export type DagListJson = Readonly<DagList>;

/** `GET /api/v2/dags/{dag_id}/dagRuns`. */
export type DagRunListJson = Readonly<DagRunList>;

/** `GET …/dagRuns/{run_id}/taskInstances`. */
export type TaskInstanceListJson = Readonly<TaskInstanceList>;

/** `GET /api/v2/assets`. */
export type AssetListJson = Readonly<AssetList>;

/** `GET /api/v2/config/ui`. */
export type UiConfigJson = Readonly<UiConfig>;
