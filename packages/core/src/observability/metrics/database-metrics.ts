import { Counter, Gauge, type Registry } from "prom-client";
import type { ConnectionPoolCounts } from "../../database/connection-pool.js";
import { observeQueries } from "../../database/query-observer.js";
import type { TidemarkDatabase } from "../../database/tidemark-database.js";

/**
 * The metastore's metrics: failed statements by dialect and statement keyword (through the query
 * observer), and for a Postgres pool its size, idle connections and waiting clients, read at scrape
 * time. SQLite has one connection and no pool, so only errors are reported there.
 *
 * @param registry - the server's registry.
 * @param database - the metastore.
 * @param pool - the pool's counts, when the database has a pool.
 * @returns a function that stops observing the database's statements.
 */
export function installDatabaseMetrics(
  registry: Registry,
  database: TidemarkDatabase,
  pool: ConnectionPoolCounts | undefined,
): () => void {
  const registers = [registry];
  const errors = new Counter({
    name: "tidemark_db_query_errors_total",
    help: "Metastore statements that failed, by dialect and statement keyword (SELECT, INSERT, …).",
    labelNames: ["dialect", "operation"],
    registers,
  });
  errors.labels(database.dialect, "SELECT").inc(0);
  if (pool !== undefined) {
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge("tidemark_db_pool_max_connections", "Most connections the Postgres pool opens.", () => pool.max);
    gauge(
      "tidemark_db_pool_connections",
      "Connections the Postgres pool has open, idle or in use.",
      () => pool.totalCount,
    );
    gauge("tidemark_db_pool_idle_connections", "Open Postgres connections not in use.", () => pool.idleCount);
    gauge(
      "tidemark_db_pool_waiting_clients",
      "Queries waiting for a Postgres connection (the pool is exhausted while this is above 0).",
      () => pool.waitingCount,
    );
  }
  return observeQueries(database, {
    query(query, run) {
      const failed = (error: unknown): never => {
        errors.labels(query.dialect, query.operation).inc();
        throw error;
      };
      let pending: ReturnType<typeof run>;
      try {
        pending = run();
      } catch (error) {
        // better-sqlite3 fails synchronously (a statement that does not prepare).
        return failed(error);
      }
      return pending.catch(failed);
    },
  });
}
