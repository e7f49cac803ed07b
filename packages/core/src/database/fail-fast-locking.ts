import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.js";

/** What {@link FailFastLocking.tryWithoutWaiting} returns when another connection holds the write lock. */
export const LOCK_TAKEN: unique symbol = Symbol("tidemark.lock.taken");

/**
 * Running a writing statement without waiting for another connection's write lock inside the driver.
 * SQLite waits in its busy handler, which sleeps with the whole thread (and so the event loop) blocked;
 * a caller that must not block (the cleanup sweep) tries without waiting, waits asynchronously when the
 * lock is taken and tries again, up to {@link lockTimeoutMs}.
 */
export interface FailFastLocking {
  /**
   * Runs `work` on one connection that fails at once, instead of waiting, when another connection holds
   * the write lock.
   *
   * @param db - the root Kysely instance (not a transaction).
   * @param work - runs its statements on the connection it receives.
   * @returns what `work` returned, or {@link LOCK_TAKEN}; with how long the connection would have
   *   waited for the lock (its busy timeout), in milliseconds.
   */
  tryWithoutWaiting<T>(
    db: Kysely<Database>,
    work: (conn: Kysely<Database>) => Promise<T>,
  ): Promise<FailFastOutcome<T>>;
}

/** What {@link FailFastLocking.tryWithoutWaiting} resolves. */
export interface FailFastOutcome<T> {
  /** What the work returned, or {@link LOCK_TAKEN}. */
  readonly outcome: T | typeof LOCK_TAKEN;
  /** How long the connection waits for a lock when not failing fast (its busy timeout), in milliseconds. */
  readonly lockTimeoutMs: number;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/**
 * SQLite's fail-fast locking: the busy timeout is set to 0 around `work` on a held connection (no other
 * statement of this process runs on it meanwhile) and set back afterwards; SQLITE_BUSY becomes
 * {@link LOCK_TAKEN}.
 */
export const SQLITE_FAIL_FAST_LOCKING = Object.freeze<FailFastLocking>({
  tryWithoutWaiting<T>(db: Kysely<Database>, work: (conn: Kysely<Database>) => Promise<T>) {
    return db.connection().execute(async (conn): Promise<FailFastOutcome<T>> => {
      const current = await sql<{ timeout: number }>`pragma busy_timeout`.execute(conn);
      const lockTimeoutMs = Number(current.rows[0]?.timeout ?? 0);
      await sql`pragma busy_timeout = 0`.execute(conn);
      try {
        return { outcome: await work(conn), lockTimeoutMs };
      } catch (error) {
        if (isBusy(error)) return { outcome: LOCK_TAKEN, lockTimeoutMs };
        throw error;
      } finally {
        await sql.raw(`pragma busy_timeout = ${Math.trunc(lockTimeoutMs)}`).execute(conn);
      }
    });
  },
});
