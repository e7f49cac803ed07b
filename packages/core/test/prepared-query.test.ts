import { taskScope } from "@tidemark/state";
import type { LogEvent } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { prepareQuery } from "../src/database/prepared-query.js";
import { withWriteTransaction } from "../src/database/write-transaction.js";
import { createTaskInstance } from "../src/metadata/task-instances.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres } from "./support/postgres.js";
import { mysqlTargets, type OpenedTarget, postgresTarget, sqliteFileTarget } from "./support/targets.js";

const postgres = await connectTestPostgres();
const mysqlServer = await connectTestMysql();
afterAll(() => mysqlServer.close());
afterAll(() => postgres.close());

const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task" });

for (const target of [sqliteFileTarget(), postgresTarget(postgres), ...mysqlTargets(mysqlServer)]) {
  describe(`prepareQuery on ${target.name}`, () => {
    let opened: OpenedTarget | undefined;
    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });

    it("executeTakeFirstValue and execute agree, on the root instance and in a transaction", async () => {
      opened = await target.open();
      const { database } = opened;
      await createTaskInstance(database, scope);
      const backend = new MetastoreBackend({ database });
      await backend.set(scope, "k", '"v"');
      const selectValue = prepareQuery(["key"], (p) =>
        database.db.selectFrom("task_state_store").select("value").where("key", "=", p.key),
      );
      expect(await selectValue.executeTakeFirstValue(database.db, { key: "k" })).toBe('"v"');
      expect(await selectValue.executeTakeFirstValue(database.db, { key: "missing" })).toBeUndefined();
      expect((await selectValue.execute(database.db, { key: "k" })).rows).toEqual([{ value: '"v"' }]);
      expect((await selectValue.execute(database.db, { key: "missing" })).rows).toEqual([]);
      const inTransaction = await withWriteTransaction(database, async (trx) => ({
        rows: (await selectValue.execute(trx, { key: "k" })).rows,
        value: await selectValue.executeTakeFirstValue(trx, { key: "k" }),
      }));
      expect(inTransaction).toEqual({ rows: [{ value: '"v"' }], value: '"v"' });
    });

    it("with a query log, every statement of MetastoreBackend reaches the log and behaves the same", async () => {
      const events: LogEvent[] = [];
      opened = await target.open({
        log: (event) => {
          events.push(event);
        },
      });
      const { database } = opened;
      await createTaskInstance(database, scope);
      const backend = new MetastoreBackend({ database });
      events.length = 0;
      await backend.set(scope, "k", '"v"');
      expect(await backend.get(scope, "k")).toBe('"v"');
      expect((await backend.getEntry(scope, "k"))?.version).toBe(1);
      await backend.delete(scope, "k");
      expect(await backend.get(scope, "k")).toBeNull();
      const statements = events.filter((e) => e.level === "query").map((e) => e.query.sql);
      expect(statements).toHaveLength(5);
      // Identifiers quoted "…" (SQLite, Postgres) or `…` (MySQL).
      expect(statements[0]).toMatch(/^insert into ["`]task_state_store["`]/);
      expect(statements[1]).toMatch(/^select ["`]s["`]\.["`]value["`] from ["`]task_state_store["`]/);
      expect(statements[3]).toMatch(/^delete from ["`]task_state_store["`]/);
    });
  });
}
