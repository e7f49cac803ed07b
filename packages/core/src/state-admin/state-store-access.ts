import type { AssetSelector, AssetStateStoreWriter, ExpiresAtInput, WriteCondition } from "@tidemark/state";
import type {
  AssetListJson,
  AssetStateEntryJson,
  AssetStateListJson,
  AssetSummaryJson,
  DagListJson,
  DagRunListJson,
  TaskInstanceListJson,
  TaskStateEntryJson,
  TaskStateListJson,
} from "./wire-types.js";

/**
 * The condition of a write or delete, as the state store takes it: `ifVersion` / `ifMatch` act only on
 * the live value at that version (compare-and-delete for a delete); `ifAbsent` only when no live value
 * exists. A failure is `CONFLICT`, or `PRECONDITION_FAILED` with `conditionStyle: "http"` (the Core REST
 * API's `If-Match` / `If-None-Match`).
 */
export type DeleteCondition = WriteCondition;

/** A task instance's task state, addressed as the Core REST API does. */
export interface TaskTarget {
  /** The dag's id (`dag_id`). */
  readonly dagId: string;
  /** The dag run's id (`run_id`). */
  readonly runId: string;
  /** The task's id (`task_id`). */
  readonly taskId: string;
  /** -1 (the default) for a task that is not mapped; in a region, the region index. */
  readonly mapIndex?: number;
  /** The region (Airflow 3.4), a UUID; default the all-zero UUID (no region). */
  readonly regionId?: string;
}

/** How an asset is found: by its metastore id (`asset_id`), its name, or its URI; `AssetSelector` of `@tidemark/state`. */
export type AssetLookup = AssetSelector;

/** Paging of the state listings. */
export interface StatePageRequest {
  /** Most entries returned: 0 to 1000, default 100. */
  readonly limit?: number;
  /** Entries skipped in key order, default 0. */
  readonly offset?: number;
  /** Only keys starting with this text, matched literally (`%` and `_` are ordinary characters). */
  readonly prefix?: string;
  /** Continue after the page that gave this cursor (opaque); `offset` is then ignored. */
  readonly cursor?: string;
}

