import { taskScope } from "@tidemark/state";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTaskInstance, MetastoreBackend, prepareQuery, withWriteTransaction } from "../src/index.js";
import { connectTestPostgres } from "./support/postgres.js";
import { type OpenedTarget, postgresTarget, sqliteFileTarget } from "./support/targets.js";

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());

const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task" });

for (const target of [sqliteFileTarget(), postgresTarget(postgres)]) {
  describe(`prepareQuery on ${target.name}`, () => {
    let opened: OpenedTarget | undefined;
    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });

    it("executeTakeFirstValue and execute agree, on the direct path, through Kysely and in a transaction", async () => {
      opened = await target.open();
      const { database } = opened;
      await createTaskInstance(database, scope);
      const backend = new MetastoreBackend({ database });
      await backend.set(scope, "k", '"v"');
      const selectValue = prepareQuery(["key"], (p) =>
        database.db.selectFrom("task_state_store").select("value").where("key", "=", p.key),
      );
      const { direct } = database;
      expect(await selectValue.executeTakeFirstValue(database.db, { key: "k" }, direct)).toBe('"v"');
      expect(
        await selectValue.executeTakeFirstValue(database.db, { key: "missing" }, direct),
      ).toBeUndefined();
      expect(await selectValue.executeTakeFirstValue(database.db, { key: "k" })).toBe('"v"');
      expect(await selectValue.executeTakeFirstValue(database.db, { key: "missing" })).toBeUndefined();
      // The same SQL text through Kysely and the direct runner's whole-row path still yields row objects.
      expect((await selectValue.execute(database.db, { key: "k" }, direct)).rows).toEqual([{ value: '"v"' }]);
      expect((await selectValue.execute(database.db, { key: "k" })).rows).toEqual([{ value: '"v"' }]);
      const inTransaction = await withWriteTransaction(database, async (trx) => ({
        rows: (
          await selectValue.execute(trx, { key: "k" }, database.dialect === "sqlite" ? direct : undefined)
        ).rows,
        value: await selectValue.executeTakeFirstValue(
          trx,
          { key: "k" },
          database.dialect === "sqlite" ? direct : undefined,
        ),
      }));
      expect(inTransaction).toEqual({ rows: [{ value: '"v"' }], value: '"v"' });
    });
  });
}
