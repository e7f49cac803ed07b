import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { StateStoreError } from "@tidemark/state";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, type Dialect, type Kysely, type KyselyConfig, MysqlDialect } from "kysely";
import { createPool as createMysqlPool, type Pool as MysqlPool } from "mysql2";
import pg from "pg";
import { betterSqlite3Dialect } from "./better-sqlite3-dialect.js";
import { registerConnectionPool } from "./connection-pool.js";
import { createKysely } from "./create-kysely.js";
import {
  type MysqlDatabaseUrl,
  type PostgresDatabaseUrl,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type SqlDialect,
  type SqliteDatabaseUrl,
} from "./database-url.js";
import { dialectAdapterFor } from "./dialect-adapter.js";
import { MysqlBytesAsTextPlugin, mysqlBytesAsText } from "./mysql-bytes-as-text.js";
import {
  MYSQL_PREPARED_STATEMENTS_PER_CONNECTION,
  preparedStatementPool,
} from "./mysql-prepared-statements.js";
import { namedStatementPostgresDialect } from "./postgres-named-statements.js";
import type { Database } from "./schema.js";
import type { TidemarkDatabase } from "./tidemark-database.js";

/** Default SQLite busy timeout: how long a writer waits for another process's write lock, in milliseconds. */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5000;
/** Default most connections of a Postgres or MySQL pool. */
export const DEFAULT_POSTGRES_POOL_SIZE = 10;
/** Default milliseconds to wait for a new Postgres or MySQL connection before failing. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

/** Options of {@link createDatabase}. */
export interface CreateDatabaseOptions {
  /** Directory `sqlite:relative/path.db` resolves against. Default `process.cwd()`. */
  cwd?: string;
  /** Kysely's query log hook (a function receiving every query event, or levels to print). */
  log?: KyselyConfig["log"];
  /** SQLite: milliseconds a statement waits for a lock held by another connection. Default 5000. */
  sqliteBusyTimeoutMs?: number;
  /** Postgres and MySQL: most pooled connections (`database.pool_size`). Default 10. */
  poolSize?: number;
  /** Postgres and MySQL: milliseconds to wait for a new connection before failing. Default 10000. */
  connectionTimeoutMs?: number;
  /** @deprecated Use {@link CreateDatabaseOptions.poolSize}, which also sizes MySQL pools. */
  postgresPoolSize?: number;
  /** @deprecated Use {@link CreateDatabaseOptions.connectionTimeoutMs}. */
  postgresConnectionTimeoutMs?: number;
}

function unavailable(message: string, cause: unknown, url: string): StateStoreError {
  return new StateStoreError(
    "BACKEND_UNAVAILABLE",
    `${message} (${(cause as Error)?.message ?? String(cause)}); check database.url = ${JSON.stringify(redactDatabaseUrl(url))}`,
    { cause, details: { option: "database.url" } },
  );
}

function openSqlite(
  parsed: SqliteDatabaseUrl,
  options: CreateDatabaseOptions,
): { dialect: Dialect; schema: undefined } {
  let handle: BetterSqlite3.Database;
  try {
    if (!parsed.memory) mkdirSync(dirname(parsed.filename), { recursive: true });
    handle = new BetterSqlite3(parsed.filename);
  } catch (cause) {
    throw unavailable(`cannot open the SQLite database ${parsed.filename}`, cause, parsed.url);
  }
  try {
    handle.pragma(
      `busy_timeout = ${Math.max(0, Math.trunc(options.sqliteBusyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS))}`,
    );
    if (!parsed.memory) {
      handle.pragma("journal_mode = WAL");
      // WAL with synchronous=NORMAL never corrupts the database; a power loss can drop the last commits.
      handle.pragma("synchronous = NORMAL");
    }
    handle.pragma("foreign_keys = ON");
  } catch (cause) {
    handle.close();
    throw unavailable(`cannot configure the SQLite database ${parsed.filename}`, cause, parsed.url);
  }
  return { dialect: betterSqlite3Dialect(handle), schema: undefined };
}

