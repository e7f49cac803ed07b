import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
import { registerAsset } from "../src/metadata/assets.js";
import { getMigrationStatus, migrate, resetDatabase } from "../src/migrations/migrate.js";
import { MIGRATION_NAMES } from "../src/migrations/migration-list.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres } from "./support/postgres.js";
import { mysqlTargets, postgresTarget, sqliteFileTarget } from "./support/targets.js";

const postgres = await connectTestPostgres();
const mysqlServer = await connectTestMysql();
afterAll(() => mysqlServer.close());
afterAll(() => postgres.close());

const TABLES = [
  "asset",
  "asset_state_store",
  "dag_run",
  "task_instance",
  "task_instance_asset",
  "task_state_store",
];

async function tableNames(database: TidemarkDatabase): Promise<string[]> {
  const tables = await database.db.introspection.getTables();
  return tables
    .filter((t) => database.schema === undefined || t.schema === database.schema)
    .map((t) => t.name)
    .filter((n) => TABLES.includes(n))
    .sort();
}

for (const target of [sqliteFileTarget(), postgresTarget(postgres), ...mysqlTargets(mysqlServer)]) {
  describe(`migrations on ${target.name}`, () => {
    it("creates every table, and a second run applies nothing", async () => {
      const opened = await target.open({ migrate: false });
      try {
        expect(await getMigrationStatus(opened.database)).toEqual({
          applied: [],
          pending: [...MIGRATION_NAMES],
        });
        expect((await migrate(opened.database)).applied).toEqual([...MIGRATION_NAMES]);
        expect(await tableNames(opened.database)).toEqual(TABLES);
        await registerAsset(opened.database, { name: "kept" });
        expect((await migrate(opened.database)).applied).toEqual([]);
        expect(await getMigrationStatus(opened.database)).toEqual({
          applied: [...MIGRATION_NAMES],
          pending: [],
        });
        const kept = await opened.database.db.selectFrom("asset").select("name").execute();
        expect(kept).toEqual([{ name: "kept" }]);
      } finally {
        await opened.dispose();
      }
    });

    it("resetDatabase drops the data and leaves an empty, current schema", async () => {
      const opened = await target.open();
      try {
        await registerAsset(opened.database, { name: "gone" });
        const report = await resetDatabase(opened.database);
        expect(report).toEqual({ reverted: [...MIGRATION_NAMES].reverse(), applied: [...MIGRATION_NAMES] });
        expect(await opened.database.db.selectFrom("asset").selectAll().execute()).toEqual([]);
        expect(await tableNames(opened.database)).toEqual(TABLES);
      } finally {
        await opened.dispose();
      }
    });
  });
}

describe("migrations on Postgres specifically", () => {
  it.skipIf(postgres.kind !== "postgres")(
    `two concurrent migrate() calls on one fresh schema both succeed, and only one applies the migrations${postgres.kind === "postgres" ? "" : ` (skipped: ${postgres.fallbackReason})`}`,
    async () => {
      const fresh = await postgres.freshSchema({ migrate: false });
      const second = postgres.openSchema(fresh.schema);
      const third = postgres.openSchema(fresh.schema);
      try {
        const reports = await Promise.all([migrate(fresh.database), migrate(second), migrate(third)]);
        const applied = reports.map((r) => r.applied);
        expect(applied.filter((a) => a.length > 0)).toEqual([[...MIGRATION_NAMES]]);
        expect(await tableNames(fresh.database)).toEqual(TABLES);
      } finally {
        await second.close();
        await third.close();
        await fresh.dispose();
      }
    },
  );

  it.skipIf(postgres.kind !== "postgres")(
    `creates the ?schema= schema when it does not exist yet${postgres.kind === "postgres" ? "" : ` (skipped: ${postgres.fallbackReason})`}`,
    async () => {
      const fresh = await postgres.freshSchema({ migrate: false });
      const missing = `${fresh.schema}_new`;
      const database = postgres.openSchema(missing);
      try {
        expect((await migrate(database)).applied).toEqual([...MIGRATION_NAMES]);
        expect(await tableNames(database)).toEqual(TABLES);
      } finally {
        await sql`drop schema if exists ${sql.id(missing)} cascade`.execute(database.db);
        await database.close();
        await fresh.dispose();
      }
    },
  );

  it.skipIf(postgres.kind !== "postgres")(
    `migrates while other schemas of the same database are created and dropped${postgres.kind === "postgres" ? "" : ` (skipped: ${postgres.fallbackReason})`}`,
    async () => {
      const churnHome = await postgres.freshSchema({ migrate: false });
      const churn = postgres.openSchema(churnHome.schema);
      let stop = false;
      let churned = 0;
      const churning = (async () => {
        while (!stop) {
          const other = `${churnHome.schema}_churn_${churned++}`;
          await sql`create schema ${sql.id(other)}`.execute(churn.db);
          await sql`create table ${sql.id(other)}.t (id serial primary key, v text)`.execute(churn.db);
          await sql`drop schema ${sql.id(other)} cascade`.execute(churn.db);
        }
      })();
      try {
        for (let i = 0; i < 8; i++) {
          const fresh = await postgres.freshSchema({ migrate: false });
          try {
            expect((await migrate(fresh.database)).applied).toEqual([...MIGRATION_NAMES]);
            expect(await getMigrationStatus(fresh.database)).toEqual({
              applied: [...MIGRATION_NAMES],
              pending: [],
            });
          } finally {
            await fresh.dispose();
          }
        }
      } finally {
        stop = true;
        await churning;
        await churn.close();
        await churnHome.dispose();
      }
      expect(churned).toBeGreaterThan(0);
    },
  );

  it('stores state keys with the byte-order collation "C" and timestamps as timestamptz', async () => {
    const fresh = await postgres.freshSchema();
    try {
      const columns = await sql<{ column_name: string; data_type: string; collation_name: string | null }>`
        select column_name, data_type, collation_name from information_schema.columns
        where table_schema = ${fresh.schema} and table_name = 'task_state_store'
          and column_name in ('key', 'expires_at')
        order by column_name`.execute(fresh.database.db);
      expect(columns.rows).toEqual([
        { column_name: "expires_at", data_type: "timestamp with time zone", collation_name: null },
        { column_name: "key", data_type: "character varying", collation_name: "C" },
      ]);
    } finally {
      await fresh.dispose();
    }
  });
});

describe("migrations on SQLite specifically", () => {
  it("works on :memory: and stores timestamps as integer epoch milliseconds", async () => {
    const database = createDatabase("sqlite::memory:");
    try {
      await migrate(database);
      await registerAsset(database, { name: "a" });
      const row = await sql<{ t: string }>`select typeof(created_at) as t from asset`.execute(database.db);
      expect(row.rows[0]?.t).toBe("integer");
    } finally {
      await database.close();
    }
  });
});
