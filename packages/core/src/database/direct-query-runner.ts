import type { QueryResult } from "kysely";

/** What {@link DirectQueryRunner.tryFirstValue} returns when it declines. */
export const DIRECT_DECLINED: unique symbol = Symbol("tidemark.direct.declined");

/** What {@link DirectQueryRunner.tryRunUnblocking} returns when another connection holds the lock. */
export const DIRECT_LOCKED: unique symbol = Symbol("tidemark.direct.locked");

/**
 * Runs one compiled statement on the database's own driver, skipping Kysely's executor, or declines
 * (undefined) when it must not. Made by `createDatabase` (see `TidemarkDatabase.direct`):
 *
 * - SQLite: synchronously on the connection when no transaction is open on it; declines while one is,
 *   so a transaction in progress is never joined or bypassed.
 * - Postgres: as a named prepared statement on a pooled connection, so that Postgres parses and plans
 *   each statement once per connection instead of on every call.
 */
export interface DirectQueryRunner {
  /**
   * Runs `sql` with positional `parameters` (the same SQL and parameters Kysely would send).
   *
   * @returns the result (SQLite: right away; Postgres: a promise), or undefined when the statement must
   *   go through Kysely instead.
   */
  tryRun<R>(
    sql: string,
    parameters: readonly unknown[],
  ): QueryResult<R> | Promise<QueryResult<R>> | undefined;

  /**
   * Runs a query that selects one column and returns that column of its first row (undefined when no
   * row matched). SQLite reads only that row and value (`statement.pluck().get()`), skipping the array
   * of row objects `tryRun` builds.
   *
   * @returns the value (SQLite: right away; Postgres: a promise), or {@link DIRECT_DECLINED} when the
   *   statement must go through Kysely instead.
   */
  tryFirstValue(sql: string, parameters: readonly unknown[]): unknown | Promise<unknown>;

  /**
   * SQLite only (absent on Postgres): runs a writing statement like `tryRun`, but when another
   * connection holds the write lock it returns {@link DIRECT_LOCKED} at once instead of waiting in
   * SQLite's busy handler, which sleeps with the whole thread (and so the event loop) blocked. The
   * caller waits asynchronously and tries again, up to {@link lockTimeoutMs}.
   *
   * @returns the result, {@link DIRECT_LOCKED}, or undefined when it declines (a transaction is open).
   */
  tryRunUnblocking?<R>(
    sql: string,
    parameters: readonly unknown[],
  ): QueryResult<R> | typeof DIRECT_LOCKED | undefined;
  /** SQLite: the connection's busy timeout, in milliseconds: how long a caller of `tryRunUnblocking` should keep trying. */
  readonly lockTimeoutMs?: number;
}
