import { StateStoreError } from "@tidemark/state";
import { type Kysely, type MigrationResult, Migrator, NO_MIGRATIONS, sql } from "kysely";
import { toBackendError } from "../database/driver-error.js";
import {
  currentMysqlDatabase,
  getMysqlLock,
  mysqlLockName,
  releaseMysqlLock,
} from "../database/mysql-named-lock.js";
import type { Database } from "../database/schema.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { MIGRATION_NAMES, migrationProviderFor } from "./migration-list.js";
import { withSchemaScopedIntrospection } from "./schema-scoped-introspection.js";

/** Something that logs like pino (`logger.info({ migration }, "message")`). */
export interface MigrationLogger {
  /** Each migration applied or reverted, with its name and the database (pino's `(object, message)`). */
  info(object: Record<string, unknown>, message: string): void;
}

/** Options of {@link migrate} and {@link resetDatabase}. */
export interface MigrateOptions {
  /** Logs each migration applied or reverted (for example a pino logger). */
  logger?: MigrationLogger;
  /**
   * For {@link migrate}: the name of the migration to stop at (one of `MIGRATION_NAMES`) instead of the
   * latest; migrations after it that are applied are reverted. For example to build a database as an
   * older release left it, or to step back before a downgrade.
   */
  target?: string;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  /** Names of the migrations applied by this call, in order; empty when the schema was up to date. */
  readonly applied: string[];
  /** Names of the migrations reverted by this call (only with `target`), newest first. */
  readonly reverted: string[];
}

/** What {@link resetDatabase} did. */
export interface ResetReport {
  /** Names of the migrations reverted (their tables dropped), newest first. */
  readonly reverted: string[];
  /** Names of the migrations applied again afterwards. */
  readonly applied: string[];
}

/** Where a database stands, from {@link getMigrationStatus}. */
export interface MigrationStatus {
  /** Migrations already applied. */
  readonly applied: string[];
  /** Migrations still to apply. */
  readonly pending: string[];
}

async function currentSchema(conn: Kysely<Database>): Promise<string | null> {
  const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(conn);
  return result.rows[0]?.schema ?? null;
}

/**
 * Runs `work` on one connection while holding the migration lock: on Postgres a session advisory lock
 * keyed by the schema (`pg_advisory_lock`), after creating the `?schema=` schema if missing; on MySQL a
 * named lock (`GET_LOCK`, named after the database); on SQLite a `BEGIN IMMEDIATE` transaction around everything, so that a second process waits (busy timeout) and
 * a failed migration leaves nothing half-done. SQLite runs it with foreign keys off (set back after),
 * as SQLite's table rebuild procedure requires: dropping a rebuilt parent table must not cascade.
 */