function openPostgres(
  parsed: PostgresDatabaseUrl,
  options: CreateDatabaseOptions,
): { dialect: Dialect; schema: string | undefined; pool: pg.Pool; max: number } {
  const max = poolSizeOf(options);
  const pool = new pg.Pool({
    connectionString: parsed.connectionString,
    max,
    connectionTimeoutMillis: connectionTimeoutOf(options),
    ...(parsed.schema === undefined ? {} : { options: `-c search_path=${parsed.schema}` }),
  });
  // An idle connection that breaks (a server restart) must not crash the process; the next query
  // reports the failure as BACKEND_UNAVAILABLE.
  pool.on("error", () => {});
  return { dialect: namedStatementPostgresDialect(pool), schema: parsed.schema, pool, max };
}

function poolSizeOf(options: CreateDatabaseOptions): number {
  return options.poolSize ?? options.postgresPoolSize ?? DEFAULT_POSTGRES_POOL_SIZE;
}

function connectionTimeoutOf(options: CreateDatabaseOptions): number {
  return options.connectionTimeoutMs ?? options.postgresConnectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
}

/** The live counts `registerConnectionPool` reads. */
interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/**
 * A mysql2 pool's counts. mysql2 keeps them only in its (long-stable) internal queues; where a version
 * lacks one, the count reads 0 rather than failing the metrics.
 */
function mysqlPoolCounts(pool: MysqlPool): PoolCounts {
  const internal = pool as unknown as Record<string, { length?: number } | undefined>;
  const size = (name: string) => internal[name]?.length ?? 0;
  return {
    get totalCount() {
      return size("_allConnections");
    },
    get idleCount() {
      return size("_freeConnections");
    },
    get waitingCount() {
      return size("_connectionQueue");
    },
  };
}

function mysqlTypeCast(_field: unknown, next: () => unknown): unknown {
  return mysqlBytesAsText(next());
}

function openMysql(
  parsed: MysqlDatabaseUrl,
  options: CreateDatabaseOptions,
): { dialect: Dialect; schema: undefined; pool: PoolCounts; max: number } {
  const pool = createMysqlPool({
    uri: parsed.connectionString,
    connectionLimit: poolSizeOf(options),
    connectTimeout: connectionTimeoutOf(options),
    charset: "utf8mb4",
    // Timestamps are DATETIME(3) holding UTC.
    timezone: "Z",
    supportBigNumbers: true,
    // Affected rows count changed rows: an upsert that leaves a live row alone reports 0, as elsewhere.
    flags: ["-FOUND_ROWS"],
    typeCast: mysqlTypeCast as never,
    maxPreparedStatements: MYSQL_PREPARED_STATEMENTS_PER_CONNECTION,
  });
  // As for Postgres: a broken idle connection must not crash the process.
  pool.on("connection", (connection) => connection.on("error", () => {}));
  return {
    dialect: new MysqlDialect({
      pool: preparedStatementPool(pool),
      // Strict whatever the server's default: a too-long id fails instead of being cut short.
      onCreateConnection: async (connection) => {
        await connection.executeQuery(
          CompiledQuery.raw(
            "set session sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'",
          ),
        );
      },
    }),
    schema: undefined,
    pool: mysqlPoolCounts(pool),
    max: poolSizeOf(options),
  };
}

/** Options of {@link createDatabaseFromKyselyDialect}. */
export interface CreateDatabaseFromKyselyDialectOptions {
  /** Which SQL the dialect speaks: `sqlite`, `postgres` (PGlite speaks `postgres`) or `mysql`. */
  dialect: SqlDialect;
  /** The Kysely dialect, for example `new PGliteDialect(pglite)` from kysely-pglite-dialect. */
  kyselyDialect: Dialect;
  /** A URL describing the database in messages. Default `<dialect>:custom`. */
  url?: string;
  /** Postgres: the schema the connections' search_path points at, created by `migrate()` when missing. */
  schema?: string;
  /** Kysely's query log hook. */
  log?: KyselyConfig["log"];
}

