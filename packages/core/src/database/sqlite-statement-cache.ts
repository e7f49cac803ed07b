import type BetterSqlite3 from "better-sqlite3";
import type { QueryResult, SqliteDatabase, SqliteStatement } from "kysely";
import type { DirectQueryRunner } from "./direct-query-runner.js";

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
 * (BEGIN … COMMIT across awaits) has to be waited for, and then `tryRun` declines.
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
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = database.prepare(sql);
      if (statements.size >= capacity) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    close() {
      statements.clear();
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
    },
  };
}
