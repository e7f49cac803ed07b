import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** A statement that returns at most one row: it ends in a literal `limit 1`. */
const SINGLE_ROW = /\slimit 1$/i;

/** A row of one column, built in JavaScript: a store under one constant name stays a fast path in V8. */
function singleColumnRow(name: string): (value: unknown) => Record<string, unknown> {
  return (value) => {
    const row: Record<string, unknown> = {};
    row[name] = value;
    return row;
  };
}

/**
 * The statement the driver runs. A query ending in a literal `limit 1` (the metastore's point reads)
 * is read with `get`, one step of the statement instead of `all`'s step to the end: the same rows, and
 * on a point query a fifth of its cost. When it selects one column its value is read alone (`pluck`)
 * and the row object built here, cheaper than better-sqlite3 building it. The parameters go as
 * separate arguments, which better-sqlite3 binds faster than one array of them.
 */
function statementFor(
  database: BetterSqlite3.Database,
  sql: string,
  statement: BetterSqlite3.Statement,
): SqliteStatement {
  if (!statement.reader || !SINGLE_ROW.test(sql)) return statement as unknown as SqliteStatement;
  const columns = statement.columns();
  // `__proto__` would set the row's prototype instead of a property.
  const only = columns.length === 1 && columns[0]?.name !== "__proto__" ? columns[0] : undefined;
  let all: (parameters: ReadonlyArray<unknown>) => unknown[];
  if (only === undefined) {
    all = (parameters) => {
      const row = statement.get(...parameters);
      return row === undefined ? [] : [row];
    };
  } else {
    // A statement of its own: plucking is a mode of the statement, and `iterate` must keep whole rows.
    const value = database.prepare(sql).pluck();
    const rowOf = singleColumnRow(only.name);
    all = (parameters) => {
      const first = value.get(...parameters);
      return first === undefined ? [] : [rowOf(first)];
    };
  }
  return {
    reader: true,
    all,
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
        statement = statementFor(database, sql, database.prepare(sql));
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
