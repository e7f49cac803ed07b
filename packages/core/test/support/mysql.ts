import { checkTestMysql, TEST_MYSQL_URL, testMysqlDatabaseUrl } from "@tidemark/testkit/mysql";
import { testSchemaName } from "@tidemark/testkit/postgres";
import type { KyselyConfig } from "kysely";
import mysql from "mysql2/promise";
import { type CreateDatabaseOptions, createDatabase } from "../../src/database/create-database.js";
import { redactDatabaseUrl } from "../../src/database/database-url.js";
import type { TidemarkDatabase } from "../../src/database/tidemark-database.js";
import { migrate } from "../../src/migrations/migrate.js";

/** A fresh database with a handle on it. */
export interface TestMysqlDatabase {
  readonly database: TidemarkDatabase;
  /** The database name, `tidemark_test_<random>`. */
  readonly name: string;
  /** Its `database.url`. */
  readonly url: string;
  /** Closes the handle and drops the database. */
  dispose(): Promise<void>;
}

/** The test MySQL server, or why there is none. */
export interface TestMysql {
  /** Why the MySQL cases skip (the server is unreachable, outside CI), or null. */
  readonly skipReason: string | null;
  /** A fresh database (dropped by its `dispose`, or at the latest by `close`). */
  freshDatabase(options?: {
    migrate?: boolean;
    log?: KyselyConfig["log"];
    poolSize?: number;
  }): Promise<TestMysqlDatabase>;
  /** Another handle on an existing database. */
  openDatabase(name: string, options?: CreateDatabaseOptions): TidemarkDatabase;
  /** Drops every database still there and closes the admin connection. */
  close(): Promise<void>;
}

/**
 * Connects the tests to MySQL: each test database is a fresh `tidemark_test_<random>` dropped afterwards.
 * When the server cannot be reached, CI=true fails the run; elsewhere the MySQL cases skip with the reason.
 *
 * @returns the server.
 * @throws Error when MySQL is unreachable and CI=true.
 */
export async function connectTestMysql(): Promise<TestMysql> {
  const where = redactDatabaseUrl(TEST_MYSQL_URL);
  let admin: mysql.Pool | null = mysql.createPool({
    uri: TEST_MYSQL_URL,
    connectionLimit: 2,
    connectTimeout: 5000,
  });
  const skipReason = await checkTestMysql(async () => {
    await admin?.query("select 1");
  }, where);
  if (skipReason !== null) {
    await admin.end().catch(() => {});
    admin = null;
    console.warn(
      `[tidemark tests] ${skipReason}; the MySQL cases are skipped. Set TIDEMARK_TEST_MYSQL_URL to test one.`,
    );
  }
  const live = new Set<string>();
  const drop = async (name: string) => {
    live.delete(name);
    await admin?.query(`drop database if exists \`${name}\``);
  };
  return {
    skipReason,
    async freshDatabase(options = {}) {
      if (admin === null) throw new Error(skipReason ?? "no MySQL");
      const name = testSchemaName("tidemark_test_");
      await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_bin`);
      live.add(name);
      const url = testMysqlDatabaseUrl(name);
      const database = createDatabase(url, {
        ...(options.log === undefined ? {} : { log: options.log }),
        ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      });
      if (options.migrate ?? true) await migrate(database);
      return {
        database,
        name,
        url,
        async dispose() {
          await database.close();
          await drop(name);
        },
      };
    },
    openDatabase(name, options = {}) {
      return createDatabase(testMysqlDatabaseUrl(name), options);
    },
    async close() {
      for (const name of [...live]) await drop(name).catch(() => {});
      await admin?.end();
    },
  };
}
