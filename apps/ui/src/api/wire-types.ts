/**
 * The Core REST API's JSON shapes as the UI reads them (snake_case, as on the wire), and the entries the
 * client builds from them. State entries are Airflow's Core API shapes; the UI asks for Tidemark's extras
 * (version, reference flags) with `?include=version,reference`.
 */

/** Any JSON value a state entry may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `GET /api/v2/config/ui`: what the UI needs to know before its first authenticated call. */
export interface UiConfig {
  /** "token": every call needs `Authorization: Bearer <token>`; "none": anonymous (loopback only). */
  readonly auth: "token" | "none";
  /** `state_store.default_retention_days`; 0 means keys written with the default never expire. */
  readonly default_retention_days: number;
  /** `state_store.max_value_storage_bytes`: the largest stored JSON text, in UTF-8 bytes. */
  readonly max_value_storage_bytes: number;
}

/** The `?include=` tokens the UI sends on every state read and write. */
export const ENTRY_INCLUDE = "version,reference";

/** Tidemark's extras of an entry, present only when `?include=version,reference` asked for them. */
export interface EntryExtrasWire {
  /** `include=version`: starts at 1, grows by one on every write; also the `ETag` `"<version>"`. */
  readonly version?: number;
  /** `include=reference`: true when the stored value is exactly a reference envelope. */
  readonly is_reference?: boolean;
  /** `include=reference`: the reference (an s3:// or file:// URL) when `is_reference` is true. */
  readonly ref?: string;
}

/** A task state entry on the wire: Airflow's `{key, value, updated_at, expires_at}` plus extras. */
export interface TaskStateEntryWire extends EntryExtrasWire {
  readonly key: string;
  readonly value: JsonValue;
  readonly updated_at: string;
  /** When the key stops existing; null = never. */
  readonly expires_at: string | null;
}

/** An asset state entry on the wire: Airflow's `{key, value, updated_at, last_updated_by}` plus extras. */
export interface AssetStateEntryWire extends EntryExtrasWire {
  readonly key: string;
  readonly value: JsonValue;
  readonly updated_at: string;
  readonly last_updated_by: LastUpdatedBy | null;
}

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
export interface LastUpdatedBy {
  readonly kind: "task" | "watcher" | "api";
  readonly dag_id: string | null;
  readonly run_id: string | null;
  readonly task_id: string | null;
  readonly map_index: number | null;
}

/** One asset state key: a task state entry plus its last writer. */
export interface AssetStateEntry extends StateEntry {
  readonly last_updated_by: LastUpdatedBy | null;
}

/** `GET /api/v2/dags` item. */
export interface DagSummary {
  readonly dag_id: string;
  readonly dag_run_count: number;
}

/** `GET /api/v2/dags/{dag_id}/dagRuns` item (newest first). */
export interface DagRunSummary {
  readonly dag_id: string;
  readonly run_id: string;
  readonly created_at: string;
}

/** `GET …/dagRuns/{run_id}/taskInstances` item (ordered by task_id, map_index). */
export interface TaskInstanceSummary {
  readonly id: string;
  readonly dag_id: string;
  readonly run_id: string;
  readonly task_id: string;
  readonly map_index: number;
  readonly state: string | null;
  readonly try_number: number;
  readonly state_key_count: number;
}

/** `GET /api/v2/assets` item. */
export interface AssetSummary {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
  readonly active: boolean;
  readonly created_at: string;
  readonly state_key_count: number;
}

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
export interface ErrorBody {
  readonly detail: string;
}
