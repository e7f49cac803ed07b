import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { taskScope } from "@tidemark/state";
import { sql } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import { type ObservedQuery, observeQueries, queryOperationOf } from "../src/database/query-observer.js";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
import { createTaskInstance } from "../src/metadata/task-instances.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { migrate } from "../src/migrations/migrate.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres, type TestSchema } from "./support/postgres.js";

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());
const mysql = await connectTestMysql();
afterAll(() => mysql.close());

const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task" });

/** Records every observed statement and whether it failed. */
function recorder(database: TidemarkDatabase) {
  const seen: { query: ObservedQuery; failed: boolean }[] = [];
  const remove = observeQueries(database, {
    async query(query, run) {
      try {
        const result = await run();
        seen.push({ query, failed: false });
        return result;
      } catch (error) {
        seen.push({ query, failed: true });
        throw error;
      }
    },
  });
  return { seen, remove };
}

const targets: {
  name: string;
  open: () => Promise<{ database: TidemarkDatabase; dispose(): Promise<void> }>;
}[] = [
  {
    name: "SQLite file",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "tidemark-query-observer-"));
      const database = createDatabase(`sqlite:///${join(dir, "metastore.db")}`);
      await migrate(database);
      return {
        database,
        async dispose() {
          await database.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: `Postgres (${postgres.kind})`,
    async open() {
      const schema: TestSchema = await postgres.freshSchema();
      return { database: schema.database, dispose: () => schema.dispose() };
    },
  },
  ...(mysql.skipReason === null
    ? [
        {
          name: "MySQL",
          async open() {
            const fresh = await mysql.freshDatabase();
            return { database: fresh.database, dispose: () => fresh.dispose() };
          },
        },
      ]
    : []),
];

describe.each(targets)("observeQueries on $name", ({ open }) => {
  const disposals: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const dispose of disposals.splice(0)) await dispose();
  });

  it("sees the backend's statements, with their text and operation but no values", async () => {
    const { database, dispose } = await open();
    disposals.push(dispose);
    await createTaskInstance(database, scope);
    const backend = new MetastoreBackend({ database });
    const { seen } = recorder(database);

    await backend.set(scope, "key", '"do-not-log-me"');
    expect(await backend.get(scope, "key")).toBe('"do-not-log-me"');

    expect(seen.length).toBeGreaterThan(0);
    const operations = seen.map((s) => s.query.operation);
    expect(operations).toContain("SELECT");
    expect(operations.some((o) => o === "INSERT" || o === "UPDATE")).toBe(true);
    for (const { query, failed } of seen) {
      expect(query.dialect).toBe(database.dialect);
      expect(query.text).not.toContain("do-not-log-me");
      expect(failed).toBe(false);
    }
  });

  it("sees a failing statement fail, and nothing after the observer is removed", async () => {
    const { database, dispose } = await open();
    disposals.push(dispose);
    const { seen, remove } = recorder(database);

    await expect(sql`select * from no_such_table`.execute(database.db)).rejects.toThrow();
    expect(seen).toEqual([
      {
        query: { dialect: database.dialect, operation: "SELECT", text: "select * from no_such_table" },
        failed: true,
      },
    ]);

    remove();
    await sql`select 1`.execute(database.db);
    expect(seen).toHaveLength(1);
  });

  it("sees the statements of a transaction, its begin and commit included", async () => {
    const { database, dispose } = await open();
    disposals.push(dispose);
    const { seen } = recorder(database);

    await database.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
    });

    const operations = seen.map((s) => s.query.operation);
    expect(operations).toContain("SELECT");
    expect(operations).toContain("COMMIT");
  });
});

describe("queryOperationOf", () => {
  it("takes the first keyword, upper case", () => {
    expect(queryOperationOf('select "value" from "task_state"')).toBe("SELECT");
    expect(queryOperationOf("  (select 1) union (select 2)")).toBe("SELECT");
    expect(queryOperationOf("insert into t values (?)")).toBe("INSERT");
    expect(queryOperationOf("")).toBe("UNKNOWN");
  });
});
