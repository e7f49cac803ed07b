import { StateStoreError } from "@tidemark/state";
import { type Kysely, sql } from "kysely";
import { toBackendError } from "../database/driver-error.js";
import type { Database } from "../database/schema.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import type { ValueCodec } from "../database/value-codec.js";
import { pageRequest, requireText } from "./validate-input.js";

/** A dag run. */
export interface DagRunRecord {
  /** The metastore's integer id (`dag_run.id`). */
  readonly id: number;
  /** The dag's id. */
  readonly dagId: string;
  /** The run's id, unique within its dag. */
  readonly runId: string;
  /** When the dag run was created. */
  readonly createdAt: Date;
}

/** Identifies a dag run. */
export interface DagRunKey {
  /** The dag's id, not empty. */
  dagId: string;
  /** The run's id, not empty. */
  runId: string;
}

/** Options of {@link listDagRuns}. */
export interface ListDagRunsOptions {
  /** Only this dag's runs. */
  dagId?: string;
  /** Most runs returned (default 100). */
  limit?: number;
  /** Runs skipped, in id order (default 0). */
  offset?: number;
}

/** A page of dag runs and how many there are in all. */
export interface DagRunPage {
  /** The page, in id order. */
  readonly dagRuns: DagRunRecord[];
  /** How many dag runs match, over all pages. */
  readonly total: number;
}

function toDagRunRecord(
  row: { id: number; dag_id: string; run_id: string; created_at: unknown },
  codec: ValueCodec,
): DagRunRecord {
  return { id: Number(row.id), dagId: row.dag_id, runId: row.run_id, createdAt: codec.date(row.created_at) };
}

function checkKey(key: DagRunKey): DagRunKey {
  return {
    dagId: requireText(key.dagId, "dagId", "INVALID_SCOPE"),
    runId: requireText(key.runId, "runId", "INVALID_SCOPE"),
  };
}

/**
 * Get-or-create of a dag run on a given Kysely instance or transaction (for callers composing a larger
 * transaction).
 *
 * @internal
 */
export async function ensureDagRun(
  db: Kysely<Database>,
  codec: ValueCodec,
  key: DagRunKey,
  mysql = false,
): Promise<DagRunRecord> {
  await db
    .insertInto("dag_run")
    .values({ dag_id: key.dagId, run_id: key.runId, created_at: codec.timestamp(new Date()) })
    .$call((insert) =>
      mysql
        ? insert.onDuplicateKeyUpdate({ id: sql.ref<number>("dag_run.id") })
        : insert.onConflict((oc) => oc.columns(["dag_id", "run_id"]).doNothing()),
    )
    .execute();
  const row = await db
    .selectFrom("dag_run")
    .selectAll()
    .where("dag_id", "=", key.dagId)
    .where("run_id", "=", key.runId)
    .executeTakeFirstOrThrow();
  return toDagRunRecord(row, codec);
}

/**
 * Creates a dag run, or returns the existing one with the same (dag_id, run_id): idempotent.
 *
 * @param database - the metastore.
 * @param key - `dagId` and `runId` (non-empty).
 * @returns the dag run.
 * @throws StateStoreError `INVALID_SCOPE` for an empty id; `BACKEND_UNAVAILABLE`.
 */
export async function createDagRun(database: TidemarkDatabase, key: DagRunKey): Promise<DagRunRecord> {
  const checked = checkKey(key);
  try {
    return await ensureDagRun(database.db, database.codec, checked, database.adapter.mysqlSyntax);
  } catch (error) {
    throw toBackendError(error, database, `creating dag run ${checked.dagId}/${checked.runId}`);
  }
}

/**
 * Reads a dag run by (dag_id, run_id); the REST API answers 404 when this is null.
 *
 * @returns the dag run, or null.
 * @throws StateStoreError `BACKEND_UNAVAILABLE`.
 */
export async function getDagRun(database: TidemarkDatabase, key: DagRunKey): Promise<DagRunRecord | null> {
  try {
    const row = await database.db
      .selectFrom("dag_run")
      .selectAll()
      .where("dag_id", "=", key.dagId)
      .where("run_id", "=", key.runId)
      .executeTakeFirst();
    return row === undefined ? null : toDagRunRecord(row, database.codec);
  } catch (error) {
    throw toBackendError(error, database, `reading dag run ${key.dagId}/${key.runId}`);
  }
}

/**
 * Lists dag runs in id (creation) order.
 *
 * @param options - `dagId`, `limit` (default 100), `offset`.
 * @returns the page and the total.
 * @throws StateStoreError `INVALID_VALUE` for a bad limit or offset; `BACKEND_UNAVAILABLE`.
 */
export async function listDagRuns(
  database: TidemarkDatabase,
  options: ListDagRunsOptions = {},
): Promise<DagRunPage> {
  const { limit, offset } = pageRequest(options);
  try {
    let q = database.db.selectFrom("dag_run");
    if (options.dagId !== undefined) q = q.where("dag_id", "=", options.dagId);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy("id").limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
    ]);
    return { dagRuns: rows.map((r) => toDagRunRecord(r, database.codec)), total: Number(count?.n ?? 0) };
  } catch (error) {
    throw toBackendError(error, database, "listing dag runs");
  }
}

/**
 * Deletes a dag run with its task instances and their task state (ON DELETE CASCADE).
 *
 * @returns true when a dag run was deleted, false when there was none.
 * @throws StateStoreError `BACKEND_UNAVAILABLE`.
 */
export async function deleteDagRun(database: TidemarkDatabase, key: DagRunKey): Promise<boolean> {
  try {
    const result = await database.db
      .deleteFrom("dag_run")
      .where("dag_id", "=", key.dagId)
      .where("run_id", "=", key.runId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  } catch (error) {
    if (error instanceof StateStoreError) throw error;
    throw toBackendError(error, database, `deleting dag run ${key.dagId}/${key.runId}`);
  }
}
