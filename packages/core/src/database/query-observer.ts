import type { Kysely } from "kysely";
import { driverRuntimeOf } from "./create-kysely.js";
import type { SqlDialect } from "./database-url.js";
import type { TidemarkDatabase } from "./tidemark-database.js";

/** One statement the metastore executes, as a {@link QueryObserver} sees it. */
export interface ObservedQuery {
  /** `sqlite` or `postgres`. */
  readonly dialect: SqlDialect;
  /** The statement's first keyword, upper case: `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `BEGIN` … */
  readonly operation: string;
  /** The SQL text with its placeholders (`?`, `$1`); parameter values are never part of it. */
  readonly text: string;
}

/** Watches every statement a metastore executes, for traces and metrics. */
export interface QueryObserver {
  /**
   * Wraps one statement. It must call `run` exactly once and return (or throw) what `run` does.
   *
   * @param query - the dialect, operation and SQL text.
   * @param run - the execution.
   */
  query<T>(query: ObservedQuery, run: () => Promise<T>): Promise<T>;
}

const MAX_CACHED_OPERATIONS = 1000;
const operations = new Map<string, string>();
const FIRST_WORD = /^[\s(]*([A-Za-z]+)/;

/**
 * The first keyword of a statement, upper case (`SELECT`), or `UNKNOWN`; cached per text, since the
 * metastore runs the same few statements over and over.
 *
 * @param sql - the SQL text.
 * @returns the keyword.
 */
export function queryOperationOf(sql: string): string {
  let operation = operations.get(sql);
  if (operation === undefined) {
    operation = FIRST_WORD.exec(sql)?.[1]?.toUpperCase() ?? "UNKNOWN";
    if (operations.size >= MAX_CACHED_OPERATIONS) operations.clear();
    operations.set(sql, operation);
  }
  return operation;
}

/**
 * Makes an observer see every statement the database executes from now on (queries, transactions'
 * `BEGIN`/`COMMIT`, migrations; not streamed queries), on every connection. Observers added first wrap
 * outermost. Without an observer a statement costs one length check more.
 *
 * @param database - a database from `createDatabase` or `createDatabaseFromKyselyDialect`.
 * @param observer - the observer.
 * @returns a function that removes the observer; nothing happens (and removing is a no-op) for a
 *   database whose Kysely instance was made some other way.
 */
export function observeQueries(database: TidemarkDatabase, observer: QueryObserver): () => void {
  const runtime = driverRuntimeOf(database.db as Kysely<unknown>);
  if (runtime === undefined) return () => {};
  const dialect = database.dialect;
  return runtime.addStatementWrapper((text, run) =>
    observer.query({ dialect, operation: queryOperationOf(text), text }, run),
  );
}
