import type { QueryResult } from "kysely";

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
}
