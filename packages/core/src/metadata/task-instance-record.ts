import { type TaskScope, taskScope } from "@tidemark/state";
import type { Kysely } from "kysely";
import type { Database } from "../database/schema.js";
import type { ValueCodec } from "../database/value-codec.js";
import { type AssetRecord, toAssetRecord } from "./asset-record.js";
import type { DagRunRecord } from "./dag-runs.js";
import type { TaskInstanceState } from "./task-instance-states.js";

/** A task instance with its dag run and the assets it declares. */
export interface TaskInstanceRecord {
  /** Random UUID; what the Execution API routes and task instance tokens carry. */
  readonly id: string;
  /** The metastore's integer id of its dag run (`dag_run.id`). */
  readonly dagRunId: number;
  /** The dag's id. */
  readonly dagId: string;
  /** The dag run's id. */
  readonly runId: string;
  /** The task's id within its dag. */
  readonly taskId: string;
  /** The region the task instance runs in (Airflow 3.4), a lower-case UUID; `NO_REGION_ID` when in none. */
  readonly regionId: string;
  /** -1 when the task is not mapped; in a region, the region index. */
  readonly mapIndex: number;
  /** Null before it is scheduled (Airflow's "none"). */
  readonly state: TaskInstanceState | null;
  /** Starts at 1; grows by one when the task goes from up_for_retry to running. */
  readonly tryNumber: number;
  /** When it was created. */
  readonly createdAt: Date;
  /** When its state or try number last changed. */
  readonly updatedAt: Date;
  /** Its dag run. */
  readonly dagRun: DagRunRecord;
  /** Assets declared as inlets, in name order. */
  readonly inlets: AssetRecord[];
  /** Assets declared as outlets, in name order. */
  readonly outlets: AssetRecord[];
}

/**
 * The task scope of a task instance: where its task state lives.
 *
 * @param ti - the task instance; without `regionId`, the all-zero region.
 * @returns `TaskScope(dagId, runId, taskId, regionId, mapIndex)`.
 */
export function taskInstanceScope(
  ti: Pick<TaskInstanceRecord, "dagId" | "runId" | "taskId" | "mapIndex"> & { readonly regionId?: string },
): TaskScope {
  return taskScope({
    dagId: ti.dagId,
    runId: ti.runId,
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    ...(ti.regionId === undefined ? {} : { regionId: ti.regionId }),
  });
}

/** The joined rows of task instances with their dag run and assets (one row per declared asset). */
export function selectTaskInstanceRows(db: Kysely<Database>) {
  return db
    .selectFrom("task_instance as ti")
    .innerJoin("dag_run as dr", "dr.id", "ti.dag_run_id")
    .leftJoin("task_instance_asset as tia", "tia.task_instance_id", "ti.id")
    .leftJoin("asset as a", "a.id", "tia.asset_id")
    .select([
      "ti.id",
      "ti.dag_run_id",
      "ti.dag_id",
      "ti.run_id",
      "ti.task_id",
      "ti.region_id",
      "ti.map_index",
      "ti.state",
      "ti.try_number",
      "ti.created_at",
      "ti.updated_at",
      "dr.created_at as dag_run_created_at",
      "tia.role",
      "a.id as asset_id",
      "a.name as asset_name",
      "a.uri as asset_uri",
      "a.active as asset_active",
      "a.created_at as asset_created_at",
      "a.updated_at as asset_updated_at",
    ]);
}

/** One row of {@link selectTaskInstanceRows}. */
export interface TaskInstanceJoinedRow {
  id: string;
  dag_run_id: number;
  dag_id: string;
  run_id: string;
  task_id: string;
  region_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  created_at: unknown;
  updated_at: unknown;
  dag_run_created_at: unknown;
  role: string | null;
  asset_id: number | null;
  asset_name: string | null;
  asset_uri: string | null;
  asset_active: unknown;
  asset_created_at: unknown;
  asset_updated_at: unknown;
}

/**
 * Folds joined rows into task instance records, keeping the order of first appearance.
 *
 * @param rows - rows of {@link selectTaskInstanceRows}.
 * @param codec - the dialect's value codec.
 */
export function foldTaskInstanceRows(
  rows: readonly TaskInstanceJoinedRow[],
  codec: ValueCodec,
): TaskInstanceRecord[] {
  const byId = new Map<string, TaskInstanceRecord & { inlets: AssetRecord[]; outlets: AssetRecord[] }>();
  for (const row of rows) {
    let ti = byId.get(row.id);
    if (ti === undefined) {
      const dagRunId = Number(row.dag_run_id);
      ti = {
        id: row.id,
        dagRunId,
        dagId: row.dag_id,
        runId: row.run_id,
        taskId: row.task_id,
        regionId: row.region_id.toLowerCase(),
        mapIndex: Number(row.map_index),
        state: row.state as TaskInstanceState | null,
        tryNumber: Number(row.try_number),
        createdAt: codec.date(row.created_at),
        updatedAt: codec.date(row.updated_at),
        dagRun: {
          id: dagRunId,
          dagId: row.dag_id,
          runId: row.run_id,
          createdAt: codec.date(row.dag_run_created_at),
        },
        inlets: [],
        outlets: [],
      };
      byId.set(row.id, ti);
    }
    if (row.asset_id !== null && row.asset_name !== null && row.asset_uri !== null) {
      const asset = toAssetRecord(
        {
          id: row.asset_id,
          name: row.asset_name,
          uri: row.asset_uri,
          active: row.asset_active,
          created_at: row.asset_created_at,
          updated_at: row.asset_updated_at,
        },
        codec,
      );
      (row.role === "inlet" ? ti.inlets : ti.outlets).push(asset);
    }
  }
  const byName = (a: AssetRecord, b: AssetRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const ti of byId.values()) {
    ti.inlets.sort(byName);
    ti.outlets.sort(byName);
  }
  return [...byId.values()];
}
