import { createHash } from "node:crypto";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type pg from "pg";

/**
 * Postgres errors after which a named statement is prepared again under a new name: `0A000` "cached plan
 * must not change result type" (a table was dropped and re-created with other columns, as
 * `resetDatabase` + `migrate` can do) and `26000` "prepared statement does not exist" (the server side
 * forgot it, as after `DISCARD ALL`).
 */
const STALE_STATEMENT_CODES = new Set(["0A000", "26000"]);

/** The statements Kysely's query builder makes; raw SQL and DDL are sent unnamed. */
const NAMED_KINDS = new Set([
  "SelectQueryNode",
  "InsertQueryNode",
  "UpdateQueryNode",
  "DeleteQueryNode",
  "MergeQueryNode",
]);

function isStaleStatement(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && STALE_STATEMENT_CODES.has(code);
}

/** Per SQL text, its current statement name: shared by the connections of one pool. */
class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #capacity: number;
  #generation = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The name of `sql`; `fresh` makes a new one (the old one went stale) and keeps it from then on. */
  nameFor(sql: string, fresh: boolean): string {
    let name = fresh ? undefined : this.#names.get(sql);
    if (name === undefined) {
      const digest = createHash("sha1").update(sql).digest("hex");
      name = fresh ? `tm_${digest.slice(0, 32)}_${(++this.#generation).toString(36)}` : `tm_${digest}`;
      if (!this.#names.has(sql) && this.#names.size >= this.#capacity) {
        const oldest = this.#names.keys().next().value;
        if (oldest !== undefined) this.#names.delete(oldest);
      }
      this.#names.set(sql, name);
    }
    return name;
  }
}

function toResult<R>(result: pg.QueryResult): QueryResult<R> {
  const { command, rowCount } = result;
  const affects = command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE";
  // The same shape as Kysely's PostgresDriver.
  return affects
    ? { rows: (result.rows ?? []) as R[], numAffectedRows: BigInt(rowCount ?? 0) }
    : { rows: (result.rows ?? []) as R[] };
}

class NamedStatementConnection implements DatabaseConnection {
  readonly client: pg.PoolClient;
  readonly #names: StatementNames;
  /** Inside a transaction statements go unnamed: a stale one would abort the transaction, not retry. */
  inTransaction = false;

  constructor(client: pg.PoolClient, names: StatementNames) {
    this.client = client;
    this.#names = names;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters, query } = compiledQuery;
    const values = [...parameters];
    if (this.inTransaction || !NAMED_KINDS.has(query.kind)) {
      return toResult<R>(await this.client.query(sql, values));
    }
    try {
      return toResult<R>(
        await this.client.query({ name: this.#names.nameFor(sql, false), text: sql, values }),
      );
    } catch (error) {
      if (!isStaleStatement(error)) throw error;
      return toResult<R>(
        await this.client.query({ name: this.#names.nameFor(sql, true), text: sql, values }),
      );
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered; the generator only fails.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming queries is not supported by the Tidemark Postgres driver");
  }
}

class NamedStatementDriver implements Driver {
  readonly #pool: pg.Pool;
  readonly #names: StatementNames;
  readonly #connections = new WeakMap<pg.PoolClient, NamedStatementConnection>();
  #destroyed = false;

  constructor(pool: pg.Pool, capacity: number) {
    this.#pool = pool;
    this.#names = new StatementNames(capacity);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.#pool.connect();
    if (this.#destroyed) {
      client.release();
      throw new Error("driver has already been destroyed");
    }
    let connection = this.#connections.get(client);
    if (connection === undefined) {
      connection = new NamedStatementConnection(client, this.#names);
      this.#connections.set(client, connection);
    }
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = "begin";
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      text = "start transaction";
      if (settings.isolationLevel !== undefined) text += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode !== undefined) text += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(text));
    (connection as NamedStatementConnection).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as NamedStatementConnection).inTransaction = false;
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as NamedStatementConnection).inTransaction = false;
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as NamedStatementConnection).client.release();
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    await this.#pool.end();
  }
}

/**
 * Kysely's Postgres dialect over a `pg` pool whose driver sends every statement the query builder made
 * (select, insert, update, delete, merge) outside a transaction as a named prepared statement
 * (`{name, text, values}`): `pg` prepares a name once per connection and afterwards only binds and
 * executes it, so Postgres skips parsing and planning on every call. Raw SQL, DDL and statements inside
 * a transaction go unnamed, as Kysely's own PostgresDriver sends them. The name is `tm_` and the SHA-1 of
 * the SQL text (43 characters; Postgres allows 63); at most `capacity` names are remembered on the client
 * side.
 *
 * Named statements live per connection and resolve table names with the connection's search_path when
 * first prepared. The pool gives every connection the same search_path (`?schema=`), so a name means the
 * same tables on every connection of the pool. When a statement went stale because the schema changed
 * (see the codes above), it is retried once under a fresh name (prepared anew on that connection) and
 * that name is used from then on.
 *
 * Streaming (`stream()`) is not supported.
 *
 * @param pool - the pool; the dialect's driver ends it on `destroy`.
 * @param capacity - most SQL texts whose names are remembered. Default 256.
 * @returns the dialect for `new Kysely({ dialect })`.
 */
export function namedStatementPostgresDialect(pool: pg.Pool, capacity = 256): Dialect {
  return {
    createAdapter: (): DialectAdapter => new PostgresAdapter(),
    createDriver: (): Driver => new NamedStatementDriver(pool, capacity),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new PostgresIntrospector(db),
    createQueryCompiler: (): QueryCompiler => new PostgresQueryCompiler(),
  };
}
