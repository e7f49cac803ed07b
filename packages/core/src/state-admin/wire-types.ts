/**
 * The JSON shapes of the Core REST API (`/api/v2`, contract: issue 7), shared by the server routes, the
 * in-process {@link StateAdmin} and the CLI's REST client. snake_case, timestamps ISO-8601 UTC.
 */
import type { JsonValue } from "@tidemark/state";

/** Who last wrote an asset state key: a task instance, a watcher, or the Core REST API / CLI. */
export interface LastUpdatedByJson {
  readonly kind: "task" | "watcher" | "api";
  /** The writing task instance's dag id; null unless `kind` is `task`. */
  readonly dag_id: string | null;
  readonly run_id: string | null;
  readonly task_id: string | null;
  readonly map_index: number | null;
}

/** One task state key. */
export interface TaskStateEntryJson {
  readonly key: string;
  /** The stored JSON value; for an offloaded value the reference envelope as stored. */
  readonly value: JsonValue;
  /** Incremented by every write, from 1 (0 when the server backend keeps no versions). */
  readonly version: number;
  /** When the key was last written (ISO-8601 UTC); null when the server backend does not record it. */
  readonly updated_at: string | null;
  /** When the key expires (ISO-8601 UTC); null = never. */
  readonly expires_at: string | null;
  /** True when `value` is exactly a reference envelope `{"__airflow_state_ref__": ref}`. */
  readonly is_reference: boolean;
  /** The reference, when `is_reference`. */
  readonly ref?: string;
  /**
   * The reference's seal, when `is_reference` and the server holds a secret key: what an import sends as
   * `restore_reference` to write this envelope back under this key (see `ReferenceSeal`).
   */
  readonly ref_seal?: string;
}

/** One asset state key: a task state entry plus its last writer. */
export interface AssetStateEntryJson extends TaskStateEntryJson {
  readonly last_updated_by: LastUpdatedByJson | null;
}

/** `GET …/taskInstances/{task_id}/state-store`. */
export interface TaskStateListJson {
  readonly task_state_store: TaskStateEntryJson[];
  readonly total_entries: number;
}

/** `GET /api/v2/assets/{asset_id}/state-store`. */
export interface AssetStateListJson {
  readonly asset_state_store: AssetStateEntryJson[];
  readonly total_entries: number;
}

/** `GET /api/v2/dags` item. */
export interface DagSummaryJson {
  readonly dag_id: string;
  readonly dag_run_count: number;
}

/** `GET /api/v2/dags/{dag_id}/dagRuns` item. */
export interface DagRunSummaryJson {
  readonly dag_id: string;
  readonly run_id: string;
  readonly created_at: string;
}

/** `GET …/dagRuns/{run_id}/taskInstances` item. */
export interface TaskInstanceSummaryJson {
  readonly id: string;
  readonly dag_id: string;
  readonly run_id: string;
  readonly task_id: string;
  /** The region (Airflow 3.4), a lower-case UUID; the all-zero UUID for a task instance in no region. */
  readonly region_id: string;
  /** The map index; in a region, the region index. */
  readonly map_index: number;
  readonly state: string | null;
  readonly try_number: number;
  /** Live (unexpired) task state keys of this task instance. */
  readonly state_key_count: number;
}

/** `GET /api/v2/assets` item and `GET /api/v2/assets/by-name/{name}`. */
export interface AssetSummaryJson {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
  readonly active: boolean;
  readonly created_at: string;
  /** Asset state keys of this asset. */
  readonly state_key_count: number;
}

/** `GET /api/v2/dags`. */
export interface DagListJson {
  readonly dags: DagSummaryJson[];
  readonly total_entries: number;
}

/** `GET /api/v2/dags/{dag_id}/dagRuns`. */
export interface DagRunListJson {
  readonly dag_runs: DagRunSummaryJson[];
  readonly total_entries: number;
}

/** `GET …/dagRuns/{run_id}/taskInstances`. */
export interface TaskInstanceListJson {
  readonly task_instances: TaskInstanceSummaryJson[];
  readonly total_entries: number;
}

/** `GET /api/v2/assets`. */
export interface AssetListJson {
  readonly assets: AssetSummaryJson[];
  readonly total_entries: number;
}

/** `GET /api/v2/config/ui`. */
export interface UiConfigJson {
  /** `api.auth`: "token" when requests need `Authorization: Bearer <token>`. */
  readonly auth: "token" | "none";
  /** `state_store.default_retention_days` (0 = keys written with the default never expire). */
  readonly default_retention_days: number;
  /** `state_store.max_value_storage_bytes` (0 = no limit). */
  readonly max_value_storage_bytes: number;
}
