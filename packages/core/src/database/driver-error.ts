import { isStateStoreError, StateStoreError } from "@tidemark/state";
import type { TidemarkDatabase } from "./tidemark-database.js";

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Tells whether a driver error is a unique or primary key violation (Postgres 23505, SQLite
 * SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, MySQL ER_DUP_ENTRY).
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === "23505" ||
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "ER_DUP_ENTRY"
  );
}

/**
 * Tells whether a driver error is a foreign key violation (Postgres 23503, SQLITE_CONSTRAINT_FOREIGNKEY,
 * MySQL ER_NO_REFERENCED_ROW_2).
 */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "ER_NO_REFERENCED_ROW_2";
}

/** Tells whether a driver error says a table does not exist (the schema was never migrated). */
export function isMissingTable(error: unknown): boolean {
  const code = codeOf(error);
  if (code === "42P01" || code === "ER_NO_SUCH_TABLE") return true;
  const message = (error as Error | null)?.message;
  return typeof message === "string" && message.startsWith("no such table");
}

/** The longest value, in UTF-8 bytes, of each MySQL column a caller's text goes into. */
const MYSQL_COLUMN_BYTES: Readonly<Record<string, number>> = {
  dag_id: 750,
  run_id: 750,
  task_id: 750,
  name: 3072,
  uri: 3072,
  key: 2048,
};

/** A caller's id or name over what a MySQL column holds (strict mode refuses it): the caller's fault. */
function tooLongForMysql(error: unknown, operation: string): StateStoreError {
  const column = /column '([^']+)'/.exec((error as Error).message)?.[1] ?? "?";
  const limit = MYSQL_COLUMN_BYTES[column];
  return new StateStoreError(
    "INVALID_SCOPE",
    `${operation} failed: the ${column} is longer than the MySQL metastore stores${limit === undefined ? "" : ` (${limit} bytes of UTF-8)`}; use a shorter one`,
    { cause: error, details: { field: column, ...(limit === undefined ? {} : { limitBytes: limit }) } },
  );
}

/**
 * Turns a failure of the database driver into `BACKEND_UNAVAILABLE` (with the driver error as `cause`);
 * a `StateStoreError` passes through unchanged. A missing table gets a message that says to migrate; an
 * id or name too long for its MySQL column is `INVALID_SCOPE` naming the column and its limit.
 *
 * @param error - what the driver threw.
 * @param database - the database, named (without password) in the message.
 * @param operation - what was being done, for example `set of key "k"`.
 * @returns the error to throw.
 */
export function toBackendError(
  error: unknown,
  database: Pick<TidemarkDatabase, "dialect" | "displayUrl">,
  operation: string,
): StateStoreError {
  if (isStateStoreError(error)) return error;
  if (codeOf(error) === "ER_DATA_TOO_LONG") return tooLongForMysql(error, operation);
  const detail = (error as Error | null)?.message ?? String(error);
  if (isMissingTable(error)) {
    return new StateStoreError(
      "BACKEND_UNAVAILABLE",
      `${operation} failed: the metastore ${database.displayUrl} has no Tidemark tables (${detail}); run "tidemark db migrate" (or migrate(database)) first`,
      { cause: error, details: { dialect: database.dialect } },
    );
  }
  return new StateStoreError(
    "BACKEND_UNAVAILABLE",
    `${operation} failed: the ${database.dialect} metastore ${database.displayUrl} is unavailable or failed: ${detail}`,
    { cause: error, details: { dialect: database.dialect, driverCode: codeOf(error) ?? null } },
  );
}
