import { PGlite } from "@electric-sql/pglite";
import { checkTestPostgres, TEST_POSTGRES_URL, testSchemaName } from "@tidemark/testkit/postgres";
import type { Dialect, Driver, KyselyConfig } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import {
  type CreateDatabaseOptions,
  createDatabase,
  createDatabaseFromKyselyDialect,
} from "../../src/database/create-database.js";
import { redactDatabaseUrl, withDatabaseSchema } from "../../src/database/database-url.js";
import type { TidemarkDatabase } from "../../src/database/tidemark-database.js";
import { migrate } from "../../src/migrations/migrate.js";

/** A fresh schema with a database handle on it. */
export interface TestSchema {
  readonly database: TidemarkDatabase;
  /** The schema name, `tidemark_test_<random>`. */
  readonly schema: string;
  /** A `database.url` for this schema (`?schema=`), or null on PGlite (no URL reaches it). */
  readonly url: string | null;
  /** Closes the handle and drops the schema. */
  dispose(): Promise<void>;
}

/** Options of {@link TestPostgres.freshSchema}. */
export interface FreshSchemaOptions {
  /** Run the migrations. Default true. */
  migrate?: boolean;
  /** Kysely's query log hook. */
  log?: KyselyConfig["log"];
  /** Most pooled connections (real Postgres). */
  poolSize?: number;
}

/** A real Postgres server, or PGlite standing in for it. */
export interface TestPostgres {
  readonly kind: "postgres" | "pglite";
  /** Why PGlite stands in, when it does. */
  readonly fallbackReason: string | null;
  /** A fresh schema (dropped by its `dispose`, or at the latest by `close`). */
  freshSchema(options?: FreshSchemaOptions): Promise<TestSchema>;
  /**
   * Another handle (its own pool) on an existing schema; real Postgres only.
   *
   * @throws Error on PGlite, which has a single connection.
   */
  openSchema(schema: string, options?: CreateDatabaseOptions): TidemarkDatabase;
  /** Drops every schema still there and closes the admin connection (or PGlite). */
  close(): Promise<void>;
}

const schemaName = () => testSchemaName("tidemark_test_");

async function probe(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
  } finally {
    await client.end().catch(() => {});
  }
}

async function realPostgres(url: string): Promise<TestPostgres> {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  admin.on("error", () => {});
  const live = new Set<string>();
  const drop = async (schema: string) => {
    live.delete(schema);
    await admin.query(`drop schema if exists "${schema}" cascade`);
  };
  return {
    kind: "postgres",
    fallbackReason: null,
    async freshSchema(options = {}) {
      const schema = schemaName();
      await admin.query(`create schema "${schema}"`);
      live.add(schema);
      const schemaUrl = withDatabaseSchema(url, schema);
      const database = createDatabase(schemaUrl, {
        ...(options.log === undefined ? {} : { log: options.log }),
        ...(options.poolSize === undefined ? {} : { postgresPoolSize: options.poolSize }),
      });
      if (options.migrate ?? true) await migrate(database);
      return {
        database,
        schema,
        url: schemaUrl,
        async dispose() {
          await database.close();
          await drop(schema);
        },
      };
    },
    openSchema(schema, options = {}) {
      return createDatabase(withDatabaseSchema(url, schema), options);
    },
    async close() {
      for (const schema of [...live]) await drop(schema).catch(() => {});
      await admin.end();
    },
  };
}

/** PGlite's dialect, except that closing a database handle leaves the shared PGlite instance open. */
function sharedPgliteDialect(pglite: PGlite): Dialect {
  const inner = new PGliteDialect(pglite);
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver(): Driver {
      const d = inner.createDriver();
      return {
        init: () => d.init(),
        acquireConnection: () => d.acquireConnection(),
        beginTransaction: (c, s) => d.beginTransaction(c, s),
        commitTransaction: (c) => d.commitTransaction(c),
        rollbackTransaction: (c) => d.rollbackTransaction(c),
        releaseConnection: (c) => d.releaseConnection(c),
        destroy: async () => {},
      };
    },
  };
}

async function pglitePostgres(reason: string): Promise<TestPostgres> {
  const pglite = await PGlite.create();
  const live = new Set<string>();
  const drop = async (schema: string) => {
    live.delete(schema);
    await pglite.exec(`set search_path to public; drop schema if exists "${schema}" cascade`);
  };
  return {
    kind: "pglite",
    fallbackReason: reason,
    async freshSchema(options = {}) {
      const schema = schemaName();
      await pglite.exec(`create schema "${schema}"; set search_path to "${schema}"`);
      live.add(schema);
      const database = createDatabaseFromKyselyDialect({
        dialect: "postgres",
        kyselyDialect: sharedPgliteDialect(pglite),
        url: `pglite:memory?schema=${schema}`,
        schema,
        ...(options.log === undefined ? {} : { log: options.log }),
      });
      if (options.migrate ?? true) await migrate(database);
      return {
        database,
        schema,
        url: null,
        async dispose() {
          await database.close();
          await drop(schema);
        },
      };
    },
    openSchema() {
      throw new Error("PGlite has a single connection; a second handle needs a real Postgres server");
    },
    async close() {
      for (const schema of [...live]) await drop(schema).catch(() => {});
      await pglite.close();
    },
  };
}

/**
 * Connects the tests to Postgres: `TIDEMARK_TEST_POSTGRES_URL` (default
 * `postgres://postgres@127.0.0.1:5432/test`), each test in a fresh schema `tidemark_test_<random>`
 * dropped afterwards. When that server cannot be reached, CI=true fails the run; elsewhere PGlite (an
 * in-process Postgres) stands in, and a warning says so.
 *
 * @returns the server or its stand-in.
 * @throws Error when Postgres is unreachable and CI=true.
 */
export async function connectTestPostgres(): Promise<TestPostgres> {
  const where = redactDatabaseUrl(TEST_POSTGRES_URL);
  const problem = await checkTestPostgres(() => probe(TEST_POSTGRES_URL), where);
  if (problem === null) return realPostgres(TEST_POSTGRES_URL);
  console.warn(
    `[tidemark tests] ${problem}; the Postgres suites run on PGlite (in-process Postgres) instead. Set TIDEMARK_TEST_POSTGRES_URL to test a real server.`,
  );
  return pglitePostgres(`${problem}; running on PGlite, which has a single connection`);
}
