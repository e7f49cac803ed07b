import { sql } from "kysely";
import {
  currentMysqlDatabase,
  getMysqlLock,
  mysqlLockName,
  releaseMysqlLock,
} from "../database/mysql-named-lock.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";

/** What {@link CleanupLock.withLock} did: ran the work while holding the lock, or found it taken. */
export type LockOutcome<T> =
  | {
      /** The lock was held and the work ran. */
      readonly acquired: true;
      /** What the work resolved. */
      readonly result: T;
    }
  | {
      /** Another holder had the lock; the work did not run. */
      readonly acquired: false;
    };

/** Mutual exclusion of cleanup sweeps across the servers sharing one metastore. */
export interface CleanupLock {
  /** What the lock coordinates, for logs (for example `postgres advisory lock (schema public)`). */
  readonly description: string;
  /**
   * Whether the lock excludes other servers (the Postgres advisory lock); false or absent for a lock that
   * only excludes sweeps inside this process, which the cleanup metrics report as `not_used`.
   */
  readonly shared?: boolean;
  /**
   * Runs `work` while holding the lock, without waiting for it: when another holder has it, resolves
   * `{acquired: false}` at once and `work` does not run.
   */
  withLock<T>(work: () => Promise<T>): Promise<LockOutcome<T>>;
}

/** The first key of the two-key advisory lock Tidemark's cleanup takes ("tidm" in ASCII). */
export const CLEANUP_LOCK_CLASS_ID = 0x7469646d;

/**
 * A lock held only inside this process: a second sweep of the same scheduler (or of any scheduler sharing
 * the lock object) is skipped while one runs.
 *
 * @param description - for logs.
 * @returns the lock.
 */
export function processLocalCleanupLock(description = "in-process lock"): CleanupLock {
  let held = false;
  return {
    description,
    shared: false,
    async withLock(work) {
      if (held) return { acquired: false };
      held = true;
      try {
        return { acquired: true, result: await work() };
      } finally {
        held = false;
      }
    },
  };
}

/**
 * A Postgres session advisory lock, `pg_try_advisory_lock(CLEANUP_LOCK_CLASS_ID, hashtext(name))`, taken
 * on a connection reserved from the pool for the duration of the sweep (the sweep's own statements use
 * other pooled connections) and released with `pg_advisory_unlock` on that same connection. Advisory locks
 * are per database, so the name includes the schema: servers on one schema exclude each other, tests on
 * other schemas do not. When a server dies mid-sweep its connection closes and Postgres drops the lock.
 *
 * @param database - a Postgres metastore (its pool needs at least 2 connections).
 * @returns the lock.
 */
export function postgresAdvisoryCleanupLock(database: TidemarkDatabase): CleanupLock {
  const name = `tidemark.state_store.cleanup:${database.schema ?? "public"}`;
  return {
    description: `postgres advisory lock ${JSON.stringify(name)}`,
    shared: true,
    withLock(work) {
      return database.db.connection().execute(async (connection) => {
        const taken = await sql<{
          locked: boolean;
        }>`select pg_try_advisory_lock(${sql.lit(CLEANUP_LOCK_CLASS_ID)}, hashtext(${name})) as locked`.execute(
          connection,
        );
        if (taken.rows[0]?.locked !== true) return { acquired: false as const };
        try {
          return { acquired: true as const, result: await work() };
        } finally {
          await sql`select pg_advisory_unlock(${sql.lit(CLEANUP_LOCK_CLASS_ID)}, hashtext(${name}))`.execute(
            connection,
          );
        }
      });
    },
  };
}

/**
 * A MySQL named lock, `GET_LOCK(name, 0)` with the name from `mysqlLockName("cleanup", database)`, taken
 * and released on a connection reserved from the pool for the duration of the sweep, as the Postgres
 * advisory lock is. When a server dies mid-sweep its session ends and MySQL releases the lock.
 *
 * @param database - a MySQL metastore (its pool needs at least 2 connections).
 * @returns the lock.
 */
export function mysqlNamedCleanupLock(database: TidemarkDatabase): CleanupLock {
  return {
    description: "mysql named lock tidemark.cleanup",
    shared: true,
    withLock(work) {
      return database.db.connection().execute(async (connection) => {
        const name = mysqlLockName("cleanup", await currentMysqlDatabase(connection));
        if (!(await getMysqlLock(connection, name, 0))) return { acquired: false as const };
        try {
          return { acquired: true as const, result: await work() };
        } finally {
          await releaseMysqlLock(connection, name);
        }
      });
    },
  };
}

/**
 * The cleanup lock for a metastore: the Postgres advisory lock on a Postgres server, the named lock on a
 * MySQL server; on SQLite (one file
 * on one host, where sweeps serialize on SQLite's write lock anyway and deleting expired rows twice is
 * harmless) and on PGlite (a single in-process connection that a held lock would block), an in-process
 * lock.
 *
 * @param database - the metastore.
 * @returns the lock.
 */
export function cleanupLockFor(database: TidemarkDatabase): CleanupLock {
  const { sessionLocks, displayName } = database.adapter;
  const pglite = database.url.startsWith("pglite:");
  if (sessionLocks === "mysql-named") return mysqlNamedCleanupLock(database);
  if (sessionLocks === "postgres-advisory" && !pglite) return postgresAdvisoryCleanupLock(database);
  return processLocalCleanupLock(`in-process lock (${pglite ? "PGlite" : displayName})`);
}
