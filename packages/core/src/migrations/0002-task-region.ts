import { NO_REGION_ID, StateStoreError } from "@tidemark/state";
import { type CreateTableBuilder, type Kysely, type Migration, sql } from "kysely";
import type { SqlDialect } from "../database/database-url.js";
import { dialectAdapterFor } from "../database/dialect-adapter.js";
import { columnTypesFor } from "./column-types.js";

/** The unique keys this migration widens: table, old name and columns, new name and columns. */
const KEYS = [
  {
    table: "task_instance",
    oldName: "task_instance_dag_run_task_map_key",
    oldColumns: ["dag_run_id", "task_id", "map_index"],
    newName: "task_instance_dag_run_task_region_map_key",
    newColumns: ["dag_run_id", "task_id", "region_id", "map_index"],
  },
  {
    table: "task_state_store",
    oldName: "task_state_store_scope_key",
    oldColumns: ["dag_run_id", "task_id", "map_index", "key"],
    newName: "task_state_store_scope_key",
    newColumns: ["dag_run_id", "task_id", "region_id", "map_index", "key"],
  },
] as const;

const TASK_INSTANCE_COLUMNS = [
  "id",
  "dag_run_id",
  "dag_id",
  "run_id",
  "task_id",
  "map_index",
  "state",
  "try_number",
  "created_at",
  "updated_at",
] as const;

const TASK_STATE_COLUMNS = [
  "id",
  "dag_run_id",
  "dag_id",
  "run_id",
  "task_id",
  "map_index",
  "key",
  "value",
  "version",
  "updated_at",
  "expires_at",
] as const;

/**
 * Airflow 3.4's region scope (its migration "Add dynamic region storage"): `task_instance` and
 * `task_state_store` gain `region_id`, a UUID that is the all-zero UUID for every existing row, and their
 * unique keys become (dag_run_id, task_id, region_id, map_index[, key]). Existing rows keep their ids and
 * values. Airflow's `dynamic_region` table is not ported: Tidemark does not schedule regions, it only
 * keeps their state apart.
 *
 * SQLite cannot change a table's constraints in place, so there both tables are rebuilt (create, copy,
 * drop, rename); that needs foreign keys off, which `migrate` arranges around its lock. Postgres adds the
 * column (a constant default, so no rewrite) and swaps the constraints; MySQL does both in one
 * `alter table`. Reverting refuses, before
 * changing anything, when rows of different regions would collide on the old keys.
 *
 * @param dialect - the dialect the statements are written for.
 * @returns the migration.
 */
export function taskRegionMigration(dialect: SqlDialect): Migration {
  const adapter = dialectAdapterFor(dialect);
  const inPlace = !adapter.rebuildsTablesToChangeConstraints;
  return {
    async up(db: Kysely<unknown>) {
      if (adapter.mysqlSyntax) {
        for (const k of KEYS) {
          // One statement: the old key supports the dag_run_id foreign key until the new one replaces it.
          await sql`alter table ${sql.id(k.table)} add column region_id ${adapter.columnTypes.uuid as never} not null default ${sql.lit(NO_REGION_ID)}, drop index ${sql.id(k.oldName)}, add constraint ${sql.id(k.newName)} unique (${sql.join(k.newColumns.map((c) => sql.id(c)))})`.execute(
            db,
          );
        }
        return;
      }
      if (inPlace) {
        for (const k of KEYS) {
          await sql`alter table ${sql.id(k.table)} add column if not exists region_id uuid not null default ${sql.lit(NO_REGION_ID)}`.execute(
            db,
          );
          await replaceUnique(db, k.table, [k.oldName, k.newName], k.newName, k.newColumns);
        }
        return;
      }
      await requireForeignKeysOff(db);
      if (await sqliteHasRegion(db)) return;
      await rebuildSqliteTables(db, true);
    },
    async down(db: Kysely<unknown>) {
      await refuseCollisions(db);
      if (adapter.mysqlSyntax) {
        for (const k of KEYS) {
          await sql`alter table ${sql.id(k.table)} drop index ${sql.id(k.newName)}, add constraint ${sql.id(k.oldName)} unique (${sql.join(k.oldColumns.map((c) => sql.id(c)))}), drop column region_id`.execute(
            db,
          );
        }
        return;
      }
      if (inPlace) {
        for (const k of KEYS) {
          await replaceUnique(db, k.table, [k.newName, k.oldName], k.oldName, k.oldColumns);
          await sql`alter table ${sql.id(k.table)} drop column if exists region_id`.execute(db);
        }
        return;
      }
      await requireForeignKeysOff(db);
      if (!(await sqliteHasRegion(db))) return;
      await rebuildSqliteTables(db, false);
    },
  };
}

