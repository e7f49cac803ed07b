import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** A statement that returns at most one row: it ends in a literal `limit 1`. */
const SINGLE_ROW = /\slimit 1$/i;

/**
 * The statement Kysely's driver runs. A query ending in a literal `limit 1` (the metastore's point reads)
 * is read with `get`, one step of the statement instead of `all`'s step to the end: the same rows, and
 * on a point query a fifth of its cost.
 */
function statementFor(sql: string, statement: BetterSqlite3.Statement): SqliteStatement {
  if (!statement.reader || !SINGLE_ROW.test(sql)) return statement as unknown as SqliteStatement;
  return {
    reader: true,
    all(parameters: ReadonlyArray<unknown>): unknown[] {
      const row = statement.get(parameters as unknown[]);
      return row === undefined ? [] : [row];
    },
    run: (parameters: ReadonlyArray<unknown>) => statement.run(parameters as unknown[]),
    iterate: (parameters: ReadonlyArray<unknown>) => statement.iterate(parameters as unknown[]),
  } as SqliteStatement;
}

/**
 * Wraps a better-sqlite3 handle so that each distinct SQL text is prepared
 * once and its statement reused: preparing costs more than running a point query, and the metastore's
 * hot statements are a handful of fixed texts. At most `capacity` statements are kept (the oldest go
 * first). SQLite re-prepares a cached statement by itself after a schema change.
 *
 * @param database - the open better-sqlite3 handle.
 * @param capacity - most statements kept. Default 256.
 * @returns the handle `betterSqlite3Dialect`'s driver runs statements on (the shape Kysely's
 *   `SqliteDialect({ database })` takes too); its `close()` closes `database`.
 */
export function cacheSqliteStatements(database: BetterSqlite3.Database, capacity = 256): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close() {
      statements.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = statementFor(sql, database.prepare(sql));
        if (statements.size >= capacity) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
