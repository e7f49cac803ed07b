import type { Migration, MigrationProvider } from "kysely";
import type { SqlDialect } from "../database/database-url.js";
import { initialSchemaMigration } from "./0001-initial-schema.js";
import { taskRegionMigration } from "./0002-task-region.js";

/**
 * Every migration, by name, in the order they apply (names sort in that order). One source for both
 * dialects: each migration is written once and told which dialect it runs on. Add a migration by adding
 * a file `NNNN-what.ts` and a line here; never change one that has shipped.
 *
 * @param dialect - the dialect of the database being migrated.
 * @returns the migrations by name.
 */
export function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  return {
    "0001_initial_schema": initialSchemaMigration(dialect),
    "0002_task_region": taskRegionMigration(dialect),
  };
}

/** The names of every migration, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.freeze(Object.keys(migrationsFor("sqlite")).sort());

/**
 * Kysely's migration provider for the in-code migrations of a dialect.
 *
 * @param dialect - the dialect of the database being migrated.
 */
export function migrationProviderFor(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => migrationsFor(dialect) };
}
