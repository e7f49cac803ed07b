import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { assetScope, type CleanupProgress, taskScope } from "@tidemark/state";
import { InMemoryStoreBackend } from "@tidemark/testkit";
import BetterSqlite3 from "better-sqlite3";
import type { LogEvent } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import { activateAsset, deactivateAsset, registerAsset } from "../src/metadata/assets.js";
import { deleteDagRun } from "../src/metadata/dag-runs.js";
import { createTaskInstance, findTaskInstance } from "../src/metadata/task-instances.js";
import { cleanupMetastore } from "../src/metastore/cleanup.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { cleanupStateStore, inactiveAssetScopes } from "../src/metastore/state-store-cleanup.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres } from "./support/postgres.js";
import { mysqlTargets, type OpenedTarget, postgresTarget, sqliteFileTarget } from "./support/targets.js";

const postgres = await connectTestPostgres();
const mysqlServer = await connectTestMysql();
afterAll(() => mysqlServer.close());
afterAll(() => postgres.close());

const NOW = new Date("2030-06-01T12:00:00Z");
const PAST = new Date(NOW.getTime() - 60_000);
const FUTURE = new Date(NOW.getTime() + 3_600_000);
const extract = taskScope({ dagId: "dag", runId: "run_1", taskId: "extract" });
const load = taskScope({ dagId: "dag", runId: "run_1", taskId: "load", mapIndex: 2 });

