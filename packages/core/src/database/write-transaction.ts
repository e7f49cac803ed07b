import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import type { TidemarkDatabase } from "./tidemark-database.js";

/**
 * Runs `work` in one read-write transaction and commits it, or rolls back when `work` throws.
 *
 * On SQLite the transaction starts with `BEGIN IMMEDIATE`: the write lock is taken first (waiting up
 * to the busy timeout for another process), so a transaction that reads and then writes cannot fail
 * half-way with SQLITE_BUSY. On Postgres it is an ordinary READ COMMITTED transaction.
 *
 * @param database - the metastore.
 * @param work - receives the transaction's Kysely instance; run every statement through it.
 * @returns what `work` returns.
 */
export function withWriteTransaction<T>(
  database: TidemarkDatabase,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return database.adapter.withWriteTransaction(database.db, work);
}
