import { type ColumnDefinitionBuilder, type Kysely, type Migration, sql } from "kysely";
import type { SqlDialect } from "../database/database-url.js";
import { dialectAdapterFor } from "../database/dialect-adapter.js";

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
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("dag_run")
        .addColumn("id", t.serialId, identity)
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addUniqueConstraint("dag_run_dag_id_run_id_key", ["dag_id", "run_id"])
        .execute();

      await db.schema
        .createTable("asset")
        .addColumn("id", t.serialId, identity)
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("uri", "text", (c) => c.notNull())
        .addColumn("active", t.boolean, (c) => c.notNull())
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .execute();
      // Among active assets a URI names one asset, so that a scope by uri resolves to one id.
      await db.schema
        .createIndex("asset_active_uri_key")
        .on("asset")
        .column("uri")
        .unique()
        .where(sql.ref("active"), "=", sql.lit(true))
        .execute();

      await db.schema
        .createTable("task_instance")
        .addColumn("id", t.uuid, (c) => c.primaryKey())
        .addColumn("dag_run_id", t.serialId, (c) => c.notNull().references("dag_run.id").onDelete("cascade"))
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("task_id", "text", (c) => c.notNull())
        .addColumn("map_index", "integer", (c) => c.notNull().defaultTo(-1))
        .addColumn("state", "varchar(20)")
        .addColumn("try_number", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .addUniqueConstraint("task_instance_dag_run_task_map_key", ["dag_run_id", "task_id", "map_index"])
        .execute();

      await db.schema
        .createTable("task_instance_asset")
        .addColumn("task_instance_id", t.uuid, (c) =>
          c.notNull().references("task_instance.id").onDelete("cascade"),
        )
        .addColumn("asset_id", t.serialId, (c) => c.notNull().references("asset.id").onDelete("cascade"))
        .addColumn("role", "varchar(10)", (c) => c.notNull().check(sql`role in ('inlet', 'outlet')`))
        .addPrimaryKeyConstraint("task_instance_asset_pkey", ["task_instance_id", "role", "asset_id"])
        .execute();
      await db.schema
        .createIndex("task_instance_asset_asset_id_idx")
        .on("task_instance_asset")
        .column("asset_id")
        .execute();

      await db.schema
        .createTable("task_state_store")
        .addColumn("id", t.bigSerialId, rowId)
        .addColumn("dag_run_id", t.serialId, (c) => c.notNull().references("dag_run.id").onDelete("cascade"))
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("task_id", "text", (c) => c.notNull())
        .addColumn("map_index", "integer", (c) => c.notNull().defaultTo(-1))
        .addColumn("key", t.stateKey, (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .addColumn("expires_at", t.timestamp)
        .addUniqueConstraint("task_state_store_scope_key", ["dag_run_id", "task_id", "map_index", "key"])
        .execute();
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

      await db.schema
        .createTable("asset_state_store")
        .addColumn("asset_id", t.serialId, (c) => c.notNull().references("asset.id").onDelete("cascade"))
        .addColumn("key", t.stateKey, (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .addColumn("last_updated_by_kind", "varchar(20)")
        .addColumn("last_updated_by_dag_id", "text")
        .addColumn("last_updated_by_run_id", "text")
        .addColumn("last_updated_by_task_id", "text")
        .addColumn("last_updated_by_map_index", "integer")
        .addPrimaryKeyConstraint("asset_state_store_pkey", ["asset_id", "key"])
        .execute();
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
