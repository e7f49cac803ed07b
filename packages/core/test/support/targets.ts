import { tempDir } from "@tidemark/testkit/temp-dir";
import type { KyselyConfig } from "kysely";
import { createDatabase, migrate, type TidemarkDatabase } from "../../src/index.js";
import type { TestMysql } from "./mysql.js";
import type { TestPostgres } from "./postgres.js";

/** An open, migrated database of a target, with its URL (null when no URL reaches it) and a disposer. */
export interface OpenedTarget {
  readonly database: TidemarkDatabase;
  readonly url: string | null;
  dispose(): Promise<void>;
}

/** A database the behaviour tests run against. */
export interface Target {
  readonly name: string;
  readonly dialect: "sqlite" | "postgres" | "mysql";
  /** Whether a second, independent connection pool can be opened on the same database. */
  readonly multiConnection: boolean;
  /** Why not, when it cannot. */
  readonly singleConnectionReason: string | null;
  open(options?: { log?: KyselyConfig["log"]; migrate?: boolean }): Promise<OpenedTarget>;
  /** Opens another handle on the database `opened` points at. */
  reopen(opened: OpenedTarget): TidemarkDatabase;
}

/** A SQLite file in a fresh temporary directory. */
export function sqliteFileTarget(): Target {
  return {
    name: "SQLite file",
    dialect: "sqlite",
    multiConnection: true,
    singleConnectionReason: null,
    async open(options = {}) {
      const dir = tempDir();
      const url = `sqlite:///${dir.path}/tidemark.db`;
      const database = createDatabase(url, options.log === undefined ? {} : { log: options.log });
      if (options.migrate ?? true) await migrate(database);
      return {
        database,
        url,
        async dispose() {
          await database.close();
          dir.remove();
        },
      };
    },
    reopen(opened) {
      return createDatabase(opened.url as string);
    },
  };
}

/** A fresh schema on the test Postgres (or PGlite). */
export function postgresTarget(postgres: TestPostgres): Target {
  return {
    name: postgres.kind === "postgres" ? "Postgres" : "PGlite",
    dialect: "postgres",
    multiConnection: postgres.kind === "postgres",
    singleConnectionReason: postgres.fallbackReason,
    async open(options = {}) {
      const fresh = await postgres.freshSchema({
        poolSize: 8,
        ...(options.log === undefined ? {} : { log: options.log }),
        ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
      });
      return { database: fresh.database, url: fresh.url, dispose: () => fresh.dispose() };
    },
    reopen(opened) {
      if (opened.url === null) throw new Error("no second connection on PGlite");
      return createDatabase(opened.url, { postgresPoolSize: 8 });
    },
  };
}

/**
 * A fresh database on the test MySQL, as a one-element list; empty (with the warning printed once) when
 * the server is unreachable outside CI.
 */
export function mysqlTargets(mysql: TestMysql): Target[] {
  if (mysql.skipReason !== null) return [];
  return [
    {
      name: "MySQL",
      dialect: "mysql",
      multiConnection: true,
      singleConnectionReason: null,
      async open(options = {}) {
        const fresh = await mysql.freshDatabase({
          poolSize: 8,
          ...(options.log === undefined ? {} : { log: options.log }),
          ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
        });
        return { database: fresh.database, url: fresh.url, dispose: () => fresh.dispose() };
      },
      reopen(opened) {
        return createDatabase(opened.url as string, { poolSize: 8 });
      },
    },
  ];
}
