import { taskScope } from "@tidemark/state";
import { type LogEvent, sql } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
import { withWriteTransaction } from "../src/database/write-transaction.js";
import { createTaskInstance } from "../src/metadata/task-instances.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { migrate, resetDatabase } from "../src/migrations/migrate.js";
import { connectTestPostgres, type TestSchema } from "./support/postgres.js";

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());

const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task" });

async function preparedStatements(
  database: TidemarkDatabase,
): Promise<{ name: string; statement: string }[]> {
  const { rows } = await sql<{ name: string; statement: string }>`
    select name, statement from pg_prepared_statements order by name`.execute(database.db);
  return rows;
}

// Named statements are what createDatabase's pg driver sends; PGlite (the stand-in when no server is
// reachable) goes through createDatabaseFromKyselyDialect, whose driver is PGlite's own.
describe.skipIf(postgres.kind !== "postgres")(
  "MetastoreBackend on Postgres: named prepared statements",
  () => {
    const schemas: TestSchema[] = [];
    const fresh = async (poolSize = 1, log?: (event: LogEvent) => void) => {
      const schema = await postgres.freshSchema({ poolSize, ...(log === undefined ? {} : { log }) });
      schemas.push(schema);
      await createTaskInstance(schema.database, scope);
      return { database: schema.database, backend: new MetastoreBackend({ database: schema.database }) };
    };
    afterEach(async () => {
      for (const schema of schemas.splice(0)) await schema.dispose();
    });

    it("get, set and delete run as named statements, prepared once per connection", async () => {
      const { database, backend } = await fresh(1);
      await backend.set(scope, "k", '"v1"');
      expect(await backend.get(scope, "k")).toBe('"v1"');
      await backend.delete(scope, "k");
      await backend.set(scope, "k", '"v2"');
      const prepared = (await preparedStatements(database)).filter((s) => s.name.startsWith("tm_"));
      expect(prepared.length).toBeGreaterThanOrEqual(3);
      for (const { name } of prepared) expect(name.length).toBeLessThanOrEqual(63);
      expect(prepared.some((s) => /^select "s"\."value" from "task_state_store"/.test(s.statement))).toBe(
        true,
      );
      expect(prepared.some((s) => /^insert into "task_state_store"/.test(s.statement))).toBe(true);
      expect(prepared.some((s) => /^delete from "task_state_store"/.test(s.statement))).toBe(true);
      // More calls reuse the statements: nothing new is prepared on the (single) connection.
      for (let i = 0; i < 5; i++) {
        expect(await backend.get(scope, "k")).toBe('"v2"');
        await backend.set(scope, "k", '"v2"');
      }
      expect((await preparedStatements(database)).filter((s) => s.name.startsWith("tm_"))).toEqual(prepared);
    });

    it("a query log sees the statements and they still run as named statements", async () => {
      const logged: string[] = [];
      const { database, backend } = await fresh(1, (event) => {
        if (event.level === "query") logged.push(event.query.sql);
      });
      await backend.set(scope, "k", '"v"');
      expect(await backend.get(scope, "k")).toBe('"v"');
      expect(logged.some((text) => /^insert into "task_state_store"/.test(text))).toBe(true);
      expect(logged.some((text) => /^select "s"\."value" from "task_state_store"/.test(text))).toBe(true);
      const prepared = (await preparedStatements(database)).filter((s) => s.name.startsWith("tm_"));
      expect(prepared.some((s) => /^select "s"\."value" from "task_state_store"/.test(s.statement))).toBe(
        true,
      );
      expect(prepared.some((s) => /^insert into "task_state_store"/.test(s.statement))).toBe(true);
    });

    it("statements inside a transaction and raw SQL go unnamed", async () => {
      const { database } = await fresh(1);
      const before = (await preparedStatements(database)).length;
      await withWriteTransaction(database, async (trx) => {
        await trx.selectFrom("dag_run").select("id").where("dag_id", "=", "in-transaction").execute();
      });
      await sql`select ${1}::int as one`.execute(database.db);
      expect((await preparedStatements(database)).length).toBe(before);
      await database.db.selectFrom("dag_run").select("id").where("dag_id", "=", "outside").execute();
      const after = await preparedStatements(database);
      expect(after.length).toBe(before + 1);
      expect(after.some((s) => /^select "id" from "dag_run"/.test(s.statement))).toBe(true);
    });

    it("keeps working after resetDatabase re-creates the tables under the prepared statements", async () => {
      const { database, backend } = await fresh(1);
      await backend.set(scope, "k", '"before"');
      expect(await backend.get(scope, "k")).toBe('"before"');
      await resetDatabase(database);
      await migrate(database);
      expect(await backend.get(scope, "k")).toBeNull();
      await createTaskInstance(database, scope);
      await backend.set(scope, "k", '"after"');
      expect(await backend.get(scope, "k")).toBe('"after"');
      expect((await backend.getEntry(scope, "k"))?.version).toBe(1);
    });

    it("a prepared statement whose result type changed is prepared again under a new name", async () => {
      const { database, backend } = await fresh(1);
      await backend.set(scope, "k", '"v"');
      expect(await backend.get(scope, "k")).toBe('"v"');
      // Postgres refuses to run the cached plan now ("cached plan must not change result type").
      await sql`alter table task_state_store alter column value type varchar`.execute(database.db);
      expect(await backend.get(scope, "k")).toBe('"v"');
      expect(await backend.get(scope, "k")).toBe('"v"');
      await backend.set(scope, "k", '"w"');
      expect(await backend.get(scope, "k")).toBe('"w"');
    });

    it("the same statements on two schemas read and write each pool's own schema", async () => {
      const a = await fresh(2);
      const b = await fresh(2);
      await a.backend.set(scope, "k", '"a"');
      await b.backend.set(scope, "k", '"b"');
      for (let i = 0; i < 4; i++) {
        const [fromA, fromB] = await Promise.all([a.backend.get(scope, "k"), b.backend.get(scope, "k")]);
        expect([fromA, fromB]).toEqual(['"a"', '"b"']);
      }
      await a.backend.delete(scope, "k");
      expect(await a.backend.get(scope, "k")).toBeNull();
      expect(await b.backend.get(scope, "k")).toBe('"b"');
    });
  },
);
