import { sql } from "kysely";
import { toBackendError } from "./driver-error.js";
import type { TidemarkDatabase } from "./tidemark-database.js";

/**
 * Checks that the metastore answers: one round trip (`select 1`), changing nothing.
 *
 * @param database - the metastore.
 * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database cannot be reached or fails.
 */
export async function pingDatabase(database: TidemarkDatabase): Promise<void> {
  try {
    await sql`select 1`.execute(database.db);
  } catch (error) {
    throw toBackendError(error, database, "a round trip to the metastore");
  }
}
