import { randomUUID } from "node:crypto";
import {
  describeScope,
  inletOutletAssetsNotFound,
  requireRegionId,
  StateStoreError,
  type TaskScope,
  taskScope,
} from "@tidemark/state";
import { type Kysely, sql } from "kysely";
import { isUniqueViolation, toBackendError } from "../database/driver-error.js";
import { type PreparedQuery, prepareQuery } from "../database/prepared-query.js";
import type { Database } from "../database/schema.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import type { ValueCodec } from "../database/value-codec.js";
import { withWriteTransaction } from "../database/write-transaction.js";
import { type AssetRecord, type AssetRow, toAssetRecord } from "./asset-record.js";
import { ensureDagRun } from "./dag-runs.js";
import {
  foldTaskInstanceRows,
  selectTaskInstanceRows,
  type TaskInstanceJoinedRow,
  type TaskInstanceRecord,
} from "./task-instance-record.js";
import { requireTaskInstanceState, type TaskInstanceState } from "./task-instance-states.js";
import { pageRequest } from "./validate-input.js";

/** Input of {@link createTaskInstance}. */
export interface CreateTaskInstanceInput {
  /** The dag's id, not empty. */
  dagId: string;
  /** The dag run's id, not empty; the dag run is created when missing. */
  runId: string;
  /** The task's id, not empty. */
  taskId: string;
  /** -1 (default) when the task is not mapped; in a region, the region index. */
  mapIndex?: number;
  /** The region (Airflow 3.4), a UUID; default the all-zero UUID (no region). */
  regionId?: string;
  /** Initial state. Default `queued`; null for Airflow's "none". */
  state?: TaskInstanceState | null;
  /** Names of registered, active assets the task reads. */
  inlets?: readonly string[];
  /** Names of registered, active assets the task writes. */
  outlets?: readonly string[];
}

/** Identifies a task instance by its natural key. */
export interface TaskInstanceKey {
  /** The dag's id. */
  dagId: string;
  /** The dag run's id. */
  runId: string;
  /** The task's id. */
  taskId: string;
  /** Default -1. */
  mapIndex?: number;
  /** Default the all-zero UUID (no region). */
  regionId?: string;
}

/** Options of {@link listTaskInstances}. */
export interface ListTaskInstancesOptions {
  /** Only task instances of this dag. */
  dagId?: string;
  /** Only task instances of dag runs with this run id. */
  runId?: string;
  /** Only task instances of this task. */
  taskId?: string;
  /** Only task instances with this map index (-1 for unmapped tasks). */
  mapIndex?: number;
  /** Only task instances of this region (a UUID). */
  regionId?: string;
  /** Only task instances in this state. */
  state?: TaskInstanceState;
  /** Most task instances returned (default 100). */
  limit?: number;
  /** Task instances skipped (default 0), in (dag run, task_id, region_id, map_index) order. */
  offset?: number;
}

/** A page of task instances and how many there are in all. */
export interface TaskInstancePage {
  /** The page, in (dag run, task_id, region_id, map_index) order. */
  readonly taskInstances: TaskInstanceRecord[];
  /** How many task instances match, over all pages. */
  readonly total: number;
}

/** The form of a task instance id: a UUID in hex with dashes (any case). */
export const TASK_INSTANCE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads task instances (with dag run and assets) on a Kysely instance or transaction.
 *
 * @internal
 */
export async function loadTaskInstances(
  db: Kysely<Database>,
  codec: ValueCodec,
  ids: readonly string[],
): Promise<TaskInstanceRecord[]> {
  if (ids.length === 0) return [];
  const rows = await selectTaskInstanceRows(db).where("ti.id", "in", ids).execute();
  const byId = new Map(foldTaskInstanceRows(rows as TaskInstanceJoinedRow[], codec).map((t) => [t.id, t]));
  return ids.map((id) => byId.get(id)).filter((t): t is TaskInstanceRecord => t !== undefined);
}