/** A state listing as Airflow answers it, and the cursor of the next page (null on the last). */
export interface StateListPage<T> {
  /** The listing, as the Core REST API answers it. */
  readonly list: T;
  /** Pass as `StatePageRequest.cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Paging of the browsing listings. */
export interface BrowseRequest {
  /** Most items returned: 0 to 1000, default 100. */
  readonly limit?: number;
  /** Items skipped, default 0. */
  readonly offset?: number;
  /** Case-insensitive substring filter. */
  readonly search?: string;
}

/** A task state write (PUT). */
export interface TaskStateWrite extends WriteCondition {
  /** Any JSON value except a top-level null. */
  readonly value: unknown;
  /** `"default"` / undefined (default retention), null (never) or ISO-8601 with an offset. */
  readonly expiresAt?: Exclude<ExpiresAtInput, Date>;
  /**
   * The seal of a reference envelope `{"__airflow_state_ref__": ref}` that an export recorded for this key
   * (`ref_seal`, see `ReferenceSeal`): `tidemark state-store import` restores the envelope with it. Without
   * a seal that matches this scope, key and reference, a value holding that member is refused with
   * `INVALID_VALUE`, so operators cannot forge references.
   */
  readonly restoreReference?: string;
}

/**
 * A value-only write (PATCH of task state, PUT and PATCH of asset state), under an optional condition
 * (`ifVersion`; over HTTP `If-Match`, else 412).
 */
export interface ValueWrite extends WriteCondition {
  /** Any JSON value except a top-level null. */
  readonly value: unknown;
  /** As {@link TaskStateWrite.restoreReference}. */
  readonly restoreReference?: string;
}

/** An asset state write. */
export interface AssetStateWrite extends ValueWrite {
  /**
   * The writer to record. The Core REST API always records `{kind: "api"}`; only in-process callers that
   * restore a backup (`tidemark state-store import` on the database) pass the exported writer.
   */
  readonly writer?: AssetStateStoreWriter;
}

/**
 * Every operation of the Core REST API, independent of transport. Two implementations: `StateAdmin`
 * (in process, on the metastore and the configured server backend; what the REST routes and the CLI's
 * direct mode use) and `RestStateClient` (over HTTP, what the CLI uses with `--api-url`), so both paths
 * answer alike. Errors are `StateStoreError`s with the codes the REST API maps to HTTP statuses.
 */
export interface StateStoreAccess {
  /** `GET …/taskInstances/{task_id}/state-store`: live keys in key order. 404 for an unknown dag run or task instance; 501 when the backend cannot list. */
  listTaskState(target: TaskTarget, page?: StatePageRequest): Promise<TaskStateListJson>;
  /** `GET …/state-store/{key}`. `NOT_FOUND` for a missing or expired key. */
  getTaskState(target: TaskTarget, key: string): Promise<TaskStateEntryJson>;
  /** `PUT …/state-store/{key}`: value and expiry; `CONFLICT` on an `ifVersion` mismatch, `VALUE_TOO_LARGE` over the limit. */
  putTaskState(target: TaskTarget, key: string, write: TaskStateWrite): Promise<TaskStateEntryJson>;
  /** `PATCH …/state-store/{key}`: replaces the value, keeps `expires_at`; `NOT_FOUND` for a missing key. */
  patchTaskState(target: TaskTarget, key: string, write: ValueWrite): Promise<TaskStateEntryJson>;
  /** `DELETE …/state-store/{key}`; a missing key of an existing task instance is not an error. */
  deleteTaskState(target: TaskTarget, key: string): Promise<void>;
  /** `DELETE …/state-store`: one map index, or every map index with `allMapIndices`. */
  clearTaskState(target: TaskTarget, options?: { allMapIndices?: boolean }): Promise<void>;

  /** The asset (active or deactivated) with this id, name or uri; `ASSET_NOT_FOUND` otherwise. */
  findAsset(selector: AssetLookup): Promise<AssetSummaryJson>;
  /** `GET /api/v2/assets/{asset_id}/state-store`: keys in key order with `last_updated_by`. */
  listAssetState(assetId: number, page?: StatePageRequest): Promise<AssetStateListJson>;
  /** `GET /api/v2/assets/{asset_id}/state-store/{key}`. */
  getAssetState(assetId: number, key: string): Promise<AssetStateEntryJson>;
  /** `PUT /api/v2/assets/{asset_id}/state-store/{key}`; records the writer (`api`). 404 for a deactivated asset. */
  putAssetState(assetId: number, key: string, write: AssetStateWrite): Promise<AssetStateEntryJson>;
  /** `PATCH /api/v2/assets/{asset_id}/state-store/{key}`; `NOT_FOUND` for a missing key. */
  patchAssetState(assetId: number, key: string, write: ValueWrite): Promise<AssetStateEntryJson>;
  /** `DELETE /api/v2/assets/{asset_id}/state-store/{key}`. */
  deleteAssetState(assetId: number, key: string): Promise<void>;
  /** `DELETE /api/v2/assets/{asset_id}/state-store`. */
  clearAssetState(assetId: number): Promise<void>;

  /** `GET /api/v2/dags`: dag ids with their run counts. */
  listDags(request?: BrowseRequest): Promise<DagListJson>;
  /** `GET /api/v2/dags/{dag_id}/dagRuns`: newest first; 404 for a dag without runs. */
  listDagRuns(dagId: string, request?: BrowseRequest): Promise<DagRunListJson>;
  /** `GET …/dagRuns/{run_id}/taskInstances`: by task id and map index, with live key counts. */
  listTaskInstances(dagId: string, runId: string, request?: BrowseRequest): Promise<TaskInstanceListJson>;
  /** `GET /api/v2/assets`: active and deactivated assets in name order, with key counts. */
  listAssets(request?: BrowseRequest): Promise<AssetListJson>;
}
