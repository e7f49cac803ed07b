import { setTimeout as sleep } from "node:timers/promises";
import type { CleanupOptions, CleanupReport } from "@tidemark/state";
import { type Kysely, sql } from "kysely";
import { toBackendError } from "../database/driver-error.js";
import { LOCK_TAKEN } from "../database/fail-fast-locking.js";
import type { Database } from "../database/schema.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { BatchPacer } from "./batch-pacer.js";

/** Default of `state_store.state_cleanup_batch_size`: expired rows deleted per statement. */
export const DEFAULT_CLEANUP_BATCH_SIZE = 10_000;

/** Options of {@link cleanupMetastore}. */
export interface CleanupMetastoreOptions extends CleanupOptions {
  /** Rows deleted per statement (and transaction); 0 = everything in one statement. Default 10000. */
  batchSize?: number;
  /** The current instant; keys with `expires_at <= now` are expired. Default `new Date()`. */
  now?: Date;
}

function toCount(value: unknown): number {
  return typeof value === "bigint" ? Number(value) : Number(value ?? 0);
}

/** Longest asynchronous wait between two tries for SQLite's write lock, in milliseconds. */
const LOCK_RETRY_MAX_MS = 20;

/**
 * Runs one batch's DELETE and returns the rows it deleted. Where the driver would block the event loop
 * while waiting for another connection's write lock (SQLite's busy handler, see
 * `SqlDialectAdapter.failFastLocking`), it tries without waiting: when the lock is taken it sleeps
 * asynchronously (1, 2, 4 … 20 ms) and tries again, up to the connection's busy timeout, then fails with
 * SQLITE_BUSY as the busy handler would have.
 */
async function runDelete(
  database: TidemarkDatabase,
  query: (db: Kysely<Database>) => { executeTakeFirst(): Promise<{ numDeletedRows: bigint }> },
  markStart: () => void,
): Promise<number> {
  const failFast = database.adapter.failFastLocking;
  if (failFast === undefined) {
    markStart();
    return toCount((await query(database.db).executeTakeFirst()).numDeletedRows);
  }
  const started = performance.now();
  for (let wait = 1; ; wait = Math.min(wait * 2, LOCK_RETRY_MAX_MS)) {
    const { outcome, lockTimeoutMs } = await failFast.tryWithoutWaiting(database.db, async (conn) => {
      markStart();
      return (await query(conn).executeTakeFirst()).numDeletedRows;
    });
    if (outcome !== LOCK_TAKEN) return toCount(outcome);
    if (performance.now() >= started + lockTimeoutMs) {
      throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    }
    await sleep(wait);
  }
}

/**
 * Garbage collection of the metastore, in two phases, each reported through `onProgress` after every
 * batch:
 *
 * 1. `task_state_store`: rows with `expires_at <= now` (never those with a null expiry), deleted
 *    `batchSize` at a time, each batch one `DELETE … WHERE id IN (SELECT id … LIMIT n)` statement and
 *    so its own short transaction: a writer waits at most one batch. On Postgres the batch skips rows
 *    locked by a writer (`FOR UPDATE SKIP LOCKED`); the next sweep takes them. MySQL, which has no
 *    LIMIT in such a subquery, runs `DELETE … WHERE expires_at <= now LIMIT n`.
 * 2. `asset_state_store`: the orphan sweep the reference documents: state rows of deactivated assets.
 *
 * Between two batches the sweep yields to the event loop, so that the process (an API server running
 * its scheduled cleanup) keeps serving requests: better-sqlite3 runs statements synchronously. On
 * SQLite it also pauses about as long as the batch took (2 to 100 ms), so that a writer on another
 * connection, polling for the write lock in SQLite's busy handler, gets it before the next batch; and a
 * batch slower than 50 ms makes the next ones smaller (the configured `batchSize` stays the maximum).
 * When another connection holds SQLite's write lock, the sweep waits for it asynchronously (up to the
 * connection's busy timeout) rather than in SQLite's busy handler, which would block the event loop.
 * The trade-off: a SQLite sweep takes about twice as long as back-to-back batches would, and a
 * concurrent writer waits about one batch instead of the whole sweep.
 *
 * A dry run counts what each phase would delete and deletes nothing.
 *
 * @param database - the metastore.
 * @param options - `batchSize`, `now`, `dryRun`, `onProgress`.
 * @returns `{dryRun, deleted: {task_state_store, asset_state_store}, durationMs}`.
 * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database fails (batches already committed stay
 *   deleted).
 */
