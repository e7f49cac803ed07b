import type { ColumnType, Generated } from "kysely";

/**
 * A timestamp column. SQLite stores UTC epoch milliseconds (an INTEGER), Postgres a `timestamptz`;
 * write it through `TidemarkDatabase.codec.timestamp(date)` and read it with `codec.date(value)`.
 */
export type TimestampColumn = ColumnType<Date | number, Date | number, Date | number>;

/** A boolean column: SQLite stores 0/1 (an INTEGER), Postgres a `boolean`. */
export type BooleanColumn = ColumnType<boolean | number, boolean | number, boolean | number>;

/** `dag_run`: one row per (dag_id, run_id). */
export interface DagRunTable {
  id: Generated<number>;
  dag_id: string;
  run_id: string;
  created_at: TimestampColumn;
}

/**
 * A region id column (Airflow 3.4): a UUID, the all-zero UUID for a task in no region (its default).
 * SQLite stores the text, Postgres a `uuid`; both read back in lower case.
 */
export type RegionIdColumn = ColumnType<string, string | undefined, string>;

/** `task_instance`: one row per (dag run, task_id, region_id, map_index); `id` is a random UUID. */
export interface TaskInstanceTable {
  id: string;
  dag_run_id: number;
  dag_id: string;
  run_id: string;
  task_id: string;
  region_id: RegionIdColumn;
  map_index: ColumnType<number, number | undefined, number>;
  state: string | null;
  try_number: number;
  created_at: TimestampColumn;
  updated_at: TimestampColumn;
}

/** `task_instance_asset`: the assets a task instance declares as inlets and outlets. */
export interface TaskInstanceAssetTable {
  task_instance_id: string;
  asset_id: number;
  /** `inlet` or `outlet`. */
  role: string;
}

/** `asset`: registered assets; `active` false once deactivated (its state then goes in the orphan sweep). */
export interface AssetTable {
  id: Generated<number>;
  name: string;
  uri: string;
  active: BooleanColumn;
  created_at: TimestampColumn;
  updated_at: TimestampColumn;
}

/** `task_state_store`: task state, one row per (dag run, task_id, region_id, map_index, key). */
export interface TaskStateStoreTable {
  /** A surrogate key; a bigint on Postgres (read back as a string by `pg`). */
  id: Generated<number | string>;
  dag_run_id: number;
  dag_id: string;
  run_id: string;
  task_id: string;
  region_id: RegionIdColumn;
  map_index: number;
  key: string;
  /** The JSON text, verbatim. */
  value: string;
  version: number;
  updated_at: TimestampColumn;
  /** null = never expires. */
  expires_at: TimestampColumn | null;
}

/** `asset_state_store`: asset state, one row per (asset_id, key), with its last writer. */
export interface AssetStateStoreTable {
  asset_id: number;
  key: string;
  value: string;
  version: number;
  updated_at: TimestampColumn;
  last_updated_by_kind: string | null;
  last_updated_by_dag_id: string | null;
  last_updated_by_run_id: string | null;
  last_updated_by_task_id: string | null;
  last_updated_by_map_index: number | null;
}

/** The metastore's tables, for `Kysely<Database>`. Column names are snake_case, as in SQL. */
export interface Database {
  dag_run: DagRunTable;
  task_instance: TaskInstanceTable;
  task_instance_asset: TaskInstanceAssetTable;
  asset: AssetTable;
  task_state_store: TaskStateStoreTable;
  asset_state_store: AssetStateStoreTable;
}
