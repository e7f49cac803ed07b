import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  sql,
} from "kysely";
import type { SqlDialect } from "../database/database-url.js";
import { dialectAdapterFor } from "../database/dialect-adapter.js";

/** MySQL's foreign keys, as table constraints: table → [column, referenced table.column], all cascading. */
const FOREIGN_KEYS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  task_instance: [["dag_run_id", "dag_run.id"]],
  task_instance_asset: [
    ["task_instance_id", "task_instance.id"],
    ["asset_id", "asset.id"],
  ],
  task_state_store: [["dag_run_id", "dag_run.id"]],
  asset_state_store: [["asset_id", "asset.id"]],
};

/**
 * The first schema: dag_run, task_instance (+ task_instance_asset for inlets and outlets), asset,
 * task_state_store and asset_state_store, with the keys and indexes of issue 3 / the reference's
 * metastore tables.
 *
 * @param dialect - the dialect the statements are written for.
 * @returns the migration.
 */
export function initialSchemaMigration(dialect: SqlDialect): Migration {
  const adapter = dialectAdapterFor(dialect);
  const t = adapter.columnTypes;
  // Ids of dag runs and assets are handed out and never reused; the state table's id is cheaper.
  const identity = (c: ColumnDefinitionBuilder) => adapter.identityColumn(c);
  const rowId = (c: ColumnDefinitionBuilder) => adapter.rowIdColumn(c);
  const mysql = adapter.mysqlSyntax;
  // MySQL ignores a column's inline REFERENCES: there the foreign keys are table constraints.
  const references = (target: string) => (c: ColumnDefinitionBuilder) =>
    mysql ? c.notNull() : c.notNull().references(target).onDelete("cascade");
  const create = (
    db: Kysely<unknown>,
    table: string,
    build: (t: CreateTableBuilder<string, never>) => CreateTableBuilder<string, never>,
  ) => {
    let builder = build(db.schema.createTable(table));
    if (mysql) {
      for (const [column, target] of FOREIGN_KEYS[table] ?? []) {
        const [targetTable, targetColumn] = target.split(".") as [string, string];
        builder = builder.addForeignKeyConstraint(
          `${table}_${column}_fkey`,
          [column as never],
          targetTable,
          [targetColumn],
          (fk) => fk.onDelete("cascade"),
        );
      }
    }
    return (adapter.tableOptions === undefined ? builder : builder.modifyEnd(adapter.tableOptions)).execute();
  };
  return {
    async up(db: Kysely<unknown>) {
      await create(db, "dag_run", (b) =>
        b
          .addColumn("id", t.serialId, identity)
          .addColumn("dag_id", t.identifier, (c) => c.notNull())
          .addColumn("run_id", t.identifier, (c) => c.notNull())
          .addColumn("created_at", t.timestamp, (c) => c.notNull())
          .addUniqueConstraint("dag_run_dag_id_run_id_key", ["dag_id" as never, "run_id" as never]),
      );

      await create(db, "asset", (b) => {
        const table = b
          .addColumn("id", t.serialId, identity)
          .addColumn("name", t.assetText, (c) => c.notNull().unique())
          .addColumn("uri", t.assetText, (c) => c.notNull())
          .addColumn("active", t.boolean, (c) => c.notNull())
          .addColumn("created_at", t.timestamp, (c) => c.notNull())
          .addColumn("updated_at", t.timestamp, (c) => c.notNull());
        // MySQL has no partial index: a generated column holds the URI of active assets only (NULLs
        // never collide), and its unique index does the same.
        return mysql
          ? table.addColumn("active_uri", t.assetText, (c) =>
              c.generatedAlwaysAs(sql`case when active then uri end`).stored().unique(),
            )
          : table;
      });
      // Among active assets a URI names one asset, so that a scope by uri resolves to one id.
      if (!mysql) {
        await db.schema
          .createIndex("asset_active_uri_key")
          .on("asset")
          .column("uri")
          .unique()
          .where(sql.ref("active"), "=", sql.lit(true))
          .execute();
      }

      await create(db, "task_instance", (b) =>
        b
          .addColumn("id", t.uuid as never, (c) => c.primaryKey())
          .addColumn("dag_run_id", t.serialId, references("dag_run.id"))
          .addColumn("dag_id", t.identifier, (c) => c.notNull())
          .addColumn("run_id", t.identifier, (c) => c.notNull())
          .addColumn("task_id", t.identifier, (c) => c.notNull())
          .addColumn("map_index", "integer", (c) => c.notNull().defaultTo(-1))
          .addColumn("state", "varchar(20)")
          .addColumn("try_number", "integer", (c) => c.notNull().defaultTo(1))
          .addColumn("created_at", t.timestamp, (c) => c.notNull())
          .addColumn("updated_at", t.timestamp, (c) => c.notNull())
          .addUniqueConstraint("task_instance_dag_run_task_map_key", [
            "dag_run_id" as never,
            "task_id" as never,
            "map_index" as never,
          ]),
      );

      await create(db, "task_instance_asset", (b) =>
        b
          .addColumn("task_instance_id", t.uuid as never, references("task_instance.id"))
          .addColumn("asset_id", t.serialId, references("asset.id"))
          .addColumn("role", "varchar(10)", (c) => c.notNull().check(sql`role in ('inlet', 'outlet')`))
          .addPrimaryKeyConstraint("task_instance_asset_pkey", [
            "task_instance_id" as never,
            "role" as never,
            "asset_id" as never,
          ]),
      );
      await db.schema
        .createIndex("task_instance_asset_asset_id_idx")
        .on("task_instance_asset")
        .column("asset_id")
        .execute();

      await create(db, "task_state_store", (b) =>
        b
          .addColumn("id", t.bigSerialId, rowId)
          .addColumn("dag_run_id", t.serialId, references("dag_run.id"))
          .addColumn("dag_id", t.identifier, (c) => c.notNull())
          .addColumn("run_id", t.identifier, (c) => c.notNull())
          .addColumn("task_id", t.identifier, (c) => c.notNull())
          .addColumn("map_index", "integer", (c) => c.notNull().defaultTo(-1))
          .addColumn("key", t.stateKey, (c) => c.notNull())
          .addColumn("value", t.value, (c) => c.notNull())
          .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
          .addColumn("updated_at", t.timestamp, (c) => c.notNull())
          .addColumn("expires_at", t.timestamp)
          .addUniqueConstraint("task_state_store_scope_key", [
            "dag_run_id" as never,
            "task_id" as never,
            "map_index" as never,
            "key" as never,
          ]),
      );
      await db.schema
        .createIndex("task_state_store_ti_idx")
        .on("task_state_store")
        .columns(["dag_id", "run_id", "task_id", "map_index"])
        .execute();
      await db.schema
        .createIndex("task_state_store_expires_at_idx")
        .on("task_state_store")
        .column("expires_at")
        .execute();

      await create(db, "asset_state_store", (b) =>
        b
          .addColumn("asset_id", t.serialId, references("asset.id"))
          .addColumn("key", t.stateKey, (c) => c.notNull())
          .addColumn("value", t.value, (c) => c.notNull())
          .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
          .addColumn("updated_at", t.timestamp, (c) => c.notNull())
          .addColumn("last_updated_by_kind", "varchar(20)")
          .addColumn("last_updated_by_dag_id", "text")
          .addColumn("last_updated_by_run_id", "text")
          .addColumn("last_updated_by_task_id", "text")
          .addColumn("last_updated_by_map_index", "integer")
          .addPrimaryKeyConstraint("asset_state_store_pkey", ["asset_id" as never, "key" as never]),
      );
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        "asset_state_store",
        "task_state_store",
        "task_instance_asset",
        "task_instance",
        "asset",
        "dag_run",
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
