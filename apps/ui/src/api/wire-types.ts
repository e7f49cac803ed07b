/**
 * The Core REST API's JSON shapes as the UI reads them (snake_case, as on the wire), and the entries the
 * client builds from them. State entries are Airflow's Core API shapes; the UI asks for Tidemark's extras
 * (version, reference flags) with `?include=version,reference`. The wire shapes are @tidemark/api-client's,
 * generated from the server's OpenAPI document.
 */
import type {
  CoreRestApiErrorBody,
  DagRun,
  AssetStateEntry as WireAssetStateEntry,
  AssetSummary as WireAssetSummary,
  DagSummary as WireDagSummary,
  JsonValue as WireJsonValue,
  LastUpdatedBy as WireLastUpdatedBy,
  TaskInstanceSummary as WireTaskInstanceSummary,
  TaskStateEntry as WireTaskStateEntry,
  UiConfig as WireUiConfig,
} from "@tidemark/api-client";

/** Any JSON value a state entry may hold. */
export type JsonValue = WireJsonValue;

/** `GET /api/v2/config/ui`: what the UI needs to know before its first authenticated call. */
export type UiConfig = WireUiConfig;

/** The `?include=` tokens the UI sends on every state read and write. */
export const ENTRY_INCLUDE = "version,reference";

/**
 * A task state entry on the wire: Airflow's `{key, value, updated_at, expires_at}` plus Tidemark's
 * extras (`version`, `is_reference`, `ref`), present only when `?include=version,reference` asked.
 */
export type TaskStateEntryWire = WireTaskStateEntry;

/** An asset state entry on the wire: Airflow's `{key, value, updated_at, last_updated_by}` plus extras. */
export type AssetStateEntryWire = WireAssetStateEntry;

/** One task state key as the UI uses it (built by the client from a {@link TaskStateEntryWire}). */
export interface StateEntry {
  readonly key: string;
  /** The stored value; for an offloaded value, the envelope `{"__airflow_state_ref__": ref}` as stored. */
  readonly value: JsonValue;
  /** Starts at 1, grows by one on every write; sent back as `If-Match: "<version>"` to detect stale edits. */
  readonly version: number;
  /** ISO-8601 UTC. */
  readonly updated_at: string;
  /** When the key stops existing; null = never (always null for asset state). */
  readonly expires_at: string | null;
  /** True when the stored value is exactly a reference envelope (the value lives in object storage). */
  readonly is_reference: boolean;
  /** The reference (for example an s3:// or file:// URL) when `is_reference` is true. */
  readonly ref?: string;
}

/** Who last wrote an asset state key. */
export type LastUpdatedBy = WireLastUpdatedBy;

/** One asset state key: a task state entry plus its last writer. */
export interface AssetStateEntry extends StateEntry {
  readonly last_updated_by: LastUpdatedBy | null;
}

/** `GET /api/v2/dags` item. */
export type DagSummary = WireDagSummary;

/** `GET /api/v2/dags/{dag_id}/dagRuns` item (newest first). */
export type DagRunSummary = DagRun;

/** `GET …/dagRuns/{run_id}/taskInstances` item (ordered by task_id, map_index). */
export type TaskInstanceSummary = WireTaskInstanceSummary;

/** `GET /api/v2/assets` item. */
export type AssetSummary = WireAssetSummary;

/** A page of a listing: the items and the total count across all pages. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** Paging and filtering of the browsing endpoints. */
export interface ListParams {
  readonly limit?: number;
  readonly offset?: number;
  /** Case-insensitive substring filter (browsing endpoints). */
  readonly search?: string;
}

/** Paging and filtering of the state-store listings. */
export interface StateListParams {
  readonly limit?: number;
  readonly offset?: number;
  /** Literal key prefix. */
  readonly prefix?: string;
}

/** The error body of every non-2xx answer; Tidemark's error code is in the `Tidemark-Error-Code` header. */
export type ErrorBody = CoreRestApiErrorBody;