export async function cleanupMetastore(
  database: TidemarkDatabase,
  options: CleanupMetastoreOptions = {},
): Promise<CleanupReport> {
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  const batchSize = Math.max(0, Math.trunc(options.batchSize ?? DEFAULT_CLEANUP_BATCH_SIZE));
  const now = database.codec.timestamp(options.now ?? new Date());
  const { db } = database;
  const { adapter } = database;
  const onProgress = options.onProgress;
  const inactive = sql.lit(false);

  try {
    // Phase 1: expired task state.
    const countExpired = async () =>
      toCount(
        (
          await db
            .selectFrom("task_state_store")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("expires_at", "<=", now)
            .executeTakeFirst()
        )?.n,
      );
    let taskDeleted = 0;
    const taskTotal = dryRun || onProgress ? await countExpired() : null;
    if (dryRun) {
      taskDeleted = taskTotal ?? 0;
      onProgress?.({ phase: "task_state_store", done: taskDeleted, total: taskTotal });
    } else if (batchSize === 0) {
      const result = await db
        .deleteFrom("task_state_store")
        .where("expires_at", "<=", now)
        .executeTakeFirst();
      taskDeleted = toCount(result.numDeletedRows);
      onProgress?.({ phase: "task_state_store", done: taskDeleted, total: taskTotal });
    } else {
      const pacer = new BatchPacer(adapter, batchSize);
      for (;;) {
        const size = pacer.next();
        // MySQL has no LIMIT in an IN subquery, but a single-table DELETE takes one.
        const query = (on: Kysely<Database>) =>
          adapter.mysqlSyntax
            ? on.deleteFrom("task_state_store").where("expires_at", "<=", now).limit(size)
            : on.deleteFrom("task_state_store").where("id", "in", (eb) => {
                const batch = eb
                  .selectFrom("task_state_store")
                  .select("id")
                  .where("expires_at", "<=", now)
                  .limit(size);
                return adapter.skipLockedRows(batch);
              });
        const deleted = await runDelete(database, query, pacer.markStart);
        taskDeleted += deleted;
        onProgress?.({ phase: "task_state_store", done: taskDeleted, total: taskTotal });
        if (deleted < size) break;
        await pacer.pause();
      }
    }

    // Phase 2: the orphan sweep, state of deactivated assets.
    const orphans = (eb: typeof db) =>
      eb
        .selectFrom("asset_state_store as s")
        .innerJoin("asset as a", "a.id", "s.asset_id")
        .where("a.active", "=", inactive);
    let assetDeleted = 0;
    const assetTotal =
      dryRun || onProgress
        ? toCount(
            (
              await orphans(db)
                .select((eb) => eb.fn.countAll().as("n"))
                .executeTakeFirst()
            )?.n,
          )
        : null;
    if (dryRun) {
      assetDeleted = assetTotal ?? 0;
      onProgress?.({ phase: "asset_state_store", done: assetDeleted, total: assetTotal });
    } else {
      const pacer = new BatchPacer(adapter, Math.max(1, batchSize));
      for (;;) {
        const size = batchSize === 0 ? 0 : pacer.next();
        const query = (on: Kysely<Database>) =>
          adapter.mysqlSyntax
            ? on
                .deleteFrom("asset_state_store")
                .where("asset_id", "in", (eb) =>
                  eb.selectFrom("asset").select("asset.id").where("asset.active", "=", inactive),
                )
                .$if(size > 0, (q) => q.limit(size))
            : on
                .deleteFrom("asset_state_store")
                .where((eb) =>
                  eb(
                    eb.refTuple("asset_state_store.asset_id", "asset_state_store.key"),
                    "in",
                    (size === 0 ? orphans(on) : orphans(on).limit(size))
                      .select(["s.asset_id", "s.key"])
                      .$asTuple("asset_id", "key"),
                  ),
                );
        const deleted = await runDelete(database, query, pacer.markStart);
        assetDeleted += deleted;
        onProgress?.({ phase: "asset_state_store", done: assetDeleted, total: assetTotal });
        if (size === 0 || deleted < size) break;
        await pacer.pause();
      }
    }
    return {
      dryRun,
      deleted: { task_state_store: taskDeleted, asset_state_store: assetDeleted },
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    throw toBackendError(error, database, dryRun ? "cleanup (dry run)" : "cleanup");
  }
}