for (const target of [sqliteFileTarget(), postgresTarget(postgres), ...mysqlTargets(mysqlServer)]) {
  describe(`cleanup on ${target.name}`, () => {
    let opened: OpenedTarget | undefined;
    let statements: string[] = [];
    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
      statements = [];
    });

    const open = async (cleanupBatchSize: number) => {
      opened = await target.open({
        log: (event: LogEvent) => {
          if (event.level === "query") statements.push(event.query.sql);
        },
      });
      await createTaskInstance(opened.database, { dagId: "dag", runId: "run_1", taskId: "extract" });
      const backend = new MetastoreBackend({ database: opened.database, cleanupBatchSize, now: () => NOW });
      return { backend, database: opened.database };
    };
    const taskDeletes = () =>
      statements.filter((s) => /^delete from ["`]task_state_store["`]/i.test(s)).length;

    it("batch size 2 over 5 expired rows: 3 delete statements, unexpired and never-expiring rows untouched", async () => {
      const { backend } = await open(2);
      for (let i = 0; i < 5; i++) await backend.set(extract, `expired/${i}`, String(i), { expiresAt: PAST });
      await backend.set(extract, "fresh", '"f"', { expiresAt: FUTURE });
      await backend.set(extract, "forever", '"n"', { expiresAt: null });
      statements = [];
      const progress: CleanupProgress[] = [];
      const report = await backend.cleanup({ onProgress: (p) => progress.push(p) });
      expect(taskDeletes()).toBe(3);
      expect(report).toMatchObject({ dryRun: false, deleted: { task_state_store: 5, asset_state_store: 0 } });
      expect(progress.filter((p) => p.phase === "task_state_store")).toEqual([
        { phase: "task_state_store", done: 2, total: 5 },
        { phase: "task_state_store", done: 4, total: 5 },
        { phase: "task_state_store", done: 5, total: 5 },
      ]);
      expect((await backend.list(extract)).entries.map((e) => e.key)).toEqual(["forever", "fresh"]);
      expect(await backend.get(extract, "fresh")).toBe('"f"');
      expect((await backend.cleanup()).deleted.task_state_store).toBe(0);
    });

    it("yields to the event loop between batches, so the process serves other work during a sweep", async () => {
      const { backend } = await open(2);
      for (let i = 0; i < 6; i++) await backend.set(extract, `expired/${i}`, String(i), { expiresAt: PAST });
      const events: string[] = [];
      // Scheduled before the sweep starts: it must run before the sweep's last batch.
      setImmediate(() => events.push("tick"));
      await backend.cleanup({
        onProgress: (p) => {
          if (p.phase === "task_state_store") events.push(`batch ${p.done}`);
        },
      });
      events.push("done");
      expect(events.filter((e) => e.startsWith("batch"))).toEqual([
        "batch 2",
        "batch 4",
        "batch 6",
        "batch 6",
      ]);
      const tick = events.indexOf("tick");
      expect(tick).toBeGreaterThanOrEqual(0);
      expect(tick).toBeLessThan(events.lastIndexOf("batch 6"));
    });

    it("batch size 0 deletes every expired row in one statement", async () => {
      const { backend } = await open(0);
      for (let i = 0; i < 7; i++) await backend.set(extract, `e${i}`, "1", { expiresAt: PAST });
      statements = [];
      expect((await backend.cleanup()).deleted.task_state_store).toBe(7);
      expect(taskDeletes()).toBe(1);
    });

    it("a dry run counts what would go and deletes nothing", async () => {
      const { backend, database } = await open(2);
      for (let i = 0; i < 3; i++) await backend.set(extract, `e${i}`, "1", { expiresAt: PAST });
      await backend.set(extract, "live", "1", { expiresAt: FUTURE });
      await registerAsset(database, { name: "gone" });
      await backend.set(assetScope({ name: "gone" }), "wm", "1");
      await deactivateAsset(database, "gone");
      statements = [];
      const dry = await backend.cleanup({ dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, deleted: { task_state_store: 3, asset_state_store: 1 } });
      expect(statements.filter((s) => /^delete/i.test(s))).toEqual([]);
      const real = await cleanupMetastore(database, { now: NOW, batchSize: 100 });
      expect(real.deleted).toEqual({ task_state_store: 3, asset_state_store: 1 });
    });

    it("the orphan sweep deletes state of deactivated assets only, in batches", async () => {
      const { backend, database } = await open(2);
      const kept = await registerAsset(database, { name: "kept", uri: "s3://kept" });
      const gone = await registerAsset(database, { name: "gone", uri: "s3://gone" });
      const back = await registerAsset(database, { name: "back" });
      for (let i = 0; i < 3; i++) {
        await backend.set(assetScope({ name: "kept" }), `k${i}`, "1");
        await backend.set(assetScope({ name: "gone" }), `k${i}`, "1");
        await backend.set(assetScope({ name: "back" }), `k${i}`, "1");
      }
      await deactivateAsset(database, "gone");
      await deactivateAsset(database, "back");
      await activateAsset(database, "back");
      const progress: CleanupProgress[] = [];
      const report = await backend.cleanup({ onProgress: (p) => progress.push(p) });
      expect(report.deleted).toEqual({ task_state_store: 0, asset_state_store: 3 });
      expect(progress.filter((p) => p.phase === "asset_state_store").map((p) => p.done)).toEqual([2, 3]);
      expect((await backend.list(assetScope({ assetId: gone.id }))).total).toBe(0);
      expect((await backend.list(assetScope({ assetId: kept.id }))).total).toBe(3);
      // Reactivated before the sweep: its state survived.
      expect((await backend.list(assetScope({ assetId: back.id }))).total).toBe(3);
    });

    it("deleting a dag run cascades to its task instances and task state", async () => {
      const { backend, database } = await open(2);
      const other = taskScope({ dagId: "dag", runId: "run_2", taskId: "extract" });
      await createTaskInstance(database, { dagId: "dag", runId: "run_2", taskId: "extract" });
      await backend.set(extract, "k", "1");
      await backend.set(load, "k", "2");
      await backend.set(other, "k", "3");
      expect(await deleteDagRun(database, { dagId: "dag", runId: "run_1" })).toBe(true);
      expect(await deleteDagRun(database, { dagId: "dag", runId: "run_1" })).toBe(false);
      expect(await findTaskInstance(database, extract)).toBeNull();
      const remaining = await database.db.selectFrom("task_state_store").select(["run_id", "key"]).execute();
      expect(remaining).toEqual([{ run_id: "run_2", key: "k" }]);
      expect(await backend.get(other, "k")).toBe("3");
    });

    it("through the core, a backend outside the metastore is given the inactive assets and sweeps their state", async () => {
      const { database } = await open(0);
      const orders = await registerAsset(database, { name: "orders", uri: "s3://b/orders" });
      const users = await registerAsset(database, { name: "users", uri: "s3://b/users" });
      const memory = new InMemoryStoreBackend({ now: () => NOW });
      const scopeOf = (a: typeof orders) => assetScope({ assetId: a.id, name: a.name, uri: a.uri });
      await memory.set(scopeOf(orders), "wm", '"o"');
      await memory.set(scopeOf(users), "wm", '"u"');
      await deactivateAsset(database, "orders");
      expect(await inactiveAssetScopes(database)).toEqual([scopeOf(orders)]);
      const dry = await cleanupStateStore(memory, database, { dryRun: true });
      expect(dry.deleted).toMatchObject({ asset_state_store: 1 });
      expect(await memory.get(scopeOf(orders), "wm")).toBe('"o"');
      statements = [];
      const report = await cleanupStateStore(memory, database);
      expect(
        statements.filter((s) => /^select ["`]id["`], ["`]name["`], ["`]uri["`] from ["`]asset["`]/i.test(s)),
      ).toHaveLength(1);
      expect(report.deleted).toMatchObject({ asset_state_store: 1 });
      expect(await memory.get(scopeOf(orders), "wm")).toBeNull();
      expect(await memory.get(scopeOf(users), "wm")).toBe('"u"');
    });

    it("through the core, MetastoreBackend sweeps on its own, without the list of inactive assets", async () => {
      const { backend, database } = await open(0);
      const orders = await registerAsset(database, { name: "orders" });
      await backend.set(assetScope({ assetId: orders.id }), "wm", '"o"');
      await deactivateAsset(database, "orders");
      statements = [];
      const report = await cleanupStateStore(backend, database);
      expect(report.deleted).toMatchObject({ asset_state_store: 1 });
      // No list of inactive assets is read: the backend's own sweep finds them.
      expect(
        statements.filter((s) => /^select ["`]id["`], ["`]name["`], ["`]uri["`] from ["`]asset["`]/i.test(s)),
      ).toEqual([]);
    });
  });
}

describe("cleanup on a SQLite file with a writer on a second connection", () => {
  let opened: OpenedTarget | undefined;
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.terminate();
    worker = undefined;
    await opened?.dispose();
    opened = undefined;
  });

  it("waits for another connection's write lock without blocking the event loop", async () => {
    opened = await sqliteFileTarget().open();
    const { database } = opened;
    await createTaskInstance(database, { dagId: "dag", runId: "run_1", taskId: "extract" });
    const backend = new MetastoreBackend({ database, cleanupBatchSize: 2, now: () => NOW });
    for (let i = 0; i < 5; i++) await backend.set(extract, `expired/${i}`, String(i), { expiresAt: PAST });
    const other = new BetterSqlite3((opened.url as string).replace(/^sqlite:\/\//, ""));
    try {
      const events: string[] = [];
      other.exec("begin immediate");
      // Only runs if the sweep, waiting for the lock, leaves the event loop free.
      setTimeout(() => {
        events.push("released");
        other.exec("commit");
      }, 20);
      const report = await backend.cleanup();
      events.push("done");
      expect(report.deleted.task_state_store).toBe(5);
      expect(events).toEqual(["released", "done"]);
    } finally {
      if (other.inTransaction) other.exec("rollback");
      other.close();
    }
  });

  it("fails with BACKEND_UNAVAILABLE when the lock stays taken past the busy timeout, deleting nothing", async () => {
    opened = await sqliteFileTarget().open();
    await createTaskInstance(opened.database, { dagId: "dag", runId: "run_1", taskId: "extract" });
    const setup = new MetastoreBackend({ database: opened.database, now: () => NOW });
    for (let i = 0; i < 3; i++) await setup.set(extract, `expired/${i}`, String(i), { expiresAt: PAST });
    const impatient = createDatabase(opened.url as string, { sqliteBusyTimeoutMs: 50 });
    const other = new BetterSqlite3((opened.url as string).replace(/^sqlite:\/\//, ""));
    try {
      other.exec("begin immediate");
      const backend = new MetastoreBackend({ database: impatient, cleanupBatchSize: 2, now: () => NOW });
      await expect(backend.cleanup()).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
      other.exec("rollback");
      expect(await opened.database.db.selectFrom("task_state_store").select("key").execute()).toHaveLength(3);
    } finally {
      if (other.inTransaction) other.exec("rollback");
      other.close();
      await impatient.close();
    }
  });

  it("the writer's writes interleave with a multi-batch sweep", async () => {
    opened = await sqliteFileTarget().open();
    const { database } = opened;
    await createTaskInstance(database, { dagId: "dag", runId: "run_1", taskId: "extract" });
    const backend = new MetastoreBackend({ database, cleanupBatchSize: 100, now: () => NOW });
    await backend.set(extract, "counter", "0");
    const file = (opened.url as string).replace(/^sqlite:\/\//, "");
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      // 3000 expired rows: 30 batches of 100.
      const bulk = new BetterSqlite3(file);
      bulk.pragma("busy_timeout = 10000");
      bulk
        .prepare(
          `with recursive seq(n) as (select 1 union all select n + 1 from seq where n < 3000)
           insert into task_state_store
             (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at, expires_at)
           select dag_run_id, dag_id, run_id, task_id, map_index, 'expired/' || n, '1', 1, updated_at, ?
           from task_state_store, seq where key = 'counter'`,
        )
        .run(PAST.getTime());
      bulk.close();
      const counter = reader.prepare("select version from task_state_store where key = 'counter'").pluck();
      const start = Number(counter.get());
      worker = new Worker(new URL("./support/counter-writer.mjs", import.meta.url), { workerData: { file } });
      const stopped = once(worker, "message");
      // Wait until the writer is writing (poll: start-up is slow on a loaded machine).
      while (Number(counter.get()) === start) await sleep(10);

      const seen: number[] = [];
      const report = await backend.cleanup({
        onProgress: (p) => {
          if (p.phase === "task_state_store") seen.push(Number(counter.get()));
        },
      });
      worker.postMessage("stop");
      const [{ writes }] = (await stopped) as [{ writes: number }];
      expect(report.deleted.task_state_store).toBe(3000);
      expect(seen.length).toBeGreaterThanOrEqual(30);
      // Writes committed between the sweep's first and last batch: the writer was not shut out.
      expect(seen.at(-1)! - seen[0]!).toBeGreaterThan(0);
      expect(writes).toBeGreaterThan(0);
      expect((await backend.getEntry(extract, "counter"))?.version).toBe(Number(counter.get()));
    } finally {
      reader.close();
    }
  });
});