async function replaceUnique(
  db: Kysely<unknown>,
  table: string,
  drop: readonly string[],
  name: string,
  columns: readonly string[],
): Promise<void> {
  for (const old of new Set(drop)) {
    await sql`alter table ${sql.id(table)} drop constraint if exists ${sql.id(old)}`.execute(db);
  }
  await sql`alter table ${sql.id(table)} add constraint ${sql.id(name)} unique (${sql.join(columns.map((c) => sql.id(c)))})`.execute(
    db,
  );
}

async function requireForeignKeysOff(db: Kysely<unknown>): Promise<void> {
  const result = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
  if (Number(result.rows[0]?.foreign_keys ?? 0) !== 0) {
    // Dropping a parent table with foreign keys on would cascade and delete every child row.
    throw new StateStoreError(
      "CONFIG_ERROR",
      "the region migration rebuilds SQLite tables and must run with foreign keys off; run it through migrate() (tidemark db migrate), which arranges that",
    );
  }
}

async function sqliteHasRegion(db: Kysely<unknown>): Promise<boolean> {
  const result = await sql<{ name: string }>`select name from pragma_table_info('task_state_store')`.execute(
    db,
  );
  return result.rows.some((r) => r.name === "region_id");
}

async function refuseCollisions(db: Kysely<unknown>): Promise<void> {
  for (const k of KEYS) {
    const columns = sql.join(k.oldColumns.map((c) => sql.id(c)));
    const hit =
      await sql`select 1 as hit from ${sql.id(k.table)} group by ${columns} having count(*) > 1 limit 1`.execute(
        db,
      );
    if (hit.rows.length > 0) {
      throw new StateStoreError(
        "CONFLICT",
        `cannot revert the region migration: rows of ${k.table} in different regions share (${k.oldColumns.join(", ")}), which the old schema cannot hold; delete the dag runs that have regions first`,
        { details: { table: k.table } },
      );
    }
  }
}

/** Rebuilds task_instance and task_state_store with (`withRegion`) or without region_id, keeping every row. */
async function rebuildSqliteTables(db: Kysely<unknown>, withRegion: boolean): Promise<void> {
  const t = columnTypesFor("sqlite");
  const key = withRegion ? KEYS : KEYS.map((k) => ({ ...k, newName: k.oldName, newColumns: k.oldColumns }));
  const region = (builder: CreateTableBuilder<string, string>) =>
    withRegion ? builder.addColumn("region_id", t.uuid, (c) => c.notNull().defaultTo(NO_REGION_ID)) : builder;

  await region(
    db.schema
      .createTable("task_instance_rebuild")
      .addColumn("id", t.uuid, (c) => c.primaryKey())
      .addColumn("dag_run_id", t.serialId, (c) => c.notNull().references("dag_run.id").onDelete("cascade"))
      .addColumn("dag_id", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("map_index", "integer", (c) => c.notNull().defaultTo(-1))
      .addColumn("state", "varchar(20)")
      .addColumn("try_number", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull()),
  )
    .addUniqueConstraint(key[0].newName, [...key[0].newColumns])
    .execute();
  await copyAndSwap(db, "task_instance", TASK_INSTANCE_COLUMNS);

  await region(
    db.schema
      .createTable("task_state_store_rebuild")
      .addColumn("id", t.bigSerialId, (c) => c.primaryKey())
      .addColumn("dag_run_id", t.serialId, (c) => c.notNull().references("dag_run.id").onDelete("cascade"))
      .addColumn("dag_id", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("map_index", "integer", (c) => c.notNull().defaultTo(-1))
      .addColumn("key", t.stateKey, (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addColumn("expires_at", t.timestamp),
  )
    .addUniqueConstraint(key[1].newName, [...key[1].newColumns])
    .execute();
  await copyAndSwap(db, "task_state_store", TASK_STATE_COLUMNS);
  // The indexes of the dropped table went with it.
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

  const broken = await sql`pragma foreign_key_check`.execute(db);
  if (broken.rows.length > 0) {
    throw new StateStoreError(
      "BACKEND_UNAVAILABLE",
      `the region migration found ${broken.rows.length} row(s) whose foreign keys do not hold; nothing was changed`,
    );
  }
}

async function copyAndSwap(db: Kysely<unknown>, table: string, columns: readonly string[]): Promise<void> {
  const list = sql.join(columns.map((c) => sql.id(c)));
  const rebuild = `${table}_rebuild`;
  await sql`insert into ${sql.id(rebuild)} (${list}) select ${list} from ${sql.id(table)}`.execute(db);
  await sql`drop table ${sql.id(table)}`.execute(db);
  await sql`alter table ${sql.id(rebuild)} rename to ${sql.id(table)}`.execute(db);
}
