import type BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import { ConnectionMutex } from "./connection-mutex.js";
import { cacheSqliteStatements } from "./sqlite-statement-cache.js";

const NO_ROWS: never[] = [];
const DONE: Promise<void> = Promise.resolve();

/** The one connection of a better-sqlite3 handle: statements come from the statement cache. */
class BetterSqlite3Connection implements DatabaseConnection {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#db.prepare(compiledQuery.sql);
    if (statement.reader) return Promise.resolve({ rows: statement.all(compiledQuery.parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(compiledQuery.parameters);
    // The same shape as Kysely's SqliteDriver.
    return Promise.resolve({
      numAffectedRows: changes === undefined || changes === null ? undefined : BigInt(changes),
      insertId:
        lastInsertRowid === undefined || lastInsertRowid === null ? undefined : BigInt(lastInsertRowid),
      rows: NO_ROWS,
    });
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) {
      throw new Error("Sqlite driver only supports streaming of select queries");
    }
    for (const row of this.#db.prepare(compiledQuery.sql).iterate(compiledQuery.parameters)) {
      yield { rows: [row as R] };
    }
  }
}

/** Kysely's SqliteDriver with a lighter lock on the connection (see {@link ConnectionMutex}). */
class BetterSqlite3Driver implements Driver {
  readonly #db: SqliteDatabase;
  readonly #mutex: ConnectionMutex<DatabaseConnection>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#mutex = new ConnectionMutex<DatabaseConnection>(new BetterSqlite3Connection(db));
  }

  init(): Promise<void> {
    return DONE;
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.#mutex.acquire();
  }

  releaseConnection(): Promise<void> {
    this.#mutex.release();
    return DONE;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${quoteName(name)}"`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to "${quoteName(name)}"`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release "${quoteName(name)}"`));
  }

  destroy(): Promise<void> {
    this.#db.close();
    return DONE;
  }
}

function quoteName(name: string): string {
  return name.replaceAll('"', '""');
}

/**
 * Kysely's SQLite dialect over a better-sqlite3 handle, with two differences from Kysely's own
 * SqliteDialect. Each distinct SQL text is prepared once and its statement reused (see
 * `cacheSqliteStatements`): preparing costs more than running a point query. And taking the single
 * connection when nobody holds it costs no promise of its own, where Kysely's mutex awaits twice: on a
 * point read the lock was a fifth of the time. Queries still run one at a time on the one connection,
 * and a transaction holds it until it ends. Every query Kysely runs, logged or not, goes through this
 * driver.
 *
 * @param database - the open better-sqlite3 handle (the driver closes it on `destroy`).
 * @param capacity - most statements kept. Default 256.
 * @returns the dialect for `new Kysely({ dialect })`.
 */
export function betterSqlite3Dialect(database: BetterSqlite3.Database, capacity = 256): Dialect {
  const cached = cacheSqliteStatements(database, capacity);
  return {
    createAdapter: (): DialectAdapter => new SqliteAdapter(),
    createDriver: (): Driver => new BetterSqlite3Driver(cached),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new SqliteIntrospector(db),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
  };
}
