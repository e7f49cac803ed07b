import { type DatabaseIntrospector, type Kysely, type SchemaMetadata, sql, type TableMetadata } from "kysely";

/**
 * An introspector that only looks at one Postgres schema, through catalog joins by OID.
 *
 * Kysely's Migrator checks for its own tables with `getTables()` over every schema of the database, and
 * the Postgres introspector calls name-based catalog functions (`has_schema_privilege(nspname, …)`,
 * `pg_get_serial_sequence(…)`) on each. When another schema of the same database is dropped at that
 * moment (tests, other tenants), those functions fail with "schema … does not exist" and the migration
 * fails for a reason that has nothing to do with Tidemark's schema. Scoping the look-up to the migration
 * schema removes that race.
 */
class SchemaScopedIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;
  readonly #schema: string;

  constructor(db: Kysely<unknown>, schema: string) {
    this.#db = db;
    this.#schema = schema;
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const result = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(
      this.#db,
    );
    return result.rows.map((row) => ({ name: row.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const result = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = ${this.#schema} and c.relkind in ('r', 'p', 'v')`.execute(this.#db);
    return result.rows.map((row) => ({
      name: row.name,
      schema: this.#schema,
      isView: row.kind === "v",
      columns: [],
    }));
  }

  async getMetadata(): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables() };
  }
}

/**
 * Wraps a Kysely instance so that its `introspection` sees only `schema` (see
 * {@link SchemaScopedIntrospector}); everything else is the instance itself. Used for Kysely's Migrator on
 * Postgres.
 *
 * @param db - a Kysely instance on one connection.
 * @param schema - the schema the migrations run in.
 * @returns the wrapped instance.
 */
export function withSchemaScopedIntrospection<DB>(db: Kysely<DB>, schema: string): Kysely<DB> {
  const introspection = new SchemaScopedIntrospector(db as Kysely<unknown>, schema);
  return new Proxy(db, {
    get(target, property) {
      if (property === "introspection") return introspection;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