/**
 * Creates a task instance with a random UUID id, creating its dag run if needed, and records its inlets
 * and outlets, all in one transaction.
 *
 * @param database - the metastore.
 * @param input - the natural key (with `regionId`, default the all-zero UUID), the initial state (default
 *   `queued`), inlet and outlet asset names.
 * @returns the new task instance (try number 1).
 * @throws StateStoreError `INVALID_SCOPE` for empty ids, a map index below -1 or a region id that is not a
 *   UUID; `INVALID_VALUE` for an
 *   unknown state; `ASSET_NOT_FOUND` naming every inlet or outlet that is not a registered active asset;
 *   `CONFLICT` when the task instance already exists (`details.existingId`); `BACKEND_UNAVAILABLE`.
 */
export async function createTaskInstance(
  database: TidemarkDatabase,
  input: CreateTaskInstanceInput,
): Promise<TaskInstanceRecord> {
  const scope = taskScope({
    dagId: input.dagId,
    runId: input.runId,
    taskId: input.taskId,
    mapIndex: input.mapIndex ?? -1,
    ...(input.regionId === undefined ? {} : { regionId: input.regionId }),
  });
  const state = input.state === null ? null : requireTaskInstanceState(input.state ?? "queued");
  const inlets = [...new Set(input.inlets ?? [])];
  const outlets = [...new Set(input.outlets ?? [])];
  const names = [...new Set([...inlets, ...outlets])];
  const { codec } = database;
  try {
    return await withWriteTransaction(database, async (trx) => {
      const dagRun = await ensureDagRun(trx, codec, scope, database.adapter.mysqlSyntax);
      const assets = new Map<string, AssetRecord>();
      if (names.length > 0) {
        const rows = await trx
          .selectFrom("asset")
          .selectAll()
          .where("name", "in", names)
          .where("active", "=", sql.lit(true))
          .execute();
        for (const row of rows) assets.set(row.name, toAssetRecord(row as AssetRow, codec));
      }
      const missing = names.filter((n) => !assets.has(n));
      if (missing.length > 0) {
        throw inletOutletAssetsNotFound(missing);
      }
      const existing = await trx
        .selectFrom("task_instance")
        .select("id")
        .where("dag_run_id", "=", dagRun.id)
        .where("task_id", "=", scope.taskId)
        .where("region_id", "=", scope.regionId)
        .where("map_index", "=", scope.mapIndex)
        .executeTakeFirst();
      if (existing !== undefined) throw alreadyExists(scope, existing.id);
      const id = randomUUID();
      const now = new Date();
      await trx
        .insertInto("task_instance")
        .values({
          id,
          dag_run_id: dagRun.id,
          dag_id: scope.dagId,
          run_id: scope.runId,
          task_id: scope.taskId,
          region_id: scope.regionId,
          map_index: scope.mapIndex,
          state,
          try_number: 1,
          created_at: codec.timestamp(now),
          updated_at: codec.timestamp(now),
        })
        .execute();
      const links = [
        ...inlets.map((n) => ({
          task_instance_id: id,
          asset_id: (assets.get(n) as AssetRecord).id,
          role: "inlet",
        })),
        ...outlets.map((n) => ({
          task_instance_id: id,
          asset_id: (assets.get(n) as AssetRecord).id,
          role: "outlet",
        })),
      ];
      if (links.length > 0) await trx.insertInto("task_instance_asset").values(links).execute();
      const byName = (a: AssetRecord, b: AssetRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      return {
        id,
        dagRunId: dagRun.id,
        dagId: scope.dagId,
        runId: scope.runId,
        taskId: scope.taskId,
        regionId: scope.regionId,
        mapIndex: scope.mapIndex,
        state,
        tryNumber: 1,
        createdAt: now,
        updatedAt: now,
        dagRun,
        inlets: inlets.map((n) => assets.get(n) as AssetRecord).sort(byName),
        outlets: outlets.map((n) => assets.get(n) as AssetRecord).sort(byName),
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyExists(scope, null, error);
    throw toBackendError(
      error,
      database,
      `creating task instance ${scope.dagId}/${scope.runId}/${scope.taskId}`,
    );
  }
}

function alreadyExists(scope: TaskScope, existingId: string | null, cause?: unknown): StateStoreError {
  return new StateStoreError(
    "CONFLICT",
    `${describeScope(scope)} already exists${existingId === null ? "" : ` (id ${existingId})`}; use another run id or map index`,
    { cause, details: { existingId } },
  );
}

const byIdQueries = new WeakMap<Kysely<Database>, PreparedQuery<"id", TaskInstanceJoinedRow>>();

/**
 * Reads a task instance by id, with its dag run, state, try number, inlets and outlets (one query).
 *
 * @param database - the metastore.
 * @param id - the task instance id (a UUID; anything else is simply not found).
 * @returns the task instance, or null.
 * @throws StateStoreError `BACKEND_UNAVAILABLE`.
 */
export async function getTaskInstance(
  database: TidemarkDatabase,
  id: string,
): Promise<TaskInstanceRecord | null> {
  if (typeof id !== "string" || !TASK_INSTANCE_ID_PATTERN.test(id)) return null;
  const { db, codec } = database;
  let query = byIdQueries.get(db);
  if (query === undefined) {
    query = prepareQuery(["id"], (p) => selectTaskInstanceRows(db).where("ti.id", "=", p.id));
    byIdQueries.set(db, query);
  }
  try {
    const result = await query.execute(db, { id: id.toLowerCase() });
    return foldTaskInstanceRows(result.rows, codec)[0] ?? null;
  } catch (error) {
    throw toBackendError(error, database, `reading task instance ${id}`);
  }
}

/**
 * Finds a task instance by (dag_id, run_id, task_id, region_id, map_index); without `regionId`, in the
 * all-zero region.
 *
 * @returns the task instance, or null.
 * @throws StateStoreError `INVALID_SCOPE` for a region id that is not a UUID; `BACKEND_UNAVAILABLE`.
 */
export async function findTaskInstance(
  database: TidemarkDatabase,
  key: TaskInstanceKey,
): Promise<TaskInstanceRecord | null> {
  const { db, codec } = database;
  const regionId = requireRegionId(key.regionId);
  try {
    const rows = await selectTaskInstanceRows(db)
      .where("ti.dag_id", "=", key.dagId)
      .where("ti.run_id", "=", key.runId)
      .where("ti.task_id", "=", key.taskId)
      .where("ti.region_id", "=", regionId)
      .where("ti.map_index", "=", key.mapIndex ?? -1)
      .execute();
    return foldTaskInstanceRows(rows as TaskInstanceJoinedRow[], codec)[0] ?? null;
  } catch (error) {
    throw toBackendError(error, database, `finding task instance ${key.dagId}/${key.runId}/${key.taskId}`);
  }
}

/**
 * Lists task instances in (dag run, task_id, region_id, map_index) order, filtered by any of dagId, runId,
 * taskId, mapIndex, regionId and state.
 *
 * @returns the page (with dag runs and assets) and the total.
 * @throws StateStoreError `INVALID_VALUE` for a bad limit, offset or state; `INVALID_SCOPE` for a region
 *   id that is not a UUID; `BACKEND_UNAVAILABLE`.
 */
export async function listTaskInstances(
  database: TidemarkDatabase,
  options: ListTaskInstancesOptions = {},
): Promise<TaskInstancePage> {
  const { limit, offset } = pageRequest(options);
  if (options.state !== undefined) requireTaskInstanceState(options.state);
  const regionId = options.regionId === undefined ? undefined : requireRegionId(options.regionId);
  const { db, codec } = database;
  try {
    let q = db.selectFrom("task_instance");
    if (options.dagId !== undefined) q = q.where("dag_id", "=", options.dagId);
    if (options.runId !== undefined) q = q.where("run_id", "=", options.runId);
    if (options.taskId !== undefined) q = q.where("task_id", "=", options.taskId);
    if (regionId !== undefined) q = q.where("region_id", "=", regionId);
    if (options.mapIndex !== undefined) q = q.where("map_index", "=", options.mapIndex);
    if (options.state !== undefined) q = q.where("state", "=", options.state);
    const [ids, count] = await Promise.all([
      q
        .select("id")
        .orderBy("dag_run_id")
        .orderBy("task_id")
        .orderBy("region_id")
        .orderBy("map_index")
        .limit(limit)
        .offset(offset)
        .execute(),
      q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
    ]);
    return {
      taskInstances: await loadTaskInstances(
        db,
        codec,
        ids.map((r) => r.id),
      ),
      total: Number(count?.n ?? 0),
    };
  } catch (error) {
    throw toBackendError(error, database, "listing task instances");
  }
}
