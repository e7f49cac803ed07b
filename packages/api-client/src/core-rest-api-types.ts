/**
 * Named shapes of the Core REST API (`/api/v2`), taken from the generated `paths` so they follow the
 * OpenAPI document the server serves. snake_case as on the wire; timestamps are ISO-8601 UTC strings.
 * `value` is refined from the document's `{}` schema to a JSON value.
 */
import type { JsonValue } from "@tidemark/state";
import type { components, paths } from "./generated/core-rest-api.js";

// The shapes below are tagged @interface, so the API reference lists their resolved fields rather than
// these helpers.
type TaskInstancePath = "/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/state-store";
type AssetPath = "/api/v2/assets/{asset_id}/state-store";
type Ok<T extends { responses: { 200: { content: { "application/json": unknown } } } }> =
  T["responses"][200]["content"]["application/json"];
type WithJsonValue<T> = Omit<T, "value"> & {
  /** The stored JSON value. */
  value: JsonValue;
};

/**
 * `GET /api/v2/config/ui`: what the UI needs before its first authenticated call.
 *
 * @interface
 */
export type UiConfig = Ok<paths["/api/v2/config/ui"]["get"]>;

/**
 * `GET /api/v2/dags`.
 *
 * @interface
 */
export type DagList = Ok<paths["/api/v2/dags"]["get"]>;
/** One item of {@link DagList}: a dag id with its dag run count. */
export type DagSummary = DagList["dags"][number];

/**
 * `GET /api/v2/dags/{dag_id}/dagRuns` (newest first).
 *
 * @interface
 */
export type DagRunList = Ok<paths["/api/v2/dags/{dag_id}/dagRuns"]["get"]>;
/** One item of {@link DagRunList}. */
export type DagRun = DagRunList["dag_runs"][number];

/**
 * `GET …/dagRuns/{run_id}/taskInstances` (ordered by task_id, map_index).
 *
 * @interface
 */
export type TaskInstanceList = Ok<paths["/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"]["get"]>;
/** One item of {@link TaskInstanceList}, with its count of live task state keys. */
export type TaskInstanceSummary = TaskInstanceList["task_instances"][number];

/**
 * `GET /api/v2/assets`.
 *
 * @interface
 */
export type AssetList = Ok<paths["/api/v2/assets"]["get"]>;
/**
 * `GET /api/v2/assets/by-name/{name}` and one item of {@link AssetList}, with its count of state keys.
 *
 * @interface
 */
export type AssetSummary = Ok<paths["/api/v2/assets/by-name/{name}"]["get"]>;

/**
 * `GET …/taskInstances/{task_id}/state-store/{key}`: one task state key. Tidemark's extras (`version`,
 * `is_reference`, `ref`, `ref_seal`, `last_updated_by`) are present only when `?include=` asked for them.
 *
 * @interface
 */
export type TaskStateEntry = WithJsonValue<Ok<paths[`${TaskInstancePath}/{*}`]["get"]>>;

/**
 * `GET …/taskInstances/{task_id}/state-store`: one page of a task instance's keys, ordered by key.
 *
 * @interface
 */
export type TaskStateList = Omit<Ok<paths[TaskInstancePath]["get"]>, "task_state_store"> & {
  /** The keys of this page, with their values. */
  task_state_store: TaskStateEntry[];
};

/**
 * `GET /api/v2/assets/{asset_id}/state-store/{key}`: one asset state key with its last writer.
 *
 * @interface
 */
export type AssetStateEntry = WithJsonValue<Ok<paths[`${AssetPath}/{*}`]["get"]>>;

/**
 * `GET /api/v2/assets/{asset_id}/state-store`: one page of an asset's keys, ordered by key.
 *
 * @interface
 */
export type AssetStateList = Omit<Ok<paths[AssetPath]["get"]>, "asset_state_store"> & {
  /** The keys of this page, with their values. */
  asset_state_store: AssetStateEntry[];
};

/** Who last wrote an asset state key: a task instance (`kind: "task"`), a watcher, or the API / CLI. */
export type LastUpdatedBy = NonNullable<AssetStateEntry["last_updated_by"]>;

/**
 * `PUT …/taskInstances/{task_id}/state-store/{key}` body: the value and `expires_at` ("default", null or a date-time).
 *
 * @interface
 */
export type TaskStateWrite = WithJsonValue<
  NonNullable<paths[`${TaskInstancePath}/{*}`]["put"]["requestBody"]>["content"]["application/json"]
>;

/** The error body of every non-2xx Core REST API answer; the error code is in `Tidemark-Error-Code`. */
export type CoreRestApiErrorBody = components["schemas"]["def-0"];