async function withMigrationLock<T>(
  database: TidemarkDatabase,
  work: (conn: Kysely<Database>, schema: string | undefined) => Promise<T>,
): Promise<T> {
  if (database.adapter.sessionLocks === "mysql-named") {
    return database.db.connection().execute(async (conn) => {
      const name = mysqlLockName("migrate", await currentMysqlDatabase(conn));
      // A day: migrations of another server finish long before, and a dead server's lock goes with it.
      if (!(await getMysqlLock(conn, name, 86_400))) {
        throw new StateStoreError("BACKEND_UNAVAILABLE", `could not take the MySQL migration lock ${name}`);
      }
      try {
        return await work(conn, undefined);
      } finally {
        await releaseMysqlLock(conn, name);
      }
    });
  }
  if (database.adapter.sessionLocks === null) {
    return database.db.connection().execute(async (conn) => {
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(conn);
      const foreignKeys = Number(fk.rows[0]?.foreign_keys ?? 0) !== 0;
      // A no-op inside a transaction, so it goes before BEGIN.
      if (foreignKeys) await sql`pragma foreign_keys = off`.execute(conn);
      try {
        await sql`begin immediate`.execute(conn);
        let result: T;
        try {
          result = await work(conn, undefined);
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => {});
          throw error;
        }
        await sql`commit`.execute(conn);
        return result;
      } finally {
        if (foreignKeys) await sql`pragma foreign_keys = on`.execute(conn);
      }
    });
  }
  return database.db.connection().execute(async (conn) => {
    const lockKey = `tidemark:migrate:${database.schema ?? ""}`;
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`.execute(conn);
    try {
      if (database.schema !== undefined) {
        await sql`create schema if not exists ${sql.id(database.schema)}`.execute(conn);
      }
      const schema = await currentSchema(conn);
      if (schema === null) {
        throw new StateStoreError(
          "CONFIG_ERROR",
          `the Postgres search_path of ${database.displayUrl} names no schema that exists; create the schema or use ?schema=name in database.url (migrate creates that one)`,
          { details: { option: "database.url" } },
        );
      }
      return await work(conn, schema);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(conn);
    }
  });
}

function migratorOn(
  conn: Kysely<Database>,
  database: TidemarkDatabase,
  schema: string | undefined,
): Migrator {
  return new Migrator({
    // On Postgres, look only at Tidemark's schema: a schema dropped elsewhere must not fail the migration.
    db: schema === undefined ? conn : withSchemaScopedIntrospection(conn, schema),
    provider: migrationProviderFor(database.dialect),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

function settle(
  database: TidemarkDatabase,
  outcome: { error?: unknown; results?: MigrationResult[] },
  what: string,
  logger: MigrationLogger | undefined,
): string[] {
  const done = (outcome.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  for (const name of done)
    logger?.info({ migration: name, database: database.displayUrl }, `${what} ${name}`);
  if (outcome.error !== undefined) {
    const failed = (outcome.results ?? []).find((r) => r.status === "Error")?.migrationName;
    throw toBackendError(outcome.error, database, failed === undefined ? "migration" : `migration ${failed}`);
  }
  return done;
}

/**
 * Brings the metastore's schema up to date with Kysely's Migrator and the in-code migrations (one
 * source for both dialects). Idempotent: a second call applies nothing. Safe when several processes
 * start at once: Postgres serialises them with an advisory lock (and creates the `?schema=` schema if
 * missing), SQLite with `BEGIN IMMEDIATE` and the busy timeout.
 *
 * @param database - the metastore.
 * @param options - `logger`: logs each migration applied; `target`: stop at that migration.
 * @returns the migrations applied (and, with `target`, reverted).
 * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database cannot be reached or a migration fails
 *   (nothing of that migration is kept); `CONFIG_ERROR` when no schema of the Postgres search_path exists
 *   or `target` names no migration; a revert's own error (for example `CONFLICT` when the region
 *   migration's revert would merge rows).
 */
export async function migrate(
  database: TidemarkDatabase,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const { target } = options;
  if (target !== undefined && !MIGRATION_NAMES.includes(target)) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `unknown migration ${JSON.stringify(target)} as the migration target; use one of ${MIGRATION_NAMES.join(", ")}`,
      { details: { option: "target" } },
    );
  }
  try {
    return await withMigrationLock(database, async (conn, schema) => {
      const migrator = migratorOn(conn, database, schema);
      const outcome =
        target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
      const up = (outcome.results ?? []).every((r) => r.direction === "Up");
      const done = settle(database, outcome, up ? "applied migration" : "reverted migration", options.logger);
      return up ? { applied: done, reverted: [] } : { applied: [], reverted: done };
    });
  } catch (error) {
    throw toBackendError(error, database, "migration");
  }
}

/**
 * Drops every Tidemark table (reverting each migration) and creates them again, empty. Everything in the
 * metastore is lost. Runs under the same lock as {@link migrate}.
 *
 * @param database - the metastore.
 * @param options - `logger`: logs each migration reverted and applied.
 * @returns the migrations reverted and applied.
 * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database fails.
 */
export async function resetDatabase(
  database: TidemarkDatabase,
  options: MigrateOptions = {},
): Promise<ResetReport> {
  try {
    return await withMigrationLock(database, async (conn, schema) => {
      const migrator = migratorOn(conn, database, schema);
      // Everything is lost anyway; emptying the task tables first means no revert can refuse for
      // rows it could not keep (the region migration's revert refuses when regions would collide).
      const applied = (await migrator.getMigrations()).some((m) => m.executedAt !== undefined);
      if (applied) {
        for (const table of ["task_state_store", "task_instance_asset", "task_instance"] as const) {
          await conn.deleteFrom(table).execute();
        }
      }
      const down = await migrator.migrateTo(NO_MIGRATIONS);
      const reverted = settle(database, down, "reverted migration", options.logger);
      const up = await migrator.migrateToLatest();
      return { reverted, applied: settle(database, up, "applied migration", options.logger) };
    });
  } catch (error) {
    throw toBackendError(error, database, "database reset");
  }
}

/**
 * Tells which migrations are applied and which are pending, without changing anything.
 *
 * @param database - the metastore.
 * @returns applied and pending migration names.
 * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database cannot be reached.
 */
export async function getMigrationStatus(database: TidemarkDatabase): Promise<MigrationStatus> {
  try {
    return await database.db.connection().execute(async (conn) => {
      let schema: string | undefined;
      if (database.adapter.schemas) {
        const current = await currentSchema(conn);
        if (current === null) return { applied: [], pending: [...MIGRATION_NAMES] };
        schema = current;
      }
      const infos = await migratorOn(conn, database, schema).getMigrations();
      return {
        applied: infos.filter((m) => m.executedAt !== undefined).map((m) => m.name),
        pending: infos.filter((m) => m.executedAt === undefined).map((m) => m.name),
      };
    });
  } catch (error) {
    throw toBackendError(error, database, "reading the migration status");
  }
}
