import type BetterSqlite3 from "better-sqlite3";
import type { QueryResult, SqliteDatabase, SqliteStatement } from "kysely";
import { DIRECT_DECLINED, DIRECT_LOCKED, type DirectQueryRunner } from "./direct-query-runner.js";

/** A better-sqlite3 handle for Kysely's SqliteDialect, with a statement cache and a direct runner. */
export interface CachedSqliteDatabase extends SqliteDatabase {
  /** The direct runner over the same connection and statement cache. */
  readonly direct: DirectQueryRunner;
}

/**
 * Wraps a better-sqlite3 handle for Kysely's SqliteDialect so that each distinct SQL text is prepared
 * once and its statement reused: preparing costs more than running a point query, and the metastore's
 * hot statements are a handful of fixed texts. At most `capacity` statements are kept (the oldest go
 * first). SQLite re-prepares a cached statement by itself after a schema change.
 *
 * The `direct` runner executes a statement synchronously on the same connection when no transaction is
 * open on it, skipping Kysely's asynchronous executor and connection mutex; better-sqlite3 runs every
 * statement synchronously anyway, so between two of Kysely's statements only an open transaction
 * (BEGIN … COMMIT across awaits) has to be waited for, and then `tryRun` declines. Its `tryFirstValue`
 * reads one row's first column (`pluck().get()`) from statements cached apart from Kysely's; its
 * `tryRunUnblocking` fails fast instead of waiting for another connection's write lock (the cleanup
 * sweep waits asynchronously instead). Set the busy timeout before calling this: it is read once here.
 *
 * @param database - the open better-sqlite3 handle.
 * @param capacity - most statements kept. Default 256.
 * @returns the handle Kysely's `SqliteDialect({ database })` takes.
 */
export function cacheSqliteStatements(
  database: BetterSqlite3.Database,
  capacity = 256,
): CachedSqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  // Statements in pluck mode (first column only), for tryFirstValue: a separate cache, because the mode
  // sticks to the statement and Kysely's path needs whole rows.
  const plucked = new Map<string, BetterSqlite3.Statement>();
  const cached = (
    cache: Map<string, BetterSqlite3.Statement>,
    sql: string,
    make: () => BetterSqlite3.Statement,
  ): BetterSqlite3.Statement => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = make();
      if (cache.size >= capacity) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(sql, statement);
    }
    return statement;
  };
  const prepare = (sql: string) => cached(statements, sql, () => database.prepare(sql));
  const lockTimeoutMs = Number(database.pragma("busy_timeout", { simple: true }) ?? 0);
  return {
    close() {
      statements.clear();
      plucked.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      return prepare(sql) as unknown as SqliteStatement;
    },
    direct: {
      tryRun<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> | undefined {
        if (!database.open || database.inTransaction) return undefined;
        const statement = prepare(sql);
        if (statement.reader) return { rows: statement.all(parameters) as R[] };
        const { changes } = statement.run(parameters);
        return { rows: [], numAffectedRows: BigInt(changes) };
      },
      lockTimeoutMs,
      tryRunUnblocking<R>(
        sql: string,
        parameters: readonly unknown[],
      ): QueryResult<R> | typeof DIRECT_LOCKED | undefined {
        if (!database.open || database.inTransaction) return undefined;
        const statement = prepare(sql);
        // All synchronous: no other statement of this process can run while the timeout is 0.
        database.pragma("busy_timeout = 0");
        try {
          if (statement.reader) return { rows: statement.all(parameters) as R[] };
          const { changes } = statement.run(parameters);
          return { rows: [], numAffectedRows: BigInt(changes) };
        } catch (error) {
          const code = (error as { code?: unknown } | null)?.code;
          if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) return DIRECT_LOCKED;
          throw error;
        } finally {
          database.pragma(`busy_timeout = ${lockTimeoutMs}`);
        }
      },
      tryFirstValue(sql: string, parameters: readonly unknown[]): unknown {
        if (!database.open || database.inTransaction) return DIRECT_DECLINED;
        const statement = cached(plucked, sql, () => database.prepare(sql));
        if (!statement.reader) return DIRECT_DECLINED;
        return statement.pluck().get(parameters);
      },
    },
  };
}
