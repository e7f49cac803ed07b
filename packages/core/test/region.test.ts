import { isStateStoreError, NO_REGION_ID, type StateStoreError, taskScope } from "@tidemark/state";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
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

const R1 = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const R2 = "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b";
const base = { dagId: "dag", runId: "run_1", taskId: "fan_out" };
const none = taskScope(base);
const r1 = taskScope({ ...base, regionId: R1 });
const r2 = taskScope({ ...base, regionId: R2.toUpperCase() });

async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStateStoreError(error)) throw new Error(`expected a StateStoreError, got ${String(error)}`);
  return error;
}

for (const target of [sqliteFileTarget(), postgresTarget(postgres), ...mysqlTargets(mysqlServer)]) {
  describe(`regions on ${target.name}`, () => {
    let opened: OpenedTarget;
    let database: TidemarkDatabase;
    let backend: MetastoreBackend;
    let clock: Date;

    beforeEach(async () => {
      opened = await target.open();
      database = opened.database;
      clock = new Date("2030-01-01T00:00:00Z");
      backend = new MetastoreBackend({ database, now: () => clock });
      await createTaskInstance(database, base);
    });
    afterEach(async () => {
      await backend.close();
      await opened.dispose();
    });

    it("two regions of one task instance address different state; the all-zero region is the default", async () => {
      await backend.set(none, "k", '"none"');
      await backend.set(r1, "k", '"r1"');
      await backend.set(r2, "k", '"r2"');
      expect(await backend.get(taskScope({ ...base, regionId: NO_REGION_ID }), "k")).toBe('"none"');
      // A scope built by hand without regionId (plain JavaScript) is in no region.
      const handMade = { kind: "task", ...base, mapIndex: -1 } as unknown as typeof none;
      expect(await backend.get(handMade, "k")).toBe('"none"');
      expect(await backend.get(r1, "k")).toBe('"r1"');
      expect(await backend.get(r2, "k")).toBe('"r2"');
      await backend.set(r1, "k", '"r1b"', { ifVersion: 1 });
      expect((await backend.getEntry(r1, "k"))?.version).toBe(2);
      expect((await backend.getEntry(none, "k"))?.version).toBe(1);
      await expect(backend.set(r2, "k", '"x"', { ifAbsent: true })).rejects.toMatchObject({
        code: "CONFLICT",
      });
      await backend.delete(r1, "k");
      expect(await backend.get(r1, "k")).toBeNull();
      expect(await backend.get(none, "k")).toBe('"none"');
      expect(await backend.get(r2, "k")).toBe('"r2"');
    });

    it("lists and prefix-lists one region only", async () => {
      for (const key of ["job_a", "job_b", "other"]) await backend.set(r1, key, "1");
      await backend.set(none, "job_c", "1");
      await backend.set(r2, "job_d", "1");
      const page = await backend.list(r1, { prefix: "job_" });
      expect(page.entries.map((e) => e.key)).toEqual(["job_a", "job_b"]);
      expect(page.total).toBe(2);
      expect((await backend.list(none, { prefix: "job_" })).entries.map((e) => e.key)).toEqual(["job_c"]);
      expect((await backend.list(r2)).total).toBe(1);
    });

    it("clear, with or without all map indices, stays inside the scope's region", async () => {
      for (const mapIndex of [-1, 0, 1]) {
        for (const regionId of [NO_REGION_ID, R1, R2]) {
          await backend.set(taskScope({ ...base, regionId, mapIndex }), "k", String(mapIndex));
        }
      }
      await backend.clear(taskScope({ ...base, regionId: R1, mapIndex: 0 }));
      expect(await backend.get(taskScope({ ...base, regionId: R1, mapIndex: 0 }), "k")).toBeNull();
      expect(await backend.get(taskScope({ ...base, regionId: R1, mapIndex: 1 }), "k")).toBe("1");
      expect(await backend.get(taskScope({ ...base, regionId: R2, mapIndex: 0 }), "k")).toBe("0");

      await backend.clear(taskScope({ ...base, regionId: R1 }), { allMapIndices: true });
      for (const mapIndex of [-1, 0, 1]) {
        expect(await backend.get(taskScope({ ...base, regionId: R1, mapIndex }), "k")).toBeNull();
        expect(await backend.get(taskScope({ ...base, regionId: R2, mapIndex }), "k")).toBe(String(mapIndex));
        expect(await backend.get(taskScope({ ...base, mapIndex }), "k")).toBe(String(mapIndex));
      }
      await backend.clear(none, { allMapIndices: true });
      expect((await backend.list(none)).total).toBe(0);
      expect((await backend.list(taskScope({ ...base, regionId: R2, mapIndex: 1 }))).total).toBe(1);
    });

    it("cleanup removes expired rows of every region and keeps live ones", async () => {
      const soon = new Date("2030-01-02T00:00:00Z");
      await backend.set(r1, "old", "1", { expiresAt: soon });
      await backend.set(r2, "old", "1", { expiresAt: soon });
      await backend.set(r1, "kept", "1");
      clock = new Date("2030-01-03T00:00:00Z");
      expect(await backend.get(r1, "old")).toBeNull();
      const report = await backend.cleanup();
      expect(report.deleted.task_state_store).toBe(2);
      expect(await backend.get(r1, "kept")).toBe("1");
      clock = new Date("2030-01-01T00:00:00Z");
      expect(await backend.get(r2, "old")).toBeNull();
    });

    it("task instances are keyed by region: one per (task, region, map index), found and listed by region", async () => {
      const inR1 = await createTaskInstance(database, { ...base, regionId: R1.toUpperCase() });
      expect(inR1.regionId).toBe(R1);
      expect((await getTaskInstance(database, inR1.id))?.regionId).toBe(R1);
      const error = await rejection(createTaskInstance(database, { ...base, regionId: R1 }));
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toContain(`region_id=${R1}`);
      expect(error.details.existingId).toBe(inR1.id);
      const plain = await rejection(createTaskInstance(database, base));
      expect(plain.message).toBe(
        `task instance dag_id="dag" run_id="run_1" task_id="fan_out" map_index=-1 already exists (id ${(await findTaskInstance(database, base))?.id}); use another run id or map index`,
      );
      expect((await findTaskInstance(database, { ...base, regionId: R1 }))?.id).toBe(inR1.id);
      expect((await findTaskInstance(database, base))?.regionId).toBe(NO_REGION_ID);
      expect(await findTaskInstance(database, { ...base, regionId: R2 })).toBeNull();
      expect((await listTaskInstances(database, { regionId: R1 })).taskInstances.map((t) => t.id)).toEqual([
        inR1.id,
      ]);
      expect((await listTaskInstances(database, { taskId: "fan_out" })).total).toBe(2);
      const bad = await rejection(createTaskInstance(database, { ...base, regionId: "region-1" }));
      expect(bad.code).toBe("INVALID_SCOPE");
      expect(bad.details.field).toBe("regionId");
      expect((await listTaskInstances(database)).total).toBe(2);
      await expect(findTaskInstance(database, { ...base, regionId: "nope" })).rejects.toMatchObject({
        code: "INVALID_SCOPE",
      });
    });

    it("clear_on_success clears the task instance's own region only", async () => {
      const inR1 = await createTaskInstance(database, { ...base, regionId: R1, state: "running" });
      await backend.set(r1, "k", "1");
      await backend.set(none, "k", "1");
      await backend.set(r2, "k", "1");
      const done = await setTaskInstanceState(database, inR1.id, "success", { clearTaskState: true });
      expect(done.clearedKeys).toBe(1);
      expect(await backend.get(r1, "k")).toBeNull();
      expect(await backend.get(none, "k")).toBe("1");
      expect(await backend.get(r2, "k")).toBe("1");
    });
  });
}