function wrap(
  kysely: Kysely<Database>,
  dialect: SqlDialect,
  url: string,
  schema: string | undefined,
): TidemarkDatabase {
  const adapter = dialectAdapterFor(dialect);
  let closing: Promise<void> | undefined;
  return Object.freeze({
    db: kysely,
    dialect,
    url,
    displayUrl: redactDatabaseUrl(url),
    schema,
    codec: adapter.codec,
    adapter,
    close(): Promise<void> {
      closing ??= kysely.destroy();
      return closing;
    },
  });
}

/**
 * Opens the metastore named by a `database.url`.
 *
 * - `sqlite:///absolute/path.db`, `sqlite:relative/path.db` (relative to `cwd`; parent directories are
 *   created), `sqlite::memory:`: better-sqlite3 with `journal_mode=WAL` (files), `synchronous=NORMAL`,
 *   `foreign_keys=ON` and a busy timeout, behind a prepared-statement cache and a light connection lock (see `betterSqlite3Dialect`).
 * - `postgres://…` / `postgresql://…`: a `pg` pool; `?schema=name` sets every connection's search_path to
 *   `name` (through the startup `options`), so one database can hold many throwaway schemas; the query
 *   builder's statements run as named prepared statements, parsed and planned once per connection (see
 *   `namedStatementPostgresDialect`).
 * - `mysql://…` / `mariadb://…`: a `mysql2` pool with utf8mb4, UTC timestamps, strict SQL mode and
 *   affected rows that count changed rows (MySQL 8, MariaDB 10.11+); the query builder's reads and writes
 *   run as server-side prepared statements (see `preparedStatementPool`).
 *
 * The same driver runs with and without a `log` hook: logging only observes the queries.
 *
 * Nothing is created and no connection is made to Postgres or MySQL until the first query; run
 * `migrate(database)` before use.
 *
 * @param url - the database URL (`database.url`).
 * @param options - working directory, query log hook, busy timeout, pool size.
 * @returns the open database; close it with `close()`.
 * @throws StateStoreError `CONFIG_ERROR` for a URL that is none of the accepted forms (the message lists
 *   them); `BACKEND_UNAVAILABLE` when a SQLite file cannot be created or opened.
 */
export function createDatabase(url: string, options: CreateDatabaseOptions = {}): TidemarkDatabase {
  const parsed = parseDatabaseUrl(url, options.cwd === undefined ? {} : { cwd: options.cwd });
  const opened =
    parsed.dialect === "sqlite"
      ? openSqlite(parsed, options)
      : parsed.dialect === "postgres"
        ? openPostgres(parsed, options)
        : openMysql(parsed, options);
  const { dialect, schema } = opened;
  const kysely = createKysely<Database>(
    options.log === undefined ? { dialect } : { dialect, log: options.log },
  );
  const database = wrap(kysely, parsed.dialect, url, schema);
  if ("max" in opened) registerConnectionPool(database, opened.pool, opened.max);
  return database;
}

/**
 * Opens the metastore over a Kysely dialect of your own: PGlite in tests (`new PGliteDialect(pglite)`),
 * or a driver configured in ways `createDatabase` does not offer. Set the connection's search_path to
 * `schema` yourself when you give one.
 *
 * @param options - the SQL dialect it speaks, the Kysely dialect, a URL for messages, the schema.
 * @returns the database; `close()` destroys the Kysely instance (and with it the dialect's driver).
 */
export function createDatabaseFromKyselyDialect(
  options: CreateDatabaseFromKyselyDialectOptions,
): TidemarkDatabase {
  const kysely = createKysely<Database>({
    dialect: options.kyselyDialect,
    ...(options.log === undefined ? {} : { log: options.log }),
    // Identifiers and keys come back as bytes from a driver Tidemark did not configure.
    ...(options.dialect === "mysql" ? { plugins: [new MysqlBytesAsTextPlugin()] } : {}),
  });
  return wrap(kysely, options.dialect, options.url ?? `${options.dialect}:custom`, options.schema);
}
