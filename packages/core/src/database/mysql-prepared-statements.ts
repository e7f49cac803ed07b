import type { MysqlPool, MysqlPoolConnection } from "kysely";
import type { Pool, PoolConnection } from "mysql2";

/** Statements worth preparing: the query builder's reads and writes with parameters. */
const PREPARABLE = /^\s*(?:select|insert|update|delete)\b/i;

/**
 * Prepared statements kept per connection (mysql2 closes the least recently used beyond this): enough for
 * every statement the metastore repeats, well below the server's `max_prepared_stmt_count` (16,382 for all
 * connections together) with several api-servers' pools.
 */
export const MYSQL_PREPARED_STATEMENTS_PER_CONNECTION = 128;

/**
 * A parameter as a prepared statement binds it. mysql2 sends every JS number as a DOUBLE, which MySQL
 * 8.0.22+ refuses for `LIMIT ?`; an integer goes as its decimal text instead, which MySQL converts back
 * wherever an integer is expected.
 */
function bindable(value: unknown): unknown {
  return typeof value === "number" && Number.isInteger(value) ? String(value) : value;
}

function preparing(connection: PoolConnection): MysqlPoolConnection {
  return {
    query(sql: string, parameters: readonly unknown[], callback?: (error: unknown, result: unknown) => void) {
      if (callback !== undefined && parameters.length > 0 && PREPARABLE.test(sql)) {
        connection.execute(sql, parameters.map(bindable) as never, callback as never);
        return undefined as never;
      }
      return connection.query(sql, parameters as never, callback as never) as never;
    },
    release() {
      connection.release();
    },
  } as MysqlPoolConnection;
}

/**
 * The mysql2 pool as Kysely's MysqlDialect sees it, with the builder's reads and writes run as
 * server-side prepared statements (`execute`: parsed once per connection, then only the parameters
 * travel); other statements (transaction control, DDL, session settings) and streams go as text.
 *
 * @param pool - the mysql2 pool (created with `maxPreparedStatements`).
 * @returns the pool for `new MysqlDialect({ pool })`.
 */
export function preparedStatementPool(pool: Pool): MysqlPool {
  const wrapped = new WeakMap<PoolConnection, MysqlPoolConnection>();
  return {
    getConnection(callback) {
      pool.getConnection((error, connection) => {
        if (error) {
          callback(error, undefined as never);
          return;
        }
        let facade = wrapped.get(connection);
        if (facade === undefined) {
          facade = preparing(connection);
          wrapped.set(connection, facade);
        }
        callback(null, facade);
      });
    },
    end(callback) {
      pool.end(callback);
    },
  };
}
