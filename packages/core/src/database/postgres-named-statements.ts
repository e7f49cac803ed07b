import { createHash } from "node:crypto";
import type { QueryResult } from "kysely";
import type pg from "pg";
import type { DirectQueryRunner } from "./direct-query-runner.js";

/**
 * Postgres errors after which a named statement is prepared again under a new name: `0A000` "cached plan
 * must not change result type" (a table was dropped and re-created with other columns, as
 * `resetDatabase` + `migrate` can do) and `26000` "prepared statement does not exist" (the server side
 * forgot it, as after `DISCARD ALL`).
 */
const STALE_STATEMENT_CODES = new Set(["0A000", "26000"]);

function isStaleStatement(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && STALE_STATEMENT_CODES.has(code);
}

function toResult<R>(result: pg.QueryResult): QueryResult<R> {
  const { command, rowCount } = result;
  const affects = command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE";
  // The same shape as Kysely's PostgresDriver.
  return affects
    ? { rows: (result.rows ?? []) as R[], numAffectedRows: BigInt(rowCount ?? 0) }
    : { rows: (result.rows ?? []) as R[] };
}

/**
 * A direct runner for a `pg` pool that sends every statement as a named prepared statement
 * (`{name, text, values}`): `pg` prepares a name once per connection and afterwards only binds and
 * executes it, so Postgres skips parsing and planning on every call (an unnamed statement is parsed and
 * planned each time). The name is `tm_` and the SHA-1 of the SQL text (43 characters; Postgres allows 63),
 * so each distinct SQL text has its own name; at most `capacity` names are remembered on the client side.
 *
 * Named statements live per connection and resolve table names with the connection's search_path when
 * first prepared. The pool gives every connection the same search_path (`?schema=`), so a name means the
 * same tables on every connection of the pool. When a statement went stale because the schema changed
 * (see the codes above), the statement is retried once under a fresh name (prepared anew on that
 * connection) and that name is used from then on.
 *
 * Never declines: the statements it gets are single autocommit statements on the root Kysely instance,
 * which Kysely would run on any pooled connection just the same.
 *
 * @param pool - the pool Kysely's PostgresDialect uses.
 * @param capacity - most SQL texts whose names are remembered. Default 256.
 * @returns the runner.
 */
export function namedPostgresStatements(pool: pg.Pool, capacity = 256): DirectQueryRunner {
  /** Per SQL text: its current statement name. */
  const names = new Map<string, string>();
  let generation = 0;
  const nameFor = (sql: string, fresh: boolean): string => {
    let name = fresh ? undefined : names.get(sql);
    if (name === undefined) {
      const digest = createHash("sha1").update(sql).digest("hex");
      name = fresh ? `tm_${digest.slice(0, 32)}_${(++generation).toString(36)}` : `tm_${digest}`;
      if (!names.has(sql) && names.size >= capacity) {
        const oldest = names.keys().next().value;
        if (oldest !== undefined) names.delete(oldest);
      }
      names.set(sql, name);
    }
    return name;
  };
  const run = async <R>(sql: string, values: unknown[]): Promise<QueryResult<R>> => {
    try {
      return toResult<R>(await pool.query({ name: nameFor(sql, false), text: sql, values }));
    } catch (error) {
      if (!isStaleStatement(error)) throw error;
      return toResult<R>(await pool.query({ name: nameFor(sql, true), text: sql, values }));
    }
  };
  return {
    tryRun<R>(sql: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
      return run<R>(sql, [...parameters]);
    },
    async tryFirstValue(sql: string, parameters: readonly unknown[]): Promise<unknown> {
      const row = (await run<Record<string, unknown>>(sql, [...parameters])).rows[0];
      return row === undefined ? undefined : Object.values(row)[0];
    },
  };
}
