import type { Compilable, CompiledQuery, QueryResult } from "kysely";

/** What runs a compiled query: a Kysely instance, a transaction or a connection-bound instance. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** A placeholder standing for a named parameter while a query is compiled. */
class QueryParameter {
  constructor(readonly name: string) {}
}

type Slot = { readonly name: string } | { readonly value: unknown };

/** A query compiled once, executed many times with different parameters. */
export interface PreparedQuery<P extends string, R> {
  /** The SQL text. */
  readonly sql: string;
  /**
   * Runs the query.
   *
   * @param db - a Kysely instance or transaction of the same dialect it was compiled for.
   * @param args - the value of every named parameter.
   */
  execute(db: QueryRunner, args: Readonly<Record<P, unknown>>): Promise<QueryResult<R>>;
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
  const slots: Slot[] = compiled.parameters.map((v) =>
    v instanceof QueryParameter ? { name: v.name } : { value: v },
  );
  return {
    sql: compiled.sql,
    execute(executor, args) {
      const parameters = slots.map((s) => ("name" in s ? args[s.name as P] : s.value));
      return executor.executeQuery<R>({ ...compiled, parameters });
    },
  };
}
