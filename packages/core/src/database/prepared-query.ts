import type { Compilable, CompiledQuery, QueryResult } from "kysely";
import { DIRECT_DECLINED, type DirectQueryRunner } from "./direct-query-runner.js";

/** What runs a compiled query: a Kysely instance, a transaction or a connection-bound instance. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** A placeholder standing for a named parameter while a query is compiled. */
class QueryParameter {
  constructor(readonly name: string) {}
}

/** A query compiled once, executed many times with different parameters. */
export interface PreparedQuery<P extends string, R> {
  /** The SQL text. */
  readonly sql: string;
  /**
   * Runs the query.
   *
   * @param db - a Kysely instance or transaction of the same dialect it was compiled for.
   * @param args - the value of every named parameter.
   * @param direct - the database's direct runner (`TidemarkDatabase.direct`), tried first; pass it only
   *   with the root Kysely instance, never inside a transaction (on Postgres it runs on any pooled
   *   connection).
   */
  execute(
    db: QueryRunner,
    args: Readonly<Record<P, unknown>>,
    direct?: DirectQueryRunner,
  ): Promise<QueryResult<R>>;
  /**
   * Runs a query that selects one column and returns that column of the first row, or undefined when
   * no row matched: on SQLite's direct path without building row objects. Same parameters as
   * {@link execute}.
   */
  executeTakeFirstValue(
    db: QueryRunner,
    args: Readonly<Record<P, unknown>>,
    direct?: DirectQueryRunner,
  ): Promise<unknown>;
}

/**
 * Compiles a Kysely query once, with named parameters, so that running it costs no query building:
 * building and compiling a Kysely query takes longer than a point query on SQLite, and the metastore's
 * get/set path runs the same few statements over and over.
 *
 * `build` receives placeholder values, one per name (typed `never`, so they fit any column); use them
 * where a value goes (`where("key", "=", p.key)`, `eb.val(p.value)`). Do not use them where Kysely
 * inspects the value (lists for `in`, `sql.lit`).
 *
 * @param names - the parameter names.
 * @param build - builds the query from the placeholders with the Kysely instance of the dialect it will
 *   run on (the compiled SQL is that dialect's).
 * @returns the prepared query.
 */
export function prepareQuery<const P extends string, R>(
  names: readonly P[],
  build: (params: Readonly<Record<P, never>>) => Compilable<R>,
): PreparedQuery<P, R> {
  const params = Object.fromEntries(names.map((n) => [n, new QueryParameter(n)])) as Record<P, never>;
  const compiled: CompiledQuery<R> = build(params).compile();
  // Per position: the parameter's name, or null for a constant kept from compilation.
  const slotNames = compiled.parameters.map((v) => (v instanceof QueryParameter ? (v.name as P) : null));
  const constants = compiled.parameters.map((v) => (v instanceof QueryParameter ? undefined : v));
  const count = slotNames.length;
  const bind = (args: Readonly<Record<P, unknown>>): unknown[] => {
    const parameters: unknown[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const name = slotNames[i];
      parameters[i] = name === null || name === undefined ? constants[i] : args[name];
    }
    return parameters;
  };
  return {
    sql: compiled.sql,
    async executeTakeFirstValue(executor, args, direct) {
      const parameters = bind(args);
      if (direct !== undefined) {
        const value = direct.tryFirstValue(compiled.sql, parameters);
        if (value !== DIRECT_DECLINED) return value;
      }
      const row = (await executor.executeQuery<R>({ ...compiled, parameters })).rows[0];
      return row === undefined ? undefined : Object.values(row as object)[0];
    },
    execute(executor, args, direct) {
      const parameters = bind(args);
      if (direct !== undefined) {
        const result = direct.tryRun<R>(compiled.sql, parameters);
        if (result !== undefined) return Promise.resolve(result);
      }
      return executor.executeQuery<R>({ ...compiled, parameters });
    },
  };
}
