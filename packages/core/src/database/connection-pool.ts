import type { TidemarkDatabase } from "./tidemark-database.js";

/** What a connection pool tells about itself, live (a `pg.Pool` has these members but `max`). */
export interface ConnectionPoolCounts {
  /** Most connections the pool opens. */
  readonly max: number;
  /** Connections open now, idle or in use. */
  readonly totalCount: number;
  /** Open connections not in use. */
  readonly idleCount: number;
  /** Queries waiting for a connection. */
  readonly waitingCount: number;
}

const pools = new WeakMap<TidemarkDatabase, ConnectionPoolCounts>();

/**
 * Remembers the pool behind a database `createDatabase` opened, for {@link connectionPoolOf}.
 *
 * @param database - the database.
 * @param pool - its pool (live counts).
 * @param max - the most connections it opens.
 */
export function registerConnectionPool(
  database: TidemarkDatabase,
  pool: { readonly totalCount: number; readonly idleCount: number; readonly waitingCount: number },
  max: number,
): void {
  pools.set(database, {
    max,
    get totalCount() {
      return pool.totalCount;
    },
    get idleCount() {
      return pool.idleCount;
    },
    get waitingCount() {
      return pool.waitingCount;
    },
  });
}

/**
 * The connection pool of a database, for metrics.
 *
 * @param database - the database.
 * @returns its pool's live counts; undefined for SQLite (one connection) and databases made over a
 *   dialect of one's own.
 */
export function connectionPoolOf(database: TidemarkDatabase): ConnectionPoolCounts | undefined {
  return pools.get(database);
}
