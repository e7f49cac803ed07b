import { assetScope, createStateStore, isStateStoreError, taskScope } from "@tidemark/state";
import { MysqlDialect, sql } from "kysely";
import { createPool } from "mysql2";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDatabase, createDatabaseFromKyselyDialect } from "../src/database/create-database.js";
import { createTaskInstance, MetastoreBackend, migrate, registerAsset } from "../src/index.js";
import { connectTestMysql, type TestMysqlDatabase } from "./support/mysql.js";

// What only MySQL needs proving: its byte columns compare exactly, its limits answer as the caller's
// fault, and a driver Tidemark did not configure reads the same. The shared behaviour runs in the
// conformance and behaviour suites on every dialect.

const mysqlServer = await connectTestMysql();
afterAll(() => mysqlServer.close());
const skipReason = mysqlServer.skipReason;

describe.skipIf(skipReason !== null)(
  skipReason === null ? "MySQL metastore" : `MySQL metastore (skipped: ${skipReason})`,
  () => {
    let fresh: TestMysqlDatabase | undefined;
    afterEach(async () => {
      await fresh?.dispose();
      fresh = undefined;
    });

    it("keeps keys and ids apart that differ only in case or trailing spaces, and lists prefixes in code point order", async () => {
      fresh = await mysqlServer.freshDatabase();
      const { database } = fresh;
      const store = createStateStore(new MetastoreBackend({ database }));
      const plain = taskScope({ dagId: "etl", runId: "r", taskId: "t" });
      const spaced = taskScope({ dagId: "etl ", runId: "r", taskId: "t" });
      await createTaskInstance(database, plain);
      await createTaskInstance(database, spaced);
      for (const key of ["a", "A", "a ", "ä", "a%", "a_b", "ab"]) await store.set(plain, key, key);
      await store.set(spaced, "a", "other dag");
      for (const key of ["a", "A", "a ", "ä"]) expect(await store.get(plain, key)).toBe(key);
      expect(await store.get(spaced, "a")).toBe("other dag");
      const listed = await store.list(plain, { prefix: "a" });
      expect(listed.entries.map((i) => i.key)).toEqual(["a", "a ", "a%", "a_b", "ab"]);
      const all = await store.list(plain);
      expect(all.entries.map((i) => i.key)).toEqual(["A", "a", "a ", "a%", "a_b", "ab", "ä"]);
    });

    it("stores a 512-character key of 4-byte characters, and refuses a dag id over 750 bytes as INVALID_SCOPE", async () => {
      fresh = await mysqlServer.freshDatabase();
      const { database } = fresh;
      const store = createStateStore(new MetastoreBackend({ database }));
      const scope = taskScope({ dagId: "d".repeat(750), runId: "r", taskId: "t" });
      await createTaskInstance(database, scope);
      const key = "😀".repeat(512);
      await store.set(scope, key, 1);
      expect(await store.get(scope, key)).toBe(1);
      const tooLong = taskScope({ dagId: "é".repeat(376), runId: "r", taskId: "t" });
      const error = await createTaskInstance(database, tooLong).catch((e: unknown) => e);
      expect(isStateStoreError(error) && error.code).toBe("INVALID_SCOPE");
      expect((error as Error).message).toContain("dag_id");
      expect((error as Error).message).toContain("750 bytes");
    });

    it("runs the backend's reads and writes as prepared statements, each prepared once per connection", async () => {
      fresh = await mysqlServer.freshDatabase();
      // One connection, so its session counters are the backend's alone.
      const single = createDatabase(fresh.url, { poolSize: 1 });
      try {
        const backend = new MetastoreBackend({ database: single });
        const scope = taskScope({ dagId: "d", runId: "r", taskId: "t" });
        await createTaskInstance(single, scope);
        const counters = async () => {
          const result = await sql<{
            Variable_name: string;
            Value: string;
          }>`show session status where Variable_name in ('Com_stmt_prepare', 'Com_stmt_execute')`.execute(
            single.db,
          );
          return Object.fromEntries(result.rows.map((r) => [r.Variable_name, Number(r.Value)]));
        };
        const before = await counters();
        for (let i = 0; i < 20; i++) {
          await backend.set(scope, "k", String(i));
          expect(await backend.get(scope, "k")).toBe(String(i));
        }
        const after = await counters();
        expect((after.Com_stmt_execute ?? 0) - (before.Com_stmt_execute ?? 0)).toBeGreaterThanOrEqual(40);
        expect((after.Com_stmt_prepare ?? 0) - (before.Com_stmt_prepare ?? 0)).toBeLessThanOrEqual(2);
      } finally {
        await single.close();
      }
    });

    it("reads the same through a MySQL dialect of the caller's own (ids and keys as text, not bytes)", async () => {
      fresh = await mysqlServer.freshDatabase();
      const pool = createPool({ uri: fresh.url, connectionLimit: 2 });
      const own = createDatabaseFromKyselyDialect({
        dialect: "mysql",
        kyselyDialect: new MysqlDialect({ pool }),
      });
      try {
        await migrate(own);
        const store = createStateStore(new MetastoreBackend({ database: own }));
        const asset = await registerAsset(own, { name: "orders", uri: "s3://b/orders" });
        expect(asset).toMatchObject({ name: "orders", uri: "s3://b/orders", active: true });
        await store.set(assetScope({ name: "orders" }), "wm", "2026-12-01");
        const page = await store.list(assetScope({ name: "orders" }));
        expect(page.entries.map((i) => [i.key, i.value])).toEqual([["wm", "2026-12-01"]]);
      } finally {
        await own.close();
      }
    });
  },
);
