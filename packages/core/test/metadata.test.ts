import { isStateStoreError, type StateStoreError, taskScope } from "@tidemark/state";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
import {
  activateAsset,
  deactivateAsset,
  getAssetById,
  getAssetByName,
  getAssetByUri,
  listAssets,
  registerAsset,
} from "../src/metadata/assets.js";
import { createDagRun, getDagRun, listDagRuns } from "../src/metadata/dag-runs.js";
import { taskInstanceScope } from "../src/metadata/task-instance-record.js";
import { setTaskInstanceState } from "../src/metadata/task-instance-state.js";
import {
  createTaskInstance,
  findTaskInstance,
  getTaskInstance,
  listTaskInstances,
} from "../src/metadata/task-instances.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres } from "./support/postgres.js";
import { mysqlTargets, type OpenedTarget, postgresTarget, sqliteFileTarget } from "./support/targets.js";

const postgres = await connectTestPostgres();
const mysqlServer = await connectTestMysql();
afterAll(() => mysqlServer.close());
afterAll(() => postgres.close());

async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStateStoreError(error)) throw new Error(`expected a StateStoreError, got ${String(error)}`);
  return error;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const target of [sqliteFileTarget(), postgresTarget(postgres), ...mysqlTargets(mysqlServer)]) {
  describe(`metadata API on ${target.name}`, () => {
    let opened: OpenedTarget;
    let database: TidemarkDatabase;
    beforeEach(async () => {
      opened = await target.open();
      database = opened.database;
    });
    afterEach(() => opened.dispose());

    describe("assets", () => {
      it("registers by name (uri defaults to the name), re-registers idempotently and keeps the id", async () => {
        const a = await registerAsset(database, { name: "orders" });
        expect(a).toMatchObject({ name: "orders", uri: "orders", active: true });
        expect(a.createdAt).toBeInstanceOf(Date);
        const again = await registerAsset(database, { name: "orders" });
        expect(again).toMatchObject({ id: a.id, uri: "orders", active: true });
        const moved = await registerAsset(database, { name: "orders", uri: "s3://b/orders" });
        expect(moved).toMatchObject({ id: a.id, uri: "s3://b/orders" });
        expect((await registerAsset(database, { name: "orders" })).uri).toBe("s3://b/orders");
      });

      it("deactivates and reactivates; lookups can ask for active assets only", async () => {
        const a = await registerAsset(database, { name: "orders", uri: "s3://o" });
        const off = await deactivateAsset(database, "orders");
        expect(off).toMatchObject({ id: a.id, active: false });
        expect(await deactivateAsset(database, "orders")).toMatchObject({ active: false });
        expect(await getAssetByName(database, "orders")).toMatchObject({ id: a.id, active: false });
        expect(await getAssetByName(database, "orders", { activeOnly: true })).toBeNull();
        expect(await getAssetByUri(database, "s3://o", { activeOnly: true })).toBeNull();
        expect(await getAssetById(database, a.id, { activeOnly: true })).toBeNull();
        expect((await activateAsset(database, "orders")).active).toBe(true);
        expect(await getAssetByUri(database, "s3://o", { activeOnly: true })).toMatchObject({ id: a.id });
        expect(await getAssetById(database, a.id)).toMatchObject({ name: "orders" });
        expect(await getAssetById(database, -1)).toBeNull();
      });

      it("a uri names one active asset: a second active asset with it is a CONFLICT; a deactivated one frees it", async () => {
        const first = await registerAsset(database, { name: "a", uri: "s3://shared" });
        const error = await rejection(registerAsset(database, { name: "b", uri: "s3://shared" }));
        expect(error.code).toBe("CONFLICT");
        expect(error.message).toContain('"a"');
        await deactivateAsset(database, "a");
        const second = await registerAsset(database, { name: "b", uri: "s3://shared" });
        expect(await getAssetByUri(database, "s3://shared")).toMatchObject({ id: second.id });
        expect((await rejection(activateAsset(database, "a"))).code).toBe("CONFLICT");
        expect(await getAssetById(database, first.id)).toMatchObject({ active: false });
      });

      it("unknown names are ASSET_NOT_FOUND; empty names are INVALID_VALUE", async () => {
        expect((await rejection(deactivateAsset(database, "nope"))).code).toBe("ASSET_NOT_FOUND");
        expect((await rejection(activateAsset(database, "nope"))).code).toBe("ASSET_NOT_FOUND");
        expect((await rejection(registerAsset(database, { name: "" }))).code).toBe("INVALID_VALUE");
      });

      it("lists assets in id order with the total", async () => {
        for (const name of ["a", "b", "c"]) await registerAsset(database, { name });
        await deactivateAsset(database, "b");
        const page = await listAssets(database, { limit: 2 });
        expect(page.total).toBe(3);
        expect(page.assets.map((a) => a.name)).toEqual(["a", "b"]);
        const active = await listAssets(database, { activeOnly: true });
        expect(active).toMatchObject({ total: 2, assets: [{ name: "a" }, { name: "c" }] });
        expect((await rejection(listAssets(database, { offset: -1 }))).code).toBe("INVALID_VALUE");
      });
    });

    describe("dag runs and task instances", () => {
      it("createDagRun is a get-or-create", async () => {
        const run = await createDagRun(database, { dagId: "d", runId: "r" });
        expect(await createDagRun(database, { dagId: "d", runId: "r" })).toEqual(run);
        expect(await getDagRun(database, { dagId: "d", runId: "r" })).toEqual(run);
        expect(await getDagRun(database, { dagId: "d", runId: "other" })).toBeNull();
        await createDagRun(database, { dagId: "e", runId: "r" });
        expect(await listDagRuns(database, { dagId: "d" })).toMatchObject({
          total: 1,
          dagRuns: [{ runId: "r" }],
        });
        expect((await listDagRuns(database)).total).toBe(2);
        expect((await rejection(createDagRun(database, { dagId: "", runId: "r" }))).code).toBe(
          "INVALID_SCOPE",
        );
      });

      it("creates a task instance with a random UUID, its dag run, inlets and outlets; reads it back by id and key", async () => {
        await registerAsset(database, { name: "orders", uri: "s3://o" });
        await registerAsset(database, { name: "report" });
        const ti = await createTaskInstance(database, {
          dagId: "d",
          runId: "r",
          taskId: "t",
          mapIndex: 3,
          inlets: ["orders"],
          outlets: ["report", "orders"],
        });
        expect(ti.id).toMatch(UUID);
        expect(ti).toMatchObject({
          dagId: "d",
          runId: "r",
          taskId: "t",
          mapIndex: 3,
          state: "queued",
          tryNumber: 1,
        });
        expect(ti.inlets.map((a) => a.name)).toEqual(["orders"]);
        expect(ti.outlets.map((a) => a.name)).toEqual(["orders", "report"]);
        expect(ti.dagRun).toMatchObject({ dagId: "d", runId: "r", id: ti.dagRunId });
        const read = await getTaskInstance(database, ti.id);
        expect(read).toEqual(ti);
        expect(await getTaskInstance(database, ti.id.toUpperCase())).toEqual(ti);
        expect(
          await findTaskInstance(database, { dagId: "d", runId: "r", taskId: "t", mapIndex: 3 }),
        ).toEqual(ti);
        expect(await findTaskInstance(database, { dagId: "d", runId: "r", taskId: "t" })).toBeNull();
        expect(await getTaskInstance(database, "not-a-uuid")).toBeNull();
        expect(await getTaskInstance(database, "00000000-0000-4000-8000-000000000000")).toBeNull();
        expect(taskInstanceScope(ti)).toEqual(
          taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex: 3 }),
        );
      });

      it("refuses unknown or inactive inlets and outlets, naming them, and a duplicate task instance", async () => {
        await registerAsset(database, { name: "off" });
        await deactivateAsset(database, "off");
        const error = await rejection(
          createTaskInstance(database, {
            dagId: "d",
            runId: "r",
            taskId: "t",
            inlets: ["off"],
            outlets: ["nope"],
          }),
        );
        expect(error.code).toBe("ASSET_NOT_FOUND");
        expect(error.message).toContain('"off"');
        expect(error.message).toContain('"nope"');
        expect(await getDagRun(database, { dagId: "d", runId: "r" })).toBeNull();
        const ti = await createTaskInstance(database, { dagId: "d", runId: "r", taskId: "t" });
        const dup = await rejection(createTaskInstance(database, { dagId: "d", runId: "r", taskId: "t" }));
        expect(dup.code).toBe("CONFLICT");
        expect(dup.details).toMatchObject({ existingId: ti.id });
        expect(
          (
            await rejection(
              createTaskInstance(database, { dagId: "d", runId: "r", taskId: "t", mapIndex: -2 }),
            )
          ).code,
        ).toBe("INVALID_SCOPE");
      });

      it("lists task instances with filters, in (dag run, task, map index) order", async () => {
        await createTaskInstance(database, { dagId: "d", runId: "r1", taskId: "b" });
        await createTaskInstance(database, { dagId: "d", runId: "r1", taskId: "a", mapIndex: 1 });
        await createTaskInstance(database, { dagId: "d", runId: "r1", taskId: "a", mapIndex: 0 });
        const other = await createTaskInstance(database, { dagId: "d", runId: "r2", taskId: "a" });
        await setTaskInstanceState(database, other.id, "running");
        const all = await listTaskInstances(database, { runId: "r1" });
        expect(all.total).toBe(3);
        expect(all.taskInstances.map((t) => `${t.taskId}/${t.mapIndex}`)).toEqual(["a/0", "a/1", "b/-1"]);
        expect(
          (await listTaskInstances(database, { state: "running" })).taskInstances.map((t) => t.id),
        ).toEqual([other.id]);
        expect((await listTaskInstances(database, { limit: 1, offset: 3 })).taskInstances).toHaveLength(1);
      });
    });

    describe("task instance state", () => {
      it("increments try_number only when going from up_for_retry to running", async () => {
        const ti = await createTaskInstance(database, { dagId: "d", runId: "r", taskId: "t" });
        const states = [
          "running",
          "up_for_retry",
          "running",
          "running",
          "failed",
          "running",
          "up_for_retry",
          "running",
        ] as const;
        const tries: number[] = [];
        for (const s of states)
          tries.push((await setTaskInstanceState(database, ti.id, s)).taskInstance.tryNumber);
        expect(tries).toEqual([1, 1, 2, 2, 2, 2, 2, 3]);
        expect((await getTaskInstance(database, ti.id))?.state).toBe("running");
      });

      it("clears the task instance's own task state in the same transaction when asked, never asset state", async () => {
        await registerAsset(database, { name: "orders" });
        const ti = await createTaskInstance(database, {
          dagId: "d",
          runId: "r",
          taskId: "t",
          mapIndex: 0,
          outlets: ["orders"],
        });
        const sibling = taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex: 1 });
        const backend = new MetastoreBackend({ database });
        await backend.set(taskInstanceScope(ti), "a", "1");
        await backend.set(taskInstanceScope(ti), "b", "2");
        await backend.set(sibling, "a", "3");
        await backend.set({ kind: "asset", name: "orders" }, "wm", "4");
        const kept = await setTaskInstanceState(database, ti.id, "running", { clearTaskState: false });
        expect(kept.clearedKeys).toBe(0);
        const done = await setTaskInstanceState(database, ti.id, "success", { clearTaskState: true });
        expect(done).toMatchObject({ clearedKeys: 2, taskInstance: { state: "success" } });
        expect((await backend.list(taskInstanceScope(ti))).total).toBe(0);
        expect(await backend.get(sibling, "a")).toBe("3");
        expect(await backend.get({ kind: "asset", name: "orders" }, "wm")).toBe("4");
      });

      it("unknown ids are TASK_INSTANCE_NOT_FOUND; unknown states INVALID_VALUE", async () => {
        const ti = await createTaskInstance(database, { dagId: "d", runId: "r", taskId: "t" });
        expect(
          (await rejection(setTaskInstanceState(database, "00000000-0000-4000-8000-000000000000", "running")))
            .code,
        ).toBe("TASK_INSTANCE_NOT_FOUND");
        expect((await rejection(setTaskInstanceState(database, "garbage", "running"))).code).toBe(
          "TASK_INSTANCE_NOT_FOUND",
        );
        const bad = await rejection(setTaskInstanceState(database, ti.id, "done" as never));
        expect(bad.code).toBe("INVALID_VALUE");
        expect(bad.message).toContain('"up_for_retry"');
      });
    });
  });
}
