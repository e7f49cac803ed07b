import type { Kysely } from "kysely";
import type { SqlDialect } from "./database-url.js";
import type { SqlDialectAdapter } from "./dialect-adapter.js";
import type { Database } from "./schema.js";
import type { ValueCodec } from "./value-codec.js";

/**
 * An open metastore: the Kysely instance and what the layers above need to know about it. Made by
 * `createDatabase(url)` (or `createDatabaseFromKyselyDialect` for a dialect of your own, such as PGlite).
 * Run `migrate(database)` before first use.
 */
export interface TidemarkDatabase {
  /** The query builder, typed with the metastore's tables. */
  readonly db: Kysely<Database>;
  /** `sqlite` or `postgres`. */
  readonly dialect: SqlDialect;
  /** The URL it was opened from, as given (may hold a password: show {@link displayUrl} instead). */
  readonly url: string;
  /** The URL with the password replaced by `***`, for messages and logs. */
  readonly displayUrl: string;
  /** Postgres: the schema from `?schema=` (the tables live there); undefined otherwise. */
  readonly schema: string | undefined;
  /** Timestamp and boolean conversion for this dialect. */
  readonly codec: ValueCodec;
  /**
   * What differs between the dialects (transactions, locks, column types …): ask it, not {@link dialect}.
   *
   * @internal
   * @hidden
   */
  readonly adapter: SqlDialectAdapter;
  /** Closes the connections (the pool, the SQLite handle). Idempotent. */
  close(): Promise<void>;
}
