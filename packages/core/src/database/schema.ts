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
  /** Surrogate key, assigned by the database. */
  id: Generated<number>;
  /** The dag's id. */
  dag_id: string;
  /** The run's id, unique within its dag. */
  run_id: string;
  /** When the row was inserted (UTC). */
  created_at: TimestampColumn;
}

/**
 * A region id column (Airflow 3.4): a UUID, the all-zero UUID for a task in no region (its default).
 * SQLite stores the text, Postgres a `uuid`; both read back in lower case.
 */
export type RegionIdColumn = ColumnType<string, string | undefined, string>;

/** `task_instance`: one row per (dag run, task_id, region_id, map_index); `id` is a random UUID. */
export interface TaskInstanceTable {
  /** A random UUID, what task instance tokens and the Execution API routes carry. */
  id: string;
  /** The `dag_run.id` the task instance belongs to. */
  dag_run_id: number;
  /** The dag run's `dag_id`, copied for lookups by name. */
  dag_id: string;
  /** The dag run's `run_id`, copied for lookups by name. */
  run_id: string;
  /** The task's id within its dag. */
  task_id: string;
  /** The region (Airflow 3.4); the all-zero UUID for none. */
  region_id: RegionIdColumn;
  /** -1 (the default) when the task is not mapped; in a region, the region index. */
  map_index: ColumnType<number, number | undefined, number>;
  /** An Airflow task instance state (`TaskInstanceState`), null before it is scheduled. */
  state: string | null;
  /** The attempt, from 1. */
  try_number: number;
  /** When the row was inserted (UTC). */
  created_at: TimestampColumn;
  /** When the row last changed (UTC). */
  updated_at: TimestampColumn;
}

/** `task_instance_asset`: the assets a task instance declares as inlets and outlets. */
export interface TaskInstanceAssetTable {
  /** The `task_instance.id`. */
  task_instance_id: string;
  /** The `asset.id`. */
  asset_id: number;
  /** `inlet` or `outlet`. */
  role: string;
}

/** `asset`: registered assets; `active` false once deactivated (its state then goes in the orphan sweep). */
export interface AssetTable {
  /** Surrogate key, assigned by the database; the Core REST API's `asset_id`. */
  id: Generated<number>;
  /** The asset's name, unique. */
  name: string;
  /** The asset's URI, unique. */
  uri: string;
  /** False once deactivated. */
  active: BooleanColumn;
  /** When the asset was registered (UTC). */
  created_at: TimestampColumn;
  /** When the asset was last registered again, deactivated or reactivated (UTC). */
  updated_at: TimestampColumn;
}

/** `task_state_store`: task state, one row per (dag run, task_id, region_id, map_index, key). */
export interface TaskStateStoreTable {
  /** A surrogate key; a bigint on Postgres (read back as a string by `pg`). */
  id: Generated<number | string>;
  /** The `dag_run.id` of the scope. */
  dag_run_id: number;
  /** The scope's dag id. */
  dag_id: string;
  /** The scope's run id. */
  run_id: string;
  /** The scope's task id. */
  task_id: string;
  /** The scope's region; the all-zero UUID for none. */
  region_id: RegionIdColumn;
  /** The scope's map index, -1 when not mapped. */
  map_index: number;
  /** The state key, at most 512 characters. */
  key: string;
  /** The JSON text, verbatim. */
  value: string;
  /** From 1 on the first write, one more on each write; the ETag. */
  version: number;
  /** When the value was last written (UTC). */
  updated_at: TimestampColumn;
  /** null = never expires. */
  expires_at: TimestampColumn | null;
}

/** `asset_state_store`: asset state, one row per (asset_id, key), with its last writer. */
export interface AssetStateStoreTable {
  /** The `asset.id` of the scope. */
  asset_id: number;
  /** The state key, at most 512 characters. */
  key: string;
  /** The JSON text, verbatim. */
  value: string;
  /** From 1 on the first write, one more on each write; the ETag. */
  version: number;
  /** When the value was last written (UTC). */
  updated_at: TimestampColumn;
  /** The last writer's kind: `task`, `watcher` or `api`; null when not recorded. */
  last_updated_by_kind: string | null;
  /** Kind `task`: the writing task instance's dag id; null otherwise. */
  last_updated_by_dag_id: string | null;
  /** Kind `task`: its run id; null otherwise. */
  last_updated_by_run_id: string | null;
  /** Kind `task`: its task id; null otherwise. */
  last_updated_by_task_id: string | null;
  /** Kind `task`: its map index; null otherwise. */
  last_updated_by_map_index: number | null;
}

/** The metastore's tables, for `Kysely<Database>`. Column names are snake_case, as in SQL. */
export interface Database {
  /** Dag runs. */
  dag_run: DagRunTable;
  /** Task instances. */
  task_instance: TaskInstanceTable;
  /** The inlets and outlets of task instances. */
  task_instance_asset: TaskInstanceAssetTable;
  /** Registered assets. */
  asset: AssetTable;
  /** Task state. */
  task_state_store: TaskStateStoreTable;
  /** Asset state. */
  asset_state_store: AssetStateStoreTable;
}
