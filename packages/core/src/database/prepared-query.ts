import type { Compilable, CompiledQuery, QueryResult } from "kysely";

/** What runs a compiled query: a Kysely instance, a transaction or a connection-bound instance. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** A placeholder standing for a named parameter while a query is compiled. */
class QueryParameter {
  constructor(readonly name: string) {}
}

/** The first column of the first row: one function for every query, no async frame per call. */
function firstValue<R>(result: QueryResult<R>): R[keyof R] | undefined {
  const row = result.rows[0];
  if (row === undefined) return undefined;
  for (const column in row) return row[column as keyof R];
  return undefined;
}

/** A query compiled once, executed many times with different parameters. */
export interface PreparedQuery<P extends string, R> {
  /** The SQL text. */
  readonly sql: string;
  /**
   * Runs the query through Kysely's executor (and so its driver, plugins and query log).
   *
   * @param db - a Kysely instance or transaction of the same dialect it was compiled for.
   * @param args - the value of every named parameter.
   * @returns Kysely's result, with rows of the query's type.
   */
  execute(db: QueryRunner, args: Readonly<Record<P, unknown>>): Promise<QueryResult<R>>;
  /**
   * Runs a query that selects one column and returns that column of the first row. Same parameters as
   * {@link execute}.
   *
   * @returns the value, or undefined when no row matched.
   */
  executeTakeFirstValue(db: QueryRunner, args: Readonly<Record<P, unknown>>): Promise<R[keyof R] | undefined>;
}

/**
 * Compiles a Kysely query once, with named parameters, so that running it costs no query building:
 * building and compiling a Kysely query takes longer than a point query on SQLite, and the metastore's
 * get/set path runs the same few statements over and over. Running it goes through Kysely's executor
 * like any other query (the dialect's driver caches or names the statement by its SQL text).
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
  const bind = (args: Readonly<Record<P, unknown>>): CompiledQuery<R> => {
    const parameters: unknown[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const name = slotNames[i];
      parameters[i] = name === null || name === undefined ? constants[i] : args[name];
    }
    // The fields listed rather than spread: this runs on every call.
    return { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters };
  };
  return {
    sql: compiled.sql,
    executeTakeFirstValue(db, args) {
      return db.executeQuery<R>(bind(args)).then(firstValue);
    },
    execute(db, args) {
      return db.executeQuery<R>(bind(args));
    },
  };
}
