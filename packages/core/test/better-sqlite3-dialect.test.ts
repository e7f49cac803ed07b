import BetterSqlite3 from "better-sqlite3";
import { CamelCasePlugin, type Kysely, type LogEvent, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { betterSqlite3Dialect } from "../src/database/better-sqlite3-dialect.js";
import { createKysely } from "../src/database/create-kysely.js";

interface Db {
  item: { id: number; item_name: string };
}

const opened: Kysely<Db>[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
});

async function open(
  log?: (event: LogEvent) => void,
): Promise<{ db: Kysely<Db>; handle: BetterSqlite3.Database }> {
  const handle = new BetterSqlite3(":memory:");
  const db = createKysely<Db>(
    log === undefined
      ? { dialect: betterSqlite3Dialect(handle) }
      : { dialect: betterSqlite3Dialect(handle), log },
  );
  opened.push(db);
  await sql`create table item (id integer primary key, item_name text not null)`.execute(db);
  return { db, handle };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("betterSqlite3Dialect through createKysely", () => {
  it("reads one-column and many-column point reads as whole rows, and streams whole rows", async () => {
    const { db, handle } = await open();
    await db
      .insertInto("item")
      .values([
        { id: 1, item_name: "a" },
        { id: 2, item_name: "b" },
      ])
      .execute();
    const one = db.selectFrom("item").select("item_name").where("id", "=", 2).limit(sql.lit(1));
    expect(await one.execute()).toEqual([{ item_name: "b" }]);
    expect(await one.execute()).toEqual([{ item_name: "b" }]);
    expect(
      await db.selectFrom("item").select("item_name").where("id", "=", 9).limit(sql.lit(1)).execute(),
    ).toEqual([]);
    expect(await db.selectFrom("item").selectAll().where("id", "=", 1).limit(sql.lit(1)).execute()).toEqual([
      { id: 1, item_name: "a" },
    ]);
    const streamed: unknown[] = [];
    for await (const row of one.stream()) streamed.push(row);
    expect(streamed).toEqual([{ item_name: "b" }]);
    // The same row better-sqlite3 builds, even for a column named like Object's prototype accessor.
    const text = 'select 1 as "__proto__" limit 1';
    const proto = await sql<Record<string, unknown>>`${sql.raw(text)}`.execute(db);
    expect(proto.rows).toEqual([handle.prepare(text).get()]);
  });

  it("returns affected rows and the insert id of writes", async () => {
    const { db } = await open();
    const inserted = await db.insertInto("item").values({ id: 7, item_name: "x" }).executeTakeFirstOrThrow();
    expect(inserted.insertId).toBe(7n);
    const updated = await db.updateTable("item").set({ item_name: "y" }).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(1n);
  });

  it("runs a query from outside a transaction only after the transaction ends", async () => {
    const { db } = await open();
    const order: string[] = [];
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto("item").values({ id: 1, item_name: "in" }).execute();
      order.push("inserted");
      await tick();
      order.push("committing");
    });
    const outside = (async () => {
      await Promise.resolve();
      const rows = await db.selectFrom("item").selectAll().execute();
      order.push(`read ${rows.length}`);
    })();
    await Promise.all([transaction, outside]);
    expect(order).toEqual(["inserted", "committing", "read 1"]);
  });

  it("hands the connection to waiters in arrival order", async () => {
    const { db } = await open();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        db.connection().execute(async (conn) => {
          await sql`select ${n}`.execute(conn);
          await tick();
          order.push(n);
        }),
      ),
    );
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("rolls back a failed transaction and to a savepoint", async () => {
    const { db } = await open();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("item").values({ id: 1, item_name: "gone" }).execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const trx = await db.startTransaction().execute();
    await trx.insertInto("item").values({ id: 2, item_name: "kept" }).execute();
    const saved = await trx.savepoint('before "third"').execute();
    await saved.insertInto("item").values({ id: 3, item_name: "undone" }).execute();
    const back = await saved.rollbackToSavepoint('before "third"').execute();
    await back.releaseSavepoint('before "third"').execute();
    await back.commit().execute();
    expect(await db.selectFrom("item").select("id").execute()).toEqual([{ id: 2 }]);
  });

  it("runs plugins on results", async () => {
    const { db } = await open();
    await db.insertInto("item").values({ id: 1, item_name: "a" }).execute();
    const camel = db.withPlugin(new CamelCasePlugin()) as unknown as Kysely<{
      item: { id: number; itemName: string };
    }>;
    expect(await camel.selectFrom("item").select("itemName").limit(sql.lit(1)).execute()).toEqual([
      { itemName: "a" },
    ]);
    expect(await camel.transaction().execute((trx) => trx.selectFrom("item").selectAll().execute())).toEqual([
      { id: 1, itemName: "a" },
    ]);
  });

  it("logs every statement, the transaction's own included, and failures", async () => {
    const events: LogEvent[] = [];
    const { db } = await open((event) => {
      events.push(event);
    });
    events.length = 0;
    await db.insertInto("item").values({ id: 1, item_name: "a" }).execute();
    await db.transaction().execute((trx) => trx.selectFrom("item").selectAll().execute());
    await expect(sql`select * from missing`.execute(db)).rejects.toThrow(/no such table/);
    expect(events.map((e) => `${e.level} ${e.query.sql}`)).toEqual([
      'query insert into "item" ("id", "item_name") values (?, ?)',
      "query begin",
      'query select * from "item"',
      "query commit",
      "error select * from missing",
    ]);
  });

  it("closes the handle on destroy, once", async () => {
    const { db, handle } = await open();
    await db.destroy();
    await db.destroy();
    expect(handle.open).toBe(false);
    await expect(db.selectFrom("item").selectAll().execute()).rejects.toThrow(/destroyed/);
  });
});
